//! `rhizome import akkoma`: moves an Akkoma 3.x instance's database into Rhizome.
//!
//! A front over `rhizome-core`, like the client API: it reads Akkoma's PostgreSQL tables with
//! plain runtime queries and writes only through the store's and the core's methods. It is a
//! crate of its own because it is the one part of Rhizome that knows another server's schema,
//! and nothing else should depend on that knowledge.
//!
//! Stages run in dependency order (accounts, then the graph, posts, what people did with
//! posts, their lists and filters, apps, notifications, instance settings). Every row keeps
//! an id derived from Akkoma's (see [`ids`]) and is written "insert if missing", so a run
//! interrupted anywhere is resumed by running it again, and a second run changes nothing.
//! ActivityPub ids (`/users/…`, `/objects/…`, `/activities/…`) are kept as they were, which
//! is why Rhizome must run under the Akkoma instance's domain.

mod accounts;
mod extras;
mod graph;
pub mod ids;
mod posts;
mod settings;
mod source;
mod terms;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use rhizome_core::{Core, CoreError, Urls};
use rhizome_model::{Id, Timestamp};
use rhizome_store::StoreError;
use serde::Serialize;
use sqlx::PgPool;

/// What `rhizome import akkoma` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// Read and report; write nothing (Rhizome's database is not even opened).
    pub dry_run: bool,
    /// Akkoma's `uploads` folder: local media found there are copied into media storage;
    /// without it (or for a file not there) attachments point at their old address.
    pub uploads: Option<PathBuf>,
    /// Notifications this many days older than the newest one are left behind.
    pub notification_days: i64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            dry_run: false,
            uploads: None,
            notification_days: 28,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("reading the Akkoma database: {0}")]
    Source(#[from] sqlx::Error),
    #[error(transparent)]
    Core(#[from] CoreError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Refused(String),
}

/// Reports each stage's advance (the CLI draws progress bars).
pub trait Progress: Send + Sync {
    fn stage(&self, name: &str, total: u64);
    fn advance(&self);
    fn finish_stage(&self);
}

/// Progress nobody watches.
pub struct Silent;

impl Progress for Silent {
    fn stage(&self, _: &str, _: u64) {}
    fn advance(&self) {}
    fn finish_stage(&self) {}
}

/// What happened to the rows of one kind.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    /// Written by this run (with `--dry-run`: that would be written).
    pub imported: u64,
    /// Already in Rhizome's database, left as they are.
    pub present: u64,
    /// Not imported; the reasons are listed.
    pub skipped: u64,
}

/// One row not imported, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Skipped {
    pub kind: String,
    /// Akkoma's id (or ActivityPub id) of the row.
    pub source: String,
    pub reason: String,
}

/// The final report: counts per kind, every skipped row, and notes on the whole.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub dry_run: bool,
    pub kinds: BTreeMap<String, Counts>,
    pub skipped: Vec<Skipped>,
    pub notes: Vec<String>,
}

impl Report {
    fn count(&mut self, kind: &str) -> &mut Counts {
        self.kinds.entry(kind.to_owned()).or_default()
    }

    /// The counts of `kind` (zeros when nothing of that kind was seen).
    pub fn of(&self, kind: &str) -> Counts {
        self.kinds.get(kind).cloned().unwrap_or_default()
    }

    /// A human-readable table.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let verb = if self.dry_run {
            "would import"
        } else {
            "imported"
        };
        out.push_str(&format!(
            "{:<24} {:>12} {:>10} {:>10}\n",
            "kind", verb, "present", "skipped"
        ));
        for (kind, c) in &self.kinds {
            out.push_str(&format!(
                "{kind:<24} {:>12} {:>10} {:>10}\n",
                c.imported, c.present, c.skipped
            ));
        }
        if !self.skipped.is_empty() {
            out.push_str("\nskipped:\n");
            for s in &self.skipped {
                out.push_str(&format!("  {} {}: {}\n", s.kind, s.source, s.reason));
            }
        }
        for note in &self.notes {
            out.push_str(&format!("\nnote: {note}\n"));
        }
        out
    }
}

/// An account as the later stages need it.
#[derive(Debug, Clone)]
pub(crate) struct KnownAccount {
    pub id: Id,
    pub local: bool,
    pub followers_url: Option<String>,
}

