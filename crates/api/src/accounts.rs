//! `/api/v1/accounts/…` and the lists around accounts (follow requests, blocks, mutes).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use rhizome_core::Core;
use rhizome_core::profile::{ProfileUpdate, Registration};
use rhizome_core::social::FollowOptions;
use rhizome_model::{Account, Id, LocalUser, Scope};
use rhizome_store::{AccountStatusFilter, Page};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Auth, MaybeAuth};
use crate::entities;
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::params::{Params, ParamsWithFiles, Query, flexible_bool, flexible_list};
use crate::support::{paged, paged_statuses, path_id, user, viewer, viewer_id};

async fn account_entities(
    core: &Core,
    accounts: Vec<Account>,
) -> Result<Vec<Value>, crate::ApiError> {
    let views = core.account_views(accounts).await?;
    Ok(views.iter().map(|v| entities::account(core, v)).collect())
}

async fn account_page(core: &Core, uri: &Uri, page: Page<Account>) -> ApiResult<Response> {
    let items = account_entities(core, page.items.clone()).await?;
    Ok(paged(core, uri, &page, items))
}

pub async fn verify_credentials(
    State(core): State<Core>,
    Auth(auth): Auth,
) -> ApiResult<Json<Value>> {
    if !auth.token.scopes.allows(Scope("profile")) {
        auth.require(Scope("read:accounts"))?;
    }
    let user = auth.user()?;
    credential_account(&core, user).await
}

/// The CredentialAccount of `user`, with their pending follow requests counted.
async fn credential_account(core: &Core, user: &LocalUser) -> ApiResult<Json<Value>> {
    let view = core.account_view(user.account.clone()).await?;
    let requests = core
        .follow_requests(user, &rhizome_core::PageRequest::first(40))
        .await?;
    let defaults = core.posting_defaults(user.account.id).await?;
    let mut entity =
        entities::credential_account(core, &view, user, requests.items.len(), &defaults);
    // Pleroma's setting, read by the Direct message disabled policy.
    let accepts = core.direct_message_acceptance(user.account.id).await?;
    if let Some(pleroma) = entity.get_mut("pleroma").and_then(Value::as_object_mut) {
        pleroma.insert(
            "accepts_direct_messages_from".into(),
            Value::from(accepts.as_str()),
        );
    }
    Ok(Json(entity))
}

#[derive(Deserialize)]
pub struct RegisterParams {
    username: String,
    email: String,
    password: String,
    #[serde(default, deserialize_with = "flexible_bool")]
    agreement: Option<bool>,
    locale: Option<String>,
    reason: Option<String>,
    invite_code: Option<String>,
    /// Akkoma's captcha fields, when the instance asks for one.
    captcha_token: Option<String>,
    captcha_answer_data: Option<String>,
    captcha_solution: Option<String>,
}

/// `POST /api/v1/accounts`: sign-up with an app token.
pub async fn register(
    State(core): State<Core>,
    ip: Option<axum::Extension<rhizome_core::ClientIp>>,
    Auth(auth): Auth,
    Params(params): Params<RegisterParams>,
) -> ApiResult<Json<Value>> {
    auth.require(Scope("write:accounts"))?;
    let (_, token) = core
        .register(
            auth.token.app_id,
            Registration {
                username: params.username,
                email: params.email,
                password: params.password,
                agreement: params.agreement.unwrap_or(false),
                locale: params.locale,
                reason: params.reason,
                invite_code: params.invite_code,
                captcha: params
                    .captcha_token
                    .map(|token| rhizome_core::captcha::CaptchaSolution {
                        token,
                        answer_data: params.captcha_answer_data.unwrap_or_default(),
                        solution: params.captcha_solution.unwrap_or_default(),
                    }),
                ip: ip.map(|ip| ip.0.0),
            },
        )
        .await?;
    Ok(Json(entities::token(&token)))
}

