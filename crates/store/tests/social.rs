//! Statuses, timelines, the social graph, interactions and notifications — on both databases.

use rhizome_model::{
    Attachment, AttachmentKind, Follow, Id, NewStatus, Notification, NotificationKind, Scopes,
    Timestamp, Visibility,
};
use rhizome_store::{
    AccountStatusFilter, AuthorizationCode, FollowTable, Mark, NotificationFilter, PageRequest,
    PoolSize, PublicFilter, Reaction, StatusExtras, Store, TagFilter,
};
use rhizome_testkit::fixtures::{NOW, local_user, remote_account, status};
use rhizome_testkit::{TestDatabase, on_both_databases};

on_both_databases!(
    statuses_keep_their_parts_and_history,
    visibility_is_enforced,
    home_timeline_follows_fan_out_and_hides_mutes,
    public_and_tag_timelines,
    follows_requests_blocks_and_relationships,
    interactions_are_counted_per_viewer,
    counters_follow_deletes_and_cascades,
    notifications_filter_and_read_marker,
    federation_bookkeeping,
    authorization_codes_are_single_use,
    lists_have_members_timelines_and_policies,
    search_finds_what_the_viewer_may_find,
    retention_prunes_only_remote_posts_nothing_holds,
    trends_and_tag_search,
    scheduled_posts_reserve_their_uploads,
    a_reader_holds_one_connection_for_its_look_ups,
    crossing_follows_at_once_keep_their_counts,
    a_status_is_written_whole_or_not_at_all,
);

const ALICE: i64 = 1;
const BOB: i64 = 2;
const CAROL: i64 = 3;
const REMOTE: i64 = 4;

/// Alice, Bob and Carol are local; Dave is on remote.example.
async fn seeded(db: &TestDatabase) -> Store {
    let store = db.store().await;
    for (id, name) in [(ALICE, "alice"), (BOB, "bob"), (CAROL, "carol")] {
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

fn follow(id: i64, from: i64, to: i64) -> Follow {
    Follow {
        id: Id(id),
        account_id: Id(from),
        target_account_id: Id(to),
        uri: Some(format!("https://example.org/follows/{id}")),
        show_reblogs: true,
        notify: false,
        created_at: NOW,
    }
}

fn plain(id: i64, author: i64, visibility: Visibility) -> NewStatus {
    NewStatus {
        status: status(id, author, visibility, author != REMOTE),
        mentions: vec![],
        tags: vec![],
        attachments: vec![],
    }
}

fn ids<T>(items: &[T], id: impl Fn(&T) -> Id) -> Vec<i64> {
    items.iter().map(|item| id(item).0).collect()
}

async fn statuses_keep_their_parts_and_history(db: &TestDatabase) {
    let store = seeded(db).await;
    let mut new = plain(100, ALICE, Visibility::Public);
    new.mentions = vec![Id(BOB), Id(REMOTE)];
    new.tags = vec!["Rust".into(), "fediverse".into()];
    new.attachments = vec![Attachment {
        id: Id(500),
        status_id: None,
        account_id: Id(ALICE),
        kind: AttachmentKind::Image,
        media_type: Some("image/png".into()),
        url: "https://example.org/media/1.png".into(),
        remote_url: None,
        preview_url: None,
        description: Some("a cat".into()),
        blurhash: Some("LEHV6nWB2yk8pyo0adR*.7kCMdnj".into()),
        meta: "{}".into(),
        position: 0,
        created_at: NOW,
        file_key: None,
        preview_key: None,
        stored_bytes: 0,
        processing: false,
    }];
    store.insert_status(&new).await.unwrap();
    assert!(
        store.insert_status(&new).await.is_err(),
        "the same id twice is refused"
    );

    let stored = store.status(Id(100)).await.unwrap().unwrap();
    assert_eq!(stored, new.status);
    assert_eq!(
        store
            .status_by_uri(&new.status.uri)
            .await
            .unwrap()
            .unwrap()
            .id,
        Id(100)
    );
    let mut mentions = store
        .mentions_of(&[Id(100)])
        .await
        .unwrap()
        .remove(&Id(100))
        .unwrap();
    mentions.sort();
    assert_eq!(mentions, vec![Id(BOB), Id(REMOTE)]);
    let mut tags = store
        .tags_of(&[Id(100)])
        .await
        .unwrap()
        .remove(&Id(100))
        .unwrap();
    tags.sort();
    assert_eq!(tags, vec!["Rust", "fediverse"]);
    let attachments = store
        .attachments_of(&[Id(100)])
        .await
        .unwrap()
        .remove(&Id(100))
        .unwrap();
    assert_eq!(attachments[0].description.as_deref(), Some("a cat"));

    // A second status reuses the tag case-insensitively.
    let mut other = plain(101, BOB, Visibility::Public);
    other.tags = vec!["rust".into()];
    store.insert_status(&other).await.unwrap();
    let tagged = store
        .tag_timeline(
            None,
            &TagFilter {
                any: vec!["RUST".into()],
                ..Default::default()
            },
            PublicFilter::default(),
            NOW,
            &PageRequest::first(10),
        )
        .await
        .unwrap();
    assert_eq!(ids(&tagged.items, |s| s.id), vec![101, 100]);

    // Edits keep the previous version.
    let mut edited = new.clone();
    edited.status.text = "edited".into();
    edited.status.content = "<p>edited</p>".into();
    edited.status.edited_at = Some(Timestamp(NOW.0 + 1000));
    edited.tags = vec![];
    edited.attachments = vec![];
    store.edit_status(&edited, Id(600)).await.unwrap();
    let history = store.status_edits(Id(100)).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].content, "<p>status 100</p>");
    assert_eq!(
        store.status(Id(100)).await.unwrap().unwrap().content,
        "<p>edited</p>"
    );
    assert!(store.tags_of(&[Id(100)]).await.unwrap().is_empty());
    assert!(store.attachments_of(&[Id(100)]).await.unwrap().is_empty());

    // Replies thread, boosts cascade with their original, deletion leaves a tombstone.
    let mut reply = plain(102, BOB, Visibility::Public);
    reply.status.in_reply_to_id = Some(Id(100));
    reply.status.in_reply_to_account_id = Some(Id(ALICE));
    store.insert_status(&reply).await.unwrap();
    let mut deep = plain(103, ALICE, Visibility::Public);
    deep.status.in_reply_to_id = Some(Id(102));
    store.insert_status(&deep).await.unwrap();
    let below = store.descendants(Id(100), None, 10).await.unwrap();
    assert_eq!(ids(&below, |s| s.id), vec![102, 103]);
    let mut boost = plain(104, CAROL, Visibility::Public);
    boost.status.reblog_of_id = Some(Id(100));
    store.insert_status(&boost).await.unwrap();
    assert_eq!(
        store
            .reblog_by(Id(CAROL), Id(100))
            .await
            .unwrap()
            .unwrap()
            .id,
        Id(104)
    );

    let deleted = store.delete_status(Id(100), NOW).await.unwrap().unwrap();
    assert_eq!(deleted.id, Id(100));
    assert!(
        store.status(Id(104)).await.unwrap().is_none(),
        "boosts go with the original"
    );
    assert_eq!(store.tombstone(&new.status.uri).await.unwrap(), Some(NOW));
    assert!(store.delete_status(Id(100), NOW).await.unwrap().is_none());
}

