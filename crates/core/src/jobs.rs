//! Background work: enqueueing jobs, and the workers that run them inside `serve`.
//!
//! A job is a row (see the store). Workers in any number of processes claim due jobs with
//! a lease; a job whose worker died is claimed again once its lease ends. Failed attempts
//! are retried with growing delays, about a day in all, then kept as failed for inspection.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rhizome_model::{Id, Job, Timestamp};
use rhizome_store::NewJob;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::{Core, CoreError};

/// Delays before each retry: 1 min, 5 min, 30 min, 2 h, 6 h, 16 h — about a day in all.
const RETRY_DELAYS: [Duration; 6] = [
    Duration::from_secs(60),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(6 * 3600),
    Duration::from_secs(16 * 3600),
];

/// The first attempt plus one per retry delay.
pub const DEFAULT_MAX_ATTEMPTS: i32 = RETRY_DELAYS.len() as i32 + 1;

/// The nominal delay before retrying after failed attempt number `attempt` (1-based).
pub fn retry_delay(attempt: i32) -> Duration {
    let index = usize::try_from(attempt.saturating_sub(1)).unwrap_or(0);
    RETRY_DELAYS[index.min(RETRY_DELAYS.len() - 1)]
}

/// How a job attempt ended badly.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth trying again later.
    #[error("{0}")]
    Retry(String),
    /// Worth trying again, but not before this (a `Retry-After` from a remote server).
    #[error("{message}")]
    RetryAfter { message: String, after: Duration },
    /// Will never succeed: no retry.
    #[error("{0}")]
    Permanent(String),
    /// Not attempted (its host is busy or failing): run again after this, without counting
    /// an attempt.
    #[error("postponed")]
    Postpone(Duration),
}

impl From<CoreError> for JobError {
    fn from(err: CoreError) -> Self {
        match err {
            CoreError::Store(_) | CoreError::Internal(_) => JobError::Retry(err.to_string()),
            other => JobError::Permanent(other.to_string()),
        }
    }
}

pub type JobFuture = Pin<Box<dyn Future<Output = Result<(), JobError>> + Send>>;
type Handler = Arc<dyn Fn(Core, Job) -> JobFuture + Send + Sync>;

/// Which function runs which kind of job.
#[derive(Clone, Default)]
pub struct JobRegistry {
    handlers: HashMap<&'static str, Handler>,
}

impl JobRegistry {
    /// The registry with every job kind the core defines.
    pub fn with_core_jobs() -> Self {
        let mut registry = JobRegistry::default();
        registry.register(PROBE, |_core, job| Box::pin(run_probe(job)));
        registry.register(crate::statuses::DISTRIBUTE_STATUS, |core, job| {
            Box::pin(async move { core.distribute_status(payload(&job)?).await })
        });
        registry.register(crate::email::SEND_CONFIRMATION, |core, job| {
            Box::pin(async move { core.send_confirmation(payload(&job)?).await })
        });
        registry.register(crate::password_reset::SEND_PASSWORD_RESET, |core, job| {
            Box::pin(async move { core.send_password_reset(payload(&job)?).await })
        });
        registry.register(crate::cards::FETCH_CARD, |core, job| {
            Box::pin(async move { core.run_fetch_card(payload(&job)?).await })
        });
        registry.register(crate::federation::deliver::DELIVER, |core, job| {
            Box::pin(async move { core.run_delivery(payload(&job)?).await })
        });
        registry.register(crate::polls::CLOSE_POLL, |core, job| {
            Box::pin(async move { core.close_poll(payload(&job)?).await })
        });
        registry.register(crate::conversations::PUBLISH_SCHEDULED, |core, job| {
            Box::pin(async move { core.publish_scheduled(payload(&job)?).await })
        });
        registry.register(crate::maintenance::DAILY_MAINTENANCE, |core, job| {
            Box::pin(async move { core.run_daily_maintenance(payload(&job)?).await })
        });
        registry.register(crate::media::PROCESS_MEDIA, |core, job| {
            Box::pin(async move { core.run_process_media(payload(&job)?).await })
        });
        registry.register(crate::media::DELETE_MEDIA_FILES, |core, job| {
            Box::pin(async move { core.run_delete_media_files(payload(&job)?).await })
        });
        registry.register(crate::federation::policy::STEAL_EMOJI, |core, job| {
            Box::pin(async move { core.run_steal_emoji(payload(&job)?).await })
        });
        registry.register(crate::federation::inbox::PROCESS_ACTIVITY, |core, job| {
            Box::pin(async move { core.process_activity(payload(&job)?).await })
        });
        registry.register(crate::push::WEB_PUSH, |core, job| {
            Box::pin(async move { core.run_web_push(payload(&job)?).await })
        });
        registry.register(crate::imports::PROCESS_IMPORT, |core, job| {
            Box::pin(async move { core.run_import(payload(&job)?).await })
        });
        registry.register(crate::archives::BUILD_ARCHIVE, |core, job| {
            Box::pin(async move {
                let last_attempt = job.attempts >= job.max_attempts;
                core.run_build_archive(payload(&job)?, last_attempt).await
            })
        });
        registry.register(crate::moving::MOVE_FOLLOWERS, |core, job| {
            Box::pin(async move { core.run_move_followers(payload(&job)?).await })
        });
        registry.register(crate::leaving::PURGE_ACCOUNT, |core, job| {
            Box::pin(async move { core.run_purge_account(payload(&job)?).await })
        });
        registry.register(crate::announcements::ANNOUNCEMENT_EVENT, |core, job| {
            Box::pin(async move {
                core.events.publish(payload(&job)?);
                Ok(())
            })
        });
        registry
    }

