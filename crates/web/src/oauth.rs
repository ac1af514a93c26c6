//! `GET/POST /oauth/authorize`: the page an app opens to ask a user for access. A signed-in
//! user sees the app, what it asks for and Approve / Deny; anyone else signs in on the same
//! form. The app then gets a code (or `access_denied`).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use rhizome_core::oauth::OUT_OF_BAND;
use rhizome_core::{ClientIp, Core, CoreError};
use serde::Deserialize;

use crate::account::{html_with, refusal, refusal_status, two_factor_refusal};
use crate::error::{WebError, html};
use crate::i18n::Tr;
use crate::session::Ctx;

#[derive(Deserialize, Default, Clone)]
pub struct AuthorizeParams {
    client_id: Option<String>,
    redirect_uri: Option<String>,
    response_type: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

/// One asked-for scope and what it lets the app do.
pub struct ScopeLine {
    pub code: String,
    pub explanation: String,
}

fn scope_lines(tr: &Tr, scopes: &str) -> Vec<ScopeLine> {
    scopes
        .split_whitespace()
        .map(|scope| {
            let family = scope.split(':').next().unwrap_or(scope);
            let id = if scope.starts_with("admin:read") {
                "account-scope-admin-read"
            } else if scope.starts_with("admin:write") {
                "account-scope-admin-write"
            } else {
                match family {
                    "read" => "account-scope-read",
                    "write" => "account-scope-write",
                    "follow" => "account-scope-follow",
                    "push" => "account-scope-push",
                    "profile" => "account-scope-profile",
                    _ => "account-scope-other",
                }
            };
            ScopeLine {
                code: scope.to_owned(),
                explanation: tr.t(id),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "account/authorize.html")]
struct AuthorizePage<'a> {
    ctx: &'a Ctx,
    app_name: String,
    app_website: Option<String>,
    scopes: Vec<ScopeLine>,
    /// The request, carried through the form as hidden fields.
    hidden: Vec<(&'static str, String)>,
    username: String,
    error: Option<String>,
    /// After a right password on an account with two-factor: the signed first step, and the
    /// form asks for a code instead of the password.
    challenge: Option<String>,
}

#[derive(Template)]
#[template(path = "account/authorize_result.html")]
struct ResultPage<'a> {
    ctx: &'a Ctx,
    title_id: &'static str,
    text: String,
    /// The code to copy, for out-of-band apps.
    code: Option<String>,
    error: bool,
}

/// A request the page cannot serve: 400, with core's reason.
fn error_page(ctx: &Ctx, message: String) -> Result<Response, WebError> {
    html_with(
        StatusCode::BAD_REQUEST,
        &ResultPage {
            ctx,
            title_id: "account-authorize-failed",
            text: message,
            code: None,
            error: true,
        },
    )
}

fn hidden_fields(params: &AuthorizeParams, scopes: &str) -> Vec<(&'static str, String)> {
    [
        ("client_id", params.client_id.clone()),
        ("redirect_uri", params.redirect_uri.clone()),
        ("response_type", params.response_type.clone()),
        ("scope", Some(scopes.to_owned())),
        ("state", params.state.clone()),
        ("code_challenge", params.code_challenge.clone()),
        (
            "code_challenge_method",
            params.code_challenge_method.clone(),
        ),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.map(|v| (name, v)))
    .collect()
}

fn consent_page<'a>(
    ctx: &'a Ctx,
    params: &AuthorizeParams,
    app: &rhizome_model::OAuthApp,
    scopes: &str,
) -> AuthorizePage<'a> {
    AuthorizePage {
        ctx,
        app_name: app.name.clone(),
        // Only web addresses become links (never `javascript:`).
        app_website: app
            .website
            .clone()
            .filter(|w| w.starts_with("https://") || w.starts_with("http://")),
        scopes: scope_lines(&ctx.tr, scopes),
        hidden: hidden_fields(params, scopes),
        username: String::new(),
        error: None,
        challenge: None,
    }
}

pub async fn show(
    State(core): State<Core>,
    ctx: Ctx,
    Query(params): Query<AuthorizeParams>,
) -> Result<Response, WebError> {
    if params.response_type.as_deref().is_some_and(|t| t != "code") {
        return error_page(&ctx, ctx.tr.t("account-authorize-response-type"));
    }
    let (Some(client_id), Some(redirect_uri)) = (&params.client_id, &params.redirect_uri) else {
        return error_page(&ctx, ctx.tr.t("account-authorize-missing"));
    };
    match core
        .check_authorization(client_id, redirect_uri, params.scope.as_deref())
        .await
    {
        Ok((app, scopes)) => html(&consent_page(&ctx, &params, &app, &scopes.to_string())),
        Err(err) => error_page(&ctx, err.description),
    }
}

