//! `rhizome import akkoma` against the reconstructed Akkoma 3.16 database in
//! shared/fixtures/akkoma: the fixture is loaded into a fresh PostgreSQL database, under the
//! address the imported Rhizome instance then serves (its ActivityPub ids keep their domain),
//! the real binary imports it into an empty Rhizome database, and everything is checked
//! through Rhizome's own HTTP interfaces; a second Rhizome instance stands in for the
//! Fediverse, with a follower of the moved account.

mod support;

use std::path::PathBuf;

use rhizome_model::{Follow, Id, Timestamp};
use rhizome_store::FollowTable;
use rhizome_testkit::TestDatabase;
use rhizome_testkit::fixtures::remote_account;
use serde_json::Value;
use support::api::{Api, eventually, path_of, text_of};
use support::{Setup, free_port};

const PASSWORD: &str = "akkoma-test-password";
const ACTIVITY_JSON: &str = "application/activity+json";

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/akkoma")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs an SQL script (several statements, `DO` blocks included) on a database.
async fn run_sql(url: &str, sql: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
}

async fn query_text(url: &str, sql: &str, bind: &str) -> String {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::query_scalar(sql)
        .bind(bind)
        .fetch_one(&mut conn)
        .await
        .unwrap()
}

fn report(json: &str) -> Value {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("report: {e}\n{json}"))
}

fn imported(report: &Value, kind: &str) -> u64 {
    report["kinds"][kind]["imported"].as_u64().unwrap_or(0)
}

