//! `GET/POST /oauth/authorize`: the page an app opens to ask a user for access. The user
//! signs in and approves (or denies) on one form; the app then gets a code.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rhizome_core::Core;
use rhizome_core::oauth::OUT_OF_BAND;
use rhizome_core::secrets::csrf;
use serde::Deserialize;

use crate::{escape, page};

const PURPOSE: &str = "oauth-authorize";

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

fn error_page(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        page(
            "Authorization failed",
            &format!(
                "<h1>Authorization failed</h1><p class=\"error\">{}</p>",
                escape(message)
            ),
        ),
    )
        .into_response()
}

fn hidden(name: &str, value: &Option<String>) -> String {
    match value {
        Some(value) => format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            escape(value)
        ),
        None => String::new(),
    }
}

fn form(
    core: &Core,
    params: &AuthorizeParams,
    app_name: &str,
    scopes: &str,
    error: Option<&str>,
) -> Response {
    let token = csrf::issue(&core.secrets.csrf_key, PURPOSE, core.clock.now().0);
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    let scope_list: String = scopes
        .split(' ')
        .map(|s| format!("<li><code>{}</code></li>", escape(s)))
        .collect();
    let body = format!(
        "<h1>Authorize {app}</h1><p><strong>{app}</strong> asks to use your account on {domain} with these permissions:</p>\
         <ul>{scope_list}</ul>{error}\
         <form method=\"post\" action=\"/oauth/authorize\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{token}\">{hidden}\
         <label for=\"username\">Username or e-mail</label><input id=\"username\" name=\"username\" autocomplete=\"username\" required>\
         <label for=\"password\">Password</label><input id=\"password\" type=\"password\" name=\"password\" autocomplete=\"current-password\" required>\
         <button type=\"submit\" name=\"decision\" value=\"approve\">Sign in and authorize</button> \
         <button type=\"submit\" name=\"decision\" value=\"deny\" formnovalidate>Deny</button></form>",
        app = escape(app_name),
        domain = escape(&core.config.domain),
        hidden = [
            hidden("client_id", &params.client_id),
            hidden("redirect_uri", &params.redirect_uri),
            hidden("response_type", &params.response_type),
            hidden("scope", &Some(scopes.to_owned())),
            hidden("state", &params.state),
            hidden("code_challenge", &params.code_challenge),
            hidden("code_challenge_method", &params.code_challenge_method),
        ]
        .concat(),
    );
    let mut response = page(&format!("Authorize {app_name}"), &body).into_response();
    if error.is_empty() {
        return response;
    }
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    response
}

pub async fn show(State(core): State<Core>, Query(params): Query<AuthorizeParams>) -> Response {
    if params.response_type.as_deref().is_some_and(|t| t != "code") {
        return error_page("Only response_type=code is supported.");
    }
    let (Some(client_id), Some(redirect_uri)) = (&params.client_id, &params.redirect_uri) else {
        return error_page("client_id and redirect_uri are required.");
    };
    match core
        .check_authorization(client_id, redirect_uri, params.scope.as_deref())
        .await
    {
        Ok((app, scopes)) => form(&core, &params, &app.name, &scopes.to_string(), None),
        Err(err) => error_page(&err.description),
    }
}

#[derive(Deserialize)]
pub struct Submission {
    csrf: String,
    username: Option<String>,
    password: Option<String>,
    decision: Option<String>,
    #[serde(flatten)]
    params: AuthorizeParams,
}

/// The redirect back to the app, with the code (or an error) and the app's `state`.
fn back_to_app(redirect_uri: &str, pairs: &[(&str, &str)], state: &Option<String>) -> Response {
    let Ok(mut target) = url::Url::parse(redirect_uri) else {
        return error_page("The redirect URI is invalid.");
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
    Redirect::to(target.as_str()).into_response()
}

pub async fn submit(
    State(core): State<Core>,
    ip: Option<axum::Extension<rhizome_core::ClientIp>>,
    Form(form_data): Form<Submission>,
) -> Response {
    if !csrf::verify(
        &core.secrets.csrf_key,
        PURPOSE,
        &form_data.csrf,
        core.clock.now().0,
    ) {
        return error_page("This form has expired. Go back to the app and start again.");
    }
    let params = form_data.params;
    let (Some(client_id), Some(redirect_uri)) = (&params.client_id, &params.redirect_uri) else {
        return error_page("client_id and redirect_uri are required.");
    };
    let (app, scopes) = match core
        .check_authorization(client_id, redirect_uri, params.scope.as_deref())
        .await
    {
        Ok(found) => found,
        Err(err) => return error_page(&err.description),
    };
    if form_data.decision.as_deref() == Some("deny") {
        if redirect_uri == OUT_OF_BAND {
            return page(
                "Denied",
                "<h1>Access denied</h1><p>You may close this window.</p>",
            )
            .into_response();
        }
        return back_to_app(redirect_uri, &[("error", "access_denied")], &params.state);
    }
    let login = form_data.username.unwrap_or_default();
    let password = form_data.password.unwrap_or_default();
    let user = match core
        .authenticate_password(login.trim(), &password, ip.map(|ip| ip.0.0))
        .await
    {
        Ok(user) => user,
        Err(err) => {
            return form(
                &core,
                &params,
                &app.name,
                &scopes.to_string(),
                Some(&err.to_string()),
            );
        }
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
        Err(err) => return error_page(&err.to_string()),
    };
    if redirect_uri == OUT_OF_BAND {
        return page(
            "Authorization code",
            &format!("<h1>Authorization code</h1><p>Copy this code into {}:</p><p><code id=\"code\">{}</code></p>", escape(&app.name), escape(&code)),
        )
        .into_response();
    }
    back_to_app(redirect_uri, &[("code", &code)], &params.state)
}
