//! Helpers for the client API suites (`tests/api_*.rs`): one request builder over either the
//! in-process router or a real `rhizome serve`, users made through the API itself, waits
//! with a deadline, and checks of entity shapes against Mastodon's documentation.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once, OnceLock};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use rhizome::config::{Config, Loaded};
use rhizome::metrics::Metrics;
use rhizome_core::{Clock, Core};
use rhizome_testkit::TestDatabase;
use serde_json::{Value, json};
use tower::ServiceExt;

use super::Setup;

/// Every user made by these helpers has this password.
pub const PASSWORD: &str = "correct horse battery staple";

/// How long a test waits for background work (jobs, streaming) before it fails.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// A name no other test of this binary uses: `prefix` and a number (Mastodon's rules).
pub fn unique(prefix: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    format!("{prefix}{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Percent-encodes one query or path component.
pub fn enc(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

enum Target {
    Router(axum::Router),
    Http(reqwest::Client),
}

/// The client API of one instance, reached in-process or over HTTP.
pub struct Api {
    target: Target,
    /// `scheme://domain` as the instance calls itself (the start of every URL it builds).
    pub base: String,
    app: tokio::sync::OnceCell<App>,
}

/// An OAuth app registered by the helpers, with its own (client-credentials) token.
#[derive(Debug, Clone)]
pub struct App {
    pub client_id: String,
    pub client_secret: String,
    pub token: String,
}

/// A user signed up through `POST /api/v1/accounts`.
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub username: String,
    /// Scopes `read write follow push`.
    pub token: String,
}

impl Api {
    /// An API over HTTP at `base` (`http://127.0.0.1:PORT`); redirects are not followed.
    pub fn http(base: &str) -> Api {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            // A fresh connection per request: no race with a server closing an idle one.
            .pool_max_idle_per_host(0)
            .build()
            .expect("HTTP client");
        Api {
            target: Target::Http(client),
            base: base.to_owned(),
            app: Default::default(),
        }
    }

    pub fn request(&self, method: Method, path: &str) -> Req<'_> {
        Req {
            api: self,
            method,
            path: path.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn get(&self, path: &str) -> Req<'_> {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> Req<'_> {
        self.request(Method::POST, path)
    }

    pub fn put(&self, path: &str) -> Req<'_> {
        self.request(Method::PUT, path)
    }

    pub fn patch(&self, path: &str) -> Req<'_> {
        self.request(Method::PATCH, path)
    }

    pub fn delete(&self, path: &str) -> Req<'_> {
        self.request(Method::DELETE, path)
    }

    /// The helpers' app (created on first use): every scope a user token may need.
    pub async fn app(&self) -> &App {
        self.app
            .get_or_init(|| async {
                let created = self
                    .post("/api/v1/apps")
                    .json(json!({
                        "client_name": "Rhizome API tests",
                        "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                        "scopes": "read write follow push profile",
                    }))
                    .ok()
                    .await;
                let client_id = text_of(&created, "client_id");
                let client_secret = text_of(&created, "client_secret");
                let token = self
                    .post("/oauth/token")
                    .form(&[
                        ("grant_type", "client_credentials"),
                        ("client_id", &client_id),
                        ("client_secret", &client_secret),
                        ("scope", "read write follow push"),
                    ])
                    .ok()
                    .await;
                App {
                    client_id,
                    client_secret,
                    token: text_of(&token, "access_token"),
                }
            })
            .await
    }

    /// Signs up a new user named `prefix` + a number; their token has `read write follow push`.
    pub async fn register(&self, prefix: &str) -> User {
        let username = unique(prefix);
        let app_token = self.app().await.token.clone();
        let issued = self
            .post("/api/v1/accounts")
            .token(&app_token)
            .json(json!({
                "username": username,
                "email": format!("{username}@example.org"),
                "password": PASSWORD,
                "agreement": true,
                "locale": "en",
            }))
            .ok()
            .await;
        let token = text_of(&issued, "access_token");
        let me = self
            .get("/api/v1/accounts/verify_credentials")
            .token(&token)
            .ok()
            .await;
        User {
            id: text_of(&me, "id"),
            username,
            token,
        }
    }

    /// A new token of `user` with exactly `scopes` (password grant).
    pub async fn token(&self, user: &User, scopes: &str) -> String {
        let app = self.app().await.clone();
        let issued = self
            .post("/oauth/token")
            .form(&[
                ("grant_type", "password"),
                ("client_id", &app.client_id),
                ("client_secret", &app.client_secret),
                ("username", &user.username),
                ("password", PASSWORD),
                ("scope", scopes),
            ])
            .ok()
            .await;
        text_of(&issued, "access_token")
    }

    /// Posts `text` as `user` with `visibility`; returns the Status.
    pub async fn post_status(&self, user: &User, text: &str, visibility: &str) -> Value {
        self.post("/api/v1/statuses")
            .auth(user)
            .json(json!({ "status": text, "visibility": visibility }))
            .ok()
            .await
    }

    /// Posts a reply to `parent` (a status id).
    pub async fn reply(&self, user: &User, parent: &str, text: &str, visibility: &str) -> Value {
        self.post("/api/v1/statuses")
            .auth(user)
            .json(json!({ "status": text, "visibility": visibility, "in_reply_to_id": parent }))
            .ok()
            .await
    }

    /// `who` follows `whom`; returns the Relationship.
    pub async fn follow(&self, who: &User, whom: &User) -> Value {
        self.post(&format!("/api/v1/accounts/{}/follow", whom.id))
            .auth(who)
            .ok()
            .await
    }
}

