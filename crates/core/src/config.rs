//! The part of the configuration that actions depend on. The binary reads the TOML file and
//! environment, and hands the core this.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use rhizome_model::UnknownVariant;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    /// `ws` or `wss`, for the streaming URL.
    pub fn websocket(self) -> &'static str {
        match self {
            Scheme::Http => "ws",
            Scheme::Https => "wss",
        }
    }
}

/// Who may sign up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum RegistrationMode {
    #[default]
    Open,
    /// Anyone may apply with a reason; a moderator approves.
    Approval,
    /// Only with an invite token.
    Invite,
    Closed,
}

impl RegistrationMode {
    /// The mode Pleroma's three switches (`registrations_open`, `account_approval_required`,
    /// `invites_enabled`) make: open registrations make invites optional; closed ones with
    /// invites on admit only invited people.
    pub fn from_pleroma_switches(open: bool, approval: bool, invites: bool) -> RegistrationMode {
        match (open, approval, invites) {
            (true, true, _) => RegistrationMode::Approval,
            (true, false, _) => RegistrationMode::Open,
            (false, _, true) => RegistrationMode::Invite,
            (false, _, false) => RegistrationMode::Closed,
        }
    }

    /// Pleroma's switches for this mode: (registrations open, approval required, invites
    /// enabled). [`RegistrationMode::from_pleroma_switches`] reads them back.
    pub fn pleroma_switches(self) -> (bool, bool, bool) {
        match self {
            RegistrationMode::Open => (true, false, false),
            RegistrationMode::Approval => (true, true, false),
            RegistrationMode::Invite => (false, false, true),
            RegistrationMode::Closed => (false, false, false),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationMode::Open => "open",
            RegistrationMode::Approval => "approval",
            RegistrationMode::Invite => "invite",
            RegistrationMode::Closed => "closed",
        }
    }
}

impl FromStr for RegistrationMode {
    type Err = UnknownVariant;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "open" => Ok(RegistrationMode::Open),
            "approval" => Ok(RegistrationMode::Approval),
            "invite" => Ok(RegistrationMode::Invite),
            "closed" => Ok(RegistrationMode::Closed),
            other => Err(UnknownVariant {
                kind: "registration mode",
                value: other.to_owned(),
            }),
        }
    }
}

#[derive(Debug, Clone)]
pub struct CoreConfig {
    pub domain: String,
    pub scheme: Scheme,
    /// Defaults for the settings admins may change at run time (see [`crate::settings`]).
    pub instance_name: String,
    pub instance_description: String,
    pub contact_email: String,
    /// Visitors who are not signed in may read the public and hashtag timelines.
    pub public_timelines: bool,
    pub registrations: RegistrationMode,
    /// Setting keys whose value the environment pins: admins cannot change them.
    pub pinned_settings: Vec<String>,
    pub max_post_chars: usize,
    pub media: crate::media::MediaConfig,
    pub federation_enabled: bool,
    /// Remote posts nothing here holds on to go after this many days (0: never).
    pub remote_post_retention_days: u64,
    pub fetch: FetchSettings,
    pub jobs: JobsConfig,
    /// The policy chain as the configuration file sets it; admins may replace it at run time.
    pub mrf: crate::federation::policy::MrfConfig,
    pub email: crate::email::EmailConfig,
    /// Sign-ups solve the built-in captcha.
    pub captcha: bool,
}

/// How this instance reaches other servers.
#[derive(Debug, Clone, Default)]
pub struct FetchSettings {
    /// Test only: peers over plain http.
    pub allow_http: bool,
    /// Test only: loopback and private addresses.
    pub allow_private_addresses: bool,
    /// GETs of actors, objects and collections need a valid signature.
    pub authorized_fetch: bool,
    pub extra_ca_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone)]
pub struct JobsConfig {
    /// How many jobs one process runs at once.
    pub concurrency: usize,
    /// How long a claimed job is held before another process may take it over.
    pub lease_seconds: u64,
    /// How often an idle worker looks for due jobs.
    pub poll_millis: u64,
}

impl Default for JobsConfig {
    fn default() -> Self {
        JobsConfig {
            concurrency: 8,
            lease_seconds: 300,
            poll_millis: 500,
        }
    }
}

impl CoreConfig {
    /// A configuration for `domain` with every other value at its default.
    pub fn for_domain(domain: &str, scheme: Scheme) -> CoreConfig {
        CoreConfig {
            domain: domain.to_owned(),
            scheme,
            instance_name: "Rhizome".to_owned(),
            instance_description: "A Rhizome instance".to_owned(),
            contact_email: String::new(),
            public_timelines: true,
            registrations: RegistrationMode::Open,
            pinned_settings: Vec::new(),
            max_post_chars: 5000,
            media: crate::media::MediaConfig::with_backend(
                crate::media::storage::StorageBackend::Local {
                    dir: std::path::PathBuf::from("data/media"),
                },
            ),
            federation_enabled: true,
            remote_post_retention_days: 90,
            fetch: FetchSettings::default(),
            jobs: JobsConfig::default(),
            mrf: crate::federation::policy::MrfConfig::default(),
            email: crate::email::EmailConfig::default(),
            captcha: false,
        }
    }
}
