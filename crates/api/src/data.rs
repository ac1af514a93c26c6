//! Taking one's data away and bringing it in: CSV exports (`GET /api/v1/exports/*.csv`, the
//! paths GoToSocial gives Mastodon's formats), CSV imports (`POST /api/v1/import`, GoToSocial's
//! client API over Mastodon's import types and modes, and `GET /api/v1/imports[/:id[/failures]]`
//! for their progress, Rhizome's own), and Akkoma's follow, block and mute imports.

use axum::Json;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use rhizome_core::Core;
use rhizome_core::exports::ExportKind;
use rhizome_core::imports::MAX_IMPORT_BYTES;
use rhizome_core::oauth::Authenticated;
use rhizome_model::{LocalUser, Scope};
use rhizome_store::ImportKind;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::ApiError;
use crate::auth::Auth;
use crate::entities;
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::params::{ParamsWithFiles, Query};
use crate::support::{paged, path_id, user};

/// The scope that reads an export.
fn export_scope(kind: ExportKind) -> Scope {
    match kind {
        ExportKind::Following | ExportKind::Followers => Scope("read:follows"),
        ExportKind::Lists => Scope("read:lists"),
        ExportKind::Blocks | ExportKind::DomainBlocks => Scope("read:blocks"),
        ExportKind::Mutes => Scope("read:mutes"),
        ExportKind::Bookmarks => Scope("read:bookmarks"),
    }
}

/// The scope that changes what an import changes (and reads its progress: `read_scope`).
fn write_scope(kind: ImportKind) -> Scope {
    match kind {
        ImportKind::Following => Scope("write:follows"),
        ImportKind::Blocking | ImportKind::DomainBlocking => Scope("write:blocks"),
        ImportKind::Muting => Scope("write:mutes"),
        ImportKind::Bookmarks => Scope("write:bookmarks"),
        ImportKind::Lists => Scope("write:lists"),
    }
}

fn read_scope(kind: ImportKind) -> Scope {
    match kind {
        ImportKind::Following => Scope("read:follows"),
        ImportKind::Blocking | ImportKind::DomainBlocking => Scope("read:blocks"),
        ImportKind::Muting => Scope("read:mutes"),
        ImportKind::Bookmarks => Scope("read:bookmarks"),
        ImportKind::Lists => Scope("read:lists"),
    }
}

/// `GET /api/v1/exports/{following,followers,lists,blocks,mutes,domain_blocks,bookmarks}.csv`.
pub async fn export(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(file): Path<String>,
) -> ApiResult<Response> {
    let kind = file
        .strip_suffix(".csv")
        .and_then(ExportKind::parse)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "Record not found"))?;
    let user = user(&auth, export_scope(kind))?;
    let body = core.export_csv(user, kind).await?;
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", kind.file_name()),
            ),
            // Personal data: no shared cache keeps it.
            (CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

/// A form with a CSV file, read up to the largest import allowed (not the media limit).
pub struct ImportForm<T>(pub ParamsWithFiles<T>);

impl<T: DeserializeOwned> FromRequest<Core> for ImportForm<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, core: &Core) -> Result<Self, Self::Rejection> {
        ParamsWithFiles::read_bounded(request, core, MAX_IMPORT_BYTES)
            .await
            .map(ImportForm)
    }
}

#[derive(Deserialize, Default)]
pub struct ImportParams {
    #[serde(rename = "type")]
    kind: Option<String>,
    mode: Option<String>,
}

fn import_user(auth: &Authenticated, kind: ImportKind) -> Result<&LocalUser, ApiError> {
    let user = user(auth, write_scope(kind))?;
    // A list import follows the accounts it puts in lists.
    if kind == ImportKind::Lists {
        auth.require(Scope("write:follows"))?;
    }
    Ok(user)
}

