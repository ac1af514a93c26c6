//! A read-only view of a request that yields the values signatures cover, shared by signing and
//! verifying so that both build the same strings.

use http::header::HOST;
use http::uri::Authority;
use http::{HeaderMap, HeaderName, Method, Uri};

use super::{MAX_SIGNING_STRING_LEN, SignatureError};

pub(crate) struct RequestView<'a> {
    pub method: &'a Method,
    pub uri: &'a Uri,
    pub headers: &'a HeaderMap,
}

impl<'a> RequestView<'a> {
    pub fn new(method: &'a Method, uri: &'a Uri, headers: &'a HeaderMap) -> Self {
        Self {
            method,
            uri,
            headers,
        }
    }

    /// The scheme: the URI's when it is absolute, else `https`, the only scheme federation uses
    /// in production (an origin-form URI carries none).
    pub fn scheme(&self) -> String {
        self.uri
            .scheme_str()
            .unwrap_or("https")
            .to_ascii_lowercase()
    }

    /// The authority as RFC 9421 `@authority` wants it: lower-case host, default port dropped.
    /// Taken from the URI when it has one (HTTP/2's `:authority`), else from `Host`.
    pub fn authority(&self) -> Result<String, SignatureError> {
        let parsed;
        let authority = match self.uri.authority() {
            Some(authority) => authority,
            None => {
                let host = self
                    .headers
                    .get(HOST)
                    .ok_or_else(|| SignatureError::MissingHeader("host".into()))?;
                parsed = Authority::try_from(host.as_bytes())
                    .map_err(|_| SignatureError::malformed("Host", "not a host name"))?;
                &parsed
            }
        };
        Ok(normalized_authority(authority, &self.scheme()))
    }

    /// Path and query as in an origin-form request line: draft-cavage `(request-target)` and
    /// RFC 9421 `@request-target`.
    pub fn request_target(&self) -> String {
        match self.uri.query() {
            Some(query) => format!("{}?{query}", self.path()),
            None => self.path().to_owned(),
        }
    }

    /// The path, `/` when empty (RFC 9421 `@path`).
    pub fn path(&self) -> &str {
        match self.uri.path() {
            "" => "/",
            path => path,
        }
    }

    /// `?` and the query, or `?` alone when there is none (RFC 9421 `@query`).
    pub fn query(&self) -> String {
        format!("?{}", self.uri.query().unwrap_or(""))
    }

    /// The absolute target URI (RFC 9421 `@target-uri`).
    pub fn target_uri(&self) -> Result<String, SignatureError> {
        Ok(format!(
            "{}://{}{}",
            self.scheme(),
            self.authority()?,
            self.request_target()
        ))
    }

    /// A header's value for a signature: each field line trimmed, lines joined with `", "`.
    /// `host` falls back to the URI's authority, as HTTP/2 carries it in `:authority` instead.
    pub fn header_value(&self, name: &str) -> Result<Vec<u8>, SignatureError> {
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            SignatureError::malformed("signature", format!("bad header name {name:?}"))
        })?;
        let mut lines = self.headers.get_all(&header).iter().peekable();
        if lines.peek().is_none() {
            if header == HOST
                && let Some(authority) = self.uri.authority()
            {
                return Ok(authority.as_str().as_bytes().to_vec());
            }
            return Err(SignatureError::MissingHeader(name.to_owned()));
        }
        let mut value = Vec::new();
        for (index, line) in lines.enumerate() {
            if index > 0 {
                value.extend_from_slice(b", ");
            }
            value.extend_from_slice(line.as_bytes().trim_ascii());
            if value.len() > MAX_SIGNING_STRING_LEN {
                return Err(SignatureError::TooLarge("a covered header"));
            }
        }
        Ok(value)
    }
}

/// Lower-cases the host and drops the port when it is the scheme's default.
pub(crate) fn normalized_authority(authority: &Authority, scheme: &str) -> String {
    let host = authority.host().to_ascii_lowercase();
    match authority.port_u16() {
        Some(443) if scheme == "https" => host,
        Some(80) if scheme == "http" => host,
        Some(port) => format!("{host}:{port}"),
        None => host,
    }
}
