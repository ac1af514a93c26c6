//! Streaming: the WebSocket at `/api/v1/streaming` and the server-sent-event endpoints.
//!
//! Each connection listens to the core's event bus and, for every event matching one of
//! its streams, loads what the viewer may see (the same visibility rules as timelines).

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use rhizome_core::Core;
use rhizome_core::events::Event;
use rhizome_core::oauth::Authenticated;
use rhizome_model::{LocalUser, Scope};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use crate::ApiError;
use crate::entities;

const HEARTBEAT: Duration = Duration::from_secs(30);

/// One stream a connection follows: its name and, for hashtags and lists, its parameter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Subscription {
    pub stream: String,
    pub tag: Option<String>,
}

const STREAMS: &[&str] = &[
    "user",
    "user:notification",
    "public",
    "public:local",
    "public:remote",
    "public:media",
    "public:local:media",
    "public:remote:media",
    "hashtag",
    "hashtag:local",
    "list",
    "direct",
];

fn needs_user(stream: &str) -> bool {
    matches!(stream, "user" | "user:notification" | "list" | "direct")
}

/// The scope a token needs for a stream, as Mastodon's streaming server checks it.
fn scope_for(stream: &str) -> Scope {
    match stream {
        "user:notification" => Scope("read:notifications"),
        _ => Scope("read:statuses"),
    }
}

impl Subscription {
    fn parse(
        stream: &str,
        tag: Option<String>,
        auth: Option<&Authenticated>,
    ) -> Result<Self, ApiError> {
        if !STREAMS.contains(&stream) {
            return Err(ApiError::bad_request(format!(
                "Unknown stream type {stream:?}"
            )));
        }
        if needs_user(stream) && auth.is_none_or(|a| a.user.is_none()) {
            return Err(ApiError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "Missing access token",
            ));
        }
        if let Some(auth) = auth {
            auth.require(scope_for(stream))?;
        }
        let tag = match stream {
            "hashtag" | "hashtag:local" => Some(
                tag.filter(|t| !t.is_empty())
                    .ok_or_else(|| ApiError::bad_request("No tag for stream provided"))?
                    .to_lowercase(),
            ),
            "list" => Some(tag.unwrap_or_default()),
            _ => None,
        };
        Ok(Subscription {
            stream: stream.to_owned(),
            tag,
        })
    }

    /// The `stream` array Mastodon sends with each message.
    fn names(&self) -> Value {
        match &self.tag {
            Some(tag) => json!([self.stream, tag]),
            None => json!([self.stream]),
        }
    }
}

