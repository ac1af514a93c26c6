//! draft-cavage: signing, verifying, and refusing what must be refused.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::header::{AUTHORIZATION, CONTENT_TYPE, DATE, HOST};
use http::{HeaderMap, HeaderValue, Method, Uri};

use super::super::request::RequestView;
use super::super::{
    Algorithm, CavageSigner, KeyType, ParsedSignature, SignatureError, SignatureScheme, Signer,
    SigningKey, cavage, sign_request, verify_digest,
};
use super::{NOW, NOW_HTTP, ed25519_key, header_map, now, other_rsa_key, rsa_key};

const KEY_ID: &str = "https://local.example/users/alice#main-key";
const BODY: &[u8] = br#"{"type":"Follow"}"#;

/// Signs a POST to `https://remote.example/users/bob/inbox` as the delivery code would.
fn signed_post() -> HeaderMap {
    let mut headers = header_map(&[("content-type", "application/activity+json")]);
    let uri: Uri = "https://remote.example/users/bob/inbox".parse().unwrap();
    sign_request(
        &Method::POST,
        &uri,
        &mut headers,
        Some(BODY),
        KEY_ID,
        &rsa_key().private,
        now(),
    )
    .unwrap();
    headers
}

/// What the receiving server sees: an origin-form URI.
fn inbox() -> Uri {
    "/users/bob/inbox".parse().unwrap()
}

/// Signs `covered` as a remote server would, with free choice of the parameters.
fn remote_signature(
    (method, uri, headers): (&Method, &Uri, &HeaderMap),
    covered: &[&str],
    algorithm: Option<&str>,
    created: Option<i64>,
    expires: Option<i64>,
    key: &SigningKey,
) -> String {
    let request = RequestView::new(method, uri, headers);
    let signing_string = cavage::signing_string(&request, covered, created, expires).unwrap();
    let signature = STANDARD.encode(key.sign(&signing_string).unwrap());
    let mut value = format!("keyId=\"{KEY_ID}\"");
    if let Some(algorithm) = algorithm {
        value.push_str(&format!(",algorithm=\"{algorithm}\""));
    }
    if let Some(created) = created {
        value.push_str(&format!(",created={created}"));
    }
    if let Some(expires) = expires {
        value.push_str(&format!(",expires={expires}"));
    }
    value.push_str(&format!(
        ",headers=\"{}\",signature=\"{signature}\"",
        covered.join(" ")
    ));
    value
}

fn rsa_signing_key() -> SigningKey {
    SigningKey::Rsa(rsa_key().private.clone())
}

/// Headers of a POST with a body digest, before any signature.
fn unsigned_post() -> HeaderMap {
    header_map(&[
        ("host", "remote.example"),
        ("date", NOW_HTTP),
        ("digest", &super::super::digest_header_value(BODY)),
        ("content-type", "application/activity+json"),
    ])
}

fn with_signature(mut headers: HeaderMap, value: &str) -> HeaderMap {
    headers.insert("signature", HeaderValue::from_str(value).unwrap());
    headers
}

#[test]
fn post_round_trip_with_exact_headers_and_signing_string() {
    let headers = signed_post();
    assert_eq!(headers[HOST], "remote.example");
    assert_eq!(headers[DATE], NOW_HTTP);
    assert_eq!(
        headers["digest"],
        "SHA-256=GYwYnH3BiO6aICFt0ThC5bUIJ4byvqdpWtR8m5fNkww="
    );
    let signature = headers["signature"].to_str().unwrap();
    assert!(
        signature.starts_with(
            "keyId=\"https://local.example/users/alice#main-key\",algorithm=\"rsa-sha256\",\
             headers=\"(request-target) host date digest content-type\",signature=\""
        ),
        "{signature}"
    );

    let parsed = ParsedSignature::from_request(&Method::POST, &inbox(), &headers).unwrap();
    assert_eq!(parsed.scheme(), &SignatureScheme::Cavage);
    assert_eq!(parsed.key_id(), KEY_ID);
    assert_eq!(parsed.algorithm(), Some(Algorithm::RsaPkcs1Sha256));
    assert_eq!(
        parsed.covered_components(),
        ["(request-target)", "host", "date", "digest", "content-type"]
    );
    assert_eq!(
        std::str::from_utf8(parsed.signing_string()).unwrap(),
        "(request-target): post /users/bob/inbox\n\
         host: remote.example\n\
         date: Wed, 18 Nov 2026 11:06:40 GMT\n\
         digest: SHA-256=GYwYnH3BiO6aICFt0ThC5bUIJ4byvqdpWtR8m5fNkww=\n\
         content-type: application/activity+json"
    );
    assert_eq!(parsed.signed_at(), Some(now()));
    parsed.check_time(now()).unwrap();
    verify_digest(&headers, BODY).unwrap();
    parsed.verify(&rsa_key().public).unwrap();
}

