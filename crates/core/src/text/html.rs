//! Reading untrusted HTML and writing safe HTML.
//!
//! Untrusted HTML goes through `ammonia` (html5ever's spec-compliant parser) with the allow-list
//! below; its output is a normalised serialisation (balanced tags, double-quoted attributes,
//! `<`, `>`, `&` and `"` always escaped, no comments and no raw-text elements), which
//! [`read_normalised`] reads back into tokens. Those tokens, or the ones [`plain_tokens`] makes
//! from typed text, go to [`emit`], the only writer of HTML in this module: it writes element
//! names and attributes from fixed lists only, escapes all text, and checks every link. So even
//! if the reading missed something, nothing outside the allow-list could be written.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use super::scan::{self, EntityKind};
use super::{Collector, MentionKey, MentionRef, Rendered, Resolved};

/// Where mentions and hashtags of a local post point; see [`super::render`].
pub(crate) struct Linker<'a> {
    pub resolve: &'a dyn Fn(&MentionRef) -> Option<Resolved>,
    pub tag_url: &'a dyn Fn(&str) -> String,
}

/// The `rel` of every link to another site: no ranking credit for spam, no `window.opener`, no
/// referrer leaking which post was read.
const LINK_REL: &str = "nofollow noopener noreferrer";

/// Classes that carry meaning in Fediverse markup (microformats for mentions, Mastodon's link
/// shortening, quote fallbacks); any other class is dropped so remote CSS hooks cannot restyle
/// the page.
const ALLOWED_CLASSES: [&str; 7] = [
    "h-card",
    "mention",
    "hashtag",
    "u-url",
    "invisible",
    "ellipsis",
    "quote-inline",
];

/// MFM functions as FEP-c16b writes them in HTML (`<span class="mfm-x2">`): Misskey's
/// effects survive for clients that style them; the rest show plain text.
const MFM_CLASSES: [&str; 24] = [
    "mfm-tada",
    "mfm-jelly",
    "mfm-twitch",
    "mfm-shake",
    "mfm-spin",
    "mfm-jump",
    "mfm-bounce",
    "mfm-flip",
    "mfm-x2",
    "mfm-x3",
    "mfm-x4",
    "mfm-font",
    "mfm-blur",
    "mfm-rainbow",
    "mfm-sparkle",
    "mfm-rotate",
    "mfm-position",
    "mfm-scale",
    "mfm-fg",
    "mfm-bg",
    "mfm-border",
    "mfm-ruby",
    "mfm-unixtime",
    "mfm-crop",
];

/// A `data-mfm-*` argument of an MFM span: short names and plain values only (colours,
/// numbers, font names), which no browser runs as anything.
fn mfm_argument(name: &str, value: &str) -> Option<(String, String)> {
    let key = name.strip_prefix("data-mfm-")?;
    let key_ok = !key.is_empty()
        && key.len() <= 24
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    let value_ok = value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'#'));
    (key_ok && value_ok).then(|| (name.to_owned(), value.to_owned()))
}

/// Elements dropped together with their content: scripts, styles, embedded documents and
/// forms would only show as garbage text if unwrapped.
const DROPPED_WITH_CONTENT: [&str; 16] = [
    "script",
    "style",
    "iframe",
    "noscript",
    "template",
    "object",
    "svg",
    "math",
    "textarea",
    "select",
    "title",
    "noembed",
    "noframes",
    "xmp",
    "plaintext",
    "head",
];

/// Block elements outside the allow-list: replaced by a space (as Mastodon's sanitiser does), so
/// `<div>a</div><div>b</div>` does not run together into `ab`.
const SPACERS: [&str; 26] = [
    "div",
    "section",
    "article",
    "header",
    "footer",
    "main",
    "nav",
    "aside",
    "figure",
    "figcaption",
    "address",
    "details",
    "summary",
    "dl",
    "dt",
    "dd",
    "table",
    "caption",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "td",
    "th",
    "hr",
    "center",
];

