//! The durable job queue. Jobs are rows; a worker claims a batch by taking a lease on it, and
//! a job whose lease ran out (its worker crashed) is claimed again by whoever comes next.

use rhizome_model::{Id, Job, JobState, Timestamp};
use sqlx::QueryBuilder;

use crate::row::Columns;
use crate::{Backend, Page, PageRequest, Store, StoreError, with_pool};

/// Runs one statement of the queue's bookkeeping (a claim, a completion, a retry) with
/// `$exec` as its executor. On PostgreSQL its commit does not wait for the write-ahead log to
/// reach the disk (`synchronous_commit` off for that transaction alone): every job paid that
/// wait (2.4 ms on the development machine) twice, for its claim and its completion, on top
/// of the commits of its own work. A database crash may then forget the last moments of
/// bookkeeping, and those jobs run again, which a crash between a job's work and its
/// completion could always cause. Queuing a job stays durable: it is written in the
/// transaction of whatever asked for it. SQLite, in WAL mode with `synchronous = NORMAL`,
/// never waits for the disk at commit.
macro_rules! bookkeeping {
    ($store:expr, |$exec:ident| $body:expr) => {
        match &$store.backend {
            Backend::Sqlite { write, .. } => {
                let $exec = write;
                $body
            }
            Backend::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SET LOCAL synchronous_commit = off")
                    .execute(&mut *tx)
                    .await?;
                let $exec = &mut *tx;
                let result = $body;
                // A statement that ran but whose rows could not be read is rolled back.
                if let Ok(_) = &result {
                    tx.commit().await?;
                }
                result
            }
        }
    };
}

#[derive(Debug, Clone)]
pub struct NewJob {
    pub id: Id,
    pub kind: String,
    pub payload: String,
    pub run_at: Timestamp,
    pub max_attempts: i32,
}

/// How many jobs are in each state (for `/metrics` and the admin CLI).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobCounts {
    pub queued: i64,
    pub running: i64,
    pub done: i64,
    pub failed: i64,
}

const JOB_COLUMNS: &str = "id, kind, payload, state, run_at, attempts, max_attempts, last_error, \
    locked_by, locked_until, created_at, finished_at";

fn map_job(row: &impl Columns) -> Result<Job, StoreError> {
    Ok(Job {
        id: Id(row.i64("id")?),
        kind: row.text("kind")?,
        payload: row.text("payload")?,
        state: row.parsed::<JobState>("state")?,
        run_at: Timestamp(row.i64("run_at")?),
        attempts: row.i32("attempts")?,
        max_attempts: row.i32("max_attempts")?,
        last_error: row.opt_text("last_error")?,
        locked_by: row.opt_text("locked_by")?,
        locked_until: row.opt_i64("locked_until")?.map(Timestamp),
        created_at: Timestamp(row.i64("created_at")?),
        finished_at: row.opt_i64("finished_at")?.map(Timestamp),
    })
}

/// Queues one job; bound by `insert_job!`, on a pool or inside another write's transaction.
pub(crate) const INSERT_JOB: &str = "INSERT INTO jobs (id, kind, payload, state, run_at, \
    attempts, max_attempts, created_at) VALUES ($1, $2, $3, 'queued', $4, 0, $5, $6)";

/// `INSERT_JOB` with `$job` (a `&NewJob`) queued at `$now` bound.
macro_rules! insert_job {
    ($job:expr, $now:expr) => {
        sqlx::query($crate::jobs::INSERT_JOB)
            .bind($job.id.0)
            .bind(&$job.kind)
            .bind(&$job.payload)
            .bind($job.run_at.0)
            .bind(i64::from($job.max_attempts))
            .bind($now.0)
    };
}
pub(crate) use insert_job;

impl Store {
    pub async fn enqueue_job(&self, job: &NewJob, now: Timestamp) -> Result<(), StoreError> {
        with_pool!(self, write, |pool| {
            insert_job!(job, now).execute(pool).await?;
        });
        Ok(())
    }

