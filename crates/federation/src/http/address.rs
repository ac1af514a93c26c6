//! Which URLs and addresses may be fetched. Remote servers hand us URLs (actor ids, inboxes,
//! redirects, WebFinger links); without these checks any of them could make us request our own
//! loopback services or the private network (SSRF).
//!
//! The check runs where it cannot be dodged: on the addresses that the connection will actually
//! use. Names go through [`SafeResolver`], which drops refused addresses before the connector
//! sees them, so a name that resolves to a public address for the check and a private one for
//! the connection (DNS rebinding) cannot get through; IP-literal hosts, which the connector does
//! not resolve, are checked by [`AddressPolicy::check_url`].

use std::error::Error as StdError;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use ipnet::IpNet;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

use super::FetchError;
use super::client::ResolveOverride;

/// The rules of one client: allowed schemes and addresses.
#[derive(Debug, Clone)]
pub(crate) struct AddressPolicy {
    pub allow_http: bool,
    pub allow_private_addresses: bool,
    pub allowed_private_networks: Vec<IpNet>,
}

impl AddressPolicy {
    /// Checks what can be checked before connecting: the scheme, the absence of credentials,
    /// and the address of an IP-literal host.
    pub fn check_url(&self, url: &Url) -> Result<(), FetchError> {
        match url.scheme() {
            "https" => {}
            "http" if self.allow_http => {}
            other => return Err(FetchError::SchemeNotAllowed(other.to_owned())),
        }
        if !url.username().is_empty() || url.password().is_some() {
            // Credentials would be sent to whoever the URL names; no federation URL has them.
            return Err(FetchError::InvalidUrl(
                "URLs with user information are not fetched".into(),
            ));
        }
        let ip = match url.host() {
            Some(Host::Domain(_)) => return Ok(()),
            Some(Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(Host::Ipv6(ip)) => IpAddr::V6(ip),
            None => return Err(FetchError::InvalidUrl("the URL has no host".into())),
        };
        if self.allows(ip) {
            Ok(())
        } else {
            Err(FetchError::AddressNotAllowed(ip.to_string()))
        }
    }

    /// Whether a connection to `ip` is allowed.
    pub fn allows(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.allow_private_addresses
            || is_public_address(ip)
            || self
                .allowed_private_networks
                .iter()
                .any(|n| n.contains(&ip))
    }
}

/// Whether `ip` is an ordinary public unicast address, the only kind fetched by default.
///
/// Refused: unspecified, "this network" (0/8), loopback, private (RFC 1918, fc00::/7),
/// CGNAT (100.64/10), link-local, IETF protocol assignments (192.0.0/24), documentation,
/// benchmarking, multicast, reserved (240/4, which includes broadcast), deprecated IPv4-compatible
/// and site-local IPv6, discard-only and local NAT64 prefixes. IPv4 addresses embedded in IPv6
/// (mapped, NAT64 64:ff9b::/96, 6to4) are judged as the IPv4 address they reach.
pub fn is_public_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_ipv4(ip),
        IpAddr::V6(ip) => is_public_ipv6(ip),
    }
}

fn is_public_ipv4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let refused = a == 0
        || ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || (a == 100 && (b & 0xc0) == 64)
        || (a == 192 && b == 0 && c == 0)
        || ip.is_documentation()
        || (a == 198 && (b & 0xfe) == 18)
        || ip.is_multicast()
        || a >= 240;
    !refused
}

