//! A resource's way through its state machine: which states an operation leads through,
//! read from the generated machine tables, and when each is reached. Nothing runs in the
//! background: a resource's state is settled against the clock whenever it is read.

use jiff::{SignedDuration, Timestamp};
use runtime::machines::{StateKind, StateMachine, Transition};
use std::collections::VecDeque;
use std::time::Duration;

/// Where a resource is in its machine and where it is going.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Lifecycle {
    /// The current state.
    pub state: String,
    /// The states still to come, each with the time it is reached.
    pending: VecDeque<(String, Timestamp)>,
    /// When the current walk began and when it ends (for progress).
    walk: Option<(Timestamp, Timestamp)>,
    /// The operation of the current walk.
    pub operation: Option<String>,
}

/// The operation has no documented transition from the resource's state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{operation} is not allowed while the resource is {state}")]
pub struct WrongState {
    /// The operation.
    pub operation: String,
    /// The state it was asked in.
    pub state: String,
}

/// One operation's walk through a machine: which, when, how fast, and how it ends.
#[derive(Debug, Clone, Copy)]
pub struct Walk<'m> {
    /// The machine.
    pub machine: &'m StateMachine,
    /// The operation (schema id).
    pub operation: &'m str,
    /// When it starts.
    pub now: Timestamp,
    /// How long each transient state lasts.
    pub step: Duration,
    /// How it ends.
    pub outcome: Outcome,
    /// Jump to the last state at once (a deliberate deviation).
    pub skip_transient: bool,
    /// End in a lasting state no documented transition leads to (a deliberate deviation).
    pub illegal_end: bool,
}

/// How a walk ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Outcome {
    /// As asked.
    #[default]
    Succeeds,
    /// By the operation's error transition.
    Fails,
    /// In the first transient state, until told otherwise.
    Stalls,
}

impl Lifecycle {
    /// A resource at rest in `state`.
    pub fn at(state: impl Into<String>) -> Self {
        Lifecycle { state: state.into(), pending: VecDeque::new(), walk: None, operation: None }
    }

    /// A new resource of `machine`, created by `operation`: its initial state, then the
    /// states `operation` leads through from there.
    pub fn create(walk: Walk<'_>) -> Result<Self, WrongState> {
        let initial = walk.machine.initial.first().map(|s| s.to_string()).unwrap_or_default();
        let mut l = Lifecycle::at(initial);
        if walk.machine.transitions_by(walk.operation).any(|t| t.from == l.state) {
            let waits = walk.machine.kind_of(&l.state) == Some(StateKind::Transient);
            l.walk_from(walk, |_| true, waits)?;
        }
        Ok(l)
    }

    /// A machine the service moves by itself (no operation causes its transitions): its
    /// initial state, then on through the transitions without an operation, one step per
    /// transient state, failing on the way when `outcome` says so.
    pub fn automatic(machine: &StateMachine, now: Timestamp, step: Duration, outcome: Outcome) -> Self {
        let initial = machine.initial.first().map(|s| s.to_string()).unwrap_or_default();
        let mut l = Lifecycle::at(initial.clone());
        let step = SignedDuration::try_from(step).unwrap_or(SignedDuration::MAX);
        let fails = outcome == Outcome::Fails;
        let mut here = initial;
        let mut at = now;
        // Guards against a machine whose transient states loop.
        for _ in 0..machine.states.len() {
            if machine.kind_of(&here) != Some(StateKind::Transient) || outcome == Outcome::Stalls {
                break;
            }
            let onward: Vec<&Transition> = machine.transitions.iter().filter(|t| t.operation.is_none() && t.from == here && t.to != here).collect();
            let Some(next) = onward.iter().find(|t| t.on_error == fails).or_else(|| onward.iter().find(|t| !t.on_error)) else { break };
            at = at.saturating_add(step).unwrap_or(Timestamp::MAX);
            here = next.to.to_string();
            l.pending.push_back((here.clone(), at));
        }
        l.walk = Some((now, at));
        l
    }

    /// Whether `operation` moves resources of `machine` at all.
    pub fn moves(machine: &StateMachine, operation: &str) -> bool {
        machine.transitions_by(operation).next().is_some()
    }

