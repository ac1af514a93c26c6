//! Account security and posting defaults through the client API: `source` in
//! `verify_credentials` and `update_credentials`, posts without a visibility, the password
//! grant of a two-factor account, Akkoma's token list, and the admin CLI's reset link.

mod support;

use serde_json::{Value, json};
use support::api::{Api, PASSWORD, User, local, text_of};
use support::two_factor;
use support::web::Browser;

async fn me(api: &Api, token: &str) -> Value {
    api.get("/api/v1/accounts/verify_credentials")
        .token(token)
        .ok()
        .await
}

fn source(account: &Value) -> (String, bool, Value) {
    (
        text_of(&account["source"], "privacy"),
        account["source"]["sensitive"].as_bool().expect("sensitive"),
        account["source"]["language"].clone(),
    )
}

#[tokio::test]
async fn posting_defaults_round_trip_and_apply_to_posts() {
    let app = local().await;
    let alice = app.register("alice").await;
    let defaults = source(&me(&app.api, &alice.token).await);
    assert_eq!(defaults, ("public".into(), false, Value::Null));
    let prefs = app.get("/api/v1/preferences").auth(&alice).ok().await;
    assert_eq!(prefs["posting:default:visibility"], "public");

    // Form keys, as most clients send them.
    let updated = app
        .patch("/api/v1/accounts/update_credentials")
        .auth(&alice)
        .form(&[
            ("source[privacy]", "private"),
            ("source[sensitive]", "true"),
            ("source[language]", "fr"),
        ])
        .ok()
        .await;
    assert_eq!(source(&updated), ("private".into(), true, json!("fr")));
    assert_eq!(
        source(&me(&app.api, &alice.token).await),
        ("private".into(), true, json!("fr"))
    );
    let prefs = app.get("/api/v1/preferences").auth(&alice).ok().await;
    assert_eq!(
        (
            &prefs["posting:default:visibility"],
            &prefs["posting:default:sensitive"],
            &prefs["posting:default:language"]
        ),
        (&json!("private"), &json!(true), &json!("fr"))
    );

    // A post that leaves them out gets them; one that says otherwise keeps its own.
    let post = app
        .post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({ "status": "by default" }))
        .ok()
        .await;
    assert_eq!(
        (&post["visibility"], &post["sensitive"], &post["language"]),
        (&json!("private"), &json!(true), &json!("fr"))
    );
    let explicit = app
        .post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({
            "status": "said so",
            "visibility": "public",
            "sensitive": false,
            "language": "en",
        }))
        .ok()
        .await;
    assert_eq!(
        (
            &explicit["visibility"],
            &explicit["sensitive"],
            &explicit["language"]
        ),
        (&json!("public"), &json!(false), &json!("en"))
    );

    // A blank language is a language left out.
    let blank = app
        .post("/api/v1/statuses")
        .auth(&alice)
        .form(&[("status", "blank language"), ("language", "")])
        .ok()
        .await;
    assert_eq!(blank["language"], "fr");

    // A JSON `source` object; an empty language clears it; other fields stay.
    let updated = app
        .patch("/api/v1/accounts/update_credentials")
        .auth(&alice)
        .json(json!({ "source": { "privacy": "unlisted", "language": "" } }))
        .ok()
        .await;
    assert_eq!(source(&updated), ("unlisted".into(), true, Value::Null));

    // Refused values change nothing.
    for (key, value) in [
        ("source[privacy]", "direct"),
        ("source[privacy]", "everyone"),
        ("source[language]", "french"),
        ("source[sensitive]", "maybe"),
    ] {
        app.patch("/api/v1/accounts/update_credentials")
            .auth(&alice)
            .form(&[(key, value)])
            .send()
            .await
            .error(422);
    }
    assert_eq!(
        source(&me(&app.api, &alice.token).await),
        ("unlisted".into(), true, Value::Null)
    );
}

#[tokio::test]
async fn posting_defaults_need_their_scope() {
    let app = local().await;
    let alice = app.register("alice").await;
    let read_only = app.token(&alice, "read").await;
    app.patch("/api/v1/accounts/update_credentials")
        .token(&read_only)
        .form(&[("source[privacy]", "private")])
        .send()
        .await
        .error(403);
    app.patch("/api/v1/accounts/update_credentials")
        .form(&[("source[privacy]", "private")])
        .send()
        .await
        .error(401);
    let write_statuses = app.token(&alice, "write:statuses").await;
    app.get("/api/v1/preferences")
        .token(&write_statuses)
        .send()
        .await
        .error(403);
    assert_eq!(source(&me(&app.api, &alice.token).await).0, "public");
}

#[tokio::test]
async fn the_password_grant_refuses_two_factor_accounts() {
    let app = local().await;
    let alice = app.register("alice").await;
    let before = app.token(&alice, "read").await;
    let step = two_factor::fresh_step().await;
    two_factor::enable(&app.core, &alice.username, step).await;

    let client = app.app().await.clone();
    let grant = |password: &'static str| {
        let client = client.clone();
        let username = alice.username.clone();
        let api = &app.api;
        async move {
            api.post("/oauth/token")
                .form(&[
                    ("grant_type", "password"),
                    ("client_id", &client.client_id),
                    ("client_secret", &client.client_secret),
                    ("username", &username),
                    ("password", password),
                    ("scope", "read"),
                ])
                .send()
                .await
        }
    };
    let refused = grant(PASSWORD).await.expect(400).json();
    assert_eq!(refused["error"], "invalid_grant");
    assert!(
        text_of(&refused, "error_description").contains("two-factor"),
        "{refused}"
    );
    let wrong = grant("not the password").await.expect(400).json();
    assert_eq!(wrong["error"], "invalid_grant");
    // Tokens from before keep working: two-factor guards sign-ins, not sessions.
    me(&app.api, &before).await;

    // Without two-factor the same grant works again.
    assert!(
        app.core
            .admin_disable_two_factor(&alice.username)
            .await
            .unwrap()
    );
    let issued = grant(PASSWORD).await.ok();
    me(&app.api, &text_of(&issued, "access_token")).await;
}

