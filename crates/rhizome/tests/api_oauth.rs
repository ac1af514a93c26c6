//! OAuth: apps, the consent page, every grant, refresh, revocation and the metadata document.

mod support;

use serde_json::{Value, json};
use support::api::{
    Api, PASSWORD, assert_fields, authorize, local, location_query, param, pkce, text_of,
};

/// `POST /api/v1/apps` → (client_id, client_secret).
async fn app(api: &Api, redirect_uris: &str, scopes: &str) -> (String, String) {
    let created = api
        .post("/api/v1/apps")
        .json(
            json!({ "client_name": "Test app", "redirect_uris": redirect_uris, "scopes": scopes }),
        )
        .ok()
        .await;
    (
        text_of(&created, "client_id"),
        text_of(&created, "client_secret"),
    )
}

#[track_caller]
fn assert_credential_application(app: &Value) {
    assert_fields(
        app,
        "CredentialApplication",
        &[
            ("id", "id"),
            ("name", "string"),
            ("website", "string?"),
            ("scopes", "array"),
            ("redirect_uri", "string"),
            ("redirect_uris", "array"),
            ("vapid_key", "string"),
            ("client_id", "string"),
            ("client_secret", "string"),
            ("client_secret_expires_at", "int"),
        ],
    );
}

#[track_caller]
fn assert_token(token: &Value, scope: &str) {
    assert_fields(
        token,
        "Token",
        &[
            ("access_token", "string"),
            ("token_type", "string"),
            ("scope", "string"),
            ("created_at", "int"),
        ],
    );
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["scope"], scope, "the token has the scopes asked for");
}

#[tokio::test]
async fn apps_are_registered_from_json_forms_and_queries() {
    let api = local().await;
    let from_json = api
        .post("/api/v1/apps")
        .json(json!({
            "client_name": "Elk",
            "redirect_uris": ["https://elk.example/callback", "com.example.app:/cb"],
            "scopes": "read write:statuses",
            "website": "https://elk.example",
        }))
        .ok()
        .await;
    assert_credential_application(&from_json);
    assert_eq!(from_json["name"], "Elk");
    assert_eq!(from_json["website"], "https://elk.example");
    assert_eq!(from_json["scopes"], json!(["read", "write:statuses"]));
    assert_eq!(
        from_json["redirect_uris"],
        json!(["https://elk.example/callback", "com.example.app:/cb"])
    );
    assert_eq!(
        from_json["redirect_uri"],
        "https://elk.example/callback\ncom.example.app:/cb"
    );
    assert_eq!(from_json["client_secret_expires_at"], 0);

    let from_form = api
        .post("/api/v1/apps")
        .form(&[
            ("client_name", "Tusky"),
            ("redirect_uris", "com.keylesspalace.tusky://oauth"),
            ("scopes", "read write follow push"),
        ])
        .ok()
        .await;
    assert_credential_application(&from_form);
    assert_eq!(
        from_form["redirect_uris"],
        json!(["com.keylesspalace.tusky://oauth"])
    );
    assert_eq!(from_form["website"], Value::Null);
    assert_eq!(
        from_form["scopes"],
        json!(["read", "write", "follow", "push"])
    );

    // The list form of a form body, and a newline-separated string.
    let list_form = api
        .post("/api/v1/apps")
        .raw_form("client_name=Ivory&redirect_uris[]=https%3A%2F%2Fa.example%2Fcb&redirect_uris[]=ivory%3A%2F%2Fcb")
        .ok()
        .await;
    assert_eq!(
        list_form["redirect_uris"],
        json!(["https://a.example/cb", "ivory://cb"])
    );
    let lines = api
        .post("/api/v1/apps")
        .json(json!({ "client_name": "Old", "redirect_uris": "https://a.example/1\nhttps://a.example/2" }))
        .ok()
        .await;
    assert_eq!(
        lines["redirect_uris"],
        json!(["https://a.example/1", "https://a.example/2"])
    );
    assert_eq!(lines["scopes"], json!(["read"]), "scopes default to read");

    let from_query = api
        .post("/api/v1/apps?client_name=Script&redirect_uris=urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob&scopes=read")
        .send()
        .await
        .ok();
    assert_credential_application(&from_query);
    assert_eq!(
        from_query["redirect_uris"],
        json!(["urn:ietf:wg:oauth:2.0:oob"])
    );

    // The app's own view has no secrets.
    let (client_id, client_secret) = (
        text_of(&from_json, "client_id"),
        text_of(&from_json, "client_secret"),
    );
    let token = api
        .post("/oauth/token")
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", &client_secret),
        ])
        .ok()
        .await;
    let verified = api
        .get("/api/v1/apps/verify_credentials")
        .token(&text_of(&token, "access_token"))
        .ok()
        .await;
    assert_eq!(verified["name"], "Elk");
    assert!(verified.get("client_secret").is_none(), "{verified:#}");
    assert!(verified["scopes"].is_array());
    api.get("/api/v1/apps/verify_credentials")
        .send()
        .await
        .error(401);
}

