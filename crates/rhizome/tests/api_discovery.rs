//! Featured hashtags, endorsements, follow suggestions and announcements: entity shapes,
//! pagination, scopes and behaviour.

mod support;

use rhizome_core::announcements::NewAnnouncement;
use rhizome_model::Timestamp;
use serde_json::{Value, json};
use support::api::{Local, User, assert_account, assert_fields, ids, local, path_of, text_of};
use support::media::encoded;

const FEATURED_TAG: &[(&str, &str)] = &[
    ("id", "id"),
    ("name", "string"),
    ("url", "url"),
    ("statuses_count", "int"),
    ("last_status_at", "datetime?"),
];

const ANNOUNCEMENT: &[(&str, &str)] = &[
    ("id", "id"),
    ("content", "string"),
    ("starts_at", "datetime?"),
    ("ends_at", "datetime?"),
    ("all_day", "bool"),
    ("published_at", "datetime"),
    ("updated_at", "datetime"),
    ("read", "bool"),
    ("mentions", "array"),
    ("statuses", "array"),
    ("tags", "array"),
    ("emojis", "array"),
    ("reactions", "array"),
];

async fn tag_names(app: &Local, user: &User, path: &str) -> Vec<String> {
    let list = app.get(path).auth(user).ok().await;
    list.as_array()
        .unwrap()
        .iter()
        .map(|t| text_of(t, "name").to_lowercase())
        .collect()
}

#[tokio::test]
async fn featured_tags_are_suggested_featured_counted_and_limited() {
    let app = local().await;
    let ada = app.register("ada").await;
    let bea = app.register("bea").await;
    for (text, visibility) in [
        ("one #Rust", "public"),
        ("two #rust #cats", "unlisted"),
        ("three #rust", "private"),
        ("four #cats", "public"),
        ("five #dogs", "public"),
        ("six #rust", "public"),
    ] {
        app.post_status(&ada, text, visibility).await;
    }

    // Suggestions: her most used tags first, as Tag entities with their week of history.
    let suggested = app
        .get("/api/v1/featured_tags/suggestions")
        .auth(&ada)
        .ok()
        .await;
    for tag in suggested.as_array().unwrap() {
        assert_fields(
            tag,
            "Tag",
            &[("name", "string"), ("url", "url"), ("history", "array")],
        );
    }
    assert_eq!(
        tag_names(&app, &ada, "/api/v1/featured_tags/suggestions").await,
        ["rust", "cats", "dogs"]
    );

    // Featuring: followers-only posts are not counted.
    let rust = app
        .post("/api/v1/featured_tags")
        .auth(&ada)
        .json(json!({ "name": "#rust" }))
        .ok()
        .await;
    assert_fields(&rust, "FeaturedTag", FEATURED_TAG);
    assert_eq!(rust["statuses_count"], 3);
    assert!(
        text_of(&rust, "url").ends_with(&format!("/@{}/tagged/rust", ada.username)),
        "{rust}"
    );
    assert_eq!(
        tag_names(&app, &ada, "/api/v1/featured_tags/suggestions").await,
        ["cats", "dogs"]
    );
    let error = app
        .post("/api/v1/featured_tags")
        .auth(&ada)
        .form(&[("name", "Rust")])
        .send()
        .await
        .error(422);
    assert!(error.starts_with("Validation failed"), "{error}");
    for bad in ["", "1234", "no spaces", "#"] {
        app.post("/api/v1/featured_tags")
            .auth(&ada)
            .json(json!({ "name": bad }))
            .send()
            .await
            .error(422);
    }
    // A tag never used can be featured; ten at most.
    for i in 1..10 {
        let unused = app
            .post("/api/v1/featured_tags")
            .auth(&ada)
            .form(&[("name", &format!("topic{i}"))])
            .ok()
            .await;
        assert_eq!(
            (&unused["statuses_count"], &unused["last_status_at"]),
            (&json!(0), &Value::Null)
        );
    }
    let error = app
        .post("/api/v1/featured_tags")
        .auth(&ada)
        .form(&[("name", "eleventh")])
        .send()
        .await
        .error(422);
    assert!(error.contains("maximum"), "{error}");
    let mine = app.get("/api/v1/featured_tags").auth(&ada).ok().await;
    assert_eq!(mine.as_array().unwrap().len(), 10);
    assert_eq!(mine[0]["id"], rust["id"]);

    // Anyone sees them on the profile, without a token too.
    let path = format!("/api/v1/accounts/{}/featured_tags", ada.id);
    let public = app.get(&path).ok().await;
    assert_eq!(public, mine);
    assert_eq!(app.get(&path).auth(&bea).ok().await, mine);
    assert_eq!(
        app.get(&format!("/api/v1/accounts/{}/featured_tags", bea.id))
            .ok()
            .await,
        json!([])
    );
    app.get("/api/v1/accounts/12345/featured_tags")
        .send()
        .await
        .error(404);

    // Only the owner removes one.
    let rust_path = format!("/api/v1/featured_tags/{}", text_of(&rust, "id"));
    app.delete(&rust_path).auth(&bea).send().await.error(404);
    assert_eq!(app.delete(&rust_path).auth(&ada).ok().await, json!({}));
    app.delete(&rust_path).auth(&ada).send().await.error(404);
    app.delete("/api/v1/featured_tags/nope")
        .auth(&ada)
        .send()
        .await
        .error(404);
    assert_eq!(
        app.get("/api/v1/featured_tags")
            .auth(&ada)
            .ok()
            .await
            .as_array()
            .unwrap()
            .len(),
        9
    );

    // Scopes: read:accounts to read, write:accounts to change.
    let read_only = app.token(&ada, "read").await;
    let write_only = app.token(&ada, "write:accounts").await;
    app.get("/api/v1/featured_tags")
        .token(&read_only)
        .ok()
        .await;
    app.get("/api/v1/featured_tags")
        .token(&write_only)
        .send()
        .await
        .error(403);
    app.get("/api/v1/featured_tags/suggestions")
        .token(&write_only)
        .send()
        .await
        .error(403);
    app.post("/api/v1/featured_tags")
        .token(&read_only)
        .form(&[("name", "cats")])
        .send()
        .await
        .error(403);
    app.get("/api/v1/featured_tags").send().await.error(401);

    // Other servers see them too: the actor links Mastodon's `featuredTags` collection.
    let actor = app
        .get(&format!("/users/{}", ada.username))
        .header("accept", "application/activity+json")
        .ok()
        .await;
    let collection = text_of(&actor, "featuredTags");
    let tags = app
        .get(&path_of(&app, &collection))
        .header("accept", "application/activity+json")
        .ok()
        .await;
    assert_eq!(tags["id"], json!(collection));
    let items = tags["orderedItems"].as_array().expect("items inline");
    assert_eq!(items.len(), 9);
    assert_eq!(
        items[0],
        json!({ "type": "Hashtag", "href": format!("{}/tags/topic1", app.base), "name": "#topic1" })
    );
}

