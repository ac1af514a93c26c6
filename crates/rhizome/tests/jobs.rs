//! The job queue across real processes: crashes, two servers on one database, back-off.

mod support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use rhizome_model::{Job, JobState};
use rhizome_store::{PageRequest, Store};
use rhizome_testkit::TestDatabase;
use support::Setup;

fn setup_for(db: &TestDatabase, dir: &std::path::Path) -> Setup {
    Setup::new(db.url(), dir)
        .with("RHIZOME_JOBS_POLL_MILLIS", "50")
        .with("RHIZOME_JOBS_LEASE_SECONDS", "3")
}

/// The probe jobs these tests queue (`serve` also schedules its daily upkeep).
async fn all_jobs(store: &Store) -> Vec<Job> {
    store
        .list_jobs(None, &PageRequest::first(10_000))
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|job| job.kind == rhizome_core::jobs::PROBE)
        .collect()
}

/// Polls until `done` holds for the jobs, or panics after `limit`.
async fn wait_for(
    store: &Store,
    limit: Duration,
    what: &str,
    done: impl Fn(&[Job]) -> bool,
) -> Vec<Job> {
    let deadline = Instant::now() + limit;
    loop {
        let jobs = all_jobs(store).await;
        if done(&jobs) {
            return jobs;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {jobs:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn jobs_survive_kill_9(db: TestDatabase) {
    let dir = tempfile::tempdir().unwrap();
    let setup = setup_for(&db, dir.path());
    let store = db.store().await;
    let mut first = setup.serve();
    setup.ok(
        &[
            "admin",
            "jobs",
            "probe",
            "--count",
            "6",
            "--sleep-ms",
            "2000",
        ],
        "",
    );
    wait_for(&store, Duration::from_secs(20), "probes to start", |jobs| {
        jobs.len() == 6 && jobs.iter().any(|j| j.state == JobState::Running)
    })
    .await;
    first.kill_hard();
    let orphaned: BTreeSet<_> = all_jobs(&store)
        .await
        .iter()
        .filter(|j| j.state == JobState::Running)
        .map(|j| j.id)
        .collect();
    assert!(
        !orphaned.is_empty(),
        "some jobs were in flight when the process died"
    );

    let _second = setup.serve();
    let jobs = wait_for(
        &store,
        Duration::from_secs(40),
        "every probe to finish",
        |jobs| jobs.iter().all(|j| j.state == JobState::Done),
    )
    .await;
    for job in &jobs {
        let expected = if orphaned.contains(&job.id) { 2 } else { 1 };
        assert_eq!(job.attempts, expected, "job {} attempts", job.id);
    }
}

async fn two_servers_never_run_a_job_twice(db: TestDatabase) {
    let dir = tempfile::tempdir().unwrap();
    let setup = setup_for(&db, dir.path()).with("RHIZOME_JOBS_CONCURRENCY", "4");
    let store = db.store().await;
    let (_a, _b) = (setup.serve(), setup.serve());
    setup.ok(
        &[
            "admin",
            "jobs",
            "probe",
            "--count",
            "60",
            "--sleep-ms",
            "100",
        ],
        "",
    );
    let jobs = wait_for(
        &store,
        Duration::from_secs(60),
        "every probe to finish",
        |jobs| jobs.len() == 60 && jobs.iter().all(|j| j.state == JobState::Done),
    )
    .await;
    assert!(
        jobs.iter().all(|j| j.attempts == 1),
        "a job ran more than once"
    );
    let workers: BTreeSet<_> = jobs.iter().filter_map(|j| j.locked_by.clone()).collect();
    assert_eq!(workers.len(), 2, "both processes took work: {workers:?}");
}

async fn failed_jobs_back_off_then_give_up_and_can_be_retried(db: TestDatabase) {
    let dir = tempfile::tempdir().unwrap();
    // 86 400×: the whole day of back-off passes in about a second.
    let setup = setup_for(&db, dir.path()).with("RHIZOME_TIME_SCALE", "86400");
    let store = db.store().await;
    let _server = setup.serve();

    // Six failures, then success on the last attempt.
    setup.ok(
        &[
            "admin",
            "jobs",
            "probe",
            "--fail-attempts",
            "6",
            "--wait",
            "30",
        ],
        "",
    );
    // Failing every attempt: kept as failed with the last error.
    let output = setup.run(
        &[
            "admin",
            "jobs",
            "probe",
            "--fail-attempts",
            "99",
            "--wait",
            "30",
        ],
        "",
    );
    assert!(!output.status.success());
    let jobs = all_jobs(&store).await;
    let failed: Vec<_> = jobs
        .iter()
        .filter(|j| j.state == JobState::Failed)
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].attempts, 7);
    assert!(
        failed[0]
            .last_error
            .as_deref()
            .unwrap_or("")
            .contains("attempt 7")
    );
    let succeeded: Vec<_> = jobs.iter().filter(|j| j.state == JobState::Done).collect();
    assert_eq!((succeeded.len(), succeeded[0].attempts), (1, 7));

    let listed = setup.ok(&["admin", "jobs", "list", "--state", "failed"], "");
    assert!(listed.contains(&failed[0].id.to_string()), "{listed}");
    setup.ok(&["admin", "jobs", "retry", &failed[0].id.to_string()], "");
    let retried = store.job(failed[0].id).await.unwrap().unwrap();
    assert_ne!(
        retried.state,
        JobState::Done,
        "a retried probe that always fails cannot be done"
    );
    assert!(
        retried.attempts < 7 || retried.state == JobState::Failed,
        "attempts were reset"
    );
}

mod sqlite {
    use super::*;

    #[tokio::test]
    async fn jobs_survive_kill_9() {
        super::jobs_survive_kill_9(TestDatabase::sqlite()).await;
    }

    #[tokio::test]
    async fn two_servers_never_run_a_job_twice() {
        super::two_servers_never_run_a_job_twice(TestDatabase::sqlite()).await;
    }

    #[tokio::test]
    async fn failed_jobs_back_off_then_give_up_and_can_be_retried() {
        super::failed_jobs_back_off_then_give_up_and_can_be_retried(TestDatabase::sqlite()).await;
    }
}

mod postgres {
    use super::*;

    #[tokio::test]
    #[cfg_attr(
        not(postgres_tests),
        ignore = "PostgreSQL suite skipped: set RHIZOME_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test to run it"
    )]
    async fn jobs_survive_kill_9() {
        super::jobs_survive_kill_9(TestDatabase::postgres().await).await;
    }

    #[tokio::test]
    #[cfg_attr(
        not(postgres_tests),
        ignore = "PostgreSQL suite skipped: set RHIZOME_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test to run it"
    )]
    async fn two_servers_never_run_a_job_twice() {
        super::two_servers_never_run_a_job_twice(TestDatabase::postgres().await).await;
    }

    #[tokio::test]
    #[cfg_attr(
        not(postgres_tests),
        ignore = "PostgreSQL suite skipped: set RHIZOME_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test to run it"
    )]
    async fn failed_jobs_back_off_then_give_up_and_can_be_retried() {
        super::failed_jobs_back_off_then_give_up_and_can_be_retried(TestDatabase::postgres().await)
            .await;
    }
}
