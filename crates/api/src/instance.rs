//! The instance and the small endpoints clients probe at start.

use axum::Json;
use axum::extract::State;
use rhizome_core::Core;
use rhizome_model::Scope;
use serde_json::{Value, json};

use crate::auth::Auth;
use crate::entities;
use crate::error::ApiResult;
use crate::support::user;

pub async fn instance_v1(State(core): State<Core>) -> ApiResult<Json<Value>> {
    let settings = core.settings().await?;
    let users = core.local_user_count().await?;
    let domains = core
        .store
        .known_domains()
        .await
        .map_err(rhizome_core::CoreError::from)?
        .len() as i64;
    let statuses = core.local_status_count().await?;
    Ok(Json(entities::instance_v1(
        &core, &settings, users, statuses, domains,
    )))
}

pub async fn instance_v2(State(core): State<Core>) -> ApiResult<Json<Value>> {
    let settings = core.settings().await?;
    let users = core.local_user_count().await?;
    Ok(Json(entities::instance_v2(&core, &settings, users)))
}

pub async fn peers(State(core): State<Core>) -> ApiResult<Json<Value>> {
    let domains = core
        .store
        .known_domains()
        .await
        .map_err(rhizome_core::CoreError::from)?;
    Ok(Json(json!(domains)))
}

pub async fn rules(State(core): State<Core>) -> ApiResult<Json<Value>> {
    let settings = core.settings().await?;
    Ok(Json(Value::Array(entities::rules(&settings))))
}

/// This instance's custom emoji (public: no token needed).
pub async fn custom_emojis(State(core): State<Core>) -> ApiResult<Json<Value>> {
    let emojis = core.custom_emojis().await?;
    Ok(Json(Value::Array(
        emojis.iter().map(entities::custom_emoji).collect(),
    )))
}

pub async fn preferences(State(_core): State<Core>, Auth(auth): Auth) -> ApiResult<Json<Value>> {
    user(&auth, Scope("read:accounts"))?;
    Ok(Json(json!({
        "posting:default:visibility": "public",
        "posting:default:sensitive": false,
        "posting:default:language": Value::Null,
        "reading:expand:media": "default",
        "reading:expand:spoilers": false,
    })))
}
