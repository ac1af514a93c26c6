//! `/api/v1/lists`, list timelines, and `/api/v1/markers`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use rhizome_core::Core;
use rhizome_core::lists::{ListSettings, MARKER_TIMELINES};
use rhizome_model::{Id, Scope};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::auth::Auth;
use crate::entities;
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::params::{Params, Query, flexible_bool, flexible_list};
use crate::support::{paged, paged_statuses, path_id, user};

#[derive(Deserialize, Default)]
pub struct ListParams {
    title: Option<String>,
    replies_policy: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    exclusive: Option<bool>,
}

impl From<ListParams> for ListSettings {
    fn from(p: ListParams) -> Self {
        ListSettings {
            title: p.title,
            replies_policy: p.replies_policy,
            exclusive: p.exclusive,
        }
    }
}

pub async fn index(State(core): State<Core>, Auth(auth): Auth) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("read:lists"))?;
    let lists = core.lists(user, None).await?;
    Ok(Json(Value::Array(
        lists.iter().map(entities::list).collect(),
    )))
}

pub async fn create(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(params): Params<ListParams>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:lists"))?;
    Ok(Json(entities::list(
        &core.create_list(user, params.into()).await?,
    )))
}

pub async fn show(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("read:lists"))?;
    Ok(Json(entities::list(
        &core.own_list(user, path_id(&id)?).await?,
    )))
}

pub async fn update(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
    Params(params): Params<ListParams>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:lists"))?;
    Ok(Json(entities::list(
        &core.update_list(user, path_id(&id)?, params.into()).await?,
    )))
}

pub async fn delete(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:lists"))?;
    core.delete_list(user, path_id(&id)?).await?;
    Ok(Json(json!({})))
}

#[derive(Deserialize)]
pub struct MembersParams {
    #[serde(
        default,
        rename = "account_ids[]",
        alias = "account_ids",
        deserialize_with = "flexible_list"
    )]
    account_ids: Vec<String>,
}

fn ids(texts: &[String]) -> Result<Vec<Id>, crate::ApiError> {
    texts.iter().take(250).map(|t| path_id(t)).collect()
}

pub async fn members(
    State(core): State<Core>,
    Auth(auth): Auth,
    uri: Uri,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    let user = user(&auth, Scope("read:lists"))?;
    let page = core
        .list_members(user, path_id(&id)?, &query.request(40, 80)?)
        .await?;
    let views = core.account_views(page.items.clone()).await?;
    let items = views.iter().map(|v| entities::account(&core, v)).collect();
    Ok(paged(&core, &uri, &page, items))
}

pub async fn add_members(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
    Params(params): Params<MembersParams>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:lists"))?;
    core.add_to_list(user, path_id(&id)?, &ids(&params.account_ids)?)
        .await?;
    Ok(Json(json!({})))
}

pub async fn remove_members(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
    Params(params): Params<MembersParams>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:lists"))?;
    core.remove_from_list(user, path_id(&id)?, &ids(&params.account_ids)?)
        .await?;
    Ok(Json(json!({})))
}

pub async fn timeline(
    State(core): State<Core>,
    Auth(auth): Auth,
    uri: Uri,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    let user = user(&auth, Scope("read:lists"))?;
    let page = core
        .list_timeline(user, path_id(&id)?, &query.request(20, 40)?)
        .await?;
    Ok(paged_statuses(&core, &uri, &page))
}

/// `GET /api/v1/accounts/:id/lists`: the user's lists that contain the account.
pub async fn containing(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("read:lists"))?;
    let lists = core.lists(user, Some(path_id(&id)?)).await?;
    Ok(Json(Value::Array(
        lists.iter().map(entities::list).collect(),
    )))
}

#[derive(Deserialize)]
pub struct MarkersQuery {
    #[serde(
        default,
        rename = "timeline[]",
        alias = "timeline",
        deserialize_with = "flexible_list"
    )]
    timeline: Vec<String>,
}

pub async fn markers(
    State(core): State<Core>,
    Auth(auth): Auth,
    Query(query): Query<MarkersQuery>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("read:statuses"))?;
    let wanted: Vec<&str> = if query.timeline.is_empty() {
        MARKER_TIMELINES.to_vec()
    } else {
        query.timeline.iter().map(String::as_str).collect()
    };
    let mut body = Map::new();
    for marker in core.markers(user).await? {
        if wanted.contains(&marker.timeline.as_str()) {
            body.insert(marker.timeline.clone(), entities::marker(&marker));
        }
    }
    Ok(Json(Value::Object(body)))
}

/// `POST /api/v1/markers` with `home[last_read_id]` and/or `notifications[last_read_id]`
/// (form keys), or the same as JSON objects.
pub async fn save_markers(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(params): Params<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:statuses"))?;
    for timeline in MARKER_TIMELINES {
        let value = params
            .get(timeline)
            .and_then(|v| v.get("last_read_id"))
            .or_else(|| params.get(&format!("{timeline}[last_read_id]")));
        let Some(value) = value else { continue };
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        core.set_marker(user, timeline, path_id(&text)?).await?;
    }
    let mut body = Map::new();
    for marker in core.markers(user).await? {
        body.insert(marker.timeline.clone(), entities::marker(&marker));
    }
    Ok(Json(Value::Object(body)))
}
