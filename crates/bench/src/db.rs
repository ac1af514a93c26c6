//! The benchmark's own database, and the raw-insert baseline run through the same driver.

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::load::Operation;

/// Where PostgreSQL is when `RHIZOME_TEST_POSTGRES` does not say.
pub const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Sqlite => "SQLite",
            Kind::Postgres => "PostgreSQL",
        }
    }
}

/// A fresh database that is removed when dropped: a SQLite file in a temporary folder, or a
/// PostgreSQL database created for the run and dropped after it.
pub struct BenchDatabase {
    pub kind: Kind,
    pub url: String,
    /// The temporary folder (the SQLite file, the servers' data folders, logs).
    pub dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

impl BenchDatabase {
    pub async fn create(kind: Kind) -> anyhow::Result<BenchDatabase> {
        let dir = tempfile::Builder::new()
            .prefix("rhizome-bench-")
            .tempdir()
            .context("cannot create a temporary folder")?;
        match kind {
            Kind::Sqlite => Ok(BenchDatabase {
                kind,
                url: format!("sqlite://{}", dir.path().join("rhizome.db").display()),
                dir,
                postgres: None,
            }),
            Kind::Postgres => {
                let admin_url = std::env::var("RHIZOME_TEST_POSTGRES")
                    .unwrap_or_else(|_| DEFAULT_POSTGRES.to_owned());
                let name = format!("rhizome_bench_{}", uuid::Uuid::new_v4().simple());
                let mut admin = sqlx::PgConnection::connect(&admin_url)
                    .await
                    .with_context(|| format!("cannot connect to PostgreSQL at {admin_url}"))?;
                sqlx::Executor::execute(&mut admin, format!("CREATE DATABASE {name}").as_str())
                    .await
                    .with_context(|| format!("cannot create the database {name}"))?;
                let _ = admin.close().await;
                Ok(BenchDatabase {
                    kind,
                    url: replace_database(&admin_url, &name),
                    dir,
                    postgres: Some((admin_url, name)),
                })
            }
        }
    }
}

impl BenchDatabase {
    /// Keeps the database (and the temporary folder) after the run, for a look at query
    /// plans; says where they are.
    pub fn keep(mut self) -> String {
        let database = match self.postgres.take() {
            Some((_, name)) => format!("PostgreSQL database {name} ({})", self.url),
            None => format!("SQLite database {}", self.url),
        };
        let dir = std::mem::replace(
            &mut self.dir,
            tempfile::Builder::new()
                .prefix("rhizome-bench-unused-")
                .tempdir()
                .unwrap_or_else(|e| panic!("temporary folder: {e}")),
        );
        format!("{database}; files in {}", dir.keep().display())
    }
}

/// `postgres://user@host:port/db?x` with the database part replaced by `name`.
pub fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{host_part}/{name}?{query}"),
        None => format!("{host_part}/{name}"),
    }
}

impl Drop for BenchDatabase {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else {
            return;
        };
        // Drop may run inside a runtime: clean up on a thread of its own.
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    if let Err(err) = sqlx::Executor::execute(&mut admin, sql.as_str()).await {
                        eprintln!("could not drop the benchmark database {name}: {err}");
                    }
                }
            });
        })
        .join();
    }
}

/// A pool of our own on the same database, opened the way the store opens its writer.
#[derive(Clone)]
pub enum RawPool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The baseline table: the width of `statuses` (the same 24 columns), its primary key (a
/// rowid on SQLite, as `statuses` has), no other index.
const CREATE_BASELINE: &str = "CREATE TABLE bench_insert_baseline (
    id ID_TYPE PRIMARY KEY, uri TEXT NOT NULL, url TEXT, account_id BIGINT NOT NULL,
    in_reply_to_id BIGINT, in_reply_to_uri TEXT, in_reply_to_account_id BIGINT,
    reblog_of_id BIGINT, quote_of_id BIGINT, conversation TEXT, text TEXT NOT NULL,
    content TEXT NOT NULL, content_type TEXT NOT NULL, spoiler_text TEXT NOT NULL,
    sensitive BOOLEAN NOT NULL, visibility TEXT NOT NULL, language TEXT, local BOOLEAN NOT NULL,
    object_type TEXT NOT NULL, title TEXT, application_id BIGINT, created_at BIGINT NOT NULL,
    edited_at BIGINT, updated_at BIGINT NOT NULL)";

