//! Post text: what a user types turned into safe post HTML, and remote HTML made safe.
//!
//! Every path that produces HTML ends in one writer (the emitter of the private `html` module)
//! that can only write elements and attributes from a fixed allow-list, escapes every text and
//! attribute value and checks every `href`, so no input — local or remote, plain, Markdown or
//! HTML — can get script, styles, images or event handlers through. Arbitrary HTML is first parsed by `ammonia`
//! (html5ever, the browsers' parsing algorithm, so unbalanced or crafted markup is read the way a
//! browser would read it) with the same allow-list, and only its normalised output is read back.
//!
//! Mentions, hashtags and URLs follow Mastodon's rules (`Account::MENTION_RE`,
//! `Tag::HASHTAG_RE`, URLs only with an `http`/`https` scheme) and its markup, so clients that
//! style Mastodon statuses style ours the same way.
//!
//! A local post is typically made in three steps: [`extract`] finds the mentions in the typed
//! text, the caller looks the accounts up (asynchronously, in the store or over WebFinger), then
//! [`render_with_entities`] (or [`render`]) builds the HTML with a resolver over those results
//! and reports what was actually linked. [`visible_length`] checks the length limit first.

mod html;
mod markdown;
pub mod mfm;
mod scan;

#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use unicode_segmentation::UnicodeSegmentation;

use scan::EntityKind;

/// Every URL counts as this many characters toward the length limit, whatever its length
/// (Mastodon's `characters_reserved_per_url`), so shortened links gain nothing.
pub const URL_PLACEHOLDER_CHARS: usize = 23;

/// A mention as written: `@alice` (local, or relative to the post's server) or
/// `@alice@example.org`.
///
/// Both parts keep the case and script they were written in (the domain may be an IDN such as
/// `münchen.de`); compare them case-insensitively and convert the domain to ASCII (punycode)
/// before a WebFinger lookup.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MentionRef {
    pub username: String,
    pub domain: Option<String>,
}

impl MentionRef {
    /// `user` or `user@domain`, as written (without the leading `@`).
    pub fn acct(&self) -> String {
        match &self.domain {
            Some(domain) => format!("{}@{}", self.username, domain),
            None => self.username.clone(),
        }
    }

    /// Whether both refer to the same account name, ignoring case as Mastodon does.
    pub fn same_as(&self, other: &MentionRef) -> bool {
        self.key() == other.key()
    }

    fn key(&self) -> MentionKey {
        (
            self.username.to_lowercase(),
            self.domain.as_deref().map(str::to_lowercase),
        )
    }
}

/// A mention's username and domain in lower case: what makes two mentions the same.
type MentionKey = (String, Option<String>);

/// Mentions, hashtags and URLs found in a text, each once, in order of first appearance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    /// Deduplicated case-insensitively.
    pub mentions: Vec<MentionRef>,
    /// Without the `#`, in the case of their first appearance; deduplicated case-insensitively.
    pub hashtags: Vec<String>,
    /// `http`/`https` URLs as written; deduplicated exactly.
    pub urls: Vec<String>,
}

/// Builds an [`Extracted`], deduplicating through sets so that a huge text with many distinct
/// entities stays linear.
#[derive(Default)]
pub(crate) struct Collector {
    extracted: Extracted,
    urls: HashSet<String>,
    mentions: HashSet<MentionKey>,
    hashtags: HashSet<String>,
}

impl Collector {
    pub(crate) fn add(&mut self, kind: &EntityKind, source: &str) {
        match kind {
            EntityKind::Url => {
                if self.urls.insert(source.to_owned()) {
                    self.extracted.urls.push(source.to_owned());
                }
            }
            EntityKind::Mention(mention) => {
                if self.mentions.insert(mention.key()) {
                    self.extracted.mentions.push(mention.clone());
                }
            }
            EntityKind::Hashtag(tag) => {
                if self.hashtags.insert(tag.to_lowercase()) {
                    self.extracted.hashtags.push(tag.clone());
                }
            }
        }
    }

    pub(crate) fn mentions(&self) -> &[MentionRef] {
        &self.extracted.mentions
    }

