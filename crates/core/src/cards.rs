//! Preview cards: a job reads the page of a post's first plain link (not a mention, a
//! hashtag, the quoted post or one of ours) and keeps what it says of itself (OpenGraph,
//! Twitter cards, `<title>` and the meta description) as one card per address, shared by the
//! posts that link it and read again after a while. No embed HTML is kept: cards are text and
//! an image, which clients get through our media proxy.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use rhizome_federation::http::FetchError;
use rhizome_model::{CardKind, Id, PreviewCard, Status, Timestamp};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::jobs::JobError;
use crate::{Core, CoreError};

/// Job: find, read if needed, and attach the card of one status.
pub const FETCH_CARD: &str = "fetch_preview_card";

#[derive(Debug, Serialize, Deserialize)]
pub struct FetchCard {
    pub status_id: Id,
}

/// The largest page read; a longer one gets no card.
pub const MAX_PAGE_BYTES: usize = 1024 * 1024;
/// A card is read again when a post links it after this long (Mastodon: two weeks).
const REFRESH_AFTER: Duration = Duration::from_secs(14 * 24 * 3600);
/// Longest link considered (Mastodon's limit for its unique index).
const MAX_URL_BYTES: usize = 2048;
const MAX_TITLE_CHARS: usize = 300;
const MAX_DESCRIPTION_CHARS: usize = 1000;
const MAX_NAME_CHARS: usize = 200;
/// Meta tags read from one page, at most.
const MAX_METAS: usize = 300;

/// What a page says of itself, cleaned: plain text, bounded lengths, absolute http(s) URLs.
#[derive(Debug, Clone, PartialEq)]
pub struct PageInfo {
    pub title: String,
    pub description: String,
    pub kind: CardKind,
    pub image: Option<String>,
    pub width: i32,
    pub height: i32,
    pub image_description: String,
    pub author_name: String,
    pub author_url: String,
    pub provider_name: String,
    pub provider_url: String,
    pub language: Option<String>,
    pub published_at: Option<Timestamp>,
}

/// What the tokenizer saw in the page's head.
#[derive(Default)]
struct Head {
    metas: HashMap<String, String>,
    count: usize,
    title: Option<String>,
    in_title: bool,
    language: Option<String>,
    /// The body started: the head is over.
    done: bool,
}

struct HeadSink(RefCell<Head>);

