//! Accounts: sign-up in every registration mode, profiles, lookups, an account's statuses,
//! follows (and requests), blocks, mutes, domain blocks, relationships, search and counts.

mod support;

use std::collections::BTreeSet;

use serde_json::{Value, json};
use support::api::{
    Api, Local, PASSWORD, User, assert_account, assert_credential_account, assert_relationship,
    assert_status, eventually, ids, local, local_with, path_of, text_of, today,
};

fn sign_up(username: &str) -> Value {
    json!({
        "username": username,
        "email": format!("{username}@example.org"),
        "password": PASSWORD,
        "agreement": true,
        "locale": "en",
    })
}

async fn set_mode(app: &Local, mode: &str) {
    app.core
        .change_setting("registrations.mode", json!(mode))
        .await
        .expect("registrations.mode");
}

#[tokio::test]
async fn registration_follows_the_mode() {
    let app = local().await;
    let app_token = app.app().await.token.clone();
    let register = |body: Value| {
        let app = &app;
        let app_token = app_token.clone();
        async move {
            app.post("/api/v1/accounts")
                .token(&app_token)
                .json(body)
                .send()
                .await
        }
    };
    let me = "/api/v1/accounts/verify_credentials";

    // Open: a token at once, with the usual scopes.
    let instance = app.get("/api/v1/instance").ok().await;
    assert_eq!(
        (
            &instance["registrations"],
            &instance["approval_required"],
            &instance["invites_enabled"]
        ),
        (&json!(true), &json!(false), &json!(false))
    );
    let token = register(sign_up("opal")).await.ok();
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["scope"], "read write follow push");
    let opal = app
        .get(me)
        .token(&text_of(&token, "access_token"))
        .ok()
        .await;
    assert_eq!(opal["username"], "opal");

    // Validation: 422 with a message.
    let mut no_agreement = sign_up("nora");
    no_agreement["agreement"] = json!(false);
    for (body, why) in [
        (no_agreement, "the agreement is refused"),
        (sign_up("opal"), "the username is taken"),
        (sign_up("bad name"), "the username is invalid"),
        (
            json!({ "username": "shorty", "email": "shorty@example.org", "password": "short", "agreement": true }),
            "the password is too short",
        ),
        (
            json!({ "username": "mailless", "email": "nope", "password": PASSWORD, "agreement": true }),
            "the e-mail address is invalid",
        ),
    ] {
        let reply = register(body).await;
        assert_eq!(reply.status.as_u16(), 422, "{why}: {}", reply.text());
        assert!(reply.json()["error"].is_string(), "{why}: {}", reply.text());
    }
    app.post("/api/v1/accounts")
        .json(sign_up("anonymous"))
        .send()
        .await
        .error(401);

    // Approval: a reason is required; the token works only once a moderator approves.
    set_mode(&app, "approval").await;
    let instance = app.get("/api/v1/instance").ok().await;
    assert_eq!(instance["approval_required"], true);
    let v2 = app.get("/api/v2/instance").ok().await;
    assert_eq!(v2["registrations"]["approval_required"], true);
    register(sign_up("pia")).await.error(422);
    let mut with_reason = sign_up("pia");
    with_reason["reason"] = json!("I like graphs");
    let pending = text_of(&register(with_reason).await.ok(), "access_token");
    let message = app.get(me).token(&pending).send().await.error(403);
    assert!(
        message.contains("pending approval"),
        "a pending account is told so: {message}"
    );
    app.post("/api/v1/statuses")
        .token(&pending)
        .json(json!({ "status": "too early" }))
        .send()
        .await
        .error(403);

    // Invite: only with a valid code, each use counted.
    set_mode(&app, "invite").await;
    assert_eq!(
        app.get("/api/v1/instance").ok().await["invites_enabled"],
        true
    );
    register(sign_up("ivan")).await.error(403);
    let code = app.core.create_invite(None, Some(1), None).await.unwrap();
    // A sign-up that fails (the name is taken) does not spend the single-use invite.
    let mut clashing = sign_up("opal");
    clashing["email"] = json!("someone-else@example.org");
    clashing["invite_code"] = json!(code);
    register(clashing).await.error(422);
    let mut invited = sign_up("ivan");
    invited["invite_code"] = json!(code);
    register(invited.clone()).await.ok();
    invited["username"] = json!("ivy");
    invited["email"] = json!("ivy@example.org");
    register(invited).await.error(403);

    // Closed.
    set_mode(&app, "closed").await;
    let instance = app.get("/api/v1/instance").ok().await;
    assert_eq!(instance["registrations"], false);
    assert_eq!(
        app.get("/api/v2/instance").ok().await["registrations"]["enabled"],
        false
    );
    register(sign_up("cleo")).await.error(403);
}

