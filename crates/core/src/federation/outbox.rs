//! Activities that local actions produce, stored once and delivered by the job queue to each
//! recipient inbox (one per server when it has a shared inbox).

use rhizome_federation::vocab::outgoing::ActivityType;
use rhizome_model::{Account, Follow, Id, LocalUser, Status, Visibility};
use rhizome_store::OutboxActivity;
use serde_json::Value;
use url::Url;

use super::ap::{self, activity, addressing, inner_activity, url};
use super::deliver::{DELIVER, DeliverJob};
use super::policy::{Direction, Verdict};
use crate::{Core, CoreError};
use rhizome_federation::vocab::is_public;

fn inbox_of(account: &Account) -> Option<String> {
    account
        .shared_inbox_url
        .clone()
        .or_else(|| account.inbox_url.clone())
}

impl Core {
    /// Stores an activity and queues its delivery to each inbox that the policy allows.
    pub(crate) async fn send_activity(
        &self,
        actor: Option<&LocalUser>,
        kind: &str,
        id: &str,
        payload: Value,
        inboxes: Vec<String>,
    ) -> Result<(), CoreError> {
        self.send_activity_as(actor.map(|a| a.account.id), kind, id, payload, inboxes)
            .await
    }

    /// [`Core::send_activity`] by account id: a deleted account has no user any more, and
    /// its `Delete` is still signed with its key.
    pub(crate) async fn send_activity_as(
        &self,
        actor: Option<Id>,
        kind: &str,
        id: &str,
        payload: Value,
        inboxes: Vec<String>,
    ) -> Result<(), CoreError> {
        if !self.config.federation_enabled {
            return Ok(());
        }
        let mut inboxes: Vec<String> = inboxes
            .into_iter()
            .filter(|inbox| !inbox.starts_with(self.urls.base()))
            .collect();
        inboxes.sort();
        inboxes.dedup();
        let chain = self.policy_chain().await?;
        let payload = match self
            .filter_with(&chain, Direction::Outgoing, None, payload)
            .await?
        {
            Verdict::Accept { activity, .. } => activity,
            Verdict::Reject { .. } => return Ok(()),
        };
        let simple = chain.simple();
        // Quarantined servers get only what anyone may read.
        let public = ["to", "cc"].iter().any(|key| match payload.get(*key) {
            Some(Value::String(s)) => is_public(s),
            Some(Value::Array(items)) => items.iter().any(|i| i.as_str().is_some_and(is_public)),
            _ => false,
        });
        let mut allowed = Vec::with_capacity(inboxes.len());
        for inbox in inboxes {
            let Ok(parsed) = Url::parse(&inbox) else {
                continue;
            };
            let host = rhizome_federation::http::host_of(&parsed);
            if let Some(reason) = simple.refusal(&host, &self.config.domain) {
                tracing::info!(%inbox, kind, %reason, "policy: not delivering");
                continue;
            }
            if !public
                && chain
                    .config()
                    .quarantined_instances
                    .iter()
                    .any(|q| super::policy::domain_matches(&q.domain, &host))
            {
                tracing::info!(%inbox, kind, "policy: not delivering a non-public activity to a quarantined server");
                continue;
            }
            allowed.push(inbox);
        }
        if allowed.is_empty() {
            return Ok(());
        }
        let now = self.clock.now();
        let activity_id = Id::generate(now.0);
        let payload =
            serde_json::to_string(&payload).map_err(|e| CoreError::Internal(e.to_string()))?;
        self.store
            .insert_outbox_activity(&OutboxActivity {
                id: activity_id,
                uri: id.to_owned(),
                account_id: actor,
                kind: kind.to_owned(),
                payload,
                created_at: now,
            })
            .await?;
        // One statement per few hundred inboxes rather than one transaction each.
        let jobs: Vec<DeliverJob> = allowed
            .into_iter()
            .map(|inbox| DeliverJob { activity_id, inbox })
            .collect();
        self.enqueue_many(DELIVER, &jobs).await?;
        Ok(())
    }

