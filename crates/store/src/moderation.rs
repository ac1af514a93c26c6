//! Moderation: reports and their handling, accounts' moderation state (limited, sensitive,
//! disabled), the moderation log, and the admin API's account listing.

use rhizome_model::{Account, Id, Timestamp};
use sqlx::QueryBuilder;

use crate::accounts::{ACCOUNT_COLUMNS, map_account, to_json};
use crate::row::Columns;
use crate::{Page, PageRequest, Store, StoreError, with_pool};

/// A report, filed locally or received from another server.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub id: Id,
    /// Who filed it: a local user, or a remote actor (often an instance actor).
    pub account_id: Id,
    pub target_account_id: Id,
    pub status_ids: Vec<Id>,
    pub comment: String,
    /// `spam`, `legal`, `violation` or `other`.
    pub category: String,
    pub rule_ids: Vec<String>,
    /// The `Flag`'s id, for a report received from another server.
    pub uri: Option<String>,
    pub forwarded: bool,
    pub assigned_account_id: Option<Id>,
    /// Set while resolved; cleared when reopened.
    pub action_taken_at: Option<Timestamp>,
    pub action_taken_by_account_id: Option<Id>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const REPORT_COLUMNS: &str = "id, account_id, target_account_id, status_ids, comment, category, \
    rule_ids, uri, forwarded, assigned_account_id, action_taken_at, action_taken_by_account_id, \
    created_at, updated_at";

fn map_moderation_entry(row: &impl Columns) -> Result<ModerationEntry, StoreError> {
    Ok(ModerationEntry {
        id: Id(row.i64("id")?),
        account_id: row.opt_i64("account_id")?.map(Id),
        action: row.text("action")?,
        target_type: row.text("target_type")?,
        target_id: Id(row.i64("target_id")?),
        text: row.text("text")?,
        created_at: Timestamp(row.i64("created_at")?),
    })
}

fn map_report(row: &impl Columns) -> Result<Report, StoreError> {
    let status_ids: Vec<i64> = row.json("status_ids")?;
    let created_at = Timestamp(row.i64("created_at")?);
    let updated_at = row.i64("updated_at")?;
    Ok(Report {
        id: Id(row.i64("id")?),
        account_id: Id(row.i64("account_id")?),
        target_account_id: Id(row.i64("target_account_id")?),
        status_ids: status_ids.into_iter().map(Id).collect(),
        comment: row.text("comment")?,
        category: row.text("category")?,
        rule_ids: row.json("rule_ids")?,
        uri: row.opt_text("uri")?,
        forwarded: row.bool("forwarded")?,
        assigned_account_id: row.opt_i64("assigned_account_id")?.map(Id),
        action_taken_at: row.opt_i64("action_taken_at")?.map(Timestamp),
        action_taken_by_account_id: row.opt_i64("action_taken_by_account_id")?.map(Id),
        created_at,
        // Reports filed before the column existed were last changed when filed.
        updated_at: if updated_at == 0 {
            created_at
        } else {
            Timestamp(updated_at)
        },
    })
}

/// Which reports a moderator lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFilter {
    pub resolved: bool,
    pub account_id: Option<Id>,
    pub target_account_id: Option<Id>,
}

/// An account's moderation state, beside the suspension the account row already carries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ModerationState {
    pub silenced_at: Option<Timestamp>,
    pub sensitized_at: Option<Timestamp>,
    /// A local login refused without suspending the account.
    pub disabled: bool,
}

/// One line of the moderation log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModerationEntry {
    pub id: Id,
    /// The moderator; `None` for the system (a remote report, the CLI).
    pub account_id: Option<Id>,
    pub action: String,
    /// `account`, `report` or `status`.
    pub target_type: String,
    pub target_id: Id,
    pub text: String,
    pub created_at: Timestamp,
}

