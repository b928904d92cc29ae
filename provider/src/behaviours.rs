//! Behaviours a test asks the provider for, through the control API: a matcher (an
//! operation, a server name pattern, metadata items) and a reaction (answer with a fault,
//! end the walk in its error state, or stay in its first transient state), for the next N
//! matching requests or for every one.

use crate::lifecycle::Outcome;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a behaviour does to a matching request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind", deny_unknown_fields)]
pub enum Reaction {
    /// Answer with the API's fault of this status (the operation's, if it lists one).
    Fault {
        /// The HTTP status.
        status: u16,
        /// The message (a default one when absent).
        #[serde(default)]
        message: Option<String>,
    },
    /// The walk the request starts ends in its error state.
    Fails,
    /// The walk the request starts stays in its first transient state.
    Stalls,
}

/// One behaviour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Behaviour {
    /// The operation (schema id) or automation machine id it applies to; any when absent.
    #[serde(default)]
    pub operation: Option<String>,
    /// A regular expression the server's name must match.
    #[serde(default)]
    pub name: Option<String>,
    /// Metadata items the server must have.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    /// What it does.
    pub reaction: Reaction,
    /// How many matching requests it applies to; every one when absent (cycled).
    #[serde(default)]
    pub times: Option<u32>,
}

/// What a request is about, for matching.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// The operation or machine id.
    pub operation: &'a str,
    /// The server's name, when the request concerns a server.
    pub name: Option<&'a str>,
    /// The server's metadata, when the request concerns a server.
    pub metadata: Option<&'a BTreeMap<String, String>>,
}

impl Behaviour {
    /// Whether the behaviour's pattern is a regular expression (checked when it is set).
    pub fn check(&self) -> Result<(), String> {
        match &self.name {
            Some(p) => regex::Regex::new(p).map(|_| ()).map_err(|e| format!("the name pattern does not compile: {e}")),
            None => Ok(()),
        }
    }

    fn matches(&self, s: &Subject<'_>) -> bool {
        let op = self.operation.as_deref().is_none_or(|o| o == s.operation);
        let name = self.name.as_deref().is_none_or(|p| s.name.is_some_and(|n| regex::Regex::new(p).is_ok_and(|re| re.is_match(n))));
        let md = self.metadata.iter().all(|(k, v)| s.metadata.is_some_and(|m| m.get(k) == Some(v)));
        op && name && md
    }
}

/// Takes the reaction of the first behaviour that matches `subject` and whose reaction
/// `wanted` accepts, counting it against its times.
pub fn take(behaviours: &mut Vec<Behaviour>, subject: &Subject<'_>, wanted: impl Fn(&Reaction) -> bool) -> Option<Reaction> {
    let i = behaviours.iter().position(|b| wanted(&b.reaction) && b.matches(subject))?;
    let reaction = behaviours[i].reaction.clone();
    match &mut behaviours[i].times {
        Some(n) if *n <= 1 => {
            behaviours.remove(i);
        }
        Some(n) => *n -= 1,
        None => {}
    }
    Some(reaction)
}

/// The outcome of a walk `subject` starts.
pub fn outcome(behaviours: &mut Vec<Behaviour>, subject: &Subject<'_>) -> Outcome {
    match take(behaviours, subject, |r| matches!(r, Reaction::Fails | Reaction::Stalls)) {
        Some(Reaction::Fails) => Outcome::Fails,
        Some(Reaction::Stalls) => Outcome::Stalls,
        _ => Outcome::Succeeds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(json: serde_json::Value) -> Behaviour {
        serde_json::from_value(json).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn matchers_times_and_cycles() {
        let md: BTreeMap<String, String> = [("role".to_string(), "db".to_string())].into_iter().collect();
        let web = Subject { operation: "op", name: Some("web-1"), metadata: None };
        let db = Subject { operation: "op", name: Some("db-1"), metadata: Some(&md) };
        let mut all = vec![
            b(serde_json::json!({"operation": "op", "name": "^web-", "reaction": {"kind": "fails"}, "times": 2})),
            b(serde_json::json!({"metadata": {"role": "db"}, "reaction": {"kind": "fault", "status": 503}})),
        ];
        assert_eq!(outcome(&mut all, &db), Outcome::Succeeds, "the fault behaviour is no walk outcome");
        assert_eq!(outcome(&mut all, &web), Outcome::Fails);
        assert_eq!(outcome(&mut all, &web), Outcome::Fails);
        assert_eq!(outcome(&mut all, &web), Outcome::Succeeds, "used up after 2");
        for _ in 0..3 {
            assert_eq!(take(&mut all, &db, |r| matches!(r, Reaction::Fault { .. })), Some(Reaction::Fault { status: 503, message: None }), "cycled");
        }
        assert_eq!(take(&mut all, &web, |_| true), None);
        assert!(b(serde_json::json!({"name": "(", "reaction": {"kind": "stalls"}})).check().is_err());
    }
}
