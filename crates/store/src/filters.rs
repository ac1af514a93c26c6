//! Content filters: keywords and statuses a user does not want to see, per context.

use rhizome_model::{Id, Timestamp};

use crate::row::Columns;
use crate::{Store, StoreError, begin_write, with_pool};

#[derive(Debug, Clone, PartialEq)]
pub struct FilterKeyword {
    pub id: Id,
    pub keyword: String,
    pub whole_word: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub id: Id,
    pub account_id: Id,
    pub title: String,
    /// Where it applies: home, notifications, public, thread, account.
    pub contexts: Vec<String>,
    /// `warn` or `hide`.
    pub action: String,
    pub expires_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub keywords: Vec<FilterKeyword>,
    /// (row id, status id)
    pub statuses: Vec<(Id, Id)>,
}

impl Store {
    /// Creates or replaces a filter with its keywords (statuses are kept).
    pub async fn save_filter(&self, filter: &Filter) -> Result<(), StoreError> {
        let contexts = crate::accounts::to_json(&filter.contexts);
        begin_write!(self, |tx| {
            sqlx::query(
                "INSERT INTO filters (id, account_id, title, contexts, action, expires_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET \
                 title = excluded.title, contexts = excluded.contexts, action = excluded.action, \
                 expires_at = excluded.expires_at",
            )
            .bind(filter.id.0)
            .bind(filter.account_id.0)
            .bind(&filter.title)
            .bind(&contexts)
            .bind(&filter.action)
            .bind(filter.expires_at.map(|t| t.0))
            .bind(filter.created_at.0)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM filter_keywords WHERE filter_id = $1")
                .bind(filter.id.0)
                .execute(&mut *tx)
                .await?;
            for keyword in &filter.keywords {
                sqlx::query(
                    "INSERT INTO filter_keywords (id, filter_id, keyword, whole_word) VALUES ($1, $2, $3, $4)",
                )
                .bind(keyword.id.0)
                .bind(filter.id.0)
                .bind(&keyword.keyword)
                .bind(keyword.whole_word)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn delete_filter(&self, owner: Id, id: Id) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query("DELETE FROM filters WHERE id = $1 AND account_id = $2")
                .bind(id.0)
                .bind(owner.0)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    pub async fn add_filter_status(
        &self,
        filter_id: Id,
        row_id: Id,
        status_id: Id,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO filter_statuses (id, filter_id, status_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(row_id.0)
            .bind(filter_id.0)
            .bind(status_id.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn remove_filter_status(
        &self,
        filter_id: Id,
        row_id: Id,
    ) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query("DELETE FROM filter_statuses WHERE filter_id = $1 AND id = $2")
                .bind(filter_id.0)
                .bind(row_id.0)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// A user's filters with their keywords and statuses, oldest first.
    pub async fn filters_of(&self, owner: Id) -> Result<Vec<Filter>, StoreError> {
        let (filters, keywords, statuses) = with_pool!(self, read, |pool| {
            let filters = sqlx::query(
                "SELECT id, account_id, title, contexts, action, expires_at, created_at FROM filters \
                 WHERE account_id = $1 ORDER BY id",
            )
            .bind(owner.0)
            .fetch_all(pool)
            .await?;
            // Most users have no filters, and every timeline page asks.
            if filters.is_empty() {
                return Ok(Vec::new());
            }
            let keywords = sqlx::query(
                "SELECT k.id, k.filter_id, k.keyword, k.whole_word FROM filter_keywords k \
                 JOIN filters f ON f.id = k.filter_id WHERE f.account_id = $1 ORDER BY k.id",
            )
            .bind(owner.0)
            .fetch_all(pool)
            .await?;
            let statuses = sqlx::query(
                "SELECT s.id, s.filter_id, s.status_id FROM filter_statuses s \
                 JOIN filters f ON f.id = s.filter_id WHERE f.account_id = $1 ORDER BY s.id",
            )
            .bind(owner.0)
            .fetch_all(pool)
            .await?;
            let filters = filters
                .iter()
                .map(|row| {
                    Ok(Filter {
                        id: Id(row.i64("id")?),
                        account_id: Id(row.i64("account_id")?),
                        title: row.text("title")?,
                        contexts: row.json("contexts")?,
                        action: row.text("action")?,
                        expires_at: row.opt_i64("expires_at")?.map(Timestamp),
                        created_at: Timestamp(row.i64("created_at")?),
                        keywords: Vec::new(),
                        statuses: Vec::new(),
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let keywords = keywords
                .iter()
                .map(|row| {
                    Ok((
                        Id(row.i64("filter_id")?),
                        FilterKeyword {
                            id: Id(row.i64("id")?),
                            keyword: row.text("keyword")?,
                            whole_word: row.bool("whole_word")?,
                        },
                    ))
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let statuses = statuses
                .iter()
                .map(|row| {
                    Ok((
                        Id(row.i64("filter_id")?),
                        Id(row.i64("id")?),
                        Id(row.i64("status_id")?),
                    ))
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            (filters, keywords, statuses)
        });
        let mut filters = filters;
        for filter in &mut filters {
            filter.keywords = keywords
                .iter()
                .filter(|(f, _)| *f == filter.id)
                .map(|(_, k)| k.clone())
                .collect();
            filter.statuses = statuses
                .iter()
                .filter(|(f, _, _)| *f == filter.id)
                .map(|(_, row, s)| (*row, *s))
                .collect();
        }
        Ok(filters)
    }
}
