//! Akkoma's full archives of one's account: `GET /api/v1/pleroma/backups` lists them,
//! `POST /api/v1/pleroma/backups` asks for one (and lists them, as Akkoma answers). Mastodon
//! has no client API for its archives, only its web settings.
//!
//! Scopes: Akkoma's `read:backups` and `write:backups` (Akkoma itself asks only
//! `read:accounts`, but an archive holds every post, direct ones included, and bookmarks:
//! more than that scope lets a token read).

use axum::Json;
use axum::extract::State;
use rhizome_core::{Core, CoreError};
use rhizome_model::Scope;
use serde_json::Value;

use crate::ApiError;
use crate::auth::Auth;
use crate::entities;
use crate::error::ApiResult;
use crate::support::user;

async fn list(core: &Core, user: &rhizome_model::LocalUser) -> ApiResult<Json<Value>> {
    let archives = core.archives(user).await?;
    Ok(Json(Value::Array(
        archives
            .iter()
            .map(|archive| entities::backup(core, archive))
            .collect(),
    )))
}

/// `GET /api/v1/pleroma/backups`: the user's archives, newest first.
pub async fn index(State(core): State<Core>, Auth(auth): Auth) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("read:backups"))?;
    list(&core, user).await
}

/// `POST /api/v1/pleroma/backups`: a new archive, built by a job. A second one within a day
/// is refused with Akkoma's `400` and its words.
pub async fn create(State(core): State<Core>, Auth(auth): Auth) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:backups"))?;
    core.request_archive(user).await.map_err(|err| match err {
        CoreError::Invalid(message) => ApiError::bad_request(message),
        other => ApiError::from(other),
    })?;
    list(&core, user).await
}
