//! `/api/v1/polls/:id` and votes.

use axum::Json;
use axum::extract::{Path, State};
use rhizome_core::Core;
use rhizome_model::Scope;
use serde::Deserialize;
use serde_json::Value;

use crate::auth::{Auth, MaybeAuth};
use crate::entities;
use crate::error::ApiResult;
use crate::params::{Params, flexible_list};
use crate::support::{path_id, user, viewer, viewer_id};

pub async fn show(
    State(core): State<Core>,
    auth: MaybeAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let viewer = viewer(&auth, Scope("read:statuses"))?;
    let (view, _) = core.visible_poll(path_id(&id)?, viewer_id(viewer)).await?;
    Ok(Json(entities::poll(&view)))
}

#[derive(Deserialize)]
pub struct VoteParams {
    #[serde(
        default,
        rename = "choices[]",
        alias = "choices",
        deserialize_with = "flexible_list"
    )]
    choices: Vec<String>,
}

pub async fn vote(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
    Params(params): Params<VoteParams>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:statuses"))?;
    let choices: Vec<i64> = params
        .choices
        .iter()
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    if choices.len() != params.choices.len() {
        return Err(crate::ApiError::unprocessable(
            "Validation failed: choices must be numbers",
        ));
    }
    let view = core.vote(user, path_id(&id)?, &choices).await?;
    Ok(Json(entities::poll(&view)))
}
