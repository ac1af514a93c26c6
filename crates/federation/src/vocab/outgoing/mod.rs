//! The documents Rhizome sends, shaped like Mastodon's.
//!
//! Plain `Serialize` structs with public fields and a `new` for the required ones. Optional
//! properties are left out rather than sent as `null` (several servers choke on `null`), and
//! empty lists are left out too. Wrap a top-level document with [`crate::vocab::with_context`].

mod activity;
mod actor;
mod collection;
mod note;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};
use url::Url;

pub use activity::{Activity, ActivityType, Tombstone};
pub use actor::{Actor, ActorType, Endpoints, PropertyValue, PublicKey};
pub use collection::{OrderedCollection, OrderedCollectionPage, PageRef};
pub use note::{
    ApprovalPolicy, Document, InteractionPolicy, Note, QuoteAuthorization, QuoteOf, Source,
};

/// A picture: an avatar, a header, a custom emoji.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename = "Image", rename_all = "camelCase")]
pub struct Image {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    pub url: Url,
}

/// A custom emoji, as it appears in `tag`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Emoji {
    pub id: Url,
    /// `:shortcode:`, with the colons.
    pub name: String,
    pub icon: Image,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "optional_time"
    )]
    pub updated: Option<DateTime<Utc>>,
}

/// An entry of `tag`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum Tag {
    /// `name` is `@user@host`; `href` the actor's id.
    Mention {
        href: Url,
        name: String,
    },
    /// `name` is `#tag`; `href` the tag's page.
    Hashtag {
        href: Url,
        name: String,
    },
    Emoji(Emoji),
}

/// Times as Mastodon writes them: UTC, whole seconds, `Z` (`2024-01-02T03:04:05Z`).
fn format_time(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn time<S: Serializer>(time: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format_time(time))
}

fn optional_time<S: Serializer>(
    time: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match time {
        Some(time) => serializer.serialize_str(&format_time(time)),
        None => serializer.serialize_none(),
    }
}
