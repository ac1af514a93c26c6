//! HTTP signatures: signing outgoing requests with draft-cavage (what Mastodon, Akkoma,
//! GoToSocial, Fedify and bovine verify) and verifying incoming ones, draft-cavage or RFC 9421,
//! together with the body digest and the clock window that give a signature its meaning.
//!
//! An inbox checks a POST in this order, all before the body is parsed as JSON:
//!
//! ```ignore
//! let parsed = ParsedSignature::from_request(&method, &uri, &headers)?; // shape and coverage
//! parsed.check_time(now)?;                                              // replay window
//! verify_digest(&headers, &body)?;                                      // body integrity
//! let key = parsed
//!     .verify_with_key_lookup(|key_id, lookup| keys.get(key_id, lookup)) // cache, then refresh
//!     .await?;
//! // then: the key's owner must be the activity's actor.
//! ```
//!
//! Every input is bounded (see the `MAX_*` constants) and every failure is a [`SignatureError`].

mod cavage;
mod date;
mod digest;
mod error;
mod public_key;
mod request;
mod rfc9421;
mod sign;
mod verify;

#[cfg(test)]
mod tests;

use http::{HeaderMap, HeaderName};

pub use date::{
    MAX_CLOCK_SKEW, MAX_SIGNATURE_AGE, check_created, check_date, check_date_header,
    format_http_date, parse_http_date,
};
pub use digest::{content_digest_header_value, digest_header_value, verify_digest};
pub use error::SignatureError;
pub use public_key::{Algorithm, KeyType, PublicKey};
pub use sign::{CavageSigner, Rfc9421Signer, Signer, SigningKey, sign_request};
pub use verify::{KeyLookup, KeyLookupError, ParsedSignature, SignatureScheme};

/// Longest `Signature`, `Signature-Input`, `Authorization` or digest header accepted. Real ones
/// are under 1 KiB even with RSA-4096.
pub const MAX_SIGNATURE_HEADER_LEN: usize = 8 * 1024;
/// Most headers or components one signature may cover.
pub const MAX_COVERED_COMPONENTS: usize = 64;
/// Longest signing string or signature base built; it bounds the covered header values too.
pub const MAX_SIGNING_STRING_LEN: usize = 64 * 1024;
/// Longest key id accepted.
pub const MAX_KEY_ID_LEN: usize = 2048;
/// Longest decoded signature: RSA-8192 gives 1024 bytes.
pub const MAX_SIGNATURE_LEN: usize = 1024;

pub(crate) const SIGNATURE: HeaderName = HeaderName::from_static("signature");
pub(crate) const SIGNATURE_INPUT: HeaderName = HeaderName::from_static("signature-input");
pub(crate) const DIGEST: HeaderName = HeaderName::from_static("digest");
pub(crate) const CONTENT_DIGEST: HeaderName = HeaderName::from_static("content-digest");

/// All field lines of a header as one value (trimmed, joined with `", "` as HTTP allows), or
/// `None` when absent. Refuses values that are not visible ASCII or are longer than `max_len`.
pub(crate) fn combined_header(
    headers: &HeaderMap,
    name: &HeaderName,
    label: &'static str,
    max_len: usize,
) -> Result<Option<String>, SignatureError> {
    let mut combined: Option<String> = None;
    for line in headers.get_all(name) {
        if line.len() > max_len {
            return Err(SignatureError::TooLarge(label));
        }
        let text = line
            .to_str()
            .map_err(|_| SignatureError::malformed(label, "not visible ASCII"))?
            .trim();
        match combined.as_mut() {
            None => combined = Some(text.to_owned()),
            Some(value) => {
                value.push_str(", ");
                value.push_str(text);
            }
        }
        if combined.as_ref().is_some_and(|value| value.len() > max_len) {
            return Err(SignatureError::TooLarge(label));
        }
    }
    Ok(combined)
}
