//! What a user, an admin or a remote server can make happen on a Rhizome instance.
//!
//! Every front — the client API, the web interface, the ActivityPub inbox, the admin CLI —
//! calls these actions; none of them talks to the store directly for a change of state.

pub mod accounts;
pub mod announcements;
pub mod archives;
pub mod captcha;
pub mod cards;
pub mod clock;
pub mod config;
pub mod conversations;
pub mod dashboard;
pub mod discovery;
pub mod email;
pub mod emoji;
pub mod error;
pub mod events;
pub mod exports;
pub mod federation;
pub mod filters;
pub mod imports;
pub mod jobs;
pub mod leaving;
pub mod lists;
pub mod maintenance;
pub mod media;
pub mod moderation;
pub mod moving;
pub mod notifications;
pub mod oauth;
pub mod password_reset;
pub mod polls;
pub mod preferences;
pub mod profile;
pub mod push;
pub mod quotes;
pub mod retention;
pub mod search;
pub mod secrets;
pub mod security;
pub mod settings;
pub mod signup_blocks;
pub mod social;
pub mod statuses;
pub mod text;
pub mod timelines;
pub mod trends;
pub mod urls;
pub mod views;

use std::sync::Arc;

use rhizome_store::Store;

pub use clock::Clock;
pub use config::{CoreConfig, RegistrationMode, Scheme};
pub use error::CoreError;
pub use rhizome_store::{Page, PageRequest};
pub use signup_blocks::ClientIp;
pub use urls::Urls;

/// Everything an action needs: cheap to clone, shared by every request and worker.
#[derive(Clone)]
pub struct Core {
    pub store: Store,
    pub clock: Clock,
    pub config: Arc<CoreConfig>,
    pub urls: Urls,
    pub secrets: Arc<secrets::InstanceSecrets>,
    pub events: events::EventBus,
    /// Wakes this process's job workers when an action queues work.
    pub jobs_ready: Arc<tokio::sync::Notify>,
    /// Fetches and delivers; `None` when federation is off.
    pub http: Option<rhizome_federation::http::HttpClient>,
    /// Sends Web Push messages: the same client and address rules, on even when
    /// federation is off.
    pub web_push_http: rhizome_federation::http::HttpClient,
    /// Where uploads, avatars, emoji and cached remote files are kept.
    pub media: media::storage::MediaStorage,
    pub(crate) host_limits: Arc<federation::HostLimits>,
    pub(crate) policy_cache: Arc<federation::policy::PolicyCache>,
    pub(crate) no_access: Arc<signup_blocks::NoAccessCache>,
}

impl Core {
    /// Wires the core over a migrated store, creating the instance's secrets on first start.
    pub async fn new(store: Store, config: CoreConfig, clock: Clock) -> Result<Core, CoreError> {
        let urls = Urls::new(config.scheme, &config.domain);
        let secrets = secrets::InstanceSecrets::load_or_create(&store, &clock).await?;
        let fetch = rhizome_federation::http::FetchConfig {
            allow_http: config.fetch.allow_http,
            allow_private_addresses: config.fetch.allow_private_addresses,
            extra_ca_file: config.fetch.extra_ca_file.clone(),
            user_agent: format!("Rhizome/{} (+{})", env!("CARGO_PKG_VERSION"), urls.base()),
            ..Default::default()
        };
        // One client (clones share its connections) for federation and push alike.
        let web_push_http = rhizome_federation::http::HttpClient::new(fetch)
            .map_err(|e| CoreError::Internal(format!("HTTP client: {e}")))?;
        let http = config.federation_enabled.then(|| web_push_http.clone());
        let events = events::EventBus::new(&store);
        let media = media::storage::MediaStorage::open(config.media.backend.clone())?;
        Ok(Core {
            store,
            clock,
            config: Arc::new(config),
            urls,
            secrets: Arc::new(secrets),
            events,
            jobs_ready: Arc::new(tokio::sync::Notify::new()),
            http,
            web_push_http,
            media,
            host_limits: Arc::new(federation::HostLimits::default()),
            policy_cache: Arc::new(federation::policy::PolicyCache::default()),
            no_access: Arc::new(signup_blocks::NoAccessCache::default()),
        })
    }
}
