//! Public keys in the forms actors publish them.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair as _, RSA_PKCS1_SHA256};

use super::super::{Algorithm, KeyType, PublicKey, SignatureError};
use super::{data_path, ed25519_key, rsa_key};
use crate::keys::encode_pem;

/// RFC 9421 appendix B.1.4, the Ed25519 test key.
pub(super) const RFC_ED25519_PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----\n\
    MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=\n\
    -----END PUBLIC KEY-----\n";
pub(super) const RFC_ED25519_PRIVATE_PEM: &str = "-----BEGIN PRIVATE KEY-----\n\
    MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n\
    -----END PRIVATE KEY-----\n";

fn rsa_sign(message: &[u8]) -> Vec<u8> {
    let key = &rsa_key().private;
    let mut signature = vec![0; key.public_modulus_len()];
    key.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        message,
        &mut signature,
    )
    .unwrap();
    signature
}

#[test]
fn rsa_spki_pem() {
    let key = PublicKey::from_pem(&rsa_key().public_pem).unwrap();
    assert_eq!(key.key_type(), KeyType::Rsa);
    key.verify(Algorithm::RsaPkcs1Sha256, b"hello", &rsa_sign(b"hello"))
        .unwrap();
    assert_eq!(
        key.verify(Algorithm::RsaPkcs1Sha256, b"hellO", &rsa_sign(b"hello")),
        Err(SignatureError::BadSignature)
    );
    // Remote servers' PEM sometimes has CRLF line ends.
    PublicKey::from_pem(&rsa_key().public_pem.replace('\n', "\r\n")).unwrap();
}

#[test]
fn rsa_pkcs1_pem() {
    // aws-lc's RSA public key bytes are the PKCS#1 RSAPublicKey structure.
    let pkcs1 = rsa_key().private.public_key().as_ref().to_vec();
    let key = PublicKey::from_pem(&encode_pem("RSA PUBLIC KEY", &pkcs1)).unwrap();
    assert_eq!(key.key_type(), KeyType::Rsa);
    key.verify(Algorithm::RsaPkcs1Sha256, b"hello", &rsa_sign(b"hello"))
        .unwrap();
}

#[test]
fn short_rsa_keys_are_refused() {
    // PKCS#1 RSAPublicKey with a 1024-bit modulus and e = 65537.
    let mut der = vec![0x30, 0x81, 0x89, 0x02, 0x81, 0x81, 0x00, 0xc1];
    der.extend([0x55; 126]);
    der.extend([0x01, 0x02, 0x03, 0x01, 0x00, 0x01]);
    assert_eq!(
        PublicKey::from_pem(&encode_pem("RSA PUBLIC KEY", &der)).unwrap_err(),
        SignatureError::InvalidKey("RSA keys must have 2048 to 8192 bits, not 1024".into())
    );
}

#[test]
fn ed25519_spki_pem() {
    let key = PublicKey::from_pem(RFC_ED25519_PUBLIC_PEM).unwrap();
    assert_eq!(key.key_type(), KeyType::Ed25519);

    let (_, der) = crate::keys::decode_pem(RFC_ED25519_PRIVATE_PEM).unwrap();
    let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der).unwrap();
    let signature = pair.sign(b"hello");
    key.verify(Algorithm::Ed25519, b"hello", signature.as_ref())
        .unwrap();
    assert_eq!(
        key.verify(Algorithm::RsaPkcs1Sha256, b"hello", signature.as_ref()),
        Err(SignatureError::KeyAlgorithmMismatch {
            algorithm: Algorithm::RsaPkcs1Sha256,
            key: KeyType::Ed25519
        })
    );
}

#[test]
fn ed25519_multibase() {
    let (pair, _) = ed25519_key();
    let mut bytes = vec![0xed, 0x01];
    bytes.extend_from_slice(pair.public_key().as_ref());
    let multibase = format!("z{}", bs58::encode(bytes).into_string());
    assert!(multibase.starts_with("z6Mk"), "{multibase}");
    let key = PublicKey::from_multibase(&multibase).unwrap();
    assert_eq!(key.key_type(), KeyType::Ed25519);
    key.verify(Algorithm::Ed25519, b"hi", pair.sign(b"hi").as_ref())
        .unwrap();
}

#[test]
fn fedify_multikeys() {
    let text = std::fs::read_to_string(data_path("fedify/actor.json")).unwrap();
    let actor: serde_json::Value = serde_json::from_str(&text).unwrap();
    let methods = actor["assertionMethod"].as_array().unwrap();
    let types: Vec<KeyType> = methods
        .iter()
        .map(|m| {
            PublicKey::from_multibase(m["publicKeyMultibase"].as_str().unwrap())
                .unwrap()
                .key_type()
        })
        .collect();
    // Fedify publishes its RSA key as a Multikey too, then an Ed25519 one.
    assert_eq!(types, [KeyType::Rsa, KeyType::Ed25519]);
}

#[test]
fn bad_keys_are_refused() {
    let invalid = |result: Result<PublicKey, SignatureError>| {
        assert!(
            matches!(result, Err(SignatureError::InvalidKey(_))),
            "{result:?}"
        );
    };
    invalid(PublicKey::from_pem("not a key"));
    invalid(PublicKey::from_pem(&encode_pem(
        "PUBLIC KEY",
        b"\x30\x03\x02\x01\x01",
    )));
    invalid(PublicKey::from_pem(&encode_pem("CERTIFICATE", b"\x30\x00")));
    invalid(PublicKey::from_der(&[]));
    invalid(PublicKey::from_multibase("uAAAA"));
    invalid(PublicKey::from_multibase("z0OIl"));
    // A multicodec we do not know (secp256k1-pub, 0xe7).
    invalid(PublicKey::from_multibase(&format!(
        "z{}",
        bs58::encode([0xe7, 0x01, 1, 2, 3]).into_string()
    )));
    // Ed25519 with a short key.
    invalid(PublicKey::from_multibase(&format!(
        "z{}",
        bs58::encode([0xed, 0x01, 1, 2, 3]).into_string()
    )));
    invalid(PublicKey::from_ed25519_bytes(&[0; 31]));
    assert_eq!(
        PublicKey::from_pem(&"A".repeat(20_000)).unwrap_err(),
        SignatureError::TooLarge("the PEM key")
    );
    assert_eq!(
        PublicKey::from_multibase(&"z".repeat(20_000)).unwrap_err(),
        SignatureError::TooLarge("the multibase key")
    );
}
