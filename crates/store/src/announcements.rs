//! Announcements written by admins, with what each user did with them: dismissed (read) and
//! reacted to.

use std::collections::{HashMap, HashSet};

use rhizome_model::{Id, Timestamp};
use sqlx::QueryBuilder;

use crate::accounts::to_json;
use crate::row::Columns;
use crate::statuses::push_column_in;
use crate::{Store, StoreError, with_pool};

#[derive(Debug, Clone, PartialEq)]
pub struct Announcement {
    pub id: Id,
    /// What the admin wrote.
    pub text: String,
    /// `text` rendered as HTML.
    pub content: String,
    /// The accounts and hashtags `content` links.
    pub mention_ids: Vec<Id>,
    pub tags: Vec<String>,
    pub starts_at: Option<Timestamp>,
    pub ends_at: Option<Timestamp>,
    pub all_day: bool,
    pub published_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One emoji's reactions to an announcement.
#[derive(Debug, Clone, PartialEq)]
pub struct AnnouncementReaction {
    pub name: String,
    pub count: i64,
    /// Whether the viewer is among them.
    pub me: bool,
    /// The image of a local custom emoji (`None` for a Unicode one).
    pub url: Option<String>,
}

const COLUMNS: &str =
    "id, text, content, mention_ids, tags, starts_at, ends_at, all_day, published_at, updated_at";

fn map_announcement(row: &impl Columns) -> Result<Announcement, StoreError> {
    let mention_ids: Vec<i64> = row.json("mention_ids")?;
    Ok(Announcement {
        id: Id(row.i64("id")?),
        text: row.text("text")?,
        content: row.text("content")?,
        mention_ids: mention_ids.into_iter().map(Id).collect(),
        tags: row.json("tags")?,
        starts_at: row.opt_i64("starts_at")?.map(Timestamp),
        ends_at: row.opt_i64("ends_at")?.map(Timestamp),
        all_day: row.bool("all_day")?,
        published_at: Timestamp(row.i64("published_at")?),
        updated_at: Timestamp(row.i64("updated_at")?),
    })
}

impl Store {
    pub async fn insert_announcement(&self, a: &Announcement) -> Result<(), StoreError> {
        let mention_ids: Vec<i64> = a.mention_ids.iter().map(|id| id.0).collect();
        with_pool!(self, write, |pool| {
            sqlx::query(&format!(
                "INSERT INTO announcements ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            ))
            .bind(a.id.0)
            .bind(&a.text)
            .bind(&a.content)
            .bind(to_json(&mention_ids))
            .bind(to_json(&a.tags))
            .bind(a.starts_at.map(|t| t.0))
            .bind(a.ends_at.map(|t| t.0))
            .bind(a.all_day)
            .bind(a.published_at.0)
            .bind(a.updated_at.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Replaces what an admin may change; `published_at` stays. False when there is none.
    pub async fn update_announcement(&self, a: &Announcement) -> Result<bool, StoreError> {
        let mention_ids: Vec<i64> = a.mention_ids.iter().map(|id| id.0).collect();
        with_pool!(self, write, |pool| {
            let done = sqlx::query(
                "UPDATE announcements SET text = $2, content = $3, mention_ids = $4, tags = $5, \
                 starts_at = $6, ends_at = $7, all_day = $8, updated_at = $9 WHERE id = $1",
            )
            .bind(a.id.0)
            .bind(&a.text)
            .bind(&a.content)
            .bind(to_json(&mention_ids))
            .bind(to_json(&a.tags))
            .bind(a.starts_at.map(|t| t.0))
            .bind(a.ends_at.map(|t| t.0))
            .bind(a.all_day)
            .bind(a.updated_at.0)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    pub async fn announcement(&self, id: Id) -> Result<Option<Announcement>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM announcements WHERE id = $1");
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql).bind(id.0).fetch_optional(pool).await?;
            row.as_ref().map(map_announcement).transpose()
        })
    }

    /// Announcements in Mastodon's order, by the time of the event they announce (or of
    /// their publication): all of them, or only those not ended at `active_at`.
    pub async fn announcements(
        &self,
        active_at: Option<Timestamp>,
    ) -> Result<Vec<Announcement>, StoreError> {
        with_pool!(self, read, |pool| {
            let mut query =
                QueryBuilder::new(format!("SELECT {COLUMNS} FROM announcements WHERE TRUE"));
            if let Some(now) = active_at {
                query.push(" AND (ends_at IS NULL OR ends_at > ");
                query.push_bind(now.0).push(")");
            }
            query.push(" ORDER BY COALESCE(starts_at, published_at), id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter().map(map_announcement).collect()
        })
    }

    pub async fn delete_announcement(&self, id: Id) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query("DELETE FROM announcements WHERE id = $1")
                .bind(id.0)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Marks an announcement read by `account_id` (again is fine).
    pub async fn dismiss_announcement(&self, id: Id, account_id: Id) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO announcement_dismissals (announcement_id, account_id) VALUES ($1, $2) \
                 ON CONFLICT (announcement_id, account_id) DO NOTHING",
            )
            .bind(id.0)
            .bind(account_id.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Which of `ids` `account_id` dismissed.
    pub async fn dismissed_announcements(
        &self,
        account_id: Id,
        ids: &[Id],
    ) -> Result<HashSet<Id>, StoreError> {
        if ids.is_empty() {
            return Ok(HashSet::new());
        }
        with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT announcement_id FROM announcement_dismissals WHERE account_id = ",
            );
            query.push_bind(account_id.0).push(" AND ");
            push_column_in(&mut query, "announcement_id", ids);
            let rows = query.build().fetch_all(pool).await?;
            rows.iter()
                .map(|row| Ok(Id(row.i64("announcement_id")?)))
                .collect()
        })
    }

    /// Adds or takes back `account_id`'s reaction `name`; false when nothing changed.
    pub async fn set_announcement_reaction(
        &self,
        id: Id,
        account_id: Id,
        name: &str,
        present: bool,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = if present {
                sqlx::query(
                    "INSERT INTO announcement_reactions (announcement_id, account_id, name, created_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (announcement_id, account_id, name) DO NOTHING",
                )
                .bind(id.0)
                .bind(account_id.0)
                .bind(name)
                .bind(at.0)
                .execute(pool)
                .await?
            } else {
                sqlx::query(
                    "DELETE FROM announcement_reactions \
                     WHERE announcement_id = $1 AND account_id = $2 AND name = $3",
                )
                .bind(id.0)
                .bind(account_id.0)
                .bind(name)
                .execute(pool)
                .await?
            };
            Ok(done.rows_affected() > 0)
        })
    }

    /// The reactions to each of `ids`, per emoji in order of first use, as `viewer` sees them.
    pub async fn announcement_reactions(
        &self,
        ids: &[Id],
        viewer: Id,
    ) -> Result<HashMap<Id, Vec<AnnouncementReaction>>, StoreError> {
        let mut found: HashMap<Id, Vec<AnnouncementReaction>> = HashMap::new();
        if ids.is_empty() {
            return Ok(found);
        }
        with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new("SELECT r.announcement_id, r.name, COUNT(*) AS n, ");
            query.push("SUM(CASE WHEN r.account_id = ");
            query.push_bind(viewer.0);
            query.push(
                " THEN 1 ELSE 0 END) AS mine, MIN(r.created_at) AS first_at, \
                 (SELECT e.url FROM custom_emojis e WHERE e.domain IS NULL AND e.shortcode = r.name) AS url \
                 FROM announcement_reactions r WHERE ",
            );
            push_column_in(&mut query, "r.announcement_id", ids);
            query.push(" GROUP BY r.announcement_id, r.name ORDER BY first_at, r.name");
            for row in query.build().fetch_all(pool).await? {
                found
                    .entry(Id(row.i64("announcement_id")?))
                    .or_default()
                    .push(AnnouncementReaction {
                        name: row.text("name")?,
                        count: row.i64("n")?,
                        me: row.i64("mine")? > 0,
                        url: row.opt_text("url")?,
                    });
            }
        });
        Ok(found)
    }
}
