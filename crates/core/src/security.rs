//! Account security: TOTP two-factor sign-in with recovery codes, and the list of a user's
//! sessions and authorised apps.
//!
//! Two-factor follows RFC 6238 (HMAC-SHA-1, six digits, 30-second steps, one step of drift
//! either way); a code is accepted once. The secret is kept encrypted with AES-256-GCM under
//! a key derived from an instance secret, and is shown only while the user sets it up. The
//! first sign-in step hands out a short-lived signed challenge instead of a session, so the
//! second step needs no server-side state and works in any process.

use aws_lc_rs::{aead, hmac};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rhizome_model::{Id, LocalUser, Scopes, Timestamp};

use crate::accounts::verify_password;
use crate::oauth::token_digest;
use crate::{Core, CoreError};

/// Seconds per TOTP time step.
pub const TOTP_PERIOD: i64 = 30;
const TOTP_DIGITS: u32 = 6;
/// Bytes of a TOTP secret (RFC 4226 recommends 160 bits).
const SECRET_BYTES: usize = 20;
/// How many recovery codes a user gets.
pub const RECOVERY_CODES: usize = 10;
/// How long the first sign-in step stays good for the second.
pub const CHALLENGE_LIFETIME_MILLIS: i64 = 5 * 60 * 1000;
/// How many tokens the list of sessions and apps shows at most.
const MAX_LISTED_TOKENS: u32 = 200;

/// RFC 4648 base32 (what authenticator apps read), without padding.
pub mod base32 {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    pub fn encode(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
        let (mut buffer, mut bits) = (0u32, 0u32);
        for byte in bytes {
            buffer = (buffer << 8) | u32::from(*byte);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
            }
        }
        if bits > 0 {
            out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
        }
        out
    }

    /// Decodes base32, ignoring case, spaces and padding; `None` on any other character.
    pub fn decode(text: &str) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(text.len() * 5 / 8);
        let (mut buffer, mut bits) = (0u32, 0u32);
        for c in text.bytes().filter(|c| !matches!(c, b' ' | b'=')) {
            let value = ALPHABET.iter().position(|a| *a == c.to_ascii_uppercase())?;
            buffer = (buffer << 5) | value as u32;
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                out.push((buffer >> bits) as u8);
                buffer &= (1 << bits) - 1;
            }
        }
        Some(out)
    }
}

/// The TOTP code of `secret` for time step `step` (RFC 4226 §5.3 truncation).
pub fn totp_code(secret: &[u8], step: i64) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let tag = hmac::sign(&key, &step.to_be_bytes());
    let tag = tag.as_ref();
    let offset = usize::from(tag[tag.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        tag[offset] & 0x7f,
        tag[offset + 1],
        tag[offset + 2],
        tag[offset + 3],
    ]);
    format!(
        "{:0width$}",
        binary % 10u32.pow(TOTP_DIGITS),
        width = TOTP_DIGITS as usize
    )
}

/// The time step of a moment.
pub fn totp_step(at: Timestamp) -> i64 {
    at.0.div_euclid(1000 * TOTP_PERIOD)
}

/// Equal strings, compared in constant time.
fn same(a: &str, b: &str) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(a.as_bytes(), b.as_bytes()).is_ok()
}

/// A code as typed: spaces and dashes out, lower case (recovery codes are shown in groups).
fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// What the setup page shows: the secret to type in, or the URI to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwoFactorSetup {
    /// Base32, in groups of four for reading.
    pub secret: String,
    /// `otpauth://totp/…` for apps that read links or QR codes.
    pub uri: String,
}

/// Where a user stands with two-factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TwoFactorStatus {
    Off,
    /// Set up, waiting for a first code.
    Pending(TwoFactorSetup),
    On {
        recovery_codes_left: i64,
    },
}