fn is_public_ipv6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_ipv4(v4);
    }
    let s = ip.segments();
    let embedded_v4 = |hi: u16, lo: u16| {
        let [a, b] = hi.to_be_bytes();
        let [c, d] = lo.to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    };
    match s {
        // ::/96: unspecified, loopback and the deprecated IPv4-compatible addresses.
        [0, 0, 0, 0, 0, 0, _, _] => false,
        // NAT64 well-known prefix: reaches the embedded IPv4 address.
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => is_public_ipv4(embedded_v4(hi, lo)),
        // Local-use NAT64 prefix.
        [0x64, 0xff9b, 1, ..] => false,
        // Discard-only prefix.
        [0x100, 0, 0, 0, ..] => false,
        // Documentation (2001:db8::/32) and benchmarking (2001:2::/48).
        [0x2001, 0xdb8, ..] | [0x2001, 2, 0, ..] => false,
        // 6to4: reaches the embedded IPv4 address.
        [0x2002, hi, lo, ..] => is_public_ipv4(embedded_v4(hi, lo)),
        // Documentation (3fff::/20).
        [0x3fff, second, ..] if second < 0x1000 => false,
        // Unique local (fc00::/7), link-local (fe80::/10), site-local (fec0::/10), multicast.
        [first, ..] => {
            !((first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first & 0xffc0) == 0xfec0
                || (first & 0xff00) == 0xff00)
        }
    }
}

/// The host of a URL with its port when one is written (default ports are not), as used for
/// same-origin checks and for per-host bookkeeping (failure counts, rate limits).
pub fn host_of(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// Resolves names with the system resolver and keeps only the addresses the policy allows.
#[derive(Debug)]
pub(crate) struct SafeResolver {
    pub policy: AddressPolicy,
    /// Fixed answers for some names (see `FetchConfig::resolve_overrides`); empty in production.
    pub overrides: Vec<ResolveOverride>,
}

/// The resolver's error when every address of a name was refused; found again in the error
/// chain to report [`FetchError::AddressNotAllowed`] rather than a network error.
#[derive(Debug)]
pub(crate) struct AddressRefused {
    host: String,
    ip: IpAddr,
}

impl fmt::Display for AddressRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} resolves to {}", self.host, self.ip)
    }
}

impl StdError for AddressRefused {}

