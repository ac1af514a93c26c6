//! What the post partial's forms do (favourite, boost, bookmark, react and unreact, delete,
//! vote), and
//! following: each checks the form token, acts through core, then goes back to the page it
//! came from — or answers the post's new HTML to the script.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use rhizome_core::Core;
use rhizome_core::social::FollowOptions;
use rhizome_core::views::StatusView;
use rhizome_store::Mark;
use serde::Deserialize;

use super::{HtmlForm, back_to, fragment_response, see_other, status_fragment, wants_fragment};
use crate::error::WebError;
use crate::error::parse_id;
use crate::session::{Ctx, with_flash};

/// The fields every action form carries.
#[derive(Deserialize, Default)]
pub struct ActionForm {
    #[serde(default)]
    pub(super) csrf_token: String,
    #[serde(default)]
    pub(super) return_to: String,
    /// For reactions.
    #[serde(default)]
    emoji: String,
}

#[derive(Clone, Copy)]
enum StatusAction {
    Favourite,
    Unfavourite,
    Reblog,
    Unreblog,
    Bookmark,
    Unbookmark,
    React,
    Unreact,
    Delete,
}

async fn status_action(
    core: Core,
    mut ctx: Ctx,
    headers: HeaderMap,
    id: String,
    form: ActionForm,
    action: StatusAction,
) -> Result<Response, WebError> {
    let back = back_to(&form.return_to, "/home");
    ctx.path = back.clone();
    let user = ctx.require_viewer()?.user.clone();
    ctx.check_csrf(&core, &form.csrf_token)?;
    let id = parse_id(&id)?;
    let view: Option<StatusView> = match action {
        StatusAction::Favourite => Some(core.mark_status(&user, id, Mark::Favourite).await?),
        StatusAction::Unfavourite => Some(core.unmark_status(&user, id, Mark::Favourite).await?),
        StatusAction::Bookmark => Some(core.mark_status(&user, id, Mark::Bookmark).await?),
        StatusAction::Unbookmark => Some(core.unmark_status(&user, id, Mark::Bookmark).await?),
        StatusAction::Reblog => {
            let mut boost = core.reblog(&user, id, None).await?;
            // The page shows the post, not the boost.
            Some(boost.reblog.take().map(|inner| *inner).unwrap_or(boost))
        }
        StatusAction::Unreblog => Some(core.unreblog(&user, id).await?),
        StatusAction::React => Some(core.react(&user, id, form.emoji.trim()).await?),
        StatusAction::Unreact => Some(core.unreact(&user, id, form.emoji.trim()).await?),
        StatusAction::Delete => {
            let gone = core.delete_status(&user, id, false).await?;
            tracing::debug!(status = %gone.status.id, "deleted from the web client");
            None
        }
    };
    match view {
        Some(view) if wants_fragment(&headers) => status_fragment(&core, &mut ctx, &view, &back),
        Some(_) => Ok(see_other(&back)),
        // Nothing is left to show: the script removes the post.
        None if wants_fragment(&headers) => Ok(fragment_response(String::new())),
        None => {
            // The deleted post's own page is gone too.
            let gone = back.ends_with(&format!("/{id}"));
            let page = if gone { "/home" } else { back.as_str() };
            Ok(with_flash(&core, see_other(page), "client-flash-deleted"))
        }
    }
}

macro_rules! status_actions {
    ($($name:ident => $action:ident),* $(,)?) => {
        $(
            pub async fn $name(
                State(core): State<Core>,
                ctx: Ctx,
                headers: HeaderMap,
                Path(id): Path<String>,
                HtmlForm(form): HtmlForm<ActionForm>,
            ) -> Result<Response, WebError> {
                status_action(core, ctx, headers, id, form, StatusAction::$action).await
            }
        )*
    };
}

status_actions! {
    favourite => Favourite,
    unfavourite => Unfavourite,
    reblog => Reblog,
    unreblog => Unreblog,
    bookmark => Bookmark,
    unbookmark => Unbookmark,
    react => React,
    unreact => Unreact,
    delete => Delete,
}

#[derive(Deserialize, Default)]
pub struct VoteForm {
    #[serde(default)]
    pub(super) csrf_token: String,
    #[serde(default)]
    pub(super) return_to: String,
    /// The chosen options' indexes; repeated in a multiple-choice poll.
    #[serde(default)]
    choices: Vec<String>,
}

/// `POST /polls/{id}/vote`.
pub async fn vote(
    State(core): State<Core>,
    mut ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<VoteForm>,
) -> Result<Response, WebError> {
    let back = back_to(&form.return_to, "/home");
    ctx.path = back.clone();
    let user = ctx.require_viewer()?.user.clone();
    ctx.check_csrf(&core, &form.csrf_token)?;
    let choices = form
        .choices
        .iter()
        .map(|c| c.trim().parse::<i64>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| WebError::Invalid(ctx.tr.t("client-poll-no-such-option")))?;
    let poll_id = parse_id(&id)?;
    core.vote(&user, poll_id, &choices).await?;
    if wants_fragment(&headers) {
        let (_, status) = core.visible_poll(poll_id, Some(user.account.id)).await?;
        let view = core
            .visible_status_view(status.id, Some(user.account.id))
            .await?;
        return status_fragment(&core, &mut ctx, &view, &back);
    }
    Ok(see_other(&back))
}

#[derive(Clone, Copy)]
enum AccountAction {
    Follow,
    Unfollow,
    Authorize,
    Reject,
}

async fn account_action(
    core: Core,
    mut ctx: Ctx,
    id: String,
    form: ActionForm,
    action: AccountAction,
) -> Result<Response, WebError> {
    let fallback = match action {
        AccountAction::Authorize | AccountAction::Reject => "/notifications",
        AccountAction::Follow | AccountAction::Unfollow => "/home",
    };
    let back = back_to(&form.return_to, fallback);
    ctx.path = back.clone();
    let user = ctx.require_viewer()?.user.clone();
    ctx.check_csrf(&core, &form.csrf_token)?;
    let id = parse_id(&id)?;
    let message = match action {
        AccountAction::Follow => {
            let relationship = core.follow(&user, id, FollowOptions::default()).await?;
            if relationship.requested && !relationship.following {
                "client-flash-follow-requested"
            } else {
                "client-flash-followed"
            }
        }
        AccountAction::Unfollow => {
            core.unfollow(&user, id).await?;
            "client-flash-unfollowed"
        }
        AccountAction::Authorize => {
            core.authorize_follow_request(&user, id).await?;
            "client-flash-request-accepted"
        }
        AccountAction::Reject => {
            core.reject_follow_request(&user, id).await?;
            "client-flash-request-rejected"
        }
    };
    Ok(with_flash(&core, see_other(&back), message))
}

macro_rules! account_actions {
    ($($name:ident => $action:ident),* $(,)?) => {
        $(
            pub async fn $name(
                State(core): State<Core>,
                ctx: Ctx,
                Path(id): Path<String>,
                HtmlForm(form): HtmlForm<ActionForm>,
            ) -> Result<Response, WebError> {
                account_action(core, ctx, id, form, AccountAction::$action).await
            }
        )*
    };
}

account_actions! {
    follow => Follow,
    unfollow => Unfollow,
    authorize_follow => Authorize,
    reject_follow => Reject,
}
