//! Hex's documented per-endpoint rate limits, counted per token over sliding windows.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::RateLimitMode;
use crate::faults::path_matches;

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

/// A rate-limit group as Hex documents it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Group {
    /// RunProject: 20 per minute and 60 per hour.
    RunProject,
    /// The default `hex-api` group: 30 per minute and 1,800 per hour.
    HexApi,
}

impl Group {
    fn documented(self) -> (u32, u32) {
        match self {
            Group::RunProject => (20, 60),
            Group::HexApi => (30, 1800),
        }
    }

    fn label(self) -> &'static str {
        match self {
            Group::RunProject => "RunProject",
            Group::HexApi => "the hex-api group",
        }
    }
}

/// Endpoints whose limits Hex documents (method, path pattern relative to `/api`).
const DOCUMENTED: &[(&str, &str, Group)] = &[
    ("POST", "/v1/projects/*/runs", Group::RunProject),
    ("POST", "/v1/projects", Group::HexApi),
    ("GET", "/v1/projects/*/runs/*", Group::HexApi),
    ("GET", "/v1/data-connections", Group::HexApi),
    ("GET", "/v1/data-connections/*", Group::HexApi),
];

/// A refused request: how long until a slot frees, and a sentence saying which limit.
#[derive(Debug)]
pub(crate) struct Refusal {
    pub(crate) retry_after_secs: u64,
    pub(crate) details: String,
}

/// Counts requests per token and group.
pub(crate) struct RateLimiter {
    mode: RateLimitMode,
    scale: f64,
    windows: Mutex<HashMap<(u64, Group), VecDeque<Instant>>>,
}

impl RateLimiter {
    pub(crate) fn new(mode: RateLimitMode, scale: f64) -> Self {
        RateLimiter {
            mode,
            scale,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Records the request if a slot is free, or says how long to wait.
    pub(crate) fn check(&self, token_key: u64, method: &str, path: &str) -> Result<(), Refusal> {
        let Some(group) = self.group_for(method, path) else {
            return Ok(());
        };
        let (per_minute, per_hour) = self.scaled(group);
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let log = windows.entry((token_key, group)).or_default();
        while log.front().is_some_and(|t| now.duration_since(*t) >= HOUR) {
            log.pop_front();
        }
        let wait_minute = wait_for(log, now, MINUTE, per_minute);
        let wait_hour = wait_for(log, now, HOUR, per_hour);
        match wait_minute.max(wait_hour) {
            Some(wait) => Err(Refusal {
                retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
                details: format!(
                    "{} allows {per_minute} requests per minute and {per_hour} per hour",
                    group.label()
                ),
            }),
            None => {
                log.push_back(now);
                Ok(())
            }
        }
    }

    fn group_for(&self, method: &str, path: &str) -> Option<Group> {
        if self.mode == RateLimitMode::Off {
            return None;
        }
        let documented = DOCUMENTED
            .iter()
            .find(|(m, pattern, _)| *m == method && path_matches(pattern, path))
            .map(|(_, _, group)| *group);
        match (documented, self.mode) {
            (Some(group), _) => Some(group),
            (None, RateLimitMode::DocumentedEverywhere) => Some(Group::HexApi),
            (None, _) => None,
        }
    }

    fn scaled(&self, group: Group) -> (u32, u32) {
        let (minute, hour) = group.documented();
        let scale = |n: u32| ((f64::from(n) * self.scale).round() as u32).max(1);
        (scale(minute), scale(hour))
    }
}

/// How long until fewer than `limit` requests remain inside `window`, if the limit is reached.
fn wait_for(
    log: &VecDeque<Instant>,
    now: Instant,
    window: Duration,
    limit: u32,
) -> Option<Duration> {
    let inside: Vec<&Instant> = log
        .iter()
        .rev()
        .take_while(|t| now.duration_since(**t) < window)
        .collect();
    let limit = limit as usize;
    if inside.len() < limit {
        return None;
    }
    // `inside` is newest first: the entry that must expire is the limit-th newest.
    let expiring = inside.get(limit - 1)?;
    Some((**expiring + window).saturating_duration_since(now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_project_allows_twenty_per_minute() {
        let limiter = RateLimiter::new(RateLimitMode::Documented, 1.0);
        for _ in 0..20 {
            assert!(limiter.check(1, "POST", "/api/v1/projects/x/runs").is_ok());
        }
        let refusal = limiter
            .check(1, "POST", "/api/v1/projects/x/runs")
            .unwrap_err();
        assert!((1..=60).contains(&refusal.retry_after_secs));
        // Another token has its own budget; other endpoints are unlimited.
        assert!(limiter.check(2, "POST", "/api/v1/projects/x/runs").is_ok());
        assert!(limiter.check(1, "GET", "/api/v1/projects").is_ok());
    }

    #[test]
    fn scale_and_modes_change_the_budget() {
        let limiter = RateLimiter::new(RateLimitMode::DocumentedEverywhere, 0.1);
        for _ in 0..3 {
            assert!(limiter.check(1, "GET", "/api/v1/users").is_ok());
        }
        assert!(limiter.check(1, "GET", "/api/v1/users").is_err());
        let off = RateLimiter::new(RateLimitMode::Off, 1.0);
        for _ in 0..100 {
            assert!(off.check(1, "POST", "/api/v1/projects/x/runs").is_ok());
        }
    }
}
