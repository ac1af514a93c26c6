//! draft-cavage-http-signatures (version 12 and its predecessors): the `Signature:
//! keyId="…",algorithm="…",headers="…",signature="…"` header that Mastodon, Akkoma, GoToSocial,
//! Fedify and bovine send and expect.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::public_key::Algorithm;
use super::request::RequestView;
use super::{
    MAX_COVERED_COMPONENTS, MAX_KEY_ID_LEN, MAX_SIGNATURE_LEN, MAX_SIGNING_STRING_LEN,
    SignatureError,
};

const HEADER: &str = "Signature";

/// The parameters of one draft-cavage signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CavageParams {
    pub key_id: String,
    /// `None` when the sender left it to the key (`hs2019` or no `algorithm`).
    pub algorithm: Option<Algorithm>,
    /// Lower-case header names and `(request-target)`-style pseudo-headers, in signed order.
    pub headers: Vec<String>,
    pub signature: Vec<u8>,
    pub created: Option<i64>,
    pub expires: Option<i64>,
}

/// Parses the parameter list of a `Signature` header (or of `Authorization: Signature …`).
pub(crate) fn parse_params(value: &str) -> Result<CavageParams, SignatureError> {
    let params = split_params(value)?;
    let key_id = params
        .get("keyid")
        .filter(|id| !id.is_empty())
        .ok_or(SignatureError::MissingParameter("keyId"))?;
    if key_id.len() > MAX_KEY_ID_LEN {
        return Err(SignatureError::TooLarge("keyId"));
    }
    let algorithm = match params
        .get("algorithm")
        .map(|a| a.to_ascii_lowercase())
        .as_deref()
    {
        None | Some("hs2019") => None,
        Some("rsa-sha256") => Some(Algorithm::RsaPkcs1Sha256),
        // Not in the draft's registry, but it is what an Ed25519 key would say.
        Some("ed25519") => Some(Algorithm::Ed25519),
        Some(other) => return Err(SignatureError::UnsupportedAlgorithm(other.to_owned())),
    };
    let encoded = params
        .get("signature")
        .ok_or(SignatureError::MissingParameter("signature"))?;
    let signature = STANDARD
        .decode(encoded)
        .map_err(|_| SignatureError::malformed(HEADER, "the signature is not base64"))?;
    if signature.len() > MAX_SIGNATURE_LEN {
        return Err(SignatureError::TooLarge("the signature"));
    }
    // Early drafts' default when `headers` is absent (draft 12 says `(created)`); the coverage
    // rules refuse either.
    let listed = params.get("headers").map(String::as_str).unwrap_or("date");
    let mut headers: Vec<String> = Vec::new();
    for name in listed.split_ascii_whitespace() {
        if headers.len() == MAX_COVERED_COMPONENTS {
            return Err(SignatureError::TooLarge("the list of signed headers"));
        }
        let name = name.to_ascii_lowercase();
        // A repeated name adds nothing but ambiguity.
        if headers.contains(&name) {
            return Err(SignatureError::malformed(
                HEADER,
                format!("{name} is listed twice"),
            ));
        }
        headers.push(name);
    }
    if headers.is_empty() {
        return Err(SignatureError::malformed(HEADER, "headers is empty"));
    }
    Ok(CavageParams {
        key_id: key_id.clone(),
        algorithm,
        headers,
        signature,
        created: params
            .get("created")
            .map(|v| parse_timestamp(v, "created"))
            .transpose()?,
        expires: params
            .get("expires")
            .map(|v| parse_timestamp(v, "expires"))
            .transpose()?,
    })
}

