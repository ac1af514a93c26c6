//! Full archives of an account: one record per archive with its state and progress, created
//! together with the job that builds it, and the unpaged reads the build needs.

use rhizome_model::{Id, Timestamp};

use crate::row::Columns;
use crate::{DatabaseKind, NewJob, Store, StoreError, begin_write, with_pool};

/// Where an archive stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveState {
    /// Waiting for a worker.
    Pending,
    /// Being built (or rebuilt from the start after a crash).
    Running,
    /// The file is in media storage.
    Ready,
    /// Given up: no file.
    Failed,
}

impl ArchiveState {
    pub fn as_str(self) -> &'static str {
        match self {
            ArchiveState::Pending => "pending",
            ArchiveState::Running => "running",
            ArchiveState::Ready => "ready",
            ArchiveState::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "pending" => ArchiveState::Pending,
            "running" => ArchiveState::Running,
            "ready" => ArchiveState::Ready,
            "failed" => ArchiveState::Failed,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Archive {
    pub id: Id,
    pub account_id: Id,
    pub state: ArchiveState,
    /// Its key in media storage (written only once the file is whole).
    pub file_key: String,
    /// The name it is downloaded under.
    pub file_name: String,
    pub file_size: i64,
    /// Posts and files written so far, out of `total_items`.
    pub processed_items: i64,
    pub total_items: i64,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

const ARCHIVE_COLUMNS: &str = "id, account_id, state, file_key, file_name, file_size, \
    processed_items, total_items, created_at, finished_at";

fn map_archive(row: &impl Columns) -> Result<Archive, StoreError> {
    let state = row.text("state")?;
    Ok(Archive {
        id: Id(row.i64("id")?),
        account_id: Id(row.i64("account_id")?),
        state: ArchiveState::parse(&state).ok_or_else(|| StoreError::Corrupt {
            column: "state",
            reason: format!("unknown value {state:?}"),
        })?,
        file_key: row.text("file_key")?,
        file_name: row.text("file_name")?,
        file_size: row.i64("file_size")?,
        processed_items: row.i64("processed_items")?,
        total_items: row.i64("total_items")?,
        created_at: Timestamp(row.i64("created_at")?),
        finished_at: row.opt_i64("finished_at")?.map(Timestamp),
    })
}

impl Store {
    /// Stores a new archive with the job that builds it, unless the account has an archive
    /// (not failed) created at or after `not_since`: `false` then, and nothing is stored.
    /// The check and the insert are one transaction, with the account's row locked on
    /// PostgreSQL, so two requests at once make one archive.
    pub async fn create_archive(
        &self,
        archive: &Archive,
        job: &NewJob,
        not_since: Timestamp,
    ) -> Result<bool, StoreError> {
        let postgres = self.kind() == DatabaseKind::Postgres;
        begin_write!(self, |tx| {
            if postgres {
                sqlx::query("SELECT id FROM accounts WHERE id = $1 FOR UPDATE")
                    .bind(archive.account_id.0)
                    .execute(&mut *tx)
                    .await?;
            }
            let recent: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM archives WHERE account_id = $1 AND created_at >= $2 \
                 AND state <> 'failed'",
            )
            .bind(archive.account_id.0)
            .bind(not_since.0)
            .fetch_one(&mut *tx)
            .await?;
            if recent > 0 {
                return Ok(false);
            }
            sqlx::query(&format!(
                "INSERT INTO archives ({ARCHIVE_COLUMNS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            ))
            .bind(archive.id.0)
            .bind(archive.account_id.0)
            .bind(archive.state.as_str())
            .bind(&archive.file_key)
            .bind(&archive.file_name)
            .bind(archive.file_size)
            .bind(archive.processed_items)
            .bind(archive.total_items)
            .bind(archive.created_at.0)
            .bind(archive.finished_at.map(|t| t.0))
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO jobs (id, kind, payload, state, run_at, attempts, max_attempts, \
                 created_at) VALUES ($1, $2, $3, 'queued', $4, 0, $5, $6)",
            )
            .bind(job.id.0)
            .bind(&job.kind)
            .bind(&job.payload)
            .bind(job.run_at.0)
            .bind(i64::from(job.max_attempts))
            .bind(archive.created_at.0)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(true)
    }

    pub async fn archive(&self, id: Id) -> Result<Option<Archive>, StoreError> {
        let sql = format!("SELECT {ARCHIVE_COLUMNS} FROM archives WHERE id = $1");
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql).bind(id.0).fetch_optional(pool).await?;
            row.as_ref().map(map_archive).transpose()
        })
    }

    /// An account's archives, newest first (at most `limit`).
    pub async fn archives_of(
        &self,
        account_id: Id,
        limit: u32,
    ) -> Result<Vec<Archive>, StoreError> {
        let sql = format!(
            "SELECT {ARCHIVE_COLUMNS} FROM archives WHERE account_id = $1 ORDER BY id DESC LIMIT $2"
        );
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(&sql)
                .bind(account_id.0)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?;
            rows.iter().map(map_archive).collect()
        })
    }

