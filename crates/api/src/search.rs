//! `GET /api/v2/search`: accounts by name or address (resolving remote ones), posts by URL or
//! by their words, hashtags by name.

use axum::Json;
use axum::extract::State;
use rhizome_core::Core;
use rhizome_model::Scope;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::MaybeAuth;
use crate::entities;
use crate::error::ApiResult;
use crate::params::{Query, flexible_bool};
use crate::support::{viewer, viewer_id};

#[derive(Deserialize)]
pub struct SearchQuery {
    q: String,
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    resolve: Option<bool>,
    limit: Option<u32>,
    offset: Option<u32>,
    account_id: Option<String>,
    /// Only accounts the user follows.
    #[serde(default, deserialize_with = "flexible_bool")]
    following: Option<bool>,
}

pub async fn search(
    State(core): State<Core>,
    auth: MaybeAuth,
    Query(query): Query<SearchQuery>,
) -> ApiResult<Json<Value>> {
    let viewer = viewer(&auth, Scope("read:search"))?;
    let q = query.q.trim();
    let limit = query.limit.unwrap_or(20).clamp(1, 40);
    // Only signed-in users may make us fetch from other servers.
    let resolve = query.resolve.unwrap_or(false) && viewer.is_some();
    let kind = query.kind.as_deref();
    let mut accounts = Vec::new();
    let mut statuses = Vec::new();

    if kind.is_none_or(|k| k == "statuses")
        && (q.starts_with("https://") || q.starts_with("http://"))
    {
        let found = match core
            .store
            .status_by_uri(q)
            .await
            .map_err(rhizome_core::CoreError::from)?
        {
            Some(status) => Some(status),
            None if resolve => core.resolve_status(q).await.ok(),
            None => None,
        };
        if let Some(status) = found
            && let Ok(view) = core.visible_status_view(status.id, viewer_id(viewer)).await
        {
            statuses.push(entities::status(&core, &view));
        }
    }
    // Full-text search of statuses, for signed-in users (Mastodon's rule).
    if statuses.is_empty()
        && kind.is_none_or(|k| k == "statuses")
        && !q.contains("://")
        && let Some(user) = viewer
    {
        let author = query
            .account_id
            .as_deref()
            .map(crate::support::path_id)
            .transpose()?;
        let found = core
            .search_statuses(user, q, author, limit, query.offset.unwrap_or(0))
            .await?;
        statuses.extend(found.iter().map(|v| entities::status(&core, v)));
    }
    if kind.is_none_or(|k| k == "accounts") {
        let mut found = Vec::new();
        let address = q.trim_start_matches('@');
        if address.contains('@') && !address.contains(' ') {
            let resolved = if resolve {
                core.resolve_acct(address).await.ok()
            } else {
                let (user, domain) = address.split_once('@').unwrap_or((address, ""));
                core.store
                    .account_by_acct(user, Some(domain))
                    .await
                    .map_err(rhizome_core::CoreError::from)?
            };
            found.extend(resolved);
        } else if (q.starts_with("https://") || q.starts_with("http://")) && resolve {
            found.extend(core.actor_by_uri(q).await.ok());
        }
        if found.is_empty() && !q.is_empty() && !q.contains("://") {
            found = core
                .store
                .search_accounts(address, limit, query.offset.unwrap_or(0))
                .await
                .map_err(rhizome_core::CoreError::from)?;
        }
        let mut found: Vec<_> = found
            .into_iter()
            .filter(|a| a.suspended_at.is_none())
            .collect();
        if query.following.unwrap_or(false) {
            found = match viewer {
                Some(user) => core.followed_among(user.account.id, found).await?,
                None => Vec::new(),
            };
        }
        for view in core.account_views(found).await? {
            accounts.push(entities::account(&core, &view));
        }
    }
    let mut hashtags = Vec::new();
    if kind.is_none_or(|k| k == "hashtags") && !q.contains("://") {
        let found = core
            .search_tags(q, viewer_id(viewer), limit, query.offset.unwrap_or(0))
            .await?;
        hashtags.extend(
            found
                .iter()
                .map(|t| entities::tag(&core, t, viewer.is_some())),
        );
    }
    Ok(Json(
        json!({ "accounts": accounts, "statuses": statuses, "hashtags": hashtags }),
    ))
}
