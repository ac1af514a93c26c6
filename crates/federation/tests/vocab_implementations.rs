//! The vocabulary parsers over documents shaped after each implementation's documentation:
//! Mastodon, Akkoma/Pleroma, Misskey, older GoToSocial, PeerTube, Lemmy, Friendica, Pixelfed,
//! and the quote FEPs (see the comment at the top of each data file).

mod vocab_common;

use rhizome_federation::vocab::incoming::{
    ActivityKind, ActorKind, AttachmentKind, CollectionKind, ObjectKind, Tag,
};
use rhizome_federation::vocab::{
    parse_activity, parse_actor, parse_collection, parse_object, parse_quote_authorization,
    public_collection,
};
use vocab_common::{MAX, load, url};

#[test]
fn mastodon_person() {
    let actor = parse_actor(&load("mastodon/person.jsonc"), MAX).unwrap();
    assert_eq!(actor.kind, ActorKind::Person);
    assert_eq!(actor.preferred_username.as_deref(), Some("ada"));
    assert_eq!(
        actor.shared_inbox,
        Some(url("https://mastodon.example/inbox"))
    );
    assert_eq!(
        actor.featured,
        Some(url(
            "https://mastodon.example/users/ada/collections/featured"
        ))
    );
    assert_eq!(actor.discoverable, Some(true));
    assert_eq!(actor.indexable, Some(false));
    assert_eq!(
        actor.also_known_as,
        vec![url("https://old.example/users/ada")]
    );
    assert_eq!(actor.fields.len(), 2);
    assert_eq!(actor.fields[0].name, "Website");
    assert!(
        actor.fields[0]
            .value
            .contains("rel=\"nofollow noopener me\"")
    );
    assert_eq!(actor.emojis[0].shortcode(), "verified_ada");
    assert!(actor.icon_url.unwrap().as_str().ends_with("ada.jpg"));
    assert!(actor.image_url.unwrap().as_str().ends_with("header.png"));
    assert_eq!(
        actor.public_key.unwrap().id,
        url("https://mastodon.example/users/ada#main-key")
    );
}

#[test]
fn mastodon_note_with_tags_and_media() {
    let note = parse_object(&load("mastodon/note.jsonc"), MAX).unwrap();
    let post = note.post_view().unwrap();
    assert_eq!(post.kind, ObjectKind::Note);
    // `summary: null` and `inReplyTo: null` are absent, not errors.
    assert_eq!(
        (post.summary.clone(), post.in_reply_to.clone()),
        (None, None)
    );
    assert_eq!(post.language.as_deref(), Some("en"));
    assert_eq!(
        post.mentions[0].name.as_deref(),
        Some("@grace@social.example")
    );
    assert_eq!(post.hashtags[0].bare_name(), "history");
    assert_eq!(post.emojis[0].name, ":gear:");
    assert!(post.emojis[0].updated.is_some());
    let media = &post.attachments[0];
    assert_eq!(media.kind, AttachmentKind::Document);
    assert_eq!(media.media_type.as_deref(), Some("image/jpeg"));
    assert_eq!(
        media.name.as_deref(),
        Some("A pencil drawing of a machine with many gears")
    );
    assert_eq!(
        media.blurhash.as_deref(),
        Some("UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH")
    );
    assert_eq!((media.width, media.height), (Some(1600), Some(1200)));
    assert_eq!(media.focal_point, Some((0.12, -0.4)));
    // The OStatus conversation is a `tag:` URI, not a URL.
    assert_eq!(post.context, None);
}

