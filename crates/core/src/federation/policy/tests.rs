//! Each policy with activities as real servers send them (the GoToSocial and Fedify captures
//! and the Mastodon-shaped documents the vocabulary tests use): accepted, rewritten, rejected.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::config::*;
use super::*;

macro_rules! fixture {
    ($path:literal) => {
        parse(include_str!(concat!(
            "../../../../federation/tests/data/vocab/",
            $path
        )))
    };
}

/// Reads JSON, or JSONC whose comments are whole lines.
fn parse(text: &str) -> Value {
    let json: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    serde_json::from_str(&json).expect("fixture is JSON")
}

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

fn gts_rich() -> Value {
    fixture!("gotosocial/deliveries/05_create_note_public_rich.json")
}

fn fedify_create() -> Value {
    fixture!("fedify/deliveries/create_note.json")
}

/// Shortly after the captures were made.
fn capture_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-26T18:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn run_with(config: &MrfConfig, facts: Option<&ActorFacts>, activity: Value) -> Verdict {
    run_at(config, facts, capture_time(), activity)
}

fn run_at(
    config: &MrfConfig,
    facts: Option<&ActorFacts>,
    now: DateTime<Utc>,
    activity: Value,
) -> Verdict {
    let chain = Chain::compile(config).expect("compiles");
    chain.filter(
        &Context {
            direction: Direction::Incoming,
            now,
            local_domain: "rhizome.test",
            actor: facts,
            target_tags: &[],
            dm_refusers: &[],
        },
        activity,
    )
}

fn run(config: &MrfConfig, activity: Value) -> Verdict {
    run_with(config, None, activity)
}

fn only(policies: &[PolicyName]) -> MrfConfig {
    MrfConfig {
        policies: policies.to_vec(),
        ..MrfConfig::default()
    }
}

#[track_caller]
fn accepted(verdict: Verdict) -> (Value, Vec<Rewrite>) {
    match verdict {
        Verdict::Accept { activity, rewrites } => (activity, rewrites),
        Verdict::Reject { policy, reason } => panic!("rejected by {policy}: {reason}"),
    }
}

#[track_caller]
fn unchanged(verdict: Verdict, original: &Value) {
    let (activity, rewrites) = accepted(verdict);
    assert!(rewrites.is_empty(), "rewritten: {rewrites:?}");
    assert_eq!(&activity, original);
}

#[track_caller]
fn rejected(verdict: Verdict) -> (&'static str, String) {
    match verdict {
        Verdict::Reject { policy, reason } => (policy, reason),
        Verdict::Accept { .. } => panic!("accepted"),
    }
}