    /// Who gets a status: remote followers (unless direct), remote mentioned accounts, and
    /// the author of the post it replies to.
    async fn status_inboxes(&self, status: &Status) -> Result<Vec<String>, CoreError> {
        if status.visibility == Visibility::Local {
            return Ok(Vec::new());
        }
        let mut inboxes = Vec::new();
        if status.visibility != Visibility::Direct {
            inboxes.extend(self.store.follower_inboxes(status.account_id).await?);
        }
        let mentioned = self
            .store
            .mentions_of(&[status.id])
            .await?
            .remove(&status.id)
            .unwrap_or_default();
        for account in self.store.accounts_by_ids(&mentioned).await? {
            if !account.is_local() {
                inboxes.extend(inbox_of(&account));
            }
        }
        if let Some(parent_author) = status.in_reply_to_account_id
            && let Some(account) = self.store.account(parent_author).await?
            && !account.is_local()
            && status.visibility != Visibility::Direct
        {
            inboxes.extend(inbox_of(&account));
        }
        // The quoted author hears about the quote.
        if let Some(quoted) = status.quote_of_id
            && let Some(quoted) = self.store.status(quoted).await?
            && let Some(account) = self.store.account(quoted.account_id).await?
            && !account.is_local()
            && status.visibility != Visibility::Direct
        {
            inboxes.extend(inbox_of(&account));
        }
        Ok(inboxes)
    }

