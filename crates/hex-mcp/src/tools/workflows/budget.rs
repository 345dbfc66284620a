//! How much of Hex's rate-limit budget a job takes, said before the job starts: the time `n`
//! requests of one operation need at the configured quotas (Hex's documented figures unless
//! `HEX_MCP_RATE_LIMITS` changes them), from an empty window.

use std::time::Duration;

use hex_client::{Operation, RateLimits};

/// The shortest time `requests` calls of `operation` can take at the quotas of its group, or
/// `None` when the group has no figures (Hex states none, or they were turned off by name).
/// A sliding window of `max` per `per` lets `max` through at once, then `max` more each `per`.
/// The figures count even when client pacing is off: Hex enforces them anyway.
pub fn floor(limits: &RateLimits, operation: Operation, requests: u64) -> Option<Duration> {
    let group = operation.rate_group()?;
    let quotas = limits
        .groups
        .get(&group)
        .filter(|quotas| !quotas.is_empty())?;
    let windows = |max: u32| requests.saturating_sub(1) / u64::from(max.max(1));
    quotas
        .iter()
        .map(|quota| {
            let windows = u32::try_from(windows(quota.max)).unwrap_or(u32::MAX);
            quota.per.saturating_mul(windows)
        })
        .max()
}

/// "16 requests of GetProjectRuns (hex-api: 30/min): about 1 min of Hex's budget", or, for an
/// operation without figures, that it is not paced.
pub fn estimate(limits: &RateLimits, operation: Operation, requests: u64) -> String {
    let noun = if requests == 1 { "request" } else { "requests" };
    let what = format!("{requests} {noun} of {}", operation.name());
    let Some(group) = operation.rate_group() else {
        return format!("{what}: Hex states no rate limit for it");
    };
    let quotas: Vec<String> = limits
        .groups
        .get(&group)
        .into_iter()
        .flatten()
        .map(|quota| format!("{}/{}", quota.max, per(quota.per)))
        .collect();
    match floor(limits, operation, requests) {
        Some(time) => format!(
            "{what} ({group}: {}): {} of Hex's budget",
            quotas.join(" and "),
            about(time)
        ),
        None => format!("{what}: {group} has no configured limit"),
    }
}

/// "min" for 60 s, "h" for 3,600 s, else seconds.
fn per(window: Duration) -> String {
    match window.as_secs() {
        60 => "min".into(),
        3600 => "h".into(),
        seconds => format!("{seconds} s"),
    }
}

/// "under a second", "about 45 s", "about 16 min", "about 2.5 h".
pub fn about(time: Duration) -> String {
    let seconds = time.as_secs_f64();
    if seconds < 1.0 {
        "under a second".into()
    } else if seconds < 120.0 {
        format!("about {} s", seconds.round())
    } else if seconds < 7_200.0 {
        format!("about {} min", (seconds / 60.0).round())
    } else {
        format!("about {:.1} h", seconds / 3_600.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_client::{Quota, RateGroup};

    #[test]
    fn a_sliding_window_lets_one_quota_through_at_once_then_one_per_window() {
        let limits = RateLimits::default();
        let groups = Operation::EditProjectSharingGroups;
        assert_eq!(floor(&limits, groups, 0), Some(Duration::ZERO));
        assert_eq!(floor(&limits, groups, 30), Some(Duration::ZERO));
        assert_eq!(floor(&limits, groups, 31), Some(Duration::from_secs(60)));
        // 500 requests at 30/min: 16 more windows after the first; 1,800/h never binds.
        assert_eq!(floor(&limits, groups, 500), Some(Duration::from_secs(960)));
        // The hourly quota binds past 1,800.
        assert_eq!(
            floor(&limits, groups, 1_801),
            Some(Duration::from_secs(3_600))
        );
    }

    #[test]
    fn operations_without_figures_are_not_estimated() {
        let limits = RateLimits::default();
        assert_eq!(
            floor(&limits, Operation::EditProjectSharingCollections, 500),
            None
        );
        let off = limits.with_group(RateGroup::HexApi, Vec::new());
        assert_eq!(floor(&off, Operation::GetProjectRuns, 500), None);
        assert!(estimate(&off, Operation::GetProjectRuns, 5).contains("no configured limit"));
    }

    #[test]
    fn estimates_name_the_group_its_quotas_and_the_time() {
        let limits =
            RateLimits::default().with_group(RateGroup::HexApi, vec![Quota::per_minute(30)]);
        assert_eq!(
            estimate(&limits, Operation::GetProjectRuns, 95),
            "95 requests of GetProjectRuns (hex-api: 30/min): about 3 min of Hex's budget"
        );
        assert_eq!(about(Duration::from_millis(10)), "under a second");
        assert_eq!(about(Duration::from_secs(45)), "about 45 s");
        assert_eq!(about(Duration::from_secs(9_000)), "about 2.5 h");
    }
}
