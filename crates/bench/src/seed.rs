//! Seeds a fresh instance through the store API: users (sharing a small pool of key pairs),
//! a follow graph where some accounts are much more followed than others, statuses with
//! realistic text, mentions, hashtags, replies and boosts (with their home-timeline fan-out,
//! as the distribution job would have done), favourites, and one token per user.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use futures::{StreamExt, TryStreamExt};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rhizome_core::Core;
use rhizome_core::text::{ContentType, MentionRef, Resolved};
use rhizome_model::{
    Account, Follow, Id, LocalUser, NewStatus, Role, Scopes, Status, Timestamp, Visibility,
};
use rhizome_store::{FollowTable, Mark};

use crate::text::{self, Shape};

/// How big an instance to seed.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub users: usize,
    pub statuses: usize,
    pub follows_per_user: usize,
    pub favourites_per_status: f64,
}

/// What was seeded.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// One token per user, in user order (`user1` first).
    pub tokens: Vec<String>,
    /// The users' account ids, in the same order.
    pub user_ids: Vec<Id>,
    /// Statuses inserted, boosts included.
    pub statuses: usize,
    pub boosts: usize,
    pub replies: usize,
    pub follows: usize,
    pub favourites: usize,
    pub home_feed_rows: u64,
    pub elapsed: Duration,
    /// (text, content) of a few seeded posts, for the raw-insert baseline.
    pub sample_posts: Vec<(String, String)>,
}

/// How many writes are in flight at once while seeding.
const IN_FLIGHT: usize = 8;
/// Statuses are planned and written in chunks; replies, boosts and favourites only point to
/// statuses of earlier chunks, which are already stored.
const CHUNK: usize = 500;
/// Key pairs generated for all users: key generation is not what the benchmark measures.
pub(crate) const KEY_POOL: usize = 4;

fn unix_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

const FIRST_NAMES: &[&str] = &[
    "Ada", "Bram", "Chloé", "Dmitri", "Esra", "Femi", "Grace", "Hiro", "Ines", "Jonas", "Kaia",
    "Luis", "Mira", "Nils", "Oona", "Priya", "Quentin", "Rosa", "Sami", "Tove", "Uma", "Viktor",
    "Wen", "Xavier", "Yara", "Zeno",
];

pub(crate) fn local_user(
    core: &Core,
    index: usize,
    keys: &rhizome_federation::keys::PemKeyPair,
    at: Timestamp,
    rng: &mut StdRng,
) -> LocalUser {
    let name = text::username(index);
    let urls = &core.urls;
    let first = FIRST_NAMES[index % FIRST_NAMES.len()];
    LocalUser {
        account: Account {
            id: Id::generate(at.0 + index as i64),
            username: name.clone(),
            domain: None,
            display_name: format!("{first} ({name})"),
            note: format!("<p>{}</p>", text::sentence(rng)),
            uri: urls.actor(&name),
            url: Some(urls.profile(&name)),
            inbox_url: Some(urls.inbox(&name)),
            shared_inbox_url: Some(urls.shared_inbox()),
            outbox_url: Some(urls.outbox(&name)),
            followers_url: Some(urls.followers(&name)),
            following_url: Some(urls.following(&name)),
            featured_url: Some(urls.featured(&name)),
            public_key_id: Some(urls.key_id(&name)),
            public_key_pem: keys.public_pem.clone(),
            actor_type: "Person".to_owned(),
            locked: false,
            bot: false,
            discoverable: true,
            avatar_url: None,
            header_url: None,
            fields: Vec::new(),
            also_known_as: Vec::new(),
            moved_to_account_id: None,
            suspended_at: None,
            emojis: Vec::new(),
            fetched_at: None,
            created_at: at,
            updated_at: at,
        },
        email: format!("{name}@bench.example"),
        // Nobody signs in with a password: requests carry tokens issued below.
        password_hash:
            "$argon2id$v=19$m=19456,t=2,p=1$YmVuY2hiZW5jaA$bm90LWEtcmVhbC1wYXNzd29yZC1oYXNo"
                .to_owned(),
        role: Role::User,
        private_key_pem: keys.private_pem.clone(),
        approved: true,
        registration_reason: None,
        locale: "en".to_owned(),
        created_at: at,
        last_sign_in_at: None,
    }
}

/// A stored status that later ones may reply to or boost.
#[derive(Clone)]
struct Earlier {
    id: Id,
    author: usize,
    uri: String,
    conversation: Option<String>,
}

/// A status to write and the home timelines it goes into (besides its author's).
struct Planned {
    new: NewStatus,
    author: usize,
    home_of: Vec<Id>,
    boost: bool,
    reply: bool,
}

