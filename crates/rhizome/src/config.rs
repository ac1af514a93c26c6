//! Configuration: a TOML file, with every key also settable from the environment as
//! `RHIZOME_<SECTION>_<KEY>`. The environment wins over the file.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use rhizome_core::{CoreConfig, RegistrationMode, Scheme};
use serde::{Deserialize, Serialize};

/// The variable that names the configuration file when `--config` is not given.
pub const CONFIG_ENV: &str = "RHIZOME_CONFIG";
const ENV_PREFIX: &str = "RHIZOME_";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("{origin}: {reason}")]
    Syntax { origin: String, reason: String },
    /// A key has a wrong value; `key` is the dotted name (`server.listen`).
    #[error("{key}: {reason}")]
    Invalid { key: String, reason: String },
}

fn invalid(key: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.to_owned(),
        reason: reason.into(),
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub instance: InstanceSection,
    pub server: ServerSection,
    pub database: DatabaseSection,
    pub storage: StorageSection,
    pub media: MediaSection,
    pub registrations: RegistrationsSection,
    pub limits: LimitsSection,
    pub ratelimit: RateLimitSection,
    pub email: EmailSection,
    pub federation: FederationSection,
    pub metrics: MetricsSection,
    pub jobs: JobsSection,
    pub time: TimeSection,
    pub log: LogSection,
    /// The policy chain (Akkoma's MRF): `[mrf]`, `[mrf.simple]`, `[mrf.keyword]`…
    pub mrf: rhizome_core::federation::policy::MrfConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InstanceSection {
    /// The domain in every handle and id: `name@domain`. May carry a port.
    pub domain: String,
    /// `http` or `https`; when unset, `http` for localhost and loopback addresses, else `https`.
    pub scheme: Option<Scheme>,
    pub name: String,
    pub description: String,
    pub contact_email: String,
    /// Whether visitors who are not signed in may read the public timelines (the local and
    /// federated timelines, hashtags) in the API and the web interface.
    pub public_timelines: bool,
}

impl Default for InstanceSection {
    fn default() -> Self {
        InstanceSection {
            domain: "localhost:8080".into(),
            scheme: None,
            name: "Rhizome".into(),
            description: "A small corner of the Fediverse.".into(),
            contact_email: String::new(),
            public_timelines: true,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSection {
    pub listen: String,
    /// Addresses (or CIDR ranges) of reverse proxies whose `X-Forwarded-*` headers we trust.
    pub trusted_proxies: Vec<String>,
    /// The largest request body accepted outside media uploads.
    pub max_body_bytes: usize,
    /// How long in-flight requests get to finish on shutdown.
    pub shutdown_grace_seconds: u64,
}

impl Default for ServerSection {
    fn default() -> Self {
        ServerSection {
            listen: "127.0.0.1:8080".into(),
            trusted_proxies: Vec::new(),
            max_body_bytes: 1024 * 1024,
            shutdown_grace_seconds: 30,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseSection {
    /// `sqlite://…` or `postgres://…`; by default a SQLite file in `storage.data_dir`.
    pub url: Option<String>,
    pub max_connections: u32,
}

impl Default for DatabaseSection {
    fn default() -> Self {
        DatabaseSection {
            url: None,
            max_connections: 16,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageSection {
    /// Holds the SQLite database (when used) and local media.
    pub data_dir: PathBuf,
    /// Where media files go: `local` (`data_dir/media`) or `s3`.
    pub backend: StorageKind,
    /// Where clients fetch media from, when not from this server's `/media/` (a separate
    /// domain, as Akkoma recommends since its upload-spoofing fix, or a bucket's address).
    pub media_base_url: Option<String>,
    pub s3_bucket: Option<String>,
    /// The S3 endpoint (MinIO, Garage, Ceph…); AWS's regional one when unset.
    pub s3_endpoint: Option<String>,
    pub s3_region: String,
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<String>,
    /// Path-style addresses (`endpoint/bucket/key`), which most self-hosted servers need.
    pub s3_path_style: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum StorageKind {
    #[default]
    Local,
    S3,
}

impl Default for StorageSection {
    fn default() -> Self {
        StorageSection {
            data_dir: PathBuf::from("data"),
            backend: StorageKind::Local,
            media_base_url: None,
            s3_bucket: None,
            s3_endpoint: None,
            s3_region: "us-east-1".into(),
            s3_access_key_id: None,
            s3_secret_access_key: None,
            s3_path_style: true,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MediaSection {
    pub max_image_bytes: u64,
    /// Video and audio.
    pub max_video_bytes: u64,
    /// Larger images are refused before decoding (decompression bombs).
    pub max_image_pixels: u64,
    pub max_attachments: usize,
    pub max_description_chars: usize,
    /// Uploads never posted are removed after this many hours.
    pub unattached_hours: u64,
    /// Images larger than this sent to /api/v2/media are processed by a worker (202).
    pub process_later_bytes: u64,
    /// Commands that read video and audio (duration, size, a preview frame); when they
    /// are not installed, or set to "", video and audio get a generic preview.
    pub ffprobe: String,
    pub ffmpeg: String,
    /// Serve remote attachments, avatars, headers and emoji from this server's cache, so
    /// that readers' addresses never reach other servers.
    pub proxy_remote: bool,
    /// The cache's budget in bytes; the least recently used files go first.
    pub remote_cache_max_bytes: u64,
    /// Cached files unused for this many days are removed.
    pub remote_cache_days: u64,
}

impl Default for MediaSection {
    fn default() -> Self {
        let core = rhizome_core::media::MediaConfig::with_backend(
            rhizome_core::media::storage::StorageBackend::Local {
                dir: PathBuf::new(),
            },
        );
        MediaSection {
            max_image_bytes: core.max_image_bytes,
            max_video_bytes: core.max_video_bytes,
            max_image_pixels: core.max_image_pixels,
            max_attachments: core.max_attachments,
            max_description_chars: core.max_description_chars,
            unattached_hours: core.unattached_hours,
            process_later_bytes: core.process_later_bytes,
            ffprobe: core.ffprobe.clone(),
            ffmpeg: core.ffmpeg.clone(),
            proxy_remote: core.proxy_remote,
            remote_cache_max_bytes: core.remote_cache_max_bytes,
            remote_cache_days: core.remote_cache_days,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct RegistrationsSection {
    pub mode: RegistrationMode,
    /// Sign-ups (the API's too) solve the built-in captcha.
    pub captcha: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsSection {
    pub max_post_chars: usize,
}

impl Default for LimitsSection {
    fn default() -> Self {
        LimitsSection {
            max_post_chars: 5000,
        }
    }
}

/// Mail to users: for now, confirmation of sign-ups' addresses.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmailSection {
    /// `smtps://[user:password@]host:port` (TLS), `smtp://…?tls=required` (STARTTLS) or plain
    /// `smtp://host:port` (a local relay); empty: no mail.
    pub smtp_url: String,
    pub from: String,
    /// Sign-ups open nothing until they follow the link mailed to them (needs smtp_url).
    pub require_confirmation: bool,
}

impl Default for EmailSection {
    fn default() -> Self {
        EmailSection {
            smtp_url: String::new(),
            from: "Rhizome <noreply@localhost>".into(),
            require_confirmation: false,
        }
    }
}

/// Requests allowed per window (seconds), per address, account or remote server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitSection {
    /// On by default; benchmarks turn it off.
    pub enabled: bool,
    /// Token requests and sign-in forms, per address.
    pub sign_in_limit: u32,
    pub sign_in_window_seconds: u64,
    /// Registrations, per address.
    pub sign_up_limit: u32,
    pub sign_up_window_seconds: u64,
    /// New posts, per account.
    pub posting_limit: u32,
    pub posting_window_seconds: u64,
    /// Follows and unfollows, per account.
    pub follows_limit: u32,
    pub follows_window_seconds: u64,
    /// Searches, per account (per address without a token).
    pub search_limit: u32,
    pub search_window_seconds: u64,
    /// Deliveries to the inboxes, per remote server (the host of the signing key).
    pub inbox_limit: u32,
    pub inbox_window_seconds: u64,
    /// Any API write (POST, PUT, PATCH, DELETE), per account (per address without a token).
    pub writes_limit: u32,
    pub writes_window_seconds: u64,
}

impl Default for RateLimitSection {
    fn default() -> Self {
        // Mastodon's defaults where it has one (sign-in, sign-up, posts, follows).
        RateLimitSection {
            enabled: true,
            sign_in_limit: 25,
            sign_in_window_seconds: 300,
            sign_up_limit: 5,
            sign_up_window_seconds: 1800,
            posting_limit: 300,
            posting_window_seconds: 10_800,
            follows_limit: 400,
            follows_window_seconds: 86_400,
            search_limit: 300,
            search_window_seconds: 300,
            inbox_limit: 3000,
            inbox_window_seconds: 300,
            writes_limit: 300,
            writes_window_seconds: 300,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FederationSection {
    pub enabled: bool,
    /// Test only: talk to peers over plain http.
    pub allow_http: bool,
    /// Test only: fetch from loopback and private addresses.
    pub allow_private_addresses: bool,
    /// Require signatures on GETs of actors, objects and collections.
    pub authorized_fetch: bool,
    /// Extra CA certificates (PEM) trusted for outgoing HTTPS, besides the system's.
    pub extra_ca_file: Option<PathBuf>,
    /// Remote posts nothing here holds on to are removed after this many days (0: kept
    /// for ever).
    pub remote_post_retention_days: u64,
}

impl Default for FederationSection {
    fn default() -> Self {
        FederationSection {
            enabled: true,
            allow_http: false,
            allow_private_addresses: false,
            authorized_fetch: false,
            extra_ca_file: None,
            remote_post_retention_days: 90,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsSection {
    /// `GET /metrics` answers only with `Authorization: Bearer <token>`.
    pub token: Option<String>,
    /// Or: serve `/metrics` alone on this separate address, without a token.
    pub listen: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JobsSection {
    pub concurrency: usize,
    pub lease_seconds: u64,
    pub poll_millis: u64,
}

impl Default for JobsSection {
    fn default() -> Self {
        let defaults = rhizome_core::config::JobsConfig::default();
        JobsSection {
            concurrency: defaults.concurrency,
            lease_seconds: defaults.lease_seconds,
            poll_millis: defaults.poll_millis,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TimeSection {
    /// Test only: durations (back-off, expiries) run this many times faster.
    pub scale: f64,
}

impl Default for TimeSection {
    fn default() -> Self {
        TimeSection { scale: 1.0 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSection {
    /// A `tracing` filter such as `info` or `rhizome=debug,info`; `RUST_LOG` wins.
    pub level: String,
}

impl Default for LogSection {
    fn default() -> Self {
        LogSection {
            level: "info".into(),
        }
    }
}

/// The configuration with where it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    pub file: Option<PathBuf>,
    /// Dotted keys set by the environment.
    pub from_env: Vec<String>,
}

impl Loaded {
    /// Reads the file (if any) and the process environment.
    pub fn load(file: Option<&Path>) -> Result<Loaded, ConfigError> {
        let env_file = std::env::var_os(CONFIG_ENV).map(PathBuf::from);
        let file = file.map(Path::to_path_buf).or(env_file);
        let text = match &file {
            Some(path) => Some(
                std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
                    path: path.clone(),
                    reason: e.to_string(),
                })?,
            ),
            None => None,
        };
        let env: BTreeMap<String, String> = std::env::vars()
            .filter(|(k, _)| k.starts_with(ENV_PREFIX))
            .collect();
        let origin = file.as_ref().map(|p| p.display().to_string());
        Self::from_parts(text.as_deref(), origin.as_deref(), &env).map(|mut loaded| {
            loaded.file = file;
            loaded
        })
    }

    /// Builds the configuration from file text and environment variables.
    pub fn from_parts(
        text: Option<&str>,
        origin: Option<&str>,
        env: &BTreeMap<String, String>,
    ) -> Result<Loaded, ConfigError> {
        let origin = origin.unwrap_or("configuration");
        let mut table: toml::Table = match text {
            Some(text) => toml::from_str(text).map_err(|e| ConfigError::Syntax {
                origin: origin.to_owned(),
                reason: e.to_string(),
            })?,
            None => toml::Table::new(),
        };
        let defaults =
            toml::Table::try_from(Config::default()).map_err(|e| ConfigError::Syntax {
                origin: "defaults".into(),
                reason: e.to_string(),
            })?;
        let mut from_env = Vec::new();
        for (name, raw) in env {
            if name == CONFIG_ENV || name.starts_with("RHIZOME_TEST_") {
                continue;
            }
            let Some(rest) = name.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            let rest = rest.to_ascii_lowercase();
            let section = SECTIONS
                .iter()
                .find(|s| rest.starts_with(&format!("{s}_")))
                .ok_or_else(|| invalid(name, "no configuration section matches this variable"))?;
            let key = &rest[section.len() + 1..];
            let dotted = format!("{section}.{key}");
            let default = defaults.get(*section).and_then(|s| s.get(key));
            let value = env_value(raw, default).map_err(|reason| invalid(&dotted, reason))?;
            let entry = table
                .entry(section.to_string())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            let toml::Value::Table(section_table) = entry else {
                return Err(invalid(section, "must be a table"));
            };
            section_table.insert(key.to_owned(), value);
            from_env.push(dotted);
        }
        let config: Config = serde_path_to_error::deserialize(toml::Value::Table(table))
            .map_err(|e| invalid(&e.path().to_string(), e.inner().to_string()))?;
        config.validate()?;
        Ok(Loaded {
            config,
            file: None,
            from_env,
        })
    }
}

const SECTIONS: &[&str] = &[
    "instance",
    "server",
    "database",
    "storage",
    "media",
    "registrations",
    "limits",
    "ratelimit",
    "email",
    "federation",
    "metrics",
    "jobs",
    "time",
    "log",
    "mrf",
];

/// Reads an environment value with the type the key has by default (text when unknown).
fn env_value(raw: &str, default: Option<&toml::Value>) -> Result<toml::Value, String> {
    match default {
        Some(toml::Value::Boolean(_)) => match raw.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(toml::Value::Boolean(true)),
            "false" | "0" | "no" | "off" => Ok(toml::Value::Boolean(false)),
            _ => Err(format!("expected true or false, got {raw:?}")),
        },
        Some(toml::Value::Integer(_)) => raw
            .trim()
            .parse::<i64>()
            .map(toml::Value::Integer)
            .map_err(|_| format!("expected a whole number, got {raw:?}")),
        Some(toml::Value::Float(_)) => raw
            .trim()
            .parse::<f64>()
            .map(toml::Value::Float)
            .map_err(|_| format!("expected a number, got {raw:?}")),
        Some(toml::Value::Array(_)) => Ok(toml::Value::Array(
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| toml::Value::String(s.to_owned()))
                .collect(),
        )),
        _ => Ok(toml::Value::String(raw.to_owned())),
    }
}

/// Whether a domain (with or without port) names this machine.
fn is_loopback_domain(domain: &str) -> bool {
    if let Ok(ip) = domain.parse::<IpAddr>() {
        return ip.is_loopback();
    }
    let host = match domain.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(rest),
        None => domain.rsplit_once(':').map_or(domain, |(host, _)| host),
    };
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl Config {
    fn validate(&self) -> Result<(), ConfigError> {
        let domain = &self.instance.domain;
        if domain.is_empty()
            || domain.contains("://")
            || domain.contains('/')
            || domain.chars().any(|c| c.is_whitespace())
        {
            return Err(invalid(
                "instance.domain",
                "must be a bare domain such as social.example (a port may follow)",
            ));
        }
        self.listen_addr()?;
        if self.email.require_confirmation && self.email.smtp_url.is_empty() {
            return Err(invalid(
                "email.require_confirmation",
                "needs email.smtp_url: confirmation links are sent by mail",
            ));
        }
        let smtp_url = &self.email.smtp_url;
        if !(smtp_url.is_empty()
            || smtp_url.starts_with("smtp://")
            || smtp_url.starts_with("smtps://"))
        {
            return Err(invalid(
                "email.smtp_url",
                "must start with smtp:// or smtps://",
            ));
        }
        if let Some(listen) = &self.metrics.listen {
            listen.parse::<SocketAddr>().map_err(|_| {
                invalid(
                    "metrics.listen",
                    "must be an address such as 127.0.0.1:9100",
                )
            })?;
        }
        if let Some(url) = &self.database.url
            && !(url.starts_with("sqlite:")
                || url.starts_with("postgres:")
                || url.starts_with("postgresql:"))
        {
            return Err(invalid(
                "database.url",
                "must start with sqlite:// or postgres://",
            ));
        }
        if self.database.max_connections == 0 {
            return Err(invalid("database.max_connections", "must be at least 1"));
        }
        if !(self.time.scale.is_finite() && self.time.scale > 0.0) {
            return Err(invalid("time.scale", "must be a positive number"));
        }
        if self.storage.backend == StorageKind::S3 {
            for (key, value) in [
                ("storage.s3_bucket", &self.storage.s3_bucket),
                ("storage.s3_access_key_id", &self.storage.s3_access_key_id),
                (
                    "storage.s3_secret_access_key",
                    &self.storage.s3_secret_access_key,
                ),
            ] {
                if value.as_deref().is_none_or(str::is_empty) {
                    return Err(invalid(key, "is needed when storage.backend is s3"));
                }
            }
        }
        if let Some(url) = &self.storage.media_base_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(invalid(
                "storage.media_base_url",
                "must be an http(s) address",
            ));
        }
        if self.media.max_attachments == 0 {
            return Err(invalid("media.max_attachments", "must be at least 1"));
        }
        if self.jobs.concurrency == 0 {
            return Err(invalid("jobs.concurrency", "must be at least 1"));
        }
        if self.jobs.lease_seconds == 0 {
            return Err(invalid("jobs.lease_seconds", "must be at least 1"));
        }
        for proxy in &self.server.trusted_proxies {
            parse_cidr(proxy).ok_or_else(|| {
                invalid(
                    "server.trusted_proxies",
                    format!("{proxy:?} is not an address or CIDR range"),
                )
            })?;
        }
        rhizome_core::federation::policy::Chain::compile(&self.mrf)
            .map_err(|e| invalid("mrf", e.to_string()))?;
        if self.mrf.dry_run_keep > rhizome_core::federation::policy::config::MAX_DRY_RUN_KEEP {
            return Err(invalid(
                "mrf.dry_run_keep",
                format!(
                    "must be at most {}",
                    rhizome_core::federation::policy::config::MAX_DRY_RUN_KEEP
                ),
            ));
        }
        Ok(())
    }

    pub fn listen_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.server
            .listen
            .parse()
            .map_err(|_| invalid("server.listen", "must be an address such as 127.0.0.1:8080"))
    }

    pub fn scheme(&self) -> Scheme {
        self.instance
            .scheme
            .unwrap_or(if is_loopback_domain(&self.instance.domain) {
                Scheme::Http
            } else {
                Scheme::Https
            })
    }

    pub fn database_url(&self) -> String {
        match &self.database.url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}",
                self.storage.data_dir.join("rhizome.db").display()
            ),
        }
    }

    pub fn uses_sqlite(&self) -> bool {
        self.database_url().starts_with("sqlite:")
    }

    /// What the core needs; `from_env` decides which run-time settings are pinned.
    pub fn core_config(&self, from_env: &[String]) -> CoreConfig {
        let mut core = CoreConfig::for_domain(&self.instance.domain, self.scheme());
        core.instance_name = self.instance.name.clone();
        core.instance_description = self.instance.description.clone();
        core.contact_email = self.instance.contact_email.clone();
        core.public_timelines = self.instance.public_timelines;
        core.registrations = self.registrations.mode;
        core.captcha = self.registrations.captcha;
        core.pinned_settings = rhizome_core::settings::KEYS
            .iter()
            .filter(|key| from_env.iter().any(|k| k == *key))
            .map(|key| key.to_string())
            .collect();
        core.max_post_chars = self.limits.max_post_chars;
        core.media = self.media_config();
        core.federation_enabled = self.federation.enabled;
        core.remote_post_retention_days = self.federation.remote_post_retention_days;
        core.fetch = rhizome_core::config::FetchSettings {
            allow_http: self.federation.allow_http,
            allow_private_addresses: self.federation.allow_private_addresses,
            authorized_fetch: self.federation.authorized_fetch,
            extra_ca_file: self.federation.extra_ca_file.clone(),
        };
        core.mrf = self.mrf.clone();
        core.email = rhizome_core::email::EmailConfig {
            smtp_url: Some(self.email.smtp_url.clone()).filter(|url| !url.is_empty()),
            from: self.email.from.clone(),
            require_confirmation: self.email.require_confirmation,
        };
        core.jobs = rhizome_core::config::JobsConfig {
            concurrency: self.jobs.concurrency,
            lease_seconds: self.jobs.lease_seconds,
            poll_millis: self.jobs.poll_millis,
        };
        core
    }

    /// The S3 storage the `storage.s3_*` settings describe, whichever back end is in use
    /// (`admin media migrate-to-s3` copies into it before the switch).
    pub fn s3_backend(&self) -> Option<rhizome_core::media::storage::StorageBackend> {
        let storage = &self.storage;
        let non_empty = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
        Some(rhizome_core::media::storage::StorageBackend::S3(
            rhizome_core::media::storage::S3Config {
                bucket: non_empty(&storage.s3_bucket)?,
                endpoint: storage.s3_endpoint.clone(),
                region: storage.s3_region.clone(),
                access_key_id: non_empty(&storage.s3_access_key_id)?,
                secret_access_key: non_empty(&storage.s3_secret_access_key)?,
                path_style: storage.s3_path_style,
                allow_http: storage
                    .s3_endpoint
                    .as_deref()
                    .is_some_and(|e| e.starts_with("http://")),
            },
        ))
    }

    fn media_config(&self) -> rhizome_core::media::MediaConfig {
        use rhizome_core::media::storage::StorageBackend;
        let local = StorageBackend::Local {
            dir: self.storage.data_dir.join("media"),
        };
        // `validate` has made sure the S3 settings are there when the back end is S3.
        let backend = match self.storage.backend {
            StorageKind::Local => local,
            StorageKind::S3 => self.s3_backend().unwrap_or(local),
        };
        let mut media = rhizome_core::media::MediaConfig::with_backend(backend);
        media.max_image_bytes = self.media.max_image_bytes;
        media.max_video_bytes = self.media.max_video_bytes;
        media.max_image_pixels = self.media.max_image_pixels;
        media.max_attachments = self.media.max_attachments;
        media.max_description_chars = self.media.max_description_chars;
        media.unattached_hours = self.media.unattached_hours;
        media.process_later_bytes = self.media.process_later_bytes;
        media.ffprobe = self.media.ffprobe.clone();
        media.ffmpeg = self.media.ffmpeg.clone();
        media.proxy_remote = self.media.proxy_remote;
        media.remote_cache_max_bytes = self.media.remote_cache_max_bytes;
        media.remote_cache_days = self.media.remote_cache_days;
        media.base_url = self
            .storage
            .media_base_url
            .clone()
            .map(|url| url.trim_end_matches('/').to_owned());
        media
    }

    /// The effective configuration as TOML, with secrets hidden.
    pub fn redacted_toml(&self) -> String {
        let mut shown = self.clone();
        if shown.metrics.token.is_some() {
            shown.metrics.token = Some("<hidden>".into());
        }
        shown.database.url = Some(redact_url_password(&self.database_url()));
        if shown.storage.s3_secret_access_key.is_some() {
            shown.storage.s3_secret_access_key = Some("<hidden>".into());
        }
        shown.instance.scheme = Some(self.scheme());
        toml::to_string_pretty(&shown).unwrap_or_else(|e| format!("# cannot show: {e}"))
    }
}

fn redact_url_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("hidden"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Parses `1.2.3.4`, `1.2.3.0/24`, `::1` or `fd00::/8` into (network, prefix length).
pub fn parse_cidr(text: &str) -> Option<(IpAddr, u8)> {
    let (address, prefix) = match text.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix.parse::<u8>().ok()?)),
        None => (text, None),
    };
    let address: IpAddr = address.parse().ok()?;
    let max = if address.is_ipv4() { 32 } else { 128 };
    let prefix = prefix.unwrap_or(max);
    (prefix <= max).then_some((address, prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_example_file_loads_with_its_policies() {
        let loaded = Loaded::from_parts(
            Some(include_str!("../../../rhizome.example.toml")),
            Some("rhizome.example.toml"),
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(
            loaded.config.mrf,
            rhizome_core::federation::policy::MrfConfig::default()
        );
        let env = env(&[("RHIZOME_MRF_POLICIES", "simple,keyword,object_age")]);
        let loaded = Loaded::from_parts(None, None, &env).unwrap();
        assert_eq!(loaded.config.mrf.policies.len(), 3);
        let err = Loaded::from_parts(
            Some("[mrf.keyword]\nreject = [\"/(/\"]\n"),
            None,
            &BTreeMap::new(),
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("mrf:"), "{err}");
    }

    #[test]
    fn defaults_need_no_file() {
        let loaded = Loaded::from_parts(None, None, &BTreeMap::new()).unwrap();
        let config = loaded.config;
        assert_eq!(config.instance.domain, "localhost:8080");
        assert_eq!(config.scheme(), Scheme::Http);
        assert_eq!(config.listen_addr().unwrap().to_string(), "127.0.0.1:8080");
        assert_eq!(config.database_url(), "sqlite://data/rhizome.db");
    }

    #[test]
    fn environment_overrides_the_file_with_typed_values() {
        let file = "[instance]\ndomain = \"social.example\"\n[federation]\nallow_http = false\n";
        let loaded = Loaded::from_parts(
            Some(file),
            None,
            &env(&[
                ("RHIZOME_FEDERATION_ALLOW_HTTP", "true"),
                ("RHIZOME_STORAGE_DATA_DIR", "/tmp/x"),
                ("RHIZOME_LIMITS_MAX_POST_CHARS", "500"),
                ("RHIZOME_SERVER_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8"),
                ("RHIZOME_INSTANCE_NAME", "Pinned"),
                ("RHIZOME_CONFIG", "ignored.toml"),
            ]),
        )
        .unwrap();
        let config = &loaded.config;
        assert_eq!(config.scheme(), Scheme::Https);
        assert!(config.federation.allow_http);
        assert_eq!(config.database_url(), "sqlite:///tmp/x/rhizome.db");
        assert_eq!(config.limits.max_post_chars, 500);
        assert_eq!(
            config.server.trusted_proxies,
            vec!["127.0.0.1", "10.0.0.0/8"]
        );
        assert_eq!(
            config.core_config(&loaded.from_env).pinned_settings,
            vec!["instance.name"]
        );
    }

    #[test]
    fn errors_name_the_key() {
        let error = |text: Option<&str>, vars: &[(&str, &str)]| {
            Loaded::from_parts(text, None, &env(vars))
                .unwrap_err()
                .to_string()
        };
        assert!(error(Some("[server]\nlisten = \"nope\""), &[]).starts_with("server.listen:"));
        assert!(error(Some("[server]\nlisen = \"x\""), &[]).contains("lisen"));
        assert!(
            error(Some("[registrations]\nmode = \"sometimes\""), &[])
                .starts_with("registrations.mode")
        );
        assert!(
            error(None, &[("RHIZOME_FEDERATION_ALLOW_HTTP", "maybe")])
                .starts_with("federation.allow_http:")
        );
        assert!(error(None, &[("RHIZOME_NOPE_X", "1")]).starts_with("RHIZOME_NOPE_X:"));
        assert!(
            error(None, &[("RHIZOME_INSTANCE_DOMAIN", "https://x.example")])
                .starts_with("instance.domain:")
        );
        assert!(error(None, &[("RHIZOME_DATABASE_URL", "mysql://x")]).starts_with("database.url:"));
        assert!(error(Some("[instance"), &[]).starts_with("configuration:"));
    }

    #[test]
    fn loopback_domains_default_to_http() {
        for domain in [
            "localhost",
            "localhost:3000",
            "127.0.0.1:8080",
            "[::1]:8080",
            "::1",
        ] {
            assert!(is_loopback_domain(domain), "{domain}");
        }
        assert!(!is_loopback_domain("social.example"));
        assert!(!is_loopback_domain("10.0.0.1:80"));
    }

    #[test]
    fn redaction_hides_secrets() {
        let loaded = Loaded::from_parts(
            None,
            None,
            &env(&[
                ("RHIZOME_DATABASE_URL", "postgres://u:secret@db/rhizome"),
                ("RHIZOME_METRICS_TOKEN", "s3cr3t"),
            ]),
        )
        .unwrap();
        let shown = loaded.config.redacted_toml();
        assert!(
            !shown.contains("secret@") && !shown.contains("s3cr3t"),
            "{shown}"
        );
        assert!(shown.contains("<hidden>"));
    }

    #[test]
    fn cidrs_parse() {
        assert!(parse_cidr("10.0.0.0/8").is_some());
        assert!(parse_cidr("::1").is_some());
        assert!(parse_cidr("10.0.0.0/33").is_none());
        assert!(parse_cidr("nope").is_none());
    }
}
