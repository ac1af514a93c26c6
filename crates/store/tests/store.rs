//! The store's suite, run once on SQLite and once on PostgreSQL.

use rhizome_model::{Account, Id, JobState, LocalUser, Role, Scopes, Timestamp};
use rhizome_store::{NewApp, NewJob, NewToken, PageRequest, Store, StoreError};
use rhizome_testkit::TestDatabase;

use rhizome_testkit::on_both_databases;

on_both_databases!(
    migrations_are_idempotent_and_concurrent,
    local_users_are_unique_case_insensitively,
    a_failed_registration_writes_nothing,
    email_confirmations_are_single_use,
    captchas_are_spent_once,
    users_can_be_updated_and_deleted,
    pagination_follows_mastodon_rules,
    secrets_are_created_once,
    settings_round_trip,
    tokens_are_found_by_digest_and_revoked,
    jobs_are_claimed_leased_and_retried,
    concurrent_claims_never_share_a_job,
);

const NOW: Timestamp = Timestamp(1_790_000_000_000);

fn user(id: i64, name: &str, email: &str) -> LocalUser {
    let uri = format!("http://localhost:8080/users/{name}");
    LocalUser {
        account: Account {
            id: Id(id),
            username: name.to_owned(),
            domain: None,
            display_name: String::new(),
            note: String::new(),
            uri: uri.clone(),
            url: Some(format!("http://localhost:8080/@{name}")),
            inbox_url: Some(format!("{uri}/inbox")),
            shared_inbox_url: Some("http://localhost:8080/inbox".into()),
            outbox_url: Some(format!("{uri}/outbox")),
            followers_url: Some(format!("{uri}/followers")),
            following_url: Some(format!("{uri}/following")),
            featured_url: Some(format!("{uri}/collections/featured")),
            public_key_id: Some(format!("{uri}#main-key")),
            public_key_pem: "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n".into(),
            actor_type: "Person".into(),
            locked: false,
            bot: false,
            discoverable: true,
            avatar_url: None,
            header_url: None,
            fields: vec![],
            also_known_as: vec![],
            moved_to_account_id: None,
            suspended_at: None,
            emojis: Vec::new(),
            fetched_at: None,
            created_at: NOW,
            updated_at: NOW,
        },
        email: email.to_owned(),
        password_hash: "$argon2id$placeholder".into(),
        role: Role::User,
        private_key_pem: "private".into(),
        approved: true,
        registration_reason: None,
        locale: "en".into(),
        created_at: NOW,
        last_sign_in_at: None,
    }
}

async fn migrations_are_idempotent_and_concurrent(db: &TestDatabase) {
    let first = db.store().await;
    let second = Store::connect(db.url(), Default::default()).await.unwrap();
    let third = Store::connect(db.url(), Default::default()).await.unwrap();
    let (a, b) = tokio::join!(second.migrate(), third.migrate());
    a.unwrap();
    b.unwrap();
    first.migrate().await.unwrap();
    first.ping().await.unwrap();
}

async fn local_users_are_unique_case_insensitively(db: &TestDatabase) {
    let store = db.store().await;
    store
        .create_local_user(&user(1, "Alice", "alice@example.org"))
        .await
        .unwrap();

    let found = store
        .local_user_by_username("aLiCe")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.account.username, "Alice");
    assert_eq!(found.account.acct(), "Alice");
    assert!(found.account.is_local());
    assert_eq!(
        store
            .local_user_by_email("ALICE@example.org")
            .await
            .unwrap()
            .unwrap()
            .account
            .id,
        Id(1)
    );

    let mut clash = user(2, "alice", "other@example.org");
    clash.account.uri = "http://localhost:8080/users/alice2".into();
    match store.create_local_user(&clash).await {
        Err(StoreError::Conflict(what)) => assert!(what.contains("username"), "{what}"),
        other => panic!("expected a username conflict, got {other:?}"),
    }
    match store
        .create_local_user(&user(3, "bob", "Alice@Example.org"))
        .await
    {
        Err(StoreError::Conflict(what)) => assert!(what.contains("e-mail"), "{what}"),
        other => panic!("expected an e-mail conflict, got {other:?}"),
    }
    assert_eq!(store.count_local_users().await.unwrap(), 1);
}

async fn a_failed_registration_writes_nothing(db: &TestDatabase) {
    let store = db.store().await;
    store
        .create_local_user(&user(1, "alice", "alice@example.org"))
        .await
        .unwrap();
    // The account row would insert, the user row would not: the transaction must roll back.
    assert!(
        store
            .create_local_user(&user(2, "bob", "alice@example.org"))
            .await
            .is_err()
    );
    assert!(store.account(Id(2)).await.unwrap().is_none());
    assert!(store.local_user_by_username("bob").await.unwrap().is_none());
    store
        .create_local_user(&user(3, "bob", "bob@example.org"))
        .await
        .unwrap();
}

