//! Latency samples and what is reported of them.

use std::time::Duration;

/// The nearest-rank percentile of samples sorted in ascending order: the smallest sample with
/// at least `p` percent of all samples at or below it. `None` without samples or for a `p`
/// outside 0–100.
pub fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() || !(0.0..=100.0).contains(&p) {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// What one measured load (one or several slots of it) amounts to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Successful operations.
    pub ok: u64,
    /// Failed operations (a non-2xx answer, a transport or database error).
    pub errors: u64,
    /// The time the operations were counted over.
    pub elapsed: Duration,
    /// Latency of the successful operations, in microseconds.
    pub p50_us: Option<u64>,
    pub p99_us: Option<u64>,
    /// Bytes of response bodies received, in total.
    pub body_bytes: u64,
    /// The first error seen, to show what went wrong.
    pub first_error: Option<String>,
}

impl Summary {
    /// Successful operations per second.
    pub fn rate(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 {
            self.ok as f64 / seconds
        } else {
            0.0
        }
    }

    pub fn p99_ms(&self) -> Option<f64> {
        self.p99_us.map(|us| us as f64 / 1000.0)
    }

    pub fn p50_ms(&self) -> Option<f64> {
        self.p50_us.map(|us| us as f64 / 1000.0)
    }

    /// The mean size of a response body.
    pub fn mean_body_bytes(&self) -> Option<u64> {
        (self.ok > 0).then(|| self.body_bytes / self.ok)
    }
}

/// Collects the results of several slots (or tasks) into one summary.
#[derive(Debug, Default)]
pub struct Recorder {
    ok: u64,
    errors: u64,
    elapsed: Duration,
    samples: Vec<u64>,
    body_bytes: u64,
    first_error: Option<String>,
}

/// At most this many latency samples are kept; past it, operations are still counted.
const MAX_SAMPLES: usize = 4_000_000;

impl Recorder {
    pub fn success(&mut self, latency: Duration, body_bytes: u64) {
        self.ok += 1;
        self.body_bytes += body_bytes;
        if self.samples.len() < MAX_SAMPLES {
            self.samples
                .push(u64::try_from(latency.as_micros()).unwrap_or(u64::MAX));
        }
    }

    pub fn failure(&mut self, error: String) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(error);
        }
    }

    /// Adds the time the recorded operations ran in (slots run one after another add up;
    /// tasks of one slot share it, so it is added once per slot).
    pub fn add_elapsed(&mut self, elapsed: Duration) {
        self.elapsed += elapsed;
    }

    /// Takes in another recorder's operations (not its elapsed time).
    pub fn merge(&mut self, other: Recorder) {
        self.ok += other.ok;
        self.errors += other.errors;
        self.body_bytes += other.body_bytes;
        let room = MAX_SAMPLES.saturating_sub(self.samples.len());
        self.samples.extend(other.samples.into_iter().take(room));
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    pub fn summary(&self) -> Summary {
        let mut sorted = self.samples.clone();
        sorted.sort_unstable();
        Summary {
            ok: self.ok,
            errors: self.errors,
            elapsed: self.elapsed,
            p50_us: percentile(&sorted, 50.0),
            p99_us: percentile(&sorted, 99.0),
            body_bytes: self.body_bytes,
            first_error: self.first_error.clone(),
        }
    }
}

/// The median of a few values (the mean of the middle two for an even count).
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    Some(if sorted.len() % 2 == 1 {
        sorted[middle]
    } else {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&samples, 50.0), Some(50));
        assert_eq!(percentile(&samples, 99.0), Some(99));
        assert_eq!(percentile(&samples, 100.0), Some(100));
        assert_eq!(percentile(&samples, 0.0), Some(1));
        assert_eq!(percentile(&samples, 99.5), Some(100));
        assert_eq!(percentile(&[7], 99.0), Some(7));
        assert_eq!(percentile(&[1, 2], 50.0), Some(1));
        assert_eq!(percentile(&[1, 2], 51.0), Some(2));
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(percentile(&samples, 101.0), None);
        assert_eq!(percentile(&samples, f64::NAN), None);
    }

    #[test]
    fn p99_of_a_skewed_distribution_sees_the_tail() {
        // 990 fast requests and 10 slow ones: the p99 is the last fast one, p99.1 a slow one.
        let mut samples = vec![1_000u64; 990];
        samples.extend([50_000u64; 10]);
        assert_eq!(percentile(&samples, 99.0), Some(1_000));
        assert_eq!(percentile(&samples, 99.1), Some(50_000));
    }

    #[test]
    fn recorder_merges_slots() {
        let mut total = Recorder::default();
        let mut first = Recorder::default();
        first.success(Duration::from_millis(2), 100);
        first.success(Duration::from_millis(4), 100);
        let mut second = Recorder::default();
        second.success(Duration::from_millis(6), 300);
        second.failure("503".into());
        second.failure("500".into());
        total.merge(first);
        total.add_elapsed(Duration::from_secs(1));
        total.merge(second);
        total.add_elapsed(Duration::from_secs(2));
        let summary = total.summary();
        assert_eq!(summary.ok, 3);
        assert_eq!(summary.errors, 2);
        assert_eq!(summary.first_error.as_deref(), Some("503"));
        assert_eq!(summary.elapsed, Duration::from_secs(3));
        assert!((summary.rate() - 1.0).abs() < 1e-9);
        assert_eq!(summary.p50_us, Some(4_000));
        assert_eq!(summary.p99_ms(), Some(6.0));
        assert_eq!(summary.mean_body_bytes(), Some(166));
    }

    #[test]
    fn an_empty_summary_has_no_rate_or_latency() {
        let summary = Recorder::default().summary();
        assert_eq!(summary.rate(), 0.0);
        assert_eq!(summary.p99_us, None);
        assert_eq!(summary.mean_body_bytes(), None);
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0]), Some(3.0));
        assert_eq!(median(&[5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }
}
