//! Content filters (Mastodon's filters v2): keywords and statuses a user does not want to see,
//! applied per context to timelines, threads, notifications and streams.

use rhizome_model::{Id, LocalUser, Timestamp};
use rhizome_store::{Filter, FilterKeyword};

use crate::events::Event;
use crate::text::html_to_text;
use crate::views::StatusView;
use crate::{Core, CoreError};

/// The places a filter may apply to.
pub const CONTEXTS: [&str; 5] = ["home", "notifications", "public", "thread", "account"];

/// Why a status matched one filter.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterMatch {
    pub filter: Filter,
    pub keyword_matches: Vec<String>,
    pub status_matches: Vec<Id>,
}

/// What a user sets on a filter; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct FilterInput {
    pub title: Option<String>,
    pub contexts: Option<Vec<String>>,
    pub action: Option<String>,
    /// Seconds from now; `Some(None)` removes the expiry.
    pub expires_in: Option<Option<u64>>,
    /// Replaces the keywords when given: (keyword, whole_word).
    pub keywords: Option<Vec<(String, bool)>>,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether `keyword` occurs in `text` (both compared case-insensitively); with `whole_word`,
/// only between word boundaries.
pub fn keyword_matches(text: &str, keyword: &str, whole_word: bool) -> bool {
    let text = text.to_lowercase();
    let keyword = keyword.trim().to_lowercase();
    if keyword.is_empty() {
        return false;
    }
    let mut start = 0;
    while let Some(found) = text[start..].find(&keyword) {
        let at = start + found;
        let end = at + keyword.len();
        if !whole_word {
            return true;
        }
        let before = text[..at].chars().next_back();
        let after = text[end..].chars().next();
        // A keyword starting or ending with a non-word character needs no boundary there.
        let starts_word = keyword.chars().next().is_some_and(is_word_char);
        let ends_word = keyword.chars().next_back().is_some_and(is_word_char);
        let left_ok = !starts_word || before.is_none_or(|c| !is_word_char(c));
        let right_ok = !ends_word || after.is_none_or(|c| !is_word_char(c));
        if left_ok && right_ok {
            return true;
        }
        start = at + text[at..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// The filters of `filters` matching a status in `context`.
pub fn matches(
    filters: &[Filter],
    context: &str,
    view: &StatusView,
    now: Timestamp,
) -> Vec<FilterMatch> {
    let shown = view.reblog.as_deref().unwrap_or(view);
    let mut text = html_to_text(&shown.status.content);
    text.push('\n');
    text.push_str(&shown.status.spoiler_text);
    if let Some(title) = &shown.status.title {
        text.push('\n');
        text.push_str(title);
    }
    for attachment in &shown.attachments {
        if let Some(description) = &attachment.description {
            text.push('\n');
            text.push_str(description);
        }
    }
    filters
        .iter()
        .filter(|f| f.contexts.iter().any(|c| c == context))
        .filter(|f| f.expires_at.is_none_or(|at| at > now))
        .filter_map(|filter| {
            let keyword_matches: Vec<String> = filter
                .keywords
                .iter()
                .filter(|k| keyword_matches(&text, &k.keyword, k.whole_word))
                .map(|k| k.keyword.clone())
                .collect();
            let status_matches: Vec<Id> = filter
                .statuses
                .iter()
                .filter(|(_, status)| *status == shown.status.id || *status == view.status.id)
                .map(|(_, status)| *status)
                .collect();
            (!keyword_matches.is_empty() || !status_matches.is_empty()).then(|| FilterMatch {
                filter: filter.clone(),
                keyword_matches,
                status_matches,
            })
        })
        .collect()
}

impl Core {
    /// Marks each view with the filters it matches in `context`, and drops those a `hide`
    /// filter matches.
    pub async fn apply_filters(
        &self,
        viewer: Option<Id>,
        context: &str,
        views: Vec<StatusView>,
    ) -> Result<Vec<StatusView>, CoreError> {
        let Some(viewer) = viewer else {
            return Ok(views);
        };
        let filters = self.store.filters_of(viewer).await?;
        if filters.is_empty() {
            return Ok(views);
        }
        let now = self.clock.now();
        Ok(views
            .into_iter()
            .filter_map(|mut view| {
                let found = matches(&filters, context, &view, now);
                if found.iter().any(|m| m.filter.action == "hide") {
                    return None;
                }
                view.filtered = found;
                Some(view)
            })
            .collect())
    }

    pub async fn filters(&self, user: &LocalUser) -> Result<Vec<Filter>, CoreError> {
        Ok(self.store.filters_of(user.account.id).await?)
    }

    pub async fn filter(&self, user: &LocalUser, id: Id) -> Result<Filter, CoreError> {
        self.filters(user)
            .await?
            .into_iter()
            .find(|f| f.id == id)
            .ok_or(CoreError::NotFound)
    }

    fn apply_input(&self, filter: &mut Filter, input: FilterInput) -> Result<(), CoreError> {
        let now = self.clock.now();
        if let Some(title) = input.title {
            let title = title.trim();
            if title.is_empty() || title.chars().count() > 200 {
                return Err(CoreError::invalid(
                    "title can't be blank or longer than 200",
                ));
            }
            filter.title = title.to_owned();
        }
        if let Some(contexts) = input.contexts {
            if contexts.is_empty() || contexts.iter().any(|c| !CONTEXTS.contains(&c.as_str())) {
                return Err(CoreError::invalid(
                    "context must be among home, notifications, public, thread, account",
                ));
            }
            filter.contexts = contexts;
        }
        if let Some(action) = input.action {
            if !matches!(action.as_str(), "warn" | "hide") {
                return Err(CoreError::invalid("filter_action must be warn or hide"));
            }
            filter.action = action;
        }
        if let Some(expires_in) = input.expires_in {
            filter.expires_at =
                expires_in.map(|s| self.clock.after(std::time::Duration::from_secs(s)));
        }
        if let Some(keywords) = input.keywords {
            if keywords.len() > 100
                || keywords
                    .iter()
                    .any(|(k, _)| k.trim().is_empty() || k.chars().count() > 200)
            {
                return Err(CoreError::invalid(
                    "keywords must be 1 to 200 characters, at most 100 of them",
                ));
            }
            // Keywords that stay keep their ids (the v1 API names filters by them).
            let previous = std::mem::take(&mut filter.keywords);
            filter.keywords = keywords
                .into_iter()
                .map(|(keyword, whole_word)| {
                    let keyword = keyword.trim().to_owned();
                    let id = previous
                        .iter()
                        .find(|k| k.keyword == keyword)
                        .map(|k| k.id)
                        .unwrap_or_else(|| Id::generate(now.0));
                    FilterKeyword {
                        id,
                        keyword,
                        whole_word,
                    }
                })
                .collect();
        }
        Ok(())
    }

    pub async fn create_filter(
        &self,
        user: &LocalUser,
        input: FilterInput,
    ) -> Result<Filter, CoreError> {
        if input.title.is_none() || input.contexts.is_none() {
            return Err(CoreError::invalid("title and context are required"));
        }
        let now = self.clock.now();
        let mut filter = Filter {
            id: Id::generate(now.0),
            account_id: user.account.id,
            title: String::new(),
            contexts: Vec::new(),
            action: "warn".into(),
            expires_at: None,
            created_at: now,
            keywords: Vec::new(),
            statuses: Vec::new(),
        };
        self.apply_input(&mut filter, input)?;
        self.store.save_filter(&filter).await?;
        self.events.publish(Event::FiltersChanged {
            account_id: user.account.id,
        });
        Ok(filter)
    }

    pub async fn update_filter(
        &self,
        user: &LocalUser,
        id: Id,
        input: FilterInput,
    ) -> Result<Filter, CoreError> {
        let mut filter = self.filter(user, id).await?;
        self.apply_input(&mut filter, input)?;
        self.store.save_filter(&filter).await?;
        self.events.publish(Event::FiltersChanged {
            account_id: user.account.id,
        });
        self.filter(user, id).await
    }

    pub async fn delete_filter(&self, user: &LocalUser, id: Id) -> Result<(), CoreError> {
        if !self.store.delete_filter(user.account.id, id).await? {
            return Err(CoreError::NotFound);
        }
        self.events.publish(Event::FiltersChanged {
            account_id: user.account.id,
        });
        Ok(())
    }

    /// Removes a status from a filter by its row id.
    pub async fn remove_filter_status(&self, user: &LocalUser, row: Id) -> Result<(), CoreError> {
        for filter in self.filters(user).await? {
            if filter.statuses.iter().any(|(r, _)| *r == row) {
                self.store.remove_filter_status(filter.id, row).await?;
                self.events.publish(Event::FiltersChanged {
                    account_id: user.account.id,
                });
                return Ok(());
            }
        }
        Err(CoreError::NotFound)
    }

    /// Adds a status to a filter; returns the row id.
    pub async fn add_filter_status(
        &self,
        user: &LocalUser,
        id: Id,
        status_id: Id,
    ) -> Result<Id, CoreError> {
        let filter = self.filter(user, id).await?;
        self.store
            .visible_status(status_id, Some(user.account.id))
            .await?
            .ok_or(CoreError::NotFound)?;
        let row = Id::generate(self.clock.now().0);
        self.store
            .add_filter_status(filter.id, row, status_id)
            .await?;
        self.events.publish(Event::FiltersChanged {
            account_id: user.account.id,
        });
        Ok(row)
    }
}

#[cfg(test)]
mod tests {
    use super::keyword_matches;

    #[test]
    fn keywords_match_whole_words_or_anywhere() {
        assert!(keyword_matches("I love Rust!", "rust", true));
        assert!(!keyword_matches("Trusty tools", "rust", true));
        assert!(keyword_matches("Trusty tools", "rust", false));
        assert!(keyword_matches("élection présidentielle", "Élection", true));
        assert!(!keyword_matches("élections", "élection", true));
        assert!(keyword_matches("see #spoilers here", "#spoilers", true));
        assert!(keyword_matches("rust rusty", "rusty", true));
        assert!(!keyword_matches("anything", "", false));
    }
}
