#![recursion_limit = "256"]
//! The Mastodon client API (and Akkoma's extensions): a thin HTTP layer over `rhizome-core`.
//!
//! Handlers parse the request, check the token's scopes, call one core action and turn its
//! result into Mastodon's JSON with the functions in [`entities`].

mod accounts;
mod admin_blocks;
mod admin_federation;
mod admin_moderation;
mod announcements;
mod apps;
pub mod auth;
mod backups;
mod conversations;
mod data;
pub mod entities;
pub mod error;
mod featured;
mod filters;
mod instance;
mod lists;
mod media;
mod moving;
mod notifications;
mod oauth_tokens;
pub mod pagination;
pub mod params;
mod pleroma_admin;
mod pleroma_config;
mod polls;
mod push;
mod reactions;
mod search;
mod statuses;
mod streaming;
mod support;
mod timelines;
mod trends;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, patch, post, put};
use rhizome_core::Core;

pub use error::{ApiError, not_found};

/// Mastodon reports API version 4.3 semantics; clients feature-detect on this string.
pub const MASTODON_COMPATIBLE_VERSION: &str = "4.3.0";

/// `4.3.0 (compatible; Rhizome 0.1.0)`: what `/api/v1/instance` reports as `version`.
pub fn version_string() -> String {
    format!(
        "{MASTODON_COMPATIBLE_VERSION} (compatible; Rhizome {})",
        env!("CARGO_PKG_VERSION")
    )
}

