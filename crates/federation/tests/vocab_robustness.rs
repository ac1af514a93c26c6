//! The parsers refuse what they must with a typed error, tolerate everything else, and never
//! panic: on oversized, non-object, truncated, byte-mutated and structurally mutated input.

mod vocab_common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use rhizome_federation::vocab::incoming::{
    Activity, ActivityKind, Actor, Collection, Embedded, Object, ObjectKind, ObjectOrLink,
};
use rhizome_federation::vocab::{
    MAX_EMBEDDING_DEPTH, VocabError, parse_activity, parse_actor, parse_collection, parse_object,
};
use serde_json::{Value, json};
use vocab_common::{MAX, all_documents, load, url};

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, bound: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(bound.max(1)).unwrap()).unwrap()
    }
}

/// Runs every parser and every derived view over `bytes`; panics (with the case named) if
/// any of them panics.
fn exercise(case: &str, bytes: &[u8]) {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let _ = parse_activity(bytes, MAX).map(|activity| visit_activity(&activity));
        // The other three parsers share the JSON step; run their typed part on the value.
        if let Ok(value) = serde_json::from_slice::<Value>(bytes) {
            let _ = Actor::from_json(&value);
            let _ = Object::from_json(&value).map(|object| object.post_view());
            let _ = Collection::from_json(&value)
                .map(|collection| collection.items.iter().for_each(visit));
        }
    }));
    if outcome.is_err() {
        panic!(
            "a parser panicked on {case}: {}",
            String::from_utf8_lossy(bytes)
        );
    }
}

fn visit_activity(activity: &Activity) {
    let _ = activity.reaction();
    let _ = activity.is_public();
    activity.objects().for_each(visit);
    activity.target.iter().for_each(visit);
}

fn visit(item: &ObjectOrLink) {
    let _ = item.id();
    match item.embedded() {
        Some(Embedded::Activity(activity)) => visit_activity(activity),
        Some(Embedded::Object(object)) => {
            let _ = object.post_view();
        }
        Some(Embedded::Collection(collection)) => collection.items.iter().for_each(visit),
        Some(Embedded::Actor(_)) | None => {}
    }
}

#[test]
fn truncated_documents_never_panic() {
    for (name, bytes) in all_documents() {
        let step = (bytes.len() / 97).max(1);
        let cuts = (0..bytes.len().min(48))
            .chain((0..bytes.len()).step_by(step))
            .chain(bytes.len().saturating_sub(48)..bytes.len());
        for cut in cuts {
            exercise(&format!("{name} cut at {cut}"), &bytes[..cut]);
        }
    }
}

#[test]
fn byte_mutated_documents_never_panic() {
    const INTERESTING: &[u8] = b"\"{}[],:\\0-e.\xff\x00 nt";
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for (name, original) in all_documents() {
        for round in 0..120 {
            let mut bytes = original.clone();
            for _ in 0..=rng.below(4) {
                if bytes.is_empty() {
                    break;
                }
                let at = rng.below(bytes.len());
                match rng.below(4) {
                    0 => bytes[at] = INTERESTING[rng.below(INTERESTING.len())],
                    1 => bytes[at] = u8::try_from(rng.below(256)).unwrap(),
                    2 => {
                        let end = (at + rng.below(64)).min(bytes.len());
                        bytes.drain(at..end);
                    }
                    _ => {
                        let end = (at + rng.below(64)).min(bytes.len());
                        let copy = bytes[at..end].to_vec();
                        let to = rng.below(bytes.len());
                        bytes.splice(to..to, copy);
                    }
                }
            }
            exercise(&format!("{name} byte round {round}"), &bytes);
        }
    }
}

