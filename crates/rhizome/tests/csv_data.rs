//! CSV exports and imports (issue #10): Mastodon's exact columns, imports applied by the job
//! queue with their progress and failures, overwrite mode, a round trip between two real
//! instances, an import that survives a `kill -9`, Akkoma's import endpoints, scopes and the
//! admin CLI.

mod support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use rhizome_model::Id;
use rhizome_store::{ImportProgress, PoolSize, Store};
use rhizome_testkit::TestDatabase;
use serde_json::{Value, json};
use support::Setup;
use support::api::{Api, User, enc, local, start_server, text_of};
use support::media::multipart;

/// Federation over plain HTTP between loopback instances.
const FEDERATION: [(&str, &str); 2] = [
    ("RHIZOME_FEDERATION_ALLOW_HTTP", "true"),
    ("RHIZOME_FEDERATION_ALLOW_PRIVATE_ADDRESSES", "true"),
];

const EXPORTS: [&str; 7] = [
    "following",
    "followers",
    "lists",
    "blocks",
    "mutes",
    "domain_blocks",
    "bookmarks",
];

/// Polls `probe` until it returns `Some`, for at most `limit`.
async fn wait_for<T, F, Fut>(limit: Duration, what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {limit:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn export(api: &Api, token: &str, name: &str) -> String {
    api.get(&format!("/api/v1/exports/{name}.csv"))
        .token(token)
        .send()
        .await
        .expect(200)
        .text()
}

fn lines(text: &str) -> BTreeSet<String> {
    text.lines().map(str::to_owned).collect()
}

/// `POST /api/v1/import` with `body` as the file; returns the answer (`202` expected).
async fn upload(api: &Api, token: &str, kind: &str, mode: &str, body: &str) -> Value {
    let (content_type, bytes) = multipart(&[
        ("type", None, "text/plain", kind.as_bytes()),
        ("mode", None, "text/plain", mode.as_bytes()),
        ("data", Some("export.csv"), "text/csv", body.as_bytes()),
    ]);
    api.post("/api/v1/import")
        .token(token)
        .body(&content_type, bytes)
        .send()
        .await
        .expect(202)
        .json()
}

/// Waits until the import `id` is finished; returns it.
async fn finished(api: &Api, token: &str, id: &str, limit: Duration) -> Value {
    wait_for(limit, &format!("import {id} to finish"), || async {
        let import = api
            .get(&format!("/api/v1/imports/{id}"))
            .token(token)
            .ok()
            .await;
        (import["state"] == "finished").then_some(import)
    })
    .await
}

/// Imports `body` and waits for it; returns the finished import.
async fn import_and_wait(api: &Api, token: &str, kind: &str, mode: &str, body: &str) -> Value {
    let started = upload(api, token, kind, mode, body).await;
    finished(
        api,
        token,
        &text_of(&started, "id"),
        Duration::from_secs(30),
    )
    .await
}

async fn failures(api: &Api, token: &str, id: &str) -> Vec<(i64, String, String)> {
    let rows = api
        .get(&format!("/api/v1/imports/{id}/failures"))
        .token(token)
        .ok()
        .await;
    rows.as_array()
        .expect("an array of failures")
        .iter()
        .map(|row| {
            (
                row["row"].as_i64().expect("row"),
                text_of(row, "data"),
                text_of(row, "error"),
            )
        })
        .collect()
}

async fn relationship(api: &Api, token: &str, id: &str) -> Value {
    api.get(&format!("/api/v1/accounts/relationships?id[]={id}"))
        .token(token)
        .ok()
        .await[0]
        .clone()
}

/// The local id of `acct`, resolved (by WebFinger when remote) on `api`'s instance.
async fn resolve(api: &Api, token: &str, acct: &str) -> String {
    let found = api
        .get(&format!(
            "/api/v2/search?q={}&resolve=true&type=accounts",
            enc(acct)
        ))
        .token(token)
        .ok()
        .await;
    assert_eq!(found["accounts"][0]["acct"], acct, "{found}");
    text_of(&found["accounts"][0], "id")
}

async fn follow_with(api: &Api, who: &User, id: &str, options: Value) {
    api.post(&format!("/api/v1/accounts/{id}/follow"))
        .auth(who)
        .json(options)
        .ok()
        .await;
}

async fn make_list(api: &Api, owner: &User, title: &str, members: &[&str]) -> String {
    let list = api
        .post("/api/v1/lists")
        .auth(owner)
        .json(json!({ "title": title }))
        .ok()
        .await;
    let id = text_of(&list, "id");
    api.post(&format!("/api/v1/lists/{id}/accounts"))
        .auth(owner)
        .json(json!({ "account_ids": members }))
        .ok()
        .await;
    id
}

#[tokio::test]
async fn exports_have_mastodon_columns() {
    let app = local().await;
    let domain = app.core.config.domain.clone();
    let [alice, bob, carol, dave, erin] = [
        app.register("alice").await,
        app.register("bob").await,
        app.register("carol").await,
        app.register("dave").await,
        app.register("erin").await,
    ];
    let acct = |user: &User| format!("{}@{domain}", user.username);
    follow_with(
        &app,
        &alice,
        &bob.id,
        json!({ "reblogs": false, "notify": true }),
    )
    .await;
    follow_with(&app, &alice, &carol.id, json!({})).await;
    app.follow(&bob, &alice).await;
    app.post(&format!("/api/v1/accounts/{}/block", dave.id))
        .auth(&alice)
        .ok()
        .await;
    app.post(&format!("/api/v1/accounts/{}/mute", erin.id))
        .auth(&alice)
        .json(json!({ "notifications": false }))
        .ok()
        .await;
    make_list(&app, &alice, "Close friends, really", &[&bob.id, &carol.id]).await;
    app.post("/api/v1/domain_blocks")
        .auth(&alice)
        .form(&[("domain", "spam.example")])
        .ok()
        .await;
    let post = app.post_status(&bob, "worth keeping", "public").await;
    app.post(&format!(
        "/api/v1/statuses/{}/bookmark",
        text_of(&post, "id")
    ))
    .auth(&alice)
    .ok()
    .await;

    let expected = [
        (
            "following",
            "following_accounts.csv",
            format!(
                "Account address,Show boosts,Notify on new posts,Languages\n\
                 {},true,false,\n{},false,true,\n",
                acct(&carol),
                acct(&bob)
            ),
        ),
        (
            "followers",
            "followers.csv",
            format!("Account address\n{}\n", acct(&bob)),
        ),
        (
            "lists",
            "lists.csv",
            format!(
                "\"Close friends, really\",{}\n\"Close friends, really\",{}\n",
                acct(&bob),
                acct(&carol)
            ),
        ),
        (
            "blocks",
            "blocked_accounts.csv",
            format!("{}\n", acct(&dave)),
        ),
        (
            "mutes",
            "muted_accounts.csv",
            format!(
                "Account address,Hide notifications\n{},false\n",
                acct(&erin)
            ),
        ),
        (
            "domain_blocks",
            "blocked_domains.csv",
            "spam.example\n".to_owned(),
        ),
        (
            "bookmarks",
            "bookmarks.csv",
            format!("{}\n", text_of(&post, "uri")),
        ),
    ];
    for (name, file_name, body) in expected {
        let reply = app
            .get(&format!("/api/v1/exports/{name}.csv"))
            .auth(&alice)
            .send()
            .await
            .expect(200);
        assert_eq!(reply.text(), body, "{name}.csv");
        assert_eq!(
            reply.header("content-type").as_deref(),
            Some("text/csv; charset=utf-8")
        );
        assert_eq!(
            reply.header("content-disposition").unwrap_or_default(),
            format!("attachment; filename=\"{file_name}\"")
        );
    }
    // Someone with nothing to export gets the headers alone.
    assert_eq!(
        export(&app, &dave.token, "mutes").await,
        "Account address,Hide notifications\n"
    );
    assert_eq!(export(&app, &dave.token, "blocks").await, "");
    app.get("/api/v1/exports/passwords.csv")
        .auth(&alice)
        .send()
        .await
        .expect(404);
}

#[tokio::test]
async fn scopes_are_enforced() {
    let app = local().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;

    // Anonymous: 401 everywhere.
    for path in ["/api/v1/exports/following.csv", "/api/v1/imports"] {
        app.get(path).send().await.error(401);
    }
    let (content_type, body) = multipart(&[
        ("type", None, "text/plain", b"blocking"),
        ("data", Some("blocks.csv"), "text/csv", b"bob\n"),
    ]);
    app.post("/api/v1/import")
        .body(&content_type, body.clone())
        .send()
        .await
        .error(401);
    app.post("/api/pleroma/blocks_import")
        .form(&[("list", "bob")])
        .send()
        .await
        .error(401);

    // Each export needs its own read scope.
    let lists_only = app.token(&alice, "read:lists").await;
    export(&app, &lists_only, "lists").await;
    for name in EXPORTS.iter().filter(|name| **name != "lists") {
        app.get(&format!("/api/v1/exports/{name}.csv"))
            .token(&lists_only)
            .send()
            .await
            .error(403);
    }
    let follows_only = app.token(&alice, "read:follows").await;
    export(&app, &follows_only, "following").await;
    export(&app, &follows_only, "followers").await;
    app.get("/api/v1/exports/bookmarks.csv")
        .token(&follows_only)
        .send()
        .await
        .error(403);

    // Importing blocks needs write:blocks (or follow), not write:follows.
    let write_follows = app.token(&alice, "write:follows read:follows").await;
    app.post("/api/v1/import")
        .token(&write_follows)
        .body(&content_type, body.clone())
        .send()
        .await
        .error(403);
    app.post("/api/pleroma/blocks_import")
        .token(&write_follows)
        .form(&[("list", "bob")])
        .send()
        .await
        .error(403);
    let blocks = app.token(&alice, "write:blocks").await;
    let started = app
        .post("/api/v1/import")
        .token(&blocks)
        .body(&content_type, body.clone())
        .send()
        .await
        .expect(202)
        .json();
    assert_eq!(
        (&started["type"], &started["state"], &started["total_items"]),
        (&json!("blocking"), &json!("in_progress"), &json!(1))
    );
    let id = text_of(&started, "id");
    // Reading it back needs read:blocks; listing shows only what the token may read.
    app.get(&format!("/api/v1/imports/{id}"))
        .token(&follows_only)
        .send()
        .await
        .error(403);
    let listed = app.get("/api/v1/imports").token(&follows_only).ok().await;
    assert_eq!(listed, json!([]));
    let read_blocks = app.token(&alice, "read:blocks").await;
    let listed = app.get("/api/v1/imports").token(&read_blocks).ok().await;
    assert_eq!(listed[0]["id"], json!(id));
    app.get(&format!("/api/v1/imports/{id}/failures"))
        .token(&read_blocks)
        .ok()
        .await;
    // Another user does not see it.
    app.get(&format!("/api/v1/imports/{id}"))
        .auth(&bob)
        .send()
        .await
        .error(404);
    // `follow` stands for the granular follow scopes, as in Akkoma.
    let legacy = app.token(&alice, "follow").await;
    let answer = app
        .post("/api/pleroma/mutes_import")
        .token(&legacy)
        .form(&[("list", "bob")])
        .ok()
        .await;
    assert_eq!(answer, json!("job started"));
    // A list import follows, so it needs write:follows besides write:lists.
    let (lists_type, lists_body) = multipart(&[
        ("type", None, "text/plain", b"lists"),
        ("data", Some("lists.csv"), "text/csv", b"Friends,bob\n"),
    ]);
    let lists_write = app.token(&alice, "write:lists").await;
    app.post("/api/v1/import")
        .token(&lists_write)
        .body(&lists_type, lists_body)
        .send()
        .await
        .error(403);

    // Bad requests.
    let everything = alice.token.clone();
    let (bad_type, bad_body) = multipart(&[
        ("type", None, "text/plain", b"statuses"),
        ("data", Some("x.csv"), "text/csv", b"bob\n"),
    ]);
    app.post("/api/v1/import")
        .token(&everything)
        .body(&bad_type, bad_body)
        .send()
        .await
        .error(422);
    let (mismatch, mismatch_body) = multipart(&[
        ("type", None, "text/plain", b"lists"),
        (
            "data",
            Some("following_accounts.csv"),
            "text/csv",
            b"Account address,Show boosts\nbob,true\n",
        ),
    ]);
    let error = app
        .post("/api/v1/import")
        .token(&everything)
        .body(&mismatch, mismatch_body)
        .send()
        .await
        .error(422);
    assert!(error.contains("List name"), "{error}");
    let huge = "bob@example.org\n".repeat(300_000);
    let (large, large_body) = multipart(&[
        ("type", None, "text/plain", b"blocking"),
        ("data", Some("blocks.csv"), "text/csv", huge.as_bytes()),
    ]);
    app.post("/api/v1/import")
        .token(&everything)
        .body(&large, large_body)
        .send()
        .await
        .expect(413);
}

#[tokio::test]
async fn imports_report_failures_and_overwrite_removes_extras() {
    let server = start_server(&[]);
    let app = server.api();
    let domain = format!("127.0.0.1:{}", server.server.port);
    let alice = app.register("alice").await;
    let [bob, carol, dave, erin] = [
        app.register("bob").await,
        app.register("carol").await,
        app.register("dave").await,
        app.register("erin").await,
    ];
    let acct = |user: &User| format!("{}@{domain}", user.username);
    app.follow(&alice, &dave).await;

    // Merge: bad lines fail alone, the others are applied, what was there stays.
    let file = format!(
        "Account address,Show boosts,Notify on new posts,Languages\n\
         {},false,true,\n\
         not an address!,true,false,\n\
         nobody@{domain},true,false,\n\
         {},perhaps,false,\n\
         @{},true,false,\"en, fr\"\n",
        acct(&bob),
        acct(&carol),
        acct(&carol)
    );
    let done = import_and_wait(&app, &alice.token, "following", "merge", &file).await;
    assert_eq!(
        (
            &done["total_items"],
            &done["processed_items"],
            &done["imported_items"],
            &done["failed_items"]
        ),
        (&json!(5), &json!(5), &json!(2), &json!(3)),
        "{done}"
    );
    let failed = failures(&app, &alice.token, &text_of(&done, "id")).await;
    let rows: Vec<i64> = failed.iter().map(|(row, _, _)| *row).collect();
    assert_eq!(rows, [2, 3, 4], "{failed:?}");
    assert!(failed[0].2.contains("not an account address"), "{failed:?}");
    assert!(failed[1].2.contains("not found"), "{failed:?}");
    assert!(failed[2].2.contains("true or false"), "{failed:?}");
    assert_eq!(failed[2].1, format!("{},perhaps,false,", acct(&carol)));
    let to_bob = relationship(&app, &alice.token, &bob.id).await;
    assert_eq!(
        (
            &to_bob["following"],
            &to_bob["showing_reblogs"],
            &to_bob["notifying"]
        ),
        (&json!(true), &json!(false), &json!(true))
    );
    for user in [&carol, &dave] {
        assert_eq!(
            relationship(&app, &alice.token, &user.id).await["following"],
            true
        );
    }

    // Overwrite: only what the file names is left.
    let file = format!("{}\n", acct(&bob));
    import_and_wait(&app, &alice.token, "following", "overwrite", &file).await;
    assert_eq!(
        lines(&export(&app, &alice.token, "following").await),
        lines(&format!(
            "Account address,Show boosts,Notify on new posts,Languages\n{},true,false,\n",
            acct(&bob)
        ))
    );

    app.post(&format!("/api/v1/accounts/{}/block", carol.id))
        .auth(&alice)
        .ok()
        .await;
    let blocks = format!("{}\n{}\n", acct(&dave), acct(&erin));
    import_and_wait(&app, &alice.token, "blocking", "overwrite", &blocks).await;
    assert_eq!(
        lines(&export(&app, &alice.token, "blocks").await),
        lines(&blocks)
    );

    app.post(&format!("/api/v1/accounts/{}/mute", bob.id))
        .auth(&alice)
        .ok()
        .await;
    let mutes = format!(
        "Account address,Hide notifications\n{},false\n",
        acct(&carol)
    );
    import_and_wait(&app, &alice.token, "muting", "overwrite", &mutes).await;
    assert_eq!(export(&app, &alice.token, "mutes").await, mutes);

    app.post("/api/v1/domain_blocks")
        .auth(&alice)
        .form(&[("domain", "old.example")])
        .ok()
        .await;
    import_and_wait(
        &app,
        &alice.token,
        "domain_blocking",
        "overwrite",
        "New.Example\nbad domain\n",
    )
    .await;
    assert_eq!(
        export(&app, &alice.token, "domain_blocks").await,
        "new.example\n"
    );

    let kept = app.post_status(&bob, "keep me", "public").await;
    let dropped = app.post_status(&bob, "drop me", "public").await;
    app.post(&format!(
        "/api/v1/statuses/{}/bookmark",
        text_of(&dropped, "id")
    ))
    .auth(&alice)
    .ok()
    .await;
    let bookmarks = format!(
        "{}\nftp://nowhere/1\n{}/statuses/404\n",
        text_of(&kept, "uri"),
        app.base
    );
    let done = import_and_wait(&app, &alice.token, "bookmarks", "overwrite", &bookmarks).await;
    assert_eq!(
        (&done["imported_items"], &done["failed_items"]),
        (&json!(1), &json!(2))
    );
    assert_eq!(
        export(&app, &alice.token, "bookmarks").await,
        format!("{}\n", text_of(&kept, "uri"))
    );

    // Lists: a list the file lacks goes, a member the file lacks leaves, and an account put
    // in a list is followed.
    make_list(&app, &alice, "Old", &[&bob.id]).await;
    let keep = make_list(&app, &alice, "Keep", &[&bob.id]).await;
    let lists = format!("Keep,{}\n", acct(&carol));
    import_and_wait(&app, &alice.token, "lists", "overwrite", &lists).await;
    assert_eq!(export(&app, &alice.token, "lists").await, lists);
    let remaining = app.get("/api/v1/lists").auth(&alice).ok().await;
    assert_eq!(
        remaining
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].clone())
            .collect::<Vec<_>>(),
        [json!(keep)]
    );
    assert_eq!(
        relationship(&app, &alice.token, &carol.id).await["following"],
        true
    );

    // The admin CLI sees the same imports and writes the same exports.
    let cli = server
        .setup
        .clone()
        .with("RHIZOME_INSTANCE_DOMAIN", &domain);
    let listed = cli.ok(&["admin", "imports", "list", "--user", &alice.username], "");
    assert_eq!(listed.lines().count(), 7, "{listed}");
    assert!(
        listed.lines().all(|line| line.contains("finished")),
        "{listed}"
    );
    let shown: Value = serde_json::from_str(&cli.ok(
        &["admin", "imports", "show", &text_of(&done, "id"), "--json"],
        "",
    ))
    .unwrap();
    assert_eq!(shown["failures"].as_array().unwrap().len(), 2, "{shown}");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("alice-export");
    cli.ok(
        &[
            "admin",
            "export-user",
            &alice.username,
            "--out",
            out.to_str().unwrap(),
        ],
        "",
    );
    for (name, file) in [
        ("following", "following_accounts.csv"),
        ("followers", "followers.csv"),
        ("lists", "lists.csv"),
        ("blocks", "blocked_accounts.csv"),
        ("mutes", "muted_accounts.csv"),
        ("domain_blocks", "blocked_domains.csv"),
        ("bookmarks", "bookmarks.csv"),
    ] {
        assert_eq!(
            std::fs::read_to_string(out.join(file)).unwrap(),
            export(&app, &alice.token, name).await,
            "{file}"
        );
    }
}

