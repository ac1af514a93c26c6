//! Accounts (local and remote actors) and the local users behind some of them.

use rhizome_model::{Account, Id, LocalUser, Role, Timestamp};
use sqlx::QueryBuilder;

use crate::reader::with_reader;
use crate::row::Columns;
use crate::{AccountCounts, Page, PageRequest, Store, StoreError, begin_write, with_pool};

pub(crate) const ACCOUNT_COLUMNS: &str = "a.id, a.username, a.domain, a.display_name, a.note, a.uri, a.url, \
    a.inbox_url, a.shared_inbox_url, a.outbox_url, a.followers_url, a.following_url, \
    a.featured_url, a.public_key_id, a.public_key_pem, a.actor_type, a.locked, a.bot, \
    a.discoverable, a.avatar_url, a.header_url, a.fields, a.also_known_as, \
    a.moved_to_account_id, a.suspended_at, a.emojis, a.fetched_at, a.created_at, a.updated_at";

pub(crate) const USER_COLUMNS: &str = "u.email, u.password_hash, u.role, u.private_key_pem, u.approved, \
    u.registration_reason, u.locale, u.created_at AS user_created_at, u.last_sign_in_at";

/// A new local user; the account row is made from `user.account`.
pub type NewLocalAccount = LocalUser;

/// Profile changes a user makes (`update_credentials`); `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct AccountUpdate {
    pub display_name: Option<String>,
    pub note: Option<String>,
    pub locked: Option<bool>,
    pub bot: Option<bool>,
    pub discoverable: Option<bool>,
    pub avatar_url: Option<String>,
    pub header_url: Option<String>,
}

pub(crate) fn map_account(row: &impl Columns) -> Result<Account, StoreError> {
    Ok(Account {
        id: Id(row.i64("id")?),
        username: row.text("username")?,
        domain: row.opt_text("domain")?,
        display_name: row.text("display_name")?,
        note: row.text("note")?,
        uri: row.text("uri")?,
        url: row.opt_text("url")?,
        inbox_url: row.opt_text("inbox_url")?,
        shared_inbox_url: row.opt_text("shared_inbox_url")?,
        outbox_url: row.opt_text("outbox_url")?,
        followers_url: row.opt_text("followers_url")?,
        following_url: row.opt_text("following_url")?,
        featured_url: row.opt_text("featured_url")?,
        public_key_id: row.opt_text("public_key_id")?,
        public_key_pem: row.text("public_key_pem")?,
        actor_type: row.text("actor_type")?,
        locked: row.bool("locked")?,
        bot: row.bool("bot")?,
        discoverable: row.bool("discoverable")?,
        avatar_url: row.opt_text("avatar_url")?,
        header_url: row.opt_text("header_url")?,
        fields: row.json("fields")?,
        also_known_as: row.json("also_known_as")?,
        moved_to_account_id: row.opt_i64("moved_to_account_id")?.map(Id),
        suspended_at: row.opt_i64("suspended_at")?.map(Timestamp),
        emojis: row.json("emojis")?,
        fetched_at: row.opt_i64("fetched_at")?.map(Timestamp),
        created_at: Timestamp(row.i64("created_at")?),
        updated_at: Timestamp(row.i64("updated_at")?),
    })
}

pub(crate) fn map_user(row: &impl Columns) -> Result<LocalUser, StoreError> {
    Ok(LocalUser {
        account: map_account(row)?,
        email: row.text("email")?,
        password_hash: row.text("password_hash")?,
        role: row.parsed::<Role>("role")?,
        private_key_pem: row.text("private_key_pem")?,
        approved: row.bool("approved")?,
        registration_reason: row.opt_text("registration_reason")?,
        locale: row.text("locale")?,
        created_at: Timestamp(row.i64("user_created_at")?),
        last_sign_in_at: row.opt_i64("last_sign_in_at")?.map(Timestamp),
    })
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    // Serialising plain structs and string lists cannot fail.
    serde_json::to_string(value).unwrap_or_else(|_| "[]".to_owned())
}

/// Turns a unique violation into a message naming what is taken.
fn account_conflict(err: sqlx::Error) -> StoreError {
    match StoreError::violated_unique(&err) {
        Some(name) if name.contains("users_email") || name.contains("email") => {
            StoreError::Conflict("e-mail address is already in use")
        }
        Some(name) if name.contains("uri") => StoreError::Conflict("actor id is already known"),
        Some(_) => StoreError::Conflict("username is taken"),
        None => StoreError::Database(err),
    }
}

