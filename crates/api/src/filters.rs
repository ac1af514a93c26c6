//! Filters: `/api/v2/filters` (with keywords and statuses) and the v1 endpoints old clients use.

use axum::Json;
use axum::extract::{Path, State};
use rhizome_core::Core;
use rhizome_core::filters::FilterInput;
use rhizome_model::Scope;
use rhizome_store::Filter;
use serde_json::{Map, Value, json};

use crate::ApiError;
use crate::auth::Auth;
use crate::entities;
use crate::error::ApiResult;
use crate::params::Params;
use crate::support::{path_id, user};

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn boolean(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => Some(matches!(s.as_str(), "true" | "1" | "on")),
        Value::Number(n) => Some(n.as_i64() != Some(0)),
        _ => None,
    }
}

/// `context[]` as a form list or a JSON array.
fn contexts(params: &Map<String, Value>) -> Option<Vec<String>> {
    let value = params.get("context[]").or_else(|| params.get("context"))?;
    Some(match value {
        Value::Array(items) => items.iter().filter_map(text).collect(),
        other => text(other).into_iter().collect(),
    })
}

fn expires_in(params: &Map<String, Value>) -> Option<Option<u64>> {
    let value = params.get("expires_in")?;
    Some(
        text(value)
            .and_then(|t| t.parse::<u64>().ok())
            .filter(|s| *s > 0),
    )
}

/// `keywords_attributes` as a JSON array of objects, or form keys
/// `keywords_attributes[][keyword]` / `keywords_attributes[0][keyword]`.
fn keyword_attributes(params: &Map<String, Value>) -> Option<Vec<(String, bool, bool)>> {
    if let Some(Value::Array(items)) = params.get("keywords_attributes") {
        return Some(
            items
                .iter()
                .filter_map(|item| {
                    let keyword = text(item.get("keyword")?)?;
                    let whole_word = boolean(item.get("whole_word")).unwrap_or(true);
                    let destroy = boolean(item.get("_destroy")).unwrap_or(false);
                    Some((keyword, whole_word, destroy))
                })
                .collect(),
        );
    }
    let mut keywords: Vec<(String, bool, bool)> = Vec::new();
    let mut found = false;
    for (key, value) in params {
        let Some(rest) = key.strip_prefix("keywords_attributes[") else {
            continue;
        };
        found = true;
        let Some((_, field)) = rest.split_once("][") else {
            continue;
        };
        let values: Vec<String> = match value {
            Value::Array(items) => items.iter().filter_map(text).collect(),
            other => text(other).into_iter().collect(),
        };
        for (i, v) in values.into_iter().enumerate() {
            if keywords.len() <= i {
                keywords.resize(i + 1, (String::new(), true, false));
            }
            match field.trim_end_matches(']') {
                "keyword" => keywords[i].0 = v,
                "whole_word" => keywords[i].1 = matches!(v.as_str(), "true" | "1" | "on"),
                "_destroy" => keywords[i].2 = matches!(v.as_str(), "true" | "1" | "on"),
                _ => {}
            }
        }
    }
    found.then_some(keywords)
}

fn input_v2(params: &Map<String, Value>, existing: Option<&Filter>) -> FilterInput {
    let keywords = keyword_attributes(params).map(|changes| {
        let mut keywords: Vec<(String, bool)> = existing
            .map(|f| {
                f.keywords
                    .iter()
                    .map(|k| (k.keyword.clone(), k.whole_word))
                    .collect()
            })
            .unwrap_or_default();
        for (keyword, whole_word, destroy) in changes {
            keywords.retain(|(k, _)| *k != keyword);
            if !destroy && !keyword.trim().is_empty() {
                keywords.push((keyword, whole_word));
            }
        }
        keywords
    });
    FilterInput {
        title: params.get("title").and_then(text),
        contexts: contexts(params),
        action: params.get("filter_action").and_then(text),
        expires_in: expires_in(params),
        keywords,
    }
}

pub async fn index(State(core): State<Core>, Auth(auth): Auth) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("read:filters"))?;
    let filters = core.filters(user).await?;
    Ok(Json(Value::Array(
        filters.iter().map(entities::filter).collect(),
    )))
}

pub async fn create(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(params): Params<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:filters"))?;
    Ok(Json(entities::filter(
        &core.create_filter(user, input_v2(&params, None)).await?,
    )))
}

pub async fn show(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("read:filters"))?;
    Ok(Json(entities::filter(
        &core.filter(user, path_id(&id)?).await?,
    )))
}

pub async fn update(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
    Params(params): Params<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:filters"))?;
    let id = path_id(&id)?;
    let existing = core.filter(user, id).await?;
    Ok(Json(entities::filter(
        &core
            .update_filter(user, id, input_v2(&params, Some(&existing)))
            .await?,
    )))
}

pub async fn delete(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:filters"))?;
    core.delete_filter(user, path_id(&id)?).await?;
    Ok(Json(json!({})))
}

