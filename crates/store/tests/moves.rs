//! Aliases, moves and account deletions in the store, on SQLite and on PostgreSQL.

use rhizome_model::{
    Attachment, AttachmentKind, Follow, Id, NewStatus, Scopes, Timestamp, Visibility,
};
use rhizome_store::{FollowTable, NewDeletion, NewJob, NewToken, OutboxActivity, PageRequest};
use rhizome_testkit::fixtures::{NOW, local_user, remote_account, status};
use rhizome_testkit::{TestDatabase, on_both_databases};

on_both_databases!(
    aliases_moves_and_the_followers_a_move_carries,
    a_deletion_hides_at_once_and_leaves_a_bare_row,
    a_remote_deletion_leaves_nothing_but_a_tombstone,
);

fn follow(id: i64, from: i64, to: i64) -> Follow {
    Follow {
        id: Id(id),
        account_id: Id(from),
        target_account_id: Id(to),
        uri: Some(format!("https://example.org/follows/{id}")),
        show_reblogs: id % 2 == 0,
        notify: false,
        created_at: NOW,
    }
}

fn purge_job(id: i64, account: i64) -> NewJob {
    NewJob {
        id: Id(id),
        kind: "purge_account".into(),
        payload: format!("{{\"account_id\":{account}}}"),
        run_at: NOW,
        max_attempts: 7,
    }
}

fn upload(id: i64, account: i64) -> Attachment {
    Attachment {
        id: Id(id),
        status_id: None,
        account_id: Id(account),
        kind: AttachmentKind::Image,
        media_type: Some("image/png".into()),
        url: format!("https://example.org/media/{id}.png"),
        remote_url: None,
        preview_url: None,
        description: None,
        blurhash: None,
        meta: "{}".into(),
        position: 0,
        created_at: NOW,
        file_key: Some(format!("attachments/{id}/original.png")),
        preview_key: Some(format!("attachments/{id}/small.png")),
        stored_bytes: 10,
        processing: false,
    }
}

async fn aliases_moves_and_the_followers_a_move_carries(db: &TestDatabase) {
    let store = db.store().await;
    for (id, name) in [(1, "alice"), (2, "bob"), (3, "carol"), (4, "dan")] {
        store
            .create_local_user(&local_user(id, name))
            .await
            .unwrap();
    }
    let remote = store
        .upsert_remote_account(&remote_account(9, "eve", "remote.example"))
        .await
        .unwrap();

    let aliases = vec!["https://old.example/users/alice".to_owned()];
    store.set_also_known_as(Id(1), &aliases, NOW).await.unwrap();
    assert_eq!(
        store.account(Id(1)).await.unwrap().unwrap().also_known_as,
        aliases
    );

    assert_eq!(store.moved_at(Id(1)).await.unwrap(), None);
    store.record_move(Id(1), remote.id, NOW).await.unwrap();
    let moved = store.account(Id(1)).await.unwrap().unwrap();
    assert_eq!(moved.moved_to_account_id, Some(remote.id));
    assert_eq!(store.moved_at(Id(1)).await.unwrap(), Some(NOW));

    // Local followers only, a batch at a time, by follower id.
    for (id, from) in [(20, 4), (21, 2), (22, 3)] {
        store
            .upsert_follow(FollowTable::Follows, &follow(id, from, 1))
            .await
            .unwrap();
    }
    store
        .upsert_follow(FollowTable::Follows, &follow(23, remote.id.0, 1))
        .await
        .unwrap();
    let first = store.local_follows_of(Id(1), None, 2).await.unwrap();
    let followers: Vec<i64> = first.iter().map(|f| f.account_id.0).collect();
    assert_eq!(followers, [2, 3]);
    assert!(first[0].show_reblogs == (first[0].id.0 % 2 == 0));
    let rest = store.local_follows_of(Id(1), Some(Id(3)), 2).await.unwrap();
    assert_eq!(rest.iter().map(|f| f.account_id.0).collect::<Vec<_>>(), [4]);
}

