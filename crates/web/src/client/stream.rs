//! `GET /web/stream/{home|local|federated|bubble}`: live updates for a timeline page, as
//! server-sent events, signed in by the session cookie.
//!
//! Each new post is decided as the streaming API decides it (in the home timeline; public and
//! local; public) and sent as the post partial (event `status`), ready to insert; edits come
//! as `update`, deletions as `delete` (the id), and new notifications as `notification`
//! (the unread count).

use std::convert::Infallible;
use std::time::Duration;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderValue;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use rhizome_core::Core;
use rhizome_core::events::Event;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

use super::Fragment;
use super::timelines::Timeline;
use crate::error::WebError;
use crate::session::Ctx;
use crate::views::status_card;

/// A stream ends after this long; the browser's `EventSource` reconnects by itself, and the
/// session is checked again then (a revoked one stops there).
const LIFETIME: Duration = Duration::from_secs(30 * 60);
/// Comments that keep proxies from closing a quiet connection.
const KEEP_ALIVE: Duration = Duration::from_secs(20);

struct Listener {
    core: Core,
    ctx: Ctx,
    timeline: Timeline,
    /// The bubble timeline's servers, as they were when the stream started.
    bubble: Vec<String>,
    events: tokio::sync::broadcast::Receiver<Event>,
    until: Instant,
}

pub async fn events(
    State(core): State<Core>,
    mut ctx: Ctx,
    Path(name): Path<String>,
) -> Result<Response, WebError> {
    let timeline = Timeline::from_stream(&name).ok_or(WebError::NotFound)?;
    ctx.path = timeline.path().to_owned();
    ctx.require_viewer()?;
    let bubble = match timeline {
        Timeline::Bubble => core.settings().await?.bubble_domains,
        _ => Vec::new(),
    };
    // Listen before answering: what happens once the browser holds the stream reaches it.
    let listener = Listener {
        events: core.events.subscribe(),
        core,
        ctx,
        timeline,
        bubble,
        until: Instant::now() + LIFETIME,
    };
    let stream = futures::stream::unfold(listener, |mut listener| async move {
        loop {
            let received = tokio::time::timeout_at(listener.until, listener.events.recv()).await;
            let event = match received {
                Err(_elapsed) => return None,
                Ok(Ok(event)) => event,
                Ok(Err(RecvError::Lagged(missed))) => {
                    tracing::info!(missed, "a web stream fell behind");
                    continue;
                }
                Ok(Err(RecvError::Closed)) => return None,
            };
            if let Some(item) = listener.render(&event).await {
                return Some((Ok::<_, Infallible>(item), listener));
            }
        }
    });
    let mut response = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response();
    // Proxies such as nginx would otherwise hold events back.
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

impl Listener {
    async fn render(&self, event: &Event) -> Option<SseEvent> {
        let viewer = self.ctx.viewer_id()?;
        match event {
            Event::Status {
                status_id,
                edited,
                public,
                local,
                ..
            } => {
                let core = &self.core;
                let wanted = match self.timeline {
                    Timeline::Home => core.in_home_feed(viewer, *status_id).await.ok()?,
                    Timeline::Local => *public && *local,
                    Timeline::Federated | Timeline::Bubble => *public,
                };
                if !wanted {
                    return None;
                }
                let view = core
                    .visible_status_view(*status_id, Some(viewer))
                    .await
                    .ok()?;
                if self.timeline == Timeline::Bubble {
                    let author = view
                        .reblog
                        .as_deref()
                        .unwrap_or(&view)
                        .account
                        .account
                        .domain
                        .as_deref();
                    if !author.is_none_or(|domain| {
                        self.bubble.iter().any(|d| d.eq_ignore_ascii_case(domain))
                    }) {
                        return None;
                    }
                }
                // The viewer's filters apply as on the page: `hide` drops the post.
                let context = if self.timeline == Timeline::Home {
                    "home"
                } else {
                    "public"
                };
                let view = core
                    .apply_filters(Some(viewer), context, vec![view])
                    .await
                    .ok()?
                    .pop()?;
                if self.timeline != Timeline::Home
                    && let Ok(rel) = core.relationship(viewer, view.status.account_id).await
                    && (rel.blocking || rel.muting)
                {
                    return None;
                }
                let html = Fragment {
                    ctx: &self.ctx,
                    statuses: vec![status_card(core, &view, Some(viewer))],
                }
                .render()
                .ok()?;
                let name = if *edited { "update" } else { "status" };
                Some(SseEvent::default().event(name).data(html))
            }
            Event::Delete { status_id } => Some(
                SseEvent::default()
                    .event("delete")
                    .data(status_id.to_string()),
            ),
            Event::Notification { account_id, .. } if *account_id == viewer => {
                let count = self.core.unread_notification_count(viewer).await.ok()?;
                Some(
                    SseEvent::default()
                        .event("notification")
                        .data(count.to_string()),
                )
            }
            _ => None,
        }
    }
}