#[tokio::test]
async fn akkoma_import_endpoints_work() {
    let server = start_server(&[]);
    let app = server.api();
    let domain = format!("127.0.0.1:{}", server.server.port);
    let alice = app.register("alice").await;
    let [bob, carol, dave, erin] = [
        app.register("bob").await,
        app.register("carol").await,
        app.register("dave").await,
        app.register("erin").await,
    ];
    let acct = |user: &User| format!("{}@{domain}", user.username);

    // A text field with one address a line (Mastodon's CSV works too).
    let answer = app
        .post("/api/pleroma/follow_import")
        .auth(&alice)
        .form(&[(
            "list",
            format!(
                "Account address,Show boosts\n{},true\n@{}\n",
                acct(&bob),
                acct(&carol)
            )
            .as_str(),
        )])
        .ok()
        .await;
    assert_eq!(answer, json!("job started"));
    // An uploaded file, addresses separated by white space.
    let blocks = format!("{} @{}", acct(&dave), acct(&erin));
    let (content_type, body) =
        multipart(&[("list", Some("blocks.txt"), "text/plain", blocks.as_bytes())]);
    let answer = app
        .post("/api/pleroma/blocks_import")
        .auth(&alice)
        .body(&content_type, body)
        .ok()
        .await;
    assert_eq!(answer, json!("job started"));
    let answer = app
        .post("/api/pleroma/mutes_import")
        .auth(&alice)
        .json(json!({ "list": bob.username }))
        .ok()
        .await;
    assert_eq!(answer, json!("job started"));

    let imports = wait_for(
        Duration::from_secs(20),
        "three finished imports",
        || async {
            let list = app.get("/api/v1/imports").auth(&alice).ok().await;
            let all = list.as_array().cloned().unwrap_or_default();
            (all.len() == 3 && all.iter().all(|i| i["state"] == "finished")).then_some(all)
        },
    )
    .await;
    let kinds: BTreeSet<_> = imports
        .iter()
        .map(|i| (text_of(i, "type"), text_of(i, "mode")))
        .collect();
    assert_eq!(
        kinds,
        [
            ("blocking", "merge"),
            ("following", "merge"),
            ("muting", "merge")
        ]
        .map(|(k, m)| (k.to_owned(), m.to_owned()))
        .into()
    );
    for (user, field) in [
        (&bob, "following"),
        (&carol, "following"),
        (&dave, "blocking"),
        (&erin, "blocking"),
        (&bob, "muting"),
    ] {
        assert_eq!(
            relationship(&app, &alice.token, &user.id).await[field],
            true,
            "{field} {}",
            user.username
        );
    }
}

