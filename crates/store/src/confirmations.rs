//! E-mail addresses waiting to be confirmed.

use rhizome_model::{Id, Timestamp};

use crate::row::Columns;
use crate::{Store, StoreError, with_pool};

impl Store {
    /// Replaces the token of an unconfirmed address; false when it is confirmed already.
    pub async fn set_email_confirmation_token(
        &self,
        account_id: Id,
        token_digest: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query(
                "UPDATE email_confirmations SET token_digest = $2, sent_at = $3 WHERE account_id = $1",
            )
            .bind(account_id.0)
            .bind(token_digest)
            .bind(at.0)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Confirms the address the token was sent to: its account, or `None` for an unknown
    /// (or already used) token.
    pub async fn confirm_email(&self, token_digest: &str) -> Result<Option<Id>, StoreError> {
        with_pool!(self, write, |pool| {
            let row = sqlx::query(
                "DELETE FROM email_confirmations WHERE token_digest = $1 RETURNING account_id",
            )
            .bind(token_digest)
            .fetch_optional(pool)
            .await?;
            row.map(|row| row.i64("account_id").map(Id)).transpose()
        })
    }

    /// Whether the user's address still waits for confirmation.
    pub async fn email_unconfirmed(&self, account_id: Id) -> Result<bool, StoreError> {
        with_pool!(self, read, |pool| {
            let row = sqlx::query("SELECT 1 AS one FROM email_confirmations WHERE account_id = $1")
                .bind(account_id.0)
                .fetch_optional(pool)
                .await?;
            Ok(row.is_some())
        })
    }
}
