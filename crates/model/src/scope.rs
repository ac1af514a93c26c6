//! OAuth 2 scopes as Mastodon defines them: `read`, `write`, `follow`, `push`,
//! `admin:read`, `admin:write` and their granular forms (`read:statuses`, `admin:read:accounts`…).

use std::fmt;

use crate::UnknownVariant;

/// The scopes Rhizome knows. Granting a parent grants every child (`read` covers `read:lists`).
pub const KNOWN_SCOPES: &[&str] = &[
    "read",
    "read:accounts",
    // Akkoma's scopes for account archives (`/api/v1/pleroma/backups`).
    "read:backups",
    "read:blocks",
    "read:bookmarks",
    "read:favourites",
    "read:filters",
    "read:follows",
    "read:lists",
    "read:mutes",
    "read:notifications",
    "read:search",
    "read:statuses",
    "write",
    "write:accounts",
    "write:backups",
    "write:blocks",
    "write:bookmarks",
    "write:conversations",
    "write:favourites",
    "write:filters",
    "write:follows",
    "write:lists",
    "write:media",
    "write:mutes",
    "write:notifications",
    "write:reports",
    "write:statuses",
    "follow",
    "push",
    "profile",
    "admin:read",
    "admin:read:accounts",
    "admin:read:reports",
    "admin:read:domain_allows",
    "admin:read:domain_blocks",
    "admin:read:ip_blocks",
    "admin:read:email_domain_blocks",
    "admin:read:canonical_email_blocks",
    "admin:write",
    "admin:write:accounts",
    "admin:write:reports",
    "admin:write:domain_allows",
    "admin:write:domain_blocks",
    "admin:write:ip_blocks",
    "admin:write:email_domain_blocks",
    "admin:write:canonical_email_blocks",
];

/// The legacy `follow` scope predates the granular ones and stands for these.
const FOLLOW_COVERS: &[&str] = &[
    "read:blocks",
    "write:blocks",
    "read:follows",
    "write:follows",
    "read:mutes",
    "write:mutes",
];

/// One required scope, as an endpoint names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope(pub &'static str);

/// The scopes granted to an app or a token.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scopes(Vec<String>);

impl Scopes {
    /// Parses a space-separated list (the OAuth form; `+` also separates, as some clients send it).
    /// Unknown scopes are refused so that a typo never silently grants less than asked.
    pub fn parse(text: &str) -> Result<Self, UnknownVariant> {
        let mut scopes: Vec<String> = Vec::new();
        for part in text.split([' ', '+', ',']).filter(|s| !s.is_empty()) {
            if !KNOWN_SCOPES.contains(&part) {
                return Err(UnknownVariant {
                    kind: "scope",
                    value: part.chars().take(60).collect(),
                });
            }
            if !scopes.iter().any(|s| s == part) {
                scopes.push(part.to_owned());
            }
        }
        Ok(Scopes(scopes))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// Whether these scopes allow an endpoint that requires `required`.
    pub fn allows(&self, required: Scope) -> bool {
        self.0.iter().any(|granted| {
            granted == required.0
                || required
                    .0
                    .strip_prefix(granted.as_str())
                    .is_some_and(|rest| rest.starts_with(':'))
                || (granted == "follow" && FOLLOW_COVERS.contains(&required.0))
        })
    }

    /// Whether every scope of `requested` is covered by these (a token may not exceed its app).
    pub fn covers(&self, requested: &Scopes) -> bool {
        requested.iter().all(|scope| {
            KNOWN_SCOPES
                .iter()
                .find(|known| **known == scope)
                .is_some_and(|known| self.allows(Scope(known)))
        })
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_cover_children() {
        let scopes = Scopes::parse("read write:statuses follow").unwrap();
        assert!(scopes.allows(Scope("read:statuses")));
        assert!(scopes.allows(Scope("read")));
        assert!(scopes.allows(Scope("write:statuses")));
        assert!(!scopes.allows(Scope("write:media")));
        assert!(!scopes.allows(Scope("write")));
        assert!(scopes.allows(Scope("write:follows")));
        assert!(!scopes.allows(Scope("admin:read")));
        assert!(!scopes.allows(Scope("push")));
        // A prefix of a name is not a parent.
        assert!(
            !Scopes::parse("admin:read")
                .unwrap()
                .allows(Scope("admin:readx"))
        );
        assert!(
            Scopes::parse("admin:read")
                .unwrap()
                .allows(Scope("admin:read:accounts"))
        );
    }

    #[test]
    fn parsing_refuses_unknown_and_deduplicates() {
        assert!(Scopes::parse("read wrte").is_err());
        assert_eq!(
            Scopes::parse("read+read  write").unwrap().to_string(),
            "read write"
        );
        let app = Scopes::parse("read write").unwrap();
        assert!(app.covers(&Scopes::parse("read:statuses write").unwrap()));
        assert!(!app.covers(&Scopes::parse("follow").unwrap()));
    }
}
