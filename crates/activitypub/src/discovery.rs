//! WebFinger (RFC 7033), host-meta (RFC 6415) and NodeInfo 2.0/2.1.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rhizome_core::{Core, CoreError, RegistrationMode};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::ApError;

#[derive(Deserialize)]
pub struct Resource {
    resource: Option<String>,
}

/// The local account a WebFinger resource names: `acct:name@domain`, the actor URL or the
/// profile URL.
async fn account_for(core: &Core, resource: &str) -> Result<rhizome_model::Account, CoreError> {
    let base = core.urls.base();
    let name = if let Some(acct) = resource.strip_prefix("acct:") {
        let acct = acct.trim_start_matches('@');
        let (name, domain) = acct.split_once('@').ok_or(CoreError::NotFound)?;
        if !domain.eq_ignore_ascii_case(&core.config.domain) {
            return Err(CoreError::NotFound);
        }
        name.to_owned()
    } else if let Some(rest) = resource.strip_prefix(&format!("{base}/users/")) {
        rest.to_owned()
    } else if let Some(rest) = resource.strip_prefix(&format!("{base}/@")) {
        rest.to_owned()
    } else {
        return Err(CoreError::NotFound);
    };
    core.local_account_named(&name).await
}

pub async fn webfinger(
    State(core): State<Core>,
    Query(query): Query<Resource>,
) -> Result<Response, ApError> {
    let resource = query
        .resource
        .ok_or_else(|| CoreError::invalid("resource is required"))?;
    let account = account_for(&core, resource.trim()).await?;
    let urls = &core.urls;
    let body = json!({
        "subject": format!("acct:{}@{}", account.username, core.config.domain),
        "aliases": [account.uri, urls.profile(&account.username)],
        "links": [
            { "rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": urls.profile(&account.username) },
            { "rel": "self", "type": "application/activity+json", "href": account.uri },
            { "rel": "http://ostatus.org/schema/1.0/subscribe", "template": format!("{}/authorize_interaction?uri={{uri}}", urls.base()) },
            { "rel": "http://webfinger.net/rel/avatar", "href": account.avatar_url.clone().unwrap_or_else(|| urls.default_avatar()) },
        ],
    });
    let mut response = Json(body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/jrd+json; charset=utf-8"),
    );
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    Ok(response)
}

pub async fn host_meta(State(core): State<Core>) -> Response {
    let template = format!(
        "{}/.well-known/webfinger?resource={{uri}}",
        core.urls.base()
    );
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  \
         <Link rel=\"lrdd\" template=\"{}\"/>\n</XRD>\n",
        template.replace('&', "&amp;").replace('"', "&quot;")
    );
    (
        [(header::CONTENT_TYPE, "application/xrd+xml; charset=utf-8")],
        body,
    )
        .into_response()
}

pub async fn host_meta_json(State(core): State<Core>) -> Json<Value> {
    Json(json!({
        "links": [{ "rel": "lrdd", "template": format!("{}/.well-known/webfinger?resource={{uri}}", core.urls.base()) }]
    }))
}

pub async fn nodeinfo_links(State(core): State<Core>) -> Json<Value> {
    let base = core.urls.base();
    Json(json!({
        "links": [
            { "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": format!("{base}/nodeinfo/2.0") },
            { "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": format!("{base}/nodeinfo/2.1") },
        ]
    }))
}

async fn nodeinfo(core: &Core, version: &str) -> Result<Response, ApError> {
    let settings = core.settings().await?;
    let users = core.local_user_count().await?;
    let posts = core.local_status_count().await?;
    let federation = core.federation_metadata().await?;
    let mut software = json!({ "name": "rhizome", "version": env!("CARGO_PKG_VERSION") });
    if version == "2.1" {
        software["repository"] = json!("https://example.invalid/rhizome");
        software["homepage"] = json!(core.urls.base());
    }
    let body = json!({
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": { "inbound": [], "outbound": [] },
        "openRegistrations": matches!(settings.registrations, RegistrationMode::Open | RegistrationMode::Approval),
        "usage": {
            "users": { "total": users, "activeMonth": users, "activeHalfyear": users },
            "localPosts": posts,
        },
        "metadata": {
            "nodeName": settings.name,
            "nodeDescription": settings.description,
            "features": ["mastodon_api", "pleroma_emoji_reactions", "editing"],
            "federation": federation,
        },
    });
    let content_type = format!(
        "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/{version}#\""
    );
    let mut response = (StatusCode::OK, Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    Ok(response)
}

pub async fn nodeinfo_20(State(core): State<Core>) -> Result<Response, ApError> {
    nodeinfo(&core, "2.0").await
}

pub async fn nodeinfo_21(State(core): State<Core>) -> Result<Response, ApError> {
    nodeinfo(&core, "2.1").await
}