/// The admin API's account filters (Mastodon's v1 and v2 combined).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdminAccountFilter {
    /// `Some(true)` local only, `Some(false)` remote only.
    pub local: Option<bool>,
    pub domain: Option<String>,
    /// `active`, `pending`, `disabled`, `silenced`, `suspended`.
    pub status: Option<String>,
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub email: Option<String>,
    /// Only moderators and admins.
    pub staff: bool,
    /// Part of the username, display name or e-mail (Pleroma's `query`).
    pub query: Option<String>,
    /// Only this role (`admin`, `moderator`).
    pub role: Option<String>,
    /// Only users who signed up or in from this address.
    pub ip: Option<String>,
}

impl Store {
    pub async fn insert_report(&self, report: &Report) -> Result<(), StoreError> {
        let status_ids: Vec<i64> = report.status_ids.iter().map(|id| id.0).collect();
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO reports (id, account_id, target_account_id, status_ids, comment, \
                 category, rule_ids, uri, forwarded, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(report.id.0)
            .bind(report.account_id.0)
            .bind(report.target_account_id.0)
            .bind(to_json(&status_ids))
            .bind(&report.comment)
            .bind(&report.category)
            .bind(to_json(&report.rule_ids))
            .bind(&report.uri)
            .bind(report.forwarded)
            .bind(report.created_at.0)
            .bind(report.updated_at.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn report(&self, id: Id) -> Result<Option<Report>, StoreError> {
        let sql = format!("SELECT {REPORT_COLUMNS} FROM reports WHERE id = $1");
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql).bind(id.0).fetch_optional(pool).await?;
            row.as_ref().map(map_report).transpose()
        })
    }

    /// Saves what handling changes: assignment, resolution, forwarding.
    pub async fn update_report(&self, report: &Report) -> Result<(), StoreError> {
        let done = with_pool!(self, write, |pool| {
            sqlx::query(
                "UPDATE reports SET assigned_account_id = $2, action_taken_at = $3, \
                 action_taken_by_account_id = $4, forwarded = $5, updated_at = $6 WHERE id = $1",
            )
            .bind(report.id.0)
            .bind(report.assigned_account_id.map(|id| id.0))
            .bind(report.action_taken_at.map(|t| t.0))
            .bind(report.action_taken_by_account_id.map(|id| id.0))
            .bind(report.forwarded)
            .bind(report.updated_at.0)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Reports, newest first.
    pub async fn reports_page(
        &self,
        filter: &ReportFilter,
        page: &PageRequest,
    ) -> Result<Page<Report>, StoreError> {
        let resolved = if filter.resolved {
            "action_taken_at IS NOT NULL"
        } else {
            "action_taken_at IS NULL"
        };
        let head = format!("SELECT {REPORT_COLUMNS} FROM reports WHERE {resolved}");
        let items = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(head);
            if let Some(id) = filter.account_id {
                query.push(" AND account_id = ").push_bind(id.0);
            }
            if let Some(id) = filter.target_account_id {
                query.push(" AND target_account_id = ").push_bind(id.0);
            }
            page.push_keyset(&mut query, "id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter().map(map_report).collect::<Result<Vec<_>, _>>()?
        });
        Ok(page.finish(items, |r| r.id.0))
    }

    /// Reports for Pleroma's admin API: one numbered page, newest first, and the total;
    /// `resolved` `None` lists them all.
    pub async fn reports_numbered(
        &self,
        resolved: Option<bool>,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<Report>, i64), StoreError> {
        let condition = match resolved {
            None => "TRUE",
            Some(true) => "action_taken_at IS NOT NULL",
            Some(false) => "action_taken_at IS NULL",
        };
        let sql = format!(
            "SELECT {REPORT_COLUMNS} FROM reports WHERE {condition} ORDER BY id DESC LIMIT $1 OFFSET $2"
        );
        let count_sql = format!("SELECT COUNT(*) FROM reports WHERE {condition}");
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(&sql)
                .bind(i64::from(limit))
                .bind(i64::try_from(offset).unwrap_or(i64::MAX))
                .fetch_all(pool)
                .await?;
            let reports = rows.iter().map(map_report).collect::<Result<Vec<_>, _>>()?;
            let total: i64 = sqlx::query_scalar(&count_sql).fetch_one(pool).await?;
            Ok((reports, total))
        })
    }

