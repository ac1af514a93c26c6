//! The JSON-LD `@context` of the documents Rhizome sends.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

/// The ActivityStreams context.
pub const ACTIVITYSTREAMS_CONTEXT: &str = "https://www.w3.org/ns/activitystreams";
/// The security vocabulary, which defines `publicKey` and `publicKeyPem`.
pub const SECURITY_CONTEXT: &str = "https://w3id.org/security/v1";

/// How an extension term is defined.
enum Term {
    /// `"term": "prefix:name"` (or a namespace IRI).
    Plain(&'static str),
    /// `"term": {"@id": …, "@type": "@id"}`: the value is an IRI, not a string.
    Reference(&'static str),
    /// `"term": {"@id": …, "@container": "@list"}`: the value's order matters.
    List(&'static str),
}

/// The extension terms Rhizome's documents use, defined as Mastodon defines them so that
/// JSON-LD processors (and Mastodon's own LD-signature code) read them the same way.
const EXTENSION_TERMS: &[(&str, Term)] = &[
    (
        "manuallyApprovesFollowers",
        Term::Plain("as:manuallyApprovesFollowers"),
    ),
    ("sensitive", Term::Plain("as:sensitive")),
    ("Hashtag", Term::Plain("as:Hashtag")),
    ("movedTo", Term::Reference("as:movedTo")),
    ("alsoKnownAs", Term::Reference("as:alsoKnownAs")),
    ("quoteUrl", Term::Plain("as:quoteUrl")),
    ("toot", Term::Plain("http://joinmastodon.org/ns#")),
    ("Emoji", Term::Plain("toot:Emoji")),
    ("featured", Term::Reference("toot:featured")),
    ("featuredTags", Term::Reference("toot:featuredTags")),
    ("discoverable", Term::Plain("toot:discoverable")),
    ("indexable", Term::Plain("toot:indexable")),
    ("blurhash", Term::Plain("toot:blurhash")),
    ("focalPoint", Term::List("toot:focalPoint")),
    ("votersCount", Term::Plain("toot:votersCount")),
    ("schema", Term::Plain("http://schema.org#")),
    ("PropertyValue", Term::Plain("schema:PropertyValue")),
    ("value", Term::Plain("schema:value")),
    ("misskey", Term::Plain("https://misskey-hub.net/ns#")),
    ("_misskey_quote", Term::Plain("misskey:_misskey_quote")),
    ("fedibird", Term::Plain("http://fedibird.com/ns#")),
    ("quoteUri", Term::Plain("fedibird:quoteUri")),
    ("litepub", Term::Plain("http://litepub.social/ns#")),
    ("EmojiReact", Term::Plain("litepub:EmojiReact")),
    // FEP-044f quote policies, in GoToSocial's interaction-policy vocabulary.
    ("gts", Term::Plain("https://gotosocial.org/ns#")),
    (
        "interactionPolicy",
        Term::Reference("gts:interactionPolicy"),
    ),
    ("canQuote", Term::Reference("gts:canQuote")),
    (
        "automaticApproval",
        Term::Reference("gts:automaticApproval"),
    ),
    ("manualApproval", Term::Reference("gts:manualApproval")),
    (
        "interactingObject",
        Term::Reference("gts:interactingObject"),
    ),
    (
        "interactionTarget",
        Term::Reference("gts:interactionTarget"),
    ),
    // FEP-044f quotes and their approval.
    ("quote", Term::Reference("https://w3id.org/fep/044f#quote")),
    (
        "quoteAuthorization",
        Term::Reference("https://w3id.org/fep/044f#quoteAuthorization"),
    ),
    (
        "QuoteRequest",
        Term::Plain("https://w3id.org/fep/044f#QuoteRequest"),
    ),
    (
        "QuoteAuthorization",
        Term::Plain("https://w3id.org/fep/044f#QuoteAuthorization"),
    ),
    ("ostatus", Term::Plain("http://ostatus.org#")),
    ("conversation", Term::Plain("ostatus:conversation")),
];

impl Serialize for Term {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Term::Plain(iri) => serializer.serialize_str(iri),
            Term::Reference(iri) => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("@id", iri)?;
                map.serialize_entry("@type", "@id")?;
                map.end()
            }
            Term::List(iri) => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("@container", "@list")?;
                map.serialize_entry("@id", iri)?;
                map.end()
            }
        }
    }
}

struct ExtensionTerms;

impl Serialize for ExtensionTerms {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(EXTENSION_TERMS.len()))?;
        for (term, definition) in EXTENSION_TERMS {
            map.serialize_entry(term, definition)?;
        }
        map.end()
    }
}

/// The `@context` of every top-level document Rhizome sends: ActivityStreams, the security
/// vocabulary, and the extension terms, like Mastodon's. One context for all documents keeps
/// the output predictable; unused terms cost a few hundred bytes and mean nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Context;

impl Serialize for Context {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(3))?;
        seq.serialize_element(ACTIVITYSTREAMS_CONTEXT)?;
        seq.serialize_element(SECURITY_CONTEXT)?;
        seq.serialize_element(&ExtensionTerms)?;
        seq.end()
    }
}

/// A top-level document: `@context` followed by the document's own properties. Embedded
/// documents (the Note inside a Create) go without, as everyone sends them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WithContext<T> {
    #[serde(rename = "@context")]
    pub context: Context,
    #[serde(flatten)]
    pub document: T,
}

/// Wraps `document` with Rhizome's `@context`, ready to serialize and send.
pub fn with_context<T: Serialize>(document: T) -> WithContext<T> {
    WithContext {
        context: Context,
        document,
    }
}
