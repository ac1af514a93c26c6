//! RFC 9421: the appendix B test vector, this server's own RFC 9421 signer, and the rules.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderMap, HeaderValue, Method, Uri};

use super::super::request::RequestView;
use super::super::{
    Algorithm, KeyType, ParsedSignature, PublicKey, Rfc9421Signer, SignatureError, SignatureScheme,
    Signer, SigningKey, verify_digest,
};
use super::key_tests::{RFC_ED25519_PRIVATE_PEM, RFC_ED25519_PUBLIC_PEM};
use super::{at, ed25519_key, header_map, other_rsa_key, rsa_key};
use aws_lc_rs::signature::Ed25519KeyPair;

/// RFC 9421 appendix B.2's test request: `POST /foo?param=Value&Pet=dog` to example.com.
const BODY: &[u8] = br#"{"hello": "world"}"#;
const DATE: &str = "Tue, 20 Apr 2021 02:07:55 GMT";
/// The request's `Date` as Unix seconds.
const DATE_UNIX: i64 = 1_618_884_475;
const CONTENT_DIGEST: &str = "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:";

fn target() -> Uri {
    "/foo?param=Value&Pet=dog".parse().unwrap()
}

fn absolute_target() -> Uri {
    "https://example.com/foo?param=Value&Pet=dog"
        .parse()
        .unwrap()
}

/// The test request's headers, with the given signature headers.
fn test_request(signature_input: &str, signature: &str) -> HeaderMap {
    header_map(&[
        ("host", "example.com"),
        ("date", DATE),
        ("content-type", "application/json"),
        ("content-digest", CONTENT_DIGEST),
        ("content-length", "18"),
        ("signature-input", signature_input),
        ("signature", signature),
    ])
}

fn rfc_private_key() -> Ed25519KeyPair {
    let (_, der) = crate::keys::decode_pem(RFC_ED25519_PRIVATE_PEM).unwrap();
    Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der).unwrap()
}

fn rfc_public_key() -> PublicKey {
    PublicKey::from_pem(RFC_ED25519_PUBLIC_PEM).unwrap()
}

fn parse_error(signature_input: &str, signature: &str) -> SignatureError {
    let headers = test_request(signature_input, signature);
    ParsedSignature::from_request(&Method::POST, &target(), &headers).unwrap_err()
}

#[test]
fn appendix_b26_ed25519_vector() {
    let headers = test_request(
        r#"sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519""#,
        "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:",
    );
    let parsed = ParsedSignature::parse(&Method::POST, &target(), &headers).unwrap();
    let expected_base = "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\
                         \"@method\": POST\n\
                         \"@path\": /foo\n\
                         \"@authority\": example.com\n\
                         \"content-type\": application/json\n\
                         \"content-length\": 18\n\
                         \"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\" \
                         \"content-type\" \"content-length\");created=1618884473\
                         ;keyid=\"test-key-ed25519\"";
    assert_eq!(
        std::str::from_utf8(parsed.signing_string()).unwrap(),
        expected_base
    );
    assert_eq!(
        parsed.scheme(),
        &SignatureScheme::Rfc9421 {
            label: "sig-b26".into()
        }
    );
    assert_eq!(parsed.key_id(), "test-key-ed25519");
    // No `alg`: the key's type decides.
    assert_eq!(parsed.algorithm(), None);
    parsed.verify(&rfc_public_key()).unwrap();
    // Ed25519 is deterministic, so the RFC's private key reproduces the RFC's signature.
    assert_eq!(
        STANDARD.encode(rfc_private_key().sign(expected_base.as_bytes())),
        "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw=="
    );
    // The sha-512 Content-Digest of the appendix matches its body.
    verify_digest(&headers, BODY).unwrap();
    parsed.check_time(at(DATE_UNIX)).unwrap();

    // Another path changes `@path`.
    let other: Uri = "/bar".parse().unwrap();
    let tampered = ParsedSignature::parse(&Method::POST, &other, &headers).unwrap();
    assert_eq!(
        tampered.verify(&rfc_public_key()),
        Err(SignatureError::BadSignature)
    );

    // The example covers no digest, which an inbox POST must.
    assert_eq!(
        ParsedSignature::from_request(&Method::POST, &target(), &headers).unwrap_err(),
        SignatureError::NotCovered("digest or content-digest")
    );
}

