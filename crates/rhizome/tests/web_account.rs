//! The account pages: sign-up in each registration mode, sign-in and sign-out, the password,
//! profile and language settings, and the OAuth consent page for a signed-in user.

mod support;

use rhizome_model::Role;
use serde_json::json;
use support::api::{Api, Local, PASSWORD, local, local_with, location_query, param, text_of};
use support::media::{encoded, multipart};
use support::two_factor;
use support::web::{Browser, Page};

const NEW_PASSWORD: &str = "a brand new passphrase";

/// The sign-up form's fields for `username` (the hidden ones come from the page).
fn sign_up_fields(username: &str, email: &str) -> Vec<(&'static str, String)> {
    vec![
        ("username", username.to_owned()),
        ("email", email.to_owned()),
        ("password", PASSWORD.to_owned()),
        ("password_confirmation", PASSWORD.to_owned()),
        ("agreement", "true".to_owned()),
    ]
}

async fn sign_up(browser: &Browser<'_>, page: &str, fields: &[(&'static str, String)]) -> Page {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser.submit(page, "/auth/sign_up", &pairs).await
}

/// Whether a local user of that name exists.
async fn exists(app: &Local, username: &str) -> bool {
    app.core.local_user_named(username).await.is_ok()
}

/// Switches the registration mode as an admin would.
async fn registrations(app: &Local, mode: &str) {
    app.core
        .change_setting("registrations.mode", json!(mode))
        .await
        .expect("registration mode");
}

/// `GET verify_credentials` with `token`: the status and the body.
async fn me(api: &Api, token: &str) -> (u16, serde_json::Value) {
    let reply = api
        .get("/api/v1/accounts/verify_credentials")
        .token(token)
        .send()
        .await;
    let status = reply.status.as_u16();
    let body = if status == 200 {
        reply.json()
    } else {
        json!(null)
    };
    (status, body)
}

#[tokio::test]
async fn open_sign_up_creates_the_account_and_signs_in() {
    let app = local().await;
    app.core
        .change_setting("instance.rules", json!(["Be kind", "No spam"]))
        .await
        .unwrap();
    let browser = Browser::new(&app.api);
    let page = browser.get("/auth/sign_up").await;
    assert_eq!(page.status(), 200);
    page.assert_contains("name=\"csrf_token\"");
    page.assert_contains("<li>Be kind</li>");
    page.assert_contains("name=\"agreement\"");
    assert!(
        !page.html.contains("name=\"reason\""),
        "no reason when open"
    );

    // Core's validation errors come back next to the form, which keeps what was typed.
    let mut mismatch = sign_up_fields("dora", "dora@example.org");
    mismatch[3].1 = "something else entirely".into();
    let refused = sign_up(&browser, "/auth/sign_up", &mismatch).await;
    assert_eq!(refused.status(), 422, "{}", refused.html);
    refused.assert_contains("The two passwords are not the same.");
    refused.assert_contains("value=\"dora@example.org\"");
    let bad_email = sign_up(
        &browser,
        "/auth/sign_up",
        &sign_up_fields("dora", "not-an-address"),
    )
    .await;
    assert_eq!(bad_email.status(), 422);
    bad_email.assert_contains("e-mail address is invalid");
    let mut no_agreement = sign_up_fields("dora", "dora@example.org");
    no_agreement.pop();
    let refused = sign_up(&browser, "/auth/sign_up", &no_agreement).await;
    assert_eq!(refused.status(), 422);
    assert!(!exists(&app, "dora").await);

    let done = sign_up(
        &browser,
        "/auth/sign_up",
        &sign_up_fields("dora", "dora@example.org"),
    )
    .await;
    assert_eq!(done.status(), 303, "{}", done.html);
    assert_eq!(done.location(), "/home");
    let session = browser.cookie("rhizome_session").expect("a session cookie");
    let (status, account) = me(&app.api, &session).await;
    assert_eq!(status, 200);
    assert_eq!(account["username"], "dora");
    // The session works on pages: the nav links to the user's profile.
    let settings = browser.get("/settings/profile").await;
    assert_eq!(settings.status(), 200);
    settings.assert_contains("href=\"/@dora\"");
    // The name is taken now.
    let again = Browser::new(&app.api);
    let taken = sign_up(
        &again,
        "/auth/sign_up",
        &sign_up_fields("dora", "other@example.org"),
    )
    .await;
    assert_eq!(taken.status(), 422);
    taken.assert_contains("username is taken");
}