/// The one statement that stores an account row, with [`bind_account!`] for its 28 values
/// (local users, remote actors and imported accounts alike; callers add their `ON CONFLICT`).
pub(crate) const INSERT_ACCOUNT: &str = "INSERT INTO accounts (id, username, domain, \
     display_name, note, uri, url, inbox_url, shared_inbox_url, outbox_url, followers_url, \
     following_url, featured_url, public_key_id, public_key_pem, actor_type, locked, bot, \
     discoverable, avatar_url, header_url, fields, also_known_as, emojis, suspended_at, \
     fetched_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
     $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28)";

/// Binds an account's values to [`INSERT_ACCOUNT`] (a macro: the query's type differs per
/// backend).
macro_rules! bind_account {
    ($query:expr, $a:expr) => {
        $query
            .bind($a.id.0)
            .bind(&$a.username)
            .bind(&$a.domain)
            .bind(&$a.display_name)
            .bind(&$a.note)
            .bind(&$a.uri)
            .bind(&$a.url)
            .bind(&$a.inbox_url)
            .bind(&$a.shared_inbox_url)
            .bind(&$a.outbox_url)
            .bind(&$a.followers_url)
            .bind(&$a.following_url)
            .bind(&$a.featured_url)
            .bind(&$a.public_key_id)
            .bind(&$a.public_key_pem)
            .bind(&$a.actor_type)
            .bind($a.locked)
            .bind($a.bot)
            .bind($a.discoverable)
            .bind(&$a.avatar_url)
            .bind(&$a.header_url)
            .bind($crate::accounts::to_json(&$a.fields))
            .bind($crate::accounts::to_json(&$a.also_known_as))
            .bind($crate::accounts::to_json(&$a.emojis))
            .bind($a.suspended_at.map(|t| t.0))
            .bind($a.fetched_at.map(|t| t.0))
            .bind($a.created_at.0)
            .bind($a.updated_at.0)
    };
}
pub(crate) use bind_account;

impl Store {
    /// Creates a local account and its user in one transaction.
    pub async fn create_local_user(&self, user: &NewLocalAccount) -> Result<(), StoreError> {
        self.sign_up_local_user(user, None, false).await
    }

