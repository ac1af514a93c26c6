//! Rhizome's own web interface: server-rendered HTML pages over `rhizome-core`, in French and
//! English, that work without JavaScript (a small script of ours enhances them).
//!
//! Layout: `session` (who is looking, in which language, form tokens), `i18n` (catalogues),
//! `views` (core views → what templates show, in one place), `error` (one mapping to pages),
//! `assets` (the stylesheet and script, content-hashed); then one module per area:
//! `public` (anyone), `account` (sign-up, sign-in, settings, OAuth consent), `client` (the
//! signed-in web client), `admin` (moderators and admins).

mod account;
mod admin;
mod assets;
mod client;
mod data;
pub mod error;
pub mod i18n;
mod media;
mod oauth;
mod public;
pub mod session;
pub mod views;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use rhizome_core::Core;

const DEFAULT_AVATAR: &[u8] = include_bytes!("../assets/avatar.png");
const DEFAULT_HEADER: &[u8] = include_bytes!("../assets/header.png");
const ICON: &[u8] = include_bytes!("../assets/icon.png");

/// Every route of the web interface. Pages pass through [`session::middleware`] (security
/// headers, the browser cookie, error pages in the visitor's language); files do not.
pub fn router(core: &Core) -> Router<Core> {
    let pages = Router::new()
        .merge(public::routes())
        .merge(account::routes())
        .merge(client::routes())
        .merge(admin::routes())
        .merge(data::routes())
        .route("/oauth/authorize", get(oauth::show).post(oauth::submit))
        .route("/settings/language", get(set_language))
        .layer(axum::middleware::from_fn_with_state(
            core.clone(),
            session::middleware,
        ));
    let files = Router::new()
        .route("/media/{*key}", get(media::serve))
        .route("/proxy/{tag}/{encoded}", get(media::proxy))
        .route("/static/{file}", get(assets::serve))
        .route("/static/avatar.png", get(|| async { png(DEFAULT_AVATAR) }))
        .route("/favicon.ico", get(|| async { png(ICON) }))
        .route("/static/icon.png", get(|| async { png(ICON) }))
        .route("/static/header.png", get(|| async { png(DEFAULT_HEADER) }))
        .route(
            "/static/thumbnail.png",
            get(|| async { png(DEFAULT_HEADER) }),
        );
    pages.merge(files)
}

#[derive(serde::Deserialize)]
struct LanguageChoice {
    lang: String,
    #[serde(default)]
    next: String,
}

/// The footer's language links: the choice is kept in a cookie (it is a link, not a form,
/// so that it works for anyone; choosing a language changes nothing else).
async fn set_language(
    axum::extract::State(core): axum::extract::State<Core>,
    axum::extract::Query(choice): axum::extract::Query<LanguageChoice>,
) -> axum::response::Response {
    let next = session::safe_next(&choice.next);
    let next = if next == "/home" && choice.next.is_empty() {
        "/"
    } else {
        next
    };
    let mut response = axum::response::Redirect::to(next).into_response();
    if let Some(lang) = i18n::Lang::from_tag(&choice.lang) {
        response.headers_mut().append(
            header::SET_COOKIE,
            session::set_cookie(
                &core,
                session::LANG_COOKIE,
                lang.tag(),
                session::SESSION_MAX_AGE,
            ),
        );
    }
    response
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
