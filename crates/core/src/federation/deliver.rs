//! The delivery job: one activity to one inbox, signed by its actor, with back-off, a
//! per-host limit on parallel requests and a per-host circuit breaker.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use rhizome_federation::http::{DeliveryError, host_of};
use rhizome_federation::keys::load_rsa_private_key;
use rhizome_federation::signatures::CavageSigner;
use rhizome_model::Id;
use rhizome_store::InstanceHealth;
use serde::{Deserialize, Serialize};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use url::Url;

use crate::jobs::JobError;
use crate::{Core, CoreError};

pub const DELIVER: &str = "deliver";

#[derive(Debug, Serialize, Deserialize)]
pub struct DeliverJob {
    pub activity_id: Id,
    pub inbox: String,
}

/// Requests in flight to one host from this process.
const PER_HOST_PARALLELISM: usize = 4;
/// Failures in a row after which a host's circuit opens for a while.
const CIRCUIT_FAILURES: i64 = 5;
const CIRCUIT_OPEN_FOR: Duration = Duration::from_secs(60);
/// A host failing for this long is skipped until it shows a sign of life.
const UNREACHABLE_AFTER: Duration = Duration::from_secs(7 * 24 * 3600);

/// Most senders' parsed keys kept by one process; past it the cache starts again.
const SIGNER_CACHE_SIZE: usize = 4096;
/// How old a healthy host's last recorded success may grow before it is written again.
const SUCCESS_RECORD_INTERVAL: Duration = Duration::from_secs(60);

/// Per-process delivery state: per-host semaphores, so that a slow host never takes every
/// worker, and the senders' parsed signing keys.
#[derive(Default)]
pub struct HostLimits {
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
    /// By account id: the private key PEM it was parsed from, and the signer. Parsing a PKCS#8
    /// RSA key checks it, and a fresh key's first signature sets up its Montgomery contexts
    /// and blinding: together more than the signature itself, for every delivery of a
    /// fan-out. The PEM is compared on each use, so a changed key is never signed with; this
    /// is a cache, not a source of truth.
    signers: Mutex<HashMap<Id, (String, Arc<CavageSigner>)>>,
}

impl HostLimits {
    fn try_acquire(&self, host: &str) -> Option<OwnedSemaphorePermit> {
        let semaphore = {
            let mut hosts = self.hosts.lock().ok()?;
            hosts
                .entry(host.to_owned())
                .or_insert_with(|| Arc::new(Semaphore::new(PER_HOST_PARALLELISM)))
                .clone()
        };
        semaphore.try_acquire_owned().ok()
    }

    /// The signer for `account_id`'s key `pem`, parsed once per process and key.
    fn signer(
        &self,
        account_id: Id,
        pem: &str,
        key_id: impl FnOnce() -> String,
    ) -> Result<Arc<CavageSigner>, JobError> {
        if let Ok(signers) = self.signers.lock()
            && let Some((cached_pem, signer)) = signers.get(&account_id)
            && cached_pem == pem
        {
            return Ok(signer.clone());
        }
        let key = load_rsa_private_key(pem)
            .map_err(|e| JobError::Permanent(format!("sender key: {e}")))?;
        let signer = Arc::new(CavageSigner::new(key_id(), key));
        if let Ok(mut signers) = self.signers.lock() {
            if signers.len() >= SIGNER_CACHE_SIZE {
                signers.clear();
            }
            signers.insert(account_id, (pem.to_owned(), signer.clone()));
        }
        Ok(signer)
    }
}

impl Core {
    pub async fn run_delivery(&self, job: DeliverJob) -> Result<(), JobError> {
        let Some(http) = self.http.as_ref() else {
            return Err(JobError::Permanent("federation is disabled".into()));
        };
        let inbox = Url::parse(&job.inbox)
            .map_err(|e| JobError::Permanent(format!("bad inbox URL: {e}")))?;
        let host = host_of(&inbox);
        if self.domain_refused(&host).await? {
            return Err(JobError::Permanent(format!("{host} is blocked")));
        }
        // The activity, the host's health and the sender's key on one read connection,
        // given back before the request goes out.
        let mut reader = self.store.reader();
        let Some(activity) = reader
            .outbox_activity(job.activity_id)
            .await
            .map_err(CoreError::from)?
        else {
            return Err(JobError::Permanent("the activity is gone".into()));
        };
        let now = self.clock.now();
        let health = reader
            .instance_health(&host)
            .await
            .map_err(CoreError::from)?;
        if let Some(health) = &health
            && health.failures >= CIRCUIT_FAILURES
        {
            let failing_since = health.first_failure_at.map(|t| now.0 - t.0).unwrap_or(0);
            if failing_since > self.clock.real(UNREACHABLE_AFTER).as_millis() as i64 {
                return Err(JobError::Permanent(format!(
                    "{host} has been unreachable for 7 days"
                )));
            }
            let since_last = health
                .last_failure_at
                .map(|t| now.0 - t.0)
                .unwrap_or(i64::MAX);
            if since_last < self.clock.real(CIRCUIT_OPEN_FOR).as_millis() as i64 {
                return Err(JobError::Postpone(CIRCUIT_OPEN_FOR));
            }
        }
        let sender = match activity.account_id {
            Some(account_id) => {
                // A deleted account's `Delete` is signed with the key kept for it.
                let (username, pem) = match reader
                    .local_user(account_id)
                    .await
                    .map_err(CoreError::from)?
                {
                    Some(user) => (user.account.username, user.private_key_pem),
                    None => reader
                        .deleted_account_key(account_id)
                        .await
                        .map_err(CoreError::from)?
                        .ok_or_else(|| JobError::Permanent("the sender is gone".into()))?,
                };
                Some((account_id, username, pem))
            }
            None => None,
        };
        drop(reader);
        let Some(_permit) = self.host_limits.try_acquire(&host) else {
            return Err(JobError::Postpone(Duration::from_secs(2)));
        };
        let signer = match sender {
            Some((account_id, username, pem)) => {
                self.host_limits
                    .signer(account_id, &pem, || self.urls.key_id(&username))?
            }
            None => Arc::new(self.instance_signer().map_err(JobError::from)?),
        };
        let outcome = http
            .deliver(
                &inbox,
                Bytes::from(activity.payload.into_bytes()),
                signer.as_ref(),
            )
            .await;
        let now = self.clock.now();
        match outcome {
            Ok(()) => {
                self.note_host_reachable(&host, health.as_ref()).await?;
                tracing::debug!(inbox = %inbox, kind = %activity.kind, "delivered");
                Ok(())
            }
            Err(DeliveryError::Retry {
                status,
                retry_after,
                reason,
            }) => {
                self.store
                    .record_delivery_outcome(&host, false, now)
                    .await
                    .map_err(CoreError::from)?;
                let message = format!("{inbox}: {reason} (status {status:?})");
                Err(match retry_after {
                    Some(after) => JobError::RetryAfter { message, after },
                    None => JobError::Retry(message),
                })
            }
            Err(DeliveryError::Permanent { status, reason }) => {
                // The host answered: it is reachable, it just refused this one.
                if status.is_some() {
                    self.note_host_reachable(&host, health.as_ref()).await?;
                }
                Err(JobError::Permanent(format!("{inbox}: {reason}")))
            }
        }
    }