    pub(crate) fn finish(self) -> Extracted {
        self.extracted
    }
}

/// Finds mentions, hashtags (without `#`, in their written case, deduplicated
/// case-insensitively) and `http`/`https` URLs in plain text.
///
/// Nothing inside a URL or an e-mail address counts: `https://example.org/@bob#top` is one URL,
/// and `user@example.org` is an address, not a mention. Hashtags need a letter (`#2024` is not
/// a tag, as on Mastodon) and may be in any script (`#café`, `#日本語`).
pub fn extract(text: &str) -> Extracted {
    let mut collector = Collector::default();
    for entity in scan::scan(text) {
        collector.add(&entity.kind, &text[entity.start..entity.end]);
    }
    collector.finish()
}

/// How the author wrote a post; Akkoma's `content_type` status parameter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ContentType {
    /// `text/plain`: Mastodon's only format; everything is escaped.
    #[default]
    Plain,
    /// `text/markdown`: a safe subset of CommonMark.
    Markdown,
    /// `text/html`: the author's own markup, reduced to the allow-list.
    Html,
}

impl ContentType {
    /// The media type, as clients send it and as ActivityPub's `mediaType` of `source` says it.
    pub fn as_str(self) -> &'static str {
        match self {
            ContentType::Plain => "text/plain",
            ContentType::Markdown => "text/markdown",
            ContentType::Html => "text/html",
        }
    }
}

impl fmt::Display for ContentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `content_type` other than `text/plain`, `text/markdown` or `text/html`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported content type {0:?}: expected text/plain, text/markdown or text/html")]
pub struct UnsupportedContentType(pub String);

impl FromStr for ContentType {
    type Err = UnsupportedContentType;

    /// Case-insensitive; parameters such as `; charset=utf-8` are ignored, since clients add
    /// them and they change nothing here.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let essence = value.split(';').next().unwrap_or_default().trim();
        if essence.eq_ignore_ascii_case("text/plain") {
            Ok(ContentType::Plain)
        } else if essence.eq_ignore_ascii_case("text/markdown") {
            Ok(ContentType::Markdown)
        } else if essence.eq_ignore_ascii_case("text/html") {
            Ok(ContentType::Html)
        } else {
            // Bounded, so an error message cannot carry a whole request body.
            Err(UnsupportedContentType(value.chars().take(100).collect()))
        }
    }
}

/// What a mention links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The account's profile page (`http`/`https`, or a path on this server).
    pub url: String,
    /// The account's canonical `user` or `user@domain`. The link shows its `user` part, as
    /// Mastodon does, unless two mentioned accounts share that name; then both show it whole.
    pub acct: String,
}

/// A rendered local post and what its text linked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    /// The mentions, hashtags and URLs of the linkable text, that is outside code and existing
    /// links (in Markdown or HTML, a `@name` inside a code block is neither linked nor listed),
    /// plus the targets of the links the author wrote in Markdown or HTML.
    pub extracted: Extracted,
    /// The accounts the resolver found, each once, in order: the post's mentions to address.
    pub resolved: Vec<Resolved>,
}

/// Renders a local post as HTML.
///
/// `resolve` gives the profile for a mention (`None` leaves it as plain text, as Mastodon does
/// for unknown accounts); it is called once per distinct mention, so it should answer from
/// accounts looked up beforehand (see [`extract`]). `tag_url` builds a hashtag's link from the
/// tag as written, and should percent-encode it. Returned URLs that are neither `http(s)` nor a
/// path on this server are not linked.
///
/// - Plain text, like Mastodon: everything escaped; paragraphs split on blank lines into `<p>`,
///   single newlines `<br>`; URLs, mentions and hashtags linked with Mastodon's markup.
/// - Markdown: emphasis, strong, strikethrough, code, code blocks, lists, block quotes, links,
///   headings (shown as bold paragraphs); raw HTML is shown as text, images become links; then
///   mentions, hashtags and bare URLs are linked outside code and links.
/// - HTML: reduced to the allow-list of [`sanitize_remote_html`], then linked the same way.
pub fn render(
    text: &str,
    content_type: ContentType,
    resolve: &dyn Fn(&MentionRef) -> Option<Resolved>,
    tag_url: &dyn Fn(&str) -> String,
) -> String {
    render_with_entities(text, content_type, resolve, tag_url).html
}

