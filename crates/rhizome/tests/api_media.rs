//! Media through the client API: uploads checked by their bytes, stripped of metadata,
//! previewed and served safely; attached to posts by their owner only; avatars and headers;
//! the clean-up of uploads nobody posted.

mod support;

use std::path::{Path, PathBuf};

use image::{DynamicImage, ImageFormat};
use serde_json::{Value, json};
use support::api::{Api, Local, User, local, local_with, path_of, start_server, text_of};
use support::media::{
    SECRET, contains, encoded, jpeg_with_exif, multipart, png_bomb, png_with_text, remote_host,
};

async fn upload(
    app: &Api,
    user: &User,
    path: &str,
    parts: &[(&str, Option<&str>, &str, &[u8])],
) -> support::api::Reply {
    let (content_type, body) = multipart(parts);
    app.post(path)
        .auth(user)
        .body(&content_type, body)
        .send()
        .await
}

async fn upload_file(app: &Api, user: &User, name: &str, bytes: &[u8]) -> Value {
    upload(
        app,
        user,
        "/api/v2/media",
        &[("file", Some(name), "application/octet-stream", bytes)],
    )
    .await
    .expect(200)
    .json()
}

/// Fetches one of our media URLs through the app.
async fn fetch(app: &Local, url: &str) -> support::api::Reply {
    let path = url
        .strip_prefix(app.core.urls.base())
        .unwrap_or_else(|| panic!("{url} is not ours"));
    app.get(path).send().await
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                files_under(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

fn media_dir(app: &Local) -> PathBuf {
    match &app.core.config.media.backend {
        rhizome_core::media::storage::StorageBackend::Local { dir } => dir.clone(),
        other => panic!("not local storage: {other:?}"),
    }
}

#[tokio::test]
async fn uploads_lose_their_metadata_and_get_previews() {
    let app = local().await;
    let alice = app.register("alice").await;

    let jpeg = upload(
        &app,
        &alice,
        "/api/v1/media",
        &[
            ("file", Some("holiday.jpg"), "image/jpeg", &jpeg_with_exif()),
            ("description", None, "", b"A grey rectangle"),
            ("focus", None, "", b"0.5,-0.25"),
        ],
    )
    .await
    .expect(200)
    .json();
    assert_eq!(jpeg["type"], "image");
    assert_eq!(jpeg["description"], "A grey rectangle");
    // Turned upright: the EXIF orientation is applied, so 64 × 48 becomes 48 × 64.
    assert_eq!(jpeg["meta"]["original"]["width"], 48, "{jpeg:#}");
    assert_eq!(jpeg["meta"]["original"]["height"], 64);
    assert_eq!(jpeg["meta"]["focus"]["x"], 0.5);
    assert_eq!(jpeg["meta"]["focus"]["y"], -0.25);
    assert!(
        jpeg["blurhash"].as_str().is_some_and(|b| b.len() >= 6),
        "{jpeg:#}"
    );

    let original = fetch(&app, jpeg["url"].as_str().unwrap()).await.expect(200);
    assert_eq!(
        original.header("content-type").as_deref(),
        Some("image/jpeg")
    );
    assert_eq!(
        original.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
    assert!(
        original
            .header("content-security-policy")
            .is_some_and(|csp| csp.contains("sandbox") && csp.contains("default-src 'none'"))
    );
    assert!(!contains(&original.body, b"Exif"), "the EXIF block is gone");
    assert!(!contains(&original.body, SECRET), "the location is gone");
    let decoded = image::load_from_memory(&original.body).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (48, 64));
    let preview = fetch(&app, jpeg["preview_url"].as_str().unwrap())
        .await
        .expect(200);
    assert!(image::load_from_memory(&preview.body).is_ok());

    let png = upload_file(&app, &alice, "drawing.png", &png_with_text()).await;
    assert_eq!(png["meta"]["original"]["width"], 30);
    assert_eq!(png["meta"]["original"]["height"], 20);
    assert_eq!(png["meta"]["original"]["aspect"], 1.5);
    let stored = fetch(&app, png["url"].as_str().unwrap()).await.expect(200);
    assert_eq!(stored.header("content-type").as_deref(), Some("image/png"));
    assert!(!contains(&stored.body, SECRET), "text chunks are gone");
    assert!(!contains(&stored.body, b"tEXt"));

    // The owner reads and describes it; nobody else sees it.
    let id = text_of(&png, "id");
    let read = app
        .get(&format!("/api/v1/media/{id}"))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(read["url"], png["url"]);
    let updated = app
        .put(&format!("/api/v1/media/{id}"))
        .auth(&alice)
        .json(json!({ "description": "a sketch", "focus": "0,0" }))
        .ok()
        .await;
    assert_eq!(updated["description"], "a sketch");
    assert_eq!(updated["meta"]["focus"]["x"], 0.0);
    let bob = app.register("bob").await;
    app.get(&format!("/api/v1/media/{id}"))
        .auth(&bob)
        .send()
        .await
        .error(404);
    app.put(&format!("/api/v1/media/{id}"))
        .auth(&bob)
        .json(json!({ "description": "mine now" }))
        .send()
        .await
        .error(404);
}

#[tokio::test]
async fn bombs_disguised_files_and_bad_input_are_refused_and_nothing_is_stored() {
    let app = local().await;
    let alice = app.register("alice").await;
    let refused = |name: &'static str, bytes: Vec<u8>| {
        let app = &app;
        let alice = &alice;
        async move {
            let reply = upload(
                app,
                alice,
                "/api/v2/media",
                &[("file", Some(name), "image/png", &bytes)],
            )
            .await;
            reply.error(422)
        }
    };
    let bomb = refused("bomb.png", png_bomb()).await;
    assert!(bomb.contains("pixels"), "{bomb}");
    let html = refused(
        "cat.png",
        b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
            .to_vec(),
    )
    .await;
    assert!(html.contains("not supported"), "{html}");
    refused(
        "logo.png",
        br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec(),
    )
    .await;
    refused("empty.png", Vec::new()).await;

    // No file at all, a wrong focus, a description too long.
    upload(
        &app,
        &alice,
        "/api/v2/media",
        &[("description", None, "", b"nothing")],
    )
    .await
    .error(422);
    let small = encoded(&DynamicImage::new_rgb8(4, 4), ImageFormat::Png);
    upload(
        &app,
        &alice,
        "/api/v2/media",
        &[
            ("file", Some("a.png"), "image/png", &small),
            ("focus", None, "", b"2,0"),
        ],
    )
    .await
    .error(422);
    let long = "x".repeat(1501);
    upload(
        &app,
        &alice,
        "/api/v2/media",
        &[
            ("file", Some("a.png"), "image/png", &small),
            ("description", None, "", long.as_bytes()),
        ],
    )
    .await
    .error(422);
    assert!(
        files_under(&media_dir(&app)).is_empty(),
        "nothing was stored"
    );

    // The right scope is needed, and a token.
    let reader = app.token(&alice, "read").await;
    let (content_type, body) = multipart(&[("file", Some("a.png"), "image/png", &small)]);
    app.post("/api/v2/media")
        .token(&reader)
        .body(&content_type, body.clone())
        .send()
        .await
        .error(403);
    app.post("/api/v2/media")
        .body(&content_type, body)
        .send()
        .await
        .error(401);
}

#[tokio::test]
async fn size_limits_come_from_the_configuration_and_are_announced() {
    let app = local_with(&[
        ("RHIZOME_MEDIA_MAX_IMAGE_BYTES", "2000"),
        ("RHIZOME_MEDIA_MAX_ATTACHMENTS", "2"),
    ])
    .await;
    let alice = app.register("alice").await;
    let config = app.get("/api/v2/instance").ok().await["configuration"].clone();
    assert_eq!(config["media_attachments"]["image_size_limit"], 2000);
    assert_eq!(config["statuses"]["max_media_attachments"], 2);
    assert!(
        config["media_attachments"]["supported_mime_types"]
            .as_array()
            .unwrap()
            .contains(&json!("image/webp"))
    );

    let noisy = DynamicImage::ImageRgb8(image::RgbImage::from_fn(200, 200, |x, y| {
        image::Rgb([
            (x * 7 % 251) as u8,
            (y * 13 % 241) as u8,
            ((x * y) % 239) as u8,
        ])
    }));
    let big = encoded(&noisy, ImageFormat::Png);
    assert!(big.len() > 2000);
    let message = upload(
        &app,
        &alice,
        "/api/v2/media",
        &[("file", Some("big.png"), "image/png", &big)],
    )
    .await
    .error(422);
    assert!(message.contains("smaller than 2 KB"), "{message}");

    let small = encoded(&DynamicImage::new_rgb8(4, 4), ImageFormat::Png);
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(text_of(
            &upload_file(&app, &alice, "s.png", &small).await,
            "id",
        ));
    }
    let message = app
        .post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({ "status": "three", "media_ids": ids }))
        .send()
        .await
        .error(422);
    assert!(message.contains("at most 2"), "{message}");
}