#[derive(Deserialize, Default)]
pub struct CredentialsParams {
    display_name: Option<String>,
    note: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    locked: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    bot: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    discoverable: Option<bool>,
    /// `fields_attributes[0][name]` form keys, or a JSON object/array.
    #[serde(default)]
    fields_attributes: Option<Value>,
    /// Pleroma's `everybody`, `people_i_follow` or `nobody`.
    accepts_direct_messages_from: Option<String>,
    /// Akkoma's aliases (`alsoKnownAs`): actors' addresses or `name@domain` handles; the
    /// list replaces the current one.
    #[serde(
        default,
        rename = "also_known_as[]",
        alias = "also_known_as",
        deserialize_with = "crate::params::flexible_list_opt"
    )]
    also_known_as: Option<Vec<String>>,
    #[serde(flatten)]
    rest: std::collections::HashMap<String, Value>,
}

/// Reads `source[privacy]`, `source[sensitive]` and `source[language]`, as form keys or as
/// a JSON `source` object.
fn posting_defaults_update(
    params: &CredentialsParams,
) -> Result<Option<rhizome_core::preferences::PostingDefaultsUpdate>, crate::ApiError> {
    let nested = params.rest.get("source").and_then(Value::as_object);
    let field = |name: &str| {
        nested
            .and_then(|source| source.get(name))
            .or_else(|| params.rest.get(&format!("source[{name}]")))
            .filter(|v| !v.is_null())
    };
    let (privacy, sensitive, language) = (field("privacy"), field("sensitive"), field("language"));
    if privacy.is_none() && sensitive.is_none() && language.is_none() {
        return Ok(None);
    }
    let invalid = |what: &str| {
        crate::ApiError::unprocessable(format!("Validation failed: source[{what}] is invalid"))
    };
    let visibility = privacy
        .map(|v| {
            v.as_str()
                .and_then(|text| text.parse::<rhizome_model::Visibility>().ok())
                .ok_or_else(|| invalid("privacy"))
        })
        .transpose()?;
    let sensitive = sensitive
        .map(|v| match v {
            Value::Bool(b) => Ok(*b),
            Value::String(text) => match text.as_str() {
                "true" | "1" | "on" => Ok(true),
                "false" | "0" | "off" | "" => Ok(false),
                _ => Err(invalid("sensitive")),
            },
            _ => Err(invalid("sensitive")),
        })
        .transpose()?;
    let language = language
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| invalid("language"))
        })
        .transpose()?;
    Ok(Some(rhizome_core::preferences::PostingDefaultsUpdate {
        visibility,
        sensitive,
        language: language.map(|text| Some(text).filter(|t| !t.trim().is_empty())),
    }))
}

/// Reads profile fields from `fields_attributes` in any of the shapes clients send.
fn profile_fields(params: &CredentialsParams) -> Option<Vec<(String, String)>> {
    let pair = |v: &Value| {
        Some((
            v.get("name")?.as_str()?.to_owned(),
            v.get("value")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
        ))
    };
    if let Some(value) = &params.fields_attributes {
        let items: Vec<&Value> = match value {
            Value::Array(items) => items.iter().collect(),
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort_by_key(|k| k.parse::<u32>().unwrap_or(u32::MAX));
                keys.into_iter().filter_map(|k| map.get(k)).collect()
            }
            _ => Vec::new(),
        };
        return Some(items.into_iter().filter_map(pair).collect());
    }
    // Form encoding: fields_attributes[0][name]=…&fields_attributes[0][value]=…
    let mut indexed: std::collections::BTreeMap<u32, (String, String)> = Default::default();
    for (key, value) in &params.rest {
        let Some(rest) = key.strip_prefix("fields_attributes[") else {
            continue;
        };
        let Some((index, field)) = rest.split_once("][") else {
            continue;
        };
        let Ok(index) = index.parse::<u32>() else {
            continue;
        };
        let text = value.as_str().unwrap_or("").to_owned();
        let entry = indexed.entry(index).or_default();
        match field.trim_end_matches(']') {
            "name" => entry.0 = text,
            "value" => entry.1 = text,
            _ => {}
        }
    }
    (!indexed.is_empty()).then(|| indexed.into_values().collect())
}

