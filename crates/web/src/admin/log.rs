//! `/admin/log`: the moderation log — who did what to whom, and when — newest first.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use rhizome_core::{Core, PageRequest};
use serde::Deserialize;

use super::{Nav, accounts_by_id, staff};
use crate::error::{WebError, html};
use crate::session::Ctx;
use crate::views::{LogEntryCard, log_entry_card};

const PER_PAGE: u32 = 50;

pub fn routes() -> Router<Core> {
    Router::new().route("/admin/log", get(show))
}

#[derive(Deserialize, Default)]
struct LogQuery {
    max_id: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/log.html")]
struct LogPage<'a> {
    ctx: &'a Ctx,
    nav: Nav,
    title: String,
    entries: Vec<LogEntryCard>,
    /// Not the first page: a link back to the newest entries.
    paged: bool,
    older: Option<String>,
}

async fn show(
    State(core): State<Core>,
    ctx: Ctx,
    Query(query): Query<LogQuery>,
) -> Result<Response, WebError> {
    let (_, nav) = staff(&ctx, "log")?;
    let max_id = query.max_id.as_deref().and_then(|t| t.parse::<i64>().ok());
    let request = PageRequest {
        max_id,
        ..PageRequest::first(PER_PAGE)
    };
    let page = core.moderation_log(None, &request).await?;
    let accounts = accounts_by_id(
        &core,
        page.items
            .iter()
            .flat_map(|e| {
                e.account_id
                    .into_iter()
                    .chain((e.target_type == "account").then_some(e.target_id))
            })
            .collect(),
    )
    .await?;
    let older = (page.items.len() == PER_PAGE as usize)
        .then(|| page.items.last())
        .flatten()
        .map(|e| format!("/admin/log?max_id={}", e.id));
    html(&LogPage {
        title: ctx.tr.t("admin-log-title"),
        nav,
        entries: page
            .items
            .iter()
            .map(|e| log_entry_card(&core, e, &accounts))
            .collect(),
        paged: max_id.is_some(),
        older,
        ctx: &ctx,
    })
}
