//! Rhizome's run-time configuration as Pleroma's config keys, both ways.
//!
//! Pleroma stores Elixir terms and writes them in JSON thus: a keyword list is an array of
//! `{"tuple": [":key", value]}`, an atom is a string starting with `:`, a policy is its module
//! name (`Pleroma.Web.ActivityPub.MRF.SimplePolicy`), a regular expression is `"~r/…/i"`.
//! The keys offered are the ones Rhizome can change at run time, each subkey mapped onto a
//! field of the policy configuration ([`MrfConfig`]) or a run-time setting
//! ([`rhizome_core::settings`]); [`slot`] is that mapping, and what the values look like,
//! how they are read and how they are described all follow from it.

use std::collections::BTreeMap;

use rhizome_core::RegistrationMode;
use rhizome_core::config::CoreConfig;
use rhizome_core::federation::policy::config::{AgeAction, Replacement};
use rhizome_core::federation::policy::{
    DomainEntry, MrfConfig, MrfLayers, PolicyName, valid_domain,
};
use rhizome_core::settings::{self, EffectiveSettings, RuntimeChanges, Source};
use serde_json::{Value, json};

/// The only group Rhizome has keys in.
const GROUP: &str = ":pleroma";
/// What Pleroma's policy module names start with.
const MRF_MODULE: &str = "Pleroma.Web.ActivityPub.MRF.";

/// A config key (`:mrf_simple`) and its subkeys.
struct Key {
    key: &'static str,
    label: &'static str,
    description: &'static str,
    /// The policy the key configures.
    policy: Option<PolicyName>,
    children: &'static [Child],
}

struct Child {
    key: &'static str,
    description: &'static str,
    /// The run-time setting the subkey is kept in; `None`: the policy configuration.
    setting: Option<&'static str>,
}

const fn mrf(key: &'static str, description: &'static str) -> Child {
    Child {
        key,
        description,
        setting: None,
    }
}

const fn setting(key: &'static str, setting: &'static str, description: &'static str) -> Child {
    Child {
        key,
        description,
        setting: Some(setting),
    }
}

const SIMPLE_LISTS: &[Child] = &[
    mrf(
        ":accept",
        "When not empty, only these servers federate (with a reason)",
    ),
    mrf(
        ":avatar_removal",
        "Servers whose accounts' avatars are dropped",
    ),
    mrf(
        ":banner_removal",
        "Servers whose accounts' banners are dropped",
    ),
    mrf(
        ":federated_timeline_removal",
        "Servers whose public posts stay out of the federated timeline",
    ),
    mrf(
        ":followers_only",
        "Servers whose posts are shown to followers only",
    ),
    mrf(":media_nsfw", "Servers whose media are marked sensitive"),
    mrf(":media_removal", "Servers whose media are dropped"),
    mrf(
        ":reject",
        "Servers nothing is exchanged with, deletes aside (the instance's suspensions are listed too)",
    ),
    mrf(":reject_deletes", "Servers whose deletes are ignored"),
    mrf(":report_removal", "Servers whose reports are ignored"),
];