/// The parser and first filter for untrusted HTML: the allow-list plus headings (demoted when
/// written) and the spacer blocks; only `http`/`https` links; no comments.
static UNTRUSTED: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut tags: HashSet<&'static str> = HashSet::from([
        "p",
        "br",
        "a",
        "span",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "del",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "sub",
        "sup",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
    ]);
    tags.extend(SPACERS);
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(tags)
        .clean_content_tags(HashSet::from(DROPPED_WITH_CONTENT))
        .tag_attributes(HashMap::from([
            ("a", HashSet::from(["href", "class"])),
            ("span", HashSet::from(["class"])),
            ("ol", HashSet::from(["start"])),
        ]))
        .generic_attributes(HashSet::new())
        // FEP-c16b arguments of MFM spans; `filter_attrs` keeps them on spans only.
        .generic_attribute_prefixes(HashSet::from(["data-mfm-"]))
        .url_schemes(HashSet::from(["http", "https"]))
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(None)
        .strip_comments(true);
    builder
});

/// The elements that shape plain text (blocks, breaks); others are unwrapped.
static TEXT_SHAPING: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    let mut tags: HashSet<&'static str> = HashSet::from([
        "p",
        "br",
        "li",
        "ul",
        "ol",
        "blockquote",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
    ]);
    tags.extend(SPACERS);
    tags
});

/// The parser for [`to_text`]: keeps only the elements that shape plain text.
static TEXT_ONLY: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(TEXT_SHAPING.clone())
        .clean_content_tags(HashSet::from(DROPPED_WITH_CONTENT))
        .tag_attributes(HashMap::new())
        .generic_attributes(HashSet::new())
        .generic_attribute_prefixes(HashSet::new())
        .link_rel(None)
        .strip_comments(true);
    builder
});

/// The elements [`emit`] writes (headings as `<p><strong>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum El {
    P,
    A,
    Span,
    Strong,
    B,
    Em,
    I,
    U,
    S,
    Del,
    Code,
    Pre,
    Blockquote,
    Ul,
    Ol,
    Li,
    Sub,
    Sup,
    Heading,
}

impl El {
    fn from_name(name: &str) -> Option<El> {
        Some(match name {
            "p" => El::P,
            "a" => El::A,
            "span" => El::Span,
            "strong" => El::Strong,
            "b" => El::B,
            "em" => El::Em,
            "i" => El::I,
            "u" => El::U,
            "s" => El::S,
            "del" => El::Del,
            "code" => El::Code,
            "pre" => El::Pre,
            "blockquote" => El::Blockquote,
            "ul" => El::Ul,
            "ol" => El::Ol,
            "li" => El::Li,
            "sub" => El::Sub,
            "sup" => El::Sup,
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => El::Heading,
            _ => return None,
        })
    }

    /// Opening and closing markup of the elements without attributes.
    fn markup(self) -> (&'static str, &'static str) {
        match self {
            El::P => ("<p>", "</p>"),
            El::A => ("<a>", "</a>"),
            El::Span => ("<span>", "</span>"),
            El::Strong => ("<strong>", "</strong>"),
            El::B => ("<b>", "</b>"),
            El::Em => ("<em>", "</em>"),
            El::I => ("<i>", "</i>"),
            El::U => ("<u>", "</u>"),
            El::S => ("<s>", "</s>"),
            El::Del => ("<del>", "</del>"),
            El::Code => ("<code>", "</code>"),
            El::Pre => ("<pre>", "</pre>"),
            El::Blockquote => ("<blockquote>", "</blockquote>"),
            El::Ul => ("<ul>", "</ul>"),
            El::Ol => ("<ol>", "</ol>"),
            El::Li => ("<li>", "</li>"),
            El::Sub => ("<sub>", "</sub>"),
            El::Sup => ("<sup>", "</sup>"),
            // Mastodon shows remote headings as bold paragraphs; clients style nothing else.
            El::Heading => ("<p><strong>", "</strong></p>"),
        }
    }

    /// Whitespace between two of these is layout, not content.
    fn is_block(self) -> bool {
        matches!(
            self,
            El::P | El::Pre | El::Blockquote | El::Ul | El::Ol | El::Li | El::Heading
        )
    }
}

/// The attributes [`emit`] may write, already filtered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Attrs {
    href: Option<String>,
    classes: Vec<&'static str>,
    start: Option<u32>,
    /// `data-mfm-*` arguments of an MFM span.
    mfm: Vec<(String, String)>,
}

/// A piece of a post on its way to [`emit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    Open(El, Attrs),
    Close(El),
    Br,
    Text(String),
    /// Where an unlisted block element was: a space if it separates two pieces of text.
    Space,
}

