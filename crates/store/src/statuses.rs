//! Statuses and what hangs off them: mentions, tags, attachments, edits, tombstones.

use std::collections::HashMap;

use rhizome_model::{
    Attachment, AttachmentKind, EmojiRef, Id, NewStatus, QuotePolicy, QuoteState, Status,
    StatusEdit, Timestamp, Visibility,
};
use sqlx::{Database, Encode, QueryBuilder, Type};

use crate::reader::with_reader;
use crate::row::Columns;
use crate::{Store, StoreError, begin_write, with_pool};

pub(crate) const STATUS_COLUMNS: &str = "s.id, s.uri, s.url, s.account_id, s.in_reply_to_id, \
    s.in_reply_to_uri, s.in_reply_to_account_id, s.reblog_of_id, s.quote_of_id, s.conversation, \
    s.text, s.content, s.content_type, s.spoiler_text, s.sensitive, s.visibility, s.language, \
    s.local, s.object_type, s.title, s.application_id, s.created_at, s.edited_at, s.updated_at, \
    s.quote_state, s.quote_authorization, s.quote_policy";

pub(crate) fn map_status(row: &impl Columns) -> Result<Status, StoreError> {
    Ok(Status {
        id: Id(row.i64("id")?),
        uri: row.text("uri")?,
        url: row.opt_text("url")?,
        account_id: Id(row.i64("account_id")?),
        in_reply_to_id: row.opt_i64("in_reply_to_id")?.map(Id),
        in_reply_to_uri: row.opt_text("in_reply_to_uri")?,
        in_reply_to_account_id: row.opt_i64("in_reply_to_account_id")?.map(Id),
        reblog_of_id: row.opt_i64("reblog_of_id")?.map(Id),
        quote_of_id: row.opt_i64("quote_of_id")?.map(Id),
        quote_state: match row.opt_text("quote_state")? {
            Some(state) => Some(state.parse().map_err(|e: rhizome_model::UnknownVariant| {
                StoreError::Corrupt {
                    column: "quote_state",
                    reason: e.to_string(),
                }
            })?),
            None => None,
        },
        quote_authorization: row.opt_text("quote_authorization")?,
        quote_policy: row.opt_i64("quote_policy")?.map(QuotePolicy::from_bits),
        conversation: row.opt_text("conversation")?,
        text: row.text("text")?,
        content: row.text("content")?,
        content_type: row.text("content_type")?,
        spoiler_text: row.text("spoiler_text")?,
        sensitive: row.bool("sensitive")?,
        visibility: row.parsed::<Visibility>("visibility")?,
        language: row.opt_text("language")?,
        local: row.bool("local")?,
        object_type: row.text("object_type")?,
        title: row.opt_text("title")?,
        application_id: row.opt_i64("application_id")?.map(Id),
        created_at: Timestamp(row.i64("created_at")?),
        edited_at: row.opt_i64("edited_at")?.map(Timestamp),
        updated_at: Timestamp(row.i64("updated_at")?),
    })
}

pub(crate) const ATTACHMENT_COLUMNS: &str = "id, status_id, account_id, kind, media_type, url, \
    remote_url, preview_url, description, blurhash, meta, position, created_at, file_key, \
    preview_key, stored_bytes, processing";

pub(crate) fn map_attachment(row: &impl Columns) -> Result<Attachment, StoreError> {
    Ok(Attachment {
        id: Id(row.i64("id")?),
        status_id: row.opt_i64("status_id")?.map(Id),
        account_id: Id(row.i64("account_id")?),
        kind: row.parsed::<AttachmentKind>("kind")?,
        media_type: row.opt_text("media_type")?,
        url: row.text("url")?,
        remote_url: row.opt_text("remote_url")?,
        preview_url: row.opt_text("preview_url")?,
        description: row.opt_text("description")?,
        blurhash: row.opt_text("blurhash")?,
        meta: row.text("meta")?,
        position: row.i32("position")?,
        created_at: Timestamp(row.i64("created_at")?),
        file_key: row.opt_text("file_key")?,
        preview_key: row.opt_text("preview_key")?,
        stored_bytes: row.i64("stored_bytes")?,
        processing: row.bool("processing")?,
    })
}

