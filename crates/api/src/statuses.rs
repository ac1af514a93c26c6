//! `/api/v1/statuses/…`, bookmarks and favourites.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use rhizome_core::statuses::PostRequest;
use rhizome_core::{Core, CoreError};
use rhizome_model::{Id, QuotePolicy, Scope, Visibility};
use rhizome_store::Mark;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::ApiError;
use crate::auth::{Auth, MaybeAuth};
use crate::entities;
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::params::{Params, Query, flexible_bool, flexible_list, flexible_list_opt};
use crate::support::{paged, paged_statuses, path_id, user, viewer, viewer_id};

#[derive(Deserialize, Default)]
pub struct StatusParams {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    spoiler_text: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    sensitive: Option<bool>,
    visibility: Option<String>,
    in_reply_to_id: Option<Value>,
    language: Option<String>,
    content_type: Option<String>,
    #[serde(
        default,
        rename = "media_ids[]",
        alias = "media_ids",
        deserialize_with = "flexible_list_opt"
    )]
    media_ids: Option<Vec<String>>,
    scheduled_at: Option<String>,
    /// Akkoma's `quote_id`; Mastodon 4.5 calls it `quoted_status_id`.
    #[serde(alias = "quoted_status_id")]
    quote_id: Option<Value>,
    /// Mastodon 4.5: who may quote the post (`public`, `followers` or `nobody`).
    quote_approval_policy: Option<String>,
    /// `poll` as a JSON object, or the form keys `poll[options][]`, `poll[expires_in]`…
    poll: Option<Value>,
    #[serde(
        default,
        rename = "poll[options][]",
        deserialize_with = "flexible_list"
    )]
    poll_options: Vec<String>,
    #[serde(rename = "poll[expires_in]")]
    poll_expires_in: Option<String>,
    #[serde(default, rename = "poll[multiple]", deserialize_with = "flexible_bool")]
    poll_multiple: Option<bool>,
    #[serde(
        default,
        rename = "poll[hide_totals]",
        deserialize_with = "flexible_bool"
    )]
    poll_hide_totals: Option<bool>,
}

fn parse_quote_policy(text: Option<&str>) -> Result<Option<QuotePolicy>, ApiError> {
    match text {
        None | Some("") => Ok(None),
        Some(text) => QuotePolicy::from_setting(text).map(Some).ok_or_else(|| {
            ApiError::from(CoreError::invalid(format!(
                "Invalid quote_approval_policy {text:?}"
            )))
        }),
    }
}

fn parse_visibility(text: Option<&str>) -> Result<Option<Visibility>, ApiError> {
    match text {
        None | Some("") => Ok(None),
        Some(text) => text
            .parse::<Visibility>()
            .map(Some)
            .map_err(|_| ApiError::unprocessable(format!("Validation failed: visibility {text:?} is not one of public, unlisted, private, direct, local"))),
    }
}

fn optional_id(value: &Option<Value>) -> Result<Option<Id>, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .parse()
            .map(Some)
            .map_err(|_| ApiError::new(axum::http::StatusCode::NOT_FOUND, "Record not found")),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(|n| Some(Id(n)))
            .ok_or_else(|| ApiError::bad_request("invalid id")),
        Some(_) => Err(ApiError::bad_request("invalid id")),
    }
}