async fn visibility_is_enforced(db: &TestDatabase) {
    let store = seeded(db).await;
    store
        .upsert_follow(FollowTable::Follows, &follow(1, BOB, ALICE))
        .await
        .unwrap();
    for (id, visibility) in [
        (10, Visibility::Public),
        (11, Visibility::Unlisted),
        (12, Visibility::Private),
        (13, Visibility::Direct),
        (14, Visibility::Local),
    ] {
        let mut new = plain(id, ALICE, visibility);
        if visibility == Visibility::Direct {
            new.mentions = vec![Id(CAROL)];
        }
        store.insert_status(&new).await.unwrap();
    }
    let all = AccountStatusFilter::default();
    let seen = |viewer: Option<i64>| {
        let store = store.clone();
        let all = all.clone();
        async move {
            let page = store
                .account_statuses(Id(ALICE), viewer.map(Id), &all, &PageRequest::first(20))
                .await
                .unwrap();
            let mut seen = ids(&page.items, |s| s.id);
            seen.sort();
            seen
        }
    };
    assert_eq!(seen(None).await, vec![10, 11, 14], "anonymous");
    assert_eq!(seen(Some(ALICE)).await, vec![10, 11, 12, 13, 14], "author");
    assert_eq!(seen(Some(BOB)).await, vec![10, 11, 12, 14], "follower");
    assert_eq!(seen(Some(CAROL)).await, vec![10, 11, 13, 14], "mentioned");
    assert!(
        store
            .visible_status(Id(12), Some(Id(CAROL)))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .visible_status(Id(12), Some(Id(BOB)))
            .await
            .unwrap()
            .is_some()
    );

    // An author who blocks the viewer disappears for them.
    store
        .block(Id(50), Id(ALICE), Id(BOB), None, NOW)
        .await
        .unwrap();
    assert!(seen(Some(BOB)).await.is_empty());
    assert!(
        store
            .visible_status(Id(10), Some(Id(BOB)))
            .await
            .unwrap()
            .is_none()
    );
}

async fn home_timeline_follows_fan_out_and_hides_mutes(db: &TestDatabase) {
    let store = seeded(db).await;
    store
        .upsert_follow(FollowTable::Follows, &follow(1, BOB, ALICE))
        .await
        .unwrap();
    store
        .upsert_follow(FollowTable::Follows, &follow(2, BOB, REMOTE))
        .await
        .unwrap();
    assert_eq!(
        store.local_follower_ids(Id(ALICE)).await.unwrap(),
        vec![Id(BOB)]
    );

    for (id, author) in [(20, ALICE), (21, REMOTE), (22, BOB), (23, CAROL)] {
        store
            .insert_status(&plain(id, author, Visibility::Public))
            .await
            .unwrap();
    }
    store.add_to_home_feeds(Id(20), &[Id(BOB)]).await.unwrap();
    store.add_to_home_feeds(Id(21), &[Id(BOB)]).await.unwrap();
    store.add_to_home_feeds(Id(21), &[Id(BOB)]).await.unwrap();
    let home = |store: Store| async move {
        let page = store
            .home_timeline(Id(BOB), NOW, &PageRequest::first(20))
            .await
            .unwrap();
        ids(&page.items, |s| s.id)
    };
    assert_eq!(
        home(store.clone()).await,
        vec![22, 21, 20],
        "own post, follows' posts, no dupes"
    );

    store
        .mute(Id(60), Id(BOB), Id(REMOTE), true, None, NOW)
        .await
        .unwrap();
    assert_eq!(home(store.clone()).await, vec![22, 20]);
    store.unmute(Id(BOB), Id(REMOTE)).await.unwrap();
    store
        .mute(
            Id(61),
            Id(BOB),
            Id(REMOTE),
            true,
            Some(Timestamp(NOW.0 - 1)),
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        home(store.clone()).await,
        vec![22, 21, 20],
        "an expired mute hides nothing"
    );

    store
        .remove_from_home_feed(Id(BOB), Id(ALICE))
        .await
        .unwrap();
    assert_eq!(home(store.clone()).await, vec![22, 21]);

    // Who already has a post (or another boost of it) in their home timeline.
    assert_eq!(
        store
            .home_feeds_with(Id(21), Id(99), &[Id(BOB), Id(CAROL)])
            .await
            .unwrap(),
        vec![Id(BOB)]
    );
    let mut boost_of_21 = plain(25, ALICE, Visibility::Public);
    boost_of_21.status.reblog_of_id = Some(Id(21));
    store.insert_status(&boost_of_21).await.unwrap();
    store.add_to_home_feeds(Id(25), &[Id(CAROL)]).await.unwrap();
    assert_eq!(
        store
            .home_feeds_with(Id(21), Id(99), &[Id(CAROL)])
            .await
            .unwrap(),
        vec![Id(CAROL)]
    );
    assert!(
        store
            .home_feeds_with(Id(21), Id(25), &[Id(CAROL)])
            .await
            .unwrap()
            .is_empty()
    );

    // Boosts from someone whose boosts are turned off stay out.
    store
        .upsert_follow(
            FollowTable::Follows,
            &Follow {
                show_reblogs: false,
                ..follow(3, BOB, CAROL)
            },
        )
        .await
        .unwrap();
    let mut boost = plain(24, CAROL, Visibility::Public);
    boost.status.reblog_of_id = Some(Id(20));
    store.insert_status(&boost).await.unwrap();
    store.add_to_home_feeds(Id(24), &[Id(BOB)]).await.unwrap();
    assert_eq!(home(store.clone()).await, vec![22, 21]);
}

async fn public_and_tag_timelines(db: &TestDatabase) {
    let store = seeded(db).await;
    store
        .insert_status(&plain(30, ALICE, Visibility::Public))
        .await
        .unwrap();
    store
        .insert_status(&plain(31, REMOTE, Visibility::Public))
        .await
        .unwrap();
    store
        .insert_status(&plain(32, ALICE, Visibility::Unlisted))
        .await
        .unwrap();
    store
        .insert_status(&plain(33, BOB, Visibility::Local))
        .await
        .unwrap();
    let mut boost = plain(34, BOB, Visibility::Public);
    boost.status.reblog_of_id = Some(Id(31));
    store.insert_status(&boost).await.unwrap();

    let timeline = |filter: PublicFilter, viewer: Option<i64>| {
        let store = store.clone();
        async move {
            let page = store
                .public_timeline(viewer.map(Id), filter, NOW, &PageRequest::first(20))
                .await
                .unwrap();
            ids(&page.items, |s| s.id)
        }
    };
    assert_eq!(
        timeline(PublicFilter::default(), None).await,
        vec![33, 31, 30]
    );
    assert_eq!(
        timeline(
            PublicFilter {
                local_only: true,
                ..Default::default()
            },
            None
        )
        .await,
        vec![33, 30]
    );
    assert_eq!(
        timeline(
            PublicFilter {
                remote_only: true,
                ..Default::default()
            },
            None
        )
        .await,
        vec![31]
    );
    store
        .block(Id(70), Id(CAROL), Id(REMOTE), None, NOW)
        .await
        .unwrap();
    assert_eq!(
        timeline(PublicFilter::default(), Some(CAROL)).await,
        vec![33, 30]
    );
    store
        .block_domain_for_user(Id(71), Id(BOB), "Remote.Example", NOW)
        .await
        .unwrap();
    assert_eq!(
        timeline(PublicFilter::default(), Some(BOB)).await,
        vec![33, 30]
    );

    let mut tagged = plain(35, ALICE, Visibility::Public);
    tagged.tags = vec!["cats".into(), "dogs".into()];
    store.insert_status(&tagged).await.unwrap();
    let mut cats = plain(36, ALICE, Visibility::Public);
    cats.tags = vec!["cats".into()];
    store.insert_status(&cats).await.unwrap();
    let tag = |any: Vec<&str>, all: Vec<&str>, none: Vec<&str>| {
        let store = store.clone();
        let own = |v: Vec<&str>| v.into_iter().map(String::from).collect::<Vec<_>>();
        let (any, all, none) = (own(any), own(all), own(none));
        async move {
            let page = store
                .tag_timeline(
                    None,
                    &TagFilter { any, all, none },
                    PublicFilter::default(),
                    NOW,
                    &PageRequest::first(20),
                )
                .await
                .unwrap();
            ids(&page.items, |s| s.id)
        }
    };
    assert_eq!(tag(vec!["cats"], vec![], vec![]).await, vec![36, 35]);
    assert_eq!(tag(vec!["cats"], vec!["dogs"], vec![]).await, vec![35]);
    assert_eq!(tag(vec!["cats"], vec![], vec!["dogs"]).await, vec![36]);
    assert_eq!(tag(vec!["birds", "dogs"], vec![], vec![]).await, vec![35]);
}

