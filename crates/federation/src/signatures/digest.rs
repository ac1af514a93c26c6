//! Body digests: `Digest` (RFC 3230, what draft-cavage signatures cover) and `Content-Digest`
//! (RFC 9530, what RFC 9421 signatures cover). A signature only covers the digest header, so the
//! body must be checked against it before it is trusted or even parsed.

use aws_lc_rs::digest::{self, SHA256, SHA512};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::HeaderMap;
use sfv::{Dictionary, ListEntry, Parser, Version};

use super::{CONTENT_DIGEST, DIGEST, MAX_SIGNATURE_HEADER_LEN, SignatureError, combined_header};

/// The `Digest` value for a body: `SHA-256=<base64>`, the form Mastodon checks.
pub fn digest_header_value(body: &[u8]) -> String {
    format!("SHA-256={}", STANDARD.encode(digest::digest(&SHA256, body)))
}

/// The `Content-Digest` value for a body: `sha-256=:<base64>:`.
pub fn content_digest_header_value(body: &[u8]) -> String {
    format!(
        "sha-256=:{}:",
        STANDARD.encode(digest::digest(&SHA256, body))
    )
}

/// Checks the body against every `Digest` and `Content-Digest` present.
///
/// Each SHA-256 or SHA-512 entry must match; entries with other algorithms are skipped, but at
/// least one supported entry must exist, so that a sender cannot dodge the check by naming an
/// algorithm we do not know.
pub fn verify_digest(headers: &HeaderMap, body: &[u8]) -> Result<(), SignatureError> {
    let digest = combined_header(headers, &DIGEST, "Digest", MAX_SIGNATURE_HEADER_LEN)?;
    let content_digest = combined_header(
        headers,
        &CONTENT_DIGEST,
        "Content-Digest",
        MAX_SIGNATURE_HEADER_LEN,
    )?;
    if digest.is_none() && content_digest.is_none() {
        return Err(SignatureError::MissingHeader("digest".into()));
    }
    let mut hashes = BodyHashes::new(body);
    let mut checked = 0;
    if let Some(value) = digest {
        checked += check_digest_header(&value, &mut hashes)?;
    }
    if let Some(value) = content_digest {
        checked += check_content_digest_header(&value, &mut hashes)?;
    }
    if checked == 0 {
        // Name the header that was there, so the error says what to fix.
        let header = if headers.contains_key(&DIGEST) {
            "Digest"
        } else {
            "Content-Digest"
        };
        return Err(SignatureError::UnsupportedDigest(header));
    }
    Ok(())
}

/// The body's hashes, each computed at most once however many entries name it: a header packed
/// with repeated entries must not make us hash a large body hundreds of times.
struct BodyHashes<'a> {
    body: &'a [u8],
    sha256: Option<digest::Digest>,
    sha512: Option<digest::Digest>,
}

impl<'a> BodyHashes<'a> {
    fn new(body: &'a [u8]) -> Self {
        Self {
            body,
            sha256: None,
            sha512: None,
        }
    }

    /// The hash for a digest name, compared case-insensitively (bovine sends `sha-256`), or
    /// `None` for an algorithm we do not compute.
    fn get(&mut self, name: &str) -> Option<&[u8]> {
        let (slot, algorithm) = if name.eq_ignore_ascii_case("sha-256") {
            (&mut self.sha256, &SHA256)
        } else if name.eq_ignore_ascii_case("sha-512") {
            (&mut self.sha512, &SHA512)
        } else {
            return None;
        };
        let body = self.body;
        let hash: &digest::Digest = slot.get_or_insert_with(|| digest::digest(algorithm, body));
        Some(hash.as_ref())
    }
}

/// `Digest: SHA-256=abc=, SHA-512=def=`: returns how many supported entries matched.
fn check_digest_header(value: &str, hashes: &mut BodyHashes<'_>) -> Result<usize, SignatureError> {
    let mut checked = 0;
    for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        // Split at the first '=' only: base64 padding is '=' too.
        let (name, encoded) = entry
            .split_once('=')
            .ok_or_else(|| SignatureError::malformed("Digest", "an entry has no '='"))?;
        let Some(actual) = hashes.get(name.trim()) else {
            continue;
        };
        let expected = STANDARD
            .decode(encoded.trim())
            .map_err(|_| SignatureError::malformed("Digest", "the value is not base64"))?;
        if actual != expected.as_slice() {
            return Err(SignatureError::DigestMismatch("Digest"));
        }
        checked += 1;
    }
    Ok(checked)
}

/// `Content-Digest: sha-256=:abc=:` (a structured dictionary): how many supported entries matched.
fn check_content_digest_header(
    value: &str,
    hashes: &mut BodyHashes<'_>,
) -> Result<usize, SignatureError> {
    let dictionary: Dictionary = Parser::new(value)
        .with_version(Version::Rfc8941)
        .parse()
        .map_err(|e| SignatureError::malformed("Content-Digest", e.to_string()))?;
    let mut checked = 0;
    for (name, entry) in &dictionary {
        let Some(actual) = hashes.get(name.as_str()) else {
            continue;
        };
        let expected = match entry {
            ListEntry::Item(item) => item.bare_item.as_byte_sequence(),
            ListEntry::InnerList(_) => None,
        }
        .ok_or_else(|| {
            SignatureError::malformed("Content-Digest", "a value is not a byte sequence")
        })?;
        if actual != expected {
            return Err(SignatureError::DigestMismatch("Content-Digest"));
        }
        checked += 1;
    }
    Ok(checked)
}