#[tokio::test]
async fn posts_carry_their_authors_uploads_once() {
    let app = local().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let small = encoded(&DynamicImage::new_rgb8(8, 8), ImageFormat::Png);
    let first = text_of(&upload_file(&app, &alice, "1.png", &small).await, "id");
    let second = text_of(&upload_file(&app, &alice, "2.png", &small).await, "id");

    // Someone else's upload cannot be attached.
    app.post("/api/v1/statuses")
        .auth(&bob)
        .json(json!({ "status": "stolen", "media_ids": [first] }))
        .send()
        .await
        .error(422);

    // Media without text is a post; the order asked is kept.
    let status = app
        .post("/api/v1/statuses")
        .auth(&alice)
        .form(&[("media_ids[]", &second), ("media_ids[]", &first)])
        .ok()
        .await;
    let attached: Vec<&str> = status["media_attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(attached, [second.as_str(), first.as_str()]);
    let post = text_of(&status, "id");
    let seen = app.get(&format!("/api/v1/statuses/{post}")).ok().await;
    assert_eq!(seen["media_attachments"][0]["type"], "image");
    assert!(
        fetch(&app, seen["media_attachments"][0]["url"].as_str().unwrap())
            .await
            .status
            .is_success()
    );

    // Attached once: not twice, and no longer changed through /media.
    app.post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({ "status": "again", "media_ids": [first] }))
        .send()
        .await
        .error(422);
    app.put(&format!("/api/v1/media/{first}"))
        .auth(&alice)
        .json(json!({ "description": "late" }))
        .send()
        .await
        .error(404);

    // An edit drops one; deleting the post keeps the rest for a redraft.
    let edited = app
        .put(&format!("/api/v1/statuses/{post}"))
        .auth(&alice)
        .json(json!({ "status": "now with words", "media_ids": [first] }))
        .ok()
        .await;
    assert_eq!(edited["media_attachments"].as_array().unwrap().len(), 1);
    let deleted = app
        .delete(&format!("/api/v1/statuses/{post}"))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(deleted["media_attachments"][0]["id"], first.as_str());
    let redraft = app
        .post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({ "status": "redrafted", "media_ids": [first] }))
        .ok()
        .await;
    assert_eq!(redraft["media_attachments"][0]["id"], first.as_str());
}