/// Two real instances: what alice exports on A, imported by her new account on B, gives
/// the same follows, lists, blocks, mutes, blocked domains and bookmarks — remote accounts
/// found by WebFinger, follows federated as usual.
#[tokio::test]
async fn export_then_import_into_another_instance_round_trips() {
    let a = start_server(&FEDERATION);
    let b = start_server(&FEDERATION);
    let (api_a, api_b) = (a.api(), b.api());
    let (domain_a, domain_b) = (
        format!("127.0.0.1:{}", a.server.port),
        format!("127.0.0.1:{}", b.server.port),
    );
    let alice = api_a.register("alice").await;
    let [bob, carol] = [api_a.register("bob").await, api_a.register("carol").await];
    let [dave, erin, frank] = [
        api_b.register("dave").await,
        api_b.register("erin").await,
        api_b.register("frank").await,
    ];
    let new_alice = api_b.register("alice").await;

    follow_with(
        &api_a,
        &alice,
        &bob.id,
        json!({ "reblogs": false, "notify": true }),
    )
    .await;
    let dave_on_a = resolve(
        &api_a,
        &alice.token,
        &format!("{}@{domain_b}", dave.username),
    )
    .await;
    follow_with(&api_a, &alice, &dave_on_a, json!({})).await;
    let erin_on_a = resolve(
        &api_a,
        &alice.token,
        &format!("{}@{domain_b}", erin.username),
    )
    .await;
    let frank_on_a = resolve(
        &api_a,
        &alice.token,
        &format!("{}@{domain_b}", frank.username),
    )
    .await;
    for (id, action) in [(&carol.id, "block"), (&erin_on_a, "block")] {
        api_a
            .post(&format!("/api/v1/accounts/{id}/{action}"))
            .auth(&alice)
            .ok()
            .await;
    }
    api_a
        .post(&format!("/api/v1/accounts/{frank_on_a}/mute"))
        .auth(&alice)
        .json(json!({ "notifications": false }))
        .ok()
        .await;
    api_a
        .post("/api/v1/domain_blocks")
        .auth(&alice)
        .form(&[("domain", "spam.example")])
        .ok()
        .await;
    let post = api_a.post_status(&bob, "a keeper", "public").await;
    api_a
        .post(&format!(
            "/api/v1/statuses/{}/bookmark",
            text_of(&post, "id")
        ))
        .auth(&alice)
        .ok()
        .await;
    wait_for(
        Duration::from_secs(20),
        "B to accept alice's follow",
        || async {
            (relationship(&api_a, &alice.token, &dave_on_a).await["following"] == true)
                .then_some(())
        },
    )
    .await;
    make_list(&api_a, &alice, "Friends, close", &[&bob.id, &dave_on_a]).await;

    let mut exported = std::collections::BTreeMap::new();
    for name in EXPORTS {
        exported.insert(name, export(&api_a, &alice.token, name).await);
    }
    assert_eq!(exported["following"].lines().count(), 3);
    assert_eq!(exported["lists"].lines().count(), 2);

    // One import after the other, as a person would do it.
    for (kind, name) in [
        ("following", "following"),
        ("blocking", "blocks"),
        ("muting", "mutes"),
        ("domain_blocking", "domain_blocks"),
        ("bookmarks", "bookmarks"),
        ("lists", "lists"),
    ] {
        let done = import_and_wait(&api_b, &new_alice.token, kind, "merge", &exported[name]).await;
        let failed = failures(&api_b, &new_alice.token, &text_of(&done, "id")).await;
        assert!(failed.is_empty(), "{kind}: {failed:?}");
    }

    // Bob's server accepts the federated follow; then every export reads the same.
    let following = wait_for(
        Duration::from_secs(20),
        "A to accept the follow of bob",
        || async {
            let text = export(&api_b, &new_alice.token, "following").await;
            (lines(&text) == lines(&exported["following"])).then_some(text)
        },
    )
    .await;
    assert!(following.contains(&format!("{}@{domain_a},false,true,", bob.username)));
    for name in ["lists", "blocks", "mutes", "domain_blocks", "bookmarks"] {
        assert_eq!(
            lines(&export(&api_b, &new_alice.token, name).await),
            lines(&exported[name]),
            "{name}.csv"
        );
    }
    // The follow reached A: bob has a follower on B.
    let followers = export(&api_a, &bob.token, "followers").await;
    assert!(
        followers.contains(&format!("{}@{domain_b}", new_alice.username)),
        "{followers}"
    );
}

