//! Settings admins change at run time: kept in the database so that every process sees the
//! same value. The configuration file gives the starting value; a value pinned by the
//! environment wins over both and cannot be changed from the admin interfaces.

use serde_json::Value;

use crate::federation::policy::{MRF_SETTING, MrfConfig};
use crate::{Core, CoreError, RegistrationMode};

/// The run-time settings and their keys (the same names as in the configuration file).
pub const INSTANCE_NAME: &str = "instance.name";
pub const INSTANCE_DESCRIPTION: &str = "instance.description";
pub const CONTACT_EMAIL: &str = "instance.contact_email";
pub const REGISTRATIONS_MODE: &str = "registrations.mode";
pub const RULES: &str = "instance.rules";
/// Instances whose posts join the bubble timeline (Akkoma).
pub const BUBBLE_DOMAINS: &str = "instance.bubble_domains";
/// Visitors who are not signed in may read the public timelines (Mastodon's
/// "timeline preview").
pub const PUBLIC_TIMELINES: &str = "instance.public_timelines";

pub const KEYS: &[&str] = &[
    INSTANCE_NAME,
    INSTANCE_DESCRIPTION,
    CONTACT_EMAIL,
    REGISTRATIONS_MODE,
    RULES,
    BUBBLE_DOMAINS,
    PUBLIC_TIMELINES,
];

/// Where an effective value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The configuration file or the built-in default.
    Config,
    /// Changed by an admin at run time.
    Database,
    /// Pinned by an environment variable.
    Environment,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EffectiveSettings {
    pub name: String,
    pub description: String,
    pub contact_email: String,
    pub registrations: RegistrationMode,
    pub rules: Vec<String>,
    pub bubble_domains: Vec<String>,
    pub public_timelines: bool,
    /// (key, source) for every run-time setting.
    pub sources: Vec<(&'static str, Source)>,
}

impl Core {
    fn is_pinned(&self, key: &str) -> bool {
        self.config
            .pinned_settings
            .iter()
            .any(|pinned| pinned == key)
    }

    /// The settings in force now. Read from the database on every call: another process may
    /// have changed them.
    pub async fn settings(&self) -> Result<EffectiveSettings, CoreError> {
        let stored = self.store.settings().await?;
        let mut sources = Vec::new();
        let mut lookup = |key: &'static str| -> Option<Value> {
            if self.is_pinned(key) {
                sources.push((key, Source::Environment));
                return None;
            }
            let value = stored
                .iter()
                .find(|(k, _)| k == key)
                .and_then(|(_, v)| serde_json::from_str::<Value>(v).ok());
            sources.push((
                key,
                if value.is_some() {
                    Source::Database
                } else {
                    Source::Config
                },
            ));
            value
        };
        let text = |value: Option<Value>, default: &str| match value {
            Some(Value::String(s)) => s,
            _ => default.to_owned(),
        };
        let config = &self.config;
        let name = text(lookup(INSTANCE_NAME), &config.instance_name);
        let description = text(lookup(INSTANCE_DESCRIPTION), &config.instance_description);
        let contact_email = text(lookup(CONTACT_EMAIL), &config.contact_email);
        let registrations = lookup(REGISTRATIONS_MODE)
            .and_then(|v| v.as_str().and_then(|s| s.parse().ok()))
            .unwrap_or(config.registrations);
        let rules = lookup(RULES)
            .and_then(|v| serde_json::from_value::<Vec<String>>(v).ok())
            .unwrap_or_default();
        let bubble_domains = lookup(BUBBLE_DOMAINS)
            .and_then(|v| serde_json::from_value::<Vec<String>>(v).ok())
            .unwrap_or_default();
        let public_timelines = lookup(PUBLIC_TIMELINES)
            .and_then(|v| v.as_bool())
            .unwrap_or(config.public_timelines);
        Ok(EffectiveSettings {
            public_timelines,
            name,
            description,
            contact_email,
            registrations,
            rules,
            bubble_domains,
            sources,
        })
    }

    /// Changes a run-time setting for every process. Pinned keys are refused.
    pub async fn change_setting(&self, key: &str, value: Value) -> Result<(), CoreError> {
        let key = self.check_setting(key, &value)?;
        self.store
            .set_setting(key, &value.to_string(), self.clock.now())
            .await?;
        Ok(())
    }

    /// Whether `value` may be stored under `key`: the key is known, not pinned, and the value
    /// has its type.
    fn check_setting(&self, key: &str, value: &Value) -> Result<&'static str, CoreError> {
        let key = known_setting(key)?;
        if self.is_pinned(key) {
            return Err(CoreError::Forbidden(format!(
                "{key} is pinned by the environment and cannot be changed here"
            )));
        }
        let valid = match key {
            REGISTRATIONS_MODE => value
                .as_str()
                .is_some_and(|s| s.parse::<RegistrationMode>().is_ok()),
            PUBLIC_TIMELINES => value.is_boolean(),
            RULES | BUBBLE_DOMAINS => value
                .as_array()
                .is_some_and(|rules| rules.iter().all(Value::is_string)),
            _ => value.as_str().is_some_and(|s| s.chars().count() <= 10_000),
        };
        if !valid {
            return Err(CoreError::invalid(format!("invalid value for {key}")));
        }
        Ok(key)
    }

    /// Goes back to the configured value.
    pub async fn reset_setting(&self, key: &str) -> Result<(), CoreError> {
        let key = known_setting(key)?;
        self.store.delete_setting(key).await?;
        Ok(())
    }

    /// Checks every change of `changes`, then makes them all in one transaction: when one is
    /// refused, nothing changes.
    pub async fn change_runtime(&self, changes: &RuntimeChanges) -> Result<(), CoreError> {
        let mut writes = Vec::with_capacity(changes.settings.len() + 1);
        for (key, value) in &changes.settings {
            let (key, text) = match value {
                Some(value) => (self.check_setting(key, value)?, Some(value.to_string())),
                None => (known_setting(key)?, None),
            };
            writes.push((key.to_owned(), text));
        }
        if let Some(edited) = &changes.effective_mrf {
            let text = match self.mrf_to_store(edited).await? {
                Some(config) => Some(
                    serde_json::to_string(&config)
                        .map_err(|e| CoreError::Internal(e.to_string()))?,
                ),
                None => None,
            };
            writes.push((MRF_SETTING.to_owned(), text));
        }
        self.store
            .change_settings(&writes, self.clock.now())
            .await?;
        Ok(())
    }
}

/// Several run-time changes made together by [`Core::change_runtime`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuntimeChanges {
    /// (setting key, value): `None` goes back to the configured value.
    pub settings: Vec<(String, Option<Value>)>,
    /// A new policy configuration, as an edited copy of [`Core::effective_mrf`] (the domain
    /// blocks and allows merged in). Their entries are left to them, not stored again; what
    /// equals the configuration file's is not stored at all.
    pub effective_mrf: Option<MrfConfig>,
}

fn known_setting(key: &str) -> Result<&'static str, CoreError> {
    KEYS.iter()
        .find(|k| **k == key)
        .copied()
        .ok_or_else(|| CoreError::invalid(format!("unknown setting {key:?}")))
}
