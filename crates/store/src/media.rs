//! Uploads not yet attached, custom emoji and the cache of remote files. The files
//! themselves live in media storage; these rows say where.

use std::collections::HashMap;

use rhizome_model::{Attachment, EmojiRef, Id, Timestamp};
use sqlx::QueryBuilder;

use crate::reader::with_reader;
use crate::row::Columns;
use crate::statuses::{ATTACHMENT_COLUMNS, map_attachment, push_column_in};
use crate::{Store, StoreError, begin_write, with_pool};

/// A custom emoji: ours (`domain == None`) or one seen on another server.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomEmoji {
    pub id: Id,
    pub shortcode: String,
    pub domain: Option<String>,
    pub url: String,
    pub file_key: Option<String>,
    pub media_type: String,
    pub stored_bytes: i64,
    pub category: Option<String>,
    pub visible_in_picker: bool,
    pub created_at: Timestamp,
}

/// A remote file kept in media storage.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedFile {
    pub url: String,
    pub file_key: String,
    pub media_type: String,
    pub stored_bytes: i64,
    pub cached_at: Timestamp,
    pub used_at: Timestamp,
}

/// An upload no pending scheduled post holds.
const NOT_RESERVED: &str = "(scheduled_status_id IS NULL OR NOT EXISTS (SELECT 1 FROM \
    scheduled_statuses ss WHERE ss.id = media_attachments.scheduled_status_id))";

const EMOJI_COLUMNS: &str = "id, shortcode, domain, url, file_key, media_type, stored_bytes, \
    category, visible_in_picker, created_at";

fn map_emoji(row: &impl Columns) -> Result<CustomEmoji, StoreError> {
    Ok(CustomEmoji {
        id: Id(row.i64("id")?),
        shortcode: row.text("shortcode")?,
        domain: row.opt_text("domain")?,
        url: row.text("url")?,
        file_key: row.opt_text("file_key")?,
        media_type: row.text("media_type")?,
        stored_bytes: row.i64("stored_bytes")?,
        category: row.opt_text("category")?,
        visible_in_picker: row.bool("visible_in_picker")?,
        created_at: Timestamp(row.i64("created_at")?),
    })
}

const CACHE_COLUMNS: &str = "url, file_key, media_type, stored_bytes, cached_at, used_at";

fn map_cached(row: &impl Columns) -> Result<CachedFile, StoreError> {
    Ok(CachedFile {
        url: row.text("url")?,
        file_key: row.text("file_key")?,
        media_type: row.text("media_type")?,
        stored_bytes: row.i64("stored_bytes")?,
        cached_at: Timestamp(row.i64("cached_at")?),
        used_at: Timestamp(row.i64("used_at")?),
    })
}

/// Records one custom emoji a status uses (`$1` the status, `$2` and `$3` the emoji).
pub(crate) const INSERT_STATUS_EMOJI: &str = "INSERT INTO status_emojis (status_id, shortcode, \
    url) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";

