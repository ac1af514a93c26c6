//! `/settings/security`: two-factor sign-in (set up, confirm with a first code, recovery
//! codes, turn off) and the user's sessions and authorised apps, each with a revoke button.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use rhizome_core::security::TwoFactorStatus;
use rhizome_core::{Core, CoreError};
use rhizome_model::Id;
use serde::Deserialize;

use super::{html_with, refusal};
use crate::error::{WebError, html};
use crate::session::{self, Ctx};
use crate::views::display_time;

pub fn routes() -> Router<Core> {
    Router::new()
        .route("/settings/security", get(security_page))
        .route("/settings/security/two_factor/setup", post(begin_setup))
        .route("/settings/security/two_factor/enable", post(enable))
        .route("/settings/security/two_factor/disable", post(disable))
        .route(
            "/settings/security/recovery_codes",
            post(regenerate_recovery_codes),
        )
        .route("/settings/security/tokens/{id}/revoke", post(revoke_token))
}

/// One session or app in the list.
pub struct TokenLine {
    pub id: Id,
    /// The app's name, or "web session" in the page's language.
    pub name: String,
    pub website: Option<String>,
    pub scopes: String,
    pub created: String,
    pub last_used: Option<String>,
    /// The session this page is seen through.
    pub current: bool,
}

#[derive(Template)]
#[template(path = "account/security.html")]
struct SecurityPage<'a> {
    ctx: &'a Ctx,
    section: &'static str,
    error: Option<String>,
    /// `off`, `pending` or `on`.
    state: &'static str,
    secret: String,
    uri: String,
    recovery_codes_left: i64,
    tokens: Vec<TokenLine>,
}

#[derive(Template)]
#[template(path = "account/recovery_codes.html")]
struct RecoveryCodesPage<'a> {
    ctx: &'a Ctx,
    section: &'static str,
    codes: Vec<String>,
}

async fn security_page_of<'a>(
    core: &Core,
    ctx: &'a Ctx,
    error: Option<String>,
) -> Result<SecurityPage<'a>, WebError> {
    let viewer = ctx.require_viewer()?;
    let (state, secret, uri, recovery_codes_left) =
        match core.two_factor_status(&viewer.user).await? {
            TwoFactorStatus::Off => ("off", String::new(), String::new(), 0),
            TwoFactorStatus::Pending(setup) => ("pending", setup.secret, setup.uri, 0),
            TwoFactorStatus::On {
                recovery_codes_left,
            } => ("on", String::new(), String::new(), recovery_codes_left),
        };
    let current = viewer.auth.token.id;
    let tokens = core
        .authorized_tokens(&viewer.user)
        .await?
        .into_iter()
        .map(|t| TokenLine {
            id: t.id,
            name: t
                .app_name
                .unwrap_or_else(|| ctx.tr.t("account-security-web-session")),
            // Only web addresses become links (never `javascript:`).
            website: t
                .app_website
                .filter(|w| w.starts_with("https://") || w.starts_with("http://")),
            scopes: t.scopes.to_string(),
            created: display_time(t.created_at),
            last_used: t.last_used_at.map(display_time),
            current: t.id == current,
        })
        .collect();
    Ok(SecurityPage {
        ctx,
        section: "security",
        error,
        state,
        secret,
        uri,
        recovery_codes_left,
        tokens,
    })
}

async fn security_page(State(core): State<Core>, ctx: Ctx) -> Result<Response, WebError> {
    ctx.require_viewer()?;
    html(&security_page_of(&core, &ctx, None).await?)
}

