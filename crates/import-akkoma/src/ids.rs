//! How Akkoma's ids become Rhizome's.
//!
//! Akkoma's users and activities have 128-bit flake ids (stored as `uuid`): 64 bits of Unix
//! milliseconds, 48 bits of worker id, 16 bits of sequence. Rhizome's ids are 64 bits:
//! milliseconds shifted left by 16, then 16 bits of sequence. A flake id therefore maps onto
//! `millis << 16 | sequence`: the same instant, the same order within it (one Akkoma node
//! numbers its ids within a millisecond), and the same id on every run, which is what makes
//! the import idempotent. Tables with `bigserial` ids (objects, notifications, lists, OAuth…)
//! map onto `inserted_at_millis << 16 | (serial & 0xFFFF)`: two rows collide only if they
//! were inserted in the same second with serials 65,536 apart.
//!
//! Akkoma shows flake ids to clients in base 62 (`0-9A-Za-z`, most significant digit first):
//! that is the `/notice/{id}` of a post, kept as the imported status's `url`.

use rhizome_model::Id;

/// Rhizome's id for a flake id written as a uuid (`00000199-9eff-fa80-02ac-0ffee0aa0001`).
pub fn from_flake(uuid: &str) -> Option<Id> {
    let value = parse_uuid(uuid)?;
    let millis = (value >> 64) as u64;
    // A flake made before 1970 or after year 6429 is no flake: those get ids by time.
    if millis == 0 || millis >= 1 << 47 {
        return None;
    }
    let sequence = (value & 0xFFFF) as u64;
    Some(Id(((millis << 16) | sequence) as i64))
}

/// Rhizome's id for a row of a `bigserial` table inserted at `millis`.
pub fn from_serial(millis: i64, serial: i64) -> Id {
    Id((millis.max(0) << 16) | (serial & 0xFFFF))
}

/// Akkoma's base-62 form of a flake id, as its API and `/notice/…` URLs show it.
pub fn flake_base62(uuid: &str) -> Option<String> {
    const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut value = parse_uuid(uuid)?;
    if value == 0 {
        return Some("0".to_owned());
    }
    let mut out = Vec::new();
    while value > 0 {
        out.push(DIGITS[(value % 62) as usize]);
        value /= 62;
    }
    out.reverse();
    String::from_utf8(out).ok()
}

fn parse_uuid(uuid: &str) -> Option<u128> {
    let hex: String = uuid.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 {
        return None;
    }
    u128::from_str_radix(&hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flake_ids_keep_their_time_and_order() {
        // alice in the fixture: inserted 2025-10-01 09:00:00 UTC.
        let alice = from_flake("00000199-9eff-fa80-02ac-0ffee0aa0001").unwrap();
        assert_eq!(alice.unix_millis(), 1_759_309_200_000);
        assert_eq!(alice.0 & 0xFFFF, 1);
        let later = from_flake("00000199-9f36-e900-02ac-0ffee0aa0002").unwrap();
        assert!(later > alice);
        assert_eq!(from_flake("not a uuid"), None);
        assert_eq!(from_flake("00000000-0000-0000-0000-000000000001"), None);
    }

    #[test]
    fn serial_ids_sort_by_insertion_time() {
        let a = from_serial(1_000, 7);
        assert_eq!(a.unix_millis(), 1_000);
        assert!(from_serial(1_001, 1) > a);
        assert_ne!(from_serial(1_000, 8), a);
    }

    #[test]
    fn base62_is_akkomas() {
        assert_eq!(
            flake_base62("00000000-0000-0000-0000-00000000003e").unwrap(),
            "10"
        );
        assert_eq!(
            flake_base62("00000000-0000-0000-0000-000000000024").unwrap(),
            "a"
        );
        let id = flake_base62("00000199-a44f-8960-02ac-0ffee0aa0020").unwrap();
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
        assert!(
            id.parse::<i64>().is_err(),
            "never mistaken for one of our ids"
        );
    }
}
