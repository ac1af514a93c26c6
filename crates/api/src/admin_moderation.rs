//! Reports and account moderation: the client's `POST /api/v1/reports`, and Mastodon's
//! `/api/v1/admin/accounts`, `/api/v2/admin/accounts` and `/api/v1/admin/reports`, with the
//! `Admin::Account` and `Admin::Report` entities.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use rhizome_core::Core;
use rhizome_core::federation::reports::NewReport;
use rhizome_core::moderation::{AccountAction, AccountUndo, AdminAccount};
use rhizome_model::{Id, LocalUser, Role, Scope};
use rhizome_store::{AdminAccountFilter, Page, Report, ReportFilter};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::ApiError;
use crate::admin_federation::staff;
use crate::auth::Auth;
use crate::entities;
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::params::{Params, Query, flexible_bool, flexible_list};
use crate::support::{paged, path_id, user};

/// Mastodon's `Role`, with the permission bits of its default roles.
fn role_entity(role: Option<Role>) -> Value {
    let (id, name, permissions, highlighted) = match role {
        Some(Role::Admin) => ("3", "Admin", 1, true),
        // view_dashboard, view_audit_log, manage_users, manage_reports, manage_taxonomies.
        Some(Role::Moderator) => ("1", "Moderator", 1308, true),
        // invite_users.
        _ => ("-99", "", 65536, false),
    };
    json!({
        "id": id,
        "name": name,
        "color": "",
        "permissions": permissions.to_string(),
        "highlighted": highlighted,
    })
}

/// Mastodon's `Admin::Account`.
async fn admin_account_entity(core: &Core, admin: AdminAccount) -> ApiResult<Value> {
    let view = core.account_view(admin.account.clone()).await?;
    let user = admin.user.as_ref();
    Ok(json!({
        "id": admin.account.id.to_string(),
        "username": admin.account.username,
        "domain": admin.account.domain,
        "created_at": user.map_or(admin.account.created_at, |u| u.created_at).to_rfc3339(),
        "email": user.map(|u| u.email.clone()),
        "ip": admin.ips.first().map(|(ip, _)| ip),
        "ips": admin
            .ips
            .iter()
            .map(|(ip, used_at)| json!({ "ip": ip, "used_at": used_at.to_rfc3339() }))
            .collect::<Vec<_>>(),
        "locale": user.map(|u| u.locale.clone()),
        "invite_request": user.and_then(|u| u.registration_reason.clone()),
        "role": role_entity(user.map(|u| u.role)),
        "confirmed": user.is_some(),
        "approved": user.is_none_or(|u| u.approved),
        "disabled": admin.state.disabled,
        "silenced": admin.state.silenced_at.is_some(),
        "suspended": admin.account.suspended_at.is_some(),
        "sensitized": admin.state.sensitized_at.is_some(),
        "account": entities::account(core, &view),
        "created_by_application_id": null,
        "invited_by_account_id": null,
    }))
}

async fn admin_account_by_id(core: &Core, id: Id) -> ApiResult<Value> {
    let admin = core.admin_account(id).await?;
    admin_account_entity(core, admin).await
}

/// Mastodon's `Report`, for the reporter.
async fn report_entity(core: &Core, report: &Report) -> ApiResult<Value> {
    let target = core
        .account_view(core.account(report.target_account_id).await?)
        .await?;
    Ok(json!({
        "id": report.id.to_string(),
        "action_taken": report.action_taken_at.is_some(),
        "action_taken_at": report.action_taken_at.map(|t| t.to_rfc3339()),
        "category": report.category,
        "comment": report.comment,
        "forwarded": report.forwarded,
        "created_at": report.created_at.to_rfc3339(),
        "status_ids": report.status_ids.iter().map(Id::to_string).collect::<Vec<_>>(),
        "rule_ids": report.rule_ids,
        "target_account": entities::account(core, &target),
    }))
}

