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
