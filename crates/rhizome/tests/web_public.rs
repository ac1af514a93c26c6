//! The public pages: landing page, local timeline, about pages, profiles, threads, hashtags,
//! feeds. Every page is fetched here without JavaScript, as a visitor with no account (or a
//! signed-in one) would.

mod support;

use rhizome_model::{Id, NewStatus, Visibility};
use rhizome_testkit::fixtures::{remote_account, status};
use serde_json::json;
use support::api::{Local, User, local, text_of};
use support::web::{Browser, Page};

/// Posts `text` as `user`; returns the status id.
async fn post(app: &Local, user: &User, text: &str, visibility: &str) -> String {
    text_of(&app.post_status(user, text, visibility).await, "id")
}

/// Where `needle` first appears in the page, or a panic that shows the page.
#[track_caller]
fn position(page: &Page, needle: &str) -> usize {
    page.html.find(needle).unwrap_or_else(|| {
        panic!(
            "{} should contain {needle:?}: {}",
            page.reply.what, page.html
        )
    })
}

/// The `href` of the first `<a rel="next">` of a page.
fn next_link(page: &Page) -> Option<String> {
    let start = page.html.find("<a rel=\"next\" href=\"")? + "<a rel=\"next\" href=\"".len();
    let end = page.html[start..].find('"')? + start;
    Some(page.html[start..end].replace("&#38;", "&"))
}

/// The CTA of the landing and about pages (the header's link is another matter).
const SIGN_UP_BUTTON: &str = "<a class=\"button primary\" href=\"/auth/sign_up\">";

#[tokio::test]
async fn the_landing_page_shows_the_instance_its_rules_and_its_latest_posts() {
    let app = local().await;
    app.core
        .change_setting("instance.name", json!("Riverside Social"))
        .await
        .unwrap();
    app.core
        .change_setting("instance.description", json!("A server <for> gardeners"))
        .await
        .unwrap();
    app.core
        .change_setting("instance.rules", json!(["Be kind", "No spam"]))
        .await
        .unwrap();
    app.core
        .change_setting("registrations.mode", json!("open"))
        .await
        .unwrap();
    let alice = app.register("alice").await;
    post(&app, &alice, "Tomatoes are ripe", "public").await;
    post(&app, &alice, "Only for my followers", "private").await;

    let visitor = Browser::new(&app.api);
    let page = visitor.get("/").await;
    assert_eq!(page.status(), 200, "{}", page.html);
    page.assert_contains("<h1 id=\"landing-title\">Riverside Social</h1>");
    page.assert_contains("A server &#60;for&#62; gardeners");
    page.assert_contains("<li>Be kind</li>");
    page.assert_contains("<li>No spam</li>");
    page.assert_contains("Registrations are open");
    page.assert_contains(SIGN_UP_BUTTON);
    page.assert_contains("href=\"/auth/sign_in\"");
    page.assert_contains("Tomatoes are ripe");
    assert!(
        !page.html.contains("Only for my followers"),
        "{}",
        page.html
    );
    page.assert_contains("href=\"/explore\"");
    page.assert_contains("href=\"/about\"");
    page.assert_contains("<meta property=\"og:site_name\" content=\"Riverside Social\">");
    assert!(!page.html.contains("Go to your home timeline"));

    // Signed in: a way home instead of the sign-up and sign-in buttons.
    let signed_in = Browser::new(&app.api);
    signed_in.use_token(&alice.token);
    let page = signed_in.get("/").await;
    page.assert_contains("<a class=\"button primary\" href=\"/home\">Go to your home timeline</a>");
    assert!(!page.html.contains(SIGN_UP_BUTTON), "{}", page.html);

    // Each registration mode says how to join; only open and approval offer the form.
    for (mode, text, sign_up) in [
        ("approval", "Registrations need approval", true),
        ("invite", "Registrations are by invitation only", false),
        ("closed", "Registrations are closed.", false),
    ] {
        app.core
            .change_setting("registrations.mode", json!(mode))
            .await
            .unwrap();
        let page = visitor.get("/").await;
        page.assert_contains(text);
        assert_eq!(
            page.html.contains(SIGN_UP_BUTTON),
            sign_up,
            "{mode}: {}",
            page.html
        );
        // Signing in stays possible whatever the mode; the navigation offers sign-up
        // unless registrations are closed.
        page.assert_contains("<a class=\"button\" href=\"/auth/sign_in\">");
        assert_eq!(
            page.html.contains("<a href=\"/auth/sign_up\">"),
            mode != "closed",
            "{mode}: {}",
            page.html
        );
    }
}

