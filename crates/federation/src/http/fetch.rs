//! Fetching JSON documents: ActivityPub objects (signed when asked), and the JSON of WebFinger
//! and NodeInfo. Redirects are followed by hand, each hop checked and signed like the first.

use http::StatusCode;
use http::header::LOCATION;
use serde_json::Value;
use url::Url;

use super::client::{media_type, read_body_limited};
use super::{FetchError, HttpClient, host_of};
use crate::signatures::Signer;

/// The `Accept` header for ActivityPub objects, as Mastodon sends it.
pub const ACTIVITY_ACCEPT: &str = "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";

/// Media types accepted as ActivityPub: `application/json` too, which some servers send.
const ACTIVITY_TYPES: &[&str] = &[
    "application/activity+json",
    "application/ld+json",
    "application/json",
];

/// What one kind of document is requested with and may be answered with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DocumentKind {
    pub accept: &'static str,
    pub media_types: &'static [&'static str],
}

pub(crate) const ACTIVITY: DocumentKind = DocumentKind {
    accept: ACTIVITY_ACCEPT,
    media_types: ACTIVITY_TYPES,
};

/// A JSON object fetched from a remote server.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched {
    /// Where the document was finally served from, after redirects: the origin that vouches
    /// for it.
    pub final_url: Url,
    /// The document, always a JSON object.
    pub json: Value,
}

/// An ActivityPub object whose `id` is on the host that served it.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchedObject {
    /// The object's `id`, checked to be on the host of `final_url`.
    pub id: Url,
    /// Where the document was finally served from, after redirects.
    pub final_url: Url,
    /// The document, always a JSON object.
    pub json: Value,
}

impl HttpClient {
    /// Fetches a JSON-LD document: GET with the ActivityPub `Accept` header, signed when a
    /// signer is given (servers in "authorized fetch" mode require it), following at most
    /// `max_redirects` redirects. The answer must be 2xx, ActivityPub or JSON media type, no
    /// larger than `max_body_bytes`, and a JSON object.
    ///
    /// Nothing about the document's `id` is checked: use [`fetch_object`](Self::fetch_object)
    /// for anything to be trusted as the object it claims to be.
    pub async fn fetch_json(
        &self,
        url: &Url,
        signer: Option<&dyn Signer>,
    ) -> Result<Fetched, FetchError> {
        self.get_json_document(url, ACTIVITY, signer).await
    }

    /// Fetches an ActivityPub object like [`fetch_json`](Self::fetch_json), then checks that it
    /// has an `id` on the host (and port) it was finally served from. Without this check any
    /// server could serve a document claiming to be another server's actor or note.
    pub async fn fetch_object(
        &self,
        url: &Url,
        signer: Option<&dyn Signer>,
    ) -> Result<FetchedObject, FetchError> {
        let Fetched { final_url, json } = self.fetch_json(url, signer).await?;
        let id = checked_id(&json, &final_url)?;
        Ok(FetchedObject {
            id,
            final_url,
            json,
        })
    }

    /// GETs a JSON object of the given kind, following redirects by hand.
    pub(crate) async fn get_json_document(
        &self,
        url: &Url,
        kind: DocumentKind,
        signer: Option<&dyn Signer>,
    ) -> Result<Fetched, FetchError> {
        let mut current = url.clone();
        let mut redirects = 0;
        loop {
            // Fragments are not sent, and would not parse as a request target.
            current.set_fragment(None);
            let response = self.send_get(&current, kind.accept, signer).await?;
            let status = response.status();
            if is_followed_redirect(status) {
                if redirects >= self.config.max_redirects {
                    return Err(FetchError::TooManyRedirects(self.config.max_redirects));
                }
                redirects += 1;
                current = redirect_target(&current, response.headers().get(LOCATION))?;
                continue;
            }
            check_status(status)?;
            match media_type(&response) {
                Some(media) if kind.media_types.contains(&media.as_str()) => {}
                other => return Err(FetchError::WrongContentType(other.unwrap_or_default())),
            }
            let body = read_body_limited(response, self.config.max_body_bytes).await?;
            let json: Value =
                serde_json::from_slice(&body).map_err(|e| FetchError::NotJson(e.to_string()))?;
            if !json.is_object() {
                return Err(FetchError::NotAnObject);
            }
            return Ok(Fetched {
                final_url: current,
                json,
            });
        }
    }
}

/// A file (an image, a video…) fetched for the media cache.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchedFile {
    pub final_url: Url,
    pub bytes: Vec<u8>,
}

