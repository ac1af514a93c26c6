//! Full archives of an account, in Mastodon's layout, so that what a user takes away reads
//! anywhere Mastodon's archives do: a zip with
//!
//! - `outbox.json`: an `OrderedCollection` of every post of the account — public, unlisted,
//!   followers-only, direct and local-only alike, as Mastodon includes them all — as the
//!   `Create` activities federation sends (boosts as `Announce`), without their own
//!   `@context`; an attachment's `url` is the path of its file in the zip;
//! - the media files of those posts, under their storage keys (`attachments/…`);
//! - `likes.json` and `bookmarks.json`: `OrderedCollection`s of the posts' URIs;
//! - `actor.json`: the actor document with its public key, its `icon` and `image` pointing at
//!   `avatar.*` and `header.*` in the zip, and `outbox`, `likes`, `bookmarks` at the files.
//!
//! A job builds it: the zip is written to an unnamed temporary file (gone even after a
//! crash), then sent to media storage in parts under a random key that shows nothing until
//! the whole file is in. A build cut short starts again from the beginning on the job's next
//! attempt; only then is the archive marked ready. One archive a day per account (failed ones
//! aside); the daily upkeep removes archives a week old.

use std::collections::HashSet;
use std::io::{Seek, SeekFrom, Write};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::StreamExt;
use rhizome_federation::vocab::Context;
use rhizome_federation::vocab::outgoing::ActivityType;
use rhizome_model::{Account, Id, LocalUser, Status, Timestamp};
use rhizome_store::{AccountStatusFilter, Archive, ArchiveState, NewJob, PageRequest};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::federation::ap::{activity, addressing, to_json, url};
use crate::jobs::{DEFAULT_MAX_ATTEMPTS, JobError};
use crate::{Core, CoreError};

/// The job that builds an archive.
pub const BUILD_ARCHIVE: &str = "build_archive";
/// One archive per account in this time (Akkoma's `limit_days`; Mastodon allows one in six).
pub const ARCHIVE_INTERVAL: Duration = Duration::from_secs(24 * 3600);
/// How long an archive is kept, as on Mastodon.
pub const ARCHIVE_KEPT: Duration = Duration::from_secs(7 * 24 * 3600);
/// An archive not built by then has failed: its job's retries span about a day.
const ARCHIVE_GIVE_UP: Duration = Duration::from_secs(2 * 24 * 3600);
/// Akkoma's words when a second archive is asked for too soon.
pub const TOO_SOON: &str = "Last export was less than a day ago";
/// The most archives a listing shows (a week's worth, and failed ones).
const LISTED: u32 = 20;
/// Posts read from the database at a time.
const BATCH: u32 = 100;
/// JSON is handed to the zip writer in pieces of about this size.
const CHUNK: usize = 64 * 1024;

#[derive(Debug, Serialize, Deserialize)]
pub struct BuildArchive {
    pub archive_id: Id,
}

/// What the build sends the thread that writes the zip.
enum ZipOp {
    /// A new entry: deflated (JSON) or stored as it is (media, compressed already); `large`
    /// for files that may pass 4 GiB.
    Start {
        name: String,
        deflate: bool,
        large: bool,
    },
    Data(Bytes),
}

/// A zip being written to a temporary file by a blocking thread, fed through a bounded
/// channel, so the build's async reads never block a runtime thread and memory stays small.
struct ZipSink {
    sender: Option<mpsc::Sender<ZipOp>>,
    writer: Option<JoinHandle<Result<std::fs::File, String>>>,
    /// JSON not yet handed over.
    pending: Vec<u8>,
}

fn zip_error(err: impl std::fmt::Display) -> String {
    format!("writing the archive: {err}")
}

