//! The policy stage every incoming and outgoing activity passes: an ordered chain of
//! Akkoma-style policies (see [`chain`]) configured in the `[mrf]` section of the
//! configuration file or, once an admin edits it, in the database. The instance's domain
//! blocks and allows are the Simple policy's lists, whichever way they were made.
//!
//! Every process reads the configuration and the domain lists from the database for each
//! check; only the compiled chain is remembered, keyed by what it was compiled from, so a
//! change made by any process takes effect at once everywhere.

mod chain;
pub mod config;
mod local;

use std::sync::{Arc, Mutex};

use rhizome_model::{Account, Id};
use rhizome_store::{DomainAllow, DomainBlock, POLICY_REVISION, PolicySample};
use serde::Serialize;
use serde_json::{Map, Value, json};

pub use chain::{ActorFacts, Chain, Context, Direction, PolicyError, Rewrite, Verdict};
pub use config::{DomainEntry, MrfConfig, PolicyName};
pub(crate) use local::LocalPost;

use crate::{Core, CoreError};

/// The settings key under which an admin's edited configuration is stored.
/// Migration 0032's triggers name this key too: changing it bumps the policy revision.
pub const MRF_SETTING: &str = "mrf";

/// The job that imports stolen emoji.
pub const STEAL_EMOJI: &str = "steal_emoji";

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StealEmojiJob {
    /// (shortcode, image URL)
    pub emojis: Vec<(String, String)>,
}

/// Whether `host` (a domain, perhaps with a port) falls under `pattern`
/// (`example.org` or `*.example.org`, which also covers `example.org` itself).
/// A pattern with a port matches only that port.
pub fn domain_matches(pattern: &str, host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let pattern = pattern.to_ascii_lowercase();
    if pattern.contains(':') {
        return host == pattern;
    }
    let host = host.split(':').next().unwrap_or(&host);
    match pattern.strip_prefix("*.") {
        Some(parent) => host == parent || host.ends_with(&format!(".{parent}")),
        None => host == pattern,
    }
}

/// The last compiled chain and the policy revision it was compiled at.
#[derive(Default)]
pub struct PolicyCache {
    compiled: Mutex<Option<(i64, Arc<Chain>)>>,
}

/// Who may send a local account direct messages (Pleroma's `accepts_direct_messages_from`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectMessages {
    Everybody,
    PeopleIFollow,
    Nobody,
}

impl DirectMessages {
    pub fn as_str(self) -> &'static str {
        match self {
            DirectMessages::Everybody => "everybody",
            DirectMessages::PeopleIFollow => "people_i_follow",
            DirectMessages::Nobody => "nobody",
        }
    }
}

impl std::str::FromStr for DirectMessages {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "everybody" => Ok(DirectMessages::Everybody),
            "people_i_follow" => Ok(DirectMessages::PeopleIFollow),
            "nobody" => Ok(DirectMessages::Nobody),
            _ => Err(CoreError::invalid(
                "accepts_direct_messages_from must be everybody, people_i_follow or nobody",
            )),
        }
    }
}

/// Mastodon's domain block severities.
pub const SEVERITIES: &[&str] = &["suspend", "silence", "noop"];

/// What an admin asks for when blocking a domain (Mastodon's parameters).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DomainBlockRequest {
    pub domain: String,
    pub severity: String,
    pub reject_media: bool,
    pub reject_reports: bool,
    pub obfuscate: bool,
    pub public_comment: String,
    pub private_comment: String,
}

/// A domain block as anyone may see it (Mastodon's `DomainBlock` entity).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicDomainBlock {
    pub domain: String,
    /// SHA-256 of the real domain, so that others can check a domain they know.
    pub digest: String,
    pub severity: String,
    pub comment: String,
}

/// What replaying the kept activities through a proposed chain found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DryRunReport {
    pub examined: usize,
    pub accepted: usize,
    /// Activities the proposed chain rejects.
    pub rejected: Vec<DryRunEntry>,
    /// Activities the proposed chain accepts with changes.
    pub rewritten: Vec<DryRunEntry>,
    /// Activities whose fate differs from the chain in force.
    pub changed_from_current: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DryRunEntry {
    pub activity_id: Option<String>,
    pub actor: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub received_at: String,
    pub policy: Option<String>,
    pub reason: Option<String>,
    pub rewrites: Vec<Rewrite>,
}

/// A domain as blocks, allows and the Simple policy's lists take it: trimmed, lower-cased,
/// `*.` allowed in front only.
pub fn valid_domain(domain: &str) -> Result<String, CoreError> {
    let domain = domain.trim().to_ascii_lowercase();
    let bare = domain.strip_prefix("*.").unwrap_or(&domain);
    // `*.tld` is allowed: whole top-level domains are blocked in practice.
    if bare.is_empty() || bare.contains(['/', ' ', '@', '*']) {
        return Err(CoreError::invalid("domain is invalid"));
    }
    Ok(domain)
}