#[tokio::test]
async fn tags_are_featured_and_unfeatured_by_name() {
    let app = local().await;
    let ada = app.register("ada").await;
    let bea = app.register("bea").await;
    app.post_status(&ada, "about #Gardening", "public").await;

    let tag = app.get("/api/v1/tags/gardening").auth(&ada).ok().await;
    assert_eq!(tag["featuring"], json!(false));
    let featured = app
        .post("/api/v1/tags/Gardening/feature")
        .auth(&ada)
        .ok()
        .await;
    assert_eq!(featured["name"], json!("gardening"));
    assert_eq!(featured["featuring"], json!(true));
    assert_eq!(featured["following"], json!(false));
    // Twice is the same; the profile lists it once, with its count.
    app.post("/api/v1/tags/gardening/feature")
        .auth(&ada)
        .ok()
        .await;
    let mine = app.get("/api/v1/featured_tags").auth(&ada).ok().await;
    assert_eq!(
        tag_names(&app, &ada, "/api/v1/featured_tags").await,
        ["gardening"]
    );
    assert_eq!(mine[0]["statuses_count"], json!(1));
    // Featuring is one's own: Bea sees the tag unfeatured.
    let seen = app.get("/api/v1/tags/gardening").auth(&bea).ok().await;
    assert_eq!(seen["featuring"], json!(false));
    // A tag never used may be featured too (it is created).
    let new = app
        .post("/api/v1/tags/brandnew/feature")
        .auth(&ada)
        .ok()
        .await;
    assert_eq!(new["featuring"], json!(true));

    let unfeatured = app
        .post("/api/v1/tags/gardening/unfeature")
        .auth(&ada)
        .ok()
        .await;
    assert_eq!(unfeatured["featuring"], json!(false));
    assert_eq!(
        tag_names(&app, &ada, "/api/v1/featured_tags").await,
        ["brandnew"]
    );
    app.post("/api/v1/tags/not%20a%20tag/feature")
        .auth(&ada)
        .send()
        .await
        .error(422);
    let read_only = app.token(&ada, "read").await;
    app.post("/api/v1/tags/gardening/feature")
        .token(&read_only)
        .send()
        .await
        .error(403);
    app.post("/api/v1/tags/gardening/feature")
        .send()
        .await
        .error(401);
}

