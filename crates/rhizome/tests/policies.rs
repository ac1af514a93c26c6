//! The policy chain's administration over the client API: Mastodon's domain blocks and
//! allows with their scopes and roles, Rhizome's policy endpoints, and what is published
//! (NodeInfo in Akkoma's shape, Mastodon's public block list) under the transparency settings.

mod support;

use rhizome_core::federation::policy::{Direction, MrfConfig, Verdict};
use rhizome_model::{Id, Role, Scopes};
use serde_json::{Value, json};
use support::api::{Local, User, local};

/// A token of `user` with exactly `scopes`, as the admin CLI issues them.
async fn token(app: &Local, user: &User, scopes: &str) -> String {
    app.core
        .issue_token(
            Some(Id(user.id.parse().unwrap())),
            None,
            Scopes::parse(scopes).unwrap(),
            false,
        )
        .await
        .unwrap()
        .access_token
}

async fn with_role(app: &Local, prefix: &str, role: Role) -> User {
    let user = app.register(prefix).await;
    app.core
        .store
        .set_role(Id(user.id.parse().unwrap()), role)
        .await
        .unwrap();
    user
}

#[tokio::test]
async fn domain_blocks_and_allows_need_staff_and_their_scopes() {
    let app = local().await;
    let admin = with_role(&app, "admin", Role::Admin).await;
    let moderator = with_role(&app, "mod", Role::Moderator).await;
    let user = app.register("user").await;
    let read = token(&app, &admin, "admin:read:domain_blocks").await;
    let write = token(&app, &admin, "admin:write:domain_blocks").await;
    let moderator_write = token(&app, &moderator, "admin:write").await;
    let user_write = token(&app, &user, "admin:write:domain_blocks").await;

    app.get("/api/v1/admin/domain_blocks")
        .send()
        .await
        .expect(401);
    app.get("/api/v1/admin/domain_blocks")
        .auth(&admin)
        .send()
        .await
        .expect(403);
    assert_eq!(
        app.get("/api/v1/admin/domain_blocks")
            .token(&read)
            .ok()
            .await,
        json!([])
    );
    let block =
        json!({ "domain": "Spam.Example", "severity": "suspend", "public_comment": "spam" });
    app.post("/api/v1/admin/domain_blocks")
        .token(&read)
        .json(block.clone())
        .send()
        .await
        .expect(403);
    app.post("/api/v1/admin/domain_blocks")
        .token(&user_write)
        .json(block.clone())
        .send()
        .await
        .expect(403);
    let created = app
        .post("/api/v1/admin/domain_blocks")
        .token(&write)
        .json(block)
        .ok()
        .await;
    assert_eq!(created["domain"], "spam.example");
    assert_eq!(created["severity"], "suspend");
    assert_eq!(created["public_comment"], "spam");
    assert_eq!(created["private_comment"], Value::Null);
    assert_eq!(created["obfuscate"], false);
    assert!(support::api::is_datetime(
        created["created_at"].as_str().unwrap()
    ));
    let id = created["id"].as_str().unwrap().to_owned();

    // A moderator may change it; bad values are refused.
    let changed = app
        .put(&format!("/api/v1/admin/domain_blocks/{id}"))
        .token(&moderator_write)
        .form(&[("severity", "silence"), ("reject_reports", "true")])
        .ok()
        .await;
    assert_eq!(
        (
            changed["severity"].clone(),
            changed["reject_reports"].clone()
        ),
        (json!("silence"), json!(true))
    );
    app.put(&format!("/api/v1/admin/domain_blocks/{id}"))
        .token(&write)
        .form(&[("severity", "obliterate")])
        .send()
        .await
        .expect(422);
    app.post("/api/v1/admin/domain_blocks")
        .token(&write)
        .form(&[("domain", "")])
        .send()
        .await
        .expect(422);
    app.post("/api/v1/admin/domain_blocks")
        .token(&write)
        .form(&[("domain", "https://bad.example/path")])
        .send()
        .await
        .expect(422);
    let shown = app
        .get(&format!("/api/v1/admin/domain_blocks/{id}"))
        .token(&read)
        .ok()
        .await;
    assert_eq!(shown["severity"], "silence");
    // The block is the Simple policy's list.
    let effective = app.core.effective_mrf().await.unwrap();
    assert_eq!(
        effective.simple.federated_timeline_removal[0].domain,
        "spam.example"
    );
    assert_eq!(effective.simple.report_removal[0].reason, "spam");
    assert_eq!(
        app.delete(&format!("/api/v1/admin/domain_blocks/{id}"))
            .token(&write)
            .ok()
            .await,
        json!({})
    );
    app.get(&format!("/api/v1/admin/domain_blocks/{id}"))
        .token(&read)
        .send()
        .await
        .expect(404);

    // Lists come newest first, a page at a time.
    for domain in ["one.example", "two.example", "three.example"] {
        app.post("/api/v1/admin/domain_blocks")
            .token(&write)
            .form(&[("domain", domain)])
            .ok()
            .await;
    }
    let first = app
        .get("/api/v1/admin/domain_blocks?limit=2")
        .token(&read)
        .send()
        .await;
    let next = support::api::path_of(&app, &first.link("next"));
    let first = first.ok();
    assert_eq!(first[0]["domain"], "three.example");
    assert_eq!(first[1]["domain"], "two.example");
    // Mastodon's default severity.
    assert_eq!(first[0]["severity"], "silence");
    let rest = app.get(&next).token(&read).ok().await;
    assert_eq!(rest[0]["domain"], "one.example");

    // Allows have scopes of their own.
    app.post("/api/v1/admin/domain_allows")
        .token(&write)
        .form(&[("domain", "friends.example")])
        .send()
        .await
        .expect(403);
    let allows = token(
        &app,
        &admin,
        "admin:read:domain_allows admin:write:domain_allows",
    )
    .await;
    let allowed = app
        .post("/api/v1/admin/domain_allows")
        .token(&allows)
        .form(&[("domain", "friends.example")])
        .ok()
        .await;
    assert_eq!(allowed["domain"], "friends.example");
    let allow_id = allowed["id"].as_str().unwrap();
    assert_eq!(
        app.get("/api/v1/admin/domain_allows")
            .token(&allows)
            .ok()
            .await[0]["id"],
        allow_id
    );
    // Allow-list mode: only friends federate now.
    assert!(app.core.domain_refused("other.example").await.unwrap());
    assert!(!app.core.domain_refused("friends.example").await.unwrap());
    app.delete(&format!("/api/v1/admin/domain_allows/{allow_id}"))
        .token(&allows)
        .ok()
        .await;
    assert!(!app.core.domain_refused("other.example").await.unwrap());
}

