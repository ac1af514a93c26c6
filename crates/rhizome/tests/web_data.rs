//! "Your data" in the web settings (issue #10): the seven CSV exports downloaded through the
//! session with Mastodon's columns, an import uploaded and applied by core's job workers with
//! its failed rows shown, a full archive asked for, listed, built and downloaded, forms
//! refused without their token, and the page in French. Effects are checked through the
//! client API.

mod support;

use serde_json::{Value, json};
use support::api::{Local, User, eventually, local, text_of};
use support::jobs::JobWorkers;
use support::media::multipart;
use support::web::{Browser, Page, signed_in};

/// Sends the import form of `/settings/data` with `file` as the upload.
async fn upload(browser: &Browser<'_>, token: &str, kind: &str, mode: &str, file: &str) -> Page {
    let (content_type, body) = multipart(&[
        ("csrf_token", None, "", token.as_bytes()),
        ("type", None, "", kind.as_bytes()),
        ("mode", None, "", mode.as_bytes()),
        (
            "data",
            Some("following_accounts.csv"),
            "text/csv",
            file.as_bytes(),
        ),
    ]);
    browser
        .post_multipart("/settings/data/imports", &content_type, body)
        .await
}

async fn imports(app: &Local, user: &User) -> Vec<Value> {
    app.get("/api/v1/imports")
        .auth(user)
        .ok()
        .await
        .as_array()
        .expect("a list")
        .clone()
}

async fn backups(app: &Local, user: &User) -> Vec<Value> {
    app.get("/api/v1/pleroma/backups")
        .auth(user)
        .ok()
        .await
        .as_array()
        .expect("a list")
        .clone()
}

