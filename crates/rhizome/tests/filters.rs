//! Filters v2 and v1 through the client API, applied to timelines and notifications.

mod support;

use rhizome_testkit::TestDatabase;
use serde_json::json;
use support::Setup;
use support::api::{Api, ids};

#[tokio::test]
async fn filters_warn_or_hide_in_their_contexts() {
    let db = TestDatabase::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let server = Setup::new(db.url(), dir.path())
        .with("RHIZOME_JOBS_POLL_MILLIS", "50")
        .serve();
    let api = Api::http(&server.base());
    let (alice, bob) = (api.register("alice").await, api.register("bob").await);

    let warn = api
        .post("/api/v2/filters")
        .auth(&alice)
        .form(&[
            ("title", "Spoilers"),
            ("context[]", "public"),
            ("context[]", "home"),
            ("filter_action", "warn"),
            ("keywords_attributes[][keyword]", "finale"),
            ("keywords_attributes[][whole_word]", "true"),
        ])
        .ok()
        .await;
    assert_eq!(warn["keywords"][0]["keyword"], "finale");
    assert_eq!(warn["context"], json!(["public", "home"]));
    let hide = api
        .post("/api/v2/filters")
        .auth(&alice)
        .json(json!({ "title": "No crypto", "context": ["public", "notifications"], "filter_action": "hide",
                      "keywords_attributes": [{ "keyword": "crypto", "whole_word": false }] }))
        .ok()
        .await;

    let spoiler = api
        .post_status(&bob, "The finale was great", "public")
        .await;
    let crypto = api.post_status(&bob, "cryptocurrency news", "public").await;
    let plain = api.post_status(&bob, "finalements, rien", "public").await;
    let public = api.get("/api/v1/timelines/public").auth(&alice).ok().await;
    let seen = ids(&public);
    assert!(
        !seen.contains(&crypto["id"].as_str().unwrap().to_owned()),
        "hidden by the hide filter"
    );
    let warned = public
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == spoiler["id"])
        .unwrap();
    assert_eq!(warned["filtered"][0]["filter"]["title"], "Spoilers");
    assert_eq!(warned["filtered"][0]["keyword_matches"], json!(["finale"]));
    let unmatched = public
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == plain["id"])
        .unwrap();
    assert_eq!(unmatched["filtered"], json!([]), "whole words only");
    // Others are not affected by alice's filters.
    assert!(
        ids(&api.get("/api/v1/timelines/public").auth(&bob).ok().await)
            .contains(&crypto["id"].as_str().unwrap().to_owned())
    );

    // A mention carrying a hidden word is not notified.
    api.post_status(&bob, &format!("@{} crypto tips", alice.username), "public")
        .await;
    api.post_status(&bob, &format!("@{} hello", alice.username), "public")
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let notifications = api.get("/api/v1/notifications").auth(&alice).ok().await;
    let texts: Vec<String> = notifications
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["status"]["content"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(texts[0].contains("hello"));

    // Keywords and statuses can be added and removed; the filter can be changed and deleted.
    let hide_id = hide["id"].as_str().unwrap();
    let keyword = api
        .post(&format!("/api/v2/filters/{hide_id}/keywords"))
        .auth(&alice)
        .form(&[("keyword", "nft")])
        .ok()
        .await;
    let status_row = api
        .post(&format!("/api/v2/filters/{hide_id}/statuses"))
        .auth(&alice)
        .form(&[("status_id", plain["id"].as_str().unwrap())])
        .ok()
        .await;
    let shown = api
        .get(&format!("/api/v2/filters/{hide_id}"))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(shown["keywords"].as_array().map(Vec::len), Some(2));
    assert_eq!(shown["statuses"][0]["status_id"], plain["id"]);
    assert!(
        !ids(&api.get("/api/v1/timelines/public").auth(&alice).ok().await)
            .contains(&plain["id"].as_str().unwrap().to_owned())
    );
    api.delete(&format!(
        "/api/v2/filters/statuses/{}",
        status_row["id"].as_str().unwrap()
    ))
    .auth(&alice)
    .ok()
    .await;
    api.delete(&format!(
        "/api/v2/filters/keywords/{}",
        keyword["id"].as_str().unwrap()
    ))
    .auth(&alice)
    .ok()
    .await;
    let updated = api
        .put(&format!("/api/v2/filters/{hide_id}"))
        .auth(&alice)
        .json(json!({ "filter_action": "warn" }))
        .ok()
        .await;
    assert_eq!(
        (
            updated["filter_action"].as_str(),
            updated["keywords"].as_array().map(Vec::len)
        ),
        (Some("warn"), Some(1))
    );
    api.put(&format!("/api/v2/filters/{hide_id}"))
        .auth(&alice)
        .json(json!({ "context": ["nowhere"] }))
        .send()
        .await
        .expect(422);
    api.delete(&format!("/api/v2/filters/{hide_id}"))
        .auth(&bob)
        .send()
        .await
        .expect(404);
    api.delete(&format!("/api/v2/filters/{hide_id}"))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(
        api.get("/api/v2/filters")
            .auth(&alice)
            .ok()
            .await
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn v1_filters_map_to_keywords() {
    let db = TestDatabase::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let server = Setup::new(db.url(), dir.path()).serve();
    let api = Api::http(&server.base());
    let alice = api.register("alice").await;
    let created = api
        .post("/api/v1/filters")
        .auth(&alice)
        .form(&[
            ("phrase", "election"),
            ("context[]", "home"),
            ("irreversible", "true"),
            ("whole_word", "false"),
        ])
        .ok()
        .await;
    assert_eq!(
        (
            created["phrase"].as_str(),
            created["irreversible"].as_bool(),
            created["whole_word"].as_bool()
        ),
        (Some("election"), Some(true), Some(false))
    );
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        ids(&api.get("/api/v1/filters").auth(&alice).ok().await),
        vec![id.to_owned()]
    );
    let v2 = api.get("/api/v2/filters").auth(&alice).ok().await;
    assert_eq!(v2[0]["filter_action"], "hide");
    let updated = api
        .put(&format!("/api/v1/filters/{id}"))
        .auth(&alice)
        .form(&[
            ("phrase", "election"),
            ("context[]", "public"),
            ("irreversible", "false"),
        ])
        .ok()
        .await;
    assert_eq!(
        (updated["id"].as_str(), updated["irreversible"].as_bool()),
        (Some(id), Some(false)),
        "the keyword keeps its id"
    );
    api.delete(&format!("/api/v1/filters/{id}"))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(
        api.get("/api/v1/filters").auth(&alice).ok().await,
        json!([])
    );
    let read_only = api.token(&alice, "read:filters").await;
    api.post("/api/v1/filters")
        .token(&read_only)
        .form(&[("phrase", "x"), ("context[]", "home")])
        .send()
        .await
        .expect(403);
}
