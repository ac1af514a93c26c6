//! Rhizome's data as Mastodon API entities: every conversion to client JSON lives here.

use rhizome_core::Core;
use rhizome_core::notifications::NotificationView;
use rhizome_core::settings::EffectiveSettings;
use rhizome_core::text::stored_html_to_text;
use rhizome_core::views::{AccountView, StatusView};
use rhizome_model::{
    Account, Attachment, LocalUser, OAuthApp, PushSubscription, QuotePolicy, QuoteState,
    Relationship, Role, StatusEdit, Visibility,
};
use serde_json::{Value, json};

/// Mastodon 4.5's QuoteApproval: the post's policy, and what it means for the viewer. A
/// remote post whose server states no policy lists no audience.
fn quote_approval(view: &StatusView) -> Value {
    let policy = view.status.quote_policy.unwrap_or_default();
    json!({
        "automatic": QuotePolicy::keys(policy.automatic),
        "manual": QuotePolicy::keys(policy.manual),
        "current_user": view.quote_decision.as_str(),
    })
}

/// Mastodon 4.5's Quote: where it stands, and the quoted post once it is accepted.
fn quote(core: &Core, view: &StatusView) -> Value {
    let Some(state) = view.status.quote_state else {
        return Value::Null;
    };
    let accepted = state == QuoteState::Accepted;
    json!({
        "state": state.as_str(),
        "quoted_status": view.quote.as_ref().filter(|_| accepted).map(|q| status(core, q)),
    })
}

/// A CustomEmoji as used in a post or a profile (remote ones through our cache).
fn emoji_ref(core: &Core, emoji: &rhizome_model::EmojiRef) -> Value {
    let url = core.proxied_url(&emoji.url);
    json!({ "shortcode": emoji.shortcode, "url": url, "static_url": url, "visible_in_picker": false })
}

fn emojis(core: &Core, account: &Account) -> Vec<Value> {
    account.emojis.iter().map(|e| emoji_ref(core, e)).collect()
}

/// One of this instance's custom emoji, for `GET /api/v1/custom_emojis`.
pub fn custom_emoji(emoji: &rhizome_store::CustomEmoji) -> Value {
    json!({
        "shortcode": emoji.shortcode,
        "url": emoji.url,
        "static_url": emoji.url,
        "visible_in_picker": emoji.visible_in_picker,
        "category": emoji.category,
    })
}

/// The Account entity.
pub fn account(core: &Core, view: &AccountView) -> Value {
    let account = &view.account;
    let urls = &core.urls;
    // Remote pictures come through our cache, so that viewers' addresses stay here.
    let avatar = account
        .avatar_url
        .as_deref()
        .map(|url| core.proxied_url(url))
        .unwrap_or_else(|| urls.default_avatar());
    let header = account
        .header_url
        .as_deref()
        .map(|url| core.proxied_url(url))
        .unwrap_or_else(|| urls.default_header());
    let fields: Vec<Value> = account
        .fields
        .iter()
        .map(|f| json!({ "name": f.name, "value": core.profile_field_html(account, &f.value), "verified_at": f.verified_at.map(|t| t.to_rfc3339()) }))
        .collect();
    let role = view.role.unwrap_or(Role::User);
    let mut entity = json!({
        "id": account.id,
        "username": account.username,
        "acct": account.acct(),
        "display_name": account.display_name,
        "locked": account.locked,
        "bot": account.bot,
        "discoverable": account.discoverable,
        "indexable": account.discoverable,
        "group": account.actor_type == "Group",
        "hide_collections": false,
        // Mastodon rounds creation to the day, so that it reveals little.
        "created_at": format!("{}T00:00:00.000Z", account.created_at.to_date()),
        "note": account.note,
        "url": account.url.clone().unwrap_or_else(|| account.uri.clone()),
        "uri": account.uri,
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": view.counts.followers,
        "following_count": view.counts.following,
        "statuses_count": view.counts.statuses,
        "last_status_at": view.counts.last_status_at.map(|t| t.to_date()),
        "emojis": emojis(core, account),
        "fields": fields,
        "pleroma": {
            "ap_id": account.uri,
            "is_admin": role == Role::Admin,
            "is_moderator": role.is_staff(),
            "local": account.is_local(),
            "hide_followers": false,
            "hide_follows": false,
            "hide_followers_count": false,
            "hide_follows_count": false,
            "is_confirmed": true,
            "tags": [],
            "also_known_as": account.also_known_as,
        },
        "akkoma": { "instance": Value::Null, "status_ttl_days": Value::Null, "permit_followback": false },
    });
    if account.suspended_at.is_some() {
        entity["suspended"] = json!(true);
        entity["display_name"] = json!("");
        entity["note"] = json!("");
        entity["fields"] = json!([]);
        entity["emojis"] = json!([]);
        entity["avatar"] = json!(urls.default_avatar());
        entity["avatar_static"] = json!(urls.default_avatar());
        entity["header"] = json!(urls.default_header());
        entity["header_static"] = json!(urls.default_header());
    }
    // Mastodon's `moved`: the new account, present only once the account has moved.
    if let Some(moved) = &view.moved {
        entity["moved"] = self::account(core, moved);
    }
    if account.is_local() {
        entity["noindex"] = json!(!account.discoverable);
        entity["roles"] = if role.is_staff() {
            json!([{ "id": if role == Role::Admin { "3" } else { "2" }, "name": role_name(role), "color": "" }])
        } else {
            json!([])
        };
    }
    entity
}