    pub fn register(
        &mut self,
        kind: &'static str,
        handler: impl Fn(Core, Job) -> JobFuture + Send + Sync + 'static,
    ) {
        self.handlers.insert(kind, Arc::new(handler));
    }
}

/// A job's payload, or a permanent failure: a payload that does not parse never will.
fn payload<T: serde::de::DeserializeOwned>(job: &Job) -> Result<T, JobError> {
    serde_json::from_str(&job.payload)
        .map_err(|e| JobError::Permanent(format!("bad {} payload: {e}", job.kind)))
}

/// Counters for `/metrics`.
#[derive(Debug, Default)]
pub struct JobStats {
    pub completed: AtomicU64,
    pub retried: AtomicU64,
    pub failed: AtomicU64,
}

/// A diagnostic job that waits and succeeds: `rhizome admin jobs probe` uses it to show that
/// workers are running and which process picks work up.
pub const PROBE: &str = "probe";

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ProbePayload {
    /// How long the job takes.
    pub sleep_ms: u64,
    /// Fail this many first attempts: exercises the retry path end to end.
    #[serde(default)]
    pub fail_attempts: i32,
}

async fn run_probe(job: Job) -> Result<(), JobError> {
    let payload: ProbePayload = serde_json::from_str(&job.payload)
        .map_err(|e| JobError::Permanent(format!("bad probe payload: {e}")))?;
    tokio::time::sleep(Duration::from_millis(payload.sleep_ms.min(60_000))).await;
    if job.attempts <= payload.fail_attempts {
        return Err(JobError::Retry(format!(
            "probe asked to fail attempt {}",
            job.attempts
        )));
    }
    Ok(())
}

impl Core {
    /// Queues a job to run at `run_at` (now when `None`).
    pub async fn enqueue<P: Serialize>(
        &self,
        kind: &str,
        payload: &P,
        run_at: Option<Timestamp>,
    ) -> Result<Id, CoreError> {
        let now = self.clock.now();
        let job = self.new_job(kind, payload, run_at)?;
        self.store.enqueue_job(&job, now).await?;
        self.jobs_ready.notify_one();
        Ok(job.id)
    }

    /// A job to queue, for a write that queues it in its own transaction (then
    /// `jobs_ready` is to be notified once it is committed).
    pub(crate) fn new_job<P: Serialize>(
        &self,
        kind: &str,
        payload: &P,
        run_at: Option<Timestamp>,
    ) -> Result<NewJob, CoreError> {
        let now = self.clock.now();
        let payload =
            serde_json::to_string(payload).map_err(|e| CoreError::Internal(e.to_string()))?;
        Ok(NewJob {
            id: Id::generate(now.0),
            kind: kind.to_owned(),
            payload,
            run_at: run_at.unwrap_or(now),
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        })
    }
}

impl Core {
    /// Queues one job of `kind` per payload, to run now, in as few statements as the store
    /// allows.
    pub async fn enqueue_many<P: Serialize>(
        &self,
        kind: &str,
        payloads: &[P],
    ) -> Result<(), CoreError> {
        if payloads.is_empty() {
            return Ok(());
        }
        let now = self.clock.now();
        let jobs = payloads
            .iter()
            .map(|payload| {
                Ok(NewJob {
                    id: Id::generate(now.0),
                    kind: kind.to_owned(),
                    payload: serde_json::to_string(payload)
                        .map_err(|e| CoreError::Internal(e.to_string()))?,
                    run_at: now,
                    max_attempts: DEFAULT_MAX_ATTEMPTS,
                })
            })
            .collect::<Result<Vec<_>, CoreError>>()?;
        self.store.enqueue_jobs(&jobs, now).await?;
        self.jobs_ready.notify_one();
        Ok(())
    }
}

/// The workers of one process.
pub struct Workers {
    core: Core,
    registry: JobRegistry,
    name: String,
    stats: Arc<JobStats>,
}

