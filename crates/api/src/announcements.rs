//! `/api/v1/announcements`: what admins announce, dismissed and reacted to by each user.

use axum::Json;
use axum::extract::{Path, State};
use rhizome_core::Core;
use rhizome_model::Scope;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Auth;
use crate::entities;
use crate::error::ApiResult;
use crate::params::{Query, flexible_bool};
use crate::support::{path_id, user};

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default, deserialize_with = "flexible_bool")]
    with_dismissed: Option<bool>,
}

/// Mastodon asks only for a user token here; any reading scope will do, so that apps with
/// granular scopes see announcements too.
pub async fn index(
    State(core): State<Core>,
    Auth(auth): Auth,
    Query(query): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    if !auth
        .token
        .scopes
        .iter()
        .any(|s| s == "read" || s.starts_with("read:"))
    {
        auth.require(Scope("read"))?;
    }
    let user = auth.user()?;
    let views = core
        .announcements_for(user, query.with_dismissed.unwrap_or(false))
        .await?;
    Ok(Json(Value::Array(
        views
            .iter()
            .map(|v| entities::announcement(&core, v))
            .collect(),
    )))
}

pub async fn dismiss(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:accounts"))?;
    core.dismiss_announcement(user, path_id(&id)?).await?;
    Ok(Json(json!({})))
}

pub async fn react(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path((id, name)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:favourites"))?;
    core.react_to_announcement(user, path_id(&id)?, &name, true)
        .await?;
    Ok(Json(json!({})))
}

pub async fn unreact(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path((id, name)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:favourites"))?;
    core.react_to_announcement(user, path_id(&id)?, &name, false)
        .await?;
    Ok(Json(json!({})))
}