impl HttpClient {
    /// Fetches a file of at most `max_bytes`, unsigned (as servers fetch each other's media),
    /// each redirect checked like the first request. Its type is not trusted: the caller
    /// reads it from the bytes.
    pub async fn fetch_file(&self, url: &Url, max_bytes: usize) -> Result<FetchedFile, FetchError> {
        let mut current = url.clone();
        let mut redirects = 0;
        loop {
            current.set_fragment(None);
            let response = self.send_get(&current, "*/*", None).await?;
            let status = response.status();
            if is_followed_redirect(status) {
                if redirects >= self.config.max_redirects {
                    return Err(FetchError::TooManyRedirects(self.config.max_redirects));
                }
                redirects += 1;
                current = redirect_target(&current, response.headers().get(LOCATION))?;
                continue;
            }
            check_status(status)?;
            let bytes = read_body_limited(response, max_bytes).await?;
            return Ok(FetchedFile {
                final_url: current,
                bytes,
            });
        }
    }
}

/// A web page fetched to describe a link (a preview card).
#[derive(Debug, Clone, PartialEq)]
pub struct FetchedPage {
    /// Where the page was finally served from, after redirects.
    pub final_url: Url,
    /// The page's bytes, at most the limit asked for; their charset is the caller's to read.
    pub html: Vec<u8>,
}

/// Media types read as web pages.
const HTML_TYPES: &[&str] = &["text/html", "application/xhtml+xml"];

impl HttpClient {
    /// Fetches a web page of at most `max_bytes`, unsigned, each redirect checked like the
    /// first request. Anything but HTML is refused before its body is read, and so is a
    /// longer page ([`FetchError::TooLarge`]).
    pub async fn fetch_html(&self, url: &Url, max_bytes: usize) -> Result<FetchedPage, FetchError> {
        let mut current = url.clone();
        let mut redirects = 0;
        loop {
            current.set_fragment(None);
            let response = self
                .send_get(&current, "text/html, application/xhtml+xml;q=0.9", None)
                .await?;
            let status = response.status();
            if is_followed_redirect(status) {
                if redirects >= self.config.max_redirects {
                    return Err(FetchError::TooManyRedirects(self.config.max_redirects));
                }
                redirects += 1;
                current = redirect_target(&current, response.headers().get(LOCATION))?;
                continue;
            }
            check_status(status)?;
            match media_type(&response) {
                Some(media) if HTML_TYPES.contains(&media.as_str()) => {}
                other => return Err(FetchError::WrongContentType(other.unwrap_or_default())),
            }
            let html = read_body_limited(response, max_bytes).await?;
            return Ok(FetchedPage {
                final_url: current,
                html,
            });
        }
    }
}

/// The object's `id`, required to be an http(s) URL on the host of `final_url`.
fn checked_id(json: &Value, final_url: &Url) -> Result<Url, FetchError> {
    let id = json
        .get("id")
        .and_then(Value::as_str)
        .ok_or(FetchError::MissingId)?;
    let parsed = Url::parse(id).map_err(|_| FetchError::InvalidId(id.to_owned()))?;
    if !matches!(parsed.scheme(), "https" | "http") || parsed.host().is_none() {
        return Err(FetchError::InvalidId(id.to_owned()));
    }
    let expected_host = host_of(final_url);
    if host_of(&parsed) != expected_host {
        return Err(FetchError::IdMismatch {
            expected_host,
            id: id.to_owned(),
        });
    }
    Ok(parsed)
}

fn is_followed_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// The next URL of a redirect: `Location`, relative to the current URL.
fn redirect_target(current: &Url, location: Option<&http::HeaderValue>) -> Result<Url, FetchError> {
    let location = location
        .and_then(|value| value.to_str().ok())
        .ok_or_else(|| FetchError::InvalidUrl("a redirect without a readable Location".into()))?;
    current
        .join(location)
        .map_err(|e| FetchError::InvalidUrl(format!("redirect to {location:?}: {e}")))
}

/// Maps a final (non-redirect) status: 2xx passes, the statuses callers act on get their own
/// variant, the rest is [`FetchError::Status`].
pub(crate) fn check_status(status: StatusCode) -> Result<(), FetchError> {
    match status.as_u16() {
        200..=299 => Ok(()),
        401 => Err(FetchError::Unauthorized),
        403 => Err(FetchError::Forbidden),
        404 => Err(FetchError::NotFound),
        410 => Err(FetchError::Gone),
        other => Err(FetchError::Status(other)),
    }
}
