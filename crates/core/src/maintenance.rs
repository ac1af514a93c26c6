//! Daily upkeep, run once a day by one worker of whichever process claims it: each day's
//! job has an id derived from its date, so every process may schedule it and it still runs
//! once.

use rhizome_model::{Id, Timestamp};
use rhizome_store::NewJob;
use serde::{Deserialize, Serialize};

use crate::jobs::{DEFAULT_MAX_ATTEMPTS, JobError};
use crate::{Core, CoreError};

pub const DAILY_MAINTENANCE: &str = "daily_maintenance";

#[derive(Debug, Serialize, Deserialize)]
pub struct DailyMaintenance {
    /// Days since 1970-01-01 (UTC).
    pub day: i64,
}

const DAY_MS: i64 = 86_400_000;
/// The upkeep runs at 04:00 UTC, when most instances are quiet.
const HOUR_OF_DAY_MS: i64 = 4 * 3_600_000;
/// Low bits that no generated id is likely to have at that exact millisecond.
const ID_MARK: i64 = 0xDA11;

fn job_for(day: i64) -> Result<NewJob, CoreError> {
    let run_at = day * DAY_MS + HOUR_OF_DAY_MS;
    Ok(NewJob {
        id: Id(Id::lowest_at(run_at).0 | ID_MARK),
        kind: DAILY_MAINTENANCE.to_owned(),
        payload: serde_json::to_string(&DailyMaintenance { day })
            .map_err(|e| CoreError::Internal(e.to_string()))?,
        run_at: Timestamp(run_at),
        max_attempts: DEFAULT_MAX_ATTEMPTS,
    })
}

impl Core {
    /// Makes sure the next upkeep is queued (called as `serve` starts).
    pub async fn schedule_daily_maintenance(&self) -> Result<(), CoreError> {
        let now = self.clock.now();
        let today = (now.0 - HOUR_OF_DAY_MS).div_euclid(DAY_MS);
        self.store
            .enqueue_job_once(&job_for(today + 1)?, now)
            .await?;
        Ok(())
    }

    /// The job behind [`DAILY_MAINTENANCE`]: the day's upkeep, then the next day's job.
    pub async fn run_daily_maintenance(&self, job: DailyMaintenance) -> Result<(), JobError> {
        self.store
            .enqueue_job_once(&job_for(job.day + 1)?, self.clock.now())
            .await
            .map_err(CoreError::from)?;
        let removed = self.prune_unattached_media().await?;
        let cache = self.prune_media_cache(&|_, _| {}).await?;
        let days = self.config.remote_post_retention_days;
        let posts = if days > 0 {
            self.prune_remote_posts(days, false, &|_, _| {})
                .await?
                .statuses
        } else {
            0
        };
        let archives = self.prune_archives().await?;
        let deletions_resumed = self.resume_deletions().await?;
        tracing::info!(
            day = job.day,
            archives_removed = archives,
            unattached_uploads = removed,
            deletions_resumed,
            cached_files_pruned = cache.files,
            remote_posts_pruned = posts,
            "daily upkeep done"
        );
        Ok(())
    }
}
