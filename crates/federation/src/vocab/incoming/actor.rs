//! Incoming actors.

use chrono::{DateTime, Utc};
use serde_json::Value;
use url::Url;

use super::kinds::{ActorKind, Family};
use super::tags::{Emoji, Tag, html_url, image_url, parse_tags};
use super::top_level;
use crate::vocab::VocabError;
use crate::vocab::json::Node;

/// An actor (account), as much of it as Rhizome stores.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    pub id: Url,
    pub kind: ActorKind,
    pub preferred_username: Option<String>,
    /// The display name (may contain `:shortcode:` emoji, see `emojis`).
    pub name: Option<String>,
    /// The bio, raw HTML.
    pub summary: Option<String>,
    /// The profile's web page.
    pub url: Option<Url>,
    pub icon_url: Option<Url>,
    pub image_url: Option<Url>,
    /// Absent only from key stubs such as GoToSocial's unsigned `main-key` document.
    pub inbox: Option<Url>,
    pub outbox: Option<Url>,
    pub followers: Option<Url>,
    pub following: Option<Url>,
    /// Pinned posts (Mastodon's `featured` collection).
    pub featured: Option<Url>,
    /// `endpoints.sharedInbox`, or Misskey's top-level `sharedInbox`.
    pub shared_inbox: Option<Url>,
    pub public_key: Option<ActorPublicKey>,
    /// FEP-521a keys (Fedify sends Ed25519 ones for object integrity proofs).
    pub assertion_methods: Vec<Multikey>,
    pub manually_approves_followers: bool,
    pub discoverable: Option<bool>,
    pub indexable: Option<bool>,
    /// `Service` and `Application` actors are automated.
    pub bot: bool,
    /// Profile fields (`PropertyValue` attachments); values are raw HTML.
    pub fields: Vec<ProfileField>,
    pub also_known_as: Vec<Url>,
    pub moved_to: Option<Url>,
    pub published: Option<DateTime<Utc>>,
    /// Custom emoji used in the name, bio and fields.
    pub emojis: Vec<Emoji>,
}

/// The actor's HTTP-signature key (`publicKey`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorPublicKey {
    /// The key id, which signatures name in `keyId`.
    pub id: Url,
    /// Who the key belongs to; must be the actor for the key to count as the actor's.
    pub owner: Option<Url>,
    pub pem: String,
}

/// A FEP-521a `Multikey` from `assertionMethod`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Multikey {
    pub id: Url,
    pub controller: Option<Url>,
    pub public_key_multibase: String,
}

/// One profile field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileField {
    pub name: String,
    pub value: String,
}

impl Actor {
    /// Reads an actor from a parsed JSON document; see [`crate::vocab::parse_actor`].
    pub fn from_json(value: &Value) -> Result<Self, VocabError> {
        match top_level(value)? {
            (node, Family::Actor(kind)) => Self::from_node(node, kind),
            (_, other) => Err(VocabError::WrongType {
                expected: "an actor",
                found: other.name(),
            }),
        }
    }

    pub(crate) fn from_node(node: Node<'_>, kind: ActorKind) -> Result<Self, VocabError> {
        let id = node.id().ok_or(VocabError::MissingField("id"))?;
        let text = |key: &str| node.text(key).map(str::to_owned);
        let endpoints = node.node("endpoints");
        Ok(Actor {
            preferred_username: text("preferredUsername"),
            name: node.natural_text("name", "nameMap").map(str::to_owned),
            summary: node
                .natural_text("summary", "summaryMap")
                .map(str::to_owned),
            url: node.get("url").and_then(html_url),
            icon_url: node.get("icon").and_then(image_url),
            image_url: node.get("image").and_then(image_url),
            inbox: node.reference("inbox"),
            outbox: node.reference("outbox"),
            followers: node.reference("followers"),
            following: node.reference("following"),
            featured: node.reference("featured"),
            shared_inbox: endpoints
                .and_then(|endpoints| endpoints.reference("sharedInbox"))
                .or_else(|| node.reference("sharedInbox")),
            public_key: node.nodes("publicKey").find_map(public_key),
            assertion_methods: node.nodes("assertionMethod").filter_map(multikey).collect(),
            manually_approves_followers: node.flag("manuallyApprovesFollowers").unwrap_or(false),
            discoverable: node.flag("discoverable"),
            indexable: node.flag("indexable"),
            bot: matches!(kind, ActorKind::Service | ActorKind::Application),
            fields: node
                .nodes("attachment")
                .filter(|entry| entry.has_type("PropertyValue"))
                .filter_map(|entry| {
                    Some(ProfileField {
                        name: entry.text("name")?.to_owned(),
                        value: entry.text("value").unwrap_or_default().to_owned(),
                    })
                })
                .collect(),
            also_known_as: node.references("alsoKnownAs"),
            moved_to: node.reference("movedTo"),
            published: node.time("published"),
            emojis: parse_tags(node)
                .into_iter()
                .filter_map(|tag| match tag {
                    Tag::Emoji(emoji) => Some(emoji),
                    _ => None,
                })
                .collect(),
            id,
            kind,
        })
    }
}

fn public_key(key: Node<'_>) -> Option<ActorPublicKey> {
    Some(ActorPublicKey {
        id: key.id()?,
        owner: key.reference("owner"),
        pem: key.text("publicKeyPem")?.to_owned(),
    })
}

fn multikey(key: Node<'_>) -> Option<Multikey> {
    Some(Multikey {
        id: key.id()?,
        controller: key.reference("controller"),
        public_key_multibase: key.text("publicKeyMultibase")?.to_owned(),
    })
}