/// The text of `value[key]`, or a panic that shows the value.
pub fn text_of(value: &Value, key: &str) -> String {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key:?} should be a string in {value:#}"))
        .to_owned()
}

/// The `id`s of a list of entities, in order.
pub fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("expected an array, got {list:#}"))
        .iter()
        .map(|item| text_of(item, "id"))
        .collect()
}

/// One request being built.
pub struct Req<'a> {
    api: &'a Api,
    method: Method,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Req<'_> {
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn token(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    pub fn auth(self, user: &User) -> Self {
        let token = user.token.clone();
        self.token(&token)
    }

    pub fn json(mut self, body: Value) -> Self {
        self.body = body.to_string().into_bytes();
        self.header("content-type", "application/json")
    }

    pub fn form(self, pairs: &[(&str, &str)]) -> Self {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        self.raw_form(&body)
    }

    /// A body already encoded as `application/x-www-form-urlencoded`.
    pub fn raw_form(self, body: &str) -> Self {
        self.body(
            "application/x-www-form-urlencoded",
            body.as_bytes().to_vec(),
        )
    }

    /// Any body, with its content type.
    pub fn body(mut self, content_type: &str, body: Vec<u8>) -> Self {
        self.body = body;
        self.header("content-type", content_type)
    }

    pub async fn send(self) -> Reply {
        let what = format!("{} {}", self.method, self.path);
        let (status, headers, body) = match &self.api.target {
            Target::Router(router) => {
                let mut request = Request::builder().method(self.method).uri(&self.path);
                for (name, value) in &self.headers {
                    request = request.header(name, value);
                }
                let request = request.body(Body::from(self.body)).expect("request");
                let response = router.clone().oneshot(request).await.expect("router");
                let status = response.status();
                let headers = response.headers().clone();
                let body = axum::body::to_bytes(response.into_body(), 1 << 24)
                    .await
                    .expect("response body");
                (status, headers, body.to_vec())
            }
            Target::Http(client) => {
                let url = format!("{}{}", self.api.base, self.path);
                let mut request = client.request(self.method, &url);
                for (name, value) in &self.headers {
                    request = request.header(name, value);
                }
                let response = request
                    .body(self.body)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("{what}: {e:?}"));
                let status = response.status();
                let headers = response.headers().clone();
                let body = response
                    .bytes()
                    .await
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
                (status, headers, body.to_vec())
            }
        };
        Reply {
            what,
            status,
            headers,
            body,
        }
    }

    /// Sends, checks for `200 OK` and returns the JSON body.
    pub async fn ok(self) -> Value {
        self.send().await.ok()
    }
}