impl TokenSink for HeadSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut head = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) => {
                let name: &str = &tag.name;
                let attribute = |wanted: &str| {
                    tag.attrs
                        .iter()
                        .find(|a| (*a.name.local).eq_ignore_ascii_case(wanted))
                        .map(|a| a.value.to_string())
                };
                if tag.kind == TagKind::EndTag {
                    match name {
                        "title" => head.in_title = false,
                        "head" => head.done = true,
                        _ => {}
                    }
                    return TokenSinkResult::Continue;
                }
                match name {
                    // What follows is text up to the end tag, not markup.
                    "script" => return TokenSinkResult::RawData(RawKind::ScriptData),
                    "style" | "noscript" | "template" => {
                        return TokenSinkResult::RawData(RawKind::Rawtext);
                    }
                    "title" => {
                        if !head.done && head.title.is_none() {
                            head.title = Some(String::new());
                            head.in_title = true;
                        }
                        return TokenSinkResult::RawData(RawKind::Rcdata);
                    }
                    "textarea" => return TokenSinkResult::RawData(RawKind::Rcdata),
                    "html" if head.language.is_none() => head.language = attribute("lang"),
                    "body" => head.done = true,
                    "meta" if !head.done && head.count < MAX_METAS => {
                        let key = attribute("property").or_else(|| attribute("name"));
                        if let (Some(key), Some(content)) = (key, attribute("content")) {
                            head.count += 1;
                            // The first of each wins (the main image comes first).
                            head.metas
                                .entry(key.trim().to_ascii_lowercase())
                                .or_insert(content);
                        }
                    }
                    _ => {}
                }
            }
            Token::CharacterTokens(text) if head.in_title => {
                if let Some(title) = head.title.as_mut()
                    && title.len() < 4 * MAX_TITLE_CHARS
                {
                    title.push_str(&text);
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// Plain text on one line, at most `max` characters.
fn clean(text: &str, max: usize) -> String {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect();
    let joined = words.join(" ");
    match joined.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", joined[..cut].trim_end()),
        None => joined,
    }
}

/// An absolute http(s) URL, resolved against the page's.
fn absolute(page: &Url, value: &str) -> Option<String> {
    let url = page.join(value.trim()).ok()?;
    (matches!(url.scheme(), "http" | "https")
        && url.host().is_some()
        && url.as_str().len() <= MAX_URL_BYTES)
        .then(|| url.to_string())
}

/// Reads a page's head; `None` when it has no title (Mastodon keeps no card without one).
pub fn read_page(html: &str, page: &Url) -> Option<PageInfo> {
    let sink = HeadSink(RefCell::new(Head::default()));
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    let head = tokenizer.sink.0.into_inner();
    let meta = |keys: &[&str]| {
        keys.iter()
            .filter_map(|k| head.metas.get(*k))
            .map(|v| v.trim())
            .find(|v| !v.is_empty())
    };
    let title = clean(
        meta(&["og:title", "twitter:title"]).or(head.title.as_deref())?,
        MAX_TITLE_CHARS,
    );
    if title.is_empty() {
        return None;
    }
    let description = clean(
        meta(&["og:description", "twitter:description", "description"]).unwrap_or(""),
        MAX_DESCRIPTION_CHARS,
    );
    let image = meta(&[
        "og:image:secure_url",
        "og:image",
        "og:image:url",
        "twitter:image",
        "twitter:image:src",
    ])
    .and_then(|v| absolute(page, v));
    let dimension = |key: &str| {
        meta(&[key])
            .and_then(|v| v.parse::<i32>().ok())
            .filter(|v| (0..=100_000).contains(v))
            .unwrap_or(0)
    };
    let (width, height) = match image {
        Some(_) => (dimension("og:image:width"), dimension("og:image:height")),
        None => (0, 0),
    };
    let og_type = meta(&["og:type"]).unwrap_or("").to_ascii_lowercase();
    let twitter_card = meta(&["twitter:card"]).unwrap_or("").to_ascii_lowercase();
    let kind = if og_type.starts_with("video") || twitter_card == "player" {
        CardKind::Video
    } else if twitter_card == "photo" && image.is_some() {
        CardKind::Photo
    } else {
        CardKind::Link
    };
    let article_author = meta(&["article:author"]);
    let author_url = article_author
        .and_then(|v| Url::parse(v).ok())
        .and_then(|u| absolute(page, u.as_str()))
        .unwrap_or_default();
    let author_name = clean(
        meta(&["author"])
            .or(article_author.filter(|_| author_url.is_empty()))
            .or(meta(&["twitter:creator"]))
            .unwrap_or(""),
        MAX_NAME_CHARS,
    );
    let host = page.host_str().unwrap_or_default();
    let provider_name = clean(meta(&["og:site_name"]).unwrap_or(host), MAX_NAME_CHARS);
    let provider_url = match page.port() {
        Some(port) => format!("{}://{host}:{port}", page.scheme()),
        None => format!("{}://{host}", page.scheme()),
    };
    let language = head.language.as_deref().and_then(|lang| {
        let primary = lang.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        ((2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_lowercase()))
            .then_some(primary)
    });
    let published_at = meta(&["article:published_time"])
        .and_then(|v| chrono::DateTime::parse_from_rfc3339(v).ok())
        .map(|t| Timestamp(t.timestamp_millis()));
    Some(PageInfo {
        title,
        description,
        kind,
        image,
        width,
        height,
        image_description: clean(
            meta(&["og:image:alt", "twitter:image:alt"]).unwrap_or(""),
            MAX_DESCRIPTION_CHARS,
        ),
        author_name,
        author_url,
        provider_name,
        provider_url,
        language,
        published_at,
    })
}

impl Core {
    /// The link a status's card describes: its first plain link that is not one of ours,
    /// nor a mentioned account, nor the post it quotes.
    pub async fn card_link(&self, status: &Status) -> Result<Option<Url>, CoreError> {
        if status.is_reblog() {
            return Ok(None);
        }
        let links = crate::trends::links_in(&status.content);
        if links.is_empty() {
            return Ok(None);
        }
        let mut skipped: Vec<String> = Vec::new();
        let mentioned = self
            .store
            .mentions_of(&[status.id])
            .await?
            .remove(&status.id)
            .unwrap_or_default();
        for account in self.store.accounts_by_ids(&mentioned).await? {
            skipped.extend(account.url.clone());
            skipped.push(account.uri);
        }
        if let Some(quoted) = status.quote_of_id
            && let Some(quoted) = self.store.status(quoted).await?
        {
            skipped.extend(quoted.url.clone());
            skipped.push(quoted.uri);
        }
        let base = self.urls.base();
        Ok(links.into_iter().find_map(|link| {
            if link.len() > MAX_URL_BYTES || link.starts_with(base) || skipped.contains(&link) {
                return None;
            }
            Url::parse(&link)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        }))
    }

    /// Queues the card job of a new or edited status that links somewhere; an edited one
    /// that links nowhere any more loses its card.
    pub(crate) async fn queue_card_fetch(
        &self,
        status: &Status,
        edited: bool,
    ) -> Result<(), CoreError> {
        if self.card_link(status).await?.is_some() {
            self.enqueue(
                FETCH_CARD,
                &FetchCard {
                    status_id: status.id,
                },
                None,
            )
            .await?;
        } else if edited {
            self.store.set_status_card(status.id, None).await?;
        }
        Ok(())
    }

    /// The card job: the status shows the card of its link, read now unless a recent
    /// reading is kept. A page that cannot be read (refused, too large, not HTML, no
    /// title) gives no card, without retrying.
    pub async fn run_fetch_card(&self, job: FetchCard) -> Result<(), JobError> {
        let Some(status) = self
            .store
            .status(job.status_id)
            .await
            .map_err(CoreError::from)?
        else {
            return Ok(()); // Deleted meanwhile.
        };
        let Some(link) = self.card_link(&status).await? else {
            self.store
                .set_status_card(status.id, None)
                .await
                .map_err(CoreError::from)?;
            return Ok(());
        };
        let known = self
            .store
            .preview_card_by_url(link.as_str())
            .await
            .map_err(CoreError::from)?;
        let now = self.clock.now();
        let fresh = known.as_ref().is_some_and(|card| {
            now.0.saturating_sub(card.fetched_at.0) < REFRESH_AFTER.as_millis() as i64
        });
        let card_id = match known {
            Some(card) if fresh => Some(card.id),
            known => match self.read_card(&link).await {
                Some(info) => {
                    let card = PreviewCard {
                        id: known.as_ref().map_or_else(|| Id::generate(now.0), |c| c.id),
                        url: link.to_string(),
                        title: info.title,
                        description: info.description,
                        kind: info.kind,
                        author_name: info.author_name,
                        author_url: info.author_url,
                        provider_name: info.provider_name,
                        provider_url: info.provider_url,
                        image_url: info.image,
                        width: info.width,
                        height: info.height,
                        image_description: info.image_description,
                        language: info.language,
                        published_at: info.published_at,
                        fetched_at: now,
                    };
                    Some(
                        self.store
                            .save_preview_card(&card)
                            .await
                            .map_err(CoreError::from)?,
                    )
                }
                // An older reading is better than none.
                None => known.map(|c| c.id),
            },
        };
        self.store
            .set_status_card(status.id, card_id)
            .await
            .map_err(CoreError::from)?;
        Ok(())
    }

    /// Reads the page at `link` through the safe client (no private addresses unless
    /// configured, bounded size and time, HTML only).
    async fn read_card(&self, link: &Url) -> Option<PageInfo> {
        let http = self.http.as_ref()?;
        match http.fetch_html(link, MAX_PAGE_BYTES).await {
            Ok(page) => read_page(&String::from_utf8_lossy(&page.html), &page.final_url),
            Err(err) => {
                let quiet = matches!(err, FetchError::NotFound | FetchError::Gone);
                if !quiet {
                    tracing::info!(%link, error = %err, "no preview card");
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Url {
        Url::parse("https://news.example/articles/1?x=y").unwrap()
    }

    #[test]
    fn open_graph_wins_over_title_and_meta_description() {
        let html = r#"<!doctype html><html lang="fr-FR"><head>
            <title>Plain &amp; simple</title>
            <meta name="description" content="Meta description">
            <meta property="og:title" content="  The   &quot;real&quot; title ">
            <meta property="og:description" content="OG description">
            <meta property="og:image" content="/images/cover.jpg">
            <meta property="og:image" content="https://cdn.example/second.jpg">
            <meta property="og:image:width" content="1200">
            <meta property="og:image:height" content="630">
            <meta property="og:image:alt" content="A cover">
            <meta property="og:site_name" content="News">
            <meta name="author" content="Ada">
            <meta property="article:published_time" content="2026-01-02T03:04:05Z">
            <script>var s = "<meta property='og:title' content='script'>";</script>
            </head><body><meta property="og:title" content="body"><svg><title>icon</title></svg></body></html>"#;
        let info = read_page(html, &page()).unwrap();
        assert_eq!(info.title, "The \"real\" title");
        assert_eq!(info.description, "OG description");
        assert_eq!(
            info.image.as_deref(),
            Some("https://news.example/images/cover.jpg")
        );
        assert_eq!((info.width, info.height), (1200, 630));
        assert_eq!(info.image_description, "A cover");
        assert_eq!(info.provider_name, "News");
        assert_eq!(info.provider_url, "https://news.example");
        assert_eq!(info.author_name, "Ada");
        assert_eq!(info.kind, CardKind::Link);
        assert_eq!(info.language.as_deref(), Some("fr"));
        assert!(info.published_at.is_some());
    }

    #[test]
    fn title_and_description_are_the_fallback_and_a_page_without_title_has_no_card() {
        let html = "<html><head><title>\n  Hello <b>world</b>\n</title><meta name=description content='Short'></head></html>";
        let info = read_page(html, &page()).unwrap();
        assert_eq!(info.title, "Hello <b>world</b>");
        assert_eq!(info.description, "Short");
        assert_eq!(info.image, None);
        assert_eq!(info.provider_name, "news.example");
        assert!(read_page("<html><body><p>nothing</p></body></html>", &page()).is_none());
        assert!(read_page("<title>   </title>", &page()).is_none());
    }

    #[test]
    fn unusable_images_are_dropped_and_long_texts_cut() {
        let long = "word ".repeat(1000);
        let html = format!(
            r#"<meta property="og:title" content="{long}"><meta property="og:image" content="javascript:alert(1)"><meta property="og:type" content="video.other"><meta property="og:image:width" content="-4">"#
        );
        let info = read_page(&html, &page()).unwrap();
        assert_eq!(info.image, None);
        assert_eq!((info.width, info.height), (0, 0));
        assert_eq!(info.kind, CardKind::Video);
        assert!(info.title.chars().count() <= MAX_TITLE_CHARS + 1);
        assert!(info.title.ends_with('…'));
    }
}
