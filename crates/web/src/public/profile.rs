//! Profiles (`/@alice`, `/@bob@remote.example`) with their tabs, and one post with its
//! thread (`/@alice/{id}`).

use std::collections::HashSet;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use rhizome_core::Core;
use rhizome_core::timelines::AccountStatusFilter;
use rhizome_model::{Account, Id};

use super::tags::{FeedKind, account_feed};
use super::{
    ACTIVITY_JSON, ATOM, Alternate, Meta, PAGE_SIZE, PageQuery, Pagination, RSS, cards, excerpt,
    split_handle, wants_activity_json,
};
use crate::error::{WebError, html};
use crate::session::Ctx;
use crate::views::{AccountCard, StatusCard, absolute_url, account_card, status_card};

/// Which posts of the account a profile page lists.
#[derive(Clone, PartialEq, Eq)]
pub enum Tab {
    /// Posts and boosts, without replies (pinned posts first).
    Posts,
    WithReplies,
    Media,
    /// Posts with a hashtag (the account's featured hashtags link here).
    Tagged(String),
}

impl Tab {
    fn name(&self) -> &'static str {
        match self {
            Tab::Posts => "posts",
            Tab::WithReplies => "with_replies",
            Tab::Media => "media",
            Tab::Tagged(_) => "tagged",
        }
    }

    fn path(&self, account_path: &str) -> String {
        match self {
            Tab::Posts => account_path.to_owned(),
            Tab::WithReplies => format!("{account_path}/with_replies"),
            Tab::Media => format!("{account_path}/media"),
            Tab::Tagged(tag) => format!("{account_path}/tagged/{}", crate::session::urlencode(tag)),
        }
    }

    fn filter(&self) -> AccountStatusFilter {
        match self {
            Tab::Posts => AccountStatusFilter {
                exclude_replies: true,
                ..Default::default()
            },
            Tab::WithReplies => AccountStatusFilter::default(),
            Tab::Media => AccountStatusFilter {
                only_media: true,
                ..Default::default()
            },
            Tab::Tagged(tag) => AccountStatusFilter {
                tagged: Some(tag.clone()),
                ..Default::default()
            },
        }
    }
}

/// The follow button of a profile, for a signed-in viewer who is not its owner.
pub struct FollowForm {
    /// `/accounts/{id}/follow` or `/accounts/{id}/unfollow`.
    pub action: String,
    pub label_id: &'static str,
    /// Following is the main thing to do on someone else's profile.
    pub primary: bool,
}

#[derive(Template)]
#[template(path = "public/profile.html")]
struct ProfilePage<'a> {
    ctx: &'a Ctx,
    meta: Meta,
    account: AccountCard,
    tab: &'static str,
    tag: Option<String>,
    pinned: Vec<StatusCard>,
    statuses: Vec<StatusCard>,
    pagination: Pagination,
    follow: Option<FollowForm>,
    own: bool,
    follows_viewer: bool,
    /// The account it moved to: the profile shows the new home, and no follow button.
    moved_to: Option<AccountCard>,
}

#[derive(Template)]
#[template(path = "public/suspended.html")]
struct SuspendedPage<'a> {
    ctx: &'a Ctx,
    handle: String,
}

/// `/@{name}`: a profile, or its feed for `alice.atom` and `alice.rss` (the route captures
/// the suffix).
pub async fn profile_or_feed(
    State(core): State<Core>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(name): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<Response, WebError> {
    if let Some(stem) = name.strip_suffix(".atom") {
        return account_feed(&core, &ctx, stem, FeedKind::Atom).await;
    }
    if let Some(stem) = name.strip_suffix(".rss") {
        return account_feed(&core, &ctx, stem, FeedKind::Rss).await;
    }
    profile(&core, &ctx, &headers, &name, Tab::Posts, &query).await
}

/// `/@{name}/{id}`: a post, or the profile's `with_replies` and `media` tabs.
pub async fn status_or_tab(
    State(core): State<Core>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((name, id)): Path<(String, String)>,
    Query(query): Query<PageQuery>,
) -> Result<Response, WebError> {
    match id.as_str() {
        "with_replies" => profile(&core, &ctx, &headers, &name, Tab::WithReplies, &query).await,
        "media" => profile(&core, &ctx, &headers, &name, Tab::Media, &query).await,
        _ => status_page(&core, &ctx, &headers, &name, &id).await,
    }
}

/// `/@{name}/tagged/{tag}`.
pub async fn tagged(
    State(core): State<Core>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((name, tag)): Path<(String, String)>,
    Query(query): Query<PageQuery>,
) -> Result<Response, WebError> {
    let tag = tag.trim_start_matches('#').to_lowercase();
    if tag.is_empty() {
        return Err(WebError::NotFound);
    }
    profile(&core, &ctx, &headers, &name, Tab::Tagged(tag), &query).await
}

/// A redirect to another site (a remote account's or post's own page). Only web addresses
/// that fit in a header are followed: they come from other servers.
fn redirect_away(url: &str) -> Result<Response, WebError> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(WebError::NotFound);
    }
    let location = HeaderValue::from_str(url).map_err(|_| WebError::NotFound)?;
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response())
}

