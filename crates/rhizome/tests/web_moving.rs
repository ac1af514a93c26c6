//! The moving and leaving pages: `/settings/migration` (aliases, moving away) and
//! `/settings/delete`, with their form tokens, refusals, and the French interface.

mod support;

use rhizome_model::Id;
use serde_json::json;
use support::api::{Local, PASSWORD, User, local};
use support::web::Browser;

async fn signed_in<'a>(app: &'a Local, user: &User) -> Browser<'a> {
    let browser = Browser::new(&app.api);
    browser.use_token(&user.token);
    browser
}

async fn aliases(app: &Local, user: &User) -> serde_json::Value {
    app.get("/api/pleroma/aliases").auth(user).ok().await["aliases"].clone()
}

#[tokio::test]
async fn aliases_are_added_and_removed_from_the_migration_page() {
    let app = local().await;
    let (alice, bob) = (app.register("alice").await, app.register("bob").await);
    let domain = app.core.config.domain.clone();

    // Anonymous visitors sign in first.
    let page = Browser::new(&app.api).get("/settings/migration").await;
    assert_eq!(page.status(), 303);
    assert!(
        page.location().contains("/auth/sign_in?next="),
        "{}",
        page.location()
    );

    let browser = signed_in(&app, &alice).await;
    let page = browser.get("/settings/migration").await;
    assert_eq!(page.status(), 200);
    page.assert_contains(&format!("@{}@{domain}", alice.username));

    // Without the form token: refused, nothing changes.
    let refused = browser
        .post("/settings/migration/aliases", &[("handle", &bob.username)])
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(aliases(&app, &alice).await, json!([]));

    let added = browser
        .submit(
            "/settings/migration",
            "/settings/migration/aliases",
            &[("handle", &bob.username)],
        )
        .await;
    assert_eq!(added.status(), 303, "{}", added.html);
    let page = browser.follow(added).await;
    page.assert_contains("The alias is added.");
    page.assert_contains(&format!("@{}@{domain}", bob.username));
    assert_eq!(
        aliases(&app, &alice).await,
        json!([format!("{}@{domain}", bob.username)])
    );

    // An unknown account is shown as such, with what was typed.
    let unknown = browser
        .submit(
            "/settings/migration",
            "/settings/migration/aliases",
            &[("handle", "nobody-here")],
        )
        .await;
    assert_eq!(unknown.status(), 404);
    unknown.assert_contains("No account was found at that address.");
    unknown.assert_contains("value=\"nobody-here\"");

    // Removing: without the token nothing changes, with it the alias goes.
    let bob_uri = format!("{}/users/{}", app.core.urls.base(), bob.username);
    let refused = browser
        .post("/settings/migration/aliases/remove", &[("alias", &bob_uri)])
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(aliases(&app, &alice).await.as_array().unwrap().len(), 1);
    let removed = browser
        .submit(
            "/settings/migration",
            "/settings/migration/aliases/remove",
            &[],
        )
        .await;
    assert_eq!(removed.status(), 303, "{}", removed.html);
    assert_eq!(aliases(&app, &alice).await, json!([]));
}

