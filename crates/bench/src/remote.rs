//! The federation scenarios: `inbox_ingest` (signed `Create` activities from remote actors,
//! posted to the shared inbox and processed to the end) and `fanout` (one post delivered to a
//! thousand remote servers, played by one loopback sink under a thousand names).
//!
//! Remote servers are named `*.bench.test`. The server's HTTP client is built for the run
//! with an explicit resolver override mapping those names, and only those, to 127.0.0.1
//! (`FetchConfig::resolve_overrides`, which the configuration cannot set), plus plain `http`
//! and private addresses allowed: nothing leaves the machine.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::http::header::{CONTENT_TYPE, HOST};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::routing::post;
use bytes::Bytes;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rhizome_core::Core;
use rhizome_federation::http::{FetchConfig, HttpClient, ResolveOverride};
use rhizome_federation::keys::{PemKeyPair, load_rsa_private_key};
use rhizome_federation::signatures::{CavageSigner, PublicKey, Signer, sign_request};
use rhizome_model::{Account, Follow, Id, Scopes, Timestamp};
use rhizome_store::FollowTable;
use serde_json::json;
use tokio::runtime::Handle;
use tokio::sync::watch;

use crate::Plan;
use crate::db::{BaselineRow, BaselineVerifyInsert, BenchDatabase, RawPool, SignedRow};
use crate::load::{self, Operation};
use crate::report::{Row, Target};
use crate::scenarios::{drain_jobs, errors_note, join_notes, on_server};
use crate::seed::{self, Seeded};
use crate::stats::Recorder;
use crate::text;

/// Every remote server of the run is a name under this suffix.
pub const REMOTE_SUFFIX: &str = ".bench.test";

/// `inbox_ingest`: remote actors, and local followers of each.
const INGEST_ACTORS: usize = 100;
const INGEST_FOLLOWERS: usize = 50;
/// `fanout`: remote followers of one local user, spread over this many servers.
const FANOUT_FOLLOWERS: usize = 10_000;
const FANOUT_HOSTS: usize = 1_000;

/// The server's federation client for the run: the production client with `*.bench.test`
/// resolved to loopback, plain `http` and loopback allowed. Nothing else changes.
pub fn bench_http_client(core: &Core) -> anyhow::Result<HttpClient> {
    HttpClient::new(FetchConfig {
        allow_http: true,
        allow_private_addresses: true,
        user_agent: format!(
            "Rhizome/{} (+{}; rhizome-bench)",
            env!("CARGO_PKG_VERSION"),
            core.urls.base()
        ),
        resolve_overrides: vec![ResolveOverride {
            name: REMOTE_SUFFIX.to_owned(),
            address: IpAddr::V4(Ipv4Addr::LOCALHOST),
        }],
        ..FetchConfig::default()
    })
    .context("the benchmark's federation client")
}

