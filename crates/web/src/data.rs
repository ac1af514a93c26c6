//! `/settings/data`, "Your data": the seven CSV exports as downloads, an import (type, merge
//! or overwrite, file) with the progress and failed rows of past imports, and full archives:
//! asked for, followed while a job builds them, downloaded when ready.
//!
//! Downloads go through the session, never through a bearer token: the exports call the same
//! core function as `/api/v1/exports/*.csv`, and an archive is served by
//! `/settings/data/archives/{id}` to its owner only (the file itself is never public: it holds
//! direct messages and bookmarks, and a link that leaks must not be enough to read them).

use askama::Template;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use rhizome_core::exports::ExportKind;
use rhizome_core::imports::{ImportView, MAX_IMPORT_BYTES};
use rhizome_core::{Core, CoreError, PageRequest};
use rhizome_model::Id;
use rhizome_store::{Archive, ArchiveState, ImportKind, ImportState};
use serde::Deserialize;

use crate::error::{WebError, html};
use crate::i18n::Tr;
use crate::session::{self, Ctx};
use crate::views::display_time;

pub fn routes() -> Router<Core> {
    Router::new()
        .route("/settings/data", get(data_page))
        .route("/settings/data/exports/{file}", get(export))
        // The file is read here, bounded by the imports' own limit, not the server's.
        .route(
            "/settings/data/imports",
            post(import).layer(DefaultBodyLimit::disable()),
        )
        .route("/settings/data/imports/{id}", get(import_page))
        .route("/settings/data/archives", post(request_archive))
        .route("/settings/data/archives/{id}", get(download_archive))
}

/// Imports shown on the page.
const IMPORTS_SHOWN: u32 = 20;
/// Text fields of the import form are short.
const MAX_FIELD_BYTES: usize = 1024;

/// One export in the list.
pub struct ExportLine {
    pub href: String,
    pub label: String,
    pub file_name: &'static str,
}

/// A past import, as the page shows it.
pub struct ImportLine {
    pub id: Id,
    pub kind: String,
    pub mode: String,
    pub file_name: String,
    pub created: String,
    pub state: String,
    pub total: i64,
    pub processed: i64,
    pub failed: i64,
}

/// An archive, as the page shows it.
pub struct ArchiveLine {
    pub id: Id,
    pub created: String,
    pub state: String,
    pub ready: bool,
    pub building: bool,
    pub processed: i64,
    pub total: i64,
    pub size: String,
    pub file_name: String,
}

/// A choice of the import form's type list.
pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "data/data.html")]
struct DataPage<'a> {
    ctx: &'a Ctx,
    section: &'static str,
    error: Option<String>,
    exports: Vec<ExportLine>,
    kinds: Vec<Choice>,
    overwrite: bool,
    imports: Vec<ImportLine>,
    archives: Vec<ArchiveLine>,
}

/// One failed row.
pub struct FailureLine {
    pub row: i64,
    pub data: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "data/import.html")]
struct ImportPage<'a> {
    ctx: &'a Ctx,
    section: &'static str,
    import: ImportLine,
    failures: Vec<FailureLine>,
}

fn export_name(kind: ExportKind) -> &'static str {
    match kind {
        ExportKind::Following => "following",
        ExportKind::Followers => "followers",
        ExportKind::Lists => "lists",
        ExportKind::Blocks => "blocks",
        ExportKind::Mutes => "mutes",
        ExportKind::DomainBlocks => "domain_blocks",
        ExportKind::Bookmarks => "bookmarks",
    }
}

fn kind_label(tr: &Tr, kind: ImportKind) -> String {
    tr.t(match kind {
        ImportKind::Following => "data-kind-following",
        ImportKind::Blocking => "data-kind-blocking",
        ImportKind::Muting => "data-kind-muting",
        ImportKind::DomainBlocking => "data-kind-domain-blocking",
        ImportKind::Bookmarks => "data-kind-bookmarks",
        ImportKind::Lists => "data-kind-lists",
    })
}

fn import_line(tr: &Tr, view: &ImportView) -> ImportLine {
    let import = &view.import;
    let finished = import.state == ImportState::Finished;
    ImportLine {
        id: import.id,
        kind: kind_label(tr, import.kind),
        mode: tr.t(if import.overwrite {
            "data-mode-overwrite"
        } else {
            "data-mode-merge"
        }),
        file_name: import.original_filename.clone(),
        created: display_time(import.created_at),
        state: tr.t(if finished {
            "data-import-finished"
        } else {
            "data-import-in-progress"
        }),
        total: import.total_rows,
        processed: view.progress.done + view.progress.failed,
        failed: view.progress.failed,
    }
}

