//! The scenarios, each run next to its baseline: slots of one and the other alternate, so
//! that whatever else the machine does affects both alike.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use bytes::Bytes;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rhizome_core::Core;
use tokio::runtime::Handle;

use crate::db::{BaselineInsert, BaselineRow, BenchDatabase, Kind, RawPool};
use crate::load::{self, HttpRequest, Method, Operation};
use crate::report::{Row, Target};
use crate::seed::{self, Seeded};
use crate::server::{self, Child, InProcess};
use crate::stats::{self, Recorder, Summary};
use crate::text::{self, Shape};
use crate::{Plan, remote};

pub(crate) const HOME: &str = "/api/v1/timelines/home?limit=40";
const PUBLIC_LOCAL: &str = "/api/v1/timelines/public?local=true&limit=40";
pub(crate) const STATUSES: &str = "/api/v1/statuses";
const INSTANCE: &str = "/api/v1/instance";

const MEMORY_IDLE_MIB: f64 = 30.0;
const MEMORY_PEAK_MIB: f64 = 150.0;
const STARTUP_MS: f64 = 200.0;

/// Runs `future` on the server's runtime and waits for it.
pub(crate) async fn on_server<F>(server: &Handle, future: F) -> anyhow::Result<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    server
        .spawn(future)
        .await
        .context("a task on the server's runtime failed")
}

/// The server's configuration, as `RHIZOME_*` variables (also given to the child process).
fn server_env(database: &BenchDatabase, data_dir: &Path) -> Vec<(String, String)> {
    vec![
        ("RHIZOME_DATABASE_URL".into(), database.url.clone()),
        (
            "RHIZOME_STORAGE_DATA_DIR".into(),
            data_dir.display().to_string(),
        ),
        ("RHIZOME_INSTANCE_DOMAIN".into(), "localhost:8080".into()),
        // Posting as fast as possible is the point of status_create, not the rate limits.
        ("RHIZOME_RATELIMIT_ENABLED".into(), "false".into()),
    ]
}

/// A fresh instance's database, configuration and core, opened on the server's runtime.
pub(crate) struct Instance {
    pub database: BenchDatabase,
    /// The configuration as `RHIZOME_*` variables, for a child process.
    pub env: Vec<(String, String)>,
    pub config: rhizome::config::Config,
    pub core: Core,
}

impl Instance {
    pub async fn open(kind: Kind, server: &Handle) -> anyhow::Result<Instance> {
        let database = BenchDatabase::create(kind).await?;
        let env = server_env(&database, &database.dir.path().join("data"));
        let env_map: BTreeMap<String, String> = env.iter().cloned().collect();
        let loaded = rhizome::config::Loaded::from_parts(None, None, &env_map)
            .context("the benchmark's server configuration")?;
        let config = loaded.config.clone();
        let mut core = {
            let config = config.clone();
            let from_env = loaded.from_env.clone();
            on_server(server, async move {
                rhizome::server::open_core(&config, &from_env).await
            })
            .await??
        };
        // The federation scenarios talk to "remote servers" on loopback: see remote.rs.
        core.http = Some(remote::bench_http_client(&core)?);
        Ok(Instance {
            database,
            env,
            config,
            core,
        })
    }
}

