//! Incoming activities.

use chrono::{DateTime, Utc};
use serde_json::Value;
use url::Url;

use super::kinds::{ActivityKind, Family};
use super::tags::{Emoji, Tag, parse_tags};
use super::{ObjectOrLink, top_level};
use crate::vocab::json::Node;
use crate::vocab::{VocabError, public_collection};

/// An activity, as much of it as Rhizome acts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    /// Absent only for transient activities, which ActivityPub allows.
    pub id: Option<Url>,
    pub kind: ActivityKind,
    /// Who did it: the only property without which an activity is refused.
    pub actor: Url,
    /// What it was done to: the first entry of `object`. Intransitive activities have none.
    pub object: Option<ObjectOrLink>,
    /// The other entries of `object`; only a Mastodon `Flag` (actor plus reported posts)
    /// sends more than one.
    pub other_objects: Vec<ObjectOrLink>,
    /// `target`: the collection of an Add/Remove, the new account of a Move.
    pub target: Option<ObjectOrLink>,
    /// Addressing, with every spelling of Public given as [`crate::vocab::PUBLIC`].
    pub to: Vec<Url>,
    pub cc: Vec<Url>,
    /// The Group the activity happens in (Lemmy, FEP-1b12).
    pub audience: Option<Url>,
    pub published: Option<DateTime<Utc>>,
    /// The reaction of an EmojiReact or a Misskey Like (`content`, else
    /// `_misskey_reaction`), or the comment of a Flag.
    pub content: Option<String>,
    /// Tags; for a reaction, the custom emoji it uses.
    pub tag: Vec<Tag>,
    /// What the activity was done with: the quote post of a FEP-044f `QuoteRequest`.
    pub instrument: Option<ObjectOrLink>,
    /// What came of it: the approval stamp an `Accept` of a `QuoteRequest` gives.
    pub result: Option<Url>,
}

/// An emoji reaction, from Pleroma/Akkoma's `EmojiReact` or Misskey's `Like` with a reaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reaction<'a> {
    /// A Unicode emoji, or a `:shortcode:`.
    pub content: &'a str,
    /// The custom emoji the shortcode names, when the activity's tags describe it.
    pub emoji: Option<&'a Emoji>,
}

impl Activity {
    /// Reads an activity from a parsed JSON document; see [`crate::vocab::parse_activity`].
    pub fn from_json(value: &Value) -> Result<Self, VocabError> {
        match top_level(value)? {
            (node, Family::Activity(kind)) => Self::from_node(node, kind, 0),
            (_, other) => Err(VocabError::WrongType {
                expected: "an activity",
                found: other.name(),
            }),
        }
    }

    /// Reads an activity found at nesting `depth`.
    pub(crate) fn from_node(
        node: Node<'_>,
        kind: ActivityKind,
        depth: usize,
    ) -> Result<Self, VocabError> {
        let actor = node
            .reference("actor")
            .ok_or(VocabError::MissingField("actor"))?;
        let mut objects = ObjectOrLink::all_from_value(node.get("object"), depth + 1).into_iter();
        let content = node
            .natural_text("content", "contentMap")
            .or_else(|| node.text("_misskey_reaction"))
            .map(str::to_owned);
        Ok(Activity {
            id: node.id(),
            kind,
            actor,
            object: objects.next(),
            other_objects: objects.collect(),
            target: node
                .get("target")
                .and_then(|target| ObjectOrLink::from_value(target, depth + 1)),
            to: node.addresses("to"),
            cc: node.addresses("cc"),
            audience: node.reference("audience"),
            published: node.time("published"),
            content,
            tag: parse_tags(node),
            instrument: node
                .get("instrument")
                .and_then(|instrument| ObjectOrLink::from_value(instrument, depth + 1)),
            result: node.reference("result"),
        })
    }

    /// The id of the (first) object.
    pub fn object_id(&self) -> Option<&Url> {
        self.object.as_ref().and_then(ObjectOrLink::id)
    }

    /// Every entry of `object`.
    pub fn objects(&self) -> impl Iterator<Item = &ObjectOrLink> {
        self.object.iter().chain(&self.other_objects)
    }

    /// Whether the activity is addressed to everyone.
    pub fn is_public(&self) -> bool {
        let public = public_collection();
        self.to.contains(public) || self.cc.contains(public)
    }

    /// The emoji reaction this activity carries, if it is an `EmojiReact`, or a `Like` with
    /// a reaction (Misskey). A plain Like gives `None`.
    pub fn reaction(&self) -> Option<Reaction<'_>> {
        if !matches!(self.kind, ActivityKind::EmojiReact | ActivityKind::Like) {
            return None;
        }
        let content = self.content.as_deref()?.trim();
        if content.is_empty() {
            return None;
        }
        let shortcode = content.trim_matches(':');
        let emoji = self.tag.iter().find_map(|tag| match tag {
            Tag::Emoji(emoji) if emoji.shortcode() == shortcode => Some(emoji),
            _ => None,
        });
        Some(Reaction { content, emoji })
    }
}