/// The poll of a new status, from JSON or form parameters.
fn poll_request(
    params: &StatusParams,
) -> Result<Option<rhizome_core::polls::PollRequest>, ApiError> {
    let number = |value: &Value| match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    };
    let flag = |value: &Value| match value {
        Value::Bool(b) => *b,
        Value::String(s) => matches!(s.as_str(), "true" | "1" | "on"),
        _ => false,
    };
    if let Some(poll) = params.poll.as_ref().filter(|p| p.is_object()) {
        let options = poll["options"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|o| o.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        return Ok(Some(rhizome_core::polls::PollRequest {
            options,
            expires_in: number(&poll["expires_in"]).unwrap_or(0),
            multiple: flag(&poll["multiple"]),
            hide_totals: flag(&poll["hide_totals"]),
        }));
    }
    if params.poll_options.is_empty() {
        return Ok(None);
    }
    Ok(Some(rhizome_core::polls::PollRequest {
        options: params.poll_options.clone(),
        expires_in: params
            .poll_expires_in
            .as_deref()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
        multiple: params.poll_multiple.unwrap_or(false),
        hide_totals: params.poll_hide_totals.unwrap_or(false),
    }))
}

fn post_request(
    params: StatusParams,
    headers: &HeaderMap,
    app_id: Option<Id>,
) -> Result<PostRequest, ApiError> {
    let poll = poll_request(&params)?;
    let media_ids = params
        .media_ids
        .as_ref()
        .map(|ids| {
            ids.iter()
                .filter(|id| !id.is_empty())
                .map(|id| path_id(id))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    Ok(PostRequest {
        media_ids,
        scheduled_id: None,
        text: params.status.unwrap_or_default(),
        spoiler_text: params.spoiler_text.unwrap_or_default(),
        sensitive: params.sensitive,
        visibility: parse_visibility(params.visibility.as_deref())?,
        in_reply_to_id: optional_id(&params.in_reply_to_id)?,
        language: params.language,
        content_type: params.content_type,
        idempotency_key: headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(|k| k.chars().take(128).collect()),
        application_id: app_id,
        quote_id: optional_id(&params.quote_id)?,
        quote_policy: parse_quote_policy(params.quote_approval_policy.as_deref())?,
        poll,
    })
}

pub async fn create(
    State(core): State<Core>,
    Auth(auth): Auth,
    headers: HeaderMap,
    Params(params): Params<StatusParams>,
) -> ApiResult<Response> {
    let user = user(&auth, Scope("write:statuses"))?;
    let scheduled_at = params.scheduled_at.clone().filter(|t| !t.is_empty());
    let request = post_request(params, &headers, auth.token.app_id)?;
    // Core fills in what the client left out from the author's posting defaults.
    if let Some(at) = scheduled_at {
        let sensitive = match request.sensitive {
            Some(sensitive) => sensitive,
            None => core.posting_defaults(user.account.id).await?.sensitive,
        };
        // A scheduled post answers with a ScheduledStatus, not a Status.
        let params = rhizome_core::conversations::ScheduledParams {
            text: request.text,
            spoiler_text: request.spoiler_text,
            sensitive,
            visibility: request.visibility.map(|v| v.as_str().to_owned()),
            in_reply_to_id: request.in_reply_to_id,
            language: request.language,
            content_type: request.content_type,
            application_id: request.application_id,
            media_ids: request.media_ids.unwrap_or_default(),
        };
        return crate::conversations::schedule(&core, user, params, &at)
            .await
            .map(IntoResponse::into_response);
    }
    let view = core.post_status(user, request).await?;
    Ok(Json(entities::status_entity(&core, &view)).into_response())
}

pub async fn get(
    State(core): State<Core>,
    auth: MaybeAuth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let viewer = viewer(&auth, Scope("read:statuses"))?;
    let view = core
        .visible_status_view(path_id(&id)?, viewer_id(viewer))
        .await?;
    Ok(Json(entities::status_entity(&core, &view)).into_response())
}

#[derive(Deserialize)]
pub struct IdsQuery {
    #[serde(
        default,
        rename = "id[]",
        alias = "id",
        deserialize_with = "flexible_list"
    )]
    id: Vec<String>,
}

