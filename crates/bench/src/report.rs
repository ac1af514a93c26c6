//! The results: a table for people and a JSON array for trackers.
//!
//! Every figure stands next to a baseline measured in the same run on the same machine (or,
//! for memory and start-up time, a fixed threshold), and the ratio `value / baseline` is what
//! is tracked.

use std::fmt::Write as _;

use serde_json::{Value, json};

/// How a ratio is judged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// The ratio must be at least this (throughput).
    AtLeast(f64),
    /// The ratio must be at most this (memory, time, against a threshold).
    AtMost(f64),
}

impl Target {
    fn met_by(self, ratio: f64) -> bool {
        match self {
            Target::AtLeast(bound) => ratio >= bound,
            Target::AtMost(bound) => ratio <= bound,
        }
    }

    fn label(self) -> String {
        match self {
            Target::AtLeast(bound) => format!(">= {bound:.2}"),
            Target::AtMost(bound) => format!("<= {bound:.2}"),
        }
    }
}

/// One line of the results.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub name: String,
    /// `None`: not measured (see `note`).
    pub value: Option<f64>,
    pub unit: String,
    /// What the value is compared with: a baseline's name, or `threshold`.
    pub baseline: String,
    pub baseline_value: Option<f64>,
    pub target: Option<Target>,
    /// Why a row was not measured, or what else to know about it.
    pub note: Option<String>,
}

/// Whether a row met its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail,
    /// Measured, with nothing to meet (informational rows such as p99 latencies).
    Info,
    NotMeasured,
}

impl Verdict {
    fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "FAIL",
            Verdict::Info => "-",
            Verdict::NotMeasured => "not measured",
        }
    }
}

impl Row {
    /// A measured figure compared with a baseline.
    pub fn measured(
        name: &str,
        value: f64,
        unit: &str,
        baseline: &str,
        baseline_value: f64,
        target: Option<Target>,
    ) -> Row {
        Row {
            name: name.to_owned(),
            value: Some(value),
            unit: unit.to_owned(),
            baseline: baseline.to_owned(),
            baseline_value: Some(baseline_value),
            target,
            note: None,
        }
    }

    /// A measured figure compared with a fixed threshold it must stay under.
    pub fn under_threshold(name: &str, value: f64, unit: &str, threshold: f64) -> Row {
        Row::measured(
            name,
            value,
            unit,
            "threshold",
            threshold,
            Some(Target::AtMost(1.0)),
        )
    }

