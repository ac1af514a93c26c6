//! `rhizome serve`: the HTTP server and the job workers of one process.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rhizome_core::jobs::{JobRegistry, Workers};
use rhizome_core::{Clock, Core};
use rhizome_store::{PoolSize, Store};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::cors::{AllowHeaders, Any, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::config::{Config, Loaded, parse_cidr};
use crate::metrics::Metrics;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Opens the database named by the configuration and brings its schema up to date.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let url = config.database_url();
    if config.uses_sqlite() {
        prepare_data_dir(config)?;
    }
    let store = Store::connect(
        &url,
        PoolSize {
            max_connections: config.database.max_connections,
        },
    )
    .await
    .with_context(|| format!("cannot open the database {}", redact(&url)))?;
    store
        .migrate()
        .await
        .context("cannot migrate the database")?;
    Ok(store)
}

pub async fn open_core(config: &Config, from_env: &[String]) -> anyhow::Result<Core> {
    let store = open_store(config).await?;
    let core = Core::new(
        store,
        config.core_config(from_env),
        Clock::scaled(config.time.scale),
    )
    .await
    .context("cannot load the instance's secrets")?;
    Ok(core)
}

fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("hidden"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Creates the data folder and its media folder, and proves that we can write there.
fn prepare_data_dir(config: &Config) -> anyhow::Result<()> {
    let dir = &config.storage.data_dir;
    let media = dir.join("media");
    std::fs::create_dir_all(&media)
        .with_context(|| format!("storage.data_dir {} cannot be created", dir.display()))?;
    let probe = dir.join(".write-test");
    std::fs::write(&probe, b"ok")
        .with_context(|| format!("storage.data_dir {} is not writable", dir.display()))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

pub async fn serve(loaded: Loaded) -> anyhow::Result<()> {
    let config = loaded.config;
    let listen = config.listen_addr()?;
    // Bind before touching anything else: a second server on a taken port changes nothing.
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen} (server.listen)"))?;
    let metrics_listener = match &config.metrics.listen {
        Some(address) => Some(
            TcpListener::bind(address)
                .await
                .with_context(|| format!("cannot listen on {address} (metrics.listen)"))?,
        ),
        None => None,
    };
    if config.federation.allow_http {
        tracing::warn!(
            "federation.allow_http is ON: peers may be reached over plain http (tests only)"
        );
    }
    if config.federation.allow_private_addresses {
        tracing::warn!(
            "federation.allow_private_addresses is ON: private and loopback addresses may be fetched (tests only)"
        );
    }
    if config.time.scale != 1.0 {
        tracing::warn!(
            scale = config.time.scale,
            "time.scale is not 1: durations are compressed (tests only)"
        );
    }

    let core = open_core(&config, &loaded.from_env).await?;
    // With several processes on one PostgreSQL, streaming events arrive from all of them.
    core.events.start_listener();
    let metrics = Metrics::new();
    let (stop_tx, stop_rx) = watch::channel(false);

    core.schedule_daily_maintenance().await?;
    let workers = Workers::new(
        core.clone(),
        JobRegistry::with_core_jobs(),
        metrics.job_stats.clone(),
    );
    let worker_name = workers.name().to_owned();
    let workers = tokio::spawn(workers.run(stop_rx.clone()));

    if let Some(listener) = metrics_listener {
        let app = Router::new()
            .route("/metrics", get(metrics_open))
            .with_state((core.clone(), metrics.clone()));
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let shutdown = async move {
                let _ = stop.wait_for(|stopped| *stopped).await;
            };
            if let Err(err) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::error!(error = %err, "metrics listener failed");
            }
        });
    }

    let app = router(core.clone(), metrics, &config);
    let users = core.local_user_count().await.unwrap_or(0);
    let hint = if users == 0 {
        " No users yet: create the first admin with `rhizome admin user create NAME --email EMAIL --role admin`."
    } else {
        ""
    };
    tracing::info!(
        worker = %worker_name,
        "Rhizome {} listening on http://{listen} for {}://{}.{hint}",
        env!("CARGO_PKG_VERSION"),
        config.scheme().as_str(),
        config.instance.domain,
    );

    let mut stop_for_server = stop_rx.clone();
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stop_for_server.wait_for(|stopped| *stopped).await;
        })
        .await
    });

    shutdown_signal().await;
    tracing::info!("shutting down: finishing in-flight requests and jobs");
    let _ = stop_tx.send(true);
    let grace = Duration::from_secs(config.server.shutdown_grace_seconds);
    let finished = tokio::time::timeout(grace, async {
        let served = server.await;
        let _ = workers.await;
        served
    })
    .await;
    match finished {
        Ok(Ok(Ok(()))) => tracing::info!("stopped"),
        Ok(Ok(Err(err))) => return Err(err).context("the HTTP server failed"),
        Ok(Err(err)) => return Err(err).context("the HTTP server task failed"),
        Err(_) => tracing::warn!(
            ?grace,
            "stopped before everything finished: grace period over"
        ),
    }
    core.store.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(err) => {
                    tracing::error!(error = %err, "cannot listen for SIGTERM");
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

/// The whole HTTP application: every front, and the plumbing around them.
pub fn router(core: Core, metrics: Arc<Metrics>, config: &Config) -> Router {
    let trusted = Arc::new(
        config
            .server
            .trusted_proxies
            .iter()
            .filter_map(|p| parse_cidr(p))
            .collect::<Vec<_>>(),
    );
    let limits = Arc::new(crate::ratelimit::RateLimits::new(&config.ratelimit));
    let mut plumbing = Router::new().route("/healthz", get(healthz));
    if let Some(token) = config.metrics.token.clone() {
        let metrics = metrics.clone();
        plumbing = plumbing.route(
            "/metrics",
            get(move |State(core): State<Core>, headers: HeaderMap| {
                let metrics = metrics.clone();
                let token = token.clone();
                async move { metrics_with_token(core, metrics, token, headers).await }
            }),
        );
    }
    // Browser clients (Elk, Phanpy) send `Authorization`, which a wildcard never covers by
    // the Fetch standard, so the requested headers are mirrored instead.
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods(Any)
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([
            header::LINK,
            REQUEST_ID,
            HeaderName::from_static("x-ratelimit-limit"),
            HeaderName::from_static("x-ratelimit-remaining"),
            HeaderName::from_static("x-ratelimit-reset"),
            header::RETRY_AFTER,
        ]);
    Router::new()
        .merge(rhizome_api::router())
        .merge(rhizome_activitypub::router())
        .merge(rhizome_web::router(&core))
        .merge(plumbing)
        .route_layer(middleware::from_fn_with_state(
            metrics,
            crate::metrics::record,
        ))
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(
            (limits, core.clone()),
            crate::ratelimit::limit,
        ))
        .layer(DefaultBodyLimit::max(config.server.max_body_bytes))
        .layer(cors)
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                let id = request
                    .headers()
                    .get(&REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                let client = request
                    .extensions()
                    .get::<ClientIp>()
                    .map(|c| c.0.to_string());
                tracing::info_span!(
                    "request",
                    id,
                    method = %request.method(),
                    path = request.uri().path(),
                    client = client.as_deref().unwrap_or("-"),
                )
            }),
        )
        .layer(middleware::from_fn_with_state(
            core.clone(),
            refuse_no_access,
        ))
        .layer(middleware::from_fn_with_state(trusted, client_ip))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(core)
}