#[test]
fn get_round_trip_covers_target_host_and_date_only() {
    let uri: Uri = "https://remote.example:8443/users/bob?page=2"
        .parse()
        .unwrap();
    let mut headers = header_map(&[("accept", "application/activity+json")]);
    sign_request(
        &Method::GET,
        &uri,
        &mut headers,
        None,
        KEY_ID,
        &rsa_key().private,
        now(),
    )
    .unwrap();
    assert_eq!(headers[HOST], "remote.example:8443");
    assert!(!headers.contains_key("digest"));
    assert!(
        headers["signature"]
            .to_str()
            .unwrap()
            .contains("headers=\"(request-target) host date\"")
    );

    let origin_form: Uri = "/users/bob?page=2".parse().unwrap();
    let parsed = ParsedSignature::from_request(&Method::GET, &origin_form, &headers).unwrap();
    assert_eq!(
        std::str::from_utf8(parsed.signing_string()).unwrap(),
        "(request-target): get /users/bob?page=2\nhost: remote.example:8443\ndate: Wed, 18 Nov 2026 11:06:40 GMT"
    );
    parsed.check_time(now()).unwrap();
    parsed.verify(&rsa_key().public).unwrap();
}

#[test]
fn signer_trait_object_signs_like_sign_request() {
    let signer: Box<dyn Signer> = Box::new(CavageSigner::new(KEY_ID, rsa_key().private.clone()));
    assert_eq!(signer.key_id(), KEY_ID);
    let uri: Uri = "https://remote.example/users/bob/inbox".parse().unwrap();
    let mut headers = HeaderMap::new();
    signer
        .sign(&Method::POST, &uri, &mut headers, Some(b""), now())
        .unwrap();
    // Without a Content-Type there is nothing to cover for it.
    assert!(
        headers["signature"]
            .to_str()
            .unwrap()
            .contains("headers=\"(request-target) host date digest\"")
    );
    let parsed = ParsedSignature::from_request(&Method::POST, &inbox(), &headers).unwrap();
    verify_digest(&headers, b"").unwrap();
    parsed.verify(&rsa_key().public).unwrap();
}

#[test]
fn a_host_set_by_the_caller_is_kept_and_signed() {
    let uri: Uri = "https://remote.example/inbox".parse().unwrap();
    let mut headers = header_map(&[("host", "Remote.Example")]);
    sign_request(
        &Method::GET,
        &uri,
        &mut headers,
        None,
        KEY_ID,
        &rsa_key().private,
        now(),
    )
    .unwrap();
    assert_eq!(headers[HOST], "Remote.Example");
    let parsed = ParsedSignature::from_request(&Method::GET, &uri, &headers).unwrap();
    assert!(
        std::str::from_utf8(parsed.signing_string())
            .unwrap()
            .contains("host: Remote.Example\n")
    );
    parsed.verify(&rsa_key().public).unwrap();
}

#[test]
fn signing_refuses_bad_key_ids_and_hostless_uris() {
    let uri: Uri = "https://remote.example/inbox".parse().unwrap();
    for key_id in ["", "a\"b", "back\\slash", "new\nline", "caf\u{e9}"] {
        let mut headers = HeaderMap::new();
        let result = sign_request(
            &Method::GET,
            &uri,
            &mut headers,
            None,
            key_id,
            &rsa_key().private,
            now(),
        );
        assert_eq!(result, Err(SignatureError::InvalidKeyId), "{key_id:?}");
    }
    let mut headers = HeaderMap::new();
    let relative: Uri = "/inbox".parse().unwrap();
    let result = sign_request(
        &Method::GET,
        &relative,
        &mut headers,
        None,
        KEY_ID,
        &rsa_key().private,
        now(),
    );
    assert_eq!(result, Err(SignatureError::RelativeUri));
}

