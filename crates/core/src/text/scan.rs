//! Finding URLs, mentions and hashtags in plain text, by Mastodon's rules.
//!
//! URLs come first (from `linkify`, which gets trailing punctuation and parentheses right), and
//! e-mail addresses are found with them: nothing inside either can be a mention or a hashtag.
//! Mentions and hashtags are then scanned by hand rather than with regular expressions, which
//! keeps the Unicode classes explicit and the scan linear on any input.

use std::ops::Range;

use linkify::{LinkFinder, LinkKind};
use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};

use super::MentionRef;

/// What was found at a span of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EntityKind {
    /// An `http`/`https` URL: the span's text.
    Url,
    Mention(MentionRef),
    /// The tag without its `#`.
    Hashtag(String),
}

/// One entity at byte offsets `start..end` of the scanned text (the `@` or `#` included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entity {
    pub start: usize,
    pub end: usize,
    pub kind: EntityKind,
}

/// Every entity of `text`, in order, never overlapping.
pub(crate) fn scan(text: &str) -> Vec<Entity> {
    let (mut entities, blocked) = links(text);
    if text.contains(['@', '#', '＃']) {
        entities.extend(mentions_and_hashtags(text, &blocked));
        entities.sort_by_key(|e| e.start);
    }
    entities
}

/// `[[:word:]]` as Ruby (Onigmo) has it: letters, marks, decimal digits, connector punctuation.
pub(crate) fn is_word(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    matches!(
        c.general_category_group(),
        GeneralCategoryGroup::Letter | GeneralCategoryGroup::Mark
    ) || matches!(
        c.general_category(),
        GeneralCategory::DecimalNumber | GeneralCategory::ConnectorPunctuation
    )
}

/// A letter or a combining mark: what a hashtag needs at least one of.
fn is_alpha(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    matches!(
        c.general_category_group(),
        GeneralCategoryGroup::Letter | GeneralCategoryGroup::Mark
    )
}

/// Characters Mastodon lets join the words of a hashtag besides `_`: the middle dots (Catalan
/// `#l·l`, Japanese `・`) and the zero-width non-joiner that Persian spelling needs.
fn is_hashtag_separator(c: char) -> bool {
    matches!(c, '\u{00B7}' | '\u{30FB}' | '\u{200C}')
}

/// Accented Latin letters: a mention followed by one is a misread word (`@josé`), not `@jos`.
fn is_latin_accent(c: char) -> bool {
    matches!(c, '\u{00C0}'..='\u{00D6}' | '\u{00D8}'..='\u{00F6}' | '\u{00F8}'..='\u{024F}'
        | '\u{0300}'..='\u{036F}' | '\u{1E00}'..='\u{1EFF}')
}

/// The `http`/`https` URLs as entities, and the spans (URLs of any scheme and e-mail
/// addresses) in which no mention or hashtag may start or end.
fn links(text: &str) -> (Vec<Entity>, Vec<Range<usize>>) {
    let mut entities = Vec::new();
    let mut blocked = Vec::new();
    if !text.contains([':', '@']) {
        return (entities, blocked);
    }
    let mut finder = LinkFinder::new();
    finder.kinds(&[LinkKind::Url, LinkKind::Email]);
    for link in finder.links(text) {
        let (start, end) = (link.start(), link.end());
        if *link.kind() == LinkKind::Url
            && let Some(url_start) = http_url_start(text, start, end)
        {
            entities.push(Entity {
                start: url_start,
                end,
                kind: EntityKind::Url,
            });
            blocked.push(url_start..end);
        } else if *link.kind() == LinkKind::Email && text[..start].ends_with('@') {
            // `bob@example.org` in `@bob@example.org` is the second half of a mention.
        } else {
            blocked.push(start..end);
        }
    }
    (entities, blocked)
}

/// Where the `http`/`https` URL within `linkify`'s match `start..end` begins, if it is one.
///
/// `linkify` takes any run of scheme characters before `://` as the scheme, so `see.https://…`
/// has scheme `see.https`; a scheme ending in `http` or `https` after a non-alphanumeric
/// character is such a URL glued to the word before it.
fn http_url_start(text: &str, start: usize, end: usize) -> Option<usize> {
    let link = &text[start..end];
    let colon = link.find("://")?;
    let scheme = &link[..colon];
    let lower = scheme.to_ascii_lowercase();
    let url_start = if lower == "http" || lower == "https" {
        start
    } else {
        let suffix = if lower.ends_with("https") {
            5
        } else if lower.ends_with("http") {
            4
        } else {
            return None;
        };
        let before = scheme[..scheme.len() - suffix].chars().next_back()?;
        if before.is_ascii_alphanumeric() {
            return None;
        }
        start + scheme.len() - suffix
    };
    let parsed = url::Url::parse(&text[url_start..end]).ok()?;
    let has_host = parsed.host_str().is_some_and(|h| !h.is_empty());
    (matches!(parsed.scheme(), "http" | "https") && has_host).then_some(url_start)
}

