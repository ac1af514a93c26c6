//! Notifications and the read marker.

use rhizome_model::{Id, Notification, NotificationKind, Timestamp};
use sqlx::QueryBuilder;

use crate::row::Columns;
use crate::{Page, PageRequest, Store, StoreError, with_pool};

/// Which notifications to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotificationFilter {
    /// Only these kinds (all when empty).
    pub types: Vec<NotificationKind>,
    pub exclude_types: Vec<NotificationKind>,
    /// Only from this account.
    pub from_account_id: Option<Id>,
}

const COLUMNS: &str = "n.id, n.account_id, n.from_account_id, n.kind, n.status_id, n.emoji, n.target_account_id, \
     n.account_warning_id, n.created_at";

fn map_notification(row: &impl Columns) -> Result<Notification, StoreError> {
    Ok(Notification {
        id: Id(row.i64("id")?),
        account_id: Id(row.i64("account_id")?),
        from_account_id: Id(row.i64("from_account_id")?),
        kind: row.parsed::<NotificationKind>("kind")?,
        status_id: row.opt_i64("status_id")?.map(Id),
        emoji: row.opt_text("emoji")?,
        target_account_id: row.opt_i64("target_account_id")?.map(Id),
        account_warning_id: row.opt_i64("account_warning_id")?.map(Id),
        created_at: Timestamp(row.i64("created_at")?),
    })
}

impl Store {
    pub async fn insert_notification(&self, n: &Notification) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO notifications (id, account_id, from_account_id, kind, status_id, emoji, \
                 created_at, target_account_id, account_warning_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(n.id.0)
            .bind(n.account_id.0)
            .bind(n.from_account_id.0)
            .bind(n.kind.as_str())
            .bind(n.status_id.map(|id| id.0))
            .bind(&n.emoji)
            .bind(n.created_at.0)
            .bind(n.target_account_id.map(|id| id.0))
            .bind(n.account_warning_id.map(|id| id.0))
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// A user's notifications, hiding those from accounts they block or mute with notifications.
    pub async fn notifications(
        &self,
        account_id: Id,
        filter: &NotificationFilter,
        now: Timestamp,
        page: &PageRequest,
    ) -> Result<Page<Notification>, StoreError> {
        let head = format!("SELECT {COLUMNS} FROM notifications n WHERE n.account_id = ");
        let items = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(head);
            query.push_bind(account_id.0);
            if !filter.types.is_empty() {
                query.push(" AND n.kind IN (");
                let mut list = query.separated(", ");
                for kind in &filter.types {
                    list.push_bind(kind.as_str());
                }
                query.push(")");
            }
            if !filter.exclude_types.is_empty() {
                query.push(" AND n.kind NOT IN (");
                let mut list = query.separated(", ");
                for kind in &filter.exclude_types {
                    list.push_bind(kind.as_str());
                }
                query.push(")");
            }
            if let Some(from) = filter.from_account_id {
                query.push(" AND n.from_account_id = ").push_bind(from.0);
            }
            query.push(" AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = n.account_id AND b.target_account_id = n.from_account_id)");
            query.push(" AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = n.account_id AND m.target_account_id = n.from_account_id AND m.hide_notifications = TRUE AND (m.expires_at IS NULL OR m.expires_at > ");
            query.push_bind(now.0);
            query.push("))");
            page.push_keyset(&mut query, "n.id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter()
                .map(map_notification)
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(page.finish(items, |n| n.id.0))
    }

    pub async fn notification(
        &self,
        account_id: Id,
        id: Id,
    ) -> Result<Option<Notification>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM notifications n WHERE n.account_id = $1 AND n.id = $2");
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql)
                .bind(account_id.0)
                .bind(id.0)
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(map_notification).transpose()
        })
    }

    /// Dismisses one notification (`Some(id)`) or all of them. Returns how many went.
    pub async fn dismiss_notifications(
        &self,
        account_id: Id,
        id: Option<Id>,
    ) -> Result<u64, StoreError> {
        with_pool!(self, write, |pool| {
            let done = match id {
                Some(id) => {
                    sqlx::query("DELETE FROM notifications WHERE account_id = $1 AND id = $2")
                        .bind(account_id.0)
                        .bind(id.0)
                        .execute(pool)
                        .await?
                }
                None => {
                    sqlx::query("DELETE FROM notifications WHERE account_id = $1")
                        .bind(account_id.0)
                        .execute(pool)
                        .await?
                }
            };
            Ok(done.rows_affected())
        })
    }

    /// Whether a like notification for this status and sender exists (avoid duplicates).
    pub async fn notification_exists(
        &self,
        account_id: Id,
        from: Id,
        kind: NotificationKind,
        status_id: Option<Id>,
    ) -> Result<bool, StoreError> {
        with_pool!(self, read, |pool| {
            let found: Option<i32> = sqlx::query_scalar(
                "SELECT 1 FROM notifications WHERE account_id = $1 AND from_account_id = $2 AND kind = $3 \
                 AND COALESCE(status_id, 0) = COALESCE($4, 0) LIMIT 1",
            )
            .bind(account_id.0)
            .bind(from.0)
            .bind(kind.as_str())
            .bind(status_id.map(|id| id.0))
            .fetch_optional(pool)
            .await?;
            Ok(found.is_some())
        })
    }

    /// How many notifications are newer than the read marker.
    pub async fn unread_notifications(
        &self,
        account_id: Id,
        limit: i64,
    ) -> Result<i64, StoreError> {
        with_pool!(self, read, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT COUNT(*) FROM (SELECT 1 FROM notifications n WHERE n.account_id = $1 AND n.id > \
                 COALESCE((SELECT last_read_id FROM markers WHERE account_id = $1 AND timeline = 'notifications'), 0) \
                 LIMIT $2) x",
            )
            .bind(account_id.0)
            .bind(limit)
            .fetch_one(pool)
            .await?)
        })
    }
}
