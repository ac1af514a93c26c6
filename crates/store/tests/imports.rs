//! CSV import records and the unpaged reads of exports — on both databases.

use rhizome_model::{Follow, Id, JobState, NewStatus, Timestamp, Visibility};
use rhizome_store::{
    FollowTable, Import, ImportKind, ImportProgress, ImportState, List, Mark, NewImportRow, NewJob,
    PageRequest, RepliesPolicy, RowState, Store,
};
use rhizome_testkit::fixtures::{NOW, local_user, remote_account, status};
use rhizome_testkit::{TestDatabase, on_both_databases};

on_both_databases!(
    imports_keep_rows_with_their_states_and_their_job,
    exports_read_everything_unpaged,
);

const ALICE: i64 = 1;
const BOB: i64 = 2;
const DAVE: i64 = 4;

async fn seeded(db: &TestDatabase) -> Store {
    let store = db.store().await;
    for (id, name) in [(ALICE, "alice"), (BOB, "bob")] {
        store
            .create_local_user(&local_user(id, name))
            .await
            .unwrap();
    }
    store
        .upsert_remote_account(&remote_account(DAVE, "dave", "remote.example"))
        .await
        .unwrap();
    store
}

fn import(id: i64, total: i64) -> Import {
    Import {
        id: Id(id),
        account_id: Id(ALICE),
        kind: ImportKind::Following,
        overwrite: true,
        state: ImportState::InProgress,
        original_filename: "following_accounts.csv".into(),
        total_rows: total,
        created_at: NOW,
        finished_at: None,
    }
}

async fn imports_keep_rows_with_their_states_and_their_job(db: &TestDatabase) {
    let store = seeded(db).await;
    // More rows than one insert statement takes.
    let rows: Vec<NewImportRow> = (1..=1203)
        .map(|position| NewImportRow {
            position,
            data: (position != 2).then(|| format!("{{\"acct\":\"user{position}\"}}")),
            source: format!("user{position}"),
            error: (position == 2).then(|| "not an account address".to_owned()),
        })
        .collect();
    let job = NewJob {
        id: Id(900),
        kind: "process_import".into(),
        payload: "{\"import_id\":\"100\"}".into(),
        run_at: NOW,
        max_attempts: 7,
    };
    store
        .create_import(&import(100, 1203), &rows, &job)
        .await
        .unwrap();
    let queued = store.job(Id(900)).await.unwrap().unwrap();
    assert_eq!(
        (queued.state, queued.kind.as_str()),
        (JobState::Queued, "process_import")
    );
    assert_eq!(
        store.import(Id(100)).await.unwrap(),
        Some(import(100, 1203))
    );
    assert_eq!(store.unfinished_imports(Id(ALICE)).await.unwrap(), 1);

    // Pending rows come in file order, failed ones never.
    let first = store.pending_import_rows(Id(100), 3).await.unwrap();
    assert_eq!(
        first.iter().map(|r| r.position).collect::<Vec<_>>(),
        [1, 3, 4]
    );
    assert!(
        store
            .end_import_row(Id(100), 1, Ok(Some(Id(BOB))))
            .await
            .unwrap()
    );
    // A row ends once: a second outcome is ignored.
    assert!(!store.end_import_row(Id(100), 1, Err("late")).await.unwrap());
    assert!(
        store
            .end_import_row(Id(100), 3, Err("not found"))
            .await
            .unwrap()
    );
    assert!(store.end_import_row(Id(100), 4, Ok(None)).await.unwrap());
    let progress = store.import_progress(&[Id(100), Id(5)]).await.unwrap();
    assert_eq!(progress[&Id(100)], ImportProgress { done: 2, failed: 2 });
    assert_eq!(progress[&Id(5)], ImportProgress::default());
    let failed = store
        .import_rows(Id(100), Some(RowState::Failed))
        .await
        .unwrap();
    assert_eq!(
        failed
            .iter()
            .map(|r| (r.position, r.error.as_deref().unwrap_or("")))
            .collect::<Vec<_>>(),
        [(2, "not an account address"), (3, "not found")]
    );
    let done = store
        .import_rows(Id(100), Some(RowState::Done))
        .await
        .unwrap();
    assert_eq!(done[0].target_id, Some(Id(BOB)));
    assert_eq!(store.import_rows(Id(100), None).await.unwrap().len(), 1203);
    assert_eq!(
        store.pending_import_rows(Id(100), 1).await.unwrap()[0].position,
        5
    );

    store
        .finish_import(Id(100), Timestamp(NOW.0 + 5))
        .await
        .unwrap();
    let finished = store.import(Id(100)).await.unwrap().unwrap();
    assert_eq!(finished.state, ImportState::Finished);
    assert_eq!(finished.finished_at, Some(Timestamp(NOW.0 + 5)));
    assert_eq!(store.unfinished_imports(Id(ALICE)).await.unwrap(), 0);

    let listed = store
        .imports(Some(Id(ALICE)), &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1);
    assert!(
        store
            .imports(Some(Id(BOB)), &PageRequest::first(10))
            .await
            .unwrap()
            .items
            .is_empty()
    );
    // Deleting the account deletes its imports and their rows.
    store.delete_account(Id(ALICE)).await.unwrap();
    assert_eq!(store.import(Id(100)).await.unwrap(), None);
}

