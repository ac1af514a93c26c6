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
        let token = self
            .store
            .token_by_digest(&token_digest(bearer))
            .await?
            .ok_or_else(invalid)?;
        let now = self.clock.now();
        if token.revoked_at.is_some() || token.expires_at.is_some_and(|at| at <= now) {
            return Err(invalid());
        }
        let user = match token.account_id {
            None => None,
            Some(account_id) => {
                let user = self
                    .store
                    .local_user(account_id)
                    .await?
                    .ok_or_else(invalid)?;
                if user.account.suspended_at.is_some() {
                    return Err(CoreError::Unauthorized(
                        "Your login is currently disabled".into(),
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
