//! Incoming content objects: Notes and everything that can be shown like one.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value;
use url::Url;

use super::kinds::{ActorKind, Family, ObjectKind};
use super::tags::{Attachment, Tag, html_url, image_url, parse_attachments, parse_tags};
use super::top_level;
use crate::vocab::VocabError;
use crate::vocab::json::{Node, http_url, one_or_many, parse_time};

/// A content object: a post (Note, Article, Page, Question…), a video, a Tombstone, or an
/// object of unknown type. Properties are kept as sent; [`Object::post_view`] normalises them.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    /// Absent from some embedded objects (poll options); [`crate::vocab::parse_object`]
    /// requires it at the top level.
    pub id: Option<Url>,
    pub kind: ObjectKind,
    /// `attributedTo`, else `actor` (Pleroma and Friendica send both). Lemmy and PeerTube
    /// mix the author and the Group here.
    pub attributed_to: Vec<ActorRef>,
    /// The web page (HTML) of the object.
    pub url: Option<Url>,
    pub in_reply_to: Option<Url>,
    /// The Group a post belongs to (Lemmy, FEP-1b12).
    pub audience: Option<Url>,
    /// The thread: `context`, else OStatus `conversation`, when it is a URL.
    pub context: Option<Url>,
    /// The title of a Page/Article/Event/Video, or a poll vote's chosen option.
    pub name: Option<String>,
    /// The content warning, or an Article's abstract.
    pub summary: Option<String>,
    /// `content`, else an entry of `contentMap`; raw, unsanitised.
    pub content: Option<String>,
    pub content_map: BTreeMap<String, String>,
    /// The media type of `content` (PeerTube: `text/markdown`); HTML when absent.
    pub media_type: Option<String>,
    /// What the author typed (Pleroma, Lemmy, Misskey's `_misskey_content`, Friendica BBCode).
    pub source: Option<Source>,
    pub sensitive: Option<bool>,
    /// FEP-c16b: `content` carries MFM functions as `<span class="mfm-…">`.
    pub html_mfm: bool,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    /// Addressing, with every spelling of Public given as [`crate::vocab::PUBLIC`].
    pub to: Vec<Url>,
    pub cc: Vec<Url>,
    pub tag: Vec<Tag>,
    pub attachment: Vec<Attachment>,
    /// The quoted post: FEP-044f `quote`, `quoteUrl`, Fedibird `quoteUri`, `_misskey_quote`,
    /// or a FEP-e232 object link in `tag`.
    pub quote: Option<Url>,
    /// FEP-044f `quoteAuthorization`: the quoted author's approval stamp.
    pub quote_authorization: Option<Url>,
    /// FEP-044f `interactionPolicy.canQuote`: who may quote this post; `None` when unsaid.
    pub quote_policy: Option<QuotePolicy>,
    /// The options and counts of a Question.
    pub poll: Option<Poll>,
    /// A preview picture (`image`, else `icon`): Lemmy's thumbnail, PeerTube's preview.
    pub image_url: Option<Url>,
    /// ISO 8601 duration of a video or audio (`PT1M3S`), as sent.
    pub duration: Option<String>,
    /// BCP 47 language: the `contentMap` key of the content, else Lemmy's and PeerTube's
    /// `language.identifier`.
    pub language: Option<String>,
    /// For a Tombstone: what the object was, and when it was deleted.
    pub former_type: Option<String>,
    pub deleted: Option<DateTime<Utc>>,
}

/// An entry of `attributedTo`: an id, with its type when the entry was embedded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorRef {
    pub id: Url,
    pub kind: Option<ActorKind>,
}

/// The text the author wrote, before rendering to HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub content: String,
    /// `text/plain`, `text/markdown`, `text/x.misskeymarkdown`, `text/bbcode`…
    pub media_type: Option<String>,
}

/// Who may quote a post, as its `interactionPolicy.canQuote` lists them (actors, or
/// collections such as Public, given as [`crate::vocab::PUBLIC`], or the author's followers).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QuotePolicy {
    /// `automaticApproval` (GoToSocial's older `always`).
    pub automatic: Vec<Url>,
    /// `manualApproval` (GoToSocial's older `approvalRequired`).
    pub manual: Vec<Url>,
}