/// What to send for one event on one subscription: (event name, payload).
async fn render(
    core: &Core,
    auth: Option<&Authenticated>,
    subscription: &Subscription,
    event: &Event,
) -> Option<(&'static str, String)> {
    let viewer = auth
        .and_then(|a| a.user.as_ref())
        .map(|u: &LocalUser| u.account.id);
    match event {
        Event::Delete { status_id } => Some(("delete", status_id.to_string())),
        // Announcements go to every user's own stream, as on Mastodon.
        Event::Announcement { announcement_id } => {
            let user = auth.and_then(|a| a.user.as_ref())?;
            if subscription.stream != "user" {
                return None;
            }
            let view = core.announcement_view(user, *announcement_id).await.ok()?;
            Some((
                "announcement",
                entities::announcement(core, &view).to_string(),
            ))
        }
        Event::AnnouncementReaction {
            announcement_id,
            name,
            count,
        } => (subscription.stream == "user" && viewer.is_some()).then(|| {
            (
                "announcement.reaction",
                json!({ "name": name, "count": count, "announcement_id": announcement_id })
                    .to_string(),
            )
        }),
        Event::AnnouncementDelete { announcement_id } => (subscription.stream == "user"
            && viewer.is_some())
        .then(|| ("announcement.delete", announcement_id.to_string())),
        Event::FiltersChanged { account_id } => (subscription.stream == "user"
            && Some(*account_id) == viewer)
            .then(|| ("filters_changed", String::new())),
        Event::Notification {
            account_id,
            notification_id,
        } => {
            // The user stream carries notifications only for tokens that may read them.
            if Some(*account_id) != viewer
                || !matches!(subscription.stream.as_str(), "user" | "user:notification")
                || !auth.is_some_and(|a| a.token.scopes.allows(Scope("read:notifications")))
            {
                return None;
            }
            let view = core
                .notification_view(*account_id, *notification_id)
                .await
                .ok()?;
            Some((
                "notification",
                entities::notification(core, &view).to_string(),
            ))
        }
        Event::Status {
            status_id,
            edited,
            public,
            local,
            direct,
            tags,
        } => {
            let name = subscription.stream.as_str();
            let wanted = match name {
                "user" => match viewer {
                    Some(v) => core
                        .store
                        .in_home_feed(v, *status_id)
                        .await
                        .unwrap_or(false),
                    None => false,
                },
                // Direct messages: the visibility check below keeps those sent to or by the viewer.
                "direct" => *direct && viewer.is_some(),
                "public" | "public:media" => *public,
                "public:local" | "public:local:media" => *public && *local,
                "public:remote" | "public:remote:media" => *public && !*local,
                "hashtag" => *public && subscription.tag.as_ref().is_some_and(|t| tags.contains(t)),
                "hashtag:local" => {
                    *public && *local && subscription.tag.as_ref().is_some_and(|t| tags.contains(t))
                }
                _ => false,
            };
            if !wanted {
                return None;
            }
            let view = core.visible_status_view(*status_id, viewer).await.ok()?;
            // The viewer's filters apply to streams as to timelines: `hide` drops the event.
            let context = if name == "user" || name == "list" {
                "home"
            } else {
                "public"
            };
            let view = core
                .apply_filters(viewer, context, vec![view])
                .await
                .ok()?
                .pop()?;
            if name.ends_with(":media") && view.attachments.is_empty() {
                return None;
            }
            if let Some(viewer) = viewer
                && name != "user"
                && let Ok(rel) = core.relationship(viewer, view.status.account_id).await
                && (rel.blocking || rel.muting)
            {
                return None;
            }
            let event = if *edited { "status.update" } else { "update" };
            Some((event, entities::status(core, &view).to_string()))
        }
    }
}

/// The token of a streaming request: header, `access_token` query, or WebSocket protocol.
/// Each stream then checks its own scope.
async fn streaming_auth(core: &Core, parts: &Parts) -> Result<Option<Authenticated>, ApiError> {
    let token = crate::auth::bearer_token(parts).or_else(|| {
        parts
            .headers
            .get("sec-websocket-protocol")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_owned())
    });
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    Ok(Some(crate::auth::authenticate(core, &token).await?))
}

#[derive(Deserialize, Default)]
pub struct StreamQuery {
    stream: Option<String>,
    tag: Option<String>,
    list: Option<String>,
}

/// `GET /api/v1/streaming` (WebSocket).
pub async fn websocket(State(core): State<Core>, request: axum::extract::Request) -> Response {
    let (mut parts, _body) = request.into_parts();
    let auth = match streaming_auth(&core, &parts).await {
        Ok(auth) => auth,
        Err(err) => return err.into_response(),
    };
    let query: StreamQuery =
        serde_html_form::from_str(parts.uri.query().unwrap_or("")).unwrap_or_default();
    let mut subscriptions = BTreeSet::new();
    if let Some(stream) = &query.stream {
        match Subscription::parse(
            stream,
            query.tag.clone().or(query.list.clone()),
            auth.as_ref(),
        ) {
            Ok(subscription) => {
                subscriptions.insert(subscription);
            }
            Err(err) => return err.into_response(),
        }
    }
    let protocol = parts.headers.get("sec-websocket-protocol").cloned();
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &core).await {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    let upgrade = match protocol.and_then(|p| p.to_str().ok().map(str::to_owned)) {
        Some(protocol) => upgrade.protocols([protocol]),
        None => upgrade,
    };
    // Listen before answering: what happens once the client holds its socket reaches it.
    let events = core.events.subscribe();
    upgrade.on_upgrade(move |socket| run_socket(core, auth, subscriptions, events, socket))
}

