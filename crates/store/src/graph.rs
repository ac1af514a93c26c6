//! The social graph: follows, follow requests, blocks, mutes, user-level domain blocks.

use std::collections::HashMap;

use rhizome_model::{Account, Follow, Id, Relationship, Timestamp};
use sqlx::QueryBuilder;

use crate::accounts::{ACCOUNT_COLUMNS, map_account};
use crate::row::Columns;
use crate::statuses::push_column_in;
use crate::{Page, PageRequest, Store, StoreError, begin_write, with_pool};

/// Followers, following and status counts of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AccountCounts {
    pub followers: i64,
    pub following: i64,
    pub statuses: i64,
    pub last_status_at: Option<Timestamp>,
}

const FOLLOW_COLUMNS: &str =
    "id, account_id, target_account_id, uri, show_reblogs, notify, created_at";

fn map_follow(row: &impl Columns) -> Result<Follow, StoreError> {
    Ok(Follow {
        id: Id(row.i64("id")?),
        account_id: Id(row.i64("account_id")?),
        target_account_id: Id(row.i64("target_account_id")?),
        uri: row.opt_text("uri")?,
        show_reblogs: row.bool("show_reblogs")?,
        notify: row.bool("notify")?,
        created_at: Timestamp(row.i64("created_at")?),
    })
}

/// Which of the two follow tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowTable {
    Follows,
    Requests,
}

impl FollowTable {
    fn name(self) -> &'static str {
        match self {
            FollowTable::Follows => "follows",
            FollowTable::Requests => "follow_requests",
        }
    }
}

/// Whether the follower of the row `f` is a local account, looked up by its primary key for
/// each follower. As a join, PostgreSQL walked every local account and probed its follows
/// whenever its statistics underestimated the local accounts (3.8 ms for each incoming post
/// in the inbox benchmark, whose accounts were never analysed); as a subquery per row, the
/// cost follows the number of followers alone, which is the small side.
const FOLLOWER_IS_LOCAL: &str =
    "(SELECT a.domain IS NULL FROM accounts a WHERE a.id = f.account_id)";

/// The relation kinds of [`Store::relationships`], each read with one `SELECT` of a
/// `UNION ALL`: (select list and table, viewer column, target column).
const RELATION_KINDS: [(&str, &str, &str); 8] = [
    (
        "show_reblogs AS a, notify AS b FROM follows",
        "account_id",
        "target_account_id",
    ),
    (
        "TRUE AS a, TRUE AS b FROM follows",
        "target_account_id",
        "account_id",
    ),
    (
        "TRUE AS a, TRUE AS b FROM blocks",
        "account_id",
        "target_account_id",
    ),
    (
        "TRUE AS a, TRUE AS b FROM blocks",
        "target_account_id",
        "account_id",
    ),
    (
        "hide_notifications AS a, TRUE AS b FROM mutes",
        "account_id",
        "target_account_id",
    ),
    (
        "TRUE AS a, TRUE AS b FROM follow_requests",
        "account_id",
        "target_account_id",
    ),
    (
        "TRUE AS a, TRUE AS b FROM follow_requests",
        "target_account_id",
        "account_id",
    ),
    (
        "TRUE AS a, TRUE AS b FROM account_pins",
        "account_id",
        "target_account_id",
    ),
];

/// The kind of [`Store::relationships`]' rows for the viewer's domain blocks.
const DOMAIN_BLOCK_KIND: usize = RELATION_KINDS.len();

impl Store {
    /// Records a follow or a follow request; an existing one is updated (options, uri).
    pub async fn upsert_follow(
        &self,
        table: FollowTable,
        follow: &Follow,
    ) -> Result<Follow, StoreError> {
        let sql = format!(
            "INSERT INTO {} ({FOLLOW_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (account_id, target_account_id) DO UPDATE SET \
             show_reblogs = excluded.show_reblogs, notify = excluded.notify, \
             uri = COALESCE(excluded.uri, {}.uri) RETURNING {FOLLOW_COLUMNS}",
            table.name(),
            table.name()
        );
        with_pool!(self, write, |pool| {
            let row = sqlx::query(&sql)
                .bind(follow.id.0)
                .bind(follow.account_id.0)
                .bind(follow.target_account_id.0)
                .bind(&follow.uri)
                .bind(follow.show_reblogs)
                .bind(follow.notify)
                .bind(follow.created_at.0)
                .fetch_one(pool)
                .await?;
            map_follow(&row)
        })
    }