    /// Records that `host` answered or wrote to us. A fan-out sends many deliveries to each
    /// healthy host in a row, and a busy peer sends many activities: `health`, the record as
    /// read before, changes only when the host was failing or its last success is getting
    /// old, so that most of them write nothing.
    pub(crate) async fn note_host_reachable(
        &self,
        host: &str,
        health: Option<&InstanceHealth>,
    ) -> Result<(), CoreError> {
        let now = self.clock.now();
        let interval = self.clock.real(SUCCESS_RECORD_INTERVAL).as_millis() as i64;
        let recently_healthy = health.is_some_and(|h| {
            h.failures == 0 && h.last_success_at.is_some_and(|at| now.0 - at.0 < interval)
        });
        if !recently_healthy {
            self.store.record_delivery_outcome(host, true, now).await?;
        }
        Ok(())
    }

    /// Signs requests made on behalf of the server (fetches, relays).
    pub fn instance_signer(&self) -> Result<CavageSigner, CoreError> {
        let key = load_rsa_private_key(&self.secrets.instance_actor.private_pem)
            .map_err(|e| CoreError::Internal(format!("instance actor key: {e}")))?;
        Ok(CavageSigner::new(
            format!("{}#main-key", self.urls.instance_actor()),
            key,
        ))
    }
}

/// One server as the admin's federation health page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InstanceStatus {
    /// The host, with its port when it has one (as deliveries name it).
    pub domain: String,
    pub last_success_at: Option<rhizome_model::Timestamp>,
    pub last_failure_at: Option<rhizome_model::Timestamp>,
    /// When the current run of failures began.
    pub first_failure_at: Option<rhizome_model::Timestamp>,
    /// Failed deliveries in a row.
    pub failures: i64,
    /// Deliveries waiting for it (queued, or being tried now).
    pub queued: i64,
}

impl Core {
    /// Every server we know — from its accounts, its deliveries or the queue — with its
    /// delivery record and the deliveries it is owed; the most troubled first (failures in a
    /// row, then the backlog, then the latest failure), the others by name.
    pub async fn federation_health(&self) -> Result<Vec<InstanceStatus>, CoreError> {
        let mut known: HashMap<String, InstanceStatus> = HashMap::new();
        for domain in self.store.known_domains().await? {
            let domain = domain.to_ascii_lowercase();
            known
                .entry(domain.clone())
                .or_insert_with(|| InstanceStatus {
                    domain,
                    ..Default::default()
                });
        }
        for health in self.store.instances_health().await? {
            let domain = health.domain.to_ascii_lowercase();
            let entry = known.entry(domain.clone()).or_default();
            *entry = InstanceStatus {
                domain,
                last_success_at: health.last_success_at,
                last_failure_at: health.last_failure_at,
                first_failure_at: health.first_failure_at,
                failures: health.failures,
                queued: entry.queued,
            };
        }
        for (inbox, count) in self.store.pending_jobs_by_inbox(DELIVER).await? {
            let Ok(url) = Url::parse(&inbox) else {
                continue;
            };
            let domain = host_of(&url).to_ascii_lowercase();
            let entry = known
                .entry(domain.clone())
                .or_insert_with(|| InstanceStatus {
                    domain,
                    ..Default::default()
                });
            entry.queued += count;
        }
        let mut list: Vec<InstanceStatus> = known.into_values().collect();
        list.sort_by(|a, b| {
            b.failures
                .cmp(&a.failures)
                .then(b.queued.cmp(&a.queued))
                .then(b.last_failure_at.cmp(&a.last_failure_at))
                .then(a.domain.cmp(&b.domain))
        });
        Ok(list)
    }
}
