//! WebFinger and NodeInfo against real HTTP servers on loopback.

mod http_support;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use axum::Router;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, StatusCode};
use http_support::*;
use rhizome_federation::http::{
    FetchConfig, FetchError, HttpClient, NodeInfo, WebfingerResult, parse_acct,
};
use serde_json::{Value, json};
use url::Url;

fn typed(content_type: &'static str, document: Value) -> Response {
    ([(CONTENT_TYPE, content_type)], document.to_string()).into_response()
}

/// A JRD shaped like Mastodon's.
fn mastodon_jrd(user: &str, host: &str) -> Value {
    json!({
        "subject": format!("acct:{user}@{host}"),
        "aliases": [format!("http://{host}/@{user}"), format!("http://{host}/users/{user}")],
        "links": [
            {
                "rel": "http://webfinger.net/rel/profile-page",
                "type": "text/html",
                "href": format!("http://{host}/@{user}")
            },
            {
                "rel": "self",
                "type": "application/activity+json",
                "href": format!("http://{host}/users/{user}")
            },
            {
                "rel": "http://ostatus.org/schema/1.0/subscribe",
                "template": format!("http://{host}/authorize_interaction?uri={{uri}}")
            },
            {
                "rel": "http://webfinger.net/rel/avatar",
                "type": "image/png",
                "href": format!("http://{host}/avatars/{user}.png")
            }
        ]
    })
}

/// A WebFinger endpoint whose answer depends on the user asked for.
async fn webfinger_server() -> SocketAddr {
    let router = Router::new().route(
        "/.well-known/webfinger",
        get(
            |Query(query): Query<HashMap<String, String>>, headers: HeaderMap| async move {
                assert!(header(&headers, "accept").starts_with("application/jrd+json"));
                assert_eq!(header(&headers, "user-agent"), USER_AGENT);
                let host = header(&headers, "host");
                let resource = query.get("resource").cloned().unwrap_or_default();
                let Some(user) = resource
                    .strip_prefix("acct:")
                    .and_then(|acct| acct.strip_suffix(&format!("@{host}")))
                else {
                    return (StatusCode::BAD_REQUEST, "bad resource").into_response();
                };
                let jrd = "application/jrd+json; charset=utf-8";
                match user {
                    "alice" => typed(jrd, mastodon_jrd("alice", &host)),
                    // GoToSocial-style: plain JSON, the ld+json self link, an unknown rel.
                    "gts" => typed(
                        "application/json",
                        json!({
                            "subject": format!("acct:gts@{host}"),
                            "links": [
                                { "rel": "http://example.org/unknown", "href": "x" },
                                { "rel": "self", "type": "text/html", "href": "http://wrong.example/" },
                                {
                                    "rel": "self",
                                    "type": "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"",
                                    "href": format!("http://{host}/users/gts")
                                },
                                "not an object"
                            ]
                        }),
                    ),
                    "nosubject" => typed(jrd, json!({ "links": [] })),
                    "badlinks" => typed(jrd, json!({ "subject": "acct:x@y", "links": {} })),
                    "array" => typed(jrd, json!(["acct:x@y"])),
                    "html" => ([(CONTENT_TYPE, "text/html")], "<p>hi</p>").into_response(),
                    _ => StatusCode::NOT_FOUND.into_response(),
                }
            },
        ),
    );
    serve(router).await
}

#[tokio::test]
async fn webfinger_finds_the_actor_in_a_mastodon_jrd() {
    let addr = webfinger_server().await;
    let client = local_client();
    let expected = WebfingerResult {
        subject: format!("acct:alice@{addr}"),
        actor_url: Some(Url::parse(&format!("http://{addr}/users/alice")).unwrap()),
        profile_url: Some(Url::parse(&format!("http://{addr}/@alice")).unwrap()),
        subscribe_template: Some(format!("http://{addr}/authorize_interaction?uri={{uri}}")),
    };
    for form in [
        format!("alice@{addr}"),
        format!("@alice@{addr}"),
        format!("acct:alice@{addr}"),
    ] {
        assert_eq!(client.webfinger(&form).await.unwrap(), expected, "{form}");
    }

    let gts = client.webfinger(&format!("gts@{addr}")).await.unwrap();
    assert_eq!(
        gts.actor_url,
        Some(Url::parse(&format!("http://{addr}/users/gts")).unwrap())
    );
    assert_eq!(gts.profile_url, None);
    assert_eq!(gts.subscribe_template, None);
}

#[tokio::test]
async fn webfinger_refuses_bad_answers() {
    let addr = webfinger_server().await;
    let client = local_client();
    let lookup = |user: &str| {
        let (client, acct) = (client.clone(), format!("{user}@{addr}"));
        async move { client.webfinger(&acct).await }
    };
    assert!(matches!(
        lookup("nosubject").await,
        Err(FetchError::InvalidDocument(_))
    ));
    assert!(matches!(
        lookup("badlinks").await,
        Err(FetchError::InvalidDocument(_))
    ));
    assert_eq!(lookup("array").await.unwrap_err(), FetchError::NotAnObject);
    assert_eq!(
        lookup("html").await.unwrap_err(),
        FetchError::WrongContentType("text/html".into())
    );
    assert_eq!(lookup("nobody").await.unwrap_err(), FetchError::NotFound);
    assert!(matches!(
        client.webfinger("not an account").await,
        Err(FetchError::InvalidAccount(_))
    ));
    // Without the switch the loopback domain is refused like any fetch.
    let strict = HttpClient::new(FetchConfig {
        allow_private_addresses: false,
        ..local_config()
    })
    .unwrap();
    assert!(matches!(
        strict.webfinger(&format!("alice@{addr}")).await,
        Err(FetchError::AddressNotAllowed(_))
    ));
}