/// `POST /api/v1/import`: multipart `data` (the file), `type` (`following`, `blocking`,
/// `muting`, `domain_blocking`, `bookmarks`, `lists`; GoToSocial's `blocks` and `mutes`
/// too) and `mode` (`merge`, the default, or `overwrite`). Answers `202` with the import,
/// whose progress `GET /api/v1/imports/:id` tells.
pub async fn create(
    State(core): State<Core>,
    Auth(auth): Auth,
    ImportForm(mut form): ImportForm<ImportParams>,
) -> ApiResult<Response> {
    let kind = form
        .params
        .kind
        .as_deref()
        .and_then(ImportKind::parse)
        .ok_or_else(|| {
            ApiError::unprocessable(
                "Validation failed: type must be following, blocking, muting, \
                 domain_blocking, bookmarks or lists",
            )
        })?;
    let user = import_user(&auth, kind)?;
    let overwrite = match form.params.mode.as_deref().map(str::trim) {
        None | Some("") | Some("merge") => false,
        Some("overwrite") => true,
        Some(_) => {
            return Err(ApiError::unprocessable(
                "Validation failed: mode must be merge or overwrite",
            ));
        }
    };
    let file = form
        .take_upload("data")
        .ok_or_else(|| ApiError::unprocessable("Validation failed: Data can't be blank"))?;
    let view = core
        .import_csv(
            user,
            kind,
            overwrite,
            file.file_name.as_deref().unwrap_or(""),
            &file.bytes,
        )
        .await?;
    Ok((StatusCode::ACCEPTED, Json(entities::import(&view))).into_response())
}

/// `GET /api/v1/imports`: the user's imports, newest first (those the token may read).
pub async fn index(
    State(core): State<Core>,
    Auth(auth): Auth,
    uri: Uri,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    let readable: Vec<ImportKind> = ImportKind::ALL
        .into_iter()
        .filter(|kind| auth.token.scopes.allows(read_scope(*kind)))
        .collect();
    if readable.is_empty() {
        auth.require(Scope("read:follows"))?;
    }
    let user = auth.user()?;
    let page = core
        .import_list(Some(user.account.id), &query.request(20, 40)?)
        .await?;
    let items = page
        .items
        .iter()
        .filter(|view| readable.contains(&view.import.kind))
        .map(entities::import)
        .collect();
    Ok(paged(&core, &uri, &page, items))
}

/// `GET /api/v1/imports/:id`: one import and its progress.
pub async fn show(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let owner = auth.user()?.account.id;
    let view = core.import_view(Some(owner), path_id(&id)?).await?;
    auth.require(read_scope(view.import.kind))?;
    Ok(Json(entities::import(&view)))
}

/// `GET /api/v1/imports/:id/failures`: the rows that could not be applied, with why.
pub async fn failures(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let owner = auth.user()?.account.id;
    let id = path_id(&id)?;
    let view = core.import_view(Some(owner), id).await?;
    auth.require(read_scope(view.import.kind))?;
    let rows = core.import_failures(Some(owner), id).await?;
    Ok(Json(Value::Array(
        rows.iter().map(entities::import_failure).collect(),
    )))
}

#[derive(Deserialize, Default)]
pub struct AkkomaParams {
    list: Option<String>,
}

/// Akkoma's `list`: a text field or an uploaded file.
fn akkoma_list(form: &mut ParamsWithFiles<AkkomaParams>) -> Result<String, ApiError> {
    if let Some(file) = form.take_upload("list") {
        return String::from_utf8(file.bytes)
            .map_err(|_| ApiError::unprocessable("Validation failed: list is not UTF-8 text"));
    }
    form.params
        .list
        .take()
        .ok_or_else(|| ApiError::unprocessable("Validation failed: list can't be blank"))
}

async fn akkoma_import(
    core: &Core,
    auth: &Authenticated,
    mut form: ParamsWithFiles<AkkomaParams>,
    kind: ImportKind,
) -> ApiResult<Json<Value>> {
    let user = import_user(auth, kind)?;
    let list = akkoma_list(&mut form)?;
    core.import_handles(user, kind, &list).await?;
    // Akkoma answers with this JSON string; the import is then seen at /api/v1/imports.
    Ok(Json(Value::String("job started".into())))
}

/// `POST /api/pleroma/follow_import`.
pub async fn akkoma_follows(
    State(core): State<Core>,
    Auth(auth): Auth,
    ImportForm(form): ImportForm<AkkomaParams>,
) -> ApiResult<Json<Value>> {
    akkoma_import(&core, &auth, form, ImportKind::Following).await
}

/// `POST /api/pleroma/blocks_import`.
pub async fn akkoma_blocks(
    State(core): State<Core>,
    Auth(auth): Auth,
    ImportForm(form): ImportForm<AkkomaParams>,
) -> ApiResult<Json<Value>> {
    akkoma_import(&core, &auth, form, ImportKind::Blocking).await
}

/// `POST /api/pleroma/mutes_import`.
pub async fn akkoma_mutes(
    State(core): State<Core>,
    Auth(auth): Auth,
    ImportForm(form): ImportForm<AkkomaParams>,
) -> ApiResult<Json<Value>> {
    akkoma_import(&core, &auth, form, ImportKind::Muting).await
}
