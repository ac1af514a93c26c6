//! A closed-loop load generator: a fixed number of tasks, each running one operation after
//! another for a fixed time, over keep-alive connections (one HTTP client per task).

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use tokio::runtime::Handle;

use crate::stats::Recorder;

/// One kind of request or transaction, run over and over by one task.
pub trait Operation: Send + 'static {
    /// Runs once: the bytes received (0 when there is no body), or what went wrong.
    fn run(&mut self) -> impl Future<Output = Result<u64, String>> + Send;
}

/// Runs each of `operations` in its own task on `handle` for `duration`, and gives them back
/// (with their connections) for the next slot. Operations that finish after the deadline are
/// not counted; the slot's elapsed time is `duration`.
pub async fn run_for<O: Operation>(
    handle: &Handle,
    operations: Vec<O>,
    duration: Duration,
) -> (Recorder, Vec<O>) {
    let start = Instant::now();
    let deadline = start + duration;
    let tasks: Vec<_> = operations
        .into_iter()
        .map(|mut operation| {
            handle.spawn(async move {
                let mut recorder = Recorder::default();
                while Instant::now() < deadline {
                    let began = Instant::now();
                    let outcome = operation.run().await;
                    let ended = Instant::now();
                    if ended > deadline {
                        break;
                    }
                    match outcome {
                        Ok(bytes) => recorder.success(ended - began, bytes),
                        Err(error) => {
                            recorder.failure(error);
                            // A failing target answers fast: do not spin on it.
                            tokio::time::sleep(Duration::from_millis(10)).await;
                        }
                    }
                }
                (recorder, operation)
            })
        })
        .collect();
    let mut total = Recorder::default();
    let mut back = Vec::with_capacity(tasks.len());
    for task in tasks {
        match task.await {
            Ok((recorder, operation)) => {
                total.merge(recorder);
                back.push(operation);
            }
            Err(error) => total.failure(format!("load task failed: {error}")),
        }
    }
    total.add_elapsed(duration);
    (total, back)
}

/// A keep-alive HTTP/1.1 client for one task, never through a proxy.
pub fn http_client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .no_proxy()
        .http1_only()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(30))
        .build()?)
}

/// What a request sends.
#[derive(Clone)]
pub enum Method {
    Get,
    /// A POST of one of these JSON bodies, picked at random.
    PostJson(Arc<Vec<String>>),
}

/// A request to one URL, with a random token of `tokens` (none when the list is empty).
pub struct HttpRequest {
    client: reqwest::Client,
    url: String,
    method: Method,
    tokens: Arc<Vec<String>>,
    rng: StdRng,
}

impl HttpRequest {
    pub fn new(
        client: reqwest::Client,
        url: String,
        method: Method,
        tokens: Arc<Vec<String>>,
        seed: u64,
    ) -> Self {
        HttpRequest {
            client,
            url,
            method,
            tokens,
            rng: StdRng::seed_from_u64(seed),
        }
    }
}

impl Operation for HttpRequest {
    async fn run(&mut self) -> Result<u64, String> {
        let mut request = match &self.method {
            Method::Get => self.client.get(&self.url),
            Method::PostJson(bodies) => {
                let body = bodies.choose(&mut self.rng).cloned().unwrap_or_default();
                self.client
                    .post(&self.url)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body)
            }
        };
        if let Some(token) = self.tokens.choose(&mut self.rng) {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            let start = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
            return Err(format!("{status}: {start}"));
        }
        Ok(body.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Sleepy {
        calls: u32,
        fail_every: u32,
    }

    impl Operation for Sleepy {
        async fn run(&mut self) -> Result<u64, String> {
            self.calls += 1;
            tokio::time::sleep(Duration::from_millis(5)).await;
            if self.fail_every > 0 && self.calls.is_multiple_of(self.fail_every) {
                Err(format!("failure {}", self.calls))
            } else {
                Ok(10)
            }
        }
    }

    #[tokio::test]
    async fn runs_each_operation_until_the_deadline_and_gives_them_back() {
        let operations = (0..4)
            .map(|_| Sleepy {
                calls: 0,
                fail_every: 5,
            })
            .collect();
        let started = Instant::now();
        let (recorder, back) =
            run_for(&Handle::current(), operations, Duration::from_millis(200)).await;
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(back.len(), 4);
        let summary = recorder.summary();
        assert_eq!(summary.elapsed, Duration::from_millis(200));
        assert!(summary.ok > 20, "{} operations", summary.ok);
        assert!(summary.errors > 0);
        assert_eq!(summary.body_bytes, summary.ok * 10);
        assert!(
            summary
                .first_error
                .is_some_and(|e| e.starts_with("failure"))
        );
        assert!(summary.p50_us.is_some_and(|us| us >= 5_000));
        // The operations keep their state for the next slot.
        assert!(back.iter().all(|op| op.calls > 0));
    }
}