/// `column IN (ids)`, in the form each database plans best.
pub(crate) fn push_column_in<DB: IdList>(
    query: &mut QueryBuilder<'_, DB>,
    column: &str,
    ids: &[Id],
) {
    DB::push_column_in(query, column, ids);
}

/// How each database takes a list of ids.
pub(crate) trait IdList: Database {
    fn push_column_in(query: &mut QueryBuilder<'_, Self>, column: &str, ids: &[Id]);
}

impl IdList for sqlx::Sqlite {
    /// `column IN (?, ?, …)`: SQLite has no arrays, and preparing is cheap in-process.
    fn push_column_in(query: &mut QueryBuilder<'_, Self>, column: &str, ids: &[Id]) {
        query.push(format_args!("{column} IN ("));
        let mut list = query.separated(", ");
        for id in ids {
            list.push_bind(id.0);
        }
        query.push(")");
    }
}

impl IdList for sqlx::Postgres {
    /// `column = ANY($1)`: one array parameter, so the statement's text is the same for any
    /// number of ids and every page of a timeline reuses one prepared statement. Unlike a
    /// semi-join with `unnest`, it lets the planner use a partial index on `column`
    /// (`statuses_quote_of`), whose `IS NOT NULL` it implies; the semi-join read every status.
    fn push_column_in(query: &mut QueryBuilder<'_, Self>, column: &str, ids: &[Id]) {
        query.push(format_args!("{column} = ANY("));
        query.push_bind(ids.iter().map(|id| id.0).collect::<Vec<i64>>());
        query.push("::BIGINT[])");
    }
}

/// Appends the condition that `viewer` (or nobody, for anonymous readers) may see status `s`:
/// public, unlisted and local-only posts; one's own; posts one is mentioned in; followers-only
/// posts of accounts one follows — and never posts of an author who blocks the viewer.
pub(crate) fn push_visible_to<'a, DB>(query: &mut QueryBuilder<'a, DB>, viewer: Option<Id>)
where
    DB: Database,
    i64: Encode<'a, DB> + Type<DB>,
{
    let Some(viewer) = viewer else {
        query.push(" AND s.visibility IN ('public', 'unlisted', 'local')");
        return;
    };
    query.push(" AND (s.visibility IN ('public', 'unlisted', 'local') OR s.account_id = ");
    query.push_bind(viewer.0);
    query.push(" OR EXISTS (SELECT 1 FROM mentions m WHERE m.status_id = s.id AND m.account_id = ");
    query.push_bind(viewer.0);
    query.push(
        ") OR (s.visibility = 'private' AND EXISTS (SELECT 1 FROM follows f WHERE f.account_id = ",
    );
    query.push_bind(viewer.0);
    query.push(" AND f.target_account_id = s.account_id)))");
    query.push(" AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = s.account_id AND b.target_account_id = ");
    query.push_bind(viewer.0);
    query.push(")");
}

/// The one statement that stores a status row, with [`bind_status!`] for its 27 values (new
/// posts and imported ones alike).
pub(crate) const INSERT_STATUS: &str = "INSERT INTO statuses (id, uri, url, account_id, \
     in_reply_to_id, in_reply_to_uri, in_reply_to_account_id, reblog_of_id, quote_of_id, \
     conversation, text, content, content_type, spoiler_text, sensitive, visibility, language, \
     local, object_type, title, application_id, created_at, edited_at, updated_at, quote_state, \
     quote_authorization, quote_policy) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
     $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)";

