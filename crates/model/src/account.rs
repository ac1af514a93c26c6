//! Accounts: every actor Rhizome knows, local or remote; and the local users behind some of them.

use crate::{Id, Role, Timestamp};

/// A profile field (Mastodon's "fields", ActivityPub's PropertyValue).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProfileField {
    pub name: String,
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_at: Option<Timestamp>,
}

/// A custom emoji used in a name, bio or post: `:shortcode:` shown as the image at `url`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EmojiRef {
    pub shortcode: String,
    pub url: String,
}

/// An actor: a local user's public face, or a remote account seen through federation.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub id: Id,
    pub username: String,
    /// `None` for local accounts.
    pub domain: Option<String>,
    pub display_name: String,
    /// HTML, already sanitised.
    pub note: String,
    /// The ActivityPub id.
    pub uri: String,
    /// The profile page.
    pub url: Option<String>,
    pub inbox_url: Option<String>,
    pub shared_inbox_url: Option<String>,
    pub outbox_url: Option<String>,
    pub followers_url: Option<String>,
    pub following_url: Option<String>,
    pub featured_url: Option<String>,
    pub public_key_id: Option<String>,
    pub public_key_pem: String,
    /// ActivityStreams actor type: Person, Service, Application, Group, Organization.
    pub actor_type: String,
    pub locked: bool,
    pub bot: bool,
    pub discoverable: bool,
    pub avatar_url: Option<String>,
    pub header_url: Option<String>,
    pub fields: Vec<ProfileField>,
    pub also_known_as: Vec<String>,
    pub moved_to_account_id: Option<Id>,
    pub suspended_at: Option<Timestamp>,
    /// Custom emojis in the display name and bio.
    pub emojis: Vec<EmojiRef>,
    /// When a remote actor was last fetched.
    pub fetched_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Account {
    pub fn is_local(&self) -> bool {
        self.domain.is_none()
    }

    /// `name` for local accounts, `name@domain` for remote ones (Mastodon's `acct`).
    pub fn acct(&self) -> String {
        match &self.domain {
            None => self.username.clone(),
            Some(domain) => format!("{}@{}", self.username, domain),
        }
    }
}

/// A person with a login on this instance, and the account they act as.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalUser {
    pub account: Account,
    pub email: String,
    pub password_hash: String,
    pub role: Role,
    pub private_key_pem: String,
    /// False while a registration waits for a moderator in approval mode.
    pub approved: bool,
    pub registration_reason: Option<String>,
    pub locale: String,
    pub created_at: Timestamp,
    pub last_sign_in_at: Option<Timestamp>,
}

/// What a local user's posts get when the client leaves these out (Mastodon's
/// `source.privacy`, `source.sensitive` and `source.language`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PostingDefaults {
    pub visibility: crate::Visibility,
    pub sensitive: bool,
    /// An ISO 639 code; `None` leaves posts without a language.
    pub language: Option<String>,
}
