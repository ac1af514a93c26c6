//! Small pieces every handler uses: who is asking, and JSON answers with a `Link` header.

use axum::Json;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use rhizome_core::Core;
use rhizome_core::oauth::Authenticated;
use rhizome_core::views::StatusView;
use rhizome_model::{Id, LocalUser, Scope};
use rhizome_store::Page;
use serde::Serialize;
use serde_json::Value;

use crate::ApiError;
use crate::auth::MaybeAuth;
use crate::pagination::link_header;

/// The viewer of a public endpoint: anonymous, or a token that has `scope`.
pub fn viewer(auth: &MaybeAuth, scope: Scope) -> Result<Option<&LocalUser>, ApiError> {
    match &auth.0 {
        None => Ok(None),
        Some(auth) => {
            auth.require(scope)?;
            Ok(auth.user.as_ref())
        }
    }
}

/// The user of an endpoint that needs one, with `scope`.
pub fn user(auth: &Authenticated, scope: Scope) -> Result<&LocalUser, ApiError> {
    auth.require(scope)?;
    Ok(auth.user()?)
}

pub fn viewer_id(user: Option<&LocalUser>) -> Option<Id> {
    user.map(|u| u.account.id)
}

/// A list answer with Mastodon's `Link` header.
pub fn paged<T>(core: &Core, uri: &Uri, page: &Page<T>, items: Vec<Value>) -> Response {
    paged_entities(core, uri, page, Value::Array(items))
}

/// A list answer with Mastodon's `Link` header, its typed entities serialised straight into
/// the body.
pub fn paged_entities<T, E: Serialize>(
    core: &Core,
    uri: &Uri,
    page: &Page<T>,
    items: E,
) -> Response {
    let url = format!(
        "{}{}",
        core.urls.base(),
        uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")
    );
    let headers: HeaderMap = link_header(&url, page);
    (headers, Json(items)).into_response()
}

/// A page of statuses as the API answers it: the entities, with their `Link` header.
pub fn paged_statuses(core: &Core, uri: &Uri, page: &Page<StatusView>) -> Response {
    let items: Vec<_> = page
        .items
        .iter()
        .map(|view| crate::entities::status_entity(core, view))
        .collect();
    paged_entities(core, uri, page, items)
}

/// Parses an id from a path.
pub fn path_id(text: &str) -> Result<Id, ApiError> {
    text.parse::<Id>()
        .map_err(|_| ApiError::new(axum::http::StatusCode::NOT_FOUND, "Record not found"))
}
