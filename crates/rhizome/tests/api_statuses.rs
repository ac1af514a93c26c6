//! Statuses: posting options, visibility everywhere, threads, interactions, edits, deletes,
//! Akkoma's emoji reactions, and the bookmark and favourite lists.

mod support;

use serde_json::{Value, json};
use support::api::{
    Api, User, assert_account, assert_fields, assert_status, enc, ids, local, path_of, text_of,
};

async fn create(api: &Api, user: &User, body: Value) -> Value {
    let status = api
        .post("/api/v1/statuses")
        .auth(user)
        .json(body)
        .ok()
        .await;
    assert_status(&status, true);
    status
}

#[tokio::test]
async fn posting_options() {
    let api = local().await;
    let alice = api.register("alice").await;
    let bob = api.register("bob").await;

    let warned = create(
        &api,
        &alice,
        json!({ "status": "spoilers", "spoiler_text": "cw" }),
    )
    .await;
    assert_eq!(
        (&warned["spoiler_text"], &warned["sensitive"]),
        (&json!("cw"), &json!(true))
    );
    assert_eq!(warned["account"]["id"], alice.id.as_str());
    assert_eq!(
        warned["pinned"], false,
        "own public posts say whether pinned"
    );
    assert_eq!(warned["visibility"], "public", "public by default");

    // `sensitive` in every way clients send a boolean.
    for (body, expected) in [
        (json!({ "status": "a", "sensitive": true }), true),
        (json!({ "status": "b", "sensitive": "true" }), true),
        (json!({ "status": "c", "sensitive": "1" }), true),
        (json!({ "status": "d", "sensitive": "0" }), false),
        (json!({ "status": "e" }), false),
    ] {
        let status = create(&api, &alice, body.clone()).await;
        assert_eq!(status["sensitive"], expected, "{body}");
    }
    let from_form = api
        .post("/api/v1/statuses")
        .auth(&alice)
        .form(&[
            ("status", "form"),
            ("sensitive", "1"),
            ("visibility", "unlisted"),
        ])
        .ok()
        .await;
    assert_eq!(
        (&from_form["sensitive"], &from_form["visibility"]),
        (&json!(true), &json!("unlisted"))
    );

    for visibility in ["public", "unlisted", "private", "direct", "local"] {
        let status = create(
            &api,
            &alice,
            json!({ "status": format!("@{} {visibility}", bob.username), "visibility": visibility }),
        )
        .await;
        assert_eq!(status["visibility"], visibility);
    }

    let french = create(
        &api,
        &alice,
        json!({ "status": "bonjour", "language": "fr" }),
    )
    .await;
    assert_eq!(french["language"], "fr");
    let markdown = create(
        &api,
        &alice,
        json!({ "status": "**bold**", "content_type": "text/markdown" }),
    )
    .await;
    assert!(
        markdown["content"]
            .as_str()
            .unwrap()
            .contains("<strong>bold</strong>"),
        "{markdown:#}"
    );
    let plain = create(&api, &alice, json!({ "status": "**bold**" })).await;
    assert!(
        !plain["content"].as_str().unwrap().contains("<strong>"),
        "{plain:#}"
    );

    // Mentions and tags.
    let mentioning = create(
        &api,
        &alice,
        json!({ "status": format!("hi @{} #Rust", bob.username) }),
    )
    .await;
    assert_eq!(mentioning["mentions"][0]["id"], bob.id.as_str());
    assert_eq!(mentioning["mentions"][0]["acct"], bob.username.as_str());
    assert_eq!(
        mentioning["tags"],
        json!([{ "name": "rust", "url": format!("{}/tags/rust", api.base) }])
    );
    assert!(
        mentioning["content"]
            .as_str()
            .unwrap()
            .contains(&format!("{}/@{}", api.base, bob.username)),
        "the mention links to the profile: {mentioning:#}"
    );

    // Replies.
    let parent = create(&api, &bob, json!({ "status": "question" })).await;
    let answer = create(
        &api,
        &alice,
        json!({ "status": "answer", "in_reply_to_id": parent["id"] }),
    )
    .await;
    assert_eq!(answer["in_reply_to_id"], parent["id"]);
    assert_eq!(answer["in_reply_to_account_id"], bob.id.as_str());
    let parent = api
        .get(&format!("/api/v1/statuses/{}", text_of(&parent, "id")))
        .ok()
        .await;
    assert_eq!(parent["replies_count"], 1);

    // The same Idempotency-Key gives the same status back.
    let keyed = |text: &'static str, key: &'static str| {
        let api = &api;
        let alice = &alice;
        async move {
            api.post("/api/v1/statuses")
                .auth(alice)
                .header("idempotency-key", key)
                .json(json!({ "status": text }))
                .ok()
                .await
        }
    };
    let first = keyed("once", "key-1").await;
    let again = keyed("once", "key-1").await;
    let other = keyed("once", "key-2").await;
    assert_eq!(first["id"], again["id"]);
    assert_ne!(first["id"], other["id"]);
    let bobs = api
        .post("/api/v1/statuses")
        .auth(&bob)
        .header("idempotency-key", "key-1")
        .json(json!({ "status": "once" }))
        .ok()
        .await;
    assert_ne!(bobs["id"], first["id"], "keys are per user");
    assert_eq!(bobs["account"]["id"], bob.id.as_str());

    // Text is escaped, never markup.
    let script = create(
        &api,
        &alice,
        json!({ "status": "<script>alert(1)</script>" }),
    )
    .await;
    let content = script["content"].as_str().unwrap();
    assert!(
        !content.contains("<script") && content.contains("&lt;script&gt;"),
        "{content}"
    );

    // Refusals.
    for (body, status, why) in [
        (json!({ "status": "" }), 422, "blank"),
        (json!({ "status": "   " }), 422, "only spaces"),
        (json!({ "status": "x".repeat(5001) }), 422, "too long"),
        (
            json!({ "status": "x", "visibility": "secret" }),
            422,
            "an unknown visibility",
        ),
        (
            json!({ "status": "x", "content_type": "text/bbcode" }),
            422,
            "an unknown content type",
        ),
        (
            json!({ "status": "x", "in_reply_to_id": "1" }),
            404,
            "a reply to nothing",
        ),
    ] {
        let reply = api
            .post("/api/v1/statuses")
            .auth(&alice)
            .json(body)
            .send()
            .await;
        assert_eq!(reply.status.as_u16(), status, "{why}: {}", reply.text());
        assert!(reply.json()["error"].is_string(), "{why}: {}", reply.text());
    }
}