#[test]
fn mastodon_activities() {
    let create = parse_activity(&load("mastodon/create_note_reply.jsonc"), MAX).unwrap();
    assert_eq!(create.kind, ActivityKind::Create);
    let reply = create
        .object
        .as_ref()
        .unwrap()
        .as_object()
        .unwrap()
        .post_view()
        .unwrap();
    assert_eq!(
        reply.in_reply_to,
        Some(url("https://social.example/users/grace/statuses/42"))
    );
    assert_eq!(reply.summary.as_deref(), Some("engines, long"));
    assert!(reply.sensitive);
    assert!(reply.is_public(), "unlisted posts carry Public in cc");

    let announce = parse_activity(&load("mastodon/announce.jsonc"), MAX).unwrap();
    assert_eq!(announce.kind, ActivityKind::Announce);
    assert_eq!(
        announce.object_id(),
        Some(&url("https://social.example/users/grace/statuses/42"))
    );
    assert_eq!(announce.to, vec![public_collection().clone()]);

    let undo = parse_activity(&load("mastodon/undo_follow.jsonc"), MAX).unwrap();
    assert_eq!(undo.kind, ActivityKind::Undo);
    let follow = undo.object.as_ref().unwrap().as_activity().unwrap();
    assert_eq!(follow.kind, ActivityKind::Follow);
    assert_eq!(
        follow.object_id(),
        Some(&url("https://social.example/users/grace"))
    );

    let delete = parse_activity(&load("mastodon/delete_tombstone.jsonc"), MAX).unwrap();
    let tombstone = delete.object.as_ref().unwrap().as_object().unwrap();
    assert_eq!(tombstone.kind, ObjectKind::Tombstone);
    assert_eq!(
        delete.object_id(),
        Some(&url(
            "https://mastodon.example/users/ada/statuses/112233445566778899"
        ))
    );

    let update = parse_activity(&load("mastodon/update_person.jsonc"), MAX).unwrap();
    let profile = update.object.as_ref().unwrap().as_actor().unwrap();
    assert!(profile.manually_approves_followers);
    assert_eq!(profile.name.as_deref(), Some("Ada L."));
    assert_eq!(profile.fields[0].value, "she/her");

    let moved = parse_activity(&load("mastodon/move.jsonc"), MAX).unwrap();
    assert_eq!(moved.kind, ActivityKind::Move);
    assert_eq!(moved.object_id(), Some(&moved.actor));
    assert_eq!(
        moved.target.as_ref().unwrap().id(),
        Some(&url("https://mastodon.example/users/ada"))
    );

    let flag = parse_activity(&load("mastodon/flag.jsonc"), MAX).unwrap();
    assert_eq!(flag.kind, ActivityKind::Flag);
    assert_eq!(flag.content.as_deref(), Some("Spam links in every reply"));
    let reported: Vec<_> = flag.objects().filter_map(|object| object.id()).collect();
    assert_eq!(reported.len(), 3);
    assert_eq!(reported[0], &url("https://social.example/users/spammer"));
}

#[test]
fn mastodon_featured_collection_embeds_notes() {
    let featured = parse_collection(&load("mastodon/featured.jsonc"), MAX).unwrap();
    assert_eq!(featured.kind, CollectionKind::OrderedCollection);
    assert_eq!(featured.total_items, Some(1));
    let pinned = featured.items[0].as_object().unwrap();
    assert_eq!(
        pinned.content.as_deref(),
        Some("<p>Pinned: start here.</p>")
    );
}

#[test]
fn akkoma_note_with_source_and_link_array_attachment() {
    let note = parse_object(&load("akkoma/note.jsonc"), MAX).unwrap();
    let post = note.post_view().unwrap();
    let source = post.source.as_ref().unwrap();
    assert_eq!(source.content, "Ich mag **Elixir**.");
    assert_eq!(source.media_type.as_deref(), Some("text/markdown"));
    assert_eq!(post.language.as_deref(), Some("de"));
    assert!(!post.sensitive, "sensitive: null means not sensitive");
    assert_eq!(post.summary, None);
    assert_eq!(
        post.context,
        Some(url(
            "https://akko.example/contexts/1f9e4d2c-aaaa-4bbb-8ccc-0d1e2f3a4b5c"
        ))
    );
    assert_eq!(
        post.quote_url,
        Some(url(
            "https://mastodon.example/users/ada/statuses/112233445566778899"
        ))
    );
    let media = &post.attachments[0];
    assert_eq!(media.url, url("https://akko.example/media/3c1d2e.webp"));
    assert_eq!((media.width, media.height), (Some(800), Some(600)));
    assert_eq!(media.name.as_deref(), Some("A purple cat"));
}

#[test]
fn pleroma_legacy_source_string_and_actor_as_author() {
    let note = parse_object(&load("akkoma/note_legacy_source.jsonc"), MAX).unwrap();
    let post = note.post_view().unwrap();
    assert_eq!(post.source.unwrap().content, "hello **world**");
    // No attributedTo: the author comes from `actor`.
    assert_eq!(
        post.attributed_to,
        Some(url("https://pleroma.example/users/kaniini"))
    );
    assert_eq!(post.summary.as_deref(), Some("politics"));
}

