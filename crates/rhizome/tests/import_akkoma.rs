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

/// The fixture's Akkoma database in a fresh PostgreSQL database, under `base`.
async fn akkoma_at(base: &str) -> TestDatabase {
    let akkoma = TestDatabase::postgres().await;
    run_sql(akkoma.url(), &fixture("schema.sql")).await;
    run_sql(
        akkoma.url(),
        &fixture("seed.sql").replace("https://fedi.example", base),
    )
    .await;
    akkoma
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
    let akkoma = akkoma_at(&base).await;
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
    // The fixture has no config table: the report says where the settings are instead.
    assert!(
        first["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap_or("").starts_with("no config table")),
        "{first:#}"
    );

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

/// Erlang terms as Akkoma's ConfigDB writes them (`:erlang.term_to_binary`): keyword lists of
/// atoms, strings as binaries, instance lists as `{"domain", "reason"}` tuples, modules as
/// `Elixir.…` atoms.
mod etf {
    use eetf::{Atom, Binary, FixInteger, List, Term, Tuple};

    pub fn atom(name: &str) -> Term {
        Term::from(Atom::from(name))
    }
    pub fn text(value: &str) -> Term {
        Term::from(Binary::from(value.as_bytes()))
    }
    pub fn int(value: i32) -> Term {
        Term::from(FixInteger::from(value))
    }
    pub fn list(elements: Vec<Term>) -> Term {
        Term::from(List::from(elements))
    }
    pub fn entry(domain: &str, reason: &str) -> Term {
        Term::from(Tuple::from(vec![text(domain), text(reason)]))
    }
    pub fn keyword(pairs: Vec<(&str, Term)>) -> Term {
        list(
            pairs
                .into_iter()
                .map(|(key, value)| Term::from(Tuple::from(vec![atom(key), value])))
                .collect(),
        )
    }
    pub fn encode(term: &Term) -> Vec<u8> {
        let mut bytes = Vec::new();
        term.encode(&mut bytes).unwrap();
        bytes
    }
}

/// Akkoma's `config` table (as its migrations make it) with what an admin set from the admin
/// panel, two mistakes included, and its `rules` table.
async fn add_config_and_rules(url: &str) {
    use etf::*;
    use sqlx::Connection;
    run_sql(
        url,
        r#"CREATE TABLE config (id bigserial PRIMARY KEY, key varchar(255), value bytea,
             inserted_at timestamp(0) NOT NULL, updated_at timestamp(0) NOT NULL,
             "group" varchar(255));
           CREATE UNIQUE INDEX config_group_key_index ON config ("group", key);
           CREATE TABLE rules (id bigserial PRIMARY KEY, priority integer DEFAULT 0 NOT NULL,
             text text NOT NULL, hint text, inserted_at timestamp(0) NOT NULL,
             updated_at timestamp(0) NOT NULL);
           INSERT INTO rules (priority, text, hint, inserted_at, updated_at) VALUES
             (1, 'Be kind to newcomers.', NULL, now(), now()),
             (0, 'No spam, no advertising.', 'Commercial posts need an admin''s approval.',
              now(), now());"#,
    )
    .await;
    let instance = keyword(vec![
        ("name", text("Moss Commons")),
        (
            "description",
            text("Mosses, lichens and the people who love them"),
        ),
        ("email", text("admin@moss.example")),
        // Not text: reported, and the rest of the key still taken.
        ("short_description", int(42)),
        ("limit", int(5000)),
        ("registrations_open", atom("true")),
        ("account_approval_required", atom("true")),
        ("invites_enabled", atom("false")),
        ("local_bubble", list(vec![text("friends.example")])),
        (
            "quarantined_instances",
            list(vec![entry(
                "quarantine.example",
                "leaks followers-only posts",
            )]),
        ),
    ]);
    let mrf = keyword(vec![
        (
            "policies",
            list(vec![
                atom("Elixir.Pleroma.Web.ActivityPub.MRF.SimplePolicy"),
                atom("Elixir.Pleroma.Web.ActivityPub.MRF.ObjectAgePolicy"),
            ]),
        ),
        ("transparency", atom("true")),
    ]);
    let simple = keyword(vec![
        (
            "reject",
            // The second entry is in the older form, without a reason.
            list(vec![entry("spam.example", "spam"), text("legacy.example")]),
        ),
        (
            "federated_timeline_removal",
            list(vec![entry("loud.example", "too loud")]),
        ),
        (
            "media_removal",
            list(vec![
                entry("loud.example", "too loud"),
                entry("gore.example", "graphic media"),
            ]),
        ),
        (
            "report_removal",
            list(vec![entry("reports.example", "report spam")]),
        ),
        (
            "media_nsfw",
            // The second entry is no domain: reported, the first still taken.
            list(vec![entry("nsfw.example", "unmarked nudity"), int(7)]),
        ),
        (
            "avatar_removal",
            list(vec![entry("*.avatars.example", "impersonation")]),
        ),
        ("followers_only", list(vec![entry("leaky.example", "")])),
        ("reject_deletes", list(vec![])),
        ("accept", list(vec![])),
    ]);
    let media_proxy = keyword(vec![("enabled", atom("true"))]);
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    for (key, value) in [
        (":instance", &instance),
        (":mrf", &mrf),
        (":mrf_simple", &simple),
        (":media_proxy", &media_proxy),
    ] {
        sqlx::query(
            r#"INSERT INTO config ("group", key, value, inserted_at, updated_at)
               VALUES (':pleroma', $1, $2, now(), now())"#,
        )
        .bind(key)
        .bind(encode(value))
        .execute(&mut conn)
        .await
        .unwrap();
    }
}

/// Signs in as alice with her Akkoma password; her token.
async fn sign_in_as_alice(api: &Api) -> String {
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
    text_of(&token, "access_token")
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {value:#}"))
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL suite skipped: set RHIZOME_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test to run it"
)]
async fn instance_settings_rules_and_the_simple_policy_move_into_sqlite() {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let akkoma = akkoma_at(&base).await;
    add_config_and_rules(akkoma.url()).await;
    // alice's mute of gus ends by a job in Akkoma's queue (users by base-62 flake ids).
    run_sql(
        akkoma.url(),
        "CREATE TABLE oban_jobs (id bigserial PRIMARY KEY, state text NOT NULL, \
         queue text NOT NULL, worker text NOT NULL, args jsonb NOT NULL, \
         scheduled_at timestamp NOT NULL); \
         INSERT INTO oban_jobs (state, queue, worker, args, scheduled_at) VALUES \
         ('scheduled', 'mute_expire', 'Pleroma.Workers.MuteExpireWorker', \
          '{\"op\": \"unmute_user\", \"muter_id\": \"AylCT6E3xT8EXx3TN3\", \
            \"mutee_id\": \"AylTs51LH4z1GkbPfz\"}', '2031-01-02 03:04:05'), \
         ('completed', 'mute_expire', 'Pleroma.Workers.MuteExpireWorker', \
          '{\"op\": \"unmute_user\", \"muter_id\": \"AylCT6E3xT8EXx3TN3\", \
            \"mutee_id\": \"AylCT6E3xT8EXx3TN3\"}', '2020-01-01 00:00:00');",
    )
    .await;

    // Akkoma stays on PostgreSQL; Rhizome runs on SQLite.
    let rhizome_db = TestDatabase::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::new(rhizome_db.url(), dir.path())
        .with("RHIZOME_INSTANCE_DOMAIN", &format!("127.0.0.1:{port}"));
    let import = ["import", "akkoma", "--from", akkoma.url(), "--json"];
    // A dry run reads the settings too.
    let dry = report(&setup.ok(&[&import[..], &["--dry-run"]].concat(), ""));
    assert_eq!(imported(&dry, "domain blocks"), 5, "{dry:#}");
    assert_eq!(imported(&dry, "instance rules"), 2, "{dry:#}");
    assert_eq!(dry["skipped"].as_array().unwrap().len(), 5, "{dry:#}");
    let first = report(&setup.ok(&import, ""));
    for (kind, count) in [
        ("local users", 3),
        // Without bob, whom the first test adds.
        ("remote accounts", 5),
        ("follows", 10),
        ("follow requests", 2),
        ("posts", 24),
        ("boosts", 4),
        ("favourites", 4),
        ("bookmarks", 3),
        ("poll votes", 1),
        ("oauth tokens", 1),
        ("notifications", 9),
        // Name, description, contact, registrations and bubble; transparency was on already.
        ("instance settings", 5),
        ("instance rules", 2),
        // spam, legacy, loud (silenced, media removed), gore (media), reports.
        ("domain blocks", 5),
        // nsfw, *.avatars, leaky, and quarantine.example's quarantine.
        ("policy list entries", 4),
    ] {
        assert_eq!(imported(&first, kind), count, "{kind}: {first:#}");
    }
    // What has no equivalent and what does not read is reported; nothing else stopped.
    let skipped: Vec<(String, String)> = first["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            assert_eq!(s["kind"], "config keys", "{s:#}");
            (text_of(s, "source"), text_of(s, "reason"))
        })
        .collect();
    for (source, reason) in [
        (
            ":pleroma :instance short_description",
            "expected text, found an integer",
        ),
        (":pleroma :instance", "no equivalent in Rhizome for: limit"),
        (":pleroma :mrf policies", "ObjectAgePolicy"),
        (
            ":pleroma :mrf_simple media_nsfw #2",
            "expected text, found an integer",
        ),
        (":pleroma :media_proxy", "no equivalent in Rhizome"),
    ] {
        assert!(
            skipped
                .iter()
                .any(|(s, r)| s == source && r.contains(reason)),
            "{source}: {reason}: {skipped:#?}"
        );
    }
    assert_eq!(skipped.len(), 5, "{skipped:#?}");
    assert!(
        first["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap_or("").contains("hint")),
        "{first:#}"
    );

    // A second run changes nothing, settings included.
    let second = report(&setup.ok(&import, ""));
    for (kind, counts) in second["kinds"].as_object().unwrap() {
        assert_eq!(counts["imported"], 0, "{kind} imported again: {second:#}");
    }

    let server = setup.serve_at(port);
    let api = Api::http(&server.base());

    // alice signs in with her Akkoma password; her posts and follows are here.
    let token = sign_in_as_alice(&api).await;
    let me = api
        .get("/api/v1/accounts/verify_credentials")
        .token(&token)
        .ok()
        .await;
    assert_eq!(me["username"], "alice");
    let mutes = api.get("/api/v1/mutes").token(&token).ok().await;
    assert_eq!(mutes.as_array().map(Vec::len), Some(1), "{mutes:#}");
    assert_eq!(
        mutes[0]["mute_expires_at"], "2031-01-02T03:04:05.000Z",
        "{mutes:#}"
    );
    assert_eq!(me["statuses_count"], 7, "{me:#}");
    assert_eq!(me["following_count"], 3, "{me:#}");
    assert_eq!(me["followers_count"], 4, "gus, dana, carol and ivy: {me:#}");
    let stored = rhizome_db
        .store()
        .await
        .local_user_by_username("alice")
        .await
        .unwrap()
        .unwrap();
    assert!(stored.password_hash.starts_with("$argon2id$"));

    // The instance's name, description, contact and registrations.
    let instance = api.get("/api/v2/instance").ok().await;
    assert_eq!(instance["title"], "Moss Commons", "{instance:#}");
    assert_eq!(
        instance["description"],
        "Mosses, lichens and the people who love them"
    );
    assert_eq!(instance["contact"]["email"], "admin@moss.example");
    assert_eq!(instance["registrations"]["enabled"], true);
    assert_eq!(instance["registrations"]["approval_required"], true);
    // Rules by Akkoma's priority.
    let rules = api.get("/api/v1/instance/rules").ok().await;
    let texts: Vec<&str> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        texts,
        ["No spam, no advertising.", "Be kind to newcomers."],
        "{rules:#}"
    );

    // NodeInfo publishes the Simple policy's lists with their reasons, as Akkoma did.
    let nodeinfo = api.get("/nodeinfo/2.1").ok().await;
    let federation = &nodeinfo["metadata"]["federation"];
    let simple = &federation["mrf_simple"];
    for (list, domains) in [
        ("reject", &["legacy.example", "spam.example"][..]),
        ("federated_timeline_removal", &["loud.example"]),
        ("media_removal", &["gore.example", "loud.example"]),
        ("report_removal", &["reports.example"]),
        ("media_nsfw", &["nsfw.example"]),
        ("avatar_removal", &["*.avatars.example"]),
        ("followers_only", &["leaky.example"]),
    ] {
        let mut listed = strings(&simple[list]);
        listed.sort();
        assert_eq!(listed, domains, "{list}: {federation:#}");
    }
    let info = &federation["mrf_simple_info"];
    assert_eq!(info["reject"]["spam.example"]["reason"], "spam");
    assert_eq!(
        info["federated_timeline_removal"]["loud.example"]["reason"],
        "too loud"
    );
    assert_eq!(
        info["media_nsfw"]["nsfw.example"]["reason"],
        "unmarked nudity"
    );
    assert_eq!(
        strings(&federation["quarantined_instances"]),
        ["quarantine.example"]
    );
    assert_eq!(
        federation["quarantined_instances_info"]["quarantined_instances"]["quarantine.example"]["reason"],
        "leaks followers-only posts"
    );

    // Mastodon's public list: rejections are suspensions, timeline removals silences.
    let blocks = api.get("/api/v1/instance/domain_blocks").ok().await;
    let block = |domain: &str| -> Value {
        blocks
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["domain"] == domain)
            .cloned()
            .unwrap_or_else(|| panic!("{domain} not blocked: {blocks:#}"))
    };
    assert_eq!(block("spam.example")["severity"], "suspend");
    assert_eq!(block("spam.example")["comment"], "spam");
    assert_eq!(block("legacy.example")["severity"], "suspend");
    assert_eq!(block("legacy.example")["comment"], "");
    assert_eq!(block("loud.example")["severity"], "silence");
    assert_eq!(block("loud.example")["comment"], "too loud");
    // The instance's settings say what the import wrote.
    let bubble = rhizome_db
        .store()
        .await
        .setting("instance.bubble_domains")
        .await
        .unwrap();
    assert_eq!(bubble.as_deref(), Some(r#"["friends.example"]"#));
}

/// Runs `rhizome import akkoma` with the test hook that stops it at `stop_at`
/// (`STAGE:ROW`), then kills it there with SIGKILL: whatever it was doing stays undone.
fn import_killed_at(setup: &Setup, args: &[&str], stop_at: &str) {
    use std::io::BufRead;
    use std::time::{Duration, Instant};
    let mut child = setup
        .command()
        .args(args)
        .env("RHIZOME_TEST_IMPORT_STOP_AT", stop_at)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn rhizome import");
    let stderr = child.stderr.take().expect("stderr");
    let (lines, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let marker = format!("stopped at {}", stop_at.replace(':', " "));
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut seen = Vec::new();
    loop {
        match receive.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) => {
                let stopped = line.contains(&marker);
                seen.push(line);
                if stopped {
                    break;
                }
            }
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the import did not reach {stop_at}:\n{}", seen.join("\n"));
            }
        }
    }
    child.kill().expect("kill the import");
    let status = child.wait().expect("wait for the import");
    assert!(!status.success(), "{status}");
}