async fn relationship(app: &Local, viewer: &User, other: &User) -> Value {
    let found = app
        .get(&format!("/api/v1/accounts/relationships?id[]={}", other.id))
        .auth(viewer)
        .ok()
        .await;
    found[0].clone()
}

#[tokio::test]
async fn endorsements_are_of_followed_accounts_and_paginated() {
    let app = local().await;
    let ada = app.register("ada").await;
    let bob = app.register("bob").await;
    let cy = app.register("cy").await;
    let dee = app.register("dee").await;

    // Only an account one follows can be endorsed.
    let error = app
        .post(&format!("/api/v1/accounts/{}/pin", bob.id))
        .auth(&ada)
        .send()
        .await
        .error(422);
    assert!(error.contains("follow"), "{error}");
    app.post("/api/v1/accounts/424242/pin")
        .auth(&ada)
        .send()
        .await
        .error(404);
    assert_eq!(relationship(&app, &ada, &bob).await["endorsed"], false);

    for other in [&bob, &cy, &dee] {
        app.follow(&ada, other).await;
        let rel = app
            .post(&format!("/api/v1/accounts/{}/pin", other.id))
            .auth(&ada)
            .ok()
            .await;
        assert_eq!(
            (&rel["id"], &rel["endorsed"]),
            (&json!(other.id), &json!(true))
        );
    }
    assert_eq!(relationship(&app, &ada, &bob).await["endorsed"], true);
    assert_eq!(relationship(&app, &bob, &ada).await["endorsed"], false);

    // Newest first, two by two with Link headers.
    let first = app
        .get("/api/v1/endorsements?limit=2")
        .auth(&ada)
        .send()
        .await
        .expect(200);
    let page = first.json();
    for account in page.as_array().unwrap() {
        assert_account(account);
    }
    assert_eq!(ids(&page), [dee.id.clone(), cy.id.clone()]);
    let next = path_of(&app, &first.link("next"));
    let second = app.get(&next).auth(&ada).ok().await;
    assert_eq!(ids(&second), [bob.id.as_str()]);

    // Anyone can see whom she endorses (Mastodon 4.4).
    let public = app
        .get(&format!("/api/v1/accounts/{}/endorsements", ada.id))
        .ok()
        .await;
    assert_eq!(
        ids(&public),
        [dee.id.clone(), cy.id.clone(), bob.id.clone()]
    );

    // Unfollowing ends the endorsement; unpin and 4.4's unendorse take it back.
    app.post(&format!("/api/v1/accounts/{}/unfollow", cy.id))
        .auth(&ada)
        .ok()
        .await;
    let rel = app
        .post(&format!("/api/v1/accounts/{}/unpin", dee.id))
        .auth(&ada)
        .ok()
        .await;
    assert_eq!(rel["endorsed"], false);
    let own = app.get("/api/v1/endorsements").auth(&ada).ok().await;
    assert_eq!(ids(&own), [bob.id.as_str()]);
    app.post(&format!("/api/v1/accounts/{}/unendorse", bob.id))
        .auth(&ada)
        .ok()
        .await;
    let rel = app
        .post(&format!("/api/v1/accounts/{}/endorse", bob.id))
        .auth(&ada)
        .ok()
        .await;
    assert_eq!(rel["endorsed"], true);

    // Scopes.
    let read_only = app.token(&ada, "read").await;
    let write_only = app.token(&ada, "write:accounts").await;
    app.post(&format!("/api/v1/accounts/{}/pin", bob.id))
        .token(&read_only)
        .send()
        .await
        .error(403);
    app.get("/api/v1/endorsements")
        .token(&write_only)
        .send()
        .await
        .error(403);
    app.get("/api/v1/endorsements").send().await.error(401);
    app.post(&format!("/api/v1/accounts/{}/pin", bob.id))
        .token(&write_only)
        .ok()
        .await;
}

