//! Web Push cryptography, all from aws-lc-rs primitives: the instance's VAPID key pair and the
//! JWTs it signs (RFC 8292), the encryption of messages for a subscription (RFC 8291 with
//! RFC 8188's `aes128gcm`, and the earlier drafts' `aesgcm` that Mastodon used before 4.4),
//! and the sealing of the access tokens subscriptions keep.

use aws_lc_rs::agreement::{self, ECDH_P256, PrivateKey, UnparsedPublicKey};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use aws_lc_rs::{aead, hkdf};
use base64::Engine;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};

/// The one record size we send (RFC 8291 §4: push services need not accept more).
pub const RECORD_SIZE: u32 = 4096;

/// The largest message one `aes128gcm` record carries: 4096 minus the header (86 bytes), the
/// tag (16) and the delimiter (1). `aesgcm` fits the same with room to spare.
pub const MAX_PLAINTEXT: usize = 3993;

/// A P-256 public key, uncompressed.
const PUBLIC_KEY_LEN: usize = 65;
const SALT_LEN: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushCryptoError {
    #[error("the subscription's key is not a P-256 public key")]
    InvalidKey,
    #[error("the message is longer than {MAX_PLAINTEXT} bytes")]
    TooLarge,
    #[error("a cryptographic operation failed")]
    Failure,
}

impl From<aws_lc_rs::error::Unspecified> for PushCryptoError {
    fn from(_: aws_lc_rs::error::Unspecified) -> Self {
        PushCryptoError::Failure
    }
}

/// Base64 as clients send keys: URL-safe or standard alphabet, padded or not.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let normalized: String = text
        .trim()
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            other => other,
        })
        .collect();
    URL_SAFE_NO_PAD.decode(normalized).ok()
}

pub fn encode_base64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether `bytes` is an uncompressed point on P-256 (what browsers give as `p256dh`).
pub fn valid_p256dh(bytes: &[u8]) -> bool {
    if bytes.len() != PUBLIC_KEY_LEN || bytes[0] != 4 {
        return false;
    }
    // Agreeing with a throwaway key is the check: aws-lc refuses points off the curve.
    PrivateKey::generate(&ECDH_P256).is_ok_and(|key| {
        agreement::agree(&key, UnparsedPublicKey::new(&ECDH_P256, bytes), (), |_| {
            Ok(())
        })
        .is_ok()
    })
}

/// The instance's VAPID key pair, kept among the instance secrets.
#[derive(Clone, Serialize, Deserialize)]
pub struct VapidKeys {
    /// PKCS#8, base64url.
    private_pkcs8: String,
    /// Uncompressed P-256 point, base64url without padding.
    public_key: String,
}

impl VapidKeys {
    pub fn generate() -> Result<VapidKeys, PushCryptoError> {
        let document =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())?;
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, document.as_ref())
            .map_err(|_| PushCryptoError::Failure)?;
        Ok(VapidKeys {
            private_pkcs8: URL_SAFE_NO_PAD.encode(document.as_ref()),
            public_key: URL_SAFE_NO_PAD.encode(pair.public_key().as_ref()),
        })
    }

    fn pair(&self) -> Result<EcdsaKeyPair, PushCryptoError> {
        let der = URL_SAFE_NO_PAD
            .decode(&self.private_pkcs8)
            .map_err(|_| PushCryptoError::Failure)?;
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der)
            .map_err(|_| PushCryptoError::Failure)
    }

    /// The public key as the `k=` of `Authorization: vapid` and `p256ecdsa=` want it.
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    /// The public key as Mastodon shows it to clients (`vapid_key`, `server_key`): URL-safe
    /// base64 with padding, which browsers' `applicationServerKey` decoders all accept.
    pub fn server_key(&self) -> String {
        URL_SAFE_NO_PAD
            .decode(&self.public_key)
            .map(|bytes| URL_SAFE.encode(bytes))
            .unwrap_or_default()
    }

    /// An ES256 JWT for the push service at `audience` (its origin), valid until `expires`
    /// (seconds since the epoch), naming `subject` (`mailto:` or an https URL) as contact.
    pub fn jwt(
        &self,
        audience: &str,
        subject: &str,
        expires: i64,
    ) -> Result<String, PushCryptoError> {
        let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({ "aud": audience, "exp": expires, "sub": subject });
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signing_input = format!("{header}.{claims}");
        // The fixed-length signature (r ‖ s) is exactly JWS's ES256 form.
        let signature = self
            .pair()?
            .sign(&SystemRandom::new(), signing_input.as_bytes())?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.as_ref())
        ))
    }
}

/// A message encrypted for one subscription.
pub struct Encrypted {
    pub body: Vec<u8>,
    /// For `aesgcm`'s `Encryption: salt=…` (inside the body for `aes128gcm`).
    pub salt: [u8; SALT_LEN],
    /// Our one-time public key, for `aesgcm`'s `Crypto-Key: dh=…` (inside the body for
    /// `aes128gcm`).
    pub server_public: Vec<u8>,
}

struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// HKDF-SHA256: extract with `salt`, expand with the concatenated `info` to `len` bytes.
fn hkdf(salt: &[u8], ikm: &[u8], info: &[&[u8]], len: usize) -> Result<Vec<u8>, PushCryptoError> {
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(ikm);
    let mut out = vec![0u8; len];
    prk.expand(info, Len(len))?.fill(&mut out)?;
    Ok(out)
}

/// AES-128-GCM over `record` in place, tag appended.
fn seal(cek: &[u8], nonce: &[u8], record: &mut Vec<u8>) -> Result<(), PushCryptoError> {
    let key = aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_128_GCM, cek)?);
    let nonce = aead::Nonce::try_assume_unique_for_key(nonce)?;
    key.seal_in_place_append_tag(nonce, aead::Aad::empty(), record)?;
    Ok(())
}

/// Encrypts `plaintext` for the user agent key `p256dh` and secret `auth`, with a fresh key
/// pair and salt: `aes128gcm` when `standard`, else the drafts' `aesgcm`.
pub fn encrypt(
    standard: bool,
    plaintext: &[u8],
    p256dh: &[u8],
    auth: &[u8],
) -> Result<Encrypted, PushCryptoError> {
    let ephemeral = PrivateKey::generate(&ECDH_P256)?;
    let mut salt = [0u8; SALT_LEN];
    aws_lc_rs::rand::fill(&mut salt)?;
    encrypt_with(standard, plaintext, p256dh, auth, &ephemeral, salt)
}

fn encrypt_with(
    standard: bool,
    plaintext: &[u8],
    p256dh: &[u8],
    auth: &[u8],
    ephemeral: &PrivateKey,
    salt: [u8; SALT_LEN],
) -> Result<Encrypted, PushCryptoError> {
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(PushCryptoError::TooLarge);
    }
    let server_public = ephemeral.compute_public_key()?.as_ref().to_vec();
    let shared = agreement::agree(
        ephemeral,
        UnparsedPublicKey::new(&ECDH_P256, p256dh),
        PushCryptoError::InvalidKey,
        |secret| Ok(secret.to_vec()),
    )?;
    let body = if standard {
        // RFC 8291 §3.4: the auth secret and both public keys go into the key material…
        let ikm = hkdf(
            auth,
            &shared,
            &[b"WebPush: info\0", p256dh, &server_public],
            32,
        )?;
        // …then RFC 8188 §2.2-2.3 derives the content key and nonce with the salt.
        let cek = hkdf(&salt, &ikm, &[b"Content-Encoding: aes128gcm\0"], 16)?;
        let nonce = hkdf(&salt, &ikm, &[b"Content-Encoding: nonce\0"], 12)?;
        let mut record = Vec::with_capacity(plaintext.len() + 17);
        record.extend_from_slice(plaintext);
        record.push(2); // the last (and only) record's delimiter, no padding
        seal(&cek, &nonce, &mut record)?;
        let mut body = Vec::with_capacity(86 + record.len());
        body.extend_from_slice(&salt);
        body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
        body.push(PUBLIC_KEY_LEN as u8);
        body.extend_from_slice(&server_public);
        body.extend_from_slice(&record);
        body
    } else {
        // draft-ietf-webpush-encryption-04 over draft-ietf-httpbis-encryption-encoding-03.
        let ikm = hkdf(auth, &shared, &[b"Content-Encoding: auth\0"], 32)?;
        let mut context = Vec::with_capacity(6 + 2 * (2 + PUBLIC_KEY_LEN));
        context.extend_from_slice(b"P-256\0");
        context.extend_from_slice(&(PUBLIC_KEY_LEN as u16).to_be_bytes());
        context.extend_from_slice(p256dh);
        context.extend_from_slice(&(PUBLIC_KEY_LEN as u16).to_be_bytes());
        context.extend_from_slice(&server_public);
        let cek = hkdf(&salt, &ikm, &[b"Content-Encoding: aesgcm\0", &context], 16)?;
        let nonce = hkdf(&salt, &ikm, &[b"Content-Encoding: nonce\0", &context], 12)?;
        let mut record = Vec::with_capacity(plaintext.len() + 18);
        record.extend_from_slice(&[0, 0]); // no padding
        record.extend_from_slice(plaintext);
        seal(&cek, &nonce, &mut record)?;
        record
    };
    Ok(Encrypted {
        body,
        salt,
        server_public,
    })
}

