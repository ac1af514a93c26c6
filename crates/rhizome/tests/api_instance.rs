//! The instance and what clients probe at start: v1 and v2 instance shapes, peers, rules,
//! emojis, preferences, empty lists, CORS, unknown paths, and rate limits on writes.

mod support;

use axum::http::Method;
use serde_json::{Value, json};
use support::api::{assert_fields, is_datetime, local, local_with};

#[tokio::test]
async fn instance_v1_shape() {
    let app = local().await;
    app.core
        .change_setting("instance.rules", json!(["Be kind", "No spam"]))
        .await
        .unwrap();
    app.register("alice").await;
    let v1 = app.get("/api/v1/instance").ok().await;
    assert_fields(
        &v1,
        "Instance (v1)",
        &[
            ("uri", "string"),
            ("title", "string"),
            ("short_description", "string"),
            ("description", "string"),
            ("email", "string"),
            ("version", "string"),
            ("urls", "object"),
            ("stats", "object"),
            ("thumbnail", "url?"),
            ("languages", "array"),
            ("registrations", "bool"),
            ("approval_required", "bool"),
            ("invites_enabled", "bool"),
            ("configuration", "object"),
            ("contact_account", "object?"),
            ("rules", "array"),
        ],
    );
    assert_eq!(v1["uri"], "localhost:8080", "a domain, not a URL");
    assert_eq!(v1["urls"]["streaming_api"], "ws://localhost:8080");
    assert_fields(
        &v1["stats"],
        "Instance.stats",
        &[
            ("user_count", "int"),
            ("status_count", "int"),
            ("domain_count", "int"),
        ],
    );
    assert_eq!(v1["stats"]["user_count"], 1);
    let configuration = &v1["configuration"];
    assert_fields(
        &configuration["statuses"],
        "configuration.statuses",
        &[
            ("max_characters", "int"),
            ("max_media_attachments", "int"),
            ("characters_reserved_per_url", "int"),
        ],
    );
    assert_fields(
        &configuration["media_attachments"],
        "configuration.media_attachments",
        &[
            ("supported_mime_types", "array"),
            ("image_size_limit", "int"),
            ("image_matrix_limit", "int"),
            ("video_size_limit", "int"),
            ("video_frame_rate_limit", "int"),
            ("video_matrix_limit", "int"),
        ],
    );
    assert_fields(
        &configuration["polls"],
        "configuration.polls",
        &[
            ("max_options", "int"),
            ("max_characters_per_option", "int"),
            ("min_expiration", "int"),
            ("max_expiration", "int"),
        ],
    );
    assert_fields(
        &configuration["accounts"],
        "configuration.accounts",
        &[("max_featured_tags", "int")],
    );
    let version = v1["version"].as_str().unwrap();
    assert!(
        version.starts_with("4.3.0 (compatible; Rhizome "),
        "{version}"
    );
    assert_eq!(
        v1["rules"],
        json!([
            { "id": "1", "text": "Be kind", "hint": "" },
            { "id": "2", "text": "No spam", "hint": "" },
        ])
    );
}

#[tokio::test]
async fn instance_v2_shape() {
    let app = local().await;
    let v2 = app.get("/api/v2/instance").ok().await;
    assert_fields(
        &v2,
        "Instance (v2)",
        &[
            ("domain", "string"),
            ("title", "string"),
            ("version", "string"),
            ("source_url", "url"),
            ("description", "string"),
            ("usage", "object"),
            ("thumbnail", "object"),
            ("icon", "array"),
            ("languages", "array"),
            ("configuration", "object"),
            ("registrations", "object"),
            ("contact", "object"),
            ("rules", "array"),
            ("api_versions", "object"),
        ],
    );
    assert_eq!(v2["domain"], "localhost:8080");
    assert!(v2["usage"]["users"]["active_month"].is_i64());
    assert!(
        v2["thumbnail"]["url"]
            .as_str()
            .unwrap()
            .starts_with("http://")
    );
    let configuration = &v2["configuration"];
    assert_eq!(configuration["urls"]["streaming"], "ws://localhost:8080");
    assert_fields(
        &configuration["accounts"],
        "configuration.accounts",
        &[("max_featured_tags", "int"), ("max_pinned_statuses", "int")],
    );
    assert_eq!(configuration["statuses"]["max_characters"], 5000);
    assert!(configuration["translation"]["enabled"].is_boolean());
    assert_fields(
        &v2["registrations"],
        "registrations",
        &[
            ("enabled", "bool"),
            ("approval_required", "bool"),
            ("message", "string?"),
            ("url", "url?"),
        ],
    );
    assert_fields(
        &v2["contact"],
        "contact",
        &[("email", "string"), ("account", "object?")],
    );
    assert_eq!(v2["api_versions"]["mastodon"], 2);
}

