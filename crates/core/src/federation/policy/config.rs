//! The policy chain's configuration, in Akkoma's vocabulary: `[mrf]` with `policies` and the
//! transparency settings, and one sub-table per policy (`[mrf.simple]`, `[mrf.keyword]`, …).
//! The same structure is stored as JSON when an admin edits it at run time.

use serde::{Deserialize, Serialize};

/// Most incoming activities kept for dry runs, whatever the configuration says.
pub const MAX_DRY_RUN_KEEP: u32 = 10_000;
/// Most patterns of one kind a keyword policy may hold.
pub const MAX_PATTERNS: usize = 1_000;

/// The policies Rhizome knows, by the names used in the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyName {
    #[serde(alias = "SimplePolicy")]
    Simple,
    #[serde(alias = "KeywordPolicy")]
    Keyword,
    #[serde(alias = "HashtagPolicy")]
    Hashtag,
    #[serde(alias = "ObjectAgePolicy")]
    ObjectAge,
    #[serde(alias = "HellthreadPolicy")]
    Hellthread,
    #[serde(alias = "RejectNonPublic")]
    RejectNonPublic,
    #[serde(alias = "VocabularyPolicy")]
    Vocabulary,
    #[serde(alias = "MentionPolicy")]
    Mention,
    #[serde(alias = "RejectNewlyCreatedAccountNotesPolicy")]
    RejectNewlyCreatedAccounts,
    #[serde(alias = "AntiLinkSpamPolicy")]
    AntiLinkSpam,
    #[serde(alias = "NoPlaceholderTextPolicy")]
    NoPlaceholderText,
    #[serde(alias = "NormalizeMarkup")]
    NormalizeMarkup,
    #[serde(alias = "TagPolicy")]
    Tag,
    #[serde(alias = "StealEmojiPolicy")]
    StealEmoji,
    #[serde(alias = "DirectMessageDisabledPolicy")]
    DirectMessageDisabled,
}

/// The tags moderators put on accounts for the Tag policy (Pleroma's names).
pub const ACCOUNT_TAGS: &[&str] = &[
    TAG_FORCE_NSFW,
    TAG_STRIP_MEDIA,
    TAG_FORCE_UNLISTED,
    TAG_SANDBOX,
    TAG_NO_REMOTE_SUBSCRIPTION,
    TAG_NO_SUBSCRIPTION,
];
pub const TAG_FORCE_NSFW: &str = "mrf_tag:media-force-nsfw";
pub const TAG_STRIP_MEDIA: &str = "mrf_tag:media-strip";
pub const TAG_FORCE_UNLISTED: &str = "mrf_tag:force-unlisted";
/// Posts reach followers only.
pub const TAG_SANDBOX: &str = "mrf_tag:sandbox";
/// Remote accounts may not follow the tagged one.
pub const TAG_NO_REMOTE_SUBSCRIPTION: &str = "mrf_tag:disable-remote-subscription";
pub const TAG_NO_SUBSCRIPTION: &str = "mrf_tag:disable-any-subscription";

impl PolicyName {
    /// Every policy, in the order they are documented.
    pub const ALL: [PolicyName; 15] = [
        PolicyName::Simple,
        PolicyName::Keyword,
        PolicyName::Hashtag,
        PolicyName::ObjectAge,
        PolicyName::Hellthread,
        PolicyName::RejectNonPublic,
        PolicyName::Vocabulary,
        PolicyName::Mention,
        PolicyName::RejectNewlyCreatedAccounts,
        PolicyName::AntiLinkSpam,
        PolicyName::NoPlaceholderText,
        PolicyName::NormalizeMarkup,
        PolicyName::Tag,
        PolicyName::StealEmoji,
        PolicyName::DirectMessageDisabled,
    ];

    /// The policy Akkoma names `name` (`SimplePolicy`), if Rhizome has it.
    pub fn from_akkoma_name(name: &str) -> Option<PolicyName> {
        PolicyName::ALL
            .into_iter()
            .find(|policy| policy.akkoma_name() == name)
    }

