//! Small helpers every area uses.

use std::time::Duration;

use hex_client::{Page, Pagination, RateGroup, RateLimits};
use serde::Serialize;
use serde_json::{Value, json};

use crate::{errors::ToolError, output::to_output};

/// `{values, pagination: {after, before}}`: the shape of every list answer, with the cursor to
/// continue from (`after: null`, pruned, means the last page).
pub fn page_output<T, U: Serialize>(
    page: Page<T>,
    shape: impl Fn(T) -> U,
) -> Result<Value, ToolError> {
    let values: Vec<U> = page.values.into_iter().map(shape).collect();
    Ok(json!({
        "values": to_output(&values)?,
        "pagination": pagination_output(&page.pagination),
    }))
}

pub fn pagination_output(pagination: &Pagination) -> Value {
    json!({ "after": pagination.after, "before": pagination.before })
}

/// The longest a call may wait for a run or Hex's agent, in seconds.
pub const MAX_WAIT_SECONDS: u32 = 600;

/// Polls no faster than this even when the quota would allow it: GetRunStatus and GetThread
/// share the `hex-api` quota (30/min by default) with other calls, so a waiting call leaves room
/// for them.
const MIN_POLL: Duration = Duration::from_millis(2_500);

/// The time between two polls of a `hex-api` operation: at least [`MIN_POLL`], and never more
/// often than every quota of the group allows on average (the configured figures count even when
/// client pacing is off, because Hex enforces them anyway).
pub fn poll_interval(limits: &RateLimits) -> Duration {
    limits
        .groups
        .get(&RateGroup::HexApi)
        .into_iter()
        .flatten()
        .map(|quota| quota.per / quota.max.max(1))
        .fold(MIN_POLL, Duration::max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_client::Quota;

    #[test]
    fn polls_every_two_and_a_half_seconds_under_the_default_quota() {
        assert_eq!(
            poll_interval(&RateLimits::default()),
            Duration::from_millis(2_500)
        );
    }

    #[test]
    fn a_tighter_quota_slows_polling_down() {
        let limits =
            RateLimits::default().with_group(RateGroup::HexApi, vec![Quota::per_minute(10)]);
        assert_eq!(poll_interval(&limits), Duration::from_secs(6));
    }
}