/// Splits `name="value",name=value` into a map with lower-case names (senders differ in case:
/// `keyId` and `keyid` both occur). A repeated name is refused rather than guessed at.
fn split_params(value: &str) -> Result<HashMap<String, String>, SignatureError> {
    let mut params = HashMap::new();
    let mut rest = value.trim_start();
    while !rest.is_empty() {
        let name_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(rest.len());
        if name_len == 0 {
            return Err(SignatureError::malformed(
                HEADER,
                "expected a parameter name",
            ));
        }
        let name = rest[..name_len].to_ascii_lowercase();
        rest = rest[name_len..].trim_start();
        rest = rest
            .strip_prefix('=')
            .ok_or_else(|| SignatureError::malformed(HEADER, format!("{name} has no value")))?
            .trim_start();
        let (value, after) = match rest.strip_prefix('"') {
            Some(quoted) => read_quoted(quoted)?,
            None => {
                // Bare tokens occur for `created` and `expires`.
                let end = rest.find([',', ' ', '\t']).unwrap_or(rest.len());
                (rest[..end].to_owned(), &rest[end..])
            }
        };
        rest = after;
        if params.insert(name.clone(), value).is_some() {
            return Err(SignatureError::malformed(
                HEADER,
                format!("{name} is given twice"),
            ));
        }
        rest = rest.trim_start();
        match rest.strip_prefix(',') {
            Some(after) => rest = after.trim_start(),
            None if rest.is_empty() => {}
            None => {
                return Err(SignatureError::malformed(
                    HEADER,
                    "expected ',' between parameters",
                ));
            }
        }
    }
    Ok(params)
}

/// Reads a quoted string up to its closing quote (after the opening one), honouring `\"` and
/// `\\` escapes as HTTP quoted-strings do. Returns the value and what follows the quote.
fn read_quoted(input: &str) -> Result<(String, &str), SignatureError> {
    let mut value = String::new();
    let mut chars = input.char_indices();
    while let Some((index, c)) = chars.next() {
        match c {
            '"' => return Ok((value, &input[index + 1..])),
            '\\' => match chars.next() {
                Some((_, escaped)) => value.push(escaped),
                None => break,
            },
            _ => value.push(c),
        }
    }
    Err(SignatureError::malformed(
        HEADER,
        "unterminated quoted string",
    ))
}

/// `created` and `expires` are Unix seconds; the draft allows a fractional part for `expires`,
/// which is dropped.
fn parse_timestamp(value: &str, name: &'static str) -> Result<i64, SignatureError> {
    let whole = value.split_once('.').map_or(value, |(whole, _)| whole);
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || whole.len() > 12 {
        return Err(SignatureError::malformed(
            HEADER,
            format!("{name} is not a Unix time"),
        ));
    }
    whole
        .parse()
        .map_err(|_| SignatureError::malformed(HEADER, format!("{name} is not a Unix time")))
}

/// Builds the signing string: one `name: value` line per covered header, joined by `\n`.
pub(crate) fn signing_string(
    request: &RequestView<'_>,
    headers: &[impl AsRef<str>],
    created: Option<i64>,
    expires: Option<i64>,
) -> Result<Vec<u8>, SignatureError> {
    let mut out = Vec::new();
    for (index, name) in headers.iter().enumerate() {
        let name = name.as_ref();
        if index > 0 {
            out.push(b'\n');
        }
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        match name {
            "(request-target)" => {
                out.extend_from_slice(request.method.as_str().to_ascii_lowercase().as_bytes());
                out.push(b' ');
                out.extend_from_slice(request.request_target().as_bytes());
            }
            "(created)" => {
                let created = created.ok_or(SignatureError::MissingParameter("created"))?;
                out.extend_from_slice(created.to_string().as_bytes());
            }
            "(expires)" => {
                let expires = expires.ok_or(SignatureError::MissingParameter("expires"))?;
                out.extend_from_slice(expires.to_string().as_bytes());
            }
            pseudo if pseudo.starts_with('(') => {
                return Err(SignatureError::UnsupportedComponent(pseudo.to_owned()));
            }
            header => out.extend_from_slice(&request.header_value(header)?),
        }
        if out.len() > MAX_SIGNING_STRING_LEN {
            return Err(SignatureError::TooLarge("the signing string"));
        }
    }
    Ok(out)
}