impl ZipSink {
    fn open(modified: Timestamp) -> Result<ZipSink, CoreError> {
        let file = tempfile::tempfile()
            .map_err(|e| CoreError::Internal(format!("a temporary file for an archive: {e}")))?;
        let at = modified.to_datetime();
        use chrono::{Datelike, Timelike};
        let stamp = zip::DateTime::from_date_and_time(
            u16::try_from(at.year()).unwrap_or(1980),
            at.month() as u8,
            at.day() as u8,
            at.hour() as u8,
            at.minute() as u8,
            at.second() as u8,
        )
        .unwrap_or_default();
        let (sender, mut receiver) = mpsc::channel::<ZipOp>(8);
        let writer = tokio::task::spawn_blocking(move || {
            let mut zip = zip::ZipWriter::new(file);
            while let Some(op) = receiver.blocking_recv() {
                match op {
                    ZipOp::Start {
                        name,
                        deflate,
                        large,
                    } => {
                        let method = if deflate {
                            zip::CompressionMethod::Deflated
                        } else {
                            zip::CompressionMethod::Stored
                        };
                        let options = zip::write::SimpleFileOptions::default()
                            .compression_method(method)
                            .last_modified_time(stamp)
                            .unix_permissions(0o644)
                            .large_file(large);
                        zip.start_file(name, options).map_err(zip_error)?;
                    }
                    ZipOp::Data(bytes) => zip.write_all(&bytes).map_err(zip_error)?,
                }
            }
            let mut file = zip.finish().map_err(zip_error)?;
            file.flush().map_err(zip_error)?;
            file.seek(SeekFrom::Start(0)).map_err(zip_error)?;
            Ok(file)
        });
        Ok(ZipSink {
            sender: Some(sender),
            writer: Some(writer),
            pending: Vec::new(),
        })
    }

    async fn send(&mut self, op: ZipOp) -> Result<(), CoreError> {
        let sent = match &self.sender {
            Some(sender) => sender.send(op).await.is_ok(),
            None => false,
        };
        if sent {
            return Ok(());
        }
        // The writer stopped: its error says why.
        match self.close().await {
            Err(err) => Err(err),
            Ok(_) => Err(CoreError::Internal("the archive writer stopped".into())),
        }
    }

    async fn flush(&mut self) -> Result<(), CoreError> {
        if !self.pending.is_empty() {
            let data = Bytes::from(std::mem::take(&mut self.pending));
            self.send(ZipOp::Data(data)).await?;
        }
        Ok(())
    }

    async fn start(&mut self, name: &str, deflate: bool, large: bool) -> Result<(), CoreError> {
        self.flush().await?;
        self.send(ZipOp::Start {
            name: name.to_owned(),
            deflate,
            large,
        })
        .await
    }

    /// Appends text to the current entry.
    async fn text(&mut self, text: &str) -> Result<(), CoreError> {
        self.pending.extend_from_slice(text.as_bytes());
        if self.pending.len() >= CHUNK {
            self.flush().await?;
        }
        Ok(())
    }

    async fn json(&mut self, value: &Value) -> Result<(), CoreError> {
        let text = serde_json::to_string(value).map_err(|e| CoreError::Internal(e.to_string()))?;
        self.text(&text).await
    }

    async fn bytes(&mut self, bytes: Bytes) -> Result<(), CoreError> {
        self.flush().await?;
        self.send(ZipOp::Data(bytes)).await
    }

    /// Ends the zip: its file, read from the start.
    async fn close(&mut self) -> Result<std::fs::File, CoreError> {
        self.sender = None;
        let writer = self
            .writer
            .take()
            .ok_or_else(|| CoreError::Internal("the archive writer is gone".into()))?;
        writer
            .await
            .map_err(|e| CoreError::Internal(format!("the archive writer: {e}")))?
            .map_err(CoreError::Internal)
    }

    async fn finish(mut self) -> Result<std::fs::File, CoreError> {
        self.flush().await?;
        self.close().await
    }
}

/// The start of an `OrderedCollection` document named `id`, up to its first item.
fn collection_head(id: &str) -> Result<String, CoreError> {
    let context =
        serde_json::to_string(&Context).map_err(|e| CoreError::Internal(e.to_string()))?;
    let id = serde_json::to_string(id).map_err(|e| CoreError::Internal(e.to_string()))?;
    Ok(format!(
        "{{\"@context\":{context},\"id\":{id},\"type\":\"OrderedCollection\",\"orderedItems\":["
    ))
}

/// `avatar.png` for `accounts/1/avatar-x.png`.
fn picture_name(which: &str, key: &str) -> String {
    match key.rsplit_once('.') {
        Some((_, extension)) if !extension.contains('/') => format!("{which}.{extension}"),
        _ => which.to_owned(),
    }
}

/// Progress, saved now and then rather than after every item.
struct Progress {
    archive: Id,
    done: i64,
    total: i64,
    saved: Instant,
}

impl Progress {
    async fn advance(&mut self, core: &Core) -> Result<(), CoreError> {
        self.done += 1;
        if self.saved.elapsed() >= Duration::from_secs(1) {
            self.save(core).await?;
        }
        Ok(())
    }

    async fn save(&mut self, core: &Core) -> Result<(), CoreError> {
        core.store
            .set_archive_progress(self.archive, self.done, self.total.max(self.done))
            .await?;
        self.saved = Instant::now();
        Ok(())
    }
}