#[tokio::test]
async fn the_registration_mode_can_be_pinned_by_the_environment() {
    let app = local_with(&[("RHIZOME_REGISTRATIONS_MODE", "closed")]).await;
    let app_token = app.app().await.token.clone();
    app.post("/api/v1/accounts")
        .token(&app_token)
        .json(sign_up("zed"))
        .send()
        .await
        .error(403);
    assert!(
        app.core
            .change_setting("registrations.mode", json!("open"))
            .await
            .is_err(),
        "a pinned setting cannot change"
    );
}

#[tokio::test]
async fn profiles_are_read_and_updated() {
    let app = local().await;
    let alice = app.register("alice").await;
    let me = app
        .get("/api/v1/accounts/verify_credentials")
        .auth(&alice)
        .ok()
        .await;
    assert_credential_account(&me);
    assert_eq!(me["acct"], alice.username.as_str());
    assert_eq!(me["username"], alice.username.as_str());
    assert_eq!(me["source"]["note"], "");
    assert_eq!(
        me["url"],
        format!("{}/@{}", app.base, alice.username).as_str()
    );

    let updated = app
        .patch("/api/v1/accounts/update_credentials")
        .auth(&alice)
        .json(json!({
            "display_name": "Alice A.",
            "note": "Hello #rust",
            "locked": true,
            "bot": "1",
            "fields_attributes": [
                { "name": "Site", "value": "https://alice.example" },
                { "name": "Pronouns", "value": "she/her" },
            ],
        }))
        .ok()
        .await;
    assert_credential_account(&updated);
    assert_eq!(updated["display_name"], "Alice A.");
    assert_eq!(updated["locked"], true);
    assert_eq!(updated["bot"], true);
    let note = updated["note"].as_str().unwrap();
    assert!(
        note.starts_with("<p>") && note.contains("Hello"),
        "the note is HTML: {note}"
    );
    assert_eq!(updated["source"]["note"], "Hello #rust");
    let escaped = app
        .patch("/api/v1/accounts/update_credentials")
        .auth(&alice)
        .json(json!({ "note": "<script>alert(1)</script>" }))
        .ok()
        .await;
    let note = escaped["note"].as_str().unwrap();
    assert!(!note.contains("<script"), "the note is escaped: {note}");
    assert_eq!(escaped["source"]["note"], "<script>alert(1)</script>");
    let names = |account: &Value, at: &str| -> Vec<String> {
        account
            .pointer(at)
            .and_then(Value::as_array)
            .unwrap()
            .iter()
            .map(|f| text_of(f, "name"))
            .collect()
    };
    assert_eq!(names(&updated, "/fields"), ["Site", "Pronouns"]);
    assert_eq!(names(&updated, "/source/fields"), ["Site", "Pronouns"]);
    assert_eq!(updated["source"]["fields"][1]["value"], "she/her");

    // A JSON object keyed by position.
    let keyed = app
        .patch("/api/v1/accounts/update_credentials")
        .auth(&alice)
        .json(json!({ "fields_attributes": {
            "1": { "name": "Second", "value": "2" },
            "0": { "name": "First", "value": "1" },
        } }))
        .ok()
        .await;
    assert_eq!(names(&keyed, "/fields"), ["First", "Second"]);
    assert_eq!(keyed["display_name"], "Alice A.", "untouched fields stay");

    // A form, as Rails clients send it.
    let form = app
        .patch("/api/v1/accounts/update_credentials")
        .auth(&alice)
        .form(&[
            ("display_name", "Alice Form"),
            ("locked", "false"),
            ("fields_attributes[0][name]", "Blog"),
            ("fields_attributes[0][value]", "https://blog.example"),
            ("fields_attributes[1][name]", "Matrix"),
            ("fields_attributes[1][value]", "@alice:matrix.example"),
        ])
        .ok()
        .await;
    assert_eq!(form["display_name"], "Alice Form");
    assert_eq!(form["locked"], false);
    assert_eq!(names(&form, "/fields"), ["Blog", "Matrix"]);
    assert_eq!(form["fields"][1]["value"], "@alice:matrix.example");
    // Apps render `value` as HTML: what the owner typed is escaped and its links drawn; the
    // source keeps it as typed.
    let link = form["fields"][0]["value"].as_str().unwrap_or_default();
    assert!(link.contains("<a href=\"https://blog.example\""), "{link}");
    let scripted = app
        .patch("/api/v1/accounts/update_credentials")
        .auth(&alice)
        .form(&[
            ("fields_attributes[0][name]", "Trap"),
            ("fields_attributes[0][value]", "<script>alert(1)</script>"),
        ])
        .ok()
        .await;
    let value = scripted["fields"][0]["value"].as_str().unwrap_or_default();
    assert!(
        !value.contains("<script>") && value.contains("&lt;script&gt;"),
        "{value}"
    );
    assert_eq!(
        scripted["source"]["fields"][0]["value"],
        "<script>alert(1)</script>"
    );

    // Limits.
    app.patch("/api/v1/accounts/update_credentials")
        .auth(&alice)
        .json(json!({ "display_name": "x".repeat(31) }))
        .send()
        .await
        .error(422);
    let five: Vec<Value> = (0..5)
        .map(|i| json!({ "name": format!("n{i}"), "value": "v" }))
        .collect();
    app.patch("/api/v1/accounts/update_credentials")
        .auth(&alice)
        .json(json!({ "fields_attributes": five }))
        .send()
        .await
        .error(422);

    // What others see.
    let public = app
        .get(&format!("/api/v1/accounts/{}", alice.id))
        .ok()
        .await;
    assert_account(&public);
    assert_eq!(public["display_name"], "Alice Form");
    assert!(public.get("source").is_none(), "source is for the owner");
}

