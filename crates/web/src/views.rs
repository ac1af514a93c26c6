//! The one place where core's views become what the pages show: every template renders these
//! cards, never a core type directly, so an account or a post looks the same everywhere (and
//! in the fragments the script inserts).

use rhizome_core::Core;
use rhizome_core::views::{AccountView, StatusView};
use rhizome_model::{Account, AttachmentKind, EmojiRef, Id, Timestamp, Visibility};

use crate::escape;

pub struct AccountCard {
    pub id: Id,
    /// Plain text (templates escape it).
    pub display_name: String,
    /// The display name as HTML: escaped, with custom emoji drawn.
    pub display_name_html: String,
    /// `@name` for local accounts, `@name@host` for remote ones.
    pub handle: String,
    /// `@name@host` always (what other servers' users type).
    pub full_handle: String,
    /// Our page for the account.
    pub path: String,
    /// Where the account lives (its own server's page for remote accounts).
    pub url: String,
    /// The ActivityPub id.
    pub uri: String,
    pub avatar: String,
    pub header: String,
    /// Sanitised when stored.
    pub note_html: String,
    pub fields: Vec<FieldCard>,
    pub locked: bool,
    pub bot: bool,
    pub local: bool,
    pub suspended: bool,
    pub followers: i64,
    pub following: i64,
    pub statuses: i64,
    pub joined: String,
}

pub struct FieldCard {
    pub name: String,
    /// Sanitised when stored; may hold a link.
    pub value_html: String,
    pub verified: bool,
}

pub struct MediaCard {
    pub id: Id,
    /// `image`, `gifv`, `video`, `audio` or `unknown`.
    pub kind: &'static str,
    pub url: String,
    pub preview: String,
    pub description: String,
}

pub struct PollCard {
    pub id: Id,
    pub options: Vec<PollOptionCard>,
    pub multiple: bool,
    pub expired: bool,
    pub voted: bool,
    pub voters: i64,
    pub expires_at: Option<String>,
    pub show_results: bool,
}

pub struct PollOptionCard {
    pub index: usize,
    pub title: String,
    pub votes: i64,
    pub percent: i64,
    pub own: bool,
}

pub struct LinkCard {
    pub url: String,
    pub title: String,
    pub description: String,
    pub provider: String,
    pub image: Option<String>,
}

pub struct ReactionCard {
    pub name: String,
    pub image: Option<String>,
    pub count: i64,
    pub me: bool,
}

pub struct StatusCard {
    pub id: Id,
    pub author: AccountCard,
    /// Set when this card stands for a boost: who boosted (the rest is the boosted post).
    pub boosted_by: Option<AccountCard>,
    /// The id of the boost itself, when it is one.
    pub boost_id: Option<Id>,
    /// Our page for the post.
    pub path: String,
    /// Where the post lives (its own server's page for remote posts).
    pub url: String,
    pub uri: String,
    pub content_html: String,
    /// The source text, for editing one's own post.
    pub text: String,
    pub spoiler: String,
    pub sensitive: bool,
    pub visibility: &'static str,
    /// RFC 3339, for `<time datetime>`.
    pub created_at: String,
    /// As people read it: `2026-11-27 09:58 UTC`.
    pub created_display: String,
    pub edited: bool,
    pub in_reply_to: Option<ReplyTarget>,
    pub media: Vec<MediaCard>,
    pub poll: Option<PollCard>,
    pub quote: Option<Box<StatusCard>>,
    pub link: Option<LinkCard>,
    pub reactions: Vec<ReactionCard>,
    pub replies: i64,
    pub reblogs: i64,
    pub favourites: i64,
    pub favourited: bool,
    pub reblogged: bool,
    pub bookmarked: bool,
    /// The viewer wrote it: they may edit and delete it.
    pub own: bool,
    /// Public and unlisted posts may be boosted.
    pub can_reblog: bool,
    pub can_quote: bool,
    /// A filter of the viewer's asks to hide it behind a warning (its title).
    pub filtered: Option<String>,
    pub language: Option<String>,
    pub local: bool,
}

