//! Hashtag pages (`/tags/rust`) and the Atom and RSS feeds of profiles and hashtags.
//!
//! Feeds carry public posts only (not unlisted, local-only or followers-only ones), as an
//! anonymous reader sees them; the templates are `.xml`, which askama escapes as HTML is.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rhizome_core::Core;
use rhizome_core::timelines::{AccountStatusFilter, PublicFilter, TagFilter};
use rhizome_core::views::StatusView;
use rhizome_model::Visibility;

use super::{ATOM, Alternate, Meta, PAGE_SIZE, PageQuery, Pagination, RSS, cards, excerpt};
use crate::error::{WebError, html};
use crate::session::{Ctx, urlencode};
use crate::views::{FeedEntryCard, StatusCard, absolute_url, account_card, feed_entry_card};

/// How many posts a feed carries.
const FEED_SIZE: u32 = 20;

#[derive(Clone, Copy)]
pub enum FeedKind {
    Atom,
    Rss,
}

/// A normalised hashtag: without `#`, lower case; letters, digits and underscores only.
fn clean_tag(tag: &str) -> Option<String> {
    let tag = tag.trim_start_matches('#').to_lowercase();
    (!tag.is_empty() && tag.chars().all(|c| c.is_alphanumeric() || c == '_')).then_some(tag)
}

#[derive(Template)]
#[template(path = "public/tag.html")]
struct TagPage<'a> {
    ctx: &'a Ctx,
    meta: Meta,
    tag: String,
    /// `/tags/{tag}`, encoded.
    path: String,
    statuses: Vec<StatusCard>,
    pagination: Pagination,
}

/// `/tags/{tag}`: public posts with the hashtag; `rust.atom` and `rust.rss` are its feeds.
pub async fn tag_or_feed(
    State(core): State<Core>,
    ctx: Ctx,
    Path(tag): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<Response, WebError> {
    if let Some(stem) = tag.strip_suffix(".atom") {
        return tag_feed(&core, &ctx, stem, FeedKind::Atom).await;
    }
    if let Some(stem) = tag.strip_suffix(".rss") {
        return tag_feed(&core, &ctx, stem, FeedKind::Rss).await;
    }
    let tag = clean_tag(&tag).ok_or(WebError::NotFound)?;
    let viewer = ctx.viewer_id();
    if !core.may_read_public_timelines(viewer).await? {
        return Err(WebError::SignInNeeded {
            next: ctx.path.clone(),
        });
    }
    let page = core
        .tag_timeline(
            viewer,
            &TagFilter {
                any: vec![tag.clone()],
                ..Default::default()
            },
            PublicFilter::default(),
            &query.request(PAGE_SIZE)?,
        )
        .await?;
    let path = format!("/tags/{}", urlencode(&tag));
    let title = format!("#{tag}");
    let description = ctx.tr.t2(
        "public-tag-description",
        "tag",
        &tag,
        "name",
        &ctx.instance_name,
    );
    let mut meta = Meta::website(&core, &ctx, title.clone(), &description);
    meta.url = absolute_url(&core, &path);
    let feed_title = ctx.tr.t1("public-tag-feed-title", "tag", &tag);
    meta.alternates = vec![
        Alternate {
            kind: ATOM,
            href: format!("{path}.atom"),
            title: Some(feed_title.clone()),
        },
        Alternate {
            kind: RSS,
            href: format!("{path}.rss"),
            title: Some(feed_title),
        },
    ];
    html(&TagPage {
        meta,
        statuses: cards(&core, &page.items, viewer),
        pagination: Pagination::of(&path, &query, &page, PAGE_SIZE),
        path,
        tag,
        ctx: &ctx,
    })
}

/// One feed, Atom or RSS: the same facts in either template.
struct Feed {
    title: String,
    description: String,
    /// The page the feed is about (absolute).
    html_url: String,
    /// The feed's own address.
    self_url: String,
    /// The newest entry's date, RFC 3339 and RFC 2822.
    updated: String,
    updated_rfc2822: String,
    image: Option<String>,
    entries: Vec<Entry>,
}

struct Entry {
    card: FeedEntryCard,
    title: String,
}

#[derive(Template)]
#[template(path = "public/feed.atom.xml")]
struct AtomFeed<'a> {
    feed: &'a Feed,
}

#[derive(Template)]
#[template(path = "public/feed.rss.xml")]
struct RssFeed<'a> {
    feed: &'a Feed,
}

