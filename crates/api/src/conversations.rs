//! Direct conversations, the direct timeline, scheduled statuses and hashtags.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use rhizome_core::Core;
use rhizome_core::conversations::ScheduledParams;
use rhizome_model::{Scope, Timestamp};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::ApiError;
use crate::auth::{Auth, MaybeAuth};
use crate::entities;
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::params::{Params, Query};
use crate::support::{paged, paged_statuses, path_id, user, viewer, viewer_id};

pub async fn list(
    State(core): State<Core>,
    Auth(auth): Auth,
    uri: Uri,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    let user = user(&auth, Scope("read:statuses"))?;
    let page = core.conversations(user, &query.request(20, 40)?).await?;
    let items = page
        .items
        .iter()
        .map(|c| entities::conversation(&core, c))
        .collect();
    Ok(paged(&core, &uri, &page, items))
}

pub async fn read(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:conversations"))?;
    let view = core.read_conversation(user, path_id(&id)?).await?;
    Ok(Json(entities::conversation(&core, &view)))
}

pub async fn remove(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:conversations"))?;
    core.remove_conversation(user, path_id(&id)?).await?;
    Ok(Json(json!({})))
}

pub async fn direct(
    State(core): State<Core>,
    Auth(auth): Auth,
    uri: Uri,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    let user = user(&auth, Scope("read:statuses"))?;
    let page = core.direct_timeline(user, &query.request(20, 40)?).await?;
    Ok(paged_statuses(&core, &uri, &page))
}

/// Parses an RFC 3339 time (`scheduled_at`).
pub fn parse_time(text: &str) -> Result<Timestamp, ApiError> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .map(|t| Timestamp(t.timestamp_millis()))
        .map_err(|_| ApiError::unprocessable("Validation failed: scheduled_at is not a valid time"))
}

/// Used by `POST /api/v1/statuses` when `scheduled_at` is given.
pub async fn schedule(
    core: &Core,
    user: &rhizome_model::LocalUser,
    params: ScheduledParams,
    at: &str,
) -> ApiResult<Json<Value>> {
    let scheduled = core.schedule_status(user, params, parse_time(at)?).await?;
    scheduled_json(core, &scheduled).await
}

async fn scheduled_json(
    core: &Core,
    scheduled: &rhizome_store::ScheduledStatus,
) -> ApiResult<Json<Value>> {
    let media = core.scheduled_media(scheduled).await?;
    Ok(Json(entities::scheduled_status(core, scheduled, &media)))
}

pub async fn scheduled_list(
    State(core): State<Core>,
    Auth(auth): Auth,
    uri: Uri,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    let user = user(&auth, Scope("read:statuses"))?;
    let page = core
        .scheduled_statuses(user, &query.request(20, 40)?)
        .await?;
    let mut items = Vec::with_capacity(page.items.len());
    for scheduled in &page.items {
        let media = core.scheduled_media(scheduled).await?;
        items.push(entities::scheduled_status(&core, scheduled, &media));
    }
    Ok(paged(&core, &uri, &page, items))
}

pub async fn scheduled_show(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("read:statuses"))?;
    let scheduled = core.own_scheduled_status(user, path_id(&id)?).await?;
    scheduled_json(&core, &scheduled).await
}

#[derive(Deserialize)]
pub struct RescheduleParams {
    scheduled_at: String,
}

pub async fn scheduled_update(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
    Params(params): Params<RescheduleParams>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:statuses"))?;
    let updated = core
        .reschedule_status(user, path_id(&id)?, parse_time(&params.scheduled_at)?)
        .await?;
    scheduled_json(&core, &updated).await
}

pub async fn scheduled_delete(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:statuses"))?;
    core.cancel_scheduled_status(user, path_id(&id)?).await?;
    Ok(Json(json!({})))
}

pub async fn tag(
    State(core): State<Core>,
    auth: MaybeAuth,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    let viewer = viewer(&auth, Scope("read:statuses"))?;
    let info = core.tag(&name, viewer_id(viewer)).await?;
    Ok(Json(entities::tag(&core, &info, viewer.is_some())))
}

pub async fn follow_tag(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:follows"))?;
    Ok(Json(entities::tag(
        &core,
        &core.follow_tag(user, &name, true).await?,
        true,
    )))
}

pub async fn unfollow_tag(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:follows"))?;
    Ok(Json(entities::tag(
        &core,
        &core.follow_tag(user, &name, false).await?,
        true,
    )))
}

pub async fn followed_tags(State(core): State<Core>, Auth(auth): Auth) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("read:follows"))?;
    let tags = core.followed_tags(user).await?;
    Ok(Json(Value::Array(
        tags.iter().map(|t| entities::tag(&core, t, true)).collect(),
    )))
}
