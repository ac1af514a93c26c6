//! Video and audio: where `ffprobe` and `ffmpeg` are installed, the duration and size are
//! read and a preview frame is taken; otherwise the file still works, with a generic
//! preview. The tools read a private temporary copy and are stopped after a time limit.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::process::Command;

/// Neither tool may take longer than this on one file.
const TOOL_TIMEOUT: Duration = Duration::from_secs(30);
/// The most bytes of output read from a tool (a preview frame as PNG).
const MAX_TOOL_OUTPUT: usize = 32 * 1024 * 1024;

/// What the tools told about a file.
#[derive(Debug, Default)]
pub struct Probed {
    /// Mastodon's `meta` for the file.
    pub meta: Value,
    /// A frame, as PNG bytes, for the preview.
    pub frame: Option<Vec<u8>>,
}

async fn run(command: &str, args: &[&str], input: &Path) -> Option<Vec<u8>> {
    let mut child = Command::new(command);
    child
        .args(args.iter().map(|a| {
            if *a == "{input}" {
                input.as_os_str()
            } else {
                std::ffi::OsStr::new(a)
            }
        }))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    let output = tokio::time::timeout(TOOL_TIMEOUT, child.output()).await;
    match output {
        Ok(Ok(output)) if output.status.success() && output.stdout.len() <= MAX_TOOL_OUTPUT => {
            Some(output.stdout)
        }
        Ok(Ok(_)) => None,
        Ok(Err(err)) => {
            tracing::debug!(command, error = %err, "media tool not run");
            None
        }
        Err(_) => {
            tracing::warn!(command, "media tool timed out");
            None
        }
    }
}

fn ratio(text: &str) -> Option<f64> {
    match text.split_once('/') {
        Some((a, b)) => {
            let (a, b): (f64, f64) = (a.parse().ok()?, b.parse().ok()?);
            (b != 0.0).then_some(a / b)
        }
        None => text.parse().ok(),
    }
}

/// `ffprobe`'s JSON turned into Mastodon's `meta`.
pub fn meta_from_probe(probe: &Value) -> Value {
    let duration = probe["format"]["duration"]
        .as_str()
        .and_then(|d| d.parse::<f64>().ok())
        .filter(|d| d.is_finite() && *d >= 0.0);
    let bitrate = probe["format"]["bit_rate"]
        .as_str()
        .and_then(|b| b.parse::<u64>().ok());
    let video = probe["streams"]
        .as_array()
        .and_then(|streams| streams.iter().find(|s| s["codec_type"] == "video"));
    let mut original = json!({});
    let mut meta = json!({});
    if let Some(duration) = duration {
        original["duration"] = json!(duration);
        meta["duration"] = json!(duration);
        let whole = duration as u64;
        meta["length"] = json!(format!(
            "{}:{:02}:{:02}.{:02}",
            whole / 3600,
            whole / 60 % 60,
            whole % 60,
            ((duration.fract()) * 100.0) as u64
        ));
    }
    if let Some(bitrate) = bitrate {
        original["bitrate"] = json!(bitrate);
    }
    if let Some(stream) = video {
        let (width, height) = (stream["width"].as_u64(), stream["height"].as_u64());
        if let (Some(width), Some(height)) = (width, height) {
            original["width"] = json!(width);
            original["height"] = json!(height);
            meta["size"] = json!(format!("{width}x{height}"));
            meta["aspect"] = json!(width as f64 / height.max(1) as f64);
        }
        if let Some(rate) = stream["avg_frame_rate"]
            .as_str()
            .filter(|r| ratio(r).is_some())
        {
            original["frame_rate"] = json!(rate);
            meta["fps"] = json!(ratio(rate).map(|r| r.round() as u64));
        }
    }
    meta["original"] = original;
    meta
}

/// Probes a video or sound with the configured tools (empty names: not used).
pub async fn probe(bytes: &[u8], ffprobe: &str, ffmpeg: &str, video: bool) -> Probed {
    if ffprobe.is_empty() && ffmpeg.is_empty() {
        return Probed::default();
    }
    let Ok(file) = tempfile::NamedTempFile::new() else {
        return Probed::default();
    };
    if tokio::fs::write(file.path(), bytes).await.is_err() {
        return Probed::default();
    }
    let mut probed = Probed::default();
    if !ffprobe.is_empty()
        && let Some(out) = run(
            ffprobe,
            &[
                "-v",
                "error",
                "-print_format",
                "json",
                "-show_format",
                "-show_streams",
                "{input}",
            ],
            file.path(),
        )
        .await
        && let Ok(json) = serde_json::from_slice::<Value>(&out)
    {
        probed.meta = meta_from_probe(&json);
    }
    if video && !ffmpeg.is_empty() {
        probed.frame = run(
            ffmpeg,
            &[
                "-v",
                "error",
                "-i",
                "{input}",
                "-frames:v",
                "1",
                "-f",
                "image2",
                "-c:v",
                "png",
                "pipe:1",
            ],
            file.path(),
        )
        .await
        .filter(|frame| !frame.is_empty());
    }
    probed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ffprobe_output_becomes_mastodon_meta() {
        let probe = json!({
            "streams": [
                { "codec_type": "audio" },
                { "codec_type": "video", "width": 640, "height": 360, "avg_frame_rate": "30000/1001" }
            ],
            "format": { "duration": "75.500000", "bit_rate": "812345" }
        });
        let meta = meta_from_probe(&probe);
        assert_eq!(meta["original"]["width"], 640);
        assert_eq!(meta["original"]["frame_rate"], "30000/1001");
        assert_eq!(meta["fps"], 30);
        assert_eq!(meta["length"], "0:01:15.50");
        assert_eq!(meta["original"]["bitrate"], 812345);
        assert_eq!(meta["size"], "640x360");
        let silent = meta_from_probe(&json!({ "format": { "duration": "n/a" } }));
        assert_eq!(silent["original"], json!({}));
    }
}
