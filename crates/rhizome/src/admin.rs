//! `rhizome admin …` and `rhizome db …`: administration from the shell. They work on the
//! same database as a running server. Results go to stdout (human-readable, or JSON with
//! `--json`); messages go to stderr.

use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use rhizome_core::Core;
use rhizome_core::accounts::NewUser;
use rhizome_core::federation::policy::{DomainBlockRequest, MrfConfig};
use rhizome_core::jobs::{PROBE, ProbePayload};
use rhizome_core::secrets::random_token;
use rhizome_model::{Id, Job, JobState, LocalUser, Role, Scopes};
use rhizome_store::{PageRequest, Store};
use serde_json::{Value, json};

use crate::config::Loaded;
use crate::server::{open_core, open_store};

#[derive(Args)]
pub struct AdminArgs {
    /// Print results as JSON, for scripts.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: AdminCommand,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Local users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// OAuth access tokens for scripts, bots and tests.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The background job queue.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// The full-text search index.
    Search {
        #[command(subcommand)]
        command: SearchCommand,
    },
    /// Instance-level domain blocks (the federation policy stage).
    Domain {
        #[command(subcommand)]
        command: DomainCommand,
    },
    /// The policy chain (Akkoma's MRF): show it, or dry-run a proposed one.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Invitations, for registrations in invite mode.
    Invite {
        #[command(subcommand)]
        command: InviteCommand,
    },
    /// Run-time settings shared by every process (instance name, registrations…).
    Settings {
        #[command(subcommand)]
        command: SettingsCommand,
    },
    /// Remove remote posts nothing here holds on to, older than
    /// federation.remote_post_retention_days (the daily upkeep does this too).
    Prune {
        /// Only count what would go.
        #[arg(long)]
        dry_run: bool,
        /// Instead of federation.remote_post_retention_days.
        #[arg(long, value_name = "DAYS")]
        older_than_days: Option<u64>,
    },
    /// This instance's custom emoji.
    Emoji {
        #[command(subcommand)]
        command: EmojiCommand,
    },
    /// Media storage: the remote cache, unposted uploads, moving to S3.
    Media {
        #[command(subcommand)]
        command: MediaCommand,
    },
    /// Announcements shown to every user in their apps.
    Announcement {
        #[command(subcommand)]
        command: AnnouncementCommand,
    },
    /// Write a user's seven CSV exports (Mastodon's formats) into a folder.
    ExportUser {
        name: String,
        /// The folder to write to (made when missing).
        #[arg(long)]
        out: PathBuf,
    },
    /// CSV imports and their progress.
    Imports {
        #[command(subcommand)]
        command: crate::admin_data::ImportsCommand,
    },
}

#[derive(Subcommand)]
enum AnnouncementCommand {
    /// Publish TEXT (plain text: mentions, hashtags, links and :emoji: are rendered).
    Create {
        text: String,
        /// When the event it announces starts: RFC 3339 (`2026-12-01T18:00:00Z`) or a date.
        #[arg(long, value_name = "TIME")]
        starts_at: Option<String>,
        /// When it ends; apps stop showing it then.
        #[arg(long, value_name = "TIME")]
        ends_at: Option<String>,
        /// The event lasts whole days (apps show dates only).
        #[arg(long)]
        all_day: bool,
    },
    /// Change one: only what is given changes; apps see it updated.
    Edit {
        id: String,
        /// The new text.
        #[arg(long)]
        text: Option<String>,
        #[arg(long, value_name = "TIME", conflicts_with = "no_dates")]
        starts_at: Option<String>,
        #[arg(long, value_name = "TIME", conflicts_with = "no_dates")]
        ends_at: Option<String>,
        /// Whether the event lasts whole days.
        #[arg(long, value_name = "BOOL")]
        all_day: Option<bool>,
        /// Remove both times: the announcement no longer announces an event.
        #[arg(long)]
        no_dates: bool,
    },
    /// List every announcement, ended ones included.
    List,
    /// Remove one (with its reactions).
    Remove { id: String },
}

#[derive(Subcommand)]
enum EmojiCommand {
    /// Add `:SHORTCODE:` from an image file (PNG, GIF or WebP, at most 256 KB).
    Add {
        shortcode: String,
        file: PathBuf,
        /// Groups emoji in apps' pickers.
        #[arg(long)]
        category: Option<String>,
    },
    /// List the custom emoji.
    List,
    /// Remove one.
    Remove { shortcode: String },
}

