//! Requests captured from GoToSocial, Fedify and bovine: their signatures parse, their signing
//! strings are what we build, their digests match, and they verify with the captured actor keys.
//! The captures are from 2026-11-26, so `now` is each request's own `Date`.

use chrono::{DateTime, TimeDelta, Utc};
use http::Method;

use super::super::{
    Algorithm, ParsedSignature, PublicKey, SignatureError, parse_http_date, verify_digest,
};
use super::{Captured, actor_key, data_path, load_capture};

fn date_of(capture: &Captured) -> DateTime<Utc> {
    parse_http_date(capture.headers["date"].to_str().unwrap()).unwrap()
}

fn parse(capture: &Captured) -> ParsedSignature {
    ParsedSignature::from_request(&capture.method, &capture.uri, &capture.headers).unwrap()
}

/// Everything an inbox does with a captured delivery, in order.
fn check_delivery(capture: &Captured, key: &PublicKey) -> ParsedSignature {
    assert_eq!(capture.method, Method::POST);
    let parsed = parse(capture);
    parsed.check_time(date_of(capture)).unwrap();
    let body = capture.body.as_deref().unwrap();
    verify_digest(&capture.headers, body).unwrap();
    parsed.verify(key).unwrap();

    // And the same request with a changed body or a later clock is refused.
    let mut tampered = body.to_vec();
    tampered.push(b' ');
    assert!(matches!(
        verify_digest(&capture.headers, &tampered),
        Err(SignatureError::DigestMismatch(_))
    ));
    assert!(matches!(
        parsed.check_time(date_of(capture) + TimeDelta::hours(13)),
        Err(SignatureError::DateTooOld { .. })
    ));
    parsed
}

fn text(parsed: &ParsedSignature) -> &str {
    std::str::from_utf8(parsed.signing_string()).unwrap()
}

#[test]
fn gotosocial_deliveries() {
    let (alice_id, alice) = actor_key("gotosocial/person_alice_unlocked.json");
    let (carol_id, carol) = actor_key("gotosocial/person_carol_locked.json");
    let mut names: Vec<String> = std::fs::read_dir(data_path("gotosocial/deliveries"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter_map(|name| name.strip_suffix(".headers.txt").map(str::to_owned))
        .collect();
    names.sort();
    assert_eq!(names.len(), 24);
    for name in names {
        let capture = load_capture(&format!("gotosocial/deliveries/{name}"));
        let parsed = parse(&capture);
        let key = if parsed.key_id() == alice_id {
            &alice
        } else {
            assert_eq!(parsed.key_id(), carol_id, "{name}");
            &carol
        };
        let parsed = check_delivery(&capture, key);
        // `hs2019`, so the RSA key decides.
        assert_eq!(parsed.algorithm(), None, "{name}");
        assert_eq!(
            parsed.covered_components(),
            ["(request-target)", "host", "date", "digest"]
        );
        // Each delivery is signed by its sender's key only.
        let other = if std::ptr::eq(key, &alice) {
            &carol
        } else {
            &alice
        };
        assert_eq!(
            parsed.verify(other),
            Err(SignatureError::BadSignature),
            "{name}"
        );
    }
}

#[test]
fn gotosocial_like_signing_string() {
    let capture = load_capture("gotosocial/deliveries/16_like");
    let parsed = parse(&capture);
    assert_eq!(parsed.key_id(), "http://gts.test/users/alice/main-key");
    assert_eq!(
        text(&parsed),
        "(request-target): post /inbox\n\
         host: bench.test\n\
         date: Thu, 26 Nov 2026 17:01:20 GMT\n\
         digest: SHA-256=ZUJGMw34aYm01lDDwz8nyU0Z9GlLszXQdymlZH4dQOg="
    );
}

#[test]
fn gotosocial_signed_get() {
    let capture = load_capture("gotosocial/signed_get_dereference_note");
    let parsed = parse(&capture);
    assert_eq!(
        text(&parsed),
        "(request-target): get /users/bench/statuses/1\n\
         host: bench.test\n\
         date: Thu, 26 Nov 2026 17:00:34 GMT"
    );
    parsed.check_time(date_of(&capture)).unwrap();
    let (_, alice) = actor_key("gotosocial/person_alice_unlocked.json");
    parsed.verify(&alice).unwrap();
}

#[test]
fn fedify_delivery() {
    let capture = load_capture("fedify/create_note");
    let (key_id, key) = actor_key("fedify/actor.json");
    let parsed = check_delivery(&capture, &key);
    assert_eq!(parsed.key_id(), key_id);
    assert_eq!(parsed.algorithm(), Some(Algorithm::RsaPkcs1Sha256));
    assert_eq!(
        text(&parsed),
        "(request-target): post /users/bench/inbox\n\
         content-type: application/activity+json\n\
         date: Thu, 26 Nov 2026 17:02:20 GMT\n\
         digest: SHA-256=dWVgPLKetP0Fb5aZzwGjRWBhN6Xo1CZNeqMn1dwg1s8=\n\
         host: bench.test"
    );

    // The same RSA key, published as an FEP-521a Multikey, verifies it too.
    let actor: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data_path("fedify/actor.json")).unwrap())
            .unwrap();
    let multibase = actor["assertionMethod"][0]["publicKeyMultibase"]
        .as_str()
        .unwrap();
    parsed
        .verify(&PublicKey::from_multibase(multibase).unwrap())
        .unwrap();
}

#[test]
fn fedify_signed_get() {
    let capture = load_capture("fedify/signed_get_actor");
    let parsed = parse(&capture);
    assert_eq!(
        text(&parsed),
        "(request-target): get /users/bench\n\
         accept: application/activity+json, application/ld+json\n\
         date: Thu, 26 Nov 2026 17:02:20 GMT\n\
         host: bench.test\n\
         user-agent: Fedify/1.5.9 (Node.js/v20.20.2)"
    );
    parsed.check_time(date_of(&capture)).unwrap();
    let (_, key) = actor_key("fedify/actor.json");
    parsed.verify(&key).unwrap();
}

#[test]
fn bovine_delivery() {
    let capture = load_capture("bovine/create_note");
    let (key_id, key) = actor_key("bovine/actor.json");
    let parsed = check_delivery(&capture, &key);
    assert_eq!(parsed.key_id(), key_id);
    assert!(key_id.ends_with("#serverKey"));
    // bovine's lower-case `sha-256=` digest prefix is signed as sent.
    assert_eq!(
        text(&parsed),
        "(request-target): post /users/bench/inbox\n\
         host: bench.test\n\
         date: Thu, 26 Nov 2026 17:02:44 GMT\n\
         digest: sha-256=LuaLa/ttB6v/OsW5oLrJ0k0tzRAbYGDlECJPLd0dbWg=\n\
         content-type: application/activity+json"
    );
}

#[test]
fn bovine_signed_get() {
    // Signed by bovine's instance actor, whose key was not captured: parse and check the
    // signing string and clock only.
    let capture = load_capture("bovine/signed_get_actor");
    let parsed = parse(&capture);
    assert_eq!(
        parsed.key_id(),
        "https://herd.test/activitypub/bovine#main-key"
    );
    assert_eq!(
        text(&parsed),
        "(request-target): get /users/bench\n\
         host: bench.test\n\
         date: Thu, 26 Nov 2026 17:02:38 GMT\n\
         accept: application/activity+json"
    );
    parsed.check_time(date_of(&capture)).unwrap();
    let (_, herdalice) = actor_key("bovine/actor.json");
    assert_eq!(parsed.verify(&herdalice), Err(SignatureError::BadSignature));
}
