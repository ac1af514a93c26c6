//! Streaming against a real server: the WebSocket with each way of giving the token,
//! subscriptions by message, `update`, `notification`, `status.update` and `delete` events,
//! server-sent events, and the errors clients see.

mod support;

use std::sync::OnceLock;

use futures::SinkExt;
use serde_json::{Value, json};
use support::api::{
    PATIENCE, SharedServer, Socket, User, assert_notification, assert_status, is_event_about,
    payload, shared_server, text_of, unique, ws_connect, ws_next,
};
use tokio_tungstenite::tungstenite::{self, Message};

static SERVER: OnceLock<SharedServer> = OnceLock::new();

fn server() -> &'static SharedServer {
    shared_server(&SERVER, &[])
}

fn ws_base(server: &SharedServer) -> String {
    server.base.replacen("http://", "ws://", 1)
}

/// How the token travels on the upgrade request.
enum Token<'a> {
    None,
    Header(&'a str),
    Query(&'a str),
    Protocol(&'a str),
}

async fn connect(
    server: &SharedServer,
    query: &str,
    token: Token<'_>,
) -> Result<Socket, tungstenite::Error> {
    let mut path = format!("/api/v1/streaming{query}");
    let mut headers = Vec::new();
    let bearer;
    match token {
        Token::None => {}
        Token::Header(token) => {
            bearer = format!("Bearer {token}");
            headers.push(("authorization", bearer.as_str()));
        }
        Token::Query(token) => {
            let separator = if query.contains('?') { '&' } else { '?' };
            path.push_str(&format!("{separator}access_token={token}"));
        }
        Token::Protocol(token) => headers.push(("sec-websocket-protocol", token)),
    }
    ws_connect(&server.base, &path, &headers).await
}

async fn next_matching(socket: &mut Socket, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
    ws_next(socket, what, wanted).await
}

/// The next `event` whose payload is about `id` (a Status's, or a Notification's status).
async fn event_about(socket: &mut Socket, event: &str, id: &str) -> Value {
    ws_next(socket, &format!("{event} of {id}"), |m| {
        is_event_about(m, event, id)
    })
    .await
}

/// Sends a command, then a bad one, and waits for the bad one's error: commands are handled
/// in order, so the first has taken effect once the error arrives.
async fn command(socket: &mut Socket, command: Value) {
    for frame in [
        command,
        json!({ "type": "subscribe", "stream": "sync-probe" }),
    ] {
        socket
            .send(Message::Text(frame.to_string().into()))
            .await
            .expect("send a command");
    }
    let error = next_matching(socket, "the probe's error", |m| m.get("error").is_some()).await;
    assert_eq!(error["status"], 400, "{error}");
    assert!(error["error"].is_string());
}

#[tokio::test]
async fn health_and_the_advertised_url() {
    let server = server();
    let api = server.api();
    let health = api.get("/api/v1/streaming/health").send().await.expect(200);
    assert_eq!(health.text(), "OK");
    let v1 = api.get("/api/v1/instance").ok().await;
    assert_eq!(v1["urls"]["streaming_api"], ws_base(server).as_str());
    let v2 = api.get("/api/v2/instance").ok().await;
    assert_eq!(
        v2["configuration"]["urls"]["streaming"],
        ws_base(server).as_str()
    );
}

#[tokio::test]
async fn the_user_stream_with_a_bearer_header() {
    let server = server();
    let api = server.api();
    let alice = api.register("alice").await;
    let bob = api.register("bob").await;
    api.follow(&alice, &bob).await;
    let mut socket = connect(server, "?stream=user", Token::Header(&alice.token))
        .await
        .expect("Mastodon.py sends the token as a header on the upgrade");

    let post = text_of(&api.post_status(&bob, "streamed", "public").await, "id");
    let update = event_about(&mut socket, "update", &post).await;
    assert_eq!(update["stream"], json!(["user"]));
    let status = payload(&update);
    assert_status(&status, true);
    assert_eq!(status["content"], "<p>streamed</p>");

    let mention = text_of(
        &api.post_status(&bob, &format!("@{} look", alice.username), "public")
            .await,
        "id",
    );
    let notified = event_about(&mut socket, "notification", &mention).await;
    let notification = payload(&notified);
    assert_notification(&notification);
    assert_eq!(notification["type"], "mention");

    api.put(&format!("/api/v1/statuses/{post}"))
        .auth(&bob)
        .json(json!({ "status": "streamed, edited" }))
        .ok()
        .await;
    let edited = event_about(&mut socket, "status.update", &post).await;
    assert!(payload(&edited)["edited_at"].is_string());

    api.delete(&format!("/api/v1/statuses/{post}"))
        .auth(&bob)
        .ok()
        .await;
    let deleted = event_about(&mut socket, "delete", &post).await;
    assert_eq!(
        deleted["payload"],
        post.as_str(),
        "a delete carries the bare id"
    );
}

#[tokio::test]
async fn tokens_by_query_and_by_protocol() {
    let server = server();
    let api = server.api();
    let alice = api.register("alice").await;
    let bob = api.register("bob").await;

    // ?access_token=, as browsers do, on the notification stream.
    let mut notifications = connect(
        server,
        "?stream=user:notification",
        Token::Query(&alice.token),
    )
    .await
    .expect("the token as a query parameter");
    let post = text_of(&api.post_status(&alice, "like me", "public").await, "id");
    api.post(&format!("/api/v1/statuses/{post}/favourite"))
        .auth(&bob)
        .ok()
        .await;
    let notified = event_about(&mut notifications, "notification", &post).await;
    assert_eq!(notified["stream"], json!(["user:notification"]));
    assert_eq!(payload(&notified)["type"], "favourite");

    // The token as the WebSocket protocol; streams chosen by message.
    let mut socket = connect(server, "", Token::Protocol(&bob.token))
        .await
        .expect("the token as Sec-WebSocket-Protocol");
    let tag = unique("rust");
    command(
        &mut socket,
        json!({ "type": "subscribe", "stream": "hashtag", "tag": tag }),
    )
    .await;
    let tagged = text_of(
        &api.post_status(&alice, &format!("about #{tag}"), "public")
            .await,
        "id",
    );
    let update = event_about(&mut socket, "update", &tagged).await;
    assert_eq!(update["stream"], json!(["hashtag", tag]));

    command(
        &mut socket,
        json!({ "type": "unsubscribe", "stream": "hashtag", "tag": tag }),
    )
    .await;
    command(
        &mut socket,
        json!({ "type": "subscribe", "stream": "public:local" }),
    )
    .await;
    let after = text_of(
        &api.post_status(&alice, &format!("more #{tag}"), "public")
            .await,
        "id",
    );
    let update = event_about(&mut socket, "update", &after).await;
    assert_eq!(
        update["stream"],
        json!(["public:local"]),
        "the hashtag subscription is gone"
    );
}

#[tokio::test]
async fn public_streams_carry_only_public_posts() {
    let server = server();
    let api = server.api();
    let alice = api.register("alice").await;
    let mut socket = connect(server, "?stream=public", Token::None)
        .await
        .expect("public streams need no token");
    let private = text_of(&api.post_status(&alice, "hush", "private").await, "id");
    let unlisted = text_of(&api.post_status(&alice, "quiet", "unlisted").await, "id");
    server.settle().await;
    let public = text_of(&api.post_status(&alice, "loud", "public").await, "id");
    let seen = next_matching(&mut socket, "a post of alice", |m| {
        m["event"] == "update" && payload(m)["account"]["id"] == alice.id.as_str()
    })
    .await;
    let id = text_of(&payload(&seen), "id");
    assert_eq!(id, public, "not {private} or {unlisted}");
    assert_status(&payload(&seen), false);
}

#[tokio::test]
async fn server_sent_events() {
    let server = server();
    let api = server.api();
    let alice = api.register("alice").await;
    let client = reqwest::Client::new();
    let mut response = client
        .get(format!("{}/api/v1/streaming/public", server.base))
        .send()
        .await
        .expect("SSE request");
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"))
    );
    let post = text_of(&api.post_status(&alice, "over SSE", "public").await, "id");
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let mut text = String::new();
    let event = loop {
        let chunk = tokio::time::timeout_at(deadline, response.chunk())
            .await
            .unwrap_or_else(|_| panic!("no SSE event within {PATIENCE:?}: {text}"))
            .expect("SSE body")
            .expect("the stream stays open");
        text.push_str(&String::from_utf8_lossy(&chunk));
        let found = text
            .split("\n\n")
            .find(|event| event.contains("event: update") && event.contains(&post));
        if let Some(found) = found {
            break found.to_owned();
        }
    };
    let data = event
        .lines()
        .find_map(|line| line.strip_prefix("data: "))
        .unwrap_or_else(|| panic!("an update has data: {event}"));
    let status: Value = serde_json::from_str(data).expect("the data is a Status");
    assert_eq!(status["id"], post.as_str());

    // Errors come as JSON before any event.
    let user = api.get("/api/v1/streaming/user").send().await;
    user.error(401);
    api.get("/api/v1/streaming/nonsense")
        .send()
        .await
        .error(400);
    api.get("/api/v1/streaming/hashtag").send().await.error(400);
}

/// The status of a refused WebSocket upgrade.
fn refused(outcome: Result<Socket, tungstenite::Error>) -> u16 {
    match outcome {
        Ok(_) => panic!("the upgrade should have been refused"),
        Err(tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("refused with an HTTP status, not {other}"),
    }
}

#[tokio::test]
async fn refusals() {
    let server = server();
    let api = server.api();
    let alice: User = api.register("alice").await;
    assert_eq!(
        refused(connect(server, "?stream=user", Token::None).await),
        401
    );
    assert_eq!(
        refused(connect(server, "?stream=user", Token::Header("not-a-token")).await),
        401
    );
    assert_eq!(
        refused(connect(server, "?stream=nonsense", Token::Header(&alice.token)).await),
        400
    );
    let write_only = api.token(&alice, "write").await;
    assert_eq!(
        refused(connect(server, "?stream=user", Token::Header(&write_only)).await),
        403
    );

    // An anonymous socket may not subscribe to a user's stream.
    let mut socket = connect(server, "", Token::None)
        .await
        .expect("anonymous socket");
    socket
        .send(Message::Text(
            json!({ "type": "subscribe", "stream": "user" })
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    let error = next_matching(&mut socket, "an error", |m| m.get("error").is_some()).await;
    assert_eq!(error["status"], 401, "{error}");
    socket.send(Message::Text("not json".into())).await.unwrap();
    let error = next_matching(&mut socket, "an error", |m| m.get("error").is_some()).await;
    assert_eq!(error["status"], 400, "{error}");
}

#[tokio::test]
async fn each_stream_checks_its_own_scope() {
    let server = server();
    let api = server.api();
    let alice = api.register("alice").await;
    let bob = api.register("bob").await;
    api.follow(&alice, &bob).await;

    // A token that may read notifications, and nothing else, streams them.
    let notifications_only = api.token(&alice, "read:notifications").await;
    assert_eq!(
        refused(connect(server, "?stream=user", Token::Header(&notifications_only)).await),
        403
    );
    let mut socket = connect(
        server,
        "?stream=user:notification",
        Token::Header(&notifications_only),
    )
    .await
    .expect("read:notifications is enough for user:notification");
    let post = text_of(&api.post_status(&alice, "mine", "public").await, "id");
    api.post(&format!("/api/v1/statuses/{post}/favourite"))
        .auth(&bob)
        .ok()
        .await;
    event_about(&mut socket, "notification", &post).await;

    // A token that may read statuses, not notifications: the user stream has no notifications.
    let statuses_only = api.token(&alice, "read:statuses").await;
    let mut socket = connect(server, "?stream=user", Token::Header(&statuses_only))
        .await
        .expect("read:statuses is enough for user");
    let mention = text_of(
        &api.post_status(&bob, &format!("@{} hi", alice.username), "public")
            .await,
        "id",
    );
    // The mention is notified before the post is streamed.
    let before = ws_next(&mut socket, "the mention as an update", |m| {
        assert_ne!(
            m["event"], "notification",
            "no notifications without read:notifications: {m}"
        );
        is_event_about(m, "update", &mention)
    })
    .await;
    assert_eq!(before["stream"], json!(["user"]));
}
