//! Reports and account moderation over the client API: filing a report, Mastodon's admin
//! accounts and reports endpoints with their scopes and roles, what each action does, and
//! the moderation log they leave.

mod support;

use rhizome_core::leaving::{DeletionState, PurgeAccount};
use rhizome_model::{Id, Role, Scopes};
use rhizome_store::PageRequest;
use serde_json::{Value, json};
use support::api::{Local, User, ids, local};

async fn with_role(app: &Local, prefix: &str, role: Role) -> User {
    let user = app.register(prefix).await;
    app.core
        .store
        .set_role(Id(user.id.parse().unwrap()), role)
        .await
        .unwrap();
    user
}

/// A token of `user` with exactly `scopes`, as the admin CLI issues them (the test app
/// registers without admin scopes).
async fn token(app: &Local, user: &User, scopes: &str) -> String {
    app.core
        .issue_token(
            Some(id_of(user)),
            None,
            Scopes::parse(scopes).unwrap(),
            false,
        )
        .await
        .unwrap()
        .access_token
}

fn id_of(user: &User) -> Id {
    Id(user.id.parse().unwrap())
}

async fn log_actions(app: &Local, kind: &str, id: Id) -> Vec<(String, String)> {
    let page = app
        .core
        .moderation_log(Some((kind, id)), &PageRequest::first(50))
        .await
        .unwrap();
    // Oldest first reads like a story.
    page.items
        .into_iter()
        .rev()
        .map(|e| (e.action, e.text))
        .collect()
}

/// Posts `text` with a small picture as `user`.
async fn media_post(app: &Local, user: &User, text: &str) -> Value {
    let (content_type, body) = support::media::multipart(&[(
        "file",
        Some("p.png"),
        "image/png",
        &support::media::png_with_text(),
    )]);
    let media = app
        .post("/api/v2/media")
        .auth(user)
        .body(&content_type, body)
        .ok()
        .await;
    app.post("/api/v1/statuses")
        .auth(user)
        .json(json!({ "status": text, "media_ids": [media["id"]] }))
        .ok()
        .await
}

