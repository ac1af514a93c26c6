//! The HTTP skeleton in-process: errors, tokens and scopes, health, metrics, request ids.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use rhizome::config::{Config, Loaded};
use rhizome::metrics::Metrics;
use rhizome_core::accounts::NewUser;
use rhizome_core::{Clock, Core};
use rhizome_model::{Role, Scopes};
use rhizome_testkit::TestDatabase;
use serde_json::Value;
use tower::ServiceExt;

struct App {
    _db: TestDatabase,
    core: Core,
    router: axum::Router,
}

async fn app_with(env: &[(&str, &str)]) -> App {
    let db = TestDatabase::sqlite();
    let mut env: std::collections::BTreeMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    env.insert(
        "RHIZOME_STORAGE_DATA_DIR".into(),
        db.scratch_path("data").display().to_string(),
    );
    let loaded = Loaded::from_parts(None, None, &env).unwrap();
    let config: Config = loaded.config;
    let core = Core::new(
        db.store().await,
        config.core_config(&loaded.from_env),
        Clock::default(),
    )
    .await
    .unwrap();
    let router = rhizome::server::router(core.clone(), Metrics::new(), &config);
    App {
        _db: db,
        core,
        router,
    }
}

async fn app() -> App {
    app_with(&[]).await
}

impl App {
    async fn call(&self, request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), 1 << 24)
            .await
            .unwrap();
        (status, headers, body.to_vec())
    }

    async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut request = Request::get(path);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let (status, _, body) = self.call(request.body(Body::empty()).unwrap()).await;
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    async fn user_token(&self, name: &str, role: Role, scopes: &str) -> String {
        let user = match self.core.local_user_named(name).await {
            Ok(user) => user,
            Err(_) => self
                .core
                .create_user(NewUser {
                    username: name.into(),
                    email: format!("{name}@example.org"),
                    password: "a long password".into(),
                    role,
                    approved: true,
                    registration_reason: None,
                    locale: "en".into(),
                    invite_code: None,
                    email_unconfirmed: false,
                })
                .await
                .unwrap(),
        };
        self.core
            .issue_token(
                Some(user.account.id),
                None,
                Scopes::parse(scopes).unwrap(),
                false,
            )
            .await
            .unwrap()
            .access_token
    }
}

#[tokio::test]
async fn instance_entities_have_mastodon_shapes() {
    let app = app_with(&[("RHIZOME_INSTANCE_DOMAIN", "social.example")]).await;
    let (status, v1) = app.get("/api/v1/instance", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v1["uri"], "social.example");
    assert_eq!(v1["urls"]["streaming_api"], "wss://social.example");
    assert!(
        v1["version"]
            .as_str()
            .unwrap()
            .starts_with("4.3.0 (compatible; Rhizome ")
    );
    assert!(v1["stats"]["user_count"].is_i64());
    assert_eq!(v1["registrations"], true);
    assert_eq!(v1["configuration"]["statuses"]["max_characters"], 5000);

    let (status, v2) = app.get("/api/v2/instance", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v2["domain"], "social.example");
    assert_eq!(
        v2["configuration"]["urls"]["streaming"],
        "wss://social.example"
    );
    assert!(v2["usage"]["users"]["active_month"].is_i64());
    assert!(v2["registrations"]["enabled"].is_boolean());
    assert!(v2["rules"].is_array());
}

