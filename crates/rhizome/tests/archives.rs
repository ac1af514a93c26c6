//! Full archives (issue #10), Mastodon's layout: `outbox.json` holds every post of the user as
//! ActivityStreams with its media in the zip, `actor.json` the public key and the pictures,
//! `likes.json` and `bookmarks.json` the right URIs; built by core's job workers; downloaded
//! by their owner only; one a day; removed by the daily upkeep after a week; Akkoma's
//! `/api/v1/pleroma/backups` with its entity and scopes.

mod support;

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::time::{Duration, Instant};

use image::{DynamicImage, ImageFormat};
use rhizome_core::{Clock, Core};
use serde_json::{Value, json};
use support::api::{Local, User, eventually, is_datetime, local, local_with, text_of};
use support::jobs::JobWorkers;
use support::media::{encoded, multipart};
use support::s3::start_s3;
use support::web::Browser;

async fn backups(app: &Local, token: &str) -> Vec<Value> {
    app.get("/api/v1/pleroma/backups")
        .token(token)
        .ok()
        .await
        .as_array()
        .expect("a list of backups")
        .clone()
}

/// Asks for an archive and waits until the workers have built it; returns its entity.
async fn built_archive(app: &Local, user: &User) -> Value {
    let listed = app.post("/api/v1/pleroma/backups").auth(user).ok().await;
    wait_built(app, user, &text_of(&listed[0], "id")).await
}

/// Waits until the workers have built the archive `id`; returns its entity.
async fn wait_built(app: &Local, user: &User, id: &str) -> Value {
    eventually("the archive to be built", || async {
        backups(app, &user.token)
            .await
            .into_iter()
            .find(|b| b["id"] == id && b["processed"] == true)
    })
    .await
}

/// The path of `url` on this instance.
fn path_of(app: &Local, url: &str) -> String {
    url.strip_prefix(app.core.urls.base())
        .unwrap_or_else(|| panic!("{url} is not ours"))
        .to_owned()
}

/// Every file of a zip, by name.
fn unzip(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip file");
    let mut files = BTreeMap::new();
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).expect("an entry");
        let mut content = Vec::new();
        file.read_to_end(&mut content).expect("the entry's bytes");
        let name = file.name().expect("an entry name").into_owned();
        files.insert(name, content);
    }
    files
}