/// Whether `viewer` (or nobody) gets `200` for `path`; anything else must be a 404.
async fn visible(api: &Api, path: &str, viewer: Option<&User>) -> bool {
    let mut request = api.get(path);
    if let Some(viewer) = viewer {
        request = request.auth(viewer);
    }
    let reply = request.send().await;
    match reply.status.as_u16() {
        200 => true,
        404 => {
            assert_eq!(reply.json()["error"], "Record not found", "GET {path}");
            false
        }
        other => panic!("GET {path}: {other} {}", reply.text()),
    }
}

#[tokio::test]
async fn visibility_is_enforced_everywhere() {
    let api = local().await;
    let alice = api.register("alice").await;
    let bob = api.register("bob").await; // a follower
    let carol = api.register("carol").await; // mentioned
    let dave = api.register("dave").await; // a stranger
    api.follow(&bob, &alice).await;
    let id = |v: Value| text_of(&v, "id");
    let private = id(api.post_status(&alice, "for followers", "private").await);
    let direct = id(api
        .post_status(&alice, &format!("@{} secret", carol.username), "direct")
        .await);
    let public = id(api.post_status(&alice, "for all", "public").await);
    let unlisted = id(api.post_status(&alice, "quiet", "unlisted").await);

    for suffix in [
        "",
        "/context",
        "/favourited_by",
        "/reblogged_by",
        "/history",
    ] {
        let path = format!("/api/v1/statuses/{private}{suffix}");
        assert!(!visible(&api, &path, None).await, "anonymous: {path}");
        assert!(!visible(&api, &path, Some(&dave)).await, "stranger: {path}");
        assert!(
            !visible(&api, &path, Some(&carol)).await,
            "not mentioned: {path}"
        );
        assert!(visible(&api, &path, Some(&bob)).await, "follower: {path}");
        assert!(visible(&api, &path, Some(&alice)).await, "author: {path}");

        let path = format!("/api/v1/statuses/{direct}{suffix}");
        assert!(!visible(&api, &path, None).await, "anonymous: {path}");
        assert!(!visible(&api, &path, Some(&bob)).await, "follower: {path}");
        assert!(
            visible(&api, &path, Some(&carol)).await,
            "mentioned: {path}"
        );
        assert!(visible(&api, &path, Some(&alice)).await, "author: {path}");
    }
    let source = format!("/api/v1/statuses/{private}/source");
    api.get(&source).send().await.error(401);
    assert!(
        !visible(&api, &source, Some(&dave)).await,
        "stranger: {source}"
    );
    assert!(
        visible(&api, &source, Some(&bob)).await,
        "follower: {source}"
    );
    let reactions = format!("/api/v1/pleroma/statuses/{private}/reactions");
    assert!(!visible(&api, &reactions, None).await);
    assert!(visible(&api, &reactions, Some(&bob)).await);
    assert!(visible(&api, &format!("/api/v1/statuses/{unlisted}"), None).await);

    // Acting on what one cannot see is acting on nothing.
    for action in ["favourite", "bookmark", "reblog", "mute"] {
        api.post(&format!("/api/v1/statuses/{private}/{action}"))
            .auth(&dave)
            .send()
            .await
            .error(404);
    }
    api.put(&format!(
        "/api/v1/pleroma/statuses/{private}/reactions/{}",
        enc("👍")
    ))
    .auth(&dave)
    .send()
    .await
    .error(404);
    api.post("/api/v1/statuses")
        .auth(&dave)
        .json(json!({ "status": "sneaky", "in_reply_to_id": private }))
        .send()
        .await
        .error(404);
    // Followers may favourite, not boost, a followers-only post.
    api.post(&format!("/api/v1/statuses/{private}/favourite"))
        .auth(&bob)
        .ok()
        .await;
    api.post(&format!("/api/v1/statuses/{private}/reblog"))
        .auth(&bob)
        .send()
        .await
        .error(403);

    // Several at once: the invisible are left out, the order kept.
    let many = format!("/api/v1/statuses?id[]={private}&id[]={public}&id[]={direct}&id[]=1");
    assert_eq!(ids(&api.get(&many).ok().await), [public.as_str()]);
    assert_eq!(
        ids(&api.get(&many).auth(&bob).ok().await),
        [private.clone(), public.clone()]
    );
    assert_eq!(
        ids(&api.get(&many).auth(&carol).ok().await),
        [public.clone(), direct.clone()]
    );
    let seen = api.get(&many).auth(&alice).ok().await;
    for status in seen.as_array().unwrap() {
        assert_status(status, true);
    }
    assert_eq!(seen.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn threads_show_what_each_viewer_may_see() {
    let api = local().await;
    let alice = api.register("alice").await;
    let bob = api.register("bob").await;
    let eve = api.register("eve").await; // follows bob
    let dave = api.register("dave").await; // a stranger
    api.follow(&eve, &bob).await;
    let id = |v: Value| text_of(&v, "id");
    let root = id(api.post_status(&alice, "root", "public").await);
    let hidden = id(api.reply(&bob, &root, "followers only", "private").await);
    let leaf = id(api.reply(&eve, &hidden, "leaf", "public").await);
    let side = id(api.reply(&dave, &root, "side", "public").await);

    let context = |status: String, viewer: Option<User>| {
        let api = &api;
        async move {
            let mut request = api.get(&format!("/api/v1/statuses/{status}/context"));
            if let Some(viewer) = &viewer {
                request = request.auth(viewer);
            }
            let context = request.ok().await;
            for status in context["ancestors"]
                .as_array()
                .unwrap()
                .iter()
                .chain(context["descendants"].as_array().unwrap())
            {
                assert_status(status, viewer.is_some());
            }
            (ids(&context["ancestors"]), ids(&context["descendants"]))
        }
    };
    let (ancestors, descendants) = context(root.clone(), Some(eve.clone())).await;
    assert!(ancestors.is_empty());
    assert_eq!(descendants, [hidden.clone(), leaf.clone(), side.clone()]);
    let (ancestors, _) = context(leaf.clone(), Some(eve.clone())).await;
    assert_eq!(ancestors, [root.clone(), hidden.clone()], "oldest first");

    for viewer in [None, Some(dave.clone())] {
        let (_, descendants) = context(root.clone(), viewer.clone()).await;
        assert!(
            !descendants.contains(&hidden),
            "{viewer:?} must not see the followers-only reply: {descendants:?}"
        );
        assert!(descendants.contains(&side));
        // The hidden middle of the chain does not hide the root above it.
        let (ancestors, _) = context(leaf.clone(), viewer.clone()).await;
        assert_eq!(ancestors, std::slice::from_ref(&root), "{viewer:?}");
    }
    assert!(
        !visible(
            &api,
            &format!("/api/v1/statuses/{hidden}/context"),
            Some(&dave)
        )
        .await
    );
}

#[tokio::test]
async fn favourites_boosts_bookmarks_pins_and_thread_mutes() {
    let api = local().await;
    let alice = api.register("alice").await;
    let bob = api.register("bob").await;
    let post = text_of(&api.post_status(&alice, "like me", "public").await, "id");
    let act = |action: &'static str, user: User| {
        let api = &api;
        let path = format!("/api/v1/statuses/{post}/{action}");
        async move {
            let status = api.post(&path).auth(&user).ok().await;
            assert_status(&status, true);
            status
        }
    };

    let liked = act("favourite", bob.clone()).await;
    assert_eq!(
        (&liked["favourited"], &liked["favourites_count"]),
        (&json!(true), &json!(1))
    );
    let twice = act("favourite", bob.clone()).await;
    assert_eq!(twice["favourites_count"], 1, "favouriting is idempotent");
    let fans = api
        .get(&format!("/api/v1/statuses/{post}/favourited_by"))
        .ok()
        .await;
    assert_eq!(ids(&fans), [bob.id.as_str()]);
    assert_account(&fans[0]);
    let unliked = act("unfavourite", bob.clone()).await;
    assert_eq!(
        (&unliked["favourited"], &unliked["favourites_count"]),
        (&json!(false), &json!(0))
    );

    let boost = act("reblog", bob.clone()).await;
    assert_ne!(
        boost["id"].as_str(),
        Some(post.as_str()),
        "the boost is a status of its own"
    );
    assert_eq!(boost["reblog"]["id"], post.as_str());
    assert_eq!(boost["account"]["id"], bob.id.as_str());
    assert_eq!(boost["reblog"]["reblogged"], true);
    assert_eq!(boost["reblog"]["reblogs_count"], 1);
    let again = act("reblog", bob.clone()).await;
    assert_eq!(
        again["id"], boost["id"],
        "boosting twice gives the same boost"
    );
    let boosters = api
        .get(&format!("/api/v1/statuses/{post}/reblogged_by"))
        .ok()
        .await;
    assert_eq!(ids(&boosters), [bob.id.as_str()]);
    let original = api
        .get(&format!("/api/v1/statuses/{}", text_of(&boost, "id")))
        .auth(&bob)
        .ok()
        .await;
    assert_eq!(
        original["reblog"]["id"],
        post.as_str(),
        "a boost reads as a boost"
    );
    let unboosted = act("unreblog", bob.clone()).await;
    assert_eq!(unboosted["id"], post.as_str());
    assert_eq!(
        (&unboosted["reblogged"], &unboosted["reblogs_count"]),
        (&json!(false), &json!(0))
    );

    let marked = act("bookmark", bob.clone()).await;
    assert_eq!(marked["bookmarked"], true);
    assert_eq!(
        ids(&api.get("/api/v1/bookmarks").auth(&bob).ok().await),
        [post.as_str()]
    );
    assert_eq!(act("unbookmark", bob.clone()).await["bookmarked"], false);
    assert_eq!(
        api.get("/api/v1/bookmarks").auth(&bob).ok().await,
        json!([])
    );

    let pinned = act("pin", alice.clone()).await;
    assert_eq!(pinned["pinned"], true);
    assert_eq!(act("unpin", alice.clone()).await["pinned"], false);
    api.post(&format!("/api/v1/statuses/{post}/pin"))
        .auth(&bob)
        .send()
        .await
        .error(422);
    let direct = text_of(&api.post_status(&alice, "to nobody", "direct").await, "id");
    api.post(&format!("/api/v1/statuses/{direct}/pin"))
        .auth(&alice)
        .send()
        .await
        .error(422);

    assert_eq!(act("mute", bob.clone()).await["muted"], true);
    assert_eq!(act("unmute", bob.clone()).await["muted"], false);
}

#[tokio::test]
async fn edits_history_source_and_deletion() {
    let api = local().await;
    let alice = api.register("alice").await;
    let bob = api.register("bob").await;
    let post = create(
        &api,
        &alice,
        json!({ "status": "first draft", "spoiler_text": "cw" }),
    )
    .await;
    let id = text_of(&post, "id");
    assert_eq!(post["edited_at"], Value::Null);

    let edited = api
        .put(&format!("/api/v1/statuses/{id}"))
        .auth(&alice)
        .form(&[
            ("status", "second draft"),
            ("spoiler_text", ""),
            ("language", "en"),
        ])
        .ok()
        .await;
    assert_status(&edited, true);
    assert_eq!(edited["id"], id.as_str());
    assert!(edited["edited_at"].is_string(), "{edited:#}");
    assert!(edited["content"].as_str().unwrap().contains("second draft"));
    assert_eq!(
        (&edited["spoiler_text"], &edited["sensitive"]),
        (&json!(""), &json!(false))
    );
    api.put(&format!("/api/v1/statuses/{id}"))
        .auth(&bob)
        .json(json!({ "status": "hijack" }))
        .send()
        .await
        .error(404);
    api.put(&format!("/api/v1/statuses/{id}"))
        .auth(&alice)
        .json(json!({ "status": "" }))
        .send()
        .await
        .error(422);

    let history = api
        .get(&format!("/api/v1/statuses/{id}/history"))
        .ok()
        .await;
    let versions = history.as_array().unwrap();
    assert_eq!(versions.len(), 2, "{history:#}");
    for version in versions {
        assert_fields(
            version,
            "StatusEdit",
            &[
                ("content", "string"),
                ("spoiler_text", "string"),
                ("sensitive", "bool"),
                ("created_at", "datetime"),
                ("account", "object"),
                ("media_attachments", "array"),
                ("emojis", "array"),
            ],
        );
        assert_account(&version["account"]);
    }
    assert!(
        versions[0]["content"]
            .as_str()
            .unwrap()
            .contains("first draft")
    );
    assert_eq!(versions[0]["spoiler_text"], "cw");
    assert!(
        versions[1]["content"]
            .as_str()
            .unwrap()
            .contains("second draft")
    );

    let source = api
        .get(&format!("/api/v1/statuses/{id}/source"))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(
        source,
        json!({ "id": id, "text": "second draft", "spoiler_text": "" })
    );

    api.delete(&format!("/api/v1/statuses/{id}"))
        .auth(&bob)
        .send()
        .await
        .error(404);
    let deleted = api
        .delete(&format!("/api/v1/statuses/{id}"))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(deleted["id"], id.as_str());
    assert_eq!(
        deleted["text"], "second draft",
        "the source, for redrafting"
    );
    assert!(deleted.get("content").is_none(), "{deleted:#}");
    assert_account(&deleted["account"]);
    api.get(&format!("/api/v1/statuses/{id}"))
        .send()
        .await
        .error(404);
    api.delete(&format!("/api/v1/statuses/{id}"))
        .auth(&alice)
        .send()
        .await
        .error(404);
}

#[tokio::test]
async fn emoji_reactions() {
    let api = local().await;
    let alice = api.register("alice").await;
    let bob = api.register("bob").await;
    let carol = api.register("carol").await;
    let post = text_of(&api.post_status(&alice, "react", "public").await, "id");
    let thumbs = enc("👍");
    let path = format!("/api/v1/pleroma/statuses/{post}/reactions/{thumbs}");

    let reacted = api.put(&path).auth(&bob).ok().await;
    assert_status(&reacted, true);
    assert_eq!(
        reacted["pleroma"]["emoji_reactions"],
        json!([{ "name": "👍", "count": 1, "me": true, "url": null, "account_ids": [bob.id] }])
    );
    api.put(&path).auth(&carol).ok().await;
    api.put(&path).auth(&carol).ok().await;

    let listed = api
        .get(&format!("/api/v1/pleroma/statuses/{post}/reactions"))
        .ok()
        .await;
    let reactions = listed.as_array().unwrap();
    assert_eq!(reactions.len(), 1, "{listed:#}");
    assert_eq!(
        (
            &reactions[0]["name"],
            &reactions[0]["count"],
            &reactions[0]["me"]
        ),
        (&json!("👍"), &json!(2), &json!(false))
    );
    let accounts = reactions[0]["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 2);
    for account in accounts {
        assert_account(account);
    }

    let notifications = api
        .get("/api/v1/notifications?types[]=pleroma:emoji_reaction")
        .auth(&alice)
        .ok()
        .await;
    let notifications = notifications.as_array().unwrap();
    assert_eq!(notifications.len(), 2, "one per account");
    assert_eq!(notifications[0]["emoji"], "👍");
    support::api::assert_notification(&notifications[0]);

    let undone = api.delete(&path).auth(&bob).ok().await;
    assert_eq!(undone["pleroma"]["emoji_reactions"][0]["count"], 1);
    assert_eq!(undone["pleroma"]["emoji_reactions"][0]["me"], false);
    api.put(&format!("/api/v1/pleroma/statuses/{post}/reactions/abc"))
        .auth(&bob)
        .send()
        .await
        .error(422);
}

#[tokio::test]
async fn bookmarks_and_favourites_page_by_when_they_were_made() {
    let api = local().await;
    let alice = api.register("alice").await;
    let bob = api.register("bob").await;
    let mut posts = Vec::new();
    for n in 0..3 {
        posts.push(text_of(
            &api.post_status(&alice, &format!("post {n}"), "public")
                .await,
            "id",
        ));
    }
    // Marked oldest post last: lists follow the marks, not the posts.
    for list in ["favourites", "bookmarks"] {
        let action = &list[..list.len() - 1];
        for post in [&posts[1], &posts[2], &posts[0]] {
            api.post(&format!("/api/v1/statuses/{post}/{action}"))
                .auth(&bob)
                .ok()
                .await;
        }
        let first = api
            .get(&format!("/api/v1/{list}?limit=2"))
            .auth(&bob)
            .send()
            .await
            .expect(200);
        assert_eq!(
            ids(&first.json()),
            [posts[0].clone(), posts[2].clone()],
            "{list}"
        );
        for status in first.json().as_array().unwrap() {
            assert_status(status, true);
        }
        let next = first.link("next");
        assert!(
            next.starts_with(&format!("{}/api/v1/{list}?limit=2&max_id=", api.base)),
            "{next}"
        );
        let rest = api.get(&path_of(&api, &next)).auth(&bob).ok().await;
        assert_eq!(ids(&rest), [posts[1].as_str()], "{list}");
        let default = api.get(&format!("/api/v1/{list}")).auth(&bob).ok().await;
        assert_eq!(default.as_array().unwrap().len(), 3);
        assert_eq!(
            api.get(&format!("/api/v1/{list}")).auth(&alice).ok().await,
            json!([]),
            "lists are per user"
        );
    }
}

/// A `multipart/form-data` body of text fields (what browsers and some apps send).
fn multipart(fields: &[(&str, &str)]) -> (String, String) {
    let boundary = "rhizome-test-boundary";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn multipart_forms_and_boost_visibility() {
    let api = local().await;
    let alice = api.register("alice").await;
    let bob = api.register("bob").await;
    let (content_type, body) = multipart(&[
        ("status", "from a browser"),
        ("visibility", "unlisted"),
        ("sensitive", "true"),
        ("spoiler_text", "cw"),
    ]);
    let request = api
        .post("/api/v1/statuses")
        .auth(&alice)
        .body(&content_type, body.into_bytes());
    let status = request.ok().await;
    assert_status(&status, true);
    assert_eq!(
        (
            &status["visibility"],
            &status["sensitive"],
            &status["spoiler_text"]
        ),
        (&json!("unlisted"), &json!(true), &json!("cw"))
    );

    let (content_type, body) = multipart(&[
        ("display_name", "Multi Part"),
        ("fields_attributes[0][name]", "Web"),
        ("fields_attributes[0][value]", "https://alice.example"),
    ]);
    let me = api
        .patch("/api/v1/accounts/update_credentials")
        .auth(&alice)
        .body(&content_type, body.into_bytes())
        .ok()
        .await;
    assert_eq!(me["display_name"], "Multi Part");
    assert_eq!(me["fields"][0]["name"], "Web");

    // A boost may be less public than the post.
    let post = text_of(&api.post_status(&alice, "boost me", "public").await, "id");
    let boost = api
        .post(&format!("/api/v1/statuses/{post}/reblog"))
        .auth(&bob)
        .json(json!({ "visibility": "unlisted" }))
        .ok()
        .await;
    assert_eq!(boost["visibility"], "unlisted");
}

#[tokio::test]
async fn the_author_lists_and_counts_the_quotes_of_their_post() {
    let api = local().await;
    let alice = api.register("alice").await;
    let bob = api.register("bob").await;
    let carol = api.register("carol").await;
    let dan = api.register("dan").await;
    let original = text_of(
        &create(&api, &alice, json!({ "status": "quotable" })).await,
        "id",
    );
    let mut quotes = Vec::new();
    for (user, text) in [(&bob, "so true"), (&carol, "indeed"), (&dan, "hm")] {
        let quote = create(
            &api,
            user,
            json!({ "status": text, "quoted_status_id": original }),
        )
        .await;
        assert_eq!(quote["quote"]["state"], "accepted", "{quote:#}");
        quotes.push(text_of(&quote, "id"));
    }
    // A post only its author may quote: others are refused, and nothing is counted.
    let closed = create(
        &api,
        &alice,
        json!({ "status": "mine", "quote_approval_policy": "nobody" }),
    )
    .await;
    api.post("/api/v1/statuses")
        .auth(&bob)
        .json(json!({ "status": "no", "quoted_status_id": text_of(&closed, "id") }))
        .send()
        .await
        .error(403);

    let seen = api
        .get(&format!("/api/v1/statuses/{original}"))
        .auth(&bob)
        .ok()
        .await;
    assert_eq!(seen["quotes_count"], 3);
    assert_eq!(seen["pleroma"]["quotes_count"], 3);
    let seen = api
        .get(&format!("/api/v1/statuses/{}", text_of(&closed, "id")))
        .ok()
        .await;
    assert_eq!(seen["quotes_count"], 0);

    // The author reads them newest first, a page at a time.
    let path = format!("/api/v1/statuses/{original}/quotes");
    let first = api
        .get(&format!("{path}?limit=2"))
        .auth(&alice)
        .send()
        .await;
    let next = first.link("next");
    let first = first.ok();
    assert_eq!(ids(&first), [quotes[2].clone(), quotes[1].clone()]);
    assert_eq!(first[0]["quote"]["quoted_status"]["id"], original.as_str());
    let rest = api.get(&path_of(&api, &next)).auth(&alice).ok().await;
    assert_eq!(ids(&rest), [quotes[0].clone()]);
    // Nobody else may list them, and a token needs to read statuses.
    for user in [&bob, &carol] {
        api.get(&path).auth(user).send().await.error(403);
    }
    api.get(&path).send().await.error(401);

    // Those the author mutes are left out; a revoked quote is neither listed nor counted.
    api.post(&format!("/api/v1/accounts/{}/mute", carol.id))
        .auth(&alice)
        .ok()
        .await;
    api.post(&format!("{path}/{}/revoke", quotes[0]))
        .auth(&alice)
        .ok()
        .await;
    let left = api.get(&path).auth(&alice).ok().await;
    assert_eq!(ids(&left), [quotes[2].clone()]);
    let seen = api
        .get(&format!("/api/v1/statuses/{original}"))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(seen["quotes_count"], 2);
}
