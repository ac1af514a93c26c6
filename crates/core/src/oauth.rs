//! Access tokens: issuing them and checking the ones requests carry.

use aws_lc_rs::digest;
use rhizome_model::{AccessToken, Id, LocalUser, Scope, Scopes};
use rhizome_store::NewToken;

use crate::secrets::random_token;
use crate::{Core, CoreError};

/// SHA-256 of a token, hex-encoded: what the store keeps instead of the token.
pub fn token_digest(token: &str) -> String {
    let hash = digest::digest(&digest::SHA256, token.as_bytes());
    hash.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// How precisely a token's last use is kept.
const LAST_USED_PRECISION_MILLIS: i64 = 3600 * 1000;

/// Who a valid token speaks for.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub token: AccessToken,
    /// `None` for an app's own (client-credentials) token.
    pub user: Option<LocalUser>,
}

impl Authenticated {
    /// Checks a scope; a token without it gets `Forbidden` (403 in the API).
    pub fn require(&self, scope: Scope) -> Result<(), CoreError> {
        if self.token.scopes.allows(scope) {
            Ok(())
        } else {
            Err(CoreError::Forbidden(format!(
                "This action is outside the authorized scopes (needs {})",
                scope.0
            )))
        }
    }

    /// The user, for endpoints that need one (an app token gets `Forbidden`).
    pub fn user(&self) -> Result<&LocalUser, CoreError> {
        self.user.as_ref().ok_or_else(|| {
            CoreError::Forbidden("This method requires an authenticated user".into())
        })
    }
}

/// A token just issued: the only time its plain text exists on our side.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub id: Id,
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub scopes: Scopes,
    pub created_at: rhizome_model::Timestamp,
}

impl Core {
    /// Issues a token for a user (and app, when there is one).
    pub async fn issue_token(
        &self,
        account_id: Option<Id>,
        app_id: Option<Id>,
        scopes: Scopes,
        with_refresh: bool,
    ) -> Result<IssuedToken, CoreError> {
        if scopes.is_empty() {
            return Err(CoreError::invalid("at least one scope is needed"));
        }
        let access_token = random_token(32);
        let refresh_token = with_refresh.then(|| random_token(32));
        let now = self.clock.now();
        let id = Id::generate(now.0);
        self.store
            .create_token(&NewToken {
                id,
                token_digest: token_digest(&access_token),
                refresh_digest: refresh_token.as_deref().map(token_digest),
                app_id,
                account_id,
                scopes: scopes.clone(),
                created_at: now,
                expires_at: None,
            })
            .await?;
        Ok(IssuedToken {
            id,
            access_token,
            refresh_token,
            scopes,
            created_at: now,
        })
    }

    /// Resolves a bearer token. Unknown, revoked or expired tokens, and tokens of suspended
    /// users, are `Unauthorized` (401 in the API).
    pub async fn authenticate_token(&self, bearer: &str) -> Result<Authenticated, CoreError> {
        let invalid = || CoreError::Unauthorized("The access token is invalid".into());
        if bearer.is_empty() || bearer.len() > 512 {
            return Err(invalid());
        }
        let (token, user) = self
            .store
            .token_with_user(&token_digest(bearer))
            .await?
            .ok_or_else(invalid)?;
        let now = self.clock.now();
        if token.revoked_at.is_some() || token.expires_at.is_some_and(|at| at <= now) {
            return Err(invalid());
        }
        // The list of sessions and apps shows when each was last used: written at most
        // hourly, so that requests do not each cost a write.
        if token
            .last_used_at
            .is_none_or(|at| now.0 - at.0 >= LAST_USED_PRECISION_MILLIS)
            && let Err(err) = self.store.touch_token(token.id, now).await
        {
            tracing::warn!(error = %err, "could not note a token's use");
        }
        let user = match token.account_id {
            None => None,
            Some(_) => {
                let user = user.ok_or_else(invalid)?;
                if user.account.suspended_at.is_some() {
                    return Err(CoreError::Unauthorized(
                        "Your login is currently disabled".into(),
                    ));
                }
                // Sign-ups awaiting approval receive a token (as in Mastodon) that opens
                // nothing until a moderator approves them.
                if !user.approved {
                    return Err(CoreError::Forbidden(
                        "Your login is currently pending approval".into(),
                    ));
                }
                if self.email_unconfirmed(user.account.id).await? {
                    return Err(CoreError::Forbidden(
                        "Your login is missing a confirmed e-mail address".into(),
                    ));
                }
                Some(user)
            }
        };
        Ok(Authenticated { token, user })
    }

