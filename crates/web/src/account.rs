//! Pages of one's own account: e-mail confirmation.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rhizome_core::Core;

use crate::page;

pub fn routes() -> Router<Core> {
    Router::new().route("/auth/confirmation", get(confirm_email))
}

#[derive(serde::Deserialize)]
struct Confirmation {
    #[serde(default)]
    confirmation_token: String,
}

/// The link of a confirmation mail (Mastodon's path).
async fn confirm_email(
    State(core): State<Core>,
    axum::extract::Query(query): axum::extract::Query<Confirmation>,
) -> Response {
    match core.confirm_email(&query.confirmation_token).await {
        Ok(true) => page(
            "Address confirmed",
            "<h1>Address confirmed</h1><p>Your e-mail address is confirmed: you can sign in \
             from your app now.</p>",
        )
        .into_response(),
        Ok(false) => (
            StatusCode::NOT_FOUND,
            page(
                "Unknown link",
                "<h1>Unknown link</h1><p>This confirmation link is unknown or was used \
                 already.</p>",
            ),
        )
            .into_response(),
        Err(err) => {
            tracing::error!(error = %err, "confirming an e-mail address");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                page(
                    "Error",
                    "<h1>Something went wrong</h1><p>Try the link again later.</p>",
                ),
            )
                .into_response()
        }
    }
}