#[tokio::test]
async fn accounts_are_found_by_id_and_name() {
    let app = local().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let found = app
        .get(&format!("/api/v1/accounts/{}", alice.id))
        .ok()
        .await;
    assert_account(&found);
    assert_eq!(found["id"], alice.id.as_str());
    for missing in ["/api/v1/accounts/1", "/api/v1/accounts/not-an-id"] {
        let message = app.get(missing).send().await.error(404);
        assert_eq!(message, "Record not found");
    }

    let domain = app.core.config.domain.clone();
    for acct in [
        alice.username.clone(),
        format!("@{}", alice.username),
        format!("{}@{domain}", alice.username),
    ] {
        let found = app
            .get(&format!(
                "/api/v1/accounts/lookup?acct={}",
                support::api::enc(&acct)
            ))
            .ok()
            .await;
        assert_eq!(found["id"], alice.id.as_str(), "lookup of {acct}");
    }
    app.get("/api/v1/accounts/lookup?acct=nobody")
        .send()
        .await
        .error(404);

    let many = app
        .get(&format!(
            "/api/v1/accounts?id[]={}&id[]={}&id[]=1",
            alice.id, bob.id
        ))
        .ok()
        .await;
    let found: BTreeSet<String> = ids(&many).into_iter().collect();
    assert_eq!(found, BTreeSet::from([alice.id.clone(), bob.id.clone()]));
    for account in many.as_array().unwrap() {
        assert_account(account);
    }

    // Search needs a user.
    app.get("/api/v1/accounts/search?q=ali")
        .send()
        .await
        .error(401);
    let results = app
        .get("/api/v1/accounts/search?q=ali")
        .auth(&bob)
        .ok()
        .await;
    assert!(ids(&results).contains(&alice.id), "{results:#}");
    let limited = app
        .get("/api/v1/accounts/search?q=a&limit=1")
        .auth(&bob)
        .ok()
        .await;
    assert_eq!(limited.as_array().unwrap().len(), 1);
    let v2 = app
        .get(&format!(
            "/api/v2/search?q={}&type=accounts",
            alice.username
        ))
        .auth(&bob)
        .ok()
        .await;
    assert_eq!(ids(&v2["accounts"]), [alice.id.as_str()]);
    assert_eq!(v2["statuses"], json!([]));
    assert_eq!(v2["hashtags"], json!([]));
}