#[tokio::test]
async fn transparency_publishes_lists_with_exclusions_and_obfuscation() {
    let app = local().await;
    let admin = with_role(&app, "admin", Role::Admin).await;
    let moderator = with_role(&app, "mod", Role::Moderator).await;
    let admin_token = token(&app, &admin, "admin:read admin:write").await;
    let mod_token = token(&app, &moderator, "admin:read admin:write").await;
    let config = json!({
        "policies": ["simple", "keyword"],
        "transparency_exclusions": [{ "domain": "secret.example", "reason": "kept quiet" }],
        "transparency_obfuscate_domains": ["hidden.example"],
        "quarantined_instances": [{ "domain": "leaky.example", "reason": "leaks" }],
        "simple": { "reject": [{ "domain": "config.example", "reason": "from the file" }] },
        "keyword": { "reject": ["casino"] },
    });
    // Only admins edit the chain; a wrong pattern is refused.
    app.put("/api/v1/admin/rhizome/policies")
        .token(&mod_token)
        .json(config.clone())
        .send()
        .await
        .expect(403);
    let refused = app
        .put("/api/v1/admin/rhizome/policies")
        .token(&admin_token)
        .json(json!({ "keyword": { "reject": ["/(unclosed/"] } }))
        .send()
        .await
        .error(422);
    assert!(refused.contains("unclosed"), "{refused}");
    app.put("/api/v1/admin/rhizome/policies")
        .token(&admin_token)
        .json(config)
        .ok()
        .await;
    let shown = app
        .get("/api/v1/admin/rhizome/policies")
        .token(&admin_token)
        .ok()
        .await;
    assert_eq!(shown["stored"], true);
    assert_eq!(shown["mrf"]["keyword"]["reject"], json!(["casino"]));

    for (domain, obfuscate) in [
        ("secret.example", false),
        ("hidden.example", false),
        ("masked.example", true),
    ] {
        app.core
            .block_instance_domain(&rhizome_core::federation::policy::DomainBlockRequest {
                domain: domain.into(),
                severity: "suspend".into(),
                obfuscate,
                public_comment: format!("{domain} is bad"),
                ..Default::default()
            })
            .await
            .unwrap();
    }

    let nodeinfo = app.get("/nodeinfo/2.1").ok().await;
    let federation = &nodeinfo["metadata"]["federation"];
    assert_eq!(
        federation["mrf_policies"],
        json!(["SimplePolicy", "KeywordPolicy"])
    );
    assert_eq!(federation["exclusions"], true);
    assert_eq!(
        federation["mrf_simple"]["reject"],
        json!(["config.example", "hidd**.****ple", "mask**.****ple"])
    );
    assert_eq!(
        federation["mrf_simple_info"]["reject"]["config.example"]["reason"],
        "from the file"
    );
    assert_eq!(
        federation["mrf_simple_info"]["reject"]["hidd**.****ple"]["reason"],
        "hidden.example is bad"
    );
    assert!(!nodeinfo.to_string().contains("secret.example"));
    assert_eq!(federation["mrf_keyword"]["reject"], json!(["casino"]));
    assert_eq!(
        federation["quarantined_instances"],
        json!(["leaky.example"])
    );
    assert_eq!(
        federation["quarantined_instances_info"]["quarantined_instances"]["leaky.example"]["reason"],
        "leaks"
    );

    let public = app.get("/api/v1/instance/domain_blocks").ok().await;
    let domains: Vec<&str> = public
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["domain"].as_str().unwrap())
        .collect();
    assert_eq!(
        domains,
        ["hidd**.****ple", "mask**.****ple", "config.example"]
    );
    // The digest is of the real domain, so a visitor can check one they know.
    assert_eq!(
        public[1]["digest"],
        rhizome_core::federation::policy::sha256_hex("masked.example")
    );
    assert_eq!(public[1]["severity"], "suspend");
    assert_eq!(public[1]["comment"], "masked.example is bad");

    // The public page says the same to people.
    let about = app.get("/about/more").send().await.text();
    assert!(about.contains("Suspended: nothing is exchanged"), "{about}");
    assert!(
        about.contains("<td>hidd**.****ple</td><td>hidden.example is bad</td>"),
        "{about}"
    );
    assert!(
        about.contains("<td>config.example</td><td>from the file</td>"),
        "{about}"
    );
    assert!(!about.contains("secret.example"));

    // Transparency off: nothing is published.
    app.put("/api/v1/admin/rhizome/policies")
        .token(&admin_token)
        .json(json!({ "transparency": false }))
        .ok()
        .await;
    let nodeinfo = app.get("/nodeinfo/2.1").ok().await;
    assert!(
        nodeinfo["metadata"]["federation"]
            .get("mrf_simple")
            .is_none()
    );
    for domain in ["config.example", "hidd**", "mask**", "leaky.example"] {
        assert!(!nodeinfo.to_string().contains(domain), "{nodeinfo}");
    }
    app.get("/api/v1/instance/domain_blocks")
        .send()
        .await
        .expect(404);
    let about = app.get("/about/more").send().await.text();
    assert!(
        about.contains("does not publish its moderation decisions"),
        "{about}"
    );
    assert!(!about.contains("config.example"));

    // Back to the file's configuration.
    let reset = app
        .delete("/api/v1/admin/rhizome/policies")
        .token(&admin_token)
        .ok()
        .await;
    assert_eq!(reset["stored"], false);
    assert_eq!(
        reset["mrf"]["policies"],
        json!(["simple", "hashtag", "tag", "direct_message_disabled"])
    );
}

