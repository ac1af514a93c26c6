//! `/lists`: one's lists (create, rename, delete) and `/lists/{id}`: a list's timeline and
//! its members, added by address among the accounts one follows.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use rhizome_core::lists::ListSettings;
use rhizome_core::{Core, CoreError, PageRequest};
use rhizome_model::Id;
use serde::Deserialize;

use super::timelines::page_cards;
use super::{HtmlForm, PAGE_SIZE, PageQuery, back_to, see_other, with_status};
use crate::error::parse_id;
use crate::error::{WebError, html};
use crate::session::{Ctx, with_flash};
use crate::views::{AccountCard, StatusCard, bare_account_card};

/// Members shown on a list's page, and followed accounts offered to add.
const MEMBERS: u32 = 80;

pub(super) struct ListCard {
    pub id: Id,
    pub title: String,
}

#[derive(Template)]
#[template(path = "client/lists.html")]
struct ListsPage<'a> {
    ctx: &'a Ctx,
    lists: Vec<ListCard>,
    error: Option<String>,
    title: String,
}

#[derive(Template)]
#[template(path = "client/list.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    list: ListCard,
    members: Vec<AccountCard>,
    /// Followed accounts' addresses, offered as the add field's suggestions.
    suggestions: Vec<String>,
    statuses: Vec<StatusCard>,
    next: Option<String>,
    error: Option<String>,
    handle: String,
}

#[derive(Deserialize, Default)]
pub struct ListForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    return_to: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    handle: String,
}

async fn lists_page(
    core: &Core,
    ctx: &Ctx,
    error: Option<String>,
    title: String,
) -> Result<Response, WebError> {
    let user = &ctx.require_viewer()?.user;
    let lists = core
        .lists(user, None)
        .await?
        .into_iter()
        .map(|l| ListCard {
            id: l.id,
            title: l.title,
        })
        .collect();
    html(&ListsPage {
        ctx,
        lists,
        error,
        title,
    })
}

/// `GET /lists`.
pub async fn index(State(core): State<Core>, ctx: Ctx) -> Result<Response, WebError> {
    lists_page(&core, &ctx, None, String::new()).await
}

/// The form's token, once the viewer is known (anonymous forms go to sign in).
fn check(core: &Core, ctx: &mut Ctx, form: &ListForm, back: &str) -> Result<(), WebError> {
    ctx.path = back.to_owned();
    ctx.require_viewer()?;
    ctx.check_csrf(core, &form.csrf_token)
}

