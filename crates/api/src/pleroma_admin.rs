//! The Pleroma admin endpoints that admin tools (Admin-FE and others) use most: the user
//! list with its filters and numbered pages, tags, approval, activation; reports with their
//! state changes and notes; the moderation log.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rhizome_core::Core;
use rhizome_core::moderation::{AccountAction, AccountUndo, AdminAccount};
use rhizome_model::{Id, Role, Scope};
use rhizome_store::AdminAccountFilter;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::admin_federation::staff;
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::params::{Params, Query, flexible_list};

/// Pleroma's numbered pages: `page` from 1 and `page_size` (50 unless given), as numbers
/// written as text; nonsense reads as the default.
fn numbered_page(page: Option<&str>, page_size: Option<&str>) -> (u64, u32) {
    let number = |text: Option<&str>, default: u64| {
        text.and_then(|t| t.parse::<u64>().ok())
            .filter(|n| *n > 0)
            .unwrap_or(default)
    };
    let page_size = u32::try_from(number(page_size, 50)).unwrap_or(500);
    (number(page, 1), page_size)
}

/// Pleroma's admin `User`.
async fn user_entity(core: &Core, admin: &AdminAccount) -> ApiResult<Value> {
    let account = &admin.account;
    let user = admin.user.as_ref();
    let view = core.account_view(account.clone()).await?;
    let entity = crate::entities::account(core, &view);
    let tags = core.account_tags(account.id).await?;
    Ok(json!({
        "id": account.id.to_string(),
        "nickname": account.acct(),
        "display_name": account.display_name,
        "avatar": entity["avatar"],
        "url": account.url.clone().unwrap_or_else(|| account.uri.clone()),
        "email": user.map(|u| u.email.clone()),
        "local": account.is_local(),
        "deactivated": account.suspended_at.is_some(),
        "roles": {
            "admin": user.is_some_and(|u| u.role == Role::Admin),
            "moderator": user.is_some_and(|u| u.role == Role::Moderator),
        },
        "tags": tags,
        "is_approved": user.is_none_or(|u| u.approved),
        "is_confirmed": true,
        "registration_reason": user.and_then(|u| u.registration_reason.clone()),
        "actor_type": account.actor_type,
    }))
}

#[derive(Debug, Deserialize, Default)]
pub struct UsersQuery {
    query: Option<String>,
    /// Comma-separated: local, external, active, deactivated, need_approval, is_admin,
    /// is_moderator.
    filters: Option<String>,
    page: Option<String>,
    page_size: Option<String>,
    name: Option<String>,
    email: Option<String>,
}

/// `GET /api/v1/pleroma/admin/users`.
pub async fn list_users(
    State(core): State<Core>,
    Auth(auth): Auth,
    Query(query): Query<UsersQuery>,
) -> ApiResult<Json<Value>> {
    staff(&auth, Scope("admin:read:accounts"))?;
    let mut filter = AdminAccountFilter {
        query: query.query.filter(|q| !q.trim().is_empty()),
        display_name: query.name.filter(|q| !q.trim().is_empty()),
        email: query.email.filter(|q| !q.trim().is_empty()),
        ..Default::default()
    };
    for name in query.filters.as_deref().unwrap_or("").split(',') {
        match name.trim() {
            "local" => filter.local = Some(true),
            "external" => filter.local = Some(false),
            "active" => filter.status = Some("active".into()),
            "deactivated" => filter.status = Some("suspended".into()),
            "need_approval" => filter.status = Some("pending".into()),
            "is_admin" => filter.role = Some("admin".into()),
            "is_moderator" => filter.role = Some("moderator".into()),
            _ => {}
        }
    }
    let (page, page_size) = numbered_page(query.page.as_deref(), query.page_size.as_deref());
    let (items, total) = core
        .admin_accounts_numbered(&filter, page, page_size)
        .await?;
    let mut users = Vec::with_capacity(items.len());
    for item in &items {
        users.push(user_entity(&core, item).await?);
    }
    Ok(Json(json!({
        "users": users,
        "count": total,
        "page_size": page_size.clamp(1, 500),
    })))
}

#[derive(Debug, Deserialize, Default)]
pub struct NicknamesParams {
    #[serde(
        default,
        rename = "nicknames[]",
        alias = "nicknames",
        deserialize_with = "flexible_list"
    )]
    nicknames: Vec<String>,
    #[serde(
        default,
        rename = "tags[]",
        alias = "tags",
        deserialize_with = "flexible_list"
    )]
    tags: Vec<String>,
}

async fn accounts_named(core: &Core, nicknames: &[String]) -> ApiResult<Vec<Id>> {
    let mut ids = Vec::with_capacity(nicknames.len());
    for nickname in nicknames {
        ids.push(core.account_by_nickname(nickname).await?.id);
    }
    Ok(ids)
}