/// Mastodon's `Admin::Report`.
async fn admin_report_entity(core: &Core, report: &Report, moderator: Id) -> ApiResult<Value> {
    let optional = async |id: Option<Id>| -> ApiResult<Value> {
        match id {
            Some(id) => admin_account_by_id(core, id).await,
            None => Ok(Value::Null),
        }
    };
    let statuses: Vec<Value> = core
        .report_statuses(report, moderator)
        .await?
        .iter()
        .map(|view| entities::status(core, view))
        .collect();
    let settings = core.settings().await?;
    let rules: Vec<Value> = entities::rules(&settings)
        .into_iter()
        .filter(|rule| {
            rule["id"]
                .as_str()
                .is_some_and(|id| report.rule_ids.iter().any(|r| r == id))
        })
        .collect();
    Ok(json!({
        "id": report.id.to_string(),
        "action_taken": report.action_taken_at.is_some(),
        "action_taken_at": report.action_taken_at.map(|t| t.to_rfc3339()),
        "category": report.category,
        "comment": report.comment,
        "forwarded": report.forwarded,
        "created_at": report.created_at.to_rfc3339(),
        "updated_at": report.updated_at.to_rfc3339(),
        "account": admin_account_by_id(core, report.account_id).await?,
        "target_account": admin_account_by_id(core, report.target_account_id).await?,
        "assigned_account": optional(report.assigned_account_id).await?,
        "action_taken_by_account": optional(report.action_taken_by_account_id).await?,
        "statuses": statuses,
        "rules": rules,
    }))
}

#[derive(Debug, Deserialize)]
pub struct ReportParams {
    account_id: Option<String>,
    #[serde(
        default,
        rename = "status_ids[]",
        alias = "status_ids",
        deserialize_with = "flexible_list"
    )]
    status_ids: Vec<String>,
    comment: Option<String>,
    category: Option<String>,
    #[serde(
        default,
        rename = "rule_ids[]",
        alias = "rule_ids",
        deserialize_with = "flexible_list"
    )]
    rule_ids: Vec<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    forward: Option<bool>,
    #[serde(
        default,
        rename = "forward_to_domains[]",
        alias = "forward_to_domains",
        deserialize_with = "flexible_list"
    )]
    forward_to_domains: Vec<String>,
}

/// `POST /api/v1/reports`.
pub async fn create_report(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(params): Params<ReportParams>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:reports"))?;
    let target = params
        .account_id
        .as_deref()
        .ok_or_else(|| ApiError::unprocessable("Validation failed: account_id is missing"))
        .and_then(path_id)?;
    let status_ids = params
        .status_ids
        .iter()
        .map(|id| path_id(id))
        .collect::<ApiResult<Vec<Id>>>()?;
    let report = core
        .report(
            user,
            NewReport {
                target,
                status_ids,
                comment: params.comment.unwrap_or_default(),
                category: params.category.filter(|c| !c.is_empty()),
                rule_ids: params.rule_ids,
                forward: params.forward.unwrap_or(false),
                forward_to_domains: params.forward_to_domains,
            },
        )
        .await?;
    Ok(Json(report_entity(&core, &report).await?))
}

#[derive(Debug, Deserialize, Default)]
pub struct AccountsQuery {
    #[serde(flatten)]
    page: PageQuery,
    // v1
    #[serde(default, deserialize_with = "flexible_bool")]
    local: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    remote: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    active: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    pending: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    disabled: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    silenced: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    suspended: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    staff: Option<bool>,
    // v2
    origin: Option<String>,
    status: Option<String>,
    permissions: Option<String>,
    // both
    by_domain: Option<String>,
    username: Option<String>,
    display_name: Option<String>,
    email: Option<String>,
    ip: Option<String>,
}

