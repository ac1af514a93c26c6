//! `/api/v1/trends/…`: hashtags, posts and links people here and elsewhere talk about.
//! Public, as Mastodon's are; paginated with `limit` and `offset`.

use axum::Json;
use axum::extract::State;
use rhizome_core::Core;
use rhizome_model::Scope;
use serde::Deserialize;
use serde_json::Value;

use crate::auth::MaybeAuth;
use crate::entities;
use crate::error::ApiResult;
use crate::params::Query;
use crate::support::{viewer, viewer_id};

#[derive(Deserialize, Default)]
pub struct TrendsQuery {
    limit: Option<u32>,
    offset: Option<u32>,
}

impl TrendsQuery {
    fn limit(&self, default: u32, max: u32) -> u32 {
        self.limit.unwrap_or(default).clamp(1, max)
    }
}

pub async fn tags(
    State(core): State<Core>,
    auth: MaybeAuth,
    Query(query): Query<TrendsQuery>,
) -> ApiResult<Json<Value>> {
    let viewer = viewer(&auth, Scope("read"))?;
    let tags = core
        .trending_tags(
            viewer_id(viewer),
            query.limit(10, 20),
            query.offset.unwrap_or(0),
        )
        .await?;
    Ok(Json(Value::Array(
        tags.iter()
            .map(|t| entities::tag(&core, t, viewer.is_some()))
            .collect(),
    )))
}

pub async fn statuses(
    State(core): State<Core>,
    auth: MaybeAuth,
    Query(query): Query<TrendsQuery>,
) -> ApiResult<Json<Value>> {
    let viewer = viewer(&auth, Scope("read:statuses"))?;
    let views = core
        .trending_statuses(
            viewer_id(viewer),
            query.limit(20, 40),
            query.offset.unwrap_or(0),
        )
        .await?;
    Ok(Json(Value::Array(
        views.iter().map(|v| entities::status(&core, v)).collect(),
    )))
}

pub async fn links(
    State(core): State<Core>,
    auth: MaybeAuth,
    Query(query): Query<TrendsQuery>,
) -> ApiResult<Json<Value>> {
    viewer(&auth, Scope("read"))?;
    let links = core
        .trending_links(query.limit(10, 20), query.offset.unwrap_or(0))
        .await?;
    Ok(Json(Value::Array(
        links
            .iter()
            .map(|link| entities::trending_link(&core, link))
            .collect(),
    )))
}