/// What the status planner needs to know about the instance.
struct Instance<'a> {
    core: &'a Core,
    user_ids: &'a [Id],
    followers: &'a [Vec<usize>],
}

impl Instance<'_> {
    fn render(&self, text: &str) -> rhizome_core::text::Rendered {
        let base = self.core.urls.base().to_owned();
        let resolve = |mention: &MentionRef| -> Option<Resolved> {
            if mention.domain.is_some() {
                return None;
            }
            let number: usize = mention.username.strip_prefix("user")?.parse().ok()?;
            (1..=self.user_ids.len())
                .contains(&number)
                .then(|| Resolved {
                    url: self.core.urls.profile(&mention.username),
                    acct: mention.username.clone(),
                })
        };
        let tag_url = |tag: &str| format!("{base}/tags/{tag}");
        rhizome_core::text::render_with_entities(text, ContentType::Plain, &resolve, &tag_url)
    }

    /// Plans one status by `author` at `at`.
    fn plan(&self, rng: &mut StdRng, author: usize, at: i64, earlier: &[Earlier]) -> Planned {
        let base = self.core.urls.base();
        let id = Id::generate(at);
        let followers = |index: usize| -> Vec<Id> {
            self.followers[index]
                .iter()
                .map(|&f| self.user_ids[f])
                .collect()
        };
        let candidates: Vec<&Earlier> = if earlier.is_empty() {
            Vec::new()
        } else {
            (0..8)
                .map(|_| &earlier[rng.random_range(0..earlier.len())])
                .filter(|e| e.author != author)
                .collect()
        };
        let roll: f64 = rng.random();
        if roll < 0.06
            && let Some(original) = candidates.first()
        {
            let status = Status {
                id,
                uri: format!("{base}/activities/{}", uuid::Uuid::new_v4()),
                url: None,
                account_id: self.user_ids[author],
                in_reply_to_id: None,
                in_reply_to_uri: None,
                in_reply_to_account_id: None,
                reblog_of_id: Some(original.id),
                quote_of_id: None,
                quote_state: None,
                quote_authorization: None,
                quote_policy: None,
                conversation: None,
                text: String::new(),
                content: String::new(),
                content_type: "text/plain".into(),
                spoiler_text: String::new(),
                sensitive: false,
                visibility: Visibility::Public,
                language: None,
                local: true,
                object_type: "Announce".into(),
                title: None,
                application_id: None,
                created_at: Timestamp(at),
                edited_at: None,
                updated_at: Timestamp(at),
            };
            let original_author = self.user_ids[original.author];
            let home_of = followers(author)
                .into_iter()
                .filter(|id| *id != original_author)
                .collect();
            return Planned {
                new: NewStatus {
                    status,
                    mentions: Vec::new(),
                    tags: Vec::new(),
                    attachments: Vec::new(),
                },
                author,
                home_of,
                boost: true,
                reply: false,
            };
        }
        let parent = if roll < 0.18 {
            candidates.first().copied()
        } else {
            None
        };
        let mut shape = Shape::random(rng);
        let visibility = match rng.random_range(0..100) {
            0..80 => Visibility::Public,
            80..90 => Visibility::Unlisted,
            90..97 => Visibility::Private,
            _ => Visibility::Direct,
        };
        if visibility == Visibility::Direct {
            shape.mentions = shape.mentions.max(1);
        }
        let mut post = text::post(rng, shape, self.user_ids.len(), Some(author));
        if let Some(parent) = parent {
            post.text = format!("@{} {}", text::username(parent.author), post.text);
        }
        let rendered = self.render(&post.text);
        let mut mentions: Vec<Id> = rendered
            .resolved
            .iter()
            .filter_map(|r| r.acct.strip_prefix("user")?.parse::<usize>().ok())
            .filter_map(|number| self.user_ids.get(number.wrapping_sub(1)).copied())
            .collect();
        mentions.sort_unstable();
        mentions.dedup();
        let mut home_of = if visibility == Visibility::Direct {
            Vec::new()
        } else {
            followers(author)
        };
        home_of.extend(mentions.iter().copied());
        home_of.sort_unstable();
        home_of.dedup();
        let status = Status {
            id,
            uri: format!("{base}/objects/{}", uuid::Uuid::new_v4()),
            url: Some(format!("{base}/notice/{id}")),
            account_id: self.user_ids[author],
            in_reply_to_id: parent.map(|p| p.id),
            in_reply_to_uri: parent.map(|p| p.uri.clone()),
            in_reply_to_account_id: parent.map(|p| self.user_ids[p.author]),
            reblog_of_id: None,
            quote_of_id: None,
            quote_state: None,
            quote_authorization: None,
            quote_policy: None,
            conversation: match parent {
                Some(parent) => parent.conversation.clone(),
                None => Some(format!("{base}/contexts/{}", uuid::Uuid::new_v4())),
            },
            text: post.text,
            content: rendered.html,
            content_type: "text/plain".into(),
            spoiler_text: String::new(),
            sensitive: false,
            visibility,
            language: Some("en".into()),
            local: true,
            object_type: "Note".into(),
            title: None,
            application_id: None,
            created_at: Timestamp(at),
            edited_at: None,
            updated_at: Timestamp(at),
        };
        Planned {
            new: NewStatus {
                status,
                mentions,
                tags: rendered.extracted.hashtags,
                attachments: Vec::new(),
            },
            author,
            home_of,
            boost: false,
            reply: parent.is_some(),
        }
    }
}

