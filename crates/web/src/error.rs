//! Why a page could not be shown, mapped to a status and a page in the visitor's language in
//! one place.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rhizome_core::{Core, CoreError};

use crate::i18n::Lang;
use crate::session::{Ctx, urlencode};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// The page needs a signed-in user: go to sign in, then come back to `next`.
    #[error("sign-in needed")]
    SignInNeeded { next: String },
    /// The form token is missing, forged, or from another session.
    #[error("expired form")]
    ExpiredForm,
    /// Input the visitor can fix; the text comes from `core` and is shown as is.
    #[error("{0}")]
    Invalid(String),
    #[error("internal error: {0}")]
    Internal(String),
    /// A rate limit is spent.
    #[error("too many requests")]
    TooManyRequests,
}

impl From<CoreError> for WebError {
    fn from(err: CoreError) -> Self {
        match err {
            CoreError::NotFound => WebError::NotFound,
            CoreError::Forbidden(_) | CoreError::Unauthorized(_) => WebError::Forbidden,
            CoreError::Invalid(message) | CoreError::Conflict(message) => {
                WebError::Invalid(message)
            }
            CoreError::Store(_) | CoreError::Internal(_) => WebError::Internal(err.to_string()),
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(err: askama::Error) -> Self {
        WebError::Internal(format!("template: {err}"))
    }
}

/// Carried in a response's extensions until the web middleware, which knows the visitor's
/// language, renders it.
#[derive(Clone, Debug)]
pub struct ErrorPage {
    status: StatusCode,
    title_id: &'static str,
    message_id: &'static str,
    detail: Option<String>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate<'a> {
    ctx: &'a Ctx,
    title: String,
    message: String,
    detail: Option<&'a str>,
}

impl ErrorPage {
    pub async fn render(&self, core: &Core, lang: Lang) -> Response {
        let ctx = Ctx::anonymous(core, lang);
        let page = ErrorTemplate {
            title: ctx.tr.t(self.title_id),
            message: ctx.tr.t(self.message_id),
            detail: self.detail.as_deref(),
            ctx: &ctx,
        };
        match page.render() {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(err) => {
                tracing::error!(error = %err, "the error page does not render");
                self.status.into_response()
            }
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, title_id, message_id, detail) = match self {
            WebError::SignInNeeded { next } => {
                return Redirect::to(&format!("/auth/sign_in?next={}", urlencode(&next)))
                    .into_response();
            }
            WebError::NotFound => (
                StatusCode::NOT_FOUND,
                "error-not-found",
                "error-not-found-text",
                None,
            ),
            WebError::Forbidden => (
                StatusCode::FORBIDDEN,
                "error-forbidden",
                "error-forbidden-text",
                None,
            ),
            WebError::ExpiredForm => (
                StatusCode::FORBIDDEN,
                "error-expired-form",
                "error-expired-form-text",
                None,
            ),
            WebError::Invalid(message) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "error-invalid",
                "error-invalid-text",
                Some(message),
            ),
            WebError::TooManyRequests => (
                StatusCode::TOO_MANY_REQUESTS,
                "error-too-many-requests",
                "error-too-many-requests-text",
                None,
            ),
            WebError::Internal(message) => {
                tracing::error!(error = %message, "a page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "error-internal",
                    "error-internal-text",
                    None,
                )
            }
        };
        let mut response = status.into_response();
        response.extensions_mut().insert(ErrorPage {
            status,
            title_id,
            message_id,
            detail,
        });
        response
    }
}

/// The page for a request refused by a rate limit before any handler ran (the rate-limit
/// middleware sits outside the pages' own middleware), in the visitor's language.
pub async fn rate_limited_page(core: &Core, headers: &axum::http::HeaderMap) -> Response {
    let page = ErrorPage {
        status: StatusCode::TOO_MANY_REQUESTS,
        title_id: "error-too-many-requests",
        message_id: "error-too-many-requests-text",
        detail: None,
    };
    page.render(core, crate::session::header_lang(headers))
        .await
}

/// An id from a path, a query or a form: anything else names nothing (404), as on every page.
pub fn parse_id(text: &str) -> Result<rhizome_model::Id, WebError> {
    text.trim().parse().map_err(|_| WebError::NotFound)
}

/// Renders a template into a page.
pub fn html(template: &impl Template) -> Result<Response, WebError> {
    Ok(Html(template.render()?).into_response())
}
