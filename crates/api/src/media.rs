//! `/api/v1/media` and `/api/v2/media`: uploads that a post attaches by id.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rhizome_core::Core;
use rhizome_core::media::MediaRequest;
use rhizome_model::Scope;
use serde::Deserialize;
use serde_json::Value;

use crate::ApiError;
use crate::auth::Auth;
use crate::entities;
use crate::error::ApiResult;
use crate::params::ParamsWithFiles;
use crate::support::{path_id, user};

#[derive(Deserialize, Default)]
pub struct MediaParams {
    description: Option<String>,
    focus: Option<String>,
}

fn media_request(form: &mut ParamsWithFiles<MediaParams>) -> MediaRequest {
    MediaRequest {
        description: form.params.description.take(),
        focus: form.params.focus.take().filter(|f| !f.is_empty()),
        thumbnail: form.take_file("thumbnail"),
    }
}

async fn upload(
    core: &Core,
    auth: &rhizome_core::oauth::Authenticated,
    mut form: ParamsWithFiles<MediaParams>,
    later_if_large: bool,
) -> ApiResult<(bool, Value)> {
    let user = user(auth, Scope("write:media"))?;
    let file = form
        .take_file("file")
        .ok_or_else(|| ApiError::unprocessable("Validation failed: File can't be blank"))?;
    let request = media_request(&mut form);
    let media = core
        .upload_media(user, file, request, later_if_large)
        .await?;
    Ok((media.processing, entities::attachment(core, &media)))
}

/// `POST /api/v1/media`: processed before it answers.
pub async fn create_v1(
    State(core): State<Core>,
    Auth(auth): Auth,
    form: ParamsWithFiles<MediaParams>,
) -> ApiResult<Json<Value>> {
    Ok(Json(upload(&core, &auth, form, false).await?.1))
}

/// `POST /api/v2/media`: as Mastodon, `202` with a null `url` for a large image, which a
/// worker processes (poll `GET /api/v1/media/:id`); `200` when it is ready at once.
pub async fn create_v2(
    State(core): State<Core>,
    Auth(auth): Auth,
    form: ParamsWithFiles<MediaParams>,
) -> ApiResult<Response> {
    let (processing, entity) = upload(&core, &auth, form, true).await?;
    let status = if processing {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(entity)).into_response())
}

/// `206 Partial Content` while processing, as Mastodon answers.
pub async fn get(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let user = user(&auth, Scope("write:media"))?;
    let media = core.own_media(user, path_id(&id)?).await?;
    let status = if media.processing {
        StatusCode::PARTIAL_CONTENT
    } else {
        StatusCode::OK
    };
    Ok((status, Json(entities::attachment(&core, &media))).into_response())
}

pub async fn update(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
    mut form: ParamsWithFiles<MediaParams>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:media"))?;
    let request = media_request(&mut form);
    let media = core.update_media(user, path_id(&id)?, request).await?;
    Ok(Json(entities::attachment(&core, &media)))
}

pub async fn delete(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:media"))?;
    core.delete_own_media(user, path_id(&id)?).await?;
    Ok(Json(serde_json::json!({})))
}
