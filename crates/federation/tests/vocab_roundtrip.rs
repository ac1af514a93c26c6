//! Outgoing documents serialize to the shape other servers expect, and Rhizome's own parser
//! reads them back to the same values.

mod vocab_common;

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use rhizome_federation::vocab::incoming::{self, ActivityKind, ActorKind, ObjectKind};
use rhizome_federation::vocab::outgoing::{
    Activity, ActivityType, Actor, ActorType, Document, Emoji, Endpoints, Image, Note,
    OrderedCollection, OrderedCollectionPage, PageRef, PropertyValue, PublicKey, QuoteOf, Source,
    Tag, Tombstone,
};
use rhizome_federation::vocab::{
    PUBLIC, parse_activity, parse_actor, parse_collection, parse_object, public_collection,
    with_context,
};
use serde_json::Value;
use url::Url;
use vocab_common::{MAX, url};

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 + seconds, 0).unwrap()
}

fn bytes<T: serde::Serialize>(document: &T) -> Vec<u8> {
    serde_json::to_vec(&with_context(document)).unwrap()
}

/// Fails on any `null` anywhere in the document: several servers refuse them.
fn assert_no_nulls(value: &Value) {
    match value {
        Value::Null => panic!("a null was serialized"),
        Value::Array(items) => items.iter().for_each(assert_no_nulls),
        Value::Object(map) => map.values().for_each(assert_no_nulls),
        _ => {}
    }
}

const ALICE: &str = "https://rhizome.example/users/alice";

fn emoji() -> Emoji {
    Emoji {
        id: url("https://rhizome.example/emojis/1"),
        name: ":rhizome:".into(),
        icon: Image {
            media_type: Some("image/png".into()),
            url: url("https://rhizome.example/media/emoji/rhizome.png"),
        },
        updated: Some(at(5)),
    }
}

fn actor() -> Actor {
    let mut actor = Actor::new(
        ActorType::Person,
        url(ALICE),
        "alice",
        url(&format!("{ALICE}/inbox")),
        url(&format!("{ALICE}/outbox")),
        PublicKey {
            id: url(&format!("{ALICE}#main-key")),
            owner: url(ALICE),
            public_key_pem: "-----BEGIN PUBLIC KEY-----\nMII\n-----END PUBLIC KEY-----\n".into(),
        },
    );
    actor.name = Some("Alice :rhizome:".into());
    actor.summary = Some("<p>bio</p>".into());
    actor.url = Some(url("https://rhizome.example/@alice"));
    actor.icon = Some(Image {
        media_type: Some("image/webp".into()),
        url: url("https://rhizome.example/media/avatar.webp"),
    });
    actor.image = Some(Image {
        media_type: None,
        url: url("https://rhizome.example/media/header.jpg"),
    });
    actor.followers = Some(url(&format!("{ALICE}/followers")));
    actor.following = Some(url(&format!("{ALICE}/following")));
    actor.featured = Some(url(&format!("{ALICE}/collections/featured")));
    actor.endpoints = Some(Endpoints {
        shared_inbox: url("https://rhizome.example/inbox"),
    });
    actor.manually_approves_followers = true;
    actor.discoverable = true;
    actor.indexable = true;
    actor.attachment = vec![PropertyValue {
        name: "Site".into(),
        value: "<a href=\"https://alice.example\">alice.example</a>".into(),
    }];
    actor.also_known_as = vec![url("https://old.example/users/alice")];
    actor.moved_to = Some(url("https://new.example/users/alice"));
    actor.published = Some(at(0));
    actor.tag = vec![Tag::Emoji(emoji())];
    actor
}