    pub async fn follow_between(
        &self,
        table: FollowTable,
        account_id: Id,
        target_account_id: Id,
    ) -> Result<Option<Follow>, StoreError> {
        let sql = format!(
            "SELECT {FOLLOW_COLUMNS} FROM {} WHERE account_id = $1 AND target_account_id = $2",
            table.name()
        );
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql)
                .bind(account_id.0)
                .bind(target_account_id.0)
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(map_follow).transpose()
        })
    }

    /// Finds a follow or request by the id of its Follow activity.
    pub async fn follow_by_uri(
        &self,
        table: FollowTable,
        uri: &str,
    ) -> Result<Option<Follow>, StoreError> {
        let sql = format!(
            "SELECT {FOLLOW_COLUMNS} FROM {} WHERE uri = $1",
            table.name()
        );
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql).bind(uri).fetch_optional(pool).await?;
            row.as_ref().map(map_follow).transpose()
        })
    }

    /// Removes a follow or request. Returns the removed row. An account one no longer
    /// follows is no longer endorsed either (endorsements are of followed accounts only).
    pub async fn delete_follow(
        &self,
        table: FollowTable,
        account_id: Id,
        target_account_id: Id,
    ) -> Result<Option<Follow>, StoreError> {
        let sql = format!(
            "DELETE FROM {} WHERE account_id = $1 AND target_account_id = $2 RETURNING {FOLLOW_COLUMNS}",
            table.name()
        );
        begin_write!(self, |tx| {
            let row = sqlx::query(&sql)
                .bind(account_id.0)
                .bind(target_account_id.0)
                .fetch_optional(&mut *tx)
                .await?;
            if table == FollowTable::Follows {
                sqlx::query(
                    "DELETE FROM account_pins WHERE account_id = $1 AND target_account_id = $2",
                )
                .bind(account_id.0)
                .bind(target_account_id.0)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            row.as_ref().map(map_follow).transpose()
        })
    }

    /// Turns a follow request into a follow, in one transaction. Returns the follow.
    pub async fn accept_follow_request(
        &self,
        account_id: Id,
        target_account_id: Id,
    ) -> Result<Option<Follow>, StoreError> {
        let delete = format!(
            "DELETE FROM follow_requests WHERE account_id = $1 AND target_account_id = $2 \
             RETURNING {FOLLOW_COLUMNS}"
        );
        let insert = format!(
            "INSERT INTO follows ({FOLLOW_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (account_id, target_account_id) DO NOTHING"
        );
        begin_write!(self, |tx| {
            let row = sqlx::query(&delete)
                .bind(account_id.0)
                .bind(target_account_id.0)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(request) = row.as_ref().map(map_follow).transpose()? else {
                return Ok(None);
            };
            sqlx::query(&insert)
                .bind(request.id.0)
                .bind(request.account_id.0)
                .bind(request.target_account_id.0)
                .bind(&request.uri)
                .bind(request.show_reblogs)
                .bind(request.notify)
                .bind(request.created_at.0)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(Some(request))
        })
    }

    /// Accounts on one side of the follow table, paginated by follow id:
    /// `followers == true` lists who follows `account_id`, else whom it follows.
    pub async fn follow_list(
        &self,
        table: FollowTable,
        account_id: Id,
        followers: bool,
        page: &PageRequest,
    ) -> Result<Page<Account>, StoreError> {
        let (join_on, filter) = if followers {
            ("a.id = f.account_id", "f.target_account_id")
        } else {
            ("a.id = f.target_account_id", "f.account_id")
        };
        let head = format!(
            "SELECT {ACCOUNT_COLUMNS}, f.id AS follow_id FROM {} f JOIN accounts a ON {join_on} \
             WHERE a.suspended_at IS NULL AND {filter} = ",
            table.name()
        );
        let rows = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(head);
            query.push_bind(account_id.0);
            page.push_keyset(&mut query, "f.id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter()
                .map(|row| Ok((row.i64("follow_id")?, map_account(row)?)))
                .collect::<Result<Vec<_>, StoreError>>()?
        });
        Ok(page
            .finish(rows, |(follow_id, _)| *follow_id)
            .map(|(_, account)| account))
    }

    /// Ids of local accounts following `account_id` (for home timelines).
    pub async fn local_follower_ids(&self, account_id: Id) -> Result<Vec<Id>, StoreError> {
        with_pool!(self, read, |pool| {
            let ids: Vec<i64> = sqlx::query_scalar(&format!(
                "SELECT f.account_id FROM follows f \
                 WHERE f.target_account_id = $1 AND {FOLLOWER_IS_LOCAL}"
            ))
            .bind(account_id.0)
            .fetch_all(pool)
            .await?;
            Ok(ids.into_iter().map(Id).collect())
        })
    }

    /// Local followers of `account_id` who asked to be told of each new post (`notify`).
    pub async fn notified_follower_ids(&self, account_id: Id) -> Result<Vec<Id>, StoreError> {
        with_pool!(self, read, |pool| {
            let ids: Vec<i64> = sqlx::query_scalar(&format!(
                "SELECT f.account_id FROM follows f \
                 WHERE f.target_account_id = $1 AND f.notify AND {FOLLOWER_IS_LOCAL}"
            ))
            .bind(account_id.0)
            .fetch_all(pool)
            .await?;
            Ok(ids.into_iter().map(Id).collect())
        })
    }

    /// The inboxes of remote followers of `account_id`, one per server (shared inbox when
    /// the server has one).
    pub async fn follower_inboxes(&self, account_id: Id) -> Result<Vec<String>, StoreError> {
        with_pool!(self, read, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT DISTINCT COALESCE(a.shared_inbox_url, a.inbox_url) FROM follows f \
                 JOIN accounts a ON a.id = f.account_id WHERE f.target_account_id = $1 \
                 AND a.domain IS NOT NULL AND a.suspended_at IS NULL \
                 AND COALESCE(a.shared_inbox_url, a.inbox_url) IS NOT NULL",
            )
            .bind(account_id.0)
            .fetch_all(pool)
            .await?)
        })
    }

    /// The inboxes of remote accounts `account_id` follows, one per server.
    pub async fn following_inboxes(&self, account_id: Id) -> Result<Vec<String>, StoreError> {
        with_pool!(self, read, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT DISTINCT COALESCE(a.shared_inbox_url, a.inbox_url) FROM follows f \
                 JOIN accounts a ON a.id = f.target_account_id WHERE f.account_id = $1 \
                 AND a.domain IS NOT NULL \
                 AND COALESCE(a.shared_inbox_url, a.inbox_url) IS NOT NULL",
            )
            .bind(account_id.0)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Counts for several accounts at once.
    pub async fn account_counts(
        &self,
        ids: &[Id],
    ) -> Result<HashMap<Id, AccountCounts>, StoreError> {
        let mut counts: HashMap<Id, AccountCounts> = ids
            .iter()
            .map(|id| (*id, AccountCounts::default()))
            .collect();
        if ids.is_empty() {
            return Ok(counts);
        }
        with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(
                // Kept by triggers (migration 0013); an account without a row has no posts
                // or follows yet.
                "SELECT account_id AS id, followers_count AS followers, \
                 following_count AS following, statuses_count AS statuses, last_status_at \
                 FROM account_stats WHERE ",
            );
            push_column_in(&mut query, "account_id", ids);
            for row in query.build().fetch_all(pool).await? {
                let entry = counts.entry(Id(row.i64("id")?)).or_default();
                entry.followers = row.i64("followers")?;
                entry.following = row.i64("following")?;
                entry.statuses = row.i64("statuses")?;
                entry.last_status_at = row.opt_i64("last_status_at")?.map(Timestamp);
            }
        });
        Ok(counts)
    }

    /// Blocks `target` for `account`, dropping follows, requests and endorsements both ways.
    pub async fn block(
        &self,
        id: Id,
        account_id: Id,
        target_account_id: Id,
        uri: Option<&str>,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        begin_write!(self, |tx| {
            for table in ["follows", "follow_requests", "account_pins"] {
                let sql = format!(
                    "DELETE FROM {table} WHERE (account_id = $1 AND target_account_id = $2) \
                     OR (account_id = $2 AND target_account_id = $1)"
                );
                sqlx::query(&sql)
                    .bind(account_id.0)
                    .bind(target_account_id.0)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(
                "INSERT INTO blocks (id, account_id, target_account_id, uri, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id, target_account_id) DO NOTHING",
            )
            .bind(id.0)
            .bind(account_id.0)
            .bind(target_account_id.0)
            .bind(uri)
            .bind(at.0)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Removes a block; returns its activity id (for Undo) when there was one.
    pub async fn unblock(
        &self,
        account_id: Id,
        target_account_id: Id,
    ) -> Result<Option<Option<String>>, StoreError> {
        with_pool!(self, write, |pool| {
            let row = sqlx::query(
                "DELETE FROM blocks WHERE account_id = $1 AND target_account_id = $2 RETURNING uri",
            )
            .bind(account_id.0)
            .bind(target_account_id.0)
            .fetch_optional(pool)
            .await?;
            row.as_ref().map(|row| row.opt_text("uri")).transpose()
        })
    }

    /// Whether either account blocks the other.
    pub async fn blocked_either_way(&self, a: Id, b: Id) -> Result<bool, StoreError> {
        with_pool!(self, read, |pool| {
            let found: Option<i32> = sqlx::query_scalar(
                "SELECT 1 FROM blocks WHERE (account_id = $1 AND target_account_id = $2) \
                 OR (account_id = $2 AND target_account_id = $1) LIMIT 1",
            )
            .bind(a.0)
            .bind(b.0)
            .fetch_optional(pool)
            .await?;
            Ok(found.is_some())
        })
    }

    pub async fn mute(
        &self,
        id: Id,
        account_id: Id,
        target_account_id: Id,
        hide_notifications: bool,
        expires_at: Option<Timestamp>,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO mutes (id, account_id, target_account_id, hide_notifications, \
                 expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (account_id, target_account_id) DO UPDATE SET \
                 hide_notifications = excluded.hide_notifications, expires_at = excluded.expires_at",
            )
            .bind(id.0)
            .bind(account_id.0)
            .bind(target_account_id.0)
            .bind(hide_notifications)
            .bind(expires_at.map(|t| t.0))
            .bind(at.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn unmute(&self, account_id: Id, target_account_id: Id) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done =
                sqlx::query("DELETE FROM mutes WHERE account_id = $1 AND target_account_id = $2")
                    .bind(account_id.0)
                    .bind(target_account_id.0)
                    .execute(pool)
                    .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Accounts `account_id` blocks (`mutes == false`) or mutes, paginated by row id, each
    /// with the moment its mute ends (always `None` for blocks, which do not expire).
    pub async fn blocked_or_muted(
        &self,
        account_id: Id,
        mutes: bool,
        now: Timestamp,
        page: &PageRequest,
    ) -> Result<Page<(Account, Option<Timestamp>)>, StoreError> {
        let head = if mutes {
            format!(
                "SELECT {ACCOUNT_COLUMNS}, b.id AS row_id, b.expires_at AS ends_at \
                 FROM mutes b JOIN accounts a \
                 ON a.id = b.target_account_id WHERE (b.expires_at IS NULL OR b.expires_at > {}) \
                 AND b.account_id = ",
                now.0
            )
        } else {
            format!(
                "SELECT {ACCOUNT_COLUMNS}, b.id AS row_id, NULL AS ends_at FROM blocks b \
                 JOIN accounts a ON a.id = b.target_account_id WHERE b.account_id = "
            )
        };
        let rows = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(head);
            query.push_bind(account_id.0);
            page.push_keyset(&mut query, "b.id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter()
                .map(|row| {
                    Ok((
                        row.i64("row_id")?,
                        map_account(row)?,
                        row.opt_i64("ends_at")?.map(Timestamp),
                    ))
                })
                .collect::<Result<Vec<_>, StoreError>>()?
        });
        Ok(page
            .finish(rows, |(row_id, _, _)| *row_id)
            .map(|(_, account, ends_at)| (account, ends_at)))
    }

    pub async fn block_domain_for_user(
        &self,
        id: Id,
        account_id: Id,
        domain: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO account_domain_blocks (id, account_id, domain, created_at) \
                 VALUES ($1, $2, lower($3), $4) ON CONFLICT (account_id, domain) DO NOTHING",
            )
            .bind(id.0)
            .bind(account_id.0)
            .bind(domain)
            .bind(at.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn unblock_domain_for_user(
        &self,
        account_id: Id,
        domain: &str,
    ) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query(
                "DELETE FROM account_domain_blocks WHERE account_id = $1 AND domain = lower($2)",
            )
            .bind(account_id.0)
            .bind(domain)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// A user's blocked domains, paginated by row id.
    pub async fn user_domain_blocks(
        &self,
        account_id: Id,
        page: &PageRequest,
    ) -> Result<Page<String>, StoreError> {
        let rows = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT id, domain FROM account_domain_blocks WHERE account_id = ",
            );
            query.push_bind(account_id.0);
            page.push_keyset(&mut query, "id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter()
                .map(|row| Ok((row.i64("id")?, row.text("domain")?)))
                .collect::<Result<Vec<_>, StoreError>>()?
        });
        Ok(page.finish(rows, |(id, _)| *id).map(|(_, domain)| domain))
    }

    /// The viewer's relationships to each target.
    pub async fn relationships(
        &self,
        viewer: Id,
        targets: &[Id],
        now: Timestamp,
    ) -> Result<HashMap<Id, Relationship>, StoreError> {
        let mut result: HashMap<Id, Relationship> = targets
            .iter()
            .map(|id| (*id, Relationship::default()))
            .collect();
        // The targets are bound once per relation kind: a bounded number of them per
        // statement keeps far from SQLite's and PostgreSQL's limits on bound parameters.
        for targets in targets.chunks(200) {
            for (kind, target, a, b) in self.relation_rows(viewer, targets, now).await? {
                let Some(rel) = result.get_mut(&Id(target)) else {
                    continue;
                };
                match kind {
                    0 => {
                        rel.following = true;
                        rel.showing_reblogs = a;
                        rel.notifying = b;
                    }
                    1 => rel.followed_by = true,
                    2 => rel.blocking = true,
                    3 => rel.blocked_by = true,
                    4 => {
                        rel.muting = true;
                        rel.muting_notifications = a;
                    }
                    5 => rel.requested = true,
                    6 => rel.requested_by = true,
                    7 => rel.endorsed = true,
                    _ => rel.domain_blocking = true,
                }
            }
        }
        Ok(result)
    }

    /// Every relation of the viewer to `targets`, in one statement: (kind, target, a, b), the
    /// kind being the index in [`RELATION_KINDS`] or [`DOMAIN_BLOCK_KIND`].
    async fn relation_rows(
        &self,
        viewer: Id,
        targets: &[Id],
        now: Timestamp,
    ) -> Result<Vec<(i64, i64, bool, bool)>, StoreError> {
        with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new("");
            let push_targets = |query: &mut QueryBuilder<'_, _>, column: &str| {
                query.push(format_args!(" AND {column} IN ("));
                let mut list = query.separated(", ");
                for id in targets {
                    list.push_bind(id.0);
                }
                query.push(")");
            };
            for (index, (from, viewer_column, target_column)) in RELATION_KINDS.iter().enumerate() {
                if index > 0 {
                    query.push(" UNION ALL ");
                }
                query.push(format_args!(
                    "SELECT CAST({index} AS BIGINT) AS k, {target_column} AS t, {from} \
                     WHERE {viewer_column} = "
                ));
                query.push_bind(viewer.0);
                if from.ends_with("mutes") {
                    query
                        .push(" AND (expires_at IS NULL OR expires_at > ")
                        .push_bind(now.0)
                        .push(")");
                }
                push_targets(&mut query, target_column);
            }
            // The viewer's domain blocks apply to every account of the domain (stored in
            // lower case).
            query.push(format_args!(
                " UNION ALL SELECT CAST({DOMAIN_BLOCK_KIND} AS BIGINT) AS k, a.id AS t, \
                 TRUE AS a, TRUE AS b FROM accounts a JOIN account_domain_blocks d \
                 ON d.domain = lower(a.domain) WHERE d.account_id = "
            ));
            query.push_bind(viewer.0);
            push_targets(&mut query, "a.id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter()
                .map(|row| Ok((row.i64("k")?, row.i64("t")?, row.bool("a")?, row.bool("b")?)))
                .collect()
        })
    }
}

impl Store {
    /// Ids of local moderators and admins (who hear about reports and sign-ups).
    pub async fn staff_ids(&self) -> Result<Vec<Id>, StoreError> {
        with_pool!(self, read, |pool| {
            let ids: Vec<i64> = sqlx::query_scalar(
                "SELECT u.account_id FROM users u JOIN accounts a ON a.id = u.account_id \
                 WHERE u.role IN ('admin', 'moderator') AND a.suspended_at IS NULL",
            )
            .fetch_all(pool)
            .await?;
            Ok(ids.into_iter().map(Id).collect())
        })
    }

    /// Records that an account moved to another.
    pub async fn set_moved_to(&self, account_id: Id, target: Option<Id>) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query("UPDATE accounts SET moved_to_account_id = $2 WHERE id = $1")
                .bind(account_id.0)
                .bind(target.map(|id| id.0))
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}
