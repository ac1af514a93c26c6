//! Akkoma's `GET /api/oauth_tokens` and `DELETE /api/oauth_tokens/:id`: a user's sessions
//! and authorised apps, and revoking one. Akkoma checks no scope here; Rhizome asks
//! `read:accounts` to list and `write:accounts` to revoke, as for the rest of the account.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rhizome_core::Core;
use rhizome_model::Scope;
use serde_json::Value;

use crate::auth::Auth;
use crate::entities;
use crate::error::ApiResult;
use crate::support::{path_id, user};

pub async fn list(State(core): State<Core>, Auth(auth): Auth) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("read:accounts"))?;
    let tokens = core.authorized_tokens(user).await?;
    Ok(Json(Value::Array(
        tokens.iter().map(entities::oauth_token).collect(),
    )))
}

/// Answers 201 with an empty body, as Akkoma does; a token that is not the user's is 404.
pub async fn revoke(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let user = user(&auth, Scope("write:accounts"))?;
    core.revoke_own_token(user, path_id(&id)?).await?;
    Ok((StatusCode::CREATED, "").into_response())
}
