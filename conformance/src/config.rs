//! `conformance.toml`: what a run needs to know about a target that it cannot probe
//! (its image and flavor references, features to leave out, timeouts), and the known
//! deviations that turn an expected failure into a reported waiver.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The configuration file's contents; every part is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Timeouts.
    #[serde(default)]
    pub timeouts: Timeouts,
    /// Documented values and what to send instead (the documents' image id and an image
    /// of the target, ...): applied to requests and to the expected responses.
    #[serde(default)]
    pub substitutions: BTreeMap<String, String>,
    /// Features to leave out.
    #[serde(default)]
    pub features: Features,
    /// The file of known deviations, relative to this file.
    #[serde(default)]
    pub known_deviations: Option<PathBuf>,
}

/// Timeouts, in seconds, and a factor for slow targets.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Timeouts {
    /// Per request.
    pub request_s: f64,
    /// For a resource to settle (a server to become ACTIVE).
    pub wait_s: f64,
    /// Between polls on a real clock.
    pub poll_s: f64,
    /// Every timeout is multiplied by this.
    pub scale: f64,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { request_s: 30.0, wait_s: 600.0, poll_s: 5.0, scale: 1.0 }
    }
}

impl Timeouts {
    /// A timeout of `seconds`, scaled.
    pub fn of(&self, seconds: f64) -> std::time::Duration {
        std::time::Duration::from_secs_f64((seconds * self.scale).clamp(0.001, 86_400.0))
    }
}

/// Features a target may lack; the probe finds most by itself.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Features {
    /// XML bodies (false: XML checks are skipped without asking the target).
    pub xml: bool,
    /// APIs to leave out, by schema key (`v1.0`).
    pub skip_apis: Vec<String>,
}

impl Default for Features {
    fn default() -> Self {
        Features { xml: true, skip_apis: Vec::new() }
    }
}

/// A failure the target is known for, and why it is accepted.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownDeviation {
    /// A glob over check ids.
    pub check: String,
    /// Why it is accepted.
    pub reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeviationsFile {
    #[serde(default)]
    deviation: Vec<KnownDeviation>,
}

/// A configuration or deviations file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// It cannot be read.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// It is not valid.
    #[error("{path} is not a valid configuration")]
    Parse {
        /// The file.
        path: PathBuf,
        /// Where and what.
        #[source]
        source: toml::de::Error,
    },
    /// A deviation's pattern is not a glob.
    #[error("{path}: a known deviation's check is not a glob")]
    Pattern {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: crate::checks::BadPattern,
    },
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })
}

impl Config {
    /// Reads a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let mut c: Config = toml::from_str(&read(path)?).map_err(|source| ConfigError::Parse { path: path.to_path_buf(), source })?;
        if let Some(k) = &c.known_deviations {
            if k.is_relative() {
                c.known_deviations = Some(path.parent().unwrap_or(Path::new(".")).join(k));
            }
        }
        Ok(c)
    }

    /// The known deviations, from the file the configuration names.
    pub fn deviations(&self) -> Result<Waivers, ConfigError> {
        let Some(path) = &self.known_deviations else { return Ok(Waivers::default()) };
        let file: DeviationsFile = toml::from_str(&read(path)?).map_err(|source| ConfigError::Parse { path: path.clone(), source })?;
        let mut out = Waivers::default();
        for d in file.deviation {
            let m = globset::Glob::new(&d.check)
                .map(|g| g.compile_matcher())
                .map_err(|source| ConfigError::Pattern { path: path.clone(), source: crate::checks::BadPattern { pattern: d.check.clone(), source } })?;
            out.0.push((m, d));
        }
        Ok(out)
    }
}

/// Known deviations, matched against failed checks.
#[derive(Debug, Clone, Default)]
pub struct Waivers(Vec<(globset::GlobMatcher, KnownDeviation)>);

impl Waivers {
    /// The reason a failure of `check` is waived, if it is.
    pub fn reason(&self, check: &str) -> Option<&str> {
        self.0.iter().find(|(m, _)| m.is_match(check)).map(|(_, d)| d.reason.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_samples_are_valid() {
        let c: Config = toml::from_str(include_str!("../conformance.sample.toml")).expect("the sample configuration parses");
        assert!(c.features.xml);
        assert_eq!(c.timeouts.of(30.0), std::time::Duration::from_secs(30));
        let d: DeviationsFile = toml::from_str(include_str!("../known-deviations.sample.toml")).expect("the sample deviations parse");
        assert!(d.deviation.is_empty());
    }

    #[test]
    fn a_known_deviation_waives_the_checks_it_matches() {
        let dir = tempfile::tempdir().expect("a directory");
        std::fs::write(dir.path().join("d.toml"), "[[deviation]]\ncheck = \"example/v2.*/xml\"\nreason = \"no XML here\"\n").expect("written");
        std::fs::write(dir.path().join("c.toml"), "known_deviations = \"d.toml\"\n[timeouts]\nscale = 2.0\n").expect("written");
        let c = Config::load(&dir.path().join("c.toml")).expect("loads");
        assert_eq!(c.timeouts.of(1.0), std::time::Duration::from_secs(2));
        let w = c.deviations().expect("the deviations load");
        assert_eq!(w.reason("example/v2.example.1.1/xml"), Some("no XML here"));
        assert_eq!(w.reason("example/v2.example.1.1/json"), None);
    }

    #[test]
    fn a_bad_file_says_which_and_where() {
        let dir = tempfile::tempdir().expect("a directory");
        let p = dir.path().join("c.toml");
        std::fs::write(&p, "[timeouts]\nrequest_s = \"soon\"\n").expect("written");
        let e = Config::load(&p).expect_err("refused");
        let text = format!("{e}: {}", std::error::Error::source(&e).map(ToString::to_string).unwrap_or_default());
        assert!(text.contains("c.toml") && text.contains("request_s"), "{text}");
    }
}
