//! Follows, blocks, mutes and notifications.

use std::str::FromStr;

use crate::{Id, Timestamp, UnknownVariant};

#[derive(Debug, Clone, PartialEq)]
pub struct Follow {
    pub id: Id,
    pub account_id: Id,
    pub target_account_id: Id,
    /// The Follow activity's id.
    pub uri: Option<String>,
    pub show_reblogs: bool,
    pub notify: bool,
    pub created_at: Timestamp,
}

/// Everything one account's relation to another is made of (Mastodon's Relationship).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Relationship {
    pub following: bool,
    pub showing_reblogs: bool,
    pub notifying: bool,
    pub followed_by: bool,
    pub blocking: bool,
    pub blocked_by: bool,
    pub muting: bool,
    pub muting_notifications: bool,
    pub requested: bool,
    pub requested_by: bool,
    pub domain_blocking: bool,
    pub endorsed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotificationKind {
    Mention,
    Status,
    Reblog,
    Follow,
    FollowRequest,
    Favourite,
    Poll,
    Update,
    EmojiReaction,
    AdminSignUp,
    AdminReport,
    /// Someone quoted one's post (Mastodon 4.5).
    Quote,
    /// A post one quoted was edited; the notification names one's quote (Mastodon 4.5).
    QuotedUpdate,
    /// An account one follows moved; the notification names the new one (`target`).
    Move,
    /// A moderator acted on one's account (Mastodon 4.3); the notification names the warning.
    ModerationWarning,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 15] = [
        NotificationKind::Mention,
        NotificationKind::Status,
        NotificationKind::Reblog,
        NotificationKind::Follow,
        NotificationKind::FollowRequest,
        NotificationKind::Favourite,
        NotificationKind::Poll,
        NotificationKind::Update,
        NotificationKind::EmojiReaction,
        NotificationKind::AdminSignUp,
        NotificationKind::AdminReport,
        NotificationKind::Quote,
        NotificationKind::QuotedUpdate,
        NotificationKind::Move,
        NotificationKind::ModerationWarning,
    ];

    /// The name Mastodon (or Akkoma, for reactions) gives the type.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Mention => "mention",
            NotificationKind::Status => "status",
            NotificationKind::Reblog => "reblog",
            NotificationKind::Follow => "follow",
            NotificationKind::FollowRequest => "follow_request",
            NotificationKind::Favourite => "favourite",
            NotificationKind::Poll => "poll",
            NotificationKind::Update => "update",
            NotificationKind::EmojiReaction => "pleroma:emoji_reaction",
            NotificationKind::AdminSignUp => "admin.sign_up",
            NotificationKind::AdminReport => "admin.report",
            NotificationKind::Quote => "quote",
            NotificationKind::QuotedUpdate => "quoted_update",
            NotificationKind::Move => "move",
            NotificationKind::ModerationWarning => "moderation_warning",
        }
    }
}

impl FromStr for NotificationKind {
    type Err = UnknownVariant;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NotificationKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| UnknownVariant {
                kind: "notification type",
                value: s.to_owned(),
            })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub id: Id,
    pub account_id: Id,
    pub from_account_id: Id,
    pub kind: NotificationKind,
    pub status_id: Option<Id>,
    /// The emoji of a reaction.
    pub emoji: Option<String>,
    /// The new account of a `move`.
    pub target_account_id: Option<Id>,
    /// The warning a `moderation_warning` is about.
    pub account_warning_id: Option<Id>,
    pub created_at: Timestamp,
}
