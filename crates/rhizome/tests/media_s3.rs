//! The media flows on S3-compatible object storage: a real S3 server (the command in
//! `RHIZOME_TEST_S3_SERVER`, moto's `moto_server` in CI) started on loopback for the test.

mod support;

use std::time::Duration;

use image::{DynamicImage, ImageFormat};
use serde_json::json;
use support::api::{local_with, text_of};
use support::media::{SECRET, contains, encoded, jpeg_with_exif, multipart, png_bomb, remote_host};
use support::s3::start_s3;

fn png(width: u32, height: u32) -> Vec<u8> {
    encoded(&DynamicImage::new_rgb8(width, height), ImageFormat::Png)
}

fn file_part(name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    multipart(&[("file", Some(name), "application/octet-stream", bytes)])
}

#[tokio::test]
#[cfg_attr(
    not(s3_tests),
    ignore = "set RHIZOME_TEST_S3_SERVER=moto_server (pip install 'moto[server]') to run"
)]
async fn uploads_live_in_s3_and_are_served_and_cleaned_up() {
    let s3 = start_s3().await;
    let app = local_with(&[
        ("RHIZOME_STORAGE_BACKEND", "s3"),
        ("RHIZOME_STORAGE_S3_ENDPOINT", &s3.endpoint),
        ("RHIZOME_STORAGE_S3_BUCKET", "rhizome-media"),
        ("RHIZOME_STORAGE_S3_ACCESS_KEY_ID", "test"),
        ("RHIZOME_STORAGE_S3_SECRET_ACCESS_KEY", "test"),
        ("RHIZOME_MEDIA_UNATTACHED_HOURS", "0"),
        ("RHIZOME_MEDIA_REMOTE_CACHE_MAX_BYTES", "0"),
        ("RHIZOME_FEDERATION_ALLOW_HTTP", "true"),
        ("RHIZOME_FEDERATION_ALLOW_PRIVATE_ADDRESSES", "true"),
    ])
    .await;
    let alice = app.register("alice").await;

    // A remote file is cached in the bucket, served, pruned, and fetched again.
    let image = png(12, 12);
    let host = remote_host(image.clone()).await;
    let proxied = app
        .core
        .proxied_url(&format!("{}/files/cat.png", host.base));
    let proxied_path = proxied
        .strip_prefix(app.core.urls.base())
        .unwrap()
        .to_owned();
    assert_eq!(app.get(&proxied_path).send().await.expect(200).body, image);
    assert_eq!(app.get(&proxied_path).send().await.expect(200).body, image);
    assert_eq!(host.hits.load(std::sync::atomic::Ordering::SeqCst), 1);
    let pruned = app.core.prune_media_cache(&|_, _| {}).await.unwrap();
    assert_eq!(pruned.files, 1);
    assert_eq!(app.get(&proxied_path).send().await.expect(200).body, image);
    assert_eq!(host.hits.load(std::sync::atomic::Ordering::SeqCst), 2);

    let upload = |name: &'static str, bytes: Vec<u8>| {
        let app = &app;
        let alice = &alice;
        async move {
            let (content_type, body) = file_part(name, &bytes);
            app.post("/api/v2/media")
                .auth(alice)
                .body(&content_type, body)
                .send()
                .await
        }
    };
    let media = upload("a.png", png(120, 80)).await.expect(200).json();
    assert_eq!(media["meta"]["original"]["width"], 120);
    let url = media["url"].as_str().unwrap();
    let path = url.strip_prefix(app.core.urls.base()).unwrap();
    let key = path.strip_prefix("/media/").unwrap();

    // The object is in the bucket, and served through this instance.
    assert!(matches!(
        app.core.media.backend(),
        rhizome_core::media::storage::StorageBackend::S3(_)
    ));
    let stored = app
        .core
        .media
        .get(key)
        .await
        .unwrap()
        .expect("in the bucket");
    let served = app.get(path).send().await.expect(200);
    assert_eq!(served.body, stored.to_vec());
    assert_eq!(served.header("content-type").as_deref(), Some("image/png"));

    // The same checks as on local storage: metadata is stripped, bombs and disguised files
    // are refused.
    let photo = upload("photo.jpg", jpeg_with_exif())
        .await
        .expect(200)
        .json();
    assert_eq!(photo["meta"]["original"]["width"], 48, "turned upright");
    let photo_path = photo["url"]
        .as_str()
        .unwrap()
        .strip_prefix(app.core.urls.base())
        .unwrap()
        .to_owned();
    let stripped = app.get(&photo_path).send().await.expect(200);
    assert!(!contains(&stripped.body, SECRET) && !contains(&stripped.body, b"Exif"));
    upload("bomb.png", png_bomb()).await.error(422);
    upload("x.png", b"<html></html>".to_vec()).await.error(422);

    // A posted upload stays; an unposted one is removed from the bucket.
    let kept = upload("b.png", png(10, 10)).await.expect(200).json();
    app.post("/api/v1/statuses")
        .auth(&alice)
        .json(json!({ "status": "on s3", "media_ids": [text_of(&kept, "id")] }))
        .ok()
        .await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(app.core.prune_unattached_media().await.unwrap(), 2);
    assert!(
        app.core.media.get(key).await.unwrap().is_none(),
        "removed from the bucket"
    );
    app.get(path).send().await.expect(404);
    let kept_path = kept["url"]
        .as_str()
        .unwrap()
        .strip_prefix(app.core.urls.base())
        .unwrap()
        .to_owned();
    app.get(&kept_path).send().await.expect(200);
}