#[test]
fn akkoma_and_pleroma_emoji_reactions() {
    let custom = parse_activity(&load("akkoma/emoji_react_custom.jsonc"), MAX).unwrap();
    assert_eq!(custom.kind, ActivityKind::EmojiReact);
    let reaction = custom.reaction().unwrap();
    assert_eq!(reaction.content, ":blobcat_heart:");
    // The tag names the emoji without colons; it still matches.
    let emoji = reaction.emoji.unwrap();
    assert_eq!(
        emoji.icon_url,
        url("https://akko.example/emoji/blobcat/blobcat_heart.png")
    );

    let unicode = parse_activity(&load("akkoma/emoji_react_unicode.jsonc"), MAX).unwrap();
    let reaction = unicode.reaction().unwrap();
    assert_eq!((reaction.content, reaction.emoji), ("🔥", None));
    assert!(!unicode.is_public());
}

#[test]
fn misskey_note_with_mfm_and_quote() {
    let note = parse_object(&load("misskey/note.jsonc"), MAX).unwrap();
    let post = note.post_view().unwrap();
    assert!(post.content.as_deref().unwrap().contains("<i>すごい</i>"));
    let source = post.source.as_ref().unwrap();
    assert_eq!(source.media_type.as_deref(), Some("text/x.misskeymarkdown"));
    assert_eq!(source.content, "これは<i>すごい</i> :misskey_love:");
    assert_eq!(
        post.quote_url,
        Some(url(
            "https://mastodon.example/users/ada/statuses/112233445566778899"
        ))
    );
    assert!(post.sensitive);
    assert_eq!(post.attachments[0].name, None);
    assert_eq!(post.emojis[0].shortcode(), "misskey_love");
}

#[test]
fn misskey_source_falls_back_to_misskey_content() {
    let bytes = br#"{"type":"Note","id":"https://misskey.example/notes/x","content":"<p>a</p>","_misskey_content":"**a**"}"#;
    let note = parse_object(bytes, MAX).unwrap();
    let source = note.source.unwrap();
    assert_eq!(source.content, "**a**");
    assert_eq!(source.media_type.as_deref(), Some("text/x.misskeymarkdown"));
}

#[test]
fn misskey_like_with_reaction() {
    let like = parse_activity(&load("misskey/like_reaction.jsonc"), MAX).unwrap();
    assert_eq!(like.kind, ActivityKind::Like);
    let reaction = like.reaction().unwrap();
    assert_eq!(reaction.content, ":blobfox_hug:");
    assert_eq!(
        reaction.emoji.unwrap().icon_url,
        url("https://misskey.example/files/emoji-blobfox-hug.webp")
    );
}

#[test]
fn misskey_closed_question() {
    let question = parse_object(&load("misskey/question.jsonc"), MAX).unwrap();
    let post = question.post_view().unwrap();
    assert_eq!(post.kind, ObjectKind::Question);
    let poll = post.poll.unwrap();
    let counts: Vec<_> = poll
        .options
        .iter()
        .map(|option| (option.name.as_str(), option.votes))
        .collect();
    assert_eq!(
        counts,
        [("ごはん", Some(12)), ("パン", Some(7)), ("なし", Some(2))]
    );
    assert!(poll.closed);
    assert_eq!(poll.closed_at, poll.end_time);
    assert_eq!(poll.voters_count, None);
}

#[test]
fn misskey_bot_with_top_level_shared_inbox() {
    let bot = parse_actor(&load("misskey/service_actor.jsonc"), MAX).unwrap();
    assert_eq!(bot.kind, ActorKind::Service);
    assert!(bot.bot);
    assert_eq!(bot.shared_inbox, Some(url("https://misskey.example/inbox")));
    assert_eq!(bot.image_url, None);
    assert!(bot.icon_url.is_some());
    assert!(bot.emojis.is_empty());
}

#[test]
fn gotosocial_legacy_actor_with_null_endpoints() {
    let actor = parse_actor(
        &load("gotosocial_legacy/person_hs2019_endpoints_null.jsonc"),
        MAX,
    )
    .unwrap();
    assert_eq!(actor.shared_inbox, None);
    assert!(actor.manually_approves_followers);
    assert_eq!(actor.fields.len(), 1, "a single field object, not an array");
    assert_eq!(actor.fields[0].value, "gts.example");
    assert_eq!(
        actor.public_key.unwrap().id,
        url("https://gts.example/users/zork/main-key")
    );
    assert!(actor.icon_url.is_some());
}

