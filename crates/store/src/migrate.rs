//! Schema migrations for both backends, embedded in the binary.
//!
//! sqlx's migrator records applied versions with checksums and, on PostgreSQL, holds an
//! advisory lock while it runs, so several processes may start together.

use std::borrow::Cow;

use sqlx::migrate::{Migration, MigrationType, Migrator};

use crate::{Backend, Store, StoreError};

/// (version, description, SQLite script, PostgreSQL script)
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "foundation",
        include_str!("../migrations/sqlite/0001_foundation.sql"),
        include_str!("../migrations/postgres/0001_foundation.sql"),
    ),
    (
        2,
        "social",
        include_str!("../migrations/sqlite/0002_social.sql"),
        include_str!("../migrations/postgres/0002_social.sql"),
    ),
    (
        3,
        "lists and markers",
        include_str!("../migrations/sqlite/0003_lists_markers.sql"),
        include_str!("../migrations/postgres/0003_lists_markers.sql"),
    ),
    (
        4,
        "filters",
        include_str!("../migrations/sqlite/0004_filters.sql"),
        include_str!("../migrations/postgres/0004_filters.sql"),
    ),
    (
        5,
        "conversations, scheduled statuses, followed tags",
        include_str!("../migrations/sqlite/0005_conversations_scheduled_tags.sql"),
        include_str!("../migrations/postgres/0005_conversations_scheduled_tags.sql"),
    ),
    (
        6,
        "polls",
        include_str!("../migrations/sqlite/0006_polls.sql"),
        include_str!("../migrations/postgres/0006_polls.sql"),
    ),
    (
        7,
        "search",
        include_str!("../migrations/sqlite/0007_search.sql"),
        include_str!("../migrations/postgres/0007_search.sql"),
    ),
    (
        8,
        "media",
        include_str!("../migrations/sqlite/0008_media.sql"),
        include_str!("../migrations/postgres/0008_media.sql"),
    ),
    (
        9,
        "featured tags, endorsements, suggestions, announcements",
        include_str!(
            "../migrations/sqlite/0009_featured_endorsements_suggestions_announcements.sql"
        ),
        include_str!(
            "../migrations/postgres/0009_featured_endorsements_suggestions_announcements.sql"
        ),
    ),
    (
        10,
        "media on scheduled posts",
        include_str!("../migrations/sqlite/0010_scheduled_media.sql"),
        include_str!("../migrations/postgres/0010_scheduled_media.sql"),
    ),
    (
        11,
        "look-up indexes",
        include_str!("../migrations/sqlite/0011_lookup_indexes.sql"),
        include_str!("../migrations/postgres/0011_lookup_indexes.sql"),
    ),
    (
        12,
        "quote consent",
        include_str!("../migrations/sqlite/0012_quote_consent.sql"),
        include_str!("../migrations/postgres/0012_quote_consent.sql"),
    ),
    (
        13,
        "account and status counters",
        include_str!("../migrations/sqlite/0013_counters.sql"),
        include_str!("../migrations/postgres/0013_counters.sql"),
    ),
    (
        14,
        "preview cards",
        include_str!("../migrations/sqlite/0014_preview_cards.sql"),
        include_str!("../migrations/postgres/0014_preview_cards.sql"),
    ),
    (
        15,
        "quote look-up",
        include_str!("../migrations/sqlite/0015_quote_lookup.sql"),
        include_str!("../migrations/postgres/0015_quote_lookup.sql"),
    ),
    (
        16,
        "policies: domain block options, domain allows, dry-run samples",
        include_str!("../migrations/sqlite/0016_policies.sql"),
        include_str!("../migrations/postgres/0016_policies.sql"),
    ),
    (
        17,
        "account tags",
        include_str!("../migrations/sqlite/0017_account_tags.sql"),
        include_str!("../migrations/postgres/0017_account_tags.sql"),
    ),
    (
        18,
        "direct message preferences",
        include_str!("../migrations/sqlite/0018_direct_message_preferences.sql"),
        include_str!("../migrations/postgres/0018_direct_message_preferences.sql"),
    ),
    (
        19,
        "moderation: report handling, account limits, moderation log",
        include_str!("../migrations/sqlite/0019_moderation.sql"),
        include_str!("../migrations/postgres/0019_moderation.sql"),
    ),
    (
        20,
        "sign-up blocks: e-mail domains, canonical e-mails, IP ranges",
        include_str!("../migrations/sqlite/0020_signup_blocks.sql"),
        include_str!("../migrations/postgres/0020_signup_blocks.sql"),
    ),
    (
        21,
        "e-mail confirmation",
        include_str!("../migrations/sqlite/0021_email_confirmation.sql"),
        include_str!("../migrations/postgres/0021_email_confirmation.sql"),
    ),
    (
        22,
        "spent captchas",
        include_str!("../migrations/sqlite/0022_spent_captchas.sql"),
        include_str!("../migrations/postgres/0022_spent_captchas.sql"),
    ),
    (
        23,
        "web push subscriptions",
        include_str!("../migrations/sqlite/0023_push_subscriptions.sql"),
        include_str!("../migrations/postgres/0023_push_subscriptions.sql"),
    ),
    (
        24,
        "CSV imports and their rows",
        include_str!("../migrations/sqlite/0024_imports.sql"),
        include_str!("../migrations/postgres/0024_imports.sql"),
    ),
    (
        25,
        "account security: posting defaults, two-factor, recovery codes, password resets",
        include_str!("../migrations/sqlite/0025_account_security.sql"),
        include_str!("../migrations/postgres/0025_account_security.sql"),
    ),
    (
        26,
        "full archives of accounts",
        include_str!("../migrations/sqlite/0026_archives.sql"),
        include_str!("../migrations/postgres/0026_archives.sql"),
    ),
    (
        27,
        "moves and deletions",
        include_str!("../migrations/sqlite/0027_moves_and_deletions.sql"),
        include_str!("../migrations/postgres/0027_moves_and_deletions.sql"),
    ),
    (
        28,
        "account warnings",
        include_str!("../migrations/sqlite/0028_account_warnings.sql"),
        include_str!("../migrations/postgres/0028_account_warnings.sql"),
    ),
    (
        29,
        "users' addresses",
        include_str!("../migrations/sqlite/0029_user_ips.sql"),
        include_str!("../migrations/postgres/0029_user_ips.sql"),
    ),
    (
        30,
        "follow counters locked in order",
        include_str!("../migrations/sqlite/0030_ordered_follow_counters.sql"),
        include_str!("../migrations/postgres/0030_ordered_follow_counters.sql"),
    ),
    (
        31,
        "hash indexes for look-ups by address",
        include_str!("../migrations/sqlite/0031_hash_lookup_indexes.sql"),
        include_str!("../migrations/postgres/0031_hash_lookup_indexes.sql"),
    ),
    (
        32,
        "a revision of the policy configuration's sources",
        include_str!("../migrations/sqlite/0032_policy_revision.sql"),
        include_str!("../migrations/postgres/0032_policy_revision.sql"),
    ),
];

