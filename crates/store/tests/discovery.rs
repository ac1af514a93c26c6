//! Featured hashtags, endorsements, follow suggestions and announcements — on both databases.

use rhizome_model::{
    CardKind, Follow, Id, NewStatus, PreviewCard, QuoteState, Timestamp, Visibility,
};
use rhizome_store::{Announcement, FollowTable, PageRequest, Store, StoreError, SuggestionSource};
use rhizome_testkit::fixtures::{NOW, local_user, remote_account, status};
use rhizome_testkit::{TestDatabase, on_both_databases};

on_both_databases!(
    featured_tags_count_public_use_and_stop_at_the_limit,
    endorsements_follow_the_follow,
    suggestions_rank_friends_of_friends_and_exclude,
    announcements_are_dismissed_and_reacted_to,
    preview_cards_are_shared_refreshed_and_counted_for_trends,
    accepted_quotes_are_counted_and_listed,
);

const ALICE: i64 = 1;
const BOB: i64 = 2;
const CAROL: i64 = 3;
const DAN: i64 = 4;
const ERIN: i64 = 5;
const REMOTE: i64 = 6;

async fn seeded(db: &TestDatabase) -> Store {
    let store = db.store().await;
    for (id, name) in [
        (ALICE, "alice"),
        (BOB, "bob"),
        (CAROL, "carol"),
        (DAN, "dan"),
        (ERIN, "erin"),
    ] {
        store
            .create_local_user(&local_user(id, name))
            .await
            .unwrap();
    }
    store
        .upsert_remote_account(&remote_account(REMOTE, "rae", "remote.example"))
        .await
        .unwrap();
    store
}

async fn follow(store: &Store, id: i64, from: i64, to: i64) {
    store
        .upsert_follow(
            FollowTable::Follows,
            &Follow {
                id: Id(id),
                account_id: Id(from),
                target_account_id: Id(to),
                uri: None,
                show_reblogs: true,
                notify: false,
                created_at: NOW,
            },
        )
        .await
        .unwrap();
}

async fn post(store: &Store, id: i64, author: i64, visibility: Visibility, tags: &[&str]) {
    store
        .insert_status(&NewStatus {
            status: status(id, author, visibility, author != REMOTE),
            mentions: vec![],
            tags: tags.iter().map(|t| t.to_string()).collect(),
            attachments: vec![],
        })
        .await
        .unwrap();
}

async fn tag_id(store: &Store, name: &str) -> Id {
    store.ensure_tag(Id(9000), name, NOW).await.unwrap()
}

