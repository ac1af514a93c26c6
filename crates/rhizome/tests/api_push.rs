//! Web Push end to end: a real server pushes to a push service on loopback (an axum server in
//! the test), which decrypts what it receives with the subscription's private key and auth
//! secret — the test's own RFC 8291 / RFC 8188 code, HKDF written out over HMAC — and checks
//! the VAPID signature against the instance's public key. Plus the subscription API itself.

mod support;

use std::sync::{Arc, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::agreement::{self, ECDH_P256, PrivateKey, UnparsedPublicKey};
use aws_lc_rs::signature::{self, ECDSA_P256_SHA256_FIXED};
use aws_lc_rs::{aead, hmac};
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use support::api::{Api, PATIENCE, SharedServer, User, eventually, local, shared_server, text_of};
use tokio::sync::{Mutex, mpsc};

static SERVER: OnceLock<SharedServer> = OnceLock::new();

/// A server that may push to loopback over plain http (the fetch test switches).
fn server() -> &'static SharedServer {
    shared_server(
        &SERVER,
        &[
            ("RHIZOME_FEDERATION_ALLOW_HTTP", "true"),
            ("RHIZOME_FEDERATION_ALLOW_PRIVATE_ADDRESSES", "true"),
            ("RHIZOME_INSTANCE_CONTACT_EMAIL", "admin@push.test"),
        ],
    )
}

fn b64(text: &str) -> Vec<u8> {
    let text = text.trim_end_matches('=');
    URL_SAFE_NO_PAD
        .decode(text)
        .unwrap_or_else(|e| panic!("{text:?} is not base64url: {e}"))
}

// ---------------------------------------------------------------------------------------
// The push service: records every request, answers 201 (or 410 under `/gone/`).