/// Mentions and hashtags outside the `blocked` spans (sorted, disjoint).
fn mentions_and_hashtags(text: &str, blocked: &[Range<usize>]) -> Vec<Entity> {
    let mut found = Vec::new();
    let mut next_blocked = 0;
    let mut pos = 0;
    while pos < text.len() {
        let Some(offset) = text[pos..].find(['@', '#', '＃']) else {
            break;
        };
        let at = pos + offset;
        while next_blocked < blocked.len() && blocked[next_blocked].end <= at {
            next_blocked += 1;
        }
        let limit = match blocked.get(next_blocked) {
            Some(range) if range.start <= at => {
                // Inside a URL or an address: skip past it.
                pos = range.end;
                continue;
            }
            Some(range) => range.start,
            None => text.len(),
        };
        let trigger_len = if text[at..].starts_with('＃') { 3 } else { 1 };
        let entity = if text.as_bytes()[at] == b'@' {
            mention_at(text, at, limit)
        } else {
            hashtag_at(text, at, trigger_len, limit)
        };
        match entity {
            Some(entity) => {
                pos = entity.end;
                found.push(entity);
            }
            None => pos = at + trigger_len,
        }
    }
    found
}

/// A mention starting with the `@` at byte `at` and ending at or before `limit`, by Mastodon's
/// `MENTION_RE`: not after a word character, `=` or `/` (so `user@example.org` is an address),
/// a username of ASCII letters, digits and `_` (with `.` or `-` inside, which remote servers
/// allow), then optionally `@` and a domain of word characters, `.` and `-`. It is no mention if
/// followed by another `@`, by `://` or by an accented letter.
fn mention_at(text: &str, at: usize, limit: usize) -> Option<Entity> {
    if let Some(prev) = text[..at].chars().next_back()
        && (is_word(prev) || prev == '=' || prev == '/')
    {
        return None;
    }
    let bytes = text.as_bytes();
    let user_start = at + 1;
    let mut user_end = user_start;
    while user_end < limit
        && (bytes[user_end].is_ascii_alphanumeric()
            || matches!(bytes[user_end], b'_' | b'.' | b'-'))
    {
        user_end += 1;
    }
    // Must start and end with a letter, digit or `_`: `@alice.` is `@alice` and a full stop.
    while user_end > user_start && matches!(bytes[user_end - 1], b'.' | b'-') {
        user_end -= 1;
    }
    if user_end == user_start || matches!(bytes[user_start], b'.' | b'-') {
        return None;
    }
    let mut end = user_end;
    let mut domain = None;
    if text[end..limit].starts_with('@') {
        let domain_start = end + 1;
        let mut domain_end = domain_start;
        for (i, c) in text[domain_start..limit].char_indices() {
            if is_word(c) || c == '.' || c == '-' {
                domain_end = domain_start + i + c.len_utf8();
            } else {
                break;
            }
        }
        while domain_end > domain_start && matches!(bytes[domain_end - 1], b'.' | b'-') {
            domain_end -= 1;
        }
        // A port, as development and test instances have (`@alice@localhost:3000`).
        if text[domain_end..limit].starts_with(':') {
            let digits = text[domain_end + 1..limit]
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
            if (1..=5).contains(&digits) {
                domain_end += 1 + digits;
            }
        }
        let first = text[domain_start..domain_end].chars().next();
        if first.is_some_and(is_word) {
            domain = Some(text[domain_start..domain_end].to_owned());
            end = domain_end;
        }
    }
    let after = &text[end..];
    if after.starts_with('@') || after.starts_with("://") {
        return None;
    }
    if after.chars().next().is_some_and(is_latin_accent) {
        return None;
    }
    // A mention running straight into a URL or an address is part of neither.
    if end == limit && limit < text.len() {
        return None;
    }
    Some(Entity {
        start: at,
        end,
        kind: EntityKind::Mention(MentionRef {
            username: text[user_start..user_end].to_owned(),
            domain,
        }),
    })
}

/// A hashtag starting with the `#` (or fullwidth `＃`) at byte `at`, by Mastodon's
/// `HASHTAG_RE`: not after a word character, `/`, `)` or `&` (URL fragments, `&#39;`), then
/// word characters of any script, `_` and the joining separators, starting with a word
/// character. It must hold a letter, or a separator between other characters (`#1_000`), so
/// `#2024` is not a tag.
fn hashtag_at(text: &str, at: usize, trigger_len: usize, limit: usize) -> Option<Entity> {
    if let Some(prev) = text[..at].chars().next_back()
        && (is_word(prev) || matches!(prev, '/' | ')' | '&'))
    {
        return None;
    }
    let name_start = at + trigger_len;
    let mut name_end = name_start;
    for (i, c) in text[name_start..].char_indices() {
        if is_word(c) || is_hashtag_separator(c) {
            name_end = name_start + i + c.len_utf8();
        } else {
            break;
        }
    }
    while let Some(last) = text[name_start..name_end].chars().next_back() {
        if is_hashtag_separator(last) {
            name_end -= last.len_utf8();
        } else {
            break;
        }
    }
    if name_end > limit || (name_end == limit && limit < text.len()) {
        return None;
    }
    let name = &text[name_start..name_end];
    let chars: Vec<char> = name.chars().collect();
    let first = *chars.first()?;
    if !is_word(first) {
        return None;
    }
    let has_letter = chars.iter().copied().any(is_alpha);
    let inner_separator = chars.len() >= 3
        && chars[1..chars.len() - 1]
            .iter()
            .any(|&c| c == '_' || is_hashtag_separator(c));
    if !has_letter && !inner_separator {
        return None;
    }
    Some(Entity {
        start: at,
        end: name_end,
        kind: EntityKind::Hashtag(name.to_owned()),
    })
}
