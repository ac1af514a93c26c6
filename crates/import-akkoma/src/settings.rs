//! The last stage: instance settings, rules and the Simple policy's domain lists.
//!
//! Akkoma keeps them in its `config` table when it runs with `configurable_from_database`
//! (otherwise in its configuration file, which the import cannot read), one row per
//! `(group, key)` holding an Erlang term (see [`crate::terms`]); rules live in the `rules`
//! table. What has an equivalent goes through the core's settings and policy functions:
//!
//! - `:instance` `name`, `description`, `email` → `instance.name`, `instance.description`,
//!   `instance.contact_email`; `registrations_open`, `account_approval_required` and
//!   `invites_enabled` → `registrations.mode`; `local_bubble` → `instance.bubble_domains`;
//!   `quarantined_instances` → the policy configuration's `quarantined_instances`.
//! - `:mrf_simple` `reject`, `federated_timeline_removal`, `media_removal` and
//!   `report_removal` → domain blocks (suspend, silence, reject media, reject reports), the
//!   reason as public comment, as the admin API makes them; the other lists (`accept`,
//!   `media_nsfw`, `followers_only`, `avatar_removal`, `banner_removal`, `reject_deletes`)
//!   → the stored policy configuration's Simple lists, with their reasons.
//! - `:mrf` `policies` says whether the Simple policy ran at all; `transparency`,
//!   `transparency_exclusions`, `transparency_obfuscate_domains` carry over.
//!
//! Everything else is reported as skipped, and so is every value that does not read; none
//! of it stops the import. Written values are compared with what is there first, so a
//! second run changes nothing.

use std::collections::BTreeMap;

use eetf::Term;
use rhizome_core::federation::policy::{
    DomainBlockRequest, DomainEntry, MrfConfig, config::SimpleConfig, valid_domain,
};
use rhizome_core::settings as keys;
use rhizome_core::{CoreError, RegistrationMode};
use serde_json::{Value, json};
use sqlx::Row;

use crate::terms;
use crate::{ImportError, Importer};

const SETTINGS: &str = "instance settings";
const RULES: &str = "instance rules";
const BLOCKS: &str = "domain blocks";
const POLICY: &str = "policy list entries";
const CONFIG: &str = "config keys";

/// Akkoma's `Pleroma.Web.ActivityPub.MRF.SimplePolicy`, as `:mrf` `policies` names it.
const SIMPLE_POLICY: &str = "Pleroma.Web.ActivityPub.MRF.SimplePolicy";

/// The Simple policy's lists that are domain blocks here.
const BLOCK_LISTS: [&str; 4] = [
    "reject",
    "federated_timeline_removal",
    "media_removal",
    "report_removal",
];
/// The lists kept in the policy configuration.
const POLICY_LISTS: [&str; 6] = [
    "accept",
    "media_nsfw",
    "followers_only",
    "avatar_removal",
    "banner_removal",
    "reject_deletes",
];

/// One row of Akkoma's `config` table.
#[derive(Debug, Clone)]
pub(crate) struct ConfigRow {
    pub group: String,
    pub key: String,
    pub value: Vec<u8>,
}