struct Received {
    path: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

struct PushService {
    base: String,
    received: Mutex<mpsc::UnboundedReceiver<Received>>,
}

impl PushService {
    async fn start() -> PushService {
        let (sender, receiver) = mpsc::unbounded_channel();
        let sender = Arc::new(sender);
        let app = axum::Router::new().route(
            "/{*path}",
            axum::routing::post(
                move |uri: axum::http::Uri, headers: HeaderMap, body: Bytes| {
                    let sender = sender.clone();
                    async move {
                        let path = uri.path().to_owned();
                        let gone = path.starts_with("/gone/");
                        let _ = sender.send(Received {
                            path,
                            headers,
                            body: body.to_vec(),
                        });
                        if gone {
                            StatusCode::GONE
                        } else {
                            StatusCode::CREATED
                        }
                    }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        PushService {
            base: format!("http://{address}"),
            received: Mutex::new(receiver),
        }
    }

    /// The next push, within [`PATIENCE`].
    async fn next(&self) -> Received {
        tokio::time::timeout(PATIENCE, self.received.lock().await.recv())
            .await
            .expect("a push within the patience")
            .expect("the push service is running")
    }

    /// The pushes received so far, without waiting.
    async fn drain(&self) -> Vec<Received> {
        let mut receiver = self.received.lock().await;
        let mut all = Vec::new();
        while let Ok(push) = receiver.try_recv() {
            all.push(push);
        }
        all
    }
}

// ---------------------------------------------------------------------------------------
// The user agent's side: its keys, and decryption written independently of the server.

struct Device {
    private: PrivateKey,
    public: Vec<u8>,
    auth: [u8; 16],
}

impl Device {
    fn new() -> Device {
        let private = PrivateKey::generate(&ECDH_P256).unwrap();
        let public = private.compute_public_key().unwrap().as_ref().to_vec();
        let mut auth = [0u8; 16];
        aws_lc_rs::rand::fill(&mut auth).unwrap();
        Device {
            private,
            public,
            auth,
        }
    }

    /// The keys as a browser's `PushSubscription.toJSON()` gives them.
    fn p256dh(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.public)
    }

    fn auth(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.auth)
    }

    fn shared_secret(&self, server_public: &[u8]) -> Vec<u8> {
        agreement::agree(
            &self.private,
            UnparsedPublicKey::new(&ECDH_P256, server_public),
            (),
            |secret| Ok(secret.to_vec()),
        )
        .expect("the server's key agrees with ours")
    }

    /// RFC 8291 over RFC 8188 (`aes128gcm`): the header carries salt, record size and the
    /// server's one-time key.
    fn decrypt_aes128gcm(&self, body: &[u8]) -> Vec<u8> {
        assert!(body.len() > 86, "a body too short for the header");
        let salt = &body[..16];
        let record_size = u32::from_be_bytes(body[16..20].try_into().unwrap());
        assert_eq!(record_size, 4096);
        let id_len = body[20] as usize;
        assert_eq!(id_len, 65, "the key id is the server's P-256 key");
        let server_public = &body[21..21 + id_len];
        let ciphertext = &body[21 + id_len..];
        assert!(ciphertext.len() <= record_size as usize, "one record");
        let ecdh = self.shared_secret(server_public);
        let mut key_info = b"WebPush: info\0".to_vec();
        key_info.extend_from_slice(&self.public);
        key_info.extend_from_slice(server_public);
        let ikm = hkdf(&self.auth, &ecdh, &key_info, 32);
        let cek = hkdf(salt, &ikm, b"Content-Encoding: aes128gcm\0", 16);
        let nonce = hkdf(salt, &ikm, b"Content-Encoding: nonce\0", 12);
        let mut plain = open(&cek, &nonce, ciphertext);
        // Padding is zeros after the delimiter; the last record's delimiter is 2.
        while plain.last() == Some(&0) {
            plain.pop();
        }
        assert_eq!(plain.pop(), Some(2), "the last record's delimiter");
        plain
    }

    /// The drafts' `aesgcm`: salt and the server's key travel in headers.
    fn decrypt_aesgcm(&self, headers: &HeaderMap, body: &[u8]) -> Vec<u8> {
        let salt = b64(param(header(headers, "encryption"), "salt").expect("salt="));
        let crypto_key = header(headers, "crypto-key");
        let server_public = b64(param(crypto_key, "dh").expect("dh="));
        let ecdh = self.shared_secret(&server_public);
        let ikm = hkdf(&self.auth, &ecdh, b"Content-Encoding: auth\0", 32);
        let mut context = b"P-256\0".to_vec();
        context.extend_from_slice(&[0, 65]);
        context.extend_from_slice(&self.public);
        context.extend_from_slice(&[0, 65]);
        context.extend_from_slice(&server_public);
        let cek = hkdf(
            &salt,
            &ikm,
            &[b"Content-Encoding: aesgcm\0".as_slice(), &context].concat(),
            16,
        );
        let nonce = hkdf(
            &salt,
            &ikm,
            &[b"Content-Encoding: nonce\0".as_slice(), &context].concat(),
            12,
        );
        let plain = open(&cek, &nonce, body);
        let padding = u16::from_be_bytes([plain[0], plain[1]]) as usize;
        plain[2 + padding..].to_vec()
    }
}

/// HKDF-SHA256 (RFC 5869) for outputs of one block, written out over HMAC.
fn hkdf(salt: &[u8], ikm: &[u8], info: &[u8], len: usize) -> Vec<u8> {
    assert!(len <= 32);
    let prk = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, salt), ikm);
    let okm = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, prk.as_ref()),
        &[info, &[1]].concat(),
    );
    okm.as_ref()[..len].to_vec()
}

fn open(cek: &[u8], nonce: &[u8], ciphertext: &[u8]) -> Vec<u8> {
    let key = aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_128_GCM, cek).unwrap());
    let mut buffer = ciphertext.to_vec();
    let plain = key
        .open_in_place(
            aead::Nonce::try_assume_unique_for_key(nonce).unwrap(),
            aead::Aad::empty(),
            &mut buffer,
        )
        .expect("the push decrypts with the subscription's keys");
    plain.to_vec()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("a {name} header in {headers:?}"))
        .to_str()
        .unwrap()
}