/// What this server's RFC 9421 signer signs for the test request, by hand.
fn expected_own_base(key_id: &str, alg: &str) -> String {
    format!(
        "\"@method\": POST\n\
         \"@target-uri\": https://example.com/foo?param=Value&Pet=dog\n\
         \"content-type\": application/json\n\
         \"content-digest\": sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:\n\
         \"@signature-params\": (\"@method\" \"@target-uri\" \"content-type\" \"content-digest\")\
         ;created=1618884475;keyid=\"{key_id}\";alg=\"{alg}\""
    )
}

/// Signs the test request (without its own digest or signature) as this server would.
fn sign_own(key: SigningKey, key_id: &str) -> HeaderMap {
    let mut headers = header_map(&[("content-type", "application/json")]);
    Rfc9421Signer::new(key_id, key)
        .sign(
            &Method::POST,
            &absolute_target(),
            &mut headers,
            Some(BODY),
            at(DATE_UNIX),
        )
        .unwrap();
    headers
}

#[test]
fn own_signer_rsa_v1_5_sha256() {
    let key_id = "https://example.com/users/alice#main-key";
    let headers = sign_own(SigningKey::Rsa(rsa_key().private.clone()), key_id);
    assert_eq!(headers["host"], "example.com");
    assert_eq!(headers["date"], DATE);
    assert_eq!(
        headers["content-digest"],
        "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"
    );
    assert_eq!(
        headers["signature-input"],
        "sig1=(\"@method\" \"@target-uri\" \"content-type\" \"content-digest\");created=1618884475\
         ;keyid=\"https://example.com/users/alice#main-key\";alg=\"rsa-v1_5-sha256\""
    );
    let signature = headers["signature"].to_str().unwrap();
    assert!(
        signature.starts_with("sig1=:") && signature.ends_with(':'),
        "{signature}"
    );

    // The receiver sees an origin-form URI and completes it with https and Host.
    let parsed = ParsedSignature::from_request(&Method::POST, &target(), &headers).unwrap();
    assert_eq!(
        std::str::from_utf8(parsed.signing_string()).unwrap(),
        expected_own_base(key_id, "rsa-v1_5-sha256")
    );
    assert_eq!(
        parsed.scheme(),
        &SignatureScheme::Rfc9421 {
            label: "sig1".into()
        }
    );
    assert_eq!(parsed.key_id(), key_id);
    assert_eq!(parsed.algorithm(), Some(Algorithm::RsaPkcs1Sha256));
    assert_eq!(
        parsed.covered_components(),
        ["@method", "@target-uri", "content-type", "content-digest"]
    );
    assert_eq!(parsed.signed_at(), Some(at(DATE_UNIX)));
    parsed.check_time(at(DATE_UNIX)).unwrap();
    verify_digest(&headers, BODY).unwrap();
    parsed.verify(&rsa_key().public).unwrap();

    assert_eq!(
        parsed.verify(&other_rsa_key().public),
        Err(SignatureError::BadSignature)
    );
    assert_eq!(
        verify_digest(&headers, b"{}"),
        Err(SignatureError::DigestMismatch("Content-Digest"))
    );
    let other: Uri = "/foo?param=Value&Pet=cat".parse().unwrap();
    let tampered = ParsedSignature::from_request(&Method::POST, &other, &headers).unwrap();
    assert_eq!(
        tampered.verify(&rsa_key().public),
        Err(SignatureError::BadSignature)
    );
}