pub async fn add_keyword(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
    Params(params): Params<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:filters"))?;
    let id = path_id(&id)?;
    let filter = core.filter(user, id).await?;
    let keyword = params
        .get("keyword")
        .and_then(text)
        .ok_or_else(|| ApiError::unprocessable("Validation failed: keyword can't be blank"))?;
    let whole_word = boolean(params.get("whole_word")).unwrap_or(true);
    let mut keywords: Vec<(String, bool)> = filter
        .keywords
        .iter()
        .map(|k| (k.keyword.clone(), k.whole_word))
        .collect();
    keywords.push((keyword.clone(), whole_word));
    let updated = core
        .update_filter(
            user,
            id,
            FilterInput {
                keywords: Some(keywords),
                ..Default::default()
            },
        )
        .await?;
    let added = updated
        .keywords
        .iter()
        .find(|k| k.keyword == keyword.trim())
        .ok_or(rhizome_core::CoreError::NotFound)?;
    Ok(Json(entities::filter_keyword(added)))
}

pub async fn remove_keyword(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(keyword_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:filters"))?;
    let keyword_id = path_id(&keyword_id)?;
    let filter = core
        .filters(user)
        .await?
        .into_iter()
        .find(|f| f.keywords.iter().any(|k| k.id == keyword_id))
        .ok_or(rhizome_core::CoreError::NotFound)?;
    let keywords = filter
        .keywords
        .iter()
        .filter(|k| k.id != keyword_id)
        .map(|k| (k.keyword.clone(), k.whole_word))
        .collect();
    core.update_filter(
        user,
        filter.id,
        FilterInput {
            keywords: Some(keywords),
            ..Default::default()
        },
    )
    .await?;
    Ok(Json(json!({})))
}

pub async fn add_status(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
    Params(params): Params<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:filters"))?;
    let status_id = params
        .get("status_id")
        .and_then(text)
        .ok_or_else(|| ApiError::unprocessable("Validation failed: status_id can't be blank"))?;
    let status_id = path_id(&status_id)?;
    let row = core
        .add_filter_status(user, path_id(&id)?, status_id)
        .await?;
    Ok(Json(json!({ "id": row, "status_id": status_id })))
}

pub async fn remove_status(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(row): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:filters"))?;
    core.remove_filter_status(user, path_id(&row)?).await?;
    Ok(Json(json!({})))
}

/// v1: one entry per keyword, named by the keyword's id.
pub async fn index_v1(State(core): State<Core>, Auth(auth): Auth) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("read:filters"))?;
    let filters = core.filters(user).await?;
    let items: Vec<Value> = filters
        .iter()
        .flat_map(|f| f.keywords.iter().map(move |k| entities::filter_v1(f, k)))
        .collect();
    Ok(Json(Value::Array(items)))
}

fn input_v1(params: &Map<String, Value>) -> Result<FilterInput, ApiError> {
    let phrase = params
        .get("phrase")
        .and_then(text)
        .ok_or_else(|| ApiError::unprocessable("Validation failed: phrase can't be blank"))?;
    let whole_word = boolean(params.get("whole_word")).unwrap_or(true);
    let irreversible = boolean(params.get("irreversible")).unwrap_or(false);
    Ok(FilterInput {
        title: Some(phrase.clone()),
        contexts: contexts(params),
        action: Some(if irreversible { "hide" } else { "warn" }.to_owned()),
        expires_in: expires_in(params),
        keywords: Some(vec![(phrase, whole_word)]),
    })
}

pub async fn create_v1(
    State(core): State<Core>,
    Auth(auth): Auth,
    Params(params): Params<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:filters"))?;
    let filter = core.create_filter(user, input_v1(&params)?).await?;
    let keyword = filter
        .keywords
        .first()
        .ok_or(rhizome_core::CoreError::NotFound)?;
    Ok(Json(entities::filter_v1(&filter, keyword)))
}

async fn v1_target(
    core: &Core,
    user: &rhizome_model::LocalUser,
    id: &str,
) -> Result<Filter, ApiError> {
    let id = path_id(id)?;
    Ok(core
        .filters(user)
        .await?
        .into_iter()
        .find(|f| f.keywords.iter().any(|k| k.id == id))
        .ok_or(rhizome_core::CoreError::NotFound)?)
}

pub async fn show_v1(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("read:filters"))?;
    let filter = v1_target(&core, user, &id).await?;
    let keyword_id = path_id(&id)?;
    let keyword = filter
        .keywords
        .iter()
        .find(|k| k.id == keyword_id)
        .ok_or(rhizome_core::CoreError::NotFound)?;
    Ok(Json(entities::filter_v1(&filter, keyword)))
}

pub async fn update_v1(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
    Params(params): Params<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:filters"))?;
    let filter = v1_target(&core, user, &id).await?;
    let updated = core
        .update_filter(user, filter.id, input_v1(&params)?)
        .await?;
    let keyword = updated
        .keywords
        .first()
        .ok_or(rhizome_core::CoreError::NotFound)?;
    Ok(Json(entities::filter_v1(&updated, keyword)))
}

pub async fn delete_v1(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:filters"))?;
    let filter = v1_target(&core, user, &id).await?;
    core.delete_filter(user, filter.id).await?;
    Ok(Json(json!({})))
}
