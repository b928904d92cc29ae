//! The provider's time: the system clock, or a virtual one that moves only when told, so
//! tests of state machines and rate limits never sleep.

use jiff::{SignedDuration, Timestamp};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Which clock a provider runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClockMode {
    /// The system clock.
    #[default]
    Real,
    /// A clock that starts at the system time and moves only by [`Clock::advance`].
    Virtual,
}

/// A shared clock: cloning it shares the time.
#[derive(Debug, Clone)]
pub struct Clock {
    virtual_now: Option<Arc<Mutex<Timestamp>>>,
}

impl Clock {
    /// A clock of this mode.
    pub fn new(mode: ClockMode) -> Self {
        match mode {
            ClockMode::Real => Clock { virtual_now: None },
            ClockMode::Virtual => Clock { virtual_now: Some(Arc::new(Mutex::new(Timestamp::now()))) },
        }
    }

    /// Whether the clock is virtual.
    pub fn is_virtual(&self) -> bool {
        self.virtual_now.is_some()
    }

    /// The current time.
    pub fn now(&self) -> Timestamp {
        match &self.virtual_now {
            None => Timestamp::now(),
            Some(t) => *t.lock().unwrap_or_else(PoisonError::into_inner),
        }
    }

    /// Moves a virtual clock forward by `by` and returns the new time; a real clock is
    /// left alone (`None`).
    pub fn advance(&self, by: Duration) -> Option<Timestamp> {
        let t = self.virtual_now.as_ref()?;
        let mut now = t.lock().unwrap_or_else(PoisonError::into_inner);
        let by = SignedDuration::try_from(by).unwrap_or(SignedDuration::MAX);
        *now = now.saturating_add(by).unwrap_or(Timestamp::MAX);
        Some(*now)
    }

    /// Sets a virtual clock to `to` (a restart resuming from a saved state: the time a
    /// client last saw must not jump) and returns whether it was virtual; a real clock
    /// is left alone.
    pub fn set(&self, to: Timestamp) -> bool {
        match &self.virtual_now {
            None => false,
            Some(t) => {
                *t.lock().unwrap_or_else(PoisonError::into_inner) = to;
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_virtual_clock_moves_only_when_told() {
        let c = Clock::new(ClockMode::Virtual);
        let t0 = c.now();
        assert_eq!(c.now(), t0);
        let t1 = c.advance(Duration::from_secs(90)).expect("virtual");
        assert_eq!(t1.duration_since(t0), SignedDuration::from_secs(90));
        assert_eq!(c.clone().now(), t1, "clones share the time");
        assert!(Clock::new(ClockMode::Real).advance(Duration::from_secs(1)).is_none());
        assert_eq!(c.advance(Duration::MAX), Some(Timestamp::MAX), "saturates instead of overflowing");
        assert!(c.set(t0));
        assert_eq!(c.clone().now(), t0, "a set time is every clone's");
        assert!(!Clock::new(ClockMode::Real).set(t0), "a real clock is not set");
    }
}
