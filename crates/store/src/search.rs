//! Full-text search of statuses, with the database's own full-text index (FTS5 on SQLite,
//! `tsvector` with GIN on PostgreSQL). Documents and queries arrive folded (see core).

use rhizome_model::{Id, Status};
use sqlx::QueryBuilder;

use crate::statuses::{STATUS_COLUMNS, map_status, push_visible_to};
use crate::{Backend, Store, StoreError, with_pool};

impl Store {
    /// Sets the searchable text of a status (replacing any earlier one).
    pub async fn index_status(&self, status_id: Id, document: &str) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite { write, .. } => {
                let mut tx = write.begin().await?;
                sqlx::query("DELETE FROM status_search WHERE rowid = $1")
                    .bind(status_id.0)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("INSERT INTO status_search (rowid, document) VALUES ($1, $2)")
                    .bind(status_id.0)
                    .bind(document)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
            Backend::Postgres(pool) => {
                sqlx::query(
                    "INSERT INTO status_search (status_id, document) VALUES ($1, to_tsvector('simple', $2)) \
                     ON CONFLICT (status_id) DO UPDATE SET document = excluded.document",
                )
                .bind(status_id.0)
                .bind(document)
                .execute(pool)
                .await?;
            }
        }
        Ok(())
    }

    /// Empties the index (before a rebuild).
    pub async fn clear_search_index(&self) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query("DELETE FROM status_search")
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Statuses after `after_id`, oldest first, for rebuilding the index in batches.
    pub async fn statuses_after(
        &self,
        after_id: Id,
        limit: u32,
    ) -> Result<Vec<Status>, StoreError> {
        let sql = format!(
            "SELECT {STATUS_COLUMNS} FROM statuses s WHERE s.id > $1 AND s.reblog_of_id IS NULL ORDER BY s.id LIMIT $2"
        );
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(&sql)
                .bind(after_id.0)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?;
            rows.iter().map(map_status).collect()
        })
    }

    pub async fn count_statuses(&self) -> Result<i64, StoreError> {
        with_pool!(self, read, |pool| {
            Ok(
                sqlx::query_scalar("SELECT COUNT(*) FROM statuses WHERE reblog_of_id IS NULL")
                    .fetch_one(pool)
                    .await?,
            )
        })
    }

    /// Statuses matching every word of `words` (already folded) that `viewer` may find:
    /// Mastodon's rules — one's own posts, those one is mentioned in, favourited, bookmarked
    /// or boosted, and public posts of this instance or of discoverable accounts. Newest first.
    pub async fn search_statuses(
        &self,
        viewer: Id,
        words: &[String],
        author: Option<Id>,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<Status>, StoreError> {
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let items = match &self.backend {
            Backend::Sqlite { read, .. } => {
                // Every word quoted: user input never reaches FTS5's query syntax.
                let query_text = words
                    .iter()
                    .map(|w| format!("\"{}\"", w.replace('"', "")))
                    .collect::<Vec<_>>()
                    .join(" ");
                let mut query = QueryBuilder::new(format!(
                    "SELECT {STATUS_COLUMNS} FROM status_search JOIN statuses s ON s.id = status_search.rowid \
                     WHERE status_search MATCH "
                ));
                query.push_bind(query_text);
                push_searchable(&mut query, viewer, author);
                query
                    .push(" ORDER BY s.id DESC LIMIT ")
                    .push_bind(i64::from(limit))
                    .push(" OFFSET ")
                    .push_bind(i64::from(offset));
                let rows = query.build().fetch_all(read).await?;
                rows.iter().map(map_status).collect::<Result<Vec<_>, _>>()?
            }
            Backend::Postgres(pool) => {
                let mut query = QueryBuilder::new(format!(
                    "SELECT {STATUS_COLUMNS} FROM status_search f JOIN statuses s ON s.id = f.status_id \
                     WHERE f.document @@ plainto_tsquery('simple', "
                ));
                query.push_bind(words.join(" ")).push(")");
                push_searchable(&mut query, viewer, author);
                query
                    .push(" ORDER BY s.id DESC LIMIT ")
                    .push_bind(i64::from(limit))
                    .push(" OFFSET ")
                    .push_bind(i64::from(offset));
                let rows = query.build().fetch_all(pool).await?;
                rows.iter().map(map_status).collect::<Result<Vec<_>, _>>()?
            }
        };
        Ok(items)
    }
}

/// The searchable-by-viewer condition, on top of ordinary visibility.
fn push_searchable<'a, DB>(query: &mut QueryBuilder<'a, DB>, viewer: Id, author: Option<Id>)
where
    DB: sqlx::Database,
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    push_visible_to(query, Some(viewer));
    if let Some(author) = author {
        query.push(" AND s.account_id = ").push_bind(author.0);
    }
    query.push(" AND (s.account_id = ").push_bind(viewer.0);
    query
        .push(
            " OR EXISTS (SELECT 1 FROM mentions m2 WHERE m2.status_id = s.id AND m2.account_id = ",
        )
        .push_bind(viewer.0);
    query.push(") OR EXISTS (SELECT 1 FROM favourites fa WHERE fa.status_id = s.id AND fa.account_id = ").push_bind(viewer.0);
    query.push(") OR EXISTS (SELECT 1 FROM bookmarks bo WHERE bo.status_id = s.id AND bo.account_id = ").push_bind(viewer.0);
    query.push(") OR EXISTS (SELECT 1 FROM statuses rb WHERE rb.reblog_of_id = s.id AND rb.account_id = ").push_bind(viewer.0);
    query.push(
        ") OR (s.visibility = 'public' AND (s.local = TRUE OR EXISTS (SELECT 1 FROM accounts da \
         WHERE da.id = s.account_id AND da.discoverable = TRUE))))",
    );
}
