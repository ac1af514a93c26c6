//! Lists of accounts (with their own timelines) and read markers.

use rhizome_model::{Account, Id, Status, Timestamp};
use sqlx::QueryBuilder;

use crate::accounts::{ACCOUNT_COLUMNS, map_account};
use crate::row::Columns;
use crate::statuses::{STATUS_COLUMNS, map_status, push_column_in, push_visible_to};
use crate::{Page, PageRequest, Store, StoreError, with_pool};

/// Which replies a list's timeline shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepliesPolicy {
    /// Replies to any followed account.
    Followed,
    /// Replies to members of the list.
    List,
    /// No replies.
    None,
}

impl RepliesPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            RepliesPolicy::Followed => "followed",
            RepliesPolicy::List => "list",
            RepliesPolicy::None => "none",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "followed" => Some(RepliesPolicy::Followed),
            "list" => Some(RepliesPolicy::List),
            "none" => Some(RepliesPolicy::None),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct List {
    pub id: Id,
    pub account_id: Id,
    pub title: String,
    pub replies_policy: RepliesPolicy,
    pub exclusive: bool,
    pub created_at: Timestamp,
}

/// A read marker.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub timeline: String,
    pub last_read_id: Id,
    pub version: i64,
    pub updated_at: Timestamp,
}

fn map_list(row: &impl Columns) -> Result<List, StoreError> {
    Ok(List {
        id: Id(row.i64("id")?),
        account_id: Id(row.i64("account_id")?),
        title: row.text("title")?,
        replies_policy: RepliesPolicy::parse(&row.text("replies_policy")?).ok_or(
            StoreError::Corrupt {
                column: "replies_policy",
                reason: "unknown".into(),
            },
        )?,
        exclusive: row.bool("exclusive")?,
        created_at: Timestamp(row.i64("created_at")?),
    })
}

const LIST_COLUMNS: &str = "id, account_id, title, replies_policy, exclusive, created_at";

