//! Full-text search of statuses. The text is folded the same way for documents and queries:
//! lower case, accents removed (French users type "elan" for "élan"), apostrophes split so
//! that "arbre" finds "l'arbre". The index lives in the database (see the store).

use rhizome_model::{Id, LocalUser, Status};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::text::html_to_text;
use crate::views::StatusView;
use crate::{Core, CoreError};

/// Folds text for the index and for queries.
pub fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| {
            if c.is_alphanumeric() || c == '#' || c == '@' {
                c
            } else {
                ' '
            }
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The words of a query, folded.
pub fn query_words(query: &str) -> Vec<String> {
    fold(query)
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| c == '#' || c == '@').to_owned())
        .filter(|w| !w.is_empty())
        .take(16)
        .collect()
}

/// What a status is found by: its text, content warning, title and media descriptions.
pub fn document_of(status: &Status, media_descriptions: &[String]) -> String {
    let mut text = html_to_text(&status.content);
    for extra in [Some(&status.spoiler_text), status.title.as_ref()]
        .into_iter()
        .flatten()
    {
        text.push(' ');
        text.push_str(extra);
    }
    for description in media_descriptions {
        text.push(' ');
        text.push_str(description);
    }
    // Hashtags are found with or without their '#'.
    fold(&text).replace('#', " ")
}

impl Core {
    /// Puts a status in the search index (after a post, an edit, or a remote post arriving).
    pub async fn index_for_search(&self, status: &Status) -> Result<(), CoreError> {
        if status.is_reblog() {
            return Ok(());
        }
        let descriptions: Vec<String> = self
            .store
            .attachments_of(&[status.id])
            .await?
            .remove(&status.id)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|a| a.description)
            .collect();
        self.store
            .index_status(status.id, &document_of(status, &descriptions))
            .await?;
        Ok(())
    }

    /// Statuses matching `query` that `user` may find, newest first.
    pub async fn search_statuses(
        &self,
        user: &LocalUser,
        query: &str,
        author: Option<Id>,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<StatusView>, CoreError> {
        let words = query_words(query);
        let found = self
            .store
            .search_statuses(user.account.id, &words, author, limit, offset)
            .await?;
        self.status_views(found, Some(user.account.id)).await
    }

    /// Rebuilds the whole index; `progress(done, total)` is called after each batch.
    pub async fn reindex_search(
        &self,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<u64, CoreError> {
        let total = u64::try_from(self.store.count_statuses().await?).unwrap_or(0);
        self.store.clear_search_index().await?;
        let mut done = 0u64;
        let mut after = Id(0);
        loop {
            let batch = self.store.statuses_after(after, 500).await?;
            let Some(last) = batch.last() else { break };
            after = last.id;
            for status in &batch {
                self.index_for_search(status).await?;
            }
            done += batch.len() as u64;
            progress(done, total.max(done));
        }
        Ok(done)
    }
    /// Accounts a query names, for search: an address `user@domain` (found through WebFinger
    /// when `resolve`), an actor's URL (with `resolve`), or accounts whose names start with
    /// it. Suspended accounts are left out.
    pub async fn search_accounts(
        &self,
        query: &str,
        resolve: bool,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<rhizome_model::Account>, CoreError> {
        let q = query.trim();
        let address = q.trim_start_matches('@');
        let mut found = Vec::new();
        if address.contains('@') && !address.contains(' ') {
            let resolved = if resolve {
                self.resolve_acct(address).await.ok()
            } else {
                let (user, domain) = address.split_once('@').unwrap_or((address, ""));
                let domain = Some(domain).filter(|d| !d.eq_ignore_ascii_case(&self.config.domain));
                self.store.account_by_acct(user, domain).await?
            };
            found.extend(resolved);
        } else if (q.starts_with("https://") || q.starts_with("http://")) && resolve {
            found.extend(self.actor_by_uri(q).await.ok());
        }
        if found.is_empty() && !q.is_empty() && !q.contains("://") {
            found = self.store.search_accounts(address, limit, offset).await?;
        }
        Ok(found
            .into_iter()
            .filter(|a| a.suspended_at.is_none())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_accents_and_elision() {
        assert_eq!(fold("Élan VITAL"), "elan vital");
        assert_eq!(query_words("l'arbre, où?"), vec!["l", "arbre", "ou"]);
        assert_eq!(query_words("#Rust @alice"), vec!["rust", "alice"]);
        assert!(query_words("  ").is_empty());
        assert_eq!(fold("naïve façade"), "naive facade");
    }
}
