//! One whole session over HTTP against a real `rhizome serve`, as an app lives it: register,
//! sign in with the authorization code and PKCE, follow, post, reply, favourite, read the
//! timelines and notifications, and hear the new post on the streaming socket.

mod support;

use serde_json::{Value, json};
use support::api::{
    PASSWORD, User, assert_credential_account, assert_notification, assert_status, authorize,
    eventually, ids, is_event_about, location_query, param, payload, pkce, start_server, text_of,
    ws_connect, ws_next,
};

#[tokio::test]
async fn a_whole_session() {
    let instance = start_server(&[]);
    let api = instance.api();

    // An admin creates the first user from the shell.
    instance.setup.ok(
        &[
            "admin",
            "user",
            "create",
            "alice",
            "--email",
            "alice@example.org",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );

    // The app registers, then sends alice to the consent page with a PKCE challenge.
    let redirect = "org.example.e2e:/oauth";
    let app = api
        .post("/api/v1/apps")
        .json(json!({
            "client_name": "E2E",
            "redirect_uris": [redirect],
            "scopes": "read write follow push",
            "website": "https://e2e.example",
        }))
        .ok()
        .await;
    let client_id = text_of(&app, "client_id");
    let (verifier, challenge) = pkce();
    let approved = authorize(
        &api,
        &[
            ("response_type", "code"),
            ("client_id", &client_id),
            ("redirect_uri", redirect),
            ("scope", "read write follow"),
            ("state", "e2e-state"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
        "alice",
        "approve",
    )
    .await;
    assert!(approved.status.is_redirection(), "{}", approved.text());
    let back = location_query(&approved);
    assert_eq!(param(&back, "state"), Some("e2e-state"));
    let code = param(&back, "code").expect("a code");
    let issued = api
        .post("/oauth/token")
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", &client_id),
            ("code", code),
            ("redirect_uri", redirect),
            ("code_verifier", &verifier),
        ])
        .ok()
        .await;
    assert_eq!(issued["scope"], "read write follow");
    let me = api
        .get("/api/v1/accounts/verify_credentials")
        .token(&text_of(&issued, "access_token"))
        .ok()
        .await;
    assert_credential_account(&me);
    let alice = User {
        id: text_of(&me, "id"),
        username: "alice".into(),
        token: text_of(&issued, "access_token"),
    };
    let verified = api
        .get("/api/v1/apps/verify_credentials")
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(verified["name"], "E2E");

    // Bob signs up through the API; alice's app opens the streaming socket and follows him.
    let bob = api.register("bob").await;
    let bearer = format!("Bearer {}", alice.token);
    let mut socket = ws_connect(
        &instance.server.base(),
        "/api/v1/streaming?stream=user",
        &[("authorization", &bearer)],
    )
    .await
    .expect("the streaming socket");
    let relationship = api.follow(&alice, &bob).await;
    assert_eq!(relationship["following"], true);

    // Bob posts: alice hears it at once.
    let post = api.post_status(&bob, "Hello from bob #e2e", "public").await;
    let post_id = text_of(&post, "id");
    let heard = ws_next(&mut socket, "bob's post on alice's stream", |m| {
        is_event_about(m, "update", &post_id)
    })
    .await;
    let streamed = payload(&heard);
    assert_status(&streamed, true);
    assert_eq!(streamed["account"]["id"], bob.id.as_str());

    // Alice replies; bob favourites the reply; alice is notified, on the socket too.
    let reply = api
        .reply(
            &alice,
            &post_id,
            &format!("@{} Hello bob!", bob.username),
            "public",
        )
        .await;
    let reply_id = text_of(&reply, "id");
    assert_eq!(reply["in_reply_to_id"], post_id.as_str());
    assert_eq!(reply["mentions"][0]["id"], bob.id.as_str());
    let favourited = api
        .post(&format!("/api/v1/statuses/{reply_id}/favourite"))
        .auth(&bob)
        .ok()
        .await;
    assert_eq!(favourited["favourites_count"], 1);
    let notified = ws_next(&mut socket, "the favourite notification", |m| {
        is_event_about(m, "notification", &reply_id)
    })
    .await;
    assert_eq!(payload(&notified)["type"], "favourite");
    let own = api.post_status(&alice, "My first post", "public").await;
    let own_id = text_of(&own, "id");

    // Timelines.
    let home = eventually("alice's home timeline", || async {
        let home = api.get("/api/v1/timelines/home").auth(&alice).ok().await;
        let found = ids(&home);
        [&post_id, &reply_id, &own_id]
            .iter()
            .all(|id| found.contains(id))
            .then_some(home)
    })
    .await;
    for status in home.as_array().unwrap() {
        assert_status(status, true);
    }
    let public = ids(&api.get("/api/v1/timelines/public").ok().await);
    assert!(
        public.contains(&post_id) && public.contains(&own_id),
        "{public:?}"
    );
    let tagged = ids(&api.get("/api/v1/timelines/tag/e2e").ok().await);
    assert_eq!(tagged, [post_id.as_str()]);
    let context = api
        .get(&format!("/api/v1/statuses/{post_id}/context"))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(ids(&context["descendants"]), [reply_id.as_str()]);

    // Notifications on both sides.
    let alices = api.get("/api/v1/notifications").auth(&alice).ok().await;
    let kinds: Vec<&str> = alices
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["favourite"], "{alices:#}");
    assert_notification(&alices[0]);
    assert_eq!(alices[0]["status"]["id"], reply_id.as_str());
    let bobs = eventually("bob's mention", || async {
        let list = api.get("/api/v1/notifications").auth(&bob).ok().await;
        (list.as_array().unwrap().len() == 2).then_some(list)
    })
    .await;
    let kinds: Vec<(&str, &Value)> = bobs
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            assert_notification(n);
            (n["type"].as_str().unwrap(), &n["account"]["id"])
        })
        .collect();
    assert_eq!(
        kinds,
        [("mention", &json!(alice.id)), ("follow", &json!(alice.id))]
    );
    assert_eq!(
        api.get("/api/v1/notifications/unread_count")
            .auth(&bob)
            .ok()
            .await,
        json!({ "count": 2 })
    );

    // Counts after the session.
    let profile = api
        .get(&format!("/api/v1/accounts/{}", alice.id))
        .ok()
        .await;
    assert_eq!(
        (&profile["statuses_count"], &profile["following_count"]),
        (&json!(2), &json!(1))
    );
    instance.settle().await;
}