/// Runs `write` on each item, a few at a time.
pub(crate) async fn in_flight<T, E, F, Fut>(items: Vec<T>, write: F) -> Result<(), E>
where
    F: Fn(T) -> Fut,
    Fut: std::future::Future<Output = Result<(), E>>,
{
    futures::stream::iter(items.into_iter().map(write))
        .buffer_unordered(IN_FLIGHT)
        .try_collect::<Vec<()>>()
        .await
        .map(|_| ())
}

/// Seeds `scale` into the instance behind `core`, reporting progress through `progress`.
pub async fn seed(
    core: &Core,
    scale: &Scale,
    seed: u64,
    progress: &(dyn Fn(&str) + Sync),
) -> anyhow::Result<Seeded> {
    let started = Instant::now();
    let store = &core.store;
    let mut rng = StdRng::seed_from_u64(seed);
    let now = unix_millis();

    // Key pairs: a few, shared by everyone.
    let mut keys = Vec::with_capacity(KEY_POOL);
    for _ in 0..KEY_POOL {
        keys.push(
            tokio::task::spawn_blocking(rhizome_federation::keys::generate_rsa_2048)
                .await
                .context("key generation task")?
                .context("key generation")?,
        );
    }

    // Users.
    let phase = Instant::now();
    let joined = Timestamp(now - 120 * 24 * 3600 * 1000);
    let users: Vec<LocalUser> = (0..scale.users)
        .map(|i| local_user(core, i, &keys[i % keys.len()], joined, &mut rng))
        .collect();
    in_flight(users.clone(), |user| {
        let store = store.clone();
        async move { store.create_local_user(&user).await }
    })
    .await
    .context("creating users")?;
    let user_ids: Vec<Id> = users.iter().map(|u| u.account.id).collect();
    progress(&format!(
        "{} users in {:.1} s",
        users.len(),
        phase.elapsed().as_secs_f64()
    ));

    // Follows: each user follows a few others, popular accounts (low numbers) more often.
    let phase = Instant::now();
    let mut followers: Vec<Vec<usize>> = vec![Vec::new(); scale.users];
    let mut follows: Vec<Follow> = Vec::new();
    let wanted = scale.follows_per_user.min(scale.users.saturating_sub(1));
    for (follower, follower_id) in user_ids.iter().enumerate() {
        let mut chosen: Vec<usize> = Vec::with_capacity(wanted);
        let mut attempts = 0;
        while chosen.len() < wanted && attempts < wanted * 20 {
            attempts += 1;
            let target = text::skewed_index(&mut rng, scale.users, 1.8);
            if target != follower && !chosen.contains(&target) {
                chosen.push(target);
            }
        }
        for target in chosen {
            followers[target].push(follower);
            follows.push(Follow {
                id: Id::generate(joined.0 + 1000 + follows.len() as i64),
                account_id: *follower_id,
                target_account_id: user_ids[target],
                uri: Some(format!(
                    "{}/activities/{}",
                    core.urls.base(),
                    uuid::Uuid::new_v4()
                )),
                show_reblogs: true,
                notify: false,
                created_at: joined,
            });
        }
    }
    in_flight(follows.clone(), |follow| {
        let store = store.clone();
        async move {
            store
                .upsert_follow(FollowTable::Follows, &follow)
                .await
                .map(|_| ())
        }
    })
    .await
    .context("creating follows")?;
    progress(&format!(
        "{} follows in {:.1} s",
        follows.len(),
        phase.elapsed().as_secs_f64()
    ));

    // Statuses, oldest first, spread over the last 30 days.
    let phase = Instant::now();
    let instance = Instance {
        core,
        user_ids: &user_ids,
        followers: &followers,
    };
    let span = 30 * 24 * 3600 * 1000_i64;
    let first_at = now - span - 60_000;
    let step = (span / scale.statuses.max(1) as i64).max(1);
    let mut earlier: Vec<Earlier> = Vec::new();
    let (mut boosts, mut replies, mut favourites) = (0, 0, 0);
    let mut home_feed_rows = 0u64;
    let mut sample_posts = Vec::new();
    let mut done = 0;
    let mut reported = Instant::now();
    while done < scale.statuses {
        let count = CHUNK.min(scale.statuses - done);
        let planned: Vec<Planned> = (0..count)
            .map(|k| {
                let at = first_at + (done + k) as i64 * step + rng.random_range(0..step);
                // Some people post much more than others.
                let author = text::skewed_index(&mut rng, scale.users, 1.4);
                instance.plan(&mut rng, author, at, &earlier)
            })
            .collect();
        for plan in &planned {
            boosts += usize::from(plan.boost);
            replies += usize::from(plan.reply);
            home_feed_rows += plan.home_of.len() as u64 + 1;
            if sample_posts.len() < 64 && !plan.boost {
                let s = &plan.new.status;
                sample_posts.push((s.text.clone(), s.content.clone()));
            }
        }
        // Later statuses may reply to or boost public ones of this chunk, once it is stored.
        let stored: Vec<Earlier> = planned
            .iter()
            .filter(|plan| {
                !plan.boost
                    && matches!(
                        plan.new.status.visibility,
                        Visibility::Public | Visibility::Unlisted
                    )
            })
            .map(|plan| Earlier {
                id: plan.new.status.id,
                author: plan.author,
                uri: plan.new.status.uri.clone(),
                conversation: plan.new.status.conversation.clone(),
            })
            .collect();
        in_flight(planned, |plan| {
            let store = store.clone();
            async move {
                store.insert_status(&plan.new).await?;
                let author = plan.new.status.account_id;
                let others: Vec<Id> = plan
                    .home_of
                    .iter()
                    .copied()
                    .filter(|id| *id != author)
                    .collect();
                store.add_to_home_feeds(plan.new.status.id, &others).await
            }
        })
        .await
        .context("inserting statuses")?;
        earlier.extend(stored);
        if earlier.len() > 4000 {
            earlier.drain(..earlier.len() - 4000);
        }
        // Favourites of stored statuses.
        let marks: Vec<(Id, Id, Timestamp)> = (0..((count as f64) * scale.favourites_per_status)
            .round() as usize)
            .filter_map(|_| {
                let target = earlier.get(rng.random_range(0..earlier.len().max(1)))?;
                let who = text::skewed_index(&mut rng, scale.users, 1.2);
                (who != target.author).then(|| {
                    (
                        user_ids[who],
                        target.id,
                        Timestamp(target.id.unix_millis() + 60_000),
                    )
                })
            })
            .collect();
        favourites += marks.len();
        in_flight(marks, |(who, status, at)| {
            let store = store.clone();
            async move {
                store
                    .add_mark(Mark::Favourite, Id::generate(at.0), who, status, None, at)
                    .await
                    .map(|_| ())
            }
        })
        .await
        .context("adding favourites")?;
        done += count;
        if reported.elapsed() > Duration::from_secs(5) && done < scale.statuses {
            progress(&format!("  {done} of {} statuses…", scale.statuses));
            reported = Instant::now();
        }
    }
    progress(&format!(
        "{} statuses ({boosts} boosts, {replies} replies), {home_feed_rows} home-timeline rows, \
         {favourites} favourites in {:.1} s",
        scale.statuses,
        phase.elapsed().as_secs_f64()
    ));

    // Tokens, as `rhizome admin token create` would issue them.
    let phase = Instant::now();
    let scopes = Scopes::parse("read write follow").context("scopes")?;
    let tokens: Vec<String> = futures::stream::iter(user_ids.clone())
        .map(|id| {
            let scopes = scopes.clone();
            let core = core.clone();
            async move {
                core.issue_token(Some(id), None, scopes, false)
                    .await
                    .map(|issued| issued.access_token)
            }
        })
        .buffered(IN_FLIGHT)
        .try_collect()
        .await
        .context("issuing tokens")?;
    progress(&format!(
        "{} tokens in {:.1} s",
        tokens.len(),
        phase.elapsed().as_secs_f64()
    ));

    Ok(Seeded {
        tokens,
        user_ids,
        statuses: scale.statuses,
        boosts,
        replies,
        follows: follows.len(),
        favourites,
        home_feed_rows,
        elapsed: started.elapsed(),
        sample_posts,
    })
}