pub async fn update_credentials(
    State(core): State<Core>,
    Auth(auth): Auth,
    mut form: ParamsWithFiles<CredentialsParams>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:accounts"))?;
    let avatar = form.take_file("avatar");
    let header = form.take_file("header");
    let params = form.params;
    let fields = profile_fields(&params);
    let posting_defaults = posting_defaults_update(&params)?;
    if let Some(aliases) = &params.also_known_as {
        core.set_aliases(user, aliases).await?;
    }
    let accepts_direct_messages = params
        .accepts_direct_messages_from
        .as_deref()
        .map(str::parse::<rhizome_core::federation::policy::DirectMessages>)
        .transpose()?;
    let updated = core
        .update_profile(
            user,
            ProfileUpdate {
                display_name: params.display_name,
                note: params.note,
                locked: params.locked,
                bot: params.bot,
                discoverable: params.discoverable,
                fields,
                avatar,
                header,
            },
        )
        .await?;
    if let Some(update) = posting_defaults {
        core.set_posting_defaults(updated.account.id, update)
            .await?;
    }
    if let Some(choice) = accepts_direct_messages {
        core.set_direct_message_acceptance(updated.account.id, choice)
            .await?;
    }
    credential_account(&core, &updated).await
}

pub async fn get(
    State(core): State<Core>,
    auth: MaybeAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    viewer(&auth, Scope("read:accounts"))?;
    // A suspended account still answers, as `suspended: true` with its profile emptied,
    // so that apps can say what happened instead of "not found".
    let account = core.account(path_id(&id)?).await?;
    let view = core.account_view(account).await?;
    Ok(Json(entities::account(&core, &view)))
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

/// `GET /api/v1/accounts?id[]=…`.
pub async fn get_many(
    State(core): State<Core>,
    auth: MaybeAuth,
    Query(query): Query<IdsQuery>,
) -> ApiResult<Json<Value>> {
    viewer(&auth, Scope("read:accounts"))?;
    let ids: Vec<Id> = query
        .id
        .iter()
        .take(40)
        .filter_map(|id| id.parse().ok())
        .collect();
    let accounts: Vec<Account> = core
        .store
        .accounts_by_ids(&ids)
        .await
        .map_err(rhizome_core::CoreError::from)?
        .into_iter()
        .filter(|a| a.suspended_at.is_none())
        .collect();
    Ok(Json(Value::Array(account_entities(&core, accounts).await?)))
}

#[derive(Deserialize)]
pub struct LookupQuery {
    acct: String,
}

pub async fn lookup(
    State(core): State<Core>,
    auth: MaybeAuth,
    Query(query): Query<LookupQuery>,
) -> ApiResult<Json<Value>> {
    viewer(&auth, Scope("read:accounts"))?;
    let acct = query.acct.trim().trim_start_matches('@');
    let (username, domain) = match acct.split_once('@') {
        Some((user, domain)) if !domain.eq_ignore_ascii_case(&core.config.domain) => {
            (user, Some(domain))
        }
        Some((user, _)) => (user, None),
        None => (acct, None),
    };
    let account = core
        .store
        .account_by_acct(username, domain)
        .await
        .map_err(rhizome_core::CoreError::from)?
        .filter(|a| a.suspended_at.is_none())
        .ok_or(rhizome_core::CoreError::NotFound)?;
    let view = core.account_view(account).await?;
    Ok(Json(entities::account(&core, &view)))
}

#[derive(Deserialize)]
pub struct StatusesQuery {
    #[serde(flatten)]
    page: PageQuery,
    #[serde(default, deserialize_with = "flexible_bool")]
    pinned: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    exclude_replies: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    exclude_reblogs: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    only_media: Option<bool>,
    tagged: Option<String>,
}

pub async fn statuses(
    State(core): State<Core>,
    auth: MaybeAuth,
    uri: Uri,
    Path(id): Path<String>,
    Query(query): Query<StatusesQuery>,
) -> ApiResult<Response> {
    let viewer = viewer(&auth, Scope("read:statuses"))?;
    let filter = AccountStatusFilter {
        pinned: query.pinned.unwrap_or(false),
        exclude_replies: query.exclude_replies.unwrap_or(false),
        exclude_reblogs: query.exclude_reblogs.unwrap_or(false),
        only_media: query.only_media.unwrap_or(false),
        tagged: query.tagged.filter(|t| !t.is_empty()),
    };
    let page = core
        .account_statuses(
            path_id(&id)?,
            viewer_id(viewer),
            &filter,
            &query.page.request(20, 40)?,
        )
        .await?;
    Ok(paged_statuses(&core, &uri, &page))
}

pub async fn followers(
    State(core): State<Core>,
    auth: MaybeAuth,
    uri: Uri,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    viewer(&auth, Scope("read:accounts"))?;
    let page = core
        .follow_list(path_id(&id)?, true, &query.request(40, 80)?)
        .await?;
    account_page(&core, &uri, page).await
}

pub async fn following(
    State(core): State<Core>,
    auth: MaybeAuth,
    uri: Uri,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    viewer(&auth, Scope("read:accounts"))?;
    let page = core
        .follow_list(path_id(&id)?, false, &query.request(40, 80)?)
        .await?;
    account_page(&core, &uri, page).await
}

#[derive(Deserialize, Default)]
pub struct FollowParams {
    #[serde(default, deserialize_with = "flexible_bool")]
    reblogs: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    notify: Option<bool>,
}

fn relationship_json(id: Id, r: &rhizome_model::Relationship) -> Json<Value> {
    Json(entities::relationship(id, r))
}

pub async fn follow(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
    Params(params): Params<FollowParams>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:follows"))?;
    let id = path_id(&id)?;
    let options = FollowOptions {
        reblogs: params.reblogs.unwrap_or(true),
        notify: params.notify.unwrap_or(false),
    };
    Ok(relationship_json(
        id,
        &core.follow(user, id, options).await?,
    ))
}

pub async fn unfollow(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:follows"))?;
    let id = path_id(&id)?;
    Ok(relationship_json(id, &core.unfollow(user, id).await?))
}

pub async fn remove_from_followers(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:follows"))?;
    let id = path_id(&id)?;
    Ok(relationship_json(
        id,
        &core.remove_from_followers(user, id).await?,
    ))
}

pub async fn block(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:blocks"))?;
    let id = path_id(&id)?;
    Ok(relationship_json(id, &core.block(user, id).await?))
}

pub async fn unblock(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:blocks"))?;
    let id = path_id(&id)?;
    Ok(relationship_json(id, &core.unblock(user, id).await?))
}

#[derive(Deserialize, Default)]
pub struct MuteParams {
    #[serde(default, deserialize_with = "flexible_bool")]
    notifications: Option<bool>,
    duration: Option<Value>,
}

pub async fn mute(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
    Params(params): Params<MuteParams>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:mutes"))?;
    let id = path_id(&id)?;
    let duration = params.duration.and_then(|d| match d {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    });
    Ok(relationship_json(
        id,
        &core
            .mute(user, id, params.notifications.unwrap_or(true), duration)
            .await?,
    ))
}

pub async fn unmute(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:mutes"))?;
    let id = path_id(&id)?;
    Ok(relationship_json(id, &core.unmute(user, id).await?))
}

pub async fn relationships(
    State(core): State<Core>,
    Auth(auth): Auth,
    Query(query): Query<IdsQuery>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("read:follows"))?;
    let ids: Vec<Id> = query
        .id
        .iter()
        .take(100)
        .filter_map(|id| id.parse().ok())
        .collect();
    let found = core.relationships(user.account.id, &ids).await?;
    Ok(Json(Value::Array(
        found
            .iter()
            .map(|(id, r)| entities::relationship(*id, r))
            .collect(),
    )))
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: String,
    limit: Option<u32>,
    offset: Option<u32>,
    #[serde(default, deserialize_with = "flexible_bool")]
    resolve: Option<bool>,
    /// Only accounts the user follows.
    #[serde(default, deserialize_with = "flexible_bool")]
    following: Option<bool>,
}

