//! The delivery transport: one signed POST of an activity to one inbox, and a verdict the job
//! queue can act on (done, try again later, or give up).

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use chrono::Utc;
use http::header::{CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use url::Url;

use super::client::{map_reqwest_error, read_body_limited, to_uri};
use super::{DeliveryError, FetchError, HttpClient};
use crate::signatures::Signer;

/// The media type activities are delivered with, as Mastodon sends them.
pub const ACTIVITY_CONTENT_TYPE: &str = "application/activity+json";

/// Most of a success response read, so the connection can go back to the pool; larger
/// answers are dropped with their connection.
const MAX_DRAINED_BODY: usize = 64 * 1024;

impl HttpClient {
    /// POSTs `body` to `inbox` with `Content-Type: application/activity+json`, signed by
    /// `signer` (which adds the `Digest`), within the configured timeout. Redirects are not
    /// followed: the signature covers the target, and a POST may not be replayed elsewhere.
    ///
    /// 2xx is success. 429 and 5xx, 408, timeouts and network failures are
    /// [`DeliveryError::Retry`], with the server's `Retry-After` when given. Other answers
    /// (4xx, 3xx), refused addresses and signing failures are [`DeliveryError::Permanent`].
    ///
    /// `body` may be a `Vec<u8>`; pass [`Bytes`] to send one activity to many inboxes without
    /// copies.
    pub async fn deliver(
        &self,
        inbox: &Url,
        body: impl Into<Bytes>,
        signer: &dyn Signer,
    ) -> Result<(), DeliveryError> {
        let body: Bytes = body.into();
        let permanent = |error: FetchError| DeliveryError::Permanent {
            status: None,
            reason: error.to_string(),
        };
        let mut inbox = inbox.clone();
        inbox.set_fragment(None);
        self.check_url(&inbox).map_err(permanent)?;
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static(ACTIVITY_CONTENT_TYPE),
        );
        let uri = to_uri(&inbox).map_err(permanent)?;
        signer
            .sign(&Method::POST, &uri, &mut headers, Some(&body), Utc::now())
            .map_err(|e| permanent(e.into()))?;
        let client = self.client().map_err(|e| DeliveryError::Retry {
            status: None,
            retry_after: None,
            reason: e.to_string(),
        })?;
        let sent = client.post(inbox).headers(headers).body(body).send().await;
        let response = match sent {
            Ok(response) => response,
            Err(error) => {
                return Err(match map_reqwest_error(error) {
                    refused @ FetchError::AddressNotAllowed(_) => permanent(refused),
                    other => DeliveryError::Retry {
                        status: None,
                        retry_after: None,
                        reason: other.to_string(),
                    },
                });
            }
        };
        let status = response.status();
        if status.is_success() {
            // Only to keep the connection alive; the delivery has succeeded whatever happens.
            let _ = read_body_limited(response, MAX_DRAINED_BODY).await;
            return Ok(());
        }
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| parse_retry_after(value, SystemTime::now()));
        Err(classify_failure(status, retry_after))
    }
}

/// The answer to a plain [`HttpClient::post`]: its status, and `Retry-After` when given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostAnswer {
    pub status: u16,
    pub retry_after: Option<Duration>,
}

impl HttpClient {
    /// POSTs `body` with `headers` to `url`, unsigned and without following redirects, under
    /// the same address rules and timeout as every request (Web Push messages to a push
    /// service). Any answer is returned for the caller to judge; at most 64 KiB of its body
    /// is read, to keep the connection.
    pub async fn post(
        &self,
        url: &Url,
        headers: HeaderMap,
        body: impl Into<Bytes>,
    ) -> Result<PostAnswer, FetchError> {
        self.check_url(url)?;
        let response = self
            .client()?
            .post(url.clone())
            .headers(headers)
            .body(body.into())
            .send()
            .await
            .map_err(map_reqwest_error)?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| parse_retry_after(value, SystemTime::now()));
        let _ = read_body_limited(response, MAX_DRAINED_BODY).await;
        Ok(PostAnswer {
            status,
            retry_after,
        })
    }
}

/// Sorts a non-2xx answer into retry or give up.
fn classify_failure(status: StatusCode, retry_after: Option<Duration>) -> DeliveryError {
    let reason = format!("the inbox answered HTTP {status}");
    let code = status.as_u16();
    if code == 408 || code == 429 || status.is_server_error() {
        DeliveryError::Retry {
            status: Some(code),
            retry_after,
            reason,
        }
    } else {
        DeliveryError::Permanent {
            status: Some(code),
            reason,
        }
    }
}

/// Reads `Retry-After`: delay-seconds or an HTTP date (a past date means now). Anything else
/// is ignored, leaving the delay to the caller's schedule.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits for u64 is "a very long time".
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000);
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
        assert_eq!(
            parse_retry_after("Wed, 18 Nov 2026 11:08:40 GMT", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 18 Nov 2026 11:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("-5", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("", now), None);
    }

    #[test]
    fn statuses_are_classified() {
        for code in [408, 429, 500, 502, 503, 504] {
            let error = classify_failure(StatusCode::from_u16(code).unwrap(), None);
            assert!(error.is_retryable(), "{code}");
            assert_eq!(error.status(), Some(code));
        }
        for code in [301, 302, 400, 401, 403, 404, 405, 410, 413, 422] {
            let error = classify_failure(StatusCode::from_u16(code).unwrap(), None);
            assert!(!error.is_retryable(), "{code}");
            assert_eq!(error.status(), Some(code));
        }
    }
}
