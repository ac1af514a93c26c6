//! Media: uploads (checked, stripped, previewed), their storage, serving, and clean-up.

pub mod cache;
pub mod process;
pub mod storage;
pub mod video;

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
    /// Images larger than this, sent to `/api/v2/media`, are processed by a worker.
    pub process_later_bytes: u64,
    /// The tools that read video and audio (empty: not used).
    pub ffprobe: String,
    pub ffmpeg: String,
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
            process_later_bytes: 2 * 1024 * 1024,
            ffprobe: "ffprobe".into(),
            ffmpeg: "ffmpeg".into(),
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

/// Job: check and convert a large upload (see [`Core::upload_media`]).
pub const PROCESS_MEDIA: &str = "process_media";

#[derive(Debug, Serialize, Deserialize)]
pub struct ProcessMedia {
    pub id: Id,
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
                process::process_profile_image(&bytes, limits, width, height, process::Fit::Cover)
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
    /// With `later_if_large`, a large image is stored raw and processed by a worker (the
    /// attachment says `processing` until then), as Mastodon's `/api/v2/media` does.
    pub async fn upload_media(
        &self,
        user: &LocalUser,
        file: Vec<u8>,
        request: MediaRequest,
        later_if_large: bool,
    ) -> Result<Attachment, CoreError> {
        self.check_description(&request.description)?;
        let focus = request.focus.as_deref().map(parse_focus).transpose()?;
        let now = self.clock.now();
        let id = Id::generate(now.0);
        let description = request.description.filter(|d| !d.trim().is_empty());
        let detected = infer::get(&file).map(|t| t.mime_type()).unwrap_or("");
        if later_if_large
            && request.thumbnail.is_none()
            && file.len() as u64 > self.config.media.process_later_bytes
            && detected.starts_with("image/")
        {
            if file.len() as u64 > self.config.media.max_image_bytes {
                return Err(MediaError::TooLarge(format!(
                    "Image files must be smaller than {}",
                    process::human_size(self.config.media.max_image_bytes)
                ))
                .into());
            }
            let raw_key = format!("incoming/{id}");
            let stored_bytes = file.len() as i64;
            self.media.put(&raw_key, file).await?;
            let mut meta = serde_json::json!({});
            if let Some((x, y)) = focus {
                meta["focus"] = serde_json::json!({ "x": x, "y": y });
            }
            let attachment = Attachment {
                id,
                status_id: None,
                account_id: user.account.id,
                kind: rhizome_model::AttachmentKind::Image,
                media_type: Some(detected.to_owned()),
                url: String::new(),
                remote_url: None,
                preview_url: None,
                description,
                blurhash: None,
                meta: meta.to_string(),
                position: 0,
                created_at: now,
                file_key: Some(raw_key.clone()),
                preview_key: None,
                stored_bytes,
                processing: true,
            };
            if let Err(err) = self.store.insert_upload(&attachment).await {
                self.delete_files_now(&[raw_key]).await;
                return Err(err.into());
            }
            self.enqueue(PROCESS_MEDIA, &ProcessMedia { id }, None)
                .await?;
            return Ok(attachment);
        }
        let mut processed: Processed = self
            .process_blocking(move |limits| process::process(&file, limits))
            .await?;
        if matches!(
            processed.kind,
            rhizome_model::AttachmentKind::Video | rhizome_model::AttachmentKind::Audio
        ) {
            self.describe_playable(&mut processed).await;
        }
        if let Some(thumbnail) = request.thumbnail {
            processed.preview = Some(
                self.process_blocking(move |limits| process::process_thumbnail(&thumbnail, limits))
                    .await?,
            );
        }
        let mut attachment = Attachment {
            id,
            status_id: None,
            account_id: user.account.id,
            kind: processed.kind,
            media_type: None,
            url: String::new(),
            remote_url: None,
            preview_url: None,
            description,
            blurhash: None,
            meta: String::new(),
            position: 0,
            created_at: now,
            file_key: None,
            preview_key: None,
            stored_bytes: 0,
            processing: false,
        };
        self.store_processed(&mut attachment, processed, focus)
            .await?;
        if let Err(err) = self.store.insert_upload(&attachment).await {
            self.delete_files_now(&media_keys(&attachment)).await;
            return Err(err.into());
        }
        tracing::debug!(id = %id, kind = attachment.kind.as_str(), bytes = attachment.stored_bytes, "media uploaded");
        Ok(attachment)
    }

    /// Duration and size of a video or sound, and a preview frame, where the tools are
    /// installed. Without them (or when they fail) the file is kept as it is.
    async fn describe_playable(&self, processed: &mut Processed) {
        let media = &self.config.media;
        let video = processed.kind == rhizome_model::AttachmentKind::Video;
        let probed = video::probe(&processed.file, &media.ffprobe, &media.ffmpeg, video).await;
        if probed.meta.is_object() {
            processed.meta = probed.meta;
        }
        let Some(frame) = probed.frame else {
            return;
        };
        match self
            .process_blocking(move |limits| process::process(&frame, limits))
            .await
        {
            Ok(still) => {
                processed.preview = still.preview;
                processed.blurhash = still.blurhash;
                processed.meta["small"] = still.meta["small"].clone();
            }
            Err(err) => tracing::debug!(error = %err, "no preview frame for a video"),
        }
    }

