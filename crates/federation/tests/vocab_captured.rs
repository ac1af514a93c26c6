//! The vocabulary parsers over documents captured from real software: GoToSocial, Fedify and
//! bovine (see `tests/data/vocab/README.md`).

mod vocab_common;

use rhizome_federation::vocab::incoming::{
    ActivityKind, ActorKind, AttachmentKind, CollectionKind, ObjectKind, Tag,
};
use rhizome_federation::vocab::{
    PUBLIC, parse_activity, parse_actor, parse_collection, parse_object, public_collection,
};
use vocab_common::{MAX, load, url};

#[test]
fn gotosocial_unlocked_actor() {
    let actor = parse_actor(&load("gotosocial/actors/person_alice_unlocked.json"), MAX).unwrap();
    assert_eq!(actor.id, url("http://gts.test/users/alice"));
    assert_eq!(actor.kind, ActorKind::Person);
    assert_eq!(actor.preferred_username.as_deref(), Some("alice"));
    assert_eq!(actor.name.as_deref(), Some("Alice Fixture :blobfix:"));
    assert!(
        actor
            .summary
            .as_deref()
            .unwrap()
            .contains("#<span>RhizomeFixtures</span>")
    );
    assert_eq!(actor.url, Some(url("http://gts.test/@alice")));
    assert!(
        actor
            .icon_url
            .unwrap()
            .as_str()
            .ends_with("01M8CCSZFTCBGEKEK25AG2DEKF.png")
    );
    assert!(
        actor
            .image_url
            .unwrap()
            .as_str()
            .ends_with("01M8CCSZHQ5DZ2HG7EGBFSFKY6.png")
    );
    assert_eq!(actor.inbox, Some(url("http://gts.test/users/alice/inbox")));
    assert_eq!(
        actor.outbox,
        Some(url("http://gts.test/users/alice/outbox"))
    );
    assert_eq!(
        actor.followers,
        Some(url("http://gts.test/users/alice/followers"))
    );
    assert_eq!(
        actor.following,
        Some(url("http://gts.test/users/alice/following"))
    );
    assert_eq!(
        actor.featured,
        Some(url("http://gts.test/users/alice/collections/featured"))
    );
    // GoToSocial has no shared inbox of its own.
    assert_eq!(actor.shared_inbox, None);
    let key = actor.public_key.unwrap();
    assert_eq!(key.id, url("http://gts.test/users/alice/main-key"));
    assert_eq!(key.owner, Some(url("http://gts.test/users/alice")));
    assert!(key.pem.starts_with("-----BEGIN PUBLIC KEY-----\nMIIBIjAN"));
    assert!(!actor.manually_approves_followers);
    assert_eq!(actor.discoverable, Some(true));
    assert_eq!(actor.indexable, None);
    assert!(!actor.bot);
    assert_eq!(actor.fields.len(), 2);
    assert_eq!(actor.fields[0].name, "Website");
    assert!(
        actor.fields[0]
            .value
            .starts_with("<a href=\"http://gts.test/@alice\"")
    );
    assert_eq!(
        (
            actor.fields[1].name.as_str(),
            actor.fields[1].value.as_str()
        ),
        ("Pronouns", "she/her")
    );
    assert_eq!(
        actor.published.unwrap().to_rfc3339(),
        "2026-11-26T16:59:18+00:00"
    );
    // A single emoji tag, collapsed from an array to an object.
    assert_eq!(actor.emojis.len(), 1);
    assert_eq!(actor.emojis[0].name, ":blobfix:");
    assert_eq!(actor.emojis[0].shortcode(), "blobfix");
    assert_eq!(actor.emojis[0].media_type.as_deref(), Some("image/png"));
    assert!(actor.also_known_as.is_empty());
    assert_eq!(actor.moved_to, None);
}