#[tokio::test]
async fn bad_apps_are_refused_with_422() {
    let api = local().await;
    for (body, why) in [
        (
            json!({ "client_name": "X", "redirect_uris": "javascript:alert(1)" }),
            "a javascript: redirect",
        ),
        (
            json!({ "client_name": "X", "redirect_uris": "not a uri" }),
            "a redirect that is no URI",
        ),
        (json!({ "client_name": "X" }), "no redirect"),
        (
            json!({ "client_name": "", "redirect_uris": "https://a.example/cb" }),
            "a blank name",
        ),
        (
            json!({ "client_name": "X", "redirect_uris": "https://a.example/cb", "scopes": "read wrte" }),
            "an unknown scope",
        ),
    ] {
        let reply = api.post("/api/v1/apps").json(body).send().await;
        assert_eq!(reply.status.as_u16(), 422, "{why}: {}", reply.text());
        assert!(reply.json()["error"].is_string(), "{why}: {}", reply.text());
    }
}

#[tokio::test]
async fn authorization_code_with_pkce() {
    let api = local().await;
    let alice = api.register("alice").await;
    let redirect = "com.example.app:/cb";
    let (client_id, client_secret) = app(&api, redirect, "read write follow").await;

    // The consent page, and its form, approved: back to the app with a code and the state.
    let (verifier, challenge) = pkce();
    let query = [
        ("response_type", "code"),
        ("client_id", client_id.as_str()),
        ("redirect_uri", redirect),
        ("scope", "read write"),
        ("state", "st4te"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let approved = authorize(&api, &query, &alice.username, "approve").await;
    assert!(
        approved.status.is_redirection(),
        "approval redirects: {} {}",
        approved.status,
        approved.text()
    );
    let location = approved.header("location").unwrap();
    assert!(
        location.starts_with("com.example.app:/cb?"),
        "back to the app's custom scheme: {location}"
    );
    let back = location_query(&approved);
    assert_eq!(param(&back, "state"), Some("st4te"));
    let code = param(&back, "code").expect("a code").to_owned();

    // No client secret: a public client proves itself with the verifier.
    let exchange = |code: String, verifier: Option<String>| {
        let api = &api;
        let client_id = client_id.clone();
        async move {
            let mut form = vec![
                ("grant_type".to_owned(), "authorization_code".to_owned()),
                ("client_id".to_owned(), client_id),
                ("code".to_owned(), code),
                ("redirect_uri".to_owned(), redirect.to_owned()),
            ];
            if let Some(verifier) = verifier {
                form.push(("code_verifier".to_owned(), verifier));
            }
            let pairs: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            api.post("/oauth/token").form(&pairs).send().await
        }
    };
    let token = exchange(code.clone(), Some(verifier.clone())).await.ok();
    assert_token(&token, "read write");
    assert!(token["refresh_token"].is_string(), "{token:#}");
    let me = api
        .get("/api/v1/accounts/verify_credentials")
        .token(&text_of(&token, "access_token"))
        .ok()
        .await;
    assert_eq!(me["id"], alice.id.as_str());

    // A code works once.
    let reused = exchange(code, Some(verifier.clone())).await;
    assert_eq!(reused.status.as_u16(), 400, "{}", reused.text());
    assert_eq!(reused.json()["error"], "invalid_grant");

    // A wrong verifier, or none, is refused.
    let second = authorize(&api, &query, &alice.username, "approve").await;
    let code = param(&location_query(&second), "code").unwrap().to_owned();
    let wrong = exchange(code, Some("x".repeat(43))).await;
    assert_eq!(wrong.status.as_u16(), 400, "{}", wrong.text());
    assert_eq!(wrong.json()["error"], "invalid_grant");
    assert!(wrong.json()["error_description"].is_string());
    let third = authorize(&api, &query, &alice.username, "approve").await;
    let code = param(&location_query(&third), "code").unwrap().to_owned();
    let missing = api
        .post("/oauth/token")
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", &client_id),
            ("client_secret", &client_secret),
            ("code", &code),
            ("redirect_uri", redirect),
        ])
        .send()
        .await;
    assert_eq!(missing.status.as_u16(), 400, "{}", missing.text());
    assert_eq!(missing.json()["error"], "invalid_grant");

    // Denied: back to the app with access_denied.
    let denied = authorize(&api, &query, &alice.username, "deny").await;
    let back = location_query(&denied);
    assert_eq!(param(&back, "error"), Some("access_denied"));
    assert_eq!(param(&back, "state"), Some("st4te"));
}

