//! Local users: creating them, signing them in, and what admins do to them.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rhizome_federation::keys;
use rhizome_model::{Account, Id, LocalUser, Role, Username};

use crate::{Core, CoreError};

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 1024;
const MAX_EMAIL_CHARS: usize = 254;

/// What it takes to create a local user.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub email: String,
    pub password: String,
    pub role: Role,
    /// False when the registration waits for a moderator.
    pub approved: bool,
    pub registration_reason: Option<String>,
    pub locale: String,
    /// The invite this sign-up spends, in the same transaction that creates the user.
    pub invite_code: Option<String>,
    /// The user waits for their e-mail address to be confirmed (set in the same transaction).
    pub email_unconfirmed: bool,
}

fn validate_email(email: &str) -> Result<(), CoreError> {
    let valid = email.chars().count() <= MAX_EMAIL_CHARS
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@')
        });
    if valid {
        Ok(())
    } else {
        Err(CoreError::invalid("e-mail address is invalid"))
    }
}

pub(crate) fn validate_password(password: &str) -> Result<(), CoreError> {
    let length = password.chars().count();
    if length == 0 {
        return Err(CoreError::invalid("password can't be blank"));
    }
    if length < MIN_PASSWORD_CHARS {
        return Err(CoreError::invalid(format!(
            "password is too short (at least {MIN_PASSWORD_CHARS} characters)"
        )));
    }
    if length > MAX_PASSWORD_CHARS {
        return Err(CoreError::invalid("password is too long"));
    }
    Ok(())
}

/// Hashes a password with argon2id off the async threads (it is deliberately slow).
pub async fn hash_password(password: String) -> Result<String, CoreError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| CoreError::Internal(format!("password hashing: {e}")))
    })
    .await
    .map_err(|e| CoreError::Internal(e.to_string()))?
}

/// Checks a password against a stored hash, off the async threads. Besides our own
/// argon2id hashes, the kinds an Akkoma database holds are accepted (see [`check_password`]).
pub async fn verify_password(password: String, hash: String) -> Result<bool, CoreError> {
    Ok(check_password(password, hash).await? != PasswordCheck::Wrong)
}

/// What a password check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCheck {
    Wrong,
    /// Right, and the hash is one of ours.
    Right,
    /// Right, against an older kind of hash that should be replaced by an argon2id one.
    RightOutdated,
}

/// Checks a password against argon2id (ours, and Akkoma's new hashes), Pleroma's
/// `$pbkdf2-<digest>$<iterations>$<salt>$<hash>` and bcrypt (`$2a$`, `$2b$`, `$2y$`, from
/// Mastodon-era migrations), off the async threads.
pub async fn check_password(password: String, hash: String) -> Result<PasswordCheck, CoreError> {
    tokio::task::spawn_blocking(move || {
        let right = |ok: bool, outdated: bool| match (ok, outdated) {
            (false, _) => PasswordCheck::Wrong,
            (true, false) => PasswordCheck::Right,
            (true, true) => PasswordCheck::RightOutdated,
        };
        if hash.starts_with("$pbkdf2-") {
            return right(verify_pleroma_pbkdf2(&password, &hash), true);
        }
        if hash.starts_with("$2a$") || hash.starts_with("$2b$") || hash.starts_with("$2y$") {
            return right(bcrypt::verify(&password, &hash).unwrap_or(false), true);
        }
        let Ok(parsed) = PasswordHash::new(&hash) else {
            return PasswordCheck::Wrong;
        };
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        // Argon2i/argon2d hashes verify too; only argon2id is what we write.
        right(ok, parsed.algorithm.as_str() != "argon2id")
    })
    .await
    .map_err(|e| CoreError::Internal(e.to_string()))
}