/// A live token of the user's, for the list of sessions and apps.
#[derive(Debug, Clone)]
pub struct TokenSummary {
    pub id: Id,
    /// `None` for a web session (a token without an app).
    pub app_name: Option<String>,
    pub app_website: Option<String>,
    pub scopes: Scopes,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

impl Core {
    /// The AES-256-GCM key of stored two-factor secrets, derived from the instance's cookie
    /// key (HMAC-SHA-256 as a PRF, with its own label).
    fn two_factor_key(&self) -> Result<aead::RandomizedNonceKey, CoreError> {
        let master = hmac::Key::new(hmac::HMAC_SHA256, self.secrets.cookie_key.as_bytes());
        let derived = hmac::sign(&master, b"rhizome two-factor secrets v1");
        aead::RandomizedNonceKey::new(&aead::AES_256_GCM, derived.as_ref())
            .map_err(|_| CoreError::Internal("two-factor key".into()))
    }

    /// Encrypts a secret, bound to its account (a row copied to another account fails).
    fn seal_secret(&self, account_id: Id, secret: &[u8]) -> Result<String, CoreError> {
        let key = self.two_factor_key()?;
        let mut in_out = secret.to_vec();
        let nonce = key
            .seal_in_place_append_tag(aead::Aad::from(account_id.0.to_be_bytes()), &mut in_out)
            .map_err(|_| CoreError::Internal("two-factor secret sealing".into()))?;
        let mut sealed = nonce.as_ref().to_vec();
        sealed.extend_from_slice(&in_out);
        Ok(URL_SAFE_NO_PAD.encode(sealed))
    }

    fn open_secret(&self, account_id: Id, sealed: &str) -> Result<Vec<u8>, CoreError> {
        let corrupt = || CoreError::Internal("a stored two-factor secret does not open".into());
        let bytes = URL_SAFE_NO_PAD.decode(sealed).map_err(|_| corrupt())?;
        if bytes.len() < aead::NONCE_LEN {
            return Err(corrupt());
        }
        let (nonce, ciphertext) = bytes.split_at(aead::NONCE_LEN);
        let nonce = aead::Nonce::try_assume_unique_for_key(nonce).map_err(|_| corrupt())?;
        let mut in_out = ciphertext.to_vec();
        let key = self.two_factor_key()?;
        let plain = key
            .open_in_place(
                nonce,
                aead::Aad::from(account_id.0.to_be_bytes()),
                &mut in_out,
            )
            .map_err(|_| corrupt())?;
        Ok(plain.to_vec())
    }

    fn setup_of(&self, user: &LocalUser, secret: &[u8]) -> TwoFactorSetup {
        let encoded = base32::encode(secret);
        let grouped = encoded
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        let issuer = &self.config.domain;
        let uri = format!(
            "otpauth://totp/{}:{}?secret={encoded}&issuer={}&algorithm=SHA1&digits={TOTP_DIGITS}&period={TOTP_PERIOD}",
            percent_encode(issuer),
            percent_encode(&format!("{}@{issuer}", user.account.username)),
            percent_encode(issuer),
        );
        TwoFactorSetup {
            secret: grouped,
            uri,
        }
    }

    async fn check_own_password(&self, user: &LocalUser, password: &str) -> Result<(), CoreError> {
        let stored = self
            .store
            .local_user(user.account.id)
            .await?
            .ok_or(CoreError::NotFound)?;
        if verify_password(password.to_owned(), stored.password_hash).await? {
            Ok(())
        } else {
            Err(CoreError::invalid("current password is incorrect"))
        }
    }

    /// Whether a user signs in with a second factor.
    pub async fn two_factor_enabled(&self, account_id: Id) -> Result<bool, CoreError> {
        Ok(self
            .store
            .two_factor(account_id)
            .await?
            .is_some_and(|t| t.enabled_at.is_some()))
    }