#[test]
fn tampered_body_fails_the_digest_check() {
    let headers = signed_post();
    let parsed = ParsedSignature::from_request(&Method::POST, &inbox(), &headers).unwrap();
    parsed.verify(&rsa_key().public).unwrap();
    assert_eq!(
        verify_digest(&headers, br#"{"type":"Delete"}"#),
        Err(SignatureError::DigestMismatch("Digest"))
    );
}

#[test]
fn tampered_headers_fail_the_signature() {
    let mut headers = signed_post();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/ld+json"),
    );
    let parsed = ParsedSignature::from_request(&Method::POST, &inbox(), &headers).unwrap();
    assert_eq!(
        parsed.verify(&rsa_key().public),
        Err(SignatureError::BadSignature)
    );

    // The same request replayed to another inbox.
    let headers = signed_post();
    let other: Uri = "/users/carol/inbox".parse().unwrap();
    let parsed = ParsedSignature::from_request(&Method::POST, &other, &headers).unwrap();
    assert_eq!(
        parsed.verify(&rsa_key().public),
        Err(SignatureError::BadSignature)
    );

    // A replaced digest (for a replaced body) is signed too.
    let mut headers = signed_post();
    headers.insert(
        "digest",
        HeaderValue::from_str(&super::super::digest_header_value(b"{}")).unwrap(),
    );
    let parsed = ParsedSignature::from_request(&Method::POST, &inbox(), &headers).unwrap();
    verify_digest(&headers, b"{}").unwrap();
    assert_eq!(
        parsed.verify(&rsa_key().public),
        Err(SignatureError::BadSignature)
    );
}

#[test]
fn wrong_key_fails_the_signature() {
    let parsed = ParsedSignature::from_request(&Method::POST, &inbox(), &signed_post()).unwrap();
    let error = parsed.verify(&other_rsa_key().public).unwrap_err();
    assert_eq!(error, SignatureError::BadSignature);
    assert!(error.may_succeed_with_fresh_key());

    let (_, ed25519) = ed25519_key();
    let error = parsed.verify(&ed25519).unwrap_err();
    assert_eq!(
        error,
        SignatureError::KeyAlgorithmMismatch {
            algorithm: Algorithm::RsaPkcs1Sha256,
            key: KeyType::Ed25519
        }
    );
    assert!(error.may_succeed_with_fresh_key());
}

#[test]
fn hs2019_and_absent_algorithm_let_the_key_decide() {
    let headers = unsigned_post();
    let covered = ["(request-target)", "host", "date", "digest"];
    for algorithm in [Some("hs2019"), None, Some("RSA-SHA256")] {
        let value = remote_signature(
            (&Method::POST, &inbox(), &headers),
            &covered,
            algorithm,
            None,
            None,
            &rsa_signing_key(),
        );
        let headers = with_signature(headers.clone(), &value);
        let parsed = ParsedSignature::from_request(&Method::POST, &inbox(), &headers).unwrap();
        parsed.verify(&rsa_key().public).unwrap();
        assert_eq!(
            parsed.verify(&other_rsa_key().public),
            Err(SignatureError::BadSignature)
        );
    }

    // An Ed25519 key under hs2019 or no algorithm verifies as Ed25519.
    let (pair, public) = ed25519_key();
    for algorithm in [Some("hs2019"), None, Some("ed25519")] {
        let value = remote_signature(
            (&Method::POST, &inbox(), &headers),
            &covered,
            algorithm,
            None,
            None,
            &SigningKey::Ed25519(pair.clone()),
        );
        let headers = with_signature(headers.clone(), &value);
        let parsed = ParsedSignature::from_request(&Method::POST, &inbox(), &headers).unwrap();
        parsed.verify(&public).unwrap();
        // An RSA key cannot check it; with a declared algorithm that is a type mismatch.
        assert!(
            parsed
                .verify(&rsa_key().public)
                .unwrap_err()
                .may_succeed_with_fresh_key()
        );
    }
}

#[test]
fn unsupported_algorithms_are_refused_by_name() {
    for algorithm in ["hmac-sha256", "rsa-sha512", "ecdsa-sha256"] {
        let value = format!(
            "keyId=\"{KEY_ID}\",algorithm=\"{algorithm}\",headers=\"(request-target) host date digest\",signature=\"AAAA\""
        );
        let headers = with_signature(unsigned_post(), &value);
        assert_eq!(
            ParsedSignature::from_request(&Method::POST, &inbox(), &headers).unwrap_err(),
            SignatureError::UnsupportedAlgorithm(algorithm.to_owned())
        );
    }
}