    /// The name Akkoma publishes in NodeInfo's `mrf_policies`.
    pub fn akkoma_name(self) -> &'static str {
        match self {
            PolicyName::Simple => "SimplePolicy",
            PolicyName::Keyword => "KeywordPolicy",
            PolicyName::Hashtag => "HashtagPolicy",
            PolicyName::ObjectAge => "ObjectAgePolicy",
            PolicyName::Hellthread => "HellthreadPolicy",
            PolicyName::RejectNonPublic => "RejectNonPublic",
            PolicyName::Vocabulary => "VocabularyPolicy",
            PolicyName::Mention => "MentionPolicy",
            PolicyName::RejectNewlyCreatedAccounts => "RejectNewlyCreatedAccountNotesPolicy",
            PolicyName::AntiLinkSpam => "AntiLinkSpamPolicy",
            PolicyName::NoPlaceholderText => "NoPlaceholderTextPolicy",
            PolicyName::NormalizeMarkup => "NormalizeMarkup",
            PolicyName::Tag => "TagPolicy",
            PolicyName::StealEmoji => "StealEmojiPolicy",
            PolicyName::DirectMessageDisabled => "DirectMessageDisabledPolicy",
        }
    }

    /// The configuration name (`simple`, `object_age`…), used in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyName::Simple => "simple",
            PolicyName::Keyword => "keyword",
            PolicyName::Hashtag => "hashtag",
            PolicyName::ObjectAge => "object_age",
            PolicyName::Hellthread => "hellthread",
            PolicyName::RejectNonPublic => "reject_non_public",
            PolicyName::Vocabulary => "vocabulary",
            PolicyName::Mention => "mention",
            PolicyName::RejectNewlyCreatedAccounts => "reject_newly_created_accounts",
            PolicyName::AntiLinkSpam => "anti_link_spam",
            PolicyName::NoPlaceholderText => "no_placeholder_text",
            PolicyName::NormalizeMarkup => "normalize_markup",
            PolicyName::Tag => "tag",
            PolicyName::StealEmoji => "steal_emoji",
            PolicyName::DirectMessageDisabled => "direct_message_disabled",
        }
    }
}

