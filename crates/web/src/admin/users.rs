//! `/admin/users`: accounts with filters and a search; one account with its reports and
//! every moderation action (approve, reject, warn, sensitive, limit, suspend, disable, their
//! reversals, and — for admins — the role).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use rhizome_core::moderation::{AccountAction, AccountUndo};
use rhizome_core::{Core, PageRequest};
use rhizome_model::Role;
use rhizome_store::{AdminAccountFilter, ReportFilter};
use serde::Deserialize;

use super::{Nav, Pager, accounts_by_id, done, page_number, staff};
use crate::error::{WebError, html};
use crate::session::{Ctx, urlencode};
use crate::views::{
    AdminAccountCard, LogEntryCard, ReportCard, admin_account_card, log_entry_card, report_card,
};

const PER_PAGE: u32 = 40;

/// The account states one may list (the admin API's names).
const STATES: &[&str] = &["pending", "active", "silenced", "suspended", "disabled"];

pub fn routes() -> Router<Core> {
    Router::new()
        .route("/admin/users", get(list))
        .route("/admin/users/search", post(search))
        .route("/admin/users/{id}", get(show))
        .route("/admin/users/{id}/{verb}", post(act))
}

#[derive(Deserialize, Default, Clone)]
struct ListQuery {
    status: Option<String>,
    origin: Option<String>,
    staff: Option<String>,
    q: Option<String>,
    page: Option<String>,
}

/// The list's filters, checked: unknown values are ignored.
#[derive(Default, Clone)]
struct Filters {
    status: String,
    origin: String,
    staff: bool,
    q: String,
}

impl Filters {
    fn from(query: &ListQuery) -> Filters {
        let status = query.status.as_deref().unwrap_or("");
        let origin = query.origin.as_deref().unwrap_or("");
        Filters {
            status: if STATES.contains(&status) { status } else { "" }.to_owned(),
            origin: if matches!(origin, "local" | "remote") {
                origin
            } else {
                ""
            }
            .to_owned(),
            staff: matches!(query.staff.as_deref(), Some("1" | "true" | "on")),
            q: query.q.as_deref().unwrap_or("").trim().to_owned(),
        }
    }

    /// The list's address with these filters, on `page`.
    fn url(&self, page: u64) -> String {
        let mut params = Vec::new();
        if !self.status.is_empty() {
            params.push(format!("status={}", self.status));
        }
        if !self.origin.is_empty() {
            params.push(format!("origin={}", self.origin));
        }
        if self.staff {
            params.push("staff=1".to_owned());
        }
        if !self.q.is_empty() {
            params.push(format!("q={}", urlencode(&self.q)));
        }
        if page > 1 {
            params.push(format!("page={page}"));
        }
        if params.is_empty() {
            "/admin/users".to_owned()
        } else {
            format!("/admin/users?{}", params.join("&"))
        }
    }

    fn with(&self, change: impl FnOnce(&mut Filters)) -> String {
        let mut filters = self.clone();
        change(&mut filters);
        filters.url(1)
    }

    fn store_filter(&self) -> AdminAccountFilter {
        AdminAccountFilter {
            local: match self.origin.as_str() {
                "local" => Some(true),
                "remote" => Some(false),
                _ => None,
            },
            status: (!self.status.is_empty()).then(|| self.status.clone()),
            staff: self.staff,
            query: (!self.q.is_empty()).then(|| self.q.clone()),
            ..Default::default()
        }
    }
}

/// A filter link: its label's message id, where it goes, and whether it is the one in force.
pub struct FilterLink {
    pub label: &'static str,
    pub url: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage<'a> {
    ctx: &'a Ctx,
    nav: Nav,
    title: String,
    states: Vec<FilterLink>,
    origins: Vec<FilterLink>,
    staff_link: FilterLink,
    status: String,
    origin: String,
    staff: bool,
    q: String,
    total: i64,
    users: Vec<AdminAccountCard>,
    pager: Pager,
}

async fn list(
    State(core): State<Core>,
    ctx: Ctx,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    let (_, nav) = staff(&ctx, "users")?;
    let filters = Filters::from(&query);
    let page = page_number(query.page.as_deref());
    let (items, total) = core
        .admin_accounts_numbered(&filters.store_filter(), page, PER_PAGE)
        .await?;
    let users = items
        .iter()
        .map(|admin| admin_account_card(&core, admin, None))
        .collect();
    let mut states = vec![FilterLink {
        label: "admin-users-filter-all",
        url: filters.with(|f| f.status.clear()),
        current: filters.status.is_empty(),
    }];
    for state in STATES {
        states.push(FilterLink {
            label: state_label(state),
            url: filters.with(|f| f.status = (*state).to_owned()),
            current: filters.status == *state,
        });
    }
    let origins = [
        ("", "admin-users-origin-all"),
        ("local", "admin-users-origin-local"),
        ("remote", "admin-users-origin-remote"),
    ]
    .into_iter()
    .map(|(origin, label)| FilterLink {
        label,
        url: filters.with(|f| f.origin = origin.to_owned()),
        current: filters.origin == origin,
    })
    .collect();
    let staff_link = FilterLink {
        label: "admin-users-staff-only",
        url: filters.with(|f| f.staff = !f.staff),
        current: filters.staff,
    };
    html(&UsersPage {
        title: ctx.tr.t("admin-users-title"),
        nav,
        states,
        origins,
        staff_link,
        pager: Pager::new(page, total, PER_PAGE, |n| filters.url(n)),
        status: filters.status.clone(),
        origin: filters.origin.clone(),
        staff: filters.staff,
        q: filters.q.clone(),
        total,
        users,
        ctx: &ctx,
    })
}

