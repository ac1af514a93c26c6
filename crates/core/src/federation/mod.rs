//! Federation as the core sees it: our entities as ActivityPub documents, the activities
//! local actions send, deliveries, fetching remote things, and what incoming activities do.
//! The protocol itself (signatures, vocabulary, HTTP) is `rhizome-federation`'s.

pub mod ap;
pub mod collections;
pub mod deliver;
pub mod inbox;
mod outbox;
pub mod policy;
pub mod reports;
pub mod resolve;

pub use deliver::HostLimits;
