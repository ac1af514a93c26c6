//! The database: one API over SQLite and PostgreSQL.
//!
//! Queries are plain SQL run through sqlx at run time (no compile-time checking against a
//! live database). Each method matches once on the backend and runs the same SQL on either
//! driver; the few statements whose dialects differ are written out twice. Bind parameters
//! are written `$1`, `$2`…, which both SQLite and PostgreSQL understand.

mod accounts;
mod announcements;
mod archives;
mod captchas;
mod cards;
mod confirmations;
mod conversations;
mod discovery;
mod error;
mod filters;
mod graph;
mod import;
mod imports;
mod interactions;
mod jobs;
mod lists;
mod media;
mod migrate;
mod moderation;
mod moves;
mod notifications;
mod oauth;
mod page;
mod polls;
mod push;
mod reader;
mod remote;
mod retention;
mod row;
mod search;
mod security;
mod settings;
mod signup_blocks;
mod statuses;
mod timelines;
mod trends;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

pub use accounts::{AccountUpdate, NewLocalAccount};
pub use announcements::{Announcement, AnnouncementReaction};
pub use archives::{Archive, ArchiveState};
pub use conversations::{AccountConversation, ScheduledStatus, TagInfo};
pub use discovery::{FeaturedTag, SuggestionSource};
pub use error::StoreError;
pub use filters::{Filter, FilterKeyword};
pub use graph::{AccountCounts, FollowTable};
pub use import::ImportedStatus;
pub use imports::{
    FollowedAccount, Import, ImportKind, ImportProgress, ImportRow, ImportState, NewImportRow,
    RowState,
};
pub use interactions::{Mark, Reaction};
pub use jobs::{JobCounts, NewJob};
pub use lists::{List, Marker, RepliesPolicy};
pub use media::{CachedFile, CustomEmoji};
pub use moderation::{
    AccountWarning, AdminAccountFilter, Dimension, Measure, ModerationEntry, ModerationState,
    Report, ReportFilter,
};
pub use moves::{AccountDeletion, NewDeletion};
pub use notifications::NotificationFilter;
pub use oauth::{AuthorizationCode, NewApp, NewToken};
pub use page::{Page, PageRequest};
pub use polls::{Poll, PollOption};
pub use reader::Reader;
pub use remote::{DomainAllow, DomainBlock, InstanceHealth, OutboxActivity, PolicySample};
pub use security::{TokenListing, TwoFactor};
pub use settings::POLICY_REVISION;
pub use signup_blocks::{CanonicalEmailBlock, EmailDomainBlock, IpBlock, SignupBlockTable};
pub use statuses::StatusExtras;
pub use timelines::{AccountStatusFilter, PublicFilter, TagFilter};
pub use trends::TagUsage;

