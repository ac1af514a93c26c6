//! Remote actors' public keys, as they publish them: `publicKeyPem` (SPKI or PKCS#1) or a
//! FEP-521a `publicKeyMultibase`.

use aws_lc_rs::signature::{ED25519, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256};

use super::SignatureError;
use crate::keys::decode_pem;

/// Longest PEM or multibase text accepted: an RSA-8192 key is about 1.5 KB of PEM, so anything
/// much larger is not a key.
const MAX_KEY_TEXT_LEN: usize = 16 * 1024;

/// RSA modulus sizes verified (2048 to 8192 bits), as `RSA_PKCS1_2048_8192_SHA256` requires.
const MIN_RSA_BYTES: usize = 2048 / 8;
const MAX_RSA_BYTES: usize = 8192 / 8;

/// Multicodec prefixes (unsigned varints) used by FEP-521a multibase keys.
const MULTICODEC_ED25519_PUB: [u8; 2] = [0xed, 0x01];
const MULTICODEC_RSA_PUB: [u8; 2] = [0x85, 0x24];

/// The type of a public key, which decides the algorithm when a signature does not name one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// An RSA key, 2048 to 8192 bits.
    Rsa,
    /// An Ed25519 key.
    Ed25519,
}

/// A signature algorithm this module signs and verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256: draft-cavage `rsa-sha256`, RFC 9421 `rsa-v1_5-sha256`.
    RsaPkcs1Sha256,
    /// Ed25519: RFC 9421 `ed25519`.
    Ed25519,
}

impl Algorithm {
    /// The algorithm a key of this type is verified with when the signature leaves it open
    /// (`hs2019`, or no algorithm at all).
    pub fn for_key_type(key_type: KeyType) -> Self {
        match key_type {
            KeyType::Rsa => Self::RsaPkcs1Sha256,
            KeyType::Ed25519 => Self::Ed25519,
        }
    }

    /// The type of key this algorithm needs.
    pub fn key_type(self) -> KeyType {
        match self {
            Self::RsaPkcs1Sha256 => KeyType::Rsa,
            Self::Ed25519 => KeyType::Ed25519,
        }
    }

    /// The RFC 9421 `alg` name.
    pub fn rfc9421_name(self) -> &'static str {
        match self {
            Self::RsaPkcs1Sha256 => "rsa-v1_5-sha256",
            Self::Ed25519 => "ed25519",
        }
    }
}

/// A parsed public key, ready to verify many signatures (cheap to clone, fit for a cache).
///
/// RSA keys must have 2048 to 8192 bits, like every actor key in the Fediverse today.
#[derive(Debug, Clone)]
pub struct PublicKey {
    key_type: KeyType,
    parsed: ParsedPublicKey,
}

impl PublicKey {
    /// Reads a PEM public key: SubjectPublicKeyInfo (`PUBLIC KEY`, RSA or Ed25519) or PKCS#1
    /// (`RSA PUBLIC KEY`, which some older servers publish).
    pub fn from_pem(pem: &str) -> Result<Self, SignatureError> {
        if pem.len() > MAX_KEY_TEXT_LEN {
            return Err(SignatureError::TooLarge("the PEM key"));
        }
        let (label, der) =
            decode_pem(pem).map_err(|e| SignatureError::InvalidKey(e.to_string()))?;
        match label.as_str() {
            "PUBLIC KEY" => Self::from_der(&der),
            "RSA PUBLIC KEY" => Self::rsa_from_der(&der),
            other => Err(SignatureError::InvalidKey(format!(
                "unexpected PEM label {other:?}"
            ))),
        }
    }

    /// Reads DER: a SubjectPublicKeyInfo holding an RSA or an Ed25519 key, or a PKCS#1 RSA key.
    pub fn from_der(der: &[u8]) -> Result<Self, SignatureError> {
        // The SPKI's algorithm identifier decides; trying Ed25519 first is cheap and exact, as
        // aws-lc checks the key type inside the SPKI.
        if let Ok(parsed) = ParsedPublicKey::new(&ED25519, der) {
            return Ok(Self {
                key_type: KeyType::Ed25519,
                parsed,
            });
        }
        Self::rsa_from_der(der)
    }

    /// Reads an FEP-521a `publicKeyMultibase`: `z` and base58btc of a multicodec-tagged key,
    /// Ed25519 (`0xed01` + 32 bytes) or RSA (`0x1205` + PKCS#1 DER, as Fedify publishes).
    pub fn from_multibase(text: &str) -> Result<Self, SignatureError> {
        if text.len() > MAX_KEY_TEXT_LEN {
            return Err(SignatureError::TooLarge("the multibase key"));
        }
        let encoded = text
            .strip_prefix('z')
            .ok_or_else(|| SignatureError::InvalidKey("multibase key is not base58btc".into()))?;
        let bytes = bs58::decode(encoded)
            .into_vec()
            .map_err(|e| SignatureError::InvalidKey(format!("bad base58: {e}")))?;
        if let Some(raw) = bytes.strip_prefix(&MULTICODEC_ED25519_PUB) {
            Self::from_ed25519_bytes(raw)
        } else if let Some(der) = bytes.strip_prefix(&MULTICODEC_RSA_PUB) {
            Self::rsa_from_der(der)
        } else {
            Err(SignatureError::InvalidKey(
                "unsupported multicodec key type".into(),
            ))
        }
    }

    /// Reads a raw 32-byte Ed25519 public key.
    pub fn from_ed25519_bytes(raw: &[u8]) -> Result<Self, SignatureError> {
        if raw.len() != 32 {
            return Err(SignatureError::InvalidKey(
                "an Ed25519 key has 32 bytes".into(),
            ));
        }
        let parsed = ParsedPublicKey::new(&ED25519, raw)
            .map_err(|e| SignatureError::InvalidKey(e.to_string()))?;
        Ok(Self {
            key_type: KeyType::Ed25519,
            parsed,
        })
    }

    /// RSA from PKCS#1 `RSAPublicKey` or SPKI DER (aws-lc accepts both).
    fn rsa_from_der(der: &[u8]) -> Result<Self, SignatureError> {
        // Refused here rather than at each verification, where it would look like a bad
        // signature and set off a pointless key refresh.
        let modulus_bytes = aws_lc_rs::rsa::PublicKey::from_der(der)
            .map_err(|e| SignatureError::InvalidKey(e.to_string()))?
            .modulus_len();
        if !(MIN_RSA_BYTES..=MAX_RSA_BYTES).contains(&modulus_bytes) {
            return Err(SignatureError::InvalidKey(format!(
                "RSA keys must have 2048 to 8192 bits, not {}",
                modulus_bytes * 8
            )));
        }
        let parsed = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, der)
            .map_err(|e| SignatureError::InvalidKey(e.to_string()))?;
        Ok(Self {
            key_type: KeyType::Rsa,
            parsed,
        })
    }

    /// Whether this is an RSA or an Ed25519 key.
    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// Checks `signature` over `message` with `algorithm`, which must fit this key's type.
    pub fn verify(
        &self,
        algorithm: Algorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureError> {
        if algorithm.key_type() != self.key_type {
            return Err(SignatureError::KeyAlgorithmMismatch {
                algorithm,
                key: self.key_type,
            });
        }
        self.parsed
            .verify_sig(message, signature)
            .map_err(|_| SignatureError::BadSignature)
    }
}

impl AsRef<PublicKey> for PublicKey {
    fn as_ref(&self) -> &PublicKey {
        self
    }
}
