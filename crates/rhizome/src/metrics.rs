//! Prometheus metrics: requests by route and status, latency, job queue depth and outcomes.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use rhizome_core::Core;
use rhizome_core::jobs::JobStats;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: &'static str,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    jobs: Family<StateLabels, Gauge>,
    job_outcomes: Family<StateLabels, Counter>,
    pub job_stats: Arc<JobStats>,
}

impl Metrics {
    pub fn new() -> Arc<Metrics> {
        let mut registry = Registry::with_prefix("rhizome");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.001, 2.0, 14))
        });
        registry.register(
            "http_request_duration_seconds",
            "Time to answer",
            latency.clone(),
        );
        let jobs = Family::<StateLabels, Gauge>::default();
        registry.register("jobs", "Jobs in the queue by state", jobs.clone());
        let job_outcomes = Family::<StateLabels, Counter>::default();
        registry.register(
            "job_attempts_finished",
            "Job attempts by outcome in this process",
            job_outcomes.clone(),
        );
        Arc::new(Metrics {
            registry,
            requests,
            latency,
            jobs,
            job_outcomes,
            job_stats: Arc::new(JobStats::default()),
        })
    }

    /// The text exposition, with the queue read from the database now.
    pub async fn render(&self, core: &Core) -> String {
        if let Ok(counts) = core.store.job_counts().await {
            for (state, value) in [
                ("queued", counts.queued),
                ("running", counts.running),
                ("done", counts.done),
                ("failed", counts.failed),
            ] {
                self.jobs.get_or_create(&StateLabels { state }).set(value);
            }
        }
        for (state, counter) in [
            ("completed", &self.job_stats.completed),
            ("retried", &self.job_stats.retried),
            ("failed", &self.job_stats.failed),
        ] {
            let metric = self.job_outcomes.get_or_create(&StateLabels { state });
            let seen = counter.load(Ordering::Relaxed);
            let already = metric.get();
            if seen > already {
                metric.inc_by(seen - already);
            }
        }
        let mut text = String::new();
        if let Err(err) = prometheus_client::encoding::text::encode(&mut text, &self.registry) {
            tracing::error!(error = %err, "encoding metrics failed");
        }
        text
    }
}

/// Counts and times every routed request.
pub async fn record(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    metrics
        .latency
        .get_or_create(&RouteLabels {
            route: route.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    metrics
        .requests
        .get_or_create(&RequestLabels {
            route,
            method,
            status: response.status().as_u16(),
        })
        .inc();
    response
}
