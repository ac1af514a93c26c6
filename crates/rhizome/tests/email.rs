//! Confirmation of sign-ups' e-mail addresses, mailed through a real SMTP exchange with a
//! sink on loopback.

mod support;

use std::time::Duration;

use rhizome_core::email::SendConfirmation;
use serde_json::json;
use support::api::local_with;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// Accepts one SMTP session and hands over the message's data (bounded in lines and time).
async fn smtp_sink() -> (u16, oneshot::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (sender, receiver) = oneshot::channel();
    tokio::spawn(async move {
        let session = async {
            let (stream, _) = listener.accept().await.ok()?;
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read).lines();
            write.write_all(b"220 sink ESMTP\r\n").await.ok()?;
            let mut data = String::new();
            let mut in_data = false;
            for _ in 0..1000 {
                let line = lines.next_line().await.ok()??;
                if in_data {
                    if line == "." {
                        in_data = false;
                        write.write_all(b"250 queued\r\n").await.ok()?;
                    } else {
                        data.push_str(&line);
                        data.push('\n');
                    }
                    continue;
                }
                let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
                let reply: &[u8] = match verb.as_str() {
                    "EHLO" | "HELO" => b"250-sink\r\n250 8BITMIME\r\n",
                    "DATA" => {
                        in_data = true;
                        b"354 go ahead\r\n"
                    }
                    "QUIT" => {
                        write.write_all(b"221 bye\r\n").await.ok()?;
                        return Some(data);
                    }
                    _ => b"250 ok\r\n",
                };
                write.write_all(reply).await.ok()?;
            }
            Some(data)
        };
        if let Ok(Some(data)) = tokio::time::timeout(Duration::from_secs(20), session).await {
            let _ = sender.send(data);
        }
    });
    (port, receiver)
}

/// The text of a quoted-printable body (long lines are encoded so): soft breaks joined,
/// `=XX` decoded.
fn quoted_printable_decoded(text: &str) -> String {
    let joined = text.replace("=\n", "");
    let mut out = Vec::new();
    let bytes = joined.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

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
