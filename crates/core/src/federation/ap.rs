//! Rhizome's entities as ActivityPub documents: the one place where actors, notes and the
//! activities around them take their federated shape. The HTTP layer serves these, and
//! deliveries send them.

use chrono::{DateTime, Utc};
use rhizome_federation::vocab::outgoing::{
    Activity, ActivityType, Actor, ActorType, Document, Endpoints, Image, Note, PropertyValue,
    PublicKey, QuoteOf, Source, Tag, Tombstone,
};
use rhizome_federation::vocab::{PUBLIC, with_context};
use rhizome_model::{Account, Attachment, QuotePolicy, QuoteState, Status, Timestamp, Visibility};
use serde::Serialize;
use serde_json::Value;
use url::Url;

use crate::{Core, CoreError};

pub(crate) fn url(text: &str) -> Result<Url, CoreError> {
    Url::parse(text).map_err(|e| CoreError::Internal(format!("not a URL: {text:?}: {e}")))
}

fn time(t: Timestamp) -> DateTime<Utc> {
    t.to_datetime()
}

/// A document with the `@context` every server expects, as JSON.
pub fn to_json<T: Serialize>(document: T) -> Result<Value, CoreError> {
    serde_json::to_value(with_context(document)).map_err(|e| CoreError::Internal(e.to_string()))
}

/// `to` and `cc` of a post, by visibility: who it is for.
pub fn addressing(
    visibility: Visibility,
    followers: &str,
    mentions: &[Account],
) -> Result<(Vec<Url>, Vec<Url>), CoreError> {
    let mentioned: Vec<Url> = mentions
        .iter()
        .filter_map(|a| Url::parse(&a.uri).ok())
        .collect();
    let public = url(PUBLIC)?;
    let followers = url(followers)?;
    Ok(match visibility {
        Visibility::Public => (vec![public], [vec![followers], mentioned].concat()),
        Visibility::Unlisted => (vec![followers], [vec![public], mentioned].concat()),
        Visibility::Private => (vec![followers], mentioned),
        Visibility::Direct | Visibility::Local => (mentioned, Vec::new()),
    })
}

impl Core {
    /// The ActivityPub actor of a local account.
    pub fn actor_document(&self, account: &Account) -> Result<Actor, CoreError> {
        let urls = &self.urls;
        let name = &account.username;
        let kind = if account.bot {
            ActorType::Service
        } else {
            ActorType::Person
        };
        let mut actor = Actor::new(
            kind,
            url(&account.uri)?,
            name.clone(),
            url(&urls.inbox(name))?,
            url(&urls.outbox(name))?,
            PublicKey {
                id: url(&urls.key_id(name))?,
                owner: url(&account.uri)?,
                public_key_pem: account.public_key_pem.clone(),
            },
        );
        actor.name = Some(account.display_name.clone()).filter(|n| !n.is_empty());
        actor.summary = Some(account.note.clone()).filter(|n| !n.is_empty());
        actor.url = Some(url(&urls.profile(name))?);
        actor.icon = Some(Image {
            media_type: None,
            url: url(&account
                .avatar_url
                .clone()
                .unwrap_or_else(|| urls.default_avatar()))?,
        });
        actor.image = Some(Image {
            media_type: None,
            url: url(&account
                .header_url
                .clone()
                .unwrap_or_else(|| urls.default_header()))?,
        });
        actor.followers = Some(url(&urls.followers(name))?);
        actor.following = Some(url(&urls.following(name))?);
        actor.featured = Some(url(&urls.featured(name))?);
        actor.featured_tags = Some(url(&urls.featured_tags(name))?);
        actor.endpoints = Some(Endpoints {
            shared_inbox: url(&urls.shared_inbox())?,
        });
        actor.manually_approves_followers = account.locked;
        actor.discoverable = account.discoverable;
        actor.indexable = account.discoverable;
        actor.tag = account
            .emojis
            .iter()
            .map(|emoji| emoji_tag(&self.urls, emoji).map(Tag::Emoji))
            .collect::<Result<_, _>>()?;
        actor.attachment = account
            .fields
            .iter()
            .map(|f| PropertyValue {
                name: f.name.clone(),
                value: self.profile_field_html(account, &f.value),
            })
            .collect();
        actor.also_known_as = account
            .also_known_as
            .iter()
            .filter_map(|a| Url::parse(a).ok())
            .collect();
        actor.published = Some(time(account.created_at));
        Ok(actor)
    }

