//! Outgoing activities.

use chrono::{DateTime, Utc};
use serde::Serialize;
use url::Url;

use super::{Tag, optional_time};

/// The activities Rhizome sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ActivityType {
    Create,
    Update,
    Delete,
    Follow,
    Accept,
    Reject,
    Undo,
    Like,
    Announce,
    /// A reaction with an emoji (Pleroma's term, which Akkoma, Misskey and others read).
    EmojiReact,
    Block,
    /// A report to another server's moderators.
    Flag,
    /// An account migration: `object` is the old account, `target` the new one.
    Move,
    /// Pin (`Add`) or unpin (`Remove`) a post in the `featured` collection.
    Add,
    Remove,
    /// FEP-044f: asks the quoted author to approve a quote (`instrument`) of `object`.
    QuoteRequest,
}

/// An activity whose `object` is an `O`: a [`Url`], a [`super::Note`], a [`super::Actor`],
/// another activity (Undo, Accept), a [`Tombstone`], or a `Vec<Url>` (Flag).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity<O> {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: ActivityType,
    pub actor: Url,
    pub object: O,
    /// The featured collection of an Add/Remove, the new account of a Move.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Url>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<Url>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<Url>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "optional_time"
    )]
    pub published: Option<DateTime<Utc>>,
    /// The emoji of an EmojiReact, the comment of a Flag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// For an EmojiReact with a custom emoji, that emoji.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tag: Vec<Tag>,
    /// The quote post of a QuoteRequest, embedded so the quoted author can judge it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instrument: Option<serde_json::Value>,
    /// The approval stamp an Accept of a QuoteRequest gives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<Url>,
}

impl<O> Activity<O> {
    /// An activity with the required properties; addressing and the rest start empty.
    pub fn new(kind: ActivityType, id: Url, actor: Url, object: O) -> Self {
        Activity {
            id,
            kind,
            actor,
            object,
            target: None,
            to: Vec::new(),
            cc: Vec::new(),
            published: None,
            content: None,
            tag: Vec::new(),
            instrument: None,
            result: None,
        }
    }

    /// Sets the addressing.
    pub fn addressed(mut self, to: Vec<Url>, cc: Vec<Url>) -> Self {
        self.to = to;
        self.cc = cc;
        self
    }
}

/// What a deleted post is replaced with, as the `object` of a Delete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename = "Tombstone", rename_all = "camelCase")]
pub struct Tombstone {
    pub id: Url,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub former_type: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "optional_time"
    )]
    pub deleted: Option<DateTime<Utc>>,
}

impl Tombstone {
    /// A Tombstone for the object `id`.
    pub fn new(id: Url) -> Self {
        Tombstone {
            id,
            former_type: None,
            deleted: None,
        }
    }
}
