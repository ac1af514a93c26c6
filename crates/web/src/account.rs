//! Pages of one's own account: sign-in, sign-out, sign-up (in each registration mode), the
//! e-mail confirmation link, and the settings (under `account/settings.rs`).

mod moving;
mod password_reset;
mod security;
mod settings;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use rhizome_core::captcha::{CaptchaChallenge, CaptchaSolution};
use rhizome_core::profile::Registration;
use rhizome_core::{ClientIp, Core, CoreError, RegistrationMode};
use serde::Deserialize;

use crate::error::{WebError, html};
use crate::i18n::Tr;
use crate::session::{self, Ctx, safe_next};

pub fn routes() -> Router<Core> {
    Router::new()
        .route("/auth/sign_in", get(sign_in_page).post(sign_in))
        .route("/auth/sign_in/two_factor", post(sign_in_two_factor))
        .route("/auth/sign_out", post(sign_out))
        .route("/auth/sign_up", get(sign_up_page).post(sign_up))
        .route("/invite/{code}", get(invite_page))
        .route("/auth/confirmation", get(confirm_email))
        .merge(settings::routes())
        .merge(security::routes())
        .merge(password_reset::routes())
        .merge(moving::routes())
}

/// A page rendered with a status other than 200 (a form shown again with its error).
pub(crate) fn html_with(
    status: StatusCode,
    template: &impl Template,
) -> Result<Response, WebError> {
    let mut response = html(template)?;
    *response.status_mut() = status;
    Ok(response)
}

/// What a user sees when core refuses them: our own words for the refusals we know, core's
/// text otherwise.
pub(crate) fn refusal(tr: &Tr, err: &CoreError) -> String {
    let text = err.to_string().to_lowercase();
    let id = match err {
        CoreError::Unauthorized(_) => Some("account-refused-credentials"),
        CoreError::Forbidden(_) if text.contains("approval") => Some("account-refused-pending"),
        CoreError::Forbidden(_) if text.contains("e-mail") => Some("account-refused-unconfirmed"),
        CoreError::Forbidden(_) if text.contains("disabled") => Some("account-refused-disabled"),
        CoreError::Forbidden(_) if text.contains("closed") => Some("account-sign-up-closed-text"),
        CoreError::Forbidden(_) if text.contains("invite") => Some("account-invite-invalid"),
        _ => None,
    };
    match (id, err) {
        (Some(id), _) => tr.t(id),
        (None, CoreError::Invalid(message) | CoreError::Conflict(message)) => message.clone(),
        (None, CoreError::Forbidden(message)) => message.clone(),
        (None, _) => tr.t("error-internal-text"),
    }
}