const KEYS: &[Key] = &[
    Key {
        key: ":mrf",
        label: "MRF",
        description: "The policy chain every incoming and outgoing activity passes",
        policy: None,
        children: &[
            mrf(
                ":policies",
                "The policies that run, in this order. The Simple policy runs in any case: it carries the instance's domain blocks",
            ),
            mrf(
                ":transparency",
                "Publish the policies and their lists in NodeInfo and the public block list",
            ),
            mrf(
                ":transparency_exclusions",
                "Servers left out of what is published; the reason stays private",
            ),
            mrf(
                ":transparency_obfuscate_domains",
                "Servers published with the middle of their name hidden",
            ),
        ],
    },
    Key {
        key: ":mrf_simple",
        label: "MRF Simple",
        description: "What happens to the activities of chosen servers, each with a reason",
        policy: Some(PolicyName::Simple),
        children: SIMPLE_LISTS,
    },
    Key {
        key: ":mrf_keyword",
        label: "MRF Keyword",
        description: "Rejects, delists or rewrites posts by words or regular expressions (~r/…/i)",
        policy: Some(PolicyName::Keyword),
        children: &[
            mrf(":reject", "Posts matching one of these are rejected"),
            mrf(
                ":federated_timeline_removal",
                "Posts matching one of these stay out of the federated timeline",
            ),
            mrf(
                ":replace",
                "Pairs of pattern and replacement applied to posts' text",
            ),
        ],
    },
    Key {
        key: ":mrf_hashtag",
        label: "MRF Hashtag",
        description: "What happens to posts by their hashtags (without #)",
        policy: Some(PolicyName::Hashtag),
        children: &[
            mrf(":reject", "Posts with one of these hashtags are rejected"),
            mrf(
                ":federated_timeline_removal",
                "Posts with one of these hashtags stay out of the federated timeline",
            ),
            mrf(
                ":sensitive",
                "Posts with one of these hashtags are marked sensitive",
            ),
        ],
    },
    Key {
        key: ":mrf_object_age",
        label: "MRF Object Age",
        description: "What happens to posts that arrive long after they were written",
        policy: Some(PolicyName::ObjectAge),
        children: &[
            mrf(":threshold", "Age in seconds from which the actions apply"),
            mrf(
                ":actions",
                "Actions on old posts: delist, strip followers, reject",
            ),
        ],
    },
    Key {
        key: ":mrf_hellthread",
        label: "MRF Hellthread",
        description: "What happens to posts that mention very many accounts",
        policy: Some(PolicyName::Hellthread),
        children: &[
            mrf(
                ":delist_threshold",
                "Posts mentioning more accounts than this are delisted (0: never)",
            ),
            mrf(
                ":reject_threshold",
                "Posts mentioning more accounts than this are rejected (0: never)",
            ),
        ],
    },
    Key {
        key: ":mrf_rejectnonpublic",
        label: "MRF Reject Non Public",
        description: "Rejects posts that are not public",
        policy: Some(PolicyName::RejectNonPublic),
        children: &[
            mrf(
                ":allow_followersonly",
                "Followers-only posts are let through",
            ),
            mrf(":allow_direct", "Direct messages are let through"),
        ],
    },
    Key {
        key: ":mrf_vocabulary",
        label: "MRF Vocabulary",
        description: "Activity and object types let through or rejected",
        policy: Some(PolicyName::Vocabulary),
        children: &[
            mrf(":accept", "Only these types are let through (none: all)"),
            mrf(":reject", "These types are rejected"),
        ],
    },
    Key {
        key: ":mrf_mention",
        label: "MRF Mention",
        description: "Rejects activities that mention chosen accounts",
        policy: Some(PolicyName::Mention),
        children: &[mrf(
            ":actors",
            "ActivityPub ids of the accounts whose mentions are rejected",
        )],
    },
    Key {
        key: ":mrf_reject_newly_created_account_notes",
        label: "MRF Reject New Accounts",
        description: "Rejects the posts of remote accounts younger than an age",
        policy: Some(PolicyName::RejectNewlyCreatedAccounts),
        children: &[mrf(
            ":age",
            "Seconds an account must have existed before its posts are accepted",
        )],
    },
    Key {
        key: ":mrf_steal_emoji",
        label: "MRF Emojis",
        description: "Takes the custom emoji of chosen servers as this instance's own",
        policy: Some(PolicyName::StealEmoji),
        children: &[
            mrf(":hosts", "Servers whose emoji are taken"),
            mrf(
                ":rejected_shortcodes",
                "Shortcodes never taken: plain or ~r/regular expression/",
            ),
            mrf(":size_limit", "Largest image taken, in bytes"),
        ],
    },
    Key {
        key: ":instance",
        label: "Instance",
        description: "The instance's settings that change at run time",
        policy: None,
        children: &[
            setting(":name", settings::INSTANCE_NAME, "The instance's name"),
            setting(
                ":description",
                settings::INSTANCE_DESCRIPTION,
                "The instance's description",
            ),
            setting(
                ":email",
                settings::CONTACT_EMAIL,
                "Where the instance's staff are reached",
            ),
            setting(
                ":registrations_open",
                settings::REGISTRATIONS_MODE,
                "Anyone may sign up (invites then change nothing)",
            ),
            setting(
                ":account_approval_required",
                settings::REGISTRATIONS_MODE,
                "Open sign-ups wait for a moderator's approval",
            ),
            setting(
                ":invites_enabled",
                settings::REGISTRATIONS_MODE,
                "With sign-ups closed, an invite lets one in",
            ),
            setting(
                ":local_bubble",
                settings::BUBBLE_DOMAINS,
                "Servers whose posts join the bubble timeline",
            ),
            mrf(
                ":quarantined_instances",
                "Servers that receive only public and unlisted posts from here",
            ),
        ],
    },
];

/// What the keys edit: the policy configuration and the instance's settings.
#[derive(Debug, Clone, PartialEq)]
struct Draft {
    mrf: MrfConfig,
    instance: Instance,
}

