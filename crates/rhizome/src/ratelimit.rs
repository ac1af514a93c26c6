//! Rate limits at the edge, for every front: sign-in and sign-up per address, posting and
//! follows per account, search per account (or address), inbox deliveries per remote server,
//! and API writes in general. Answered with `429`, `Retry-After` and Mastodon's
//! `X-RateLimit-*` headers.
//!
//! Windows are fixed and counted per process: several processes sharing a database each allow
//! the limit, which keeps the protection without a shared counter on every request.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rhizome_core::Core;

use crate::config::RateLimitSection;
use crate::server::ClientIp;

/// Who a rule counts requests of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CountBy {
    /// The client's address (after trusted proxies).
    Address,
    /// The signed-in account; the address for requests without a valid token.
    Account,
    /// The server a signed delivery comes from (its key's host); else the address.
    RemoteServer,
}

/// What a rule covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Action {
    SignIn,
    SignUp,
    Post,
    Follow,
    Search,
    Inbox,
    Write,
}

impl Action {
    /// The actions one request counts against (an API post is also an API write).
    fn of(method: &Method, path: &str) -> Vec<Action> {
        let path = path.trim_end_matches('/');
        let mut actions = Vec::new();
        let post = method == Method::POST;
        // The second sign-in step and reset requests count too: codes must not be guessed,
        // nor mailboxes flooded.
        if post
            && matches!(
                path,
                "/oauth/token"
                    | "/oauth/authorize"
                    | "/auth/sign_in"
                    | "/auth/sign_in/two_factor"
                    | "/auth/password/new"
            )
        {
            actions.push(Action::SignIn);
        }
        if post && (path == "/api/v1/accounts" || path == "/auth/sign_up") {
            actions.push(Action::SignUp);
        }
        // The web interface's forms count against the same limits as the API's calls.
        if post && (path == "/api/v1/statuses" || path == "/statuses") {
            actions.push(Action::Post);
        }
        if post
            && (path.starts_with("/api/v1/accounts/") || path.starts_with("/accounts/"))
            && (path.ends_with("/follow") || path.ends_with("/unfollow"))
        {
            actions.push(Action::Follow);
        }
        if method == Method::GET
            && matches!(
                path,
                "/api/v2/search" | "/api/v1/search" | "/api/v1/accounts/search" | "/search"
            )
        {
            actions.push(Action::Search);
        }
        if post && (path == "/inbox" || (path.starts_with("/users/") && path.ends_with("/inbox"))) {
            actions.push(Action::Inbox);
        }
        let writes = matches!(
            *method,
            Method::POST | Method::PUT | Method::PATCH | Method::DELETE
        );
        if writes && (path.starts_with("/api/") || is_web_write(path)) {
            actions.push(Action::Write);
        }
        actions
    }
}

/// A form of the signed-in web interface that changes something (sign-in and sign-up pages
/// have their own limits; inboxes theirs).
fn is_web_write(path: &str) -> bool {
    [
        "/statuses",
        "/polls/",
        "/accounts/",
        "/follow_requests/",
        "/lists",
        "/notifications/",
        "/settings/",
        "/admin/",
    ]
    .iter()
    .any(|prefix| path.starts_with(prefix))
}

#[derive(Debug, Clone, Copy)]
struct Rule {
    action: Action,
    name: &'static str,
    limit: u32,
    window: Duration,
    count_by: CountBy,
}

/// The limits of one process.
pub struct RateLimits {
    enabled: bool,
    rules: Vec<Rule>,
    windows: Mutex<HashMap<(Action, String), (Instant, u32)>>,
}

/// A rule's verdict on one request.
struct Count {
    allowed: bool,
    limit: u32,
    remaining: u32,
    reset_in: Duration,
}

/// Bounds the table of windows: past this, expired windows are dropped.
const MAX_WINDOWS: usize = 100_000;

impl RateLimits {
    pub fn new(config: &RateLimitSection) -> Self {
        let rule = |action, name, limit, seconds: u64, count_by| Rule {
            action,
            name,
            limit,
            window: Duration::from_secs(seconds.max(1)),
            count_by,
        };
        RateLimits {
            enabled: config.enabled,
            rules: vec![
                rule(
                    Action::SignIn,
                    "sign_in",
                    config.sign_in_limit,
                    config.sign_in_window_seconds,
                    CountBy::Address,
                ),
                rule(
                    Action::SignUp,
                    "sign_up",
                    config.sign_up_limit,
                    config.sign_up_window_seconds,
                    CountBy::Address,
                ),
                rule(
                    Action::Post,
                    "posting",
                    config.posting_limit,
                    config.posting_window_seconds,
                    CountBy::Account,
                ),
                rule(
                    Action::Follow,
                    "follows",
                    config.follows_limit,
                    config.follows_window_seconds,
                    CountBy::Account,
                ),
                rule(
                    Action::Search,
                    "search",
                    config.search_limit,
                    config.search_window_seconds,
                    CountBy::Account,
                ),
                rule(
                    Action::Inbox,
                    "inbox",
                    config.inbox_limit,
                    config.inbox_window_seconds,
                    CountBy::RemoteServer,
                ),
                rule(
                    Action::Write,
                    "writes",
                    config.writes_limit,
                    config.writes_window_seconds,
                    CountBy::Account,
                ),
            ],
            windows: Mutex::new(HashMap::new()),
        }
    }