fn unix_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A remote actor as the store keeps it after a fetch, on `base` (`https://host` or
/// `http://host:port`).
pub(crate) fn remote_account(
    base: &str,
    host: &str,
    username: &str,
    key: &PemKeyPair,
    at: i64,
) -> Account {
    let uri = format!("{base}/users/{username}");
    Account {
        id: Id::generate(at),
        username: username.to_owned(),
        domain: Some(host.to_owned()),
        display_name: format!("{username} at {host}"),
        note: String::new(),
        uri: uri.clone(),
        url: Some(format!("{base}/@{username}")),
        inbox_url: Some(format!("{uri}/inbox")),
        shared_inbox_url: Some(format!("{base}/inbox")),
        outbox_url: Some(format!("{uri}/outbox")),
        followers_url: Some(format!("{uri}/followers")),
        following_url: Some(format!("{uri}/following")),
        featured_url: None,
        public_key_id: Some(format!("{uri}#main-key")),
        public_key_pem: key.public_pem.clone(),
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
        // Fetched just now: the key is trusted without a refetch.
        fetched_at: Some(Timestamp(at)),
        created_at: Timestamp(at),
        updated_at: Timestamp(at),
    }
}

/// Stores remote accounts, a few at a time; gives them back with their ids.
pub(crate) async fn store_accounts(
    core: &Core,
    accounts: Vec<Account>,
) -> anyhow::Result<Vec<Account>> {
    use futures::{StreamExt, TryStreamExt};
    futures::stream::iter(accounts)
        .map(|account| {
            let store = core.store.clone();
            async move { store.upsert_remote_account(&account).await }
        })
        .buffered(8)
        .try_collect()
        .await
        .context("storing remote accounts")
}

async fn store_follows(core: &Core, pairs: Vec<(Id, Id)>, at: i64) -> anyhow::Result<()> {
    let base = core.urls.base().to_owned();
    let follows: Vec<Follow> = pairs
        .into_iter()
        .enumerate()
        .map(|(i, (follower, target))| Follow {
            id: Id::generate(at + i as i64),
            account_id: follower,
            target_account_id: target,
            uri: Some(format!(
                "{base}/activities/bench-follow-{follower}-{target}"
            )),
            show_reblogs: true,
            notify: false,
            created_at: Timestamp(at),
        })
        .collect();
    seed::in_flight(follows, |follow| {
        let store = core.store.clone();
        async move {
            store
                .upsert_follow(FollowTable::Follows, &follow)
                .await
                .map(|_| ())
        }
    })
    .await
    .context("storing follows")
}

pub(crate) async fn key_pool(count: usize) -> anyhow::Result<Vec<PemKeyPair>> {
    let mut keys = Vec::with_capacity(count);
    for _ in 0..count {
        keys.push(
            tokio::task::spawn_blocking(rhizome_federation::keys::generate_rsa_2048)
                .await
                .context("key generation task")?
                .context("key generation")?,
        );
    }
    Ok(keys)
}

/// A `Create` activity signed by its actor, ready to be sent as is.
struct SignedActivity {
    headers: HeaderMap,
    body: Bytes,
}

/// POSTs `activities` to `url` over `clients` (one task each, keep-alive), each once.
async fn post_all(
    clients: &[reqwest::Client],
    url: &str,
    activities: Arc<Vec<SignedActivity>>,
) -> Recorder {
    let next = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = clients
        .iter()
        .map(|client| {
            let (client, url, activities, next) = (
                client.clone(),
                url.to_owned(),
                activities.clone(),
                next.clone(),
            );
            tokio::spawn(async move {
                let mut recorder = Recorder::default();
                // Bounded: each activity is taken once.
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(activity) = activities.get(index) else {
                        break;
                    };
                    let began = Instant::now();
                    let sent = client
                        .post(&url)
                        .headers(activity.headers.clone())
                        .body(activity.body.clone())
                        .send()
                        .await;
                    match sent {
                        Ok(response) if response.status() == StatusCode::ACCEPTED => {
                            let _ = response.bytes().await;
                            recorder.success(began.elapsed(), 0);
                        }
                        Ok(response) => {
                            let status = response.status();
                            let body = response.text().await.unwrap_or_default();
                            recorder.failure(format!(
                                "{status}: {}",
                                body.chars().take(200).collect::<String>()
                            ));
                        }
                        Err(err) => recorder.failure(err.to_string()),
                    }
                }
                recorder
            })
        })
        .collect();
    let mut total = Recorder::default();
    for task in tasks {
        match task.await {
            Ok(recorder) => total.merge(recorder),
            Err(err) => total.failure(format!("posting task failed: {err}")),
        }
    }
    total
}

/// The parts of the benchmark the federation scenarios share.
pub struct Federation<'a> {
    pub plan: &'a Plan,
    pub server: Handle,
    pub core: &'a Core,
    pub database: &'a BenchDatabase,
    pub seeded: &'a Seeded,
    pub clients: &'a [reqwest::Client],
    /// `http://127.0.0.1:PORT` of the in-process server.
    pub base: &'a str,
}

