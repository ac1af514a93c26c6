//! OAuth 2 applications and access tokens.

use crate::{Id, Scopes, Timestamp};

#[derive(Debug, Clone, PartialEq)]
pub struct OAuthApp {
    pub id: Id,
    pub name: String,
    pub website: Option<String>,
    /// One per line, as registered.
    pub redirect_uris: Vec<String>,
    pub scopes: Scopes,
    pub client_id: String,
    pub client_secret: String,
    pub created_at: Timestamp,
}

/// An issued access token. The token itself is never stored, only its digest.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessToken {
    pub id: Id,
    pub app_id: Option<Id>,
    /// `None` for client-credentials tokens, which act for the app alone.
    pub account_id: Option<Id>,
    pub scopes: Scopes,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    /// When the token was last seen, to the hour (it is not written on every request).
    pub last_used_at: Option<Timestamp>,
}
