//! The admin area under `/admin`: who may see it, and that each of its forms does what the
//! Mastodon admin API would — seen through the client API, NodeInfo and the pages.

mod support;

use rhizome_model::{Id, Role, Scopes};
use serde_json::{Value, json};
use support::api::{Local, PASSWORD, User, local, local_with, text_of};
use support::web::{Browser, Page};

/// A user with `role`, as the admin CLI makes them.
async fn with_role(app: &Local, prefix: &str, role: Role) -> User {
    let user = app.register(prefix).await;
    app.core.set_role(&user.username, role).await.unwrap();
    user
}

fn id_of(user: &User) -> Id {
    Id(user.id.parse().unwrap())
}

/// A browser signed in as `user`.
fn browser<'a>(app: &'a Local, user: &User) -> Browser<'a> {
    let browser = Browser::new(&app.api);
    browser.use_token(&user.token);
    browser
}

/// An admin-API token of `user` (the test app registers without admin scopes).
async fn admin_token(app: &Local, user: &User) -> String {
    app.core
        .issue_token(
            Some(id_of(user)),
            None,
            Scopes::parse("admin:read admin:write").unwrap(),
            false,
        )
        .await
        .unwrap()
        .access_token
}

/// `Admin::Account` of `user`, read with `token`.
async fn admin_account(app: &Local, token: &str, user: &User) -> Value {
    app.get(&format!("/api/v1/admin/accounts/{}", user.id))
        .token(token)
        .ok()
        .await
}

/// An action answered with `303 See Other` to `to`; the page it leads to.
#[track_caller]
fn assert_redirect(page: &Page, to: &str) {
    assert_eq!(page.status(), 303, "{}: {}", page.reply.what, page.html);
    assert_eq!(page.location(), to);
}

#[tokio::test]
async fn the_admin_area_is_for_staff_and_settings_and_roles_for_admins() {
    let app = local().await;
    let admin = with_role(&app, "admin", Role::Admin).await;
    let moderator = with_role(&app, "mod", Role::Moderator).await;
    let plain = app.register("plain").await;
    let pages = [
        "/admin".to_owned(),
        "/admin/users".to_owned(),
        format!("/admin/users/{}", plain.id),
        "/admin/reports".to_owned(),
        "/admin/reports/1".to_owned(),
        "/admin/domain_blocks".to_owned(),
        "/admin/settings".to_owned(),
        "/admin/federation".to_owned(),
        "/admin/log".to_owned(),
    ];

    // Anonymous visitors are sent to sign in, and come back.
    let anonymous = Browser::new(&app.api);
    for path in &pages {
        let page = anonymous.get(path).await;
        assert_eq!(page.status(), 303, "{path}");
        assert_eq!(
            page.location(),
            format!("/auth/sign_in?next={}", support::api::enc(path)),
        );
    }

    // Other users get 403 everywhere, forms included.
    let user = browser(&app, &plain);
    for path in &pages {
        assert_eq!(user.get(path).await.status(), 403, "{path}");
    }
    let token = user
        .get(&format!("/@{}", plain.username))
        .await
        .csrf_token();
    let refused = user
        .post(
            &format!("/admin/users/{}/action", moderator.id),
            &[("csrf_token", &token), ("type", "suspend")],
        )
        .await;
    assert_eq!(refused.status(), 403);
    let admin_api = admin_token(&app, &admin).await;
    assert_eq!(
        admin_account(&app, &admin_api, &moderator).await["suspended"],
        false
    );

    // Moderators see every page but the settings; the dashboard does not link to them.
    let mod_browser = browser(&app, &moderator);
    for path in &pages {
        let page = mod_browser.get(path).await;
        let expected = match path.as_str() {
            "/admin/settings" => 403,
            "/admin/reports/1" => 404,
            _ => 200,
        };
        assert_eq!(page.status(), expected, "{path}: {}", page.html);
    }
    let dashboard = mod_browser.get("/admin").await;
    dashboard.assert_contains("href=\"/admin/users\"");
    assert!(!dashboard.html.contains("href=\"/admin/settings\""));
    // A moderator's forged settings form is refused.
    let token = dashboard.csrf_token();
    let refused = mod_browser
        .post(
            "/admin/settings",
            &[("csrf_token", &token), ("name", "Taken over")],
        )
        .await;
    assert_eq!(refused.status(), 403);
    let instance = app.get("/api/v2/instance").ok().await;
    assert_ne!(instance["title"], "Taken over");

    // Admins see all of it.
    let admin_browser = browser(&app, &admin);
    let dashboard = admin_browser.get("/admin").await;
    assert_eq!(dashboard.status(), 200);
    dashboard.assert_contains("href=\"/admin/settings\"");
    assert_eq!(admin_browser.get("/admin/settings").await.status(), 200);
}