async fn users_answer(core: &Core, ids: &[Id]) -> ApiResult<Json<Value>> {
    let mut users = Vec::with_capacity(ids.len());
    for id in ids {
        let admin = core.admin_account(*id).await?;
        users.push(user_entity(core, &admin).await?);
    }
    Ok(Json(json!({ "users": users })))
}

/// `PUT /api/v1/pleroma/admin/users/tag`: answers 204.
pub async fn tag(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(params): Params<NicknamesParams>,
) -> ApiResult<Response> {
    let moderator = staff(&auth, Scope("admin:write:accounts"))?;
    let ids = accounts_named(&core, &params.nicknames).await?;
    core.moderate_tags(moderator, &ids, &params.tags, true)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE /api/v1/pleroma/admin/users/tag`: answers 204.
pub async fn untag(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(params): Params<NicknamesParams>,
) -> ApiResult<Response> {
    let moderator = staff(&auth, Scope("admin:write:accounts"))?;
    let ids = accounts_named(&core, &params.nicknames).await?;
    core.moderate_tags(moderator, &ids, &params.tags, false)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `PATCH /api/v1/pleroma/admin/users/approve`.
pub async fn approve(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(params): Params<NicknamesParams>,
) -> ApiResult<Json<Value>> {
    let moderator = staff(&auth, Scope("admin:write:accounts"))?;
    let ids = accounts_named(&core, &params.nicknames).await?;
    for id in &ids {
        // Already approved accounts stay as they are, as on Pleroma.
        let admin = core.admin_account(*id).await?;
        if admin.user.as_ref().is_some_and(|u| !u.approved) {
            core.decide_registration(moderator, *id, true).await?;
        }
    }
    users_answer(&core, &ids).await
}

/// `PATCH /api/v1/pleroma/admin/users/activate`: lifts a deactivation (suspension).
pub async fn activate(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(params): Params<NicknamesParams>,
) -> ApiResult<Json<Value>> {
    let moderator = staff(&auth, Scope("admin:write:accounts"))?;
    let ids = accounts_named(&core, &params.nicknames).await?;
    for id in &ids {
        core.undo_moderation(moderator, *id, AccountUndo::Unsuspend)
            .await?;
    }
    users_answer(&core, &ids).await
}

/// `PATCH /api/v1/pleroma/admin/users/deactivate`: Mastodon's suspension.
pub async fn deactivate(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(params): Params<NicknamesParams>,
) -> ApiResult<Json<Value>> {
    let moderator = staff(&auth, Scope("admin:write:accounts"))?;
    let ids = accounts_named(&core, &params.nicknames).await?;
    for id in &ids {
        core.moderate_account(moderator, *id, AccountAction::Suspend, None, "", false)
            .await?;
    }
    users_answer(&core, &ids).await
}

#[derive(Debug, Deserialize, Default)]
pub struct ReportsQuery {
    /// `open`, `resolved` or `closed` (both read as resolved here).
    state: Option<String>,
    page: Option<String>,
    page_size: Option<String>,
}

/// `GET /api/v1/pleroma/admin/reports`.
pub async fn list_reports(
    State(core): State<Core>,
    Auth(auth): Auth,
    Query(query): Query<ReportsQuery>,
) -> ApiResult<Json<Value>> {
    let moderator = staff(&auth, Scope("admin:read:reports"))?;
    let resolved = match query.state.as_deref() {
        None | Some("") => None,
        Some("open") => Some(false),
        Some("resolved" | "closed") => Some(true),
        Some(other) => {
            return Err(crate::ApiError::bad_request(format!(
                "unknown state {other}"
            )));
        }
    };
    let (page, page_size) = numbered_page(query.page.as_deref(), query.page_size.as_deref());
    let (reports, total) = core.reports_numbered(resolved, page, page_size).await?;
    let mut items = Vec::with_capacity(reports.len());
    for report in &reports {
        items.push(report_entity(&core, report, moderator).await?);
    }
    Ok(Json(json!({ "total": total, "reports": items })))
}

/// Pleroma's admin `Report`, with its notes (the moderation log's notes on it).
async fn report_entity(
    core: &Core,
    report: &rhizome_store::Report,
    moderator: &rhizome_model::LocalUser,
) -> ApiResult<Value> {
    let target = core.admin_account(report.target_account_id).await?;
    let actor = core.admin_account(report.account_id).await?;
    let statuses: Vec<Value> = core
        .report_statuses(report, moderator.account.id)
        .await?
        .iter()
        .map(|view| crate::entities::status(core, view))
        .collect();
    let mut notes = Vec::new();
    // Oldest first, as Pleroma lists them.
    for entry in core.report_notes(report.id).await? {
        let user = match entry.account_id {
            Some(id) => Some(user_entity(core, &core.admin_account(id).await?).await?),
            None => None,
        };
        notes.push(json!({
            "id": entry.id.to_string(),
            "user": user,
            "content": entry.text,
            "created_at": entry.created_at.to_rfc3339(),
        }));
    }
    Ok(json!({
        "id": report.id.to_string(),
        "state": if report.action_taken_at.is_some() { "resolved" } else { "open" },
        "account": user_entity(core, &target).await?,
        "actor": user_entity(core, &actor).await?,
        "content": report.comment,
        "created_at": report.created_at.to_rfc3339(),
        "statuses": statuses,
        "notes": notes,
    }))
}

fn report_id(text: &str) -> ApiResult<Id> {
    text.parse::<i64>()
        .map(Id)
        .map_err(|_| crate::ApiError::new(StatusCode::NOT_FOUND, "Not found"))
}

/// `GET /api/v1/pleroma/admin/reports/:id`.
pub async fn show_report(
    State(core): State<Core>,
    Auth(auth): Auth,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> ApiResult<Json<Value>> {
    let moderator = staff(&auth, Scope("admin:read:reports"))?;
    let report = core.report_of(report_id(&id)?).await?;
    Ok(Json(report_entity(&core, &report, moderator).await?))
}

#[derive(Debug, Deserialize)]
pub struct StateChange {
    id: String,
    state: String,
}

#[derive(Debug, Deserialize)]
pub struct StateChanges {
    #[serde(default)]
    reports: Vec<StateChange>,
}

/// `PATCH /api/v1/pleroma/admin/reports`: `open` reopens, `resolved` and `closed` resolve.
/// Every change is tried; the failed ones are listed with why (`400`), else `204`.
pub async fn change_report_states(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(changes): Params<StateChanges>,
) -> ApiResult<Response> {
    let moderator = staff(&auth, Scope("admin:write:reports"))?;
    let mut errors = Vec::new();
    for change in &changes.reports {
        let outcome = match (report_id(&change.id), change.state.as_str()) {
            (Err(_), _) => Err("Not found".to_owned()),
            (Ok(id), "open") => core
                .reopen_report(moderator, id, "")
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
            (Ok(id), "resolved" | "closed") => core
                .resolve_report(moderator, id, "")
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
            (Ok(_), other) => Err(format!("unsupported state {other}")),
        };
        if let Err(error) = outcome {
            errors.push(json!({ "id": change.id, "error": error }));
        }
    }
    if errors.is_empty() {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Ok((StatusCode::BAD_REQUEST, Json(Value::Array(errors))).into_response())
    }
}

#[derive(Debug, Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    content: String,
}

/// `POST /api/v1/pleroma/admin/reports/:id/notes`.
pub async fn add_report_note(
    State(core): State<Core>,
    Auth(auth): Auth,
    axum::extract::Path(id): axum::extract::Path<String>,
    Params(form): Params<NoteForm>,
) -> ApiResult<Response> {
    let moderator = staff(&auth, Scope("admin:write:reports"))?;
    core.note_report(moderator, report_id(&id)?, &form.content)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE /api/v1/pleroma/admin/reports/:report_id/notes/:id`.
pub async fn delete_report_note(
    State(core): State<Core>,
    Auth(auth): Auth,
    axum::extract::Path((report, note)): axum::extract::Path<(String, String)>,
) -> ApiResult<Response> {
    let moderator = staff(&auth, Scope("admin:write:reports"))?;
    core.delete_report_note(moderator, report_id(&report)?, report_id(&note)?)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize, Default)]