#[tokio::test]
async fn the_landing_page_speaks_french() {
    let app = local().await;
    app.core
        .change_setting("instance.rules", json!(["Soyez aimables"]))
        .await
        .unwrap();
    app.core
        .change_setting("registrations.mode", json!("closed"))
        .await
        .unwrap();
    let page = Browser::new(&app.api)
        .with_language("fr-FR,fr;q=0.9")
        .get("/")
        .await;
    assert_eq!(page.status(), 200);
    page.assert_contains("<html lang=\"fr\">");
    page.assert_contains("<h2 id=\"rules-title\">Règles</h2>");
    page.assert_contains("<li>Soyez aimables</li>");
    page.assert_contains("Les inscriptions sont fermées.");
    page.assert_contains("Derniers messages de ce serveur");
    page.assert_contains("Aucun message public pour l’instant.");
    assert!(!page.html.contains("Registrations"), "{}", page.html);
}

#[tokio::test]
async fn explore_pages_through_the_local_timeline() {
    let app = local().await;
    let alice = app.register("alice").await;
    for n in 1..=23 {
        post(&app, &alice, &format!("Local note number {n}."), "public").await;
    }
    post(&app, &alice, "An unlisted aside", "unlisted").await;
    let visitor = Browser::new(&app.api);
    let first = visitor.get("/explore").await;
    assert_eq!(first.status(), 200, "{}", first.html);
    first.assert_contains("Local note number 23.");
    assert!(
        !first.html.contains("Local note number 1."),
        "{}",
        first.html
    );
    assert!(!first.html.contains("An unlisted aside"));
    assert_eq!(first.html.matches("<article class=\"status").count(), 20);
    let next = next_link(&first).expect("an Older posts link");
    assert!(next.starts_with("/explore?max_id="), "{next}");
    first.assert_contains(">Older posts</a>");

    let second = visitor.get(&next).await;
    assert_eq!(second.status(), 200);
    second.assert_contains("Local note number 1.");
    second.assert_contains("Local note number 3.");
    assert!(
        !second.html.contains("Local note number 4."),
        "{}",
        second.html
    );
    assert_eq!(next_link(&second), None, "the last page has no next link");
    second.assert_contains("href=\"/explore\">Back to the newest posts</a>");
    // A page that cannot exist is not found.
    assert_eq!(visitor.get("/explore?max_id=nope").await.status(), 404);
}

#[tokio::test]
async fn about_pages_describe_the_instance() {
    let app = local().await;
    app.core
        .change_setting("instance.contact_email", json!("admin@riverside.example"))
        .await
        .unwrap();
    app.core
        .change_setting("instance.rules", json!(["Be kind"]))
        .await
        .unwrap();
    let alice = app.register("alice").await;
    app.register("bob").await;
    post(&app, &alice, "one", "public").await;
    post(&app, &alice, "two", "public").await;
    app.core
        .change_setting("registrations.mode", json!("approval"))
        .await
        .unwrap();
    let visitor = Browser::new(&app.api);
    let page = visitor.get("/about").await;
    assert_eq!(page.status(), 200, "{}", page.html);
    page.assert_contains("<a href=\"mailto:admin@riverside.example\">admin@riverside.example</a>");
    page.assert_contains("<li>Be kind</li>");
    page.assert_contains("Registrations need approval");
    page.assert_contains("2 users · 2 posts");
    page.assert_contains(SIGN_UP_BUTTON);

    let more = Browser::new(&app.api)
        .with_language("fr")
        .get("/about/more")
        .await;
    assert_eq!(more.status(), 200);
    more.assert_contains("<html lang=\"fr\">");
    more.assert_contains("<h2>Serveurs modérés</h2>");
    more.assert_contains("<li>Be kind</li>");
}