/// [`render`], also telling which mentions, hashtags and URLs were linked.
pub fn render_with_entities(
    text: &str,
    content_type: ContentType,
    resolve: &dyn Fn(&MentionRef) -> Option<Resolved>,
    tag_url: &dyn Fn(&str) -> String,
) -> Rendered {
    let tokens = match content_type {
        ContentType::Plain => html::plain_tokens(text),
        ContentType::Markdown => html::parse_untrusted(&markdown::to_html(text)),
        ContentType::Html => html::parse_untrusted(text),
    };
    html::emit(&tokens, Some(html::Linker { resolve, tag_url }))
}

/// Makes remote HTML (a federated `content`, `summary` or profile note) safe to show.
///
/// Keeps `p`, `br`, `a` (only `http`/`https` links, given `rel="nofollow noopener noreferrer"`
/// and `target="_blank"`; other links become their text, as on Mastodon), `span` and `a` classes
/// `h-card`, `mention`, `hashtag`, `u-url`, `invisible`, `ellipsis`, `quote-inline`, `strong`,
/// `b`, `em`, `i`, `u`, `s`, `del`, `code`, `pre`, `blockquote`, `ul`, `ol` (with `start`), `li`,
/// `sub`, `sup`, and `h1`–`h6` shown as `<p><strong>` like Mastodon does. Drops `script`,
/// `style`, `iframe`, `img` and the like with their content (Mastodon shows images as
/// attachments, not inline), every other attribute including event handlers, and comments; other
/// elements are replaced by their content. Input over `max_bytes` is cut at a character boundary
/// first, so a hostile server cannot make us parse megabytes.
pub fn sanitize_remote_html(html: &str, max_bytes: usize) -> String {
    let html = truncate_at_char_boundary(html, max_bytes);
    html::emit(&html::parse_untrusted(html), None).html
}

/// Plain text from HTML, for search indexing, notifications and the `text` of a deleted status.
///
/// Paragraphs and other blocks are separated by a blank line, list items and `<br>` by a line
/// break; other whitespace is collapsed as a browser would (except inside `<pre>`); entities are
/// decoded; scripts and styles are dropped with their content. Links keep their full text, so
/// Mastodon's shortened URLs come back whole.
pub fn html_to_text(html: &str) -> String {
    html::to_text(html)
}

/// [`html_to_text`] of HTML Rhizome stored (a status's content, a profile's note): it was
/// written by the sanitiser, so it is read without being parsed again — the same text, at a
/// fraction of the cost of rendering a timeline.
pub fn stored_html_to_text(html: &str) -> String {
    html::stored_to_text(html)
}

/// Counts characters as Mastodon does for the length limit: in grapheme clusters (an emoji with
/// modifiers is one), every `http`/`https` URL as [`URL_PLACEHOLDER_CHARS`], and a remote
/// mention only by its `@username` part, so mentioning someone on a long domain costs nothing
/// extra. A content warning is counted as plain `text.graphemes(true).count()` by the caller.
pub fn visible_length(text: &str) -> usize {
    let mut countable = String::with_capacity(text.len());
    let mut last = 0;
    for entity in scan::scan(text) {
        countable.push_str(&text[last..entity.start]);
        match &entity.kind {
            EntityKind::Url => {
                countable.extend(std::iter::repeat_n('x', URL_PLACEHOLDER_CHARS));
            }
            EntityKind::Mention(mention) => {
                countable.push('@');
                countable.push_str(&mention.username);
            }
            EntityKind::Hashtag(_) => countable.push_str(&text[entity.start..entity.end]),
        }
        last = entity.end;
    }
    countable.push_str(&text[last..]);
    countable.graphemes(true).count()
}

/// The longest prefix of `text` of at most `max_bytes` bytes that ends on a character boundary.
fn truncate_at_char_boundary(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let mut end = max_bytes;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}
