//! Who may sign up and sign in: e-mail domain blocks, canonical e-mail blocks and IP blocks
//! (Mastodon's admin API), kept by admins and enforced here for every front.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rhizome_model::{Id, LocalUser, Role};
use rhizome_store::{
    CanonicalEmailBlock, EmailDomainBlock, IpBlock, Page, PageRequest, SignupBlockTable,
};

use crate::federation::policy::sha256_hex;
use crate::{Core, CoreError};

/// The client's address as the server sees it (after trusted proxies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// Mastodon's IP block severities, mildest first.
pub const IP_SEVERITIES: &[&str] = &["sign_up_requires_approval", "sign_up_block", "no_access"];

/// What an IP block or the e-mail blocks say about a sign-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignUpVerdict {
    Allowed,
    NeedsApproval,
}

/// `local@domain` lower-cased, without dots or a `+tag` in the local part: the address
/// that all its variants deliver to (Mastodon's canonical form).
pub fn canonical_email(email: &str) -> String {
    let email = email.trim().to_lowercase();
    match email.rsplit_once('@') {
        Some((local, domain)) => {
            let local = local.split('+').next().unwrap_or("").replace('.', "");
            format!("{local}@{domain}")
        }
        None => email,
    }
}

/// How long a process trusts its copy of the `no_access` networks: a block made by another
/// process takes effect here within this time, one made here at once.
const NO_ACCESS_TTL: Duration = Duration::from_secs(5);

/// Networks as (address, prefix length).
type Networks = Arc<Vec<(IpAddr, u8)>>;

/// This process's copy of the `no_access` networks, asked on every request.
#[derive(Default)]
pub struct NoAccessCache {
    networks: Mutex<Option<(Instant, Networks)>>,
}

impl NoAccessCache {
    fn fresh(&self) -> Option<Networks> {
        let guard = self.networks.lock().ok()?;
        guard
            .as_ref()
            .filter(|(read_at, _)| read_at.elapsed() < NO_ACCESS_TTL)
            .map(|(_, networks)| networks.clone())
    }

    fn keep(&self, networks: Networks) {
        if let Ok(mut guard) = self.networks.lock() {
            *guard = Some((Instant::now(), networks));
        }
    }

    fn forget(&self) {
        if let Ok(mut guard) = self.networks.lock() {
            *guard = None;
        }
    }
}

/// An address as it is kept and searched for: an IPv4 client seen through an IPv6 socket is
/// written as the IPv4 address it is.
pub fn address_text(ip: IpAddr) -> String {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map_or_else(|| v6.to_string(), |v4| v4.to_string()),
        IpAddr::V4(v4) => v4.to_string(),
    }
}

/// A network in CIDR notation, normalised (`10.0.0.7` is `10.0.0.7/32`, host bits cleared).
pub fn parse_network(text: &str) -> Result<(IpAddr, u8), CoreError> {
    let invalid = || CoreError::Invalid(format!("{text:?} is not an IP address or network"));
    let (address, prefix) = match text.trim().split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (text.trim(), None),
    };
    let address: IpAddr = address.parse().map_err(|_| invalid())?;
    let max = if address.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        Some(prefix) => prefix.parse::<u8>().map_err(|_| invalid())?,
        None => max,
    };
    if prefix > max {
        return Err(invalid());
    }
    let network = match address {
        IpAddr::V4(v4) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4((u32::from(v4) & mask).into())
        }
        IpAddr::V6(v6) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6((u128::from(v6) & mask).into())
        }
    };
    Ok((network, prefix))
}

fn contains((network, prefix): (IpAddr, u8), ip: IpAddr) -> bool {
    // An IPv4 client seen through an IPv6 socket is still that IPv4 address.
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    parse_network(&format!("{ip}/{prefix}")).is_ok_and(|(masked, _)| masked == network)
}