    fn count(&self, rule: &Rule, key: String) -> Count {
        let now = Instant::now();
        let Ok(mut windows) = self.windows.lock() else {
            // A panic elsewhere poisoned the table: let traffic through rather than fail it.
            return Count {
                allowed: true,
                limit: rule.limit,
                remaining: rule.limit,
                reset_in: Duration::ZERO,
            };
        };
        if windows.len() > MAX_WINDOWS {
            let rules = &self.rules;
            windows.retain(|(action, _), (start, _)| {
                rules
                    .iter()
                    .find(|r| r.action == *action)
                    .is_some_and(|r| now.duration_since(*start) < r.window)
            });
        }
        let entry = windows.entry((rule.action, key)).or_insert((now, 0));
        if now.duration_since(entry.0) >= rule.window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        Count {
            allowed: entry.1 <= rule.limit,
            limit: rule.limit,
            remaining: rule.limit.saturating_sub(entry.1),
            reset_in: rule.window.saturating_sub(now.duration_since(entry.0)),
        }
    }
}

/// The host in a signed request's `keyId` (draft-cavage `Signature` or RFC 9421
/// `Signature-Input`), unverified: it only chooses a counter, and a liar only spends the
/// limit of the server it names.
fn signing_host(request: &Request) -> Option<String> {
    let headers = request.headers();
    let value = headers
        .get("signature")
        .or_else(|| headers.get("signature-input"))?
        .to_str()
        .ok()?;
    let start = value.find("keyid=\"").or_else(|| value.find("keyId=\""))? + "keyid=\"".len();
    let key_id = &value[start..];
    let key_id = &key_id[..key_id.find('"')?];
    let url = url::Url::parse(key_id).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

fn address(request: &Request) -> String {
    request
        .extensions()
        .get::<ClientIp>()
        .map(|ip| ip.0)
        .map_or_else(|| "unknown".to_owned(), |ip: IpAddr| ip.to_string())
}

/// The request's access token: the API's bearer token, or the web interface's session
/// (which is an access token kept in a cookie).
fn bearer(request: &Request) -> Option<String> {
    let headers = request.headers();
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let value = value.to_str().ok()?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))?;
        return Some(token.trim().to_owned());
    }
    rhizome_web::session::cookie(headers, rhizome_web::session::SESSION_COOKIE)
        .filter(|session| !session.is_empty())
}

/// Requests that get an HTML page, not the API's JSON error.
fn wants_page(request: &Request) -> bool {
    let path = request.uri().path();
    let api = path.starts_with("/api/")
        || path == "/oauth/token"
        || path == "/inbox"
        || path.ends_with("/inbox");
    !api
}

async fn account_key(core: &Core, bearer: Option<&str>, address: &str) -> String {
    // Per account, not per token: minting tokens must not multiply the limit. An app's own
    // token (no user) counts as its own; a bad token is answered 401 downstream.
    if let Some(bearer) = bearer
        && let Ok(auth) = core.authenticate_token(bearer).await
    {
        return match auth.user {
            Some(user) => format!("account:{}", user.account.id.0),
            None => format!("app:{}", auth.token.id.0),
        };
    }
    format!("address:{address}")
}

