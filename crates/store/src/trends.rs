//! What is being talked about: hashtags, posts and links ranked by recent activity, and
//! hashtags found by name.

use rhizome_model::{Id, Status, Timestamp};

use crate::row::Columns;
use crate::statuses::{STATUS_COLUMNS, map_status};
use crate::{Store, StoreError, with_pool};

/// A hashtag with how much it was used since a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagUsage {
    pub name: String,
    pub uses: i64,
    pub accounts: i64,
}

impl Store {
    /// Hashtags whose name starts with `prefix`, most used first.
    pub async fn search_tags(
        &self,
        prefix: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<String>, StoreError> {
        // LIKE wildcards in the query are taken literally.
        let pattern = format!(
            "{}%",
            prefix
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        with_pool!(self, read, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT t.name FROM tags t WHERE lower(t.name) LIKE $1 ESCAPE '\\' \
                 ORDER BY (SELECT COUNT(*) FROM status_tags st WHERE st.tag_id = t.id) DESC, \
                 t.name LIMIT $2 OFFSET $3",
            )
            .bind(&pattern)
            .bind(i64::from(limit))
            .bind(i64::from(offset))
            .fetch_all(pool)
            .await?)
        })
    }

    /// Hashtags of public posts since `since`, by how many accounts used them.
    pub async fn trending_tags(
        &self,
        since: Timestamp,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<TagUsage>, StoreError> {
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(
                "SELECT t.name, COUNT(*) AS uses, COUNT(DISTINCT s.account_id) AS accounts \
                 FROM status_tags st JOIN tags t ON t.id = st.tag_id \
                 JOIN statuses s ON s.id = st.status_id \
                 WHERE s.id >= $1 AND s.visibility = 'public' AND s.reblog_of_id IS NULL \
                 GROUP BY t.id, t.name HAVING COUNT(DISTINCT s.account_id) >= 1 \
                 ORDER BY accounts DESC, uses DESC, t.name LIMIT $2 OFFSET $3",
            )
            .bind(Id::lowest_at(since.0).0)
            .bind(i64::from(limit))
            .bind(i64::from(offset))
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(TagUsage {
                        name: row.text("name")?,
                        uses: row.i64("uses")?,
                        accounts: row.i64("accounts")?,
                    })
                })
                .collect()
        })
    }

    /// Public posts since `since` that drew the most favourites, boosts and replies.
    pub async fn trending_statuses(
        &self,
        since: Timestamp,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<Status>, StoreError> {
        let sql = format!(
            "SELECT {STATUS_COLUMNS} FROM statuses s JOIN ( \
             SELECT id, score FROM ( \
               SELECT s2.id, \
                 (SELECT COUNT(*) FROM favourites f WHERE f.status_id = s2.id) \
                 + 2 * (SELECT COUNT(*) FROM statuses b WHERE b.reblog_of_id = s2.id) \
                 + (SELECT COUNT(*) FROM statuses r WHERE r.in_reply_to_id = s2.id) AS score \
               FROM statuses s2 WHERE s2.id >= $1 AND s2.visibility = 'public' \
               AND s2.reblog_of_id IS NULL) scored WHERE score > 0) ranked ON ranked.id = s.id \
             ORDER BY ranked.score DESC, s.id DESC LIMIT $2 OFFSET $3"
        );
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(&sql)
                .bind(Id::lowest_at(since.0).0)
                .bind(i64::from(limit))
                .bind(i64::from(offset))
                .fetch_all(pool)
                .await?;
            rows.iter().map(map_status).collect()
        })
    }
}