/// Alice with a bio, two fields, and 25 posts of which the oldest is pinned. (No field is
/// verified here: a stored `verified_at` does not read back yet, as `Timestamp` is written as
/// text and read as a number.)
async fn alice_with_a_profile(app: &Local) -> (User, Vec<String>) {
    let alice = app.register("alice").await;
    app.patch("/api/v1/accounts/update_credentials")
        .auth(&alice)
        .json(json!({
            "display_name": "Alice Gardener",
            "note": "I grow <b>tomatoes</b> & beans.",
            "fields_attributes": [
                { "name": "Website", "value": "https://alice.example/" },
                { "name": "Pronouns", "value": "she/her <script>alert(1)</script>" },
            ],
        }))
        .ok()
        .await;
    let mut ids = Vec::new();
    for n in 1..=25 {
        ids.push(post(app, &alice, &format!("Garden diary, day {n}."), "public").await);
    }
    app.post(&format!("/api/v1/statuses/{}/pin", ids[0]))
        .auth(&alice)
        .ok()
        .await;
    (alice, ids)
}

#[tokio::test]
async fn a_profile_shows_fields_alternates_pinned_posts_and_pages() {
    let app = local().await;
    let (alice, _) = alice_with_a_profile(&app).await;
    let base = app.core.urls.base().to_owned();
    let path = format!("/@{}", alice.username);
    let visitor = Browser::new(&app.api);
    let page = visitor.get(&path).await;
    assert_eq!(page.status(), 200, "{}", page.html);

    // Head: the ActivityPub document, the feeds, OpenGraph and the Twitter card.
    page.assert_contains(&format!(
        "<link rel=\"alternate\" type=\"application/activity+json\" href=\"{base}/users/{}\">",
        alice.username
    ));
    page.assert_contains(&format!(
        "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"/@{}.atom\"",
        alice.username
    ));
    page.assert_contains(&format!(
        "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"/@{}.rss\"",
        alice.username
    ));
    page.assert_contains("<meta property=\"og:type\" content=\"profile\">");
    page.assert_contains(&format!(
        "<meta property=\"og:title\" content=\"Alice Gardener (@{}@localhost:8080)\">",
        alice.username
    ));
    page.assert_contains("<meta property=\"og:description\" content=\"I grow &#60;b&#62;tomatoes&#60;/b&#62; &#38; beans.\">");
    page.assert_contains(&format!(
        "<meta property=\"og:url\" content=\"{base}{path}\">"
    ));
    page.assert_contains(&format!(
        "<meta property=\"og:image\" content=\"{base}/static/avatar.png\">"
    ));
    page.assert_contains("<meta name=\"twitter:card\" content=\"summary\">");

    // The profile: name, handle, bio, fields with rel="me", counts.
    page.assert_contains("<h1 id=\"profile-name\">Alice Gardener</h1>");
    page.assert_contains(&format!("@{}@localhost:8080", alice.username));
    page.assert_contains("<dt>Website</dt>");
    page.assert_contains("href=\"https://alice.example/\" rel=\"me nofollow noopener noreferrer\"");
    assert!(
        !page.html.contains("class=\"verified-mark\""),
        "nothing is verified"
    );
    page.assert_contains("<dt>Pronouns</dt>");
    // A local field is the text its owner typed: shown as text.
    page.assert_contains("she/her &lt;script&gt;alert(1)&lt;/script&gt;");
    assert!(!page.html.contains("<script>alert"), "{}", page.html);
    page.assert_contains("25 posts");
    // Anonymous visitors get no follow button.
    assert!(!page.html.contains("/follow\""), "{}", page.html);

    // The pinned post comes first, and only once; then the newest.
    let pinned = position(&page, "Garden diary, day 1.");
    let newest = position(&page, "Garden diary, day 25.");
    assert!(pinned < newest, "the pinned post comes first");
    assert_eq!(page.html.matches("Garden diary, day 1.<").count(), 1);
    page.assert_contains("<h2 id=\"pinned-title\">Pinned posts</h2>");
    assert!(
        !page.html.contains("Garden diary, day 5."),
        "older posts are on the next page"
    );

    // Older posts, page by page, down to the first one.
    let next = next_link(&page).expect("an Older posts link");
    assert!(next.starts_with(&format!("{path}?max_id=")), "{next}");
    let older = visitor.get(&next).await;
    assert_eq!(older.status(), 200);
    older.assert_contains("Garden diary, day 5.");
    older.assert_contains("Garden diary, day 1.");
    assert!(
        !older.html.contains("Pinned posts"),
        "pinned posts head the first page only"
    );
    assert_eq!(next_link(&older), None);

    // The tabs.
    let replies = visitor.get(&format!("{path}/with_replies")).await;
    assert_eq!(replies.status(), 200);
    replies.assert_contains("Garden diary, day 25.");
    let media = visitor.get(&format!("{path}/media")).await;
    assert_eq!(media.status(), 200);
    media.assert_contains("No posts to show.");

    // Servers asking for the actor are sent to it.
    let actor = app
        .get(&path)
        .header("accept", "application/activity+json")
        .send()
        .await;
    assert_eq!(actor.status.as_u16(), 303);
    assert_eq!(
        actor.header("location").as_deref(),
        Some(format!("{base}/users/{}", alice.username).as_str())
    );
}

