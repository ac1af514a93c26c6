//! The delivery transport against a real inbox on loopback that checks what it receives.

mod http_support;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::body::Bytes;
use axum::extract::Path;
use axum::response::IntoResponse;
use axum::routing::post;
use http::header::{LOCATION, RETRY_AFTER};
use http::{HeaderMap, Method, StatusCode, Uri};
use http_support::*;
use rhizome_federation::http::{DeliveryError, FetchConfig, HttpClient, host_of};
use url::Url;

/// What the inbox saw: one entry per request, `Ok` when signature, digest and content type
/// were right.
type Seen = Arc<Mutex<Vec<Result<String, String>>>>;

async fn inbox_server(seen: Seen) -> SocketAddr {
    let router = Router::new().route(
        "/inbox/{case}",
        post(
            move |Path(case): Path<String>,
                  method: Method,
                  uri: Uri,
                  headers: HeaderMap,
                  body: Bytes| {
                let seen = seen.clone();
                async move {
                    let checked =
                        verify_request(&method, &uri, &headers, Some(&body)).and_then(|()| {
                            let content_type = header(&headers, "content-type");
                            if content_type != "application/activity+json" {
                                return Err(format!("content type {content_type:?}"));
                            }
                            if header(&headers, "user-agent") != USER_AGENT {
                                return Err("no user agent".into());
                            }
                            String::from_utf8(body.to_vec()).map_err(|e| e.to_string())
                        });
                    let verified = checked.is_ok();
                    seen.lock().unwrap().push(checked);
                    if !verified {
                        return StatusCode::UNAUTHORIZED.into_response();
                    }
                    match case.as_str() {
                        "accept" => StatusCode::ACCEPTED.into_response(),
                        "ok" => (StatusCode::OK, "{}").into_response(),
                        "limited" => {
                            (StatusCode::TOO_MANY_REQUESTS, [(RETRY_AFTER, "120")]).into_response()
                        }
                        "busy" => {
                            let at = SystemTime::now() + Duration::from_secs(60);
                            let date = httpdate::fmt_http_date(at);
                            (StatusCode::SERVICE_UNAVAILABLE, [(RETRY_AFTER, date)]).into_response()
                        }
                        "slow" => {
                            tokio::time::sleep(Duration::from_secs(3)).await;
                            StatusCode::ACCEPTED.into_response()
                        }
                        "moved" => {
                            (StatusCode::FOUND, [(LOCATION, "/inbox/accept")]).into_response()
                        }
                        code => StatusCode::from_u16(code.parse().unwrap())
                            .unwrap()
                            .into_response(),
                    }
                }
            },
        ),
    );
    serve(router).await
}

const ACTIVITY: &str = r#"{"@context":"https://www.w3.org/ns/activitystreams","type":"Follow"}"#;

fn inbox(addr: SocketAddr, case: &str) -> Url {
    Url::parse(&format!("http://{addr}/inbox/{case}")).unwrap()
}

async fn deliver(client: &HttpClient, target: &Url) -> Result<(), DeliveryError> {
    client
        .deliver(target, Bytes::from_static(ACTIVITY.as_bytes()), &signer())
        .await
}

#[tokio::test]
async fn accepted_deliveries_are_signed_with_a_digest() {
    let seen = Seen::default();
    let addr = inbox_server(seen.clone()).await;
    let client = local_client();
    deliver(&client, &inbox(addr, "accept")).await.unwrap();
    deliver(&client, &inbox(addr, "ok")).await.unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    for entry in seen.iter() {
        assert_eq!(entry.as_deref(), Ok(ACTIVITY));
    }
}

#[tokio::test]
async fn client_errors_are_permanent() {
    let seen = Seen::default();
    let addr = inbox_server(seen.clone()).await;
    let client = local_client();
    for code in [400, 401, 403, 404, 410, 422] {
        let error = deliver(&client, &inbox(addr, &code.to_string()))
            .await
            .unwrap_err();
        assert!(
            matches!(error, DeliveryError::Permanent { status: Some(s), .. } if s == code),
            "{code}: {error:?}"
        );
    }
    // Redirects are not followed for POSTs.
    let error = deliver(&client, &inbox(addr, "moved")).await.unwrap_err();
    assert_eq!(error.status(), Some(302));
    assert!(!error.is_retryable());
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 7, "the redirect target was not posted to");
    assert!(seen.iter().all(Result::is_ok), "{seen:?}");
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_retried() {
    let addr = inbox_server(Seen::default()).await;
    let client = local_client();

    let error = deliver(&client, &inbox(addr, "limited")).await.unwrap_err();
    assert_eq!(
        error,
        DeliveryError::Retry {
            status: Some(429),
            retry_after: Some(Duration::from_secs(120)),
            reason: "the inbox answered HTTP 429 Too Many Requests".into(),
        }
    );

    let error = deliver(&client, &inbox(addr, "busy")).await.unwrap_err();
    assert_eq!(error.status(), Some(503));
    let wait = error.retry_after().expect("Retry-After as an HTTP date");
    assert!(
        (Duration::from_secs(57)..=Duration::from_secs(60)).contains(&wait),
        "{wait:?}"
    );

    for code in [500, 502, 408] {
        let error = deliver(&client, &inbox(addr, &code.to_string()))
            .await
            .unwrap_err();
        assert!(error.is_retryable(), "{code}");
        assert_eq!(error.status(), Some(code));
        assert_eq!(error.retry_after(), None);
    }
}

#[tokio::test]
async fn network_failures_and_timeouts_are_retried() {
    // A port that was just free: nothing listens there.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let error = deliver(&local_client(), &inbox(closed, "accept"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            DeliveryError::Retry {
                status: None,
                retry_after: None,
                ..
            }
        ),
        "{error:?}"
    );

    let addr = inbox_server(Seen::default()).await;
    let client = HttpClient::new(FetchConfig {
        timeout: Duration::from_millis(300),
        ..local_config()
    })
    .unwrap();
    let started = Instant::now();
    let error = deliver(&client, &inbox(addr, "slow")).await.unwrap_err();
    assert!(
        matches!(error, DeliveryError::Retry { status: None, .. }),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn refused_addresses_are_permanent() {
    let seen = Seen::default();
    let addr = inbox_server(seen.clone()).await;
    let strict = HttpClient::new(FetchConfig {
        allow_private_addresses: false,
        ..local_config()
    })
    .unwrap();
    for target in [
        inbox(addr, "accept"),
        Url::parse(&format!("http://localhost:{}/inbox/accept", addr.port())).unwrap(),
    ] {
        let error = deliver(&strict, &target).await.unwrap_err();
        assert!(
            matches!(error, DeliveryError::Permanent { status: None, .. }),
            "{target}: {error:?}"
        );
    }
    let https_only = HttpClient::new(FetchConfig {
        allow_http: false,
        ..local_config()
    })
    .unwrap();
    let error = deliver(&https_only, &inbox(addr, "accept"))
        .await
        .unwrap_err();
    assert!(!error.is_retryable());
    assert!(seen.lock().unwrap().is_empty());
}

#[test]
fn hosts_for_bookkeeping() {
    let host = |text: &str| host_of(&Url::parse(text).unwrap());
    assert_eq!(host("https://Mastodon.Social/inbox"), "mastodon.social");
    assert_eq!(host("http://127.0.0.1:8080/inbox"), "127.0.0.1:8080");
}