fn addressing(value: &Value, key: &str) -> Vec<String> {
    match value.get(key) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn simple(edit: impl FnOnce(&mut SimpleConfig)) -> MrfConfig {
    let mut config = only(&[PolicyName::Simple]);
    edit(&mut config.simple);
    config
}

#[test]
fn domains_match_exactly_by_wildcard_and_by_port() {
    assert!(domain_matches("spam.example", "spam.example"));
    assert!(domain_matches("spam.example", "SPAM.example:443"));
    assert!(!domain_matches("spam.example", "a.spam.example"));
    assert!(domain_matches("*.spam.example", "a.b.spam.example"));
    assert!(domain_matches("*.spam.example", "spam.example"));
    assert!(!domain_matches("*.spam.example", "notspam.example"));
    assert!(domain_matches("127.0.0.1:8081", "127.0.0.1:8081"));
    assert!(!domain_matches("127.0.0.1:8081", "127.0.0.1:8082"));
}

#[test]
fn simple_reject_drops_all_but_deletes() {
    let config = simple(|s| s.reject = vec![DomainEntry::new("*.test", "spam")]);
    let (policy, reason) = rejected(run(&config, gts_rich()));
    assert_eq!(policy, "simple");
    assert!(reason.contains("gts.test is rejected (spam)"), "{reason}");
    rejected(run(
        &config,
        fixture!("gotosocial/deliveries/21_follow.json"),
    ));
    let delete = fixture!("gotosocial/deliveries/15_delete_note.json");
    unchanged(run(&config, delete.clone()), &delete);
    // Another server is not affected, and the wildcard does not reach other names.
    let config = simple(|s| s.reject = vec![DomainEntry::new("*.gts.test", "")]);
    let fedify = fedify_create();
    unchanged(run(&config, fedify.clone()), &fedify);
    rejected(run(&config, gts_rich()));
}

#[test]
fn simple_accept_is_an_allow_list() {
    let config = simple(|s| s.accept = vec![DomainEntry::new("peer.test", "")]);
    let fedify = fedify_create();
    unchanged(run(&config, fedify.clone()), &fedify);
    let (_, reason) = rejected(run(&config, gts_rich()));
    assert!(reason.contains("not on the accept list"), "{reason}");
    let chain = Chain::compile(&config).unwrap();
    assert!(chain.simple().refusal("gts.test", "rhizome.test").is_some());
    assert!(
        chain
            .simple()
            .refusal("rhizome.test", "rhizome.test")
            .is_none()
    );
}

#[test]
fn simple_reject_and_accept_cover_whole_threads() {
    // GoToSocial's reply and boost both concern a post on bench.test.
    let reply = fixture!("gotosocial/deliveries/11_create_note_reply.json");
    let boost = fixture!("gotosocial/deliveries/18_announce.json");
    let config = simple(|s| s.reject = vec![DomainEntry::new("bench.test", "")]);
    let (_, reason) = rejected(run(&config, reply.clone()));
    assert!(reason.contains("thread"), "{reason}");
    rejected(run(&config, boost.clone()));
    let config = simple(|s| s.accept = vec![DomainEntry::new("gts.test", "")]);
    rejected(run(&config, reply.clone()));
    let config = simple(|s| {
        s.accept = vec![
            DomainEntry::new("gts.test", ""),
            DomainEntry::new("bench.test", ""),
        ]
    });
    unchanged(run(&config, reply.clone()), &reply);
}

#[test]
fn simple_media_removal_and_media_nsfw() {
    let config = simple(|s| s.media_removal = vec![DomainEntry::new("gts.test", "")]);
    let (activity, rewrites) = accepted(run(&config, gts_rich()));
    assert!(activity["object"].get("attachment").is_none());
    assert_eq!(rewrites[0].change, "media removed");
    // The capture is already marked sensitive; as if it were not.
    let mut plain = gts_rich();
    plain["object"]["sensitive"] = json!(false);
    let config = simple(|s| s.media_nsfw = vec![DomainEntry::new("gts.test", "")]);
    let (activity, _) = accepted(run(&config, plain));
    assert_eq!(activity["object"]["sensitive"], json!(true));
    assert_eq!(
        activity["object"]["attachment"].as_array().unwrap().len(),
        1
    );
    // Without media there is nothing to do.
    let text = fedify_create();
    let config = simple(|s| s.media_nsfw = vec![DomainEntry::new("peer.test", "")]);
    unchanged(run(&config, text.clone()), &text);
}

#[test]
fn simple_federated_timeline_removal_and_followers_only() {
    let config = simple(|s| s.federated_timeline_removal = vec![DomainEntry::new("gts.test", "")]);
    let (activity, _) = accepted(run(&config, gts_rich()));
    for value in [&activity, &activity["object"]] {
        assert!(!addressing(value, "to").contains(&PUBLIC.to_owned()));
        assert!(addressing(value, "cc").contains(&PUBLIC.to_owned()));
    }
    let config = simple(|s| s.followers_only = vec![DomainEntry::new("peer.test", "")]);
    let (activity, rewrites) = accepted(run(&config, fedify_create()));
    assert_eq!(rewrites[0].change, "made followers-only");
    let object = &activity["object"];
    let all: Vec<String> = [addressing(object, "to"), addressing(object, "cc")].concat();
    assert!(!all.iter().any(|a| a == "as:Public"));
    // Fedify already copies the followers; the mention stays.
    assert!(all.contains(&"https://peer.test/users/peer/followers".to_owned()));
    assert!(all.contains(&"http://bench.test/users/bench".to_owned()));
    // A post addressed to the public only gets the followers collection instead.
    let mut public_only = gts_rich();
    public_only["object"]["cc"] = json!([]);
    let config = simple(|s| s.followers_only = vec![DomainEntry::new("gts.test", "")]);
    let (activity, _) = accepted(run(&config, public_only));
    assert_eq!(
        addressing(&activity["object"], "to"),
        ["http://gts.test/users/alice/followers"]
    );
}

#[test]
fn simple_report_removal_and_reject_deletes() {
    let flag = fixture!("mastodon/flag.jsonc");
    let config = simple(|s| s.report_removal = vec![DomainEntry::new("mastodon.example", "")]);
    rejected(run(&config, flag.clone()));
    unchanged(run(&simple(|_| {}), flag.clone()), &flag);
    let delete = fixture!("gotosocial/deliveries/15_delete_note.json");
    let config = simple(|s| s.reject_deletes = vec![DomainEntry::new("gts.test", "")]);
    rejected(run(&config, delete));
    let create = gts_rich();
    unchanged(run(&config, create.clone()), &create);
}

#[test]
fn simple_avatar_and_banner_removal_on_actor_documents() {
    let actor = fixture!("gotosocial/actors/person_alice_unlocked.json");
    assert!(actor.get("icon").is_some() && actor.get("image").is_some());
    let update = json!({ "type": "Update", "actor": actor["id"], "object": actor });
    let config = simple(|s| s.avatar_removal = vec![DomainEntry::new("gts.test", "")]);
    let (activity, _) = accepted(run(&config, update.clone()));
    assert!(activity["object"].get("icon").is_none());
    assert!(activity["object"].get("image").is_some());
    let config = simple(|s| s.banner_removal = vec![DomainEntry::new("gts.test", "")]);
    let (activity, _) = accepted(run(&config, update));
    assert!(activity["object"].get("icon").is_some());
    assert!(activity["object"].get("image").is_none());
}

#[test]
fn keyword_reject_delist_and_replace() {
    let mut config = only(&[PolicyName::Keyword]);
    config.keyword.reject = vec!["fixture HASHTAG".into()];
    let (policy, _) = rejected(run(&config, gts_rich()));
    assert_eq!(policy, "keyword");
    // Regular expressions, and text in attributes (links) does not count.
    config.keyword.reject = vec!["/hel+o\\s+@?bench/i".into()];
    rejected(run(&config, gts_rich()));
    config.keyword.reject = vec!["/tags/fixture/".into()];
    let rich = gts_rich();
    unchanged(run(&config, rich.clone()), &rich);

    let mut config = only(&[PolicyName::Keyword]);
    config.keyword.federated_timeline_removal = vec!["custom emoji".into()];
    let (activity, _) = accepted(run(&config, gts_rich()));
    assert!(addressing(&activity, "cc").contains(&PUBLIC.to_owned()));

    let mut config = only(&[PolicyName::Keyword]);
    config.keyword.replace = vec![Replacement {
        pattern: "hashtag".into(),
        replacement: "tag".into(),
    }];
    let (activity, rewrites) = accepted(run(&config, gts_rich()));
    assert_eq!(rewrites[0].change, "keywords replaced");
    let content = activity["object"]["content"].as_str().unwrap();
    assert!(
        content.contains("a <a href=\"http://gts.test/tags/fixture\" class=\"mention hashtag\"")
    );
    assert!(content.contains("</a> tag, a :blobfix:"), "{content}");
    let map = activity["object"]["contentMap"]["en"].as_str().unwrap();
    assert_eq!(map, content);
}

#[test]
fn keyword_patterns_are_checked_and_bounded() {
    let mut config = only(&[PolicyName::Keyword]);
    config.keyword.reject = vec!["/(unclosed/".into()];
    assert!(matches!(
        Chain::compile(&config),
        Err(PolicyError::Pattern { .. })
    ));
    config.keyword.reject = vec!["x".repeat(1001)];
    assert!(matches!(
        Chain::compile(&config),
        Err(PolicyError::Pattern { .. })
    ));
    // A pattern that compiles to an enormous program is refused, not run.
    config.keyword.reject = vec!["/\\w{1000}\\w{1000}\\w{1000}/".into()];
    assert!(matches!(
        Chain::compile(&config),
        Err(PolicyError::Pattern { .. })
    ));
    config.keyword.reject = vec!["a".into(); MAX_PATTERNS + 1];
    assert!(matches!(
        Chain::compile(&config),
        Err(PolicyError::TooManyPatterns { .. })
    ));
}

#[test]
fn hashtag_reject_delist_and_sensitive() {
    let mut config = only(&[PolicyName::Hashtag]);
    config.hashtag.reject = vec!["#Fixture".into()];
    let (_, reason) = rejected(run(&config, gts_rich()));
    assert_eq!(reason, "has the hashtag #fixture");

    let mut config = only(&[PolicyName::Hashtag]);
    config.hashtag.federated_timeline_removal = vec!["fixture".into()];
    let (activity, _) = accepted(run(&config, gts_rich()));
    assert!(!addressing(&activity["object"], "to").contains(&PUBLIC.to_owned()));

    // #nsfw is sensitive by default.
    let mut nsfw = gts_rich();
    nsfw["object"]["sensitive"] = json!(false);
    nsfw["object"]["tag"][2]["name"] = json!("#NSFW");
    let (activity, rewrites) = accepted(run(&MrfConfig::default(), nsfw));
    assert_eq!(activity["object"]["sensitive"], json!(true));
    assert_eq!(rewrites[0].policy, "hashtag");
    let other = fedify_create();
    unchanged(run(&MrfConfig::default(), other.clone()), &other);
}

#[test]
fn object_age_delists_strips_followers_or_rejects() {
    let config = only(&[PolicyName::ObjectAge]);
    let later = capture_time() + Duration::days(8);
    let facts = ActorFacts {
        followers_url: Some("http://gts.test/users/alice/followers".into()),
        ..ActorFacts::default()
    };
    let (activity, rewrites) = accepted(run_at(&config, Some(&facts), later, gts_rich()));
    assert_eq!(rewrites.len(), 2);
    let object = &activity["object"];
    assert!(!addressing(object, "to").contains(&PUBLIC.to_owned()));
    assert!(
        !addressing(object, "cc")
            .iter()
            .any(|a| a.ends_with("/followers"))
    );
    assert!(addressing(object, "cc").contains(&"http://bench.test/users/bench".to_owned()));
    // Fresh posts pass.
    let rich = gts_rich();
    unchanged(run(&config, rich.clone()), &rich);
    let mut config = only(&[PolicyName::ObjectAge]);
    config.object_age.actions = vec![AgeAction::Reject];
    rejected(run_at(&config, None, later, gts_rich()));
}

fn mentioning(count: usize) -> Value {
    let mut create = fedify_create();
    let to: Vec<String> = (0..count)
        .map(|i| format!("https://many{i}.example/users/u"))
        .chain(["as:Public".to_owned()])
        .collect();
    create["object"]["to"] = json!(to);
    create["to"] = json!(to);
    create
}

#[test]
fn hellthread_delists_and_rejects_above_thresholds() {
    let config = only(&[PolicyName::Hellthread]);
    let few = mentioning(10);
    unchanged(run(&config, few.clone()), &few);
    let (activity, _) = accepted(run(&config, mentioning(11)));
    assert!(!addressing(&activity, "to").iter().any(|a| a == "as:Public"));
    let (_, reason) = rejected(run(&config, mentioning(21)));
    assert!(reason.contains("21 accounts"), "{reason}");
}

#[test]
fn reject_non_public_by_visibility() {
    let followers = fixture!("gotosocial/deliveries/09_create_note_followers_only.json");
    let direct = fixture!("gotosocial/deliveries/10_create_note_direct.json");
    let public = gts_rich();
    let mut config = only(&[PolicyName::RejectNonPublic]);
    rejected(run(&config, followers.clone()));
    rejected(run(&config, direct.clone()));
    unchanged(run(&config, public.clone()), &public);
    config.reject_non_public.allow_followersonly = true;
    unchanged(run(&config, followers.clone()), &followers);
    rejected(run(&config, direct.clone()));
    config.reject_non_public.allow_direct = true;
    unchanged(run(&config, direct.clone()), &direct);
}

#[test]
fn vocabulary_accepts_and_rejects_types() {
    let like = fixture!("gotosocial/deliveries/16_like.json");
    let poll = fixture!("gotosocial/deliveries/06_create_question_poll.json");
    let mut config = only(&[PolicyName::Vocabulary]);
    config.vocabulary.reject = vec!["Like".into()];
    rejected(run(&config, like.clone()));
    unchanged(run(&config, poll.clone()), &poll);
    config.vocabulary.reject = Vec::new();
    config.vocabulary.accept = vec!["Create".into(), "Note".into()];
    let (_, reason) = rejected(run(&config, poll));
    assert_eq!(reason, "the type Question is not accepted");
    let note = gts_rich();
    unchanged(run(&config, note.clone()), &note);
}

#[test]
fn mention_policy_rejects_what_addresses_listed_actors() {
    let mut config = only(&[PolicyName::Mention]);
    config.mention.actors = vec!["http://bench.test/users/bench".into()];
    rejected(run(&config, fedify_create()));
    config.mention.actors = vec!["http://bench.test/users/other".into()];
    let create = fedify_create();
    unchanged(run(&config, create.clone()), &create);
}

#[test]
fn newly_created_accounts_and_link_spam() {
    let config = only(&[PolicyName::RejectNewlyCreatedAccounts]);
    let young = ActorFacts {
        created_at: Some(capture_time() - Duration::hours(2)),
        ..ActorFacts::default()
    };
    let old = ActorFacts {
        created_at: Some(capture_time() - Duration::days(30)),
        ..ActorFacts::default()
    };
    rejected(run_with(&config, Some(&young), fedify_create()));
    let create = fedify_create();
    unchanged(run_with(&config, Some(&old), create.clone()), &create);

    // Fedify's note links to @bench.
    let config = only(&[PolicyName::AntiLinkSpam]);
    let (_, reason) = rejected(run_with(&config, Some(&old), fedify_create()));
    assert!(reason.contains("no posts and no followers"));
    let known = ActorFacts {
        followers_count: 1,
        ..ActorFacts::default()
    };
    unchanged(run_with(&config, Some(&known), create.clone()), &create);
}

#[test]
fn placeholder_text_and_markup() {
    let mut dot = gts_rich();
    dot["object"]["content"] = json!("<p>.</p>");
    let config = only(&[PolicyName::NoPlaceholderText]);
    let (activity, _) = accepted(run(&config, dot));
    assert_eq!(activity["object"]["content"], json!(""));
    assert_eq!(activity["object"]["contentMap"]["en"], json!(""));
    let rich = gts_rich();
    unchanged(run(&config, rich.clone()), &rich);

    let mut dirty = fedify_create();
    dirty["object"]["content"] = json!("<p onclick=\"x()\">Hi<script>alert(1)</script></p>");
    let config = only(&[PolicyName::NormalizeMarkup]);
    let (activity, _) = accepted(run(&config, dirty));
    assert_eq!(activity["object"]["content"], json!("<p>Hi</p>"));
}

#[test]
fn policies_run_in_order_and_the_first_rejection_ends_the_chain() {
    let mut config = only(&[PolicyName::Hashtag, PolicyName::Keyword]);
    config.hashtag.federated_timeline_removal = vec!["fixture".into()];
    config.keyword.reject = vec!["custom emoji".into()];
    let (policy, _) = rejected(run(&config, gts_rich()));
    assert_eq!(policy, "keyword");
    config.keyword.reject = Vec::new();
    config.simple.media_removal = vec![DomainEntry::new("gts.test", "")];
    let (_, rewrites) = accepted(run(&config, gts_rich()));
    let policies: Vec<&str> = rewrites.iter().map(|r| r.policy).collect();
    // Simple always runs, first unless placed.
    assert_eq!(policies, vec!["simple", "hashtag"]);
}

#[test]
fn outgoing_activities_meet_only_the_vocabulary() {
    let mut config = only(&[PolicyName::Keyword, PolicyName::Vocabulary]);
    config.keyword.reject = vec!["fixture".into()];
    config.vocabulary.reject = vec!["Like".into()];
    let chain = Chain::compile(&config).unwrap();
    let ctx = Context {
        direction: Direction::Outgoing,
        now: capture_time(),
        local_domain: "gts.test",
        actor: None,
        target_tags: &[],
        dm_refusers: &[],
    };
    assert!(!chain.filter(&ctx, gts_rich()).is_reject());
    assert!(
        chain
            .filter(&ctx, fixture!("gotosocial/deliveries/16_like.json"))
            .is_reject()
    );
}

#[test]
fn domain_blocks_fill_the_simple_lists() {
    let block = |domain: &str, severity: &str, media: bool, reports: bool| DomainBlock {
        id: Id(1),
        domain: domain.into(),
        severity: severity.into(),
        reject_media: media,
        reject_reports: reports,
        obfuscate: false,
        public_comment: format!("{domain} reason"),
        private_comment: String::new(),
        created_at: rhizome_model::Timestamp(0),
    };
    let mut config = MrfConfig::default();
    merge_domain_lists(
        &mut config,
        &[
            block("a.example", "suspend", true, true),
            block("b.example", "silence", false, true),
            block("c.example", "noop", true, false),
        ],
        &[DomainAllow {
            id: Id(2),
            domain: "d.example".into(),
            created_at: rhizome_model::Timestamp(0),
        }],
    );
    let domains = |list: &[DomainEntry]| list.iter().map(|e| e.domain.clone()).collect::<Vec<_>>();
    assert_eq!(domains(&config.simple.reject), ["a.example"]);
    assert_eq!(config.simple.reject[0].reason, "a.example reason");
    assert_eq!(
        domains(&config.simple.federated_timeline_removal),
        ["b.example"]
    );
    assert_eq!(domains(&config.simple.report_removal), ["b.example"]);
    assert_eq!(domains(&config.simple.media_removal), ["c.example"]);
    assert_eq!(domains(&config.simple.accept), ["d.example"]);
}

#[test]
fn obfuscation_hides_the_middle_and_keeps_dots() {
    assert_eq!(obfuscate_domain("spam.example"), "spam.****ple");
    assert_eq!(obfuscate_domain("a.b"), "a.*");
    assert_eq!(
        obfuscate_domain("badplace.social").len(),
        "badplace.social".len()
    );
}

#[test]
fn the_configuration_reads_from_toml_with_akkoma_names() {
    let config: MrfConfig = toml::from_str(
        r#"
        policies = ["SimplePolicy", "keyword", "object_age"]
        transparency_exclusions = [{ domain = "hidden.example", reason = "private" }]
        [simple]
        reject = ["spam.example", { domain = "*.bad.example", reason = "abuse" }]
        [keyword]
        reject = ["/casino/i"]
        [object_age]
        threshold = 3600
        actions = ["reject"]
        "#,
    )
    .unwrap();
    assert_eq!(
        config.policies,
        [
            PolicyName::Simple,
            PolicyName::Keyword,
            PolicyName::ObjectAge
        ]
    );
    assert_eq!(
        config.simple.reject[1],
        DomainEntry::new("*.bad.example", "abuse")
    );
    assert_eq!(config.hashtag.sensitive, ["nsfw"]);
    assert!(Chain::compile(&config).is_ok());
    // Stored as JSON and read back the same.
    let text = serde_json::to_string(&config).unwrap();
    assert_eq!(serde_json::from_str::<MrfConfig>(&text).unwrap(), config);
    assert!(toml::from_str::<MrfConfig>("unknown = 1").is_err());
}

#[test]
fn tag_policy_applies_moderators_tags() {
    let config = only(&[PolicyName::Tag]);
    let tagged = |tags: &[&str]| ActorFacts {
        followers_url: Some("http://gts.test/users/alice/followers".into()),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        ..ActorFacts::default()
    };
    let untagged = tagged(&[]);
    let rich = gts_rich();
    unchanged(run_with(&config, Some(&untagged), rich.clone()), &rich);

    let strip = tagged(&[TAG_STRIP_MEDIA]);
    let (activity, _) = accepted(run_with(&config, Some(&strip), gts_rich()));
    assert!(activity["object"].get("attachment").is_none());

    let mut plain = gts_rich();
    plain["object"]["sensitive"] = json!(false);
    let nsfw = tagged(&[TAG_FORCE_NSFW]);
    let (activity, _) = accepted(run_with(&config, Some(&nsfw), plain));
    assert_eq!(activity["object"]["sensitive"], json!(true));

    let unlisted = tagged(&[TAG_FORCE_UNLISTED]);
    let (activity, _) = accepted(run_with(&config, Some(&unlisted), gts_rich()));
    assert!(addressing(&activity["object"], "cc").contains(&PUBLIC.to_owned()));
    assert!(!addressing(&activity["object"], "to").contains(&PUBLIC.to_owned()));

    let sandbox = tagged(&[TAG_SANDBOX]);
    let (activity, _) = accepted(run_with(&config, Some(&sandbox), gts_rich()));
    let object = &activity["object"];
    let all: Vec<String> = [addressing(object, "to"), addressing(object, "cc")].concat();
    assert!(!all.contains(&PUBLIC.to_owned()));
    assert!(all.contains(&"http://gts.test/users/alice/followers".to_owned()));

    // Follows of a local account that takes no remote followers are refused.
    let follow = fixture!("gotosocial/deliveries/21_follow.json");
    let chain = Chain::compile(&config).unwrap();
    let closed = [TAG_NO_REMOTE_SUBSCRIPTION.to_owned()];
    for (tags, refused) in [(&[][..], false), (&closed[..], true)] {
        let ctx = Context {
            direction: Direction::Incoming,
            now: capture_time(),
            local_domain: "bench.test",
            actor: None,
            target_tags: tags,
            dm_refusers: &[],
        };
        assert_eq!(chain.filter(&ctx, follow.clone()).is_reject(), refused);
    }
}

#[test]
fn steal_emoji_names_the_emoji_of_listed_hosts() {
    let mut config = only(&[PolicyName::StealEmoji]);
    let chain = Chain::compile(&config).unwrap();
    assert!(chain.emoji_to_steal(&gts_rich()).is_empty());
    config.steal_emoji.hosts = vec!["gts.test".into()];
    let chain = Chain::compile(&config).unwrap();
    assert_eq!(
        chain.emoji_to_steal(&gts_rich()),
        [(
            "blobfix".to_owned(),
            "http://gts.test/fileserver/020Y7WAXK5BGE5SHY6V2X7ZCT7/emoji/original/01M8CCSSM9PST18EHZJ7GDM7RG.png"
                .to_owned()
        )]
    );
    // Stealing changes nothing in the activity itself.
    let rich = gts_rich();
    unchanged(run(&config, rich.clone()), &rich);
    config.steal_emoji.rejected_shortcodes = vec!["/^blob/".into()];
    assert!(
        Chain::compile(&config)
            .unwrap()
            .emoji_to_steal(&gts_rich())
            .is_empty()
    );
    config.steal_emoji.rejected_shortcodes = vec!["blob".into()];
    assert_eq!(
        Chain::compile(&config)
            .unwrap()
            .emoji_to_steal(&gts_rich())
            .len(),
        1
    );
    // An image on another server is not fetched on this one's word.
    let mut elsewhere = gts_rich();
    elsewhere["object"]["tag"][1]["icon"]["url"] = json!("http://tracker.example/e.png");
    assert!(
        Chain::compile(&config)
            .unwrap()
            .emoji_to_steal(&elsewhere)
            .is_empty()
    );
}

#[test]
fn direct_messages_lose_the_addressees_who_refuse_them() {
    let config = only(&[PolicyName::DirectMessageDisabled]);
    let chain = Chain::compile(&config).unwrap();
    let run_dm = |refusers: &[String], activity: Value| {
        chain.filter(
            &Context {
                direction: Direction::Incoming,
                now: capture_time(),
                local_domain: "bench.test",
                actor: None,
                target_tags: &[],
                dm_refusers: refusers,
            },
            activity,
        )
    };
    let dm = fixture!("gotosocial/deliveries/10_create_note_direct.json");
    assert!(chain::is_direct(&dm, None));
    assert!(!chain::is_direct(&gts_rich(), None));
    assert!(!chain::is_direct(
        &fixture!("gotosocial/deliveries/09_create_note_followers_only.json"),
        None
    ));
    unchanged(run_dm(&[], dm.clone()), &dm);
    let bench = ["http://bench.test/users/bench".to_owned()];
    let (_, reason) = rejected(run_dm(&bench, dm.clone()));
    assert!(reason.contains("refuses direct messages"), "{reason}");
    // With another addressee, only the one who refuses is taken off, mention included.
    let mut two = dm.clone();
    two["object"]["to"] = json!([
        "http://bench.test/users/bench",
        "http://bench.test/users/other"
    ]);
    let (activity, _) = accepted(run_dm(&bench, two));
    assert_eq!(
        addressing(&activity["object"], "to"),
        ["http://bench.test/users/other"]
    );
    let mentions = activity["object"]["tag"].to_string();
    assert!(
        !mentions.contains("http://bench.test/users/bench"),
        "{mentions}"
    );
}

#[test]
fn unmerging_leaves_the_domain_lists_to_the_blocks() {
    let block = |domain: &str, severity: &str, reject_media: bool| DomainBlock {
        id: rhizome_model::Id(1),
        domain: domain.into(),
        severity: severity.into(),
        reject_media,
        reject_reports: false,
        obfuscate: false,
        public_comment: "bad".into(),
        private_comment: String::new(),
        created_at: rhizome_model::Timestamp(0),
    };
    let blocks = [
        block("spam.example", "suspend", false),
        block("loud.example", "silence", true),
    ];
    let allows = [DomainAllow {
        id: rhizome_model::Id(2),
        domain: "friends.example".into(),
        created_at: rhizome_model::Timestamp(0),
    }];
    // The configuration names spam.example too, for the same reason.
    let configured = simple(|s| {
        s.reject = vec![
            DomainEntry::new("spam.example", "bad"),
            DomainEntry::new("mine.example", ""),
        ]
    });
    let mut effective = configured.clone();
    merge_domain_lists(&mut effective, &blocks, &allows);
    assert_eq!(effective.simple.reject.len(), 3);
    assert_eq!(effective.simple.media_removal.len(), 1);
    assert_eq!(effective.simple.accept.len(), 1);

    // Unchanged, it goes back to what was configured.
    let mut round_trip = effective.clone();
    unmerge_domain_lists(&mut round_trip, &blocks, &allows);
    assert_eq!(round_trip, configured);

    // An added entry stays; a block's entry taken out changes nothing stored.
    let mut edited = effective.clone();
    edited
        .simple
        .reject
        .push(DomainEntry::new("new.example", "also bad"));
    edited.simple.federated_timeline_removal.clear();
    unmerge_domain_lists(&mut edited, &blocks, &allows);
    assert_eq!(
        edited.simple.reject,
        [
            DomainEntry::new("spam.example", "bad"),
            DomainEntry::new("mine.example", ""),
            DomainEntry::new("new.example", "also bad"),
        ]
    );
    assert!(edited.simple.federated_timeline_removal.is_empty());
    assert!(edited.simple.media_removal.is_empty());
    assert!(edited.simple.accept.is_empty());
}
