//! Reading Akkoma's rows: what its columns hold, in the shapes the stages use.

use serde_json::Value;

/// `timestamp` columns as Unix milliseconds (Akkoma stores UTC without a zone).
pub fn millis(column: &str) -> String {
    format!("(EXTRACT(EPOCH FROM {column}) * 1000)::BIGINT")
}

/// Parses a JSON text column; anything unreadable is `null`.
pub fn json(text: Option<String>) -> Value {
    text.and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null)
}

/// A string, or the `id`/`href` of an object (ActivityStreams allows either).
pub fn id_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Object(map) => map
            .get("id")
            .or_else(|| map.get("href"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        _ => None,
    }
}

/// The strings of an array (or a lone string), ids of objects included.
pub fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().filter_map(id_of).collect(),
        Value::Null => Vec::new(),
        other => id_of(other).into_iter().collect(),
    }
}

/// The first address of an `Image`/`Document` (`url` as a string, a Link or a list of them).
pub fn first_href(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => items.iter().find_map(first_href),
        Value::Object(map) => map
            .get("href")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| map.get("url").and_then(first_href)),
        _ => None,
    }
}

/// An RFC 3339 time as Unix milliseconds.
pub fn time(value: &Value) -> Option<i64> {
    value
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp_millis())
}

pub const PUBLIC: [&str; 3] = [
    "https://www.w3.org/ns/activitystreams#Public",
    "as:Public",
    "Public",
];

pub fn is_public(address: &str) -> bool {
    PUBLIC.contains(&address)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn addresses_in_every_shape() {
        assert_eq!(
            first_href(&json!("https://a/x.png")).unwrap(),
            "https://a/x.png"
        );
        assert_eq!(
            first_href(&json!({"type": "Image", "url": [{"href": "https://a/y.png"}]})).unwrap(),
            "https://a/y.png"
        );
        assert_eq!(strings(&json!(["a", {"id": "b"}, 3])), vec!["a", "b"]);
        assert_eq!(strings(&json!("c")), vec!["c"]);
        assert_eq!(
            time(&json!("2025-10-02T09:45:00.000000Z")),
            Some(1_759_398_300_000)
        );
    }
}
