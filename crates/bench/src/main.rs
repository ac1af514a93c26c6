//! `rhizome-bench`: seeds a fresh instance, drives the real server over loopback HTTP with
//! keep-alive connections, and prints every figure next to a baseline measured in the same
//! run on the same machine. The ratio is what is tracked.
//!
//! ```sh
//! cargo run --release -p rhizome-bench -- [--quick] [--db sqlite|postgres] [--json PATH]
//! ```
//!
//! See `docs/performance.md` for what each scenario measures.

mod db;
mod load;
mod remote;
mod report;
mod scaling;
mod scenarios;
mod seed;
mod server;
mod size;
mod stats;
mod text;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Parser, ValueEnum};

use crate::report::Row;

#[derive(Parser)]
#[command(
    name = "rhizome-bench",
    about = "Rhizome's benchmark: each figure next to a baseline measured in the same run"
)]
struct Args {
    /// About a minute on a 2-core machine: 10k statuses instead of 100k, shorter runs.
    #[arg(long)]
    quick: bool,
    /// The database to run on. PostgreSQL is reached through RHIZOME_TEST_POSTGRES
    /// (default postgres://postgres@127.0.0.1:5432/test); the run creates and drops its own
    /// database there.
    #[arg(long, value_enum, default_value_t = DbChoice::Sqlite)]
    db: DbChoice,
    /// Also write the results as JSON: [{"name", "value", "unit", "baseline",
    /// "baseline_value", "ratio"}].
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
    /// The `rhizome` binary for the start-up and memory scenarios. By default the one next to
    /// this program, built first when run through cargo.
    #[arg(long, value_name = "PATH")]
    rhizome_bin: Option<PathBuf>,
    /// Concurrent keep-alive connections (one task each).
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    concurrency: u16,
    /// Keep the seeded database and the servers' logs after the run (their place is printed),
    /// to look at query plans.
    #[arg(long)]
    keep_db: bool,
    /// Only seed the instance (with --keep-db: to prepare one for a look at query plans).
    #[arg(long)]
    seed_only: bool,
    /// Seed of the generated data and of the requests' random choices.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Remote statuses stored for db_bytes_per_status: 100,000 in full runs; quick runs
    /// measure it only when this is given.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    db_bytes_statuses: Option<u32>,
    /// Measure timeline_scaling (10k, 100k and 1M statuses) in a quick run too; full runs
    /// always do.
    #[arg(long)]
    timeline_scaling: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DbChoice {
    Sqlite,
    Postgres,
}

/// How long and how big, for `--quick` or a full run.
#[derive(Debug, Clone)]
pub struct Plan {
    pub quick: bool,
    pub scale: seed::Scale,
    pub warmup: Duration,
    /// Baseline and scenario alternate in slots of this length…
    pub slot: Duration,
    /// …this many times each.
    pub rounds: u32,
    pub startup_runs: usize,
    /// How long to wait for the job queue to drain after posting.
    pub drain_limit: Duration,
    pub concurrency: usize,
    pub seed: u64,
    pub keep_db: bool,
    pub seed_only: bool,
    /// Remote statuses stored for `db_bytes_per_status`; `None`: not measured.
    pub db_bytes_statuses: Option<usize>,
    /// The instance sizes (statuses) of `timeline_scaling`; `None`: not measured.
    pub scaling_sizes: Option<Vec<usize>>,
}

/// The issue's instance: 1k users, 100k statuses.
const FULL_STATUSES: usize = 100_000;
const QUICK_STATUSES: usize = 10_000;
/// The issue's sizes for `timeline_scaling`.
const SCALING_SIZES: [usize; 3] = [10_000, 100_000, 1_000_000];

impl Plan {
    fn new(quick: bool, concurrency: usize, seed: u64, keep_db: bool, seed_only: bool) -> Plan {
        let scale = seed::Scale {
            users: 1_000,
            statuses: if quick { QUICK_STATUSES } else { FULL_STATUSES },
            follows_per_user: 40,
            favourites_per_status: 0.3,
        };
        if quick {
            Plan {
                quick,
                scale,
                warmup: Duration::from_secs(1),
                slot: Duration::from_secs(2),
                rounds: 2,
                startup_runs: 3,
                drain_limit: Duration::from_secs(60),
                concurrency,
                seed,
                keep_db,
                seed_only,
                db_bytes_statuses: None,
                scaling_sizes: None,
            }
        } else {
            Plan {
                quick,
                scale,
                warmup: Duration::from_secs(2),
                slot: Duration::from_secs(5),
                rounds: 3,
                startup_runs: 5,
                drain_limit: Duration::from_secs(180),
                concurrency,
                seed,
                keep_db,
                seed_only,
                db_bytes_statuses: Some(FULL_STATUSES),
                scaling_sizes: Some(SCALING_SIZES.to_vec()),
            }
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    // sqlx's slow-statement warnings are left out by default: growing an instance for
    // timeline_scaling writes half a million rows per statement on purpose.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,sqlx::query=error"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("rhizome-bench: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> anyhow::Result<()> {
    let started = Instant::now();
    let plan = Plan::new(
        args.quick,
        usize::from(args.concurrency),
        args.seed,
        args.keep_db,
        args.seed_only,
    );
    let plan = Plan {
        db_bytes_statuses: args
            .db_bytes_statuses
            .map(|n| n as usize)
            .or(plan.db_bytes_statuses),
        scaling_sizes: if args.timeline_scaling {
            Some(SCALING_SIZES.to_vec())
        } else {
            plan.scaling_sizes.clone()
        },
        ..plan
    };
    let kind = match args.db {
        DbChoice::Sqlite => db::Kind::Sqlite,
        DbChoice::Postgres => db::Kind::Postgres,
    };
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    println!(
        "Rhizome benchmark: {} run on {}, {cores} cores, {} keep-alive connections",
        if plan.quick { "quick" } else { "full" },
        kind.name(),
        plan.concurrency
    );
    if plan.quick {
        println!(
            "Quick mode seeds {QUICK_STATUSES} statuses instead of the full run's \
             {FULL_STATUSES}, and measures {} × {:.1} s per figure and per baseline.",
            plan.rounds,
            plan.slot.as_secs_f64()
        );
    }
    if cfg!(debug_assertions) {
        println!("WARNING: this is a debug build; run it with --release for meaningful figures.");
    }
    let binary = server::rhizome_binary(args.rhizome_bin.as_deref());
    if let Err(reason) = &binary {
        println!("The start-up and memory scenarios will not be measured: {reason}");
    }

    // The server gets a runtime of its own, as in its own process; the load generator
    // another. Both share the machine's cores, as any load test on one machine does.
    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores)
        .thread_name("rhizome-server")
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    let load_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores)
        .thread_name("bench-load")
        .enable_all()
        .build()
        .context("cannot start the load generator's runtime")?;
    let rows = load_runtime.block_on(scenarios::all(
        &plan,
        kind,
        server_runtime.handle().clone(),
        binary,
    ))?;
    server_runtime.shutdown_timeout(Duration::from_secs(10));
    load_runtime.shutdown_timeout(Duration::from_secs(10));

    if plan.seed_only {
        println!("Seeded only, nothing measured (--seed-only).");
        return Ok(());
    }
    println!();
    print!("{}", report::format_table(&rows));
    println!("(finished in {:.0} s)", started.elapsed().as_secs_f64());
    if let Some(path) = &args.json {
        write_json(path, &rows)?;
        println!("Wrote {}", path.display());
    }
    Ok(())
}

fn write_json(path: &std::path::Path, rows: &[Row]) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(&report::to_json(rows))?;
    text.push('\n');
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}
