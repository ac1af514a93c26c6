//! The admin side of federation policy: Mastodon's `/api/v1/admin/domain_blocks` and
//! `/api/v1/admin/domain_allows` (the Simple policy's lists), the public
//! `/api/v1/instance/domain_blocks`, and Rhizome's own endpoints to read, replace and dry-run
//! the policy chain.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use rhizome_core::Core;
use rhizome_core::federation::policy::{DomainBlockRequest, MrfConfig, sha256_hex};
use rhizome_core::oauth::Authenticated;
use rhizome_model::{LocalUser, Role, Scope};
use rhizome_store::{DomainAllow, DomainBlock};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::ApiError;
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::params::{Params, Query, flexible_bool};
use crate::support::{paged, path_id, user};

/// A staff member (moderator or admin) whose token has `scope`.
pub(crate) fn staff(auth: &Authenticated, scope: Scope) -> ApiResult<&LocalUser> {
    let user = user(auth, scope)?;
    if !user.role.is_staff() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "This action is not allowed",
        ));
    }
    Ok(user)
}

/// An admin whose token has `scope`: the policy chain is theirs alone.
pub(crate) fn admin(auth: &Authenticated, scope: Scope) -> ApiResult<&LocalUser> {
    let user = user(auth, scope)?;
    if user.role != Role::Admin {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "This action is not allowed",
        ));
    }
    Ok(user)
}

/// Mastodon's `Admin::DomainBlock`.
fn block_entity(block: &DomainBlock) -> Value {
    json!({
        "id": block.id.to_string(),
        "domain": block.domain,
        "digest": sha256_hex(&block.domain),
        "created_at": block.created_at.to_rfc3339(),
        "severity": block.severity,
        "reject_media": block.reject_media,
        "reject_reports": block.reject_reports,
        "private_comment": non_empty(&block.private_comment),
        "public_comment": non_empty(&block.public_comment),
        "obfuscate": block.obfuscate,
    })
}

fn non_empty(text: &str) -> Value {
    if text.is_empty() {
        Value::Null
    } else {
        json!(text)
    }
}

/// Mastodon's `Admin::DomainAllow`.
fn allow_entity(allow: &DomainAllow) -> Value {
    json!({
        "id": allow.id.to_string(),
        "domain": allow.domain,
        "created_at": allow.created_at.to_rfc3339(),
    })
}

/// Newest first, 100 a page (200 at most), with Mastodon's `Link` header.
pub async fn list_blocks(
    State(core): State<Core>,
    Auth(auth): Auth,
    uri: Uri,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    staff(&auth, Scope("admin:read:domain_blocks"))?;
    let page = core
        .instance_domain_blocks_page(&query.request(100, 200)?)
        .await?;
    let items = page.items.iter().map(block_entity).collect();
    Ok(paged(&core, &uri, &page, items))
}

pub async fn show_block(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    staff(&auth, Scope("admin:read:domain_blocks"))?;
    let block = core.instance_domain_block(path_id(&id)?).await?;
    Ok(Json(block_entity(&block)))
}

#[derive(Debug, Deserialize, Default)]
pub struct BlockParams {
    domain: Option<String>,
    severity: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    reject_media: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    reject_reports: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    obfuscate: Option<bool>,
    private_comment: Option<String>,
    public_comment: Option<String>,
}

pub async fn create_block(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(params): Params<BlockParams>,
) -> ApiResult<Json<Value>> {
    staff(&auth, Scope("admin:write:domain_blocks"))?;
    let domain = params
        .domain
        .filter(|d| !d.trim().is_empty())
        .ok_or_else(|| ApiError::unprocessable("Validation failed: Domain can't be blank"))?;
    // Changing a block goes through PUT, as on Mastodon.
    if let Some(existing) = core.instance_domain_block_for(&domain).await? {
        return Err(ApiError::unprocessable(format!(
            "Validation failed: {} is already blocked (id {})",
            existing.domain, existing.id
        )));
    }
    let block = core
        .block_instance_domain(&DomainBlockRequest {
            domain,
            severity: params.severity.unwrap_or_else(|| "silence".into()),
            reject_media: params.reject_media.unwrap_or(false),
            reject_reports: params.reject_reports.unwrap_or(false),
            obfuscate: params.obfuscate.unwrap_or(false),
            public_comment: params.public_comment.unwrap_or_default(),
            private_comment: params.private_comment.unwrap_or_default(),
        })
        .await?;
    Ok(Json(block_entity(&block)))
}