#[tokio::test]
async fn the_consent_page_checks_its_input() {
    let api = local().await;
    let alice = api.register("alice").await;
    let (client_id, _) = app(&api, "https://app.example/cb", "read").await;

    let unregistered = api
        .get(&format!(
            "/oauth/authorize?response_type=code&client_id={client_id}&redirect_uri=https%3A%2F%2Fevil.example%2Fcb"
        ))
        .send()
        .await;
    assert_eq!(unregistered.status.as_u16(), 400, "{}", unregistered.text());
    let too_wide = api
        .get(&format!(
            "/oauth/authorize?response_type=code&client_id={client_id}&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&scope=write"
        ))
        .send()
        .await;
    assert_eq!(too_wide.status.as_u16(), 400, "{}", too_wide.text());

    // A wrong password shows the form again; a forged form is refused.
    let page = api
        .get(&format!(
            "/oauth/authorize?response_type=code&client_id={client_id}&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"
        ))
        .send()
        .await
        .expect(200);
    assert!(
        page.header("content-type")
            .unwrap_or_default()
            .starts_with("text/html")
    );
    let cookie = support::api::browser_cookie(&page);
    let fields = support::api::hidden_inputs(&page.text());
    let mut pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    pairs.extend([
        ("username", alice.username.as_str()),
        ("password", "wrong password"),
        ("decision", "approve"),
    ]);
    let wrong = api
        .post("/oauth/authorize")
        .header("cookie", &cookie)
        .form(&pairs)
        .send()
        .await;
    assert_eq!(wrong.status.as_u16(), 401, "{}", wrong.text());
    assert!(wrong.text().contains("<form"), "the form is shown again");
    let forged: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| {
            if *k == "csrf_token" {
                (*k, "forged")
            } else {
                (*k, *v)
            }
        })
        .collect();
    let forged = api
        .post("/oauth/authorize")
        .header("cookie", &cookie)
        .form(&forged)
        .send()
        .await;
    assert_eq!(forged.status.as_u16(), 403, "{}", forged.text());
    // So is a genuine form sent from another browser.
    let elsewhere = api.post("/oauth/authorize").form(&pairs).send().await;
    assert_eq!(elsewhere.status.as_u16(), 403, "{}", elsewhere.text());
}

#[tokio::test]
async fn out_of_band_shows_the_code() {
    let api = local().await;
    let alice = api.register("alice").await;
    let oob = "urn:ietf:wg:oauth:2.0:oob";
    let (client_id, client_secret) = app(&api, oob, "read").await;
    let page = authorize(
        &api,
        &[
            ("response_type", "code"),
            ("client_id", &client_id),
            ("redirect_uri", oob),
        ],
        &alice.username,
        "approve",
    )
    .await
    .expect(200)
    .text();
    let code = page
        .split("<code id=\"code\">")
        .nth(1)
        .and_then(|rest| rest.split("</code>").next())
        .unwrap_or_else(|| panic!("the page shows the code: {page}"));
    let token = api
        .post("/oauth/token")
        .json(json!({
            "grant_type": "authorization_code",
            "client_id": client_id,
            "client_secret": client_secret,
            "code": code,
            "redirect_uri": oob,
        }))
        .ok()
        .await;
    assert_token(&token, "read");
}

