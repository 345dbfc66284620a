//! A walk's budget: its deadline and request count, and Hex's cell-endpoint rate limit
//! (`hex-api-30rpm`, 30 per minute). Each request waits its turn inside the deadline; one that
//! could only go out after it stops the walk, which then says when to go on, rather than
//! sending requests Hex would refuse with 429.

use std::{future::Future, time::Duration};

use hex_client::{HexError, RateGroup, RateLimits};
use tokio::time::Instant;

use crate::{context::ToolContext, tools::common::group_interval};

/// Why a request was not answered.
#[derive(Debug)]
pub enum Halt {
    /// The walk's time is up.
    Deadline,
    /// The walk's request count is spent.
    Requests,
    /// The client cancelled the call.
    Cancelled,
    /// Hex's budget has no room before the deadline: the request could go out after `wait`.
    RateLimit { wait: Duration },
    /// Hex (or the way to it) failed, after the client's own retries.
    Failed(HexError),
}

impl Halt {
    /// Why the walk stopped, in words for the answer.
    pub fn why(&self) -> String {
        match self {
            Halt::Deadline => "this call's time limit was reached".into(),
            Halt::Requests => "this call's request limit was reached".into(),
            Halt::Cancelled => "the call was cancelled".into(),
            Halt::RateLimit { wait } => format!(
                "Hex's rate limit for cell requests leaves no room for {} s",
                wait.as_secs().max(1)
            ),
            Halt::Failed(error) => format!("Hex failed: {error}"),
        }
    }

    /// When calling again makes sense: after the rate limit's wait, else now.
    pub fn retry_in(&self) -> Option<Duration> {
        match self {
            Halt::RateLimit { wait } => Some(*wait),
            _ => None,
        }
    }
}

/// The time and requests one call may spend.
pub struct Budget<'a> {
    ctx: &'a ToolContext,
    deadline: Instant,
    requests_left: u32,
}

impl<'a> Budget<'a> {
    /// The server's search limits (`HEX_MCP_SEARCH_SECONDS`, `HEX_MCP_SEARCH_MAX_PAGES`).
    pub fn of(ctx: &'a ToolContext) -> Budget<'a> {
        let limits = ctx.limits();
        Budget {
            ctx,
            deadline: Instant::now() + limits.search_time,
            requests_left: limits.search_pages,
        }
    }

    /// The time left.
    pub fn time_left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// Sends one request (`send` makes it; it is made again after a rate-limit wait). The
    /// client paces requests below Hex's limits and retries what is safe to retry; a wait
    /// longer than the client holds a request is taken here when it fits before the deadline.
    pub async fn send<T, F, Fut>(&mut self, mut send: F) -> Result<T, Halt>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, HexError>>,
    {
        loop {
            if self.ctx.is_cancelled() {
                return Err(Halt::Cancelled);
            }
            let left = self.time_left();
            if left.is_zero() {
                return Err(Halt::Deadline);
            }
            if self.requests_left == 0 {
                return Err(Halt::Requests);
            }
            let answer = tokio::select! {
                () = self.ctx.cancelled() => return Err(Halt::Cancelled),
                answer = tokio::time::timeout(left, send()) => answer,
            };
            let error = match answer {
                Err(_) => return Err(Halt::Deadline),
                Ok(Ok(value)) => {
                    self.requests_left -= 1;
                    return Ok(value);
                }
                Ok(Err(error)) => error,
            };
            if !matches!(error, HexError::RateLimited { .. }) {
                self.requests_left = self.requests_left.saturating_sub(1);
                return Err(Halt::Failed(error));
            }
            let wait = error.retry_after().unwrap_or(Duration::from_secs(60));
            if wait >= self.time_left() {
                return Err(Halt::RateLimit { wait });
            }
            tokio::select! {
                () = self.ctx.cancelled() => return Err(Halt::Cancelled),
                () = tokio::time::sleep(wait) => {}
            }
        }
    }
}

/// The average time between two cell requests Hex's limit allows (`None`: not paced, e.g.
/// `HEX_MCP_RATE_LIMITS=off`), to say up front how long a walk takes.
pub fn cell_request_interval(limits: &RateLimits) -> Option<Duration> {
    if !limits.enabled {
        return None;
    }
    group_interval(limits, RateGroup::HexApi30Rpm)
}

/// `requests` cell requests at Hex's pace, in whole seconds rounded up (`None` when not
/// paced).
pub fn seconds_for(limits: &RateLimits, requests: usize) -> Option<u64> {
    cell_request_interval(limits)?;
    let quotas = limits.groups.get(&RateGroup::HexApi30Rpm)?;
    let seconds = quotas
        .iter()
        .map(|quota| quota.per.as_secs_f64() * requests as f64 / f64::from(quota.max.max(1)))
        .fold(0.0, f64::max);
    Some(seconds.ceil() as u64)
}

/// Hex's cell limit in words, e.g. "30/min".
pub fn cell_rate(limits: &RateLimits) -> String {
    match cell_request_interval(limits) {
        None => "not paced".into(),
        Some(interval) if interval.is_zero() => "not paced".into(),
        Some(interval) => {
            let per_minute = Duration::from_secs(60).as_secs_f64() / interval.as_secs_f64();
            format!("{}/min", per_minute.round())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_client::Quota;

    #[test]
    fn hexs_cell_limit_gives_two_seconds_a_request() {
        let limits = RateLimits::default();
        assert_eq!(cell_request_interval(&limits), Some(Duration::from_secs(2)));
        assert_eq!(seconds_for(&limits, 150), Some(300));
        assert_eq!(cell_rate(&limits), "30/min");
        let scaled = limits.with_group(RateGroup::HexApi30Rpm, vec![Quota::per_minute(1_800)]);
        assert_eq!(seconds_for(&scaled, 150), Some(5));
        assert_eq!(seconds_for(&RateLimits::disabled(), 150), None);
        assert_eq!(cell_rate(&RateLimits::disabled()), "not paced");
    }
}