fn note() -> Note {
    let id = url(&format!("{ALICE}/statuses/1"));
    let mut note = Note::new(id.clone(), url(ALICE), "<p>Hello <b>world</b></p>", at(10));
    note.url = Some(url("https://rhizome.example/@alice/1"));
    note.to = vec![public_collection().clone()];
    note.cc = vec![
        url(&format!("{ALICE}/followers")),
        url("https://social.example/users/bob"),
    ];
    note.in_reply_to = Some(url("https://social.example/users/bob/statuses/9"));
    note.context = Some(url("https://rhizome.example/contexts/7"));
    note.conversation = Some("https://rhizome.example/contexts/7".into());
    note.updated = Some(at(20));
    note.sensitive = true;
    note.summary = Some("cw".into());
    note.content_map = BTreeMap::from([("en".into(), "<p>Hello <b>world</b></p>".into())]);
    note.source = Some(Source {
        content: "Hello **world**".into(),
        media_type: "text/markdown".into(),
    });
    note.tag = vec![
        Tag::Mention {
            href: url("https://social.example/users/bob"),
            name: "@bob@social.example".into(),
        },
        Tag::Hashtag {
            href: url("https://rhizome.example/tags/rust"),
            name: "#rust".into(),
        },
        Tag::Emoji(emoji()),
    ];
    note.attachment = vec![Document {
        media_type: "image/jpeg".into(),
        url: url("https://rhizome.example/media/1.jpg"),
        name: Some("alt text".into()),
        blurhash: Some("LEHV6nWB2yk8pyo0adR*.7kCMdnj".into()),
        width: Some(640),
        height: Some(480),
        focal_point: Some([0.5, -0.25]),
    }];
    let replies = format!("{id}/replies");
    note.replies = Some(OrderedCollection {
        id: url(&replies),
        total_items: Some(0),
        first: Some(PageRef::Page(Box::new(OrderedCollectionPage::new(
            url(&format!("{replies}?page=1")),
            url(&replies),
            Vec::<Url>::new(),
        )))),
        last: None,
        ordered_items: None,
    });
    note.quote = QuoteOf(Some(url("https://social.example/users/bob/statuses/3")));
    note
}

#[test]
fn actor_round_trips() {
    let sent = actor();
    let json = bytes(&sent);
    let value: Value = serde_json::from_slice(&json).unwrap();
    assert_no_nulls(&value);
    assert_eq!(
        value["@context"][0],
        "https://www.w3.org/ns/activitystreams"
    );
    assert_eq!(value["@context"][1], "https://w3id.org/security/v1");
    assert_eq!(value["@context"][2]["featured"]["@type"], "@id");
    assert_eq!(value["type"], "Person");
    assert_eq!(value["attachment"][0]["type"], "PropertyValue");
    assert_eq!(value["tag"][0]["type"], "Emoji");
    assert_eq!(value["icon"]["type"], "Image");
    assert_eq!(value["published"], "2023-11-14T22:13:20Z");

    let got = parse_actor(&json, MAX).unwrap();
    assert_eq!(got.id, sent.id);
    assert_eq!(got.kind, ActorKind::Person);
    assert_eq!(got.preferred_username.as_deref(), Some("alice"));
    assert_eq!(got.name, sent.name);
    assert_eq!(got.summary, sent.summary);
    assert_eq!(got.url, sent.url);
    assert_eq!(
        got.icon_url.as_ref(),
        sent.icon.as_ref().map(|icon| &icon.url)
    );
    assert_eq!(
        got.image_url.as_ref(),
        sent.image.as_ref().map(|image| &image.url)
    );
    assert_eq!(got.inbox.as_ref(), Some(&sent.inbox));
    assert_eq!(got.outbox.as_ref(), Some(&sent.outbox));
    assert_eq!(got.followers, sent.followers);
    assert_eq!(got.following, sent.following);
    assert_eq!(got.featured, sent.featured);
    assert_eq!(got.shared_inbox, sent.endpoints.map(|e| e.shared_inbox));
    let key = got.public_key.unwrap();
    assert_eq!(key.id, sent.public_key.id);
    assert_eq!(key.owner.as_ref(), Some(&sent.public_key.owner));
    assert_eq!(key.pem, sent.public_key.public_key_pem);
    assert!(got.manually_approves_followers);
    assert_eq!((got.discoverable, got.indexable), (Some(true), Some(true)));
    assert_eq!(got.fields.len(), 1);
    assert_eq!(got.fields[0].name, "Site");
    assert_eq!(got.fields[0].value, sent.attachment[0].value);
    assert_eq!(got.also_known_as, sent.also_known_as);
    assert_eq!(got.moved_to, sent.moved_to);
    assert_eq!(got.published, sent.published);
    assert_eq!(got.emojis[0].name, ":rhizome:");
    assert_eq!(got.emojis[0].updated, Some(at(5)));
}

#[test]
fn bot_and_group_actor_types() {
    for (sent, expected, bot) in [
        (ActorType::Service, ActorKind::Service, true),
        (ActorType::Application, ActorKind::Application, true),
        (ActorType::Group, ActorKind::Group, false),
    ] {
        let mut actor = actor();
        actor.kind = sent;
        let got = parse_actor(&bytes(&actor), MAX).unwrap();
        assert_eq!((got.kind, got.bot), (expected, bot));
    }
}