#[tokio::test]
#[cfg_attr(
    not(s3_tests),
    ignore = "set RHIZOME_TEST_S3_SERVER=moto_server (pip install 'moto[server]') to run"
)]
async fn local_media_moves_to_s3_and_the_copy_can_be_resumed() {
    let s3 = start_s3().await;
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().display().to_string();
    let app = local_with(&[("RHIZOME_STORAGE_DATA_DIR", &data_dir)]).await;
    let alice = app.register("alice").await;
    let (content_type, body) = file_part("a.png", &png(20, 20));
    let media = app
        .post("/api/v2/media")
        .auth(&alice)
        .body(&content_type, body)
        .send()
        .await
        .expect(200)
        .json();
    let key = media["url"]
        .as_str()
        .unwrap()
        .rsplit_once("/media/")
        .unwrap()
        .1
        .to_owned();

    let cli = support::Setup::new(app.database_url(), data.path())
        .with("RHIZOME_STORAGE_S3_ENDPOINT", &s3.endpoint)
        .with("RHIZOME_STORAGE_S3_BUCKET", "rhizome-media")
        .with("RHIZOME_STORAGE_S3_ACCESS_KEY_ID", "test")
        .with("RHIZOME_STORAGE_S3_SECRET_ACCESS_KEY", "test");
    let first = cli.ok(&["admin", "--json", "media", "migrate-to-s3"], "");
    let first: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(first["copied"], 2, "the original and its preview: {first}");
    let again: serde_json::Value =
        serde_json::from_str(&cli.ok(&["admin", "--json", "media", "migrate-to-s3"], "")).unwrap();
    assert_eq!(
        (again["copied"].clone(), again["already_there"].clone()),
        (json!(0), json!(2))
    );

    // After the switch, the same URL is served from the bucket.
    let on_s3 = local_with(&[
        ("RHIZOME_STORAGE_DATA_DIR", &data_dir),
        ("RHIZOME_STORAGE_BACKEND", "s3"),
        ("RHIZOME_STORAGE_S3_ENDPOINT", &s3.endpoint),
        ("RHIZOME_STORAGE_S3_BUCKET", "rhizome-media"),
        ("RHIZOME_STORAGE_S3_ACCESS_KEY_ID", "test"),
        ("RHIZOME_STORAGE_S3_SECRET_ACCESS_KEY", "test"),
    ])
    .await;
    let stored = on_s3.core.media.get(&key).await.unwrap().expect("copied");
    assert_eq!(
        stored.to_vec(),
        app.core.media.get(&key).await.unwrap().unwrap().to_vec()
    );
}