#[tokio::test]
async fn a_change_by_one_process_applies_at_once_in_another() {
    let app = local().await;
    // A second core over the same database stands for another process; both have compiled
    // the chain before the change.
    let other = rhizome_core::Core::new(
        app.core.store.clone(),
        (*app.core.config).clone(),
        rhizome_core::Clock::default(),
    )
    .await
    .unwrap();
    let note = json!({
        "type": "Create",
        "id": "https://remote.example/activities/1",
        "actor": "https://remote.example/users/ann",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {
            "type": "Note",
            "id": "https://remote.example/notes/1",
            "attributedTo": "https://remote.example/users/ann",
            "content": "<p>Win at the casino</p>",
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
        },
    });
    for core in [&app.core, &other] {
        let verdict = core
            .filter_activity(Direction::Incoming, None, note.clone())
            .await
            .unwrap();
        assert!(!verdict.is_reject());
    }
    let mut config = MrfConfig::default();
    config
        .policies
        .push(rhizome_core::federation::policy::PolicyName::Keyword);
    config.keyword.reject = vec!["casino".into()];
    app.core.set_mrf_config(&config).await.unwrap();
    let verdict = other
        .filter_activity(Direction::Incoming, None, note.clone())
        .await
        .unwrap();
    assert!(
        matches!(
            &verdict,
            Verdict::Reject {
                policy: "keyword",
                ..
            }
        ),
        "{verdict:?}"
    );
    // And a domain block made anywhere refuses the domain everywhere.
    assert!(!other.domain_refused("remote.example").await.unwrap());
    app.core
        .block_instance_domain(&rhizome_core::federation::policy::DomainBlockRequest {
            domain: "*.example".into(),
            severity: "suspend".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(other.domain_refused("remote.example").await.unwrap());
}

/// Local posts meet the policies before they are stored: a rejection is the author's `422`,
/// a rewrite changes what is stored and shown; moderators' tags on a local account shape its
/// posts and who may follow it.
#[tokio::test]
async fn local_posts_are_judged_before_they_are_stored() {
    use rhizome_core::federation::policy::PolicyName;
    let app = local().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let alice_id = Id(alice.id.parse().unwrap());

    let mut config = MrfConfig::default();
    config
        .policies
        .extend([PolicyName::Keyword, PolicyName::Hashtag, PolicyName::Tag]);
    config.keyword.reject = vec!["casino".into()];
    config.keyword.replace = vec![rhizome_core::federation::policy::config::Replacement {
        pattern: "darn".into(),
        replacement: "d*rn".into(),
    }];
    config.hashtag.federated_timeline_removal = vec!["spoilers".into()];
    app.core.set_mrf_config(&config).await.unwrap();

    // Rejected: an error in Mastodon's shape, and nothing stored.
    let error = app
        .post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({"status": "Win big at the casino"}))
        .send()
        .await
        .error(422);
    assert!(error.contains("keyword"), "{error}");
    let mine = app
        .get(&format!("/api/v1/accounts/{}/statuses", alice.id))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(mine, json!([]));

    // A poll's options are judged with its text.
    let error = app
        .post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({
            "status": "Where tonight?",
            "poll": {"options": ["cinema", "casino"], "expires_in": 3600},
        }))
        .send()
        .await
        .error(422);
    assert!(error.contains("keyword"), "{error}");

    // Rewritten: the stored content, as every reader sees it.
    let replaced = app.post_status(&alice, "Oh darn, it rains", "public").await;
    assert!(
        replaced["content"]
            .as_str()
            .unwrap()
            .contains("d*rn, it rains"),
        "{replaced}"
    );
    let shown = app
        .get(&format!(
            "/api/v1/statuses/{}",
            replaced["id"].as_str().unwrap()
        ))
        .ok()
        .await;
    assert_eq!(shown["content"], replaced["content"]);
    // `#nsfw` is sensitive by default; a removal hashtag makes a public post unlisted.
    let nsfw = app.post_status(&alice, "Look #nsfw", "public").await;
    assert_eq!(nsfw["sensitive"], true);
    let delisted = app.post_status(&alice, "Ending #spoilers", "public").await;
    assert_eq!(delisted["visibility"], "unlisted");
    // Policies only narrow: a followers-only post stays so.
    let private = app.post_status(&alice, "Ending #spoilers", "private").await;
    assert_eq!(private["visibility"], "private");
    // Edits are judged too.
    let edit = app
        .put(&format!(
            "/api/v1/statuses/{}",
            nsfw["id"].as_str().unwrap()
        ))
        .auth(&alice)
        .json(json!({"status": "now about the casino"}))
        .send()
        .await
        .error(422);
    assert!(edit.contains("keyword"), "{edit}");

    // Moderators' tags on a local account.
    app.core
        .tag_account(alice_id, "mrf_tag:force-unlisted")
        .await
        .unwrap();
    let forced = app.post_status(&alice, "Hello all", "public").await;
    assert_eq!(forced["visibility"], "unlisted");
    app.core
        .tag_account(alice_id, "mrf_tag:sandbox")
        .await
        .unwrap();
    let sandboxed = app.post_status(&alice, "Hello again", "public").await;
    assert_eq!(sandboxed["visibility"], "private");
    app.core
        .tag_account(alice_id, "mrf_tag:disable-any-subscription")
        .await
        .unwrap();
    let refused = app
        .post(&format!("/api/v1/accounts/{}/follow", alice.id))
        .auth(&bob)
        .send()
        .await
        .error(403);
    assert!(refused.contains("followers"), "{refused}");

    // Without those policies in the chain, the same posts go through untouched.
    app.core.reset_mrf_config().await.unwrap();
    let plain = app
        .post_status(&bob, "Win big at the casino", "public")
        .await;
    assert_eq!(plain["visibility"], "public");
}