    /// Where the user stands: off, set up and waiting for a first code (with the secret to
    /// show), or on (the secret is never shown again).
    pub async fn two_factor_status(&self, user: &LocalUser) -> Result<TwoFactorStatus, CoreError> {
        match self.store.two_factor(user.account.id).await? {
            None => Ok(TwoFactorStatus::Off),
            Some(row) if row.enabled_at.is_some() => Ok(TwoFactorStatus::On {
                recovery_codes_left: self.store.unused_recovery_codes(user.account.id).await?,
            }),
            Some(row) => {
                let secret = self.open_secret(user.account.id, &row.secret)?;
                Ok(TwoFactorStatus::Pending(self.setup_of(user, &secret)))
            }
        }
    }

    /// Starts setting two-factor up (the password proves it is the user, not a borrowed
    /// session): a new secret, not in force until [`Core::enable_two_factor`].
    pub async fn begin_two_factor_setup(
        &self,
        user: &LocalUser,
        password: &str,
    ) -> Result<TwoFactorSetup, CoreError> {
        self.check_own_password(user, password).await?;
        let mut secret = [0u8; SECRET_BYTES];
        rand::fill(&mut secret);
        let sealed = self.seal_secret(user.account.id, &secret)?;
        if !self
            .store
            .set_pending_two_factor(user.account.id, &sealed, self.clock.now())
            .await?
        {
            return Err(CoreError::Conflict(
                "two-factor authentication is already enabled".into(),
            ));
        }
        Ok(self.setup_of(user, &secret))
    }

    /// The time step `code` is valid for, within one step of now.
    fn matching_step(secret: &[u8], code: &str, now: Timestamp) -> Option<i64> {
        let step = totp_step(now);
        (step - 1..=step + 1).find(|s| same(&totp_code(secret, *s), code))
    }

    /// Turns two-factor on with a first code from the app; answers the recovery codes, shown
    /// once.
    pub async fn enable_two_factor(
        &self,
        user: &LocalUser,
        code: &str,
    ) -> Result<Vec<String>, CoreError> {
        let row = self
            .store
            .two_factor(user.account.id)
            .await?
            .filter(|row| row.enabled_at.is_none())
            .ok_or_else(|| CoreError::invalid("two-factor authentication is not being set up"))?;
        let secret = self.open_secret(user.account.id, &row.secret)?;
        let code = normalize_code(code);
        let now = self.clock.now();
        let step = Self::matching_step(&secret, &code, now)
            .ok_or_else(|| CoreError::invalid("the two-factor code is invalid"))?;
        let (codes, digests) = new_recovery_codes();
        if !self
            .store
            .enable_two_factor(user.account.id, step, &digests, now)
            .await?
        {
            return Err(CoreError::Conflict(
                "two-factor authentication is already enabled".into(),
            ));
        }
        tracing::info!(account = user.account.id.0, "two-factor sign-in enabled");
        Ok(codes)
    }

    /// Checks a second factor: a current TOTP code (each accepted once) or an unused
    /// recovery code (then spent). Refusals are `Unauthorized`.
    pub async fn check_second_factor(&self, account_id: Id, code: &str) -> Result<(), CoreError> {
        let refused = || CoreError::Unauthorized("the two-factor code is invalid".into());
        let code = normalize_code(code);
        if code.is_empty() || code.len() > 64 {
            return Err(refused());
        }
        let row = self
            .store
            .two_factor(account_id)
            .await?
            .filter(|row| row.enabled_at.is_some())
            .ok_or_else(refused)?;
        let now = self.clock.now();
        let accepted =
            if code.len() == TOTP_DIGITS as usize && code.bytes().all(|b| b.is_ascii_digit()) {
                let secret = self.open_secret(account_id, &row.secret)?;
                match Self::matching_step(&secret, &code, now) {
                    Some(step) => self.store.use_two_factor_step(account_id, step).await?,
                    None => false,
                }
            } else {
                let used = self
                    .store
                    .use_recovery_code(account_id, &token_digest(&code), now)
                    .await?;
                if used {
                    tracing::info!(account = account_id.0, "a recovery code was used");
                }
                used
            };
        if accepted { Ok(()) } else { Err(refused()) }
    }

