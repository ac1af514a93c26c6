//! Account security and posting defaults: what a user's posts get by default, two-factor
//! secrets and recovery codes, password resets, and the list of a user's live tokens.

use rhizome_model::{AccessToken, Id, PostingDefaults, Timestamp, Visibility};

use crate::oauth::{TOKEN_COLUMNS, map_token};
use crate::row::Columns;
use crate::{Store, StoreError, begin_write, with_pool};

/// A user's two-factor row: pending until `enabled_at` is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwoFactor {
    /// The encrypted secret, as core stored it.
    pub secret: String,
    pub enabled_at: Option<Timestamp>,
    /// The newest time step a code was accepted for.
    pub last_step: Option<i64>,
}

/// A live token of a user, with its app when it has one.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenListing {
    pub token: AccessToken,
    pub app_name: Option<String>,
    pub app_website: Option<String>,
}

impl Store {
    /// The user's posting defaults, if they ever chose any.
    pub async fn posting_defaults(
        &self,
        account_id: Id,
    ) -> Result<Option<PostingDefaults>, StoreError> {
        with_pool!(self, read, |pool| {
            let row = sqlx::query(
                "SELECT visibility, sensitive, language FROM posting_defaults \
                 WHERE account_id = $1",
            )
            .bind(account_id.0)
            .fetch_optional(pool)
            .await?;
            row.map(|row| {
                Ok(PostingDefaults {
                    visibility: row.parsed::<Visibility>("visibility")?,
                    sensitive: row.bool("sensitive")?,
                    language: row.opt_text("language")?,
                })
            })
            .transpose()
        })
    }

