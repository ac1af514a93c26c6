//! What profiles feature and whom to follow: `/api/v1/featured_tags`, endorsements
//! (`/api/v1/accounts/:id/pin`, `/api/v1/endorsements`) and `/api/v{1,2}/suggestions`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use rhizome_core::Core;
use rhizome_model::{Account, Scope};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Auth, MaybeAuth};
use crate::entities;
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::params::{Params, Query};
use crate::support::{paged, path_id, user, viewer};

pub async fn featured_tags(State(core): State<Core>, Auth(auth): Auth) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("read:accounts"))?;
    let tags = core.featured_tags(user.account.id).await?;
    Ok(Json(Value::Array(
        tags.iter()
            .map(|t| entities::featured_tag(&core, &user.account.username, t))
            .collect(),
    )))
}

#[derive(Deserialize, Default)]
pub struct FeatureParams {
    #[serde(default)]
    name: String,
}

pub async fn feature_tag(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(params): Params<FeatureParams>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:accounts"))?;
    let tag = core.feature_tag(user, &params.name).await?;
    Ok(Json(entities::featured_tag(
        &core,
        &user.account.username,
        &tag,
    )))
}

pub async fn unfeature_tag(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:accounts"))?;
    core.unfeature_tag(user, path_id(&id)?).await?;
    Ok(Json(json!({})))
}

/// `POST /api/v1/tags/:name/feature` (Mastodon 4.4).
pub async fn feature_tag_by_name(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:accounts"))?;
    let info = core.set_tag_featured(user, &name, true).await?;
    Ok(Json(entities::tag(&core, &info, true)))
}

/// `POST /api/v1/tags/:name/unfeature` (Mastodon 4.4).
pub async fn unfeature_tag_by_name(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:accounts"))?;
    let info = core.set_tag_featured(user, &name, false).await?;
    Ok(Json(entities::tag(&core, &info, true)))
}

pub async fn featured_tag_suggestions(
    State(core): State<Core>,
    Auth(auth): Auth,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("read:accounts"))?;
    let tags = core.featured_tag_suggestions(user).await?;
    Ok(Json(Value::Array(
        tags.iter().map(|t| entities::tag(&core, t, true)).collect(),
    )))
}

/// `GET /api/v1/accounts/:id/featured_tags`: public, as on Mastodon.
pub async fn account_featured_tags(
    State(core): State<Core>,
    auth: MaybeAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    viewer(&auth, Scope("read:accounts"))?;
    let account = core.visible_account(path_id(&id)?).await?;
    let tags = core.featured_tags(account.id).await?;
    Ok(Json(Value::Array(
        tags.iter()
            .map(|t| entities::featured_tag(&core, &account.username, t))
            .collect(),
    )))
}

pub async fn endorse(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:accounts"))?;
    let id = path_id(&id)?;
    let relationship = core.endorse(user, id).await?;
    Ok(Json(entities::relationship(id, &relationship)))
}

pub async fn unendorse(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:accounts"))?;
    let id = path_id(&id)?;
    let relationship = core.unendorse(user, id).await?;
    Ok(Json(entities::relationship(id, &relationship)))
}

async fn account_page(
    core: &Core,
    uri: &Uri,
    page: rhizome_store::Page<Account>,
) -> ApiResult<Response> {
    let views = core.account_views(page.items.clone()).await?;
    let items = views.iter().map(|v| entities::account(core, v)).collect();
    Ok(paged(core, uri, &page, items))
}

/// `GET /api/v1/endorsements`: the user's own.
pub async fn endorsements(
    State(core): State<Core>,
    Auth(auth): Auth,
    uri: Uri,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    let user = user(&auth, Scope("read:accounts"))?;
    let page = core
        .endorsements(user.account.id, &query.request(40, 80)?)
        .await?;
    account_page(&core, &uri, page).await
}

/// `GET /api/v1/accounts/:id/endorsements` (Mastodon 4.4): anyone's, publicly.
pub async fn account_endorsements(
    State(core): State<Core>,
    auth: MaybeAuth,
    uri: Uri,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    viewer(&auth, Scope("read:accounts"))?;
    let page = core
        .endorsements(path_id(&id)?, &query.request(40, 80)?)
        .await?;
    account_page(&core, &uri, page).await
}

#[derive(Deserialize, Default)]
pub struct LimitQuery {
    limit: Option<String>,
}

impl LimitQuery {
    /// Mastodon's default of 40, at most 80.
    fn limit(&self) -> ApiResult<u32> {
        match self.limit.as_deref() {
            None | Some("") => Ok(40),
            Some(text) => Ok(text
                .parse::<u32>()
                .map_err(|_| crate::ApiError::bad_request("invalid limit"))?
                .clamp(1, 80)),
        }
    }
}

async fn suggested(
    core: &Core,
    auth: &rhizome_core::oauth::Authenticated,
    query: &LimitQuery,
) -> ApiResult<Vec<(Value, rhizome_store::SuggestionSource)>> {
    let user = user(auth, Scope("read:accounts"))?;
    let found = core.follow_suggestions(user, query.limit()?).await?;
    let (accounts, sources): (Vec<Account>, Vec<_>) = found.into_iter().unzip();
    let views = core.account_views(accounts).await?;
    Ok(views
        .iter()
        .map(|v| entities::account(core, v))
        .zip(sources)
        .collect())
}

/// `GET /api/v1/suggestions`: accounts only.
pub async fn suggestions_v1(
    State(core): State<Core>,
    Auth(auth): Auth,
    Query(query): Query<LimitQuery>,
) -> ApiResult<Json<Value>> {
    let found = suggested(&core, &auth, &query).await?;
    Ok(Json(Value::Array(
        found.into_iter().map(|(account, _)| account).collect(),
    )))
}

/// `GET /api/v2/suggestions`: each account with why it is suggested.
pub async fn suggestions_v2(
    State(core): State<Core>,
    Auth(auth): Auth,
    Query(query): Query<LimitQuery>,
) -> ApiResult<Json<Value>> {
    let found = suggested(&core, &auth, &query).await?;
    Ok(Json(Value::Array(
        found
            .into_iter()
            .map(|(account, source)| entities::suggestion(account, source))
            .collect(),
    )))
}

pub async fn dismiss_suggestion(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:accounts"))?;
    // Mastodon answers 200 even for an id that is no account.
    if let Ok(id) = path_id(&id) {
        core.dismiss_suggestion(user, id).await?;
    }
    Ok(Json(json!({})))
}
