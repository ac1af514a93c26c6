//! Lenient readers for the shapes ActivityStreams lets one property take.
//!
//! JSON-LD compaction means any property may be a single value or an array, any reference may
//! be a bare IRI or an embedded object, and `null` may stand for "absent". Every reader here
//! answers `None` (or an empty list) for a shape it does not understand instead of failing,
//! so that one odd property never costs the whole document.

use std::slice;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{Map, Value};
use url::Url;

use super::{is_public, public_collection};

/// Longest type name kept in an `Unknown` variant or an error; the rest is cut off. Such
/// names only end up in logs, and an attacker could otherwise make them megabytes long.
pub(crate) const MAX_NAME_LEN: usize = 128;

/// A JSON object, read leniently.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Node<'a>(&'a Map<String, Value>);

impl<'a> Node<'a> {
    /// The object in `value`, if it is one.
    pub(crate) fn of(value: &'a Value) -> Option<Self> {
        value.as_object().map(Node)
    }

    /// A property; `null` counts as absent.
    pub(crate) fn get(self, key: &str) -> Option<&'a Value> {
        self.0.get(key).filter(|value| !value.is_null())
    }

    /// A string property.
    pub(crate) fn text(self, key: &str) -> Option<&'a str> {
        self.get(key).and_then(Value::as_str)
    }

    /// A natural-language property: `key` itself, or else the first entry of its language map
    /// (`nameMap`, `summaryMap`), which some servers send alone.
    pub(crate) fn natural_text(self, key: &str, map_key: &str) -> Option<&'a str> {
        self.text(key).or_else(|| {
            self.get(map_key)
                .and_then(Value::as_object)
                .and_then(|map| map.values().find_map(Value::as_str))
        })
    }

    /// A nested object property.
    pub(crate) fn node(self, key: &str) -> Option<Node<'a>> {
        self.get(key).and_then(Node::of)
    }

    /// Every object in a property that may hold one object or an array of them; other
    /// entries (strings, numbers) are skipped.
    pub(crate) fn nodes(self, key: &str) -> impl Iterator<Item = Node<'a>> {
        one_or_many(self.get(key)).filter_map(Node::of)
    }

    /// The document's own id (`id`, or the JSON-LD keyword `@id`), as an http(s) URL.
    pub(crate) fn id(self) -> Option<Url> {
        self.text("id")
            .or_else(|| self.text("@id"))
            .and_then(http_url)
    }

    /// A reference to another document: an IRI, an embedded object's id, or the first usable
    /// entry of an array of those.
    pub(crate) fn reference(self, key: &str) -> Option<Url> {
        self.get(key).and_then(reference)
    }

    /// Every usable reference in a property.
    pub(crate) fn references(self, key: &str) -> Vec<Url> {
        one_or_many(self.get(key))
            .filter_map(|value| match value {
                Value::Array(_) => None,
                other => reference(other),
            })
            .collect()
    }

    /// An addressing property (`to`, `cc`): like [`Node::references`], but every spelling of
    /// the Public collection is reported as the full [`super::PUBLIC`] IRI.
    pub(crate) fn addresses(self, key: &str) -> Vec<Url> {
        one_or_many(self.get(key))
            .filter_map(|value| match value {
                Value::String(text) if is_public(text) => Some(public_collection().clone()),
                Value::Array(_) => None,
                other => reference(other),
            })
            .collect()
    }

    /// A boolean, also accepted as the strings `"true"` and `"false"`.
    pub(crate) fn flag(self, key: &str) -> Option<bool> {
        match self.get(key)? {
            Value::Bool(flag) => Some(*flag),
            Value::String(text) => text.parse().ok(),
            _ => None,
        }
    }

    /// A non-negative count, also accepted as a float or a numeric string.
    pub(crate) fn count(self, key: &str) -> Option<u64> {
        match self.get(key)? {
            Value::Number(number) => number.as_u64().or_else(|| {
                // `as` saturates, and NaN and negatives are excluded first.
                number
                    .as_f64()
                    .filter(|n| n.is_finite() && *n >= 0.0)
                    .map(|n| n as u64)
            }),
            Value::String(text) => text.trim().parse().ok(),
            _ => None,
        }
    }

    /// A pixel dimension (`width`, `height`).
    pub(crate) fn dimension(self, key: &str) -> Option<u32> {
        self.count(key).and_then(|n| u32::try_from(n).ok())
    }

    /// A timestamp (`published`, `updated`, `endTime`).
    pub(crate) fn time(self, key: &str) -> Option<DateTime<Utc>> {
        self.text(key).and_then(parse_time)
    }

    /// The media type of a Link or Document: `mediaType`, or PeerTube's older `mimeType`.
    pub(crate) fn media_type(self) -> Option<&'a str> {
        self.text("mediaType").or_else(|| self.text("mimeType"))
    }

    /// The type names (`type` or `@type`, one or many), with ActivityStreams prefixes removed.
    pub(crate) fn type_names(self) -> Vec<&'a str> {
        one_or_many(self.get("type").or_else(|| self.get("@type")))
            .filter_map(Value::as_str)
            .map(short_type)
            .collect()
    }

    /// Whether one of the type names is `name`.
    pub(crate) fn has_type(self, name: &str) -> bool {
        self.type_names().contains(&name)
    }
}