pub async fn search(
    State(core): State<Core>,
    Auth(auth): Auth,
    Query(query): Query<SearchQuery>,
) -> ApiResult<Json<Value>> {
    let me = user(&auth, Scope("read:accounts"))?;
    let limit = query.limit.unwrap_or(40).clamp(1, 80);
    let mut accounts = Vec::new();
    if query.resolve.unwrap_or(false)
        && query.q.trim().trim_start_matches('@').contains('@')
        && let Ok(found) = core.resolve_acct(&query.q).await
    {
        accounts.push(found);
    }
    for found in core
        .store
        .search_accounts(
            query.q.trim().trim_start_matches('@'),
            limit,
            query.offset.unwrap_or(0),
        )
        .await
        .map_err(rhizome_core::CoreError::from)?
    {
        if !accounts.iter().any(|a| a.id == found.id) {
            accounts.push(found);
        }
    }
    if query.following.unwrap_or(false) {
        accounts = core.followed_among(me.account.id, accounts).await?;
    }
    accounts.truncate(limit as usize);
    Ok(Json(Value::Array(account_entities(&core, accounts).await?)))
}

pub async fn follow_requests(
    State(core): State<Core>,
    Auth(auth): Auth,
    uri: Uri,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    let user = user(&auth, Scope("read:follows"))?;
    let page = core.follow_requests(user, &query.request(40, 80)?).await?;
    account_page(&core, &uri, page).await
}

