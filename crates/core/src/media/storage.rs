//! Where media files live: one interface over the local data directory and S3-compatible
//! object storage (both through `object_store`). Keys are ours (`attachments/…`,
//! `accounts/…`, `emoji/…`, `cache/…`) and end with the extension of the detected type.

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use crate::CoreError;

/// Which back end holds the files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageBackend {
    /// A folder (by default `data/media`).
    Local {
        dir: PathBuf,
    },
    S3(S3Config),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Config {
    pub bucket: String,
    /// e.g. `https://s3.eu-central-1.amazonaws.com`, or a MinIO / Garage address.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key`.
    pub path_style: bool,
    /// Plain http to the endpoint (a server on the same machine or network).
    pub allow_http: bool,
}

#[derive(Clone)]
pub struct MediaStorage {
    store: Arc<dyn ObjectStore>,
    backend: StorageBackend,
}

impl std::fmt::Debug for MediaStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MediaStorage({})", self.store)
    }
}

fn storage_error(err: object_store::Error) -> CoreError {
    CoreError::Internal(format!("media storage: {err}"))
}

/// Our keys are made of these characters only; anything else in a request is refused.
pub fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 200
        && !key.starts_with('/')
        && !key.contains("..")
        && !key.contains("//")
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'-' | b'_'))
}

fn object_path(key: &str) -> Result<ObjectPath, CoreError> {
    if !valid_key(key) {
        return Err(CoreError::NotFound);
    }
    ObjectPath::parse(key).map_err(|_| CoreError::NotFound)
}

impl MediaStorage {
    pub fn open(backend: StorageBackend) -> Result<MediaStorage, CoreError> {
        let store: Arc<dyn ObjectStore> = match &backend {
            StorageBackend::Local { dir } => {
                std::fs::create_dir_all(dir).map_err(|e| {
                    CoreError::Internal(format!("cannot create {}: {e}", dir.display()))
                })?;
                Arc::new(
                    object_store::local::LocalFileSystem::new_with_prefix(dir)
                        .map_err(storage_error)?,
                )
            }
            StorageBackend::S3(s3) => {
                let mut builder = object_store::aws::AmazonS3Builder::new()
                    .with_bucket_name(&s3.bucket)
                    .with_region(&s3.region)
                    .with_access_key_id(&s3.access_key_id)
                    .with_secret_access_key(&s3.secret_access_key)
                    .with_virtual_hosted_style_request(!s3.path_style)
                    .with_allow_http(s3.allow_http);
                if let Some(endpoint) = &s3.endpoint {
                    builder = builder.with_endpoint(endpoint);
                }
                Arc::new(builder.build().map_err(storage_error)?)
            }
        };
        Ok(MediaStorage { store, backend })
    }

    pub fn backend(&self) -> &StorageBackend {
        &self.backend
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), CoreError> {
        self.store
            .put(&object_path(key)?, PutPayload::from(bytes))
            .await
            .map_err(storage_error)?;
        Ok(())
    }

    /// The whole file, or `None` when there is no such key.
    pub async fn get(&self, key: &str) -> Result<Option<Bytes>, CoreError> {
        match self.store.get(&object_path(key)?).await {
            Ok(result) => Ok(Some(result.bytes().await.map_err(storage_error)?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(err) => Err(storage_error(err)),
        }
    }

    /// The file as a stream of chunks with its size, for serving large files without
    /// holding them in memory.
    pub async fn stream(
        &self,
        key: &str,
    ) -> Result<Option<(u64, BoxStream<'static, Result<Bytes, std::io::Error>>)>, CoreError> {
        match self.store.get(&object_path(key)?).await {
            Ok(result) => {
                let size = result.meta.size;
                let stream = result
                    .into_stream()
                    .map(|chunk| chunk.map_err(std::io::Error::other))
                    .boxed();
                Ok(Some((size, stream)))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(err) => Err(storage_error(err)),
        }
    }

    pub async fn exists(&self, key: &str) -> Result<bool, CoreError> {
        match self.store.head(&object_path(key)?).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(err) => Err(storage_error(err)),
        }
    }

    /// Deletes a file; one that is already gone is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), CoreError> {
        match self.store.delete(&object_path(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(storage_error(err)),
        }
    }

    /// Every key under `prefix` (for moving media between back ends).
    pub fn list(&self, prefix: Option<&str>) -> BoxStream<'static, Result<String, CoreError>> {
        let prefix = prefix.map(ObjectPath::from);
        self.store
            .list(prefix.as_ref())
            .map(|meta| meta.map(|m| m.location.to_string()).map_err(storage_error))
            .boxed()
    }

    /// Stores a large local file under `key` without reading it whole into memory: sent in
    /// parts (S3's multipart upload; a staged file renamed at the end on disk), so the key
    /// shows nothing until the last part is in — a crash mid-way leaves no partial file under
    /// it. Returns the size stored.
    pub async fn put_file(&self, key: &str, file: std::fs::File) -> Result<u64, CoreError> {
        use tokio::io::AsyncReadExt;

        /// S3 wants parts of 5 MiB at least (all but the last).
        const PART: usize = 8 * 1024 * 1024;
        let upload = self
            .store
            .put_multipart(&object_path(key)?)
            .await
            .map_err(storage_error)?;
        let mut writer = object_store::WriteMultipart::new_with_chunk_size(upload, PART);
        let mut file = tokio::fs::File::from_std(file);
        let mut buffer = vec![0u8; 1024 * 1024];
        let mut size = 0u64;
        let read: Result<(), CoreError> = async {
            loop {
                let n = file
                    .read(&mut buffer)
                    .await
                    .map_err(|e| CoreError::Internal(format!("reading {key}: {e}")))?;
                if n == 0 {
                    return Ok(());
                }
                // At most two parts in flight: memory stays bounded whatever the size.
                writer.wait_for_capacity(2).await.map_err(storage_error)?;
                writer.write(&buffer[..n]);
                size += n as u64;
            }
        }
        .await;
        if let Err(err) = read {
            if let Err(abort) = writer.abort().await {
                tracing::warn!(key, error = %abort, "aborting an upload failed");
            }
            return Err(err);
        }
        writer.finish().await.map_err(storage_error)?;
        Ok(size)
    }
}

/// What [`copy_all`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CopyReport {
    pub copied: u64,
    pub skipped: u64,
}

/// Copies every file of `from` that `to` lacks (resumable: what is there is skipped).
/// `progress` hears (files looked at, files in all).
pub async fn copy_all(
    from: &MediaStorage,
    to: &MediaStorage,
    progress: &(dyn Fn(u64, u64) + Send + Sync),
) -> Result<CopyReport, CoreError> {
    let keys: Vec<String> = from
        .list(None)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    let total = keys.len() as u64;
    let mut report = CopyReport::default();
    for (done, key) in keys.iter().enumerate() {
        if to.exists(key).await? {
            report.skipped += 1;
        } else if let Some(bytes) = from.get(key).await? {
            to.put(key, bytes.to_vec()).await?;
            report.copied += 1;
        }
        progress(done as u64 + 1, total);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::valid_key;

    #[test]
    fn keys_cannot_escape_the_store() {
        assert!(valid_key("attachments/123/original.png"));
        for bad in [
            "",
            "../etc/passwd",
            "/abs",
            "a//b",
            "a/../b",
            "a b",
            "a%2e",
            "ä",
        ] {
            assert!(!valid_key(bad), "{bad:?}");
        }
    }
}