#[test]
fn authorization_signature_is_accepted() {
    let headers = unsigned_post();
    let value = remote_signature(
        (&Method::POST, &inbox(), &headers),
        &["(request-target)", "host", "date", "digest"],
        Some("rsa-sha256"),
        None,
        None,
        &rsa_signing_key(),
    );
    let mut headers = headers;
    headers.insert(
        AUTHORIZATION,
        HeaderValue::from_str(&format!("Signature {value}")).unwrap(),
    );
    let parsed = ParsedSignature::from_request(&Method::POST, &inbox(), &headers).unwrap();
    parsed.verify(&rsa_key().public).unwrap();

    // Other authorization schemes are not signatures.
    let headers = header_map(&[("authorization", "Bearer abc"), ("host", "remote.example")]);
    assert_eq!(
        ParsedSignature::from_request(&Method::GET, &inbox(), &headers).unwrap_err(),
        SignatureError::MissingHeader("signature".into())
    );
}

#[test]
fn posts_must_cover_digest_host_target_and_time() {
    let headers = unsigned_post();
    let cases: [(&[&str], &str); 5] = [
        (
            &["(request-target)", "host", "date"],
            "digest or content-digest",
        ),
        (
            &["(request-target)", "host", "date", "content-type"],
            "digest or content-digest",
        ),
        (&["host", "date", "digest"], "(request-target)"),
        (&["(request-target)", "date", "digest"], "host"),
        (&["(request-target)", "host", "digest"], "date or (created)"),
    ];
    for (covered, missing) in cases {
        let value = remote_signature(
            (&Method::POST, &inbox(), &headers),
            covered,
            Some("rsa-sha256"),
            None,
            None,
            &rsa_signing_key(),
        );
        let signed = with_signature(headers.clone(), &value);
        assert_eq!(
            ParsedSignature::from_request(&Method::POST, &inbox(), &signed).unwrap_err(),
            SignatureError::NotCovered(missing),
            "{covered:?}"
        );
    }
}

#[test]
fn gets_must_cover_target_and_host_but_no_digest() {
    let headers = header_map(&[("host", "remote.example"), ("date", NOW_HTTP)]);
    let uri: Uri = "/users/bob".parse().unwrap();
    let sign = |covered: &[&str]| {
        let value = remote_signature(
            (&Method::GET, &uri, &headers),
            covered,
            None,
            None,
            None,
            &rsa_signing_key(),
        );
        with_signature(headers.clone(), &value)
    };
    let ok = sign(&["(request-target)", "host", "date"]);
    ParsedSignature::from_request(&Method::GET, &uri, &ok)
        .unwrap()
        .verify(&rsa_key().public)
        .unwrap();
    assert_eq!(
        ParsedSignature::from_request(&Method::GET, &uri, &sign(&["host", "date"])).unwrap_err(),
        SignatureError::NotCovered("(request-target)")
    );
    assert_eq!(
        ParsedSignature::from_request(&Method::GET, &uri, &sign(&["(request-target)", "date"]))
            .unwrap_err(),
        SignatureError::NotCovered("host")
    );
}

#[test]
fn created_and_expires_pseudo_headers() {
    let headers = header_map(&[("host", "remote.example"), ("digest", "SHA-256=abc=")]);
    let covered = [
        "(request-target)",
        "(created)",
        "(expires)",
        "host",
        "digest",
    ];
    let value = remote_signature(
        (&Method::POST, &inbox(), &headers),
        &covered,
        Some("hs2019"),
        Some(NOW - 10),
        Some(NOW + 300),
        &rsa_signing_key(),
    );
    let signed = with_signature(headers, &value);
    let parsed = ParsedSignature::from_request(&Method::POST, &inbox(), &signed).unwrap();
    assert_eq!(
        std::str::from_utf8(parsed.signing_string()).unwrap(),
        format!(
            "(request-target): post /users/bob/inbox\n(created): {}\n(expires): {}\nhost: remote.example\ndigest: SHA-256=abc=",
            NOW - 10,
            NOW + 300
        )
    );
    parsed.verify(&rsa_key().public).unwrap();
    parsed.check_time(now()).unwrap();
    assert_eq!(
        parsed.check_time(super::at(NOW + 301)),
        Err(SignatureError::Expired)
    );
    assert!(matches!(
        parsed.check_time(super::at(NOW + 13 * 3600)),
        Err(SignatureError::DateTooOld { .. })
    ));
}

