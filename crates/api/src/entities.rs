//! Rhizome's data as Mastodon API entities: every conversion to client JSON lives here.

use std::borrow::Cow;

use rhizome_core::Core;
use rhizome_core::notifications::NotificationView;
use rhizome_core::settings::EffectiveSettings;
use rhizome_core::text::stored_html_to_text;
use rhizome_core::views::{AccountView, StatusView};
use rhizome_model::{
    Account, Attachment, LocalUser, OAuthApp, PushSubscription, QuotePolicy, QuoteState,
    Relationship, Role, StatusEdit, Visibility,
};
use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};
use serde_json::{Value, json};

// The entities a timeline page is made of (Account, Status and what they hold) are typed
// structs serialised straight into the answer: building `serde_json::Value` trees first cost
// a quarter of a page's CPU. Their fields are declared in alphabetical order, the order a
// `Value` object keeps its keys in, so that the bytes are the same either way (checked by
// the `entities_keep_the_key_order_of_value` test of the `api_timelines` suite).

/// A typed entity as a `Value`, for the answers that add fields to it.
fn to_value<T: Serialize>(entity: T) -> Value {
    // Cannot fail: every map key of these entities is a string.
    serde_json::to_value(entity).unwrap_or(Value::Null)
}

/// An empty JSON list, for the fields Rhizome never fills.
struct EmptyList;

impl Serialize for EmptyList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_seq(Some(0))?.end()
    }
}

/// Mastodon's `acct` (`name`, or `name@domain` for a remote account), written without
/// building the string first.
struct Acct<'a>(&'a Account);

impl Serialize for Acct<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0.domain {
            None => serializer.serialize_str(&self.0.username),
            Some(domain) => serializer.collect_str(&format_args!("{}@{}", self.0.username, domain)),
        }
    }
}

/// Akkoma's `{"text/plain": …}`.
#[derive(Serialize)]
struct PlainText<T> {
    #[serde(rename = "text/plain")]
    text: T,
}

/// Mastodon 4.5's QuoteApproval: the post's policy, and what it means for the viewer. A
/// remote post whose server states no policy lists no audience.
#[derive(Serialize)]
struct QuoteApproval {
    automatic: Vec<&'static str>,
    current_user: &'static str,
    manual: Vec<&'static str>,
}

fn quote_approval(view: &StatusView) -> QuoteApproval {
    let policy = view.status.quote_policy.unwrap_or_default();
    QuoteApproval {
        automatic: QuotePolicy::keys(policy.automatic),
        current_user: view.quote_decision.as_str(),
        manual: QuotePolicy::keys(policy.manual),
    }
}

/// Mastodon 4.5's Quote: where it stands, and the quoted post once it is accepted.
#[derive(Serialize)]
struct QuoteEntity<'a> {
    quoted_status: Option<Box<StatusEntity<'a>>>,
    state: &'static str,
}

fn quote<'a>(core: &Core, view: &'a StatusView) -> Option<QuoteEntity<'a>> {
    let state = view.status.quote_state?;
    let accepted = state == QuoteState::Accepted;
    Some(QuoteEntity {
        quoted_status: view
            .quote
            .as_deref()
            .filter(|_| accepted)
            .map(|q| Box::new(status_entity(core, q))),
        state: state.as_str(),
    })
}

/// A CustomEmoji as used in a post or a profile (remote ones through our cache).
#[derive(Serialize)]
struct EmojiEntity<'a> {
    shortcode: &'a str,
    static_url: String,
    url: String,
    visible_in_picker: bool,
}

fn emoji_entity<'a>(core: &Core, emoji: &'a rhizome_model::EmojiRef) -> EmojiEntity<'a> {
    let url = core.proxied_url(&emoji.url);
    EmojiEntity {
        shortcode: &emoji.shortcode,
        static_url: url.clone(),
        url,
        visible_in_picker: false,
    }
}