/// The instance's settings as Pleroma splits them.
#[derive(Debug, Clone, PartialEq)]
struct Instance {
    name: String,
    description: String,
    email: String,
    registrations_open: bool,
    account_approval_required: bool,
    invites_enabled: bool,
    local_bubble: Vec<String>,
}

impl Instance {
    fn new(
        name: &str,
        description: &str,
        email: &str,
        mode: RegistrationMode,
        bubble: &[String],
    ) -> Instance {
        let (registrations_open, account_approval_required, invites_enabled) =
            mode.pleroma_switches();
        Instance {
            name: name.to_owned(),
            description: description.to_owned(),
            email: email.to_owned(),
            registrations_open,
            account_approval_required,
            invites_enabled,
            local_bubble: bubble.to_vec(),
        }
    }

    /// Pleroma's three switches as one registration mode; open sign-ups take invites anyway.
    fn registrations(&self) -> RegistrationMode {
        RegistrationMode::from_pleroma_switches(
            self.registrations_open,
            self.account_approval_required,
            self.invites_enabled,
        )
    }

    /// The value of a run-time setting, as [`rhizome_core::Core::change_setting`] takes it.
    fn setting_value(&self, key: &str) -> Value {
        match key {
            settings::INSTANCE_NAME => json!(self.name),
            settings::INSTANCE_DESCRIPTION => json!(self.description),
            settings::CONTACT_EMAIL => json!(self.email),
            settings::REGISTRATIONS_MODE => json!(self.registrations().as_str()),
            settings::BUBBLE_DOMAINS => json!(self.local_bubble),
            _ => Value::Null,
        }
    }
}