/// `inbox_ingest`: batches of signed `Create` activities from 100 remote actors, each followed
/// by 50 local users, POSTed to `/inbox` and processed to the end (the job queue drained),
/// against `baseline_verify_insert` in alternating rounds.
pub async fn inbox_ingest(cx: &Federation<'_>) -> anyhow::Result<Vec<Row>> {
    let plan = cx.plan;
    let batch = if plan.quick { 300 } else { 1_000 };
    println!(
        "Measuring inbox_ingest ({} rounds of {batch} signed Create activities to POST /inbox, \
         {INGEST_ACTORS} actors × {INGEST_FOLLOWERS} local followers) against \
         baseline_verify_insert…",
        plan.rounds
    );
    let phase = Instant::now();
    let core = cx.core;
    let keys = key_pool(seed::KEY_POOL).await?;
    let now = unix_millis();
    let accounts: Vec<Account> = (0..INGEST_ACTORS)
        .map(|i| {
            let host = format!("r{i}{REMOTE_SUFFIX}");
            remote_account(
                &format!("https://{host}"),
                &host,
                &format!("actor{i}"),
                &keys[i % keys.len()],
                now + i as i64,
            )
        })
        .collect();
    let actors = store_accounts(core, accounts).await?;
    let mut rng = StdRng::seed_from_u64(plan.seed ^ 0x1b0c);
    let users = &cx.seeded.user_ids;
    let mut pairs = Vec::new();
    let mut followers_of: Vec<Arc<Vec<i64>>> = Vec::new();
    for actor in &actors {
        let chosen: Vec<Id> = users
            .choose_multiple(&mut rng, INGEST_FOLLOWERS.min(users.len()))
            .copied()
            .collect();
        followers_of.push(Arc::new(chosen.iter().map(|id| id.0).collect()));
        pairs.extend(chosen.into_iter().map(|user| (user, actor.id)));
    }
    store_follows(core, pairs, now).await?;

    // Sign every activity beforehand: the senders' work is not the server's.
    let rounds = plan.rounds as usize + 1; // the first one warms up
    let url = format!("{}/inbox", cx.base);
    let target: Uri = url.parse().context("the inbox URL")?;
    let signing_keys = keys
        .iter()
        .map(|k| load_rsa_private_key(&k.private_pem))
        .collect::<Result<Vec<_>, _>>()
        .context("loading the senders' keys")?;
    let public_keys = keys
        .iter()
        .map(|k| PublicKey::from_pem(&k.public_pem))
        .collect::<Result<Vec<_>, _>>()
        .context("reading the senders' public keys")?;
    let plans: Vec<(usize, serde_json::Value, String, String)> = (0..rounds * batch)
        .map(|n| {
            let i = rng.random_range(0..actors.len());
            let actor = &actors[i];
            let shape = text::Shape::random(&mut rng);
            let words = text::post(&mut rng, shape, 0, None).text;
            let content = format!("<p>{}</p>", escape(&words));
            let object_id = format!("{}/statuses/{now}{n:06}", actor.uri);
            let followers = actor.followers_url.clone().unwrap_or_default();
            let published = Timestamp(now + n as i64).to_rfc3339();
            let activity = json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": format!("{object_id}/activity"),
                "type": "Create",
                "actor": actor.uri,
                "published": published,
                "to": ["https://www.w3.org/ns/activitystreams#Public"],
                "cc": [followers],
                "object": {
                    "id": object_id,
                    "type": "Note",
                    "attributedTo": actor.uri,
                    "content": content,
                    "url": object_id,
                    "published": published,
                    "to": ["https://www.w3.org/ns/activitystreams#Public"],
                    "cc": [followers],
                },
            });
            (i, activity, words, content)
        })
        .collect();
    let (activities, baseline_rows) = tokio::task::spawn_blocking({
        let actors = actors.clone();
        move || -> anyhow::Result<(Vec<SignedActivity>, Vec<SignedRow>)> {
            let date = Timestamp(unix_millis()).to_datetime();
            let mut signed = Vec::with_capacity(plans.len());
            let mut rows = Vec::with_capacity(plans.len());
            for (i, activity, words, content) in plans {
                let actor = &actors[i];
                let body = Bytes::from(serde_json::to_vec(&activity)?);
                let mut headers = HeaderMap::new();
                headers.insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/activity+json"),
                );
                let key_id = actor.public_key_id.clone().unwrap_or_default();
                sign_request(
                    &Method::POST,
                    &target,
                    &mut headers,
                    Some(&body),
                    &key_id,
                    &signing_keys[i % signing_keys.len()],
                    date,
                )?;
                rows.push(SignedRow {
                    method: Method::POST,
                    uri: target.clone(),
                    headers: headers.clone(),
                    key: public_keys[i % public_keys.len()].clone(),
                    row: BaselineRow {
                        text: words,
                        content,
                    },
                    home_of: followers_of[i].clone(),
                });
                signed.push(SignedActivity { headers, body });
            }
            Ok((signed, rows))
        }
    })
    .await
    .context("signing task")??;
    println!(
        "  {} remote actors, {} follows and {} signed activities prepared in {:.1} s",
        actors.len(),
        actors.len() * INGEST_FOLLOWERS,
        activities.len(),
        phase.elapsed().as_secs_f64()
    );

    let (kind, db_url, connections) = (
        cx.database.kind,
        cx.database.url.clone(),
        plan.concurrency as u32,
    );
    let pool = on_server(&cx.server, async move {
        let pool = RawPool::open(kind, &db_url, connections).await?;
        pool.create_feed_baseline_tables().await?;
        anyhow::Ok(pool)
    })
    .await??;
    let baseline_rows = Arc::new(baseline_rows);
    let mut baseline_ops: Vec<BaselineVerifyInsert> = (0..plan.concurrency)
        .map(|task| {
            BaselineVerifyInsert::new(pool.clone(), baseline_rows.clone(), task, plan.concurrency)
        })
        .collect();

    let mut batches = activities.into_iter();
    let mut baseline_total = Recorder::default();
    let mut ingest_total = Recorder::default();
    let mut ingest_time = Duration::ZERO;
    let mut failures: Vec<String> = Vec::new();
    (_, baseline_ops) = load::run_for(&cx.server, baseline_ops, plan.warmup / 2).await;
    for round in 0..rounds {
        let this: Arc<Vec<SignedActivity>> = Arc::new(batches.by_ref().take(batch).collect());
        if round > 0 {
            let (measured, back) = load::run_for(&cx.server, baseline_ops, plan.slot).await;
            baseline_ops = back;
            baseline_total.merge(measured);
            baseline_total.add_elapsed(plan.slot);
        }
        let started = Instant::now();
        let posted = post_all(cx.clients, &url, this).await;
        if let Err(reason) = drain_jobs(core, plan.drain_limit).await {
            failures.push(reason);
        }
        let took = started.elapsed();
        if round > 0 {
            ingest_total.merge(posted);
            ingest_time += took;
        }
    }
    ingest_total.add_elapsed(ingest_time);

    // Fully processed means stored and in every follower's home timeline: count them.
    let stored = pool
        .count(&format!(
            "SELECT COUNT(*) FROM statuses WHERE uri LIKE 'https://r%{REMOTE_SUFFIX}/users/%'"
        ))
        .await?;
    let feed_rows = pool
        .count(&format!(
            "SELECT COUNT(*) FROM home_feed h JOIN statuses s ON s.id = h.status_id \
             WHERE s.uri LIKE 'https://r%{REMOTE_SUFFIX}/users/%'"
        ))
        .await?;
    let _ = on_server(&cx.server, async move {
        let dropped = pool.drop_feed_baseline_tables().await;
        pool.close().await;
        dropped
    })
    .await;

    let ingest = ingest_total.summary();
    let baseline = baseline_total.summary();
    let expected = (rounds * batch) as i64;
    let mut row = Row::measured(
        "inbox_ingest",
        ingest.rate(),
        "activities/s",
        "baseline_verify_insert",
        baseline.rate(),
        Some(Target::AtLeast(0.25)),
    );
    row.note = join_notes([
        Some(format!(
            "{} activities accepted (202) and processed in {:.1} s; {stored} of {expected} \
             posts stored, {feed_rows} home-timeline rows (expected {})",
            ingest.ok,
            ingest_time.as_secs_f64(),
            expected * INGEST_FOLLOWERS as i64
        )),
        errors_note("activities", &ingest),
        errors_note("baseline transactions", &baseline),
        (!failures.is_empty()).then(|| failures.join("; ")),
    ]);
    if stored != expected {
        // Accepted but not stored is not "fully processed": no figure.
        row = Row::not_measured(
            "inbox_ingest",
            "activities/s",
            "baseline_verify_insert",
            &format!(
                "not measured: only {stored} of {expected} activities were stored ({})",
                row.note.unwrap_or_default()
            ),
        );
    }
    Ok(vec![row])
}