async fn featured_tags_count_public_use_and_stop_at_the_limit(db: &TestDatabase) {
    let store = seeded(db).await;
    post(&store, 100, ALICE, Visibility::Public, &["Rust", "cats"]).await;
    post(&store, 101, ALICE, Visibility::Unlisted, &["rust"]).await;
    // Followers-only and direct posts are not shown on the profile: not counted.
    post(&store, 102, ALICE, Visibility::Private, &["rust"]).await;
    post(&store, 103, ALICE, Visibility::Direct, &["rust"]).await;
    post(&store, 104, BOB, Visibility::Public, &["rust"]).await;
    post(&store, 105, ALICE, Visibility::Public, &["cats"]).await;
    post(&store, 106, ALICE, Visibility::Public, &["cats", "dogs"]).await;

    // The author's own use, most used first.
    assert_eq!(
        store.most_used_tags(Id(ALICE), 10).await.unwrap(),
        ["Rust", "cats", "dogs"]
    );

    let rust = tag_id(&store, "rust").await;
    let featured = store
        .add_featured_tag(Id(200), Id(ALICE), rust, 10, NOW)
        .await
        .unwrap();
    assert_eq!(
        (
            featured.id,
            featured.name.to_lowercase().as_str(),
            featured.statuses_count,
            featured.last_status_at
        ),
        (Id(200), "rust", 2, Some(Timestamp(NOW.0 + 101)))
    );
    assert!(matches!(
        store
            .add_featured_tag(Id(201), Id(ALICE), rust, 10, NOW)
            .await,
        Err(StoreError::Conflict(_))
    ));
    // Featured tags are no longer suggested.
    assert_eq!(
        store.most_used_tags(Id(ALICE), 10).await.unwrap(),
        ["cats", "dogs"]
    );
    // A tag never used is featured with no posts.
    let unused = store.ensure_tag(Id(9001), "unused", NOW).await.unwrap();
    let empty = store
        .add_featured_tag(Id(202), Id(ALICE), unused, 2, NOW)
        .await
        .unwrap();
    assert_eq!((empty.statuses_count, empty.last_status_at), (0, None));
    let cats = tag_id(&store, "cats").await;
    assert!(matches!(
        store
            .add_featured_tag(Id(203), Id(ALICE), cats, 2, NOW)
            .await,
        Err(StoreError::Conflict(_))
    ));
    let listed = store.featured_tags(Id(ALICE)).await.unwrap();
    assert_eq!(
        listed.iter().map(|t| t.id.0).collect::<Vec<_>>(),
        [200, 202]
    );
    assert!(store.featured_tags(Id(BOB)).await.unwrap().is_empty());

    // Only the owner removes their own.
    assert!(!store.remove_featured_tag(Id(BOB), Id(200)).await.unwrap());
    assert!(store.remove_featured_tag(Id(ALICE), Id(200)).await.unwrap());
    assert!(!store.remove_featured_tag(Id(ALICE), Id(200)).await.unwrap());
    assert_eq!(store.featured_tags(Id(ALICE)).await.unwrap().len(), 1);

    // Requests racing for the last places do not go over the limit.
    let mut racing = Vec::new();
    for i in 0..6 {
        let tag = store
            .ensure_tag(Id(9100 + i), &format!("race{i}"), NOW)
            .await
            .unwrap();
        let store = store.clone();
        racing.push(tokio::spawn(async move {
            store
                .add_featured_tag(Id(300 + i), Id(BOB), tag, 3, NOW)
                .await
        }));
    }
    let mut featured = 0;
    for task in racing {
        match task.await.unwrap() {
            Ok(_) => featured += 1,
            Err(StoreError::Conflict(_)) => {}
            Err(other) => panic!("unexpected {other}"),
        }
    }
    assert_eq!(featured, 3);
    assert_eq!(store.featured_tags(Id(BOB)).await.unwrap().len(), 3);
}

async fn endorsements_follow_the_follow(db: &TestDatabase) {
    let store = seeded(db).await;
    for (id, target) in [(10, BOB), (11, CAROL), (12, DAN), (13, REMOTE)] {
        follow(&store, id, ALICE, target).await;
    }
    for (id, target) in [(20, BOB), (21, CAROL), (22, DAN), (23, REMOTE)] {
        assert!(
            store
                .endorse(Id(id), Id(ALICE), Id(target), NOW)
                .await
                .unwrap()
        );
    }
    assert!(
        !store
            .endorse(Id(24), Id(ALICE), Id(BOB), NOW)
            .await
            .unwrap()
    );

    let rel = store
        .relationships(Id(ALICE), &[Id(BOB), Id(ERIN)], NOW)
        .await
        .unwrap();
    assert!(rel[&Id(BOB)].endorsed && rel[&Id(BOB)].following);
    assert!(!rel[&Id(ERIN)].endorsed);

    // Newest endorsement first, pages by endorsement.
    let first = store
        .endorsements(Id(ALICE), &PageRequest::first(2))
        .await
        .unwrap();
    assert_eq!(
        first.items.iter().map(|a| a.id.0).collect::<Vec<_>>(),
        [REMOTE, DAN]
    );
    let next = PageRequest {
        max_id: first.oldest_id,
        ..PageRequest::first(2)
    };
    let second = store.endorsements(Id(ALICE), &next).await.unwrap();
    assert_eq!(
        second.items.iter().map(|a| a.id.0).collect::<Vec<_>>(),
        [CAROL, BOB]
    );

    // Unfollowing drops the endorsement; so does a block, either way.
    store
        .delete_follow(FollowTable::Follows, Id(ALICE), Id(BOB))
        .await
        .unwrap();
    store
        .block(Id(30), Id(CAROL), Id(ALICE), None, NOW)
        .await
        .unwrap();
    assert!(store.unendorse(Id(ALICE), Id(DAN)).await.unwrap());
    assert!(!store.unendorse(Id(ALICE), Id(DAN)).await.unwrap());
    let left = store
        .endorsements(Id(ALICE), &PageRequest::first(40))
        .await
        .unwrap();
    assert_eq!(
        left.items.iter().map(|a| a.id.0).collect::<Vec<_>>(),
        [REMOTE]
    );
    let rel = store
        .relationships(Id(ALICE), &[Id(BOB)], NOW)
        .await
        .unwrap();
    assert!(!rel[&Id(BOB)].endorsed);
}