/// The importer's state: the source, the target, and what was mapped so far.
pub(crate) struct Importer<'a> {
    pub source: PgPool,
    /// `None` with `--dry-run`.
    pub core: Option<Core>,
    pub urls: Urls,
    pub options: Options,
    pub progress: &'a dyn Progress,
    pub report: Report,
    /// By ActivityPub id.
    pub accounts: HashMap<String, KnownAccount>,
    /// Akkoma's user id (uuid text) → ActivityPub id.
    pub user_ap_ids: HashMap<String, String>,
    /// Posts by ActivityPub id (objects, and boosts by their Announce's id).
    pub statuses: HashMap<String, Id>,
    /// Akkoma's Create and Announce activity ids (uuid text) → status.
    pub activity_statuses: HashMap<String, Id>,
    /// Polls by their Question's ActivityPub id: (poll id, option titles).
    pub polls: HashMap<String, (Id, Vec<String>)>,
    /// Local accounts and the local accounts following them (home timelines).
    pub local_followers: HashMap<Id, HashSet<Id>>,
    /// Akkoma's notification ids → ours (for the notifications marker).
    pub notifications: HashMap<i64, Id>,
    pub now: Timestamp,
}

impl Importer<'_> {
    /// Records a row's outcome. `Ok(true)`: written; `Ok(false)`: already there.
    pub fn outcome(&mut self, kind: &str, written: bool) {
        let counts = self.report.count(kind);
        if written {
            counts.imported += 1;
        } else {
            counts.present += 1;
        }
    }

    pub fn skip(&mut self, kind: &str, source: impl Into<String>, reason: impl Into<String>) {
        self.report.count(kind).skipped += 1;
        let skipped = Skipped {
            kind: kind.to_owned(),
            source: source.into(),
            reason: reason.into(),
        };
        tracing::info!(kind, source = %skipped.source, reason = %skipped.reason, "skipped");
        self.report.skipped.push(skipped);
    }

    pub fn account(&self, ap_id: &str) -> Option<&KnownAccount> {
        self.accounts.get(ap_id)
    }
}

/// Runs the import from the Akkoma database at `source_url` into `core`'s database (or, when
/// `core` is `None`, only reads and reports). `urls` are Rhizome's: the Akkoma instance's
/// local users must live under the same base URL.
pub async fn run(
    source_url: &str,
    core: Option<Core>,
    urls: Urls,
    options: Options,
    progress: &dyn Progress,
) -> Result<Report, ImportError> {
    let source = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect(source_url)
        .await?;
    let now = match &core {
        Some(core) => core.clock.now(),
        None => rhizome_core::Clock::scaled(1.0).now(),
    };
    let mut importer = Importer {
        source,
        core,
        urls,
        report: Report {
            dry_run: options.dry_run,
            ..Report::default()
        },
        options,
        progress,
        accounts: HashMap::new(),
        user_ap_ids: HashMap::new(),
        statuses: HashMap::new(),
        activity_statuses: HashMap::new(),
        polls: HashMap::new(),
        local_followers: HashMap::new(),
        notifications: HashMap::new(),
        now,
    };
    importer.check_domain().await?;
    importer.import_accounts().await?;
    importer.import_graph().await?;
    importer.import_posts().await?;
    importer.import_boosts().await?;
    importer.import_interactions().await?;
    importer.import_oauth().await?;
    // Before markers: the notifications marker names a notification.
    importer.import_notifications().await?;
    importer.import_user_data().await?;
    importer.import_settings().await?;
    importer.source.close().await;
    Ok(importer.report)
}

impl Importer<'_> {
    /// The Akkoma instance's local actors must be ours: ActivityPub ids cannot change.
    async fn check_domain(&mut self) -> Result<(), ImportError> {
        let sample: Option<String> =
            sqlx::query_scalar("SELECT ap_id FROM users WHERE local ORDER BY id LIMIT 1")
                .fetch_optional(&self.source)
                .await?;
        let Some(ap_id) = sample else {
            self.report
                .notes
                .push("the Akkoma database has no local users".into());
            return Ok(());
        };
        let expected = format!("{}/users/", self.urls.base());
        if !ap_id.starts_with(&expected) {
            let akkoma_base = ap_id.split("/users/").next().unwrap_or(&ap_id).to_owned();
            return Err(ImportError::Refused(format!(
                "the Akkoma instance is {akkoma_base} but this Rhizome instance is {}: set \
                 instance.domain (and instance.scheme) to Akkoma's, so that every ActivityPub \
                 id stays the same",
                self.urls.base()
            )));
        }
        Ok(())
    }
}