#[tokio::test]
async fn unposted_uploads_are_cleaned_up() {
    let app = local_with(&[("RHIZOME_MEDIA_UNATTACHED_HOURS", "0")]).await;
    let alice = app.register("alice").await;
    let small = encoded(&DynamicImage::new_rgb8(8, 8), ImageFormat::Png);
    let kept = text_of(&upload_file(&app, &alice, "kept.png", &small).await, "id");
    let lost = upload_file(&app, &alice, "lost.png", &small).await;
    app.post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({ "status": "kept", "media_ids": [kept] }))
        .ok()
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert_eq!(app.core.prune_unattached_media().await.unwrap(), 1);
    app.get(&format!("/api/v1/media/{}", text_of(&lost, "id")))
        .auth(&alice)
        .send()
        .await
        .error(404);
    fetch(&app, lost["url"].as_str().unwrap()).await.expect(404);
    app.get(&format!("/api/v1/media/{kept}"))
        .auth(&alice)
        .ok()
        .await;
    // The posted one's original and preview remain.
    assert_eq!(files_under(&media_dir(&app)).len(), 2);
}

#[tokio::test]
async fn avatars_and_headers_are_resized_and_stripped() {
    let app = local().await;
    let alice = app.register("alice").await;
    let photo = DynamicImage::new_rgb8(1000, 800);
    // The JPEG with a location in its EXIF, as an avatar: stripped too.
    let avatar = jpeg_with_exif();
    let header = encoded(&photo, ImageFormat::Png);
    let (content_type, body) = multipart(&[
        ("avatar", Some("me.jpg"), "image/jpeg", &avatar),
        ("header", Some("header.png"), "image/png", &header),
        ("display_name", None, "", b"Alice"),
    ]);
    let account = app
        .patch("/api/v1/accounts/update_credentials")
        .auth(&alice)
        .body(&content_type, body)
        .ok()
        .await;
    assert_eq!(account["display_name"], "Alice");
    let avatar_url = account["avatar"].as_str().unwrap();
    assert!(avatar_url.contains("/media/accounts/"), "{avatar_url}");
    let served = fetch(&app, avatar_url).await.expect(200);
    assert!(!contains(&served.body, SECRET));
    let decoded = image::load_from_memory(&served.body).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (400, 400));
    let served = fetch(&app, account["header"].as_str().unwrap())
        .await
        .expect(200);
    let decoded = image::load_from_memory(&served.body).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (1500, 500));

    // A refused picture changes nothing.
    let (content_type, body) = multipart(&[
        ("avatar", Some("x.png"), "image/png", b"<html></html>"),
        ("display_name", None, "", b"Mallory"),
    ]);
    app.patch("/api/v1/accounts/update_credentials")
        .auth(&alice)
        .body(&content_type, body)
        .send()
        .await
        .error(422);
    let me = app
        .get("/api/v1/accounts/verify_credentials")
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(me["display_name"], "Alice");
    assert_eq!(me["avatar"], avatar_url);
}