    pub async fn set_posting_defaults(
        &self,
        account_id: Id,
        defaults: &PostingDefaults,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO posting_defaults (account_id, visibility, sensitive, language, \
                 updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id) DO UPDATE SET \
                 visibility = excluded.visibility, sensitive = excluded.sensitive, \
                 language = excluded.language, updated_at = excluded.updated_at",
            )
            .bind(account_id.0)
            .bind(defaults.visibility.as_str())
            .bind(defaults.sensitive)
            .bind(&defaults.language)
            .bind(now.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn two_factor(&self, account_id: Id) -> Result<Option<TwoFactor>, StoreError> {
        with_pool!(self, read, |pool| {
            let row = sqlx::query(
                "SELECT secret, enabled_at, last_step FROM two_factor WHERE account_id = $1",
            )
            .bind(account_id.0)
            .fetch_optional(pool)
            .await?;
            row.map(|row| {
                Ok(TwoFactor {
                    secret: row.text("secret")?,
                    enabled_at: row.opt_i64("enabled_at")?.map(Timestamp),
                    last_step: row.opt_i64("last_step")?,
                })
            })
            .transpose()
        })
    }

    /// Stores a new secret waiting for its first code; false when two-factor is already on
    /// (an enabled secret is never replaced this way).
    pub async fn set_pending_two_factor(
        &self,
        account_id: Id,
        secret: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query(
                "INSERT INTO two_factor (account_id, secret, enabled_at, last_step, created_at) \
                 VALUES ($1, $2, NULL, NULL, $3) ON CONFLICT (account_id) DO UPDATE SET \
                 secret = excluded.secret, last_step = NULL, created_at = excluded.created_at \
                 WHERE two_factor.enabled_at IS NULL",
            )
            .bind(account_id.0)
            .bind(secret)
            .bind(now.0)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Turns a pending secret on, with the time step of the code that confirmed it and a new
    /// set of recovery codes, in one transaction. False when nothing was pending.
    pub async fn enable_two_factor(
        &self,
        account_id: Id,
        step: i64,
        recovery_digests: &[String],
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        begin_write!(self, |tx| {
            let done = sqlx::query(
                "UPDATE two_factor SET enabled_at = $2, last_step = $3 \
                 WHERE account_id = $1 AND enabled_at IS NULL",
            )
            .bind(account_id.0)
            .bind(now.0)
            .bind(step)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
            sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
                .bind(account_id.0)
                .execute(&mut *tx)
                .await?;
            for digest in recovery_digests {
                sqlx::query("INSERT INTO recovery_codes (account_id, code_digest) VALUES ($1, $2)")
                    .bind(account_id.0)
                    .bind(digest)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Accepts a code of time step `step` once: false when a code of this step or a later
    /// one was accepted already (RFC 6238 §5.2), or when two-factor is off.
    pub async fn use_two_factor_step(&self, account_id: Id, step: i64) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query(
                "UPDATE two_factor SET last_step = $2 WHERE account_id = $1 \
                 AND enabled_at IS NOT NULL AND (last_step IS NULL OR last_step < $2)",
            )
            .bind(account_id.0)
            .bind(step)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Spends a recovery code; false when it is unknown or spent.
    pub async fn use_recovery_code(
        &self,
        account_id: Id,
        digest: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query(
                "UPDATE recovery_codes SET used_at = $3 WHERE account_id = $1 \
                 AND code_digest = $2 AND used_at IS NULL",
            )
            .bind(account_id.0)
            .bind(digest)
            .bind(now.0)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// How many recovery codes are left.
    pub async fn unused_recovery_codes(&self, account_id: Id) -> Result<i64, StoreError> {
        with_pool!(self, read, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
            )
            .bind(account_id.0)
            .fetch_one(pool)
            .await?)
        })
    }

    /// Replaces every recovery code of a user.
    pub async fn replace_recovery_codes(
        &self,
        account_id: Id,
        digests: &[String],
    ) -> Result<(), StoreError> {
        begin_write!(self, |tx| {
            sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
                .bind(account_id.0)
                .execute(&mut *tx)
                .await?;
            for digest in digests {
                sqlx::query("INSERT INTO recovery_codes (account_id, code_digest) VALUES ($1, $2)")
                    .bind(account_id.0)
                    .bind(digest)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Turns two-factor off: the secret and the recovery codes go. False when it was off.
    pub async fn disable_two_factor(&self, account_id: Id) -> Result<bool, StoreError> {
        begin_write!(self, |tx| {
            let done = sqlx::query("DELETE FROM two_factor WHERE account_id = $1")
                .bind(account_id.0)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
                .bind(account_id.0)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Records a request for a reset mail; false when the previous request is newer than
    /// `not_since` (the mail is not sent again so soon).
    pub async fn request_password_reset(
        &self,
        account_id: Id,
        now: Timestamp,
        not_since: Timestamp,
    ) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query(
                "INSERT INTO password_resets (account_id, token_digest, requested_at, expires_at) \
                 VALUES ($1, NULL, $2, NULL) ON CONFLICT (account_id) DO UPDATE SET \
                 requested_at = excluded.requested_at WHERE password_resets.requested_at < $3",
            )
            .bind(account_id.0)
            .bind(now.0)
            .bind(not_since.0)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Sets the user's reset token (replacing an older one, whose link stops working).
    pub async fn set_password_reset_token(
        &self,
        account_id: Id,
        token_digest: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO password_resets (account_id, token_digest, requested_at, expires_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (account_id) DO UPDATE SET \
                 token_digest = excluded.token_digest, expires_at = excluded.expires_at",
            )
            .bind(account_id.0)
            .bind(token_digest)
            .bind(now.0)
            .bind(expires_at.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The user a reset token is for, while it is valid.
    pub async fn password_reset_account(
        &self,
        token_digest: &str,
        now: Timestamp,
    ) -> Result<Option<Id>, StoreError> {
        with_pool!(self, read, |pool| {
            let id: Option<i64> = sqlx::query_scalar(
                "SELECT account_id FROM password_resets WHERE token_digest = $1 AND expires_at > $2",
            )
            .bind(token_digest)
            .bind(now.0)
            .fetch_optional(pool)
            .await?;
            Ok(id.map(Id))
        })
    }

    /// Uses a reset token: in one transaction the token goes, the password hash is set and
    /// every token of the user is revoked. `None` for an unknown, used or expired token.
    pub async fn reset_password_with_token(
        &self,
        token_digest: &str,
        password_hash: &str,
        now: Timestamp,
    ) -> Result<Option<Id>, StoreError> {
        begin_write!(self, |tx| {
            let id: Option<i64> = sqlx::query_scalar(
                "DELETE FROM password_resets WHERE token_digest = $1 AND expires_at > $2 \
                 RETURNING account_id",
            )
            .bind(token_digest)
            .bind(now.0)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(id) = id else {
                return Ok(None);
            };
            sqlx::query("UPDATE users SET password_hash = $2 WHERE account_id = $1")
                .bind(id)
                .bind(password_hash)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE oauth_tokens SET revoked_at = $2 \
                 WHERE account_id = $1 AND revoked_at IS NULL",
            )
            .bind(id)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Some(Id(id)))
        })
    }

    /// A user's live tokens (not revoked, not expired), newest first, with their apps.
    pub async fn account_tokens(
        &self,
        account_id: Id,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<TokenListing>, StoreError> {
        let columns = TOKEN_COLUMNS
            .split(", ")
            .map(|c| format!("t.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {columns}, a.name AS app_name, a.website AS app_website \
             FROM oauth_tokens t LEFT JOIN oauth_apps a ON a.id = t.app_id \
             WHERE t.account_id = $1 AND t.revoked_at IS NULL \
             AND (t.expires_at IS NULL OR t.expires_at > $2) \
             ORDER BY t.id DESC LIMIT $3"
        );
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(&sql)
                .bind(account_id.0)
                .bind(now.0)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|row| {
                    Ok(TokenListing {
                        token: map_token(row)?,
                        app_name: row.opt_text("app_name")?,
                        app_website: row.opt_text("app_website")?,
                    })
                })
                .collect()
        })
    }

    /// Revokes one token of a user; false when it is not theirs or not live.
    pub async fn revoke_account_token(
        &self,
        account_id: Id,
        token_id: Id,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query(
                "UPDATE oauth_tokens SET revoked_at = $3 \
                 WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL",
            )
            .bind(token_id.0)
            .bind(account_id.0)
            .bind(at.0)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Notes that a token was used at `at`.
    pub async fn touch_token(&self, id: Id, at: Timestamp) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query("UPDATE oauth_tokens SET last_used_at = $2 WHERE id = $1")
                .bind(id.0)
                .bind(at.0)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}