#[test]
fn gotosocial_locked_actor_and_key_stub() {
    let carol = parse_actor(&load("gotosocial/actors/person_carol_locked.json"), MAX).unwrap();
    assert!(carol.manually_approves_followers);
    assert_eq!(carol.discoverable, Some(false));

    // The unsigned `main-key` document is a stub: no inbox, but the key is all a verifier needs.
    let stub = parse_actor(&load("gotosocial/actors/main-key_alice_unsigned.json"), MAX).unwrap();
    assert_eq!(stub.id, url("http://gts.test/users/alice"));
    assert_eq!(stub.inbox, None);
    assert_eq!(
        stub.public_key.unwrap().id,
        url("http://gts.test/users/alice/main-key")
    );
}

#[test]
fn fedify_and_bovine_actors() {
    let fedify = parse_actor(&load("fedify/actor.json"), MAX).unwrap();
    assert_eq!(fedify.id, url("https://peer.test/users/peer"));
    assert_eq!(fedify.shared_inbox, Some(url("https://peer.test/inbox")));
    assert_eq!(fedify.url, Some(url("https://peer.test/users/peer")));
    assert_eq!(
        fedify.public_key.unwrap().id,
        url("https://peer.test/users/peer#main-key")
    );
    assert_eq!(fedify.assertion_methods.len(), 2);
    assert_eq!(
        fedify.assertion_methods[1].id,
        url("https://peer.test/users/peer#key-2")
    );
    assert!(
        fedify.assertion_methods[1]
            .public_key_multibase
            .starts_with("z6Mk")
    );
    assert_eq!(fedify.following, None);

    let bovine = parse_actor(&load("bovine/actor.json"), MAX).unwrap();
    assert!(
        bovine
            .id
            .as_str()
            .starts_with("https://herd.test/endpoints/")
    );
    assert_eq!(bovine.preferred_username.as_deref(), Some("herdalice"));
    assert!(
        bovine
            .public_key
            .unwrap()
            .id
            .as_str()
            .ends_with("#serverKey")
    );
    assert_eq!(bovine.followers, None);
}

#[test]
fn gotosocial_rich_note_delivery() {
    let create = parse_activity(
        &load("gotosocial/deliveries/05_create_note_public_rich.json"),
        MAX,
    )
    .unwrap();
    assert_eq!(create.kind, ActivityKind::Create);
    assert_eq!(create.actor, url("http://gts.test/users/alice"));
    assert_eq!(
        create.id.as_ref().unwrap().as_str(),
        "http://gts.test/users/alice/statuses/01M8CCTWRJEKZK5A59J5H1T1VN/activity#Create"
    );
    assert_eq!(create.to, vec![public_collection().clone()]);
    assert!(create.is_public());

    let note = create.object.as_ref().unwrap().as_object().unwrap();
    let post = note.post_view().unwrap();
    assert_eq!(post.kind, ObjectKind::Note);
    assert_eq!(post.attributed_to, Some(url("http://gts.test/users/alice")));
    assert_eq!(
        post.url,
        Some(url(
            "http://gts.test/@alice/statuses/01M8CCTWRJEKZK5A59J5H1T1VN"
        ))
    );
    assert_eq!(post.summary.as_deref(), Some("test content warning"));
    assert!(post.sensitive);
    assert!(
        post.content
            .as_deref()
            .unwrap()
            .starts_with("<p>Hello <span class=\"h-card\">")
    );
    assert_eq!(post.language.as_deref(), Some("en"));
    assert_eq!(
        post.cc,
        vec![
            url("http://gts.test/users/alice/followers"),
            url("http://bench.test/users/bench")
        ]
    );
    assert_eq!(post.mentions.len(), 1);
    assert_eq!(post.mentions[0].href, url("http://bench.test/users/bench"));
    assert_eq!(post.mentions[0].name.as_deref(), Some("@bench@bench.test"));
    assert_eq!(post.hashtags.len(), 1);
    assert_eq!(post.hashtags[0].bare_name(), "fixture");
    assert_eq!(
        post.hashtags[0].href,
        Some(url("http://gts.test/tags/fixture"))
    );
    assert_eq!(post.emojis.len(), 1);
    assert_eq!(
        post.emojis[0].id,
        Some(url("http://gts.test/emoji/01M8CCSSM9PST18EHZJ7GDM7RG"))
    );
    // GoToSocial's alt text is in `summary`, there is no width/height.
    let image = &post.attachments[0];
    assert_eq!(image.kind, AttachmentKind::Image);
    assert_eq!(image.media_type.as_deref(), Some("image/png"));
    assert_eq!(
        image.name.as_deref(),
        Some("A small colour gradient, red to blue, used as a test image.")
    );
    assert_eq!(
        image.blurhash.as_deref(),
        Some("LyHLF-2kwzX5mAWYjuf7gKfkfQfj")
    );
    assert_eq!(image.focal_point, Some((-0.5, 0.25)));
    assert_eq!((image.width, image.height), (None, None));
    assert_eq!(post.poll, None);
    assert_eq!(post.quote_url, None);
}