#[tokio::test]
async fn media_urls_can_point_at_another_domain() {
    let app = local_with(&[(
        "RHIZOME_STORAGE_MEDIA_BASE_URL",
        "https://media.example.org/",
    )])
    .await;
    let alice = app.register("alice").await;
    let small = encoded(&DynamicImage::new_rgb8(8, 8), ImageFormat::Png);
    let media = upload_file(&app, &alice, "a.png", &small).await;
    let url = media["url"].as_str().unwrap();
    assert!(
        url.starts_with("https://media.example.org/attachments/"),
        "{url}"
    );
}

#[tokio::test]
async fn keys_that_are_not_ours_are_not_served() {
    let app = local().await;
    for path in [
        "/media/../rhizome.db",
        "/media/attachments/%2e%2e/x.png",
        "/media/x.html",
        "/media/nothing.png",
    ] {
        let reply = app.get(path).send().await;
        assert!(reply.status.is_client_error(), "{path}: {}", reply.status);
    }
}

#[tokio::test]
async fn bodies_beyond_the_largest_upload_are_cut_off() {
    let app = local_with(&[
        ("RHIZOME_MEDIA_MAX_IMAGE_BYTES", "2000"),
        ("RHIZOME_MEDIA_MAX_VIDEO_BYTES", "3000"),
    ])
    .await;
    let alice = app.register("alice").await;
    let junk = vec![0u8; 10_000];
    let message = upload(
        &app,
        &alice,
        "/api/v2/media",
        &[("file", Some("big.mp4"), "video/mp4", &junk)],
    )
    .await
    .error(413);
    assert!(message.contains("smaller than 3 KB"), "{message}");
    assert!(files_under(&media_dir(&app)).is_empty());
}

