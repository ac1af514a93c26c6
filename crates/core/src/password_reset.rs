//! Forgotten passwords: a single-use, expiring link mailed by a job when SMTP is configured,
//! or printed for an admin by `rhizome admin user reset-password`. Using it sets the new
//! password and signs the user out everywhere.

use std::time::Duration;

use rhizome_model::{Id, Timestamp};
use serde::{Deserialize, Serialize};

use crate::accounts::{hash_password, validate_password};
use crate::jobs::JobError;
use crate::oauth::token_digest;
use crate::secrets::random_token;
use crate::{Core, CoreError};

/// The job that mails a reset link.
pub const SEND_PASSWORD_RESET: &str = "send_password_reset";

/// How long a reset link works.
pub const RESET_LIFETIME: Duration = Duration::from_secs(2 * 3600);
/// A second request within this time mails nothing (no mailbox flooding through the form).
const RESEND_INTERVAL: Duration = Duration::from_secs(2 * 60);

#[derive(Debug, Serialize, Deserialize)]
pub struct SendPasswordReset {
    pub account_id: Id,
}

impl Core {
    /// Whether reset links can be mailed (an SMTP server is configured).
    pub fn password_reset_by_email(&self) -> bool {
        self.config.email.smtp_url.is_some()
    }

    /// Someone asks for a reset link for `email`. The answer is the same whether or not the
    /// address belongs to a user; when it does, a job mails the link.
    pub async fn request_password_reset(&self, email: &str) -> Result<(), CoreError> {
        if !self.password_reset_by_email() {
            return Err(CoreError::Forbidden(
                "password resets by e-mail are not available on this server".into(),
            ));
        }
        let email = email.trim();
        if email.is_empty() || email.len() > 254 {
            return Ok(());
        }
        let Some(user) = self.store.local_user_by_email(email).await? else {
            tracing::debug!("password reset asked for an unknown address");
            return Ok(());
        };
        if user.account.suspended_at.is_some() {
            return Ok(());
        }
        let now = self.clock.now();
        let interval = i64::try_from(self.clock.real(RESEND_INTERVAL).as_millis()).unwrap_or(0);
        let not_since = Timestamp(now.0.saturating_sub(interval));
        if self
            .store
            .request_password_reset(user.account.id, now, not_since)
            .await?
        {
            self.enqueue(
                SEND_PASSWORD_RESET,
                &SendPasswordReset {
                    account_id: user.account.id,
                },
                None,
            )
            .await?;
        }
        Ok(())
    }

    /// A fresh reset link for the user (the older one stops working).
    async fn new_reset_link(&self, account_id: Id) -> Result<String, CoreError> {
        let token = random_token(32);
        self.store
            .set_password_reset_token(
                account_id,
                &token_digest(&token),
                self.clock.now(),
                self.clock.after(RESET_LIFETIME),
            )
            .await?;
        Ok(format!(
            "{}/auth/password/edit?token={token}",
            self.urls.base()
        ))
    }

    /// For `rhizome admin user reset-password`: a reset link to hand to the user.
    pub async fn password_reset_link(&self, username: &str) -> Result<String, CoreError> {
        let user = self.local_user_named(username).await?;
        let link = self.new_reset_link(user.account.id).await?;
        tracing::info!(username, "password reset link made by an admin");
        Ok(link)
    }

    /// The job: a fresh link each attempt, then the mail.
    pub async fn send_password_reset(&self, job: SendPasswordReset) -> Result<(), JobError> {
        let Some(smtp_url) = self.config.email.smtp_url.as_deref() else {
            return Err(JobError::Permanent("no SMTP server is configured".into()));
        };
        let Some(user) = self
            .store
            .local_user(job.account_id)
            .await
            .map_err(CoreError::from)?
        else {
            return Ok(());
        };
        let link = self.new_reset_link(job.account_id).await?;
        let settings = self.settings().await?;
        let hours = RESET_LIFETIME.as_secs() / 3600;
        self.send_mail(
            smtp_url,
            &user.email,
            format!("Reset your password on {}", settings.name),
            format!(
                "Hello @{},\n\nsomeone (probably you) asked to reset your password on {}. \
                 To choose a new one, open this link within {hours} hours:\n\n{link}\n\n\
                 If you did not ask for it, ignore this mail: your password stays as it is.\n",
                user.account.username, settings.name
            ),
        )
        .await?;
        tracing::info!(account = job.account_id.0, "password reset mail sent");
        Ok(())
    }

    /// Whether a reset link still works (for the page that asks for the new password).
    pub async fn password_reset_valid(&self, token: &str) -> Result<bool, CoreError> {
        if token.is_empty() || token.len() > 256 {
            return Ok(false);
        }
        Ok(self
            .store
            .password_reset_account(&token_digest(token), self.clock.now())
            .await?
            .is_some())
    }

    /// Sets a new password with a reset link (once), and revokes every token of the user.
    pub async fn reset_password(&self, token: &str, password: String) -> Result<(), CoreError> {
        let unknown = || CoreError::NotFound;
        if !self.password_reset_valid(token).await? {
            return Err(unknown());
        }
        validate_password(&password)?;
        let hash = hash_password(password).await?;
        let account = self
            .store
            .reset_password_with_token(&token_digest(token), &hash, self.clock.now())
            .await?
            .ok_or_else(unknown)?;
        tracing::info!(account = account.0, "password reset with a link");
        Ok(())
    }
}
