//! What happens to an uploaded file before it is stored: its real type is read from its
//! bytes (never from its name), images are decoded within limits, turned upright, re-encoded
//! without any metadata (EXIF, GPS, XMP, comments), previewed and blurhashed. Video and
//! audio are kept as uploaded.
//!
//! Everything here is synchronous and CPU-bound: callers run it on the blocking pool.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use rhizome_model::AttachmentKind;
use serde_json::{Value, json};

/// Limits from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_image_bytes: u64,
    pub max_video_bytes: u64,
    /// Width × height above which an image is refused before it is decoded (a
    /// decompression bomb declares a huge size in a tiny file).
    pub max_image_pixels: u64,
    /// The longer side of previews.
    pub preview_side: u32,
}

/// Animated GIFs are decoded frame by frame: all frames' pixels together stay under this.
const MAX_ANIMATION_PIXELS: u64 = 60_000_000;
const MAX_ANIMATION_FRAMES: usize = 1_000;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MediaError {
    #[error("File type is not supported: {0}")]
    Unsupported(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("The file could not be read as {0}")]
    Corrupt(&'static str),
}

/// A file ready to be stored.
#[derive(Debug)]
pub struct Processed {
    pub kind: AttachmentKind,
    pub media_type: &'static str,
    pub extension: &'static str,
    pub file: Vec<u8>,
    pub preview: Option<Preview>,
    /// Mastodon's `meta`: `original` and `small` sizes.
    pub meta: Value,
    pub blurhash: Option<String>,
}

#[derive(Debug)]
pub struct Preview {
    pub media_type: &'static str,
    pub extension: &'static str,
    pub file: Vec<u8>,
}

/// Video and audio kept as uploaded: (detected MIME type, extension, kind).
const PLAYABLE: &[(&str, &str, AttachmentKind)] = &[
    ("video/mp4", "mp4", AttachmentKind::Video),
    ("video/webm", "webm", AttachmentKind::Video),
    ("video/quicktime", "mov", AttachmentKind::Video),
    ("audio/mpeg", "mp3", AttachmentKind::Audio),
    ("audio/ogg", "ogg", AttachmentKind::Audio),
    ("audio/x-flac", "flac", AttachmentKind::Audio),
    ("audio/x-wav", "wav", AttachmentKind::Audio),
    ("audio/m4a", "m4a", AttachmentKind::Audio),
    ("audio/aac", "aac", AttachmentKind::Audio),
    ("audio/opus", "opus", AttachmentKind::Audio),
];

/// The MIME types accepted, for `/api/v2/instance`.
pub fn supported_media_types() -> Vec<&'static str> {
    let mut types = vec!["image/jpeg", "image/png", "image/gif", "image/webp"];
    types.extend(PLAYABLE.iter().map(|(mime, _, _)| *mime));
    types
}

/// The content type of a stored file, from the extension we gave its key.
pub fn media_type_of_extension(extension: &str) -> Option<&'static str> {
    Some(match extension {
        "jpg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        other => {
            return PLAYABLE
                .iter()
                .find(|(_, ext, _)| *ext == other)
                .map(|(m, _, _)| *m);
        }
    })
}

/// The extension we store a file of this (detected) type under, for the types we serve.
pub fn extension_of_media_type(media_type: &str) -> Option<&'static str> {
    Some(match media_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/gif" => "gif",
        "image/webp" => "webp",
        other => {
            return PLAYABLE
                .iter()
                .find(|(m, _, _)| *m == other)
                .map(|(_, e, _)| *e);
        }
    })
}

/// Reads, checks and prepares an upload. `bytes` is everything the client sent.
pub fn process(bytes: &[u8], limits: &Limits) -> Result<Processed, MediaError> {
    let detected = infer::get(bytes).map(|t| t.mime_type()).unwrap_or("");
    let format = match detected {
        "image/jpeg" => Some(ImageFormat::Jpeg),
        "image/png" => Some(ImageFormat::Png),
        "image/gif" => Some(ImageFormat::Gif),
        "image/webp" => Some(ImageFormat::WebP),
        _ => None,
    };
    if let Some(format) = format {
        if bytes.len() as u64 > limits.max_image_bytes {
            return Err(too_large("Image", limits.max_image_bytes));
        }
        return process_image(bytes, format, limits);
    }
    if let Some((mime, extension, kind)) = PLAYABLE.iter().find(|(m, _, _)| *m == detected) {
        if bytes.len() as u64 > limits.max_video_bytes {
            return Err(too_large("Video and audio", limits.max_video_bytes));
        }
        return Ok(Processed {
            kind: *kind,
            media_type: mime,
            extension,
            file: bytes.to_vec(),
            preview: None,
            meta: json!({}),
            blurhash: None,
        });
    }
    Err(MediaError::Unsupported(match detected {
        "" => "unknown".to_owned(),
        "image/avif" | "image/heif" => format!("{detected} cannot be decoded here"),
        other => other.to_owned(),
    }))
}

fn too_large(what: &str, limit: u64) -> MediaError {
    MediaError::TooLarge(format!(
        "{what} files must be smaller than {}",
        human_size(limit)
    ))
}

