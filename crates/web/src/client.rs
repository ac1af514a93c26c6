//! The web client for signed-in users: timelines, composing, what one does with posts,
//! notifications, search, lists, and live updates.
//!
//! Every page works as plain HTML forms answering `303 See Other`. Our script sends the same
//! forms in the background with `X-Requested-With: fetch`; those requests are answered with
//! the HTML of the post concerned (the shared partial), which the script swaps in.

mod actions;
mod compose;
mod lists;
mod notifications;
mod report;
mod search;
mod stream;
mod timelines;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rhizome_core::Core;
use rhizome_core::views::StatusView;
use serde::de::DeserializeOwned;

use crate::error::WebError;
use crate::session::{Ctx, safe_next};
use crate::views::{StatusCard, status_card};

/// Posts per timeline page.
const PAGE_SIZE: u32 = 20;

pub fn routes() -> Router<Core> {
    Router::new()
        .route("/home", get(timelines::home))
        .route("/timelines/local", get(timelines::local))
        .route("/timelines/federated", get(timelines::federated))
        .route("/timelines/bubble", get(timelines::bubble))
        .route("/compose", get(compose::show))
        // Uploads come with the post: the compose reader bounds the body itself.
        .route(
            "/statuses",
            post(compose::submit).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/statuses/{id}/edit",
            get(compose::edit_form).post(compose::edit_submit),
        )
        .route("/statuses/{id}/favourite", post(actions::favourite))
        .route("/statuses/{id}/unfavourite", post(actions::unfavourite))
        .route("/statuses/{id}/reblog", post(actions::reblog))
        .route("/statuses/{id}/unreblog", post(actions::unreblog))
        .route("/statuses/{id}/bookmark", post(actions::bookmark))
        .route("/statuses/{id}/unbookmark", post(actions::unbookmark))
        .route("/statuses/{id}/react", post(actions::react))
        .route("/statuses/{id}/unreact", post(actions::unreact))
        .route("/statuses/{id}/delete", post(actions::delete))
        .route(
            "/statuses/{id}/report",
            get(report::form).post(report::submit),
        )
        .route("/polls/{id}/vote", post(actions::vote))
        .route("/accounts/{id}/follow", post(actions::follow))
        .route("/accounts/{id}/unfollow", post(actions::unfollow))
        .route(
            "/follow_requests/{id}/authorize",
            post(actions::authorize_follow),
        )
        .route("/follow_requests/{id}/reject", post(actions::reject_follow))
        .route("/notifications", get(notifications::show))
        .route("/notifications/clear", post(notifications::clear))
        .route("/search", get(search::show))
        .route("/lists", get(lists::index).post(lists::create))
        .route("/lists/{id}", get(lists::show))
        .route("/lists/{id}/rename", post(lists::rename))
        .route("/lists/{id}/delete", post(lists::delete))
        .route("/lists/{id}/members", post(lists::add_member))
        .route(
            "/lists/{id}/members/{account_id}/remove",
            post(lists::remove_member),
        )
        .route("/web/stream/{timeline}", get(stream::events))
}

/// The script's background requests say so; they want a fragment, not a redirect.
fn wants_fragment(headers: &HeaderMap) -> bool {
    headers
        .get("x-requested-with")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("fetch"))
}

/// `?max_id=` of a page of posts.
#[derive(serde::Deserialize, Default)]
struct PageQuery {
    #[serde(default)]
    max_id: String,
}

impl PageQuery {
    fn request(&self, limit: u32) -> rhizome_core::PageRequest {
        rhizome_core::PageRequest {
            max_id: self.max_id.trim().parse::<i64>().ok(),
            ..rhizome_core::PageRequest::first(limit)
        }
    }
}

/// A form body (`application/x-www-form-urlencoded`) read with `serde_html_form`, so that
/// repeated fields (a poll's `choices`) become lists. Forms give every field a default: a
/// form without its token still reaches the handler, which refuses it with 403.
struct HtmlForm<T>(T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for HtmlForm<T> {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|e| WebError::Invalid(e.body_text()))?;
        serde_html_form::from_bytes(&body)
            .map(HtmlForm)
            .map_err(|e| WebError::Invalid(e.to_string()))
    }
}

/// Where a form goes back to: the page it came from (`return_to`), or `fallback`.
fn back_to(return_to: &str, fallback: &str) -> String {
    if return_to.trim().is_empty() {
        fallback.to_owned()
    } else {
        safe_next(return_to.trim()).to_owned()
    }
}

/// The partial of some posts, alone: what background requests and live updates receive.
#[derive(Template)]
#[template(path = "client/fragment.html")]
struct Fragment<'a> {
    ctx: &'a Ctx,
    statuses: Vec<StatusCard>,
}

/// The HTML of one post as the viewer sees it now, for the page at `return_to` (its forms
/// come back there).
fn status_fragment(
    core: &Core,
    ctx: &mut Ctx,
    view: &StatusView,
    return_to: &str,
) -> Result<Response, WebError> {
    ctx.path = return_to.to_owned();
    let card = status_card(core, view, ctx.viewer_id());
    let html = Fragment {
        ctx,
        statuses: vec![card],
    }
    .render()?;
    Ok(fragment_response(html))
}

/// A fragment is never cached: it shows the viewer's own state.
fn fragment_response(html: String) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

/// After a form: back to the page, as browsers expect after a POST.
fn see_other(path: &str) -> Response {
    Redirect::to(path).into_response()
}

/// A page answered with another status than 200 (a form shown again with its error).
fn with_status(status: axum::http::StatusCode, response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    parts.status = status;
    Response::from_parts(parts, body)
}
