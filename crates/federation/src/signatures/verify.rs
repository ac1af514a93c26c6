//! Verifying incoming requests: parse first (cheap, no key needed), then check the clock and the
//! body digest, then fetch the key by its id and check the signature, retrying once with a
//! refreshed key when a remote server may have rotated it.

use std::future::Future;

use chrono::{DateTime, Utc};
use http::header::{AUTHORIZATION, DATE};
use http::{HeaderMap, Method, Uri};

use super::date::{check_created, check_date, parse_http_date};
use super::public_key::{Algorithm, PublicKey};
use super::request::RequestView;
use super::{
    MAX_SIGNATURE_HEADER_LEN, SIGNATURE, SIGNATURE_INPUT, SignatureError, cavage, combined_header,
    rfc9421,
};

/// Which specification a signature follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureScheme {
    /// draft-cavage-http-signatures, from `Signature` or `Authorization: Signature`.
    Cavage,
    /// RFC 9421, from `Signature-Input` and `Signature`, with the label that was checked.
    Rfc9421 {
        /// The dictionary key shared by `Signature-Input` and `Signature` (e.g. `sig1`).
        label: String,
    },
}

/// Whether a key lookup may answer from its cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyLookup {
    /// First attempt: a cached key is fine.
    Cached,
    /// The cached key did not verify the signature: fetch the key again, bypassing the cache
    /// (the remote server may have rotated it).
    Refresh,
}