#[test]
fn uncovered_created_is_not_trusted() {
    // `created` is present but not signed, so only the signed Date counts.
    let headers = unsigned_post();
    let value = remote_signature(
        (&Method::POST, &inbox(), &headers),
        &["(request-target)", "host", "date", "digest"],
        Some("rsa-sha256"),
        Some(1),
        None,
        &rsa_signing_key(),
    );
    let parsed =
        ParsedSignature::from_request(&Method::POST, &inbox(), &with_signature(headers, &value))
            .unwrap();
    assert_eq!(parsed.signed_at(), Some(now()));
    parsed.check_time(now()).unwrap();
}

#[test]
fn covered_pseudo_headers_need_their_parameters() {
    let headers = unsigned_post();
    let value = format!(
        "keyId=\"{KEY_ID}\",headers=\"(request-target) (created) host digest\",signature=\"AAAA\""
    );
    assert_eq!(
        ParsedSignature::from_request(
            &Method::POST,
            &inbox(),
            &with_signature(headers.clone(), &value)
        )
        .unwrap_err(),
        SignatureError::MissingParameter("created")
    );
    let value = format!(
        "keyId=\"{KEY_ID}\",headers=\"(request-target) (nonsense) host date digest\",signature=\"AAAA\""
    );
    assert_eq!(
        ParsedSignature::from_request(&Method::POST, &inbox(), &with_signature(headers, &value))
            .unwrap_err(),
        SignatureError::UnsupportedComponent("(nonsense)".into())
    );
}

#[test]
fn header_lines_are_trimmed_and_joined() {
    let mut headers = unsigned_post();
    headers.append("x-extra", HeaderValue::from_static("  one "));
    headers.append("x-extra", HeaderValue::from_static("two"));
    let uri = inbox();
    let request = RequestView::new(&Method::POST, &uri, &headers);
    let signing_string =
        cavage::signing_string(&request, &["x-extra", "host"], None, None).unwrap();
    assert_eq!(signing_string, b"x-extra: one, two\nhost: remote.example");
}

