//! Signing outgoing requests. Callers hold a [`Signer`], so that the scheme (draft-cavage today;
//! RFC 9421 with a draft-cavage fall-back later) can change without touching them.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeyPair as RsaKeyPair;
use aws_lc_rs::signature::{Ed25519KeyPair, RSA_PKCS1_SHA256};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use http::header::{CONTENT_TYPE, DATE, HOST};
use http::{HeaderMap, HeaderValue, Method, Uri};
use sfv::{KeyRef, key_ref};

use super::date::format_http_date;
use super::digest::{content_digest_header_value, digest_header_value};
use super::public_key::Algorithm;
use super::request::{RequestView, normalized_authority};
use super::{CONTENT_DIGEST, DIGEST, SIGNATURE, SIGNATURE_INPUT, SignatureError, cavage, rfc9421};

/// Something that signs outgoing requests for one key.
pub trait Signer: Send + Sync {
    /// The key id that receivers will look up (`https://host/users/alice#main-key`).
    fn key_id(&self) -> &str;

    /// Adds the signature to a request about to be sent, together with the headers it covers
    /// (`Host` when absent, `Date`, and the body digest). `body` is the exact bytes to be sent;
    /// pass `Some(b"")` for an empty POST body, `None` for a GET.
    fn sign(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &mut HeaderMap,
        body: Option<&[u8]>,
        now: DateTime<Utc>,
    ) -> Result<(), SignatureError>;
}

/// A private key for signing: RSA for everything the Fediverse verifies today, Ed25519 for
/// RFC 9421 receivers.
#[derive(Debug)]
pub enum SigningKey {
    /// Signs RSASSA-PKCS1-v1_5 SHA-256.
    Rsa(RsaKeyPair),
    /// Signs Ed25519.
    Ed25519(Ed25519KeyPair),
}

impl SigningKey {
    /// The algorithm this key signs with.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            Self::Rsa(_) => Algorithm::RsaPkcs1Sha256,
            Self::Ed25519(_) => Algorithm::Ed25519,
        }
    }

    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignatureError> {
        match self {
            Self::Rsa(key) => rsa_sign(key, message),
            Self::Ed25519(key) => Ok(key.sign(message).as_ref().to_vec()),
        }
    }
}

fn rsa_sign(key: &RsaKeyPair, message: &[u8]) -> Result<Vec<u8>, SignatureError> {
    let mut signature = vec![0; key.public_modulus_len()];
    key.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        message,
        &mut signature,
    )
    .map_err(|_| SignatureError::SigningFailed)?;
    Ok(signature)
}

/// Signs with draft-cavage `rsa-sha256`, which every Fediverse server verifies.
#[derive(Debug)]
pub struct CavageSigner {
    key_id: String,
    key: RsaKeyPair,
}

impl CavageSigner {
    /// A signer for `key`, published at `key_id`.
    pub fn new(key_id: impl Into<String>, key: RsaKeyPair) -> Self {
        Self {
            key_id: key_id.into(),
            key,
        }
    }
}

impl Signer for CavageSigner {
    fn key_id(&self) -> &str {
        &self.key_id
    }

    fn sign(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &mut HeaderMap,
        body: Option<&[u8]>,
        now: DateTime<Utc>,
    ) -> Result<(), SignatureError> {
        sign_request(method, uri, headers, body, &self.key_id, &self.key, now)
    }
}