fn json_of(files: &BTreeMap<String, Vec<u8>>, name: &str) -> Value {
    let bytes = files
        .get(name)
        .unwrap_or_else(|| panic!("{name} in {:?}", files.keys().collect::<Vec<_>>()));
    serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"))
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// An ActivityStreams collection document: the AS2 context, its type and its items.
fn assert_collection(document: &Value, id: &str) {
    let context = document["@context"].to_string();
    assert!(
        context.contains("https://www.w3.org/ns/activitystreams"),
        "{id}: {context}"
    );
    assert_eq!(document["id"], id);
    assert_eq!(document["type"], "OrderedCollection");
    assert!(document["orderedItems"].is_array(), "{id}: {document:#}");
}

#[tokio::test]
async fn the_archive_holds_every_post_with_its_media_the_actor_and_the_marks() {
    let app = local().await;
    let _workers = JobWorkers::start(&app.core);
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let base = app.core.urls.base().to_owned();
    let alice_uri = app.core.urls.actor(&alice.username);
    let bob_uri = app.core.urls.actor(&bob.username);

    // An avatar, and a post with a picture.
    let avatar = encoded(&DynamicImage::new_rgb8(120, 120), ImageFormat::Png);
    let (content_type, body) = multipart(&[("avatar", Some("me.png"), "image/png", &avatar)]);
    app.patch("/api/v1/accounts/update_credentials")
        .auth(&alice)
        .body(&content_type, body)
        .ok()
        .await;
    let picture = encoded(&DynamicImage::new_rgb8(64, 48), ImageFormat::Png);
    let (content_type, body) = multipart(&[
        ("file", Some("cat.png"), "image/png", &picture),
        ("description", None, "", b"A black cat"),
    ]);
    let media = app
        .post("/api/v1/media")
        .auth(&alice)
        .body(&content_type, body)
        .ok()
        .await;
    let with_media = app
        .post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({ "status": "public, with a cat", "media_ids": [text_of(&media, "id")] }))
        .ok()
        .await;
    let stored_picture = app
        .get(&path_of(&app, media["url"].as_str().expect("a media url")))
        .send()
        .await
        .expect(200)
        .body;
    let unlisted = app.post_status(&alice, "unlisted", "unlisted").await;
    let private = app.post_status(&alice, "followers only", "private").await;
    let direct = app
        .post_status(&alice, &format!("@{} direct", bob.username), "direct")
        .await;
    let bobs = app.post_status(&bob, "bob's post", "public").await;
    let bobs_other = app.post_status(&bob, "bob's other post", "public").await;
    let boost = app
        .post(&format!("/api/v1/statuses/{}/reblog", text_of(&bobs, "id")))
        .auth(&alice)
        .ok()
        .await;
    app.post(&format!(
        "/api/v1/statuses/{}/favourite",
        text_of(&bobs, "id")
    ))
    .auth(&alice)
    .ok()
    .await;
    app.post(&format!(
        "/api/v1/statuses/{}/bookmark",
        text_of(&bobs_other, "id")
    ))
    .auth(&alice)
    .ok()
    .await;
    // Someone else's marks stay out of alice's archive.
    app.post(&format!(
        "/api/v1/statuses/{}/favourite",
        text_of(&bobs_other, "id")
    ))
    .auth(&bob)
    .ok()
    .await;

    let archive = built_archive(&app, &alice).await;
    let browser = Browser::new(&app.api);
    browser.use_token(&alice.token);
    let download = browser
        .get(&path_of(&app, archive["url"].as_str().expect("a url")))
        .await;
    assert_eq!(download.status(), 200, "{}", download.html);
    assert_eq!(
        download.reply.header("content-type").as_deref(),
        Some("application/zip")
    );
    assert_eq!(archive["file_size"], download.reply.body.len());
    let files = unzip(&download.reply.body);

    // outbox.json: every post, whatever its visibility, as the activities federation sends.
    let outbox = json_of(&files, "outbox.json");
    assert_collection(&outbox, "outbox.json");
    let items = outbox["orderedItems"].as_array().expect("items");
    assert_eq!(outbox["totalItems"], items.len());
    assert_eq!(items.len(), 5, "four posts and a boost: {outbox:#}");
    for item in items {
        assert!(item.get("@context").is_none(), "items carry no context");
        assert_eq!(item["actor"], alice_uri.as_str());
        assert!(item["id"].as_str().is_some_and(|id| id.starts_with(&base)));
    }
    let created = |status: &Value| -> Value {
        let uri = text_of(status, "uri");
        items
            .iter()
            .find(|item| item["type"] == "Create" && item["object"]["id"] == uri.as_str())
            .unwrap_or_else(|| panic!("a Create of {uri} in {outbox:#}"))
            .clone()
    };
    const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
    let public = created(&with_media);
    assert_eq!(public["object"]["type"], "Note");
    assert_eq!(public["object"]["attributedTo"], alice_uri.as_str());
    assert!(strings(&public["to"]).contains(&PUBLIC.to_owned()));
    assert!(
        public["object"]["content"]
            .as_str()
            .is_some_and(|c| c.contains("with a cat"))
    );
    assert!(public["object"]["published"].as_str().is_some());
    assert!(strings(&created(&unlisted)["cc"]).contains(&PUBLIC.to_owned()));
    let followers_only = created(&private);
    assert!(
        !strings(&followers_only["to"]).contains(&PUBLIC.to_owned())
            && !strings(&followers_only["cc"]).contains(&PUBLIC.to_owned())
    );
    assert_eq!(strings(&created(&direct)["to"]), [bob_uri]);
    let announce = items
        .iter()
        .find(|item| item["type"] == "Announce")
        .expect("the boost");
    assert_eq!(announce["id"], boost["uri"]);
    assert_eq!(announce["object"], bobs["uri"]);

    // The picture is in the zip where its attachment says, byte for byte.
    let attachment = &public["object"]["attachment"][0];
    assert_eq!(attachment["name"], "A black cat");
    let path = attachment["url"].as_str().expect("an attachment path");
    assert!(
        !path.starts_with("http") && !path.starts_with('/'),
        "{path}"
    );
    assert_eq!(
        files.get(path),
        Some(&stored_picture),
        "{path} in {:?}",
        files.keys().collect::<Vec<_>>()
    );

    // actor.json: the actor with its key, its picture beside it, and the archive's files.
    let actor = json_of(&files, "actor.json");
    assert_eq!(actor["id"], alice_uri.as_str());
    assert_eq!(actor["type"], "Person");
    assert_eq!(actor["preferredUsername"], alice.username.as_str());
    assert_eq!(actor["publicKey"]["owner"], alice_uri.as_str());
    let pem = actor["publicKey"]["publicKeyPem"].as_str().expect("a key");
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"), "{pem}");
    let served_actor = app
        .get(&path_of(&app, &alice_uri))
        .header("accept", "application/activity+json")
        .ok()
        .await;
    assert_eq!(actor["publicKey"], served_actor["publicKey"]);
    assert_eq!(actor["outbox"], "outbox.json");
    assert_eq!(actor["likes"], "likes.json");
    assert_eq!(actor["bookmarks"], "bookmarks.json");
    let avatar_name = actor["icon"]["url"].as_str().expect("an avatar");
    // Named as Mastodon names it, with the extension of the stored picture.
    let extension = served_actor["icon"]["url"]
        .as_str()
        .and_then(|url| url.rsplit_once('.'))
        .map(|(_, extension)| extension.to_owned())
        .expect("the served avatar's extension");
    assert_eq!(avatar_name, format!("avatar.{extension}"));
    let served_avatar = app
        .get(&path_of(
            &app,
            served_actor["icon"]["url"].as_str().unwrap(),
        ))
        .send()
        .await
        .expect(200)
        .body;
    assert_eq!(files.get(avatar_name), Some(&served_avatar));

    // likes.json and bookmarks.json: the posts' URIs, alice's own marks only.
    let likes = json_of(&files, "likes.json");
    assert_collection(&likes, "likes.json");
    assert_eq!(strings(&likes["orderedItems"]), [text_of(&bobs, "uri")]);
    let bookmarks = json_of(&files, "bookmarks.json");
    assert_collection(&bookmarks, "bookmarks.json");
    assert_eq!(
        strings(&bookmarks["orderedItems"]),
        [text_of(&bobs_other, "uri")]
    );
}