/// 16 MiB → "16 MB", 2000 → "2 KB": what people read in an error message.
pub fn human_size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB {
        format!("{} MB", bytes / MIB)
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

fn process_image(
    bytes: &[u8],
    format: ImageFormat,
    limits: &Limits,
) -> Result<Processed, MediaError> {
    let corrupt = || {
        MediaError::Corrupt(
            format
                .extensions_str()
                .first()
                .copied()
                .unwrap_or("an image"),
        )
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut decode_limits = image::Limits::default();
    // The decoder refuses to allocate past this, whatever the header claims.
    decode_limits.max_alloc = Some(limits.max_image_pixels.saturating_mul(8));
    reader.limits(decode_limits);
    let mut decoder = reader.into_decoder().map_err(|_| corrupt())?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > limits.max_image_pixels {
        return Err(MediaError::TooLarge(format!(
            "Images may have at most {} pixels; this one has {width} × {height}",
            limits.max_image_pixels
        )));
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|_| corrupt())?;
    image.apply_orientation(orientation);

    let (media_type, extension, file) = match format {
        ImageFormat::Gif => ("image/gif", "gif", reencode_gif(bytes, limits)?),
        ImageFormat::Jpeg => ("image/jpeg", "jpg", encode_jpeg(&image, 90)?),
        ImageFormat::WebP => ("image/webp", "webp", encode_webp(&image)?),
        _ => ("image/png", "png", encode_png(&image)?),
    };
    // `thumbnail` would also enlarge a small image: a preview is never bigger than its image.
    let small = if image.width().max(image.height()) > limits.preview_side {
        image.thumbnail(limits.preview_side, limits.preview_side)
    } else {
        image.clone()
    };
    let preview = if small.color().has_alpha() {
        Preview {
            media_type: "image/png",
            extension: "png",
            file: encode_png(&small)?,
        }
    } else {
        Preview {
            media_type: "image/jpeg",
            extension: "jpg",
            file: encode_jpeg(&small, 80)?,
        }
    };
    Ok(Processed {
        kind: AttachmentKind::Image,
        media_type,
        extension,
        file,
        meta: json!({
            "original": size_meta(image.width(), image.height()),
            "small": size_meta(small.width(), small.height()),
        }),
        blurhash: blurhash_of(&image),
        preview: Some(preview),
    })
}

/// A preview supplied by the client (`thumbnail`), checked and stripped like any image.
pub fn process_thumbnail(bytes: &[u8], limits: &Limits) -> Result<Preview, MediaError> {
    let processed = process(bytes, limits)?;
    if processed.kind != AttachmentKind::Image {
        return Err(MediaError::Unsupported(
            "a thumbnail must be an image".into(),
        ));
    }
    processed.preview.ok_or(MediaError::Corrupt("an image"))
}

/// How a profile picture or an emoji is fitted in its box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Cropped to fill the box, as avatars and headers are shown; JPEG unless transparent.
    Cover,
    /// Shrunk to fit inside the box, always PNG: custom emoji are small and often drawn on a
    /// transparent ground.
    Emoji,
}

/// Decodes an image for an avatar, a header or an emoji and fits it in `width` × `height`.
pub fn process_profile_image(
    bytes: &[u8],
    limits: &Limits,
    width: u32,
    height: u32,
    fit: Fit,
) -> Result<Preview, MediaError> {
    let processed = process(bytes, limits)?;
    if processed.kind != AttachmentKind::Image {
        return Err(MediaError::Unsupported("it must be an image".into()));
    }
    // An animated GIF stays as it is (already re-encoded without metadata): resizing every
    // frame is not worth it for a small picture.
    if processed.extension == "gif" {
        return Ok(Preview {
            media_type: processed.media_type,
            extension: processed.extension,
            file: processed.file,
        });
    }
    let image =
        image::load_from_memory(&processed.file).map_err(|_| MediaError::Corrupt("an image"))?;
    let fitted = if fit == Fit::Cover {
        image.resize_to_fill(width, height, image::imageops::FilterType::Triangle)
    } else if image.width() > width || image.height() > height {
        image.resize(width, height, image::imageops::FilterType::Triangle)
    } else {
        image
    };
    if fitted.color().has_alpha() || fit == Fit::Emoji {
        Ok(Preview {
            media_type: "image/png",
            extension: "png",
            file: encode_png(&fitted)?,
        })
    } else {
        Ok(Preview {
            media_type: "image/jpeg",
            extension: "jpg",
            file: encode_jpeg(&fitted, 90)?,
        })
    }
}

fn size_meta(width: u32, height: u32) -> Value {
    json!({
        "width": width,
        "height": height,
        "size": format!("{width}x{height}"),
        "aspect": f64::from(width) / f64::from(height.max(1)),
    })
}

fn blurhash_of(image: &DynamicImage) -> Option<String> {
    let tiny = image.thumbnail(32, 32).to_rgba8();
    blurhash::encode(4, 3, tiny.width(), tiny.height(), tiny.as_raw()).ok()
}

fn encode_jpeg(image: &DynamicImage, quality: u8) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::new();
    let rgb = image.to_rgb8();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(&rgb)
        .map_err(|_| MediaError::Corrupt("JPEG"))?;
    Ok(out)
}