#[test]
fn exact_delivered_bytes_parse_like_the_pretty_copy() {
    // The `.body` is what went over the wire, with Go's `\u003c` escapes.
    let raw = parse_activity(
        &load("gotosocial/deliveries/05_create_note_public_rich.body"),
        MAX,
    )
    .unwrap();
    let pretty = parse_activity(
        &load("gotosocial/deliveries/05_create_note_public_rich.json"),
        MAX,
    )
    .unwrap();
    assert_eq!(raw, pretty);
}

#[test]
fn gotosocial_polls() {
    let single = parse_object(&load("gotosocial/objects/question_poll_oneOf.json"), MAX).unwrap();
    let poll = single.post_view().unwrap().poll.unwrap();
    assert!(!poll.multiple);
    let names: Vec<_> = poll
        .options
        .iter()
        .map(|option| option.name.as_str())
        .collect();
    assert_eq!(names, ["JSON", "TOML", "YAML"]);
    assert!(poll.options.iter().all(|option| option.votes == Some(0)));
    assert_eq!(poll.voters_count, Some(0));
    assert_eq!(
        poll.end_time.unwrap().to_rfc3339(),
        "2026-11-27T17:00:49+00:00"
    );
    assert!(!poll.closed);

    // hide_totals: no counts at all.
    let multiple = parse_object(
        &load("gotosocial/objects/question_poll_anyOf_hide_totals.json"),
        MAX,
    )
    .unwrap();
    assert_eq!(multiple.kind, ObjectKind::Question);
    let poll = multiple.poll.unwrap();
    assert!(poll.multiple);
    assert_eq!(poll.options.len(), 3);
    assert!(poll.options.iter().all(|option| option.votes.is_none()));
    assert_eq!(poll.voters_count, None);
}

#[test]
fn gotosocial_addressing_per_visibility() {
    let public = public_collection().clone();
    let followers = url("http://gts.test/users/alice/followers");
    let bench = url("http://bench.test/users/bench");
    let post = |file: &str| {
        let activity =
            parse_activity(&load(&format!("gotosocial/deliveries/{file}")), MAX).unwrap();
        activity
            .object
            .unwrap()
            .as_object()
            .unwrap()
            .post_view()
            .unwrap()
    };
    let unlisted = post("08_create_note_unlisted.json");
    assert_eq!(
        (unlisted.to, unlisted.cc),
        (vec![followers.clone()], vec![public.clone()])
    );
    let private = post("09_create_note_followers_only.json");
    assert_eq!((private.to, private.cc), (vec![followers.clone()], vec![]));
    assert!(!post("09_create_note_followers_only.json").is_public());
    let direct = post("10_create_note_direct.json");
    assert_eq!((direct.to, direct.cc), (vec![bench.clone()], vec![]));
    let reply = post("11_create_note_reply.json");
    assert_eq!(
        reply.in_reply_to,
        Some(url("http://bench.test/users/bench/statuses/1"))
    );
    let vote = post("27_create_note_poll_vote.json");
    assert!(vote.is_poll_vote());
    assert_eq!(vote.name.as_deref(), Some("coffee"));
    assert_eq!(
        vote.in_reply_to,
        Some(url("http://bench.test/users/bench/statuses/2"))
    );
}

