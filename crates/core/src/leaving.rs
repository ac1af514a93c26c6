//! Leaving: an account deleted for good, by its owner, by an admin (the CLI and the admin
//! API share this code), or by its own server (a remote actor's `Delete`).
//!
//! In the request, in one transaction: the account is hidden (suspended), a local one loses
//! its login (password, e-mail address, sessions and apps at once), and the purge job is
//! queued. The job then tells other servers (a `Delete` of the actor to every server that
//! follows it or that it follows, as Mastodon does), deletes its posts and media a batch per
//! run (a crash resumes at the next batch), and finally everything else that refers to it. A
//! local account leaves a bare row behind: its name is never given again.

use std::time::Duration;

use rhizome_federation::vocab::outgoing::ActivityType;
use rhizome_model::{Account, Id, LocalUser, Visibility};
use rhizome_store::{NewDeletion, NewJob};
use serde::{Deserialize, Serialize};

use crate::accounts::verify_password;
use crate::federation::ap::{activity, addressing};
use crate::jobs::{DEFAULT_MAX_ATTEMPTS, JobError};
use crate::{Core, CoreError};

/// Job: one batch of a deletion (see the module's notes).
pub const PURGE_ACCOUNT: &str = "purge_account";
/// Posts or media rows deleted per run of the job.
const PURGE_BATCH: u32 = 100;

#[derive(Debug, Serialize, Deserialize)]
pub struct PurgeAccount {
    pub account_id: Id,
}

/// How far a deletion has gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeletionState {
    /// Posts and media are being removed.
    InProgress,
    Done,
}

impl Core {
    /// Checks a signed-in user's password before an action that cannot be undone.
    pub(crate) async fn confirm_password(
        &self,
        user: &LocalUser,
        password: &str,
    ) -> Result<(), CoreError> {
        let stored = self
            .store
            .local_user(user.account.id)
            .await?
            .ok_or(CoreError::NotFound)?;
        if password.is_empty()
            || !verify_password(password.to_owned(), stored.password_hash).await?
        {
            return Err(CoreError::Forbidden("Invalid password.".into()));
        }
        Ok(())
    }

    /// A user deletes their own account: the password must be right, and `confirmation`
    /// (the web form's typed username), when given, must be the username.
    pub async fn delete_own_account(
        &self,
        user: &LocalUser,
        password: &str,
        confirmation: Option<&str>,
    ) -> Result<(), CoreError> {
        self.confirm_password(user, password).await?;
        if let Some(typed) = confirmation {
            let typed = typed.trim().trim_start_matches('@');
            if !typed.eq_ignore_ascii_case(&user.account.username) {
                return Err(CoreError::invalid(
                    "the confirmation does not match the username",
                ));
            }
        }
        self.delete_account(&user.account, None).await
    }

    /// Deletes an account for good; `requested_by` is the moderator who asked (`None`: its
    /// owner, the admin CLI, or its own server). A second request while one is under way
    /// changes nothing.
    pub async fn delete_account(
        &self,
        account: &Account,
        requested_by: Option<Id>,
    ) -> Result<(), CoreError> {
        let private_key_pem = match account.is_local() {
            true => self
                .store
                .local_user(account.id)
                .await?
                .map(|user| user.private_key_pem),
            false => None,
        };
        let now = self.clock.now();
        let job = NewJob {
            id: Id::generate(now.0),
            kind: PURGE_ACCOUNT.to_owned(),
            payload: serde_json::to_string(&PurgeAccount {
                account_id: account.id,
            })
            .map_err(|e| CoreError::Internal(e.to_string()))?,
            run_at: now,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        };
        let deletion = NewDeletion {
            account_id: account.id,
            username: account.username.clone(),
            domain: account.domain.clone(),
            private_key_pem,
            requested_by,
            requested_at: now,
        };
        if self
            .store
            .begin_account_deletion(&deletion, &job, now)
            .await?
        {
            self.jobs_ready.notify_one();
            tracing::info!(account = %account.acct(), ?requested_by, "account deletion started");
        }
        Ok(())
    }

    /// Whether an account is being deleted or was deleted.
    pub async fn deletion_state(&self, account_id: Id) -> Result<Option<DeletionState>, CoreError> {
        Ok(self
            .store
            .account_deletion(account_id)
            .await?
            .map(|d| match d.purged_at {
                Some(_) => DeletionState::Done,
                None => DeletionState::InProgress,
            }))
    }

