//! Moving accounts (aliases, the move itself, the followers that follow it) and deleting
//! them for good: the deletion's record, the batches of its purge, and the bare row a local
//! account leaves behind.

use rhizome_model::{Account, Follow, Id, Timestamp};

use crate::accounts::to_json;
use crate::jobs::NewJob;
use crate::reader::with_reader;
use crate::row::Columns;
use crate::{Store, StoreError, begin_write, with_pool};

/// What starting a deletion records.
#[derive(Debug, Clone)]
pub struct NewDeletion {
    pub account_id: Id,
    pub username: String,
    pub domain: Option<String>,
    /// A local account's key, kept to sign its `Delete` while deliveries are retried.
    pub private_key_pem: Option<String>,
    /// The moderator who deleted it; `None` when its owner (or its own server) did.
    pub requested_by: Option<Id>,
    pub requested_at: Timestamp,
}

/// An account being deleted, or deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountDeletion {
    pub account_id: Id,
    pub username: String,
    pub domain: Option<String>,
    pub requested_by: Option<Id>,
    pub delete_activity_uri: Option<String>,
    pub requested_at: Timestamp,
    /// When the last of its content went.
    pub purged_at: Option<Timestamp>,
}

fn map_deletion(row: &impl Columns) -> Result<AccountDeletion, StoreError> {
    Ok(AccountDeletion {
        account_id: Id(row.i64("account_id")?),
        username: row.text("username")?,
        domain: row.opt_text("domain")?,
        requested_by: row.opt_i64("requested_by")?.map(Id),
        delete_activity_uri: row.opt_text("delete_activity_uri")?,
        requested_at: Timestamp(row.i64("requested_at")?),
        purged_at: row.opt_i64("purged_at")?.map(Timestamp),
    })
}

const DELETION_COLUMNS: &str =
    "account_id, username, domain, requested_by, delete_activity_uri, requested_at, purged_at";

const FOLLOW_COLUMNS: &str =
    "f.id, f.account_id, f.target_account_id, f.uri, f.show_reblogs, f.notify, f.created_at";

impl Store {
    /// Replaces an account's aliases (`alsoKnownAs`, ActivityPub ids).
    pub async fn set_also_known_as(
        &self,
        account_id: Id,
        aliases: &[String],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query("UPDATE accounts SET also_known_as = $2, updated_at = $3 WHERE id = $1")
                .bind(account_id.0)
                .bind(to_json(&aliases))
                .bind(now.0)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Records that an account moved to `target` at `at`.
    pub async fn record_move(
        &self,
        account_id: Id,
        target: Id,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "UPDATE accounts SET moved_to_account_id = $2, moved_at = $3 WHERE id = $1",
            )
            .bind(account_id.0)
            .bind(target.0)
            .bind(at.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// When the account last moved, if it did.
    pub async fn moved_at(&self, account_id: Id) -> Result<Option<Timestamp>, StoreError> {
        with_pool!(self, read, |pool| {
            let at: Option<Option<i64>> =
                sqlx::query_scalar("SELECT moved_at FROM accounts WHERE id = $1")
                    .bind(account_id.0)
                    .fetch_optional(pool)
                    .await?;
            Ok(at.flatten().map(Timestamp))
        })
    }

    /// Follows of `target` by local users, by follower id after `after`: the followers a
    /// move carries, a batch at a time.
    pub async fn local_follows_of(
        &self,
        target: Id,
        after: Option<Id>,
        limit: u32,
    ) -> Result<Vec<Follow>, StoreError> {
        let sql = format!(
            "SELECT {FOLLOW_COLUMNS} FROM follows f JOIN users u ON u.account_id = f.account_id \
             WHERE f.target_account_id = $1 AND f.account_id > $2 ORDER BY f.account_id LIMIT $3"
        );
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(&sql)
                .bind(target.0)
                .bind(after.map(|id| id.0).unwrap_or(i64::MIN))
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|row| {
                    Ok(Follow {
                        id: Id(row.i64("id")?),
                        account_id: Id(row.i64("account_id")?),
                        target_account_id: Id(row.i64("target_account_id")?),
                        uri: row.opt_text("uri")?,
                        show_reblogs: row.bool("show_reblogs")?,
                        notify: row.bool("notify")?,
                        created_at: Timestamp(row.i64("created_at")?),
                    })
                })
                .collect()
        })
    }
}

