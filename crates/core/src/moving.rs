//! Moving accounts: aliases (`alsoKnownAs`, what a new account says about the old one),
//! moving away (the account is marked moved and a `Move` goes to every follower), and moves
//! that arrive here (local followers of the old account follow the new one and hear of it).
//!
//! A move is accepted only when the new account, fetched fresh, names the old one as an
//! alias; not when the new account has itself moved (no loops); and not when the old account
//! moved elsewhere less than [`MOVE_COOLDOWN`] ago (Mastodon's 30 days).

use std::collections::HashMap;
use std::time::Duration;

use rhizome_federation::vocab::outgoing::{Activity, ActivityType, Actor};
use rhizome_model::{Account, Follow, Id, LocalUser, NotificationKind};
use serde::{Deserialize, Serialize};

use crate::federation::ap::{to_json, url};
use crate::jobs::JobError;
use crate::social::FollowOptions;
use crate::views::AccountView;
use crate::{Core, CoreError};

/// How long after a move the account may not move again.
pub const MOVE_COOLDOWN: Duration = Duration::from_secs(30 * 24 * 3600);
/// The most aliases an account lists.
pub const MAX_ALIASES: usize = 16;
/// Followers moved per run of the job.
const FOLLOWERS_BATCH: u32 = 50;

/// Job: the local followers of `from` follow `to` instead, a batch per run.
pub const MOVE_FOLLOWERS: &str = "move_followers";

#[derive(Debug, Serialize, Deserialize)]
pub struct MoveFollowers {
    pub from: Id,
    pub to: Id,
    /// The last follower of the previous batch.
    #[serde(default)]
    pub after: Option<Id>,
}

/// One alias of an account: its ActivityPub id, and the account when it is known here.
#[derive(Debug, Clone)]
pub struct Alias {
    pub uri: String,
    pub account: Option<Account>,
}

impl Core {
    /// The accounts these accounts moved to, as views (one level deep).
    pub(crate) async fn moved_views(
        &self,
        accounts: &[Account],
    ) -> Result<HashMap<Id, AccountView>, CoreError> {
        self.moved_views_by_id(
            accounts
                .iter()
                .filter_map(|a| a.moved_to_account_id)
                .collect(),
        )
        .await
    }