/// Every scenario, in order; the rows of the table.
pub async fn all(
    plan: &Plan,
    kind: Kind,
    server: Handle,
    binary: Result<PathBuf, String>,
) -> anyhow::Result<Vec<Row>> {
    let Instance {
        database,
        env,
        config,
        core,
    } = Instance::open(kind, &server).await?;
    println!(
        "Seeding {} users, {} statuses, {} follows each through the store API…",
        plan.scale.users, plan.scale.statuses, plan.scale.follows_per_user
    );
    let seeded = {
        let core = core.clone();
        let scale = plan.scale;
        let seed = plan.seed;
        on_server(&server, async move {
            seed::seed(&core, &scale, seed, &|line| println!("  {line}")).await
        })
        .await??
    };
    println!(
        "Seeded in {:.1} s: {} users, {} follows, {} statuses ({} boosts, {} replies), \
         {} home-timeline rows, {} favourites.",
        seeded.elapsed.as_secs_f64(),
        seeded.tokens.len(),
        seeded.follows,
        seeded.statuses,
        seeded.boosts,
        seeded.replies,
        seeded.home_feed_rows,
        seeded.favourites
    );
    let pool = RawPool::open(kind, &database.url, 1).await?;
    pool.analyze().await?;
    pool.close().await;

    if plan.seed_only {
        core.store.close().await;
        if plan.keep_db {
            println!("Kept the {}", database.keep());
        }
        return Ok(Vec::new());
    }

    let inproc = {
        let core = core.clone();
        let config = config.clone();
        on_server(
            &server,
            async move { InProcess::start(core, &config).await },
        )
        .await??
    };
    let tokens: Arc<Vec<String>> = Arc::new(seeded.tokens.clone());
    let clients: Vec<reqwest::Client> = (0..plan.concurrency)
        .map(|_| load::http_client())
        .collect::<anyhow::Result<_>>()?;
    let bench = Bench {
        plan,
        server: server.clone(),
        clients,
        tokens: tokens.clone(),
    };

    let mut rows = Vec::new();
    rows.extend(
        bench
            .timeline(&inproc, "timeline_home", HOME, "home")
            .await?,
    );
    rows.extend(
        bench
            .timeline(&inproc, "timeline_public_local", PUBLIC_LOCAL, "public")
            .await?,
    );
    rows.extend(
        bench
            .status_create(&inproc, &core, &database, &seeded)
            .await?,
    );
    let federation = remote::Federation {
        plan,
        server: server.clone(),
        core: &core,
        database: &database,
        seeded: &seeded,
        clients: &bench.clients,
        base: &inproc.base,
    };
    rows.extend(measured_or_reason(
        "inbox_ingest",
        "activities/s",
        "baseline_verify_insert",
        remote::inbox_ingest(&federation).await,
    ));
    rows.extend(measured_or_reason(
        "fanout",
        "deliveries/s",
        "baseline_sign",
        remote::fanout(&federation).await,
    ));
    let db_bytes = match plan.db_bytes_statuses {
        Some(count) => measured_or_reason(
            "db_bytes_per_status",
            "B",
            "threshold",
            crate::size::db_bytes_per_status(&core, &database, count, plan.seed)
                .await
                .map(|row| vec![row]),
        ),
        None => vec![Row::not_measured(
            "db_bytes_per_status",
            "B",
            "threshold",
            "not measured: full runs only (or --db-bytes-statuses N)",
        )],
    };
    on_server(&server, inproc.stop()).await??;
    core.store.close().await;

    rows.extend(child_scenarios(plan, binary, &env, &database, tokens).await);
    rows.extend(match &plan.scaling_sizes {
        Some(sizes) => measured_or_reason(
            "timeline_scaling",
            "ms",
            "timeline_home_p50_at_10000",
            crate::scaling::timeline_scaling(plan, kind, server.clone(), sizes).await,
        ),
        None => vec![Row::not_measured(
            "timeline_scaling",
            "ms",
            "timeline_home_p50_at_10000",
            "not measured: full runs only (or --timeline-scaling)",
        )],
    });
    rows.extend(db_bytes);
    if plan.keep_db {
        println!("Kept the {}", database.keep());
    }
    Ok(rows)
}

/// A scenario's rows, or one row saying why it could not be measured (the run goes on).
fn measured_or_reason(
    name: &str,
    unit: &str,
    baseline: &str,
    outcome: anyhow::Result<Vec<Row>>,
) -> Vec<Row> {
    match outcome {
        Ok(rows) => rows,
        Err(err) => vec![Row::not_measured(
            name,
            unit,
            baseline,
            &format!("not measured: {err:#}"),
        )],
    }
}

struct Bench<'a> {
    plan: &'a Plan,
    server: Handle,
    clients: Vec<reqwest::Client>,
    tokens: Arc<Vec<String>>,
}

/// Runs `baseline` and `scenario` in alternating slots after a warm-up of each; `after_slot`
/// runs after each scenario slot (outside the measured time).
async fn interleaved<B: Operation, S: Operation>(
    plan: &Plan,
    (baseline_handle, mut baseline): (&Handle, Vec<B>),
    (scenario_handle, mut scenario): (&Handle, Vec<S>),
    mut after_slot: impl AsyncFnMut(&Recorder),
) -> (Summary, Summary) {
    let warmup = plan.warmup;
    (_, baseline) = load::run_for(baseline_handle, baseline, warmup / 2).await;
    let (warm, back) = load::run_for(scenario_handle, scenario, warmup).await;
    scenario = back;
    after_slot(&warm).await;
    let (mut baseline_total, mut scenario_total) = (Recorder::default(), Recorder::default());
    for _ in 0..plan.rounds {
        let (measured, back) = load::run_for(baseline_handle, baseline, plan.slot).await;
        baseline = back;
        baseline_total.merge(measured);
        baseline_total.add_elapsed(plan.slot);
        let (measured, back) = load::run_for(scenario_handle, scenario, plan.slot).await;
        scenario = back;
        after_slot(&measured).await;
        scenario_total.merge(measured);
        scenario_total.add_elapsed(plan.slot);
    }
    (baseline_total.summary(), scenario_total.summary())
}