/// One subkey's place in a [`Draft`].
enum Slot<'a> {
    Policies(&'a mut Vec<PolicyName>),
    Bool(&'a mut bool),
    Seconds(&'a mut u64),
    Count(&'a mut usize),
    Text(&'a mut String),
    Strings(&'a mut Vec<String>),
    /// Plain text or `/regular expression/`.
    Patterns(&'a mut Vec<String>),
    Replacements(&'a mut Vec<Replacement>),
    Domains(&'a mut Vec<DomainEntry>),
    AgeActions(&'a mut Vec<AgeAction>),
}

/// Where `key`'s `child` lives, for every subkey of [`KEYS`].
fn slot<'a>(key: &str, child: &str, draft: &'a mut Draft) -> Option<Slot<'a>> {
    let mrf = &mut draft.mrf;
    let instance = &mut draft.instance;
    let child = child.strip_prefix(':')?;
    Some(match key {
        ":mrf" => match child {
            "policies" => Slot::Policies(&mut mrf.policies),
            "transparency" => Slot::Bool(&mut mrf.transparency),
            "transparency_exclusions" => Slot::Domains(&mut mrf.transparency_exclusions),
            "transparency_obfuscate_domains" => {
                Slot::Strings(&mut mrf.transparency_obfuscate_domains)
            }
            _ => return None,
        },
        ":mrf_simple" => {
            let (_, list) = mrf
                .simple
                .lists_mut()
                .into_iter()
                .find(|(name, _)| *name == child)?;
            Slot::Domains(list)
        }
        ":mrf_keyword" => match child {
            "reject" => Slot::Patterns(&mut mrf.keyword.reject),
            "federated_timeline_removal" => {
                Slot::Patterns(&mut mrf.keyword.federated_timeline_removal)
            }
            "replace" => Slot::Replacements(&mut mrf.keyword.replace),
            _ => return None,
        },
        ":mrf_hashtag" => match child {
            "reject" => Slot::Strings(&mut mrf.hashtag.reject),
            "federated_timeline_removal" => {
                Slot::Strings(&mut mrf.hashtag.federated_timeline_removal)
            }
            "sensitive" => Slot::Strings(&mut mrf.hashtag.sensitive),
            _ => return None,
        },
        ":mrf_object_age" => match child {
            "threshold" => Slot::Seconds(&mut mrf.object_age.threshold),
            "actions" => Slot::AgeActions(&mut mrf.object_age.actions),
            _ => return None,
        },
        ":mrf_hellthread" => match child {
            "delist_threshold" => Slot::Count(&mut mrf.hellthread.delist_threshold),
            "reject_threshold" => Slot::Count(&mut mrf.hellthread.reject_threshold),
            _ => return None,
        },
        ":mrf_rejectnonpublic" => match child {
            "allow_followersonly" => Slot::Bool(&mut mrf.reject_non_public.allow_followersonly),
            "allow_direct" => Slot::Bool(&mut mrf.reject_non_public.allow_direct),
            _ => return None,
        },
        ":mrf_vocabulary" => match child {
            "accept" => Slot::Strings(&mut mrf.vocabulary.accept),
            "reject" => Slot::Strings(&mut mrf.vocabulary.reject),
            _ => return None,
        },
        ":mrf_mention" => match child {
            "actors" => Slot::Strings(&mut mrf.mention.actors),
            _ => return None,
        },
        ":mrf_reject_newly_created_account_notes" => match child {
            "age" => Slot::Seconds(&mut mrf.reject_newly_created_accounts.age),
            _ => return None,
        },
        ":mrf_steal_emoji" => match child {
            "hosts" => Slot::Strings(&mut mrf.steal_emoji.hosts),
            "rejected_shortcodes" => Slot::Patterns(&mut mrf.steal_emoji.rejected_shortcodes),
            "size_limit" => Slot::Count(&mut mrf.steal_emoji.size_limit),
            _ => return None,
        },
        ":instance" => match child {
            "name" => Slot::Text(&mut instance.name),
            "description" => Slot::Text(&mut instance.description),
            "email" => Slot::Text(&mut instance.email),
            "registrations_open" => Slot::Bool(&mut instance.registrations_open),
            "account_approval_required" => Slot::Bool(&mut instance.account_approval_required),
            "invites_enabled" => Slot::Bool(&mut instance.invites_enabled),
            "local_bubble" => Slot::Strings(&mut instance.local_bubble),
            "quarantined_instances" => Slot::Domains(&mut mrf.quarantined_instances),
            _ => return None,
        },
        _ => return None,
    })
}

fn tuple(items: Vec<Value>) -> Value {
    json!({ "tuple": items })
}

/// The items of `{"tuple": [...]}`.
fn untuple(value: &Value) -> Option<&[Value]> {
    match value {
        Value::Object(map) if map.len() == 1 => map.get("tuple")?.as_array().map(Vec::as_slice),
        _ => None,
    }
}

fn module_name(policy: PolicyName) -> String {
    format!("{MRF_MODULE}{}", policy.akkoma_name())
}

fn age_action_atom(action: AgeAction) -> &'static str {
    match action {
        AgeAction::Delist => ":delist",
        AgeAction::StripFollowers => ":strip_followers",
        AgeAction::Reject => ":reject",
    }
}

/// Rhizome's `/expression/i` as Elixir's `~r/expression/i`; plain text stays as it is.
fn elixir_pattern(pattern: &str) -> String {
    let is_regex = pattern.strip_prefix('/').is_some_and(|rest| {
        rest.rsplit_once('/')
            .is_some_and(|(_, flags)| flags.chars().all(|c| c == 'i'))
    });
    if is_regex {
        format!("~r{pattern}")
    } else {
        pattern.to_owned()
    }
}

/// Elixir's `~r/expression/iu` (any of Elixir's delimiters) as Rhizome's `/expression/i`.
/// Regular expressions are Unicode-aware here anyway; other modifiers are refused.
fn rhizome_pattern(pattern: &str) -> Result<String, String> {
    let Some(rest) = pattern.strip_prefix("~r") else {
        return Ok(pattern.to_owned());
    };
    let mut chars = rest.chars();
    let opening = chars.next().ok_or("a regular expression is empty")?;
    let closing = match opening {
        '/' | '|' | '"' | '\'' => opening,
        '(' => ')',
        '[' => ']',
        '{' => '}',
        '<' => '>',
        _ => {
            return Err(format!(
                "{pattern} is not a regular expression Rhizome reads"
            ));
        }
    };
    let body = chars.as_str();
    let (expression, modifiers) = body
        .rsplit_once(closing)
        .ok_or_else(|| format!("{pattern} is not closed"))?;
    if let Some(other) = modifiers.chars().find(|c| !matches!(c, 'i' | 'u')) {
        return Err(format!(
            "{pattern}: the modifier {other} is not supported (only i and u)"
        ));
    }
    let flags = if modifiers.contains('i') { "i" } else { "" };
    Ok(format!("/{expression}/{flags}"))
}

fn strings(value: &Value) -> Result<Vec<String>, String> {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("{item} is not a string"))
            })
            .collect(),
        other => Err(format!("{other} is not a list")),
    }
}

fn items(value: &Value) -> Result<&[Value], String> {
    value
        .as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| format!("{value} is not a list"))
}

/// A whole number, also as text (Admin-FE sends some so).
fn whole_number(value: &Value) -> Result<u64, String> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| format!("{value} is not a whole number"))
}

