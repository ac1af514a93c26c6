//! Instance-wide secrets and run-time settings, shared by every process through the database.

use rhizome_model::Timestamp;

use crate::reader::with_reader;
use crate::row::Columns;
use crate::{Store, StoreError, begin_write, with_pool};

impl Store {
    /// Stores `candidate` as the secret `name` unless one exists, and returns the stored one.
    /// When several processes start together, exactly one value wins and all of them get it.
    pub async fn insert_secret_if_absent(
        &self,
        name: &str,
        candidate: &str,
        now: Timestamp,
    ) -> Result<String, StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind(name)
            .bind(candidate)
            .bind(now.0)
            .execute(pool)
            .await?;
        });
        self.secret(name).await?.ok_or(StoreError::NotFound)
    }

    pub async fn secret(&self, name: &str) -> Result<Option<String>, StoreError> {
        // Read through the writer on SQLite: a reader opened before an insert could miss it.
        with_pool!(self, write, |pool| {
            Ok(
                sqlx::query_scalar("SELECT value FROM secrets WHERE name = $1")
                    .bind(name)
                    .fetch_optional(pool)
                    .await?,
            )
        })
    }

    /// A run-time setting (JSON text), if an admin has set it.
    pub async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.reader().setting(key).await
    }

    /// Every run-time setting, as (key, JSON text) pairs.
    pub async fn settings(&self) -> Result<Vec<(String, String)>, StoreError> {
        with_pool!(self, read, |pool| {
            let rows = sqlx::query("SELECT key, value FROM settings ORDER BY key")
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|row| Ok((row.text("key")?, row.text("value")?)))
                .collect()
        })
    }

    pub async fn set_setting(
        &self,
        key: &str,
        value: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.change_settings(&[(key.to_owned(), Some(value.to_owned()))], now)
            .await
    }

    /// Sets (`Some`) or deletes (`None`) several run-time settings in one transaction: all of
    /// them change or none does.
    pub async fn change_settings(
        &self,
        changes: &[(String, Option<String>)],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        begin_write!(self, |tx| {
            for (key, value) in changes {
                match value {
                    Some(value) => {
                        sqlx::query(
                            "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
                             ON CONFLICT (key) DO UPDATE SET value = excluded.value, \
                             updated_at = excluded.updated_at",
                        )
                        .bind(key)
                        .bind(value)
                        .bind(now.0)
                        .execute(&mut *tx)
                        .await?;
                    }
                    None => {
                        sqlx::query("DELETE FROM settings WHERE key = $1")
                            .bind(key)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
            }
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn delete_setting(&self, key: &str) -> Result<(), StoreError> {
        // Deleting needs no time stamp.
        self.change_settings(&[(key.to_owned(), None)], Timestamp(0))
            .await
    }
}

/// The revision of the policy configuration's sources (the `mrf` setting, domain blocks and
/// allows): triggers bump it on every change to them (migration 0032).
pub const POLICY_REVISION: &str = "policy";

impl crate::Reader {
    /// The current number of a revision counter such as [`POLICY_REVISION`] (0 if unknown).
    pub async fn revision(&mut self, name: &str) -> Result<i64, StoreError> {
        with_reader!(self, |conn| {
            let version: Option<i64> =
                sqlx::query_scalar("SELECT version FROM revisions WHERE name = $1")
                    .bind(name)
                    .fetch_optional(conn)
                    .await?;
            Ok(version.unwrap_or(0))
        })
    }

    /// A run-time setting (JSON text), if an admin has set it.
    pub async fn setting(&mut self, key: &str) -> Result<Option<String>, StoreError> {
        with_reader!(self, |conn| {
            Ok(
                sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                    .bind(key)
                    .fetch_optional(conn)
                    .await?,
            )
        })
    }
}