    /// A scenario that was not run, and why. It carries no number.
    pub fn not_measured(name: &str, unit: &str, baseline: &str, reason: &str) -> Row {
        Row {
            name: name.to_owned(),
            value: None,
            unit: unit.to_owned(),
            baseline: baseline.to_owned(),
            baseline_value: None,
            target: None,
            note: Some(reason.to_owned()),
        }
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Row {
        self.note = Some(note.into());
        self
    }

    /// `value / baseline_value`, when both are there and the baseline is not zero.
    pub fn ratio(&self) -> Option<f64> {
        match (self.value, self.baseline_value) {
            (Some(value), Some(baseline)) if baseline != 0.0 && baseline.is_finite() => {
                Some(value / baseline)
            }
            _ => None,
        }
    }

    pub fn verdict(&self) -> Verdict {
        match (self.ratio(), self.target) {
            _ if self.value.is_none() => Verdict::NotMeasured,
            (Some(ratio), Some(target)) if target.met_by(ratio) => Verdict::Pass,
            (_, Some(_)) => Verdict::Fail,
            (_, None) => Verdict::Info,
        }
    }
}

/// A number with as many decimals as its size deserves.
pub fn format_number(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude >= 1000.0 {
        format!("{value:.0}")
    } else if magnitude >= 100.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

const HEADERS: [&str; 7] = [
    "name",
    "value",
    "baseline",
    "baseline value",
    "ratio",
    "target",
    "pass/fail",
];

fn cells(row: &Row) -> [String; 7] {
    let with_unit = |value: Option<f64>| match value {
        Some(value) => format!("{} {}", format_number(value), row.unit),
        None => "-".to_owned(),
    };
    [
        row.name.clone(),
        with_unit(row.value),
        row.baseline.clone(),
        with_unit(row.baseline_value),
        row.ratio()
            .map(|r| format!("{r:.3}"))
            .unwrap_or_else(|| "-".to_owned()),
        row.target
            .map(Target::label)
            .unwrap_or_else(|| "-".to_owned()),
        row.verdict().label().to_owned(),
    ]
}

/// The results as an aligned text table, `|`-separated, with the notes and misses below.
pub fn format_table(rows: &[Row]) -> String {
    let table: Vec<[String; 7]> = rows.iter().map(cells).collect();
    let mut widths = HEADERS.map(str::len);
    for line in &table {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut write_line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (cell, width))| {
                // Names and labels read left-aligned, numbers right-aligned.
                if i == 0 || i == 2 || i == 6 {
                    format!("{cell:<width$}")
                } else {
                    format!("{cell:>width$}")
                }
            })
            .collect();
        let _ = writeln!(out, "{}", padded.join(" | ").trim_end());
    };
    write_line(&HEADERS.map(str::to_owned));
    write_line(&widths.map(|w| "-".repeat(w)));
    for line in &table {
        write_line(line);
    }
    let notes: Vec<&Row> = rows.iter().filter(|r| r.note.is_some()).collect();
    if !notes.is_empty() {
        out.push('\n');
        for row in notes {
            let _ = writeln!(
                out,
                "  {}: {}",
                row.name,
                row.note.as_deref().unwrap_or_default()
            );
        }
    }
    let misses: Vec<&Row> = rows
        .iter()
        .filter(|r| r.verdict() == Verdict::Fail)
        .collect();
    out.push('\n');
    if misses.is_empty() {
        let _ = writeln!(out, "Every measured figure met its target.");
    } else {
        let _ = writeln!(out, "MISSED TARGETS ({}):", misses.len());
        for row in misses {
            let [_, value, baseline, baseline_value, ratio, target, _] = cells(row);
            let _ = writeln!(
                out,
                "  {}: {value} vs {baseline} {baseline_value} = ratio {ratio}, target {target}",
                row.name
            );
        }
    }
    let skipped = rows
        .iter()
        .filter(|r| r.verdict() == Verdict::NotMeasured)
        .count();
    if skipped > 0 {
        let _ = writeln!(
            out,
            "{skipped} scenario(s) not measured: see the notes above."
        );
    }
    out
}