    /// The instance actor: signs fetches made for the server as a whole.
    pub fn instance_actor_document(&self) -> Result<Actor, CoreError> {
        let id = self.urls.instance_actor();
        let mut actor = Actor::new(
            ActorType::Application,
            url(&id)?,
            self.config.domain.clone(),
            url(&format!("{id}/inbox"))?,
            url(&format!("{id}/outbox"))?,
            PublicKey {
                id: url(&format!("{id}#main-key"))?,
                owner: url(&id)?,
                public_key_pem: self.secrets.instance_actor.public_pem.clone(),
            },
        );
        actor.manually_approves_followers = true;
        actor.endpoints = Some(Endpoints {
            shared_inbox: url(&self.urls.shared_inbox())?,
        });
        Ok(actor)
    }

    /// A local status as a Note.
    pub async fn note_document(&self, status: &Status) -> Result<Note, CoreError> {
        let author = self
            .store
            .account(status.account_id)
            .await?
            .ok_or(CoreError::NotFound)?;
        let mention_ids = self
            .store
            .mentions_of(&[status.id])
            .await?
            .remove(&status.id)
            .unwrap_or_default();
        let mentions = self.store.accounts_by_ids(&mention_ids).await?;
        let tags = self
            .store
            .tags_of(&[status.id])
            .await?
            .remove(&status.id)
            .unwrap_or_default();
        let attachments = self
            .store
            .attachments_of(&[status.id])
            .await?
            .remove(&status.id)
            .unwrap_or_default();
        let followers = author
            .followers_url
            .clone()
            .unwrap_or_else(|| self.urls.followers(&author.username));
        let (to, cc) = addressing(status.visibility, &followers, &mentions)?;

        let mut note = Note::new(
            url(&status.uri)?,
            url(&author.uri)?,
            status.content.clone(),
            time(status.created_at),
        );
        note.url = status.url.as_deref().map(url).transpose()?;
        note.to = to;
        note.cc = cc;
        note.in_reply_to = status.in_reply_to_uri.as_deref().map(url).transpose()?;
        note.context = status
            .conversation
            .as_deref()
            .and_then(|c| Url::parse(c).ok());
        note.conversation = status.conversation.clone();
        note.updated = status.edited_at.map(time);
        note.sensitive = status.sensitive;
        // Who may quote it (FEP-044f): the audiences of its policy. A post nobody else may
        // quote names its author alone, since an empty list would read as no policy at all.
        let policy = crate::quotes::local_policy(status.visibility, status.quote_policy);
        let following = author
            .following_url
            .clone()
            .unwrap_or_else(|| self.urls.following(&author.username));
        let audiences = |bits: u8| -> Result<Vec<Url>, CoreError> {
            let mut list = Vec::new();
            if bits & QuotePolicy::PUBLIC != 0 {
                list.push(rhizome_federation::vocab::public_collection().clone());
            }
            if bits & QuotePolicy::FOLLOWERS != 0 {
                list.push(url(&followers)?);
            }
            if bits & QuotePolicy::FOLLOWING != 0 {
                list.push(url(&following)?);
            }
            Ok(list)
        };
        let mut automatic = audiences(policy.automatic)?;
        if automatic.is_empty() {
            automatic.push(url(&author.uri)?);
        }
        note.interaction_policy = Some(rhizome_federation::vocab::outgoing::InteractionPolicy {
            can_quote: rhizome_federation::vocab::outgoing::ApprovalPolicy {
                automatic_approval: automatic,
                manual_approval: audiences(policy.manual)?,
            },
        });
        note.summary = Some(status.spoiler_text.clone()).filter(|s| !s.is_empty());
        if let Some(language) = &status.language {
            note.content_map
                .insert(language.clone(), status.content.clone());
        }
        note.source = Some(Source {
            content: status.text.clone(),
            media_type: status.content_type.clone(),
        });
        for account in &mentions {
            note.tag.push(Tag::Mention {
                href: url(&account.uri)?,
                name: format!("@{}", self.full_acct(account)),
            });
        }
        for tag in &tags {
            note.tag.push(Tag::Hashtag {
                href: url(&format!("{}/tags/{}", self.urls.base(), tag.to_lowercase()))?,
                name: format!("#{tag}"),
            });
        }
        for emoji in self
            .store
            .emojis_of(&[status.id])
            .await?
            .remove(&status.id)
            .unwrap_or_default()
        {
            note.tag.push(Tag::Emoji(emoji_tag(&self.urls, &emoji)?));
        }
        note.attachment = attachments
            .iter()
            .filter_map(|a| document_of(a, &self.attachment_urls(a).0))
            .collect();
        if let Some(quoted) = status.quote_of_id
            && let Some(quoted) = self.store.status(quoted).await?
        {
            note.quote = QuoteOf(Url::parse(&quoted.uri).ok());
            if status.quote_state == Some(QuoteState::Accepted) {
                note.quote_authorization = status
                    .quote_authorization
                    .as_deref()
                    .and_then(|stamp| Url::parse(stamp).ok());
            }
        }
        Ok(note)
    }

