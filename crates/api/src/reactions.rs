//! Akkoma's emoji reactions: `/api/v1/pleroma/statuses/:id/reactions`.

use axum::Json;
use axum::extract::{Path, State};
use rhizome_core::Core;
use rhizome_model::Scope;
use serde_json::{Value, json};

use crate::auth::{Auth, MaybeAuth};
use crate::entities;
use crate::error::ApiResult;
use crate::support::{path_id, user, viewer, viewer_id};

pub async fn react(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path((id, emoji)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:favourites"))?;
    let view = core.react(user, path_id(&id)?, &emoji).await?;
    Ok(Json(entities::status(&core, &view)))
}

pub async fn unreact(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path((id, emoji)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:favourites"))?;
    let view = core.unreact(user, path_id(&id)?, &emoji).await?;
    Ok(Json(entities::status(&core, &view)))
}

pub async fn list(
    State(core): State<Core>,
    auth: MaybeAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let viewer = viewer(&auth, Scope("read:statuses"))?;
    let view = core
        .visible_status_view(path_id(&id)?, viewer_id(viewer))
        .await?;
    let mut reactions = Vec::new();
    for reaction in &view.reactions {
        let accounts = core
            .store
            .accounts_by_ids(&reaction.account_ids)
            .await
            .map_err(rhizome_core::CoreError::from)?;
        let views = core.account_views(accounts).await?;
        reactions.push(json!({
            "name": reaction.emoji,
            "count": reaction.count,
            "me": reaction.me,
            "url": reaction.url,
            "accounts": views.iter().map(|v| entities::account(&core, v)).collect::<Vec<_>>(),
        }));
    }
    Ok(Json(Value::Array(reactions)))
}

/// `GET /api/v1/pleroma/statuses/:id/reactions/:emoji`: who reacted with one emoji.
pub async fn list_one(
    State(core): State<Core>,
    auth: MaybeAuth,
    Path((id, emoji)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let Json(all) = list(State(core), auth, Path(id)).await?;
    let wanted = emoji.trim().trim_matches(':');
    let found: Vec<Value> = all
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| {
            r["name"]
                .as_str()
                .is_some_and(|n| n.trim_matches(':') == wanted)
        })
        .cloned()
        .collect();
    Ok(Json(Value::Array(found)))
}
