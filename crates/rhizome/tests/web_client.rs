//! The web client for signed-in users: composing (warnings, visibility, polls, media with
//! their descriptions, replies, quotes), what one does with posts, editing and deleting,
//! timelines and their pages, notifications, search and following, lists, and live updates.
//! Every effect is checked through the client API.
//!
//! The in-process instance runs no job workers; tests that need fan-out, mention
//! notifications or streaming events start core's own workers beside it ([`JobWorkers`]).

mod support;

use std::time::Duration;

use futures::StreamExt;
use image::{DynamicImage, ImageFormat};
use serde_json::{Value, json};
use support::api::{Local, User, eventually, local, start_server, text_of};
use support::jobs::JobWorkers;
use support::media::{encoded, multipart};
use support::web::{Browser, Page, signed_in};
use tower::ServiceExt;

async fn status_as(app: &Local, user: &User, id: &str) -> Value {
    app.get(&format!("/api/v1/statuses/{id}"))
        .auth(user)
        .ok()
        .await
}

/// The user's own posts, newest first, through the API.
async fn posts_of(app: &Local, user: &User) -> Vec<Value> {
    app.get(&format!("/api/v1/accounts/{}/statuses", user.id))
        .auth(user)
        .ok()
        .await
        .as_array()
        .expect("a list")
        .clone()
}

fn articles(page: &Page) -> usize {
    page.html.matches("<article class=\"status").count()
}

/// The `href` of the page's `rel="next"` link.
fn next_link(page: &Page) -> Option<String> {
    let start = page.html.find("rel=\"next\" href=\"")? + "rel=\"next\" href=\"".len();
    let end = page.html[start..].find('"')? + start;
    Some(page.html[start..end].replace("&#38;", "&"))
}