/// API paths answer unknown routes in the API's JSON shape; others get a plain 404.
async fn fallback(request: Request) -> Response {
    let path = request.uri().path();
    if path.starts_with("/api/") || path.starts_with("/oauth/") {
        rhizome_api::not_found().await.into_response()
    } else {
        (StatusCode::NOT_FOUND, "Not found\n").into_response()
    }
}

async fn healthz(State(core): State<Core>) -> Response {
    match core.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(err) => {
            tracing::error!(error = %err, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n").into_response()
        }
    }
}

async fn metrics_with_token(
    core: Core,
    metrics: Arc<Metrics>,
    token: String,
    headers: HeaderMap,
) -> Response {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let authorised = presented.is_some_and(|p| constant_time_eq(p.as_bytes(), token.as_bytes()));
    if !authorised {
        return (
            StatusCode::UNAUTHORIZED,
            "metrics need the configured bearer token\n",
        )
            .into_response();
    }
    metrics_response(metrics.render(&core).await)
}

async fn metrics_open(State((core, metrics)): State<(Core, Arc<Metrics>)>) -> Response {
    metrics_response(metrics.render(&core).await)
}

fn metrics_response(text: String) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The address of the client: the peer, or what a trusted proxy says in `X-Forwarded-For`.
pub use rhizome_core::ClientIp;

