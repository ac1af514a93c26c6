//! `/notifications`: who did what, with the post concerned, newest first; follow requests
//! are answered from here.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use rhizome_core::Core;
use rhizome_core::notifications::NotificationView;
use rhizome_model::NotificationKind;
use rhizome_store::NotificationFilter;

use super::{HtmlForm, PAGE_SIZE, PageQuery, actions::ActionForm, see_other};
use crate::error::{WebError, html};
use crate::session::{Ctx, with_flash};
use crate::views::{AccountCard, StatusCard, account_card, display_time, status_card};

pub(super) struct NotificationCard {
    pub id: rhizome_model::Id,
    /// Mastodon's name of the kind (`mention`, `follow_request`…), for styling.
    pub kind: &'static str,
    /// "Alice favourited your post", in the viewer's language.
    pub summary: String,
    pub account: AccountCard,
    pub status: Option<StatusCard>,
    pub created_at: String,
    pub created_display: String,
    /// A follow request still waiting for an answer.
    pub pending_request: bool,
    /// A moderator's words with a warning (empty when they wrote none).
    pub warning_text: Option<String>,
}

#[derive(Template)]
#[template(path = "client/notifications.html")]
struct NotificationsPage<'a> {
    ctx: &'a Ctx,
    notifications: Vec<NotificationCard>,
    next: Option<String>,
}

/// The catalogue id of a kind's sentence (it takes `$name`).
fn summary_id(kind: NotificationKind) -> &'static str {
    match kind {
        NotificationKind::Mention => "client-notification-mention",
        NotificationKind::Status => "client-notification-status",
        NotificationKind::Reblog => "client-notification-reblog",
        NotificationKind::Follow => "client-notification-follow",
        NotificationKind::FollowRequest => "client-notification-follow-request",
        NotificationKind::Favourite => "client-notification-favourite",
        NotificationKind::Poll => "client-notification-poll",
        NotificationKind::Update => "client-notification-update",
        NotificationKind::EmojiReaction => "client-notification-reaction",
        NotificationKind::AdminSignUp => "client-notification-admin-sign-up",
        NotificationKind::AdminReport => "client-notification-admin-report",
        NotificationKind::Quote => "client-notification-quote",
        NotificationKind::QuotedUpdate => "client-notification-quoted-update",
        NotificationKind::Move => "client-notification-move",
        NotificationKind::ModerationWarning => "client-notification-warning-none",
    }
}

/// What a moderator did, by the warning's action (Mastodon's names).
fn warning_summary_id(action: &str) -> &'static str {
    match action {
        "sensitive" => "client-notification-warning-sensitive",
        "disable" => "client-notification-warning-disable",
        "silence" => "client-notification-warning-silence",
        "suspend" => "client-notification-warning-suspend",
        "mark_statuses_as_sensitive" => "client-notification-warning-mark-statuses-sensitive",
        "delete_statuses" => "client-notification-warning-delete-statuses",
        _ => "client-notification-warning-none",
    }
}

async fn card(core: &Core, ctx: &Ctx, view: &NotificationView) -> NotificationCard {
    let viewer = ctx.viewer_id();
    let n = &view.notification;
    let account = account_card(core, &view.account);
    let summary = match (&n.kind, &n.emoji) {
        (NotificationKind::ModerationWarning, _) => ctx.tr.t(warning_summary_id(
            view.warning
                .as_ref()
                .map(|w| w.action.as_str())
                .unwrap_or(""),
        )),
        (NotificationKind::EmojiReaction, Some(emoji)) => ctx.tr.t2(
            "client-notification-reaction-with",
            "name",
            account.display_name.as_str(),
            "emoji",
            emoji.as_str(),
        ),
        _ => ctx
            .tr
            .t1(summary_id(n.kind), "name", account.display_name.as_str()),
    };
    let pending_request = match (n.kind, viewer) {
        (NotificationKind::FollowRequest, Some(me)) => core
            .relationship(me, n.from_account_id)
            .await
            .is_ok_and(|r| r.requested_by),
        _ => false,
    };
    NotificationCard {
        id: n.id,
        kind: n.kind.as_str(),
        summary,
        account,
        status: view.status.as_ref().map(|s| status_card(core, s, viewer)),
        created_at: n.created_at.to_rfc3339(),
        created_display: display_time(n.created_at),
        pending_request,
        warning_text: view
            .warning
            .as_ref()
            .map(|w| w.text.clone())
            .filter(|t| !t.trim().is_empty()),
    }
}

/// `GET /notifications`. Seeing the first page marks them read.
pub async fn show(
    State(core): State<Core>,
    ctx: Ctx,
    Query(query): Query<PageQuery>,
) -> Result<Response, WebError> {
    let user = ctx.require_viewer()?.user.clone();
    let request = query.request(PAGE_SIZE);
    let page = core
        .list_notifications(user.account.id, &NotificationFilter::default(), &request)
        .await?;
    if request.max_id.is_none()
        && let Some(newest) = page.newest_id
    {
        core.set_marker(&user, "notifications", rhizome_model::Id(newest))
            .await?;
    }
    let mut notifications = Vec::with_capacity(page.items.len());
    for view in &page.items {
        notifications.push(card(&core, &ctx, view).await);
    }
    let next = page
        .oldest_id
        .map(|id| format!("/notifications?max_id={id}"));
    html(&NotificationsPage {
        ctx: &ctx,
        notifications,
        next,
    })
}

/// `POST /notifications/clear`: dismisses them all.
pub async fn clear(
    State(core): State<Core>,
    mut ctx: Ctx,
    HtmlForm(form): HtmlForm<ActionForm>,
) -> Result<Response, WebError> {
    ctx.path = "/notifications".to_owned();
    let me = ctx.require_viewer()?.account_id();
    ctx.check_csrf(&core, &form.csrf_token)?;
    core.dismiss_notifications(me, None).await?;
    Ok(with_flash(
        &core,
        see_other("/notifications"),
        "client-flash-notifications-cleared",
    ))
}