fn token_ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|t| text_of(t, "id"))
        .collect()
}

#[tokio::test]
async fn akkoma_lists_and_revokes_tokens() {
    let app = local().await;
    let alice = app.register("alice").await;
    let bob: User = app.register("bob").await;
    let reader = app.token(&alice, "read").await;
    let poster = app.token(&alice, "write:statuses").await;
    let browser = Browser::new(&app.api);
    browser.sign_in(&alice.username).await;

    let list = app.get("/api/oauth_tokens").auth(&alice).ok().await;
    let entries = list.as_array().unwrap();
    assert_eq!(entries.len(), 4, "{list:#}");
    let web: Vec<&Value> = entries
        .iter()
        .filter(|t| t["web_session"] == true)
        .collect();
    assert_eq!(web.len(), 1, "{list:#}");
    assert_eq!(web[0]["app_name"], "Web session");
    for entry in entries {
        assert!(entry["id"].is_string());
        assert!(entry.get("valid_until").is_some());
        assert!(support::api::is_datetime(&text_of(entry, "created_at")));
        if entry["web_session"] == false {
            assert_eq!(entry["app_name"], "Rhizome API tests");
        }
    }
    // The tokens just used were seen.
    let own = entries
        .iter()
        .find(|t| t["scopes"] == "read write follow push" && t["web_session"] == false)
        .expect("the sign-up token");
    assert!(own["last_used_at"].is_string(), "{own}");

    // Scopes: reading the list needs read:accounts, revoking write:accounts.
    app.get("/api/oauth_tokens").token(&reader).ok().await;
    app.get("/api/oauth_tokens")
        .token(&poster)
        .send()
        .await
        .error(403);
    app.get("/api/oauth_tokens").send().await.error(401);
    let reader_id = {
        let ids_before = token_ids(&list);
        let ids_of_reader: Vec<String> = ids_before
            .into_iter()
            .filter(|id| {
                entries
                    .iter()
                    .any(|t| &text_of(t, "id") == id && t["scopes"] == "read")
            })
            .collect();
        ids_of_reader[0].clone()
    };
    app.delete(&format!("/api/oauth_tokens/{reader_id}"))
        .token(&reader)
        .send()
        .await
        .error(403);
    app.delete(&format!("/api/oauth_tokens/{reader_id}"))
        .send()
        .await
        .error(401);
    me(&app.api, &reader).await;

    // Revoking: 201 with an empty body, and the token stops working.
    let revoked = app
        .delete(&format!("/api/oauth_tokens/{reader_id}"))
        .auth(&alice)
        .send()
        .await
        .expect(201);
    assert!(revoked.body.is_empty());
    app.get("/api/v1/accounts/verify_credentials")
        .token(&reader)
        .send()
        .await
        .error(401);
    let list = app.get("/api/oauth_tokens").auth(&alice).ok().await;
    assert!(!token_ids(&list).contains(&reader_id));

    // Nobody revokes another's token.
    let bobs = app.get("/api/oauth_tokens").auth(&bob).ok().await;
    let bob_token = token_ids(&bobs)[0].clone();
    app.delete(&format!("/api/oauth_tokens/{bob_token}"))
        .auth(&alice)
        .send()
        .await
        .error(404);
    app.delete("/api/oauth_tokens/not-an-id")
        .auth(&alice)
        .send()
        .await
        .error(404);
    me(&app.api, &bob.token).await;
}

#[tokio::test]
async fn admins_print_a_reset_link() {
    let app = local().await;
    let alice = app.register("alice").await;
    let data = tempfile::tempdir().unwrap();
    let setup = support::Setup::new(app.database_url(), data.path());
    let link = setup.ok(&["admin", "user", "reset-password", &alice.username], "");
    let link = link.trim();
    let start = link.find("/auth/password/edit?token=").expect(link);
    let path = &link[start..];
    let page = Browser::new(&app.api);
    let done = page
        .submit(
            path,
            "/auth/password/edit",
            &[
                ("password", "a brand new passphrase"),
                ("password_confirmation", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(done.status(), 303, "{}", done.html);
    app.get("/api/v1/accounts/verify_credentials")
        .auth(&alice)
        .send()
        .await
        .error(401);
    setup.fails(&["admin", "user", "reset-password", "nobody"], "");

    // The CLI also turns a lost two-factor off.
    let bob = app.register("bob").await;
    let step = two_factor::fresh_step().await;
    two_factor::enable(&app.core, &bob.username, step).await;
    let bob_id = app
        .core
        .local_user_named(&bob.username)
        .await
        .unwrap()
        .account
        .id;
    assert!(app.core.two_factor_enabled(bob_id).await.unwrap());
    let off = setup.ok(&["admin", "user", "disable-2fa", &bob.username], "");
    assert!(off.contains("off"), "{off}");
    assert!(!app.core.two_factor_enabled(bob_id).await.unwrap());
}
