//! The admin dashboard's numbers: Mastodon's measures (totals with a daily series) and
//! dimensions (the largest groups), over a range of whole UTC days.

use chrono::{Duration, NaiveDate};
use rhizome_model::Timestamp;
use rhizome_store::{Dimension, Measure};

use crate::{Core, CoreError};

/// The longest range asked for at once.
const MAX_DAYS: i64 = 92;

/// One measure over the range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureResult {
    pub key: &'static str,
    pub total: i64,
    /// The same measure over the same number of days just before.
    pub previous_total: i64,
    pub data: Vec<(NaiveDate, i64)>,
}

/// One dimension over the range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DimensionResult {
    pub key: &'static str,
    pub data: Vec<(String, i64)>,
}

const MEASURES: &[(&str, Measure)] = &[
    ("new_users", Measure::NewUsers),
    ("active_users", Measure::ActiveUsers),
    ("interactions", Measure::Interactions),
    ("opened_reports", Measure::OpenedReports),
    ("resolved_reports", Measure::ResolvedReports),
];

const DIMENSIONS: &[(&str, Dimension)] = &[
    ("languages", Dimension::Languages),
    ("servers", Dimension::Servers),
];

fn day_start(day: NaiveDate) -> Timestamp {
    Timestamp(
        day.and_time(chrono::NaiveTime::MIN)
            .and_utc()
            .timestamp_millis(),
    )
}

/// The days from `start` to `end`, both included; refused when reversed or too long.
fn days(start: NaiveDate, end: NaiveDate) -> Result<i64, CoreError> {
    let days = (end - start).num_days() + 1;
    if days < 1 {
        return Err(CoreError::Invalid("end_at is before start_at".into()));
    }
    if days > MAX_DAYS {
        return Err(CoreError::Invalid(format!(
            "the range is longer than {MAX_DAYS} days"
        )));
    }
    Ok(days)
}

impl Core {
    /// The measures named in `keys` (unknown ones are left out, as Mastodon does).
    pub async fn measures(
        &self,
        keys: &[String],
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Vec<MeasureResult>, CoreError> {
        let count = days(start, end)?;
        let mut results = Vec::new();
        for (key, measure) in MEASURES {
            if !keys.iter().any(|k| k == key) {
                continue;
            }
            let mut data = Vec::with_capacity(count as usize);
            for offset in 0..count {
                let day = start + Duration::days(offset);
                let value = self
                    .store
                    .measure(*measure, day_start(day), day_start(day + Duration::days(1)))
                    .await?;
                data.push((day, value));
            }
            let total = self
                .store
                .measure(
                    *measure,
                    day_start(start),
                    day_start(end + Duration::days(1)),
                )
                .await?;
            let previous_total = self
                .store
                .measure(
                    *measure,
                    day_start(start - Duration::days(count)),
                    day_start(start),
                )
                .await?;
            results.push(MeasureResult {
                key,
                total,
                previous_total,
                data,
            });
        }
        Ok(results)
    }

    /// The dimensions named in `keys`, each its `limit` largest groups.
    pub async fn dimensions(
        &self,
        keys: &[String],
        start: NaiveDate,
        end: NaiveDate,
        limit: u32,
    ) -> Result<Vec<DimensionResult>, CoreError> {
        days(start, end)?;
        let mut results = Vec::new();
        for (key, dimension) in DIMENSIONS {
            if !keys.iter().any(|k| k == key) {
                continue;
            }
            let data = self
                .store
                .dimension(
                    *dimension,
                    day_start(start),
                    day_start(end + Duration::days(1)),
                    limit.clamp(1, 100),
                )
                .await?;
            results.push(DimensionResult { key, data });
        }
        Ok(results)
    }
}