#[test]
fn own_signer_ed25519() {
    let (pair, public) = ed25519_key();
    let headers = sign_own(SigningKey::Ed25519(pair), "test-key-ed25519");
    let parsed =
        ParsedSignature::from_request(&Method::POST, &absolute_target(), &headers).unwrap();
    assert_eq!(
        std::str::from_utf8(parsed.signing_string()).unwrap(),
        expected_own_base("test-key-ed25519", "ed25519")
    );
    assert_eq!(parsed.algorithm(), Some(Algorithm::Ed25519));
    parsed.verify(&public).unwrap();
    let (_, other) = ed25519_key();
    assert_eq!(parsed.verify(&other), Err(SignatureError::BadSignature));
    assert_eq!(
        parsed.verify(&rsa_key().public),
        Err(SignatureError::KeyAlgorithmMismatch {
            algorithm: Algorithm::Ed25519,
            key: KeyType::Rsa
        })
    );
}

#[test]
fn own_signer_get() {
    let (pair, public) = ed25519_key();
    let uri: Uri = "https://example.com/users/bob".parse().unwrap();
    let mut headers = HeaderMap::new();
    Rfc9421Signer::new("k", SigningKey::Ed25519(pair))
        .sign(&Method::GET, &uri, &mut headers, None, at(DATE_UNIX))
        .unwrap();
    assert!(!headers.contains_key("content-digest"));
    let parsed = ParsedSignature::from_request(&Method::GET, &uri, &headers).unwrap();
    assert_eq!(parsed.covered_components(), ["@method", "@target-uri"]);
    parsed.verify(&public).unwrap();

    // The signer needs the absolute URI it signs as `@target-uri`.
    let mut headers = HeaderMap::new();
    let (pair, _) = ed25519_key();
    let relative: Uri = "/users/bob".parse().unwrap();
    assert_eq!(
        Rfc9421Signer::new("k", SigningKey::Ed25519(pair)).sign(
            &Method::GET,
            &relative,
            &mut headers,
            None,
            at(DATE_UNIX)
        ),
        Err(SignatureError::RelativeUri)
    );
}

#[test]
fn every_derived_component_by_hand() {
    let input = r#"sig1=("@method" "@target-uri" "@authority" "@scheme" "@request-target" "@path" "@query" "content-digest" "date");created=1618884473;keyid="test-key-ed25519";alg="ed25519""#;
    let expected_base = format!(
        "\"@method\": POST\n\
         \"@target-uri\": https://example.com/foo?param=Value&Pet=dog\n\
         \"@authority\": example.com\n\
         \"@scheme\": https\n\
         \"@request-target\": /foo?param=Value&Pet=dog\n\
         \"@path\": /foo\n\
         \"@query\": ?param=Value&Pet=dog\n\
         \"content-digest\": {CONTENT_DIGEST}\n\
         \"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\
         \"@signature-params\": (\"@method\" \"@target-uri\" \"@authority\" \"@scheme\" \
         \"@request-target\" \"@path\" \"@query\" \"content-digest\" \"date\")\
         ;created=1618884473;keyid=\"test-key-ed25519\";alg=\"ed25519\""
    );
    let signature = STANDARD.encode(rfc_private_key().sign(expected_base.as_bytes()));
    let headers = test_request(input, &format!("sig1=:{signature}:"));
    let parsed = ParsedSignature::from_request(&Method::POST, &target(), &headers).unwrap();
    assert_eq!(
        std::str::from_utf8(parsed.signing_string()).unwrap(),
        expected_base
    );
    parsed.verify(&rfc_public_key()).unwrap();
    parsed.check_time(at(DATE_UNIX)).unwrap();
}

