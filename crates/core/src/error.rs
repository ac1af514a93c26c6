use rhizome_store::StoreError;

/// Why an action did not happen. Each front maps these to its own responses in one place.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The input is wrong; the text says how, for the person who sent it.
    #[error("{0}")]
    Invalid(String),
    /// Something with that name or key exists already.
    #[error("{0}")]
    Conflict(String),
    #[error("record not found")]
    NotFound,
    /// The caller is not allowed to do this.
    #[error("{0}")]
    Forbidden(String),
    /// The caller has not proven who they are, or the proof is no longer valid.
    #[error("{0}")]
    Unauthorized(String),
    #[error(transparent)]
    Store(StoreError),
    /// A failure on our side that the caller cannot fix.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for CoreError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(what) => CoreError::Conflict(what.to_owned()),
            StoreError::NotFound => CoreError::NotFound,
            other => CoreError::Store(other),
        }
    }
}

impl CoreError {
    pub fn invalid(message: impl Into<String>) -> Self {
        CoreError::Invalid(message.into())
    }
}