/// The most entries read from each list of a policy.
const MAX_POLICY_ENTRIES: usize = 32;

/// A poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Poll {
    /// `anyOf` (several choices allowed) rather than `oneOf`.
    pub multiple: bool,
    pub options: Vec<PollOption>,
    pub end_time: Option<DateTime<Utc>>,
    /// Whether the poll says it is closed (`closed` as `true` or as a time).
    pub closed: bool,
    pub closed_at: Option<DateTime<Utc>>,
    /// How many people voted; absent when the author hides totals.
    pub voters_count: Option<u64>,
}

/// A poll option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollOption {
    pub name: String,
    /// `replies.totalItems`; absent when the author hides totals.
    pub votes: Option<u64>,
}

impl Object {
    /// Reads a content object from a parsed JSON document; see [`crate::vocab::parse_object`].
    /// Activities, actors and collections are refused, as is an object without an id.
    pub fn from_json(value: &Value) -> Result<Self, VocabError> {
        match top_level(value)? {
            (node, Family::Object(kind)) => {
                let object = Self::from_node(node, kind);
                match object.id {
                    Some(_) => Ok(object),
                    None => Err(VocabError::MissingField("id")),
                }
            }
            (_, other) => Err(VocabError::WrongType {
                expected: "a content object",
                found: other.name(),
            }),
        }
    }

