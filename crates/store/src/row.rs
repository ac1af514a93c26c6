//! Reading columns out of a row of either backend with one set of mapping functions.

use sqlx::Row;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;

use crate::StoreError;

/// Typed column access shared by SQLite and PostgreSQL rows.
pub(crate) trait Columns {
    fn i64(&self, column: &'static str) -> Result<i64, StoreError>;
    fn opt_i64(&self, column: &'static str) -> Result<Option<i64>, StoreError>;
    fn text(&self, column: &'static str) -> Result<String, StoreError>;
    fn opt_text(&self, column: &'static str) -> Result<Option<String>, StoreError>;
    fn bool(&self, column: &'static str) -> Result<bool, StoreError>;

    fn i32(&self, column: &'static str) -> Result<i32, StoreError> {
        let value = self.i64(column)?;
        i32::try_from(value).map_err(|e| StoreError::Corrupt {
            column,
            reason: e.to_string(),
        })
    }

    /// A column holding the text form of a `FromStr` type.
    fn parsed<T: std::str::FromStr>(&self, column: &'static str) -> Result<T, StoreError>
    where
        T::Err: std::fmt::Display,
    {
        self.text(column)?
            .parse()
            .map_err(|e: T::Err| StoreError::Corrupt {
                column,
                reason: e.to_string(),
            })
    }

    /// A column holding JSON.
    fn json<T: serde::de::DeserializeOwned>(&self, column: &'static str) -> Result<T, StoreError> {
        serde_json::from_str(&self.text(column)?).map_err(|e| StoreError::Corrupt {
            column,
            reason: e.to_string(),
        })
    }
}

macro_rules! impl_columns {
    ($row:ty) => {
        impl Columns for $row {
            fn i64(&self, column: &'static str) -> Result<i64, StoreError> {
                Ok(self.try_get(column)?)
            }
            fn opt_i64(&self, column: &'static str) -> Result<Option<i64>, StoreError> {
                Ok(self.try_get(column)?)
            }
            fn text(&self, column: &'static str) -> Result<String, StoreError> {
                Ok(self.try_get(column)?)
            }
            fn opt_text(&self, column: &'static str) -> Result<Option<String>, StoreError> {
                Ok(self.try_get(column)?)
            }
            fn bool(&self, column: &'static str) -> Result<bool, StoreError> {
                Ok(self.try_get(column)?)
            }
        }
    };
}

impl_columns!(SqliteRow);
impl_columns!(PgRow);
