//! Trends computed from recent public activity, and hashtags found by search.

mod support;

use rhizome_core::cards::FetchCard;
use serde_json::{Value, json};
use support::api::{local, local_with, text_of};
use support::pages::site;

fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item[key].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn trends_rank_what_most_people_talk_about() {
    let site = site().await;
    let app = local_with(&[
        ("RHIZOME_FEDERATION_ALLOW_HTTP", "true"),
        ("RHIZOME_FEDERATION_ALLOW_PRIVATE_ADDRESSES", "true"),
    ])
    .await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let carol = app.register("carol").await;
    let article = site.url("/article");
    let other = site.url("/other");
    let popular = text_of(
        &app.post_status(&alice, &format!("#rust is fun {article}"), "public")
            .await,
        "id",
    );
    let mut posted = vec![popular.clone()];
    for (user, text, visibility) in [
        (
            &bob,
            format!("@{} #rust #tokio {article} {other}", alice.username),
            "public",
        ),
        (&carol, format!("#rust and #tokio {other}"), "public"),
        (&alice, format!("#secret {other}"), "private"),
    ] {
        posted.push(text_of(
            &app.post_status(user, &text, visibility).await,
            "id",
        ));
    }
    // Links trend by their cards: the card jobs run here by hand.
    for id in &posted {
        app.core
            .run_fetch_card(FetchCard {
                status_id: id.parse().unwrap(),
            })
            .await
            .unwrap();
    }
    app.post(&format!("/api/v1/statuses/{popular}/favourite"))
        .auth(&bob)
        .ok()
        .await;
    app.post(&format!("/api/v1/statuses/{popular}/reblog"))
        .auth(&carol)
        .ok()
        .await;

    // Hashtags: by how many people used them; followers-only posts do not count.
    let tags = app.get("/api/v1/trends/tags").ok().await;
    assert_eq!(names(&tags, "name"), ["rust", "tokio"], "{tags:#}");
    let today = &tags[0]["history"][0];
    assert_eq!(today["uses"], "3");
    assert_eq!(today["accounts"], "3");
    assert!(
        tags[0].get("following").is_none(),
        "anonymous: no following"
    );
    let signed_in = app.get("/api/v1/trends").auth(&alice).ok().await;
    assert_eq!(signed_in[0]["following"], false);
    let second = app.get("/api/v1/trends/tags?limit=1&offset=1").ok().await;
    assert_eq!(names(&second, "name"), ["tokio"]);

    // Posts: only those that drew interactions, the most first.
    let statuses = app.get("/api/v1/trends/statuses").ok().await;
    assert_eq!(names(&statuses, "id"), [popular.as_str()], "{statuses:#}");
    assert_eq!(statuses[0]["favourites_count"], 1);

    // Links: by how many people shared them (each post counts its card: its first link);
    // private posts aside. They come as PreviewCards with their history.
    let links = app.get("/api/v1/trends/links").ok().await;
    assert_eq!(names(&links, "url"), [article, other], "{links:#}");
    assert_eq!(links[0]["type"], "link");
    assert_eq!(links[0]["title"], "Big news & more");
    assert_eq!(links[0]["provider_name"], "The Loopback Times");
    assert!(links[0]["image"].as_str().unwrap().contains("/proxy/"));
    assert_eq!(links[0]["history"][0]["accounts"], "2");
    assert_eq!(links[0]["history"][0]["uses"], "2");
    assert_eq!(links[1]["history"][0]["uses"], "1");

    // A token without the right scope is refused.
    let writer = app.token(&alice, "write").await;
    app.get("/api/v1/trends/statuses")
        .token(&writer)
        .send()
        .await
        .error(403);
}

#[tokio::test]
async fn search_finds_hashtags_by_the_start_of_their_name() {
    let app = local().await;
    let alice = app.register("alice").await;
    app.post_status(&alice, "#Rustacean #rust #rust", "public")
        .await;
    app.post_status(&alice, "#rust #tokio", "public").await;
    let found = app
        .get("/api/v2/search?q=%23ru&type=hashtags")
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(found["accounts"], json!([]));
    assert_eq!(found["statuses"], json!([]));
    assert_eq!(
        names(&found["hashtags"], "name"),
        ["rust", "rustacean"],
        "most used first: {found:#}"
    );
    assert_eq!(found["hashtags"][0]["following"], false);
    assert!(
        found["hashtags"][0]["url"]
            .as_str()
            .unwrap()
            .ends_with("/tags/rust")
    );
    let all = app.get("/api/v2/search?q=tok").auth(&alice).ok().await;
    assert_eq!(names(&all["hashtags"], "name"), ["tokio"]);
    let none = app
        .get("/api/v2/search?q=100%25&type=hashtags")
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(none["hashtags"], json!([]), "wildcards are not wildcards");
}

#[tokio::test]
async fn account_search_can_keep_only_followed_accounts() {
    let app = local().await;
    let alice = app.register("alice").await;
    let followed = app.register("samfollowed").await;
    app.register("samstranger").await;
    app.follow(&alice, &followed).await;
    let v1 = app
        .get("/api/v1/accounts/search?q=sam&following=true")
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(names(&v1, "username"), [followed.username.as_str()]);
    let all = app
        .get("/api/v1/accounts/search?q=sam")
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    let v2 = app
        .get("/api/v2/search?q=sam&type=accounts&following=true")
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(
        names(&v2["accounts"], "username"),
        [followed.username.as_str()]
    );
}
