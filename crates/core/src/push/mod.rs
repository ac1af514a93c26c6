//! Web Push, as Mastodon does it: each access token may keep one subscription
//! (`/api/v1/push/subscription`), and every notification a subscription asked for is
//! encrypted for it and sent to its push service by a `web_push` job.

pub mod crypto;

use std::time::Duration;

use http::header::{AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue};
use rhizome_federation::http::FetchError;
use rhizome_model::{
    Id, LocalUser, Notification, NotificationKind, PushAlerts, PushPolicy, PushSubscription,
};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::jobs::JobError;
use crate::oauth::Authenticated;
use crate::text::stored_html_to_text;
use crate::{Core, CoreError};

/// The job that sends one notification to one subscription.
pub const WEB_PUSH: &str = "web_push";

#[derive(Debug, Serialize, Deserialize)]
pub struct WebPushJob {
    pub subscription_id: Id,
    pub notification_id: Id,
}

/// Longest endpoint accepted; push services' URLs are a few hundred bytes.
const MAX_ENDPOINT_LEN: usize = 2048;
/// How long a push service keeps a message for a device that is offline (Mastodon's 48 h).
const TTL_SECONDS: u64 = 48 * 3600;
/// VAPID tokens live well under RFC 8292's 24-hour limit, leaving room for clock skew.
const JWT_LIFETIME_SECONDS: u64 = 12 * 3600;
/// Mastodon truncates a push's text to this many characters.
const MAX_BODY_CHARS: usize = 140;

/// A subscription as a client asks for it.
#[derive(Debug, Clone)]
pub struct NewPushSubscription {
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub standard: bool,
    pub alerts: PushAlerts,
    pub policy: PushPolicy,
}

impl Core {
    /// The VAPID public key clients subscribe with (`server_key`, `vapid_key`).
    pub fn vapid_server_key(&self) -> String {
        self.secrets.vapid.server_key()
    }

    /// Subscribes the token `bearer` (the one `auth` was made from), replacing its previous
    /// subscription.
    pub async fn subscribe_push(
        &self,
        auth: &Authenticated,
        bearer: &str,
        new: NewPushSubscription,
    ) -> Result<PushSubscription, CoreError> {
        let user = auth.user()?;
        let endpoint = self.check_push_endpoint(&new.endpoint)?;
        let p256dh = crypto::decode_base64(&new.p256dh)
            .filter(|key| crypto::valid_p256dh(key))
            .ok_or_else(|| {
                CoreError::invalid("subscription[keys][p256dh] must be a P-256 public key")
            })?;
        let auth_secret = crypto::decode_base64(&new.auth)
            .filter(|secret| secret.len() == 16)
            .ok_or_else(|| CoreError::invalid("subscription[keys][auth] must be 16 bytes"))?;
        let sealed_token =
            crypto::seal_token(&self.secrets.push_token_key, auth.token.id.0, bearer)
                .map_err(|e| CoreError::Internal(e.to_string()))?;
        let now = self.clock.now();
        let subscription = PushSubscription {
            id: Id::generate(now.0),
            account_id: user.account.id,
            token_id: auth.token.id,
            endpoint: endpoint.to_string(),
            p256dh: crypto::encode_base64(&p256dh),
            auth: crypto::encode_base64(&auth_secret),
            standard: new.standard,
            alerts: new.alerts,
            policy: new.policy,
            sealed_token,
            created_at: now,
            updated_at: now,
        };
        self.store.replace_push_subscription(&subscription).await?;
        tracing::info!(account = %user.account.id, subscription = %subscription.id, "push subscription created");
        Ok(subscription)
    }

    /// The token's subscription.
    pub async fn push_subscription(
        &self,
        auth: &Authenticated,
    ) -> Result<PushSubscription, CoreError> {
        auth.user()?;
        self.store
            .push_subscription_of_token(auth.token.id)
            .await?
            .ok_or(CoreError::NotFound)
    }

    /// Changes what the token's subscription pushes; what is not given stays as it was.
    pub async fn update_push_subscription(
        &self,
        auth: &Authenticated,
        alerts: Option<PushAlerts>,
        policy: Option<PushPolicy>,
    ) -> Result<PushSubscription, CoreError> {
        let current = self.push_subscription(auth).await?;
        self.store
            .update_push_subscription(
                auth.token.id,
                &alerts.unwrap_or(current.alerts),
                policy.unwrap_or(current.policy),
                self.clock.now(),
            )
            .await?
            .ok_or(CoreError::NotFound)
    }

