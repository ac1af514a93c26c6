//! The ordered policy chain: each policy looks at an activity (as JSON, the way it came) and
//! keeps it, rewrites it or rejects it with a reason. Evaluation is pure: what a policy needs
//! to know about the sender is looked up beforehand and passed in [`Context`], so the same
//! chain can replay stored activities in a dry run.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use regex::{Regex, RegexBuilder};
use rhizome_federation::vocab::is_public;
use serde::Serialize;
use serde_json::{Map, Value};
use url::Url;

use super::config::{
    AgeAction, DomainEntry, HashtagConfig, HellthreadConfig, MAX_PATTERNS, MrfConfig,
    NewAccountsConfig, ObjectAgeConfig, PolicyName, RejectNonPublicConfig, StealEmojiConfig,
    VocabularyConfig,
};
use super::domain_matches;

/// Longest pattern an admin may write; with the compiled-size limit below, no pattern can make
/// matching expensive.
const MAX_PATTERN_CHARS: usize = 1_000;
const REGEX_SIZE_LIMIT: usize = 1 << 20;
/// What normalizing markup keeps of a post's HTML at most.
const MAX_CONTENT_BYTES: usize = 512 * 1024;

/// Object types that are posts (what the content policies look at).
const POST_TYPES: &[&str] = &[
    "Note",
    "Article",
    "Question",
    "Page",
    "Event",
    "Video",
    "Audio",
    "Image",
    "ChatMessage",
];
const ACTOR_TYPES: &[&str] = &["Person", "Service", "Application", "Group", "Organization"];

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PolicyError {
    #[error("pattern {pattern:?}: {reason}")]
    Pattern { pattern: String, reason: String },
    #[error("{list}: more than {MAX_PATTERNS} patterns")]
    TooManyPatterns { list: &'static str },
    #[error("domain {0:?} is not a domain")]
    Domain(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Sent to us, or fetched by us.
    Incoming,
    /// Sent by a local actor, on its way to other servers (already judged as `Local`).
    Outgoing,
    /// Made by a local user, judged before it is stored: a rejection is the author's error,
    /// and a rewrite changes the post everyone sees, here and elsewhere.
    Local,
}

impl Direction {
    /// Which policies judge activities going this way. Remote-only policies (domain lists,
    /// object age, new or link-spamming accounts, non-public posts, markup from other
    /// software, emoji to steal, direct messages refused) have nothing to say about a local
    /// user's own post; what leaves was judged when it was made, so delivery meets only the
    /// Vocabulary policy.
    pub fn applies(self, name: PolicyName) -> bool {
        match self {
            Direction::Incoming => true,
            Direction::Outgoing => name == PolicyName::Vocabulary,
            Direction::Local => matches!(
                name,
                PolicyName::Keyword
                    | PolicyName::Hashtag
                    | PolicyName::Hellthread
                    | PolicyName::Mention
                    | PolicyName::Tag
                    | PolicyName::Vocabulary
                    | PolicyName::NoPlaceholderText
            ),
        }
    }
}

/// What is known here about the sender, looked up before the chain runs.
#[derive(Debug, Clone, Default)]
pub struct ActorFacts {
    pub followers_url: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub statuses_count: i64,
    pub followers_count: i64,
    /// Moderators' tags on the account (`mrf_tag:…`).
    pub tags: Vec<String>,
}

pub struct Context<'a> {
    pub direction: Direction,
    pub now: DateTime<Utc>,
    /// This instance's domain: never rejected by domain lists.
    pub local_domain: &'a str,
    pub actor: Option<&'a ActorFacts>,
    /// Moderators' tags on the local account a Follow is for.
    pub target_tags: &'a [String],
    /// Local addressees of a direct message who take none from this sender.
    pub dm_refusers: &'a [String],
}

/// One change a policy made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rewrite {
    pub policy: &'static str,
    pub change: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Accept {
        activity: Value,
        rewrites: Vec<Rewrite>,
    },
    Reject {
        policy: &'static str,
        reason: String,
    },
}

impl Verdict {
    pub fn is_reject(&self) -> bool {
        matches!(self, Verdict::Reject { .. })
    }
}

/// What one policy did.
enum Step {
    Keep,
    Rewrote(Vec<String>),
    Reject(String),
}

/// A list of domains (exact, `*.` wildcard or `host:port`).
#[derive(Debug, Clone, Default)]
pub struct DomainList(Vec<DomainEntry>);

impl DomainList {
    fn new(entries: &[DomainEntry]) -> Result<DomainList, PolicyError> {
        for entry in entries {
            let bare = entry.domain.strip_prefix("*.").unwrap_or(&entry.domain);
            if bare.is_empty() || bare.contains(['/', ' ', '@', '*']) {
                return Err(PolicyError::Domain(entry.domain.clone()));
            }
        }
        Ok(DomainList(entries.to_vec()))
    }

