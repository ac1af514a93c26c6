//! Rhizome's own web interface: HTML pages and static assets, a thin layer over `rhizome-core`.
//!
//! For now: the OAuth sign-in and consent page that apps open, public profile pages, a front
//! page, and the default images every account points to.

mod media;
mod oauth;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use rhizome_core::Core;

const DEFAULT_AVATAR: &[u8] = include_bytes!("../assets/avatar.png");
const DEFAULT_HEADER: &[u8] = include_bytes!("../assets/header.png");

pub fn router() -> Router<Core> {
    Router::new()
        .route("/", get(front_page))
        .route("/@{name}", get(profile_page))
        .route("/media/{*key}", get(media::serve))
        .route("/proxy/{tag}/{encoded}", get(media::proxy))
        .route("/oauth/authorize", get(oauth::show).post(oauth::submit))
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

/// A whole page around `body` (already escaped or sanitised).
pub(crate) fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}\
         label{{display:block;margin-top:.75rem}}input{{font:inherit;padding:.4rem;width:100%;box-sizing:border-box}}\
         button{{font:inherit;padding:.5rem 1rem;margin-top:1rem}}.error{{color:#a00}}code{{font-size:1.2rem}}</style></head>\
         <body><main>{body}</main></body></html>\n",
        escape(title)
    ))
}

async fn front_page(State(core): State<Core>) -> impl IntoResponse {
    let (name, description) = match core.settings().await {
        Ok(settings) => (settings.name, settings.description),
        Err(_) => (core.config.instance_name.clone(), String::new()),
    };
    page(
        &name,
        &format!(
            "<h1>{}</h1><p>{}</p><p>This is a Rhizome server: use any Mastodon app to join it.</p>",
            escape(&name),
            escape(&description)
        ),
    )
}

async fn profile_page(State(core): State<Core>, Path(name): Path<String>) -> Response {
    let Ok(account) = core.local_account_named(&name).await else {
        return (
            StatusCode::NOT_FOUND,
            page("Not found", "<h1>Not found</h1>"),
        )
            .into_response();
    };
    let statuses = core
        .account_statuses(
            account.id,
            None,
            &Default::default(),
            &rhizome_core::PageRequest::first(20),
        )
        .await
        .map(|page| page.items)
        .unwrap_or_default();
    let mut body = format!(
        "<h1>{}</h1><p>@{}@{}</p><div>{}</div>",
        escape(if account.display_name.is_empty() {
            &account.username
        } else {
            &account.display_name
        }),
        escape(&account.username),
        escape(&core.config.domain),
        account.note
    );
    for view in statuses {
        let shown = view.reblog.as_deref().unwrap_or(&view);
        body.push_str(&format!(
            "<article><p><small>{}</small></p>{}</article>",
            escape(&shown.status.created_at.to_rfc3339()),
            shown.status.content
        ));
    }
    page(&account.username, &body).into_response()
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