fn encode_png(image: &DynamicImage) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::new();
    let encoded = if image.color().has_alpha() {
        image
            .to_rgba8()
            .write_with_encoder(PngEncoder::new(&mut out))
    } else {
        image
            .to_rgb8()
            .write_with_encoder(PngEncoder::new(&mut out))
    };
    encoded.map_err(|_| MediaError::Corrupt("PNG"))?;
    Ok(out)
}

fn encode_webp(image: &DynamicImage) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::new();
    let encoded = if image.color().has_alpha() {
        image
            .to_rgba8()
            .write_with_encoder(WebPEncoder::new_lossless(&mut out))
    } else {
        image
            .to_rgb8()
            .write_with_encoder(WebPEncoder::new_lossless(&mut out))
    };
    encoded.map_err(|_| MediaError::Corrupt("WebP"))?;
    Ok(out)
}

/// Copies a GIF's frames (palettes, delays, disposal) into a new file that has none of the
/// original's comment or application extensions, only the loop count.
fn reencode_gif(bytes: &[u8], limits: &Limits) -> Result<Vec<u8>, MediaError> {
    let corrupt = || MediaError::Corrupt("GIF");
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::Indexed);
    let mut decoder = options
        .read_info(Cursor::new(bytes))
        .map_err(|_| corrupt())?;
    let (width, height) = (decoder.width(), decoder.height());
    let frame_pixels = u64::from(width) * u64::from(height);
    if frame_pixels > limits.max_image_pixels {
        return Err(MediaError::TooLarge("the GIF is too large".into()));
    }
    let palette = decoder.global_palette().map(<[u8]>::to_vec);
    let mut out = Vec::new();
    {
        let mut encoder =
            gif::Encoder::new(&mut out, width, height, palette.as_deref().unwrap_or(&[]))
                .map_err(|_| corrupt())?;
        encoder
            .set_repeat(gif::Repeat::Infinite)
            .map_err(|_| corrupt())?;
        let mut decoded_pixels: u64 = 0;
        let mut frames = 0;
        while let Some(frame) = decoder.read_next_frame().map_err(|_| corrupt())? {
            frames += 1;
            decoded_pixels += u64::from(frame.width) * u64::from(frame.height);
            if frames > MAX_ANIMATION_FRAMES || decoded_pixels > MAX_ANIMATION_PIXELS {
                return Err(MediaError::TooLarge(
                    "the animation has too many frames for its size".into(),
                ));
            }
            encoder.write_frame(frame).map_err(|_| corrupt())?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            max_image_bytes: 8 * 1024 * 1024,
            max_video_bytes: 8 * 1024 * 1024,
            max_image_pixels: 4_000_000,
            preview_side: 64,
        }
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = DynamicImage::new_rgb8(width, height);
        encode_png(&image).unwrap_or_default()
    }

    #[test]
    fn the_type_comes_from_the_bytes() {
        let processed = process(&png(200, 100), &limits()).unwrap();
        assert_eq!(processed.media_type, "image/png");
        assert_eq!(processed.meta["original"]["width"], 200);
        assert_eq!(processed.meta["small"]["width"], 64);
        assert_eq!(processed.meta["small"]["height"], 32);
        assert!(processed.blurhash.is_some());
        let html = b"<!DOCTYPE html><html><script>alert(1)</script></html>";
        assert!(matches!(
            process(html, &limits()),
            Err(MediaError::Unsupported(_))
        ));
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        assert!(matches!(
            process(svg, &limits()),
            Err(MediaError::Unsupported(_))
        ));
    }

    #[test]
    fn previews_are_never_enlarged() {
        let processed = process(&png(20, 10), &limits()).unwrap();
        assert_eq!(processed.meta["small"]["width"], 20);
        assert_eq!(processed.meta["small"]["height"], 10);
    }

    #[test]
    fn too_many_pixels_are_refused_before_decoding() {
        let result = process(&png(2100, 2000), &limits());
        assert!(matches!(result, Err(MediaError::TooLarge(_))), "{result:?}");
    }

    #[test]
    fn gifs_keep_their_frames() {
        let mut bytes = Vec::new();
        {
            let mut encoder =
                gif::Encoder::new(&mut bytes, 4, 4, &[0, 0, 0, 255, 255, 255]).unwrap();
            for colour in [0u8, 1] {
                let frame = gif::Frame {
                    width: 4,
                    height: 4,
                    buffer: std::borrow::Cow::Owned(vec![colour; 16]),
                    ..gif::Frame::default()
                };
                encoder.write_frame(&frame).unwrap();
            }
        }
        let processed = process(&bytes, &limits()).unwrap();
        assert_eq!(processed.media_type, "image/gif");
        let mut decoder = gif::DecodeOptions::new()
            .read_info(Cursor::new(&processed.file))
            .unwrap();
        let mut frames = 0;
        while decoder.read_next_frame().unwrap().is_some() {
            frames += 1;
        }
        assert_eq!(frames, 2);
    }
}
