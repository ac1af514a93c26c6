//! Direct conversations, scheduled statuses and followed hashtags through the client API.

mod support;

use std::time::{Duration, Instant};

use rhizome_testkit::TestDatabase;
use serde_json::{Value, json};
use support::Setup;
use support::api::{Api, ids};

fn serve(db: &TestDatabase, dir: &std::path::Path) -> support::Server {
    Setup::new(db.url(), dir)
        .with("RHIZOME_JOBS_POLL_MILLIS", "50")
        // "At least 5 minutes ahead" becomes half a second.
        .with("RHIZOME_TIME_SCALE", "600")
        .serve()
}

async fn eventually<F, Fut>(what: &str, mut check: F) -> Value
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<Value>>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The user's posts, once the queue has published at least one.
async fn published(api: &Api, user: &support::api::User) -> Value {
    eventually("the scheduled post", || async {
        let found = api
            .get(&format!("/api/v1/accounts/{}/statuses", user.id))
            .auth(user)
            .ok()
            .await;
        found
            .as_array()
            .filter(|s| !s.is_empty())
            .map(|_| found.clone())
    })
    .await
}

#[tokio::test]
async fn direct_messages_make_conversations() {
    let db = TestDatabase::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&db, dir.path());
    let api = Api::http(&server.base());
    let (alice, bob, carol) = (
        api.register("alice").await,
        api.register("bob").await,
        api.register("carol").await,
    );
    let message = api
        .post_status(&alice, &format!("@{} psst", bob.username), "direct")
        .await;
    api.post_status(&alice, "public words", "public").await;

    let conversations = eventually("bob's conversation", || async {
        let found = api.get("/api/v1/conversations").auth(&bob).ok().await;
        found
            .as_array()
            .filter(|c| !c.is_empty())
            .map(|_| found.clone())
    })
    .await;
    let conversation = &conversations[0];
    assert_eq!(conversation["unread"], true);
    assert_eq!(conversation["accounts"][0]["id"], alice.id.as_str());
    assert_eq!(conversation["last_status"]["id"], message["id"]);
    let mine = api.get("/api/v1/conversations").auth(&alice).ok().await;
    assert_eq!(mine[0]["unread"], false, "one's own message is read");
    assert_eq!(
        api.get("/api/v1/conversations").auth(&carol).ok().await,
        json!([])
    );

    let id = conversation["id"].as_str().unwrap();
    let read = api
        .post(&format!("/api/v1/conversations/{id}/read"))
        .auth(&bob)
        .ok()
        .await;
    assert_eq!(read["unread"], false);
    api.post(&format!("/api/v1/conversations/{id}/read"))
        .auth(&carol)
        .send()
        .await
        .expect(404);

    let direct = api.get("/api/v1/timelines/direct").auth(&bob).ok().await;
    assert_eq!(
        ids(&direct),
        vec![message["id"].as_str().unwrap().to_owned()]
    );
    assert_eq!(
        api.get("/api/v1/timelines/direct").auth(&carol).ok().await,
        json!([])
    );

    api.delete(&format!("/api/v1/conversations/{id}"))
        .auth(&bob)
        .ok()
        .await;
    assert_eq!(
        api.get("/api/v1/conversations").auth(&bob).ok().await,
        json!([])
    );
}

