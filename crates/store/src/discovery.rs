//! What profiles show and what helps people find each other: featured hashtags, endorsed
//! accounts, and follow suggestions (with the ones a user dismissed).

use rhizome_model::{Account, Id, Timestamp};
use sqlx::QueryBuilder;

use crate::accounts::{ACCOUNT_COLUMNS, map_account};
use crate::row::Columns;
use crate::{Page, PageRequest, Store, StoreError, begin_write, with_pool};

/// A hashtag featured on a profile, with the use the account made of it.
#[derive(Debug, Clone, PartialEq)]
pub struct FeaturedTag {
    pub id: Id,
    pub account_id: Id,
    pub name: String,
    /// The account's public and unlisted posts with the tag.
    pub statuses_count: i64,
    pub last_status_at: Option<Timestamp>,
}

/// Why an account is suggested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuggestionSource {
    /// Followed by accounts the user follows.
    FriendsOfFriends,
    /// An active, discoverable local account.
    MostFollowed,
}

/// Posts that count for a featured tag: what a profile shows to everyone.
const COUNTED_POSTS: &str = "s.account_id = ft.account_id AND s.reblog_of_id IS NULL \
    AND s.visibility IN ('public', 'unlisted')";

fn featured_select() -> String {
    format!(
        "SELECT ft.id, ft.account_id, t.name, \
         (SELECT COUNT(*) FROM status_tags st JOIN statuses s ON s.id = st.status_id \
          WHERE st.tag_id = ft.tag_id AND {COUNTED_POSTS}) AS statuses_count, \
         (SELECT MAX(s.created_at) FROM status_tags st JOIN statuses s ON s.id = st.status_id \
          WHERE st.tag_id = ft.tag_id AND {COUNTED_POSTS}) AS last_status_at \
         FROM featured_tags ft JOIN tags t ON t.id = ft.tag_id"
    )
}

fn map_featured(row: &impl Columns) -> Result<FeaturedTag, StoreError> {
    Ok(FeaturedTag {
        id: Id(row.i64("id")?),
        account_id: Id(row.i64("account_id")?),
        name: row.text("name")?,
        statuses_count: row.i64("statuses_count")?,
        last_status_at: row.opt_i64("last_status_at")?.map(Timestamp),
    })
}

/// ` AND a.id …` clauses leaving out whom `viewer` should not be offered: themselves, whom
/// they follow or asked to follow, block either way, mute, dismissed, or whose domain they
/// block; and accounts that are suspended, moved or not discoverable.
fn push_suggestion_exclusions<'a, DB>(query: &mut QueryBuilder<'a, DB>, viewer: Id, now: Timestamp)
where
    DB: sqlx::Database,
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    query.push(
        " AND a.suspended_at IS NULL AND a.moved_to_account_id IS NULL AND a.discoverable AND a.id <> ",
    );
    query.push_bind(viewer.0);
    for (table, viewer_column, other_column) in [
        ("follows", "account_id", "target_account_id"),
        ("follow_requests", "account_id", "target_account_id"),
        ("blocks", "account_id", "target_account_id"),
        ("blocks", "target_account_id", "account_id"),
        ("suggestion_dismissals", "account_id", "target_account_id"),
    ] {
        query.push(format_args!(
            " AND a.id NOT IN (SELECT {other_column} FROM {table} WHERE {viewer_column} = "
        ));
        query.push_bind(viewer.0).push(")");
    }
    query.push(" AND a.id NOT IN (SELECT target_account_id FROM mutes WHERE account_id = ");
    query.push_bind(viewer.0);
    query.push(" AND (expires_at IS NULL OR expires_at > ");
    query.push_bind(now.0).push("))");
    // `NOT IN` is never true for a NULL domain, so local accounts are let through first.
    query.push(
        " AND (a.domain IS NULL OR lower(a.domain) NOT IN \
         (SELECT domain FROM account_domain_blocks WHERE account_id = ",
    );
    query.push_bind(viewer.0).push("))");
}