    pub async fn moderation_state(&self, account_id: Id) -> Result<ModerationState, StoreError> {
        with_pool!(self, read, |pool| {
            let row = sqlx::query(
                "SELECT a.silenced_at, a.sensitized_at, COALESCE(u.disabled, FALSE) AS disabled \
                 FROM accounts a LEFT JOIN users u ON u.account_id = a.id WHERE a.id = $1",
            )
            .bind(account_id.0)
            .fetch_optional(pool)
            .await?
            .ok_or(StoreError::NotFound)?;
            Ok(ModerationState {
                silenced_at: row.opt_i64("silenced_at")?.map(Timestamp),
                sensitized_at: row.opt_i64("sensitized_at")?.map(Timestamp),
                disabled: row.bool("disabled")?,
            })
        })
    }

    /// Limits (`Some`) or lifts the limit (`None`).
    pub async fn set_silenced(
        &self,
        account_id: Id,
        at: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        self.set_account_time("silenced_at", account_id, at).await
    }

    /// Forces media sensitive (`Some`) or stops forcing it (`None`).
    pub async fn set_sensitized(
        &self,
        account_id: Id,
        at: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        self.set_account_time("sensitized_at", account_id, at).await
    }

    async fn set_account_time(
        &self,
        column: &'static str,
        account_id: Id,
        at: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        let sql = format!("UPDATE accounts SET {column} = $2 WHERE id = $1");
        let done = with_pool!(self, write, |pool| {
            sqlx::query(&sql)
                .bind(account_id.0)
                .bind(at.map(|t| t.0))
                .execute(pool)
                .await?
                .rows_affected()
        });
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn set_disabled(&self, account_id: Id, disabled: bool) -> Result<(), StoreError> {
        let done = with_pool!(self, write, |pool| {
            sqlx::query("UPDATE users SET disabled = $2 WHERE account_id = $1")
                .bind(account_id.0)
                .bind(disabled)
                .execute(pool)
                .await?
                .rows_affected()
        });
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Marks some of an account's statuses sensitive (all of them with media when `ids` is
    /// `None`); returns how many changed.
    pub async fn mark_statuses_sensitive(
        &self,
        account_id: Id,
        ids: Option<&[Id]>,
    ) -> Result<u64, StoreError> {
        let done = with_pool!(self, write, |pool| {
            let mut query = QueryBuilder::new(
                "UPDATE statuses SET sensitive = TRUE WHERE sensitive = FALSE AND account_id = ",
            );
            query.push_bind(account_id.0);
            match ids {
                Some([]) => return Ok(0),
                Some(ids) => {
                    query.push(" AND ");
                    crate::statuses::push_column_in(&mut query, "id", ids);
                }
                None => {
                    query.push(
                        " AND EXISTS (SELECT 1 FROM media_attachments m WHERE m.status_id = statuses.id)",
                    );
                }
            }
            query.build().execute(pool).await?.rows_affected()
        });
        Ok(done)
    }

    /// Ids of an account's statuses (boosts included), for purging them one by one.
    pub async fn status_ids_of(&self, account_id: Id) -> Result<Vec<Id>, StoreError> {
        with_pool!(self, read, |pool| {
            let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM statuses WHERE account_id = $1")
                .bind(account_id.0)
                .fetch_all(pool)
                .await?;
            Ok(ids.into_iter().map(Id).collect())
        })
    }

    pub async fn insert_moderation_entry(&self, entry: &ModerationEntry) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO moderation_log (id, account_id, action, target_type, target_id, text, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(entry.id.0)
            .bind(entry.account_id.map(|id| id.0))
            .bind(&entry.action)
            .bind(&entry.target_type)
            .bind(entry.target_id.0)
            .bind(&entry.text)
            .bind(entry.created_at.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The moderation log, newest first; only the entries about one target when given.
    pub async fn moderation_log(
        &self,
        target: Option<(&str, Id)>,
        page: &PageRequest,
    ) -> Result<Page<ModerationEntry>, StoreError> {
        let items = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT id, account_id, action, target_type, target_id, text, created_at \
                 FROM moderation_log WHERE TRUE",
            );
            if let Some((kind, id)) = target {
                query.push(" AND target_type = ").push_bind(kind.to_owned());
                query.push(" AND target_id = ").push_bind(id.0);
            }
            page.push_keyset(&mut query, "id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter()
                .map(map_moderation_entry)
                .collect::<Result<Vec<_>, StoreError>>()?
        });
        Ok(page.finish(items, |e| e.id.0))
    }

    /// The whole log, newest first, by numbered pages (Pleroma's admin API), with its length.
    pub async fn moderation_log_numbered(
        &self,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<ModerationEntry>, i64), StoreError> {
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(
                "SELECT id, account_id, action, target_type, target_id, text, created_at \
                 FROM moderation_log ORDER BY id DESC LIMIT $1 OFFSET $2",
            )
            .bind(i64::from(limit))
            .bind(i64::try_from(offset).unwrap_or(i64::MAX))
            .fetch_all(pool)
            .await?;
            let entries = rows
                .iter()
                .map(map_moderation_entry)
                .collect::<Result<Vec<_>, StoreError>>()?;
            let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM moderation_log")
                .fetch_one(pool)
                .await?;
            Ok((entries, total))
        })
    }

