//! Preview cards and which post shows which.

use std::collections::HashMap;

use rhizome_model::{Id, PreviewCard, Timestamp};

use crate::reader::with_reader;
use crate::row::Columns;
use crate::{Store, StoreError, with_pool};

const CARD_COLUMNS: &str = "c.id, c.url, c.title, c.description, c.card_type, c.author_name, \
     c.author_url, c.provider_name, c.provider_url, c.image_url, c.width, c.height, \
     c.image_description, c.language, c.published_at, c.fetched_at";

fn map_card(row: &impl Columns) -> Result<PreviewCard, StoreError> {
    Ok(PreviewCard {
        id: Id(row.i64("id")?),
        url: row.text("url")?,
        title: row.text("title")?,
        description: row.text("description")?,
        kind: row.parsed("card_type")?,
        author_name: row.text("author_name")?,
        author_url: row.text("author_url")?,
        provider_name: row.text("provider_name")?,
        provider_url: row.text("provider_url")?,
        image_url: row.opt_text("image_url")?,
        width: row.i32("width")?,
        height: row.i32("height")?,
        image_description: row.text("image_description")?,
        language: row.opt_text("language")?,
        published_at: row.opt_i64("published_at")?.map(Timestamp),
        fetched_at: Timestamp(row.i64("fetched_at")?),
    })
}

impl Store {
    /// The card of a linked address, if its page was read.
    pub async fn preview_card_by_url(&self, url: &str) -> Result<Option<PreviewCard>, StoreError> {
        let sql = format!("SELECT {CARD_COLUMNS} FROM preview_cards c WHERE c.url = $1");
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql).bind(url).fetch_optional(pool).await?;
            row.as_ref().map(map_card).transpose()
        })
    }

    /// Saves what a page says of itself: a new card, or the same address read again (its id
    /// stays, so posts keep it). Returns the card's id.
    pub async fn save_preview_card(&self, card: &PreviewCard) -> Result<Id, StoreError> {
        with_pool!(self, write, |pool| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO preview_cards (id, url, title, description, card_type, author_name, \
                 author_url, provider_name, provider_url, image_url, width, height, \
                 image_description, language, published_at, fetched_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
                 ON CONFLICT (url) DO UPDATE SET title = excluded.title, \
                 description = excluded.description, card_type = excluded.card_type, \
                 author_name = excluded.author_name, author_url = excluded.author_url, \
                 provider_name = excluded.provider_name, provider_url = excluded.provider_url, \
                 image_url = excluded.image_url, width = excluded.width, height = excluded.height, \
                 image_description = excluded.image_description, language = excluded.language, \
                 published_at = excluded.published_at, fetched_at = excluded.fetched_at \
                 RETURNING id",
            )
            .bind(card.id.0)
            .bind(&card.url)
            .bind(&card.title)
            .bind(&card.description)
            .bind(card.kind.as_str())
            .bind(&card.author_name)
            .bind(&card.author_url)
            .bind(&card.provider_name)
            .bind(&card.provider_url)
            .bind(&card.image_url)
            .bind(i64::from(card.width))
            .bind(i64::from(card.height))
            .bind(&card.image_description)
            .bind(&card.language)
            .bind(card.published_at.map(|t| t.0))
            .bind(card.fetched_at.0)
            .fetch_one(pool)
            .await?;
            Ok(Id(id))
        })
    }

    /// Shows `card_id` on the status (in place of any earlier card), or none.
    pub async fn set_status_card(
        &self,
        status_id: Id,
        card_id: Option<Id>,
    ) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            match card_id {
                Some(card_id) => {
                    sqlx::query(
                        "INSERT INTO status_preview_cards (status_id, card_id) VALUES ($1, $2) \
                         ON CONFLICT (status_id) DO UPDATE SET card_id = excluded.card_id",
                    )
                    .bind(status_id.0)
                    .bind(card_id.0)
                    .execute(pool)
                    .await?;
                }
                None => {
                    sqlx::query("DELETE FROM status_preview_cards WHERE status_id = $1")
                        .bind(status_id.0)
                        .execute(pool)
                        .await?;
                }
            }
        });
        Ok(())
    }

    /// The card each of these statuses shows, by status.
    pub async fn cards_of(
        &self,
        status_ids: &[Id],
    ) -> Result<HashMap<Id, PreviewCard>, StoreError> {
        self.reader().cards_of(status_ids).await
    }

    pub async fn preview_cards_by_ids(&self, ids: &[Id]) -> Result<Vec<PreviewCard>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        with_pool!(self, read, |pool| {
            let mut query = sqlx::QueryBuilder::new(format!(
                "SELECT {CARD_COLUMNS} FROM preview_cards c WHERE "
            ));
            crate::statuses::push_column_in(&mut query, "c.id", ids);
            let rows = query.build().fetch_all(pool).await?;
            rows.iter().map(map_card).collect()
        })
    }

    /// Cards shown by public posts (not boosts) since `since`, newest posts first: (status,
    /// its author, card).
    pub async fn recent_public_card_shares(
        &self,
        since: Timestamp,
        limit: u32,
    ) -> Result<Vec<(Id, Id, Id)>, StoreError> {
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(
                "SELECT s.id, s.account_id, sc.card_id FROM status_preview_cards sc \
                 JOIN statuses s ON s.id = sc.status_id WHERE s.id >= $1 \
                 AND s.visibility = 'public' AND s.reblog_of_id IS NULL \
                 ORDER BY s.id DESC LIMIT $2",
            )
            .bind(Id::lowest_at(since.0).0)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok((
                        Id(row.i64("id")?),
                        Id(row.i64("account_id")?),
                        Id(row.i64("card_id")?),
                    ))
                })
                .collect()
        })
    }
}

impl crate::Reader {
    /// The card each of these statuses shows, by status.
    pub async fn cards_of(
        &mut self,
        status_ids: &[Id],
    ) -> Result<HashMap<Id, PreviewCard>, StoreError> {
        if status_ids.is_empty() {
            return Ok(HashMap::new());
        }
        with_reader!(self, |conn| {
            let mut query = sqlx::QueryBuilder::new(format!(
                "SELECT sc.status_id, {CARD_COLUMNS} FROM status_preview_cards sc \
                 JOIN preview_cards c ON c.id = sc.card_id WHERE "
            ));
            crate::statuses::push_column_in(&mut query, "sc.status_id", status_ids);
            let rows = query.build().fetch_all(conn).await?;
            rows.iter()
                .map(|row| Ok((Id(row.i64("status_id")?), map_card(row)?)))
                .collect()
        })
    }
}