    /// Create, Update (edit) or Announce (boost) of a local status.
    pub(crate) async fn federate_status(
        &self,
        status: &Status,
        original: Option<&Status>,
        edited: bool,
    ) -> Result<(), CoreError> {
        let Some(author) = self.store.local_user(status.account_id).await? else {
            return Ok(());
        };
        let followers = self.urls.followers(&author.account.username);
        if let Some(original) = original {
            let (to, mut cc) = addressing(status.visibility, &followers, &[])?;
            let mut inboxes = self.status_inboxes(status).await?;
            if let Some(original_author) = self.store.account(original.account_id).await?
                && !original_author.is_local()
            {
                cc.push(url(&original_author.uri)?);
                inboxes.extend(inbox_of(&original_author));
            }
            let payload = activity(
                ActivityType::Announce,
                &status.uri,
                &author.account.uri,
                url(&original.uri)?,
                to,
                cc,
            )?;
            return self
                .send_activity(Some(&author), "Announce", &status.uri, payload, inboxes)
                .await;
        }
        let note = self.status_document(status).await?;
        let addresses = |key: &str| -> Vec<url::Url> {
            note[key]
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|v| v.as_str())
                        .filter_map(|v| url::Url::parse(v).ok())
                        .collect()
                })
                .unwrap_or_default()
        };
        let (to, cc) = (addresses("to"), addresses("cc"));
        let (kind, kind_name, id) = if edited {
            (ActivityType::Update, "Update", self.new_activity_id())
        } else {
            (
                ActivityType::Create,
                "Create",
                format!("{}/activity", status.uri),
            )
        };
        let payload = activity(kind, &id, &author.account.uri, note, to, cc)?;
        let inboxes = self.status_inboxes(status).await?;
        self.send_activity(Some(&author), kind_name, &id, payload, inboxes)
            .await
    }

    /// Delete of a local status, to everyone who got it.
    pub(crate) async fn federate_delete(
        &self,
        user: &LocalUser,
        status: &Status,
    ) -> Result<(), CoreError> {
        if status.visibility == Visibility::Local {
            return Ok(());
        }
        // The mentions are gone with the status; followers and the replied-to author remain.
        let mut inboxes = self.store.follower_inboxes(user.account.id).await?;
        if let Some(parent_author) = status.in_reply_to_account_id
            && let Some(account) = self.store.account(parent_author).await?
            && !account.is_local()
        {
            inboxes.extend(inbox_of(&account));
        }
        let id = self.new_activity_id();
        let (to, cc) = addressing(
            Visibility::Public,
            &self.urls.followers(&user.account.username),
            &[],
        )?;
        let payload = activity(
            ActivityType::Delete,
            &id,
            &user.account.uri,
            ap::tombstone(&status.uri)?,
            to,
            cc,
        )?;
        self.send_activity(Some(user), "Delete", &id, payload, inboxes)
            .await
    }

    pub(crate) async fn federate_undo_announce(
        &self,
        user: &LocalUser,
        boost: &Status,
        original: &Status,
    ) -> Result<(), CoreError> {
        let mut inboxes = self.store.follower_inboxes(user.account.id).await?;
        if let Some(author) = self.store.account(original.account_id).await?
            && !author.is_local()
        {
            inboxes.extend(inbox_of(&author));
        }
        let followers = self.urls.followers(&user.account.username);
        let (to, cc) = addressing(Visibility::Public, &followers, &[])?;
        let inner = inner_activity(
            ActivityType::Announce,
            &boost.uri,
            &user.account.uri,
            url(&original.uri)?,
        )?;
        let id = self.new_activity_id();
        let payload = activity(ActivityType::Undo, &id, &user.account.uri, inner, to, cc)?;
        self.send_activity(Some(user), "Undo", &id, payload, inboxes)
            .await
    }

    /// A Like goes to the status's author only.
    pub(crate) async fn federate_like(
        &self,
        user: &LocalUser,
        status: &Status,
        like_id: &str,
    ) -> Result<(), CoreError> {
        let Some(author) = self
            .store
            .account(status.account_id)
            .await?
            .filter(|a| !a.is_local())
        else {
            return Ok(());
        };
        let payload = activity(
            ActivityType::Like,
            like_id,
            &user.account.uri,
            url(&status.uri)?,
            vec![url(&author.uri)?],
            vec![],
        )?;
        self.send_activity(
            Some(user),
            "Like",
            like_id,
            payload,
            inbox_of(&author).into_iter().collect(),
        )
        .await
    }

    pub(crate) async fn federate_undo_like(
        &self,
        user: &LocalUser,
        status: &Status,
        like_id: Option<&str>,
    ) -> Result<(), CoreError> {
        let Some(author) = self
            .store
            .account(status.account_id)
            .await?
            .filter(|a| !a.is_local())
        else {
            return Ok(());
        };
        let like_id = like_id
            .map(str::to_owned)
            .unwrap_or_else(|| self.new_activity_id());
        let inner = inner_activity(
            ActivityType::Like,
            &like_id,
            &user.account.uri,
            url(&status.uri)?,
        )?;
        let id = self.new_activity_id();
        let payload = activity(
            ActivityType::Undo,
            &id,
            &user.account.uri,
            inner,
            vec![url(&author.uri)?],
            vec![],
        )?;
        self.send_activity(
            Some(user),
            "Undo",
            &id,
            payload,
            inbox_of(&author).into_iter().collect(),
        )
        .await
    }

    /// An emoji reaction (Pleroma's EmojiReact) goes to the status's author.
    pub(crate) async fn federate_reaction(
        &self,
        user: &LocalUser,
        status: &Status,
        emoji: &str,
        emoji_url: Option<&str>,
        id: &str,
        undo: bool,
    ) -> Result<(), CoreError> {
        let Some(author) = self
            .store
            .account(status.account_id)
            .await?
            .filter(|a| !a.is_local())
        else {
            return Ok(());
        };
        let mut react = rhizome_federation::vocab::outgoing::Activity::new(
            ActivityType::EmojiReact,
            url(id)?,
            url(&user.account.uri)?,
            url(&status.uri)?,
        );
        react.content = Some(emoji.to_owned());
        // A custom emoji travels with its image, as Akkoma and Misskey send it.
        if let Some(image) = emoji_url {
            let shortcode = emoji.trim_matches(':').to_owned();
            react.tag = vec![rhizome_federation::vocab::outgoing::Tag::Emoji(
                ap::emoji_tag(
                    &self.urls,
                    &rhizome_model::EmojiRef {
                        shortcode,
                        url: image.to_owned(),
                    },
                )?,
            )];
        }
        let inboxes: Vec<String> = inbox_of(&author).into_iter().collect();
        if undo {
            let inner =
                serde_json::to_value(react).map_err(|e| CoreError::Internal(e.to_string()))?;
            let undo_id = self.new_activity_id();
            let payload = activity(
                ActivityType::Undo,
                &undo_id,
                &user.account.uri,
                inner,
                vec![url(&author.uri)?],
                vec![],
            )?;
            return self
                .send_activity(Some(user), "Undo", &undo_id, payload, inboxes)
                .await;
        }
        let payload = ap::to_json(react.addressed(vec![url(&author.uri)?], vec![]))?;
        self.send_activity(Some(user), "EmojiReact", id, payload, inboxes)
            .await
    }

    /// A Follow to a remote account.
    pub(crate) async fn federate_follow(
        &self,
        user: &LocalUser,
        target: &Account,
        follow: &Follow,
    ) -> Result<(), CoreError> {
        let id = follow.uri.clone().unwrap_or_else(|| self.new_activity_id());
        let payload = activity(
            ActivityType::Follow,
            &id,
            &user.account.uri,
            url(&target.uri)?,
            vec![url(&target.uri)?],
            vec![],
        )?;
        let inbox = target
            .inbox_url
            .clone()
            .or_else(|| target.shared_inbox_url.clone());
        self.send_activity(
            Some(user),
            "Follow",
            &id,
            payload,
            inbox.into_iter().collect(),
        )
        .await
    }

    pub(crate) async fn federate_undo_follow(
        &self,
        user: &LocalUser,
        target: &Account,
        follow: &Follow,
    ) -> Result<(), CoreError> {
        let follow_id = follow.uri.clone().unwrap_or_else(|| self.new_activity_id());
        let inner = inner_activity(
            ActivityType::Follow,
            &follow_id,
            &user.account.uri,
            url(&target.uri)?,
        )?;
        let id = self.new_activity_id();
        let payload = activity(
            ActivityType::Undo,
            &id,
            &user.account.uri,
            inner,
            vec![url(&target.uri)?],
            vec![],
        )?;
        let inbox = target
            .inbox_url
            .clone()
            .or_else(|| target.shared_inbox_url.clone());
        self.send_activity(
            Some(user),
            "Undo",
            &id,
            payload,
            inbox.into_iter().collect(),
        )
        .await
    }

    /// Accept or Reject of a remote account's Follow of `user`.
    async fn federate_follow_answer(
        &self,
        user: &LocalUser,
        requester: &Account,
        follow: &Follow,
        kind: ActivityType,
    ) -> Result<(), CoreError> {
        let follow_id = follow.uri.clone().unwrap_or_else(|| self.new_activity_id());
        let inner = inner_activity(
            ActivityType::Follow,
            &follow_id,
            &requester.uri,
            url(&user.account.uri)?,
        )?;
        let id = self.new_activity_id();
        let payload = activity(
            kind,
            &id,
            &user.account.uri,
            inner,
            vec![url(&requester.uri)?],
            vec![],
        )?;
        let inbox = requester
            .inbox_url
            .clone()
            .or_else(|| requester.shared_inbox_url.clone());
        let name = if kind == ActivityType::Accept {
            "Accept"
        } else {
            "Reject"
        };
        self.send_activity(Some(user), name, &id, payload, inbox.into_iter().collect())
            .await
    }

    pub(crate) async fn federate_accept_follow(
        &self,
        user: &LocalUser,
        requester: &Account,
        follow: &Follow,
    ) -> Result<(), CoreError> {
        self.federate_follow_answer(user, requester, follow, ActivityType::Accept)
            .await
    }

    pub(crate) async fn federate_reject_follow(
        &self,
        user: &LocalUser,
        requester: &Account,
        follow: &Follow,
    ) -> Result<(), CoreError> {
        self.federate_follow_answer(user, requester, follow, ActivityType::Reject)
            .await
    }

    pub(crate) async fn federate_block(
        &self,
        user: &LocalUser,
        target: &Account,
        id: &str,
    ) -> Result<(), CoreError> {
        let payload = activity(
            ActivityType::Block,
            id,
            &user.account.uri,
            url(&target.uri)?,
            vec![url(&target.uri)?],
            vec![],
        )?;
        let inbox = target
            .inbox_url
            .clone()
            .or_else(|| target.shared_inbox_url.clone());
        self.send_activity(
            Some(user),
            "Block",
            id,
            payload,
            inbox.into_iter().collect(),
        )
        .await
    }

    pub(crate) async fn federate_undo_block(
        &self,
        user: &LocalUser,
        target: &Account,
        block_id: Option<&str>,
    ) -> Result<(), CoreError> {
        let block_id = block_id
            .map(str::to_owned)
            .unwrap_or_else(|| self.new_activity_id());
        let inner = inner_activity(
            ActivityType::Block,
            &block_id,
            &user.account.uri,
            url(&target.uri)?,
        )?;
        let id = self.new_activity_id();
        let payload = activity(
            ActivityType::Undo,
            &id,
            &user.account.uri,
            inner,
            vec![url(&target.uri)?],
            vec![],
        )?;
        let inbox = target
            .inbox_url
            .clone()
            .or_else(|| target.shared_inbox_url.clone());
        self.send_activity(
            Some(user),
            "Undo",
            &id,
            payload,
            inbox.into_iter().collect(),
        )
        .await
    }

    /// An Update of a local actor (profile change), to its followers.
    pub async fn federate_profile(&self, user: &LocalUser) -> Result<(), CoreError> {
        let actor = self.local_actor_document(&user.account).await?;
        let id = self.new_activity_id();
        let (to, cc) = addressing(
            Visibility::Public,
            &self.urls.followers(&user.account.username),
            &[],
        )?;
        let payload = activity(ActivityType::Update, &id, &user.account.uri, actor, to, cc)?;
        let inboxes = self.store.follower_inboxes(user.account.id).await?;
        self.send_activity(Some(user), "Update", &id, payload, inboxes)
            .await
    }
}