/// Signs a request with draft-cavage `rsa-sha256` (see [`CavageSigner`]).
///
/// Sets `Host` when absent, `Date`, and for a body `Digest: SHA-256=…`; then `Signature` over
/// `(request-target) host date digest content-type` (`content-type` when set), or over
/// `(request-target) host date` without a body. `Accept` is not covered on GETs: it only chooses
/// the representation that comes back, so signing it protects nothing, while a proxy that
/// rewrites it would break the signature. GoToSocial signs GETs the same way.
pub fn sign_request(
    method: &Method,
    uri: &Uri,
    headers: &mut HeaderMap,
    body: Option<&[u8]>,
    key_id: &str,
    key: &RsaKeyPair,
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    // The key id goes into a quoted string; quotes, backslashes and controls would break it.
    if key_id.is_empty()
        || key_id
            .bytes()
            .any(|b| !(b' '..=b'~').contains(&b) || b == b'"' || b == b'\\')
    {
        return Err(SignatureError::InvalidKeyId);
    }
    set_host_and_date(uri, headers, now)?;
    let mut covered = vec!["(request-target)", "host", "date"];
    if let Some(body) = body {
        headers.insert(DIGEST, header_value(&digest_header_value(body))?);
        covered.push("digest");
        if headers.contains_key(CONTENT_TYPE) {
            covered.push("content-type");
        }
    }
    let request = RequestView::new(method, uri, headers);
    let signing_string = cavage::signing_string(&request, &covered, None, None)?;
    let signature = rsa_sign(key, &signing_string)?;
    let value = format!(
        "keyId=\"{key_id}\",algorithm=\"rsa-sha256\",headers=\"{}\",signature=\"{}\"",
        covered.join(" "),
        STANDARD.encode(signature)
    );
    headers.insert(SIGNATURE, header_value(&value)?);
    // A `Signature-Input` left from an RFC 9421 attempt would make receivers read this
    // `Signature` as RFC 9421.
    headers.remove(SIGNATURE_INPUT);
    Ok(())
}

/// Signs with RFC 9421: `Signature-Input: sig1=("@method" "@target-uri" …);created=…;keyid=…;alg=…`.
///
/// Covers `@method` and `@target-uri`, plus `content-type` (when set) and `content-digest` for
/// a body. Not yet used for delivery, since most servers verify only draft-cavage; it is here
/// for tests and for the RFC 9421 first, draft-cavage fall-back delivery to come.
#[derive(Debug)]
pub struct Rfc9421Signer {
    key_id: String,
    key: SigningKey,
}

/// The label of the signature this server adds.
const LABEL: &KeyRef = key_ref("sig1");

impl Rfc9421Signer {
    /// A signer for `key`, published at `key_id`.
    pub fn new(key_id: impl Into<String>, key: SigningKey) -> Self {
        Self {
            key_id: key_id.into(),
            key,
        }
    }
}

impl Signer for Rfc9421Signer {
    fn key_id(&self) -> &str {
        &self.key_id
    }

    fn sign(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &mut HeaderMap,
        body: Option<&[u8]>,
        now: DateTime<Utc>,
    ) -> Result<(), SignatureError> {
        if uri.scheme().is_none() {
            // `@target-uri` must be the URI the receiver sees; guessing the scheme could sign
            // the wrong one.
            return Err(SignatureError::RelativeUri);
        }
        set_host_and_date(uri, headers, now)?;
        let mut components = vec!["@method", "@target-uri"];
        if let Some(body) = body {
            headers.insert(
                CONTENT_DIGEST,
                header_value(&content_digest_header_value(body))?,
            );
            if headers.contains_key(CONTENT_TYPE) {
                components.push("content-type");
            }
            components.push("content-digest");
        }
        let params = rfc9421::signature_params(
            &components,
            now.timestamp(),
            &self.key_id,
            self.key.algorithm(),
        )?;
        let request = RequestView::new(method, uri, headers);
        let (base, _) = rfc9421::signature_base(&request, &params)?;
        let signature = self.key.sign(&base)?;
        let input = header_value(&rfc9421::signature_input_header(LABEL, &params))?;
        let signature = header_value(&rfc9421::signature_header(LABEL, &signature))?;
        headers.insert(SIGNATURE_INPUT, input);
        headers.insert(SIGNATURE, signature);
        Ok(())
    }
}

/// Sets `Host` from the URI when the caller has not, and `Date` to `now`.
fn set_host_and_date(
    uri: &Uri,
    headers: &mut HeaderMap,
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    if !headers.contains_key(HOST) {
        let authority = uri.authority().ok_or(SignatureError::RelativeUri)?;
        let host = normalized_authority(
            authority,
            &uri.scheme_str().unwrap_or("https").to_ascii_lowercase(),
        );
        headers.insert(HOST, header_value(&host)?);
    }
    headers.insert(DATE, header_value(&format_http_date(now))?);
    Ok(())
}

/// Every value built here is visible ASCII once the key id has been checked, so a failure can
/// only come from the key id.
fn header_value(text: &str) -> Result<HeaderValue, SignatureError> {
    HeaderValue::from_str(text).map_err(|_| SignatureError::InvalidKeyId)
}