#[test]
fn parameter_syntax_variants() {
    let headers = unsigned_post();
    let value = remote_signature(
        (&Method::POST, &inbox(), &headers),
        &["(request-target)", "host", "date", "digest"],
        Some("rsa-sha256"),
        None,
        None,
        &rsa_signing_key(),
    );
    // Lower-case names, spaces after commas and around '=', upper-case header names in the list.
    let relaxed = value
        .replace("keyId=", "keyid = ")
        .replace(",", ", ")
        .replace(
            "(request-target) host date digest",
            "(request-target) Host DATE digest",
        );
    let parsed = ParsedSignature::from_request(
        &Method::POST,
        &inbox(),
        &with_signature(headers.clone(), &relaxed),
    )
    .unwrap();
    parsed.verify(&rsa_key().public).unwrap();

    // Escaped quotes inside a quoted string.
    let params = cavage::parse_params(r#"keyId="a\"b",headers="date",signature="AAAA""#).unwrap();
    assert_eq!(params.key_id, "a\"b");
    assert_eq!(params.signature, vec![0, 0, 0]);
}

#[test]
fn malformed_signature_headers_are_refused() {
    let malformed = |value: &str| {
        let headers = with_signature(unsigned_post(), value);
        ParsedSignature::from_request(&Method::POST, &inbox(), &headers).unwrap_err()
    };
    assert!(matches!(
        malformed("keyId=\"a\",signature=\"AAAA"),
        SignatureError::Malformed { .. }
    ));
    assert!(matches!(
        malformed("keyId=\"a\" signature=\"AAAA\""),
        SignatureError::Malformed { .. }
    ));
    assert!(matches!(
        malformed("=\"a\""),
        SignatureError::Malformed { .. }
    ));
    assert!(matches!(
        malformed("keyId"),
        SignatureError::Malformed { .. }
    ));
    assert!(matches!(
        malformed("keyId=\"a\",keyId=\"b\",headers=\"date\",signature=\"AAAA\""),
        SignatureError::Malformed { .. }
    ));
    assert!(matches!(
        malformed("keyId=\"a\",headers=\"date\",signature=\"not base64!\""),
        SignatureError::Malformed { .. }
    ));
    assert!(matches!(
        malformed("keyId=\"a\",headers=\"host host\",signature=\"AAAA\""),
        SignatureError::Malformed { .. }
    ));
    assert!(matches!(
        malformed("keyId=\"a\",headers=\"\",signature=\"AAAA\""),
        SignatureError::Malformed { .. }
    ));
    assert!(matches!(
        malformed("keyId=\"a\",created=-5,headers=\"date\",signature=\"AAAA\""),
        SignatureError::Malformed { .. }
    ));
    assert_eq!(
        malformed("headers=\"date\",signature=\"AAAA\""),
        SignatureError::MissingParameter("keyId")
    );
    assert_eq!(
        malformed("keyId=\"a\",headers=\"date\""),
        SignatureError::MissingParameter("signature")
    );
    // A covered header the request lacks.
    assert_eq!(
        malformed(
            "keyId=\"a\",headers=\"(request-target) host date digest x-missing\",signature=\"AAAA\""
        ),
        SignatureError::MissingHeader("x-missing".into())
    );

    // Two Signature headers are ambiguous.
    let mut headers = with_signature(
        unsigned_post(),
        "keyId=\"a\",headers=\"date\",signature=\"AAAA\"",
    );
    headers.append(
        "signature",
        HeaderValue::from_static("keyId=\"b\",headers=\"date\",signature=\"AAAA\""),
    );
    assert!(matches!(
        ParsedSignature::from_request(&Method::POST, &inbox(), &headers).unwrap_err(),
        SignatureError::Malformed {
            header: "Signature",
            ..
        }
    ));

    // No signature at all.
    assert_eq!(
        ParsedSignature::from_request(&Method::POST, &inbox(), &unsigned_post()).unwrap_err(),
        SignatureError::MissingHeader("signature".into())
    );
}

#[test]
fn sizes_are_bounded() {
    let padding = "x".repeat(super::super::MAX_SIGNATURE_HEADER_LEN);
    let value = format!("keyId=\"{padding}\",headers=\"date\",signature=\"AAAA\"");
    let headers = with_signature(unsigned_post(), &value);
    assert_eq!(
        ParsedSignature::from_request(&Method::POST, &inbox(), &headers).unwrap_err(),
        SignatureError::TooLarge("Signature")
    );

    let long_id = "k".repeat(super::super::MAX_KEY_ID_LEN + 1);
    let value = format!("keyId=\"{long_id}\",headers=\"date\",signature=\"AAAA\"");
    assert_eq!(
        ParsedSignature::from_request(
            &Method::POST,
            &inbox(),
            &with_signature(unsigned_post(), &value)
        )
        .unwrap_err(),
        SignatureError::TooLarge("keyId")
    );

    let many: Vec<String> = (0..=super::super::MAX_COVERED_COMPONENTS)
        .map(|i| format!("x-{i}"))
        .collect();
    let value = format!(
        "keyId=\"a\",headers=\"{}\",signature=\"AAAA\"",
        many.join(" ")
    );
    assert_eq!(
        ParsedSignature::from_request(
            &Method::POST,
            &inbox(),
            &with_signature(unsigned_post(), &value)
        )
        .unwrap_err(),
        SignatureError::TooLarge("the list of signed headers")
    );

    let huge_signature = STANDARD.encode(vec![1u8; super::super::MAX_SIGNATURE_LEN + 1]);
    let value = format!("keyId=\"a\",headers=\"date\",signature=\"{huge_signature}\"");
    assert_eq!(
        ParsedSignature::from_request(
            &Method::POST,
            &inbox(),
            &with_signature(unsigned_post(), &value)
        )
        .unwrap_err(),
        SignatureError::TooLarge("the signature")
    );
}

#[test]
fn http2_requests_without_host_use_the_uri_authority() {
    // HTTP/2 carries the host in `:authority`, which the server puts in the URI.
    let uri: Uri = "https://remote.example/users/bob/inbox".parse().unwrap();
    let headers = signed_post();
    let mut without_host = headers.clone();
    without_host.remove(HOST);
    let parsed = ParsedSignature::from_request(&Method::POST, &uri, &without_host).unwrap();
    parsed.verify(&rsa_key().public).unwrap();
}
