//! The one place where core errors become HTTP responses in Mastodon's shape:
//! `{"error": "…"}` with the matching status.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rhizome_core::CoreError;
use serde_json::json;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    /// OAuth's `error_description`, when there is more to say.
    pub description: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            description: None,
        }
    }

    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
}

impl From<CoreError> for ApiError {
    fn from(err: CoreError) -> Self {
        match err {
            CoreError::Invalid(message) | CoreError::Conflict(message) => {
                ApiError::unprocessable(format!("Validation failed: {message}"))
            }
            CoreError::NotFound => ApiError::new(StatusCode::NOT_FOUND, "Record not found"),
            CoreError::Forbidden(message) => ApiError::new(StatusCode::FORBIDDEN, message),
            CoreError::Unauthorized(message) => ApiError::new(StatusCode::UNAUTHORIZED, message),
            CoreError::Store(_) | CoreError::Internal(_) => {
                tracing::error!(error = %err, "request failed");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = match self.description {
            Some(description) => json!({ "error": self.message, "error_description": description }),
            None => json!({ "error": self.message }),
        };
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                "www-authenticate",
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Unknown API paths answer in the API's shape.
pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "Record not found")
}
