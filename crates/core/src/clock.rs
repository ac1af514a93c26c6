//! The one source of time for actions and workers.
//!
//! `scale` compresses durations, never timestamps: with a scale of 3600, a retry "in one
//! hour" happens one second from now. Tests use it to cover a day of back-off in seconds;
//! production keeps 1.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rhizome_model::{Id, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Clock {
    scale: f64,
}

impl Default for Clock {
    fn default() -> Self {
        Clock { scale: 1.0 }
    }
}

impl Clock {
    /// A clock whose durations run `scale` times faster. Non-positive or non-finite scales
    /// are treated as 1.
    pub fn scaled(scale: f64) -> Clock {
        let scale = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            1.0
        };
        Clock { scale }
    }

    pub fn scale(&self) -> f64 {
        self.scale
    }

    pub fn now(&self) -> Timestamp {
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        Timestamp(millis)
    }

    /// A nominal duration as it really passes under this clock.
    pub fn real(&self, nominal: Duration) -> Duration {
        nominal.div_f64(self.scale)
    }

    /// The time a nominal duration from now.
    pub fn after(&self, nominal: Duration) -> Timestamp {
        let real = self.real(nominal);
        Timestamp(self.now().0.saturating_add(real.as_millis() as i64))
    }

    /// A fresh id for something created now.
    pub fn new_id(&self) -> Id {
        Id::generate(self.now().0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_compresses_durations() {
        let clock = Clock::scaled(3600.0);
        assert_eq!(
            clock.real(Duration::from_secs(3600)),
            Duration::from_secs(1)
        );
        let later = clock.after(Duration::from_secs(7200)).0 - clock.now().0;
        assert!((1_900..=2_100).contains(&later), "{later}");
        assert_eq!(Clock::scaled(0.0).scale(), 1.0);
        assert_eq!(Clock::scaled(f64::NAN).scale(), 1.0);
    }
}
