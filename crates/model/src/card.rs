//! Preview cards: what a link in a post points to, as its page describes itself.

use std::str::FromStr;

use crate::{Id, Timestamp, UnknownVariant};

/// How a card presents its link (Mastodon's PreviewCard `type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardKind {
    Link,
    Photo,
    Video,
}

impl CardKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CardKind::Link => "link",
            CardKind::Photo => "photo",
            CardKind::Video => "video",
        }
    }
}

impl FromStr for CardKind {
    type Err = UnknownVariant;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "link" => Ok(CardKind::Link),
            "photo" => Ok(CardKind::Photo),
            "video" => Ok(CardKind::Video),
            other => Err(UnknownVariant {
                kind: "card type",
                value: other.to_owned(),
            }),
        }
    }
}

/// One fetched page, shared by every post that links it. Texts are plain (no markup);
/// `image_url` is the remote address, which clients only ever see through our proxy.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviewCard {
    pub id: Id,
    /// The link as posts write it: one card per address.
    pub url: String,
    pub title: String,
    pub description: String,
    pub kind: CardKind,
    pub author_name: String,
    pub author_url: String,
    pub provider_name: String,
    pub provider_url: String,
    pub image_url: Option<String>,
    pub width: i32,
    pub height: i32,
    pub image_description: String,
    pub language: Option<String>,
    pub published_at: Option<Timestamp>,
    /// When the page was last read: cards are read again after a while.
    pub fetched_at: Timestamp,
}
