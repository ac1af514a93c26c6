//! Moving accounts and leaving: aliases, moves between real instances on loopback (the
//! followers follow the new account, hear of it, and the old account shows `moved`), the
//! guards on incoming moves, account deletion (federated, purged by the job queue, the name
//! kept), and Akkoma's endpoints with their scopes.

mod support;

use rhizome_core::federation::inbox::ProcessActivity;
use rhizome_core::moving::MoveFollowers;
use rhizome_model::{Follow, Id};
use rhizome_store::FollowTable;
use rhizome_testkit::fixtures::remote_account;
use serde_json::{Value, json};
use support::api::{
    Api, OwnServer, PASSWORD, User, enc, eventually, local, local_with, start_server, text_of,
};

/// A real instance that federates over plain HTTP on loopback.
fn instance() -> OwnServer {
    start_server(&[
        ("RHIZOME_FEDERATION_ALLOW_HTTP", "true"),
        ("RHIZOME_FEDERATION_ALLOW_PRIVATE_ADDRESSES", "true"),
        // Back-off of minutes passes in fractions of a second.
        ("RHIZOME_TIME_SCALE", "600"),
    ])
}

fn domain(server: &OwnServer) -> String {
    format!("127.0.0.1:{}", server.server.port)
}

/// `acct` found from `api` (resolved by WebFinger when remote); returns the local id.
async fn resolve(api: &Api, user: &User, acct: &str) -> String {
    let found = api
        .get(&format!(
            "/api/v2/search?q={}&resolve=true&type=accounts",
            enc(acct)
        ))
        .auth(user)
        .ok()
        .await;
    let account = &found["accounts"][0];
    assert_eq!(account["acct"], acct, "{found}");
    text_of(account, "id")
}

async fn relationship(api: &Api, user: &User, id: &str) -> Value {
    api.get(&format!("/api/v1/accounts/relationships?id[]={id}"))
        .auth(user)
        .ok()
        .await[0]
        .clone()
}

async fn wait_following(api: &Api, user: &User, id: &str, what: &str) {
    eventually(what, || async {
        relationship(api, user, id).await["following"]
            .as_bool()
            .filter(|f| *f)
    })
    .await;
}