#[tokio::test]
async fn roles_change_from_the_user_page_by_admins_only() {
    let app = local().await;
    let admin = with_role(&app, "admin", Role::Admin).await;
    let moderator = with_role(&app, "mod", Role::Moderator).await;
    let ada = app.register("ada").await;
    let role_of = async |user: &User| {
        app.get("/api/v1/accounts/verify_credentials")
            .auth(user)
            .ok()
            .await["role"]["name"]
            .clone()
    };

    // Moderators have no role form, and a forged one is refused.
    let mod_browser = browser(&app, &moderator);
    let page = mod_browser.get(&format!("/admin/users/{}", ada.id)).await;
    assert!(!page.html.contains("/role\""), "{}", page.html);
    let refused = mod_browser
        .post(
            &format!("/admin/users/{}/role", ada.id),
            &[("csrf_token", &page.csrf_token()), ("role", "admin")],
        )
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(role_of(&ada).await, "");

    // An admin makes ada a moderator: she may open the admin area.
    let admin_browser = browser(&app, &admin);
    let path = format!("/admin/users/{}", ada.id);
    let done = admin_browser
        .submit(
            &path,
            &format!("/admin/users/{}/role", ada.id),
            &[("role", "moderator")],
        )
        .await;
    assert_redirect(&done, &path);
    assert_eq!(role_of(&ada).await, "Moderator");
    assert_eq!(browser(&app, &ada).get("/admin").await.status(), 200);
    let page = admin_browser.follow(done).await;
    page.assert_contains("The role is changed.");
    page.assert_contains("Changed the role");

    // Nobody changes their own role here.
    let own = admin_browser
        .post(
            &format!("/admin/users/{}/role", admin.id),
            &[("csrf_token", &page.csrf_token()), ("role", "user")],
        )
        .await;
    assert_eq!(own.status(), 403);
    assert_eq!(role_of(&admin).await, "Admin");
    // Unknown roles are refused with a message.
    let odd = admin_browser
        .post(
            &format!("/admin/users/{}/role", ada.id),
            &[("csrf_token", &page.csrf_token()), ("role", "owner")],
        )
        .await;
    assert_eq!(odd.status(), 422);
    assert_eq!(role_of(&ada).await, "Moderator");
}