    /// Accounts for the admin API, newest first.
    pub async fn admin_accounts_page(
        &self,
        filter: &AdminAccountFilter,
        page: &PageRequest,
    ) -> Result<Page<Account>, StoreError> {
        let head = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts a LEFT JOIN users u ON u.account_id = a.id \
             WHERE TRUE"
        );
        let items = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(head);
            push_account_filter(&mut query, filter);
            page.push_keyset(&mut query, "a.id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter()
                .map(map_account)
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(page.finish(items, |a| a.id.0))
    }

    /// Accounts for Pleroma's admin API: one numbered page, newest first, and the total.
    pub async fn admin_accounts_numbered(
        &self,
        filter: &AdminAccountFilter,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<Account>, i64), StoreError> {
        let head = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts a LEFT JOIN users u ON u.account_id = a.id \
             WHERE TRUE"
        );
        with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(head);
            push_account_filter(&mut query, filter);
            query.push(" ORDER BY a.id DESC LIMIT ");
            query.push_bind(i64::from(limit));
            query.push(" OFFSET ");
            query.push_bind(i64::try_from(offset).unwrap_or(i64::MAX));
            let rows = query.build().fetch_all(pool).await?;
            let accounts = rows
                .iter()
                .map(map_account)
                .collect::<Result<Vec<_>, _>>()?;
            let mut count = QueryBuilder::new(
                "SELECT COUNT(*) FROM accounts a LEFT JOIN users u ON u.account_id = a.id WHERE TRUE",
            );
            push_account_filter(&mut count, filter);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            Ok((accounts, total))
        })
    }
}