    /// Queues again the purges that stopped (their job failed for good), from the upkeep.
    pub async fn resume_deletions(&self) -> Result<usize, CoreError> {
        let day_ago =
            self.clock.now().0 - self.clock.real(Duration::from_secs(86_400)).as_millis() as i64;
        let mut resumed = 0;
        for deletion in self.store.unfinished_deletions().await? {
            if deletion.requested_at.0 < day_ago {
                self.enqueue(
                    PURGE_ACCOUNT,
                    &PurgeAccount {
                        account_id: deletion.account_id,
                    },
                    None,
                )
                .await?;
                resumed += 1;
            }
        }
        Ok(resumed)
    }

    /// The job behind [`PURGE_ACCOUNT`]: one step of a deletion, then the next step queued.
    pub async fn run_purge_account(&self, job: PurgeAccount) -> Result<(), JobError> {
        let deletion = self
            .store
            .account_deletion(job.account_id)
            .await
            .map_err(CoreError::from)?
            .ok_or_else(|| JobError::Permanent("no deletion is recorded".into()))?;
        if deletion.purged_at.is_some() {
            return Ok(());
        }
        let Some(account) = self
            .store
            .account(job.account_id)
            .await
            .map_err(CoreError::from)?
        else {
            return Ok(());
        };
        // Other servers first, while the follows still say which servers they are.
        if account.is_local() && deletion.delete_activity_uri.is_none() {
            let uri = self.federate_deleted_actor(&account).await?;
            self.store
                .set_deletion_activity(account.id, &uri)
                .await
                .map_err(CoreError::from)?;
        }
        let now = self.clock.now();
        let statuses = self
            .store
            .status_ids_batch(account.id, PURGE_BATCH)
            .await
            .map_err(CoreError::from)?;
        if !statuses.is_empty() {
            for id in statuses {
                self.store
                    .delete_status(id, now)
                    .await
                    .map_err(CoreError::from)?;
                self.events
                    .publish(crate::events::Event::Delete { status_id: id });
            }
            self.enqueue(PURGE_ACCOUNT, &job, None).await?;
            return Ok(());
        }
        // The posts' uploads are unattached now; the files go by their own jobs.
        let media = self
            .store
            .media_batch_of(account.id, PURGE_BATCH)
            .await
            .map_err(CoreError::from)?;
        if !media.is_empty() {
            let (ids, keys): (Vec<Id>, Vec<Vec<String>>) = media.into_iter().unzip();
            self.delete_files_later(keys.into_iter().flatten().collect(), Duration::ZERO)
                .await?;
            self.store
                .delete_media_rows(&ids)
                .await
                .map_err(CoreError::from)?;
            self.enqueue(PURGE_ACCOUNT, &job, None).await?;
            return Ok(());
        }
        if account.is_local() {
            let pictures = [&account.avatar_url, &account.header_url]
                .into_iter()
                .flatten()
                .filter_map(|url| self.media_key_of_url(url))
                .collect();
            self.delete_files_later(pictures, Duration::ZERO).await?;
            // Archives' files are in media storage: the rows' cascade would leave them there.
            self.remove_archives_of(account.id).await?;
            self.store
                .finish_local_deletion(&account, now)
                .await
                .map_err(CoreError::from)?;
        } else {
            self.store
                .finish_remote_deletion(&account, now)
                .await
                .map_err(CoreError::from)?;
        }
        tracing::info!(account = %account.acct(), "account deleted");
        Ok(())
    }

    /// A `Delete` of a local actor, to every server that follows it or that it follows.
    /// Returns the activity's id.
    async fn federate_deleted_actor(&self, account: &Account) -> Result<String, CoreError> {
        let mut inboxes = self.store.follower_inboxes(account.id).await?;
        inboxes.extend(self.store.following_inboxes(account.id).await?);
        let id = self.new_activity_id();
        let (to, cc) = addressing(
            Visibility::Public,
            &self.urls.followers(&account.username),
            &[],
        )?;
        let payload = activity(
            ActivityType::Delete,
            &id,
            &account.uri,
            account.uri.clone(),
            to,
            cc,
        )?;
        self.send_activity_as(Some(account.id), "Delete", &id, payload, inboxes)
            .await?;
        Ok(id)
    }
}