pub async fn get_many(
    State(core): State<Core>,
    auth: MaybeAuth,
    Query(query): Query<IdsQuery>,
) -> ApiResult<Json<Value>> {
    let viewer = viewer(&auth, Scope("read:statuses"))?;
    let ids: Vec<Id> = query
        .id
        .iter()
        .take(20)
        .filter_map(|id| id.parse().ok())
        .collect();
    let views = core.visible_status_views(&ids, viewer_id(viewer)).await?;
    Ok(Json(Value::Array(
        views.iter().map(|v| entities::status(&core, v)).collect(),
    )))
}

pub async fn context(
    State(core): State<Core>,
    auth: MaybeAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let viewer = viewer(&auth, Scope("read:statuses"))?;
    let (ancestors, descendants) = core
        .status_context(path_id(&id)?, viewer_id(viewer))
        .await?;
    Ok(Json(json!({
        "ancestors": ancestors.iter().map(|v| entities::status(&core, v)).collect::<Vec<_>>(),
        "descendants": descendants.iter().map(|v| entities::status(&core, v)).collect::<Vec<_>>(),
    })))
}

pub async fn edit(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
    Params(params): Params<StatusParams>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:statuses"))?;
    let request = post_request(params, &HeaderMap::new(), None)?;
    let view = core.edit_status(user, path_id(&id)?, request).await?;
    Ok(Json(entities::status(&core, &view)))
}

#[derive(Deserialize, Default)]
pub struct InteractionPolicyParams {
    quote_approval_policy: Option<String>,
}

/// `PUT /api/v1/statuses/:id/interaction_policy` (Mastodon 4.5): who may quote one's post.
pub async fn interaction_policy(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
    Params(params): Params<InteractionPolicyParams>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:statuses"))?;
    let policy = parse_quote_policy(params.quote_approval_policy.as_deref())?
        .ok_or_else(|| CoreError::invalid("quote_approval_policy is missing"))?;
    let view = core
        .set_status_quote_policy(user, path_id(&id)?, policy)
        .await?;
    Ok(Json(entities::status(&core, &view)))
}

/// `GET /api/v1/statuses/:id/quotes` (Mastodon 4.5): the accepted quotes of one's post.
pub async fn quotes(
    State(core): State<Core>,
    Auth(auth): Auth,
    uri: Uri,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    let user = user(&auth, Scope("read:statuses"))?;
    let page = core
        .status_quotes(user, path_id(&id)?, &query.request(20, 40)?)
        .await?;
    Ok(paged_statuses(&core, &uri, &page))
}

/// `POST /api/v1/statuses/:id/quotes/:quoting_status_id/revoke` (Mastodon 4.5): the
/// author of a post withdraws their approval of a quote of it; answers the quote post.
pub async fn revoke_quote(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path((id, quoting)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:statuses"))?;
    let quote = core
        .revoke_quote(user, path_id(&id)?, path_id(&quoting)?)
        .await?;
    let view = core.status_view(quote, Some(user.account.id)).await?;
    Ok(Json(entities::status(&core, &view)))
}

pub async fn history(
    State(core): State<Core>,
    auth: MaybeAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let viewer = viewer(&auth, Scope("read:statuses"))?;
    let (view, edits) = core
        .status_history(path_id(&id)?, viewer_id(viewer))
        .await?;
    Ok(Json(Value::Array(entities::status_history(
        &core, &view, &edits,
    ))))
}

pub async fn source(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("read:statuses"))?;
    let view = core
        .visible_status_view(path_id(&id)?, Some(user.account.id))
        .await?;
    Ok(Json(entities::status_source(&view)))
}

#[derive(Deserialize, Default)]
pub struct DeleteQuery {
    #[serde(default, deserialize_with = "flexible_bool")]
    delete_media: Option<bool>,
}

pub async fn delete(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
    Query(query): Query<DeleteQuery>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:statuses"))?;
    let view = core
        .delete_status(user, path_id(&id)?, query.delete_media.unwrap_or(false))
        .await?;
    Ok(Json(entities::deleted_status(&core, &view)))
}

#[derive(Deserialize, Default)]
pub struct ReblogParams {
    visibility: Option<String>,
}