impl Store {
    /// Starts deleting an account, in one transaction: the deletion is recorded, the account
    /// is hidden (suspended), a local one loses its login at once (its user row, with its
    /// e-mail address and password; its tokens and sessions; its scheduled posts), and `job`
    /// — the purge — is queued. Returns false, changing nothing, when a deletion was already
    /// recorded.
    pub async fn begin_account_deletion(
        &self,
        deletion: &NewDeletion,
        job: &NewJob,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let id = deletion.account_id.0;
        begin_write!(self, |tx| {
            let added = sqlx::query(
                "INSERT INTO account_deletions (account_id, username, domain, private_key_pem, \
                 requested_by, requested_at) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (account_id) DO NOTHING",
            )
            .bind(id)
            .bind(&deletion.username)
            .bind(&deletion.domain)
            .bind(&deletion.private_key_pem)
            .bind(deletion.requested_by.map(|id| id.0))
            .bind(deletion.requested_at.0)
            .execute(&mut *tx)
            .await?;
            if added.rows_affected() == 0 {
                return Ok(false);
            }
            sqlx::query(
                "UPDATE accounts SET suspended_at = COALESCE(suspended_at, $2) WHERE id = $1",
            )
            .bind(id)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE oauth_tokens SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL",
            )
            .bind(id)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
            for sql in [
                "DELETE FROM push_subscriptions WHERE account_id = $1",
                "DELETE FROM scheduled_statuses WHERE account_id = $1",
                "DELETE FROM users WHERE account_id = $1",
            ] {
                sqlx::query(sql).bind(id).execute(&mut *tx).await?;
            }
            sqlx::query(
                "INSERT INTO jobs (id, kind, payload, state, run_at, attempts, max_attempts, \
                 created_at) VALUES ($1, $2, $3, 'queued', $4, 0, $5, $6)",
            )
            .bind(job.id.0)
            .bind(&job.kind)
            .bind(&job.payload)
            .bind(job.run_at.0)
            .bind(i64::from(job.max_attempts))
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    pub async fn account_deletion(
        &self,
        account_id: Id,
    ) -> Result<Option<AccountDeletion>, StoreError> {
        let sql = format!("SELECT {DELETION_COLUMNS} FROM account_deletions WHERE account_id = $1");
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql)
                .bind(account_id.0)
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(map_deletion).transpose()
        })
    }

    /// Deletions whose purge has not finished (to resume them).
    pub async fn unfinished_deletions(&self) -> Result<Vec<AccountDeletion>, StoreError> {
        let sql = format!(
            "SELECT {DELETION_COLUMNS} FROM account_deletions WHERE purged_at IS NULL \
             ORDER BY requested_at"
        );
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(&sql).fetch_all(pool).await?;
            rows.iter().map(map_deletion).collect()
        })
    }

    /// Remembers the `Delete` of the actor once it is queued for delivery.
    pub async fn set_deletion_activity(&self, account_id: Id, uri: &str) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "UPDATE account_deletions SET delete_activity_uri = $2 WHERE account_id = $1",
            )
            .bind(account_id.0)
            .bind(uri)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The username and private key of a deleted local account (to sign its `Delete`).
    pub async fn deleted_account_key(
        &self,
        account_id: Id,
    ) -> Result<Option<(String, String)>, StoreError> {
        self.reader().deleted_account_key(account_id).await
    }

    /// Up to `limit` of the account's statuses, oldest first.
    pub async fn status_ids_batch(
        &self,
        account_id: Id,
        limit: u32,
    ) -> Result<Vec<Id>, StoreError> {
        with_pool!(self, read, |pool| {
            let ids: Vec<i64> = sqlx::query_scalar(
                "SELECT id FROM statuses WHERE account_id = $1 ORDER BY id LIMIT $2",
            )
            .bind(account_id.0)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?;
            Ok(ids.into_iter().map(Id).collect())
        })
    }

    /// Up to `limit` of the account's media rows: (id, file keys in storage).
    pub async fn media_batch_of(
        &self,
        account_id: Id,
        limit: u32,
    ) -> Result<Vec<(Id, Vec<String>)>, StoreError> {
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(
                "SELECT id, file_key, preview_key FROM media_attachments WHERE account_id = $1 \
                 ORDER BY id LIMIT $2",
            )
            .bind(account_id.0)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| {
                    let keys = [row.opt_text("file_key")?, row.opt_text("preview_key")?]
                        .into_iter()
                        .flatten()
                        .collect();
                    Ok((Id(row.i64("id")?), keys))
                })
                .collect()
        })
    }

    /// Deletes media rows by id, attached or not.
    pub async fn delete_media_rows(&self, ids: &[Id]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        with_pool!(self, write, |pool| {
            let mut query = sqlx::QueryBuilder::new("DELETE FROM media_attachments WHERE ");
            crate::statuses::push_column_in(&mut query, "id", ids);
            query.build().execute(pool).await?;
        });
        Ok(())
    }

    /// Ends a local account's deletion, in one transaction: every row that refers to it goes
    /// (the database's cascades: follows, favourites, notifications, lists…), and a bare,
    /// suspended row is put back with the same id, name, ActivityPub id and public key — so
    /// that the name is never given again and the `Delete` still being delivered is still
    /// signed by it.
    pub async fn finish_local_deletion(
        &self,
        account: &Account,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let id = account.id.0;
        begin_write!(self, |tx| {
            let delete_uri: Option<Option<String>> = sqlx::query_scalar(
                "SELECT delete_activity_uri FROM account_deletions WHERE account_id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM accounts WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO accounts (id, username, domain, uri, url, inbox_url, shared_inbox_url, \
                 outbox_url, followers_url, following_url, featured_url, public_key_id, \
                 public_key_pem, actor_type, suspended_at, created_at, updated_at) \
                 VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            )
            .bind(id)
            .bind(&account.username)
            .bind(&account.uri)
            .bind(&account.url)
            .bind(&account.inbox_url)
            .bind(&account.shared_inbox_url)
            .bind(&account.outbox_url)
            .bind(&account.followers_url)
            .bind(&account.following_url)
            .bind(&account.featured_url)
            .bind(&account.public_key_id)
            .bind(&account.public_key_pem)
            .bind(&account.actor_type)
            .bind(account.suspended_at.unwrap_or(now).0)
            .bind(account.created_at.0)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
            if let Some(uri) = delete_uri.flatten() {
                sqlx::query("UPDATE outbox_activities SET account_id = $1 WHERE uri = $2")
                    .bind(id)
                    .bind(uri)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("UPDATE account_deletions SET purged_at = $2 WHERE account_id = $1")
                .bind(id)
                .bind(now.0)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Ends a remote account's deletion: its row and everything that refers to it go, and
    /// its id is remembered as deleted (a late activity of it is refused).
    pub async fn finish_remote_deletion(
        &self,
        account: &Account,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        begin_write!(self, |tx| {
            sqlx::query("DELETE FROM accounts WHERE id = $1")
                .bind(account.id.0)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO tombstones (uri, account_id, deleted_at) VALUES ($1, NULL, $2) \
                 ON CONFLICT (uri) DO NOTHING",
            )
            .bind(&account.uri)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE account_deletions SET purged_at = $2 WHERE account_id = $1")
                .bind(account.id.0)
                .bind(now.0)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        })
    }
}

impl crate::Reader {
    /// The username and private key of a deleted local account (to sign its `Delete`).
    pub async fn deleted_account_key(
        &mut self,
        account_id: Id,
    ) -> Result<Option<(String, String)>, StoreError> {
        with_reader!(self, |conn| {
            let row: Option<(String, Option<String>)> = sqlx::query_as(
                "SELECT username, private_key_pem FROM account_deletions WHERE account_id = $1",
            )
            .bind(account_id.0)
            .fetch_optional(conn)
            .await?;
            Ok(row.and_then(|(name, key)| key.map(|key| (name, key))))
        })
    }
}