#[tokio::test]
async fn scheduled_statuses_are_published_by_the_queue() {
    let db = TestDatabase::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&db, dir.path());
    let api = Api::http(&server.base());
    let alice = api.register("alice").await;

    let too_soon = (chrono::Utc::now() + chrono::Duration::milliseconds(100)).to_rfc3339();
    api.post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({ "status": "x", "scheduled_at": too_soon }))
        .send()
        .await
        .expect(422);

    let later = (chrono::Utc::now() + chrono::Duration::seconds(60)).to_rfc3339();
    let cancelled = api
        .post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({ "status": "never", "scheduled_at": later }))
        .ok()
        .await;
    let soon = (chrono::Utc::now() + chrono::Duration::milliseconds(1500)).to_rfc3339();
    let scheduled = api
        .post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({ "status": "on time", "scheduled_at": soon, "visibility": "unlisted" }))
        .ok()
        .await;
    assert_eq!(scheduled["params"]["text"], "on time");
    assert_eq!(scheduled["params"]["visibility"], "unlisted");
    assert!(scheduled["scheduled_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        api.get("/api/v1/scheduled_statuses")
            .auth(&alice)
            .ok()
            .await
            .as_array()
            .map(Vec::len),
        Some(2)
    );

    let cancelled_id = cancelled["id"].as_str().unwrap();
    let moved = (chrono::Utc::now() + chrono::Duration::seconds(120)).to_rfc3339();
    let rescheduled = api
        .put(&format!("/api/v1/scheduled_statuses/{cancelled_id}"))
        .auth(&alice)
        .form(&[("scheduled_at", moved.as_str())])
        .ok()
        .await;
    assert_eq!(rescheduled["id"], cancelled["id"]);
    api.delete(&format!("/api/v1/scheduled_statuses/{cancelled_id}"))
        .auth(&alice)
        .ok()
        .await;
    api.get(&format!("/api/v1/scheduled_statuses/{cancelled_id}"))
        .auth(&alice)
        .send()
        .await
        .expect(404);

    let statuses = published(&api, &alice).await;
    assert_eq!(
        statuses.as_array().map(Vec::len),
        Some(1),
        "published once, the cancelled one never"
    );
    assert!(statuses[0]["content"].as_str().unwrap().contains("on time"));
    assert_eq!(statuses[0]["visibility"], "unlisted");
    assert_eq!(
        api.get("/api/v1/scheduled_statuses")
            .auth(&alice)
            .ok()
            .await,
        json!([])
    );
}

#[tokio::test]
async fn followed_hashtags_fill_the_home_timeline() {
    let db = TestDatabase::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&db, dir.path());
    let api = Api::http(&server.base());
    let (alice, bob) = (api.register("alice").await, api.register("bob").await);
    api.get("/api/v1/tags/gardening")
        .auth(&alice)
        .send()
        .await
        .expect(404);
    let followed = api
        .post("/api/v1/tags/Gardening/follow")
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(
        (followed["name"].as_str(), followed["following"].as_bool()),
        (Some("gardening"), Some(true))
    );
    assert_eq!(followed["history"].as_array().map(Vec::len), Some(7));

    let post = api
        .post_status(&bob, "Tomatoes! #gardening", "public")
        .await;
    api.post_status(&bob, "Not public #gardening", "unlisted")
        .await;
    let home = eventually("the tagged post at home", || async {
        let found = api.get("/api/v1/timelines/home").auth(&alice).ok().await;
        found
            .as_array()
            .filter(|s| !s.is_empty())
            .map(|_| found.clone())
    })
    .await;
    assert_eq!(ids(&home), vec![post["id"].as_str().unwrap().to_owned()]);
    let tag = api.get("/api/v1/tags/gardening").auth(&alice).ok().await;
    assert_eq!(tag["history"][0]["uses"], "2");
    assert_eq!(tag["history"][0]["accounts"], "1");
    assert_eq!(
        ids(&api.get("/api/v1/followed_tags").auth(&alice).ok().await).len(),
        1
    );
    let unfollowed = api
        .post("/api/v1/tags/gardening/unfollow")
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(unfollowed["following"], false);
    assert_eq!(
        api.get("/api/v1/followed_tags").auth(&alice).ok().await,
        json!([])
    );
}

#[tokio::test]
async fn scheduled_statuses_carry_media_reserved_until_published() {
    use support::media::{encoded, multipart};
    let db = TestDatabase::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&db, dir.path());
    let api = Api::http(&server.base());
    let alice = api.register("alice").await;
    let png = encoded(
        &image::DynamicImage::new_rgb8(10, 10),
        image::ImageFormat::Png,
    );
    let (content_type, body) = multipart(&[("file", Some("a.png"), "image/png", &png)]);
    let media = api
        .post("/api/v2/media")
        .auth(&alice)
        .body(&content_type, body)
        .ok()
        .await;
    let media_id = media["id"].as_str().unwrap().to_owned();

    let soon = (chrono::Utc::now() + chrono::Duration::milliseconds(1500)).to_rfc3339();
    let scheduled = api
        .post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({ "status": "", "media_ids": [media_id], "scheduled_at": soon }))
        .ok()
        .await;
    assert_eq!(scheduled["params"]["media_ids"], json!([media_id]));
    assert_eq!(scheduled["media_attachments"][0]["id"], media_id.as_str());
    // Reserved: no other post may take it meanwhile.
    api.post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({ "status": "mine first", "media_ids": [media_id] }))
        .send()
        .await
        .expect(422);

    let statuses = published(&api, &alice).await;
    assert_eq!(statuses[0]["media_attachments"][0]["id"], media_id.as_str());
}
