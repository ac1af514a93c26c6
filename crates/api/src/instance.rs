use axum::Json;
use axum::extract::State;
use rhizome_core::Core;
use serde_json::Value;

use crate::entities;
use crate::error::ApiResult;

pub async fn instance_v1(State(core): State<Core>) -> ApiResult<Json<Value>> {
    let settings = core.settings().await?;
    let users = core.local_user_count().await?;
    Ok(Json(entities::instance_v1(&core, &settings, users)))
}

pub async fn instance_v2(State(core): State<Core>) -> ApiResult<Json<Value>> {
    let settings = core.settings().await?;
    let users = core.local_user_count().await?;
    Ok(Json(entities::instance_v2(&core, &settings, users)))
}
