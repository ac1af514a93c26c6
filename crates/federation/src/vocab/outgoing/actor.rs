//! Outgoing actors.

use chrono::{DateTime, Utc};
use serde::Serialize;
use url::Url;

use super::{Image, Tag, optional_time};

/// The kinds of actor Rhizome publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ActorType {
    /// A user account.
    Person,
    /// The instance actor, which signs fetches on the server's behalf.
    Application,
    /// A bot account.
    Service,
    Group,
}

/// A local account, as served at its id.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: ActorType,
    pub preferred_username: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The bio, as HTML.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The profile's web page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<Url>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<Image>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
    pub inbox: Url,
    pub outbox: Url,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub followers: Option<Url>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub following: Option<Url>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub featured: Option<Url>,
    /// Hashtags featured on the profile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub featured_tags: Option<Url>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Endpoints>,
    pub public_key: PublicKey,
    pub manually_approves_followers: bool,
    pub discoverable: bool,
    pub indexable: bool,
    /// Profile fields.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachment: Vec<PropertyValue>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_known_as: Vec<Url>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<Url>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "optional_time"
    )]
    pub published: Option<DateTime<Utc>>,
    /// The custom emoji used in the name, bio and fields (`Tag::Emoji` entries).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tag: Vec<Tag>,
}

/// `endpoints`: where to deliver once for every follower on a server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    pub shared_inbox: Url,
}

/// The actor's HTTP-signature key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKey {
    /// `<actor id>#main-key`, by the usual convention.
    pub id: Url,
    pub owner: Url,
    pub public_key_pem: String,
}

/// A profile field; `value` is HTML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename = "PropertyValue")]
pub struct PropertyValue {
    pub name: String,
    pub value: String,
}

impl Actor {
    /// An actor with the required properties; the others start empty (and unlocked,
    /// not discoverable, not indexable).
    pub fn new(
        kind: ActorType,
        id: Url,
        preferred_username: impl Into<String>,
        inbox: Url,
        outbox: Url,
        public_key: PublicKey,
    ) -> Self {
        Actor {
            id,
            kind,
            preferred_username: preferred_username.into(),
            name: None,
            summary: None,
            url: None,
            icon: None,
            image: None,
            inbox,
            outbox,
            followers: None,
            following: None,
            featured: None,
            featured_tags: None,
            endpoints: None,
            public_key,
            manually_approves_followers: false,
            discoverable: false,
            indexable: false,
            attachment: Vec::new(),
            also_known_as: Vec::new(),
            moved_to: None,
            published: None,
            tag: Vec::new(),
        }
    }
}