fn migrator(postgres: bool) -> Migrator {
    let migrations = MIGRATIONS
        .iter()
        .map(|(version, description, sqlite, pg)| {
            let sql = if postgres { pg } else { sqlite };
            Migration::new(
                *version,
                Cow::Borrowed(description),
                MigrationType::Simple,
                Cow::Borrowed(sql),
                false,
            )
        })
        .collect::<Vec<_>>();
    Migrator {
        migrations: Cow::Owned(migrations),
        ignore_missing: false,
        locking: true,
        no_tx: false,
    }
}

impl Store {
    /// Brings the schema up to date. Safe to call from several processes at once.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite { write, .. } => {
                // SQLite has no advisory lock: two processes starting together may both try
                // a migration. The loser's attempt rolls back, and running again finds the
                // migration applied; a real failure fails every time and is returned.
                let mut attempt = 0;
                loop {
                    match migrator(false).run(write).await {
                        Ok(()) => break,
                        Err(err) if attempt < 3 => {
                            attempt += 1;
                            tracing::debug!(error = %err, attempt, "migration retried");
                            tokio::time::sleep(std::time::Duration::from_millis(200 * attempt))
                                .await;
                        }
                        Err(err) => return Err(err.into()),
                    }
                }
            }
            Backend::Postgres(pool) => migrator(true).run(pool).await?,
        }
        Ok(())
    }

    /// The latest schema version this binary knows.
    pub fn schema_version() -> i64 {
        MIGRATIONS.last().map(|m| m.0).unwrap_or(0)
    }
}
