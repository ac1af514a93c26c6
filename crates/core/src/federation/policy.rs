//! The policy stage every incoming and outgoing activity passes. For now it enforces
//! instance-level domain blocks (exact domains and `*.` wildcards); the moderation work adds
//! Akkoma-style policies behind the same calls.

use rhizome_model::Id;
use rhizome_store::DomainBlock;

use crate::{Core, CoreError};

/// Whether `host` (a domain, perhaps with a port) falls under `pattern`
/// (`example.org` or `*.example.org`, which also covers `example.org` itself).
/// A pattern with a port matches only that port.
pub fn domain_matches(pattern: &str, host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let pattern = pattern.to_ascii_lowercase();
    if pattern.contains(':') {
        return host == pattern;
    }
    let host = host.split(':').next().unwrap_or(&host);
    match pattern.strip_prefix("*.") {
        Some(parent) => host == parent || host.ends_with(&format!(".{parent}")),
        None => host == pattern,
    }
}

fn refused_by(blocks: &[DomainBlock], host: &str) -> bool {
    blocks
        .iter()
        .any(|b| b.severity == "suspend" && domain_matches(&b.domain, host))
}

impl Core {
    /// Whether everything from and to `host` is refused.
    pub async fn domain_refused(&self, host: &str) -> Result<bool, CoreError> {
        let blocks = self.store.domain_blocks().await?;
        Ok(refused_by(&blocks, host))
    }

    /// `domain_refused` for many hosts at once: the blocks are read once (a fan-out checks a
    /// thousand inboxes).
    pub(crate) async fn domain_refusals(&self) -> Result<impl Fn(&str) -> bool, CoreError> {
        let blocks = self.store.domain_blocks().await?;
        Ok(move |host: &str| refused_by(&blocks, host))
    }

    /// Blocks a domain for the whole instance (`severity`: suspend or silence).
    pub async fn block_instance_domain(
        &self,
        domain: &str,
        severity: &str,
        public_comment: &str,
    ) -> Result<(), CoreError> {
        let domain = domain.trim().to_ascii_lowercase();
        if domain.is_empty() || domain.contains(['/', ' ', '@']) {
            return Err(CoreError::invalid("domain is invalid"));
        }
        if !matches!(severity, "suspend" | "silence") {
            return Err(CoreError::invalid("severity must be suspend or silence"));
        }
        let now = self.clock.now();
        self.store
            .add_domain_block(&DomainBlock {
                id: Id::generate(now.0),
                domain,
                severity: severity.to_owned(),
                public_comment: public_comment.to_owned(),
                private_comment: String::new(),
                created_at: now,
            })
            .await?;
        Ok(())
    }

    pub async fn unblock_instance_domain(&self, domain: &str) -> Result<bool, CoreError> {
        Ok(self
            .store
            .remove_domain_block(&domain.trim().to_ascii_lowercase())
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::domain_matches;

    #[test]
    fn wildcards_cover_subdomains_and_the_domain() {
        assert!(domain_matches("spam.example", "spam.example"));
        assert!(domain_matches("spam.example", "SPAM.example:443"));
        assert!(!domain_matches("spam.example", "a.spam.example"));
        assert!(domain_matches("*.spam.example", "a.b.spam.example"));
        assert!(domain_matches("*.spam.example", "spam.example"));
        assert!(!domain_matches("*.spam.example", "notspam.example"));
        assert!(domain_matches("127.0.0.1:8081", "127.0.0.1:8081"));
        assert!(!domain_matches("127.0.0.1:8081", "127.0.0.1:8082"));
    }
}
