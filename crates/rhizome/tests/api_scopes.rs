//! Tokens and scopes on every endpoint group: no token or a revoked one → 401, a token
//! without the scope → 403, the granular scope alone → allowed. Errors in Mastodon's shape.

mod support;

use std::collections::HashMap;

use axum::http::Method;
use serde_json::{Value, json};
use support::api::{Api, User, local, text_of};

/// Tokens of one user by scope, made once each.
struct Tokens<'a> {
    api: &'a Api,
    user: &'a User,
    made: HashMap<String, String>,
}

impl Tokens<'_> {
    async fn with(&mut self, scopes: &str) -> String {
        if let Some(token) = self.made.get(scopes) {
            return token.clone();
        }
        let token = self.api.token(self.user, scopes).await;
        self.made.insert(scopes.to_owned(), token.clone());
        token
    }

    /// A token with every other top-level scope than the family of `scope`.
    async fn without(&mut self, scope: &str) -> String {
        let other = if scope.starts_with("read") {
            "write push"
        } else if scope == "push" {
            "read write follow"
        } else {
            "read push"
        };
        self.with(other).await
    }
}

async fn send(
    api: &Api,
    method: &Method,
    path: &str,
    body: &Value,
    token: Option<&str>,
) -> support::api::Reply {
    let mut request = api.request(method.clone(), path);
    if let Some(token) = token {
        request = request.token(token);
    }
    if !body.is_null() {
        request = request.json(body.clone());
    }
    request.send().await
}

