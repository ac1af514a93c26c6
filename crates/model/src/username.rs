//! Local usernames, following Mastodon's rules.

use std::fmt;

/// Names that would collide with paths, well-known accounts or staff impersonation.
const RESERVED: &[&str] = &[
    "admin",
    "administrator",
    "root",
    "webmaster",
    "hostmaster",
    "postmaster",
    "abuse",
    "security",
    "support",
    "help",
    "mod",
    "moderator",
    "moderators",
    "staff",
    "system",
    "instance",
    "internal",
    "relay",
    "rhizome",
    "mastodon",
    "akkoma",
    "pleroma",
    "api",
    "oauth",
    "users",
    "inbox",
    "outbox",
    "objects",
    "activities",
    "notice",
    "web",
    "static",
    "media",
    "proxy",
    "well-known",
    "nodeinfo",
    "settings",
    "about",
    "explore",
    "search",
    "tags",
    "public",
    "local",
    "everyone",
    "all",
    "null",
    "undefined",
];

pub const MAX_USERNAME_LEN: usize = 30;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    #[error("username can't be blank")]
    Empty,
    #[error("username is too long (at most {MAX_USERNAME_LEN} characters)")]
    TooLong,
    #[error("username may only contain letters, numbers and underscores")]
    InvalidCharacters,
    #[error("username is reserved")]
    Reserved,
}

/// A validated local username. Its case is kept for display; uniqueness is case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    /// Validates a name a person chose. Reserved names are refused.
    pub fn parse(name: &str) -> Result<Self, UsernameError> {
        let name = Self::parse_unreserved(name)?;
        if RESERVED.contains(&name.normalized().as_str()) {
            return Err(UsernameError::Reserved);
        }
        Ok(name)
    }

    /// Validates the syntax only: for the instance actor and for names an admin imports.
    pub fn parse_unreserved(name: &str) -> Result<Self, UsernameError> {
        if name.is_empty() {
            return Err(UsernameError::Empty);
        }
        if name.chars().count() > MAX_USERNAME_LEN {
            return Err(UsernameError::TooLong);
        }
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(UsernameError::InvalidCharacters);
        }
        Ok(Username(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form uniqueness is decided on.
    pub fn normalized(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_mastodon_rules() {
        assert!(Username::parse("alice_01").is_ok());
        assert_eq!(Username::parse(""), Err(UsernameError::Empty));
        assert_eq!(
            Username::parse(&"a".repeat(31)),
            Err(UsernameError::TooLong)
        );
        assert!(Username::parse(&"a".repeat(30)).is_ok());
        assert_eq!(
            Username::parse("al-ice"),
            Err(UsernameError::InvalidCharacters)
        );
        assert_eq!(
            Username::parse("élise"),
            Err(UsernameError::InvalidCharacters)
        );
        assert_eq!(Username::parse("Admin"), Err(UsernameError::Reserved));
        assert_eq!(
            Username::parse("Alice").map(|u| u.normalized()),
            Ok("alice".into())
        );
    }
}