#[tokio::test]
async fn password_and_client_credentials_grants() {
    let api = local().await;
    let alice = api.register("alice").await;
    let (client_id, client_secret) = app(&api, "https://app.example/cb", "read write").await;
    let grant = |pairs: Vec<(&'static str, String)>| {
        let api = &api;
        async move {
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            api.post("/oauth/token").form(&pairs).send().await
        }
    };
    let base = || {
        vec![
            ("client_id", client_id.clone()),
            ("client_secret", client_secret.clone()),
        ]
    };

    let mut password = base();
    password.extend([
        ("grant_type", "password".to_owned()),
        ("username", alice.username.clone()),
        ("password", PASSWORD.to_owned()),
        ("scope", "read".to_owned()),
    ]);
    let token = grant(password.clone()).await.ok();
    assert_token(&token, "read");
    // By e-mail too.
    let mut by_email = password.clone();
    by_email[3].1 = format!("{}@example.org", alice.username);
    grant(by_email).await.ok();

    let mut wrong = password.clone();
    wrong[4].1 = "not the password".into();
    let reply = grant(wrong).await;
    assert_eq!(reply.status.as_u16(), 400, "{}", reply.text());
    assert_eq!(reply.json()["error"], "invalid_grant");
    let mut too_wide = password.clone();
    too_wide[5].1 = "read follow".into();
    let reply = grant(too_wide).await;
    assert_eq!(reply.status.as_u16(), 400, "{}", reply.text());
    assert_eq!(reply.json()["error"], "invalid_scope");

    // Client credentials: an app token may sign people up, not act as a user.
    let mut credentials = base();
    credentials.push(("grant_type", "client_credentials".to_owned()));
    let app_token = grant(credentials.clone()).await.ok();
    assert_token(&app_token, "read write");
    assert!(app_token.get("refresh_token").is_none());
    let app_token = text_of(&app_token, "access_token");
    api.post("/api/v1/accounts")
        .token(&app_token)
        .json(json!({
            "username": "newcomer",
            "email": "newcomer@example.org",
            "password": PASSWORD,
            "agreement": "true",
            "locale": "en",
        }))
        .ok()
        .await;
    for path in [
        "/api/v1/accounts/verify_credentials",
        "/api/v1/timelines/home",
        "/api/v1/notifications",
    ] {
        api.get(path).token(&app_token).send().await.error(403);
    }
    api.post("/api/v1/statuses")
        .token(&app_token)
        .json(json!({ "status": "hi" }))
        .send()
        .await
        .error(403);

    // Client errors, in RFC 6749's terms.
    let mut unknown = credentials.clone();
    unknown[0].1 = "nobody".into();
    let reply = grant(unknown).await;
    assert_eq!(reply.status.as_u16(), 401, "{}", reply.text());
    assert_eq!(reply.json()["error"], "invalid_client");
    let mut bad_secret = credentials.clone();
    bad_secret[1].1 = "wrong".into();
    let reply = grant(bad_secret).await;
    assert_eq!(reply.status.as_u16(), 401, "{}", reply.text());
    assert_eq!(reply.json()["error"], "invalid_client");
    let reply = grant(base()).await;
    assert_eq!(reply.status.as_u16(), 400, "{}", reply.text());
    assert_eq!(reply.json()["error"], "invalid_request");
    let mut implicit = base();
    implicit.push(("grant_type", "implicit".to_owned()));
    let reply = grant(implicit).await;
    assert_eq!(reply.status.as_u16(), 400, "{}", reply.text());
    assert_eq!(reply.json()["error"], "unsupported_grant_type");

    // The metadata advertises client_secret_basic: credentials in an Authorization header.
    use base64::Engine;
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{client_secret}"));
    let token = api
        .post("/oauth/token")
        .header("authorization", &format!("Basic {basic}"))
        .form(&[("grant_type", "client_credentials"), ("scope", "read")])
        .ok()
        .await;
    assert_token(&token, "read");
}

