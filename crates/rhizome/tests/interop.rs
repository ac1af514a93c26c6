//! Real JSON from other servers (captured, or shaped from their documentation), processed by
//! the inbox the way a delivery would be, then stored and rendered for a client.

use std::path::PathBuf;

use rhizome::config::Loaded;
use rhizome_core::federation::inbox::ProcessActivity;
use rhizome_core::{Clock, Core};
use rhizome_model::{Id, Visibility};
use rhizome_testkit::TestDatabase;
use rhizome_testkit::fixtures::remote_account;
use serde_json::{Value, json};

/// The protocol library's test documents.
fn document(path: &str) -> Value {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../federation/tests/data/vocab")
        .join(path);
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()));
    // The shaped documents open with `//` lines saying where their shape comes from.
    let json: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn create(actor: &str, object: Value) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}#create", object["id"].as_str().unwrap_or("x")),
        "type": "Create",
        "actor": actor,
        "to": object["to"].clone(),
        "cc": object["cc"].clone(),
        "object": object,
    })
}

async fn core(db: &TestDatabase) -> Core {
    // Federation off: nothing here may reach the network (unknown parents stay unknown).
    let env = [
        ("RHIZOME_FEDERATION_ENABLED".to_owned(), "false".to_owned()),
        (
            "RHIZOME_STORAGE_DATA_DIR".to_owned(),
            db.scratch_path("data").display().to_string(),
        ),
    ]
    .into_iter()
    .collect();
    let loaded = Loaded::from_parts(None, None, &env).unwrap();
    Core::new(
        db.store().await,
        loaded.config.core_config(&loaded.from_env),
        Clock::default(),
    )
    .await
    .unwrap()
}

/// Stores the sender, processes the activity, and returns the stored post rendered for a
/// client (the Mastodon Status entity).
async fn receive(core: &Core, id: i64, actor_uri: &str, activity: Value, object_id: &str) -> Value {
    let url = url::Url::parse(actor_uri).unwrap();
    let domain = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap()),
        None => url.host_str().unwrap().to_owned(),
    };
    let mut account = remote_account(id, actor_uri.rsplit('/').next().unwrap(), &domain);
    account.uri = actor_uri.to_owned();
    let account = core.store.upsert_remote_account(&account).await.unwrap();
    core.process_activity(ProcessActivity {
        actor_id: account.id,
        activity,
    })
    .await
    .unwrap();
    let status = core
        .store
        .status_by_uri(object_id)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{object_id} was not stored"));
    let view = core.status_view(status, None).await.unwrap();
    rhizome_api::entities::status(core, &view)
}

#[tokio::test]
async fn mastodon_reply_keeps_its_audience_and_warning() {
    let db = TestDatabase::sqlite();
    let core = core(&db).await;
    let activity = document("mastodon/create_note_reply.jsonc");
    let object_id = activity["object"]["id"].as_str().unwrap().to_owned();
    let status = receive(
        &core,
        10,
        "https://mastodon.example/users/ada",
        activity.clone(),
        &object_id,
    )
    .await;
    assert_eq!(
        status["visibility"], "unlisted",
        "followers in to, Public in cc"
    );
    assert_eq!(status["spoiler_text"], activity["object"]["summary"]);
    assert_eq!(status["account"]["acct"], "ada@mastodon.example");
    assert!(
        status["in_reply_to_id"].is_null(),
        "the parent is unknown here"
    );
    let stored = core.store.status_by_uri(&object_id).await.unwrap().unwrap();
    assert_eq!(
        stored.in_reply_to_uri.as_deref(),
        activity["object"]["inReplyTo"].as_str()
    );
    assert!(!status["content"].as_str().unwrap().contains("<script"));
}

