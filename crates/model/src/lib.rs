//! Rhizome's domain types: identifiers, names, roles, visibilities and OAuth scopes.
//!
//! Nothing here performs I/O; every other crate builds on these types.

pub mod account;
pub mod card;
pub mod id;
pub mod job;
pub mod oauth;
pub mod push;
pub mod quote;
pub mod role;
pub mod scope;
pub mod social;
pub mod status;
pub mod time;
pub mod username;
pub mod visibility;

pub use account::{Account, EmojiRef, LocalUser, PostingDefaults, ProfileField};
pub use card::{CardKind, PreviewCard};
pub use id::Id;
pub use job::{Job, JobState};
pub use oauth::{AccessToken, OAuthApp};
pub use push::{PushAlerts, PushPolicy, PushSubscription};
pub use quote::{QuoteDecision, QuotePolicy, QuoteState};
pub use role::Role;
pub use scope::{Scope, Scopes};
pub use social::{Follow, Notification, NotificationKind, Relationship};
pub use status::{
    Attachment, AttachmentKind, NewStatus, ReactionCount, Status, StatusCounts, StatusEdit,
    ViewerFlags,
};
pub use time::Timestamp;
pub use username::{Username, UsernameError};
pub use visibility::Visibility;

/// A value that was not one of the allowed spellings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {value:?}")]
pub struct UnknownVariant {
    pub kind: &'static str,
    pub value: String,
}
