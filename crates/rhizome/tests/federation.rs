//! Two real Rhizome instances on loopback, talking signed ActivityPub to each other.

mod support;

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use rhizome_store::Store;
use rhizome_testkit::TestDatabase;
use serde_json::Value;
use support::{Server, Setup};

/// One instance: its database, process, and a user with a token.
struct Instance {
    db: TestDatabase,
    setup: Setup,
    server: Server,
    _dir: tempfile::TempDir,
}

impl Instance {
    fn start() -> Instance {
        Instance::start_with(&[])
    }

    fn start_with(env: &[(&str, &str)]) -> Instance {
        let db = TestDatabase::sqlite();
        let dir = tempfile::tempdir().unwrap();
        let mut setup = Setup::new(db.url(), dir.path())
            .with("RHIZOME_FEDERATION_ALLOW_HTTP", "true")
            .with("RHIZOME_FEDERATION_ALLOW_PRIVATE_ADDRESSES", "true")
            .with("RHIZOME_JOBS_POLL_MILLIS", "50")
            // Back-off of minutes passes in fractions of a second.
            .with("RHIZOME_TIME_SCALE", "600");
        for (key, value) in env {
            setup = setup.with(key, value);
        }
        let server = setup.serve();
        Instance {
            db,
            setup,
            server,
            _dir: dir,
        }
    }

    fn base(&self) -> String {
        self.server.base()
    }

    fn domain(&self) -> String {
        format!("127.0.0.1:{}", self.server.port)
    }

    /// Creates a user and returns a token with every scope.
    fn user(&self, name: &str) -> String {
        let env = self
            .setup
            .clone()
            .with("RHIZOME_INSTANCE_DOMAIN", &self.domain());
        env.ok(
            &[
                "admin",
                "user",
                "create",
                name,
                "--email",
                &format!("{name}@example.org"),
            ],
            "",
        );
        env.ok(
            &[
                "admin",
                "token",
                "create",
                name,
                "--scopes",
                "read write follow push",
            ],
            "",
        )
        .trim()
        .to_owned()
    }

    /// Creates a staff member with `role` and returns a token with the admin scopes too.
    fn staff(&self, name: &str, role: &str) -> String {
        self.user_with(name, role, "read write admin:read admin:write")
    }

    /// Creates a user with `role` and a token with `scopes`.
    fn user_with(&self, name: &str, role: &str, scopes: &str) -> String {
        let env = self
            .setup
            .clone()
            .with("RHIZOME_INSTANCE_DOMAIN", &self.domain());
        env.ok(
            &[
                "admin",
                "user",
                "create",
                name,
                "--email",
                &format!("{name}@example.org"),
                "--role",
                role,
            ],
            "",
        );
        env.ok(&["admin", "token", "create", name, "--scopes", scopes], "")
            .trim()
            .to_owned()
    }

    async fn store(&self) -> Store {
        self.db.store().await
    }
}

struct Client {
    http: reqwest::Client,
}

impl Client {
    fn new() -> Client {
        Client {
            http: reqwest::Client::new(),
        }
    }

