//! Direct conversations, scheduled statuses and followed hashtags.

use rhizome_model::{Id, Status, Timestamp};
use sqlx::QueryBuilder;

use crate::row::Columns;
use crate::statuses::{STATUS_COLUMNS, map_status, push_column_in};
use crate::{Page, PageRequest, Store, StoreError, begin_write, with_pool};

/// One participant's view of a direct conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountConversation {
    pub id: Id,
    pub account_id: Id,
    pub conversation: String,
    pub last_status_id: Id,
    pub unread: bool,
}

/// A post waiting for its time.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduledStatus {
    pub id: Id,
    pub account_id: Id,
    pub scheduled_at: Timestamp,
    /// The post's parameters, as JSON.
    pub params: String,
    pub created_at: Timestamp,
}

/// A hashtag with what is known of its use.
#[derive(Debug, Clone, PartialEq)]
pub struct TagInfo {
    pub id: Id,
    pub name: String,
    /// (day start, uses, accounts) for the last days, newest first.
    pub history: Vec<(Timestamp, i64, i64)>,
    pub following: bool,
    /// Whether the viewer features it on their profile.
    pub featuring: bool,
}

fn map_conversation(row: &impl Columns) -> Result<AccountConversation, StoreError> {
    Ok(AccountConversation {
        id: Id(row.i64("id")?),
        account_id: Id(row.i64("account_id")?),
        conversation: row.text("conversation")?,
        last_status_id: Id(row.i64("last_status_id")?),
        unread: row.bool("unread")?,
    })
}

fn map_scheduled(row: &impl Columns) -> Result<ScheduledStatus, StoreError> {
    Ok(ScheduledStatus {
        id: Id(row.i64("id")?),
        account_id: Id(row.i64("account_id")?),
        scheduled_at: Timestamp(row.i64("scheduled_at")?),
        params: row.text("params")?,
        created_at: Timestamp(row.i64("created_at")?),
    })
}