fn domain(text: &str) -> Result<String, String> {
    valid_domain(text).map_err(|_| format!("{text:?} is not a domain"))
}

impl Slot<'_> {
    /// The value in Pleroma's JSON.
    fn to_json(&self) -> Value {
        match self {
            Slot::Policies(list) => json!(list.iter().map(|p| module_name(*p)).collect::<Vec<_>>()),
            Slot::Bool(value) => json!(**value),
            Slot::Seconds(value) => json!(**value),
            Slot::Count(value) => json!(**value),
            Slot::Text(value) => json!(**value),
            Slot::Strings(list) => json!(**list),
            Slot::Patterns(list) => {
                json!(list.iter().map(|p| elixir_pattern(p)).collect::<Vec<_>>())
            }
            Slot::Replacements(list) => Value::Array(
                list.iter()
                    .map(|r| {
                        tuple(vec![
                            json!(elixir_pattern(&r.pattern)),
                            json!(r.replacement),
                        ])
                    })
                    .collect(),
            ),
            Slot::Domains(list) => Value::Array(
                list.iter()
                    .map(|e| tuple(vec![json!(e.domain), json!(e.reason)]))
                    .collect(),
            ),
            Slot::AgeActions(list) => {
                json!(list.iter().map(|a| age_action_atom(*a)).collect::<Vec<_>>())
            }
        }
    }

    /// Replaces the value with `value`, in Pleroma's JSON.
    fn set(&mut self, value: &Value) -> Result<(), String> {
        match self {
            Slot::Policies(list) => {
                // One module or a list of them.
                let names = match value {
                    Value::String(name) => vec![name.clone()],
                    other => strings(other)?,
                };
                let mut policies = Vec::with_capacity(names.len());
                for name in names {
                    let short = name.strip_prefix("Elixir.").unwrap_or(&name);
                    let short = short.strip_prefix(MRF_MODULE).unwrap_or(short);
                    let policy = PolicyName::from_akkoma_name(short)
                        .ok_or_else(|| format!("{name} is not a policy Rhizome has"))?;
                    if !policies.contains(&policy) {
                        policies.push(policy);
                    }
                }
                **list = policies;
            }
            Slot::Bool(target) => {
                **target = value
                    .as_bool()
                    .ok_or_else(|| format!("{value} is not true or false"))?;
            }
            Slot::Seconds(target) => **target = whole_number(value)?,
            Slot::Count(target) => {
                **target = usize::try_from(whole_number(value)?)
                    .map_err(|_| format!("{value} is too large"))?;
            }
            Slot::Text(target) => {
                **target = value
                    .as_str()
                    .ok_or_else(|| format!("{value} is not a string"))?
                    .to_owned();
            }
            Slot::Strings(list) => **list = strings(value)?,
            Slot::Patterns(list) => {
                **list = strings(value)?
                    .iter()
                    .map(|p| rhizome_pattern(p))
                    .collect::<Result<_, _>>()?;
            }
            Slot::Replacements(list) => {
                let mut replacements = Vec::new();
                for item in items(value)? {
                    let pair = untuple(item)
                        .and_then(|pair| match pair {
                            [Value::String(pattern), Value::String(replacement)] => {
                                Some((pattern, replacement))
                            }
                            _ => None,
                        })
                        .ok_or_else(|| {
                            format!("{item} is not a tuple of a pattern and its replacement")
                        })?;
                    replacements.push(Replacement {
                        pattern: rhizome_pattern(pair.0)?,
                        replacement: pair.1.clone(),
                    });
                }
                **list = replacements;
            }
            Slot::Domains(list) => {
                let mut entries = Vec::new();
                for item in items(value)? {
                    // A bare domain is Pleroma's older form, without a reason.
                    let (name, reason) = match (item, untuple(item)) {
                        (Value::String(name), _) => (name.as_str(), ""),
                        (_, Some([Value::String(name), Value::String(reason)])) => {
                            (name.as_str(), reason.as_str())
                        }
                        _ => return Err(format!("{item} is not a tuple of a domain and a reason")),
                    };
                    entries.push(DomainEntry::new(&domain(name)?, reason));
                }
                **list = entries;
            }
            Slot::AgeActions(list) => {
                let mut actions = Vec::new();
                for name in strings(value)? {
                    let action = match name.strip_prefix(':').unwrap_or(&name) {
                        "delist" => AgeAction::Delist,
                        "strip_followers" => AgeAction::StripFollowers,
                        "reject" => AgeAction::Reject,
                        _ => {
                            return Err(format!(
                                "{name} is not an action (:delist, :strip_followers, :reject)"
                            ));
                        }
                    };
                    if !actions.contains(&action) {
                        actions.push(action);
                    }
                }
                **list = actions;
            }
        }
        Ok(())
    }

    /// Pleroma's description of the value's type, with suggestions and placeholders.
    fn describe(&self) -> Value {
        match self {
            Slot::Policies(_) => json!({
                "type": ["module", ["list", "module"]],
                "suggestions": PolicyName::ALL.into_iter().map(module_name).collect::<Vec<_>>(),
            }),
            Slot::Bool(_) => json!({ "type": "boolean" }),
            Slot::Seconds(_) | Slot::Count(_) => json!({ "type": "integer" }),
            Slot::Text(_) => json!({ "type": "string" }),
            Slot::Strings(_) => json!({ "type": ["list", "string"] }),
            Slot::Patterns(_) => json!({
                "type": ["list", "string"],
                "suggestions": ["casino", "~r/free (money|coins)/i"],
            }),
            Slot::Replacements(_) => json!({
                "type": ["list", "tuple"],
                "key_placeholder": "pattern",
                "value_placeholder": "replacement",
                "suggestions": [["casino", "c*sino"]],
            }),
            Slot::Domains(_) => json!({
                "type": ["list", "tuple"],
                "key_placeholder": "instance",
                "value_placeholder": "reason",
                "suggestions": [["spam.example", "spam"], ["*.spam.example", "spam"]],
            }),
            Slot::AgeActions(_) => json!({
                "type": ["list", "atom"],
                "suggestions": [":delist", ":strip_followers", ":reject"],
            }),
        }
    }
}

