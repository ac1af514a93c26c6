//! The one HTTP client of the federation library: configuration, construction, and the
//! low-level pieces (signed requests, bounded bodies, error mapping) the fetchers share.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use chrono::Utc;
use http::header::{ACCEPT, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method, Uri};
use ipnet::IpNet;
use reqwest::{Certificate, Response, redirect};
use url::Url;

use super::FetchError;
use super::address::{AddressPolicy, SafeResolver, refused_in_chain};
use crate::signatures::Signer;

/// How the client fetches: what it may reach, and how long and how much it will read.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// Allow plain `http` URLs. For development and tests only: signatures and content are
    /// then readable and changeable on the way. WebFinger and NodeInfo then use `http` too.
    pub allow_http: bool,
    /// Allow loopback, private, link-local… addresses. For development and tests only.
    pub allow_private_addresses: bool,
    /// Private networks allowed even when `allow_private_addresses` is off (like Mastodon's
    /// `ALLOWED_PRIVATE_ADDRESSES`), e.g. a relay on the local network.
    pub allowed_private_networks: Vec<IpNet>,
    /// Longest time for one request, from connecting to the end of the body. Each redirect hop
    /// gets its own.
    pub timeout: Duration,
    /// Largest body read for a JSON document; longer ones are cut off with
    /// [`FetchError::TooLarge`].
    pub max_body_bytes: usize,
    /// Most redirects followed by a GET. POSTs never follow redirects.
    pub max_redirects: usize,
    /// Sent with every request. Some servers (GoToSocial) refuse requests without one; the
    /// convention is `Software/version (+https://our.domain/)`.
    pub user_agent: String,
    /// A PEM bundle of CA certificates trusted in addition to the system's (a private CA in
    /// tests or in closed federations).
    pub extra_ca_file: Option<PathBuf>,
    /// Names answered with a fixed address instead of asking the system resolver, for
    /// benchmarks and tests that stand up many "remote servers" on loopback (`rhizome-bench`
    /// maps `*.bench.test` to 127.0.0.1). Empty by default and deliberately not settable from
    /// the configuration: it exists only for code that builds its own client. The addresses
    /// still go through the address policy, so loopback also needs `allow_private_addresses`.
    pub resolve_overrides: Vec<ResolveOverride>,
}

/// One entry of [`FetchConfig::resolve_overrides`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveOverride {
    /// `host.example` for that name only, or `.example` for every name under it.
    pub name: String,
    pub address: IpAddr,
}

impl ResolveOverride {
    /// Whether this entry answers for `host` (compared case-insensitively).
    pub fn matches(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.');
        match self.name.strip_prefix('.') {
            Some(suffix) => {
                host.len() > suffix.len() + 1
                    && host
                        .get(host.len() - suffix.len() - 1..)
                        .is_some_and(|tail| tail.eq_ignore_ascii_case(&self.name))
            }
            None => host.eq_ignore_ascii_case(&self.name),
        }
    }
}

impl Default for FetchConfig {
    fn default() -> Self {
        Self {
            allow_http: false,
            allow_private_addresses: false,
            allowed_private_networks: Vec::new(),
            timeout: Duration::from_secs(10),
            max_body_bytes: 1024 * 1024,
            max_redirects: 3,
            user_agent: concat!("Rhizome/", env!("CARGO_PKG_VERSION")).to_owned(),
            extra_ca_file: None,
            resolve_overrides: Vec::new(),
        }
    }
}

/// Fetches remote documents and delivers activities, refusing unsafe addresses.
///
/// Cheap to clone: clones share one connection pool, so keep one per process.
#[derive(Debug, Clone)]
pub struct HttpClient {
    /// Built on first use: loading the TLS roots costs a process that never federates (an
    /// idle instance, an `admin` command) about 1.5 MB of memory and some start-up time.
    client: Arc<OnceLock<reqwest::Client>>,
    user_agent: HeaderValue,
    extra_certs: Arc<Vec<Certificate>>,
    pub(crate) config: Arc<FetchConfig>,
    pub(crate) policy: Arc<AddressPolicy>,
}

impl HttpClient {
    /// Checks the configuration and prepares the client. Fails on an unusable configuration:
    /// an empty or non-ASCII user agent, a zero timeout, an unreadable or empty CA bundle.
    pub fn new(config: FetchConfig) -> Result<Self, FetchError> {
        if config.user_agent.trim().is_empty() {
            return Err(FetchError::Config("the user agent is empty".into()));
        }
        let user_agent = HeaderValue::from_str(&config.user_agent)
            .map_err(|_| FetchError::Config("the user agent is not visible ASCII".into()))?;
        if config.timeout.is_zero() {
            return Err(FetchError::Config("the timeout is zero".into()));
        }
        let policy = AddressPolicy {
            allow_http: config.allow_http,
            allow_private_addresses: config.allow_private_addresses,
            allowed_private_networks: config.allowed_private_networks.clone(),
        };
        let extra_certs = match &config.extra_ca_file {
            Some(path) => read_ca_bundle(path)?,
            None => Vec::new(),
        };
        Ok(Self {
            client: Arc::default(),
            user_agent,
            extra_certs: Arc::new(extra_certs),
            config: Arc::new(config),
            policy: Arc::new(policy),
        })
    }

