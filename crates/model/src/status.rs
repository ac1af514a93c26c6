//! Posts ("statuses"), their attachments, and what people do with them.

use std::str::FromStr;

use crate::{Id, Timestamp, UnknownVariant, Visibility};

#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub id: Id,
    /// The ActivityPub id.
    pub uri: String,
    /// The page a person opens.
    pub url: Option<String>,
    pub account_id: Id,
    pub in_reply_to_id: Option<Id>,
    /// The parent's ActivityPub id, also when the parent is not (yet) known here.
    pub in_reply_to_uri: Option<String>,
    pub in_reply_to_account_id: Option<Id>,
    /// Set on a boost: the boosted status.
    pub reblog_of_id: Option<Id>,
    pub quote_of_id: Option<Id>,
    /// Where the quote of `quote_of_id` stands; `None` when the status quotes nothing.
    pub quote_state: Option<crate::QuoteState>,
    /// The quoted author's approval stamp (a FEP-044f `QuoteAuthorization` URI).
    pub quote_authorization: Option<String>,
    /// Who may quote this status; `None` for a remote post whose server states no policy.
    pub quote_policy: Option<crate::QuotePolicy>,
    /// The thread's `context`, shared by every post of a conversation.
    pub conversation: Option<String>,
    /// What the author typed (local posts), for editing and redrafting.
    pub text: String,
    /// Sanitised HTML.
    pub content: String,
    pub content_type: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub visibility: Visibility,
    pub language: Option<String>,
    pub local: bool,
    /// ActivityStreams type: Note, Article, Page, Question, Video…
    pub object_type: String,
    /// The name of an Article, Page or Video, shown above its content.
    pub title: Option<String>,
    pub application_id: Option<Id>,
    pub created_at: Timestamp,
    pub edited_at: Option<Timestamp>,
    pub updated_at: Timestamp,
}

impl Status {
    pub fn is_reblog(&self) -> bool {
        self.reblog_of_id.is_some()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentKind {
    Image,
    Gifv,
    Video,
    Audio,
    Unknown,
}

impl AttachmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AttachmentKind::Image => "image",
            AttachmentKind::Gifv => "gifv",
            AttachmentKind::Video => "video",
            AttachmentKind::Audio => "audio",
            AttachmentKind::Unknown => "unknown",
        }
    }

    /// From a MIME type such as `image/png`.
    pub fn from_media_type(media_type: &str) -> AttachmentKind {
        match media_type.split('/').next().unwrap_or("") {
            "image" => AttachmentKind::Image,
            "video" => AttachmentKind::Video,
            "audio" => AttachmentKind::Audio,
            _ => AttachmentKind::Unknown,
        }
    }
}

impl FromStr for AttachmentKind {
    type Err = UnknownVariant;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "image" => Ok(AttachmentKind::Image),
            "gifv" => Ok(AttachmentKind::Gifv),
            "video" => Ok(AttachmentKind::Video),
            "audio" => Ok(AttachmentKind::Audio),
            "unknown" => Ok(AttachmentKind::Unknown),
            other => Err(UnknownVariant {
                kind: "attachment kind",
                value: other.to_owned(),
            }),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub id: Id,
    pub status_id: Option<Id>,
    pub account_id: Id,
    pub kind: AttachmentKind,
    pub media_type: Option<String>,
    pub url: String,
    /// Where a remote file lives on its home server.
    pub remote_url: Option<String>,
    pub preview_url: Option<String>,
    /// Alt text.
    pub description: Option<String>,
    pub blurhash: Option<String>,
    /// JSON: sizes, focus, duration (Mastodon's `meta`).
    pub meta: String,
    pub position: i32,
    pub created_at: Timestamp,
    /// Where the file lies in this instance's media storage: an upload, or a remote file
    /// once cached. `None` for a remote file not fetched (or pruned from the cache).
    pub file_key: Option<String>,
    /// The preview's key in media storage, when one was made.
    pub preview_key: Option<String>,
    /// Bytes stored under `file_key` and `preview_key` together.
    pub stored_bytes: i64,
    /// An upload still waiting for a worker to check and convert it.
    pub processing: bool,
}

/// A status with what is stored beside it, as written in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct NewStatus {
    pub status: Status,
    /// Accounts mentioned.
    pub mentions: Vec<Id>,
    /// Hashtags, without `#`.
    pub tags: Vec<String>,
    pub attachments: Vec<Attachment>,
}

/// An earlier version of an edited status.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusEdit {
    pub id: Id,
    pub status_id: Id,
    pub text: String,
    pub content: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub created_at: Timestamp,
}

/// How many replies, boosts and favourites a status has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatusCounts {
    pub replies: i64,
    pub reblogs: i64,
    pub favourites: i64,
}

/// What the viewer did with a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ViewerFlags {
    pub favourited: bool,
    pub reblogged: bool,
    pub bookmarked: bool,
    pub pinned: bool,
    pub muted: bool,
}

/// One emoji reaction on a status, summed over accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReactionCount {
    pub emoji: String,
    pub url: Option<String>,
    pub count: i64,
    pub me: bool,
    pub account_ids: Vec<Id>,
}
