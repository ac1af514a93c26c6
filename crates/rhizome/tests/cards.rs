//! Preview cards: the first plain link of a post is read (safely) and shown as its card.

mod support;

use rhizome_core::cards::FetchCard;
use serde_json::{Value, json};
use support::api::{Api, Local, User, eventually, local_with, start_server, text_of};
use support::pages::site;

const OPEN: [(&str, &str); 2] = [
    ("RHIZOME_FEDERATION_ALLOW_HTTP", "true"),
    ("RHIZOME_FEDERATION_ALLOW_PRIVATE_ADDRESSES", "true"),
];

async fn post(api: &Api, user: &User, text: &str, visibility: &str) -> String {
    text_of(&api.post_status(user, text, visibility).await, "id")
}

/// Runs the card job of one status here (in-process instances have no workers).
async fn read_card(app: &Local, id: &str) {
    app.core
        .run_fetch_card(FetchCard {
            status_id: id.parse().unwrap(),
        })
        .await
        .unwrap();
}

async fn card_of(api: &Api, user: &User, id: &str) -> Value {
    api.get(&format!("/api/v1/statuses/{id}"))
        .auth(user)
        .ok()
        .await["card"]
        .clone()
}

#[tokio::test]
async fn the_first_plain_link_becomes_a_card_shared_by_the_posts_that_link_it() {
    let site = site().await;
    let app = local_with(&OPEN).await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;

    // Mentions and hashtags are links too, but not the one the card describes.
    let first = post(
        &app,
        &alice,
        &format!(
            "@{} #news read {} then {}",
            bob.username,
            site.url("/article"),
            site.url("/other")
        ),
        "public",
    )
    .await;
    assert_eq!(card_of(&app, &alice, &first).await, Value::Null);
    read_card(&app, &first).await;
    let card = card_of(&app, &alice, &first).await;
    assert_eq!(card["url"], site.url("/article"), "{card:#}");
    assert_eq!(card["title"], "Big news & more");
    assert_eq!(card["description"], "What happened, in short.");
    assert_eq!(card["type"], "link");
    assert_eq!(card["provider_name"], "The Loopback Times");
    assert_eq!(card["provider_url"], site.base);
    assert_eq!(card["author_name"], "Ada Reporter");
    assert_eq!(
        card["authors"],
        json!([{ "name": "Ada Reporter", "url": "", "account": null }])
    );
    assert_eq!(card["language"], "en");
    assert_eq!(
        (card["width"].as_i64(), card["height"].as_i64()),
        (Some(640), Some(320))
    );
    assert_eq!(card["image_description"], "The cover");
    assert_eq!(card["html"], "", "no embed HTML");
    assert!(card["blurhash"].is_null());
    // The image is given through our proxy, never hot-linked.
    let image = card["image"].as_str().unwrap();
    assert!(
        image.starts_with(&format!("{}/proxy/", app.core.urls.base())),
        "{image}"
    );
    assert!(!image.contains(&site.base), "{image}");
    assert_eq!(site.hits(), 1);

    // Another post linking the same page (followers-only: cards are for every
    // visibility) shows the same card without reading the page again.
    let second = post(
        &app,
        &bob,
        &format!("{} !", site.url("/article")),
        "private",
    )
    .await;
    read_card(&app, &second).await;
    assert_eq!(
        card_of(&app, &bob, &second).await["title"],
        "Big news & more"
    );
    assert_eq!(site.hits(), 1);

    // A card read long ago is read again when a post links it.
    let mut stale = app
        .core
        .store
        .preview_card_by_url(&site.url("/article"))
        .await
        .unwrap()
        .unwrap();
    stale.title = "Old news".into();
    stale.fetched_at = rhizome_model::Timestamp(stale.fetched_at.0 - 15 * 86_400_000);
    app.core.store.save_preview_card(&stale).await.unwrap();
    assert_eq!(card_of(&app, &alice, &first).await["title"], "Old news");
    let third = post(&app, &bob, &site.url("/article"), "public").await;
    read_card(&app, &third).await;
    assert_eq!(site.hits(), 2);
    for id in [&first, &third] {
        assert_eq!(card_of(&app, &alice, id).await["title"], "Big news & more");
    }

    // A page with only a <title> and a meta description has a plain card.
    let plain = post(&app, &alice, &site.url("/plain-title"), "unlisted").await;
    read_card(&app, &plain).await;
    let card = card_of(&app, &alice, &plain).await;
    assert_eq!(
        (card["title"].as_str(), card["description"].as_str()),
        (Some("Just a title"), Some("Described"))
    );
    assert!(card["image"].is_null());
    assert_eq!(card["authors"], json!([]));

    // A page over the size limit, and anything but HTML, give no card.
    for path in ["/huge", "/data"] {
        let id = post(&app, &alice, &format!("see {}", site.url(path)), "public").await;
        read_card(&app, &id).await;
        assert_eq!(card_of(&app, &alice, &id).await, Value::Null, "{path}");
    }
    // A post without links, or linking only to this instance, has none either.
    let own = format!("{}/about", app.core.urls.base());
    let id = post(&app, &alice, &format!("plain text, and {own}"), "public").await;
    let hits = site.hits();
    read_card(&app, &id).await;
    assert_eq!(card_of(&app, &alice, &id).await, Value::Null);
    assert_eq!(site.hits(), hits);
}

#[tokio::test]
async fn private_addresses_are_not_fetched_unless_allowed() {
    let site = site().await;
    // Plain http is allowed, private (here loopback) addresses are not.
    let app = local_with(&[("RHIZOME_FEDERATION_ALLOW_HTTP", "true")]).await;
    let alice = app.register("alice").await;
    let id = post(&app, &alice, &site.url("/article"), "public").await;
    read_card(&app, &id).await;
    assert_eq!(card_of(&app, &alice, &id).await, Value::Null);
    assert_eq!(site.hits(), 0, "the page was never asked for");
}

#[tokio::test]
async fn a_running_server_reads_cards_of_new_and_edited_posts() {
    let site = site().await;
    let server = start_server(&OPEN);
    let api = server.api();
    let alice = api.register("alice").await;
    let id = post(
        &api,
        &alice,
        &format!("look: {}", site.url("/article")),
        "public",
    )
    .await;
    let card = eventually("the card of the new post", || async {
        let card = card_of(&api, &alice, &id).await;
        (!card.is_null()).then_some(card)
    })
    .await;
    assert_eq!(card["title"], "Big news & more");

    // An edit that links elsewhere gets that page's card; one without links, none.
    api.put(&format!("/api/v1/statuses/{id}"))
        .auth(&alice)
        .json(json!({ "status": format!("rather {}", site.url("/other")) }))
        .ok()
        .await;
    eventually("the card of the edited post", || async {
        (card_of(&api, &alice, &id).await["title"] == "Other news & more").then_some(())
    })
    .await;
    api.put(&format!("/api/v1/statuses/{id}"))
        .auth(&alice)
        .json(json!({ "status": "no link at all" }))
        .ok()
        .await;
    server.settle().await;
    assert_eq!(card_of(&api, &alice, &id).await, Value::Null);
}