/// One token of the normalised HTML that `ammonia` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Raw {
    Start {
        name: String,
        attrs: Vec<(String, String)>,
    },
    End {
        name: String,
    },
    Text(String),
}

/// Untrusted HTML (a remote post, a local HTML or Markdown post) as tokens for [`emit`].
pub(crate) fn parse_untrusted(html: &str) -> Vec<Tok> {
    let normalised = UNTRUSTED.clean(&limit_nesting(html)).to_string();
    let mut tokens: Vec<Tok> = Vec::new();
    for raw in read_normalised(&normalised) {
        let token = match raw {
            Raw::Text(text) => Tok::Text(text),
            Raw::Start { name, .. } if name == "br" => Tok::Br,
            Raw::Start { name, .. } | Raw::End { name } if SPACERS.contains(&name.as_str()) => {
                Tok::Space
            }
            Raw::Start { name, attrs } => match El::from_name(&name) {
                Some(el) => Tok::Open(el, filter_attrs(el, &attrs)),
                None => continue,
            },
            Raw::End { name } => match El::from_name(&name) {
                Some(el) => Tok::Close(el),
                None => continue,
            },
        };
        // Adjacent text (left by removed elements) is one text for mention and URL scanning.
        if let (Tok::Text(next), Some(Tok::Text(previous))) = (&token, tokens.last_mut()) {
            previous.push_str(next);
        } else {
            tokens.push(token);
        }
    }
    tokens
}

/// How deep elements may nest before [`limit_nesting`] drops their tags (browsers cap the DOM
/// at a depth of 512; no post needs anything near this).
const MAX_NESTING: usize = 256;

/// Elements that close themselves or have no content: they add no lasting depth.
const NOT_NESTING: [&str; 33] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "caption",
    "colgroup", "option", "optgroup", "rb", "rt", "rtc", "rp", "image",
];

/// Drops the tags of elements nested deeper than [`MAX_NESTING`], keeping their content.
///
/// html5ever checks the stack of open elements on every block tag, so a crafted post of
/// thousands of nested `<div>`s costs quadratic time (half a second for 100 kB); cutting the
/// depth first keeps parsing linear. The scan is lexical and may misjudge odd markup, which can
/// only change how such markup looks: what it returns is still parsed and sanitised as a whole.
fn limit_nesting(html: &str) -> std::borrow::Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut depth = 0usize;
    let mut dropped = 0usize;
    let mut kept = String::new();
    let mut copied = 0;
    let mut pos = 0;
    while let Some(offset) = html[pos..].find('<') {
        let start = pos + offset;
        if html[start..].starts_with("<!--") {
            pos = html[start..]
                .find("-->")
                .map_or(html.len(), |i| start + i + 3);
            continue;
        }
        let closing = bytes.get(start + 1) == Some(&b'/');
        let name_start = start + 1 + usize::from(closing);
        let name_end = html[name_start..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .map_or(html.len(), |i| name_start + i);
        if name_end == name_start || !bytes[name_start].is_ascii_alphabetic() {
            pos = start + 1;
            continue;
        }
        let end = html[name_end..]
            .find('>')
            .map_or(html.len(), |i| name_end + i + 1);
        pos = end;
        let name = html[name_start..name_end].to_ascii_lowercase();
        let self_closing = html[..end].ends_with("/>");
        if NOT_NESTING.contains(&name.as_str())
            || DROPPED_WITH_CONTENT.contains(&name.as_str())
            || self_closing
        {
            continue;
        }
        let drop = if closing {
            if dropped > 0 {
                dropped -= 1;
                true
            } else {
                depth = depth.saturating_sub(1);
                false
            }
        } else if depth >= MAX_NESTING {
            dropped += 1;
            true
        } else {
            depth += 1;
            false
        };
        if drop {
            kept.push_str(&html[copied..start]);
            copied = end;
        }
    }
    if copied == 0 {
        return std::borrow::Cow::Borrowed(html);
    }
    kept.push_str(&html[copied..]);
    std::borrow::Cow::Owned(kept)
}