impl Resolve for SafeResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_owned();
        let fixed = self
            .overrides
            .iter()
            .find(|entry| entry.matches(&host))
            .map(|entry| SocketAddr::new(entry.address, 0));
        Box::pin(async move {
            let resolved: Vec<SocketAddr> = match fixed {
                Some(address) => vec![address],
                None => tokio::net::lookup_host((host.as_str(), 0)).await?.collect(),
            };
            let mut allowed: Vec<SocketAddr> = Vec::new();
            let mut refused = None;
            for addr in resolved {
                if policy.allows(addr.ip()) {
                    allowed.push(addr);
                } else {
                    refused.get_or_insert(addr.ip());
                }
            }
            if allowed.is_empty() {
                let error: Box<dyn StdError + Send + Sync> = match refused {
                    Some(ip) => Box::new(AddressRefused { host, ip }),
                    None => format!("{host} has no address").into(),
                };
                return Err(error);
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

/// Finds an [`AddressRefused`] anywhere in an error's chain of causes.
pub(crate) fn refused_in_chain(error: &(dyn StdError + 'static)) -> Option<String> {
    let mut current = Some(error);
    // Error chains are short; the bound only guards against a cycle.
    for _ in 0..32 {
        let error = current?;
        if let Some(refused) = error.downcast_ref::<AddressRefused>() {
            return Some(refused.to_string());
        }
        current = error.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn public_addresses_are_allowed() {
        for text in [
            "1.1.1.1",
            "8.8.8.8",
            "100.63.255.255",
            "100.128.0.1",
            "172.32.0.1",
            "192.0.1.1",
            "198.20.0.1",
            "223.255.255.255",
            "2606:4700::1111",
            "2001:4860:4860::8888",
            "64:ff9b::808:808",
            "2002:808:808::1",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public_address(ip(text)), "{text}");
        }
    }

    #[test]
    fn special_addresses_are_refused() {
        for text in [
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "100.127.255.255",
            "127.0.0.1",
            "127.1.2.3",
            "169.254.169.254",
            "192.0.0.8",
            "192.0.2.1",
            "198.51.100.1",
            "203.0.113.1",
            "198.18.0.1",
            "198.19.255.255",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::127.0.0.1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b:1::1",
            "100::1",
            "2001:db8::1",
            "2001:2::1",
            "2002:7f00:1::1",
            "3fff::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
        ] {
            assert!(!is_public_address(ip(text)), "{text}");
        }
    }

    #[test]
    fn policy_switches_and_allow_list() {
        let mut policy = AddressPolicy {
            allow_http: false,
            allow_private_addresses: false,
            allowed_private_networks: vec!["10.1.0.0/16".parse().unwrap()],
        };
        assert!(policy.allows(ip("10.1.2.3")));
        assert!(policy.allows(ip("::ffff:10.1.2.3")));
        assert!(!policy.allows(ip("10.2.0.1")));
        policy.allow_private_addresses = true;
        assert!(policy.allows(ip("127.0.0.1")));
    }

    #[test]
    fn urls_are_checked_before_connecting() {
        let policy = AddressPolicy {
            allow_http: false,
            allow_private_addresses: false,
            allowed_private_networks: Vec::new(),
        };
        let check = |text: &str| policy.check_url(&Url::parse(text).unwrap());
        assert_eq!(check("https://example.com/users/a"), Ok(()));
        assert!(
            matches!(check("http://example.com/"), Err(FetchError::SchemeNotAllowed(s)) if s == "http")
        );
        assert!(matches!(
            check("ftp://example.com/"),
            Err(FetchError::SchemeNotAllowed(_))
        ));
        assert!(matches!(
            check("https://u:p@example.com/"),
            Err(FetchError::InvalidUrl(_))
        ));
        for refused in [
            "https://127.0.0.1/",
            "https://2130706433/",
            "https://0x7f.1/",
            "https://[::1]/",
            "https://[::ffff:169.254.169.254]/",
            "https://10.0.0.1:8443/",
        ] {
            assert!(
                matches!(check(refused), Err(FetchError::AddressNotAllowed(_))),
                "{refused}"
            );
        }
    }

    #[test]
    fn resolve_overrides_match_names_and_suffixes() {
        let loopback = ip("127.0.0.1");
        let exact = ResolveOverride {
            name: "sink.test".into(),
            address: loopback,
        };
        assert!(exact.matches("sink.test"));
        assert!(exact.matches("SINK.test."));
        assert!(!exact.matches("a.sink.test"));
        let suffix = ResolveOverride {
            name: ".bench.test".into(),
            address: loopback,
        };
        assert!(suffix.matches("h17.bench.test"));
        assert!(suffix.matches("a.b.BENCH.test"));
        assert!(!suffix.matches("bench.test"));
        assert!(!suffix.matches("evilbench.test"));
        assert!(!suffix.matches("h1.bench.test.example"));
    }

    #[tokio::test]
    async fn overridden_names_still_obey_the_address_policy() {
        let overrides = vec![ResolveOverride {
            name: ".bench.test".into(),
            address: ip("127.0.0.1"),
        }];
        let mut policy = AddressPolicy {
            allow_http: true,
            allow_private_addresses: false,
            allowed_private_networks: Vec::new(),
        };
        let resolve = |policy: &AddressPolicy| {
            SafeResolver {
                policy: policy.clone(),
                overrides: overrides.clone(),
            }
            .resolve(Name::from_str("h1.bench.test").unwrap())
        };
        assert!(resolve(&policy).await.is_err());
        policy.allow_private_addresses = true;
        let addrs: Vec<SocketAddr> = resolve(&policy).await.unwrap().collect();
        assert_eq!(addrs, vec![SocketAddr::new(ip("127.0.0.1"), 0)]);
    }

    #[test]
    fn host_of_keeps_explicit_ports_only() {
        let host = |text: &str| host_of(&Url::parse(text).unwrap());
        assert_eq!(host("https://Example.COM/a"), "example.com");
        assert_eq!(host("https://example.com:443/a"), "example.com");
        assert_eq!(host("https://example.com:8443/a"), "example.com:8443");
        assert_eq!(host("http://127.0.0.1:3000/"), "127.0.0.1:3000");
        assert_eq!(host("http://[::1]:3000/"), "[::1]:3000");
        assert_eq!(host("https://bücher.example/"), "xn--bcher-kva.example");
    }
}