#[tokio::test]
async fn suggestions_rank_friends_of_friends_then_active_locals() {
    let app = local().await;
    let me = app.register("me").await;
    let friend1 = app.register("friend").await;
    let friend2 = app.register("friend").await;
    let popular = app.register("popular").await;
    let known = app.register("known").await;
    let active = app.register("active").await;
    let blocked = app.register("blocked").await;
    let muted = app.register("muted").await;
    let _silent = app.register("silent").await;
    for friend in [&friend1, &friend2] {
        app.follow(&me, friend).await;
        app.follow(friend, &popular).await;
    }
    app.follow(&friend1, &known).await;
    app.follow(&friend1, &me).await;
    // Active local accounts are those that posted lately; `silent` never did.
    for user in [&active, &blocked, &muted, &popular] {
        app.post_status(user, "hello", "public").await;
    }
    app.post(&format!("/api/v1/accounts/{}/block", blocked.id))
        .auth(&me)
        .ok()
        .await;
    app.post(&format!("/api/v1/accounts/{}/mute", muted.id))
        .auth(&me)
        .ok()
        .await;

    let v2 = app.get("/api/v2/suggestions").auth(&me).ok().await;
    let suggested: Vec<(String, String, Value)> = v2
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            assert_fields(
                s,
                "Suggestion",
                &[
                    ("source", "string"),
                    ("sources", "array"),
                    ("account", "object"),
                ],
            );
            assert_account(&s["account"]);
            (
                text_of(&s["account"], "id"),
                text_of(s, "source"),
                s["sources"].clone(),
            )
        })
        .collect();
    assert_eq!(
        suggested,
        [
            (
                popular.id.clone(),
                "past_interactions".to_owned(),
                json!(["friends_of_friends"])
            ),
            (
                known.id.clone(),
                "past_interactions".to_owned(),
                json!(["friends_of_friends"])
            ),
            (
                active.id.clone(),
                "global".to_owned(),
                json!(["most_followed"])
            ),
        ]
    );
    let v1 = app.get("/api/v1/suggestions").auth(&me).ok().await;
    for account in v1.as_array().unwrap() {
        assert_account(account);
    }
    assert_eq!(
        ids(&v1),
        [popular.id.clone(), known.id.clone(), active.id.clone()]
    );
    assert_eq!(
        ids(&app.get("/api/v1/suggestions?limit=1").auth(&me).ok().await),
        [popular.id.as_str()]
    );
    app.get("/api/v2/suggestions?limit=many")
        .auth(&me)
        .send()
        .await
        .error(400);

    // Dismissed (and followed) accounts are no longer suggested; unknown ids are fine.
    assert_eq!(
        app.delete(&format!("/api/v1/suggestions/{}", popular.id))
            .auth(&me)
            .ok()
            .await,
        json!({})
    );
    app.delete("/api/v1/suggestions/999999")
        .auth(&me)
        .ok()
        .await;
    app.follow(&me, &active).await;
    assert_eq!(
        ids(&app.get("/api/v1/suggestions").auth(&me).ok().await),
        [known.id.as_str()]
    );
    // Someone else's suggestions are their own.
    let for_active = app.get("/api/v1/suggestions").auth(&active).ok().await;
    assert!(ids(&for_active).contains(&popular.id));

    // Scopes: read:accounts to read, write:accounts to dismiss.
    let read_only = app.token(&me, "read:accounts").await;
    let write_only = app.token(&me, "write:accounts").await;
    app.get("/api/v2/suggestions").token(&read_only).ok().await;
    app.get("/api/v1/suggestions")
        .token(&write_only)
        .send()
        .await
        .error(403);
    app.delete(&format!("/api/v1/suggestions/{}", known.id))
        .token(&read_only)
        .send()
        .await
        .error(403);
    app.get("/api/v2/suggestions").send().await.error(401);
}

async fn add_emoji(app: &Local, shortcode: &str) {
    let png = encoded(
        &image::DynamicImage::new_rgba8(16, 16),
        image::ImageFormat::Png,
    );
    app.core
        .add_custom_emoji(shortcode, png, None)
        .await
        .expect("custom emoji");
}