/// Keeps `href` on links, the allowed classes on links and spans, a numeric `start` on `ol`.
fn filter_attrs(el: El, attrs: &[(String, String)]) -> Attrs {
    let mut filtered = Attrs::default();
    for (name, value) in attrs {
        match (el, name.as_str()) {
            (El::A, "href") => filtered.href = Some(value.clone()),
            (El::A | El::Span, "class") => {
                for class in value.split_ascii_whitespace() {
                    let mfm = (el == El::Span)
                        .then(|| MFM_CLASSES.iter().find(|c| **c == class))
                        .flatten();
                    if let Some(allowed) = ALLOWED_CLASSES.iter().find(|c| **c == class).or(mfm)
                        && !filtered.classes.contains(allowed)
                    {
                        filtered.classes.push(allowed);
                    }
                }
            }
            (El::Span, name) if name.starts_with("data-mfm-") => {
                filtered.mfm.extend(mfm_argument(name, value));
            }
            (El::Ol, "start") => filtered.start = value.trim().parse().ok(),
            _ => {}
        }
    }
    filtered
}

/// Plain text as paragraphs and lines, like Mastodon (Rails' `simple_format`): a blank line
/// (or one of only spaces and tabs) ends a paragraph, a single newline is a `<br>`.
pub(crate) fn plain_tokens(text: &str) -> Vec<Tok> {
    let mut tokens = Vec::new();
    let mut in_paragraph = false;
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        // A lone `\r` is an old Mac line break.
        for line in line.split('\r') {
            if line.trim_matches([' ', '\t']).is_empty() {
                if in_paragraph {
                    tokens.push(Tok::Close(El::P));
                    in_paragraph = false;
                }
                continue;
            }
            if in_paragraph {
                tokens.push(Tok::Br);
            } else {
                tokens.push(Tok::Open(El::P, Attrs::default()));
                in_paragraph = true;
            }
            tokens.push(Tok::Text(line.to_owned()));
        }
    }
    if in_paragraph {
        tokens.push(Tok::Close(El::P));
    }
    tokens
}

/// Output so far: HTML, with mentions left as placeholders until all of them are known (the
/// name a mention shows depends on the other mentions).
enum Segment {
    Html(String),
    Mention { mention: MentionRef, source: String },
}

/// An element [`emit`] has open; a link with an unsafe `href` is open but written as nothing,
/// so that its text stays.
struct Frame {
    el: El,
    close: &'static str,
    counts_as_link: bool,
}

/// Writes tokens as safe HTML; with a `linker`, also links URLs, mentions and hashtags in text
/// outside links and code.
pub(crate) fn emit(tokens: &[Tok], linker: Option<Linker<'_>>) -> Rendered {
    let mut out = Emitter {
        segments: Vec::new(),
        buf: String::new(),
        stack: Vec::new(),
        links_open: 0,
        code_open: 0,
        linker,
        extracted: Collector::default(),
    };
    for (i, token) in tokens.iter().enumerate() {
        match token {
            Tok::Open(el, attrs) => out.open(*el, attrs),
            Tok::Close(el) => out.close(*el),
            Tok::Br => out.buf.push_str("<br>"),
            Tok::Space => {
                if separates_text(tokens, i) {
                    out.text(" ");
                }
            }
            Tok::Text(text) => {
                let layout_only = text.chars().all(|c| c.is_ascii_whitespace())
                    && is_block_boundary(i.checked_sub(1).and_then(|p| tokens.get(p)))
                    && is_block_boundary(tokens.get(i + 1));
                if layout_only {
                    continue;
                }
                // A browser drops a newline right after `<pre>`; keep the one that was there.
                let after_pre = i > 0 && matches!(tokens[i - 1], Tok::Open(El::Pre, _));
                if after_pre && text.starts_with('\n') {
                    out.buf.push('\n');
                }
                out.text(text);
            }
        }
    }
    while let Some(frame) = out.stack.pop() {
        out.buf.push_str(frame.close);
    }
    out.finish()
}

/// Whether the [`Tok::Space`] at `i` is the first of its run and stands between text that
/// has no whitespace of its own at that side.
fn separates_text(tokens: &[Tok], i: usize) -> bool {
    if i > 0 && tokens[i - 1] == Tok::Space {
        return false;
    }
    let before = tokens[..i].iter().rev().find(|t| **t != Tok::Space);
    let after = tokens[i + 1..].iter().find(|t| **t != Tok::Space);
    let open_side = |token: Option<&Tok>, at_end: bool| match token {
        None | Some(Tok::Br) => false,
        Some(Tok::Text(text)) => {
            let edge = if at_end {
                text.chars().next_back()
            } else {
                text.chars().next()
            };
            !edge.is_some_and(char::is_whitespace)
        }
        // Text continues after an inline element closes, or into one that opens.
        Some(Tok::Close(el)) => at_end && !el.is_block(),
        Some(Tok::Open(el, _)) => !at_end && !el.is_block(),
        Some(Tok::Space) => false,
    };
    open_side(before, true) && open_side(after, false)
}

