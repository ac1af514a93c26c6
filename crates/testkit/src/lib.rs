//! Throwaway databases for tests.
//!
//! SQLite databases live in a temporary folder. PostgreSQL ones are created on the server
//! named by `RHIZOME_TEST_POSTGRES` (e.g. `postgres://postgres@127.0.0.1:5432/test`) under a
//! random name, and dropped when the handle goes, so concurrent runs never collide.
//!
//! Crates whose tests use PostgreSQL mark them with
//! `#[cfg_attr(not(postgres_tests), ignore = "…")]`, where `postgres_tests` is set by their
//! build script when `RHIZOME_TEST_POSTGRES` is set: without it the suite shows as skipped,
//! with the reason, instead of failing.

pub mod fixtures;

use std::path::{Path, PathBuf};

use rhizome_store::{PoolSize, Store};

/// The variable that enables the PostgreSQL suites.
pub const POSTGRES_ENV: &str = "RHIZOME_TEST_POSTGRES";

/// A database that disappears when dropped.
pub struct TestDatabase {
    url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<PostgresCleanup>,
}

struct PostgresCleanup {
    admin_url: String,
    name: String,
}

impl TestDatabase {
    /// A fresh SQLite database file in its own temporary folder.
    pub fn sqlite() -> TestDatabase {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary folder: {e}"));
        let url = format!("sqlite://{}", dir.path().join("rhizome.db").display());
        TestDatabase {
            url,
            _dir: Some(dir),
            postgres: None,
        }
    }

    /// A fresh, empty PostgreSQL database. Panics when `RHIZOME_TEST_POSTGRES` is unset or
    /// the server is unreachable: a test that asked for PostgreSQL must not pass without it.
    pub async fn postgres() -> TestDatabase {
        let admin_url = std::env::var(POSTGRES_ENV)
            .unwrap_or_else(|_| panic!("{POSTGRES_ENV} is not set; PostgreSQL tests need it"));
        let name = format!("rhizome_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = connect_admin(&admin_url).await;
        sqlx::Executor::execute(&mut admin, format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap_or_else(|e| panic!("creating test database {name}: {e}"));
        let url = replace_database(&admin_url, &name);
        TestDatabase {
            url,
            _dir: None,
            postgres: Some(PostgresCleanup { admin_url, name }),
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// The SQLite database's folder, or `None` on PostgreSQL.
    pub fn folder(&self) -> Option<&Path> {
        self._dir.as_ref().map(|d| d.path())
    }

    /// A connected, migrated store.
    pub async fn store(&self) -> Store {
        let store = Store::connect(&self.url, PoolSize { max_connections: 8 })
            .await
            .unwrap_or_else(|e| panic!("connecting to {}: {e}", self.url));
        store
            .migrate()
            .await
            .unwrap_or_else(|e| panic!("migrating: {e}"));
        store
    }

    /// A path for files next to the database (only meaningful for SQLite).
    pub fn scratch_path(&self, name: &str) -> PathBuf {
        match &self._dir {
            Some(dir) => dir.path().join(name),
            None => std::env::temp_dir().join(format!("{}-{name}", uuid::Uuid::new_v4().simple())),
        }
    }
}

async fn connect_admin(url: &str) -> sqlx::PgConnection {
    use sqlx::Connection;
    sqlx::PgConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("connecting to {POSTGRES_ENV}={url}: {e}"))
}

/// `postgres://user@host:port/db?x` with the database part replaced by `name`.
fn replace_database(url: &str, name: &str) -> String {
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

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some(cleanup) = self.postgres.take() else {
            return;
        };
        // Drop runs outside any runtime we could borrow, so clean up on a thread of its own.
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                let mut admin = connect_admin(&cleanup.admin_url).await;
                let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", cleanup.name);
                let _ = sqlx::Executor::execute(&mut admin, sql.as_str()).await;
            });
        })
        .join();
    }
}

/// Generates `sqlite::name` and `postgres::name` tests for each `async fn name(&TestDatabase)`
/// of the calling module. The calling crate's build script sets `cfg(postgres_tests)` when
/// `RHIZOME_TEST_POSTGRES` is set; otherwise the PostgreSQL half shows as ignored, with why.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = $crate::TestDatabase::sqlite();
                    super::$name(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                #[cfg_attr(
                    not(postgres_tests),
                    ignore = "PostgreSQL suite skipped: set RHIZOME_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test to run it"
                )]
                async fn $name() {
                    let db = $crate::TestDatabase::postgres().await;
                    super::$name(&db).await;
                }
            )*
        }
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            super::replace_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            super::replace_database("postgres://u@h/test?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(
            super::replace_database("postgres://u@h", "x"),
            "postgres://u@h/x"
        );
    }
}