/// Binds a status's values to [`INSERT_STATUS`] (a macro: the query's type differs per
/// backend).
macro_rules! bind_status {
    ($query:expr, $s:expr) => {
        $query
            .bind($s.id.0)
            .bind(&$s.uri)
            .bind(&$s.url)
            .bind($s.account_id.0)
            .bind($s.in_reply_to_id.map(|id| id.0))
            .bind(&$s.in_reply_to_uri)
            .bind($s.in_reply_to_account_id.map(|id| id.0))
            .bind($s.reblog_of_id.map(|id| id.0))
            .bind($s.quote_of_id.map(|id| id.0))
            .bind(&$s.conversation)
            .bind(&$s.text)
            .bind(&$s.content)
            .bind(&$s.content_type)
            .bind(&$s.spoiler_text)
            .bind($s.sensitive)
            .bind($s.visibility.as_str())
            .bind(&$s.language)
            .bind($s.local)
            .bind(&$s.object_type)
            .bind(&$s.title)
            .bind($s.application_id.map(|id| id.0))
            .bind($s.created_at.0)
            .bind($s.edited_at.map(|t| t.0))
            .bind($s.updated_at.0)
            .bind($s.quote_state.map(|q| q.as_str()))
            .bind(&$s.quote_authorization)
            .bind($s.quote_policy.map(rhizome_model::QuotePolicy::to_bits))
    };
}
pub(crate) use bind_status;

/// What a new status is written with, in its own transaction (see
/// `Store::insert_status_with`).
#[derive(Debug, Default)]
pub struct StatusExtras<'a> {
    /// The custom emoji it uses.
    pub emojis: &'a [EmojiRef],
    pub poll: Option<&'a crate::Poll>,
    /// Jobs to queue with it (its distribution, its poll's closing).
    pub jobs: &'a [crate::NewJob],
}

impl Store {
    /// Stores a status with its mentions, tags and attachments in one transaction; a local
    /// author's own post goes into their home timeline at once.
    pub async fn insert_status(&self, new: &NewStatus) -> Result<(), StoreError> {
        self.insert_status_with(new, &StatusExtras::default()).await
    }

