//! `/admin/reports`: open and resolved reports; one report with the posts it cites, its
//! history and notes, and the forms to assign, note, resolve with an action, and reopen.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use rhizome_core::moderation::AccountAction;
use rhizome_core::{Core, PageRequest};
use serde::Deserialize;

use super::{Nav, Pager, accounts_by_id, done, page_number, staff};
use crate::error::{WebError, html};
use crate::session::Ctx;
use crate::views::{
    LogEntryCard, ReportCard, StatusCard, log_entry_card, report_card, status_card,
};

const PER_PAGE: u32 = 20;

/// What resolving may do besides closing the report.
pub const RESOLUTIONS: &[&str] = &["none", "sensitive", "delete", "silence", "suspend"];

pub fn routes() -> Router<Core> {
    Router::new()
        .route("/admin/reports", get(list))
        .route("/admin/reports/{id}", get(show))
        .route("/admin/reports/{id}/{verb}", post(act))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    status: Option<String>,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/reports.html")]
struct ReportsPage<'a> {
    ctx: &'a Ctx,
    nav: Nav,
    title: String,
    resolved: bool,
    total: i64,
    reports: Vec<ReportCard>,
    pager: Pager,
}

async fn list(
    State(core): State<Core>,
    ctx: Ctx,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    let (_, nav) = staff(&ctx, "reports")?;
    let resolved = query.status.as_deref() == Some("resolved");
    let page = page_number(query.page.as_deref());
    let (found, total) = core
        .reports_numbered(Some(resolved), page, PER_PAGE)
        .await?;
    let accounts = accounts_by_id(
        &core,
        found
            .iter()
            .flat_map(|r| {
                [r.account_id, r.target_account_id]
                    .into_iter()
                    .chain(r.assigned_account_id)
            })
            .collect(),
    )
    .await?;
    let rules = core.settings().await?.rules;
    let status = if resolved { "resolved" } else { "open" };
    html(&ReportsPage {
        title: ctx.tr.t("admin-reports-title"),
        nav,
        resolved,
        total,
        reports: found
            .iter()
            .map(|r| report_card(&core, r, &accounts, &rules))
            .collect(),
        pager: Pager::new(page, total, PER_PAGE, |n| {
            format!("/admin/reports?status={status}&page={n}")
        }),
        ctx: &ctx,
    })
}

#[derive(Template)]
#[template(path = "admin/report.html")]
struct ReportPage<'a> {
    ctx: &'a Ctx,
    nav: Nav,
    title: String,
    report: ReportCard,
    /// The viewer is the one the report is assigned to.
    assigned_to_me: bool,
    statuses: Vec<StatusCard>,
    /// Assignments, notes, resolutions: newest first.
    history: Vec<LogEntryCard>,
    resolutions: &'static [&'static str],
}

async fn show(
    State(core): State<Core>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (me, nav) = staff(&ctx, "reports")?;
    let id = crate::error::parse_id(&id)?;
    let report = core.report_of(id).await?;
    let me_id = me.account.id;
    let statuses = core
        .report_statuses(&report, me_id)
        .await?
        .iter()
        .map(|view| status_card(&core, view, Some(me_id)))
        .collect();
    let history = core
        .moderation_log(Some(("report", id)), &PageRequest::first(100))
        .await?
        .items;
    let accounts = accounts_by_id(
        &core,
        [report.account_id, report.target_account_id]
            .into_iter()
            .chain(report.assigned_account_id)
            .chain(report.action_taken_by_account_id)
            .chain(history.iter().filter_map(|e| e.account_id))
            .collect(),
    )
    .await?;
    let rules = core.settings().await?.rules;
    html(&ReportPage {
        title: ctx.tr.t1("admin-report-title", "id", id.to_string()),
        nav,
        assigned_to_me: report.assigned_account_id == Some(me_id),
        report: report_card(&core, &report, &accounts, &rules),
        statuses,
        history: history
            .iter()
            .map(|e| log_entry_card(&core, e, &accounts))
            .collect(),
        resolutions: RESOLUTIONS,
        ctx: &ctx,
    })
}

#[derive(Deserialize, Default)]
struct ReportForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    note: String,
    /// For `resolve`: one of [`RESOLUTIONS`].
    #[serde(default)]
    action: String,
}

/// `POST /admin/reports/{id}/{verb}`: every form of the report page.
async fn act(
    State(core): State<Core>,
    ctx: Ctx,
    Path((id, verb)): Path<(String, String)>,
    Form(form): Form<ReportForm>,
) -> Result<Response, WebError> {
    let (me, _) = staff(&ctx, "reports")?;
    ctx.check_csrf(&core, &form.csrf_token)?;
    let id = crate::error::parse_id(&id)?;
    let page = format!("/admin/reports/{id}");
    let note = form.note.trim();
    match verb.as_str() {
        "assign" => {
            core.assign_report(me, id, Some(me.account.id)).await?;
        }
        "unassign" => {
            core.assign_report(me, id, None).await?;
        }
        "note" => core.note_report(me, id, note).await?,
        "reopen" => {
            core.reopen_report(me, id, note).await?;
        }
        "resolve" => {
            match form.action.as_str() {
                "" | "none" => {
                    core.resolve_report(me, id, note).await?;
                }
                "sensitive" => {
                    core.act_on_reported_statuses(me, id, false, note).await?;
                }
                "delete" => {
                    core.act_on_reported_statuses(me, id, true, note).await?;
                }
                kind @ ("silence" | "suspend") => {
                    let report = core.report_of(id).await?;
                    // Acting on the account with the report resolves it in the same step.
                    core.moderate_account(
                        me,
                        report.target_account_id,
                        AccountAction::parse(kind)?,
                        Some(id),
                        note,
                        true,
                    )
                    .await?;
                }
                other => {
                    return Err(WebError::Invalid(format!("unknown action {other:?}")));
                }
            }
            return Ok(done(&core, &page, "admin-flash-resolved"));
        }
        _ => return Err(WebError::NotFound),
    }
    Ok(done(&core, &page, "admin-flash-done"))
}
