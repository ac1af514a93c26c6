//! Every public URL Rhizome builds, in one place. Paths follow Akkoma's layout so that an
//! instance moving from Akkoma keeps its ActivityPub ids.

use crate::Scheme;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Urls {
    base: String,
    streaming_base: String,
}

impl Urls {
    pub fn new(scheme: Scheme, domain: &str) -> Urls {
        Urls {
            base: format!("{}://{domain}", scheme.as_str()),
            streaming_base: format!("{}://{domain}", scheme.websocket()),
        }
    }

    /// `scheme://domain`, without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `ws://domain` or `wss://domain`.
    pub fn streaming(&self) -> &str {
        &self.streaming_base
    }

    pub fn actor(&self, username: &str) -> String {
        format!("{}/users/{username}", self.base)
    }

    pub fn key_id(&self, username: &str) -> String {
        format!("{}#main-key", self.actor(username))
    }

    pub fn inbox(&self, username: &str) -> String {
        format!("{}/inbox", self.actor(username))
    }

    pub fn shared_inbox(&self) -> String {
        format!("{}/inbox", self.base)
    }

    pub fn outbox(&self, username: &str) -> String {
        format!("{}/outbox", self.actor(username))
    }

    pub fn followers(&self, username: &str) -> String {
        format!("{}/followers", self.actor(username))
    }

    /// The FEP-044f approval stamp we give the quote `quoting_id` (of a local post).
    pub fn quote_authorization(&self, quoting_id: rhizome_model::Id) -> String {
        format!("{}/quote_authorizations/{quoting_id}", self.base)
    }

    pub fn following(&self, username: &str) -> String {
        format!("{}/following", self.actor(username))
    }

    pub fn featured(&self, username: &str) -> String {
        format!("{}/collections/featured", self.actor(username))
    }

    /// The hashtags featured on the profile (Mastodon's `featuredTags`).
    pub fn featured_tags(&self, username: &str) -> String {
        format!("{}/collections/tags", self.actor(username))
    }

    /// The profile page.
    pub fn profile(&self, username: &str) -> String {
        format!("{}/@{username}", self.base)
    }

    /// The instance actor, which signs fetches made on behalf of the server.
    pub fn instance_actor(&self) -> String {
        format!("{}/internal/fetch", self.base)
    }

    pub fn default_avatar(&self) -> String {
        format!("{}/static/avatar.png", self.base)
    }

    pub fn default_header(&self) -> String {
        format!("{}/static/header.png", self.base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_akkoma_compatible_paths() {
        let urls = Urls::new(Scheme::Https, "social.example");
        assert_eq!(urls.actor("alice"), "https://social.example/users/alice");
        assert_eq!(
            urls.key_id("alice"),
            "https://social.example/users/alice#main-key"
        );
        assert_eq!(
            urls.featured("alice"),
            "https://social.example/users/alice/collections/featured"
        );
        assert_eq!(urls.shared_inbox(), "https://social.example/inbox");
        assert_eq!(
            Urls::new(Scheme::Http, "localhost:8080").streaming(),
            "ws://localhost:8080"
        );
    }
}