#[tokio::test]
async fn announcements_are_shown_dismissed_and_reacted_to() {
    let app = local().await;
    let ada = app.register("ada").await;
    let bob = app.register("bob").await;
    add_emoji(&app, "blobcat").await;
    let now = app.core.clock.now().0;
    let older = app
        .core
        .create_announcement(NewAnnouncement {
            text: "Maintenance tonight".into(),
            starts_at: Some(Timestamp(now + 3_600_000)),
            ends_at: Some(Timestamp(now + 7_200_000)),
            all_day: false,
        })
        .await
        .unwrap();
    let news = app
        .core
        .create_announcement(NewAnnouncement {
            text: format!("Welcome @{} to #News :blobcat: <b>", ada.username),
            ..Default::default()
        })
        .await
        .unwrap();
    // An announcement that has ended is not shown.
    let ended = app
        .core
        .create_announcement(NewAnnouncement {
            text: "Over".into(),
            starts_at: Some(Timestamp(now - 7_200_000)),
            ends_at: Some(Timestamp(now - 3_600_000)),
            all_day: true,
        })
        .await
        .unwrap();

    let list = app.get("/api/v1/announcements").auth(&ada).ok().await;
    let shown: Vec<String> = ids(&list);
    assert_eq!(shown, [news.id.to_string(), older.id.to_string()]);
    for entity in list.as_array().unwrap() {
        assert_fields(entity, "Announcement", ANNOUNCEMENT);
    }
    let first = &list[0];
    let content = text_of(first, "content");
    assert!(content.starts_with("<p>Welcome "), "{content}");
    assert!(content.contains("&lt;b&gt;"), "escaped: {content}");
    assert!(content.contains("/tags/News"), "{content}");
    assert_eq!(first["mentions"][0]["id"], json!(ada.id));
    assert_eq!(first["mentions"][0]["acct"], json!(ada.username));
    assert_eq!(first["tags"][0]["name"], "news");
    assert_eq!(first["emojis"][0]["shortcode"], "blobcat");
    assert_eq!(first["read"], false);
    assert!(list[1]["starts_at"].is_string() && list[1]["ends_at"].is_string());

    // Dismissing is per user; `with_dismissed` brings it back, marked read.
    let news_path = format!("/api/v1/announcements/{}", news.id);
    assert_eq!(
        app.post(&format!("{news_path}/dismiss"))
            .auth(&ada)
            .ok()
            .await,
        json!({})
    );
    assert_eq!(
        ids(&app.get("/api/v1/announcements").auth(&ada).ok().await),
        [older.id.to_string()]
    );
    let with = app
        .get("/api/v1/announcements?with_dismissed=true")
        .auth(&ada)
        .ok()
        .await;
    assert_eq!(
        (with[0]["id"].clone(), with[0]["read"].clone()),
        (json!(news.id.to_string()), json!(true))
    );
    assert_eq!(
        ids(&app.get("/api/v1/announcements").auth(&bob).ok().await).len(),
        2
    );
    for path in [
        "/api/v1/announcements/4242/dismiss".to_owned(),
        format!("/api/v1/announcements/{}/dismiss", ended.id),
    ] {
        app.post(&path).auth(&ada).send().await.error(404);
    }

    // Reactions: Unicode emoji and our custom ones, counted, with the viewer's own marked.
    for (user, name) in [(&ada, "🍵"), (&bob, "🍵"), (&bob, "blobcat"), (&bob, "🍵")] {
        assert_eq!(
            app.put(&format!(
                "{news_path}/reactions/{}",
                support::api::enc(name)
            ))
            .auth(user)
            .ok()
            .await,
            json!({})
        );
    }
    for bad in ["tea", "nosuchemoji", "é"] {
        let error = app
            .put(&format!("{news_path}/reactions/{bad}"))
            .auth(&ada)
            .send()
            .await
            .error(422);
        assert!(error.contains("emoji"), "{error}");
    }
    app.put("/api/v1/announcements/4242/reactions/blobcat")
        .auth(&ada)
        .send()
        .await
        .error(404);
    let seen_by = |user: &User| {
        let app = &app;
        let user = user.clone();
        async move {
            let list = app
                .get("/api/v1/announcements?with_dismissed=true")
                .auth(&user)
                .ok()
                .await;
            list[0]["reactions"].clone()
        }
    };
    let for_ada = seen_by(&ada).await;
    assert_eq!(for_ada[0], json!({ "name": "🍵", "count": 2, "me": true }));
    assert_fields(
        &for_ada[1],
        "Reaction",
        &[
            ("name", "string"),
            ("count", "int"),
            ("me", "bool"),
            ("url", "url"),
            ("static_url", "url"),
        ],
    );
    assert_eq!(
        (&for_ada[1]["name"], &for_ada[1]["count"], &for_ada[1]["me"]),
        (&json!("blobcat"), &json!(1), &json!(false))
    );
    assert_eq!(seen_by(&bob).await[1]["me"], true);
    app.delete(&format!(
        "{news_path}/reactions/{}",
        support::api::enc("🍵")
    ))
    .auth(&ada)
    .ok()
    .await;
    assert_eq!(
        seen_by(&ada).await[0],
        json!({ "name": "🍵", "count": 1, "me": false })
    );

    // Scopes: any reading scope to list, write:accounts to dismiss, write:favourites to react.
    let statuses_only = app.token(&ada, "read:statuses").await;
    let write_accounts = app.token(&ada, "write:accounts").await;
    let write_favourites = app.token(&ada, "write:favourites").await;
    app.get("/api/v1/announcements")
        .token(&statuses_only)
        .ok()
        .await;
    app.get("/api/v1/announcements")
        .token(&write_accounts)
        .send()
        .await
        .error(403);
    app.post(&format!("/api/v1/announcements/{}/dismiss", older.id))
        .token(&write_favourites)
        .send()
        .await
        .error(403);
    app.post(&format!("/api/v1/announcements/{}/dismiss", older.id))
        .token(&write_accounts)
        .ok()
        .await;
    app.put(&format!("{news_path}/reactions/blobcat"))
        .token(&write_accounts)
        .send()
        .await
        .error(403);
    app.put(&format!("{news_path}/reactions/blobcat"))
        .token(&write_favourites)
        .ok()
        .await;
    app.get("/api/v1/announcements").send().await.error(401);
}

