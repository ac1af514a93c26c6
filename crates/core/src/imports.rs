//! Imports of Mastodon's CSV exports (and of Akkoma's lists of addresses): follows, blocks,
//! mutes, blocked domains, bookmarks and lists.
//!
//! A file is read whole in the request, bounded in size and rows, and stored as an import
//! with one row per line, each in its own state (pending, done, failed), together with the
//! job that applies them. The job applies pending rows in file order through the same
//! actions the API uses (a follow is federated as usual) and records each outcome as soon as
//! the row is applied. It works in slices of its lease: when its time is up it puts itself
//! back in the queue, and a crash leaves it to be claimed again once its lease ends; either
//! way it resumes at the first pending row. A row cut short by a crash is applied again,
//! which the actions allow (each is idempotent); a row recorded as done never is. In
//! overwrite mode, what the file does not hold is removed only after every row is applied.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use rhizome_model::{Account, Id, LocalUser};
use rhizome_store::{
    FollowTable, Import, ImportKind, ImportProgress, ImportRow, ImportState, Mark, NewImportRow,
    NewJob, Page, PageRequest, RowState,
};
use serde::{Deserialize, Serialize};

use crate::jobs::{DEFAULT_MAX_ATTEMPTS, JobError};
use crate::social::FollowOptions;
use crate::{Core, CoreError};

/// The job that applies an import's rows.
pub const PROCESS_IMPORT: &str = "process_import";
/// The largest file accepted.
pub const MAX_IMPORT_BYTES: usize = 4 * 1024 * 1024;
/// The most rows one file may hold (Mastodon's limit).
pub const MAX_IMPORT_ROWS: usize = 20_000;
/// Imports of one user in progress at once.
const MAX_UNFINISHED_IMPORTS: i64 = 5;
/// Rows read from the database at a time.
const BATCH_ROWS: u32 = 20;
/// The longest list title (as the lists API allows).
const MAX_LIST_TITLE_CHARS: usize = 100;

#[derive(Debug, Serialize, Deserialize)]
pub struct ProcessImport {
    pub import_id: Id,
}

/// One row as understood, stored as JSON with the row; which fields are set depends on the
/// import's kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RowData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acct: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_reblogs: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hide_notifications: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<String>,
}

/// A line of the file: what it said, and what it means or why it cannot be used.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedRow {
    pub source: String,
    pub data: Result<RowData, String>,
}

/// An import with how far it has come.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportView {
    pub import: Import,
    pub progress: ImportProgress,
}

// Mastodon's column names.
const ACCOUNT_ADDRESS: &str = "Account address";
const SHOW_BOOSTS: &str = "Show boosts";
const NOTIFY: &str = "Notify on new posts";
const HIDE_NOTIFICATIONS: &str = "Hide notifications";
const DOMAIN: &str = "#domain";
const URI: &str = "#uri";
const LIST_NAME: &str = "List name";

/// A first line starting with one of these is a header line; otherwise the file has none
/// and its columns are the kind's defaults (Mastodon's blocks, domains, bookmarks and lists
/// exports have no header).
const KNOWN_FIRST_HEADERS: [&str; 4] = [ACCOUNT_ADDRESS, DOMAIN, URI, LIST_NAME];

fn default_headers(kind: ImportKind) -> &'static [&'static str] {
    match kind {
        ImportKind::Following | ImportKind::Blocking | ImportKind::Muting => &[ACCOUNT_ADDRESS],
        ImportKind::DomainBlocking => &[DOMAIN],
        ImportKind::Bookmarks => &[URI],
        ImportKind::Lists => &[LIST_NAME, ACCOUNT_ADDRESS],
    }
}

fn too_large() -> CoreError {
    CoreError::invalid(format!(
        "the file is larger than {} MB",
        MAX_IMPORT_BYTES / (1024 * 1024)
    ))
}

fn too_many_rows() -> CoreError {
    CoreError::invalid(format!(
        "the file has more than {MAX_IMPORT_ROWS} rows; split it"
    ))
}

