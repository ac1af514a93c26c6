//! Reports, accounts' moderation state, the moderation log and the admin account list — on
//! both databases.

use rhizome_model::{Follow, Id, NewStatus, Timestamp, Visibility};
use rhizome_store::{
    AccountWarning, AdminAccountFilter, CanonicalEmailBlock, Dimension, EmailDomainBlock,
    FollowTable, IpBlock, Measure, ModerationEntry, PageRequest, PublicFilter, Report,
    ReportFilter, SignupBlockTable, Store,
};
use rhizome_testkit::fixtures::{NOW, local_user, remote_account, status};
use rhizome_testkit::{TestDatabase, on_both_databases};

on_both_databases!(
    reports_are_filed_handled_and_listed,
    moderation_state_limits_and_hides,
    admin_account_filters,
    the_moderation_log_keeps_every_action,
    signup_blocks_are_kept_matched_and_removed,
    measures_and_dimensions_count_within_the_range,
    warnings_are_kept_and_named_by_notifications,
    users_addresses_are_kept_latest_first_and_bounded,
);

const ALICE: i64 = 1;
const BOB: i64 = 2;
const CAROL: i64 = 3;
const REMOTE: i64 = 4;

async fn seeded(db: &TestDatabase) -> Store {
    let store = db.store().await;
    for (id, name) in [(ALICE, "alice"), (BOB, "bob_b"), (CAROL, "carol")] {
        store
            .create_local_user(&local_user(id, name))
            .await
            .unwrap();
    }
    store
        .upsert_remote_account(&remote_account(REMOTE, "dave", "remote.example"))
        .await
        .unwrap();
    store
}

fn plain(id: i64, author: i64) -> NewStatus {
    NewStatus {
        status: status(id, author, Visibility::Public, author != REMOTE),
        mentions: vec![],
        tags: vec![],
        attachments: vec![],
    }
}

fn report(id: i64, from: i64, about: i64) -> Report {
    Report {
        id: Id(id),
        account_id: Id(from),
        target_account_id: Id(about),
        status_ids: vec![Id(10)],
        comment: "spam".into(),
        category: "spam".into(),
        rule_ids: vec!["2".into()],
        uri: None,
        forwarded: false,
        assigned_account_id: None,
        action_taken_at: None,
        action_taken_by_account_id: None,
        created_at: Timestamp(NOW.0 + id),
        updated_at: Timestamp(NOW.0 + id),
    }
}

fn ids<T>(items: &[T], id: impl Fn(&T) -> Id) -> Vec<i64> {
    items.iter().map(|item| id(item).0).collect()
}

async fn reports_are_filed_handled_and_listed(db: &TestDatabase) {
    let store = seeded(db).await;
    store.insert_report(&report(100, ALICE, BOB)).await.unwrap();
    store.insert_report(&report(101, CAROL, BOB)).await.unwrap();
    store
        .insert_report(&report(102, ALICE, REMOTE))
        .await
        .unwrap();
    let mut first = store.report(Id(100)).await.unwrap().unwrap();
    assert_eq!(first, report(100, ALICE, BOB));
    assert_eq!(store.report(Id(999)).await.unwrap(), None);

    first.assigned_account_id = Some(Id(CAROL));
    first.action_taken_at = Some(Timestamp(NOW.0 + 500));
    first.action_taken_by_account_id = Some(Id(CAROL));
    first.updated_at = Timestamp(NOW.0 + 500);
    store.update_report(&first).await.unwrap();
    assert_eq!(store.report(Id(100)).await.unwrap().unwrap(), first);
    let mut missing = report(999, ALICE, BOB);
    missing.forwarded = true;
    assert!(store.update_report(&missing).await.is_err());

    let list = |filter: ReportFilter| {
        let store = store.clone();
        async move {
            let page = store
                .reports_page(&filter, &PageRequest::first(10))
                .await
                .unwrap();
            ids(&page.items, |r| r.id)
        }
    };
    assert_eq!(list(ReportFilter::default()).await, vec![102, 101]);
    assert_eq!(
        list(ReportFilter {
            resolved: true,
            ..Default::default()
        })
        .await,
        vec![100]
    );
    assert_eq!(
        list(ReportFilter {
            account_id: Some(Id(ALICE)),
            ..Default::default()
        })
        .await,
        vec![102]
    );
    assert_eq!(
        list(ReportFilter {
            target_account_id: Some(Id(BOB)),
            ..Default::default()
        })
        .await,
        vec![101]
    );
    let (page, total) = store.reports_numbered(None, 1, 1).await.unwrap();
    assert_eq!((ids(&page, |r| r.id), total), (vec![101], 3));
    let (page, total) = store.reports_numbered(Some(false), 0, 10).await.unwrap();
    assert_eq!((ids(&page, |r| r.id), total), (vec![102, 101], 2));
    let (page, total) = store.reports_numbered(Some(true), 0, 10).await.unwrap();
    assert_eq!((ids(&page, |r| r.id), total), (vec![100], 1));
    let until = Timestamp(NOW.0 + 1000);
    assert_eq!(
        store
            .measure(Measure::OpenedReports, NOW, until)
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        store
            .measure(Measure::ResolvedReports, NOW, until)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .measure(Measure::ResolvedReports, NOW, Timestamp(NOW.0 + 500))
            .await
            .unwrap(),
        0
    );
}

