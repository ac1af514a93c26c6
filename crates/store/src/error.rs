/// What can go wrong in the store. Callers map these to their own errors.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("invalid database URL: {0}")]
    InvalidUrl(String),
    // The driver's error is part of the message and deliberately not a `source()`: printing
    // the chain (`{:#}`, as the binary does) would repeat it.
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(sqlx::migrate::MigrateError),
    /// A unique key would be violated; the text names what is taken.
    #[error("{0}")]
    Conflict(&'static str),
    #[error("not found")]
    NotFound,
    /// A stored value could not be read back (a bug or a hand-edited database).
    #[error("corrupt value in column {column}: {reason}")]
    Corrupt {
        column: &'static str,
        reason: String,
    },
    #[error("not supported: {0}")]
    Unsupported(&'static str),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        StoreError::Database(err)
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migrate(err)
    }
}

impl StoreError {
    /// The name of the unique index or constraint a write violated, if that is what failed.
    pub(crate) fn violated_unique(err: &sqlx::Error) -> Option<String> {
        let sqlx::Error::Database(db) = err else {
            return None;
        };
        if !db.is_unique_violation() {
            return None;
        }
        // PostgreSQL names the constraint; SQLite puts the index or columns in the message.
        Some(
            db.constraint()
                .map(str::to_owned)
                .unwrap_or_else(|| db.message().to_owned()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_driver_error_is_told_once() {
        let err = StoreError::from(sqlx::Error::PoolTimedOut);
        let message = err.to_string();
        assert!(message.starts_with("database error: "), "{message}");
        assert!(message.len() > "database error: ".len(), "{message}");
        assert!(std::error::Error::source(&err).is_none());
    }
}
