//! One property at a time, the shapes the tolerant parser accepts (and what it makes of them).

mod vocab_common;

use rhizome_federation::vocab::incoming::{Object, Tag};
use rhizome_federation::vocab::{
    is_public, parse_activity, parse_actor, parse_object, public_collection,
};
use serde_json::{Value, json};
use vocab_common::{MAX, url};

fn note(properties: Value) -> Object {
    let mut document = json!({"type": "Note", "id": "https://a.example/n/1"});
    document
        .as_object_mut()
        .unwrap()
        .extend(properties.as_object().unwrap().clone());
    parse_object(&serde_json::to_vec(&document).unwrap(), MAX).unwrap()
}

#[test]
fn public_spellings() {
    assert!(is_public("https://www.w3.org/ns/activitystreams#Public"));
    assert!(is_public("as:Public"));
    assert!(is_public("Public"));
    assert!(!is_public("https://www.w3.org/ns/activitystreams#public"));
    let object = note(json!({"to": "Public", "cc": ["as:Public", "https://a.example/f"]}));
    assert_eq!(object.to, vec![public_collection().clone()]);
    assert_eq!(
        object.cc,
        vec![public_collection().clone(), url("https://a.example/f")]
    );
}

#[test]
fn addressing_may_be_missing_single_or_embedded() {
    let object = note(json!({}));
    assert!(object.to.is_empty() && object.cc.is_empty());
    let object = note(json!({"to": {"id": "https://a.example/u", "type": "Person"}, "cc": null}));
    assert_eq!(object.to, vec![url("https://a.example/u")]);
    assert!(object.cc.is_empty());
}

#[test]
fn content_falls_back_to_content_map() {
    let object = note(json!({"contentMap": {"fr": "<p>bonjour</p>"}}));
    assert_eq!(object.content.as_deref(), Some("<p>bonjour</p>"));
    assert_eq!(object.language.as_deref(), Some("fr"));
    // With several languages, the language is the one whose text is the content.
    let object = note(
        json!({"content": "<p>hallo</p>", "contentMap": {"en": "<p>hello</p>", "de": "<p>hallo</p>"}}),
    );
    assert_eq!(object.language.as_deref(), Some("de"));
    let object = note(json!({"nameMap": {"en": "Title"}, "summaryMap": {"en": "CW"}}));
    assert_eq!(
        (object.name.as_deref(), object.summary.as_deref()),
        (Some("Title"), Some("CW"))
    );
}

#[test]
fn url_shapes() {
    let shapes = [
        json!("https://a.example/@a/1"),
        json!({"type": "Link", "href": "https://a.example/@a/1", "mediaType": "text/html"}),
        json!([{"type": "Link", "href": "https://a.example/1.mp4", "mediaType": "video/mp4"}, {"type": "Link", "href": "https://a.example/@a/1", "mediaType": "text/html; charset=utf-8"}]),
        json!(["https://a.example/@a/1", "https://a.example/other"]),
        json!([{"type": "Link", "href": "https://a.example/1.mp4", "mediaType": "video/mp4"}, {"type": "Link", "href": "https://a.example/@a/1"}]),
    ];
    for shape in shapes {
        let object = note(json!({"url": shape.clone()}));
        assert_eq!(object.url, Some(url("https://a.example/@a/1")), "{shape}");
    }
    assert_eq!(note(json!({"url": "javascript:alert(1)"})).url, None);
    assert_eq!(note(json!({"url": "/relative"})).url, None);
}

#[test]
fn single_values_and_arrays_alike() {
    let single = note(json!({
        "tag": {"type": "Hashtag", "name": "#a"},
        "attachment": {"type": "Image", "url": "https://a.example/1.png"},
        "attributedTo": "https://a.example/u",
    }));
    let many = note(json!({
        "tag": [{"type": "Hashtag", "name": "#a"}],
        "attachment": [{"type": "Image", "url": "https://a.example/1.png"}],
        "attributedTo": ["https://a.example/u"],
    }));
    assert_eq!(single, many);
    assert_eq!(single.attachment.len(), 1);
}