#[tokio::test]
async fn remote_media_is_cached_served_from_here_pruned_and_fetched_again() {
    use std::sync::atomic::Ordering;
    let app = local_with(&[
        ("RHIZOME_FEDERATION_ALLOW_HTTP", "true"),
        ("RHIZOME_FEDERATION_ALLOW_PRIVATE_ADDRESSES", "true"),
        ("RHIZOME_MEDIA_REMOTE_CACHE_MAX_BYTES", "0"),
    ])
    .await;
    let image = encoded(&DynamicImage::new_rgb8(16, 16), ImageFormat::Png);
    let host = remote_host(image.clone()).await;
    let remote = format!("{}/files/cat.png", host.base);

    // A remote account's avatar is given out as one of our URLs.
    let mut account = rhizome_testkit::fixtures::remote_account(77, "carol", "remote.example");
    account.avatar_url = Some(remote.clone());
    let account = app
        .core
        .store
        .upsert_remote_account(&account)
        .await
        .unwrap();
    let entity = app
        .get(&format!("/api/v1/accounts/{}", account.id))
        .ok()
        .await;
    let proxied = entity["avatar"].as_str().unwrap().to_owned();
    assert!(
        proxied.starts_with(&format!("{}/proxy/", app.core.urls.base())),
        "{proxied}"
    );
    assert!(
        !proxied.contains(&host.base),
        "the remote address is not shown"
    );

    // First use fetches it; the second is served from the cache.
    let first = fetch(&app, &proxied).await.expect(200);
    assert_eq!(first.body, image);
    assert_eq!(first.header("content-type").as_deref(), Some("image/png"));
    assert_eq!(
        first.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
    fetch(&app, &proxied).await.expect(200);
    assert_eq!(host.hits.load(Ordering::SeqCst), 1);

    // Only URLs this instance made are fetched, and only media types we serve.
    let forged = proxied.replacen("/proxy/", "/proxy/AAAA", 1);
    fetch(&app, &forged).await.expect(404);
    let page = app
        .core
        .proxied_url(&format!("{}/files/page.png", host.base));
    fetch(&app, &page).await.expect(404);

    // The budget is 0 bytes: a prune empties the cache; the next view fetches again.
    let report = app.core.prune_media_cache(&|_, _| {}).await.unwrap();
    assert_eq!((report.files, report.files_left), (1, 0));
    assert_eq!(report.bytes, image.len() as u64);
    assert_eq!(fetch(&app, &proxied).await.expect(200).body, image);
    assert_eq!(host.hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn large_images_are_processed_by_a_worker_while_the_app_waits() {
    // In-process (no workers): the upload stays "processing" until its job is run by hand.
    let app = local_with(&[("RHIZOME_MEDIA_PROCESS_LATER_BYTES", "1000")]).await;
    let alice = app.register("alice").await;
    let noisy = DynamicImage::ImageRgb8(image::RgbImage::from_fn(120, 90, |x, y| {
        image::Rgb([
            (x * 7 % 251) as u8,
            (y * 13 % 241) as u8,
            ((x * y) % 239) as u8,
        ])
    }));
    let big = encoded(&noisy, ImageFormat::Png);
    let reply = upload(
        &app,
        &alice,
        "/api/v2/media",
        &[("file", Some("big.png"), "image/png", &big)],
    )
    .await;
    assert_eq!(reply.status.as_u16(), 202, "{}", reply.text());
    let pending = reply.json();
    assert!(pending["url"].is_null(), "{pending:#}");
    let id = text_of(&pending, "id");
    let reply = app
        .get(&format!("/api/v1/media/{id}"))
        .auth(&alice)
        .send()
        .await;
    assert_eq!(reply.status.as_u16(), 206);
    let message = app
        .post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({ "status": "too soon", "media_ids": [id] }))
        .send()
        .await
        .error(422);
    assert!(message.contains("not finished processing"), "{message}");
    // v1 always answers once processed.
    let now = upload(
        &app,
        &alice,
        "/api/v1/media",
        &[("file", Some("big.png"), "image/png", &big)],
    )
    .await;
    assert_eq!(now.status.as_u16(), 200);

    let job = rhizome_core::media::ProcessMedia {
        id: id.parse().unwrap(),
    };
    app.core.run_process_media(job).await.unwrap();
    let ready = app
        .get(&format!("/api/v1/media/{id}"))
        .auth(&alice)
        .ok()
        .await;
    assert_eq!(ready["meta"]["original"]["width"], 120);
    assert!(ready["blurhash"].is_string());
    fetch(&app, ready["url"].as_str().unwrap())
        .await
        .expect(200);
    app.post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({ "status": "now", "media_ids": [id] }))
        .ok()
        .await;

    // A bomb that waits for a worker is refused there, and removed.
    let app = local_with(&[("RHIZOME_MEDIA_PROCESS_LATER_BYTES", "10")]).await;
    let alice = app.register("alice").await;
    let reply = upload(
        &app,
        &alice,
        "/api/v2/media",
        &[("file", Some("bomb.png"), "image/png", &png_bomb())],
    )
    .await;
    assert_eq!(reply.status.as_u16(), 202);
    let id = text_of(&reply.json(), "id");
    let job = rhizome_core::media::ProcessMedia {
        id: id.parse().unwrap(),
    };
    app.core.run_process_media(job).await.unwrap();
    app.get(&format!("/api/v1/media/{id}"))
        .auth(&alice)
        .send()
        .await
        .error(404);
    assert!(files_under(&media_dir(&app)).is_empty());
}

#[tokio::test]
async fn a_running_server_processes_large_uploads_in_the_background() {
    let server = start_server(&[("RHIZOME_MEDIA_PROCESS_LATER_BYTES", "1000")]);
    let api = server.api();
    let alice = api.register("alice").await;
    let noisy = DynamicImage::ImageRgb8(image::RgbImage::from_fn(100, 100, |x, y| {
        image::Rgb([
            (x * 11 % 251) as u8,
            (y * 3 % 241) as u8,
            ((x + y) % 239) as u8,
        ])
    }));
    let big = encoded(&noisy, ImageFormat::Png);
    let reply = upload(
        &api,
        &alice,
        "/api/v2/media",
        &[("file", Some("big.png"), "image/png", &big)],
    )
    .await;
    assert_eq!(reply.status.as_u16(), 202, "{}", reply.text());
    let id = text_of(&reply.json(), "id");
    server.settle().await;
    let ready = api
        .get(&format!("/api/v1/media/{id}"))
        .auth(&alice)
        .ok()
        .await;
    let url = ready["url"].as_str().expect("processed");
    let served = api.get(&path_of(&api, url)).send().await.expect(200);
    assert_eq!(image::load_from_memory(&served.body).unwrap().width(), 100);
}

/// The start of an MP4 file: enough to be recognised, not to be played.
fn mp4_header() -> Vec<u8> {
    let mut bytes = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2".to_vec();
    bytes.extend_from_slice(&[0u8; 64]);
    bytes
}

#[tokio::test]
async fn video_without_the_tools_is_kept_as_uploaded_with_a_generic_preview() {
    let app = local_with(&[("RHIZOME_MEDIA_FFPROBE", ""), ("RHIZOME_MEDIA_FFMPEG", "")]).await;
    let alice = app.register("alice").await;
    let video = mp4_header();
    let media = upload_file(&app, &alice, "clip.mp4", &video).await;
    assert_eq!(media["type"], "video", "{media:#}");
    assert!(media["preview_url"].is_null(), "no preview to show");
    let served = fetch(&app, media["url"].as_str().unwrap())
        .await
        .expect(200);
    assert_eq!(served.header("content-type").as_deref(), Some("video/mp4"));
    assert_eq!(served.body, video, "served as uploaded");
    let status = app
        .post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({ "status": "a clip", "media_ids": [text_of(&media, "id")] }))
        .ok()
        .await;
    assert_eq!(status["media_attachments"][0]["type"], "video");
}

