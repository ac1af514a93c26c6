//! `db_bytes_per_status`: how much the database grows per remote status stored, indexes
//! included.

use std::time::Instant;

use anyhow::Context;
use futures::{StreamExt, TryStreamExt};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rhizome_core::Core;
use rhizome_model::{Id, NewStatus, Status, Timestamp, Visibility};

use crate::db::{BenchDatabase, Kind, RawPool};
use crate::remote::{self, REMOTE_SUFFIX};
use crate::report::Row;
use crate::text::{self, Shape};

const THRESHOLD_BYTES: f64 = 2048.0;
/// Remote authors of the stored statuses.
const AUTHORS: usize = 20;

/// The bytes the database holds: on SQLite the pages in use (`page_count` sees committed WAL
/// frames too, so no checkpoint is needed), on PostgreSQL every table of the schema with its
/// indexes and TOAST.
async fn database_bytes(pool: &RawPool, kind: Kind) -> anyhow::Result<i64> {
    let sql = match kind {
        Kind::Sqlite => {
            "SELECT (pc.page_count - fl.freelist_count) * ps.page_size \
             FROM pragma_page_count() pc, pragma_freelist_count() fl, pragma_page_size() ps"
        }
        Kind::Postgres => {
            "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::BIGINT FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'm') AND n.nspname = current_schema()"
        }
    };
    pool.count(sql).await
}

/// A remote post as the inbox stores it: sanitized HTML content, ids on its server.
fn remote_status(rng: &mut StdRng, author: &rhizome_model::Account, at: i64) -> NewStatus {
    let shape = Shape::random(rng);
    let post = text::post(rng, shape, 0, None);
    let id = Id::generate(at);
    let base = author.uri.clone();
    let object = format!("{base}/statuses/{}", id.0);
    let paragraphs: Vec<String> = post
        .text
        .split('\n')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            format!(
                "<p>{}</p>",
                p.replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
            )
        })
        .collect();
    let status = Status {
        id,
        uri: object.clone(),
        url: Some(format!(
            "{}/@{}/{}",
            base.split("/users/").next().unwrap_or(&base),
            author.username,
            id.0
        )),
        account_id: author.id,
        in_reply_to_id: None,
        in_reply_to_uri: None,
        in_reply_to_account_id: None,
        reblog_of_id: None,
        quote_of_id: None,
        quote_state: None,
        quote_authorization: None,
        quote_policy: None,
        conversation: Some(object),
        text: String::new(),
        content: paragraphs.join(""),
        content_type: "text/html".into(),
        spoiler_text: String::new(),
        sensitive: false,
        visibility: Visibility::Public,
        language: Some("en".into()),
        local: false,
        object_type: "Note".into(),
        title: None,
        application_id: None,
        created_at: Timestamp(at),
        edited_at: None,
        updated_at: Timestamp(at),
    };
    NewStatus {
        status,
        mentions: Vec::new(),
        tags: post.hashtags,
        attachments: Vec::new(),
    }
}

/// Stores `count` remote statuses (with their hashtags and search documents, as processing
/// an incoming `Create` does) and divides the database's growth by `count`.
pub async fn db_bytes_per_status(
    core: &Core,
    database: &BenchDatabase,
    count: usize,
    seed: u64,
) -> anyhow::Result<Row> {
    println!("Measuring db_bytes_per_status ({count} remote statuses stored)…");
    let started = Instant::now();
    let pool = RawPool::open(database.kind, &database.url, 1).await?;
    let keys = remote::key_pool(1).await?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    let authors: Vec<_> = (0..AUTHORS)
        .map(|i| {
            let host = format!("s{i}{REMOTE_SUFFIX}");
            remote::remote_account(
                &format!("https://{host}"),
                &host,
                &format!("writer{i}"),
                &keys[0],
                now + i as i64,
            )
        })
        .collect();
    let authors = remote::store_accounts(core, authors).await?;
    let before = database_bytes(&pool, database.kind).await?;

    let mut rng = StdRng::seed_from_u64(seed ^ 0xb17e);
    // Spread over the last 30 days, oldest first, as a real instance receives them.
    let span = 30 * 24 * 3600 * 1000_i64;
    let step = (span / count.max(1) as i64).max(1);
    let first = now - span;
    let mut stored = 0usize;
    while stored < count {
        let chunk = (count - stored).min(2_000);
        let statuses: Vec<NewStatus> = (0..chunk)
            .map(|k| {
                let author = &authors[rng.random_range(0..authors.len())];
                remote_status(&mut rng, author, first + (stored + k) as i64 * step)
            })
            .collect();
        futures::stream::iter(statuses)
            .map(|new| async move {
                core.store.insert_status(&new).await?;
                core.index_for_search(&new.status).await?;
                anyhow::Ok(())
            })
            .buffer_unordered(8)
            .try_collect::<Vec<()>>()
            .await
            .context("storing remote statuses")?;
        stored += chunk;
    }
    let after = database_bytes(&pool, database.kind).await?;
    pool.close().await;
    let per_status = (after - before) as f64 / count.max(1) as f64;
    let mib = |bytes: i64| bytes as f64 / (1024.0 * 1024.0);
    Ok(
        Row::under_threshold("db_bytes_per_status", per_status, "B", THRESHOLD_BYTES).with_note(
            format!(
                "{count} remote statuses (HTML content, hashtags, search documents) stored in \
                 {:.0} s; the database grew from {:.1} MiB to {:.1} MiB, indexes included",
                started.elapsed().as_secs_f64(),
                mib(before),
                mib(after)
            ),
        ),
    )
}