#[test]
fn peertube_video_with_link_arrays_and_group() {
    let video = parse_object(&load("peertube/video.jsonc"), MAX).unwrap();
    let post = video.post_view().unwrap();
    assert_eq!(post.kind, ObjectKind::Video);
    assert_eq!(post.name.as_deref(), Some("Building a loom, part 3"));
    assert_eq!(
        post.attributed_to,
        Some(url("https://tube.example/accounts/maker"))
    );
    assert_eq!(
        post.group,
        Some(url("https://tube.example/video-channels/maker_channel"))
    );
    assert_eq!(
        post.url,
        Some(url("https://tube.example/w/cz7bC3Sd8uVfP1iQ"))
    );
    assert_eq!(post.content_media_type.as_deref(), Some("text/markdown"));
    assert!(post.content.as_deref().unwrap().contains("**Chapters**"));
    assert_eq!(video.duration.as_deref(), Some("PT1143S"));
    assert_eq!(post.language.as_deref(), Some("en"));
    // The widest of the thumbnails.
    assert_eq!(
        post.image_url,
        Some(url("https://tube.example/lazy-static/previews/large.jpg"))
    );
    let tags: Vec<_> = post.hashtags.iter().map(|tag| tag.bare_name()).collect();
    assert_eq!(tags, ["weaving", "woodwork"]);
    assert!(post.hashtags[0].href.is_none());
}

#[test]
fn peertube_channel_is_a_group_actor() {
    let channel = parse_actor(&load("peertube/channel_group.jsonc"), MAX).unwrap();
    assert_eq!(channel.kind, ActorKind::Group);
    assert!(!channel.bot);
    assert_eq!(
        channel.icon_url,
        Some(url("https://tube.example/lazy-static/avatars/600.png"))
    );
    assert_eq!(
        channel.shared_inbox,
        Some(url("https://tube.example/inbox"))
    );
}

#[test]
fn lemmy_page_in_a_community() {
    let page = parse_object(&load("lemmy/page.jsonc"), MAX).unwrap();
    let post = page.post_view().unwrap();
    assert_eq!(post.kind, ObjectKind::Page);
    assert_eq!(
        post.name.as_deref(),
        Some("Jacquard's punched cards, explained")
    );
    assert_eq!(
        post.attributed_to,
        Some(url("https://lemmy.example/u/riker"))
    );
    assert_eq!(post.group, Some(url("https://lemmy.example/c/looms")));
    assert_eq!(
        post.source.as_ref().unwrap().media_type.as_deref(),
        Some("text/markdown")
    );
    assert_eq!(post.language.as_deref(), Some("en"));
    assert_eq!(
        post.image_url,
        Some(url("https://lemmy.example/pictrs/image/3f2e1d0c.jpeg"))
    );
    let link = &post.attachments[0];
    assert_eq!(link.kind, AttachmentKind::Link);
    assert_eq!(link.url, url("https://history.example/jacquard"));
    assert!(post.updated.is_some());
}

#[test]
fn lemmy_create_and_announce() {
    let create = parse_activity(&load("lemmy/create_page_with_audience.jsonc"), MAX).unwrap();
    assert_eq!(
        create.audience,
        Some(url("https://remote-lemmy.example/c/weaving"))
    );
    let post = create
        .object
        .as_ref()
        .unwrap()
        .as_object()
        .unwrap()
        .post_view()
        .unwrap();
    assert_eq!(
        post.group,
        Some(url("https://remote-lemmy.example/c/weaving"))
    );
    assert_eq!(post.language, None, "`und` is no language");
    assert_eq!(
        post.published.unwrap().to_rfc3339(),
        "2024-01-16T09:00:00+00:00"
    );

    // Announce > Create > Note: every level embedded.
    let announce = parse_activity(&load("lemmy/announce_create_comment.jsonc"), MAX).unwrap();
    assert_eq!(
        announce.actor,
        url("https://remote-lemmy.example/c/weaving")
    );
    let inner = announce.object.as_ref().unwrap().as_activity().unwrap();
    assert_eq!(inner.kind, ActivityKind::Create);
    let comment = inner
        .object
        .as_ref()
        .unwrap()
        .as_object()
        .unwrap()
        .post_view()
        .unwrap();
    assert_eq!(
        comment.in_reply_to,
        Some(url("https://lemmy.example/post/4243"))
    );
    assert_eq!(
        comment.mentions[0].href,
        url("https://remote-lemmy.example/u/troi")
    );
}

