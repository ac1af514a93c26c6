//! Tolerant parsing of the documents other servers send.
//!
//! Each document type has a `from_json` constructor over a `serde_json::Value` and a
//! `Deserialize` impl built on it; untrusted bytes should enter through the `parse_*`
//! functions, which also bound the size. Parsing never panics, never recurses without bound
//! (objects embedded deeper than [`MAX_EMBEDDING_DEPTH`] are kept as links), and refuses a
//! document only when it is unusable as a whole (see [`VocabError`]).

mod activity;
mod actor;
mod authorization;
mod collection;
mod kinds;
mod object;
mod post_view;
mod tags;

use serde::{Deserialize, Deserializer};
use serde_json::Value;
use url::Url;

pub use activity::{Activity, Reaction};
pub use actor::{Actor, ActorPublicKey, Multikey, ProfileField};
pub use authorization::QuoteAuthorization;
pub use collection::Collection;
pub use kinds::{ActivityKind, ActorKind, AttachmentKind, CollectionKind, ObjectKind};
pub use object::{ActorRef, Object, Poll, PollOption, QuotePolicy, Source};
pub use post_view::PostView;
pub use tags::{Attachment, Emoji, Hashtag, LinkTag, Mention, Tag};

use super::json::{Node, one_or_many, reference};
use super::{MAX_EMBEDDING_DEPTH, VocabError};
use kinds::Family;

/// Parses an activity (an inbox delivery, an outbox item).
pub fn parse_activity(bytes: &[u8], max_bytes: usize) -> Result<Activity, VocabError> {
    Activity::from_json(&read_document(bytes, max_bytes)?)
}

/// Parses an actor (a fetched profile).
pub fn parse_actor(bytes: &[u8], max_bytes: usize) -> Result<Actor, VocabError> {
    Actor::from_json(&read_document(bytes, max_bytes)?)
}

/// Parses a content object (a fetched post, poll, video, Tombstone…).
pub fn parse_object(bytes: &[u8], max_bytes: usize) -> Result<Object, VocabError> {
    Object::from_json(&read_document(bytes, max_bytes)?)
}

/// Parses a FEP-044f approval stamp (a fetched `QuoteAuthorization`).
pub fn parse_quote_authorization(
    bytes: &[u8],
    max_bytes: usize,
) -> Result<QuoteAuthorization, VocabError> {
    QuoteAuthorization::from_json(&read_document(bytes, max_bytes)?)
}

/// Parses a collection or collection page (followers, outbox, replies, featured).
pub fn parse_collection(bytes: &[u8], max_bytes: usize) -> Result<Collection, VocabError> {
    Collection::from_json(&read_document(bytes, max_bytes)?)
}

/// The JSON object in `bytes`, after the size check. serde_json's own nesting limit (128)
/// keeps hostile nesting from exhausting the stack.
fn read_document(bytes: &[u8], max_bytes: usize) -> Result<Value, VocabError> {
    if bytes.len() > max_bytes {
        return Err(VocabError::TooLarge {
            size: bytes.len(),
            max: max_bytes,
        });
    }
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|error| VocabError::InvalidJson(error.to_string()))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(VocabError::NotAnObject)
    }
}

/// The top-level object of a document and its family.
fn top_level(value: &Value) -> Result<(Node<'_>, Family), VocabError> {
    let node = Node::of(value).ok_or(VocabError::NotAnObject)?;
    Ok((node, Family::of(node)))
}

/// A property that holds either a reference (an IRI) or the object itself, embedded.
#[derive(Debug, Clone, PartialEq)]
pub enum ObjectOrLink {
    /// Only the id; the object must be fetched (or looked up) to know more.
    Link(Url),
    /// The object, embedded. Its id may still be absent (poll options, transient activities).
    Object(Box<Embedded>),
}

/// An embedded document, by family.
// Always behind the Box of `ObjectOrLink::Object`, so the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Embedded {
    Activity(Activity),
    Actor(Actor),
    Collection(Collection),
    Object(Object),
}