pub struct LogQuery {
    page: Option<String>,
    page_size: Option<String>,
}

/// `GET /api/v1/pleroma/admin/moderation_log`: newest first, numbered pages.
pub async fn moderation_log(
    State(core): State<Core>,
    Auth(auth): Auth,
    Query(query): Query<LogQuery>,
) -> ApiResult<Json<Value>> {
    staff(&auth, Scope("admin:read"))?;
    let (page, page_size) = numbered_page(query.page.as_deref(), query.page_size.as_deref());
    let (entries, total) = core.moderation_log_numbered(page, page_size).await?;
    let mut items = Vec::new();
    for entry in &entries {
        let actor = match entry.account_id {
            Some(id) => {
                let account = core.admin_account(id).await?.account;
                json!({ "id": id.to_string(), "nickname": account.acct() })
            }
            None => Value::Null,
        };
        let who = actor["nickname"]
            .as_str()
            .unwrap_or("the system")
            .to_owned();
        items.push(json!({
            "id": entry.id.to_string(),
            "data": { "actor": actor, "action": entry.action },
            "time": entry.created_at.0 / 1000,
            "message": format!(
                "[{}] @{who} {} {} {}{}",
                entry.created_at.to_datetime().format("%Y-%m-%d %H:%M:%S"),
                entry.action,
                entry.target_type,
                entry.target_id,
                if entry.text.is_empty() { String::new() } else { format!(": {}", entry.text) }
            ),
        }));
    }
    Ok(Json(json!({ "total": total, "items": items })))
}