async fn follows_requests_blocks_and_relationships(db: &TestDatabase) {
    let store = seeded(db).await;
    store
        .upsert_follow(FollowTable::Follows, &follow(1, BOB, ALICE))
        .await
        .unwrap();
    store
        .upsert_follow(FollowTable::Requests, &follow(2, CAROL, ALICE))
        .await
        .unwrap();
    store
        .upsert_follow(FollowTable::Follows, &follow(3, REMOTE, ALICE))
        .await
        .unwrap();

    let rels = store
        .relationships(Id(ALICE), &[Id(BOB), Id(CAROL), Id(REMOTE)], NOW)
        .await
        .unwrap();
    assert!(rels[&Id(BOB)].followed_by && !rels[&Id(BOB)].following);
    assert!(rels[&Id(CAROL)].requested_by);
    // Many targets are read a bounded number per statement: the last one still counts.
    let mut many: Vec<Id> = (10_000..10_450).map(Id).collect();
    many.push(Id(BOB));
    let rels = store.relationships(Id(ALICE), &many, NOW).await.unwrap();
    assert_eq!(rels.len(), many.len());
    assert!(rels[&Id(BOB)].followed_by);
    assert!(!rels[&Id(10_000)].followed_by);
    let carol_view = store
        .relationships(Id(CAROL), &[Id(ALICE)], NOW)
        .await
        .unwrap();
    assert!(carol_view[&Id(ALICE)].requested && !carol_view[&Id(ALICE)].following);

    let requests = store
        .follow_list(
            FollowTable::Requests,
            Id(ALICE),
            true,
            &PageRequest::first(10),
        )
        .await
        .unwrap();
    assert_eq!(ids(&requests.items, |a| a.id), vec![CAROL]);
    let accepted = store
        .accept_follow_request(Id(CAROL), Id(ALICE))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        accepted.uri.as_deref(),
        Some("https://example.org/follows/2")
    );
    assert!(
        store
            .accept_follow_request(Id(CAROL), Id(ALICE))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .follow_by_uri(FollowTable::Follows, "https://example.org/follows/2")
            .await
            .unwrap()
            .unwrap()
            .account_id,
        Id(CAROL)
    );

    let followers = store
        .follow_list(
            FollowTable::Follows,
            Id(ALICE),
            true,
            &PageRequest::first(2),
        )
        .await
        .unwrap();
    assert_eq!(ids(&followers.items, |a| a.id), vec![REMOTE, CAROL]);
    let next = PageRequest {
        max_id: followers.oldest_id,
        ..PageRequest::first(2)
    };
    let rest = store
        .follow_list(FollowTable::Follows, Id(ALICE), true, &next)
        .await
        .unwrap();
    assert_eq!(ids(&rest.items, |a| a.id), vec![BOB]);
    let following = store
        .follow_list(
            FollowTable::Follows,
            Id(BOB),
            false,
            &PageRequest::first(10),
        )
        .await
        .unwrap();
    assert_eq!(ids(&following.items, |a| a.id), vec![ALICE]);
    assert_eq!(
        store.follower_inboxes(Id(ALICE)).await.unwrap(),
        vec!["https://remote.example/inbox"]
    );

    store
        .insert_status(&plain(40, ALICE, Visibility::Public))
        .await
        .unwrap();
    let counts = store.account_counts(&[Id(ALICE), Id(BOB)]).await.unwrap();
    assert_eq!(
        (
            counts[&Id(ALICE)].followers,
            counts[&Id(ALICE)].following,
            counts[&Id(ALICE)].statuses
        ),
        (3, 0, 1)
    );
    assert_eq!(
        counts[&Id(ALICE)].last_status_at,
        Some(Timestamp(NOW.0 + 40))
    );
    assert_eq!(counts[&Id(BOB)].following, 1);
    // What a page of statuses reads in one query: the same counts, with the roles of local
    // users (none for the remote one) and nothing for an unknown id.
    let rows = store
        .accounts_with_counts(&[Id(ALICE), Id(BOB), Id(REMOTE), Id(999_999)])
        .await
        .unwrap();
    assert_eq!(rows.len(), 3);
    for (account, row_counts, role) in &rows {
        assert_eq!(*row_counts, counts_or_default(&store, account.id).await);
        assert_eq!(role.is_some(), account.id != Id(REMOTE));
    }

    // A block drops follows both ways.
    store
        .upsert_follow(FollowTable::Follows, &follow(4, ALICE, BOB))
        .await
        .unwrap();
    store
        .block(
            Id(80),
            Id(ALICE),
            Id(BOB),
            Some("https://example.org/blocks/80"),
            NOW,
        )
        .await
        .unwrap();
    assert!(
        store
            .follow_between(FollowTable::Follows, Id(BOB), Id(ALICE))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .follow_between(FollowTable::Follows, Id(ALICE), Id(BOB))
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.blocked_either_way(Id(BOB), Id(ALICE)).await.unwrap());
    let rels = store
        .relationships(Id(BOB), &[Id(ALICE)], NOW)
        .await
        .unwrap();
    assert!(rels[&Id(ALICE)].blocked_by && !rels[&Id(ALICE)].blocking);
    let blocked = store
        .blocked_or_muted(Id(ALICE), false, NOW, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(ids(&blocked.items, |(a, _)| a.id), vec![BOB]);
    assert_eq!(
        store.unblock(Id(ALICE), Id(BOB)).await.unwrap(),
        Some(Some("https://example.org/blocks/80".into()))
    );
    assert_eq!(store.unblock(Id(ALICE), Id(BOB)).await.unwrap(), None);

    store
        .mute(Id(81), Id(ALICE), Id(REMOTE), false, None, NOW)
        .await
        .unwrap();
    let rels = store
        .relationships(Id(ALICE), &[Id(REMOTE)], NOW)
        .await
        .unwrap();
    assert!(rels[&Id(REMOTE)].muting && !rels[&Id(REMOTE)].muting_notifications);
    store
        .block_domain_for_user(Id(82), Id(ALICE), "remote.example", NOW)
        .await
        .unwrap();
    let rels = store
        .relationships(Id(ALICE), &[Id(REMOTE), Id(BOB)], NOW)
        .await
        .unwrap();
    assert!(rels[&Id(REMOTE)].domain_blocking && rels[&Id(REMOTE)].muting);
    assert!(
        !rels[&Id(BOB)].domain_blocking,
        "a local account has no domain"
    );
    let domains = store
        .user_domain_blocks(Id(ALICE), &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(domains.items, vec!["remote.example"]);

    let removed = store
        .delete_follow(FollowTable::Follows, Id(REMOTE), Id(ALICE))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(removed.id, Id(3));
}

async fn interactions_are_counted_per_viewer(db: &TestDatabase) {
    let store = seeded(db).await;
    store
        .insert_status(&plain(50, ALICE, Visibility::Public))
        .await
        .unwrap();
    let mut reply = plain(51, BOB, Visibility::Public);
    reply.status.in_reply_to_id = Some(Id(50));
    store.insert_status(&reply).await.unwrap();
    let mut boost = plain(52, CAROL, Visibility::Public);
    boost.status.reblog_of_id = Some(Id(50));
    store.insert_status(&boost).await.unwrap();

    assert!(
        store
            .add_mark(
                Mark::Favourite,
                Id(90),
                Id(BOB),
                Id(50),
                Some("https://x/likes/1"),
                NOW
            )
            .await
            .unwrap()
    );
    assert!(
        !store
            .add_mark(Mark::Favourite, Id(91), Id(BOB), Id(50), None, NOW)
            .await
            .unwrap()
    );
    assert!(
        store
            .add_mark(
                Mark::Favourite,
                Id(92),
                Id(REMOTE),
                Id(50),
                Some("https://remote.example/likes/2"),
                NOW
            )
            .await
            .unwrap()
    );
    store
        .add_mark(Mark::Bookmark, Id(93), Id(BOB), Id(50), None, NOW)
        .await
        .unwrap();
    store
        .add_mark(Mark::Pin, Id(94), Id(ALICE), Id(50), None, NOW)
        .await
        .unwrap();

    let counts = store.status_counts(&[Id(50)]).await.unwrap()[&Id(50)];
    assert_eq!(
        (counts.replies, counts.reblogs, counts.favourites),
        (1, 1, 2)
    );
    let bob = store.viewer_flags(Id(BOB), &[Id(50)]).await.unwrap()[&Id(50)];
    assert!(bob.favourited && bob.bookmarked && !bob.reblogged && !bob.pinned);
    let carol = store.viewer_flags(Id(CAROL), &[Id(50)]).await.unwrap()[&Id(50)];
    assert!(carol.reblogged && !carol.favourited);
    assert!(store.viewer_flags(Id(ALICE), &[Id(50)]).await.unwrap()[&Id(50)].pinned);
    let pinned = AccountStatusFilter {
        pinned: true,
        ..Default::default()
    };
    let page = store
        .account_statuses(Id(ALICE), None, &pinned, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(ids(&page.items, |s| s.id), vec![50]);

    let favouriters = store
        .interacting_accounts(Id(50), true, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(ids(&favouriters.items, |a| a.id), vec![REMOTE, BOB]);
    let boosters = store
        .interacting_accounts(Id(50), false, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(ids(&boosters.items, |a| a.id), vec![CAROL]);
    let bookmarks = store
        .marked_status_ids(Mark::Bookmark, Id(BOB), &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(bookmarks.items, vec![Id(50)]);

    assert_eq!(
        store
            .remove_favourite_by_uri("https://remote.example/likes/2")
            .await
            .unwrap(),
        Some((Id(REMOTE), Id(50)))
    );
    assert_eq!(
        store
            .remove_mark(Mark::Favourite, Id(BOB), Id(50))
            .await
            .unwrap(),
        Some(Some("https://x/likes/1".into()))
    );
    assert_eq!(
        store.status_counts(&[Id(50)]).await.unwrap()[&Id(50)].favourites,
        0
    );

    for (id, who, emoji) in [(95, BOB, "🌱"), (96, CAROL, "🌱"), (97, BOB, "blobcat")] {
        let reaction = Reaction {
            id: Id(id),
            account_id: Id(who),
            status_id: Id(50),
            emoji: emoji.into(),
            emoji_url: (emoji == "blobcat").then(|| "https://x/blobcat.png".to_owned()),
            uri: Some(format!("https://x/react/{id}")),
            created_at: NOW,
        };
        assert!(store.add_reaction(&reaction).await.unwrap());
    }
    let reactions = store
        .reactions_of(&[Id(50)], Some(Id(CAROL)))
        .await
        .unwrap()
        .remove(&Id(50))
        .unwrap();
    assert_eq!(reactions.len(), 2);
    assert_eq!(
        (
            reactions[0].emoji.as_str(),
            reactions[0].count,
            reactions[0].me
        ),
        ("🌱", 2, true)
    );
    assert_eq!((reactions[1].count, reactions[1].me), (1, false));
    assert!(
        store
            .remove_reaction_by_uri("https://x/react/97")
            .await
            .unwrap()
    );
    assert_eq!(
        store.remove_reaction(Id(BOB), Id(50), "🌱").await.unwrap(),
        Some(Some("https://x/react/95".into()))
    );

    store
        .mute_conversation(Id(BOB), "https://example.org/contexts/50")
        .await
        .unwrap();
    assert!(store.viewer_flags(Id(BOB), &[Id(50)]).await.unwrap()[&Id(50)].muted);
    assert!(
        store
            .conversation_muted(Id(BOB), "https://example.org/contexts/50")
            .await
            .unwrap()
    );
}

/// The counters are kept by triggers: every way a row goes — deleted, re-upserted, or taken
/// with a deleted account — must move them back.
async fn counters_follow_deletes_and_cascades(db: &TestDatabase) {
    let store = seeded(db).await;
    let counts = |store: &Store, id: i64| {
        let store = store.clone();
        async move { store.status_counts(&[Id(id)]).await.unwrap()[&Id(id)] }
    };
    let mut first = plain(60, ALICE, Visibility::Public);
    first.status.created_at = Timestamp(NOW.0 - 1_000);
    store.insert_status(&first).await.unwrap();
    store
        .insert_status(&plain(61, ALICE, Visibility::Public))
        .await
        .unwrap();
    // A direct message is no post of the profile's, but is the last thing Alice wrote.
    let mut direct = plain(62, ALICE, Visibility::Direct);
    direct.status.created_at = Timestamp(NOW.0 + 1_000);
    store.insert_status(&direct).await.unwrap();
    let mut reply = plain(63, BOB, Visibility::Public);
    reply.status.in_reply_to_id = Some(Id(60));
    store.insert_status(&reply).await.unwrap();
    let mut private_reply = plain(64, BOB, Visibility::Private);
    private_reply.status.in_reply_to_id = Some(Id(60));
    store.insert_status(&private_reply).await.unwrap();
    let mut boost = plain(65, CAROL, Visibility::Public);
    boost.status.reblog_of_id = Some(Id(60));
    store.insert_status(&boost).await.unwrap();
    store
        .insert_status(&plain(66, REMOTE, Visibility::Public))
        .await
        .unwrap();
    for (id, who) in [(95, BOB), (96, CAROL)] {
        store
            .add_mark(Mark::Favourite, Id(id), Id(who), Id(60), None, NOW)
            .await
            .unwrap();
    }
    for (id, from) in [(70, BOB), (71, CAROL)] {
        store
            .upsert_follow(FollowTable::Follows, &follow(id, from, ALICE))
            .await
            .unwrap();
    }
    // Upserting an existing follow changes its settings, not the counts.
    store
        .upsert_follow(FollowTable::Follows, &follow(72, BOB, ALICE))
        .await
        .unwrap();

    let c = counts(&store, 60).await;
    assert_eq!((c.replies, c.reblogs, c.favourites), (1, 1, 2));
    let with_quotes = store
        .status_counts_with_quotes(&[Id(60), Id(61)])
        .await
        .unwrap();
    assert_eq!(with_quotes[&Id(60)], (c, 0));
    assert_eq!(with_quotes[&Id(61)].0, counts(&store, 61).await);
    let alice = store.account_counts(&[Id(ALICE)]).await.unwrap()[&Id(ALICE)];
    assert_eq!(
        (alice.statuses, alice.followers, alice.following),
        (2, 2, 0)
    );
    assert_eq!(alice.last_status_at, Some(direct.status.created_at));
    // The instance's statistics count as the profiles do: boosts, not direct messages,
    // not remote posts.
    assert_eq!(store.count_local_statuses().await.unwrap(), 5);

    store.delete_status(Id(63), NOW).await.unwrap();
    store
        .remove_mark(Mark::Favourite, Id(BOB), Id(60))
        .await
        .unwrap();
    store
        .delete_follow(FollowTable::Follows, Id(BOB), Id(ALICE))
        .await
        .unwrap();
    let c = counts(&store, 60).await;
    assert_eq!((c.replies, c.reblogs, c.favourites), (0, 1, 1));

    // Carol leaves: her boost, favourite and follow go with her account.
    assert!(store.delete_account(Id(CAROL)).await.unwrap());
    let c = counts(&store, 60).await;
    assert_eq!((c.replies, c.reblogs, c.favourites), (0, 0, 0));
    store.delete_status(Id(62), NOW).await.unwrap();
    let alice = store.account_counts(&[Id(ALICE)]).await.unwrap()[&Id(ALICE)];
    assert_eq!(
        (alice.statuses, alice.followers, alice.following),
        (2, 0, 0)
    );
    assert_eq!(
        alice.last_status_at,
        Some(Timestamp(NOW.0 + 61)),
        "the newest remaining post"
    );
    let bob = store.account_counts(&[Id(BOB)]).await.unwrap()[&Id(BOB)];
    assert_eq!((bob.statuses, bob.following), (1, 0));
    assert_eq!(store.count_local_statuses().await.unwrap(), 3);

    // A deleted status takes its counters with it.
    store.delete_status(Id(60), NOW).await.unwrap();
    let c = counts(&store, 60).await;
    assert_eq!((c.replies, c.reblogs, c.favourites), (0, 0, 0));
    let carol = store.account_counts(&[Id(CAROL)]).await.unwrap()[&Id(CAROL)];
    assert_eq!((carol.statuses, carol.followers), (0, 0));
}

async fn notifications_filter_and_read_marker(db: &TestDatabase) {
    let store = seeded(db).await;
    store
        .insert_status(&plain(60, ALICE, Visibility::Public))
        .await
        .unwrap();
    for (id, from, kind) in [
        (1, BOB, NotificationKind::Favourite),
        (2, CAROL, NotificationKind::Mention),
        (3, REMOTE, NotificationKind::Follow),
        (4, BOB, NotificationKind::Reblog),
    ] {
        store
            .insert_notification(&Notification {
                id: Id(id),
                account_id: Id(ALICE),
                from_account_id: Id(from),
                kind,
                status_id: (kind != NotificationKind::Follow).then_some(Id(60)),
                emoji: None,
                target_account_id: None,
                account_warning_id: None,
                created_at: NOW,
            })
            .await
            .unwrap();
    }
    let list = |filter: NotificationFilter| {
        let store = store.clone();
        async move {
            let page = store
                .notifications(Id(ALICE), &filter, NOW, &PageRequest::first(20))
                .await
                .unwrap();
            ids(&page.items, |n| n.id)
        }
    };
    assert_eq!(list(NotificationFilter::default()).await, vec![4, 3, 2, 1]);
    assert_eq!(
        list(NotificationFilter {
            types: vec![NotificationKind::Mention],
            ..Default::default()
        })
        .await,
        vec![2]
    );
    assert_eq!(
        list(NotificationFilter {
            exclude_types: vec![NotificationKind::Follow, NotificationKind::Reblog],
            ..Default::default()
        })
        .await,
        vec![2, 1]
    );
    assert_eq!(
        list(NotificationFilter {
            from_account_id: Some(Id(BOB)),
            ..Default::default()
        })
        .await,
        vec![4, 1]
    );
    assert!(
        store
            .notification_exists(
                Id(ALICE),
                Id(BOB),
                NotificationKind::Favourite,
                Some(Id(60))
            )
            .await
            .unwrap()
    );

    store
        .mute(Id(70), Id(ALICE), Id(BOB), true, None, NOW)
        .await
        .unwrap();
    assert_eq!(list(NotificationFilter::default()).await, vec![3, 2]);
    store.unmute(Id(ALICE), Id(BOB)).await.unwrap();

    assert_eq!(store.unread_notifications(Id(ALICE), 100).await.unwrap(), 4);
    store
        .set_marker(Id(ALICE), "notifications", Id(2), NOW)
        .await
        .unwrap();
    store
        .set_marker(Id(ALICE), "notifications", Id(2), NOW)
        .await
        .unwrap();
    let markers = store.markers(Id(ALICE)).await.unwrap();
    assert_eq!(
        (
            markers[0].timeline.as_str(),
            markers[0].last_read_id,
            markers[0].version
        ),
        ("notifications", Id(2), 2)
    );
    assert_eq!(store.unread_notifications(Id(ALICE), 100).await.unwrap(), 2);
    assert_eq!(
        store
            .dismiss_notifications(Id(ALICE), Some(Id(3)))
            .await
            .unwrap(),
        1
    );
    assert!(
        store
            .notification(Id(ALICE), Id(3))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store.notification(Id(BOB), Id(2)).await.unwrap().is_none(),
        "only one's own"
    );
    assert_eq!(
        store.dismiss_notifications(Id(ALICE), None).await.unwrap(),
        3
    );
}

async fn federation_bookkeeping(db: &TestDatabase) {
    let store = seeded(db).await;
    // Refreshing a remote actor keeps its local id.
    let mut dave = remote_account(999, "dave", "remote.example");
    dave.display_name = "Dave, refreshed".into();
    let stored = store.upsert_remote_account(&dave).await.unwrap();
    assert_eq!(
        (stored.id, stored.display_name.as_str()),
        (Id(REMOTE), "Dave, refreshed")
    );
    assert_eq!(
        store
            .account_by_acct("DAVE", Some("Remote.Example"))
            .await
            .unwrap()
            .unwrap()
            .id,
        Id(REMOTE)
    );
    assert_eq!(
        store
            .account_by_acct("alice", None)
            .await
            .unwrap()
            .unwrap()
            .id,
        Id(ALICE)
    );
    assert!(
        store
            .account_by_acct("alice", Some("remote.example"))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .account_by_key_id("https://remote.example/users/dave#main-key")
            .await
            .unwrap()
            .unwrap()
            .id,
        Id(REMOTE)
    );
    // Remote data can never overwrite a local account.
    let mut impostor = remote_account(998, "alice", "remote.example");
    impostor.uri = "http://localhost:8080/users/alice".into();
    assert!(store.upsert_remote_account(&impostor).await.is_err());
    assert_eq!(
        store.account(Id(ALICE)).await.unwrap().unwrap().domain,
        None
    );
    assert_eq!(store.known_domains().await.unwrap(), vec!["remote.example"]);
    assert_eq!(store.count_known_domains().await.unwrap(), 1);

    // An activity is marked as seen together with the job that processes it; a second
    // delivery of it queues nothing.
    let process = |id: i64| rhizome_store::NewJob {
        id: Id(id),
        kind: "process_activity".into(),
        payload: "{}".into(),
        run_at: NOW,
        max_attempts: 5,
    };
    let seen_uri = "https://remote.example/activities/1";
    assert!(
        store
            .enqueue_unseen_activity(seen_uri, &process(1), NOW)
            .await
            .unwrap()
    );
    assert!(
        !store
            .enqueue_unseen_activity(seen_uri, &process(2), NOW)
            .await
            .unwrap()
    );
    assert_eq!(store.job_counts().await.unwrap().queued, 1);
    assert!(store.job(Id(1)).await.unwrap().is_some());
    assert!(store.job(Id(2)).await.unwrap().is_none());

    let activity = rhizome_store::OutboxActivity {
        id: Id(7),
        uri: "http://localhost:8080/activities/7".into(),
        account_id: Some(Id(ALICE)),
        kind: "Create".into(),
        payload: "{}".into(),
        created_at: NOW,
    };
    store.insert_outbox_activity(&activity).await.unwrap();
    assert_eq!(
        store.outbox_activity(Id(7)).await.unwrap().unwrap(),
        activity
    );
    assert_eq!(
        store
            .outbox_activity_by_uri(&activity.uri)
            .await
            .unwrap()
            .unwrap()
            .id,
        Id(7)
    );

    store
        .record_delivery_outcome("remote.example", false, Timestamp(1))
        .await
        .unwrap();
    store
        .record_delivery_outcome("remote.example", false, Timestamp(2))
        .await
        .unwrap();
    let health = store
        .instance_health("remote.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            health.failures,
            health.first_failure_at,
            health.last_failure_at
        ),
        (2, Some(Timestamp(1)), Some(Timestamp(2)))
    );
    store
        .record_delivery_outcome("remote.example", true, Timestamp(3))
        .await
        .unwrap();
    let health = store
        .instance_health("remote.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            health.failures,
            health.first_failure_at,
            health.last_success_at
        ),
        (0, None, Some(Timestamp(3)))
    );

    let block = rhizome_store::DomainBlock {
        id: Id(8),
        domain: "*.spam.example".into(),
        severity: "suspend".into(),
        reject_media: false,
        reject_reports: true,
        obfuscate: true,
        public_comment: "spam".into(),
        private_comment: String::new(),
        created_at: NOW,
    };
    // Every change to the policy's sources bumps its revision (each process's compiled chain
    // is checked against it); other settings do not.
    let mut revision = policy_revision(&store).await;
    assert_eq!(store.add_domain_block(&block).await.unwrap(), block);
    assert!(bumped(&store, &mut revision).await, "a block added");
    assert_eq!(store.domain_blocks().await.unwrap(), vec![block.clone()]);
    // The same domain again changes the block and keeps its id.
    let changed = rhizome_store::DomainBlock {
        id: Id(9),
        severity: "silence".into(),
        reject_media: true,
        ..block.clone()
    };
    let stored = store.add_domain_block(&changed).await.unwrap();
    assert!(bumped(&store, &mut revision).await, "a block changed");
    assert_eq!(
        (stored.id, stored.severity.as_str(), stored.reject_media),
        (Id(8), "silence", true)
    );
    let by_id = rhizome_store::DomainBlock {
        public_comment: "changed".into(),
        ..stored.clone()
    };
    assert!(store.update_domain_block(&by_id).await.unwrap());
    assert!(bumped(&store, &mut revision).await, "a block updated");
    assert_eq!(store.domain_block(Id(8)).await.unwrap(), Some(by_id));
    let page = store
        .domain_blocks_page(&rhizome_store::PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert!(store.remove_domain_block("*.spam.example").await.unwrap());
    assert!(bumped(&store, &mut revision).await, "a block removed");
    assert!(store.domain_blocks().await.unwrap().is_empty());
    assert!(!store.remove_domain_block_by_id(Id(8)).await.unwrap());

    let allow = rhizome_store::DomainAllow {
        id: Id(20),
        domain: "friends.example".into(),
        created_at: NOW,
    };
    assert_eq!(store.add_domain_allow(&allow).await.unwrap(), allow);
    assert!(bumped(&store, &mut revision).await, "an allow added");
    let again = rhizome_store::DomainAllow {
        id: Id(21),
        ..allow.clone()
    };
    assert_eq!(store.add_domain_allow(&again).await.unwrap().id, Id(20));
    assert_eq!(store.domain_allows().await.unwrap(), vec![allow.clone()]);
    assert_eq!(
        store
            .domain_allows_page(&rhizome_store::PageRequest::first(10))
            .await
            .unwrap()
            .items,
        vec![allow]
    );
    assert!(store.remove_domain_allow(Id(20)).await.unwrap());
    assert!(bumped(&store, &mut revision).await, "an allow removed");
    store
        .set_setting("instance.name", "\"Rhizome\"", NOW)
        .await
        .unwrap();
    assert!(!bumped(&store, &mut revision).await, "another setting");
    store.set_setting("mrf", "{}", NOW).await.unwrap();
    assert!(bumped(&store, &mut revision).await, "the policies set");
    store
        .set_setting("mrf", "{\"policies\":[]}", NOW)
        .await
        .unwrap();
    assert!(bumped(&store, &mut revision).await, "the policies changed");
    store.delete_setting("mrf").await.unwrap();
    assert!(bumped(&store, &mut revision).await, "the policies reset");
    assert!(store.domain_allows().await.unwrap().is_empty());

    // Samples for dry runs: only the newest `keep` stay.
    for i in 1..=5 {
        let sample = rhizome_store::PolicySample {
            id: Id(100 + i),
            actor_id: Id(ALICE),
            activity: format!("{{\"n\":{i}}}"),
            received_at: NOW,
        };
        store.add_policy_sample(&sample, 3).await.unwrap();
    }
    let kept: Vec<i64> = store
        .policy_samples(10)
        .await
        .unwrap()
        .iter()
        .map(|s| s.id.0)
        .collect();
    assert_eq!(kept, vec![105, 104, 103]);

    // Moderators' tags on accounts.
    let tag = "mrf_tag:sandbox";
    store.add_account_tag(Id(ALICE), tag, NOW).await.unwrap();
    store.add_account_tag(Id(ALICE), tag, NOW).await.unwrap();
    store
        .add_account_tag(Id(ALICE), "mrf_tag:media-strip", NOW)
        .await
        .unwrap();
    assert_eq!(
        store.account_tags(Id(ALICE)).await.unwrap(),
        ["mrf_tag:media-strip", tag]
    );
    assert!(store.remove_account_tag(Id(ALICE), tag).await.unwrap());
    assert!(!store.remove_account_tag(Id(ALICE), tag).await.unwrap());

    assert_eq!(
        store.direct_message_preference(Id(ALICE)).await.unwrap(),
        None
    );
    for choice in ["nobody", "people_i_follow"] {
        store
            .set_direct_message_preference(Id(ALICE), choice, NOW)
            .await
            .unwrap();
        assert_eq!(
            store
                .direct_message_preference(Id(ALICE))
                .await
                .unwrap()
                .as_deref(),
            Some(choice)
        );
    }
}

async fn authorization_codes_are_single_use(db: &TestDatabase) {
    let store = seeded(db).await;
    let app = rhizome_store::NewApp {
        id: Id(10),
        name: "Elk".into(),
        website: None,
        redirect_uris: vec!["https://elk.example/callback".into()],
        scopes: Scopes::parse("read write").unwrap(),
        client_id: "cid".into(),
        client_secret: "secret".into(),
        created_at: NOW,
    };
    store.create_app(&app).await.unwrap();
    let code = AuthorizationCode {
        code_digest: "d1".into(),
        app_id: Id(10),
        account_id: Id(ALICE),
        scopes: Scopes::parse("read").unwrap(),
        redirect_uri: "https://elk.example/callback".into(),
        code_challenge: Some("challenge".into()),
        code_challenge_method: Some("S256".into()),
        created_at: NOW,
        expires_at: Timestamp(NOW.0 + 600_000),
    };
    store.create_authorization_code(&code).await.unwrap();
    assert_eq!(
        store.consume_authorization_code("d1", NOW).await.unwrap(),
        Some(code.clone())
    );
    assert_eq!(
        store.consume_authorization_code("d1", NOW).await.unwrap(),
        None,
        "used once"
    );

    let late = AuthorizationCode {
        code_digest: "d2".into(),
        ..code
    };
    store.create_authorization_code(&late).await.unwrap();
    assert_eq!(
        store
            .consume_authorization_code("d2", Timestamp(NOW.0 + 600_001))
            .await
            .unwrap(),
        None,
        "expired"
    );
}

async fn lists_have_members_timelines_and_policies(db: &TestDatabase) {
    use rhizome_store::{List, RepliesPolicy};
    let store = seeded(db).await;
    let list = List {
        id: Id(300),
        account_id: Id(ALICE),
        title: "friends".into(),
        replies_policy: RepliesPolicy::List,
        exclusive: false,
        created_at: NOW,
    };
    store.create_list(&list).await.unwrap();
    assert!(
        store.list(Id(BOB), Id(300)).await.unwrap().is_none(),
        "only the owner sees a list"
    );
    store
        .add_list_members(Id(300), &[Id(BOB), Id(REMOTE)])
        .await
        .unwrap();
    store.add_list_members(Id(300), &[Id(BOB)]).await.unwrap();
    let members = store
        .list_members(Id(300), &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(ids(&members.items, |a| a.id), vec![REMOTE, BOB]);
    assert_eq!(
        store
            .lists_of(Id(ALICE), Some(Id(BOB)))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .lists_of(Id(ALICE), Some(Id(CAROL)))
            .await
            .unwrap()
            .is_empty()
    );

    store
        .insert_status(&plain(310, BOB, Visibility::Public))
        .await
        .unwrap();
    store
        .insert_status(&plain(311, CAROL, Visibility::Public))
        .await
        .unwrap();
    let mut reply_to_member = plain(312, REMOTE, Visibility::Public);
    reply_to_member.status.in_reply_to_id = Some(Id(310));
    reply_to_member.status.in_reply_to_account_id = Some(Id(BOB));
    store.insert_status(&reply_to_member).await.unwrap();
    let mut reply_to_stranger = plain(313, BOB, Visibility::Public);
    reply_to_stranger.status.in_reply_to_id = Some(Id(311));
    reply_to_stranger.status.in_reply_to_account_id = Some(Id(CAROL));
    store.insert_status(&reply_to_stranger).await.unwrap();
    store
        .insert_status(&plain(314, BOB, Visibility::Private))
        .await
        .unwrap();

    let timeline = |list: List| {
        let store = store.clone();
        async move {
            ids(
                &store
                    .list_timeline(&list, &PageRequest::first(20))
                    .await
                    .unwrap()
                    .items,
                |s| s.id,
            )
        }
    };
    // Bob's followers-only post is not for alice, who does not follow him.
    assert_eq!(timeline(list.clone()).await, vec![312, 310]);
    assert_eq!(
        timeline(List {
            replies_policy: RepliesPolicy::None,
            ..list.clone()
        })
        .await,
        vec![310]
    );
    store
        .upsert_follow(FollowTable::Follows, &follow(301, ALICE, CAROL))
        .await
        .unwrap();
    store
        .upsert_follow(FollowTable::Follows, &follow(302, ALICE, BOB))
        .await
        .unwrap();
    assert_eq!(
        timeline(List {
            replies_policy: RepliesPolicy::Followed,
            ..list.clone()
        })
        .await,
        vec![314, 313, 312, 310]
    );

    // Members of an exclusive list leave the home timeline.
    store
        .add_to_home_feeds(Id(310), &[Id(ALICE)])
        .await
        .unwrap();
    let home = |store: Store| async move {
        ids(
            &store
                .home_timeline(Id(ALICE), NOW, &PageRequest::first(20))
                .await
                .unwrap()
                .items,
            |s| s.id,
        )
    };
    assert_eq!(home(store.clone()).await, vec![310]);
    let exclusive = List {
        exclusive: true,
        title: "only here".into(),
        ..list.clone()
    };
    assert!(store.update_list(&exclusive).await.unwrap());
    assert!(home(store.clone()).await.is_empty());
    store
        .remove_list_members(Id(300), &[Id(BOB)])
        .await
        .unwrap();
    assert_eq!(home(store.clone()).await, vec![310]);
    assert!(!store.delete_list(Id(BOB), Id(300)).await.unwrap());
    assert!(store.delete_list(Id(ALICE), Id(300)).await.unwrap());
}

async fn search_finds_what_the_viewer_may_find(db: &TestDatabase) {
    let store = seeded(db).await;
    store
        .insert_status(&plain(400, ALICE, Visibility::Public))
        .await
        .unwrap();
    store
        .insert_status(&plain(401, BOB, Visibility::Private))
        .await
        .unwrap();
    store
        .insert_status(&plain(402, REMOTE, Visibility::Public))
        .await
        .unwrap();
    for (id, text) in [
        (400, "le grand arbre"),
        (401, "un arbre prive"),
        (402, "arbre distant"),
    ] {
        store.index_status(Id(id), text).await.unwrap();
    }
    let words = |w: &str| w.split(' ').map(String::from).collect::<Vec<_>>();
    let find = |viewer: i64, q: &str| {
        let store = store.clone();
        let words = words(q);
        async move {
            ids(
                &store
                    .search_statuses(Id(viewer), &words, None, 20, 0)
                    .await
                    .unwrap(),
                |s| s.id,
            )
        }
    };
    // Carol: public local posts, and the remote one because its author is discoverable.
    assert_eq!(find(CAROL, "arbre").await, vec![402, 400]);
    assert_eq!(
        find(BOB, "arbre").await,
        vec![402, 401, 400],
        "one's own followers-only post"
    );
    assert_eq!(find(CAROL, "grand arbre").await, vec![400]);
    assert!(find(CAROL, "absent").await.is_empty());
    // Re-indexing replaces; deleting removes.
    store.index_status(Id(400), "une foret").await.unwrap();
    assert_eq!(find(CAROL, "arbre").await, vec![402]);
    store.delete_status(Id(402), NOW).await.unwrap();
    assert!(find(CAROL, "distant").await.is_empty());
    let only_bob = store
        .search_statuses(Id(BOB), &words("arbre"), Some(Id(BOB)), 20, 0)
        .await
        .unwrap();
    assert_eq!(ids(&only_bob, |s| s.id), vec![401]);
}

async fn retention_prunes_only_remote_posts_nothing_holds(db: &TestDatabase) {
    let store = seeded(db).await;
    let other = remote_account(5, "erin", "elsewhere.example");
    store.upsert_remote_account(&other).await.unwrap();
    // Dave (REMOTE) is followed by Bob; Erin (5) by nobody here.
    store
        .upsert_follow(FollowTable::Follows, &follow(1, BOB, REMOTE))
        .await
        .unwrap();
    let by_erin = |id: i64| {
        let mut new = plain(id, 5, Visibility::Public);
        new.status.local = false;
        new
    };
    // 100: Erin's, nothing holds it. 101: favourited by Alice. 102: by Dave (followed).
    // 103: in a thread Alice replied in (104 is her reply). 105: mentions Carol.
    // 106: boosted by Dave (107). 108: newer than the cut-off.
    for new in [
        by_erin(100),
        by_erin(101),
        plain(102, REMOTE, Visibility::Public),
    ] {
        store.insert_status(&new).await.unwrap();
    }
    store
        .add_mark(Mark::Favourite, Id(90), Id(ALICE), Id(101), None, NOW)
        .await
        .unwrap();
    store.insert_status(&by_erin(103)).await.unwrap();
    let mut reply = plain(104, ALICE, Visibility::Public);
    reply.status.in_reply_to_id = Some(Id(103));
    reply.status.conversation = Some("https://example.org/contexts/103".into());
    store.insert_status(&reply).await.unwrap();
    let mut mentioning = by_erin(105);
    mentioning.mentions = vec![Id(CAROL)];
    store.insert_status(&mentioning).await.unwrap();
    store.insert_status(&by_erin(106)).await.unwrap();
    let mut boost = plain(107, REMOTE, Visibility::Public);
    boost.status.reblog_of_id = Some(Id(106));
    store.insert_status(&boost).await.unwrap();
    store.insert_status(&by_erin(108)).await.unwrap();

    let cut_off = Timestamp(NOW.0 + 108);
    assert_eq!(
        store.count_prunable_remote_statuses(cut_off).await.unwrap(),
        1
    );
    let prunable = store
        .prunable_remote_statuses(cut_off, Id(i64::MIN), 10)
        .await
        .unwrap();
    assert_eq!(prunable, vec![Id(100)]);
    assert_eq!(store.prune_remote_statuses(&prunable).await.unwrap(), 1);
    assert!(store.status(Id(100)).await.unwrap().is_none());
    for kept in [101, 102, 103, 104, 105, 106, 107, 108] {
        assert!(store.status(Id(kept)).await.unwrap().is_some(), "{kept}");
    }
    // Local posts are never pruned, even when asked by id; no tombstone is left.
    assert_eq!(store.prune_remote_statuses(&[Id(104)]).await.unwrap(), 0);
    assert!(
        store
            .tombstone("https://example.org/objects/100")
            .await
            .unwrap()
            .is_none()
    );
}

async fn trends_and_tag_search(db: &TestDatabase) {
    let store = seeded(db).await;
    // Trends read recent posts by id, and ids grow with time: these are made at NOW.
    let base = Id::lowest_at(NOW.0).0;
    let mut first = plain(base, ALICE, Visibility::Public);
    first.tags = vec!["Rust".into(), "tokio".into()];
    first.status.content = r#"<p>see <a href="https://news.example/a">it</a></p>"#.into();
    let mut second = plain(base + 1, BOB, Visibility::Public);
    second.tags = vec!["rust".into(), "100%_sure".into()];
    let mut hidden = plain(base + 2, CAROL, Visibility::Private);
    hidden.tags = vec!["tokio".into()];
    for new in [&first, &second, &hidden] {
        store.insert_status(new).await.unwrap();
    }
    store
        .add_mark(Mark::Favourite, Id(93), Id(CAROL), Id(base), None, NOW)
        .await
        .unwrap();
    let since = Timestamp(NOW.0);
    let tags = store.trending_tags(since, 10, 0).await.unwrap();
    let ranked: Vec<(&str, i64)> = tags.iter().map(|t| (t.name.as_str(), t.accounts)).collect();
    assert_eq!(ranked[0], ("Rust", 2), "{tags:?}");
    assert!(
        ranked.contains(&("tokio", 1)),
        "the private post does not count: {tags:?}"
    );
    let trending = store.trending_statuses(since, 10, 0).await.unwrap();
    assert_eq!(ids(&trending, |s| s.id), vec![base]);
    assert_eq!(store.search_tags("ru", 10, 0).await.unwrap(), ["Rust"]);
    assert_eq!(
        store.search_tags("100%", 10, 0).await.unwrap(),
        ["100%_sure"]
    );
    assert!(store.search_tags("1_0", 10, 0).await.unwrap().is_empty());
}

async fn scheduled_posts_reserve_their_uploads(db: &TestDatabase) {
    let store = seeded(db).await;
    let upload = |id: i64| Attachment {
        id: Id(id),
        status_id: None,
        account_id: Id(ALICE),
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
        preview_key: None,
        stored_bytes: 10,
        processing: false,
    };
    store.insert_upload(&upload(700)).await.unwrap();
    store.insert_upload(&upload(701)).await.unwrap();
    let scheduled = |id: i64| rhizome_store::ScheduledStatus {
        id: Id(id),
        account_id: Id(ALICE),
        scheduled_at: Timestamp(NOW.0 + 3_600_000),
        params: "{}".into(),
        created_at: NOW,
    };
    store
        .insert_scheduled_status(&scheduled(800), &[Id(700)])
        .await
        .unwrap();
    assert_eq!(
        store.reserved_media(&[Id(700), Id(701)]).await.unwrap(),
        vec![(Id(700), Id(800))]
    );
    // Reserved twice: refused, and the second scheduled post is not stored.
    assert!(
        store
            .insert_scheduled_status(&scheduled(801), &[Id(701), Id(700)])
            .await
            .is_err()
    );
    assert!(store.scheduled_status(Id(801)).await.unwrap().is_none());
    assert!(store.reserved_media(&[Id(701)]).await.unwrap().is_empty());
    // The clean-up of unposted uploads leaves the reserved one.
    let later = Timestamp(NOW.0 + 1);
    let unposted = store.unattached_media(later, 10).await.unwrap();
    assert_eq!(ids(&unposted, |m| m.id), vec![701]);
    assert_eq!(
        store
            .delete_unattached_media(&[Id(700), Id(701)])
            .await
            .unwrap(),
        vec![Id(701)]
    );
}

/// An account's counts as `account_counts` gives them.
async fn policy_revision(store: &Store) -> i64 {
    store
        .reader()
        .revision(rhizome_store::POLICY_REVISION)
        .await
        .unwrap()
}

/// Whether the policy revision moved since `last`, which it then becomes.
async fn bumped(store: &Store, last: &mut i64) -> bool {
    let now = policy_revision(store).await;
    let moved = now > *last;
    *last = now;
    moved
}

async fn counts_or_default(store: &Store, id: Id) -> rhizome_store::AccountCounts {
    store.account_counts(&[id]).await.unwrap()[&id]
}

async fn a_reader_holds_one_connection_for_its_look_ups(db: &TestDatabase) {
    seeded(db).await;
    // Two read connections: SQLite's read pool never has fewer, PostgreSQL's is the only pool.
    let store = Store::connect(db.url(), PoolSize { max_connections: 2 })
        .await
        .unwrap();
    let mut post = plain(60, ALICE, Visibility::Public);
    post.mentions = vec![Id(BOB)];
    post.tags = vec!["rust".to_owned()];
    store.insert_status(&post).await.unwrap();
    store
        .add_mark(Mark::Favourite, Id(95), Id(BOB), Id(60), None, NOW)
        .await
        .unwrap();
    let page = [Id(60)];

    // A reader takes no connection until its first look-up.
    let _unused = store.reader();
    let mut first = store.reader();
    let mut second = store.reader();
    assert_eq!(first.tags_of(&page).await.unwrap()[&Id(60)], ["rust"]);
    assert_eq!(second.mentions_of(&page).await.unwrap()[&Id(60)], [Id(BOB)]);
    // Both connections are held: the pool has none left for a look-up of its own.
    let starved =
        tokio::time::timeout(std::time::Duration::from_millis(300), store.tags_of(&page)).await;
    assert!(starved.is_err(), "the pool had a third connection");

    // Each reader goes on with the connection it holds, whatever the statement.
    let counts = first.status_counts_with_quotes(&page).await.unwrap();
    assert_eq!(counts[&Id(60)].0.favourites, 1);
    let flags = second.viewer_flags(Id(BOB), &page).await.unwrap();
    assert!(flags[&Id(60)].favourited);
    let found = first.statuses_by_ids(&page).await.unwrap();
    assert_eq!(ids(&found, |s| s.id), [60]);
    // Empty look-ups answer without a connection.
    assert!(store.reader().tags_of(&[]).await.unwrap().is_empty());

    drop(first);
    assert_eq!(store.tags_of(&page).await.unwrap()[&Id(60)], ["rust"]);
}

/// Every pair of ten accounts follows each other at once, then unfollows at once: on
/// PostgreSQL, the counters' row locks taken in opposite orders used to deadlock.
async fn crossing_follows_at_once_keep_their_counts(db: &TestDatabase) {
    let store = db.store().await;
    let accounts: Vec<i64> = (200..210).collect();
    for id in &accounts {
        store
            .upsert_remote_account(&remote_account(*id, &format!("u{id}"), "remote.example"))
            .await
            .unwrap();
    }
    let pairs: Vec<(i64, i64)> = accounts
        .iter()
        .flat_map(|a| {
            accounts
                .iter()
                .filter(move |b| *b != a)
                .map(move |b| (*a, *b))
        })
        .collect();
    let mut tasks = tokio::task::JoinSet::new();
    for (index, (from, to)) in pairs.iter().copied().enumerate() {
        let store = store.clone();
        tasks.spawn(async move {
            store
                .upsert_follow(FollowTable::Follows, &follow(1000 + index as i64, from, to))
                .await
                .map(|_| ())
        });
    }
    finish_all(&mut tasks).await;
    assert_follow_counts(&store, &accounts, (9, 9)).await;
    for (from, to) in pairs {
        let store = store.clone();
        tasks.spawn(async move {
            store
                .delete_follow(FollowTable::Follows, Id(from), Id(to))
                .await
                .map(|_| ())
        });
    }
    finish_all(&mut tasks).await;
    assert_follow_counts(&store, &accounts, (0, 0)).await;
}

async fn finish_all(tasks: &mut tokio::task::JoinSet<Result<(), rhizome_store::StoreError>>) {
    while let Some(done) = tasks.join_next().await {
        done.unwrap().unwrap();
    }
}

/// Checks every account's (followers, following).
async fn assert_follow_counts(store: &Store, accounts: &[i64], expected: (i64, i64)) {
    for id in accounts {
        let counts = counts_or_default(store, Id(*id)).await;
        assert_eq!(
            (counts.followers, counts.following),
            expected,
            "account {id}"
        );
    }
}

/// A status, its custom emoji, its poll and its jobs are one write: all of them, or (when the
/// status's id is taken) none.
async fn a_status_is_written_whole_or_not_at_all(db: &TestDatabase) {
    let store = seeded(db).await;
    let emojis = [rhizome_model::EmojiRef {
        shortcode: "blobcat".into(),
        url: "https://remote.example/emoji/blobcat.png".into(),
    }];
    let poll = |id: i64| rhizome_store::Poll {
        id: Id(id),
        status_id: Id(70),
        options: vec![rhizome_store::PollOption {
            title: "yes".into(),
            votes_count: 0,
        }],
        multiple: false,
        hide_totals: false,
        expires_at: None,
        voters_count: 0,
        closed: false,
        updated_at: NOW,
    };
    let job = |id: i64| rhizome_store::NewJob {
        id: Id(id),
        kind: "distribute_status".into(),
        payload: "{}".into(),
        run_at: NOW,
        max_attempts: 5,
    };
    let first_poll = poll(80);
    let jobs = [job(90)];
    store
        .insert_status_with(
            &plain(70, ALICE, Visibility::Public),
            &StatusExtras {
                emojis: &emojis,
                poll: Some(&first_poll),
                jobs: &jobs,
            },
        )
        .await
        .unwrap();
    assert_eq!(store.emojis_of(&[Id(70)]).await.unwrap()[&Id(70)], emojis);
    assert_eq!(store.poll_of_status(Id(70)).await.unwrap(), Some(poll(80)));
    assert!(store.job(Id(90)).await.unwrap().is_some());

    // The same id again: refused, and nothing of it is written.
    let second_poll = poll(81);
    let jobs = [job(91)];
    let refused = store
        .insert_status_with(
            &plain(70, BOB, Visibility::Public),
            &StatusExtras {
                emojis: &[],
                poll: Some(&second_poll),
                jobs: &jobs,
            },
        )
        .await;
    assert!(matches!(
        refused,
        Err(rhizome_store::StoreError::Conflict(_))
    ));
    assert_eq!(store.poll_of_status(Id(70)).await.unwrap(), Some(poll(80)));
    assert!(store.job(Id(91)).await.unwrap().is_none());
}