/// The statuses `viewer` (or nobody) sees on `author`'s profile with `query`.
async fn profile(app: &Api, author: &User, viewer: Option<&User>, query: &str) -> Vec<String> {
    let mut request = app.get(&format!("/api/v1/accounts/{}/statuses{query}", author.id));
    if let Some(viewer) = viewer {
        request = request.auth(viewer);
    }
    let list = request.ok().await;
    for status in list.as_array().unwrap() {
        assert_status(status, viewer.is_some());
    }
    ids(&list)
}

#[tokio::test]
async fn an_accounts_statuses_filter_and_page() {
    let app = local().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    app.follow(&bob, &alice).await;
    let id = |v: Value| text_of(&v, "id");

    let theirs = id(app.post_status(&carol, "carol's", "public").await);
    let public = id(app.post_status(&alice, "public", "public").await);
    let unlisted = id(app.post_status(&alice, "unlisted", "unlisted").await);
    let private = id(app.post_status(&alice, "private", "private").await);
    let direct = id(app
        .post_status(&alice, &format!("@{} psst", carol.username), "direct")
        .await);
    let self_reply = id(app.reply(&alice, &public, "thread", "public").await);
    let reply = id(app.reply(&alice, &theirs, "answer", "public").await);
    let boost = id(app
        .post(&format!("/api/v1/statuses/{theirs}/reblog"))
        .auth(&alice)
        .ok()
        .await);
    let tagged = id(app.post_status(&alice, "about #Rust", "public").await);
    app.post(&format!("/api/v1/statuses/{public}/pin"))
        .auth(&alice)
        .ok()
        .await;

    let everything_public = vec![
        tagged.clone(),
        boost.clone(),
        reply.clone(),
        self_reply.clone(),
        unlisted.clone(),
        public.clone(),
    ];
    assert_eq!(profile(&app, &alice, None, "").await, everything_public);
    // A follower sees followers-only posts; the mentioned sees the direct one.
    let mut for_bob = everything_public.clone();
    for_bob.insert(4, private.clone());
    assert_eq!(profile(&app, &alice, Some(&bob), "").await, for_bob);
    let mut for_carol = everything_public.clone();
    for_carol.insert(4, direct.clone());
    assert_eq!(profile(&app, &alice, Some(&carol), "").await, for_carol);
    let mut for_alice = for_carol.clone();
    for_alice.insert(5, private.clone());
    assert_eq!(profile(&app, &alice, Some(&alice), "").await, for_alice);

    assert_eq!(
        profile(&app, &alice, None, "?pinned=true").await,
        [public.as_str()]
    );
    let pinned = app
        .get(&format!(
            "/api/v1/accounts/{}/statuses?pinned=true",
            alice.id
        ))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(pinned[0]["pinned"], true);
    assert_eq!(
        profile(&app, &alice, None, "?exclude_replies=true").await,
        [
            tagged.as_str(),
            boost.as_str(),
            self_reply.as_str(),
            unlisted.as_str(),
            public.as_str()
        ]
    );
    assert_eq!(
        profile(&app, &alice, None, "?exclude_reblogs=1").await,
        [
            tagged.as_str(),
            reply.as_str(),
            self_reply.as_str(),
            unlisted.as_str(),
            public.as_str()
        ]
    );
    assert_eq!(
        profile(&app, &alice, None, "?tagged=rust").await,
        [tagged.as_str()]
    );
    assert!(
        profile(&app, &alice, None, "?only_media=true")
            .await
            .is_empty()
    );

    // Pages, with Mastodon's Link header.
    let path = format!("/api/v1/accounts/{}/statuses", alice.id);
    let first = app.get(&format!("{path}?limit=2")).send().await.expect(200);
    assert_eq!(ids(&first.json()), [tagged.as_str(), boost.as_str()]);
    assert_eq!(
        first.header("link").unwrap(),
        format!(
            "<{base}{path}?limit=2&max_id={boost}>; rel=\"next\", <{base}{path}?limit=2&min_id={tagged}>; rel=\"prev\"",
            base = app.base
        )
    );
    let second = app
        .get(&path_of(&app, &first.link("next")))
        .send()
        .await
        .expect(200);
    assert_eq!(ids(&second.json()), [reply.as_str(), self_reply.as_str()]);
    let back = app.get(&path_of(&app, &second.link("prev"))).ok().await;
    assert_eq!(ids(&back), [tagged.as_str(), boost.as_str()]);

    // Everything is gone for someone the author blocks.
    app.post(&format!("/api/v1/accounts/{}/block", carol.id))
        .auth(&alice)
        .ok()
        .await;
    assert!(profile(&app, &alice, Some(&carol), "").await.is_empty());
}