/// The `move` notifications of `user`.
async fn move_notifications(api: &Api, user: &User) -> Vec<Value> {
    api.get("/api/v1/notifications?types[]=move")
        .auth(user)
        .ok()
        .await
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn account(api: &Api, user: &User, id: &str) -> Value {
    api.get(&format!("/api/v1/accounts/{id}"))
        .auth(user)
        .ok()
        .await
}

#[tokio::test]
async fn a_move_between_instances_carries_the_followers() {
    let (a, b, c) = (instance(), instance(), instance());
    let (api_a, api_b, api_c) = (a.api(), b.api(), c.api());
    let alice = api_a.register("alice").await;
    let fan_a = api_a.register("fan").await;
    let ada = api_b.register("ada").await;
    let fan_c = api_c.register("fan").await;
    let alice_acct = format!("{}@{}", alice.username, domain(&a));
    let ada_acct = format!("{}@{}", ada.username, domain(&b));

    // Followers of alice: one on her own instance, one on a third.
    api_a.follow(&fan_a, &alice).await;
    let alice_on_c = resolve(&api_c, &fan_c, &alice_acct).await;
    api_c
        .post(&format!("/api/v1/accounts/{alice_on_c}/follow"))
        .auth(&fan_c)
        .ok()
        .await;
    wait_following(&api_c, &fan_c, &alice_on_c, "C's fan to follow alice").await;

    // Without the alias on the new account, the move is refused and nothing changes.
    let move_to_ada = [
        ("target_account", ada_acct.as_str()),
        ("password", PASSWORD),
    ];
    let refused = api_a
        .post("/api/pleroma/move_account")
        .auth(&alice)
        .form(&move_to_ada)
        .send()
        .await
        .error(422);
    assert!(refused.contains("alias"), "{refused}");
    let me = api_a
        .get("/api/v1/accounts/verify_credentials")
        .auth(&alice)
        .ok()
        .await;
    assert!(me.get("moved").is_none(), "{me}");

    // The new account names the old one (found by WebFinger), in its actor too.
    let added = api_b
        .put("/api/pleroma/aliases")
        .auth(&ada)
        .form(&[("alias", alice_acct.as_str())])
        .ok()
        .await;
    assert_eq!(added, json!({ "status": "success" }));
    let aliases = api_b.get("/api/pleroma/aliases").auth(&ada).ok().await;
    assert_eq!(aliases, json!({ "aliases": [alice_acct] }));
    let alice_uri = format!("{}/users/{}", a.server.base(), alice.username);
    let actor = api_b
        .get(&format!("/users/{}", ada.username))
        .header("accept", "application/activity+json")
        .ok()
        .await;
    assert_eq!(actor["alsoKnownAs"], json!([alice_uri]), "{actor}");

    // The move: the password is checked first.
    api_a
        .post("/api/pleroma/move_account")
        .auth(&alice)
        .form(&[("target_account", ada_acct.as_str()), ("password", "wrong")])
        .send()
        .await
        .error(403);
    let moved = api_a
        .post("/api/pleroma/move_account")
        .auth(&alice)
        .form(&move_to_ada)
        .ok()
        .await;
    assert_eq!(moved, json!({ "status": "success" }));

    // Alice's account on A shows the new home: entity, actor, profile page; no new follows.
    let alice_here = account(&api_a, &fan_a, &alice.id).await;
    assert_eq!(alice_here["moved"]["acct"], ada_acct, "{alice_here}");
    let actor = api_a
        .get(&format!("/users/{}", alice.username))
        .header("accept", "application/activity+json")
        .ok()
        .await;
    let ada_uri = format!("{}/users/{}", b.server.base(), ada.username);
    assert_eq!(actor["movedTo"], json!(ada_uri), "{actor}");
    let profile = api_a.get(&format!("/@{}", alice.username)).send().await;
    let html = profile.text();
    assert!(html.contains("has moved to"), "{html}");
    assert!(html.contains(&format!("@{ada_acct}")), "{html}");
    let newcomer = api_a.register("newcomer").await;
    api_a
        .post(&format!("/api/v1/accounts/{}/follow", alice.id))
        .auth(&newcomer)
        .send()
        .await
        .error(422);

    // The follower on A follows ada instead, and is told.
    let ada_on_a = resolve(&api_a, &fan_a, &ada_acct).await;
    wait_following(&api_a, &fan_a, &ada_on_a, "A's fan to follow ada").await;
    assert_eq!(
        relationship(&api_a, &fan_a, &alice.id).await["following"],
        false
    );
    let told = move_notifications(&api_a, &fan_a).await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["type"], "move");
    assert_eq!(told[0]["account"]["id"], json!(alice.id));
    assert_eq!(told[0]["target"]["acct"], ada_acct);

    // The follower on C received the Move: it follows ada, no longer alice, and is told.
    let ada_on_c = eventually("C to learn of the move", || async {
        let told = move_notifications(&api_c, &fan_c).await;
        told.first().map(|n| text_of(&n["target"], "id"))
    })
    .await;
    wait_following(&api_c, &fan_c, &ada_on_c, "C's fan to follow ada").await;
    assert_eq!(
        relationship(&api_c, &fan_c, &alice_on_c).await["following"],
        false
    );
    let alice_there = account(&api_c, &fan_c, &alice_on_c).await;
    assert_eq!(alice_there["moved"]["acct"], ada_acct, "{alice_there}");

    // B has ada's two new followers; A no longer counts them for alice.
    eventually("ada to have both followers", || async {
        let ada_now = account(&api_b, &ada, &ada.id).await;
        (ada_now["followers_count"] == 2).then_some(())
    })
    .await;
    eventually("alice's followers to have left", || async {
        let alice_now = account(&api_a, &fan_a, &alice.id).await;
        (alice_now["followers_count"] == 0).then_some(())
    })
    .await;
}

/// A remote account and a stored follow of it by `follower`.
fn follow_of(id: i64, follower: Id, target: Id) -> Follow {
    Follow {
        id: Id(id),
        account_id: follower,
        target_account_id: target,
        uri: Some(format!("https://example.org/follows/{id}")),
        show_reblogs: false,
        notify: true,
        created_at: rhizome_testkit::fixtures::NOW,
    }
}

