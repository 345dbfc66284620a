//! When and how long to retry. Only requests marked safe to repeat are retried, only on answers that
//! say "try again" (429, 502, 503, 504) or on connection errors; a `Retry-After` from Hex is the wait.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use backon::ExponentialBuilder;

/// Retry configuration for requests that are safe to repeat (GET, and the PATCH/PUT/DELETE/POST
/// operations whose repetition cannot duplicate anything). Creating POSTs are never retried.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retrying).
    pub max_retries: usize,
    /// First backoff delay.
    pub min_delay: Duration,
    /// Largest backoff delay.
    pub max_delay: Duration,
    /// Upper bound on the sum of all waits for one call. When Hex's `Retry-After` exceeds what is
    /// left, the call stops and returns the rate-limit error with that wait.
    pub max_total_wait: Duration,
    /// Randomise backoff delays so many clients do not retry in step.
    pub jitter: bool,
}

impl Default for RetryPolicy {
    /// 3 retries, 500 ms doubling up to 8 s, jitter, at most 30 s of waiting in all.
    fn default() -> Self {
        Self {
            max_retries: 3,
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_total_wait: Duration::from_secs(30),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    pub(crate) fn backoff(&self) -> ExponentialBuilder {
        let builder = ExponentialBuilder::new()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_retries);
        if self.jitter {
            builder.with_jitter()
        } else {
            builder
        }
    }
}

/// Whether an operation may be sent again after a transient failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// Repeating cannot duplicate anything (reads, upserts, sets, deletes, cancels).
    Safe,
    /// Repeating could create a second object or a second run: sent exactly once.
    Never,
}

/// Budget bookkeeping for one call: decides each wait from the backoff and any `Retry-After`.
#[derive(Debug)]
pub(crate) struct WaitBudget {
    max_total: Duration,
    spent: Duration,
}

impl WaitBudget {
    pub(crate) fn new(policy: &RetryPolicy) -> Self {
        Self {
            max_total: policy.max_total_wait,
            spent: Duration::ZERO,
        }
    }

    /// The wait before the next attempt, or `None` to stop: when the backoff is exhausted, or when the
    /// wait (Hex's `Retry-After` if given, else the backoff delay) would exceed what is left.
    pub(crate) fn next_wait(
        &mut self,
        backoff: Option<Duration>,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        let wait = retry_after.unwrap_or(backoff?);
        let spent = self.spent.checked_add(wait)?;
        if spent > self.max_total {
            return None;
        }
        self.spent = spent;
        Some(wait)
    }
}

/// Parses `Retry-After`: delay-seconds, or an HTTP date (IMF-fixdate, e.g.
/// `Sun, 06 Nov 1994 08:49:37 GMT`). A date in the past means "now".
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    if let Ok(seconds) = value.parse::<f64>()
        && seconds.is_finite()
        && seconds >= 0.0
    {
        return Some(Duration::from_secs_f64(seconds.min(86_400.0)));
    }
    let at = parse_imf_fixdate(value)?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

fn parse_imf_fixdate(value: &str) -> Option<SystemTime> {
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    let rest = value.split_once(", ")?.1;
    let parts: Vec<&str> = rest.split_whitespace().collect();
    let [day, month, year, time, zone] = parts.as_slice() else {
        return None;
    };
    if *zone != "GMT" {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| m == month)? + 1;
    let (day, year): (u32, i64) = (day.parse().ok()?, year.parse().ok()?);
    let hms: Vec<u64> = time
        .split(':')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let [h, m, s] = hms.as_slice() else {
        return None;
    };
    if !(1..=31).contains(&day) || *h > 23 || *m > 59 || *s > 60 {
        return None;
    }
    let days = days_from_civil(year, u32::try_from(month).ok()?, day);
    let secs = u64::try_from(days).ok()?.checked_mul(86_400)? + h * 3600 + m * 60 + s;
    UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(month) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_770); // Sun, 06 Nov 1994 08:49:30 GMT
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("0.5", now),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }

    #[test]
    fn civil_dates_match_known_epochs() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2024, 2, 29), 19_782);
    }

    #[test]
    fn budget_honours_retry_after_and_stops_when_it_does_not_fit() {
        let policy = RetryPolicy {
            max_total_wait: Duration::from_secs(10),
            ..RetryPolicy::default()
        };
        let mut budget = WaitBudget::new(&policy);
        let backoff = Some(Duration::from_millis(500));
        assert_eq!(
            budget.next_wait(backoff, Some(Duration::from_secs(6))),
            Some(Duration::from_secs(6))
        );
        assert_eq!(
            budget.next_wait(backoff, None),
            Some(Duration::from_millis(500))
        );
        // 6.5 s spent; 5 s more would exceed 10 s.
        assert_eq!(
            budget.next_wait(backoff, Some(Duration::from_secs(5))),
            None
        );
        // An exhausted backoff (retry count reached) stops even with a Retry-After.
        assert_eq!(budget.next_wait(None, Some(Duration::from_secs(1))), None);
    }
}