/// Field links point to the owner's other sites: `rel="me"` is how those sites (and
/// Mastodon's verification) recognise them. The sanitiser gives every link the same `rel`.
fn with_rel_me(value_html: &str) -> String {
    value_html.replace(
        " rel=\"nofollow noopener noreferrer\"",
        " rel=\"me nofollow noopener noreferrer\"",
    )
}

fn suspended(ctx: &Ctx, account: &Account, core: &Core) -> Result<Response, WebError> {
    let handle = format!(
        "@{}@{}",
        account.username,
        account.domain.as_deref().unwrap_or(&core.config.domain)
    );
    let page = SuspendedPage { ctx, handle };
    Ok((StatusCode::GONE, Html(page.render()?)).into_response())
}

async fn profile(
    core: &Core,
    ctx: &Ctx,
    headers: &HeaderMap,
    name: &str,
    tab: Tab,
    query: &PageQuery,
) -> Result<Response, WebError> {
    let (username, domain) = split_handle(name);
    let account = core.account_by_handle(username, domain).await?;
    if account.suspended_at.is_some() {
        return suspended(ctx, &account, core);
    }
    if account.is_local() {
        if wants_activity_json(headers) {
            return redirect_away(&account.uri);
        }
    } else if ctx.viewer.is_none() {
        // Anonymous visitors read remote accounts where they live; signed-in users see what
        // this server knows (and may follow them from here).
        return redirect_away(account.url.as_deref().unwrap_or(&account.uri));
    }
    let viewer = ctx.viewer_id();
    let view = core.account_view(account.clone()).await?;
    let mut card = account_card(core, &view);
    for field in &mut card.fields {
        field.value_html = with_rel_me(&field.value_html);
    }
    let request = query.request(PAGE_SIZE)?;
    let pinned = if tab == Tab::Posts && query.is_first() {
        let filter = AccountStatusFilter {
            pinned: true,
            ..Default::default()
        };
        core.account_statuses(
            account.id,
            viewer,
            &filter,
            &rhizome_core::PageRequest::first(PAGE_SIZE),
        )
        .await?
        .items
    } else {
        Vec::new()
    };
    let page = core
        .account_statuses(account.id, viewer, &tab.filter(), &request)
        .await?;
    // A pinned post is shown once, at the top.
    let pinned_ids: HashSet<Id> = pinned.iter().map(|v| v.status.id).collect();
    let statuses = page
        .items
        .iter()
        .filter(|v| !pinned_ids.contains(&v.status.id))
        .map(|v| status_card(core, v, viewer))
        .collect();
    let tab_path = tab.path(&card.path);
    let pagination = Pagination::of(&tab_path, query, &page, PAGE_SIZE);

    let moved_to = view.moved.as_deref().map(|moved| account_card(core, moved));
    let mut follow = None;
    let mut follows_viewer = false;
    if let Some(viewer) = viewer.filter(|v| *v != account.id) {
        let relationship = core.relationship(viewer, account.id).await?;
        follows_viewer = relationship.followed_by;
        // A moved account takes no new followers; those it has may still unfollow.
        if !relationship.blocking
            && !relationship.blocked_by
            && (moved_to.is_none() || relationship.following || relationship.requested)
        {
            let (verb, label_id, primary) = if relationship.following {
                ("unfollow", "public-unfollow", false)
            } else if relationship.requested {
                ("unfollow", "public-cancel-request", false)
            } else if account.locked {
                ("follow", "public-follow-request", true)
            } else {
                ("follow", "public-follow", true)
            };
            follow = Some(FollowForm {
                action: format!("/accounts/{}/{verb}", account.id),
                label_id,
                primary,
            });
        }
    }

    let mut alternates = vec![Alternate {
        kind: ACTIVITY_JSON,
        href: account.uri.clone(),
        title: None,
    }];
    if account.is_local() {
        let title = ctx.tr.t1("public-feed-title", "name", &card.display_name);
        alternates.push(Alternate {
            kind: ATOM,
            href: format!("{}.atom", card.path),
            title: Some(title.clone()),
        });
        alternates.push(Alternate {
            kind: RSS,
            href: format!("{}.rss", card.path),
            title: Some(title),
        });
    }
    let meta = Meta {
        title: format!("{} ({})", card.display_name, card.full_handle),
        description: excerpt(&rhizome_core::text::stored_html_to_text(&account.note), 300),
        url: absolute_url(core, &tab_path),
        image: Some(absolute_url(core, &card.avatar)),
        image_alt: None,
        og_type: "profile",
        site_name: ctx.instance_name.clone(),
        twitter_card: "summary",
        published: None,
        alternates,
        // Copies of other servers' profiles are not for search engines.
        noindex: !account.is_local(),
    };
    html(&ProfilePage {
        ctx,
        meta,
        own: viewer == Some(account.id),
        tab: tab.name(),
        tag: match &tab {
            Tab::Tagged(tag) => Some(tag.clone()),
            _ => None,
        },
        pinned: cards(core, &pinned, viewer),
        statuses,
        pagination,
        follow,
        follows_viewer,
        moved_to,
        account: card,
    })
}