fn follow(id: i64, from: i64, to: i64, show_reblogs: bool) -> Follow {
    Follow {
        id: Id(id),
        account_id: Id(from),
        target_account_id: Id(to),
        uri: None,
        show_reblogs,
        notify: !show_reblogs,
        created_at: NOW,
    }
}

async fn exports_read_everything_unpaged(db: &TestDatabase) {
    let store = seeded(db).await;
    store
        .upsert_follow(FollowTable::Follows, &follow(10, ALICE, BOB, false))
        .await
        .unwrap();
    store
        .upsert_follow(FollowTable::Follows, &follow(11, ALICE, DAVE, true))
        .await
        .unwrap();
    store
        .upsert_follow(FollowTable::Follows, &follow(12, BOB, ALICE, true))
        .await
        .unwrap();
    let followed = store.all_followed(Id(ALICE), false).await.unwrap();
    assert_eq!(
        followed
            .iter()
            .map(|f| (f.account.username.as_str(), f.show_reblogs, f.notify))
            .collect::<Vec<_>>(),
        [("dave", true, false), ("bob", false, true)]
    );
    assert!(
        store
            .all_followed(Id(ALICE), true)
            .await
            .unwrap()
            .is_empty()
    );
    let followers = store.all_followers(Id(ALICE)).await.unwrap();
    assert_eq!(followers[0].username, "bob");

    store
        .mute(Id(20), Id(ALICE), Id(DAVE), false, None, NOW)
        .await
        .unwrap();
    store
        .mute(
            Id(21),
            Id(ALICE),
            Id(BOB),
            true,
            Some(Timestamp(NOW.0 + 1)),
            NOW,
        )
        .await
        .unwrap();
    let muted = store
        .all_muted(Id(ALICE), Timestamp(NOW.0 + 2))
        .await
        .unwrap();
    assert_eq!(
        muted
            .iter()
            .map(|(a, hide)| (a.username.as_str(), *hide))
            .collect::<Vec<_>>(),
        [("dave", false)],
        "expired mutes are not exported"
    );
    store
        .block(Id(30), Id(BOB), Id(DAVE), None, NOW)
        .await
        .unwrap();
    assert_eq!(
        store.all_blocked(Id(BOB)).await.unwrap()[0].username,
        "dave"
    );

    for (id, title) in [(40, "Friends, close"), (41, "Empty")] {
        store
            .create_list(&List {
                id: Id(id),
                account_id: Id(ALICE),
                title: title.into(),
                replies_policy: RepliesPolicy::List,
                exclusive: false,
                created_at: NOW,
            })
            .await
            .unwrap();
    }
    store
        .add_list_members(Id(40), &[Id(DAVE), Id(BOB)])
        .await
        .unwrap();
    let members = store.all_list_members(Id(ALICE)).await.unwrap();
    assert_eq!(
        members
            .iter()
            .map(|(list, a)| (list.0, a.username.as_str()))
            .collect::<Vec<_>>(),
        [(40, "bob"), (40, "dave")]
    );

    store
        .block_domain_for_user(Id(50), Id(ALICE), "Spam.Example", NOW)
        .await
        .unwrap();
    store
        .block_domain_for_user(Id(51), Id(ALICE), "worse.example", NOW)
        .await
        .unwrap();
    assert_eq!(
        store.all_blocked_domains(Id(ALICE)).await.unwrap(),
        ["spam.example", "worse.example"]
    );

    for id in [60, 61] {
        store
            .insert_status(&NewStatus {
                status: status(id, BOB, Visibility::Public, true),
                mentions: vec![],
                tags: vec![],
                attachments: vec![],
            })
            .await
            .unwrap();
    }
    for (mark, status) in [(70, 60), (71, 61)] {
        store
            .add_mark(Mark::Bookmark, Id(mark), Id(ALICE), Id(status), None, NOW)
            .await
            .unwrap();
    }
    assert_eq!(
        store.all_bookmarks(Id(ALICE)).await.unwrap(),
        [
            (Id(61), "https://example.org/objects/61".to_owned()),
            (Id(60), "https://example.org/objects/60".to_owned())
        ]
    );
}