#[test]
fn minimal_actor_sends_no_optional_properties() {
    let mut minimal = actor();
    minimal.name = None;
    minimal.endpoints = None;
    minimal.attachment.clear();
    minimal.tag.clear();
    minimal.moved_to = None;
    let value: Value = serde_json::from_slice(&bytes(&minimal)).unwrap();
    for absent in ["name", "endpoints", "attachment", "tag", "movedTo"] {
        assert!(value.get(absent).is_none(), "{absent} was sent");
    }
}

#[test]
fn note_round_trips() {
    let sent = note();
    let json = bytes(&sent);
    let value: Value = serde_json::from_slice(&json).unwrap();
    assert_no_nulls(&value);
    assert_eq!(value["type"], "Note");
    assert_eq!(value["attachment"][0]["type"], "Document");
    assert_eq!(
        value["attachment"][0]["focalPoint"],
        serde_json::json!([0.5, -0.25])
    );
    assert_eq!(value["tag"][0]["type"], "Mention");
    assert_eq!(value["tag"][1]["type"], "Hashtag");
    assert_eq!(value["tag"][2]["icon"]["type"], "Image");
    assert_eq!(value["replies"]["first"]["type"], "OrderedCollectionPage");
    assert_eq!(
        value["replies"]["first"]["orderedItems"],
        serde_json::json!([])
    );
    for key in ["quoteUrl", "_misskey_quote", "quoteUri"] {
        assert_eq!(value[key], "https://social.example/users/bob/statuses/3");
    }

    let object = parse_object(&json, MAX).unwrap();
    assert_eq!(object.kind, ObjectKind::Note);
    let post = object.post_view().unwrap();
    assert_eq!(post.id, sent.id);
    assert_eq!(post.url, sent.url);
    assert_eq!(post.attributed_to.as_ref(), Some(&sent.attributed_to));
    assert_eq!(post.to, sent.to);
    assert_eq!(post.cc, sent.cc);
    assert_eq!(post.in_reply_to, sent.in_reply_to);
    assert_eq!(post.context, sent.context);
    assert_eq!(post.published, Some(sent.published));
    assert_eq!(post.updated, sent.updated);
    assert!(post.sensitive);
    assert_eq!(post.summary, sent.summary);
    assert_eq!(post.content.as_deref(), Some(sent.content.as_str()));
    assert_eq!(post.language.as_deref(), Some("en"));
    let source = post.source.as_ref().unwrap();
    assert_eq!(source.content, "Hello **world**");
    assert_eq!(source.media_type.as_deref(), Some("text/markdown"));
    assert_eq!(
        post.mentions[0].href,
        url("https://social.example/users/bob")
    );
    assert_eq!(
        post.mentions[0].name.as_deref(),
        Some("@bob@social.example")
    );
    assert_eq!(post.hashtags[0].name, "#rust");
    assert_eq!(
        post.hashtags[0].href,
        Some(url("https://rhizome.example/tags/rust"))
    );
    assert_eq!(post.emojis[0].icon_url, emoji().icon.url);
    assert_eq!(post.emojis[0].id, Some(emoji().id));
    let media = &post.attachments[0];
    assert_eq!(media.url, sent.attachment[0].url);
    assert_eq!(media.media_type.as_deref(), Some("image/jpeg"));
    assert_eq!(media.name.as_deref(), Some("alt text"));
    assert_eq!(media.blurhash, sent.attachment[0].blurhash);
    assert_eq!((media.width, media.height), (Some(640), Some(480)));
    assert_eq!(media.focal_point, Some((0.5, -0.25)));
    assert_eq!(post.quote_url, sent.quote.0);
}

#[test]
fn plain_note_sends_no_optional_properties() {
    let plain = Note::new(
        url(&format!("{ALICE}/statuses/2")),
        url(ALICE),
        "<p>hi</p>",
        at(0),
    );
    let value: Value = serde_json::from_slice(&bytes(&plain)).unwrap();
    assert_no_nulls(&value);
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "@context",
            "attributedTo",
            "content",
            "id",
            "published",
            "sensitive",
            "type"
        ]
    );
}

/// Serializes an activity, parses it back, and checks the common properties.
fn round_trip<O: serde::Serialize>(sent: &Activity<O>, kind: ActivityKind) -> incoming::Activity {
    let json = bytes(sent);
    assert_no_nulls(&serde_json::from_slice(&json).unwrap());
    let got = parse_activity(&json, MAX).unwrap();
    assert_eq!(got.id.as_ref(), Some(&sent.id));
    assert_eq!(got.kind, kind);
    assert_eq!(got.actor, sent.actor);
    assert_eq!(got.to, sent.to);
    assert_eq!(got.cc, sent.cc);
    assert_eq!(got.published, sent.published);
    got
}