#[derive(Subcommand)]
enum MediaCommand {
    /// Remove uploads nobody posted and shrink the remote cache to its budget (the daily
    /// upkeep does this too).
    Prune,
    /// Copy every local media file to the S3 bucket of the storage.s3_* settings. Files
    /// already there are skipped, so an interrupted copy can be run again. Then set
    /// storage.backend = "s3".
    MigrateToS3,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a local user. Without --password-stdin a random password is made and printed.
    Create {
        name: String,
        #[arg(long)]
        email: String,
        /// Read the password from standard input (first line).
        #[arg(long)]
        password_stdin: bool,
        #[arg(long, default_value = "user")]
        role: Role,
    },
    /// List local users.
    List {
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Show one user.
    Show { name: String },
    /// Set a user's password (read from standard input) and sign them out everywhere.
    SetPassword {
        name: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Print a single-use link (valid two hours) where the user chooses a new password;
    /// using it signs them out everywhere.
    ResetPassword { name: String },
    /// Turn a user's two-factor sign-in off (they lost their app and recovery codes).
    #[command(name = "disable-2fa")]
    DisableTwoFactor { name: String },
    /// Make a user an admin, a moderator or a plain user.
    SetRole { name: String, role: Role },
    /// Put a moderation tag (mrf_tag:sandbox, mrf_tag:media-strip…) on a local or known
    /// remote account (`name` or `name@domain`); the Tag policy acts on it.
    Tag { account: String, tag: String },
    /// Take a moderation tag off an account.
    Untag { account: String, tag: String },
    /// Stop a user from signing in; their tokens stop working.
    Suspend { name: String },
    /// Lift a suspension.
    Unsuspend { name: String },
    /// Delete a user and everything they own.
    Delete { name: String },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Print a new access token for NAME (only the token goes to stdout).
    Create {
        name: String,
        #[arg(long, default_value = "read write follow push")]
        scopes: String,
    },
}

#[derive(Subcommand)]
enum JobsCommand {
    /// List jobs, newest first.
    List {
        /// queued, running, done or failed.
        #[arg(long)]
        state: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Put a failed job back in the queue.
    Retry { id: String },
    /// Counts by state.
    Stats,
    /// Queue diagnostic jobs and, with --wait, report which workers ran them.
    Probe {
        #[arg(long, default_value_t = 1)]
        count: u32,
        /// How long each probe job takes.
        #[arg(long, default_value_t = 0)]
        sleep_ms: u64,
        /// Fail this many first attempts of each probe (to watch retries).
        #[arg(long, default_value_t = 0)]
        fail_attempts: i32,
        /// Wait up to this many seconds for the probes to finish.
        #[arg(long)]
        wait: Option<u64>,
    },
}

#[derive(Subcommand)]
enum SearchCommand {
    /// Rebuild the index of every status (with a progress bar on a terminal).
    Reindex,
}

#[derive(Subcommand)]
enum DomainCommand {
    /// Block a domain (`example.org`, `*.example.org` or `host:port`), or change its block.
    Block {
        domain: String,
        /// suspend (refuse everything), silence (off the federated timeline) or noop.
        #[arg(long, default_value = "suspend")]
        severity: String,
        /// Remove media from its posts.
        #[arg(long)]
        reject_media: bool,
        /// Drop its reports.
        #[arg(long)]
        reject_reports: bool,
        /// Publish the domain partly hidden.
        #[arg(long)]
        obfuscate: bool,
        /// Shown to the public.
        #[arg(long, default_value = "")]
        reason: String,
        /// Seen by moderators only.
        #[arg(long, default_value = "")]
        private_comment: String,
    },
    /// Lift a domain block.
    Unblock { domain: String },
    /// List domain blocks.
    List,
    /// Allow a domain: once any domain is allowed, only allowed domains federate.
    Allow { domain: String },
    /// Remove a domain from the allow list.
    Disallow { domain: String },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// The policies in force, with the domain blocks merged in (JSON).
    Show,
    /// Replay the kept incoming activities through the `[mrf]` section of another
    /// configuration file and report what it would reject or rewrite. Changes nothing.
    Test {
        /// A configuration file whose `[mrf]` section is the proposed chain.
        #[arg(long)]
        config: std::path::PathBuf,
    },
    /// Put the `[mrf]` section of a configuration file in force for every process.
    Apply {
        #[arg(long)]
        config: std::path::PathBuf,
    },
    /// Go back to the policies of the running configuration file.
    Reset,
}

#[derive(Subcommand)]
enum InviteCommand {
    /// Create an invite code.
    Create {
        /// How many sign-ups it allows (unlimited when absent).
        #[arg(long)]
        max_uses: Option<i64>,
        /// How many hours it stays valid (forever when absent).
        #[arg(long)]
        hours: Option<u64>,
    },
}

#[derive(Subcommand)]
enum SettingsCommand {
    /// Show every run-time setting and where its value comes from.
    List,
    /// Change a setting for every process (VALUE is JSON, or plain text for text settings).
    Set { key: String, value: String },
    /// Go back to the configured value.
    Reset { key: String },
}

#[derive(Subcommand)]
pub enum DbCommand {
    /// Bring the schema up to date (serve does this too).
    Migrate,
    /// Write a consistent copy of the SQLite database while the server runs.
    Backup { path: PathBuf },
}

pub async fn run_db(loaded: Loaded, command: DbCommand) -> anyhow::Result<()> {
    let config = &loaded.config;
    match command {
        DbCommand::Migrate => {
            open_store(config).await?;
            eprintln!("database is at schema version {}", Store::schema_version());
        }
        DbCommand::Backup { path } => {
            if !config.uses_sqlite() {
                bail!("PostgreSQL databases are backed up with pg_dump (see the README)");
            }
            let store = open_store(config).await?;
            store
                .backup_sqlite(&path)
                .await
                .with_context(|| format!("backup to {}", path.display()))?;
            eprintln!("backup written to {}", path.display());
        }
    }
    Ok(())
}

fn read_password_from_stdin() -> anyhow::Result<String> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("reading the password from stdin")?;
    let password = input.lines().next().unwrap_or("").to_owned();
    Ok(password)
}

fn user_json(user: &LocalUser) -> Value {
    json!({
        "id": user.account.id,
        "username": user.account.username,
        "email": user.email,
        "role": user.role.as_str(),
        "approved": user.approved,
        "suspended": user.account.suspended_at.is_some(),
        "created_at": user.created_at.to_rfc3339(),
        "last_sign_in_at": user.last_sign_in_at.map(|t| t.to_rfc3339()),
        "uri": user.account.uri,
    })
}

fn user_line(user: &LocalUser) -> String {
    let mut flags = Vec::new();
    if user.account.suspended_at.is_some() {
        flags.push("suspended");
    }
    if !user.approved {
        flags.push("awaiting approval");
    }
    format!(
        "{:<30} {:<10} {:<40} {}",
        user.account.username,
        user.role.as_str(),
        user.email,
        flags.join(", ")
    )
}

fn job_json(job: &Job) -> Value {
    json!({
        "id": job.id,
        "kind": job.kind,
        "state": job.state.as_str(),
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "run_at": job.run_at.to_rfc3339(),
        "last_error": job.last_error,
        "worker": job.locked_by,
        "created_at": job.created_at.to_rfc3339(),
        "finished_at": job.finished_at.map(|t| t.to_rfc3339()),
        "payload": serde_json::from_str::<Value>(&job.payload).unwrap_or(Value::Null),
    })
}

pub(crate) struct Output {
    json: bool,
}

impl Output {
    /// Prints `value` as JSON, or `text` for people.
    pub(crate) fn show(&self, value: Value, text: impl FnOnce() -> String) {
        if self.json {
            println!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
        } else {
            println!("{}", text());
        }
    }
}

pub async fn run(loaded: Loaded, args: AdminArgs) -> anyhow::Result<()> {
    let core = open_core(&loaded.config, &loaded.from_env).await?;
    let out = Output { json: args.json };
    let result = match args.command {
        AdminCommand::User { command } => user(&core, &out, command).await,
        AdminCommand::Token { command } => token(&core, command).await,
        AdminCommand::Jobs { command } => jobs(&core, &out, command).await,
        AdminCommand::Settings { command } => settings(&core, &out, command).await,
        AdminCommand::Domain { command } => domain(&core, &out, command).await,
        AdminCommand::Policy { command } => policy(&core, &out, command).await,
        AdminCommand::Search {
            command: SearchCommand::Reindex,
        } => reindex(&core, &out).await,
        AdminCommand::Invite { command } => invite(&core, &out, command).await,
        AdminCommand::Emoji { command } => emoji(&core, &out, command).await,
        AdminCommand::Media { command } => media(&core, &loaded.config, &out, command).await,
        AdminCommand::Announcement { command } => announcement(&core, &out, command).await,
        AdminCommand::ExportUser { name, out: dir } => {
            crate::admin_data::export_user(&core, &out, &name, &dir).await
        }
        AdminCommand::Imports { command } => crate::admin_data::imports(&core, &out, command).await,
        AdminCommand::Prune {
            dry_run,
            older_than_days,
        } => prune(&core, &out, dry_run, older_than_days).await,
    };
    core.store.close().await;
    result
}

async fn user(core: &Core, out: &Output, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Create {
            name,
            email,
            password_stdin,
            role,
        } => {
            let (password, generated) = if password_stdin {
                (read_password_from_stdin()?, false)
            } else {
                (random_token(18), true)
            };
            let user = core
                .create_user(NewUser {
                    username: name,
                    email,
                    password: password.clone(),
                    role,
                    approved: true,
                    registration_reason: None,
                    locale: "en".into(),
                    invite_code: None,
                    email_unconfirmed: false,
                })
                .await?;
            let mut value = user_json(&user);
            if generated {
                value["password"] = json!(password);
            }
            out.show(value, || {
                let mut text = format!("created {} ({})", user.account.username, user.role);
                if generated {
                    text.push_str(&format!("\npassword: {password}"));
                }
                text
            });
        }
        UserCommand::List { limit } => {
            let page = core
                .store
                .list_local_users(&PageRequest::first(limit.clamp(1, 10_000)))
                .await?;
            out.show(
                Value::Array(page.items.iter().map(user_json).collect()),
                || {
                    page.items
                        .iter()
                        .map(user_line)
                        .collect::<Vec<_>>()
                        .join("\n")
                },
            );
        }
        UserCommand::Show { name } => {
            let user = core.local_user_named(&name).await?;
            out.show(user_json(&user), || {
                format!(
                    "username: {}\nid: {}\nemail: {}\nrole: {}\napproved: {}\nsuspended: {}\ncreated: {}\nactor: {}",
                    user.account.username,
                    user.account.id,
                    user.email,
                    user.role,
                    user.approved,
                    user.account.suspended_at.is_some(),
                    user.created_at,
                    user.account.uri
                )
            });
        }
        UserCommand::SetPassword { name, .. } => {
            core.set_password(&name, read_password_from_stdin()?)
                .await?;
            out.show(
                json!({ "username": name, "password_changed": true }),
                || format!("password changed for {name}; their sessions were signed out"),
            );
        }
        UserCommand::ResetPassword { name } => {
            let link = core.password_reset_link(&name).await?;
            out.show(json!({ "username": name, "reset_link": link }), || {
                link.clone()
            });
        }
        UserCommand::DisableTwoFactor { name } => {
            let disabled = core.admin_disable_two_factor(&name).await?;
            out.show(
                json!({ "username": name, "two_factor_disabled": disabled }),
                || {
                    if disabled {
                        format!("two-factor sign-in is off for {name}")
                    } else {
                        format!("{name} had no two-factor sign-in")
                    }
                },
            );
        }
        UserCommand::SetRole { name, role } => {
            let user = core.set_role(&name, role).await?;
            out.show(user_json(&user), || {
                format!("{} is now {}", user.account.username, user.role)
            });
        }
        UserCommand::Tag { account, tag } => {
            let found = core.resolve_acct(&account).await?;
            core.tag_account(found.id, &tag).await?;
            let tags = core.account_tags(found.id).await?;
            out.show(json!({ "account": account, "tags": tags }), || {
                format!("{account}: {}", tags.join(", "))
            });
        }
        UserCommand::Untag { account, tag } => {
            let found = core.resolve_acct(&account).await?;
            if !core.untag_account(found.id, &tag).await? {
                bail!("{account} has no tag {tag}");
            }
            let tags = core.account_tags(found.id).await?;
            out.show(json!({ "account": account, "tags": tags }), || {
                format!("{account}: {}", tags.join(", "))
            });
        }
        UserCommand::Suspend { name } => {
            let user = core.suspend(&name).await?;
            out.show(user_json(&user), || {
                format!("{} is suspended", user.account.username)
            });
        }
        UserCommand::Unsuspend { name } => {
            let user = core.unsuspend(&name).await?;
            out.show(user_json(&user), || {
                format!("{} may sign in again", user.account.username)
            });
        }
        UserCommand::Delete { name } => {
            core.delete_user(&name).await?;
            out.show(json!({ "username": name, "deleted": true }), || {
                format!("{name} deleted")
            });
        }
    }
    Ok(())
}

async fn token(core: &Core, command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create { name, scopes } => {
            let scopes = Scopes::parse(&scopes).context("--scopes")?;
            let user = core.local_user_named(&name).await?;
            let issued = core
                .issue_token(Some(user.account.id), None, scopes, false)
                .await?;
            eprintln!(
                "token for {} with scopes: {}",
                user.account.username, issued.scopes
            );
            println!("{}", issued.access_token);
        }
    }
    Ok(())
}