/// Reads a CSV file of `kind` in Mastodon's format (with or without its header line).
/// Errors that make the whole file unusable fail; a bad line becomes a failed row.
pub fn parse_csv(kind: ImportKind, bytes: &[u8]) -> Result<Vec<ParsedRow>, CoreError> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(too_large());
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for record in reader.byte_records() {
        let record =
            record.map_err(|e| CoreError::invalid(format!("this is not a CSV file: {e}")))?;
        let fields: Option<Vec<String>> = record
            .iter()
            .map(|field| std::str::from_utf8(field).ok().map(|s| s.trim().to_owned()))
            .collect();
        if fields
            .as_ref()
            .is_some_and(|fields| fields.iter().all(String::is_empty))
        {
            continue;
        }
        if headers.is_none() {
            let first_is_header = fields
                .as_ref()
                .and_then(|fields| fields.first())
                .is_some_and(|first| KNOWN_FIRST_HEADERS.contains(&first.as_str()));
            let found: Vec<String> = match (&fields, first_is_header) {
                (Some(fields), true) => fields.clone(),
                _ => default_headers(kind)
                    .iter()
                    .map(|h| h.to_string())
                    .collect(),
            };
            if let Some(missing) = default_headers(kind)
                .iter()
                .find(|wanted| !found.iter().any(|h| h == *wanted))
            {
                return Err(CoreError::invalid(format!(
                    "this file does not look like a {} export: it has no {missing:?} column",
                    kind.as_str()
                )));
            }
            headers = Some(found);
            if first_is_header {
                continue;
            }
        }
        let headers = headers.as_deref().unwrap_or_default();
        if rows.len() >= MAX_IMPORT_ROWS {
            return Err(too_many_rows());
        }
        rows.push(match fields {
            Some(fields) => ParsedRow {
                source: csv_line(&fields),
                data: row_data(kind, headers, &fields),
            },
            None => ParsedRow {
                source: String::from_utf8_lossy(record.as_slice()).into_owned(),
                data: Err("the line is not UTF-8 text".into()),
            },
        });
    }
    if rows.is_empty() {
        return Err(CoreError::invalid("the file has no rows"));
    }
    Ok(rows)
}

/// Reads Akkoma's `list`: addresses one per line for follows (the first column of each
/// line, so Mastodon's CSV works too), separated by any white space for blocks and mutes.
pub fn parse_handles(kind: ImportKind, text: &str) -> Result<Vec<ParsedRow>, CoreError> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err(too_large());
    }
    let handles: Vec<&str> = match kind {
        ImportKind::Following => text
            .lines()
            .map(|line| line.split(',').next().unwrap_or("").trim())
            .filter(|handle| *handle != ACCOUNT_ADDRESS && !handle.is_empty())
            .collect(),
        _ => text.split_whitespace().collect(),
    };
    if handles.len() > MAX_IMPORT_ROWS {
        return Err(too_many_rows());
    }
    Ok(handles
        .into_iter()
        .map(|handle| ParsedRow {
            source: handle.to_owned(),
            data: account_address(Some(handle)).map(|acct| RowData {
                acct: Some(acct),
                ..RowData::default()
            }),
        })
        .collect())
}

/// Cells joined back into one CSV line, for showing a failed row as it was.
fn csv_line(fields: &[String]) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    if writer.write_record(fields).is_err() {
        return fields.join(",");
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).trim_end().to_owned()
}