/// A size in the units people read.
fn human_size(tr: &Tr, bytes: i64) -> String {
    const KB: f64 = 1024.0;
    let bytes = bytes.max(0) as f64;
    let (value, unit) = if bytes >= KB * KB * KB {
        (bytes / (KB * KB * KB), "data-size-gb")
    } else if bytes >= KB * KB {
        (bytes / (KB * KB), "data-size-mb")
    } else {
        (bytes / KB, "data-size-kb")
    };
    let number = format!("{value:.1}");
    let number = match tr.lang {
        crate::i18n::Lang::Fr => number.replace('.', ","),
        crate::i18n::Lang::En => number,
    };
    tr.t1(unit, "size", number)
}

fn archive_line(tr: &Tr, archive: &Archive) -> ArchiveLine {
    let state = match archive.state {
        ArchiveState::Pending => "data-archive-pending",
        ArchiveState::Running => "data-archive-running",
        ArchiveState::Ready => "data-archive-ready",
        ArchiveState::Failed => "data-archive-failed",
    };
    ArchiveLine {
        id: archive.id,
        created: display_time(archive.created_at),
        state: tr.t(state),
        ready: archive.state == ArchiveState::Ready,
        building: matches!(archive.state, ArchiveState::Pending | ArchiveState::Running),
        processed: archive.processed_items,
        total: archive.total_items.max(archive.processed_items),
        size: human_size(tr, archive.file_size),
        file_name: archive.file_name.clone(),
    }
}

async fn data_page_of<'a>(
    core: &Core,
    ctx: &'a Ctx,
    error: Option<String>,
    selected: Option<ImportKind>,
    overwrite: bool,
) -> Result<DataPage<'a>, WebError> {
    let viewer = ctx.require_viewer()?;
    let tr = &ctx.tr;
    let exports = ExportKind::ALL
        .into_iter()
        .map(|kind| ExportLine {
            href: format!("/settings/data/exports/{}.csv", export_name(kind)),
            label: tr.t(&format!(
                "data-export-{}",
                export_name(kind).replace('_', "-")
            )),
            file_name: kind.file_name(),
        })
        .collect();
    let kinds = ImportKind::ALL
        .into_iter()
        .map(|kind| Choice {
            value: kind.as_str(),
            label: kind_label(tr, kind),
            selected: selected == Some(kind),
        })
        .collect();
    let imports = core
        .import_list(
            Some(viewer.account_id()),
            &PageRequest::first(IMPORTS_SHOWN),
        )
        .await?
        .items
        .iter()
        .map(|view| import_line(tr, view))
        .collect();
    let archives = core
        .archives(&viewer.user)
        .await?
        .iter()
        .map(|archive| archive_line(tr, archive))
        .collect();
    Ok(DataPage {
        ctx,
        section: "data",
        error,
        exports,
        kinds,
        overwrite,
        imports,
        archives,
    })
}

async fn data_page(State(core): State<Core>, ctx: Ctx) -> Result<Response, WebError> {
    ctx.require_viewer()?;
    html(&data_page_of(&core, &ctx, None, None, false).await?)
}

/// The page again with what went wrong, for a refused form (`422`).
async fn refused(
    core: &Core,
    ctx: &Ctx,
    message: String,
    selected: Option<ImportKind>,
    overwrite: bool,
) -> Result<Response, WebError> {
    let page = data_page_of(core, ctx, Some(message), selected, overwrite).await?;
    let mut response = html(&page)?;
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}

/// `GET /settings/data/exports/{name}.csv`: one export of the signed-in user.
async fn export(
    State(core): State<Core>,
    ctx: Ctx,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let viewer = ctx.require_viewer()?;
    let kind = file
        .strip_suffix(".csv")
        .and_then(ExportKind::parse)
        .ok_or(WebError::NotFound)?;
    let body = core.export_csv(&viewer.user, kind).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", kind.file_name()),
            ),
            // Personal data: no shared cache keeps it.
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

/// What the import form sent.
#[derive(Default)]
struct ImportForm {
    csrf_token: String,
    kind: String,
    mode: String,
    file_name: String,
    data: Option<Vec<u8>>,
}

