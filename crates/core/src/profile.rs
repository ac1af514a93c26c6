//! Sign-ups and profile changes.

use rhizome_model::{LocalUser, NotificationKind, ProfileField, Role};
use rhizome_store::AccountUpdate;

use crate::accounts::NewUser;
use crate::oauth::IssuedToken;
use crate::secrets::random_token;
use crate::text::{self, ContentType};
use crate::{Core, CoreError, RegistrationMode};

/// What someone signing up sends.
#[derive(Debug, Clone, Default)]
pub struct Registration {
    pub username: String,
    pub email: String,
    pub password: String,
    pub agreement: bool,
    pub locale: Option<String>,
    /// Why they want to join (approval mode).
    pub reason: Option<String>,
    pub invite_code: Option<String>,
    /// Where the sign-up comes from, for IP blocks.
    pub ip: Option<std::net::IpAddr>,
    /// The answer to the captcha, when the instance asks for one.
    pub captcha: Option<crate::captcha::CaptchaSolution>,
}

/// Profile changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ProfileUpdate {
    pub display_name: Option<String>,
    /// Plain text, rendered like a post.
    pub note: Option<String>,
    pub locked: Option<bool>,
    pub bot: Option<bool>,
    pub discoverable: Option<bool>,
    pub fields: Option<Vec<(String, String)>>,
    /// New pictures, as uploaded (checked, stripped and resized here).
    pub avatar: Option<Vec<u8>>,
    pub header: Option<Vec<u8>>,
}

/// Mastodon's sizes: avatars are squares, headers 3:1.
const AVATAR_SIDE: u32 = 400;
const HEADER_SIZE: (u32, u32) = (1500, 500);

const MAX_DISPLAY_NAME: usize = 30;
const MAX_NOTE: usize = 500;
const MAX_FIELDS: usize = 4;

impl Core {
    /// Signs someone up according to the registration mode in force.
    pub async fn register(
        &self,
        app_id: Option<rhizome_model::Id>,
        registration: Registration,
    ) -> Result<(LocalUser, IssuedToken), CoreError> {
        let mode = self.settings().await?.registrations;
        if !registration.agreement {
            return Err(CoreError::invalid("agreement must be accepted"));
        }
        let verdict = self
            .check_sign_up(&registration.email, registration.ip)
            .await?;
        let approved = match mode {
            RegistrationMode::Closed => {
                return Err(CoreError::Forbidden("Registrations are closed".into()));
            }
            RegistrationMode::Open => true,
            RegistrationMode::Approval => {
                if registration
                    .reason
                    .as_deref()
                    .is_none_or(|r| r.trim().is_empty())
                {
                    return Err(CoreError::invalid("reason can't be blank"));
                }
                false
            }
            RegistrationMode::Invite => {
                let code = registration.invite_code.as_deref().unwrap_or("");
                // Checked now for a quick answer, spent when the user is created.
                if code.is_empty() || !self.store.invite_usable(code, self.clock.now()).await? {
                    return Err(CoreError::Forbidden("A valid invite is required".into()));
                }
                true
            }
        };
        // An IP block of the mildest kind sends the sign-up to the moderators.
        let approved = approved && verdict != crate::signup_blocks::SignUpVerdict::NeedsApproval;
        if self.captcha_required() {
            self.check_captcha(registration.captcha.as_ref()).await?;
        }
        let email_unconfirmed = self.email_confirmation_required();
        let user = self
            .create_user(NewUser {
                username: registration.username,
                email: registration.email,
                password: registration.password,
                role: Role::User,
                approved,
                registration_reason: registration.reason.map(|r| r.chars().take(1000).collect()),
                locale: registration
                    .locale
                    .filter(|l| l.len() <= 16)
                    .unwrap_or_else(|| "en".into()),
                invite_code: (mode == RegistrationMode::Invite)
                    .then(|| registration.invite_code.clone())
                    .flatten(),
                email_unconfirmed,
            })
            .await?;
        self.remember_ip(user.account.id, registration.ip).await?;
        if email_unconfirmed {
            self.send_confirmation_later(user.account.id).await?;
        }
        for moderator in self.store.staff_ids().await? {
            self.notify(
                moderator,
                user.account.id,
                NotificationKind::AdminSignUp,
                None,
                None,
            )
            .await?;
        }
        let token = self
            .issue_token(
                Some(user.account.id),
                app_id,
                rhizome_model::Scopes::parse("read write follow push")
                    .map_err(|e| CoreError::Internal(e.to_string()))?,
                true,
            )
            .await?;
        Ok((user, token))
    }

    /// Creates an invite code (for invite-only registrations).
    pub async fn create_invite(
        &self,
        by: Option<rhizome_model::Id>,
        max_uses: Option<i64>,
        valid_for: Option<std::time::Duration>,
    ) -> Result<String, CoreError> {
        let code = random_token(12);
        let now = self.clock.now();
        self.store
            .create_invite(
                &code,
                by,
                max_uses,
                valid_for.map(|d| self.clock.after(d)),
                now,
            )
            .await?;
        Ok(code)
    }