fn png() -> Vec<u8> {
    encoded(&DynamicImage::new_rgb8(64, 48), ImageFormat::Png)
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_sign_in() {
    let app = local().await;
    let browser = Browser::new(&app.api);
    for path in [
        "/home",
        "/timelines/local",
        "/timelines/federated",
        "/timelines/bubble",
        "/compose?in_reply_to=1",
        "/notifications",
        "/search?q=x",
        "/lists",
    ] {
        let page = browser.get(path).await;
        assert_eq!(page.status(), 303, "{path}: {}", page.html);
        assert_eq!(
            page.location(),
            format!("/auth/sign_in?next={}", support::api::enc(path)),
            "{path}"
        );
    }
    // A page's live stream sends the visitor to sign in and back to that page.
    let page = browser.get("/web/stream/home").await;
    assert_eq!(page.location(), "/auth/sign_in?next=%2Fhome");
    // A form sent without a session goes to sign in too, and back to its page after.
    let page = browser
        .post(
            "/statuses/1/favourite",
            &[("return_to", "/timelines/local")],
        )
        .await;
    assert_eq!(page.location(), "/auth/sign_in?next=%2Ftimelines%2Flocal");
}

#[tokio::test]
async fn composing_with_a_warning_a_visibility_a_language_and_a_poll() {
    let app = local().await;
    let (alice, browser) = signed_in(&app, "alice").await;
    let home = browser.get("/home").await;
    assert_eq!(home.status(), 200, "{}", home.html);
    home.assert_contains("action=\"/statuses\"");
    home.assert_contains("enctype=\"multipart/form-data\"");
    let sent = browser
        .submit(
            "/home",
            "/statuses",
            &[
                ("status", "Which tree do you like best?"),
                ("spoiler_text", "Trees"),
                ("visibility", "unlisted"),
                ("language", "fr"),
                ("poll_option", "Oak"),
                ("poll_option", "Ash"),
                ("poll_option", "Yew"),
                ("poll_option", ""),
                ("poll_expires_in", "3600"),
                ("poll_multiple", "on"),
            ],
        )
        .await;
    assert_eq!(sent.status(), 303, "{}", sent.html);
    assert_eq!(sent.location(), "/home");
    let posts = posts_of(&app, &alice).await;
    assert_eq!(posts.len(), 1);
    let post = status_as(&app, &alice, &text_of(&posts[0], "id")).await;
    assert_eq!(post["spoiler_text"], "Trees");
    assert_eq!(post["sensitive"], true);
    assert_eq!(post["visibility"], "unlisted");
    assert_eq!(post["language"], "fr");
    assert!(text_of(&post, "content").contains("Which tree do you like best?"));
    let titles: Vec<&str> = post["poll"]["options"]
        .as_array()
        .expect("a poll")
        .iter()
        .map(|o| o["title"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(titles, ["Oak", "Ash", "Yew"]);
    assert_eq!(post["poll"]["multiple"], true);

    // Local only, from the compose page (no `return_to`): on to the new post's thread.
    let sent = browser
        .submit(
            "/compose",
            "/statuses",
            &[("status", "Only for us"), ("visibility", "local")],
        )
        .await;
    let posts = posts_of(&app, &alice).await;
    let id = text_of(&posts[0], "id");
    assert_eq!(sent.location(), format!("/@{}/{id}", alice.username));
    let post = status_as(&app, &alice, &id).await;
    assert_eq!(post["visibility"], "local");

    // A poll of one option is refused, and the form comes back with the text.
    let refused = browser
        .submit(
            "/home",
            "/statuses",
            &[("status", "Lonely poll"), ("poll_option", "Only")],
        )
        .await;
    assert_eq!(refused.status(), 422);
    refused.assert_contains("Lonely poll</textarea>");
    refused.assert_contains("role=\"alert\"");
    assert_eq!(posts_of(&app, &alice).await.len(), 2);
}

#[tokio::test]
async fn images_need_a_description_unless_the_author_posts_without_one() {
    let app = local().await;
    let (alice, browser) = signed_in(&app, "alice").await;
    let token = browser.get("/compose").await.csrf_token();
    let image = png();

    let (content_type, body) = multipart(&[
        ("csrf_token", None, "", token.as_bytes()),
        ("status", None, "", b"A picture"),
        ("media_file_0", Some("square.png"), "image/png", &image),
        ("media_description_0", None, "", b"A black rectangle"),
        ("media_file_1", Some(""), "application/octet-stream", b""),
    ]);
    let sent = browser
        .post_multipart("/statuses", &content_type, body)
        .await;
    assert_eq!(sent.status(), 303, "{}", sent.html);
    let posts = posts_of(&app, &alice).await;
    assert_eq!(posts.len(), 1);
    let media = posts[0]["media_attachments"].as_array().expect("media");
    assert_eq!(media.len(), 1);
    assert_eq!(media[0]["type"], "image");
    assert_eq!(media[0]["description"], "A black rectangle");

    // Without a description: the prompt, the text kept, the upload kept, nothing posted.
    let (content_type, body) = multipart(&[
        ("csrf_token", None, "", token.as_bytes()),
        ("status", None, "", b"No words for this one"),
        ("media_file_0", Some("square.png"), "image/png", &image),
    ]);
    let prompted = browser
        .post_multipart("/statuses", &content_type, body)
        .await;
    assert_eq!(prompted.status(), 422, "{}", prompted.html);
    prompted.assert_contains("Please describe your files");
    prompted.assert_contains("No words for this one</textarea>");
    prompted.assert_contains("name=\"no_description\"");
    prompted.assert_contains("aria-invalid=\"true\"");
    assert_eq!(posts_of(&app, &alice).await.len(), 1);
    let kept = prompted.form_fields("/statuses");
    assert!(
        kept.iter().any(|(name, _)| name == "media_id_0"),
        "{kept:?}"
    );

    // The author says they post without one.
    let mut fields: Vec<(&str, &str)> =
        kept.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    fields.push(("status", "No words for this one"));
    fields.push(("no_description", "on"));
    let sent = browser.post("/statuses", &fields).await;
    assert_eq!(sent.status(), 303, "{}", sent.html);
    let posts = posts_of(&app, &alice).await;
    assert_eq!(posts.len(), 2);
    let media = posts[0]["media_attachments"].as_array().expect("media");
    assert_eq!(media.len(), 1);
    assert!(media[0]["description"].is_null(), "{:#}", media[0]);
}

#[tokio::test]
async fn replies_and_quotes_are_composed_around_their_post() {
    let app = local().await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let parent = app
        .post_status(
            &bob,
            &format!("Hello @{} from bob", carol.username),
            "public",
        )
        .await;
    let parent_id = text_of(&parent, "id");
    let (alice, browser) = signed_in(&app, "alice").await;

    let compose = browser
        .get(&format!("/compose?in_reply_to={parent_id}"))
        .await;
    assert_eq!(compose.status(), 200, "{}", compose.html);
    compose.assert_contains(&format!(
        ">@{} @{} </textarea>",
        bob.username, carol.username
    ));
    compose.assert_contains(&format!("id=\"status-{parent_id}\""));
    let sent = browser
        .submit(
            &format!("/compose?in_reply_to={parent_id}"),
            "/statuses",
            &[("status", &format!("@{} hello back", bob.username))],
        )
        .await;
    assert_eq!(sent.status(), 303, "{}", sent.html);
    let reply = &posts_of(&app, &alice).await[0];
    assert_eq!(reply["in_reply_to_id"], parent_id.as_str());
    assert_eq!(
        sent.location(),
        format!("/@{}/{}", alice.username, text_of(reply, "id"))
    );

    let compose = browser.get(&format!("/compose?quote={parent_id}")).await;
    compose.assert_contains(&format!("id=\"status-{parent_id}\""));
    let sent = browser
        .submit(
            &format!("/compose?quote={parent_id}"),
            "/statuses",
            &[("status", "Worth reading")],
        )
        .await;
    assert_eq!(sent.status(), 303, "{}", sent.html);
    let quote = status_as(
        &app,
        &alice,
        &text_of(&posts_of(&app, &alice).await[0], "id"),
    )
    .await;
    assert_eq!(quote["pleroma"]["quote_id"], parent_id.as_str());
    assert_eq!(quote["quote"]["state"], "accepted");
}

#[tokio::test]
async fn favourite_boost_bookmark_and_react_through_the_posts_forms() {
    let app = local().await;
    let bob = app.register("bob").await;
    let post = app.post_status(&bob, "Look at this moss", "public").await;
    let id = text_of(&post, "id");
    let (alice, browser) = signed_in(&app, "alice").await;
    let page = "/timelines/local";

    for (action, field, value) in [
        ("favourite", "favourited", true),
        ("reblog", "reblogged", true),
        ("bookmark", "bookmarked", true),
        ("unfavourite", "favourited", false),
    ] {
        let sent = browser
            .submit(page, &format!("/statuses/{id}/{action}"), &[])
            .await;
        assert_eq!(sent.status(), 303, "{action}: {}", sent.html);
        assert_eq!(sent.location(), page);
        let seen = status_as(&app, &alice, &id).await;
        assert_eq!(seen[field], value, "{action}: {seen:#}");
    }
    let sent = browser
        .submit(page, &format!("/statuses/{id}/react"), &[("emoji", "🌱")])
        .await;
    assert_eq!(sent.status(), 303, "{}", sent.html);
    let seen = status_as(&app, &alice, &id).await;
    let reactions = seen["pleroma"]["emoji_reactions"]
        .as_array()
        .expect("reactions");
    assert_eq!(reactions[0]["name"], "🌱");
    assert_eq!(reactions[0]["me"], true);
    // The reaction itself is a button that takes it back.
    let sent = browser
        .submit(page, &format!("/statuses/{id}/unreact"), &[("emoji", "🌱")])
        .await;
    assert_eq!(sent.status(), 303, "{}", sent.html);
    let seen = status_as(&app, &alice, &id).await;
    assert_eq!(
        seen["pleroma"]["emoji_reactions"],
        serde_json::json!([]),
        "{seen:#}"
    );

    // The script's request: the post's new HTML, not a redirect.
    let token = browser.get(page).await.csrf_token();
    let reply = app
        .post(&format!("/statuses/{id}/unbookmark"))
        .header("cookie", &format!("rhizome_session={}", alice.token))
        .header("x-requested-with", "fetch")
        .form(&[("csrf_token", token.as_str()), ("return_to", page)])
        .send()
        .await
        .expect(200);
    let fragment = reply.text();
    assert!(
        fragment.trim_start().starts_with("<article class=\"status"),
        "{fragment}"
    );
    assert!(!fragment.contains("<html"), "{fragment}");
    assert!(fragment.contains(&format!("id=\"status-{id}\"")));
    // Its forms offer the new state and come back to the page.
    assert!(
        fragment.contains(&format!("action=\"/statuses/{id}/bookmark\"")),
        "{fragment}"
    );
    assert!(
        fragment.contains(&format!("action=\"/statuses/{id}/unreblog\"")),
        "{fragment}"
    );
    assert!(
        fragment.contains(&format!("value=\"{page}\"")),
        "{fragment}"
    );
    assert_eq!(status_as(&app, &alice, &id).await["bookmarked"], false);
}

#[tokio::test]
async fn the_scripts_compose_gets_the_new_post_or_the_form_back() {
    let app = local().await;
    let (alice, browser) = signed_in(&app, "alice").await;
    let token = browser.get("/home").await.csrf_token();
    let send = |fields: Vec<(&'static str, String)>| {
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        app.post("/statuses")
            .header("cookie", &format!("rhizome_session={}", alice.token))
            .header("x-requested-with", "fetch")
            .form(&pairs)
    };
    let reply = send(vec![
        ("csrf_token", token.clone()),
        ("return_to", "/home".to_owned()),
        ("status", "Posted without a reload".to_owned()),
    ])
    .send()
    .await
    .expect(200);
    let fragment = reply.text();
    let id = text_of(&posts_of(&app, &alice).await[0], "id");
    assert!(
        fragment.trim_start().starts_with(&format!(
            "<article class=\"status visibility-public\" id=\"status-{id}\""
        )),
        "{fragment}"
    );
    assert!(fragment.contains("Posted without a reload"));
    assert!(fragment.contains("value=\"/home\""), "{fragment}");
    assert!(!fragment.contains("<html"));

    // Refused: the form alone comes back, with what was typed and why.
    let reply = send(vec![
        ("csrf_token", token.clone()),
        ("return_to", "/home".to_owned()),
        ("status", "Half a poll".to_owned()),
        ("poll_option", "Yes".to_owned()),
    ])
    .send()
    .await
    .expect(422);
    let fragment = reply.text();
    assert!(
        fragment
            .trim_start()
            .starts_with("<form class=\"compose js-compose\""),
        "{fragment}"
    );
    assert!(fragment.contains("Half a poll</textarea>"));
    assert!(fragment.contains("role=\"alert\""));
    assert!(!fragment.contains("<html"));
    assert_eq!(posts_of(&app, &alice).await.len(), 1);
}

#[tokio::test]
async fn votes_are_cast_through_the_polls_form() {
    let app = local().await;
    let bob = app.register("bob").await;
    let post = app
        .post("/api/v1/statuses")
        .auth(&bob)
        .json(json!({
            "status": "Which mosses?",
            "poll": { "options": ["Sphagnum", "Hypnum", "Polytrichum"], "expires_in": 3600, "multiple": true },
        }))
        .ok()
        .await;
    let id = text_of(&post, "id");
    let poll = text_of(&post["poll"], "id");
    let (alice, browser) = signed_in(&app, "alice").await;
    let page = browser.get("/timelines/local").await;
    page.assert_contains("type=\"checkbox\" name=\"choices\" value=\"2\"");
    let sent = browser
        .submit(
            "/timelines/local",
            &format!("/polls/{poll}/vote"),
            &[("choices", "0"), ("choices", "2")],
        )
        .await;
    assert_eq!(sent.status(), 303, "{}", sent.html);
    assert_eq!(sent.location(), "/timelines/local");
    let seen = status_as(&app, &alice, &id).await;
    assert_eq!(seen["poll"]["voted"], true);
    assert_eq!(seen["poll"]["own_votes"], json!([0, 2]));
    // Once is enough: a second vote is refused and changes nothing.
    let token = browser.get("/timelines/local").await.csrf_token();
    let again = browser
        .post(
            &format!("/polls/{poll}/vote"),
            &[("csrf_token", token.as_str()), ("choices", "1")],
        )
        .await;
    assert_eq!(again.status(), 422);
    let seen = status_as(&app, &alice, &id).await;
    assert_eq!(seen["poll"]["own_votes"], json!([0, 2]));
}

#[tokio::test]
async fn forms_without_their_token_change_nothing() {
    let app = local().await;
    let bob = app.register("bob").await;
    let post = app.post_status(&bob, "Untouchable", "public").await;
    let id = text_of(&post, "id");
    let (alice, browser) = signed_in(&app, "alice").await;
    let (_, other) = signed_in(&app, "mallory").await;
    let foreign = other.get("/home").await.csrf_token();

    for token in ["", foreign.as_str()] {
        let page = browser
            .post(
                &format!("/statuses/{id}/favourite"),
                &[("csrf_token", token), ("return_to", "/home")],
            )
            .await;
        assert_eq!(page.status(), 403, "{}", page.html);
        let page = browser
            .post("/statuses", &[("csrf_token", token), ("status", "forged")])
            .await;
        assert_eq!(page.status(), 403);
        let page = browser
            .post(
                &format!("/accounts/{}/follow", bob.id),
                &[("csrf_token", token)],
            )
            .await;
        assert_eq!(page.status(), 403);
        let page = browser
            .post("/lists", &[("csrf_token", token), ("title", "forged")])
            .await;
        assert_eq!(page.status(), 403);
    }
    assert_eq!(status_as(&app, &alice, &id).await["favourited"], false);
    assert!(posts_of(&app, &alice).await.is_empty());
    let relationship = app
        .get(&format!("/api/v1/accounts/relationships?id[]={}", bob.id))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(relationship[0]["following"], false);
    let lists = app.get("/api/v1/lists").auth(&alice).ok().await;
    assert_eq!(lists, json!([]));
}

#[tokio::test]
async fn authors_edit_and_delete_their_own_posts_only() {
    let app = local().await;
    let (alice, browser) = signed_in(&app, "alice").await;
    let (_, stranger) = signed_in(&app, "bob").await;
    // A post with a picture, made through the API.
    let (content_type, body) = multipart(&[
        ("file", Some("a.png"), "image/png", &png()),
        ("description", None, "", b"first words"),
    ]);
    let media = app
        .post("/api/v2/media")
        .auth(&alice)
        .body(&content_type, body)
        .ok()
        .await;
    let media_id = text_of(&media, "id");
    let post = app
        .post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({ "status": "Fist draft", "media_ids": [media_id] }))
        .ok()
        .await;
    let id = text_of(&post, "id");

    let form = browser.get(&format!("/statuses/{id}/edit")).await;
    assert_eq!(form.status(), 200, "{}", form.html);
    form.assert_contains("Fist draft</textarea>");
    form.assert_contains("first words</textarea>");
    let description = format!("description_{media_id}");
    let sent = browser
        .submit(
            &format!("/statuses/{id}/edit"),
            &format!("/statuses/{id}/edit"),
            &[
                ("status", "First draft"),
                ("spoiler_text", "Typos"),
                (description.as_str(), "better words"),
            ],
        )
        .await;
    assert_eq!(sent.status(), 303, "{}", sent.html);
    assert_eq!(sent.location(), format!("/@{}/{id}", alice.username));
    let seen = status_as(&app, &alice, &id).await;
    assert!(text_of(&seen, "content").contains("First draft"));
    assert_eq!(seen["spoiler_text"], "Typos");
    assert!(seen["edited_at"].is_string());
    assert_eq!(seen["media_attachments"][0]["description"], "better words");

    // Someone else's post: no form, no edit, no deletion.
    let page = stranger.get(&format!("/statuses/{id}/edit")).await;
    assert_eq!(page.status(), 404);
    let token = stranger.get("/home").await.csrf_token();
    let page = stranger
        .post(
            &format!("/statuses/{id}/edit"),
            &[("csrf_token", token.as_str()), ("status", "Hijacked")],
        )
        .await;
    assert_eq!(page.status(), 404);
    let page = stranger
        .post(
            &format!("/statuses/{id}/delete"),
            &[("csrf_token", token.as_str())],
        )
        .await;
    assert_eq!(page.status(), 404);
    let seen = status_as(&app, &alice, &id).await;
    assert!(text_of(&seen, "content").contains("First draft"));

    // The author deletes it from its own page's form: back home, since that page is gone.
    let token = browser.get("/home").await.csrf_token();
    let sent = browser
        .post(
            &format!("/statuses/{id}/delete"),
            &[
                ("csrf_token", token.as_str()),
                ("return_to", &format!("/@{}/{id}", alice.username)),
            ],
        )
        .await;
    assert_eq!(sent.status(), 303, "{}", sent.html);
    assert_eq!(sent.location(), "/home");
    app.get(&format!("/api/v1/statuses/{id}"))
        .auth(&alice)
        .send()
        .await
        .expect(404);
}

#[tokio::test]
async fn timelines_list_posts_twenty_a_page() {
    let app = local().await;
    let bob = app.register("bob").await;
    for n in 0..25 {
        app.post_status(&bob, &format!("Post number {n}"), "public")
            .await;
    }
    let (_, browser) = signed_in(&app, "alice").await;
    let first = browser.get("/timelines/local").await;
    assert_eq!(first.status(), 200, "{}", first.html);
    assert_eq!(articles(&first), 20);
    first.assert_contains("Post number 24");
    first.assert_contains("<a href=\"/timelines/local\" aria-current=\"page\">");
    first.assert_contains("data-stream=\"local\"");
    first.assert_contains("aria-live=\"polite\"");
    let next = next_link(&first).expect("a next page");
    assert!(next.starts_with("/timelines/local?max_id="), "{next}");
    let second = browser.get(&next).await;
    assert_eq!(articles(&second), 5);
    second.assert_contains("Post number 0");
    assert!(!second.html.contains("Post number 5<"), "{}", second.html);
    let last = browser
        .get(&next_link(&second).expect("a link to the end"))
        .await;
    assert_eq!(articles(&last), 0);
    assert!(next_link(&last).is_none());

    for path in ["/timelines/federated", "/timelines/bubble"] {
        let page = browser.get(path).await;
        assert_eq!(page.status(), 200, "{path}");
        assert!(articles(&page) > 0, "{path}");
        page.assert_contains(&format!("<a href=\"{path}\" aria-current=\"page\">"));
    }
}

#[tokio::test]
async fn the_home_timeline_shows_followed_accounts_once_distributed() {
    let app = local().await;
    let _workers = JobWorkers::start(&app.core);
    let bob = app.register("bob").await;
    let (alice, browser) = signed_in(&app, "alice").await;
    app.follow(&alice, &bob).await;
    app.post_status(&bob, "For my followers", "private").await;
    eventually("bob's post on alice's home page", || async {
        let page = browser.get("/home").await;
        page.html.contains("For my followers").then_some(())
    })
    .await;
    let page = browser.get("/home").await;
    page.assert_contains("<a href=\"/home\" aria-current=\"page\">");
    page.assert_contains("data-stream=\"home\"");
}

#[tokio::test]
async fn notifications_show_mentions_follows_and_follow_requests() {
    let app = local().await;
    let _workers = JobWorkers::start(&app.core);
    let (alice, browser) = signed_in(&app, "alice").await;
    let bob = app.register("bob").await;
    app.follow(&bob, &alice).await;
    app.post_status(
        &bob,
        &format!("@{} the moss is out", alice.username),
        "public",
    )
    .await;
    let page = eventually("the mention notification", || async {
        let page = browser.get("/notifications").await;
        page.html.contains("mentioned you").then_some(page)
    })
    .await;
    page.assert_contains("the moss is out");
    page.assert_contains("followed you");
    page.assert_contains("notification-mention");
    // Seen: nothing unread any more.
    let unread = app
        .get("/api/v1/notifications/unread_count")
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(unread["count"], 0);

    // A locked account answers follow requests from here.
    app.patch("/api/v1/accounts/update_credentials")
        .auth(&alice)
        .json(json!({ "locked": true }))
        .ok()
        .await;
    let dave = app.register("dave").await;
    app.follow(&dave, &alice).await;
    let page = browser.get("/notifications").await;
    page.assert_contains("asked to follow you");
    let sent = browser
        .submit(
            "/notifications",
            &format!("/follow_requests/{}/authorize", dave.id),
            &[],
        )
        .await;
    assert_eq!(sent.status(), 303, "{}", sent.html);
    assert_eq!(sent.location(), "/notifications");
    let relationship = app
        .get(&format!("/api/v1/accounts/relationships?id[]={}", alice.id))
        .auth(&dave)
        .ok()
        .await;
    assert_eq!(relationship[0]["following"], true);
    let page = browser.follow(sent).await;
    page.assert_contains("Follow request accepted.");
    assert!(!page.html.contains("/authorize\""), "{}", page.html);

    // Dismissed, all of them.
    let sent = browser
        .submit("/notifications", "/notifications/clear", &[])
        .await;
    assert_eq!(sent.status(), 303);
    let left = app.get("/api/v1/notifications").auth(&alice).ok().await;
    assert_eq!(left, json!([]));
}

#[tokio::test]
async fn search_finds_a_local_account_and_follows_it() {
    let app = local().await;
    // Posts are indexed for search when they are distributed.
    let _workers = JobWorkers::start(&app.core);
    let bob = app.register("bob").await;
    app.post_status(&bob, "Lichens everywhere today", "public")
        .await;
    let (alice, browser) = signed_in(&app, "alice").await;
    let search = format!("/search?q={}", bob.username);
    let page = browser.get(&search).await;
    assert_eq!(page.status(), 200, "{}", page.html);
    page.assert_contains(&format!("@{}</span>", bob.username));
    page.assert_contains("role=\"search\"");
    let sent = browser
        .submit(&search, &format!("/accounts/{}/follow", bob.id), &[])
        .await;
    assert_eq!(sent.status(), 303, "{}", sent.html);
    assert_eq!(sent.location(), search);
    let relationship = app
        .get(&format!("/api/v1/accounts/relationships?id[]={}", bob.id))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(relationship[0]["following"], true);
    let page = browser.follow(sent).await;
    page.assert_contains("You follow this account now.");
    page.assert_contains(&format!("action=\"/accounts/{}/unfollow\"", bob.id));

    // A full address is looked up as such; words find posts.
    let page = browser
        .get(&format!(
            "/search?q=%40{}%40{}",
            bob.username,
            support::api::enc(app.core.config.domain.as_str())
        ))
        .await;
    page.assert_contains(&format!("action=\"/accounts/{}/unfollow\"", bob.id));
    eventually("the post found by its words", || async {
        let page = browser.get("/search?q=lichens").await;
        page.html.contains("Lichens everywhere today").then_some(())
    })
    .await;

    let sent = browser
        .submit(&search, &format!("/accounts/{}/unfollow", bob.id), &[])
        .await;
    assert_eq!(sent.status(), 303);
    let relationship = app
        .get(&format!("/api/v1/accounts/relationships?id[]={}", bob.id))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(relationship[0]["following"], false);
}

#[tokio::test]
async fn someone_on_another_server_is_found_by_address_and_followed() {
    // Two real servers: the address is looked up by WebFinger, the follow is federated.
    let env = [
        ("RHIZOME_FEDERATION_ALLOW_HTTP", "true"),
        ("RHIZOME_FEDERATION_ALLOW_PRIVATE_ADDRESSES", "true"),
    ];
    let here = start_server(&env);
    let there = start_server(&env);
    let (here_api, there_api) = (here.api(), there.api());
    let alice = here_api.register("alice").await;
    let bob = there_api.register("bob").await;
    let address = format!("@{}@127.0.0.1:{}", bob.username, there.server.port);
    let browser = Browser::new(&here_api);
    browser.use_token(&alice.token);
    let search = format!("/search?q={}", support::api::enc(&address));
    let page = browser.get(&search).await;
    assert_eq!(page.status(), 200, "{}", page.html);
    page.assert_contains(&format!("<span class=\"handle\">{address}</span>"));
    let start = page
        .html
        .find("action=\"/accounts/")
        .expect("a follow form")
        + "action=\"".len();
    let end = page.html[start..].find('"').expect("the action's end") + start;
    let action = page.html[start..end].to_owned();
    assert!(action.ends_with("/follow"), "{action}");
    let remote_id = action
        .trim_start_matches("/accounts/")
        .trim_end_matches("/follow")
        .to_owned();

    let sent = browser.submit(&search, &action, &[]).await;
    assert_eq!(sent.status(), 303, "{}", sent.html);
    assert_eq!(sent.location(), search);
    eventually("the remote follow accepted", || async {
        let relationship = here_api
            .get(&format!("/api/v1/accounts/relationships?id[]={remote_id}"))
            .auth(&alice)
            .ok()
            .await;
        (relationship[0]["following"] == true).then_some(())
    })
    .await;
    let followers = there_api
        .get(&format!("/api/v1/accounts/{}/followers", bob.id))
        .auth(&bob)
        .ok()
        .await;
    assert_eq!(
        followers[0]["username"],
        alice.username.as_str(),
        "{followers:#}"
    );
}

#[tokio::test]
async fn lists_are_created_filled_shown_emptied_and_deleted() {
    let app = local().await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let (alice, browser) = signed_in(&app, "alice").await;
    app.follow(&alice, &bob).await;
    app.post_status(&bob, "Bob on the list", "public").await;

    let sent = browser
        .submit("/lists", "/lists", &[("title", "Friends")])
        .await;
    assert_eq!(sent.status(), 303, "{}", sent.html);
    let lists = app.get("/api/v1/lists").auth(&alice).ok().await;
    assert_eq!(lists[0]["title"], "Friends");
    let id = text_of(&lists[0], "id");
    assert_eq!(sent.location(), format!("/lists/{id}"));
    let list_page = format!("/lists/{id}");

    let sent = browser
        .submit(
            &list_page,
            &format!("/lists/{id}/members"),
            &[("handle", &format!("@{}", bob.username))],
        )
        .await;
    assert_eq!(sent.status(), 303, "{}", sent.html);
    let members = app
        .get(&format!("/api/v1/lists/{id}/accounts"))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(members[0]["id"], bob.id.as_str());
    let page = browser.get(&list_page).await;
    page.assert_contains("Bob on the list");
    page.assert_contains(&format!("/lists/{id}/members/{}/remove", bob.id));

    // Only followed accounts, as on Mastodon.
    let refused = browser
        .submit(
            &list_page,
            &format!("/lists/{id}/members"),
            &[("handle", &carol.username)],
        )
        .await;
    assert_eq!(refused.status(), 422);
    refused.assert_contains("You must follow an account to add it to a list");

    let sent = browser
        .submit(
            "/lists",
            &format!("/lists/{id}/rename"),
            &[("title", "Close friends")],
        )
        .await;
    assert_eq!(sent.status(), 303);
    let list = app
        .get(&format!("/api/v1/lists/{id}"))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(list["title"], "Close friends");

    let sent = browser
        .submit(
            &list_page,
            &format!("/lists/{id}/members/{}/remove", bob.id),
            &[],
        )
        .await;
    assert_eq!(sent.status(), 303);
    let members = app
        .get(&format!("/api/v1/lists/{id}/accounts"))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(members, json!([]));

    // Nobody else's list is theirs to see.
    let (_, stranger) = signed_in(&app, "mallory").await;
    assert_eq!(stranger.get(&list_page).await.status(), 404);

    let sent = browser
        .submit("/lists", &format!("/lists/{id}/delete"), &[])
        .await;
    assert_eq!(sent.status(), 303);
    app.get(&format!("/api/v1/lists/{id}"))
        .auth(&alice)
        .send()
        .await
        .expect(404);
}

/// The next server-sent event called `name` from `body`, within a few seconds.
async fn next_event(
    body: &mut axum::body::BodyDataStream,
    buffer: &mut String,
    name: &str,
) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut event = "message";
            let mut data = Vec::new();
            for line in block.lines() {
                if let Some(value) = line.strip_prefix("event:") {
                    event = value.trim();
                } else if let Some(value) = line.strip_prefix("data:") {
                    data.push(value.strip_prefix(' ').unwrap_or(value));
                }
            }
            if event == name {
                return data.join("\n");
            }
        }
        let chunk = tokio::time::timeout_at(deadline, body.next())
            .await
            .unwrap_or_else(|_| panic!("no {name} event in time; got {buffer:?}"))
            .expect("the stream goes on")
            .expect("stream bytes");
        buffer.push_str(std::str::from_utf8(&chunk).expect("UTF-8"));
    }
}