impl Embedded {
    /// The embedded document's id, if it has one.
    pub fn id(&self) -> Option<&Url> {
        match self {
            Embedded::Activity(activity) => activity.id.as_ref(),
            Embedded::Actor(actor) => Some(&actor.id),
            Embedded::Collection(collection) => collection.id.as_ref(),
            Embedded::Object(object) => object.id.as_ref(),
        }
    }
}

impl ObjectOrLink {
    /// The referenced or embedded document's id.
    pub fn id(&self) -> Option<&Url> {
        match self {
            ObjectOrLink::Link(url) => Some(url),
            ObjectOrLink::Object(embedded) => embedded.id(),
        }
    }

    /// The embedded document, if the property held one.
    pub fn embedded(&self) -> Option<&Embedded> {
        match self {
            ObjectOrLink::Link(_) => None,
            ObjectOrLink::Object(embedded) => Some(embedded),
        }
    }

    /// The embedded content object (Note, Tombstone…), if that is what the property held.
    pub fn as_object(&self) -> Option<&Object> {
        match self.embedded()? {
            Embedded::Object(object) => Some(object),
            _ => None,
        }
    }

    /// The embedded activity (the Follow inside an Accept or Undo), if any.
    pub fn as_activity(&self) -> Option<&Activity> {
        match self.embedded()? {
            Embedded::Activity(activity) => Some(activity),
            _ => None,
        }
    }

    /// The embedded actor (the profile inside an Update), if any.
    pub fn as_actor(&self) -> Option<&Actor> {
        match self.embedded()? {
            Embedded::Actor(actor) => Some(actor),
            _ => None,
        }
    }

    /// The embedded collection or page, if any.
    pub fn as_collection(&self) -> Option<&Collection> {
        match self.embedded()? {
            Embedded::Collection(collection) => Some(collection),
            _ => None,
        }
    }

    /// Reads a property value found at nesting `depth` (the top-level document is depth 0).
    /// Beyond [`MAX_EMBEDDING_DEPTH`], and for an embedded document that cannot be parsed
    /// (an activity without an actor), only the id is kept. For an array, the first usable
    /// entry is taken.
    pub(crate) fn from_value(value: &Value, depth: usize) -> Option<Self> {
        match value {
            Value::Object(_) => {
                let node = Node::of(value)?;
                if depth > MAX_EMBEDDING_DEPTH {
                    return node.id().map(ObjectOrLink::Link);
                }
                let embedded = match Family::of(node) {
                    Family::Activity(kind) => {
                        Activity::from_node(node, kind, depth).map(Embedded::Activity)
                    }
                    Family::Actor(kind) => Actor::from_node(node, kind).map(Embedded::Actor),
                    Family::Collection(kind) => Ok(Embedded::Collection(Collection::from_node(
                        node, kind, depth,
                    ))),
                    Family::Object(kind) => Ok(Embedded::Object(Object::from_node(node, kind))),
                };
                match embedded {
                    Ok(embedded) => Some(ObjectOrLink::Object(Box::new(embedded))),
                    Err(_) => node.id().map(ObjectOrLink::Link),
                }
            }
            Value::Array(items) => items
                .iter()
                .filter(|item| !item.is_array())
                .find_map(|item| Self::from_value(item, depth)),
            other => reference(other).map(ObjectOrLink::Link),
        }
    }

    /// Every usable entry of a property that may hold one or many values.
    pub(crate) fn all_from_value(value: Option<&Value>, depth: usize) -> Vec<Self> {
        one_or_many(value)
            .filter(|item| !item.is_array())
            .filter_map(|item| Self::from_value(item, depth))
            .collect()
    }
}

/// `Deserialize` through `serde_json::Value` and the tolerant `from_json` constructor, so the
/// types can sit inside other serde structures.
macro_rules! deserialize_via_json {
    ($($name:ident),*) => {
        $(
            impl<'de> Deserialize<'de> for $name {
                fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    let value = Value::deserialize(deserializer)?;
                    $name::from_json(&value).map_err(serde::de::Error::custom)
                }
            }
        )*
    };
}

deserialize_via_json!(Activity, Actor, Object, Collection);