#[tokio::test]
async fn signed_in_viewers_get_a_follow_form_on_other_profiles() {
    let app = local().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let path = format!("/@{}", alice.username);
    let browser = Browser::new(&app.api);
    browser.use_token(&bob.token);
    let page = browser.get(&path).await;
    let action = format!("/accounts/{}/follow", alice.id);
    let fields = page.form_fields(&action);
    assert!(
        fields
            .iter()
            .any(|(k, v)| k == "csrf_token" && !v.is_empty()),
        "{fields:?}"
    );
    assert!(
        fields.iter().any(|(k, v)| k == "return_to" && *v == path),
        "{fields:?}"
    );
    page.assert_contains(">Follow</button>");

    app.follow(&bob, &alice).await;
    let page = browser.get(&path).await;
    page.form_fields(&format!("/accounts/{}/unfollow", alice.id));
    page.assert_contains(">Unfollow</button>");

    // Not on one's own profile.
    let own = Browser::new(&app.api);
    own.use_token(&alice.token);
    let page = own.get(&path).await;
    assert!(!page.html.contains("/follow\""), "{}", page.html);
    page.assert_contains("href=\"/settings/profile\"");
    // Alice sees that Bob follows her.
    let page = own.get(&format!("/@{}", bob.username)).await;
    page.assert_contains("Follows you");
}

#[tokio::test]
async fn a_post_page_shows_its_thread_and_hides_what_the_viewer_may_not_see() {
    let app = local().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let root = post(&app, &alice, "Which seeds for spring?", "public").await;
    let middle = text_of(
        &app.reply(&bob, &root, "Beans, always beans.", "public")
            .await,
        "id",
    );
    let reply = text_of(
        &app.reply(&alice, &middle, "Beans it is!", "public").await,
        "id",
    );
    let base = app.core.urls.base().to_owned();

    let visitor = Browser::new(&app.api);
    let page = visitor.get(&format!("/@{}/{middle}", bob.username)).await;
    assert_eq!(page.status(), 200, "{}", page.html);
    let ancestor = position(&page, "<p>Which seeds for spring?</p>");
    let focus = position(&page, "<div class=\"thread-focus\">");
    let own = position(&page, "<p>Beans, always beans.</p>");
    let descendant = position(&page, "<p>Beans it is!</p>");
    assert!(
        ancestor < focus && focus < own && own < descendant,
        "{ancestor} {focus} {own} {descendant}: {}",
        page.html
    );
    page.assert_contains(&format!("id=\"status-{reply}\""));
    // Head: the Note, and what a link preview shows.
    let uri = app
        .core
        .visible_status_view(middle.parse().unwrap(), None)
        .await
        .unwrap()
        .status
        .uri;
    page.assert_contains(&format!(
        "<link rel=\"alternate\" type=\"application/activity+json\" href=\"{uri}\">"
    ));
    page.assert_contains("<meta property=\"og:type\" content=\"article\">");
    page.assert_contains("<meta property=\"og:description\" content=\"Beans, always beans.\">");
    page.assert_contains(&format!(
        "<meta property=\"og:url\" content=\"{base}/@{}/{middle}\">",
        bob.username
    ));
    page.assert_contains("<meta name=\"twitter:card\" content=\"summary\">");

    // Under someone else's name, or an id that is none, the post is not found.
    assert_eq!(
        visitor
            .get(&format!("/@{}/{middle}", alice.username))
            .await
            .status(),
        404
    );
    assert_eq!(
        visitor
            .get(&format!("/@{}/12345", bob.username))
            .await
            .status(),
        404
    );
    assert_eq!(
        visitor
            .get(&format!("/@{}/x1", bob.username))
            .await
            .status(),
        404
    );

    // A followers-only post: not found for strangers, shown to a follower.
    let private = post(
        &app,
        &alice,
        "Seeds swap on Sunday, followers only",
        "private",
    )
    .await;
    let path = format!("/@{}/{private}", alice.username);
    assert_eq!(visitor.get(&path).await.status(), 404);
    let stranger = Browser::new(&app.api);
    stranger.use_token(&carol.token);
    assert_eq!(stranger.get(&path).await.status(), 404);
    let relationship = app.follow(&bob, &alice).await;
    assert_eq!(relationship["following"], true);
    let follower = Browser::new(&app.api);
    follower.use_token(&bob.token);
    let page = follower.get(&path).await;
    assert_eq!(page.status(), 200, "{}", page.html);
    page.assert_contains("Seeds swap on Sunday, followers only");

    // A content warning is what previews show, not what it hides.
    let warned = text_of(
        &app.post("/api/v1/statuses")
            .auth(&alice)
            .json(json!({ "status": "The big reveal", "spoiler_text": "Spoilers for the harvest" }))
            .ok()
            .await,
        "id",
    );
    let page = visitor.get(&format!("/@{}/{warned}", alice.username)).await;
    page.assert_contains("<meta property=\"og:description\" content=\"Spoilers for the harvest\">");
    assert!(
        !page.html.contains("content=\"The big reveal"),
        "{}",
        page.html
    );
}

