//! The ActivityPub HTTP layer: actors, inboxes, collections, objects, WebFinger, host-meta and
//! NodeInfo — thin routes over `rhizome-core`, which builds every document.

mod discovery;
mod documents;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rhizome_core::{Core, CoreError};
use serde_json::Value;

/// The media type of every ActivityPub answer.
pub const ACTIVITY_JSON: &str = "application/activity+json; charset=utf-8";

/// The federation routes.
pub fn router() -> Router<Core> {
    Router::new()
        .route("/.well-known/webfinger", get(discovery::webfinger))
        .route("/.well-known/host-meta", get(discovery::host_meta))
        .route(
            "/.well-known/host-meta.json",
            get(discovery::host_meta_json),
        )
        .route("/.well-known/nodeinfo", get(discovery::nodeinfo_links))
        .route("/nodeinfo/2.0", get(discovery::nodeinfo_20))
        .route("/nodeinfo/2.1", get(discovery::nodeinfo_21))
        .route("/nodeinfo/2.0.json", get(discovery::nodeinfo_20))
        .route("/nodeinfo/2.1.json", get(discovery::nodeinfo_21))
        .route("/users/{name}", get(documents::actor))
        .route("/users/{name}/inbox", post(documents::inbox))
        .route("/inbox", post(documents::inbox))
        .route("/users/{name}/outbox", get(documents::outbox))
        .route("/users/{name}/followers", get(documents::followers))
        .route("/users/{name}/following", get(documents::following))
        .route(
            "/users/{name}/collections/featured",
            get(documents::featured),
        )
        .route(
            "/users/{name}/collections/tags",
            get(documents::featured_tags),
        )
        .route("/objects/{id}", get(documents::object))
        .route("/activities/{id}", get(documents::activity))
        .route(
            "/quote_authorizations/{id}",
            get(documents::quote_authorization),
        )
        .route("/notice/{id}", get(documents::notice))
        .route("/internal/fetch", get(documents::instance_actor))
}

/// Whether the client asked for ActivityPub JSON rather than a web page.
pub fn wants_activity_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| {
            accept.contains("application/activity+json")
                || accept.contains("application/ld+json")
                || accept.contains("application/json")
        })
}

/// An ActivityPub JSON answer.
pub fn activity_json(value: Value) -> Response {
    let mut response = (StatusCode::OK, axum::Json(value)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(ACTIVITY_JSON),
    );
    response
}

/// Errors in the ActivityPub layer: a status and a short text; details go to the log.
pub struct ApError(CoreError);

impl From<CoreError> for ApError {
    fn from(err: CoreError) -> Self {
        ApError(err)
    }
}

impl IntoResponse for ApError {
    fn into_response(self) -> Response {
        let status = match &self.0 {
            CoreError::NotFound => StatusCode::NOT_FOUND,
            CoreError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            CoreError::Forbidden(_) => StatusCode::FORBIDDEN,
            CoreError::Invalid(_) | CoreError::Conflict(_) => StatusCode::BAD_REQUEST,
            CoreError::Store(_) | CoreError::Internal(_) => {
                tracing::error!(error = %self.0, "ActivityPub request failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let text = match status {
            StatusCode::INTERNAL_SERVER_ERROR => "internal error".to_owned(),
            _ => self.0.to_string(),
        };
        (status, axum::Json(serde_json::json!({ "error": text }))).into_response()
    }
}
