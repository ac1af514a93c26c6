//! The web interface's foundation: languages, security headers, assets, error pages, and how
//! a post is shown. Each area has its own suite (`web_*.rs`).

mod support;

use support::api::local;
use support::web::Browser;

#[tokio::test]
async fn pages_follow_accept_language_and_the_language_switcher() {
    let app = local().await;
    let alice = app.register("alice").await;
    let english = Browser::new(&app.api);
    let page = english.get(&format!("/@{}", alice.username)).await;
    assert_eq!(page.status(), 200, "{}", page.html);
    page.assert_contains("<html lang=\"en\">");
    page.assert_contains(">Sign in<");

    let french = Browser::new(&app.api).with_language("fr-CA,fr;q=0.9,en;q=0.5");
    let page = french.get(&format!("/@{}", alice.username)).await;
    page.assert_contains("<html lang=\"fr\">");
    page.assert_contains(">Se connecter<");

    // The footer's switcher wins over the browser's languages, and comes back to the page.
    let back = french
        .get(&format!(
            "/settings/language?lang=en&next=%2F%40{}",
            alice.username
        ))
        .await;
    assert_eq!(back.location(), format!("/@{}", alice.username));
    assert_eq!(french.cookie("rhizome_lang").as_deref(), Some("en"));
    let page = french.get(&format!("/@{}", alice.username)).await;
    page.assert_contains("<html lang=\"en\">");
    // Nowhere else: the switcher only goes to pages of this site.
    let away = french
        .get("/settings/language?lang=fr&next=https%3A%2F%2Fevil.example%2F")
        .await;
    assert!(!away.location().contains("evil.example"));
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_browser_cookie() {
    let app = local().await;
    let browser = Browser::new(&app.api);
    let page = browser.get("/about/more").await;
    assert_eq!(page.status(), 200);
    let policy = page.reply.header("content-security-policy").expect("a CSP");
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert_eq!(
        page.reply.header("x-frame-options").as_deref(),
        Some("DENY")
    );
    let cookie = page
        .reply
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap_or("").to_owned())
        .find(|v| v.starts_with("rhizome_browser="))
        .expect("a browser cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    // Served over http here: no Secure flag, or the browser would drop the cookie.
    assert!(!cookie.contains("Secure"), "{cookie}");
    // The cookie is set once, not on every page.
    let again = browser.get("/about/more").await;
    assert!(
        again
            .reply
            .headers
            .get_all("set-cookie")
            .iter()
            .next()
            .is_none()
    );
    // No inline script anywhere: the page's only script is our own file.
    assert!(!page.html.contains("<script>"), "{}", page.html);
}

#[tokio::test]
async fn assets_are_served_under_content_hashes() {
    let app = local().await;
    let alice = app.register("alice").await;
    let page = Browser::new(&app.api)
        .get(&format!("/@{}", alice.username))
        .await;
    let css = page
        .html
        .split("href=\"")
        .find_map(|rest| rest.split('"').next().filter(|h| h.ends_with(".css")))
        .expect("a stylesheet link")
        .to_owned();
    assert!(css.starts_with("/static/rhizome-"), "{css}");
    let reply = app.get(&css).send().await.expect(200);
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("text/css; charset=utf-8")
    );
    assert!(
        reply
            .header("cache-control")
            .unwrap_or_default()
            .contains("immutable")
    );
    assert!(reply.text().contains("prefers-color-scheme: dark"));
    // An old hash still gets the file, but not for a year.
    let stale = app
        .get("/static/rhizome-0000000000000000.css")
        .send()
        .await
        .expect(200);
    assert_eq!(stale.header("cache-control").as_deref(), Some("no-cache"));
    app.get("/static/rhizome-nothing.txt")
        .send()
        .await
        .expect(404);
}

#[tokio::test]
async fn error_pages_are_pages_in_the_visitors_language() {
    let app = local().await;
    let page = Browser::new(&app.api)
        .with_language("fr")
        .get("/@nobody_here")
        .await;
    assert_eq!(page.status(), 404);
    page.assert_contains("<html lang=\"fr\">");
    page.assert_contains("Introuvable");
    assert!(
        page.reply
            .header("content-type")
            .unwrap_or_default()
            .starts_with("text/html")
    );
}

#[tokio::test]
async fn posts_are_shown_escaped_with_their_media_descriptions_and_counts() {
    let app = local().await;
    let alice = app.register("alice").await;
    app.post("/api/v1/statuses")
        .auth(&alice)
        .json(serde_json::json!({
            "status": "Hello <script>alert(1)</script> #rhizome",
            "spoiler_text": "a <b>warning</b>",
        }))
        .ok()
        .await;
    let page = Browser::new(&app.api)
        .get(&format!("/@{}", alice.username))
        .await;
    assert_eq!(page.status(), 200);
    assert!(!page.html.contains("<script>alert"), "{}", page.html);
    page.assert_contains("a &#60;b&#62;warning&#60;/b&#62;");
    page.assert_contains("<details class=\"content-warning\">");
    page.assert_contains("0 replies");
    // Anonymous visitors get no action forms.
    assert!(!page.html.contains("/favourite\""), "{}", page.html);
}

#[tokio::test]
async fn web_forms_count_against_the_api_limits_and_get_a_page() {
    let app = support::api::local_with(&[
        ("RHIZOME_RATELIMIT_ENABLED", "true"),
        ("RHIZOME_RATELIMIT_POSTING_LIMIT", "1"),
    ])
    .await;
    let alice = app.register("alice").await;
    // One post through the API spends the limit: the web's compose form shares it.
    app.post("/api/v1/statuses")
        .auth(&alice)
        .json(serde_json::json!({ "status": "through the API" }))
        .ok()
        .await;
    let browser = Browser::new(&app.api).with_language("fr");
    browser.use_token(&alice.token);
    let limited = browser
        .submit("/home", "/statuses", &[("status", "through the web")])
        .await;
    assert_eq!(limited.status(), 429, "{}", limited.html);
    assert!(limited.reply.header("retry-after").is_some());
    limited.assert_contains("<html lang=\"fr\">");
    limited.assert_contains("Trop de requêtes");
    let statuses = app
        .get(&format!("/api/v1/accounts/{}/statuses", alice.id))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(statuses.as_array().map(Vec::len), Some(1), "{statuses}");
}