/// `:federated_timeline_removal` → `Federated timeline removal`.
fn humanize(key: &str) -> String {
    let words = key.trim_start_matches(':').replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => words,
    }
}

/// `GET /api/v1/pleroma/admin/config/descriptions`: every key offered, described.
pub fn descriptions() -> Value {
    let mut draft = Draft {
        mrf: MrfConfig::default(),
        instance: Instance::new("", "", "", RegistrationMode::Open, &[]),
    };
    let described: Vec<Value> = KEYS
        .iter()
        .map(|key| {
            let children: Vec<Value> = key
                .children
                .iter()
                .map(|child| {
                    let mut entry = json!({
                        "key": child.key,
                        "label": humanize(child.key),
                        "description": child.description,
                    });
                    if let (Some(place), Value::Object(entry)) =
                        (slot(key.key, child.key, &mut draft), &mut entry)
                        && let Value::Object(kind) = place.describe()
                    {
                        entry.extend(kind);
                    }
                    entry
                })
                .collect();
            let mut entry = json!({
                "group": GROUP,
                "key": key.key,
                "type": "group",
                "label": key.label,
                "description": key.description,
                "children": children,
            });
            if let Some(policy) = key.policy {
                entry["related_policy"] = json!(module_name(policy));
                entry["tab"] = json!("mrf");
            }
            entry
        })
        .collect();
    Value::Array(described)
}

/// One entry of a `POST`'s `configs`.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct ConfigChange {
    pub group: String,
    pub key: String,
    #[serde(default)]
    pub value: Option<Value>,
    #[serde(default)]
    pub delete: bool,
    #[serde(default)]
    pub subkeys: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct ConfigRequest {
    pub configs: Vec<ConfigChange>,
}

/// The configuration in its layers, read once for one request.
pub struct Snapshot {
    /// In force: what `GET` shows and what changes are made to.
    effective: Draft,
    /// As stored, the domain lists apart: what `only_db` shows.
    configured: Draft,
    /// The configuration file's, to tell which subkeys an admin changed.
    file: Draft,
    /// The configuration file's with the domain lists: what a deleted subkey goes back to.
    file_effective: Draft,
    /// The run-time settings stored in the database.
    stored_settings: Vec<&'static str>,
    mrf_stored: bool,
}

