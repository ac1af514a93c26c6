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
    let domains = core.known_domain_count().await?;
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

pub async fn preferences(State(core): State<Core>, Auth(auth): Auth) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("read:accounts"))?;
    let defaults = core.posting_defaults(user.account.id).await?;
    Ok(Json(json!({
        "posting:default:visibility": defaults.visibility.as_str(),
        "posting:default:sensitive": defaults.sensitive,
        "posting:default:language": defaults.language,
        "reading:expand:media": "default",
        "reading:expand:spoilers": false,
    })))
}
