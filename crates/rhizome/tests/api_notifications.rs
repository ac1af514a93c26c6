//! Notifications against a real server (mentions, boosts and edits are notified by its job
//! workers): every type, filters, one by one, dismissal, counts, and the grouped v2 list.

mod support;

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde_json::{Value, json};
use support::api::{
    Api, SharedServer, User, assert_account, assert_fields, assert_notification, assert_status,
    enc, ids, path_of, shared_server, text_of,
};

static SERVER: OnceLock<SharedServer> = OnceLock::new();

fn server() -> &'static SharedServer {
    shared_server(&SERVER, &[])
}

async fn notifications(api: &Api, user: &User, query: &str) -> Value {
    let list = api
        .get(&format!("/api/v1/notifications{query}"))
        .auth(user)
        .ok()
        .await;
    for notification in list.as_array().unwrap() {
        assert_notification(notification);
    }
    list
}

/// The notifications of type `kind` in `list`.
fn of_kind<'a>(list: &'a Value, kind: &str) -> Vec<&'a Value> {
    list.as_array()
        .unwrap()
        .iter()
        .filter(|n| n["type"] == kind)
        .collect()
}

#[tokio::test]
async fn every_kind_of_notification() {
    let server = server();
    let api = server.api();
    let alice = api.register("alice").await;
    let bob = api.register("bob").await;
    let carol = api.register("carol").await;
    let id = |v: Value| text_of(&v, "id");

    api.follow(&bob, &alice).await;
    api.patch("/api/v1/accounts/update_credentials")
        .auth(&alice)
        .json(json!({ "locked": true }))
        .ok()
        .await;
    api.follow(&carol, &alice).await;
    let mention = id(api
        .post_status(&bob, &format!("hello @{}", alice.username), "public")
        .await);
    let post = id(api.post_status(&alice, "my post", "public").await);
    for action in ["favourite", "reblog"] {
        api.post(&format!("/api/v1/statuses/{post}/{action}"))
            .auth(&bob)
            .ok()
            .await;
    }
    api.put(&format!(
        "/api/v1/pleroma/statuses/{post}/reactions/{}",
        enc("🎉")
    ))
    .auth(&bob)
    .ok()
    .await;
    // Alice boosts and quotes bob's post; bob edits it; she hears about the edit, as a
    // booster and as a quoter (Mastodon 4.5's quoted_update names her quote).
    let edited = id(api.post_status(&bob, "first version", "public").await);
    api.post(&format!("/api/v1/statuses/{edited}/reblog"))
        .auth(&alice)
        .ok()
        .await;
    let quote = id(api
        .post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({ "status": "quoting", "quoted_status_id": edited }))
        .ok()
        .await);
    server.settle().await;
    api.put(&format!("/api/v1/statuses/{edited}"))
        .auth(&bob)
        .json(json!({ "status": "second version" }))
        .ok()
        .await;
    server.settle().await;

    let list = notifications(&api, &alice, "").await;
    let kinds: BTreeSet<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        BTreeSet::from([
            "follow",
            "follow_request",
            "mention",
            "favourite",
            "reblog",
            "pleroma:emoji_reaction",
            "update",
            "quoted_update",
        ]),
        "{list:#}"
    );
    let one = |kind: &str| -> Value {
        let found = of_kind(&list, kind);
        assert_eq!(found.len(), 1, "one {kind}: {list:#}");
        found[0].clone()
    };
    assert_eq!(one("follow")["account"]["id"], bob.id.as_str());
    assert_eq!(one("follow_request")["account"]["id"], carol.id.as_str());
    assert_eq!(one("mention")["status"]["id"], mention.as_str());
    for kind in ["favourite", "reblog", "pleroma:emoji_reaction"] {
        let notification = one(kind);
        assert_eq!(notification["account"]["id"], bob.id.as_str(), "{kind}");
        assert_eq!(notification["status"]["id"], post.as_str(), "{kind}");
    }
    assert_eq!(one("pleroma:emoji_reaction")["emoji"], "🎉");
    let update = one("update");
    assert_eq!(update["status"]["id"], edited.as_str());
    assert!(update["status"]["edited_at"].is_string());
    let quoted_update = one("quoted_update");
    assert_eq!(quoted_update["account"]["id"], bob.id.as_str());
    assert_eq!(quoted_update["status"]["id"], quote.as_str());
    assert_eq!(
        quoted_update["status"]["quote"]["quoted_status"]["id"],
        edited.as_str()
    );
    assert_eq!(one("favourite")["group_key"], format!("favourite-{post}"));
    assert_eq!(
        one("mention")["group_key"],
        format!("ungrouped-{}", text_of(&one("mention"), "id"))
    );
}

