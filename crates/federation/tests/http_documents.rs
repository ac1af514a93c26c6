//! What fetched documents must be, against real HTTP servers on loopback: bounded in size and
//! time, of an accepted media type, JSON objects, with ids on the serving host; and how
//! statuses are reported.

mod http_support;

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Path;
use axum::response::Response;
use axum::routing::get;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HOST, LOCATION};
use http::{HeaderMap, StatusCode};
use http_support::*;
use rhizome_federation::http::{FetchConfig, FetchError, HttpClient};
use serde_json::json;

/// Streams `total` bytes in 64 KiB chunks, counting what it produced and noting when the
/// stream is dropped (the connection closed).
fn big_body(total: usize, produced: Arc<AtomicUsize>, dropped: Arc<AtomicBool>) -> Body {
    struct DropFlag(Arc<AtomicBool>);
    impl Drop for DropFlag {
        fn drop(&mut self) {
            self.0.store(true, SeqCst);
        }
    }
    let state = (0usize, DropFlag(dropped));
    Body::from_stream(futures::stream::unfold(state, move |(sent, flag)| {
        let produced = produced.clone();
        async move {
            if sent >= total {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
            let chunk = Bytes::from(vec![b' '; 64 * 1024]);
            produced.fetch_add(chunk.len(), SeqCst);
            Some((Ok::<_, Infallible>(chunk), (sent + 64 * 1024, flag)))
        }
    }))
}

#[tokio::test]
async fn oversized_bodies_are_cut_off() {
    const TEN_MB: usize = 10 * 1024 * 1024;
    let produced = Arc::new(AtomicUsize::new(0));
    let dropped = Arc::new(AtomicBool::new(false));
    let (p, d) = (produced.clone(), dropped.clone());
    let router = Router::new()
        .route(
            "/streamed",
            get(move || {
                let body = big_body(TEN_MB, p.clone(), d.clone());
                async move { ([(CONTENT_TYPE, AP)], body) }
            }),
        )
        .route(
            "/declared",
            get(|| async {
                let headers = [
                    (CONTENT_TYPE, AP.to_owned()),
                    (CONTENT_LENGTH, TEN_MB.to_string()),
                ];
                let body = big_body(TEN_MB, Arc::default(), Arc::default());
                (headers, body)
            }),
        );
    let addr = serve(router).await;
    let client = local_client();
    let limit = client.config().max_body_bytes;
    assert_eq!(limit, 1024 * 1024);

    let started = Instant::now();
    let error = client
        .fetch_json(&url(format!("http://{addr}/streamed")), None)
        .await
        .unwrap_err();
    assert_eq!(error, FetchError::TooLarge { limit });
    assert!(
        wait_until(Duration::from_secs(1), || dropped.load(SeqCst)).await,
        "the client must close the connection"
    );
    let sent = produced.load(SeqCst);
    assert!(
        sent < 3 * limit,
        "the server produced {sent} bytes before the client stopped"
    );
    assert!(started.elapsed() < Duration::from_secs(1));

    let error = client
        .fetch_json(&url(format!("http://{addr}/declared")), None)
        .await
        .unwrap_err();
    assert_eq!(error, FetchError::TooLarge { limit });
}

#[tokio::test]
async fn content_types_and_json_shapes_are_checked() {
    let router = Router::new().route(
        "/typed/{case}",
        get(|Path(case): Path<String>| async move {
            let object = json!({ "type": "Note" }).to_string();
            match case.as_str() {
                "activity" => json_response(AP, object),
                "ld" => json_response(
                    "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"",
                    object,
                ),
                "json" => json_response("Application/JSON; charset=utf-8", object),
                "html" => json_response("text/html; charset=utf-8", "<html></html>".into()),
                "none" => Response::new(Body::from(object)),
                "array" => json_response(AP, "[1, 2]".into()),
                _ => json_response(AP, "{\"unterminated\": ".into()),
            }
        }),
    );
    let addr = serve(router).await;
    let client = local_client();
    let fetch = |case: &str| {
        let (client, target) = (client.clone(), url(format!("http://{addr}/typed/{case}")));
        async move { client.fetch_json(&target, None).await }
    };
    for accepted in ["activity", "ld", "json"] {
        assert_eq!(fetch(accepted).await.unwrap().json["type"], "Note");
    }
    assert_eq!(
        fetch("html").await.unwrap_err(),
        FetchError::WrongContentType("text/html".into())
    );
    assert_eq!(
        fetch("none").await.unwrap_err(),
        FetchError::WrongContentType(String::new())
    );
    assert_eq!(fetch("array").await.unwrap_err(), FetchError::NotAnObject);
    assert!(matches!(fetch("broken").await, Err(FetchError::NotJson(_))));
}

#[tokio::test]
async fn object_ids_must_be_on_the_serving_host() {
    let router = Router::new().route(
        "/claims/{case}",
        get(|Path(case): Path<String>, headers: HeaderMap| async move {
            let host = header(&headers, HOST.as_str());
            let document = match case.as_str() {
                "own" => json!({ "id": format!("http://{host}/claims/own#main") }),
                "other" => json!({ "id": "https://victim.example/users/admin" }),
                "port" => {
                    json!({ "id": format!("http://{}:1/x", host.split(':').next().unwrap()) })
                }
                "none" => json!({ "type": "Note" }),
                _ => json!({ "id": "not a url" }),
            };
            json_response(AP, document.to_string())
        }),
    );
    let addr = serve(router).await;
    let client = local_client();
    let fetch = |case: &str| {
        let (client, target) = (client.clone(), url(format!("http://{addr}/claims/{case}")));
        async move { client.fetch_object(&target, None).await }
    };
    let own = fetch("own").await.unwrap();
    assert_eq!(own.id, url(format!("http://{addr}/claims/own#main")));
    assert_eq!(
        fetch("other").await.unwrap_err(),
        FetchError::IdMismatch {
            expected_host: addr.to_string(),
            id: "https://victim.example/users/admin".into()
        }
    );
    assert!(matches!(
        fetch("port").await,
        Err(FetchError::IdMismatch { .. })
    ));
    assert_eq!(fetch("none").await.unwrap_err(), FetchError::MissingId);
    assert_eq!(
        fetch("bad").await.unwrap_err(),
        FetchError::InvalidId("not a url".into())
    );

    // A redirect does not lend the first host's authority: the document is judged by the
    // host that finally served it.
    let first = serve(Router::new().route(
        "/users/alice",
        get(move || async move {
            (
                StatusCode::FOUND,
                [(LOCATION, format!("http://{addr}/claims/other"))],
            )
        }),
    ))
    .await;
    let error = client
        .fetch_object(&url(format!("http://{first}/users/alice")), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, FetchError::IdMismatch { expected_host, .. } if *expected_host == addr.to_string()),
        "{error:?}"
    );
}