#[tokio::test]
async fn a_pending_registration_is_approved_or_rejected_from_the_user_page() {
    let app = local().await;
    let admin = with_role(&app, "admin", Role::Admin).await;
    let moderator = with_role(&app, "mod", Role::Moderator).await;
    let admin_browser = browser(&app, &admin);

    // Registrations need approval: set on the settings page, seen by the API.
    let saved = admin_browser
        .submit(
            "/admin/settings",
            "/admin/settings",
            &[("registrations", "approval")],
        )
        .await;
    assert_redirect(&saved, "/admin/settings");
    let instance = app.get("/api/v2/instance").ok().await;
    assert_eq!(instance["registrations"]["approval_required"], true);

    let app_token = app.app().await.token.clone();
    let apply = async |username: &str| {
        let issued = app
            .post("/api/v1/accounts")
            .token(&app_token)
            .json(json!({
                "username": username,
                "email": format!("{username}@example.org"),
                "password": PASSWORD,
                "agreement": true,
                "locale": "en",
                "reason": "I garden <b>a lot</b>",
            }))
            .ok()
            .await;
        text_of(&issued, "access_token")
    };
    let carol_token = apply("carol").await;
    let dave_token = apply("dave").await;
    let me = "/api/v1/accounts/verify_credentials";
    app.get(me).token(&carol_token).send().await.expect(403);

    // Moderators see who waits, with their reason (escaped).
    let mod_browser = browser(&app, &moderator);
    let list = mod_browser.get("/admin/users?status=pending").await;
    list.assert_contains("@carol");
    list.assert_contains("@dave");
    assert!(!list.html.contains(&format!("@{}<", admin.username)));
    let carol_id = app.core.local_account_named("carol").await.unwrap().id;
    let dave_id = app.core.local_account_named("dave").await.unwrap().id;
    let carol_page = format!("/admin/users/{carol_id}");
    let page = mod_browser.get(&carol_page).await;
    page.assert_contains("I garden &#60;b&#62;a lot&#60;/b&#62;");
    page.assert_contains("Awaiting approval");

    // Approving lets carol in.
    let approved = mod_browser
        .submit(
            &carol_page,
            &format!("/admin/users/{carol_id}/approve"),
            &[],
        )
        .await;
    assert_redirect(&approved, &carol_page);
    let carol = app.get(me).token(&carol_token).ok().await;
    assert_eq!(carol["username"], "carol");
    let page = mod_browser.follow(approved).await;
    page.assert_contains("The registration is approved.");
    assert!(!page.html.contains("Awaiting approval"), "{}", page.html);

    // Rejecting deletes dave's sign-up.
    let rejected = mod_browser
        .submit(
            &format!("/admin/users/{dave_id}"),
            &format!("/admin/users/{dave_id}/reject"),
            &[],
        )
        .await;
    assert_redirect(&rejected, "/admin/users?status=pending");
    app.get(me).token(&dave_token).send().await.expect(401);
    assert_eq!(
        mod_browser
            .get(&format!("/admin/users/{dave_id}"))
            .await
            .status(),
        404
    );
    let log = mod_browser.get("/admin/log").await;
    log.assert_contains("Approved");
    log.assert_contains("Rejected");
    log.assert_contains(&format!("@{}", moderator.username));
}