/// Seals an access token under `key` (a 32-byte instance secret, base64url), bound to the
/// token's id: the subscription row then holds no usable token by itself.
pub fn seal_token(key: &str, token_id: i64, token: &str) -> Result<String, PushCryptoError> {
    let key = token_key(key)?;
    let mut nonce = [0u8; 12];
    aws_lc_rs::rand::fill(&mut nonce)?;
    let mut sealed = token.as_bytes().to_vec();
    key.seal_in_place_append_tag(
        aead::Nonce::assume_unique_for_key(nonce),
        aead::Aad::from(token_id.to_be_bytes()),
        &mut sealed,
    )?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    Ok(URL_SAFE_NO_PAD.encode(out))
}

/// The token [`seal_token`] sealed, or `None` when it does not open with this key and id.
pub fn open_token(key: &str, token_id: i64, sealed: &str) -> Option<String> {
    let key = token_key(key).ok()?;
    let mut bytes = URL_SAFE_NO_PAD.decode(sealed).ok()?;
    if bytes.len() < 12 {
        return None;
    }
    let mut sealed = bytes.split_off(12);
    let nonce = aead::Nonce::try_assume_unique_for_key(&bytes).ok()?;
    let plain = key
        .open_in_place(nonce, aead::Aad::from(token_id.to_be_bytes()), &mut sealed)
        .ok()?;
    String::from_utf8(plain.to_vec()).ok()
}

fn token_key(key: &str) -> Result<aead::LessSafeKey, PushCryptoError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(key)
        .map_err(|_| PushCryptoError::Failure)?;
    Ok(aead::LessSafeKey::new(aead::UnboundKey::new(
        &aead::AES_256_GCM,
        &bytes,
    )?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey as Verifier};

    fn b64(text: &str) -> Vec<u8> {
        decode_base64(text).unwrap()
    }

    /// RFC 8291 §5's example, byte for byte.
    #[test]
    fn rfc_8291_example() {
        let ephemeral = PrivateKey::from_private_key(
            &ECDH_P256,
            &b64("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"),
        )
        .unwrap();
        let salt: [u8; 16] = b64("DGv6ra1nlYgDCS1FRnbzlw").try_into().unwrap();
        let encrypted = encrypt_with(
            true,
            b"When I grow up, I want to be a watermelon",
            &b64("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"),
            &b64("BTBZMqHH6r4Tts7J_aSIgg"),
            &ephemeral,
            salt,
        )
        .unwrap();
        assert_eq!(
            encode_base64(&encrypted.body),
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml\
             mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT\
             pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
        );
    }

    #[test]
    fn keys_are_checked_and_messages_bounded() {
        let key = b64(
            "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
        );
        assert!(valid_p256dh(&key));
        let mut off_curve = key.clone();
        off_curve[64] ^= 1;
        assert!(!valid_p256dh(&off_curve));
        assert!(!valid_p256dh(&key[..64]));
        // The standard alphabet with padding decodes too.
        assert_eq!(decode_base64("+/8="), Some(vec![0xfb, 0xff]));
        assert!(decode_base64("not base64!").is_none());
        let auth = [7u8; 16];
        assert_eq!(
            encrypt(true, &[b'a'; MAX_PLAINTEXT + 1], &key, &auth).err(),
            Some(PushCryptoError::TooLarge)
        );
        let full = encrypt(true, &[b'a'; MAX_PLAINTEXT], &key, &auth).unwrap();
        assert_eq!(full.body.len(), RECORD_SIZE as usize);
    }

    #[test]
    fn vapid_jwts_verify_with_the_public_key() {
        let keys = VapidKeys::generate().unwrap();
        let jwt = keys
            .jwt(
                "https://push.example",
                "mailto:admin@example.org",
                1_800_000_000,
            )
            .unwrap();
        let (signed, signature) = jwt.rsplit_once('.').unwrap();
        let public = b64(keys.public_key());
        assert_eq!(public.len(), 65);
        Verifier::new(&ECDSA_P256_SHA256_FIXED, &public)
            .verify(signed.as_bytes(), &b64(signature))
            .unwrap();
        let claims: serde_json::Value =
            serde_json::from_slice(&b64(signed.split_once('.').unwrap().1)).unwrap();
        assert_eq!(claims["aud"], "https://push.example");
        assert_eq!(claims["exp"], 1_800_000_000);
        assert!(keys.server_key().ends_with('='));
        assert_eq!(b64(&keys.server_key()), public);
    }

    #[test]
    fn sealed_tokens_open_only_with_their_key_and_id() {
        let key = encode_base64(&[1u8; 32]);
        let sealed = seal_token(&key, 42, "the-token").unwrap();
        assert!(!sealed.contains("the-token"));
        assert_eq!(open_token(&key, 42, &sealed).as_deref(), Some("the-token"));
        assert_eq!(open_token(&key, 43, &sealed), None);
        assert_eq!(open_token(&encode_base64(&[2u8; 32]), 42, &sealed), None);
        assert_eq!(open_token(&key, 42, "short"), None);
    }
}