impl Core {
    /// Asks for a full archive of `user`'s account, built by a job; refused when one (not
    /// failed) was asked for less than a day ago.
    pub async fn request_archive(&self, user: &LocalUser) -> Result<Archive, CoreError> {
        let now = self.clock.now();
        let id = Id::generate(now.0);
        let stamp = now.to_datetime().format("%Y%m%d%H%M%S");
        let archive = Archive {
            id,
            account_id: user.account.id,
            state: ArchiveState::Pending,
            // Random, so that even a public bucket does not give it away.
            file_key: format!("archives/{}.zip", crate::secrets::random_token(24)),
            file_name: format!("archive-{}-{stamp}.zip", user.account.username),
            file_size: 0,
            processed_items: 0,
            total_items: 0,
            created_at: now,
            finished_at: None,
        };
        let job = NewJob {
            id: Id::generate(now.0),
            kind: BUILD_ARCHIVE.to_owned(),
            payload: serde_json::to_string(&BuildArchive { archive_id: id })
                .map_err(|e| CoreError::Internal(e.to_string()))?,
            run_at: now,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        };
        let since = Timestamp(now.0 - self.clock.real(ARCHIVE_INTERVAL).as_millis() as i64);
        if !self.store.create_archive(&archive, &job, since).await? {
            return Err(CoreError::invalid(TOO_SOON));
        }
        self.jobs_ready.notify_one();
        tracing::info!(archive = %id, user = %user.account.username, "archive requested");
        Ok(archive)
    }

    /// Where an archive is downloaded: a page of the signed-in web interface, which serves it
    /// to its owner only (the file itself is never public).
    pub fn archive_download_url(&self, id: Id) -> String {
        format!("{}/settings/data/archives/{id}", self.urls.base())
    }

    /// The user's archives, newest first.
    pub async fn archives(&self, user: &LocalUser) -> Result<Vec<Archive>, CoreError> {
        Ok(self.store.archives_of(user.account.id, LISTED).await?)
    }

    /// A ready archive of `owner`'s, with its size and its bytes as a stream; anyone else's,
    /// or one not ready, is not found.
    pub async fn archive_file(
        &self,
        owner: Id,
        id: Id,
    ) -> Result<
        (
            Archive,
            u64,
            futures::stream::BoxStream<'static, Result<Bytes, std::io::Error>>,
        ),
        CoreError,
    > {
        let archive = self
            .store
            .archive(id)
            .await?
            .filter(|a| a.account_id == owner && a.state == ArchiveState::Ready)
            .ok_or(CoreError::NotFound)?;
        let (size, stream) = self
            .media
            .stream(&archive.file_key)
            .await?
            .ok_or(CoreError::NotFound)?;
        Ok((archive, size, stream))
    }

    /// A link's proof that its holder may download archive `id` without signing in. It is
    /// handed to owners who delete their account: they can no longer sign in, but their
    /// archive stays theirs until the deletion completes and removes it.
    pub fn archive_download_token(&self, id: Id) -> String {
        crate::secrets::csrf::for_session(&self.secrets.csrf_key, &format!("archive:{id}"))
    }

    /// A ready archive, for the holder of its [`Core::archive_download_token`].
    pub async fn archive_file_by_token(
        &self,
        id: Id,
        token: &str,
    ) -> Result<
        (
            Archive,
            u64,
            futures::stream::BoxStream<'static, Result<Bytes, std::io::Error>>,
        ),
        CoreError,
    > {
        if !crate::secrets::csrf::verify_for_session(
            &self.secrets.csrf_key,
            &format!("archive:{id}"),
            token,
        ) {
            return Err(CoreError::NotFound);
        }
        let owner = self
            .store
            .archive(id)
            .await?
            .ok_or(CoreError::NotFound)?
            .account_id;
        self.archive_file(owner, id).await
    }

    /// The [`BUILD_ARCHIVE`] job. `last_attempt`: a failure now is final, so the archive is
    /// marked failed rather than left waiting.
    pub async fn run_build_archive(
        &self,
        job: BuildArchive,
        last_attempt: bool,
    ) -> Result<(), JobError> {
        let Some(archive) = self
            .store
            .archive(job.archive_id)
            .await
            .map_err(CoreError::from)?
        else {
            // Gone with its account, or removed.
            return Ok(());
        };
        if matches!(archive.state, ArchiveState::Ready | ArchiveState::Failed) {
            return Ok(());
        }
        let Some(user) = self
            .store
            .local_user(archive.account_id)
            .await
            .map_err(CoreError::from)?
        else {
            return Ok(());
        };
        let started = Instant::now();
        match self.build_archive(&user, &archive).await {
            Ok(size) => {
                self.store
                    .finish_archive(archive.id, size as i64, self.clock.now())
                    .await
                    .map_err(CoreError::from)?;
                tracing::info!(
                    archive = %archive.id, user = %user.account.username, bytes = size,
                    seconds = started.elapsed().as_secs(), "archive ready"
                );
                Ok(())
            }
            Err(err) => {
                let err = JobError::from(err);
                if last_attempt || matches!(err, JobError::Permanent(_)) {
                    tracing::warn!(archive = %archive.id, error = %err, "archive failed");
                    self.store
                        .fail_archive(archive.id, self.clock.now())
                        .await
                        .map_err(CoreError::from)?;
                    self.media.delete(&archive.file_key).await?;
                }
                Err(err)
            }
        }
    }