#[test]
fn derived_values_for_other_uris() {
    let headers = header_map(&[("host", "www.example.com")]);
    let check = |uri: &str, authority: &str, target_uri: &str, query: &str| {
        let uri: Uri = uri.parse().unwrap();
        let view = RequestView::new(&Method::GET, &uri, &headers);
        assert_eq!(view.authority().unwrap(), authority);
        assert_eq!(view.target_uri().unwrap(), target_uri);
        assert_eq!(view.query(), query);
    };
    // RFC 9421 section 2.2's examples.
    check(
        "/path?param=value",
        "www.example.com",
        "https://www.example.com/path?param=value",
        "?param=value",
    );
    check(
        "/path",
        "www.example.com",
        "https://www.example.com/path",
        "?",
    );
    check(
        "/path?",
        "www.example.com",
        "https://www.example.com/path?",
        "?",
    );
    // Absolute URIs (HTTP/2): lower-case host, default port dropped, other ports kept.
    check(
        "https://WWW.Example.com:443/a",
        "www.example.com",
        "https://www.example.com/a",
        "?",
    );
    check(
        "http://example.com:80/a%20b?x",
        "example.com",
        "http://example.com/a%20b?x",
        "?x",
    );
    check(
        "http://example.com:8080/",
        "example.com:8080",
        "http://example.com:8080/",
        "?",
    );
    check(
        "https://[::1]:8443/x",
        "[::1]:8443",
        "https://[::1]:8443/x",
        "?",
    );

    let uri: Uri = "http://example.com".parse().unwrap();
    let view = RequestView::new(&Method::GET, &uri, &headers);
    assert_eq!(view.path(), "/");
    assert_eq!(view.scheme(), "http");

    let no_host = HeaderMap::new();
    let relative: Uri = "/x".parse().unwrap();
    let view = RequestView::new(&Method::GET, &relative, &no_host);
    assert_eq!(
        view.authority(),
        Err(SignatureError::MissingHeader("host".into()))
    );
}