    /// Creates the user and, in the same transaction, spends one use of the invite `(code,
    /// now)` and, with `email_unconfirmed`, holds the user until their address is confirmed:
    /// all of it or nothing, so a failed sign-up neither burns an invite nor leaves a user in
    /// without confirmation. An invite that is unknown, used up or expired is
    /// `StoreError::NotFound`.
    pub async fn sign_up_local_user(
        &self,
        user: &NewLocalAccount,
        invite: Option<(&str, Timestamp)>,
        email_unconfirmed: bool,
    ) -> Result<(), StoreError> {
        let a = &user.account;
        begin_write!(self, |tx| {
            if let Some((code, now)) = invite {
                let spent = sqlx::query(
                    "UPDATE invites SET uses = uses + 1 WHERE code = $1 \
                     AND (max_uses IS NULL OR uses < max_uses) \
                     AND (expires_at IS NULL OR expires_at > $2)",
                )
                .bind(code)
                .bind(now.0)
                .execute(&mut *tx)
                .await?;
                if spent.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
            }
            bind_account!(sqlx::query(INSERT_ACCOUNT), a)
                .execute(&mut *tx)
                .await
                .map_err(account_conflict)?;
            sqlx::query(
                "INSERT INTO users (account_id, email, password_hash, role, private_key_pem, \
                 approved, registration_reason, locale, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(a.id.0)
            .bind(&user.email)
            .bind(&user.password_hash)
            .bind(user.role.as_str())
            .bind(&user.private_key_pem)
            .bind(user.approved)
            .bind(&user.registration_reason)
            .bind(&user.locale)
            .bind(user.created_at.0)
            .execute(&mut *tx)
            .await
            .map_err(account_conflict)?;
            if email_unconfirmed {
                sqlx::query(
                    "INSERT INTO email_confirmations (account_id, created_at) VALUES ($1, $2)",
                )
                .bind(a.id.0)
                .bind(user.created_at.0)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    async fn local_user_where(
        &self,
        condition: &'static str,
        value: &str,
    ) -> Result<Option<LocalUser>, StoreError> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS}, {USER_COLUMNS} FROM accounts a \
             JOIN users u ON u.account_id = a.id WHERE {condition}"
        );
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql).bind(value).fetch_optional(pool).await?;
            row.as_ref().map(map_user).transpose()
        })
    }

    /// Finds a local user by username, case-insensitively.
    pub async fn local_user_by_username(
        &self,
        username: &str,
    ) -> Result<Option<LocalUser>, StoreError> {
        self.local_user_where(
            "lower(a.username) = lower($1) AND a.domain IS NULL",
            username,
        )
        .await
    }

    /// Finds a local user by e-mail address, case-insensitively.
    pub async fn local_user_by_email(&self, email: &str) -> Result<Option<LocalUser>, StoreError> {
        self.local_user_where("lower(u.email) = lower($1)", email)
            .await
    }

    pub async fn local_user(&self, account_id: Id) -> Result<Option<LocalUser>, StoreError> {
        self.reader().local_user(account_id).await
    }

    /// Local users, newest first.
    pub async fn list_local_users(
        &self,
        page: &PageRequest,
    ) -> Result<Page<LocalUser>, StoreError> {
        let head = format!(
            "SELECT {ACCOUNT_COLUMNS}, {USER_COLUMNS} FROM accounts a \
             JOIN users u ON u.account_id = a.id WHERE a.domain IS NULL"
        );
        let items = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(head);
            page.push_keyset(&mut query, "a.id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter().map(map_user).collect::<Result<Vec<_>, _>>()?
        });
        Ok(page.finish(items, |u| u.account.id.0))
    }

    pub async fn count_local_users(&self) -> Result<i64, StoreError> {
        with_pool!(self, read, |pool| {
            // Read from `users`: a join lets SQLite walk every account, remote ones too.
            let count: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM accounts a \
                 WHERE a.id = u.account_id AND a.suspended_at IS NOT NULL)",
            )
            .fetch_one(pool)
            .await?;
            Ok(count)
        })
    }

    pub async fn account(&self, id: Id) -> Result<Option<Account>, StoreError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = $1");
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql).bind(id.0).fetch_optional(pool).await?;
            row.as_ref().map(map_account).transpose()
        })
    }

    /// Finds an account by its ActivityPub id.
    pub async fn account_by_uri(&self, uri: &str) -> Result<Option<Account>, StoreError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.uri = $1");
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql).bind(uri).fetch_optional(pool).await?;
            row.as_ref().map(map_account).transpose()
        })
    }

    async fn update_user_column(
        &self,
        sql: &'static str,
        account_id: Id,
        value: UserValue,
    ) -> Result<(), StoreError> {
        let affected = with_pool!(self, write, |pool| {
            let query = sqlx::query(sql).bind(account_id.0);
            let query = match value {
                UserValue::Text(text) => query.bind(text),
                UserValue::OptInt(n) => query.bind(n),
                UserValue::Bool(b) => query.bind(b),
            };
            query.execute(pool).await?.rows_affected()
        });
        if affected == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    pub async fn set_password_hash(&self, account_id: Id, hash: &str) -> Result<(), StoreError> {
        self.update_user_column(
            "UPDATE users SET password_hash = $2 WHERE account_id = $1",
            account_id,
            UserValue::Text(hash.to_owned()),
        )
        .await
    }

    pub async fn set_role(&self, account_id: Id, role: Role) -> Result<(), StoreError> {
        self.update_user_column(
            "UPDATE users SET role = $2 WHERE account_id = $1",
            account_id,
            UserValue::Text(role.as_str().to_owned()),
        )
        .await
    }

    pub async fn set_approved(&self, account_id: Id, approved: bool) -> Result<(), StoreError> {
        self.update_user_column(
            "UPDATE users SET approved = $2 WHERE account_id = $1",
            account_id,
            UserValue::Bool(approved),
        )
        .await
    }

    pub async fn record_sign_in(&self, account_id: Id, at: Timestamp) -> Result<(), StoreError> {
        self.update_user_column(
            "UPDATE users SET last_sign_in_at = $2 WHERE account_id = $1",
            account_id,
            UserValue::OptInt(Some(at.0)),
        )
        .await
    }

    /// Suspends (`Some(time)`) or lifts a suspension (`None`).
    pub async fn set_suspended(
        &self,
        account_id: Id,
        suspended_at: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        self.update_user_column(
            "UPDATE accounts SET suspended_at = $2 WHERE id = $1",
            account_id,
            UserValue::OptInt(suspended_at.map(|t| t.0)),
        )
        .await
    }

    /// Applies profile changes.
    pub async fn update_account(
        &self,
        account_id: Id,
        update: &AccountUpdate,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let affected = with_pool!(self, write, |pool| {
            sqlx::query(
                "UPDATE accounts SET display_name = COALESCE($2, display_name), \
                 note = COALESCE($3, note), locked = COALESCE($4, locked), \
                 bot = COALESCE($5, bot), discoverable = COALESCE($6, discoverable), \
                 updated_at = $7, avatar_url = COALESCE($8, avatar_url), \
                 header_url = COALESCE($9, header_url) WHERE id = $1",
            )
            .bind(account_id.0)
            .bind(&update.display_name)
            .bind(&update.note)
            .bind(update.locked)
            .bind(update.bot)
            .bind(update.discoverable)
            .bind(at.0)
            .bind(&update.avatar_url)
            .bind(&update.header_url)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if affected == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    /// Deletes an account and everything that cascades from it. Returns whether it existed.
    pub async fn delete_account(&self, account_id: Id) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query("DELETE FROM accounts WHERE id = $1")
                .bind(account_id.0)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }
}

/// The one value an `update_user_column` statement binds after the account id.
enum UserValue {
    Text(String),
    OptInt(Option<i64>),
    Bool(bool),
}

impl Store {
    /// Several accounts by id, in no particular order; missing ones are skipped.
    pub async fn accounts_by_ids(&self, ids: &[Id]) -> Result<Vec<Account>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let head = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE ");
        with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(head);
            crate::statuses::push_column_in(&mut query, "a.id", ids);
            let rows = query.build().fetch_all(pool).await?;
            rows.iter().map(map_account).collect()
        })
    }

    /// Several accounts by id with their counts and, for local users, their role: what
    /// showing them needs, in one round trip (a timeline page asks this every time). Missing
    /// accounts are skipped.
    pub async fn accounts_with_counts(
        &self,
        ids: &[Id],
    ) -> Result<Vec<(Account, AccountCounts, Option<Role>)>, StoreError> {
        self.reader().accounts_with_counts(ids).await
    }

    /// Roles of the local users among `ids` (for `pleroma.is_admin` and the like).
    pub async fn roles_of(&self, ids: &[Id]) -> Result<Vec<(Id, Role)>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new("SELECT account_id, role FROM users WHERE ");
            crate::statuses::push_column_in(&mut query, "account_id", ids);
            let rows = query.build().fetch_all(pool).await?;
            rows.iter()
                .map(|row| Ok((Id(row.i64("account_id")?), row.parsed::<Role>("role")?)))
                .collect()
        })
    }

    /// Accounts whose username or display name starts with `query` (for mentions and search),
    /// local ones first.
    pub async fn search_accounts(
        &self,
        query: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<Account>, StoreError> {
        let pattern = format!("{}%", query.to_lowercase().replace(['%', '_'], ""));
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.suspended_at IS NULL AND \
             (lower(a.username) LIKE $1 OR lower(a.display_name) LIKE $1 OR \
             lower(a.username || '@' || COALESCE(a.domain, '')) LIKE $1) \
             ORDER BY CASE WHEN a.domain IS NULL THEN 0 ELSE 1 END, a.username LIMIT $2 OFFSET $3"
        );
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(&sql)
                .bind(pattern)
                .bind(i64::from(limit))
                .bind(i64::from(offset))
                .fetch_all(pool)
                .await?;
            rows.iter().map(map_account).collect()
        })
    }
}