    /// Removes the token's subscription, if it has one.
    pub async fn unsubscribe_push(&self, auth: &Authenticated) -> Result<(), CoreError> {
        auth.user()?;
        self.store
            .delete_push_subscription_of_token(auth.token.id)
            .await?;
        Ok(())
    }

    /// An endpoint we may send to: an http(s) URL under the same rules as every outgoing
    /// request (https only, no private addresses, unless the test switches allow them).
    fn check_push_endpoint(&self, endpoint: &str) -> Result<Url, CoreError> {
        let invalid = |why: String| CoreError::invalid(format!("subscription[endpoint] {why}"));
        if endpoint.len() > MAX_ENDPOINT_LEN {
            return Err(invalid(format!(
                "is longer than {MAX_ENDPOINT_LEN} characters"
            )));
        }
        let url = Url::parse(endpoint).map_err(|e| invalid(format!("is not a URL: {e}")))?;
        self.web_push_http
            .check_url(&url)
            .map_err(|e| invalid(format!("cannot be used: {e}")))?;
        Ok(url)
    }

    /// Queues a push of `notification` to each subscription of its owner that wants it.
    /// A failure is logged, never returned: the notification exists whatever happens here.
    pub(crate) async fn queue_pushes(&self, notification: &Notification) {
        if let Err(err) = self.try_queue_pushes(notification).await {
            tracing::warn!(error = %err, notification = %notification.id, "queuing pushes failed");
        }
    }

    async fn try_queue_pushes(&self, notification: &Notification) -> Result<(), CoreError> {
        let subscriptions = self
            .store
            .push_subscriptions_of_account(notification.account_id)
            .await?;
        let mut wanted: Vec<&PushSubscription> = subscriptions
            .iter()
            .filter(|s| s.alerts.enabled(notification.kind) && s.policy != PushPolicy::None)
            .collect();
        if wanted
            .iter()
            .any(|s| matches!(s.policy, PushPolicy::Followed | PushPolicy::Follower))
        {
            let from = notification.from_account_id;
            let relationship = self
                .store
                .relationships(notification.account_id, &[from], self.clock.now())
                .await?
                .remove(&from)
                .unwrap_or_default();
            wanted.retain(|s| match s.policy {
                PushPolicy::Followed => relationship.following,
                PushPolicy::Follower => relationship.followed_by,
                _ => true,
            });
        }
        let jobs: Vec<WebPushJob> = wanted
            .iter()
            .map(|s| WebPushJob {
                subscription_id: s.id,
                notification_id: notification.id,
            })
            .collect();
        self.enqueue_many(WEB_PUSH, &jobs).await
    }