/// `name=value` among `;`- or `,`-separated parameters.
fn param<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.split([';', ','])
        .filter_map(|part| part.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// Checks a VAPID JWT: signed by `server_key`, for the push service's origin, short-lived.
fn check_jwt(jwt: &str, server_key: &[u8], audience: &str) -> Value {
    let (signed, signature) = jwt.rsplit_once('.').expect("a JWS");
    signature::UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, server_key)
        .verify(signed.as_bytes(), &b64(signature))
        .expect("the JWT is signed with the instance's VAPID key");
    let (header, claims) = signed.split_once('.').unwrap();
    let header: Value = serde_json::from_slice(&b64(header)).unwrap();
    assert_eq!(header["alg"], "ES256");
    let claims: Value = serde_json::from_slice(&b64(claims)).unwrap();
    assert_eq!(claims["aud"], audience);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let exp = claims["exp"].as_i64().expect("exp");
    assert!(exp > now && exp <= now + 24 * 3600, "exp {exp} (now {now})");
    assert_eq!(claims["sub"], "mailto:admin@push.test");
    claims
}

/// The instance's VAPID key as clients learn it.
async fn server_key(api: &Api) -> Vec<u8> {
    let instance = api.get("/api/v2/instance").ok().await;
    let key = b64(&text_of(&instance["configuration"]["vapid"], "public_key"));
    assert_eq!(key.len(), 65);
    assert_eq!(key[0], 4, "an uncompressed P-256 point");
    key
}

async fn subscribe(api: &Api, user: &User, endpoint: &str, device: &Device, data: Value) -> Value {
    api.post("/api/v1/push/subscription")
        .auth(user)
        .json(json!({
            "subscription": {
                "endpoint": endpoint,
                "keys": { "p256dh": device.p256dh(), "auth": device.auth() },
                "standard": true,
            },
            "data": data,
        }))
        .ok()
        .await
}

/// The push's JSON, after checking its headers and signature.
fn decrypt_standard(push: &Received, device: &Device, key: &[u8], audience: &str) -> Value {
    assert_eq!(header(&push.headers, "content-encoding"), "aes128gcm");
    assert_eq!(header(&push.headers, "ttl"), "172800");
    assert_eq!(header(&push.headers, "urgency"), "normal");
    let authorization = header(&push.headers, "authorization");
    let vapid = authorization
        .strip_prefix("vapid ")
        .unwrap_or_else(|| panic!("Authorization: vapid …, got {authorization}"));
    assert_eq!(b64(param(vapid, "k").expect("k=")), key);
    check_jwt(param(vapid, "t").expect("t="), key, audience);
    serde_json::from_slice(&device.decrypt_aes128gcm(&push.body)).expect("JSON")
}

async fn first_notification(api: &Api, user: &User, kind: &str) -> Value {
    eventually("the notification", || async {
        let list = api
            .get(&format!("/api/v1/notifications?types[]={kind}"))
            .auth(user)
            .ok()
            .await;
        list.as_array().and_then(|l| l.first().cloned())
    })
    .await
}

// ---------------------------------------------------------------------------------------
// Delivery.

