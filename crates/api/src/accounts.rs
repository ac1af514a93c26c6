use axum::Json;
use axum::extract::State;
use rhizome_core::Core;
use rhizome_model::Scope;
use serde_json::Value;

use crate::auth::Auth;
use crate::entities;
use crate::error::ApiResult;

/// `GET /api/v1/accounts/verify_credentials`: the token's own account, with `source`.
pub async fn verify_credentials(
    State(core): State<Core>,
    Auth(auth): Auth,
) -> ApiResult<Json<Value>> {
    auth.require(Scope("read:accounts"))?;
    let user = auth.user()?;
    Ok(Json(entities::credential_account(&core, user)))
}