impl Snapshot {
    pub fn new(config: &CoreConfig, layers: MrfLayers, settings: &EffectiveSettings) -> Snapshot {
        let current = Instance::new(
            &settings.name,
            &settings.description,
            &settings.contact_email,
            settings.registrations,
            &settings.bubble_domains,
        );
        let defaults = Instance::new(
            &config.instance_name,
            &config.instance_description,
            &config.contact_email,
            config.registrations,
            &[],
        );
        let draft = |mrf: MrfConfig, instance: &Instance| Draft {
            mrf,
            instance: instance.clone(),
        };
        Snapshot {
            effective: draft(layers.effective, &current),
            configured: draft(layers.configured, &current),
            file: draft(layers.file, &defaults),
            file_effective: draft(layers.file_effective, &defaults),
            stored_settings: settings
                .sources
                .iter()
                .filter(|(_, source)| *source == Source::Database)
                .map(|(key, _)| *key)
                .collect(),
            mrf_stored: layers.stored,
        }
    }

    fn value_in(draft: &mut Draft, key: &str, child: &str) -> Value {
        slot(key, child, draft).map_or(Value::Null, |slot| slot.to_json())
    }

    /// The subkeys of `key` an admin changed, as Pleroma's `db` lists those saved in the
    /// database: a run-time setting that is stored, a policy value that differs from the
    /// configuration file's.
    fn changed_children(&mut self, key: &Key) -> Vec<&'static str> {
        let mut changed = Vec::new();
        for child in key.children {
            let stored = match child.setting {
                Some(setting) => self.stored_settings.contains(&setting),
                None => {
                    self.mrf_stored
                        && Self::value_in(&mut self.configured, key.key, child.key)
                            != Self::value_in(&mut self.file, key.key, child.key)
                }
            };
            if stored {
                changed.push(child.key);
            }
        }
        changed
    }

    /// One entry of `configs`: every subkey in force, or with `only_db` the changed ones as
    /// stored.
    fn render(&mut self, key: &Key, only_db: bool) -> Option<Value> {
        let changed = self.changed_children(key);
        if only_db && changed.is_empty() {
            return None;
        }
        let mut value = Vec::new();
        for child in key.children {
            let shown = if only_db {
                if !changed.contains(&child.key) {
                    continue;
                }
                Self::value_in(&mut self.configured, key.key, child.key)
            } else {
                Self::value_in(&mut self.effective, key.key, child.key)
            };
            value.push(tuple(vec![json!(child.key), shown]));
        }
        let mut entry = json!({ "group": GROUP, "key": key.key, "value": value });
        if !changed.is_empty() {
            entry["db"] = json!(changed);
        }
        Some(entry)
    }

    /// `GET /api/v1/pleroma/admin/config`'s answer.
    pub fn configs(&mut self, only_db: bool) -> Value {
        let configs: Vec<Value> = KEYS
            .iter()
            .filter_map(|key| self.render(key, only_db))
            .collect();
        answer(configs)
    }

    /// The answer to a `POST` that changed `keys`: each in force now.
    pub fn changed_configs(&mut self, keys: &[&str]) -> Value {
        let configs: Vec<Value> = KEYS
            .iter()
            .filter(|key| keys.contains(&key.key))
            .filter_map(|key| self.render(key, false))
            .collect();
        answer(configs)
    }

    /// Applies a `POST`'s changes to the configuration in force and tells what to store, and
    /// which keys to answer with. Nothing is written here; any error refuses the whole request.
    pub fn apply(
        &mut self,
        request: &ConfigRequest,
    ) -> Result<(RuntimeChanges, Vec<&'static str>), String> {
        let before = self.effective.clone();
        // The last thing done to each run-time setting: true for a reset.
        let mut settings_touched: BTreeMap<&'static str, bool> = BTreeMap::new();
        let mut answer_keys = Vec::new();
        for change in &request.configs {
            if change.group != GROUP {
                return Err(format!(
                    "the group {} has nothing Rhizome configures here",
                    change.group
                ));
            }
            let key = KEYS.iter().find(|k| k.key == change.key).ok_or_else(|| {
                format!(
                    "{} {} is not a key Rhizome configures",
                    change.group, change.key
                )
            })?;
            // Subkeys are atoms; a missing colon is forgiven.
            let child_of = |name: &str| {
                let atom = name.strip_prefix(':').unwrap_or(name);
                key.children
                    .iter()
                    .find(|c| c.key.strip_prefix(':') == Some(atom))
                    .ok_or_else(|| format!("{} {} has no subkey {name}", change.group, key.key))
            };
            if change.delete {
                let children: Vec<&Child> = match &change.subkeys {
                    Some(names) => names
                        .iter()
                        .map(|n| child_of(n))
                        .collect::<Result<_, _>>()?,
                    None => key.children.iter().collect(),
                };
                for child in children {
                    let original = Self::value_in(&mut self.file_effective, key.key, child.key);
                    if let Some(mut target) = slot(key.key, child.key, &mut self.effective) {
                        target
                            .set(&original)
                            .map_err(|e| format!("{} {}: {e}", key.key, child.key))?;
                    }
                    if let Some(setting) = child.setting {
                        settings_touched.insert(setting, true);
                    }
                }
                // Pleroma answers with what is left of a key, not with a key deleted whole.
                if change.subkeys.is_some() && !answer_keys.contains(&key.key) {
                    answer_keys.push(key.key);
                }
                continue;
            }
            let value = change
                .value
                .as_ref()
                .ok_or_else(|| format!("{} {} has no value", change.group, key.key))?;
            let pairs = items(value)
                .map_err(|_| format!("the value of {} is not a keyword list", key.key))?;
            for pair in pairs {
                let (name, value) = match untuple(pair) {
                    Some([Value::String(name), value]) => (name.as_str(), value),
                    _ => {
                        return Err(format!(
                            "{pair} in {} is not a tuple of a :subkey and its value",
                            key.key
                        ));
                    }
                };
                let child = child_of(name)?;
                let mut target = slot(key.key, child.key, &mut self.effective)
                    .ok_or_else(|| format!("{} {} has no subkey {name}", change.group, key.key))?;
                target
                    .set(value)
                    .map_err(|e| format!("{} {name}: {e}", key.key))?;
                if let Some(setting) = child.setting {
                    settings_touched.insert(setting, false);
                }
            }
            if !answer_keys.contains(&key.key) {
                answer_keys.push(key.key);
            }
        }

        let mut changes = RuntimeChanges::default();
        for (setting, reset) in settings_touched {
            let value = self.effective.instance.setting_value(setting);
            if reset && value == self.file.instance.setting_value(setting) {
                changes.settings.push((setting.to_owned(), None));
            } else if value != before.instance.setting_value(setting) {
                changes.settings.push((setting.to_owned(), Some(value)));
            }
        }
        if self.effective.mrf != before.mrf {
            changes.effective_mrf = Some(self.effective.mrf.clone());
        }
        Ok((changes, answer_keys))
    }
}