#[tokio::test]
async fn a_mention_arrives_encrypted_and_signed() {
    let server = server();
    let api = server.api();
    let push = PushService::start().await;
    let key = server_key(&api).await;
    let alice = api.register("alice").await;
    let bob = api.register("bob").await;
    let device = Device::new();
    let endpoint = format!("{}/ok/alice", push.base);
    let subscription = subscribe(
        &api,
        &alice,
        &endpoint,
        &device,
        json!({ "alerts": { "mention": true }, "policy": "all" }),
    )
    .await;
    assert_eq!(subscription["alerts"]["mention"], true);

    api.post_status(&bob, &format!("hello @{} <3", alice.username), "public")
        .await;
    let received = push.next().await;
    assert_eq!(received.path, "/ok/alice");
    let message = decrypt_standard(&received, &device, &key, &push.base);
    let notification = first_notification(&api, &alice, "mention").await;
    assert_eq!(message["notification_type"], "mention");
    assert_eq!(
        message["notification_id"].to_string(),
        text_of(&notification, "id")
    );
    assert_eq!(message["access_token"], alice.token.as_str());
    assert_eq!(message["preferred_locale"], "en");
    assert_eq!(
        message["title"],
        format!("You were mentioned by {}", bob.username)
    );
    let body = text_of(&message, "body");
    assert!(body.contains("hello") && body.contains("<3"), "{body}");
    assert!(text_of(&message, "icon").starts_with("http"), "{message}");
}

#[tokio::test]
async fn legacy_subscriptions_receive_the_drafts_aesgcm() {
    let server = server();
    let api = server.api();
    let push = PushService::start().await;
    let key = server_key(&api).await;
    let alice = api.register("alice").await;
    let bob = api.register("bob").await;
    let device = Device::new();
    // A form, without `subscription[standard]`: what clients older than Mastodon 4.4 send.
    let subscription = api
        .post("/api/v1/push/subscription")
        .auth(&alice)
        .form(&[
            (
                "subscription[endpoint]",
                &format!("{}/ok/legacy", push.base),
            ),
            ("subscription[keys][p256dh]", &device.p256dh()),
            ("subscription[keys][auth]", &device.auth()),
            ("data[alerts][follow]", "true"),
        ])
        .ok()
        .await;
    assert_eq!(subscription["standard"], false);

    api.follow(&bob, &alice).await;
    let received = push.next().await;
    assert_eq!(header(&received.headers, "content-encoding"), "aesgcm");
    let jwt = header(&received.headers, "authorization")
        .strip_prefix("WebPush ")
        .expect("Authorization: WebPush <jwt>");
    check_jwt(jwt, &key, &push.base);
    let crypto_key = header(&received.headers, "crypto-key");
    assert_eq!(
        b64(param(crypto_key, "p256ecdsa").expect("p256ecdsa=")),
        key
    );
    let message: Value =
        serde_json::from_slice(&device.decrypt_aesgcm(&received.headers, &received.body)).unwrap();
    assert_eq!(message["notification_type"], "follow");
    assert_eq!(
        message["title"],
        format!("{} is now following you", bob.username)
    );
}

#[tokio::test]
async fn alerts_and_policy_choose_what_is_pushed() {
    let server = server();
    let api = server.api();
    let push = PushService::start().await;
    let key = server_key(&api).await;
    let alice = api.register("alice").await;
    let bob = api.register("bob").await;
    let carol = api.register("carol").await;
    let device = Device::new();
    subscribe(
        &api,
        &alice,
        &format!("{}/ok/choosy", push.base),
        &device,
        json!({ "alerts": { "mention": false, "follow": true } }),
    )
    .await;

    // A disabled alert sends nothing; an enabled one does.
    api.post_status(&bob, &format!("psst @{}", alice.username), "public")
        .await;
    server.settle().await;
    assert!(
        push.drain().await.is_empty(),
        "no push for a disabled alert"
    );
    api.follow(&bob, &alice).await;
    let follow = decrypt_standard(&push.next().await, &device, &key, &push.base);
    assert_eq!(follow["notification_type"], "follow");

    // Policy `none`: nothing at all.
    let updated = api
        .put("/api/v1/push/subscription")
        .auth(&alice)
        .form(&[("data[alerts][mention]", "true"), ("data[policy]", "none")])
        .ok()
        .await;
    assert_eq!(
        (
            updated["policy"].clone(),
            updated["alerts"]["mention"].clone()
        ),
        (json!("none"), json!(true))
    );
    api.post_status(&bob, &format!("again @{}", alice.username), "public")
        .await;
    server.settle().await;
    assert!(push.drain().await.is_empty(), "no push under policy none");

    // Policy `followed`: only accounts alice follows.
    api.put("/api/v1/push/subscription")
        .auth(&alice)
        .json(json!({ "data": { "policy": "followed" } }))
        .ok()
        .await;
    api.follow(&alice, &carol).await;
    api.post_status(&bob, &format!("stranger @{}", alice.username), "public")
        .await;
    api.post_status(&carol, &format!("friend @{}", alice.username), "public")
        .await;
    let mention = decrypt_standard(&push.next().await, &device, &key, &push.base);
    assert!(text_of(&mention, "body").contains("friend"), "{mention}");
    server.settle().await;
    assert!(
        push.drain().await.is_empty(),
        "only the followed account's push"
    );
}

