//! The ActivityPub HTTP layer: actors, inboxes, collections, WebFinger and NodeInfo — thin
//! routes over `rhizome-core` and the protocol library `rhizome-federation`.

use axum::Router;
use rhizome_core::Core;

/// The federation routes. The federation work fills this in.
pub fn router() -> Router<Core> {
    Router::new()
}