async fn a_deletion_hides_at_once_and_leaves_a_bare_row(db: &TestDatabase) {
    let store = db.store().await;
    let mut alice = local_user(1, "alice");
    alice.account.display_name = "Alice".into();
    alice.account.note = "<p>hello</p>".into();
    alice.private_key_pem = "alice's key".into();
    store.create_local_user(&alice).await.unwrap();
    store
        .create_local_user(&local_user(2, "bob"))
        .await
        .unwrap();
    store
        .create_token(&NewToken {
            id: Id(30),
            token_digest: "digest".into(),
            refresh_digest: None,
            app_id: None,
            account_id: Some(Id(1)),
            scopes: Scopes::parse("read write").unwrap(),
            created_at: NOW,
            expires_at: None,
        })
        .await
        .unwrap();
    store
        .upsert_follow(FollowTable::Follows, &follow(40, 2, 1))
        .await
        .unwrap();
    for id in [100, 101, 102] {
        store
            .insert_status(&NewStatus {
                status: status(id, 1, Visibility::Public, true),
                mentions: vec![],
                tags: vec![],
                attachments: vec![],
            })
            .await
            .unwrap();
    }
    store.insert_upload(&upload(200, 1)).await.unwrap();
    store.insert_upload(&upload(201, 2)).await.unwrap();
    store
        .insert_outbox_activity(&OutboxActivity {
            id: Id(300),
            uri: "http://localhost:8080/activities/delete".into(),
            account_id: Some(Id(1)),
            kind: "Delete".into(),
            payload: "{}".into(),
            created_at: NOW,
        })
        .await
        .unwrap();

    let deletion = NewDeletion {
        account_id: Id(1),
        username: "alice".into(),
        domain: None,
        private_key_pem: Some("alice's key".into()),
        requested_by: None,
        requested_at: NOW,
    };
    assert!(
        store
            .begin_account_deletion(&deletion, &purge_job(50, 1), NOW)
            .await
            .unwrap()
    );
    // A second request changes nothing and queues nothing.
    assert!(
        !store
            .begin_account_deletion(&deletion, &purge_job(51, 1), NOW)
            .await
            .unwrap()
    );
    let jobs = store
        .list_jobs(None, &PageRequest::first(10))
        .await
        .unwrap()
        .items;
    assert_eq!(jobs.iter().map(|j| j.id).collect::<Vec<_>>(), [Id(50)]);
    // Hidden and without a login at once; the key stays for the Delete.
    assert!(store.local_user(Id(1)).await.unwrap().is_none());
    assert!(
        store
            .local_user_by_email("alice@example.org")
            .await
            .unwrap()
            .is_none()
    );
    let hidden = store.account(Id(1)).await.unwrap().unwrap();
    assert_eq!(hidden.suspended_at, Some(NOW));
    assert!(
        store
            .token_by_digest("digest")
            .await
            .unwrap()
            .unwrap()
            .revoked_at
            .is_some()
    );
    assert_eq!(
        store.deleted_account_key(Id(1)).await.unwrap(),
        Some(("alice".into(), "alice's key".into()))
    );
    assert_eq!(
        store.unfinished_deletions().await.unwrap()[0].account_id,
        Id(1)
    );
    store
        .set_deletion_activity(Id(1), "http://localhost:8080/activities/delete")
        .await
        .unwrap();

    // The batches.
    assert_eq!(
        store.status_ids_batch(Id(1), 2).await.unwrap(),
        [Id(100), Id(101)]
    );
    for id in [100, 101, 102] {
        store.delete_status(Id(id), NOW).await.unwrap();
    }
    assert!(store.status_ids_batch(Id(1), 2).await.unwrap().is_empty());
    let media = store.media_batch_of(Id(1), 10).await.unwrap();
    assert_eq!(
        media,
        [(
            Id(200),
            vec![
                "attachments/200/original.png".to_owned(),
                "attachments/200/small.png".to_owned()
            ]
        )]
    );
    store.delete_media_rows(&[Id(200)]).await.unwrap();
    assert!(store.media_batch_of(Id(1), 10).await.unwrap().is_empty());
    assert_eq!(store.media_batch_of(Id(2), 10).await.unwrap().len(), 1);

    store
        .finish_local_deletion(&hidden, Timestamp(NOW.0 + 1))
        .await
        .unwrap();
    let bare = store.account(Id(1)).await.unwrap().unwrap();
    assert_eq!(
        (
            bare.username.as_str(),
            bare.uri.as_str(),
            bare.display_name.as_str(),
            bare.note.as_str()
        ),
        ("alice", hidden.uri.as_str(), "", "")
    );
    assert_eq!(bare.public_key_pem, hidden.public_key_pem);
    assert_eq!(bare.suspended_at, Some(NOW));
    // The name stays taken; what referred to the account is gone; the Delete keeps its signer.
    assert!(
        store
            .account_by_acct("alice", None)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .follow_between(FollowTable::Follows, Id(2), Id(1))
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.token_by_digest("digest").await.unwrap().is_none());
    assert_eq!(
        store
            .outbox_activity(Id(300))
            .await
            .unwrap()
            .unwrap()
            .account_id,
        Some(Id(1))
    );
    let done = store.account_deletion(Id(1)).await.unwrap().unwrap();
    assert_eq!(done.purged_at, Some(Timestamp(NOW.0 + 1)));
    assert!(store.unfinished_deletions().await.unwrap().is_empty());
}

async fn a_remote_deletion_leaves_nothing_but_a_tombstone(db: &TestDatabase) {
    let store = db.store().await;
    let eve = store
        .upsert_remote_account(&remote_account(9, "eve", "remote.example"))
        .await
        .unwrap();
    let deletion = NewDeletion {
        account_id: eve.id,
        username: "eve".into(),
        domain: Some("remote.example".into()),
        private_key_pem: None,
        requested_by: None,
        requested_at: NOW,
    };
    assert!(
        store
            .begin_account_deletion(&deletion, &purge_job(60, eve.id.0), NOW)
            .await
            .unwrap()
    );
    assert!(
        store
            .account(eve.id)
            .await
            .unwrap()
            .unwrap()
            .suspended_at
            .is_some()
    );
    assert_eq!(store.deleted_account_key(eve.id).await.unwrap(), None);
    store.finish_remote_deletion(&eve, NOW).await.unwrap();
    assert!(store.account(eve.id).await.unwrap().is_none());
    assert!(store.tombstone(&eve.uri).await.unwrap().is_some());
}