fn feed_entries(core: &Core, ctx: &Ctx, views: &[StatusView]) -> Vec<Entry> {
    views
        .iter()
        .filter(|v| v.status.visibility == Visibility::Public && v.reblog.is_none())
        .map(|view| {
            let card = feed_entry_card(core, view);
            let title = if !card.status.spoiler.is_empty() {
                card.status.spoiler.clone()
            } else if card.plain_text.trim().is_empty() {
                ctx.tr.t1(
                    "public-feed-entry-title",
                    "name",
                    &card.status.author.display_name,
                )
            } else {
                excerpt(&card.plain_text, 80)
            };
            Entry { card, title }
        })
        .collect()
}

fn render_feed(core: &Core, kind: FeedKind, mut feed: Feed) -> Result<Response, WebError> {
    let now = core.clock.now().to_datetime();
    let (updated, updated_rfc2822) = feed
        .entries
        .first()
        .map(|e| (e.card.updated.clone(), e.card.published_rfc2822.clone()))
        .unwrap_or_else(|| {
            (
                now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                now.to_rfc2822(),
            )
        });
    feed.updated = updated;
    feed.updated_rfc2822 = updated_rfc2822;
    let (body, content_type) = match kind {
        FeedKind::Atom => (AtomFeed { feed: &feed }.render()?, ATOM),
        FeedKind::Rss => (RssFeed { feed: &feed }.render()?, RSS),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&format!("{content_type}; charset=utf-8")) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    Ok(response)
}

/// The feed's own address for `kind`, beside the page at `path`.
fn feed_url(core: &Core, path: &str, kind: FeedKind) -> String {
    let suffix = match kind {
        FeedKind::Atom => "atom",
        FeedKind::Rss => "rss",
    };
    absolute_url(core, &format!("{path}.{suffix}"))
}

/// `/@{name}.atom` and `/@{name}.rss`: a local account's latest public posts (not replies
/// nor boosts: what they wrote for everyone).
pub async fn account_feed(
    core: &Core,
    ctx: &Ctx,
    name: &str,
    kind: FeedKind,
) -> Result<Response, WebError> {
    if name.contains('@') {
        return Err(WebError::NotFound);
    }
    let account = core.local_account_named(name).await?;
    let view = core.account_view(account.clone()).await?;
    let card = account_card(core, &view);
    let page = core
        .account_statuses(
            account.id,
            None,
            &AccountStatusFilter {
                exclude_replies: true,
                exclude_reblogs: true,
                ..Default::default()
            },
            &rhizome_core::PageRequest::first(FEED_SIZE),
        )
        .await?;
    let feed = Feed {
        title: format!("{} ({})", card.display_name, card.full_handle),
        description: excerpt(&rhizome_core::text::stored_html_to_text(&account.note), 500),
        html_url: absolute_url(core, &card.path),
        self_url: feed_url(core, &card.path, kind),
        updated: String::new(),
        updated_rfc2822: String::new(),
        image: Some(absolute_url(core, &card.avatar)),
        entries: feed_entries(core, ctx, &page.items),
    };
    render_feed(core, kind, feed)
}

/// `/tags/{tag}.atom` and `/tags/{tag}.rss`: the latest public posts of this server with
/// the hashtag (others' posts are theirs to publish).
async fn tag_feed(core: &Core, ctx: &Ctx, tag: &str, kind: FeedKind) -> Result<Response, WebError> {
    let tag = clean_tag(tag).ok_or(WebError::NotFound)?;
    let page = core
        .tag_timeline(
            None,
            &TagFilter {
                any: vec![tag.clone()],
                ..Default::default()
            },
            PublicFilter {
                local_only: true,
                ..Default::default()
            },
            &rhizome_core::PageRequest::first(FEED_SIZE),
        )
        .await?;
    let path = format!("/tags/{}", urlencode(&tag));
    let feed = Feed {
        title: format!("#{tag}"),
        description: ctx.tr.t2(
            "public-tag-description",
            "tag",
            &tag,
            "name",
            &ctx.instance_name,
        ),
        html_url: absolute_url(core, &path),
        self_url: feed_url(core, &path, kind),
        updated: String::new(),
        updated_rfc2822: String::new(),
        image: None,
        entries: feed_entries(core, ctx, &page.items),
    };
    render_feed(core, kind, feed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_normalised() {
        assert_eq!(clean_tag("#Rust").as_deref(), Some("rust"));
        assert_eq!(clean_tag("café_2").as_deref(), Some("café_2"));
        assert_eq!(clean_tag("a b"), None);
        assert_eq!(clean_tag("#"), None);
    }
}
