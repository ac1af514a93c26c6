//! Polls through the client API: creation, votes, expiry.

mod support;

use std::time::{Duration, Instant};

use rhizome_testkit::TestDatabase;
use serde_json::json;
use support::Setup;
use support::api::Api;

#[tokio::test]
async fn polls_are_voted_once_and_close_with_notifications() {
    let db = TestDatabase::sqlite();
    let dir = tempfile::tempdir().unwrap();
    // 600×: the shortest poll (5 minutes) lasts half a second.
    let server = Setup::new(db.url(), dir.path())
        .with("RHIZOME_JOBS_POLL_MILLIS", "50")
        .with("RHIZOME_TIME_SCALE", "600")
        .serve();
    let api = Api::http(&server.base());
    let (alice, bob, carol) = (
        api.register("alice").await,
        api.register("bob").await,
        api.register("carol").await,
    );

    api.post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({ "status": "?", "poll": { "options": ["only"], "expires_in": 600 } }))
        .send()
        .await
        .expect(422);
    api.post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({ "status": "?", "poll": { "options": ["a", "b"], "expires_in": 10 } }))
        .send()
        .await
        .expect(422);

    let status = api
        .post("/api/v1/statuses")
        .auth(&alice)
        .form(&[
            ("status", "Tea or coffee?"),
            ("poll[options][]", "Tea"),
            ("poll[options][]", "Coffee"),
            ("poll[expires_in]", "600"),
        ])
        .ok()
        .await;
    let poll = &status["poll"];
    assert_eq!(poll["options"][1]["title"], "Coffee");
    assert_eq!(
        (
            poll["multiple"].as_bool(),
            poll["expired"].as_bool(),
            poll["voted"].as_bool()
        ),
        (Some(false), Some(false), Some(false))
    );
    let id = poll["id"].as_str().unwrap();

    api.post(&format!("/api/v1/polls/{id}/votes"))
        .auth(&alice)
        .form(&[("choices[]", "0")])
        .send()
        .await
        .expect(422);
    api.post(&format!("/api/v1/polls/{id}/votes"))
        .auth(&bob)
        .form(&[("choices[]", "0"), ("choices[]", "1")])
        .send()
        .await
        .expect(422);
    api.post(&format!("/api/v1/polls/{id}/votes"))
        .auth(&bob)
        .form(&[("choices[]", "7")])
        .send()
        .await
        .expect(422);
    let voted = api
        .post(&format!("/api/v1/polls/{id}/votes"))
        .auth(&bob)
        .json(json!({ "choices": ["1"] }))
        .ok()
        .await;
    assert_eq!(
        (voted["voted"].as_bool(), voted["own_votes"].clone()),
        (Some(true), json!([1]))
    );
    assert_eq!(voted["options"][1]["votes_count"], 1);
    api.post(&format!("/api/v1/polls/{id}/votes"))
        .auth(&bob)
        .form(&[("choices[]", "0")])
        .send()
        .await
        .expect(422);
    api.post(&format!("/api/v1/polls/{id}/votes"))
        .auth(&carol)
        .form(&[("choices[]", "0")])
        .ok()
        .await;
    let shown = api.get(&format!("/api/v1/polls/{id}")).ok().await;
    assert_eq!(shown["votes_count"], 2);
    assert!(
        shown.get("voted").is_none(),
        "anonymous viewers have no votes"
    );

    // At its end, voters and the author are notified, and votes are refused.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let notifications = api
            .get("/api/v1/notifications?types[]=poll")
            .auth(&bob)
            .ok()
            .await;
        if notifications.as_array().is_some_and(|n| !n.is_empty()) {
            assert_eq!(notifications[0]["status"]["poll"]["expired"], true);
            break;
        }
        assert!(Instant::now() < deadline, "no poll notification");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let author = api
        .get("/api/v1/notifications?types[]=poll")
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(author.as_array().map(Vec::len), Some(1));
    let dave = api.register("dave").await;
    api.post(&format!("/api/v1/polls/{id}/votes"))
        .auth(&dave)
        .form(&[("choices[]", "0")])
        .send()
        .await
        .expect(422);
}
