//! Web Push subscriptions — on both databases: one per token, updated in place, gone with
//! their token.

use rhizome_model::{
    Id, NotificationKind, PushAlerts, PushPolicy, PushSubscription, Scopes, Timestamp,
};
use rhizome_store::{NewApp, NewToken, Store};
use rhizome_testkit::fixtures::{NOW, local_user};
use rhizome_testkit::{TestDatabase, on_both_databases};

on_both_databases!(
    one_subscription_per_token,
    subscriptions_are_updated_and_deleted,
    revoking_tokens_removes_their_subscriptions,
);

const ALICE: i64 = 1;
const BOB: i64 = 2;
const APP: i64 = 10;

async fn seeded(db: &TestDatabase) -> Store {
    let store = db.store().await;
    for (id, name) in [(ALICE, "alice"), (BOB, "bob")] {
        store
            .create_local_user(&local_user(id, name))
            .await
            .unwrap();
    }
    store
        .create_app(&NewApp {
            id: Id(APP),
            name: "Push client".into(),
            website: None,
            redirect_uris: vec!["urn:ietf:wg:oauth:2.0:oob".into()],
            scopes: Scopes::parse("read push").unwrap(),
            client_id: "cid".into(),
            client_secret: "secret".into(),
            created_at: NOW,
        })
        .await
        .unwrap();
    store
}

async fn token(store: &Store, id: i64, account: i64) -> Id {
    store
        .create_token(&NewToken {
            id: Id(id),
            token_digest: format!("digest-{id}"),
            refresh_digest: None,
            app_id: Some(Id(APP)),
            account_id: Some(Id(account)),
            scopes: Scopes::parse("push").unwrap(),
            created_at: NOW,
            expires_at: None,
        })
        .await
        .unwrap();
    Id(id)
}

fn subscription(id: i64, account: i64, token: Id, endpoint: &str) -> PushSubscription {
    PushSubscription {
        id: Id(id),
        account_id: Id(account),
        token_id: token,
        endpoint: endpoint.into(),
        p256dh: "BPublicKey".into(),
        auth: "authsecret".into(),
        standard: true,
        alerts: PushAlerts::new([NotificationKind::Mention, NotificationKind::AdminSignUp]),
        policy: PushPolicy::Followed,
        sealed_token: "sealed".into(),
        created_at: NOW,
        updated_at: NOW,
    }
}

async fn one_subscription_per_token(db: &TestDatabase) {
    let store = seeded(db).await;
    let phone = token(&store, 20, ALICE).await;
    let laptop = token(&store, 21, ALICE).await;
    let first = subscription(100, ALICE, phone, "https://push.example/a");
    store.replace_push_subscription(&first).await.unwrap();
    assert_eq!(
        store.push_subscription_of_token(phone).await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(store.push_subscription(Id(100)).await.unwrap(), Some(first));

    // Subscribing again with the same token replaces the subscription.
    let mut second = subscription(101, ALICE, phone, "https://push.example/b");
    second.standard = false;
    second.policy = PushPolicy::All;
    second.alerts = PushAlerts::default();
    store.replace_push_subscription(&second).await.unwrap();
    assert_eq!(store.push_subscription(Id(100)).await.unwrap(), None);
    assert_eq!(
        store.push_subscription_of_token(phone).await.unwrap(),
        Some(second.clone())
    );

    let third = subscription(102, ALICE, laptop, "https://push.example/c");
    store.replace_push_subscription(&third).await.unwrap();
    assert_eq!(
        store
            .push_subscriptions_of_account(Id(ALICE))
            .await
            .unwrap(),
        vec![second, third]
    );
    assert!(
        store
            .push_subscriptions_of_account(Id(BOB))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn subscriptions_are_updated_and_deleted(db: &TestDatabase) {
    let store = seeded(db).await;
    let phone = token(&store, 20, ALICE).await;
    let other = token(&store, 21, BOB).await;
    store
        .replace_push_subscription(&subscription(100, ALICE, phone, "https://push.example/a"))
        .await
        .unwrap();
    let later = Timestamp(NOW.0 + 1_000);
    let alerts = PushAlerts::new([NotificationKind::Favourite, NotificationKind::Poll]);
    let updated = store
        .update_push_subscription(phone, &alerts, PushPolicy::None, later)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            updated.alerts,
            updated.policy,
            updated.updated_at,
            updated.created_at
        ),
        (alerts.clone(), PushPolicy::None, later, NOW)
    );
    assert_eq!(
        store
            .push_subscription_of_token(phone)
            .await
            .unwrap()
            .unwrap()
            .alerts,
        alerts
    );
    // A token without a subscription has nothing to update or delete.
    assert_eq!(
        store
            .update_push_subscription(other, &alerts, PushPolicy::All, later)
            .await
            .unwrap(),
        None
    );
    assert!(
        !store
            .delete_push_subscription_of_token(other)
            .await
            .unwrap()
    );

    assert!(
        store
            .delete_push_subscription_of_token(phone)
            .await
            .unwrap()
    );
    assert_eq!(store.push_subscription_of_token(phone).await.unwrap(), None);

    store
        .replace_push_subscription(&subscription(101, ALICE, phone, "https://push.example/a"))
        .await
        .unwrap();
    assert!(store.delete_push_subscription(Id(101)).await.unwrap());
    assert!(!store.delete_push_subscription(Id(101)).await.unwrap());
}

async fn revoking_tokens_removes_their_subscriptions(db: &TestDatabase) {
    let store = seeded(db).await;
    let phone = token(&store, 20, ALICE).await;
    let laptop = token(&store, 21, ALICE).await;
    let bobs = token(&store, 22, BOB).await;
    for (id, account, token) in [(100, ALICE, phone), (101, ALICE, laptop), (102, BOB, bobs)] {
        store
            .replace_push_subscription(&subscription(id, account, token, "https://push.example/"))
            .await
            .unwrap();
    }
    assert!(store.revoke_token(phone, NOW).await.unwrap());
    assert_eq!(store.push_subscription_of_token(phone).await.unwrap(), None);
    assert!(
        store
            .push_subscription_of_token(laptop)
            .await
            .unwrap()
            .is_some()
    );

    assert_eq!(
        store.revoke_account_tokens(Id(ALICE), NOW).await.unwrap(),
        1
    );
    assert!(
        store
            .push_subscriptions_of_account(Id(ALICE))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .push_subscriptions_of_account(Id(BOB))
            .await
            .unwrap()
            .len(),
        1
    );

    // Deleting the account takes its subscriptions along.
    assert!(store.delete_account(Id(BOB)).await.unwrap());
    assert_eq!(store.push_subscription(Id(102)).await.unwrap(), None);
}
