//! Outgoing collections: followers, following, outbox, featured, replies.

use serde::Serialize;
use url::Url;

/// A collection, with its first page by URL or embedded, or its items inline (featured).
/// `T` is the item type: a [`Url`], or embedded documents.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename = "OrderedCollection", rename_all = "camelCase")]
pub struct OrderedCollection<T> {
    pub id: Url,
    /// Left out when the owner hides the count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_items: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<PageRef<T>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<Url>,
    /// Items inline, for small collections served whole (Mastodon's `featured`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ordered_items: Option<Vec<T>>,
}

/// The `first` of a collection: a page URL, or the page itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PageRef<T> {
    Url(Url),
    Page(Box<OrderedCollectionPage<T>>),
}

/// One page of a collection.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(
    tag = "type",
    rename = "OrderedCollectionPage",
    rename_all = "camelCase"
)]
pub struct OrderedCollectionPage<T> {
    pub id: Url,
    pub part_of: Url,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_items: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<Url>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev: Option<Url>,
    /// Always sent, even empty: an empty page is how the end of a collection looks.
    pub ordered_items: Vec<T>,
}

impl<T> OrderedCollection<T> {
    /// A collection that only gives its size and the URL of its first page.
    pub fn paged(id: Url, total_items: Option<u64>, first: Url) -> Self {
        OrderedCollection {
            id,
            total_items,
            first: Some(PageRef::Url(first)),
            last: None,
            ordered_items: None,
        }
    }

    /// A collection served whole, with its items inline.
    pub fn inline(id: Url, items: Vec<T>) -> Self {
        OrderedCollection {
            id,
            total_items: Some(u64::try_from(items.len()).unwrap_or(u64::MAX)),
            first: None,
            last: None,
            ordered_items: Some(items),
        }
    }
}

impl<T> OrderedCollectionPage<T> {
    /// A page of `items` belonging to `part_of`.
    pub fn new(id: Url, part_of: Url, items: Vec<T>) -> Self {
        OrderedCollectionPage {
            id,
            part_of,
            total_items: None,
            next: None,
            prev: None,
            ordered_items: items,
        }
    }
}
