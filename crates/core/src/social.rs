//! Following, blocking and muting.

use rhizome_model::{Account, Follow, Id, LocalUser, NotificationKind, Relationship, Timestamp};
use rhizome_store::{FollowTable, Page, PageRequest};

use crate::{Core, CoreError};

/// Options of a follow.
#[derive(Debug, Clone, Copy)]
pub struct FollowOptions {
    pub reblogs: bool,
    pub notify: bool,
}

impl Default for FollowOptions {
    fn default() -> Self {
        FollowOptions {
            reblogs: true,
            notify: false,
        }
    }
}

impl Core {
    /// The viewer's relationship to one account.
    pub async fn relationship(&self, viewer: Id, target: Id) -> Result<Relationship, CoreError> {
        Ok(self
            .store
            .relationships(viewer, &[target], self.clock.now())
            .await?
            .remove(&target)
            .unwrap_or_default())
    }

    pub async fn relationships(
        &self,
        viewer: Id,
        targets: &[Id],
    ) -> Result<Vec<(Id, Relationship)>, CoreError> {
        let mut found = self
            .store
            .relationships(viewer, targets, self.clock.now())
            .await?;
        Ok(targets
            .iter()
            .map(|id| (*id, found.remove(id).unwrap_or_default()))
            .collect())
    }

    /// Keeps the accounts `viewer` follows (search's `following=true`).
    pub async fn followed_among(
        &self,
        viewer: Id,
        accounts: Vec<Account>,
    ) -> Result<Vec<Account>, CoreError> {
        let ids: Vec<Id> = accounts.iter().map(|a| a.id).collect();
        let followed: Vec<Id> = self
            .relationships(viewer, &ids)
            .await?
            .into_iter()
            .filter(|(_, r)| r.following)
            .map(|(id, _)| id)
            .collect();
        Ok(accounts
            .into_iter()
            .filter(|a| followed.contains(&a.id))
            .collect())
    }

    /// Follows an account: at once if it is unlocked and local, as a request otherwise (a
    /// remote account answers with Accept or Reject).
    pub async fn follow(
        &self,
        user: &LocalUser,
        target_id: Id,
        options: FollowOptions,
    ) -> Result<Relationship, CoreError> {
        let me = user.account.id;
        if target_id == me {
            return Err(CoreError::invalid("You cannot follow yourself"));
        }
        let target = self.visible_account(target_id).await?;
        if self.store.blocked_either_way(me, target_id).await? {
            return Err(CoreError::Forbidden(
                "You cannot follow this account".into(),
            ));
        }
        if target.moved_to_account_id.is_some() {
            return Err(CoreError::invalid(
                "This account has moved and does not accept new followers",
            ));
        }
        // The Tag policy's `disable-any-subscription` covers local followers too (remote
        // ones are refused when their Follow arrives).
        if target.is_local()
            && self
                .policy_chain()
                .await?
                .uses(crate::federation::policy::PolicyName::Tag)
            && self
                .store
                .account_tags(target_id)
                .await?
                .iter()
                .any(|t| t == crate::federation::policy::config::TAG_NO_SUBSCRIPTION)
        {
            return Err(CoreError::Forbidden(
                "This account does not accept followers".into(),
            ));
        }
        let now = self.clock.now();
        if let Some(existing) = self
            .store
            .follow_between(FollowTable::Follows, me, target_id)
            .await?
        {
            // Already following: only the options change.
            self.store
                .upsert_follow(
                    FollowTable::Follows,
                    &Follow {
                        show_reblogs: options.reblogs,
                        notify: options.notify,
                        ..existing
                    },
                )
                .await?;
            return self.relationship(me, target_id).await;
        }
        if let Some(pending) = self
            .store
            .follow_between(FollowTable::Requests, me, target_id)
            .await?
        {
            // Already asked: as Mastodon, only the options change, and the Follow is not
            // sent again (an import applying a row twice must not send two).
            self.store
                .upsert_follow(
                    FollowTable::Requests,
                    &Follow {
                        show_reblogs: options.reblogs,
                        notify: options.notify,
                        ..pending
                    },
                )
                .await?;
            return self.relationship(me, target_id).await;
        }
        let follow = Follow {
            id: Id::generate(now.0),
            account_id: me,
            target_account_id: target_id,
            uri: Some(format!(
                "{}/activities/{}",
                self.urls.base(),
                uuid::Uuid::new_v4()
            )),
            show_reblogs: options.reblogs,
            notify: options.notify,
            created_at: now,
        };
        if target.is_local() && !target.locked {
            self.store
                .upsert_follow(FollowTable::Follows, &follow)
                .await?;
            self.notify(target_id, me, NotificationKind::Follow, None, None)
                .await?;
            self.backfill_home(me, target_id).await?;
        } else {
            let stored = self
                .store
                .upsert_follow(FollowTable::Requests, &follow)
                .await?;
            if target.is_local() {
                self.notify(target_id, me, NotificationKind::FollowRequest, None, None)
                    .await?;
            } else {
                self.federate_follow(user, &target, &stored).await?;
            }
        }
        self.relationship(me, target_id).await
    }

