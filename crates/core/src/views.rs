//! What a viewer sees of accounts and statuses: the stored rows with everything around them
//! (author, counts, mentions, attachments, what the viewer did), loaded in batches.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rhizome_model::{
    Account, Attachment, Id, ReactionCount, Role, Status, StatusCounts, ViewerFlags,
};
use rhizome_store::AccountCounts;

use crate::{Core, CoreError};

#[derive(Debug, Clone, PartialEq)]
pub struct AccountView {
    pub account: Account,
    pub counts: AccountCounts,
    /// For local users.
    pub role: Option<Role>,
    /// The account it moved to (one level: that account's own move is not loaded).
    pub moved: Option<Box<AccountView>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatusView {
    pub status: Status,
    /// Shared by every status of a page by the same author.
    pub account: Arc<AccountView>,
    /// For a boost: the boosted status.
    pub reblog: Option<Box<StatusView>>,
    pub mentions: Vec<Arc<Account>>,
    pub tags: Vec<String>,
    pub attachments: Vec<Attachment>,
    /// Custom emoji used in its text.
    pub emojis: Vec<rhizome_model::EmojiRef>,
    pub counts: StatusCounts,
    /// What the viewer did with it (`None` for anonymous viewers).
    pub flags: Option<ViewerFlags>,
    pub reactions: Vec<ReactionCount>,
    /// The author of the status replied to.
    pub in_reply_to_account: Option<Arc<Account>>,
    /// The quoted status, when the viewer may see it (one level deep).
    pub quote: Option<Box<StatusView>>,
    /// What the viewer may do about quoting this status.
    pub quote_decision: rhizome_model::QuoteDecision,
    pub poll: Option<crate::polls::PollView>,
    /// How many accepted quotes it has.
    pub quotes_count: i64,
    /// The preview card of its first link, once read.
    pub card: Option<rhizome_model::PreviewCard>,
    /// The viewer's filters this status matches (in the context it is shown in).
    pub filtered: Vec<crate::filters::FilterMatch>,
}

impl Core {
    /// Accounts with their counts.
    pub async fn account_views(
        &self,
        accounts: Vec<Account>,
    ) -> Result<Vec<AccountView>, CoreError> {
        let ids: Vec<Id> = accounts.iter().map(|a| a.id).collect();
        let mut counts = self.store.account_counts(&ids).await?;
        let roles: HashMap<Id, Role> = self.store.roles_of(&ids).await?.into_iter().collect();
        let moved = self.moved_views(&accounts).await?;
        Ok(accounts
            .into_iter()
            .map(|account| AccountView {
                counts: counts.remove(&account.id).unwrap_or_default(),
                role: roles.get(&account.id).copied(),
                moved: account
                    .moved_to_account_id
                    .and_then(|id| moved.get(&id).cloned().map(Box::new)),
                account,
            })
            .collect())
    }

    pub async fn account_view(&self, account: Account) -> Result<AccountView, CoreError> {
        self.account_views(vec![account])
            .await?
            .pop()
            .ok_or(CoreError::NotFound)
    }

    /// The account with this id, suspended or not.
    pub async fn account(&self, id: Id) -> Result<Account, CoreError> {
        self.store.account(id).await?.ok_or(CoreError::NotFound)
    }

    /// The account with this id, if it exists and is not suspended.
    pub async fn visible_account(&self, id: Id) -> Result<Account, CoreError> {
        match self.store.account(id).await? {
            Some(account) if account.suspended_at.is_none() => Ok(account),
            _ => Err(CoreError::NotFound),
        }
    }

    /// Loads everything around `statuses` for `viewer`, keeping their order.
    pub async fn status_views(
        &self,
        statuses: Vec<Status>,
        viewer: Option<Id>,
    ) -> Result<Vec<StatusView>, CoreError> {
        let mut views = self.load_status_views(statuses, viewer).await?;
        self.attach_quotes(&mut views, viewer).await?;
        Ok(views)
    }