pub async fn authorize_follow_request(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:follows"))?;
    let id = path_id(&id)?;
    Ok(relationship_json(
        id,
        &core.authorize_follow_request(user, id).await?,
    ))
}

pub async fn reject_follow_request(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:follows"))?;
    let id = path_id(&id)?;
    Ok(relationship_json(
        id,
        &core.reject_follow_request(user, id).await?,
    ))
}

pub async fn blocks(
    State(core): State<Core>,
    Auth(auth): Auth,
    uri: Uri,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    let user = user(&auth, Scope("read:blocks"))?;
    let page = core
        .blocks_or_mutes(user, false, &query.request(40, 80)?)
        .await?;
    account_page(&core, &uri, page.map(|(account, _)| account)).await
}

pub async fn mutes(
    State(core): State<Core>,
    Auth(auth): Auth,
    uri: Uri,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    let user = user(&auth, Scope("read:mutes"))?;
    let page = core
        .blocks_or_mutes(user, true, &query.request(40, 80)?)
        .await?;
    let (accounts, ends): (Vec<Account>, Vec<_>) = page.items.iter().cloned().unzip();
    let items = account_entities(&core, accounts)
        .await?
        .into_iter()
        .zip(ends)
        .map(|(entity, ends_at)| entities::muted_account(entity, ends_at))
        .collect();
    Ok(paged(&core, &uri, &page, items))
}

pub async fn domain_blocks(
    State(core): State<Core>,
    Auth(auth): Auth,
    uri: Uri,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    let user = user(&auth, Scope("read:blocks"))?;
    let page = core
        .store
        .user_domain_blocks(user.account.id, &query.request(100, 200)?)
        .await
        .map_err(rhizome_core::CoreError::from)?;
    let items = page.items.iter().map(|d| json!(d)).collect();
    Ok(paged(&core, &uri, &page, items))
}

#[derive(Deserialize)]
pub struct DomainParams {
    domain: String,
}

pub async fn block_domain(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(params): Params<DomainParams>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:blocks"))?;
    core.block_domain(user, &params.domain).await?;
    Ok(Json(json!({})))
}

pub async fn unblock_domain(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(params): Params<DomainParams>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:blocks"))?;
    core.unblock_domain(user, &params.domain).await?;
    Ok(Json(json!({})))
}

/// `GET /api/pleroma/captcha`: a challenge for the sign-up form (Akkoma's native kind), or
/// `{"type": "none"}` when sign-ups need none.
pub async fn captcha(State(core): State<Core>) -> ApiResult<Json<Value>> {
    if !core.captcha_required() {
        return Ok(Json(serde_json::json!({ "type": "none" })));
    }
    Ok(Json(entities::captcha(&core.new_captcha()?)))
}