    /// Puts an account's recent posts into a new follower's home timeline.
    async fn backfill_home(&self, follower: Id, target: Id) -> Result<(), CoreError> {
        let recent = self
            .store
            .account_statuses(
                target,
                Some(follower),
                &Default::default(),
                &PageRequest::first(40),
            )
            .await?;
        for status in recent.items {
            self.store.add_to_home_feeds(status.id, &[follower]).await?;
        }
        Ok(())
    }

    /// Stops following, or withdraws a request.
    pub async fn unfollow(
        &self,
        user: &LocalUser,
        target_id: Id,
    ) -> Result<Relationship, CoreError> {
        let me = user.account.id;
        let target = self.visible_account(target_id).await?;
        let removed = match self
            .store
            .delete_follow(FollowTable::Follows, me, target_id)
            .await?
        {
            Some(follow) => Some(follow),
            None => {
                self.store
                    .delete_follow(FollowTable::Requests, me, target_id)
                    .await?
            }
        };
        if let Some(follow) = removed {
            self.store.remove_from_home_feed(me, target_id).await?;
            if !target.is_local() {
                self.federate_undo_follow(user, &target, &follow).await?;
            }
        }
        self.relationship(me, target_id).await
    }

    /// Accepts a follow request to `user` from `requester_id`.
    pub async fn authorize_follow_request(
        &self,
        user: &LocalUser,
        requester_id: Id,
    ) -> Result<Relationship, CoreError> {
        let follow = self
            .store
            .accept_follow_request(requester_id, user.account.id)
            .await?
            .ok_or(CoreError::NotFound)?;
        let requester = self.visible_account(requester_id).await?;
        if requester.is_local() {
            self.notify(
                user.account.id,
                requester_id,
                NotificationKind::Follow,
                None,
                None,
            )
            .await?;
            self.backfill_home(requester_id, user.account.id).await?;
        } else {
            self.federate_accept_follow(user, &requester, &follow)
                .await?;
        }
        self.relationship(user.account.id, requester_id).await
    }

    /// Rejects a follow request.
    pub async fn reject_follow_request(
        &self,
        user: &LocalUser,
        requester_id: Id,
    ) -> Result<Relationship, CoreError> {
        let follow = self
            .store
            .delete_follow(FollowTable::Requests, requester_id, user.account.id)
            .await?
            .ok_or(CoreError::NotFound)?;
        let requester = self.visible_account(requester_id).await?;
        if !requester.is_local() {
            self.federate_reject_follow(user, &requester, &follow)
                .await?;
        }
        self.relationship(user.account.id, requester_id).await
    }

    /// Removes someone from one's followers.
    pub async fn remove_from_followers(
        &self,
        user: &LocalUser,
        follower_id: Id,
    ) -> Result<Relationship, CoreError> {
        let follower = self.visible_account(follower_id).await?;
        if let Some(follow) = self
            .store
            .delete_follow(FollowTable::Follows, follower_id, user.account.id)
            .await?
            && !follower.is_local()
        {
            self.federate_reject_follow(user, &follower, &follow)
                .await?;
        }
        self.relationship(user.account.id, follower_id).await
    }