#[tokio::test]
async fn moving_away_needs_the_alias_and_the_password() {
    let app = local().await;
    let (alice, bob) = (app.register("alice").await, app.register("bob").await);
    let browser = signed_in(&app, &alice).await;
    let target = [("target", bob.username.as_str()), ("password", PASSWORD)];

    let refused = browser.post("/settings/migration/move", &target).await;
    assert_eq!(refused.status(), 403);

    // Bob does not name alice yet.
    let no_alias = browser
        .submit("/settings/migration", "/settings/migration/move", &target)
        .await;
    assert_eq!(no_alias.status(), 422);
    no_alias.assert_contains("does not list this one as an alias yet");

    app.put("/api/pleroma/aliases")
        .auth(&bob)
        .form(&[("alias", &alice.username)])
        .ok()
        .await;
    let wrong = browser
        .submit(
            "/settings/migration",
            "/settings/migration/move",
            &[("target", &bob.username), ("password", "wrong password")],
        )
        .await;
    assert_eq!(wrong.status(), 403);
    let me = app
        .get("/api/v1/accounts/verify_credentials")
        .auth(&alice)
        .ok()
        .await;
    assert!(me.get("moved").is_none());

    let moved = browser
        .submit("/settings/migration", "/settings/migration/move", &target)
        .await;
    assert_eq!(moved.status(), 303, "{}", moved.html);
    let page = browser.follow(moved).await;
    page.assert_contains("This account has moved to");
    let me = app
        .get("/api/v1/accounts/verify_credentials")
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(me["moved"]["id"], json!(bob.id));

    // The profile shows the new home, and offers no follow button.
    let carol = app.register("carol").await;
    let visitor = signed_in(&app, &carol).await;
    let profile = visitor.get(&format!("/@{}", alice.username)).await;
    assert_eq!(profile.status(), 200);
    profile.assert_contains("has moved to");
    profile.assert_contains(&format!("href=\"/@{}\"", bob.username));
    assert!(
        !profile
            .html
            .contains(&format!("/accounts/{}/follow\"", alice.id)),
        "{}",
        profile.html
    );
}

#[tokio::test]
async fn the_delete_page_checks_the_password_and_the_typed_name() {
    let app = local().await;
    let dora = app.register("dora").await;
    let id: Id = dora.id.parse().unwrap();

    let page = Browser::new(&app.api).get("/settings/delete").await;
    assert_eq!(page.status(), 303);

    let browser = signed_in(&app, &dora).await;
    let fields = [
        ("password", PASSWORD),
        ("confirmation", dora.username.as_str()),
    ];
    let refused = browser.post("/settings/delete", &fields).await;
    assert_eq!(refused.status(), 403);
    let wrong = browser
        .submit(
            "/settings/delete",
            "/settings/delete",
            &[
                ("password", "wrong password"),
                ("confirmation", &dora.username),
            ],
        )
        .await;
    assert_eq!(wrong.status(), 403);
    wrong.assert_contains("role=\"alert\"");
    let mistyped = browser
        .submit(
            "/settings/delete",
            "/settings/delete",
            &[("password", PASSWORD), ("confirmation", "someone-else")],
        )
        .await;
    assert_eq!(mistyped.status(), 422);
    mistyped.assert_contains("The username you typed is not this account");
    assert_eq!(app.core.deletion_state(id).await.unwrap(), None);

    let done = browser
        .submit("/settings/delete", "/settings/delete", &fields)
        .await;
    assert_eq!(done.status(), 200, "{}", done.html);
    done.assert_contains("Your account is deleted.");
    assert_eq!(browser.cookie("rhizome_session"), None);
    assert!(app.core.deletion_state(id).await.unwrap().is_some());
    // The session and the app tokens are revoked at once.
    app.get("/api/v1/accounts/verify_credentials")
        .auth(&dora)
        .send()
        .await
        .error(401);
    let again = Browser::new(&app.api);
    again.use_token(&dora.token);
    assert_eq!(again.get("/settings/delete").await.status(), 303);
}

#[tokio::test]
async fn the_pages_speak_french() {
    let app = local().await;
    let (alice, bob) = (app.register("alice").await, app.register("bob").await);
    let user = app.core.local_user_named(&alice.username).await.unwrap();
    app.core.set_locale(&user, "fr").await.unwrap();
    let browser = signed_in(&app, &alice).await;

    let page = browser.get("/settings/migration").await;
    page.assert_contains("<html lang=\"fr\">");
    page.assert_contains("Déménager vers un autre compte");
    let refused = browser
        .submit(
            "/settings/migration",
            "/settings/migration/move",
            &[("target", &bob.username), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(refused.status(), 422);
    refused.assert_contains("n’indique pas encore celui-ci comme alias");

    let page = browser.get("/settings/delete").await;
    page.assert_contains("Supprimer définitivement mon compte");
    page.assert_contains(&format!(
        "Tapez votre nom d’utilisateur ({})",
        alice.username
    ));
}