fn emoji_ref(core: &Core, emoji: &rhizome_model::EmojiRef) -> Value {
    to_value(emoji_entity(core, emoji))
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
#[derive(Serialize)]
pub struct AccountEntity<'a> {
    acct: Acct<'a>,
    akkoma: AccountAkkoma,
    avatar: String,
    avatar_static: String,
    bot: bool,
    created_at: String,
    discoverable: bool,
    display_name: &'a str,
    emojis: Vec<EmojiEntity<'a>>,
    fields: Vec<FieldEntity<'a>>,
    followers_count: i64,
    following_count: i64,
    group: bool,
    header: String,
    header_static: String,
    hide_collections: bool,
    id: rhizome_model::Id,
    indexable: bool,
    last_status_at: Option<String>,
    locked: bool,
    /// Mastodon's `moved`: the new account, present only once the account has moved.
    #[serde(skip_serializing_if = "Option::is_none")]
    moved: Option<Box<AccountEntity<'a>>>,
    /// Local accounts only, as `roles`.
    #[serde(skip_serializing_if = "Option::is_none")]
    noindex: Option<bool>,
    note: &'a str,
    pleroma: AccountPleroma<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    roles: Option<Vec<RoleEntity>>,
    statuses_count: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    suspended: Option<bool>,
    uri: &'a str,
    url: &'a str,
    username: &'a str,
}

#[derive(Serialize)]
struct AccountAkkoma {
    instance: (),
    permit_followback: bool,
    status_ttl_days: (),
}

#[derive(Serialize)]
struct AccountPleroma<'a> {
    also_known_as: &'a [String],
    ap_id: &'a str,
    hide_followers: bool,
    hide_followers_count: bool,
    hide_follows: bool,
    hide_follows_count: bool,
    is_admin: bool,
    is_confirmed: bool,
    is_moderator: bool,
    local: bool,
    tags: EmptyList,
}

#[derive(Serialize)]
struct FieldEntity<'a> {
    name: &'a str,
    value: String,
    verified_at: Option<String>,
}

#[derive(Serialize)]
struct RoleEntity {
    color: &'static str,
    id: &'static str,
    name: &'static str,
}

pub fn account_entity<'a>(core: &Core, view: &'a AccountView) -> AccountEntity<'a> {
    let account = &view.account;
    let urls = &core.urls;
    let local = account.is_local();
    // A suspended account shows nothing of its profile.
    let suspended = account.suspended_at.is_some();
    let (avatar, header) = if suspended {
        (urls.default_avatar(), urls.default_header())
    } else {
        // Remote pictures come through our cache, so that viewers' addresses stay here.
        (
            account
                .avatar_url
                .as_deref()
                .map(|url| core.proxied_url(url))
                .unwrap_or_else(|| urls.default_avatar()),
            account
                .header_url
                .as_deref()
                .map(|url| core.proxied_url(url))
                .unwrap_or_else(|| urls.default_header()),
        )
    };
    let (emojis, fields) = if suspended {
        (Vec::new(), Vec::new())
    } else {
        (
            account
                .emojis
                .iter()
                .map(|e| emoji_entity(core, e))
                .collect(),
            account
                .fields
                .iter()
                .map(|f| FieldEntity {
                    name: &f.name,
                    value: core.profile_field_html(account, &f.value),
                    verified_at: f.verified_at.map(|t| t.to_rfc3339()),
                })
                .collect(),
        )
    };
    let role = view.role.unwrap_or(Role::User);
    let roles = local.then(|| {
        if role.is_staff() {
            vec![RoleEntity {
                color: "",
                id: if role == Role::Admin { "3" } else { "2" },
                name: role_name(role),
            }]
        } else {
            Vec::new()
        }
    });
    AccountEntity {
        acct: Acct(account),
        akkoma: AccountAkkoma {
            instance: (),
            permit_followback: false,
            status_ttl_days: (),
        },
        avatar_static: avatar.clone(),
        avatar,
        bot: account.bot,
        // Mastodon rounds creation to the day, so that it reveals little.
        created_at: format!("{}T00:00:00.000Z", account.created_at.to_date()),
        discoverable: account.discoverable,
        display_name: if suspended { "" } else { &account.display_name },
        emojis,
        fields,
        followers_count: view.counts.followers,
        following_count: view.counts.following,
        group: account.actor_type == "Group",
        header_static: header.clone(),
        header,
        hide_collections: false,
        id: account.id,
        indexable: account.discoverable,
        last_status_at: view.counts.last_status_at.map(|t| t.to_date()),
        locked: account.locked,
        moved: view
            .moved
            .as_deref()
            .map(|moved| Box::new(account_entity(core, moved))),
        noindex: local.then_some(!account.discoverable),
        note: if suspended { "" } else { &account.note },
        pleroma: AccountPleroma {
            also_known_as: &account.also_known_as,
            ap_id: &account.uri,
            hide_followers: false,
            hide_followers_count: false,
            hide_follows: false,
            hide_follows_count: false,
            is_admin: role == Role::Admin,
            is_confirmed: true,
            is_moderator: role.is_staff(),
            local,
            tags: EmptyList,
        },
        roles,
        statuses_count: view.counts.statuses,
        suspended: suspended.then_some(true),
        uri: &account.uri,
        url: account.url.as_deref().unwrap_or(&account.uri),
        username: &account.username,
    }
}

