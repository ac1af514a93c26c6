//! Pleroma's configuration endpoints, as Admin-FE and admin scripts use them, over what
//! Rhizome changes at run time: the policy chain (`:mrf` and each policy's `:mrf_*` key, the
//! same configuration `/api/v1/admin/rhizome/policies` edits) and the instance's run-time
//! settings (`:instance`). Changes take effect at once in every process. Admins only.
//!
//! The Simple policy's lists (`:mrf_simple`) are shown as they are in force, the instance's
//! domain blocks and allows merged in. Written back, the entries the blocks and allows bring
//! are left to them and not stored in the configuration, so a list read and sent back
//! unchanged changes nothing; an entry added here is the configuration's own. Taking a block's
//! entry out of a list here does not lift the block: that is `/api/v1/admin/domain_blocks`.

mod convert;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use rhizome_core::{Core, CoreError};
use rhizome_model::Scope;
use serde::Deserialize;
use serde_json::Value;

use crate::ApiError;
use crate::admin_federation::admin;
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::params::{Query, flexible_bool};

use convert::{ConfigRequest, Snapshot};

#[derive(Debug, Deserialize, Default)]
pub struct ShowQuery {
    #[serde(default, deserialize_with = "flexible_bool")]
    only_db: Option<bool>,
}

async fn snapshot(core: &Core) -> ApiResult<Snapshot> {
    let layers = core.mrf_layers().await?;
    let settings = core.settings().await?;
    Ok(Snapshot::new(&core.config, layers, &settings))
}

/// `GET /api/v1/pleroma/admin/config`: every key in force, with `db` naming the subkeys an
/// admin changed; with `only_db=true`, only those, as stored.
pub async fn show(
    State(core): State<Core>,
    Auth(auth): Auth,
    Query(query): Query<ShowQuery>,
) -> ApiResult<Json<Value>> {
    admin(&auth, Scope("admin:read"))?;
    Ok(Json(
        snapshot(&core)
            .await?
            .configs(query.only_db.unwrap_or(false)),
    ))
}

/// `POST /api/v1/pleroma/admin/config`: every change is checked before any is made, then all
/// are made together. Answers with the changed keys as they are now in force.
pub async fn update(
    State(core): State<Core>,
    Auth(auth): Auth,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    admin(&auth, Scope("admin:write"))?;
    let request: ConfigRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("invalid configs: {e}")))?;
    let (changes, keys) = snapshot(&core)
        .await?
        .apply(&request)
        .map_err(ApiError::bad_request)?;
    core.change_runtime(&changes)
        .await
        .map_err(|err| match err {
            // A value the policy chain or the settings refuse is bad input too.
            CoreError::Invalid(message) => ApiError::bad_request(message),
            other => ApiError::from(other),
        })?;
    Ok(Json(snapshot(&core).await?.changed_configs(&keys)))
}

/// `GET /api/v1/pleroma/admin/config/descriptions`: the keys Rhizome offers, described.
pub async fn descriptions(Auth(auth): Auth) -> ApiResult<Json<Value>> {
    admin(&auth, Scope("admin:read"))?;
    Ok(Json(convert::descriptions()))
}
