//! Remote-post retention: a database that only grows is the first operational pain of
//! Fediverse servers. Remote posts nothing here holds on to are removed after
//! `federation.remote_post_retention_days`; threads with anything local stay whole.

use rhizome_model::{Id, Timestamp};

use crate::{Core, CoreError};

const BATCH: i64 = 500;

/// What a retention run found or removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionReport {
    /// Removed, or with `dry_run` found removable.
    pub statuses: u64,
    pub dry_run: bool,
}

impl Core {
    /// Removes (or with `dry_run` counts) remote posts older than `days` days that nothing
    /// here holds on to. `progress` hears (done, to do).
    pub async fn prune_remote_posts(
        &self,
        days: u64,
        dry_run: bool,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<RetentionReport, CoreError> {
        let before = Timestamp(self.clock.now().0 - (days as i64) * 86_400_000);
        let total = self
            .store
            .count_prunable_remote_statuses(before)
            .await?
            .max(0) as u64;
        if dry_run {
            return Ok(RetentionReport {
                statuses: total,
                dry_run,
            });
        }
        let mut removed = 0u64;
        let mut after = Id(i64::MIN);
        loop {
            let batch = self
                .store
                .prunable_remote_statuses(before, after, BATCH)
                .await?;
            let Some(last) = batch.last() else {
                break;
            };
            after = *last;
            removed += self.store.prune_remote_statuses(&batch).await?;
            progress(removed, total.max(removed));
            if (batch.len() as i64) < BATCH {
                break;
            }
        }
        if removed > 0 {
            tracing::info!(removed, days, "remote posts pruned");
        }
        Ok(RetentionReport {
            statuses: removed,
            dry_run,
        })
    }
}