impl Workers {
    pub fn new(core: Core, registry: JobRegistry, stats: Arc<JobStats>) -> Self {
        // Unique per process and start, so a restarted process never finishes its old leases.
        let name = format!(
            "{}-{}",
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        Workers {
            core,
            registry,
            name,
            stats,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs until `shutdown` turns true: then stops claiming and waits for running jobs.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let config = self.core.config.jobs.clone();
        let lease = self
            .core
            .clock
            .real(Duration::from_secs(config.lease_seconds));
        let poll = Duration::from_millis(config.poll_millis.max(10));
        let mut running: JoinSet<()> = JoinSet::new();
        tracing::info!(worker = %self.name, concurrency = config.concurrency, "job workers started");
        loop {
            if *shutdown.borrow() {
                break;
            }
            while running.try_join_next().is_some() {}
            let free = config.concurrency.saturating_sub(running.len());
            let mut claimed = 0;
            if free > 0 {
                let now = self.core.clock.now();
                let lease_until = Timestamp(now.0.saturating_add(lease.as_millis() as i64));
                match self
                    .core
                    .store
                    .claim_jobs(&self.name, now, lease_until, free as u32)
                    .await
                {
                    Ok(jobs) => {
                        claimed = jobs.len();
                        for job in jobs {
                            running.spawn(self.attempt(job, lease));
                        }
                    }
                    Err(err) => tracing::warn!(error = %err, "claiming jobs failed"),
                }
            }
            if claimed == free && free > 0 {
                // There may be more due work: look again at once.
                continue;
            }
            let ready = self.core.jobs_ready.clone();
            tokio::select! {
                _ = tokio::time::sleep(poll) => {}
                _ = ready.notified() => {}
                _ = shutdown.changed() => {}
                Some(_) = running.join_next(), if !running.is_empty() => {}
            }
        }
        tracing::info!(worker = %self.name, in_flight = running.len(), "job workers stopping");
        while running.join_next().await.is_some() {}
    }

    /// One attempt at one job, recorded whatever happens.
    fn attempt(&self, job: Job, lease: Duration) -> impl Future<Output = ()> + Send + 'static {
        let core = self.core.clone();
        let handler = self.registry.handlers.get(job.kind.as_str()).cloned();
        let worker = self.name.clone();
        let stats = self.stats.clone();
        // The span is attached to the future (`instrument`), never entered across an
        // `.await`: an entered guard held over a suspension leaks into whatever task the
        // thread runs next, and tracing then panics on a span that no longer exists.
        let span =
            tracing::info_span!("job", id = %job.id, kind = %job.kind, attempt = job.attempts);
        tracing::Instrument::instrument(
            async move {
                let (id, attempts, max_attempts) = (job.id, job.attempts, job.max_attempts);
                let outcome = match handler {
                    None => Err(JobError::Permanent(format!(
                        "no handler for job kind {:?}",
                        job.kind
                    ))),
                    Some(_) if attempts > max_attempts => Err(JobError::Permanent(format!(
                        "gave up after {attempts} attempts (leases expired: did workers crash?)"
                    ))),
                    Some(handler) => {
                        match tokio::time::timeout(lease, handler(core.clone(), job)).await {
                            Ok(outcome) => outcome,
                            Err(_) => {
                                Err(JobError::Retry("timed out before its lease ended".into()))
                            }
                        }
                    }
                };
                let now = core.clock.now();
                let recorded = match outcome {
                    Err(JobError::Postpone(delay)) => {
                        core.store
                            .postpone_job(id, &worker, core.clock.after(delay))
                            .await
                    }
                    Ok(()) => {
                        stats.completed.fetch_add(1, Ordering::Relaxed);
                        core.store.complete_job(id, &worker, now).await
                    }
                    Err(err) => {
                        let retry_in = match &err {
                            JobError::Permanent(_) | JobError::Postpone(_) => None,
                            _ if attempts >= max_attempts => None,
                            JobError::RetryAfter { after, .. } => {
                                Some((*after).max(retry_delay(attempts)))
                            }
                            JobError::Retry(_) => Some(retry_delay(attempts)),
                        };
                        let retry_at = retry_in.map(|delay| core.clock.after(delay));
                        if retry_at.is_some() {
                            stats.retried.fetch_add(1, Ordering::Relaxed);
                            tracing::info!(error = %err, "job attempt failed, will retry");
                        } else {
                            stats.failed.fetch_add(1, Ordering::Relaxed);
                            tracing::warn!(error = %err, "job failed for good");
                        }
                        core.store
                            .fail_job(id, &worker, &err.to_string(), retry_at, now)
                            .await
                    }
                };
                match recorded {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!("job lease was lost before the outcome was recorded")
                    }
                    Err(err) => tracing::error!(error = %err, "recording a job outcome failed"),
                }
            },
            span,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_span_about_a_day() {
        let total: Duration = (1..DEFAULT_MAX_ATTEMPTS).map(retry_delay).sum();
        assert!(total >= Duration::from_secs(20 * 3600) && total <= Duration::from_secs(30 * 3600));
        assert_eq!(retry_delay(0), Duration::from_secs(60));
        assert_eq!(retry_delay(100), Duration::from_secs(16 * 3600));
    }
}
