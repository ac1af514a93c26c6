//! The binary as a newcomer and an admin meet it: configuration, the admin CLI, `serve`.

mod support;

use rhizome_testkit::TestDatabase;
use serde_json::Value;
use support::Setup;

fn sqlite_setup() -> (TestDatabase, Setup) {
    let db = TestDatabase::sqlite();
    let dir = db.folder().expect("sqlite folder").to_owned();
    let setup = Setup::new(db.url(), &dir);
    (db, setup)
}

#[test]
fn config_check_prints_the_effective_configuration() {
    let (_db, setup) = sqlite_setup();
    let setup = setup
        .with("RHIZOME_METRICS_TOKEN", "very-secret")
        .with("RHIZOME_INSTANCE_NAME", "Forest");
    let output = setup.run(&["config", "check"], "");
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("name = \"Forest\""), "{stdout}");
    assert!(
        !stdout.contains("very-secret"),
        "secrets are hidden: {stdout}"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("instance.name"),
        "says what the environment set: {stderr}"
    );
}

#[test]
fn a_bad_configuration_names_the_key_and_fails() {
    let (_db, setup) = sqlite_setup();
    let stderr = setup
        .clone()
        .with("RHIZOME_SERVER_LISTEN", "not-an-address")
        .fails(&["serve"], "");
    assert!(stderr.contains("server.listen"), "{stderr}");

    let file = setup.data_dir.join("bad.toml");
    std::fs::write(&file, "[registrations]\nmode = \"whenever\"\n").unwrap();
    let stderr = setup.fails(&["--config", file.to_str().unwrap(), "config", "check"], "");
    assert!(stderr.contains("registrations.mode"), "{stderr}");

    let stderr = setup.fails(
        &["--config", "/nonexistent/rhizome.toml", "config", "check"],
        "",
    );
    assert!(stderr.contains("/nonexistent/rhizome.toml"), "{stderr}");
}

#[test]
fn users_are_validated_and_nothing_is_half_created() {
    let (_db, setup) = sqlite_setup();
    let create = |name: &str, email: &str, password: &str| {
        setup.run(
            &[
                "admin",
                "user",
                "create",
                name,
                "--email",
                email,
                "--password-stdin",
            ],
            password,
        )
    };
    assert!(
        create("alice", "alice@example.org", "long enough password")
            .status
            .success()
    );
    for (name, email, password, expected) in [
        (
            "ALICE",
            "other@example.org",
            "long enough password",
            "username is taken",
        ),
        (
            "bob",
            "Alice@Example.org",
            "long enough password",
            "e-mail address is already in use",
        ),
        (
            "b-o-b",
            "bob@example.org",
            "long enough password",
            "letters, numbers and underscores",
        ),
        (
            "admin",
            "bob@example.org",
            "long enough password",
            "reserved",
        ),
        (
            "bob",
            "not-an-email",
            "long enough password",
            "e-mail address is invalid",
        ),
        ("bob", "bob@example.org", "", "password can't be blank"),
        ("bob", "bob@example.org", "short", "too short"),
        (
            &"x".repeat(31),
            "bob@example.org",
            "long enough password",
            "too long",
        ),
    ] {
        let output = create(name, email, password);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{name} {email} should be refused");
        assert!(
            stderr.contains(expected),
            "{name} {email}: expected {expected:?} in {stderr}"
        );
    }
    let list: Value =
        serde_json::from_str(&setup.ok(&["admin", "user", "list", "--json"], "")).unwrap();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["alice"], "refused users left nothing behind");
}