/// The Account entity, as a `Value`.
pub fn account(core: &Core, view: &AccountView) -> Value {
    to_value(account_entity(core, view))
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

/// The MediaAttachment entity.
#[derive(Serialize)]
pub struct AttachmentEntity<'a> {
    blurhash: Option<&'a str>,
    description: Option<&'a str>,
    id: rhizome_model::Id,
    meta: Value,
    preview_remote_url: (),
    preview_url: Option<String>,
    remote_url: Option<&'a str>,
    text_url: (),
    #[serde(rename = "type")]
    kind: &'static str,
    url: Option<String>,
}

pub fn attachment_entity<'a>(core: &Core, a: &'a Attachment) -> AttachmentEntity<'a> {
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
    AttachmentEntity {
        blurhash: a.blurhash.as_deref(),
        description: a.description.as_deref(),
        id: a.id,
        meta,
        preview_remote_url: (),
        preview_url: preview,
        remote_url: a.remote_url.as_deref(),
        text_url: (),
        kind: a.kind.as_str(),
        url,
    }
}

pub fn attachment(core: &Core, a: &Attachment) -> Value {
    to_value(attachment_entity(core, a))
}

/// The Status entity, as `viewer` sees it.
#[derive(Serialize)]
pub struct StatusEntity<'a> {
    account: AccountEntity<'a>,
    application: (),
    /// The viewer's marks are there for a signed-in viewer only.
    #[serde(skip_serializing_if = "Option::is_none")]
    bookmarked: Option<bool>,
    card: Option<Value>,
    content: Cow<'a, str>,
    created_at: String,
    edited_at: Option<String>,
    emojis: Vec<EmojiEntity<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    favourited: Option<bool>,
    favourites_count: i64,
    filtered: Vec<Value>,
    id: rhizome_model::Id,
    in_reply_to_account_id: Option<rhizome_model::Id>,
    in_reply_to_id: Option<rhizome_model::Id>,
    language: Option<&'a str>,
    media_attachments: Vec<AttachmentEntity<'a>>,
    mentions: Vec<MentionEntity<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    muted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pinned: Option<bool>,
    pleroma: StatusPleroma<'a>,
    poll: Option<Value>,
    /// Mastodon 4.5's Quote (with its state); Akkoma's shape is in `pleroma.quote`.
    quote: Option<QuoteEntity<'a>>,
    quote_approval: QuoteApproval,
    quotes_count: i64,
    reblog: Option<Box<StatusEntity<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reblogged: Option<bool>,
    reblogs_count: i64,
    replies_count: i64,
    sensitive: bool,
    spoiler_text: &'a str,
    tags: Vec<TagEntity>,
    uri: &'a str,
    url: Option<&'a str>,
    visibility: &'static str,
}

#[derive(Serialize)]
struct StatusPleroma<'a> {
    content: PlainText<String>,
    context: Option<&'a str>,
    conversation_id: Option<&'a str>,
    emoji_reactions: Vec<ReactionEntity<'a>>,
    expires_at: (),
    in_reply_to_account_acct: Option<Acct<'a>>,
    local: bool,
    parent_visible: bool,
    pinned_at: (),
    quote: Option<Box<StatusEntity<'a>>>,
    quote_id: Option<rhizome_model::Id>,
    quote_url: Option<&'a str>,
    quote_visible: bool,
    quotes_count: i64,
    spoiler_text: PlainText<&'a str>,
    thread_muted: bool,
}

#[derive(Serialize)]
struct MentionEntity<'a> {
    acct: Acct<'a>,
    id: rhizome_model::Id,
    url: &'a str,
    username: &'a str,
}

#[derive(Serialize)]
struct TagEntity {
    name: String,
    url: String,
}

#[derive(Serialize)]
struct ReactionEntity<'a> {
    account_ids: &'a [rhizome_model::Id],
    count: i64,
    me: bool,
    name: &'a str,
    url: Option<String>,
}

