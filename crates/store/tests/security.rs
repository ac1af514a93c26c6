//! Account security and posting defaults in the store, on SQLite and on PostgreSQL.

use rhizome_model::{Account, Id, LocalUser, PostingDefaults, Role, Scopes, Timestamp, Visibility};
use rhizome_store::{NewApp, NewToken};
use rhizome_testkit::{TestDatabase, on_both_databases};

on_both_databases!(
    posting_defaults_round_trip,
    two_factor_codes_and_steps_are_used_once,
    password_reset_tokens_are_single_use_and_expire,
    live_tokens_are_listed_and_revoked_by_their_owner,
);

const NOW: Timestamp = Timestamp(1_790_000_000_000);

fn user(id: i64, name: &str) -> LocalUser {
    let uri = format!("http://localhost:8080/users/{name}");
    LocalUser {
        account: Account {
            id: Id(id),
            username: name.to_owned(),
            domain: None,
            display_name: String::new(),
            note: String::new(),
            uri: uri.clone(),
            url: None,
            inbox_url: Some(format!("{uri}/inbox")),
            shared_inbox_url: None,
            outbox_url: None,
            followers_url: None,
            following_url: None,
            featured_url: None,
            public_key_id: None,
            public_key_pem: String::new(),
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
        email: format!("{name}@example.org"),
        password_hash: "old hash".into(),
        role: Role::User,
        private_key_pem: "private".into(),
        approved: true,
        registration_reason: None,
        locale: "en".into(),
        created_at: NOW,
        last_sign_in_at: None,
    }
}

async fn posting_defaults_round_trip(db: &TestDatabase) {
    let store = db.store().await;
    store.create_local_user(&user(1, "alice")).await.unwrap();
    assert_eq!(store.posting_defaults(Id(1)).await.unwrap(), None);
    let chosen = PostingDefaults {
        visibility: Visibility::Private,
        sensitive: true,
        language: Some("fr".into()),
    };
    store
        .set_posting_defaults(Id(1), &chosen, NOW)
        .await
        .unwrap();
    assert_eq!(store.posting_defaults(Id(1)).await.unwrap(), Some(chosen));
    let cleared = PostingDefaults {
        visibility: Visibility::Unlisted,
        sensitive: false,
        language: None,
    };
    store
        .set_posting_defaults(Id(1), &cleared, NOW)
        .await
        .unwrap();
    assert_eq!(store.posting_defaults(Id(1)).await.unwrap(), Some(cleared));
}

async fn two_factor_codes_and_steps_are_used_once(db: &TestDatabase) {
    let store = db.store().await;
    store.create_local_user(&user(1, "alice")).await.unwrap();
    assert!(
        store
            .set_pending_two_factor(Id(1), "sealed-1", NOW)
            .await
            .unwrap()
    );
    // A pending secret may be replaced; nothing is in force yet.
    assert!(
        store
            .set_pending_two_factor(Id(1), "sealed-2", NOW)
            .await
            .unwrap()
    );
    let pending = store.two_factor(Id(1)).await.unwrap().unwrap();
    assert_eq!(
        (pending.secret.as_str(), pending.enabled_at),
        ("sealed-2", None)
    );
    assert!(!store.use_two_factor_step(Id(1), 100).await.unwrap());

    let digests: Vec<String> = (0..3).map(|n| format!("digest-{n}")).collect();
    assert!(
        store
            .enable_two_factor(Id(1), 100, &digests, NOW)
            .await
            .unwrap()
    );
    assert!(
        !store
            .enable_two_factor(Id(1), 101, &digests, NOW)
            .await
            .unwrap()
    );
    // An enabled secret is never replaced by a new setup.
    assert!(
        !store
            .set_pending_two_factor(Id(1), "sealed-3", NOW)
            .await
            .unwrap()
    );
    let on = store.two_factor(Id(1)).await.unwrap().unwrap();
    assert_eq!(
        (on.secret.as_str(), on.enabled_at, on.last_step),
        ("sealed-2", Some(NOW), Some(100))
    );

    // Steps only move forward: the confirming step and older ones are spent.
    assert!(!store.use_two_factor_step(Id(1), 100).await.unwrap());
    assert!(!store.use_two_factor_step(Id(1), 99).await.unwrap());
    assert!(store.use_two_factor_step(Id(1), 101).await.unwrap());
    assert!(!store.use_two_factor_step(Id(1), 101).await.unwrap());

    assert_eq!(store.unused_recovery_codes(Id(1)).await.unwrap(), 3);
    assert!(
        store
            .use_recovery_code(Id(1), "digest-1", NOW)
            .await
            .unwrap()
    );
    assert!(
        !store
            .use_recovery_code(Id(1), "digest-1", NOW)
            .await
            .unwrap()
    );
    assert!(
        !store
            .use_recovery_code(Id(1), "unknown", NOW)
            .await
            .unwrap()
    );
    assert_eq!(store.unused_recovery_codes(Id(1)).await.unwrap(), 2);
    store
        .replace_recovery_codes(Id(1), &["fresh".to_owned()])
        .await
        .unwrap();
    assert_eq!(store.unused_recovery_codes(Id(1)).await.unwrap(), 1);
    assert!(
        !store
            .use_recovery_code(Id(1), "digest-0", NOW)
            .await
            .unwrap()
    );

    assert!(store.disable_two_factor(Id(1)).await.unwrap());
    assert!(!store.disable_two_factor(Id(1)).await.unwrap());
    assert_eq!(store.two_factor(Id(1)).await.unwrap(), None);
    assert_eq!(store.unused_recovery_codes(Id(1)).await.unwrap(), 0);
}

fn token(id: i64, digest: &str, app_id: Option<Id>, account: i64) -> NewToken {
    NewToken {
        id: Id(id),
        token_digest: digest.into(),
        refresh_digest: None,
        app_id,
        account_id: Some(Id(account)),
        scopes: Scopes::parse("read write").unwrap(),
        created_at: Timestamp(NOW.0 + id),
        expires_at: None,
    }
}

async fn password_reset_tokens_are_single_use_and_expire(db: &TestDatabase) {
    let store = db.store().await;
    store.create_local_user(&user(1, "alice")).await.unwrap();
    store
        .create_token(&token(20, "session", None, 1))
        .await
        .unwrap();

    // Requests closer together than the interval mail once.
    let later = Timestamp(NOW.0 + 1000);
    assert!(
        store
            .request_password_reset(Id(1), NOW, Timestamp(0))
            .await
            .unwrap()
    );
    assert!(
        !store
            .request_password_reset(Id(1), later, NOW)
            .await
            .unwrap()
    );
    assert!(
        store
            .request_password_reset(Id(1), later, later)
            .await
            .unwrap()
    );

    let expires = Timestamp(NOW.0 + 60_000);
    store
        .set_password_reset_token(Id(1), "first", NOW, expires)
        .await
        .unwrap();
    store
        .set_password_reset_token(Id(1), "second", NOW, expires)
        .await
        .unwrap();
    assert_eq!(
        store.password_reset_account("first", NOW).await.unwrap(),
        None
    );
    assert_eq!(
        store.password_reset_account("second", NOW).await.unwrap(),
        Some(Id(1))
    );
    assert_eq!(
        store
            .password_reset_account("second", expires)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .reset_password_with_token("second", "new hash", expires)
            .await
            .unwrap(),
        None,
        "expired"
    );

    assert_eq!(
        store
            .reset_password_with_token("second", "new hash", NOW)
            .await
            .unwrap(),
        Some(Id(1))
    );
    let alice = store.local_user(Id(1)).await.unwrap().unwrap();
    assert_eq!(alice.password_hash, "new hash");
    assert!(
        store
            .token_by_digest("session")
            .await
            .unwrap()
            .unwrap()
            .revoked_at
            .is_some()
    );
    assert_eq!(
        store
            .reset_password_with_token("second", "other hash", NOW)
            .await
            .unwrap(),
        None,
        "used"
    );
}

async fn live_tokens_are_listed_and_revoked_by_their_owner(db: &TestDatabase) {
    let store = db.store().await;
    store.create_local_user(&user(1, "alice")).await.unwrap();
    store.create_local_user(&user(2, "bob")).await.unwrap();
    store
        .create_app(&NewApp {
            id: Id(10),
            name: "Tusky".into(),
            website: Some("https://tusky.app".into()),
            redirect_uris: vec!["urn:ietf:wg:oauth:2.0:oob".into()],
            scopes: Scopes::parse("read write").unwrap(),
            client_id: "cid".into(),
            client_secret: "secret".into(),
            created_at: NOW,
        })
        .await
        .unwrap();
    store
        .create_token(&token(20, "web", None, 1))
        .await
        .unwrap();
    store
        .create_token(&token(21, "tusky", Some(Id(10)), 1))
        .await
        .unwrap();
    store
        .create_token(&token(22, "gone", Some(Id(10)), 1))
        .await
        .unwrap();
    store
        .create_token(&token(23, "bob", None, 2))
        .await
        .unwrap();
    store.revoke_token(Id(22), NOW).await.unwrap();
    store
        .touch_token(Id(21), Timestamp(NOW.0 + 5))
        .await
        .unwrap();

    let listed = store.account_tokens(Id(1), NOW, 10).await.unwrap();
    let ids: Vec<i64> = listed.iter().map(|l| l.token.id.0).collect();
    assert_eq!(ids, vec![21, 20], "live ones, newest first");
    assert_eq!(listed[0].app_name.as_deref(), Some("Tusky"));
    assert_eq!(listed[0].app_website.as_deref(), Some("https://tusky.app"));
    assert_eq!(listed[0].token.last_used_at, Some(Timestamp(NOW.0 + 5)));
    assert_eq!(
        (listed[1].app_name.clone(), listed[1].token.last_used_at),
        (None, None)
    );

    // Nobody revokes another's token.
    assert!(
        !store
            .revoke_account_token(Id(1), Id(23), NOW)
            .await
            .unwrap()
    );
    assert!(
        store
            .revoke_account_token(Id(1), Id(21), NOW)
            .await
            .unwrap()
    );
    assert!(
        !store
            .revoke_account_token(Id(1), Id(21), NOW)
            .await
            .unwrap()
    );
    let ids: Vec<i64> = store
        .account_tokens(Id(1), NOW, 10)
        .await
        .unwrap()
        .iter()
        .map(|l| l.token.id.0)
        .collect();
    assert_eq!(ids, vec![20]);
    assert_eq!(store.account_tokens(Id(2), NOW, 10).await.unwrap().len(), 1);
}