/// The middleware: counts the request against every rule it falls under, and refuses it
/// when one of them is spent. The headers report the rule closest to its limit.
pub async fn limit(
    State((limits, core)): State<(Arc<RateLimits>, Core)>,
    request: Request,
    next: Next,
) -> Response {
    if !limits.enabled {
        return next.run(request).await;
    }
    let actions = Action::of(request.method(), request.uri().path());
    if actions.is_empty() {
        return next.run(request).await;
    }
    let client = address(&request);
    let bearer = bearer(&request);
    let server = signing_host(&request);
    let mut account: Option<String> = None;
    let mut tightest: Option<Count> = None;
    let mut refused: Option<(&'static str, Duration)> = None;
    for rule in limits.rules.iter().filter(|r| actions.contains(&r.action)) {
        let key = match rule.count_by {
            CountBy::Address => format!("address:{client}"),
            CountBy::RemoteServer => match &server {
                Some(host) => format!("server:{host}"),
                None => format!("address:{client}"),
            },
            CountBy::Account => match &account {
                Some(key) => key.clone(),
                None => {
                    let key = account_key(&core, bearer.as_deref(), &client).await;
                    account = Some(key.clone());
                    key
                }
            },
        };
        let count = limits.count(rule, key);
        if !count.allowed && refused.is_none() {
            refused = Some((rule.name, count.reset_in));
        }
        if tightest
            .as_ref()
            .is_none_or(|t| count.remaining < t.remaining)
        {
            tightest = Some(count);
        }
    }
    let mut response = match refused {
        Some((rule, reset_in)) => {
            tracing::info!(rule, client, "rate limited");
            let mut response = if wants_page(&request) {
                rhizome_web::error::rate_limited_page(&core, request.headers()).await
            } else {
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    axum::Json(serde_json::json!({ "error": "Too many requests" })),
                )
                    .into_response()
            };
            let seconds = reset_in.as_secs().max(1).to_string();
            if let Ok(value) = HeaderValue::from_str(&seconds) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        None => next.run(request).await,
    };
    if let Some(count) = tightest {
        let reset = (chrono::Utc::now()
            + chrono::Duration::from_std(count.reset_in).unwrap_or_default())
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let headers = response.headers_mut();
        for (name, value) in [
            ("x-ratelimit-limit", count.limit.to_string()),
            ("x-ratelimit-remaining", count.remaining.to_string()),
            ("x-ratelimit-reset", reset),
        ] {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_fall_under_their_actions() {
        assert_eq!(
            Action::of(&Method::POST, "/api/v1/statuses"),
            vec![Action::Post, Action::Write]
        );
        assert_eq!(
            Action::of(&Method::POST, "/api/v1/accounts/123/follow"),
            vec![Action::Follow, Action::Write]
        );
        assert_eq!(
            Action::of(&Method::POST, "/api/v1/accounts"),
            vec![Action::SignUp, Action::Write]
        );
        // The web interface's forms, under the same rules.
        assert_eq!(
            Action::of(&Method::POST, "/statuses"),
            vec![Action::Post, Action::Write]
        );
        assert_eq!(
            Action::of(&Method::POST, "/accounts/123/follow"),
            vec![Action::Follow, Action::Write]
        );
        assert_eq!(Action::of(&Method::GET, "/search"), vec![Action::Search]);
        assert_eq!(
            Action::of(&Method::POST, "/statuses/5/favourite"),
            vec![Action::Write]
        );
        assert_eq!(Action::of(&Method::GET, "/statuses/5/edit"), vec![]);
        assert_eq!(Action::of(&Method::GET, "/@alice"), vec![]);
        assert_eq!(
            Action::of(&Method::POST, "/oauth/token"),
            vec![Action::SignIn]
        );
        assert_eq!(
            Action::of(&Method::POST, "/auth/sign_in"),
            vec![Action::SignIn]
        );
        assert_eq!(
            Action::of(&Method::POST, "/auth/sign_up"),
            vec![Action::SignUp]
        );
        for path in ["/auth/sign_in/two_factor", "/auth/password/new"] {
            assert_eq!(
                Action::of(&Method::POST, path),
                vec![Action::SignIn],
                "{path}"
            );
        }
        assert_eq!(Action::of(&Method::GET, "/auth/password/new"), vec![]);
        assert_eq!(
            Action::of(&Method::GET, "/api/v2/search"),
            vec![Action::Search]
        );
        assert_eq!(
            Action::of(&Method::POST, "/users/alice/inbox"),
            vec![Action::Inbox]
        );
        assert_eq!(Action::of(&Method::POST, "/inbox"), vec![Action::Inbox]);
        assert!(Action::of(&Method::GET, "/api/v1/timelines/home").is_empty());
    }

    #[test]
    fn the_signing_server_is_read_from_either_signature_header() {
        let request = |name: &str, value: &str| {
            Request::builder()
                .header(name, value)
                .body(axum::body::Body::empty())
                .unwrap()
        };
        let cavage = request(
            "signature",
            "keyId=\"https://Remote.Example:8443/users/a#main-key\",algorithm=\"rsa-sha256\",headers=\"(request-target)\",signature=\"x\"",
        );
        assert_eq!(
            signing_host(&cavage).as_deref(),
            Some("remote.example:8443")
        );
        let rfc9421 = request(
            "signature-input",
            "sig1=(\"@method\");created=1;keyid=\"https://b.example/actor#k\"",
        );
        assert_eq!(signing_host(&rfc9421).as_deref(), Some("b.example"));
        assert_eq!(signing_host(&request("x", "y")), None);
    }
}