    /// The reqwest client, built the first time it is needed.
    pub(crate) fn client(&self) -> Result<&reqwest::Client, FetchError> {
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        let mut builder = reqwest::Client::builder()
            .user_agent(self.user_agent.clone())
            .timeout(self.config.timeout)
            .connect_timeout(self.config.timeout)
            // Redirects are followed by hand, so that each hop is checked and signed anew.
            .redirect(redirect::Policy::none())
            .referer(false)
            // A proxy would connect for us, out of reach of the address checks.
            .no_proxy()
            .https_only(!self.config.allow_http)
            .dns_resolver(Arc::new(SafeResolver {
                policy: (*self.policy).clone(),
                overrides: self.config.resolve_overrides.clone(),
            }));
        if !self.extra_certs.is_empty() {
            builder = builder.tls_certs_merge(self.extra_certs.iter().cloned());
        }
        let built = builder
            .build()
            .map_err(|e| FetchError::Config(error_text(&e)))?;
        // Two first requests at once may both build one; the first stored is kept.
        Ok(self.client.get_or_init(|| built))
    }

    /// The configuration the client was built with.
    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    /// Checks a URL before any request: scheme, credentials, IP-literal address.
    pub fn check_url(&self, url: &Url) -> Result<(), FetchError> {
        self.policy.check_url(url)
    }

    /// Sends one GET (no redirect following) with `accept`, signed when a signer is given.
    pub(crate) async fn send_get(
        &self,
        url: &Url,
        accept: &'static str,
        signer: Option<&dyn Signer>,
    ) -> Result<Response, FetchError> {
        self.check_url(url)?;
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static(accept));
        if let Some(signer) = signer {
            signer.sign(&Method::GET, &to_uri(url)?, &mut headers, None, Utc::now())?;
        }
        self.client()?
            .get(url.clone())
            .headers(headers)
            .send()
            .await
            .map_err(map_reqwest_error)
    }
}

fn read_ca_bundle(path: &std::path::Path) -> Result<Vec<Certificate>, FetchError> {
    let pem = std::fs::read(path)
        .map_err(|e| FetchError::Config(format!("cannot read {}: {e}", path.display())))?;
    let certs = Certificate::from_pem_bundle(&pem)
        .map_err(|e| FetchError::Config(format!("{}: {}", path.display(), error_text(&e))))?;
    if certs.is_empty() {
        return Err(FetchError::Config(format!(
            "{} holds no PEM certificate",
            path.display()
        )));
    }
    Ok(certs)
}

/// The URL as the `Uri` a signature covers.
pub(crate) fn to_uri(url: &Url) -> Result<Uri, FetchError> {
    url.as_str()
        .parse()
        .map_err(|_| FetchError::InvalidUrl(url.to_string()))
}

/// The media type of a response, lower-case and without parameters (`None` when absent).
pub(crate) fn media_type(response: &Response) -> Option<String> {
    let value = response.headers().get(CONTENT_TYPE)?.to_str().ok()?;
    let essence = value.split(';').next().unwrap_or_default().trim();
    Some(essence.to_ascii_lowercase())
}

/// Reads the body, stopping with [`FetchError::TooLarge`] as soon as it would pass `limit`:
/// a declared `Content-Length` over the limit is refused before reading, and a body without
/// one is counted as it arrives, so no more than `limit` bytes are ever held.
pub(crate) async fn read_body_limited(
    mut response: Response,
    limit: usize,
) -> Result<Vec<u8>, FetchError> {
    let declared = response.content_length();
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(FetchError::TooLarge { limit });
    }
    let capacity = declared.map_or(8 * 1024, |length| length as usize);
    let mut body = Vec::with_capacity(capacity.min(limit));
    while let Some(chunk) = response.chunk().await.map_err(map_reqwest_error)? {
        if chunk.len() > limit - body.len() {
            return Err(FetchError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Maps a transport error: refused addresses (found in the cause chain, where the resolver put
/// them), timeouts, and everything else as a network error with its causes.
pub(crate) fn map_reqwest_error(error: reqwest::Error) -> FetchError {
    if let Some(refused) = refused_in_chain(&error) {
        return FetchError::AddressNotAllowed(refused);
    }
    if error.is_timeout() {
        return FetchError::Timeout;
    }
    FetchError::Network(error_text(&error))
}

/// An error and its causes on one line: reqwest's own message is often just "error sending
/// request", the useful part (connection refused, certificate unknown…) is below it.
pub(crate) fn error_text(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    for _ in 0..8 {
        let Some(cause) = source else { break };
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
