//! Remote-post retention: finding and removing remote posts nothing here holds on to.

use rhizome_model::{Id, Timestamp};
use sqlx::QueryBuilder;

use crate::row::Columns;
use crate::statuses::push_column_in;
use crate::{Store, StoreError, begin_write, with_pool};

/// A remote status older than `$1` is kept if a local account follows its author, wrote
/// anything in its thread, or favourited, bookmarked, pinned, reacted to, voted in, was
/// mentioned in, replied to, boosted or quoted it — or if someone followed here boosted,
/// replied to or quoted it (their post would lose its original).
const PRUNABLE: &str = "s.local = FALSE AND s.created_at < $1 \
    AND NOT EXISTS (SELECT 1 FROM follows f JOIN accounts fa ON fa.id = f.account_id \
        WHERE f.target_account_id = s.account_id AND fa.domain IS NULL) \
    AND NOT EXISTS (SELECT 1 FROM favourites v JOIN accounts va ON va.id = v.account_id \
        WHERE v.status_id = s.id AND va.domain IS NULL) \
    AND NOT EXISTS (SELECT 1 FROM reactions x JOIN accounts xa ON xa.id = x.account_id \
        WHERE x.status_id = s.id AND xa.domain IS NULL) \
    AND NOT EXISTS (SELECT 1 FROM bookmarks b WHERE b.status_id = s.id) \
    AND NOT EXISTS (SELECT 1 FROM pins p WHERE p.status_id = s.id) \
    AND NOT EXISTS (SELECT 1 FROM mentions m JOIN accounts ma ON ma.id = m.account_id \
        WHERE m.status_id = s.id AND ma.domain IS NULL) \
    AND NOT EXISTS (SELECT 1 FROM polls po JOIN poll_votes pv ON pv.poll_id = po.id \
        JOIN accounts pa ON pa.id = pv.account_id WHERE po.status_id = s.id AND pa.domain IS NULL) \
    AND NOT EXISTS (SELECT 1 FROM statuses r WHERE (r.in_reply_to_id = s.id \
        OR r.reblog_of_id = s.id OR r.quote_of_id = s.id) AND (r.local OR EXISTS \
        (SELECT 1 FROM follows rf JOIN accounts ra ON ra.id = rf.account_id \
         WHERE rf.target_account_id = r.account_id AND ra.domain IS NULL))) \
    AND (s.conversation IS NULL OR NOT EXISTS (SELECT 1 FROM statuses c \
        WHERE c.conversation = s.conversation AND c.local))";

impl Store {
    /// Up to `limit` remote statuses created before `before` that may be pruned, by id
    /// after `after` (a keyset, so that a long run does not scan the kept ones again).
    pub async fn prunable_remote_statuses(
        &self,
        before: Timestamp,
        after: Id,
        limit: i64,
    ) -> Result<Vec<Id>, StoreError> {
        with_pool!(self, read, |pool| {
            // Ids grow with creation time: the id range lets the primary key do the work.
            let ids: Vec<i64> = sqlx::query_scalar(&format!(
                "SELECT s.id FROM statuses s WHERE s.id > $3 AND s.id < $4 AND {PRUNABLE} \
                 ORDER BY s.id LIMIT $2"
            ))
            .bind(before.0)
            .bind(limit)
            .bind(after.0)
            .bind(Id::lowest_at(before.0 + 1).0)
            .fetch_all(pool)
            .await?;
            Ok(ids.into_iter().map(Id).collect())
        })
    }

    /// How many remote statuses created before `before` may be pruned.
    pub async fn count_prunable_remote_statuses(
        &self,
        before: Timestamp,
    ) -> Result<i64, StoreError> {
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&format!(
                "SELECT COUNT(*) AS n FROM statuses s WHERE {PRUNABLE}"
            ))
            .bind(before.0)
            .fetch_one(pool)
            .await?;
            row.i64("n")
        })
    }

    /// Removes remote statuses without leaving tombstones: they were not deleted by their
    /// authors, and are fetched again if anyone asks for them. Returns how many went.
    pub async fn prune_remote_statuses(&self, ids: &[Id]) -> Result<u64, StoreError> {
        if ids.is_empty() {
            return Ok(0);
        }
        begin_write!(self, |tx| {
            if matches!(self.backend, crate::Backend::Sqlite { .. }) {
                let mut query = QueryBuilder::new("DELETE FROM status_search WHERE ");
                push_column_in(&mut query, "rowid", ids);
                query.build().execute(&mut *tx).await?;
            }
            let mut query = QueryBuilder::new("DELETE FROM statuses WHERE local = FALSE AND ");
            push_column_in(&mut query, "id", ids);
            let done = query.build().execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(done.rows_affected())
        })
    }
}