#[derive(Deserialize)]
pub struct Submission {
    #[serde(default)]
    csrf_token: String,
    username: Option<String>,
    password: Option<String>,
    /// The second step of signing in here: the challenge and a code.
    challenge: Option<String>,
    code: Option<String>,
    decision: Option<String>,
    #[serde(flatten)]
    params: AuthorizeParams,
}

/// The redirect back to the app, with the code (or an error) and the app's `state`.
fn back_to_app(
    ctx: &Ctx,
    redirect_uri: &str,
    pairs: &[(&str, &str)],
    state: &Option<String>,
) -> Result<Response, WebError> {
    let Ok(mut target) = url::Url::parse(redirect_uri) else {
        return error_page(ctx, ctx.tr.t("account-authorize-bad-redirect"));
    };
    {
        let mut query = target.query_pairs_mut();
        for (key, value) in pairs {
            query.append_pair(key, value);
        }
        if let Some(state) = state {
            query.append_pair("state", state);
        }
    }
    Ok(Redirect::to(target.as_str()).into_response())
}

pub async fn submit(
    State(core): State<Core>,
    ctx: Ctx,
    ip: Option<Extension<ClientIp>>,
    Form(form): Form<Submission>,
) -> Result<Response, WebError> {
    ctx.check_csrf(&core, &form.csrf_token)?;
    let ip = ip.map(|Extension(ClientIp(ip))| ip);
    let params = form.params;
    let (Some(client_id), Some(redirect_uri)) = (&params.client_id, &params.redirect_uri) else {
        return error_page(&ctx, ctx.tr.t("account-authorize-missing"));
    };
    let (app, scopes) = match core
        .check_authorization(client_id, redirect_uri, params.scope.as_deref())
        .await
    {
        Ok(found) => found,
        Err(err) => return error_page(&ctx, err.description),
    };
    if form.decision.as_deref() == Some("deny") {
        if redirect_uri == OUT_OF_BAND {
            return html(&ResultPage {
                ctx: &ctx,
                title_id: "account-authorize-denied",
                text: ctx.tr.t("account-authorize-denied-text"),
                code: None,
                error: false,
            });
        }
        return back_to_app(
            &ctx,
            redirect_uri,
            &[("error", "access_denied")],
            &params.state,
        );
    }
    // A signed-in viewer approves as themselves; anyone else signs in on this form.
    // A viewer signed in with two-factor already passed it; anyone else passes it here.
    let user = match &ctx.viewer {
        Some(viewer) => viewer.user.clone(),
        None => match form.challenge.filter(|c| !c.is_empty()) {
            Some(challenge) => {
                let code = form.code.unwrap_or_default();
                match core
                    .complete_two_factor_sign_in(&challenge, &code, ip)
                    .await
                {
                    Ok(user) => user,
                    Err(err @ (CoreError::Unauthorized(_) | CoreError::Forbidden(_))) => {
                        let mut page = consent_page(&ctx, &params, &app, &scopes.to_string());
                        page.error = Some(two_factor_refusal(&ctx.tr, &err));
                        page.challenge = Some(challenge);
                        return html_with(refusal_status(&err), &page);
                    }
                    Err(err) => return Err(err.into()),
                }
            }
            None => {
                let login = form.username.unwrap_or_default();
                let password = form.password.unwrap_or_default();
                let checked = match core
                    .authenticate_password(login.trim(), &password, ip)
                    .await
                {
                    Ok(user) => core.require_confirmed_email(&user).await.map(|()| user),
                    Err(err) => Err(err),
                };
                match checked {
                    Ok(user) => {
                        if let Some(challenge) = core.sign_in_challenge(&user).await? {
                            let mut page = consent_page(&ctx, &params, &app, &scopes.to_string());
                            page.challenge = Some(challenge);
                            return html(&page);
                        }
                        user
                    }
                    Err(err @ (CoreError::Unauthorized(_) | CoreError::Forbidden(_))) => {
                        let mut page = consent_page(&ctx, &params, &app, &scopes.to_string());
                        page.error = Some(refusal(&ctx.tr, &err));
                        page.username = login.trim().to_owned();
                        return html_with(refusal_status(&err), &page);
                    }
                    Err(err) => return Err(err.into()),
                }
            }
        },
    };
    let code = match core
        .issue_authorization_code(
            &app,
            user.account.id,
            scopes,
            redirect_uri,
            params.code_challenge.clone(),
            params.code_challenge_method.clone(),
        )
        .await
    {
        Ok(code) => code,
        Err(err) => return error_page(&ctx, err.to_string()),
    };
    if redirect_uri == OUT_OF_BAND {
        return html(&ResultPage {
            ctx: &ctx,
            title_id: "account-authorize-code-title",
            text: ctx
                .tr
                .t1("account-authorize-code-text", "app", app.name.as_str()),
            code: Some(code),
            error: false,
        });
    }
    back_to_app(&ctx, redirect_uri, &[("code", &code)], &params.state)
}