async fn email_confirmations_are_single_use(db: &TestDatabase) {
    let store = db.store().await;
    store
        .sign_up_local_user(&user(1, "alice", "alice@example.org"), None, true)
        .await
        .unwrap();
    store
        .create_local_user(&user(2, "bob", "bob@example.org"))
        .await
        .unwrap();
    assert!(store.email_unconfirmed(Id(1)).await.unwrap());
    assert!(!store.email_unconfirmed(Id(2)).await.unwrap());
    // No token before the mail job set one; a confirmed address takes none.
    assert_eq!(store.confirm_email("digest-1").await.unwrap(), None);
    assert!(
        !store
            .set_email_confirmation_token(Id(2), "digest-2", NOW)
            .await
            .unwrap()
    );
    assert!(
        store
            .set_email_confirmation_token(Id(1), "digest-1", NOW)
            .await
            .unwrap()
    );
    // A retried mail replaces the token: the older link stops working.
    assert!(
        store
            .set_email_confirmation_token(Id(1), "digest-3", NOW)
            .await
            .unwrap()
    );
    assert_eq!(store.confirm_email("digest-1").await.unwrap(), None);
    assert_eq!(store.confirm_email("digest-3").await.unwrap(), Some(Id(1)));
    assert_eq!(store.confirm_email("digest-3").await.unwrap(), None);
    assert!(!store.email_unconfirmed(Id(1)).await.unwrap());
}

async fn captchas_are_spent_once(db: &TestDatabase) {
    let store = db.store().await;
    let later = Timestamp(NOW.0 + 300_000);
    assert!(store.spend_captcha("t1", later, NOW).await.unwrap());
    assert!(!store.spend_captcha("t1", later, NOW).await.unwrap());
    assert!(store.spend_captcha("t2", later, NOW).await.unwrap());
    // Past its expiry the record is dropped (the challenge is refused as expired before).
    let after = Timestamp(later.0 + 1);
    assert!(
        store
            .spend_captcha("t3", Timestamp(after.0 + 300_000), after)
            .await
            .unwrap()
    );
    assert!(
        store
            .spend_captcha("t1", Timestamp(after.0 + 300_000), after)
            .await
            .unwrap()
    );
}

async fn users_can_be_updated_and_deleted(db: &TestDatabase) {
    let store = db.store().await;
    store
        .create_local_user(&user(1, "alice", "alice@example.org"))
        .await
        .unwrap();
    store.set_role(Id(1), Role::Admin).await.unwrap();
    store.set_password_hash(Id(1), "new-hash").await.unwrap();
    store.set_suspended(Id(1), Some(NOW)).await.unwrap();
    store.record_sign_in(Id(1), NOW).await.unwrap();
    let alice = store.local_user(Id(1)).await.unwrap().unwrap();
    assert_eq!(alice.role, Role::Admin);
    assert_eq!(alice.password_hash, "new-hash");
    assert_eq!(alice.account.suspended_at, Some(NOW));
    assert_eq!(alice.last_sign_in_at, Some(NOW));
    assert_eq!(
        store.count_local_users().await.unwrap(),
        0,
        "suspended users are not counted"
    );
    assert!(matches!(
        store.set_role(Id(99), Role::Admin).await,
        Err(StoreError::NotFound)
    ));

    assert!(store.delete_account(Id(1)).await.unwrap());
    assert!(!store.delete_account(Id(1)).await.unwrap());
    assert!(store.local_user(Id(1)).await.unwrap().is_none());
}

async fn pagination_follows_mastodon_rules(db: &TestDatabase) {
    let store = db.store().await;
    for i in 1..=7 {
        store
            .create_local_user(&user(i, &format!("user{i}"), &format!("u{i}@example.org")))
            .await
            .unwrap();
    }
    let ids = |page: &rhizome_store::Page<LocalUser>| {
        page.items
            .iter()
            .map(|u| u.account.id.0)
            .collect::<Vec<_>>()
    };
    let first = store
        .list_local_users(&PageRequest::first(3))
        .await
        .unwrap();
    assert_eq!(ids(&first), vec![7, 6, 5]);
    assert_eq!((first.newest_id, first.oldest_id), (Some(7), Some(5)));

    let next = PageRequest {
        max_id: first.oldest_id,
        ..PageRequest::first(3)
    };
    assert_eq!(
        ids(&store.list_local_users(&next).await.unwrap()),
        vec![4, 3, 2]
    );

    // min_id: the items right after it, still newest first.
    let after = PageRequest {
        min_id: Some(2),
        ..PageRequest::first(2)
    };
    assert_eq!(
        ids(&store.list_local_users(&after).await.unwrap()),
        vec![4, 3]
    );
    // since_id: the newest items after it.
    let since = PageRequest {
        since_id: Some(2),
        ..PageRequest::first(2)
    };
    assert_eq!(
        ids(&store.list_local_users(&since).await.unwrap()),
        vec![7, 6]
    );

    let window = PageRequest {
        max_id: Some(6),
        since_id: Some(3),
        ..PageRequest::first(10)
    };
    assert_eq!(
        ids(&store.list_local_users(&window).await.unwrap()),
        vec![5, 4]
    );
    let empty = PageRequest {
        max_id: Some(1),
        ..PageRequest::first(10)
    };
    let empty = store.list_local_users(&empty).await.unwrap();
    assert!(empty.items.is_empty() && empty.oldest_id.is_none());
}