#[test]
fn lemmy_community_group() {
    let group = parse_actor(&load("lemmy/group.jsonc"), MAX).unwrap();
    assert_eq!(group.kind, ActorKind::Group);
    assert_eq!(
        group.featured,
        Some(url("https://remote-lemmy.example/c/weaving/featured"))
    );
    assert_eq!(group.following, None);
}

#[test]
fn friendica_note_with_bbcode_and_differing_content_map() {
    let note = parse_object(&load("friendica/note.jsonc"), MAX).unwrap();
    let post = note.post_view().unwrap();
    // `content` wins over a contentMap entry that differs from it; the language is still that
    // of the only entry.
    assert!(
        post.content
            .as_deref()
            .unwrap()
            .starts_with("<span class=\"h-card\">")
    );
    assert_eq!(post.language.as_deref(), Some("de"));
    assert_eq!(
        post.source.as_ref().unwrap().media_type.as_deref(),
        Some("text/bbcode")
    );
    assert_eq!(
        post.context,
        Some(url("https://lemmy.example/post/4242#context"))
    );
    assert_eq!(post.attachments[0].kind, AttachmentKind::Image);
    assert_eq!(post.to.len(), 3);
    assert!(post.is_public());
}

#[test]
fn pixelfed_photo_post() {
    let note = parse_object(&load("pixelfed/note.jsonc"), MAX).unwrap();
    let post = note.post_view().unwrap();
    assert_eq!(post.summary, None);
    let photo = &post.attachments[0];
    assert_eq!((photo.width, photo.height), (Some(1080), Some(1350)));
    assert_eq!(photo.name.as_deref(), Some("Sunlight across warp threads"));
    assert_eq!(post.hashtags[0].name, "#weaving");
}

#[test]
fn quotes_from_feps() {
    let e232 = parse_object(&load("fep/quote_fep_e232_link.jsonc"), MAX).unwrap();
    assert_eq!(
        e232.quote,
        Some(url("https://mastodon.example/users/ada/statuses/1"))
    );
    assert!(matches!(&e232.tag[0], Tag::Link(link) if link.is_object_link()));
    assert_eq!(
        e232.to,
        vec![public_collection().clone()],
        "a bare string `as:Public`"
    );

    let fep_044f = parse_object(&load("fep/quote_fep_044f.jsonc"), MAX).unwrap();
    assert_eq!(
        fep_044f.quote,
        Some(url("https://social.example/users/grace/statuses/42"))
    );
    assert_eq!(
        fep_044f.quote_authorization,
        Some(url(
            "https://social.example/users/grace/quote_authorizations/7"
        ))
    );
    // No policy stated: not the same as "nobody".
    assert_eq!(fep_044f.quote_policy, None);
}

#[test]
fn quote_policies_and_stamps() {
    let mastodon = parse_object(&load("fep/quote_policy_044f.jsonc"), MAX).unwrap();
    let policy = mastodon.quote_policy.expect("a policy");
    assert_eq!(
        policy.automatic,
        vec![url("https://mastodon.example/users/ada/followers")],
        "a single value, not an array"
    );
    assert_eq!(policy.manual, vec![public_collection().clone()]);

    let gts = parse_object(&load("fep/quote_policy_gotosocial.jsonc"), MAX).unwrap();
    let policy = gts.quote_policy.expect("a policy");
    assert_eq!(
        policy.automatic,
        vec![
            url("https://gts.example/users/ada"),
            url("https://gts.example/users/ada/followers")
        ],
        "both spellings read, each entry once"
    );
    assert!(policy.manual.is_empty());
    // A policy for other interactions only says nothing of quotes.
    let older = parse_object(&load("gotosocial/objects/note_followers_only.json"), MAX).unwrap();
    assert_eq!(older.quote_policy, None);

    let stamp = parse_quote_authorization(&load("fep/quote_authorization.jsonc"), MAX).unwrap();
    assert_eq!(
        stamp.attributed_to,
        url("https://social.example/users/grace")
    );
    assert_eq!(
        stamp.interacting_object,
        url("https://mastodon.example/users/ada/statuses/113000000000000001")
    );
    assert_eq!(
        stamp.interaction_target,
        url("https://social.example/users/grace/statuses/42")
    );
    // A Note is not a stamp.
    assert!(parse_quote_authorization(&load("fep/quote_fep_044f.jsonc"), MAX).is_err());
}
