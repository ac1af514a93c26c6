//! The insert-if-missing writes of `rhizome import akkoma` — on both databases: a row is
//! written once under the id it is given, and writing it again changes nothing.

use rhizome_model::{EmojiRef, Id, NewStatus, StatusEdit, Timestamp, Visibility};
use rhizome_store::{ImportedStatus, Poll, PollOption};
use rhizome_testkit::fixtures::{NOW, local_user, status};
use rhizome_testkit::{TestDatabase, on_both_databases};

on_both_databases!(imported_rows_are_written_once_with_their_ids);

async fn imported_rows_are_written_once_with_their_ids(db: &TestDatabase) {
    let store = db.store().await;
    let mut alice = local_user(7, "alice");
    alice.account.emojis = vec![EmojiRef {
        shortcode: "akkoma".into(),
        url: "https://fedi.example/emoji/akkoma.png".into(),
    }];
    alice.password_hash = "$pbkdf2-sha512$160000$c2FsdA$aGFzaA".into();
    assert!(store.import_local_user(&alice, true).await.unwrap());
    // Again: nothing written, not even over a hash re-hashed since.
    store
        .set_password_hash(Id(7), "$argon2id$new")
        .await
        .unwrap();
    assert!(!store.import_local_user(&alice, true).await.unwrap());
    let stored = store.local_user(Id(7)).await.unwrap().unwrap();
    assert_eq!(stored.password_hash, "$argon2id$new");
    assert_eq!(stored.account.emojis, alice.account.emojis);

    let post = status(1_000, 7, Visibility::Public, true);
    let imported = ImportedStatus {
        new: NewStatus {
            status: post.clone(),
            mentions: vec![],
            tags: vec!["rhizome".into()],
            attachments: vec![],
        },
        edits: vec![StatusEdit {
            id: Id(5_000),
            status_id: post.id,
            text: "frist".into(),
            content: "<p>frist</p>".into(),
            spoiler_text: String::new(),
            sensitive: false,
            created_at: Timestamp(NOW.0),
        }],
        poll: Some(Poll {
            id: post.id,
            status_id: post.id,
            options: vec![
                PollOption {
                    title: "Home".into(),
                    votes_count: 1,
                },
                PollOption {
                    title: "Local".into(),
                    votes_count: 0,
                },
            ],
            multiple: false,
            hide_totals: false,
            expires_at: None,
            voters_count: 1,
            closed: false,
            updated_at: NOW,
        }),
        emojis: alice.account.emojis.clone(),
    };
    assert!(store.import_status(&imported).await.unwrap());
    assert!(!store.import_status(&imported).await.unwrap());
    // Another post under a taken id is refused whole, not merged.
    let mut other = imported.clone();
    other.new.status.uri = "https://fedi.example/objects/other".into();
    assert!(!store.import_status(&other).await.unwrap());
    assert!(
        store
            .status_by_ap_id(&other.new.status.uri)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.status_edits(post.id).await.unwrap().len(), 1);
    assert_eq!(
        store.tags_of(&[post.id]).await.unwrap()[&post.id],
        vec!["rhizome".to_owned()]
    );
    let poll = store.poll_of_status(post.id).await.unwrap().unwrap();
    assert_eq!(poll.options[0].votes_count, 1);
    assert!(
        store
            .import_poll_vote(Id(9), poll.id, Id(7), 0, None, NOW)
            .await
            .unwrap()
    );
    assert!(
        !store
            .import_poll_vote(Id(10), poll.id, Id(7), 0, None, NOW)
            .await
            .unwrap()
    );
    // Counts are the poll's own: a vote imported does not count twice.
    let poll = store.poll_of_status(post.id).await.unwrap().unwrap();
    assert_eq!(poll.options[0].votes_count, 1);

    assert!(
        store
            .import_marker(Id(7), "home", post.id, 3, NOW)
            .await
            .unwrap()
    );
    assert!(
        !store
            .import_marker(Id(7), "home", Id(1), 9, NOW)
            .await
            .unwrap()
    );
    let markers = store.markers(Id(7)).await.unwrap();
    assert_eq!((markers[0].last_read_id, markers[0].version), (post.id, 3));
}
