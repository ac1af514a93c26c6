//! `/api/v1/timelines/…`.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use rhizome_core::Core;
use rhizome_model::Scope;
use rhizome_store::{PublicFilter, TagFilter};
use serde::Deserialize;

use crate::auth::{Auth, MaybeAuth};
use crate::entities;
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::params::{Query, flexible_bool, flexible_list};
use crate::support::{paged_statuses, user, viewer, viewer_id};

pub async fn home(
    State(core): State<Core>,
    Auth(auth): Auth,
    uri: Uri,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    let user = user(&auth, Scope("read:statuses"))?;
    let page = core
        .home_timeline(user.account.id, &query.request(20, 40)?)
        .await?;
    Ok(paged_statuses(&core, &uri, &page))
}

#[derive(Deserialize)]
pub struct PublicQuery {
    #[serde(flatten)]
    page: PageQuery,
    #[serde(default, deserialize_with = "flexible_bool")]
    local: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    remote: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    only_media: Option<bool>,
    #[serde(
        default,
        rename = "any[]",
        alias = "any",
        deserialize_with = "flexible_list"
    )]
    any: Vec<String>,
    #[serde(
        default,
        rename = "all[]",
        alias = "all",
        deserialize_with = "flexible_list"
    )]
    all: Vec<String>,
    #[serde(
        default,
        rename = "none[]",
        alias = "none",
        deserialize_with = "flexible_list"
    )]
    none: Vec<String>,
}

impl PublicQuery {
    fn filter(&self) -> PublicFilter {
        PublicFilter {
            local_only: self.local.unwrap_or(false),
            remote_only: self.remote.unwrap_or(false),
            only_media: self.only_media.unwrap_or(false),
        }
    }
}

pub async fn public(
    State(core): State<Core>,
    auth: MaybeAuth,
    uri: Uri,
    Query(query): Query<PublicQuery>,
) -> ApiResult<Response> {
    let viewer = viewer(&auth, Scope("read:statuses"))?;
    let page = core
        .public_timeline(
            viewer_id(viewer),
            query.filter(),
            &query.page.request(20, 40)?,
        )
        .await?;
    Ok(paged_statuses(&core, &uri, &page))
}

pub async fn tag(
    State(core): State<Core>,
    auth: MaybeAuth,
    uri: Uri,
    Path(tag): Path<String>,
    Query(query): Query<PublicQuery>,
) -> ApiResult<Response> {
    let viewer = viewer(&auth, Scope("read:statuses"))?;
    let clean = |tags: &[String]| {
        tags.iter()
            .map(|t| t.trim_start_matches('#').to_owned())
            .filter(|t| !t.is_empty())
            .take(4)
            .collect::<Vec<_>>()
    };
    let mut any = vec![tag.trim_start_matches('#').to_owned()];
    any.extend(clean(&query.any));
    let page = core
        .tag_timeline(
            viewer_id(viewer),
            &TagFilter {
                any,
                all: clean(&query.all),
                none: clean(&query.none),
            },
            query.filter(),
            &query.page.request(20, 40)?,
        )
        .await?;
    Ok(paged_statuses(&core, &uri, &page))
}

pub async fn bubble(
    State(core): State<Core>,
    auth: MaybeAuth,
    uri: Uri,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    let viewer = viewer(&auth, Scope("read:statuses"))?;
    let page = core
        .bubble_timeline(viewer_id(viewer), &query.request(20, 40)?)
        .await?;
    Ok(paged_statuses(&core, &uri, &page))
}

#[derive(Deserialize)]
pub struct DirectoryQuery {
    offset: Option<u32>,
    limit: Option<u32>,
    order: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    local: Option<bool>,
}

pub async fn directory(
    State(core): State<Core>,
    auth: MaybeAuth,
    Query(query): Query<DirectoryQuery>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    viewer(&auth, Scope("read:accounts"))?;
    let active = query.order.as_deref() != Some("new");
    let views = core
        .directory(
            active,
            query.local.unwrap_or(false),
            query.limit.unwrap_or(40).clamp(1, 80),
            query.offset.unwrap_or(0),
        )
        .await?;
    Ok(axum::Json(serde_json::Value::Array(
        views.iter().map(|v| entities::account(&core, v)).collect(),
    )))
}
