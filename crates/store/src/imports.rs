//! CSV imports: one record per uploaded file, one row per line with its own state, and the
//! unpaged reads that exports and overwrite imports need.

use std::collections::HashMap;

use rhizome_model::{Account, Id, Timestamp};
use sqlx::QueryBuilder;

use crate::accounts::{ACCOUNT_COLUMNS, map_account};
use crate::row::Columns;
use crate::statuses::push_column_in;
use crate::{NewJob, Page, PageRequest, Store, StoreError, begin_write, with_pool};

/// What a file holds, with Mastodon's names for the import types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImportKind {
    Following,
    Blocking,
    Muting,
    DomainBlocking,
    Bookmarks,
    Lists,
}

impl ImportKind {
    pub const ALL: [ImportKind; 6] = [
        ImportKind::Following,
        ImportKind::Blocking,
        ImportKind::Muting,
        ImportKind::DomainBlocking,
        ImportKind::Bookmarks,
        ImportKind::Lists,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Following => "following",
            ImportKind::Blocking => "blocking",
            ImportKind::Muting => "muting",
            ImportKind::DomainBlocking => "domain_blocking",
            ImportKind::Bookmarks => "bookmarks",
            ImportKind::Lists => "lists",
        }
    }

    /// Mastodon's names, and GoToSocial's `blocks` and `mutes`.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "following" | "follows" => ImportKind::Following,
            "blocking" | "blocks" => ImportKind::Blocking,
            "muting" | "mutes" => ImportKind::Muting,
            "domain_blocking" | "domain_blocks" => ImportKind::DomainBlocking,
            "bookmarks" => ImportKind::Bookmarks,
            "lists" => ImportKind::Lists,
            _ => return None,
        })
    }
}

/// Where an import stands as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportState {
    /// Rows are being applied (or, in overwrite mode, what the file lacks removed).
    InProgress,
    Finished,
}

impl ImportState {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportState::InProgress => "in_progress",
            ImportState::Finished => "finished",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "in_progress" => Some(ImportState::InProgress),
            "finished" => Some(ImportState::Finished),
            _ => None,
        }
    }
}

/// Where one row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowState {
    Pending,
    Done,
    Failed,
}

impl RowState {
    pub fn as_str(self) -> &'static str {
        match self {
            RowState::Pending => "pending",
            RowState::Done => "done",
            RowState::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(RowState::Pending),
            "done" => Some(RowState::Done),
            "failed" => Some(RowState::Failed),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    pub id: Id,
    pub account_id: Id,
    pub kind: ImportKind,
    pub overwrite: bool,
    pub state: ImportState,
    pub original_filename: String,
    pub total_rows: i64,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

/// How many rows of an import were applied and how many failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportProgress {
    pub done: i64,
    pub failed: i64,
}

/// A row to store with a new import; a row with an `error` is failed from the start.
#[derive(Debug, Clone, PartialEq)]
pub struct NewImportRow {
    /// 1-based line of the row among the file's rows.
    pub position: i64,
    pub data: Option<String>,
    pub source: String,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    pub import_id: Id,
    pub position: i64,
    pub state: RowState,
    pub data: Option<String>,
    pub source: String,
    pub error: Option<String>,
    pub target_id: Option<Id>,
}

const IMPORT_COLUMNS: &str = "id, account_id, kind, overwrite, state, original_filename, total_rows, created_at, finished_at";
const ROW_COLUMNS: &str = "import_id, position, state, data, source, error, target_id";

fn corrupt(column: &'static str, value: String) -> StoreError {
    StoreError::Corrupt {
        column,
        reason: format!("unknown value {value:?}"),
    }
}

fn map_import(row: &impl Columns) -> Result<Import, StoreError> {
    let kind = row.text("kind")?;
    let state = row.text("state")?;
    Ok(Import {
        id: Id(row.i64("id")?),
        account_id: Id(row.i64("account_id")?),
        kind: ImportKind::parse(&kind).ok_or_else(|| corrupt("kind", kind))?,
        overwrite: row.bool("overwrite")?,
        state: ImportState::parse(&state).ok_or_else(|| corrupt("state", state))?,
        original_filename: row.text("original_filename")?,
        total_rows: row.i64("total_rows")?,
        created_at: Timestamp(row.i64("created_at")?),
        finished_at: row.opt_i64("finished_at")?.map(Timestamp),
    })
}

fn map_row(row: &impl Columns) -> Result<ImportRow, StoreError> {
    let state = row.text("state")?;
    Ok(ImportRow {
        import_id: Id(row.i64("import_id")?),
        position: row.i64("position")?,
        state: RowState::parse(&state).ok_or_else(|| corrupt("state", state))?,
        data: row.opt_text("data")?,
        source: row.text("source")?,
        error: row.opt_text("error")?,
        target_id: row.opt_i64("target_id")?.map(Id),
    })
}

impl Store {
    /// Stores an import, its rows and the job that applies them in one transaction: an
    /// import is never stored without the job that will finish it.
    pub async fn create_import(
        &self,
        import: &Import,
        rows: &[NewImportRow],
        job: &NewJob,
    ) -> Result<(), StoreError> {
        begin_write!(self, |tx| {
            sqlx::query(&format!(
                "INSERT INTO imports ({IMPORT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            ))
            .bind(import.id.0)
            .bind(import.account_id.0)
            .bind(import.kind.as_str())
            .bind(import.overwrite)
            .bind(import.state.as_str())
            .bind(&import.original_filename)
            .bind(import.total_rows)
            .bind(import.created_at.0)
            .bind(import.finished_at.map(|t| t.0))
            .execute(&mut *tx)
            .await?;
            // Five parameters a row: well under both databases' limits per statement.
            for chunk in rows.chunks(500) {
                let mut query = QueryBuilder::new(
                    "INSERT INTO import_rows (import_id, position, state, data, source, error) ",
                );
                query.push_values(chunk, |mut values, row| {
                    let state = if row.error.is_some() {
                        RowState::Failed
                    } else {
                        RowState::Pending
                    };
                    values
                        .push_bind(import.id.0)
                        .push_bind(row.position)
                        .push_bind(state.as_str())
                        .push_bind(&row.data)
                        .push_bind(&row.source)
                        .push_bind(&row.error);
                });
                query.build().execute(&mut *tx).await?;
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
            .bind(import.created_at.0)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn import(&self, id: Id) -> Result<Option<Import>, StoreError> {
        let sql = format!("SELECT {IMPORT_COLUMNS} FROM imports WHERE id = $1");
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql).bind(id.0).fetch_optional(pool).await?;
            row.as_ref().map(map_import).transpose()
        })
    }

    /// Imports, newest first: one account's, or everyone's.
    pub async fn imports(
        &self,
        account_id: Option<Id>,
        page: &PageRequest,
    ) -> Result<Page<Import>, StoreError> {
        let head = format!("SELECT {IMPORT_COLUMNS} FROM imports WHERE 1 = 1");
        let items = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(head);
            if let Some(account_id) = account_id {
                query.push(" AND account_id = ").push_bind(account_id.0);
            }
            page.push_keyset(&mut query, "id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter().map(map_import).collect::<Result<Vec<_>, _>>()?
        });
        Ok(page.finish(items, |import| import.id.0))
    }

    /// How many of an account's imports are not finished.
    pub async fn unfinished_imports(&self, account_id: Id) -> Result<i64, StoreError> {
        with_pool!(self, read, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT COUNT(*) FROM imports WHERE account_id = $1 AND state <> 'finished'",
            )
            .bind(account_id.0)
            .fetch_one(pool)
            .await?)
        })
    }