/// Values to put where the document expects something else.
fn odd_values() -> Vec<Value> {
    let deep = (0..40).fold(json!("https://deep.example/x"), |inner, _| json!([inner]));
    let nested_objects = (0..20).fold(json!({"id": "https://n.example/0"}), |inner, level| {
        json!({"type": "Announce", "id": format!("https://n.example/{level}"), "actor": "https://n.example/a", "object": inner})
    });
    vec![
        Value::Null,
        json!(true),
        json!(0),
        json!(-1),
        json!(1e308),
        json!(18_446_744_073_709_551_615u64),
        json!(""),
        json!("as:Public"),
        json!("javascript:alert(1)"),
        json!("https://odd.example/x"),
        json!("2024-02-30T25:61:61Z"),
        json!([]),
        json!({}),
        json!([null, {}, [], "https://odd.example/y"]),
        json!({"id": 5, "href": ["x"], "type": {"a": 1}}),
        json!({"type": "Link", "href": "https://odd.example/z", "mediaType": "text/html"}),
        json!(["Note", "Person", "Create", "OrderedCollection"]),
        json!("é".repeat(300)),
        deep,
        nested_objects,
    ]
}

/// Replaces a randomly chosen value somewhere in `value` (walking down at random).
fn mutate(value: &mut Value, odd: &[Value], rng: &mut Rng, depth: usize) {
    let descend = depth < 6 && rng.below(3) != 0;
    match value {
        Value::Object(map) if !map.is_empty() => {
            let key = map.keys().nth(rng.below(map.len())).cloned().unwrap();
            let child = map.get_mut(&key).unwrap();
            if descend && (child.is_object() || child.is_array()) {
                mutate(child, odd, rng, depth + 1);
            } else if rng.below(5) == 0 {
                map.remove(&key);
            } else {
                *child = odd[rng.below(odd.len())].clone();
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let at = rng.below(items.len());
            if descend && (items[at].is_object() || items[at].is_array()) {
                mutate(&mut items[at], odd, rng, depth + 1);
            } else {
                items[at] = odd[rng.below(odd.len())].clone();
            }
        }
        other => *other = odd[rng.below(odd.len())].clone(),
    }
}

#[test]
fn structurally_mutated_documents_never_panic() {
    const TYPES: &[&str] = &[
        "Note",
        "Question",
        "Person",
        "Service",
        "Create",
        "Undo",
        "EmojiReact",
        "Tombstone",
        "OrderedCollectionPage",
        "Video",
        "Frobnicate",
    ];
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let odd = odd_values();
    for (name, bytes) in all_documents() {
        let Ok(original) = serde_json::from_slice::<Value>(&bytes) else {
            continue;
        };
        for round in 0..150 {
            let mut value = original.clone();
            for _ in 0..=rng.below(3) {
                mutate(&mut value, &odd, &mut rng, 0);
            }
            if rng.below(4) == 0
                && let Some(map) = value.as_object_mut()
            {
                map.insert("type".into(), json!(TYPES[rng.below(TYPES.len())]));
            }
            let mutated = serde_json::to_vec(&value).unwrap();
            exercise(&format!("{name} structural round {round}"), &mutated);
        }
    }
}

#[test]
fn oversized_input_is_refused_before_parsing() {
    let bytes = load("mastodon/note.jsonc");
    let error = parse_object(&bytes, bytes.len() - 1).unwrap_err();
    assert_eq!(
        error,
        VocabError::TooLarge {
            size: bytes.len(),
            max: bytes.len() - 1
        }
    );
    assert!(
        parse_object(&bytes, bytes.len()).is_ok(),
        "the limit itself is allowed"
    );
    assert!(matches!(
        parse_activity(&[b' '; 100], 10),
        Err(VocabError::TooLarge { .. })
    ));
}

#[test]
fn non_objects_and_invalid_json_are_typed_errors() {
    for not_an_object in [
        "[]",
        "[{\"type\":\"Create\"}]",
        "\"https://a.example/1\"",
        "1",
        "null",
        "true",
    ] {
        assert_eq!(
            parse_activity(not_an_object.as_bytes(), MAX),
            Err(VocabError::NotAnObject)
        );
        assert_eq!(
            parse_actor(not_an_object.as_bytes(), MAX),
            Err(VocabError::NotAnObject)
        );
        assert_eq!(
            parse_object(not_an_object.as_bytes(), MAX),
            Err(VocabError::NotAnObject)
        );
        assert_eq!(
            parse_collection(not_an_object.as_bytes(), MAX),
            Err(VocabError::NotAnObject)
        );
    }
    for invalid in ["", "{", "{\"a\":}", "\u{feff}{}", "{} {}", "\u{0}"] {
        assert!(
            matches!(
                parse_activity(invalid.as_bytes(), MAX),
                Err(VocabError::InvalidJson(_))
            ),
            "{invalid:?}"
        );
    }
    assert!(matches!(
        parse_actor(&[0xff, 0xfe, b'{', b'}'], MAX),
        Err(VocabError::InvalidJson(_))
    ));
}

#[test]
fn hostile_nesting_is_an_error_not_a_stack_overflow() {
    let deep_arrays = format!(
        "{{\"object\":{}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(matches!(
        parse_activity(deep_arrays.as_bytes(), usize::MAX),
        Err(VocabError::InvalidJson(_))
    ));
    let deep_objects = "{\"object\":".repeat(50_000) + "1" + &"}".repeat(50_000);
    assert!(matches!(
        parse_activity(deep_objects.as_bytes(), usize::MAX),
        Err(VocabError::InvalidJson(_))
    ));
}

