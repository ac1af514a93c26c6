//! Hand-made files for the media tests: multipart bodies, images carrying metadata that
//! must not survive, and a decompression bomb.

use image::{DynamicImage, ImageFormat};

/// A multipart body of `(field, file name, content type, bytes)`; `None` file name for text.
pub fn multipart(parts: &[(&str, Option<&str>, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "rhizome-test-boundary-7d1c";
    let mut body = Vec::new();
    for (name, file_name, content_type, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file_name {
            Some(file_name) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
                     Content-Type: {content_type}\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub const SECRET: &[u8] = b"GPS 48.8584N 2.2945E home of the uploader";

pub fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// A 64 × 48 JPEG whose EXIF says "rotate 90° clockwise" and carries a location.
pub fn jpeg_with_exif() -> Vec<u8> {
    let jpeg = encoded(&DynamicImage::new_rgb8(64, 48), ImageFormat::Jpeg);
    // TIFF, big-endian: one IFD entry, Orientation (0x0112) = 6, then the secret.
    let mut tiff = b"MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0".to_vec();
    tiff.extend_from_slice(SECRET);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let length = u16::try_from(app1.len() + 2).unwrap();
    let mut out = jpeg[..2].to_vec(); // SOI
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

pub fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
    chunk.extend_from_slice(kind);
    chunk.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    chunk.extend_from_slice(&crc.finalize().to_be_bytes());
    chunk
}

/// A 30 × 20 PNG with a text chunk holding the secret.
pub fn png_with_text() -> Vec<u8> {
    let png = encoded(&DynamicImage::new_rgba8(30, 20), ImageFormat::Png);
    // Signature (8) and IHDR (25), then our chunk, then the rest.
    let mut text = b"Comment\0".to_vec();
    text.extend_from_slice(SECRET);
    let mut out = png[..33].to_vec();
    out.extend_from_slice(&png_chunk(b"tEXt", &text));
    out.extend_from_slice(&png[33..]);
    out
}

/// A tiny file that declares a 10,000 × 10,000 image.
pub fn png_bomb() -> Vec<u8> {
    let mut ihdr = 10_000u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&10_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend_from_slice(&png_chunk(b"IHDR", &ihdr));
    out.extend_from_slice(&png_chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    out.extend_from_slice(&png_chunk(b"IEND", &[]));
    out
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A stand-in for another server's media host on loopback, counting the requests it gets.
pub struct RemoteHost {
    pub base: String,
    pub hits: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RemoteHost {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub async fn remote_host(image: Vec<u8>) -> RemoteHost {
    use std::sync::atomic::Ordering;
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = hits.clone();
    let app = axum::Router::new()
        .route(
            "/files/cat.png",
            axum::routing::get(move || {
                let counter = counter.clone();
                let image = image.clone();
                async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    ([("content-type", "image/png")], image)
                }
            }),
        )
        .route(
            "/files/page.png",
            axum::routing::get(|| async {
                (
                    [("content-type", "image/png")],
                    "<html><script>alert(1)</script></html>",
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    RemoteHost { base, hits, task }
}