    /// Revokes the token with this plain text, if it exists.
    pub async fn revoke_token(&self, bearer: &str) -> Result<bool, CoreError> {
        match self.store.token_by_digest(&token_digest(bearer)).await? {
            Some(token) => Ok(self.store.revoke_token(token.id, self.clock.now()).await?),
            None => Ok(false),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn digests_are_hex_sha256() {
        assert_eq!(
            super::token_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

/// How long an authorization code may wait for its exchange.
const CODE_LIFETIME: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// The redirect URI that shows the code to the user instead of redirecting.
pub const OUT_OF_BAND: &str = "urn:ietf:wg:oauth:2.0:oob";

/// An OAuth error in RFC 6749's terms (`invalid_grant`, `invalid_client`…).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {description}")]
pub struct OAuthError {
    pub code: &'static str,
    pub description: String,
}

fn oauth_error(code: &'static str, description: impl Into<String>) -> OAuthError {
    OAuthError {
        code,
        description: description.into(),
    }
}

/// What a registering client asks for.
#[derive(Debug, Clone)]
pub struct NewAppRequest {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub scopes: String,
    pub website: Option<String>,
}

/// Whether a redirect URI is acceptable: http(s) URLs, custom schemes (`com.example.app:/cb`)
/// for mobile apps, or out-of-band.
fn valid_redirect_uri(uri: &str) -> bool {
    if uri == OUT_OF_BAND {
        return true;
    }
    let Some((scheme, rest)) = uri.split_once(':') else {
        return false;
    };
    !rest.is_empty()
        && !uri.chars().any(|c| c.is_whitespace() || c.is_control())
        && scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !matches!(
            scheme.to_ascii_lowercase().as_str(),
            "javascript" | "data" | "vbscript" | "file"
        )
}

/// RFC 7636 S256: BASE64URL(SHA256(verifier)) == challenge.
pub fn pkce_matches(verifier: &str, challenge: &str, method: Option<&str>) -> bool {
    use base64::Engine;
    match method.unwrap_or("plain") {
        "S256" => {
            let hash = digest::digest(&digest::SHA256, verifier.as_bytes());
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hash.as_ref()) == challenge
        }
        "plain" => verifier == challenge,
        _ => false,
    }
}

impl Core {
    /// Registers an OAuth application.
    pub async fn create_app(
        &self,
        request: NewAppRequest,
    ) -> Result<rhizome_model::OAuthApp, CoreError> {
        let name = request.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(CoreError::invalid(
                "client_name can't be blank or longer than 200",
            ));
        }
        if request.redirect_uris.is_empty() || request.redirect_uris.len() > 20 {
            return Err(CoreError::invalid(
                "redirect_uris must name between 1 and 20 URIs",
            ));
        }
        if let Some(bad) = request
            .redirect_uris
            .iter()
            .find(|uri| !valid_redirect_uri(uri))
        {
            return Err(CoreError::invalid(format!(
                "redirect_uri {bad:?} is invalid"
            )));
        }
        let scopes = if request.scopes.trim().is_empty() {
            "read".to_owned()
        } else {
            request.scopes
        };
        let scopes = Scopes::parse(&scopes).map_err(|e| CoreError::invalid(e.to_string()))?;
        let now = self.clock.now();
        let app = rhizome_model::OAuthApp {
            id: Id::generate(now.0),
            name: name.to_owned(),
            website: request.website.filter(|w| !w.trim().is_empty()),
            redirect_uris: request.redirect_uris,
            scopes,
            client_id: random_token(32),
            client_secret: random_token(32),
            created_at: now,
        };
        self.store.create_app(&app).await?;
        Ok(app)
    }

    /// The app a client authenticates as; `secret` is checked when given.
    pub async fn client(
        &self,
        client_id: &str,
        secret: Option<&str>,
    ) -> Result<rhizome_model::OAuthApp, OAuthError> {
        let app = self
            .store
            .app_by_client_id(client_id)
            .await
            .map_err(|e| oauth_error("server_error", e.to_string()))?
            .ok_or_else(|| {
                oauth_error(
                    "invalid_client",
                    "Client authentication failed due to unknown client",
                )
            })?;
        if let Some(secret) = secret
            && app.client_secret.as_bytes() != secret.as_bytes()
        {
            return Err(oauth_error(
                "invalid_client",
                "Client authentication failed",
            ));
        }
        Ok(app)
    }

    /// Checks an authorization request before showing the consent page.
    pub async fn check_authorization(
        &self,
        client_id: &str,
        redirect_uri: &str,
        scopes: Option<&str>,
    ) -> Result<(rhizome_model::OAuthApp, Scopes), OAuthError> {
        let app = self.client(client_id, None).await?;
        if !app.redirect_uris.iter().any(|uri| uri == redirect_uri) {
            return Err(oauth_error(
                "invalid_request",
                "The redirect URI is not registered for this app",
            ));
        }
        let scopes = match scopes.filter(|s| !s.trim().is_empty()) {
            Some(asked) => {
                Scopes::parse(asked).map_err(|e| oauth_error("invalid_scope", e.to_string()))?
            }
            None => app.scopes.clone(),
        };
        if !app.scopes.covers(&scopes) {
            return Err(oauth_error(
                "invalid_scope",
                "The requested scope exceeds the app's",
            ));
        }
        Ok((app, scopes))
    }

    /// Issues an authorization code for a signed-in user who approved the app.
    pub async fn issue_authorization_code(
        &self,
        app: &rhizome_model::OAuthApp,
        account_id: Id,
        scopes: Scopes,
        redirect_uri: &str,
        code_challenge: Option<String>,
        code_challenge_method: Option<String>,
    ) -> Result<String, CoreError> {
        if code_challenge_method
            .as_deref()
            .is_some_and(|m| !matches!(m, "S256" | "plain"))
        {
            return Err(CoreError::invalid(
                "code_challenge_method must be S256 or plain",
            ));
        }
        let code = random_token(32);
        let now = self.clock.now();
        self.store
            .create_authorization_code(&rhizome_store::AuthorizationCode {
                code_digest: token_digest(&code),
                app_id: app.id,
                account_id,
                scopes,
                redirect_uri: redirect_uri.to_owned(),
                code_challenge,
                code_challenge_method,
                created_at: now,
                expires_at: self.clock.after(CODE_LIFETIME),
            })
            .await?;
        Ok(code)
    }

    /// `grant_type=authorization_code`: exchanges a code (once, with PKCE when it was asked).
    pub async fn exchange_code(
        &self,
        app: &rhizome_model::OAuthApp,
        code: &str,
        redirect_uri: &str,
        code_verifier: Option<&str>,
    ) -> Result<IssuedToken, OAuthError> {
        let grant = self
            .store
            .consume_authorization_code(&token_digest(code), self.clock.now())
            .await
            .map_err(|e| oauth_error("server_error", e.to_string()))?
            .ok_or_else(|| {
                oauth_error(
                    "invalid_grant",
                    "The authorization code is invalid, expired or used",
                )
            })?;
        if grant.app_id != app.id || grant.redirect_uri != redirect_uri {
            return Err(oauth_error(
                "invalid_grant",
                "The code was issued to another client or redirect URI",
            ));
        }
        if let Some(challenge) = &grant.code_challenge {
            let verifier = code_verifier
                .ok_or_else(|| oauth_error("invalid_grant", "code_verifier is required"))?;
            if !pkce_matches(verifier, challenge, grant.code_challenge_method.as_deref()) {
                return Err(oauth_error(
                    "invalid_grant",
                    "The code verifier does not match",
                ));
            }
        }
        self.issue_token(Some(grant.account_id), Some(app.id), grant.scopes, true)
            .await
            .map_err(|e| oauth_error("server_error", e.to_string()))
    }

    /// `grant_type=password`: for first-party scripts and old clients.
    pub async fn password_grant(
        &self,
        app: &rhizome_model::OAuthApp,
        username: &str,
        password: &str,
        scopes: Option<&str>,
        ip: Option<std::net::IpAddr>,
    ) -> Result<IssuedToken, OAuthError> {
        let scopes = self.grant_scopes(app, scopes)?;
        let user = self
            .authenticate_password(username, password, ip)
            .await
            .map_err(|e| match e {
                CoreError::Forbidden(message) => oauth_error("invalid_grant", message),
                _ => oauth_error("invalid_grant", "Invalid username or password"),
            })?;
        // A password alone never opens an account that asks for a second factor (Mastodon
        // refuses these grants too): such users authorize apps through the consent page.
        let two_factor = self
            .two_factor_enabled(user.account.id)
            .await
            .map_err(|e| oauth_error("server_error", e.to_string()))?;
        if two_factor {
            return Err(oauth_error(
                "invalid_grant",
                "This account uses two-factor authentication: authorize the app in a browser",
            ));
        }
        self.issue_token(Some(user.account.id), Some(app.id), scopes, true)
            .await
            .map_err(|e| oauth_error("server_error", e.to_string()))
    }

    /// `grant_type=client_credentials`: a token for the app itself (no user).
    pub async fn client_credentials_grant(
        &self,
        app: &rhizome_model::OAuthApp,
        scopes: Option<&str>,
    ) -> Result<IssuedToken, OAuthError> {
        let scopes = self.grant_scopes(app, scopes)?;
        self.issue_token(None, Some(app.id), scopes, false)
            .await
            .map_err(|e| oauth_error("server_error", e.to_string()))
    }

    /// `grant_type=refresh_token`: a new token with the same grant; the old one is revoked.
    pub async fn refresh_grant(
        &self,
        app: &rhizome_model::OAuthApp,
        refresh_token: &str,
    ) -> Result<IssuedToken, OAuthError> {
        let old = self
            .store
            .token_by_refresh_digest(&token_digest(refresh_token))
            .await
            .map_err(|e| oauth_error("server_error", e.to_string()))?
            .filter(|t| t.revoked_at.is_none() && t.app_id == Some(app.id))
            .ok_or_else(|| oauth_error("invalid_grant", "The refresh token is invalid"))?;
        self.store
            .revoke_token(old.id, self.clock.now())
            .await
            .map_err(|e| oauth_error("server_error", e.to_string()))?;
        self.issue_token(old.account_id, Some(app.id), old.scopes, true)
            .await
            .map_err(|e| oauth_error("server_error", e.to_string()))
    }

    fn grant_scopes(
        &self,
        app: &rhizome_model::OAuthApp,
        scopes: Option<&str>,
    ) -> Result<Scopes, OAuthError> {
        let scopes = match scopes.filter(|s| !s.trim().is_empty()) {
            Some(asked) => {
                Scopes::parse(asked).map_err(|e| oauth_error("invalid_scope", e.to_string()))?
            }
            None => app.scopes.clone(),
        };
        if !app.scopes.covers(&scopes) {
            return Err(oauth_error(
                "invalid_scope",
                "The requested scope exceeds the app's",
            ));
        }
        Ok(scopes)
    }

    /// `POST /oauth/revoke`: revokes a token of this app; unknown tokens are not an error.
    pub async fn revoke_app_token(
        &self,
        app: &rhizome_model::OAuthApp,
        token: &str,
    ) -> Result<(), OAuthError> {
        let digest = token_digest(token);
        let found = match self.store.token_by_digest(&digest).await {
            Ok(Some(found)) => Some(found),
            Ok(None) => self
                .store
                .token_by_refresh_digest(&digest)
                .await
                .ok()
                .flatten(),
            Err(e) => return Err(oauth_error("server_error", e.to_string())),
        };
        if let Some(found) = found {
            if found.app_id.is_some() && found.app_id != Some(app.id) {
                return Err(oauth_error(
                    "unauthorized_client",
                    "You are not authorized to revoke this token",
                ));
            }
            self.store
                .revoke_token(found.id, self.clock.now())
                .await
                .map_err(|e| oauth_error("server_error", e.to_string()))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod flow_tests {
    use super::*;

    #[test]
    fn pkce_s256_follows_rfc_7636() {
        // Expected value computed independently (Python's hashlib and base64).
        let verifier = "dBjftJeZ4CVP-mJ92K9qpvJ7QxkNNf_Jv2rvg7-C9bE";
        assert!(pkce_matches(
            verifier,
            "jkACIUNItc6AH4y5XGlSVaer2iyLh_Z-czepoC65RsI",
            Some("S256")
        ));
        assert!(!pkce_matches(
            "other",
            "jkACIUNItc6AH4y5XGlSVaer2iyLh_Z-czepoC65RsI",
            Some("S256")
        ));
        assert!(pkce_matches("same", "same", None));
        assert!(!pkce_matches("same", "same", Some("S512")));
    }

    #[test]
    fn redirect_uris_may_be_custom_schemes() {
        for good in [
            OUT_OF_BAND,
            "https://elk.zone/callback",
            "com.keylesspalace.tusky://oauth",
            "com.example.app:/cb",
            "http://localhost:3000/cb",
        ] {
            assert!(valid_redirect_uri(good), "{good}");
        }
        for bad in [
            "",
            "no-scheme",
            "javascript:alert(1)",
            "data:text/html,x",
            "https://a b",
            "1ab:/x",
        ] {
            assert!(!valid_redirect_uri(bad), "{bad}");
        }
    }
}