    /// Records a build's progress (and that it is running); an archive already ready or
    /// failed is left as it is.
    pub async fn set_archive_progress(
        &self,
        id: Id,
        processed_items: i64,
        total_items: i64,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "UPDATE archives SET state = 'running', processed_items = $2, total_items = $3 \
                 WHERE id = $1 AND state IN ('pending', 'running')",
            )
            .bind(id.0)
            .bind(processed_items)
            .bind(total_items)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Marks an archive ready: its file of `file_size` bytes is stored.
    pub async fn finish_archive(
        &self,
        id: Id,
        file_size: i64,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "UPDATE archives SET state = 'ready', file_size = $2, processed_items = \
                 total_items, finished_at = $3 WHERE id = $1",
            )
            .bind(id.0)
            .bind(file_size)
            .bind(at.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Marks an archive failed (unless it is ready).
    pub async fn fail_archive(&self, id: Id, at: Timestamp) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "UPDATE archives SET state = 'failed', finished_at = $2 \
                 WHERE id = $1 AND state <> 'ready'",
            )
            .bind(id.0)
            .bind(at.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Archives created before `before`, oldest first (at most `limit`), of anyone.
    pub async fn archives_created_before(
        &self,
        before: Timestamp,
        limit: u32,
    ) -> Result<Vec<Archive>, StoreError> {
        let sql = format!(
            "SELECT {ARCHIVE_COLUMNS} FROM archives WHERE created_at < $1 \
             ORDER BY created_at LIMIT $2"
        );
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(&sql)
                .bind(before.0)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?;
            rows.iter().map(map_archive).collect()
        })
    }

    /// Marks failed the archives still unfinished that were asked for before `before`
    /// (their job gave up, or died with its last attempt); returns how many.
    pub async fn fail_unfinished_archives(
        &self,
        before: Timestamp,
        at: Timestamp,
    ) -> Result<u64, StoreError> {
        with_pool!(self, write, |pool| {
            Ok(sqlx::query(
                "UPDATE archives SET state = 'failed', finished_at = $2 \
                 WHERE created_at < $1 AND state IN ('pending', 'running')",
            )
            .bind(before.0)
            .bind(at.0)
            .execute(pool)
            .await?
            .rows_affected())
        })
    }

    pub async fn delete_archive(&self, id: Id) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query("DELETE FROM archives WHERE id = $1")
                .bind(id.0)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// How many posts (boosts included) and attached media files an account has: what an
    /// archive of it will hold.
    pub async fn archive_totals(&self, account_id: Id) -> Result<(i64, i64), StoreError> {
        with_pool!(self, read, |pool| {
            let statuses: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM statuses WHERE account_id = $1")
                    .bind(account_id.0)
                    .fetch_one(pool)
                    .await?;
            let media: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM media_attachments WHERE account_id = $1 \
                 AND status_id IS NOT NULL",
            )
            .bind(account_id.0)
            .fetch_one(pool)
            .await?;
            Ok((statuses, media))
        })
    }

    /// Every post `account_id` favourited as (status id, status uri), newest first, unpaged.
    pub async fn all_favourites(&self, account_id: Id) -> Result<Vec<(Id, String)>, StoreError> {
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(
                "SELECT s.id, s.uri FROM favourites f JOIN statuses s ON s.id = f.status_id \
                 WHERE f.account_id = $1 ORDER BY f.id DESC",
            )
            .bind(account_id.0)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| Ok((Id(row.i64("id")?), row.text("uri")?)))
                .collect()
        })
    }
}