    /// Writes the zip and stores it; returns its size.
    async fn build_archive(&self, user: &LocalUser, archive: &Archive) -> Result<u64, CoreError> {
        let account = &user.account;
        let (statuses, media) = self.store.archive_totals(account.id).await?;
        let mut progress = Progress {
            archive: archive.id,
            done: 0,
            total: statuses + media,
            saved: Instant::now(),
        };
        progress.save(self).await?;
        let mut zip = ZipSink::open(self.clock.now())?;

        // outbox.json, oldest post first; the media keys its posts point at.
        zip.start("outbox.json", true, false).await?;
        zip.text(&collection_head("outbox.json")?).await?;
        let mut keys: Vec<String> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let mut count = 0_i64;
        let mut after = 0_i64;
        loop {
            let page = self
                .store
                .account_statuses(
                    account.id,
                    Some(account.id),
                    &AccountStatusFilter::default(),
                    &PageRequest {
                        max_id: None,
                        since_id: None,
                        min_id: Some(after),
                        limit: BATCH,
                    },
                )
                .await?;
            let Some(newest) = page.newest_id else {
                break;
            };
            after = newest;
            // A page comes newest first.
            for status in page.items.iter().rev() {
                let Some(mut item) = self.archive_item(account, status).await? else {
                    continue;
                };
                for key in self.attachment_paths(&mut item) {
                    if seen.insert(key.clone()) {
                        keys.push(key);
                    }
                }
                if count > 0 {
                    zip.text(",").await?;
                }
                zip.json(&item).await?;
                count += 1;
                progress.advance(self).await?;
            }
        }
        zip.text(&format!("],\"totalItems\":{count}}}")).await?;

        // The files, as they are stored.
        for key in &keys {
            if self.copy_into(&mut zip, key, key).await? {
                progress.advance(self).await?;
            }
        }

        for (name, uris) in [
            ("likes.json", self.store.all_favourites(account.id).await?),
            (
                "bookmarks.json",
                self.store.all_bookmarks(account.id).await?,
            ),
        ] {
            zip.start(name, true, false).await?;
            zip.text(&collection_head(name)?).await?;
            for (index, (_, uri)) in uris.iter().enumerate() {
                if index > 0 {
                    zip.text(",").await?;
                }
                zip.json(&Value::String(uri.clone())).await?;
            }
            zip.text("]}").await?;
        }

        // actor.json, with the pictures beside it.
        let mut actor = to_json(self.actor_document(account)?)?;
        for (which, property, picture) in [
            ("avatar", "icon", &account.avatar_url),
            ("header", "image", &account.header_url),
        ] {
            let Some(key) = picture.as_deref().and_then(|u| self.media_key_of_url(u)) else {
                continue;
            };
            let name = picture_name(which, &key);
            if self.copy_into(&mut zip, &key, &name).await? {
                actor[property]["url"] = Value::String(name);
            }
        }
        actor["outbox"] = Value::String("outbox.json".into());
        actor["likes"] = Value::String("likes.json".into());
        actor["bookmarks"] = Value::String("bookmarks.json".into());
        zip.start("actor.json", true, false).await?;
        zip.json(&actor).await?;

        progress.save(self).await?;
        let file = zip.finish().await?;
        self.media.put_file(&archive.file_key, file).await
    }