#[tokio::test]
async fn follows_requests_and_counts() {
    let app = local().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let dave = app.register("dave").await;
    let account = |user: &User| {
        let app = &app;
        let path = format!("/api/v1/accounts/{}", user.id);
        async move { app.get(&path).ok().await }
    };

    let relationship = app.follow(&bob, &alice).await;
    assert_relationship(&relationship);
    assert_eq!(relationship["id"], alice.id.as_str());
    assert_eq!(
        (
            &relationship["following"],
            &relationship["showing_reblogs"],
            &relationship["notifying"],
            &relationship["requested"]
        ),
        (&json!(true), &json!(true), &json!(false), &json!(false))
    );
    // Following again changes the options.
    let changed = app
        .post(&format!("/api/v1/accounts/{}/follow", alice.id))
        .auth(&bob)
        .json(json!({ "reblogs": false, "notify": true }))
        .ok()
        .await;
    assert_eq!(
        (&changed["showing_reblogs"], &changed["notifying"]),
        (&json!(false), &json!(true))
    );
    app.post(&format!("/api/v1/accounts/{}/follow", bob.id))
        .auth(&bob)
        .send()
        .await
        .error(422);
    app.post("/api/v1/accounts/1/follow")
        .auth(&bob)
        .send()
        .await
        .error(404);

    // Counts, and the date of the last post.
    app.post_status(&alice, "one", "public").await;
    app.post_status(&alice, "two", "private").await;
    let counted = account(&alice).await;
    assert_eq!(counted["followers_count"], 1);
    assert_eq!(counted["following_count"], 0);
    assert_eq!(counted["statuses_count"], 2);
    assert_eq!(counted["last_status_at"], today().as_str());
    assert_eq!(account(&bob).await["following_count"], 1);
    assert_eq!(account(&bob).await["last_status_at"], Value::Null);

    let both = app
        .get(&format!(
            "/api/v1/accounts/relationships?id[]={}&id[]={}",
            alice.id, carol.id
        ))
        .auth(&bob)
        .ok()
        .await;
    assert_eq!(ids(&both), [alice.id.clone(), carol.id.clone()]);
    assert_eq!(both[0]["following"], true);
    assert_eq!(both[1]["following"], false);
    let seen_by_alice = app
        .get(&format!("/api/v1/accounts/relationships?id={}", bob.id))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(seen_by_alice[0]["followed_by"], true);

    let unfollowed = app
        .post(&format!("/api/v1/accounts/{}/unfollow", alice.id))
        .auth(&bob)
        .ok()
        .await;
    assert_eq!(unfollowed["following"], false);
    assert_eq!(account(&alice).await["followers_count"], 0);

    // A locked account gets requests.
    app.patch("/api/v1/accounts/update_credentials")
        .auth(&alice)
        .json(json!({ "locked": true }))
        .ok()
        .await;
    let requested = app.follow(&carol, &alice).await;
    assert_eq!(
        (&requested["requested"], &requested["following"]),
        (&json!(true), &json!(false))
    );
    app.follow(&dave, &alice).await;
    app.post(&format!("/api/v1/follow_requests/{}/authorize", carol.id))
        .auth(&bob)
        .send()
        .await
        .error(404);
    let requests = app.get("/api/v1/follow_requests").auth(&alice).ok().await;
    assert_eq!(ids(&requests), [dave.id.clone(), carol.id.clone()]);
    for account in requests.as_array().unwrap() {
        assert_account(account);
    }
    let me = app
        .get("/api/v1/accounts/verify_credentials")
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(me["source"]["follow_requests_count"], 2);
    let notified = app
        .get("/api/v1/notifications?types[]=follow_request")
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(notified.as_array().unwrap().len(), 2, "{notified:#}");
    let incoming = app
        .get(&format!("/api/v1/accounts/relationships?id[]={}", carol.id))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(incoming[0]["requested_by"], true);

    let accepted = app
        .post(&format!("/api/v1/follow_requests/{}/authorize", carol.id))
        .auth(&alice)
        .ok()
        .await;
    assert_relationship(&accepted);
    assert_eq!(accepted["followed_by"], true);
    let rejected = app
        .post(&format!("/api/v1/follow_requests/{}/reject", dave.id))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(rejected["followed_by"], false);
    app.post(&format!("/api/v1/follow_requests/{}/reject", dave.id))
        .auth(&alice)
        .send()
        .await
        .error(404);
    let carol_now = app
        .get(&format!("/api/v1/accounts/relationships?id[]={}", alice.id))
        .auth(&carol)
        .ok()
        .await;
    assert_eq!(
        (&carol_now[0]["following"], &carol_now[0]["requested"]),
        (&json!(true), &json!(false))
    );
    let dave_now = app
        .get(&format!("/api/v1/accounts/relationships?id[]={}", alice.id))
        .auth(&dave)
        .ok()
        .await;
    assert_eq!(
        (&dave_now[0]["following"], &dave_now[0]["requested"]),
        (&json!(false), &json!(false))
    );
    assert_eq!(
        app.get("/api/v1/follow_requests").auth(&alice).ok().await,
        json!([])
    );

    // Removing a follower.
    let removed = app
        .post(&format!(
            "/api/v1/accounts/{}/remove_from_followers",
            carol.id
        ))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(removed["followed_by"], false);
    assert_eq!(account(&alice).await["followers_count"], 0);
}