/// A note on errors seen during a measurement, if any.
pub(crate) fn errors_note(what: &str, summary: &Summary) -> Option<String> {
    (summary.errors > 0).then(|| {
        format!(
            "{} {what} failed (first: {})",
            summary.errors,
            summary.first_error.as_deref().unwrap_or("?")
        )
    })
}

pub(crate) fn join_notes(notes: impl IntoIterator<Item = Option<String>>) -> Option<String> {
    let notes: Vec<String> = notes.into_iter().flatten().collect();
    (!notes.is_empty()).then(|| notes.join("; "))
}

fn p99_row(name: &str, scenario: &Summary, baseline_name: &str, baseline: &Summary) -> Row {
    match (scenario.p99_ms(), baseline.p99_ms()) {
        (Some(value), Some(base)) => Row::measured(
            &format!("{name}_p99"),
            value,
            "ms",
            &format!("{baseline_name}_p99"),
            base,
            None,
        )
        .with_note(format!(
            "p50 {:.2} ms vs {:.2} ms",
            scenario.p50_ms().unwrap_or(0.0),
            baseline.p50_ms().unwrap_or(0.0)
        )),
        _ => Row::not_measured(
            &format!("{name}_p99"),
            "ms",
            &format!("{baseline_name}_p99"),
            "no successful request to take a latency from",
        ),
    }
}

