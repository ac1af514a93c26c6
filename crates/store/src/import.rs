//! Writes for moving another server's database here (`rhizome import akkoma`): rows keep the
//! ids the importer derived from the source's, and each write is "insert if missing", so that
//! an import run twice, or resumed after an interruption, changes nothing the first run
//! wrote (nor what users changed since, such as a password re-hashed at sign-in).

use rhizome_model::{EmojiRef, Id, LocalUser, NewStatus, Notification, StatusEdit, Timestamp};

use crate::accounts::to_json;
use crate::accounts::{INSERT_ACCOUNT, bind_account};
use crate::lists::List;
use crate::oauth::{NewApp, NewToken};
use crate::polls::Poll;
use crate::statuses::{INSERT_STATUS, bind_status, insert_status_parts};
use crate::{Store, StoreError, begin_write, with_pool};

/// A status as another server stored it: with its earlier versions, its poll and the custom
/// emoji it uses, written together.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedStatus {
    pub new: NewStatus,
    /// Earlier versions, oldest first.
    pub edits: Vec<StatusEdit>,
    pub poll: Option<Poll>,
    pub emojis: Vec<EmojiRef>,
}

impl Store {
    /// Creates a local user with its account (custom emoji and suspension included) and,
    /// when `email_unconfirmed`, its pending confirmation, in one transaction. Returns false,
    /// writing nothing, when the account's id or actor id is already taken.
    pub async fn import_local_user(
        &self,
        user: &LocalUser,
        email_unconfirmed: bool,
    ) -> Result<bool, StoreError> {
        let a = &user.account;
        begin_write!(self, |tx| {
            let statement = format!("{INSERT_ACCOUNT} ON CONFLICT DO NOTHING");
            let inserted = bind_account!(sqlx::query(&statement), a)
                .execute(&mut *tx)
                .await?;
            if inserted.rows_affected() == 0 {
                return Ok(false);
            }
            sqlx::query(
                "INSERT INTO users (account_id, email, password_hash, role, private_key_pem, \
                 approved, registration_reason, locale, created_at, last_sign_in_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(a.id.0)
            .bind(&user.email)
            .bind(&user.password_hash)
            .bind(user.role.as_str())
            .bind(&user.private_key_pem)
            .bind(user.approved)
            .bind(&user.registration_reason)
            .bind(&user.locale)
            .bind(user.created_at.0)
            .bind(user.last_sign_in_at.map(|t| t.0))
            .execute(&mut *tx)
            .await
            .map_err(|e| match StoreError::violated_unique(&e) {
                Some(_) => StoreError::Conflict("e-mail address is already in use"),
                None => StoreError::Database(e),
            })?;
            if email_unconfirmed {
                sqlx::query(
                    "INSERT INTO email_confirmations (account_id, created_at) VALUES ($1, $2)",
                )
                .bind(a.id.0)
                .bind(user.created_at.0)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(true)
    }

    /// Stores a status with its mentions, tags, attachments, earlier versions, poll and
    /// emoji in one transaction, keeping its id. Returns false, writing nothing, when its id
    /// or its ActivityPub id is already taken. Unlike a new post, it goes into nobody's home
    /// timeline here: the importer fills those once the graph is known.
    pub async fn import_status(&self, imported: &ImportedStatus) -> Result<bool, StoreError> {
        let new = &imported.new;
        let s = &new.status;
        let now = s.created_at;
        begin_write!(self, |tx| {
            // Kept under its own id: a second import of the same post writes nothing.
            let statement = format!("{INSERT_STATUS} ON CONFLICT DO NOTHING");
            let inserted = bind_status!(sqlx::query(&statement), s)
                .execute(&mut *tx)
                .await?;
            if inserted.rows_affected() == 0 {
                return Ok(false);
            }
            insert_status_parts!(tx, new, now);
            for edit in &imported.edits {
                sqlx::query(
                    "INSERT INTO status_edits (id, status_id, text, content, spoiler_text, \
                     sensitive, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(edit.id.0)
                .bind(s.id.0)
                .bind(&edit.text)
                .bind(&edit.content)
                .bind(&edit.spoiler_text)
                .bind(edit.sensitive)
                .bind(edit.created_at.0)
                .execute(&mut *tx)
                .await?;
            }
            if let Some(poll) = &imported.poll {
                sqlx::query(
                    "INSERT INTO polls (id, status_id, options, multiple, hide_totals, \
                     expires_at, voters_count, closed, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(poll.id.0)
                .bind(s.id.0)
                .bind(to_json(&poll.options))
                .bind(poll.multiple)
                .bind(poll.hide_totals)
                .bind(poll.expires_at.map(|t| t.0))
                .bind(poll.voters_count)
                .bind(poll.closed)
                .bind(poll.updated_at.0)
                .execute(&mut *tx)
                .await?;
            }
            for emoji in &imported.emojis {
                sqlx::query(
                    "INSERT INTO status_emojis (status_id, shortcode, url) VALUES ($1, $2, $3) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(s.id.0)
                .bind(&emoji.shortcode)
                .bind(&emoji.url)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(true)
    }

    /// A poll vote as recorded elsewhere: counts are the poll's own (already imported), so
    /// they are not bumped. Returns false when the vote was known.
    pub async fn import_poll_vote(
        &self,
        id: Id,
        poll_id: Id,
        account_id: Id,
        choice: i64,
        uri: Option<&str>,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query(
                "INSERT INTO poll_votes (id, poll_id, account_id, choice, uri, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            )
            .bind(id.0)
            .bind(poll_id.0)
            .bind(account_id.0)
            .bind(choice)
            .bind(uri)
            .bind(at.0)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Inserts a notification under its id unless it is there.
    pub async fn import_notification(&self, n: &Notification) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query(
                "INSERT INTO notifications (id, account_id, from_account_id, kind, status_id, emoji, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            )
            .bind(n.id.0)
            .bind(n.account_id.0)
            .bind(n.from_account_id.0)
            .bind(n.kind.as_str())
            .bind(n.status_id.map(|id| id.0))
            .bind(&n.emoji)
            .bind(n.created_at.0)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Creates a list with its members unless a list with its id exists.
    pub async fn import_list(&self, list: &List, members: &[Id]) -> Result<bool, StoreError> {
        begin_write!(self, |tx| {
            let done = sqlx::query(
                "INSERT INTO lists (id, account_id, title, replies_policy, exclusive, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            )
            .bind(list.id.0)
            .bind(list.account_id.0)
            .bind(&list.title)
            .bind(list.replies_policy.as_str())
            .bind(list.exclusive)
            .bind(list.created_at.0)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
            for member in members {
                sqlx::query(
                    "INSERT INTO list_accounts (list_id, account_id) VALUES ($1, $2) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(list.id.0)
                .bind(member.0)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(true)
    }

    /// Sets a read marker unless the user has one for this timeline.
    pub async fn import_marker(
        &self,
        account_id: Id,
        timeline: &str,
        last_read_id: Id,
        version: i64,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query(
                "INSERT INTO markers (account_id, timeline, last_read_id, version, updated_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(account_id.0)
            .bind(timeline)
            .bind(last_read_id.0)
            .bind(version)
            .bind(at.0)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Registers an app under its client id unless that client id is known.
    pub async fn import_app(&self, app: &NewApp) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query(
                "INSERT INTO oauth_apps (id, name, website, redirect_uris, scopes, client_id, \
                 client_secret, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(app.id.0)
            .bind(&app.name)
            .bind(&app.website)
            .bind(app.redirect_uris.join("\n"))
            .bind(app.scopes.to_string())
            .bind(&app.client_id)
            .bind(&app.client_secret)
            .bind(app.created_at.0)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Stores a token (its digests) unless a token with its id or digest exists.
    pub async fn import_token(&self, token: &NewToken) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query(
                "INSERT INTO oauth_tokens (id, token_digest, refresh_digest, app_id, account_id, \
                 scopes, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(token.id.0)
            .bind(&token.token_digest)
            .bind(&token.refresh_digest)
            .bind(token.app_id.map(|id| id.0))
            .bind(token.account_id.map(|id| id.0))
            .bind(token.scopes.to_string())
            .bind(token.created_at.0)
            .bind(token.expires_at.map(|t| t.0))
            .execute(pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }
}
