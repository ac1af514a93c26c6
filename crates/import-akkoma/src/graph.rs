//! Stage 2: the social graph. Follows in both directions with their state (accepted ones
//! become follows, pending ones requests, rejected ones are left out), with the id of their
//! Follow activity so that a later Undo or Accept still matches; blocks; mutes; reblog and
//! post-notification settings; users' domain blocks; muted threads.

use std::collections::{HashMap, HashSet};

use rhizome_model::{Follow, Id, Timestamp};
use rhizome_store::FollowTable;
use sqlx::Row;

use crate::source::{json, millis};
use crate::{ImportError, Importer, ids};

const FOLLOWS: &str = "follows";
const REQUESTS: &str = "follow requests";
const BLOCKS: &str = "blocks";
const MUTES: &str = "mutes";
const DOMAIN_BLOCKS: &str = "domain blocks";
const THREAD_MUTES: &str = "muted threads";

/// Akkoma's `user_relationships.relationship_type`.
const BLOCK: i32 = 1;
const MUTE: i32 = 2;
const REBLOG_MUTE: i32 = 3;
const NOTIFICATION_MUTE: i32 = 4;
const INVERSE_SUBSCRIPTION: i32 = 5;

impl Importer<'_> {
    pub(crate) async fn import_graph(&mut self) -> Result<(), ImportError> {
        // Relationships by (source, target) ap ids: what modifies a follow or a mute.
        let rows = sqlx::query(&format!(
            "SELECT s.ap_id AS source, t.ap_id AS target, r.relationship_type AS kind, \
             r.id, {at} AS at, \
             (SELECT a.data->>'id' FROM activities a WHERE a.actor = s.ap_id \
              AND a.data->>'type' = 'Block' AND a.data->>'object' = t.ap_id \
              ORDER BY a.id DESC LIMIT 1) AS uri \
             FROM user_relationships r JOIN users s ON s.id = r.source_id \
             JOIN users t ON t.id = r.target_id ORDER BY r.id",
            at = millis("r.inserted_at")
        ))
        .fetch_all(&self.source)
        .await?;
        let mut relationships: HashMap<(String, String), HashSet<i32>> = HashMap::new();
        let mut listed = Vec::new();
        for row in &rows {
            let source: String = row.try_get("source")?;
            let target: String = row.try_get("target")?;
            let kind: i32 = row.try_get("kind")?;
            relationships
                .entry((source.clone(), target.clone()))
                .or_default()
                .insert(kind);
            listed.push((
                source,
                target,
                kind,
                row.try_get::<i64, _>("id")?,
                row.try_get::<i64, _>("at")?,
                row.try_get::<Option<String>, _>("uri")?,
            ));
        }

        let follows = sqlx::query(&format!(
            "SELECT f.ap_id AS follower, t.ap_id AS followed, r.state, r.id, {at} AS at, \
             (SELECT a.data->>'id' FROM activities a WHERE a.actor = f.ap_id \
              AND a.data->>'type' = 'Follow' AND a.data->>'object' = t.ap_id \
              ORDER BY a.id DESC LIMIT 1) AS uri \
             FROM following_relationships r JOIN users f ON f.id = r.follower_id \
             JOIN users t ON t.id = r.following_id ORDER BY r.id",
            at = millis("r.inserted_at")
        ))
        .fetch_all(&self.source)
        .await?;
        let domain_blocks = sqlx::query(&format!(
            "SELECT ap_id, array_to_json(domain_blocks)::text AS domains, {at} AS at \
             FROM users WHERE local AND cardinality(domain_blocks) > 0",
            at = millis("updated_at")
        ))
        .fetch_all(&self.source)
        .await?;
        let thread_mutes = sqlx::query(
            "SELECT u.ap_id, m.context FROM thread_mutes m JOIN users u ON u.id = m.user_id \
             ORDER BY m.id",
        )
        .fetch_all(&self.source)
        .await?;

        self.progress.stage(
            "follows, blocks, mutes",
            (follows.len() + listed.len() + domain_blocks.len() + thread_mutes.len()) as u64,
        );
        for row in &follows {
            self.progress.advance();
            let follower: String = row.try_get("follower")?;
            let followed: String = row.try_get("followed")?;
            let state: i32 = row.try_get("state")?;
            let serial: i64 = row.try_get("id")?;
            let at: i64 = row.try_get("at")?;
            let uri: Option<String> = row.try_get("uri")?;
            let kind = match state {
                2 => FOLLOWS,
                1 => REQUESTS,
                _ => {
                    self.skip(FOLLOWS, format!("{follower} → {followed}"), "rejected");
                    continue;
                }
            };
            let (Some(from), Some(to)) = (
                self.account(&follower).cloned(),
                self.account(&followed).cloned(),
            ) else {
                self.skip(
                    kind,
                    format!("{follower} → {followed}"),
                    "an account was not imported",
                );
                continue;
            };
            // Akkoma keeps "hide boosts" and "notify on posts" as relationships.
            let flags = relationships.get(&(follower.clone(), followed.clone()));
            let show_reblogs = !flags.is_some_and(|f| f.contains(&REBLOG_MUTE));
            let notify = relationships
                .get(&(followed.clone(), follower.clone()))
                .is_some_and(|f| f.contains(&INVERSE_SUBSCRIPTION));
            let follow = Follow {
                id: ids::from_serial(at, serial),
                account_id: from.id,
                target_account_id: to.id,
                uri,
                show_reblogs,
                notify,
                created_at: Timestamp(at),
            };
            let table = if kind == FOLLOWS {
                FollowTable::Follows
            } else {
                FollowTable::Requests
            };
            if kind == FOLLOWS && to.local && from.local {
                self.local_followers
                    .entry(to.id)
                    .or_default()
                    .insert(from.id);
            }
            if kind == FOLLOWS && to.local != from.local && from.local {
                // A local account following a remote one reads its posts at home.
                self.local_followers
                    .entry(to.id)
                    .or_default()
                    .insert(from.id);
            }
            let written = match &self.core {
                Some(core) => {
                    if core
                        .store
                        .follow_between(table, from.id, to.id)
                        .await?
                        .is_some()
                    {
                        false
                    } else {
                        core.store.upsert_follow(table, &follow).await?;
                        true
                    }
                }
                None => true,
            };
            self.outcome(kind, written);
        }

        let expiries = self.mute_expiries().await?;
        let mut blocked: HashSet<(Id, Id)> = HashSet::new();
        let mut muted: HashSet<(Id, Id)> = HashSet::new();
        for (source, target, kind, serial, at, uri) in listed {
            self.progress.advance();
            let label = format!("{source} → {target}");
            let (Some(from), Some(to)) = (
                self.account(&source).cloned(),
                self.account(&target).cloned(),
            ) else {
                if matches!(kind, BLOCK | MUTE) {
                    let what = if kind == BLOCK { BLOCKS } else { MUTES };
                    self.skip(what, label, "an account was not imported");
                }
                continue;
            };
            let id = ids::from_serial(at, serial);
            match kind {
                BLOCK => {
                    if !blocked.insert((from.id, to.id)) {
                        continue;
                    }
                    let written = match &self.core {
                        Some(core) => {
                            let known = core
                                .store
                                .relationships(from.id, &[to.id], self.now)
                                .await?
                                .get(&to.id)
                                .is_some_and(|r| r.blocking);
                            if !known {
                                core.store
                                    .block(id, from.id, to.id, uri.as_deref(), Timestamp(at))
                                    .await?;
                            }
                            !known
                        }
                        None => true,
                    };
                    self.outcome(BLOCKS, written);
                }
                MUTE => {
                    if !muted.insert((from.id, to.id)) {
                        continue;
                    }
                    let hide_notifications = relationships
                        .get(&(source.clone(), target.clone()))
                        .is_some_and(|f| f.contains(&NOTIFICATION_MUTE));
                    let written = match &self.core {
                        Some(core) => {
                            let known = core
                                .store
                                .relationships(from.id, &[to.id], self.now)
                                .await?
                                .get(&to.id)
                                .is_some_and(|r| r.muting);
                            if !known {
                                let expires_at =
                                    expiries.get(&(source.clone(), target.clone())).copied();
                                core.store
                                    .mute(
                                        id,
                                        from.id,
                                        to.id,
                                        hide_notifications,
                                        expires_at,
                                        Timestamp(at),
                                    )
                                    .await?;
                            }
                            !known
                        }
                        None => true,
                    };
                    self.outcome(MUTES, written);
                }
                NOTIFICATION_MUTE
                    if !relationships
                        .get(&(source.clone(), target.clone()))
                        .is_some_and(|f| f.contains(&MUTE)) =>
                {
                    self.skip(
                        MUTES,
                        label,
                        "notifications muted without a mute: Rhizome has no equivalent",
                    );
                }
                // Reblog mutes and subscriptions went into the follows above; dismissed
                // suggestions are not worth carrying over.
                _ => {}
            }
        }

        for row in &domain_blocks {
            self.progress.advance();
            let ap_id: String = row.try_get("ap_id")?;
            let at: i64 = row.try_get("at")?;
            let domains = crate::source::strings(&json(row.try_get("domains")?));
            let Some(account) = self.account(&ap_id).cloned() else {
                continue;
            };
            for (n, domain) in domains.iter().enumerate() {
                let written = match &self.core {
                    Some(core) => {
                        let existing = core
                            .store
                            .user_domain_blocks(
                                account.id,
                                &rhizome_store::PageRequest::first(1000),
                            )
                            .await?;
                        if existing
                            .items
                            .iter()
                            .any(|d| d.eq_ignore_ascii_case(domain))
                        {
                            false
                        } else {
                            core.store
                                .block_domain_for_user(
                                    ids::from_serial(at, n as i64),
                                    account.id,
                                    domain,
                                    Timestamp(at),
                                )
                                .await?;
                            true
                        }
                    }
                    None => true,
                };
                self.outcome(DOMAIN_BLOCKS, written);
            }
        }

        for row in &thread_mutes {
            self.progress.advance();
            let ap_id: String = row.try_get("ap_id")?;
            let context: String = row.try_get("context")?;
            let Some(account) = self.account(&ap_id).cloned() else {
                continue;
            };
            let written = match &self.core {
                Some(core) => {
                    let known = core.store.conversation_muted(account.id, &context).await?;
                    if !known {
                        core.store.mute_conversation(account.id, &context).await?;
                    }
                    !known
                }
                None => true,
            };
            self.outcome(THREAD_MUTES, written);
        }
        self.progress.finish_stage();
        Ok(())
    }
}