#[tokio::test]
async fn suspended_accounts_are_gone() {
    let app = local().await;
    let alice = app.register("alice").await;
    let id = post(&app, &alice, "Before the suspension", "public").await;
    app.core.suspend(&alice.username).await.unwrap();
    let visitor = Browser::new(&app.api);
    let page = visitor.get(&format!("/@{}", alice.username)).await;
    assert_eq!(page.status(), 410, "{}", page.html);
    page.assert_contains("This account has been suspended");
    assert!(!page.html.contains("Before the suspension"));
    assert_eq!(
        visitor
            .get(&format!("/@{}/{id}", alice.username))
            .await
            .status(),
        404
    );
    assert_eq!(
        visitor
            .get(&format!("/@{}.atom", alice.username))
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn remote_accounts_are_shown_to_users_and_sent_home_for_visitors() {
    let app = local().await;
    let bob = app.register("bob").await;
    let account = app
        .core
        .store
        .upsert_remote_account(&remote_account(0, "carol", "remote.example"))
        .await
        .unwrap();
    let mut note = status(
        Id::generate(chrono::Utc::now().timestamp_millis()).0,
        0,
        Visibility::Public,
        false,
    );
    note.account_id = account.id;
    note.uri = "https://remote.example/notes/1".into();
    note.url = Some("https://remote.example/@carol/1".into());
    note.content = "<p>Hello from far away</p>".into();
    let note_id = note.id;
    app.core
        .store
        .insert_status(&NewStatus {
            status: note,
            mentions: vec![],
            tags: vec![],
            attachments: vec![],
        })
        .await
        .unwrap();

    let visitor = Browser::new(&app.api);
    let away = visitor.get("/@carol@remote.example").await;
    assert_eq!(away.status(), 303);
    assert_eq!(away.location(), "https://remote.example/@carol");
    let away = visitor
        .get(&format!("/@carol@remote.example/{note_id}"))
        .await;
    assert_eq!(away.status(), 303);
    assert_eq!(away.location(), "https://remote.example/@carol/1");

    let user = Browser::new(&app.api);
    user.use_token(&bob.token);
    let page = user.get("/@carol@remote.example").await;
    assert_eq!(page.status(), 200, "{}", page.html);
    page.assert_contains("<h1 id=\"profile-name\">CAROL</h1>");
    page.assert_contains("Hello from far away");
    page.assert_contains("<meta name=\"robots\" content=\"noindex, noarchive\">");
    page.form_fields(&format!("/accounts/{}/follow", account.id));
    // No feeds for accounts of other servers.
    assert!(!page.html.contains("application/atom+xml"), "{}", page.html);
    let page = user.get(&format!("/@carol@remote.example/{note_id}")).await;
    assert_eq!(page.status(), 200, "{}", page.html);
    page.assert_contains("Hello from far away");
    // Unknown remote accounts are not found (nothing is fetched for a page).
    assert_eq!(user.get("/@nobody@remote.example").await.status(), 404);
}

#[tokio::test]
async fn hashtag_pages_list_public_posts_with_feeds() {
    let app = local().await;
    let alice = app.register("alice").await;
    post(&app, &alice, "First sprouts #Gardening", "public").await;
    post(&app, &alice, "Compost tips #gardening", "public").await;
    post(&app, &alice, "Just for followers #gardening", "private").await;
    post(&app, &alice, "Cooking tonight #kitchen", "public").await;
    let visitor = Browser::new(&app.api);
    let page = visitor.get("/tags/Gardening").await;
    assert_eq!(page.status(), 200, "{}", page.html);
    page.assert_contains("<h1>#gardening</h1>");
    page.assert_contains("First sprouts");
    page.assert_contains("Compost tips");
    assert!(!page.html.contains("Just for followers"));
    assert!(!page.html.contains("Cooking tonight"));
    page.assert_contains(
        "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"/tags/gardening.atom\"",
    );
    page.assert_contains(
        "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"/tags/gardening.rss\"",
    );

    let atom = visitor.get("/tags/gardening.atom").await;
    assert_eq!(atom.status(), 200);
    assert_eq!(
        atom.reply.header("content-type").as_deref(),
        Some("application/atom+xml; charset=utf-8")
    );
    assert_well_formed(&atom.html);
    assert_eq!(atom.html.matches("<entry>").count(), 2, "{}", atom.html);
    assert!(atom.html.contains("First sprouts") && !atom.html.contains("Just for followers"));

    let rss = visitor.get("/tags/gardening.rss").await;
    assert_eq!(rss.status(), 200);
    assert_eq!(
        rss.reply.header("content-type").as_deref(),
        Some("application/rss+xml; charset=utf-8")
    );
    assert_well_formed(&rss.html);
    assert_eq!(rss.html.matches("<item>").count(), 2, "{}", rss.html);
    assert_eq!(visitor.get("/tags/not%20a%20tag").await.status(), 404);
}

#[tokio::test]
async fn profile_feeds_carry_public_posts_escaped() {
    let app = local().await;
    let alice = app.register("alice").await;
    let public = post(&app, &alice, "Feed <b>one</b> & more", "public").await;
    post(&app, &alice, "Feed two", "public").await;
    post(&app, &alice, "Quiet unlisted note", "unlisted").await;
    post(&app, &alice, "Private note for followers", "private").await;
    post(&app, &alice, "Direct note", "direct").await;
    let uri = app
        .core
        .visible_status_view(public.parse().unwrap(), None)
        .await
        .unwrap()
        .status
        .uri;
    let base = app.core.urls.base().to_owned();
    let visitor = Browser::new(&app.api);

    let atom = visitor.get(&format!("/@{}.atom", alice.username)).await;
    assert_eq!(atom.status(), 200, "{}", atom.html);
    assert_eq!(
        atom.reply.header("content-type").as_deref(),
        Some("application/atom+xml; charset=utf-8")
    );
    assert_well_formed(&atom.html);
    assert!(atom.html.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\""), "{}", atom.html);
    assert!(atom.html.trim_end().ends_with("</feed>"));
    assert_eq!(atom.html.matches("<entry>").count(), 2, "{}", atom.html);
    assert!(
        atom.html.contains(&format!("<id>{uri}</id>")),
        "{}",
        atom.html
    );
    assert!(atom.html.contains(&format!(
        "<link rel=\"alternate\" type=\"text/html\" href=\"{base}/@{}/{public}\"/>",
        alice.username
    )));
    assert!(atom.html.contains("<published>") && atom.html.contains("<updated>"));
    // The content is HTML inside XML: escaped once more, so no markup of the post shows.
    assert!(
        atom.html
            .contains("<content type=\"html\">&#60;p&#62;Feed &#38;lt;b&#38;gt;one"),
        "{}",
        atom.html
    );
    assert!(!atom.html.contains("<b>") && !atom.html.contains("<p>"));
    for hidden in ["Quiet unlisted note", "Private note", "Direct note"] {
        assert!(!atom.html.contains(hidden), "{hidden}: {}", atom.html);
    }

    let rss = visitor.get(&format!("/@{}.rss", alice.username)).await;
    assert_eq!(rss.status(), 200);
    assert_eq!(
        rss.reply.header("content-type").as_deref(),
        Some("application/rss+xml; charset=utf-8")
    );
    assert_well_formed(&rss.html);
    assert!(rss.html.contains("<rss version=\"2.0\""));
    assert!(rss.html.trim_end().ends_with("</rss>"));
    assert_eq!(rss.html.matches("<item>").count(), 2, "{}", rss.html);
    assert!(
        rss.html
            .contains(&format!("<guid isPermaLink=\"false\">{uri}</guid>"))
    );
    assert!(rss.html.contains("<pubDate>"));
    assert!(
        rss.html
            .contains("<description>&#60;p&#62;Feed &#38;lt;b&#38;gt;one"),
        "{}",
        rss.html
    );
    for hidden in ["Quiet unlisted note", "Private note", "Direct note"] {
        assert!(!rss.html.contains(hidden), "{hidden}: {}", rss.html);
    }
    assert_eq!(visitor.get("/@nobody_here.rss").await.status(), 404);
}

#[tokio::test]
async fn rss_items_enclose_their_media() {
    let app = local().await;
    let alice = app.register("alice").await;
    let png = support::media::encoded(
        &image::DynamicImage::new_rgb8(8, 8),
        image::ImageFormat::Png,
    );
    let (content_type, body) = support::media::multipart(&[
        ("file", Some("square.png"), "image/png", &png),
        ("description", None, "text/plain", b"A red square"),
    ]);
    let uploaded = app
        .post("/api/v2/media")
        .auth(&alice)
        .body(&content_type, body)
        .ok()
        .await;
    let media = text_of(&uploaded, "id");
    app.post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({ "status": "Look at this", "media_ids": [media] }))
        .ok()
        .await;
    let rss = Browser::new(&app.api)
        .get(&format!("/@{}.rss", alice.username))
        .await;
    assert_well_formed(&rss.html);
    assert!(rss.html.contains("<enclosure url=\"http"), "{}", rss.html);
    assert!(rss.html.contains("type=\"image/png\""), "{}", rss.html);
    assert!(
        rss.html
            .contains("<media:description type=\"plain\">A red square</media:description>"),
        "{}",
        rss.html
    );
}