async fn suggestions_rank_friends_of_friends_and_exclude(db: &TestDatabase) {
    let store = seeded(db).await;
    let since = Timestamp(NOW.0 - 1);
    let ids = |found: &[(rhizome_model::Account, SuggestionSource)]| {
        found.iter().map(|(a, _)| a.id.0).collect::<Vec<_>>()
    };
    // Alice follows Bob and Carol; both follow Dan, Bob also follows the remote account.
    follow(&store, 1, ALICE, BOB).await;
    follow(&store, 2, ALICE, CAROL).await;
    follow(&store, 3, BOB, DAN).await;
    follow(&store, 4, CAROL, DAN).await;
    follow(&store, 5, BOB, REMOTE).await;
    follow(&store, 6, BOB, ALICE).await;
    // Erin posted lately; Dan too.
    post(&store, 100, ERIN, Visibility::Public, &[]).await;
    post(&store, 101, DAN, Visibility::Public, &[]).await;

    let found = store.suggestions(Id(ALICE), 40, since, NOW).await.unwrap();
    assert_eq!(ids(&found), [DAN, REMOTE, ERIN]);
    assert_eq!(
        found.iter().map(|(_, s)| *s).collect::<Vec<_>>(),
        [
            SuggestionSource::FriendsOfFriends,
            SuggestionSource::FriendsOfFriends,
            SuggestionSource::MostFollowed
        ]
    );
    assert_eq!(
        ids(&store.suggestions(Id(ALICE), 1, since, NOW).await.unwrap()),
        [DAN]
    );
    // Nobody posted lately: no local filler.
    let later = Timestamp(NOW.0 + 1000);
    assert_eq!(
        ids(&store.suggestions(Id(ALICE), 40, later, NOW).await.unwrap()),
        [DAN, REMOTE]
    );

    // Dismissed, muted, blocked, requested, domain-blocked and undiscoverable accounts go.
    store
        .dismiss_suggestion(Id(ALICE), Id(DAN), NOW)
        .await
        .unwrap();
    store
        .dismiss_suggestion(Id(ALICE), Id(DAN), NOW)
        .await
        .unwrap();
    assert_eq!(
        ids(&store.suggestions(Id(ALICE), 40, since, NOW).await.unwrap()),
        [REMOTE, ERIN]
    );
    store
        .block_domain_for_user(Id(40), Id(ALICE), "Remote.Example", NOW)
        .await
        .unwrap();
    store
        .mute(Id(41), Id(ALICE), Id(ERIN), true, None, NOW)
        .await
        .unwrap();
    assert!(
        store
            .suggestions(Id(ALICE), 40, since, NOW)
            .await
            .unwrap()
            .is_empty()
    );
    // An expired mute no longer hides; a block by the other side does.
    store
        .mute(Id(41), Id(ALICE), Id(ERIN), true, Some(NOW), NOW)
        .await
        .unwrap();
    assert_eq!(
        ids(&store.suggestions(Id(ALICE), 40, since, NOW).await.unwrap()),
        [ERIN]
    );
    store
        .block(Id(42), Id(ERIN), Id(ALICE), None, NOW)
        .await
        .unwrap();
    assert!(
        store
            .suggestions(Id(ALICE), 40, since, NOW)
            .await
            .unwrap()
            .is_empty()
    );
    // Dan follows nobody: only active local accounts, and not those he asked to follow.
    let for_dan = store.suggestions(Id(DAN), 40, since, NOW).await.unwrap();
    assert_eq!(ids(&for_dan), [ERIN]);
    store
        .upsert_follow(
            FollowTable::Requests,
            &Follow {
                id: Id(50),
                account_id: Id(DAN),
                target_account_id: Id(ERIN),
                uri: None,
                show_reblogs: true,
                notify: false,
                created_at: NOW,
            },
        )
        .await
        .unwrap();
    assert!(
        store
            .suggestions(Id(DAN), 40, since, NOW)
            .await
            .unwrap()
            .is_empty()
    );
}

fn announcement(id: i64, ends_at: Option<Timestamp>) -> Announcement {
    Announcement {
        id: Id(id),
        text: format!("news {id} @bob #Tea"),
        content: format!("<p>news {id}</p>"),
        mention_ids: vec![Id(BOB)],
        tags: vec!["Tea".into()],
        starts_at: None,
        ends_at,
        all_day: false,
        published_at: NOW,
        updated_at: NOW,
    }
}