/// An e-mail domain and its parents: `a.b.example` → `a.b.example`, `b.example`, `example`.
fn domain_and_parents(email: &str) -> Vec<String> {
    let email = email.trim().to_lowercase();
    let Some((_, domain)) = email.rsplit_once('@') else {
        return Vec::new();
    };
    let domain = domain.to_owned();
    let mut domains = vec![domain.clone()];
    let mut rest = domain.as_str();
    while let Some((_, parent)) = rest.split_once('.') {
        domains.push(parent.to_owned());
        rest = parent;
    }
    domains
}

/// Input of an IP block, new or changed.
#[derive(Debug, Clone, Default)]
pub struct IpBlockInput {
    pub ip: Option<String>,
    pub severity: Option<String>,
    pub comment: Option<String>,
    /// Seconds from now; `Some(None)`-like clearing is not offered, as in Mastodon.
    pub expires_in: Option<u64>,
}

impl Core {
    fn require_admin(&self, user: &LocalUser) -> Result<(), CoreError> {
        if user.role != Role::Admin {
            return Err(CoreError::Forbidden("This action is not allowed".into()));
        }
        Ok(())
    }

    /// The strongest IP block covering `ip`, if any.
    async fn ip_block_for(&self, ip: Option<IpAddr>) -> Result<Option<IpBlock>, CoreError> {
        let Some(ip) = ip else { return Ok(None) };
        let blocks = self.store.active_ip_blocks(self.clock.now()).await?;
        let rank = |b: &IpBlock| IP_SEVERITIES.iter().position(|s| *s == b.severity);
        Ok(blocks
            .into_iter()
            .filter(|b| parse_network(&b.ip).is_ok_and(|net| contains(net, ip)))
            .max_by_key(rank))
    }

    /// Whether an address is under a `no_access` block: every request from it is refused
    /// (Mastodon's "block access to all resources").
    pub async fn ip_has_no_access(&self, ip: IpAddr) -> Result<bool, CoreError> {
        let networks = match self.no_access.fresh() {
            Some(networks) => networks,
            None => {
                let networks: Networks = Arc::new(
                    self.store
                        .active_ip_blocks(self.clock.now())
                        .await?
                        .iter()
                        .filter(|b| b.severity == "no_access")
                        .filter_map(|b| parse_network(&b.ip).ok())
                        .collect(),
                );
                self.no_access.keep(networks.clone());
                networks
            }
        };
        Ok(networks.iter().any(|net| contains(*net, ip)))
    }

    /// Notes the address a user signed up or in from, for moderators.
    pub(crate) async fn remember_ip(
        &self,
        account_id: Id,
        ip: Option<IpAddr>,
    ) -> Result<(), CoreError> {
        if let Some(ip) = ip {
            self.store
                .record_user_ip(account_id, &address_text(ip), self.clock.now())
                .await?;
        }
        Ok(())
    }

    /// Refuses a sign-in from an address with a `no_access` block.
    pub async fn check_sign_in(&self, ip: Option<IpAddr>) -> Result<(), CoreError> {
        if let Some(block) = self.ip_block_for(ip).await?
            && block.severity == "no_access"
        {
            return Err(CoreError::Forbidden(
                "access from your address is blocked".into(),
            ));
        }
        Ok(())
    }

    /// Refuses a sign-up that a block forbids, or says it needs a moderator's approval.
    pub async fn check_sign_up(
        &self,
        email: &str,
        ip: Option<IpAddr>,
    ) -> Result<SignUpVerdict, CoreError> {
        let mut verdict = SignUpVerdict::Allowed;
        if let Some(block) = self.ip_block_for(ip).await? {
            if block.severity == "sign_up_requires_approval" {
                verdict = SignUpVerdict::NeedsApproval;
            } else {
                return Err(CoreError::Forbidden(
                    "sign-ups from your address are blocked".into(),
                ));
            }
        }
        if self
            .store
            .email_domain_blocked(&domain_and_parents(email))
            .await?
        {
            return Err(CoreError::Invalid(
                "email: this e-mail provider is not allowed".into(),
            ));
        }
        let hash = sha256_hex(&canonical_email(email));
        if !self
            .store
            .canonical_email_blocks_of(&hash)
            .await?
            .is_empty()
        {
            return Err(CoreError::Invalid(
                "email: this e-mail address is not allowed".into(),
            ));
        }
        Ok(verdict)
    }