    /// A post as its activity in the outbox: `Create` with the Note federation sends, or the
    /// `Announce` of a boost (`None` when the boosted post is gone).
    async fn archive_item(
        &self,
        account: &Account,
        status: &Status,
    ) -> Result<Option<Value>, CoreError> {
        let mut item = match status.reblog_of_id {
            Some(original) => {
                let Some(original) = self.store.status(original).await? else {
                    return Ok(None);
                };
                let followers = self.urls.followers(&account.username);
                let (to, mut cc) = addressing(status.visibility, &followers, &[])?;
                if let Some(author) = self.store.account(original.account_id).await?
                    && !author.is_local()
                {
                    cc.push(url(&author.uri)?);
                }
                activity(
                    ActivityType::Announce,
                    &status.uri,
                    &account.uri,
                    url(&original.uri)?,
                    to,
                    cc,
                )?
            }
            None => {
                let note = self.status_document(status).await?;
                let addresses = |key: &str| -> Vec<url::Url> {
                    note[key]
                        .as_array()
                        .map(|items| {
                            items
                                .iter()
                                .filter_map(Value::as_str)
                                .filter_map(|v| url::Url::parse(v).ok())
                                .collect()
                        })
                        .unwrap_or_default()
                };
                let (to, cc) = (addresses("to"), addresses("cc"));
                activity(
                    ActivityType::Create,
                    &format!("{}/activity", status.uri),
                    &account.uri,
                    note,
                    to,
                    cc,
                )?
            }
        };
        // Items of a collection go without a context of their own, as in Mastodon's archive.
        if let Some(object) = item.as_object_mut() {
            object.remove("@context");
        }
        Ok(Some(item))
    }

    /// Points the attachments of a `Create` at their files in the zip; returns their keys.
    fn attachment_paths(&self, item: &mut Value) -> Vec<String> {
        let mut keys = Vec::new();
        // A boost's object is a bare URI: only a Create's Note has attachments.
        let attachments = item
            .get_mut("object")
            .and_then(|object| object.get_mut("attachment"))
            .and_then(Value::as_array_mut);
        if let Some(attachments) = attachments {
            for attachment in attachments {
                let key = attachment["url"]
                    .as_str()
                    .and_then(|u| self.media_key_of_url(u));
                if let Some(key) = key {
                    attachment["url"] = Value::String(key.clone());
                    keys.push(key);
                }
            }
        }
        keys
    }

    /// Copies a stored file into the zip as `name`; `false` when it is missing (skipped, as
    /// Mastodon does).
    async fn copy_into(&self, zip: &mut ZipSink, key: &str, name: &str) -> Result<bool, CoreError> {
        let Some((size, mut stream)) = self.media.stream(key).await? else {
            tracing::warn!(key, "a file of an archive is missing from media storage");
            return Ok(false);
        };
        zip.start(name, false, size >= u64::from(u32::MAX)).await?;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| CoreError::Internal(format!("reading {key}: {e}")))?;
            zip.bytes(chunk).await?;
        }
        Ok(true)
    }

    /// The daily upkeep's part: archives a week old go, with their files; archives still not
    /// built two days after they were asked for are failed. Returns how many were removed.
    pub async fn prune_archives(&self) -> Result<u64, CoreError> {
        let now = self.clock.now();
        let before = |age: Duration| Timestamp(now.0 - self.clock.real(age).as_millis() as i64);
        self.store
            .fail_unfinished_archives(before(ARCHIVE_GIVE_UP), now)
            .await?;
        let mut removed = 0;
        loop {
            let old = self
                .store
                .archives_created_before(before(ARCHIVE_KEPT), 100)
                .await?;
            if old.is_empty() {
                return Ok(removed);
            }
            for archive in old {
                self.media.delete(&archive.file_key).await?;
                self.store.delete_archive(archive.id).await?;
                removed += 1;
            }
        }
    }

    /// Removes every archive of an account with its file (before the account itself goes:
    /// the records would go with it, the files would not).
    pub async fn remove_archives_of(&self, account_id: Id) -> Result<(), CoreError> {
        loop {
            let archives = self.store.archives_of(account_id, 100).await?;
            if archives.is_empty() {
                return Ok(());
            }
            for archive in archives {
                self.media.delete(&archive.file_key).await?;
                self.store.delete_archive(archive.id).await?;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_keep_their_extension() {
        assert_eq!(
            picture_name("avatar", "accounts/1/avatar-x.png"),
            "avatar.png"
        );
        assert_eq!(picture_name("header", "accounts/1/header"), "header");
        assert_eq!(picture_name("header", "a.b/header"), "header");
    }

    #[test]
    fn collections_start_with_the_federation_context() {
        let head = collection_head("likes.json").unwrap();
        let whole: Value = serde_json::from_str(&format!("{head}\"x\"]}}")).unwrap();
        assert_eq!(whole["type"], "OrderedCollection");
        assert_eq!(whole["id"], "likes.json");
        assert_eq!(whole["orderedItems"][0], "x");
        assert!(whole["@context"].to_string().contains("activitystreams"));
    }
}