async fn announcements_are_dismissed_and_reacted_to(db: &TestDatabase) {
    let store = seeded(db).await;
    store
        .insert_announcement(&announcement(1, None))
        .await
        .unwrap();
    store
        .insert_announcement(&announcement(2, Some(Timestamp(NOW.0 + 10))))
        .await
        .unwrap();
    assert_eq!(
        store.announcement(Id(1)).await.unwrap(),
        Some(announcement(1, None))
    );
    let ids = |list: Vec<Announcement>| list.iter().map(|a| a.id.0).collect::<Vec<_>>();
    assert_eq!(ids(store.announcements(Some(NOW)).await.unwrap()), [1, 2]);
    assert_eq!(
        ids(store
            .announcements(Some(Timestamp(NOW.0 + 10)))
            .await
            .unwrap()),
        [1]
    );
    assert_eq!(ids(store.announcements(None).await.unwrap()), [1, 2]);
    // An event announced for earlier comes first, whenever it was published.
    let mut earlier = announcement(3, None);
    earlier.starts_at = Some(Timestamp(NOW.0 - 1));
    store.insert_announcement(&earlier).await.unwrap();
    assert_eq!(ids(store.announcements(None).await.unwrap()), [3, 1, 2]);
    assert!(store.delete_announcement(Id(3)).await.unwrap());

    store.dismiss_announcement(Id(1), Id(ALICE)).await.unwrap();
    store.dismiss_announcement(Id(1), Id(ALICE)).await.unwrap();
    let dismissed = store
        .dismissed_announcements(Id(ALICE), &[Id(1), Id(2)])
        .await
        .unwrap();
    assert_eq!(dismissed.into_iter().collect::<Vec<_>>(), [Id(1)]);
    assert!(
        store
            .dismissed_announcements(Id(BOB), &[Id(1), Id(2)])
            .await
            .unwrap()
            .is_empty()
    );

    for (at, who, name) in [(0, ALICE, "🍵"), (1, BOB, "🍵"), (2, BOB, "blobcat")] {
        assert!(
            store
                .set_announcement_reaction(Id(1), Id(who), name, true, Timestamp(NOW.0 + at))
                .await
                .unwrap()
        );
    }
    assert!(
        !store
            .set_announcement_reaction(Id(1), Id(ALICE), "🍵", true, NOW)
            .await
            .unwrap()
    );
    let reactions = store
        .announcement_reactions(&[Id(1), Id(2)], Id(ALICE))
        .await
        .unwrap();
    let shown: Vec<(String, i64, bool)> = reactions[&Id(1)]
        .iter()
        .map(|r| (r.name.clone(), r.count, r.me))
        .collect();
    assert_eq!(
        shown,
        [("🍵".to_owned(), 2, true), ("blobcat".to_owned(), 1, false)]
    );
    assert!(!reactions.contains_key(&Id(2)));
    assert!(
        store
            .set_announcement_reaction(Id(1), Id(ALICE), "🍵", false, NOW)
            .await
            .unwrap()
    );
    let reactions = store
        .announcement_reactions(&[Id(1)], Id(ALICE))
        .await
        .unwrap();
    assert_eq!(
        reactions[&Id(1)]
            .iter()
            .map(|r| (r.count, r.me))
            .collect::<Vec<_>>(),
        [(1, false), (1, false)]
    );

    // Removing an announcement takes its dismissals and reactions along.
    assert!(store.delete_announcement(Id(1)).await.unwrap());
    assert!(!store.delete_announcement(Id(1)).await.unwrap());
    assert!(
        store
            .announcement_reactions(&[Id(1)], Id(ALICE))
            .await
            .unwrap()
            .is_empty()
    );
}

fn card(id: i64, url: &str, title: &str, fetched_at: Timestamp) -> PreviewCard {
    PreviewCard {
        id: Id(id),
        url: url.into(),
        title: title.into(),
        description: "Described".into(),
        kind: CardKind::Video,
        author_name: "Ada".into(),
        author_url: String::new(),
        provider_name: "News".into(),
        provider_url: "https://news.example".into(),
        image_url: Some("https://news.example/cover.png".into()),
        width: 640,
        height: 320,
        image_description: String::new(),
        language: Some("fr".into()),
        published_at: Some(NOW),
        fetched_at,
    }
}