/// Rows per table of a Rhizome database on PostgreSQL.
async fn table_counts(url: &str) -> std::collections::BTreeMap<String, i64> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut counts = std::collections::BTreeMap::new();
    for table in tables {
        let count: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{table}\""))
            .fetch_one(&mut conn)
            .await
            .unwrap();
        counts.insert(table, count);
    }
    counts
}

async fn ids(url: &str, table: &str) -> Vec<i64> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::query_scalar(&format!("SELECT id FROM {table} ORDER BY id"))
        .fetch_all(&mut conn)
        .await
        .unwrap()
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL suite skipped: set RHIZOME_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test to run it"
)]
async fn an_import_killed_part_way_resumes_to_what_a_clean_run_gives() {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let akkoma = akkoma_at(&base).await;
    add_config_and_rules(akkoma.url()).await;
    let import = ["import", "akkoma", "--from", akkoma.url(), "--json"];
    let domain = format!("127.0.0.1:{port}");

    // A clean run, for comparison.
    let clean_db = TestDatabase::postgres().await;
    let clean_dir = tempfile::tempdir().unwrap();
    let clean_setup =
        Setup::new(clean_db.url(), clean_dir.path()).with("RHIZOME_INSTANCE_DOMAIN", &domain);
    let clean = report(&clean_setup.ok(&import, ""));
    let complete = table_counts(clean_db.url()).await;

    // Killed in the middle of the posts, then in the middle of the notifications.
    let db = TestDatabase::postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::new(db.url(), dir.path()).with("RHIZOME_INSTANCE_DOMAIN", &domain);
    import_killed_at(&setup, &import, "posts:10");
    let partial = table_counts(db.url()).await;
    assert!(
        partial["statuses"] > 0 && partial["statuses"] < complete["statuses"],
        "not killed part-way through the posts: {partial:?} / {complete:?}"
    );
    import_killed_at(&setup, &import, "notifications:4");
    let partial = table_counts(db.url()).await;
    assert!(
        partial["notifications"] > 0 && partial["notifications"] < complete["notifications"],
        "not killed part-way through the notifications: {partial:?} / {complete:?}"
    );

    // Run again: it finishes what was left, and the result is the clean run's.
    let last = report(&setup.ok(&import, ""));
    for (kind, counts) in clean["kinds"].as_object().unwrap() {
        let total = |c: &Value| c["imported"].as_u64().unwrap() + c["present"].as_u64().unwrap();
        assert_eq!(
            total(&last["kinds"][kind]),
            total(counts),
            "{kind}: {last:#}\nclean: {clean:#}"
        );
        assert_eq!(last["kinds"][kind]["skipped"], counts["skipped"], "{kind}");
    }
    assert!(
        imported(&last, "notifications") > 0 && imported(&last, "instance settings") > 0,
        "{last:#}"
    );
    assert_eq!(last["skipped"], clean["skipped"]);
    // Every table holds as many rows as after the clean run: nothing twice, nothing missing.
    assert_eq!(table_counts(db.url()).await, complete);
    // And the same rows: accounts, posts and notifications under the same ids.
    for table in ["accounts", "statuses", "notifications"] {
        assert_eq!(
            ids(db.url(), table).await,
            ids(clean_db.url(), table).await,
            "{table}"
        );
    }
}