    /// A local status as its ActivityPub document: a Note, or a Question when it has a poll.
    pub async fn status_document(&self, status: &Status) -> Result<Value, CoreError> {
        let note = self.note_document(status).await?;
        let mut document =
            serde_json::to_value(note).map_err(|e| CoreError::Internal(e.to_string()))?;
        if let Some(poll) = self.store.poll_of_status(status.id).await? {
            crate::polls::question(&mut document, &poll);
        }
        Ok(document)
    }

    /// `user@domain` for every account, local ones with our domain.
    pub fn full_acct(&self, account: &Account) -> String {
        match &account.domain {
            Some(domain) => format!("{}@{}", account.username, domain),
            None => format!("{}@{}", account.username, self.config.domain),
        }
    }

    /// A new activity id on this server.
    pub fn new_activity_id(&self) -> String {
        format!("{}/activities/{}", self.urls.base(), uuid::Uuid::new_v4())
    }
}

/// An `Emoji` tag for a custom emoji used in one of our posts.
pub(crate) fn emoji_tag(
    urls: &crate::Urls,
    emoji: &rhizome_model::EmojiRef,
) -> Result<rhizome_federation::vocab::outgoing::Emoji, CoreError> {
    let media_type = emoji
        .url
        .rsplit_once('.')
        .and_then(|(_, ext)| crate::media::process::media_type_of_extension(ext))
        .map(str::to_owned);
    Ok(rhizome_federation::vocab::outgoing::Emoji {
        id: url(&format!("{}/emoji/{}", urls.base(), emoji.shortcode))?,
        name: format!(":{}:", emoji.shortcode),
        icon: rhizome_federation::vocab::outgoing::Image {
            media_type,
            url: url(&emoji.url)?,
        },
        updated: None,
    })
}

fn document_of(attachment: &Attachment, url: &str) -> Option<Document> {
    let meta: Value = serde_json::from_str(&attachment.meta).unwrap_or(Value::Null);
    let dimension = |key: &str| {
        meta["original"][key]
            .as_u64()
            .and_then(|v| u32::try_from(v).ok())
    };
    let focus = match (meta["focus"]["x"].as_f64(), meta["focus"]["y"].as_f64()) {
        (Some(x), Some(y)) => Some([x, y]),
        _ => None,
    };
    Some(Document {
        media_type: attachment
            .media_type
            .clone()
            .unwrap_or_else(|| "application/octet-stream".into()),
        url: Url::parse(url).ok()?,
        name: attachment.description.clone(),
        blurhash: attachment.blurhash.clone(),
        width: dimension("width"),
        height: dimension("height"),
        focal_point: focus,
    })
}

/// Builds `Activity` values with the JSON-LD context, ready to store and send.
pub(crate) fn activity<O: Serialize>(
    kind: ActivityType,
    id: &str,
    actor: &str,
    object: O,
    to: Vec<Url>,
    cc: Vec<Url>,
) -> Result<Value, CoreError> {
    let activity = Activity::new(kind, url(id)?, url(actor)?, object).addressed(to, cc);
    to_json(activity)
}

/// An activity as an object inside another (Undo, Accept): no `@context` of its own.
pub(crate) fn inner_activity<O: Serialize>(
    kind: ActivityType,
    id: &str,
    actor: &str,
    object: O,
) -> Result<Value, CoreError> {
    serde_json::to_value(Activity::new(kind, url(id)?, url(actor)?, object))
        .map_err(|e| CoreError::Internal(e.to_string()))
}

pub(crate) fn tombstone(id: &str) -> Result<Tombstone, CoreError> {
    Ok(Tombstone::new(url(id)?))
}
