//! Forgotten passwords: `/auth/password/new` asks for the address a link is mailed to (the
//! answer never says whether it belongs to anyone), `/auth/password/edit?token=…` sets the
//! new password, which signs the user out everywhere.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use rhizome_core::{Core, CoreError};
use serde::Deserialize;

use super::{html_with, refusal};
use crate::error::{WebError, html};
use crate::session::{self, Ctx};

pub fn routes() -> Router<Core> {
    Router::new()
        .route("/auth/password/new", get(request_page).post(request_reset))
        .route("/auth/password/edit", get(edit_page).post(reset))
}

#[derive(Template)]
#[template(path = "account/password_new.html")]
struct RequestPage<'a> {
    ctx: &'a Ctx,
    /// False when no SMTP server is configured: an admin resets passwords then.
    by_email: bool,
    /// The form was sent: the same words whatever the address.
    sent: bool,
}

async fn request_page(State(core): State<Core>, ctx: Ctx) -> Result<Response, WebError> {
    html(&RequestPage {
        ctx: &ctx,
        by_email: core.password_reset_by_email(),
        sent: false,
    })
}

#[derive(Deserialize)]
struct RequestForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    email: String,
}

async fn request_reset(
    State(core): State<Core>,
    ctx: Ctx,
    Form(form): Form<RequestForm>,
) -> Result<Response, WebError> {
    ctx.check_csrf(&core, &form.csrf_token)?;
    let by_email = match core.request_password_reset(&form.email).await {
        Ok(()) => true,
        Err(CoreError::Forbidden(_)) => false,
        Err(err) => return Err(err.into()),
    };
    html(&RequestPage {
        ctx: &ctx,
        by_email,
        sent: by_email,
    })
}

#[derive(Template)]
#[template(path = "account/password_edit.html")]
struct EditPage<'a> {
    ctx: &'a Ctx,
    token: String,
    /// The link is unknown, used or expired: no form.
    unknown: bool,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

async fn edit_page(
    State(core): State<Core>,
    ctx: Ctx,
    Query(query): Query<TokenQuery>,
) -> Result<Response, WebError> {
    let valid = core.password_reset_valid(&query.token).await?;
    let page = EditPage {
        ctx: &ctx,
        token: query.token,
        unknown: !valid,
        error: None,
    };
    if valid {
        html(&page)
    } else {
        html_with(StatusCode::NOT_FOUND, &page)
    }
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirmation: String,
}

async fn reset(
    State(core): State<Core>,
    ctx: Ctx,
    Form(form): Form<ResetForm>,
) -> Result<Response, WebError> {
    ctx.check_csrf(&core, &form.csrf_token)?;
    let again = |status: StatusCode, unknown: bool, error: Option<String>| {
        html_with(
            status,
            &EditPage {
                ctx: &ctx,
                token: form.token.clone(),
                unknown,
                error,
            },
        )
    };
    if form.password != form.password_confirmation {
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            false,
            Some(ctx.tr.t("account-password-mismatch")),
        );
    }
    match core.reset_password(&form.token, form.password).await {
        Ok(()) => {
            // Every session was revoked, this browser's too if it had one.
            let mut response = Redirect::to("/auth/sign_in").into_response();
            response.headers_mut().append(
                axum::http::header::SET_COOKIE,
                session::set_cookie(&core, session::SESSION_COOKIE, "", 0),
            );
            Ok(session::with_flash(
                &core,
                response,
                "account-password-reset-done",
            ))
        }
        Err(CoreError::NotFound) => again(StatusCode::NOT_FOUND, true, None),
        Err(err @ CoreError::Invalid(_)) => again(
            StatusCode::UNPROCESSABLE_ENTITY,
            false,
            Some(refusal(&ctx.tr, &err)),
        ),
        Err(err) => Err(err.into()),
    }
}