    pub async fn email_domain_blocks_page(
        &self,
        page: &PageRequest,
    ) -> Result<Page<EmailDomainBlock>, CoreError> {
        Ok(self.store.email_domain_blocks_page(page).await?)
    }

    pub async fn email_domain_block(&self, id: Id) -> Result<EmailDomainBlock, CoreError> {
        self.store
            .email_domain_block(id)
            .await?
            .ok_or(CoreError::NotFound)
    }

    pub async fn block_email_domain(
        &self,
        admin: &LocalUser,
        domain: &str,
    ) -> Result<EmailDomainBlock, CoreError> {
        self.require_admin(admin)?;
        let domain = domain.trim().trim_start_matches('@').to_lowercase();
        if domain.is_empty()
            || domain.contains(['@', '/', ' ', ':'])
            || domain.starts_with('.')
            || domain.ends_with('.')
        {
            return Err(CoreError::Invalid("domain is not a domain name".into()));
        }
        let now = self.clock.now();
        let block = EmailDomainBlock {
            id: Id::generate(now.0),
            domain,
            created_at: now,
        };
        self.store.insert_email_domain_block(&block).await?;
        self.log_moderation(
            Some(admin.account.id),
            "create",
            "email_domain_block",
            block.id,
            &block.domain,
        )
        .await?;
        Ok(block)
    }

    pub async fn canonical_email_blocks_page(
        &self,
        page: &PageRequest,
    ) -> Result<Page<CanonicalEmailBlock>, CoreError> {
        Ok(self.store.canonical_email_blocks_page(page).await?)
    }

    pub async fn canonical_email_block(&self, id: Id) -> Result<CanonicalEmailBlock, CoreError> {
        self.store
            .canonical_email_block(id)
            .await?
            .ok_or(CoreError::NotFound)
    }

    /// Blocks an address (and its variants), given as the address or as the digest.
    pub async fn block_canonical_email(
        &self,
        admin: &LocalUser,
        email: Option<&str>,
        hash: Option<&str>,
    ) -> Result<CanonicalEmailBlock, CoreError> {
        self.require_admin(admin)?;
        let hash = match (email.filter(|e| !e.trim().is_empty()), hash) {
            (Some(email), _) => sha256_hex(&canonical_email(email)),
            (None, Some(hash))
                if hash.len() == 64 && hash.chars().all(|c| c.is_ascii_hexdigit()) =>
            {
                hash.to_lowercase()
            }
            _ => {
                return Err(CoreError::Invalid(
                    "an email or a canonical_email_hash (SHA-256, hex) is needed".into(),
                ));
            }
        };
        let now = self.clock.now();
        let block = CanonicalEmailBlock {
            id: Id::generate(now.0),
            canonical_email_hash: hash,
            created_at: now,
        };
        self.store.insert_canonical_email_block(&block).await?;
        self.log_moderation(
            Some(admin.account.id),
            "create",
            "canonical_email_block",
            block.id,
            "",
        )
        .await?;
        Ok(block)
    }

    /// The blocks an address falls under.
    pub async fn test_canonical_email(
        &self,
        email: &str,
    ) -> Result<Vec<CanonicalEmailBlock>, CoreError> {
        Ok(self
            .store
            .canonical_email_blocks_of(&sha256_hex(&canonical_email(email)))
            .await?)
    }

    pub async fn ip_blocks_page(&self, page: &PageRequest) -> Result<Page<IpBlock>, CoreError> {
        Ok(self.store.ip_blocks_page(page).await?)
    }

    pub async fn ip_block(&self, id: Id) -> Result<IpBlock, CoreError> {
        self.store.ip_block(id).await?.ok_or(CoreError::NotFound)
    }