/// Minimal HTML escaping of generated text.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// What the sink saw.
#[derive(Default)]
struct SinkCounts {
    requests: AtomicU64,
    signed: AtomicU64,
    hosts: Mutex<HashSet<String>>,
}

/// A loopback HTTP server answering `202 Accepted` to every POST of an inbox, for every host
/// name: the thousand remote servers of `fanout`.
struct Sink {
    port: u16,
    counts: Arc<SinkCounts>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Sink {
    async fn start() -> anyhow::Result<Sink> {
        let counts = Arc::new(SinkCounts::default());
        let seen = counts.clone();
        let app = axum::Router::new().route(
            "/inbox",
            post(move |headers: HeaderMap, body: Bytes| {
                let seen = seen.clone();
                async move {
                    seen.requests.fetch_add(1, Ordering::Relaxed);
                    if headers.contains_key("signature") && !body.is_empty() {
                        seen.signed.fetch_add(1, Ordering::Relaxed);
                    }
                    if let Some(host) = headers.get(HOST).and_then(|h| h.to_str().ok())
                        && let Ok(mut hosts) = seen.hosts.lock()
                    {
                        hosts.insert(host.to_owned());
                    }
                    StatusCode::ACCEPTED
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("the sink cannot listen on 127.0.0.1")?;
        let port = listener.local_addr()?.port();
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.wait_for(|s| *s).await;
                })
                .await
        });
        Ok(Sink {
            port,
            counts,
            stop,
            task,
        })
    }

    async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(10), self.task).await;
    }
}

