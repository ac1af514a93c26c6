//! Spent captcha challenges, remembered until they expire so that each is answered once.

use rhizome_model::Timestamp;

use crate::{Store, StoreError, with_pool};

impl Store {
    /// Records the challenge `token` as answered; false when it was answered before. Expired
    /// records are dropped on the way (a challenge cannot be answered after it expires).
    pub async fn spend_captcha(
        &self,
        token: &str,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query("DELETE FROM spent_captchas WHERE expires_at < $1")
                .bind(now.0)
                .execute(pool)
                .await?;
            let done = sqlx::query(
                "INSERT INTO spent_captchas (token, expires_at) VALUES ($1, $2) \
                 ON CONFLICT (token) DO NOTHING",
            )
            .bind(token)
            .bind(expires_at.0)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }
}
