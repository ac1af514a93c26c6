//! `/api/v1/notifications` and the grouped `/api/v2/notifications`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use rhizome_core::Core;
use rhizome_model::{NotificationKind, Scope};
use rhizome_store::NotificationFilter;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Auth;
use crate::entities;
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::params::{Query, flexible_list};
use crate::support::{paged, path_id, user};

#[derive(Deserialize)]
pub struct NotificationsQuery {
    #[serde(flatten)]
    page: PageQuery,
    #[serde(
        default,
        rename = "types[]",
        alias = "types",
        deserialize_with = "flexible_list"
    )]
    types: Vec<String>,
    #[serde(
        default,
        rename = "exclude_types[]",
        alias = "exclude_types",
        deserialize_with = "flexible_list"
    )]
    exclude_types: Vec<String>,
    account_id: Option<String>,
}

fn kinds(names: &[String]) -> Vec<NotificationKind> {
    // Unknown types are ignored, as Mastodon does: clients send types from newer versions.
    names.iter().filter_map(|n| n.parse().ok()).collect()
}

impl NotificationsQuery {
    fn filter(&self) -> Result<NotificationFilter, crate::ApiError> {
        let mut filter = NotificationFilter {
            types: kinds(&self.types),
            exclude_types: kinds(&self.exclude_types),
            from_account_id: self.account_id.as_deref().map(path_id).transpose()?,
        };
        if !self.types.is_empty() && filter.types.is_empty() {
            // Only unknown types asked for: nothing matches.
            filter.types = vec![];
            filter.exclude_types = NotificationKind::ALL.to_vec();
        }
        Ok(filter)
    }
}

pub async fn list(
    State(core): State<Core>,
    Auth(auth): Auth,
    uri: Uri,
    Query(query): Query<NotificationsQuery>,
) -> ApiResult<Response> {
    let user = user(&auth, Scope("read:notifications"))?;
    let page = core
        .list_notifications(
            user.account.id,
            &query.filter()?,
            &query.page.request(40, 80)?,
        )
        .await?;
    let items = page
        .items
        .iter()
        .map(|n| entities::notification(&core, n))
        .collect();
    Ok(paged(&core, &uri, &page, items))
}

pub async fn get(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("read:notifications"))?;
    let view = core
        .notification_view(user.account.id, path_id(&id)?)
        .await?;
    Ok(Json(entities::notification(&core, &view)))
}

pub async fn dismiss(
    State(core): State<Core>,
    Auth(auth): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:notifications"))?;
    core.dismiss_notifications(user.account.id, Some(path_id(&id)?))
        .await?;
    Ok(Json(json!({})))
}

pub async fn clear(State(core): State<Core>, Auth(auth): Auth) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("write:notifications"))?;
    core.dismiss_notifications(user.account.id, None).await?;
    Ok(Json(json!({})))
}

pub async fn unread_count(State(core): State<Core>, Auth(auth): Auth) -> ApiResult<Json<Value>> {
    let user = user(&auth, Scope("read:notifications"))?;
    Ok(Json(
        json!({ "count": core.unread_notification_count(user.account.id).await? }),
    ))
}

/// `GET /api/v2/notifications`: favourites and boosts of one status are grouped, as are
/// follows; other notifications stand alone (Mastodon 4.3's grouping rules).
pub async fn grouped(
    State(core): State<Core>,
    Auth(auth): Auth,
    uri: Uri,
    Query(query): Query<NotificationsQuery>,
) -> ApiResult<Response> {
    let user = user(&auth, Scope("read:notifications"))?;
    let page = core
        .list_notifications(
            user.account.id,
            &query.filter()?,
            &query.page.request(40, 80)?,
        )
        .await?;
    let mut groups: Vec<Value> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let mut accounts: Vec<Value> = Vec::new();
    let mut account_ids: Vec<rhizome_model::Id> = Vec::new();
    let mut statuses: Vec<Value> = Vec::new();
    let mut status_ids: Vec<rhizome_model::Id> = Vec::new();
    for view in &page.items {
        let n = &view.notification;
        let key = entities::notification_group_key(n);
        if !account_ids.contains(&view.account.account.id) {
            account_ids.push(view.account.account.id);
            accounts.push(entities::account(&core, &view.account));
        }
        if let Some(status) = &view.status
            && !status_ids.contains(&status.status.id)
        {
            status_ids.push(status.status.id);
            statuses.push(entities::status(&core, status));
        }
        match keys.iter().position(|k| *k == key) {
            Some(index) => {
                let group = &mut groups[index];
                let count = group["notifications_count"].as_i64().unwrap_or(1) + 1;
                group["notifications_count"] = json!(count);
                group["page_min_id"] = json!(n.id);
                if let Some(samples) = group["sample_account_ids"].as_array_mut()
                    && samples.len() < 8
                    && !samples.contains(&json!(view.account.account.id))
                {
                    samples.push(json!(view.account.account.id));
                }
            }
            None => {
                keys.push(key.clone());
                groups.push(json!({
                    "group_key": key,
                    "notifications_count": 1,
                    "type": n.kind.as_str(),
                    "most_recent_notification_id": n.id.0,
                    "page_min_id": n.id,
                    "page_max_id": n.id,
                    "latest_page_notification_at": n.created_at.to_rfc3339(),
                    "sample_account_ids": [view.account.account.id],
                    "status_id": n.status_id,
                }));
                if let (Some(warning), Some(group)) = (&view.warning, groups.last_mut()) {
                    group["moderation_warning"] =
                        entities::account_warning(&core, warning, &view.account);
                }
            }
        }
    }
    let body =
        vec![json!({ "accounts": accounts, "statuses": statuses, "notification_groups": groups })];
    let mut response = paged(&core, &uri, &page, body);
    // The grouped endpoint answers one object, not a list.
    if let Ok(bytes) = serde_json::to_vec(
        &json!({ "accounts": accounts, "statuses": statuses, "notification_groups": groups }),
    ) {
        *response.body_mut() = axum::body::Body::from(bytes);
    }
    Ok(response)
}
