//! Tags (mentions, hashtags, custom emoji, object links), attachments, and the choice of one
//! URL among the many shapes `url`, `icon` and `image` take.

use chrono::{DateTime, Utc};
use serde_json::Value;
use url::Url;

use super::kinds::AttachmentKind;
use crate::vocab::json::{Node, bounded_name, http_url, one_or_many, same_media_type};

/// One entry of a `tag` property.
#[derive(Debug, Clone, PartialEq)]
pub enum Tag {
    Mention(Mention),
    Hashtag(Hashtag),
    Emoji(Emoji),
    /// A plain `Link` tag; FEP-e232 uses these to point at quoted posts.
    Link(LinkTag),
    /// A tag of a type this module does not know (or a known one missing what makes it
    /// usable, such as an Emoji without an icon), with its type name.
    Unknown(String),
}

/// A mention of an actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// The mentioned actor's id.
    pub href: Url,
    /// As written, usually `@user@host` (Lemmy: `@user@host` too, or a community's `!name`).
    pub name: Option<String>,
}

/// A hashtag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hashtag {
    /// As sent, usually with its `#`; GoToSocial lowercases it.
    pub name: String,
    /// The tag's page on the author's server.
    pub href: Option<Url>,
}

impl Hashtag {
    /// The name without its leading `#`.
    pub fn bare_name(&self) -> &str {
        self.name.trim_start_matches('#')
    }
}

/// A custom emoji used in the text, a display name or a reaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emoji {
    pub id: Option<Url>,
    /// As sent, usually `:shortcode:` (some Pleroma reactions omit the colons).
    pub name: String,
    pub icon_url: Url,
    pub media_type: Option<String>,
    pub updated: Option<DateTime<Utc>>,
}

impl Emoji {
    /// The shortcode without its colons.
    pub fn shortcode(&self) -> &str {
        self.name.trim_matches(':')
    }
}

/// A `Link` in `tag`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkTag {
    pub href: Url,
    pub media_type: Option<String>,
    pub name: Option<String>,
    pub rel: Vec<String>,
}

impl LinkTag {
    /// Whether the link points at an ActivityPub object (FEP-e232), as quote links do.
    pub fn is_object_link(&self) -> bool {
        self.media_type.as_deref().is_some_and(|media_type| {
            same_media_type(media_type, "application/activity+json")
                || (same_media_type(media_type, "application/ld+json")
                    && media_type.contains("https://www.w3.org/ns/activitystreams"))
        })
    }
}

/// A media attachment of a post.
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub kind: AttachmentKind,
    pub media_type: Option<String>,
    pub url: Url,
    /// The description (alt text): `name`, or GoToSocial's `summary`.
    pub name: Option<String>,
    pub blurhash: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Mastodon's focal point, each coordinate from -1 to 1 (x right, y up).
    pub focal_point: Option<(f64, f64)>,
}

/// The usable entries of a `tag` property; entries that are not objects are skipped.
pub(crate) fn parse_tags(node: Node<'_>) -> Vec<Tag> {
    node.nodes("tag").map(parse_tag).collect()
}

fn parse_tag(node: Node<'_>) -> Tag {
    let names = node.type_names();
    let kind = names.first().copied().unwrap_or_default();
    let name = node.text("name").map(str::to_owned);
    let parsed = match kind {
        "Mention" => node
            .reference("href")
            .map(|href| Tag::Mention(Mention { href, name })),
        "Hashtag" => name.map(|name| {
            Tag::Hashtag(Hashtag {
                name,
                href: node.reference("href"),
            })
        }),
        "Emoji" => parse_emoji(node).map(Tag::Emoji),
        "Link" => node.reference("href").map(|href| {
            Tag::Link(LinkTag {
                href,
                media_type: node.media_type().map(str::to_owned),
                name,
                rel: one_or_many(node.get("rel"))
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
            })
        }),
        _ => None,
    };
    parsed.unwrap_or_else(|| Tag::Unknown(bounded_name(kind)))
}

fn parse_emoji(node: Node<'_>) -> Option<Emoji> {
    let icon = node.get("icon")?;
    Some(Emoji {
        id: node.id(),
        name: node.text("name")?.to_owned(),
        icon_url: image_url(icon)?,
        media_type: one_or_many(Some(icon))
            .filter_map(Node::of)
            .find_map(Node::media_type)
            .map(str::to_owned),
        updated: node.time("updated"),
    })
}

/// The media attachments in `attachment`. Actor profile fields (`PropertyValue`) and entries
/// without a usable URL are skipped.
pub(crate) fn parse_attachments(node: Node<'_>) -> Vec<Attachment> {
    node.nodes("attachment")
        .filter(|entry| !entry.has_type("PropertyValue"))
        .filter_map(parse_attachment)
        .collect()
}

