//! Rhizome's own web interface: HTML pages and static assets, a thin layer over `rhizome-core`.
//!
//! For now it serves the default images every account points to and a front page; the
//! sign-in, client and admin pages build on this.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use rhizome_core::Core;

const DEFAULT_AVATAR: &[u8] = include_bytes!("../assets/avatar.png");
const DEFAULT_HEADER: &[u8] = include_bytes!("../assets/header.png");

pub fn router() -> Router<Core> {
    Router::new()
        .route("/", get(front_page))
        .route("/static/avatar.png", get(|| async { png(DEFAULT_AVATAR) }))
        .route("/static/header.png", get(|| async { png(DEFAULT_HEADER) }))
        .route(
            "/static/thumbnail.png",
            get(|| async { png(DEFAULT_HEADER) }),
        )
}

fn png(bytes: &'static [u8]) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        bytes,
    )
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

async fn front_page(State(core): State<Core>) -> impl IntoResponse {
    let (name, description) = match core.settings().await {
        Ok(settings) => (settings.name, settings.description),
        Err(_) => (core.config.instance_name.clone(), String::new()),
    };
    Html(format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{name}</title></head><body><main><h1>{name}</h1><p>{description}</p>\
         <p>This is a Rhizome server: use any Mastodon app to join it.</p></main></body></html>\n",
        name = escape(&name),
        description = escape(&description),
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup() {
        assert_eq!(
            super::escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