    /// Turns two-factor off: the password and a code (or a recovery code) are needed.
    pub async fn disable_two_factor(
        &self,
        user: &LocalUser,
        password: &str,
        code: &str,
    ) -> Result<(), CoreError> {
        self.check_own_password(user, password).await?;
        if !self.two_factor_enabled(user.account.id).await? {
            return Err(CoreError::invalid(
                "two-factor authentication is not enabled",
            ));
        }
        self.check_second_factor(user.account.id, code)
            .await
            .map_err(wrong_code_is_invalid)?;
        self.store.disable_two_factor(user.account.id).await?;
        tracing::info!(account = user.account.id.0, "two-factor sign-in disabled");
        Ok(())
    }

    /// New recovery codes replacing the old ones (the password and a code are needed).
    pub async fn regenerate_recovery_codes(
        &self,
        user: &LocalUser,
        password: &str,
        code: &str,
    ) -> Result<Vec<String>, CoreError> {
        self.check_own_password(user, password).await?;
        self.check_second_factor(user.account.id, code)
            .await
            .map_err(wrong_code_is_invalid)?;
        let (codes, digests) = new_recovery_codes();
        self.store
            .replace_recovery_codes(user.account.id, &digests)
            .await?;
        Ok(codes)
    }

    /// After a right password: `None` when the user may be signed in now, or the challenge
    /// the second step must bring back with a code.
    pub async fn sign_in_challenge(&self, user: &LocalUser) -> Result<Option<String>, CoreError> {
        if !self.two_factor_enabled(user.account.id).await? {
            return Ok(None);
        }
        let issued_at = self.clock.now().0;
        let mac = hmac::sign(&self.challenge_key(), &challenge_message(user, issued_at));
        Ok(Some(format!(
            "{}.{issued_at}.{}",
            user.account.id.0,
            URL_SAFE_NO_PAD.encode(mac.as_ref())
        )))
    }

    /// Challenges are signed with the form-token key, under their own purpose.
    fn challenge_key(&self) -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, self.secrets.csrf_key.as_bytes())
    }

    /// The second sign-in step: a challenge from the first step and a code. Answers the
    /// user, checked again as the first step did.
    pub async fn complete_two_factor_sign_in(
        &self,
        challenge: &str,
        code: &str,
        ip: Option<std::net::IpAddr>,
    ) -> Result<LocalUser, CoreError> {
        self.check_sign_in(ip).await?;
        let expired = || CoreError::Unauthorized("the sign-in took too long; start again".into());
        let mut parts = challenge.splitn(3, '.');
        let (Some(account), Some(issued), Some(mac)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(expired());
        };
        let (Ok(account), Ok(issued_at), Ok(mac)) = (
            account.parse::<i64>(),
            issued.parse::<i64>(),
            URL_SAFE_NO_PAD.decode(mac),
        ) else {
            return Err(expired());
        };
        if !(0..=CHALLENGE_LIFETIME_MILLIS).contains(&(self.clock.now().0 - issued_at)) {
            return Err(expired());
        }
        let user = self
            .store
            .local_user(Id(account))
            .await?
            .ok_or_else(expired)?;
        if hmac::verify(
            &self.challenge_key(),
            &challenge_message(&user, issued_at),
            &mac,
        )
        .is_err()
        {
            return Err(expired());
        }
        if user.account.suspended_at.is_some()
            || self.store.moderation_state(user.account.id).await?.disabled
        {
            return Err(CoreError::Forbidden(
                "your login is currently disabled".into(),
            ));
        }
        self.check_second_factor(user.account.id, code).await?;
        self.remember_ip(user.account.id, ip).await?;
        Ok(user)
    }

    /// For `rhizome admin user disable-2fa`: a user who lost their app and their recovery
    /// codes signs in with the password alone again. False when two-factor was off.
    pub async fn admin_disable_two_factor(&self, username: &str) -> Result<bool, CoreError> {
        let user = self.local_user_named(username).await?;
        let done = self.store.disable_two_factor(user.account.id).await?;
        if done {
            tracing::info!(username, "two-factor sign-in disabled by an admin");
        }
        Ok(done)
    }

    /// The user's live tokens, newest first: web sessions and apps.
    pub async fn authorized_tokens(
        &self,
        user: &LocalUser,
    ) -> Result<Vec<TokenSummary>, CoreError> {
        let listed = self
            .store
            .account_tokens(user.account.id, self.clock.now(), MAX_LISTED_TOKENS)
            .await?;
        Ok(listed
            .into_iter()
            .map(|l| TokenSummary {
                id: l.token.id,
                app_name: l.app_name,
                app_website: l.app_website,
                scopes: l.token.scopes,
                created_at: l.token.created_at,
                last_used_at: l.token.last_used_at,
            })
            .collect())
    }

    /// Revokes one of the user's tokens; `NotFound` when it is not theirs or not live.
    pub async fn revoke_own_token(&self, user: &LocalUser, token_id: Id) -> Result<(), CoreError> {
        if self
            .store
            .revoke_account_token(user.account.id, token_id, self.clock.now())
            .await?
        {
            tracing::info!(
                account = user.account.id.0,
                token = token_id.0,
                "token revoked by its owner"
            );
            Ok(())
        } else {
            Err(CoreError::NotFound)
        }
    }
}