fn is_block_boundary(token: Option<&Tok>) -> bool {
    match token {
        None => true,
        Some(Tok::Open(el, _) | Tok::Close(el)) => el.is_block(),
        Some(_) => false,
    }
}

struct Emitter<'l> {
    segments: Vec<Segment>,
    buf: String,
    stack: Vec<Frame>,
    links_open: usize,
    code_open: usize,
    linker: Option<Linker<'l>>,
    extracted: Collector,
}

impl Emitter<'_> {
    fn open(&mut self, el: El, attrs: &Attrs) {
        let (open, close) = el.markup();
        let mut counts_as_link = false;
        let close = match el {
            El::A => match attrs.href.as_deref().filter(|href| is_web_url(href)) {
                Some(href) => {
                    self.buf.push_str("<a href=\"");
                    escape_into(&mut self.buf, href);
                    self.buf.push('"');
                    self.write_classes(&attrs.classes);
                    self.buf.push_str(" rel=\"");
                    self.buf.push_str(LINK_REL);
                    self.buf.push_str("\" target=\"_blank\">");
                    counts_as_link = true;
                    if self.linker.is_some() {
                        // A link the author wrote is one of the post's URLs (preview cards).
                        self.extracted.add(&EntityKind::Url, href);
                    }
                    close
                }
                // Like Mastodon, a link we cannot allow becomes its text.
                None => "",
            },
            El::Span => {
                self.buf.push_str("<span");
                self.write_classes(&attrs.classes);
                for (name, value) in &attrs.mfm {
                    self.buf.push(' ');
                    self.buf.push_str(name);
                    self.buf.push_str("=\"");
                    escape_into(&mut self.buf, value);
                    self.buf.push('"');
                }
                self.buf.push('>');
                close
            }
            El::Ol => {
                self.buf.push_str("<ol");
                if let Some(start) = attrs.start {
                    self.buf.push_str(&format!(" start=\"{start}\""));
                }
                self.buf.push('>');
                close
            }
            _ => {
                self.buf.push_str(open);
                close
            }
        };
        if counts_as_link {
            self.links_open += 1;
        }
        if matches!(el, El::Code | El::Pre) {
            self.code_open += 1;
        }
        self.stack.push(Frame {
            el,
            close,
            counts_as_link,
        });
    }

    /// Closes `el` and anything left open inside it; a stray closing tag is ignored.
    fn close(&mut self, el: El) {
        let Some(index) = self.stack.iter().rposition(|frame| frame.el == el) else {
            return;
        };
        while self.stack.len() > index {
            let Some(frame) = self.stack.pop() else {
                break;
            };
            self.buf.push_str(frame.close);
            if frame.counts_as_link {
                self.links_open -= 1;
            }
            if matches!(frame.el, El::Code | El::Pre) {
                self.code_open -= 1;
            }
        }
    }

    fn write_classes(&mut self, classes: &[&'static str]) {
        if !classes.is_empty() {
            self.buf.push_str(" class=\"");
            self.buf.push_str(&classes.join(" "));
            self.buf.push('"');
        }
    }

    fn text(&mut self, text: &str) {
        let Some(linker) = self
            .linker
            .as_ref()
            .filter(|_| self.links_open == 0 && self.code_open == 0)
        else {
            escape_into(&mut self.buf, text);
            return;
        };
        let mut last = 0;
        for entity in scan::scan(text) {
            let source = &text[entity.start..entity.end];
            escape_into(&mut self.buf, &text[last..entity.start]);
            last = entity.end;
            self.extracted.add(&entity.kind, source);
            match entity.kind {
                EntityKind::Url => write_url_link(&mut self.buf, source),
                EntityKind::Hashtag(tag) => {
                    let href = (linker.tag_url)(&tag);
                    if is_local_or_web_url(&href) {
                        self.buf.push_str("<a href=\"");
                        escape_into(&mut self.buf, &href);
                        self.buf
                            .push_str("\" class=\"mention hashtag\" rel=\"tag\">#<span>");
                        escape_into(&mut self.buf, &tag);
                        self.buf.push_str("</span></a>");
                    } else {
                        escape_into(&mut self.buf, source);
                    }
                }
                EntityKind::Mention(mention) => {
                    let html = std::mem::take(&mut self.buf);
                    self.segments.push(Segment::Html(html));
                    self.segments.push(Segment::Mention {
                        mention,
                        source: source.to_owned(),
                    });
                }
            }
        }
        escape_into(&mut self.buf, &text[last..]);
    }

    /// Resolves each distinct mention once and writes the placeholders.
    fn finish(mut self) -> Rendered {
        let html = std::mem::take(&mut self.buf);
        self.segments.push(Segment::Html(html));
        let mut lookups: HashMap<MentionKey, Resolved> = HashMap::new();
        let mut resolved: Vec<Resolved> = Vec::new();
        let mut accts: HashSet<String> = HashSet::new();
        if let Some(linker) = &self.linker {
            for mention in self.extracted.mentions() {
                if let Some(found) = (linker.resolve)(mention)
                    && is_local_or_web_url(&found.url)
                {
                    if accts.insert(found.acct.to_lowercase()) {
                        resolved.push(found.clone());
                    }
                    lookups.insert(mention.key(), found);
                }
            }
        }
        // Mastodon shows `user@domain` instead of `user` when two mentioned accounts share it.
        let mut namesakes: HashMap<String, usize> = HashMap::new();
        for found in &resolved {
            *namesakes
                .entry(username_of(&found.acct).to_lowercase())
                .or_default() += 1;
        }
        let mut html = String::new();
        for segment in self.segments {
            match segment {
                Segment::Html(part) => html.push_str(&part),
                Segment::Mention { mention, source } => match lookups.get(&mention.key()) {
                    Some(found) => {
                        let user = username_of(&found.acct);
                        let shown = if user.is_empty() {
                            mention.username.as_str()
                        } else if namesakes.get(&user.to_lowercase()).copied().unwrap_or(0) > 1 {
                            found.acct.as_str()
                        } else {
                            user
                        };
                        html.push_str("<span class=\"h-card\"><a href=\"");
                        escape_into(&mut html, &found.url);
                        html.push_str("\" class=\"u-url mention\">@<span>");
                        escape_into(&mut html, shown);
                        html.push_str("</span></a></span>");
                    }
                    None => escape_into(&mut html, &source),
                },
            }
        }
        Rendered {
            html,
            extracted: self.extracted.finish(),
            resolved,
        }
    }
}

