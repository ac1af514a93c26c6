//! The one error type of the vocabulary module.

/// Why an incoming document could not be used at all.
///
/// Everything short of these is tolerated: a malformed property is treated as absent rather
/// than failing the document, because one server's quirk must not drop a whole activity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VocabError {
    /// The document is over the size the caller accepts.
    #[error("the document is {size} bytes, over the limit of {max}")]
    TooLarge { size: usize, max: usize },
    /// The bytes are not JSON (or nest deeper than the JSON parser allows).
    #[error("the document is not valid JSON: {0}")]
    InvalidJson(String),
    /// The JSON is valid but its top level is not an object.
    #[error("the document is not a JSON object")]
    NotAnObject,
    /// A property without which the document means nothing (an activity's `actor`, an
    /// actor's `id`) is absent or not a usable http(s) URL.
    #[error("the document has no usable {0}")]
    MissingField(&'static str),
    /// The document is of another family than asked for (an actor where an activity was
    /// expected, say). `found` is the document's type name, shortened.
    #[error("expected {expected}, found {found:?}")]
    WrongType {
        expected: &'static str,
        found: String,
    },
}