const INSERT_BASELINE: &str = "INSERT INTO bench_insert_baseline (id, uri, url, account_id, \
    in_reply_to_id, in_reply_to_uri, in_reply_to_account_id, reblog_of_id, quote_of_id, \
    conversation, text, content, content_type, spoiler_text, sensitive, visibility, language, \
    local, object_type, title, application_id, created_at, edited_at, updated_at) VALUES ($1, \
    $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, \
    $22, $23, $24)";

impl RawPool {
    /// Opens the pool: on SQLite one connection with the store's settings (WAL, synchronous
    /// NORMAL, foreign keys, busy timeout), as SQLite has one writer; on PostgreSQL
    /// `connections` of them.
    pub async fn open(kind: Kind, url: &str, connections: u32) -> anyhow::Result<RawPool> {
        Ok(match kind {
            Kind::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10));
                RawPool::Sqlite(
                    SqlitePoolOptions::new()
                        .max_connections(1)
                        .acquire_timeout(Duration::from_secs(10))
                        .connect_with(options)
                        .await?,
                )
            }
            Kind::Postgres => RawPool::Postgres(
                PgPoolOptions::new()
                    .max_connections(connections)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(PgConnectOptions::from_str(url)?)
                    .await?,
            ),
        })
    }

    pub async fn execute(&self, sql: &str) -> anyhow::Result<()> {
        match self {
            RawPool::Sqlite(pool) => {
                sqlx::query(sql).execute(pool).await?;
            }
            RawPool::Postgres(pool) => {
                sqlx::query(sql).execute(pool).await?;
            }
        }
        Ok(())
    }

    /// Gathers PostgreSQL's planner statistics on what was just bulk-loaded, as autovacuum
    /// would have by the time a real instance held it. Test servers, this machine's included
    /// (`autovacuum = off`), often never gather them, and the planner then guesses: the
    /// home timeline sorted every row of a user's feed. SQLite keeps no statistics unless
    /// asked, on a real instance as here, so it is left alone.
    pub async fn analyze(&self) -> anyhow::Result<()> {
        if let RawPool::Postgres(pool) = self {
            sqlx::query("ANALYZE").execute(pool).await?;
        }
        Ok(())
    }

    pub async fn create_baseline_table(&self) -> anyhow::Result<()> {
        self.execute("DROP TABLE IF EXISTS bench_insert_baseline")
            .await?;
        let id_type = match self {
            RawPool::Sqlite(_) => "INTEGER",
            RawPool::Postgres(_) => "BIGINT",
        };
        self.execute(&CREATE_BASELINE.replace("ID_TYPE", id_type))
            .await
    }

    pub async fn drop_baseline_table(&self) -> anyhow::Result<()> {
        self.execute("DROP TABLE IF EXISTS bench_insert_baseline")
            .await
    }

    /// The baseline tables of `inbox_ingest`: the status-wide table and one shaped like
    /// `home_feed` (its composite primary key, no other index).
    pub async fn create_feed_baseline_tables(&self) -> anyhow::Result<()> {
        self.create_baseline_table().await?;
        self.execute("DROP TABLE IF EXISTS bench_feed_baseline")
            .await?;
        self.execute(
            "CREATE TABLE bench_feed_baseline (account_id BIGINT NOT NULL, \
             status_id BIGINT NOT NULL, PRIMARY KEY (account_id, status_id))",
        )
        .await
    }

    pub async fn drop_feed_baseline_tables(&self) -> anyhow::Result<()> {
        self.execute("DROP TABLE IF EXISTS bench_feed_baseline")
            .await?;
        self.drop_baseline_table().await
    }

    /// The first column of every row, as text.
    pub async fn strings(&self, sql: &str) -> anyhow::Result<Vec<String>> {
        Ok(match self {
            RawPool::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await?,
            RawPool::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await?,
        })
    }

    /// Runs `statements` in one transaction.
    pub async fn transaction(&self, statements: &[String]) -> anyhow::Result<()> {
        match self {
            RawPool::Sqlite(pool) => {
                let mut transaction = pool.begin().await?;
                for sql in statements {
                    sqlx::query(sql).execute(&mut *transaction).await?;
                }
                transaction.commit().await?;
            }
            RawPool::Postgres(pool) => {
                let mut transaction = pool.begin().await?;
                for sql in statements {
                    sqlx::query(sql).execute(&mut *transaction).await?;
                }
                transaction.commit().await?;
            }
        }
        Ok(())
    }

    /// The one integer a `SELECT COUNT(*) …` answers.
    pub async fn count(&self, sql: &str) -> anyhow::Result<i64> {
        Ok(match self {
            RawPool::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await?,
            RawPool::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await?,
        })
    }

    pub async fn close(&self) {
        match self {
            RawPool::Sqlite(pool) => pool.close().await,
            RawPool::Postgres(pool) => pool.close().await,
        }
    }
}