async fn jobs(core: &Core, out: &Output, command: JobsCommand) -> anyhow::Result<()> {
    match command {
        JobsCommand::List { state, limit } => {
            let state = state.map(|s| s.parse::<JobState>()).transpose()?;
            let page = core
                .store
                .list_jobs(state, &PageRequest::first(limit.clamp(1, 10_000)))
                .await?;
            out.show(
                Value::Array(page.items.iter().map(job_json).collect()),
                || {
                    page.items
                        .iter()
                        .map(|job| {
                            format!(
                                "{:<20} {:<16} {:<8} attempts {}/{}  {}",
                                job.id,
                                job.kind,
                                job.state.as_str(),
                                job.attempts,
                                job.max_attempts,
                                job.last_error.as_deref().unwrap_or("")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                },
            );
        }
        JobsCommand::Retry { id } => {
            let id: Id = id.parse()?;
            if !core.store.retry_job(id, core.clock.now()).await? {
                bail!("job {id} is not a failed job");
            }
            out.show(json!({ "id": id, "state": "queued" }), || {
                format!("job {id} queued again")
            });
        }
        JobsCommand::Stats => {
            let counts = core.store.job_counts().await?;
            out.show(
                json!({
                    "queued": counts.queued,
                    "running": counts.running,
                    "done": counts.done,
                    "failed": counts.failed,
                }),
                || {
                    format!(
                        "queued {}\nrunning {}\ndone {}\nfailed {}",
                        counts.queued, counts.running, counts.done, counts.failed
                    )
                },
            );
        }
        JobsCommand::Probe {
            count,
            sleep_ms,
            fail_attempts,
            wait,
        } => {
            let mut ids = Vec::new();
            for _ in 0..count.min(100_000) {
                ids.push(
                    core.enqueue(
                        PROBE,
                        &ProbePayload {
                            sleep_ms,
                            fail_attempts,
                        },
                        None,
                    )
                    .await?,
                );
            }
            eprintln!("queued {} probe job(s)", ids.len());
            let Some(wait) = wait else {
                out.show(json!({ "queued": ids }), || {
                    ids.iter().map(Id::to_string).collect::<Vec<_>>().join("\n")
                });
                return Ok(());
            };
            let deadline = Instant::now() + Duration::from_secs(wait);
            let mut jobs = Vec::new();
            loop {
                jobs.clear();
                for id in &ids {
                    if let Some(job) = core.store.job(*id).await? {
                        jobs.push(job);
                    }
                }
                let finished = jobs
                    .iter()
                    .filter(|j| matches!(j.state, JobState::Done | JobState::Failed))
                    .count();
                if finished == ids.len() || Instant::now() >= deadline {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let done = jobs.iter().filter(|j| j.state == JobState::Done).count();
            out.show(Value::Array(jobs.iter().map(job_json).collect()), || {
                format!("{done} of {} probe job(s) done", ids.len())
            });
            if done < ids.len() {
                bail!(
                    "{} probe job(s) did not finish in {wait}s: is a server running?",
                    ids.len() - done
                );
            }
        }
    }
    Ok(())
}

/// A progress bar on stderr, hidden unless it is a terminal, so that scripts see only the
/// result.
fn progress_bar(what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{{bar:40}} {{pos}}/{{len}} {what} ({{eta}} left)"
        ))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar
}

async fn media(
    core: &Core,
    config: &crate::config::Config,
    out: &Output,
    command: MediaCommand,
) -> anyhow::Result<()> {
    match command {
        MediaCommand::Prune => {
            let uploads = core.prune_unattached_media().await?;
            let bar = progress_bar("cached files");
            let report = core
                .prune_media_cache(&|done, total| {
                    bar.set_length(total);
                    bar.set_position(done);
                })
                .await?;
            bar.finish_and_clear();
            out.show(
                json!({
                    "unposted_uploads_removed": uploads,
                    "cached_files_removed": report.files,
                    "cached_bytes_removed": report.bytes,
                    "cached_files_left": report.files_left,
                    "cached_bytes_left": report.bytes_left,
                }),
                || {
                    format!(
                        "{uploads} unposted upload(s) removed; remote cache: {} file(s) \
                         ({} MB) removed, {} file(s) ({} MB) left",
                        report.files,
                        report.bytes / (1024 * 1024),
                        report.files_left,
                        report.bytes_left / (1024 * 1024)
                    )
                },
            );
        }
        MediaCommand::MigrateToS3 => {
            let Some(s3) = config.s3_backend() else {
                bail!(
                    "set storage.s3_bucket, storage.s3_access_key_id and \
                     storage.s3_secret_access_key (and storage.s3_endpoint) first"
                );
            };
            let local = rhizome_core::media::storage::MediaStorage::open(
                rhizome_core::media::storage::StorageBackend::Local {
                    dir: config.storage.data_dir.join("media"),
                },
            )?;
            let target = rhizome_core::media::storage::MediaStorage::open(s3)?;
            let bar = progress_bar("files");
            let copied = rhizome_core::media::storage::copy_all(&local, &target, &|done, total| {
                bar.set_length(total);
                bar.set_position(done);
            })
            .await?;
            bar.finish_and_clear();
            out.show(
                json!({ "copied": copied.copied, "already_there": copied.skipped }),
                || {
                    format!(
                        "{} file(s) copied, {} already in the bucket; now set \
                         storage.backend = \"s3\" and restart",
                        copied.copied, copied.skipped
                    )
                },
            );
        }
    }
    Ok(())
}

async fn emoji(core: &Core, out: &Output, command: EmojiCommand) -> anyhow::Result<()> {
    let shown = |e: &rhizome_store::CustomEmoji| json!({ "shortcode": e.shortcode, "url": e.url, "category": e.category });
    match command {
        EmojiCommand::Add {
            shortcode,
            file,
            category,
        } => {
            let meta = std::fs::metadata(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            if meta.len() > rhizome_core::emoji::MAX_EMOJI_BYTES as u64 {
                bail!("{} is larger than 256 KB", file.display());
            }
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let emoji = core.add_custom_emoji(&shortcode, bytes, category).await?;
            out.show(shown(&emoji), || format!(":{}: added", emoji.shortcode));
        }
        EmojiCommand::List => {
            let emojis = core.custom_emojis().await?;
            out.show(Value::Array(emojis.iter().map(shown).collect()), || {
                emojis
                    .iter()
                    .map(|e| format!(":{}:\t{}", e.shortcode, e.url))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        EmojiCommand::Remove { shortcode } => {
            core.remove_custom_emoji(&shortcode)
                .await
                .with_context(|| format!(":{shortcode}: is not a custom emoji here"))?;
            out.show(json!({ "removed": shortcode }), || {
                format!(":{shortcode}: removed")
            });
        }
    }
    Ok(())
}

/// A time given on the command line: RFC 3339, or a date (its midnight, UTC).
fn parse_time(text: &str) -> anyhow::Result<rhizome_model::Timestamp> {
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(rhizome_model::Timestamp(time.timestamp_millis()));
    }
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .with_context(|| format!("{text:?} is neither an RFC 3339 time nor a YYYY-MM-DD date"))?;
    Ok(rhizome_model::Timestamp(
        date.and_time(chrono::NaiveTime::MIN)
            .and_utc()
            .timestamp_millis(),
    ))
}

async fn announcement(
    core: &Core,
    out: &Output,
    command: AnnouncementCommand,
) -> anyhow::Result<()> {
    let shown = |a: &rhizome_store::Announcement| {
        json!({
            "id": a.id,
            "text": a.text,
            "content": a.content,
            "starts_at": a.starts_at.map(|t| t.to_rfc3339()),
            "ends_at": a.ends_at.map(|t| t.to_rfc3339()),
            "all_day": a.all_day,
            "published_at": a.published_at.to_rfc3339(),
            "updated_at": a.updated_at.to_rfc3339(),
        })
    };
    match command {
        AnnouncementCommand::Create {
            text,
            starts_at,
            ends_at,
            all_day,
        } => {
            let created = core
                .create_announcement(rhizome_core::announcements::NewAnnouncement {
                    text,
                    starts_at: starts_at.as_deref().map(parse_time).transpose()?,
                    ends_at: ends_at.as_deref().map(parse_time).transpose()?,
                    all_day,
                })
                .await?;
            out.show(shown(&created), || {
                format!("announcement {} published", created.id)
            });
        }
        AnnouncementCommand::Edit {
            id,
            text,
            starts_at,
            ends_at,
            all_day,
            no_dates,
        } => {
            let parsed: Id = id
                .parse()
                .ok()
                .with_context(|| format!("{id:?} is not an announcement id"))?;
            let time = |given: Option<String>| -> anyhow::Result<Option<Option<_>>> {
                match given {
                    _ if no_dates => Ok(Some(None)),
                    Some(text) => Ok(Some(Some(parse_time(&text)?))),
                    None => Ok(None),
                }
            };
            let edited = core
                .edit_announcement(
                    parsed,
                    rhizome_core::announcements::AnnouncementEdit {
                        text,
                        starts_at: time(starts_at)?,
                        ends_at: time(ends_at)?,
                        all_day,
                    },
                )
                .await?;
            out.show(shown(&edited), || format!("announcement {id} updated"));
        }
        AnnouncementCommand::List => {
            let all = core.all_announcements().await?;
            out.show(Value::Array(all.iter().map(shown).collect()), || {
                all.iter()
                    .map(|a| {
                        let ends = a
                            .ends_at
                            .map(|t| format!(" (until {t})"))
                            .unwrap_or_default();
                        format!("{}\t{}{ends}", a.id, a.text)
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        AnnouncementCommand::Remove { id } => {
            let parsed: Id = id
                .parse()
                .ok()
                .with_context(|| format!("{id:?} is not an announcement id"))?;
            core.remove_announcement(parsed)
                .await
                .with_context(|| format!("there is no announcement {id}"))?;
            out.show(json!({ "removed": id }), || {
                format!("announcement {id} removed")
            });
        }
    }
    Ok(())
}

async fn prune(
    core: &Core,
    out: &Output,
    dry_run: bool,
    older_than_days: Option<u64>,
) -> anyhow::Result<()> {
    let days = older_than_days.unwrap_or(core.config.remote_post_retention_days);
    if older_than_days.is_none() && days == 0 {
        bail!("federation.remote_post_retention_days is 0 (keep for ever): nothing to do");
    }
    let bar = progress_bar("remote posts");
    let report = core
        .prune_remote_posts(days, dry_run, &|done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await?;
    bar.finish_and_clear();
    out.show(
        json!({ "dry_run": dry_run, "statuses": report.statuses, "older_than_days": days }),
        || {
            if dry_run {
                format!(
                    "{} remote post(s) older than {days} day(s) would be removed",
                    report.statuses
                )
            } else {
                format!(
                    "{} remote post(s) older than {days} day(s) removed",
                    report.statuses
                )
            }
        },
    );
    Ok(())
}

async fn reindex(core: &Core, out: &Output) -> anyhow::Result<()> {
    let bar = progress_bar("statuses");
    let done = core
        .reindex_search(|done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await?;
    bar.finish_and_clear();
    out.show(json!({ "indexed": done }), || {
        format!("{done} statuses indexed")
    });
    Ok(())
}

async fn domain(core: &Core, out: &Output, command: DomainCommand) -> anyhow::Result<()> {
    match command {
        DomainCommand::Block {
            domain,
            severity,
            reject_media,
            reject_reports,
            obfuscate,
            reason,
            private_comment,
        } => {
            let block = core
                .block_instance_domain(&DomainBlockRequest {
                    domain,
                    severity,
                    reject_media,
                    reject_reports,
                    obfuscate,
                    public_comment: reason,
                    private_comment,
                })
                .await?;
            out.show(
                json!({ "id": block.id.to_string(), "domain": block.domain, "severity": block.severity }),
                || format!("{} blocked ({})", block.domain, block.severity),
            );
        }
        DomainCommand::Allow { domain } => {
            let allow = core.allow_instance_domain(&domain).await?;
            out.show(
                json!({ "id": allow.id.to_string(), "domain": allow.domain }),
                || format!("{} allowed", allow.domain),
            );
        }
        DomainCommand::Disallow { domain } => {
            let domain = domain.trim().to_ascii_lowercase();
            let Some(allow) = core
                .instance_domain_allows()
                .await?
                .into_iter()
                .find(|a| a.domain == domain)
            else {
                bail!("{domain} was not allowed");
            };
            core.remove_domain_allow(allow.id).await?;
            out.show(json!({ "domain": domain, "allowed": false }), || {
                format!("{domain} no longer allowed")
            });
        }
        DomainCommand::Unblock { domain } => {
            if !core.unblock_instance_domain(&domain).await? {
                bail!("{domain} was not blocked");
            }
            out.show(json!({ "domain": domain, "blocked": false }), || {
                format!("{domain} unblocked")
            });
        }
        DomainCommand::List => {
            let blocks = core.instance_domain_blocks().await?;
            let rows: Vec<Value> = blocks
                .iter()
                .map(|b| json!({ "domain": b.domain, "severity": b.severity, "reason": b.public_comment }))
                .collect();
            out.show(Value::Array(rows), || {
                blocks
                    .iter()
                    .map(|b| format!("{:<40} {:<10} {}", b.domain, b.severity, b.public_comment))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    Ok(())
}

/// Reads the `[mrf]` section of a configuration file (the rest of the file is not used).
fn read_mrf_section(path: &std::path::Path) -> anyhow::Result<MrfConfig> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let table: toml::Table =
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let section = table
        .get("mrf")
        .cloned()
        .unwrap_or_else(|| toml::Value::Table(toml::Table::new()));
    serde_path_to_error::deserialize(section)
        .map_err(|e| anyhow::anyhow!("{}: mrf.{}: {}", path.display(), e.path(), e.inner()))
}

async fn policy(core: &Core, out: &Output, command: PolicyCommand) -> anyhow::Result<()> {
    match command {
        PolicyCommand::Show => {
            let config = core.effective_mrf().await?;
            let (_, stored) = core.mrf_config().await?;
            println!(
                "{}",
                serde_json::to_string_pretty(&json!({ "stored": stored, "mrf": config }))?
            );
        }
        PolicyCommand::Test { config } => {
            let proposed = read_mrf_section(&config)?;
            let report = core.policy_dry_run(&proposed).await?;
            out.show(serde_json::to_value(&report)?, || {
                let mut lines = vec![format!(
                    "{} activities replayed: {} accepted unchanged, {} rejected, {} rewritten ({} differ from the policies in force)",
                    report.examined,
                    report.accepted,
                    report.rejected.len(),
                    report.rewritten.len(),
                    report.changed_from_current
                )];
                for entry in &report.rejected {
                    lines.push(format!(
                        "rejected  {} {} by {}: {}",
                        entry.kind.as_deref().unwrap_or("?"),
                        entry.activity_id.as_deref().unwrap_or("-"),
                        entry.policy.as_deref().unwrap_or("?"),
                        entry.reason.as_deref().unwrap_or("")
                    ));
                }
                for entry in &report.rewritten {
                    let changes: Vec<String> = entry
                        .rewrites
                        .iter()
                        .map(|r| format!("{}: {}", r.policy, r.change))
                        .collect();
                    lines.push(format!(
                        "rewritten {} {}: {}",
                        entry.kind.as_deref().unwrap_or("?"),
                        entry.activity_id.as_deref().unwrap_or("-"),
                        changes.join("; ")
                    ));
                }
                lines.join("\n")
            });
        }
        PolicyCommand::Apply { config } => {
            let proposed = read_mrf_section(&config)?;
            core.set_mrf_config(&proposed).await?;
            out.show(json!({ "applied": true }), || "policies applied".into());
        }
        PolicyCommand::Reset => {
            core.reset_mrf_config().await?;
            out.show(json!({ "reset": true }), || {
                "policies reset to the configuration file".into()
            });
        }
    }
    Ok(())
}

async fn invite(core: &Core, out: &Output, command: InviteCommand) -> anyhow::Result<()> {
    match command {
        InviteCommand::Create { max_uses, hours } => {
            let code = core
                .create_invite(None, max_uses, hours.map(|h| Duration::from_secs(h * 3600)))
                .await?;
            out.show(json!({ "code": code }), || code.clone());
        }
    }
    Ok(())
}

async fn settings(core: &Core, out: &Output, command: SettingsCommand) -> anyhow::Result<()> {
    match command {
        SettingsCommand::List => {}
        SettingsCommand::Set { key, value } => {
            let parsed = serde_json::from_str::<Value>(&value).unwrap_or(Value::String(value));
            core.change_setting(&key, parsed).await?;
        }
        SettingsCommand::Reset { key } => core.reset_setting(&key).await?,
    }
    let settings = core.settings().await?;
    let source_of = |key: &str| {
        settings
            .sources
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, source)| match source {
                rhizome_core::settings::Source::Config => "config",
                rhizome_core::settings::Source::Database => "database",
                rhizome_core::settings::Source::Environment => "environment (pinned)",
            })
            .unwrap_or("config")
    };
    use rhizome_core::settings as keys;
    let rows = [
        (keys::INSTANCE_NAME, json!(settings.name)),
        (keys::INSTANCE_DESCRIPTION, json!(settings.description)),
        (keys::CONTACT_EMAIL, json!(settings.contact_email)),
        (
            keys::REGISTRATIONS_MODE,
            json!(settings.registrations.as_str()),
        ),
        (keys::RULES, json!(settings.rules)),
    ];
    let value: Value = rows
        .iter()
        .map(|(key, value)| {
            (
                key.to_string(),
                json!({ "value": value, "source": source_of(key) }),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into();
    out.show(value, || {
        rows.iter()
            .map(|(key, value)| format!("{key:<24} {value}  ({})", source_of(key)))
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}
