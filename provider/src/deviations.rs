//! Deliberate departures from the documents, each a named switch (control API, or
//! `--deviation NAME`), so that a conformance suite can prove it notices each one. All
//! are off unless switched on.

use std::sync::atomic::{AtomicU64, Ordering};

/// One deliberate departure from the documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Deviation {
    /// Successful answers carry another 2xx status than the documented one.
    WrongSuccessCode,
    /// JSON answers lack the first required field of their model.
    MissingRequiredField,
    /// Fault documents are named after another fault of the API.
    WrongFaultElement,
    /// Walks jump straight to their last state, skipping the transient ones.
    SkipTransientStates,
    /// Walks end in a lasting state that no documented transition leads to.
    IllegalTransition,
    /// Operations asked in a state with no documented transition succeed anyway.
    AcceptWrongState,
    /// No rate limit is enforced.
    NoRateLimits,
    /// Answers are labelled `text/html`.
    WrongContentType,
    /// XML is neither read nor written: answers are JSON, XML bodies get 415.
    JsonOnly,
    /// List calls ignore the page size and marker.
    NoPagination,
    /// Servers lack their extended status (`OS-EXT-STS:*`).
    NoExtendedStatus,
    /// Creates answer without a `Location` header.
    NoLocation,
}

impl Deviation {
    /// Every deviation, with its switch name and what it does.
    pub const ALL: &'static [(Deviation, &'static str, &'static str)] = &[
        (Deviation::WrongSuccessCode, "wrong-success-code", "successful answers carry another 2xx status than the documented one"),
        (Deviation::MissingRequiredField, "missing-required-field", "JSON answers lack the first required field of their model"),
        (Deviation::WrongFaultElement, "wrong-fault-element", "fault documents are named after another fault of the API"),
        (Deviation::SkipTransientStates, "skip-transient-states", "walks jump straight to their last state"),
        (Deviation::IllegalTransition, "illegal-transition", "walks end in a lasting state no documented transition leads to"),
        (Deviation::AcceptWrongState, "accept-wrong-state", "operations asked in a state with no documented transition succeed"),
        (Deviation::NoRateLimits, "no-rate-limits", "no rate limit is enforced"),
        (Deviation::WrongContentType, "wrong-content-type", "answers are labelled text/html"),
        (Deviation::JsonOnly, "json-only", "answers are JSON whatever is asked; XML bodies get 415"),
        (Deviation::NoPagination, "no-pagination", "list calls ignore the page size and marker"),
        (Deviation::NoExtendedStatus, "no-extended-status", "servers lack OS-EXT-STS:*"),
        (Deviation::NoLocation, "no-location", "creates answer without a Location header"),
    ];

    /// The deviation of a switch name.
    pub fn named(name: &str) -> Option<Deviation> {
        Deviation::ALL.iter().find(|(_, n, _)| *n == name).map(|(d, _, _)| *d)
    }

    /// The switch name.
    pub fn name(self) -> &'static str {
        Deviation::ALL.iter().find(|(d, _, _)| *d == self).map(|(_, n, _)| *n).unwrap_or_default()
    }

    fn bit(self) -> u64 {
        1 << Deviation::ALL.iter().position(|(d, _, _)| *d == self).unwrap_or(63)
    }
}

/// The switches of a running provider (lock-free: read on every request).
#[derive(Debug, Default)]
pub struct Switches(AtomicU64);

impl Switches {
    /// Whether `d` is on.
    pub fn on(&self, d: Deviation) -> bool {
        self.0.load(Ordering::Relaxed) & d.bit() != 0
    }

    /// Every switch at once, one bit each (what an answer written now depends on).
    pub fn bits(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    /// Whether any deviation is on.
    pub fn any(&self) -> bool {
        self.0.load(Ordering::Relaxed) != 0
    }

    /// Turns `d` on or off.
    pub fn set(&self, d: Deviation, on: bool) {
        if on {
            self.0.fetch_or(d.bit(), Ordering::Relaxed);
        } else {
            self.0.fetch_and(!d.bit(), Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_switches_independent() {
        let mut names: Vec<&str> = Deviation::ALL.iter().map(|(_, n, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Deviation::ALL.len());
        assert!(Deviation::ALL.len() < 64);
        let s = Switches::default();
        s.set(Deviation::JsonOnly, true);
        assert!(s.on(Deviation::JsonOnly) && !s.on(Deviation::NoLocation));
        s.set(Deviation::JsonOnly, false);
        assert!(!s.on(Deviation::JsonOnly));
        for (d, n, _) in Deviation::ALL {
            assert_eq!(Deviation::named(n), Some(*d));
            assert_eq!(d.name(), *n);
        }
    }
}