/// Adds the domain blocks and allows to the Simple policy's lists: `suspend` → reject,
/// `silence` → federated_timeline_removal, `reject_media` → media_removal, `reject_reports`
/// → report_removal, allows → accept.
pub fn merge_domain_lists(config: &mut MrfConfig, blocks: &[DomainBlock], allows: &[DomainAllow]) {
    let simple = &mut config.simple;
    for block in blocks {
        let entry = DomainEntry::new(&block.domain, &block.public_comment);
        match block.severity.as_str() {
            "suspend" => simple.reject.push(entry.clone()),
            "silence" => simple.federated_timeline_removal.push(entry.clone()),
            _ => {}
        }
        // A suspended domain sends nothing, so media and reports need no list of their own.
        if block.severity != "suspend" {
            if block.reject_media {
                simple.media_removal.push(entry.clone());
            }
            if block.reject_reports {
                simple.report_removal.push(entry);
            }
        }
    }
    for allow in allows {
        simple.accept.push(DomainEntry::new(&allow.domain, ""));
    }
}

/// Undoes [`merge_domain_lists`] on an edited copy of the effective configuration: from each
/// Simple list, one entry is taken out for every entry the blocks and allows bring to it (same
/// domain and reason), so that they are not stored again in the configuration. What an admin
/// added or changed stays; a block's entry taken out of a list stays in force through the block.
pub fn unmerge_domain_lists(
    config: &mut MrfConfig,
    blocks: &[DomainBlock],
    allows: &[DomainAllow],
) {
    // The built-in default's Simple lists are empty: after merging, they hold what is brought.
    let mut brought = MrfConfig::default();
    merge_domain_lists(&mut brought, blocks, allows);
    for ((_, list), (_, brought)) in config
        .simple
        .lists_mut()
        .into_iter()
        .zip(brought.simple.lists())
    {
        for entry in brought {
            // Merged entries come last, so the last equal one is the block's.
            if let Some(index) = list.iter().rposition(|e| e == entry) {
                list.remove(index);
            }
        }
    }
}

/// The policy configuration in its layers, as admin tools show it.
#[derive(Debug, Clone, PartialEq)]
pub struct MrfLayers {
    /// The configuration file's.
    pub file: MrfConfig,
    /// In force, without the domain lists: an admin's stored one, else the file's.
    pub configured: MrfConfig,
    /// Whether an admin's configuration is stored.
    pub stored: bool,
    /// `configured` with the domain blocks and allows merged in: what the chain runs.
    pub effective: MrfConfig,
    /// `file` with the domain blocks and allows merged in: what `effective` goes back to when
    /// an admin's changes are undone.
    pub file_effective: MrfConfig,
}

/// Hides the middle of a domain, keeping its dots (`ex*****.org`), as Mastodon does.
pub fn obfuscate_domain(domain: &str) -> String {
    let chars: Vec<char> = domain.chars().collect();
    let visible = chars.len() / 4;
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i > visible && i + visible < chars.len() && *c != '.' {
                '*'
            } else {
                *c
            }
        })
        .collect()
}