fn parse_attachment(node: Node<'_>) -> Option<Attachment> {
    let own_media_type = node.media_type();
    // `url` is a string, a Link, or (Pleroma, PeerTube) an array of Links; Lemmy's bare
    // `Link` attachment carries `href` instead.
    let (url, link) = match node.get("url") {
        Some(value) => media_link(value, own_media_type)?,
        None => (node.reference("href")?, None),
    };
    let dimension = |key: &str| {
        node.dimension(key)
            .or_else(|| link.and_then(|link| link.dimension(key)))
    };
    let names = node.type_names();
    let kind_name = names.first().copied().unwrap_or("Document");
    Some(Attachment {
        kind: AttachmentKind::known(kind_name)
            .unwrap_or_else(|| AttachmentKind::Unknown(bounded_name(kind_name))),
        media_type: own_media_type
            .or_else(|| link.and_then(Node::media_type))
            .map(str::to_owned),
        url,
        name: node
            .text("name")
            .or_else(|| node.text("summary"))
            .filter(|name| !name.trim().is_empty())
            .map(str::to_owned),
        blurhash: node.text("blurhash").map(str::to_owned),
        width: dimension("width"),
        height: dimension("height"),
        focal_point: focal_point(node.get("focalPoint")),
    })
}

/// The URL of a media file out of an attachment's `url`, preferring the Link whose media type
/// matches the attachment's, together with that Link (which may carry width and height).
fn media_link<'a>(value: &'a Value, media_type: Option<&str>) -> Option<(Url, Option<Node<'a>>)> {
    let candidates = || one_or_many(Some(value)).filter(|entry| !entry.is_array());
    let matching = media_type.and_then(|wanted| {
        candidates().find_map(|entry| {
            let link = Node::of(entry)?;
            let matches = link
                .media_type()
                .is_some_and(|have| same_media_type(have, wanted));
            matches.then(|| link_href(link).map(|url| (url, Some(link))))?
        })
    });
    matching.or_else(|| {
        candidates().find_map(|entry| match entry {
            Value::String(text) => http_url(text).map(|url| (url, None)),
            _ => Node::of(entry).and_then(|link| link_href(link).map(|url| (url, Some(link)))),
        })
    })
}

fn focal_point(value: Option<&Value>) -> Option<(f64, f64)> {
    let pair = value?.as_array()?;
    match pair.as_slice() {
        [x, y] => {
            let (x, y) = (x.as_f64()?, y.as_f64()?);
            (x.is_finite() && y.is_finite()).then_some((x, y))
        }
        _ => None,
    }
}

/// The address of a Link object: `href`, or (for the odd server) a string `url`.
fn link_href(link: Node<'_>) -> Option<Url> {
    link.text("href")
        .or_else(|| link.text("url"))
        .and_then(http_url)
}

/// The web page (HTML) URL out of a `url` property: a string, a Link, or an array of either,
/// in which a Link with media type `text/html` is preferred (PeerTube lists the video files
/// too), then a plain string.
pub(crate) fn html_url(value: &Value) -> Option<Url> {
    let entries = || one_or_many(Some(value)).filter(|entry| !entry.is_array());
    let html = entries().find_map(|entry| {
        let link = Node::of(entry)?;
        let is_html = link
            .media_type()
            .is_some_and(|m| same_media_type(m, "text/html"));
        is_html.then(|| link_href(link))?
    });
    html.or_else(|| entries().find_map(|entry| entry.as_str().and_then(http_url)))
        .or_else(|| {
            entries()
                .filter_map(Node::of)
                .filter(|link| link.media_type().is_none())
                .find_map(link_href)
        })
}

/// The picture URL out of an `icon` or `image` property: a string, an Image (whose own `url`
/// may be a string, a Link or an array), or an array of Images, of which the widest is taken
/// (PeerTube sends several sizes).
pub(crate) fn image_url(value: &Value) -> Option<Url> {
    let mut best: Option<(u32, Url)> = None;
    for entry in one_or_many(Some(value)).filter(|entry| !entry.is_array()) {
        let candidate = match entry {
            Value::String(text) => http_url(text).map(|url| (0, url)),
            _ => Node::of(entry).and_then(|image| {
                let url = match image.get("url") {
                    Some(url) => media_link(url, image.media_type()).map(|(url, _)| url),
                    None => image.reference("href"),
                }?;
                Some((image.dimension("width").unwrap_or(0), url))
            }),
        };
        if let Some((width, url)) = candidate
            && best
                .as_ref()
                .is_none_or(|(best_width, _)| width > *best_width)
        {
            best = Some((width, url));
        }
    }
    best.map(|(_, url)| url)
}