fn answer(configs: Vec<Value>) -> Value {
    // Every change takes effect at once: nothing waits for a restart.
    json!({ "configs": configs, "need_reboot": false })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_go_both_ways() {
        assert_eq!(elixir_pattern("casino"), "casino");
        assert_eq!(elixir_pattern("/fo+/i"), "~r/fo+/i");
        assert_eq!(elixir_pattern("/fo+/"), "~r/fo+/");
        assert_eq!(elixir_pattern("~r/fo+/i"), "~r/fo+/i");
        assert_eq!(rhizome_pattern("casino").unwrap(), "casino");
        assert_eq!(rhizome_pattern("~r/fo+/iu").unwrap(), "/fo+/i");
        assert_eq!(rhizome_pattern("~r|a/b|").unwrap(), "/a/b/");
        assert_eq!(rhizome_pattern("~r{x}u").unwrap(), "/x/");
        assert!(
            rhizome_pattern("~r/x/m")
                .unwrap_err()
                .contains("modifier m")
        );
        assert!(rhizome_pattern("~r/x").is_err());
        assert!(rhizome_pattern("~r").is_err());
    }

    #[test]
    fn registrations_map_to_pleromas_switches() {
        for mode in [
            RegistrationMode::Open,
            RegistrationMode::Approval,
            RegistrationMode::Invite,
            RegistrationMode::Closed,
        ] {
            let instance = Instance::new("", "", "", mode, &[]);
            assert_eq!(instance.registrations(), mode);
        }
        let mut instance = Instance::new("", "", "", RegistrationMode::Closed, &[]);
        instance.registrations_open = true;
        instance.invites_enabled = true;
        assert_eq!(instance.registrations(), RegistrationMode::Open);
    }

    #[test]
    fn every_subkey_has_a_slot() {
        let mut draft = Draft {
            mrf: MrfConfig::default(),
            instance: Instance::new("", "", "", RegistrationMode::Open, &[]),
        };
        for key in KEYS {
            for child in key.children {
                let value = slot(key.key, child.key, &mut draft)
                    .map(|s| s.to_json())
                    .unwrap_or_else(|| panic!("{} {}", key.key, child.key));
                // What is shown reads back unchanged.
                let before = draft.clone();
                if let Some(mut target) = slot(key.key, child.key, &mut draft) {
                    target.set(&value).unwrap();
                }
                assert_eq!(draft, before, "{} {}", key.key, child.key);
            }
        }
    }
}