    /// Applied and failed row counts of each import.
    pub async fn import_progress(
        &self,
        ids: &[Id],
    ) -> Result<HashMap<Id, ImportProgress>, StoreError> {
        let mut found: HashMap<Id, ImportProgress> = ids
            .iter()
            .map(|id| (*id, ImportProgress::default()))
            .collect();
        if ids.is_empty() {
            return Ok(found);
        }
        with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT import_id, state, COUNT(*) AS n FROM import_rows \
                 WHERE state <> 'pending' AND ",
            );
            push_column_in(&mut query, "import_id", ids);
            query.push(" GROUP BY import_id, state");
            for row in query.build().fetch_all(pool).await? {
                let entry = found.entry(Id(row.i64("import_id")?)).or_default();
                let n = row.i64("n")?;
                match row.text("state")?.as_str() {
                    "done" => entry.done = n,
                    _ => entry.failed = n,
                }
            }
        });
        Ok(found)
    }

    /// The first `limit` rows of an import still to apply, in file order.
    pub async fn pending_import_rows(
        &self,
        import_id: Id,
        limit: u32,
    ) -> Result<Vec<ImportRow>, StoreError> {
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM import_rows WHERE import_id = $1 AND state = 'pending' \
             ORDER BY position LIMIT $2"
        );
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(&sql)
                .bind(import_id.0)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?;
            rows.iter().map(map_row).collect()
        })
    }

    /// Every row of an import in one state (or all), in file order.
    pub async fn import_rows(
        &self,
        import_id: Id,
        state: Option<RowState>,
    ) -> Result<Vec<ImportRow>, StoreError> {
        let head = format!("SELECT {ROW_COLUMNS} FROM import_rows WHERE import_id = ");
        with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(head);
            query.push_bind(import_id.0);
            if let Some(state) = state {
                query.push(" AND state = ").push_bind(state.as_str());
            }
            query.push(" ORDER BY position");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter().map(map_row).collect()
        })
    }

    /// Records how a pending row ended: applied (to `target_id`, when it names one) or
    /// failed with `error`. A row already ended is left as it is; returns whether it changed.
    pub async fn end_import_row(
        &self,
        import_id: Id,
        position: i64,
        outcome: Result<Option<Id>, &str>,
    ) -> Result<bool, StoreError> {
        let (state, target, error) = match outcome {
            Ok(target) => (RowState::Done, target.map(|id| id.0), None),
            Err(error) => (
                RowState::Failed,
                None,
                Some(error.chars().take(500).collect::<String>()),
            ),
        };
        with_pool!(self, write, |pool| {
            let done = sqlx::query(
                "UPDATE import_rows SET state = $3, target_id = $4, error = $5 \
                 WHERE import_id = $1 AND position = $2 AND state = 'pending'",
            )
            .bind(import_id.0)
            .bind(position)
            .bind(state.as_str())
            .bind(target)
            .bind(error)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    pub async fn finish_import(&self, id: Id, at: Timestamp) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "UPDATE imports SET state = 'finished', finished_at = $2 \
                 WHERE id = $1 AND state <> 'finished'",
            )
            .bind(id.0)
            .bind(at.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}

/// A followed account with the follow's options, as exports list them.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowedAccount {
    pub account: Account,
    pub show_reblogs: bool,
    pub notify: bool,
}

impl Store {
    /// Everything `account_id` follows (`requests` for the pending requests instead), newest
    /// first, unpaged.
    pub async fn all_followed(
        &self,
        account_id: Id,
        requests: bool,
    ) -> Result<Vec<FollowedAccount>, StoreError> {
        let table = if requests {
            "follow_requests"
        } else {
            "follows"
        };
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS}, f.show_reblogs AS f_reblogs, f.notify AS f_notify \
             FROM {table} f JOIN accounts a ON a.id = f.target_account_id \
             WHERE f.account_id = $1 ORDER BY f.id DESC"
        );
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(&sql).bind(account_id.0).fetch_all(pool).await?;
            rows.iter()
                .map(|row| {
                    Ok(FollowedAccount {
                        account: map_account(row)?,
                        show_reblogs: row.bool("f_reblogs")?,
                        notify: row.bool("f_notify")?,
                    })
                })
                .collect()
        })
    }

    /// Every follower of `account_id`, newest first, unpaged.
    pub async fn all_followers(&self, account_id: Id) -> Result<Vec<Account>, StoreError> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM follows f JOIN accounts a ON a.id = f.account_id \
             WHERE f.target_account_id = $1 ORDER BY f.id DESC"
        );
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(&sql).bind(account_id.0).fetch_all(pool).await?;
            rows.iter().map(map_account).collect()
        })
    }

    /// Every account `account_id` blocks, newest first, unpaged.
    pub async fn all_blocked(&self, account_id: Id) -> Result<Vec<Account>, StoreError> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM blocks b JOIN accounts a ON a.id = b.target_account_id \
             WHERE b.account_id = $1 ORDER BY b.id DESC"
        );
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(&sql).bind(account_id.0).fetch_all(pool).await?;
            rows.iter().map(map_account).collect()
        })
    }

    /// Every account `account_id` mutes at `now`, with whether notifications are hidden too,
    /// newest first, unpaged.
    pub async fn all_muted(
        &self,
        account_id: Id,
        now: Timestamp,
    ) -> Result<Vec<(Account, bool)>, StoreError> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS}, m.hide_notifications AS m_hide FROM mutes m \
             JOIN accounts a ON a.id = m.target_account_id WHERE m.account_id = $1 \
             AND (m.expires_at IS NULL OR m.expires_at > $2) ORDER BY m.id DESC"
        );
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(&sql)
                .bind(account_id.0)
                .bind(now.0)
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|row| Ok((map_account(row)?, row.bool("m_hide")?)))
                .collect()
        })
    }

    /// Every member of every list `owner` has, as (list id, member), by list then member.
    pub async fn all_list_members(&self, owner: Id) -> Result<Vec<(Id, Account)>, StoreError> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS}, l.id AS l_id FROM lists l \
             JOIN list_accounts la ON la.list_id = l.id JOIN accounts a ON a.id = la.account_id \
             WHERE l.account_id = $1 ORDER BY l.id, a.id"
        );
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(&sql).bind(owner.0).fetch_all(pool).await?;
            rows.iter()
                .map(|row| Ok((Id(row.i64("l_id")?), map_account(row)?)))
                .collect()
        })
    }

    /// Every domain `account_id` blocks, oldest first, unpaged.
    pub async fn all_blocked_domains(&self, account_id: Id) -> Result<Vec<String>, StoreError> {
        with_pool!(self, read, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT domain FROM account_domain_blocks WHERE account_id = $1 ORDER BY id",
            )
            .bind(account_id.0)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Every bookmark of `account_id` as (status id, status uri), newest first, unpaged.
    pub async fn all_bookmarks(&self, account_id: Id) -> Result<Vec<(Id, String)>, StoreError> {
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(
                "SELECT s.id, s.uri FROM bookmarks b JOIN statuses s ON s.id = b.status_id \
                 WHERE b.account_id = $1 ORDER BY b.id DESC",
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