#[tokio::test]
async fn admins_manage_announcements_from_the_cli() {
    let app = local().await;
    let ada = app.register("ada").await;
    let data = tempfile::tempdir().unwrap();
    let setup = support::Setup::new(app.database_url(), data.path());
    let created: Value = serde_json::from_str(&setup.ok(
        &[
            "admin",
            "--json",
            "announcement",
            "create",
            "Party on #Friday",
            "--starts-at",
            "2099-01-01",
            "--ends-at",
            "2099-01-02T06:00:00+02:00",
            "--all-day",
        ],
        "",
    ))
    .unwrap();
    assert_eq!(created["ends_at"], "2099-01-02T04:00:00.000Z");
    let id = text_of(&created, "id");
    let shown = app.get("/api/v1/announcements").auth(&ada).ok().await;
    assert_eq!(ids(&shown), [id.as_str()]);
    assert_eq!(
        (&shown[0]["all_day"], &shown[0]["starts_at"]),
        (&json!(true), &json!("2099-01-01T00:00:00.000Z"))
    );
    let listed = setup.ok(&["admin", "announcement", "list"], "");
    assert!(
        listed.contains(&id) && listed.contains("Party on #Friday"),
        "{listed}"
    );
    setup.fails(
        &["admin", "announcement", "create", "x", "--ends-at", "soon"],
        "",
    );
    setup.fails(&["admin", "announcement", "create", "   "], "");

    // An edit changes what is given, moves `updated_at` and keeps `published_at`.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let edited: Value = serde_json::from_str(&setup.ok(
        &[
            "admin",
            "--json",
            "announcement",
            "edit",
            &id,
            "--text",
            "Party on #Saturday",
            "--all-day",
            "false",
        ],
        "",
    ))
    .unwrap();
    assert_eq!(edited["published_at"], created["published_at"]);
    assert_eq!(edited["starts_at"], created["starts_at"]);
    let shown = app.get("/api/v1/announcements").auth(&ada).ok().await;
    let announcement = &shown[0];
    assert!(
        text_of(announcement, "content").contains("Saturday"),
        "{announcement}"
    );
    assert_eq!(announcement["tags"][0]["name"], "saturday");
    assert_eq!(announcement["all_day"], json!(false));
    assert_eq!(announcement["starts_at"], json!("2099-01-01T00:00:00.000Z"));
    assert_eq!(announcement["published_at"], created["published_at"]);
    assert!(
        text_of(announcement, "updated_at") > text_of(announcement, "published_at"),
        "{announcement}"
    );
    let undated: Value = serde_json::from_str(&setup.ok(
        &["admin", "--json", "announcement", "edit", &id, "--no-dates"],
        "",
    ))
    .unwrap();
    assert_eq!(
        (&undated["starts_at"], &undated["ends_at"]),
        (&Value::Null, &Value::Null)
    );
    setup.fails(&["admin", "announcement", "edit", &id, "--text", " "], "");
    setup.fails(
        &[
            "admin",
            "announcement",
            "edit",
            &id,
            "--ends-at",
            "2000-01-01",
            "--starts-at",
            "2001-01-01",
        ],
        "",
    );
    setup.fails(
        &["admin", "announcement", "edit", "12345", "--text", "x"],
        "",
    );
    setup.ok(&["admin", "announcement", "remove", &id], "");
    setup.fails(&["admin", "announcement", "remove", &id], "");
    assert_eq!(
        app.get("/api/v1/announcements").auth(&ada).ok().await,
        json!([])
    );
}