/// Failure of [`ParsedSignature::verify_with_key_lookup`]: the caller's lookup failed, or the
/// signature was refused.
#[derive(Debug, thiserror::Error)]
pub enum KeyLookupError<E> {
    /// The caller's lookup failed (e.g. the actor could not be fetched).
    #[error("the signing key could not be looked up: {0}")]
    Lookup(#[source] E),
    /// The signature did not verify, with the refreshed key if one was fetched.
    #[error(transparent)]
    Signature(#[from] SignatureError),
}

/// A signature read from an incoming request, with the exact bytes that were signed.
///
/// Construct it with [`ParsedSignature::from_request`] before touching the body; then call
/// [`check_time`](Self::check_time), [`super::verify_digest`] for requests with a body, and
/// [`verify`](Self::verify) (or [`verify_with_key_lookup`](Self::verify_with_key_lookup)) with
/// the key named by [`key_id`](Self::key_id). Whether that key belongs to the activity's actor is
/// the caller's check.
#[derive(Debug, Clone)]
pub struct ParsedSignature {
    scheme: SignatureScheme,
    key_id: String,
    algorithm: Option<Algorithm>,
    components: Vec<String>,
    signing_string: Vec<u8>,
    signature: Vec<u8>,
    /// Signed creation time (Unix seconds), only when the signature covers it.
    created: Option<i64>,
    /// Signed expiry time (Unix seconds), only when the signature covers it.
    expires: Option<i64>,
    /// The `Date` header, only when the signature covers it.
    date: Option<DateTime<Utc>>,
}

impl ParsedSignature {
    /// Reads the signature of a request and checks that it covers what a Fediverse request
    /// must: the method and target, the host, a signing time, and for requests other than GET
    /// and HEAD the body digest.
    ///
    /// RFC 9421 is used when `Signature-Input` is present, else draft-cavage. `uri` may be the
    /// origin-form URI a server sees; RFC 9421's `@target-uri` and `@scheme` then assume
    /// `https` and the `Host` header, so pass the absolute URI if the public scheme differs.
    pub fn from_request(
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
    ) -> Result<Self, SignatureError> {
        let parsed = Self::parse(method, uri, headers)?;
        parsed.check_coverage(method)?;
        Ok(parsed)
    }

    /// Parses without the coverage rules of [`from_request`](Self::from_request): for test
    /// vectors that sign less than the Fediverse requires.
    pub(crate) fn parse(
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
    ) -> Result<Self, SignatureError> {
        let request = RequestView::new(method, uri, headers);
        let input = combined_header(
            headers,
            &SIGNATURE_INPUT,
            "Signature-Input",
            MAX_SIGNATURE_HEADER_LEN,
        )?;
        if let Some(input) = input {
            let signature =
                combined_header(headers, &SIGNATURE, "Signature", MAX_SIGNATURE_HEADER_LEN)?
                    .ok_or_else(|| SignatureError::MissingHeader("signature".into()))?;
            let parsed = rfc9421::parse(&request, &input, &signature)?;
            let date = covered_date(headers, &parsed.components)?;
            return Ok(Self {
                scheme: SignatureScheme::Rfc9421 {
                    label: parsed.label,
                },
                key_id: parsed.key_id,
                algorithm: parsed.algorithm,
                components: parsed.components,
                signing_string: parsed.base,
                signature: parsed.signature,
                created: parsed.created,
                expires: parsed.expires,
                date,
            });
        }

        let params = cavage::parse_params(&cavage_header(headers)?)?;
        let signing_string =
            cavage::signing_string(&request, &params.headers, params.created, params.expires)?;
        let covers = |name: &str| params.headers.iter().any(|h| h == name);
        Ok(Self {
            scheme: SignatureScheme::Cavage,
            date: covered_date(headers, &params.headers)?,
            // An uncovered `created` or `expires` parameter is not signed, so not trusted.
            created: params.created.filter(|_| covers("(created)")),
            expires: params.expires.filter(|_| covers("(expires)")),
            key_id: params.key_id,
            algorithm: params.algorithm,
            components: params.headers,
            signing_string,
            signature: params.signature,
        })
    }

    fn check_coverage(&self, method: &Method) -> Result<(), SignatureError> {
        let covers = |name: &str| self.components.iter().any(|c| c == name);
        // Without a signed digest, the body could be swapped under a valid signature.
        let has_body = !(method == Method::GET || method == Method::HEAD);
        if has_body && !(covers("digest") || covers("content-digest")) {
            return Err(SignatureError::NotCovered("digest or content-digest"));
        }
        match self.scheme {
            SignatureScheme::Cavage => {
                if !covers("(request-target)") {
                    return Err(SignatureError::NotCovered("(request-target)"));
                }
                if !covers("host") {
                    return Err(SignatureError::NotCovered("host"));
                }
                if !(covers("date") || covers("(created)")) {
                    return Err(SignatureError::NotCovered("date or (created)"));
                }
            }
            SignatureScheme::Rfc9421 { .. } => {
                if !covers("@method") {
                    return Err(SignatureError::NotCovered("@method"));
                }
                let target = covers("@target-uri")
                    || ((covers("@authority") || covers("host"))
                        && (covers("@request-target") || covers("@path")));
                if !target {
                    return Err(SignatureError::NotCovered(
                        "@target-uri, or @authority and @path",
                    ));
                }
                if !(self.created.is_some() || covers("date")) {
                    return Err(SignatureError::NotCovered("created or date"));
                }
            }
        }
        Ok(())
    }

    /// The key id, to look the key up (e.g. `https://host/users/alice#main-key`).
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Whether this is a draft-cavage or an RFC 9421 signature.
    pub fn scheme(&self) -> &SignatureScheme {
        &self.scheme
    }

    /// The declared algorithm; `None` when the key's type decides (`hs2019`, or none given).
    pub fn algorithm(&self) -> Option<Algorithm> {
        self.algorithm
    }

    /// The covered headers and components, lower-case, in signed order.
    pub fn covered_components(&self) -> &[String] {
        &self.components
    }

    /// The exact bytes that were signed: the draft-cavage signing string or the RFC 9421
    /// signature base. Useful in logs when a remote server's signatures do not verify.
    pub fn signing_string(&self) -> &[u8] {
        &self.signing_string
    }

    /// When the request was signed, by its signed `created` or its signed `Date`.
    pub fn signed_at(&self) -> Option<DateTime<Utc>> {
        self.created
            .and_then(|c| DateTime::from_timestamp(c, 0))
            .or(self.date)
    }

    /// Checks the signed times against the replay window (see [`super::check_date`]) and the
    /// signature's own `expires`. A signature that signs no time at all is refused.
    pub fn check_time(&self, now: DateTime<Utc>) -> Result<(), SignatureError> {
        if self.created.is_none() && self.date.is_none() {
            return Err(SignatureError::NotCovered("date or created"));
        }
        if let Some(created) = self.created {
            check_created(created, now)?;
        }
        if let Some(date) = self.date {
            check_date(date, now)?;
        }
        if let Some(expires) = self.expires
            && now.timestamp() > expires
        {
            return Err(SignatureError::Expired);
        }
        Ok(())
    }

    /// Checks the signature with `key`. With no declared algorithm the key's type decides:
    /// RSA keys verify RSASSA-PKCS1-v1_5 SHA-256 (what `hs2019` means in practice), Ed25519
    /// keys Ed25519.
    pub fn verify(&self, key: &PublicKey) -> Result<(), SignatureError> {
        let algorithm = self
            .algorithm
            .unwrap_or_else(|| Algorithm::for_key_type(key.key_type()));
        key.verify(algorithm, &self.signing_string, &self.signature)
    }

    /// Looks the key up by id and verifies; when that fails in a way a newer key could fix,
    /// looks it up once more with [`KeyLookup::Refresh`] and verifies again. Returns what the
    /// lookup returned for the key that verified (it may carry the key's owner too).
    pub async fn verify_with_key_lookup<K, E, F, Fut>(
        &self,
        mut lookup: F,
    ) -> Result<K, KeyLookupError<E>>
    where
        K: AsRef<PublicKey>,
        F: FnMut(String, KeyLookup) -> Fut,
        Fut: Future<Output = Result<K, E>>,
    {
        let key = lookup(self.key_id.clone(), KeyLookup::Cached)
            .await
            .map_err(KeyLookupError::Lookup)?;
        match self.verify(key.as_ref()) {
            Ok(()) => return Ok(key),
            Err(error) if error.may_succeed_with_fresh_key() => {}
            Err(error) => return Err(error.into()),
        }
        let key = lookup(self.key_id.clone(), KeyLookup::Refresh)
            .await
            .map_err(KeyLookupError::Lookup)?;
        self.verify(key.as_ref())?;
        Ok(key)
    }
}

/// The draft-cavage parameters: from `Signature`, else from `Authorization: Signature …`.
fn cavage_header(headers: &HeaderMap) -> Result<String, SignatureError> {
    if headers.get_all(&SIGNATURE).iter().count() > 1 {
        return Err(SignatureError::malformed(
            "Signature",
            "sent more than once",
        ));
    }
    if let Some(value) =
        combined_header(headers, &SIGNATURE, "Signature", MAX_SIGNATURE_HEADER_LEN)?
    {
        return Ok(value);
    }
    if headers.get_all(AUTHORIZATION).iter().count() > 1 {
        return Err(SignatureError::malformed(
            "Authorization",
            "sent more than once",
        ));
    }
    let authorization = combined_header(
        headers,
        &AUTHORIZATION,
        "Authorization",
        MAX_SIGNATURE_HEADER_LEN,
    )?;
    if let Some(value) = authorization
        && let Some((scheme, params)) = value.split_once(' ')
        && scheme.eq_ignore_ascii_case("signature")
    {
        return Ok(params.to_owned());
    }
    Err(SignatureError::MissingHeader("signature".into()))
}

/// The `Date` header when it is among the covered components; a covered but unreadable date
/// is an error now rather than a silent pass later.
fn covered_date(
    headers: &HeaderMap,
    components: &[String],
) -> Result<Option<DateTime<Utc>>, SignatureError> {
    if !components.iter().any(|c| c == "date") {
        return Ok(None);
    }
    let value = combined_header(headers, &DATE, "Date", MAX_SIGNATURE_HEADER_LEN)?
        .ok_or_else(|| SignatureError::MissingHeader("date".into()))?;
    parse_http_date(&value).map(Some)
}
