//! The one error type of the signatures module.

use super::public_key::{Algorithm, KeyType};

/// Why a request could not be signed, or why an incoming signature was refused.
///
/// Each variant names what was wrong, so that an inbox can log it and answer 401 with a reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// A header that is needed (the signature itself, a covered header, a digest) is absent.
    #[error("the request has no {0} header")]
    MissingHeader(String),
    /// A header, or a parameter inside one, could not be parsed.
    #[error("malformed {header}: {reason}")]
    Malformed {
        header: &'static str,
        reason: String,
    },
    /// A header or value is over the size this module accepts (see the `MAX_*` constants).
    #[error("{0} is too large")]
    TooLarge(&'static str),
    /// The signature names an algorithm this module does not verify.
    #[error("unsupported signature algorithm {0:?}")]
    UnsupportedAlgorithm(String),
    /// The signature covers a component this module cannot reproduce.
    #[error("unsupported signature component {0:?}")]
    UnsupportedComponent(String),
    /// A signature parameter that the covered components refer to (e.g. `created`) is absent.
    #[error("the signature has no {0} parameter")]
    MissingParameter(&'static str),
    /// The signature is well formed but does not cover what a Fediverse request must cover.
    #[error("the signature does not cover {0}")]
    NotCovered(&'static str),
    /// The body does not hash to the value in the named digest header.
    #[error("the body does not match the {0} header")]
    DigestMismatch(&'static str),
    /// The digest header names no algorithm this module computes (SHA-256 or SHA-512).
    #[error("the {0} header uses no supported digest algorithm")]
    UnsupportedDigest(&'static str),
    /// The signature (its `Date` or `created`) is older than [`super::MAX_SIGNATURE_AGE`].
    #[error("the signature is too old ({age_seconds} s)")]
    DateTooOld { age_seconds: i64 },
    /// The signature (its `Date` or `created`) is later than [`super::MAX_CLOCK_SKEW`] from now.
    #[error("the signature is dated {ahead_seconds} s in the future")]
    DateInFuture { ahead_seconds: i64 },
    /// The signature's own `expires` time has passed.
    #[error("the signature expired")]
    Expired,
    /// The declared algorithm needs another type of key than the one given.
    #[error("algorithm {algorithm:?} cannot be verified with a {key:?} key")]
    KeyAlgorithmMismatch { algorithm: Algorithm, key: KeyType },
    /// The cryptographic check failed: the message was changed, or the key is not the signer's.
    #[error("the signature does not verify")]
    BadSignature,
    /// A public or private key could not be read or used.
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// The key id given for signing cannot be put in a header.
    #[error("the key id cannot be sent in a header")]
    InvalidKeyId,
    /// An outgoing request's URI lacks the scheme or host that the signature must cover.
    #[error("the request URI has no scheme or host")]
    RelativeUri,
    /// The crypto library refused to sign.
    #[error("signing failed")]
    SigningFailed,
}

impl SignatureError {
    /// Whether the same request might verify with a freshly fetched key: true when the
    /// signature did not match or the key type did not fit, which is what a remote key rotation
    /// looks like. Everything else is wrong whichever key is used.
    pub fn may_succeed_with_fresh_key(&self) -> bool {
        matches!(self, Self::BadSignature | Self::KeyAlgorithmMismatch { .. })
    }

    pub(crate) fn malformed(header: &'static str, reason: impl Into<String>) -> Self {
        Self::Malformed {
            header,
            reason: reason.into(),
        }
    }
}