/// Runs `$body` with `$pool` bound to the pool for reading or for writing, on either backend.
/// The body is compiled once per driver, so it may use driver-specific types freely.
macro_rules! with_pool {
    ($store:expr, read, |$pool:ident| $body:expr) => {
        match &$store.backend {
            $crate::Backend::Sqlite { read: $pool, .. } => $body,
            $crate::Backend::Postgres($pool) => $body,
        }
    };
    ($store:expr, write, |$pool:ident| $body:expr) => {
        match &$store.backend {
            $crate::Backend::Sqlite { write: $pool, .. } => $body,
            $crate::Backend::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

/// Starts a write transaction. On SQLite it is `BEGIN IMMEDIATE`, so that a transaction that
/// reads before it writes cannot fail half-way when another process wrote in between.
macro_rules! begin_write {
    ($store:expr, |$tx:ident| $body:expr) => {
        match &$store.backend {
            $crate::Backend::Sqlite { write, .. } => {
                #[allow(unused_mut)]
                let mut $tx = write.begin_with("BEGIN IMMEDIATE").await?;
                $body
            }
            $crate::Backend::Postgres(pool) => {
                #[allow(unused_mut)]
                let mut $tx = pool.begin().await?;
                $body
            }
        }
    };
}
pub(crate) use begin_write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub(crate) enum Backend {
    /// SQLite allows one writer at a time: writes go through a one-connection pool so they
    /// queue in-process instead of spinning on the file lock; reads run in parallel (WAL).
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
    },
    Postgres(PgPool),
}

/// Handle to the database, cheap to clone.
#[derive(Clone)]
pub struct Store {
    pub(crate) backend: Backend,
}

/// How many connections to open.
#[derive(Debug, Clone, Copy)]
pub struct PoolSize {
    pub max_connections: u32,
}

impl Default for PoolSize {
    fn default() -> Self {
        PoolSize {
            max_connections: 16,
        }
    }
}

impl Store {
    /// Connects to `sqlite://path` (created when missing) or `postgres://…`.
    pub async fn connect(url: &str, size: PoolSize) -> Result<Store, StoreError> {
        let acquire_timeout = Duration::from_secs(10);
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::InvalidUrl(e.to_string()))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            // A SQLite connection is a file handle, not a socket that can drop: pinging it
            // before every use only costs two hops to its worker thread.
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(acquire_timeout)
                .test_before_acquire(false)
                .connect_with(options.clone())
                .await?;
            let read = SqlitePoolOptions::new()
                .max_connections(size.max_connections.max(2))
                .acquire_timeout(acquire_timeout)
                .test_before_acquire(false)
                .connect_with(options.read_only(true))
                .await?;
            Ok(Store {
                backend: Backend::Sqlite { read, write },
            })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::InvalidUrl(e.to_string()))?
                .application_name("rhizome");
            let pool = PgPoolOptions::new()
                .max_connections(size.max_connections)
                .acquire_timeout(acquire_timeout)
                .connect_with(options)
                .await?;
            Ok(Store {
                backend: Backend::Postgres(pool),
            })
        } else {
            Err(StoreError::InvalidUrl(
                "the database URL must start with sqlite:// or postgres://".into(),
            ))
        }
    }

    pub fn kind(&self) -> DatabaseKind {
        match self.backend {
            Backend::Sqlite { .. } => DatabaseKind::Sqlite,
            Backend::Postgres(_) => DatabaseKind::Postgres,
        }
    }

    /// Checks that the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        with_pool!(self, read, |pool| {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// Writes a consistent copy of a SQLite database to `path` while others keep using it.
    /// PostgreSQL is backed up with `pg_dump` instead.
    pub async fn backup_sqlite(&self, path: &Path) -> Result<(), StoreError> {
        let Backend::Sqlite { write, .. } = &self.backend else {
            return Err(StoreError::Unsupported("backup of PostgreSQL: use pg_dump"));
        };
        if path.exists() {
            return Err(StoreError::Conflict("backup file already exists"));
        }
        let target = path
            .to_str()
            .ok_or(StoreError::Unsupported("non-UTF-8 backup path"))?;
        // VACUUM INTO reads one snapshot, so the copy is consistent even under writes.
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(write)
            .await?;
        Ok(())
    }

    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Backend::Postgres(pool) => pool.close().await,
        }
    }
}

/// Listens to notifications on a PostgreSQL channel (see [`Store::listen`]).
pub struct Listener(sqlx::postgres::PgListener);

impl Listener {
    /// The next notification's payload. Reconnects by itself when the connection drops.
    pub async fn recv(&mut self) -> Result<String, StoreError> {
        Ok(self.0.recv().await?.payload().to_owned())
    }
}

impl Store {
    /// Sends `payload` to every process listening on `channel` (PostgreSQL only; SQLite
    /// serves one process, which needs no messages).
    pub async fn notify(&self, channel: &str, payload: &str) -> Result<(), StoreError> {
        if let Backend::Postgres(pool) = &self.backend {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(channel)
                .bind(payload)
                .execute(pool)
                .await?;
        }
        Ok(())
    }

    /// Listens on `channel`; `None` on SQLite.
    pub async fn listen(&self, channel: &str) -> Result<Option<Listener>, StoreError> {
        let Backend::Postgres(pool) = &self.backend else {
            return Ok(None);
        };
        let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
        listener.listen(channel).await?;
        Ok(Some(Listener(listener)))
    }
}