    /// Changes a user's profile and tells their followers' servers.
    pub async fn update_profile(
        &self,
        user: &LocalUser,
        update: ProfileUpdate,
    ) -> Result<LocalUser, CoreError> {
        if let Some(name) = &update.display_name
            && name.chars().count() > MAX_DISPLAY_NAME
        {
            return Err(CoreError::invalid(format!(
                "display_name is too long (at most {MAX_DISPLAY_NAME})"
            )));
        }
        if let Some(note) = &update.note
            && note.chars().count() > MAX_NOTE
        {
            return Err(CoreError::invalid(format!(
                "note is too long (at most {MAX_NOTE})"
            )));
        }
        let fields = match update.fields {
            Some(fields) if fields.len() > MAX_FIELDS => {
                return Err(CoreError::invalid(format!(
                    "at most {MAX_FIELDS} profile fields"
                )));
            }
            other => other,
        };
        // Pictures are checked and stored before anything changes, so that a refused one
        // leaves the profile as it was.
        let avatar_url = match update.avatar {
            Some(bytes) => Some(
                self.store_profile_image(user, "avatar", bytes, (AVATAR_SIDE, AVATAR_SIDE))
                    .await?,
            ),
            None => None,
        };
        let header_url = match update.header {
            Some(bytes) => Some(
                self.store_profile_image(user, "header", bytes, HEADER_SIZE)
                    .await?,
            ),
            None => None,
        };
        let note = update.note.as_deref().map(|note| {
            let base = self.urls.base().to_owned();
            text::render(note, ContentType::Plain, &|_| None, &|tag| {
                format!("{base}/tags/{tag}")
            })
        });
        let now = self.clock.now();
        self.store
            .update_account(
                user.account.id,
                &AccountUpdate {
                    display_name: update
                        .display_name
                        .map(|n| n.chars().filter(|c| !c.is_control()).collect()),
                    note,
                    locked: update.locked,
                    bot: update.bot,
                    discoverable: update.discoverable,
                    avatar_url: avatar_url.clone(),
                    header_url: header_url.clone(),
                },
                now,
            )
            .await?;
        // The replaced pictures go once caches have had time to pick up the new ones.
        let replaced: Vec<String> = [
            avatar_url.and(user.account.avatar_url.as_deref()),
            header_url.and(user.account.header_url.as_deref()),
        ]
        .into_iter()
        .flatten()
        .filter_map(|url| self.media_key_of_url(url))
        .collect();
        self.delete_files_later(replaced, crate::media::DELETED_MEDIA_DELAY)
            .await?;
        if let Some(fields) = fields {
            let fields: Vec<ProfileField> = fields
                .into_iter()
                .filter(|(name, value)| !name.trim().is_empty() || !value.trim().is_empty())
                .map(|(name, value)| ProfileField {
                    name: name.chars().take(255).collect(),
                    value: value.chars().take(255).collect(),
                    verified_at: None,
                })
                .collect();
            self.store.set_fields(user.account.id, &fields).await?;
        }
        let mut updated = self
            .store
            .local_user(user.account.id)
            .await?
            .ok_or(CoreError::NotFound)?;
        // Custom emoji in the name, bio and fields, as the actor's `Emoji` tags.
        let account = &updated.account;
        let mut texts: Vec<&str> = vec![&account.display_name, &account.note];
        texts.extend(
            account
                .fields
                .iter()
                .flat_map(|f| [f.name.as_str(), f.value.as_str()]),
        );
        let emojis = self.local_emojis_in(&texts).await?;
        if emojis != updated.account.emojis {
            self.store
                .set_account_emojis(updated.account.id, &emojis)
                .await?;
            updated.account.emojis = emojis;
        }
        self.federate_profile(&updated).await?;
        Ok(updated)
    }
}

impl Core {
    /// Whether an invite code can still be used (for the sign-up page; spending it happens
    /// with the sign-up itself).
    pub async fn invite_usable(&self, code: &str) -> Result<bool, CoreError> {
        if code.is_empty() || code.len() > 64 {
            return Ok(false);
        }
        Ok(self.store.invite_usable(code, self.clock.now()).await?)
    }
}

impl Core {
    /// A profile field's value as HTML, for every front and for other servers. Remote values
    /// were sanitised when stored; local ones are kept as their owner typed them (the source
    /// shown for editing), so they are escaped here and their links and hashtags drawn, as
    /// Mastodon does.
    pub fn profile_field_html(&self, account: &rhizome_model::Account, value: &str) -> String {
        if !account.is_local() {
            return value.to_owned();
        }
        let base = self.urls.base();
        let html = crate::text::render(value, crate::text::ContentType::Plain, &|_| None, &|tag| {
            let tag: String =
                url::form_urlencoded::byte_serialize(tag.to_lowercase().as_bytes()).collect();
            format!("{base}/tags/{tag}")
        });
        // One short line: without the paragraph around it.
        match html
            .strip_prefix("<p>")
            .and_then(|inner| inner.strip_suffix("</p>"))
        {
            Some(inner) if !inner.contains("<p>") => inner.to_owned(),
            _ => html,
        }
    }
}