#[tokio::test]
async fn small_endpoints_clients_probe() {
    let app = local().await;
    let alice = app.register("alice").await;
    assert_eq!(app.get("/api/v1/instance/peers").ok().await, json!([]));
    assert_eq!(app.get("/api/v1/instance/rules").ok().await, json!([]));
    assert_eq!(app.get("/api/v1/custom_emojis").ok().await, json!([]));
    for path in [
        "/api/v1/trends",
        "/api/v1/trends/tags",
        "/api/v1/trends/statuses",
        "/api/v1/trends/links",
        "/api/v1/suggestions",
        "/api/v2/suggestions",
        "/api/v1/endorsements",
        "/api/v1/announcements",
        "/api/v1/featured_tags",
        "/api/v1/followed_tags",
    ] {
        assert_eq!(
            app.get(path).auth(&alice).ok().await,
            json!([]),
            "GET {path}"
        );
    }
    for suffix in ["lists", "featured_tags"] {
        let path = format!("/api/v1/accounts/{}/{suffix}", alice.id);
        assert_eq!(
            app.get(&path).auth(&alice).ok().await,
            json!([]),
            "GET {path}"
        );
    }

    app.get("/api/v1/preferences").send().await.error(401);
    let preferences = app.get("/api/v1/preferences").auth(&alice).ok().await;
    assert_fields(
        &preferences,
        "Preferences",
        &[
            ("posting:default:visibility", "string"),
            ("posting:default:sensitive", "bool"),
            ("posting:default:language", "string?"),
            ("reading:expand:media", "string"),
            ("reading:expand:spoilers", "bool"),
        ],
    );
}

#[tokio::test]
async fn unknown_paths_answer_in_json() {
    let app = local().await;
    for (method, path) in [
        (Method::GET, "/api/v1/nothing"),
        (Method::GET, "/api/v2/nothing/here"),
        (Method::POST, "/api/v1/statuses/1/nothing"),
        (Method::GET, "/oauth/nothing"),
    ] {
        let message = app.request(method.clone(), path).send().await.error(404);
        assert_eq!(message, "Record not found", "{method} {path}");
    }
    let html = app.get("/nothing").send().await.expect(404);
    assert!(
        serde_json::from_slice::<Value>(&html.body).is_err(),
        "outside the API: not JSON"
    );
}

#[tokio::test]
async fn cors_lets_browser_clients_in() {
    let app = local().await;
    let preflight = app
        .request(Method::OPTIONS, "/api/v1/statuses")
        .header("origin", "https://elk.example")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type,idempotency-key",
        )
        .send()
        .await;
    assert!(preflight.status.is_success(), "{}", preflight.status);
    assert_eq!(
        preflight.header("access-control-allow-origin").as_deref(),
        Some("*")
    );
    let methods = preflight
        .header("access-control-allow-methods")
        .unwrap_or_default();
    assert!(methods == "*" || methods.contains("POST"), "{methods}");
    let alice = app.register("alice").await;
    let answer = app
        .get("/api/v1/timelines/home")
        .auth(&alice)
        .header("origin", "https://elk.example")
        .send()
        .await
        .expect(200);
    assert_eq!(
        answer.header("access-control-allow-origin").as_deref(),
        Some("*")
    );
    let exposed = answer
        .header("access-control-expose-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(exposed.contains("link"), "clients read Link: {exposed}");
}

#[tokio::test]
async fn cors_allows_the_authorization_header() {
    let app = local().await;
    let preflight = app
        .request(Method::OPTIONS, "/api/v1/timelines/home")
        .header("origin", "https://elk.example")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await;
    let allowed = preflight
        .header("access-control-allow-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(
        allowed.split(',').any(|h| h.trim() == "authorization"),
        "Authorization must be named: {allowed:?}"
    );
}

#[tokio::test]
async fn writes_are_rate_limited() {
    let app = local_with(&[
        ("RHIZOME_RATELIMIT_ENABLED", "true"),
        ("RHIZOME_RATELIMIT_WRITES_LIMIT", "3"),
    ])
    .await;
    // Sign-ups count against the app token, not against the users.
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    for remaining in ["2", "1", "0"] {
        let reply = app
            .post("/api/v1/statuses")
            .auth(&alice)
            .json(json!({ "status": "hi" }))
            .send()
            .await
            .expect(200);
        assert_eq!(reply.header("x-ratelimit-limit").as_deref(), Some("3"));
        assert_eq!(
            reply.header("x-ratelimit-remaining").as_deref(),
            Some(remaining)
        );
        let reset = reply.header("x-ratelimit-reset").unwrap();
        assert!(
            is_datetime(&reset),
            "X-RateLimit-Reset is a datetime: {reset}"
        );
    }
    let limited = app
        .post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({ "status": "one too many" }))
        .send()
        .await;
    assert_eq!(
        limited.header("x-ratelimit-remaining").as_deref(),
        Some("0")
    );
    assert_eq!(limited.error(429), "Too many requests");
    // Reading goes on; so do other users' writes.
    app.get("/api/v1/timelines/home").auth(&alice).ok().await;
    app.post("/api/v1/statuses")
        .auth(&bob)
        .json(json!({ "status": "me too" }))
        .ok()
        .await;
}