#[tokio::test]
async fn refresh_and_revoke() {
    let api = local().await;
    let alice = api.register("alice").await;
    let (client_id, client_secret) = app(&api, "https://app.example/cb", "read write").await;
    let issued = api
        .post("/oauth/token")
        .form(&[
            ("grant_type", "password"),
            ("client_id", &client_id),
            ("client_secret", &client_secret),
            ("username", &alice.username),
            ("password", PASSWORD),
        ])
        .ok()
        .await;
    let old = text_of(&issued, "access_token");
    let refresh = text_of(&issued, "refresh_token");
    let me = "/api/v1/accounts/verify_credentials";
    api.get(me).token(&old).ok().await;

    let renewed = api
        .post("/oauth/token")
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", &client_id),
            ("client_secret", &client_secret),
            ("refresh_token", &refresh),
        ])
        .ok()
        .await;
    assert_token(&renewed, "read write");
    let new = text_of(&renewed, "access_token");
    let revoked = api.get(me).token(&old).send().await;
    assert_eq!(
        revoked.header("www-authenticate").as_deref(),
        Some("Bearer")
    );
    revoked.error(401);
    api.get(me).token(&new).ok().await;
    let again = api
        .post("/oauth/token")
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", &client_id),
            ("client_secret", &client_secret),
            ("refresh_token", &refresh),
        ])
        .send()
        .await;
    assert_eq!(again.status.as_u16(), 400, "{}", again.text());
    assert_eq!(again.json()["error"], "invalid_grant");

    // Another app may not revoke this app's token (RFC 7009, as Doorkeeper answers it).
    let (other_id, other_secret) = app(&api, "https://other.example/cb", "read").await;
    let foreign = api
        .post("/oauth/revoke")
        .form(&[
            ("client_id", &other_id),
            ("client_secret", &other_secret),
            ("token", &new),
        ])
        .send()
        .await;
    assert_eq!(foreign.status.as_u16(), 403, "{}", foreign.text());
    assert_eq!(foreign.json()["error"], "unauthorized_client");
    api.get(me).token(&new).ok().await;

    let done = api
        .post("/oauth/revoke")
        .form(&[
            ("client_id", &client_id),
            ("client_secret", &client_secret),
            ("token", &new),
        ])
        .ok()
        .await;
    assert_eq!(done, json!({}));
    api.get(me).token(&new).send().await.error(401);
    // Revoking is idempotent; unknown tokens are no error.
    for token in [new.as_str(), "never-issued"] {
        api.post("/oauth/revoke")
            .form(&[
                ("client_id", &client_id),
                ("client_secret", &client_secret),
                ("token", token),
            ])
            .ok()
            .await;
    }
    let no_secret = api
        .post("/oauth/revoke")
        .form(&[("client_id", &client_id), ("token", "x")])
        .send()
        .await;
    assert_eq!(no_secret.status.as_u16(), 400, "{}", no_secret.text());
}

#[tokio::test]
async fn authorization_server_metadata() {
    let api = local().await;
    let metadata = api
        .get("/.well-known/oauth-authorization-server")
        .ok()
        .await;
    let base = &api.base;
    assert_eq!(metadata["issuer"], format!("{base}/"));
    for (key, path) in [
        ("authorization_endpoint", "/oauth/authorize"),
        ("token_endpoint", "/oauth/token"),
        ("revocation_endpoint", "/oauth/revoke"),
        ("app_registration_endpoint", "/api/v1/apps"),
    ] {
        assert_eq!(metadata[key], format!("{base}{path}"), "{key}");
    }
    let scopes = metadata["scopes_supported"].as_array().unwrap();
    for scope in [
        "read",
        "write",
        "follow",
        "push",
        "profile",
        "read:statuses",
    ] {
        assert!(scopes.contains(&json!(scope)), "{scope} in {scopes:?}");
    }
    assert_eq!(metadata["response_types_supported"], json!(["code"]));
    assert_eq!(
        metadata["code_challenge_methods_supported"],
        json!(["S256"])
    );
    let grants = metadata["grant_types_supported"].as_array().unwrap();
    assert!(grants.contains(&json!("authorization_code")));
    assert!(grants.contains(&json!("client_credentials")));
    let methods = metadata["token_endpoint_auth_methods_supported"]
        .as_array()
        .unwrap();
    assert!(methods.contains(&json!("client_secret_basic")));
    assert!(methods.contains(&json!("client_secret_post")));
}
