//! Rhizome's own web interface: HTML pages and static assets, a thin layer over `rhizome-core`.
//!
//! For now: the OAuth sign-in and consent page that apps open, public profile pages, a front
//! page, the `/about/more` page with the rules and moderated servers, and the default images
//! every account points to.

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
        .route("/about/more", get(about_more))
        .route("/auth/confirmation", get(confirm_email))
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

/// What each Simple list means, for people.
const SIMPLE_LISTS: &[(&str, &str)] = &[
    (
        "reject",
        "Suspended: nothing is exchanged with these servers",
    ),
    ("accept", "Only these servers federate with this one"),
    (
        "federated_timeline_removal",
        "Limited: their posts stay off the public timelines",
    ),
    (
        "followers_only",
        "Their posts reach their followers here only",
    ),
    ("media_removal", "Their media files are not shown"),
    ("media_nsfw", "Their media are marked sensitive"),
    ("report_removal", "Their reports are not accepted"),
    ("avatar_removal", "Their avatars are not shown"),
    ("banner_removal", "Their banners are not shown"),
    ("reject_deletes", "Their deletions are not applied"),
];

/// `/about/more`: the instance, its rules and its moderated servers, as published in NodeInfo
/// (the same transparency settings, exclusions and obfuscation).
#[derive(serde::Deserialize)]
struct Confirmation {
    #[serde(default)]
    confirmation_token: String,
}

/// The link of a confirmation mail (Mastodon's path).
async fn confirm_email(
    State(core): State<Core>,
    axum::extract::Query(query): axum::extract::Query<Confirmation>,
) -> Response {
    match core.confirm_email(&query.confirmation_token).await {
        Ok(true) => page(
            "Address confirmed",
            "<h1>Address confirmed</h1><p>Your e-mail address is confirmed: you can sign in \
             from your app now.</p>",
        )
        .into_response(),
        Ok(false) => (
            StatusCode::NOT_FOUND,
            page(
                "Unknown link",
                "<h1>Unknown link</h1><p>This confirmation link is unknown or was used \
                 already.</p>",
            ),
        )
            .into_response(),
        Err(err) => {
            tracing::error!(error = %err, "confirming an e-mail address");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                page(
                    "Error",
                    "<h1>Something went wrong</h1><p>Try the link again later.</p>",
                ),
            )
                .into_response()
        }
    }
}

async fn about_more(State(core): State<Core>) -> Response {
    let (Ok(settings), Ok(federation)) = (core.settings().await, core.federation_metadata().await)
    else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            page("Error", "<h1>Something went wrong</h1>"),
        )
            .into_response();
    };
    let mut body = format!(
        "<h1>{}</h1><p>{}</p>",
        escape(&settings.name),
        escape(&settings.description)
    );
    if !settings.rules.is_empty() {
        body.push_str("<h2>Rules</h2><ol>");
        for rule in &settings.rules {
            body.push_str(&format!("<li>{}</li>", escape(rule)));
        }
        body.push_str("</ol>");
    }
    body.push_str("<h2>Moderated servers</h2>");
    let Some(lists) = federation.get("mrf_simple").and_then(|v| v.as_object()) else {
        body.push_str("<p>This server does not publish its moderation decisions.</p>");
        return page(&settings.name, &body).into_response();
    };
    let info = federation.get("mrf_simple_info");
    let mut any = false;
    for (list, meaning) in SIMPLE_LISTS {
        let domains: Vec<&str> = lists
            .get(*list)
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|d| d.as_str()).collect())
            .unwrap_or_default();
        if domains.is_empty() {
            continue;
        }
        any = true;
        body.push_str(&format!(
            "<h3>{}</h3><table><tr><th>Server</th><th>Reason</th></tr>",
            escape(meaning)
        ));
        for domain in domains {
            let reason = info
                .and_then(|i| i.get(*list))
                .and_then(|l| l.get(domain))
                .and_then(|d| d.get("reason"))
                .and_then(|r| r.as_str())
                .unwrap_or("");
            body.push_str(&format!(
                "<tr><td>{}</td><td>{}</td></tr>",
                escape(domain),
                escape(reason)
            ));
        }
        body.push_str("</table>");
    }
    if !any {
        body.push_str("<p>No server is moderated.</p>");
    }
    if let Some(policies) = federation.get("mrf_policies").and_then(|v| v.as_array()) {
        let names: Vec<String> = policies
            .iter()
            .filter_map(|p| p.as_str())
            .map(escape)
            .collect();
        body.push_str(&format!(
            "<p><small>Policies in force: {}</small></p>",
            names.join(", ")
        ));
    }
    page(&settings.name, &body).into_response()
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