#[tokio::test]
async fn the_stream_sends_new_posts_as_the_posts_partial() {
    let app = local().await;
    let _workers = JobWorkers::start(&app.core);
    let (alice, _) = signed_in(&app, "alice").await;
    let bob = app.register("bob").await;
    app.follow(&alice, &bob).await;
    // The stream is read as it comes, so it is asked of the router directly.
    let router = rhizome_web::router(&app.core).with_state(app.core.clone());
    let open = |path: &str| {
        axum::http::Request::get(path)
            .header("cookie", format!("rhizome_session={}", alice.token))
            .body(axum::body::Body::empty())
            .expect("request")
    };
    let response = router
        .clone()
        .oneshot(open("/web/stream/home"))
        .await
        .expect("router");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/event-stream")
    );
    let mut home = response.into_body().into_data_stream();
    let local_stream = router
        .clone()
        .oneshot(open("/web/stream/local"))
        .await
        .expect("router");
    let mut local = local_stream.into_body().into_data_stream();

    let post = app
        .post_status(&bob, "Live from the forest", "public")
        .await;
    let id = text_of(&post, "id");
    let (mut home_buffer, mut local_buffer) = (String::new(), String::new());
    let html = next_event(&mut home, &mut home_buffer, "status").await;
    assert!(html.starts_with("<article class=\"status"), "{html}");
    assert!(html.contains(&format!("id=\"status-{id}\"")), "{html}");
    assert!(html.contains("Live from the forest"), "{html}");
    // Its forms work from the timeline page.
    assert!(
        html.contains(&format!("action=\"/statuses/{id}/favourite\"")),
        "{html}"
    );
    assert!(html.contains("value=\"/home\""), "{html}");
    let html = next_event(&mut local, &mut local_buffer, "status").await;
    assert!(html.contains("Live from the forest"), "{html}");

    // A mention is a notification: its event carries the unread count.
    app.post_status(&bob, &format!("@{} over here", alice.username), "public")
        .await;
    let count = next_event(&mut home, &mut home_buffer, "notification").await;
    assert!(count.parse::<i64>().expect("a count") >= 1, "{count}");
    // Dropping the bodies ends the streams (the client went away).
    drop(home);
    drop(local);

    // Anonymous visitors have no stream, and unknown timelines none either.
    let anonymous = router
        .clone()
        .oneshot(
            axum::http::Request::get("/web/stream/home")
                .body(axum::body::Body::empty())
                .expect("request"),
        )
        .await
        .expect("router");
    assert_eq!(anonymous.status(), 303);
    let unknown = router
        .oneshot(open("/web/stream/elsewhere"))
        .await
        .expect("router");
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn the_client_speaks_french() {
    let app = local().await;
    let (_, browser) = signed_in(&app, "alice").await;
    browser.get("/settings/language?lang=fr&next=%2Fhome").await;
    let page = browser.get("/home").await;
    assert_eq!(page.status(), 200);
    page.assert_contains("<html lang=\"fr\">");
    page.assert_contains("<h1 id=\"timeline-title\">Accueil</h1>");
    page.assert_contains("aria-label=\"Fils\"");
    page.assert_contains(">Fédéré</a>");
    page.assert_contains("Avertissement de contenu (facultatif)");
    page.assert_contains(">Publier</button>");
    let page = browser.get("/lists").await;
    page.assert_contains("Créer la liste");
    let prompted = browser
        .submit("/home", "/statuses", &[("status", "")])
        .await;
    assert_eq!(prompted.status(), 422);
    prompted.assert_contains("<html lang=\"fr\">");
}