/// Answers every request with `404`, slowly: rows naming accounts there fail, one by one.
fn slow_server(delay: Duration) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                use std::io::{Read, Write};
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut buffer = [0_u8; 4096];
                let _ = stream.read(&mut buffer);
                std::thread::sleep(delay);
                let _ = stream.write_all(
                    b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                );
            });
        }
    });
    port
}

/// An import killed with its server resumes after a restart at the first row not applied,
/// and applies no row twice: each followed account gets one follow notification.
async fn an_import_survives_kill_9_without_duplicates(db: TestDatabase) {
    let slow = slow_server(Duration::from_millis(150));
    let dir = tempfile::tempdir().unwrap();
    let url = db.url().to_owned();
    let domain = format!("127.0.0.1:{}", support::free_port());
    let mut setup = Setup::new(&url, dir.path())
        .with("RHIZOME_JOBS_POLL_MILLIS", "50")
        .with("RHIZOME_JOBS_LEASE_SECONDS", "3")
        .with("RHIZOME_INSTANCE_DOMAIN", &domain);
    for (key, value) in FEDERATION {
        setup = setup.with(key, value);
    }
    let mut first = setup.serve();
    let app = Api::http(&first.base());
    let alice = app.register("alice").await;
    let mut followed = Vec::new();
    for _ in 0..10 {
        followed.push(app.register("bob").await);
    }
    let mut file = String::from("Account address,Show boosts,Notify on new posts,Languages\n");
    for (i, user) in followed.iter().enumerate() {
        file.push_str(&format!("{}@{domain},true,false,\n", user.username));
        for j in 0..3 {
            file.push_str(&format!("ghost{i}x{j}@127.0.0.1:{slow},true,false,\n"));
        }
    }
    let started = upload(&app, &alice.token, "following", "merge", &file).await;
    let id = text_of(&started, "id");
    wait_for(Duration::from_secs(30), "a few rows applied", || async {
        let import = app
            .get(&format!("/api/v1/imports/{id}"))
            .auth(&alice)
            .ok()
            .await;
        (import["processed_items"].as_i64().unwrap_or(0) >= 5).then_some(())
    })
    .await;
    first.kill_hard();

    let store = Store::connect(&url, PoolSize { max_connections: 2 })
        .await
        .unwrap();
    let import_job = |jobs: Vec<rhizome_model::Job>| {
        jobs.into_iter()
            .find(|job| job.kind == "process_import")
            .expect("the import's job")
    };
    let all_jobs = || async {
        store
            .list_jobs(None, &rhizome_store::PageRequest::first(1000))
            .await
            .unwrap()
            .items
    };
    // Killed in the middle of a slice (the usual case) or between two, when it was queued.
    let cut_short = import_job(all_jobs().await).state == rhizome_model::JobState::Running;
    let import_id: Id = id.parse().unwrap();
    let ImportProgress { done, failed } =
        store.import_progress(&[import_id]).await.unwrap()[&import_id];
    assert!(
        done + failed < 40,
        "the import was cut short ({done} done, {failed} failed)"
    );

    let second = setup.serve();
    let app = Api::http(&second.base());
    let done = finished(&app, &alice.token, &id, Duration::from_secs(60)).await;
    assert_eq!(
        (
            &done["total_items"],
            &done["imported_items"],
            &done["failed_items"]
        ),
        (&json!(40), &json!(10), &json!(30)),
        "{done}"
    );
    for (_, source, error) in failures(&app, &alice.token, &id).await {
        assert!(source.starts_with("ghost"), "{source}: {error}");
        assert!(error.contains("not found"), "{source}: {error}");
    }
    let following = export(&app, &alice.token, "following").await;
    assert_eq!(following.lines().count(), 11, "{following}");
    for user in &followed {
        let notifications = app
            .get("/api/v1/notifications?types[]=follow")
            .auth(user)
            .ok()
            .await;
        let from_alice = notifications
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["account"]["id"] == json!(alice.id))
            .count();
        assert_eq!(from_alice, 1, "{}: {notifications}", user.username);
    }
    // The job was taken over once its lease ended: one attempt cut short, one that finished.
    let job = import_job(all_jobs().await);
    assert_eq!(job.state, rhizome_model::JobState::Done, "{job:?}");
    assert_eq!(job.attempts, if cut_short { 2 } else { 1 }, "{job:?}");
    store.close().await;
}

mod sqlite {
    use super::*;

    #[tokio::test]
    async fn an_import_survives_kill_9_without_duplicates() {
        super::an_import_survives_kill_9_without_duplicates(TestDatabase::sqlite()).await;
    }
}

mod postgres {
    use super::*;

    #[tokio::test]
    #[cfg_attr(
        not(postgres_tests),
        ignore = "PostgreSQL suite skipped: set RHIZOME_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test to run it"
    )]
    async fn an_import_survives_kill_9_without_duplicates() {
        super::an_import_survives_kill_9_without_duplicates(TestDatabase::postgres().await).await;
    }
}