#[tokio::test]
async fn incoming_moves_are_guarded() {
    // No network: a remote new account cannot be fetched fresh, so only local ones (read
    // fresh from the database) can be moved to here.
    let app = local_with(&[("RHIZOME_FEDERATION_ENABLED", "false")]).await;
    let core = &app.core;
    let old = core
        .store
        .upsert_remote_account(&remote_account(30, "ada", "old.example"))
        .await
        .unwrap();
    let id = |user: &User| user.id.parse::<Id>().unwrap();
    let (fan, home, plain, elsewhere, looped) = (
        app.register("fan").await,
        app.register("home").await,
        app.register("plain").await,
        app.register("elsewhere").await,
        app.register("looped").await,
    );
    core.store
        .upsert_follow(FollowTable::Follows, &follow_of(900, id(&fan), old.id))
        .await
        .unwrap();
    let uri = |user: &User| format!("{}/users/{}", core.urls.base(), user.username);
    let now = core.now();
    let names_old = vec![old.uri.clone()];
    for user in [&home, &elsewhere, &looped] {
        core.store
            .set_also_known_as(id(user), &names_old, now)
            .await
            .unwrap();
    }
    core.store
        .record_move(id(&looped), id(&plain), now)
        .await
        .unwrap();
    let mut stranger = remote_account(31, "eve", "new.example");
    stranger.also_known_as = names_old.clone();
    let stranger = core.store.upsert_remote_account(&stranger).await.unwrap();

    let receive = |n: u32, object: &str, target: &str| {
        let activity = json!({
            "id": format!("https://old.example/moves/{n}"),
            "type": "Move",
            "actor": old.uri,
            "object": object,
            "target": target,
        });
        core.process_activity(ProcessActivity {
            actor_id: old.id,
            activity,
        })
    };
    let moved_to = || async { core.account(old.id).await.unwrap().moved_to_account_id };
    // Refused: no alias; a stored copy naming it but no fresh fetch; a target that moved
    // (no loops); an object that is not the actor.
    assert!(receive(1, &old.uri, &uri(&plain)).await.is_err());
    assert!(receive(2, &old.uri, &stranger.uri).await.is_err());
    assert!(receive(3, &old.uri, &uri(&looped)).await.is_err());
    assert!(receive(4, &stranger.uri, &uri(&home)).await.is_err());
    assert_eq!(moved_to().await, None);

    // Accepted: the fan follows the new account (with the same options) and is told.
    receive(5, &old.uri, &uri(&home)).await.unwrap();
    assert_eq!(moved_to().await, Some(id(&home)));
    core.run_move_followers(MoveFollowers {
        from: old.id,
        to: id(&home),
        after: None,
    })
    .await
    .unwrap();
    let rel = app
        .get(&format!(
            "/api/v1/accounts/relationships?id[]={}&id[]={}",
            home.id, old.id
        ))
        .auth(&fan)
        .ok()
        .await;
    assert_eq!(
        (
            &rel[0]["following"],
            &rel[0]["showing_reblogs"],
            &rel[0]["notifying"]
        ),
        (&json!(true), &json!(false), &json!(true)),
        "{rel}"
    );
    assert_eq!(rel[1]["following"], false, "{rel}");
    let told = app
        .get("/api/v1/notifications?types[]=move")
        .auth(&fan)
        .ok()
        .await;
    assert_eq!(told[0]["account"]["acct"], "ada@old.example", "{told}");
    assert_eq!(told[0]["target"]["id"], json!(home.id), "{told}");
    let old_entity = app
        .get(&format!("/api/v1/accounts/{}", old.id))
        .auth(&fan)
        .ok()
        .await;
    assert_eq!(old_entity["moved"]["id"], json!(home.id));

    // Within 30 days it may not move elsewhere; the same move again is harmless.
    assert!(receive(6, &old.uri, &uri(&elsewhere)).await.is_err());
    assert_eq!(moved_to().await, Some(id(&home)));
    receive(7, &old.uri, &uri(&home)).await.unwrap();
}

