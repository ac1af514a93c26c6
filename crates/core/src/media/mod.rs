//! Media: uploads (checked, stripped, previewed), their storage, serving, and clean-up.

pub mod cache;
pub mod process;
pub mod storage;

use std::time::Duration;

use rhizome_model::{Attachment, Id, LocalUser, Timestamp};
use serde::{Deserialize, Serialize};

use crate::jobs::JobError;
use crate::{Core, CoreError};
use process::{Limits, MediaError, Processed};
use storage::StorageBackend;

/// Media settings from the configuration.
#[derive(Debug, Clone)]
pub struct MediaConfig {
    pub max_image_bytes: u64,
    pub max_video_bytes: u64,
    pub max_image_pixels: u64,
    pub max_attachments: usize,
    pub max_description_chars: usize,
    pub preview_side: u32,
    pub backend: StorageBackend,
    /// Where clients fetch media from, when not from this instance's own `/media/` (a
    /// separate domain, as Akkoma recommends, or the bucket's public address).
    pub base_url: Option<String>,
    /// How long an upload may stay unattached before the daily clean-up removes it.
    pub unattached_hours: u64,
    /// Serve remote files from our own URLs, through the cache.
    pub proxy_remote: bool,
    /// The cache's budget, and how long an unused file stays in it.
    pub remote_cache_max_bytes: u64,
    pub remote_cache_days: u64,
}

impl MediaConfig {
    pub fn with_backend(backend: StorageBackend) -> Self {
        MediaConfig {
            max_image_bytes: 16 * 1024 * 1024,
            max_video_bytes: 40 * 1024 * 1024,
            // Mastodon's limit: 7680 × 4320.
            max_image_pixels: 33_177_600,
            max_attachments: 4,
            max_description_chars: 1500,
            preview_side: 640,
            backend,
            base_url: None,
            unattached_hours: 24,
            proxy_remote: true,
            remote_cache_max_bytes: 2 * 1024 * 1024 * 1024,
            remote_cache_days: 14,
        }
    }

    pub fn limits(&self) -> Limits {
        Limits {
            max_image_bytes: self.max_image_bytes,
            max_video_bytes: self.max_video_bytes,
            max_image_pixels: self.max_image_pixels,
            preview_side: self.preview_side,
        }
    }

    /// The most bytes one upload may have, whatever its type (to bound request bodies).
    pub fn max_upload_bytes(&self) -> u64 {
        self.max_image_bytes.max(self.max_video_bytes)
    }
}

impl From<MediaError> for CoreError {
    fn from(err: MediaError) -> Self {
        CoreError::Invalid(format!("{err}"))
    }
}

/// What comes with an upload, or changes it later.
#[derive(Debug, Clone, Default)]
pub struct MediaRequest {
    pub description: Option<String>,
    /// `"x,y"`, each between -1.0 and 1.0.
    pub focus: Option<String>,
    /// A preview image chosen by the uploader.
    pub thumbnail: Option<Vec<u8>>,
}

/// Job: remove files from media storage (a deleted post's, a replaced avatar's).
pub const DELETE_MEDIA_FILES: &str = "delete_media_files";

#[derive(Debug, Serialize, Deserialize)]
pub struct DeleteMediaFiles {
    pub keys: Vec<String>,
}

/// A deleted post's files stay this long, so that a post deleted and redrafted (Mastodon's
/// "delete & redraft") or a cached view does not break at once.
pub const DELETED_MEDIA_DELAY: Duration = Duration::from_secs(3600);

fn parse_focus(focus: &str) -> Result<(f64, f64), CoreError> {
    let invalid = || CoreError::invalid("focus must be two numbers between -1.0 and 1.0: x,y");
    let (x, y) = focus.split_once(',').ok_or_else(invalid)?;
    let x: f64 = x.trim().parse().map_err(|_| invalid())?;
    let y: f64 = y.trim().parse().map_err(|_| invalid())?;
    if !(-1.0..=1.0).contains(&x) || !(-1.0..=1.0).contains(&y) {
        return Err(invalid());
    }
    Ok((x, y))
}

