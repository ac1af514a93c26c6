//! `/settings/migration` (aliases, and moving to another account) and `/settings/delete`
//! (deleting one's account for good).

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use rhizome_core::{Core, CoreError};
use serde::Deserialize;

use super::html_with;
use crate::error::{WebError, html};
use crate::i18n::Tr;
use crate::session::{self, Ctx, SESSION_COOKIE, set_cookie};
use crate::views::bare_account_card;

pub fn routes() -> Router<Core> {
    Router::new()
        .route("/settings/migration", get(migration_page))
        .route("/settings/migration/aliases", post(add_alias))
        .route("/settings/migration/aliases/remove", post(remove_alias))
        .route("/settings/migration/move", post(move_account))
        .route("/settings/delete", get(delete_page).post(delete_account))
}

/// One alias in the list.
pub struct AliasLine {
    /// The ActivityPub id (what the remove button sends).
    pub uri: String,
    /// `@name@domain` when the account is known here, else its address.
    pub label: String,
    /// Our page for it, when known.
    pub path: Option<String>,
}

/// The account this one moved to.
pub struct MovedTo {
    pub handle: String,
    pub path: String,
}

#[derive(Template)]
#[template(path = "account/migration.html")]
struct MigrationPage<'a> {
    ctx: &'a Ctx,
    section: &'static str,
    error: Option<String>,
    /// `@me@domain`: what to type on the other server to make it an alias of this one.
    own_handle: String,
    aliases: Vec<AliasLine>,
    moved_to: Option<MovedTo>,
    /// What the forms sent, kept when one is refused.
    alias_input: String,
    target_input: String,
}

#[derive(Default)]
struct Kept {
    alias: String,
    target: String,
}

async fn migration_page_of<'a>(
    core: &Core,
    ctx: &'a Ctx,
    error: Option<String>,
    kept: Kept,
) -> Result<MigrationPage<'a>, WebError> {
    let viewer = ctx.require_viewer()?;
    let aliases = core
        .aliases(&viewer.user)
        .await?
        .into_iter()
        .map(|alias| match alias.account {
            Some(account) => {
                let card = bare_account_card(core, &account);
                AliasLine {
                    uri: alias.uri,
                    label: card.full_handle,
                    path: Some(card.path),
                }
            }
            None => AliasLine {
                label: alias.uri.clone(),
                uri: alias.uri,
                path: None,
            },
        })
        .collect();
    let me = core.account(viewer.account_id()).await?;
    let moved_to = match me.moved_to_account_id {
        Some(id) => {
            let card = bare_account_card(core, &core.account(id).await?);
            Some(MovedTo {
                handle: card.full_handle,
                path: card.path,
            })
        }
        None => None,
    };
    Ok(MigrationPage {
        ctx,
        section: "migration",
        error,
        own_handle: bare_account_card(core, &me).full_handle,
        aliases,
        moved_to,
        alias_input: kept.alias,
        target_input: kept.target,
    })
}

async fn migration_page(State(core): State<Core>, ctx: Ctx) -> Result<Response, WebError> {
    ctx.require_viewer()?;
    html(&migration_page_of(&core, &ctx, None, Kept::default()).await?)
}

/// Our words for a refused alias or move, and the status the page comes back with.
fn move_refusal(tr: &Tr, err: &CoreError) -> Option<(StatusCode, String)> {
    let id = match err {
        CoreError::NotFound => "account-migration-not-found",
        CoreError::Forbidden(_) => "account-current-password-wrong",
        CoreError::Invalid(text) if text.contains("alias (alsoKnownAs)") => {
            "account-migration-no-alias"
        }
        CoreError::Invalid(text) if text.contains("itself moved") => {
            "account-migration-target-moved"
        }
        CoreError::Invalid(text) if text.contains("30 days") => "account-migration-cooldown",
        CoreError::Invalid(text) if text.contains("itself") || text.contains("own alias") => {
            "account-migration-self"
        }
        CoreError::Invalid(text) if text.contains("suspended") => "account-migration-not-found",
        CoreError::Invalid(text) if text.contains("fetch") || text.contains("WebFinger") => {
            "account-migration-not-found"
        }
        CoreError::Invalid(text) => return Some((StatusCode::UNPROCESSABLE_ENTITY, text.clone())),
        _ => return None,
    };
    let status = match err {
        CoreError::NotFound => StatusCode::NOT_FOUND,
        CoreError::Forbidden(_) => StatusCode::FORBIDDEN,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    Some((status, tr.t(id)))
}

async fn refused(core: &Core, ctx: &Ctx, err: CoreError, kept: Kept) -> Result<Response, WebError> {
    let Some((status, message)) = move_refusal(&ctx.tr, &err) else {
        return Err(err.into());
    };
    let page = migration_page_of(core, ctx, Some(message), kept).await?;
    html_with(status, &page)
}

fn back_with(core: &Core, message_id: &'static str) -> Response {
    session::with_flash(
        core,
        Redirect::to("/settings/migration").into_response(),
        message_id,
    )
}

#[derive(Deserialize)]
struct AliasForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    handle: String,
}