/// A MutedAccount: the Account with the moment its mute ends (`null` for ever).
pub fn muted_account(mut account: Value, ends_at: Option<rhizome_model::Timestamp>) -> Value {
    if let Value::Object(fields) = &mut account {
        fields.insert(
            "mute_expires_at".into(),
            json!(ends_at.map(|t| t.to_rfc3339())),
        );
    }
    account
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "Admin",
        Role::Moderator => "Moderator",
        Role::User => "",
    }
}

/// The Account entity with `source` and `role`, for its owner, who has
/// `follow_requests_count` pending requests (Mastodon counts at most 40).
pub fn credential_account(
    core: &Core,
    view: &AccountView,
    user: &LocalUser,
    follow_requests_count: usize,
    defaults: &rhizome_model::PostingDefaults,
) -> Value {
    let mut entity = account(core, view);
    let fields: Vec<Value> = user
        .account
        .fields
        .iter()
        .map(|f| json!({ "name": f.name, "value": f.value, "verified_at": Value::Null }))
        .collect();
    entity["source"] = json!({
        "privacy": defaults.visibility.as_str(),
        "sensitive": defaults.sensitive,
        "language": defaults.language,
        "note": stored_html_to_text(&user.account.note),
        "fields": fields,
        "follow_requests_count": follow_requests_count,
        "hide_collections": false,
        "discoverable": user.account.discoverable,
        "indexable": user.account.discoverable,
    });
    entity["role"] = json!({
        "id": match user.role { Role::Admin => "3", Role::Moderator => "2", Role::User => "-99" },
        "name": role_name(user.role),
        "permissions": match user.role { Role::Admin => "1", Role::Moderator => "1020", Role::User => "0" },
        "color": "",
        "highlighted": user.role.is_staff(),
    });
    entity
}

pub fn relationship(id: rhizome_model::Id, r: &Relationship) -> Value {
    json!({
        "id": id,
        "following": r.following,
        "showing_reblogs": r.showing_reblogs,
        "notifying": r.notifying,
        "languages": Value::Null,
        "followed_by": r.followed_by,
        "blocking": r.blocking,
        "blocked_by": r.blocked_by,
        "muting": r.muting,
        "muting_notifications": r.muting_notifications,
        "requested": r.requested,
        "requested_by": r.requested_by,
        "domain_blocking": r.domain_blocking,
        "endorsed": r.endorsed,
        "note": "",
    })
}

pub fn attachment(core: &Core, a: &Attachment) -> Value {
    let meta: Value = serde_json::from_str(&a.meta).unwrap_or_else(|_| json!({}));
    // A remote file is served through our cache; `remote_url` keeps where it lives. An
    // upload still being processed has no address yet.
    let (url, preview) = if a.processing {
        (None, None)
    } else {
        let (url, preview) = core.attachment_urls(a);
        // Without a preview an image is its own; a video or a sound has none to show.
        let preview = preview
            .or_else(|| (a.kind == rhizome_model::AttachmentKind::Image).then(|| url.clone()));
        (Some(url), preview)
    };
    json!({
        "id": a.id,
        "type": a.kind.as_str(),
        "url": url,
        "preview_url": preview,
        "remote_url": a.remote_url,
        "preview_remote_url": Value::Null,
        "text_url": Value::Null,
        "meta": meta,
        "description": a.description,
        "blurhash": a.blurhash,
    })
}