#[tokio::test]
async fn an_archive_is_downloaded_by_its_owner_only() {
    let app = local().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    app.post_status(&alice, "something to keep", "public").await;
    let asked = app.post("/api/v1/pleroma/backups").auth(&alice).ok().await;
    let path = path_of(&app, asked[0]["url"].as_str().expect("a url"));
    let owner = Browser::new(&app.api);
    owner.use_token(&alice.token);
    // Not built yet (no workers run): nothing to download, nothing half-made.
    assert_eq!(asked[0]["processed"], false);
    assert_eq!(owner.get(&path).await.status(), 404);

    let workers = JobWorkers::start(&app.core);
    let archive = wait_built(&app, &alice, &text_of(&asked[0], "id")).await;
    drop(workers);
    assert_eq!(path_of(&app, archive["url"].as_str().unwrap()), path);
    let mine = owner.get(&path).await;
    assert_eq!(mine.status(), 200);
    assert!(mine.reply.body.starts_with(b"PK"), "a zip");
    let disposition = mine.reply.header("content-disposition").unwrap();
    assert!(
        disposition.contains(&format!("archive-{}-", alice.username)),
        "{disposition}"
    );

    // Someone else signed in: not found. Nobody signed in: the sign-in page first.
    let other = Browser::new(&app.api);
    other.use_token(&bob.token);
    let refused = other.get(&path).await;
    assert_eq!(refused.status(), 404);
    assert!(!refused.reply.body.starts_with(b"PK"));
    let anonymous = Browser::new(&app.api).get(&path).await;
    assert_eq!(anonymous.status(), 303);
    assert!(
        anonymous.location().starts_with("/auth/sign_in?next="),
        "{}",
        anonymous.location()
    );
    // Bob's list does not show it; a bearer token is no way in either.
    assert!(backups(&app, &bob.token).await.is_empty());
    app.get(&path).token(&bob.token).send().await.expect(303);
    // The zip is not served as a media file.
    let listed = app.core.store.archive(archive_id(&archive)).await.unwrap();
    let key = listed.expect("the archive").file_key;
    app.get(&format!("/media/{key}")).send().await.expect(404);
}