/// Reads the import form (`multipart/form-data`), the file bounded by the imports' limit.
async fn read_import_form(core: &Core, request: Request) -> Result<ImportForm, WebError> {
    let invalid = |e: &dyn std::fmt::Display| WebError::Invalid(e.to_string());
    let mut multipart = Multipart::from_request(request, core)
        .await
        .map_err(|e| invalid(&e))?;
    let mut form = ImportForm::default();
    while let Some(mut field) = multipart.next_field().await.map_err(|e| invalid(&e))? {
        let name = field.name().unwrap_or("").to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let limit = if file_name.is_some() {
            MAX_IMPORT_BYTES
        } else {
            MAX_FIELD_BYTES
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|e| invalid(&e))? {
            if bytes.len() + chunk.len() > limit {
                return Err(WebError::Invalid(format!("{name}: too large")));
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = || String::from_utf8_lossy(&bytes).trim().to_owned();
        match name.as_str() {
            "csrf_token" => form.csrf_token = text(),
            "type" => form.kind = text(),
            "mode" => form.mode = text(),
            // A file input left empty still sends an empty part.
            "data" if !bytes.is_empty() => {
                form.file_name = file_name.unwrap_or_default();
                form.data = Some(bytes);
            }
            _ => {}
        }
    }
    Ok(form)
}

/// `POST /settings/data/imports`: starts an import through core's `import_csv`.
async fn import(
    State(core): State<Core>,
    ctx: Ctx,
    request: Request,
) -> Result<Response, WebError> {
    let form = read_import_form(&core, request).await?;
    ctx.check_csrf(&core, &form.csrf_token)?;
    let viewer = ctx.require_viewer()?;
    let overwrite = form.mode == "overwrite";
    let kind = ImportKind::parse(&form.kind);
    let Some(kind) = kind else {
        return refused(
            &core,
            &ctx,
            ctx.tr.t("data-import-no-type"),
            None,
            overwrite,
        )
        .await;
    };
    let Some(data) = form.data else {
        return refused(
            &core,
            &ctx,
            ctx.tr.t("data-import-no-file"),
            Some(kind),
            overwrite,
        )
        .await;
    };
    match core
        .import_csv(&viewer.user, kind, overwrite, &form.file_name, &data)
        .await
    {
        Ok(_) => Ok(session::with_flash(
            &core,
            Redirect::to("/settings/data").into_response(),
            "data-import-started",
        )),
        Err(CoreError::Invalid(message) | CoreError::Conflict(message)) => {
            refused(&core, &ctx, message, Some(kind), overwrite).await
        }
        Err(err) => Err(err.into()),
    }
}

/// `GET /settings/data/imports/{id}`: one import's progress and the rows that failed.
async fn import_page(
    State(core): State<Core>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let viewer = ctx.require_viewer()?;
    let id = crate::error::parse_id(&id)?;
    let owner = Some(viewer.account_id());
    let view = core.import_view(owner, id).await?;
    let failures = core
        .import_failures(owner, id)
        .await?
        .into_iter()
        .map(|row| FailureLine {
            row: row.position,
            data: row.source,
            error: row.error.unwrap_or_default(),
        })
        .collect();
    html(&ImportPage {
        ctx: &ctx,
        section: "data",
        import: import_line(&ctx.tr, &view),
        failures,
    })
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    csrf_token: String,
}

/// `POST /settings/data/archives`: asks for a full archive (one a day).
async fn request_archive(
    State(core): State<Core>,
    ctx: Ctx,
    Form(form): Form<TokenForm>,
) -> Result<Response, WebError> {
    ctx.check_csrf(&core, &form.csrf_token)?;
    let viewer = ctx.require_viewer()?;
    match core.request_archive(&viewer.user).await {
        Ok(_) => Ok(session::with_flash(
            &core,
            Redirect::to("/settings/data").into_response(),
            "data-archive-requested",
        )),
        Err(CoreError::Invalid(_)) => {
            refused(&core, &ctx, ctx.tr.t("data-archive-too-soon"), None, false).await
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Deserialize, Default)]
struct DownloadQuery {
    /// Given to owners deleting their account (see `account::moving`), who cannot sign in.
    token: Option<String>,
}

/// `GET /settings/data/archives/{id}`: the zip, to its owner only (anyone else: not found),
/// or to the holder of its link's token while the account's deletion completes.
async fn download_archive(
    State(core): State<Core>,
    ctx: Ctx,
    Path(id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<DownloadQuery>,
) -> Result<Response, WebError> {
    let id = crate::error::parse_id(&id)?;
    let (archive, size, stream) = match &query.token {
        Some(token) => core.archive_file_by_token(id, token).await?,
        None => {
            let viewer = ctx.require_viewer()?;
            core.archive_file(viewer.account_id(), id).await?
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (header::CONTENT_LENGTH, size.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", archive.file_name),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