fn non_blank(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// An address to filter by, written as the store keeps it.
fn ip_filter(ip: Option<String>) -> ApiResult<Option<String>> {
    match non_blank(ip) {
        None => Ok(None),
        Some(text) => text
            .trim()
            .parse::<std::net::IpAddr>()
            .map(|ip| Some(rhizome_core::signup_blocks::address_text(ip)))
            .map_err(|_| ApiError::unprocessable("Validation failed: ip is not an IP address")),
    }
}

impl AccountsQuery {
    fn v1_filter(self) -> ApiResult<(PageQuery, AdminAccountFilter)> {
        let flag = |f: Option<bool>| f.unwrap_or(false);
        let local = if flag(self.local) {
            Some(true)
        } else if flag(self.remote) {
            Some(false)
        } else {
            None
        };
        let status = [
            (self.active, "active"),
            (self.pending, "pending"),
            (self.disabled, "disabled"),
            (self.silenced, "silenced"),
            (self.suspended, "suspended"),
        ]
        .into_iter()
        .find(|(set, _)| flag(*set))
        .map(|(_, name)| name.to_owned());
        Ok((
            self.page,
            AdminAccountFilter {
                local,
                domain: non_blank(self.by_domain),
                status,
                username: non_blank(self.username),
                display_name: non_blank(self.display_name),
                email: non_blank(self.email),
                staff: flag(self.staff),
                ip: ip_filter(self.ip)?,
                ..Default::default()
            },
        ))
    }

    fn v2_filter(self) -> ApiResult<(PageQuery, AdminAccountFilter)> {
        let local = match self.origin.as_deref() {
            None | Some("") => None,
            Some("local") => Some(true),
            Some("remote") => Some(false),
            Some(other) => {
                return Err(ApiError::unprocessable(format!(
                    "Validation failed: unknown origin {other}"
                )));
            }
        };
        let status = match self.status.as_deref() {
            None | Some("") => None,
            Some(s @ ("active" | "pending" | "disabled" | "silenced" | "suspended")) => {
                Some(s.to_owned())
            }
            Some(other) => {
                return Err(ApiError::unprocessable(format!(
                    "Validation failed: unknown status {other}"
                )));
            }
        };
        Ok((
            self.page,
            AdminAccountFilter {
                local,
                domain: non_blank(self.by_domain),
                status,
                username: non_blank(self.username),
                display_name: non_blank(self.display_name),
                email: non_blank(self.email),
                staff: self.permissions.as_deref() == Some("staff"),
                ip: ip_filter(self.ip)?,
                ..Default::default()
            },
        ))
    }
}

async fn accounts_answer(core: &Core, uri: &Uri, page: Page<AdminAccount>) -> ApiResult<Response> {
    let mut items = Vec::with_capacity(page.items.len());
    for admin in page.items.iter().cloned() {
        items.push(admin_account_entity(core, admin).await?);
    }
    Ok(paged(core, uri, &page, items))
}

/// `GET /api/v1/admin/accounts`.
pub async fn list_accounts_v1(
    State(core): State<Core>,
    Auth(auth): Auth,
    uri: Uri,
    Query(query): Query<AccountsQuery>,
) -> ApiResult<Response> {
    staff(&auth, Scope("admin:read:accounts"))?;
    let (page, filter) = query.v1_filter()?;
    let found = core
        .admin_accounts_page(&filter, &page.request(100, 200)?)
        .await?;
    accounts_answer(&core, &uri, found).await
}

/// `GET /api/v2/admin/accounts`.
pub async fn list_accounts_v2(
    State(core): State<Core>,
    Auth(auth): Auth,
    uri: Uri,
    Query(query): Query<AccountsQuery>,
) -> ApiResult<Response> {
    staff(&auth, Scope("admin:read:accounts"))?;
    let (page, filter) = query.v2_filter()?;
    let found = core
        .admin_accounts_page(&filter, &page.request(100, 200)?)
        .await?;
    accounts_answer(&core, &uri, found).await
}

pub async fn show_account(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    staff(&auth, Scope("admin:read:accounts"))?;
    Ok(Json(admin_account_by_id(&core, path_id(&id)?).await?))
}

#[derive(Debug, Deserialize, Default)]
pub struct ActionParams {
    #[serde(rename = "type")]
    kind: Option<String>,
    report_id: Option<String>,
    text: Option<String>,
    /// Whether the account is told (Mastodon's name; true unless asked otherwise).
    #[serde(default, deserialize_with = "crate::params::flexible_bool")]
    send_email_notification: Option<bool>,
}

/// `POST /api/v1/admin/accounts/:id/action`: answers `{}` as Mastodon does.
pub async fn account_action(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
    Params(params): Params<ActionParams>,
) -> ApiResult<Json<Value>> {
    let moderator = staff(&auth, Scope("admin:write:accounts"))?;
    let action = AccountAction::parse(params.kind.as_deref().unwrap_or("none"))?;
    let report_id = match params.report_id.as_deref() {
        None | Some("") => None,
        Some(text) => Some(path_id(text)?),
    };
    // Acting on a report needs the report scope too.
    if report_id.is_some() {
        auth.require(Scope("admin:write:reports"))?;
    }
    core.moderate_account(
        moderator,
        path_id(&id)?,
        action,
        report_id,
        params.text.as_deref().unwrap_or(""),
        params.send_email_notification.unwrap_or(true),
    )
    .await?;
    Ok(Json(json!({})))
}

async fn undo(core: &Core, auth: &Auth, id: &str, undo: AccountUndo) -> ApiResult<Json<Value>> {
    let moderator = staff(&auth.0, Scope("admin:write:accounts"))?;
    let id = path_id(id)?;
    core.undo_moderation(moderator, id, undo).await?;
    Ok(Json(admin_account_by_id(core, id).await?))
}

pub async fn enable(
    State(core): State<Core>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    undo(&core, &auth, &id, AccountUndo::Enable).await
}

pub async fn unsilence(
    State(core): State<Core>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    undo(&core, &auth, &id, AccountUndo::Unsilence).await
}

pub async fn unsuspend(
    State(core): State<Core>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    undo(&core, &auth, &id, AccountUndo::Unsuspend).await
}

pub async fn unsensitive(
    State(core): State<Core>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    undo(&core, &auth, &id, AccountUndo::Unsensitive).await
}

pub async fn approve(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let moderator = staff(&auth, Scope("admin:write:accounts"))?;
    let id = path_id(&id)?;
    core.decide_registration(moderator, id, true).await?;
    Ok(Json(admin_account_by_id(&core, id).await?))
}

/// Rejecting deletes the pending sign-up; the answer is the account as it was.
pub async fn reject(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let moderator = staff(&auth, Scope("admin:write:accounts"))?;
    let id = path_id(&id)?;
    let before = admin_account_by_id(&core, id).await?;
    core.decide_registration(moderator, id, false).await?;
    Ok(Json(before))
}

/// `DELETE /api/v1/admin/accounts/:id`: a suspended account's data, admins only.
pub async fn delete_account(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let moderator = staff(&auth, Scope("admin:write:accounts"))?;
    let id = path_id(&id)?;
    let before = admin_account_by_id(&core, id).await?;
    core.delete_account_data(moderator, id).await?;
    Ok(Json(before))
}

#[derive(Debug, Deserialize, Default)]
pub struct ReportsQuery {
    #[serde(flatten)]
    page: PageQuery,
    #[serde(default, deserialize_with = "flexible_bool")]
    resolved: Option<bool>,
    account_id: Option<String>,
    target_account_id: Option<String>,
}

fn optional_id(text: Option<&str>) -> ApiResult<Option<Id>> {
    match text {
        None | Some("") => Ok(None),
        Some(text) => path_id(text).map(Some),
    }
}

/// `GET /api/v1/admin/reports`: open reports unless `resolved`.
pub async fn list_reports(
    State(core): State<Core>,
    Auth(auth): Auth,
    uri: Uri,
    Query(query): Query<ReportsQuery>,
) -> ApiResult<Response> {
    let moderator = staff(&auth, Scope("admin:read:reports"))?;
    let filter = ReportFilter {
        resolved: query.resolved.unwrap_or(false),
        account_id: optional_id(query.account_id.as_deref())?,
        target_account_id: optional_id(query.target_account_id.as_deref())?,
    };
    let page = core
        .reports_page(&filter, &query.page.request(100, 200)?)
        .await?;
    let mut items = Vec::with_capacity(page.items.len());
    for report in &page.items {
        items.push(admin_report_entity(&core, report, moderator.account.id).await?);
    }
    Ok(paged(&core, &uri, &page, items))
}

pub async fn show_report(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let moderator = staff(&auth, Scope("admin:read:reports"))?;
    let report = core.report_of(path_id(&id)?).await?;
    Ok(Json(
        admin_report_entity(&core, &report, moderator.account.id).await?,
    ))
}

#[derive(Debug, Deserialize, Default)]
pub struct NoteParams {
    /// Rhizome's addition: a note for the moderation log.
    note: Option<String>,
}

async fn report_answer(
    core: &Core,
    moderator: &LocalUser,
    report: Report,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        admin_report_entity(core, &report, moderator.account.id).await?,
    ))
}