// ---------------------------------------------------------------------------------------
// Pleroma's configuration endpoints (`/api/v1/pleroma/admin/config`).

/// The value of `key`'s `subkey` in a Pleroma `configs` answer.
fn config_value(answer: &Value, key: &str, subkey: &str) -> Value {
    let entry = answer["configs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == key)
        .unwrap_or_else(|| panic!("no {key} in {answer}"));
    assert_eq!(entry["group"], ":pleroma");
    entry["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|pair| pair["tuple"][0] == subkey)
        .map(|pair| pair["tuple"][1].clone())
        .unwrap_or_else(|| panic!("no {subkey} in {entry}"))
}

fn config_entry(answer: &Value, key: &str) -> Option<Value> {
    answer["configs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == key)
        .cloned()
}

fn domain_tuples(pairs: &[(&str, &str)]) -> Value {
    json!(
        pairs
            .iter()
            .map(|(domain, reason)| json!({ "tuple": [domain, reason] }))
            .collect::<Vec<_>>()
    )
}

fn note_from(host: &str) -> Value {
    json!({
        "type": "Create",
        "id": format!("https://{host}/activities/1"),
        "actor": format!("https://{host}/users/ann"),
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {
            "type": "Note",
            "id": format!("https://{host}/notes/1"),
            "attributedTo": format!("https://{host}/users/ann"),
            "content": "<p>Hello</p>",
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
        },
    })
}

async fn rejected_by(app: &Local, activity: Value) -> Option<&'static str> {
    match app
        .core
        .filter_activity(Direction::Incoming, None, activity)
        .await
        .unwrap()
    {
        Verdict::Reject { policy, .. } => Some(policy),
        Verdict::Accept { .. } => None,
    }
}

#[tokio::test]
async fn pleroma_config_edits_the_policy_chain_in_elixir_terms() {
    let app = local().await;
    let admin = with_role(&app, "admin", Role::Admin).await;
    let moderator = with_role(&app, "mod", Role::Moderator).await;
    let both = token(&app, &admin, "admin:read admin:write").await;
    let read_only = token(&app, &admin, "admin:read").await;
    let not_admin_scopes = token(&app, &admin, "read write").await;
    let moderator_token = token(&app, &moderator, "admin:read admin:write").await;
    let path = "/api/v1/pleroma/admin/config";

    // Admins only, with admin:read to read and admin:write to write.
    app.get(path).send().await.expect(401);
    app.get(path)
        .token(&moderator_token)
        .send()
        .await
        .expect(403);
    app.get(path)
        .token(&not_admin_scopes)
        .send()
        .await
        .expect(403);
    app.get(&format!("{path}/descriptions"))
        .token(&moderator_token)
        .send()
        .await
        .expect(403);
    let change = json!({ "configs": [{
        "group": ":pleroma",
        "key": ":mrf_simple",
        "value": [{ "tuple": [":reject", domain_tuples(&[("bad.example", "spam")])] }],
    }]});
    for refused in [&read_only, &moderator_token, &not_admin_scopes] {
        app.post(path)
            .token(refused)
            .json(change.clone())
            .send()
            .await
            .expect(403);
    }
    assert!(!app.core.mrf_config().await.unwrap().1);

    // Every key in Pleroma's terms; a domain block shows in the Simple lists.
    app.core
        .block_instance_domain(&rhizome_core::federation::policy::DomainBlockRequest {
            domain: "blocked.example".into(),
            severity: "suspend".into(),
            public_comment: "blocked".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let shown = app.get(path).token(&read_only).ok().await;
    assert_eq!(shown["need_reboot"], false);
    assert_eq!(
        config_value(&shown, ":mrf", ":policies"),
        json!([
            "Pleroma.Web.ActivityPub.MRF.SimplePolicy",
            "Pleroma.Web.ActivityPub.MRF.HashtagPolicy",
            "Pleroma.Web.ActivityPub.MRF.TagPolicy",
            "Pleroma.Web.ActivityPub.MRF.DirectMessageDisabledPolicy",
        ])
    );
    assert_eq!(config_value(&shown, ":mrf", ":transparency"), true);
    assert_eq!(
        config_value(&shown, ":mrf_simple", ":reject"),
        domain_tuples(&[("blocked.example", "blocked")])
    );
    assert_eq!(
        config_value(&shown, ":mrf_object_age", ":actions"),
        json!([":delist", ":strip_followers"])
    );
    assert_eq!(
        config_value(&shown, ":mrf_hashtag", ":sensitive"),
        json!(["nsfw"])
    );
    assert!(
        config_entry(&shown, ":mrf_simple")
            .unwrap()
            .get("db")
            .is_none()
    );
    assert_eq!(
        app.get(&format!("{path}?only_db=true"))
            .token(&read_only)
            .ok()
            .await["configs"],
        json!([])
    );

    // A change: the Simple reject list as read plus a server, the Keyword policy switched on
    // with a regular expression.
    let changed = app
        .post(path)
        .token(&both)
        .json(json!({ "configs": [
            {
                "group": ":pleroma",
                "key": ":mrf_simple",
                "value": [{ "tuple": [":reject", domain_tuples(&[
                    ("blocked.example", "blocked"),
                    ("Bad.Example", "spam"),
                ])] }],
            },
            {
                "group": ":pleroma",
                "key": ":mrf",
                "value": [{ "tuple": [":policies", [
                    "Pleroma.Web.ActivityPub.MRF.SimplePolicy",
                    "Pleroma.Web.ActivityPub.MRF.KeywordPolicy",
                ]] }],
            },
            {
                "group": ":pleroma",
                "key": ":mrf_keyword",
                "value": [
                    { "tuple": [":reject", ["~r/free (money|coins)/iu"]] },
                    { "tuple": [":replace", [{ "tuple": ["casino", "c*sino"] }]] },
                ],
            },
        ]}))
        .ok()
        .await;
    assert_eq!(changed["need_reboot"], false);
    assert_eq!(
        config_value(&changed, ":mrf_simple", ":reject"),
        domain_tuples(&[("bad.example", "spam"), ("blocked.example", "blocked")])
    );
    assert_eq!(
        config_entry(&changed, ":mrf_simple").unwrap()["db"],
        json!([":reject"])
    );
    assert_eq!(
        config_value(&changed, ":mrf_keyword", ":reject"),
        json!(["~r/free (money|coins)/i"])
    );
    assert_eq!(
        config_value(&changed, ":mrf_keyword", ":replace"),
        json!([{ "tuple": ["casino", "c*sino"] }])
    );
    // The block was not copied into the configuration.
    let (stored, is_stored) = app.core.mrf_config().await.unwrap();
    assert!(is_stored);
    assert_eq!(
        stored.simple.reject,
        [rhizome_core::federation::policy::DomainEntry::new(
            "bad.example",
            "spam"
        )]
    );
    assert_eq!(stored.keyword.reject, ["/free (money|coins)/i"]);

    // In force at once: the server is refused, the keyword rejects, NodeInfo tells.
    assert_eq!(
        rejected_by(&app, note_from("bad.example")).await,
        Some("simple")
    );
    let mut casino = note_from("fine.example");
    casino["object"]["content"] = json!("<p>FREE MONEY here</p>");
    assert_eq!(rejected_by(&app, casino).await, Some("keyword"));
    assert_eq!(rejected_by(&app, note_from("fine.example")).await, None);
    let nodeinfo = app.get("/nodeinfo/2.1").ok().await;
    let federation = &nodeinfo["metadata"]["federation"];
    assert_eq!(
        federation["mrf_simple"]["reject"],
        json!(["bad.example", "blocked.example"])
    );
    assert_eq!(
        federation["mrf_policies"],
        json!(["SimplePolicy", "KeywordPolicy"])
    );

    // Only what was changed is "in the database".
    let only_db = app
        .get(&format!("{path}?only_db=true"))
        .token(&read_only)
        .ok()
        .await;
    let keys: Vec<&str> = only_db["configs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, [":mrf", ":mrf_simple", ":mrf_keyword"]);
    assert_eq!(
        config_entry(&only_db, ":mrf_simple").unwrap()["value"],
        json!([{ "tuple": [":reject", domain_tuples(&[("bad.example", "spam")])] }])
    );

    // Lifting the block leaves the configuration's own entry.
    let block = app
        .core
        .instance_domain_block_for("blocked.example")
        .await
        .unwrap()
        .unwrap();
    app.core
        .remove_instance_domain_block(block.id)
        .await
        .unwrap();
    assert!(!app.core.domain_refused("blocked.example").await.unwrap());
    assert!(app.core.domain_refused("bad.example").await.unwrap());

    // Refused as a whole, and nothing is written: an unknown key, an unknown subkey, an
    // unknown group, a broken pattern, a value of the wrong type, a body that is no JSON.
    let before = app.core.mrf_config().await.unwrap();
    let name_change = json!({
        "group": ":pleroma",
        "key": ":instance",
        "value": [{ "tuple": [":name", "Half written"] }],
    });
    for (bad, says) in [
        (
            json!({ "group": ":pleroma", "key": ":http_security", "value": [] }),
            ":http_security",
        ),
        (
            json!({ "group": ":pleroma", "key": ":mrf_simple", "value": [{ "tuple": [":reject_everything", []] }] }),
            ":reject_everything",
        ),
        (
            json!({ "group": ":logger", "key": ":backends", "value": [] }),
            ":logger",
        ),
        (
            json!({ "group": ":pleroma", "key": ":mrf_keyword", "value": [{ "tuple": [":reject", ["~r/(unclosed/"]] }] }),
            "unclosed",
        ),
        (
            json!({ "group": ":pleroma", "key": ":mrf_simple", "value": [{ "tuple": [":reject", ["https://bad.example/path"]] }] }),
            "https://bad.example/path",
        ),
        (
            json!({ "group": ":pleroma", "key": ":mrf_hellthread", "value": [{ "tuple": [":reject_threshold", "many"] }] }),
            "many",
        ),
        (
            json!({ "group": ":pleroma", "key": ":mrf", "value": [{ "tuple": [":policies", ["Pleroma.Web.ActivityPub.MRF.NoSuchPolicy"]] }] }),
            "NoSuchPolicy",
        ),
    ] {
        let error = app
            .post(path)
            .token(&both)
            .json(json!({ "configs": [name_change.clone(), bad] }))
            .send()
            .await
            .error(400);
        assert!(error.contains(says), "{error}");
    }
    app.post(path)
        .token(&both)
        .body("application/json", b"{\"configs\": [".to_vec())
        .send()
        .await
        .expect(400);
    assert_eq!(app.core.mrf_config().await.unwrap(), before);
    assert_ne!(app.core.settings().await.unwrap().name, "Half written");

    // Deleting a key goes back to the configuration file's value; deleting subkeys, to theirs.
    let reset = app
        .post(path)
        .token(&both)
        .json(json!({ "configs": [
            { "group": ":pleroma", "key": ":mrf_simple", "delete": true },
            { "group": ":pleroma", "key": ":mrf_keyword", "delete": true, "subkeys": [":replace"] },
        ]}))
        .ok()
        .await;
    // Pleroma answers with what is left of a key, not with a key deleted whole.
    assert!(config_entry(&reset, ":mrf_simple").is_none());
    assert_eq!(config_value(&reset, ":mrf_keyword", ":replace"), json!([]));
    assert_eq!(
        config_entry(&reset, ":mrf_keyword").unwrap()["db"],
        json!([":reject"])
    );
    assert!(!app.core.domain_refused("bad.example").await.unwrap());
    let shown = app.get(path).token(&read_only).ok().await;
    assert_eq!(config_value(&shown, ":mrf_simple", ":reject"), json!([]));
    app.post(path)
        .token(&both)
        .json(json!({ "configs": [
            { "group": ":pleroma", "key": ":mrf_keyword", "delete": true },
            { "group": ":pleroma", "key": ":mrf", "delete": true, "subkeys": ["policies"] },
        ]}))
        .ok()
        .await;
    // All back as the file has it: nothing is stored any more.
    assert!(!app.core.mrf_config().await.unwrap().1);
}

#[tokio::test]
async fn pleroma_config_changes_the_instance_settings() {
    let app = local().await;
    let admin = with_role(&app, "admin", Role::Admin).await;
    let both = token(&app, &admin, "admin:read admin:write").await;
    let path = "/api/v1/pleroma/admin/config";
    let default_name = app.get("/api/v1/instance").ok().await["title"].clone();

    let changed = app
        .post(path)
        .token(&both)
        .json(json!({ "configs": [{
            "group": ":pleroma",
            "key": ":instance",
            "value": [
                { "tuple": [":name", "Config Town"] },
                { "tuple": [":email", "staff@config.example"] },
                { "tuple": [":registrations_open", false] },
                { "tuple": [":invites_enabled", true] },
                { "tuple": [":quarantined_instances", [{ "tuple": ["leaky.example", "leaks"] }]] },
            ],
        }]}))
        .ok()
        .await;
    assert_eq!(config_value(&changed, ":instance", ":name"), "Config Town");
    assert_eq!(
        config_entry(&changed, ":instance").unwrap()["db"],
        json!([
            ":name",
            ":email",
            ":registrations_open",
            ":account_approval_required",
            ":invites_enabled",
            ":quarantined_instances"
        ])
    );
    let instance = app.get("/api/v1/instance").ok().await;
    assert_eq!(instance["title"], "Config Town");
    assert_eq!(instance["email"], "staff@config.example");
    assert_eq!(instance["registrations"], false);
    assert_eq!(instance["invites_enabled"], true);
    let nodeinfo = app.get("/nodeinfo/2.1").ok().await;
    assert_eq!(
        nodeinfo["metadata"]["federation"]["quarantined_instances"],
        json!(["leaky.example"])
    );

    // Open with approval.
    app.post(path)
        .token(&both)
        .json(json!({ "configs": [{
            "group": ":pleroma",
            "key": ":instance",
            "value": [
                { "tuple": [":account_approval_required", true] },
                { "tuple": [":registrations_open", true] },
            ],
        }]}))
        .ok()
        .await;
    let instance = app.get("/api/v1/instance").ok().await;
    assert_eq!(
        (
            instance["registrations"].clone(),
            instance["approval_required"].clone()
        ),
        (json!(true), json!(true))
    );

    // Deleting subkeys goes back to the file's values.
    app.post(path)
        .token(&both)
        .json(json!({ "configs": [{
            "group": ":pleroma",
            "key": ":instance",
            "delete": true,
            "subkeys": [":name", ":quarantined_instances"],
        }]}))
        .ok()
        .await;
    assert_eq!(
        app.get("/api/v1/instance").ok().await["title"],
        default_name
    );
    let stored: Vec<String> = app
        .core
        .store
        .settings()
        .await
        .unwrap()
        .into_iter()
        .map(|(key, _)| key)
        .collect();
    assert_eq!(stored, ["instance.contact_email", "registrations.mode"]);

    // Described as Pleroma describes its keys.
    let descriptions = app
        .get(&format!("{path}/descriptions"))
        .token(&both)
        .ok()
        .await;
    let simple = descriptions
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"] == ":mrf_simple")
        .unwrap();
    assert_eq!(simple["group"], ":pleroma");
    assert_eq!(simple["type"], "group");
    assert_eq!(
        simple["related_policy"],
        "Pleroma.Web.ActivityPub.MRF.SimplePolicy"
    );
    let reject = simple["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == ":reject")
        .unwrap();
    assert_eq!(reject["type"], json!(["list", "tuple"]));
    assert_eq!(reject["key_placeholder"], "instance");
    assert!(
        reject["description"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );
    let instance = descriptions
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"] == ":instance")
        .unwrap();
    assert!(
        instance["children"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["key"] == ":registrations_open" && c["type"] == "boolean")
    );
}
