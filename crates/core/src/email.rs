//! Confirmation of sign-ups' e-mail addresses, sent over SMTP by a job. Off unless the
//! configuration names an SMTP server and asks for it.

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rhizome_model::{Id, LocalUser};
use serde::{Deserialize, Serialize};

use crate::jobs::JobError;
use crate::oauth::token_digest;
use crate::secrets::random_token;
use crate::{Core, CoreError};

/// The job that mails a confirmation link.
pub const SEND_CONFIRMATION: &str = "send_confirmation";

#[derive(Debug, Clone, Default)]
pub struct EmailConfig {
    /// `smtps://host:port` (TLS), `smtp://host:port?tls=required` (STARTTLS) or plain
    /// `smtp://host:port`, with `user:password@` when the server wants it. `None`: no mail.
    pub smtp_url: Option<String>,
    /// The sender, e.g. `Rhizome <noreply@example.org>`.
    pub from: String,
    /// New users must confirm their address before their token opens anything.
    pub require_confirmation: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct SendConfirmation {
    pub account_id: Id,
}

impl Core {
    /// Whether sign-ups wait for their address to be confirmed.
    pub fn email_confirmation_required(&self) -> bool {
        self.config.email.require_confirmation && self.config.email.smtp_url.is_some()
    }

    /// Queues the confirmation mail of a user held for it.
    pub(crate) async fn send_confirmation_later(&self, account_id: Id) -> Result<(), CoreError> {
        self.enqueue(SEND_CONFIRMATION, &SendConfirmation { account_id }, None)
            .await?;
        Ok(())
    }

    /// Whether the user still has to confirm their address (only asked while the instance
    /// requires it: switching it off lets everyone in).
    pub(crate) async fn email_unconfirmed(&self, account_id: Id) -> Result<bool, CoreError> {
        if !self.email_confirmation_required() {
            return Ok(false);
        }
        Ok(self.store.email_unconfirmed(account_id).await?)
    }

    /// Confirms the address a link was mailed to; false for an unknown or used link.
    pub async fn confirm_email(&self, token: &str) -> Result<bool, CoreError> {
        if token.is_empty() || token.len() > 256 {
            return Ok(false);
        }
        let confirmed = self.store.confirm_email(&token_digest(token)).await?;
        if let Some(account_id) = confirmed {
            tracing::info!(account = account_id.0, "e-mail address confirmed");
        }
        Ok(confirmed.is_some())
    }

    /// The job: a fresh link each attempt (a retried mail makes the older link useless, not
    /// a second valid one), then the mail.
    pub async fn send_confirmation(&self, job: SendConfirmation) -> Result<(), JobError> {
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
        let token = random_token(32);
        let pending = self
            .store
            .set_email_confirmation_token(job.account_id, &token_digest(&token), self.clock.now())
            .await
            .map_err(CoreError::from)?;
        if !pending {
            return Ok(());
        }
        let link = format!(
            "{}/auth/confirmation?confirmation_token={token}",
            self.urls.base()
        );
        let settings = self.settings().await?;
        self.send_mail(
            smtp_url,
            &user.email,
            format!("Confirm your address on {}", settings.name),
            format!(
                "Hello @{},\n\nto finish signing up on {}, open this link:\n\n{link}\n\n\
                 If you did not sign up, ignore this mail.\n",
                user.account.username, settings.name
            ),
        )
        .await?;
        tracing::info!(account = job.account_id.0, "confirmation mail sent");
        Ok(())
    }

    /// Sends one plain-text mail from the configured sender (for jobs: a refused address is
    /// permanent, a failed exchange is retried).
    pub(crate) async fn send_mail(
        &self,
        smtp_url: &str,
        to: &str,
        subject: String,
        body: String,
    ) -> Result<(), JobError> {
        let permanent =
            |what: &str, err: &dyn std::fmt::Display| JobError::Permanent(format!("{what}: {err}"));
        let from: Mailbox = self
            .config
            .email
            .from
            .parse()
            .map_err(|e| permanent("the sender address", &e))?;
        let to: Mailbox = to
            .parse()
            .map_err(|e| permanent("the user's address", &e))?;
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| permanent("the message", &e))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| permanent("the SMTP address", &e))?
            .build();
        transport
            .send(message)
            .await
            .map_err(|e| JobError::Retry(format!("SMTP: {e}")))?;
        Ok(())
    }
}

impl Core {
    /// Refuses a user who still has to confirm their address, with the words tokens are
    /// refused with (for sign-in forms, which would otherwise hand out a useless session).
    pub async fn require_confirmed_email(&self, user: &LocalUser) -> Result<(), CoreError> {
        if self.email_unconfirmed(user.account.id).await? {
            return Err(CoreError::Forbidden(
                "Your login is missing a confirmed e-mail address".into(),
            ));
        }
        Ok(())
    }
}