pub struct ReplyTarget {
    pub id: Id,
    pub handle: Option<String>,
    pub path: Option<String>,
}

/// `2026-11-27 09:58 UTC`.
pub fn display_time(at: Timestamp) -> String {
    at.to_datetime().format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Escapes `text` and draws its `:shortcode:` custom emoji.
pub fn text_with_emoji(text: &str, emojis: &[EmojiRef]) -> String {
    html_with_emoji(&escape(text), emojis)
}

/// Draws `:shortcode:` custom emoji in sanitised HTML. Shortcodes are letters, digits and
/// underscores, and addresses are escaped, so the result stays safe.
pub fn html_with_emoji(html: &str, emojis: &[EmojiRef]) -> String {
    let mut out = html.to_owned();
    for emoji in emojis {
        let code = format!(":{}:", emoji.shortcode);
        if emoji
            .shortcode
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            && out.contains(&code)
        {
            let image = format!(
                "<img class=\"emoji\" src=\"{}\" alt=\"{code}\" title=\"{code}\" width=\"20\" height=\"20\">",
                escape(&emoji.url)
            );
            out = out.replace(&code, &image);
        }
    }
    out
}

fn proxied_emoji(core: &Core, emojis: &[EmojiRef]) -> Vec<EmojiRef> {
    emojis
        .iter()
        .map(|e| EmojiRef {
            shortcode: e.shortcode.clone(),
            url: core.proxied_url(&e.url),
        })
        .collect()
}

/// Our page for an account: `/@name` here, `/@name@host` for remote accounts.
pub fn account_path(account: &Account) -> String {
    match &account.domain {
        None => format!("/@{}", account.username),
        Some(domain) => format!("/@{}@{}", account.username, domain),
    }
}

pub fn account_card(core: &Core, view: &AccountView) -> AccountCard {
    let mut card = bare_account_card(core, &view.account);
    card.followers = view.counts.followers;
    card.following = view.counts.following;
    card.statuses = view.counts.statuses;
    card
}

/// An account without its counts (mentions, reply targets).
pub fn bare_account_card(core: &Core, account: &Account) -> AccountCard {
    let emojis = proxied_emoji(core, &account.emojis);
    let display_name = if account.display_name.is_empty() {
        account.username.clone()
    } else {
        account.display_name.clone()
    };
    let full_handle = format!(
        "@{}@{}",
        account.username,
        account.domain.as_deref().unwrap_or(&core.config.domain)
    );
    AccountCard {
        id: account.id,
        display_name_html: text_with_emoji(&display_name, &emojis),
        display_name,
        handle: format!("@{}", account.acct()),
        full_handle,
        path: account_path(account),
        url: account.url.clone().unwrap_or_else(|| account.uri.clone()),
        uri: account.uri.clone(),
        avatar: account
            .avatar_url
            .as_deref()
            .map(|url| core.proxied_url(url))
            .unwrap_or_else(|| core.urls.default_avatar()),
        header: account
            .header_url
            .as_deref()
            .map(|url| core.proxied_url(url))
            .unwrap_or_else(|| core.urls.default_header()),
        note_html: html_with_emoji(&account.note, &emojis),
        fields: account
            .fields
            .iter()
            .map(|f| FieldCard {
                name: f.name.clone(),
                value_html: html_with_emoji(&core.profile_field_html(account, &f.value), &emojis),
                verified: f.verified_at.is_some(),
            })
            .collect(),
        locked: account.locked,
        bot: account.bot,
        local: account.is_local(),
        suspended: account.suspended_at.is_some(),
        followers: 0,
        following: 0,
        statuses: 0,
        joined: account.created_at.to_date(),
    }
}

/// A post as `viewer` sees it. For a boost, the card shows the boosted post with a line
/// naming who boosted it.
pub fn status_card(core: &Core, view: &StatusView, viewer: Option<Id>) -> StatusCard {
    if let Some(inner) = &view.reblog {
        let mut card = status_card(core, inner, viewer);
        card.boosted_by = Some(account_card(core, &view.account));
        card.boost_id = Some(view.status.id);
        return card;
    }
    let s = &view.status;
    let emojis = proxied_emoji(core, &view.emojis);
    let author = account_card(core, &view.account);
    let path = format!("{}/{}", author.path, s.id);
    let flags = view.flags.unwrap_or_default();
    let media = view
        .attachments
        .iter()
        .filter(|a| !a.processing)
        .map(|a| {
            let (url, preview) = core.attachment_urls(a);
            MediaCard {
                id: a.id,
                kind: match a.kind {
                    AttachmentKind::Image => "image",
                    AttachmentKind::Gifv => "gifv",
                    AttachmentKind::Video => "video",
                    AttachmentKind::Audio => "audio",
                    AttachmentKind::Unknown => "unknown",
                },
                preview: preview.unwrap_or_else(|| url.clone()),
                url,
                description: a.description.clone().unwrap_or_default(),
            }
        })
        .collect();
    let poll = view.poll.as_ref().map(|p| {
        let total: i64 = p.poll.options.iter().map(|o| o.votes_count).sum();
        let own = p.own_votes.clone().unwrap_or_default();
        let voted = p.own_votes.as_ref().is_some_and(|v| !v.is_empty());
        PollCard {
            id: p.poll.id,
            options: p
                .poll
                .options
                .iter()
                .enumerate()
                .map(|(index, o)| PollOptionCard {
                    index,
                    title: o.title.clone(),
                    votes: o.votes_count,
                    percent: if total > 0 {
                        o.votes_count * 100 / total
                    } else {
                        0
                    },
                    own: own.contains(&(index as i64)),
                })
                .collect(),
            multiple: p.poll.multiple,
            expired: p.expired,
            voted,
            voters: p.poll.voters_count,
            expires_at: p.poll.expires_at.map(display_time),
            show_results: p.expired || voted || viewer.is_none() || viewer == Some(s.account_id),
        }
    });
    let filtered = view
        .filtered
        .iter()
        .find(|m| m.filter.action.as_str() == "warn")
        .map(|m| m.filter.title.clone());
    StatusCard {
        id: s.id,
        boosted_by: None,
        boost_id: None,
        path,
        url: s.url.clone().unwrap_or_else(|| s.uri.clone()),
        uri: s.uri.clone(),
        content_html: html_with_emoji(&s.content, &emojis),
        text: s.text.clone(),
        spoiler: s.spoiler_text.clone(),
        sensitive: s.sensitive,
        visibility: s.visibility.as_str(),
        created_at: s.created_at.to_rfc3339(),
        created_display: display_time(s.created_at),
        edited: s.edited_at.is_some(),
        in_reply_to: s.in_reply_to_id.map(|id| ReplyTarget {
            id,
            handle: view
                .in_reply_to_account
                .as_ref()
                .map(|a| format!("@{}", a.acct())),
            path: view
                .in_reply_to_account
                .as_ref()
                .map(|a| format!("{}/{}", account_path(a), id)),
        }),
        media,
        poll,
        quote: view
            .quote
            .as_ref()
            .map(|q| Box::new(status_card(core, q, viewer))),
        link: view.card.as_ref().map(|c| LinkCard {
            url: c.url.clone(),
            title: c.title.clone(),
            description: c.description.clone(),
            provider: c.provider_name.clone(),
            image: c.image_url.as_deref().map(|url| core.proxied_url(url)),
        }),
        reactions: view
            .reactions
            .iter()
            .map(|r| ReactionCard {
                name: r.emoji.clone(),
                image: r.url.as_deref().map(|url| core.proxied_url(url)),
                count: r.count,
                me: r.me,
            })
            .collect(),
        replies: view.counts.replies,
        reblogs: view.counts.reblogs,
        favourites: view.counts.favourites,
        favourited: flags.favourited,
        reblogged: flags.reblogged,
        bookmarked: flags.bookmarked,
        own: viewer == Some(s.account_id),
        can_reblog: matches!(s.visibility, Visibility::Public | Visibility::Unlisted),
        can_quote: matches!(view.quote_decision, rhizome_model::QuoteDecision::Automatic)
            && matches!(s.visibility, Visibility::Public | Visibility::Unlisted),
        filtered,
        language: s.language.clone(),
        author,
        local: s.local,
    }
}

// ---------------------------------------------------------------------------------------
// Feeds (the public area): a post as an Atom entry or an RSS item.

pub struct FeedEntryCard {
    pub status: StatusCard,
    /// The absolute address of the post's page.
    pub link: String,
    /// RFC 3339, as Atom wants.
    pub published: String,
    pub updated: String,
    /// RFC 2822, as RSS wants.
    pub published_rfc2822: String,
    /// The post as plain text (titles and summaries).
    pub plain_text: String,
    pub enclosures: Vec<EnclosureCard>,
    pub tags: Vec<String>,
}

pub struct EnclosureCard {
    /// Absolute.
    pub url: String,
    pub media_type: String,
    /// `image`, `video`, `audio` or `document` (Media RSS's `medium`).
    pub medium: &'static str,
    pub description: String,
}

/// Makes a URL of this instance absolute (feeds and OpenGraph are read elsewhere).
pub fn absolute_url(core: &Core, url: &str) -> String {
    if url.starts_with('/') && !url.starts_with("//") {
        format!("{}{url}", core.urls.base())
    } else {
        url.to_owned()
    }
}

pub fn feed_entry_card(core: &Core, view: &StatusView) -> FeedEntryCard {
    let status = status_card(core, view, None);
    let s = &view.status;
    let link = if s.local {
        absolute_url(core, &status.path)
    } else {
        status.url.clone()
    };
    let enclosures = view
        .attachments
        .iter()
        .filter(|a| !a.processing)
        .map(|a| {
            let (url, _) = core.attachment_urls(a);
            let (medium, fallback) = match a.kind {
                AttachmentKind::Image => ("image", "image/jpeg"),
                AttachmentKind::Gifv | AttachmentKind::Video => ("video", "video/mp4"),
                AttachmentKind::Audio => ("audio", "audio/mpeg"),
                AttachmentKind::Unknown => ("document", "application/octet-stream"),
            };
            EnclosureCard {
                url: absolute_url(core, &url),
                media_type: a.media_type.clone().unwrap_or_else(|| fallback.to_owned()),
                medium,
                description: a.description.clone().unwrap_or_default(),
            }
        })
        .collect();
    let published = s.created_at.to_datetime();
    let updated = s.edited_at.unwrap_or(s.created_at).to_datetime();
    FeedEntryCard {
        link,
        published: published.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        updated: updated.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        published_rfc2822: published.to_rfc2822(),
        plain_text: rhizome_core::text::stored_html_to_text(&s.content),
        enclosures,
        tags: view.tags.clone(),
        status,
    }
}

// The admin area: accounts as moderators see them, reports, the moderation log, servers.

/// An account with what moderators know of it.
pub struct AdminAccountCard {
    pub id: Id,
    pub account: AccountCard,
    /// `@name` here, `@name@host` for remote accounts.
    pub acct: String,
    pub local: bool,
    /// For local users.
    pub email: Option<String>,
    /// What an applicant wrote when registrations need approval.
    pub reason: Option<String>,
    pub locale: Option<String>,
    /// `user`, `moderator` or `admin`; `None` for remote accounts.
    pub role: Option<&'static str>,
    pub pending: bool,
    pub silenced: bool,
    pub suspended: bool,
    pub disabled: bool,
    pub sensitized: bool,
    pub joined: String,
    pub last_sign_in: Option<String>,
    /// Addresses the user signed up and in from, latest first, with when.
    pub ips: Vec<(String, String)>,
}

impl AdminAccountCard {
    pub fn is_staff(&self) -> bool {
        matches!(self.role, Some("moderator" | "admin"))
    }

    pub fn has_role(&self, role: &str) -> bool {
        self.role == Some(role)
    }
}

pub fn admin_account_card(
    core: &Core,
    admin: &rhizome_core::moderation::AdminAccount,
    view: Option<&AccountView>,
) -> AdminAccountCard {
    let account = match view {
        Some(view) => account_card(core, view),
        None => bare_account_card(core, &admin.account),
    };
    let user = admin.user.as_ref();
    AdminAccountCard {
        id: admin.account.id,
        acct: format!("@{}", admin.account.acct()),
        local: admin.account.is_local(),
        email: user.map(|u| u.email.clone()),
        reason: user
            .and_then(|u| u.registration_reason.clone())
            .filter(|r| !r.trim().is_empty()),
        locale: user.map(|u| u.locale.clone()).filter(|l| !l.is_empty()),
        role: user.map(|u| u.role.as_str()),
        pending: user.is_some_and(|u| !u.approved),
        silenced: admin.state.silenced_at.is_some(),
        suspended: admin.account.suspended_at.is_some(),
        disabled: admin.state.disabled,
        sensitized: admin.state.sensitized_at.is_some(),
        joined: display_time(user.map_or(admin.account.created_at, |u| u.created_at)),
        last_sign_in: user.and_then(|u| u.last_sign_in_at).map(display_time),
        ips: admin
            .ips
            .iter()
            .map(|(ip, at)| (ip.clone(), display_time(*at)))
            .collect(),
        account,
    }
}

/// A report, with the accounts it names.
pub struct ReportCard {
    pub id: Id,
    pub reporter: AccountCard,
    pub target: AccountCard,
    /// `spam`, `legal`, `violation` or `other`.
    pub category: String,
    pub comment: String,
    /// The instance rules it cites, as their text.
    pub rules: Vec<String>,
    pub status_count: usize,
    /// Received from another server.
    pub remote: bool,
    pub forwarded: bool,
    pub assigned: Option<AccountCard>,
    pub resolved: bool,
    pub resolved_by: Option<AccountCard>,
    pub resolved_at: Option<String>,
    pub created: String,
}

/// `accounts` holds the accounts the report names (missing ones are shown by id).
pub fn report_card(
    core: &Core,
    report: &rhizome_store::Report,
    accounts: &std::collections::HashMap<Id, Account>,
    rules: &[String],
) -> ReportCard {
    let card = |id: Id| match accounts.get(&id) {
        Some(account) => bare_account_card(core, account),
        None => missing_account_card(core, id),
    };
    ReportCard {
        id: report.id,
        reporter: card(report.account_id),
        target: card(report.target_account_id),
        category: report.category.clone(),
        comment: report.comment.clone(),
        rules: report
            .rule_ids
            .iter()
            .filter_map(|id| id.parse::<usize>().ok())
            .filter_map(|n| n.checked_sub(1).and_then(|i| rules.get(i)).cloned())
            .collect(),
        status_count: report.status_ids.len(),
        remote: report.uri.is_some(),
        forwarded: report.forwarded,
        assigned: report.assigned_account_id.map(card),
        resolved: report.action_taken_at.is_some(),
        resolved_by: report.action_taken_by_account_id.map(card),
        resolved_at: report.action_taken_at.map(display_time),
        created: display_time(report.created_at),
    }
}

/// An account that no longer exists (a rejected sign-up, deleted data): its id only.
fn missing_account_card(core: &Core, id: Id) -> AccountCard {
    let account = Account {
        id,
        username: id.to_string(),
        domain: None,
        display_name: format!("#{id}"),
        note: String::new(),
        uri: String::new(),
        url: None,
        inbox_url: None,
        shared_inbox_url: None,
        outbox_url: None,
        followers_url: None,
        following_url: None,
        featured_url: None,
        public_key_id: None,
        public_key_pem: String::new(),
        actor_type: "Person".to_owned(),
        locked: false,
        bot: false,
        discoverable: false,
        avatar_url: None,
        header_url: None,
        fields: Vec::new(),
        also_known_as: Vec::new(),
        moved_to_account_id: None,
        suspended_at: None,
        emojis: Vec::new(),
        fetched_at: None,
        created_at: Timestamp(0),
        updated_at: Timestamp(0),
    };
    bare_account_card(core, &account)
}

/// One line of the moderation log.
pub struct LogEntryCard {
    pub id: Id,
    pub when: String,
    pub when_rfc3339: String,
    /// `None` when the system acted (a remote report, the CLI).
    pub moderator: Option<AccountCard>,
    pub action: String,
    /// `account`, `report`, `status` or `domain`.
    pub target_type: String,
    pub target_id: Id,
    /// The target account, when the entry is about one that still exists.
    pub target_account: Option<AccountCard>,
    /// Blocks and allows are logged with what they name (a domain, an address) as their
    /// text: it names the target rather than explaining the action.
    pub text_names_target: bool,
    pub text: String,
}

pub fn log_entry_card(
    core: &Core,
    entry: &rhizome_store::ModerationEntry,
    accounts: &std::collections::HashMap<Id, Account>,
) -> LogEntryCard {
    LogEntryCard {
        id: entry.id,
        when: display_time(entry.created_at),
        when_rfc3339: entry.created_at.to_rfc3339(),
        moderator: entry
            .account_id
            .and_then(|id| accounts.get(&id))
            .map(|a| bare_account_card(core, a)),
        action: entry.action.clone(),
        target_type: entry.target_type.clone(),
        target_id: entry.target_id,
        target_account: (entry.target_type == "account")
            .then(|| accounts.get(&entry.target_id))
            .flatten()
            .map(|a| bare_account_card(core, a)),
        text_names_target: entry.target_type.ends_with("_block")
            || entry.target_type.ends_with("_allow"),
        text: entry.text.clone(),
    }
}

/// A server on the federation health page.
pub struct InstanceCard {
    pub domain: String,
    pub last_success: Option<String>,
    pub last_failure: Option<String>,
    pub failing_since: Option<String>,
    pub failures: i64,
    pub queued: i64,
}

pub fn instance_card(status: &rhizome_core::federation::deliver::InstanceStatus) -> InstanceCard {
    InstanceCard {
        domain: status.domain.clone(),
        last_success: status.last_success_at.map(display_time),
        last_failure: status.last_failure_at.map(display_time),
        failing_since: status
            .first_failure_at
            .filter(|_| status.failures > 0)
            .map(display_time),
        failures: status.failures,
        queued: status.queued,
    }
}

/// An instance-level domain block.
pub struct DomainBlockCard {
    pub id: Id,
    pub domain: String,
    /// `suspend`, `silence` or `noop`.
    pub severity: String,
    pub reject_media: bool,
    pub reject_reports: bool,
    pub obfuscate: bool,
    pub public_comment: String,
    pub private_comment: String,
    pub created: String,
}

pub fn domain_block_card(block: &rhizome_store::DomainBlock) -> DomainBlockCard {
    DomainBlockCard {
        id: block.id,
        domain: block.domain.clone(),
        severity: block.severity.clone(),
        reject_media: block.reject_media,
        reject_reports: block.reject_reports,
        obfuscate: block.obfuscate,
        public_comment: block.public_comment.clone(),
        private_comment: block.private_comment.clone(),
        created: display_time(block.created_at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_emoji_are_drawn_and_names_escaped() {
        let emojis = vec![EmojiRef {
            shortcode: "blob".to_owned(),
            url: "https://example.com/blob.png\"".to_owned(),
        }];
        let html = text_with_emoji("<b>Hi</b> :blob:", &emojis);
        assert!(html.starts_with("&lt;b&gt;Hi&lt;/b&gt; <img class=\"emoji\""));
        assert!(html.contains("src=\"https://example.com/blob.png&quot;\""));
    }
}
