//! Hex's documented per-endpoint rate limits, counted per token over sliding windows.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::RateLimitMode;
use crate::faults::path_matches;

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

/// A rate-limit group as Hex's description states it (endpoints.md §1.4). `hex-run-kernel`
/// (RunProject, CreateThread, ContinueThread) "may vary" with no figures, so it is not limited;
/// operations without rate-limit text are not limited either, unless the mode says otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Group {
    /// `hex-api`: 30 per minute and 1,800 per hour by default.
    HexApi,
    /// `hex-api-30rpm`: 30 per minute.
    HexApi30Rpm,
    /// `hex-chart-image`: 20 per minute.
    ChartImage,
    /// IngestSemanticProject: 3 per minute.
    SemanticIngest,
}

impl Group {
    /// Per minute, and per hour where stated.
    fn documented(self) -> (u32, Option<u32>) {
        match self {
            Group::HexApi => (30, Some(1800)),
            Group::HexApi30Rpm => (30, None),
            Group::ChartImage => (20, None),
            Group::SemanticIngest => (3, None),
        }
    }

    fn label(self) -> &'static str {
        match self {
            Group::HexApi => "the hex-api group",
            Group::HexApi30Rpm => "the hex-api-30rpm group",
            Group::ChartImage => "the hex-chart-image group",
            Group::SemanticIngest => "IngestSemanticProject",
        }
    }
}

/// Endpoints whose limits Hex states (method, path pattern relative to `/api`).
const DOCUMENTED: &[(&str, &str, Group)] = &[
    ("POST", "/v1/projects", Group::HexApi),
    ("GET", "/v1/projects/*/runs/*", Group::HexApi),
    ("GET", "/v1/data-connections", Group::HexApi),
    ("GET", "/v1/data-connections/*", Group::HexApi),
    ("GET", "/v1/cells/*/output", Group::HexApi),
    ("PATCH", "/v1/projects/*/sharing/groups", Group::HexApi),
    (
        "PATCH",
        "/v1/projects/*/sharing/workspaceAndPublic",
        Group::HexApi,
    ),
    ("POST", "/v1/projects/export", Group::HexApi),
    ("GET", "/v1/projects/*", Group::HexApi),
    ("PATCH", "/v1/projects/*", Group::HexApi),
    ("GET", "/v1/projects/*/runs", Group::HexApi),
    ("GET", "/v1/threads", Group::HexApi),
    ("GET", "/v1/threads/*", Group::HexApi),
    ("GET", "/v1/threads/*/messages", Group::HexApi),
    ("GET", "/v1/context/topics", Group::HexApi),
    ("GET", "/v1/cells/*/image", Group::ChartImage),
    (
        "GET",
        "/v1/projects/*/runs/*/cells/*/image",
        Group::ChartImage,
    ),
    ("GET", "/v1/cells/*", Group::HexApi30Rpm),
    ("PATCH", "/v1/cells/*", Group::HexApi30Rpm),
    ("DELETE", "/v1/cells/*", Group::HexApi30Rpm),
    ("POST", "/v1/cells", Group::HexApi30Rpm),
    ("GET", "/v1/cells", Group::HexApi30Rpm),
    ("PATCH", "/v1/projects/*/sharing/users", Group::HexApi30Rpm),
    ("GET", "/v1/users/me", Group::HexApi30Rpm),
    ("GET", "/v1/users", Group::HexApi30Rpm),
    ("POST", "/v1/users/*/deactivate", Group::HexApi30Rpm),
    ("GET", "/v1/guides/draft/list", Group::HexApi30Rpm),
    (
        "POST",
        "/v1/semantic-projects/*/ingest",
        Group::SemanticIngest,
    ),
    (
        "POST",
        "/v1/semantic-models/*/ingest",
        Group::SemanticIngest,
    ),
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
    /// The minute and the hour, divided by the configured time scale.
    minute: Duration,
    hour: Duration,
    windows: Mutex<HashMap<(u64, Group), VecDeque<Instant>>>,
}

impl RateLimiter {
    pub(crate) fn new(mode: RateLimitMode, scale: f64, time_scale: f64) -> Self {
        // A scale that is not a positive number keeps Hex's clock.
        let time_scale = if time_scale.is_finite() && time_scale > 0.0 {
            time_scale
        } else {
            1.0
        };
        RateLimiter {
            mode,
            scale,
            minute: MINUTE.div_f64(time_scale),
            hour: HOUR.div_f64(time_scale),
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
        while log
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.hour)
        {
            log.pop_front();
        }
        let wait_minute = wait_for(log, now, self.minute, per_minute);
        let wait_hour = per_hour.and_then(|limit| wait_for(log, now, self.hour, limit));
        match wait_minute.max(wait_hour) {
            Some(wait) => Err(Refusal {
                retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
                details: match per_hour {
                    Some(per_hour) => format!(
                        "{} allows {per_minute} requests per minute and {per_hour} per hour",
                        group.label()
                    ),
                    None => format!("{} allows {per_minute} requests per minute", group.label()),
                },
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

    fn scaled(&self, group: Group) -> (u32, Option<u32>) {
        let (minute, hour) = group.documented();
        let scale = |n: u32| ((f64::from(n) * self.scale).round() as u32).max(1);
        (scale(minute), hour.map(scale))
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
    fn cells_allow_thirty_per_minute_across_the_group() {
        let limiter = RateLimiter::new(RateLimitMode::Documented, 1.0, 1.0);
        for i in 0..30 {
            let path = if i % 2 == 0 {
                "/api/v1/cells"
            } else {
                "/api/v1/cells/c"
            };
            assert!(limiter.check(1, "GET", path).is_ok());
        }
        let refusal = limiter.check(1, "PATCH", "/api/v1/cells/c").unwrap_err();
        assert!((1..=60).contains(&refusal.retry_after_secs));
        assert!(
            refusal.details.contains("hex-api-30rpm"),
            "{}",
            refusal.details
        );
        // Another token has its own budget; a chart image is another group; runs and the
        // legacy list of projects state no figures.
        assert!(limiter.check(2, "GET", "/api/v1/cells").is_ok());
        assert!(limiter.check(1, "GET", "/api/v1/cells/c/image").is_ok());
        for _ in 0..100 {
            assert!(limiter.check(1, "POST", "/api/v1/projects/x/runs").is_ok());
            assert!(limiter.check(1, "GET", "/api/v1/projects").is_ok());
        }
    }

    #[test]
    fn scale_and_modes_change_the_budget() {
        let limiter = RateLimiter::new(RateLimitMode::DocumentedEverywhere, 0.1, 1.0);
        for _ in 0..3 {
            assert!(limiter.check(1, "GET", "/api/v1/users").is_ok());
        }
        assert!(limiter.check(1, "GET", "/api/v1/users").is_err());
        let off = RateLimiter::new(RateLimitMode::Off, 1.0, 1.0);
        for _ in 0..100 {
            assert!(off.check(1, "POST", "/api/v1/projects/x/runs").is_ok());
        }
    }

    #[test]
    fn a_time_scale_of_60_turns_a_minute_into_a_second() {
        let limiter = RateLimiter::new(RateLimitMode::Documented, 1.0, 60.0);
        for _ in 0..30 {
            assert!(limiter.check(1, "GET", "/api/v1/cells").is_ok());
        }
        assert!(limiter.check(1, "GET", "/api/v1/cells").is_err());
        std::thread::sleep(Duration::from_millis(1_050));
        assert!(limiter.check(1, "GET", "/api/v1/cells").is_ok());
    }
}
