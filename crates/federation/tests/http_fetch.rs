//! Fetching against real HTTP servers on loopback: which addresses and schemes are reached,
//! signed GETs, redirects, and TLS with an extra CA.

mod http_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use axum::Router;
use axum::extract::Path;
use axum::response::IntoResponse;
use axum::routing::get;
use http::header::LOCATION;
use http::{HeaderMap, Method, StatusCode, Uri};
use http_support::*;
use rhizome_federation::http::{ACTIVITY_ACCEPT, FetchConfig, FetchError, HttpClient};
use serde_json::json;

#[tokio::test]
async fn loopback_is_refused_by_default_and_allowed_with_the_switch() {
    let hits = Arc::new(AtomicUsize::new(0));
    let addr = serve(object_server(hits.clone())).await;
    let by_ip = url(format!("http://{addr}/objects/1"));
    let by_name = url(format!("http://localhost:{}/objects/1", addr.port()));
    let strict = HttpClient::new(FetchConfig {
        allow_private_addresses: false,
        ..local_config()
    })
    .unwrap();
    for target in [&by_ip, &by_name] {
        let error = strict.fetch_json(target, None).await.unwrap_err();
        assert!(
            matches!(error, FetchError::AddressNotAllowed(_)),
            "{target}: {error:?}"
        );
    }
    for literal in [
        "http://[::1]:9/",
        "http://[::ffff:127.0.0.1]:9/",
        "http://10.0.0.1:9/",
    ] {
        let error = strict.fetch_json(&url(literal.into()), None).await;
        assert!(
            matches!(error, Err(FetchError::AddressNotAllowed(_))),
            "{literal}"
        );
    }
    assert_eq!(
        hits.load(SeqCst),
        0,
        "no request may reach a refused address"
    );

    let open = local_client();
    for target in [&by_ip, &by_name] {
        let fetched = open.fetch_json(target, None).await.unwrap();
        assert_eq!(fetched.json["type"], "Note");
    }
    assert_eq!(hits.load(SeqCst), 2);
}

#[tokio::test]
async fn allowed_private_networks_open_only_what_they_name() {
    let hits = Arc::new(AtomicUsize::new(0));
    let addr = serve(object_server(hits.clone())).await;
    let client = HttpClient::new(FetchConfig {
        allow_private_addresses: false,
        allowed_private_networks: vec!["127.0.0.1/32".parse().unwrap()],
        ..local_config()
    })
    .unwrap();
    client
        .fetch_json(&url(format!("http://{addr}/objects/1")), None)
        .await
        .unwrap();
    let other_loopback = url(format!("http://127.0.0.2:{}/objects/1", addr.port()));
    assert!(matches!(
        client.fetch_json(&other_loopback, None).await,
        Err(FetchError::AddressNotAllowed(_))
    ));
    assert_eq!(hits.load(SeqCst), 1);
}

#[tokio::test]
async fn schemes_and_credentials_are_checked() {
    let hits = Arc::new(AtomicUsize::new(0));
    let addr = serve(object_server(hits.clone())).await;
    let https_only = HttpClient::new(FetchConfig {
        allow_http: false,
        ..local_config()
    })
    .unwrap();
    let error = https_only
        .fetch_json(&url(format!("http://{addr}/objects/1")), None)
        .await
        .unwrap_err();
    assert_eq!(error, FetchError::SchemeNotAllowed("http".into()));
    let client = local_client();
    for refused in ["ftp://example.com/a", "file:///etc/passwd", "gopher://x/"] {
        assert!(matches!(
            client.fetch_json(&url(refused.into()), None).await,
            Err(FetchError::SchemeNotAllowed(_))
        ));
    }
    let with_credentials = url(format!("http://user:secret@{addr}/objects/1"));
    assert!(matches!(
        client.fetch_json(&with_credentials, None).await,
        Err(FetchError::InvalidUrl(_))
    ));
    assert_eq!(hits.load(SeqCst), 0);
}

#[tokio::test]
async fn signed_get_is_verified_by_the_server() {
    let checked = Arc::new(AtomicUsize::new(0));
    let counter = checked.clone();
    let router = Router::new().route(
        "/users/{name}",
        get(move |method: Method, uri: Uri, headers: HeaderMap| {
            let counter = counter.clone();
            async move {
                assert_eq!(header(&headers, "accept"), ACTIVITY_ACCEPT);
                assert_eq!(header(&headers, "user-agent"), USER_AGENT);
                if headers.contains_key("signature") {
                    if let Err(error) = verify_request(&method, &uri, &headers, None) {
                        return (StatusCode::UNAUTHORIZED, error).into_response();
                    }
                    counter.fetch_add(1, SeqCst);
                } else if uri.path() == "/users/private" {
                    return StatusCode::UNAUTHORIZED.into_response();
                }
                let id = format!("http://{}{}", header(&headers, "host"), uri.path());
                json_response(AP, json!({ "id": id, "type": "Person" }).to_string())
            }
        }),
    );
    let addr = serve(router).await;
    let client = local_client();
    let private = url(format!("http://{addr}/users/private"));
    assert_eq!(
        client.fetch_object(&private, None).await.unwrap_err(),
        FetchError::Unauthorized
    );
    let fetched = client
        .fetch_object(&private, Some(&signer()))
        .await
        .unwrap();
    assert_eq!(fetched.id, private);
    assert_eq!(checked.load(SeqCst), 1);
}

