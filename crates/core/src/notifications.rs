//! Creating and reading notifications.

use rhizome_model::{Id, Notification, NotificationKind, Timestamp};
use rhizome_store::{AccountWarning, NotificationFilter, Page, PageRequest};

use crate::events::Event;
use crate::views::{AccountView, StatusView};
use crate::{Core, CoreError};

/// A notification with its account and status loaded.
#[derive(Debug, Clone)]
pub struct NotificationView {
    pub notification: Notification,
    pub account: AccountView,
    pub status: Option<StatusView>,
    /// The new account of a `move`.
    pub target: Option<AccountView>,
    /// The warning of a `moderation_warning`.
    pub warning: Option<AccountWarning>,
}

impl Core {
    /// Notifies a local account, unless it is the actor itself or it blocks the actor.
    /// Favourites, boosts, follows and reactions are not repeated.
    pub async fn notify(
        &self,
        account_id: Id,
        from_account_id: Id,
        kind: NotificationKind,
        status_id: Option<Id>,
        emoji: Option<String>,
    ) -> Result<(), CoreError> {
        self.notify_about(account_id, from_account_id, kind, status_id, emoji, None)
            .await
    }

    /// [`Core::notify`], with the account a notification names besides its sender (the new
    /// account of a `move`).
    pub(crate) async fn notify_about(
        &self,
        account_id: Id,
        from_account_id: Id,
        kind: NotificationKind,
        status_id: Option<Id>,
        emoji: Option<String>,
        target_account_id: Option<Id>,
    ) -> Result<(), CoreError> {
        if account_id == from_account_id {
            return Ok(());
        }
        let Some(recipient) = self.store.local_user(account_id).await? else {
            return Ok(());
        };
        if self
            .store
            .relationships(recipient.account.id, &[from_account_id], self.clock.now())
            .await?
            .get(&from_account_id)
            .is_some_and(|r| r.blocking)
        {
            return Ok(());
        }
        let once = matches!(
            kind,
            NotificationKind::Favourite
                | NotificationKind::Reblog
                | NotificationKind::Follow
                | NotificationKind::FollowRequest
        );
        if once
            && self
                .store
                .notification_exists(account_id, from_account_id, kind, status_id)
                .await?
        {
            return Ok(());
        }
        let now = self.clock.now();
        self.add_notification(Notification {
            id: Id::generate(now.0),
            account_id,
            from_account_id,
            kind,
            status_id,
            emoji,
            target_account_id,
            account_warning_id: None,
            created_at: now,
        })
        .await
    }

    /// Tells a local user of a moderator's warning. The notification comes "from" the warned
    /// account itself, as on Mastodon: it must not name the moderator.
    pub(crate) async fn notify_warning(&self, warning: &AccountWarning) -> Result<(), CoreError> {
        if self.store.local_user(warning.account_id).await?.is_none() {
            return Ok(());
        }
        self.add_notification(Notification {
            id: Id::generate(warning.created_at.0),
            account_id: warning.account_id,
            from_account_id: warning.account_id,
            kind: NotificationKind::ModerationWarning,
            status_id: None,
            emoji: None,
            target_account_id: None,
            account_warning_id: Some(warning.id),
            created_at: warning.created_at,
        })
        .await
    }

    /// Stores a notification, streams it and queues its pushes.
    async fn add_notification(&self, notification: Notification) -> Result<(), CoreError> {
        let account_id = notification.account_id;
        self.store.insert_notification(&notification).await?;
        self.events.publish(Event::Notification {
            account_id,
            notification_id: notification.id,
        });
        self.queue_pushes(&notification).await;
        Ok(())
    }

    /// Loads accounts and statuses of notifications for their owner.
    pub async fn notification_views(
        &self,
        owner: Id,
        notifications: Vec<Notification>,
    ) -> Result<Vec<NotificationView>, CoreError> {
        let mut from_ids: Vec<Id> = notifications
            .iter()
            .flat_map(|n| std::iter::once(n.from_account_id).chain(n.target_account_id))
            .collect();
        from_ids.sort_unstable();
        from_ids.dedup();
        let accounts = self
            .account_views(self.store.accounts_by_ids(&from_ids).await?)
            .await?;
        let status_ids: Vec<Id> = notifications.iter().filter_map(|n| n.status_id).collect();
        let statuses = self.store.statuses_by_ids(&status_ids).await?;
        let all = self.status_views(statuses, Some(owner)).await?;
        let shown = self
            .apply_filters(Some(owner), "notifications", all.clone())
            .await?;
        // A notification about a status a `hide` filter removes is not shown either.
        let hidden: Vec<Id> = all
            .iter()
            .filter(|v| !shown.iter().any(|s| s.status.id == v.status.id))
            .map(|v| v.status.id)
            .collect();
        let statuses = shown;
        let warning_ids: Vec<Id> = notifications
            .iter()
            .filter_map(|n| n.account_warning_id)
            .collect();
        let warnings = self.store.account_warnings_by_ids(&warning_ids).await?;
        Ok(notifications
            .into_iter()
            .filter(|n| n.status_id.is_none_or(|id| !hidden.contains(&id)))
            .filter_map(|notification| {
                let account = accounts
                    .iter()
                    .find(|a| a.account.id == notification.from_account_id)?
                    .clone();
                let status = match notification.status_id {
                    Some(id) => Some(statuses.iter().find(|s| s.status.id == id)?.clone()),
                    None => None,
                };
                let target = notification
                    .target_account_id
                    .and_then(|id| accounts.iter().find(|a| a.account.id == id).cloned());
                let warning = match notification.account_warning_id {
                    Some(id) => Some(warnings.iter().find(|w| w.id == id)?.clone()),
                    None => None,
                };
                Some(NotificationView {
                    notification,
                    account,
                    status,
                    target,
                    warning,
                })
            })
            .collect())
    }

    pub async fn list_notifications(
        &self,
        owner: Id,
        filter: &NotificationFilter,
        page: &PageRequest,
    ) -> Result<Page<NotificationView>, CoreError> {
        let found = self
            .store
            .notifications(owner, filter, self.clock.now(), page)
            .await?;
        let views = self.notification_views(owner, found.items).await?;
        Ok(Page {
            items: views,
            newest_id: found.newest_id,
            oldest_id: found.oldest_id,
        })
    }

    pub async fn notification_view(
        &self,
        owner: Id,
        id: Id,
    ) -> Result<NotificationView, CoreError> {
        let notification = self
            .store
            .notification(owner, id)
            .await?
            .ok_or(CoreError::NotFound)?;
        self.notification_views(owner, vec![notification])
            .await?
            .pop()
            .ok_or(CoreError::NotFound)
    }

    /// Deletes one notification, or all of them.
    pub async fn dismiss_notifications(&self, owner: Id, id: Option<Id>) -> Result<(), CoreError> {
        let gone = self.store.dismiss_notifications(owner, id).await?;
        if id.is_some() && gone == 0 {
            return Err(CoreError::NotFound);
        }
        Ok(())
    }

    pub async fn unread_notification_count(&self, owner: Id) -> Result<i64, CoreError> {
        Ok(self.store.unread_notifications(owner, 1000).await?)
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }
}
