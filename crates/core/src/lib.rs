//! What a user, an admin or a remote server can make happen on a Rhizome instance.
//!
//! Every front — the client API, the web interface, the ActivityPub inbox, the admin CLI —
//! calls these actions; none of them talks to the store directly for a change of state.

pub mod accounts;
pub mod clock;
pub mod config;
pub mod error;
pub mod jobs;
pub mod oauth;
pub mod secrets;
pub mod settings;
pub mod urls;

use std::sync::Arc;

use rhizome_store::Store;

pub use clock::Clock;
pub use config::{CoreConfig, RegistrationMode, Scheme};
pub use error::CoreError;
pub use urls::Urls;

/// Everything an action needs: cheap to clone, shared by every request and worker.
#[derive(Clone)]
pub struct Core {
    pub store: Store,
    pub clock: Clock,
    pub config: Arc<CoreConfig>,
    pub urls: Urls,
    pub secrets: Arc<secrets::InstanceSecrets>,
}

impl Core {
    /// Wires the core over a migrated store, creating the instance's secrets on first start.
    pub async fn new(store: Store, config: CoreConfig, clock: Clock) -> Result<Core, CoreError> {
        let urls = Urls::new(config.scheme, &config.domain);
        let secrets = secrets::InstanceSecrets::load_or_create(&store, &clock).await?;
        Ok(Core {
            store,
            clock,
            config: Arc::new(config),
            urls,
            secrets: Arc::new(secrets),
        })
    }
}