    /// The `web_push` job: encrypts the notification for the subscription and sends it.
    /// A push service that says the subscription is gone (404, 410) has it deleted.
    pub async fn run_web_push(&self, job: WebPushJob) -> Result<(), JobError> {
        // Unsubscribed, or the notification dismissed, since the job was queued: nothing to do.
        let store = |e: rhizome_store::StoreError| JobError::from(CoreError::from(e));
        let Some(subscription) = self
            .store
            .push_subscription(job.subscription_id)
            .await
            .map_err(store)?
        else {
            return Ok(());
        };
        let Some(notification) = self
            .store
            .notification(subscription.account_id, job.notification_id)
            .await
            .map_err(store)?
        else {
            return Ok(());
        };
        if !subscription.alerts.enabled(notification.kind)
            || subscription.policy == PushPolicy::None
        {
            return Ok(());
        }
        let Some(user) = self
            .store
            .local_user(subscription.account_id)
            .await
            .map_err(store)?
        else {
            return Ok(());
        };
        if user.account.suspended_at.is_some() {
            return Ok(());
        }
        let token = crypto::open_token(
            &self.secrets.push_token_key,
            subscription.token_id.0,
            &subscription.sealed_token,
        )
        .ok_or_else(|| JobError::Permanent("the subscription's token does not open".into()))?;
        let message = self.push_message(&user, &notification, &token).await?;
        let bad_key = |e: crypto::PushCryptoError| JobError::Permanent(e.to_string());
        let p256dh = crypto::decode_base64(&subscription.p256dh)
            .ok_or_else(|| JobError::Permanent("stored p256dh is not base64".into()))?;
        let auth = crypto::decode_base64(&subscription.auth)
            .ok_or_else(|| JobError::Permanent("stored auth is not base64".into()))?;
        let encrypted =
            crypto::encrypt(subscription.standard, &message, &p256dh, &auth).map_err(bad_key)?;
        let endpoint = Url::parse(&subscription.endpoint)
            .map_err(|e| JobError::Permanent(format!("stored endpoint: {e}")))?;
        let headers = self
            .push_headers(&subscription, &endpoint, &encrypted)
            .await?;
        let answer = match self
            .web_push_http
            .post(&endpoint, headers, encrypted.body)
            .await
        {
            Ok(answer) => answer,
            Err(
                err @ (FetchError::AddressNotAllowed(_)
                | FetchError::SchemeNotAllowed(_)
                | FetchError::InvalidUrl(_)),
            ) => return Err(JobError::Permanent(err.to_string())),
            Err(err) => return Err(JobError::Retry(err.to_string())),
        };
        let status = answer.status;
        match status {
            200..=299 => Ok(()),
            404 | 410 => {
                self.store
                    .delete_push_subscription(subscription.id)
                    .await
                    .map_err(store)?;
                tracing::info!(subscription = %subscription.id, status, "push subscription gone: deleted");
                Ok(())
            }
            408 | 429 | 500..=599 => {
                let message = format!("the push service answered HTTP {status}");
                Err(match answer.retry_after {
                    Some(after) => JobError::RetryAfter { message, after },
                    None => JobError::Retry(message),
                })
            }
            _ => Err(JobError::Permanent(format!(
                "the push service answered HTTP {status}"
            ))),
        }
    }

    /// The headers of a push: encoding, lifetime, urgency and the VAPID signature, in
    /// RFC 8291/8292's form or the drafts' for legacy subscriptions.
    async fn push_headers(
        &self,
        subscription: &PushSubscription,
        endpoint: &Url,
        encrypted: &crypto::Encrypted,
    ) -> Result<HeaderMap, JobError> {
        let contact = self.settings().await?.contact_email;
        let subject = if contact.is_empty() {
            self.urls.base().to_owned()
        } else {
            format!("mailto:{contact}")
        };
        let expires = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .saturating_add(Duration::from_secs(JWT_LIFETIME_SECONDS))
            .as_secs() as i64;
        let vapid = &self.secrets.vapid;
        let jwt = vapid
            .jwt(&endpoint.origin().ascii_serialization(), &subject, expires)
            .map_err(|e| JobError::Permanent(e.to_string()))?;
        let key = vapid.public_key();
        let mut pairs: Vec<(http::HeaderName, String)> = vec![
            (CONTENT_TYPE, "application/octet-stream".into()),
            (
                http::HeaderName::from_static("ttl"),
                TTL_SECONDS.to_string(),
            ),
            (http::HeaderName::from_static("urgency"), "normal".into()),
        ];
        if subscription.standard {
            pairs.push((CONTENT_ENCODING, "aes128gcm".into()));
            pairs.push((AUTHORIZATION, format!("vapid t={jwt}, k={key}")));
        } else {
            pairs.push((CONTENT_ENCODING, "aesgcm".into()));
            pairs.push((
                http::HeaderName::from_static("encryption"),
                format!("salt={}", crypto::encode_base64(&encrypted.salt)),
            ));
            pairs.push((
                http::HeaderName::from_static("crypto-key"),
                format!(
                    "dh={};p256ecdsa={key}",
                    crypto::encode_base64(&encrypted.server_public)
                ),
            ));
            pairs.push((AUTHORIZATION, format!("WebPush {jwt}")));
        }
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            let value = HeaderValue::from_str(&value)
                .map_err(|e| JobError::Permanent(format!("header {name}: {e}")))?;
            headers.insert(name, value);
        }
        Ok(headers)
    }

    /// The JSON Mastodon pushes (its `Web::NotificationSerializer`): the token (so that apps
    /// know which account it is for), the user's language, the notification's id and type,
    /// and a title, text and icon ready to show.
    async fn push_message(
        &self,
        user: &LocalUser,
        notification: &Notification,
        token: &str,
    ) -> Result<Vec<u8>, CoreError> {
        let from = self
            .store
            .accounts_by_ids(&[notification.from_account_id])
            .await?
            .pop()
            .ok_or(CoreError::NotFound)?;
        let status = match notification.status_id {
            Some(id) => self.store.status(id).await?,
            None => None,
        };
        let name = if from.display_name.trim().is_empty() {
            from.username.clone()
        } else {
            from.display_name.clone()
        };
        let icon = from
            .avatar_url
            .as_deref()
            .map(|url| self.proxied_url(url))
            .unwrap_or_else(|| self.urls.default_avatar());
        let text = match &status {
            Some(status) if !status.spoiler_text.trim().is_empty() => status.spoiler_text.clone(),
            Some(status) => stored_html_to_text(&status.content),
            None => stored_html_to_text(&from.note),
        };
        let mut title: String = push_title(&user.locale, notification.kind, &name);
        let mut body = truncate(&text, MAX_BODY_CHARS);
        // One record holds the message: a very long name or icon URL gives way first.
        loop {
            let message = serde_json::json!({
                "access_token": token,
                "preferred_locale": user.locale,
                "notification_id": notification.id.0,
                "notification_type": notification.kind.as_str(),
                "icon": icon,
                "title": title,
                "body": body,
            })
            .to_string();
            if message.len() <= crypto::MAX_PLAINTEXT {
                return Ok(message.into_bytes());
            }
            if title.chars().count() > 40 {
                title = truncate(&title, 40);
            } else if !body.is_empty() {
                body.clear();
            } else {
                return Err(CoreError::Internal("the push message is too large".into()));
            }
        }
    }
}