impl Bench<'_> {
    fn requests(&self, url: &str, method: Method, tokens: Arc<Vec<String>>) -> Vec<HttpRequest> {
        self.clients
            .iter()
            .enumerate()
            .map(|(i, client)| {
                HttpRequest::new(
                    client.clone(),
                    url.to_owned(),
                    method.clone(),
                    tokens.clone(),
                    self.plan.seed.wrapping_mul(1000).wrapping_add(i as u64),
                )
            })
            .collect()
    }

    /// GETs of a timeline for random users, against a bare route answering a body of the
    /// same size (a real answer of the median size among a few users).
    async fn timeline(
        &self,
        inproc: &InProcess,
        name: &str,
        path: &str,
        baseline_body: &str,
    ) -> anyhow::Result<Vec<Row>> {
        println!("Measuring {name} (GET {path}) against baseline_http…");
        let url = format!("{}{path}", inproc.base);
        let client = self.clients.first().context("no client")?;
        let mut rng = StdRng::seed_from_u64(self.plan.seed);
        let mut bodies: Vec<Bytes> = Vec::new();
        for _ in 0..15 {
            let token = self.tokens.choose(&mut rng).context("no tokens")?;
            let response = client.get(&url).bearer_auth(token).send().await?;
            let status = response.status();
            let body = response.bytes().await?;
            if !status.is_success() {
                anyhow::bail!(
                    "GET {path} answered {status}: {}",
                    String::from_utf8_lossy(&body[..body.len().min(300)])
                );
            }
            bodies.push(body);
        }
        bodies.sort_by_key(|b| b.len());
        let body = bodies[bodies.len() / 2].clone();
        let body_size = body.len();
        inproc.set_baseline(baseline_body, body);
        let baseline_url = format!("{}/bench/baseline/{baseline_body}", inproc.base);

        let here = Handle::current();
        let (baseline, scenario) = interleaved(
            self.plan,
            (
                &here,
                self.requests(&baseline_url, Method::Get, Arc::new(Vec::new())),
            ),
            (&here, self.requests(&url, Method::Get, self.tokens.clone())),
            async |_: &Recorder| {},
        )
        .await;
        let note = join_notes([
            Some(format!(
                "mean body {} B (baseline body {body_size} B); {} requests vs {}",
                scenario.mean_body_bytes().unwrap_or(0),
                scenario.ok,
                baseline.ok
            )),
            errors_note("requests", &scenario),
            errors_note("baseline requests", &baseline),
        ]);
        let mut throughput = Row::measured(
            name,
            scenario.rate(),
            "req/s",
            "baseline_http",
            baseline.rate(),
            Some(Target::AtLeast(0.30)),
        );
        throughput.note = note;
        Ok(vec![
            throughput,
            p99_row(name, &scenario, "baseline_http", &baseline),
        ])
    }

    /// POSTs of statuses with a mention and a hashtag, against raw single-row insert
    /// transactions through sqlx into a table as wide as `statuses`, in the same database.
    async fn status_create(
        &self,
        inproc: &InProcess,
        core: &Core,
        database: &BenchDatabase,
        seeded: &Seeded,
    ) -> anyhow::Result<Vec<Row>> {
        println!("Measuring status_create (POST {STATUSES}) against baseline_insert…");
        let mut rng = StdRng::seed_from_u64(self.plan.seed ^ 0x5eed);
        let users = seeded.tokens.len();
        let posts: Vec<String> = (0..256)
            .map(|_| {
                let shape = Shape {
                    sentences: rng.random_range(1..=3),
                    mentions: 1,
                    hashtags: 1,
                    link: false,
                };
                let post = text::post(&mut rng, shape, users, None);
                serde_json::json!({"status": post.text, "visibility": "public"}).to_string()
            })
            .collect();
        let rows: Arc<Vec<BaselineRow>> = Arc::new(
            seeded
                .sample_posts
                .iter()
                .map(|(text, content)| BaselineRow {
                    text: text.clone(),
                    content: content.clone(),
                })
                .collect(),
        );
        let (kind, url, connections) = (
            database.kind,
            database.url.clone(),
            self.plan.concurrency as u32,
        );
        let pool = on_server(&self.server, async move {
            let pool = RawPool::open(kind, &url, connections).await?;
            pool.create_baseline_table().await?;
            anyhow::Ok(pool)
        })
        .await??;
        let inserts: Vec<BaselineInsert> = (0..self.plan.concurrency)
            .map(|task| {
                BaselineInsert::new(pool.clone(), rows.clone(), task, self.plan.concurrency)
            })
            .collect();
        let url = format!("{}{STATUSES}", inproc.base);
        let posting = self.requests(&url, Method::PostJson(Arc::new(posts)), self.tokens.clone());

        // After each slot of posting, the distribution jobs (home timelines, notifications)
        // run to the end, outside the measured time, so that they never slow the baseline.
        let mut drained = Duration::ZERO;
        let mut drain_failures: Vec<String> = Vec::new();
        let mut slots = 0;
        let drain_limit = self.plan.drain_limit;
        let (baseline, scenario) = interleaved(
            self.plan,
            (&self.server, inserts),
            (&Handle::current(), posting),
            async |_: &Recorder| {
                slots += 1;
                match drain_jobs(core, drain_limit).await {
                    Ok(took) => {
                        // The warm-up slot is not part of the sustained figure.
                        if slots > 1 {
                            drained += took;
                        }
                    }
                    Err(reason) => drain_failures.push(reason),
                }
            },
        )
        .await;
        let _ = on_server(&self.server, async move {
            let dropped = pool.drop_baseline_table().await;
            pool.close().await;
            dropped
        })
        .await;

        let sustained = if scenario.elapsed + drained > Duration::ZERO {
            scenario.ok as f64 / (scenario.elapsed + drained).as_secs_f64()
        } else {
            0.0
        };
        let mut throughput = Row::measured(
            "status_create",
            scenario.rate(),
            "req/s",
            "baseline_insert",
            baseline.rate(),
            Some(Target::AtLeast(0.25)),
        );
        throughput.note = join_notes([
            Some(format!(
                "{} posts, then {:.1} s for their distribution jobs to drain",
                scenario.ok,
                drained.as_secs_f64()
            )),
            errors_note("posts", &scenario),
            errors_note("baseline inserts", &baseline),
            (!drain_failures.is_empty()).then(|| drain_failures.join("; ")),
        ]);
        let sustained_row = Row::measured(
            "status_create_sustained",
            sustained,
            "posts/s",
            "baseline_insert",
            baseline.rate(),
            None,
        )
        .with_note("posts per second including the time their fan-out jobs took to finish");
        Ok(vec![
            throughput,
            p99_row("status_create", &scenario, "baseline_insert", &baseline),
            sustained_row,
        ])
    }
}