#[derive(Template)]
#[template(path = "public/thread.html")]
struct ThreadPage<'a> {
    ctx: &'a Ctx,
    meta: Meta,
    page_title: String,
    focus: StatusCard,
    ancestors: Vec<StatusCard>,
    descendants: Vec<StatusCard>,
}

/// `/@{name}/{id}`: one post with the thread around it, as the viewer may see it.
async fn status_page(
    core: &Core,
    ctx: &Ctx,
    headers: &HeaderMap,
    name: &str,
    id: &str,
) -> Result<Response, WebError> {
    let id = crate::error::parse_id(id)?;
    let (username, domain) = split_handle(name);
    let account = core.account_by_handle(username, domain).await?;
    if account.suspended_at.is_some() {
        return Err(WebError::NotFound);
    }
    let viewer = ctx.viewer_id();
    // Not visible to this viewer (a followers-only post to a stranger) is not found.
    let view = core.visible_status_view(id, viewer).await?;
    if view.status.account_id != account.id {
        return Err(WebError::NotFound);
    }
    if let Some(boosted) = &view.reblog {
        // A boost's page is the boosted post's.
        let path = format!(
            "{}/{}",
            crate::views::account_path(&boosted.account.account),
            boosted.status.id
        );
        return redirect_away(&absolute_url(core, &path));
    }
    if !account.is_local() && ctx.viewer.is_none() {
        return redirect_away(view.status.url.as_deref().unwrap_or(&view.status.uri));
    }
    if account.is_local() && wants_activity_json(headers) {
        return redirect_away(&view.status.uri);
    }
    let (ancestors, descendants) = core.status_context(id, viewer).await?;
    let focus = status_card(core, &view, viewer);

    // What a link preview shows: the warning rather than what it hides.
    let text = if focus.spoiler.is_empty() {
        rhizome_core::text::stored_html_to_text(&view.status.content)
    } else {
        focus.spoiler.clone()
    };
    let image = focus
        .media
        .iter()
        .find(|m| m.kind == "image")
        .filter(|_| !focus.sensitive);
    let page_title = if text.trim().is_empty() {
        ctx.tr
            .t1("public-status-title", "name", &focus.author.display_name)
    } else {
        ctx.tr.t2(
            "public-status-quoted-title",
            "name",
            &focus.author.display_name,
            "text",
            excerpt(&text, 60),
        )
    };
    let meta = Meta {
        title: format!(
            "{} ({})",
            focus.author.display_name, focus.author.full_handle
        ),
        description: excerpt(&text, 300),
        url: absolute_url(core, &focus.path),
        image: Some(absolute_url(
            core,
            image.map_or(&focus.author.avatar, |m| &m.preview),
        )),
        image_alt: image
            .map(|m| m.description.clone())
            .filter(|d| !d.is_empty()),
        og_type: "article",
        site_name: ctx.instance_name.clone(),
        twitter_card: if image.is_some() {
            "summary_large_image"
        } else {
            "summary"
        },
        published: Some(focus.created_at.clone()),
        alternates: vec![Alternate {
            kind: ACTIVITY_JSON,
            href: view.status.uri.clone(),
            title: None,
        }],
        noindex: !account.is_local(),
    };
    html(&ThreadPage {
        ctx,
        meta,
        page_title,
        ancestors: cards(core, &ancestors, viewer),
        descendants: cards(core, &descendants, viewer),
        focus,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_links_say_rel_me() {
        let html = r#"<a href="https://example.org" rel="nofollow noopener noreferrer" target="_blank">example.org</a>"#;
        assert_eq!(
            with_rel_me(html),
            r#"<a href="https://example.org" rel="me nofollow noopener noreferrer" target="_blank">example.org</a>"#
        );
    }

    #[test]
    fn only_web_addresses_are_redirected_to() {
        assert!(redirect_away("https://remote.example/@bob").is_ok());
        assert!(redirect_away("javascript:alert(1)").is_err());
        assert!(redirect_away("https://remote.example/\n").is_err());
    }
}