    /// The accounts with these ids, as the views of moved accounts' new accounts (whose
    /// own move is not loaded).
    pub(crate) async fn moved_views_by_id(
        &self,
        mut ids: Vec<Id>,
    ) -> Result<HashMap<Id, AccountView>, CoreError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(self
            .store
            .accounts_with_counts(&ids)
            .await?
            .into_iter()
            .map(|(account, counts, role)| {
                let view = AccountView {
                    counts,
                    role,
                    moved: None,
                    account,
                };
                (view.account.id, view)
            })
            .collect())
    }

    /// The actor document of a local account, with `movedTo` once it has moved.
    pub async fn local_actor_document(&self, account: &Account) -> Result<Actor, CoreError> {
        let mut actor = self.actor_document(account)?;
        if let Some(target) = account.moved_to_account_id
            && let Some(target) = self.store.account(target).await?
        {
            actor.moved_to = Some(url(&target.uri)?);
        }
        Ok(actor)
    }

    /// A user's aliases, with the accounts we know.
    pub async fn aliases(&self, user: &LocalUser) -> Result<Vec<Alias>, CoreError> {
        let account = self.account(user.account.id).await?;
        let mut aliases = Vec::with_capacity(account.also_known_as.len());
        for uri in account.also_known_as {
            let account = self.store.account_by_uri(&uri).await?;
            aliases.push(Alias { uri, account });
        }
        Ok(aliases)
    }

    /// The account an alias or a move names: `user@domain` (found by WebFinger), a local
    /// `user`, or an actor's address.
    pub async fn account_for_handle(&self, handle: &str) -> Result<Account, CoreError> {
        let handle = handle.trim();
        if handle.is_empty() {
            return Err(CoreError::invalid("an account address is needed"));
        }
        if handle.starts_with("https://") || handle.starts_with("http://") {
            return self.actor_by_uri(handle).await;
        }
        self.resolve_acct(handle).await
    }

    /// Adds an alias: the account found for `handle`. Other servers learn it from the
    /// actor's `Update`.
    pub async fn add_alias(&self, user: &LocalUser, handle: &str) -> Result<Account, CoreError> {
        let alias = self.account_for_handle(handle).await?;
        if alias.id == user.account.id {
            return Err(CoreError::invalid("an account is not its own alias"));
        }
        let mut aliases = self.account(user.account.id).await?.also_known_as;
        if !aliases.contains(&alias.uri) {
            if aliases.len() >= MAX_ALIASES {
                return Err(CoreError::invalid(format!("at most {MAX_ALIASES} aliases")));
            }
            aliases.push(alias.uri.clone());
            self.save_aliases(user, aliases).await?;
        }
        Ok(alias)
    }

    /// Removes an alias, named by its address, its handle or its account.
    pub async fn remove_alias(&self, user: &LocalUser, handle: &str) -> Result<(), CoreError> {
        let handle = handle.trim();
        let mut aliases = self.account(user.account.id).await?.also_known_as;
        let uri = if aliases.iter().any(|a| a == handle) {
            handle.to_owned()
        } else {
            // A handle is looked up here only: an alias being removed need not be reachable.
            let name = handle.trim_start_matches('@');
            let (username, domain) = match name.split_once('@') {
                Some((user, domain)) => (user, Some(domain)),
                None => (name, None),
            };
            self.account_by_handle(username, domain)
                .await
                .map(|a| a.uri)
                .map_err(|_| CoreError::NotFound)?
        };
        let before = aliases.len();
        aliases.retain(|a| *a != uri);
        if aliases.len() == before {
            return Err(CoreError::NotFound);
        }
        self.save_aliases(user, aliases).await
    }

    /// Replaces every alias (Akkoma's `also_known_as` of `update_credentials`).
    pub async fn set_aliases(&self, user: &LocalUser, handles: &[String]) -> Result<(), CoreError> {
        if handles.len() > MAX_ALIASES {
            return Err(CoreError::invalid(format!("at most {MAX_ALIASES} aliases")));
        }
        let mut aliases = Vec::with_capacity(handles.len());
        for handle in handles.iter().filter(|h| !h.trim().is_empty()) {
            let alias = self.account_for_handle(handle).await?;
            if alias.id != user.account.id && !aliases.contains(&alias.uri) {
                aliases.push(alias.uri);
            }
        }
        self.save_aliases(user, aliases).await
    }

    async fn save_aliases(&self, user: &LocalUser, aliases: Vec<String>) -> Result<(), CoreError> {
        let id = user.account.id;
        self.store
            .set_also_known_as(id, &aliases, self.clock.now())
            .await?;
        let updated = self
            .store
            .local_user(id)
            .await?
            .ok_or(CoreError::NotFound)?;
        tracing::info!(account = %id, aliases = aliases.len(), "aliases changed");
        self.federate_profile(&updated).await
    }

    /// The account as it is now: from the database for a local one, fetched again from its
    /// server for a remote one (a move must see the aliases the new account has today).
    async fn fresh_account(&self, account: &Account) -> Result<Account, CoreError> {
        if account.is_local() {
            return self.account(account.id).await;
        }
        self.fetch_actor(&account.uri).await
    }

    /// Why `old` may not move to `target`, if it may not.
    async fn move_refusal(
        &self,
        old: &Account,
        target: &Account,
    ) -> Result<Option<String>, CoreError> {
        if target.id == old.id || target.uri == old.uri {
            return Ok(Some("an account cannot move to itself".into()));
        }
        if target.suspended_at.is_some() {
            return Ok(Some("the new account is suspended".into()));
        }
        if target.moved_to_account_id.is_some() {
            return Ok(Some("the new account has itself moved".into()));
        }
        if !target.also_known_as.contains(&old.uri) {
            return Ok(Some(
                "the new account does not list this one as an alias (alsoKnownAs)".into(),
            ));
        }
        // Moving again to the same account is the same move; elsewhere, only after a while.
        if old.moved_to_account_id.is_some_and(|to| to != target.id)
            && let Some(at) = self.store.moved_at(old.id).await?
            && self.clock.now().0 - at.0 < self.clock.real(MOVE_COOLDOWN).as_millis() as i64
        {
            return Ok(Some("the account moved less than 30 days ago".into()));
        }
        Ok(None)
    }

    /// A user moves to another account (`target`: `user@domain` or an actor's address),
    /// which must already list this one as an alias. Followers elsewhere get a `Move`; local
    /// ones are moved by a job. Returns the new account.
    pub async fn move_account(
        &self,
        user: &LocalUser,
        password: &str,
        target: &str,
    ) -> Result<Account, CoreError> {
        self.confirm_password(user, password).await?;
        let me = self.account(user.account.id).await?;
        let found = self.account_for_handle(target).await?;
        let target = self.fresh_account(&found).await?;
        if let Some(reason) = self.move_refusal(&me, &target).await? {
            return Err(CoreError::Invalid(reason));
        }
        self.store
            .record_move(me.id, target.id, self.clock.now())
            .await?;
        let user = self
            .store
            .local_user(me.id)
            .await?
            .ok_or(CoreError::NotFound)?;
        // The actor now says `movedTo`; the Move asks followers to follow the new account.
        self.federate_profile(&user).await?;
        self.federate_move(&user, &target).await?;
        self.enqueue(
            MOVE_FOLLOWERS,
            &MoveFollowers {
                from: me.id,
                to: target.id,
                after: None,
            },
            None,
        )
        .await?;
        tracing::info!(account = %me.acct(), target = %target.uri, "account moved away");
        Ok(target)
    }

    /// The `Move` of a local account, to the servers of its followers.
    async fn federate_move(&self, user: &LocalUser, target: &Account) -> Result<(), CoreError> {
        let id = self.new_activity_id();
        let me = url(&user.account.uri)?;
        let mut activity = Activity::new(ActivityType::Move, url(&id)?, me.clone(), me).addressed(
            vec![url(&self.urls.followers(&user.account.username))?],
            vec![],
        );
        activity.target = Some(url(&target.uri)?);
        let inboxes = self.store.follower_inboxes(user.account.id).await?;
        self.send_activity(Some(user), "Move", &id, to_json(activity)?, inboxes)
            .await
    }

    /// An incoming `Move` of `old` (the verified sender) to `target`, whose `object` is
    /// `object`. Refused, with the reason logged, unless it passes every guard.
    pub(crate) async fn receive_move(
        &self,
        old: &Account,
        object: Option<&str>,
        target: Option<&str>,
    ) -> Result<(), CoreError> {
        let refuse = |reason: String| {
            tracing::info!(account = %old.uri, ?target, %reason, "move refused");
            CoreError::Forbidden(format!("move refused: {reason}"))
        };
        if object != Some(old.uri.as_str()) {
            return Err(refuse("its object is not its actor".into()));
        }
        let target_uri = target.ok_or_else(|| refuse("it names no new account".into()))?;
        let target = if target_uri.starts_with(self.urls.base()) {
            self.store
                .account_by_uri(target_uri)
                .await?
                .ok_or_else(|| refuse("the new account is not known here".into()))?
        } else {
            self.fetch_actor(target_uri)
                .await
                .map_err(|e| refuse(format!("the new account could not be fetched: {e}")))?
        };
        if let Some(reason) = self.move_refusal(old, &target).await? {
            return Err(refuse(reason));
        }
        self.store
            .record_move(old.id, target.id, self.clock.now())
            .await?;
        self.enqueue(
            MOVE_FOLLOWERS,
            &MoveFollowers {
                from: old.id,
                to: target.id,
                after: None,
            },
            None,
        )
        .await?;
        tracing::info!(account = %old.uri, target = %target.uri, "remote account moved");
        Ok(())
    }

    /// The job behind [`MOVE_FOLLOWERS`].
    pub async fn run_move_followers(&self, job: MoveFollowers) -> Result<(), JobError> {
        let (Some(from), Some(to)) = (
            self.store
                .account(job.from)
                .await
                .map_err(CoreError::from)?,
            self.store.account(job.to).await.map_err(CoreError::from)?,
        ) else {
            return Ok(()); // One of them was deleted since.
        };
        let follows = self
            .store
            .local_follows_of(from.id, job.after, FOLLOWERS_BATCH)
            .await
            .map_err(CoreError::from)?;
        for follow in &follows {
            self.move_follower(follow, &from, &to).await?;
        }
        if follows.len() == FOLLOWERS_BATCH as usize {
            self.enqueue(
                MOVE_FOLLOWERS,
                &MoveFollowers {
                    after: follows.last().map(|f| f.account_id),
                    ..job
                },
                None,
            )
            .await?;
        }
        Ok(())
    }

    /// One local follower of `from` follows `to` (with the same options), stops following
    /// `from`, and is told. A follower who cannot follow `to` (a block either way) keeps
    /// following `from`, as Mastodon does.
    async fn move_follower(
        &self,
        follow: &Follow,
        from: &Account,
        to: &Account,
    ) -> Result<(), CoreError> {
        let Some(user) = self.store.local_user(follow.account_id).await? else {
            return Ok(());
        };
        if user.account.id == to.id {
            return Ok(());
        }
        let options = FollowOptions {
            reblogs: follow.show_reblogs,
            notify: follow.notify,
        };
        match self.follow(&user, to.id, options).await {
            Ok(_) => {}
            Err(err @ (CoreError::Forbidden(_) | CoreError::Invalid(_) | CoreError::NotFound)) => {
                tracing::info!(follower = %user.account.id, error = %err, "a follower was not moved");
                return Ok(());
            }
            Err(err) => return Err(err),
        }
        match self.unfollow(&user, from.id).await {
            Ok(_) | Err(CoreError::NotFound) => {}
            Err(err) => return Err(err),
        }
        self.notify_about(
            user.account.id,
            from.id,
            NotificationKind::Move,
            None,
            None,
            Some(to.id),
        )
        .await
    }
}
