//! Several `serve` processes on one PostgreSQL act as one instance.

mod support;

use std::time::Duration;

use futures::StreamExt;
use rhizome_testkit::TestDatabase;
use serde_json::Value;
use support::Setup;

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL suite skipped: set RHIZOME_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test to run it"
)]
async fn a_post_made_on_one_process_streams_from_another() {
    let db = TestDatabase::postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::new(db.url(), dir.path())
        .with("RHIZOME_INSTANCE_DOMAIN", "scale.test")
        .with("RHIZOME_JOBS_POLL_MILLIS", "50");
    let (first, second) = (setup.serve(), setup.serve());
    setup.ok(
        &[
            "admin",
            "user",
            "create",
            "alice",
            "--email",
            "alice@example.org",
        ],
        "",
    );
    let token = setup
        .ok(&["admin", "token", "create", "alice"], "")
        .trim()
        .to_owned();

    // A streaming client on the second process, for alice's home timeline.
    let url = format!(
        "ws://127.0.0.1:{}/api/v1/streaming?stream=user&access_token={token}",
        second.port
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("WebSocket connection");

    // The post goes through the first process.
    let client = reqwest::Client::new();
    let posted: Value = client
        .post(format!("{}/api/v1/statuses", first.base()))
        .bearer_auth(&token)
        .form(&[("status", "made on the first process")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = posted["id"].as_str().unwrap().to_owned();

    let update = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(message) = socket.next().await {
            let Ok(tokio_tungstenite::tungstenite::Message::Text(text)) = message else {
                continue;
            };
            let event: Value = serde_json::from_str(&text).unwrap();
            if event["event"] == "update" {
                return event;
            }
        }
        panic!("the socket closed");
    })
    .await
    .expect("an update within 10 s");
    assert_eq!(update["stream"][0], "user");
    let status: Value = serde_json::from_str(update["payload"].as_str().unwrap()).unwrap();
    assert_eq!(status["id"], id);
}

/// A pretend remote server that counts what is delivered to each inbox.
async fn start_sink() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>) {
    use axum::extract::{Path, State};
    type Seen = std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>;
    let seen: Seen = Default::default();
    async fn receive(
        State(seen): State<Seen>,
        Path(inbox): Path<String>,
        body: axum::body::Bytes,
    ) -> axum::http::StatusCode {
        let activity: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let id = activity["id"].as_str().unwrap_or("").to_owned();
        seen.lock().unwrap().push((inbox, id));
        axum::http::StatusCode::ACCEPTED
    }
    let app = axum::Router::new()
        .route("/inbox/{inbox}", axum::routing::post(receive))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (port, seen)
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL suite skipped: set RHIZOME_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test to run it"
)]
async fn deliveries_queued_from_two_processes_are_each_sent_once() {
    let db = TestDatabase::postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::new(db.url(), dir.path())
        .with("RHIZOME_INSTANCE_DOMAIN", "scale.test")
        .with("RHIZOME_JOBS_POLL_MILLIS", "50")
        .with("RHIZOME_FEDERATION_ALLOW_HTTP", "true")
        .with("RHIZOME_FEDERATION_ALLOW_PRIVATE_ADDRESSES", "true");
    let (first, second) = (setup.serve(), setup.serve());
    let (sink_port, seen) = start_sink().await;
    let store = db.store().await;
    let mut tokens = Vec::new();
    for (name, offset) in [("alice", 0), ("bob", 500)] {
        setup.ok(
            &[
                "admin",
                "user",
                "create",
                name,
                "--email",
                &format!("{name}@example.org"),
            ],
            "",
        );
        tokens.push(
            setup
                .ok(&["admin", "token", "create", name], "")
                .trim()
                .to_owned(),
        );
        let user = store.local_user_by_username(name).await.unwrap().unwrap();
        // 500 remote followers each, every one with its own inbox on the sink.
        for i in offset..offset + 500 {
            let mut follower = rhizome_testkit::fixtures::remote_account(
                1_000_000 + i,
                &format!("f{i}"),
                "sink.test",
            );
            follower.inbox_url = Some(format!("http://127.0.0.1:{sink_port}/inbox/{i}"));
            follower.shared_inbox_url = None;
            let follower = store.upsert_remote_account(&follower).await.unwrap();
            let follow = rhizome_model::Follow {
                id: rhizome_model::Id(2_000_000 + i),
                account_id: follower.id,
                target_account_id: user.account.id,
                uri: None,
                show_reblogs: true,
                notify: false,
                created_at: rhizome_testkit::fixtures::NOW,
            };
            store
                .upsert_follow(rhizome_store::FollowTable::Follows, &follow)
                .await
                .unwrap();
        }
    }
    let client = reqwest::Client::new();
    for (server, token) in [(&first, &tokens[0]), (&second, &tokens[1])] {
        let response = client
            .post(format!("{}/api/v1/statuses", server.base()))
            .bearer_auth(token)
            .form(&[("status", "to a thousand inboxes")])
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let count = seen.lock().unwrap().len();
        if count >= 1000 || std::time::Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Let any duplicate arrive before counting.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1000, "every delivery arrived, none twice");
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 1000, "no (inbox, activity) pair twice");
    let jobs = store
        .list_jobs(
            Some(rhizome_model::JobState::Done),
            &rhizome_store::PageRequest::first(5000),
        )
        .await
        .unwrap();
    let workers: std::collections::BTreeSet<_> = jobs
        .items
        .iter()
        .filter(|j| j.kind == "deliver")
        .filter_map(|j| j.locked_by.clone())
        .collect();
    assert_eq!(workers.len(), 2, "both processes delivered");
}
