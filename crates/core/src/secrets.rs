//! Secrets every process of an instance must share, kept in the database and created once.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rhizome_federation::keys;
use rhizome_model::Timestamp;
use rhizome_store::Store;
use serde::{Deserialize, Serialize};

use crate::{Clock, CoreError};

/// The instance actor's key pair, the keys that protect cookies and forms, and Web Push's.
pub struct InstanceSecrets {
    pub instance_actor: ActorKeys,
    /// Signs session cookies.
    pub cookie_key: String,
    /// Derives CSRF tokens.
    pub csrf_key: String,
    /// Signs Web Push requests (VAPID, RFC 8292); its public half is the `server_key`
    /// clients subscribe with, so it must never change under them.
    pub vapid: crate::push::crypto::VapidKeys,
    /// Seals the access tokens push subscriptions keep (32 bytes, base64url).
    pub push_token_key: String,
}

#[derive(Clone, Serialize, Deserialize)]
pub struct ActorKeys {
    pub private_pem: String,
    pub public_pem: String,
}

/// Random bytes, base64url-encoded.
pub fn random_token(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::fill(buffer.as_mut_slice());
    URL_SAFE_NO_PAD.encode(buffer)
}

/// The shared secret `name`, made by `make` only if no process made it before.
async fn shared_secret(
    store: &Store,
    name: &str,
    now: Timestamp,
    make: impl FnOnce() -> Result<String, CoreError>,
) -> Result<String, CoreError> {
    if let Some(existing) = store.secret(name).await? {
        return Ok(existing);
    }
    let candidate = make()?;
    Ok(store.insert_secret_if_absent(name, &candidate, now).await?)
}

impl InstanceSecrets {
    pub async fn load_or_create(store: &Store, clock: &Clock) -> Result<Self, CoreError> {
        let now = clock.now();
        // One secret for the pair, so that two processes starting together cannot end up
        // with one's private key and the other's public key.
        let pair = shared_secret(store, "instance_actor_keys", now, || {
            let generated =
                keys::generate_rsa_2048().map_err(|e| CoreError::Internal(e.to_string()))?;
            serde_json::to_string(&ActorKeys {
                private_pem: generated.private_pem,
                public_pem: generated.public_pem,
            })
            .map_err(|e| CoreError::Internal(e.to_string()))
        })
        .await?;
        let instance_actor: ActorKeys = serde_json::from_str(&pair)
            .map_err(|e| CoreError::Internal(format!("instance actor keys: {e}")))?;
        let cookie_key = shared_secret(store, "cookie_key", now, || Ok(random_token(64))).await?;
        let csrf_key = shared_secret(store, "csrf_key", now, || Ok(random_token(64))).await?;
        let vapid = shared_secret(store, "vapid_keys", now, || {
            let keys = crate::push::crypto::VapidKeys::generate()
                .map_err(|e| CoreError::Internal(format!("VAPID keys: {e}")))?;
            serde_json::to_string(&keys).map_err(|e| CoreError::Internal(e.to_string()))
        })
        .await?;
        let vapid = serde_json::from_str(&vapid)
            .map_err(|e| CoreError::Internal(format!("VAPID keys: {e}")))?;
        let push_token_key =
            shared_secret(store, "push_token_key", now, || Ok(random_token(32))).await?;
        Ok(InstanceSecrets {
            instance_actor,
            cookie_key,
            csrf_key,
            vapid,
            push_token_key,
        })
    }
}

/// Form tokens against cross-site request forgery: a timestamp signed with the instance's
/// CSRF key, so that any process can check them without shared session state.
pub mod csrf {
    use aws_lc_rs::hmac;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    /// How long a form stays valid.
    pub const LIFETIME_MILLIS: i64 = 2 * 3600 * 1000;

    fn tag(key: &str, purpose: &str, issued_at: i64) -> Vec<u8> {
        let key = hmac::Key::new(hmac::HMAC_SHA256, key.as_bytes());
        hmac::sign(&key, format!("{purpose}|{issued_at}").as_bytes())
            .as_ref()
            .to_vec()
    }

    pub fn issue(key: &str, purpose: &str, now_millis: i64) -> String {
        format!(
            "{now_millis}.{}",
            URL_SAFE_NO_PAD.encode(tag(key, purpose, now_millis))
        )
    }

    pub fn verify(key: &str, purpose: &str, token: &str, now_millis: i64) -> bool {
        let Some((issued, signature)) = token.split_once('.') else {
            return false;
        };
        let Ok(issued_at) = issued.parse::<i64>() else {
            return false;
        };
        let Ok(signature) = URL_SAFE_NO_PAD.decode(signature) else {
            return false;
        };
        let fresh = (0..=LIFETIME_MILLIS).contains(&(now_millis - issued_at));
        let key = hmac::Key::new(hmac::HMAC_SHA256, key.as_bytes());
        fresh
            && hmac::verify(
                &key,
                format!("{purpose}|{issued_at}").as_bytes(),
                &signature,
            )
            .is_ok()
    }

    /// A token bound to a signed-in session instead of a time: forms of a page left open stay
    /// valid as long as the session, and a token never works for another session.
    pub fn for_session(key: &str, session: &str) -> String {
        let key = hmac::Key::new(hmac::HMAC_SHA256, key.as_bytes());
        URL_SAFE_NO_PAD.encode(hmac::sign(&key, format!("session|{session}").as_bytes()))
    }

    pub fn verify_for_session(key: &str, session: &str, token: &str) -> bool {
        let Ok(signature) = URL_SAFE_NO_PAD.decode(token) else {
            return false;
        };
        let key = hmac::Key::new(hmac::HMAC_SHA256, key.as_bytes());
        hmac::verify(&key, format!("session|{session}").as_bytes(), &signature).is_ok()
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn session_tokens_are_bound_to_key_and_session() {
            let token = super::for_session("k", "session-a");
            assert!(super::verify_for_session("k", "session-a", &token));
            assert!(!super::verify_for_session("k", "session-b", &token));
            assert!(!super::verify_for_session("other", "session-a", &token));
            assert!(!super::verify_for_session("k", "session-a", "not base64!"));
        }

        #[test]
        fn tokens_are_bound_to_key_purpose_and_time() {
            let token = super::issue("k", "authorize", 1_000);
            assert!(super::verify("k", "authorize", &token, 2_000));
            assert!(!super::verify("other", "authorize", &token, 2_000));
            assert!(!super::verify("k", "login", &token, 2_000));
            assert!(!super::verify(
                "k",
                "authorize",
                &token,
                1_000 + super::LIFETIME_MILLIS + 1
            ));
            assert!(!super::verify("k", "authorize", "garbage", 2_000));
        }
    }
}
