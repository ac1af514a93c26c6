//! Bearer tokens: `Authorization: Bearer …` (or the `access_token` query parameter that
//! browser WebSocket clients use).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use rhizome_core::Core;
use rhizome_core::oauth::Authenticated;

use crate::ApiError;

/// The token a request carries, if any.
pub fn bearer_token(parts: &Parts) -> Option<String> {
    if let Some(value) = parts.headers.get(axum::http::header::AUTHORIZATION) {
        let value = value.to_str().ok()?;
        let (scheme, token) = value.split_once(' ')?;
        return scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim().to_owned());
    }
    let query = parts.uri.query()?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == "access_token")
        .map(|(_, value)| value.into_owned())
}

/// Checks a bearer token: 401 when it is not valid, 403 when its user may not act yet
/// (a sign-up still waiting for a moderator), as Mastodon answers.
pub async fn authenticate(core: &Core, token: &str) -> Result<Authenticated, ApiError> {
    Ok(core.authenticate_token(token).await?)
}

/// A request with a valid token: 401 otherwise. Handlers then check scopes with
/// `auth.require(Scope("read:accounts"))?`.
pub struct Auth(pub Authenticated);

impl FromRequestParts<Core> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, core: &Core) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts).ok_or_else(|| {
            ApiError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "The access token is invalid",
            )
        })?;
        Ok(Auth(authenticate(core, &token).await?))
    }
}

/// A request that may carry a token; a token that is present must be valid.
pub struct MaybeAuth(pub Option<Authenticated>);

impl FromRequestParts<Core> for MaybeAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, core: &Core) -> Result<Self, Self::Rejection> {
        match bearer_token(parts) {
            None => Ok(MaybeAuth(None)),
            Some(token) => Ok(MaybeAuth(Some(authenticate(core, &token).await?))),
        }
    }
}

/// The plain token of a request, for the few actions that keep it (a push subscription
/// sends it back to its app). Check it with [`Auth`] too: this only reads it.
pub struct Bearer(pub String);

impl FromRequestParts<Core> for Bearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &Core) -> Result<Self, Self::Rejection> {
        bearer_token(parts).map(Bearer).ok_or_else(|| {
            ApiError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "The access token is invalid",
            )
        })
    }
}
