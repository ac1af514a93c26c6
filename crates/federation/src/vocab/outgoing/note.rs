//! Outgoing posts.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use url::Url;

use super::collection::OrderedCollection;
use super::{Tag, optional_time, time};

/// A post.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename = "Note", rename_all = "camelCase")]
pub struct Note {
    pub id: Url,
    /// The post's web page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<Url>,
    pub attributed_to: Url,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<Url>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<Url>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<Url>,
    /// The thread (FEP-7888).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<Url>,
    /// The thread in OStatus terms, which Mastodon and Pleroma still read; often a `tag:` URI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation: Option<String>,
    #[serde(serialize_with = "time")]
    pub published: DateTime<Utc>,
    /// Set on edits; Mastodon only applies an Update(Note) that carries it.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "optional_time"
    )]
    pub updated: Option<DateTime<Utc>>,
    pub sensitive: bool,
    /// The content warning.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// HTML.
    pub content: String,
    /// `content` keyed by language, which is how receivers learn the post's language.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub content_map: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tag: Vec<Tag>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachment: Vec<Document>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replies: Option<OrderedCollection<Url>>,
    /// The quoted post, sent under the three names the other servers read.
    #[serde(flatten)]
    pub quote: QuoteOf,
    /// The quoted author's approval stamp (FEP-044f), once they gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote_authorization: Option<Url>,
    /// Who may quote this post (FEP-044f).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interaction_policy: Option<InteractionPolicy>,
}

/// A FEP-044f approval stamp: `attributed_to` lets `interacting_object` quote
/// `interaction_target`. Neither post is embedded, so the stamp leaks nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename = "QuoteAuthorization", rename_all = "camelCase")]
pub struct QuoteAuthorization {
    pub id: Url,
    pub attributed_to: Url,
    pub interacting_object: Url,
    pub interaction_target: Url,
}

/// FEP-044f's `interactionPolicy`: here, who may quote a post without asking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InteractionPolicy {
    pub can_quote: ApprovalPolicy,
}

/// Actors or collections (`as:Public`, followers) approved automatically or by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalPolicy {
    pub automatic_approval: Vec<Url>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub manual_approval: Vec<Url>,
}

/// What the author typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    pub content: String,
    /// `text/plain` or `text/markdown`.
    pub media_type: String,
}

/// A media attachment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename = "Document", rename_all = "camelCase")]
pub struct Document {
    pub media_type: String,
    pub url: Url,
    /// The description (alt text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blurhash: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Mastodon's focal point, each coordinate from -1 to 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub focal_point: Option<[f64; 2]>,
}

/// The post a Note quotes, if any. Serialized as FEP-044f's `quote` (Mastodon), `quoteUrl`
/// (Akkoma, Misskey), `_misskey_quote` (Misskey) and `quoteUri` (Fedibird), or not at all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuoteOf(pub Option<Url>);

impl Serialize for QuoteOf {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Some(quoted) = &self.0 else {
            return serializer.serialize_map(Some(0))?.end();
        };
        let mut map = serializer.serialize_map(Some(4))?;
        for key in ["quote", "quoteUrl", "_misskey_quote", "quoteUri"] {
            map.serialize_entry(key, quoted)?;
        }
        map.end()
    }
}

impl Note {
    /// A note with the required properties; addressing, tags and the rest start empty.
    pub fn new(
        id: Url,
        attributed_to: Url,
        content: impl Into<String>,
        published: DateTime<Utc>,
    ) -> Self {
        Note {
            id,
            url: None,
            attributed_to,
            to: Vec::new(),
            cc: Vec::new(),
            in_reply_to: None,
            context: None,
            conversation: None,
            published,
            updated: None,
            sensitive: false,
            summary: None,
            content: content.into(),
            content_map: BTreeMap::new(),
            source: None,
            tag: Vec::new(),
            attachment: Vec::new(),
            replies: None,
            quote: QuoteOf(None),
            quote_authorization: None,
            interaction_policy: None,
        }
    }
}