#[tokio::test]
async fn statuses_map_to_errors() {
    let router = Router::new().route(
        "/status/{code}",
        get(|Path(code): Path<u16>| async move { StatusCode::from_u16(code).unwrap() }),
    );
    let addr = serve(router).await;
    let client = local_client();
    for (code, expected) in [
        (410, FetchError::Gone),
        (404, FetchError::NotFound),
        (401, FetchError::Unauthorized),
        (403, FetchError::Forbidden),
        (500, FetchError::Status(500)),
        (429, FetchError::Status(429)),
        (304, FetchError::Status(304)),
    ] {
        let error = client
            .fetch_json(&url(format!("http://{addr}/status/{code}")), None)
            .await
            .unwrap_err();
        assert_eq!(error, expected, "HTTP {code}");
    }
    assert!(FetchError::Status(503).is_transient());
    assert!(!FetchError::Gone.is_transient());
}

#[tokio::test]
async fn slow_servers_time_out() {
    let router = Router::new()
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(3)).await;
                json_response(AP, "{}".into())
            }),
        )
        .route(
            "/trickle",
            get(|| async {
                let bytes = futures::stream::unfold(0, |sent| async move {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    (sent < 30).then(|| (Ok::<_, Infallible>(Bytes::from_static(b" ")), sent + 1))
                });
                ([(CONTENT_TYPE, AP)], Body::from_stream(bytes))
            }),
        );
    let addr = serve(router).await;
    let client = HttpClient::new(FetchConfig {
        timeout: Duration::from_millis(300),
        ..local_config()
    })
    .unwrap();
    // Headers that never come, and a body that trickles: the timeout covers both.
    for path in ["slow", "trickle"] {
        let started = Instant::now();
        let error = client
            .fetch_json(&url(format!("http://{addr}/{path}")), None)
            .await
            .unwrap_err();
        assert_eq!(error, FetchError::Timeout, "{path}");
        assert!(error.is_transient());
        assert!(started.elapsed() < Duration::from_secs(1), "{path}");
    }
}
