//! Client-side pacing per Hex rate-limit group, so bulk work stays under Hex's documented limits
//! instead of collecting 429s.
//!
//! Each quota is "at most `max` requests in any window of `per`" (a sliding window). That is the
//! strictest reading of "20 per minute", so it stays under whatever algorithm Hex runs (fixed windows,
//! sliding windows or token buckets). A token bucket with a full burst (GCRA, as in `governor`) would
//! let through up to `2·max − 1` requests in one minute and so trip Hex's limit under sustained load.
//!
//! The windows live in this process by default. With a [`RateStore`] (Redis), replicas that serve
//! one token book their slots in one shared place instead (see `redis_store`).

mod redis_store;

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use crate::error::{HexError, RateLimitSource};

use redis_store::{AccountStore, Booking};
pub use redis_store::{RateStore, RateStoreError};

/// A rate-limit group: the requests that share one quota at Hex (endpoints.md §1.4; whether
/// every operation of a group shares one budget is not stated, so they share one here, the
/// cautious reading).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum RateGroup {
    /// `hex-api`, Hex's default group (15 operations): "may vary (default: 30)" per minute and
    /// "(default: 1800)" per hour.
    HexApi,
    /// `hex-api-30rpm` (10 operations: cells, users, user sharing, draft guides): 30 per minute.
    HexApi30Rpm,
    /// `hex-chart-image` (both chart images): 20 per minute.
    ChartImage,
    /// `hex-run-kernel` (RunProject, CreateThread, ContinueThread): limits that "may vary", with no
    /// figures, so not paced unless configured.
    RunKernel,
    /// IngestSemanticProject: 3 per minute.
    SemanticIngest,
}

impl RateGroup {
    /// Every group.
    pub const ALL: [RateGroup; 5] = [
        RateGroup::HexApi,
        RateGroup::HexApi30Rpm,
        RateGroup::ChartImage,
        RateGroup::RunKernel,
        RateGroup::SemanticIngest,
    ];

    /// The group Hex names `name` (any case), e.g. `hex-api-30rpm`.
    pub fn from_name(name: &str) -> Option<RateGroup> {
        RateGroup::ALL
            .into_iter()
            .find(|group| group.name().eq_ignore_ascii_case(name.trim()))
    }

    /// Hex's name for the group.
    pub const fn name(self) -> &'static str {
        match self {
            Self::HexApi => "hex-api",
            Self::HexApi30Rpm => "hex-api-30rpm",
            Self::ChartImage => "hex-chart-image",
            Self::RunKernel => "hex-run-kernel",
            Self::SemanticIngest => "IngestSemanticProject",
        }
    }
}

impl fmt::Display for RateGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// At most `max` requests in any window of length `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Requests allowed per window (0 is treated as 1).
    pub max: u32,
    /// Window length.
    pub per: Duration,
}

impl Quota {
    /// `max` requests per minute.
    pub const fn per_minute(max: u32) -> Self {
        Self {
            max,
            per: Duration::from_secs(60),
        }
    }

    /// `max` requests per hour.
    pub const fn per_hour(max: u32) -> Self {
        Self {
            max,
            per: Duration::from_secs(3600),
        }
    }

    /// The window the pacing spaces requests by: `per` and a 2 % guard. A request reaches Hex a
    /// little after the instant it was granted (the task wakes, the request crosses the network)
    /// and Hex counts its window from arrivals, so two requests granted exactly `per` apart can
    /// arrive closer than that and the later one be refused. The guard absorbs that skew: 1.2 s
    /// on a minute, 20 ms on a second (bench section 10 runs Hex's limits on a 60x clock, where
    /// requests granted exactly one window apart drew 429s).
    pub fn paced_per(&self) -> Duration {
        self.per + self.per / 50
    }
}

/// Pacing configuration. Hex says its limits vary by workspace, so every figure can be changed.
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimits {
    /// Pace at all. Off: requests go out at once and Hex's 429s are the only brake.
    pub enabled: bool,
    /// The longest a call may sleep for pacing. A call that would wait longer fails at once with
    /// [`HexError::RateLimited`] (source [`RateLimitSource::ClientPacing`]) carrying the wait.
    pub max_wait: Duration,
    /// Quotas per group; every quota of a group applies. Groups absent here are not paced.
    pub groups: BTreeMap<RateGroup, Vec<Quota>>,
}

impl Default for RateLimits {
    /// Hex's documented defaults (no pacing for `hex-run-kernel`, which has no figures, nor for
    /// operations without a group), and a 10 s maximum wait.
    fn default() -> Self {
        let groups = BTreeMap::from([
            (
                RateGroup::HexApi,
                vec![Quota::per_minute(30), Quota::per_hour(1800)],
            ),
            (RateGroup::HexApi30Rpm, vec![Quota::per_minute(30)]),
            (RateGroup::ChartImage, vec![Quota::per_minute(20)]),
            (RateGroup::RunKernel, vec![]),
            (RateGroup::SemanticIngest, vec![Quota::per_minute(3)]),
        ]);
        Self {
            enabled: true,
            max_wait: Duration::from_secs(10),
            groups,
        }
    }
}