#[tokio::test]
async fn follower_lists_page_with_link_headers() {
    let app = local().await;
    let star = app.register("star").await;
    let mut fans = Vec::new();
    for _ in 0..3 {
        let fan = app.register("fan").await;
        app.follow(&fan, &star).await;
        fans.push(fan);
    }
    let path = format!("/api/v1/accounts/{}/followers", star.id);
    let first = app.get(&format!("{path}?limit=2")).send().await.expect(200);
    assert_eq!(ids(&first.json()), [fans[2].id.clone(), fans[1].id.clone()]);
    let links = first.links();
    assert_eq!(
        links
            .iter()
            .map(|(rel, _)| rel.as_str())
            .collect::<Vec<_>>(),
        ["next", "prev"]
    );
    let next = first.link("next");
    assert!(
        next.starts_with(&format!("{}{path}?limit=2&max_id=", app.base)),
        "{next}"
    );
    let rest = app.get(&path_of(&app, &next)).send().await.expect(200);
    assert_eq!(ids(&rest.json()), [fans[0].id.as_str()]);
    let back = app.get(&path_of(&app, &rest.link("prev"))).ok().await;
    assert_eq!(ids(&back), [fans[2].id.clone(), fans[1].id.clone()]);
    let empty = app
        .get(&path_of(&app, &rest.link("next")))
        .send()
        .await
        .expect(200);
    assert_eq!(empty.json(), json!([]));
    assert_eq!(empty.header("link"), None, "no links on an empty page");

    let following = app
        .get(&format!("/api/v1/accounts/{}/following", fans[0].id))
        .ok()
        .await;
    assert_eq!(ids(&following), [star.id.as_str()]);
    for account in following.as_array().unwrap() {
        assert_account(account);
    }
    app.get("/api/v1/accounts/1/followers")
        .send()
        .await
        .error(404);
}

