//! Trends, computed from what this instance has seen lately (local and remote public posts):
//! hashtags used by the most people, posts that drew the most interactions, links shared by
//! the most people. Nothing is precomputed: each request reads the last days.

use std::collections::{BTreeMap, HashMap, HashSet};

use rhizome_model::{Id, PreviewCard, Timestamp};
use rhizome_store::TagInfo;

use crate::views::StatusView;
use crate::{Core, CoreError};

/// How far back trends look.
const WINDOW_DAYS: i64 = 7;
const DAY_MS: i64 = 86_400_000;
/// Public posts with cards read to rank links.
const MAX_POSTS_FOR_LINKS: u32 = 2_000;

/// A link people shared, as its preview card, with its daily history (day start, uses,
/// accounts), newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkTrend {
    pub card: PreviewCard,
    pub uses: i64,
    pub accounts: i64,
    pub history: Vec<(Timestamp, i64, i64)>,
}

/// The http(s) `href`s of a post's HTML in the order they appear, without mentions and
/// hashtags (by their microformats classes or `rel="tag"`, as Mastodon reads them).
pub fn links_in(html: &str) -> Vec<String> {
    let mut links = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<a ") {
        rest = &rest[start + 3..];
        let Some(end) = rest.find('>') else { break };
        let tag = &rest[..end];
        let attribute = |name: &str| {
            let marker = format!("{name}=\"");
            tag.find(&marker).and_then(|i| {
                let value = &tag[i + marker.len()..];
                value.find('"').map(|j| &value[..j])
            })
        };
        let class = attribute("class").unwrap_or("");
        let is_reference = class
            .split_ascii_whitespace()
            .any(|c| matches!(c, "mention" | "hashtag" | "u-url" | "h-card"))
            || attribute("rel").is_some_and(|rel| rel.split(' ').any(|r| r == "tag"));
        if let Some(href) = attribute("href")
            && !is_reference
            && (href.starts_with("https://") || href.starts_with("http://"))
        {
            links.push(href.replace("&amp;", "&"));
        }
        rest = &rest[end..];
    }
    links
}

impl Core {
    fn trends_since(&self) -> Timestamp {
        let now = self.clock.now().0;
        Timestamp(now - now.rem_euclid(DAY_MS) - (WINDOW_DAYS - 1) * DAY_MS)
    }

    /// Hashtags of the last days' public posts, by how many people used them.
    pub async fn trending_tags(
        &self,
        viewer: Option<Id>,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<TagInfo>, CoreError> {
        let used = self
            .store
            .trending_tags(self.trends_since(), limit, offset)
            .await?;
        self.tag_infos(used.into_iter().map(|t| t.name), viewer)
            .await
    }

    /// The last days' public posts that drew the most favourites, boosts and replies.
    pub async fn trending_statuses(
        &self,
        viewer: Option<Id>,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<StatusView>, CoreError> {
        let statuses = self
            .store
            .trending_statuses(self.trends_since(), limit, offset)
            .await?;
        let views = self.status_views(statuses, viewer).await?;
        self.apply_filters(viewer, "public", views).await
    }

    /// Links of the last days' public posts, by how many people shared them: those whose
    /// page was read (as Mastodon, a link without a card does not trend).
    pub async fn trending_links(
        &self,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<LinkTrend>, CoreError> {
        let since = self.trends_since();
        let shares = self
            .store
            .recent_public_card_shares(since, MAX_POSTS_FOR_LINKS)
            .await?;
        // card → day → (uses, accounts)
        let mut days: HashMap<Id, BTreeMap<i64, (i64, HashSet<Id>)>> = HashMap::new();
        for (status_id, account_id, card_id) in &shares {
            let millis = status_id.unix_millis();
            let day = millis - millis.rem_euclid(DAY_MS);
            let entry = days.entry(*card_id).or_default().entry(day).or_default();
            entry.0 += 1;
            entry.1.insert(*account_id);
        }
        let ids: Vec<Id> = days.keys().copied().collect();
        let mut cards: HashMap<Id, PreviewCard> = self
            .store
            .preview_cards_by_ids(&ids)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        let mut trends: Vec<LinkTrend> = days
            .into_iter()
            .filter_map(|(card_id, by_day)| {
                let card = cards.remove(&card_id)?;
                let mut everyone: HashSet<Id> = HashSet::new();
                let mut uses = 0;
                let mut history = Vec::new();
                for (day, (day_uses, accounts)) in by_day.iter().rev() {
                    uses += day_uses;
                    everyone.extend(accounts.iter().copied());
                    history.push((Timestamp(*day), *day_uses, accounts.len() as i64));
                }
                Some(LinkTrend {
                    card,
                    uses,
                    accounts: everyone.len() as i64,
                    history,
                })
            })
            .collect();
        trends.sort_by(|a, b| {
            (b.accounts, b.uses)
                .cmp(&(a.accounts, a.uses))
                .then_with(|| a.card.url.cmp(&b.card.url))
        });
        Ok(trends
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .collect())
    }

    /// Each named hashtag with its history, in order; names that vanished meanwhile are
    /// left out.
    async fn tag_infos(
        &self,
        names: impl IntoIterator<Item = String>,
        viewer: Option<Id>,
    ) -> Result<Vec<TagInfo>, CoreError> {
        let now = self.clock.now();
        let mut tags = Vec::new();
        for name in names {
            tags.extend(self.store.tag_info(&name, viewer, now).await?);
        }
        Ok(tags)
    }

    /// Hashtags whose name starts with `query` (a leading `#` is ignored), most used first.
    pub async fn search_tags(
        &self,
        query: &str,
        viewer: Option<Id>,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<TagInfo>, CoreError> {
        let prefix = query.trim().trim_start_matches('#');
        if prefix.is_empty() || !prefix.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return Ok(Vec::new());
        }
        let names = self.store.search_tags(prefix, limit, offset).await?;
        self.tag_infos(names, viewer).await
    }
}

#[cfg(test)]
mod tests {
    use super::links_in;

    #[test]
    fn links_are_read_from_html_without_mentions_and_hashtags() {
        let html = r#"<p><span class="h-card"><a href="https://x.example/@a" class="u-url mention">@a</a></span> see <a href="https://news.example/a?b=1&amp;c=2" rel="nofollow noopener noreferrer">news</a> <a href="https://x.example/tags/rust" class="mention hashtag" rel="tag">#rust</a> <a href="https://news.example/a?b=1&amp;c=2">again</a></p>"#;
        assert_eq!(
            links_in(html),
            [
                "https://news.example/a?b=1&c=2",
                "https://news.example/a?b=1&c=2"
            ]
        );
    }
}