/// The client API's routes; write requests are limited by `limiter`.
pub fn router() -> Router<Core> {
    Router::new()
        // Instance and probes.
        .route("/api/v1/instance", get(instance::instance_v1))
        .route("/api/v2/instance", get(instance::instance_v2))
        .route("/api/v1/instance/peers", get(instance::peers))
        .route("/api/v1/instance/rules", get(instance::rules))
        .route(
            "/api/v1/instance/domain_blocks",
            get(admin_federation::public_blocks),
        )
        // Federation policy administration.
        .route(
            "/api/v1/admin/domain_blocks",
            get(admin_federation::list_blocks).post(admin_federation::create_block),
        )
        .route(
            "/api/v1/admin/domain_blocks/{id}",
            get(admin_federation::show_block)
                .put(admin_federation::update_block)
                .delete(admin_federation::delete_block),
        )
        .route(
            "/api/v1/admin/domain_allows",
            get(admin_federation::list_allows).post(admin_federation::create_allow),
        )
        .route(
            "/api/v1/admin/domain_allows/{id}",
            get(admin_federation::show_allow).delete(admin_federation::delete_allow),
        )
        .route(
            "/api/v1/admin/rhizome/policies",
            get(admin_federation::show_policies)
                .put(admin_federation::update_policies)
                .delete(admin_federation::reset_policies),
        )
        .route(
            "/api/v1/admin/rhizome/policies/test",
            post(admin_federation::test_policies),
        )
        // Reports and account moderation.
        .route("/api/v1/reports", post(admin_moderation::create_report))
        .route(
            "/api/v1/admin/accounts",
            get(admin_moderation::list_accounts_v1),
        )
        .route(
            "/api/v2/admin/accounts",
            get(admin_moderation::list_accounts_v2),
        )
        .route(
            "/api/v1/admin/accounts/{id}",
            get(admin_moderation::show_account).delete(admin_moderation::delete_account),
        )
        .route(
            "/api/v1/admin/accounts/{id}/action",
            post(admin_moderation::account_action),
        )
        .route(
            "/api/v1/admin/accounts/{id}/approve",
            post(admin_moderation::approve),
        )
        .route(
            "/api/v1/admin/accounts/{id}/reject",
            post(admin_moderation::reject),
        )
        .route(
            "/api/v1/admin/accounts/{id}/enable",
            post(admin_moderation::enable),
        )
        .route(
            "/api/v1/admin/accounts/{id}/unsilence",
            post(admin_moderation::unsilence),
        )
        .route(
            "/api/v1/admin/accounts/{id}/unsuspend",
            post(admin_moderation::unsuspend),
        )
        .route(
            "/api/v1/admin/accounts/{id}/unsensitive",
            post(admin_moderation::unsensitive),
        )
        .route("/api/v1/admin/measures", post(admin_moderation::measures))
        .route(
            "/api/v1/admin/dimensions",
            post(admin_moderation::dimensions),
        )
        .route(
            "/api/v1/pleroma/admin/users",
            get(pleroma_admin::list_users),
        )
        .route(
            "/api/v1/pleroma/admin/reports",
            get(pleroma_admin::list_reports).patch(pleroma_admin::change_report_states),
        )
        .route(
            "/api/v1/pleroma/admin/reports/{id}",
            get(pleroma_admin::show_report),
        )
        .route(
            "/api/v1/pleroma/admin/reports/{id}/notes",
            post(pleroma_admin::add_report_note),
        )
        .route(
            "/api/v1/pleroma/admin/reports/{report_id}/notes/{id}",
            delete(pleroma_admin::delete_report_note),
        )
        .route(
            "/api/v1/pleroma/admin/moderation_log",
            get(pleroma_admin::moderation_log),
        )
        .route(
            "/api/v1/pleroma/admin/config",
            get(pleroma_config::show).post(pleroma_config::update),
        )
        .route(
            "/api/v1/pleroma/admin/config/descriptions",
            get(pleroma_config::descriptions),
        )
        .route(
            "/api/v1/pleroma/admin/users/tag",
            put(pleroma_admin::tag).delete(pleroma_admin::untag),
        )
        .route(
            "/api/v1/pleroma/admin/users/approve",
            patch(pleroma_admin::approve),
        )
        .route(
            "/api/v1/pleroma/admin/users/activate",
            patch(pleroma_admin::activate),
        )
        .route(
            "/api/v1/pleroma/admin/users/deactivate",
            patch(pleroma_admin::deactivate),
        )
        .route("/api/v1/admin/reports", get(admin_moderation::list_reports))
        .route(
            "/api/v1/admin/rhizome/reports/{id}/mark_statuses_sensitive",
            post(admin_moderation::mark_reported_sensitive),
        )
        .route(
            "/api/v1/admin/rhizome/reports/{id}/delete_statuses",
            post(admin_moderation::delete_reported),
        )
        .route(
            "/api/v1/admin/reports/{id}",
            get(admin_moderation::show_report),
        )
        .route(
            "/api/v1/admin/reports/{id}/assign_to_self",
            post(admin_moderation::assign_to_self),
        )
        .route(
            "/api/v1/admin/reports/{id}/unassign",
            post(admin_moderation::unassign),
        )
        .route(
            "/api/v1/admin/reports/{id}/resolve",
            post(admin_moderation::resolve),
        )
        .route(
            "/api/v1/admin/reports/{id}/reopen",
            post(admin_moderation::reopen),
        )
        .route(
            "/api/v1/admin/rhizome/moderation_log",
            get(admin_moderation::moderation_log),
        )
        // Sign-up blocks.
        .route(
            "/api/v1/admin/email_domain_blocks",
            get(admin_blocks::list_email_domains).post(admin_blocks::create_email_domain),
        )
        .route(
            "/api/v1/admin/email_domain_blocks/{id}",
            get(admin_blocks::show_email_domain).delete(admin_blocks::delete_email_domain),
        )
        .route(
            "/api/v1/admin/canonical_email_blocks",
            get(admin_blocks::list_canonical).post(admin_blocks::create_canonical),
        )
        .route(
            "/api/v1/admin/canonical_email_blocks/test",
            post(admin_blocks::test_canonical),
        )
        .route(
            "/api/v1/admin/canonical_email_blocks/{id}",
            get(admin_blocks::show_canonical).delete(admin_blocks::delete_canonical),
        )
        .route(
            "/api/v1/admin/ip_blocks",
            get(admin_blocks::list_ips).post(admin_blocks::create_ip),
        )
        .route(
            "/api/v1/admin/ip_blocks/{id}",
            get(admin_blocks::show_ip)
                .put(admin_blocks::update_ip)
                .delete(admin_blocks::delete_ip),
        )
        .route("/api/v1/custom_emojis", get(instance::custom_emojis))
        .route("/api/v1/preferences", get(instance::preferences))
        .route("/api/v1/trends", get(trends::tags))
        .route("/api/v1/trends/tags", get(trends::tags))
        .route("/api/v1/trends/statuses", get(trends::statuses))
        .route("/api/v1/trends/links", get(trends::links))
        .route("/api/v1/suggestions", get(featured::suggestions_v1))
        .route("/api/v2/suggestions", get(featured::suggestions_v2))
        .route(
            "/api/v1/suggestions/{id}",
            delete(featured::dismiss_suggestion),
        )
        .route("/api/v1/endorsements", get(featured::endorsements))
        .route("/api/v1/announcements", get(announcements::index))
        .route(
            "/api/v1/announcements/{id}/dismiss",
            post(announcements::dismiss),
        )
        .route(
            "/api/v1/announcements/{id}/reactions/{name}",
            put(announcements::react).delete(announcements::unreact),
        )
        .route(
            "/api/v1/featured_tags",
            get(featured::featured_tags).post(featured::feature_tag),
        )
        .route(
            "/api/v1/featured_tags/suggestions",
            get(featured::featured_tag_suggestions),
        )
        .route(
            "/api/v1/featured_tags/{id}",
            delete(featured::unfeature_tag),
        )
        // Uploads lift the server's body limit: `ParamsWithFiles` enforces the media one.
        .route(
            "/api/v1/media",
            post(media::create_v1).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/api/v2/media",
            post(media::create_v2).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/api/v1/media/{id}",
            get(media::get)
                .put(media::update)
                .delete(media::delete)
                .layer(DefaultBodyLimit::disable()),
        )
        // Exports and imports: CSV uploads lift the server's body limit, `ImportForm`
        // enforces the imports' own.
        .route("/api/v1/exports/{file}", get(data::export))
        .route(
            "/api/v1/import",
            post(data::create).layer(DefaultBodyLimit::disable()),
        )
        .route("/api/v1/imports", get(data::index))
        .route("/api/v1/imports/{id}", get(data::show))
        .route("/api/v1/imports/{id}/failures", get(data::failures))
        .route(
            "/api/pleroma/follow_import",
            post(data::akkoma_follows).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/api/pleroma/blocks_import",
            post(data::akkoma_blocks).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/api/pleroma/mutes_import",
            post(data::akkoma_mutes).layer(DefaultBodyLimit::disable()),
        )
        // Akkoma's full archives of one's account.
        .route(
            "/api/v1/pleroma/backups",
            get(backups::index).post(backups::create),
        )
        .route("/api/v1/followed_tags", get(conversations::followed_tags))
        .route("/api/v1/tags/{name}", get(conversations::tag))
        .route(
            "/api/v1/tags/{name}/feature",
            post(featured::feature_tag_by_name),
        )
        .route(
            "/api/v1/tags/{name}/unfeature",
            post(featured::unfeature_tag_by_name),
        )
        .route(
            "/api/v1/tags/{name}/follow",
            post(conversations::follow_tag),
        )
        .route(
            "/api/v1/tags/{name}/unfollow",
            post(conversations::unfollow_tag),
        )
        .route("/api/v1/conversations", get(conversations::list))
        .route("/api/v1/conversations/{id}", delete(conversations::remove))
        .route("/api/v1/conversations/{id}/read", post(conversations::read))
        .route("/api/v1/timelines/direct", get(conversations::direct))
        .route(
            "/api/v1/scheduled_statuses",
            get(conversations::scheduled_list),
        )
        .route(
            "/api/v1/scheduled_statuses/{id}",
            get(conversations::scheduled_show)
                .put(conversations::scheduled_update)
                .delete(conversations::scheduled_delete),
        )
        // OAuth.
        .route("/api/v1/apps", post(apps::create))
        .route(
            "/api/v1/apps/verify_credentials",
            get(apps::verify_credentials),
        )
        .route(
            "/api/v1/push/subscription",
            get(push::show)
                .post(push::create)
                .put(push::update)
                .delete(push::delete),
        )
        .route("/oauth/token", post(apps::token))
        .route("/oauth/revoke", post(apps::revoke))
        .route("/api/oauth_tokens", get(oauth_tokens::list))
        .route("/api/oauth_tokens/{id}", delete(oauth_tokens::revoke))
        .route(
            "/.well-known/oauth-authorization-server",
            get(apps::metadata),
        )
        // Accounts.
        .route(
            "/api/v1/accounts",
            post(accounts::register).get(accounts::get_many),
        )
        .route("/api/pleroma/captcha", get(accounts::captcha))
        .route(
            "/api/v1/accounts/verify_credentials",
            get(accounts::verify_credentials),
        )
        .route(
            "/api/v1/accounts/update_credentials",
            axum::routing::patch(accounts::update_credentials).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/api/v1/accounts/relationships",
            get(accounts::relationships),
        )
        .route("/api/v1/accounts/lookup", get(accounts::lookup))
        .route("/api/v1/accounts/search", get(accounts::search))
        .route("/api/v1/accounts/{id}", get(accounts::get))
        .route("/api/v1/accounts/{id}/statuses", get(accounts::statuses))
        .route("/api/v1/accounts/{id}/followers", get(accounts::followers))
        .route("/api/v1/accounts/{id}/following", get(accounts::following))
        .route("/api/v1/accounts/{id}/follow", post(accounts::follow))
        .route("/api/v1/accounts/{id}/unfollow", post(accounts::unfollow))
        .route(
            "/api/v1/accounts/{id}/remove_from_followers",
            post(accounts::remove_from_followers),
        )
        .route("/api/v1/accounts/{id}/block", post(accounts::block))
        .route("/api/v1/accounts/{id}/unblock", post(accounts::unblock))
        .route("/api/v1/accounts/{id}/mute", post(accounts::mute))
        .route("/api/v1/accounts/{id}/unmute", post(accounts::unmute))
        .route("/api/v1/accounts/{id}/lists", get(lists::containing))
        .route("/api/v1/lists", get(lists::index).post(lists::create))
        .route(
            "/api/v1/lists/{id}",
            get(lists::show).put(lists::update).delete(lists::delete),
        )
        .route(
            "/api/v1/lists/{id}/accounts",
            get(lists::members)
                .post(lists::add_members)
                .delete(lists::remove_members),
        )
        .route("/api/v1/timelines/list/{id}", get(lists::timeline))
        .route(
            "/api/v1/markers",
            get(lists::markers).post(lists::save_markers),
        )
        .route("/api/v2/filters", get(filters::index).post(filters::create))
        .route(
            "/api/v2/filters/{id}",
            get(filters::show)
                .put(filters::update)
                .delete(filters::delete),
        )
        .route("/api/v2/filters/{id}/keywords", post(filters::add_keyword))
        .route(
            "/api/v2/filters/keywords/{id}",
            delete(filters::remove_keyword),
        )
        .route("/api/v2/filters/{id}/statuses", post(filters::add_status))
        .route(
            "/api/v2/filters/statuses/{id}",
            delete(filters::remove_status),
        )
        .route(
            "/api/v1/filters",
            get(filters::index_v1).post(filters::create_v1),
        )
        .route(
            "/api/v1/filters/{id}",
            get(filters::show_v1)
                .put(filters::update_v1)
                .delete(filters::delete_v1),
        )
        .route(
            "/api/v1/accounts/{id}/featured_tags",
            get(featured::account_featured_tags),
        )
        // Endorsements: `pin`/`unpin`, and Mastodon 4.4's `endorse`/`unendorse`.
        .route("/api/v1/accounts/{id}/pin", post(featured::endorse))
        .route("/api/v1/accounts/{id}/unpin", post(featured::unendorse))
        .route("/api/v1/accounts/{id}/endorse", post(featured::endorse))
        .route("/api/v1/accounts/{id}/unendorse", post(featured::unendorse))
        .route(
            "/api/v1/accounts/{id}/endorsements",
            get(featured::account_endorsements),
        )
        .route("/api/v1/follow_requests", get(accounts::follow_requests))
        .route(
            "/api/v1/follow_requests/{id}/authorize",
            post(accounts::authorize_follow_request),
        )
        .route(
            "/api/v1/follow_requests/{id}/reject",
            post(accounts::reject_follow_request),
        )
        .route("/api/v1/blocks", get(accounts::blocks))
        .route("/api/v1/mutes", get(accounts::mutes))
        .route(
            "/api/v1/domain_blocks",
            get(accounts::domain_blocks)
                .post(accounts::block_domain)
                .delete(accounts::unblock_domain),
        )
        // Statuses.
        .route(
            "/api/v1/statuses",
            post(statuses::create).get(statuses::get_many),
        )
        .route(
            "/api/v1/statuses/{id}",
            get(statuses::get)
                .put(statuses::edit)
                .delete(statuses::delete),
        )
        .route("/api/v1/statuses/{id}/context", get(statuses::context))
        .route(
            "/api/v1/statuses/{id}/interaction_policy",
            put(statuses::interaction_policy),
        )
        .route("/api/v1/statuses/{id}/quotes", get(statuses::quotes))
        .route(
            "/api/v1/statuses/{id}/quotes/{quoting}/revoke",
            post(statuses::revoke_quote),
        )
        .route("/api/v1/statuses/{id}/history", get(statuses::history))
        .route("/api/v1/statuses/{id}/source", get(statuses::source))
        .route(
            "/api/v1/statuses/{id}/reblogged_by",
            get(statuses::reblogged_by),
        )
        .route(
            "/api/v1/statuses/{id}/favourited_by",
            get(statuses::favourited_by),
        )
        .route("/api/v1/statuses/{id}/favourite", post(statuses::favourite))
        .route(
            "/api/v1/statuses/{id}/unfavourite",
            post(statuses::unfavourite),
        )
        .route("/api/v1/statuses/{id}/reblog", post(statuses::reblog))
        .route("/api/v1/statuses/{id}/unreblog", post(statuses::unreblog))
        .route("/api/v1/statuses/{id}/bookmark", post(statuses::bookmark))
        .route(
            "/api/v1/statuses/{id}/unbookmark",
            post(statuses::unbookmark),
        )
        .route("/api/v1/statuses/{id}/mute", post(statuses::mute))
        .route("/api/v1/statuses/{id}/unmute", post(statuses::unmute))
        .route("/api/v1/statuses/{id}/pin", post(statuses::pin))
        .route("/api/v1/statuses/{id}/unpin", post(statuses::unpin))
        .route("/api/v1/polls/{id}", get(polls::show))
        .route("/api/v1/polls/{id}/votes", post(polls::vote))
        .route("/api/v1/bookmarks", get(statuses::bookmarks))
        .route("/api/v1/favourites", get(statuses::favourites))
        .route(
            "/api/v1/pleroma/statuses/{id}/reactions",
            get(reactions::list),
        )
        .route(
            "/api/v1/pleroma/statuses/{id}/reactions/{emoji}",
            get(reactions::list_one)
                .put(reactions::react)
                .delete(reactions::unreact),
        )
        // Fedibird's spelling of the same reactions.
        .route(
            "/api/v1/statuses/{id}/emoji_reactions/{emoji}",
            put(reactions::react).delete(reactions::unreact),
        )
        // Timelines, notifications, search.
        .route("/api/v1/timelines/home", get(timelines::home))
        .route("/api/v1/timelines/public", get(timelines::public))
        .route("/api/v1/timelines/bubble", get(timelines::bubble))
        .route("/api/v1/directory", get(timelines::directory))
        .route("/api/v1/timelines/tag/{tag}", get(timelines::tag))
        .route("/api/v1/notifications", get(notifications::list))
        .route("/api/v1/notifications/clear", post(notifications::clear))
        .route(
            "/api/v1/notifications/unread_count",
            get(notifications::unread_count),
        )
        .route("/api/v1/notifications/{id}", get(notifications::get))
        .route(
            "/api/v1/notifications/{id}/dismiss",
            post(notifications::dismiss),
        )
        .route("/api/v2/notifications", get(notifications::grouped))
        .route("/api/v2/search", get(search::search))
        // Streaming.
        .route("/api/v1/streaming", get(streaming::websocket))
        .route("/api/v1/streaming/", get(streaming::websocket))
        .route("/api/v1/streaming/health", get(streaming::health))
        .route("/api/v1/streaming/{*stream}", get(streaming::sse))
        .merge(moving_routes())
}

/// Akkoma's moving and leaving endpoints, at both of its prefixes.
fn moving_routes() -> Router<Core> {
    let mut router = Router::new();
    for prefix in ["/api/pleroma", "/api/v1/pleroma"] {
        router = router
            .route(
                &format!("{prefix}/aliases"),
                get(moving::list_aliases)
                    .put(moving::add_alias)
                    .delete(moving::delete_alias),
            )
            .route(
                &format!("{prefix}/move_account"),
                post(moving::move_account),
            )
            .route(
                &format!("{prefix}/delete_account"),
                post(moving::delete_account),
            );
    }
    router
}