fn row_data(kind: ImportKind, headers: &[String], fields: &[String]) -> Result<RowData, String> {
    let cell = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .and_then(|i| fields.get(i))
            .map(String::as_str)
    };
    let mut data = RowData::default();
    match kind {
        ImportKind::Following => {
            data.acct = Some(account_address(cell(ACCOUNT_ADDRESS))?);
            data.show_reblogs = boolean(cell(SHOW_BOOSTS), SHOW_BOOSTS)?;
            data.notify = boolean(cell(NOTIFY), NOTIFY)?;
        }
        ImportKind::Blocking => data.acct = Some(account_address(cell(ACCOUNT_ADDRESS))?),
        ImportKind::Muting => {
            data.acct = Some(account_address(cell(ACCOUNT_ADDRESS))?);
            data.hide_notifications = boolean(cell(HIDE_NOTIFICATIONS), HIDE_NOTIFICATIONS)?;
        }
        ImportKind::DomainBlocking => {
            let domain = cell(DOMAIN).unwrap_or("").to_lowercase();
            if domain.is_empty() || domain.contains(char::is_whitespace) {
                return Err(format!("{domain:?} is not a domain"));
            }
            data.domain = Some(domain);
        }
        ImportKind::Bookmarks => {
            let uri = cell(URI).unwrap_or("");
            match url::Url::parse(uri) {
                Ok(url) if matches!(url.scheme(), "http" | "https") => {}
                _ => return Err(format!("{uri:?} is not the address of a post")),
            }
            data.uri = Some(uri.to_owned());
        }
        ImportKind::Lists => {
            let title = cell(LIST_NAME).unwrap_or("");
            if title.is_empty() || title.chars().count() > MAX_LIST_TITLE_CHARS {
                return Err(format!(
                    "a list name must have 1 to {MAX_LIST_TITLE_CHARS} characters"
                ));
            }
            data.list = Some(title.to_owned());
            data.acct = Some(account_address(cell(ACCOUNT_ADDRESS))?);
        }
    }
    Ok(data)
}

/// `user@domain` (one leading `@` allowed) or a local `user`, checked as WebFinger needs.
fn account_address(text: Option<&str>) -> Result<String, String> {
    let text = text.unwrap_or("").trim();
    let address = text.strip_prefix('@').unwrap_or(text);
    if address.is_empty() {
        return Err("the account address is missing".into());
    }
    let valid = if address.contains('@') {
        rhizome_federation::http::parse_acct(address).is_ok()
    } else {
        address.len() <= 255
            && address
                .chars()
                .all(|c| c.is_alphanumeric() || "_.-".contains(c))
    };
    if valid {
        Ok(address.to_owned())
    } else {
        Err(format!("{text:?} is not an account address"))
    }
}

/// A boolean cell: empty means the default; Ruby's spellings are understood.
fn boolean(cell: Option<&str>, column: &str) -> Result<Option<bool>, String> {
    match cell.unwrap_or("").to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "true" | "t" | "1" | "yes" | "on" => Ok(Some(true)),
        "false" | "f" | "0" | "no" | "off" => Ok(Some(false)),
        other => Err(format!("{column} must be true or false, not {other:?}")),
    }
}

/// Why a row could not be applied: a reason to record, or a failure of our own that is
/// worth retrying (the row stays pending).
enum RowError {
    Failed(String),
    Retry(String),
}

impl From<CoreError> for RowError {
    fn from(err: CoreError) -> Self {
        match err {
            CoreError::Store(_) | CoreError::Internal(_) => RowError::Retry(err.to_string()),
            CoreError::NotFound => RowError::Failed("not found".into()),
            other => RowError::Failed(other.to_string()),
        }
    }
}

