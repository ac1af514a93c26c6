//! One read connection held across several look-ups.
//!
//! sqlx checks a connection each time it goes back to its pool (`ping`): a round trip on
//! PostgreSQL, two hops to the connection's worker thread on SQLite. A page of statuses asks
//! about a dozen batched look-ups; through the pool each would pay that check, through one
//! [`Reader`] they pay it once. A reader takes its connection at its first look-up and gives
//! it back when dropped.
//!
//! A reader holds one of the pool's connections: whoever holds one must not wait for a
//! second from the same pool (through `Store`) before dropping it, or enough concurrent
//! holders would wait on each other until the acquire timeout.

use sqlx::pool::PoolConnection;
use sqlx::{Postgres, Sqlite};

use crate::{Backend, DatabaseKind, Store, StoreError};

pub(crate) enum Held {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

/// Batched read-only look-ups on one connection; see the module's documentation.
pub struct Reader {
    store: Store,
    held: Option<Held>,
}

/// Runs `$body` with `$conn` bound to the reader's connection (`&mut SqliteConnection` or
/// `&mut PgConnection`), taking it from the pool first if needed. As with `with_pool!`, the
/// body is compiled once per driver.
macro_rules! with_reader {
    ($reader:expr, |$conn:ident| $body:expr) => {
        match $reader.held().await? {
            $crate::reader::Held::Sqlite(held) => {
                let $conn: &mut ::sqlx::SqliteConnection = &mut *held;
                $body
            }
            $crate::reader::Held::Postgres(held) => {
                let $conn: &mut ::sqlx::PgConnection = &mut *held;
                $body
            }
        }
    };
}
pub(crate) use with_reader;

impl Store {
    /// A reader on this store's read connections (none is taken until it is used).
    pub fn reader(&self) -> Reader {
        Reader {
            store: self.clone(),
            held: None,
        }
    }
}

impl Reader {
    pub(crate) fn kind(&self) -> DatabaseKind {
        self.store.kind()
    }

    pub(crate) async fn held(&mut self) -> Result<&mut Held, StoreError> {
        let held = match self.held.take() {
            Some(held) => held,
            None => match &self.store.backend {
                Backend::Sqlite { read, .. } => Held::Sqlite(read.acquire().await?),
                Backend::Postgres(pool) => Held::Postgres(pool.acquire().await?),
            },
        };
        Ok(self.held.insert(held))
    }
}