pub async fn assign_to_self(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let moderator = staff(&auth, Scope("admin:write:reports"))?;
    let report = core
        .assign_report(moderator, path_id(&id)?, Some(moderator.account.id))
        .await?;
    report_answer(&core, moderator, report).await
}

pub async fn unassign(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let moderator = staff(&auth, Scope("admin:write:reports"))?;
    let report = core.assign_report(moderator, path_id(&id)?, None).await?;
    report_answer(&core, moderator, report).await
}

pub async fn resolve(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
    Params(params): Params<NoteParams>,
) -> ApiResult<Json<Value>> {
    let moderator = staff(&auth, Scope("admin:write:reports"))?;
    let report = core
        .resolve_report(
            moderator,
            path_id(&id)?,
            params.note.as_deref().unwrap_or(""),
        )
        .await?;
    report_answer(&core, moderator, report).await
}

pub async fn reopen(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
    Params(params): Params<NoteParams>,
) -> ApiResult<Json<Value>> {
    let moderator = staff(&auth, Scope("admin:write:reports"))?;
    let report = core
        .reopen_report(
            moderator,
            path_id(&id)?,
            params.note.as_deref().unwrap_or(""),
        )
        .await?;
    report_answer(&core, moderator, report).await
}

#[derive(Debug, Deserialize, Default)]
pub struct DashboardParams {
    #[serde(
        default,
        rename = "keys[]",
        alias = "keys",
        deserialize_with = "flexible_list"
    )]
    keys: Vec<String>,
    start_at: Option<String>,
    end_at: Option<String>,
    limit: Option<serde_json::Value>,
}

