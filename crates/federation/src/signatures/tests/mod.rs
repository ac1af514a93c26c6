//! Tests of the signatures module. Hand-written expected strings pin the exact bytes signed, so
//! that signing and verifying cannot agree on a wrong format; captured requests from real servers
//! (under `tests/data/signatures/`) show that the format is the one the Fediverse uses.

mod cavage_tests;
mod digest_tests;
mod fixture_tests;
mod key_tests;
mod lookup_tests;
mod rfc9421_tests;
mod time_tests;

use std::path::PathBuf;
use std::sync::OnceLock;

use aws_lc_rs::rsa::KeyPair as RsaKeyPair;
use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair as _};
use chrono::{DateTime, Utc};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};

use super::PublicKey;
use crate::keys::{generate_rsa_2048, load_rsa_private_key};

/// 2026-11-18T11:06:40Z, a Wednesday.
pub(super) const NOW: i64 = 1_795_000_000;
pub(super) const NOW_HTTP: &str = "Wed, 18 Nov 2026 11:06:40 GMT";

pub(super) fn at(unix: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(unix, 0).unwrap()
}

pub(super) fn now() -> DateTime<Utc> {
    at(NOW)
}

pub(super) struct TestRsaKey {
    pub private: RsaKeyPair,
    pub public: PublicKey,
    pub public_pem: String,
}

fn new_rsa_key() -> TestRsaKey {
    let pem = generate_rsa_2048().unwrap();
    TestRsaKey {
        private: load_rsa_private_key(&pem.private_pem).unwrap(),
        public: PublicKey::from_pem(&pem.public_pem).unwrap(),
        public_pem: pem.public_pem,
    }
}

/// RSA key generation is slow in debug builds, so the tests share two keys.
pub(super) fn rsa_key() -> &'static TestRsaKey {
    static KEY: OnceLock<TestRsaKey> = OnceLock::new();
    KEY.get_or_init(new_rsa_key)
}

pub(super) fn other_rsa_key() -> &'static TestRsaKey {
    static KEY: OnceLock<TestRsaKey> = OnceLock::new();
    KEY.get_or_init(new_rsa_key)
}

pub(super) fn ed25519_key() -> (Ed25519KeyPair, PublicKey) {
    let pair = Ed25519KeyPair::generate().unwrap();
    let public = PublicKey::from_ed25519_bytes(pair.public_key().as_ref()).unwrap();
    (pair, public)
}

pub(super) fn header_map(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    map
}

/// A request recorded by the fixtures' receiving peer.
pub(super) struct Captured {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Option<Vec<u8>>,
}

pub(super) fn data_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/signatures")
        .join(relative)
}

/// Reads `<name>.headers.txt` (request line, then `Name: value` lines) and `<name>.body` if any.
pub(super) fn load_capture(name: &str) -> Captured {
    let text = std::fs::read_to_string(data_path(&format!("{name}.headers.txt"))).unwrap();
    let mut lines = text.lines();
    let mut request_line = lines.next().unwrap().split(' ');
    let method = Method::from_bytes(request_line.next().unwrap().as_bytes()).unwrap();
    let uri: Uri = request_line.next().unwrap().parse().unwrap();
    let mut headers = HeaderMap::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let (name, value) = line.split_once(':').unwrap();
        headers.append(
            HeaderName::from_bytes(name.trim().as_bytes()).unwrap(),
            HeaderValue::from_str(value.trim()).unwrap(),
        );
    }
    let body = std::fs::read(data_path(&format!("{name}.body"))).ok();
    Captured {
        method,
        uri,
        headers,
        body,
    }
}

/// The `publicKey` of a captured actor document: its id and PEM.
pub(super) fn actor_key(name: &str) -> (String, PublicKey) {
    let text = std::fs::read_to_string(data_path(name)).unwrap();
    let actor: serde_json::Value = serde_json::from_str(&text).unwrap();
    let id = actor["publicKey"]["id"].as_str().unwrap().to_owned();
    let key = PublicKey::from_pem(actor["publicKey"]["publicKeyPem"].as_str().unwrap()).unwrap();
    (id, key)
}