async fn public_contents(app: &Local, viewer: &User) -> Vec<String> {
    let timeline = app.get("/api/v1/timelines/public").auth(viewer).ok().await;
    timeline
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["content"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn reports_are_filed_listed_assigned_resolved_and_reopened_by_staff_only() {
    let app = local().await;
    let admin = with_role(&app, "admin", Role::Admin).await;
    let moderator = with_role(&app, "mod", Role::Moderator).await;
    let reporter = app.register("reporter").await;
    let target = app.register("target").await;
    let other = app.register("other").await;
    let post = app.post_status(&target, "rude words", "public").await;
    let post_id = post["id"].as_str().unwrap();
    let others_post = app.post_status(&other, "kind words", "public").await;

    // Filing needs write:reports, and only the target's own statuses.
    let read_only = app.token(&reporter, "read").await;
    app.post("/api/v1/reports")
        .token(&read_only)
        .form(&[("account_id", &target.id)])
        .send()
        .await
        .expect(403);
    app.post("/api/v1/reports")
        .auth(&reporter)
        .form(&[
            ("account_id", target.id.as_str()),
            ("status_ids[]", others_post["id"].as_str().unwrap()),
        ])
        .send()
        .await
        .expect(404);
    let bad = app
        .post("/api/v1/reports")
        .auth(&reporter)
        .form(&[("account_id", target.id.as_str()), ("category", "boring")])
        .send()
        .await
        .error(422);
    assert!(bad.contains("category"), "{bad}");
    let report = app
        .post("/api/v1/reports")
        .auth(&reporter)
        .json(json!({
            "account_id": target.id,
            "status_ids": [post_id],
            "comment": "please look",
            "category": "violation",
            "rule_ids": ["1"],
            "forward": true,
        }))
        .ok()
        .await;
    assert_eq!(report["category"], "violation");
    assert_eq!(report["comment"], "please look");
    assert_eq!(report["action_taken"], false);
    // A local target has no other server to forward to.
    assert_eq!(report["forwarded"], false);
    assert_eq!(report["status_ids"], json!([post_id]));
    assert_eq!(report["rule_ids"], json!(["1"]));
    assert_eq!(report["target_account"]["id"], target.id.as_str());
    let report_id = report["id"].as_str().unwrap().to_owned();

    // Staff hear about it.
    let notifications = app.get("/api/v1/notifications").auth(&moderator).ok().await;
    assert_eq!(notifications[0]["type"], "admin.report");

    // Listing needs staff and admin:read:reports.
    let user_admin_scope = token(&app, &reporter, "admin:read").await;
    app.get("/api/v1/admin/reports")
        .token(&user_admin_scope)
        .send()
        .await
        .expect(403);
    app.get("/api/v1/admin/reports")
        .auth(&moderator)
        .send()
        .await
        .expect(403);
    let mod_read = token(&app, &moderator, "admin:read:reports").await;
    let listed = app.get("/api/v1/admin/reports").token(&mod_read).ok().await;
    assert_eq!(ids(&listed), vec![report_id.clone()]);
    let shown = &listed[0];
    assert_eq!(shown["account"]["username"], reporter.username.as_str());
    assert_eq!(
        shown["account"]["email"],
        format!("{}@example.org", reporter.username)
    );
    assert_eq!(shown["target_account"]["id"], target.id.as_str());
    assert_eq!(shown["target_account"]["account"]["id"], target.id.as_str());
    assert_eq!(shown["statuses"][0]["id"], post_id);
    assert_eq!(shown["assigned_account"], Value::Null);
    assert!(shown["rules"].is_array());

    // Writing needs admin:write:reports.
    app.post(&format!("/api/v1/admin/reports/{report_id}/assign_to_self"))
        .token(&mod_read)
        .send()
        .await
        .expect(403);
    let mod_write = token(&app, &moderator, "admin:write:reports admin:read:reports").await;
    let assigned = app
        .post(&format!("/api/v1/admin/reports/{report_id}/assign_to_self"))
        .token(&mod_write)
        .ok()
        .await;
    assert_eq!(assigned["assigned_account"]["id"], moderator.id.as_str());
    let unassigned = app
        .post(&format!("/api/v1/admin/reports/{report_id}/unassign"))
        .token(&mod_write)
        .ok()
        .await;
    assert_eq!(unassigned["assigned_account"], Value::Null);
    let resolved = app
        .post(&format!("/api/v1/admin/reports/{report_id}/resolve"))
        .token(&mod_write)
        .form(&[("note", "talked to them")])
        .ok()
        .await;
    assert_eq!(resolved["action_taken"], true);
    assert_eq!(
        resolved["action_taken_by_account"]["id"],
        moderator.id.as_str()
    );
    assert_eq!(
        app.get("/api/v1/admin/reports").token(&mod_read).ok().await,
        json!([])
    );
    let closed = app
        .get("/api/v1/admin/reports?resolved=true")
        .token(&mod_read)
        .ok()
        .await;
    assert_eq!(ids(&closed), vec![report_id.clone()]);
    let reopened = app
        .post(&format!("/api/v1/admin/reports/{report_id}/reopen"))
        .token(&mod_write)
        .ok()
        .await;
    assert_eq!(reopened["action_taken"], false);
    assert_eq!(reopened["action_taken_at"], Value::Null);
    let admin_read = token(&app, &admin, "admin:read").await;
    let by_target = app
        .get(&format!(
            "/api/v1/admin/reports?target_account_id={}",
            other.id
        ))
        .token(&admin_read)
        .ok()
        .await;
    assert_eq!(by_target, json!([]));
    app.get("/api/v1/admin/reports/123456")
        .token(&admin_read)
        .send()
        .await
        .expect(404);

    assert_eq!(
        log_actions(&app, "report", Id(report_id.parse().unwrap())).await,
        vec![
            ("assign".to_owned(), String::new()),
            ("assign".to_owned(), String::new()),
            ("resolve".to_owned(), "talked to them".to_owned()),
            ("reopen".to_owned(), String::new()),
        ]
    );
}

#[tokio::test]
async fn moderators_limit_suspend_and_disable_accounts_and_admins_keep_theirs() {
    let app = local().await;
    let admin = with_role(&app, "admin", Role::Admin).await;
    let moderator = with_role(&app, "mod", Role::Moderator).await;
    let viewer = app.register("viewer").await;
    let follower = app.register("follower").await;
    let target = app.register("target").await;
    app.follow(&follower, &target).await;
    let post = app.post_status(&target, "loud post", "public").await;
    let post_id = post["id"].as_str().unwrap().to_owned();
    let report = app
        .post("/api/v1/reports")
        .auth(&viewer)
        .form(&[("account_id", target.id.as_str()), ("comment", "too loud")])
        .ok()
        .await;
    let report_id = report["id"].as_str().unwrap().to_owned();

    let mod_accounts = token(&app, &moderator, "admin:read:accounts admin:write:accounts").await;
    let mod_all = token(&app, &moderator, "admin:read admin:write").await;
    let admin_all = token(&app, &admin, "admin:read admin:write").await;

    // Account lists: v1 and v2 filters.
    let local_accounts = app
        .get("/api/v1/admin/accounts?local=true")
        .token(&mod_accounts)
        .ok()
        .await;
    assert_eq!(local_accounts.as_array().unwrap().len(), 5);
    let staff = app
        .get("/api/v2/admin/accounts?origin=local&permissions=staff")
        .token(&mod_accounts)
        .ok()
        .await;
    let mut staff_ids = ids(&staff);
    staff_ids.sort();
    let mut expected = vec![admin.id.clone(), moderator.id.clone()];
    expected.sort();
    assert_eq!(staff_ids, expected);
    assert_eq!(staff[0]["role"]["highlighted"], true);
    let by_name = app
        .get(&format!(
            "/api/v2/admin/accounts?username={}",
            target.username
        ))
        .token(&mod_accounts)
        .ok()
        .await;
    assert_eq!(ids(&by_name), vec![target.id.clone()]);
    assert_eq!(
        app.get("/api/v2/admin/accounts?origin=remote")
            .token(&mod_accounts)
            .ok()
            .await,
        json!([])
    );
    app.get("/api/v2/admin/accounts?status=sleepy")
        .token(&mod_accounts)
        .send()
        .await
        .expect(422);
    app.get("/api/v1/admin/accounts")
        .auth(&viewer)
        .send()
        .await
        .expect(403);
    let user_admin = token(&app, &viewer, "admin:read:accounts").await;
    let refused = app
        .get("/api/v1/admin/accounts")
        .token(&user_admin)
        .send()
        .await
        .error(403);
    assert_eq!(refused, "This action is not allowed");

    // Limit, with the report: resolved by the action; the post leaves the public timeline
    // of non-followers only.
    assert!(
        public_contents(&app, &viewer)
            .await
            .iter()
            .any(|c| c.contains("loud post"))
    );
    app.post(&format!("/api/v1/admin/accounts/{}/action", target.id))
        .token(&mod_accounts)
        .form(&[("type", "silence"), ("report_id", &report_id)])
        .send()
        .await
        .expect(403);
    app.post(&format!("/api/v1/admin/accounts/{}/action", target.id))
        .token(&mod_all)
        .form(&[
            ("type", "silence"),
            ("report_id", report_id.as_str()),
            ("text", "calm down"),
        ])
        .ok()
        .await;
    let shown = app
        .get(&format!("/api/v1/admin/accounts/{}", target.id))
        .token(&mod_all)
        .ok()
        .await;
    assert_eq!(shown["silenced"], true);
    assert_eq!(shown["suspended"], false);
    let report = app
        .get(&format!("/api/v1/admin/reports/{report_id}"))
        .token(&mod_all)
        .ok()
        .await;
    assert_eq!(report["action_taken"], true);
    assert!(
        !public_contents(&app, &viewer)
            .await
            .iter()
            .any(|c| c.contains("loud post"))
    );
    assert!(
        public_contents(&app, &follower)
            .await
            .iter()
            .any(|c| c.contains("loud post"))
    );
    let silenced = app
        .get("/api/v2/admin/accounts?status=silenced")
        .token(&mod_all)
        .ok()
        .await;
    assert_eq!(ids(&silenced), vec![target.id.clone()]);
    app.post(&format!("/api/v1/admin/accounts/{}/unsilence", target.id))
        .token(&mod_all)
        .ok()
        .await;
    assert!(
        public_contents(&app, &viewer)
            .await
            .iter()
            .any(|c| c.contains("loud post"))
    );

    // Sensitive marks existing media posts and new ones; unsensitive lifts it.
    let pictured = media_post(&app, &target, "with a picture").await;
    assert_eq!(pictured["sensitive"], false);
    app.post(&format!("/api/v1/admin/accounts/{}/action", target.id))
        .token(&mod_all)
        .form(&[("type", "sensitive")])
        .ok()
        .await;
    let shown = app
        .get(&format!(
            "/api/v1/statuses/{}",
            pictured["id"].as_str().unwrap()
        ))
        .auth(&viewer)
        .ok()
        .await;
    assert_eq!(shown["sensitive"], true);
    let shown = app
        .get(&format!("/api/v1/statuses/{post_id}"))
        .auth(&viewer)
        .ok()
        .await;
    assert_eq!(shown["sensitive"], false, "no media, left alone");
    assert_eq!(
        media_post(&app, &target, "another").await["sensitive"],
        true
    );
    let shown = app
        .get(&format!("/api/v1/admin/accounts/{}", target.id))
        .token(&mod_all)
        .ok()
        .await;
    assert_eq!(shown["sensitized"], true);
    let shown = app
        .post(&format!("/api/v1/admin/accounts/{}/unsensitive", target.id))
        .token(&mod_all)
        .ok()
        .await;
    assert_eq!(shown["sensitized"], false);
    assert_eq!(
        media_post(&app, &target, "a third").await["sensitive"],
        false
    );

    // Disable: the login ends, the account stays visible.
    app.post(&format!("/api/v1/admin/accounts/{}/action", target.id))
        .token(&mod_all)
        .form(&[("type", "disable")])
        .ok()
        .await;
    app.get("/api/v1/accounts/verify_credentials")
        .auth(&target)
        .send()
        .await
        .expect(401);
    app.get(&format!("/api/v1/statuses/{post_id}"))
        .auth(&viewer)
        .ok()
        .await;
    let shown = app
        .post(&format!("/api/v1/admin/accounts/{}/enable", target.id))
        .token(&mod_all)
        .ok()
        .await;
    assert_eq!(shown["disabled"], false);
    app.token(&target, "read").await;

    // Suspend: content hidden, then back after unsuspend.
    app.post(&format!("/api/v1/admin/accounts/{}/action", target.id))
        .token(&mod_all)
        .form(&[("type", "suspend"), ("text", "enough")])
        .ok()
        .await;
    app.get(&format!("/api/v1/statuses/{post_id}"))
        .auth(&viewer)
        .send()
        .await
        .expect(404);
    assert!(
        !public_contents(&app, &viewer)
            .await
            .iter()
            .any(|c| c.contains("loud post"))
    );
    let shown = app
        .post(&format!("/api/v1/admin/accounts/{}/unsuspend", target.id))
        .token(&mod_all)
        .ok()
        .await;
    assert_eq!(shown["suspended"], false);
    app.get(&format!("/api/v1/statuses/{post_id}"))
        .auth(&viewer)
        .ok()
        .await;

    // Moderators neither act on admins nor delete data; unknown action types are refused.
    app.post(&format!("/api/v1/admin/accounts/{}/action", admin.id))
        .token(&mod_all)
        .form(&[("type", "suspend")])
        .send()
        .await
        .expect(403);
    app.post(&format!("/api/v1/admin/accounts/{}/action", target.id))
        .token(&mod_all)
        .form(&[("type", "obliterate")])
        .send()
        .await
        .expect(422);
    app.post(&format!("/api/v1/admin/accounts/{}/action", target.id))
        .token(&admin_all)
        .form(&[("type", "suspend")])
        .ok()
        .await;
    app.delete(&format!("/api/v1/admin/accounts/{}", target.id))
        .token(&mod_all)
        .send()
        .await
        .expect(403);
    app.delete(&format!("/api/v1/admin/accounts/{}", target.id))
        .token(&admin_all)
        .ok()
        .await;
    // The login goes at once, the content by the purge job (run here by hand: nothing runs
    // jobs in-process); a bare, suspended row keeps the name.
    let deleted = id_of(&target);
    while app.core.deletion_state(deleted).await.unwrap() != Some(DeletionState::Done) {
        app.core
            .run_purge_account(PurgeAccount {
                account_id: deleted,
            })
            .await
            .unwrap();
    }
    let gone = app
        .get(&format!("/api/v1/admin/accounts/{}", target.id))
        .token(&admin_all)
        .ok()
        .await;
    assert_eq!(
        (
            &gone["email"],
            &gone["suspended"],
            &gone["account"]["statuses_count"],
            &gone["account"]["followers_count"]
        ),
        (&json!(null), &json!(true), &json!(0), &json!(0)),
        "{gone}"
    );

    let actions: Vec<String> = log_actions(&app, "account", id_of(&target))
        .await
        .into_iter()
        .map(|(action, _)| action)
        .collect();
    assert_eq!(
        actions,
        [
            "silence",
            "unsilence",
            "sensitive",
            "unsensitive",
            "disable",
            "enable",
            "suspend",
            "unsuspend",
            "suspend",
            "delete"
        ]
    );
    assert_eq!(
        log_actions(&app, "account", id_of(&target)).await[0].1,
        "calm down"
    );
}

#[tokio::test]
async fn pending_sign_ups_are_approved_or_rejected() {
    let app = local().await;
    let moderator = with_role(&app, "mod", Role::Moderator).await;
    let token = token(&app, &moderator, "admin:read admin:write").await;
    let waiting = app.register("waiting").await;
    let refused = app.register("refused").await;
    for user in [&waiting, &refused] {
        app.core
            .store
            .set_approved(id_of(user), false)
            .await
            .unwrap();
    }
    let pending = app
        .get("/api/v1/admin/accounts?pending=true")
        .token(&token)
        .ok()
        .await;
    assert_eq!(pending.as_array().unwrap().len(), 2);
    assert_eq!(pending[0]["approved"], false);
    let approved = app
        .post(&format!("/api/v1/admin/accounts/{}/approve", waiting.id))
        .token(&token)
        .ok()
        .await;
    assert_eq!(approved["approved"], true);
    // Approving twice is refused, as in Mastodon.
    app.post(&format!("/api/v1/admin/accounts/{}/approve", waiting.id))
        .token(&token)
        .send()
        .await
        .expect(403);
    app.post(&format!("/api/v1/admin/accounts/{}/reject", refused.id))
        .token(&token)
        .ok()
        .await;
    app.get(&format!("/api/v1/admin/accounts/{}", refused.id))
        .token(&token)
        .send()
        .await
        .expect(404);
    assert_eq!(
        log_actions(&app, "account", id_of(&waiting)).await[0].0,
        "approve"
    );
    assert_eq!(
        log_actions(&app, "account", id_of(&refused)).await[0].0,
        "reject"
    );
}

/// Signs up through the API with the app token; returns the status and the body.
async fn sign_up(app: &support::api::Api, username: &str, email: &str) -> (u16, Value) {
    sign_up_from(app, username, email, "").await
}

/// A sign-up carrying `X-Forwarded-For: client` (none when empty).
async fn sign_up_from(
    app: &support::api::Api,
    username: &str,
    email: &str,
    client: &str,
) -> (u16, Value) {
    let app_token = app.app().await.token.clone();
    let mut request = app.post("/api/v1/accounts").token(&app_token);
    if !client.is_empty() {
        request = request.header("x-forwarded-for", client);
    }
    let reply = request
        .json(json!({
            "username": username,
            "email": email,
            "password": support::api::PASSWORD,
            "agreement": true,
        }))
        .send()
        .await;
    (reply.status.as_u16(), reply.json())
}

#[tokio::test]
async fn email_domain_and_canonical_email_blocks_are_admins_and_refuse_sign_ups() {
    let app = local().await;
    let admin = with_role(&app, "admin", Role::Admin).await;
    let moderator = with_role(&app, "mod", Role::Moderator).await;
    let write = token(&app, &admin, "admin:read admin:write").await;
    let moderator_all = token(&app, &moderator, "admin:read admin:write").await;
    let admin_read = token(&app, &admin, "read").await;

    // Admins only, with the scopes.
    app.get("/api/v1/admin/email_domain_blocks")
        .token(&moderator_all)
        .send()
        .await
        .expect(403);
    app.get("/api/v1/admin/email_domain_blocks")
        .token(&admin_read)
        .send()
        .await
        .expect(403);
    app.post("/api/v1/admin/canonical_email_blocks")
        .token(&moderator_all)
        .form(&[("email", "x@example.net")])
        .send()
        .await
        .expect(403);

    let block = app
        .post("/api/v1/admin/email_domain_blocks")
        .token(&write)
        .form(&[("domain", "Spam.Example")])
        .ok()
        .await;
    assert_eq!(block["domain"], "spam.example");
    assert!(block["history"].is_array());
    let block_id = block["id"].as_str().unwrap().to_owned();
    app.post("/api/v1/admin/email_domain_blocks")
        .token(&write)
        .form(&[("domain", "spam.example")])
        .send()
        .await
        .expect(422);
    app.post("/api/v1/admin/email_domain_blocks")
        .token(&write)
        .form(&[("domain", "")])
        .send()
        .await
        .expect(422);
    let listed = app
        .get("/api/v1/admin/email_domain_blocks")
        .token(&write)
        .ok()
        .await;
    assert_eq!(ids(&listed), vec![block_id.clone()]);
    // The domain and its subdomains are refused.
    let (status, body) = sign_up(&app, "spammer1", "a@mail.spam.example").await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"].as_str().unwrap().contains("e-mail provider"));
    let (status, _) = sign_up(&app, "spammer2", "a@spam.example").await;
    assert_eq!(status, 422);
    let (status, _) = sign_up(&app, "honest1", "a@nospam.example").await;
    assert_eq!(status, 200);
    app.delete(&format!("/api/v1/admin/email_domain_blocks/{block_id}"))
        .token(&write)
        .ok()
        .await;
    app.get(&format!("/api/v1/admin/email_domain_blocks/{block_id}"))
        .token(&write)
        .send()
        .await
        .expect(404);
    let (status, _) = sign_up(&app, "spammer3", "a@spam.example").await;
    assert_eq!(status, 200);

    // A canonical block covers the address's variants.
    let canonical = app
        .post("/api/v1/admin/canonical_email_blocks")
        .token(&write)
        .form(&[("email", "Jane.Doe+news@Example.net")])
        .ok()
        .await;
    let hash = canonical["canonical_email_hash"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(hash.len(), 64);
    let matched = app
        .post("/api/v1/admin/canonical_email_blocks/test")
        .token(&write)
        .form(&[("email", "janedoe@example.net")])
        .ok()
        .await;
    assert_eq!(matched[0]["canonical_email_hash"], hash.as_str());
    let unmatched = app
        .post("/api/v1/admin/canonical_email_blocks/test")
        .token(&write)
        .form(&[("email", "john@example.net")])
        .ok()
        .await;
    assert_eq!(unmatched, json!([]));
    let (status, _) = sign_up(&app, "jane", "jane.doe+again@example.net").await;
    assert_eq!(status, 422);
    app.post("/api/v1/admin/canonical_email_blocks")
        .token(&write)
        .form(&[("canonical_email_hash", "not-a-digest")])
        .send()
        .await
        .expect(422);
    let by_hash = app
        .post("/api/v1/admin/canonical_email_blocks")
        .token(&write)
        .form(&[("canonical_email_hash", &"ab".repeat(32))])
        .ok()
        .await;
    assert_eq!(
        app.get("/api/v1/admin/canonical_email_blocks")
            .token(&write)
            .ok()
            .await
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    app.delete(&format!(
        "/api/v1/admin/canonical_email_blocks/{}",
        canonical["id"].as_str().unwrap()
    ))
    .token(&write)
    .ok()
    .await;
    let (status, _) = sign_up(&app, "jane", "jane.doe+again@example.net").await;
    assert_eq!(status, 200);
    let shown = app
        .get(&format!(
            "/api/v1/admin/canonical_email_blocks/{}",
            by_hash["id"].as_str().unwrap()
        ))
        .token(&write)
        .ok()
        .await;
    assert_eq!(shown["canonical_email_hash"], "ab".repeat(32));

    let actions: Vec<String> = app
        .core
        .moderation_log(None, &PageRequest::first(20))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| format!("{} {}", e.action, e.target_type))
        .collect();
    assert_eq!(
        actions,
        [
            "destroy canonical_email_block",
            "create canonical_email_block",
            "create canonical_email_block",
            "destroy email_domain_block",
            "create email_domain_block",
        ]
    );
}

#[tokio::test]
async fn ip_blocks_refuse_sign_ins_and_sign_ups_from_their_network() {
    let db = rhizome_testkit::TestDatabase::sqlite();
    let dir = tempfile::tempdir().unwrap();
    // Loopback stands for a trusted proxy, so each request says which client it carries:
    // the blocked one (`X-Forwarded-For: 192.0.2.7`) or the admin (no header: loopback).
    let setup = support::Setup::new(db.url(), dir.path())
        .with("RHIZOME_SERVER_TRUSTED_PROXIES", "127.0.0.1");
    let server = setup.serve();
    let api = support::api::Api::http(&server.base());
    let walker = api.register("walker").await;
    let cli = setup.clone().with(
        "RHIZOME_INSTANCE_DOMAIN",
        &format!("127.0.0.1:{}", server.port),
    );
    cli.ok(
        &[
            "admin",
            "user",
            "create",
            "boss",
            "--email",
            "boss@example.org",
            "--role",
            "admin",
        ],
        "",
    );
    let boss = cli
        .ok(
            &[
                "admin",
                "token",
                "create",
                "boss",
                "--scopes",
                "admin:read admin:write",
            ],
            "",
        )
        .trim()
        .to_owned();

    // CRUD, with validation.
    api.post("/api/v1/admin/ip_blocks")
        .token(&boss)
        .form(&[("ip", "127.0.0.1/40"), ("severity", "no_access")])
        .send()
        .await
        .expect(422);
    api.post("/api/v1/admin/ip_blocks")
        .token(&boss)
        .form(&[("ip", "127.0.0.1"), ("severity", "smite")])
        .send()
        .await
        .expect(422);
    let wide = api
        .post("/api/v1/admin/ip_blocks")
        .token(&boss)
        .json(json!({ "ip": "10.1.2.3/8", "severity": "sign_up_block", "expires_in": 3600 }))
        .ok()
        .await;
    assert_eq!(wide["ip"], "10.0.0.0/8");
    assert!(wide["expires_at"].is_string());
    let walker_token = api.token(&walker, "read").await;
    let block = api
        .post("/api/v1/admin/ip_blocks")
        .token(&boss)
        .form(&[
            ("ip", "192.0.2.0/24"),
            ("severity", "no_access"),
            ("comment", "abuse from a documentation network"),
        ])
        .ok()
        .await;
    assert_eq!(block["ip"], "192.0.2.0/24");
    assert_eq!(block["comment"], "abuse from a documentation network");
    let block_id = block["id"].as_str().unwrap().to_owned();
    assert_eq!(
        api.get("/api/v1/admin/ip_blocks")
            .token(&boss)
            .ok()
            .await
            .as_array()
            .map(Vec::len),
        Some(2)
    );

    // no_access: nothing at all from that network, not even with a token it holds; the
    // same token works from elsewhere.
    const BLOCKED: &str = "192.0.2.7";
    let app = api.app().await.clone();
    let refused = api
        .post("/oauth/token")
        .header("x-forwarded-for", BLOCKED)
        .form(&[
            ("grant_type", "password"),
            ("client_id", &app.client_id),
            ("client_secret", &app.client_secret),
            ("username", &walker.username),
            ("password", support::api::PASSWORD),
            ("scope", "read"),
        ])
        .send()
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text());
    assert_eq!(
        refused.json(),
        json!({"error": "access from your address is blocked"})
    );
    let refused = api
        .get("/api/v1/accounts/verify_credentials")
        .token(&walker_token)
        .header("x-forwarded-for", BLOCKED)
        .send()
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text());
    let page = api
        .get("/about")
        .header("x-forwarded-for", BLOCKED)
        .send()
        .await;
    assert_eq!(page.status, 403);
    api.get("/api/v1/accounts/verify_credentials")
        .token(&walker_token)
        .header("x-forwarded-for", "198.51.100.1")
        .ok()
        .await;
    api.get("/api/v1/accounts/verify_credentials")
        .token(&walker_token)
        .ok()
        .await;

    // sign_up_requires_approval: sign-ins again, sign-ups wait for a moderator.
    let changed = api
        .put(&format!("/api/v1/admin/ip_blocks/{block_id}"))
        .token(&boss)
        .form(&[("severity", "sign_up_requires_approval")])
        .ok()
        .await;
    assert_eq!(changed["severity"], "sign_up_requires_approval");
    api.get("/api/v1/accounts/verify_credentials")
        .token(&walker_token)
        .header("x-forwarded-for", BLOCKED)
        .ok()
        .await;
    let (status, issued) = sign_up_from(&api, "newcomer", "newcomer@example.org", BLOCKED).await;
    assert_eq!(status, 200, "{issued}");
    api.get("/api/v1/accounts/verify_credentials")
        .token(issued["access_token"].as_str().unwrap())
        .send()
        .await
        .expect(403);
    let pending = api
        .get("/api/v2/admin/accounts?status=pending")
        .token(&boss)
        .ok()
        .await;
    assert_eq!(pending[0]["username"], "newcomer");
    // Moderators see where sign-ups and sign-ins came from, and find accounts by address.
    assert_eq!(pending[0]["ip"], BLOCKED);
    assert_eq!(pending[0]["ips"][0]["ip"], BLOCKED);
    assert!(pending[0]["ips"][0]["used_at"].is_string());
    let from_there = api
        .get(&format!("/api/v2/admin/accounts?ip={BLOCKED}"))
        .token(&boss)
        .ok()
        .await;
    assert_eq!(
        from_there
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["username"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["newcomer"]
    );
    let walker_admin = api
        .get(&format!("/api/v1/admin/accounts/{}", walker.id))
        .token(&boss)
        .ok()
        .await;
    assert_eq!(walker_admin["ip"], "127.0.0.1", "{walker_admin}");
    api.get("/api/v1/admin/accounts?ip=nonsense")
        .token(&boss)
        .send()
        .await
        .expect(422);
    // sign_up_block: the wider block refuses sign-ups only.
    let (status, _) = sign_up_from(&api, "tenner", "tenner@example.org", "10.9.9.9").await;
    assert_eq!(status, 403);
    api.get("/api/v1/accounts/verify_credentials")
        .token(&walker_token)
        .header("x-forwarded-for", "10.9.9.9")
        .ok()
        .await;

    api.delete(&format!("/api/v1/admin/ip_blocks/{block_id}"))
        .token(&boss)
        .ok()
        .await;
    let (status, _) = sign_up_from(&api, "later", "later@example.org", BLOCKED).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn measures_and_dimensions_count_the_days_asked_for() {
    let app = local().await;
    let moderator = with_role(&app, "mod", Role::Moderator).await;
    let user = app.register("user").await;
    let other = app.register("other").await;
    app.post_status(&user, "hello", "public").await;
    app.post("/api/v1/reports")
        .auth(&user)
        .form(&[("account_id", other.id.as_str())])
        .ok()
        .await;
    let today = chrono::Utc::now().date_naive();
    let start = (today - chrono::Duration::days(1)).to_string();
    let end = today.to_string();
    let read = token(&app, &moderator, "admin:read").await;
    let body = json!({
        "keys": ["new_users", "opened_reports", "resolved_reports", "no_such_key"],
        "start_at": start,
        "end_at": end,
    });
    let user_admin = token(&app, &user, "admin:read").await;
    app.post("/api/v1/admin/measures")
        .token(&user_admin)
        .json(body.clone())
        .send()
        .await
        .expect(403);
    let measures = app
        .post("/api/v1/admin/measures")
        .token(&read)
        .json(body)
        .ok()
        .await;
    let keys: Vec<&str> = measures
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["new_users", "opened_reports", "resolved_reports"]);
    assert_eq!(measures[0]["total"], "3");
    assert_eq!(measures[0]["data"].as_array().map(Vec::len), Some(2));
    assert_eq!(measures[0]["data"][1]["value"], "3");
    assert_eq!(measures[0]["data"][1]["date"], format!("{end}T00:00:00Z"));
    assert_eq!(measures[1]["total"], "1");
    assert_eq!(measures[2]["total"], "0");
    app.post("/api/v1/admin/measures")
        .token(&read)
        .json(json!({ "keys": ["new_users"], "start_at": end, "end_at": start }))
        .send()
        .await
        .expect(422);
    let dimensions = app
        .post("/api/v1/admin/dimensions")
        .token(&read)
        .json(json!({ "keys": ["languages", "servers"], "start_at": start, "end_at": end }))
        .ok()
        .await;
    assert_eq!(dimensions[0]["key"], "languages");
    assert_eq!(dimensions[1]["key"], "servers");
    assert_eq!(dimensions[1]["data"], json!([]));
}

#[tokio::test]
async fn pleroma_admin_lists_tags_approves_and_deactivates_users() {
    let app = local().await;
    let admin = with_role(&app, "admin", Role::Admin).await;
    let moderator = with_role(&app, "mod", Role::Moderator).await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    app.core
        .store
        .set_approved(id_of(&bob), false)
        .await
        .unwrap();
    let read = token(&app, &moderator, "admin:read:accounts").await;
    let write = token(&app, &moderator, "admin:write:accounts admin:read:accounts").await;
    let user_token = token(&app, &alice, "admin:read:accounts admin:write:accounts").await;

    app.get("/api/v1/pleroma/admin/users")
        .token(&user_token)
        .send()
        .await
        .expect(403);
    let all = app
        .get("/api/v1/pleroma/admin/users?page_size=2")
        .token(&read)
        .ok()
        .await;
    assert_eq!(all["count"], 4);
    assert_eq!(all["page_size"], 2);
    assert_eq!(all["users"].as_array().map(Vec::len), Some(2));
    let second = app
        .get("/api/v1/pleroma/admin/users?page_size=2&page=2")
        .token(&read)
        .ok()
        .await;
    assert_eq!(second["users"].as_array().map(Vec::len), Some(2));
    assert_ne!(all["users"][0]["id"], second["users"][0]["id"]);
    let admins = app
        .get("/api/v1/pleroma/admin/users?filters=local,is_admin")
        .token(&read)
        .ok()
        .await;
    assert_eq!(admins["count"], 1);
    assert_eq!(admins["users"][0]["nickname"], admin.username.as_str());
    assert_eq!(admins["users"][0]["roles"]["admin"], true);
    let found = app
        .get(&format!(
            "/api/v1/pleroma/admin/users?query={}",
            alice.username
        ))
        .token(&read)
        .ok()
        .await;
    assert_eq!(found["users"][0]["id"], alice.id.as_str());
    let waiting = app
        .get("/api/v1/pleroma/admin/users?filters=need_approval")
        .token(&read)
        .ok()
        .await;
    assert_eq!(waiting["users"][0]["nickname"], bob.username.as_str());
    assert_eq!(waiting["users"][0]["is_approved"], false);

    // Tags: known ones only; they are what the Tag policy reads.
    app.put("/api/v1/pleroma/admin/users/tag")
        .token(&read)
        .json(json!({ "nicknames": [alice.username], "tags": ["mrf_tag:sandbox"] }))
        .send()
        .await
        .expect(403);
    app.put("/api/v1/pleroma/admin/users/tag")
        .token(&write)
        .json(json!({ "nicknames": [alice.username], "tags": ["mrf_tag:sandbox"] }))
        .send()
        .await
        .expect(204);
    app.put("/api/v1/pleroma/admin/users/tag")
        .token(&write)
        .json(json!({ "nicknames": [alice.username], "tags": ["made-up"] }))
        .send()
        .await
        .expect(422);
    assert_eq!(
        app.core.account_tags(id_of(&alice)).await.unwrap(),
        ["mrf_tag:sandbox"]
    );
    let listed = app
        .get(&format!(
            "/api/v1/pleroma/admin/users?query={}",
            alice.username
        ))
        .token(&read)
        .ok()
        .await;
    assert_eq!(listed["users"][0]["tags"], json!(["mrf_tag:sandbox"]));
    app.delete("/api/v1/pleroma/admin/users/tag")
        .token(&write)
        .json(json!({ "nicknames": [alice.username], "tags": ["mrf_tag:sandbox"] }))
        .send()
        .await
        .expect(204);
    assert!(
        app.core
            .account_tags(id_of(&alice))
            .await
            .unwrap()
            .is_empty()
    );

    let approved = app
        .patch("/api/v1/pleroma/admin/users/approve")
        .token(&write)
        .json(json!({ "nicknames": [bob.username] }))
        .ok()
        .await;
    assert_eq!(approved["users"][0]["is_approved"], true);

    let deactivated = app
        .patch("/api/v1/pleroma/admin/users/deactivate")
        .token(&write)
        .json(json!({ "nicknames": [alice.username] }))
        .ok()
        .await;
    assert_eq!(deactivated["users"][0]["deactivated"], true);
    app.get("/api/v1/accounts/verify_credentials")
        .auth(&alice)
        .send()
        .await
        .expect(401);
    let activated = app
        .patch("/api/v1/pleroma/admin/users/activate")
        .token(&write)
        .json(json!({ "nicknames": [alice.username] }))
        .ok()
        .await;
    assert_eq!(activated["users"][0]["deactivated"], false);
    app.patch("/api/v1/pleroma/admin/users/activate")
        .token(&write)
        .json(json!({ "nicknames": ["nobody-here"] }))
        .send()
        .await
        .expect(404);

    let actions: Vec<String> = log_actions(&app, "account", id_of(&alice))
        .await
        .into_iter()
        .map(|(action, text)| format!("{action} {text}").trim().to_owned())
        .collect();
    assert_eq!(
        actions,
        [
            "tag mrf_tag:sandbox",
            "untag mrf_tag:sandbox",
            "suspend",
            "unsuspend"
        ]
    );
}

#[tokio::test]
async fn reported_statuses_are_marked_sensitive_or_deleted_and_the_report_resolved() {
    let app = local().await;
    let moderator = with_role(&app, "mod", Role::Moderator).await;
    let reporter = app.register("reporter").await;
    let target = app.register("target").await;
    let first = app.post_status(&target, "first", "public").await;
    let second = app.post_status(&target, "second", "public").await;
    let kept = app.post_status(&target, "kept", "public").await;
    let file = |status: &Value| {
        let id = status["id"].as_str().unwrap().to_owned();
        let reporter = reporter.clone();
        let target = target.id.clone();
        let app = &app;
        async move {
            app.post("/api/v1/reports")
                .auth(&reporter)
                .form(&[
                    ("account_id", target.as_str()),
                    ("status_ids[]", id.as_str()),
                ])
                .ok()
                .await["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let sensitive_report = file(&first).await;
    let delete_report = file(&second).await;
    let write = token(&app, &moderator, "admin:write:reports").await;
    let read = token(&app, &moderator, "admin:read:reports").await;
    app.post(&format!(
        "/api/v1/admin/rhizome/reports/{sensitive_report}/mark_statuses_sensitive"
    ))
    .token(&read)
    .send()
    .await
    .expect(403);
    let resolved = app
        .post(&format!(
            "/api/v1/admin/rhizome/reports/{sensitive_report}/mark_statuses_sensitive"
        ))
        .token(&write)
        .form(&[("note", "content warning needed")])
        .ok()
        .await;
    assert_eq!(resolved["action_taken"], true);
    let status_path = |s: &Value| format!("/api/v1/statuses/{}", s["id"].as_str().unwrap());
    assert_eq!(
        app.get(&status_path(&first)).auth(&reporter).ok().await["sensitive"],
        true
    );
    assert_eq!(
        app.get(&status_path(&kept)).auth(&reporter).ok().await["sensitive"],
        false
    );
    app.post(&format!(
        "/api/v1/admin/rhizome/reports/{delete_report}/delete_statuses"
    ))
    .token(&write)
    .ok()
    .await;
    app.get(&status_path(&second))
        .auth(&reporter)
        .send()
        .await
        .expect(404);
    app.get(&status_path(&kept)).auth(&reporter).ok().await;
    let first_id = Id(first["id"].as_str().unwrap().parse().unwrap());
    let second_id = Id(second["id"].as_str().unwrap().parse().unwrap());
    assert_eq!(
        log_actions(&app, "status", first_id).await[0].0,
        "sensitive"
    );
    assert_eq!(log_actions(&app, "status", second_id).await[0].0, "delete");
    assert_eq!(
        log_actions(&app, "report", Id(sensitive_report.parse().unwrap())).await,
        [("resolve".to_owned(), "content warning needed".to_owned())]
    );
}

#[tokio::test]
async fn pleroma_admin_lists_reports_by_state_and_page() {
    let app = local().await;
    let moderator = with_role(&app, "mod", Role::Moderator).await;
    let reporter = app.register("reporter").await;
    let target = app.register("target").await;
    let post = app.post_status(&target, "reported", "public").await;
    let mut ids = Vec::new();
    for comment in ["one", "two", "three"] {
        let report = app
            .post("/api/v1/reports")
            .auth(&reporter)
            .json(json!({
                "account_id": target.id,
                "status_ids": [post["id"]],
                "comment": comment,
            }))
            .ok()
            .await;
        ids.push(report["id"].as_str().unwrap().to_owned());
    }
    let write = token(&app, &moderator, "admin:write:reports").await;
    app.post(&format!("/api/v1/admin/reports/{}/resolve", ids[0]))
        .token(&write)
        .ok()
        .await;
    let read = token(&app, &moderator, "admin:read:reports").await;
    let user_token = token(&app, &reporter, "admin:read:reports").await;
    app.get("/api/v1/pleroma/admin/reports")
        .token(&user_token)
        .send()
        .await
        .expect(403);
    let open = app
        .get("/api/v1/pleroma/admin/reports?state=open&page_size=1")
        .token(&read)
        .ok()
        .await;
    assert_eq!(open["total"], 2);
    assert_eq!(open["reports"].as_array().map(Vec::len), Some(1));
    let newest = &open["reports"][0];
    assert_eq!(newest["id"], ids[2].as_str());
    assert_eq!(newest["state"], "open");
    assert_eq!(newest["content"], "three");
    assert_eq!(newest["account"]["nickname"], target.username.as_str());
    assert_eq!(newest["actor"]["nickname"], reporter.username.as_str());
    assert_eq!(newest["statuses"][0]["id"], post["id"]);
    let page_two = app
        .get("/api/v1/pleroma/admin/reports?state=open&page_size=1&page=2")
        .token(&read)
        .ok()
        .await;
    assert_eq!(page_two["reports"][0]["id"], ids[1].as_str());
    let closed = app
        .get("/api/v1/pleroma/admin/reports?state=closed")
        .token(&read)
        .ok()
        .await;
    assert_eq!(closed["total"], 1);
    assert_eq!(closed["reports"][0]["state"], "resolved");
    let all = app
        .get("/api/v1/pleroma/admin/reports")
        .token(&read)
        .ok()
        .await;
    assert_eq!(all["total"], 3);
}

#[tokio::test]
async fn pleroma_admin_changes_report_states_adds_notes_and_reads_the_log() {
    let app = local().await;
    let moderator = with_role(&app, "mod", Role::Moderator).await;
    let reporter = app.register("reporter").await;
    let target = app.register("target").await;
    let mut ids = Vec::new();
    for comment in ["one", "two"] {
        let report = app
            .post("/api/v1/reports")
            .auth(&reporter)
            .json(json!({ "account_id": target.id, "comment": comment }))
            .ok()
            .await;
        ids.push(report["id"].as_str().unwrap().to_owned());
    }
    let write = token(&app, &moderator, "admin:write:reports").await;
    let read = token(&app, &moderator, "admin:read:reports admin:read").await;

    // Notes: a form or JSON, empty ones refused; the report lists them oldest first.
    let note = |body: Value| {
        app.post(&format!("/api/v1/pleroma/admin/reports/{}/notes", ids[0]))
            .token(&write)
            .json(body)
    };
    note(json!({ "content": "Looking into it" }))
        .send()
        .await
        .expect(204);
    note(json!({ "content": "Spoke to them" }))
        .send()
        .await
        .expect(204);
    note(json!({ "content": "  " })).send().await.expect(422);
    let report = app
        .get(&format!("/api/v1/pleroma/admin/reports/{}", ids[0]))
        .token(&read)
        .ok()
        .await;
    assert_eq!(report["content"], "one");
    let notes: Vec<&str> = report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["content"].as_str().unwrap())
        .collect();
    assert_eq!(notes, ["Looking into it", "Spoke to them"]);
    assert_eq!(
        report["notes"][0]["user"]["nickname"],
        moderator.username.as_str()
    );

    // Deleting a note: by its author (another moderator may not); the log keeps both lines.
    let other = with_role(&app, "othermod", Role::Moderator).await;
    let other_write = token(&app, &other, "admin:write:reports").await;
    let first_note = report["notes"][0]["id"].as_str().unwrap().to_owned();
    let delete_path = format!(
        "/api/v1/pleroma/admin/reports/{}/notes/{first_note}",
        ids[0]
    );
    app.delete(&delete_path)
        .token(&other_write)
        .send()
        .await
        .expect(403);
    app.delete(&delete_path)
        .token(&read)
        .send()
        .await
        .expect(403);
    app.delete(&delete_path)
        .token(&write)
        .send()
        .await
        .expect(204);
    app.delete(&delete_path)
        .token(&write)
        .send()
        .await
        .expect(404);
    let report = app
        .get(&format!("/api/v1/pleroma/admin/reports/{}", ids[0]))
        .token(&read)
        .ok()
        .await;
    assert_eq!(report["notes"].as_array().unwrap().len(), 1, "{report}");
    assert_eq!(report["notes"][0]["content"], "Spoke to them");
    let actions: Vec<String> = log_actions(&app, "report", Id(ids[0].parse().unwrap()))
        .await
        .into_iter()
        .map(|(action, _)| action)
        .collect();
    assert!(actions.contains(&"note_delete".to_owned()), "{actions:?}");
    assert!(actions.contains(&"note".to_owned()), "{actions:?}");

    // States: resolved and closed resolve, open reopens; bad entries are listed, others applied.
    app.patch("/api/v1/pleroma/admin/reports")
        .token(&write)
        .json(json!({ "reports": [
            { "id": ids[0], "state": "resolved" },
            { "id": ids[1], "state": "closed" },
        ] }))
        .send()
        .await
        .expect(204);
    let resolved = app
        .get("/api/v1/pleroma/admin/reports?state=resolved")
        .token(&read)
        .ok()
        .await;
    assert_eq!(resolved["total"], 2);
    let mixed = app
        .patch("/api/v1/pleroma/admin/reports")
        .token(&write)
        .json(json!({ "reports": [
            { "id": ids[1], "state": "open" },
            { "id": ids[0], "state": "pending" },
            { "id": "999", "state": "open" },
        ] }))
        .send()
        .await
        .expect(400);
    let errors = mixed.json();
    let errors: Vec<&str> = errors
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(errors, [ids[0].as_str(), "999"]);
    let open = app
        .get("/api/v1/pleroma/admin/reports?state=open")
        .token(&read)
        .ok()
        .await;
    assert_eq!(open["reports"][0]["id"], ids[1].as_str());

    // Without the write scope, or as a user, nothing changes.
    app.patch("/api/v1/pleroma/admin/reports")
        .token(&read)
        .json(json!({ "reports": [{ "id": ids[1], "state": "resolved" }] }))
        .send()
        .await
        .expect(403);
    let user_token = token(&app, &reporter, "admin:write:reports").await;
    app.post(&format!("/api/v1/pleroma/admin/reports/{}/notes", ids[0]))
        .token(&user_token)
        .json(json!({ "content": "x" }))
        .send()
        .await
        .expect(403);

    // The log, newest first, in Pleroma's shape.
    let log = app
        .get("/api/v1/pleroma/admin/moderation_log?page_size=2")
        .token(&read)
        .ok()
        .await;
    assert_eq!(log["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(log["items"][0]["data"]["action"], "reopen");
    assert_eq!(
        log["items"][0]["data"]["actor"]["nickname"],
        moderator.username.as_str()
    );
    assert!(
        log["items"][0]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("@{} reopen report", moderator.username))
    );
    let second_page = app
        .get("/api/v1/pleroma/admin/moderation_log?page_size=2&page=2")
        .token(&read)
        .ok()
        .await;
    assert_eq!(second_page["items"][0]["data"]["action"], "resolve");
}

/// Every action on an account leaves a warning; a local user is told by a
/// `moderation_warning` notification that names the action, the moderator's words and the
/// reported statuses, but not the moderator. `send_email_notification=false` keeps it quiet.
#[tokio::test]
async fn moderators_actions_reach_the_account_as_moderation_warnings() {
    let app = local().await;
    let moderator = with_role(&app, "mod", Role::Moderator).await;
    let reporter = app.register("reporter").await;
    let target = app.register("target").await;
    let post = app.post_status(&target, "borderline", "public").await;
    let write = token(&app, &moderator, "admin:write").await;
    let warnings = || async {
        app.get("/api/v1/notifications?types[]=moderation_warning")
            .auth(&target)
            .ok()
            .await
    };
    assert_eq!(warnings().await, json!([]));

    // A plain warning, told.
    app.post(&format!("/api/v1/admin/accounts/{}/action", target.id))
        .token(&write)
        .form(&[("type", "none"), ("text", "Please add content warnings.")])
        .ok()
        .await;
    let told = warnings().await;
    assert_eq!(told.as_array().unwrap().len(), 1, "{told}");
    let notification = &told[0];
    assert_eq!(notification["type"], "moderation_warning");
    assert_eq!(notification["account"]["id"], target.id.as_str());
    let warning = &notification["moderation_warning"];
    assert_eq!(warning["action"], "none");
    assert_eq!(warning["text"], "Please add content warnings.");
    assert_eq!(warning["status_ids"], json!([]));
    assert_eq!(warning["target_account"]["id"], target.id.as_str());
    assert_eq!(warning["appeal"], Value::Null);
    assert!(
        !notification.to_string().contains(&moderator.id),
        "{notification}"
    );

    // Silenced without telling: a warning is kept, no notification.
    app.post(&format!("/api/v1/admin/accounts/{}/action", target.id))
        .token(&write)
        .form(&[("type", "silence"), ("send_email_notification", "false")])
        .ok()
        .await;
    assert_eq!(warnings().await.as_array().unwrap().len(), 1);
    let target_id = Id(target.id.parse().unwrap());
    let kept = app.core.account_warnings(target_id).await.unwrap();
    assert_eq!(
        kept.iter().map(|w| w.action.as_str()).collect::<Vec<_>>(),
        ["silence", "none"]
    );

    // Acting on a report's statuses names them.
    let report = app
        .post("/api/v1/reports")
        .auth(&reporter)
        .form(&[
            ("account_id", target.id.as_str()),
            ("status_ids[]", post["id"].as_str().unwrap()),
        ])
        .ok()
        .await;
    app.post(&format!(
        "/api/v1/admin/rhizome/reports/{}/mark_statuses_sensitive",
        report["id"].as_str().unwrap()
    ))
    .token(&write)
    .form(&[("note", "marked")])
    .ok()
    .await;
    let told = warnings().await;
    assert_eq!(told.as_array().unwrap().len(), 2, "{told}");
    let warning = &told[0]["moderation_warning"];
    assert_eq!(warning["action"], "mark_statuses_as_sensitive");
    assert_eq!(warning["status_ids"], json!([post["id"]]));
    // The grouped notifications carry it too.
    let grouped = app
        .get("/api/v2/notifications?types[]=moderation_warning")
        .auth(&target)
        .ok()
        .await;
    assert_eq!(
        grouped["notification_groups"][0]["moderation_warning"]["action"],
        "mark_statuses_as_sensitive"
    );
    // Nobody else sees them.
    assert_eq!(
        app.get("/api/v1/notifications?types[]=moderation_warning")
            .auth(&reporter)
            .ok()
            .await,
        json!([])
    );
}