#[tokio::test]
async fn exports_download_as_csv_with_mastodon_columns() {
    let app = local().await;
    let domain = app.core.config.domain.clone();
    let (alice, browser) = signed_in(&app, "alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    app.post(&format!("/api/v1/accounts/{}/follow", bob.id))
        .auth(&alice)
        .json(json!({ "reblogs": false, "notify": true }))
        .ok()
        .await;
    app.post(&format!("/api/v1/accounts/{}/mute", carol.id))
        .auth(&alice)
        .ok()
        .await;

    let page = browser.get("/settings/data").await;
    assert_eq!(page.status(), 200, "{}", page.html);
    for name in [
        "following",
        "followers",
        "lists",
        "blocks",
        "mutes",
        "domain_blocks",
        "bookmarks",
    ] {
        let href = format!("/settings/data/exports/{name}.csv");
        page.assert_contains(&format!("href=\"{href}\""));
        let file = browser.get(&href).await;
        assert_eq!(file.status(), 200, "{href}: {}", file.html);
        assert_eq!(
            file.reply.header("content-type").as_deref(),
            Some("text/csv; charset=utf-8"),
            "{href}"
        );
        assert!(
            file.reply
                .header("content-disposition")
                .is_some_and(|d| d.starts_with("attachment")),
            "{href}"
        );
        // The same file as the client API's.
        let api = app
            .get(&format!("/api/v1/exports/{name}.csv"))
            .auth(&alice)
            .send()
            .await
            .expect(200)
            .text();
        assert_eq!(file.html, api, "{href}");
    }
    let following = browser.get("/settings/data/exports/following.csv").await;
    assert_eq!(
        following.html,
        format!(
            "Account address,Show boosts,Notify on new posts,Languages\n{}@{domain},false,true,\n",
            bob.username
        )
    );
    let mutes = browser.get("/settings/data/exports/mutes.csv").await;
    assert_eq!(
        mutes.html,
        format!(
            "Account address,Hide notifications\n{}@{domain},true\n",
            carol.username
        )
    );
    assert_eq!(
        browser
            .get("/settings/data/exports/passwords.csv")
            .await
            .status(),
        404
    );
    // Nobody signed in: the sign-in page, then back here.
    let anonymous = Browser::new(&app.api)
        .get("/settings/data/exports/following.csv")
        .await;
    assert_eq!(anonymous.status(), 303);
    assert_eq!(
        anonymous.location(),
        "/auth/sign_in?next=%2Fsettings%2Fdata%2Fexports%2Ffollowing.csv"
    );
    let anonymous = Browser::new(&app.api).get("/settings/data").await;
    assert_eq!(anonymous.status(), 303);
}

#[tokio::test]
async fn an_uploaded_import_is_applied_and_its_failed_rows_shown() {
    let app = local().await;
    let _workers = JobWorkers::start(&app.core);
    let domain = app.core.config.domain.clone();
    let (alice, browser) = signed_in(&app, "alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let file = format!(
        "Account address,Show boosts,Notify on new posts,Languages\n\
         {}@{domain},false,true,\n\
         not an address,true,false,\n\
         {}@{domain},true,false,\n",
        bob.username, carol.username
    );
    let token = browser.get("/settings/data").await.csrf_token();
    let sent = upload(&browser, &token, "following", "merge", &file).await;
    assert_eq!(sent.status(), 303, "{}", sent.html);
    assert_eq!(sent.location(), "/settings/data");

    let import = eventually("the import to finish", || async {
        imports(&app, &alice)
            .await
            .into_iter()
            .find(|i| i["state"] == "finished")
    })
    .await;
    assert_eq!(import["type"], "following");
    assert_eq!(import["mode"], "merge");
    assert_eq!(import["imported_items"], 2);
    assert_eq!(import["failed_items"], 1);
    let relationships = app
        .get(&format!(
            "/api/v1/accounts/relationships?id[]={}&id[]={}",
            bob.id, carol.id
        ))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(relationships[0]["following"], true);
    assert_eq!(relationships[0]["showing_reblogs"], false);
    assert_eq!(relationships[0]["notifying"], true);
    assert_eq!(relationships[1]["following"], true);

    // The page shows it with its progress and a link to its failed row.
    let page = browser.get("/settings/data").await;
    let id = text_of(&import, "id");
    page.assert_contains("following_accounts.csv");
    page.assert_contains("3 of 3");
    page.assert_contains(&format!("href=\"/settings/data/imports/{id}\""));
    page.assert_contains("One row failed");
    let failures = browser.get(&format!("/settings/data/imports/{id}")).await;
    assert_eq!(failures.status(), 200, "{}", failures.html);
    failures.assert_contains("<td>2</td>");
    failures.assert_contains("not an address,true,false,");
    failures.assert_contains("is not an account address");
    // Someone else's import is not found.
    let (_, other) = signed_in(&app, "mallory").await;
    assert_eq!(
        other
            .get(&format!("/settings/data/imports/{id}"))
            .await
            .status(),
        404
    );

    // A file of the wrong kind comes back with the reason, and nothing starts.
    let token = browser.get("/settings/data").await.csrf_token();
    let refused = upload(&browser, &token, "lists", "overwrite", &file).await;
    assert_eq!(refused.status(), 422);
    refused.assert_contains("role=\"alert\"");
    refused.assert_contains("List name");
    assert_eq!(imports(&app, &alice).await.len(), 1);
}

#[tokio::test]
async fn an_archive_is_requested_listed_and_downloaded() {
    let app = local().await;
    let (alice, browser) = signed_in(&app, "alice").await;
    app.post_status(&alice, "a post to keep", "private").await;
    let page = browser.get("/settings/data").await;
    page.assert_contains("You have no archive yet.");
    let asked = browser
        .submit("/settings/data", "/settings/data/archives", &[])
        .await;
    assert_eq!(asked.status(), 303, "{}", asked.html);
    let page = browser.follow(asked).await;
    page.assert_contains("Your archive is being prepared.");
    page.assert_contains("Waiting");
    assert_eq!(backups(&app, &alice).await.len(), 1);

    // A second one the same day: the page again, with why.
    let again = browser
        .submit("/settings/data", "/settings/data/archives", &[])
        .await;
    assert_eq!(again.status(), 422);
    again.assert_contains("less than a day ago");
    assert_eq!(backups(&app, &alice).await.len(), 1);

    let _workers = JobWorkers::start(&app.core);
    let archive = eventually("the archive to be built", || async {
        backups(&app, &alice)
            .await
            .into_iter()
            .find(|b| b["processed"] == true)
    })
    .await;
    let page = browser.get("/settings/data").await;
    page.assert_contains("Ready");
    let href = format!("/settings/data/archives/{}", text_of(&archive, "id"));
    page.assert_contains(&format!("href=\"{href}\""));
    let file = browser.get(&href).await;
    assert_eq!(file.status(), 200);
    assert!(file.reply.body.starts_with(b"PK"));
}

#[tokio::test]
async fn forms_without_their_token_change_nothing() {
    let app = local().await;
    let (alice, browser) = signed_in(&app, "alice").await;
    let bob = app.register("bob").await;
    let (_, other) = signed_in(&app, "mallory").await;
    let foreign = other.get("/settings/data").await.csrf_token();
    let file = format!("{}\n", bob.username);
    for token in ["", foreign.as_str()] {
        let page = browser
            .post("/settings/data/archives", &[("csrf_token", token)])
            .await;
        assert_eq!(page.status(), 403, "{}", page.html);
        let page = upload(&browser, token, "blocking", "merge", &file).await;
        assert_eq!(page.status(), 403, "{}", page.html);
    }
    assert!(backups(&app, &alice).await.is_empty());
    assert!(imports(&app, &alice).await.is_empty());
}

#[tokio::test]
async fn the_settings_lead_to_your_data_in_french_too() {
    let app = local().await;
    let (_, browser) = signed_in(&app, "alice").await;
    let profile = browser.get("/settings/profile").await;
    profile.assert_contains("<a href=\"/settings/data\">Your data</a>");
    let page = browser.get("/settings/data").await;
    page.assert_contains("<a href=\"/settings/data\" aria-current=\"page\">Your data</a>");

    browser
        .get("/settings/language?lang=fr&next=%2Fsettings%2Fdata")
        .await;
    let page = browser.get("/settings/data").await;
    assert_eq!(page.status(), 200);
    page.assert_contains("<html lang=\"fr\">");
    page.assert_contains("<title>Vos données · ");
    page.assert_contains(">Comptes que vous suivez</a>");
    page.assert_contains(">Demander une archive</button>");
    page.assert_contains("<legend>Mode</legend>");
    page.assert_contains("Fusionner");
    page.assert_contains("Vous n&#39;avez pas encore d&#39;archive.");
}