    /// Starts `operation` from the current state: the first of its documented transitions
    /// out of it that `choose` accepts, then on through the states the same operation (or
    /// the service by itself) leads to, until a state that is not transient.
    ///
    /// A walk under way is interrupted by another operation that has a transition out of
    /// the current state (a delete while a server builds), which then moves at once; the
    /// same operation, or one without such a transition, is refused.
    pub fn start(&mut self, walk: Walk<'_>, choose: impl Fn(&Transition) -> bool) -> Result<(), WrongState> {
        self.settle(walk.now);
        let transient = walk.machine.kind_of(&self.state) == Some(StateKind::Transient);
        let busy = !self.pending.is_empty() || (transient && self.operation.is_some());
        if busy {
            let interrupts = self.operation.as_deref() != Some(walk.operation) && walk.machine.transitions_by(walk.operation).any(|t| t.from == self.state && !t.on_error);
            if !interrupts {
                return Err(WrongState { operation: walk.operation.to_string(), state: self.state.clone() });
            }
            self.pending.clear();
            return self.walk_from(walk, choose, false);
        }
        self.walk_from(walk, choose, transient)
    }

    /// `waits`: the first move takes a step too, and is the failing one when the walk
    /// fails (from a new resource's initial transient state); otherwise it happens at once.
    fn walk_from(&mut self, walk: Walk<'_>, choose: impl Fn(&Transition) -> bool, waits: bool) -> Result<(), WrongState> {
        let Walk { machine, operation, now, step, outcome, skip_transient, illegal_end } = walk;
        let wrong = || WrongState { operation: operation.to_string(), state: self.state.clone() };
        let fails_here = waits && outcome == Outcome::Fails;
        let from_here: Vec<&Transition> = machine.transitions_by(operation).filter(|t| t.from == self.state).collect();
        let first = from_here
            .iter()
            .find(|t| fails_here && t.on_error)
            .or_else(|| from_here.iter().filter(|t| !t.on_error).find(|t| choose(t)))
            .copied()
            .ok_or_else(wrong)?;
        let step = SignedDuration::try_from(step).unwrap_or(SignedDuration::MAX);
        if waits && outcome == Outcome::Stalls {
            self.operation = Some(operation.to_string());
            return Ok(());
        }
        let mut path: Vec<String> = vec![first.to.to_string()];
        // Guards against a machine whose transient states loop.
        while path.len() <= machine.states.len() {
            let here = path.last().map(String::as_str).unwrap_or_default();
            if machine.kind_of(here) != Some(StateKind::Transient) {
                break;
            }
            if outcome == Outcome::Stalls {
                break;
            }
            let fails = outcome == Outcome::Fails;
            let onward = |t: &&Transition| t.from == here && t.to != here;
            let by_op: Vec<&Transition> = machine.transitions_by(operation).filter(onward).collect();
            let next = by_op
                .iter()
                .find(|t| t.on_error == fails)
                .or_else(|| by_op.iter().find(|t| !t.on_error))
                .copied()
                .or_else(|| machine.transitions.iter().filter(|t| t.operation.is_none()).filter(onward).find(|t| t.on_error == fails));
            match next {
                Some(t) => path.push(t.to.to_string()),
                None => break,
            }
        }
        if illegal_end {
            let before = path.len().checked_sub(2).and_then(|i| path.get(i)).cloned().unwrap_or_else(|| self.state.clone());
            let last = path.last().cloned().unwrap_or_default();
            if let Some(odd) = machine.states.iter().find(|s| s.kind == StateKind::Stable && s.name != last && !machine.can_transition(&before, &s.name)) {
                if let Some(l) = path.last_mut() {
                    *l = odd.name.to_string();
                }
            }
        }
        if skip_transient && path.len() > 1 {
            path.drain(..path.len() - 1);
        }
        self.pending.clear();
        let mut at = now;
        for (i, s) in path.into_iter().enumerate() {
            if (i > 0 || waits) && !skip_transient {
                at = at.saturating_add(step).unwrap_or(Timestamp::MAX);
            }
            self.pending.push_back((s, at));
        }
        self.walk = Some((now, at));
        self.operation = Some(operation.to_string());
        self.settle(now);
        Ok(())
    }

    /// Moves to every state whose time has come.
    pub fn settle(&mut self, now: Timestamp) {
        while let Some((_, at)) = self.pending.front() {
            if *at > now {
                break;
            }
            if let Some((s, _)) = self.pending.pop_front() {
                self.state = s;
            }
        }
        if self.pending.is_empty() {
            self.operation = None;
        }
    }

