//! The client pages.

use axum::Router;
use rhizome_core::Core;

pub fn routes() -> Router<Core> {
    Router::new()
}