/// Waits until no job is queued or running; the time it took.
pub(crate) async fn drain_jobs(core: &Core, limit: Duration) -> Result<Duration, String> {
    let started = Instant::now();
    let mut last_progress = Instant::now();
    let mut last_pending = i64::MAX;
    loop {
        let counts = core
            .store
            .job_counts()
            .await
            .map_err(|e| format!("cannot count jobs: {e}"))?;
        let pending = counts.queued + counts.running;
        if pending == 0 {
            return Ok(started.elapsed());
        }
        if counts.failed > 0
            && counts.running == 0
            && last_progress.elapsed() > Duration::from_secs(5)
        {
            return Err(format!(
                "{pending} jobs still pending (waiting for a retry?) and {} failed",
                counts.failed
            ));
        }
        if started.elapsed() > limit {
            return Err(format!("{pending} jobs still pending after {limit:?}"));
        }
        if pending < last_pending {
            last_pending = pending;
            last_progress = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Start-up time and memory, measured on the real `rhizome serve` binary as a child process
/// on the seeded database.
async fn child_scenarios(
    plan: &Plan,
    binary: Result<PathBuf, String>,
    env: &[(String, String)],
    database: &BenchDatabase,
    tokens: Arc<Vec<String>>,
) -> Vec<Row> {
    let not_measured = |reason: &str| {
        vec![
            Row::not_measured("memory_idle", "MiB", "threshold", reason),
            Row::not_measured("memory_peak_timeline_home", "MiB", "threshold", reason),
            Row::not_measured("startup", "ms", "threshold", reason),
        ]
    };
    let binary = match binary {
        Ok(binary) => binary,
        Err(reason) => return not_measured(&format!("not measured: {reason}")),
    };
    println!(
        "Measuring startup, memory_idle and memory_peak_timeline_home on {} serve…",
        binary.display()
    );
    match child_measurements(plan, &binary, env, database, tokens).await {
        Ok(rows) => rows,
        Err(err) => not_measured(&format!("not measured: {err:#}")),
    }
}

async fn child_measurements(
    plan: &Plan,
    binary: &Path,
    env: &[(String, String)],
    database: &BenchDatabase,
    tokens: Arc<Vec<String>>,
) -> anyhow::Result<Vec<Row>> {
    let mut env = env.to_vec();
    for (key, value) in &mut env {
        if key == "RHIZOME_STORAGE_DATA_DIR" {
            *value = database.dir.path().join("child-data").display().to_string();
        }
    }
    let poller = load::http_client()?;
    let mut times = Vec::new();
    let mut last = None;
    for run in 0..plan.startup_runs {
        let port = server::free_port()?;
        let log = database.dir.path().join(format!("serve-{run}.log"));
        let started = Instant::now();
        let mut child = Child::spawn(binary, &env, port, log)?;
        let took = child
            .first_ok(&poller, INSTANCE, started, Duration::from_secs(30))
            .await
            .map_err(anyhow::Error::msg)?;
        times.push(took.as_secs_f64() * 1000.0);
        if run + 1 == plan.startup_runs {
            last = Some(child);
        } else {
            child.stop().await;
        }
    }
    let child = last.context("no start-up run")?;
    let startup = stats::median(&times).context("no start-up time")?;
    let runs: Vec<String> = times.iter().map(|t| format!("{t:.0}")).collect();

    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = child.memory().map_err(anyhow::Error::msg)?;

    let clients: Vec<reqwest::Client> = (0..plan.concurrency)
        .map(|_| load::http_client())
        .collect::<anyhow::Result<_>>()?;
    let url = format!("{}{HOME}", child.base);
    let requests: Vec<HttpRequest> = clients
        .into_iter()
        .enumerate()
        .map(|(i, client)| {
            HttpRequest::new(client, url.clone(), Method::Get, tokens.clone(), i as u64)
        })
        .collect();
    let duration = plan.slot * plan.rounds;
    let (load, _) = load::run_for(&Handle::current(), requests, duration).await;
    let load = load.summary();
    let peak = child.memory().map_err(anyhow::Error::msg)?;
    child.stop().await;

    let mib = |kib: u64| kib as f64 / 1024.0;
    Ok(vec![
        Row::under_threshold("memory_idle", mib(idle.rss_kib), "MiB", MEMORY_IDLE_MIB)
            .with_note("VmRSS of rhizome serve 1 s after its first answer, on the seeded database"),
        Row::under_threshold(
            "memory_peak_timeline_home",
            mib(peak.hwm_kib),
            "MiB",
            MEMORY_PEAK_MIB,
        )
        .with_note(
            join_notes([
                Some(format!(
                    "VmHWM of rhizome serve after {:.0} s of timeline_home ({:.0} req/s)",
                    duration.as_secs_f64(),
                    load.rate()
                )),
                errors_note("requests", &load),
            ])
            .unwrap_or_default(),
        ),
        Row::under_threshold("startup", startup, "ms", STARTUP_MS).with_note(format!(
            "median of {} runs from spawn to the first 200 of GET {INSTANCE}: {} ms",
            times.len(),
            runs.join(", ")
        )),
    ])
}