/// A domain's SHA-256 in hex, as Mastodon publishes next to (possibly hidden) domains.
pub fn sha256_hex(text: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, text.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

impl Core {
    /// The policy configuration in force, without the domain lists: an admin's edited one
    /// from the database, else the configuration file's. Also says whether it is stored.
    pub async fn mrf_config(&self) -> Result<(MrfConfig, bool), CoreError> {
        let stored = self.store.setting(MRF_SETTING).await?;
        Ok(self.parse_mrf_config(stored))
    }

    fn parse_mrf_config(&self, stored: Option<String>) -> (MrfConfig, bool) {
        match stored {
            Some(text) => match serde_json::from_str::<MrfConfig>(&text) {
                Ok(config) => (config, true),
                Err(err) => {
                    // Stored configurations are checked when written; one that no longer
                    // reads (after a downgrade) must not switch policies off silently.
                    tracing::error!(error = %err, "policy: the stored configuration is unreadable; using the file's");
                    (self.config.mrf.clone(), false)
                }
            },
            None => (self.config.mrf.clone(), false),
        }
    }

    /// The policy configuration in force (as [`Core::mrf_config`]) with the domain blocks and
    /// allows, read on one connection: every delivery, incoming activity and post asks.
    async fn policy_sources(
        &self,
    ) -> Result<((MrfConfig, bool), Vec<DomainBlock>, Vec<DomainAllow>), CoreError> {
        let mut reader = self.store.reader();
        let stored = reader.setting(MRF_SETTING).await?;
        let blocks = reader.domain_blocks().await?;
        let allows = reader.domain_allows().await?;
        Ok((self.parse_mrf_config(stored), blocks, allows))
    }

    /// Whether `config` may be stored: it compiles and its limits hold.
    pub fn check_mrf_config(config: &MrfConfig) -> Result<(), CoreError> {
        Chain::compile(config).map_err(|e| CoreError::invalid(e.to_string()))?;
        if config.dry_run_keep > config::MAX_DRY_RUN_KEEP {
            return Err(CoreError::invalid(format!(
                "dry_run_keep may be at most {}",
                config::MAX_DRY_RUN_KEEP
            )));
        }
        Ok(())
    }

    /// Replaces the policy configuration for every process, after checking that it compiles.
    pub async fn set_mrf_config(&self, config: &MrfConfig) -> Result<(), CoreError> {
        Self::check_mrf_config(config)?;
        let text = serde_json::to_string(config).map_err(|e| CoreError::Internal(e.to_string()))?;
        self.store
            .set_setting(MRF_SETTING, &text, self.clock.now())
            .await?;
        Ok(())
    }

    /// Goes back to the configuration file's policies.
    pub async fn reset_mrf_config(&self) -> Result<(), CoreError> {
        self.store.delete_setting(MRF_SETTING).await?;
        Ok(())
    }

    /// The configuration with the domain blocks and allows merged into the Simple lists.
    pub async fn effective_mrf(&self) -> Result<MrfConfig, CoreError> {
        let ((mut config, _), blocks, allows) = self.policy_sources().await?;
        merge_domain_lists(&mut config, &blocks, &allows);
        Ok(config)
    }

    /// The configuration file's, the configured and the effective policy configuration.
    pub async fn mrf_layers(&self) -> Result<MrfLayers, CoreError> {
        let ((configured, stored), blocks, allows) = self.policy_sources().await?;
        let mut effective = configured.clone();
        merge_domain_lists(&mut effective, &blocks, &allows);
        let mut file_effective = self.config.mrf.clone();
        merge_domain_lists(&mut file_effective, &blocks, &allows);
        Ok(MrfLayers {
            file: self.config.mrf.clone(),
            configured,
            stored,
            effective,
            file_effective,
        })
    }

    /// The configuration to store for an edited copy of [`Core::effective_mrf`]: the domain
    /// blocks' and allows' entries taken out again (see [`unmerge_domain_lists`]), checked;
    /// `None` when it is the configuration file's, which then needs nothing stored.
    pub(crate) async fn mrf_to_store(
        &self,
        edited_effective: &MrfConfig,
    ) -> Result<Option<MrfConfig>, CoreError> {
        let mut config = edited_effective.clone();
        let blocks = self.store.domain_blocks().await?;
        let allows = self.store.domain_allows().await?;
        unmerge_domain_lists(&mut config, &blocks, &allows);
        Self::check_mrf_config(&config)?;
        Ok((config != self.config.mrf).then_some(config))
    }

    /// The chain in force now. The compiled chain is kept with the policy revision it was
    /// built at, and one read of that revision tells whether it still is: every change to its
    /// sources, by any process, bumps it (migration 0032).
    pub async fn policy_chain(&self) -> Result<Arc<Chain>, CoreError> {
        let revision = self.store.reader().revision(POLICY_REVISION).await?;
        if let Ok(cache) = self.policy_cache.compiled.lock()
            && let Some((cached, chain)) = cache.as_ref()
            && *cached == revision
        {
            return Ok(chain.clone());
        }
        // Read after the revision: a change in between leaves a newer chain under the older
        // revision, which the next call replaces.
        let config = self.effective_mrf().await?;
        let chain = Arc::new(
            Chain::compile(&config)
                .map_err(|e| CoreError::Internal(format!("policy configuration: {e}")))?,
        );
        if let Ok(mut cache) = self.policy_cache.compiled.lock() {
            *cache = Some((revision, chain.clone()));
        }
        Ok(chain)
    }

    /// Whether everything from and to `host` is refused (Simple `reject`, or not on a
    /// non-empty `accept` list).
    pub async fn domain_refused(&self, host: &str) -> Result<bool, CoreError> {
        let chain = self.policy_chain().await?;
        match chain.simple().refusal(host, &self.config.domain) {
            Some(reason) => {
                tracing::info!(policy = "simple", %reason, %host, "policy: refused");
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// What the policies of `chain` need to know about a sender (counts and tags are looked
    /// up only for the policies that read them; `None` looks up everything).
    pub(crate) async fn actor_facts(
        &self,
        actor: &Account,
        chain: Option<&Chain>,
    ) -> Result<ActorFacts, CoreError> {
        let uses = |name| chain.is_none_or(|c| c.uses(name));
        let counts =
            if uses(PolicyName::RejectNewlyCreatedAccounts) || uses(PolicyName::AntiLinkSpam) {
                self.store
                    .account_counts(&[actor.id])
                    .await?
                    .remove(&actor.id)
                    .unwrap_or_default()
            } else {
                Default::default()
            };
        let tags = if uses(PolicyName::Tag) {
            self.store.account_tags(actor.id).await?
        } else {
            Vec::new()
        };
        Ok(ActorFacts {
            followers_url: actor.followers_url.clone(),
            created_at: Some(actor.created_at.to_datetime()),
            statuses_count: counts.statuses,
            followers_count: counts.followers,
            tags,
        })
    }

    /// The tags on the local account a Follow is for (the Tag policy may refuse it).
    async fn follow_target_tags(&self, activity: &Value) -> Result<Vec<String>, CoreError> {
        if chain::type_of(activity) != Some("Follow") {
            return Ok(Vec::new());
        }
        let target = match activity.get("object") {
            Some(Value::String(uri)) => Some(uri.as_str()),
            Some(object) => object.get("id").and_then(Value::as_str),
            None => None,
        };
        let Some(target) = target.filter(|t| t.starts_with(self.urls.base())) else {
            return Ok(Vec::new());
        };
        match self.store.account_by_uri(target).await? {
            Some(account) => Ok(self.store.account_tags(account.id).await?),
            None => Ok(Vec::new()),
        }
    }

    /// The local addressees of a direct message from `actor` who take none from them.
    async fn direct_message_refusers(
        &self,
        activity: &Value,
        actor: Option<&Account>,
    ) -> Result<Vec<String>, CoreError> {
        let Some(actor) = actor else {
            return Ok(Vec::new());
        };
        if !chain::is_direct(activity, actor.followers_url.as_deref()) {
            return Ok(Vec::new());
        }
        let mut addressees: Vec<&str> = Vec::new();
        for value in [
            Some(activity),
            activity.get("object").filter(|o| o.is_object()),
        ]
        .into_iter()
        .flatten()
        {
            for key in ["to", "cc", "bto", "bcc"] {
                match value.get(key) {
                    Some(Value::String(s)) => addressees.push(s),
                    Some(Value::Array(items)) => {
                        addressees.extend(items.iter().filter_map(Value::as_str))
                    }
                    _ => {}
                }
            }
        }
        addressees.sort_unstable();
        addressees.dedup();
        let mut refusers = Vec::new();
        // Bounded: a direct message to hundreds of local accounts is looked at no further.
        for uri in addressees
            .into_iter()
            .filter(|a| a.starts_with(self.urls.base()))
            .take(64)
        {
            let Some(account) = self.store.account_by_uri(uri).await? else {
                continue;
            };
            let refuses = match self.direct_message_acceptance(account.id).await? {
                DirectMessages::Everybody => false,
                DirectMessages::Nobody => true,
                DirectMessages::PeopleIFollow => self
                    .store
                    .follow_between(rhizome_store::FollowTable::Follows, account.id, actor.id)
                    .await?
                    .is_none(),
            };
            if refuses {
                refusers.push(uri.to_owned());
            }
        }
        Ok(refusers)
    }

    /// Who may send `account_id` direct messages.
    pub async fn direct_message_acceptance(
        &self,
        account_id: Id,
    ) -> Result<DirectMessages, CoreError> {
        Ok(self
            .store
            .direct_message_preference(account_id)
            .await?
            .and_then(|s| s.parse().ok())
            .unwrap_or(DirectMessages::Everybody))
    }

    pub async fn set_direct_message_acceptance(
        &self,
        account_id: Id,
        choice: DirectMessages,
    ) -> Result<(), CoreError> {
        self.store
            .set_direct_message_preference(account_id, choice.as_str(), self.clock.now())
            .await?;
        Ok(())
    }

    /// Tags an account for the Tag policy (`mrf_tag:sandbox`…).
    pub async fn tag_account(&self, account_id: Id, tag: &str) -> Result<(), CoreError> {
        if !config::ACCOUNT_TAGS.contains(&tag) {
            return Err(CoreError::invalid(format!(
                "unknown tag {tag:?}; known: {}",
                config::ACCOUNT_TAGS.join(", ")
            )));
        }
        self.store
            .add_account_tag(account_id, tag, self.clock.now())
            .await?;
        Ok(())
    }

    pub async fn untag_account(&self, account_id: Id, tag: &str) -> Result<bool, CoreError> {
        Ok(self.store.remove_account_tag(account_id, tag).await?)
    }

    pub async fn account_tags(&self, account_id: Id) -> Result<Vec<String>, CoreError> {
        Ok(self.store.account_tags(account_id).await?)
    }

    /// Runs an activity through the chain in force; rejections are logged with the policy and
    /// the reason.
    pub async fn filter_activity(
        &self,
        direction: Direction,
        actor: Option<&Account>,
        activity: Value,
    ) -> Result<Verdict, CoreError> {
        let chain = self.policy_chain().await?;
        self.filter_with(&chain, direction, actor, activity).await
    }

    /// An incoming activity through the chain in force, kept first (as it came) for dry runs;
    /// when accepted, the emoji the Steal emoji policy takes from it are queued for import.
    pub(crate) async fn filter_incoming(
        &self,
        actor: &Account,
        activity: Value,
    ) -> Result<Verdict, CoreError> {
        let chain = self.policy_chain().await?;
        self.keep_policy_sample(chain.config().dry_run_keep, actor.id, &activity)
            .await?;
        let verdict = self
            .filter_with(&chain, Direction::Incoming, Some(actor), activity)
            .await?;
        if let Verdict::Accept { activity, .. } = &verdict {
            let wanted = chain.emoji_to_steal(activity);
            if !wanted.is_empty() {
                let known: Vec<String> = self
                    .store
                    .local_custom_emojis()
                    .await?
                    .into_iter()
                    .map(|e| e.shortcode)
                    .collect();
                let emojis: Vec<(String, String)> = wanted
                    .into_iter()
                    .filter(|(shortcode, _)| !known.contains(shortcode))
                    .collect();
                if !emojis.is_empty() {
                    self.enqueue(STEAL_EMOJI, &StealEmojiJob { emojis }, None)
                        .await?;
                }
            }
        }
        Ok(verdict)
    }

    /// Imports emoji the Steal emoji policy took: each image fetched (within the size limit)
    /// and added as this instance's own, in the category `stolen`. One that fails is skipped.
    pub async fn run_steal_emoji(&self, job: StealEmojiJob) -> Result<(), crate::jobs::JobError> {
        let (config, _) = self.mrf_config().await?;
        let http = self
            .http
            .as_ref()
            .ok_or_else(|| crate::jobs::JobError::Permanent("federation is disabled".into()))?;
        for (shortcode, url) in job.emojis {
            let known = self
                .store
                .local_custom_emojis()
                .await
                .map_err(CoreError::from)?;
            if known.iter().any(|e| e.shortcode == shortcode) {
                continue;
            }
            let Ok(parsed) = url::Url::parse(&url) else {
                continue;
            };
            let bytes = match http
                .fetch_file(&parsed, config.steal_emoji.size_limit)
                .await
            {
                Ok(file) => file.bytes.to_vec(),
                Err(err) => {
                    tracing::info!(%shortcode, %url, error = %err, "steal emoji: not fetched");
                    continue;
                }
            };
            match self
                .add_custom_emoji(&shortcode, bytes, Some("stolen".into()))
                .await
            {
                Ok(_) => tracing::info!(%shortcode, %url, "steal emoji: imported"),
                Err(err) => tracing::info!(%shortcode, error = %err, "steal emoji: not imported"),
            }
        }
        Ok(())
    }

    pub(crate) async fn filter_with(
        &self,
        chain: &Chain,
        direction: Direction,
        actor: Option<&Account>,
        activity: Value,
    ) -> Result<Verdict, CoreError> {
        // Outgoing activities meet only the Vocabulary policy: nothing to look up.
        let incoming = direction == Direction::Incoming;
        let facts = match actor {
            Some(actor) if direction != Direction::Outgoing => {
                Some(self.actor_facts(actor, Some(chain)).await?)
            }
            _ => None,
        };
        let target_tags = if incoming && chain.uses(PolicyName::Tag) {
            self.follow_target_tags(&activity).await?
        } else {
            Vec::new()
        };
        let dm_refusers = if incoming && chain.uses(PolicyName::DirectMessageDisabled) {
            self.direct_message_refusers(&activity, actor).await?
        } else {
            Vec::new()
        };
        let ctx = Context {
            direction,
            now: self.clock.now().to_datetime(),
            local_domain: &self.config.domain,
            actor: facts.as_ref(),
            target_tags: &target_tags,
            dm_refusers: &dm_refusers,
        };
        let id = activity
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let verdict = chain.filter(&ctx, activity);
        match &verdict {
            Verdict::Reject { policy, reason } => tracing::info!(
                policy = *policy,
                %reason,
                ?direction,
                activity = id.as_deref().unwrap_or("-"),
                actor = actor.map(|a| a.uri.as_str()).unwrap_or("-"),
                "policy: rejected"
            ),
            Verdict::Accept { rewrites, .. } if !rewrites.is_empty() => tracing::debug!(
                ?rewrites,
                activity = id.as_deref().unwrap_or("-"),
                "policy: rewritten"
            ),
            Verdict::Accept { .. } => {}
        }
        Ok(verdict)
    }

    /// A fetched document (a post or an actor) judged as if its author had sent it: posts as a
    /// `Create`, actors as an `Update`. Returns the document as the policies left it.
    pub(crate) async fn filter_fetched(
        &self,
        author: Option<&Account>,
        author_uri: &str,
        document: Value,
    ) -> Result<Value, CoreError> {
        let is_actor =
            author.is_none() && document.get("id").and_then(Value::as_str) == Some(author_uri);
        let wrapper = json!({
            "type": if is_actor { "Update" } else { "Create" },
            "actor": author_uri,
            "to": document.get("to").cloned().unwrap_or(Value::Null),
            "cc": document.get("cc").cloned().unwrap_or(Value::Null),
            "object": document,
        });
        match self
            .filter_activity(Direction::Incoming, author, wrapper)
            .await?
        {
            Verdict::Accept { mut activity, .. } => Ok(activity
                .get_mut("object")
                .map(Value::take)
                .unwrap_or(Value::Null)),
            Verdict::Reject { reason, .. } => Err(CoreError::Forbidden(reason)),
        }
    }

    /// Keeps an incoming activity for dry runs, `keep` at most.
    async fn keep_policy_sample(
        &self,
        keep: u32,
        actor_id: Id,
        activity: &Value,
    ) -> Result<(), CoreError> {
        let keep = keep.min(config::MAX_DRY_RUN_KEEP);
        if keep == 0 {
            return Ok(());
        }
        let now = self.clock.now();
        self.store
            .add_policy_sample(
                &PolicySample {
                    id: Id::generate(now.0),
                    actor_id,
                    activity: activity.to_string(),
                    received_at: now,
                },
                keep,
            )
            .await?;
        Ok(())
    }

    /// Replays the kept incoming activities through `proposed` (with the domain blocks and
    /// allows in force merged in, as they would be) and reports what it would reject or
    /// rewrite. Nothing is changed.
    pub async fn policy_dry_run(&self, proposed: &MrfConfig) -> Result<DryRunReport, CoreError> {
        let mut proposed = proposed.clone();
        let blocks = self.store.domain_blocks().await?;
        let allows = self.store.domain_allows().await?;
        merge_domain_lists(&mut proposed, &blocks, &allows);
        let candidate = Chain::compile(&proposed).map_err(|e| CoreError::invalid(e.to_string()))?;
        let current = self.policy_chain().await?;
        let samples = self.store.policy_samples(config::MAX_DRY_RUN_KEEP).await?;
        let mut report = DryRunReport {
            examined: samples.len(),
            accepted: 0,
            rejected: Vec::new(),
            rewritten: Vec::new(),
            changed_from_current: 0,
        };
        for sample in samples.iter().rev() {
            let Ok(activity) = serde_json::from_str::<Value>(&sample.activity) else {
                continue;
            };
            let actor = self.store.account(sample.actor_id).await?;
            let facts = match &actor {
                Some(actor) => Some(self.actor_facts(actor, None).await?),
                None => None,
            };
            let target_tags = self.follow_target_tags(&activity).await?;
            let dm_refusers = self
                .direct_message_refusers(&activity, actor.as_ref())
                .await?;
            let ctx = Context {
                direction: Direction::Incoming,
                // Judged as when it arrived: ages and thresholds mean the same as they did.
                now: sample.received_at.to_datetime(),
                local_domain: &self.config.domain,
                actor: facts.as_ref(),
                target_tags: &target_tags,
                dm_refusers: &dm_refusers,
            };
            let verdict = candidate.filter(&ctx, activity.clone());
            let before = current.filter(&ctx, activity.clone());
            if verdict != before {
                report.changed_from_current += 1;
            }
            let text = |key: &str| activity.get(key).and_then(Value::as_str).map(str::to_owned);
            let mut entry = DryRunEntry {
                activity_id: text("id"),
                actor: chain::actor_id(&activity).map(str::to_owned),
                kind: chain::type_of(&activity).map(str::to_owned),
                received_at: sample.received_at.to_rfc3339(),
                policy: None,
                reason: None,
                rewrites: Vec::new(),
            };
            match verdict {
                Verdict::Reject { policy, reason } => {
                    entry.policy = Some(policy.to_owned());
                    entry.reason = Some(reason);
                    report.rejected.push(entry);
                }
                Verdict::Accept { rewrites, .. } if !rewrites.is_empty() => {
                    entry.rewrites = rewrites;
                    report.rewritten.push(entry);
                }
                Verdict::Accept { .. } => report.accepted += 1,
            }
        }
        Ok(report)
    }

    /// Blocks a domain for the whole instance, or changes its block.
    pub async fn block_instance_domain(
        &self,
        request: &DomainBlockRequest,
    ) -> Result<DomainBlock, CoreError> {
        let domain = valid_domain(&request.domain)?;
        if !SEVERITIES.contains(&request.severity.as_str()) {
            return Err(CoreError::invalid(
                "severity must be suspend, silence or noop",
            ));
        }
        let now = self.clock.now();
        Ok(self
            .store
            .add_domain_block(&DomainBlock {
                id: Id::generate(now.0),
                domain,
                severity: request.severity.clone(),
                reject_media: request.reject_media,
                reject_reports: request.reject_reports,
                obfuscate: request.obfuscate,
                public_comment: request.public_comment.clone(),
                private_comment: request.private_comment.clone(),
                created_at: now,
            })
            .await?)
    }

    pub async fn instance_domain_blocks(&self) -> Result<Vec<DomainBlock>, CoreError> {
        Ok(self.store.domain_blocks().await?)
    }

    /// Domain blocks newest first, a page at a time.
    pub async fn instance_domain_blocks_page(
        &self,
        page: &rhizome_store::PageRequest,
    ) -> Result<rhizome_store::Page<DomainBlock>, CoreError> {
        Ok(self.store.domain_blocks_page(page).await?)
    }

    pub async fn instance_domain_allows_page(
        &self,
        page: &rhizome_store::PageRequest,
    ) -> Result<rhizome_store::Page<DomainAllow>, CoreError> {
        Ok(self.store.domain_allows_page(page).await?)
    }

    pub async fn instance_domain_block(&self, id: Id) -> Result<DomainBlock, CoreError> {
        self.store
            .domain_block(id)
            .await?
            .ok_or(CoreError::NotFound)
    }

    /// The block on exactly this domain, if any.
    pub async fn instance_domain_block_for(
        &self,
        domain: &str,
    ) -> Result<Option<DomainBlock>, CoreError> {
        Ok(self
            .store
            .domain_block_by_domain(&domain.trim().to_ascii_lowercase())
            .await?)
    }

    pub async fn instance_domain_allows(&self) -> Result<Vec<DomainAllow>, CoreError> {
        Ok(self.store.domain_allows().await?)
    }

    /// Changes a block's options (its domain stays).
    pub async fn update_instance_domain_block(
        &self,
        id: Id,
        change: impl FnOnce(&mut DomainBlock),
    ) -> Result<DomainBlock, CoreError> {
        let mut block = self
            .store
            .domain_block(id)
            .await?
            .ok_or(CoreError::NotFound)?;
        change(&mut block);
        if !SEVERITIES.contains(&block.severity.as_str()) {
            return Err(CoreError::invalid(
                "severity must be suspend, silence or noop",
            ));
        }
        if !self.store.update_domain_block(&block).await? {
            return Err(CoreError::NotFound);
        }
        Ok(block)
    }

    pub async fn unblock_instance_domain(&self, domain: &str) -> Result<bool, CoreError> {
        Ok(self
            .store
            .remove_domain_block(&domain.trim().to_ascii_lowercase())
            .await?)
    }

    pub async fn remove_instance_domain_block(&self, id: Id) -> Result<DomainBlock, CoreError> {
        let block = self
            .store
            .domain_block(id)
            .await?
            .ok_or(CoreError::NotFound)?;
        self.store.remove_domain_block_by_id(id).await?;
        Ok(block)
    }

    /// Allows a domain in allow-list mode (every domain not allowed is then refused).
    pub async fn allow_instance_domain(&self, domain: &str) -> Result<DomainAllow, CoreError> {
        let domain = valid_domain(domain)?;
        let now = self.clock.now();
        Ok(self
            .store
            .add_domain_allow(&DomainAllow {
                id: Id::generate(now.0),
                domain,
                created_at: now,
            })
            .await?)
    }

    pub async fn instance_domain_allow(&self, id: Id) -> Result<DomainAllow, CoreError> {
        self.store
            .domain_allows()
            .await?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or(CoreError::NotFound)
    }

    pub async fn remove_domain_allow(&self, id: Id) -> Result<DomainAllow, CoreError> {
        let allow = self.instance_domain_allow(id).await?;
        self.store.remove_domain_allow(id).await?;
        Ok(allow)
    }

    /// How a domain is published: `None` when transparency is off or it is excluded,
    /// obfuscated when its block or the configuration says so.
    fn published_domain(config: &MrfConfig, domain: &str, obfuscate: bool) -> Option<String> {
        if !config.transparency
            || config
                .transparency_exclusions
                .iter()
                .any(|e| domain_matches(&e.domain, domain) || e.domain == domain)
        {
            return None;
        }
        let hidden = obfuscate
            || config
                .transparency_obfuscate_domains
                .iter()
                .any(|d| d.eq_ignore_ascii_case(domain));
        Some(if hidden {
            obfuscate_domain(domain)
        } else {
            domain.to_owned()
        })
    }

    /// NodeInfo's `metadata.federation`, in Akkoma's shape.
    pub async fn federation_metadata(&self) -> Result<Value, CoreError> {
        let chain = self.policy_chain().await?;
        let config = chain.config();
        let mut federation = Map::new();
        federation.insert("enabled".into(), json!(self.config.federation_enabled));
        federation.insert(
            "exclusions".into(),
            json!(!config.transparency_exclusions.is_empty()),
        );
        if !config.transparency {
            return Ok(Value::Object(federation));
        }
        let obfuscated: Vec<String> = self
            .store
            .domain_blocks()
            .await?
            .into_iter()
            .filter(|b| b.obfuscate)
            .map(|b| b.domain)
            .collect();
        let publish = |domain: &str| {
            Self::published_domain(config, domain, obfuscated.iter().any(|d| d == domain))
        };
        let names = chain.names();
        federation.insert(
            "mrf_policies".into(),
            json!(names.iter().map(|n| n.akkoma_name()).collect::<Vec<_>>()),
        );
        let mut simple = Map::new();
        let mut info = Map::new();
        for (list, entries) in config.simple.lists() {
            let mut domains = Vec::new();
            let mut reasons = Map::new();
            for entry in entries {
                let Some(shown) = publish(&entry.domain) else {
                    continue;
                };
                if !domains.contains(&shown) {
                    domains.push(shown.clone());
                }
                if !entry.reason.is_empty() {
                    reasons.insert(shown, json!({ "reason": entry.reason }));
                }
            }
            simple.insert(list.into(), json!(domains));
            if !reasons.is_empty() {
                info.insert(list.into(), Value::Object(reasons));
            }
        }
        federation.insert("mrf_simple".into(), Value::Object(simple));
        federation.insert("mrf_simple_info".into(), Value::Object(info));
        let mut quarantined = Vec::new();
        let mut quarantined_info = Map::new();
        for entry in &config.quarantined_instances {
            if let Some(shown) = publish(&entry.domain) {
                quarantined.push(json!(shown));
                quarantined_info.insert(shown, json!({ "reason": entry.reason }));
            }
        }
        federation.insert("quarantined_instances".into(), json!(quarantined));
        federation.insert(
            "quarantined_instances_info".into(),
            json!({ "quarantined_instances": quarantined_info }),
        );
        for name in names {
            let described = match name {
                PolicyName::Keyword => Some(("mrf_keyword", json!(config.keyword))),
                PolicyName::Hashtag => Some(("mrf_hashtag", json!(config.hashtag))),
                PolicyName::ObjectAge => Some(("mrf_object_age", json!(config.object_age))),
                PolicyName::Hellthread => Some(("mrf_hellthread", json!(config.hellthread))),
                PolicyName::RejectNonPublic => {
                    Some(("mrf_rejectnonpublic", json!(config.reject_non_public)))
                }
                PolicyName::Vocabulary => Some(("mrf_vocabulary", json!(config.vocabulary))),
                PolicyName::Mention => Some(("mrf_mention", json!(config.mention))),
                PolicyName::RejectNewlyCreatedAccounts => Some((
                    "mrf_reject_newly_created_account_notes",
                    json!(config.reject_newly_created_accounts),
                )),
                PolicyName::StealEmoji => Some((
                    "mrf_steal_emoji",
                    json!({ "hosts": config.steal_emoji.hosts }),
                )),
                _ => None,
            };
            if let Some((key, value)) = described {
                federation.insert(key.into(), value);
            }
        }
        Ok(Value::Object(federation))
    }

    /// Mastodon's public list of blocked domains (`GET /api/v1/instance/domain_blocks`),
    /// under the same transparency settings as NodeInfo. `None` when transparency is off.
    pub async fn public_domain_blocks(&self) -> Result<Option<Vec<PublicDomainBlock>>, CoreError> {
        let (config, _) = self.mrf_config().await?;
        if !config.transparency {
            return Ok(None);
        }
        let mut list = Vec::new();
        for block in self.store.domain_blocks().await? {
            let Some(shown) = Self::published_domain(&config, &block.domain, block.obfuscate)
            else {
                continue;
            };
            list.push(PublicDomainBlock {
                domain: shown,
                digest: sha256_hex(&block.domain),
                severity: block.severity,
                comment: block.public_comment,
            });
        }
        // Rejections set in the configuration file are blocks too.
        for entry in &config.simple.reject {
            if list.iter().any(|b| b.digest == sha256_hex(&entry.domain)) {
                continue;
            }
            if let Some(shown) = Self::published_domain(&config, &entry.domain, false) {
                list.push(PublicDomainBlock {
                    domain: shown,
                    digest: sha256_hex(&entry.domain),
                    severity: "suspend".into(),
                    comment: entry.reason.clone(),
                });
            }
        }
        Ok(Some(list))
    }
}

#[cfg(test)]
mod tests;