#[test]
fn gotosocial_update_carries_the_edit() {
    let update =
        parse_activity(&load("gotosocial/deliveries/13_update_note_edit.json"), MAX).unwrap();
    assert_eq!(update.kind, ActivityKind::Update);
    let post = update
        .object
        .unwrap()
        .as_object()
        .unwrap()
        .post_view()
        .unwrap();
    assert!(post.updated.is_some());
    assert!(post.content.unwrap().contains("(edited)"));
    assert_eq!(
        post.attachments[0].name.as_deref(),
        Some("A small colour gradient (alt text edited).")
    );
}

#[test]
fn gotosocial_simple_activities() {
    let parse =
        |file: &str| parse_activity(&load(&format!("gotosocial/deliveries/{file}")), MAX).unwrap();
    let bench = url("http://bench.test/users/bench");
    let note = url("http://bench.test/users/bench/statuses/1");

    let accept = parse("02_accept_auto_unlocked.json");
    assert_eq!(accept.kind, ActivityKind::Accept);
    let follow = accept.object.as_ref().unwrap().as_activity().unwrap();
    assert_eq!(follow.kind, ActivityKind::Follow);
    assert_eq!(follow.actor, bench);
    assert_eq!(
        follow.object_id(),
        Some(&url("http://gts.test/users/alice"))
    );

    let delete = parse("15_delete_note.json");
    assert_eq!(delete.kind, ActivityKind::Delete);
    // GoToSocial's Delete names the object by id only, not as a Tombstone.
    assert_eq!(
        delete.object_id(),
        Some(&url(
            "http://gts.test/users/alice/statuses/01M8CCVR9STS3Y5VCHTDZXGKCK"
        ))
    );
    assert!(delete.object.as_ref().unwrap().embedded().is_none());

    let like = parse("16_like.json");
    assert_eq!(
        (like.kind.clone(), like.object_id()),
        (ActivityKind::Like, Some(&note))
    );
    assert_eq!(like.reaction(), None);
    let undo_like = parse("17_undo_like.json");
    let inner = undo_like.object.as_ref().unwrap().as_activity().unwrap();
    assert_eq!(
        (inner.kind.clone(), inner.id.clone()),
        (ActivityKind::Like, like.id.clone())
    );

    let announce = parse("18_announce.json");
    assert_eq!(announce.kind, ActivityKind::Announce);
    assert_eq!(
        announce.cc,
        vec![bench.clone(), public_collection().clone()]
    );
    assert!(announce.published.is_some());
    let undo_announce = parse("19_undo_announce.json");
    assert_eq!(
        undo_announce
            .object
            .as_ref()
            .unwrap()
            .as_activity()
            .unwrap()
            .kind,
        ActivityKind::Announce
    );

    let follow = parse("21_follow.json");
    assert_eq!(
        (follow.kind.clone(), follow.object_id()),
        (ActivityKind::Follow, Some(&bench))
    );
    let unfollow = parse("22_undo_follow.json");
    assert_eq!(unfollow.object.as_ref().unwrap().id(), follow.id.as_ref());

    let block = parse("23_block.json");
    assert_eq!(
        (block.kind.clone(), block.object_id()),
        (ActivityKind::Block, Some(&bench))
    );
    let unblock = parse("24_undo_block.json");
    assert_eq!(
        unblock.object.as_ref().unwrap().as_activity().unwrap().kind,
        ActivityKind::Block
    );
}

#[test]
fn every_gotosocial_delivery_parses() {
    let dir = vocab_common::data_dir().join("gotosocial/deliveries");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let activity = parse_activity(&bytes, MAX)
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        assert!(
            !matches!(activity.kind, ActivityKind::Unknown(_)),
            "{}",
            path.display()
        );
        assert_eq!(activity.actor.host_str(), Some("gts.test"));
        count += 1;
    }
    assert!(count >= 22);
}