impl Importer<'_> {
    /// When mutes end, by (muter, mutee) ap ids. Akkoma keeps a mute's end as an unmute job in
    /// its Oban queue (`MuteExpireWorker`, users named by their base-62 flake ids), not on the
    /// relationship; without that table, every mute is kept for good.
    async fn mute_expiries(&self) -> Result<HashMap<(String, String), Timestamp>, ImportError> {
        let table: Option<String> = sqlx::query_scalar("SELECT to_regclass('oban_jobs')::text")
            .fetch_one(&self.source)
            .await?;
        if table.is_none() {
            return Ok(HashMap::new());
        }
        let users = sqlx::query("SELECT id::text AS id, ap_id FROM users")
            .fetch_all(&self.source)
            .await?;
        let mut ap_ids = HashMap::new();
        for row in &users {
            let id: String = row.try_get("id")?;
            if let Some(flake) = ids::flake_base62(&id) {
                ap_ids.insert(flake, row.try_get::<String, _>("ap_id")?);
            }
        }
        let jobs = sqlx::query(&format!(
            "SELECT args->>'muter_id' AS muter, args->>'mutee_id' AS mutee, {at} AS at \
             FROM oban_jobs WHERE worker = 'Pleroma.Workers.MuteExpireWorker' \
             AND args->>'op' = 'unmute_user' AND state IN ('available', 'scheduled', 'retryable')",
            at = millis("scheduled_at")
        ))
        .fetch_all(&self.source)
        .await?;
        let mut expiries = HashMap::new();
        for row in &jobs {
            let (Some(muter), Some(mutee)) = (
                row.try_get::<Option<String>, _>("muter")?,
                row.try_get::<Option<String>, _>("mutee")?,
            ) else {
                continue;
            };
            if let (Some(muter), Some(mutee)) = (ap_ids.get(&muter), ap_ids.get(&mutee)) {
                expiries.insert(
                    (muter.clone(), mutee.clone()),
                    Timestamp(row.try_get("at")?),
                );
            }
        }
        Ok(expiries)
    }
}
