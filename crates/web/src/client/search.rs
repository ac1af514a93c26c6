//! `/search?q=`: accounts, hashtags and posts. An address such as `@user@other.example` is
//! looked up by WebFinger (as the API's `resolve=true`), so people on other servers can be
//! found and followed from here.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use rhizome_core::Core;
use serde::Deserialize;

use crate::error::{WebError, html};
use crate::session::Ctx;
use crate::views::{AccountCard, StatusCard, account_card, status_card};

const LIMIT: u32 = 20;

pub(super) struct AccountResult {
    pub card: AccountCard,
    pub following: bool,
    pub requested: bool,
    pub is_me: bool,
}

#[derive(Template)]
#[template(path = "client/search.html")]
struct SearchPage<'a> {
    ctx: &'a Ctx,
    query: String,
    accounts: Vec<AccountResult>,
    hashtags: Vec<String>,
    statuses: Vec<StatusCard>,
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub async fn show(
    State(core): State<Core>,
    ctx: Ctx,
    Query(query): Query<SearchQuery>,
) -> Result<Response, WebError> {
    let user = ctx.require_viewer()?.user.clone();
    let me = user.account.id;
    let q = query.q.trim().chars().take(200).collect::<String>();
    let mut accounts = Vec::new();
    let mut hashtags = Vec::new();
    let mut statuses = Vec::new();
    if !q.is_empty() {
        let found = core.search_accounts(&q, true, LIMIT, 0).await?;
        let ids: Vec<_> = found.iter().map(|a| a.id).collect();
        let relationships = core.relationships(me, &ids).await?;
        for view in core.account_views(found).await? {
            let relationship = relationships
                .iter()
                .find(|(id, _)| *id == view.account.id)
                .map(|(_, r)| *r)
                .unwrap_or_default();
            accounts.push(AccountResult {
                is_me: view.account.id == me,
                following: relationship.following,
                requested: relationship.requested,
                card: account_card(&core, &view),
            });
        }
        if !q.contains("://") {
            hashtags = core
                .search_tags(&q, Some(me), 10, 0)
                .await?
                .into_iter()
                .map(|t| t.name)
                .collect();
        }
        let views = if q.starts_with("https://") || q.starts_with("http://") {
            // A post's address: known here, or fetched from its server.
            match core.resolve_status(&q).await {
                Ok(status) => core
                    .visible_status_view(status.id, Some(me))
                    .await
                    .into_iter()
                    .collect(),
                Err(err) => {
                    tracing::debug!(error = %err, "search: no post at that address");
                    Vec::new()
                }
            }
        } else {
            core.search_statuses(&user, &q, None, LIMIT, 0).await?
        };
        statuses = views
            .iter()
            .map(|v| status_card(&core, v, Some(me)))
            .collect();
    }
    html(&SearchPage {
        ctx: &ctx,
        query: q,
        accounts,
        hashtags,
        statuses,
    })
}