/// The results for trackers: `[{"name", "value", "unit", "baseline", "baseline_value",
/// "ratio"}]`. Rows that were not measured are left out rather than given a made-up number.
pub fn to_json(rows: &[Row]) -> Value {
    Value::Array(
        rows.iter()
            .filter_map(|row| {
                let value = row.value?;
                Some(json!({
                    "name": row.name,
                    "value": value,
                    "unit": row.unit,
                    "baseline": row.baseline,
                    "baseline_value": row.baseline_value,
                    "ratio": row.ratio(),
                }))
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Row> {
        vec![
            Row::measured(
                "timeline_home",
                750.0,
                "req/s",
                "baseline_http",
                3000.0,
                Some(Target::AtLeast(0.30)),
            ),
            Row::measured(
                "timeline_home_p99",
                42.5,
                "ms",
                "baseline_http_p99",
                8.5,
                None,
            ),
            Row::under_threshold("memory_idle", 24.0, "MiB", 30.0),
            Row::under_threshold("startup", 250.0, "ms", 200.0),
            Row::not_measured(
                "fanout",
                "deliveries/s",
                "baseline_rsa_sign",
                "not implemented yet",
            ),
        ]
    }

    #[test]
    fn ratios_and_verdicts() {
        let rows = sample();
        assert_eq!(rows[0].ratio(), Some(0.25));
        assert_eq!(rows[0].verdict(), Verdict::Fail);
        assert_eq!(rows[1].ratio(), Some(5.0));
        assert_eq!(rows[1].verdict(), Verdict::Info);
        assert_eq!(rows[2].ratio(), Some(0.8));
        assert_eq!(rows[2].verdict(), Verdict::Pass);
        assert_eq!(rows[3].verdict(), Verdict::Fail);
        assert_eq!(rows[4].ratio(), None);
        assert_eq!(rows[4].verdict(), Verdict::NotMeasured);
        let zero = Row::measured("x", 1.0, "req/s", "b", 0.0, Some(Target::AtLeast(0.3)));
        assert_eq!(zero.ratio(), None);
        assert_eq!(zero.verdict(), Verdict::Fail);
        let exact = Row::measured("x", 3.0, "req/s", "b", 10.0, Some(Target::AtLeast(0.3)));
        assert_eq!(exact.verdict(), Verdict::Pass);
    }

    #[test]
    fn the_table_has_every_column_and_lists_misses() {
        let table = format_table(&sample());
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines[..7],
            [
                "name              |       value | baseline          | baseline value | ratio |  target | pass/fail",
                "----------------- | ----------- | ----------------- | -------------- | ----- | ------- | ------------",
                "timeline_home     | 750.0 req/s | baseline_http     |     3000 req/s | 0.250 | >= 0.30 | FAIL",
                "timeline_home_p99 |    42.50 ms | baseline_http_p99 |        8.50 ms | 5.000 |       - | -",
                "memory_idle       |   24.00 MiB | threshold         |      30.00 MiB | 0.800 | <= 1.00 | pass",
                "startup           |    250.0 ms | threshold         |       200.0 ms | 1.250 | <= 1.00 | FAIL",
                "fanout            |           - | baseline_rsa_sign |              - |     - |       - | not measured",
            ]
        );
        assert!(table.contains("  fanout: not implemented yet"));
        assert!(table.contains("MISSED TARGETS (2):"));
        assert!(table.contains(
            "  timeline_home: 750.0 req/s vs baseline_http 3000 req/s = ratio 0.250, target >= 0.30"
        ));
        assert!(table.contains("  startup: 250.0 ms vs threshold 200.0 ms = ratio 1.250"));
        assert!(table.contains("1 scenario(s) not measured"));
    }

    #[test]
    fn a_clean_run_says_so() {
        let rows = vec![Row::under_threshold("memory_idle", 10.0, "MiB", 30.0)];
        let table = format_table(&rows);
        assert!(table.contains("Every measured figure met its target."));
        assert!(!table.contains("not measured"));
    }

    #[test]
    fn json_has_the_tracked_fields_and_skips_what_was_not_measured() {
        let json = to_json(&sample());
        let items = json.as_array().expect("an array");
        assert_eq!(items.len(), 4);
        assert_eq!(
            items[0],
            json!({
                "name": "timeline_home",
                "value": 750.0,
                "unit": "req/s",
                "baseline": "baseline_http",
                "baseline_value": 3000.0,
                "ratio": 0.25,
            })
        );
        assert_eq!(items[2]["baseline"], "threshold");
        assert_eq!(items[2]["baseline_value"], 30.0);
        assert!(items.iter().all(|item| item["name"] != "fanout"));
        for item in items {
            let keys: Vec<&String> = item.as_object().expect("an object").keys().collect();
            assert_eq!(
                keys.len(),
                6,
                "exactly name, value, unit, baseline, baseline_value, ratio"
            );
        }
    }

    #[test]
    fn numbers_are_rounded_by_size() {
        assert_eq!(format_number(12345.678), "12346");
        assert_eq!(format_number(123.456), "123.5");
        assert_eq!(format_number(1.23456), "1.23");
        assert_eq!(format_number(0.0), "0.00");
    }
}