pub fn status_entity<'a>(core: &Core, view: &'a StatusView) -> StatusEntity<'a> {
    let s = &view.status;
    let base = core.urls.base();
    let is_author = view.flags.is_some() && view.account.account.is_local();
    // Akkoma shows a quoted post only while its author approves of the quote.
    let accepted_quote = view
        .quote
        .as_deref()
        .filter(|_| s.quote_state == Some(QuoteState::Accepted));
    let flag = |mark: fn(&rhizome_model::ViewerFlags) -> bool| view.flags.as_ref().map(mark);
    StatusEntity {
        account: account_entity(core, &view.account),
        application: (),
        bookmarked: flag(|f| f.bookmarked),
        card: view.card.as_ref().map(|card| preview_card(core, card)),
        content: match &s.title {
            Some(title) => Cow::Owned(format!(
                "<p><strong>{}</strong></p>{}",
                escape(title),
                s.content
            )),
            None => Cow::Borrowed(&s.content),
        },
        created_at: s.created_at.to_rfc3339(),
        edited_at: s.edited_at.map(|t| t.to_rfc3339()),
        emojis: view.emojis.iter().map(|e| emoji_entity(core, e)).collect(),
        favourited: flag(|f| f.favourited),
        favourites_count: view.counts.favourites,
        filtered: view
            .filtered
            .iter()
            .map(|m| {
                json!({
                    "filter": filter(&m.filter),
                    "keyword_matches": m.keyword_matches,
                    "status_matches": m.status_matches,
                })
            })
            .collect(),
        id: s.id,
        in_reply_to_account_id: s.in_reply_to_account_id,
        in_reply_to_id: s.in_reply_to_id,
        language: s.language.as_deref(),
        media_attachments: view
            .attachments
            .iter()
            .map(|a| attachment_entity(core, a))
            .collect(),
        mentions: view
            .mentions
            .iter()
            .map(|a| MentionEntity {
                acct: Acct(a),
                id: a.id,
                url: a.url.as_deref().unwrap_or(&a.uri),
                username: &a.username,
            })
            .collect(),
        muted: flag(|f| f.muted),
        pinned: view
            .flags
            .filter(|_| is_author && !s.is_reblog() && s.visibility != Visibility::Direct)
            .map(|f| f.pinned),
        pleroma: StatusPleroma {
            content: PlainText {
                text: stored_html_to_text(&s.content),
            },
            context: s.conversation.as_deref(),
            conversation_id: s.conversation.as_deref(),
            emoji_reactions: view
                .reactions
                .iter()
                .map(|r| ReactionEntity {
                    account_ids: &r.account_ids,
                    count: r.count,
                    me: r.me,
                    name: r.emoji.trim_matches(':'),
                    url: r.url.as_deref().map(|u| core.proxied_url(u)),
                })
                .collect(),
            expires_at: (),
            in_reply_to_account_acct: view.in_reply_to_account.as_deref().map(Acct),
            local: s.local,
            parent_visible: s.in_reply_to_id.is_some(),
            pinned_at: (),
            quote: accepted_quote.map(|q| Box::new(status_entity(core, q))),
            quote_id: s.quote_of_id,
            quote_url: view
                .quote
                .as_ref()
                .map(|q| q.status.url.as_deref().unwrap_or(&q.status.uri)),
            quote_visible: accepted_quote.is_some(),
            quotes_count: view.quotes_count,
            spoiler_text: PlainText {
                text: &s.spoiler_text,
            },
            thread_muted: view.flags.map(|f| f.muted).unwrap_or(false),
        },
        poll: view.poll.as_ref().map(poll),
        quote: quote(core, view),
        quote_approval: quote_approval(view),
        quotes_count: view.quotes_count,
        reblog: view
            .reblog
            .as_deref()
            .map(|inner| Box::new(status_entity(core, inner))),
        reblogged: flag(|f| f.reblogged),
        reblogs_count: view.counts.reblogs,
        replies_count: view.counts.replies,
        sensitive: s.sensitive,
        spoiler_text: &s.spoiler_text,
        tags: view
            .tags
            .iter()
            .map(|t| {
                let name = t.to_lowercase();
                TagEntity {
                    url: format!("{base}/tags/{name}"),
                    name,
                }
            })
            .collect(),
        uri: &s.uri,
        url: s.url.as_deref(),
        visibility: s.visibility.as_str(),
    }
}

/// The Status entity, as a `Value`.
pub fn status(core: &Core, view: &StatusView) -> Value {
    to_value(status_entity(core, view))
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
