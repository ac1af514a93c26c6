//! The `type` names the parsers recognise, and the family (activity, actor, collection,
//! object) a document belongs to.

use crate::vocab::json::{Node, bounded_name};

/// Defines an enum of known type names plus an `Unknown` variant holding any other name, so
/// that a new or exotic type is reported, never a parse failure.
macro_rules! type_names {
    ($(#[$meta:meta])* $name:ident { $($variant:ident),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)*
            /// A type this module does not know, with its name (cut to a sane length).
            Unknown(String),
        }

        impl $name {
            /// The known variant named `name`, if any.
            pub(crate) fn known(name: &str) -> Option<Self> {
                match name {
                    $(stringify!($variant) => Some(Self::$variant),)*
                    _ => None,
                }
            }

            /// The ActivityStreams type name.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => stringify!($variant),)*
                    Self::Unknown(name) => name,
                }
            }
        }
    };
}

type_names! {
    /// What an activity does. `EmojiReaction` (an older Misskey spelling) is read as `EmojiReact`.
    ActivityKind {
        Create, Update, Delete, Follow, Accept, Reject, Undo, Like, Dislike, Announce,
        EmojiReact, Block, Flag, Move, Add, Remove, QuoteRequest,
    }
}

type_names! {
    /// What kind of account an actor is. `Service` and `Application` are bots.
    ActorKind { Person, Service, Application, Group, Organization }
}

type_names! {
    /// What kind of content object a document is: posts of every flavour, media, Tombstones.
    ObjectKind {
        Note, Article, Page, Question, Event, Video, Audio, Image, Document, Tombstone,
        ChatMessage,
    }
}

type_names! {
    /// What an attachment is. Lemmy attaches a post's link as a bare `Link`.
    AttachmentKind { Document, Image, Video, Audio, Link }
}

/// Which of the four collection types a collection document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CollectionKind {
    Collection,
    OrderedCollection,
    CollectionPage,
    OrderedCollectionPage,
}

impl CollectionKind {
    fn known(name: &str) -> Option<Self> {
        match name {
            "Collection" => Some(Self::Collection),
            "OrderedCollection" => Some(Self::OrderedCollection),
            "CollectionPage" => Some(Self::CollectionPage),
            "OrderedCollectionPage" => Some(Self::OrderedCollectionPage),
            _ => None,
        }
    }

    /// Whether this is a page (it has `next`, `prev` and `partOf`) rather than the collection.
    pub fn is_page(self) -> bool {
        matches!(self, Self::CollectionPage | Self::OrderedCollectionPage)
    }
}

/// The family a document belongs to, which decides how it is parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Family {
    Activity(ActivityKind),
    Actor(ActorKind),
    Collection(CollectionKind),
    Object(ObjectKind),
}

impl Family {
    /// The family of `node`, from the first type name that is known. A document whose types
    /// are all unknown is an activity if it has an `actor` (and is not an object attributed to
    /// someone), an actor if it has an `inbox`, and an object otherwise.
    pub(crate) fn of(node: Node<'_>) -> Family {
        let names = node.type_names();
        for name in &names {
            let name = if *name == "EmojiReaction" {
                "EmojiReact"
            } else {
                name
            };
            if let Some(kind) = ActivityKind::known(name) {
                return Family::Activity(kind);
            }
            if let Some(kind) = ActorKind::known(name) {
                return Family::Actor(kind);
            }
            if let Some(kind) = CollectionKind::known(name) {
                return Family::Collection(kind);
            }
            if let Some(kind) = ObjectKind::known(name) {
                return Family::Object(kind);
            }
        }
        let unknown = bounded_name(names.first().copied().unwrap_or_default());
        if node.get("actor").is_some() && node.get("attributedTo").is_none() {
            Family::Activity(ActivityKind::Unknown(unknown))
        } else if node.get("inbox").is_some() {
            Family::Actor(ActorKind::Unknown(unknown))
        } else {
            Family::Object(ObjectKind::Unknown(unknown))
        }
    }

    /// The type name, for error messages.
    pub(crate) fn name(&self) -> String {
        match self {
            Family::Activity(kind) => kind.as_str().to_owned(),
            Family::Actor(kind) => kind.as_str().to_owned(),
            Family::Collection(kind) => format!("{kind:?}"),
            Family::Object(kind) => kind.as_str().to_owned(),
        }
    }
}
