//! Favourites, bookmarks, pins, emoji reactions, thread mutes — and their counts.

use std::collections::HashMap;

use rhizome_model::{Account, Id, ReactionCount, StatusCounts, Timestamp, ViewerFlags};
use sqlx::QueryBuilder;

use crate::accounts::{ACCOUNT_COLUMNS, map_account};
use crate::reader::with_reader;
use crate::row::Columns;
use crate::statuses::push_column_in;
use crate::{DatabaseKind, Page, PageRequest, Store, StoreError, with_pool};

/// A per-account, per-status mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Favourite,
    Bookmark,
    Pin,
}

impl Mark {
    fn table(self) -> &'static str {
        match self {
            Mark::Favourite => "favourites",
            Mark::Bookmark => "bookmarks",
            Mark::Pin => "pins",
        }
    }
}

/// An emoji reaction as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Reaction {
    pub id: Id,
    pub account_id: Id,
    pub status_id: Id,
    pub emoji: String,
    pub emoji_url: Option<String>,
    pub uri: Option<String>,
    pub created_at: Timestamp,
}

impl Store {
    /// Sets a mark. Returns false if it was already there. `uri` is the Like activity's id.
    pub async fn add_mark(
        &self,
        mark: Mark,
        id: Id,
        account_id: Id,
        status_id: Id,
        uri: Option<&str>,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let query = match mark {
                Mark::Favourite => sqlx::query(
                    "INSERT INTO favourites (id, account_id, status_id, uri, created_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                )
                .bind(id.0)
                .bind(account_id.0)
                .bind(status_id.0)
                .bind(uri)
                .bind(at.0),
                Mark::Bookmark => sqlx::query(
                    "INSERT INTO bookmarks (id, account_id, status_id, created_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                )
                .bind(id.0)
                .bind(account_id.0)
                .bind(status_id.0)
                .bind(at.0),
                Mark::Pin => sqlx::query(
                    "INSERT INTO pins (account_id, status_id, created_at) VALUES ($1, $2, $3) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(account_id.0)
                .bind(status_id.0)
                .bind(at.0),
            };
            Ok(query.execute(pool).await?.rows_affected() > 0)
        })
    }

    /// Removes a mark; returns the Like's activity id for favourites (for the Undo).
    pub async fn remove_mark(
        &self,
        mark: Mark,
        account_id: Id,
        status_id: Id,
    ) -> Result<Option<Option<String>>, StoreError> {
        let returning = if mark == Mark::Favourite {
            "uri"
        } else {
            "NULL AS uri"
        };
        let sql = format!(
            "DELETE FROM {} WHERE account_id = $1 AND status_id = $2 RETURNING {returning}",
            mark.table()
        );
        with_pool!(self, write, |pool| {
            let row = sqlx::query(&sql)
                .bind(account_id.0)
                .bind(status_id.0)
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(|row| row.opt_text("uri")).transpose()
        })
    }

    /// Removes a favourite by its Like activity id (a remote Undo). Returns (account, status).
    pub async fn remove_favourite_by_uri(&self, uri: &str) -> Result<Option<(Id, Id)>, StoreError> {
        with_pool!(self, write, |pool| {
            let row = sqlx::query(
                "DELETE FROM favourites WHERE uri = $1 RETURNING account_id, status_id",
            )
            .bind(uri)
            .fetch_optional(pool)
            .await?;
            row.as_ref()
                .map(|row| Ok((Id(row.i64("account_id")?), Id(row.i64("status_id")?))))
                .transpose()
        })
    }

    /// Reply, boost and favourite counts per status.
    pub async fn status_counts(&self, ids: &[Id]) -> Result<HashMap<Id, StatusCounts>, StoreError> {
        let mut result: HashMap<Id, StatusCounts> = ids
            .iter()
            .map(|id| (*id, StatusCounts::default()))
            .collect();
        if ids.is_empty() {
            return Ok(result);
        }
        let rows = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(
                // Kept by triggers (migration 0013): replies count only those shown to
                // others (public, unlisted, local).
                "SELECT status_id AS id, replies_count AS replies, reblogs_count AS reblogs, \
                 favourites_count AS favourites FROM status_stats WHERE ",
            );
            push_column_in(&mut query, "status_id", ids);
            let rows = query.build().fetch_all(pool).await?;
            rows.iter()
                .map(|row| {
                    Ok((
                        Id(row.i64("id")?),
                        StatusCounts {
                            replies: row.i64("replies")?,
                            reblogs: row.i64("reblogs")?,
                            favourites: row.i64("favourites")?,
                        },
                    ))
                })
                .collect::<Result<Vec<_>, StoreError>>()?
        });
        result.extend(rows);
        Ok(result)
    }

    /// Reply, boost and favourite counts per status, with how many accepted quotes each
    /// has: what a page of statuses shows, in one round trip.
    pub async fn status_counts_with_quotes(
        &self,
        ids: &[Id],
    ) -> Result<HashMap<Id, (StatusCounts, i64)>, StoreError> {
        self.reader().status_counts_with_quotes(ids).await
    }

    /// What `viewer` did with each status.
    pub async fn viewer_flags(
        &self,
        viewer: Id,
        ids: &[Id],
    ) -> Result<HashMap<Id, ViewerFlags>, StoreError> {
        self.reader().viewer_flags(viewer, ids).await
    }

    /// Accounts that favourited (`Mark::Favourite`) or boosted (`None`) a status, newest first.
    pub async fn interacting_accounts(
        &self,
        status_id: Id,
        favourites: bool,
        page: &PageRequest,
    ) -> Result<Page<Account>, StoreError> {
        let head = if favourites {
            format!(
                "SELECT {ACCOUNT_COLUMNS}, x.id AS row_id FROM favourites x JOIN accounts a \
                 ON a.id = x.account_id WHERE a.suspended_at IS NULL AND x.status_id = "
            )
        } else {
            format!(
                "SELECT {ACCOUNT_COLUMNS}, x.id AS row_id FROM statuses x JOIN accounts a \
                 ON a.id = x.account_id WHERE a.suspended_at IS NULL AND x.reblog_of_id = "
            )
        };
        let rows = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(head);
            query.push_bind(status_id.0);
            page.push_keyset(&mut query, "x.id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter()
                .map(|row| Ok((row.i64("row_id")?, map_account(row)?)))
                .collect::<Result<Vec<_>, StoreError>>()?
        });
        Ok(page
            .finish(rows, |(row_id, _)| *row_id)
            .map(|(_, account)| account))
    }

    /// Statuses an account favourited or bookmarked, newest mark first: (mark row id, status id).
    pub async fn marked_status_ids(
        &self,
        mark: Mark,
        account_id: Id,
        page: &PageRequest,
    ) -> Result<Page<Id>, StoreError> {
        let head = format!(
            "SELECT id, status_id FROM {} WHERE account_id = ",
            mark.table()
        );
        let rows = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(head);
            query.push_bind(account_id.0);
            page.push_keyset(&mut query, "id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter()
                .map(|row| Ok((row.i64("id")?, Id(row.i64("status_id")?))))
                .collect::<Result<Vec<_>, StoreError>>()?
        });
        Ok(page
            .finish(rows, |(row_id, _)| *row_id)
            .map(|(_, status_id)| status_id))
    }

    /// Adds an emoji reaction. Returns false if the same reaction existed.
    pub async fn add_reaction(&self, reaction: &Reaction) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query(
                "INSERT INTO reactions (id, account_id, status_id, emoji, emoji_url, uri, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            )
            .bind(reaction.id.0)
            .bind(reaction.account_id.0)
            .bind(reaction.status_id.0)
            .bind(&reaction.emoji)
            .bind(&reaction.emoji_url)
            .bind(&reaction.uri)
            .bind(reaction.created_at.0)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Removes one reaction (by account, status and emoji); returns its activity id.
    pub async fn remove_reaction(
        &self,
        account_id: Id,
        status_id: Id,
        emoji: &str,
    ) -> Result<Option<Option<String>>, StoreError> {
        with_pool!(self, write, |pool| {
            let row = sqlx::query(
                "DELETE FROM reactions WHERE account_id = $1 AND status_id = $2 AND emoji = $3 RETURNING uri",
            )
            .bind(account_id.0)
            .bind(status_id.0)
            .bind(emoji)
            .fetch_optional(pool)
            .await?;
            row.as_ref().map(|row| row.opt_text("uri")).transpose()
        })
    }

    /// Removes a reaction by its activity id (a remote Undo).
    pub async fn remove_reaction_by_uri(&self, uri: &str) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query("DELETE FROM reactions WHERE uri = $1")
                .bind(uri)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Reactions per status, summed by emoji, with whether `viewer` is among them.
    pub async fn reactions_of(
        &self,
        ids: &[Id],
        viewer: Option<Id>,
    ) -> Result<HashMap<Id, Vec<ReactionCount>>, StoreError> {
        self.reader().reactions_of(ids, viewer).await
    }

    pub async fn mute_conversation(
        &self,
        account_id: Id,
        conversation: &str,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO conversation_mutes (account_id, conversation) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(account_id.0)
            .bind(conversation)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn unmute_conversation(
        &self,
        account_id: Id,
        conversation: &str,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "DELETE FROM conversation_mutes WHERE account_id = $1 AND conversation = $2",
            )
            .bind(account_id.0)
            .bind(conversation)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn conversation_muted(
        &self,
        account_id: Id,
        conversation: &str,
    ) -> Result<bool, StoreError> {
        with_pool!(self, read, |pool| {
            let found: Option<i32> = sqlx::query_scalar(
                "SELECT 1 FROM conversation_mutes WHERE account_id = $1 AND conversation = $2",
            )
            .bind(account_id.0)
            .bind(conversation)
            .fetch_optional(pool)
            .await?;
            Ok(found.is_some())
        })
    }
}

impl crate::Reader {
    /// Reply, boost and favourite counts per status, with how many accepted quotes each
    /// has: what a page of statuses shows, in one round trip.
    pub async fn status_counts_with_quotes(
        &mut self,
        ids: &[Id],
    ) -> Result<HashMap<Id, (StatusCounts, i64)>, StoreError> {
        let mut result: HashMap<Id, (StatusCounts, i64)> = ids
            .iter()
            .map(|id| (*id, (StatusCounts::default(), 0)))
            .collect();
        if ids.is_empty() {
            return Ok(result);
        }
        let rows = with_reader!(self, |conn| {
            let mut query = QueryBuilder::new(
                // The counters are kept by triggers (migration 0013).
                "SELECT status_id AS id, replies_count AS replies, reblogs_count AS reblogs, \
                 favourites_count AS favourites, CAST(0 AS BIGINT) AS quotes \
                 FROM status_stats WHERE ",
            );
            push_column_in(&mut query, "status_id", ids);
            query.push(
                " UNION ALL SELECT s.quote_of_id, CAST(0 AS BIGINT), CAST(0 AS BIGINT), \
                 CAST(0 AS BIGINT), COUNT(*) FROM statuses s \
                 WHERE s.quote_state = 'accepted' AND ",
            );
            push_column_in(&mut query, "s.quote_of_id", ids);
            query.push(" GROUP BY s.quote_of_id");
            let rows = query.build().fetch_all(conn).await?;
            rows.iter()
                .map(|row| {
                    Ok((
                        Id(row.i64("id")?),
                        row.i64("replies")?,
                        row.i64("reblogs")?,
                        row.i64("favourites")?,
                        row.i64("quotes")?,
                    ))
                })
                .collect::<Result<Vec<_>, StoreError>>()?
        });
        for (id, replies, reblogs, favourites, quotes) in rows {
            let (counts, quoted) = result.entry(id).or_default();
            counts.replies += replies;
            counts.reblogs += reblogs;
            counts.favourites += favourites;
            *quoted += quotes;
        }
        Ok(result)
    }

    /// What `viewer` did with each status.
    pub async fn viewer_flags(
        &mut self,
        viewer: Id,
        ids: &[Id],
    ) -> Result<HashMap<Id, ViewerFlags>, StoreError> {
        let mut result: HashMap<Id, ViewerFlags> =
            ids.iter().map(|id| (*id, ViewerFlags::default())).collect();
        if ids.is_empty() {
            return Ok(result);
        }
        // One round trip for the five marks: a timeline page asks this for every page.
        // On SQLite the viewer's boosts are found through the page's ids (`statuses_reblog`):
        // the unary `+` keeps its planner off `statuses_account`, which read every status the
        // viewer ever wrote (3.4 ms per page at 6k statuses). PostgreSQL weighs both indexes
        // from its statistics, and a `+` would keep it off every index (a sequential scan).
        let own_boosts = match self.kind() {
            DatabaseKind::Sqlite => {
                " UNION ALL SELECT 1, reblog_of_id FROM statuses WHERE +account_id = "
            }
            DatabaseKind::Postgres => {
                " UNION ALL SELECT 1, reblog_of_id FROM statuses WHERE account_id = "
            }
        };
        let parts = [
            "SELECT CAST(0 AS BIGINT) AS k, status_id AS s FROM favourites WHERE account_id = ",
            own_boosts,
            " UNION ALL SELECT 2, status_id FROM bookmarks WHERE account_id = ",
            " UNION ALL SELECT 3, status_id FROM pins WHERE account_id = ",
            " UNION ALL SELECT 4, s.id FROM statuses s JOIN conversation_mutes c \
             ON c.conversation = s.conversation WHERE c.account_id = ",
        ];
        let columns = [
            "status_id",
            "reblog_of_id",
            "status_id",
            "status_id",
            "s.id",
        ];
        let hits: Vec<(i64, i64)> = with_reader!(self, |conn| {
            let mut query = QueryBuilder::new("");
            for (head, column) in parts.iter().zip(columns) {
                query.push(*head);
                query.push_bind(viewer.0);
                query.push(" AND ");
                push_column_in(&mut query, column, ids);
            }
            let rows = query.build().fetch_all(conn).await?;
            rows.iter()
                .map(|row| Ok((row.i64("k")?, row.i64("s")?)))
                .collect::<Result<Vec<_>, StoreError>>()?
        });
        for (kind, id) in hits {
            if let Some(flags) = result.get_mut(&Id(id)) {
                match kind {
                    0 => flags.favourited = true,
                    1 => flags.reblogged = true,
                    2 => flags.bookmarked = true,
                    3 => flags.pinned = true,
                    _ => flags.muted = true,
                }
            }
        }
        Ok(result)
    }

    /// Reactions per status, summed by emoji, with whether `viewer` is among them.
    pub async fn reactions_of(
        &mut self,
        ids: &[Id],
        viewer: Option<Id>,
    ) -> Result<HashMap<Id, Vec<ReactionCount>>, StoreError> {
        let mut result: HashMap<Id, Vec<ReactionCount>> = HashMap::new();
        if ids.is_empty() {
            return Ok(result);
        }
        let rows = with_reader!(self, |conn| {
            let mut query = QueryBuilder::new(
                "SELECT status_id, emoji, emoji_url, account_id FROM reactions WHERE ",
            );
            push_column_in(&mut query, "status_id", ids);
            query.push(" ORDER BY id");
            let rows = query.build().fetch_all(conn).await?;
            rows.iter()
                .map(|row| {
                    Ok((
                        Id(row.i64("status_id")?),
                        row.text("emoji")?,
                        row.opt_text("emoji_url")?,
                        Id(row.i64("account_id")?),
                    ))
                })
                .collect::<Result<Vec<_>, StoreError>>()?
        });
        for (status_id, emoji, url, account_id) in rows {
            let list = result.entry(status_id).or_default();
            let entry = match list.iter_mut().position(|r| r.emoji == emoji) {
                Some(index) => &mut list[index],
                None => {
                    list.push(ReactionCount {
                        emoji,
                        url,
                        count: 0,
                        me: false,
                        account_ids: Vec::new(),
                    });
                    let last = list.len() - 1;
                    &mut list[last]
                }
            };
            entry.count += 1;
            entry.me |= Some(account_id) == viewer;
            entry.account_ids.push(account_id);
        }
        Ok(result)
    }
}
