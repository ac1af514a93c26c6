//! OAuth applications and tokens: `/api/v1/apps`, `/oauth/token`, `/oauth/revoke`.

use axum::Json;
use axum::extract::State;
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rhizome_core::Core;
use rhizome_core::oauth::{NewAppRequest, OAuthError};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Auth;
use crate::entities;
use crate::error::ApiResult;
use crate::params::{Params, flexible_list};

#[derive(Deserialize)]
pub struct CreateApp {
    client_name: String,
    /// One string (maybe with newlines) or a list.
    #[serde(default, deserialize_with = "flexible_list", alias = "redirect_uris[]")]
    redirect_uris: Vec<String>,
    #[serde(default)]
    scopes: Option<String>,
    #[serde(default)]
    website: Option<String>,
}

pub async fn create(
    State(core): State<Core>,
    Params(params): Params<CreateApp>,
) -> ApiResult<Json<Value>> {
    let redirect_uris = params
        .redirect_uris
        .iter()
        .flat_map(|uri| uri.split(['\n', ' ']))
        .map(str::trim)
        .filter(|uri| !uri.is_empty())
        .map(str::to_owned)
        .collect();
    let app = core
        .create_app(NewAppRequest {
            name: params.client_name,
            redirect_uris,
            scopes: params.scopes.unwrap_or_default(),
            website: params.website,
        })
        .await?;
    Ok(Json(entities::application(&core, &app, true)))
}

pub async fn verify_credentials(
    State(core): State<Core>,
    Auth(auth): Auth,
) -> ApiResult<Json<Value>> {
    let app_id = auth.token.app_id.ok_or_else(|| {
        crate::ApiError::new(StatusCode::UNAUTHORIZED, "The access token is invalid")
    })?;
    let app = core
        .store
        .app(app_id)
        .await
        .map_err(rhizome_core::CoreError::from)?
        .ok_or_else(|| {
            crate::ApiError::new(StatusCode::UNAUTHORIZED, "The access token is invalid")
        })?;
    Ok(Json(entities::application(&core, &app, false)))
}

#[derive(Deserialize)]
pub struct TokenRequest {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    username: Option<String>,
    password: Option<String>,
    scope: Option<String>,
    refresh_token: Option<String>,
    token: Option<String>,
}

/// An RFC 6749 error response (§5.2: only `invalid_client` is a 401). `/oauth/revoke`
/// answers a token of another client with 403, as Doorkeeper does.
fn oauth_failure(err: OAuthError, revoking: bool) -> Response {
    let status = match err.code {
        "invalid_client" => StatusCode::UNAUTHORIZED,
        "unauthorized_client" if revoking => StatusCode::FORBIDDEN,
        "server_error" => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    (
        status,
        Json(json!({ "error": err.code, "error_description": err.description })),
    )
        .into_response()
}

/// Client credentials from `Authorization: Basic …` (`client_secret_basic`, RFC 6749
/// §2.3.1: the id and secret are form-encoded, joined by `:`, then base64-encoded).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(decode_base64(encoded.trim())?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |text: &str| {
        url::form_urlencoded::parse(format!("v={text}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((unescape(id)?, unescape(secret)?))
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let (mut bits, mut count, mut out) = (0u32, 0u32, Vec::new());
    for c in text.bytes().filter(|c| *c != b'=') {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(value);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Some(out)
}

/// The client's id and secret, from the body or an `Authorization: Basic` header.
fn client_credentials(
    headers: &HeaderMap,
    params: &TokenRequest,
) -> (Option<String>, Option<String>) {
    match basic_credentials(headers) {
        Some((id, secret)) => (Some(id), Some(secret)),
        None => (params.client_id.clone(), params.client_secret.clone()),
    }
}

fn missing(what: &str) -> OAuthError {
    OAuthError {
        code: "invalid_request",
        description: format!("{what} is required"),
    }
}

pub async fn token(
    State(core): State<Core>,
    ip: Option<axum::Extension<rhizome_core::ClientIp>>,
    headers: HeaderMap,
    Params(params): Params<TokenRequest>,
) -> Response {
    let (client_id, client_secret) = client_credentials(&headers, &params);
    let outcome = async {
        let client_id = client_id.as_deref().ok_or_else(|| missing("client_id"))?;
        let grant = params
            .grant_type
            .as_deref()
            .ok_or_else(|| missing("grant_type"))?;
        // Public clients using PKCE may leave the secret out of the code exchange.
        let pkce_exchange = grant == "authorization_code" && params.code_verifier.is_some();
        if client_secret.is_none() && !pkce_exchange {
            return Err(missing("client_secret"));
        }
        let app = core.client(client_id, client_secret.as_deref()).await?;
        match grant {
            "authorization_code" => {
                core.exchange_code(
                    &app,
                    params.code.as_deref().ok_or_else(|| missing("code"))?,
                    params
                        .redirect_uri
                        .as_deref()
                        .ok_or_else(|| missing("redirect_uri"))?,
                    params.code_verifier.as_deref(),
                )
                .await
            }
            "password" => {
                core.password_grant(
                    &app,
                    params
                        .username
                        .as_deref()
                        .ok_or_else(|| missing("username"))?,
                    params
                        .password
                        .as_deref()
                        .ok_or_else(|| missing("password"))?,
                    params.scope.as_deref(),
                    ip.map(|ip| ip.0.0),
                )
                .await
            }
            "client_credentials" => {
                core.client_credentials_grant(&app, params.scope.as_deref())
                    .await
            }
            "refresh_token" => {
                core.refresh_grant(
                    &app,
                    params
                        .refresh_token
                        .as_deref()
                        .ok_or_else(|| missing("refresh_token"))?,
                )
                .await
            }
            other => Err(OAuthError {
                code: "unsupported_grant_type",
                description: format!("{other} is not supported"),
            }),
        }
    }
    .await;
    match outcome {
        Ok(issued) => Json(entities::token(&issued)).into_response(),
        Err(err) => oauth_failure(err, false),
    }
}

pub async fn revoke(
    State(core): State<Core>,
    headers: HeaderMap,
    Params(params): Params<TokenRequest>,
) -> Response {
    let (client_id, client_secret) = client_credentials(&headers, &params);
    let outcome = async {
        let app = core
            .client(
                client_id.as_deref().ok_or_else(|| missing("client_id"))?,
                Some(
                    client_secret
                        .as_deref()
                        .ok_or_else(|| missing("client_secret"))?,
                ),
            )
            .await?;
        core.revoke_app_token(
            &app,
            params.token.as_deref().ok_or_else(|| missing("token"))?,
        )
        .await
    }
    .await;
    match outcome {
        Ok(()) => Json(json!({})).into_response(),
        Err(err) => oauth_failure(err, true),
    }
}

/// RFC 8414 metadata, as Mastodon 4.3 publishes it.
pub async fn metadata(State(core): State<Core>) -> Json<Value> {
    let base = core.urls.base();
    Json(json!({
        "issuer": format!("{base}/"),
        "service_documentation": "https://docs.joinmastodon.org/",
        "authorization_endpoint": format!("{base}/oauth/authorize"),
        "token_endpoint": format!("{base}/oauth/token"),
        "app_registration_endpoint": format!("{base}/api/v1/apps"),
        "revocation_endpoint": format!("{base}/oauth/revoke"),
        "scopes_supported": rhizome_model::scope::KNOWN_SCOPES,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": ["authorization_code", "password", "client_credentials", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    }))
}