impl Core {
    /// The public address of a file in media storage.
    pub fn media_url(&self, key: &str) -> String {
        match &self.config.media.base_url {
            Some(base) => format!("{}/{key}", base.trim_end_matches('/')),
            None => format!("{}/media/{key}", self.urls.base()),
        }
    }

    /// Where an attachment's file and preview are fetched from now: an upload's from its
    /// storage key (so that a change of `storage.media_base_url` or of back end moves every
    /// link), a remote file's through the cache.
    pub fn attachment_urls(&self, media: &Attachment) -> (String, Option<String>) {
        if let Some(remote) = &media.remote_url {
            return (self.proxied_url(remote), None);
        }
        let url = media
            .file_key
            .as_deref()
            .map(|key| self.media_url(key))
            .unwrap_or_else(|| media.url.clone());
        let preview = media
            .preview_key
            .as_deref()
            .map(|key| self.media_url(key))
            .or_else(|| media.preview_url.clone());
        (url, preview)
    }

    /// The storage key behind one of our media URLs (`None` for anything else).
    pub fn media_key_of_url(&self, url: &str) -> Option<String> {
        let prefix = self.media_url("");
        url.strip_prefix(&prefix)
            .filter(|key| storage::valid_key(key))
            .map(str::to_owned)
    }

    /// Checks, strips, resizes and stores an avatar or a header; returns its URL.
    pub(crate) async fn store_profile_image(
        &self,
        user: &LocalUser,
        which: &str,
        bytes: Vec<u8>,
        (width, height): (u32, u32),
    ) -> Result<String, CoreError> {
        let picture = self
            .process_blocking(move |limits| {
                process::process_profile_image(&bytes, limits, width, height, true)
            })
            .await?;
        let key = format!(
            "accounts/{}/{which}-{}.{}",
            user.account.id,
            self.clock.now().0,
            picture.extension
        );
        self.media.put(&key, picture.file).await?;
        Ok(self.media_url(&key))
    }