    async fn load_status_views(
        &self,
        statuses: Vec<Status>,
        viewer: Option<Id>,
    ) -> Result<Vec<StatusView>, CoreError> {
        // Every look-up of the page on one read connection (see `Reader`); it is given back
        // before anything below asks the pool for another.
        let mut reader = self.store.reader();
        let reblog_ids: Vec<Id> = statuses.iter().filter_map(|s| s.reblog_of_id).collect();
        let originals: HashMap<Id, Status> = reader
            .statuses_by_ids(&reblog_ids)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
        let all: Vec<&Status> = statuses.iter().chain(originals.values()).collect();
        let status_ids: Vec<Id> = all.iter().map(|s| s.id).collect();

        let mentions = reader.mentions_of(&status_ids).await?;
        let mut account_ids: Vec<Id> = all.iter().map(|s| s.account_id).collect();
        account_ids.extend(mentions.values().flatten().copied());
        account_ids.extend(all.iter().filter_map(|s| s.in_reply_to_account_id));
        account_ids.sort_unstable();
        account_ids.dedup();
        // Accounts with their counts and roles in one statement. An author's view is built
        // once and shared by the statuses that show it.
        let rows = reader.accounts_with_counts(&account_ids).await?;
        let tags = reader.tags_of(&status_ids).await?;
        let attachments = reader.attachments_of(&status_ids).await?;
        let emojis = reader.emojis_of(&status_ids).await?;
        let counts = reader.status_counts_with_quotes(&status_ids).await?;
        let flags = match viewer {
            Some(viewer) => Some(reader.viewer_flags(viewer, &status_ids).await?),
            None => None,
        };
        let reactions = reader.reactions_of(&status_ids, viewer).await?;
        let cards = reader.cards_of(&status_ids).await?;
        let polls = reader.polls_of(&status_ids).await?;
        drop(reader);

        let authors: HashSet<Id> = all.iter().map(|s| s.account_id).collect();
        let moved = self
            .moved_views_by_id(
                rows.iter()
                    .filter(|(account, _, _)| authors.contains(&account.id))
                    .filter_map(|(account, _, _)| account.moved_to_account_id)
                    .collect(),
            )
            .await?;
        let referenced: HashSet<Id> = mentions
            .values()
            .flatten()
            .copied()
            .chain(all.iter().filter_map(|s| s.in_reply_to_account_id))
            .collect();
        let mut accounts: HashMap<Id, Arc<Account>> = HashMap::new();
        let mut author_views: HashMap<Id, Arc<AccountView>> = HashMap::new();
        for (account, counts, role) in rows {
            if referenced.contains(&account.id) {
                accounts.insert(account.id, Arc::new(account.clone()));
            }
            if authors.contains(&account.id) {
                let view = AccountView {
                    counts,
                    role,
                    moved: account
                        .moved_to_account_id
                        .and_then(|id| moved.get(&id).cloned().map(Box::new)),
                    account,
                };
                author_views.insert(view.account.id, Arc::new(view));
            }
        }

        let build = |status: Status| -> Option<StatusView> {
            let id = status.id;
            Some(StatusView {
                account: author_views.get(&status.account_id)?.clone(),
                mentions: mentions
                    .get(&id)
                    .map(|ids| {
                        ids.iter()
                            .filter_map(|m| accounts.get(m).cloned())
                            .collect()
                    })
                    .unwrap_or_default(),
                tags: tags.get(&id).cloned().unwrap_or_default(),
                attachments: attachments.get(&id).cloned().unwrap_or_default(),
                emojis: emojis.get(&id).cloned().unwrap_or_default(),
                counts: counts.get(&id).map(|(c, _)| *c).unwrap_or_default(),
                flags: flags
                    .as_ref()
                    .map(|f| f.get(&id).copied().unwrap_or_default()),
                reactions: reactions.get(&id).cloned().unwrap_or_default(),
                in_reply_to_account: status
                    .in_reply_to_account_id
                    .and_then(|a| accounts.get(&a).cloned()),
                reblog: None,
                quote: None,
                quote_decision: rhizome_model::QuoteDecision::Denied,
                poll: None,
                card: cards.get(&id).cloned(),
                quotes_count: counts.get(&id).map(|(_, q)| *q).unwrap_or(0),
                filtered: Vec::new(),
                status,
            })
        };
        let mut views = Vec::with_capacity(statuses.len());
        for status in statuses {
            let reblog = match status.reblog_of_id {
                Some(original_id) => match originals.get(&original_id).cloned().and_then(&build) {
                    Some(view) => Some(Box::new(view)),
                    // The boosted status is gone: so is the boost.
                    None => continue,
                },
                None => None,
            };
            if let Some(mut view) = build(status) {
                view.reblog = reblog;
                views.push(view);
            }
        }
        self.attach_polls(&mut views, polls, viewer).await?;
        for view in views.iter_mut() {
            view.quote_decision = self.quote_decision(&view.status, viewer).await?;
            if let Some(inner) = view.reblog.as_mut() {
                inner.quote_decision = self.quote_decision(&inner.status, viewer).await?;
            }
        }
        Ok(views)
    }

    /// Attaches `polls` to the statuses of `views` (and the statuses they boost) they belong to.
    async fn attach_polls(
        &self,
        views: &mut [StatusView],
        polls: Vec<rhizome_store::Poll>,
        viewer: Option<Id>,
    ) -> Result<(), CoreError> {
        for poll in polls {
            let status_id = poll.status_id;
            let view = self.poll_view(poll, viewer).await?;
            for status in views.iter_mut() {
                if status.status.id == status_id {
                    status.poll = Some(view.clone());
                }
                if let Some(inner) = status.reblog.as_mut()
                    && inner.status.id == status_id
                {
                    inner.poll = Some(view.clone());
                }
            }
        }
        Ok(())
    }

    /// Loads the statuses quoted by `views` (and by the statuses they boost), one level deep.
    async fn attach_quotes(
        &self,
        views: &mut [StatusView],
        viewer: Option<Id>,
    ) -> Result<(), CoreError> {
        let mut quoted_ids: Vec<Id> = Vec::new();
        for view in views.iter() {
            quoted_ids.extend(view.status.quote_of_id);
            if let Some(inner) = &view.reblog {
                quoted_ids.extend(inner.status.quote_of_id);
            }
        }
        if quoted_ids.is_empty() {
            return Ok(());
        }
        let mut visible = Vec::new();
        for id in quoted_ids {
            if let Some(status) = self.store.visible_status(id, viewer).await? {
                visible.push(status);
            }
        }
        // Quotes of quotes are not expanded: one level, as Mastodon's shallow quotes.
        let quoted = self.load_status_views(visible, viewer).await?;
        let find = |id: Option<Id>| {
            id.and_then(|id| quoted.iter().find(|q| q.status.id == id))
                .cloned()
                .map(Box::new)
        };
        for view in views.iter_mut() {
            view.quote = find(view.status.quote_of_id);
            if let Some(inner) = view.reblog.as_mut() {
                inner.quote = find(inner.status.quote_of_id);
            }
        }
        Ok(())
    }

    pub async fn status_view(
        &self,
        status: Status,
        viewer: Option<Id>,
    ) -> Result<StatusView, CoreError> {
        self.status_views(vec![status], viewer)
            .await?
            .pop()
            .ok_or(CoreError::NotFound)
    }
}
