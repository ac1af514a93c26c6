//! Pages anyone may read: the front page, profiles, `/about/more`.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rhizome_core::Core;

use askama::Template;

use crate::error::{WebError, html};
use crate::session::Ctx;
use crate::views::{AccountCard, StatusCard, account_card, status_card};
use crate::{escape, page};

pub fn routes() -> Router<Core> {
    Router::new()
        .route("/", get(front_page))
        .route("/@{name}", get(profile_page))
        .route("/about/more", get(about_more))
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

#[derive(Template)]
#[template(path = "public/profile.html")]
struct ProfilePage<'a> {
    ctx: &'a Ctx,
    account: AccountCard,
    statuses: Vec<StatusCard>,
}

async fn profile_page(
    State(core): State<Core>,
    ctx: Ctx,
    Path(name): Path<String>,
) -> Result<Response, WebError> {
    let account = core.local_account_named(&name).await?;
    let viewer = ctx.viewer_id();
    let view = core.account_view(account.clone()).await?;
    let statuses = core
        .account_statuses(
            account.id,
            viewer,
            &Default::default(),
            &rhizome_core::PageRequest::first(20),
        )
        .await?
        .items
        .iter()
        .map(|status| status_card(&core, status, viewer))
        .collect();
    html(&ProfilePage {
        ctx: &ctx,
        account: account_card(&core, &view),
        statuses,
    })
}