#[tokio::test]
async fn a_gone_subscription_is_removed() {
    let server = server();
    let api = server.api();
    let push = PushService::start().await;
    let alice = api.register("alice").await;
    let bob = api.register("bob").await;
    let device = Device::new();
    subscribe(
        &api,
        &alice,
        &format!("{}/gone/alice", push.base),
        &device,
        json!({ "alerts": { "mention": true } }),
    )
    .await;
    api.post_status(&bob, &format!("hi @{}", alice.username), "public")
        .await;
    assert_eq!(push.next().await.path, "/gone/alice");
    eventually("the subscription to be removed", || async {
        let reply = api
            .get("/api/v1/push/subscription")
            .auth(&alice)
            .send()
            .await;
        (reply.status == StatusCode::NOT_FOUND).then_some(())
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// The subscription API.

#[tokio::test]
async fn subscriptions_are_created_shown_updated_and_deleted() {
    let server = server();
    let api = server.api();
    let alice = api.register("alice").await;
    let device = Device::new();
    let path = "/api/v1/push/subscription";
    api.get(path).auth(&alice).send().await.error(404);

    let created = subscribe(
        &api,
        &alice,
        "https://push.example/device/1",
        &device,
        json!({ "alerts": { "mention": true, "admin.sign_up": true, "poll": "1" }, "policy": "follower" }),
    )
    .await;
    assert_eq!(created["endpoint"], "https://push.example/device/1");
    assert_eq!(created["standard"], true);
    assert_eq!(created["policy"], "follower");
    for (alert, on) in [
        ("mention", true),
        ("admin.sign_up", true),
        ("poll", true),
        ("status", false),
        ("reblog", false),
        ("follow", false),
        ("follow_request", false),
        ("favourite", false),
        ("update", false),
        ("admin.report", false),
    ] {
        assert_eq!(created["alerts"][alert], on, "{alert} in {created}");
    }
    let key = server_key(&api).await;
    assert_eq!(
        URL_SAFE.decode(text_of(&created, "server_key")).unwrap(),
        key
    );
    assert!(created["id"].is_string());
    assert_eq!(api.get(path).auth(&alice).ok().await, created);

    // Only what is given changes; alerts named replace the set.
    let updated = api
        .put(path)
        .auth(&alice)
        .json(json!({ "data": { "alerts": { "favourite": true } } }))
        .ok()
        .await;
    assert_eq!(updated["id"], created["id"]);
    assert_eq!(updated["policy"], "follower");
    assert_eq!(
        (
            updated["alerts"]["favourite"].clone(),
            updated["alerts"]["mention"].clone()
        ),
        (json!(true), json!(false))
    );
    let updated = api
        .put(path)
        .auth(&alice)
        .form(&[("policy", "all")])
        .ok()
        .await;
    assert_eq!(updated["policy"], "all");
    assert_eq!(updated["alerts"]["favourite"], true);

    // Subscribing again with the same token replaces the subscription.
    let again = subscribe(
        &api,
        &alice,
        "https://push.example/device/2",
        &device,
        json!({}),
    )
    .await;
    assert_ne!(again["id"], created["id"]);
    assert_eq!(
        api.get(path).auth(&alice).ok().await["endpoint"],
        "https://push.example/device/2"
    );

    // Each token has its own.
    let other_token = api.token(&alice, "push").await;
    api.get(path).token(&other_token).send().await.error(404);

    assert_eq!(api.delete(path).auth(&alice).ok().await, json!({}));
    api.get(path).auth(&alice).send().await.error(404);
    // Deleting what is not there is fine, as in Mastodon.
    assert_eq!(api.delete(path).auth(&alice).ok().await, json!({}));
    api.put(path)
        .auth(&alice)
        .form(&[("policy", "none")])
        .send()
        .await
        .error(404);
}

#[tokio::test]
async fn the_push_scope_is_needed_and_keys_are_checked() {
    let server = server();
    let api = server.api();
    let alice = api.register("alice").await;
    let device = Device::new();
    let path = "/api/v1/push/subscription";
    let form = |endpoint: &str, p256dh: &str, auth: &str| {
        vec![
            ("subscription[endpoint]".to_owned(), endpoint.to_owned()),
            ("subscription[keys][p256dh]".to_owned(), p256dh.to_owned()),
            ("subscription[keys][auth]".to_owned(), auth.to_owned()),
        ]
    };
    let good = form("https://push.example/x", &device.p256dh(), &device.auth());
    let pairs = |fields: &[(String, String)]| -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish()
    };

    // No token: 401; a token without `push`: 403, for every method.
    api.get(path).send().await.error(401);
    api.post(path)
        .raw_form(&pairs(&good))
        .send()
        .await
        .error(401);
    let read_only = api.token(&alice, "read write").await;
    api.get(path).token(&read_only).send().await.error(403);
    api.post(path)
        .token(&read_only)
        .raw_form(&pairs(&good))
        .send()
        .await
        .error(403);
    api.put(path).token(&read_only).send().await.error(403);
    api.delete(path).token(&read_only).send().await.error(403);
    // An app's own token has no user to notify.
    let app_token = api.app().await.token.clone();
    api.get(path).token(&app_token).send().await.error(403);

    // Keys of the wrong length or off the curve, and unusable endpoints: 422.
    let short_key = URL_SAFE_NO_PAD.encode(&device.public[..33]);
    let mut off_curve = device.public.clone();
    off_curve[64] ^= 1;
    let off_curve = URL_SAFE_NO_PAD.encode(off_curve);
    let long_auth = URL_SAFE_NO_PAD.encode([1u8; 32]);
    for bad in [
        form("https://push.example/x", &short_key, &device.auth()),
        form("https://push.example/x", &off_curve, &device.auth()),
        form("https://push.example/x", "not base64!", &device.auth()),
        form("https://push.example/x", &device.p256dh(), &long_auth),
        form("https://push.example/x", &device.p256dh(), ""),
        form("not a url", &device.p256dh(), &device.auth()),
        form("ftp://push.example/x", &device.p256dh(), &device.auth()),
        form(
            &format!("https://push.example/{}", "x".repeat(3000)),
            &device.p256dh(),
            &device.auth(),
        ),
    ] {
        let message = api
            .post(path)
            .auth(&alice)
            .raw_form(&pairs(&bad))
            .send()
            .await
            .error(422);
        assert!(message.starts_with("Validation failed"), "{message}");
    }
    let mut bad_policy = good.clone();
    bad_policy.push(("data[policy]".into(), "everyone".into()));
    api.post(path)
        .auth(&alice)
        .raw_form(&pairs(&bad_policy))
        .send()
        .await
        .error(422);
    api.get(path).auth(&alice).send().await.error(404);

    // Keys in the standard alphabet with padding are accepted too.
    let standard_alphabet = base64::engine::general_purpose::STANDARD;
    let padded = form(
        "https://push.example/x",
        &standard_alphabet.encode(&device.public),
        &standard_alphabet.encode(device.auth),
    );
    api.post(path)
        .auth(&alice)
        .raw_form(&pairs(&padded))
        .ok()
        .await;
}

#[tokio::test]
async fn revoking_the_token_removes_its_subscription() {
    let server = server();
    let api = server.api();
    let alice = api.register("alice").await;
    let token = api.token(&alice, "read push").await;
    let device = Device::new();
    let user = User {
        token: token.clone(),
        ..alice.clone()
    };
    let created = subscribe(
        &api,
        &user,
        "https://push.example/revoked",
        &device,
        json!({}),
    )
    .await;
    let app = api.app().await.clone();
    api.post("/oauth/revoke")
        .form(&[
            ("client_id", app.client_id.as_str()),
            ("client_secret", app.client_secret.as_str()),
            ("token", token.as_str()),
        ])
        .ok()
        .await;
    api.get("/api/v1/push/subscription")
        .token(&token)
        .send()
        .await
        .error(401);
    let store = rhizome_store::Store::connect(
        &server.setup.database_url,
        rhizome_store::PoolSize { max_connections: 1 },
    )
    .await
    .unwrap();
    let id: rhizome_model::Id = text_of(&created, "id").parse().unwrap();
    assert_eq!(store.push_subscription(id).await.unwrap(), None);
    store.close().await;
}

/// The key is made once and kept in the database: every process of the instance, and every
/// place clients read it, shows the same one.
#[tokio::test]
async fn every_process_and_entity_shows_one_vapid_key() {
    let app = local().await;
    let key = app.core.vapid_server_key();
    assert_eq!(b64(&key).len(), 65);
    let created = app
        .post("/api/v1/apps")
        .json(json!({ "client_name": "Pusher", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read push" }))
        .ok()
        .await;
    assert_eq!(created["vapid_key"], key.as_str());
    let token = app
        .post("/oauth/token")
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &text_of(&created, "client_id")),
            ("client_secret", &text_of(&created, "client_secret")),
        ])
        .ok()
        .await;
    let verified = app
        .get("/api/v1/apps/verify_credentials")
        .token(&text_of(&token, "access_token"))
        .ok()
        .await;
    assert_eq!(verified["vapid_key"], key.as_str());
    let instance = app.get("/api/v2/instance").ok().await;
    assert_eq!(
        instance["configuration"]["vapid"]["public_key"],
        key.as_str()
    );

    let store = rhizome_store::Store::connect(app.database_url(), Default::default())
        .await
        .unwrap();
    let second = rhizome_core::Core::new(
        store,
        (*app.core.config).clone(),
        rhizome_core::Clock::default(),
    )
    .await
    .unwrap();
    assert_eq!(second.vapid_server_key(), key);
}

/// Without the test switches, pushes go to public https endpoints only.
#[tokio::test]
async fn endpoints_must_be_public_https_by_default() {
    let app = local().await;
    let alice = app.register("alice").await;
    let device = Device::new();
    for endpoint in [
        "http://push.example/x",
        "https://127.0.0.1/x",
        "https://[::1]/x",
        "https://10.0.0.8/x",
        "https://user:secret@push.example/x",
    ] {
        app.post("/api/v1/push/subscription")
            .auth(&alice)
            .form(&[
                ("subscription[endpoint]", endpoint),
                ("subscription[keys][p256dh]", &device.p256dh()),
                ("subscription[keys][auth]", &device.auth()),
            ])
            .send()
            .await
            .error(422);
    }
    let ok = app
        .post("/api/v1/push/subscription")
        .auth(&alice)
        .form(&[
            ("subscription[endpoint]", "https://push.example/x"),
            ("subscription[keys][p256dh]", &device.p256dh()),
            ("subscription[keys][auth]", &device.auth()),
        ])
        .ok()
        .await;
    assert_eq!(ok["endpoint"], "https://push.example/x");
}
