//! Web Push subscriptions (Mastodon's `/api/v1/push/subscription`): where a client's push
//! service listens, the keys that encrypt for it, and which notifications it wants.

use std::fmt;
use std::str::FromStr;

use crate::{Id, NotificationKind, Timestamp, UnknownVariant};

/// Whose notifications are pushed (Mastodon's `data[policy]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PushPolicy {
    #[default]
    All,
    /// Only from accounts the user follows.
    Followed,
    /// Only from accounts that follow the user.
    Follower,
    None,
}

impl PushPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            PushPolicy::All => "all",
            PushPolicy::Followed => "followed",
            PushPolicy::Follower => "follower",
            PushPolicy::None => "none",
        }
    }
}

impl FromStr for PushPolicy {
    type Err = UnknownVariant;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "all" => Ok(PushPolicy::All),
            "followed" => Ok(PushPolicy::Followed),
            "follower" => Ok(PushPolicy::Follower),
            "none" => Ok(PushPolicy::None),
            other => Err(UnknownVariant {
                kind: "push policy",
                value: other.chars().take(40).collect(),
            }),
        }
    }
}

/// The notification types a subscription wants pushed (kept in [`NotificationKind::ALL`]
/// order); every other type is not.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PushAlerts(Vec<NotificationKind>);

impl PushAlerts {
    pub fn new(kinds: impl IntoIterator<Item = NotificationKind>) -> Self {
        let mut alerts = PushAlerts::default();
        for kind in kinds {
            alerts.set(kind, true);
        }
        alerts
    }

    pub fn enabled(&self, kind: NotificationKind) -> bool {
        self.0.contains(&kind)
    }

    pub fn set(&mut self, kind: NotificationKind, on: bool) {
        self.0.retain(|k| *k != kind);
        if on {
            self.0.push(kind);
            // One order, so that equal sets compare equal.
            self.0
                .sort_by_key(|k| NotificationKind::ALL.iter().position(|a| a == k));
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = NotificationKind> + '_ {
        self.0.iter().copied()
    }
}

/// Space-separated type names, in [`NotificationKind::ALL`] order (as stored).
impl fmt::Display for PushAlerts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = NotificationKind::ALL
            .into_iter()
            .filter(|kind| self.enabled(*kind))
            .map(NotificationKind::as_str)
            .collect();
        f.write_str(&names.join(" "))
    }
}

impl FromStr for PushAlerts {
    type Err = UnknownVariant;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.split_whitespace()
            .map(NotificationKind::from_str)
            .collect::<Result<Vec<_>, _>>()
            .map(PushAlerts::new)
    }
}

/// One subscription: at most one per access token, removed with the token.
#[derive(Debug, Clone, PartialEq)]
pub struct PushSubscription {
    pub id: Id,
    pub account_id: Id,
    pub token_id: Id,
    /// The push service's URL, checked when subscribing and again when delivering.
    pub endpoint: String,
    /// The user agent's P-256 public key, uncompressed (65 bytes), base64url without padding.
    pub p256dh: String,
    /// The 16-byte authentication secret, base64url without padding.
    pub auth: String,
    /// RFC 8291 (`aes128gcm`, `Authorization: vapid`); otherwise the drafts Mastodon spoke
    /// before 4.4 (`aesgcm`, `Authorization: WebPush`), which older clients still expect.
    pub standard: bool,
    pub alerts: PushAlerts,
    pub policy: PushPolicy,
    /// The access token itself, sealed under an instance secret: Mastodon's pushes carry it,
    /// and apps use it to tell which account a push is for.
    pub sealed_token: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_round_trip_as_text() {
        let alerts = PushAlerts::new([NotificationKind::Poll, NotificationKind::Mention]);
        assert_eq!(alerts.to_string(), "mention poll");
        assert_eq!("mention poll".parse::<PushAlerts>().unwrap(), alerts);
        assert_eq!("".parse::<PushAlerts>().unwrap(), PushAlerts::default());
        assert!("mention nonsense".parse::<PushAlerts>().is_err());
        let mut alerts = alerts;
        alerts.set(NotificationKind::Mention, false);
        alerts.set(NotificationKind::Poll, true);
        assert_eq!(alerts.to_string(), "poll");
    }

    #[test]
    fn policies_parse() {
        for policy in [
            PushPolicy::All,
            PushPolicy::Followed,
            PushPolicy::Follower,
            PushPolicy::None,
        ] {
            assert_eq!(policy.as_str().parse::<PushPolicy>().unwrap(), policy);
        }
        assert!("everyone".parse::<PushPolicy>().is_err());
    }
}