fn state_label(state: &str) -> &'static str {
    match state {
        "pending" => "admin-state-pending",
        "active" => "admin-state-active",
        "silenced" => "admin-state-silenced",
        "suspended" => "admin-state-suspended",
        _ => "admin-state-disabled",
    }
}

#[derive(Deserialize, Default)]
struct SearchForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    origin: String,
    #[serde(default)]
    staff: String,
}

/// The search is a form like every other (it carries the form token); it answers with the
/// list's own address, which may be bookmarked.
async fn search(
    State(core): State<Core>,
    ctx: Ctx,
    Form(form): Form<SearchForm>,
) -> Result<Response, WebError> {
    staff(&ctx, "users")?;
    ctx.check_csrf(&core, &form.csrf_token)?;
    let filters = Filters::from(&ListQuery {
        status: Some(form.status),
        origin: Some(form.origin),
        staff: Some(form.staff),
        q: Some(form.q),
        page: None,
    });
    Ok(Redirect::to(&filters.url(1)).into_response())
}

#[derive(Template)]
#[template(path = "admin/user.html")]
struct UserPage<'a> {
    ctx: &'a Ctx,
    nav: Nav,
    title: String,
    user: AdminAccountCard,
    /// The viewer may act on this account (not themselves; other staff only for admins).
    can_act: bool,
    /// The viewer may change its role (admins, on other local users).
    can_change_role: bool,
    roles: [&'static str; 3],
    reports: Vec<ReportCard>,
    log: Vec<LogEntryCard>,
}

async fn show(
    State(core): State<Core>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (me, nav) = staff(&ctx, "users")?;
    let id = crate::error::parse_id(&id)?;
    let admin = core.admin_account(id).await?;
    let view = core.account_view(admin.account.clone()).await?;
    let user = admin_account_card(&core, &admin, Some(&view));
    let is_self = id == me.account.id;
    let can_act = !is_self && (me.role == Role::Admin || !user.is_staff());
    let can_change_role = !is_self && me.role == Role::Admin && user.local;

    // The latest reports about them, open or not.
    let mut found = Vec::new();
    for resolved in [false, true] {
        let filter = ReportFilter {
            resolved,
            target_account_id: Some(id),
            ..Default::default()
        };
        found.extend(
            core.reports_page(&filter, &PageRequest::first(10))
                .await?
                .items,
        );
    }
    found.sort_by_key(|r| std::cmp::Reverse(r.id));
    found.truncate(10);
    let entries = core
        .moderation_log(Some(("account", id)), &PageRequest::first(20))
        .await?
        .items;
    let accounts = accounts_by_id(
        &core,
        found
            .iter()
            .flat_map(|r| [r.account_id, r.target_account_id])
            .chain(entries.iter().filter_map(|e| e.account_id))
            .chain([id])
            .collect(),
    )
    .await?;
    let rules = core.settings().await?.rules;
    html(&UserPage {
        title: user.acct.clone(),
        nav,
        reports: found
            .iter()
            .map(|r| report_card(&core, r, &accounts, &rules))
            .collect(),
        log: entries
            .iter()
            .map(|e| log_entry_card(&core, e, &accounts))
            .collect(),
        user,
        can_act,
        can_change_role,
        roles: ["user", "moderator", "admin"],
        ctx: &ctx,
    })
}

#[derive(Deserialize, Default)]
struct ActionForm {
    #[serde(default)]
    csrf_token: String,
    /// For `action`: Mastodon's action types.
    #[serde(default, rename = "type")]
    kind: String,
    /// For `action`: why (the moderation log keeps it).
    #[serde(default)]
    text: String,
    /// For `action`: whether a local user is told (an unticked box is not sent).
    #[serde(default)]
    notify: String,
    /// For `role`.
    #[serde(default)]
    role: String,
}

/// `POST /admin/users/{id}/{verb}`: every form of the account page.
async fn act(
    State(core): State<Core>,
    ctx: Ctx,
    Path((id, verb)): Path<(String, String)>,
    Form(form): Form<ActionForm>,
) -> Result<Response, WebError> {
    let (me, _) = staff(&ctx, "users")?;
    ctx.check_csrf(&core, &form.csrf_token)?;
    let id = crate::error::parse_id(&id)?;
    let page = format!("/admin/users/{id}");
    let undo = match verb.as_str() {
        "enable" => Some(AccountUndo::Enable),
        "unsilence" => Some(AccountUndo::Unsilence),
        "unsuspend" => Some(AccountUndo::Unsuspend),
        "unsensitive" => Some(AccountUndo::Unsensitive),
        _ => None,
    };
    if let Some(undo) = undo {
        core.undo_moderation(me, id, undo).await?;
        return Ok(done(&core, &page, "admin-flash-done"));
    }
    match verb.as_str() {
        "approve" => {
            core.decide_registration(me, id, true).await?;
            Ok(done(&core, &page, "admin-flash-approved"))
        }
        "reject" => {
            core.decide_registration(me, id, false).await?;
            Ok(done(
                &core,
                "/admin/users?status=pending",
                "admin-flash-rejected",
            ))
        }
        "action" => {
            let action = AccountAction::parse(form.kind.trim())?;
            let notify = form.notify == "true";
            core.moderate_account(me, id, action, None, form.text.trim(), notify)
                .await?;
            Ok(done(&core, &page, "admin-flash-done"))
        }
        "role" => {
            let role: Role = form
                .role
                .parse()
                .map_err(|_| WebError::Invalid(format!("unknown role {:?}", form.role)))?;
            core.change_role(me, id, role).await?;
            Ok(done(&core, &page, "admin-flash-role"))
        }
        _ => Err(WebError::NotFound),
    }
}
