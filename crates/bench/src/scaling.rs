//! `timeline_scaling`: how the home timeline's p50 grows with the instance's history, from
//! 10k to 100k to 1M statuses.
//!
//! Seeding 1M statuses through the store API would take most of an hour here, so the instance
//! is seeded once at the smallest size and then grown in the database itself: each step copies
//! the seeded statuses (with their home-timeline entries, mentions, hashtags and favourites)
//! further back in time, as many times as the step needs. The copies are older than everything
//! seeded, as history is: a timeline's first page shows the same posts at every size, and what
//! grows is what an instance's age makes grow, the tables and their indexes.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use tokio::runtime::Handle;

use crate::db::{Kind, RawPool};
use crate::load::{self, HttpRequest, Method};
use crate::report::{Row, Target};
use crate::scenarios::{HOME, Instance, errors_note, on_server};
use crate::server::InProcess;
use crate::{Plan, seed};

/// How much the p50 may grow from the smallest size to the largest.
const MAX_GROWTH: f64 = 1.5;

/// The statuses' columns that hold ids of statuses: a copy points to its own copies.
const STATUS_ID_COLUMNS: [&str; 4] = ["id", "in_reply_to_id", "reblog_of_id", "quote_of_id"];
/// The statuses' unique (or looked-up) addresses: a copy gets its own.
const ADDRESS_COLUMNS: [&str; 3] = ["uri", "url", "in_reply_to_uri"];
const TIME_COLUMNS: [&str; 3] = ["created_at", "updated_at", "edited_at"];

/// The seeded rows, which every copy repeats.
#[derive(Debug, Clone, Copy)]
pub struct Originals {
    /// Ids of the seeded statuses and favourites lie in `first_id..=last_id`.
    first_id: i64,
    last_id: i64,
    /// How far back each copy moves, in milliseconds: more than the seeded rows span, so that
    /// copies never meet.
    shift_millis: i64,
}

impl Originals {
    /// Reads the seeded rows' extent. Call it before any copy is made.
    pub async fn of(pool: &RawPool) -> anyhow::Result<Originals> {
        let first = pool
            .count("SELECT MIN(m) FROM (SELECT MIN(id) AS m FROM statuses UNION ALL SELECT MIN(id) FROM favourites) x")
            .await?;
        let last = pool
            .count("SELECT MAX(m) FROM (SELECT MAX(id) AS m FROM statuses UNION ALL SELECT MAX(id) FROM favourites) x")
            .await?;
        let statuses = pool.count("SELECT COUNT(*) FROM statuses").await?;
        anyhow::ensure!(statuses > 0, "nothing seeded to copy");
        // Ids are milliseconds shifted left by 16 bits (rhizome_model::Id::generate).
        let span_millis = (last >> 16) - (first >> 16);
        Ok(Originals {
            first_id: first,
            last_id: last,
            shift_millis: span_millis + 24 * 3600 * 1000,
        })
    }

    fn id_shift(&self, copy: i64) -> i64 {
        (copy * self.shift_millis) << 16
    }
}

/// One `INSERT … SELECT` per table making copy number `copy` (1, 2, …) of the seeded rows.
/// `status_columns` are the columns of `statuses`, in any order.
pub fn copy_statements(status_columns: &[String], originals: &Originals, copy: i64) -> Vec<String> {
    let shift = originals.id_shift(copy);
    let millis = copy * originals.shift_millis;
    let (first, last) = (originals.first_id, originals.last_id);
    let expressions: Vec<String> = status_columns
        .iter()
        .map(|column| {
            let column = column.as_str();
            if STATUS_ID_COLUMNS.contains(&column) {
                format!("{column} - {shift}")
            } else if ADDRESS_COLUMNS.contains(&column) {
                format!("{column} || '#copy{copy}'")
            } else if TIME_COLUMNS.contains(&column) {
                format!("{column} - {millis}")
            } else {
                column.to_owned()
            }
        })
        .collect();
    let seeded = format!("BETWEEN {first} AND {last}");
    vec![
        // In id order, so that each index of `statuses` grows at one end.
        format!(
            "INSERT INTO statuses ({}) SELECT {} FROM statuses WHERE id {seeded} ORDER BY id",
            status_columns.join(", "),
            expressions.join(", ")
        ),
        format!(
            "INSERT INTO home_feed (account_id, status_id) SELECT account_id, status_id - {shift} \
             FROM home_feed WHERE status_id {seeded}"
        ),
        format!(
            "INSERT INTO mentions (status_id, account_id) SELECT status_id - {shift}, account_id \
             FROM mentions WHERE status_id {seeded}"
        ),
        format!(
            "INSERT INTO status_tags (status_id, tag_id) SELECT status_id - {shift}, tag_id \
             FROM status_tags WHERE status_id {seeded}"
        ),
        format!(
            "INSERT INTO favourites (id, account_id, status_id, uri, created_at) \
             SELECT id - {shift}, account_id, status_id - {shift}, uri || '#copy{copy}', \
             created_at - {millis} FROM favourites WHERE id {seeded} AND status_id {seeded}"
        ),
    ]
}

