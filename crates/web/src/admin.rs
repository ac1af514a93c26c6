//! The administration area under `/admin`, for moderators and admins: the dashboard, users,
//! reports, domain blocks, federation health, the moderation log, and (admins only) the
//! instance settings. Every action calls the core function the Mastodon admin API calls, so
//! it is checked, logged and federated the same way.

mod domains;
mod federation;
mod log;
mod reports;
mod settings;
mod users;

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use rhizome_core::Core;
use rhizome_model::{Account, Id, LocalUser, Role};
use rhizome_store::AdminAccountFilter;
use serde::Deserialize;

use crate::error::{WebError, html};
use crate::session::{Ctx, with_flash};

pub fn routes() -> Router<Core> {
    Router::new()
        .route("/admin", get(dashboard))
        .merge(users::routes())
        .merge(reports::routes())
        .merge(domains::routes())
        .merge(settings::routes())
        .merge(federation::routes())
        .merge(log::routes())
}

/// What the admin layout needs: the open section (for `aria-current`) and whether the
/// viewer may see the admins' sections.
pub struct Nav {
    pub section: &'static str,
    pub is_admin: bool,
}

/// The staff member behind a page (anonymous visitors go to sign in, others get 403).
fn staff<'a>(ctx: &'a Ctx, section: &'static str) -> Result<(&'a LocalUser, Nav), WebError> {
    let viewer = ctx.require_staff()?;
    Ok((
        &viewer.user,
        Nav {
            section,
            is_admin: viewer.is_admin(),
        },
    ))
}

/// Admins only: moderators get 403, as on Mastodon.
fn admin<'a>(ctx: &'a Ctx, section: &'static str) -> Result<(&'a LocalUser, Nav), WebError> {
    let (user, nav) = staff(ctx, section)?;
    if user.role == Role::Admin {
        Ok((user, nav))
    } else {
        Err(WebError::Forbidden)
    }
}

/// Back to `to` after an action, with a one-time message.
fn done(core: &Core, to: &str, message_id: &'static str) -> Response {
    with_flash(core, Redirect::to(to).into_response(), message_id)
}

/// A form with nothing but its token.
#[derive(Deserialize, Default)]
struct TokenForm {
    #[serde(default)]
    csrf_token: String,
}

/// A page number from the query string: 1 when missing or odd.
fn page_number(text: Option<&str>) -> u64 {
    text.and_then(|t| t.parse::<u64>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(1)
}

/// Numbered pages: where the previous and next ones are.
pub struct Pager {
    pub page: u64,
    pub pages: u64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    fn new(page: u64, total: i64, per_page: u32, url: impl Fn(u64) -> String) -> Pager {
        let total = u64::try_from(total).unwrap_or(0);
        let pages = total.div_ceil(u64::from(per_page)).max(1);
        Pager {
            page,
            pages,
            prev: (page > 1).then(|| url(page - 1)),
            next: (page < pages).then(|| url(page + 1)),
        }
    }

    /// Only worth showing when there is more than one page.
    pub fn shown(&self) -> bool {
        self.prev.is_some() || self.next.is_some()
    }
}

/// The accounts with these ids that still exist (rejected sign-ups and deleted data do not).
async fn accounts_by_id(core: &Core, ids: Vec<Id>) -> Result<HashMap<Id, Account>, WebError> {
    let mut found = HashMap::new();
    for id in ids {
        if found.contains_key(&id) {
            continue;
        }
        match core.account(id).await {
            Ok(account) => {
                found.insert(id, account);
            }
            Err(rhizome_core::CoreError::NotFound) => {}
            Err(err) => return Err(err.into()),
        }
    }
    Ok(found)
}

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct DashboardPage<'a> {
    ctx: &'a Ctx,
    nav: Nav,
    title: String,
    users: i64,
    pending: i64,
    open_reports: i64,
    instances: usize,
    failing: usize,
    queued: i64,
}

/// `/admin`: the numbers that ask for attention, each a link to its page.
async fn dashboard(State(core): State<Core>, ctx: Ctx) -> Result<Response, WebError> {
    let (_, nav) = staff(&ctx, "dashboard")?;
    let count = async |filter: AdminAccountFilter| -> Result<i64, WebError> {
        Ok(core.admin_accounts_numbered(&filter, 1, 1).await?.1)
    };
    let users = count(AdminAccountFilter {
        local: Some(true),
        ..Default::default()
    })
    .await?;
    let pending = count(AdminAccountFilter {
        status: Some("pending".into()),
        ..Default::default()
    })
    .await?;
    let open_reports = core.reports_numbered(Some(false), 1, 1).await?.1;
    let health = core.federation_health().await?;
    html(&DashboardPage {
        title: ctx.tr.t("admin-dashboard-title"),
        nav,
        users,
        pending,
        open_reports,
        instances: health.len(),
        failing: health.iter().filter(|i| i.failures > 0).count(),
        queued: health.iter().map(|i| i.queued).sum(),
        ctx: &ctx,
    })
}

/// Actions the moderation log names, each with a message `admin-action-<name>`.
const LOGGED_ACTIONS: &[&str] = &[
    "note_delete",
    "warn",
    "sensitive",
    "disable",
    "silence",
    "suspend",
    "enable",
    "unsilence",
    "unsuspend",
    "unsensitive",
    "approve",
    "reject",
    "delete",
    "assign",
    "resolve",
    "reopen",
    "note",
    "role",
    "tag",
    "untag",
    "create",
    "update",
    "destroy",
];

/// What the log's targets are, each with a message `admin-target-<name>`.
const LOGGED_TARGETS: &[&str] = &[
    "account",
    "report",
    "status",
    "domain_block",
    "domain_allow",
    "email_domain_block",
    "canonical_email_block",
    "ip_block",
];

/// A logged action in the page's language (an action we do not know is shown as stored).
pub fn action_label(tr: &crate::i18n::Tr, action: &str) -> String {
    if LOGGED_ACTIONS.contains(&action) {
        tr.t(&format!("admin-action-{action}"))
    } else {
        action.to_owned()
    }
}

/// A logged target's kind in the page's language.
pub fn target_label(tr: &crate::i18n::Tr, target_type: &str) -> String {
    if LOGGED_TARGETS.contains(&target_type) {
        tr.t(&format!("admin-target-{target_type}"))
    } else {
        target_type.to_owned()
    }
}

/// A report's category in the page's language (another server may send one we do not know).
pub fn category_label(tr: &crate::i18n::Tr, category: &str) -> String {
    if matches!(category, "spam" | "legal" | "violation" | "other") {
        tr.t(&format!("admin-category-{category}"))
    } else {
        category.to_owned()
    }
}