#[test]
fn admin_commands_manage_users() {
    let (_db, setup) = sqlite_setup();
    let created: Value = serde_json::from_str(&setup.ok(
        &[
            "admin",
            "user",
            "create",
            "carol",
            "--email",
            "carol@example.org",
            "--role",
            "moderator",
            "--json",
        ],
        "",
    ))
    .unwrap();
    assert_eq!(created["role"], "moderator");
    assert!(
        created["password"].as_str().is_some_and(|p| p.len() >= 16),
        "a password was generated"
    );

    setup.ok(&["admin", "user", "set-role", "carol", "admin"], "");
    setup.ok(&["admin", "user", "suspend", "carol"], "");
    let shown: Value =
        serde_json::from_str(&setup.ok(&["admin", "user", "show", "carol", "--json"], "")).unwrap();
    assert_eq!(
        (shown["role"].as_str(), shown["suspended"].as_bool()),
        (Some("admin"), Some(true))
    );
    setup.ok(&["admin", "user", "unsuspend", "carol"], "");
    setup.ok(
        &["admin", "user", "set-password", "carol", "--password-stdin"],
        "a brand new password\n",
    );
    let stderr = setup.fails(
        &["admin", "user", "set-password", "carol", "--password-stdin"],
        "short\n",
    );
    assert!(stderr.contains("too short"), "{stderr}");
    setup.ok(&["admin", "user", "delete", "carol"], "");
    let stderr = setup.fails(&["admin", "user", "show", "carol"], "");
    assert!(stderr.contains("not found"), "{stderr}");
}

#[tokio::test]
async fn the_server_starts_with_no_configuration_and_accepts_cli_tokens() {
    let (_db, setup) = sqlite_setup();
    let mut server = setup.serve();
    let base = server.base();
    let client = reqwest::Client::new();

    let instance: Value = client
        .get(format!("{base}/api/v1/instance"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(instance["uri"], format!("127.0.0.1:{}", server.port));
    assert!(instance["version"].as_str().unwrap().contains("Rhizome"));
    assert!(
        server.log_text().contains("rhizome admin user create"),
        "the first log tells how to make an admin"
    );

    // The CLI works on the live database, and the API accepts its token.
    setup.ok(
        &[
            "admin",
            "user",
            "create",
            "dana",
            "--email",
            "dana@example.org",
            "--role",
            "admin",
        ],
        "",
    );
    let token = setup.ok(
        &["admin", "token", "create", "dana", "--scopes", "read write"],
        "",
    );
    let token = token.trim();
    assert!(
        !token.contains(' ') && token.len() >= 40,
        "only the token on stdout: {token:?}"
    );
    let me = client
        .get(format!("{base}/api/v1/accounts/verify_credentials"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["username"], "dana");
    assert_eq!(me["source"]["privacy"], "public");

    // Run-time settings changed by one process are seen by the other.
    setup.ok(&["admin", "settings", "set", "instance.name", "Moss"], "");
    let instance: Value = client
        .get(format!("{base}/api/v2/instance"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(instance["title"], "Moss");

    // A backup taken while serving is a working database.
    let backup = setup.data_dir.join("backup.db");
    setup.ok(&["db", "backup", backup.to_str().unwrap()], "");
    let restored = Setup::new(&format!("sqlite://{}", backup.display()), &setup.data_dir);
    assert!(restored.ok(&["admin", "user", "list"], "").contains("dana"));

    assert!(
        server.terminate(),
        "SIGTERM stops the server cleanly:\n{}",
        server.log_text()
    );
}

#[test]
fn a_second_server_on_the_same_port_fails_clearly() {
    let (_db, setup) = sqlite_setup();
    let server = setup.serve();
    let second = setup
        .clone()
        .with(
            "RHIZOME_SERVER_LISTEN",
            &format!("127.0.0.1:{}", server.port),
        )
        .fails(&["serve"], "");
    assert!(
        second.contains("cannot listen on") && second.contains("server.listen"),
        "{second}"
    );
}

#[test]
fn unusable_storage_and_databases_fail_clearly() {
    let (_db, setup) = sqlite_setup();
    let blocker = setup.data_dir.join("a-file");
    std::fs::write(&blocker, "not a folder").unwrap();
    let stderr = Setup::new("sqlite://ignored", &blocker.join("data"))
        .with(
            "RHIZOME_DATABASE_URL",
            &format!("sqlite://{}/data/rhizome.db", blocker.display()),
        )
        .fails(&["db", "migrate"], "");
    assert!(stderr.contains("storage.data_dir"), "{stderr}");

    let port = support::free_port();
    let stderr = Setup::new(
        &format!("postgres://postgres@127.0.0.1:{port}/nothing"),
        &setup.data_dir,
    )
    .with(
        "RHIZOME_SERVER_LISTEN",
        &format!("127.0.0.1:{}", support::free_port()),
    )
    .fails(&["serve"], "");
    assert!(stderr.contains("cannot open the database"), "{stderr}");
}