impl Store {
    pub async fn create_list(&self, list: &List) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO lists (id, account_id, title, replies_policy, exclusive, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(list.id.0)
            .bind(list.account_id.0)
            .bind(&list.title)
            .bind(list.replies_policy.as_str())
            .bind(list.exclusive)
            .bind(list.created_at.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Changes a list's settings, if `owner` owns it.
    pub async fn update_list(&self, list: &List) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query(
                "UPDATE lists SET title = $3, replies_policy = $4, exclusive = $5 \
                 WHERE id = $1 AND account_id = $2",
            )
            .bind(list.id.0)
            .bind(list.account_id.0)
            .bind(&list.title)
            .bind(list.replies_policy.as_str())
            .bind(list.exclusive)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    pub async fn delete_list(&self, owner: Id, id: Id) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query("DELETE FROM lists WHERE id = $1 AND account_id = $2")
                .bind(id.0)
                .bind(owner.0)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// A list, if `owner` owns it.
    pub async fn list(&self, owner: Id, id: Id) -> Result<Option<List>, StoreError> {
        let sql = format!("SELECT {LIST_COLUMNS} FROM lists WHERE id = $1 AND account_id = $2");
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql)
                .bind(id.0)
                .bind(owner.0)
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(map_list).transpose()
        })
    }

    /// An owner's lists, oldest first (or only those containing `member`).
    pub async fn lists_of(&self, owner: Id, member: Option<Id>) -> Result<Vec<List>, StoreError> {
        with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(format!(
                "SELECT {LIST_COLUMNS} FROM lists WHERE account_id = "
            ));
            query.push_bind(owner.0);
            if let Some(member) = member {
                query.push(" AND id IN (SELECT list_id FROM list_accounts WHERE account_id = ");
                query.push_bind(member.0).push(")");
            }
            query.push(" ORDER BY id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter().map(map_list).collect()
        })
    }

    pub async fn add_list_members(&self, list_id: Id, accounts: &[Id]) -> Result<(), StoreError> {
        if accounts.is_empty() {
            return Ok(());
        }
        with_pool!(self, write, |pool| {
            let mut query = QueryBuilder::new("INSERT INTO list_accounts (list_id, account_id) ");
            query.push_values(accounts, |mut row, account| {
                row.push_bind(list_id.0).push_bind(account.0);
            });
            query.push(" ON CONFLICT DO NOTHING");
            query.build().execute(pool).await?;
        });
        Ok(())
    }

    pub async fn remove_list_members(
        &self,
        list_id: Id,
        accounts: &[Id],
    ) -> Result<(), StoreError> {
        if accounts.is_empty() {
            return Ok(());
        }
        with_pool!(self, write, |pool| {
            let mut query = QueryBuilder::new("DELETE FROM list_accounts WHERE list_id = ");
            query.push_bind(list_id.0).push(" AND ");
            push_column_in(&mut query, "account_id", accounts);
            query.build().execute(pool).await?;
        });
        Ok(())
    }

    /// Members of a list, by account id.
    pub async fn list_members(
        &self,
        list_id: Id,
        page: &PageRequest,
    ) -> Result<Page<Account>, StoreError> {
        let head = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM list_accounts la JOIN accounts a ON a.id = la.account_id \
             WHERE la.list_id = "
        );
        let items = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(head);
            query.push_bind(list_id.0);
            page.push_keyset(&mut query, "a.id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter()
                .map(map_account)
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(page.finish(items, |a| a.id.0))
    }

    /// A list's timeline: its members' statuses that the owner may see, with replies as the
    /// list's policy says.
    pub async fn list_timeline(
        &self,
        list: &List,
        page: &PageRequest,
    ) -> Result<Page<Status>, StoreError> {
        let head = format!(
            "SELECT {STATUS_COLUMNS} FROM statuses s WHERE s.account_id IN \
             (SELECT account_id FROM list_accounts WHERE list_id = "
        );
        let owner = list.account_id;
        let items = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(head);
            query.push_bind(list.id.0).push(")");
            match list.replies_policy {
                RepliesPolicy::None => {
                    query.push(" AND s.in_reply_to_id IS NULL");
                }
                RepliesPolicy::List => {
                    query.push(
                        " AND (s.in_reply_to_account_id IS NULL OR s.in_reply_to_account_id = s.account_id \
                         OR s.in_reply_to_account_id IN (SELECT account_id FROM list_accounts WHERE list_id = ",
                    );
                    query.push_bind(list.id.0).push("))");
                }
                RepliesPolicy::Followed => {
                    query.push(
                        " AND (s.in_reply_to_account_id IS NULL OR s.in_reply_to_account_id = s.account_id \
                         OR s.in_reply_to_account_id IN (SELECT target_account_id FROM follows WHERE account_id = ",
                    );
                    query.push_bind(owner.0).push("))");
                }
            }
            push_visible_to(&mut query, Some(owner));
            page.push_keyset(&mut query, "s.id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter().map(map_status).collect::<Result<Vec<_>, _>>()?
        });
        Ok(page.finish(items, |s| s.id.0))
    }

    pub async fn markers(&self, account_id: Id) -> Result<Vec<Marker>, StoreError> {
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(
                "SELECT timeline, last_read_id, version, updated_at FROM markers WHERE account_id = $1",
            )
            .bind(account_id.0)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(Marker {
                        timeline: row.text("timeline")?,
                        last_read_id: Id(row.i64("last_read_id")?),
                        version: row.i64("version")?,
                        updated_at: Timestamp(row.i64("updated_at")?),
                    })
                })
                .collect()
        })
    }

    /// Moves a read marker (each save bumps its version, as Mastodon's do).
    pub async fn set_marker(
        &self,
        account_id: Id,
        timeline: &str,
        last_read_id: Id,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO markers (account_id, timeline, last_read_id, version, updated_at) \
                 VALUES ($1, $2, $3, 1, $4) ON CONFLICT (account_id, timeline) DO UPDATE SET \
                 last_read_id = excluded.last_read_id, version = markers.version + 1, \
                 updated_at = excluded.updated_at",
            )
            .bind(account_id.0)
            .bind(timeline)
            .bind(last_read_id.0)
            .bind(at.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