    /// Puts the processed files in storage and their description in `attachment`.
    async fn store_processed(
        &self,
        attachment: &mut Attachment,
        processed: Processed,
        focus: Option<(f64, f64)>,
    ) -> Result<(), CoreError> {
        let id = attachment.id;
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
        attachment.kind = processed.kind;
        attachment.media_type = Some(processed.media_type.to_owned());
        attachment.url = self.media_url(&file_key);
        attachment.preview_url = preview_key.as_deref().map(|k| self.media_url(k));
        attachment.blurhash = processed.blurhash;
        attachment.meta = meta.to_string();
        attachment.file_key = Some(file_key);
        attachment.preview_key = preview_key;
        attachment.stored_bytes = stored_bytes;
        attachment.processing = false;
        Ok(())
    }

    /// The job behind [`PROCESS_MEDIA`]: a large upload checked and converted. One that
    /// fails the checks (a decompression bomb, a corrupt file) is removed.
    pub async fn run_process_media(&self, job: ProcessMedia) -> Result<(), JobError> {
        let Some(mut media) = self
            .store
            .media_attachment(job.id)
            .await
            .map_err(CoreError::from)?
        else {
            return Ok(());
        };
        let Some(raw_key) = media.file_key.clone().filter(|_| media.processing) else {
            return Ok(());
        };
        let Some(raw) = self.media.get(&raw_key).await? else {
            return Err(JobError::Permanent("the raw upload is gone".into()));
        };
        let focus = serde_json::from_str::<serde_json::Value>(&media.meta)
            .ok()
            .and_then(|m| Some((m["focus"]["x"].as_f64()?, m["focus"]["y"].as_f64()?)));
        let limits = self.config.media.limits();
        let processed = tokio::task::spawn_blocking(move || process::process(&raw, &limits))
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        let processed = match processed {
            Ok(processed) => processed,
            Err(refused) => {
                tracing::info!(id = %media.id, reason = %refused, "a large upload was refused");
                self.store
                    .delete_unattached_media(&[media.id])
                    .await
                    .map_err(CoreError::from)?;
                self.delete_files_now(&[raw_key]).await;
                return Ok(());
            }
        };
        self.store_processed(&mut media, processed, focus).await?;
        self.store
            .update_media(&media)
            .await
            .map_err(CoreError::from)?;
        self.delete_files_now(&[raw_key]).await;
        Ok(())
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

    /// A post may carry at most `media.max_attachments` files.
    pub(crate) fn check_attachment_count(&self, count: usize) -> Result<(), CoreError> {
        if count > self.config.media.max_attachments {
            return Err(CoreError::invalid(format!(
                "a post may have at most {} media attachments",
                self.config.media.max_attachments
            )));
        }
        Ok(())
    }

    /// The uploads a new post asks for, in the order asked: each must be the author's own
    /// and not posted yet.
    /// `scheduled` is the scheduled post being published, whose reserved uploads these are.
    pub(crate) async fn media_for_post(
        &self,
        user: &LocalUser,
        ids: &[Id],
        scheduled: Option<Id>,
    ) -> Result<Vec<Attachment>, CoreError> {
        self.check_attachment_count(ids.len())?;
        if self
            .store
            .reserved_media(ids)
            .await?
            .iter()
            .any(|(_, by)| Some(*by) != scheduled)
        {
            return Err(CoreError::invalid(
                "a media attachment is already used by a scheduled post",
            ));
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
                    if media.processing {
                        return Err(CoreError::invalid(
                            "Cannot attach files that have not finished processing. \
                             Try again in a moment!",
                        ));
                    }
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

    /// Changes the descriptions of a posted status's own media (`(media id, text)`), as the
    /// web client's edit form does; an edit of the status then carries them.
    pub async fn describe_status_media(
        &self,
        user: &LocalUser,
        status_id: Id,
        descriptions: &[(Id, String)],
    ) -> Result<(), CoreError> {
        let attached = self
            .store
            .attachments_of(&[status_id])
            .await?
            .remove(&status_id)
            .unwrap_or_default();
        for (id, text) in descriptions {
            let mut media = self.own_media(user, *id).await?;
            if media.status_id != Some(status_id) || !attached.iter().any(|m| m.id == *id) {
                return Err(CoreError::NotFound);
            }
            let description = Some(text.clone());
            self.check_description(&description)?;
            let description = description.filter(|d| !d.trim().is_empty());
            if media.description != description {
                media.description = description;
                self.store.update_media(&media).await?;
            }
        }
        Ok(())
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
