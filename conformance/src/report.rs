//! The report of a run: a summary per API and per kind of check with every failure and
//! its reproduction, as text, as JSON (`--report-json`) and as JUnit XML (`--junit`).

use crate::checks::Kind;
use crate::outcome::{CheckResult, Outcome};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// What a run found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// What the target was.
    pub target: String,
    /// The run's seed.
    pub seed: u64,
    /// How long the run took, in seconds.
    pub duration_s: f64,
    /// How many HTTP requests it sent.
    pub requests: usize,
    /// One record per check.
    pub results: Vec<CheckResult>,
    /// What the run made and could not delete.
    pub leftovers: Vec<String>,
    /// The run was stopped (Ctrl-C) before every check ran.
    pub interrupted: bool,
}

/// A report file that could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The file could not be written.
    #[error("cannot write {path}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The JUnit document could not be made.
    #[error("cannot write the JUnit report")]
    Junit(#[source] quick_junit::SerializeError),
    /// The JSON document could not be made.
    #[error("cannot write the JSON report")]
    Json(#[source] serde_json::Error),
}

impl Report {
    /// Whether any check failed.
    pub fn failed(&self) -> bool {
        self.results.iter().any(|r| r.outcome == Outcome::Failed)
    }

    /// How many checks ended so.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.results.iter().filter(|r| r.outcome == outcome).count()
    }

    /// The summary a person reads: counts per API and per kind, then every failure with
    /// its id, reason and reproduction.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "conformance of {}: {} checks, {} requests, {:.1} s{}", self.target, self.results.len(), self.requests, self.duration_s, if self.interrupted { " (interrupted)" } else { "" });
        let table = |out: &mut String, title: &str, key: &dyn Fn(&CheckResult) -> String| {
            let mut rows: BTreeMap<String, [usize; 4]> = BTreeMap::new();
            for r in &self.results {
                let row = rows.entry(key(r)).or_default();
                row[Outcome::ALL.iter().position(|o| *o == r.outcome).unwrap_or(0)] += 1;
            }
            let _ = writeln!(out, "\n{title:<14} {:>7} {:>7} {:>7} {:>7}", "passed", "failed", "waived", "skipped");
            for (k, [p, f, w, s]) in rows {
                let _ = writeln!(out, "{k:<14} {p:>7} {f:>7} {w:>7} {s:>7}");
            }
        };
        table(&mut out, "API", &|r| r.api.clone());
        table(&mut out, "kind", &|r| r.kind.as_str().to_string());
        let failures: Vec<&CheckResult> = self.results.iter().filter(|r| r.outcome == Outcome::Failed).collect();
        if !failures.is_empty() {
            let _ = writeln!(out, "\nfailures:");
            for r in failures {
                let _ = writeln!(out, "  {}: {}", r.id, r.message);
                if let Some(c) = &r.reproduction {
                    let _ = writeln!(out, "    {c}");
                }
            }
        }
        if !self.leftovers.is_empty() {
            let _ = writeln!(out, "\nnot deleted:");
            for l in &self.leftovers {
                let _ = writeln!(out, "  {l}");
            }
        }
        let _ = writeln!(
            out,
            "\n{} passed, {} failed, {} waived, {} skipped",
            self.count(Outcome::Passed),
            self.count(Outcome::Failed),
            self.count(Outcome::Waived),
            self.count(Outcome::Skipped)
        );
        out
    }

    /// The JSON report.
    pub fn to_json(&self) -> Result<String, WriteError> {
        serde_json::to_string_pretty(self).map_err(WriteError::Json)
    }

    /// The JUnit XML report: one test suite per kind, one test case per check.
    pub fn to_junit(&self) -> Result<String, WriteError> {
        use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
        let mut report = quick_junit::Report::new("conformance");
        for kind in Kind::ALL {
            let mut suite = TestSuite::new(kind.as_str());
            for r in self.results.iter().filter(|r| r.kind == kind) {
                let status = match r.outcome {
                    Outcome::Passed => TestCaseStatus::success(),
                    Outcome::Failed => {
                        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                        s.set_message(r.message.clone());
                        s.set_description(r.details.join("\n") + &r.reproduction.clone().map(|c| format!("\n{c}")).unwrap_or_default());
                        s
                    }
                    Outcome::Waived | Outcome::Skipped => {
                        let mut s = TestCaseStatus::skipped();
                        s.set_message(format!("{}: {}", r.outcome.as_str(), r.message));
                        s
                    }
                };
                let mut case = TestCase::new(r.id.clone(), status);
                case.set_classname(format!("{}.{}", r.api, r.operation));
                case.set_time(std::time::Duration::from_secs_f64(r.duration_s.max(0.0)));
                suite.add_test_case(case);
            }
            report.add_test_suite(suite);
        }
        report.to_string().map_err(WriteError::Junit)
    }

    /// Writes `text` to `path`.
    pub fn write(path: &std::path::Path, text: &str) -> Result<(), WriteError> {
        std::fs::write(path, text).map_err(|source| WriteError::Io { path: path.to_path_buf(), source })
    }
}