/// The `user` of a `user` or `user@domain`.
fn username_of(acct: &str) -> &str {
    acct.split('@').next().unwrap_or_default()
}

/// Mastodon's shortened link: the scheme (and `www.`) hidden, 30 characters shown, the rest
/// hidden behind an ellipsis; copying the text still copies the whole URL.
fn write_url_link(out: &mut String, url: &str) {
    const SHOWN_CHARS: usize = 30;
    let prefix_len = ["https://www.", "http://www.", "https://", "http://"]
        .iter()
        .find(|prefix| {
            url.get(..prefix.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
        })
        .map_or(0, |prefix| prefix.len());
    let (prefix, rest) = url.split_at(prefix_len);
    let cut = rest
        .char_indices()
        .nth(SHOWN_CHARS)
        .map_or(rest.len(), |(i, _)| i);
    let (shown, hidden) = rest.split_at(cut);
    out.push_str("<a href=\"");
    escape_into(out, url);
    out.push_str("\" rel=\"");
    out.push_str(LINK_REL);
    out.push_str("\" target=\"_blank\"><span class=\"invisible\">");
    escape_into(out, prefix);
    out.push_str(if hidden.is_empty() {
        "</span><span>"
    } else {
        "</span><span class=\"ellipsis\">"
    });
    escape_into(out, shown);
    out.push_str("</span><span class=\"invisible\">");
    escape_into(out, hidden);
    out.push_str("</span></a>");
}

/// An absolute `http`/`https` URL: the only links we let anyone write.
fn is_web_url(href: &str) -> bool {
    url::Url::parse(href).is_ok_and(|url| matches!(url.scheme(), "http" | "https"))
}

/// What our own callbacks may link to: a web URL or a path on this server (not `//host`).
fn is_local_or_web_url(href: &str) -> bool {
    is_web_url(href)
        || (href.starts_with('/') && !href.starts_with("//") && !href.starts_with("/\\"))
}

/// Escapes text or an attribute value (always written double-quoted), as Rails' `h` does.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    let mut last = 0;
    for (i, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[last..i]);
        out.push_str(entity);
        last = i + 1;
    }
    out.push_str(&text[last..]);
}