/// Enough of XML's rules to catch a broken feed: one root, every tag closed in order,
/// attribute values quoted, and no `&` or `<` left bare in text.
#[track_caller]
fn assert_well_formed(xml: &str) {
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"utf-8\"?>")
        .unwrap_or_else(|| panic!("an XML declaration first: {xml}"));
    let mut open: Vec<&str> = Vec::new();
    let mut roots = 0;
    let mut rest = body;
    while let Some(start) = rest.find('<') {
        check_text(&rest[..start], xml);
        let end = rest[start..]
            .find('>')
            .unwrap_or_else(|| panic!("an unclosed tag: {xml}"))
            + start;
        let tag = &rest[start + 1..end];
        assert!(!tag.contains('<'), "a bare < in a tag: {tag}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(open.pop(), Some(name.trim()), "tags close in order: {xml}");
        } else {
            let name = tag
                .trim_end_matches('/')
                .split_whitespace()
                .next()
                .unwrap_or_default();
            assert_eq!(tag.matches('"').count() % 2, 0, "quoted attributes: {tag}");
            if open.is_empty() {
                roots += 1;
            }
            if !tag.ends_with('/') {
                open.push(name);
            }
        }
        rest = &rest[end + 1..];
    }
    check_text(rest, xml);
    assert!(open.is_empty(), "unclosed: {open:?}");
    assert_eq!(roots, 1, "one root element");
}

fn check_text(text: &str, xml: &str) {
    for (i, _) in text.match_indices('&') {
        let entity = &text[i..text[i..].find(';').map_or(text.len(), |e| i + e + 1)];
        let known = ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].contains(&entity)
            || (entity.starts_with("&#") && entity.ends_with(';'));
        assert!(known, "a bare & ({entity}) in {xml}");
    }
}