    fn apply_ip_input(&self, block: &mut IpBlock, input: IpBlockInput) -> Result<(), CoreError> {
        if let Some(ip) = input.ip {
            let (network, prefix) = parse_network(&ip)?;
            block.ip = format!("{network}/{prefix}");
        }
        if let Some(severity) = input.severity {
            if !IP_SEVERITIES.contains(&severity.as_str()) {
                return Err(CoreError::Invalid(format!("unknown severity {severity}")));
            }
            block.severity = severity;
        }
        if let Some(comment) = input.comment {
            block.comment = comment.chars().take(1000).collect();
        }
        if let Some(seconds) = input.expires_in {
            let millis = Duration::from_secs(seconds).as_millis() as i64;
            block.expires_at = Some(rhizome_model::Timestamp(
                self.clock.now().0.saturating_add(millis),
            ));
        }
        Ok(())
    }

    pub async fn create_ip_block(
        &self,
        admin: &LocalUser,
        input: IpBlockInput,
    ) -> Result<IpBlock, CoreError> {
        self.require_admin(admin)?;
        if input.ip.is_none() || input.severity.is_none() {
            return Err(CoreError::Invalid("ip and severity are needed".into()));
        }
        let now = self.clock.now();
        let mut block = IpBlock {
            id: Id::generate(now.0),
            ip: String::new(),
            severity: String::new(),
            comment: String::new(),
            expires_at: None,
            created_at: now,
        };
        self.apply_ip_input(&mut block, input)?;
        self.store.insert_ip_block(&block).await?;
        self.no_access.forget();
        self.log_moderation(
            Some(admin.account.id),
            "create",
            "ip_block",
            block.id,
            &format!("{} {}", block.ip, block.severity),
        )
        .await?;
        Ok(block)
    }

    pub async fn update_ip_block(
        &self,
        admin: &LocalUser,
        id: Id,
        input: IpBlockInput,
    ) -> Result<IpBlock, CoreError> {
        self.require_admin(admin)?;
        let mut block = self.ip_block(id).await?;
        self.apply_ip_input(&mut block, input)?;
        self.store.update_ip_block(&block).await?;
        self.no_access.forget();
        self.log_moderation(
            Some(admin.account.id),
            "update",
            "ip_block",
            block.id,
            &format!("{} {}", block.ip, block.severity),
        )
        .await?;
        Ok(block)
    }

    /// Removes a block of any of the three kinds.
    pub async fn remove_signup_block(
        &self,
        admin: &LocalUser,
        table: SignupBlockTable,
        id: Id,
    ) -> Result<(), CoreError> {
        self.require_admin(admin)?;
        if !self.store.delete_signup_block(table, id).await? {
            return Err(CoreError::NotFound);
        }
        self.no_access.forget();
        let target = match table {
            SignupBlockTable::EmailDomains => "email_domain_block",
            SignupBlockTable::CanonicalEmails => "canonical_email_block",
            SignupBlockTable::Ips => "ip_block",
        };
        self.log_moderation(Some(admin.account.id), "destroy", target, id, "")
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_addresses_drop_dots_and_tags() {
        assert_eq!(
            canonical_email(" J.Doe+news@Mail.Example "),
            "jdoe@mail.example"
        );
        assert_eq!(canonical_email("jdoe@mail.example"), "jdoe@mail.example");
        assert_eq!(
            domain_and_parents("a@x.mail.example"),
            ["x.mail.example", "mail.example", "example"]
        );
    }

    #[test]
    fn networks_are_normalised_and_matched() {
        let net = parse_network("192.168.7.9/16").unwrap();
        assert_eq!(net, ("192.168.0.0".parse().unwrap(), 16));
        assert!(contains(net, "192.168.200.1".parse().unwrap()));
        assert!(!contains(net, "192.169.0.1".parse().unwrap()));
        assert!(contains(net, "::ffff:192.168.1.1".parse().unwrap()));
        let host = parse_network("2001:db8::1").unwrap();
        assert_eq!(host.1, 128);
        assert!(contains(host, "2001:db8::1".parse().unwrap()));
        assert!(parse_network("10.0.0.0/33").is_err());
        assert!(parse_network("nonsense").is_err());
    }
}
