//! Pages anyone may read, without an account and without JavaScript: the landing page, the
//! local timeline, the about pages, profiles, posts with their threads, hashtags, and the
//! Atom and RSS feeds of profiles and hashtags.
//!
//! `instance` holds the instance's own pages, `profile` accounts and posts, `tags` hashtag
//! pages and every feed.

mod instance;
mod profile;
mod tags;

use axum::Router;
use axum::http::{HeaderMap, header};
use axum::routing::get;
use rhizome_core::views::StatusView;
use rhizome_core::{Core, Page, PageRequest};
use rhizome_model::Id;
use serde::Deserialize;

use crate::error::WebError;
use crate::session::Ctx;
use crate::views::{StatusCard, status_card};

pub fn routes() -> Router<Core> {
    Router::new()
        .route("/", get(instance::landing))
        .route("/explore", get(instance::explore))
        .route("/about", get(instance::about))
        .route("/about/more", get(instance::about_more))
        // `/@alice`, `/@bob@remote.example`, and the feeds `/@alice.atom` and `/@alice.rss`.
        .route("/@{name}", get(profile::profile_or_feed))
        // A post, or the tabs `with_replies` and `media`.
        .route("/@{name}/{id}", get(profile::status_or_tab))
        .route("/@{name}/tagged/{tag}", get(profile::tagged))
        // `/tags/rust`, and the feeds `/tags/rust.atom` and `/tags/rust.rss`.
        .route("/tags/{tag}", get(tags::tag_or_feed))
}

/// How many posts a page of posts shows.
const PAGE_SIZE: u32 = 20;

/// What a page tells link previews, search engines and feed readers (in `<head>`).
pub struct Meta {
    pub title: String,
    /// Plain text.
    pub description: String,
    /// Absolute.
    pub url: String,
    pub image: Option<String>,
    pub image_alt: Option<String>,
    /// OpenGraph's type: `website`, `profile` or `article`.
    pub og_type: &'static str,
    pub site_name: String,
    pub twitter_card: &'static str,
    pub published: Option<String>,
    pub alternates: Vec<Alternate>,
    /// The account asked not to be indexed.
    pub noindex: bool,
}

impl Meta {
    fn website(core: &Core, ctx: &Ctx, title: String, description: &str) -> Meta {
        Meta {
            title,
            description: excerpt(description, 300),
            url: crate::views::absolute_url(core, path_only(&ctx.path)),
            image: None,
            image_alt: None,
            og_type: "website",
            site_name: ctx.instance_name.clone(),
            twitter_card: "summary",
            published: None,
            alternates: Vec::new(),
            noindex: false,
        }
    }
}

/// A `<link rel="alternate">`.
pub struct Alternate {
    pub kind: &'static str,
    pub href: String,
    pub title: Option<String>,
}

pub const ACTIVITY_JSON: &str = "application/activity+json";
pub const ATOM: &str = "application/atom+xml";
pub const RSS: &str = "application/rss+xml";

/// `?max_id=` of a page of posts.
#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    max_id: Option<String>,
}

impl PageQuery {
    /// The page asked for; an id that is not one is a page that does not exist.
    fn request(&self, limit: u32) -> Result<PageRequest, WebError> {
        let mut request = PageRequest::first(limit);
        if let Some(max_id) = self.max_id.as_deref().filter(|v| !v.is_empty()) {
            let id = crate::error::parse_id(max_id)?;
            request.max_id = Some(id.0);
        }
        Ok(request)
    }

    fn is_first(&self) -> bool {
        self.max_id.as_deref().is_none_or(str::is_empty)
    }
}

/// The links under a page of posts.
pub struct Pagination {
    /// `?max_id=` of the next (older) page, when there may be one.
    pub next: Option<String>,
    /// The newest page, when this is not it.
    pub newest: Option<String>,
}

impl Pagination {
    /// A full page may have more behind it; a shorter one is the last.
    fn of(path: &str, query: &PageQuery, page: &Page<StatusView>, limit: u32) -> Pagination {
        let next = page
            .oldest_id
            .filter(|_| page.items.len() >= limit as usize)
            .map(|oldest| format!("{path}?max_id={oldest}"));
        Pagination {
            next,
            newest: (!query.is_first()).then(|| path.to_owned()),
        }
    }
}

fn cards(core: &Core, views: &[StatusView], viewer: Option<Id>) -> Vec<StatusCard> {
    views
        .iter()
        .map(|view| status_card(core, view, viewer))
        .collect()
}

/// The path without its query.
fn path_only(path: &str) -> &str {
    path.split('?').next().unwrap_or(path)
}

/// At most `max` characters of `text` on one line, cut at a word with an ellipsis.
pub fn excerpt(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if space > max / 2 => &cut[..space],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end())
}

/// Servers (and some tools) ask our pages for the ActivityPub document.
fn wants_activity_json(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains(ACTIVITY_JSON) || v.contains("application/ld+json"))
}

/// `alice` or `alice@remote.example` → (username, domain).
fn split_handle(name: &str) -> (&str, Option<&str>) {
    match name.split_once('@') {
        Some((user, domain)) => (user, Some(domain)),
        None => (name, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_cut_at_a_word() {
        assert_eq!(excerpt("short\n text", 20), "short text");
        assert_eq!(excerpt("one two three four five six", 12), "one two…");
        assert_eq!(excerpt("abcdefghijkl", 5), "abcde…");
    }

    #[test]
    fn handles_split_at_the_at_sign() {
        assert_eq!(split_handle("alice"), ("alice", None));
        assert_eq!(
            split_handle("bob@remote.example"),
            ("bob", Some("remote.example"))
        );
    }
}