fn visibility(v: Visibility) -> &'static str {
    v.as_str()
}

/// The Status entity, as `viewer` sees it.
pub fn status(core: &Core, view: &StatusView) -> Value {
    let s = &view.status;
    let reblog = view.reblog.as_ref().map(|inner| status(core, inner));
    let mentions: Vec<Value> = view
        .mentions
        .iter()
        .map(|a| json!({ "id": a.id, "username": a.username, "acct": a.acct(), "url": a.url.clone().unwrap_or_else(|| a.uri.clone()) }))
        .collect();
    let base = core.urls.base();
    let tags: Vec<Value> = view
        .tags
        .iter()
        .map(|t| json!({ "name": t.to_lowercase(), "url": format!("{base}/tags/{}", t.to_lowercase()) }))
        .collect();
    let reactions: Vec<Value> = view
        .reactions
        .iter()
        .map(|r| {
            let url = r.url.as_deref().map(|u| core.proxied_url(u));
            json!({ "name": r.emoji.trim_matches(':'), "count": r.count, "me": r.me, "url": url, "account_ids": r.account_ids })
        })
        .collect();
    let is_author = view.flags.is_some() && view.account.account.is_local();
    // Akkoma shows a quoted post only while its author approves of the quote.
    let accepted_quote = view
        .quote
        .as_deref()
        .filter(|_| s.quote_state == Some(QuoteState::Accepted));
    let mut entity = json!({
        "id": s.id,
        "uri": s.uri,
        "url": s.url,
        "created_at": s.created_at.to_rfc3339(),
        "edited_at": s.edited_at.map(|t| t.to_rfc3339()),
        "account": account(core, &view.account),
        "content": match &s.title {
            Some(title) => format!("<p><strong>{}</strong></p>{}", escape(title), s.content),
            None => s.content.clone(),
        },
        "visibility": visibility(s.visibility),
        "sensitive": s.sensitive,
        "spoiler_text": s.spoiler_text,
        "media_attachments": view.attachments.iter().map(|a| attachment(core, a)).collect::<Vec<_>>(),
        "application": Value::Null,
        "mentions": mentions,
        "tags": tags,
        "emojis": view.emojis.iter().map(|e| emoji_ref(core, e)).collect::<Vec<_>>(),
        "quote_approval": quote_approval(view),
        "reblogs_count": view.counts.reblogs,
        "favourites_count": view.counts.favourites,
        "replies_count": view.counts.replies,
        "quotes_count": view.quotes_count,
        "in_reply_to_id": s.in_reply_to_id,
        "in_reply_to_account_id": s.in_reply_to_account_id,
        "reblog": reblog,
        "poll": view.poll.as_ref().map(poll),
        "card": view.card.as_ref().map(|card| preview_card(core, card)),
        "language": s.language,
        // Mastodon 4.5's Quote (with its state); Akkoma's shape is in `pleroma.quote`.
        "quote": quote(core, view),
        "filtered": view.filtered.iter().map(|m| json!({
            "filter": filter(&m.filter),
            "keyword_matches": m.keyword_matches,
            "status_matches": m.status_matches,
        })).collect::<Vec<_>>(),
        "pleroma": {
            "local": s.local,
            "conversation_id": s.conversation,
            "context": s.conversation,
            "in_reply_to_account_acct": view.in_reply_to_account.as_ref().map(Account::acct),
            "content": { "text/plain": stored_html_to_text(&s.content) },
            "spoiler_text": { "text/plain": s.spoiler_text },
            "expires_at": Value::Null,
            "thread_muted": view.flags.map(|f| f.muted).unwrap_or(false),
            "emoji_reactions": reactions,
            "parent_visible": s.in_reply_to_id.is_some(),
            "pinned_at": Value::Null,
            "quotes_count": view.quotes_count,
            "quote": accepted_quote.map(|q| status(core, q)),
            "quote_id": s.quote_of_id,
            "quote_url": view.quote.as_ref().map(|q| q.status.url.clone().unwrap_or_else(|| q.status.uri.clone())),
            "quote_visible": accepted_quote.is_some(),
        },
    });
    if let Some(flags) = view.flags {
        entity["favourited"] = json!(flags.favourited);
        entity["reblogged"] = json!(flags.reblogged);
        entity["muted"] = json!(flags.muted);
        entity["bookmarked"] = json!(flags.bookmarked);
        if is_author && !s.is_reblog() && s.visibility != Visibility::Direct {
            entity["pinned"] = json!(flags.pinned);
        }
    }
    entity
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A deleted status: `text` (the source, for redrafting) instead of `content`.
pub fn deleted_status(core: &Core, view: &StatusView) -> Value {
    let mut entity = status(core, view);
    if let Some(object) = entity.as_object_mut() {
        object.remove("content");
        object.insert("text".into(), json!(view.status.text));
    }
    entity
}

/// `GET /statuses/:id/source`.
pub fn status_source(view: &StatusView) -> Value {
    json!({ "id": view.status.id, "text": view.status.text, "spoiler_text": view.status.spoiler_text })
}

/// `GET /statuses/:id/history`: earlier versions, then the current one.
pub fn status_history(core: &Core, view: &StatusView, edits: &[StatusEdit]) -> Vec<Value> {
    let author = account(core, &view.account);
    let mut versions: Vec<Value> = edits
        .iter()
        .map(|e| {
            json!({
                "content": e.content,
                "spoiler_text": e.spoiler_text,
                "sensitive": e.sensitive,
                "created_at": e.created_at.to_rfc3339(),
                "account": author,
                "poll": Value::Null,
                "media_attachments": [],
                "emojis": [],
            })
        })
        .collect();
    versions.push(json!({
        "content": view.status.content,
        "spoiler_text": view.status.spoiler_text,
        "sensitive": view.status.sensitive,
        "created_at": view.status.edited_at.unwrap_or(view.status.created_at).to_rfc3339(),
        "account": author,
        "poll": Value::Null,
        "media_attachments": view.attachments.iter().map(|a| attachment(core, a)).collect::<Vec<_>>(),
        "emojis": [],
    }));
    versions
}

/// The group a notification belongs to in `/api/v2/notifications` (Mastodon 4.3's rules:
/// favourites and boosts of one status, follows of one day; the rest stand alone). The v1
/// entity carries the same key.
pub fn notification_group_key(n: &rhizome_model::Notification) -> String {
    use rhizome_model::NotificationKind;
    match (n.kind, n.status_id) {
        (NotificationKind::Favourite | NotificationKind::Reblog, Some(status)) => {
            format!("{}-{}", n.kind.as_str(), status)
        }
        (NotificationKind::Follow, _) => format!("follow-{}", n.created_at.0 / 86_400_000),
        _ => format!("ungrouped-{}", n.id),
    }
}

pub fn notification(core: &Core, n: &NotificationView) -> Value {
    let mut entity = json!({
        "id": n.notification.id,
        "type": n.notification.kind.as_str(),
        "group_key": notification_group_key(&n.notification),
        "created_at": n.notification.created_at.to_rfc3339(),
        "account": account(core, &n.account),
        "status": n.status.as_ref().map(|s| status(core, s)),
        "pleroma": { "is_seen": false, "is_muted": false },
    });
    if let Some(emoji) = &n.notification.emoji {
        entity["emoji"] = json!(emoji);
    }
    // A `move` names the new account (the old one is `account`).
    if let Some(target) = &n.target {
        entity["target"] = account(core, target);
    }
    if let Some(warning) = &n.warning {
        entity["moderation_warning"] = account_warning(core, warning, &n.account);
    }
    entity
}

/// Mastodon's `AccountWarning`, as its target sees it: no moderator, no reporter; appeals are
/// not offered.
pub fn account_warning(
    core: &Core,
    warning: &rhizome_store::AccountWarning,
    target: &rhizome_core::views::AccountView,
) -> Value {
    json!({
        "id": warning.id,
        "action": warning.action,
        "text": warning.text,
        "status_ids": warning.status_ids,
        "target_account": account(core, target),
        "appeal": null,
        "created_at": warning.created_at.to_rfc3339(),
    })
}

pub fn application(core: &Core, app: &OAuthApp, with_secret: bool) -> Value {
    let mut entity = json!({
        "id": app.id,
        "name": app.name,
        "website": app.website,
        "scopes": app.scopes.iter().collect::<Vec<_>>(),
        "redirect_uri": app.redirect_uris.join("\n"),
        "redirect_uris": app.redirect_uris,
        // Deprecated for `configuration.vapid.public_key`, still read by clients.
        "vapid_key": core.vapid_server_key(),
    });
    if with_secret {
        entity["client_id"] = json!(app.client_id);
        entity["client_secret"] = json!(app.client_secret);
        entity["client_secret_expires_at"] = json!(0);
    }
    entity
}

/// The WebPushSubscription entity: every alert type with whether it is pushed.
pub fn push_subscription(core: &Core, subscription: &PushSubscription) -> Value {
    let alerts: serde_json::Map<String, Value> = rhizome_model::NotificationKind::ALL
        .into_iter()
        .map(|kind| {
            (
                kind.as_str().to_owned(),
                json!(subscription.alerts.enabled(kind)),
            )
        })
        .collect();
    json!({
        "id": subscription.id,
        "endpoint": subscription.endpoint,
        "standard": subscription.standard,
        "alerts": alerts,
        "server_key": core.vapid_server_key(),
        "policy": subscription.policy.as_str(),
    })
}

pub fn token(issued: &rhizome_core::oauth::IssuedToken) -> Value {
    let mut entity = json!({
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "scope": issued.scopes.to_string(),
        "created_at": issued.created_at.0 / 1000,
    });
    if let Some(refresh) = &issued.refresh_token {
        entity["refresh_token"] = json!(refresh);
    }
    entity
}

/// `/api/v1/instance`.
pub fn instance_v1(
    core: &Core,
    settings: &EffectiveSettings,
    user_count: i64,
    status_count: i64,
    domain_count: i64,
) -> Value {
    let registrations = settings.registrations;
    json!({
        "uri": core.config.domain,
        "title": settings.name,
        "short_description": settings.description,
        "description": settings.description,
        "email": settings.contact_email,
        "version": crate::version_string(),
        "urls": { "streaming_api": core.urls.streaming() },
        "stats": { "user_count": user_count, "status_count": status_count, "domain_count": domain_count },
        "thumbnail": format!("{}/static/thumbnail.png", core.urls.base()),
        "languages": ["en", "fr"],
        "registrations": registrations_open(registrations),
        "approval_required": registrations == rhizome_core::RegistrationMode::Approval,
        "invites_enabled": registrations == rhizome_core::RegistrationMode::Invite,
        "configuration": configuration(core),
        "contact_account": Value::Null,
        "rules": rules(settings),
        "pleroma": { "metadata": { "features": ["mastodon_api", "pleroma_api", "pleroma_emoji_reactions", "akkoma_api", "editing", "exposable_reactions"], "post_formats": ["text/plain", "text/markdown", "text/html"] } },
    })
}

/// `/api/v2/instance`.
pub fn instance_v2(core: &Core, settings: &EffectiveSettings, active_users: i64) -> Value {
    let registrations = settings.registrations;
    let mut configuration = configuration(core);
    configuration["urls"] = json!({ "streaming": core.urls.streaming() });
    configuration["translation"] = json!({ "enabled": false });
    configuration["vapid"] = json!({ "public_key": core.vapid_server_key() });
    json!({
        "domain": core.config.domain,
        "title": settings.name,
        "version": crate::version_string(),
        "source_url": "https://example.invalid/rhizome",
        "description": settings.description,
        "usage": { "users": { "active_month": active_users } },
        "thumbnail": { "url": format!("{}/static/thumbnail.png", core.urls.base()) },
        // Mastodon 4.3's favicons; Rhizome has none of its own yet.
        "icon": [],
        "languages": ["en", "fr"],
        "configuration": configuration,
        "registrations": {
            "enabled": registrations_open(registrations),
            "approval_required": registrations == rhizome_core::RegistrationMode::Approval,
            "reason_required": registrations == rhizome_core::RegistrationMode::Approval,
            "message": Value::Null,
            "url": Value::Null,
        },
        "contact": { "email": settings.contact_email, "account": Value::Null },
        "rules": rules(settings),
        "api_versions": { "mastodon": 2 },
    })
}

fn registrations_open(mode: rhizome_core::RegistrationMode) -> bool {
    matches!(
        mode,
        rhizome_core::RegistrationMode::Open | rhizome_core::RegistrationMode::Approval
    )
}

pub fn rules(settings: &EffectiveSettings) -> Vec<Value> {
    settings
        .rules
        .iter()
        .enumerate()
        .map(|(i, text)| json!({ "id": (i + 1).to_string(), "text": text, "hint": "" }))
        .collect()
}

fn configuration(core: &Core) -> Value {
    let config = &core.config;
    json!({
        "accounts": { "max_featured_tags": 10, "max_pinned_statuses": 5 },
        "statuses": {
            "max_characters": config.max_post_chars,
            "max_media_attachments": config.media.max_attachments,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "supported_mime_types": rhizome_core::media::process::supported_media_types(),
            "image_size_limit": config.media.max_image_bytes,
            "image_matrix_limit": config.media.max_image_pixels,
            "video_size_limit": config.media.max_video_bytes,
            "description_limit": config.media.max_description_chars,
            "video_frame_rate_limit": 60,
            "video_matrix_limit": 2_304_000,
        },
        "polls": {
            "max_options": 4,
            "max_characters_per_option": 50,
            "min_expiration": 300,
            "max_expiration": 2_629_746,
        },
    })
}

pub fn list(list: &rhizome_store::List) -> Value {
    json!({
        "id": list.id,
        "title": list.title,
        "replies_policy": list.replies_policy.as_str(),
        "exclusive": list.exclusive,
    })
}

pub fn marker(marker: &rhizome_store::Marker) -> Value {
    json!({
        "last_read_id": marker.last_read_id,
        "version": marker.version,
        "updated_at": marker.updated_at.to_rfc3339(),
    })
}

pub fn filter_keyword(keyword: &rhizome_store::FilterKeyword) -> Value {
    json!({ "id": keyword.id, "keyword": keyword.keyword, "whole_word": keyword.whole_word })
}

/// The Filter entity (v2).
pub fn filter(filter: &rhizome_store::Filter) -> Value {
    json!({
        "id": filter.id,
        "title": filter.title,
        "context": filter.contexts,
        "expires_at": filter.expires_at.map(|t| t.to_rfc3339()),
        "filter_action": filter.action,
        "keywords": filter.keywords.iter().map(filter_keyword).collect::<Vec<_>>(),
        "statuses": filter.statuses.iter().map(|(row, status)| json!({ "id": row, "status_id": status })).collect::<Vec<_>>(),
    })
}

/// The v1 Filter entity: one keyword of a filter.
pub fn filter_v1(filter: &rhizome_store::Filter, keyword: &rhizome_store::FilterKeyword) -> Value {
    json!({
        "id": keyword.id,
        "phrase": keyword.keyword,
        "context": filter.contexts,
        "whole_word": keyword.whole_word,
        "expires_at": filter.expires_at.map(|t| t.to_rfc3339()),
        "irreversible": filter.action == "hide",
    })
}

pub fn conversation(core: &Core, view: &rhizome_core::conversations::ConversationView) -> Value {
    json!({
        "id": view.id,
        "unread": view.unread,
        "accounts": view.accounts.iter().map(|a| account(core, a)).collect::<Vec<_>>(),
        "last_status": view.last_status.as_ref().map(|s| status(core, s)),
    })
}

pub fn scheduled_status(
    core: &Core,
    scheduled: &rhizome_store::ScheduledStatus,
    media: &[Attachment],
) -> Value {
    let params: rhizome_core::conversations::ScheduledParams =
        serde_json::from_str(&scheduled.params).unwrap_or_default();
    json!({
        "id": scheduled.id,
        "scheduled_at": scheduled.scheduled_at.to_rfc3339(),
        "params": {
            "text": params.text,
            "spoiler_text": params.spoiler_text,
            "sensitive": params.sensitive,
            "visibility": params.visibility,
            "in_reply_to_id": params.in_reply_to_id,
            "language": params.language,
            "application_id": params.application_id,
            "media_ids": if params.media_ids.is_empty() {
                Value::Null
            } else {
                json!(params.media_ids.iter().map(|id| id.to_string()).collect::<Vec<_>>())
            },
            "poll": Value::Null,
            "idempotency": Value::Null,
            "scheduled_at": Value::Null,
            "with_rate_limit": false,
        },
        "media_attachments": media.iter().map(|a| attachment(core, a)).collect::<Vec<_>>(),
    })
}

/// The Tag entity with its week of history.
pub fn tag(core: &Core, info: &rhizome_store::TagInfo, with_following: bool) -> Value {
    let mut entity = json!({
        "id": info.id,
        "name": info.name.to_lowercase(),
        "url": format!("{}/tags/{}", core.urls.base(), info.name.to_lowercase()),
        "history": info.history.iter().map(|(day, uses, accounts)| json!({
            "day": (day.0 / 1000).to_string(),
            "uses": uses.to_string(),
            "accounts": accounts.to_string(),
        })).collect::<Vec<_>>(),
    });
    if with_following {
        entity["following"] = json!(info.following);
        entity["featuring"] = json!(info.featuring);
    }
    entity
}

/// The PreviewCard entity. Its image comes through our media proxy; no embed HTML is given.
pub fn preview_card(core: &Core, card: &rhizome_model::PreviewCard) -> Value {
    let image = card.image_url.as_deref().map(|url| core.proxied_url(url));
    let authors = if card.author_name.is_empty() && card.author_url.is_empty() {
        json!([])
    } else {
        json!([{ "name": card.author_name, "url": card.author_url, "account": Value::Null }])
    };
    json!({
        "url": card.url,
        "title": card.title,
        "description": card.description,
        "language": card.language,
        "type": card.kind.as_str(),
        "author_name": card.author_name,
        "author_url": card.author_url,
        "authors": authors,
        "provider_name": card.provider_name,
        "provider_url": card.provider_url,
        "html": "",
        "width": card.width,
        "height": card.height,
        "image": image,
        "image_description": card.image_description,
        "embed_url": "",
        "blurhash": Value::Null,
        "published_at": card.published_at.map(|t| t.to_rfc3339()),
    })
}

/// A Trends::Link: a PreviewCard with its history.
pub fn trending_link(core: &Core, link: &rhizome_core::trends::LinkTrend) -> Value {
    let mut entity = preview_card(core, &link.card);
    entity["history"] = json!(
        link.history
            .iter()
            .map(|(day, uses, accounts)| json!({
                "day": (day.0 / 1000).to_string(),
                "uses": uses.to_string(),
                "accounts": accounts.to_string(),
            }))
            .collect::<Vec<_>>()
    );
    entity
}

/// The Poll entity.
pub fn poll(view: &rhizome_core::polls::PollView) -> Value {
    let p = &view.poll;
    // Hidden totals stay hidden until the poll ends.
    let hidden = p.hide_totals && !view.expired;
    let mut entity = json!({
        "id": p.id,
        "expires_at": p.expires_at.map(|t| t.to_rfc3339()),
        "expired": view.expired,
        "multiple": p.multiple,
        "votes_count": p.options.iter().map(|o| o.votes_count).sum::<i64>(),
        "voters_count": if p.multiple { json!(p.voters_count) } else { Value::Null },
        "options": p.options.iter().map(|o| json!({
            "title": o.title,
            "votes_count": if hidden { Value::Null } else { json!(o.votes_count) },
        })).collect::<Vec<_>>(),
        "emojis": [],
    });
    if let Some(own) = &view.own_votes {
        entity["voted"] = json!(!own.is_empty());
        entity["own_votes"] = json!(own);
    }
    entity
}

/// The FeaturedTag entity: a hashtag featured on `username`'s profile (a local account's;
/// only those feature tags here).
pub fn featured_tag(core: &Core, username: &str, tag: &rhizome_store::FeaturedTag) -> Value {
    json!({
        "id": tag.id,
        "name": tag.name,
        "url": format!("{}/tagged/{}", core.urls.profile(username), tag.name.to_lowercase()),
        "statuses_count": tag.statuses_count,
        "last_status_at": tag.last_status_at.map(|t| t.to_rfc3339()),
    })
}

/// The Suggestion entity of `/api/v2/suggestions`: Mastodon 4.3's `sources`, with the
/// older `source` clients still read.
pub fn suggestion(account: Value, source: rhizome_store::SuggestionSource) -> Value {
    use rhizome_store::SuggestionSource;
    let (sources, legacy) = match source {
        SuggestionSource::FriendsOfFriends => ("friends_of_friends", "past_interactions"),
        SuggestionSource::MostFollowed => ("most_followed", "global"),
    };
    json!({ "source": legacy, "sources": [sources], "account": account })
}

/// The Announcement entity, as one user sees it.
pub fn announcement(core: &Core, view: &rhizome_core::announcements::AnnouncementView) -> Value {
    let a = &view.announcement;
    let base = core.urls.base();
    json!({
        "id": a.id,
        "content": a.content,
        "starts_at": a.starts_at.map(|t| t.to_rfc3339()),
        "ends_at": a.ends_at.map(|t| t.to_rfc3339()),
        "all_day": a.all_day,
        "published_at": a.published_at.to_rfc3339(),
        "updated_at": a.updated_at.to_rfc3339(),
        "read": view.read,
        "mentions": view.mentions.iter().map(|m| json!({
            "id": m.id,
            "username": m.username,
            "url": m.url.clone().unwrap_or_else(|| m.uri.clone()),
            "acct": m.acct(),
        })).collect::<Vec<_>>(),
        "statuses": view.statuses.iter().map(|s| json!({
            "id": s.id,
            "url": s.url.clone().unwrap_or_else(|| s.uri.clone()),
        })).collect::<Vec<_>>(),
        "tags": a.tags.iter().map(|t| json!({
            "name": t.to_lowercase(),
            "url": format!("{base}/tags/{}", t.to_lowercase()),
        })).collect::<Vec<_>>(),
        "emojis": view.emojis.iter().map(|e| emoji_ref(core, e)).collect::<Vec<_>>(),
        "reactions": view.reactions.iter().map(|r| {
            let mut reaction = json!({ "name": r.name, "count": r.count, "me": r.me });
            // Only custom emoji have images.
            if let Some(url) = &r.url {
                reaction["url"] = json!(url);
                reaction["static_url"] = json!(url);
            }
            reaction
        }).collect::<Vec<_>>(),
    })
}

/// Akkoma's captcha challenge.
pub fn captcha(challenge: &rhizome_core::captcha::CaptchaChallenge) -> Value {
    json!({
        "type": "native",
        "token": challenge.token,
        "url": challenge.image_url,
        "answer_data": challenge.answer_data,
        "seconds_valid": challenge.seconds_valid,
    })
}

/// A CSV import and its progress (Rhizome's entity, named after Mastodon's bulk imports:
/// `type`, `state`, `total_items`, `processed_items`, `imported_items`).
pub fn import(view: &rhizome_core::imports::ImportView) -> Value {
    let import = &view.import;
    json!({
        "id": import.id.to_string(),
        "type": import.kind.as_str(),
        "mode": if import.overwrite { "overwrite" } else { "merge" },
        "overwrite": import.overwrite,
        "state": import.state.as_str(),
        "original_filename": import.original_filename,
        "total_items": import.total_rows,
        "processed_items": view.progress.done + view.progress.failed,
        "imported_items": view.progress.done,
        "failed_items": view.progress.failed,
        "created_at": import.created_at.to_rfc3339(),
        "finished_at": import.finished_at.map(|t| t.to_rfc3339()),
    })
}

/// A row of an import that could not be applied: its place in the file, what it said, why.
pub fn import_failure(row: &rhizome_store::ImportRow) -> Value {
    json!({
        "row": row.position,
        "data": row.source,
        "error": row.error,
    })
}

/// One of the user's live tokens in Akkoma's `GET /api/oauth_tokens` (`id`, `app_name`,
/// `valid_until`), with what Rhizome also knows: scopes, creation and last use, and whether
/// it is a web session (a token without an app).
pub fn oauth_token(token: &rhizome_core::security::TokenSummary) -> Value {
    json!({
        "id": token.id,
        "app_name": token.app_name.as_deref().unwrap_or("Web session"),
        "valid_until": Value::Null,
        "web_session": token.app_name.is_none(),
        "scopes": token.scopes.to_string(),
        "created_at": token.created_at.to_rfc3339(),
        "last_used_at": token.last_used_at.map(|t| t.to_rfc3339()),
    })
}

/// A full archive as Akkoma's `/api/v1/pleroma/backups` lists it (`id`, `content_type`,
/// `file_name`, `file_size`, `processed`, `inserted_at`, `url`, and Pleroma's later `state` and
/// `processed_number`), with Rhizome's `total_number` for a progress bar.
pub fn backup(core: &rhizome_core::Core, archive: &rhizome_store::Archive) -> Value {
    use rhizome_store::ArchiveState;
    let state = match archive.state {
        ArchiveState::Pending => "pending",
        ArchiveState::Running => "running",
        ArchiveState::Ready => "complete",
        ArchiveState::Failed => "failed",
    };
    json!({
        "id": archive.id.to_string(),
        "content_type": "application/zip",
        "file_name": archive.file_name,
        "file_size": archive.file_size,
        "processed": archive.state == ArchiveState::Ready,
        "state": state,
        "processed_number": archive.processed_items,
        "total_number": archive.total_items,
        "inserted_at": archive.created_at.to_rfc3339(),
        "url": core.archive_download_url(archive.id),
    })
}