/// A date as the dashboard sends it: `2026-11-01` or a full timestamp.
fn dashboard_date(text: Option<&str>, what: &str) -> ApiResult<chrono::NaiveDate> {
    let text = text
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::unprocessable(format!("Validation failed: {what} is missing")))?;
    let day = text.get(..10).unwrap_or(text);
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map_err(|_| ApiError::unprocessable(format!("Validation failed: {what} is not a date")))
}

/// `POST /api/v1/admin/measures`.
pub async fn measures(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(params): Params<DashboardParams>,
) -> ApiResult<Json<Value>> {
    staff(&auth, Scope("admin:read"))?;
    let start = dashboard_date(params.start_at.as_deref(), "start_at")?;
    let end = dashboard_date(params.end_at.as_deref(), "end_at")?;
    let results = core.measures(&params.keys, start, end).await?;
    Ok(Json(
        results
            .iter()
            .map(|m| {
                json!({
                    "key": m.key,
                    "unit": null,
                    "total": m.total.to_string(),
                    "human_value": m.total.to_string(),
                    "previous_total": m.previous_total.to_string(),
                    "data": m.data.iter().map(|(day, value)| json!({
                        "date": format!("{day}T00:00:00Z"),
                        "value": value.to_string(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    ))
}

/// `POST /api/v1/admin/dimensions`.
pub async fn dimensions(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(params): Params<DashboardParams>,
) -> ApiResult<Json<Value>> {
    staff(&auth, Scope("admin:read"))?;
    let start = dashboard_date(params.start_at.as_deref(), "start_at")?;
    let end = dashboard_date(params.end_at.as_deref(), "end_at")?;
    let limit = match &params.limit {
        Some(Value::Number(n)) => n.as_u64().unwrap_or(10),
        Some(Value::String(s)) => s.parse().unwrap_or(10),
        _ => 10,
    };
    let limit = u32::try_from(limit).unwrap_or(100);
    let results = core.dimensions(&params.keys, start, end, limit).await?;
    Ok(Json(
        results
            .iter()
            .map(|d| {
                json!({
                    "key": d.key,
                    "data": d.data.iter().map(|(key, value)| json!({
                        "key": key,
                        "human_key": key,
                        "value": value.to_string(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    ))
}

async fn reported_statuses(
    core: &Core,
    auth: &Auth,
    id: &str,
    note: Option<&str>,
    delete: bool,
) -> ApiResult<Json<Value>> {
    let moderator = staff(&auth.0, Scope("admin:write:reports"))?;
    let report = core
        .act_on_reported_statuses(moderator, path_id(id)?, delete, note.unwrap_or(""))
        .await?;
    report_answer(core, moderator, report).await
}

/// Rhizome's `POST /api/v1/admin/rhizome/reports/:id/mark_statuses_sensitive`: the reported
/// statuses become sensitive and the report is resolved.
pub async fn mark_reported_sensitive(
    State(core): State<Core>,
    auth: Auth,
    Path(id): Path<String>,
    Params(params): Params<NoteParams>,
) -> ApiResult<Json<Value>> {
    reported_statuses(&core, &auth, &id, params.note.as_deref(), false).await
}

/// Rhizome's `POST /api/v1/admin/rhizome/reports/:id/delete_statuses`: the reported statuses
/// are deleted (on other servers too, when local) and the report is resolved.
pub async fn delete_reported(
    State(core): State<Core>,
    auth: Auth,
    Path(id): Path<String>,
    Params(params): Params<NoteParams>,
) -> ApiResult<Json<Value>> {
    reported_statuses(&core, &auth, &id, params.note.as_deref(), true).await
}

/// Rhizome's `GET /api/v1/admin/rhizome/moderation_log`: who did what to whom, newest
/// first, with Mastodon's `Link` pagination (staff, `admin:read`).
pub async fn moderation_log(
    State(core): State<Core>,
    Auth(auth): Auth,
    uri: Uri,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    staff(&auth, Scope("admin:read"))?;
    let page = core.moderation_log(None, &query.request(40, 200)?).await?;
    let items = page
        .items
        .iter()
        .map(|entry| {
            json!({
                "id": entry.id.to_string(),
                "account_id": entry.account_id.map(|id| id.to_string()),
                "action": entry.action,
                "target_type": entry.target_type,
                "target_id": entry.target_id.to_string(),
                "text": entry.text,
                "created_at": entry.created_at.to_rfc3339(),
            })
        })
        .collect();
    Ok(paged(&core, &uri, &page, items))
}
