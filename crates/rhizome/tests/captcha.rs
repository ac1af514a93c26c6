//! The built-in sign-up captcha (Akkoma's "native" kind).

mod support;

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use support::api::{Local, local_with};

/// The digits a challenge's image shows, found the way only the server could: by trying
/// every answer against the seal under the instance's key (the test reads the key).
fn answer_of(app: &Local, challenge: &Value) -> String {
    let token = challenge["token"].as_str().unwrap();
    let (expires, mac) = challenge["answer_data"]
        .as_str()
        .unwrap()
        .split_once('.')
        .unwrap();
    let mac = URL_SAFE_NO_PAD.decode(mac).unwrap();
    let key = hmac::Key::new(hmac::HMAC_SHA256, app.core.secrets.csrf_key.as_bytes());
    (0..100_000)
        .map(|n| format!("{n:05}"))
        .find(|answer| {
            hmac::verify(
                &key,
                format!("captcha|{token}|{expires}|{answer}").as_bytes(),
                &mac,
            )
            .is_ok()
        })
        .expect("one answer fits the seal")
}

async fn sign_up(
    app: &Local,
    username: &str,
    captcha: Option<(&Value, &str)>,
) -> support::api::Reply {
    let app_token = app.app().await.token.clone();
    let mut body = json!({
        "username": username,
        "email": format!("{username}@example.org"),
        "password": "a long enough password",
        "agreement": true,
        "locale": "en",
    });
    if let Some((challenge, solution)) = captcha {
        body["captcha_token"] = challenge["token"].clone();
        body["captcha_answer_data"] = challenge["answer_data"].clone();
        body["captcha_solution"] = json!(solution);
    }
    app.post("/api/v1/accounts")
        .token(&app_token)
        .json(body)
        .send()
        .await
}

#[tokio::test]
async fn sign_ups_need_no_captcha_unless_the_admin_asks() {
    let app = local_with(&[]).await;
    let none = app.get("/api/pleroma/captcha").ok().await;
    assert_eq!(none, json!({ "type": "none" }));
    sign_up(&app, "alice", None).await.expect(200);
}

#[tokio::test]
async fn a_captcha_is_answered_once_and_rightly() {
    let app = local_with(&[("RHIZOME_REGISTRATIONS_CAPTCHA", "true")]).await;
    assert_eq!(
        sign_up(&app, "alice", None).await.error(422),
        "Validation failed: captcha: CAPTCHA is required"
    );

    let challenge = app.get("/api/pleroma/captcha").ok().await;
    assert_eq!(challenge["type"], "native");
    assert_eq!(challenge["seconds_valid"], 300);
    let png = STANDARD
        .decode(
            challenge["url"]
                .as_str()
                .unwrap()
                .strip_prefix("data:image/png;base64,")
                .expect("a PNG data URL"),
        )
        .unwrap();
    let image = image::load_from_memory(&png).unwrap();
    assert_eq!((image.width(), image.height()), (200, 70));

    let answer = answer_of(&app, &challenge);
    let wrong = format!("{:05}", (answer.parse::<u32>().unwrap() + 1) % 100_000);
    assert_eq!(
        sign_up(&app, "alice", Some((&challenge, &wrong)))
            .await
            .error(422),
        "Validation failed: captcha: Invalid CAPTCHA"
    );
    // One try per challenge: the right answer comes too late for this one.
    assert_eq!(
        sign_up(&app, "alice", Some((&challenge, &answer)))
            .await
            .error(422),
        "Validation failed: captcha: Invalid CAPTCHA"
    );
    // A forged seal is refused.
    let mut forged = app.get("/api/pleroma/captcha").ok().await;
    forged["answer_data"] = json!(format!("{}.AAAA", i64::MAX));
    assert_eq!(
        sign_up(&app, "alice", Some((&forged, "00000")))
            .await
            .error(422),
        "Validation failed: captcha: Invalid CAPTCHA"
    );

    let fresh = app.get("/api/pleroma/captcha").ok().await;
    let answer = answer_of(&app, &fresh);
    let issued = sign_up(&app, "alice", Some((&fresh, &answer)))
        .await
        .expect(200);
    assert!(issued.json()["access_token"].is_string());
}