#[tokio::test]
async fn akkoma_note_is_public_with_its_tags_sanitised() {
    let db = TestDatabase::sqlite();
    let core = core(&db).await;
    let note = document("akkoma/note.jsonc");
    let object_id = note["id"].as_str().unwrap().to_owned();
    let status = receive(
        &core,
        11,
        "https://akko.example/users/lain",
        create("https://akko.example/users/lain", note.clone()),
        &object_id,
    )
    .await;
    assert_eq!(status["visibility"], "public");
    assert_eq!(status["uri"], object_id);
    let tags: Vec<&str> = status["tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    let expected: Vec<String> = note["tag"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["type"] == "Hashtag")
        .map(|t| {
            t["name"]
                .as_str()
                .unwrap()
                .trim_start_matches('#')
                .to_lowercase()
        })
        .collect();
    assert_eq!(tags, expected);
}

#[tokio::test]
async fn misskey_note_and_poll_are_stored_as_posts() {
    let db = TestDatabase::sqlite();
    let core = core(&db).await;
    let actor = "https://misskey.example/users/9abcd1234";
    let note = document("misskey/note.jsonc");
    let object_id = note["id"].as_str().unwrap().to_owned();
    let status = receive(&core, 12, actor, create(actor, note.clone()), &object_id).await;
    assert!(!status["content"].as_str().unwrap().is_empty());
    let question = document("misskey/question.jsonc");
    let question_id = question["id"].as_str().unwrap().to_owned();
    let stored = core.store.account_by_uri(actor).await.unwrap().unwrap();
    core.process_activity(ProcessActivity {
        actor_id: stored.id,
        activity: create(actor, question),
    })
    .await
    .unwrap();
    let poll = core
        .store
        .status_by_uri(&question_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(poll.object_type, "Question");
}

#[tokio::test]
async fn peertube_video_is_a_post_by_its_person_with_a_title() {
    let db = TestDatabase::sqlite();
    let core = core(&db).await;
    let actor = "https://tube.example/accounts/maker";
    let video = document("peertube/video.jsonc");
    let object_id = video["id"].as_str().unwrap().to_owned();
    let status = receive(&core, 13, actor, create(actor, video.clone()), &object_id).await;
    let title = video["name"].as_str().unwrap();
    assert!(
        status["content"].as_str().unwrap().contains(title),
        "{}",
        status["content"]
    );
    assert_eq!(status["account"]["acct"], "maker@tube.example");
    let stored = core.store.status_by_uri(&object_id).await.unwrap().unwrap();
    assert_eq!(
        (stored.object_type.as_str(), stored.title.as_deref()),
        ("Video", Some(title))
    );
}

#[tokio::test]
async fn lemmy_page_in_a_community_is_a_post_with_a_title() {
    let db = TestDatabase::sqlite();
    let core = core(&db).await;
    let activity = document("lemmy/create_page_with_audience.jsonc");
    let object_id = activity["object"]["id"].as_str().unwrap().to_owned();
    let status = receive(
        &core,
        14,
        "https://lemmy.example/u/riker",
        activity.clone(),
        &object_id,
    )
    .await;
    let stored = core.store.status_by_uri(&object_id).await.unwrap().unwrap();
    assert_eq!(stored.object_type, "Page");
    assert_eq!(stored.title.as_deref(), activity["object"]["name"].as_str());
    assert!(
        status["content"]
            .as_str()
            .unwrap()
            .starts_with("<p><strong>")
    );
}

#[tokio::test]
async fn gotosocial_deliveries_cover_each_visibility() {
    let db = TestDatabase::sqlite();
    let core = core(&db).await;
    let actor = "http://gts.test/users/alice";
    let mut account = remote_account(15, "alice", "gts.test");
    account.uri = actor.into();
    account.followers_url = Some(format!("{actor}/followers"));
    let account = core.store.upsert_remote_account(&account).await.unwrap();
    for (file, visibility) in [
        (
            "gotosocial/deliveries/05_create_note_public_rich.json",
            Visibility::Public,
        ),
        (
            "gotosocial/deliveries/08_create_note_unlisted.json",
            Visibility::Unlisted,
        ),
        (
            "gotosocial/deliveries/09_create_note_followers_only.json",
            Visibility::Private,
        ),
        (
            "gotosocial/deliveries/10_create_note_direct.json",
            Visibility::Direct,
        ),
    ] {
        let activity = document(file);
        let object_id = activity["object"]["id"].as_str().unwrap().to_owned();
        core.process_activity(ProcessActivity {
            actor_id: account.id,
            activity,
        })
        .await
        .unwrap();
        let stored = core
            .store
            .status_by_uri(&object_id)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{file} not stored"));
        assert_eq!(stored.visibility, visibility, "{file}");
        assert!(!stored.local);
    }
    // The same delivery twice stores one post.
    let again = document("gotosocial/deliveries/05_create_note_public_rich.json");
    core.process_activity(ProcessActivity {
        actor_id: account.id,
        activity: again,
    })
    .await
    .unwrap();
    let page = core
        .store
        .account_statuses(
            account.id,
            Some(Id(15)),
            &Default::default(),
            &rhizome_store::PageRequest::first(20),
        )
        .await
        .unwrap();
    assert_eq!(page.items.len(), 4);
}

#[tokio::test]
async fn a_flag_becomes_a_report_for_local_moderators() {
    let db = TestDatabase::sqlite();
    let core = core(&db).await;
    let user = |name: &str, role| rhizome_core::accounts::NewUser {
        username: name.into(),
        email: format!("{name}@example.org"),
        password: "a long password".into(),
        role,
        approved: true,
        registration_reason: None,
        locale: "en".into(),
        invite_code: None,
        email_unconfirmed: false,
    };
    let alice = core
        .create_user(user("alice", rhizome_model::Role::User))
        .await
        .unwrap();
    let moderator = core
        .create_user(user("maria", rhizome_model::Role::Moderator))
        .await
        .unwrap();
    let post = core
        .post_status(
            &alice,
            rhizome_core::statuses::PostRequest {
                text: "reported".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let reporter = "https://mastodon.example/actor";
    let flag = json!({
        "id": "https://mastodon.example/reports/1",
        "type": "Flag",
        "actor": reporter,
        "content": "spam",
        "object": [alice.account.uri, post.status.uri],
    });
    let mut account = remote_account(20, "actor", "mastodon.example");
    account.uri = reporter.into();
    let account = core.store.upsert_remote_account(&account).await.unwrap();
    core.process_activity(ProcessActivity {
        actor_id: account.id,
        activity: flag,
    })
    .await
    .unwrap();
    let notifications = core
        .list_notifications(
            moderator.account.id,
            &Default::default(),
            &rhizome_store::PageRequest::first(10),
        )
        .await
        .unwrap();
    assert_eq!(notifications.items.len(), 1);
    assert_eq!(
        notifications.items[0].notification.kind,
        rhizome_model::NotificationKind::AdminReport
    );
}

#[tokio::test]
async fn misskey_mfm_functions_are_kept_as_fep_c16b_spans() {
    let db = TestDatabase::sqlite();
    let core = core(&db).await;
    let actor = "https://misskey.example/users/9abcd1234";
    // Misskey's HTML turns functions into plain italics; its MFM source keeps them.
    let mut note = document("misskey/note.jsonc");
    note["id"] = json!("https://misskey.example/notes/mfm1");
    note["content"] = json!("<p><i>big</i> and <i>red</i></p>");
    note["_misskey_content"] =
        json!("$[x2 big] and $[fg.color=ff0000 red] $[x2 <script>alert(1)</script>]");
    note["source"] = json!({
        "content": note["_misskey_content"].clone(),
        "mediaType": "text/x.misskeymarkdown"
    });
    let status = receive(
        &core,
        14,
        actor,
        create(actor, note.clone()),
        "https://misskey.example/notes/mfm1",
    )
    .await;
    let content = status["content"].as_str().unwrap();
    assert!(
        content.contains(r#"<span class="mfm-x2">big</span>"#),
        "{content}"
    );
    assert!(
        content.contains(r#"<span class="mfm-fg" data-mfm-color="ff0000">red</span>"#),
        "{content}"
    );
    assert!(!content.contains("<script"), "{content}");

    // A server that writes FEP-c16b HTML itself is taken at its word; other classes, other
    // attributes and unsafe argument values are dropped.
    let mut styled = document("misskey/note.jsonc");
    styled["id"] = json!("https://misskey.example/notes/mfm2");
    styled["htmlMfm"] = json!(true);
    styled["content"] = json!(
        r#"<p><span class="mfm-spin evil" data-mfm-speed="2s" data-mfm-x="url(javascript:1)" style="color:red" onclick="x()">spun</span></p>"#
    );
    let status = receive(
        &core,
        15,
        actor,
        create(actor, styled),
        "https://misskey.example/notes/mfm2",
    )
    .await;
    assert_eq!(
        status["content"],
        r#"<p><span class="mfm-spin" data-mfm-speed="2s">spun</span></p>"#
    );
}
