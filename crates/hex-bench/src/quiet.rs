//! Waiting for a quiet machine before each measurement: other builds running on the same cores
//! would show up as our latency.

use std::time::{Duration, Instant};

use crate::{measure::progress, proc};

/// Busier than this (share of all cores over one second) counts as busy.
const BUSY: f64 = 0.15;
/// The longest to wait; then the measurement goes ahead and the results say how busy it was.
const PATIENCE: Duration = Duration::from_secs(90);
const WINDOW: Duration = Duration::from_secs(1);

/// How busy the machine was when a measurement started.
#[derive(Debug, Clone, Copy)]
pub struct Quiet {
    /// Share of CPU busy over the last one-second sample before starting.
    pub busy: f64,
    /// How long we waited for it.
    pub waited: Duration,
}

pub fn wait() -> Quiet {
    let start = Instant::now();
    loop {
        let busy = proc::busy_share(WINDOW).unwrap_or(0.0);
        let waited = start.elapsed();
        if busy < BUSY || waited >= PATIENCE {
            if busy >= BUSY {
                progress(format!(
                    "the machine is still {:.0} % busy after {} s; measuring anyway",
                    busy * 100.0,
                    waited.as_secs()
                ));
            }
            return Quiet { busy, waited };
        }
        progress(format!(
            "the machine is {:.0} % busy (other processes); waiting for it to settle",
            busy * 100.0
        ));
    }
}