#[tokio::test]
#[cfg_attr(
    not(ffmpeg_tests),
    ignore = "set RHIZOME_TEST_FFMPEG=1 with ffmpeg and ffprobe installed to run"
)]
async fn video_gets_its_duration_size_and_a_preview_frame_from_ffmpeg() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("clip.mp4");
    let made = std::process::Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=2:size=160x120:rate=10",
        ])
        .args(["-c:v", "mpeg4", "-y"])
        .arg(&clip)
        .status()
        .expect("ffmpeg runs");
    assert!(made.success());
    let app = local().await;
    let alice = app.register("alice").await;
    let media = upload_file(&app, &alice, "clip.mp4", &std::fs::read(&clip).unwrap()).await;
    assert_eq!(media["type"], "video");
    assert_eq!(media["meta"]["original"]["width"], 160, "{media:#}");
    assert_eq!(media["meta"]["original"]["height"], 120);
    assert_eq!(media["meta"]["original"]["frame_rate"], "10/1");
    let duration = media["meta"]["original"]["duration"].as_f64().unwrap();
    assert!((1.9..=2.1).contains(&duration), "{duration}");
    assert_eq!(media["meta"]["length"], "0:00:02.00");
    assert!(media["blurhash"].is_string());
    let preview = fetch(&app, media["preview_url"].as_str().unwrap())
        .await
        .expect(200);
    let frame = image::load_from_memory(&preview.body).unwrap();
    assert_eq!((frame.width(), frame.height()), (160, 120));
}
