//! `/statuses/{id}/report`: reporting a post (and its author) to this instance's moderators,
//! with a category, the rules it breaks, a comment, and for a remote author an anonymous copy
//! to their server.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use rhizome_core::federation::reports::{NewReport, REPORT_CATEGORIES};
use rhizome_core::{Core, CoreError};
use serde::Deserialize;

use super::{HtmlForm, back_to, see_other, with_status};
use crate::error::{WebError, html, parse_id};
use crate::session::{Ctx, with_flash};
use crate::views::{StatusCard, status_card};

#[derive(Template)]
#[template(path = "client/report.html")]
struct ReportPage<'a> {
    ctx: &'a Ctx,
    /// The post reported (always set: an `Option` lets the template bind it locally).
    status: Option<StatusCard>,
    /// The author's server, when it is another one: a copy may go there.
    remote_domain: Option<String>,
    /// The instance rules, numbered from 1 as the API numbers them.
    rules: Vec<(usize, String)>,
    categories: &'static [&'static str],
    form: ReportForm,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ReportForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    rule_ids: Vec<String>,
    #[serde(default)]
    comment: String,
    /// A ticked box (`true`); absent when unticked.
    #[serde(default)]
    forward: String,
}

async fn page(
    core: &Core,
    ctx: &Ctx,
    id: &str,
    form: ReportForm,
    error: Option<String>,
) -> Result<Response, WebError> {
    let viewer = ctx.require_viewer()?.user.account.id;
    let view = core
        .visible_status_view(parse_id(id)?, Some(viewer))
        .await?;
    let rules = core
        .settings()
        .await?
        .rules
        .into_iter()
        .enumerate()
        .map(|(i, rule)| (i + 1, rule))
        .collect();
    html(&ReportPage {
        ctx,
        remote_domain: view.account.account.domain.clone(),
        status: Some(status_card(core, &view, Some(viewer))),
        rules,
        categories: REPORT_CATEGORIES,
        form,
        error,
    })
}

/// `GET /statuses/{id}/report`.
pub async fn form(
    State(core): State<Core>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let form = ReportForm {
        category: "other".into(),
        ..ReportForm::default()
    };
    page(&core, &ctx, &id, form, None).await
}

/// `POST /statuses/{id}/report`: files it, then goes back to the post.
pub async fn submit(
    State(core): State<Core>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<ReportForm>,
) -> Result<Response, WebError> {
    ctx.path = format!("/statuses/{id}/report");
    let user = ctx.require_viewer()?.user.clone();
    ctx.check_csrf(&core, &form.csrf_token)?;
    let view = core
        .visible_status_view(parse_id(&id)?, Some(user.account.id))
        .await?;
    let report = NewReport {
        target: view.account.account.id,
        status_ids: vec![view.status.id],
        comment: form.comment.trim().to_owned(),
        category: Some(form.category.clone()).filter(|c| !c.is_empty()),
        rule_ids: if form.category == "violation" {
            form.rule_ids.clone()
        } else {
            Vec::new()
        },
        forward: form.forward == "true",
        forward_to_domains: Vec::new(),
    };
    match core.report(&user, report).await {
        Ok(_) => {
            let card = status_card(&core, &view, Some(user.account.id));
            Ok(with_flash(
                &core,
                see_other(&back_to("", &card.path)),
                "client-flash-reported",
            ))
        }
        Err(CoreError::Invalid(message)) => {
            let answer = page(&core, &ctx, &id, form, Some(message)).await?;
            Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, answer))
        }
        Err(err) => Err(err.into()),
    }
}