#[test]
fn account_addresses_are_parsed() {
    assert_eq!(
        parse_acct("@Alice@Social.Example:8443").unwrap(),
        ("Alice".to_owned(), "social.example:8443".to_owned())
    );
    assert_eq!(
        parse_acct("acct:bob@münchen.example").unwrap(),
        ("bob".to_owned(), "xn--mnchen-3ya.example".to_owned())
    );
    assert!(parse_acct("bob@example.com/../admin").is_err());
}

/// A server whose discovery document lists `links` (with `{host}` replaced by its own
/// address), serving NodeInfo 2.0 and 2.1 and counting requests per path.
async fn nodeinfo_server(
    links: Value,
    hits: Arc<std::sync::Mutex<HashMap<String, usize>>>,
) -> SocketAddr {
    let count = move |path: &str| {
        *hits.lock().unwrap().entry(path.to_owned()).or_default() += 1;
    };
    let (c1, c2, c3) = (count.clone(), count.clone(), count);
    let router = Router::new()
        .route(
            "/.well-known/nodeinfo",
            get(move |headers: HeaderMap| async move {
                c1("well-known");
                let text = links.to_string().replace("{host}", &header(&headers, "host"));
                typed("application/json", json!({ "links": serde_json::from_str::<Value>(&text).unwrap() }))
            }),
        )
        .route(
            "/nodeinfo/2.0",
            get(move || async move {
                c2("2.0");
                typed(
                    "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.0#\"",
                    json!({
                        "version": "2.0",
                        "software": { "name": "mastodon", "version": "4.2.0" },
                        "protocols": ["activitypub"],
                        "services": { "inbound": [], "outbound": [] },
                        "usage": { "users": { "total": 10 } },
                        "openRegistrations": false,
                        "metadata": {}
                    }),
                )
            }),
        )
        .route(
            "/nodeinfo/2.1",
            get(move || async move {
                c3("2.1");
                typed(
                    "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.1#\"",
                    json!({
                        "version": "2.1",
                        "software": {
                            "name": "gotosocial",
                            "version": "0.17.0+git",
                            "repository": "https://codeberg.org/superseriousbusiness/gotosocial",
                            "homepage": "https://docs.gotosocial.org"
                        },
                        "protocols": ["activitypub"],
                        "usage": { "users": {} },
                        "openRegistrations": true,
                        "metadata": { "nodeName": "test" }
                    }),
                )
            }),
        );
    serve(router).await
}

const REL_20: &str = "http://nodeinfo.diaspora.software/ns/schema/2.0";
const REL_21: &str = "http://nodeinfo.diaspora.software/ns/schema/2.1";

#[tokio::test]
async fn nodeinfo_prefers_the_newest_schema() {
    let hits = Arc::default();
    let links = json!([
        { "rel": REL_20, "href": "http://{host}/nodeinfo/2.0" },
        { "rel": REL_21, "href": "http://{host}/nodeinfo/2.1" },
        { "rel": "http://nodeinfo.diaspora.software/ns/schema/9.9", "href": "http://{host}/x" }
    ]);
    let addr = nodeinfo_server(links, Arc::clone(&hits)).await;
    let info = local_client().nodeinfo(&addr.to_string()).await.unwrap();
    assert_eq!(
        info,
        NodeInfo {
            version: "2.1".into(),
            software_name: "gotosocial".into(),
            software_version: "0.17.0+git".into(),
            protocols: vec!["activitypub".into()],
            open_registrations: Some(true),
        }
    );
    let hits = hits.lock().unwrap();
    assert_eq!(hits.get("2.0"), None);
    assert_eq!(hits.get("2.1"), Some(&1));
}

#[tokio::test]
async fn nodeinfo_reads_2_0_alone() {
    let links = json!([{ "rel": REL_20, "href": "/nodeinfo/2.0" }]);
    let addr = nodeinfo_server(links, Arc::default()).await;
    let info = local_client().nodeinfo(&addr.to_string()).await.unwrap();
    assert_eq!(info.version, "2.0");
    assert_eq!(info.software_name, "mastodon");
    assert_eq!(info.software_version, "4.2.0");
    assert_eq!(info.open_registrations, Some(false));
}

#[tokio::test]
async fn nodeinfo_stays_on_the_same_host() {
    let elsewhere_hits = Arc::new(std::sync::Mutex::new(HashMap::new()));
    let elsewhere = nodeinfo_server(json!([]), Arc::clone(&elsewhere_hits)).await;
    let links = json!([{ "rel": REL_21, "href": format!("http://{elsewhere}/nodeinfo/2.1") }]);
    let addr = nodeinfo_server(links, Arc::default()).await;
    let error = local_client()
        .nodeinfo(&addr.to_string())
        .await
        .unwrap_err();
    assert!(matches!(error, FetchError::InvalidDocument(_)), "{error:?}");
    assert!(elsewhere_hits.lock().unwrap().is_empty());

    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let empty = serve(Router::new().route(
        "/.well-known/nodeinfo",
        get(move || async move {
            counter.fetch_add(1, SeqCst);
            StatusCode::NOT_FOUND
        }),
    ))
    .await;
    assert_eq!(
        local_client()
            .nodeinfo(&empty.to_string())
            .await
            .unwrap_err(),
        FetchError::NotFound
    );
    assert_eq!(hits.load(SeqCst), 1);
    assert!(matches!(
        local_client().nodeinfo("example.com/path").await,
        Err(FetchError::InvalidUrl(_))
    ));
}
