//! A stand-in web site on loopback, for preview cards: pages with OpenGraph tags, and pages
//! that must give no card. Counts the requests it gets.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::routing::get;

pub struct Site {
    pub base: String,
    pub hits: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Site {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Site {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// An article with OpenGraph tags (`/article`, `/other`), a page with only a `<title>`
/// (`/plain-title`), a page over a megabyte (`/huge`), and JSON (`/data`).
pub async fn site() -> Site {
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = |body: String, content_type: &'static str, hits: Arc<AtomicUsize>| {
        get(move || {
            let hits = hits.clone();
            let body = body.clone();
            async move {
                hits.fetch_add(1, Ordering::SeqCst);
                ([("content-type", content_type)], body)
            }
        })
    };
    let article = |title: &str| {
        format!(
            r#"<!doctype html><html lang="en"><head><title>Ignored</title>
<meta property="og:title" content="{title} &amp; more">
<meta property="og:description" content="What happened, in short.">
<meta property="og:image" content="/cover.png">
<meta property="og:image:width" content="640"><meta property="og:image:height" content="320">
<meta property="og:image:alt" content="The cover">
<meta property="og:site_name" content="The Loopback Times">
<meta name="author" content="Ada Reporter">
<script>document.title = "<meta property='og:title' content='no'>"</script>
</head><body><p>Text</p></body></html>"#
        )
    };
    let huge = format!(
        "<html><head><title>Huge</title></head><body>{}</body></html>",
        "x".repeat(1_200_000)
    );
    let app = axum::Router::new()
        .route(
            "/article",
            counted(
                article("Big news"),
                "text/html; charset=utf-8",
                hits.clone(),
            ),
        )
        .route(
            "/other",
            counted(article("Other news"), "text/html", hits.clone()),
        )
        .route(
            "/plain-title",
            counted(
                "<title>Just a title</title><meta name=description content='Described'>".into(),
                "text/html",
                hits.clone(),
            ),
        )
        .route("/huge", counted(huge, "text/html", hits.clone()))
        .route(
            "/data",
            counted(
                r#"{"title": "<title>not a page</title>"}"#.into(),
                "application/json",
                hits.clone(),
            ),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Site { base, hits, task }
}