/// At most `max` characters, the last one an ellipsis when cut.
fn truncate(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// The title of a push, in the user's language (French or English), as Mastodon words its
/// notification e-mails' subjects.
fn push_title(locale: &str, kind: NotificationKind, name: &str) -> String {
    use NotificationKind as K;
    let french = locale.split(['-', '_']).next() == Some("fr");
    let text = match (kind, french) {
        (K::Mention, false) => "You were mentioned by {name}",
        (K::Mention, true) => "Vous avez été mentionné·e par {name}",
        (K::Status, false) => "{name} just posted",
        (K::Status, true) => "{name} vient de publier",
        (K::Reblog, false) => "{name} boosted your post",
        (K::Reblog, true) => "{name} a partagé votre message",
        (K::Follow, false) => "{name} is now following you",
        (K::Follow, true) => "{name} vous suit",
        (K::FollowRequest, false) => "Pending follower: {name}",
        (K::FollowRequest, true) => "Demande d’abonnement : {name}",
        (K::Favourite, false) => "{name} favorited your post",
        (K::Favourite, true) => "{name} a ajouté votre message à ses favoris",
        (K::Poll, false) => "A poll by {name} has ended",
        (K::Poll, true) => "Un sondage de {name} est terminé",
        (K::Update, false) => "{name} edited a post",
        (K::Update, true) => "{name} a modifié un message",
        (K::EmojiReaction, false) => "{name} reacted to your post",
        (K::EmojiReaction, true) => "{name} a réagi à votre message",
        (K::AdminSignUp, false) => "{name} signed up",
        (K::AdminSignUp, true) => "{name} s’est inscrit·e",
        (K::AdminReport, false) => "{name} submitted a report",
        (K::AdminReport, true) => "{name} a envoyé un signalement",
        (K::Quote, false) => "{name} quoted your post",
        (K::Quote, true) => "{name} a cité votre message",
        (K::QuotedUpdate, false) => "{name} edited a post you quoted",
        (K::QuotedUpdate, true) => "{name} a modifié un message que vous avez cité",
        (K::Move, false) => "{name} has moved to a new account",
        (K::Move, true) => "{name} a déménagé vers un nouveau compte",
        (K::ModerationWarning, false) => "A moderator took action on your account",
        (K::ModerationWarning, true) => "L’équipe de modération a agi sur votre compte",
    };
    text.replace("{name}", name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_truncation() {
        assert_eq!(
            push_title("en", NotificationKind::Mention, "Bob"),
            "You were mentioned by Bob"
        );
        assert_eq!(
            push_title("fr-CA", NotificationKind::Follow, "Bob"),
            "Bob vous suit"
        );
        assert_eq!(truncate("  short ", 140), "short");
        let long = "é".repeat(200);
        let cut = truncate(&long, 140);
        assert_eq!(cut.chars().count(), 140);
        assert!(cut.ends_with('…'));
    }
}