async fn preview_cards_are_shared_refreshed_and_counted_for_trends(db: &TestDatabase) {
    let store = seeded(db).await;
    let since = Timestamp(NOW.0 - 86_400_000);
    let base = Id::lowest_at(NOW.0).0;
    post(&store, base + 1, ALICE, Visibility::Public, &[]).await;
    post(&store, base + 2, BOB, Visibility::Public, &[]).await;
    post(&store, base + 3, CAROL, Visibility::Private, &[]).await;
    let url = "https://news.example/a";
    let first = card(700, url, "First", NOW);
    assert_eq!(store.save_preview_card(&first).await.unwrap(), Id(700));
    assert_eq!(
        store.preview_card_by_url(url).await.unwrap(),
        Some(first.clone())
    );
    // Read again: same row, new contents.
    let later = Timestamp(NOW.0 + 1000);
    let again = card(701, url, "Second", later);
    assert_eq!(store.save_preview_card(&again).await.unwrap(), Id(700));
    let stored = store.preview_card_by_url(url).await.unwrap().unwrap();
    assert_eq!((stored.id, stored.title.as_str()), (Id(700), "Second"));
    assert_eq!(stored.fetched_at, later);
    for post in [base + 1, base + 2, base + 3] {
        store
            .set_status_card(Id(post), Some(Id(700)))
            .await
            .unwrap();
    }
    let cards = store
        .cards_of(&[Id(base + 1), Id(base + 2), Id(999_999)])
        .await
        .unwrap();
    assert_eq!(cards.len(), 2);
    assert_eq!(cards[&Id(base + 1)].kind, CardKind::Video);
    // Public posts count for trends, the followers-only one does not.
    let shares = store.recent_public_card_shares(since, 10).await.unwrap();
    assert_eq!(
        shares,
        vec![
            (Id(base + 2), Id(BOB), Id(700)),
            (Id(base + 1), Id(ALICE), Id(700))
        ]
    );
    store.set_status_card(Id(base + 2), None).await.unwrap();
    assert_eq!(
        store
            .recent_public_card_shares(since, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store.preview_cards_by_ids(&[Id(700)]).await.unwrap()[0].title,
        "Second"
    );
}

async fn accepted_quotes_are_counted_and_listed(db: &TestDatabase) {
    let store = seeded(db).await;
    post(&store, 100, ALICE, Visibility::Public, &[]).await;
    for (id, author, state) in [
        (101, BOB, QuoteState::Accepted),
        (102, CAROL, QuoteState::Accepted),
        (103, DAN, QuoteState::Pending),
        (104, ERIN, QuoteState::Accepted),
    ] {
        let mut quote = status(id, author, Visibility::Public, true);
        quote.quote_of_id = Some(Id(100));
        quote.quote_state = Some(state);
        store
            .insert_status(&NewStatus {
                status: quote,
                mentions: vec![],
                tags: vec![],
                attachments: vec![],
            })
            .await
            .unwrap();
    }
    let counts = store.quotes_counts(&[Id(100), Id(101)]).await.unwrap();
    assert_eq!(counts.get(&Id(100)), Some(&3));
    assert_eq!(counts.get(&Id(101)), None);
    // The same, read with the other counts of a page of statuses.
    let with_quotes = store
        .status_counts_with_quotes(&[Id(100), Id(101)])
        .await
        .unwrap();
    assert_eq!(with_quotes[&Id(100)].1, 3);
    assert_eq!(with_quotes[&Id(101)].1, 0);
    store
        .set_quote_state(Id(104), QuoteState::Revoked, None)
        .await
        .unwrap();
    let page = store
        .quotes_of(Id(100), Some(Id(ALICE)), NOW, &PageRequest::first(1))
        .await
        .unwrap();
    assert_eq!(
        page.items.iter().map(|s| s.id).collect::<Vec<_>>(),
        [Id(102)]
    );
    let rest = PageRequest {
        max_id: page.oldest_id,
        ..PageRequest::first(10)
    };
    let page = store
        .quotes_of(Id(100), Some(Id(ALICE)), NOW, &rest)
        .await
        .unwrap();
    assert_eq!(
        page.items.iter().map(|s| s.id).collect::<Vec<_>>(),
        [Id(101)]
    );
}
