//! `/admin/federation`: federation health — every server we know with its last successful
//! and failed deliveries, the failures in a row and the deliveries waiting for it, the most
//! troubled first.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use rhizome_core::Core;
use serde::Deserialize;

use super::{Nav, Pager, page_number, staff};
use crate::error::{WebError, html};
use crate::session::Ctx;
use crate::views::{InstanceCard, instance_card};

const PER_PAGE: u32 = 100;

pub fn routes() -> Router<Core> {
    Router::new().route("/admin/federation", get(show))
}

#[derive(Deserialize, Default)]
struct HealthQuery {
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/federation.html")]
struct FederationPage<'a> {
    ctx: &'a Ctx,
    nav: Nav,
    title: String,
    total: usize,
    failing: usize,
    queued: i64,
    instances: Vec<InstanceCard>,
    pager: Pager,
}

async fn show(
    State(core): State<Core>,
    ctx: Ctx,
    Query(query): Query<HealthQuery>,
) -> Result<Response, WebError> {
    let (_, nav) = staff(&ctx, "federation")?;
    let health = core.federation_health().await?;
    let page = page_number(query.page.as_deref());
    let skip =
        usize::try_from((page - 1).saturating_mul(u64::from(PER_PAGE))).unwrap_or(usize::MAX);
    html(&FederationPage {
        title: ctx.tr.t("admin-federation-title"),
        nav,
        total: health.len(),
        failing: health.iter().filter(|i| i.failures > 0).count(),
        queued: health.iter().map(|i| i.queued).sum(),
        instances: health
            .iter()
            .skip(skip)
            .take(PER_PAGE as usize)
            .map(instance_card)
            .collect(),
        pager: Pager::new(
            page,
            i64::try_from(health.len()).unwrap_or(i64::MAX),
            PER_PAGE,
            |n| format!("/admin/federation?page={n}"),
        ),
        ctx: &ctx,
    })
}
