//! OAuth 2 applications and tokens.

use rhizome_model::{AccessToken, Id, LocalUser, OAuthApp, Scopes, Timestamp};

use crate::accounts::{ACCOUNT_COLUMNS, USER_COLUMNS, map_user};
use crate::row::Columns;
use crate::{Store, StoreError, begin_write, with_pool};

pub type NewApp = OAuthApp;

/// A token to store; the caller keeps the plain token and hands over only digests.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub id: Id,
    pub token_digest: String,
    pub refresh_digest: Option<String>,
    pub app_id: Option<Id>,
    pub account_id: Option<Id>,
    pub scopes: Scopes,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
}

const APP_COLUMNS: &str =
    "id, name, website, redirect_uris, scopes, client_id, client_secret, created_at";
pub(crate) const TOKEN_COLUMNS: &str =
    "id, app_id, account_id, scopes, created_at, expires_at, revoked_at, last_used_at";

/// A token's columns under names that cannot clash with an account's, for reading both in
/// one row.
const TOKEN_ALIASED_COLUMNS: &str = "t.id AS token_id, t.app_id AS token_app_id, \
    t.account_id AS token_account_id, t.scopes AS token_scopes, \
    t.created_at AS token_created_at, t.expires_at AS token_expires_at, \
    t.revoked_at AS token_revoked_at, t.last_used_at AS token_last_used_at";

/// The names a token's columns have in a row.
struct TokenColumnNames {
    id: &'static str,
    app_id: &'static str,
    account_id: &'static str,
    scopes: &'static str,
    created_at: &'static str,
    expires_at: &'static str,
    revoked_at: &'static str,
    last_used_at: &'static str,
}

const TOKEN_NAMES: TokenColumnNames = TokenColumnNames {
    id: "id",
    app_id: "app_id",
    account_id: "account_id",
    scopes: "scopes",
    created_at: "created_at",
    expires_at: "expires_at",
    revoked_at: "revoked_at",
    last_used_at: "last_used_at",
};

const TOKEN_ALIASED_NAMES: TokenColumnNames = TokenColumnNames {
    id: "token_id",
    app_id: "token_app_id",
    account_id: "token_account_id",
    scopes: "token_scopes",
    created_at: "token_created_at",
    expires_at: "token_expires_at",
    revoked_at: "token_revoked_at",
    last_used_at: "token_last_used_at",
};

fn scopes(row: &impl Columns, column: &'static str) -> Result<Scopes, StoreError> {
    Scopes::parse(&row.text(column)?).map_err(|e| StoreError::Corrupt {
        column,
        reason: e.to_string(),
    })
}

fn map_app(row: &impl Columns) -> Result<OAuthApp, StoreError> {
    Ok(OAuthApp {
        id: Id(row.i64("id")?),
        name: row.text("name")?,
        website: row.opt_text("website")?,
        redirect_uris: row
            .text("redirect_uris")?
            .lines()
            .map(str::to_owned)
            .collect(),
        scopes: scopes(row, "scopes")?,
        client_id: row.text("client_id")?,
        client_secret: row.text("client_secret")?,
        created_at: Timestamp(row.i64("created_at")?),
    })
}

pub(crate) fn map_token(row: &impl Columns) -> Result<AccessToken, StoreError> {
    map_token_named(row, &TOKEN_NAMES)
}

fn map_token_named(
    row: &impl Columns,
    names: &TokenColumnNames,
) -> Result<AccessToken, StoreError> {
    Ok(AccessToken {
        id: Id(row.i64(names.id)?),
        app_id: row.opt_i64(names.app_id)?.map(Id),
        account_id: row.opt_i64(names.account_id)?.map(Id),
        scopes: scopes(row, names.scopes)?,
        created_at: Timestamp(row.i64(names.created_at)?),
        expires_at: row.opt_i64(names.expires_at)?.map(Timestamp),
        revoked_at: row.opt_i64(names.revoked_at)?.map(Timestamp),
        last_used_at: row.opt_i64(names.last_used_at)?.map(Timestamp),
    })
}