pub async fn update_block(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
    Params(params): Params<BlockParams>,
) -> ApiResult<Json<Value>> {
    staff(&auth, Scope("admin:write:domain_blocks"))?;
    let block = core
        .update_instance_domain_block(path_id(&id)?, |block| {
            if let Some(severity) = params.severity {
                block.severity = severity;
            }
            if let Some(value) = params.reject_media {
                block.reject_media = value;
            }
            if let Some(value) = params.reject_reports {
                block.reject_reports = value;
            }
            if let Some(value) = params.obfuscate {
                block.obfuscate = value;
            }
            if let Some(comment) = params.public_comment {
                block.public_comment = comment;
            }
            if let Some(comment) = params.private_comment {
                block.private_comment = comment;
            }
        })
        .await?;
    Ok(Json(block_entity(&block)))
}

pub async fn delete_block(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    staff(&auth, Scope("admin:write:domain_blocks"))?;
    core.remove_instance_domain_block(path_id(&id)?).await?;
    Ok(Json(json!({})))
}

pub async fn list_allows(
    State(core): State<Core>,
    Auth(auth): Auth,
    uri: Uri,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    staff(&auth, Scope("admin:read:domain_allows"))?;
    let page = core
        .instance_domain_allows_page(&query.request(100, 200)?)
        .await?;
    let items = page.items.iter().map(allow_entity).collect();
    Ok(paged(&core, &uri, &page, items))
}

pub async fn show_allow(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    staff(&auth, Scope("admin:read:domain_allows"))?;
    let allow = core.instance_domain_allow(path_id(&id)?).await?;
    Ok(Json(allow_entity(&allow)))
}

#[derive(Debug, Deserialize)]
pub struct AllowParams {
    domain: Option<String>,
}

pub async fn create_allow(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(params): Params<AllowParams>,
) -> ApiResult<Json<Value>> {
    staff(&auth, Scope("admin:write:domain_allows"))?;
    let domain = params
        .domain
        .filter(|d| !d.trim().is_empty())
        .ok_or_else(|| ApiError::unprocessable("Validation failed: Domain can't be blank"))?;
    let allow = core.allow_instance_domain(&domain).await?;
    Ok(Json(allow_entity(&allow)))
}

pub async fn delete_allow(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    staff(&auth, Scope("admin:write:domain_allows"))?;
    core.remove_domain_allow(path_id(&id)?).await?;
    Ok(Json(json!({})))
}

/// `GET /api/v1/instance/domain_blocks`: public, unless transparency is off (then 404, as
/// Mastodon answers when the list is not shown).
pub async fn public_blocks(State(core): State<Core>) -> ApiResult<Json<Value>> {
    let Some(blocks) = core.public_domain_blocks().await? else {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "Record not found"));
    };
    Ok(Json(json!(blocks)))
}

/// `GET /api/v1/admin/rhizome/policies`: the chain as configured, whether an admin's edit is
/// stored, and the lists in force with the domain blocks merged in.
pub async fn show_policies(State(core): State<Core>, Auth(auth): Auth) -> ApiResult<Json<Value>> {
    admin(&auth, Scope("admin:read"))?;
    let (config, stored) = core.mrf_config().await?;
    let effective = core.effective_mrf().await?;
    Ok(Json(json!({
        "stored": stored,
        "mrf": config,
        "effective": effective,
    })))
}

/// A proposed chain, as JSON in the configuration's shape.
fn proposed(body: Value) -> ApiResult<MrfConfig> {
    serde_path_to_error::deserialize(body).map_err(|e| {
        ApiError::unprocessable(format!("Validation failed: {}: {}", e.path(), e.inner()))
    })
}

/// `PUT /api/v1/admin/rhizome/policies`: replaces the chain for every process at once.
pub async fn update_policies(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(body): Params<Value>,
) -> ApiResult<Json<Value>> {
    admin(&auth, Scope("admin:write"))?;
    let config = proposed(body)?;
    core.set_mrf_config(&config).await?;
    Ok(Json(json!({ "stored": true, "mrf": config })))
}

/// `DELETE /api/v1/admin/rhizome/policies`: back to the configuration file's chain.
pub async fn reset_policies(State(core): State<Core>, Auth(auth): Auth) -> ApiResult<Json<Value>> {
    admin(&auth, Scope("admin:write"))?;
    core.reset_mrf_config().await?;
    let (config, stored) = core.mrf_config().await?;
    Ok(Json(json!({ "stored": stored, "mrf": config })))
}

/// `POST /api/v1/admin/rhizome/policies/test`: what the proposed chain would do to the
/// recently received activities. Changes nothing.
pub async fn test_policies(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(body): Params<Value>,
) -> ApiResult<Json<Value>> {
    admin(&auth, Scope("admin:read"))?;
    let config = proposed(body)?;
    let report = core.policy_dry_run(&config).await?;
    Ok(Json(json!(report)))
}