impl RateLimits {
    /// No client-side pacing.
    pub fn disabled() -> Self {
        Self {
            enabled: false,
            ..Self::default()
        }
    }

    /// Replaces a group's quotas (an empty list stops pacing that group).
    #[must_use]
    pub fn with_group(mut self, group: RateGroup, quotas: Vec<Quota>) -> Self {
        self.groups.insert(group, quotas);
        self
    }

    /// Sets the maximum wait.
    #[must_use]
    pub fn with_max_wait(mut self, max_wait: Duration) -> Self {
        self.max_wait = max_wait;
        self
    }
}

/// The request times already granted in one quota's window (past or reserved in the near future).
#[derive(Debug)]
struct Window {
    quota: Quota,
    granted: VecDeque<Instant>,
}

impl Window {
    fn new(quota: Quota) -> Self {
        Self {
            quota: Quota {
                max: quota.max.max(1),
                ..quota
            },
            granted: VecDeque::new(),
        }
    }

    /// The earliest time at or after `now` at which one more request fits the window. Requests are
    /// granted in order, so the answer is never before the last grant.
    fn earliest(&mut self, now: Instant) -> Instant {
        while self
            .granted
            .front()
            .is_some_and(|t| *t + self.quota.paced_per() <= now)
        {
            self.granted.pop_front();
        }
        let after_last = self.granted.back().map_or(now, |t| (*t).max(now));
        let max = usize::try_from(self.quota.max).unwrap_or(usize::MAX);
        if self.granted.len() < max {
            return after_last;
        }
        // Full: the next request must wait until the oldest of the last `max` leaves the window.
        let oldest = self.granted.len() - max;
        self.granted
            .get(oldest)
            .map_or(after_last, |t| after_last.max(*t + self.quota.paced_per()))
    }

    fn grant(&mut self, at: Instant) {
        self.granted.push_back(at);
        let max = usize::try_from(self.quota.max).unwrap_or(usize::MAX);
        while self.granted.len() > max {
            self.granted.pop_front();
        }
    }
}

/// Shared pacing state of one client (all its clones): the in-process windows, and the shared
/// store when one is configured.
#[derive(Debug)]
pub(crate) struct Pacer {
    limits: RateLimits,
    windows: Mutex<BTreeMap<RateGroup, Vec<Window>>>,
    store: Option<AccountStore>,
}

impl Pacer {
    #[cfg(test)]
    pub(crate) fn new(limits: RateLimits) -> Self {
        Self::with_store(limits, None)
    }

    /// A pacer that books in `store` when given, else (and whenever the store fails) in its own
    /// windows.
    pub(crate) fn with_store(limits: RateLimits, store: Option<AccountStore>) -> Self {
        let windows = limits
            .groups
            .iter()
            .map(|(group, quotas)| (*group, quotas.iter().copied().map(Window::new).collect()))
            .collect();
        Self {
            limits,
            windows: Mutex::new(windows),
            store,
        }
    }

    pub(crate) fn limits(&self) -> &RateLimits {
        &self.limits
    }

    /// The shared store's URL (password masked), when one is used.
    pub(crate) fn store_url(&self) -> Option<&str> {
        self.store.as_ref().map(AccountStore::shown_url)
    }

    /// Waits for a slot in `group`, or fails at once if the wait would exceed the maximum.
    pub(crate) async fn acquire(&self, group: Option<RateGroup>) -> Result<(), HexError> {
        let Some(group) = group.filter(|_| self.limits.enabled) else {
            return Ok(());
        };
        let wait = self.book(group).await?;
        if !wait.is_zero() {
            tracing::debug!(group = %group, wait_ms = wait.as_millis(), "pacing before a Hex request");
            metrics::counter!("hex_mcp_rate_limit_waits_total", "group" => group.to_string())
                .increment(1);
            metrics::histogram!("hex_mcp_rate_limit_wait_seconds", "group" => group.to_string())
                .record(wait.as_secs_f64());
            tokio::time::sleep(wait).await;
        }
        Ok(())
    }

