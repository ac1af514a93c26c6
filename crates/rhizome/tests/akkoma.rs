//! Akkoma's extensions through the client API: the bubble timeline, local-only posts,
//! reactions under both spellings; and the profile directory.

mod support;

use rhizome_model::{Id, NewStatus, Visibility};
use rhizome_testkit::TestDatabase;
use rhizome_testkit::fixtures::{remote_account, status};
use serde_json::json;
use support::Setup;
use support::api::{Api, ids};

#[tokio::test]
async fn bubble_timeline_local_only_reactions_and_directory() {
    let db = TestDatabase::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::new(db.url(), dir.path());
    let server = setup.serve();
    let api = Api::http(&server.base());
    let (alice, bob) = (api.register("alice").await, api.register("bob").await);

    // Two remote posts: one from a bubble instance, one from elsewhere.
    let store = db.store().await;
    for (id, domain) in [(1, "friends.example"), (2, "far.example")] {
        let account = store
            .upsert_remote_account(&remote_account(id, "someone", domain))
            .await
            .unwrap();
        let mut post = status(
            Id::generate(rhizome_testkit::fixtures::NOW.0 + id).0,
            0,
            Visibility::Public,
            false,
        );
        post.account_id = account.id;
        post.uri = format!("https://{domain}/notes/1");
        store
            .insert_status(&NewStatus {
                status: post,
                mentions: vec![],
                tags: vec![],
                attachments: vec![],
            })
            .await
            .unwrap();
    }
    let local = api.post_status(&alice, "only for us", "local").await;
    assert_eq!(local["visibility"], "local");
    setup.ok(
        &[
            "admin",
            "settings",
            "set",
            "instance.bubble_domains",
            r#"["friends.example"]"#,
        ],
        "",
    );
    let bubble = api.get("/api/v1/timelines/bubble").auth(&bob).ok().await;
    let uris: Vec<&str> = bubble
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["uri"].as_str())
        .collect();
    assert!(
        uris.contains(&"https://friends.example/notes/1"),
        "{uris:?}"
    );
    assert!(!uris.contains(&"https://far.example/notes/1"));
    assert!(ids(&bubble).contains(&local["id"].as_str().unwrap().to_owned()));

    // Local-only posts are not served to other servers.
    let object = reqwest::Client::new()
        .get(local["uri"].as_str().unwrap())
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(object.status(), 404);

    // Reactions: Akkoma's and Fedibird's paths, listed per emoji.
    let id = local["id"].as_str().unwrap();
    api.put(&format!("/api/v1/pleroma/statuses/{id}/reactions/🌱"))
        .auth(&bob)
        .ok()
        .await;
    let reacted = api
        .put(&format!("/api/v1/statuses/{id}/emoji_reactions/🔥"))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(
        reacted["pleroma"]["emoji_reactions"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let sprouts = api
        .get(&format!("/api/v1/pleroma/statuses/{id}/reactions/🌱"))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(sprouts[0]["count"], 1);
    assert_eq!(sprouts[0]["accounts"][0]["id"], bob.id.as_str());
    api.put(&format!("/api/v1/pleroma/statuses/{id}/reactions/abc"))
        .auth(&bob)
        .send()
        .await
        .expect(422);
    api.delete(&format!("/api/v1/statuses/{id}/emoji_reactions/🔥"))
        .auth(&alice)
        .ok()
        .await;
    let all = api
        .get(&format!("/api/v1/pleroma/statuses/{id}/reactions"))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(all.as_array().map(Vec::len), Some(1));

    // The directory lists discoverable accounts; local=true only ours.
    let directory = api.get("/api/v1/directory?local=true&order=new").ok().await;
    let names: Vec<&str> = directory
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["username"].as_str())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        api.get("/api/v1/directory")
            .ok()
            .await
            .as_array()
            .unwrap()
            .len()
            >= 4
    );
    api.patch("/api/v1/accounts/update_credentials")
        .auth(&bob)
        .json(json!({ "discoverable": false }))
        .ok()
        .await;
    let directory = api.get("/api/v1/directory?local=true").ok().await;
    assert_eq!(directory.as_array().map(Vec::len), Some(1));
}