impl Core {
    /// Starts importing a CSV file in Mastodon's format.
    pub async fn import_csv(
        &self,
        user: &LocalUser,
        kind: ImportKind,
        overwrite: bool,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<ImportView, CoreError> {
        let rows = parse_csv(kind, bytes)?;
        self.start_import(user, kind, overwrite, file_name, rows)
            .await
    }

    /// Starts importing Akkoma's list of addresses (always merged).
    pub async fn import_handles(
        &self,
        user: &LocalUser,
        kind: ImportKind,
        text: &str,
    ) -> Result<ImportView, CoreError> {
        let rows = parse_handles(kind, text)?;
        self.start_import(user, kind, false, "", rows).await
    }

    async fn start_import(
        &self,
        user: &LocalUser,
        kind: ImportKind,
        overwrite: bool,
        file_name: &str,
        rows: Vec<ParsedRow>,
    ) -> Result<ImportView, CoreError> {
        if self.store.unfinished_imports(user.account.id).await? >= MAX_UNFINISHED_IMPORTS {
            return Err(CoreError::invalid(
                "too many imports are in progress; wait until one has finished",
            ));
        }
        let now = self.clock.now();
        // Only the name, never a path, and not too long.
        let file_name: String = file_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_control())
            .take(255)
            .collect();
        let import = Import {
            id: Id::generate(now.0),
            account_id: user.account.id,
            kind,
            overwrite,
            state: ImportState::InProgress,
            original_filename: file_name,
            total_rows: rows.len() as i64,
            created_at: now,
            finished_at: None,
        };
        let mut failed = 0;
        let new_rows = rows
            .into_iter()
            .enumerate()
            .map(|(index, row)| {
                let source: String = row.source.chars().take(1000).collect();
                Ok(match row.data {
                    Ok(data) => NewImportRow {
                        position: index as i64 + 1,
                        data: Some(
                            serde_json::to_string(&data)
                                .map_err(|e| CoreError::Internal(e.to_string()))?,
                        ),
                        source,
                        error: None,
                    },
                    Err(error) => {
                        failed += 1;
                        NewImportRow {
                            position: index as i64 + 1,
                            data: None,
                            source,
                            error: Some(error),
                        }
                    }
                })
            })
            .collect::<Result<Vec<_>, CoreError>>()?;
        let job = NewJob {
            id: Id::generate(now.0),
            kind: PROCESS_IMPORT.to_owned(),
            payload: serde_json::to_string(&ProcessImport {
                import_id: import.id,
            })
            .map_err(|e| CoreError::Internal(e.to_string()))?,
            run_at: now,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        };
        self.store.create_import(&import, &new_rows, &job).await?;
        self.jobs_ready.notify_one();
        tracing::info!(
            import = %import.id, user = %user.account.username, kind = kind.as_str(),
            rows = import.total_rows, overwrite, "import started"
        );
        Ok(ImportView {
            import,
            progress: ImportProgress { done: 0, failed },
        })
    }

    async fn import_views(&self, imports: Vec<Import>) -> Result<Vec<ImportView>, CoreError> {
        let ids: Vec<Id> = imports.iter().map(|i| i.id).collect();
        let mut progress = self.store.import_progress(&ids).await?;
        Ok(imports
            .into_iter()
            .map(|import| ImportView {
                progress: progress.remove(&import.id).unwrap_or_default(),
                import,
            })
            .collect())
    }

    /// One import and its progress, by id (`owner` when it must be theirs).
    pub async fn import_view(&self, owner: Option<Id>, id: Id) -> Result<ImportView, CoreError> {
        let import = self
            .store
            .import(id)
            .await?
            .filter(|import| owner.is_none_or(|owner| import.account_id == owner))
            .ok_or(CoreError::NotFound)?;
        self.import_views(vec![import])
            .await?
            .pop()
            .ok_or(CoreError::NotFound)
    }

    /// Imports, newest first: one account's, or (for admins) everyone's.
    pub async fn import_list(
        &self,
        owner: Option<Id>,
        page: &PageRequest,
    ) -> Result<Page<ImportView>, CoreError> {
        let found = self.store.imports(owner, page).await?;
        let items = self.import_views(found.items).await?;
        Ok(Page {
            items,
            newest_id: found.newest_id,
            oldest_id: found.oldest_id,
        })
    }

    /// The rows of an import that could not be applied, with why.
    pub async fn import_failures(
        &self,
        owner: Option<Id>,
        id: Id,
    ) -> Result<Vec<ImportRow>, CoreError> {
        let view = self.import_view(owner, id).await?;
        Ok(self
            .store
            .import_rows(view.import.id, Some(RowState::Failed))
            .await?)
    }