#[test]
fn coverage_rules() {
    let sig = ":AAAA:";
    let label = |input: &str| format!("sig1={input}");
    assert_eq!(
        parse_error(
            &label(r#"("@target-uri" "content-digest");created=1618884475;keyid="k""#),
            &label(sig)
        ),
        SignatureError::NotCovered("@method")
    );
    assert_eq!(
        parse_error(
            &label(r#"("@method" "@path" "content-digest");created=1618884475;keyid="k""#),
            &label(sig)
        ),
        SignatureError::NotCovered("@target-uri, or @authority and @path")
    );
    assert_eq!(
        parse_error(
            &label(r#"("@method" "@target-uri" "content-digest");keyid="k""#),
            &label(sig)
        ),
        SignatureError::NotCovered("created or date")
    );
    assert_eq!(
        parse_error(
            &label(r#"("@method" "@target-uri" "content-type");created=1;keyid="k""#),
            &label(sig)
        ),
        SignatureError::NotCovered("digest or content-digest")
    );
    // `@authority` with `@path`, and a covered `date` instead of `created`, are enough.
    let headers = test_request(
        &label(r#"("@method" "@authority" "@path" "content-digest" "date");keyid="k""#),
        &label(sig),
    );
    let parsed = ParsedSignature::from_request(&Method::POST, &target(), &headers).unwrap();
    assert_eq!(parsed.signed_at(), Some(at(DATE_UNIX)));
}

#[test]
fn malformed_and_unsupported_inputs() {
    let sig = "sig1=:AAAA:";
    let malformed = |input: &str, signature: &str| {
        let error = parse_error(input, signature);
        assert!(
            matches!(error, SignatureError::Malformed { .. }),
            "{input} {signature}: {error:?}"
        );
    };
    let base = r#"("@method" "@target-uri" "content-digest");created=1618884475;keyid="k""#;
    assert_eq!(
        parse_error(&format!("sig1={base};alg=\"rsa-pss-sha512\""), sig),
        SignatureError::UnsupportedAlgorithm("rsa-pss-sha512".into())
    );
    assert_eq!(
        parse_error(r#"sig1=("@method" "content-type";sf);keyid="k""#, sig),
        SignatureError::UnsupportedComponent("content-type;sf".into())
    );
    assert_eq!(
        parse_error(
            r#"sig1=("@method" "@query-param";name="Pet");keyid="k""#,
            sig
        ),
        SignatureError::UnsupportedComponent("@query-param;name".into())
    );
    assert_eq!(
        parse_error(r#"sig1=("@method" "@status");keyid="k""#, sig),
        SignatureError::UnsupportedComponent("@status".into())
    );
    assert_eq!(
        parse_error(r#"sig1=("@method" "x-missing");keyid="k""#, sig),
        SignatureError::MissingHeader("x-missing".into())
    );
    assert_eq!(
        parse_error(
            r#"sig1=("@method" "@target-uri" "content-digest");created=1"#,
            sig
        ),
        SignatureError::MissingParameter("keyid")
    );
    malformed(r#"sig1=("@method" "@method");keyid="k""#, sig);
    malformed(r#"sig1=("@method" "Content-Type");keyid="k""#, sig);
    malformed(r#"sig1=("@method" "@signature-params");keyid="k""#, sig);
    malformed(r#"sig1=("@method" method);keyid="k""#, sig);
    malformed(r#"sig1=("@method");keyid=k"#, sig);
    malformed(r#"sig1=("@method");keyid="k";created="1""#, sig);
    malformed(r#"sig1="@method";keyid="k""#, sig);
    malformed(r#"sig1=("@method""#, sig);
    malformed(&format!("sig1={base}"), "sig2=:AAAA:");
    malformed(&format!("sig1={base}"), "sig1=\"AAAA\"");
    malformed(&format!("sig1={base}"), "sig1=(:AAAA:)");
    malformed(&format!("sig1={base}"), "sig1=:AAAA");

    let many: Vec<String> = (0..=super::super::MAX_COVERED_COMPONENTS)
        .map(|i| format!("\"x-{i}\""))
        .collect();
    assert_eq!(
        parse_error(&format!("sig1=({});keyid=\"k\"", many.join(" ")), sig),
        SignatureError::TooLarge("the list of covered components")
    );
    let long = "a".repeat(super::super::MAX_SIGNATURE_HEADER_LEN);
    assert_eq!(
        parse_error(&format!("sig1={base};nonce=\"{long}\""), sig),
        SignatureError::TooLarge("Signature-Input")
    );

    // Signature-Input without Signature.
    let mut headers = test_request(&format!("sig1={base}"), sig);
    headers.remove("signature");
    assert_eq!(
        ParsedSignature::from_request(&Method::POST, &target(), &headers).unwrap_err(),
        SignatureError::MissingHeader("signature".into())
    );
}

#[test]
fn several_signatures_and_split_header_lines() {
    let (pair, public) = ed25519_key();
    let mut signed = sign_own(SigningKey::Ed25519(pair), "k");
    let input = signed["signature-input"].clone();
    let signature = signed["signature"].clone();
    // Another signature we cannot check comes first in Signature-Input only, then ours, on a
    // second field line.
    signed.insert(
        "signature-input",
        HeaderValue::from_static(r#"proxy=("@method");keyid="p""#),
    );
    signed.append("signature-input", input);
    signed.insert("signature", HeaderValue::from_static("other=:AAAA:"));
    signed.append("signature", signature);
    let parsed = ParsedSignature::from_request(&Method::POST, &absolute_target(), &signed).unwrap();
    assert_eq!(
        parsed.scheme(),
        &SignatureScheme::Rfc9421 {
            label: "sig1".into()
        }
    );
    parsed.verify(&public).unwrap();
}

#[test]
fn created_and_expires_are_checked() {
    let input = r#"sig1=("@method" "@target-uri" "content-digest");created=1618884475;expires=1618884775;keyid="k""#;
    let headers = test_request(input, "sig1=:AAAA:");
    let parsed = ParsedSignature::from_request(&Method::POST, &target(), &headers).unwrap();
    parsed.check_time(at(DATE_UNIX)).unwrap();
    parsed.check_time(at(DATE_UNIX + 300)).unwrap();
    assert_eq!(
        parsed.check_time(at(DATE_UNIX + 301)),
        Err(SignatureError::Expired)
    );
    assert_eq!(
        parsed.check_time(at(DATE_UNIX - 3601)),
        Err(SignatureError::DateInFuture {
            ahead_seconds: 3601
        })
    );
    // A signature far past its creation is refused even without `expires`.
    let input = r#"sig1=("@method" "@target-uri" "content-digest");created=1618884475;keyid="k""#;
    let parsed = ParsedSignature::from_request(
        &Method::POST,
        &target(),
        &test_request(input, "sig1=:AAAA:"),
    )
    .unwrap();
    assert_eq!(
        parsed.check_time(at(DATE_UNIX + 12 * 3600 + 1)),
        Err(SignatureError::DateTooOld {
            age_seconds: 12 * 3600 + 1
        })
    );
}
