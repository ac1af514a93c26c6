//! 64-bit, time-sortable identifiers.
//!
//! Like Mastodon's, an id is the creation time in milliseconds shifted left by 16 bits,
//! with the low 16 bits taken from a per-process sequence that starts at a random value.
//! Ids therefore sort by creation time (which keyset pagination relies on), and two
//! processes sharing one database are unlikely to collide; the store's unique keys
//! catch the rare collision.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU16, Ordering};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(pub i64);

fn sequence() -> &'static AtomicU16 {
    static SEQUENCE: OnceLock<AtomicU16> = OnceLock::new();
    SEQUENCE.get_or_init(|| AtomicU16::new(rand::random()))
}

impl Id {
    /// A new id for something created at `unix_millis`.
    pub fn generate(unix_millis: i64) -> Self {
        let low = sequence().fetch_add(1, Ordering::Relaxed);
        Id((unix_millis << 16) | i64::from(low))
    }

    /// The smallest id that could have been generated at `unix_millis`.
    pub fn lowest_at(unix_millis: i64) -> Self {
        Id(unix_millis << 16)
    }

    /// The creation time encoded in the id.
    pub fn unix_millis(self) -> i64 {
        self.0 >> 16
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid id: {0:?}")]
pub struct InvalidId(pub String);

impl FromStr for Id {
    type Err = InvalidId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.parse::<i64>() {
            Ok(n) if n >= 0 => Ok(Id(n)),
            _ => Err(InvalidId(s.chars().take(40).collect())),
        }
    }
}

/// Clients receive ids as strings (JavaScript cannot hold 64-bit integers).
impl Serialize for Id {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Text(String),
            Number(i64),
        }
        match Repr::deserialize(deserializer)? {
            Repr::Text(s) => s.parse().map_err(serde::de::Error::custom),
            Repr::Number(n) if n >= 0 => Ok(Id(n)),
            Repr::Number(n) => Err(serde::de::Error::custom(InvalidId(n.to_string()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_time_and_are_distinct() {
        let a = Id::generate(1_000);
        let b = Id::generate(1_000);
        let c = Id::generate(1_001);
        assert_ne!(a, b);
        assert!(c > a && c > b);
        assert_eq!(c.unix_millis(), 1_001);
        assert!(Id::lowest_at(1_001) <= c);
    }

    #[test]
    fn ids_travel_as_strings() {
        let id = Id(1234567890123);
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"1234567890123\"");
        assert_eq!(serde_json::from_str::<Id>("\"42\"").unwrap(), Id(42));
        assert_eq!(serde_json::from_str::<Id>("42").unwrap(), Id(42));
        assert!("abc".parse::<Id>().is_err());
        assert!("-3".parse::<Id>().is_err());
    }
}