impl Store {
    pub async fn create_invite(
        &self,
        code: &str,
        account_id: Option<Id>,
        max_uses: Option<i64>,
        expires_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO invites (code, account_id, max_uses, expires_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(code)
            .bind(account_id.map(|id| id.0))
            .bind(max_uses)
            .bind(expires_at.map(|t| t.0))
            .bind(now.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Whether the invite `code` can still be used at `now` (spent by
    /// `create_local_user_with_invite`).
    pub async fn invite_usable(&self, code: &str, now: Timestamp) -> Result<bool, StoreError> {
        with_pool!(self, read, |pool| {
            let found: Option<String> = sqlx::query_scalar(
                "SELECT code FROM invites WHERE code = $1 \
                 AND (max_uses IS NULL OR uses < max_uses) AND (expires_at IS NULL OR expires_at > $2)",
            )
            .bind(code)
            .bind(now.0)
            .fetch_optional(pool)
            .await?;
            Ok(found.is_some())
        })
    }
}

impl Store {
    /// The custom emoji a local account's name, bio and fields use.
    pub async fn set_account_emojis(
        &self,
        account_id: Id,
        emojis: &[rhizome_model::EmojiRef],
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query("UPDATE accounts SET emojis = $2 WHERE id = $1")
                .bind(account_id.0)
                .bind(to_json(&emojis))
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    pub async fn set_fields(
        &self,
        account_id: Id,
        fields: &[rhizome_model::ProfileField],
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query("UPDATE accounts SET fields = $2 WHERE id = $1")
                .bind(account_id.0)
                .bind(to_json(&fields))
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}

impl Store {
    /// The profile directory: discoverable, unsuspended accounts, most recently active first
    /// (`active`) or newest first.
    pub async fn directory(
        &self,
        active: bool,
        local_only: bool,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<Account>, StoreError> {
        let order = if active {
            "(SELECT MAX(s.created_at) FROM statuses s WHERE s.account_id = a.id) DESC NULLS LAST, a.id DESC"
        } else {
            "a.id DESC"
        };
        let local = if local_only {
            " AND a.domain IS NULL"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.discoverable = TRUE AND a.suspended_at IS NULL \
             AND a.moved_to_account_id IS NULL{local} ORDER BY {order} LIMIT $1 OFFSET $2"
        );
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(&sql)
                .bind(i64::from(limit))
                .bind(i64::from(offset))
                .fetch_all(pool)
                .await?;
            rows.iter().map(map_account).collect()
        })
    }
}

impl Store {
    /// The user's interface language.
    pub async fn set_locale(&self, account_id: Id, locale: &str) -> Result<(), StoreError> {
        self.update_user_column(
            "UPDATE users SET locale = $2 WHERE account_id = $1",
            account_id,
            UserValue::Text(locale.to_owned()),
        )
        .await
    }
}

impl crate::Reader {
    /// Several accounts by id with their counts and, for local users, their role: what
    /// showing them needs, in one round trip (a timeline page asks this every time). Missing
    /// accounts are skipped.
    pub async fn accounts_with_counts(
        &mut self,
        ids: &[Id],
    ) -> Result<Vec<(Account, AccountCounts, Option<Role>)>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // The counters are kept by triggers (migration 0013); an account without a row has
        // no posts or follows yet.
        let head = format!(
            "SELECT {ACCOUNT_COLUMNS}, st.followers_count AS stat_followers, \
             st.following_count AS stat_following, st.statuses_count AS stat_statuses, \
             st.last_status_at AS stat_last_status_at, u.role AS user_role \
             FROM accounts a LEFT JOIN account_stats st ON st.account_id = a.id \
             LEFT JOIN users u ON u.account_id = a.id WHERE "
        );
        with_reader!(self, |conn| {
            let mut query = QueryBuilder::new(head);
            crate::statuses::push_column_in(&mut query, "a.id", ids);
            let rows = query.build().fetch_all(conn).await?;
            rows.iter()
                .map(|row| {
                    let counts = AccountCounts {
                        followers: row.opt_i64("stat_followers")?.unwrap_or(0),
                        following: row.opt_i64("stat_following")?.unwrap_or(0),
                        statuses: row.opt_i64("stat_statuses")?.unwrap_or(0),
                        last_status_at: row.opt_i64("stat_last_status_at")?.map(Timestamp),
                    };
                    let role = match row.opt_text("user_role")? {
                        Some(_) => Some(row.parsed::<Role>("user_role")?),
                        None => None,
                    };
                    Ok((map_account(row)?, counts, role))
                })
                .collect()
        })
    }

    pub async fn local_user(&mut self, account_id: Id) -> Result<Option<LocalUser>, StoreError> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS}, {USER_COLUMNS} FROM accounts a \
             JOIN users u ON u.account_id = a.id WHERE a.id = $1"
        );
        with_reader!(self, |conn| {
            let row = sqlx::query(&sql)
                .bind(account_id.0)
                .fetch_optional(conn)
                .await?;
            row.as_ref().map(map_user).transpose()
        })
    }
}