#[tokio::test]
async fn akkoma_endpoints_check_scopes_and_move_between_local_accounts() {
    let app = local().await;
    let (alice, bob, carol) = (
        app.register("alice").await,
        app.register("bob").await,
        app.register("carol").await,
    );
    let read_only = app.token(&bob, "read:accounts").await;
    let other_scope = app.token(&bob, "read:statuses").await;
    let write_only = app.token(&bob, "write:accounts").await;

    // Anonymous: 401; the wrong scope: 403; nothing changes.
    for (method, path) in [
        ("GET", "/api/pleroma/aliases"),
        ("PUT", "/api/pleroma/aliases"),
        ("DELETE", "/api/pleroma/aliases"),
        ("POST", "/api/pleroma/move_account"),
        ("POST", "/api/pleroma/delete_account"),
        ("GET", "/api/v1/pleroma/aliases"),
    ] {
        let method: axum::http::Method = method.parse().unwrap();
        let form = [("alias", alice.username.as_str()), ("password", PASSWORD)];
        let reply = app.request(method.clone(), path).form(&form).send().await;
        assert_eq!(reply.status, 401, "{path} anonymous");
        let wrong = if method == axum::http::Method::GET {
            &other_scope
        } else {
            &read_only
        };
        let reply = app
            .request(method, path)
            .token(wrong)
            .form(&form)
            .send()
            .await;
        assert_eq!(reply.status, 403, "{path} with the wrong scope");
    }
    assert!(app.core.local_user_named(&bob.username).await.is_ok());
    let listed = app.get("/api/pleroma/aliases").token(&read_only).ok().await;
    assert_eq!(listed, json!({ "aliases": [] }));

    // Bob names alice (local): the handle comes back with this instance's domain.
    app.put("/api/pleroma/aliases")
        .token(&write_only)
        .form(&[("alias", &alice.username)])
        .ok()
        .await;
    let listed = app.get("/api/pleroma/aliases").token(&read_only).ok().await;
    let domain = app.core.config.domain.clone();
    assert_eq!(
        listed,
        json!({ "aliases": [format!("{}@{domain}", alice.username)] })
    );
    app.put("/api/pleroma/aliases")
        .token(&write_only)
        .form(&[("alias", "nobody-here")])
        .send()
        .await
        .error(404);
    let me = app
        .get("/api/v1/accounts/verify_credentials")
        .auth(&bob)
        .ok()
        .await;
    let alice_uri = format!("{}/users/{}", app.core.urls.base(), alice.username);
    assert_eq!(me["pleroma"]["also_known_as"], json!([alice_uri]));

    // Alice moves to bob; carol, her follower, is moved by the job.
    app.follow(&carol, &alice).await;
    app.post("/api/pleroma/move_account")
        .auth(&alice)
        .json(json!({ "target_account": bob.username, "password": PASSWORD }))
        .ok()
        .await;
    let alice_entity = app
        .get(&format!("/api/v1/accounts/{}", alice.id))
        .auth(&carol)
        .ok()
        .await;
    assert_eq!(alice_entity["moved"]["id"], json!(bob.id));
    app.core
        .run_move_followers(MoveFollowers {
            from: alice.id.parse().unwrap(),
            to: bob.id.parse().unwrap(),
            after: None,
        })
        .await
        .unwrap();
    let rel = app
        .get(&format!(
            "/api/v1/accounts/relationships?id[]={}&id[]={}",
            bob.id, alice.id
        ))
        .auth(&carol)
        .ok()
        .await;
    assert_eq!(
        (&rel[0]["following"], &rel[1]["following"]),
        (&json!(true), &json!(false))
    );

    // Removing an alias; an unknown one is 404.
    app.delete("/api/pleroma/aliases")
        .token(&write_only)
        .form(&[("alias", &alice.username)])
        .ok()
        .await;
    app.delete("/api/pleroma/aliases")
        .token(&write_only)
        .form(&[("alias", &alice.username)])
        .send()
        .await
        .error(404);

    // Akkoma's update_credentials sets the whole list.
    app.patch("/api/v1/accounts/update_credentials")
        .auth(&carol)
        .form(&[("also_known_as[]", alice_uri.as_str())])
        .ok()
        .await;
    let me = app
        .get("/api/v1/accounts/verify_credentials")
        .auth(&carol)
        .ok()
        .await;
    assert_eq!(me["pleroma"]["also_known_as"], json!([alice_uri]));
}