fn push_account_filter<'a, DB>(query: &mut QueryBuilder<'a, DB>, filter: &AdminAccountFilter)
where
    DB: sqlx::Database,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    match filter.local {
        Some(true) => {
            query.push(" AND a.domain IS NULL");
        }
        Some(false) => {
            query.push(" AND a.domain IS NOT NULL");
        }
        None => {}
    }
    if let Some(domain) = &filter.domain {
        query
            .push(" AND lower(a.domain) = ")
            .push_bind(domain.to_lowercase());
    }
    match filter.status.as_deref() {
        Some("active") => {
            query.push(
                " AND a.suspended_at IS NULL AND a.silenced_at IS NULL \
                 AND COALESCE(u.approved, TRUE) AND NOT COALESCE(u.disabled, FALSE)",
            );
        }
        Some("pending") => {
            query.push(" AND u.approved = FALSE");
        }
        Some("disabled") => {
            query.push(" AND u.disabled = TRUE");
        }
        Some("silenced") => {
            query.push(" AND a.silenced_at IS NOT NULL");
        }
        Some("suspended") => {
            query.push(" AND a.suspended_at IS NOT NULL");
        }
        _ => {}
    }
    if let Some(username) = &filter.username {
        query
            .push(" AND lower(a.username) LIKE ")
            .push_bind(format!("{}%", like_escape(&username.to_lowercase())))
            .push(LIKE_ESCAPE);
    }
    if let Some(name) = &filter.display_name {
        query
            .push(" AND lower(a.display_name) LIKE ")
            .push_bind(format!("%{}%", like_escape(&name.to_lowercase())))
            .push(LIKE_ESCAPE);
    }
    if let Some(email) = &filter.email {
        query
            .push(" AND lower(u.email) LIKE ")
            .push_bind(format!("%{}%", like_escape(&email.to_lowercase())))
            .push(LIKE_ESCAPE);
    }
    if let Some(text) = &filter.query {
        let pattern = format!("%{}%", like_escape(&text.to_lowercase()));
        query
            .push(" AND (lower(a.username) LIKE ")
            .push_bind(pattern.clone())
            .push(LIKE_ESCAPE)
            .push(" OR lower(a.display_name) LIKE ")
            .push_bind(pattern.clone())
            .push(LIKE_ESCAPE)
            .push(" OR lower(COALESCE(u.email, '')) LIKE ")
            .push_bind(pattern)
            .push(LIKE_ESCAPE)
            .push(")");
    }
    if filter.staff {
        query.push(" AND u.role IN ('admin', 'moderator')");
    }
    if let Some(role) = &filter.role {
        query.push(" AND u.role = ").push_bind(role.clone());
    }
    if let Some(ip) = &filter.ip {
        query
            .push(" AND a.id IN (SELECT account_id FROM user_ips WHERE ip = ")
            .push_bind(ip.clone())
            .push(")");
    }
}

const LIKE_ESCAPE: &str = " ESCAPE '\\'";

/// `%` and `_` in a search term match themselves (the query says `ESCAPE '\\'`).
fn like_escape(term: &str) -> String {
    term.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// What the admin dashboard counts (Mastodon's measures).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Local users who signed up.
    NewUsers,
    /// Local accounts that posted (the only activity Rhizome dates).
    ActiveUsers,
    /// Favourites, boosts and replies received by local posts.
    Interactions,
    OpenedReports,
    ResolvedReports,
}

/// What the admin dashboard breaks down (Mastodon's dimensions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    /// Languages of local posts.
    Languages,
    /// Servers of remote posts received.
    Servers,
}

impl Store {
    /// The value of `measure` over `[from, to)`.
    pub async fn measure(
        &self,
        measure: Measure,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<i64, StoreError> {
        let sql = match measure {
            Measure::NewUsers => {
                "SELECT COUNT(*) FROM users WHERE created_at >= $1 AND created_at < $2"
            }
            Measure::ActiveUsers => {
                "SELECT COUNT(DISTINCT account_id) FROM statuses \
                 WHERE local = TRUE AND created_at >= $1 AND created_at < $2"
            }
            Measure::Interactions => {
                "SELECT (SELECT COUNT(*) FROM favourites f JOIN statuses s ON s.id = f.status_id \
                   WHERE s.local = TRUE AND f.created_at >= $1 AND f.created_at < $2) \
                 + (SELECT COUNT(*) FROM statuses r JOIN statuses s ON s.id = r.reblog_of_id \
                   WHERE s.local = TRUE AND r.created_at >= $1 AND r.created_at < $2) \
                 + (SELECT COUNT(*) FROM statuses r JOIN accounts a ON a.id = r.in_reply_to_account_id \
                   WHERE a.domain IS NULL AND r.account_id <> r.in_reply_to_account_id \
                   AND r.created_at >= $1 AND r.created_at < $2)"
            }
            Measure::OpenedReports => {
                "SELECT COUNT(*) FROM reports WHERE created_at >= $1 AND created_at < $2"
            }
            Measure::ResolvedReports => {
                "SELECT COUNT(*) FROM reports WHERE action_taken_at >= $1 AND action_taken_at < $2"
            }
        };
        with_pool!(self, read, |pool| {
            let value: i64 = sqlx::query_scalar(sql)
                .bind(from.0)
                .bind(to.0)
                .fetch_one(pool)
                .await?;
            Ok(value)
        })
    }

    /// The largest `limit` groups of `dimension` over `[from, to)`, largest first.
    pub async fn dimension(
        &self,
        dimension: Dimension,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let sql = match dimension {
            Dimension::Languages => {
                "SELECT language AS k, COUNT(*) AS n FROM statuses WHERE local = TRUE \
                 AND language IS NOT NULL AND created_at >= $1 AND created_at < $2 \
                 GROUP BY language ORDER BY n DESC, k LIMIT $3"
            }
            Dimension::Servers => {
                "SELECT a.domain AS k, COUNT(*) AS n FROM statuses s \
                 JOIN accounts a ON a.id = s.account_id WHERE a.domain IS NOT NULL \
                 AND s.created_at >= $1 AND s.created_at < $2 \
                 GROUP BY a.domain ORDER BY n DESC, k LIMIT $3"
            }
        };
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(sql)
                .bind(from.0)
                .bind(to.0)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|row| Ok((row.text("k")?, row.i64("n")?)))
                .collect()
        })
    }
}