#[tokio::test]
async fn every_endpoint_checks_tokens_and_scopes() {
    let api = local().await;
    let alice = api.register("alice").await;
    let bob = api.register("bob").await;
    let mine = text_of(&api.post_status(&alice, "mine", "public").await, "id");
    let doomed = text_of(&api.post_status(&alice, "doomed", "public").await, "id");
    let theirs = text_of(&api.post_status(&bob, "theirs #rust", "public").await, "id");
    let emoji = "%F0%9F%91%8D";
    let announcement = api
        .core
        .create_announcement(rhizome_core::announcements::NewAnnouncement {
            text: "scoped news".into(),
            ..Default::default()
        })
        .await
        .expect("announcement")
        .id
        .to_string();
    let fill = |path: &str| {
        path.replace("{bob}", &bob.id)
            .replace("{mine}", &mine)
            .replace("{doomed}", &doomed)
            .replace("{theirs}", &theirs)
            .replace("{emoji}", emoji)
            .replace("{announcement}", &announcement)
    };

    // A token that worked, then was revoked.
    let revoked = api.token(&alice, "read write follow push").await;
    let app = api.app().await.clone();
    api.post("/oauth/revoke")
        .form(&[
            ("client_id", &app.client_id),
            ("client_secret", &app.client_secret),
            ("token", &revoked),
        ])
        .ok()
        .await;

    let mut tokens = Tokens {
        api: &api,
        user: &alice,
        made: HashMap::new(),
    };
    let no_body = Value::Null;
    // Endpoints that need a user token, in an order where each can succeed.
    let private: Vec<(Method, &str, &str, Value)> = vec![
        (
            Method::GET,
            "/api/v1/accounts/verify_credentials",
            "read:accounts",
            no_body.clone(),
        ),
        (
            Method::PATCH,
            "/api/v1/accounts/update_credentials",
            "write:accounts",
            json!({ "display_name": "Alice" }),
        ),
        (
            Method::GET,
            "/api/v1/accounts/relationships?id[]={bob}",
            "read:follows",
            no_body.clone(),
        ),
        (
            Method::GET,
            "/api/v1/accounts/search?q=bob",
            "read:accounts",
            no_body.clone(),
        ),
        (
            Method::POST,
            "/api/v1/accounts/{bob}/follow",
            "write:follows",
            no_body.clone(),
        ),
        (
            Method::POST,
            "/api/v1/accounts/{bob}/pin",
            "write:accounts",
            no_body.clone(),
        ),
        (
            Method::GET,
            "/api/v1/endorsements",
            "read:accounts",
            no_body.clone(),
        ),
        (
            Method::POST,
            "/api/v1/accounts/{bob}/unpin",
            "write:accounts",
            no_body.clone(),
        ),
        (
            Method::GET,
            "/api/v1/featured_tags",
            "read:accounts",
            no_body.clone(),
        ),
        (
            Method::POST,
            "/api/v1/featured_tags",
            "write:accounts",
            json!({ "name": "scopes" }),
        ),
        (
            Method::GET,
            "/api/v1/featured_tags/suggestions",
            "read:accounts",
            no_body.clone(),
        ),
        (
            Method::GET,
            "/api/v1/suggestions",
            "read:accounts",
            no_body.clone(),
        ),
        (
            Method::GET,
            "/api/v2/suggestions",
            "read:accounts",
            no_body.clone(),
        ),
        (
            Method::DELETE,
            "/api/v1/suggestions/{bob}",
            "write:accounts",
            no_body.clone(),
        ),
        (
            Method::GET,
            "/api/v1/announcements",
            "read",
            no_body.clone(),
        ),
        (
            Method::POST,
            "/api/v1/announcements/{announcement}/dismiss",
            "write:accounts",
            no_body.clone(),
        ),
        (
            Method::PUT,
            "/api/v1/announcements/{announcement}/reactions/{emoji}",
            "write:favourites",
            no_body.clone(),
        ),
        (
            Method::DELETE,
            "/api/v1/announcements/{announcement}/reactions/{emoji}",
            "write:favourites",
            no_body.clone(),
        ),
        (
            Method::POST,
            "/api/v1/accounts/{bob}/unfollow",
            "write:follows",
            no_body.clone(),
        ),
        (
            Method::POST,
            "/api/v1/accounts/{bob}/remove_from_followers",
            "write:follows",
            no_body.clone(),
        ),
        (
            Method::GET,
            "/api/v1/follow_requests",
            "read:follows",
            no_body.clone(),
        ),
        (
            Method::POST,
            "/api/v1/accounts/{bob}/mute",
            "write:mutes",
            no_body.clone(),
        ),
        (
            Method::POST,
            "/api/v1/accounts/{bob}/unmute",
            "write:mutes",
            no_body.clone(),
        ),
        (Method::GET, "/api/v1/mutes", "read:mutes", no_body.clone()),
        (
            Method::POST,
            "/api/v1/accounts/{bob}/block",
            "write:blocks",
            no_body.clone(),
        ),
        (
            Method::POST,
            "/api/v1/accounts/{bob}/unblock",
            "write:blocks",
            no_body.clone(),
        ),
        (
            Method::GET,
            "/api/v1/blocks",
            "read:blocks",
            no_body.clone(),
        ),
        (
            Method::POST,
            "/api/v1/domain_blocks",
            "write:blocks",
            json!({ "domain": "spam.example" }),
        ),
        (
            Method::GET,
            "/api/v1/domain_blocks",
            "read:blocks",
            no_body.clone(),
        ),
        (
            Method::DELETE,
            "/api/v1/domain_blocks",
            "write:blocks",
            json!({ "domain": "spam.example" }),
        ),
        (
            Method::POST,
            "/api/v1/statuses",
            "write:statuses",
            json!({ "status": "scoped" }),
        ),
        (
            Method::PUT,
            "/api/v1/statuses/{mine}",
            "write:statuses",
            json!({ "status": "edited" }),
        ),
        (
            Method::GET,
            "/api/v1/statuses/{mine}/source",
            "read:statuses",
            no_body.clone(),
        ),
        (
            Method::POST,
            "/api/v1/statuses/{theirs}/favourite",
            "write:favourites",
            no_body.clone(),
        ),
        (
            Method::POST,
            "/api/v1/statuses/{theirs}/unfavourite",
            "write:favourites",
            no_body.clone(),
        ),
        (
            Method::POST,
            "/api/v1/statuses/{theirs}/bookmark",
            "write:bookmarks",
            no_body.clone(),
        ),
        (
            Method::POST,
            "/api/v1/statuses/{theirs}/unbookmark",
            "write:bookmarks",
            no_body.clone(),
        ),
        (
            Method::POST,
            "/api/v1/statuses/{theirs}/reblog",
            "write:statuses",
            no_body.clone(),
        ),
        (
            Method::POST,
            "/api/v1/statuses/{theirs}/unreblog",
            "write:statuses",
            no_body.clone(),
        ),
        (
            Method::POST,
            "/api/v1/statuses/{mine}/pin",
            "write:accounts",
            no_body.clone(),
        ),
        (
            Method::POST,
            "/api/v1/statuses/{mine}/unpin",
            "write:accounts",
            no_body.clone(),
        ),
        (
            Method::POST,
            "/api/v1/statuses/{theirs}/mute",
            "write:mutes",
            no_body.clone(),
        ),
        (
            Method::POST,
            "/api/v1/statuses/{theirs}/unmute",
            "write:mutes",
            no_body.clone(),
        ),
        (
            Method::PUT,
            "/api/v1/pleroma/statuses/{theirs}/reactions/{emoji}",
            "write:favourites",
            no_body.clone(),
        ),
        (
            Method::DELETE,
            "/api/v1/pleroma/statuses/{theirs}/reactions/{emoji}",
            "write:favourites",
            no_body.clone(),
        ),
        (
            Method::GET,
            "/api/v1/timelines/home",
            "read:statuses",
            no_body.clone(),
        ),
        (
            Method::GET,
            "/api/v1/bookmarks",
            "read:bookmarks",
            no_body.clone(),
        ),
        (
            Method::GET,
            "/api/v1/favourites",
            "read:favourites",
            no_body.clone(),
        ),
        (
            Method::GET,
            "/api/v1/notifications",
            "read:notifications",
            no_body.clone(),
        ),
        (
            Method::GET,
            "/api/v1/notifications/unread_count",
            "read:notifications",
            no_body.clone(),
        ),
        (
            Method::GET,
            "/api/v2/notifications",
            "read:notifications",
            no_body.clone(),
        ),
        (
            Method::POST,
            "/api/v1/notifications/clear",
            "write:notifications",
            no_body.clone(),
        ),
        (
            Method::GET,
            "/api/v1/preferences",
            "read:accounts",
            no_body.clone(),
        ),
        (
            Method::POST,
            "/api/v1/push/subscription",
            "push",
            json!({
                "subscription": {
                    "endpoint": "https://push.example/scopes",
                    // RFC 8291's example user agent key.
                    "keys": {
                        "p256dh": "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
                        "auth": "BTBZMqHH6r4Tts7J_aSIgg",
                    },
                },
            }),
        ),
        (
            Method::GET,
            "/api/v1/push/subscription",
            "push",
            no_body.clone(),
        ),
        (
            Method::PUT,
            "/api/v1/push/subscription",
            "push",
            json!({ "data": { "policy": "none" } }),
        ),
        (
            Method::DELETE,
            "/api/v1/push/subscription",
            "push",
            no_body.clone(),
        ),
        (
            Method::GET,
            "/api/oauth_tokens",
            "read:accounts",
            no_body.clone(),
        ),
        (
            Method::DELETE,
            "/api/v1/statuses/{doomed}",
            "write:statuses",
            no_body.clone(),
        ),
        // CSV exports and imports (the multipart `POST /api/v1/import` in tests/csv_data.rs).
        (
            Method::GET,
            "/api/v1/exports/following.csv",
            "read:follows",
            no_body.clone(),
        ),
        (
            Method::GET,
            "/api/v1/exports/followers.csv",
            "read:follows",
            no_body.clone(),
        ),
        (
            Method::GET,
            "/api/v1/exports/lists.csv",
            "read:lists",
            no_body.clone(),
        ),
        (
            Method::GET,
            "/api/v1/exports/blocks.csv",
            "read:blocks",
            no_body.clone(),
        ),
        (
            Method::GET,
            "/api/v1/exports/mutes.csv",
            "read:mutes",
            no_body.clone(),
        ),
        (
            Method::GET,
            "/api/v1/exports/domain_blocks.csv",
            "read:blocks",
            no_body.clone(),
        ),
        (
            Method::GET,
            "/api/v1/exports/bookmarks.csv",
            "read:bookmarks",
            no_body.clone(),
        ),
        (
            Method::POST,
            "/api/pleroma/follow_import",
            "write:follows",
            json!({ "list": "nobody" }),
        ),
        (
            Method::POST,
            "/api/pleroma/blocks_import",
            "write:blocks",
            json!({ "list": "nobody" }),
        ),
        (
            Method::POST,
            "/api/pleroma/mutes_import",
            "write:mutes",
            json!({ "list": "nobody" }),
        ),
        (
            Method::PUT,
            "/api/pleroma/aliases",
            "write:accounts",
            json!({ "alias": bob.username }),
        ),
        (
            Method::GET,
            "/api/pleroma/aliases",
            "read:accounts",
            no_body.clone(),
        ),
        (
            Method::DELETE,
            "/api/pleroma/aliases",
            "write:accounts",
            json!({ "alias": bob.username }),
        ),
        (
            Method::GET,
            "/api/v1/imports",
            "read:follows",
            no_body.clone(),
        ),
    ];
    for (method, path, scope, body) in &private {
        let path = fill(path);
        let what = format!("{method} {path}");
        let anonymous = send(&api, method, &path, body, None).await;
        assert_eq!(
            anonymous.status.as_u16(),
            401,
            "{what} without a token: {}",
            anonymous.text()
        );
        assert!(
            anonymous.json()["error"].is_string(),
            "{what}: {}",
            anonymous.text()
        );
        let stale = send(&api, method, &path, body, Some(&revoked)).await;
        assert_eq!(
            stale.status.as_u16(),
            401,
            "{what} with a revoked token: {}",
            stale.text()
        );
        let wrong = tokens.without(scope).await;
        let refused = send(&api, method, &path, body, Some(&wrong)).await;
        assert_eq!(
            refused.status.as_u16(),
            403,
            "{what} without {scope}: {}",
            refused.text()
        );
        let message = refused.json()["error"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            message.contains(scope),
            "{what}: the error names {scope}: {message}"
        );
        let granular = tokens.with(scope).await;
        let allowed = send(&api, method, &path, body, Some(&granular)).await;
        assert_eq!(
            allowed.status.as_u16(),
            200,
            "{what} with {scope} alone: {}",
            allowed.text()
        );
    }

    // Endpoints open to anonymous readers: a token, when present, must be valid and scoped.
    let public: Vec<(&str, &str)> = vec![
        ("/api/v1/accounts/{bob}", "read:accounts"),
        ("/api/v1/accounts?id[]={bob}", "read:accounts"),
        ("/api/v1/accounts/lookup?acct={bob_name}", "read:accounts"),
        ("/api/v1/accounts/{bob}/statuses", "read:statuses"),
        ("/api/v1/accounts/{bob}/followers", "read:accounts"),
        ("/api/v1/accounts/{bob}/following", "read:accounts"),
        ("/api/v1/statuses/{theirs}", "read:statuses"),
        ("/api/v1/statuses?id[]={theirs}", "read:statuses"),
        ("/api/v1/statuses/{theirs}/context", "read:statuses"),
        ("/api/v1/statuses/{theirs}/history", "read:statuses"),
        ("/api/v1/statuses/{theirs}/favourited_by", "read:accounts"),
        ("/api/v1/statuses/{theirs}/reblogged_by", "read:accounts"),
        (
            "/api/v1/pleroma/statuses/{theirs}/reactions",
            "read:statuses",
        ),
        ("/api/v1/timelines/public", "read:statuses"),
        ("/api/v1/timelines/tag/rust", "read:statuses"),
        ("/api/v2/search?q=bob", "read:search"),
        ("/api/v1/accounts/{bob}/featured_tags", "read:accounts"),
        ("/api/v1/accounts/{bob}/endorsements", "read:accounts"),
    ];
    for (path, scope) in public {
        let path = fill(path).replace("{bob_name}", &bob.username);
        api.get(&path).send().await.expect(200);
        let stale = api.get(&path).token(&revoked).send().await;
        assert_eq!(
            stale.status.as_u16(),
            401,
            "GET {path} with a revoked token: {}",
            stale.text()
        );
        let wrong = tokens.without(scope).await;
        let refused = api.get(&path).token(&wrong).send().await;
        assert_eq!(
            refused.status.as_u16(),
            403,
            "GET {path} without {scope}: {}",
            refused.text()
        );
        let granular = tokens.with(scope).await;
        api.get(&path).token(&granular).send().await.expect(200);
    }
}

#[tokio::test]
async fn profile_scope_reads_only_ones_own_profile() {
    let api = local().await;
    let alice = api.register("alice").await;
    let profile = api.token(&alice, "profile").await;
    let me = api
        .get("/api/v1/accounts/verify_credentials")
        .token(&profile)
        .ok()
        .await;
    assert_eq!(me["id"], alice.id.as_str());
    api.get("/api/v1/timelines/home")
        .token(&profile)
        .send()
        .await
        .error(403);
    api.get(&format!("/api/v1/accounts/{}", alice.id))
        .token(&profile)
        .send()
        .await
        .error(403);
}

#[tokio::test]
async fn legacy_follow_scope_covers_relationships() {
    let api = local().await;
    let alice = api.register("alice").await;
    let bob = api.register("bob").await;
    let follow = api.token(&alice, "follow").await;
    let relationship = api
        .post(&format!("/api/v1/accounts/{}/follow", bob.id))
        .token(&follow)
        .ok()
        .await;
    assert_eq!(relationship["following"], true);
    api.get("/api/v1/blocks").token(&follow).ok().await;
    api.get("/api/v1/mutes").token(&follow).ok().await;
    api.get("/api/v1/timelines/home")
        .token(&follow)
        .send()
        .await
        .error(403);
}
