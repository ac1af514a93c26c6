//! Remote files (attachments, avatars, headers, emoji) served from our own URLs: fetched on
//! first use into media storage, so that readers' addresses never reach other servers, and
//! pruned by last use and total size. A file pruned is fetched again when next asked for.
//!
//! A proxied URL carries an HMAC of the remote one, so that this is no open proxy: only URLs
//! this instance handed out are fetched.

use aws_lc_rs::{digest, hmac};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rhizome_model::Timestamp;
use rhizome_store::CachedFile;

use super::process;
use crate::{Core, CoreError};

/// Bytes of the HMAC kept in URLs: enough against guessing, short enough for URLs.
const TAG_BYTES: usize = 16;
/// `used_at` is refreshed at most this often per file (a write per view would be a waste).
const TOUCH_EVERY_MS: i64 = 3_600_000;

/// What a prune removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PruneReport {
    pub files: u64,
    pub bytes: u64,
    pub files_left: u64,
    pub bytes_left: u64,
}

impl Core {
    fn proxy_tag(&self, url: &str) -> String {
        let key = hmac::Key::new(hmac::HMAC_SHA256, self.secrets.cookie_key.as_bytes());
        let tag = hmac::sign(&key, format!("media-proxy|{url}").as_bytes());
        URL_SAFE_NO_PAD.encode(&tag.as_ref()[..TAG_BYTES])
    }

    /// The URL clients get for a remote file: ours, unless the cache is off or the URL is
    /// not a remote http(s) one.
    pub fn proxied_url(&self, url: &str) -> String {
        let remote = (url.starts_with("https://") || url.starts_with("http://"))
            && !url.starts_with(self.urls.base())
            && self
                .config
                .media
                .base_url
                .as_deref()
                .is_none_or(|b| !url.starts_with(b));
        if !self.config.media.proxy_remote || !remote {
            return url.to_owned();
        }
        format!(
            "{}/proxy/{}/{}",
            self.urls.base(),
            self.proxy_tag(url),
            URL_SAFE_NO_PAD.encode(url)
        )
    }

    /// The remote URL behind a proxied path, if this instance made it.
    pub fn unproxy(&self, tag: &str, encoded: &str) -> Option<String> {
        let url = String::from_utf8(URL_SAFE_NO_PAD.decode(encoded).ok()?).ok()?;
        let expected = self.proxy_tag(&url);
        aws_lc_rs::constant_time::verify_slices_are_equal(tag.as_bytes(), expected.as_bytes())
            .ok()
            .map(|()| url)
    }

    /// A remote file for serving, from the cache or fetched now.
    pub async fn remote_file(
        &self,
        url: &str,
    ) -> Result<
        (
            &'static str,
            u64,
            futures::stream::BoxStream<'static, Result<bytes::Bytes, std::io::Error>>,
        ),
        CoreError,
    > {
        let now = self.clock.now();
        if let Some(cached) = self.store.cached_file(url).await? {
            if let Some((size, stream)) = self.media.stream(&cached.file_key).await? {
                if now.0 - cached.used_at.0 > TOUCH_EVERY_MS {
                    self.store.touch_cached_file(url, now).await?;
                }
                let media_type = cached_media_type(&cached.media_type);
                return Ok((media_type, size, stream));
            }
            // The file went missing from storage: forget it and fetch it again.
            self.store.delete_cached_file(url).await?;
        }
        let cached = self.fetch_into_cache(url, now).await?;
        let (size, stream) = self
            .media
            .stream(&cached.file_key)
            .await?
            .ok_or(CoreError::NotFound)?;
        Ok((cached_media_type(&cached.media_type), size, stream))
    }

    async fn fetch_into_cache(&self, url: &str, now: Timestamp) -> Result<CachedFile, CoreError> {
        let http = self.http.as_ref().ok_or(CoreError::NotFound)?;
        let parsed = url::Url::parse(url).map_err(|_| CoreError::NotFound)?;
        let limit = usize::try_from(self.config.media.max_upload_bytes()).unwrap_or(usize::MAX);
        let fetched = http.fetch_file(&parsed, limit).await.map_err(|err| {
            tracing::debug!(url, error = %err, "remote media could not be fetched");
            CoreError::NotFound
        })?;
        let bytes = fetched.bytes;
        // Only what we would accept as an upload is kept and served: never HTML or SVG.
        let detected = infer::get(&bytes).map(|t| t.mime_type()).unwrap_or("");
        let extension = process::extension_of_media_type(detected).ok_or_else(|| {
            tracing::debug!(url, detected, "remote media of a refused type");
            CoreError::NotFound
        })?;
        let digest = digest::digest(&digest::SHA256, url.as_bytes());
        let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        let file_key = format!("cache/{}/{hex}.{extension}", &hex[..2]);
        let entry = CachedFile {
            url: url.to_owned(),
            file_key: file_key.clone(),
            media_type: detected.to_owned(),
            stored_bytes: bytes.len() as i64,
            cached_at: now,
            used_at: now,
        };
        // The key comes from the URL: two processes fetching at once write the same file.
        self.media.put(&file_key, bytes).await?;
        self.store.insert_cached_file(&entry).await?;
        Ok(entry)
    }

    /// Removes cached files not used for `media.remote_cache_days`, then the least recently
    /// used ones until the cache fits in `media.remote_cache_max_bytes`. `progress` hears
    /// (files removed, files to look at).
    pub async fn prune_media_cache(
        &self,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<PruneReport, CoreError> {
        let media = &self.config.media;
        let cutoff = self.clock.now().0 - (media.remote_cache_days as i64) * 86_400_000;
        let (files, bytes) = self.store.cache_usage().await?;
        let mut report = PruneReport {
            files_left: files as u64,
            bytes_left: bytes as u64,
            ..PruneReport::default()
        };
        let total = files as u64;
        'batches: loop {
            let batch = self.store.least_used_cached_files(500).await?;
            if batch.is_empty() {
                break;
            }
            for file in batch {
                let too_big = report.bytes_left > media.remote_cache_max_bytes;
                if file.used_at.0 >= cutoff && !too_big {
                    break 'batches;
                }
                self.media.delete(&file.file_key).await?;
                self.store.delete_cached_file(&file.url).await?;
                report.files += 1;
                report.bytes += file.stored_bytes as u64;
                report.files_left = report.files_left.saturating_sub(1);
                report.bytes_left = report.bytes_left.saturating_sub(file.stored_bytes as u64);
                progress(report.files, total);
            }
        }
        if report.files > 0 {
            tracing::info!(
                files = report.files,
                bytes = report.bytes,
                "remote media cache pruned"
            );
        }
        Ok(report)
    }
}

fn cached_media_type(stored: &str) -> &'static str {
    process::extension_of_media_type(stored)
        .and_then(process::media_type_of_extension)
        .unwrap_or("application/octet-stream")
}