#[tokio::test]
async fn filters_pages_dismissal_and_counts() {
    let server = server();
    let api = server.api();
    let alice = api.register("alice").await;
    let bob = api.register("bob").await;
    let carol = api.register("carol").await;
    api.follow(&bob, &alice).await;
    api.follow(&carol, &alice).await;
    let post = text_of(&api.post_status(&alice, "like it", "public").await, "id");
    api.post(&format!("/api/v1/statuses/{post}/favourite"))
        .auth(&bob)
        .ok()
        .await;
    let all = notifications(&api, &alice, "").await;
    let [favourite, from_carol, from_bob] = ids(&all).try_into().expect("three notifications");

    let count = |query: &'static str| {
        let api = &api;
        let alice = &alice;
        async move {
            notifications(api, alice, query)
                .await
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert_eq!(count("?types[]=follow").await, 2);
    // Filters stay in the Link header's URLs.
    let filtered = api
        .get("/api/v1/notifications?types[]=follow&limit=1")
        .auth(&alice)
        .send()
        .await
        .expect(200);
    assert_eq!(ids(&filtered.json()), [from_carol.as_str()]);
    let next = api
        .get(&path_of(&api, &filtered.link("next")))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(ids(&next), [from_bob.as_str()]);
    assert_eq!(count("?types[]=follow&types[]=favourite").await, 3);
    assert_eq!(count("?exclude_types[]=follow").await, 1);
    assert_eq!(count("?types[]=not_a_type").await, 0);
    let by_carol = notifications(&api, &alice, &format!("?account_id={}", carol.id)).await;
    assert_eq!(ids(&by_carol), [from_carol.as_str()]);

    // Pages.
    let path = "/api/v1/notifications";
    let first = api
        .get(&format!("{path}?limit=2"))
        .auth(&alice)
        .send()
        .await
        .expect(200);
    assert_eq!(ids(&first.json()), [favourite.clone(), from_carol.clone()]);
    assert_eq!(
        first.header("link").unwrap(),
        format!(
            "<{base}{path}?limit=2&max_id={from_carol}>; rel=\"next\", <{base}{path}?limit=2&min_id={favourite}>; rel=\"prev\"",
            base = api.base
        )
    );
    let rest = api
        .get(&path_of(&api, &first.link("next")))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(ids(&rest), [from_bob.as_str()]);

    // One, dismissed, all cleared; the unread count follows.
    let single = api
        .get(&format!("{path}/{favourite}"))
        .auth(&alice)
        .ok()
        .await;
    assert_notification(&single);
    assert_eq!(single, all[0]);
    api.get(&format!("{path}/{favourite}"))
        .auth(&bob)
        .send()
        .await
        .error(404);
    let unread = |user: User| {
        let api = &api;
        async move {
            api.get("/api/v1/notifications/unread_count")
                .auth(&user)
                .ok()
                .await
        }
    };
    assert_eq!(unread(alice.clone()).await, json!({ "count": 3 }));
    let dismissed = api
        .post(&format!("{path}/{favourite}/dismiss"))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(dismissed, json!({}));
    api.get(&format!("{path}/{favourite}"))
        .auth(&alice)
        .send()
        .await
        .error(404);
    api.post(&format!("{path}/{from_bob}/dismiss"))
        .auth(&carol)
        .send()
        .await
        .error(404);
    assert_eq!(count("").await, 2);
    assert_eq!(
        api.post("/api/v1/notifications/clear")
            .auth(&alice)
            .ok()
            .await,
        json!({})
    );
    assert_eq!(count("").await, 0);
    assert_eq!(unread(alice.clone()).await, json!({ "count": 0 }));
}

#[tokio::test]
async fn grouped_notifications() {
    let server = server();
    let api = server.api();
    let alice = api.register("alice").await;
    let fans = [
        api.register("bob").await,
        api.register("carol").await,
        api.register("dave").await,
    ];
    let eve = api.register("eve").await;
    let post = text_of(&api.post_status(&alice, "popular", "public").await, "id");
    for fan in &fans {
        api.post(&format!("/api/v1/statuses/{post}/favourite"))
            .auth(fan)
            .ok()
            .await;
    }
    for fan in &fans[..2] {
        api.follow(fan, &alice).await;
    }
    let mention = text_of(
        &api.post_status(&eve, &format!("@{} hi", alice.username), "public")
            .await,
        "id",
    );
    server.settle().await;

    let reply = api
        .get("/api/v2/notifications")
        .auth(&alice)
        .send()
        .await
        .expect(200);
    let grouped = reply.json();
    assert_fields(
        &grouped,
        "GroupedNotificationsResults",
        &[
            ("accounts", "array"),
            ("statuses", "array"),
            ("notification_groups", "array"),
        ],
    );
    for account in grouped["accounts"].as_array().unwrap() {
        assert_account(account);
    }
    for status in grouped["statuses"].as_array().unwrap() {
        assert_status(status, true);
    }
    let groups = grouped["notification_groups"].as_array().unwrap();
    assert_eq!(
        groups.len(),
        3,
        "favourites, follows, the mention: {grouped:#}"
    );
    for group in groups {
        assert_fields(
            group,
            "NotificationGroup",
            &[
                ("group_key", "string"),
                ("notifications_count", "int"),
                ("type", "string"),
                ("page_min_id", "id"),
                ("page_max_id", "id"),
                ("latest_page_notification_at", "datetime"),
                ("sample_account_ids", "array"),
            ],
        );
        let most_recent = &group["most_recent_notification_id"];
        assert!(
            most_recent.is_i64()
                || most_recent
                    .as_str()
                    .is_some_and(|s| s.parse::<i64>().is_ok()),
            "most_recent_notification_id is an id: {most_recent}"
        );
        for sample in group["sample_account_ids"].as_array().unwrap() {
            assert!(
                ids(&grouped["accounts"]).contains(&sample.as_str().unwrap().to_owned()),
                "sample {sample} is among the accounts"
            );
        }
    }
    let group = |kind: &str| {
        groups
            .iter()
            .find(|g| g["type"] == kind)
            .unwrap_or_else(|| panic!("a {kind} group: {grouped:#}"))
    };
    let favourites = group("favourite");
    assert_eq!(favourites["group_key"], format!("favourite-{post}"));
    assert_eq!(favourites["notifications_count"], 3);
    assert_eq!(favourites["status_id"], post.as_str());
    let samples: BTreeSet<String> = favourites["sample_account_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(samples, fans.iter().map(|f| f.id.clone()).collect());
    assert_eq!(group("follow")["notifications_count"], 2);
    let mentioned = group("mention");
    assert_eq!(mentioned["notifications_count"], 1);
    assert_eq!(mentioned["status_id"], mention.as_str());
    assert!(
        mentioned["group_key"]
            .as_str()
            .unwrap()
            .starts_with("ungrouped-")
    );
    let statuses = ids(&grouped["statuses"]);
    assert!(statuses.contains(&post) && statuses.contains(&mention));

    // The same keys in v1; filters apply to v2 too.
    let v1 = notifications(&api, &alice, "?types[]=favourite").await;
    for notification in v1.as_array().unwrap() {
        assert_eq!(notification["group_key"], favourites["group_key"]);
    }
    let only = api
        .get("/api/v2/notifications?types[]=mention")
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(only["notification_groups"].as_array().unwrap().len(), 1);
    assert_eq!(only["notification_groups"][0]["type"], "mention");
}

#[tokio::test]
async fn mutes_blocks_and_muted_threads_silence_notifications() {
    let server = server();
    let api = server.api();
    let alice = api.register("alice").await;
    let bob = api.register("bob").await;
    let carol = api.register("carol").await;
    let dave = api.register("dave").await;
    let post = text_of(&api.post_status(&alice, "hello", "public").await, "id");

    // Muted with notifications: none from bob. Blocked: none from carol.
    api.post(&format!("/api/v1/accounts/{}/mute", bob.id))
        .auth(&alice)
        .json(json!({ "notifications": true }))
        .ok()
        .await;
    api.post(&format!("/api/v1/statuses/{post}/favourite"))
        .auth(&bob)
        .ok()
        .await;
    api.post(&format!("/api/v1/accounts/{}/block", carol.id))
        .auth(&alice)
        .ok()
        .await;
    api.post_status(&carol, &format!("@{} hey", alice.username), "public")
        .await;

    // A muted thread: replies in it do not notify; other mentions do.
    let thread = text_of(&api.post_status(&alice, "thread", "public").await, "id");
    api.post(&format!("/api/v1/statuses/{thread}/mute"))
        .auth(&alice)
        .ok()
        .await;
    api.reply(
        &dave,
        &thread,
        &format!("@{} in the thread", alice.username),
        "public",
    )
    .await;
    let elsewhere = text_of(
        &api.post_status(&dave, &format!("@{} elsewhere", alice.username), "public")
            .await,
        "id",
    );
    server.settle().await;

    let list = notifications(&api, &alice, "").await;
    let statuses: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["status"]["id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(statuses, [elsewhere.as_str()], "{list:#}");

    // Muting without notifications lets them through.
    api.post(&format!("/api/v1/accounts/{}/mute", bob.id))
        .auth(&alice)
        .json(json!({ "notifications": false }))
        .ok()
        .await;
    let list = notifications(&api, &alice, "").await;
    assert_eq!(of_kind(&list, "favourite").len(), 1, "{list:#}");
}

#[tokio::test]
async fn following_with_notify_announces_new_posts() {
    let server = server();
    let api = server.api();
    let alice = api.register("alice").await;
    let bob = api.register("bob").await;
    let relationship = api
        .post(&format!("/api/v1/accounts/{}/follow", alice.id))
        .auth(&bob)
        .json(json!({ "notify": true }))
        .ok()
        .await;
    assert_eq!(relationship["notifying"], true);
    let post = text_of(&api.post_status(&alice, "news", "public").await, "id");
    server.settle().await;
    let list = notifications(&api, &bob, "?types[]=status").await;
    assert_eq!(of_kind(&list, "status").len(), 1, "{list:#}");
    assert_eq!(list[0]["status"]["id"], post.as_str());
}
