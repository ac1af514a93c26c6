//! The stylesheet and the script, compiled into the binary and served under names that carry
//! a hash of their content, so browsers may keep them for a year and still see each new
//! version at once.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

const CSS: &str = concat!(
    include_str!("../assets/css/base.css"),
    include_str!("../assets/css/public.css"),
    include_str!("../assets/css/account.css"),
    include_str!("../assets/css/client.css"),
    include_str!("../assets/css/admin.css"),
);
const JS: &str = include_str!("../assets/js/app.js");

/// FNV-1a: a cache key, not a security boundary; computed at compile time.
const fn content_hash(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

const CSS_HASH: u64 = content_hash(CSS.as_bytes());
const JS_HASH: u64 = content_hash(JS.as_bytes());

static CSS_URL: LazyLock<String> = LazyLock::new(|| format!("/static/rhizome-{CSS_HASH:016x}.css"));
static JS_URL: LazyLock<String> = LazyLock::new(|| format!("/static/rhizome-{JS_HASH:016x}.js"));

pub fn css_url() -> &'static str {
    &CSS_URL
}

pub fn js_url() -> &'static str {
    &JS_URL
}

/// `/static/rhizome-{hash}.{css,js}`: an old hash still gets the current file (a page cached
/// before an upgrade keeps working), but only the current one may be kept for a year.
pub async fn serve(Path(file): Path<String>) -> Response {
    let Some(rest) = file.strip_prefix("rhizome-") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (body, content_type, current) = if let Some(hash) = rest.strip_suffix(".css") {
        (
            CSS,
            "text/css; charset=utf-8",
            hash == format!("{CSS_HASH:016x}"),
        )
    } else if let Some(hash) = rest.strip_suffix(".js") {
        (
            JS,
            "text/javascript; charset=utf-8",
            hash == format!("{JS_HASH:016x}"),
        )
    } else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let cache = if current {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, cache),
        ],
        body,
    )
        .into_response()
}