/// Reads the normalised serialisation `ammonia` writes (never arbitrary HTML): text up to the
/// next `<`, tags with double-quoted attributes. Anything unexpected is read as text, which
/// [`emit`] escapes.
fn read_normalised(html: &str) -> Vec<Raw> {
    let mut tokens = Vec::new();
    let mut text = String::new();
    let mut pos = 0;
    while pos < html.len() {
        let rest = &html[pos..];
        if !rest.starts_with('<') {
            let end = rest.find('<').map_or(html.len(), |i| pos + i);
            decode_entities_into(&mut text, &html[pos..end]);
            pos = end;
            continue;
        }
        let Some((token, next)) = read_tag(html, pos) else {
            text.push('<');
            pos += 1;
            continue;
        };
        pos = next;
        let Some(token) = token else { continue };
        if !text.is_empty() {
            tokens.push(Raw::Text(std::mem::take(&mut text)));
        }
        tokens.push(token);
    }
    if !text.is_empty() {
        tokens.push(Raw::Text(text));
    }
    tokens
}

/// The tag at `html[start..]` (which starts with `<`) and the position after it; `Some(None)`
/// for a comment or declaration, skipped.
fn read_tag(html: &str, start: usize) -> Option<(Option<Raw>, usize)> {
    let bytes = html.as_bytes();
    let mut pos = start + 1;
    if html[pos..].starts_with("!--") {
        let end = html[pos..].find("-->").map_or(html.len(), |i| pos + i + 3);
        return Some((None, end));
    }
    if html[pos..].starts_with('!') || html[pos..].starts_with('?') {
        let end = html[pos..].find('>').map_or(html.len(), |i| pos + i + 1);
        return Some((None, end));
    }
    let closing = bytes.get(pos) == Some(&b'/');
    if closing {
        pos += 1;
    }
    let name_start = pos;
    while pos < bytes.len() && (bytes[pos].is_ascii_alphanumeric() || bytes[pos] == b'-') {
        pos += 1;
    }
    if pos == name_start || !bytes[name_start].is_ascii_alphabetic() {
        return None;
    }
    let name = html[name_start..pos].to_ascii_lowercase();
    if closing {
        let end = html[pos..].find('>').map_or(html.len(), |i| pos + i + 1);
        return Some((Some(Raw::End { name }), end));
    }
    let mut attrs = Vec::new();
    loop {
        while pos < bytes.len() && (bytes[pos].is_ascii_whitespace() || bytes[pos] == b'/') {
            pos += 1;
        }
        match bytes.get(pos) {
            None => break,
            Some(b'>') => {
                pos += 1;
                break;
            }
            Some(_) => {}
        }
        let attr_start = pos;
        while pos < bytes.len() && !matches!(bytes[pos], b'=' | b'>' | b'/') {
            if bytes[pos].is_ascii_whitespace() {
                break;
            }
            pos += 1;
        }
        let attr_name = html[attr_start..pos].to_ascii_lowercase();
        let mut value = String::new();
        if bytes.get(pos) == Some(&b'=') {
            pos += 1;
            let quote = bytes
                .get(pos)
                .copied()
                .filter(|q| matches!(q, b'"' | b'\''));
            let value_end = match quote {
                Some(q) => {
                    pos += 1;
                    let end = html[pos..]
                        .find(char::from(q))
                        .map_or(html.len(), |i| pos + i);
                    decode_entities_into(&mut value, &html[pos..end]);
                    (end + 1).min(html.len())
                }
                None => {
                    let end = html[pos..]
                        .find(|c: char| c.is_ascii_whitespace() || c == '>')
                        .map_or(html.len(), |i| pos + i);
                    decode_entities_into(&mut value, &html[pos..end]);
                    end
                }
            };
            pos = value_end;
        }
        if attr_name.is_empty() {
            // A value without a name (`="x"`): its `=` and value were stepped over above.
            continue;
        }
        attrs.push((attr_name, value));
    }
    Some((Some(Raw::Start { name, attrs }), pos))
}