/// `GET path` as a server would ask for ActivityPub JSON.
async fn fetch_ap(api: &Api, path: &str) -> Value {
    api.get(path).header("Accept", ACTIVITY_JSON).ok().await
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL suite skipped: set RHIZOME_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test to run it"
)]
async fn an_akkoma_instance_moves_with_its_accounts_keys_followers_and_posts() {
    // The other side of the Fediverse: bob, on a Rhizome instance of his own.
    let remote_db = TestDatabase::sqlite();
    let remote_dir = tempfile::tempdir().unwrap();
    let remote_setup = Setup::new(remote_db.url(), remote_dir.path())
        .with("RHIZOME_FEDERATION_ALLOW_HTTP", "true")
        .with("RHIZOME_FEDERATION_ALLOW_PRIVATE_ADDRESSES", "true")
        .with("RHIZOME_JOBS_POLL_MILLIS", "50");
    let remote_server = remote_setup.serve();
    let remote = Api::http(&remote_server.base());
    let bob = remote.register("bob").await;
    let bob_actor = fetch_ap(&remote, &format!("/users/{}", bob.username)).await;

    // The Akkoma database, under the address the imported instance will serve.
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let akkoma = TestDatabase::postgres().await;
    run_sql(akkoma.url(), &fixture("schema.sql")).await;
    run_sql(
        akkoma.url(),
        &fixture("seed.sql").replace("https://fedi.example", &base),
    )
    .await;
    // bob followed alice on Akkoma; alice's app token is still valid.
    let bob_uri = text_of(&bob_actor, "id");
    let bob_key = bob_actor["publicKey"]["publicKeyPem"].as_str().unwrap();
    let bob_domain = format!("127.0.0.1:{}", remote_server.port);
    run_sql(
        akkoma.url(),
        &format!(
            "INSERT INTO users (id, nickname, name, bio, inserted_at, updated_at, ap_id, local, \
             follower_address, inbox, shared_inbox) VALUES ('00000199-a000-0000-0000-0000000000b0', \
             '{bob_name}@{bob_domain}', 'Bob', '', now(), now(), '{bob_uri}', false, \
             '{bob_uri}/followers', '{bob_uri}/inbox', '{remote_base}/inbox'); \
             INSERT INTO signing_keys (user_id, key_id, public_key, inserted_at, updated_at) \
             VALUES ('00000199-a000-0000-0000-0000000000b0', '{bob_uri}#main-key', '{bob_key}', \
             now(), now()); \
             INSERT INTO following_relationships (follower_id, following_id, state, inserted_at, \
             updated_at) VALUES ('00000199-a000-0000-0000-0000000000b0', \
             '00000199-9eff-fa80-02ac-0ffee0aa0001', 2, now(), now()); \
             UPDATE oauth_tokens SET valid_until = now() + interval '30 days';",
            bob_name = bob.username,
            remote_base = remote_server.base(),
        ),
    )
    .await;
    let alice_uri = format!("{base}/users/alice");
    let alice_key = query_text(
        akkoma.url(),
        "SELECT public_key FROM signing_keys WHERE key_id = $1",
        &format!("{alice_uri}#main-key"),
    )
    .await;
    // bob's server knows alice as Akkoma published her, key included, and that he follows her.
    let remote_store = remote_db.store().await;
    let mut alice_there = remote_account(Id::generate(1_700_000_000_000).0, "alice", "x");
    alice_there.domain = Some(format!("127.0.0.1:{port}"));
    alice_there.uri = alice_uri.clone();
    alice_there.inbox_url = Some(format!("{alice_uri}/inbox"));
    alice_there.shared_inbox_url = Some(format!("{base}/inbox"));
    alice_there.followers_url = Some(format!("{alice_uri}/followers"));
    alice_there.public_key_id = Some(format!("{alice_uri}#main-key"));
    alice_there.public_key_pem = alice_key.clone();
    let alice_there = remote_store
        .upsert_remote_account(&alice_there)
        .await
        .unwrap();
    remote_store
        .upsert_follow(
            FollowTable::Follows,
            &Follow {
                id: Id::generate(1_700_000_000_001),
                account_id: bob.id.parse().unwrap(),
                target_account_id: alice_there.id,
                uri: Some(format!("{bob_uri}#follows/1")),
                show_reblogs: true,
                notify: false,
                created_at: Timestamp(1_700_000_000_001),
            },
        )
        .await
        .unwrap();

    // The Rhizome instance Akkoma moves into: empty, on PostgreSQL.
    let rhizome_db = TestDatabase::postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::new(rhizome_db.url(), dir.path())
        .with("RHIZOME_INSTANCE_DOMAIN", &format!("127.0.0.1:{port}"))
        .with("RHIZOME_FEDERATION_ALLOW_HTTP", "true")
        .with("RHIZOME_FEDERATION_ALLOW_PRIVATE_ADDRESSES", "true")
        .with("RHIZOME_JOBS_POLL_MILLIS", "50");
    let import = ["import", "akkoma", "--from", akkoma.url(), "--json"];
    // Akkoma's uploads folder: carol's avatar, banner and photo (Dedupe names).
    let uploads = tempfile::tempdir().unwrap();
    let photo = "0f3a5c7e9b1d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a.jpg";
    for name in [
        photo,
        "4b2e2ad4bd3bfc3f3f5a7c4b1e0f7d5d2f8e9a1c0b3d4e5f6a7b8c9d0e1f2a3b.png",
        "9c1f0e2d3b4a59687766554433221100ffeeddccbbaa99887766554433221100.jpg",
    ] {
        std::fs::write(uploads.path().join(name), format!("bytes of {name}")).unwrap();
    }
    let uploads_dir = uploads.path().to_str().unwrap();
    let import_with_uploads = [&import[..], &["--uploads", uploads_dir]].concat();

    // A dry run reads and reports, and writes nothing: not even the schema.
    let dry = report(&setup.ok(&[&import[..], &["--dry-run"]].concat(), ""));
    assert_eq!(dry["dry_run"], true);
    assert_eq!(imported(&dry, "posts"), 24);
    let tables = query_text(
        rhizome_db.url(),
        "SELECT COUNT(*)::text FROM information_schema.tables WHERE table_schema = $1",
        "public",
    )
    .await;
    assert_eq!(tables, "0", "a dry run created tables");

    // A domain that is not Akkoma's is refused: ids would change.
    let refused = setup
        .clone()
        .with("RHIZOME_INSTANCE_DOMAIN", "elsewhere.example")
        .fails(&import, "");
    assert!(refused.contains("instance.domain"), "{refused}");

    // The import: counts match the fixture's.
    let first = report(&setup.ok(&import_with_uploads, ""));
    for (kind, count) in [
        ("local users", 3),
        ("remote accounts", 6),
        ("follows", 11),
        ("follow requests", 2),
        ("blocks", 1),
        ("mutes", 1),
        ("muted threads", 1),
        ("posts", 24),
        ("boosts", 4),
        ("favourites", 4),
        ("reactions", 2),
        ("bookmarks", 3),
        ("pinned posts", 1),
        ("poll votes", 1),
        ("followed hashtags", 1),
        ("lists", 1),
        ("markers", 2),
        ("filters", 1),
        ("oauth apps", 1),
        ("oauth tokens", 1),
        ("notifications", 9),
        ("media files", 3),
    ] {
        assert_eq!(imported(&first, kind), count, "{kind}: {first:#}");
    }
    assert_eq!(first["skipped"], serde_json::json!([]), "{first:#}");

    // A second run changes nothing.
    let second = report(&setup.ok(&import_with_uploads, ""));
    for (kind, counts) in second["kinds"].as_object().unwrap() {
        assert_eq!(counts["imported"], 0, "{kind} imported again: {second:#}");
        assert_eq!(counts["skipped"], 0, "{kind}: {second:#}");
    }

    let server = setup.serve_at(port);
    let api = Api::http(&server.base());

    // The admin signs in with her Akkoma password, and again once it is re-hashed.
    for _ in 0..2 {
        let app = api.app().await.clone();
        let token = api
            .post("/oauth/token")
            .form(&[
                ("grant_type", "password"),
                ("client_id", &app.client_id),
                ("client_secret", &app.client_secret),
                ("username", "alice"),
                ("password", PASSWORD),
                ("scope", "read write"),
            ])
            .ok()
            .await;
        let me = api
            .get("/api/v1/accounts/verify_credentials")
            .token(&text_of(&token, "access_token"))
            .ok()
            .await;
        assert_eq!(me["username"], "alice");
    }
    let stored = rhizome_db
        .store()
        .await
        .local_user_by_username("alice")
        .await
        .unwrap()
        .unwrap();
    assert!(stored.password_hash.starts_with("$argon2id$"));
    assert_eq!(stored.role, rhizome_model::Role::Admin);

    // Her Akkoma app's token keeps working (only its digest was stored).
    let old_token = "Hn3Jk5Lm7Np9Qr1St3Uv5Wx7Yz9Ab1Cd3Ef5Gh7Ij9K";
    let me = api
        .get("/api/v1/accounts/verify_credentials")
        .token(old_token)
        .ok()
        .await;
    assert_eq!(me["username"], "alice");
    // Five posts and two boosts; direct messages are not counted.
    assert_eq!(me["statuses_count"], 7, "{me:#}");
    assert_eq!(
        me["followers_count"], 5,
        "gus, dana, carol, ivy and bob: {me:#}"
    );
    assert_eq!(
        me["following_count"], 3,
        "dana, carol and ivy; erin is pending: {me:#}"
    );
    assert_eq!(me["locked"], false);
    let lena = api.get("/api/v1/accounts/lookup?acct=lena").ok().await;
    assert_eq!(lena["locked"], true);

    // The actor serves the same key as on Akkoma.
    let actor = fetch_ap(&api, "/users/alice").await;
    assert_eq!(actor["id"], alice_uri.as_str());
    assert_eq!(
        actor["publicKey"]["publicKeyPem"].as_str().unwrap().trim(),
        alice_key.trim()
    );
    assert_eq!(actor["publicKey"]["id"], format!("{alice_uri}#main-key"));

    // Old post addresses resolve: the object, and Akkoma's /notice/{base62 Create id}.
    let object = format!("{base}/objects/d30311c7-2557-4968-982f-63bb37ee25db");
    let note = fetch_ap(&api, "/objects/d30311c7-2557-4968-982f-63bb37ee25db").await;
    assert_eq!(note["id"], object.as_str());
    assert!(
        note["content"]
            .as_str()
            .unwrap()
            .contains("Welcome to fedi.example")
    );
    let notice =
        rhizome_import_akkoma::ids::flake_base62("00000199-a44f-8960-02ac-0ffee0aa0020").unwrap();
    let by_notice = fetch_ap(&api, &format!("/notice/{notice}")).await;
    assert_eq!(by_notice["id"], object.as_str());
    let page = api
        .get(&format!("/notice/{notice}"))
        .send()
        .await
        .expect(303);
    assert!(page.header("location").unwrap().starts_with("/@alice/"));

    // Visibility, content warnings, polls and edits came along.
    let statuses = api
        .get(&format!(
            "/api/v1/accounts/{}/statuses?limit=40",
            me["id"].as_str().unwrap()
        ))
        .token(old_token)
        .ok()
        .await;
    let by_text = |needle: &str| -> Value {
        statuses
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["content"].as_str().unwrap_or("").contains(needle))
            .cloned()
            .unwrap_or_else(|| panic!("no status with {needle:?}: {statuses:#}"))
    };
    assert_eq!(by_text("Welcome")["visibility"], "public");
    assert_eq!(by_text("Welcome")["favourites_count"], 1);
    assert_eq!(by_text("Maintenance window")["visibility"], "unlisted");
    assert_eq!(by_text("Followers only")["visibility"], "private");
    assert_eq!(
        by_text("account request is approved")["visibility"],
        "direct"
    );
    let poll = by_text("Which timeline")["poll"].clone();
    assert_eq!(poll["options"][0]["votes_count"], 1, "{poll:#}");
    let lena_posts = api
        .get(&format!(
            "/api/v1/accounts/{}/statuses",
            lena["id"].as_str().unwrap()
        ))
        .token(old_token)
        .ok()
        .await;
    assert!(
        lena_posts
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["visibility"] == "local"),
        "{lena_posts:#}"
    );

    // Carol's photo was copied into media storage and is served from here.
    let carol = api.get("/api/v1/accounts/lookup?acct=carol").ok().await;
    let carol_posts = api
        .get(&format!(
            "/api/v1/accounts/{}/statuses",
            carol["id"].as_str().unwrap()
        ))
        .ok()
        .await;
    let moss = carol_posts
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["content"].as_str().unwrap_or("").contains("Moss season"))
        .cloned()
        .unwrap();
    let media_url = text_of(&moss["media_attachments"][0], "url");
    assert!(
        media_url.ends_with(&format!("/media/akkoma/{photo}")),
        "{moss:#}"
    );
    assert_eq!(
        moss["media_attachments"][0]["description"],
        "A mossy forest floor with a small mushroom"
    );
    let file = api.get(&path_of(&api, &media_url)).send().await.expect(200);
    assert_eq!(file.text(), format!("bytes of {photo}"));
    assert!(
        text_of(&carol, "avatar").contains("/media/akkoma/"),
        "{carol:#}"
    );

    // bob, who followed alice on Akkoma, receives her first post here, signed with her key.
    let posted = api
        .post("/api/v1/statuses")
        .token(old_token)
        .json(serde_json::json!({"status": "Hello from Rhizome, same address", "visibility": "public"}))
        .ok()
        .await;
    let uri = text_of(&posted, "uri");
    eventually("the post in bob's home timeline", || async {
        let home = remote.get("/api/v1/timelines/home").auth(&bob).ok().await;
        home.as_array()
            .unwrap()
            .iter()
            .any(|s| s["uri"] == uri.as_str())
            .then_some(())
    })
    .await;
    // Nothing made bob's server refetch alice for a new key.
    let alice_now = remote_store
        .account_by_uri(&alice_uri)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(alice_now.public_key_pem.trim(), alice_key.trim());
}