#[test]
fn embedding_is_bounded_and_deeper_objects_become_links() {
    let levels = 30;
    let mut document = json!({"id": "https://a.example/note", "type": "Note", "content": "deep"});
    for level in (0..levels).rev() {
        document = json!({
            "id": format!("https://a.example/undo/{level}"),
            "type": "Undo",
            "actor": "https://a.example/users/a",
            "object": document,
        });
    }
    let activity = parse_activity(&serde_json::to_vec(&document).unwrap(), MAX).unwrap();
    let mut current = &activity;
    for level in 1..=MAX_EMBEDDING_DEPTH {
        let next = current.object.as_ref().unwrap();
        current = next
            .as_activity()
            .unwrap_or_else(|| panic!("level {level} is embedded"));
        assert_eq!(
            current.id,
            Some(url(&format!("https://a.example/undo/{level}")))
        );
    }
    let beyond = current.object.as_ref().unwrap();
    let expected = url(&format!(
        "https://a.example/undo/{}",
        MAX_EMBEDDING_DEPTH + 1
    ));
    assert_eq!(beyond, &ObjectOrLink::Link(expected));
}

#[test]
fn wrong_families_are_refused_with_their_type() {
    let note = load("mastodon/note.jsonc");
    let person = load("mastodon/person.jsonc");
    let create = load("mastodon/create_note_reply.jsonc");
    let featured = load("mastodon/featured.jsonc");
    let wrong = |found: &str, expected: &'static str| VocabError::WrongType {
        expected,
        found: found.into(),
    };
    assert_eq!(
        parse_activity(&note, MAX).unwrap_err(),
        wrong("Note", "an activity")
    );
    assert_eq!(
        parse_actor(&create, MAX).unwrap_err(),
        wrong("Create", "an actor")
    );
    assert_eq!(
        parse_object(&person, MAX).unwrap_err(),
        wrong("Person", "a content object")
    );
    assert_eq!(
        parse_collection(&note, MAX).unwrap_err(),
        wrong("Note", "a collection")
    );
    assert!(matches!(
        parse_activity(&featured, MAX),
        Err(VocabError::WrongType { .. })
    ));
}

