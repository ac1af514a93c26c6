//! Mastodon's sign-up blocks: `/api/v1/admin/email_domain_blocks`, `/ip_blocks` and
//! `/canonical_email_blocks`. They are admins' (Mastodon's `manage_blocks`), reading included.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use rhizome_core::Core;
use rhizome_core::signup_blocks::IpBlockInput;
use rhizome_model::Scope;
use rhizome_store::{CanonicalEmailBlock, EmailDomainBlock, IpBlock, SignupBlockTable};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::admin_federation::admin;
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::params::{Params, Query};
use crate::support::{paged, path_id};

/// Mastodon's `Admin::EmailDomainBlock`; the daily sign-up history is not kept yet.
fn email_domain_entity(block: &EmailDomainBlock) -> Value {
    json!({
        "id": block.id.to_string(),
        "domain": block.domain,
        "created_at": block.created_at.to_rfc3339(),
        "history": [],
    })
}

/// Mastodon's `Admin::CanonicalEmailBlock`.
fn canonical_entity(block: &CanonicalEmailBlock) -> Value {
    json!({
        "id": block.id.to_string(),
        "canonical_email_hash": block.canonical_email_hash,
    })
}

/// Mastodon's `Admin::IpBlock`.
fn ip_entity(block: &IpBlock) -> Value {
    json!({
        "id": block.id.to_string(),
        "ip": block.ip,
        "severity": block.severity,
        "comment": block.comment,
        "created_at": block.created_at.to_rfc3339(),
        "expires_at": block.expires_at.map(|t| t.to_rfc3339()),
    })
}

pub async fn list_email_domains(
    State(core): State<Core>,
    Auth(auth): Auth,
    uri: Uri,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    admin(&auth, Scope("admin:read:email_domain_blocks"))?;
    let page = core
        .email_domain_blocks_page(&query.request(100, 200)?)
        .await?;
    let items = page.items.iter().map(email_domain_entity).collect();
    Ok(paged(&core, &uri, &page, items))
}

pub async fn show_email_domain(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    admin(&auth, Scope("admin:read:email_domain_blocks"))?;
    let block = core.email_domain_block(path_id(&id)?).await?;
    Ok(Json(email_domain_entity(&block)))
}

#[derive(Debug, Deserialize, Default)]
pub struct EmailDomainParams {
    domain: Option<String>,
}

pub async fn create_email_domain(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(params): Params<EmailDomainParams>,
) -> ApiResult<Json<Value>> {
    let user = admin(&auth, Scope("admin:write:email_domain_blocks"))?;
    let block = core
        .block_email_domain(user, params.domain.as_deref().unwrap_or(""))
        .await?;
    Ok(Json(email_domain_entity(&block)))
}

pub async fn delete_email_domain(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = admin(&auth, Scope("admin:write:email_domain_blocks"))?;
    core.remove_signup_block(user, SignupBlockTable::EmailDomains, path_id(&id)?)
        .await?;
    Ok(Json(json!({})))
}

pub async fn list_canonical(
    State(core): State<Core>,
    Auth(auth): Auth,
    uri: Uri,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    admin(&auth, Scope("admin:read:canonical_email_blocks"))?;
    let page = core
        .canonical_email_blocks_page(&query.request(100, 200)?)
        .await?;
    let items = page.items.iter().map(canonical_entity).collect();
    Ok(paged(&core, &uri, &page, items))
}

pub async fn show_canonical(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    admin(&auth, Scope("admin:read:canonical_email_blocks"))?;
    let block = core.canonical_email_block(path_id(&id)?).await?;
    Ok(Json(canonical_entity(&block)))
}

#[derive(Debug, Deserialize, Default)]
pub struct CanonicalParams {
    email: Option<String>,
    canonical_email_hash: Option<String>,
}

pub async fn create_canonical(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(params): Params<CanonicalParams>,
) -> ApiResult<Json<Value>> {
    let user = admin(&auth, Scope("admin:write:canonical_email_blocks"))?;
    let block = core
        .block_canonical_email(
            user,
            params.email.as_deref(),
            params.canonical_email_hash.as_deref(),
        )
        .await?;
    Ok(Json(canonical_entity(&block)))
}

/// `POST /api/v1/admin/canonical_email_blocks/test`: the blocks an address falls under.
pub async fn test_canonical(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(params): Params<CanonicalParams>,
) -> ApiResult<Json<Value>> {
    admin(&auth, Scope("admin:read:canonical_email_blocks"))?;
    let blocks = core
        .test_canonical_email(params.email.as_deref().unwrap_or(""))
        .await?;
    Ok(Json(blocks.iter().map(canonical_entity).collect()))
}

pub async fn delete_canonical(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = admin(&auth, Scope("admin:write:canonical_email_blocks"))?;
    core.remove_signup_block(user, SignupBlockTable::CanonicalEmails, path_id(&id)?)
        .await?;
    Ok(Json(json!({})))
}

pub async fn list_ips(
    State(core): State<Core>,
    Auth(auth): Auth,
    uri: Uri,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    admin(&auth, Scope("admin:read:ip_blocks"))?;
    let page = core.ip_blocks_page(&query.request(100, 200)?).await?;
    let items = page.items.iter().map(ip_entity).collect();
    Ok(paged(&core, &uri, &page, items))
}

pub async fn show_ip(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    admin(&auth, Scope("admin:read:ip_blocks"))?;
    let block = core.ip_block(path_id(&id)?).await?;
    Ok(Json(ip_entity(&block)))
}

#[derive(Debug, Deserialize, Default)]
pub struct IpParams {
    ip: Option<String>,
    severity: Option<String>,
    comment: Option<String>,
    /// Seconds; sent as a number or a string.
    expires_in: Option<serde_json::Value>,
}

impl IpParams {
    fn input(self) -> ApiResult<IpBlockInput> {
        let expires_in = match self.expires_in {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) if s.is_empty() => None,
            Some(Value::String(s)) => s.parse::<u64>().ok(),
            Some(_) => None,
        };
        Ok(IpBlockInput {
            ip: self.ip,
            severity: self.severity,
            comment: self.comment,
            expires_in,
        })
    }
}

pub async fn create_ip(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(params): Params<IpParams>,
) -> ApiResult<Json<Value>> {
    let user = admin(&auth, Scope("admin:write:ip_blocks"))?;
    let block = core.create_ip_block(user, params.input()?).await?;
    Ok(Json(ip_entity(&block)))
}

pub async fn update_ip(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
    Params(params): Params<IpParams>,
) -> ApiResult<Json<Value>> {
    let user = admin(&auth, Scope("admin:write:ip_blocks"))?;
    let block = core
        .update_ip_block(user, path_id(&id)?, params.input()?)
        .await?;
    Ok(Json(ip_entity(&block)))
}

pub async fn delete_ip(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = admin(&auth, Scope("admin:write:ip_blocks"))?;
    core.remove_signup_block(user, SignupBlockTable::Ips, path_id(&id)?)
        .await?;
    Ok(Json(json!({})))
}