/// One row of the baseline: what a post stores, with text of a real post's size.
#[derive(Clone)]
pub struct BaselineRow {
    pub text: String,
    pub content: String,
}

/// Inserts one row per transaction (`BEGIN IMMEDIATE` on SQLite, as the store's writes).
pub struct BaselineInsert {
    pool: RawPool,
    rows: std::sync::Arc<Vec<BaselineRow>>,
    rng: StdRng,
    next_id: i64,
    step: i64,
}

impl BaselineInsert {
    /// Task `task` of `tasks`: ids never collide between tasks.
    pub fn new(
        pool: RawPool,
        rows: std::sync::Arc<Vec<BaselineRow>>,
        task: usize,
        tasks: usize,
    ) -> Self {
        BaselineInsert {
            pool,
            rows,
            rng: StdRng::seed_from_u64(task as u64),
            next_id: task as i64 + 1,
            step: tasks.max(1) as i64,
        }
    }
}

macro_rules! insert_one {
    ($tx:ident, $id:expr, $row:expr, $now:expr) => {{
        let id: i64 = $id;
        let row: &BaselineRow = $row;
        let uri = format!("http://localhost:8080/objects/bench-{id}");
        sqlx::query(INSERT_BASELINE)
            .bind(id)
            .bind(&uri)
            .bind(Some(format!("http://localhost:8080/notice/{id}")))
            .bind(1_i64)
            .bind(None::<i64>)
            .bind(None::<String>)
            .bind(None::<i64>)
            .bind(None::<i64>)
            .bind(None::<i64>)
            .bind(Some(format!("http://localhost:8080/contexts/bench-{id}")))
            .bind(&row.text)
            .bind(&row.content)
            .bind("text/plain")
            .bind("")
            .bind(false)
            .bind("public")
            .bind(Some("en"))
            .bind(true)
            .bind("Note")
            .bind(None::<String>)
            .bind(None::<i64>)
            .bind($now)
            .bind(None::<i64>)
            .bind($now)
            .execute(&mut *$tx)
            .await
            .map_err(|e| e.to_string())?;
        $tx.commit().await.map_err(|e| e.to_string())?;
    }};
}

impl Operation for BaselineInsert {
    async fn run(&mut self) -> Result<u64, String> {
        let id = self.next_id;
        self.next_id += self.step;
        let row = self
            .rows
            .choose(&mut self.rng)
            .cloned()
            .ok_or("no baseline rows")?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        match &self.pool {
            RawPool::Sqlite(pool) => {
                let mut tx = pool
                    .begin_with("BEGIN IMMEDIATE")
                    .await
                    .map_err(|e| e.to_string())?;
                insert_one!(tx, id, &row, now);
            }
            RawPool::Postgres(pool) => {
                let mut tx = pool.begin().await.map_err(|e| e.to_string())?;
                insert_one!(tx, id, &row, now);
            }
        }
        Ok(0)
    }
}

/// One signed activity as the inbox receives it, for the verify-and-insert baseline.
pub struct SignedRow {
    pub method: axum::http::Method,
    pub uri: axum::http::Uri,
    pub headers: axum::http::HeaderMap,
    /// The sender's public key.
    pub key: rhizome_federation::signatures::PublicKey,
    /// What the post stores, and the home timelines it goes into.
    pub row: BaselineRow,
    pub home_of: std::sync::Arc<Vec<i64>>,
}

/// Per activity: one RSA-2048 verification of its real signature, then one transaction
/// writing a status-wide row and its home-timeline rows (one multi-row insert, as the store
/// writes `home_feed`).
pub struct BaselineVerifyInsert {
    pool: RawPool,
    activities: std::sync::Arc<Vec<SignedRow>>,
    next: usize,
    next_id: i64,
    step: i64,
}