#[tokio::test]
async fn announcements_stream_to_every_user() {
    let server = support::api::start_server(&[]);
    let api = server.api();
    let ada = api.register("ada").await;
    let mut socket = support::api::ws_connect(
        &server.server.base(),
        "/api/v1/streaming?stream=user",
        &[("authorization", &format!("Bearer {}", ada.token))],
    )
    .await
    .expect("user stream");
    let event = |name: &'static str| move |m: &Value| m["event"] == name;

    // Made from the CLI, another process: the server's worker tells the streams.
    let created: Value = serde_json::from_str(&server.setup.ok(
        &["admin", "--json", "announcement", "create", "Streamed news"],
        "",
    ))
    .unwrap();
    let id = text_of(&created, "id");
    let message = support::api::ws_next(&mut socket, "announcement", event("announcement")).await;
    let shown = support::api::payload(&message);
    assert_fields(&shown, "Announcement", ANNOUNCEMENT);
    assert_eq!(shown["id"], json!(id));

    api.put(&format!(
        "/api/v1/announcements/{id}/reactions/{}",
        support::api::enc("🍵")
    ))
    .auth(&ada)
    .ok()
    .await;
    let message = support::api::ws_next(
        &mut socket,
        "announcement.reaction",
        event("announcement.reaction"),
    )
    .await;
    assert_eq!(
        support::api::payload(&message),
        json!({ "name": "🍵", "count": 1, "announcement_id": id })
    );

    server
        .setup
        .ok(&["admin", "announcement", "remove", &id], "");
    let message = support::api::ws_next(
        &mut socket,
        "announcement.delete",
        event("announcement.delete"),
    )
    .await;
    assert_eq!(message["payload"], json!(id));
}

#[tokio::test]
async fn announcements_list_the_local_posts_they_link() {
    let app = local().await;
    let ada = app.register("ada").await;
    let public = app.post_status(&ada, "read this first", "public").await;
    let unlisted = app.post_status(&ada, "and this", "unlisted").await;
    let private = app.post_status(&ada, "not this", "private").await;
    let base = app.core.urls.base().to_owned();
    let page = |status: &Value| format!("{base}/notice/{}", text_of(status, "id"));
    let announcement = app
        .core
        .create_announcement(NewAnnouncement {
            text: format!(
                "See {} and {} (again: {}), not {} nor https://elsewhere.example/notice/1",
                page(&public),
                text_of(&unlisted, "uri"),
                page(&unlisted),
                page(&private),
            ),
            ..Default::default()
        })
        .await
        .unwrap();
    let list = app.get("/api/v1/announcements").auth(&ada).ok().await;
    let shown = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == json!(announcement.id.to_string()))
        .unwrap();
    assert_eq!(
        shown["statuses"],
        json!([
            { "id": text_of(&public, "id"), "url": page(&public) },
            { "id": text_of(&unlisted, "id"), "url": page(&unlisted) },
        ]),
        "{shown:#}"
    );
}
