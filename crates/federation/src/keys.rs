//! RSA key pairs for actors, kept as PEM text (the form ActivityPub publishes and Akkoma stores).

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("key generation failed")]
    Generation,
    #[error("not a PEM document")]
    NotPem,
    #[error("the key was rejected: {0}")]
    Rejected(String),
}

/// A freshly generated key pair, as PEM.
#[derive(Clone)]
pub struct PemKeyPair {
    /// PKCS#8 `PRIVATE KEY`.
    pub private_pem: String,
    /// SubjectPublicKeyInfo `PUBLIC KEY`.
    pub public_pem: String,
}

impl std::fmt::Debug for PemKeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PemKeyPair")
            .field("public_pem", &self.public_pem)
            .finish_non_exhaustive()
    }
}

/// Generates an RSA-2048 key pair, the kind every Fediverse server can verify.
pub fn generate_rsa_2048() -> Result<PemKeyPair, KeyError> {
    let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|_| KeyError::Generation)?;
    let private_der = pair.as_der().map_err(|_| KeyError::Generation)?;
    let public_der = pair
        .public_key()
        .as_der()
        .map_err(|_| KeyError::Generation)?;
    Ok(PemKeyPair {
        private_pem: encode_pem("PRIVATE KEY", private_der.as_ref()),
        public_pem: encode_pem("PUBLIC KEY", public_der.as_ref()),
    })
}

/// Wraps DER bytes in PEM armour with 64-column lines.
pub fn encode_pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut pem = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {label}-----\n"));
    pem
}

/// Reads the first PEM block: its label and DER bytes. Tolerates CRLF and stray spaces,
/// which remote servers' published keys sometimes contain.
pub fn decode_pem(pem: &str) -> Result<(String, Vec<u8>), KeyError> {
    let start = pem.find("-----BEGIN ").ok_or(KeyError::NotPem)?;
    let rest = &pem[start + "-----BEGIN ".len()..];
    let label_end = rest.find("-----").ok_or(KeyError::NotPem)?;
    let label = rest[..label_end].to_owned();
    let body_and_end = &rest[label_end + 5..];
    let end_marker = format!("-----END {label}-----");
    let body_end = body_and_end.find(&end_marker).ok_or(KeyError::NotPem)?;
    let body: String = body_and_end[..body_end]
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let der = STANDARD.decode(body).map_err(|_| KeyError::NotPem)?;
    Ok((label, der))
}

/// Loads a private key from PEM: PKCS#8 (`PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`, as Akkoma stores).
pub fn load_rsa_private_key(pem: &str) -> Result<KeyPair, KeyError> {
    let (label, der) = decode_pem(pem)?;
    let loaded = match label.as_str() {
        "RSA PRIVATE KEY" => KeyPair::from_der(&der),
        _ => KeyPair::from_pkcs8(&der),
    };
    loaded.map_err(|e| KeyError::Rejected(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_round_trip_through_pem() {
        let pair = generate_rsa_2048().unwrap();
        assert!(
            pair.private_pem
                .starts_with("-----BEGIN PRIVATE KEY-----\n")
        );
        assert!(pair.public_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        let key = load_rsa_private_key(&pair.private_pem).unwrap();
        let public_der = key.public_key().as_der().unwrap();
        let (label, der) = decode_pem(&pair.public_pem.replace('\n', "\r\n")).unwrap();
        assert_eq!(label, "PUBLIC KEY");
        assert_eq!(der, public_der.as_ref());
    }

    #[test]
    fn garbage_is_not_a_key() {
        assert!(matches!(decode_pem("hello"), Err(KeyError::NotPem)));
        assert!(
            load_rsa_private_key("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
                .is_err()
        );
    }
}
