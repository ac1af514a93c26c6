//! What the admin's federation health page reads: every server's delivery record, and the
//! deliveries still owed to each inbox — on both databases.

use rhizome_model::{Id, Timestamp};
use rhizome_store::NewJob;
use rhizome_testkit::fixtures::NOW;
use rhizome_testkit::{TestDatabase, on_both_databases};

on_both_databases!(
    instances_are_listed_with_their_record,
    waiting_deliveries_are_counted_per_inbox,
);

async fn instances_are_listed_with_their_record(db: &TestDatabase) {
    let store = db.store().await;
    assert!(store.instances_health().await.unwrap().is_empty());
    store
        .record_delivery_outcome("b.example", true, NOW)
        .await
        .unwrap();
    for at in [NOW.0 + 1, NOW.0 + 2] {
        store
            .record_delivery_outcome("a.example:8443", false, Timestamp(at))
            .await
            .unwrap();
    }
    let all = store.instances_health().await.unwrap();
    let domains: Vec<&str> = all.iter().map(|i| i.domain.as_str()).collect();
    assert_eq!(domains, ["a.example:8443", "b.example"]);
    assert_eq!(all[0].failures, 2);
    assert_eq!(all[0].first_failure_at, Some(Timestamp(NOW.0 + 1)));
    assert_eq!(all[0].last_failure_at, Some(Timestamp(NOW.0 + 2)));
    assert_eq!(all[0].last_success_at, None);
    assert_eq!(all[1].failures, 0);
    assert_eq!(all[1].last_success_at, Some(NOW));
}

fn delivery(id: i64, inbox: &str) -> NewJob {
    NewJob {
        id: Id(id),
        kind: "deliver".into(),
        payload: format!(r#"{{"activity_id":1,"inbox":"{inbox}"}}"#),
        run_at: NOW,
        max_attempts: 10,
    }
}

async fn waiting_deliveries_are_counted_per_inbox(db: &TestDatabase) {
    let store = db.store().await;
    let jobs = [
        delivery(1, "https://a.example/inbox"),
        delivery(2, "https://a.example/inbox"),
        delivery(3, "https://a.example/users/x/inbox"),
        delivery(4, "https://b.example/inbox"),
        // Another kind of job, whatever its payload, is not a delivery.
        NewJob {
            kind: "fanout".into(),
            ..delivery(5, "https://a.example/inbox")
        },
    ];
    store.enqueue_jobs(&jobs, NOW).await.unwrap();
    // Claimed (running) deliveries still wait; finished ones do not.
    let claimed = store
        .claim_jobs("w", NOW, Timestamp(NOW.0 + 60_000), 1)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    store
        .enqueue_job(&delivery(6, "https://b.example/inbox"), NOW)
        .await
        .unwrap();
    let done = store
        .claim_jobs("w2", NOW, Timestamp(NOW.0 + 60_000), 10)
        .await
        .unwrap();
    for job in done.iter().filter(|j| j.id == Id(6)) {
        store.complete_job(job.id, "w2", NOW).await.unwrap();
    }
    let mut counts = store.pending_jobs_by_inbox("deliver").await.unwrap();
    counts.sort();
    assert_eq!(
        counts,
        [
            ("https://a.example/inbox".to_owned(), 2),
            ("https://a.example/users/x/inbox".to_owned(), 1),
            ("https://b.example/inbox".to_owned(), 1),
        ]
    );
}
