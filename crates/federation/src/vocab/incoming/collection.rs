//! Incoming collections and collection pages.

use serde_json::Value;
use url::Url;

use super::kinds::{CollectionKind, Family};
use super::{ObjectOrLink, top_level};
use crate::vocab::VocabError;
use crate::vocab::json::Node;

/// A collection (followers, outbox, featured, replies) or one of its pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Collection {
    pub id: Option<Url>,
    pub kind: CollectionKind,
    /// The size the server claims; it may be stale (GoToSocial) or hidden.
    pub total_items: Option<u64>,
    /// The first page: a URL to fetch, or the page embedded (Mastodon's replies).
    pub first: Option<ObjectOrLink>,
    pub last: Option<Url>,
    pub next: Option<Url>,
    pub prev: Option<Url>,
    /// For a page, the collection it belongs to.
    pub part_of: Option<Url>,
    /// `orderedItems`, else `items`: ids or embedded documents.
    pub items: Vec<ObjectOrLink>,
}

impl Collection {
    /// Reads a collection from a parsed JSON document; see [`crate::vocab::parse_collection`].
    pub fn from_json(value: &Value) -> Result<Self, VocabError> {
        match top_level(value)? {
            (node, Family::Collection(kind)) => Ok(Self::from_node(node, kind, 0)),
            (_, other) => Err(VocabError::WrongType {
                expected: "a collection",
                found: other.name(),
            }),
        }
    }

    pub(crate) fn from_node(node: Node<'_>, kind: CollectionKind, depth: usize) -> Self {
        let items = node.get("orderedItems").or_else(|| node.get("items"));
        Collection {
            id: node.id(),
            kind,
            total_items: node.count("totalItems"),
            first: node
                .get("first")
                .and_then(|first| ObjectOrLink::from_value(first, depth + 1)),
            last: node.reference("last"),
            next: node.reference("next"),
            prev: node.reference("prev"),
            part_of: node.reference("partOf"),
            items: ObjectOrLink::all_from_value(items, depth + 1),
        }
    }

    /// The ids of the items, skipping embedded items without one.
    pub fn item_ids(&self) -> impl Iterator<Item = &Url> {
        self.items.iter().filter_map(ObjectOrLink::id)
    }
}