    pub async fn block(&self, user: &LocalUser, target_id: Id) -> Result<Relationship, CoreError> {
        let me = user.account.id;
        if target_id == me {
            return Err(CoreError::invalid("You cannot block yourself"));
        }
        let target = self.visible_account(target_id).await?;
        let now = self.clock.now();
        let uri = format!("{}/activities/{}", self.urls.base(), uuid::Uuid::new_v4());
        self.store
            .block(Id::generate(now.0), me, target_id, Some(&uri), now)
            .await?;
        self.store.remove_from_home_feed(me, target_id).await?;
        if !target.is_local() {
            self.federate_block(user, &target, &uri).await?;
        }
        self.relationship(me, target_id).await
    }

    pub async fn unblock(
        &self,
        user: &LocalUser,
        target_id: Id,
    ) -> Result<Relationship, CoreError> {
        let target = self.visible_account(target_id).await?;
        if let Some(uri) = self.store.unblock(user.account.id, target_id).await?
            && !target.is_local()
        {
            self.federate_undo_block(user, &target, uri.as_deref())
                .await?;
        }
        self.relationship(user.account.id, target_id).await
    }

    /// Mutes an account, optionally for `duration_seconds`.
    pub async fn mute(
        &self,
        user: &LocalUser,
        target_id: Id,
        notifications: bool,
        duration_seconds: Option<u64>,
    ) -> Result<Relationship, CoreError> {
        if target_id == user.account.id {
            return Err(CoreError::invalid("You cannot mute yourself"));
        }
        self.visible_account(target_id).await?;
        let now = self.clock.now();
        let expires_at = duration_seconds
            .filter(|s| *s > 0)
            .map(|s| self.clock.after(std::time::Duration::from_secs(s)));
        self.store
            .mute(
                Id::generate(now.0),
                user.account.id,
                target_id,
                notifications,
                expires_at,
                now,
            )
            .await?;
        self.relationship(user.account.id, target_id).await
    }

    pub async fn unmute(&self, user: &LocalUser, target_id: Id) -> Result<Relationship, CoreError> {
        self.visible_account(target_id).await?;
        self.store.unmute(user.account.id, target_id).await?;
        self.relationship(user.account.id, target_id).await
    }

    /// Followers (`followers == true`) or followed accounts, newest first.
    pub async fn follow_list(
        &self,
        account_id: Id,
        followers: bool,
        page: &PageRequest,
    ) -> Result<Page<Account>, CoreError> {
        self.visible_account(account_id).await?;
        Ok(self
            .store
            .follow_list(FollowTable::Follows, account_id, followers, page)
            .await?)
    }

    pub async fn follow_requests(
        &self,
        user: &LocalUser,
        page: &PageRequest,
    ) -> Result<Page<Account>, CoreError> {
        Ok(self
            .store
            .follow_list(FollowTable::Requests, user.account.id, true, page)
            .await?)
    }

    pub async fn blocks_or_mutes(
        &self,
        user: &LocalUser,
        mutes: bool,
        page: &PageRequest,
    ) -> Result<Page<(Account, Option<Timestamp>)>, CoreError> {
        Ok(self
            .store
            .blocked_or_muted(user.account.id, mutes, self.clock.now(), page)
            .await?)
    }

    pub async fn block_domain(&self, user: &LocalUser, domain: &str) -> Result<(), CoreError> {
        let domain = domain
            .trim()
            .trim_start_matches("https://")
            .trim_end_matches('/');
        if domain.is_empty() || domain.contains(['/', ' ', '@']) {
            return Err(CoreError::invalid("domain is invalid"));
        }
        if domain.eq_ignore_ascii_case(&self.config.domain) {
            return Err(CoreError::invalid("You cannot block your own domain"));
        }
        let now: Timestamp = self.clock.now();
        self.store
            .block_domain_for_user(Id::generate(now.0), user.account.id, domain, now)
            .await?;
        Ok(())
    }

    pub async fn unblock_domain(&self, user: &LocalUser, domain: &str) -> Result<(), CoreError> {
        self.store
            .unblock_domain_for_user(user.account.id, domain.trim())
            .await?;
        Ok(())
    }
}