#[test]
fn gotosocial_collections() {
    let followers = parse_collection(&load("gotosocial/collections/followers.json"), MAX).unwrap();
    assert_eq!(followers.kind, CollectionKind::OrderedCollection);
    assert_eq!(followers.total_items, Some(2));
    assert_eq!(
        followers.first.as_ref().unwrap().id(),
        Some(&url("http://gts.test/users/alice/followers?limit=40"))
    );
    assert!(followers.items.is_empty());

    let page = parse_collection(
        &load("gotosocial/collections/followers_carol_first_page.json"),
        MAX,
    )
    .unwrap();
    assert_eq!(page.kind, CollectionKind::OrderedCollectionPage);
    assert!(page.kind.is_page());
    assert_eq!(
        page.part_of,
        Some(url("http://gts.test/users/carol/followers"))
    );
    assert!(page.next.as_ref().unwrap().as_str().contains("max_id="));
    assert!(page.prev.as_ref().unwrap().as_str().contains("min_id="));
    let ids: Vec<_> = page.item_ids().map(|id| id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "http://gts.test/users/alice",
            "http://bench.test/users/bench"
        ]
    );

    // Outbox pages hold Create activities whose object is only a URI.
    let outbox =
        parse_collection(&load("gotosocial/collections/outbox_first_page.json"), MAX).unwrap();
    assert_eq!(outbox.items.len(), 4);
    for item in &outbox.items {
        let create = item.as_activity().unwrap();
        assert_eq!(create.kind, ActivityKind::Create);
        assert!(create.object.as_ref().unwrap().embedded().is_none());
    }

    let featured = parse_collection(&load("gotosocial/collections/featured.json"), MAX).unwrap();
    assert_eq!((featured.total_items, featured.items.len()), (Some(0), 0));
    let replies =
        parse_collection(&load("gotosocial/collections/replies_first_page.json"), MAX).unwrap();
    assert_eq!(replies.items.len(), 1);
}

#[test]
fn gotosocial_embedded_replies_collection_is_ignored_but_harmless() {
    let note = parse_object(&load("gotosocial/objects/note_reply_to_remote.json"), MAX).unwrap();
    assert_eq!(note.tag.len(), 1);
    assert!(matches!(note.tag[0], Tag::Mention(_)));
    assert_eq!(note.summary.as_deref(), Some(""));
    // Blank summaries are no content warning.
    assert_eq!(note.post_view().unwrap().summary, None);
}

#[test]
fn fedify_note_and_delivery_with_compacted_public() {
    let note = parse_object(&load("fedify/note.json"), MAX).unwrap();
    let post = note.post_view().unwrap();
    assert_eq!(
        post.to,
        vec![url(PUBLIC), url("http://bench.test/users/bench")]
    );
    assert!(post.is_public());
    assert_eq!(post.cc, vec![url("https://peer.test/users/peer/followers")]);
    assert_eq!(post.mentions[0].href, url("http://bench.test/users/bench"));
    assert_eq!(
        post.published.unwrap().timestamp_subsec_nanos(),
        486_540_484
    );
    assert_eq!(post.language, None);

    let create = parse_activity(&load("fedify/deliveries/create_note.json"), MAX).unwrap();
    assert_eq!(create.kind, ActivityKind::Create);
    assert!(create.is_public());
    assert_eq!(create.object.as_ref().unwrap().as_object().unwrap(), &note);
}

#[test]
fn bovine_delivery_with_empty_cc_and_extra_collections() {
    let create = parse_activity(&load("bovine/deliveries/create_note.json"), MAX).unwrap();
    assert!(create.cc.is_empty());
    assert!(create.is_public());
    let post = create
        .object
        .unwrap()
        .as_object()
        .unwrap()
        .post_view()
        .unwrap();
    assert_eq!(
        post.content.as_deref(),
        Some("<p>Hello @bench@bench.test from bovine-herd</p>")
    );
    assert_eq!(post.url, None);
    assert_eq!(post.published, None);
    assert_eq!(post.mentions.len(), 1);
}