fn in_range(ip: IpAddr, (network, prefix): (IpAddr, u8)) -> bool {
    match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

/// Walks `X-Forwarded-For` from the right, skipping trusted proxies: the first untrusted
/// address is the client. Headers from untrusted peers are ignored entirely.
fn resolve_client_ip(
    peer: IpAddr,
    forwarded_for: Option<&str>,
    trusted: &[(IpAddr, u8)],
) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|range| in_range(ip, *range));
    if !is_trusted(peer) {
        return peer;
    }
    let Some(forwarded_for) = forwarded_for else {
        return peer;
    };
    let mut client = peer;
    for hop in forwarded_for.rsplit(',') {
        let Ok(ip) = hop.trim().parse::<IpAddr>() else {
            break;
        };
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    client
}

async fn client_ip(
    State(trusted): State<Arc<Vec<(IpAddr, u8)>>>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(ConnectInfo(peer)) = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .copied()
    {
        let forwarded = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        let ip = resolve_client_ip(peer.ip(), forwarded, &trusted);
        request.extensions_mut().insert(ClientIp(ip));
        let proto_trusted = trusted.iter().any(|range| in_range(peer.ip(), *range));
        if !proto_trusted {
            // Only a trusted proxy may tell us the original scheme.
            request.headers_mut().remove("x-forwarded-proto");
        }
    }
    next.run(request).await
}

/// Refuses every request from an address under a `no_access` IP block, before anything else
/// reads it. If the blocks cannot be read, the request goes on: the handler will meet the
/// same database and fail in its own way.
async fn refuse_no_access(State(core): State<Core>, request: Request, next: Next) -> Response {
    let Some(ClientIp(ip)) = request.extensions().get::<ClientIp>().copied() else {
        return next.run(request).await;
    };
    match core.ip_has_no_access(ip).await {
        Ok(false) => next.run(request).await,
        Ok(true) => {
            tracing::info!(%ip, path = request.uri().path(), "refused: no_access IP block");
            let message = "access from your address is blocked";
            let path = request.uri().path();
            if path.starts_with("/api/") || path.starts_with("/oauth/") {
                (
                    StatusCode::FORBIDDEN,
                    axum::Json(serde_json::json!({ "error": message })),
                )
                    .into_response()
            } else {
                (StatusCode::FORBIDDEN, message).into_response()
            }
        }
        Err(err) => {
            tracing::warn!(error = %err, "IP blocks not read");
            next.run(request).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_is_trusted_only_from_proxies() {
        let trusted = vec![
            parse_cidr("127.0.0.1").unwrap(),
            parse_cidr("10.0.0.0/8").unwrap(),
        ];
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            resolve_client_ip(ip("127.0.0.1"), Some("203.0.113.7"), &trusted),
            ip("203.0.113.7")
        );
        assert_eq!(
            resolve_client_ip(
                ip("127.0.0.1"),
                Some("198.51.100.1, 203.0.113.7, 10.1.2.3"),
                &trusted
            ),
            ip("203.0.113.7")
        );
        assert_eq!(
            resolve_client_ip(ip("192.0.2.1"), Some("203.0.113.7"), &trusted),
            ip("192.0.2.1")
        );
        assert_eq!(
            resolve_client_ip(ip("127.0.0.1"), Some("garbage"), &trusted),
            ip("127.0.0.1")
        );
        assert!(in_range(ip("::1"), parse_cidr("::1/128").unwrap()));
        assert!(!in_range(ip("::2"), parse_cidr("::1/128").unwrap()));
    }
}
