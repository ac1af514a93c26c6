//! Lists, list timelines and read markers through the client API.

mod support;

use rhizome_testkit::TestDatabase;
use serde_json::json;
use support::Setup;
use support::api::{Api, ids};

#[tokio::test]
async fn lists_hold_followed_accounts_and_have_timelines() {
    let db = TestDatabase::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let server = Setup::new(db.url(), dir.path())
        .with("RHIZOME_JOBS_POLL_MILLIS", "50")
        .serve();
    let api = Api::http(&server.base());
    let (alice, bob, carol) = (
        api.register("alice").await,
        api.register("bob").await,
        api.register("carol").await,
    );

    let list = api
        .post("/api/v1/lists")
        .auth(&alice)
        .form(&[("title", "Friends"), ("exclusive", "1")])
        .ok()
        .await;
    assert_eq!(
        (
            list["title"].as_str(),
            list["replies_policy"].as_str(),
            list["exclusive"].as_bool()
        ),
        (Some("Friends"), Some("list"), Some(true))
    );
    let id = list["id"].as_str().unwrap().to_owned();
    api.post("/api/v1/lists")
        .auth(&alice)
        .form(&[("title", " ")])
        .send()
        .await
        .expect(422);
    api.get(&format!("/api/v1/lists/{id}"))
        .auth(&bob)
        .send()
        .await
        .expect(404);

    // Only followed accounts may join.
    api.post(&format!("/api/v1/lists/{id}/accounts"))
        .auth(&alice)
        .json(json!({ "account_ids": [bob.id] }))
        .send()
        .await
        .expect(422);
    api.follow(&alice, &bob).await;
    api.post(&format!("/api/v1/lists/{id}/accounts"))
        .auth(&alice)
        .form(&[("account_ids[]", &bob.id)])
        .ok()
        .await;
    let members = api
        .get(&format!("/api/v1/lists/{id}/accounts"))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(ids(&members), vec![bob.id.clone()]);
    let containing = api
        .get(&format!("/api/v1/accounts/{}/lists", bob.id))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(ids(&containing), vec![id.clone()]);
    assert_eq!(
        ids(&api
            .get(&format!("/api/v1/accounts/{}/lists", carol.id))
            .auth(&alice)
            .ok()
            .await),
        Vec::<String>::new()
    );

    let post = api.post_status(&bob, "for the list", "public").await;
    api.post_status(&carol, "not in the list", "public").await;
    let timeline = api
        .get(&format!("/api/v1/timelines/list/{id}"))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(
        ids(&timeline),
        vec![post["id"].as_str().unwrap().to_owned()]
    );

    // An exclusive list keeps its members out of the home timeline.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let home = api.get("/api/v1/timelines/home").auth(&alice).ok().await;
    assert!(!ids(&home).contains(&post["id"].as_str().unwrap().to_owned()));

    let renamed = api
        .put(&format!("/api/v1/lists/{id}"))
        .auth(&alice)
        .json(json!({ "title": "Close friends", "replies_policy": "none", "exclusive": false }))
        .ok()
        .await;
    assert_eq!(
        (
            renamed["title"].as_str(),
            renamed["replies_policy"].as_str()
        ),
        (Some("Close friends"), Some("none"))
    );
    api.put(&format!("/api/v1/lists/{id}"))
        .auth(&alice)
        .json(json!({ "replies_policy": "sometimes" }))
        .send()
        .await
        .expect(422);
    api.delete(&format!("/api/v1/lists/{id}/accounts"))
        .auth(&alice)
        .form(&[("account_ids[]", &bob.id)])
        .ok()
        .await;
    assert_eq!(
        ids(&api
            .get(&format!("/api/v1/lists/{id}/accounts"))
            .auth(&alice)
            .ok()
            .await),
        Vec::<String>::new()
    );
    assert_eq!(
        api.get("/api/v1/lists")
            .auth(&alice)
            .ok()
            .await
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    api.delete(&format!("/api/v1/lists/{id}"))
        .auth(&bob)
        .send()
        .await
        .expect(404);
    api.delete(&format!("/api/v1/lists/{id}"))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(
        api.get("/api/v1/lists")
            .auth(&alice)
            .ok()
            .await
            .as_array()
            .map(Vec::len),
        Some(0)
    );

    // Scopes: reading lists needs read:lists, changing them write:lists.
    let read_only = api.token(&alice, "read:lists").await;
    api.get("/api/v1/lists").token(&read_only).ok().await;
    api.post("/api/v1/lists")
        .token(&read_only)
        .form(&[("title", "x")])
        .send()
        .await
        .expect(403);
}

#[tokio::test]
async fn markers_remember_where_reading_stopped() {
    let db = TestDatabase::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let server = Setup::new(db.url(), dir.path()).serve();
    let api = Api::http(&server.base());
    let alice = api.register("alice").await;
    assert_eq!(
        api.get("/api/v1/markers").auth(&alice).ok().await,
        json!({})
    );
    let saved = api
        .post("/api/v1/markers")
        .auth(&alice)
        .form(&[
            ("home[last_read_id]", "123"),
            ("notifications[last_read_id]", "45"),
        ])
        .ok()
        .await;
    assert_eq!(saved["home"]["last_read_id"], "123");
    assert_eq!(saved["home"]["version"], 1);
    assert!(saved["home"]["updated_at"].as_str().unwrap().ends_with('Z'));
    let saved = api
        .post("/api/v1/markers")
        .auth(&alice)
        .json(json!({ "home": { "last_read_id": "130" } }))
        .ok()
        .await;
    assert_eq!(
        (
            saved["home"]["last_read_id"].as_str(),
            saved["home"]["version"].as_i64()
        ),
        (Some("130"), Some(2))
    );
    let only_home = api
        .get("/api/v1/markers?timeline[]=home")
        .auth(&alice)
        .ok()
        .await;
    assert!(only_home.get("notifications").is_none() && only_home.get("home").is_some());
    api.post("/api/v1/markers")
        .auth(&alice)
        .form(&[("home[last_read_id]", "nope")])
        .send()
        .await
        .expect(404);
}