fn activity_id(name: &str) -> Url {
    url(&format!("{ALICE}#{name}"))
}

#[test]
fn create_and_update_round_trip_with_embedded_objects() {
    let public = vec![public_collection().clone()];
    let mut create = Activity::new(
        ActivityType::Create,
        activity_id("create"),
        url(ALICE),
        note(),
    )
    .addressed(public.clone(), vec![url(&format!("{ALICE}/followers"))]);
    create.published = Some(at(10));
    let got = round_trip(&create, ActivityKind::Create);
    let embedded = got.object.as_ref().unwrap().as_object().unwrap();
    assert_eq!(embedded.id.as_ref(), Some(&note().id));
    assert_eq!(embedded.content.as_deref(), Some(note().content.as_str()));

    let update = Activity::new(
        ActivityType::Update,
        activity_id("update"),
        url(ALICE),
        actor(),
    )
    .addressed(public, Vec::new());
    let got = round_trip(&update, ActivityKind::Update);
    assert_eq!(
        got.object.as_ref().unwrap().as_actor().unwrap().id,
        url(ALICE)
    );
}

#[test]
fn follow_accept_undo_round_trip_nested() {
    let bob = url("https://social.example/users/bob");
    let follow = Activity::new(
        ActivityType::Follow,
        activity_id("follow"),
        url(ALICE),
        bob.clone(),
    )
    .addressed(vec![bob.clone()], Vec::new());
    let got = round_trip(&follow, ActivityKind::Follow);
    assert_eq!(got.object_id(), Some(&bob));

    let accept = Activity::new(
        ActivityType::Accept,
        url("https://social.example/accepts/1"),
        bob.clone(),
        follow.clone(),
    );
    let got = round_trip(&accept, ActivityKind::Accept);
    assert_eq!(
        got.object.as_ref().unwrap().as_activity().unwrap().kind,
        ActivityKind::Follow
    );

    let reject = Activity::new(
        ActivityType::Reject,
        url("https://social.example/rejects/1"),
        bob.clone(),
        follow.clone(),
    );
    round_trip(&reject, ActivityKind::Reject);

    let undo = Activity::new(
        ActivityType::Undo,
        activity_id("undo"),
        url(ALICE),
        follow.clone(),
    )
    .addressed(vec![bob.clone()], Vec::new());
    let got = round_trip(&undo, ActivityKind::Undo);
    let inner = got.object.as_ref().unwrap().as_activity().unwrap();
    assert_eq!(
        (inner.id.as_ref(), inner.object_id()),
        (Some(&follow.id), Some(&bob))
    );
}

#[test]
fn simple_activities_round_trip() {
    let post = url("https://social.example/users/bob/statuses/9");
    let bob = url("https://social.example/users/bob");
    let cases = [
        (ActivityType::Like, ActivityKind::Like, post.clone()),
        (ActivityType::Announce, ActivityKind::Announce, post.clone()),
        (ActivityType::Block, ActivityKind::Block, bob.clone()),
        (
            ActivityType::Delete,
            ActivityKind::Delete,
            url(&format!("{ALICE}/statuses/1")),
        ),
    ];
    for (sent_kind, kind, object) in cases {
        let mut activity = Activity::new(
            sent_kind,
            activity_id(kind.as_str()),
            url(ALICE),
            object.clone(),
        )
        .addressed(vec![bob.clone()], vec![url(PUBLIC)]);
        activity.published = Some(at(30));
        let got = round_trip(&activity, kind);
        assert_eq!(got.object_id(), Some(&object));
        assert!(got.is_public());
    }
}

#[test]
fn delete_with_tombstone_round_trips() {
    let mut tombstone = Tombstone::new(url(&format!("{ALICE}/statuses/1")));
    tombstone.former_type = Some("Note".into());
    tombstone.deleted = Some(at(40));
    let delete = Activity::new(
        ActivityType::Delete,
        activity_id("delete"),
        url(ALICE),
        tombstone.clone(),
    )
    .addressed(vec![public_collection().clone()], Vec::new());
    let got = round_trip(&delete, ActivityKind::Delete);
    let object = got.object.as_ref().unwrap().as_object().unwrap();
    assert_eq!(object.kind, ObjectKind::Tombstone);
    assert_eq!(object.id.as_ref(), Some(&tombstone.id));
    assert_eq!(object.former_type.as_deref(), Some("Note"));
    assert_eq!(object.deleted, Some(at(40)));
}