impl Store {
    /// Stores an upload that no post has yet.
    pub async fn insert_upload(&self, a: &Attachment) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO media_attachments (id, status_id, account_id, kind, media_type, url, \
                 remote_url, preview_url, description, blurhash, meta, position, created_at, \
                 file_key, preview_key, stored_bytes, processing) \
                 VALUES ($1, NULL, $2, $3, $4, $5, NULL, $6, $7, $8, $9, 0, $10, $11, $12, $13, \
                 $14)",
            )
            .bind(a.id.0)
            .bind(a.account_id.0)
            .bind(a.kind.as_str())
            .bind(&a.media_type)
            .bind(&a.url)
            .bind(&a.preview_url)
            .bind(&a.description)
            .bind(&a.blurhash)
            .bind(&a.meta)
            .bind(a.created_at.0)
            .bind(&a.file_key)
            .bind(&a.preview_key)
            .bind(a.stored_bytes)
            .bind(a.processing)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn media_attachment(&self, id: Id) -> Result<Option<Attachment>, StoreError> {
        Ok(self.media_attachments(&[id]).await?.pop())
    }

    /// The attachments with these ids, in no particular order.
    pub async fn media_attachments(&self, ids: &[Id]) -> Result<Vec<Attachment>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(format!(
                "SELECT {ATTACHMENT_COLUMNS} FROM media_attachments WHERE "
            ));
            push_column_in(&mut query, "id", ids);
            let rows = query.build().fetch_all(pool).await?;
            rows.iter().map(map_attachment).collect()
        })
    }

    /// Saves what an owner may change after upload (description, focus in `meta`, the
    /// preview) and what processing makes (the files, sizes, blurhash).
    pub async fn update_media(&self, a: &Attachment) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "UPDATE media_attachments SET description = $2, meta = $3, preview_url = $4, \
                 preview_key = $5, blurhash = $6, stored_bytes = $7, url = $8, file_key = $9, \
                 media_type = $10, kind = $11, processing = $12 WHERE id = $1",
            )
            .bind(a.id.0)
            .bind(&a.description)
            .bind(&a.meta)
            .bind(&a.preview_url)
            .bind(&a.preview_key)
            .bind(&a.blurhash)
            .bind(a.stored_bytes)
            .bind(&a.url)
            .bind(&a.file_key)
            .bind(&a.media_type)
            .bind(a.kind.as_str())
            .bind(a.processing)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Uploads never attached to a post and older than `before`, oldest first.
    pub async fn unattached_media(
        &self,
        before: Timestamp,
        limit: i64,
    ) -> Result<Vec<Attachment>, StoreError> {
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(&format!(
                "SELECT {ATTACHMENT_COLUMNS} FROM media_attachments \
                 WHERE status_id IS NULL AND created_at < $1 AND {NOT_RESERVED} \
                 ORDER BY created_at LIMIT $2"
            ))
            .bind(before.0)
            .bind(limit)
            .fetch_all(pool)
            .await?;
            rows.iter().map(map_attachment).collect()
        })
    }

    /// Deletes unattached uploads (an attached one is kept: it was attached meanwhile).
    /// Returns the ids that went.
    pub async fn delete_unattached_media(&self, ids: &[Id]) -> Result<Vec<Id>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        with_pool!(self, write, |pool| {
            let mut query = QueryBuilder::new(format!(
                "DELETE FROM media_attachments WHERE status_id IS NULL AND {NOT_RESERVED} AND "
            ));
            push_column_in(&mut query, "id", ids);
            query.push(" RETURNING id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter().map(|row| Ok(Id(row.i64("id")?))).collect()
        })
    }

    /// Which of these uploads a pending scheduled post holds: (upload, scheduled post).
    pub async fn reserved_media(&self, ids: &[Id]) -> Result<Vec<(Id, Id)>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT m.id, m.scheduled_status_id FROM media_attachments m \
                 JOIN scheduled_statuses ss ON ss.id = m.scheduled_status_id WHERE ",
            );
            push_column_in(&mut query, "m.id", ids);
            let rows = query.build().fetch_all(pool).await?;
            rows.iter()
                .map(|row| Ok((Id(row.i64("id")?), Id(row.i64("scheduled_status_id")?))))
                .collect()
        })
    }

    /// Total bytes of local uploads of `account_id` (for the storage budget).
    pub async fn media_bytes_of(&self, account_id: Id) -> Result<i64, StoreError> {
        with_pool!(self, read, |pool| {
            let total: Option<i64> = sqlx::query_scalar(
                "SELECT CAST(SUM(stored_bytes) AS BIGINT) FROM media_attachments \
                 WHERE account_id = $1",
            )
            .bind(account_id.0)
            .fetch_one(pool)
            .await?;
            Ok(total.unwrap_or(0))
        })
    }

    // Custom emoji.

    pub async fn insert_custom_emoji(&self, emoji: &CustomEmoji) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO custom_emojis (id, shortcode, domain, url, file_key, media_type, \
                 stored_bytes, category, visible_in_picker, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(emoji.id.0)
            .bind(&emoji.shortcode)
            .bind(&emoji.domain)
            .bind(&emoji.url)
            .bind(&emoji.file_key)
            .bind(&emoji.media_type)
            .bind(emoji.stored_bytes)
            .bind(&emoji.category)
            .bind(emoji.visible_in_picker)
            .bind(emoji.created_at.0)
            .execute(pool)
            .await
            .map_err(|e| match StoreError::violated_unique(&e) {
                Some(_) => StoreError::Conflict("an emoji with this shortcode exists"),
                None => StoreError::Database(e),
            })?;
        });
        Ok(())
    }

    /// This instance's custom emoji, by shortcode.
    pub async fn local_custom_emojis(&self) -> Result<Vec<CustomEmoji>, StoreError> {
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(&format!(
                "SELECT {EMOJI_COLUMNS} FROM custom_emojis WHERE domain IS NULL ORDER BY shortcode"
            ))
            .fetch_all(pool)
            .await?;
            rows.iter().map(map_emoji).collect()
        })
    }

    /// Removes a local custom emoji; returns it, so that its file can go too.
    pub async fn delete_local_custom_emoji(
        &self,
        shortcode: &str,
    ) -> Result<Option<CustomEmoji>, StoreError> {
        with_pool!(self, write, |pool| {
            let row = sqlx::query(&format!(
                "DELETE FROM custom_emojis WHERE domain IS NULL AND shortcode = $1 \
                 RETURNING {EMOJI_COLUMNS}"
            ))
            .bind(shortcode)
            .fetch_optional(pool)
            .await?;
            row.as_ref().map(map_emoji).transpose()
        })
    }

    /// Replaces the custom emoji a status uses.
    pub async fn set_status_emojis(
        &self,
        status_id: Id,
        emojis: &[EmojiRef],
    ) -> Result<(), StoreError> {
        begin_write!(self, |tx| {
            sqlx::query("DELETE FROM status_emojis WHERE status_id = $1")
                .bind(status_id.0)
                .execute(&mut *tx)
                .await?;
            for emoji in emojis {
                sqlx::query(INSERT_STATUS_EMOJI)
                    .bind(status_id.0)
                    .bind(&emoji.shortcode)
                    .bind(&emoji.url)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// The custom emoji of several statuses.
    pub async fn emojis_of(&self, ids: &[Id]) -> Result<HashMap<Id, Vec<EmojiRef>>, StoreError> {
        self.reader().emojis_of(ids).await
    }

    // The remote media cache.

    pub async fn cached_file(&self, url: &str) -> Result<Option<CachedFile>, StoreError> {
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&format!(
                "SELECT {CACHE_COLUMNS} FROM media_cache WHERE url = $1"
            ))
            .bind(url)
            .fetch_optional(pool)
            .await?;
            row.as_ref().map(map_cached).transpose()
        })
    }

    /// Records a fetched file; a concurrent fetch of the same URL keeps the first row and
    /// returns `false`, so that the caller removes its own copy.
    pub async fn insert_cached_file(&self, file: &CachedFile) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query(
                "INSERT INTO media_cache (url, file_key, media_type, stored_bytes, cached_at, \
                 used_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (url) DO NOTHING",
            )
            .bind(&file.url)
            .bind(&file.file_key)
            .bind(&file.media_type)
            .bind(file.stored_bytes)
            .bind(file.cached_at.0)
            .bind(file.used_at.0)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Marks a cached file as used now (pruning by size goes least recently used first).
    pub async fn touch_cached_file(&self, url: &str, now: Timestamp) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query("UPDATE media_cache SET used_at = $2 WHERE url = $1")
                .bind(url)
                .bind(now.0)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// How many files the cache holds and their total size.
    pub async fn cache_usage(&self) -> Result<(i64, i64), StoreError> {
        with_pool!(self, read, |pool| {
            let row = sqlx::query(
                "SELECT COUNT(*) AS files, CAST(COALESCE(SUM(stored_bytes), 0) AS BIGINT) AS bytes \
                 FROM media_cache",
            )
            .fetch_one(pool)
            .await?;
            Ok((row.i64("files")?, row.i64("bytes")?))
        })
    }

    /// The least recently used cached files, oldest first.
    pub async fn least_used_cached_files(&self, limit: i64) -> Result<Vec<CachedFile>, StoreError> {
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(&format!(
                "SELECT {CACHE_COLUMNS} FROM media_cache ORDER BY used_at, url LIMIT $1"
            ))
            .bind(limit)
            .fetch_all(pool)
            .await?;
            rows.iter().map(map_cached).collect()
        })
    }

    pub async fn delete_cached_file(&self, url: &str) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query("DELETE FROM media_cache WHERE url = $1")
                .bind(url)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}

impl crate::Reader {
    /// The custom emoji of several statuses.
    pub async fn emojis_of(
        &mut self,
        ids: &[Id],
    ) -> Result<HashMap<Id, Vec<EmojiRef>>, StoreError> {
        let mut result: HashMap<Id, Vec<EmojiRef>> = HashMap::new();
        if ids.is_empty() {
            return Ok(result);
        }
        let rows = with_reader!(self, |conn| {
            let mut query =
                QueryBuilder::new("SELECT status_id, shortcode, url FROM status_emojis WHERE ");
            push_column_in(&mut query, "status_id", ids);
            query.push(" ORDER BY shortcode");
            let rows = query.build().fetch_all(conn).await?;
            rows.iter()
                .map(|row| {
                    Ok((
                        Id(row.i64("status_id")?),
                        EmojiRef {
                            shortcode: row.text("shortcode")?,
                            url: row.text("url")?,
                        },
                    ))
                })
                .collect::<Result<Vec<_>, StoreError>>()?
        });
        for (status_id, emoji) in rows {
            result.entry(status_id).or_default().push(emoji);
        }
        Ok(result)
    }
}