    /// Whether no walk is under way (nothing about the resource changes with time).
    pub fn is_settled(&self) -> bool {
        self.pending.is_empty()
    }

    /// How far the current walk is, 0 to 100 (100 at rest).
    pub fn progress(&self, now: Timestamp) -> i64 {
        match self.walk {
            Some((start, end)) if !self.pending.is_empty() && end > start => {
                let done = now.duration_since(start).as_secs_f64();
                let all = end.duration_since(start).as_secs_f64();
                ((done / all) * 100.0).clamp(0.0, 99.0) as i64
            }
            Some(_) if !self.pending.is_empty() => 0,
            _ => 100,
        }
    }
}

/// The transitions a request asks for (as its body's JSON form, inside the wrapper):
/// those whose condition it meets, and those that have none.
pub fn asked(request: &serde_json::Value) -> impl Fn(&Transition) -> bool + '_ {
    move |t| t.when.as_ref().is_none_or(|c| c.holds(request))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudservers::v2::machines::SERVER_STATUS as SERVER;

    fn t0() -> Timestamp {
        Timestamp::UNIX_EPOCH
    }

    const STEP: Duration = Duration::from_secs(10);

    fn walk(operation: &str, now: Timestamp, outcome: Outcome) -> Walk<'_> {
        Walk { machine: &SERVER, operation, now, step: STEP, outcome, skip_transient: false, illegal_end: false }
    }

    fn secs(n: i64) -> Timestamp {
        t0().saturating_add(SignedDuration::from_secs(n)).unwrap_or(Timestamp::MAX)
    }

    #[test]
    fn create_walks_from_the_initial_state_to_a_stable_one() {
        let mut l = Lifecycle::create(walk("v2.servers.create", t0(), Outcome::Succeeds)).expect("create");
        assert!(SERVER.is_initial(&l.state));
        assert_eq!(SERVER.kind_of(&l.state), Some(StateKind::Transient));
        assert_eq!(l.progress(secs(5)), 50);
        l.settle(secs(10));
        assert_eq!(SERVER.kind_of(&l.state), Some(StateKind::Stable));
        assert_eq!(l.progress(secs(10)), 100);
        let mut failed = Lifecycle::create(walk("v2.servers.create", t0(), Outcome::Fails)).expect("create");
        failed.settle(secs(60));
        assert_eq!(SERVER.kind_of(&failed.state), Some(StateKind::Error));
    }

    #[test]
    fn every_state_a_walk_passes_is_a_documented_transition() {
        for t in SERVER.transitions.iter().filter(|t| t.operation.is_some() && !t.on_error) {
            let op = t.operation.as_deref().unwrap_or_default();
            let mut l = Lifecycle::at(t.from.to_string());
            l.start(walk(op, t0(), Outcome::Succeeds), |c| c.to == t.to).unwrap_or_else(|e| panic!("{}: {e}", t.id));
            let mut seen = vec![l.state.clone()];
            for n in 1..=20 {
                l.settle(secs(10 * n));
                if seen.last() != Some(&l.state) {
                    seen.push(l.state.clone());
                }
            }
            let mut from = t.from.to_string();
            for s in &seen {
                assert!(from == *s || SERVER.can_transition(&from, s), "{}: {from} -> {s} is not documented ({seen:?})", t.id);
                from = s.clone();
            }
            assert!(SERVER.kind_of(&l.state).is_some_and(StateKind::is_settled), "{}: ends in {}", t.id, l.state);
        }
    }

    #[test]
    fn an_operation_without_a_transition_from_the_state_is_refused() {
        let mut l = Lifecycle::create(walk("v2.servers.create", t0(), Outcome::Succeeds)).expect("create");
        let e = l.start(walk("v2.servers.reboot", secs(1), Outcome::Succeeds), |_| true).expect_err("busy");
        assert_eq!(e.operation, "v2.servers.reboot");
        let e = l.start(walk("v2.servers.confirm-resize", secs(20), Outcome::Succeeds), |_| true).expect_err("not resized");
        assert!(SERVER.kind_of(&e.state) == Some(StateKind::Stable));
    }

    #[test]
    fn a_stalled_walk_waits_until_released() {
        let mut l = Lifecycle::create(walk("v2.servers.create", t0(), Outcome::Stalls)).expect("create");
        l.settle(secs(1000));
        assert_eq!(SERVER.kind_of(&l.state), Some(StateKind::Transient));
        assert!(SERVER.is_initial(&l.state));
    }
}