/// Pleroma's PBKDF2 format: standard Base64 without padding, `+` written `.`; the derived
/// key is as long as the stored one (64 bytes in practice).
fn verify_pleroma_pbkdf2(password: &str, hash: &str) -> bool {
    use base64::Engine;
    let decode = |text: &str| {
        base64::engine::general_purpose::STANDARD_NO_PAD.decode(text.replace('.', "+"))
    };
    let mut parts = hash.split('$').skip(1);
    let (Some(kind), Some(iterations), Some(salt), Some(derived), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let algorithm = match kind {
        "pbkdf2-sha512" => aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA512,
        "pbkdf2-sha256" => aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA256,
        _ => return false,
    };
    let (Some(iterations), Ok(salt), Ok(derived)) = (
        iterations
            .parse::<u32>()
            .ok()
            .and_then(std::num::NonZeroU32::new),
        decode(salt),
        decode(derived),
    ) else {
        return false;
    };
    !derived.is_empty()
        && aws_lc_rs::pbkdf2::verify(algorithm, iterations, &salt, password.as_bytes(), &derived)
            .is_ok()
}

impl Core {
    /// Creates a local user with a fresh RSA key pair. Nothing is written unless all of it is.
    pub async fn create_user(&self, new: NewUser) -> Result<LocalUser, CoreError> {
        let username =
            Username::parse(&new.username).map_err(|e| CoreError::invalid(e.to_string()))?;
        validate_email(&new.email)?;
        validate_password(&new.password)?;
        // Friendly early answers; the database's unique keys stay the real guard against races.
        if self
            .store
            .local_user_by_username(username.as_str())
            .await?
            .is_some()
        {
            return Err(CoreError::Conflict("username is taken".into()));
        }
        // A deleted account's name stays with its bare row: it is never given again.
        if self
            .store
            .account_by_acct(username.as_str(), None)
            .await?
            .is_some()
        {
            return Err(CoreError::Conflict("username is taken".into()));
        }
        if self.store.local_user_by_email(&new.email).await?.is_some() {
            return Err(CoreError::Conflict(
                "e-mail address is already in use".into(),
            ));
        }
        let password_hash = hash_password(new.password).await?;
        let key_pair = tokio::task::spawn_blocking(keys::generate_rsa_2048)
            .await
            .map_err(|e| CoreError::Internal(e.to_string()))?
            .map_err(|e| CoreError::Internal(e.to_string()))?;

        let now = self.clock.now();
        let name = username.as_str();
        let urls = &self.urls;
        let user = LocalUser {
            account: Account {
                id: Id::generate(now.0),
                username: name.to_owned(),
                domain: None,
                display_name: String::new(),
                note: String::new(),
                uri: urls.actor(name),
                url: Some(urls.profile(name)),
                inbox_url: Some(urls.inbox(name)),
                shared_inbox_url: Some(urls.shared_inbox()),
                outbox_url: Some(urls.outbox(name)),
                followers_url: Some(urls.followers(name)),
                following_url: Some(urls.following(name)),
                featured_url: Some(urls.featured(name)),
                public_key_id: Some(urls.key_id(name)),
                public_key_pem: key_pair.public_pem,
                actor_type: "Person".to_owned(),
                locked: false,
                bot: false,
                discoverable: true,
                avatar_url: None,
                header_url: None,
                fields: Vec::new(),
                also_known_as: Vec::new(),
                moved_to_account_id: None,
                suspended_at: None,
                emojis: Vec::new(),
                fetched_at: None,
                created_at: now,
                updated_at: now,
            },
            email: new.email,
            password_hash,
            role: new.role,
            private_key_pem: key_pair.private_pem,
            approved: new.approved,
            registration_reason: new.registration_reason,
            locale: new.locale,
            created_at: now,
            last_sign_in_at: None,
        };
        let now = self.clock.now();
        let invite = new.invite_code.as_deref().map(|code| (code, now));
        match self
            .store
            .sign_up_local_user(&user, invite, new.email_unconfirmed)
            .await
        {
            Err(rhizome_store::StoreError::NotFound) => {
                return Err(CoreError::Forbidden("A valid invite is required".into()));
            }
            other => other?,
        }
        tracing::info!(username = name, role = %user.role, "local user created");
        Ok(user)
    }

    /// How many local users can sign in (suspended ones are not counted).
    pub async fn local_user_count(&self) -> Result<i64, CoreError> {
        Ok(self.store.count_local_users().await?)
    }

    /// The local user called `username`, or `NotFound`.
    pub async fn local_user_named(&self, username: &str) -> Result<LocalUser, CoreError> {
        self.store
            .local_user_by_username(username)
            .await?
            .ok_or(CoreError::NotFound)
    }

    /// Checks a username-or-e-mail and password. The same error for every failure, so that
    /// it tells nothing about which accounts exist.
    pub async fn authenticate_password(
        &self,
        login: &str,
        password: &str,
        ip: Option<std::net::IpAddr>,
    ) -> Result<LocalUser, CoreError> {
        self.check_sign_in(ip).await?;
        let refused = || CoreError::Unauthorized("invalid username or password".into());
        let user = if login.contains('@') {
            self.store.local_user_by_email(login).await?
        } else {
            self.store.local_user_by_username(login).await?
        };
        let Some(user) = user else {
            // Spend the same time as a real check.
            let _ = hash_password(password.to_owned()).await;
            return Err(refused());
        };
        let check = check_password(password.to_owned(), user.password_hash.clone()).await?;
        if check == PasswordCheck::Wrong {
            return Err(refused());
        }
        if user.account.suspended_at.is_some() {
            return Err(CoreError::Forbidden(
                "your login is currently disabled".into(),
            ));
        }
        if !user.approved {
            return Err(CoreError::Forbidden(
                "your account is awaiting approval".into(),
            ));
        }
        if self.store.moderation_state(user.account.id).await?.disabled {
            return Err(CoreError::Forbidden(
                "your login is currently disabled".into(),
            ));
        }
        if check == PasswordCheck::RightOutdated {
            // An imported hash (PBKDF2, bcrypt) is replaced by an argon2id one the first
            // time its password is seen; a failure here must not refuse the sign-in.
            match hash_password(password.to_owned()).await {
                Ok(hash) => {
                    self.store.set_password_hash(user.account.id, &hash).await?;
                    tracing::info!(
                        account = user.account.id.0,
                        "password re-hashed with argon2id"
                    );
                }
                Err(err) => tracing::warn!(account = user.account.id.0, "re-hashing: {err}"),
            }
        }
        self.store
            .record_sign_in(user.account.id, self.clock.now())
            .await?;
        self.remember_ip(user.account.id, ip).await?;
        Ok(user)
    }

    /// Sets a new password and signs the user out everywhere.
    pub async fn set_password(&self, username: &str, password: String) -> Result<(), CoreError> {
        validate_password(&password)?;
        let user = self.local_user_named(username).await?;
        let hash = hash_password(password).await?;
        self.store.set_password_hash(user.account.id, &hash).await?;
        self.store
            .revoke_account_tokens(user.account.id, self.clock.now())
            .await?;
        Ok(())
    }

    pub async fn set_role(&self, username: &str, role: Role) -> Result<LocalUser, CoreError> {
        let user = self.local_user_named(username).await?;
        self.store.set_role(user.account.id, role).await?;
        self.local_user_named(username).await
    }

    /// Suspends a user: they can no longer sign in and their tokens stop working.
    pub async fn suspend(&self, username: &str) -> Result<LocalUser, CoreError> {
        let user = self.local_user_named(username).await?;
        let now = self.clock.now();
        self.store.set_suspended(user.account.id, Some(now)).await?;
        self.store
            .revoke_account_tokens(user.account.id, now)
            .await?;
        self.local_user_named(username).await
    }

    pub async fn unsuspend(&self, username: &str) -> Result<LocalUser, CoreError> {
        let user = self.local_user_named(username).await?;
        self.store.set_suspended(user.account.id, None).await?;
        self.local_user_named(username).await
    }

    /// Deletes a local user and everything that belongs to them (see `crate::leaving`:
    /// the login goes at once, the content by the job queue).
    pub async fn delete_user(&self, username: &str) -> Result<(), CoreError> {
        let user = self.local_user_named(username).await?;
        self.delete_account(&user.account, None).await?;
        tracing::info!(username, "local user deleted by the admin CLI");
        Ok(())
    }
}

impl Core {
    /// How many statuses local users have posted.
    pub async fn local_status_count(&self) -> Result<i64, CoreError> {
        Ok(self.store.count_local_statuses().await?)
    }

    /// How many other servers this one knows accounts of.
    pub async fn known_domain_count(&self) -> Result<i64, CoreError> {
        Ok(self.store.count_known_domains().await?)
    }
}

impl Core {
    /// A user changes their own password: the current one must be right. Every other token
    /// of theirs (apps, other browsers) is revoked, as after any password change; the
    /// session `keep_token` that made the change stays signed in.
    pub async fn change_own_password(
        &self,
        user: &LocalUser,
        current: &str,
        new: String,
        keep_token: Option<&str>,
    ) -> Result<(), CoreError> {
        let stored = self
            .store
            .local_user(user.account.id)
            .await?
            .ok_or(CoreError::NotFound)?;
        if !verify_password(current.to_owned(), stored.password_hash).await? {
            return Err(CoreError::invalid("current password is incorrect"));
        }
        validate_password(&new)?;
        let hash = hash_password(new).await?;
        self.store.set_password_hash(user.account.id, &hash).await?;
        let now = self.clock.now();
        match keep_token {
            Some(token) => {
                self.store
                    .revoke_account_tokens_except(
                        user.account.id,
                        &crate::oauth::token_digest(token),
                        now,
                    )
                    .await?
            }
            None => {
                self.store
                    .revoke_account_tokens(user.account.id, now)
                    .await?
            }
        };
        tracing::info!(account = user.account.id.0, "password changed by its owner");
        Ok(())
    }

    /// Sets a user's interface language (a tag such as `fr`; the web interface only offers
    /// the languages it has).
    pub async fn set_locale(&self, user: &LocalUser, locale: &str) -> Result<(), CoreError> {
        let valid = !locale.is_empty()
            && locale.len() <= 16
            && locale
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(CoreError::invalid("locale is invalid"));
        }
        self.store.set_locale(user.account.id, locale).await?;
        Ok(())
    }

    /// The account `username` (local when `domain` is `None` or this instance's domain),
    /// suspended or not: a page says "suspended" rather than "not found" for those.
    pub async fn account_by_handle(
        &self,
        username: &str,
        domain: Option<&str>,
    ) -> Result<Account, CoreError> {
        let domain = domain.filter(|d| !d.eq_ignore_ascii_case(&self.config.domain));
        self.store
            .account_by_acct(username, domain)
            .await?
            .ok_or(CoreError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_and_passwords_are_checked() {
        assert!(validate_email("a@b.example").is_ok());
        assert!(validate_email("a@localhost").is_ok());
        for bad in ["", "ab", "@b", "a@", "a b@c", "a@b@c"] {
            assert!(validate_email(bad).is_err(), "{bad}");
        }
        assert!(validate_password("").is_err());
        assert!(validate_password("short").is_err());
        assert!(validate_password("long enough").is_ok());
    }

    #[tokio::test]
    async fn passwords_verify_against_their_hash() {
        let hash = hash_password("correct horse".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            verify_password("correct horse".into(), hash.clone())
                .await
                .unwrap()
        );
        assert!(!verify_password("wrong horse".into(), hash).await.unwrap());
        assert!(
            !verify_password("x".into(), "not a hash".into())
                .await
                .unwrap()
        );
    }

    /// Akkoma's fixture hash of `akkoma-test-password` (PBKDF2-HMAC-SHA512, 160,000 rounds).
    const PLEROMA_HASH: &str = "$pbkdf2-sha512$160000$OWQChk06TfJwWO8B6HJuvA$InxahM1/A41HTlrS/jHZcywFl3CS.apKfZ5TXlQwTJ7G55VM5c96XtuK/GqmCgOw7vQMF7/J/SczeG.7BSLt7Q";

    #[tokio::test]
    async fn akkoma_hashes_verify_and_ask_to_be_replaced() {
        let check = |password: &str, hash: &str| check_password(password.into(), hash.into());
        assert_eq!(
            check("akkoma-test-password", PLEROMA_HASH).await.unwrap(),
            PasswordCheck::RightOutdated
        );
        assert_eq!(
            check("akkoma-test-passwore", PLEROMA_HASH).await.unwrap(),
            PasswordCheck::Wrong
        );
        // A damaged hash is a wrong password, never a panic.
        for broken in [
            "$pbkdf2-sha512$0$OWQChk06TfJwWO8B6HJuvA$InxahM1",
            "$pbkdf2-sha512$160000$!!$InxahM1",
            "$pbkdf2-md5$1000$OWQChk06TfJwWO8B6HJuvA$InxahM1",
            "$pbkdf2-sha512$160000$OWQChk06TfJwWO8B6HJuvA$",
            "$2b$04$short",
        ] {
            assert_eq!(
                check("x", broken).await.unwrap(),
                PasswordCheck::Wrong,
                "{broken}"
            );
        }
        let bcrypt_hash = bcrypt::hash("mastodon era", 4).unwrap();
        assert_eq!(
            check("mastodon era", &bcrypt_hash).await.unwrap(),
            PasswordCheck::RightOutdated
        );
        // Ruby's bcrypt writes `$2a$`; the variants differ only in name.
        let ruby = bcrypt_hash.replacen("$2b$", "$2a$", 1);
        assert_eq!(
            check("mastodon era", &ruby).await.unwrap(),
            PasswordCheck::RightOutdated
        );
        assert_eq!(
            check("other", &bcrypt_hash).await.unwrap(),
            PasswordCheck::Wrong
        );
        let ours = hash_password("ours now".into()).await.unwrap();
        assert_eq!(
            check("ours now", &ours).await.unwrap(),
            PasswordCheck::Right
        );
    }
}