    /// The `process_import` job: applies pending rows until none is left or its time is up.
    pub async fn run_import(&self, job: ProcessImport) -> Result<(), JobError> {
        let Some(import) = self
            .store
            .import(job.import_id)
            .await
            .map_err(CoreError::from)?
        else {
            // Gone with its account.
            return Ok(());
        };
        if import.state == ImportState::Finished {
            return Ok(());
        }
        let Some(user) = self
            .store
            .local_user(import.account_id)
            .await
            .map_err(CoreError::from)?
        else {
            return Ok(());
        };
        if user.account.suspended_at.is_some() {
            return Err(JobError::Permanent(
                "the account is suspended; retry the job once it is not".into(),
            ));
        }
        // A quarter of the lease: a row that starts late (a slow WebFinger) still ends
        // well before the worker would give the job up.
        let budget = self
            .clock
            .real(Duration::from_secs(self.config.jobs.lease_seconds))
            / 4;
        let started = Instant::now();
        let mut lists: HashMap<String, Id> = HashMap::new();
        let mut applied = 0_u32;
        loop {
            let rows = self
                .store
                .pending_import_rows(import.id, BATCH_ROWS)
                .await
                .map_err(CoreError::from)?;
            if rows.is_empty() {
                break;
            }
            for row in rows {
                if applied > 0 && started.elapsed() >= budget {
                    // The rest later, and other jobs in between.
                    return Err(JobError::Postpone(Duration::ZERO));
                }
                let recorded = match self.apply_row(&user, &import, &row, &mut lists).await {
                    Ok(target) => Ok(target),
                    Err(RowError::Failed(reason)) => {
                        tracing::debug!(import = %import.id, row = row.position, %reason, "import row failed");
                        Err(reason)
                    }
                    Err(RowError::Retry(message)) => return Err(JobError::Retry(message)),
                };
                self.store
                    .end_import_row(
                        import.id,
                        row.position,
                        recorded.as_ref().copied().map_err(String::as_str),
                    )
                    .await
                    .map_err(CoreError::from)?;
                applied += 1;
            }
        }
        if import.overwrite {
            self.remove_what_the_file_lacks(&user, &import).await?;
        }
        self.store
            .finish_import(import.id, self.clock.now())
            .await
            .map_err(CoreError::from)?;
        tracing::info!(import = %import.id, kind = import.kind.as_str(), "import finished");
        Ok(())
    }

    /// The account a row names: local, already known, or found by WebFinger.
    async fn import_account(&self, acct: Option<&str>) -> Result<Account, RowError> {
        let acct = acct.ok_or_else(|| RowError::Failed("no account address".into()))?;
        match self.resolve_acct(acct).await {
            Ok(account) if account.suspended_at.is_some() => {
                Err(RowError::Failed(format!("{acct} is suspended")))
            }
            Ok(account) => Ok(account),
            Err(CoreError::NotFound) => Err(RowError::Failed(format!("{acct} was not found"))),
            Err(err) => Err(err.into()),
        }
    }

    /// Applies one row; returns what it acted on (an account, a post) when it names one.
    async fn apply_row(
        &self,
        user: &LocalUser,
        import: &Import,
        row: &ImportRow,
        lists: &mut HashMap<String, Id>,
    ) -> Result<Option<Id>, RowError> {
        let data: RowData = row
            .data
            .as_deref()
            .and_then(|data| serde_json::from_str(data).ok())
            .ok_or_else(|| RowError::Failed("the row could not be read".into()))?;
        let me = user.account.id;
        match import.kind {
            ImportKind::Following => {
                let target = self.import_account(data.acct.as_deref()).await?;
                // Following again only sets the options: a row applied twice sends nothing twice.
                self.follow(
                    user,
                    target.id,
                    FollowOptions {
                        reblogs: data.show_reblogs.unwrap_or(true),
                        notify: data.notify.unwrap_or(false),
                    },
                )
                .await?;
                Ok(Some(target.id))
            }
            ImportKind::Blocking => {
                let target = self.import_account(data.acct.as_deref()).await?;
                // A Block is federated once, not again when a row is applied a second time.
                if !self.relationship(me, target.id).await?.blocking {
                    self.block(user, target.id).await?;
                }
                Ok(Some(target.id))
            }
            ImportKind::Muting => {
                let target = self.import_account(data.acct.as_deref()).await?;
                let hide = data.hide_notifications.unwrap_or(true);
                self.mute(user, target.id, hide, None).await?;
                Ok(Some(target.id))
            }
            ImportKind::DomainBlocking => {
                let domain = data.domain.as_deref().unwrap_or("");
                self.block_domain(user, domain).await?;
                Ok(None)
            }
            ImportKind::Bookmarks => {
                let uri = data.uri.as_deref().unwrap_or("");
                let status = match self.resolve_status(uri).await {
                    Ok(status) => status,
                    Err(CoreError::NotFound) => {
                        return Err(RowError::Failed("the post was not found".into()));
                    }
                    Err(err) => return Err(err.into()),
                };
                match self.mark_status(user, status.id, Mark::Bookmark).await {
                    Ok(_) => Ok(Some(status.id)),
                    Err(CoreError::NotFound) => {
                        Err(RowError::Failed("the post is not visible to you".into()))
                    }
                    Err(err) => Err(err.into()),
                }
            }
            ImportKind::Lists => {
                let title = data.list.clone().unwrap_or_default();
                let target = self.import_account(data.acct.as_deref()).await?;
                if target.id == me {
                    return Err(RowError::Failed("you cannot be in your own list".into()));
                }
                let list_id = self.import_list_id(user, &title, lists).await?;
                // As Mastodon, an account is followed to be put in a list; a follow that
                // waits for approval is enough.
                if !self.follows_or_asked(me, target.id).await? {
                    self.follow(user, target.id, FollowOptions::default())
                        .await?;
                    if !self.follows_or_asked(me, target.id).await? {
                        return Err(RowError::Failed("the account could not be followed".into()));
                    }
                }
                self.store
                    .add_list_members(list_id, &[target.id])
                    .await
                    .map_err(CoreError::from)?;
                Ok(Some(target.id))
            }
        }
    }