    async fn get(&self, url: &str, token: &str) -> (StatusCode, Value) {
        let response = self.http.get(url).bearer_auth(token).send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, url: &str, token: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let response = self
            .http
            .post(url)
            .bearer_auth(token)
            .form(form)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

/// Polls `check` until it returns `Some`, for at most ten seconds.
async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
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

/// `user@domain` resolved on `instance` with `token`; returns the local id of that account.
async fn resolve(client: &Client, instance: &Instance, token: &str, acct: &str) -> String {
    let (status, found) = client
        .get(
            &format!(
                "{}/api/v2/search?q={acct}&resolve=true&type=accounts",
                instance.base()
            ),
            token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let account = &found["accounts"][0];
    assert_eq!(account["acct"], acct, "{found}");
    account["id"].as_str().unwrap().to_owned()
}

async fn home_contents(client: &Client, instance: &Instance, token: &str) -> Vec<String> {
    let (_, home) = client
        .get(&format!("{}/api/v1/timelines/home", instance.base()), token)
        .await;
    home.as_array()
        .map(|items| {
            items
                .iter()
                .map(|s| s["content"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn relationship(client: &Client, instance: &Instance, token: &str, id: &str) -> Value {
    let (_, found) = client
        .get(
            &format!(
                "{}/api/v1/accounts/relationships?id[]={id}",
                instance.base()
            ),
            token,
        )
        .await;
    found[0].clone()
}

#[tokio::test]
async fn follow_post_reply_interact_edit_and_delete_across_instances() {
    let (a, b) = (Instance::start(), Instance::start());
    let (alice, bob) = (a.user("alice"), b.user("bob"));
    let client = Client::new();

    // WebFinger across, then a follow accepted at once (alice is not locked).
    let (status, jrd) = client
        .get(
            &format!(
                "{}/.well-known/webfinger?resource=acct:alice@{}",
                a.base(),
                a.domain()
            ),
            "",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(jrd["subject"], format!("acct:alice@{}", a.domain()));
    let alice_on_b = resolve(&client, &b, &bob, &format!("alice@{}", a.domain())).await;
    let (status, _) = client
        .post(
            &format!("{}/api/v1/accounts/{alice_on_b}/follow", b.base()),
            &bob,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    eventually("the follow to be accepted", || async {
        relationship(&client, &b, &bob, &alice_on_b).await["following"]
            .as_bool()
            .filter(|f| *f)
    })
    .await;
    let (_, me) = client
        .get(
            &format!("{}/api/v1/accounts/verify_credentials", a.base()),
            &alice,
        )
        .await;
    let alice_id = me["id"].as_str().unwrap().to_owned();
    eventually("alice to see her follower", || async {
        let (_, followers) = client
            .get(
                &format!("{}/api/v1/accounts/{alice_id}/followers", a.base()),
                &alice,
            )
            .await;
        followers.as_array().filter(|f| f.len() == 1).map(|_| ())
    })
    .await;

    // A post reaches the follower's home timeline.
    let (status, post) = client
        .post(
            &format!("{}/api/v1/statuses", a.base()),
            &alice,
            &[("status", "Hello from A #rhizome")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{post}");
    let post_uri = post["uri"].as_str().unwrap().to_owned();
    eventually("the post on B's home timeline", || async {
        home_contents(&client, &b, &bob)
            .await
            .iter()
            .any(|c| c.contains("Hello from A"))
            .then_some(())
    })
    .await;
    let (_, found) = client
        .get(
            &format!(
                "{}/api/v2/search?q={post_uri}&resolve=true&type=statuses",
                b.base()
            ),
            &bob,
        )
        .await;
    let post_on_b = found["statuses"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(found["statuses"][0]["tags"][0]["name"], "rhizome");

    // A reply threads on both sides and notifies alice.
    let (status, reply) = client
        .post(
            &format!("{}/api/v1/statuses", b.base()),
            &bob,
            &[
                ("status", &format!("@alice@{} nice to meet you", a.domain())),
                ("in_reply_to_id", &post_on_b),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let post_id = post["id"].as_str().unwrap();
    eventually("the reply under alice's post", || async {
        let (_, context) = client
            .get(
                &format!("{}/api/v1/statuses/{post_id}/context", a.base()),
                &alice,
            )
            .await;
        context["descendants"]
            .as_array()
            .filter(|d| d.len() == 1)
            .map(|_| ())
    })
    .await;
    eventually("a mention notification", || async {
        let (_, list) = client
            .get(
                &format!("{}/api/v1/notifications?types[]=mention", a.base()),
                &alice,
            )
            .await;
        list.as_array().filter(|l| !l.is_empty()).map(|_| ())
    })
    .await;

    // Like and boost, then their undo.
    client
        .post(
            &format!("{}/api/v1/statuses/{post_on_b}/favourite", b.base()),
            &bob,
            &[],
        )
        .await;
    client
        .post(
            &format!("{}/api/v1/statuses/{post_on_b}/reblog", b.base()),
            &bob,
            &[],
        )
        .await;
    eventually("the like and the boost on A", || async {
        let (_, status) = client
            .get(&format!("{}/api/v1/statuses/{post_id}", a.base()), &alice)
            .await;
        (status["favourites_count"] == 1 && status["reblogs_count"] == 1).then_some(())
    })
    .await;
    client
        .post(
            &format!("{}/api/v1/statuses/{post_on_b}/unfavourite", b.base()),
            &bob,
            &[],
        )
        .await;
    client
        .post(
            &format!("{}/api/v1/statuses/{post_on_b}/unreblog", b.base()),
            &bob,
            &[],
        )
        .await;
    eventually("the undo of both", || async {
        let (_, status) = client
            .get(&format!("{}/api/v1/statuses/{post_id}", a.base()), &alice)
            .await;
        (status["favourites_count"] == 0 && status["reblogs_count"] == 0).then_some(())
    })
    .await;

    // An emoji reaction (Akkoma's EmojiReact).
    let (status, _) = client
        .http
        .put(format!(
            "{}/api/v1/pleroma/statuses/{post_on_b}/reactions/🌱",
            b.base()
        ))
        .bearer_auth(&bob)
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    eventually("the reaction on A", || async {
        let (_, status) = client
            .get(&format!("{}/api/v1/statuses/{post_id}", a.base()), &alice)
            .await;
        (status["pleroma"]["emoji_reactions"][0]["name"] == "🌱").then_some(())
    })
    .await;

    // An edit propagates with its history.
    let (status, _) = client
        .http
        .put(format!("{}/api/v1/statuses/{post_id}", a.base()))
        .bearer_auth(&alice)
        .form(&[("status", "Hello again from A")])
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    eventually("the edit on B", || async {
        let (_, history) = client
            .get(
                &format!("{}/api/v1/statuses/{post_on_b}/history", b.base()),
                &bob,
            )
            .await;
        history
            .as_array()
            .filter(|h| {
                h.len() == 2
                    && h[1]["content"]
                        .as_str()
                        .unwrap_or("")
                        .contains("Hello again")
            })
            .map(|_| ())
    })
    .await;

    // A delete leaves a tombstone on A and removes the copy on B.
    let (status, deleted) = client
        .http
        .delete(format!("{}/api/v1/statuses/{post_id}", a.base()))
        .bearer_auth(&alice)
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(status, StatusCode::OK, "{deleted:?}");
    let gone = client
        .http
        .get(&post_uri)
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::GONE);
    let tombstone: Value = gone.json().await.unwrap();
    assert_eq!(tombstone["type"], "Tombstone");
    eventually("the delete on B", || async {
        let (status, _) = client
            .get(&format!("{}/api/v1/statuses/{post_on_b}", b.base()), &bob)
            .await;
        (status == StatusCode::NOT_FOUND).then_some(())
    })
    .await;
}

#[tokio::test]
async fn locked_accounts_get_follow_requests_that_are_accepted_or_rejected() {
    let (a, b) = (Instance::start(), Instance::start());
    let (alice, bob, carol) = (a.user("alice"), b.user("bob"), b.user("carol"));
    let client = Client::new();
    let locked = client
        .http
        .patch(format!("{}/api/v1/accounts/update_credentials", a.base()))
        .bearer_auth(&alice)
        .form(&[("locked", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(locked.status(), StatusCode::OK);

    let alice_on_b = resolve(&client, &b, &bob, &format!("alice@{}", a.domain())).await;
    for token in [&bob, &carol] {
        let (_, rel) = client
            .post(
                &format!("{}/api/v1/accounts/{alice_on_b}/follow", b.base()),
                token,
                &[],
            )
            .await;
        assert_eq!(rel["requested"], true, "{rel}");
    }
    let requests = eventually("two follow requests on A", || async {
        let (_, list) = client
            .get(&format!("{}/api/v1/follow_requests", a.base()), &alice)
            .await;
        list.as_array().filter(|l| l.len() == 2).cloned()
    })
    .await;
    let id_of = |name: &str| {
        requests
            .iter()
            .find(|r| r["username"] == name)
            .and_then(|r| r["id"].as_str())
            .unwrap()
            .to_owned()
    };
    let (status, _) = client
        .post(
            &format!(
                "{}/api/v1/follow_requests/{}/authorize",
                a.base(),
                id_of("bob")
            ),
            &alice,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = client
        .post(
            &format!(
                "{}/api/v1/follow_requests/{}/reject",
                a.base(),
                id_of("carol")
            ),
            &alice,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    eventually("bob following and carol not", || async {
        let bob_rel = relationship(&client, &b, &bob, &alice_on_b).await;
        let carol_rel = relationship(&client, &b, &carol, &alice_on_b).await;
        (bob_rel["following"] == true
            && carol_rel["following"] == false
            && carol_rel["requested"] == false)
            .then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_block_stops_delivery() {
    let (a, b) = (Instance::start(), Instance::start());
    let (alice, bob) = (a.user("alice"), b.user("bob"));
    let client = Client::new();
    let alice_on_b = resolve(&client, &b, &bob, &format!("alice@{}", a.domain())).await;
    client
        .post(
            &format!("{}/api/v1/accounts/{alice_on_b}/follow", b.base()),
            &bob,
            &[],
        )
        .await;
    eventually("the follow", || async {
        relationship(&client, &b, &bob, &alice_on_b).await["following"]
            .as_bool()
            .filter(|f| *f)
    })
    .await;

    let bob_on_a = resolve(&client, &a, &alice, &format!("bob@{}", b.domain())).await;
    let (_, rel) = client
        .post(
            &format!("{}/api/v1/accounts/{bob_on_a}/block", a.base()),
            &alice,
            &[],
        )
        .await;
    assert_eq!(
        (rel["blocking"].as_bool(), rel["followed_by"].as_bool()),
        (Some(true), Some(false))
    );
    eventually("bob's follow dropped on B", || async {
        relationship(&client, &b, &bob, &alice_on_b).await["following"]
            .as_bool()
            .filter(|f| !*f)
    })
    .await;
    client
        .post(
            &format!("{}/api/v1/statuses", a.base()),
            &alice,
            &[("status", "not for bob")],
        )
        .await;
    client
        .post(
            &format!("{}/api/v1/statuses", a.base()),
            &alice,
            &[("status", "not for bob either")],
        )
        .await;
    // Give delivery a fair chance, then check nothing arrived.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(home_contents(&client, &b, &bob).await.is_empty());
}

/// Signs `body` as `key_id` with `private_pem` and posts it to `inbox`.
async fn signed_post(inbox: &str, key_id: &str, private_pem: &str, body: &[u8]) -> StatusCode {
    let key = rhizome_federation::keys::load_rsa_private_key(private_pem).unwrap();
    let uri: http::Uri = inbox.parse().unwrap();
    let mut headers = http::HeaderMap::new();
    headers.insert("content-type", "application/activity+json".parse().unwrap());
    rhizome_federation::signatures::sign_request(
        &http::Method::POST,
        &uri,
        &mut headers,
        Some(body),
        key_id,
        &key,
        chrono::Utc::now(),
    )
    .unwrap();
    let client = reqwest::Client::new();
    let mut request = client.post(inbox).body(body.to_vec());
    for (name, value) in &headers {
        request = request.header(name.as_str(), value.to_str().unwrap());
    }
    request.send().await.unwrap().status()
}

#[tokio::test]
async fn bad_signatures_are_refused_and_duplicates_change_nothing() {
    let (a, b) = (Instance::start(), Instance::start());
    let (alice, _bob) = (a.user("alice"), b.user("bob"));
    let client = Client::new();
    let b_store = b.store().await;
    let bob_user = b_store
        .local_user_by_username("bob")
        .await
        .unwrap()
        .unwrap();
    let bob_uri = bob_user.account.uri.clone();
    let key_id = format!("{bob_uri}#main-key");
    let inbox = format!("{}/inbox", a.base());
    let note_id = format!("{bob_uri}/notes/1");
    let create = serde_json::json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{note_id}/activity"),
        "type": "Create",
        "actor": bob_uri,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {
            "id": note_id,
            "type": "Note",
            "attributedTo": bob_uri,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "content": "<p>signed by bob <script>alert(1)</script></p>",
            "published": "2026-11-26T12:00:00Z"
        }
    });
    let body = serde_json::to_vec(&create).unwrap();

    // Tampered body: the signature and digest no longer match.
    let mut tampered = body.clone();
    let last = tampered.len() - 2;
    tampered[last] = b' ';
    let key = rhizome_federation::keys::load_rsa_private_key(&bob_user.private_key_pem).unwrap();
    let uri: http::Uri = inbox.parse().unwrap();
    let mut headers = http::HeaderMap::new();
    rhizome_federation::signatures::sign_request(
        &http::Method::POST,
        &uri,
        &mut headers,
        Some(&body),
        &key_id,
        &key,
        chrono::Utc::now(),
    )
    .unwrap();
    let mut request = reqwest::Client::new().post(&inbox).body(tampered);
    for (name, value) in &headers {
        request = request.header(name.as_str(), value.to_str().unwrap());
    }
    assert_eq!(
        request.send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );

    // The wrong key for bob's key id.
    let other = rhizome_federation::keys::generate_rsa_2048().unwrap();
    assert_eq!(
        signed_post(&inbox, &key_id, &other.private_pem, &body).await,
        StatusCode::UNAUTHORIZED
    );
    // No signature at all.
    let unsigned = reqwest::Client::new()
        .post(&inbox)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    let a_store = a.store().await;
    assert!(
        a_store.status_by_uri(&note_id).await.unwrap().is_none(),
        "nothing stored"
    );

    // Properly signed: accepted and stored once, sanitised; the same activity again changes nothing.
    assert_eq!(
        signed_post(&inbox, &key_id, &bob_user.private_key_pem, &body).await,
        StatusCode::ACCEPTED
    );
    let stored = eventually("the post stored on A", || async {
        a_store.status_by_uri(&note_id).await.unwrap()
    })
    .await;
    assert!(!stored.content.contains("script"), "{}", stored.content);
    assert_eq!(
        signed_post(&inbox, &key_id, &bob_user.private_key_pem, &body).await,
        StatusCode::ACCEPTED
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, public) = client
        .get(&format!("{}/api/v1/timelines/public", a.base()), &alice)
        .await;
    let copies = public
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["uri"] == note_id.as_str())
        .count();
    assert_eq!(copies, 1);

    // An actor cannot speak for another: bob's key on an activity claiming alice's account.
    let mut spoofed = create.clone();
    spoofed["actor"] = Value::String(format!("{}/users/alice", a.base()));
    spoofed["id"] = Value::String(format!("{bob_uri}/spoof"));
    let spoofed = serde_json::to_vec(&spoofed).unwrap();
    assert_eq!(
        signed_post(&inbox, &key_id, &bob_user.private_key_pem, &spoofed).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn deliveries_are_retried_until_the_receiver_is_back() {
    let a = Instance::start();
    let mut b = Instance::start();
    let (alice, bob) = (a.user("alice"), b.user("bob"));
    let client = Client::new();
    let alice_on_b = resolve(&client, &b, &bob, &format!("alice@{}", a.domain())).await;
    client
        .post(
            &format!("{}/api/v1/accounts/{alice_on_b}/follow", b.base()),
            &bob,
            &[],
        )
        .await;
    eventually("the follow", || async {
        relationship(&client, &b, &bob, &alice_on_b).await["following"]
            .as_bool()
            .filter(|f| *f)
    })
    .await;

    // The follow's Accept went from A to B: B is recorded as healthy.
    let a_store = a.store().await;
    let b_host = b.domain();
    let healthy = eventually("B's health record on A", || async {
        a_store.instance_health(&b_host).await.unwrap()
    })
    .await;
    assert_eq!(healthy.failures, 0);
    let first_success = healthy.last_success_at.expect("a success");

    let port = b.server.port;
    assert!(b.server.terminate());
    client
        .post(
            &format!("{}/api/v1/statuses", a.base()),
            &alice,
            &[("status", "posted while B was down")],
        )
        .await;
    eventually("a failed delivery attempt", || async {
        let jobs = a_store
            .list_jobs(None, &rhizome_store::PageRequest::first(100))
            .await
            .unwrap();
        jobs.items
            .iter()
            .any(|j| {
                j.kind == "deliver"
                    && j.last_error.is_some()
                    && j.state != rhizome_model::JobState::Done
            })
            .then_some(())
    })
    .await;

    b.server = b.setup.serve_at(port);
    eventually("the post delivered after B came back", || async {
        home_contents(&client, &b, &bob)
            .await
            .iter()
            .any(|c| c.contains("posted while B was down"))
            .then_some(())
    })
    .await;
    // The success after failures is recorded at once (a healthy host's is written at most
    // once a minute): the failures are forgotten.
    let recovered = eventually("B healthy again on A", || async {
        a_store
            .instance_health(&b_host)
            .await
            .unwrap()
            .filter(|h| h.failures == 0)
    })
    .await;
    assert_eq!(recovered.first_failure_at, None);
    assert!(recovered.last_success_at.expect("a success") > first_success);
}

#[tokio::test]
async fn an_instance_domain_block_refuses_everything_from_and_to_the_domain() {
    let (a, b) = (Instance::start(), Instance::start());
    let (alice, bob) = (a.user("alice"), b.user("bob"));
    let client = Client::new();
    let admin = a.setup.clone().with("RHIZOME_INSTANCE_DOMAIN", &a.domain());
    admin.ok(
        &[
            "admin",
            "domain",
            "block",
            &b.domain(),
            "--reason",
            "testing",
        ],
        "",
    );
    assert!(
        admin
            .ok(&["admin", "domain", "list"], "")
            .contains(&b.domain())
    );

    // B can still read A's public actor, but its Follow is dropped at A's door.
    let alice_on_b = resolve(&client, &b, &bob, &format!("alice@{}", a.domain())).await;
    let (_, rel) = client
        .post(
            &format!("{}/api/v1/accounts/{alice_on_b}/follow", b.base()),
            &bob,
            &[],
        )
        .await;
    assert_eq!(rel["requested"], true);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        relationship(&client, &b, &bob, &alice_on_b).await["following"],
        false
    );
    let (_, me) = client
        .get(
            &format!("{}/api/v1/accounts/verify_credentials", a.base()),
            &alice,
        )
        .await;
    assert_eq!(me["followers_count"], 0);

    // A does not fetch from the blocked domain either.
    let (_, found) = client
        .get(
            &format!(
                "{}/api/v2/search?q=bob@{}&resolve=true&type=accounts",
                a.base(),
                b.domain()
            ),
            &alice,
        )
        .await;
    assert_eq!(
        found["accounts"].as_array().map(Vec::len),
        Some(0),
        "{found}"
    );

    // Lifting the block lets the next follow through.
    admin.ok(&["admin", "domain", "unblock", &b.domain()], "");
    client
        .post(
            &format!("{}/api/v1/accounts/{alice_on_b}/unfollow", b.base()),
            &bob,
            &[],
        )
        .await;
    client
        .post(
            &format!("{}/api/v1/accounts/{alice_on_b}/follow", b.base()),
            &bob,
            &[],
        )
        .await;
    eventually("the follow after the unblock", || async {
        relationship(&client, &b, &bob, &alice_on_b).await["following"]
            .as_bool()
            .filter(|f| *f)
    })
    .await;
}

#[tokio::test]
async fn authorized_fetch_needs_signed_gets_but_federation_still_works() {
    let a = Instance::start_with(&[("RHIZOME_FEDERATION_AUTHORIZED_FETCH", "true")]);
    let b = Instance::start();
    let (alice, bob) = (a.user("alice"), b.user("bob"));
    let client = Client::new();
    let actor = format!("{}/users/alice", a.base());
    let unsigned = client
        .http
        .get(&actor)
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    let instance_actor = client
        .http
        .get(format!("{}/internal/fetch", a.base()))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(
        instance_actor.status(),
        StatusCode::OK,
        "the instance actor stays public"
    );

    // B signs its fetches, so it can still find alice and follow her.
    let alice_on_b = resolve(&client, &b, &bob, &format!("alice@{}", a.domain())).await;
    client
        .post(
            &format!("{}/api/v1/accounts/{alice_on_b}/follow", b.base()),
            &bob,
            &[],
        )
        .await;
    eventually("the follow", || async {
        relationship(&client, &b, &bob, &alice_on_b).await["following"]
            .as_bool()
            .filter(|f| *f)
    })
    .await;
    let (_, me) = client
        .get(
            &format!("{}/api/v1/accounts/verify_credentials", a.base()),
            &alice,
        )
        .await;
    assert_eq!(me["followers_count"], 1);
}

/// The local id on `instance` of the remote post `uri`.
async fn resolved_id(client: &Client, instance: &Instance, token: &str, uri: &str) -> String {
    let found = resolve_status(client, instance, token, uri).await;
    found["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{uri} not found: {found}"))
        .to_owned()
}

/// The ActivityPub document at `url`.
async fn ap_get(client: &Client, url: &str) -> (StatusCode, Value) {
    let response = client
        .http
        .get(url)
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn quotes_travel_both_ways() {
    let (a, b) = (Instance::start(), Instance::start());
    let (alice, bob) = (a.user("alice"), b.user("bob"));
    let client = Client::new();
    let (_, original) = client
        .post(
            &format!("{}/api/v1/statuses", a.base()),
            &alice,
            &[("status", "worth quoting")],
        )
        .await;
    let (_, private) = client
        .post(
            &format!("{}/api/v1/statuses", a.base()),
            &alice,
            &[("status", "not quotable"), ("visibility", "private")],
        )
        .await;
    // As on Mastodon, a followers-only post may be quoted by its author alone.
    assert_eq!(
        private["quote_approval"]["automatic"],
        serde_json::json!([])
    );
    assert_eq!(private["quote_approval"]["current_user"], "automatic");
    let (status, own) = client
        .post(
            &format!("{}/api/v1/statuses", a.base()),
            &alice,
            &[
                ("status", "self quote"),
                ("quote_id", private["id"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{own}");
    assert_eq!(own["quote"]["state"], "accepted");

    // The policy is told to apps (Mastodon 4.5) and to other servers (FEP-044f).
    assert_eq!(
        original["quote_approval"]["automatic"],
        serde_json::json!(["public"])
    );
    assert_eq!(original["quote_approval"]["current_user"], "automatic");
    let (_, note) = ap_get(&client, original["uri"].as_str().unwrap()).await;
    assert_eq!(
        note["interactionPolicy"]["canQuote"]["automaticApproval"],
        serde_json::json!(["https://www.w3.org/ns/activitystreams#Public"]),
        "{note:#}"
    );

    let on_b = resolved_id(&client, &b, &bob, original["uri"].as_str().unwrap()).await;
    let (_, seen) = client
        .get(&format!("{}/api/v1/statuses/{on_b}", b.base()), &bob)
        .await;
    assert_eq!(
        seen["quote_approval"]["automatic"],
        serde_json::json!(["public"])
    );
    assert_eq!(seen["quote_approval"]["current_user"], "automatic");
    let (status, quote) = client
        .post(
            &format!("{}/api/v1/statuses", b.base()),
            &bob,
            &[("status", "so true"), ("quoted_status_id", &on_b)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{quote}");
    // A remote post's author is asked first (QuoteRequest): the quote waits.
    assert_eq!(quote["quote"]["state"], "pending", "{quote}");
    assert_eq!(quote["quote"]["quoted_status"], Value::Null);
    assert_eq!(quote["pleroma"]["quote_id"], on_b.as_str());
    let quote_id = quote["id"].as_str().unwrap().to_owned();

    // A answers by the post's policy: Accept, with a stamp B then shows.
    let accepted = eventually("the quote accepted on B", || async {
        let (_, shown) = client
            .get(&format!("{}/api/v1/statuses/{quote_id}", b.base()), &bob)
            .await;
        (shown["quote"]["state"] == "accepted").then_some(shown)
    })
    .await;
    assert_eq!(accepted["quote"]["quoted_status"]["id"], on_b.as_str());
    assert_eq!(accepted["pleroma"]["quote"]["id"], on_b.as_str());
    let b_store = b.store().await;
    let stored_on_b = b_store
        .status(quote_id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let stamp = stored_on_b.quote_authorization.clone().unwrap();
    assert!(
        stamp.starts_with(&format!("{}/quote_authorizations/", a.base())),
        "{stamp}"
    );
    // The quote post carries the stamp, and the stamp says what it approves.
    let quote_uri = quote["uri"].as_str().unwrap().to_owned();
    let (_, quote_note) = ap_get(&client, &quote_uri).await;
    assert_eq!(
        quote_note["quoteAuthorization"],
        stamp.as_str(),
        "{quote_note:#}"
    );
    assert_eq!(quote_note["quote"], original["uri"]);
    let (status, document) = ap_get(&client, &stamp).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(document["type"], "QuoteAuthorization", "{document:#}");
    assert_eq!(document["interactingObject"], quote_uri.as_str());
    assert_eq!(document["interactionTarget"], original["uri"]);
    assert_eq!(
        document["attributedTo"],
        format!("{}/users/alice", a.base()).as_str()
    );

    // The quoted author's server links it to the original and shows it accepted.
    let original_id = original["id"].as_str().unwrap();
    let a_store = a.store().await;
    let stored = eventually("the quote on A", || async {
        a_store.status_by_uri(&quote_uri).await.unwrap()
    })
    .await;
    assert_eq!(
        stored.quote_of_id.map(|id| id.to_string()).as_deref(),
        Some(original_id)
    );
    let shown = eventually("the quote accepted on A", || async {
        let (_, shown) = client
            .get(
                &format!("{}/api/v1/statuses/{}", a.base(), stored.id),
                &alice,
            )
            .await;
        (shown["quote"]["state"] == "accepted").then_some(shown)
    })
    .await;
    assert_eq!(shown["quote"]["quoted_status"]["id"], original_id);
    let (_, notifications) = client
        .get(
            &format!("{}/api/v1/notifications?types[]=quote", a.base()),
            &alice,
        )
        .await;
    assert_eq!(notifications[0]["type"], "quote", "{notifications}");
    assert_eq!(notifications[0]["status"]["uri"], quote_uri.as_str());

    // Alice withdraws her approval: the stamp is gone, and B hears of it.
    let (status, revoked) = client
        .post(
            &format!(
                "{}/api/v1/statuses/{original_id}/quotes/{}/revoke",
                a.base(),
                stored.id
            ),
            &alice,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    assert_eq!(revoked["quote"]["state"], "revoked");
    assert_eq!(revoked["quote"]["quoted_status"], Value::Null);
    let (status, _) = ap_get(&client, &stamp).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    eventually("the quote revoked on B", || async {
        let (_, shown) = client
            .get(&format!("{}/api/v1/statuses/{quote_id}", b.base()), &bob)
            .await;
        (shown["quote"]["state"] == "revoked").then_some(())
    })
    .await;
    // Only the quoted author revokes.
    let (status, _) = client
        .post(
            &format!(
                "{}/api/v1/statuses/{original_id}/quotes/{}/revoke",
                b.base(),
                quote_id
            ),
            &bob,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn quote_policies_are_enforced_across_instances() {
    let (a, b) = (Instance::start(), Instance::start());
    let (alice, bob) = (a.user("alice"), b.user("bob"));
    let client = Client::new();
    let (_, closed) = client
        .post(
            &format!("{}/api/v1/statuses", a.base()),
            &alice,
            &[
                ("status", "mine alone"),
                ("quote_approval_policy", "nobody"),
            ],
        )
        .await;
    assert_eq!(closed["quote_approval"]["automatic"], serde_json::json!([]));
    let (_, note) = ap_get(&client, closed["uri"].as_str().unwrap()).await;
    // Nobody else: the author alone is named (an empty list would mean no policy).
    assert_eq!(
        note["interactionPolicy"]["canQuote"]["automaticApproval"],
        serde_json::json!([format!("{}/users/alice", a.base())]),
        "{note:#}"
    );
    let (status, _) = client
        .post(
            &format!("{}/api/v1/statuses", a.base()),
            &alice,
            &[
                ("status", "bad policy"),
                ("quote_approval_policy", "everyone"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // B reads the policy from the Note and refuses Bob's quote itself.
    let on_b = resolved_id(&client, &b, &bob, closed["uri"].as_str().unwrap()).await;
    let (_, seen) = client
        .get(&format!("{}/api/v1/statuses/{on_b}", b.base()), &bob)
        .await;
    assert_eq!(seen["quote_approval"]["current_user"], "denied", "{seen}");
    let (status, refused) = client
        .post(
            &format!("{}/api/v1/statuses", b.base()),
            &bob,
            &[("status", "quoting anyway"), ("quoted_status_id", &on_b)],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");

    // A post B still believes open, closed since: A refuses the QuoteRequest.
    let (_, open) = client
        .post(
            &format!("{}/api/v1/statuses", a.base()),
            &alice,
            &[("status", "open, for now")],
        )
        .await;
    let open_on_b = resolved_id(&client, &b, &bob, open["uri"].as_str().unwrap()).await;
    let response = client
        .http
        .put(format!(
            "{}/api/v1/statuses/{}/interaction_policy",
            a.base(),
            open["id"].as_str().unwrap()
        ))
        .bearer_auth(&alice)
        .form(&[("quote_approval_policy", "nobody")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let changed: Value = response.json().await.unwrap();
    assert_eq!(
        changed["quote_approval"]["automatic"],
        serde_json::json!([])
    );
    let (status, quote) = client
        .post(
            &format!("{}/api/v1/statuses", b.base()),
            &bob,
            &[("status", "late quote"), ("quoted_status_id", &open_on_b)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{quote}");
    assert_eq!(quote["quote"]["state"], "pending");
    let quote_id = quote["id"].as_str().unwrap().to_owned();
    let rejected = eventually("the quote rejected on B", || async {
        let (_, shown) = client
            .get(&format!("{}/api/v1/statuses/{quote_id}", b.base()), &bob)
            .await;
        (shown["quote"]["state"] == "rejected").then_some(shown)
    })
    .await;
    assert_eq!(rejected["quote"]["quoted_status"], Value::Null);
    assert_eq!(rejected["pleroma"]["quote_visible"], false);
    // No stamp was given, so the rejected quote post carries none.
    let (_, quote_note) = ap_get(&client, quote["uri"].as_str().unwrap()).await;
    assert_eq!(
        quote_note["quoteAuthorization"],
        Value::Null,
        "{quote_note:#}"
    );
}

#[tokio::test]
async fn a_poll_is_voted_from_another_instance() {
    let (a, b) = (Instance::start(), Instance::start());
    let (alice, bob) = (a.user("alice"), b.user("bob"));
    let client = Client::new();
    let (status, post) = client
        .post(
            &format!("{}/api/v1/statuses", a.base()),
            &alice,
            &[
                ("status", "Which?"),
                ("poll[options][]", "Left"),
                ("poll[options][]", "Right"),
                ("poll[expires_in]", "86400"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{post}");
    let uri = post["uri"].as_str().unwrap();
    let served: Value = client
        .http
        .get(uri)
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(served["type"], "Question");
    assert_eq!(served["oneOf"][1]["name"], "Right");

    let (_, found) = client
        .get(
            &format!(
                "{}/api/v2/search?q={uri}&resolve=true&type=statuses",
                b.base()
            ),
            &bob,
        )
        .await;
    let remote_poll = found["statuses"][0]["poll"]["id"]
        .as_str()
        .expect("the poll came along")
        .to_owned();
    let (status, voted) = client
        .post(
            &format!("{}/api/v1/polls/{remote_poll}/votes", b.base()),
            &bob,
            &[("choices[]", "1")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{voted}");
    let poll_id = post["poll"]["id"].as_str().unwrap();
    eventually("the vote counted on A", || async {
        let (_, poll) = client
            .get(&format!("{}/api/v1/polls/{poll_id}", a.base()), &alice)
            .await;
        (poll["options"][1]["votes_count"] == 1).then_some(())
    })
    .await;
}

/// Finds a remote post on `instance` by its id, fetching it if needed; returns the Status.
async fn resolve_status(client: &Client, instance: &Instance, token: &str, uri: &str) -> Value {
    let (status, found) = client
        .get(
            &format!(
                "{}/api/v2/search?q={uri}&resolve=true&type=statuses",
                instance.base()
            ),
            token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    found["statuses"][0].clone()
}

#[tokio::test]
async fn attachments_federate_through_the_cache_and_unheld_remote_posts_are_pruned() {
    let (a, b) = (Instance::start(), Instance::start());
    let (alice, bob) = (a.user("alice"), b.user("bob"));
    let client = Client::new();

    // Alice posts a picture, and a post without one.
    let png = support::media::encoded(
        &image::DynamicImage::new_rgb8(40, 30),
        image::ImageFormat::Png,
    );
    let (content_type, body) = support::media::multipart(&[
        ("file", Some("p.png"), "image/png", &png),
        ("description", None, "", b"a small grey picture"),
    ]);
    let media: Value = client
        .http
        .post(format!("{}/api/v2/media", a.base()))
        .bearer_auth(&alice)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let media_id = media["id"].as_str().unwrap();
    let (status, pictured) = client
        .post(
            &format!("{}/api/v1/statuses", a.base()),
            &alice,
            &[("status", "look"), ("media_ids[]", media_id)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{pictured}");
    let (_, plain) = client
        .post(
            &format!("{}/api/v1/statuses", a.base()),
            &alice,
            &[("status", "words only")],
        )
        .await;

    // Bob, who follows nobody, looks both up; the picture comes through his server.
    let seen = resolve_status(&client, &b, &bob, pictured["uri"].as_str().unwrap()).await;
    let attachment = &seen["media_attachments"][0];
    assert_eq!(
        attachment["description"], "a small grey picture",
        "{seen:#}"
    );
    assert_eq!(attachment["remote_url"], media["url"]);
    assert_eq!(attachment["meta"]["original"]["width"], 40);
    let proxied = attachment["url"].as_str().unwrap();
    assert!(
        proxied.starts_with(&format!("{}/proxy/", b.base())),
        "{proxied}"
    );
    let served = client.http.get(proxied).send().await.unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    let from_a = client
        .http
        .get(media["url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(served.bytes().await.unwrap(), from_a);

    let kept = resolve_status(&client, &b, &bob, plain["uri"].as_str().unwrap()).await;
    let kept_id = kept["id"].as_str().unwrap();
    let (status, _) = client
        .post(
            &format!("{}/api/v1/statuses/{kept_id}/favourite", b.base()),
            &bob,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // Retention: the post nobody here holds on to goes; the favourited one stays.
    let admin = b.setup.clone();
    let dry: Value = serde_json::from_str(&admin.ok(
        &[
            "admin",
            "--json",
            "prune",
            "--older-than-days",
            "0",
            "--dry-run",
        ],
        "",
    ))
    .unwrap();
    assert_eq!(dry["statuses"], 1, "{dry}");
    let seen_id = seen["id"].as_str().unwrap();
    let (status, _) = client
        .get(&format!("{}/api/v1/statuses/{seen_id}", b.base()), &bob)
        .await;
    assert_eq!(status, StatusCode::OK, "a dry run removes nothing");
    let done: Value = serde_json::from_str(
        &admin.ok(&["admin", "--json", "prune", "--older-than-days", "0"], ""),
    )
    .unwrap();
    assert_eq!(done["statuses"], 1, "{done}");
    let (status, _) = client
        .get(&format!("{}/api/v1/statuses/{seen_id}", b.base()), &bob)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = client
        .get(&format!("{}/api/v1/statuses/{kept_id}", b.base()), &bob)
        .await;
    assert_eq!(status, StatusCode::OK);

    // Asked for again, the pruned post is fetched again, picture and all.
    let again = resolve_status(&client, &b, &bob, pictured["uri"].as_str().unwrap()).await;
    assert_eq!(again["content"], seen["content"]);
    assert_eq!(again["media_attachments"][0]["remote_url"], media["url"]);
}

#[tokio::test]
async fn custom_emoji_are_added_used_in_posts_and_travel() {
    let (a, b) = (Instance::start(), Instance::start());
    let (alice, bob) = (a.user("alice"), b.user("bob"));
    let client = Client::new();
    let dir = tempfile::tempdir().unwrap();
    let picture = dir.path().join("blobcat.png");
    image::DynamicImage::new_rgba8(300, 200)
        .save_with_format(&picture, image::ImageFormat::Png)
        .unwrap();
    let not_a_picture = dir.path().join("page.png");
    std::fs::write(&not_a_picture, "<html><script>alert(1)</script></html>").unwrap();

    let admin = a.setup.clone();
    admin.ok(
        &[
            "admin",
            "emoji",
            "add",
            "blobcat",
            picture.to_str().unwrap(),
            "--category",
            "cats",
        ],
        "",
    );
    admin.fails(
        &[
            "admin",
            "emoji",
            "add",
            "evil",
            not_a_picture.to_str().unwrap(),
        ],
        "",
    );
    admin.fails(
        &[
            "admin",
            "emoji",
            "add",
            "bad code",
            picture.to_str().unwrap(),
        ],
        "",
    );
    let (_, listed) = client
        .get(&format!("{}/api/v1/custom_emojis", a.base()), "")
        .await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed[0]["shortcode"], "blobcat");
    assert_eq!(listed[0]["category"], "cats");
    let emoji_url = listed[0]["url"].as_str().unwrap().to_owned();
    let served = client.http.get(&emoji_url).send().await.unwrap();
    let fitted = image::load_from_memory(&served.bytes().await.unwrap()).unwrap();
    assert_eq!(
        (fitted.width(), fitted.height()),
        (128, 85),
        "fitted in 128 px"
    );

    let (status, post) = client
        .post(
            &format!("{}/api/v1/statuses", a.base()),
            &alice,
            &[("status", "hello :blobcat: and :unknown:")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{post}");
    assert_eq!(post["emojis"].as_array().map(Vec::len), Some(1), "{post}");
    assert_eq!(post["emojis"][0]["shortcode"], "blobcat");
    assert_eq!(post["emojis"][0]["url"], emoji_url.as_str());

    // On the other instance, the emoji comes with the post, through its cache.
    let seen = resolve_status(&client, &b, &bob, post["uri"].as_str().unwrap()).await;
    assert_eq!(seen["emojis"][0]["shortcode"], "blobcat", "{seen:#}");
    let proxied = seen["emojis"][0]["url"].as_str().unwrap();
    assert!(
        proxied.starts_with(&format!("{}/proxy/", b.base())),
        "{proxied}"
    );
    let through_b = client.http.get(proxied).send().await.unwrap();
    assert_eq!(through_b.status(), StatusCode::OK);

    // In a display name too: the account says so, here and, once the profile update is
    // delivered to her follower, on the other instance.
    let remote_id = resolve(&client, &b, &bob, &format!("alice@{}", a.domain())).await;
    let (status, _) = client
        .post(
            &format!("{}/api/v1/accounts/{remote_id}/follow", b.base()),
            &bob,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    eventually("the follow to be accepted", || async {
        let r = relationship(&client, &b, &bob, &remote_id).await;
        (r["following"] == true).then_some(())
    })
    .await;
    let status = client
        .http
        .patch(format!("{}/api/v1/accounts/update_credentials", a.base()))
        .bearer_auth(&alice)
        .form(&[("display_name", "Alice :blobcat:")])
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::OK);
    let (_, profile) = client
        .get(
            &format!("{}/api/v1/accounts/verify_credentials", a.base()),
            &alice,
        )
        .await;
    assert_eq!(profile["emojis"][0]["shortcode"], "blobcat", "{profile:#}");
    let remote = eventually("the profile update to arrive", || async {
        let (_, remote) = client
            .get(&format!("{}/api/v1/accounts/{remote_id}", b.base()), &bob)
            .await;
        (remote["display_name"] == "Alice :blobcat:").then_some(remote)
    })
    .await;
    assert_eq!(remote["emojis"][0]["shortcode"], "blobcat", "{remote:#}");

    // Bob reacts with his own server's custom emoji; it reaches Alice with its image.
    b.setup.ok(
        &["admin", "emoji", "add", "bobcat", picture.to_str().unwrap()],
        "",
    );
    let seen_id = seen["id"].as_str().unwrap();
    let reacted = client
        .http
        .put(format!(
            "{}/api/v1/pleroma/statuses/{seen_id}/reactions/:bobcat:",
            b.base()
        ))
        .bearer_auth(&bob)
        .send()
        .await
        .unwrap();
    assert_eq!(reacted.status(), StatusCode::OK);
    let unknown = client
        .http
        .put(format!(
            "{}/api/v1/pleroma/statuses/{seen_id}/reactions/:nope:",
            b.base()
        ))
        .bearer_auth(&bob)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let post_id = post["id"].as_str().unwrap();
    let on_a = eventually("the reaction on A", || async {
        let (_, status) = client
            .get(&format!("{}/api/v1/statuses/{post_id}", a.base()), &alice)
            .await;
        (status["pleroma"]["emoji_reactions"][0]["name"] == "bobcat").then_some(status)
    })
    .await;
    let reaction = &on_a["pleroma"]["emoji_reactions"][0];
    assert!(
        reaction["url"]
            .as_str()
            .is_some_and(|u| u.starts_with(&format!("{}/proxy/", a.base()))),
        "{reaction}"
    );

    admin.ok(&["admin", "emoji", "remove", "blobcat"], "");
    let (_, listed) = client
        .get(&format!("{}/api/v1/custom_emojis", a.base()), "")
        .await;
    assert_eq!(listed, serde_json::json!([]));
}

#[tokio::test]
async fn rfc9421_signed_activities_are_accepted_and_checked() {
    let (a, b) = (Instance::start(), Instance::start());
    let _bob = b.user("bob");
    let b_store = b.store().await;
    let bob_user = b_store
        .local_user_by_username("bob")
        .await
        .unwrap()
        .unwrap();
    let bob_uri = bob_user.account.uri.clone();
    let inbox = format!("{}/inbox", a.base());
    let note_id = format!("{bob_uri}/notes/9421");
    let body = serde_json::to_vec(&serde_json::json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{note_id}/activity"),
        "type": "Create",
        "actor": bob_uri,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {
            "id": note_id,
            "type": "Note",
            "attributedTo": bob_uri,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "content": "<p>signed the RFC 9421 way</p>",
            "published": "2026-11-26T12:00:00Z"
        }
    }))
    .unwrap();
    let signer = rhizome_federation::signatures::Rfc9421Signer::new(
        format!("{bob_uri}#main-key"),
        rhizome_federation::signatures::SigningKey::Rsa(
            rhizome_federation::keys::load_rsa_private_key(&bob_user.private_key_pem).unwrap(),
        ),
    );
    let send = |payload: Vec<u8>, signed_over: Vec<u8>| {
        let inbox = inbox.clone();
        let signer = &signer;
        async move {
            let uri: http::Uri = inbox.parse().unwrap();
            let mut headers = http::HeaderMap::new();
            headers.insert("content-type", "application/activity+json".parse().unwrap());
            rhizome_federation::signatures::Signer::sign(
                signer,
                &http::Method::POST,
                &uri,
                &mut headers,
                Some(&signed_over),
                chrono::Utc::now(),
            )
            .unwrap();
            assert!(headers.contains_key("signature-input"), "{headers:?}");
            assert!(
                !headers.contains_key("digest"),
                "Content-Digest, not Digest"
            );
            let mut request = reqwest::Client::new().post(&inbox).body(payload);
            for (name, value) in &headers {
                request = request.header(name.as_str(), value.to_str().unwrap());
            }
            request.send().await.unwrap().status()
        }
    };
    // A body other than the one signed (Content-Digest no longer matches): refused.
    let mut tampered = body.clone();
    let last = tampered.len() - 2;
    tampered[last] = b' ';
    assert_eq!(send(tampered, body.clone()).await, StatusCode::UNAUTHORIZED);
    let a_store = a.store().await;
    assert!(a_store.status_by_uri(&note_id).await.unwrap().is_none());
    // Signed as sent: accepted and stored.
    assert_eq!(send(body.clone(), body).await, StatusCode::ACCEPTED);
    eventually("the RFC 9421 post on A", || async {
        a_store.status_by_uri(&note_id).await.unwrap()
    })
    .await;
}

#[tokio::test]
async fn received_posts_get_their_preview_card() {
    let site = support::pages::site().await;
    let (a, b) = (Instance::start(), Instance::start());
    let (alice, bob) = (a.user("alice"), b.user("bob"));
    let client = Client::new();
    let (_, post) = client
        .post(
            &format!("{}/api/v1/statuses", a.base()),
            &alice,
            &[("status", &format!("news: {}", site.url("/article")))],
        )
        .await;
    // The receiving server reads the page itself: the card is not taken from the sender.
    let on_b = resolved_id(&client, &b, &bob, post["uri"].as_str().unwrap()).await;
    let card = eventually("the card of the received post", || async {
        let (_, seen) = client
            .get(&format!("{}/api/v1/statuses/{on_b}", b.base()), &bob)
            .await;
        Some(seen["card"].clone()).filter(|card| !card.is_null())
    })
    .await;
    assert_eq!(card["title"], "Big news & more");
    assert!(
        card["image"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}/proxy/", b.base())),
        "{card:#}"
    );
}

/// Posts `text` (public) as the token's user and returns the Status.
async fn post_status(client: &Client, instance: &Instance, token: &str, text: &str) -> Value {
    let (status, posted) = client
        .post(
            &format!("{}/api/v1/statuses", instance.base()),
            token,
            &[("status", text)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{posted}");
    posted
}

/// The status in `token`'s home timeline whose content contains `text`, if any.
async fn in_home(client: &Client, instance: &Instance, token: &str, text: &str) -> Option<Value> {
    let (_, home) = client
        .get(&format!("{}/api/v1/timelines/home", instance.base()), token)
        .await;
    home.as_array()?
        .iter()
        .find(|s| s["content"].as_str().is_some_and(|c| c.contains(text)))
        .cloned()
}

#[tokio::test]
async fn domain_blocks_from_the_admin_api_shape_then_refuse_federation() {
    let (a, b) = (Instance::start(), Instance::start());
    let alice = a.user_with(
        "alice",
        "admin",
        "read write follow push admin:read admin:write",
    );
    let carol = a.user("carol");
    let (bob, dave) = (b.user("bob"), b.user("dave"));
    let client = Client::new();
    let blocks_url = format!("{}/api/v1/admin/domain_blocks", a.base());

    // Alice follows Bob and Bob follows Alice, before anything is blocked.
    let bob_on_a = resolve(&client, &a, &alice, &format!("bob@{}", b.domain())).await;
    client
        .post(
            &format!("{}/api/v1/accounts/{bob_on_a}/follow", a.base()),
            &alice,
            &[],
        )
        .await;
    let alice_on_b = resolve(&client, &b, &bob, &format!("alice@{}", a.domain())).await;
    client
        .post(
            &format!("{}/api/v1/accounts/{alice_on_b}/follow", b.base()),
            &bob,
            &[],
        )
        .await;
    for (instance, token, id) in [(&a, &alice, &bob_on_a), (&b, &bob, &alice_on_b)] {
        eventually("the follows", || async {
            relationship(&client, instance, token, id).await["following"]
                .as_bool()
                .filter(|f| *f)
        })
        .await;
    }

    // Only staff with the admin scopes may block: Carol's token lacks them.
    let domain = b.domain();
    let silence: &[(&str, &str)] = &[
        ("domain", &domain),
        ("severity", "silence"),
        ("reject_media", "true"),
        ("public_comment", "too loud"),
        ("private_comment", "seen in reports"),
    ];
    let (status, _) = client.post(&blocks_url, &carol, silence).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, created) = client.post(&blocks_url, &alice, silence).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["domain"], domain);
    assert_eq!(created["severity"], "silence");
    assert_eq!(created["reject_media"], true);
    assert_eq!(created["reject_reports"], false);
    assert_eq!(created["private_comment"], "seen in reports");
    assert_eq!(created["digest"].as_str().map(str::len), Some(64));
    let block_id = created["id"].as_str().unwrap().to_owned();
    let (status, _) = client.post(&blocks_url, &alice, silence).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, listed) = client.get(&blocks_url, &alice).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed[0]["id"], block_id.as_str());

    // Silenced with media removed: Bob's picture arrives unlisted and without the picture.
    let png = support::media::encoded(
        &image::DynamicImage::new_rgb8(20, 20),
        image::ImageFormat::Png,
    );
    let (content_type, body) =
        support::media::multipart(&[("file", Some("p.png"), "image/png", &png)]);
    let media: Value = client
        .http
        .post(format!("{}/api/v2/media", b.base()))
        .bearer_auth(&bob)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (status, pictured) = client
        .post(
            &format!("{}/api/v1/statuses", b.base()),
            &bob,
            &[
                ("status", "a loud picture"),
                ("media_ids[]", media["id"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{pictured}");
    assert_eq!(pictured["visibility"], "public");
    let arrived = eventually("the silenced post", || {
        in_home(&client, &a, &alice, "a loud picture")
    })
    .await;
    assert_eq!(arrived["visibility"], "unlisted", "{arrived}");
    assert_eq!(arrived["media_attachments"], serde_json::json!([]));
    let (_, public) = client
        .get(&format!("{}/api/v1/timelines/public", a.base()), &alice)
        .await;
    assert!(!public.to_string().contains("a loud picture"), "{public}");

    // Published: NodeInfo in Akkoma's shape and Mastodon's public list.
    let (_, nodeinfo) = client.get(&format!("{}/nodeinfo/2.1", a.base()), "").await;
    let federation = &nodeinfo["metadata"]["federation"];
    assert_eq!(
        federation["mrf_simple"]["federated_timeline_removal"],
        serde_json::json!([domain])
    );
    assert_eq!(
        federation["mrf_simple"]["media_removal"],
        serde_json::json!([domain])
    );
    assert_eq!(
        federation["mrf_simple_info"]["federated_timeline_removal"][&domain]["reason"],
        "too loud"
    );
    assert!(
        federation["mrf_policies"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("SimplePolicy"))
    );
    let (status, public_list) = client
        .get(&format!("{}/api/v1/instance/domain_blocks", a.base()), "")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(public_list[0]["domain"], domain);
    assert_eq!(public_list[0]["severity"], "silence");
    assert_eq!(public_list[0]["comment"], "too loud");
    assert_eq!(public_list[0]["digest"], created["digest"]);

    // Suspended: nothing from B reaches A, A fetches nothing from B and delivers nothing to it.
    let response = client
        .http
        .put(format!("{blocks_url}/{block_id}"))
        .bearer_auth(&alice)
        .form(&[("severity", "suspend")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let updated: Value = response.json().await.unwrap();
    assert_eq!(updated["severity"], "suspend");
    assert_eq!(updated["public_comment"], "too loud");

    let refused = post_status(&client, &b, &bob, "after the suspension").await;
    let carol_on_b = resolve(&client, &b, &dave, &format!("carol@{}", a.domain())).await;
    client
        .post(
            &format!("{}/api/v1/accounts/{carol_on_b}/follow", b.base()),
            &dave,
            &[],
        )
        .await;
    post_status(&client, &a, &alice, "not for suspended servers").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        in_home(&client, &a, &alice, "after the suspension")
            .await
            .is_none()
    );
    assert_eq!(
        relationship(&client, &b, &dave, &carol_on_b).await["following"],
        false
    );
    assert!(
        in_home(&client, &b, &bob, "not for suspended servers")
            .await
            .is_none()
    );
    let fetched = resolve_status(&client, &a, &alice, refused["uri"].as_str().unwrap()).await;
    assert!(fetched.is_null(), "{fetched}");

    // Lifted: deliveries resume.
    let response = client
        .http
        .delete(format!("{blocks_url}/{block_id}"))
        .bearer_auth(&alice)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (status, _) = client
        .get(&format!("{blocks_url}/{block_id}"), &alice)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    post_status(&client, &a, &alice, "welcome back").await;
    eventually("delivery after the block is lifted", || {
        in_home(&client, &b, &bob, "welcome back")
    })
    .await;

    // The dry run replays what A received (even what the suspension dropped) through a
    // proposed chain: a keyword rejects both of Bob's posts.
    let report: Value = client
        .http
        .post(format!("{}/api/v1/admin/rhizome/policies/test", a.base()))
        .bearer_auth(&alice)
        .json(&serde_json::json!({
            "policies": ["keyword"],
            "keyword": { "reject": ["/loud|suspension/"] }
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rejected: Vec<&str> = report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["policy"] == "keyword")
        .filter_map(|e| e["activity_id"].as_str())
        .collect();
    assert_eq!(rejected.len(), 2, "{report}");
    assert!(report["examined"].as_u64().unwrap() >= 2, "{report}");
    // Carol, not an admin, may not look.
    let response = client
        .http
        .post(format!("{}/api/v1/admin/rhizome/policies/test", a.base()))
        .bearer_auth(&carol)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // The same from the command line, with a proposed configuration file.
    let dir = tempfile::tempdir().unwrap();
    let proposed = dir.path().join("new.toml");
    std::fs::write(
        &proposed,
        "[mrf]\npolicies = [\"keyword\"]\n[mrf.keyword]\nreject = [\"loud\"]\n",
    )
    .unwrap();
    let admin = a.setup.clone().with("RHIZOME_INSTANCE_DOMAIN", &a.domain());
    let out = admin.ok(
        &[
            "admin",
            "--json",
            "policy",
            "test",
            "--config",
            proposed.to_str().unwrap(),
        ],
        "",
    );
    let cli_report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        cli_report["rejected"].as_array().map(Vec::len),
        Some(1),
        "{out}"
    );
    assert_eq!(
        cli_report["rejected"][0]["reason"],
        "matches the keyword \"loud\""
    );
}

#[tokio::test]
async fn moderation_tags_sandbox_a_remote_account_and_close_a_local_one_to_remote_followers() {
    let (a, b) = (Instance::start(), Instance::start());
    let (alice, carol) = (a.user("alice"), a.user("carol"));
    let bob = b.user("bob");
    let client = Client::new();
    let admin = a.setup.clone().with("RHIZOME_INSTANCE_DOMAIN", &a.domain());

    let bob_on_a = resolve(&client, &a, &alice, &format!("bob@{}", b.domain())).await;
    client
        .post(
            &format!("{}/api/v1/accounts/{bob_on_a}/follow", a.base()),
            &alice,
            &[],
        )
        .await;
    eventually("Alice follows Bob", || async {
        relationship(&client, &a, &alice, &bob_on_a).await["following"]
            .as_bool()
            .filter(|f| *f)
    })
    .await;

    // Bob is sandboxed on A: his public posts reach followers there, never the public.
    let bob_acct = format!("bob@{}", b.domain());
    let tagged = admin.ok(&["admin", "user", "tag", &bob_acct, "mrf_tag:sandbox"], "");
    assert!(tagged.contains("mrf_tag:sandbox"), "{tagged}");
    admin.fails(&["admin", "user", "tag", &bob_acct, "mrf_tag:nonsense"], "");
    post_status(&client, &b, &bob, "sandboxed words").await;
    let arrived = eventually("the sandboxed post", || {
        in_home(&client, &a, &alice, "sandboxed words")
    })
    .await;
    assert_eq!(arrived["visibility"], "private", "{arrived}");

    // Carol takes no remote followers: Bob's follow is refused at A's door.
    admin.ok(
        &[
            "admin",
            "user",
            "tag",
            "carol",
            "mrf_tag:disable-remote-subscription",
        ],
        "",
    );
    let carol_on_b = resolve(&client, &b, &bob, &format!("carol@{}", a.domain())).await;
    client
        .post(
            &format!("{}/api/v1/accounts/{carol_on_b}/follow", b.base()),
            &bob,
            &[],
        )
        .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (_, me) = client
        .get(
            &format!("{}/api/v1/accounts/verify_credentials", a.base()),
            &carol,
        )
        .await;
    assert_eq!(me["followers_count"], 0);
    // Untagged, the next follow goes through.
    admin.ok(
        &[
            "admin",
            "user",
            "untag",
            "carol",
            "mrf_tag:disable-remote-subscription",
        ],
        "",
    );
    client
        .post(
            &format!("{}/api/v1/accounts/{carol_on_b}/unfollow", b.base()),
            &bob,
            &[],
        )
        .await;
    client
        .post(
            &format!("{}/api/v1/accounts/{carol_on_b}/follow", b.base()),
            &bob,
            &[],
        )
        .await;
    eventually("the follow after the untag", || async {
        relationship(&client, &b, &bob, &carol_on_b).await["following"]
            .as_bool()
            .filter(|f| *f)
    })
    .await;
}

#[tokio::test]
async fn custom_emoji_of_listed_hosts_are_stolen() {
    let (a, b) = (Instance::start(), Instance::start());
    let alice = a.user("alice");
    let bob = b.user("bob");
    let client = Client::new();
    let dir = tempfile::tempdir().unwrap();
    let picture = dir.path().join("blobcat.png");
    image::DynamicImage::new_rgba8(32, 32)
        .save_with_format(&picture, image::ImageFormat::Png)
        .unwrap();
    let on_b = b.setup.clone().with("RHIZOME_INSTANCE_DOMAIN", &b.domain());
    for code in ["blobcat", "secretcat"] {
        on_b.ok(
            &["admin", "emoji", "add", code, picture.to_str().unwrap()],
            "",
        );
    }
    // A takes B's emoji, except the secret ones, without a restart.
    let proposed = dir.path().join("steal.toml");
    std::fs::write(
        &proposed,
        format!(
            "[mrf]\npolicies = [\"simple\", \"steal_emoji\"]\n[mrf.steal_emoji]\nhosts = [\"{}\"]\nrejected_shortcodes = [\"/^secret/\"]\n",
            b.domain()
        ),
    )
    .unwrap();
    let on_a = a.setup.clone().with("RHIZOME_INSTANCE_DOMAIN", &a.domain());
    on_a.ok(
        &[
            "admin",
            "policy",
            "apply",
            "--config",
            proposed.to_str().unwrap(),
        ],
        "",
    );

    let bob_on_a = resolve(&client, &a, &alice, &format!("bob@{}", b.domain())).await;
    client
        .post(
            &format!("{}/api/v1/accounts/{bob_on_a}/follow", a.base()),
            &alice,
            &[],
        )
        .await;
    eventually("Alice follows Bob", || async {
        relationship(&client, &a, &alice, &bob_on_a).await["following"]
            .as_bool()
            .filter(|f| *f)
    })
    .await;
    post_status(&client, &b, &bob, "look :blobcat: and :secretcat:").await;
    let stolen = eventually("the stolen emoji", || async {
        let (_, emojis) = client
            .get(&format!("{}/api/v1/custom_emojis", a.base()), &alice)
            .await;
        emojis
            .as_array()
            .and_then(|list| list.iter().find(|e| e["shortcode"] == "blobcat").cloned())
    })
    .await;
    assert_eq!(stolen["category"], "stolen");
    assert!(
        stolen["url"].as_str().unwrap().starts_with(&a.base()),
        "{stolen}"
    );
    let (_, emojis) = client
        .get(&format!("{}/api/v1/custom_emojis", a.base()), &alice)
        .await;
    assert!(!emojis.to_string().contains("secretcat"), "{emojis}");
    let (_, nodeinfo) = client.get(&format!("{}/nodeinfo/2.1", a.base()), "").await;
    assert_eq!(
        nodeinfo["metadata"]["federation"]["mrf_steal_emoji"]["hosts"],
        serde_json::json!([b.domain()])
    );
}

/// Whether `token`'s user was notified of a mention containing `text`.
async fn mentioned(client: &Client, instance: &Instance, token: &str, text: &str) -> bool {
    let (_, notifications) = client
        .get(
            &format!("{}/api/v1/notifications?types[]=mention", instance.base()),
            token,
        )
        .await;
    notifications.as_array().is_some_and(|list| {
        list.iter().any(|n| {
            n["status"]["content"]
                .as_str()
                .is_some_and(|c| c.contains(text))
        })
    })
}

#[tokio::test]
async fn direct_messages_from_strangers_are_refused_when_the_recipient_says_so() {
    let (a, b) = (Instance::start(), Instance::start());
    let alice = a.user("alice");
    let bob = b.user("bob");
    let client = Client::new();
    let alice_acct = format!("alice@{}", a.domain());
    resolve(&client, &b, &bob, &alice_acct).await;

    let set = |choice: &'static str| {
        let client = &client;
        let (a, alice) = (&a, &alice);
        async move {
            let response = client
                .http
                .patch(format!("{}/api/v1/accounts/update_credentials", a.base()))
                .bearer_auth(alice)
                .form(&[("accepts_direct_messages_from", choice)])
                .send()
                .await
                .unwrap();
            let status = response.status();
            let body: Value = response.json().await.unwrap();
            (status, body)
        }
    };
    let (status, _) = set("strangers").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, me) = set("nobody").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["pleroma"]["accepts_direct_messages_from"], "nobody");

    let dm = |text: String| {
        let client = &client;
        let (b, bob, alice_acct) = (&b, &bob, &alice_acct);
        async move {
            let (status, posted) = client
                .post(
                    &format!("{}/api/v1/statuses", b.base()),
                    bob,
                    &[
                        ("status", format!("@{alice_acct} {text}").as_str()),
                        ("visibility", "direct"),
                    ],
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{posted}");
        }
    };
    dm("first whisper".into()).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!mentioned(&client, &a, &alice, "first whisper").await);

    // People Alice follows may write to her: Bob, once she follows him.
    set("people_i_follow").await;
    let bob_on_a = resolve(&client, &a, &alice, &format!("bob@{}", b.domain())).await;
    dm("second whisper".into()).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!mentioned(&client, &a, &alice, "second whisper").await);
    client
        .post(
            &format!("{}/api/v1/accounts/{bob_on_a}/follow", a.base()),
            &alice,
            &[],
        )
        .await;
    eventually("Alice follows Bob", || async {
        relationship(&client, &a, &alice, &bob_on_a).await["following"]
            .as_bool()
            .filter(|f| *f)
    })
    .await;
    dm("third whisper".into()).await;
    eventually("the direct message from a followed account", || async {
        mentioned(&client, &a, &alice, "third whisper")
            .await
            .then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_forwarded_report_reaches_the_other_servers_moderators_from_the_instance_actor() {
    let (a, b) = (Instance::start(), Instance::start());
    let (alice, bob) = (a.user("alice"), b.user("bob"));
    let moderator = b.staff("modbee", "moderator");
    let client = Client::new();
    let (_, post) = client
        .post(
            &format!("{}/api/v1/statuses", b.base()),
            &bob,
            &[("status", "buy cheap pills"), ("visibility", "public")],
        )
        .await;
    let post_uri = post["uri"].as_str().unwrap().to_owned();
    let bob_on_a = resolve(&client, &a, &alice, &format!("bob@{}", b.domain())).await;
    let post_on_a = resolve_status(&client, &a, &alice, &post_uri).await;
    let post_on_a = post_on_a["id"].as_str().unwrap();

    let (status, report) = client
        .post(
            &format!("{}/api/v1/reports", a.base()),
            &alice,
            &[
                ("account_id", bob_on_a.as_str()),
                ("status_ids[]", post_on_a),
                ("comment", "spam again"),
                ("category", "spam"),
                ("forward", "true"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["forwarded"], true);
    assert_eq!(report["category"], "spam");
    assert_eq!(report["target_account"]["id"], bob_on_a.as_str());
    assert_eq!(report["status_ids"][0], post_on_a);

    // B's moderators see it, filed by A's instance actor (alice stays anonymous there).
    let received = eventually("the forwarded report on B", || async {
        let (_, reports) = client
            .get(&format!("{}/api/v1/admin/reports", b.base()), &moderator)
            .await;
        reports.as_array().and_then(|r| r.first().cloned())
    })
    .await;
    assert_eq!(received["comment"], "spam again");
    assert_eq!(received["forwarded"], true);
    assert_eq!(received["account"]["domain"], a.domain().as_str());
    assert_ne!(received["account"]["username"], "alice");
    assert_eq!(received["target_account"]["username"], "bob");
    assert_eq!(received["statuses"][0]["uri"], post_uri.as_str());
    let (_, notifications) = client
        .get(&format!("{}/api/v1/notifications", b.base()), &moderator)
        .await;
    assert_eq!(notifications[0]["type"], "admin.report", "{notifications}");

    // A report kept local is not sent.
    let (_, kept) = client
        .post(
            &format!("{}/api/v1/reports", a.base()),
            &alice,
            &[("account_id", bob_on_a.as_str()), ("comment", "local only")],
        )
        .await;
    assert_eq!(kept["forwarded"], false);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let (_, reports) = client
        .get(&format!("{}/api/v1/admin/reports", b.base()), &moderator)
        .await;
    assert_eq!(reports.as_array().map(Vec::len), Some(1), "{reports}");
}

#[tokio::test]
async fn suspending_a_local_account_deletes_it_on_other_servers_and_unsuspending_brings_it_back() {
    let (a, b) = (Instance::start(), Instance::start());
    let (alice, bob) = (a.user("alice"), b.user("bob"));
    let admin = a.staff("boss", "admin");
    let client = Client::new();
    let alice_on_b = resolve(&client, &b, &bob, &format!("alice@{}", a.domain())).await;
    client
        .post(
            &format!("{}/api/v1/accounts/{alice_on_b}/follow", b.base()),
            &bob,
            &[],
        )
        .await;
    eventually("bob following alice", || async {
        relationship(&client, &b, &bob, &alice_on_b).await["following"]
            .as_bool()
            .filter(|f| *f)
    })
    .await;
    client
        .post(
            &format!("{}/api/v1/statuses", a.base()),
            &alice,
            &[("status", "hello from alice"), ("visibility", "public")],
        )
        .await;
    eventually("alice's post on B", || async {
        home_contents(&client, &b, &bob)
            .await
            .iter()
            .any(|c| c.contains("hello from alice"))
            .then_some(())
    })
    .await;

    let (_, me) = client
        .get(
            &format!("{}/api/v1/accounts/verify_credentials", a.base()),
            &alice,
        )
        .await;
    let alice_id = me["id"].as_str().unwrap().to_owned();
    let (status, answer) = client
        .post(
            &format!("{}/api/v1/admin/accounts/{alice_id}/action", a.base()),
            &admin,
            &[("type", "suspend"), ("text", "ban evasion")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    // On A: her token stops working and her account shows as suspended.
    let (status, _) = client
        .get(
            &format!("{}/api/v1/accounts/verify_credentials", a.base()),
            &alice,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, shown) = client
        .get(
            &format!("{}/api/v1/admin/accounts/{alice_id}", a.base()),
            &admin,
        )
        .await;
    assert_eq!(shown["suspended"], true, "{shown}");
    let log = a
        .store()
        .await
        .moderation_log(
            Some(("account", rhizome_model::Id(alice_id.parse().unwrap()))),
            &rhizome_store::PageRequest::first(10),
        )
        .await
        .unwrap();
    assert_eq!(log.items.len(), 1);
    assert_eq!(log.items[0].action, "suspend");
    assert_eq!(log.items[0].text, "ban evasion");

    // On B: the Delete of her actor removes her and her posts.
    eventually("alice's deletion on B", || async {
        let (status, _) = client
            .get(&format!("{}/api/v1/accounts/{alice_on_b}", b.base()), &bob)
            .await;
        (status == StatusCode::NOT_FOUND).then_some(())
    })
    .await;
    assert!(
        !home_contents(&client, &b, &bob)
            .await
            .iter()
            .any(|c| c.contains("hello from alice"))
    );

    // Unsuspended: an Update of her actor tells B, which fetches her again by itself.
    let (status, answer) = client
        .post(
            &format!("{}/api/v1/admin/accounts/{alice_id}/unsuspend", a.base()),
            &admin,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let b_store = b.store().await;
    eventually("alice known to B again", || async {
        b_store
            .account_by_acct("alice", Some(&a.domain()))
            .await
            .ok()
            .flatten()
            .filter(|account| account.suspended_at.is_none())
            .map(|_| ())
    })
    .await;
}

/// Mastodon's `forward_to_domains`: a report about a reply also reaches the server of the
/// account replied to, whose moderators see a report about the third server's account.
#[tokio::test]
async fn a_report_about_a_reply_is_forwarded_to_the_replied_to_server_when_asked() {
    let (a, b, c) = (Instance::start(), Instance::start(), Instance::start());
    let (alice, bob, carol) = (a.user("alice"), b.user("bob"), c.user("carol"));
    let c_moderator = c.staff("modsee", "moderator");
    let client = Client::new();
    let original = post_status(&client, &c, &carol, "a calm thought").await;
    let original_uri = original["uri"].as_str().unwrap().to_owned();
    let original_on_b = resolve_status(&client, &b, &bob, &original_uri).await;
    let mention = format!(
        "@carol@{} you are wrong and I will say it daily",
        c.domain()
    );
    let (status, reply) = client
        .post(
            &format!("{}/api/v1/statuses", b.base()),
            &bob,
            &[
                ("status", mention.as_str()),
                ("in_reply_to_id", original_on_b["id"].as_str().unwrap()),
                ("visibility", "public"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let reply_uri = reply["uri"].as_str().unwrap().to_owned();
    // A knows the post replied to, then the reply.
    resolve_status(&client, &a, &alice, &original_uri).await;
    let reply_on_a = resolve_status(&client, &a, &alice, &reply_uri).await;
    assert!(
        reply_on_a["in_reply_to_account_id"].is_string(),
        "{reply_on_a}"
    );
    let bob_on_a = reply_on_a["account"]["id"].as_str().unwrap().to_owned();
    // C holds the reply too: B delivered it to carol.
    eventually("the reply on C", || async {
        let (_, notifications) = client
            .get(&format!("{}/api/v1/notifications", c.base()), &carol)
            .await;
        notifications
            .as_array()
            .filter(|n| n.iter().any(|n| n["type"] == "mention"))
            .map(|_| ())
    })
    .await;

    let (status, report) = client
        .post(
            &format!("{}/api/v1/reports", a.base()),
            &alice,
            &[
                ("account_id", bob_on_a.as_str()),
                ("status_ids[]", reply_on_a["id"].as_str().unwrap()),
                ("comment", "harassing carol"),
                ("forward", "true"),
                ("forward_to_domains[]", c.domain().as_str()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let received = eventually("the forwarded report on C", || async {
        let (_, reports) = client
            .get(&format!("{}/api/v1/admin/reports", c.base()), &c_moderator)
            .await;
        reports.as_array().and_then(|r| r.first().cloned())
    })
    .await;
    assert_eq!(received["comment"], "harassing carol");
    assert_eq!(received["target_account"]["username"], "bob");
    assert_eq!(received["target_account"]["domain"], b.domain().as_str());
    assert_eq!(received["statuses"][0]["uri"], reply_uri.as_str());
    assert_eq!(received["account"]["domain"], a.domain().as_str());

    // Without the domain asked for, only the target's server gets a copy.
    let (status, _) = client
        .post(
            &format!("{}/api/v1/reports", a.base()),
            &alice,
            &[
                ("account_id", bob_on_a.as_str()),
                ("status_ids[]", reply_on_a["id"].as_str().unwrap()),
                ("comment", "again"),
                ("forward", "true"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let (_, reports) = client
        .get(&format!("{}/api/v1/admin/reports", c.base()), &c_moderator)
        .await;
    assert_eq!(reports.as_array().map(Vec::len), Some(1), "{reports}");
}