    pub fn find(&self, host: &str) -> Option<&DomainEntry> {
        self.0.iter().find(|e| domain_matches(&e.domain, host))
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The Simple policy's lists, ready to match.
#[derive(Debug, Clone, Default)]
pub struct Simple {
    pub reject: DomainList,
    pub accept: DomainList,
    pub media_removal: DomainList,
    pub media_nsfw: DomainList,
    pub federated_timeline_removal: DomainList,
    pub followers_only: DomainList,
    pub report_removal: DomainList,
    pub avatar_removal: DomainList,
    pub banner_removal: DomainList,
    pub reject_deletes: DomainList,
}

impl Simple {
    fn new(config: &super::config::SimpleConfig) -> Result<Simple, PolicyError> {
        Ok(Simple {
            reject: DomainList::new(&config.reject)?,
            accept: DomainList::new(&config.accept)?,
            media_removal: DomainList::new(&config.media_removal)?,
            media_nsfw: DomainList::new(&config.media_nsfw)?,
            federated_timeline_removal: DomainList::new(&config.federated_timeline_removal)?,
            followers_only: DomainList::new(&config.followers_only)?,
            report_removal: DomainList::new(&config.report_removal)?,
            avatar_removal: DomainList::new(&config.avatar_removal)?,
            banner_removal: DomainList::new(&config.banner_removal)?,
            reject_deletes: DomainList::new(&config.reject_deletes)?,
        })
    }

    /// Why nothing is exchanged with `host` (rejected, or not on a non-empty accept list).
    pub fn refusal(&self, host: &str, local_domain: &str) -> Option<String> {
        if host.eq_ignore_ascii_case(local_domain) {
            return None;
        }
        if let Some(entry) = self.reject.find(host) {
            return Some(with_reason(&format!("{host} is rejected"), &entry.reason));
        }
        if !self.accept.is_empty() && self.accept.find(host).is_none() {
            return Some(format!("{host} is not on the accept list"));
        }
        None
    }

    fn filter(&self, ctx: &Context, activity: &mut Value) -> Step {
        let Some(host) = actor_host(activity) else {
            return Step::Keep;
        };
        if host.eq_ignore_ascii_case(ctx.local_domain) {
            return Step::Keep;
        }
        let kind = type_of(activity).unwrap_or_default().to_owned();
        if kind != "Delete"
            && let Some(reason) = self.refusal(&host, ctx.local_domain)
        {
            return Step::Reject(reason);
        }
        // Whole threads: a reply to, boost of or quote of a post from a refused server is
        // refused too, whoever sends it.
        for related in related_hosts(activity) {
            if let Some(reason) = self.refusal(&related, ctx.local_domain) {
                return Step::Reject(format!("part of a thread from elsewhere: {reason}"));
            }
        }
        if kind == "Delete"
            && let Some(entry) = self.reject_deletes.find(&host)
        {
            return Step::Reject(with_reason(
                &format!("deletes from {host} are rejected"),
                &entry.reason,
            ));
        }
        if kind == "Flag"
            && let Some(entry) = self.report_removal.find(&host)
        {
            return Step::Reject(with_reason(
                &format!("reports from {host} are rejected"),
                &entry.reason,
            ));
        }
        let mut changes = Vec::new();
        if let Some(object) = embedded_object_mut(activity)
            && is_post(object)
        {
            let has_media = object.get("attachment").is_some_and(|a| {
                !matches!(a, Value::Null) && a.as_array().is_none_or(|a| !a.is_empty())
            });
            if has_media && self.media_removal.find(&host).is_some() {
                object.remove("attachment");
                changes.push("media removed".to_owned());
            } else if has_media
                && self.media_nsfw.find(&host).is_some()
                && object.get("sensitive") != Some(&Value::Bool(true))
            {
                object.insert("sensitive".into(), Value::Bool(true));
                changes.push("media marked sensitive".to_owned());
            }
        }
        if let Some(object) = embedded_object_mut(activity)
            && is_actor(object)
        {
            if self.avatar_removal.find(&host).is_some() && object.remove("icon").is_some() {
                changes.push("avatar removed".to_owned());
            }
            if self.banner_removal.find(&host).is_some() && object.remove("image").is_some() {
                changes.push("banner removed".to_owned());
            }
        }
        if self.followers_only.find(&host).is_some() {
            let followers = ctx
                .actor
                .and_then(|a| a.followers_url.clone())
                .or_else(|| actor_id(activity).map(|id| format!("{id}/followers")));
            if make_followers_only(activity, followers.as_deref()) {
                changes.push("made followers-only".to_owned());
            }
        } else if self.federated_timeline_removal.find(&host).is_some() && delist(activity) {
            changes.push("removed from the federated timeline".to_owned());
        }
        rewrote(changes)
    }
}

fn with_reason(what: &str, reason: &str) -> String {
    if reason.is_empty() {
        what.to_owned()
    } else {
        format!("{what} ({reason})")
    }
}

fn rewrote(changes: Vec<String>) -> Step {
    if changes.is_empty() {
        Step::Keep
    } else {
        Step::Rewrote(changes)
    }
}

/// A keyword: plain text (any case) or a regular expression.
#[derive(Debug, Clone)]
enum Matcher {
    Plain(String),
    Regex(Regex),
}

impl Matcher {
    fn compile(pattern: &str) -> Result<Matcher, PolicyError> {
        let error = |reason: String| PolicyError::Pattern {
            pattern: pattern.to_owned(),
            reason,
        };
        if pattern.is_empty() {
            return Err(error("is empty".into()));
        }
        if pattern.chars().count() > MAX_PATTERN_CHARS {
            return Err(error(format!("longer than {MAX_PATTERN_CHARS} characters")));
        }
        let body = pattern.strip_prefix("~r").unwrap_or(pattern);
        if let Some(rest) = body.strip_prefix('/')
            && let Some((expression, flags)) = rest.rsplit_once('/')
            && flags.chars().all(|c| c == 'i')
        {
            return RegexBuilder::new(expression)
                .case_insensitive(!flags.is_empty())
                .size_limit(REGEX_SIZE_LIMIT)
                .dfa_size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map(Matcher::Regex)
                .map_err(|e| error(e.to_string()));
        }
        Ok(Matcher::Plain(pattern.to_lowercase()))
    }

    fn is_match(&self, text: &str) -> bool {
        match self {
            Matcher::Plain(p) => text.to_lowercase().contains(p.as_str()),
            Matcher::Regex(r) => r.is_match(text),
        }
    }

    fn replace(&self, text: &str, replacement: &str) -> String {
        match self {
            Matcher::Regex(r) => r.replace_all(text, replacement).into_owned(),
            Matcher::Plain(p) => replace_ignoring_case(text, p, replacement),
        }
    }
}

fn replace_ignoring_case(text: &str, lower_pattern: &str, replacement: &str) -> String {
    let lower = text.to_lowercase();
    // Lower-casing may change byte lengths (some non-ASCII letters); then match exactly.
    if lower.len() != text.len() {
        return text.replace(lower_pattern, replacement);
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (start, _) in lower.match_indices(lower_pattern) {
        if start < last || !text.is_char_boundary(start) {
            continue;
        }
        out.push_str(&text[last..start]);
        out.push_str(replacement);
        last = start + lower_pattern.len();
    }
    out.push_str(&text[last..]);
    out
}

#[derive(Debug, Clone, Default)]
struct Keyword {
    reject: Vec<(String, Matcher)>,
    federated_timeline_removal: Vec<(String, Matcher)>,
    replace: Vec<(Matcher, String)>,
}

fn compile_all(
    list: &'static str,
    patterns: &[String],
) -> Result<Vec<(String, Matcher)>, PolicyError> {
    if patterns.len() > MAX_PATTERNS {
        return Err(PolicyError::TooManyPatterns { list });
    }
    patterns
        .iter()
        .map(|p| Ok((p.clone(), Matcher::compile(p)?)))
        .collect()
}

impl Keyword {
    fn new(config: &super::config::KeywordConfig) -> Result<Keyword, PolicyError> {
        if config.replace.len() > MAX_PATTERNS {
            return Err(PolicyError::TooManyPatterns {
                list: "keyword.replace",
            });
        }
        Ok(Keyword {
            reject: compile_all("keyword.reject", &config.reject)?,
            federated_timeline_removal: compile_all(
                "keyword.federated_timeline_removal",
                &config.federated_timeline_removal,
            )?,
            replace: config
                .replace
                .iter()
                .map(|r| Ok((Matcher::compile(&r.pattern)?, r.replacement.clone())))
                .collect::<Result<_, PolicyError>>()?,
        })
    }

    fn filter(&self, activity: &mut Value) -> Step {
        let Some(object) = post_of_create(activity) else {
            return Step::Keep;
        };
        let texts = post_texts(object);
        let matches = |m: &Matcher| texts.iter().any(|t| m.is_match(t));
        if let Some((pattern, _)) = self.reject.iter().find(|(_, m)| matches(m)) {
            return Step::Reject(format!("matches the keyword {pattern:?}"));
        }
        let delist_for = self
            .federated_timeline_removal
            .iter()
            .find(|(_, m)| matches(m))
            .map(|(p, _)| p.clone());
        let mut changes = Vec::new();
        if !self.replace.is_empty()
            && let Some(object) = embedded_object_mut(activity)
        {
            let mut replaced = false;
            for key in ["content", "summary", "name"] {
                if let Some(Value::String(html)) = object.get_mut(key) {
                    replaced |= self.replace_in(html);
                }
            }
            for key in ["contentMap", "summaryMap", "nameMap"] {
                if let Some(Value::Object(map)) = object.get_mut(key) {
                    for value in map.values_mut() {
                        if let Value::String(html) = value {
                            replaced |= self.replace_in(html);
                        }
                    }
                }
            }
            if replaced {
                changes.push("keywords replaced".to_owned());
            }
        }
        if let Some(pattern) = delist_for
            && delist(activity)
        {
            changes.push(format!(
                "removed from the federated timeline (keyword {pattern:?})"
            ));
        }
        rewrote(changes)
    }

    /// Replaces in the text between tags only, so markup and links stay intact.
    fn replace_in(&self, html: &mut String) -> bool {
        let mut out = String::with_capacity(html.len());
        let mut rest = html.as_str();
        while !rest.is_empty() {
            let text_end = rest.find('<').unwrap_or(rest.len());
            let mut text = rest[..text_end].to_owned();
            for (matcher, replacement) in &self.replace {
                if matcher.is_match(&text) {
                    text = matcher.replace(&text, replacement);
                }
            }
            out.push_str(&text);
            rest = &rest[text_end..];
            let tag_end = rest.find('>').map(|i| i + 1).unwrap_or(rest.len());
            out.push_str(&rest[..tag_end]);
            rest = &rest[tag_end..];
        }
        let changed = out != *html;
        *html = out;
        changed
    }
}

/// The text of a post's HTML fields without the markup, and its poll options.
fn post_texts(object: &Map<String, Value>) -> Vec<String> {
    let mut texts = Vec::new();
    for key in ["content", "summary", "name"] {
        if let Some(Value::String(html)) = object.get(key) {
            texts.push(strip_tags(html));
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(options)) = object.get(key) {
            texts.extend(
                options
                    .iter()
                    .filter_map(|o| o.get("name").and_then(Value::as_str).map(str::to_owned)),
            );
        }
    }
    texts
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

fn normalize_tags(tags: &[String]) -> HashSet<String> {
    tags.iter()
        .map(|t| t.trim_start_matches('#').to_lowercase())
        .collect()
}

#[derive(Debug, Clone, Default)]
struct Hashtag {
    reject: HashSet<String>,
    federated_timeline_removal: HashSet<String>,
    sensitive: HashSet<String>,
}

impl Hashtag {
    fn new(config: &HashtagConfig) -> Hashtag {
        Hashtag {
            reject: normalize_tags(&config.reject),
            federated_timeline_removal: normalize_tags(&config.federated_timeline_removal),
            sensitive: normalize_tags(&config.sensitive),
        }
    }

    fn filter(&self, activity: &mut Value) -> Step {
        let Some(object) = post_of_create(activity) else {
            return Step::Keep;
        };
        let tags: Vec<String> = tags_of(object, "Hashtag")
            .into_iter()
            .map(|t| t.trim_start_matches('#').to_lowercase())
            .collect();
        if let Some(tag) = tags.iter().find(|t| self.reject.contains(*t)) {
            return Step::Reject(format!("has the hashtag #{tag}"));
        }
        let mut changes = Vec::new();
        if let Some(tag) = tags.iter().find(|t| self.sensitive.contains(*t))
            && let Some(object) = embedded_object_mut(activity)
            && object.get("sensitive") != Some(&Value::Bool(true))
        {
            object.insert("sensitive".into(), Value::Bool(true));
            changes.push(format!("marked sensitive (#{tag})"));
        }
        if let Some(tag) = tags
            .iter()
            .find(|t| self.federated_timeline_removal.contains(*t))
            && delist(activity)
        {
            changes.push(format!("removed from the federated timeline (#{tag})"));
        }
        rewrote(changes)
    }
}

fn object_age(config: &ObjectAgeConfig, ctx: &Context, activity: &mut Value) -> Step {
    let Some(object) = post_of_create(activity) else {
        return Step::Keep;
    };
    let Some(published) = object
        .get("published")
        .and_then(Value::as_str)
        .and_then(|p| DateTime::parse_from_rfc3339(p).ok())
    else {
        return Step::Keep;
    };
    let age = ctx.now.signed_duration_since(published.with_timezone(&Utc));
    if age.num_seconds() <= config.threshold as i64 {
        return Step::Keep;
    }
    if config.actions.contains(&AgeAction::Reject) {
        return Step::Reject(format!(
            "published {} s ago, over the {} s threshold",
            age.num_seconds(),
            config.threshold
        ));
    }
    let mut changes = Vec::new();
    if config.actions.contains(&AgeAction::Delist) && delist(activity) {
        changes.push("old post removed from the federated timeline".to_owned());
    }
    if config.actions.contains(&AgeAction::StripFollowers) {
        let followers = ctx.actor.and_then(|a| a.followers_url.clone());
        if strip_followers(activity, followers.as_deref()) {
            changes.push("old post not sent to followers".to_owned());
        }
    }
    rewrote(changes)
}

fn hellthread(config: &HellthreadConfig, ctx: &Context, activity: &mut Value) -> Step {
    let Some(object) = post_of_create(activity) else {
        return Step::Keep;
    };
    let followers = ctx.actor.and_then(|a| a.followers_url.as_deref());
    let mut recipients: HashSet<String> = HashSet::new();
    for key in ["to", "cc"] {
        for address in addresses(object.get(key)) {
            if !is_public(&address) && !is_followers(&address, followers) {
                recipients.insert(address);
            }
        }
    }
    let count = recipients.len();
    if config.reject_threshold > 0 && count > config.reject_threshold {
        return Step::Reject(format!(
            "addresses {count} accounts, over {}",
            config.reject_threshold
        ));
    }
    if config.delist_threshold > 0 && count > config.delist_threshold && delist(activity) {
        return Step::Rewrote(vec![format!(
            "addresses {count} accounts: removed from the federated timeline"
        )]);
    }
    Step::Keep
}

fn reject_non_public(config: &RejectNonPublicConfig, ctx: &Context, activity: &Value) -> Step {
    if type_of(activity) != Some("Create") {
        return Step::Keep;
    }
    let followers = ctx.actor.and_then(|a| a.followers_url.as_deref());
    let mut all = Vec::new();
    for key in ["to", "cc"] {
        all.extend(addresses(activity.get(key)));
        if let Some(object) = activity.get("object").and_then(Value::as_object) {
            all.extend(addresses(object.get(key)));
        }
    }
    if all.iter().any(|a| is_public(a)) {
        return Step::Keep;
    }
    let followers_only = all.iter().any(|a| is_followers(a, followers));
    match (
        followers_only,
        config.allow_followersonly,
        config.allow_direct,
    ) {
        (true, true, _) | (false, _, true) => Step::Keep,
        (true, false, _) => Step::Reject("followers-only posts are rejected".into()),
        (false, _, false) => Step::Reject("direct messages are rejected".into()),
    }
}

fn vocabulary(config: &VocabularyConfig, activity: &Value) -> Step {
    let mut types = Vec::new();
    let mut current = Some(activity);
    // The activity's type and those of the objects it embeds (an Announce of a Create…).
    for _ in 0..4 {
        let Some(value) = current else { break };
        if let Some(kind) = type_of(value) {
            types.push(kind.to_owned());
        }
        current = value.get("object").filter(|o| o.is_object());
    }
    if let Some(kind) = types.iter().find(|t| config.reject.contains(t)) {
        return Step::Reject(format!("the type {kind} is rejected"));
    }
    if !config.accept.is_empty()
        && let Some(kind) = types.iter().find(|t| !config.accept.contains(t))
    {
        return Step::Reject(format!("the type {kind} is not accepted"));
    }
    Step::Keep
}

fn mention(actors: &HashSet<String>, activity: &Value) -> Step {
    let mut addressed = Vec::new();
    for value in [
        Some(activity),
        activity.get("object").filter(|o| o.is_object()),
    ]
    .into_iter()
    .flatten()
    {
        for key in ["to", "cc", "bto", "bcc", "audience"] {
            addressed.extend(addresses(value.get(key)));
        }
        if let Some(object) = value.as_object() {
            addressed.extend(tags_of_href(object, "Mention"));
        }
    }
    match addressed.iter().find(|a| actors.contains(*a)) {
        Some(actor) => Step::Reject(format!("mentions {actor}")),
        None => Step::Keep,
    }
}

fn newly_created(config: &NewAccountsConfig, ctx: &Context, activity: &Value) -> Step {
    if post_of_create(activity).is_none() {
        return Step::Keep;
    }
    let Some(created) = ctx.actor.and_then(|a| a.created_at) else {
        return Step::Keep;
    };
    let age = ctx.now.signed_duration_since(created).num_seconds();
    if age < config.age as i64 {
        return Step::Reject(format!(
            "the account is {age} s old, younger than {} s",
            config.age
        ));
    }
    Step::Keep
}

fn anti_link_spam(ctx: &Context, activity: &Value) -> Step {
    let Some(object) = post_of_create(activity) else {
        return Step::Keep;
    };
    let Some(actor) = ctx.actor else {
        return Step::Keep;
    };
    let content = object.get("content").and_then(Value::as_str).unwrap_or("");
    let has_link = content.contains("href=") || content.contains("://");
    if has_link && actor.statuses_count == 0 && actor.followers_count == 0 {
        return Step::Reject("links from an account with no posts and no followers".into());
    }
    Step::Keep
}

/// Pleroma's Tag policy: what moderators decided for one account, by tagging it.
fn tag_policy(ctx: &Context, activity: &mut Value) -> Step {
    use super::config::*;
    if type_of(activity) == Some("Follow") {
        let tagged = |tag: &str| ctx.target_tags.iter().any(|t| t == tag);
        if tagged(TAG_NO_SUBSCRIPTION) || tagged(TAG_NO_REMOTE_SUBSCRIPTION) {
            return Step::Reject("the account does not take remote followers".into());
        }
        return Step::Keep;
    }
    let Some(actor) = ctx.actor else {
        return Step::Keep;
    };
    let tagged = |tag: &str| actor.tags.iter().any(|t| t == tag);
    if post_of_create(activity).is_none() {
        return Step::Keep;
    }
    let mut changes = Vec::new();
    if let Some(object) = embedded_object_mut(activity) {
        let has_media = object
            .get("attachment")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty());
        if has_media && tagged(TAG_STRIP_MEDIA) {
            object.remove("attachment");
            changes.push("media removed (account tag)".to_owned());
        } else if has_media
            && tagged(TAG_FORCE_NSFW)
            && object.get("sensitive") != Some(&Value::Bool(true))
        {
            object.insert("sensitive".into(), Value::Bool(true));
            changes.push("marked sensitive (account tag)".to_owned());
        }
    }
    if tagged(TAG_SANDBOX) {
        if make_followers_only(activity, actor.followers_url.as_deref()) {
            changes.push("made followers-only (account tag)".to_owned());
        }
    } else if tagged(TAG_FORCE_UNLISTED) && delist(activity) {
        changes.push("removed from the federated timeline (account tag)".to_owned());
    }
    rewrote(changes)
}

/// Whether an activity or the object it embeds is a direct message: neither public nor
/// addressed to followers.
pub(crate) fn is_direct(activity: &Value, followers: Option<&str>) -> bool {
    if type_of(activity) != Some("Create") {
        return false;
    }
    let mut all = Vec::new();
    for value in [
        Some(activity),
        activity.get("object").filter(|o| o.is_object()),
    ]
    .into_iter()
    .flatten()
    {
        for key in ["to", "cc"] {
            all.extend(addresses(value.get(key)));
        }
    }
    !all.is_empty()
        && !all
            .iter()
            .any(|a| is_public(a) || is_followers(a, followers))
}

/// Takes `refusers` off a map's addressing and mentions; returns how many `to`/`cc`
/// addressees remain.
fn strip_addressees(map: &mut Map<String, Value>, refusers: &[String]) -> usize {
    let mut remaining = 0;
    for key in ["to", "cc", "bto", "bcc"] {
        if map.contains_key(key) {
            let kept: Vec<String> = addresses(map.get(key))
                .into_iter()
                .filter(|a| !refusers.contains(a))
                .collect();
            if key == "to" || key == "cc" {
                remaining += kept.len();
            }
            map.insert(key.into(), Value::from(kept));
        }
    }
    let refused_mention = |t: &Value| {
        type_of(t) == Some("Mention")
            && t.get("href")
                .and_then(Value::as_str)
                .is_some_and(|h| refusers.iter().any(|r| r == h))
    };
    match map.get_mut("tag") {
        Some(Value::Array(tags)) => tags.retain(|t| !refused_mention(t)),
        // A single tag may come as an object rather than a list.
        Some(one @ Value::Object(_)) if refused_mention(one) => *one = Value::Array(Vec::new()),
        _ => {}
    }
    remaining
}

/// The addressees who refuse direct messages from this sender are taken off it (addressing
/// and mentions); with nobody left, it is rejected.
fn direct_message_disabled(ctx: &Context, activity: &mut Value) -> Step {
    if ctx.dm_refusers.is_empty() {
        return Step::Keep;
    }
    let in_object = embedded_object_mut(activity).map(|o| strip_addressees(o, ctx.dm_refusers));
    let outer = activity
        .as_object_mut()
        .map(|map| strip_addressees(map, ctx.dm_refusers))
        .unwrap_or(0);
    if in_object.unwrap_or(outer) == 0 {
        return Step::Reject("every addressee refuses direct messages from the sender".into());
    }
    Step::Rewrote(vec![format!(
        "{} addressee(s) refusing direct messages taken off",
        ctx.dm_refusers.len()
    )])
}

/// The Steal emoji policy's rules, compiled.
#[derive(Debug, Clone, Default)]
struct StealEmoji {
    hosts: Vec<String>,
    rejected: Vec<Matcher>,
}

impl StealEmoji {
    fn new(config: &StealEmojiConfig) -> Result<StealEmoji, PolicyError> {
        Ok(StealEmoji {
            hosts: config
                .hosts
                .iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
            rejected: compile_all(
                "steal_emoji.rejected_shortcodes",
                &config.rejected_shortcodes,
            )?
            .into_iter()
            .map(|(_, m)| m)
            .collect(),
        })
    }

    fn rejects(&self, shortcode: &str) -> bool {
        self.rejected.iter().any(|m| match m {
            // A plain entry names one shortcode, not a part of one.
            Matcher::Plain(p) => shortcode.eq_ignore_ascii_case(p),
            Matcher::Regex(r) => r.is_match(shortcode),
        })
    }
}

/// A URL given as a string or as a Link object with `href`.
fn id_of_url(value: &Value) -> Option<&str> {
    match value {
        Value::String(s) => Some(s),
        Value::Object(o) => o
            .get("href")
            .or_else(|| o.get("url"))
            .and_then(Value::as_str),
        _ => None,
    }
}

fn no_placeholder_text(activity: &mut Value) -> Step {
    let Some(object) = post_of_create(activity) else {
        return Step::Keep;
    };
    let placeholder = object
        .get("content")
        .and_then(Value::as_str)
        .is_some_and(|c| matches!(c.trim(), "." | "<p>.</p>"));
    let has_media = object
        .get("attachment")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    if !placeholder || !has_media {
        return Step::Keep;
    }
    if let Some(object) = embedded_object_mut(activity) {
        object.insert("content".into(), Value::String(String::new()));
        if let Some(Value::Object(map)) = object.get_mut("contentMap") {
            for value in map.values_mut() {
                *value = Value::String(String::new());
            }
        }
    }
    Step::Rewrote(vec!["placeholder text removed".into()])
}

fn normalize_markup(activity: &mut Value) -> Step {
    if post_of_create(activity).is_none() {
        return Step::Keep;
    }
    let Some(object) = embedded_object_mut(activity) else {
        return Step::Keep;
    };
    let Some(Value::String(content)) = object.get_mut("content") else {
        return Step::Keep;
    };
    let clean = crate::text::sanitize_remote_html(content, MAX_CONTENT_BYTES);
    if clean == *content {
        return Step::Keep;
    }
    *content = clean;
    Step::Rewrote(vec!["markup normalized".into()])
}

#[derive(Debug, Clone)]
enum Compiled {
    Simple,
    Keyword(Keyword),
    Hashtag(Hashtag),
    ObjectAge(ObjectAgeConfig),
    Hellthread(HellthreadConfig),
    RejectNonPublic(RejectNonPublicConfig),
    Vocabulary(VocabularyConfig),
    Mention(HashSet<String>),
    NewAccounts(NewAccountsConfig),
    AntiLinkSpam,
    NoPlaceholderText,
    NormalizeMarkup,
    Tag,
    /// Takes nothing away: it only names emoji to import (see [`Chain::emoji_to_steal`]).
    StealEmoji,
    DirectMessageDisabled,
}

/// The policies in force, compiled once from a configuration.
#[derive(Debug, Clone)]
pub struct Chain {
    config: MrfConfig,
    simple: Simple,
    policies: Vec<(PolicyName, Compiled)>,
    steal_emoji: StealEmoji,
}

impl Chain {
    pub fn compile(config: &MrfConfig) -> Result<Chain, PolicyError> {
        let mut names: Vec<PolicyName> = Vec::new();
        if !config.policies.contains(&PolicyName::Simple) {
            names.push(PolicyName::Simple);
        }
        for name in &config.policies {
            if !names.contains(name) {
                names.push(*name);
            }
        }
        // Checked even when not in use: switching a policy on later must not find it broken.
        let keyword = Keyword::new(&config.keyword)?;
        let steal_emoji = StealEmoji::new(&config.steal_emoji)?;
        let mut policies = Vec::with_capacity(names.len());
        for name in names {
            let compiled = match name {
                PolicyName::Simple => Compiled::Simple,
                PolicyName::Keyword => Compiled::Keyword(keyword.clone()),
                PolicyName::Hashtag => Compiled::Hashtag(Hashtag::new(&config.hashtag)),
                PolicyName::ObjectAge => Compiled::ObjectAge(config.object_age.clone()),
                PolicyName::Hellthread => Compiled::Hellthread(config.hellthread.clone()),
                PolicyName::RejectNonPublic => {
                    Compiled::RejectNonPublic(config.reject_non_public.clone())
                }
                PolicyName::Vocabulary => Compiled::Vocabulary(config.vocabulary.clone()),
                PolicyName::Mention => {
                    Compiled::Mention(config.mention.actors.iter().cloned().collect())
                }
                PolicyName::RejectNewlyCreatedAccounts => {
                    Compiled::NewAccounts(config.reject_newly_created_accounts.clone())
                }
                PolicyName::AntiLinkSpam => Compiled::AntiLinkSpam,
                PolicyName::NoPlaceholderText => Compiled::NoPlaceholderText,
                PolicyName::NormalizeMarkup => Compiled::NormalizeMarkup,
                PolicyName::Tag => Compiled::Tag,
                PolicyName::StealEmoji => Compiled::StealEmoji,
                PolicyName::DirectMessageDisabled => Compiled::DirectMessageDisabled,
            };
            policies.push((name, compiled));
        }
        Ok(Chain {
            config: config.clone(),
            simple: Simple::new(&config.simple)?,
            policies,
            steal_emoji,
        })
    }

    pub fn config(&self) -> &MrfConfig {
        &self.config
    }

    pub fn simple(&self) -> &Simple {
        &self.simple
    }

    /// The custom emoji (shortcode, image URL) an accepted activity uses that the Steal emoji
    /// policy takes: from listed hosts, not rejected, each once.
    pub fn emoji_to_steal(&self, activity: &Value) -> Vec<(String, String)> {
        if !self
            .policies
            .iter()
            .any(|(name, _)| *name == PolicyName::StealEmoji)
        {
            return Vec::new();
        }
        let Some(host) = actor_host(activity) else {
            return Vec::new();
        };
        if !self
            .steal_emoji
            .hosts
            .iter()
            .any(|pattern| domain_matches(pattern, &host))
        {
            return Vec::new();
        }
        let mut found: Vec<(String, String)> = Vec::new();
        let object = activity.get("object").and_then(Value::as_object);
        for item in object.into_iter().flat_map(|o| tag_items(o, "Emoji")) {
            let Some(name) = item.get("name").and_then(Value::as_str) else {
                continue;
            };
            let shortcode = name.trim_matches(':');
            let url = item
                .get("icon")
                .and_then(|icon| icon.get("url").or(Some(icon)))
                .and_then(id_of_url);
            let Some(url) = url else { continue };
            // The image must come from the server that sent it.
            if host_of_str(url).as_deref() != Some(host.as_str())
                || self.steal_emoji.rejects(shortcode)
                || found.iter().any(|(s, _)| s == shortcode)
            {
                continue;
            }
            found.push((shortcode.to_owned(), url.to_owned()));
        }
        found
    }

    /// Whether `name` runs (what the sender must be looked up for depends on it).
    pub fn uses(&self, name: PolicyName) -> bool {
        self.policies.iter().any(|(n, _)| *n == name)
    }

    /// The policies that run, in order.
    pub fn names(&self) -> Vec<PolicyName> {
        self.policies.iter().map(|(name, _)| *name).collect()
    }

    /// Runs `activity` through every policy in order; the first rejection ends it.
    ///
    /// Runs the policies that judge `ctx.direction` ([`Direction::applies`]). Local posts are
    /// judged when made, so refusing to deliver them later would silently split what local
    /// and remote readers see; the Simple policy's part of outgoing traffic is choosing
    /// recipients ([`Simple::refusal`]).
    pub fn filter(&self, ctx: &Context, mut activity: Value) -> Verdict {
        let mut rewrites = Vec::new();
        for (name, policy) in &self.policies {
            if !ctx.direction.applies(*name) {
                continue;
            }
            let step = match policy {
                Compiled::Simple => self.simple.filter(ctx, &mut activity),
                Compiled::Keyword(k) => k.filter(&mut activity),
                Compiled::Hashtag(h) => h.filter(&mut activity),
                Compiled::ObjectAge(c) => object_age(c, ctx, &mut activity),
                Compiled::Hellthread(c) => hellthread(c, ctx, &mut activity),
                Compiled::RejectNonPublic(c) => reject_non_public(c, ctx, &activity),
                Compiled::Vocabulary(c) => vocabulary(c, &activity),
                Compiled::Mention(actors) => mention(actors, &activity),
                Compiled::NewAccounts(c) => newly_created(c, ctx, &activity),
                Compiled::AntiLinkSpam => anti_link_spam(ctx, &activity),
                Compiled::NoPlaceholderText => no_placeholder_text(&mut activity),
                Compiled::NormalizeMarkup => normalize_markup(&mut activity),
                Compiled::Tag => tag_policy(ctx, &mut activity),
                Compiled::StealEmoji => Step::Keep,
                Compiled::DirectMessageDisabled => direct_message_disabled(ctx, &mut activity),
            };
            match step {
                Step::Keep => {}
                Step::Rewrote(changes) => {
                    rewrites.extend(changes.into_iter().map(|change| Rewrite {
                        policy: name.as_str(),
                        change,
                    }))
                }
                Step::Reject(reason) => {
                    return Verdict::Reject {
                        policy: name.as_str(),
                        reason,
                    };
                }
            }
        }
        Verdict::Accept { activity, rewrites }
    }
}

// Reading activities as they come: a field may be a string, an object with an `id`, or an
// array of either.

pub(crate) fn type_of(value: &Value) -> Option<&str> {
    match value.get("type")? {
        Value::String(s) => Some(s),
        Value::Array(types) => types.first().and_then(Value::as_str),
        _ => None,
    }
}

fn id_of(value: &Value) -> Option<&str> {
    match value {
        Value::String(s) => Some(s),
        Value::Object(o) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

pub(crate) fn actor_id(activity: &Value) -> Option<&str> {
    activity.get("actor").and_then(id_of)
}

fn host_of_str(uri: &str) -> Option<String> {
    let url = Url::parse(uri).ok()?;
    Some(rhizome_federation::http::host_of(&url))
}

pub(crate) fn actor_host(activity: &Value) -> Option<String> {
    host_of_str(actor_id(activity)?)
}

/// Hosts of the posts an activity builds on: the post a reply answers or a quote quotes, the
/// post a boost shares.
fn related_hosts(activity: &Value) -> Vec<String> {
    let mut uris = Vec::new();
    let object = activity.get("object");
    match type_of(activity) {
        Some("Announce") => uris.extend(object.and_then(id_of)),
        Some("Create" | "Update") => {
            if let Some(object) = object.filter(|o| o.is_object()) {
                for key in [
                    "inReplyTo",
                    "quoteUrl",
                    "quoteUri",
                    "_misskey_quote",
                    "quote",
                ] {
                    uris.extend(object.get(key).and_then(id_of));
                }
            }
        }
        _ => {}
    }
    uris.into_iter().filter_map(host_of_str).collect()
}

fn is_post(object: &Map<String, Value>) -> bool {
    object
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| POST_TYPES.contains(&t))
}

fn is_actor(object: &Map<String, Value>) -> bool {
    object
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| ACTOR_TYPES.contains(&t))
}

fn embedded_object_mut(activity: &mut Value) -> Option<&mut Map<String, Value>> {
    activity.get_mut("object")?.as_object_mut()
}

/// The post a Create or Update carries.
fn post_of_create(activity: &Value) -> Option<&Map<String, Value>> {
    if !matches!(type_of(activity), Some("Create" | "Update")) {
        return None;
    }
    activity
        .get("object")
        .and_then(Value::as_object)
        .filter(|o| is_post(o))
}

pub(super) fn addresses(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| id_of(i).map(str::to_owned))
            .collect(),
        Some(object @ Value::Object(_)) => id_of(object).map(str::to_owned).into_iter().collect(),
        _ => Vec::new(),
    }
}

fn is_followers(address: &str, followers: Option<&str>) -> bool {
    followers.is_some_and(|f| f == address) || address.ends_with("/followers")
}

fn tags_of(object: &Map<String, Value>, kind: &str) -> Vec<String> {
    tag_items(object, kind)
        .filter_map(|t| t.get("name").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

fn tags_of_href(object: &Map<String, Value>, kind: &str) -> Vec<String> {
    tag_items(object, kind)
        .filter_map(|t| t.get("href").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

fn tag_items<'a>(
    object: &'a Map<String, Value>,
    kind: &'a str,
) -> impl Iterator<Item = &'a Value> + 'a {
    let items: Vec<&Value> = match object.get("tag") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    items.into_iter().filter(move |t| type_of(t) == Some(kind))
}

/// Rewrites addressing in the activity and the object it embeds; true when anything changed.
fn rewrite_addressing(
    activity: &mut Value,
    mut edit: impl FnMut(&mut Vec<String>, &mut Vec<String>) -> bool,
) -> bool {
    let mut changed = false;
    if let Some(map) = activity.as_object_mut() {
        changed |= edit_map(map, &mut edit);
    }
    if let Some(object) = embedded_object_mut(activity) {
        changed |= edit_map(object, &mut edit);
    }
    changed
}

fn edit_map(
    map: &mut Map<String, Value>,
    edit: &mut impl FnMut(&mut Vec<String>, &mut Vec<String>) -> bool,
) -> bool {
    let mut to = addresses(map.get("to"));
    let mut cc = addresses(map.get("cc"));
    if !edit(&mut to, &mut cc) {
        return false;
    }
    map.insert("to".into(), Value::from(to));
    map.insert("cc".into(), Value::from(cc));
    true
}

/// Public → unlisted: the public address moves from `to` to `cc`.
pub(crate) fn delist(activity: &mut Value) -> bool {
    rewrite_addressing(activity, |to, cc| {
        if !to.iter().any(|a| is_public(a)) {
            return false;
        }
        to.retain(|a| !is_public(a));
        if !cc.iter().any(|a| is_public(a)) {
            cc.push(rhizome_federation::vocab::PUBLIC.to_owned());
        }
        true
    })
}

fn strip_followers(activity: &mut Value, followers: Option<&str>) -> bool {
    rewrite_addressing(activity, |to, cc| {
        let before = to.len() + cc.len();
        to.retain(|a| !is_followers(a, followers));
        cc.retain(|a| !is_followers(a, followers));
        to.len() + cc.len() != before
    })
}

fn make_followers_only(activity: &mut Value, followers: Option<&str>) -> bool {
    rewrite_addressing(activity, |to, cc| {
        if !to.iter().chain(cc.iter()).any(|a| is_public(a)) {
            return false;
        }
        to.retain(|a| !is_public(a));
        cc.retain(|a| !is_public(a));
        if let Some(followers) = followers
            && !to.iter().chain(cc.iter()).any(|a| a == followers)
        {
            to.push(followers.to_owned());
        }
        true
    })
}
