//! HTTP dates and the clock window that limits how long a captured signed request can be replayed.

use chrono::{DateTime, TimeDelta, Utc};
use http::HeaderMap;
use http::header::DATE;

use super::{SignatureError, combined_header};

/// How old a signature may be. Twelve hours is Mastodon's window too: remote queues retry
/// deliveries for hours, and a shorter window would refuse them.
pub const MAX_SIGNATURE_AGE: TimeDelta = TimeDelta::hours(12);

/// How far in the future a signature may be dated, for senders whose clocks run fast.
pub const MAX_CLOCK_SKEW: TimeDelta = TimeDelta::hours(1);

/// Longest `Date` value accepted; a real one is 29 bytes.
const MAX_DATE_LEN: usize = 64;

/// Formats an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form RFC 9110 says to send.
pub fn format_http_date(time: DateTime<Utc>) -> String {
    time.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Parses an HTTP date in any of the three forms RFC 9110 says recipients must accept.
pub fn parse_http_date(text: &str) -> Result<DateTime<Utc>, SignatureError> {
    httpdate::parse_http_date(text.trim())
        .map(DateTime::<Utc>::from)
        .map_err(|_| SignatureError::malformed("Date", "not an HTTP date"))
}

/// Checks that a signing time lies inside the window: at most [`MAX_SIGNATURE_AGE`] old and at
/// most [`MAX_CLOCK_SKEW`] ahead of `now`.
pub fn check_date(signed_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), SignatureError> {
    let age = now.signed_duration_since(signed_at);
    if age > MAX_SIGNATURE_AGE {
        return Err(SignatureError::DateTooOld {
            age_seconds: age.num_seconds(),
        });
    }
    if -age > MAX_CLOCK_SKEW {
        return Err(SignatureError::DateInFuture {
            ahead_seconds: -age.num_seconds(),
        });
    }
    Ok(())
}

/// Checks a Unix-seconds signing time (`created` of draft-cavage and RFC 9421) against the window.
pub fn check_created(created: i64, now: DateTime<Utc>) -> Result<(), SignatureError> {
    let signed_at = DateTime::<Utc>::from_timestamp(created, 0)
        .ok_or_else(|| SignatureError::malformed("signature", "created is out of range"))?;
    check_date(signed_at, now)
}

/// Reads the `Date` header and checks it against the window.
pub fn check_date_header(headers: &HeaderMap, now: DateTime<Utc>) -> Result<(), SignatureError> {
    let value = combined_header(headers, &DATE, "Date", MAX_DATE_LEN)?
        .ok_or_else(|| SignatureError::MissingHeader("date".into()))?;
    check_date(parse_http_date(&value)?, now)
}