#[tokio::test]
async fn the_compose_form_starts_from_the_users_posting_defaults() {
    let app = local().await;
    let (alice, browser) = signed_in(&app, "alice").await;
    app.patch("/api/v1/accounts/update_credentials")
        .auth(&alice)
        .json(serde_json::json!({
            "source": { "privacy": "private", "sensitive": true, "language": "de" }
        }))
        .ok()
        .await;
    let home = browser.get("/home").await;
    home.assert_contains("<option value=\"private\" selected>");
    home.assert_contains("<option value=\"de\" lang=\"de\" selected>");
    home.assert_contains("name=\"sensitive\" value=\"on\" checked");
    // A reply to a public post keeps the author's default; to a followers-only post, narrows.
    let bob = app.register("bob").await;
    let open = app.post_status(&bob, "Open to all", "public").await;
    let page = browser
        .get(&format!("/compose?in_reply_to={}", text_of(&open, "id")))
        .await;
    page.assert_contains("<option value=\"private\" selected>");
}

/// Reporting a post from the web: a category, the rules it breaks and a comment reach the
/// moderators as a report on the post and its author; one's own posts offer no report.
#[tokio::test]
async fn a_post_is_reported_to_the_moderators_from_its_page() {
    let app = local().await;
    app.core
        .change_setting(rhizome_core::settings::RULES, json!(["Be kind", "No spam"]))
        .await
        .unwrap();
    let (bob, bob_browser) = signed_in(&app, "bob").await;
    let (_alice, browser) = signed_in(&app, "alice").await;
    let post = app.post_status(&bob, "buy my pills", "public").await;
    let id = post["id"].as_str().unwrap();
    let form_path = format!("/statuses/{id}/report");

    // The link is on others' posts, not on one's own.
    let home = browser.get(&format!("/@{}/{id}", bob.username)).await;
    home.assert_contains(&format!("href=\"{form_path}\""));
    let own = bob_browser.get(&format!("/@{}/{id}", bob.username)).await;
    assert!(!own.html.contains(&format!("href=\"{form_path}\"")));

    let form = browser.get(&form_path).await;
    form.assert_contains("No spam");
    // Without the form token nothing is filed.
    let forged = browser
        .post(&form_path, &[("category", "spam"), ("comment", "forged")])
        .await;
    assert_eq!(forged.status(), 403);
    // A category we do not know comes back with its error.
    let refused = browser
        .submit(&form_path, &form_path, &[("category", "boring")])
        .await;
    assert_eq!(refused.status(), 422, "{}", refused.html);
    let sent = browser
        .submit(
            &form_path,
            &form_path,
            &[
                ("category", "violation"),
                ("rule_ids", "2"),
                ("comment", "selling pills again"),
            ],
        )
        .await;
    assert_eq!(sent.status(), 303, "{}", sent.html);
    let admin = app.register("boss").await;
    let admin_id = rhizome_model::Id(admin.id.parse().unwrap());
    app.core
        .store
        .set_role(admin_id, rhizome_model::Role::Admin)
        .await
        .unwrap();
    let token = app
        .core
        .issue_token(
            Some(admin_id),
            None,
            rhizome_model::Scopes::parse("admin:read").unwrap(),
            false,
        )
        .await
        .unwrap()
        .access_token;
    let reports = app.get("/api/v1/admin/reports").token(&token).ok().await;
    let report = &reports[0];
    assert_eq!(report["category"], "violation");
    assert_eq!(report["comment"], "selling pills again");
    assert_eq!(report["rules"][0]["text"], "No spam", "{report}");
    assert_eq!(report["target_account"]["id"], bob.id.as_str());
    assert_eq!(report["statuses"][0]["id"], id);
    assert_eq!(reports.as_array().map(Vec::len), Some(1));
}
