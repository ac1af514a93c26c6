//! Outgoing HTTP: fetching remote objects safely, WebFinger and NodeInfo lookups, and the
//! delivery transport, all through one [`HttpClient`].
//!
//! Every URL comes from a remote server and is treated as hostile: only `https` (and `http`
//! when configured), no credentials, no loopback or private addresses unless configured —
//! checked on the addresses actually connected to and on every redirect hop (see
//! [`is_public_address`]). Bodies are read incrementally and cut off at a limit; every request
//! has a timeout.
//!
//! ```ignore
//! let client = HttpClient::new(FetchConfig {
//!     user_agent: "Rhizome/0.1.0 (+https://social.example/)".into(),
//!     ..FetchConfig::default()
//! })?;
//! let actor = client.fetch_object(&actor_url, Some(&instance_signer)).await?; // id checked
//! let account = client.webfinger("@alice@example.com").await?;
//! match client.deliver(&inbox, body.clone(), &user_signer).await {
//!     Ok(()) => {}
//!     Err(DeliveryError::Retry { retry_after, .. }) => { /* reschedule */ }
//!     Err(DeliveryError::Permanent { .. }) => { /* drop */ }
//! }
//! ```

mod address;
mod client;
mod deliver;
mod error;
mod fetch;
mod nodeinfo;
mod webfinger;

pub use address::{host_of, is_public_address};
pub use client::{FetchConfig, HttpClient, ResolveOverride};
pub use deliver::{ACTIVITY_CONTENT_TYPE, PostAnswer, parse_retry_after};
pub use error::{DeliveryError, FetchError};
pub use fetch::{ACTIVITY_ACCEPT, Fetched, FetchedObject, FetchedPage};
pub use ipnet::IpNet;
pub use nodeinfo::NodeInfo;
pub use webfinger::{WebfingerResult, parse_acct, parse_jrd};