/// `/hop/{n}` redirects to `/hop/{n-1}` (relatively) until 0, which is an object. Every hop
/// must carry a valid signature for its own target.
fn redirect_server(hops: Arc<AtomicUsize>) -> Router {
    Router::new().route(
        "/hop/{n}",
        get(
            move |Path(n): Path<u32>, method: Method, uri: Uri, headers: HeaderMap| {
                let hops = hops.clone();
                async move {
                    if let Err(error) = verify_request(&method, &uri, &headers, None) {
                        return (StatusCode::UNAUTHORIZED, error).into_response();
                    }
                    hops.fetch_add(1, SeqCst);
                    if n > 0 {
                        let status = [301, 302, 303, 307, 308][n as usize % 5];
                        let status = StatusCode::from_u16(status).unwrap();
                        return (status, [(LOCATION, format!("/hop/{}", n - 1))]).into_response();
                    }
                    let id = format!("http://{}/hop/0", header(&headers, "host"));
                    json_response(AP, json!({ "id": id }).to_string())
                }
            },
        ),
    )
}

#[tokio::test]
async fn redirects_are_followed_up_to_the_limit_and_signed_at_each_hop() {
    let hops = Arc::new(AtomicUsize::new(0));
    let addr = serve(redirect_server(hops.clone())).await;
    let client = local_client();
    let fetched = client
        .fetch_object(&url(format!("http://{addr}/hop/3")), Some(&signer()))
        .await
        .unwrap();
    assert_eq!(fetched.final_url, url(format!("http://{addr}/hop/0")));
    assert_eq!(hops.load(SeqCst), 4);

    hops.store(0, SeqCst);
    let error = client
        .fetch_json(&url(format!("http://{addr}/hop/4")), Some(&signer()))
        .await
        .unwrap_err();
    assert_eq!(error, FetchError::TooManyRedirects(3));
    assert_eq!(hops.load(SeqCst), 4, "the 4th redirect is not followed");

    // Across hosts, the next hop is signed for its own host.
    let origin = addr;
    let mover = serve(Router::new().route(
        "/moved",
        get(move || async move {
            (
                StatusCode::FOUND,
                [(LOCATION, format!("http://{origin}/hop/1"))],
            )
        }),
    ))
    .await;
    let fetched = client
        .fetch_json(&url(format!("http://{mover}/moved")), Some(&signer()))
        .await
        .unwrap();
    assert_eq!(fetched.final_url, url(format!("http://{addr}/hop/0")));
}

#[tokio::test]
async fn redirects_to_refused_addresses_and_schemes_are_refused() {
    // The client may reach 127.0.0.2 only; the redirects point at 127.0.0.1, by literal and by
    // the name `localhost`, and at a non-http scheme.
    let target_hits = Arc::new(AtomicUsize::new(0));
    let target = serve(object_server(target_hits.clone())).await;
    let port = target.port();
    let router = Router::new().route(
        "/to/{kind}",
        get(move |Path(kind): Path<String>| async move {
            let location = match kind.as_str() {
                "literal" => format!("http://127.0.0.1:{port}/objects/1"),
                "name" => format!("http://localhost:{port}/objects/1"),
                _ => "file:///etc/passwd".to_owned(),
            };
            (StatusCode::FOUND, [(LOCATION, location)])
        }),
    );
    let redirector = serve_on("127.0.0.2", router).await;
    let client = HttpClient::new(FetchConfig {
        allow_private_addresses: false,
        allowed_private_networks: vec!["127.0.0.2/32".parse().unwrap()],
        ..local_config()
    })
    .unwrap();
    for kind in ["literal", "name"] {
        let error = client
            .fetch_json(&url(format!("http://{redirector}/to/{kind}")), None)
            .await
            .unwrap_err();
        assert!(
            matches!(error, FetchError::AddressNotAllowed(_)),
            "{kind}: {error:?}"
        );
    }
    let error = client
        .fetch_json(&url(format!("http://{redirector}/to/file")), None)
        .await
        .unwrap_err();
    assert_eq!(error, FetchError::SchemeNotAllowed("file".into()));
    assert_eq!(target_hits.load(SeqCst), 0);
}

#[tokio::test]
async fn https_with_an_extra_ca() {
    let hits = Arc::new(AtomicUsize::new(0));
    let addr = serve_tls(object_server(hits.clone())).await;
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, TEST_CA_PEM).unwrap();
    let https_only = FetchConfig {
        allow_http: false,
        ..local_config()
    };
    let target = url(format!("https://{addr}/objects/1"));

    let without_ca = HttpClient::new(https_only.clone()).unwrap();
    let error = without_ca.fetch_object(&target, None).await.unwrap_err();
    assert!(matches!(error, FetchError::Network(_)), "{error:?}");

    let with_ca = HttpClient::new(FetchConfig {
        extra_ca_file: Some(ca_file),
        ..https_only.clone()
    })
    .unwrap();
    let fetched = with_ca.fetch_json(&target, None).await.unwrap();
    assert_eq!(fetched.json["type"], "Note");
    assert_eq!(hits.load(SeqCst), 1);

    let missing = dir.path().join("missing.pem");
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate").unwrap();
    for path in [missing, garbage] {
        let config = FetchConfig {
            extra_ca_file: Some(path),
            ..https_only.clone()
        };
        assert!(matches!(
            HttpClient::new(config),
            Err(FetchError::Config(_))
        ));
    }
    let no_agent = FetchConfig {
        user_agent: String::new(),
        ..https_only
    };
    assert!(matches!(
        HttpClient::new(no_agent),
        Err(FetchError::Config(_))
    ));
}