#[tokio::test]
async fn tokens_and_scopes_are_enforced() {
    let app = app().await;
    let path = "/api/v1/accounts/verify_credentials";

    let (status, body) = app.get(path, None).await;
    assert_eq!(
        (status, body["error"].is_string()),
        (StatusCode::UNAUTHORIZED, true)
    );
    let (status, _) = app.get(path, Some("not-a-token")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let write_only = app.user_token("erin", Role::User, "write").await;
    let (status, body) = app.get(path, Some(&write_only)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["error"].as_str().unwrap().contains("read:accounts"));

    let granular = app.user_token("erin", Role::User, "read:accounts").await;
    let (status, me) = app.get(path, Some(&granular)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["acct"], "erin");
    assert!(
        me["avatar"]
            .as_str()
            .unwrap()
            .starts_with("http://localhost:8080/")
    );
    assert!(me["created_at"].as_str().unwrap().ends_with(".000Z"));
    assert!(me["source"]["fields"].is_array());

    // Revoked and suspended: 401.
    assert!(app.core.revoke_token(&granular).await.unwrap());
    assert_eq!(
        app.get(path, Some(&granular)).await.0,
        StatusCode::UNAUTHORIZED
    );
    let read = app.user_token("erin", Role::User, "read").await;
    app.core.suspend("erin").await.unwrap();
    assert_eq!(app.get(path, Some(&read)).await.0, StatusCode::UNAUTHORIZED);

    // An app's own token has no user: 403 for user endpoints.
    let app_token = app
        .core
        .issue_token(None, None, Scopes::parse("read").unwrap(), false)
        .await
        .unwrap();
    assert_eq!(
        app.get(path, Some(&app_token.access_token)).await.0,
        StatusCode::FORBIDDEN
    );

    // The token may come as a query parameter (browser WebSockets).
    let fresh = app.user_token("frank", Role::User, "read").await;
    assert_eq!(
        app.get(&format!("{path}?access_token={fresh}"), None)
            .await
            .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn unknown_api_paths_answer_in_json() {
    let app = app().await;
    let (status, body) = app.get("/api/v1/nothing/here", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "Record not found");
}

#[tokio::test]
async fn health_request_ids_and_cors() {
    let app = app().await;
    let (status, headers, body) = app
        .call(Request::get("/healthz").body(Body::empty()).unwrap())
        .await;
    assert_eq!(
        (status, body.as_slice()),
        (StatusCode::OK, b"ok\n".as_slice())
    );
    assert!(headers.contains_key("x-request-id"));

    let request = Request::get("/healthz")
        .header("x-request-id", "abc-123")
        .body(Body::empty())
        .unwrap();
    let (_, headers, _) = app.call(request).await;
    assert_eq!(headers["x-request-id"], "abc-123");

    let preflight = Request::options("/api/v1/instance")
        .header("origin", "https://elk.example")
        .header("access-control-request-method", "GET")
        .body(Body::empty())
        .unwrap();
    let (status, headers, _) = app.call(preflight).await;
    assert!(status.is_success());
    assert_eq!(headers["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn metrics_are_private() {
    let closed = app().await;
    assert_eq!(
        closed
            .call(Request::get("/metrics").body(Body::empty()).unwrap())
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    let app = app_with(&[("RHIZOME_METRICS_TOKEN", "m3trics")]).await;
    app.get("/api/v1/instance", None).await;
    let anonymous = app
        .call(Request::get("/metrics").body(Body::empty()).unwrap())
        .await;
    assert_eq!(anonymous.0, StatusCode::UNAUTHORIZED);
    let wrong = Request::get("/metrics")
        .header("authorization", "Bearer nope")
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.call(wrong).await.0, StatusCode::UNAUTHORIZED);
    let right = Request::get("/metrics")
        .header("authorization", "Bearer m3trics")
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = app.call(right).await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(body).unwrap();
    assert!(text.contains("rhizome_http_requests_total{route=\"/api/v1/instance\",method=\"GET\",status=\"200\"} 1"), "{text}");
    assert!(
        text.contains("rhizome_http_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(text.contains("rhizome_jobs{state=\"queued\"} 0"), "{text}");
}

#[tokio::test]
async fn request_bodies_are_bounded() {
    let app = app_with(&[("RHIZOME_SERVER_MAX_BODY_BYTES", "1024")]).await;
    let token = app.user_token("gina", Role::User, "write").await;
    let big = format!("status={}", "a".repeat(4096));
    let request = Request::post("/api/v1/statuses")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(big))
        .unwrap();
    let (status, _, _) = app.call(request).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let small = Request::post("/api/v1/statuses")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("status=small"))
        .unwrap();
    let (status, _, body) = app.call(small).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
}
