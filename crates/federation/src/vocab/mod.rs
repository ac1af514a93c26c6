//! The ActivityStreams 2.0 / ActivityPub vocabulary, in two halves that deliberately differ:
//!
//! - [`outgoing`]: the documents Rhizome produces. Plain `Serialize` structs, shaped like
//!   Mastodon's (the shape every other server tests against), never sending `null`.
//! - [`incoming`]: the documents other servers send. They disagree on nearly everything (a
//!   single value or an array, an embedded object or its id, `url` as a string or a list of
//!   links, extension properties from Misskey, Pleroma, Lemmy, PeerTube…), so parsing is
//!   tolerant: a property of an unexpected shape is treated as absent, an unknown `type`
//!   becomes an explicit `Unknown` variant, and only a document that is unusable as a whole
//!   (too large, not a JSON object, no actor) is refused with a [`VocabError`].
//!
//! Untrusted bytes enter through [`parse_activity`], [`parse_actor`], [`parse_object`] and
//! [`parse_collection`], which bound the input size and never panic. HTML is passed through
//! raw: sanitising it is the core's job, not the protocol library's.

mod context;
mod error;
pub mod incoming;
mod json;
pub mod outgoing;

use std::sync::LazyLock;

use url::Url;

pub use context::{ACTIVITYSTREAMS_CONTEXT, Context, SECURITY_CONTEXT, WithContext, with_context};
pub use error::VocabError;
pub use incoming::{
    parse_activity, parse_actor, parse_collection, parse_object, parse_quote_authorization,
};

/// The special collection that addresses a post to everyone.
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// A sensible `max_bytes` for the parsers: 1 MiB. Real activities are a few KiB; a Lemmy page
/// or a PeerTube video with its many links stays well under 100 KiB.
pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// How many levels of embedded objects are parsed as objects; deeper ones are kept as links
/// (their `id`). Lemmy's `Announce(Undo(Like))` is three levels deep; nothing real goes further.
pub const MAX_EMBEDDING_DEPTH: usize = 4;

/// [`PUBLIC`] as a [`Url`], which is how the parsers report it in `to` and `cc`.
pub fn public_collection() -> &'static Url {
    static PUBLIC_URL: LazyLock<Url> = LazyLock::new(|| {
        Url::parse(PUBLIC).expect("the ActivityStreams Public IRI is a valid URL")
    });
    &PUBLIC_URL
}

/// Whether an addressing value means "everyone". JSON-LD compaction lets servers send the
/// Public collection as the full IRI, as `as:Public` (Fedify, bovine), or as bare `Public`.
pub fn is_public(address: &str) -> bool {
    matches!(address, PUBLIC | "as:Public" | "Public")
}