#[tokio::test]
async fn approval_sign_ups_wait_for_a_moderator() {
    let app = local().await;
    let admin = app.register("admin").await;
    let admin = app
        .core
        .set_role(&admin.username, Role::Admin)
        .await
        .unwrap();
    registrations(&app, "approval").await;

    let browser = Browser::new(&app.api);
    let page = browser.get("/auth/sign_up").await;
    page.assert_contains("name=\"reason\"");
    let blank = sign_up(
        &browser,
        "/auth/sign_up",
        &sign_up_fields("erin", "erin@example.org"),
    )
    .await;
    assert_eq!(blank.status(), 422, "a reason is required: {}", blank.html);
    assert!(!exists(&app, "erin").await);

    let mut fields = sign_up_fields("erin", "erin@example.org");
    fields.push(("reason", "I garden and want to talk about it".into()));
    let pending = sign_up(&browser, "/auth/sign_up", &fields).await;
    assert_eq!(pending.status(), 200, "{}", pending.html);
    pending.assert_contains("Waiting for approval");
    assert!(browser.cookie("rhizome_session").is_none());

    // Signing in is refused, with the reason, until a moderator approves.
    let refused = browser
        .submit(
            "/auth/sign_in",
            "/auth/sign_in",
            &[("username", "erin"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(refused.status(), 403, "{}", refused.html);
    refused.assert_contains("waiting for a moderator");
    assert!(browser.cookie("rhizome_session").is_none());

    let erin = app.core.local_user_named("erin").await.unwrap();
    assert!(!erin.approved);
    assert_eq!(
        erin.registration_reason.as_deref(),
        Some("I garden and want to talk about it")
    );
    app.core
        .decide_registration(&admin, erin.account.id, true)
        .await
        .unwrap();
    browser.sign_in("erin").await;
}

#[tokio::test]
async fn invite_only_sign_ups_need_a_valid_code() {
    let app = local().await;
    registrations(&app, "invite").await;
    let browser = Browser::new(&app.api);

    // Without a code: no form, and a sign-up without one is refused.
    let page = browser.get("/auth/sign_up").await;
    assert_eq!(page.status(), 200);
    page.assert_contains("by invitation only");
    assert!(!page.html.contains("action=\"/auth/sign_up\""));
    let unknown = browser.get("/invite/not-a-code").await;
    assert_eq!(unknown.status(), 404);
    assert!(!unknown.html.contains("action=\"/auth/sign_up\""));
    // The browser's form token, from a page that has a form.
    let token = browser.get("/auth/sign_in").await.csrf_token();
    let mut pairs = vec![("csrf_token", token.as_str())];
    let fields = sign_up_fields("fay", "fay@example.org");
    pairs.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
    let refused = browser.post("/auth/sign_up", &pairs).await;
    assert_eq!(refused.status(), 403, "{}", refused.html);
    assert!(!exists(&app, "fay").await);

    // With one: the form carries it, and the account is made and signed in.
    let code = app.core.create_invite(None, Some(1), None).await.unwrap();
    let invited = browser.get(&format!("/invite/{code}")).await;
    assert_eq!(invited.status(), 200);
    invited.assert_contains(&format!("name=\"invite_code\" value=\"{code}\""));
    let query = browser.get(&format!("/auth/sign_up?invite={code}")).await;
    query.assert_contains(&format!("value=\"{code}\""));
    let done = sign_up(&browser, &format!("/invite/{code}"), &fields).await;
    assert_eq!(done.status(), 303, "{}", done.html);
    assert!(exists(&app, "fay").await);
    assert!(browser.cookie("rhizome_session").is_some());

    // The code was good for one sign-up.
    let spent = Browser::new(&app.api).get(&format!("/invite/{code}")).await;
    assert_eq!(spent.status(), 404);
}

#[tokio::test]
async fn closed_registrations_show_no_form_and_refuse_sign_ups() {
    let app = local().await;
    registrations(&app, "closed").await;
    let browser = Browser::new(&app.api);
    let page = browser.get("/auth/sign_up").await;
    assert_eq!(page.status(), 200);
    page.assert_contains("Registrations are closed");
    assert!(!page.html.contains("action=\"/auth/sign_up\""));
    let token = browser.get("/auth/sign_in").await.csrf_token();
    let fields = sign_up_fields("gus", "gus@example.org");
    let mut pairs = vec![("csrf_token", token.as_str())];
    pairs.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
    let refused = browser.post("/auth/sign_up", &pairs).await;
    assert_eq!(refused.status(), 403, "{}", refused.html);
    assert!(!exists(&app, "gus").await);
}

#[tokio::test]
async fn sign_ups_waiting_for_their_address_are_told_to_check_their_mail() {
    // Nothing is mailed here (no job runs in process): only the pages are checked.
    let app = local_with(&[
        ("RHIZOME_EMAIL_SMTP_URL", "smtp://127.0.0.1:9"),
        ("RHIZOME_EMAIL_FROM", "Rhizome <noreply@localhost>"),
        ("RHIZOME_EMAIL_REQUIRE_CONFIRMATION", "true"),
    ])
    .await;
    let browser = Browser::new(&app.api);
    let page = sign_up(
        &browser,
        "/auth/sign_up",
        &sign_up_fields("hal", "hal@example.org"),
    )
    .await;
    assert_eq!(page.status(), 200, "{}", page.html);
    page.assert_contains("Check your mail");
    assert!(browser.cookie("rhizome_session").is_none());
    let refused = browser
        .submit(
            "/auth/sign_in",
            "/auth/sign_in",
            &[("username", "hal"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(refused.status(), 403);
    refused.assert_contains("Confirm your e-mail address first");
    assert!(browser.cookie("rhizome_session").is_none());
    // The confirmation link's page, for an unknown link, in French too.
    let unknown = Browser::new(&app.api)
        .with_language("fr")
        .get("/auth/confirmation?confirmation_token=nope")
        .await;
    assert_eq!(unknown.status(), 404);
    unknown.assert_contains("Lien inconnu");
}

#[tokio::test]
async fn forms_without_their_token_are_refused() {
    let app = local().await;
    let alice = app.register("alice").await;
    let browser = Browser::new(&app.api);
    browser.get("/auth/sign_up").await;
    let fields = sign_up_fields("ivy", "ivy@example.org");
    let plain: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let missing = browser.post("/auth/sign_up", &plain).await;
    assert_eq!(missing.status(), 403, "{}", missing.html);
    let mut forged = plain.clone();
    forged.push(("csrf_token", "forged"));
    let forged = browser.post("/auth/sign_up", &forged).await;
    assert_eq!(forged.status(), 403);
    assert!(!exists(&app, "ivy").await);

    // A token from another browser does not do either.
    let other = Browser::new(&app.api);
    let token = other.get("/auth/sign_in").await.csrf_token();
    let stolen = browser
        .post(
            "/auth/sign_in",
            &[
                ("csrf_token", &token),
                ("username", &alice.username),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(stolen.status(), 403);
    assert!(browser.cookie("rhizome_session").is_none());

    // Signed in, the settings forms need the session's token.
    browser.use_token(&alice.token);
    let no_token = browser
        .post(
            "/settings/preferences",
            &[("locale", "fr"), ("csrf_token", &token)],
        )
        .await;
    assert_eq!(no_token.status(), 403);
    let unchanged = app.core.local_user_named(&alice.username).await.unwrap();
    assert_eq!(unchanged.locale, "en");
    let no_token = browser.post("/auth/sign_out", &[]).await;
    assert_eq!(no_token.status(), 403);
    assert_eq!(me(&app.api, &alice.token).await.0, 200);
}

#[tokio::test]
async fn sign_in_refuses_wrong_passwords_and_goes_back_where_it_was_asked() {
    let app = local().await;
    let alice = app.register("alice").await;
    let browser = Browser::new(&app.api);

    // Pages of a signed-in user send anonymous visitors to sign in, and back after.
    let away = browser.get("/settings/profile").await;
    assert_eq!(away.location(), "/auth/sign_in?next=%2Fsettings%2Fprofile");
    let wrong = browser
        .submit(
            &away.location(),
            "/auth/sign_in",
            &[
                ("username", &alice.username),
                ("password", "not the password"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), 401, "{}", wrong.html);
    wrong.assert_contains("The username or the password is wrong.");
    wrong.assert_contains(&format!("value=\"{}\"", alice.username));
    assert!(browser.cookie("rhizome_session").is_none());
    assert!(
        wrong
            .reply
            .headers
            .get_all("set-cookie")
            .iter()
            .all(|v| !v.to_str().unwrap().starts_with("rhizome_session=")),
        "no session cookie on a refusal"
    );

    let right = browser
        .submit(
            &away.location(),
            "/auth/sign_in",
            &[("username", &alice.username), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(right.status(), 303);
    assert_eq!(right.location(), "/settings/profile");
    let cookie = right
        .reply
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("rhizome_session="))
        .expect("a session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));

    // By e-mail address too; and `next` never leaves the site.
    let other = Browser::new(&app.api);
    let page = other
        .submit(
            "/auth/sign_in?next=https%3A%2F%2Fevil.example%2F",
            "/auth/sign_in",
            &[
                ("username", &format!("{}@example.org", alice.username)),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.location(), "/home");

    // In French.
    let french = Browser::new(&app.api).with_language("fr");
    let page = french.get("/auth/sign_in").await;
    page.assert_contains("<html lang=\"fr\">");
    page.assert_contains("Nom d&#39;utilisateur ou adresse e-mail");
    let wrong = french
        .submit(
            "/auth/sign_in",
            "/auth/sign_in",
            &[("username", "nobody"), ("password", "nothing")],
        )
        .await;
    assert_eq!(wrong.status(), 401);
    wrong.assert_contains("Le nom d&#39;utilisateur ou le mot de passe est incorrect.");
}

#[tokio::test]
async fn signing_out_revokes_the_session() {
    let app = local().await;
    let alice = app.register("alice").await;
    let browser = Browser::new(&app.api);
    browser.sign_in(&alice.username).await;
    let session = browser.cookie("rhizome_session").unwrap();
    assert_eq!(me(&app.api, &session).await.0, 200);

    let out = browser
        .submit("/settings/profile", "/auth/sign_out", &[])
        .await;
    assert_eq!(out.status(), 303, "{}", out.html);
    assert_eq!(out.location(), "/");
    assert!(browser.cookie("rhizome_session").is_none());
    assert_eq!(
        browser.cookie("rhizome_flash").as_deref(),
        Some("account-signed-out")
    );

    // The old cookie is worth nothing now, in a browser or as a token.
    assert_eq!(me(&app.api, &session).await.0, 401);
    let copy = Browser::new(&app.api);
    copy.use_token(&session);
    let page = copy.get("/settings/profile").await;
    assert_eq!(page.status(), 303);
    assert!(page.location().starts_with("/auth/sign_in"));
    // The user's other tokens are untouched.
    assert_eq!(me(&app.api, &alice.token).await.0, 200);
}

#[tokio::test]
async fn changing_the_password_checks_the_current_one_and_signs_out_elsewhere() {
    let app = local().await;
    let alice = app.register("alice").await;
    let browser = Browser::new(&app.api);
    browser.sign_in(&alice.username).await;
    let session = browser.cookie("rhizome_session").unwrap();

    let wrong = browser
        .submit(
            "/settings/password",
            "/settings/password",
            &[
                ("current_password", "not my password"),
                ("password", NEW_PASSWORD),
                ("password_confirmation", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(wrong.status(), 422, "{}", wrong.html);
    wrong.assert_contains("The current password is wrong.");
    let mismatch = browser
        .submit(
            "/settings/password",
            "/settings/password",
            &[
                ("current_password", PASSWORD),
                ("password", NEW_PASSWORD),
                ("password_confirmation", "something else"),
            ],
        )
        .await;
    assert_eq!(mismatch.status(), 422);
    let short = browser
        .submit(
            "/settings/password",
            "/settings/password",
            &[
                ("current_password", PASSWORD),
                ("password", "short"),
                ("password_confirmation", "short"),
            ],
        )
        .await;
    assert_eq!(short.status(), 422);
    short.assert_contains("password is too short");
    // Nothing changed so far.
    assert_eq!(me(&app.api, &alice.token).await.0, 200);

    let done = browser
        .submit(
            "/settings/password",
            "/settings/password",
            &[
                ("current_password", PASSWORD),
                ("password", NEW_PASSWORD),
                ("password_confirmation", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status(), 303, "{}", done.html);
    let page = browser.follow(done).await;
    page.assert_contains("Your password is changed.");
    // This session stays; the user's other tokens are revoked.
    assert_eq!(me(&app.api, &session).await.0, 200);
    assert_eq!(me(&app.api, &alice.token).await.0, 401);

    let other = Browser::new(&app.api);
    let old = other
        .submit(
            "/auth/sign_in",
            "/auth/sign_in",
            &[("username", &alice.username), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(old.status(), 401);
    let new = other
        .submit(
            "/auth/sign_in",
            "/auth/sign_in",
            &[("username", &alice.username), ("password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(new.status(), 303);
    assert!(other.cookie("rhizome_session").is_some());
}

#[tokio::test]
async fn the_profile_is_edited_with_pictures() {
    let app = local().await;
    let alice = app.register("alice").await;
    let browser = Browser::new(&app.api);
    browser.use_token(&alice.token);
    let page = browser.get("/settings/profile").await;
    assert_eq!(page.status(), 200);
    page.assert_contains("enctype=\"multipart/form-data\"");
    page.assert_contains("aria-current=\"page\"");
    let token = page.csrf_token();

    let png = encoded(
        &image::DynamicImage::new_rgb8(64, 48),
        image::ImageFormat::Png,
    );
    let send = |token: String, display_name: &'static str, png: Vec<u8>| {
        let browser = &browser;
        async move {
            let (content_type, body) = multipart(&[
                ("csrf_token", None, "", token.as_bytes()),
                ("display_name", None, "", display_name.as_bytes()),
                ("note", None, "", b"Down the <b>rabbit</b> hole #wonderland"),
                ("field_name_0", None, "", b"Pronouns"),
                ("field_value_0", None, "", b"she/her <i>x</i>"),
                ("field_name_1", None, "", b""),
                ("field_value_1", None, "", b""),
                ("locked", None, "", b"true"),
                ("avatar", Some("me.png"), "image/png", &png),
                ("header", Some(""), "application/octet-stream", b""),
            ]);
            browser
                .post_multipart("/settings/profile", &content_type, body)
                .await
        }
    };
    // Refused without the form token; core's limits come back on the form.
    let refused = send("forged".into(), "Alice Liddell", png.clone()).await;
    assert_eq!(refused.status(), 403);
    let too_long = send(
        token.clone(),
        "A name much longer than thirty letters",
        png.clone(),
    )
    .await;
    assert_eq!(too_long.status(), 422, "{}", too_long.html);
    too_long.assert_contains("display_name is too long");
    too_long.assert_contains("value=\"A name much longer than thirty letters\"");
    let (_, account) = me(&app.api, &alice.token).await;
    assert_eq!(account["display_name"], "");
    assert!(
        account["avatar"]
            .as_str()
            .unwrap()
            .ends_with("/static/avatar.png")
    );

    let saved = send(token, "Alice Liddell", png).await;
    assert_eq!(saved.status(), 303, "{}", saved.html);
    assert_eq!(saved.location(), "/settings/profile");
    let (_, account) = me(&app.api, &alice.token).await;
    assert_eq!(account["display_name"], "Alice Liddell");
    assert_eq!(account["locked"], true);
    assert_eq!(account["bot"], false);
    assert_eq!(account["discoverable"], false);
    assert_eq!(account["fields"].as_array().unwrap().len(), 1);
    assert_eq!(account["fields"][0]["name"], "Pronouns");
    assert_eq!(
        account["source"]["note"],
        "Down the <b>rabbit</b> hole #wonderland"
    );
    let note = account["note"].as_str().unwrap();
    assert!(note.contains("&lt;b&gt;rabbit&lt;/b&gt;"), "{note}");
    let avatar = text_of(&account, "avatar");
    assert!(!avatar.ends_with("/static/avatar.png"), "{avatar}");
    assert!(
        account["header"]
            .as_str()
            .unwrap()
            .ends_with("/static/header.png"),
        "an empty file input leaves the header alone"
    );
    let path = support::api::path_of(&app.api, &avatar);
    let picture = app.get(&path).send().await;
    assert_eq!(picture.status.as_u16(), 200, "{path}");

    // The settings page and the public profile show the changes, escaped.
    let page = browser.get("/settings/profile").await;
    page.assert_contains("value=\"Alice Liddell\"");
    page.assert_contains("Down the &#60;b&#62;rabbit&#60;/b&#62; hole #wonderland</textarea>");
    page.assert_contains("value=\"she/her &#60;i&#62;x&#60;/i&#62;\"");
    page.assert_contains(&format!("src=\"{avatar}\""));
    page.assert_contains("name=\"locked\" value=\"true\" checked");
    let profile = Browser::new(&app.api)
        .get(&format!("/@{}", alice.username))
        .await;
    profile.assert_contains("Alice Liddell");
    profile.assert_contains("&lt;b&gt;rabbit&lt;/b&gt;");
    assert!(!profile.html.contains("<b>rabbit</b>"));
    profile.assert_contains(&avatar);

    // Plain forms work too (no pictures), e.g. from a browser that sends no files.
    let token = browser.get("/settings/profile").await.csrf_token();
    let plain = browser
        .post(
            "/settings/profile",
            &[
                ("csrf_token", &token),
                ("display_name", "Alice"),
                ("note", ""),
                ("discoverable", "true"),
            ],
        )
        .await;
    assert_eq!(plain.status(), 303, "{}", plain.html);
    let (_, account) = me(&app.api, &alice.token).await;
    assert_eq!(account["display_name"], "Alice");
    assert_eq!(account["locked"], false);
    assert_eq!(account["discoverable"], true);
    assert_eq!(account["fields"].as_array().unwrap().len(), 0);
    assert_eq!(text_of(&account, "avatar"), avatar, "the avatar stays");
}

#[tokio::test]
async fn the_interface_language_is_a_preference() {
    let app = local().await;
    let alice = app.register("alice").await;
    let browser = Browser::new(&app.api);
    browser.use_token(&alice.token);
    let page = browser.get("/settings/preferences").await;
    assert_eq!(page.status(), 200);
    page.assert_contains("<html lang=\"en\">");
    page.assert_contains("<option value=\"en\" lang=\"en\" selected>");

    let saved = browser
        .submit(
            "/settings/preferences",
            "/settings/preferences",
            &[("locale", "fr")],
        )
        .await;
    assert_eq!(saved.status(), 303, "{}", saved.html);
    assert_eq!(browser.cookie("rhizome_lang").as_deref(), Some("fr"));
    let page = browser.follow(saved).await;
    page.assert_contains("<html lang=\"fr\">");
    page.assert_contains("Vos préférences sont enregistrées.");
    page.assert_contains("Langue de l&#39;interface");
    assert_eq!(
        app.core
            .local_user_named(&alice.username)
            .await
            .unwrap()
            .locale,
        "fr"
    );
    // Another browser of hers, without the cookie, follows the stored choice.
    let elsewhere = Browser::new(&app.api).with_language("en");
    elsewhere.use_token(&alice.token);
    let page = elsewhere.get("/settings/profile").await;
    page.assert_contains("<html lang=\"fr\">");
    page.assert_contains("Nom affiché");

    let unknown = browser
        .submit(
            "/settings/preferences",
            "/settings/preferences",
            &[("locale", "xx")],
        )
        .await;
    assert_eq!(unknown.status(), 422);
}

#[tokio::test]
async fn signed_in_users_approve_or_deny_apps_without_a_password() {
    let app = local().await;
    let alice = app.register("alice").await;
    let created = app
        .post("/api/v1/apps")
        .json(json!({
            "client_name": "Garden app",
            "redirect_uris": "https://app.example/cb",
            "scopes": "read write follow",
            "website": "javascript:alert(1)",
        }))
        .ok()
        .await;
    let client_id = text_of(&created, "client_id");
    let client_secret = text_of(&created, "client_secret");
    let path = format!(
        "/oauth/authorize?response_type=code&client_id={client_id}\
         &redirect_uri=https%3A%2F%2Fapp.example%2Fcb&scope=read+write&state=s1%26x%3D%22y%22"
    );

    let browser = Browser::new(&app.api);
    browser.use_token(&alice.token);
    let page = browser.get(&path).await;
    assert_eq!(page.status(), 200, "{}", page.html);
    page.assert_contains("Authorize Garden app");
    page.assert_contains("<code>read</code>");
    page.assert_contains("read your account");
    page.assert_contains("<code>write</code>");
    page.assert_contains(&format!("@{}", alice.username));
    assert!(
        !page.html.contains("name=\"password\""),
        "no password asked"
    );
    assert!(!page.html.contains("javascript:"), "no script link");

    let approved = browser
        .submit(&path, "/oauth/authorize", &[("decision", "approve")])
        .await;
    assert_eq!(approved.status(), 303, "{}", approved.html);
    assert!(approved.location().starts_with("https://app.example/cb?"));
    let back = location_query(&approved.reply);
    assert_eq!(param(&back, "state"), Some("s1&x=\"y\""));
    let code = param(&back, "code").expect("a code").to_owned();
    let token = app
        .post("/oauth/token")
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", &client_id),
            ("client_secret", &client_secret),
            ("redirect_uri", "https://app.example/cb"),
        ])
        .ok()
        .await;
    assert_eq!(token["scope"], "read write");
    let (status, account) = me(&app.api, &text_of(&token, "access_token")).await;
    assert_eq!(status, 200);
    assert_eq!(account["username"], alice.username.as_str());

    let denied = browser
        .submit(&path, "/oauth/authorize", &[("decision", "deny")])
        .await;
    let back = location_query(&denied.reply);
    assert_eq!(param(&back, "error"), Some("access_denied"));
    assert_eq!(param(&back, "state"), Some("s1&x=\"y\""));
    assert_eq!(param(&back, "code"), None);

    // Without its token, the form does nothing.
    let forged = browser
        .post(
            "/oauth/authorize",
            &[
                ("client_id", client_id.as_str()),
                ("redirect_uri", "https://app.example/cb"),
                ("decision", "approve"),
            ],
        )
        .await;
    assert_eq!(forged.status(), 403);

    // Anonymous visitors sign in on the same form; the page speaks French too.
    let french = Browser::new(&app.api).with_language("fr");
    let page = french.get(&path).await;
    page.assert_contains("Autoriser Garden app");
    page.assert_contains("name=\"password\"");
    page.assert_contains("Se connecter et autoriser");
    let approved = french
        .submit(
            &path,
            "/oauth/authorize",
            &[
                ("username", &alice.username),
                ("password", PASSWORD),
                ("decision", "approve"),
            ],
        )
        .await;
    assert_eq!(approved.status(), 303, "{}", approved.html);
    assert!(param(&location_query(&approved.reply), "code").is_some());
}

#[tokio::test]
async fn web_sign_ins_and_sign_ups_are_rate_limited() {
    let app = local_with(&[
        ("RHIZOME_RATELIMIT_ENABLED", "true"),
        ("RHIZOME_RATELIMIT_SIGN_IN_LIMIT", "2"),
        ("RHIZOME_RATELIMIT_SIGN_UP_LIMIT", "1"),
    ])
    .await;
    let browser = Browser::new(&app.api);
    for _ in 0..2 {
        let wrong = browser
            .submit(
                "/auth/sign_in",
                "/auth/sign_in",
                &[("username", "nobody"), ("password", "guess")],
            )
            .await;
        assert_eq!(wrong.status(), 401);
    }
    let limited = browser
        .submit(
            "/auth/sign_in",
            "/auth/sign_in",
            &[("username", "nobody"), ("password", "guess")],
        )
        .await;
    assert_eq!(limited.status(), 429, "{}", limited.html);
    assert!(limited.reply.header("retry-after").is_some());

    let first = sign_up(
        &browser,
        "/auth/sign_up",
        &sign_up_fields("jay", "jay@example.org"),
    )
    .await;
    assert_eq!(first.status(), 303, "{}", first.html);
    let other = Browser::new(&app.api);
    let second = sign_up(
        &other,
        "/auth/sign_up",
        &sign_up_fields("kim", "kim@example.org"),
    )
    .await;
    assert_eq!(second.status(), 429);
    assert!(!exists(&app, "kim").await);
}

/// The answer of a captcha the page handed out, found from its seal (as `captcha.rs` does).
fn captcha_answer(app: &Local, fields: &[(String, String)]) -> String {
    use aws_lc_rs::hmac;
    use base64::Engine;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {name} on the form"))
    };
    let token = field("captcha_token");
    let answer_data = field("captcha_answer_data");
    let (expires, mac) = answer_data.split_once('.').unwrap();
    let mac = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(mac)
        .unwrap();
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

#[tokio::test]
async fn the_sign_up_form_carries_the_captcha_when_asked() {
    let app = local_with(&[("RHIZOME_REGISTRATIONS_CAPTCHA", "true")]).await;
    let browser = Browser::new(&app.api);
    let page = browser.get("/auth/sign_up").await;
    page.assert_contains("src=\"data:image/png;base64,");
    page.assert_contains("name=\"captcha_solution\"");
    let wrong = sign_up(&browser, "/auth/sign_up", &{
        let mut fields = sign_up_fields("lea", "lea@example.org");
        fields.push(("captcha_solution", "nope".into()));
        fields
    })
    .await;
    assert_eq!(wrong.status(), 422, "{}", wrong.html);
    wrong.assert_contains("Invalid CAPTCHA");
    assert!(!exists(&app, "lea").await);

    // The page shown again carries a fresh challenge, answered rightly this time.
    let mut fields = wrong.form_fields("/auth/sign_up");
    let answer = captcha_answer(&app, &fields);
    fields.extend(
        sign_up_fields("lea", "lea@example.org")
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v)),
    );
    fields.push(("captcha_solution".into(), answer));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let done = browser.post("/auth/sign_up", &pairs).await;
    assert_eq!(done.status(), 303, "{}", done.html);
    assert!(exists(&app, "lea").await);
}

// ---------------------------------------------------------------------------------------
// Posting defaults, two-factor sign-in, password resets, sessions and apps.

#[tokio::test]
async fn posting_defaults_are_preferences() {
    let app = local().await;
    let alice = app.register("alice").await;
    let browser = Browser::new(&app.api);
    browser.use_token(&alice.token);
    let page = browser.get("/settings/preferences").await;
    page.assert_contains("<option value=\"public\" selected>");
    page.assert_contains("<option value=\"\" selected>");
    page.assert_contains("name=\"default_sensitive\" value=\"true\">");

    let saved = browser
        .submit(
            "/settings/preferences",
            "/settings/preferences",
            &[
                ("locale", "en"),
                ("default_visibility", "unlisted"),
                ("default_language", "fr"),
                ("default_sensitive", "true"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303, "{}", saved.html);
    let (_, account) = me(&app.api, &alice.token).await;
    assert_eq!(account["source"]["privacy"], "unlisted");
    assert_eq!(account["source"]["sensitive"], true);
    assert_eq!(account["source"]["language"], "fr");
    let page = browser.follow(saved).await;
    page.assert_contains("<option value=\"unlisted\" selected>");
    page.assert_contains("<option value=\"fr\" lang=\"fr\" selected>");
    page.assert_contains("name=\"default_sensitive\" value=\"true\" checked>");
    assert_eq!(
        app.core
            .posting_defaults(text_of(&account, "id").parse().unwrap())
            .await
            .unwrap()
            .visibility,
        rhizome_model::Visibility::Unlisted
    );

    // A post that says nothing gets them.
    let post = app
        .post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({ "status": "from the defaults" }))
        .ok()
        .await;
    assert_eq!(post["visibility"], "unlisted");
    assert_eq!(post["sensitive"], true);
    assert_eq!(post["language"], "fr");

    // What the API sets, the page shows; a direct default is refused.
    app.patch("/api/v1/accounts/update_credentials")
        .auth(&alice)
        .form(&[("source[privacy]", "private"), ("source[language]", "")])
        .ok()
        .await;
    let page = browser.get("/settings/preferences").await;
    page.assert_contains("<option value=\"private\" selected>");
    page.assert_contains("<option value=\"\" selected>");
    let refused = browser
        .submit(
            "/settings/preferences",
            "/settings/preferences",
            &[("locale", "en"), ("default_visibility", "direct")],
        )
        .await;
    assert_eq!(refused.status(), 422, "{}", refused.html);
    let (_, account) = me(&app.api, &alice.token).await;
    assert_eq!(account["source"]["privacy"], "private");

    // In French (the footer's switch, since her own choice is English).
    let french = Browser::new(&app.api);
    french.use_token(&alice.token);
    let page = french
        .follow(
            french
                .get("/settings/language?lang=fr&next=%2Fsettings%2Fpreferences")
                .await,
        )
        .await;
    page.assert_contains("Visibilité par défaut");
}

/// Signs in with the password on a fresh browser; answers the second step's page.
async fn first_step<'a>(api: &'a Api, username: &str) -> (Browser<'a>, Page) {
    let browser = Browser::new(api);
    let page = browser
        .submit(
            "/auth/sign_in",
            "/auth/sign_in",
            &[("username", username), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status(), 200, "{}", page.html);
    page.assert_contains("name=\"challenge\"");
    assert!(browser.cookie("rhizome_session").is_none());
    (browser, page)
}

/// Sends the second step's form with `code`.
async fn second_step(browser: &Browser<'_>, page: &Page, code: &str) -> Page {
    let mut fields = page.form_fields("/auth/sign_in/two_factor");
    fields.push(("code".into(), code.into()));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    browser.post("/auth/sign_in/two_factor", &pairs).await
}

/// The text of the element with this `id`.
fn element_text(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no #{id}: {html}"))
        + marker.len();
    let end = html[start..]
        .find('<')
        .map(|e| start + e)
        .unwrap_or(html.len());
    html[start..end].replace("&#38;", "&")
}

#[tokio::test]
async fn two_factor_is_set_up_on_the_security_page_and_asked_at_sign_in() {
    let app = local().await;
    let alice = app.register("alice").await;
    let browser = Browser::new(&app.api);
    browser.sign_in(&alice.username).await;
    let page = browser.get("/settings/security").await;
    assert_eq!(page.status(), 200);
    page.assert_contains("action=\"/settings/security/two_factor/setup\"");

    // Setting up asks for the password, and changes nothing until a first code.
    let wrong = browser
        .submit(
            "/settings/security",
            "/settings/security/two_factor/setup",
            &[("password", "not my password")],
        )
        .await;
    assert_eq!(wrong.status(), 422, "{}", wrong.html);
    wrong.assert_contains("The current password is wrong.");
    let started = browser
        .submit(
            "/settings/security",
            "/settings/security/two_factor/setup",
            &[("password", PASSWORD)],
        )
        .await;
    assert_eq!(started.status(), 303, "{}", started.html);
    let page = browser.follow(started).await;
    let secret = element_text(&page.html, "totp-secret");
    let uri = element_text(&page.html, "totp-uri");
    assert!(uri.starts_with("otpauth://totp/"), "{uri}");
    assert!(
        uri.contains(&format!("secret={}", secret.replace(' ', ""))),
        "{uri}"
    );
    assert!(uri.contains("&issuer=localhost%3A8080&"), "{uri}");
    Browser::new(&app.api).sign_in(&alice.username).await;

    let step = two_factor::fresh_step().await;
    let refused = browser
        .submit(
            "/settings/security",
            "/settings/security/two_factor/enable",
            &[("code", &two_factor::wrong_code(&secret, step))],
        )
        .await;
    assert_eq!(refused.status(), 422, "{}", refused.html);
    refused.assert_contains("This code is wrong");
    let enabled = browser
        .submit(
            "/settings/security",
            "/settings/security/two_factor/enable",
            &[("code", &two_factor::code(&secret, step))],
        )
        .await;
    assert_eq!(enabled.status(), 200, "{}", enabled.html);
    let codes: Vec<String> = enabled
        .html
        .split("<li><code>")
        .skip(1)
        .filter_map(|part| part.split('<').next())
        .map(str::to_owned)
        .collect();
    assert_eq!(codes.len(), 10, "{}", enabled.html);
    assert_eq!(
        enabled.reply.header("cache-control").as_deref(),
        Some("no-store")
    );
    // The secret is never shown again.
    let page = browser.get("/settings/security").await;
    assert!(!page.html.contains(&secret), "{}", page.html);
    page.assert_contains("10 recovery codes left.");

    // Signing in now takes a second step: wrong and replayed codes are refused.
    let (other, first) = first_step(&app.api, &alice.username).await;
    let wrong = second_step(&other, &first, &two_factor::wrong_code(&secret, step)).await;
    assert_eq!(wrong.status(), 401, "{}", wrong.html);
    wrong.assert_contains("This code is wrong, expired or used already.");
    let replayed = second_step(&other, &first, &two_factor::code(&secret, step)).await;
    assert_eq!(replayed.status(), 401);
    assert!(other.cookie("rhizome_session").is_none());
    // The form token is checked first.
    let mut fields = first.form_fields("/auth/sign_in/two_factor");
    fields.retain(|(k, _)| k != "csrf_token");
    fields.push(("code".into(), two_factor::code(&secret, step + 1)));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        other
            .post("/auth/sign_in/two_factor", &pairs)
            .await
            .status(),
        403
    );
    let right = second_step(&other, &first, &two_factor::code(&secret, step + 1)).await;
    assert_eq!(right.status(), 303, "{}", right.html);
    assert_eq!(right.location(), "/home");
    let session = other.cookie("rhizome_session").expect("a session");
    assert_eq!(me(&app.api, &session).await.0, 200);

    // A recovery code works once, typed loosely; a forged challenge never.
    let (third, first) = first_step(&app.api, &alice.username).await;
    let mut forged = first.form_fields("/auth/sign_in/two_factor");
    for (key, value) in forged.iter_mut() {
        if key == "challenge" {
            let (_, rest) = value.split_once('.').unwrap();
            *value = format!("{}.{rest}", 1);
        }
    }
    forged.push(("code".into(), codes[0].clone()));
    let pairs: Vec<(&str, &str)> = forged
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let refused = third.post("/auth/sign_in/two_factor", &pairs).await;
    assert_eq!(refused.status(), 401);
    refused.assert_contains("Signing in took too long");
    let typed = format!(" {} ", codes[0].to_uppercase());
    let recovered = second_step(&third, &first, &typed).await;
    assert_eq!(recovered.status(), 303, "{}", recovered.html);
    let (fourth, first) = first_step(&app.api, &alice.username).await;
    let again = second_step(&fourth, &first, &codes[0]).await;
    assert_eq!(again.status(), 401);
    browser
        .get("/settings/security")
        .await
        .assert_contains("9 recovery codes left.");

    // The second step speaks French too.
    let french = Browser::new(&app.api).with_language("fr");
    let page = french
        .submit(
            "/auth/sign_in",
            "/auth/sign_in",
            &[("username", &alice.username), ("password", PASSWORD)],
        )
        .await;
    page.assert_contains("Authentification à deux facteurs");

    // Turning it off takes the password and a code.
    let wrong = browser
        .submit(
            "/settings/security",
            "/settings/security/two_factor/disable",
            &[("password", PASSWORD), ("code", "not-a-code")],
        )
        .await;
    assert_eq!(wrong.status(), 422, "{}", wrong.html);
    let wrong = browser
        .submit(
            "/settings/security",
            "/settings/security/two_factor/disable",
            &[("password", "not my password"), ("code", &codes[1])],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    let off = browser
        .submit(
            "/settings/security",
            "/settings/security/two_factor/disable",
            &[("password", PASSWORD), ("code", &codes[1])],
        )
        .await;
    assert_eq!(off.status(), 303, "{}", off.html);
    browser
        .follow(off)
        .await
        .assert_contains("Two-factor authentication is off.");
    Browser::new(&app.api).sign_in(&alice.username).await;
}

#[tokio::test]
async fn the_consent_page_asks_two_factor_accounts_for_their_code() {
    let app = local().await;
    let alice = app.register("alice").await;
    let step = two_factor::fresh_step().await;
    let (secret, codes) = two_factor::enable(&app.core, &alice.username, step).await;
    let created = app
        .post("/api/v1/apps")
        .json(json!({
            "client_name": "Garden app",
            "redirect_uris": "https://app.example/cb",
            "scopes": "read",
        }))
        .ok()
        .await;
    let client_id = text_of(&created, "client_id");
    let client_secret = text_of(&created, "client_secret");
    let path = format!(
        "/oauth/authorize?response_type=code&client_id={client_id}\
         &redirect_uri=https%3A%2F%2Fapp.example%2Fcb&scope=read&state=s1"
    );
    let browser = Browser::new(&app.api);

    // The right password alone brings the code field, not a code for the app.
    let asked = browser
        .submit(
            &path,
            "/oauth/authorize",
            &[
                ("username", &alice.username),
                ("password", PASSWORD),
                ("decision", "approve"),
            ],
        )
        .await;
    assert_eq!(asked.status(), 200, "{}", asked.html);
    asked.assert_contains("name=\"challenge\"");
    asked.assert_contains("name=\"code\"");
    assert!(!asked.html.contains("name=\"password\""));
    let send = |code: String| {
        let mut fields = asked.form_fields("/oauth/authorize");
        fields.push(("code".into(), code));
        fields.push(("decision".into(), "approve".into()));
        let browser = &browser;
        async move {
            let pairs: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            browser.post("/oauth/authorize", &pairs).await
        }
    };
    let wrong = send(two_factor::wrong_code(&secret, step)).await;
    assert_eq!(wrong.status(), 401, "{}", wrong.html);
    assert!(wrong.reply.header("location").is_none());
    wrong.assert_contains("name=\"challenge\"");
    let approved = send(two_factor::code(&secret, step + 1)).await;
    assert_eq!(approved.status(), 303, "{}", approved.html);
    let back = location_query(&approved.reply);
    assert_eq!(param(&back, "state"), Some("s1"));
    let code = param(&back, "code").expect("a code").to_owned();
    let token = app
        .post("/oauth/token")
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", &client_id),
            ("client_secret", &client_secret),
            ("redirect_uri", "https://app.example/cb"),
        ])
        .ok()
        .await;
    assert_eq!(me(&app.api, &text_of(&token, "access_token")).await.0, 200);
    // A recovery code does too, once.
    let approved = send(codes[3].clone()).await;
    assert_eq!(approved.status(), 303, "{}", approved.html);
    let again = send(codes[3].clone()).await;
    assert_eq!(again.status(), 401);
}

#[tokio::test]
async fn a_forgotten_password_is_reset_with_a_mailed_link() {
    let (port, mail) = support::smtp::smtp_sink().await;
    let smtp_url = format!("smtp://127.0.0.1:{port}");
    let app = local_with(&[
        ("RHIZOME_EMAIL_SMTP_URL", &smtp_url),
        ("RHIZOME_EMAIL_FROM", "Rhizome <noreply@localhost>"),
    ])
    .await;
    let alice = app.register("alice").await;
    let browser = Browser::new(&app.api);
    browser.sign_in(&alice.username).await;
    let session = browser.cookie("rhizome_session").unwrap();
    let page = Browser::new(&app.api).get("/auth/sign_in").await;
    page.assert_contains("href=\"/auth/password/new\"");

    let reset_jobs = || async {
        app.core
            .store
            .list_jobs(None, &rhizome_core::PageRequest::first(100))
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|job| job.kind == rhizome_core::password_reset::SEND_PASSWORD_RESET)
            .collect::<Vec<_>>()
    };
    // The same answer for an unknown address and a known one; only the known one mails.
    let stranger = Browser::new(&app.api);
    let unknown = stranger
        .submit(
            "/auth/password/new",
            "/auth/password/new",
            &[("email", "nobody@example.org")],
        )
        .await;
    assert_eq!(unknown.status(), 200, "{}", unknown.html);
    assert!(reset_jobs().await.is_empty());
    let known = stranger
        .submit(
            "/auth/password/new",
            "/auth/password/new",
            &[("email", &format!("{}@example.org", alice.username))],
        )
        .await;
    assert_eq!(known.status(), 200);
    let notice = |page: &Page| {
        let start = page.html.find("<main").unwrap();
        page.html[start..].to_owned()
    };
    assert_eq!(notice(&unknown), notice(&known));
    known.assert_contains("If an account uses this address");
    // Without its form token, nothing is asked.
    let forged = stranger
        .post(
            "/auth/password/new",
            &[("email", &format!("{}@example.org", alice.username))],
        )
        .await;
    assert_eq!(forged.status(), 403);
    let jobs = reset_jobs().await;
    assert_eq!(jobs.len(), 1);

    // In-process instances run no workers: the queued job is run here.
    app.core
        .send_password_reset(serde_json::from_str(&jobs[0].payload).unwrap())
        .await
        .unwrap();
    let message = tokio::time::timeout(std::time::Duration::from_secs(20), mail)
        .await
        .expect("a mail within 20 s")
        .expect("the sink's message");
    assert!(
        message.contains(&format!("To: {}@example.org", alice.username)),
        "{message}"
    );
    let path = support::smtp::link_path(&message, "/auth/password/edit?token=");

    let page = stranger.get(&path).await;
    assert_eq!(page.status(), 200, "{}", page.html);
    let mismatch = stranger
        .submit(
            &path,
            "/auth/password/edit",
            &[
                ("password", NEW_PASSWORD),
                ("password_confirmation", "something else"),
            ],
        )
        .await;
    assert_eq!(mismatch.status(), 422);
    let short = stranger
        .submit(
            &path,
            "/auth/password/edit",
            &[("password", "short"), ("password_confirmation", "short")],
        )
        .await;
    assert_eq!(short.status(), 422);
    short.assert_contains("password is too short");
    assert_eq!(me(&app.api, &alice.token).await.0, 200);

    let done = stranger
        .submit(
            &path,
            "/auth/password/edit",
            &[
                ("password", NEW_PASSWORD),
                ("password_confirmation", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status(), 303, "{}", done.html);
    assert_eq!(done.location(), "/auth/sign_in");
    stranger
        .follow(done)
        .await
        .assert_contains("Your password is changed. Sign in with the new one.");
    // Every token and session is revoked; the old password is no good, the new one is.
    assert_eq!(me(&app.api, &alice.token).await.0, 401);
    assert_eq!(me(&app.api, &session).await.0, 401);
    let old = Browser::new(&app.api)
        .submit(
            "/auth/sign_in",
            "/auth/sign_in",
            &[("username", &alice.username), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(old.status(), 401);
    let new = Browser::new(&app.api)
        .submit(
            "/auth/sign_in",
            "/auth/sign_in",
            &[("username", &alice.username), ("password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(new.status(), 303);
    // The link worked once.
    let used = stranger.get(&path).await;
    assert_eq!(used.status(), 404);
    used.assert_contains("This link is unknown, used already or expired.");
    assert_eq!(
        Browser::new(&app.api)
            .with_language("fr")
            .get("/auth/password/edit?token=nope")
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn without_mail_resets_are_left_to_admins() {
    let app = local().await;
    let page = Browser::new(&app.api).get("/auth/password/new").await;
    assert_eq!(page.status(), 200);
    page.assert_contains("This server cannot send mail.");
    assert!(!page.html.contains("action=\"/auth/password/new\""));
}

#[tokio::test]
async fn sessions_and_apps_are_listed_and_revoked() {
    let app = local().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let browser = Browser::new(&app.api);
    browser.sign_in(&alice.username).await;
    let session = browser.cookie("rhizome_session").unwrap();
    let page = browser.get("/settings/security").await;
    page.assert_contains("Rhizome API tests");
    page.assert_contains("Web session");
    page.assert_contains("this browser");
    page.assert_contains("<code>read write follow push</code>");
    let revoke_actions: Vec<String> = page
        .html
        .split("action=\"/settings/security/tokens/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|rest| format!("/settings/security/tokens/{rest}"))
        .collect();
    assert_eq!(revoke_actions.len(), 2, "{}", page.html);
    let list = app.get("/api/oauth_tokens").auth(&alice).ok().await;
    let app_token_id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["web_session"] == false)
        .map(|t| text_of(t, "id"))
        .unwrap();
    let app_action = format!("/settings/security/tokens/{app_token_id}/revoke");
    assert!(revoke_actions.contains(&app_action));

    // Without the form token nothing is revoked; another's token is not found.
    let forged = browser.post(&app_action, &[]).await;
    assert_eq!(forged.status(), 403);
    assert_eq!(me(&app.api, &alice.token).await.0, 200);
    let bobs = app.get("/api/oauth_tokens").auth(&bob).ok().await;
    let bob_action = format!(
        "/settings/security/tokens/{}/revoke",
        text_of(&bobs[0], "id")
    );
    let token = page.csrf_token();
    let refused = browser.post(&bob_action, &[("csrf_token", &token)]).await;
    assert_eq!(refused.status(), 404);
    assert_eq!(me(&app.api, &bob.token).await.0, 200);
    // Anonymous visitors are sent to sign in.
    let away = Browser::new(&app.api).get("/settings/security").await;
    assert_eq!(away.location(), "/auth/sign_in?next=%2Fsettings%2Fsecurity");

    let revoked = browser.submit("/settings/security", &app_action, &[]).await;
    assert_eq!(revoked.status(), 303, "{}", revoked.html);
    assert_eq!(me(&app.api, &alice.token).await.0, 401);
    let page = browser.follow(revoked).await;
    page.assert_contains("The access is revoked.");
    assert!(!page.html.contains("Rhizome API tests"));

    // Revoking this browser's own session signs it out.
    let own = page
        .html
        .split("action=\"/settings/security/tokens/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|rest| format!("/settings/security/tokens/{rest}"))
        .unwrap();
    let out = browser.submit("/settings/security", &own, &[]).await;
    assert_eq!(out.status(), 303);
    assert_eq!(out.location(), "/");
    assert!(browser.cookie("rhizome_session").is_none());
    assert_eq!(me(&app.api, &session).await.0, 401);

    // In French (the footer's switch, since his own choice is English).
    let french = Browser::new(&app.api);
    french.sign_in(&bob.username).await;
    let page = french
        .follow(
            french
                .get("/settings/language?lang=fr&next=%2Fsettings%2Fsecurity")
                .await,
        )
        .await;
    page.assert_contains("Sessions et applications autorisées");
    page.assert_contains("ce navigateur");
}
