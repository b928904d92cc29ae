//! What a check concluded, and the record of it in a report.

use crate::checks::{Check, Kind};
use serde::Serialize;

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The target does what the documents say.
    Passed,
    /// It does not.
    Failed,
    /// It does not, and the known-deviations file says why.
    Waived,
    /// The check could not run (a feature or prerequisite is missing).
    Skipped,
}

impl Outcome {
    /// Every outcome, in report order.
    pub const ALL: [Outcome; 4] = [Outcome::Passed, Outcome::Failed, Outcome::Waived, Outcome::Skipped];

    /// The spelling in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Waived => "waived",
            Outcome::Skipped => "skipped",
        }
    }
}

/// A check's conclusion, before it is recorded.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// How it ended.
    pub outcome: Outcome,
    /// Why, in one line.
    pub message: String,
    /// A `curl` line that reproduces the decisive request (secrets redacted).
    pub reproduction: Option<String>,
    /// Every difference found, for the report.
    pub details: Vec<String>,
}

impl Verdict {
    /// Passed.
    pub fn pass(message: impl Into<String>) -> Verdict {
        Verdict { outcome: Outcome::Passed, message: message.into(), reproduction: None, details: Vec::new() }
    }

    /// Failed.
    pub fn fail(message: impl Into<String>) -> Verdict {
        Verdict { outcome: Outcome::Failed, message: message.into(), reproduction: None, details: Vec::new() }
    }

    /// Skipped.
    pub fn skip(message: impl Into<String>) -> Verdict {
        Verdict { outcome: Outcome::Skipped, message: message.into(), reproduction: None, details: Vec::new() }
    }

    /// With the reproduction of its request.
    pub fn with(mut self, curl: String) -> Verdict {
        if !curl.is_empty() {
            self.reproduction = Some(curl);
        }
        self
    }

    /// With the list of differences.
    pub fn diff(mut self, details: Vec<String>) -> Verdict {
        self.details = details;
        self
    }
}

/// One check's record in a report.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// The check id.
    pub id: String,
    /// Its kind.
    pub kind: Kind,
    /// Its API.
    pub api: String,
    /// Its operation.
    pub operation: String,
    /// How it ended.
    pub outcome: Outcome,
    /// Why.
    pub message: String,
    /// A `curl` line reproducing the decisive request.
    pub reproduction: Option<String>,
    /// Every difference, for failures.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
    /// How long it took, in seconds.
    pub duration_s: f64,
}

impl CheckResult {
    /// The record of `v` for `c`; secrets are removed from every text.
    pub fn new(c: &Check, v: Verdict, duration: std::time::Duration) -> CheckResult {
        let r = crate::target::redact;
        CheckResult {
            id: c.id.clone(),
            kind: c.kind,
            api: c.api.as_str().to_string(),
            operation: c.operation.clone(),
            outcome: v.outcome,
            message: r(&v.message),
            reproduction: v.reproduction.map(|x| r(&x)),
            details: v.details.iter().map(|d| r(d)).collect(),
            duration_s: duration.as_secs_f64(),
        }
    }
}