    /// Enqueues a job unless one with its id exists: several processes scheduling the same
    /// periodic work give it one id, and it runs once. Returns whether it was added.
    pub async fn enqueue_job_once(&self, job: &NewJob, now: Timestamp) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query(
                "INSERT INTO jobs (id, kind, payload, state, run_at, attempts, max_attempts, \
                 created_at) VALUES ($1, $2, $3, 'queued', $4, 0, $5, $6) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(job.id.0)
            .bind(&job.kind)
            .bind(&job.payload)
            .bind(job.run_at.0)
            .bind(i64::from(job.max_attempts))
            .bind(now.0)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Inserts several jobs, a few hundred per statement: a fan-out queues one delivery per
    /// server, and one transaction each would make the writer the bottleneck.
    pub async fn enqueue_jobs(&self, jobs: &[NewJob], now: Timestamp) -> Result<(), StoreError> {
        for chunk in jobs.chunks(500) {
            with_pool!(self, write, |pool| {
                let mut query = QueryBuilder::new(
                    "INSERT INTO jobs (id, kind, payload, state, run_at, attempts, max_attempts, \
                     created_at) ",
                );
                query.push_values(chunk, |mut row, job| {
                    row.push_bind(job.id.0)
                        .push_bind(&job.kind)
                        .push_bind(&job.payload)
                        .push_bind("queued")
                        .push_bind(job.run_at.0)
                        .push_bind(0_i64)
                        .push_bind(i64::from(job.max_attempts))
                        .push_bind(now.0);
                });
                query.build().execute(pool).await?;
            });
        }
        Ok(())
    }

    /// Claims up to `limit` due jobs for `worker` until `lease_until`: queued jobs whose time
    /// has come, and running jobs whose lease has expired. Each claim counts as an attempt.
    pub async fn claim_jobs(
        &self,
        worker: &str,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<Job>, StoreError> {
        // On PostgreSQL, SKIP LOCKED lets concurrent workers pass over each other's rows
        // instead of claiming the same ones; SQLite runs one writing statement at a time.
        let lock = match self.backend {
            Backend::Sqlite { .. } => "",
            Backend::Postgres(_) => "FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = $1, \
             locked_until = $2 WHERE id IN (SELECT id FROM jobs \
             WHERE (state = 'queued' AND run_at <= $3) OR (state = 'running' AND locked_until < $3) \
             ORDER BY run_at LIMIT $4 {lock}) RETURNING {JOB_COLUMNS}"
        );
        bookkeeping!(self, |exec| {
            let rows = sqlx::query(&sql)
                .bind(worker)
                .bind(lease_until.0)
                .bind(now.0)
                .bind(i64::from(limit))
                .fetch_all(exec)
                .await?;
            rows.iter().map(map_job).collect()
        })
    }

    /// Marks a job done, if `worker` still holds it. Returns whether it did.
    pub async fn complete_job(
        &self,
        id: Id,
        worker: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        bookkeeping!(self, |exec| {
            let done = sqlx::query(
                "UPDATE jobs SET state = 'done', finished_at = $3, locked_until = NULL \
                 WHERE id = $1 AND locked_by = $2 AND state = 'running'",
            )
            .bind(id.0)
            .bind(worker)
            .bind(now.0)
            .execute(exec)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Records a failed attempt: the job runs again at `retry_at`, or is kept as failed
    /// when there is no retry left.
    pub async fn fail_job(
        &self,
        id: Id,
        worker: &str,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let error: String = error.chars().take(2000).collect();
        bookkeeping!(self, |exec| {
            let done = match retry_at {
                Some(retry_at) => sqlx::query(
                    "UPDATE jobs SET state = 'queued', run_at = $3, last_error = $4, \
                     locked_until = NULL WHERE id = $1 AND locked_by = $2 AND state = 'running'",
                )
                .bind(id.0)
                .bind(worker)
                .bind(retry_at.0)
                .bind(&error),
                None => sqlx::query(
                    "UPDATE jobs SET state = 'failed', finished_at = $3, last_error = $4, \
                     locked_until = NULL WHERE id = $1 AND locked_by = $2 AND state = 'running'",
                )
                .bind(id.0)
                .bind(worker)
                .bind(now.0)
                .bind(&error),
            }
            .execute(exec)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    pub async fn job(&self, id: Id) -> Result<Option<Job>, StoreError> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1");
        with_pool!(self, read, |pool| {
            let row = sqlx::query(&sql).bind(id.0).fetch_optional(pool).await?;
            row.as_ref().map(map_job).transpose()
        })
    }

    /// Jobs, newest first, optionally only those in one state.
    pub async fn list_jobs(
        &self,
        state: Option<JobState>,
        page: &PageRequest,
    ) -> Result<Page<Job>, StoreError> {
        let head = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE 1 = 1");
        let items = with_pool!(self, read, |pool| {
            let mut query = QueryBuilder::new(head);
            if let Some(state) = state {
                query.push(" AND state = ").push_bind(state.as_str());
            }
            page.push_keyset(&mut query, "id");
            let rows = query.build().fetch_all(pool).await?;
            rows.iter().map(map_job).collect::<Result<Vec<_>, _>>()?
        });
        Ok(page.finish(items, |job| job.id.0))
    }

    /// Puts a failed job back in the queue with fresh attempts. Returns whether it was failed.
    pub async fn retry_job(&self, id: Id, now: Timestamp) -> Result<bool, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query(
                "UPDATE jobs SET state = 'queued', run_at = $2, attempts = 0, finished_at = NULL, \
                 locked_by = NULL WHERE id = $1 AND state = 'failed'",
            )
            .bind(id.0)
            .bind(now.0)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    pub async fn job_counts(&self) -> Result<JobCounts, StoreError> {
        with_pool!(self, read, |pool| {
            let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state")
                .fetch_all(pool)
                .await?;
            let mut counts = JobCounts::default();
            for row in &rows {
                let n = row.i64("n")?;
                match row.parsed::<JobState>("state")? {
                    JobState::Queued => counts.queued = n,
                    JobState::Running => counts.running = n,
                    JobState::Done => counts.done = n,
                    JobState::Failed => counts.failed = n,
                }
            }
            Ok(counts)
        })
    }

    /// Deletes finished jobs older than `before`. Returns how many went.
    pub async fn prune_done_jobs(&self, before: Timestamp) -> Result<u64, StoreError> {
        with_pool!(self, write, |pool| {
            let done = sqlx::query("DELETE FROM jobs WHERE state = 'done' AND finished_at < $1")
                .bind(before.0)
                .execute(pool)
                .await?;
            Ok(done.rows_affected())
        })
    }
}

impl Store {
    /// Puts a claimed job back for later without counting the attempt (the work was not
    /// tried: its host was busy or its circuit open).
    pub async fn postpone_job(
        &self,
        id: Id,
        worker: &str,
        run_at: Timestamp,
    ) -> Result<bool, StoreError> {
        bookkeeping!(self, |exec| {
            let done = sqlx::query(
                "UPDATE jobs SET state = 'queued', run_at = $3, attempts = attempts - 1, \
                 locked_until = NULL WHERE id = $1 AND locked_by = $2 AND state = 'running'",
            )
            .bind(id.0)
            .bind(worker)
            .bind(run_at.0)
            .execute(exec)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }
}

impl Store {
    /// How many jobs of `kind` wait (queued, or running) per value of their payload's
    /// `inbox`: the deliveries still owed to each inbox. Grouped in the database, since a
    /// backlog may hold many thousands of jobs.
    pub async fn pending_jobs_by_inbox(
        &self,
        kind: &str,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let inbox = match self.backend {
            Backend::Sqlite { .. } => "json_extract(payload, '$.inbox')",
            Backend::Postgres(_) => "(payload::json ->> 'inbox')",
        };
        let sql = format!(
            "SELECT inbox, COUNT(*) AS n FROM (SELECT {inbox} AS inbox FROM jobs \
             WHERE kind = $1 AND state IN ('queued', 'running')) pending \
             WHERE inbox IS NOT NULL GROUP BY inbox"
        );
        with_pool!(self, read, |pool| {
            let rows = sqlx::query(&sql).bind(kind).fetch_all(pool).await?;
            rows.iter()
                .map(|row| Ok((row.text("inbox")?, row.i64("n")?)))
                .collect()
        })
    }
}