impl BaselineVerifyInsert {
    pub fn new(
        pool: RawPool,
        activities: std::sync::Arc<Vec<SignedRow>>,
        task: usize,
        tasks: usize,
    ) -> Self {
        BaselineVerifyInsert {
            pool,
            activities,
            next: task,
            next_id: task as i64 + 1,
            step: tasks.max(1) as i64,
        }
    }
}

macro_rules! insert_with_feed {
    ($tx:ident, $id:expr, $activity:expr, $now:expr) => {{
        let id: i64 = $id;
        let activity: &SignedRow = $activity;
        let uri = format!("https://remote.bench.test/objects/bench-{id}");
        sqlx::query(INSERT_BASELINE)
            .bind(id)
            .bind(&uri)
            .bind(Some(uri.clone()))
            .bind(1_i64)
            .bind(None::<i64>)
            .bind(None::<String>)
            .bind(None::<i64>)
            .bind(None::<i64>)
            .bind(None::<i64>)
            .bind(Some(uri.clone()))
            .bind(&activity.row.text)
            .bind(&activity.row.content)
            .bind("text/html")
            .bind("")
            .bind(false)
            .bind("public")
            .bind(Some("en"))
            .bind(false)
            .bind("Note")
            .bind(None::<String>)
            .bind(None::<i64>)
            .bind($now)
            .bind(None::<i64>)
            .bind($now)
            .execute(&mut *$tx)
            .await
            .map_err(|e| e.to_string())?;
        let mut feed =
            sqlx::QueryBuilder::new("INSERT INTO bench_feed_baseline (account_id, status_id) ");
        feed.push_values(activity.home_of.iter(), |mut row, account| {
            row.push_bind(*account).push_bind(id);
        });
        feed.push(" ON CONFLICT DO NOTHING");
        feed.build()
            .execute(&mut *$tx)
            .await
            .map_err(|e| e.to_string())?;
        $tx.commit().await.map_err(|e| e.to_string())?;
    }};
}

impl Operation for BaselineVerifyInsert {
    async fn run(&mut self) -> Result<u64, String> {
        let activities = self.activities.clone();
        let activity = activities
            .get(self.next % activities.len().max(1))
            .ok_or("no signed activities")?;
        self.next += 1;
        let id = self.next_id;
        self.next_id += self.step;
        let parsed = rhizome_federation::signatures::ParsedSignature::from_request(
            &activity.method,
            &activity.uri,
            &activity.headers,
        )
        .map_err(|e| format!("signature: {e}"))?;
        parsed
            .verify(&activity.key)
            .map_err(|e| format!("signature does not verify: {e}"))?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        match &self.pool {
            RawPool::Sqlite(pool) => {
                let mut tx = pool
                    .begin_with("BEGIN IMMEDIATE")
                    .await
                    .map_err(|e| e.to_string())?;
                insert_with_feed!(tx, id, activity, now);
            }
            RawPool::Postgres(pool) => {
                let mut tx = pool.begin().await.map_err(|e| e.to_string())?;
                insert_with_feed!(tx, id, activity, now);
            }
        }
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            replace_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            replace_database("postgres://u@h/test?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(replace_database("postgres://u@h", "x"), "postgres://u@h/x");
    }

    #[tokio::test]
    async fn the_baseline_inserts_rows_into_a_table_as_wide_as_statuses() {
        let db = BenchDatabase::create(Kind::Sqlite).await.expect("database");
        let pool = RawPool::open(Kind::Sqlite, &db.url, 1).await.expect("pool");
        pool.create_baseline_table().await.expect("table");
        let rows = std::sync::Arc::new(vec![BaselineRow {
            text: "hello".into(),
            content: "<p>hello</p>".into(),
        }]);
        let mut first = BaselineInsert::new(pool.clone(), rows.clone(), 0, 2);
        let mut second = BaselineInsert::new(pool.clone(), rows, 1, 2);
        for _ in 0..3 {
            first.run().await.expect("insert");
            second.run().await.expect("insert");
        }
        let RawPool::Sqlite(sqlite) = &pool else {
            panic!("SQLite pool expected");
        };
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bench_insert_baseline")
            .fetch_one(sqlite)
            .await
            .expect("count");
        assert_eq!(count, 6);
        pool.drop_baseline_table().await.expect("drop");
        pool.close().await;
    }
}
