//! Full-archive records and the reads an archive's build needs — on both databases.

use rhizome_model::{Id, JobState, NewStatus, Timestamp, Visibility};
use rhizome_store::{Archive, ArchiveState, Mark, NewJob, Store};
use rhizome_testkit::fixtures::{NOW, local_user, status};
use rhizome_testkit::{TestDatabase, on_both_databases};

on_both_databases!(
    archives_are_created_once_a_day_with_their_job,
    archives_progress_finish_fail_and_go,
    favourites_and_totals_are_read_for_the_archive,
);

const ALICE: i64 = 1;
const BOB: i64 = 2;
const DAY: i64 = 86_400_000;

async fn seeded(db: &TestDatabase) -> Store {
    let store = db.store().await;
    for (id, name) in [(ALICE, "alice"), (BOB, "bob")] {
        store
            .create_local_user(&local_user(id, name))
            .await
            .unwrap();
    }
    store
}

fn archive(id: i64, account: i64, created_at: Timestamp) -> Archive {
    Archive {
        id: Id(id),
        account_id: Id(account),
        state: ArchiveState::Pending,
        file_key: format!("archives/{id}.zip"),
        file_name: format!("archive-{id}.zip"),
        file_size: 0,
        processed_items: 0,
        total_items: 0,
        created_at,
        finished_at: None,
    }
}

fn job(id: i64) -> NewJob {
    NewJob {
        id: Id(id),
        kind: "build_archive".into(),
        payload: format!("{{\"archive_id\":\"{id}\"}}"),
        run_at: NOW,
        max_attempts: 7,
    }
}

async fn archives_are_created_once_a_day_with_their_job(db: &TestDatabase) {
    let store = seeded(db).await;
    let since = Timestamp(NOW.0 - DAY);
    assert!(
        store
            .create_archive(&archive(10, ALICE, NOW), &job(900), since)
            .await
            .unwrap()
    );
    assert_eq!(
        store.job(Id(900)).await.unwrap().unwrap().state,
        JobState::Queued
    );
    assert_eq!(
        store.archive(Id(10)).await.unwrap(),
        Some(archive(10, ALICE, NOW))
    );
    // A second one within the day is refused, and nothing of it is stored.
    assert!(
        !store
            .create_archive(&archive(11, ALICE, NOW), &job(901), since)
            .await
            .unwrap()
    );
    assert_eq!(store.archive(Id(11)).await.unwrap(), None);
    assert_eq!(store.job(Id(901)).await.unwrap(), None);
    // Someone else's does not count.
    assert!(
        store
            .create_archive(&archive(12, BOB, NOW), &job(902), since)
            .await
            .unwrap()
    );
    // A failed archive does not count either.
    store.fail_archive(Id(10), NOW).await.unwrap();
    assert!(
        store
            .create_archive(&archive(13, ALICE, NOW), &job(903), since)
            .await
            .unwrap()
    );
    let mine: Vec<i64> = store
        .archives_of(Id(ALICE), 10)
        .await
        .unwrap()
        .iter()
        .map(|a| a.id.0)
        .collect();
    assert_eq!(mine, [13, 10], "newest first, only alice's");
}

async fn archives_progress_finish_fail_and_go(db: &TestDatabase) {
    let store = seeded(db).await;
    let long_ago = Timestamp(NOW.0 - 8 * DAY);
    for (id, created) in [(20, long_ago), (22, Timestamp(NOW.0 - 3 * DAY)), (21, NOW)] {
        let since = Timestamp(created.0 - DAY);
        assert!(
            store
                .create_archive(&archive(id, ALICE, created), &job(900 + id), since)
                .await
                .unwrap()
        );
    }
    store.set_archive_progress(Id(21), 3, 10).await.unwrap();
    let running = store.archive(Id(21)).await.unwrap().unwrap();
    assert_eq!(
        (running.state, running.processed_items, running.total_items),
        (ArchiveState::Running, 3, 10)
    );
    store
        .finish_archive(Id(21), 4096, Timestamp(NOW.0 + 5))
        .await
        .unwrap();
    let ready = store.archive(Id(21)).await.unwrap().unwrap();
    assert_eq!(
        (ready.state, ready.file_size, ready.processed_items),
        (ArchiveState::Ready, 4096, 10)
    );
    assert_eq!(ready.finished_at, Some(Timestamp(NOW.0 + 5)));
    // A late progress report or failure does not undo a finished archive.
    store.set_archive_progress(Id(21), 1, 10).await.unwrap();
    store.fail_archive(Id(21), NOW).await.unwrap();
    assert_eq!(
        store.archive(Id(21)).await.unwrap().unwrap().state,
        ArchiveState::Ready
    );

    // Unfinished archives asked for long ago are failed; recent ones are left to build.
    let failed = store
        .fail_unfinished_archives(Timestamp(NOW.0 - DAY), NOW)
        .await
        .unwrap();
    assert!(failed >= 1, "{failed}");
    assert_eq!(
        store.archive(Id(22)).await.unwrap().unwrap().state,
        ArchiveState::Failed
    );
    assert_eq!(
        store.archive(Id(21)).await.unwrap().unwrap().state,
        ArchiveState::Ready
    );

    let old: Vec<i64> = store
        .archives_created_before(Timestamp(NOW.0 - 7 * DAY), 10)
        .await
        .unwrap()
        .iter()
        .map(|a| a.id.0)
        .collect();
    assert_eq!(old, [20]);
    store.delete_archive(Id(20)).await.unwrap();
    assert_eq!(store.archive(Id(20)).await.unwrap(), None);

    // Deleting the account deletes its archives' records.
    store.delete_account(Id(ALICE)).await.unwrap();
    assert!(store.archives_of(Id(ALICE), 10).await.unwrap().is_empty());
}

async fn favourites_and_totals_are_read_for_the_archive(db: &TestDatabase) {
    let store = seeded(db).await;
    for (id, author, visibility) in [
        (60, BOB, Visibility::Public),
        (61, BOB, Visibility::Private),
        (62, ALICE, Visibility::Direct),
        (63, ALICE, Visibility::Unlisted),
    ] {
        store
            .insert_status(&NewStatus {
                status: status(id, author, visibility, true),
                mentions: vec![],
                tags: vec![],
                attachments: vec![],
            })
            .await
            .unwrap();
    }
    for (mark, status) in [(70, 60), (71, 61)] {
        store
            .add_mark(Mark::Favourite, Id(mark), Id(ALICE), Id(status), None, NOW)
            .await
            .unwrap();
    }
    store
        .add_mark(Mark::Bookmark, Id(72), Id(ALICE), Id(62), None, NOW)
        .await
        .unwrap();
    assert_eq!(
        store.all_favourites(Id(ALICE)).await.unwrap(),
        [
            (Id(61), "https://example.org/objects/61".to_owned()),
            (Id(60), "https://example.org/objects/60".to_owned())
        ]
    );
    assert!(store.all_favourites(Id(BOB)).await.unwrap().is_empty());
    assert_eq!(store.archive_totals(Id(ALICE)).await.unwrap(), (2, 0));
    assert_eq!(store.archive_totals(Id(BOB)).await.unwrap(), (2, 0));
}
