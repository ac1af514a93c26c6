//! `rhizome import akkoma`: moving an Akkoma instance here, with a progress bar per stage
//! and a final report.

use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::Context;
use clap::{Args, Subcommand};
use rhizome_core::Urls;
use rhizome_import_akkoma::{Options, Progress};

use crate::config::Loaded;
use crate::server::open_core;

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Import an Akkoma 3.x database into this (empty) instance, keeping accounts, keys,
    /// passwords, follows and posts with their ids. Rhizome's instance.domain must be
    /// Akkoma's. Run it again to resume: what is already here is left as it is.
    Akkoma(AkkomaArgs),
}

#[derive(Args)]
pub struct AkkomaArgs {
    /// The Akkoma database: postgres://user:password@host/akkoma
    #[arg(long, value_name = "URL")]
    from: String,
    /// Akkoma's uploads folder: local media found there are copied into media storage
    /// (without it, attachments keep pointing at their old address).
    #[arg(long, value_name = "DIR")]
    uploads: Option<PathBuf>,
    /// Read Akkoma's database and report what would be imported; write nothing (Rhizome's
    /// database is not opened).
    #[arg(long)]
    dry_run: bool,
    /// Notifications older than this many days before the newest one stay behind.
    #[arg(long, default_value_t = 28, value_name = "DAYS")]
    notification_days: i64,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Test hook: `STAGE:N` stops the import dead before the Nth row of STAGE (a progress bar's
/// name, e.g. `posts:10`): it says so on stderr and waits to be killed. The fixture imports in
/// well under a second, too fast to kill at a known point by watching the bars; stopping
/// here lets a test kill the process part-way on purpose and prove the import resumes.
const STOP_AT_ENV: &str = "RHIZOME_TEST_IMPORT_STOP_AT";

/// One progress bar per stage on stderr, hidden unless it is a terminal.
struct Bars {
    current: Mutex<Option<indicatif::ProgressBar>>,
    /// The stage and row to stop at ([`STOP_AT_ENV`]).
    stop_at: Option<(String, u64)>,
    /// The current stage and how many of its rows were started.
    position: Mutex<(String, u64)>,
}

impl Bars {
    fn new() -> Bars {
        let stop_at = std::env::var(STOP_AT_ENV).ok().and_then(|value| {
            let (stage, row) = value.rsplit_once(':')?;
            Some((stage.to_owned(), row.parse().ok()?))
        });
        Bars {
            current: Mutex::new(None),
            stop_at,
            position: Mutex::new((String::new(), 0)),
        }
    }

    fn maybe_stop(&self) {
        let Some((stage, row)) = &self.stop_at else {
            return;
        };
        let Ok(mut position) = self.position.lock() else {
            return;
        };
        position.1 += 1;
        if position.0 == *stage && position.1 == *row {
            eprintln!("stopped at {stage} {row}");
            // Bounded, in case nobody comes to kill it.
            std::thread::sleep(std::time::Duration::from_secs(300));
            std::process::exit(3);
        }
    }
}

impl Progress for Bars {
    fn stage(&self, name: &str, total: u64) {
        if let Ok(mut position) = self.position.lock() {
            *position = (name.to_owned(), 0);
        }
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(&format!(
                "{name:<26} {{bar:40}} {{pos}}/{{len}} ({{eta}} left)"
            ))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
        }
        if let Ok(mut current) = self.current.lock()
            && let Some(previous) = current.replace(bar)
        {
            previous.finish();
        }
    }

    fn advance(&self) {
        self.maybe_stop();
        if let Ok(current) = self.current.lock()
            && let Some(bar) = current.as_ref()
        {
            bar.inc(1);
        }
    }

    fn finish_stage(&self) {
        if let Ok(mut current) = self.current.lock()
            && let Some(bar) = current.take()
        {
            bar.finish();
        }
    }
}

pub async fn run(loaded: Loaded, command: ImportCommand) -> anyhow::Result<()> {
    let ImportCommand::Akkoma(args) = command;
    let config = &loaded.config;
    let urls = Urls::new(config.scheme(), &config.instance.domain);
    let core = if args.dry_run {
        None
    } else {
        Some(open_core(config, &loaded.from_env).await?)
    };
    let options = Options {
        dry_run: args.dry_run,
        uploads: args.uploads,
        notification_days: args.notification_days,
    };
    let bars = Bars::new();
    let report = rhizome_import_akkoma::run(&args.from, core, urls, options, &bars)
        .await
        .context("the import stopped (run it again to resume)")?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.render());
    }
    Ok(())
}