/// The values of a property that may be absent, a single value or an array.
pub(crate) fn one_or_many(value: Option<&Value>) -> slice::Iter<'_, Value> {
    match value {
        None | Some(Value::Null) => [].iter(),
        Some(Value::Array(items)) => items.iter(),
        Some(single) => slice::from_ref(single).iter(),
    }
}

/// A reference: an IRI, the id of an embedded object (or the `href` of a Link), or the first
/// usable entry of an array. Arrays of arrays are not looked into.
pub(crate) fn reference(value: &Value) -> Option<Url> {
    match value {
        Value::String(text) => http_url(text),
        Value::Object(map) => {
            let node = Node(map);
            node.id().or_else(|| node.text("href").and_then(http_url))
        }
        Value::Array(items) => items
            .iter()
            .filter(|item| !item.is_array())
            .find_map(reference),
        _ => None,
    }
}

/// `text` as an absolute http(s) URL. Anything else (`javascript:`, `data:`, relative paths,
/// compact IRIs) is refused: Rhizome can neither fetch such a link nor show it safely.
pub(crate) fn http_url(text: &str) -> Option<Url> {
    let url = Url::parse(text.trim()).ok()?;
    let fetchable = matches!(url.scheme(), "http" | "https") && url.host().is_some();
    fetchable.then_some(url)
}

/// A type name without its ActivityStreams prefix: `as:Note` and the full IRI both give `Note`.
pub(crate) fn short_type(name: &str) -> &str {
    [
        "https://www.w3.org/ns/activitystreams#",
        "http://www.w3.org/ns/activitystreams#",
        "as:",
    ]
    .iter()
    .find_map(|prefix| name.strip_prefix(prefix))
    .unwrap_or(name)
}

/// A timestamp in RFC 3339 (what everyone means to send), or without an offset (taken as UTC,
/// which is what the few servers that omit it mean).
pub(crate) fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|time| time.and_utc())
        })
}

/// Whether two media types name the same thing, ignoring case and parameters
/// (`text/html; charset=utf-8` is `text/html`).
pub(crate) fn same_media_type(left: &str, right: &str) -> bool {
    let essence = |media_type: &str| media_type.split(';').next().unwrap_or("").trim().to_owned();
    essence(left).eq_ignore_ascii_case(&essence(right))
}

/// `name` cut to [`MAX_NAME_LEN`] bytes on a character boundary.
pub(crate) fn bounded_name(name: &str) -> String {
    if name.len() <= MAX_NAME_LEN {
        return name.to_owned();
    }
    let mut end = MAX_NAME_LEN;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn public_is_recognised_in_every_spelling() {
        let doc = json!({"to": ["as:Public", "Public", crate::vocab::PUBLIC, "https://a.test/f"]});
        let node = Node::of(&doc).unwrap();
        let to = node.addresses("to");
        assert_eq!(to.len(), 4);
        assert!(to[..3].iter().all(|url| url == public_collection()));
    }

    #[test]
    fn references_accept_strings_objects_links_and_arrays() {
        let doc = json!({
            "a": "https://a.test/1",
            "b": {"id": "https://a.test/2", "type": "Person"},
            "c": {"type": "Link", "href": "https://a.test/3"},
            "d": [null, 5, "not a url", "https://a.test/4"],
            "e": "javascript:alert(1)",
            "f": [[["https://a.test/5"]]]
        });
        let node = Node::of(&doc).unwrap();
        assert_eq!(node.reference("a").unwrap().as_str(), "https://a.test/1");
        assert_eq!(node.reference("b").unwrap().as_str(), "https://a.test/2");
        assert_eq!(node.reference("c").unwrap().as_str(), "https://a.test/3");
        assert_eq!(node.reference("d").unwrap().as_str(), "https://a.test/4");
        assert_eq!(node.reference("e"), None);
        assert_eq!(node.reference("f"), None);
    }

    #[test]
    fn scalars_are_read_leniently() {
        let doc = json!({"n": 3.7, "s": "12", "neg": -1, "b": "true", "t": "2024-01-02T03:04:05"});
        let node = Node::of(&doc).unwrap();
        assert_eq!(node.count("n"), Some(3));
        assert_eq!(node.count("s"), Some(12));
        assert_eq!(node.count("neg"), None);
        assert_eq!(node.flag("b"), Some(true));
        assert_eq!(
            node.time("t").unwrap().to_rfc3339(),
            "2024-01-02T03:04:05+00:00"
        );
    }

    #[test]
    fn names_are_bounded_on_char_boundaries() {
        let long = "é".repeat(200);
        let cut = bounded_name(&long);
        assert!(cut.len() <= MAX_NAME_LEN);
        assert!(cut.chars().all(|c| c == 'é'));
        assert_eq!(
            short_type("https://www.w3.org/ns/activitystreams#Note"),
            "Note"
        );
        assert_eq!(short_type("as:Create"), "Create");
        assert!(same_media_type("Text/HTML; charset=utf-8", "text/html"));
    }
}