/// `POST /lists`: a new list.
pub async fn create(
    State(core): State<Core>,
    mut ctx: Ctx,
    HtmlForm(form): HtmlForm<ListForm>,
) -> Result<Response, WebError> {
    check(&core, &mut ctx, &form, "/lists")?;
    let user = ctx.require_viewer()?.user.clone();
    let settings = ListSettings {
        title: Some(form.title.clone()),
        ..ListSettings::default()
    };
    match core.create_list(&user, settings).await {
        Ok(list) => Ok(with_flash(
            &core,
            see_other(&format!("/lists/{}", list.id)),
            "client-flash-list-created",
        )),
        Err(CoreError::Invalid(message)) => {
            let page = lists_page(&core, &ctx, Some(message), form.title).await?;
            Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
        Err(err) => Err(err.into()),
    }
}

/// `POST /lists/{id}/rename`.
pub async fn rename(
    State(core): State<Core>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<ListForm>,
) -> Result<Response, WebError> {
    let back = back_to(&form.return_to, "/lists");
    check(&core, &mut ctx, &form, &back)?;
    let user = ctx.require_viewer()?.user.clone();
    let settings = ListSettings {
        title: Some(form.title.clone()),
        ..ListSettings::default()
    };
    match core.update_list(&user, parse_id(&id)?, settings).await {
        Ok(_) => Ok(with_flash(
            &core,
            see_other(&back),
            "client-flash-list-renamed",
        )),
        Err(CoreError::Invalid(message)) => {
            let page = lists_page(&core, &ctx, Some(message), String::new()).await?;
            Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
        Err(err) => Err(err.into()),
    }
}

/// `POST /lists/{id}/delete`.
pub async fn delete(
    State(core): State<Core>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<ListForm>,
) -> Result<Response, WebError> {
    check(&core, &mut ctx, &form, "/lists")?;
    let user = ctx.require_viewer()?.user.clone();
    core.delete_list(&user, parse_id(&id)?).await?;
    Ok(with_flash(
        &core,
        see_other("/lists"),
        "client-flash-list-deleted",
    ))
}

async fn list_page(
    core: &Core,
    ctx: &Ctx,
    id: Id,
    query: &PageQuery,
    error: Option<String>,
    handle: String,
) -> Result<Response, WebError> {
    let user = &ctx.require_viewer()?.user;
    let list = core.own_list(user, id).await?;
    let path = format!("/lists/{}", list.id);
    let page = core
        .list_timeline(user, list.id, &query.request(PAGE_SIZE))
        .await?;
    let (statuses, next) = page_cards(core, ctx, &page, &path);
    let members: Vec<AccountCard> = core
        .list_members(user, list.id, &PageRequest::first(MEMBERS))
        .await?
        .items
        .iter()
        .map(|a| bare_account_card(core, a))
        .collect();
    let suggestions = core
        .follow_list(user.account.id, false, &PageRequest::first(MEMBERS))
        .await?
        .items
        .iter()
        .filter(|a| !members.iter().any(|m| m.id == a.id))
        .map(|a| format!("@{}", a.acct()))
        .collect();
    html(&ListPage {
        ctx,
        list: ListCard {
            id: list.id,
            title: list.title,
        },
        members,
        suggestions,
        statuses,
        next,
        error,
        handle,
    })
}

/// `GET /lists/{id}`.
pub async fn show(
    State(core): State<Core>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<Response, WebError> {
    ctx.require_viewer()?;
    list_page(&core, &ctx, parse_id(&id)?, &query, None, String::new()).await
}

/// `POST /lists/{id}/members`: adds a followed account, named by its address.
pub async fn add_member(
    State(core): State<Core>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<ListForm>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let back = format!("/lists/{id}");
    check(&core, &mut ctx, &form, &back)?;
    let user = ctx.require_viewer()?.user.clone();
    let handle = form.handle.trim();
    let result =
        if handle.is_empty() {
            Err(CoreError::Invalid(ctx.tr.t("client-list-handle-required")))
        } else {
            match core.resolve_acct(handle).await {
                Ok(account) => core.add_to_list(&user, id, &[account.id]).await,
                Err(CoreError::NotFound | CoreError::Invalid(_)) => Err(CoreError::Invalid(
                    ctx.tr.t1("client-list-no-such-account", "handle", handle),
                )),
                Err(err) => Err(err),
            }
        };
    match result {
        Ok(()) => Ok(with_flash(
            &core,
            see_other(&back),
            "client-flash-list-member-added",
        )),
        Err(CoreError::Invalid(message)) => {
            let page = list_page(
                &core,
                &ctx,
                id,
                &PageQuery::default(),
                Some(message),
                handle.to_owned(),
            )
            .await?;
            Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
        Err(err) => Err(err.into()),
    }
}

/// `POST /lists/{id}/members/{account_id}/remove`.
pub async fn remove_member(
    State(core): State<Core>,
    mut ctx: Ctx,
    Path((id, account_id)): Path<(String, String)>,
    HtmlForm(form): HtmlForm<ListForm>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let back = format!("/lists/{id}");
    check(&core, &mut ctx, &form, &back)?;
    let user = ctx.require_viewer()?.user.clone();
    core.remove_from_list(&user, id, &[parse_id(&account_id)?])
        .await?;
    Ok(with_flash(
        &core,
        see_other(&back),
        "client-flash-list-member-removed",
    ))
}
