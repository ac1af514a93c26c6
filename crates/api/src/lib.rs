//! The Mastodon client API (and Akkoma's extensions): a thin HTTP layer over `rhizome-core`.
//!
//! Handlers parse the request, check the token's scopes, call one core action and turn its
//! result into Mastodon's JSON with the functions in [`entities`].

mod accounts;
pub mod auth;
pub mod entities;
pub mod error;
mod instance;

use axum::Router;
use axum::routing::get;
use rhizome_core::Core;

pub use error::{ApiError, not_found};

/// Mastodon reports API version 4.3 semantics; clients feature-detect on this string.
pub const MASTODON_COMPATIBLE_VERSION: &str = "4.3.0";

/// `4.3.0 (compatible; Rhizome 0.1.0)`: what `/api/v1/instance` reports as `version`.
pub fn version_string() -> String {
    format!(
        "{MASTODON_COMPATIBLE_VERSION} (compatible; Rhizome {})",
        env!("CARGO_PKG_VERSION")
    )
}

/// The client API's routes.
pub fn router() -> Router<Core> {
    Router::new()
        .route("/api/v1/instance", get(instance::instance_v1))
        .route("/api/v2/instance", get(instance::instance_v2))
        .route(
            "/api/v1/accounts/verify_credentials",
            get(accounts::verify_credentials),
        )
}