#[test]
fn emoji_react_flag_move_add_remove_round_trip() {
    let post = url("https://social.example/users/bob/statuses/9");
    let mut react = Activity::new(
        ActivityType::EmojiReact,
        activity_id("react"),
        url(ALICE),
        post.clone(),
    );
    react.content = Some(":rhizome:".into());
    react.tag = vec![Tag::Emoji(emoji())];
    let got = round_trip(&react, ActivityKind::EmojiReact);
    let reaction = got.reaction().unwrap();
    assert_eq!(reaction.content, ":rhizome:");
    assert_eq!(reaction.emoji.unwrap().icon_url, emoji().icon.url);

    let reported = vec![url("https://social.example/users/bob"), post.clone()];
    let mut flag = Activity::new(
        ActivityType::Flag,
        activity_id("flag"),
        url("https://rhizome.example/actor"),
        reported.clone(),
    );
    flag.content = Some("spam".into());
    let got = round_trip(&flag, ActivityKind::Flag);
    let ids: Vec<Url> = got.objects().filter_map(|o| o.id().cloned()).collect();
    assert_eq!(ids, reported);
    assert_eq!(got.content.as_deref(), Some("spam"));

    let mut moved = Activity::new(
        ActivityType::Move,
        activity_id("move"),
        url(ALICE),
        url(ALICE),
    );
    moved.target = Some(url("https://new.example/users/alice"));
    let got = round_trip(&moved, ActivityKind::Move);
    assert_eq!(got.target.as_ref().unwrap().id(), moved.target.as_ref());

    let featured = url(&format!("{ALICE}/collections/featured"));
    for (sent_kind, kind) in [
        (ActivityType::Add, ActivityKind::Add),
        (ActivityType::Remove, ActivityKind::Remove),
    ] {
        let mut pin = Activity::new(sent_kind, activity_id(kind.as_str()), url(ALICE), note().id);
        pin.target = Some(featured.clone());
        let got = round_trip(&pin, kind);
        assert_eq!(got.target.as_ref().unwrap().id(), Some(&featured));
        assert_eq!(got.object_id(), Some(&note().id));
    }
}

#[test]
fn collections_round_trip() {
    let followers = url(&format!("{ALICE}/followers"));
    let first = url(&format!("{ALICE}/followers?page=1"));
    let collection: OrderedCollection<Url> =
        OrderedCollection::paged(followers.clone(), Some(2), first.clone());
    let json = bytes(&collection);
    let value: Value = serde_json::from_slice(&json).unwrap();
    assert_no_nulls(&value);
    assert_eq!(value["type"], "OrderedCollection");
    let got = parse_collection(&json, MAX).unwrap();
    assert_eq!(got.id.as_ref(), Some(&followers));
    assert_eq!(got.total_items, Some(2));
    assert_eq!(got.first.as_ref().unwrap().id(), Some(&first));

    let mut page = OrderedCollectionPage::new(
        first.clone(),
        followers.clone(),
        vec![url("https://social.example/users/bob")],
    );
    page.next = Some(url(&format!("{ALICE}/followers?page=2")));
    page.prev = Some(url(&format!("{ALICE}/followers?page=0")));
    let got = parse_collection(&bytes(&page), MAX).unwrap();
    assert!(got.kind.is_page());
    assert_eq!(got.part_of.as_ref(), Some(&followers));
    assert_eq!((&got.next, &got.prev), (&page.next, &page.prev));
    assert_eq!(
        got.item_ids().cloned().collect::<Vec<_>>(),
        page.ordered_items
    );

    let featured =
        OrderedCollection::inline(url(&format!("{ALICE}/collections/featured")), vec![note()]);
    let got = parse_collection(&bytes(&featured), MAX).unwrap();
    assert_eq!(got.total_items, Some(1));
    assert_eq!(
        got.items[0].as_object().unwrap().id.as_ref(),
        Some(&note().id)
    );

    // A collection with its first page embedded (as Note.replies is).
    let embedded: OrderedCollection<Url> = OrderedCollection {
        first: Some(PageRef::Page(Box::new(page.clone()))),
        ..OrderedCollection::paged(followers.clone(), None, first)
    };
    let got = parse_collection(&bytes(&embedded), MAX).unwrap();
    let first_page = got.first.as_ref().unwrap().as_collection().unwrap();
    assert_eq!(first_page.items.len(), 1);
    assert_eq!(got.total_items, None);
}