#[test]
fn unknown_types_are_explicit_not_errors() {
    let arrive = br#"{"type":"Arrive","id":"https://a.example/1","actor":"https://a.example/u","location":{"type":"Place","name":"Home"}}"#;
    let activity = parse_activity(arrive, MAX).unwrap();
    assert_eq!(activity.kind, ActivityKind::Unknown("Arrive".into()));
    assert_eq!(activity.object, None);

    let create = br#"{"type":"Create","actor":"https://a.example/u","object":{"type":"ChessGame","id":"https://a.example/g/1","moves":["e4"]}}"#;
    let activity = parse_activity(create, MAX).unwrap();
    assert_eq!(activity.id, None, "transient activities have no id");
    let object = activity.object.as_ref().unwrap().as_object().unwrap();
    assert_eq!(object.kind, ObjectKind::Unknown("ChessGame".into()));

    let long_name = format!(
        r#"{{"type":"{}","actor":"https://a.example/u"}}"#,
        "X".repeat(10_000)
    );
    match parse_activity(long_name.as_bytes(), MAX).unwrap().kind {
        ActivityKind::Unknown(name) => assert!(name.len() <= 128),
        other => panic!("{other:?}"),
    }
    let no_type = br#"{"actor":"https://a.example/u","object":"https://a.example/n"}"#;
    assert_eq!(
        parse_activity(no_type, MAX).unwrap().kind,
        ActivityKind::Unknown(String::new())
    );
}

#[test]
fn required_properties_are_typed_errors() {
    let no_actor = br#"{"type":"Like","id":"https://a.example/1","object":"https://a.example/n"}"#;
    assert_eq!(
        parse_activity(no_actor, MAX),
        Err(VocabError::MissingField("actor"))
    );
    let bad_actor =
        br#"{"type":"Like","actor":"javascript:alert(1)","object":"https://a.example/n"}"#;
    assert_eq!(
        parse_activity(bad_actor, MAX),
        Err(VocabError::MissingField("actor"))
    );
    let no_id = br#"{"type":"Person","inbox":"https://a.example/inbox"}"#;
    assert_eq!(parse_actor(no_id, MAX), Err(VocabError::MissingField("id")));
    let no_object_id = br#"{"type":"Note","content":"x"}"#;
    assert_eq!(
        parse_object(no_object_id, MAX),
        Err(VocabError::MissingField("id"))
    );
    // An embedded activity without an actor degrades to its id.
    let accept = br#"{"type":"Accept","actor":"https://a.example/u","object":{"type":"Follow","id":"https://b.example/f/1"}}"#;
    let activity = parse_activity(accept, MAX).unwrap();
    assert_eq!(
        activity.object,
        Some(ObjectOrLink::Link(url("https://b.example/f/1")))
    );
}

#[test]
fn type_and_context_shapes_are_tolerated() {
    for context in [
        json!("https://www.w3.org/ns/activitystreams"),
        json!(["https://www.w3.org/ns/activitystreams", {"x": "y"}]),
        json!({"@vocab": "https://www.w3.org/ns/activitystreams#"}),
        json!(null),
        json!(5),
    ] {
        let doc = json!({"@context": context, "type": ["as:Note", "schema:CreativeWork"], "id": "https://a.example/n"});
        let object = parse_object(&serde_json::to_vec(&doc).unwrap(), MAX).unwrap();
        assert_eq!(object.kind, ObjectKind::Note);
    }
    let full_iri = json!({"type": "https://www.w3.org/ns/activitystreams#Like", "actor": "https://a.example/u"});
    assert_eq!(
        parse_activity(&serde_json::to_vec(&full_iri).unwrap(), MAX)
            .unwrap()
            .kind,
        ActivityKind::Like
    );
    let jsonld = json!({"@type": "Person", "@id": "https://a.example/u"});
    assert!(parse_actor(&serde_json::to_vec(&jsonld).unwrap(), MAX).is_ok());
}

#[test]
fn deserialize_impls_use_the_tolerant_parser() {
    let activity: Activity = serde_json::from_slice(&load("mastodon/announce.jsonc")).unwrap();
    assert_eq!(activity.kind, ActivityKind::Announce);
    let error =
        serde_json::from_str::<Actor>(r#"{"type":"Note","id":"https://a.example/n"}"#).unwrap_err();
    assert!(error.to_string().contains("expected an actor"), "{error}");
}