#[test]
fn malformed_tags_are_kept_as_unknown_and_odd_entries_skipped() {
    let object = note(json!({"tag": [
        {"type": "Mention", "name": "@nobody"},
        {"type": "Emoji", "name": ":x:"},
        {"type": "Hashtag", "href": "https://a.example/tags/x"},
        {"type": "Mention", "href": "https://a.example/u", "name": "@u"},
        "#plain-string",
        42,
        {"name": "untyped"}
    ]}));
    let kinds: Vec<String> = object
        .tag
        .iter()
        .map(|tag| match tag {
            Tag::Unknown(name) => format!("unknown {name}"),
            Tag::Mention(_) => "mention".into(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "unknown Mention",
            "unknown Emoji",
            "unknown Hashtag",
            "mention",
            "unknown "
        ]
    );
}

#[test]
fn scalars_of_the_wrong_type_are_absent_or_coerced() {
    let object = note(json!({
        "sensitive": "true",
        "published": "yesterday",
        "updated": 1700000000,
        "summary": ["not", "a", "string"],
        "inReplyTo": {"type": "Note", "id": "https://b.example/n/9"},
        "content": {"html": "no"},
    }));
    assert_eq!(object.sensitive, Some(true));
    assert_eq!((object.published, object.updated), (None, None));
    assert_eq!(object.summary, None);
    assert_eq!(object.in_reply_to, Some(url("https://b.example/n/9")));
    assert_eq!(object.content, None);
}

#[test]
fn attachment_urls_and_dimensions() {
    let object = note(json!({"attachment": [
        {"type": "Document", "mediaType": "video/mp4", "url": [
            {"type": "Link", "href": "https://a.example/v.webm", "mediaType": "video/webm", "width": 1},
            {"type": "Link", "href": "https://a.example/v.mp4", "mediaType": "video/mp4", "width": 1920, "height": 1080}
        ]},
        {"type": "Document", "url": "ftp://a.example/file"},
        {"type": "PropertyValue", "name": "not media", "value": "x"},
        {"type": "Image", "url": "https://a.example/i.png", "width": -5, "height": 1e12, "focalPoint": [0.1]},
        {"type": "Audio", "href": "https://a.example/a.ogg", "name": "  "}
    ]}));
    assert_eq!(object.attachment.len(), 3);
    let video = &object.attachment[0];
    assert_eq!(video.url, url("https://a.example/v.mp4"));
    assert_eq!((video.width, video.height), (Some(1920), Some(1080)));
    let image = &object.attachment[1];
    assert_eq!(
        (image.width, image.height, image.focal_point),
        (None, None, None)
    );
    assert_eq!(
        object.attachment[2].name, None,
        "a blank description is none"
    );
}

#[test]
fn actor_shapes() {
    let actor = parse_actor(
        br#"{
            "type": ["Person", "vcard:Individual"],
            "id": "https://a.example/u",
            "icon": "https://a.example/avatar.png",
            "image": {"type": "Image", "url": {"type": "Link", "href": "https://a.example/header.png"}},
            "publicKey": [{"id": "https://a.example/u#k1"}, {"id": "https://a.example/u#k2", "publicKeyPem": "PEM"}],
            "endpoints": "https://a.example/not-an-object",
            "manuallyApprovesFollowers": null,
            "alsoKnownAs": "https://b.example/u",
            "attachment": [{"type": "PropertyValue", "name": "No value"}, {"type": "PropertyValue", "value": "no name"}]
        }"#,
        MAX,
    )
    .unwrap();
    assert_eq!(actor.icon_url, Some(url("https://a.example/avatar.png")));
    assert_eq!(actor.image_url, Some(url("https://a.example/header.png")));
    assert_eq!(actor.public_key.unwrap().id, url("https://a.example/u#k2"));
    assert_eq!(actor.shared_inbox, None);
    assert!(!actor.manually_approves_followers);
    assert_eq!(actor.also_known_as, vec![url("https://b.example/u")]);
    assert_eq!(actor.fields.len(), 1);
    assert_eq!(
        (
            actor.fields[0].name.as_str(),
            actor.fields[0].value.as_str()
        ),
        ("No value", "")
    );
}

#[test]
fn activity_actor_and_object_shapes() {
    let embedded_actor = br#"{"type":"Like","actor":{"type":"Person","id":"https://a.example/u"},"object":["https://a.example/n/1"]}"#;
    let activity = parse_activity(embedded_actor, MAX).unwrap();
    assert_eq!(activity.actor, url("https://a.example/u"));
    assert_eq!(activity.object_id(), Some(&url("https://a.example/n/1")));
    let actor_array = br#"{"type":"Like","actor":["not a url","https://a.example/u"],"object":"https://a.example/n/1"}"#;
    assert_eq!(
        parse_activity(actor_array, MAX).unwrap().actor,
        url("https://a.example/u")
    );
    let content_map = r#"{"type":"EmojiReact","actor":"https://a.example/u","object":"https://a.example/n/1","contentMap":{"und":"👍"}}"#;
    assert_eq!(
        parse_activity(content_map.as_bytes(), MAX)
            .unwrap()
            .reaction()
            .unwrap()
            .content,
        "👍"
    );
    let empty_reaction = br#"{"type":"Like","actor":"https://a.example/u","object":"https://a.example/n/1","content":" "}"#;
    assert_eq!(
        parse_activity(empty_reaction, MAX).unwrap().reaction(),
        None
    );
}