/// The page again with an error, for a refused form.
async fn refused(core: &Core, ctx: &Ctx, err: &CoreError) -> Result<Response, WebError> {
    let message = match err {
        CoreError::Invalid(text) if text.contains("current password") => {
            ctx.tr.t("account-current-password-wrong")
        }
        CoreError::Invalid(text) if text.contains("code") => {
            ctx.tr.t("account-two-factor-code-invalid")
        }
        other => refusal(&ctx.tr, other),
    };
    let page = security_page_of(core, ctx, Some(message)).await?;
    html_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

fn back_with(core: &Core, message_id: &'static str) -> Response {
    session::with_flash(
        core,
        Redirect::to("/settings/security").into_response(),
        message_id,
    )
}

#[derive(Deserialize)]
struct PasswordAndCode {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
}

async fn begin_setup(
    State(core): State<Core>,
    ctx: Ctx,
    Form(form): Form<PasswordAndCode>,
) -> Result<Response, WebError> {
    ctx.check_csrf(&core, &form.csrf_token)?;
    let viewer = ctx.require_viewer()?;
    match core
        .begin_two_factor_setup(&viewer.user, &form.password)
        .await
    {
        // The page shows the secret while it waits for a first code.
        Ok(_) => Ok(Redirect::to("/settings/security").into_response()),
        Err(err @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            refused(&core, &ctx, &err).await
        }
        Err(err) => Err(err.into()),
    }
}

/// The recovery codes are shown once, in the answer to the form that made them: they are
/// stored only as digests.
fn codes_page(ctx: &Ctx, codes: Vec<String>) -> Result<Response, WebError> {
    let mut response = html(&RecoveryCodesPage {
        ctx,
        section: "security",
        codes,
    })?;
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

async fn enable(
    State(core): State<Core>,
    ctx: Ctx,
    Form(form): Form<PasswordAndCode>,
) -> Result<Response, WebError> {
    ctx.check_csrf(&core, &form.csrf_token)?;
    let viewer = ctx.require_viewer()?;
    match core.enable_two_factor(&viewer.user, &form.code).await {
        Ok(codes) => codes_page(&ctx, codes),
        Err(err @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            refused(&core, &ctx, &err).await
        }
        Err(err) => Err(err.into()),
    }
}

async fn disable(
    State(core): State<Core>,
    ctx: Ctx,
    Form(form): Form<PasswordAndCode>,
) -> Result<Response, WebError> {
    ctx.check_csrf(&core, &form.csrf_token)?;
    let viewer = ctx.require_viewer()?;
    match core
        .disable_two_factor(&viewer.user, &form.password, &form.code)
        .await
    {
        Ok(()) => Ok(back_with(&core, "account-two-factor-disabled")),
        Err(err @ CoreError::Invalid(_)) => refused(&core, &ctx, &err).await,
        Err(err) => Err(err.into()),
    }
}

async fn regenerate_recovery_codes(
    State(core): State<Core>,
    ctx: Ctx,
    Form(form): Form<PasswordAndCode>,
) -> Result<Response, WebError> {
    ctx.check_csrf(&core, &form.csrf_token)?;
    let viewer = ctx.require_viewer()?;
    match core
        .regenerate_recovery_codes(&viewer.user, &form.password, &form.code)
        .await
    {
        Ok(codes) => codes_page(&ctx, codes),
        Err(err @ CoreError::Invalid(_)) => refused(&core, &ctx, &err).await,
        Err(err) => Err(err.into()),
    }
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf_token: String,
}

async fn revoke_token(
    State(core): State<Core>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, WebError> {
    ctx.check_csrf(&core, &form.csrf_token)?;
    let viewer = ctx.require_viewer()?;
    let id = crate::error::parse_id(&id)?;
    core.revoke_own_token(&viewer.user, id).await?;
    if id == viewer.auth.token.id {
        // This browser's own session: it is signed out like any other.
        let mut response = Redirect::to("/").into_response();
        response.headers_mut().append(
            header::SET_COOKIE,
            session::set_cookie(&core, session::SESSION_COOKIE, "", 0),
        );
        return Ok(session::with_flash(&core, response, "account-signed-out"));
    }
    Ok(back_with(&core, "account-security-revoked"))
}