    /// Inserts a status with its custom emoji and poll, and queues `jobs`, in one
    /// transaction: a post and its distribution job are one write instead of several, the job
    /// never reads a post whose emoji or poll are still to come, and a crash cannot leave the
    /// post undistributed.
    pub async fn insert_status_with(
        &self,
        new: &NewStatus,
        extras: &StatusExtras<'_>,
    ) -> Result<(), StoreError> {
        let s = &new.status;
        let now = s.created_at;
        begin_write!(self, |tx| {
            bind_status!(sqlx::query(INSERT_STATUS), s)
                .execute(&mut *tx)
                .await
                .map_err(|e| match StoreError::violated_unique(&e) {
                    Some(_) => StoreError::Conflict("a status with this id exists"),
                    None => StoreError::Database(e),
                })?;
            insert_status_parts!(tx, new, now);
            if s.local {
                sqlx::query(
                    "INSERT INTO home_feed (account_id, status_id) VALUES ($1, $2) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(s.account_id.0)
                .bind(s.id.0)
                .execute(&mut *tx)
                .await?;
            }
            for emoji in extras.emojis {
                sqlx::query(crate::media::INSERT_STATUS_EMOJI)
                    .bind(s.id.0)
                    .bind(&emoji.shortcode)
                    .bind(&emoji.url)
                    .execute(&mut *tx)
                    .await?;
            }
            if let Some(poll) = extras.poll {
                crate::polls::bind_poll!(sqlx::query(crate::polls::SAVE_POLL), poll)
                    .execute(&mut *tx)
                    .await?;
            }
            for job in extras.jobs {
                crate::jobs::insert_job!(job, now).execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Replaces a status's content, keeping the previous version in its history.
    pub async fn edit_status(&self, new: &NewStatus, edit_id: Id) -> Result<(), StoreError> {
        let s = &new.status;
        let now = s.edited_at.unwrap_or(s.updated_at);
        begin_write!(self, |tx| {
            sqlx::query(
                "INSERT INTO status_edits (id, status_id, text, content, spoiler_text, sensitive, \
                 created_at) SELECT $1, id, text, content, spoiler_text, sensitive, \
                 COALESCE(edited_at, created_at) FROM statuses WHERE id = $2",
            )
            .bind(edit_id.0)
            .bind(s.id.0)
            .execute(&mut *tx)
            .await?;
            let done = sqlx::query(
                "UPDATE statuses SET text = $2, content = $3, content_type = $4, \
                 spoiler_text = $5, sensitive = $6, language = $7, title = $8, edited_at = $9, \
                 updated_at = $10, quote_of_id = $11, quote_state = $12, \
                 quote_authorization = $13, quote_policy = $14 WHERE id = $1",
            )
            .bind(s.id.0)
            .bind(&s.text)
            .bind(&s.content)
            .bind(&s.content_type)
            .bind(&s.spoiler_text)
            .bind(s.sensitive)
            .bind(&s.language)
            .bind(&s.title)
            .bind(s.edited_at.map(|t| t.0))
            .bind(s.updated_at.0)
            .bind(s.quote_of_id.map(|id| id.0))
            .bind(s.quote_state.map(|q| q.as_str()))
            .bind(&s.quote_authorization)
            .bind(s.quote_policy.map(QuotePolicy::to_bits))
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            for table in ["mentions", "status_tags"] {
                let sql = format!("DELETE FROM {table} WHERE status_id = $1");
                sqlx::query(&sql).bind(s.id.0).execute(&mut *tx).await?;
            }
            // Attachments kept by the edit are re-linked below; the others go.
            sqlx::query("DELETE FROM media_attachments WHERE status_id = $1")
                .bind(s.id.0)
                .execute(&mut *tx)
                .await?;
            insert_status_parts!(tx, new, now);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Deletes a status (and its boosts, by cascade) and leaves a tombstone for its id.
    /// Returns the deleted status.
    pub async fn delete_status(&self, id: Id, at: Timestamp) -> Result<Option<Status>, StoreError> {
        let sql = format!(
            "DELETE FROM statuses WHERE id = $1 RETURNING {}",
            STATUS_COLUMNS.replace("s.", "")
        );
        begin_write!(self, |tx| {
            // Our own uploads outlive the post, unattached, so that "delete & redraft" can
            // post them again; the daily clean-up removes them if nobody does.
            sqlx::query(
                "UPDATE media_attachments SET status_id = NULL, created_at = $2 \
                 WHERE status_id = $1 AND remote_url IS NULL AND file_key IS NOT NULL",
            )
            .bind(id.0)
            .bind(at.0)
            .execute(&mut *tx)
            .await?;
            let row = sqlx::query(&sql)
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(status) = row.as_ref().map(map_status).transpose()? else {
                return Ok(None);
            };
            // PostgreSQL's index cascades; SQLite's FTS table is removed from by hand.
            if matches!(self.backend, crate::Backend::Sqlite { .. }) {
                sqlx::query("DELETE FROM status_search WHERE rowid = $1")
                    .bind(status.id.0)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(
                "INSERT INTO tombstones (uri, account_id, deleted_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (uri) DO NOTHING",
            )
            .bind(&status.uri)
            .bind(status.account_id.0)
            .bind(at.0)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Some(status))
        })
    }

    pub async fn status(&self, id: Id) -> Result<Option<Status>, StoreError> {
        let sql = format!("SELECT {STATUS_COLUMNS} FROM statuses s WHERE s.id = $1");
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql).bind(id.0).fetch_optional(pool).await?;
            row.as_ref().map(map_status).transpose()
        })
    }

    pub async fn status_by_uri(&self, uri: &str) -> Result<Option<Status>, StoreError> {
        // The ActivityPub id first, through its unique index. `url` has no index: one
        // `uri = $1 OR url = $1` scanned the whole table, even when the id matched.
        if let Some(status) = self.status_by_ap_id(uri).await? {
            return Ok(Some(status));
        }
        let sql = format!("SELECT {STATUS_COLUMNS} FROM statuses s WHERE s.url = $1 LIMIT 1");
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql).bind(uri).fetch_optional(pool).await?;
            row.as_ref().map(map_status).transpose()
        })
    }

    /// The status with this ActivityPub id (not its `url`): one indexed lookup, for the paths
    /// that know they hold an id, such as an incoming `Create` checking whether it is new.
    pub async fn status_by_ap_id(&self, uri: &str) -> Result<Option<Status>, StoreError> {
        let sql = format!("SELECT {STATUS_COLUMNS} FROM statuses s WHERE s.uri = $1");
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql).bind(uri).fetch_optional(pool).await?;
            row.as_ref().map(map_status).transpose()
        })
    }

    /// Records where a quote stands, with the quoted author's stamp when there is one.
    pub async fn set_quote_state(
        &self,
        id: Id,
        state: QuoteState,
        authorization: Option<&str>,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "UPDATE statuses SET quote_state = $2, quote_authorization = $3 \
                 WHERE id = $1 AND quote_of_id IS NOT NULL",
            )
            .bind(id.0)
            .bind(state.as_str())
            .bind(authorization)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The statuses whose quote an approval stamp stands for.
    pub async fn statuses_by_quote_authorization(
        &self,
        uri: &str,
    ) -> Result<Vec<Status>, StoreError> {
        let sql =
            format!("SELECT {STATUS_COLUMNS} FROM statuses s WHERE s.quote_authorization = $1");
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(&sql).bind(uri).fetch_all(pool).await?;
            rows.iter().map(map_status).collect()
        })
    }

    /// How many accepted quotes each of these statuses has.
    pub async fn quotes_counts(&self, ids: &[Id]) -> Result<HashMap<Id, i64>, StoreError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT s.quote_of_id AS id, COUNT(*) AS quotes FROM statuses s \
                 WHERE s.quote_state = 'accepted' AND ",
            );
            push_column_in(&mut query, "s.quote_of_id", ids);
            query.push(" GROUP BY s.quote_of_id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter()
                .map(|row| Ok((Id(row.i64("id")?), row.i64("quotes")?)))
                .collect()
        })
    }

    /// Changes who may quote a status.
    pub async fn set_quote_policy(&self, id: Id, policy: QuotePolicy) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query("UPDATE statuses SET quote_policy = $2 WHERE id = $1")
                .bind(id.0)
                .bind(policy.to_bits())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The status if `viewer` may see it.
    pub async fn visible_status(
        &self,
        id: Id,
        viewer: Option<Id>,
    ) -> Result<Option<Status>, StoreError> {
        let head = format!("SELECT {STATUS_COLUMNS} FROM statuses s WHERE s.id = ");
        with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(head);
            query.push_bind(id.0);
            push_visible_to(&mut query, viewer);
            // A suspended author's posts are hidden until the suspension is lifted.
            query.push(
                " AND NOT EXISTS (SELECT 1 FROM accounts sa WHERE sa.id = s.account_id \
                 AND sa.suspended_at IS NOT NULL)",
            );
            let row = query.build().fetch_optional(pool).await?;
            row.as_ref().map(map_status).transpose()
        })
    }

    /// Several statuses by id, in no particular order; missing ones are skipped.
    pub async fn statuses_by_ids(&self, ids: &[Id]) -> Result<Vec<Status>, StoreError> {
        self.reader().statuses_by_ids(ids).await
    }

    /// Mentioned account ids per status.
    pub async fn mentions_of(&self, ids: &[Id]) -> Result<HashMap<Id, Vec<Id>>, StoreError> {
        self.reader().mentions_of(ids).await
    }

    /// Attachments per status, in their order.
    pub async fn attachments_of(
        &self,
        ids: &[Id],
    ) -> Result<HashMap<Id, Vec<Attachment>>, StoreError> {
        self.reader().attachments_of(ids).await
    }

    /// Hashtag names per status.
    pub async fn tags_of(&self, ids: &[Id]) -> Result<HashMap<Id, Vec<String>>, StoreError> {
        self.reader().tags_of(ids).await
    }

    /// Earlier versions of a status, oldest first.
    pub async fn status_edits(&self, status_id: Id) -> Result<Vec<StatusEdit>, StoreError> {
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(
                "SELECT id, status_id, text, content, spoiler_text, sensitive, created_at \
                 FROM status_edits WHERE status_id = $1 ORDER BY id",
            )
            .bind(status_id.0)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(StatusEdit {
                        id: Id(row.i64("id")?),
                        status_id: Id(row.i64("status_id")?),
                        text: row.text("text")?,
                        content: row.text("content")?,
                        spoiler_text: row.text("spoiler_text")?,
                        sensitive: row.bool("sensitive")?,
                        created_at: Timestamp(row.i64("created_at")?),
                    })
                })
                .collect()
        })
    }

    /// Replies to `status_id` whose parent was not known when they arrived, by the parent's id.
    pub async fn link_orphan_replies(&self, status: &Status) -> Result<u64, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query(
                "UPDATE statuses SET in_reply_to_id = $1, in_reply_to_account_id = $2 \
                 WHERE in_reply_to_uri = $3 AND in_reply_to_id IS NULL",
            )
            .bind(status.id.0)
            .bind(status.account_id.0)
            .bind(&status.uri)
            .execute(pool)
            .await?;
            Ok(done.rows_affected())
        })
    }

    /// Ids of the posts below `status_id` in its thread, that `viewer` may see, oldest first.
    pub async fn descendants(
        &self,
        status_id: Id,
        viewer: Option<Id>,
        limit: u32,
    ) -> Result<Vec<Status>, StoreError> {
        let head = format!(
            "WITH RECURSIVE thread(id, depth) AS (SELECT id, 0 FROM statuses WHERE in_reply_to_id = $1 \
             UNION ALL SELECT st.id, thread.depth + 1 FROM statuses st JOIN thread ON st.in_reply_to_id = thread.id \
             WHERE thread.depth < 100) SELECT {STATUS_COLUMNS} FROM statuses s JOIN thread ON thread.id = s.id WHERE 1 = 1"
        );
        with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new("");
            // The recursive part binds $1 itself; the builder continues after it.
            query.push(head.replace("$1", &status_id.0.to_string()));
            push_visible_to(&mut query, viewer);
            query
                .push(" ORDER BY s.id LIMIT ")
                .push_bind(i64::from(limit));
            let rows = query.build().fetch_all(pool).await?;
            rows.iter().map(map_status).collect()
        })
    }

    /// Adds a status to these accounts' home timelines.
    pub async fn add_to_home_feeds(
        &self,
        status_id: Id,
        account_ids: &[Id],
    ) -> Result<(), StoreError> {
        for chunk in account_ids.chunks(500) {
            with_pool!(self, write, |pool| {
                let mut query = QueryBuilder::new("INSERT INTO home_feed (account_id, status_id) ");
                query.push_values(chunk, |mut row, account_id| {
                    row.push_bind(account_id.0).push_bind(status_id.0);
                });
                query.push(" ON CONFLICT DO NOTHING");
                query.build().execute(pool).await?;
            });
        }
        Ok(())
    }

    /// Removes an account's statuses from a home timeline (after an unfollow).
    pub async fn remove_from_home_feed(
        &self,
        account_id: Id,
        author_id: Id,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "DELETE FROM home_feed WHERE account_id = $1 AND status_id IN \
                 (SELECT id FROM statuses WHERE account_id = $2)",
            )
            .bind(account_id.0)
            .bind(author_id.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The id of the boost of `status_id` by `account_id`, if there is one.
    pub async fn reblog_by(
        &self,
        account_id: Id,
        status_id: Id,
    ) -> Result<Option<Status>, StoreError> {
        let sql = format!(
            "SELECT {STATUS_COLUMNS} FROM statuses s WHERE s.account_id = $1 AND s.reblog_of_id = $2 LIMIT 1"
        );
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql)
                .bind(account_id.0)
                .bind(status_id.0)
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(map_status).transpose()
        })
    }

    /// A user's post for an `Idempotency-Key` seen before.
    pub async fn idempotent_status(
        &self,
        account_id: Id,
        key: &str,
    ) -> Result<Option<Id>, StoreError> {
        with_pool!(self, read, |pool| {
            let id: Option<i64> = sqlx::query_scalar(
                "SELECT status_id FROM idempotency_keys WHERE account_id = $1 AND key = $2",
            )
            .bind(account_id.0)
            .bind(key)
            .fetch_optional(pool)
            .await?;
            Ok(id.map(Id))
        })
    }

    pub async fn remember_idempotency_key(
        &self,
        account_id: Id,
        key: &str,
        status_id: Id,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO idempotency_keys (account_id, key, status_id, created_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(account_id.0)
            .bind(key)
            .bind(status_id.0)
            .bind(at.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}

/// Inserts a status's mentions, tags and attachments inside the caller's transaction.
macro_rules! insert_status_parts {
    ($tx:ident, $new:expr, $now:expr) => {{
        let new: &NewStatus = $new;
        let status_id = new.status.id.0;
        for account_id in &new.mentions {
            sqlx::query(
                "INSERT INTO mentions (status_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(status_id)
            .bind(account_id.0)
            .execute(&mut *$tx)
            .await?;
        }
        for name in &new.tags {
            sqlx::query(
                "INSERT INTO tags (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(Id::generate($now.0).0)
            .bind(name)
            .bind($now.0)
            .execute(&mut *$tx)
            .await?;
            sqlx::query(
                "INSERT INTO status_tags (status_id, tag_id) SELECT $1, id FROM tags \
                 WHERE lower(name) = lower($2) ON CONFLICT DO NOTHING",
            )
            .bind(status_id)
            .bind(name)
            .execute(&mut *$tx)
            .await?;
        }
        for (position, a) in new.attachments.iter().enumerate() {
            // An upload is attached by its id: only its owner's, and only once (the WHERE of
            // the update), so two posts racing for one upload cannot both have it.
            let attached = sqlx::query(
                "INSERT INTO media_attachments (id, status_id, account_id, kind, media_type, url, \
                 remote_url, preview_url, description, blurhash, meta, position, created_at, \
                 file_key, preview_key, stored_bytes) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
                 ON CONFLICT (id) DO UPDATE SET status_id = excluded.status_id, \
                 position = excluded.position, description = excluded.description \
                 WHERE media_attachments.account_id = excluded.account_id \
                 AND (media_attachments.status_id IS NULL \
                 OR media_attachments.status_id = excluded.status_id)",
            )
            .bind(a.id.0)
            .bind(status_id)
            .bind(a.account_id.0)
            .bind(a.kind.as_str())
            .bind(&a.media_type)
            .bind(&a.url)
            .bind(&a.remote_url)
            .bind(&a.preview_url)
            .bind(&a.description)
            .bind(&a.blurhash)
            .bind(&a.meta)
            .bind(position as i64)
            .bind(a.created_at.0)
            .bind(&a.file_key)
            .bind(&a.preview_key)
            .bind(a.stored_bytes)
            .execute(&mut *$tx)
            .await?;
            if attached.rows_affected() == 0 {
                return Err(StoreError::Conflict("media is already attached to another post"));
            }
        }
    }};
}
pub(crate) use insert_status_parts;

impl Store {
    /// How many statuses local users have posted, as Mastodon counts them for the instance's
    /// statistics: the sum of their profiles' post counts (boosts included, direct messages
    /// not). Every client asks at start (`/api/v1/instance`), so it reads one counter per
    /// local user, which triggers keep, instead of counting the statuses table; read from
    /// `users`, since `account_stats` also holds every remote account's counters.
    pub async fn count_local_statuses(&self) -> Result<i64, StoreError> {
        with_pool!(self, read, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT CAST(COALESCE(SUM((SELECT st.statuses_count FROM account_stats st \
                 WHERE st.account_id = u.account_id)), 0) AS BIGINT) FROM users u",
            )
            .fetch_one(pool)
            .await?)
        })
    }
}

impl crate::Reader {
    /// Several statuses by id, in no particular order; missing ones are skipped.
    pub async fn statuses_by_ids(&mut self, ids: &[Id]) -> Result<Vec<Status>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let head = format!("SELECT {STATUS_COLUMNS} FROM statuses s WHERE ");
        with_reader!(self, |conn| {
            let mut query = QueryBuilder::new(head);
            push_column_in(&mut query, "s.id", ids);
            let rows = query.build().fetch_all(conn).await?;
            rows.iter().map(map_status).collect()
        })
    }

    /// Mentioned account ids per status.
    pub async fn mentions_of(&mut self, ids: &[Id]) -> Result<HashMap<Id, Vec<Id>>, StoreError> {
        self.pairs(
            "SELECT status_id AS a, account_id AS b FROM mentions WHERE ",
            "status_id",
            ids,
        )
        .await
    }

    /// Attachments per status, in their order.
    pub async fn attachments_of(
        &mut self,
        ids: &[Id],
    ) -> Result<HashMap<Id, Vec<Attachment>>, StoreError> {
        let mut result: HashMap<Id, Vec<Attachment>> = HashMap::new();
        if ids.is_empty() {
            return Ok(result);
        }
        let head = format!("SELECT {ATTACHMENT_COLUMNS} FROM media_attachments WHERE ");
        let attachments = with_reader!(self, |conn| {
            let mut query = QueryBuilder::new(head);
            push_column_in(&mut query, "status_id", ids);
            query.push(" ORDER BY position, id");
            let rows = query.build().fetch_all(conn).await?;
            rows.iter()
                .map(map_attachment)
                .collect::<Result<Vec<_>, _>>()?
        });
        for attachment in attachments {
            if let Some(status_id) = attachment.status_id {
                result.entry(status_id).or_default().push(attachment);
            }
        }
        Ok(result)
    }

    /// Hashtag names per status.
    pub async fn tags_of(&mut self, ids: &[Id]) -> Result<HashMap<Id, Vec<String>>, StoreError> {
        let mut result: HashMap<Id, Vec<String>> = HashMap::new();
        if ids.is_empty() {
            return Ok(result);
        }
        let rows = with_reader!(self, |conn| {
            let mut query = QueryBuilder::new(
                "SELECT st.status_id, t.name FROM status_tags st JOIN tags t ON t.id = st.tag_id \
                 WHERE ",
            );
            push_column_in(&mut query, "st.status_id", ids);
            let rows = query.build().fetch_all(conn).await?;
            rows.iter()
                .map(|row| Ok((Id(row.i64("status_id")?), row.text("name")?)))
                .collect::<Result<Vec<_>, StoreError>>()?
        });
        for (status_id, name) in rows {
            result.entry(status_id).or_default().push(name);
        }
        Ok(result)
    }

    /// Runs `head` + `column IN (ids)` where the query selects two id columns `a` and `b`;
    /// groups b by a.
    pub(crate) async fn pairs(
        &mut self,
        head: &'static str,
        column: &str,
        ids: &[Id],
    ) -> Result<HashMap<Id, Vec<Id>>, StoreError> {
        let mut result: HashMap<Id, Vec<Id>> = HashMap::new();
        if ids.is_empty() {
            return Ok(result);
        }
        let rows = with_reader!(self, |conn| {
            let mut query = QueryBuilder::new(head);
            push_column_in(&mut query, column, ids);
            let rows = query.build().fetch_all(conn).await?;
            rows.iter()
                .map(|row| Ok((Id(row.i64("a")?), Id(row.i64("b")?))))
                .collect::<Result<Vec<_>, StoreError>>()?
        });
        for (a, b) in rows {
            result.entry(a).or_default().push(b);
        }
        Ok(result)
    }
}