    async fn follows_or_asked(&self, me: Id, target: Id) -> Result<bool, CoreError> {
        for table in [FollowTable::Follows, FollowTable::Requests] {
            if self
                .store
                .follow_between(table, me, target)
                .await?
                .is_some()
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The user's list with this title, made when there is none.
    async fn import_list_id(
        &self,
        user: &LocalUser,
        title: &str,
        cache: &mut HashMap<String, Id>,
    ) -> Result<Id, RowError> {
        if let Some(id) = cache.get(title) {
            return Ok(*id);
        }
        let existing = self
            .lists(user, None)
            .await?
            .into_iter()
            .find(|list| list.title == title);
        let id = match existing {
            Some(list) => list.id,
            None => {
                self.create_list(
                    user,
                    crate::lists::ListSettings {
                        title: Some(title.to_owned()),
                        ..Default::default()
                    },
                )
                .await?
                .id
            }
        };
        cache.insert(title.to_owned(), id);
        Ok(id)
    }

    /// A lower-case `user@domain` key for comparing accounts with the file's addresses.
    fn acct_key(&self, account: &Account) -> String {
        self.full_acct(account).to_lowercase()
    }

    fn row_acct_key(&self, acct: &str) -> String {
        let acct = acct.trim_start_matches('@').to_lowercase();
        if acct.contains('@') {
            acct
        } else {
            format!("{acct}@{}", self.config.domain.to_lowercase())
        }
    }

    /// Overwrite mode, once every row is applied: removes the follows, blocks, mutes,
    /// blocked domains, bookmarks or list memberships the file does not name. Run again
    /// after a crash, it finds less to do and does it.
    async fn remove_what_the_file_lacks(
        &self,
        user: &LocalUser,
        import: &Import,
    ) -> Result<(), JobError> {
        let rows = self
            .store
            .import_rows(import.id, None)
            .await
            .map_err(CoreError::from)?;
        let parsed: Vec<(RowData, &ImportRow)> = rows
            .iter()
            .filter_map(|row| {
                let data = serde_json::from_str(row.data.as_deref()?).ok()?;
                Some((data, row))
            })
            .collect();
        let targets: HashSet<Id> = rows.iter().filter_map(|row| row.target_id).collect();
        let accts: HashSet<String> = parsed
            .iter()
            .filter_map(|(data, _)| data.acct.as_deref())
            .map(|acct| self.row_acct_key(acct))
            .collect();
        let keep = |account: &Account| {
            targets.contains(&account.id) || accts.contains(&self.acct_key(account))
        };
        let me = user.account.id;
        // An account that has since disappeared is not worth failing the import for.
        let tolerate = |result: Result<(), CoreError>| match result {
            Err(CoreError::NotFound) | Ok(()) => Ok(()),
            Err(err) => Err(JobError::from(err)),
        };
        match import.kind {
            ImportKind::Following => {
                let mut followed = self
                    .store
                    .all_followed(me, false)
                    .await
                    .map_err(CoreError::from)?;
                followed.extend(
                    self.store
                        .all_followed(me, true)
                        .await
                        .map_err(CoreError::from)?,
                );
                for follow in followed.iter().filter(|f| !keep(&f.account)) {
                    tolerate(self.unfollow(user, follow.account.id).await.map(drop))?;
                }
            }
            ImportKind::Blocking => {
                let blocked = self.store.all_blocked(me).await.map_err(CoreError::from)?;
                for account in blocked.iter().filter(|a| !keep(a)) {
                    tolerate(self.unblock(user, account.id).await.map(drop))?;
                }
            }
            ImportKind::Muting => {
                let muted = self
                    .store
                    .all_muted(me, self.clock.now())
                    .await
                    .map_err(CoreError::from)?;
                for (account, _) in muted.iter().filter(|(a, _)| !keep(a)) {
                    tolerate(self.unmute(user, account.id).await.map(drop))?;
                }
            }
            ImportKind::DomainBlocking => {
                let wanted: HashSet<String> = parsed
                    .iter()
                    .filter_map(|(data, _)| data.domain.as_deref())
                    .map(|domain| {
                        domain
                            .trim()
                            .trim_start_matches("https://")
                            .trim_end_matches('/')
                            .to_lowercase()
                    })
                    .collect();
                let blocked = self
                    .store
                    .all_blocked_domains(me)
                    .await
                    .map_err(CoreError::from)?;
                for domain in blocked.iter().filter(|d| !wanted.contains(*d)) {
                    self.unblock_domain(user, domain).await?;
                }
            }
            ImportKind::Bookmarks => {
                let uris: HashSet<&str> = parsed
                    .iter()
                    .filter_map(|(data, _)| data.uri.as_deref())
                    .collect();
                let bookmarks = self
                    .store
                    .all_bookmarks(me)
                    .await
                    .map_err(CoreError::from)?;
                for (status_id, uri) in bookmarks {
                    if !targets.contains(&status_id) && !uris.contains(uri.as_str()) {
                        self.store
                            .remove_mark(Mark::Bookmark, me, status_id)
                            .await
                            .map_err(CoreError::from)?;
                    }
                }
            }
            ImportKind::Lists => {
                // Per list title: the accounts the file puts in it.
                let mut members: HashMap<&str, (HashSet<Id>, HashSet<String>)> = HashMap::new();
                for (data, row) in &parsed {
                    let Some(title) = data.list.as_deref() else {
                        continue;
                    };
                    let entry = members.entry(title).or_default();
                    entry.0.extend(row.target_id);
                    if let Some(acct) = data.acct.as_deref() {
                        entry.1.insert(self.row_acct_key(acct));
                    }
                }
                let all_members = self
                    .store
                    .all_list_members(me)
                    .await
                    .map_err(CoreError::from)?;
                for list in self.lists(user, None).await? {
                    let Some((ids, accts)) = members.get(list.title.as_str()) else {
                        self.delete_list(user, list.id).await?;
                        continue;
                    };
                    let extra: Vec<Id> = all_members
                        .iter()
                        .filter(|(list_id, account)| {
                            *list_id == list.id
                                && !ids.contains(&account.id)
                                && !accts.contains(&self.acct_key(account))
                        })
                        .map(|(_, account)| account.id)
                        .collect();
                    self.remove_from_list(user, list.id, &extra).await?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(rows: &[ParsedRow]) -> Vec<Result<RowData, String>> {
        rows.iter().map(|row| row.data.clone()).collect()
    }

    #[test]
    fn reads_mastodon_following_exports_with_their_header() {
        let file = "Account address,Show boosts,Notify on new posts,Languages\n\
                    bob@example.org,false,true,\"en, fr\"\n\
                    \n\
                    @carol@example.net,true,false,\n";
        let rows = parse_csv(ImportKind::Following, file.as_bytes()).unwrap();
        assert_eq!(
            data(&rows),
            vec![
                Ok(RowData {
                    acct: Some("bob@example.org".into()),
                    show_reblogs: Some(false),
                    notify: Some(true),
                    ..Default::default()
                }),
                Ok(RowData {
                    acct: Some("carol@example.net".into()),
                    show_reblogs: Some(true),
                    notify: Some(false),
                    ..Default::default()
                }),
            ]
        );
        assert_eq!(rows[0].source, "bob@example.org,false,true,\"en, fr\"");
    }

    #[test]
    fn files_without_a_header_use_the_default_columns() {
        let rows = parse_csv(ImportKind::Blocking, b"\xEF\xBB\xBFbob@example.org\ndave\n").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].data.as_ref().unwrap().acct.as_deref(), Some("dave"));
        let lists = parse_csv(
            ImportKind::Lists,
            b"\"Friends, close\",bob@example.org\nWork,carol@example.net\n",
        )
        .unwrap();
        assert_eq!(
            lists[0].data.as_ref().unwrap().list.as_deref(),
            Some("Friends, close")
        );
        let domains = parse_csv(ImportKind::DomainBlocking, b"Spam.Example\n").unwrap();
        assert_eq!(
            domains[0].data.as_ref().unwrap().domain.as_deref(),
            Some("spam.example")
        );
    }

    #[test]
    fn bad_lines_fail_alone_and_bad_files_fail_whole() {
        let file = "Account address,Hide notifications\n\
                    not an address,true\n\
                    bob@example.org,perhaps\n\
                    carol@example.org,false\n\
                    \"unterminated@example.org,true\n";
        let rows = parse_csv(ImportKind::Muting, file.as_bytes()).unwrap();
        let results = data(&rows);
        assert!(
            results[0]
                .as_ref()
                .unwrap_err()
                .contains("not an account address")
        );
        assert!(results[1].as_ref().unwrap_err().contains("true or false"));
        assert_eq!(results[2].as_ref().unwrap().hide_notifications, Some(false));
        assert!(results.len() >= 3);
        assert!(parse_csv(ImportKind::Muting, b"").is_err());
        assert!(parse_csv(ImportKind::Muting, b"\n\n").is_err());
        // A following export offered as a list of lists lacks the list names.
        let follows = b"Account address,Show boosts\nbob@example.org,true\n";
        assert!(parse_csv(ImportKind::Lists, follows).is_err());
        let bad_utf8 = parse_csv(ImportKind::Blocking, b"bob@example.org\n\xff\xfe@x\n").unwrap();
        assert!(bad_utf8[1].data.as_ref().unwrap_err().contains("UTF-8"));
        let bookmarks =
            parse_csv(ImportKind::Bookmarks, b"ftp://x/1\nhttps://x.example/s/1\n").unwrap();
        assert!(bookmarks[0].data.is_err() && bookmarks[1].data.is_ok());
    }

    #[test]
    fn size_and_row_limits_hold() {
        let many = "a@example.org\n".repeat(MAX_IMPORT_ROWS + 1);
        assert!(parse_csv(ImportKind::Blocking, many.as_bytes()).is_err());
        assert!(parse_handles(ImportKind::Blocking, &many).is_err());
        let huge = "x".repeat(MAX_IMPORT_BYTES + 1);
        assert!(parse_csv(ImportKind::Blocking, huge.as_bytes()).is_err());
        let exactly = "a@example.org\n".repeat(MAX_IMPORT_ROWS);
        assert_eq!(
            parse_csv(ImportKind::Blocking, exactly.as_bytes())
                .unwrap()
                .len(),
            MAX_IMPORT_ROWS
        );
    }

    #[test]
    fn akkoma_lists_take_first_columns_or_words() {
        let follows = parse_handles(
            ImportKind::Following,
            "Account address,Show boosts\n@bob@example.org,true\n\ncarol@example.net\n",
        )
        .unwrap();
        let accts: Vec<_> = follows
            .iter()
            .map(|r| r.data.as_ref().unwrap().acct.clone().unwrap())
            .collect();
        assert_eq!(accts, ["bob@example.org", "carol@example.net"]);
        let blocks = parse_handles(
            ImportKind::Blocking,
            "bob@example.org  @carol@example.net\nx y@",
        )
        .unwrap();
        assert_eq!(blocks.len(), 4);
        assert!(blocks[3].data.is_err());
    }
}