#[tokio::test]
async fn a_build_cut_short_starts_again_and_shows_nothing_half_made() {
    let app = local().await;
    let alice = app.register("alice").await;
    for n in 0..3 {
        app.post_status(&alice, &format!("post {n}"), "public")
            .await;
    }
    let asked = app.post("/api/v1/pleroma/backups").auth(&alice).ok().await;
    let id = archive_id(&asked[0]);
    // As a worker that died part-way leaves it: the archive running, some progress saved,
    // and bytes under its key that are not a whole zip.
    app.core.store.set_archive_progress(id, 2, 3).await.unwrap();
    let key = app
        .core
        .store
        .archive(id)
        .await
        .unwrap()
        .expect("the archive")
        .file_key;
    app.core
        .media
        .put(&key, b"PK\x03\x04 cut short".to_vec())
        .await
        .unwrap();
    let listed = backups(&app, &alice.token).await;
    assert_eq!(listed[0]["state"], "running");
    assert_eq!(listed[0]["processed"], false);
    assert_eq!(listed[0]["processed_number"], 2);
    let browser = Browser::new(&app.api);
    browser.use_token(&alice.token);
    let path = path_of(&app, listed[0]["url"].as_str().unwrap());
    assert_eq!(browser.get(&path).await.status(), 404, "nothing half-made");

    // The job's next attempt builds it again from the start.
    let _workers = JobWorkers::start(&app.core);
    let archive = wait_built(&app, &alice, &text_of(&asked[0], "id")).await;
    assert_eq!(archive["state"], "complete");
    assert_eq!(archive["processed_number"], 3);
    let download = browser.get(&path).await;
    assert_eq!(download.status(), 200);
    let files = unzip(&download.reply.body);
    let outbox = json_of(&files, "outbox.json");
    assert_eq!(outbox["totalItems"], 3);
}

fn archive_id(entity: &Value) -> rhizome_model::Id {
    text_of(entity, "id").parse().expect("an id")
}

#[tokio::test]
async fn one_archive_a_day_as_akkoma_answers() {
    let app = local().await;
    let alice = app.register("alice").await;
    let first = app.post("/api/v1/pleroma/backups").auth(&alice).ok().await;
    let entity = &first[0];
    for (key, kind) in [
        ("id", "string"),
        ("content_type", "string"),
        ("file_name", "string"),
        ("file_size", "number"),
        ("processed", "boolean"),
        ("state", "string"),
        ("processed_number", "number"),
        ("inserted_at", "string"),
        ("url", "string"),
    ] {
        let value = &entity[key];
        let ok = match kind {
            "string" => value.is_string(),
            "number" => value.is_number(),
            _ => value.is_boolean(),
        };
        assert!(ok, "{key} should be a {kind}: {entity:#}");
    }
    assert_eq!(entity["content_type"], "application/zip");
    assert_eq!(entity["state"], "pending");
    assert!(is_datetime(entity["inserted_at"].as_str().unwrap()));
    assert!(
        entity["file_name"]
            .as_str()
            .is_some_and(|n| n.starts_with("archive-") && n.ends_with(".zip"))
    );
    let again = app
        .post("/api/v1/pleroma/backups")
        .auth(&alice)
        .send()
        .await
        .error(400);
    assert_eq!(again, "Last export was less than a day ago");
    assert_eq!(backups(&app, &alice.token).await.len(), 1);
    // Someone else may still ask for theirs.
    let bob = app.register("bob").await;
    app.post("/api/v1/pleroma/backups").auth(&bob).ok().await;
}