impl Store {
    /// Records a direct status in a participant's conversation (unread unless they wrote it).
    pub async fn touch_conversation(
        &self,
        id: Id,
        account_id: Id,
        conversation: &str,
        status_id: Id,
        unread: bool,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO account_conversations (id, account_id, conversation, last_status_id, unread) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id, conversation) DO UPDATE SET \
                 last_status_id = excluded.last_status_id, unread = excluded.unread",
            )
            .bind(id.0)
            .bind(account_id.0)
            .bind(conversation)
            .bind(status_id.0)
            .bind(unread)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// A user's conversations, most recently active first (paginated by last status).
    pub async fn conversations(
        &self,
        account_id: Id,
        page: &PageRequest,
    ) -> Result<Page<AccountConversation>, StoreError> {
        let items = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT id, account_id, conversation, last_status_id, unread FROM account_conversations WHERE account_id = ",
            );
            query.push_bind(account_id.0);
            page.push_keyset(&mut query, "last_status_id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter()
                .map(map_conversation)
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(page.finish(items, |c| c.last_status_id.0))
    }

    pub async fn mark_conversation_read(
        &self,
        account_id: Id,
        id: Id,
    ) -> Result<Option<AccountConversation>, StoreError> {
        with_pool!(self, write, |pool| {
            let row = sqlx::query(
                "UPDATE account_conversations SET unread = FALSE WHERE id = $1 AND account_id = $2 \
                 RETURNING id, account_id, conversation, last_status_id, unread",
            )
            .bind(id.0)
            .bind(account_id.0)
            .fetch_optional(pool)
            .await?;
            row.as_ref().map(map_conversation).transpose()
        })
    }

    pub async fn remove_conversation(&self, account_id: Id, id: Id) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done =
                sqlx::query("DELETE FROM account_conversations WHERE id = $1 AND account_id = $2")
                    .bind(id.0)
                    .bind(account_id.0)
                    .execute(pool)
                    .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// The accounts that took part in a conversation (authors and mentioned), besides `except`.
    pub async fn conversation_participants(
        &self,
        conversation: &str,
        except: Id,
    ) -> Result<Vec<Id>, StoreError> {
        with_pool!(self, read, |pool| {
            let ids: Vec<i64> = sqlx::query_scalar(
                "SELECT DISTINCT p FROM (SELECT s.account_id AS p FROM statuses s WHERE s.conversation = $1 \
                 AND s.visibility = 'direct' UNION SELECT m.account_id AS p FROM mentions m JOIN statuses s \
                 ON s.id = m.status_id WHERE s.conversation = $1 AND s.visibility = 'direct') x WHERE p <> $2",
            )
            .bind(conversation)
            .bind(except.0)
            .fetch_all(pool)
            .await?;
            Ok(ids.into_iter().map(Id).collect())
        })
    }

    /// Direct statuses sent to or by `viewer`, newest first.
    pub async fn direct_timeline(
        &self,
        viewer: Id,
        page: &PageRequest,
    ) -> Result<Page<Status>, StoreError> {
        let head = format!(
            "SELECT {STATUS_COLUMNS} FROM statuses s WHERE s.visibility = 'direct' AND (s.account_id = "
        );
        let items = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(head);
            query.push_bind(viewer.0);
            query.push(
                " OR EXISTS (SELECT 1 FROM mentions m WHERE m.status_id = s.id AND m.account_id = ",
            );
            query.push_bind(viewer.0).push("))");
            page.push_keyset(&mut query, "s.id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter().map(map_status).collect::<Result<Vec<_>, _>>()?
        });
        Ok(page.finish(items, |s| s.id.0))
    }

    /// Stores a scheduled post and, in the same transaction, reserves its uploads (the
    /// author's own, not posted, not reserved by another): all of them, or nothing is stored
    /// (`Conflict`).
    pub async fn insert_scheduled_status(
        &self,
        scheduled: &ScheduledStatus,
        media_ids: &[Id],
    ) -> Result<(), StoreError> {
        begin_write!(self, |tx| {
            sqlx::query(
                "INSERT INTO scheduled_statuses (id, account_id, scheduled_at, params, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(scheduled.id.0)
            .bind(scheduled.account_id.0)
            .bind(scheduled.scheduled_at.0)
            .bind(&scheduled.params)
            .bind(scheduled.created_at.0)
            .execute(&mut *tx)
            .await?;
            for id in media_ids {
                let reserved = sqlx::query(
                    "UPDATE media_attachments SET scheduled_status_id = $1 WHERE id = $2 \
                     AND account_id = $3 AND status_id IS NULL AND (scheduled_status_id IS NULL \
                     OR NOT EXISTS (SELECT 1 FROM scheduled_statuses ss \
                     WHERE ss.id = media_attachments.scheduled_status_id))",
                )
                .bind(scheduled.id.0)
                .bind(id.0)
                .bind(scheduled.account_id.0)
                .execute(&mut *tx)
                .await?;
                if reserved.rows_affected() == 0 {
                    return Err(StoreError::Conflict(
                        "media is already used by another post",
                    ));
                }
            }
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn scheduled_status(&self, id: Id) -> Result<Option<ScheduledStatus>, StoreError> {
        with_pool!(self, read, |pool| {
            let row = sqlx::query("SELECT id, account_id, scheduled_at, params, created_at FROM scheduled_statuses WHERE id = $1")
                .bind(id.0)
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(map_scheduled).transpose()
        })
    }

    pub async fn scheduled_statuses(
        &self,
        account_id: Id,
        page: &PageRequest,
    ) -> Result<Page<ScheduledStatus>, StoreError> {
        let items = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT id, account_id, scheduled_at, params, created_at FROM scheduled_statuses WHERE account_id = ",
            );
            query.push_bind(account_id.0);
            page.push_keyset(&mut query, "id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter()
                .map(map_scheduled)
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(page.finish(items, |s| s.id.0))
    }

    pub async fn reschedule_status(
        &self,
        id: Id,
        account_id: Id,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query(
                "UPDATE scheduled_statuses SET scheduled_at = $3 WHERE id = $1 AND account_id = $2",
            )
            .bind(id.0)
            .bind(account_id.0)
            .bind(at.0)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Removes a scheduled status; returns it when it existed (for the publishing job: once).
    pub async fn take_scheduled_status(
        &self,
        id: Id,
    ) -> Result<Option<ScheduledStatus>, StoreError> {
        with_pool!(self, write, |pool| {
            let row = sqlx::query(
                "DELETE FROM scheduled_statuses WHERE id = $1 RETURNING id, account_id, scheduled_at, params, created_at",
            )
            .bind(id.0)
            .fetch_optional(pool)
            .await?;
            row.as_ref().map(map_scheduled).transpose()
        })
    }

    /// A hashtag by name (case-insensitively) with its last week of use, as `viewer` sees it.
    pub async fn tag_info(
        &self,
        name: &str,
        viewer: Option<Id>,
        now: Timestamp,
    ) -> Result<Option<TagInfo>, StoreError> {
        let day = 86_400_000;
        let today = now.0 - now.0.rem_euclid(day);
        with_pool!(self, read, |pool| {
            let Some(row) = sqlx::query("SELECT id, name FROM tags WHERE lower(name) = lower($1)")
                .bind(name)
                .fetch_optional(pool)
                .await?
            else {
                return Ok(None);
            };
            let id = Id(row.i64("id")?);
            let mut history = Vec::new();
            for days_ago in 0..7 {
                let start = today - days_ago * day;
                let counts = sqlx::query(
                    "SELECT COUNT(*) AS uses, COUNT(DISTINCT s.account_id) AS accounts FROM status_tags st \
                     JOIN statuses s ON s.id = st.status_id WHERE st.tag_id = $1 AND s.created_at >= $2 AND s.created_at < $3",
                )
                .bind(id.0)
                .bind(start)
                .bind(start + day)
                .fetch_one(pool)
                .await?;
                history.push((
                    Timestamp(start),
                    counts.i64("uses")?,
                    counts.i64("accounts")?,
                ));
            }
            let following = match viewer {
                Some(viewer) => sqlx::query_scalar::<_, i32>(
                    "SELECT 1 FROM tag_follows WHERE account_id = $1 AND tag_id = $2",
                )
                .bind(viewer.0)
                .bind(id.0)
                .fetch_optional(pool)
                .await?
                .is_some(),
                None => false,
            };
            let featuring = match viewer {
                Some(viewer) => sqlx::query_scalar::<_, i32>(
                    "SELECT 1 FROM featured_tags WHERE account_id = $1 AND tag_id = $2",
                )
                .bind(viewer.0)
                .bind(id.0)
                .fetch_optional(pool)
                .await?
                .is_some(),
                None => false,
            };
            Ok(Some(TagInfo {
                id,
                name: row.text("name")?,
                history,
                following,
                featuring,
            }))
        })
    }

    pub async fn follow_tag(
        &self,
        account_id: Id,
        tag_id: Id,
        follow: bool,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            if follow {
                sqlx::query("INSERT INTO tag_follows (account_id, tag_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                    .bind(account_id.0)
                    .bind(tag_id.0)
                    .bind(at.0)
                    .execute(pool)
                    .await?;
            } else {
                sqlx::query("DELETE FROM tag_follows WHERE account_id = $1 AND tag_id = $2")
                    .bind(account_id.0)
                    .bind(tag_id.0)
                    .execute(pool)
                    .await?;
            }
        });
        Ok(())
    }

    /// Ensures a tag exists (so that one can follow a tag nobody used yet); returns its id.
    pub async fn ensure_tag(&self, id: Id, name: &str, at: Timestamp) -> Result<Id, StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query("INSERT INTO tags (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(id.0)
                .bind(name)
                .bind(at.0)
                .execute(pool)
                .await?;
            let found: i64 =
                sqlx::query_scalar("SELECT id FROM tags WHERE lower(name) = lower($1)")
                    .bind(name)
                    .fetch_one(pool)
                    .await?;
            Ok(Id(found))
        })
    }

    /// Names of the tags a user follows.
    pub async fn followed_tags(&self, account_id: Id) -> Result<Vec<String>, StoreError> {
        with_pool!(self, read, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT t.name FROM tag_follows f JOIN tags t ON t.id = f.tag_id WHERE f.account_id = $1 ORDER BY t.name",
            )
            .bind(account_id.0)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Local accounts following any of a status's tags.
    pub async fn tag_followers_of_status(&self, status_id: Id) -> Result<Vec<Id>, StoreError> {
        with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT DISTINCT f.account_id FROM tag_follows f JOIN status_tags st ON st.tag_id = f.tag_id \
                 WHERE ",
            );
            push_column_in(&mut query, "st.status_id", &[status_id]);
            let ids: Vec<i64> = query.build_query_scalar().fetch_all(pool).await?;
            Ok(ids.into_iter().map(Id).collect())
        })
    }
}
