//! Confirmation of sign-ups' e-mail addresses, mailed through a real SMTP exchange with a
//! sink on loopback.

mod support;

use std::time::Duration;

use rhizome_core::email::SendConfirmation;
use serde_json::json;
use support::api::local_with;
use support::smtp::{quoted_printable_decoded, smtp_sink};

#[tokio::test]
async fn sign_ups_open_nothing_until_the_mailed_link_is_followed() {
    let (port, mail) = smtp_sink().await;
    let smtp_url = format!("smtp://127.0.0.1:{port}");
    let app = local_with(&[
        ("RHIZOME_EMAIL_SMTP_URL", &smtp_url),
        ("RHIZOME_EMAIL_FROM", "Rhizome <noreply@localhost>"),
        ("RHIZOME_EMAIL_REQUIRE_CONFIRMATION", "true"),
    ])
    .await;
    let app_token = app.app().await.token.clone();
    let issued = app
        .post("/api/v1/accounts")
        .token(&app_token)
        .json(json!({
            "username": "dora",
            "email": "dora@example.org",
            "password": "a long enough password",
            "agreement": true,
            "locale": "en",
        }))
        .ok()
        .await;
    let token = issued["access_token"].as_str().unwrap().to_owned();
    let refused = app
        .get("/api/v1/accounts/verify_credentials")
        .token(&token)
        .send()
        .await;
    assert_eq!(
        refused.error(403),
        "Your login is missing a confirmed e-mail address"
    );

    // In-process instances run no workers: the queued job is run here.
    let account_id = app
        .core
        .store
        .local_user_by_username("dora")
        .await
        .unwrap()
        .unwrap()
        .account
        .id;
    app.core
        .send_confirmation(SendConfirmation { account_id })
        .await
        .unwrap();
    let message = tokio::time::timeout(Duration::from_secs(20), mail)
        .await
        .expect("a mail within 20 s")
        .expect("the sink's message");
    assert!(message.contains("To: dora@example.org"), "{message}");
    let message = quoted_printable_decoded(&message);
    let link_start = message
        .find("/auth/confirmation?")
        .expect("a confirmation link");
    let path: String = message[link_start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();

    let unknown = app
        .get("/auth/confirmation?confirmation_token=not-a-token")
        .send()
        .await;
    assert_eq!(unknown.status.as_u16(), 404);
    let confirmed = app.get(&path).send().await;
    assert_eq!(confirmed.status.as_u16(), 200, "{}", confirmed.text());
    assert!(confirmed.text().contains("Address confirmed"));
    let me = app
        .get("/api/v1/accounts/verify_credentials")
        .token(&token)
        .ok()
        .await;
    assert_eq!(me["username"], "dora");
    // A link works once.
    assert_eq!(app.get(&path).send().await.status.as_u16(), 404);
}

#[tokio::test]
async fn without_the_requirement_sign_ups_are_in_at_once() {
    let app = local_with(&[]).await;
    let dora = app.register("dora").await;
    app.get("/api/v1/accounts/verify_credentials")
        .auth(&dora)
        .ok()
        .await;
}