async fn run_socket(
    core: Core,
    auth: Option<Authenticated>,
    mut subscriptions: BTreeSet<Subscription>,
    mut events: tokio::sync::broadcast::Receiver<Event>,
    mut socket: WebSocket,
) {
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    loop {
        tokio::select! {
            received = events.recv() => {
                let event = match received {
                    Ok(event) => event,
                    Err(RecvError::Lagged(missed)) => {
                        tracing::info!(missed, "a streaming client fell behind");
                        continue;
                    }
                    Err(RecvError::Closed) => break,
                };
                for subscription in &subscriptions {
                    if let Some((name, payload)) = render(&core, auth.as_ref(), subscription, &event).await {
                        let message = json!({ "stream": subscription.names(), "event": name, "payload": payload });
                        if socket.send(Message::Text(message.to_string().into())).await.is_err() {
                            return;
                        }
                    }
                }
            }
            incoming = socket.recv() => {
                match incoming {
                    Some(Ok(Message::Text(text))) => {
                        if let Err(err) = handle_command(&text, auth.as_ref(), &mut subscriptions) {
                            let message = json!({ "error": err.message, "status": err.status.as_u16() });
                            if socket.send(Message::Text(message.to_string().into())).await.is_err() {
                                return;
                            }
                        }
                    }
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                    Some(Ok(_)) => {}
                }
            }
            _ = heartbeat.tick() => {
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// `{"type": "subscribe", "stream": "hashtag", "tag": "rust"}` and `unsubscribe`.
fn handle_command(
    text: &str,
    auth: Option<&Authenticated>,
    subscriptions: &mut BTreeSet<Subscription>,
) -> Result<(), ApiError> {
    #[derive(Deserialize)]
    struct Command {
        #[serde(rename = "type")]
        kind: String,
        stream: String,
        tag: Option<String>,
        list: Option<String>,
    }
    let command: Command =
        serde_json::from_str(text).map_err(|_| ApiError::bad_request("Invalid JSON"))?;
    let subscription = Subscription::parse(&command.stream, command.tag.or(command.list), auth)?;
    match command.kind.as_str() {
        "subscribe" => {
            if subscriptions.len() < 32 {
                subscriptions.insert(subscription);
            }
        }
        "unsubscribe" => {
            subscriptions.remove(&subscription);
        }
        other => return Err(ApiError::bad_request(format!("Unknown command {other:?}"))),
    }
    Ok(())
}

pub async fn health() -> &'static str {
    "OK"
}

/// The SSE endpoints: `/api/v1/streaming/{user,public,public/local,hashtag,…}`.
pub async fn sse(
    State(core): State<Core>,
    request: axum::extract::Request,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    let (parts, _body) = request.into_parts();
    let auth = streaming_auth(&core, &parts).await?;
    let query: StreamQuery =
        serde_html_form::from_str(parts.uri.query().unwrap_or("")).unwrap_or_default();
    let stream_name = parts
        .uri
        .path()
        .trim_start_matches("/api/v1/streaming/")
        .replace('/', ":");
    let subscription = Subscription::parse(&stream_name, query.tag.or(query.list), auth.as_ref())?;
    let events = core.events.subscribe();
    let state = (core, auth, subscription, events);
    let stream =
        futures::stream::unfold(state, |(core, auth, subscription, mut events)| async move {
            loop {
                match events.recv().await {
                    Ok(event) => {
                        if let Some((name, payload)) =
                            render(&core, auth.as_ref(), &subscription, &event).await
                        {
                            let item = SseEvent::default().event(name).data(payload);
                            return Some((Ok(item), (core, auth, subscription, events)));
                        }
                    }
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return None,
                }
            }
        });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(HEARTBEAT).text("thump")))
}
