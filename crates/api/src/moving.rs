//! Akkoma's endpoints for moving and leaving: aliases (`GET/PUT/DELETE /api/pleroma/aliases`),
//! `POST /api/pleroma/move_account` and `POST /api/pleroma/delete_account` (also under
//! `/api/v1/pleroma/`). Akkoma answers `{"status": "success"}`; refusals are Mastodon's
//! `{"error": "…"}` with their status (403 for a wrong password, 404 for an unknown
//! account, 422 for a move the new account does not allow).

use axum::Json;
use axum::extract::State;
use rhizome_core::{Core, CoreError};
use rhizome_model::Scope;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::ApiError;
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::params::Params;
use crate::support::user;

fn success() -> Json<Value> {
    Json(json!({ "status": "success" }))
}

/// Akkoma's words for an account it cannot find.
fn not_found(message: &str) -> impl Fn(CoreError) -> ApiError + '_ {
    move |err| match err {
        CoreError::NotFound => ApiError::new(axum::http::StatusCode::NOT_FOUND, message),
        other => other.into(),
    }
}

/// `GET /api/pleroma/aliases`: `{"aliases": ["name@domain", …]}`.
pub async fn list_aliases(State(core): State<Core>, Auth(auth): Auth) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("read:accounts"))?;
    let aliases: Vec<String> = core
        .aliases(user)
        .await?
        .into_iter()
        .map(|alias| match alias.account {
            Some(account) => format!(
                "{}@{}",
                account.username,
                account.domain.as_deref().unwrap_or(&core.config.domain)
            ),
            None => alias.uri,
        })
        .collect();
    Ok(Json(json!({ "aliases": aliases })))
}

#[derive(Deserialize, Default)]
pub struct AliasParams {
    #[serde(default)]
    alias: String,
}

/// `PUT /api/pleroma/aliases` with `alias` (`name@domain`).
pub async fn add_alias(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(params): Params<AliasParams>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:accounts"))?;
    core.add_alias(user, &params.alias)
        .await
        .map_err(not_found("Target account does not exist."))?;
    Ok(success())
}

/// `DELETE /api/pleroma/aliases` with `alias`.
pub async fn delete_alias(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(params): Params<AliasParams>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:accounts"))?;
    core.remove_alias(user, &params.alias)
        .await
        .map_err(not_found("Account has no such alias."))?;
    Ok(success())
}

#[derive(Deserialize, Default)]
pub struct MoveParams {
    #[serde(default)]
    password: String,
    #[serde(default)]
    target_account: String,
}

/// `POST /api/pleroma/move_account` with `password` and `target_account` (`name@domain`).
pub async fn move_account(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(params): Params<MoveParams>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:accounts"))?;
    core.move_account(user, &params.password, &params.target_account)
        .await
        .map_err(not_found("Target account not found."))?;
    Ok(success())
}

#[derive(Deserialize, Default)]
pub struct DeleteParams {
    #[serde(default)]
    password: String,
}

/// `POST /api/pleroma/delete_account` with `password` (a form or JSON field; Akkoma also
/// reads the query string, which this does too).
pub async fn delete_account(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(params): Params<DeleteParams>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:accounts"))?;
    core.delete_own_account(user, &params.password, None)
        .await?;
    Ok(success())
}