/// A response, with the request it answers for messages.
pub struct Reply {
    pub what: String,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{} ({}): the body is not JSON ({e}): {}",
                self.what,
                self.status,
                self.text()
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().expect("header text").to_owned())
    }

    /// Asserts the status; returns the response for more checks.
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "{} answered {} instead of {status}: {}",
            self.what,
            self.status,
            self.text()
        );
        self
    }

    /// Asserts `200 OK` and returns the JSON body.
    #[track_caller]
    pub fn ok(self) -> Value {
        self.expect(200).json()
    }

    /// Asserts `status` with Mastodon's error body `{"error": "…"}`; returns the message.
    #[track_caller]
    pub fn error(self, status: u16) -> String {
        let reply = self.expect(status);
        let body = reply.json();
        body["error"]
            .as_str()
            .unwrap_or_else(|| {
                panic!(
                    "{}: an error body needs an \"error\" string: {body:#}",
                    reply.what
                )
            })
            .to_owned()
    }

    /// The `Link` header split into (rel, URL) pairs.
    pub fn links(&self) -> Vec<(String, String)> {
        parse_links(&self.header("link").unwrap_or_default())
    }

    /// The URL of the `rel` link; panics when there is none.
    pub fn link(&self, rel: &str) -> String {
        self.links()
            .into_iter()
            .find(|(r, _)| r == rel)
            .map(|(_, url)| url)
            .unwrap_or_else(|| {
                panic!(
                    "{}: no rel=\"{rel}\" in Link {:?}",
                    self.what,
                    self.header("link")
                )
            })
    }
}

/// Parses `<URL>; rel="next", <URL>; rel="prev"`, checking the syntax on the way.
pub fn parse_links(header: &str) -> Vec<(String, String)> {
    if header.is_empty() {
        return Vec::new();
    }
    header
        .split(", ")
        .map(|part| {
            let (url, rel) = part
                .split_once(">; rel=\"")
                .unwrap_or_else(|| panic!("malformed Link entry {part:?} in {header:?}"));
            let url = url
                .strip_prefix('<')
                .unwrap_or_else(|| panic!("Link entry {part:?} must start with <"));
            let rel = rel
                .strip_suffix('"')
                .unwrap_or_else(|| panic!("Link entry {part:?} must end with a quote"));
            (rel.to_owned(), url.to_owned())
        })
        .collect()
}

/// The path and query of one of the instance's own URLs (to request it again).
pub fn path_of(api: &Api, url: &str) -> String {
    url.strip_prefix(&api.base)
        .unwrap_or_else(|| panic!("{url} should start with {}", api.base))
        .to_owned()
}

// ---------------------------------------------------------------------------------------
// In-process instances.

/// The whole HTTP application in this process, on a fresh SQLite database. No job workers
/// run here: what needs them (fan-out, mention notifications, streaming) needs a server.
pub struct Local {
    pub api: Api,
    pub core: Core,
    _db: TestDatabase,
}

impl std::ops::Deref for Local {
    type Target = Api;
    fn deref(&self) -> &Api {
        &self.api
    }
}

/// An in-process instance (domain `localhost:8080`) with `env` as its environment.
pub async fn local_with(env: &[(&str, &str)]) -> Local {
    let db = TestDatabase::sqlite();
    let mut env: std::collections::BTreeMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    // Tests sign many users up from one address; the rate-limit tests turn it on.
    env.entry("RHIZOME_RATELIMIT_ENABLED".into())
        .or_insert_with(|| "false".into());
    // Media files go next to the database, never into the working directory.
    env.entry("RHIZOME_STORAGE_DATA_DIR".into())
        .or_insert_with(|| db.scratch_path("data").display().to_string());
    let loaded = Loaded::from_parts(None, None, &env).expect("configuration");
    let config: Config = loaded.config;
    let core = Core::new(
        db.store().await,
        config.core_config(&loaded.from_env),
        Clock::default(),
    )
    .await
    .expect("core");
    let router = rhizome::server::router(core.clone(), Metrics::new(), &config);
    Local {
        api: Api {
            target: Target::Router(router),
            base: core.urls.base().to_owned(),
            app: Default::default(),
        },
        core,
        _db: db,
    }
}

pub async fn local() -> Local {
    local_with(&[]).await
}

impl Local {
    /// The database, for the admin CLI run beside this instance.
    pub fn database_url(&self) -> &str {
        self._db.url()
    }
}

// ---------------------------------------------------------------------------------------
// Real servers shared by the tests of one binary.

/// A `rhizome serve` started once per test binary and killed when the binary exits.
pub struct SharedServer {
    pub base: String,
    pub setup: Setup,
    pub log: PathBuf,
}

