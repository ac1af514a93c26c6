//! Core's job workers beside an in-process instance (which runs none of its own), for tests
//! that need fan-out, notifications, streaming events, imports or archives.

use std::sync::Arc;

use rhizome_core::Core;
use rhizome_core::jobs::{JobRegistry, JobStats, Workers};

/// Core's job workers, running in this test's runtime until dropped.
pub struct JobWorkers {
    stop: tokio::sync::watch::Sender<bool>,
}

impl JobWorkers {
    pub fn start(core: &Core) -> JobWorkers {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let workers = Workers::new(
            core.clone(),
            JobRegistry::with_core_jobs(),
            Arc::new(JobStats::default()),
        );
        tokio::spawn(workers.run(stopped));
        JobWorkers { stop }
    }
}

impl Drop for JobWorkers {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