impl Store {
    /// Features the hashtag `tag_id` on `account_id`'s profile, unless it is featured already
    /// or the profile has `max` of them: both are checked in the same transaction as the insert.
    pub async fn add_featured_tag(
        &self,
        id: Id,
        account_id: Id,
        tag_id: Id,
        max: i64,
        at: Timestamp,
    ) -> Result<FeaturedTag, StoreError> {
        let select = format!("{} WHERE ft.id = $1", featured_select());
        let postgres = self.kind() == crate::DatabaseKind::Postgres;
        begin_write!(self, |tx| {
            // SQLite's write transaction already excludes others; on PostgreSQL, locking the
            // account's row keeps two requests from both taking the last free place.
            if postgres {
                sqlx::query("SELECT id FROM accounts WHERE id = $1 FOR UPDATE")
                    .bind(account_id.0)
                    .execute(&mut *tx)
                    .await?;
            }
            let existing: Vec<i64> =
                sqlx::query_scalar("SELECT tag_id FROM featured_tags WHERE account_id = $1")
                    .bind(account_id.0)
                    .fetch_all(&mut *tx)
                    .await?;
            if existing.contains(&tag_id.0) {
                return Err(StoreError::Conflict("Tag is already featured"));
            }
            if existing.len() as i64 >= max {
                return Err(StoreError::Conflict(
                    "You have already featured the maximum number of hashtags",
                ));
            }
            sqlx::query(
                "INSERT INTO featured_tags (id, account_id, tag_id, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(id.0)
            .bind(account_id.0)
            .bind(tag_id.0)
            .bind(at.0)
            .execute(&mut *tx)
            .await
            // The same tag featured at the same moment by another request.
            .map_err(|err| match StoreError::violated_unique(&err) {
                Some(_) => StoreError::Conflict("Tag is already featured"),
                None => StoreError::Database(err),
            })?;
            let row = sqlx::query(&select).bind(id.0).fetch_one(&mut *tx).await?;
            let featured = map_featured(&row)?;
            tx.commit().await?;
            Ok(featured)
        })
    }

    /// An account's featured hashtags, in the order they were featured.
    pub async fn featured_tags(&self, account_id: Id) -> Result<Vec<FeaturedTag>, StoreError> {
        let sql = format!(
            "{} WHERE ft.account_id = $1 ORDER BY ft.id",
            featured_select()
        );
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(&sql).bind(account_id.0).fetch_all(pool).await?;
            rows.iter().map(map_featured).collect()
        })
    }

    /// Stops featuring a hashtag; false when `account_id` has no such featured tag.
    pub async fn remove_featured_tag(&self, account_id: Id, id: Id) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query("DELETE FROM featured_tags WHERE id = $1 AND account_id = $2")
                .bind(id.0)
                .bind(account_id.0)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// The hashtags `account_id` used most in its posts and does not feature yet, most used
    /// first (the most recent use breaks ties).
    pub async fn most_used_tags(
        &self,
        account_id: Id,
        limit: u32,
    ) -> Result<Vec<String>, StoreError> {
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(
                "SELECT t.name, COUNT(*) AS uses, MAX(s.id) AS last_use FROM status_tags st \
                 JOIN statuses s ON s.id = st.status_id JOIN tags t ON t.id = st.tag_id \
                 WHERE s.account_id = $1 AND s.reblog_of_id IS NULL \
                 AND st.tag_id NOT IN (SELECT tag_id FROM featured_tags WHERE account_id = $1) \
                 GROUP BY t.id, t.name ORDER BY uses DESC, last_use DESC LIMIT $2",
            )
            .bind(account_id.0)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?;
            rows.iter().map(|row| row.text("name")).collect()
        })
    }

    /// Features `target_account_id` on `account_id`'s profile; false when it already was.
    pub async fn endorse(
        &self,
        id: Id,
        account_id: Id,
        target_account_id: Id,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query(
                "INSERT INTO account_pins (id, account_id, target_account_id, created_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, target_account_id) DO NOTHING",
            )
            .bind(id.0)
            .bind(account_id.0)
            .bind(target_account_id.0)
            .bind(at.0)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    pub async fn unendorse(
        &self,
        account_id: Id,
        target_account_id: Id,
    ) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query(
                "DELETE FROM account_pins WHERE account_id = $1 AND target_account_id = $2",
            )
            .bind(account_id.0)
            .bind(target_account_id.0)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// The accounts `account_id` endorses, newest endorsement first, paginated by endorsement.
    pub async fn endorsements(
        &self,
        account_id: Id,
        page: &PageRequest,
    ) -> Result<Page<Account>, StoreError> {
        let head = format!(
            "SELECT {ACCOUNT_COLUMNS}, p.id AS pin_id FROM account_pins p \
             JOIN accounts a ON a.id = p.target_account_id \
             WHERE a.suspended_at IS NULL AND p.account_id = "
        );
        let rows = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(head);
            query.push_bind(account_id.0);
            page.push_keyset(&mut query, "p.id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter()
                .map(|row| Ok((row.i64("pin_id")?, map_account(row)?)))
                .collect::<Result<Vec<_>, StoreError>>()?
        });
        Ok(page
            .finish(rows, |(pin, _)| *pin)
            .map(|(_, account)| account))
    }

    /// Keeps `target_account_id` out of `account_id`'s follow suggestions.
    pub async fn dismiss_suggestion(
        &self,
        account_id: Id,
        target_account_id: Id,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO suggestion_dismissals (account_id, target_account_id, created_at) \
                 VALUES ($1, $2, $3) ON CONFLICT (account_id, target_account_id) DO NOTHING",
            )
            .bind(account_id.0)
            .bind(target_account_id.0)
            .bind(at.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Up to `limit` accounts to suggest to `viewer`: first those followed by the most of the
    /// accounts `viewer` follows, then local accounts that posted since `active_since`, the
    /// most followed first. Each account comes once, with the source that found it first.
    pub async fn suggestions(
        &self,
        viewer: Id,
        limit: u32,
        active_since: Timestamp,
        now: Timestamp,
    ) -> Result<Vec<(Account, SuggestionSource)>, StoreError> {
        let limit = i64::from(limit);
        let mut found: Vec<(Account, SuggestionSource)> = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(format!(
                "SELECT {ACCOUNT_COLUMNS}, c.n FROM accounts a JOIN \
                 (SELECT f2.target_account_id AS id, COUNT(*) AS n FROM follows f1 \
                  JOIN follows f2 ON f2.account_id = f1.target_account_id \
                  WHERE f1.account_id = "
            ));
            query.push_bind(viewer.0);
            query.push(" GROUP BY f2.target_account_id) c ON c.id = a.id WHERE TRUE");
            push_suggestion_exclusions(&mut query, viewer, now);
            query.push(" ORDER BY c.n DESC, a.id DESC LIMIT ");
            query.push_bind(limit);
            let rows = query.build().fetch_all(pool).await?;
            rows.iter()
                .map(|row| Ok((map_account(row)?, SuggestionSource::FriendsOfFriends)))
                .collect::<Result<Vec<_>, StoreError>>()?
        });
        if (found.len() as i64) < limit {
            let local: Vec<Account> = with_pool!(self, read, |pool| {
                let mut query = QueryBuilder::new(format!(
                    "SELECT {ACCOUNT_COLUMNS} FROM accounts a JOIN users u ON u.account_id = a.id \
                     WHERE a.domain IS NULL AND u.approved \
                     AND EXISTS (SELECT 1 FROM statuses s WHERE s.account_id = a.id AND s.created_at >= "
                ));
                query.push_bind(active_since.0).push(")");
                push_suggestion_exclusions(&mut query, viewer, now);
                query.push(
                    " ORDER BY (SELECT COUNT(*) FROM follows f WHERE f.target_account_id = a.id) DESC, \
                     (SELECT MAX(s.id) FROM statuses s WHERE s.account_id = a.id) DESC LIMIT ",
                );
                query.push_bind(limit);
                let rows = query.build().fetch_all(pool).await?;
                rows.iter()
                    .map(map_account)
                    .collect::<Result<Vec<_>, _>>()?
            });
            for account in local {
                if !found.iter().any(|(a, _)| a.id == account.id) {
                    found.push((account, SuggestionSource::MostFollowed));
                }
            }
            found.truncate(limit as usize);
        }
        Ok(found)
    }
}
