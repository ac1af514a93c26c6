//! Quote posts with consent (FEP-044f, Mastodon 4.5): who may quote a post, and where a
//! quote stands.

use std::str::FromStr;

use crate::UnknownVariant;

/// Who may quote a post: audiences approved automatically and audiences who must ask,
/// as bit sets of [`QuotePolicy::PUBLIC`], [`QuotePolicy::FOLLOWERS`],
/// [`QuotePolicy::FOLLOWING`] and [`QuotePolicy::UNSUPPORTED`]. The author may always quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QuotePolicy {
    pub automatic: u8,
    pub manual: u8,
}

/// What a viewer may do about quoting a post (Mastodon's `quote_approval.current_user`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteDecision {
    Automatic,
    Manual,
    Denied,
    /// The policy names audiences we cannot check (single actors, other collections).
    Unknown,
}

impl QuoteDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            QuoteDecision::Automatic => "automatic",
            QuoteDecision::Manual => "manual",
            QuoteDecision::Denied => "denied",
            QuoteDecision::Unknown => "unknown",
        }
    }
}

impl QuotePolicy {
    /// Anyone (`as:Public`).
    pub const PUBLIC: u8 = 1 << 1;
    /// The author's followers.
    pub const FOLLOWERS: u8 = 1 << 2;
    /// The accounts the author follows.
    pub const FOLLOWING: u8 = 1 << 3;
    /// Someone or something else (a single actor, another collection).
    pub const UNSUPPORTED: u8 = 1 << 0;

    /// Nobody but the author.
    pub const NOBODY: QuotePolicy = QuotePolicy {
        automatic: 0,
        manual: 0,
    };

    /// Mastodon's `quote_approval_policy` setting: `public`, `followers` or `nobody`.
    pub fn from_setting(setting: &str) -> Option<QuotePolicy> {
        let automatic = match setting {
            "public" => QuotePolicy::PUBLIC,
            "followers" => QuotePolicy::FOLLOWERS,
            "nobody" => 0,
            _ => return None,
        };
        Some(QuotePolicy {
            automatic,
            manual: 0,
        })
    }

    /// The audiences of one bit set, by Mastodon's names.
    pub fn keys(bits: u8) -> Vec<&'static str> {
        [
            (QuotePolicy::UNSUPPORTED, "unsupported_policy"),
            (QuotePolicy::PUBLIC, "public"),
            (QuotePolicy::FOLLOWERS, "followers"),
            (QuotePolicy::FOLLOWING, "following"),
        ]
        .into_iter()
        .filter(|(bit, _)| bits & bit != 0)
        .map(|(_, name)| name)
        .collect()
    }

    /// Both sets in one integer, for storage.
    pub fn to_bits(self) -> i64 {
        (i64::from(self.automatic) << 8) | i64::from(self.manual)
    }

    pub fn from_bits(bits: i64) -> QuotePolicy {
        QuotePolicy {
            automatic: ((bits >> 8) & 0xff) as u8,
            manual: (bits & 0xff) as u8,
        }
    }

    /// What the policy says of someone who is not the author, given whether they follow the
    /// author and whether the author follows them (asked only when the policy needs it).
    pub fn decide(
        self,
        follows_author: impl Fn() -> bool,
        followed_by_author: impl Fn() -> bool,
    ) -> QuoteDecision {
        let admits = |bits: u8| {
            bits & QuotePolicy::PUBLIC != 0
                || (bits & QuotePolicy::FOLLOWERS != 0 && follows_author())
                || (bits & QuotePolicy::FOLLOWING != 0 && followed_by_author())
        };
        if admits(self.automatic) {
            QuoteDecision::Automatic
        } else if admits(self.manual) {
            QuoteDecision::Manual
        } else if (self.automatic | self.manual) & QuotePolicy::UNSUPPORTED != 0 {
            QuoteDecision::Unknown
        } else {
            QuoteDecision::Denied
        }
    }
}

/// Where a quote stands (Mastodon's Quote `state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteState {
    /// Waiting for the quoted author's answer (or for its proof to be checked).
    Pending,
    Accepted,
    Rejected,
    /// Accepted, then withdrawn by the quoted author.
    Revoked,
}

impl QuoteState {
    pub fn as_str(self) -> &'static str {
        match self {
            QuoteState::Pending => "pending",
            QuoteState::Accepted => "accepted",
            QuoteState::Rejected => "rejected",
            QuoteState::Revoked => "revoked",
        }
    }
}

impl FromStr for QuoteState {
    type Err = UnknownVariant;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pending" => Ok(QuoteState::Pending),
            "accepted" => Ok(QuoteState::Accepted),
            "rejected" => Ok(QuoteState::Rejected),
            "revoked" => Ok(QuoteState::Revoked),
            other => Err(UnknownVariant {
                kind: "quote state",
                value: other.to_owned(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_decide_as_mastodon_does() {
        let public = QuotePolicy::from_setting("public").unwrap();
        assert_eq!(public.decide(|| false, || false), QuoteDecision::Automatic);
        let followers = QuotePolicy::from_setting("followers").unwrap();
        assert_eq!(
            followers.decide(|| true, || false),
            QuoteDecision::Automatic
        );
        assert_eq!(followers.decide(|| false, || true), QuoteDecision::Denied);
        let nobody = QuotePolicy::from_setting("nobody").unwrap();
        assert_eq!(nobody.decide(|| true, || true), QuoteDecision::Denied);
        let manual = QuotePolicy {
            automatic: QuotePolicy::FOLLOWING,
            manual: QuotePolicy::PUBLIC,
        };
        assert_eq!(manual.decide(|| false, || true), QuoteDecision::Automatic);
        assert_eq!(manual.decide(|| false, || false), QuoteDecision::Manual);
        let odd = QuotePolicy {
            automatic: QuotePolicy::UNSUPPORTED,
            manual: 0,
        };
        assert_eq!(odd.decide(|| false, || false), QuoteDecision::Unknown);
        assert_eq!(QuotePolicy::from_bits(manual.to_bits()), manual);
        assert_eq!(QuotePolicy::keys(manual.manual), vec!["public"]);
        assert!(QuotePolicy::from_setting("everyone").is_none());
    }
}