    pub(crate) fn from_node(node: Node<'_>, kind: ObjectKind) -> Self {
        let text = |key: &str| node.text(key).map(str::to_owned);
        let content_map: BTreeMap<String, String> = node
            .get("contentMap")
            .and_then(Value::as_object)
            .map(|map| {
                map.iter()
                    .filter_map(|(language, text)| {
                        Some((language.clone(), text.as_str()?.to_owned()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let content = text("content").or_else(|| content_map.values().next().cloned());
        let language =
            content_language(&content_map, content.as_deref()).or_else(|| declared_language(node));
        let tag = parse_tags(node);
        let mut attributed_to = attribution(node, "attributedTo");
        if attributed_to.is_empty() {
            attributed_to = attribution(node, "actor");
        }
        Object {
            id: node.id(),
            attributed_to,
            url: node.get("url").and_then(html_url),
            in_reply_to: node.reference("inReplyTo"),
            audience: node.reference("audience"),
            context: node
                .reference("context")
                .or_else(|| node.reference("conversation")),
            name: node.natural_text("name", "nameMap").map(str::to_owned),
            summary: node
                .natural_text("summary", "summaryMap")
                .map(str::to_owned),
            content,
            content_map,
            media_type: text("mediaType"),
            source: source(node),
            sensitive: node.flag("sensitive"),
            html_mfm: node.flag("htmlMfm").unwrap_or(false),
            published: node.time("published"),
            updated: node.time("updated"),
            to: node.addresses("to"),
            cc: node.addresses("cc"),
            quote: quote(node, &tag),
            quote_authorization: node.reference("quoteAuthorization"),
            quote_policy: quote_policy(node),
            tag,
            attachment: parse_attachments(node),
            poll: poll(node),
            image_url: node
                .get("image")
                .or_else(|| node.get("icon"))
                .and_then(image_url),
            duration: text("duration"),
            language,
            former_type: text("formerType"),
            deleted: node.time("deleted"),
            kind,
        }
    }
}

fn attribution(node: Node<'_>, key: &str) -> Vec<ActorRef> {
    one_or_many(node.get(key))
        .filter_map(|entry| match entry {
            Value::String(text) => http_url(text).map(|id| ActorRef { id, kind: None }),
            _ => {
                let embedded = Node::of(entry)?;
                let kind = match Family::of(embedded) {
                    Family::Actor(kind) => Some(kind),
                    _ => None,
                };
                Some(ActorRef {
                    id: embedded.id()?,
                    kind,
                })
            }
        })
        .collect()
}

/// The language whose `contentMap` entry is the content; with no content, the entry the
/// content was taken from; with a single entry, that one.
fn content_language(
    content_map: &BTreeMap<String, String>,
    content: Option<&str>,
) -> Option<String> {
    let matching = content_map
        .iter()
        .find(|(_, text)| Some(text.as_str()) == content)
        .map(|(language, _)| language);
    let only = (content_map.len() == 1)
        .then(|| content_map.keys().next())
        .flatten();
    matching
        .or(only)
        .filter(|language| is_language(language))
        .cloned()
}

/// Lemmy's and PeerTube's `language: {identifier, name}` (or a bare tag string).
fn declared_language(node: Node<'_>) -> Option<String> {
    let language = node.get("language")?;
    let identifier = match language {
        Value::String(text) => text.as_str(),
        _ => Node::of(language)?.text("identifier")?,
    };
    is_language(identifier).then(|| identifier.to_owned())
}

/// Whether a tag names a language: not empty, not `und` (undetermined), plausibly BCP 47.
fn is_language(tag: &str) -> bool {
    !tag.is_empty()
        && tag.len() <= 35
        && tag != "und"
        && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// `source` as Pleroma/Lemmy's object or old Pleroma's bare string, else Misskey's
/// `_misskey_content` (which is MFM).
fn source(node: Node<'_>) -> Option<Source> {
    match node.get("source") {
        Some(Value::String(text)) => Some(Source {
            content: text.clone(),
            media_type: None,
        }),
        Some(Value::Object(_)) => node.node("source").and_then(|source| {
            Some(Source {
                content: source.text("content")?.to_owned(),
                media_type: source.media_type().map(str::to_owned),
            })
        }),
        _ => None,
    }
    .or_else(|| {
        node.text("_misskey_content").map(|content| Source {
            content: content.to_owned(),
            media_type: Some("text/x.misskeymarkdown".to_owned()),
        })
    })
}

fn quote(node: Node<'_>, tags: &[Tag]) -> Option<Url> {
    ["quote", "quoteUrl", "quoteUri", "_misskey_quote"]
        .iter()
        .find_map(|key| node.reference(key))
        .or_else(|| {
            tags.iter().find_map(|tag| match tag {
                Tag::Link(link) if link.is_object_link() => Some(link.href.clone()),
                _ => None,
            })
        })
}

fn quote_policy(node: Node<'_>) -> Option<QuotePolicy> {
    let can_quote = node.node("interactionPolicy")?.node("canQuote")?;
    // GoToSocial sends each list under both names, so entries are kept once.
    let list = |keys: [&str; 2]| -> Vec<Url> {
        let mut urls: Vec<Url> = Vec::new();
        for url in keys.iter().flat_map(|key| can_quote.addresses(key)) {
            if urls.len() < MAX_POLICY_ENTRIES && !urls.contains(&url) {
                urls.push(url);
            }
        }
        urls
    };
    Some(QuotePolicy {
        automatic: list(["automaticApproval", "always"]),
        manual: list(["manualApproval", "approvalRequired"]),
    })
}

fn poll(node: Node<'_>) -> Option<Poll> {
    let (multiple, key) = if node.get("anyOf").is_some() {
        (true, "anyOf")
    } else {
        (false, "oneOf")
    };
    let options: Vec<PollOption> = node
        .nodes(key)
        .filter_map(|option| {
            Some(PollOption {
                name: option.natural_text("name", "nameMap")?.to_owned(),
                votes: option
                    .node("replies")
                    .and_then(|replies| replies.count("totalItems")),
            })
        })
        .collect();
    if options.is_empty() {
        return None;
    }
    let (closed, closed_at) = match node.get("closed") {
        Some(Value::Bool(closed)) => (*closed, None),
        Some(Value::String(time)) => (true, parse_time(time)),
        Some(_) => (true, None),
        None => (false, None),
    };
    Some(Poll {
        multiple,
        options,
        end_time: node.time("endTime"),
        closed,
        closed_at,
        voters_count: node.count("votersCount"),
    })
}
