//! Rhizome's data as Mastodon API entities: every conversion to client JSON lives here.

use rhizome_core::Core;
use rhizome_core::settings::EffectiveSettings;
use rhizome_model::{Account, LocalUser};
use serde_json::{Value, json};

/// The Account entity.
pub fn account(core: &Core, account: &Account) -> Value {
    let urls = &core.urls;
    let avatar = account
        .avatar_url
        .clone()
        .unwrap_or_else(|| urls.default_avatar());
    let header = account
        .header_url
        .clone()
        .unwrap_or_else(|| urls.default_header());
    let fields: Vec<Value> = account
        .fields
        .iter()
        .map(|f| {
            json!({
                "name": f.name,
                "value": f.value,
                "verified_at": f.verified_at.map(|t| t.to_rfc3339()),
            })
        })
        .collect();
    json!({
        "id": account.id,
        "username": account.username,
        "acct": account.acct(),
        "display_name": account.display_name,
        "locked": account.locked,
        "bot": account.bot,
        "discoverable": account.discoverable,
        "indexable": account.discoverable,
        "group": account.actor_type == "Group",
        "noindex": !account.discoverable,
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
        "followers_count": 0,
        "following_count": 0,
        "statuses_count": 0,
        "last_status_at": Value::Null,
        "emojis": [],
        "fields": fields,
        "roles": [],
        "pleroma": {
            "is_admin": false,
            "is_moderator": false,
            "local": account.is_local(),
            "ap_id": account.uri,
        },
    })
}

/// The Account entity with `source`, for the account's owner (`verify_credentials`).
pub fn credential_account(core: &Core, user: &LocalUser) -> Value {
    let mut entity = account(core, &user.account);
    let fields: Vec<Value> = user
        .account
        .fields
        .iter()
        .map(|f| json!({ "name": f.name, "value": f.value, "verified_at": Value::Null }))
        .collect();
    entity["source"] = json!({
        "privacy": "public",
        "sensitive": false,
        "language": Value::Null,
        "note": user.account.note,
        "fields": fields,
        "follow_requests_count": 0,
    });
    entity["role"] = json!({
        "id": match user.role { rhizome_model::Role::Admin => "3", rhizome_model::Role::Moderator => "2", rhizome_model::Role::User => "-99" },
        "name": user.role.as_str(),
        "permissions": "0",
        "color": "",
        "highlighted": user.role.is_staff(),
    });
    entity["pleroma"]["is_admin"] = json!(user.role == rhizome_model::Role::Admin);
    entity["pleroma"]["is_moderator"] = json!(user.role.is_staff());
    entity
}

/// `/api/v1/instance`.
pub fn instance_v1(core: &Core, settings: &EffectiveSettings, user_count: i64) -> Value {
    let registrations = settings.registrations;
    json!({
        "uri": core.config.domain,
        "title": settings.name,
        "short_description": settings.description,
        "description": settings.description,
        "email": settings.contact_email,
        "version": crate::version_string(),
        "urls": { "streaming_api": core.urls.streaming() },
        "stats": { "user_count": user_count, "status_count": 0, "domain_count": 0 },
        "thumbnail": Value::Null,
        "languages": ["en", "fr"],
        "registrations": registrations_open(registrations),
        "approval_required": registrations == rhizome_core::RegistrationMode::Approval,
        "invites_enabled": registrations == rhizome_core::RegistrationMode::Invite,
        "configuration": configuration(core),
        "contact_account": Value::Null,
        "rules": rules(settings),
    })
}

/// `/api/v2/instance`.
pub fn instance_v2(core: &Core, settings: &EffectiveSettings, active_users: i64) -> Value {
    let registrations = settings.registrations;
    let mut configuration = configuration(core);
    configuration["urls"] = json!({ "streaming": core.urls.streaming() });
    configuration["translation"] = json!({ "enabled": false });
    json!({
        "domain": core.config.domain,
        "title": settings.name,
        "version": crate::version_string(),
        "source_url": "https://example.invalid/rhizome",
        "description": settings.description,
        "usage": { "users": { "active_month": active_users } },
        "thumbnail": { "url": format!("{}/static/thumbnail.png", core.urls.base()) },
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

fn rules(settings: &EffectiveSettings) -> Vec<Value> {
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
            "max_media_attachments": 4,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "image/webp"],
            "image_size_limit": config.max_upload_bytes,
            "image_matrix_limit": 16_777_216,
            "video_size_limit": config.max_upload_bytes,
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