async fn secrets_are_created_once(db: &TestDatabase) {
    let store = db.store().await;
    let other = db.store().await;
    let (a, b) = tokio::join!(
        store.insert_secret_if_absent("cookie_key", "first", NOW),
        other.insert_secret_if_absent("cookie_key", "second", NOW),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a, b);
    let again = store
        .insert_secret_if_absent("cookie_key", "third", NOW)
        .await
        .unwrap();
    assert_eq!(again, a);
    assert_eq!(store.secret("cookie_key").await.unwrap(), Some(a));
    assert_eq!(store.secret("missing").await.unwrap(), None);
}

async fn settings_round_trip(db: &TestDatabase) {
    let store = db.store().await;
    assert_eq!(store.setting("instance.name").await.unwrap(), None);
    store
        .set_setting("instance.name", "\"Rhizome\"", NOW)
        .await
        .unwrap();
    store
        .set_setting("instance.name", "\"Rhizome social\"", NOW)
        .await
        .unwrap();
    store
        .set_setting("registrations.mode", "\"closed\"", NOW)
        .await
        .unwrap();
    assert_eq!(
        store.setting("instance.name").await.unwrap().as_deref(),
        Some("\"Rhizome social\"")
    );
    assert_eq!(store.settings().await.unwrap().len(), 2);
    store.delete_setting("instance.name").await.unwrap();
    assert_eq!(store.setting("instance.name").await.unwrap(), None);

    // A batch sets and deletes together.
    store
        .change_settings(
            &[
                ("instance.name".into(), Some("\"Batch\"".into())),
                ("registrations.mode".into(), None),
                ("mrf".into(), Some("{}".into())),
            ],
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        store.settings().await.unwrap(),
        [
            ("instance.name".to_owned(), "\"Batch\"".to_owned()),
            ("mrf".to_owned(), "{}".to_owned())
        ]
    );
}

async fn tokens_are_found_by_digest_and_revoked(db: &TestDatabase) {
    let store = db.store().await;
    store
        .create_local_user(&user(1, "alice", "alice@example.org"))
        .await
        .unwrap();
    let app = NewApp {
        id: Id(10),
        name: "Tusky".into(),
        website: None,
        redirect_uris: vec![
            "urn:ietf:wg:oauth:2.0:oob".into(),
            "com.keylesspalace.tusky://oauth".into(),
        ],
        scopes: Scopes::parse("read write follow").unwrap(),
        client_id: "cid".into(),
        client_secret: "secret".into(),
        created_at: NOW,
    };
    store.create_app(&app).await.unwrap();
    assert_eq!(store.app_by_client_id("cid").await.unwrap().unwrap(), app);

    let token = NewToken {
        id: Id(20),
        token_digest: "digest".into(),
        refresh_digest: Some("refresh".into()),
        app_id: Some(app.id),
        account_id: Some(Id(1)),
        scopes: Scopes::parse("read").unwrap(),
        created_at: NOW,
        expires_at: None,
    };
    store.create_token(&token).await.unwrap();
    let found = store.token_by_digest("digest").await.unwrap().unwrap();
    assert_eq!((found.account_id, found.revoked_at), (Some(Id(1)), None));
    assert_eq!(
        store
            .token_by_refresh_digest("refresh")
            .await
            .unwrap()
            .unwrap()
            .id,
        Id(20)
    );
    assert!(store.token_by_digest("other").await.unwrap().is_none());

    // The token and its user in one read, the token's columns kept apart from the account's.
    let (with_user, owner) = store.token_with_user("digest").await.unwrap().unwrap();
    assert_eq!(with_user, found);
    let owner = owner.expect("the token's user");
    assert_eq!(owner, store.local_user(Id(1)).await.unwrap().unwrap());
    assert!(store.token_with_user("other").await.unwrap().is_none());
    let app_token = NewToken {
        id: Id(21),
        token_digest: "app-digest".into(),
        refresh_digest: None,
        account_id: None,
        ..token.clone()
    };
    store.create_token(&app_token).await.unwrap();
    let (found_app_token, nobody) = store.token_with_user("app-digest").await.unwrap().unwrap();
    assert_eq!(
        (found_app_token.id, found_app_token.account_id),
        (Id(21), None)
    );
    assert!(nobody.is_none());

    assert!(store.revoke_token(Id(20), NOW).await.unwrap());
    assert!(!store.revoke_token(Id(20), NOW).await.unwrap());
    assert_eq!(
        store
            .token_by_digest("digest")
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        Some(NOW)
    );
}