/// A refused code on a settings form is a mistake to show beside it, not a failed sign-in.
fn wrong_code_is_invalid(err: CoreError) -> CoreError {
    match err {
        CoreError::Unauthorized(_) => CoreError::invalid("the two-factor code is invalid"),
        other => other,
    }
}

/// What a sign-in challenge signs: the user, the moment, and their password hash (a password
/// change voids the challenges issued before it).
fn challenge_message(user: &LocalUser, issued_at: i64) -> Vec<u8> {
    format!(
        "two_factor|{}|{issued_at}|{}",
        user.account.id.0,
        token_digest(&user.password_hash)
    )
    .into_bytes()
}

/// Ten fresh recovery codes (`xxxxx-xxxxx`, 50 random bits each) and their digests.
fn new_recovery_codes() -> (Vec<String>, Vec<String>) {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 7];
            rand::fill(&mut bytes);
            let text = base32::encode(&bytes)[..10].to_ascii_lowercase();
            let shown = format!("{}-{}", &text[..5], &text[5..]);
            let digest = token_digest(&text);
            (shown, digest)
        })
        .unzip()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_follows_rfc_4648() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32::encode(plain.as_bytes()), encoded);
            assert_eq!(base32::decode(encoded).unwrap(), plain.as_bytes());
        }
        assert_eq!(base32::decode("mzxw 6ytb oi==").unwrap(), b"foobar");
        assert!(base32::decode("MZ1").is_none());
    }

    #[test]
    fn totp_follows_rfc_6238() {
        // Appendix B's SHA-1 vectors, last six digits of the eight shown there.
        let secret = b"12345678901234567890";
        for (seconds, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
            (20_000_000_000, "353130"),
        ] {
            let step = totp_step(Timestamp(seconds * 1000));
            assert_eq!(totp_code(secret, step), code, "{seconds}");
        }
    }

    #[test]
    fn codes_match_within_one_step() {
        let secret = b"12345678901234567890";
        let now = Timestamp(1_111_111_111_000);
        let step = totp_step(now);
        for delta in [-1, 0, 1] {
            let code = totp_code(secret, step + delta);
            assert_eq!(Core::matching_step(secret, &code, now), Some(step + delta));
        }
        let far = totp_code(secret, step + 2);
        assert_eq!(Core::matching_step(secret, &far, now), None);
    }

    #[test]
    fn recovery_codes_are_distinct_and_typed_loosely() {
        let (codes, digests) = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut unique = digests.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let typed = format!(" {} ", codes[0].to_uppercase());
        assert_eq!(token_digest(&normalize_code(&typed)), digests[0]);
        assert_eq!(percent_encode("a b:c@d"), "a%20b%3Ac%40d");
    }
}
