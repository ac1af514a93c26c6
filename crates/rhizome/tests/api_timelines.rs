//! Timelines against a real server (home timelines are filled by its job workers): home,
//! public, hashtags, and keyset pagination with Mastodon's exact `Link` header.

mod support;

use std::sync::OnceLock;

use serde_json::Value;
use support::api::{
    Api, SharedServer, User, assert_status, ids, path_of, shared_server, text_of, unique,
};

static SERVER: OnceLock<SharedServer> = OnceLock::new();

fn server() -> &'static SharedServer {
    shared_server(&SERVER, &[])
}

/// What `user`'s home timeline shows: (status id, boosted status id).
async fn home(api: &Api, user: &User) -> Vec<(String, Option<String>)> {
    let list = api
        .get("/api/v1/timelines/home?limit=40")
        .auth(user)
        .ok()
        .await;
    list.as_array()
        .unwrap()
        .iter()
        .map(|status| {
            assert_status(status, true);
            (
                text_of(status, "id"),
                status["reblog"]["id"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

/// The statuses a home timeline shows, boosts counted as what they boost.
fn shown(entries: &[(String, Option<String>)]) -> Vec<String> {
    entries
        .iter()
        .map(|(id, boosted)| boosted.clone().unwrap_or_else(|| id.clone()))
        .collect()
}

#[tokio::test]
async fn home_shows_follows_own_posts_and_boosts_once() {
    let server = server();
    let api = server.api();
    let alice = api.register("alice").await;
    let bob = api.register("bob").await;
    let carol = api.register("carol").await;
    let dave = api.register("dave").await;
    for followed in [&bob, &carol] {
        api.follow(&alice, followed).await;
    }
    let id = |v: Value| text_of(&v, "id");
    let from_bob = id(api.post_status(&bob, "bob public", "public").await);
    let for_followers = id(api.post_status(&bob, "bob private", "private").await);
    let stranger = id(api.post_status(&dave, "dave public", "public").await);
    let own = id(api.post_status(&alice, "alice", "public").await);
    let mentioned = id(api
        .post_status(&dave, &format!("@{} hello", alice.username), "direct")
        .await);
    let boost = id(api
        .post(&format!("/api/v1/statuses/{stranger}/reblog"))
        .auth(&carol)
        .ok()
        .await);
    server.settle().await;

    let entries = home(&api, &alice).await;
    let shows = shown(&entries);
    for (what, status) in [
        ("a followed account's post", &from_bob),
        ("a followed account's followers-only post", &for_followers),
        ("one's own post", &own),
        ("a direct message to oneself", &mentioned),
        ("a followed account's boost", &stranger),
    ] {
        assert!(shows.contains(status), "home lacks {what}: {entries:?}");
    }
    assert!(entries.iter().any(|(id, _)| *id == boost));
    let not_followed = home(&api, &dave).await;
    assert!(
        !shown(&not_followed).contains(&from_bob),
        "dave does not follow bob: {not_followed:?}"
    );

    // Muting hides an account's posts and boosts; blocking too.
    api.post(&format!("/api/v1/accounts/{}/mute", carol.id))
        .auth(&alice)
        .ok()
        .await;
    assert!(!home(&api, &alice).await.iter().any(|(id, _)| *id == boost));
    api.post(&format!("/api/v1/accounts/{}/block", bob.id))
        .auth(&alice)
        .ok()
        .await;
    let after = shown(&home(&api, &alice).await);
    assert!(!after.contains(&from_bob) && !after.contains(&for_followers));
    assert!(after.contains(&own));
}

#[tokio::test]
async fn home_shows_a_boosted_post_once() {
    let server = server();
    let api = server.api();
    let alice = api.register("alice").await;
    let bob = api.register("bob").await;
    let carol = api.register("carol").await;
    let frank = api.register("frank").await;
    let dave = api.register("dave").await;
    for followed in [&bob, &carol, &frank] {
        api.follow(&alice, followed).await;
    }
    let from_bob = text_of(&api.post_status(&bob, "popular", "public").await, "id");
    let from_dave = text_of(&api.post_status(&dave, "viral", "public").await, "id");
    server.settle().await;
    // A boost of what is already there, and two boosts of the same post.
    for (booster, status) in [
        (&carol, &from_bob),
        (&carol, &from_dave),
        (&frank, &from_dave),
    ] {
        api.post(&format!("/api/v1/statuses/{status}/reblog"))
            .auth(booster)
            .ok()
            .await;
        server.settle().await;
    }
    let shows = shown(&home(&api, &alice).await);
    for status in [&from_bob, &from_dave] {
        assert_eq!(
            shows.iter().filter(|s| *s == status).count(),
            1,
            "{status} shows once: {shows:?}"
        );
    }
}

#[tokio::test]
async fn home_pages_with_link_headers() {
    let server = server();
    let api = server.api();
    let alice = api.register("alice").await;
    let mut posts = Vec::new();
    for n in 0..3 {
        posts.push(text_of(
            &api.post_status(&alice, &format!("n{n}"), "private").await,
            "id",
        ));
    }
    let path = "/api/v1/timelines/home";
    let first = api
        .get(&format!("{path}?limit=2"))
        .auth(&alice)
        .send()
        .await
        .expect(200);
    assert_eq!(ids(&first.json()), [posts[2].clone(), posts[1].clone()]);
    assert_eq!(
        first.header("link").unwrap(),
        format!(
            "<{base}{path}?limit=2&max_id={older}>; rel=\"next\", <{base}{path}?limit=2&min_id={newer}>; rel=\"prev\"",
            base = api.base,
            older = posts[1],
            newer = posts[2],
        )
    );
    let rest = api
        .get(&path_of(&api, &first.link("next")))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(ids(&rest), [posts[0].as_str()]);
}

#[tokio::test]
async fn public_timelines() {
    let server = server();
    let api = server.api();
    let alice = api.register("alice").await;
    let bob = api.register("bob").await;
    let id = |v: Value| text_of(&v, "id");
    let public = id(api.post_status(&alice, "out loud", "public").await);
    let hidden: Vec<String> = vec![
        id(api.post_status(&alice, "quiet", "unlisted").await),
        id(api.post_status(&alice, "followers", "private").await),
        id(api
            .post_status(&alice, &format!("@{} dm", bob.username), "direct")
            .await),
        id(api
            .post(&format!("/api/v1/statuses/{public}/reblog"))
            .auth(&bob)
            .ok()
            .await),
    ];
    let local_only = id(api.post_status(&alice, "just us", "local").await);
    // Other tests post on this server too: read the window of this test's posts.
    let window = format!(
        "min_id={}&max_id={}&limit=40",
        public.parse::<i64>().unwrap() - 1,
        local_only.parse::<i64>().unwrap() + 1
    );

    let read = |query: &'static str, viewer: Option<User>| {
        let api = &api;
        let window = window.clone();
        async move {
            let mut request = api.get(&format!("/api/v1/timelines/public{query}&{window}"));
            if let Some(viewer) = &viewer {
                request = request.auth(viewer);
            }
            let list = request.ok().await;
            for status in list.as_array().unwrap() {
                assert_status(status, viewer.is_some());
                assert!(status["reblog"].is_null(), "no boosts on public timelines");
            }
            ids(&list)
        }
    };
    for (query, viewer) in [("?", None), ("?", Some(bob.clone())), ("?local=true", None)] {
        let found = read(query, viewer).await;
        assert!(found.contains(&public), "{query}: {found:?}");
        for status in &hidden {
            assert!(!found.contains(status), "{query} shows {status}");
        }
    }
    let local = read("?local=true", Some(bob.clone())).await;
    assert!(
        local.contains(&local_only),
        "local posts on the local timeline"
    );
    assert!(
        read("?remote=true", None).await.is_empty(),
        "nothing remote here"
    );
    assert!(
        read("?only_media=true", None).await.is_empty(),
        "no media here"
    );
    api.get("/api/v1/timelines/public?max_id=abc")
        .send()
        .await
        .error(400);
}

#[tokio::test]
async fn hashtag_timelines_combine_tags() {
    let server = server();
    let api = server.api();
    let alice = api.register("alice").await;
    let (one, two) = (unique("first"), unique("second"));
    let id = |v: Value| text_of(&v, "id");
    let both = id(api
        .post_status(&alice, &format!("#{one} and #{two}"), "public")
        .await);
    let only_one = id(api
        .post_status(&alice, &format!("just #{one}"), "public")
        .await);
    let only_two = id(api
        .post_status(&alice, &format!("just #{two}"), "public")
        .await);
    api.post_status(&alice, &format!("quiet #{one}"), "unlisted")
        .await;
    api.post_status(&alice, &format!("private #{one}"), "private")
        .await;

    let tagged = |query: String| {
        let api = &api;
        async move {
            let list = api
                .get(&format!("/api/v1/timelines/tag/{query}"))
                .ok()
                .await;
            for status in list.as_array().unwrap() {
                assert_status(status, false);
            }
            ids(&list)
        }
    };
    assert_eq!(tagged(one.clone()).await, [only_one.clone(), both.clone()]);
    assert_eq!(
        tagged(one.to_uppercase()).await,
        [only_one.clone(), both.clone()],
        "tags ignore case"
    );
    assert_eq!(
        tagged(format!("{one}?any[]={two}")).await,
        [only_two.clone(), only_one.clone(), both.clone()]
    );
    assert_eq!(tagged(format!("{one}?all[]={two}")).await, [both.as_str()]);
    assert_eq!(
        tagged(format!("{one}?none[]={two}")).await,
        [only_one.as_str()]
    );
    assert_eq!(tagged(format!("{one}?local=true")).await.len(), 2);
    assert!(tagged(format!("{one}?remote=true")).await.is_empty());
    assert!(tagged(unique("unused")).await.is_empty());
}

#[tokio::test]
async fn keyset_pagination_and_limits() {
    let server = server();
    let api = server.api();
    let alice = api.register("alice").await;
    let tag = unique("page");
    let mut posts = Vec::new();
    for n in 0..41 {
        let status = api
            .post_status(&alice, &format!("#{tag} number {n}"), "public")
            .await;
        posts.push(text_of(&status, "id"));
    }
    // Newest first: s[0] is the newest.
    let s: Vec<String> = posts.iter().rev().cloned().collect();
    let path = format!("/api/v1/timelines/tag/{tag}");
    let page = |query: String| {
        let api = &api;
        let path = path.clone();
        async move { api.get(&format!("{path}{query}")).send().await.expect(200) }
    };

    let first = page("?limit=2".into()).await;
    assert_eq!(ids(&first.json()), [s[0].clone(), s[1].clone()]);
    assert_eq!(
        first.header("link").unwrap(),
        format!(
            "<{base}{path}?limit=2&max_id={}>; rel=\"next\", <{base}{path}?limit=2&min_id={}>; rel=\"prev\"",
            s[1],
            s[0],
            base = api.base
        ),
        "Link: next has the oldest id as max_id, prev the newest as min_id"
    );
    let next = page(format!("?limit=2&max_id={}", s[1])).await;
    assert_eq!(ids(&next.json()), [s[2].clone(), s[3].clone()]);
    assert_eq!(
        path_of(&api, &first.link("next")),
        format!("{path}?limit=2&max_id={}", s[1])
    );
    // since_id: the newest after it; min_id: the ones right after it.
    let since = page(format!("?since_id={}&limit=2", s[4])).await;
    assert_eq!(ids(&since.json()), [s[0].clone(), s[1].clone()]);
    let after = page(format!("?min_id={}&limit=2", s[4])).await;
    assert_eq!(ids(&after.json()), [s[2].clone(), s[3].clone()]);
    assert_eq!(
        after.header("link").unwrap(),
        format!(
            "<{base}{path}?limit=2&max_id={}>; rel=\"next\", <{base}{path}?limit=2&min_id={}>; rel=\"prev\"",
            s[3],
            s[2],
            base = api.base
        ),
        "the other parameters stay, the cursors are replaced"
    );
    let between = page(format!("?min_id={}&max_id={}", s[4], s[0])).await;
    assert_eq!(
        ids(&between.json()),
        [s[1].clone(), s[2].clone(), s[3].clone()]
    );
    let newest = page(format!("?min_id={}", s[0])).await;
    assert_eq!(newest.json(), Value::Array(vec![]));
    assert_eq!(newest.header("link"), None);

    // Default 20, at most 40.
    assert_eq!(ids(&page(String::new()).await.json()), s[..20].to_vec());
    assert_eq!(
        page("?limit=40".into())
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        40
    );
    assert_eq!(
        page("?limit=500".into())
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        40
    );
}

/// Statuses and accounts are typed structs serialised straight into the answer; their
/// fields must come in the order a `serde_json::Value` keeps its keys in (alphabetical), so
/// that the answers are the same bytes as when they were built as `Value`s. Each body must
/// therefore equal its own round trip through `Value`: with the viewer's marks and without,
/// a boost, a reply, a mention, a hashtag, a favourite and a poll.
#[tokio::test]
async fn entities_keep_the_key_order_of_value() {
    let server = server();
    let api = server.api();
    let alice = api.register("alice").await;
    let bob = api.register("bob").await;
    api.follow(&alice, &bob).await;
    let tag = unique("ordered");
    let post = api
        .post_status(&bob, &format!("hello @{} #{tag}", alice.username), "public")
        .await;
    let id = text_of(&post, "id");
    api.reply(&alice, &id, "a reply", "public").await;
    for action in ["reblog", "favourite", "bookmark"] {
        api.post(&format!("/api/v1/statuses/{id}/{action}"))
            .auth(&alice)
            .ok()
            .await;
    }
    api.post("/api/v1/statuses")
        .auth(&bob)
        .json(serde_json::json!({
            "status": "which one?",
            "poll": { "options": ["this", "that"], "expires_in": 3600 },
        }))
        .ok()
        .await;
    server.settle().await;

    let home = "/api/v1/timelines/home?limit=40".to_owned();
    let public = "/api/v1/timelines/public?limit=40".to_owned();
    let status = format!("/api/v1/statuses/{id}");
    for (path, signed_in) in [(&home, true), (&public, false), (&status, true)] {
        let request = api.get(path);
        let request = if signed_in {
            request.auth(&alice)
        } else {
            request
        };
        let reply = request.send().await.expect(200);
        let body = reply.text();
        let value: Value = serde_json::from_str(&body).expect("JSON");
        // Other tests post to the shared server's public timeline at the same time.
        if path != &public {
            assert!(body.contains(&tag), "{path}: {body}");
        }
        assert_eq!(
            body,
            serde_json::to_string(&value).expect("JSON"),
            "{path}: keys out of order"
        );
    }
}