/// The status a refused form is shown again with.
pub(crate) fn refusal_status(err: &CoreError) -> StatusCode {
    match err {
        CoreError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
        CoreError::Forbidden(_) => StatusCode::FORBIDDEN,
        CoreError::NotFound => StatusCode::NOT_FOUND,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

fn client_ip(ip: Option<Extension<ClientIp>>) -> Option<std::net::IpAddr> {
    ip.map(|Extension(ClientIp(ip))| ip)
}

// ---------------------------------------------------------------------------------------
// Sign-in and sign-out.

#[derive(Template)]
#[template(path = "account/sign_in.html")]
struct SignInPage<'a> {
    ctx: &'a Ctx,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct NextQuery {
    #[serde(default)]
    next: String,
}

async fn sign_in_page(ctx: Ctx, Query(query): Query<NextQuery>) -> Result<Response, WebError> {
    if ctx.viewer.is_some() {
        return Ok(Redirect::to(safe_next(&query.next)).into_response());
    }
    html(&SignInPage {
        ctx: &ctx,
        next: safe_next(&query.next).to_owned(),
        username: String::new(),
        error: None,
    })
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

async fn sign_in(
    State(core): State<Core>,
    ctx: Ctx,
    ip: Option<Extension<ClientIp>>,
    Form(form): Form<SignInForm>,
) -> Result<Response, WebError> {
    ctx.check_csrf(&core, &form.csrf_token)?;
    let login = form.username.trim();
    let checked = match core
        .authenticate_password(login, &form.password, client_ip(ip))
        .await
    {
        Ok(user) => core.require_confirmed_email(&user).await.map(|()| user),
        Err(err) => Err(err),
    };
    match checked {
        Ok(user) => match core.sign_in_challenge(&user).await? {
            None => session::start_session(&core, &user, &form.next).await,
            // The password was right; the second step carries it as a signed challenge.
            Some(challenge) => html(&TwoFactorPage {
                ctx: &ctx,
                next: safe_next(&form.next).to_owned(),
                challenge,
                error: None,
            }),
        },
        Err(
            err @ (CoreError::Unauthorized(_) | CoreError::Forbidden(_) | CoreError::Invalid(_)),
        ) => {
            tracing::info!(error = %err, "web sign-in refused");
            html_with(
                refusal_status(&err),
                &SignInPage {
                    error: Some(refusal(&ctx.tr, &err)),
                    ctx: &ctx,
                    next: safe_next(&form.next).to_owned(),
                    username: login.to_owned(),
                },
            )
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "account/sign_in_two_factor.html")]
struct TwoFactorPage<'a> {
    ctx: &'a Ctx,
    next: String,
    challenge: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct TwoFactorForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    challenge: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

/// The words for a refused second step: a wrong code, or a challenge too old to use.
pub(crate) fn two_factor_refusal(tr: &Tr, err: &CoreError) -> String {
    match err {
        CoreError::Unauthorized(text) if text.contains("too long") => {
            tr.t("account-two-factor-expired")
        }
        CoreError::Unauthorized(_) => tr.t("account-two-factor-code-invalid"),
        other => refusal(tr, other),
    }
}

/// The second sign-in step: the challenge from the first and a code from the app (or a
/// recovery code).
async fn sign_in_two_factor(
    State(core): State<Core>,
    ctx: Ctx,
    ip: Option<Extension<ClientIp>>,
    Form(form): Form<TwoFactorForm>,
) -> Result<Response, WebError> {
    ctx.check_csrf(&core, &form.csrf_token)?;
    match core
        .complete_two_factor_sign_in(&form.challenge, &form.code, client_ip(ip))
        .await
    {
        Ok(user) => session::start_session(&core, &user, &form.next).await,
        Err(err @ (CoreError::Unauthorized(_) | CoreError::Forbidden(_))) => {
            tracing::info!(error = %err, "web sign-in's second step refused");
            html_with(
                refusal_status(&err),
                &TwoFactorPage {
                    error: Some(two_factor_refusal(&ctx.tr, &err)),
                    ctx: &ctx,
                    next: safe_next(&form.next).to_owned(),
                    challenge: form.challenge.clone(),
                },
            )
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf_token: String,
}

async fn sign_out(
    State(core): State<Core>,
    ctx: Ctx,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, WebError> {
    ctx.check_csrf(&core, &form.csrf_token)?;
    match &ctx.viewer {
        Some(viewer) => {
            let response = session::end_session(&core, viewer).await?;
            Ok(session::with_flash(&core, response, "account-signed-out"))
        }
        None => Ok(Redirect::to("/").into_response()),
    }
}

// ---------------------------------------------------------------------------------------
// Sign-up.

#[derive(Template)]
#[template(path = "account/sign_up.html")]
struct SignUpPage<'a> {
    ctx: &'a Ctx,
    /// `open`, `approval`, `invite` or `closed`.
    mode: &'static str,
    /// False when registrations are closed or an invite is needed and missing.
    show_form: bool,
    invite_code: String,
    /// An invite code was given but cannot be used.
    invite_invalid: bool,
    rules: Vec<String>,
    error: Option<String>,
    username: String,
    email: String,
    reason: String,
    agreement: bool,
    captcha: Option<CaptchaChallenge>,
}

#[derive(Template)]
#[template(path = "account/sign_up_done.html")]
struct SignUpDone<'a> {
    ctx: &'a Ctx,
    title_id: &'static str,
    text_id: &'static str,
}

#[derive(Deserialize, Default)]
struct SignUpForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirmation: String,
    #[serde(default)]
    agreement: Option<String>,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    invite_code: String,
    #[serde(default)]
    captcha_token: String,
    #[serde(default)]
    captcha_answer_data: String,
    #[serde(default)]
    captcha_solution: String,
}

#[derive(Deserialize, Default)]
struct InviteQuery {
    #[serde(default)]
    invite: String,
}

/// The sign-up page for this mode and invite code, with `form`'s values kept.
async fn sign_up_form<'a>(
    core: &Core,
    ctx: &'a Ctx,
    form: &SignUpForm,
    error: Option<String>,
) -> Result<SignUpPage<'a>, WebError> {
    let settings = core.settings().await?;
    let code = form.invite_code.trim().to_owned();
    let (mode, show_form, invite_invalid) = match settings.registrations {
        RegistrationMode::Open => ("open", true, false),
        RegistrationMode::Approval => ("approval", true, false),
        RegistrationMode::Closed => ("closed", false, false),
        RegistrationMode::Invite => {
            let usable = !code.is_empty() && core.invite_usable(&code).await?;
            ("invite", usable, !code.is_empty() && !usable)
        }
    };
    let captcha = if show_form && core.captcha_required() {
        Some(core.new_captcha()?)
    } else {
        None
    };
    Ok(SignUpPage {
        ctx,
        mode,
        show_form,
        invite_code: code,
        invite_invalid,
        rules: settings.rules,
        error,
        username: form.username.clone(),
        email: form.email.clone(),
        reason: form.reason.clone(),
        agreement: form.agreement.is_some(),
        captcha,
    })
}

async fn sign_up_page(
    State(core): State<Core>,
    ctx: Ctx,
    Query(query): Query<InviteQuery>,
) -> Result<Response, WebError> {
    if ctx.viewer.is_some() {
        return Ok(Redirect::to("/home").into_response());
    }
    let form = SignUpForm {
        invite_code: query.invite,
        ..Default::default()
    };
    let page = sign_up_form(&core, &ctx, &form, None).await?;
    let status = if page.invite_invalid {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    html_with(status, &page)
}

/// `/invite/{code}`: the link an invite is shared as.
async fn invite_page(
    State(core): State<Core>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    sign_up_page(State(core), ctx, Query(InviteQuery { invite: code })).await
}

async fn sign_up(
    State(core): State<Core>,
    ctx: Ctx,
    ip: Option<Extension<ClientIp>>,
    Form(form): Form<SignUpForm>,
) -> Result<Response, WebError> {
    ctx.check_csrf(&core, &form.csrf_token)?;
    let mode = core.settings().await?.registrations;
    if mode == RegistrationMode::Closed {
        let page = sign_up_form(&core, &ctx, &form, None).await?;
        return html_with(StatusCode::FORBIDDEN, &page);
    }
    if form.password != form.password_confirmation {
        let error = ctx.tr.t("account-password-mismatch");
        let page = sign_up_form(&core, &ctx, &form, Some(error)).await?;
        return html_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let captcha = core.captcha_required().then(|| CaptchaSolution {
        token: form.captcha_token.clone(),
        answer_data: form.captcha_answer_data.clone(),
        solution: form.captcha_solution.trim().to_owned(),
    });
    let registration = Registration {
        username: form.username.trim().to_owned(),
        email: form.email.trim().to_owned(),
        password: form.password.clone(),
        agreement: form.agreement.is_some(),
        locale: Some(ctx.lang().tag().to_owned()),
        reason: Some(form.reason.trim().to_owned()).filter(|r| !r.is_empty()),
        invite_code: Some(form.invite_code.trim().to_owned()).filter(|c| !c.is_empty()),
        ip: client_ip(ip),
        captcha,
    };
    let (user, token) = match core.register(None, registration).await {
        Ok(done) => done,
        Err(err @ (CoreError::Invalid(_) | CoreError::Conflict(_) | CoreError::Forbidden(_))) => {
            let status = refusal_status(&err);
            let error = refusal(&ctx.tr, &err);
            let page = sign_up_form(&core, &ctx, &form, Some(error)).await?;
            return html_with(status, &page);
        }
        Err(err) => return Err(err.into()),
    };
    // Core hands out an API token with every sign-up; the web uses its own session.
    core.revoke_token(&token.access_token).await?;
    if !user.approved {
        return html(&SignUpDone {
            ctx: &ctx,
            title_id: "account-pending-title",
            text_id: "account-pending-text",
        });
    }
    if core.email_confirmation_required() {
        return html(&SignUpDone {
            ctx: &ctx,
            title_id: "account-check-mail-title",
            text_id: "account-check-mail-text",
        });
    }
    let response = session::start_session(&core, &user, "/home").await?;
    Ok(session::with_flash(&core, response, "account-welcome"))
}

// ---------------------------------------------------------------------------------------
// E-mail confirmation.

#[derive(Deserialize)]
struct Confirmation {
    #[serde(default)]
    confirmation_token: String,
}

/// The link of a confirmation mail (Mastodon's path).
async fn confirm_email(
    State(core): State<Core>,
    ctx: Ctx,
    Query(query): Query<Confirmation>,
) -> Result<Response, WebError> {
    if core.confirm_email(&query.confirmation_token).await? {
        html(&SignUpDone {
            ctx: &ctx,
            title_id: "account-confirmed-title",
            text_id: "account-confirmed-text",
        })
    } else {
        html_with(
            StatusCode::NOT_FOUND,
            &SignUpDone {
                ctx: &ctx,
                title_id: "account-confirmation-unknown-title",
                text_id: "account-confirmation-unknown-text",
            },
        )
    }
}