/// What Akkoma's `config` rows say, in Rhizome's terms, and what could not be taken.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Found {
    /// Run-time settings: Rhizome's key and value.
    pub settings: Vec<(&'static str, Value)>,
    /// Whether Akkoma ran the Simple policy; `None` when the table does not say.
    pub simple_on: Option<bool>,
    /// The Simple policy's entries: (list, domain, reason).
    pub simple: Vec<(&'static str, String, String)>,
    pub quarantined: Vec<(String, String)>,
    pub transparency: Option<bool>,
    pub exclusions: Vec<(String, String)>,
    pub obfuscated: Vec<String>,
    /// (where, why) of what was not taken.
    pub skipped: Vec<(String, String)>,
    pub notes: Vec<String>,
}

/// Whether leaving a value behind loses anything (an empty list or `nil` does not).
fn is_empty(term: &Term) -> bool {
    match term {
        Term::List(list) => list.elements.is_empty(),
        Term::Atom(atom) => atom.name == "nil",
        _ => false,
    }
}

fn short_module(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

/// Reads the rows of Akkoma's `config` table.
pub(crate) fn read(rows: &[ConfigRow]) -> Found {
    let mut found = Found::default();
    for row in rows {
        let source = format!("{} {}", row.group, row.key);
        if row.group != ":pleroma" || ![":instance", ":mrf", ":mrf_simple"].contains(&&*row.key) {
            found
                .skipped
                .push((source, "no equivalent in Rhizome".to_owned()));
            continue;
        }
        let term = match terms::decode(&row.value) {
            Ok(term) => term,
            Err(reason) => {
                found.skipped.push((source, reason));
                continue;
            }
        };
        let pairs = match terms::keyword(&term) {
            Ok(pairs) => pairs,
            Err(reason) => {
                found.skipped.push((source, reason));
                continue;
            }
        };
        let mut unmapped = Vec::new();
        let mut registrations = Registrations::default();
        let mut short_description = None;
        for (name, value) in pairs {
            let outcome = match row.key.as_str() {
                ":instance" => {
                    found.instance(name, value, &mut registrations, &mut short_description)
                }
                ":mrf" => found.mrf(&source, name, value),
                _ => found.mrf_simple(&source, name, value),
            };
            match outcome {
                Ok(true) => {}
                Ok(false) if is_empty(value) => {}
                Ok(false) => unmapped.push(name.to_owned()),
                Err(reason) => found.skipped.push((format!("{source} {name}"), reason)),
            }
        }
        if let Some(short) = short_description
            && !found
                .settings
                .iter()
                .any(|(key, _)| *key == keys::INSTANCE_DESCRIPTION)
        {
            found
                .settings
                .push((keys::INSTANCE_DESCRIPTION, json!(short)));
        }
        if let Some((mode, assumed)) = registrations.mode() {
            found
                .settings
                .push((keys::REGISTRATIONS_MODE, json!(mode.as_str())));
            if !assumed.is_empty() {
                found.notes.push(format!(
                    "registrations: {} not in Akkoma's config table; Akkoma's default assumed",
                    assumed.join(", ")
                ));
            }
        }
        if !unmapped.is_empty() {
            found.skipped.push((
                source,
                format!("no equivalent in Rhizome for: {}", unmapped.join(", ")),
            ));
        }
    }
    found
}

/// Akkoma's three registration switches, as far as the table sets them.
#[derive(Default)]
struct Registrations {
    open: Option<bool>,
    approval: Option<bool>,
    invites: Option<bool>,
}

impl Registrations {
    /// The mode, and the switches whose default (Akkoma's config.exs) was assumed.
    fn mode(&self) -> Option<(RegistrationMode, Vec<&'static str>)> {
        if self.open.is_none() && self.approval.is_none() && self.invites.is_none() {
            return None;
        }
        let mut assumed = Vec::new();
        let mut get = |value: Option<bool>, name: &'static str, default: bool| {
            value.unwrap_or_else(|| {
                assumed.push(name);
                default
            })
        };
        let open = get(self.open, "registrations_open", true);
        let approval = get(self.approval, "account_approval_required", false);
        let invites = get(self.invites, "invites_enabled", false);
        let mode = RegistrationMode::from_pleroma_switches(open, approval, invites);
        Some((mode, assumed))
    }
}

impl Found {
    /// One entry of `:instance`; `Ok(false)` when Rhizome has no equivalent.
    fn instance(
        &mut self,
        name: &str,
        value: &Term,
        registrations: &mut Registrations,
        short_description: &mut Option<String>,
    ) -> Result<bool, String> {
        let setting = match name {
            "name" => keys::INSTANCE_NAME,
            "description" => keys::INSTANCE_DESCRIPTION,
            "email" => keys::CONTACT_EMAIL,
            // Plain text, used when `description` is not set here.
            "short_description" => {
                *short_description = terms::text(value)?;
                return Ok(true);
            }
            "registrations_open" => {
                registrations.open = Some(terms::boolean(value)?);
                return Ok(true);
            }
            "account_approval_required" => {
                registrations.approval = Some(terms::boolean(value)?);
                return Ok(true);
            }
            "invites_enabled" => {
                registrations.invites = Some(terms::boolean(value)?);
                return Ok(true);
            }
            "local_bubble" => {
                self.settings
                    .push((keys::BUBBLE_DOMAINS, json!(terms::texts(value)?)));
                return Ok(true);
            }
            "quarantined_instances" => {
                let entries = self.entries(&format!(":pleroma :instance {name}"), value)?;
                self.quarantined.extend(entries);
                return Ok(true);
            }
            _ => return Ok(false),
        };
        if let Some(text) = terms::text(value)? {
            self.settings.push((setting, json!(text)));
        }
        Ok(true)
    }

    /// One entry of `:mrf`.
    fn mrf(&mut self, source: &str, name: &str, value: &Term) -> Result<bool, String> {
        match name {
            "policies" => {
                let modules = terms::modules(value)?;
                self.simple_on = Some(modules.iter().any(|m| m == SIMPLE_POLICY));
                let others: Vec<&str> = modules
                    .iter()
                    .filter(|m| *m != SIMPLE_POLICY)
                    .map(|m| short_module(m))
                    .collect();
                if !others.is_empty() {
                    self.skipped.push((
                        format!("{source} policies"),
                        format!(
                            "not switched on here, nor their settings taken: {} (see [mrf] \
                             policies)",
                            others.join(", ")
                        ),
                    ));
                }
            }
            "transparency" => self.transparency = Some(terms::boolean(value)?),
            "transparency_exclusions" => {
                let entries = self.entries(&format!("{source} {name}"), value)?;
                self.exclusions.extend(entries);
            }
            "transparency_obfuscate_domains" => self.obfuscated.extend(terms::texts(value)?),
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// One list of `:mrf_simple`.
    fn mrf_simple(&mut self, source: &str, name: &str, value: &Term) -> Result<bool, String> {
        let Some(list) = BLOCK_LISTS
            .iter()
            .chain(POLICY_LISTS.iter())
            .find(|list| **list == name)
        else {
            return Ok(false);
        };
        for (domain, reason) in self.entries(&format!("{source} {name}"), value)? {
            self.simple.push((*list, domain, reason));
        }
        Ok(true)
    }

    /// The readable entries of an instance list; each unreadable one is reported.
    fn entries(&mut self, source: &str, value: &Term) -> Result<Vec<(String, String)>, String> {
        let mut entries = Vec::new();
        for (i, element) in terms::list(value)?.iter().enumerate() {
            match terms::domain_entry(element) {
                Ok(entry) => entries.push(entry),
                Err(reason) => self.skipped.push((format!("{source} #{}", i + 1), reason)),
            }
        }
        Ok(entries)
    }
}

/// How the Simple policy's block lists combine for one domain.
#[derive(Default)]
struct BlockPlan {
    suspend: bool,
    silence: bool,
    media: bool,
    reports: bool,
    lists: Vec<&'static str>,
    reasons: Vec<String>,
}

/// The configuration's Simple list named as in Akkoma.
fn simple_list<'a>(simple: &'a mut SimpleConfig, name: &str) -> Option<&'a mut Vec<DomainEntry>> {
    Some(match name {
        "accept" => &mut simple.accept,
        "media_nsfw" => &mut simple.media_nsfw,
        "followers_only" => &mut simple.followers_only,
        "avatar_removal" => &mut simple.avatar_removal,
        "banner_removal" => &mut simple.banner_removal,
        "reject_deletes" => &mut simple.reject_deletes,
        _ => return None,
    })
}

/// Adds `(domain, reason)` to `list` unless the domain is there; whether it was added.
fn add_entry(list: &mut Vec<DomainEntry>, domain: &str, reason: &str) -> bool {
    if list.iter().any(|e| e.domain == domain) {
        return false;
    }
    list.push(DomainEntry::new(domain, reason));
    true
}

impl Importer<'_> {
    pub(crate) async fn import_settings(&mut self) -> Result<(), ImportError> {
        let config_table: Option<String> = sqlx::query_scalar("SELECT to_regclass('config')::text")
            .fetch_one(&self.source)
            .await?;
        let rows = match config_table {
            Some(_) => {
                let rows = sqlx::query(r#"SELECT "group", key, value FROM config ORDER BY id"#)
                    .fetch_all(&self.source)
                    .await?;
                let mut read = Vec::with_capacity(rows.len());
                for row in rows {
                    let (Some(group), Some(key), Some(value)) = (
                        row.try_get::<Option<String>, _>("group")?,
                        row.try_get::<Option<String>, _>("key")?,
                        row.try_get::<Option<Vec<u8>>, _>("value")?,
                    ) else {
                        self.skip(CONFIG, "a row", "its group, key or value is empty");
                        continue;
                    };
                    read.push(ConfigRow { group, key, value });
                }
                read
            }
            None => {
                self.report.notes.push(
                    "no config table: instance settings (name, description, registrations) \
                     and the Simple policy's domain lists live in Akkoma's configuration file; \
                     set them with `rhizome admin settings set` and `rhizome admin domain block`"
                        .to_owned(),
                );
                Vec::new()
            }
        };
        let rules = self.read_rules().await?;
        self.progress
            .stage("instance settings", (rows.len() + rules.len()) as u64);
        let found = read(&rows);
        for _ in &rows {
            self.progress.advance();
        }
        for (source, reason) in &found.skipped {
            self.skip(CONFIG, source.clone(), reason.clone());
        }
        self.report.notes.extend(found.notes.iter().cloned());
        for (key, value) in &found.settings {
            self.import_setting(key, value.clone()).await?;
        }
        self.import_rules(&rules).await?;
        self.import_policy(&found).await?;
        self.progress.finish_stage();
        Ok(())
    }

    /// Akkoma's rules (`rules` table, since 3.x), by priority; `(text, hint)`.
    async fn read_rules(&mut self) -> Result<Vec<(String, String)>, ImportError> {
        let table: Option<String> = sqlx::query_scalar("SELECT to_regclass('rules')::text")
            .fetch_one(&self.source)
            .await?;
        if table.is_none() {
            return Ok(Vec::new());
        }
        let has_hint: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = \
             current_schema() AND table_name = 'rules' AND column_name = 'hint')",
        )
        .fetch_one(&self.source)
        .await?;
        let hint = if has_hint { "hint" } else { "NULL::text" };
        let rows = sqlx::query(&format!(
            "SELECT text, {hint} AS hint FROM rules ORDER BY priority, id"
        ))
        .fetch_all(&self.source)
        .await?;
        let mut rules = Vec::with_capacity(rows.len());
        for row in rows {
            let text: Option<String> = row.try_get("text")?;
            let hint: Option<String> = row.try_get("hint")?;
            if let Some(text) = text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()) {
                rules.push((text, hint.unwrap_or_default()));
            }
        }
        Ok(rules)
    }

    /// Sets one run-time setting unless it already has that value.
    async fn import_setting(&mut self, key: &'static str, value: Value) -> Result<(), ImportError> {
        let outcome = match &self.core {
            None => Ok(true),
            Some(core) => {
                let current = core
                    .store
                    .setting(key)
                    .await?
                    .and_then(|text| serde_json::from_str::<Value>(&text).ok());
                if current.as_ref() == Some(&value) {
                    Ok(false)
                } else {
                    match core.change_setting(key, value).await {
                        Ok(()) => Ok(true),
                        // Pinned by the environment, or a value Rhizome refuses.
                        Err(err @ (CoreError::Forbidden(_) | CoreError::Invalid(_))) => {
                            Err(err.to_string())
                        }
                        Err(err) => return Err(err.into()),
                    }
                }
            }
        };
        match outcome {
            Ok(written) => self.outcome(SETTINGS, written),
            Err(reason) => self.skip(SETTINGS, key, reason),
        }
        Ok(())
    }

    /// Adds the rules not there yet (by text), after those there.
    async fn import_rules(&mut self, rules: &[(String, String)]) -> Result<(), ImportError> {
        if rules.is_empty() {
            return Ok(());
        }
        let current: Vec<String> = match &self.core {
            Some(core) => core
                .store
                .setting(keys::RULES)
                .await?
                .and_then(|text| serde_json::from_str(&text).ok())
                .unwrap_or_default(),
            None => Vec::new(),
        };
        let mut merged = current.clone();
        let mut added = Vec::new();
        for (text, _) in rules {
            self.progress.advance();
            if merged.contains(text) {
                self.outcome(RULES, false);
            } else {
                merged.push(text.clone());
                added.push(text.clone());
            }
        }
        let refused = match &self.core {
            Some(core) if !added.is_empty() => {
                match core.change_setting(keys::RULES, json!(merged)).await {
                    Ok(()) => None,
                    Err(err @ (CoreError::Forbidden(_) | CoreError::Invalid(_))) => {
                        Some(err.to_string())
                    }
                    Err(err) => return Err(err.into()),
                }
            }
            _ => None,
        };
        for text in added {
            match &refused {
                None => self.outcome(RULES, true),
                Some(reason) => self.skip(RULES, text, reason.clone()),
            }
        }
        let hints = rules
            .iter()
            .filter(|(_, hint)| !hint.trim().is_empty())
            .count();
        if hints > 0 {
            self.report.notes.push(format!(
                "rules with a hint (an explanation under the rule): {hints}; Rhizome's rules \
                 are text only, so the hints were left behind"
            ));
        }
        Ok(())
    }

    /// The Simple policy's lists, quarantine and transparency.
    async fn import_policy(&mut self, found: &Found) -> Result<(), ImportError> {
        if found.simple_on == Some(false) {
            for (list, domain, _) in &found.simple {
                let kind = if BLOCK_LISTS.contains(list) {
                    BLOCKS
                } else {
                    POLICY
                };
                self.skip(
                    kind,
                    domain.clone(),
                    format!(
                        "{list}: SimplePolicy was not among Akkoma's MRF policies, so the list \
                         had no effect there"
                    ),
                );
            }
        } else {
            if found.simple_on.is_none() && !found.simple.is_empty() {
                self.report.notes.push(
                    "the config table does not say whether SimplePolicy was on (its :mrf \
                     policies are in Akkoma's configuration file): its lists were imported"
                        .to_owned(),
                );
            }
            self.import_blocks(&found.simple).await?;
        }
        let (mut config, _) = match &self.core {
            Some(core) => core.mrf_config().await?,
            None => (MrfConfig::default(), false),
        };
        let before = config.clone();
        if found.simple_on != Some(false) {
            for (list, domain, reason) in &found.simple {
                if BLOCK_LISTS.contains(list) {
                    continue;
                }
                let Some(domain) = self.domain(POLICY, list, domain) else {
                    continue;
                };
                let Some(target) = simple_list(&mut config.simple, list) else {
                    continue;
                };
                let added = add_entry(target, &domain, reason);
                self.outcome(POLICY, added);
            }
        }
        for (domain, reason) in &found.quarantined {
            if let Some(domain) = self.domain(POLICY, "quarantined_instances", domain) {
                let added = add_entry(&mut config.quarantined_instances, &domain, reason);
                self.outcome(POLICY, added);
            }
        }
        for (domain, reason) in &found.exclusions {
            if let Some(domain) = self.domain(POLICY, "transparency_exclusions", domain) {
                let added = add_entry(&mut config.transparency_exclusions, &domain, reason);
                self.outcome(POLICY, added);
            }
        }
        for domain in &found.obfuscated {
            if let Some(domain) = self.domain(POLICY, "transparency_obfuscate_domains", domain) {
                let added = !config.transparency_obfuscate_domains.contains(&domain);
                if added {
                    config.transparency_obfuscate_domains.push(domain);
                }
                self.outcome(POLICY, added);
            }
        }
        if let Some(transparency) = found.transparency {
            let changed = config.transparency != transparency;
            config.transparency = transparency;
            self.outcome(SETTINGS, changed);
        }
        if config != before
            && let Some(core) = &self.core
        {
            core.set_mrf_config(&config).await?;
        }
        Ok(())
    }

    /// A domain as Rhizome takes it, or `None` (reported) when it is not one.
    fn domain(&mut self, kind: &str, list: &str, domain: &str) -> Option<String> {
        match valid_domain(domain) {
            Ok(domain) => Some(domain),
            Err(err) => {
                self.skip(kind, domain, format!("{list}: {err}"));
                None
            }
        }
    }

    /// One domain block per domain of the block lists, unless the domain is blocked already.
    async fn import_blocks(
        &mut self,
        entries: &[(&'static str, String, String)],
    ) -> Result<(), ImportError> {
        let mut plans: BTreeMap<String, BlockPlan> = BTreeMap::new();
        for (list, domain, reason) in entries {
            if !BLOCK_LISTS.contains(list) {
                continue;
            }
            let Some(domain) = self.domain(BLOCKS, list, domain) else {
                continue;
            };
            let plan = plans.entry(domain).or_default();
            match *list {
                "reject" => plan.suspend = true,
                "federated_timeline_removal" => plan.silence = true,
                "media_removal" => plan.media = true,
                _ => plan.reports = true,
            }
            plan.lists.push(list);
            if !reason.is_empty() && !plan.reasons.contains(reason) {
                plan.reasons.push(reason.clone());
            }
        }
        for (domain, plan) in plans {
            let written = match &self.core {
                None => true,
                Some(core) => match core.instance_domain_block_for(&domain).await? {
                    Some(_) => false,
                    None => {
                        let severity = if plan.suspend {
                            "suspend"
                        } else if plan.silence {
                            "silence"
                        } else {
                            "noop"
                        };
                        core.block_instance_domain(&DomainBlockRequest {
                            domain,
                            severity: severity.into(),
                            reject_media: plan.media,
                            reject_reports: plan.reports,
                            obfuscate: false,
                            public_comment: plan.reasons.join("; "),
                            private_comment: format!(
                                "from Akkoma's Simple policy: {}",
                                plan.lists.join(", ")
                            ),
                        })
                        .await?;
                        true
                    }
                },
            };
            self.outcome(BLOCKS, written);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terms::build::*;

    fn row(group: &str, key: &str, term: &Term) -> ConfigRow {
        ConfigRow {
            group: group.into(),
            key: key.into(),
            value: encode(term),
        }
    }

    fn entry(domain: &str, reason: &str) -> Term {
        tuple(vec![text(domain), text(reason)])
    }

    #[test]
    fn instance_settings_and_registrations() {
        let instance = keyword(vec![
            ("name", text("Moss Commons")),
            ("description", text("Moss and more")),
            ("email", text("admin@moss.example")),
            ("registrations_open", atom("false")),
            ("invites_enabled", atom("true")),
            ("limit", Term::from(eetf::FixInteger::from(5000))),
            ("languages", list(vec![])),
        ]);
        let found = read(&[row(":pleroma", ":instance", &instance)]);
        assert_eq!(
            found.settings,
            vec![
                (keys::INSTANCE_NAME, json!("Moss Commons")),
                (keys::INSTANCE_DESCRIPTION, json!("Moss and more")),
                (keys::CONTACT_EMAIL, json!("admin@moss.example")),
                (keys::REGISTRATIONS_MODE, json!("invite")),
            ]
        );
        // `limit` has no equivalent; an empty `languages` loses nothing.
        assert_eq!(
            found.skipped,
            vec![(
                ":pleroma :instance".to_owned(),
                "no equivalent in Rhizome for: limit".to_owned()
            )]
        );
        assert!(found.notes[0].contains("account_approval_required"));

        let approval = keyword(vec![
            ("registrations_open", atom("true")),
            ("account_approval_required", atom("true")),
            ("invites_enabled", atom("false")),
        ]);
        let found = read(&[row(":pleroma", ":instance", &approval)]);
        assert_eq!(
            found.settings,
            vec![(keys::REGISTRATIONS_MODE, json!("approval"))]
        );
        assert!(found.notes.is_empty());
    }

    #[test]
    fn simple_policy_lists_with_reasons_and_legacy_entries() {
        let mrf = keyword(vec![
            (
                "policies",
                list(vec![
                    atom("Elixir.Pleroma.Web.ActivityPub.MRF.SimplePolicy"),
                    atom("Elixir.Pleroma.Web.ActivityPub.MRF.ObjectAgePolicy"),
                ]),
            ),
            ("transparency", atom("true")),
        ]);
        let simple = keyword(vec![
            (
                "reject",
                list(vec![entry("spam.example", "spam"), text("legacy.example")]),
            ),
            (
                "media_nsfw",
                list(vec![entry("nsfw.example", "unmarked"), atom("oops")]),
            ),
            ("background_removal", list(vec![])),
            ("handle_threads", atom("true")),
        ]);
        let found = read(&[
            row(":pleroma", ":mrf", &mrf),
            row(":pleroma", ":mrf_simple", &simple),
            row(":pleroma", ":media_proxy", &keyword(vec![])),
        ]);
        assert_eq!(found.simple_on, Some(true));
        assert_eq!(found.transparency, Some(true));
        assert_eq!(
            found.simple,
            vec![
                ("reject", "spam.example".into(), "spam".into()),
                ("reject", "legacy.example".into(), String::new()),
                ("media_nsfw", "nsfw.example".into(), "unmarked".into()),
            ]
        );
        let sources: Vec<&str> = found.skipped.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            sources,
            vec![
                ":pleroma :mrf policies",
                ":pleroma :mrf_simple media_nsfw #2",
                ":pleroma :mrf_simple",
                ":pleroma :media_proxy"
            ],
            "{:?}",
            found.skipped
        );
        assert!(found.skipped[0].1.contains("ObjectAgePolicy"));
        assert!(found.skipped[2].1.ends_with("handle_threads"));
    }

    #[test]
    fn malformed_values_are_reported_per_key() {
        let found = read(&[
            ConfigRow {
                group: ":pleroma".into(),
                key: ":instance".into(),
                value: vec![131, 255, 1],
            },
            row(":pleroma", ":mrf", &text("not a keyword list")),
            row(
                ":pleroma",
                ":mrf_simple",
                &keyword(vec![("reject", text("spam.example"))]),
            ),
        ]);
        assert_eq!(found.settings, vec![]);
        assert_eq!(found.simple, vec![]);
        assert_eq!(found.skipped.len(), 3, "{:?}", found.skipped);
        assert!(found.skipped[0].1.starts_with("unreadable Erlang term"));
        assert_eq!(found.skipped[1].1, "expected a list, found a binary");
        assert_eq!(found.skipped[2].0, ":pleroma :mrf_simple reject");
    }
}