/// A moderator's warning to an account (Mastodon's `AccountWarning`).
#[derive(Debug, Clone, PartialEq)]
pub struct AccountWarning {
    pub id: Id,
    pub account_id: Id,
    pub moderator_id: Option<Id>,
    /// Mastodon's action names (`none`, `sensitive`, `delete_statuses`, …).
    pub action: String,
    pub text: String,
    pub report_id: Option<Id>,
    pub status_ids: Vec<Id>,
    pub created_at: Timestamp,
}

const WARNING_COLUMNS: &str =
    "id, account_id, moderator_id, action, text, report_id, status_ids, created_at";

fn map_warning(row: &impl Columns) -> Result<AccountWarning, StoreError> {
    let status_ids: Vec<i64> = row.json("status_ids")?;
    Ok(AccountWarning {
        id: Id(row.i64("id")?),
        account_id: Id(row.i64("account_id")?),
        moderator_id: row.opt_i64("moderator_id")?.map(Id),
        action: row.text("action")?,
        text: row.text("text")?,
        report_id: row.opt_i64("report_id")?.map(Id),
        status_ids: status_ids.into_iter().map(Id).collect(),
        created_at: Timestamp(row.i64("created_at")?),
    })
}

impl Store {
    pub async fn insert_account_warning(&self, warning: &AccountWarning) -> Result<(), StoreError> {
        let status_ids: Vec<i64> = warning.status_ids.iter().map(|id| id.0).collect();
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO account_warnings (id, account_id, moderator_id, action, text, \
                 report_id, status_ids, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(warning.id.0)
            .bind(warning.account_id.0)
            .bind(warning.moderator_id.map(|id| id.0))
            .bind(&warning.action)
            .bind(&warning.text)
            .bind(warning.report_id.map(|id| id.0))
            .bind(to_json(&status_ids))
            .bind(warning.created_at.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn account_warnings_by_ids(
        &self,
        ids: &[Id],
    ) -> Result<Vec<AccountWarning>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(format!(
                "SELECT {WARNING_COLUMNS} FROM account_warnings WHERE "
            ));
            crate::statuses::push_column_in(&mut query, "id", ids);
            let rows = query.build().fetch_all(pool).await?;
            rows.iter().map(map_warning).collect()
        })
    }

    /// An account's warnings, newest first.
    pub async fn account_warnings_of(
        &self,
        account_id: Id,
    ) -> Result<Vec<AccountWarning>, StoreError> {
        let sql = format!(
            "SELECT {WARNING_COLUMNS} FROM account_warnings WHERE account_id = $1 ORDER BY id DESC"
        );
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(&sql).bind(account_id.0).fetch_all(pool).await?;
            rows.iter().map(map_warning).collect()
        })
    }
}