/// A domain (`example.org`, `*.example.org`, `host:port`) with its public reason. Written as a
/// table (`{ domain = "…", reason = "…" }`) or as a bare domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "DomainEntryForm")]
pub struct DomainEntry {
    pub domain: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum DomainEntryForm {
    Bare(String),
    Full {
        domain: String,
        #[serde(default)]
        reason: String,
    },
}

impl From<DomainEntryForm> for DomainEntry {
    fn from(form: DomainEntryForm) -> Self {
        let (domain, reason) = match form {
            DomainEntryForm::Bare(domain) => (domain, String::new()),
            DomainEntryForm::Full { domain, reason } => (domain, reason),
        };
        DomainEntry {
            domain: domain.trim().to_ascii_lowercase(),
            reason,
        }
    }
}

impl DomainEntry {
    pub fn new(domain: &str, reason: &str) -> DomainEntry {
        DomainEntry {
            domain: domain.trim().to_ascii_lowercase(),
            reason: reason.to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MrfConfig {
    /// The policies that run, in this order. The Simple policy always runs, since it carries
    /// the instance's domain blocks; naming it here only chooses its place.
    pub policies: Vec<PolicyName>,
    /// Publish the active policies and their domain lists in NodeInfo and the public block list.
    pub transparency: bool,
    /// Domains left out of what is published (with a reason kept private).
    pub transparency_exclusions: Vec<DomainEntry>,
    /// Domains published partly hidden (`ex*****.org`).
    pub transparency_obfuscate_domains: Vec<String>,
    /// How many recent incoming activities are kept for dry runs (0: none).
    pub dry_run_keep: u32,
    /// Servers that receive only public and unlisted posts from here (Akkoma's
    /// `quarantined_instances`).
    pub quarantined_instances: Vec<DomainEntry>,
    pub simple: SimpleConfig,
    pub keyword: KeywordConfig,
    pub hashtag: HashtagConfig,
    pub object_age: ObjectAgeConfig,
    pub hellthread: HellthreadConfig,
    pub reject_non_public: RejectNonPublicConfig,
    pub vocabulary: VocabularyConfig,
    pub mention: MentionConfig,
    pub reject_newly_created_accounts: NewAccountsConfig,
    pub steal_emoji: StealEmojiConfig,
}

impl Default for MrfConfig {
    fn default() -> Self {
        MrfConfig {
            policies: vec![
                PolicyName::Simple,
                PolicyName::Hashtag,
                PolicyName::Tag,
                PolicyName::DirectMessageDisabled,
            ],
            transparency: true,
            transparency_exclusions: Vec::new(),
            transparency_obfuscate_domains: Vec::new(),
            dry_run_keep: 200,
            quarantined_instances: Vec::new(),
            simple: SimpleConfig::default(),
            keyword: KeywordConfig::default(),
            hashtag: HashtagConfig::default(),
            object_age: ObjectAgeConfig::default(),
            hellthread: HellthreadConfig::default(),
            reject_non_public: RejectNonPublicConfig::default(),
            vocabulary: VocabularyConfig::default(),
            mention: MentionConfig::default(),
            reject_newly_created_accounts: NewAccountsConfig::default(),
            steal_emoji: StealEmojiConfig::default(),
        }
    }
}

/// Per-domain actions (Akkoma's `mrf_simple`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SimpleConfig {
    /// Everything but deletes is dropped; their fetches are refused and nothing is delivered.
    pub reject: Vec<DomainEntry>,
    /// When not empty, only these domains federate (allow-list mode).
    pub accept: Vec<DomainEntry>,
    pub media_removal: Vec<DomainEntry>,
    pub media_nsfw: Vec<DomainEntry>,
    pub federated_timeline_removal: Vec<DomainEntry>,
    pub followers_only: Vec<DomainEntry>,
    pub report_removal: Vec<DomainEntry>,
    pub avatar_removal: Vec<DomainEntry>,
    pub banner_removal: Vec<DomainEntry>,
    pub reject_deletes: Vec<DomainEntry>,
}

/// The Simple policy's lists with their NodeInfo names, in a fixed order.
impl SimpleConfig {
    pub fn lists(&self) -> [(&'static str, &Vec<DomainEntry>); 10] {
        [
            ("accept", &self.accept),
            ("avatar_removal", &self.avatar_removal),
            ("banner_removal", &self.banner_removal),
            (
                "federated_timeline_removal",
                &self.federated_timeline_removal,
            ),
            ("followers_only", &self.followers_only),
            ("media_nsfw", &self.media_nsfw),
            ("media_removal", &self.media_removal),
            ("reject", &self.reject),
            ("reject_deletes", &self.reject_deletes),
            ("report_removal", &self.report_removal),
        ]
    }

    /// As [`SimpleConfig::lists`], to change them.
    pub fn lists_mut(&mut self) -> [(&'static str, &mut Vec<DomainEntry>); 10] {
        [
            ("accept", &mut self.accept),
            ("avatar_removal", &mut self.avatar_removal),
            ("banner_removal", &mut self.banner_removal),
            (
                "federated_timeline_removal",
                &mut self.federated_timeline_removal,
            ),
            ("followers_only", &mut self.followers_only),
            ("media_nsfw", &mut self.media_nsfw),
            ("media_removal", &mut self.media_removal),
            ("reject", &mut self.reject),
            ("reject_deletes", &mut self.reject_deletes),
            ("report_removal", &mut self.report_removal),
        ]
    }
}

/// Patterns are plain text (matched case-insensitively) or a regular expression written
/// `/…/` (with an optional `i` flag after the closing slash), as Akkoma's `~r/…/`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KeywordConfig {
    pub reject: Vec<String>,
    pub federated_timeline_removal: Vec<String>,
    pub replace: Vec<Replacement>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replacement {
    pub pattern: String,
    #[serde(default)]
    pub replacement: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HashtagConfig {
    pub reject: Vec<String>,
    pub federated_timeline_removal: Vec<String>,
    /// Posts with these hashtags are marked sensitive.
    pub sensitive: Vec<String>,
}

impl Default for HashtagConfig {
    fn default() -> Self {
        HashtagConfig {
            reject: Vec::new(),
            federated_timeline_removal: Vec::new(),
            sensitive: vec!["nsfw".to_owned()],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeAction {
    Delist,
    StripFollowers,
    Reject,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ObjectAgeConfig {
    /// Seconds since the post was published.
    pub threshold: u64,
    pub actions: Vec<AgeAction>,
}

impl Default for ObjectAgeConfig {
    fn default() -> Self {
        ObjectAgeConfig {
            threshold: 7 * 24 * 3600,
            actions: vec![AgeAction::Delist, AgeAction::StripFollowers],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HellthreadConfig {
    /// Posts addressing more accounts than this leave the public timelines (0: never).
    pub delist_threshold: usize,
    /// Posts addressing more accounts than this are rejected (0: never).
    pub reject_threshold: usize,
}

impl Default for HellthreadConfig {
    fn default() -> Self {
        HellthreadConfig {
            delist_threshold: 10,
            reject_threshold: 20,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RejectNonPublicConfig {
    pub allow_followersonly: bool,
    pub allow_direct: bool,
}

/// Activity and object types; an empty `accept` accepts every type not rejected.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VocabularyConfig {
    pub accept: Vec<String>,
    pub reject: Vec<String>,
}

/// Activities addressing or mentioning these actors (their ActivityPub ids) are rejected.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MentionConfig {
    pub actors: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NewAccountsConfig {
    /// Seconds an account must have existed before its posts are accepted.
    pub age: u64,
}

impl Default for NewAccountsConfig {
    fn default() -> Self {
        NewAccountsConfig { age: 24 * 3600 }
    }
}

/// Custom emoji used by accounts of these servers become this instance's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StealEmojiConfig {
    /// Domains (`*.` wildcards and ports as elsewhere).
    pub hosts: Vec<String>,
    /// Shortcodes never taken: plain or `/regular expression/`.
    pub rejected_shortcodes: Vec<String>,
    /// Largest image taken, in bytes.
    pub size_limit: usize,
}

impl Default for StealEmojiConfig {
    fn default() -> Self {
        StealEmojiConfig {
            hosts: Vec::new(),
            rejected_shortcodes: Vec::new(),
            size_limit: 50_000,
        }
    }
}
