//! The errors of outgoing HTTP: one for fetching (and discovery), one for delivery, whose only
//! question is whether to try again.

use std::time::Duration;

use crate::signatures::SignatureError;

/// Why a remote document could not be fetched, or was refused once fetched.
///
/// The variants a caller acts on are distinct: [`Gone`](Self::Gone) to record a tombstone,
/// [`NotFound`](Self::NotFound), [`Unauthorized`](Self::Unauthorized) and
/// [`Forbidden`](Self::Forbidden) to retry with a signature or give up, and
/// [`is_transient`](Self::is_transient) to decide whether a later attempt may succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The URL (or an account, a link, a `Location`) could not be parsed or is unusable.
    #[error("invalid URL: {0}")]
    InvalidUrl(String),
    /// The URL's scheme is not `https` (or `http` when allowed).
    #[error("the URL scheme {0:?} is not allowed")]
    SchemeNotAllowed(String),
    /// The host is, or resolves only to, an address that may not be fetched (loopback,
    /// private, link-local…).
    #[error("address not allowed: {0}")]
    AddressNotAllowed(String),
    /// More redirects than the configured limit.
    #[error("more than {0} redirects")]
    TooManyRedirects(usize),
    /// The remote server answered with a status that has no variant of its own.
    #[error("the remote server answered HTTP {0}")]
    Status(u16),
    /// 404: nothing there (now).
    #[error("not found (HTTP 404)")]
    NotFound,
    /// 410: the object was deleted; callers may record a tombstone.
    #[error("gone (HTTP 410)")]
    Gone,
    /// 401: the server wants a (valid) signature.
    #[error("unauthorized (HTTP 401)")]
    Unauthorized,
    /// 403: the server refuses us, signed or not.
    #[error("forbidden (HTTP 403)")]
    Forbidden,
    /// The response's media type is not one accepted for this kind of document.
    #[error("unexpected content type {0:?}")]
    WrongContentType(String),
    /// The body is longer than the limit (in bytes); reading stopped there.
    #[error("the response is larger than {limit} bytes")]
    TooLarge {
        /// The limit that was exceeded.
        limit: usize,
    },
    /// The body is not valid JSON.
    #[error("the response is not JSON: {0}")]
    NotJson(String),
    /// The body is JSON but not an object.
    #[error("the response is not a JSON object")]
    NotAnObject,
    /// The object has no `id` string.
    #[error("the object has no id")]
    MissingId,
    /// The object's `id` is not an absolute `http(s)` URL.
    #[error("the object's id {0:?} is not an http(s) URL")]
    InvalidId(String),
    /// The object's `id` is on another host than the URL it was served from: a server may only
    /// speak for its own objects.
    #[error("the object's id {id:?} is not on {expected_host}")]
    IdMismatch {
        /// Host (and port) the document was served from, after redirects.
        expected_host: String,
        /// The `id` the document claimed.
        id: String,
    },
    /// The document is JSON but not a valid WebFinger JRD or NodeInfo document.
    #[error("invalid document: {0}")]
    InvalidDocument(String),
    /// The account address is not `user@domain`.
    #[error("invalid account address: {0}")]
    InvalidAccount(String),
    /// The request could not be signed (a configuration problem on our side).
    #[error("the request could not be signed: {0}")]
    Signing(#[from] SignatureError),
    /// The request, or reading the body, took longer than the configured timeout.
    #[error("timed out")]
    Timeout,
    /// DNS, connection, TLS or protocol failure.
    #[error("network error: {0}")]
    Network(String),
    /// The [`super::FetchConfig`] is unusable (bad user agent, unreadable CA bundle…).
    #[error("invalid HTTP client configuration: {0}")]
    Config(String),
}

impl FetchError {
    /// Whether the same fetch may succeed later: timeouts, network failures, 429 and 5xx.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Timeout | Self::Network(_) => true,
            Self::Status(status) => *status == 408 || *status == 429 || *status >= 500,
            _ => false,
        }
    }
}

/// Why a delivery failed, sorted by what the caller must do: try again later, or drop it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// Worth another attempt: 5xx, 408, 429, timeouts and network failures.
    #[error("delivery failed, to be retried: {reason}")]
    Retry {
        /// The HTTP status, when the server answered.
        status: Option<u16>,
        /// The server's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
        /// What happened, for logs.
        reason: String,
    },
    /// Retrying the same request cannot help: other 4xx, redirects (not followed for POSTs),
    /// refused addresses, requests that cannot be signed.
    #[error("delivery failed permanently: {reason}")]
    Permanent {
        /// The HTTP status, when the server answered.
        status: Option<u16>,
        /// What happened, for logs.
        reason: String,
    },
}

impl DeliveryError {
    /// Whether the delivery should be attempted again.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Retry { .. })
    }

    /// The HTTP status the server answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Retry { status, .. } | Self::Permanent { status, .. } => *status,
        }
    }

    /// The server's `Retry-After`, if it sent one with a retryable answer.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Retry { retry_after, .. } => *retry_after,
            Self::Permanent { .. } => None,
        }
    }
}