    /// Runs the CPU-bound checks and conversions off the async workers.
    async fn process_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Limits) -> Result<T, MediaError> + Send + 'static,
    ) -> Result<T, CoreError> {
        let limits = self.config.media.limits();
        tokio::task::spawn_blocking(move || work(&limits))
            .await
            .map_err(|e| CoreError::Internal(format!("media processing: {e}")))?
            .map_err(CoreError::from)
    }

    fn check_description(&self, description: &Option<String>) -> Result<(), CoreError> {
        if let Some(text) = description
            && text.chars().count() > self.config.media.max_description_chars
        {
            return Err(CoreError::invalid(format!(
                "Description is too long (maximum is {} characters)",
                self.config.media.max_description_chars
            )));
        }
        Ok(())
    }

    /// Checks, strips and stores an upload; it waits unattached until a post takes it.
    pub async fn upload_media(
        &self,
        user: &LocalUser,
        file: Vec<u8>,
        request: MediaRequest,
    ) -> Result<Attachment, CoreError> {
        self.check_description(&request.description)?;
        let focus = request.focus.as_deref().map(parse_focus).transpose()?;
        let mut processed: Processed = self
            .process_blocking(move |limits| process::process(&file, limits))
            .await?;
        if let Some(thumbnail) = request.thumbnail {
            processed.preview = Some(
                self.process_blocking(move |limits| process::process_thumbnail(&thumbnail, limits))
                    .await?,
            );
        }
        let now = self.clock.now();
        let id = Id::generate(now.0);
        let file_key = format!("attachments/{id}/original.{}", processed.extension);
        let preview_key = processed
            .preview
            .as_ref()
            .map(|p| format!("attachments/{id}/small.{}", p.extension));
        let mut meta = processed.meta;
        if let Some((x, y)) = focus {
            meta["focus"] = serde_json::json!({ "x": x, "y": y });
        }
        let mut stored_bytes = processed.file.len() as i64;
        self.media.put(&file_key, processed.file).await?;
        if let (Some(key), Some(preview)) = (&preview_key, processed.preview) {
            stored_bytes += preview.file.len() as i64;
            if let Err(err) = self.media.put(key, preview.file).await {
                self.delete_files_now(&[file_key]).await;
                return Err(err);
            }
        }
        let attachment = Attachment {
            id,
            status_id: None,
            account_id: user.account.id,
            kind: processed.kind,
            media_type: Some(processed.media_type.to_owned()),
            url: self.media_url(&file_key),
            remote_url: None,
            preview_url: preview_key.as_deref().map(|k| self.media_url(k)),
            description: request.description.filter(|d| !d.trim().is_empty()),
            blurhash: processed.blurhash,
            meta: meta.to_string(),
            position: 0,
            created_at: now,
            file_key: Some(file_key),
            preview_key,
            stored_bytes,
        };
        if let Err(err) = self.store.insert_upload(&attachment).await {
            let keys: Vec<String> = attachment
                .file_key
                .iter()
                .chain(attachment.preview_key.iter())
                .cloned()
                .collect();
            self.delete_files_now(&keys).await;
            return Err(err.into());
        }
        tracing::debug!(id = %id, kind = attachment.kind.as_str(), bytes = stored_bytes, "media uploaded");
        Ok(attachment)
    }

    /// One of the user's own uploads, attached or not; `NotFound` for anyone else's.
    pub async fn own_media(&self, user: &LocalUser, id: Id) -> Result<Attachment, CoreError> {
        match self.store.media_attachment(id).await? {
            Some(media) if media.account_id == user.account.id && media.remote_url.is_none() => {
                Ok(media)
            }
            _ => Err(CoreError::NotFound),
        }
    }

    /// Changes the description, focus or preview of an upload not yet posted (as Mastodon:
    /// a posted one is changed by editing its post).
    pub async fn update_media(
        &self,
        user: &LocalUser,
        id: Id,
        request: MediaRequest,
    ) -> Result<Attachment, CoreError> {
        let mut media = self.own_media(user, id).await?;
        if media.status_id.is_some() {
            return Err(CoreError::NotFound);
        }
        self.check_description(&request.description)?;
        if let Some(description) = request.description {
            media.description = Some(description).filter(|d| !d.trim().is_empty());
        }
        if let Some(focus) = request.focus.as_deref() {
            let (x, y) = parse_focus(focus)?;
            let mut meta: serde_json::Value =
                serde_json::from_str(&media.meta).unwrap_or_else(|_| serde_json::json!({}));
            meta["focus"] = serde_json::json!({ "x": x, "y": y });
            media.meta = meta.to_string();
        }
        if let Some(thumbnail) = request.thumbnail {
            let preview = self
                .process_blocking(move |limits| process::process_thumbnail(&thumbnail, limits))
                .await?;
            // A new key, so that caches of the old preview do not serve it on.
            let key = format!(
                "attachments/{id}/small-{}.{}",
                self.clock.now().0,
                preview.extension
            );
            media.stored_bytes += preview.file.len() as i64;
            self.media.put(&key, preview.file).await?;
            if let Some(old) = media.preview_key.replace(key.clone()) {
                self.delete_files_now(&[old]).await;
            }
            media.preview_url = Some(self.media_url(&key));
        }
        self.store.update_media(&media).await?;
        Ok(media)
    }

    /// Deletes an upload that no post uses yet.
    pub async fn delete_own_media(&self, user: &LocalUser, id: Id) -> Result<(), CoreError> {
        let media = self.own_media(user, id).await?;
        if media.status_id.is_some() {
            return Err(CoreError::invalid(
                "Media attachment is currently used by a status",
            ));
        }
        if self.store.delete_unattached_media(&[id]).await?.is_empty() {
            return Err(CoreError::invalid(
                "Media attachment is currently used by a status",
            ));
        }
        self.delete_files_now(&media_keys(&media)).await;
        Ok(())
    }

    /// The uploads a new post asks for, in the order asked: each must be the author's own
    /// and not posted yet.
    pub(crate) async fn media_for_post(
        &self,
        user: &LocalUser,
        ids: &[Id],
    ) -> Result<Vec<Attachment>, CoreError> {
        if ids.len() > self.config.media.max_attachments {
            return Err(CoreError::invalid(format!(
                "a post may have at most {} media attachments",
                self.config.media.max_attachments
            )));
        }
        let found = self.store.media_attachments(ids).await?;
        let mut ordered = Vec::with_capacity(ids.len());
        for id in ids {
            match found.iter().find(|m| m.id == *id) {
                Some(media)
                    if media.account_id == user.account.id
                        && media.remote_url.is_none()
                        && ordered.iter().all(|m: &Attachment| m.id != *id) =>
                {
                    if media.status_id.is_some() {
                        return Err(CoreError::invalid(format!(
                            "media attachment {id} is already posted"
                        )));
                    }
                    ordered.push(media.clone());
                }
                _ => {
                    return Err(CoreError::invalid(format!(
                        "media attachment {id} was not found"
                    )));
                }
            }
        }
        Ok(ordered)
    }

    /// Queues the removal of files once they are no longer needed.
    pub(crate) async fn delete_files_later(
        &self,
        keys: Vec<String>,
        after: Duration,
    ) -> Result<(), CoreError> {
        if keys.is_empty() {
            return Ok(());
        }
        self.enqueue(
            DELETE_MEDIA_FILES,
            &DeleteMediaFiles { keys },
            Some(self.clock.after(after)),
        )
        .await?;
        Ok(())
    }

    /// Best effort: a file that cannot be removed now is left for `admin media prune`.
    async fn delete_files_now(&self, keys: &[String]) {
        for key in keys {
            if let Err(err) = self.media.delete(key).await {
                tracing::warn!(key, error = %err, "could not delete a media file");
            }
        }
    }

    /// The job behind [`DELETE_MEDIA_FILES`].
    pub async fn run_delete_media_files(&self, job: DeleteMediaFiles) -> Result<(), JobError> {
        for key in &job.keys {
            self.media.delete(key).await.map_err(JobError::from)?;
        }
        Ok(())
    }

    /// Removes uploads left unattached for longer than configured. Returns how many went.
    pub async fn prune_unattached_media(&self) -> Result<usize, CoreError> {
        let before =
            Timestamp(self.clock.now().0 - (self.config.media.unattached_hours as i64) * 3_600_000);
        let mut removed = 0;
        loop {
            let batch = self.store.unattached_media(before, 200).await?;
            if batch.is_empty() {
                break;
            }
            let ids: Vec<Id> = batch.iter().map(|m| m.id).collect();
            let gone = self.store.delete_unattached_media(&ids).await?;
            for media in batch.iter().filter(|m| gone.contains(&m.id)) {
                self.delete_files_now(&media_keys(media)).await;
            }
            removed += gone.len();
            if gone.len() < ids.len() || batch.len() < 200 {
                break;
            }
        }
        if removed > 0 {
            tracing::info!(removed, "unattached uploads removed");
        }
        Ok(removed)
    }

    /// A stored file for serving: its content type, size and bytes as a stream.
    pub async fn media_file(
        &self,
        key: &str,
    ) -> Result<
        (
            &'static str,
            u64,
            futures::stream::BoxStream<'static, Result<bytes::Bytes, std::io::Error>>,
        ),
        CoreError,
    > {
        let extension = key.rsplit_once('.').map(|(_, ext)| ext).unwrap_or("");
        let media_type = process::media_type_of_extension(extension).ok_or(CoreError::NotFound)?;
        let (size, stream) = self.media.stream(key).await?.ok_or(CoreError::NotFound)?;
        Ok((media_type, size, stream))
    }
}

/// The storage keys of an attachment's files.
pub fn media_keys(media: &Attachment) -> Vec<String> {
    media
        .file_key
        .iter()
        .chain(media.preview_key.iter())
        .cloned()
        .collect()
}