impl SharedServer {
    /// A fresh client for this server (one per test: clients belong to a test's runtime).
    pub fn api(&self) -> Api {
        Api::http(&self.base)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until this server's workers have run every job that is due.
    pub async fn settle(&self) {
        settle(&self.setup.database_url).await;
    }
}

/// Waits until no job of the instance at `database_url` is running or due.
pub async fn settle(database_url: &str) {
    use rhizome_model::JobState;
    let store =
        rhizome_store::Store::connect(database_url, rhizome_store::PoolSize { max_connections: 2 })
            .await
            .expect("the server's database");
    eventually("the job queue to settle", || async {
        let jobs = store
            .list_jobs(None, &rhizome_store::PageRequest::first(100_000))
            .await
            .expect("jobs")
            .items;
        let now = chrono::Utc::now().timestamp_millis();
        jobs.iter()
            .all(|job| {
                job.state != JobState::Running
                    && !(job.state == JobState::Queued && job.run_at.0 <= now)
            })
            .then_some(())
    })
    .await;
    store.close().await;
}

unsafe extern "C" {
    fn atexit(callback: extern "C" fn()) -> std::ffi::c_int;
    fn kill(pid: std::ffi::c_int, signal: std::ffi::c_int) -> std::ffi::c_int;
}

/// Processes and folders to remove when the test binary exits.
static LEFTOVERS: Mutex<Vec<(u32, PathBuf)>> = Mutex::new(Vec::new());

extern "C" fn clean_up_at_exit() {
    let leftovers = match LEFTOVERS.lock() {
        Ok(mut list) => std::mem::take(&mut *list),
        Err(_) => return,
    };
    for (pid, dir) in leftovers {
        // SAFETY: `kill` has no memory effects; the pid is a child this binary started.
        unsafe {
            kill(pid as std::ffi::c_int, 9);
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// A real server of one test, stopped when dropped.
pub struct OwnServer {
    pub server: super::Server,
    pub setup: Setup,
    _dir: tempfile::TempDir,
}

impl OwnServer {
    pub fn api(&self) -> Api {
        Api::http(&self.server.base())
    }

    pub async fn settle(&self) {
        settle(&self.setup.database_url).await;
    }
}

/// A fresh SQLite instance served by a real process, for tests that need job workers.
/// `RHIZOME_JOBS_POLL_MILLIS` is 50; `env` adds or overrides variables.
pub fn start_server(env: &[(&str, &str)]) -> OwnServer {
    let dir = tempfile::tempdir().expect("temporary folder");
    let setup = server_setup(dir.path().to_owned(), env);
    OwnServer {
        server: setup.serve(),
        setup,
        _dir: dir,
    }
}

fn server_setup(dir: PathBuf, env: &[(&str, &str)]) -> Setup {
    let url = format!("sqlite://{}", dir.join("rhizome.db").display());
    let mut setup = Setup::new(&url, &dir).with("RHIZOME_JOBS_POLL_MILLIS", "50");
    for (key, value) in env {
        setup = setup.with(key, value);
    }
    setup
}

/// The server of `cell`, started on first use with `env`.
pub fn shared_server(
    cell: &'static OnceLock<SharedServer>,
    env: &[(&str, &str)],
) -> &'static SharedServer {
    cell.get_or_init(|| {
        static REGISTER: Once = Once::new();
        REGISTER.call_once(|| {
            // SAFETY: registers a plain function to run at exit; it only kills and deletes.
            unsafe {
                atexit(clean_up_at_exit);
            }
        });
        let dir = std::env::temp_dir().join(format!(
            "rhizome-api-test-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).expect("temporary folder");
        let setup = server_setup(dir.clone(), env);
        let server = setup.serve();
        let shared = SharedServer {
            base: server.base(),
            setup,
            log: server.log.clone(),
        };
        LEFTOVERS
            .lock()
            .expect("leftovers")
            .push((server.child.id(), dir));
        // The process outlives this function; `clean_up_at_exit` ends it.
        std::mem::forget(server);
        shared
    })
}

/// Polls `probe` until it returns `Some`, for at most [`PATIENCE`].
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {PATIENCE:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

// ---------------------------------------------------------------------------------------
// OAuth.

/// A PKCE pair (RFC 7636): a random verifier and its S256 challenge.
pub fn pkce() -> (String, String) {
    use base64::Engine;
    let verifier = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hash.as_ref());
    (verifier, challenge)
}

/// The hidden inputs of an HTML form: (name, value), unescaped.
pub fn hidden_inputs(html: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for piece in html.split("<input type=\"hidden\" ").skip(1) {
        let attribute = |name: &str| {
            let start = piece.find(&format!("{name}=\""))? + name.len() + 2;
            let end = piece[start..].find('"')? + start;
            Some(unescape(&piece[start..end]))
        };
        if let (Some(name), Some(value)) = (attribute("name"), attribute("value")) {
            found.push((name, value));
        }
    }
    found
}

/// Named entities, and the numeric ones askama writes (`&#60;`, `&#34;`, `&#38;`…).
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&#60;", "<")
        .replace("&gt;", ">")
        .replace("&#62;", ">")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .replace("&#38;", "&")
}

/// The `name=value` of the browser cookie a page set, for a form sent back without a cookie
/// jar: anonymous forms' `csrf_token` is bound to it.
pub fn browser_cookie(reply: &Reply) -> String {
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("rhizome_browser="))
        .and_then(|v| v.split(';').next())
        .unwrap_or_else(|| panic!("{} should set the browser cookie", reply.what))
        .to_owned()
}

/// Opens the consent page for these query parameters, then submits its form as
/// `username` with `decision`; returns the answer to the submission.
pub async fn authorize(api: &Api, query: &[(&str, &str)], username: &str, decision: &str) -> Reply {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(query)
        .finish();
    let page = api
        .get(&format!("/oauth/authorize?{query}"))
        .send()
        .await
        .expect(200);
    let html = page.text();
    assert!(
        html.contains("<form") && html.contains("name=\"csrf_token\""),
        "the consent page needs a form with a csrf_token field: {html}"
    );
    let cookie = browser_cookie(&page);
    let mut fields = hidden_inputs(&html);
    fields.push(("username".into(), username.into()));
    fields.push(("password".into(), PASSWORD.into()));
    fields.push(("decision".into(), decision.into()));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    api.post("/oauth/authorize")
        .header("cookie", &cookie)
        .form(&pairs)
        .send()
        .await
}

/// The query parameters of a redirect `Location`.
pub fn location_query(reply: &Reply) -> Vec<(String, String)> {
    let location = reply
        .header("location")
        .unwrap_or_else(|| panic!("{} should redirect: {}", reply.what, reply.text()));
    let query = location.split_once('?').map(|(_, q)| q).unwrap_or("");
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub fn param<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

// ---------------------------------------------------------------------------------------
// Entity shapes (docs.joinmastodon.org/entities): names, types and nullability.

/// `2026-11-26T16:04:09.123Z`: milliseconds and `Z`, as Mastodon sends datetimes.
pub fn is_datetime(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| range.into_iter().all(|i| b[i].is_ascii_digit());
    b.len() == 24
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && b[19] == b'.'
        && digits(20..23)
        && b[23] == b'Z'
}

/// `YYYY-MM-DD`.
pub fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

fn type_matches(value: &Value, kind: &str) -> bool {
    let (kind, nullable) = match kind.strip_suffix('?') {
        Some(kind) => (kind, true),
        None => (kind, false),
    };
    if value.is_null() {
        return nullable;
    }
    match kind {
        "string" => value.is_string(),
        // Non-empty, absolute.
        "url" => value
            .as_str()
            .is_some_and(|s| s.starts_with("http://") || s.starts_with("https://")),
        // Ids are strings of digits.
        "id" => value
            .as_str()
            .is_some_and(|s| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())),
        "bool" => value.is_boolean(),
        "int" => value.is_i64() || value.is_u64(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "datetime" => value.as_str().is_some_and(is_datetime),
        "date" => value.as_str().is_some_and(is_date),
        other => panic!("unknown kind {other}"),
    }
}

/// Checks that `entity` has each field with its kind: `string`, `url`, `id`, `bool`, `int`,
/// `array`, `object`, `datetime`, `date`, with `?` for nullable.
#[track_caller]
pub fn assert_fields(entity: &Value, what: &str, fields: &[(&str, &str)]) {
    assert!(entity.is_object(), "{what} should be an object: {entity:#}");
    for (name, kind) in fields {
        let value = entity
            .get(*name)
            .unwrap_or_else(|| panic!("{what} lacks {name:?}: {entity:#}"));
        assert!(
            type_matches(value, kind),
            "{what}.{name} should be {kind}, is {value}"
        );
    }
}

/// The Account entity.
#[track_caller]
pub fn assert_account(account: &Value) {
    assert_fields(
        account,
        "Account",
        &[
            ("id", "id"),
            ("username", "string"),
            ("acct", "string"),
            ("url", "url"),
            ("uri", "url"),
            ("display_name", "string"),
            ("note", "string"),
            ("avatar", "url"),
            ("avatar_static", "url"),
            ("header", "url"),
            ("header_static", "url"),
            ("locked", "bool"),
            ("fields", "array"),
            ("emojis", "array"),
            ("bot", "bool"),
            ("group", "bool"),
            ("discoverable", "bool?"),
            ("indexable", "bool"),
            ("hide_collections", "bool?"),
            ("created_at", "datetime"),
            ("last_status_at", "date?"),
            ("statuses_count", "int"),
            ("followers_count", "int"),
            ("following_count", "int"),
        ],
    );
    let created = account["created_at"].as_str().unwrap_or_default();
    assert!(
        created.ends_with("T00:00:00.000Z"),
        "Account.created_at is rounded to the day: {created}"
    );
    for field in account["fields"].as_array().into_iter().flatten() {
        assert_fields(
            field,
            "Account.fields[]",
            &[
                ("name", "string"),
                ("value", "string"),
                ("verified_at", "datetime?"),
            ],
        );
    }
    if let Some(roles) = account.get("roles") {
        for role in roles.as_array().expect("Account.roles is an array") {
            assert_fields(
                role,
                "Account.roles[]",
                &[("id", "string"), ("name", "string"), ("color", "string")],
            );
        }
    }
}

/// The CredentialAccount entity (verify_credentials, update_credentials).
#[track_caller]
pub fn assert_credential_account(account: &Value) {
    assert_account(account);
    assert_fields(
        account,
        "CredentialAccount",
        &[("source", "object"), ("role", "object")],
    );
    assert_fields(
        &account["source"],
        "CredentialAccount.source",
        &[
            ("note", "string"),
            ("fields", "array"),
            ("privacy", "string"),
            ("sensitive", "bool"),
            ("language", "string?"),
            ("follow_requests_count", "int"),
        ],
    );
    assert_fields(
        &account["role"],
        "CredentialAccount.role",
        &[
            ("id", "string"),
            ("name", "string"),
            ("permissions", "string"),
            ("color", "string"),
            ("highlighted", "bool"),
        ],
    );
}

/// The Status entity; `viewer` says whether it was read with a user token.
#[track_caller]
pub fn assert_status(status: &Value, viewer: bool) {
    assert_fields(
        status,
        "Status",
        &[
            ("id", "id"),
            ("uri", "url"),
            ("url", "url?"),
            ("created_at", "datetime"),
            ("edited_at", "datetime?"),
            ("account", "object"),
            ("content", "string"),
            ("visibility", "string"),
            ("sensitive", "bool"),
            ("spoiler_text", "string"),
            ("media_attachments", "array"),
            ("mentions", "array"),
            ("tags", "array"),
            ("emojis", "array"),
            ("reblogs_count", "int"),
            ("favourites_count", "int"),
            ("replies_count", "int"),
            ("in_reply_to_id", "id?"),
            ("in_reply_to_account_id", "id?"),
            ("reblog", "object?"),
            ("poll", "object?"),
            ("card", "object?"),
            ("language", "string?"),
        ],
    );
    let visibility = status["visibility"].as_str().unwrap_or_default();
    assert!(
        ["public", "unlisted", "private", "direct", "local"].contains(&visibility),
        "Status.visibility {visibility:?}"
    );
    assert_account(&status["account"]);
    for mention in status["mentions"].as_array().into_iter().flatten() {
        assert_fields(
            mention,
            "Status.mentions[]",
            &[
                ("id", "id"),
                ("username", "string"),
                ("acct", "string"),
                ("url", "url"),
            ],
        );
    }
    for tag in status["tags"].as_array().into_iter().flatten() {
        assert_fields(tag, "Status.tags[]", &[("name", "string"), ("url", "url")]);
    }
    let flags = ["favourited", "reblogged", "muted", "bookmarked"];
    for flag in flags {
        match status.get(flag) {
            Some(value) => assert!(
                viewer && value.is_boolean(),
                "Status.{flag} is a boolean, and only for a user: {value}"
            ),
            None => assert!(!viewer, "Status.{flag} is missing for a user"),
        }
    }
    if let Some(pinned) = status.get("pinned") {
        assert!(pinned.is_boolean(), "Status.pinned is a boolean: {pinned}");
    }
    if !status["reblog"].is_null() {
        assert_status(&status["reblog"], viewer);
    }
}

/// The Notification entity.
#[track_caller]
pub fn assert_notification(notification: &Value) {
    assert_fields(
        notification,
        "Notification",
        &[
            ("id", "id"),
            ("type", "string"),
            ("group_key", "string"),
            ("created_at", "datetime"),
            ("account", "object"),
        ],
    );
    assert_account(&notification["account"]);
    let kind = notification["type"].as_str().unwrap_or_default();
    let with_status = [
        "mention",
        "status",
        "reblog",
        "favourite",
        "poll",
        "update",
        "pleroma:emoji_reaction",
        "quote",
        "quoted_update",
    ];
    if with_status.contains(&kind) {
        assert_status(&notification["status"], true);
    } else {
        assert!(
            notification.get("status").is_none_or(Value::is_null),
            "a {kind} notification has no status: {notification:#}"
        );
    }
}

/// The Relationship entity.
#[track_caller]
pub fn assert_relationship(relationship: &Value) {
    assert_fields(
        relationship,
        "Relationship",
        &[
            ("id", "id"),
            ("following", "bool"),
            ("showing_reblogs", "bool"),
            ("notifying", "bool"),
            ("followed_by", "bool"),
            ("blocking", "bool"),
            ("blocked_by", "bool"),
            ("muting", "bool"),
            ("muting_notifications", "bool"),
            ("requested", "bool"),
            ("requested_by", "bool"),
            ("domain_blocking", "bool"),
            ("endorsed", "bool"),
            ("note", "string"),
        ],
    );
}

/// Today (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

/// A JSON string holding a whole entity (streaming payloads): parsed.
pub fn payload(message: &Value) -> Value {
    let text = message["payload"]
        .as_str()
        .unwrap_or_else(|| panic!("the payload is a JSON string: {message:#}"));
    serde_json::from_str(text).unwrap_or_else(|e| panic!("payload is not JSON ({e}): {text}"))
}

// ---------------------------------------------------------------------------------------
// WebSockets.

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens `ws://…{path}` on the server at `base` (`http://…`) with extra upgrade headers.
pub async fn ws_connect(
    base: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let url = format!("{}{path}", base.replacen("http://", "ws://", 1));
    let mut request = url.into_client_request()?;
    for (name, value) in headers {
        let name = axum::http::HeaderName::from_bytes(name.as_bytes()).expect("header name");
        request
            .headers_mut()
            .insert(name, value.parse().expect("header value"));
    }
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(socket, _)| socket)
}

/// The next JSON text frame for which `wanted` holds; others are skipped. Fails after
/// [`PATIENCE`].
pub async fn ws_next(socket: &mut Socket, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
    use futures::StreamExt;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let frame = tokio::time::timeout_at(deadline, socket.next())
            .await
            .unwrap_or_else(|_| panic!("no {what} within {PATIENCE:?}"))
            .unwrap_or_else(|| panic!("the socket closed before {what}"))
            .unwrap_or_else(|e| panic!("socket error before {what}: {e}"));
        if let tokio_tungstenite::tungstenite::Message::Text(text) = frame {
            let message: Value = serde_json::from_str(text.as_str())
                .unwrap_or_else(|e| panic!("a frame that is not JSON ({e}): {text}"));
            if wanted(&message) {
                return message;
            }
        }
    }
}

/// Whether a streaming message is `event` about status `id` (a Status with that id, a
/// Notification about it, or a delete of it).
pub fn is_event_about(message: &Value, event: &str, id: &str) -> bool {
    message["event"] == event
        && match message["payload"].as_str() {
            Some(text) if event == "delete" => text == id,
            Some(text) => serde_json::from_str::<Value>(text)
                .is_ok_and(|p| p["id"] == id || p["status"]["id"] == id),
            None => false,
        }
}
