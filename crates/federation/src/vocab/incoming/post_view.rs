//! One normalised view of a post, whatever software and object type it came from.

use chrono::{DateTime, Utc};
use url::Url;

use super::kinds::{ActorKind, ObjectKind};
use super::object::{Object, Poll, QuotePolicy, Source};
use super::tags::{Attachment, Emoji, Hashtag, Mention, Tag};
use crate::vocab::{VocabError, public_collection};

/// What the core needs to store or update a remote post, out of any [`Object`]: a Mastodon
/// Note, a Lemmy Page, a PeerTube Video, a Misskey Question…
///
/// Text is raw (HTML unless `content_media_type` says otherwise): sanitising is the core's job.
/// Blank `content`, `summary` and `name` are reported as absent.
#[derive(Debug, Clone, PartialEq)]
pub struct PostView {
    pub id: Url,
    pub kind: ObjectKind,
    /// The author: the first attributed actor that is not a Group.
    pub attributed_to: Option<Url>,
    /// The Group the post was made in: a Group in `attributedTo` (PeerTube channels), else
    /// `audience` (Lemmy communities).
    pub group: Option<Url>,
    pub url: Option<Url>,
    pub in_reply_to: Option<Url>,
    pub context: Option<Url>,
    pub content: Option<String>,
    pub content_media_type: Option<String>,
    pub source: Option<Source>,
    /// The content warning.
    pub summary: Option<String>,
    /// The title (Page, Article, Event, Video), or the chosen option of a poll vote.
    pub name: Option<String>,
    pub sensitive: bool,
    /// FEP-c16b: MFM functions are already in `content` as spans.
    pub html_mfm: bool,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    pub to: Vec<Url>,
    pub cc: Vec<Url>,
    pub mentions: Vec<Mention>,
    pub hashtags: Vec<Hashtag>,
    pub emojis: Vec<Emoji>,
    pub attachments: Vec<Attachment>,
    pub image_url: Option<Url>,
    pub quote_url: Option<Url>,
    /// The quoted author's approval stamp (FEP-044f `quoteAuthorization`).
    pub quote_authorization: Option<Url>,
    /// Who may quote this post (FEP-044f); `None` when the post does not say.
    pub quote_policy: Option<QuotePolicy>,
    pub poll: Option<Poll>,
    pub language: Option<String>,
}

impl PostView {
    /// Whether the post is addressed to everyone (public or unlisted).
    pub fn is_public(&self) -> bool {
        let public = public_collection();
        self.to.contains(public) || self.cc.contains(public)
    }

    /// Whether this is a vote on a poll rather than a post: a reply with a `name` and no
    /// content, as Mastodon, Misskey and GoToSocial send them.
    pub fn is_poll_vote(&self) -> bool {
        self.in_reply_to.is_some() && self.name.is_some() && self.content.is_none()
    }
}

impl Object {
    /// The normalised view of this object. Fails only when the object has no id.
    pub fn post_view(&self) -> Result<PostView, VocabError> {
        let id = self.id.clone().ok_or(VocabError::MissingField("id"))?;
        let is_group = |kind: &Option<ActorKind>| matches!(kind, Some(ActorKind::Group));
        let author = self
            .attributed_to
            .iter()
            .find(|entry| !is_group(&entry.kind))
            .or_else(|| self.attributed_to.first());
        let group = self
            .attributed_to
            .iter()
            .find(|entry| is_group(&entry.kind))
            .map(|entry| entry.id.clone())
            .or_else(|| self.audience.clone());
        let mut view = PostView {
            id,
            kind: self.kind.clone(),
            attributed_to: author.map(|entry| entry.id.clone()),
            group,
            url: self.url.clone(),
            in_reply_to: self.in_reply_to.clone(),
            context: self.context.clone(),
            content: not_blank(&self.content),
            content_media_type: self.media_type.clone(),
            source: self.source.clone(),
            summary: not_blank(&self.summary),
            name: not_blank(&self.name),
            sensitive: self.sensitive.unwrap_or(false),
            html_mfm: self.html_mfm,
            published: self.published,
            updated: self.updated,
            to: self.to.clone(),
            cc: self.cc.clone(),
            mentions: Vec::new(),
            hashtags: Vec::new(),
            emojis: Vec::new(),
            attachments: self.attachment.clone(),
            image_url: self.image_url.clone(),
            quote_url: self.quote.clone(),
            quote_authorization: self.quote_authorization.clone(),
            quote_policy: self.quote_policy.clone(),
            poll: self.poll.clone(),
            language: self.language.clone(),
        };
        for tag in &self.tag {
            match tag {
                Tag::Mention(mention) => view.mentions.push(mention.clone()),
                Tag::Hashtag(hashtag) => view.hashtags.push(hashtag.clone()),
                Tag::Emoji(emoji) => view.emojis.push(emoji.clone()),
                Tag::Link(_) | Tag::Unknown(_) => {}
            }
        }
        Ok(view)
    }
}

fn not_blank(text: &Option<String>) -> Option<String> {
    text.as_ref()
        .filter(|text| !text.trim().is_empty())
        .cloned()
}