async fn moderation_state_limits_and_hides(db: &TestDatabase) {
    let store = seeded(db).await;
    store.insert_status(&plain(10, BOB)).await.unwrap();
    store.insert_status(&plain(11, CAROL)).await.unwrap();
    store
        .upsert_follow(
            FollowTable::Follows,
            &Follow {
                id: Id(50),
                account_id: Id(ALICE),
                target_account_id: Id(BOB),
                uri: None,
                show_reblogs: true,
                notify: false,
                created_at: NOW,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        store.moderation_state(Id(BOB)).await.unwrap(),
        Default::default()
    );
    store
        .set_silenced(Id(BOB), Some(Timestamp(NOW.0 + 1)))
        .await
        .unwrap();
    store
        .set_sensitized(Id(BOB), Some(Timestamp(NOW.0 + 2)))
        .await
        .unwrap();
    store.set_disabled(Id(BOB), true).await.unwrap();
    let state = store.moderation_state(Id(BOB)).await.unwrap();
    assert_eq!(state.silenced_at, Some(Timestamp(NOW.0 + 1)));
    assert_eq!(state.sensitized_at, Some(Timestamp(NOW.0 + 2)));
    assert!(state.disabled);
    // Remote accounts have no login to disable.
    assert!(store.set_disabled(Id(REMOTE), true).await.is_err());
    assert!(!store.moderation_state(Id(REMOTE)).await.unwrap().disabled);

    // A limited account reaches the public timeline of its followers only.
    let public = |viewer: Option<i64>| {
        let store = store.clone();
        async move {
            let page = store
                .public_timeline(
                    viewer.map(Id),
                    PublicFilter::default(),
                    NOW,
                    &PageRequest::first(10),
                )
                .await
                .unwrap();
            ids(&page.items, |s| s.id)
        }
    };
    assert_eq!(public(Some(ALICE)).await, vec![11, 10]);
    assert_eq!(public(Some(CAROL)).await, vec![11]);
    assert_eq!(public(None).await, vec![11]);
    store.set_silenced(Id(BOB), None).await.unwrap();
    assert_eq!(public(None).await, vec![11, 10]);

    // Marking sensitive: the chosen statuses of that account only.
    assert_eq!(
        store
            .mark_statuses_sensitive(Id(BOB), Some(&[Id(10), Id(11)]))
            .await
            .unwrap(),
        1
    );
    assert!(store.status(Id(10)).await.unwrap().unwrap().sensitive);
    assert!(!store.status(Id(11)).await.unwrap().unwrap().sensitive);
    assert_eq!(
        store
            .mark_statuses_sensitive(Id(CAROL), None)
            .await
            .unwrap(),
        0,
        "no media, nothing to mark"
    );

    // A suspended author's statuses are hidden.
    store
        .set_suspended(Id(BOB), Some(Timestamp(NOW.0 + 3)))
        .await
        .unwrap();
    assert_eq!(store.visible_status(Id(10), None).await.unwrap(), None);
    assert_eq!(store.status_ids_of(Id(BOB)).await.unwrap(), vec![Id(10)]);
}

async fn admin_account_filters(db: &TestDatabase) {
    let store = seeded(db).await;
    store
        .set_role(Id(CAROL), rhizome_model::Role::Moderator)
        .await
        .unwrap();
    store.set_approved(Id(ALICE), false).await.unwrap();
    store.set_suspended(Id(REMOTE), Some(NOW)).await.unwrap();
    let list = |filter: AdminAccountFilter| {
        let store = store.clone();
        async move {
            let page = store
                .admin_accounts_page(&filter, &PageRequest::first(10))
                .await
                .unwrap();
            ids(&page.items, |a| a.id)
        }
    };
    assert_eq!(list(Default::default()).await, vec![4, 3, 2, 1]);
    let local = |local| AdminAccountFilter {
        local: Some(local),
        ..Default::default()
    };
    assert_eq!(list(local(true)).await, vec![3, 2, 1]);
    assert_eq!(list(local(false)).await, vec![4]);
    let status = |status: &str| AdminAccountFilter {
        status: Some(status.into()),
        ..Default::default()
    };
    assert_eq!(list(status("pending")).await, vec![1]);
    assert_eq!(list(status("suspended")).await, vec![4]);
    assert_eq!(list(status("active")).await, vec![3, 2]);
    assert_eq!(
        list(AdminAccountFilter {
            staff: true,
            ..Default::default()
        })
        .await,
        vec![3]
    );
    assert_eq!(
        list(AdminAccountFilter {
            domain: Some("Remote.Example".into()),
            ..Default::default()
        })
        .await,
        vec![4]
    );
    // `_` is a character, not a wildcard.
    let username = |name: &str| AdminAccountFilter {
        username: Some(name.into()),
        ..Default::default()
    };
    assert_eq!(list(username("BOB_")).await, vec![2]);
    assert_eq!(list(username("a_")).await, Vec::<i64>::new());
    assert_eq!(list(username("%")).await, Vec::<i64>::new());
    assert_eq!(
        list(AdminAccountFilter {
            email: Some("carol@".into()),
            ..Default::default()
        })
        .await,
        vec![3]
    );
    assert_eq!(
        list(AdminAccountFilter {
            query: Some("CAROL@example".into()),
            ..Default::default()
        })
        .await,
        vec![3]
    );
    assert_eq!(
        list(AdminAccountFilter {
            query: Some("dav".into()),
            ..Default::default()
        })
        .await,
        vec![4]
    );
    assert_eq!(
        list(AdminAccountFilter {
            role: Some("moderator".into()),
            ..Default::default()
        })
        .await,
        vec![3]
    );
    let (first, total) = store
        .admin_accounts_numbered(&local(true), 2, 2)
        .await
        .unwrap();
    assert_eq!((ids(&first, |a| a.id), total), (vec![1], 3));
}

async fn the_moderation_log_keeps_every_action(db: &TestDatabase) {
    let store = seeded(db).await;
    for (id, action, target) in [
        (1, "silence", BOB),
        (2, "unsilence", BOB),
        (3, "warn", CAROL),
    ] {
        store
            .insert_moderation_entry(&ModerationEntry {
                id: Id(id),
                account_id: Some(Id(ALICE)),
                action: action.into(),
                target_type: "account".into(),
                target_id: Id(target),
                text: format!("note {id}"),
                created_at: Timestamp(NOW.0 + id),
            })
            .await
            .unwrap();
    }
    let all = store
        .moderation_log(None, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(ids(&all.items, |e| e.id), vec![3, 2, 1]);
    assert_eq!(all.items[2].text, "note 1");
    assert_eq!(all.items[2].account_id, Some(Id(ALICE)));
    let bob = store
        .moderation_log(Some(("account", Id(BOB))), &PageRequest::first(10))
        .await
        .unwrap();
    let actions: Vec<&str> = bob.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["unsilence", "silence"]);
    // Numbered pages (Pleroma's admin API): newest first, with the whole length.
    let (second, total) = store.moderation_log_numbered(2, 2).await.unwrap();
    assert_eq!(total, 3);
    assert_eq!(ids(&second, |e| e.id), vec![1]);
}

async fn signup_blocks_are_kept_matched_and_removed(db: &TestDatabase) {
    let store = seeded(db).await;
    let domain = EmailDomainBlock {
        id: Id(1),
        domain: "spam.example".into(),
        created_at: NOW,
    };
    store.insert_email_domain_block(&domain).await.unwrap();
    assert!(
        store
            .insert_email_domain_block(&EmailDomainBlock {
                id: Id(2),
                ..domain.clone()
            })
            .await
            .is_err()
    );
    assert_eq!(store.email_domain_block(Id(1)).await.unwrap(), Some(domain));
    let blocked = |domains: &[&str]| {
        let store = store.clone();
        let domains: Vec<String> = domains.iter().map(|d| d.to_string()).collect();
        async move { store.email_domain_blocked(&domains).await.unwrap() }
    };
    assert!(blocked(&["mail.spam.example", "spam.example", "example"]).await);
    assert!(!blocked(&["ham.example", "example"]).await);
    assert!(!blocked(&[]).await);

    let canonical = CanonicalEmailBlock {
        id: Id(3),
        canonical_email_hash: "ab".repeat(32),
        created_at: NOW,
    };
    store
        .insert_canonical_email_block(&canonical)
        .await
        .unwrap();
    assert_eq!(
        store
            .canonical_email_blocks_of(&"ab".repeat(32))
            .await
            .unwrap(),
        vec![canonical.clone()]
    );
    assert!(
        store
            .canonical_email_blocks_of("cd")
            .await
            .unwrap()
            .is_empty()
    );

    let mut ip = IpBlock {
        id: Id(4),
        ip: "10.0.0.0/8".into(),
        severity: "sign_up_block".into(),
        comment: "".into(),
        expires_at: Some(Timestamp(NOW.0 + 100)),
        created_at: NOW,
    };
    store.insert_ip_block(&ip).await.unwrap();
    store
        .insert_ip_block(&IpBlock {
            id: Id(5),
            ip: "127.0.0.1/32".into(),
            expires_at: None,
            ..ip.clone()
        })
        .await
        .unwrap();
    let active = |at: i64| {
        let store = store.clone();
        async move {
            let blocks = store.active_ip_blocks(Timestamp(at)).await.unwrap();
            let mut ids: Vec<i64> = blocks.iter().map(|b| b.id.0).collect();
            ids.sort();
            ids
        }
    };
    assert_eq!(active(NOW.0).await, vec![4, 5]);
    assert_eq!(active(NOW.0 + 100).await, vec![5]);
    ip.severity = "no_access".into();
    ip.expires_at = None;
    store.update_ip_block(&ip).await.unwrap();
    assert_eq!(store.ip_block(Id(4)).await.unwrap(), Some(ip.clone()));
    assert_eq!(
        ids(
            &store
                .ip_blocks_page(&PageRequest::first(10))
                .await
                .unwrap()
                .items,
            |b| b.id
        ),
        vec![5, 4]
    );

    for (table, id) in [
        (SignupBlockTable::EmailDomains, 1),
        (SignupBlockTable::CanonicalEmails, 3),
        (SignupBlockTable::Ips, 4),
    ] {
        assert!(store.delete_signup_block(table, Id(id)).await.unwrap());
        assert!(!store.delete_signup_block(table, Id(id)).await.unwrap());
    }
    assert!(!blocked(&["spam.example"]).await);
    assert_eq!(active(NOW.0).await, vec![5]);
}

async fn measures_and_dimensions_count_within_the_range(db: &TestDatabase) {
    let store = seeded(db).await;
    let post = |id: i64, author: i64, language: Option<&str>| {
        let mut new = plain(id, author);
        new.status.language = language.map(str::to_owned);
        new
    };
    for new in [
        post(10, ALICE, Some("en")),
        post(11, BOB, Some("en")),
        post(12, BOB, Some("de")),
        post(13, REMOTE, Some("fr")),
    ] {
        store.insert_status(&new).await.unwrap();
    }
    // A remote reply to Alice and a local boost of Bob's post are interactions.
    let mut reply = post(14, REMOTE, None);
    reply.status.in_reply_to_id = Some(Id(10));
    reply.status.in_reply_to_account_id = Some(Id(ALICE));
    store.insert_status(&reply).await.unwrap();
    let mut boost = post(15, CAROL, None);
    boost.status.reblog_of_id = Some(Id(11));
    store.insert_status(&boost).await.unwrap();
    let until = Timestamp(NOW.0 + 86_400_000);
    let measure = |m: Measure| {
        let store = store.clone();
        async move { store.measure(m, NOW, until).await.unwrap() }
    };
    assert_eq!(measure(Measure::ActiveUsers).await, 3);
    assert_eq!(measure(Measure::Interactions).await, 2);
    assert_eq!(measure(Measure::NewUsers).await, 3);
    assert_eq!(
        store
            .measure(Measure::ActiveUsers, until, Timestamp(until.0 + 1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .dimension(Dimension::Languages, NOW, until, 10)
            .await
            .unwrap(),
        vec![("en".to_owned(), 2), ("de".to_owned(), 1)]
    );
    assert_eq!(
        store
            .dimension(Dimension::Servers, NOW, until, 1)
            .await
            .unwrap(),
        vec![("remote.example".to_owned(), 2)]
    );
}

async fn warnings_are_kept_and_named_by_notifications(db: &TestDatabase) {
    let store = seeded(db).await;
    store.insert_report(&report(5, ALICE, BOB)).await.unwrap();
    let warning = |id: i64, action: &str| AccountWarning {
        id: Id(id),
        account_id: Id(BOB),
        moderator_id: Some(Id(CAROL)),
        action: action.into(),
        text: format!("about {action}"),
        report_id: Some(Id(5)),
        status_ids: vec![Id(10), Id(11)],
        created_at: Timestamp(NOW.0 + id),
    };
    store
        .insert_account_warning(&warning(20, "none"))
        .await
        .unwrap();
    store
        .insert_account_warning(&warning(21, "silence"))
        .await
        .unwrap();
    let kept = store.account_warnings_of(Id(BOB)).await.unwrap();
    assert_eq!(kept, [warning(21, "silence"), warning(20, "none")]);
    assert_eq!(
        store.account_warnings_by_ids(&[Id(20)]).await.unwrap(),
        [warning(20, "none")]
    );
    assert!(
        store
            .account_warnings_of(Id(ALICE))
            .await
            .unwrap()
            .is_empty()
    );
    store
        .insert_notification(&rhizome_model::Notification {
            id: Id(30),
            account_id: Id(BOB),
            from_account_id: Id(BOB),
            kind: rhizome_model::NotificationKind::ModerationWarning,
            status_id: None,
            emoji: None,
            target_account_id: None,
            account_warning_id: Some(Id(21)),
            created_at: NOW,
        })
        .await
        .unwrap();
    let listed = store
        .notifications(Id(BOB), &Default::default(), NOW, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(listed.items[0].account_warning_id, Some(Id(21)));
    // The warned account's deletion takes its warnings along.
    store.delete_account(Id(BOB)).await.unwrap();
    assert!(
        store
            .account_warnings_by_ids(&[Id(20), Id(21)])
            .await
            .unwrap()
            .is_empty()
    );
}

async fn users_addresses_are_kept_latest_first_and_bounded(db: &TestDatabase) {
    let store = seeded(db).await;
    for i in 0..25 {
        store
            .record_user_ip(Id(ALICE), &format!("192.0.2.{i}"), Timestamp(NOW.0 + i))
            .await
            .unwrap();
    }
    // Seen again: its time moves, the row stays one.
    store
        .record_user_ip(Id(ALICE), "192.0.2.10", Timestamp(NOW.0 + 100))
        .await
        .unwrap();
    store
        .record_user_ip(Id(BOB), "192.0.2.10", NOW)
        .await
        .unwrap();
    let ips = store.user_ips(Id(ALICE)).await.unwrap();
    assert_eq!(ips.len(), 20);
    assert_eq!(ips[0], ("192.0.2.10".to_owned(), Timestamp(NOW.0 + 100)));
    assert_eq!(ips[1].0, "192.0.2.24");
    assert!(!ips.iter().any(|(ip, _)| ip == "192.0.2.0"));
    let from = |ip: &str| AdminAccountFilter {
        ip: Some(ip.into()),
        ..Default::default()
    };
    let found = store
        .admin_accounts_page(&from("192.0.2.10"), &PageRequest::first(10))
        .await
        .unwrap();
    let mut ids: Vec<Id> = found.items.iter().map(|a| a.id).collect();
    ids.sort();
    assert_eq!(ids, [Id(ALICE), Id(BOB)]);
    let found = store
        .admin_accounts_page(&from("192.0.2.0"), &PageRequest::first(10))
        .await
        .unwrap();
    assert!(found.items.is_empty());
}