pub async fn reblog(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
    Params(params): Params<ReblogParams>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:statuses"))?;
    let view = core
        .reblog(
            user,
            path_id(&id)?,
            parse_visibility(params.visibility.as_deref())?,
        )
        .await?;
    Ok(Json(entities::status(&core, &view)))
}

pub async fn unreblog(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:statuses"))?;
    let view = core.unreblog(user, path_id(&id)?).await?;
    Ok(Json(entities::status(&core, &view)))
}

async fn mark(
    core: Core,
    auth: rhizome_core::oauth::Authenticated,
    id: String,
    mark: Mark,
    scope: &'static str,
    add: bool,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope(scope))?;
    let id = path_id(&id)?;
    let view = if add {
        core.mark_status(user, id, mark).await?
    } else {
        core.unmark_status(user, id, mark).await?
    };
    Ok(Json(entities::status(&core, &view)))
}

pub async fn favourite(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    mark(core, auth, id, Mark::Favourite, "write:favourites", true).await
}

pub async fn unfavourite(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    mark(core, auth, id, Mark::Favourite, "write:favourites", false).await
}

pub async fn bookmark(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    mark(core, auth, id, Mark::Bookmark, "write:bookmarks", true).await
}

pub async fn unbookmark(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    mark(core, auth, id, Mark::Bookmark, "write:bookmarks", false).await
}

pub async fn pin(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    mark(core, auth, id, Mark::Pin, "write:accounts", true).await
}

pub async fn unpin(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    mark(core, auth, id, Mark::Pin, "write:accounts", false).await
}

pub async fn mute(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:mutes"))?;
    let view = core.mute_thread(user, path_id(&id)?, true).await?;
    Ok(Json(entities::status(&core, &view)))
}

pub async fn unmute(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:mutes"))?;
    let view = core.mute_thread(user, path_id(&id)?, false).await?;
    Ok(Json(entities::status(&core, &view)))
}

async fn interacting(
    core: Core,
    auth: MaybeAuth,
    uri: Uri,
    id: String,
    query: PageQuery,
    favourites: bool,
) -> ApiResult<Response> {
    let viewer = viewer(&auth, Scope("read:accounts"))?;
    let id = path_id(&id)?;
    core.visible_status_view(id, viewer_id(viewer)).await?;
    let page = core
        .store
        .interacting_accounts(id, favourites, &query.request(40, 80)?)
        .await
        .map_err(rhizome_core::CoreError::from)?;
    let views = core.account_views(page.items.clone()).await?;
    let items = views.iter().map(|v| entities::account(&core, v)).collect();
    Ok(paged(&core, &uri, &page, items))
}

pub async fn favourited_by(
    State(core): State<Core>,
    auth: MaybeAuth,
    uri: Uri,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    interacting(core, auth, uri, id, query, true).await
}

pub async fn reblogged_by(
    State(core): State<Core>,
    auth: MaybeAuth,
    uri: Uri,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    interacting(core, auth, uri, id, query, false).await
}

async fn marked(
    core: Core,
    auth: rhizome_core::oauth::Authenticated,
    uri: Uri,
    query: PageQuery,
    mark: Mark,
    scope: &'static str,
) -> ApiResult<Response> {
    let user = user(&auth, Scope(scope))?;
    let page = core
        .marked_statuses(user.account.id, mark, &query.request(20, 40)?)
        .await?;
    Ok(paged_statuses(&core, &uri, &page))
}

pub async fn bookmarks(
    State(core): State<Core>,
    Auth(auth): Auth,
    uri: Uri,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    marked(core, auth, uri, query, Mark::Bookmark, "read:bookmarks").await
}

pub async fn favourites(
    State(core): State<Core>,
    Auth(auth): Auth,
    uri: Uri,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    marked(core, auth, uri, query, Mark::Favourite, "read:favourites").await
}