#[tokio::test]
async fn the_backups_endpoints_enforce_their_scopes() {
    let app = local().await;
    let alice = app.register("alice").await;
    app.get("/api/v1/pleroma/backups").send().await.expect(401);
    app.post("/api/v1/pleroma/backups").send().await.expect(401);
    let unrelated = app.token(&alice, "read:statuses write:statuses").await;
    app.get("/api/v1/pleroma/backups")
        .token(&unrelated)
        .send()
        .await
        .expect(403);
    app.post("/api/v1/pleroma/backups")
        .token(&unrelated)
        .send()
        .await
        .expect(403);
    let reader = app.token(&alice, "read:backups").await;
    assert!(backups(&app, &reader).await.is_empty());
    app.post("/api/v1/pleroma/backups")
        .token(&reader)
        .send()
        .await
        .expect(403);
    assert!(backups(&app, &reader).await.is_empty(), "nothing was asked");
    let writer = app.token(&alice, "write:backups").await;
    app.get("/api/v1/pleroma/backups")
        .token(&writer)
        .send()
        .await
        .expect(403);
    let made = app
        .post("/api/v1/pleroma/backups")
        .token(&writer)
        .ok()
        .await;
    assert_eq!(made.as_array().map(Vec::len), Some(1));
    // The broad scopes cover them, as `read` covers every `read:*`.
    let broad = app.token(&alice, "read").await;
    assert_eq!(backups(&app, &broad).await.len(), 1);
}

#[tokio::test]
async fn the_daily_upkeep_removes_archives_a_week_old() {
    let app = local().await;
    let _workers = JobWorkers::start(&app.core);
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let old = built_archive(&app, &alice).await;
    let old_key = app
        .core
        .store
        .archive(archive_id(&old))
        .await
        .unwrap()
        .expect("the archive")
        .file_key;
    assert!(app.core.media.exists(&old_key).await.unwrap());

    // The same instance on a clock where a week passes in three seconds.
    let week = Clock::scaled(7.0 * 24.0 * 3600.0 / 3.0);
    let later = Core::new(app.core.store.clone(), (*app.core.config).clone(), week)
        .await
        .expect("core");
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let fresh = built_archive(&app, &bob).await;
    let day = later.clock.now().0 / 86_400_000;
    later
        .run_daily_maintenance(rhizome_core::maintenance::DailyMaintenance { day })
        .await
        .expect("the upkeep");

    assert!(backups(&app, &alice.token).await.is_empty());
    assert!(!app.core.media.exists(&old_key).await.unwrap());
    let browser = Browser::new(&app.api);
    browser.use_token(&alice.token);
    let gone = browser
        .get(&path_of(&app, old["url"].as_str().unwrap()))
        .await;
    assert_eq!(gone.status(), 404);
    // A newer archive stays.
    let kept = backups(&app, &bob.token).await;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["id"], fresh["id"]);
}

