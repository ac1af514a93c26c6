//! `/home` and the public timelines: twenty posts a page, older ones behind `?max_id=`.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use rhizome_core::views::StatusView;
use rhizome_core::{Core, Page};
use rhizome_store::PublicFilter;

use super::compose::ComposeForm;
use super::{PAGE_SIZE, PageQuery};
use crate::error::{WebError, html};
use crate::session::Ctx;
use crate::views::{StatusCard, status_card};

/// The timelines of the sub-navigation, in its order.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Timeline {
    Home,
    Local,
    Federated,
    Bubble,
}

impl Timeline {
    pub(super) const ALL: [Timeline; 4] = [
        Timeline::Home,
        Timeline::Local,
        Timeline::Federated,
        Timeline::Bubble,
    ];

    pub(super) fn path(self) -> &'static str {
        match self {
            Timeline::Home => "/home",
            Timeline::Local => "/timelines/local",
            Timeline::Federated => "/timelines/federated",
            Timeline::Bubble => "/timelines/bubble",
        }
    }

    /// The name of its live stream (`/web/stream/{name}`).
    pub(super) fn stream(self) -> &'static str {
        match self {
            Timeline::Home => "home",
            Timeline::Local => "local",
            Timeline::Federated => "federated",
            Timeline::Bubble => "bubble",
        }
    }

    pub(super) fn from_stream(name: &str) -> Option<Timeline> {
        Timeline::ALL.into_iter().find(|t| t.stream() == name)
    }

    /// Its name in the catalogue (`nav-…` of the site header).
    pub(super) fn label_id(self) -> &'static str {
        match self {
            Timeline::Home => "nav-home",
            Timeline::Local => "nav-local",
            Timeline::Federated => "nav-federated",
            Timeline::Bubble => "nav-bubble",
        }
    }

    fn title_id(self) -> &'static str {
        match self {
            Timeline::Home => "client-home-title",
            Timeline::Local => "client-local-title",
            Timeline::Federated => "client-federated-title",
            Timeline::Bubble => "client-bubble-title",
        }
    }

    fn intro_id(self) -> &'static str {
        match self {
            Timeline::Home => "client-home-intro",
            Timeline::Local => "client-local-intro",
            Timeline::Federated => "client-federated-intro",
            Timeline::Bubble => "client-bubble-intro",
        }
    }
}

/// A link of the timelines' sub-navigation.
pub(super) struct Tab {
    pub path: &'static str,
    pub label: String,
    pub current: bool,
}

pub(super) fn tabs(ctx: &Ctx, current: Option<Timeline>) -> Vec<Tab> {
    Timeline::ALL
        .into_iter()
        .map(|t| Tab {
            path: t.path(),
            label: ctx.tr.t(t.label_id()),
            current: Some(t) == current,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "client/timeline.html")]
struct TimelinePage<'a> {
    ctx: &'a Ctx,
    current: Timeline,
    tabs: Vec<Tab>,
    title: String,
    intro: String,
    form: ComposeForm,
    statuses: Vec<StatusCard>,
    /// The next (older) page, if there may be one.
    next: Option<String>,
    /// Whether this is a later page (no compose form, no live updates there).
    later: bool,
}

/// Cards for a page of posts, and the link to the page after it.
pub(super) fn page_cards(
    core: &Core,
    ctx: &Ctx,
    page: &Page<StatusView>,
    path: &str,
) -> (Vec<StatusCard>, Option<String>) {
    let cards = page
        .items
        .iter()
        .map(|view| status_card(core, view, ctx.viewer_id()))
        .collect();
    // Only an empty page ends the list: filters may hide posts of a full page, so the
    // number shown says nothing.
    let next = page.oldest_id.map(|id| format!("{path}?max_id={id}"));
    (cards, next)
}

async fn show(
    core: Core,
    ctx: Ctx,
    current: Timeline,
    query: PageQuery,
) -> Result<Response, WebError> {
    let viewer = ctx.require_viewer()?.account_id();
    let request = query.request(PAGE_SIZE);
    let page = match current {
        Timeline::Home => core.home_timeline(viewer, &request).await?,
        Timeline::Local | Timeline::Federated => {
            let filter = PublicFilter {
                local_only: current == Timeline::Local,
                ..PublicFilter::default()
            };
            core.public_timeline(Some(viewer), filter, &request).await?
        }
        Timeline::Bubble => core.bubble_timeline(Some(viewer), &request).await?,
    };
    let (statuses, next) = page_cards(&core, &ctx, &page, current.path());
    let form = ComposeForm::blank(&core, &ctx, viewer, current.path()).await?;
    html(&TimelinePage {
        title: ctx.tr.t(current.title_id()),
        intro: ctx.tr.t(current.intro_id()),
        later: request.max_id.is_some(),
        tabs: tabs(&ctx, Some(current)),
        ctx: &ctx,
        current,
        form,
        statuses,
        next,
    })
}

pub async fn home(
    State(core): State<Core>,
    ctx: Ctx,
    Query(query): Query<PageQuery>,
) -> Result<Response, WebError> {
    show(core, ctx, Timeline::Home, query).await
}

pub async fn local(
    State(core): State<Core>,
    ctx: Ctx,
    Query(query): Query<PageQuery>,
) -> Result<Response, WebError> {
    show(core, ctx, Timeline::Local, query).await
}

pub async fn federated(
    State(core): State<Core>,
    ctx: Ctx,
    Query(query): Query<PageQuery>,
) -> Result<Response, WebError> {
    show(core, ctx, Timeline::Federated, query).await
}

pub async fn bubble(
    State(core): State<Core>,
    ctx: Ctx,
    Query(query): Query<PageQuery>,
) -> Result<Response, WebError> {
    show(core, ctx, Timeline::Bubble, query).await
}
