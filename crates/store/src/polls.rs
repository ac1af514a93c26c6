//! Polls and their votes.

use rhizome_model::{Id, Timestamp};
use serde::{Deserialize, Serialize};

use crate::reader::with_reader;
use crate::row::Columns;
use crate::{Store, StoreError, begin_write, with_pool};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollOption {
    pub title: String,
    pub votes_count: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Poll {
    pub id: Id,
    pub status_id: Id,
    pub options: Vec<PollOption>,
    pub multiple: bool,
    pub hide_totals: bool,
    pub expires_at: Option<Timestamp>,
    pub voters_count: i64,
    /// Closed: its expiry was handled (voters notified).
    pub closed: bool,
    pub updated_at: Timestamp,
}

const POLL_COLUMNS: &str =
    "id, status_id, options, multiple, hide_totals, expires_at, voters_count, closed, updated_at";

fn map_poll(row: &impl Columns) -> Result<Poll, StoreError> {
    Ok(Poll {
        id: Id(row.i64("id")?),
        status_id: Id(row.i64("status_id")?),
        options: row.json("options")?,
        multiple: row.bool("multiple")?,
        hide_totals: row.bool("hide_totals")?,
        expires_at: row.opt_i64("expires_at")?.map(Timestamp),
        voters_count: row.i64("voters_count")?,
        closed: row.bool("closed")?,
        updated_at: Timestamp(row.i64("updated_at")?),
    })
}

/// Stores a poll, or updates its options and counts: bound by `bind_poll!`, on a pool or
/// inside the transaction that stores its status.
pub(crate) const SAVE_POLL: &str = "INSERT INTO polls (id, status_id, options, multiple, \
    hide_totals, expires_at, voters_count, closed, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (status_id) DO UPDATE SET \
    options = excluded.options, voters_count = excluded.voters_count, \
    expires_at = excluded.expires_at, updated_at = excluded.updated_at";

/// `$query` (of `SAVE_POLL`) with `$poll` (a `&Poll`) bound.
macro_rules! bind_poll {
    ($query:expr, $poll:expr) => {
        $query
            .bind($poll.id.0)
            .bind($poll.status_id.0)
            .bind($crate::accounts::to_json(&$poll.options))
            .bind($poll.multiple)
            .bind($poll.hide_totals)
            .bind($poll.expires_at.map(|t| t.0))
            .bind($poll.voters_count)
            .bind($poll.closed)
            .bind($poll.updated_at.0)
    };
}
pub(crate) use bind_poll;

impl Store {
    /// Creates a poll, or replaces the counts of a known one (a remote poll's update).
    pub async fn save_poll(&self, poll: &Poll) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            bind_poll!(sqlx::query(SAVE_POLL), poll)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    pub async fn poll(&self, id: Id) -> Result<Option<Poll>, StoreError> {
        let sql = format!("SELECT {POLL_COLUMNS} FROM polls WHERE id = $1");
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql).bind(id.0).fetch_optional(pool).await?;
            row.as_ref().map(map_poll).transpose()
        })
    }

    pub async fn poll_of_status(&self, status_id: Id) -> Result<Option<Poll>, StoreError> {
        let sql = format!("SELECT {POLL_COLUMNS} FROM polls WHERE status_id = $1");
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql)
                .bind(status_id.0)
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(map_poll).transpose()
        })
    }

    /// Records an account's choices and counts them, in one transaction. Returns false when
    /// the account had already voted (nothing changes then) — unless `more` allows further
    /// choices (remote servers send each choice of a multiple-choice vote separately).
    pub async fn vote(
        &self,
        poll_id: Id,
        account_id: Id,
        choices: &[(Id, i64, Option<String>)],
        more: bool,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let sql = format!("SELECT {POLL_COLUMNS} FROM polls WHERE id = $1");
        begin_write!(self, |tx| {
            let voted: Option<i32> = sqlx::query_scalar(
                "SELECT 1 FROM poll_votes WHERE poll_id = $1 AND account_id = $2 LIMIT 1",
            )
            .bind(poll_id.0)
            .bind(account_id.0)
            .fetch_optional(&mut *tx)
            .await?;
            if voted.is_some() && !more {
                return Ok(false);
            }
            let first_vote = voted.is_none();
            let row = sqlx::query(&sql)
                .bind(poll_id.0)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(mut poll) = row.as_ref().map(map_poll).transpose()? else {
                return Err(StoreError::NotFound);
            };
            for (id, choice, uri) in choices {
                let inserted = sqlx::query(
                    "INSERT INTO poll_votes (id, poll_id, account_id, choice, uri, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(id.0)
                .bind(poll_id.0)
                .bind(account_id.0)
                .bind(*choice)
                .bind(uri)
                .bind(at.0)
                .execute(&mut *tx)
                .await?;
                if inserted.rows_affected() == 0 {
                    continue;
                }
                if let Some(option) = usize::try_from(*choice)
                    .ok()
                    .and_then(|i| poll.options.get_mut(i))
                {
                    option.votes_count += 1;
                }
            }
            sqlx::query("UPDATE polls SET options = $2, voters_count = voters_count + $4, updated_at = $3 WHERE id = $1")
                .bind(poll_id.0)
                .bind(crate::accounts::to_json(&poll.options))
                .bind(at.0)
                .bind(i64::from(first_vote))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// The choices an account made in a poll.
    pub async fn own_votes(&self, poll_id: Id, account_id: Id) -> Result<Vec<i64>, StoreError> {
        with_pool!(self, read, |pool| {
            Ok(sqlx::query_scalar("SELECT choice FROM poll_votes WHERE poll_id = $1 AND account_id = $2 ORDER BY choice")
                .bind(poll_id.0)
                .bind(account_id.0)
                .fetch_all(pool)
                .await?)
        })
    }

    /// Local voters of a poll (for the closing notification).
    pub async fn poll_voters(&self, poll_id: Id) -> Result<Vec<Id>, StoreError> {
        with_pool!(self, read, |pool| {
            let ids: Vec<i64> = sqlx::query_scalar(
                "SELECT DISTINCT v.account_id FROM poll_votes v JOIN accounts a ON a.id = v.account_id \
                 WHERE v.poll_id = $1 AND a.domain IS NULL",
            )
            .bind(poll_id.0)
            .fetch_all(pool)
            .await?;
            Ok(ids.into_iter().map(Id).collect())
        })
    }

    /// Marks a poll closed once. Returns whether this call closed it.
    pub async fn close_poll(&self, poll_id: Id) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done =
                sqlx::query("UPDATE polls SET closed = TRUE WHERE id = $1 AND closed = FALSE")
                    .bind(poll_id.0)
                    .execute(pool)
                    .await?;
            Ok(done.rows_affected() > 0)
        })
    }
}

impl Store {
    /// Polls of several statuses, by status id.
    pub async fn polls_of(&self, status_ids: &[Id]) -> Result<Vec<Poll>, StoreError> {
        self.reader().polls_of(status_ids).await
    }
}

impl crate::Reader {
    /// Polls of several statuses, by status id.
    pub async fn polls_of(&mut self, status_ids: &[Id]) -> Result<Vec<Poll>, StoreError> {
        if status_ids.is_empty() {
            return Ok(Vec::new());
        }
        with_reader!(self, |conn| {
            let mut query =
                sqlx::QueryBuilder::new(format!("SELECT {POLL_COLUMNS} FROM polls WHERE "));
            crate::statuses::push_column_in(&mut query, "status_id", status_ids);
            let rows = query.build().fetch_all(conn).await?;
            rows.iter().map(map_poll).collect()
        })
    }
}