#[tokio::test]
async fn moderators_warn_limit_and_suspend_from_the_user_page() {
    let app = local().await;
    let admin = with_role(&app, "admin", Role::Admin).await;
    let moderator = with_role(&app, "mod", Role::Moderator).await;
    let target = app.register("target").await;
    let api = admin_token(&app, &admin).await;
    let mod_browser = browser(&app, &moderator);
    let page = format!("/admin/users/{}", target.id);
    let action = format!("/admin/users/{}/action", target.id);

    // Without the form token nothing happens.
    let forged = mod_browser
        .post(&action, &[("type", "suspend"), ("text", "no token")])
        .await;
    assert_eq!(forged.status(), 403);
    assert_eq!(admin_account(&app, &api, &target).await["suspended"], false);

    // A warning: a line in the log, and a notification the target reads with its text.
    let warned = mod_browser
        .submit(
            &page,
            &action,
            &[
                ("type", "none"),
                ("text", "Mind the <rules>"),
                ("notify", "true"),
            ],
        )
        .await;
    assert_redirect(&warned, &page);
    let log = mod_browser.get("/admin/log").await;
    log.assert_contains("Warned");
    log.assert_contains("Mind the &#60;rules&#62;");
    let told = browser(&app, &target).get("/notifications").await;
    told.assert_contains("A moderator sent you a warning");
    told.assert_contains("Mind the &#60;rules&#62;");

    // Limit without telling (the box unticked), then lift it.
    mod_browser
        .submit(&page, &action, &[("type", "silence")])
        .await;
    let told = browser(&app, &target).get("/notifications").await;
    assert!(!told.html.contains("limited your account"));
    // The page lists the addresses the user signed up and in from (recorded by a server
    // that sees its clients' addresses: in process there are none, so one is written here).
    app.core
        .store
        .record_user_ip(id_of(&target), "192.0.2.44", rhizome_model::Timestamp(1))
        .await
        .unwrap();
    mod_browser
        .get(&page)
        .await
        .assert_contains("<code>192.0.2.44</code>");
    assert_eq!(admin_account(&app, &api, &target).await["silenced"], true);
    mod_browser.get(&page).await.assert_contains("Limited");
    let lifted = mod_browser
        .submit(&page, &format!("/admin/users/{}/unsilence", target.id), &[])
        .await;
    assert_redirect(&lifted, &page);
    assert_eq!(admin_account(&app, &api, &target).await["silenced"], false);

    // Suspend: the API shows it and the target's sessions end.
    let suspended = mod_browser
        .submit(&page, &action, &[("type", "suspend"), ("text", "spam")])
        .await;
    assert_redirect(&suspended, &page);
    let shown = admin_account(&app, &api, &target).await;
    assert_eq!(shown["suspended"], true);
    app.get("/api/v1/accounts/verify_credentials")
        .auth(&target)
        .send()
        .await
        .expect(401);
    let list = mod_browser.get("/admin/users?status=suspended").await;
    list.assert_contains(&format!("@{}", target.username));
    let unsuspended = mod_browser
        .submit(&page, &format!("/admin/users/{}/unsuspend", target.id), &[])
        .await;
    assert_redirect(&unsuspended, &page);
    assert_eq!(admin_account(&app, &api, &target).await["suspended"], false);

    // Moderators do not act on admins; the page says so and forged forms are refused.
    let admin_page = mod_browser.get(&format!("/admin/users/{}", admin.id)).await;
    assert!(
        !admin_page.html.contains("/action\""),
        "{}",
        admin_page.html
    );
    let refused = mod_browser
        .post(
            &format!("/admin/users/{}/action", admin.id),
            &[
                ("csrf_token", &admin_page.csrf_token()),
                ("type", "suspend"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(admin_account(&app, &api, &admin).await["suspended"], false);

    // The user list filters and searches.
    let search = mod_browser
        .submit(
            "/admin/users?origin=local",
            "/admin/users/search",
            &[("q", &target.username)],
        )
        .await;
    assert_redirect(
        &search,
        &format!("/admin/users?origin=local&q={}", target.username),
    );
    let found = mod_browser.follow(search).await;
    found.assert_contains(&format!("href=\"/admin/users/{}\"", target.id));
    assert!(
        !found
            .html
            .contains(&format!("href=\"/admin/users/{}\"", admin.id))
    );
    let staff = mod_browser.get("/admin/users?staff=1").await;
    staff.assert_contains(&format!("href=\"/admin/users/{}\"", admin.id));
    assert!(
        !staff
            .html
            .contains(&format!("href=\"/admin/users/{}\"", target.id))
    );
}

#[tokio::test]
async fn reports_are_listed_noted_and_resolved_with_an_action() {
    let app = local().await;
    let admin = with_role(&app, "admin", Role::Admin).await;
    let moderator = with_role(&app, "mod", Role::Moderator).await;
    app.core
        .change_setting("instance.rules", json!(["Be kind", "No spam"]))
        .await
        .unwrap();
    let reporter = app.register("reporter").await;
    let target = app.register("target").await;
    let post = app
        .post_status(&target, "Buy cheap <b>pills</b>", "public")
        .await;
    let post_id = text_of(&post, "id");
    let report = app
        .post("/api/v1/reports")
        .auth(&reporter)
        .json(json!({
            "account_id": target.id,
            "status_ids": [post_id],
            "comment": "spam again",
            "category": "spam",
            "rule_ids": ["2"],
        }))
        .ok()
        .await;
    let report_id = text_of(&report, "id");
    let page = format!("/admin/reports/{report_id}");

    let mod_browser = browser(&app, &moderator);
    let list = mod_browser.get("/admin/reports").await;
    list.assert_contains(&format!("href=\"{page}\""));
    list.assert_contains("spam again");
    let shown = mod_browser.get(&page).await;
    shown.assert_contains("No spam");
    shown.assert_contains("Spam");
    // The reported post, shown as every post is, escaped.
    shown.assert_contains(&format!("id=\"status-{post_id}\""));
    assert!(!shown.html.contains("<b>pills</b>"), "{}", shown.html);

    // Assign, note, resolve by deleting the post.
    let assigned = mod_browser
        .submit(&page, &format!("{page}/assign"), &[])
        .await;
    assert_redirect(&assigned, &page);
    let shown = mod_browser.follow(assigned).await;
    shown.assert_contains(&format!("action=\"{page}/unassign\""));
    let noted = mod_browser
        .submit(
            &page,
            &format!("{page}/note"),
            &[("note", "Looked at their other posts")],
        )
        .await;
    assert_redirect(&noted, &page);
    // An empty note is refused with a message.
    let empty = mod_browser
        .submit(&page, &format!("{page}/note"), &[("note", "  ")])
        .await;
    assert_eq!(empty.status(), 422);
    let resolved = mod_browser
        .submit(
            &page,
            &format!("{page}/resolve"),
            &[("action", "delete"), ("note", "Spam removed")],
        )
        .await;
    assert_redirect(&resolved, &page);
    app.get(&format!("/api/v1/statuses/{post_id}"))
        .send()
        .await
        .expect(404);
    let api = admin_token(&app, &admin).await;
    let entity = app
        .get(&format!("/api/v1/admin/reports/{report_id}"))
        .token(&api)
        .ok()
        .await;
    assert_eq!(entity["action_taken"], true);
    assert_eq!(
        entity["action_taken_by_account"]["id"],
        moderator.id.as_str()
    );
    assert!(
        !mod_browser
            .get("/admin/reports")
            .await
            .html
            .contains(&format!("href=\"{page}\""))
    );
    mod_browser
        .get("/admin/reports?status=resolved")
        .await
        .assert_contains(&format!("href=\"{page}\""));

    // Reopen, then resolve by limiting the account.
    mod_browser
        .submit(&page, &format!("{page}/reopen"), &[("note", "Back again")])
        .await;
    let silenced = mod_browser
        .submit(
            &page,
            &format!("{page}/resolve"),
            &[("action", "silence"), ("note", "Limited for now")],
        )
        .await;
    assert_redirect(&silenced, &page);
    assert_eq!(admin_account(&app, &api, &target).await["silenced"], true);

    // The report's history and the moderation log tell the story.
    let shown = mod_browser.get(&page).await;
    for text in [
        "Looked at their other posts",
        "Spam removed",
        "Back again",
        "Limited for now",
        "Noted",
        "Reopened",
    ] {
        shown.assert_contains(text);
    }
    let log = mod_browser.get("/admin/log").await;
    for text in [
        "Assigned", "Noted", "Deleted", "Resolved", "Reopened", "Limited",
    ] {
        log.assert_contains(text);
    }
    log.assert_contains(&format!("href=\"/admin/users/{}\"", target.id));
    // The same log through the API.
    let entries = app
        .get("/api/v1/admin/rhizome/moderation_log")
        .token(&api)
        .ok()
        .await;
    let actions: Vec<&str> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "resolve", "silence", "reopen", "resolve", "delete", "note", "assign"
        ]
    );
    assert_eq!(entries[5]["text"], "Looked at their other posts");
    assert_eq!(entries[5]["account_id"], moderator.id.as_str());
    app.get("/api/v1/admin/rhizome/moderation_log")
        .auth(&reporter)
        .send()
        .await
        .expect(403);
}

#[tokio::test]
async fn domain_blocks_reach_the_api_and_nodeinfo_and_are_removed() {
    let app = local().await;
    let admin = with_role(&app, "admin", Role::Admin).await;
    let moderator = with_role(&app, "mod", Role::Moderator).await;
    let api = admin_token(&app, &admin).await;
    let mod_browser = browser(&app, &moderator);
    let blocks = async || {
        app.get("/api/v1/admin/domain_blocks")
            .token(&api)
            .ok()
            .await
    };
    let simple = async || {
        let nodeinfo = app.get("/nodeinfo/2.1").ok().await;
        nodeinfo["metadata"]["federation"]["mrf_simple"].clone()
    };

    // Without the form token nothing is blocked.
    let forged = mod_browser
        .post(
            "/admin/domain_blocks",
            &[("domain", "bad.example"), ("severity", "suspend")],
        )
        .await;
    assert_eq!(forged.status(), 403);
    assert_eq!(blocks().await, json!([]));

    let added = mod_browser
        .submit(
            "/admin/domain_blocks",
            "/admin/domain_blocks",
            &[
                ("domain", "Bad.Example"),
                ("severity", "suspend"),
                ("public_comment", "Harassment"),
                ("private_comment", "see report 12"),
            ],
        )
        .await;
    assert_redirect(&added, "/admin/domain_blocks");
    let listed = blocks().await;
    assert_eq!(listed[0]["domain"], "bad.example");
    assert_eq!(listed[0]["severity"], "suspend");
    assert_eq!(listed[0]["public_comment"], "Harassment");
    assert_eq!(listed[0]["private_comment"], "see report 12");
    assert_eq!(listed[0]["reject_media"], false);
    assert_eq!(simple().await["reject"], json!(["bad.example"]));
    let id = text_of(&listed[0], "id");
    let page = mod_browser.follow(added).await;
    page.assert_contains("The domain is blocked.");
    page.assert_contains("Harassment");

    // Blocking it again is refused on the form, with a message.
    let again = mod_browser
        .submit(
            "/admin/domain_blocks",
            "/admin/domain_blocks",
            &[("domain", "bad.example"), ("severity", "silence")],
        )
        .await;
    assert_eq!(again.status(), 422);
    again.assert_contains("bad.example is blocked already");

    // Changed to a limit that also drops media.
    let edit = format!("/admin/domain_blocks/{id}");
    let changed = mod_browser
        .submit(
            &edit,
            &edit,
            &[
                ("severity", "silence"),
                ("reject_media", "1"),
                ("public_comment", "Harassment"),
            ],
        )
        .await;
    assert_redirect(&changed, "/admin/domain_blocks");
    let listed = blocks().await;
    assert_eq!(listed[0]["severity"], "silence");
    assert_eq!(listed[0]["reject_media"], true);
    let lists = simple().await;
    assert_eq!(lists["reject"], json!([]));
    assert_eq!(lists["federated_timeline_removal"], json!(["bad.example"]));
    assert_eq!(lists["media_removal"], json!(["bad.example"]));

    // Removed.
    let removed = mod_browser
        .submit(
            "/admin/domain_blocks",
            &format!("/admin/domain_blocks/{id}/delete"),
            &[],
        )
        .await;
    assert_redirect(&removed, "/admin/domain_blocks");
    assert_eq!(blocks().await, json!([]));
    assert_eq!(simple().await["federated_timeline_removal"], json!([]));

    // Allows are listed and removed the same way.
    mod_browser
        .submit(
            "/admin/domain_blocks",
            "/admin/domain_allows",
            &[("domain", "friends.example")],
        )
        .await;
    let allows = app
        .get("/api/v1/admin/domain_allows")
        .token(&api)
        .ok()
        .await;
    assert_eq!(allows[0]["domain"], "friends.example");
    let allow_id = text_of(&allows[0], "id");
    mod_browser
        .submit(
            "/admin/domain_blocks",
            &format!("/admin/domain_allows/{allow_id}/delete"),
            &[],
        )
        .await;
    let allows = app
        .get("/api/v1/admin/domain_allows")
        .token(&api)
        .ok()
        .await;
    assert_eq!(allows, json!([]));
    let log = mod_browser.get("/admin/log").await;
    log.assert_contains("domain block");
    log.assert_contains("friends.example");
}

#[tokio::test]
async fn settings_change_the_instance_and_pinned_ones_stay() {
    // The contact address is pinned by the environment.
    let app = local_with(&[("RHIZOME_INSTANCE_CONTACT_EMAIL", "pinned@example.org")]).await;
    let admin = with_role(&app, "admin", Role::Admin).await;
    let admin_browser = browser(&app, &admin);
    let page = admin_browser.get("/admin/settings").await;
    assert_eq!(page.status(), 200);
    page.assert_contains("value=\"pinned@example.org\" maxlength=\"320\" disabled");
    page.assert_contains("Set by the environment");

    // Without the form token nothing changes.
    let forged = admin_browser
        .post("/admin/settings", &[("name", "Forged")])
        .await;
    assert_eq!(forged.status(), 403);
    assert_ne!(app.get("/api/v2/instance").ok().await["title"], "Forged");

    let saved = admin_browser
        .submit(
            "/admin/settings",
            "/admin/settings",
            &[
                ("name", "Garden Club"),
                ("description", "Growing things together"),
                ("rules", "Be kind\n\n  No spam  \n"),
                ("registrations", "closed"),
                // A browser leaves a disabled field out; a forged one is ignored.
                ("contact_email", "taken@example.org"),
            ],
        )
        .await;
    assert_redirect(&saved, "/admin/settings");
    let instance = app.get("/api/v2/instance").ok().await;
    assert_eq!(instance["title"], "Garden Club");
    assert_eq!(instance["description"], "Growing things together");
    assert_eq!(instance["registrations"]["enabled"], false);
    assert_eq!(instance["contact"]["email"], "pinned@example.org");
    let rules: Vec<&str> = instance["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["Be kind", "No spam"]);
    let page = admin_browser.follow(saved).await;
    page.assert_contains("The settings are saved.");
    page.assert_contains("<option value=\"closed\" selected>");

    // An invalid mode is refused on the form, which keeps what was typed.
    let refused = admin_browser
        .submit(
            "/admin/settings",
            "/admin/settings",
            &[("name", "Typed"), ("registrations", "sometimes")],
        )
        .await;
    assert_eq!(refused.status(), 422);
    refused.assert_contains("value=\"Typed\"");
    let instance = app.get("/api/v2/instance").ok().await;
    assert_eq!(instance["title"], "Garden Club");
    assert_eq!(instance["registrations"]["enabled"], false);
}

#[tokio::test]
async fn federation_health_lists_failing_servers_with_their_queued_deliveries() {
    let app = local_with(&[
        ("RHIZOME_FEDERATION_ALLOW_HTTP", "true"),
        ("RHIZOME_FEDERATION_ALLOW_PRIVATE_ADDRESSES", "true"),
    ])
    .await;
    let admin = with_role(&app, "admin", Role::Admin).await;
    let alice = app.register("alice").await;
    // A remote account on a loopback port nothing listens on.
    let port = support::free_port();
    let host = format!("127.0.0.1:{port}");
    let mut dead = rhizome_testkit::fixtures::remote_account(9_001, "ghost", &host);
    dead.uri = format!("http://{host}/users/ghost");
    dead.inbox_url = Some(format!("http://{host}/users/ghost/inbox"));
    dead.shared_inbox_url = None;
    let dead = app.core.store.upsert_remote_account(&dead).await.unwrap();
    // Following it queues a delivery of the Follow to its inbox.
    app.post(&format!("/api/v1/accounts/{}/follow", dead.id))
        .auth(&alice)
        .ok()
        .await;
    // No job workers run in this process: the test runs the delivery itself, once, as a
    // worker would; it fails (nothing listens) and the job stays queued for its retry.
    let jobs = app
        .core
        .store
        .list_jobs(None, &rhizome_store::PageRequest::first(100))
        .await
        .unwrap()
        .items;
    let delivery = jobs
        .iter()
        .find(|job| job.kind == "deliver")
        .expect("a queued delivery");
    let job: rhizome_core::federation::deliver::DeliverJob =
        serde_json::from_str(&delivery.payload).unwrap();
    assert!(app.core.run_delivery(job).await.is_err());

    let admin_browser = browser(&app, &admin);
    let page = admin_browser.get("/admin/federation").await;
    assert_eq!(page.status(), 200);
    let row = page
        .html
        .split("<tr>")
        .find(|row| row.contains(&host))
        .unwrap_or_else(|| panic!("no row for {host}: {}", page.html));
    assert!(row.contains("Failing"), "{row}");
    let cells: Vec<&str> = row
        .split("<td>")
        .skip(1)
        .map(|cell| cell.split("</td>").next().unwrap().trim())
        .collect();
    // Failures in a row, then the deliveries waiting.
    assert_eq!(&cells[4..6], ["1", "1"], "{row}");
    assert_ne!(cells[3], "Never", "the last failure has a date: {row}");
    assert_eq!(cells[2], "Never", "nothing was delivered: {row}");
    let dashboard = admin_browser.get("/admin").await;
    dashboard.assert_contains("<strong>1</strong> server failing deliveries");
    dashboard.assert_contains("<strong>1</strong> delivery waiting");
}

#[tokio::test]
async fn the_admin_area_speaks_french() {
    let app = local().await;
    let admin = with_role(&app, "admin", Role::Admin).await;
    let admin_browser = browser(&app, &admin);
    admin_browser
        .get("/settings/language?lang=fr&next=/admin")
        .await;
    let page = admin_browser.get("/admin/users").await;
    assert_eq!(page.status(), 200);
    page.assert_contains("<html lang=\"fr\">");
    page.assert_contains("Tableau de bord");
    page.assert_contains("Journal de modération");
    page.assert_contains("Chercher par nom ou adresse e-mail");
    let settings = admin_browser.get("/admin/settings").await;
    settings.assert_contains("Sur approbation");
}

#[tokio::test]
async fn admins_keep_the_public_timelines_for_signed_in_users() {
    let app = local().await;
    let admin = with_role(&app, "admin", Role::Admin).await;
    let alice = app.register("alice").await;
    app.post_status(&alice, "Seen by everyone #garden", "public")
        .await;
    let visitor = Browser::new(&app.api);
    assert_eq!(visitor.get("/explore").await.status(), 200);
    app.get("/api/v1/timelines/public").ok().await;

    let admin_browser = browser(&app, &admin);
    let page = admin_browser.get("/admin/settings").await;
    page.assert_contains("name=\"public_timelines\" value=\"on\" checked");
    // The box unticked: a browser sends no value for it.
    let saved = admin_browser
        .submit("/admin/settings", "/admin/settings", &[])
        .await;
    assert_redirect(&saved, "/admin/settings");

    // Visitors are sent to sign in, through the web and the API alike.
    let explore = visitor.get("/explore").await;
    assert_eq!(explore.location(), "/auth/sign_in?next=%2Fexplore");
    let tag = visitor.get("/tags/garden").await;
    assert_eq!(tag.location(), "/auth/sign_in?next=%2Ftags%2Fgarden");
    let landing = visitor.get("/").await;
    assert!(
        !landing.html.contains("Seen by everyone"),
        "{}",
        landing.html
    );
    let refused = app.get("/api/v1/timelines/public").send().await;
    assert_eq!(refused.status.as_u16(), 401, "{}", refused.text());
    assert_eq!(
        refused.json()["error"],
        "This method requires an authenticated user"
    );
    app.get("/api/v1/timelines/tag/garden")
        .send()
        .await
        .expect(401);
    // Profiles stay public; signed-in users read the timelines as before.
    assert_eq!(
        visitor.get(&format!("/@{}", alice.username)).await.status(),
        200
    );
    let timeline = app.get("/api/v1/timelines/public").auth(&alice).ok().await;
    assert_eq!(timeline.as_array().map(Vec::len), Some(1));
    assert_eq!(browser(&app, &alice).get("/explore").await.status(), 200);

    // Ticked again, visitors read them again.
    let saved = admin_browser
        .submit(
            "/admin/settings",
            "/admin/settings",
            &[("public_timelines", "on")],
        )
        .await;
    assert_redirect(&saved, "/admin/settings");
    assert_eq!(visitor.get("/explore").await.status(), 200);
}