fn job(id: i64, run_at: i64) -> NewJob {
    NewJob {
        id: Id(id),
        kind: "probe".into(),
        payload: "{}".into(),
        run_at: Timestamp(run_at),
        max_attempts: 3,
    }
}

async fn jobs_are_claimed_leased_and_retried(db: &TestDatabase) {
    let store = db.store().await;
    store
        .enqueue_job(&job(1, 1_000), Timestamp(0))
        .await
        .unwrap();
    store
        .enqueue_job(&job(2, 5_000), Timestamp(0))
        .await
        .unwrap();

    // Only the due job is claimed, and a claim is an attempt.
    let claimed = store
        .claim_jobs("w1", Timestamp(2_000), Timestamp(3_000), 10)
        .await
        .unwrap();
    assert_eq!(
        claimed.iter().map(|j| j.id).collect::<Vec<_>>(),
        vec![Id(1)]
    );
    assert_eq!(
        (claimed[0].state, claimed[0].attempts),
        (JobState::Running, 1)
    );
    assert!(
        store
            .claim_jobs("w2", Timestamp(2_500), Timestamp(9_000), 10)
            .await
            .unwrap()
            .is_empty()
    );

    // The lease ran out (worker w1 died): w2 takes the job over, and w1 can no longer finish it.
    let reclaimed = store
        .claim_jobs("w2", Timestamp(3_500), Timestamp(9_000), 1)
        .await
        .unwrap();
    assert_eq!((reclaimed[0].id, reclaimed[0].attempts), (Id(1), 2));
    assert!(
        !store
            .complete_job(Id(1), "w1", Timestamp(3_600))
            .await
            .unwrap()
    );

    // A failed attempt with a retry goes back to the queue at the retry time.
    assert!(
        store
            .fail_job(
                Id(1),
                "w2",
                "boom",
                Some(Timestamp(8_000)),
                Timestamp(3_700)
            )
            .await
            .unwrap()
    );
    let queued = store.job(Id(1)).await.unwrap().unwrap();
    assert_eq!(
        (queued.state, queued.run_at, queued.last_error.as_deref()),
        (JobState::Queued, Timestamp(8_000), Some("boom"))
    );

    let due = store
        .claim_jobs("w2", Timestamp(8_000), Timestamp(20_000), 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 2);
    assert!(
        store
            .complete_job(Id(2), "w2", Timestamp(8_100))
            .await
            .unwrap()
    );
    assert!(
        store
            .fail_job(Id(1), "w2", "gave up", None, Timestamp(8_200))
            .await
            .unwrap()
    );

    let counts = store.job_counts().await.unwrap();
    assert_eq!(
        (counts.queued, counts.running, counts.done, counts.failed),
        (0, 0, 1, 1)
    );
    let failed = store
        .list_jobs(Some(JobState::Failed), &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(failed.items.len(), 1);
    assert_eq!(failed.items[0].finished_at, Some(Timestamp(8_200)));

    assert!(store.retry_job(Id(1), Timestamp(9_000)).await.unwrap());
    assert!(
        !store.retry_job(Id(2), Timestamp(9_000)).await.unwrap(),
        "only failed jobs are retried"
    );
    let retried = store
        .claim_jobs("w3", Timestamp(9_000), Timestamp(10_000), 10)
        .await
        .unwrap();
    assert_eq!((retried[0].id, retried[0].attempts), (Id(1), 1));

    assert_eq!(store.prune_done_jobs(Timestamp(8_101)).await.unwrap(), 1);
    assert!(store.job(Id(2)).await.unwrap().is_none());
}

async fn concurrent_claims_never_share_a_job(db: &TestDatabase) {
    let store = db.store().await;
    for i in 1..=200 {
        store.enqueue_job(&job(i, 0), Timestamp(0)).await.unwrap();
    }
    let mut workers = Vec::new();
    for w in 0..4 {
        let store = db.store().await;
        workers.push(tokio::spawn(async move {
            let name = format!("w{w}");
            let mut mine = Vec::new();
            loop {
                let batch = store
                    .claim_jobs(&name, Timestamp(1), Timestamp(1_000_000), 7)
                    .await
                    .unwrap();
                if batch.is_empty() {
                    break mine;
                }
                mine.extend(batch.into_iter().map(|j| j.id.0));
            }
        }));
    }
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.unwrap());
    }
    all.sort_unstable();
    assert_eq!(
        all,
        (1..=200).collect::<Vec<_>>(),
        "every job claimed exactly once"
    );
}