/// The columns of `statuses` an `INSERT` may name (generated ones left out).
async fn status_columns(pool: &RawPool, kind: Kind) -> anyhow::Result<Vec<String>> {
    let sql = match kind {
        Kind::Sqlite => "SELECT name FROM pragma_table_info('statuses') ORDER BY cid",
        Kind::Postgres => {
            "SELECT column_name::TEXT FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = 'statuses' \
             AND is_generated = 'NEVER' ORDER BY ordinal_position"
        }
    };
    pool.strings(sql).await
}

/// Grows the instance until it holds `copies_wanted + 1` times the seeded statuses, making
/// copies `from..=copies_wanted`.
pub async fn grow(
    pool: &RawPool,
    kind: Kind,
    originals: &Originals,
    from: i64,
    copies_wanted: i64,
) -> anyhow::Result<()> {
    let columns = status_columns(pool, kind).await?;
    for copy in from..=copies_wanted {
        pool.transaction(&copy_statements(&columns, originals, copy))
            .await
            .with_context(|| format!("making copy {copy} of the seeded statuses"))?;
    }
    pool.analyze().await
}

/// Measures the home timeline's p50 at each of `sizes` (statuses; each a multiple of the
/// first, which is seeded) on an instance of its own.
pub async fn timeline_scaling(
    plan: &Plan,
    kind: Kind,
    server: Handle,
    sizes: &[usize],
) -> anyhow::Result<Vec<Row>> {
    let (&smallest, _) = sizes.split_first().context("no sizes")?;
    anyhow::ensure!(
        sizes.iter().all(|size| size % smallest == 0),
        "each size must be a multiple of the first"
    );
    let instance = Instance::open(kind, &server).await?;
    let scale = seed::Scale {
        statuses: smallest,
        ..plan.scale
    };
    println!("Measuring timeline_scaling: seeding {smallest} statuses…");
    let seeded = {
        let core = instance.core.clone();
        let seed = plan.seed;
        on_server(&server, async move {
            seed::seed(&core, &scale, seed, &|line| println!("  {line}")).await
        })
        .await??
    };
    let pool = RawPool::open(kind, &instance.database.url, 1).await?;
    pool.analyze().await?;
    let originals = Originals::of(&pool).await?;
    let inproc = {
        let core = instance.core.clone();
        let config = instance.config.clone();
        on_server(
            &server,
            async move { InProcess::start(core, &config).await },
        )
        .await??
    };
    let tokens = Arc::new(seeded.tokens.clone());
    let url = format!("{}{HOME}", inproc.base);
    let here = Handle::current();

    let mut measured: Vec<(usize, i64, f64)> = Vec::new();
    let mut notes = Vec::new();
    let mut copies_made = 0_i64;
    for &size in sizes {
        let copies_wanted = (size / smallest) as i64 - 1;
        if copies_wanted > copies_made {
            let started = Instant::now();
            grow(&pool, kind, &originals, copies_made + 1, copies_wanted).await?;
            copies_made = copies_wanted;
            println!(
                "  grown to {size} statuses in {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
        let statuses = pool.count("SELECT COUNT(*) FROM statuses").await?;
        let requests: Vec<HttpRequest> = (0..plan.concurrency)
            .map(|i| {
                Ok(HttpRequest::new(
                    load::http_client()?,
                    url.clone(),
                    Method::Get,
                    tokens.clone(),
                    plan.seed.wrapping_mul(7919).wrapping_add(i as u64),
                ))
            })
            .collect::<anyhow::Result<_>>()?;
        let (_, requests) = load::run_for(&here, requests, plan.warmup).await;
        let (recorder, _) = load::run_for(&here, requests, plan.slot * plan.rounds).await;
        let summary = recorder.summary();
        let p50 = summary
            .p50_ms()
            .with_context(|| format!("no successful request at {size} statuses"))?;
        println!(
            "  {statuses} statuses: p50 {p50:.2} ms, {:.0} req/s",
            summary.rate()
        );
        notes.push(format!("{statuses} statuses: p50 {p50:.2} ms"));
        notes.extend(errors_note(&format!("requests at {size}"), &summary));
        measured.push((size, statuses, p50));
    }
    on_server(&server, inproc.stop()).await??;
    pool.close().await;
    instance.core.store.close().await;

    let (Some(first), Some(last)) = (measured.first(), measured.last()) else {
        anyhow::bail!("nothing measured");
    };
    Ok(vec![
        Row::measured(
            "timeline_scaling",
            last.2,
            "ms",
            &format!("timeline_home_p50_at_{}", first.0),
            first.2,
            Some(Target::AtMost(MAX_GROWTH)),
        )
        .with_note(format!(
            "p50 of GET {HOME} at {} statuses against {}; {}",
            last.0,
            first.0,
            notes.join(", ")
        )),
    ])
}

#[cfg(test)]
mod tests {
    use rhizome_store::PageRequest;

    use super::*;

    const TABLES: [&str; 5] = [
        "statuses",
        "home_feed",
        "mentions",
        "status_tags",
        "favourites",
    ];

    async fn counts(pool: &RawPool) -> Vec<i64> {
        let mut counts = Vec::new();
        for table in TABLES {
            counts.push(
                pool.count(&format!("SELECT COUNT(*) FROM {table}"))
                    .await
                    .expect("count"),
            );
        }
        for counter in ["replies_count", "reblogs_count", "favourites_count"] {
            counts.push(
                pool.count(&format!(
                    "SELECT CAST(COALESCE(SUM({counter}), 0) AS BIGINT) FROM status_stats"
                ))
                .await
                .expect("sum"),
            );
        }
        counts
    }

    async fn copies_repeat_the_seeded_history(kind: Kind) {
        let server = Handle::current();
        let instance = Instance::open(kind, &server).await.expect("instance");
        // Replies and boosts point to statuses of earlier chunks of the seeding (500 each).
        let scale = seed::Scale {
            users: 20,
            statuses: 1_200,
            follows_per_user: 5,
            favourites_per_status: 0.5,
        };
        let seeded = seed::seed(&instance.core, &scale, 7, &|_| {})
            .await
            .expect("seed");
        let pool = RawPool::open(kind, &instance.database.url, 1)
            .await
            .expect("pool");
        let originals = Originals::of(&pool).await.expect("originals");
        let before = counts(&pool).await;
        assert!(before.iter().all(|&count| count > 0), "{before:?}");
        let viewer = seeded.user_ids[1];
        let first_page = |core: rhizome_core::Core, max_id: Option<i64>| async move {
            let page = PageRequest {
                max_id,
                ..PageRequest::first(40)
            };
            core.home_timeline(viewer, &page)
                .await
                .expect("timeline")
                .items
                .iter()
                .map(|view| view.status.id.0)
                .collect::<Vec<_>>()
        };
        let newest = first_page(instance.core.clone(), None).await;
        assert!(!newest.is_empty());

        grow(&pool, kind, &originals, 1, 2).await.expect("grow");

        let after = counts(&pool).await;
        let tripled: Vec<i64> = before.iter().map(|count| count * 3).collect();
        assert_eq!(after, tripled, "rows and counters of {TABLES:?}");
        // The newest page is what it was; the copies lie behind the seeded history.
        assert_eq!(first_page(instance.core.clone(), None).await, newest);
        let older = first_page(instance.core.clone(), Some(originals.first_id)).await;
        assert!(!older.is_empty());
        assert!(older.iter().all(|&id| id < originals.first_id), "{older:?}");
        pool.close().await;
        instance.core.store.close().await;
    }

    #[tokio::test]
    async fn copies_repeat_the_seeded_history_on_sqlite() {
        copies_repeat_the_seeded_history(Kind::Sqlite).await;
    }

    #[tokio::test]
    async fn copies_repeat_the_seeded_history_on_postgres() {
        if std::env::var("RHIZOME_TEST_POSTGRES").is_err() {
            eprintln!("skipped: RHIZOME_TEST_POSTGRES names no PostgreSQL server");
            return;
        }
        copies_repeat_the_seeded_history(Kind::Postgres).await;
    }
}