#[tokio::test]
async fn blocks_mutes_and_domain_blocks() {
    let app = local().await;
    let alice = app.register("alice").await;
    let dave = app.register("dave").await;
    let erin = app.register("erin").await;
    app.follow(&dave, &alice).await;

    let blocked = app
        .post(&format!("/api/v1/accounts/{}/block", dave.id))
        .auth(&alice)
        .ok()
        .await;
    assert_relationship(&blocked);
    assert_eq!(
        (&blocked["blocking"], &blocked["followed_by"]),
        (&json!(true), &json!(false)),
        "blocking drops the follow"
    );
    let seen_by_dave = app
        .get(&format!("/api/v1/accounts/relationships?id[]={}", alice.id))
        .auth(&dave)
        .ok()
        .await;
    assert_eq!(seen_by_dave[0]["blocked_by"], true);
    app.post(&format!("/api/v1/accounts/{}/follow", alice.id))
        .auth(&dave)
        .send()
        .await
        .error(403);
    let blocks = app.get("/api/v1/blocks").auth(&alice).ok().await;
    assert_eq!(ids(&blocks), [dave.id.as_str()]);
    assert_account(&blocks[0]);
    let unblocked = app
        .post(&format!("/api/v1/accounts/{}/unblock", dave.id))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(unblocked["blocking"], false);
    assert_eq!(app.get("/api/v1/blocks").auth(&alice).ok().await, json!([]));

    // Mutes, forever or for a while.
    let muted = app
        .post(&format!("/api/v1/accounts/{}/mute", dave.id))
        .auth(&alice)
        .json(json!({ "notifications": false }))
        .ok()
        .await;
    assert_eq!(
        (&muted["muting"], &muted["muting_notifications"]),
        (&json!(true), &json!(false))
    );
    app.post(&format!("/api/v1/accounts/{}/mute", erin.id))
        .auth(&alice)
        .form(&[("duration", "2")])
        .ok()
        .await;
    let mutes = app.get("/api/v1/mutes").auth(&alice).ok().await;
    assert_eq!(ids(&mutes), [erin.id.clone(), dave.id.clone()]);
    eventually("a two-second mute to end", || async {
        let mutes = app.get("/api/v1/mutes").auth(&alice).ok().await;
        (ids(&mutes) == [dave.id.as_str()]).then_some(())
    })
    .await;
    let unmuted = app
        .post(&format!("/api/v1/accounts/{}/unmute", dave.id))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(unmuted["muting"], false);
    assert_eq!(app.get("/api/v1/mutes").auth(&alice).ok().await, json!([]));
    app.post(&format!("/api/v1/accounts/{}/mute", alice.id))
        .auth(&alice)
        .send()
        .await
        .error(422);

    // Domain blocks.
    let done = app
        .post("/api/v1/domain_blocks")
        .auth(&alice)
        .form(&[("domain", "Spam.Example")])
        .ok()
        .await;
    assert_eq!(done, json!({}));
    assert_eq!(
        app.get("/api/v1/domain_blocks").auth(&alice).ok().await,
        json!(["spam.example"])
    );
    app.post("/api/v1/domain_blocks")
        .auth(&alice)
        .json(json!({ "domain": "not a domain" }))
        .send()
        .await
        .error(422);
    app.delete("/api/v1/domain_blocks?domain=spam.example")
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(
        app.get("/api/v1/domain_blocks").auth(&alice).ok().await,
        json!([])
    );
}

#[tokio::test]
async fn mutes_say_when_they_end() {
    let app = local().await;
    let alice = app.register("alice").await;
    let dave = app.register("dave").await;
    app.post(&format!("/api/v1/accounts/{}/mute", dave.id))
        .auth(&alice)
        .json(json!({ "duration": 3600 }))
        .ok()
        .await;
    let mutes = app.get("/api/v1/mutes").auth(&alice).ok().await;
    support::api::assert_fields(
        &mutes[0],
        "MutedAccount",
        &[("mute_expires_at", "datetime?")],
    );
    assert!(mutes[0]["mute_expires_at"].is_string(), "{mutes:#}");
}

#[tokio::test]
async fn counts_leave_out_what_is_not_distributed() {
    let app = local().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let post = text_of(&app.post_status(&alice, "public", "public").await, "id");
    app.post_status(&alice, &format!("@{} psst", bob.username), "direct")
        .await;
    app.reply(&bob, &post, "a public reply", "public").await;
    app.reply(&alice, &post, "for my followers", "private")
        .await;
    let account = app
        .get(&format!("/api/v1/accounts/{}", alice.id))
        .ok()
        .await;
    assert_eq!(
        account["statuses_count"], 2,
        "the direct message is not counted"
    );
    let status = app.get(&format!("/api/v1/statuses/{post}")).ok().await;
    assert_eq!(
        status["replies_count"], 1,
        "only the public reply is counted"
    );
}

#[tokio::test]
async fn a_suspended_account_says_so_instead_of_vanishing() {
    let app = local().await;
    let alice = app.register("alice").await;
    app.patch("/api/v1/accounts/update_credentials")
        .auth(&alice)
        .json(json!({ "display_name": "Alice A.", "note": "hello" }))
        .ok()
        .await;
    app.core.suspend(&alice.username).await.unwrap();
    let account = app
        .get(&format!("/api/v1/accounts/{}", alice.id))
        .ok()
        .await;
    assert_eq!(account["suspended"], true, "{account:#}");
    assert_eq!(account["display_name"], "");
    assert_eq!(account["note"], "");
    assert_eq!(account["username"], alice.username.as_str());
    // Their token stops working.
    app.get("/api/v1/accounts/verify_credentials")
        .auth(&alice)
        .send()
        .await
        .error(401);
}