async fn add_alias(
    State(core): State<Core>,
    ctx: Ctx,
    Form(form): Form<AliasForm>,
) -> Result<Response, WebError> {
    ctx.check_csrf(&core, &form.csrf_token)?;
    let viewer = ctx.require_viewer()?;
    match core.add_alias(&viewer.user, &form.handle).await {
        Ok(_) => Ok(back_with(&core, "account-migration-alias-added")),
        Err(err) => {
            let kept = Kept {
                alias: form.handle.trim().to_owned(),
                ..Kept::default()
            };
            refused(&core, &ctx, err, kept).await
        }
    }
}

#[derive(Deserialize)]
struct RemoveAliasForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    alias: String,
}

async fn remove_alias(
    State(core): State<Core>,
    ctx: Ctx,
    Form(form): Form<RemoveAliasForm>,
) -> Result<Response, WebError> {
    ctx.check_csrf(&core, &form.csrf_token)?;
    let viewer = ctx.require_viewer()?;
    match core.remove_alias(&viewer.user, &form.alias).await {
        Ok(()) => Ok(back_with(&core, "account-migration-alias-removed")),
        Err(err) => refused(&core, &ctx, err, Kept::default()).await,
    }
}

#[derive(Deserialize)]
struct MoveForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    password: String,
}

async fn move_account(
    State(core): State<Core>,
    ctx: Ctx,
    Form(form): Form<MoveForm>,
) -> Result<Response, WebError> {
    ctx.check_csrf(&core, &form.csrf_token)?;
    let viewer = ctx.require_viewer()?;
    match core
        .move_account(&viewer.user, &form.password, &form.target)
        .await
    {
        Ok(_) => Ok(back_with(&core, "account-migration-moved")),
        Err(err) => {
            let kept = Kept {
                target: form.target.trim().to_owned(),
                ..Kept::default()
            };
            refused(&core, &ctx, err, kept).await
        }
    }
}

// ---------------------------------------------------------------------------------------
// Deleting the account.

#[derive(Template)]
#[template(path = "account/delete.html")]
struct DeletePage<'a> {
    ctx: &'a Ctx,
    section: &'static str,
    error: Option<String>,
    username: String,
}

async fn delete_page(ctx: Ctx) -> Result<Response, WebError> {
    let viewer = ctx.require_viewer()?;
    html(&DeletePage {
        username: viewer.username().to_owned(),
        ctx: &ctx,
        section: "delete",
        error: None,
    })
}

struct ArchiveLink {
    url: String,
    name: String,
}

/// What a deleted account's owner sees last: their archives stay downloadable by these links
/// until the deletion completes.
#[derive(Template)]
#[template(path = "account/deleted.html")]
struct DeletedPage<'a> {
    ctx: &'a Ctx,
    archives: Vec<ArchiveLink>,
}

#[derive(Deserialize)]
struct DeleteForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirmation: String,
}

async fn delete_account(
    State(core): State<Core>,
    ctx: Ctx,
    Form(form): Form<DeleteForm>,
) -> Result<Response, WebError> {
    ctx.check_csrf(&core, &form.csrf_token)?;
    let viewer = ctx.require_viewer()?;
    // Read before the deletion: the owner can no longer sign in to fetch them after it.
    let archives: Vec<_> = core
        .archives(&viewer.user)
        .await?
        .into_iter()
        .filter(|a| a.state == rhizome_store::ArchiveState::Ready)
        .collect();
    let (status, id) = match core
        .delete_own_account(&viewer.user, &form.password, Some(&form.confirmation))
        .await
    {
        Ok(()) => {
            let links = archives
                .iter()
                .map(|a| ArchiveLink {
                    url: format!(
                        "/settings/data/archives/{}?token={}",
                        a.id,
                        core.archive_download_token(a.id)
                    ),
                    name: a.file_name.clone(),
                })
                .collect();
            let mut response = html(&DeletedPage {
                ctx: &ctx,
                archives: links,
            })?;
            // The session is revoked already; the browser forgets it too.
            response
                .headers_mut()
                .append(header::SET_COOKIE, set_cookie(&core, SESSION_COOKIE, "", 0));
            return Ok(response);
        }
        Err(CoreError::Forbidden(_)) => (StatusCode::FORBIDDEN, "account-current-password-wrong"),
        Err(CoreError::Invalid(_)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "account-delete-confirmation-wrong",
        ),
        Err(err) => return Err(err.into()),
    };
    html_with(
        status,
        &DeletePage {
            error: Some(ctx.tr.t(id)),
            username: viewer.username().to_owned(),
            ctx: &ctx,
            section: "delete",
        },
    )
}