/// Decodes the character references the serialiser writes (`&amp;`, `&lt;`, `&gt;`, `&quot;`,
/// `&nbsp;`) and numeric ones; anything else stays as written.
fn decode_entities_into(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = (|| {
            // The longest reference decoded here is `&#x10FFFF;`.
            let semi = rest.bytes().take(12).position(|b| b == b';')?;
            let name = &rest[1..semi];
            let c = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => '\u{A0}',
                _ => {
                    let number = name.strip_prefix('#')?;
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => number.parse().ok()?,
                    };
                    char::from_u32(code)
                        .filter(|c| *c != '\0')
                        .unwrap_or('\u{FFFD}')
                }
            };
            Some((c, semi + 1))
        })();
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

/// Plain text of any HTML; see [`super::html_to_text`].
pub(crate) fn to_text(html: &str) -> String {
    let normalised = TEXT_ONLY.clean(&limit_nesting(html)).to_string();
    lay_out(read_normalised(&normalised), |_| true)
}

/// Plain text of HTML this module wrote (a stored status's content): already normalised and
/// free of scripts and styles, so the second parse [`to_text`] needs is skipped — it costs more
/// than the rest of rendering a status. Elements [`TEXT_ONLY`] would have unwrapped are
/// skipped here instead.
pub(crate) fn stored_to_text(html: &str) -> String {
    lay_out(read_normalised(html), |name| TEXT_SHAPING.contains(name))
}

fn lay_out(tokens: Vec<Raw>, shapes_text: impl Fn(&str) -> bool) -> String {
    let mut out = TextOut::default();
    let mut pre_depth = 0usize;
    for raw in tokens {
        match raw {
            Raw::Text(text) => out.text(&text, pre_depth > 0),
            Raw::Start { name, .. } | Raw::End { name } if !shapes_text(&name) => {}
            Raw::Start { name, .. } | Raw::End { name } if name == "br" => out.line_break(),
            Raw::Start { name, .. } => {
                if name == "pre" {
                    pre_depth += 1;
                }
                out.block(&name);
            }
            Raw::End { name } => {
                if name == "pre" {
                    pre_depth = pre_depth.saturating_sub(1);
                }
                out.block(&name);
            }
        }
    }
    out.out.truncate(out.out.trim_end().len());
    out.out
}

/// Plain text being laid out: breaks between blocks are only written once text follows, so
/// there are none at the start or end and never more than a block asks for.
#[derive(Default)]
struct TextOut {
    out: String,
    pending_newlines: usize,
    pending_space: bool,
}

impl TextOut {
    fn block(&mut self, name: &str) {
        let newlines = match name {
            "li" | "ul" | "ol" | "tr" | "dt" | "dd" => 1,
            "td" | "th" => {
                self.pending_space = true;
                return;
            }
            _ => 2,
        };
        self.pending_newlines = self.pending_newlines.max(newlines);
        self.pending_space = false;
    }

    fn line_break(&mut self) {
        if self.out.is_empty() {
            return;
        }
        self.flush();
        self.trim_trailing_spaces();
        self.out.push('\n');
        self.pending_space = false;
    }

    fn text(&mut self, text: &str, preformatted: bool) {
        for c in text.chars() {
            if !preformatted && c.is_ascii_whitespace() {
                self.pending_space = true;
                continue;
            }
            self.flush();
            self.out.push(c);
        }
    }

    fn flush(&mut self) {
        if self.out.is_empty() {
            self.pending_newlines = 0;
            self.pending_space = false;
            return;
        }
        if self.pending_newlines > 0 {
            self.trim_trailing_spaces();
            let present = self.out.len() - self.out.trim_end_matches('\n').len();
            for _ in present..self.pending_newlines {
                self.out.push('\n');
            }
        } else if self.pending_space && !self.out.ends_with(['\n', ' ']) {
            self.out.push(' ');
        }
        self.pending_newlines = 0;
        self.pending_space = false;
    }

    fn trim_trailing_spaces(&mut self) {
        let kept = self.out.trim_end_matches([' ', '\t']).len();
        self.out.truncate(kept);
    }
}