#[tokio::test]
#[cfg_attr(
    not(s3_tests),
    ignore = "set RHIZOME_TEST_S3_SERVER=moto_server (pip install 'moto[server]') to run"
)]
async fn archives_are_sent_to_s3_in_parts() {
    let s3 = start_s3().await;
    let app = local_with(&[
        ("RHIZOME_STORAGE_BACKEND", "s3"),
        ("RHIZOME_STORAGE_S3_ENDPOINT", &s3.endpoint),
        ("RHIZOME_STORAGE_S3_BUCKET", "rhizome-media"),
        ("RHIZOME_STORAGE_S3_ACCESS_KEY_ID", "test"),
        ("RHIZOME_STORAGE_S3_SECRET_ACCESS_KEY", "test"),
    ])
    .await;

    // A file of three parts comes back whole.
    let bytes: Vec<u8> = (0..20 * 1024 * 1024_u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let mut file = tempfile::tempfile().unwrap();
    file.write_all(&bytes).unwrap();
    file.seek(SeekFrom::Start(0)).unwrap();
    let key = "archives/parts-test.zip";
    let size = app.core.media.put_file(key, file).await.unwrap();
    assert_eq!(size, bytes.len() as u64);
    let stored = app.core.media.get(key).await.unwrap().expect("the file");
    assert!(stored == bytes.as_slice(), "the parts come back in order");

    // An archive with a picture, built, stored in the bucket and downloaded.
    let _workers = JobWorkers::start(&app.core);
    let alice = app.register("alice").await;
    let picture = encoded(&DynamicImage::new_rgb8(32, 32), ImageFormat::Png);
    let (content_type, body) = multipart(&[("file", Some("a.png"), "image/png", &picture)]);
    let media = app
        .post("/api/v1/media")
        .auth(&alice)
        .body(&content_type, body)
        .ok()
        .await;
    app.post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({ "status": "in the bucket", "media_ids": [text_of(&media, "id")] }))
        .ok()
        .await;
    let archive = built_archive(&app, &alice).await;
    let browser = Browser::new(&app.api);
    browser.use_token(&alice.token);
    let download = browser
        .get(&path_of(&app, archive["url"].as_str().unwrap()))
        .await;
    assert_eq!(download.status(), 200);
    let files = unzip(&download.reply.body);
    let outbox = json_of(&files, "outbox.json");
    let path = outbox["orderedItems"][0]["object"]["attachment"][0]["url"]
        .as_str()
        .expect("the picture's path")
        .to_owned();
    assert!(files.contains_key(&path), "{path}");
}

#[tokio::test]
async fn deleting_the_account_removes_its_archives_files() {
    let app = local().await;
    let _workers = JobWorkers::start(&app.core);
    let alice = app.register("alice").await;
    let archive = built_archive(&app, &alice).await;
    let key = app
        .core
        .store
        .archive(archive_id(&archive))
        .await
        .unwrap()
        .expect("the archive")
        .file_key;
    assert!(app.core.media.exists(&key).await.unwrap());
    app.post("/api/pleroma/delete_account")
        .auth(&alice)
        .form(&[("password", support::api::PASSWORD)])
        .ok()
        .await;
    // The purge runs in the workers; the file goes with the account's last batch.
    let deadline = Instant::now() + Duration::from_secs(15);
    while app.core.media.exists(&key).await.unwrap() {
        assert!(
            Instant::now() < deadline,
            "the archive's file outlived its account"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn an_archive_stays_downloadable_by_its_link_until_the_deletion_completes() {
    let app = local().await;
    let alice = app.register("alice").await;
    let workers = JobWorkers::start(&app.core);
    let archive = built_archive(&app, &alice).await;
    // No workers while the deletion is under way: its purge waits in the queue.
    drop(workers);
    let browser = Browser::new(&app.api);
    browser.use_token(&alice.token);
    let done = browser
        .submit(
            "/settings/delete",
            "/settings/delete",
            &[
                ("password", support::api::PASSWORD),
                ("confirmation", alice.username.as_str()),
            ],
        )
        .await;
    assert_eq!(done.status(), 200, "{}", done.html);
    let id = archive["id"].as_str().unwrap();
    let start = done
        .html
        .find(&format!("/settings/data/archives/{id}?token="))
        .expect("a link to the archive");
    let link = done.html[start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&#38;", "&");
    // Anyone with the link, signed in or not (the owner no longer can be).
    let zip = app.get(&link).send().await.expect(200);
    assert_eq!(
        zip.header("content-type").as_deref(),
        Some("application/zip")
    );
    assert!(unzip(&zip.body).contains_key("outbox.json"));
    // A forged token, or another archive's, is not enough.
    app.get(&format!("/settings/data/archives/{id}?token=forged"))
        .send()
        .await
        .expect(404);
    // Once the deletion completes, the archive and its link are gone.
    let _workers = JobWorkers::start(&app.core);
    let deadline = Instant::now() + Duration::from_secs(15);
    while app.get(&link).send().await.status.as_u16() == 200 {
        assert!(Instant::now() < deadline, "the link outlived the deletion");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.get(&link).send().await.expect(404);
}