    /// The wait for a slot: booked in the shared store when there is one and it answers. A store
    /// that fails must not fail the user's call, so the request is then paced by this process's
    /// windows alone (the failure is counted and logged by the store).
    async fn book(&self, group: RateGroup) -> Result<Duration, HexError> {
        let quotas = self
            .limits
            .groups
            .get(&group)
            .map_or(&[][..], Vec::as_slice);
        if let Some(store) = self.store.as_ref().filter(|_| !quotas.is_empty()) {
            match store.reserve(group, quotas, self.limits.max_wait).await {
                Ok(Booking::Granted(wait)) => return Ok(wait),
                Ok(Booking::Refused(wait)) => return Err(refused(group, wait)),
                Err(failure) => store.note_failure(group, &failure),
            }
        }
        self.reserve(group)
    }

    /// Books the earliest slot that satisfies every quota of the group and returns the wait until it.
    fn reserve(&self, group: RateGroup) -> Result<Duration, HexError> {
        self.reserve_at(group, Instant::now())
    }

    /// [`Pacer::reserve`] as seen at `now` (tests pass a fixed instant, so no result depends on
    /// how fast the machine runs them).
    fn reserve_at(&self, group: RateGroup, now: Instant) -> Result<Duration, HexError> {
        let mut all = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(windows) = all.get_mut(&group).filter(|w| !w.is_empty()) else {
            return Ok(Duration::ZERO);
        };
        let at = windows
            .iter_mut()
            .map(|w| w.earliest(now))
            .max()
            .unwrap_or(now);
        let wait = at.saturating_duration_since(now);
        if wait > self.limits.max_wait {
            return Err(refused(group, wait));
        }
        windows.iter_mut().for_each(|w| w.grant(at));
        Ok(wait)
    }
}

/// The error of a request the pacing would have had to hold longer than the maximum wait.
fn refused(group: RateGroup, wait: Duration) -> HexError {
    HexError::RateLimited {
        retry_after: Some(wait),
        source: RateLimitSource::ClientPacing { group },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pacer(quotas: Vec<Quota>, max_wait: Duration) -> Pacer {
        Pacer::new(
            RateLimits::default()
                .with_group(RateGroup::RunKernel, quotas)
                .with_max_wait(max_wait),
        )
    }

    #[test]
    fn grants_up_to_max_then_refuses_with_the_wait() {
        let pacer = pacer(vec![Quota::per_minute(2)], Duration::from_secs(1));
        let now = Instant::now();
        let run = RateGroup::RunKernel;
        assert_eq!(pacer.reserve_at(run, now).unwrap(), Duration::ZERO);
        assert_eq!(pacer.reserve_at(run, now).unwrap(), Duration::ZERO);
        let err = pacer.reserve_at(run, now).unwrap_err();
        assert_eq!(err.retry_after(), Some(Duration::from_millis(61_200)));
        assert!(matches!(
            err,
            HexError::RateLimited {
                source: RateLimitSource::ClientPacing {
                    group: RateGroup::RunKernel
                },
                ..
            }
        ));
        // Half a minute later the wait is half a minute and the guard.
        let later = now + Duration::from_secs(30);
        let err = pacer.reserve_at(run, later).unwrap_err();
        assert_eq!(err.retry_after(), Some(Duration::from_millis(31_200)));
    }

    #[test]
    fn every_quota_of_a_group_applies() {
        // The per-hour quota is the tighter one here.
        let pacer = pacer(
            vec![Quota::per_minute(5), Quota::per_hour(1)],
            Duration::from_secs(1),
        );
        let now = Instant::now();
        assert!(pacer.reserve_at(RateGroup::RunKernel, now).is_ok());
        let wait = pacer
            .reserve_at(RateGroup::RunKernel, now)
            .unwrap_err()
            .retry_after();
        assert_eq!(wait, Some(Duration::from_secs(3672)));
    }

    #[test]
    fn short_waits_are_granted_in_order() {
        let quota = Quota {
            max: 1,
            per: Duration::from_millis(100),
        };
        let pacer = pacer(vec![quota], Duration::from_secs(1));
        let now = Instant::now();
        let run = RateGroup::RunKernel;
        assert_eq!(pacer.reserve_at(run, now).unwrap(), Duration::ZERO);
        assert_eq!(
            pacer.reserve_at(run, now).unwrap(),
            Duration::from_millis(102)
        );
        assert_eq!(
            pacer.reserve_at(run, now).unwrap(),
            Duration::from_millis(204)
        );
        // Once the booked slots have passed, the window is free again.
        let later = now + Duration::from_millis(306);
        assert_eq!(pacer.reserve_at(run, later).unwrap(), Duration::ZERO);
    }

    #[test]
    fn unpaced_groups_and_disabled_limits_never_wait() {
        let limits = RateLimits::default().with_group(RateGroup::HexApi, vec![]);
        let pacer = Pacer::new(limits);
        for _ in 0..100 {
            assert_eq!(pacer.reserve(RateGroup::HexApi).unwrap(), Duration::ZERO);
        }
        assert!(!RateLimits::disabled().enabled);
    }
}
