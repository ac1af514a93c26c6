//! `Digest` and `Content-Digest` checks.

use super::super::{
    SignatureError, content_digest_header_value, digest_header_value, verify_digest,
};
use super::header_map;

/// The body of RFC 9421's test request, and its digests as RFC 9530 prints them.
const BODY: &[u8] = br#"{"hello": "world"}"#;
const SHA256: &str = "X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=";
const SHA512: &str =
    "WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==";

fn check(pairs: &[(&str, &str)], body: &[u8]) -> Result<(), SignatureError> {
    verify_digest(&header_map(pairs), body)
}

#[test]
fn header_values_for_outgoing_requests() {
    assert_eq!(digest_header_value(BODY), format!("SHA-256={SHA256}"));
    assert_eq!(
        content_digest_header_value(BODY),
        format!("sha-256=:{SHA256}:")
    );
}

#[test]
fn digest_sha256_and_sha512() {
    check(&[("digest", &format!("SHA-256={SHA256}"))], BODY).unwrap();
    check(&[("digest", &format!("SHA-512={SHA512}"))], BODY).unwrap();
    // bovine writes the algorithm in lower case.
    check(&[("digest", &format!("sha-256={SHA256}"))], BODY).unwrap();
    // Several entries, on one line or two: each supported one must match.
    check(
        &[("digest", &format!("SHA-256={SHA256}, SHA-512={SHA512}"))],
        BODY,
    )
    .unwrap();
    check(
        &[
            ("digest", &format!("SHA-256={SHA256}")),
            ("digest", &format!("SHA-512={SHA512}")),
        ],
        BODY,
    )
    .unwrap();
}

#[test]
fn digest_mismatch() {
    assert_eq!(
        check(&[("digest", &format!("SHA-256={SHA256}"))], b"{}"),
        Err(SignatureError::DigestMismatch("Digest"))
    );
    // A good SHA-256 does not excuse a bad SHA-512.
    let wrong512 = SHA512.replace('W', "X");
    assert_eq!(
        check(
            &[("digest", &format!("SHA-256={SHA256},SHA-512={wrong512}"))],
            BODY
        ),
        Err(SignatureError::DigestMismatch("Digest"))
    );
}

#[test]
fn unknown_digest_algorithms() {
    // Alone, an unknown algorithm proves nothing.
    assert_eq!(
        check(&[("digest", "MD5=Sd/dVLAcvNLSq16eXua5uQ==")], BODY),
        Err(SignatureError::UnsupportedDigest("Digest"))
    );
    assert_eq!(
        check(
            &[("content-digest", "md5=:Sd/dVLAcvNLSq16eXua5uQ==:")],
            BODY
        ),
        Err(SignatureError::UnsupportedDigest("Content-Digest"))
    );
    // Next to a supported one it is skipped.
    check(
        &[(
            "digest",
            &format!("MD5=Sd/dVLAcvNLSq16eXua5uQ==,SHA-256={SHA256}"),
        )],
        BODY,
    )
    .unwrap();
}

#[test]
fn content_digest_sha256_and_sha512() {
    check(&[("content-digest", &format!("sha-256=:{SHA256}:"))], BODY).unwrap();
    check(&[("content-digest", &format!("sha-512=:{SHA512}:"))], BODY).unwrap();
    check(
        &[(
            "content-digest",
            &format!("sha-256=:{SHA256}:, sha-512=:{SHA512}:"),
        )],
        BODY,
    )
    .unwrap();
    assert_eq!(
        check(&[("content-digest", &format!("sha-512=:{SHA512}:"))], b"{}"),
        Err(SignatureError::DigestMismatch("Content-Digest"))
    );
}

#[test]
fn both_headers_are_checked() {
    assert_eq!(
        check(
            &[
                ("digest", &format!("SHA-256={SHA256}")),
                (
                    "content-digest",
                    &format!("sha-256=:{}:", SHA256.replace('X', "Y"))
                )
            ],
            BODY
        ),
        Err(SignatureError::DigestMismatch("Content-Digest"))
    );
    check(
        &[
            ("digest", &format!("SHA-256={SHA256}")),
            ("content-digest", &format!("sha-512=:{SHA512}:")),
        ],
        BODY,
    )
    .unwrap();
}

#[test]
fn missing_or_malformed_digests() {
    assert_eq!(
        check(&[], BODY),
        Err(SignatureError::MissingHeader("digest".into()))
    );
    for value in ["SHA-256", "SHA-256=not base64!"] {
        assert!(matches!(
            check(&[("digest", value)], BODY),
            Err(SignatureError::Malformed {
                header: "Digest",
                ..
            })
        ));
    }
    for value in [
        "sha-256=\"abc\"",
        "sha-256=(:abc=:)",
        "sha-256=:abc",
        "SHA-256=:abc=:",
    ] {
        assert!(
            matches!(
                check(&[("content-digest", value)], BODY),
                Err(SignatureError::Malformed {
                    header: "Content-Digest",
                    ..
                })
            ),
            "{value}"
        );
    }
    let huge = format!(
        "SHA-256={}",
        "A".repeat(super::super::MAX_SIGNATURE_HEADER_LEN)
    );
    assert_eq!(
        check(&[("digest", &huge)], BODY),
        Err(SignatureError::TooLarge("Digest"))
    );
}