impl Store {
    pub async fn create_app(&self, app: &NewApp) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO oauth_apps (id, name, website, redirect_uris, scopes, client_id, \
                 client_secret, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(app.id.0)
            .bind(&app.name)
            .bind(&app.website)
            .bind(app.redirect_uris.join("\n"))
            .bind(app.scopes.to_string())
            .bind(&app.client_id)
            .bind(&app.client_secret)
            .bind(app.created_at.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn app(&self, id: Id) -> Result<Option<OAuthApp>, StoreError> {
        let sql = format!("SELECT {APP_COLUMNS} FROM oauth_apps WHERE id = $1");
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql).bind(id.0).fetch_optional(pool).await?;
            row.as_ref().map(map_app).transpose()
        })
    }

    pub async fn app_by_client_id(&self, client_id: &str) -> Result<Option<OAuthApp>, StoreError> {
        let sql = format!("SELECT {APP_COLUMNS} FROM oauth_apps WHERE client_id = $1");
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql)
                .bind(client_id)
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(map_app).transpose()
        })
    }

    pub async fn create_token(&self, token: &NewToken) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO oauth_tokens (id, token_digest, refresh_digest, app_id, account_id, \
                 scopes, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(token.id.0)
            .bind(&token.token_digest)
            .bind(&token.refresh_digest)
            .bind(token.app_id.map(|id| id.0))
            .bind(token.account_id.map(|id| id.0))
            .bind(token.scopes.to_string())
            .bind(token.created_at.0)
            .bind(token.expires_at.map(|t| t.0))
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The token with this digest, revoked or not: the caller decides what a revoked token means.
    pub async fn token_by_digest(&self, digest: &str) -> Result<Option<AccessToken>, StoreError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM oauth_tokens WHERE token_digest = $1");
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql).bind(digest).fetch_optional(pool).await?;
            row.as_ref().map(map_token).transpose()
        })
    }

    /// The token with this digest and, for a user's token, that user: what every
    /// authenticated request needs, in one round trip. The user is `None` for an app's own
    /// token, and for a token whose user is gone.
    pub async fn token_with_user(
        &self,
        digest: &str,
    ) -> Result<Option<(AccessToken, Option<LocalUser>)>, StoreError> {
        let sql = format!(
            "SELECT {TOKEN_ALIASED_COLUMNS}, u.account_id AS user_account_id, \
             {ACCOUNT_COLUMNS}, {USER_COLUMNS} FROM oauth_tokens t \
             LEFT JOIN users u ON u.account_id = t.account_id \
             LEFT JOIN accounts a ON a.id = u.account_id WHERE t.token_digest = $1"
        );
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql).bind(digest).fetch_optional(pool).await?;
            let Some(row) = row else {
                return Ok(None);
            };
            let token = map_token_named(&row, &TOKEN_ALIASED_NAMES)?;
            let user = match row.opt_i64("user_account_id")? {
                Some(_) => Some(map_user(&row)?),
                None => None,
            };
            Ok(Some((token, user)))
        })
    }

    pub async fn token_by_refresh_digest(
        &self,
        digest: &str,
    ) -> Result<Option<AccessToken>, StoreError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM oauth_tokens WHERE refresh_digest = $1");
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql).bind(digest).fetch_optional(pool).await?;
            row.as_ref().map(map_token).transpose()
        })
    }

    /// Revokes a token, and removes its push subscription. Returns whether a live token was
    /// revoked.
    pub async fn revoke_token(&self, id: Id, at: Timestamp) -> Result<bool, StoreError> {
        begin_write!(self, |tx| {
            let done = sqlx::query(
                "UPDATE oauth_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
            )
            .bind(id.0)
            .bind(at.0)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM push_subscriptions WHERE token_id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Revokes every token of an account (password change, suspension), and removes their
    /// push subscriptions.
    pub async fn revoke_account_tokens(
        &self,
        account_id: Id,
        at: Timestamp,
    ) -> Result<u64, StoreError> {
        begin_write!(self, |tx| {
            let done = sqlx::query(
                "UPDATE oauth_tokens SET revoked_at = $2 \
                 WHERE account_id = $1 AND revoked_at IS NULL",
            )
            .bind(account_id.0)
            .bind(at.0)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM push_subscriptions WHERE account_id = $1")
                .bind(account_id.0)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(done.rows_affected())
        })
    }
}

/// An authorization code waiting to be exchanged for a token.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthorizationCode {
    pub code_digest: String,
    pub app_id: Id,
    pub account_id: Id,
    pub scopes: Scopes,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

impl Store {
    pub async fn create_authorization_code(
        &self,
        code: &AuthorizationCode,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO oauth_authorizations (code_digest, app_id, account_id, scopes, \
                 redirect_uri, code_challenge, code_challenge_method, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&code.code_digest)
            .bind(code.app_id.0)
            .bind(code.account_id.0)
            .bind(code.scopes.to_string())
            .bind(&code.redirect_uri)
            .bind(&code.code_challenge)
            .bind(&code.code_challenge_method)
            .bind(code.created_at.0)
            .bind(code.expires_at.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Takes a code for exchange: only once, and only before it expires.
    pub async fn consume_authorization_code(
        &self,
        code_digest: &str,
        now: Timestamp,
    ) -> Result<Option<AuthorizationCode>, StoreError> {
        with_pool!(self, write, |pool| {
            let row = sqlx::query(
                "UPDATE oauth_authorizations SET used_at = $2 WHERE code_digest = $1 \
                 AND used_at IS NULL AND expires_at > $2 RETURNING code_digest, app_id, account_id, \
                 scopes, redirect_uri, code_challenge, code_challenge_method, created_at, expires_at",
            )
            .bind(code_digest)
            .bind(now.0)
            .fetch_optional(pool)
            .await?;
            row.as_ref()
                .map(|row| {
                    Ok(AuthorizationCode {
                        code_digest: row.text("code_digest")?,
                        app_id: Id(row.i64("app_id")?),
                        account_id: Id(row.i64("account_id")?),
                        scopes: scopes(row, "scopes")?,
                        redirect_uri: row.text("redirect_uri")?,
                        code_challenge: row.opt_text("code_challenge")?,
                        code_challenge_method: row.opt_text("code_challenge_method")?,
                        created_at: Timestamp(row.i64("created_at")?),
                        expires_at: Timestamp(row.i64("expires_at")?),
                    })
                })
                .transpose()
        })
    }
}

impl Store {
    /// Revokes every live token of an account but the one with digest `keep_digest` (the
    /// session that changed the password stays signed in).
    pub async fn revoke_account_tokens_except(
        &self,
        account_id: Id,
        keep_digest: &str,
        at: Timestamp,
    ) -> Result<u64, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query(
                "UPDATE oauth_tokens SET revoked_at = $2 \
                 WHERE account_id = $1 AND revoked_at IS NULL AND token_digest <> $3",
            )
            .bind(account_id.0)
            .bind(at.0)
            .bind(keep_digest)
            .execute(pool)
            .await?;
            Ok(done.rows_affected())
        })
    }
}