/// RSA-2048 signatures of a delivery-sized request, the crypto each delivery needs: the same
/// signer, function and library the server signs deliveries with.
struct SignOnce {
    signer: Arc<CavageSigner>,
    uri: Uri,
    body: Bytes,
}

impl Operation for SignOnce {
    async fn run(&mut self) -> Result<u64, String> {
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/activity+json"),
        );
        self.signer
            .sign(
                &Method::POST,
                &self.uri,
                &mut headers,
                Some(&self.body),
                Timestamp(unix_millis()).to_datetime(),
            )
            .map_err(|e| e.to_string())?;
        // CPU-bound: let the other tasks of the slot have the thread in turn.
        tokio::task::yield_now().await;
        Ok(0)
    }
}

/// `fanout`: one public post by a local user with 10,000 remote followers on 1,000 servers
/// (shared inboxes, so one delivery per server), from the POST until the last delivery has
/// reached the sink, against `baseline_sign` in alternating rounds.
pub async fn fanout(cx: &Federation<'_>) -> anyhow::Result<Vec<Row>> {
    let plan = cx.plan;
    println!(
        "Measuring fanout ({} posts, each to {FANOUT_FOLLOWERS} followers on {FANOUT_HOSTS} \
         servers) against baseline_sign…",
        plan.rounds
    );
    let phase = Instant::now();
    let core = cx.core;
    let sink = Sink::start().await?;
    let keys = key_pool(2).await?;
    let now = unix_millis();

    // The author: a new local user, with a token to post through the API.
    let index = cx.seeded.user_ids.len() + 1;
    let mut rng = StdRng::seed_from_u64(plan.seed ^ 0xfa0);
    let author = seed::local_user(core, index, &keys[0], Timestamp(now), &mut rng);
    core.store
        .create_local_user(&author)
        .await
        .context("creating the fanout author")?;
    let token = core
        .issue_token(
            Some(author.account.id),
            None,
            Scopes::parse("read write").context("scopes")?,
            false,
        )
        .await
        .context("a token for the fanout author")?
        .access_token;

    let followers: Vec<Account> = (0..FANOUT_FOLLOWERS)
        .map(|k| {
            let host = format!("h{}{REMOTE_SUFFIX}", k % FANOUT_HOSTS);
            remote_account(
                &format!("http://{host}:{}", sink.port),
                &host,
                &format!("f{k}"),
                &keys[1],
                now + k as i64,
            )
        })
        .collect();
    let followers = store_accounts(core, followers).await?;
    store_follows(
        core,
        followers
            .iter()
            .map(|f| (f.id, author.account.id))
            .collect(),
        now,
    )
    .await?;
    println!(
        "  {} remote followers on {FANOUT_HOSTS} servers stored in {:.1} s",
        followers.len(),
        phase.elapsed().as_secs_f64()
    );

    // The baseline signs what a delivery signs: a Create of about the same size.
    let sample_body = Bytes::from(
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "type": "Create",
            "object": {"type": "Note", "content": "x".repeat(600)},
        })
        .to_string(),
    );
    let sign_key = load_rsa_private_key(&keys[0].private_pem).context("the author's key")?;
    let signer = Arc::new(CavageSigner::new(
        core.urls.key_id(&author.account.username),
        sign_key,
    ));
    let sink_uri: Uri = format!("http://h0{REMOTE_SUFFIX}:{}/inbox", sink.port)
        .parse()
        .context("the sink URI")?;
    let mut signing: Vec<SignOnce> = (0..plan.concurrency)
        .map(|_| SignOnce {
            signer: signer.clone(),
            uri: sink_uri.clone(),
            body: sample_body.clone(),
        })
        .collect();

    let client = cx.clients.first().context("no client")?;
    let url = format!("{}{}", cx.base, crate::scenarios::STATUSES);
    let mut baseline_total = Recorder::default();
    let mut delivered = 0u64;
    let mut fanout_time = Duration::ZERO;
    let mut failures: Vec<String> = Vec::new();
    let failed_before = core.store.job_counts().await.map(|c| c.failed).unwrap_or(0);
    (_, signing) = load::run_for(&cx.server, signing, plan.warmup / 2).await;
    for round in 0..=plan.rounds {
        if round > 0 {
            let (measured, back) = load::run_for(&cx.server, signing, plan.slot).await;
            signing = back;
            baseline_total.merge(measured);
            baseline_total.add_elapsed(plan.slot);
        }
        let before = sink.counts.requests.load(Ordering::Relaxed);
        let started = Instant::now();
        let body = json!({
            "status": format!("Fan-out round {round}: {}", text::sentence(&mut rng)),
            "visibility": "public",
        })
        .to_string();
        let response = client
            .post(&url)
            .bearer_auth(&token)
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .context("posting the fan-out status")?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if !status.is_success() {
            anyhow::bail!(
                "POST /api/v1/statuses answered {status}: {}",
                text.chars().take(300).collect::<String>()
            );
        }
        // The clock stops when the last delivery has reached its server (the sink's counter,
        // polled without touching the database); the jobs' own bookkeeping is then waited for
        // outside the measured time, so that the next round starts on an empty queue.
        let wanted = before + FANOUT_HOSTS as u64;
        let deadline = started + plan.drain_limit;
        while sink.counts.requests.load(Ordering::Relaxed) < wanted && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let took = started.elapsed();
        if let Err(reason) = drain_jobs(core, plan.drain_limit).await {
            failures.push(reason);
        }
        let count = sink.counts.requests.load(Ordering::Relaxed) - before;
        if round > 0 {
            delivered += count;
            fanout_time += took;
        }
    }
    let failed_after = core.store.job_counts().await.map(|c| c.failed).unwrap_or(0);
    let signed = sink.counts.signed.load(Ordering::Relaxed);
    let requests = sink.counts.requests.load(Ordering::Relaxed);
    let hosts = sink.counts.hosts.lock().map(|h| h.len()).unwrap_or(0);
    sink.stop().await;

    let baseline = baseline_total.summary();
    let rate = if fanout_time > Duration::ZERO {
        delivered as f64 / fanout_time.as_secs_f64()
    } else {
        0.0
    };
    let expected = u64::from(plan.rounds) * FANOUT_HOSTS as u64;
    let note = join_notes([
        Some(format!(
            "{delivered} deliveries in {:.1} s from the POST to the last arrival (expected \
             {expected}: one per server, shared inboxes); the sink saw {hosts} host names, \
             {signed} of {requests} requests signed",
            fanout_time.as_secs_f64()
        )),
        (failed_after > failed_before)
            .then(|| format!("{} jobs failed", failed_after - failed_before)),
        errors_note("baseline signatures", &baseline),
        (!failures.is_empty()).then(|| failures.join("; ")),
    ]);
    if delivered < expected {
        return Ok(vec![Row::not_measured(
            "fanout",
            "deliveries/s",
            "baseline_sign",
            &format!(
                "not measured: only {delivered} of {expected} deliveries arrived ({})",
                note.unwrap_or_default()
            ),
        )]);
    }
    let mut row = Row::measured(
        "fanout",
        rate,
        "deliveries/s",
        "baseline_sign",
        baseline.rate(),
        Some(Target::AtLeast(0.25)),
    );
    row.note = note;
    Ok(vec![row])
}