#[tokio::test]
async fn deleting_needs_the_password_and_keeps_the_name() {
    let app = local().await;
    let dora = app.register("dora").await;
    app.post("/api/pleroma/delete_account")
        .auth(&dora)
        .form(&[("password", "not the password")])
        .send()
        .await
        .error(403);
    app.get("/api/v1/accounts/verify_credentials")
        .auth(&dora)
        .ok()
        .await;
    let done = app
        .post("/api/pleroma/delete_account")
        .auth(&dora)
        .form(&[("password", PASSWORD)])
        .ok()
        .await;
    assert_eq!(done, json!({ "status": "success" }));
    // Signed out at once; the name is never given again.
    app.get("/api/v1/accounts/verify_credentials")
        .auth(&dora)
        .send()
        .await
        .error(401);
    let app_token = app.app().await.token.clone();
    let again = app
        .post("/api/v1/accounts")
        .token(&app_token)
        .json(json!({
            "username": dora.username,
            "email": "another@example.org",
            "password": PASSWORD,
            "agreement": true,
            "locale": "en",
        }))
        .send()
        .await
        .error(422);
    assert!(again.contains("taken"), "{again}");
    // The admin API shares the code: a suspended account deleted by an admin.
    let admin = app.register("admin").await;
    app.core
        .set_role(&admin.username, rhizome_model::Role::Admin)
        .await
        .unwrap();
    // As the admin CLI issues it: the helpers' app has no admin scopes.
    let admin_token = app
        .core
        .issue_token(
            Some(admin.id.parse().unwrap()),
            None,
            rhizome_model::Scopes::parse("admin:write admin:read").unwrap(),
            false,
        )
        .await
        .unwrap()
        .access_token;
    let erin = app.register("erin").await;
    app.post(&format!("/api/v1/admin/accounts/{}/action", erin.id))
        .token(&admin_token)
        .form(&[("type", "suspend")])
        .ok()
        .await;
    app.delete(&format!("/api/v1/admin/accounts/{}", erin.id))
        .token(&admin_token)
        .ok()
        .await;
    app.post(&format!("/api/v1/admin/accounts/{}/unsuspend", erin.id))
        .token(&admin_token)
        .send()
        .await
        .error(403);
    assert!(
        app.core
            .deletion_state(erin.id.parse().unwrap())
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn a_deleted_account_disappears_from_the_other_instance() {
    let (a, b) = (instance(), instance());
    let (api_a, api_b) = (a.api(), b.api());
    let carol = api_a.register("carol").await;
    let bob = api_b.register("bob").await;
    let carol_acct = format!("{}@{}", carol.username, domain(&a));
    let carol_on_b = resolve(&api_b, &bob, &carol_acct).await;
    api_b
        .post(&format!("/api/v1/accounts/{carol_on_b}/follow"))
        .auth(&bob)
        .ok()
        .await;
    wait_following(&api_b, &bob, &carol_on_b, "bob to follow carol").await;

    // A post with a picture, received on B.
    let png = support::media::encoded(
        &image::DynamicImage::new_rgb8(8, 8),
        image::ImageFormat::Png,
    );
    let (content_type, body) =
        support::media::multipart(&[("file", Some("dot.png"), "image/png", &png)]);
    let media = api_a
        .post("/api/v1/media")
        .auth(&carol)
        .body(&content_type, body)
        .ok()
        .await;
    let post = api_a
        .post("/api/v1/statuses")
        .auth(&carol)
        .json(json!({ "status": "last words", "media_ids": [media["id"]] }))
        .ok()
        .await;
    let file = support::api::path_of(&api_a, &text_of(&post["media_attachments"][0], "url"));
    api_a.get(&file).send().await.expect(200);
    let post_on_b = eventually("the post to reach B", || async {
        let statuses = api_b
            .get(&format!("/api/v1/accounts/{carol_on_b}/statuses"))
            .auth(&bob)
            .ok()
            .await;
        statuses[0]["id"].as_str().map(str::to_owned)
    })
    .await;

    // A wrong password changes nothing.
    api_a
        .post("/api/pleroma/delete_account")
        .auth(&carol)
        .form(&[("password", "wrong")])
        .send()
        .await
        .error(403);
    api_a
        .get(&format!("/api/v1/statuses/{}", text_of(&post, "id")))
        .ok()
        .await;
    api_a
        .post("/api/pleroma/delete_account")
        .auth(&carol)
        .form(&[("password", PASSWORD)])
        .ok()
        .await;

    // On A: signed out at once; the post, the file and the actor go; the name stays taken.
    api_a
        .get("/api/v1/accounts/verify_credentials")
        .auth(&carol)
        .send()
        .await
        .error(401);
    eventually("the post to go on A", || async {
        let reply = api_a
            .get(&format!("/api/v1/statuses/{}", text_of(&post, "id")))
            .send()
            .await;
        (reply.status == 404).then_some(())
    })
    .await;
    eventually("the file to go", || async {
        (api_a.get(&file).send().await.status == 404).then_some(())
    })
    .await;
    let actor = api_a
        .get(&format!("/users/{}", carol.username))
        .header("accept", "application/activity+json")
        .send()
        .await;
    assert!(
        actor.status == 404 || actor.status == 410,
        "{}",
        actor.status
    );
    let app_token = api_a.app().await.token.clone();
    api_a
        .post("/api/v1/accounts")
        .token(&app_token)
        .json(json!({
            "username": carol.username,
            "email": "new-carol@example.org",
            "password": PASSWORD,
            "agreement": true,
            "locale": "en",
        }))
        .send()
        .await
        .error(422);

    // On B: the actor's Delete is processed: the account and its post are gone.
    eventually("carol to disappear from B", || async {
        let reply = api_b
            .get(&format!("/api/v1/accounts/{carol_on_b}"))
            .auth(&bob)
            .send()
            .await;
        (reply.status == 404).then_some(())
    })
    .await;
    let reply = api_b
        .get(&format!("/api/v1/statuses/{post_on_b}"))
        .auth(&bob)
        .send()
        .await;
    assert_eq!(reply.status, 404);
    let following = api_b
        .get(&format!("/api/v1/accounts/{}/following", bob.id))
        .auth(&bob)
        .ok()
        .await;
    assert_eq!(following, json!([]));
    a.settle().await;
}

#[tokio::test]
async fn a_deletion_is_purged_by_batches_that_resume() {
    use rhizome_core::leaving::{DeletionState, PurgeAccount};
    use rhizome_model::{NewStatus, Visibility};
    use rhizome_testkit::fixtures::status;

    let app = local().await;
    let gus = app.register("gus").await;
    let id: Id = gus.id.parse().unwrap();
    // More posts than one batch holds.
    for n in 0..105 {
        let mut post = status(1_000 + n, id.0, Visibility::Public, true);
        post.uri = format!("{}/objects/purge-{n}", app.core.urls.base());
        app.core
            .store
            .insert_status(&NewStatus {
                status: post,
                mentions: vec![],
                tags: vec![],
                attachments: vec![],
            })
            .await
            .unwrap();
    }
    app.post("/api/pleroma/delete_account")
        .auth(&gus)
        .form(&[("password", PASSWORD)])
        .ok()
        .await;
    let left = || async {
        app.core
            .store
            .status_ids_batch(id, 1_000)
            .await
            .unwrap()
            .len()
    };
    let step = || async {
        app.core
            .run_purge_account(PurgeAccount { account_id: id })
            .await
            .unwrap();
    };
    // Each run is one batch, and queues the next: a run that dies is simply run again.
    step().await;
    assert_eq!(left().await, 5);
    assert_eq!(
        app.core.deletion_state(id).await.unwrap(),
        Some(DeletionState::InProgress)
    );
    step().await;
    assert_eq!(left().await, 0);
    step().await;
    assert_eq!(
        app.core.deletion_state(id).await.unwrap(),
        Some(DeletionState::Done)
    );
    // Done is done: a late run changes nothing.
    step().await;
    let gone = app.get(&format!("/api/v1/accounts/{}", gus.id)).ok().await;
    assert_eq!(
        (&gone["suspended"], &gone["statuses_count"]),
        (&json!(true), &json!(0)),
        "{gone}"
    );
}