#[tokio::test]
async fn posting_is_limited_per_account_whatever_the_token() {
    let app = local_with(&[
        ("RHIZOME_RATELIMIT_ENABLED", "true"),
        ("RHIZOME_RATELIMIT_POSTING_LIMIT", "2"),
    ])
    .await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let second_token = app.token(&alice, "read write").await;
    app.post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({ "status": "one" }))
        .ok()
        .await;
    let second = app
        .post("/api/v1/statuses")
        .token(&second_token)
        .json(json!({ "status": "two" }))
        .send()
        .await
        .expect(200);
    assert_eq!(second.header("x-ratelimit-limit").as_deref(), Some("2"));
    assert_eq!(second.header("x-ratelimit-remaining").as_deref(), Some("0"));
    // A third token changes nothing: the limit is Alice's.
    let third_token = app.token(&alice, "write").await;
    let limited = app
        .post("/api/v1/statuses")
        .token(&third_token)
        .json(json!({ "status": "three" }))
        .send()
        .await;
    let retry_after: u64 = limited
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=10_800).contains(&retry_after), "{retry_after}");
    assert_eq!(limited.error(429), "Too many requests");
    // Nothing was half-written: Alice has her two posts.
    let mine = app
        .get(&format!("/api/v1/accounts/{}/statuses", alice.id))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(mine.as_array().map(Vec::len), Some(2));
    // Bob posts on.
    app.post("/api/v1/statuses")
        .auth(&bob)
        .json(json!({ "status": "mine" }))
        .ok()
        .await;
}

#[tokio::test]
async fn sign_ins_and_sign_ups_are_limited_per_address() {
    let app = local_with(&[
        ("RHIZOME_RATELIMIT_ENABLED", "true"),
        ("RHIZOME_RATELIMIT_SIGN_UP_LIMIT", "2"),
        ("RHIZOME_RATELIMIT_SIGN_IN_LIMIT", "4"),
    ])
    .await;
    let alice = app.register("alice").await;
    app.register("bob").await;
    let app_token = app.app().await.token.clone();
    let refused = app
        .post("/api/v1/accounts")
        .token(&app_token)
        .json(json!({
            "username": "carol",
            "email": "carol@example.org",
            "password": "a long enough password",
            "agreement": true,
            "locale": "en",
        }))
        .send()
        .await;
    assert!(refused.header("retry-after").is_some());
    assert_eq!(refused.error(429), "Too many requests");

    // The app's own token took one sign-in; three password grants are left, then none.
    for _ in 0..3 {
        app.token(&alice, "read").await;
    }
    let creds = app.app().await.clone();
    let limited = app
        .post("/oauth/token")
        .form(&[
            ("grant_type", "password"),
            ("client_id", &creds.client_id),
            ("client_secret", &creds.client_secret),
            ("username", &alice.username),
            ("password", "wrong, and never checked"),
        ])
        .send()
        .await;
    assert_eq!(limited.error(429), "Too many requests");
}

#[tokio::test]
async fn rate_limits_can_be_switched_off() {
    let app = local_with(&[
        ("RHIZOME_RATELIMIT_ENABLED", "false"),
        ("RHIZOME_RATELIMIT_WRITES_LIMIT", "1"),
    ])
    .await;
    let alice = app.register("alice").await;
    for text in ["one", "two", "three"] {
        let reply = app
            .post("/api/v1/statuses")
            .auth(&alice)
            .json(json!({ "status": text }))
            .send()
            .await
            .expect(200);
        assert_eq!(reply.header("x-ratelimit-limit"), None);
    }
}

#[tokio::test]
async fn inbox_deliveries_are_limited_per_remote_server() {
    let app = local_with(&[
        ("RHIZOME_RATELIMIT_ENABLED", "true"),
        ("RHIZOME_RATELIMIT_INBOX_LIMIT", "2"),
    ])
    .await;
    let deliver = |host: &'static str| {
        let signature = format!(
            "keyId=\"https://{host}/users/a#main-key\",algorithm=\"rsa-sha256\",\
             headers=\"(request-target) host date digest\",signature=\"AAAA\""
        );
        app.post("/inbox")
            .header("signature", &signature)
            .json(json!({ "type": "Create", "actor": format!("https://{host}/users/a") }))
            .send()
    };
    // The signatures are bogus: what matters is which answers are 429.
    for _ in 0..2 {
        assert_ne!(deliver("spammy.example").await.status.as_u16(), 429);
    }
    let limited = deliver("spammy.example").await;
    assert_eq!(limited.status.as_u16(), 429);
    assert!(limited.header("retry-after").is_some());
    assert_ne!(deliver("calm.example").await.status.as_u16(), 429);
}
