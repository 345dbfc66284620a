//! Small helpers every area uses.

use std::time::Duration;

use hex_client::{NotedSkips, Page, Pagination, Paginator, RateGroup, RateLimits, SkippedItem};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::{
    errors::{Creation, ToolError},
    output::to_output,
};

/// `{values, pagination: {after, before}}`: the shape of every list answer, with the cursor to
/// continue from (`after: null`, pruned, means the last page), and `skipped` when Hex sent
/// items that could not be read.
pub fn page_output<T, U: Serialize>(
    page: Page<T>,
    shape: impl Fn(T) -> U,
) -> Result<Value, ToolError> {
    let values: Vec<U> = page.values.into_iter().map(shape).collect();
    let mut answer = json!({
        "values": to_output(&values)?,
        "pagination": pagination_output(&page.pagination),
    });
    add_skipped(&mut answer, &page.skipped);
    Ok(answer)
}

/// The most skipped items an answer lists one by one; beyond, it says how many there were.
const MAX_SKIPPED_SHOWN: usize = 20;

/// Adds `skipped: [{index, id?, reason}]` to a list answer (an object) when Hex sent list items
/// that could not be read: each cost only itself, and the model learns it is missing and why.
/// Nothing is added when none was skipped.
pub fn add_skipped(answer: &mut Value, skipped: &[SkippedItem]) {
    let Some(object) = answer.as_object_mut() else {
        return;
    };
    insert_skipped(object, skipped);
}

/// [`add_skipped`] for an answer being built as a map.
pub fn insert_skipped(answer: &mut Map<String, Value>, skipped: &[SkippedItem]) {
    if skipped.is_empty() {
        return;
    }
    let shown: Vec<&SkippedItem> = skipped.iter().take(MAX_SKIPPED_SHOWN).collect();
    answer.insert("skipped".into(), json!(shown));
    if skipped.len() > shown.len() {
        answer.insert("skipped_total".into(), json!(skipped.len()));
    }
}

/// Adds the items that answers lost in their nested lists ([`hex_client::noting_skipped`]) to
/// the answer's `skipped`, after the ones the tool listed itself, within the same cap.
pub fn add_noted_skips(answer: &mut Value, noted: NotedSkips) {
    if noted.total == 0 {
        return;
    }
    let Some(object) = answer.as_object_mut() else {
        return;
    };
    let listed = match object.get("skipped") {
        Some(Value::Array(listed)) => listed.len(),
        _ => 0,
    };
    let total = object
        .get("skipped_total")
        .and_then(Value::as_u64)
        .map_or(listed, |total| total as usize)
        + noted.total;
    let mut shown = match object.remove("skipped") {
        Some(Value::Array(shown)) => shown,
        _ => Vec::new(),
    };
    let room = MAX_SKIPPED_SHOWN.saturating_sub(shown.len());
    shown.extend(noted.items.iter().take(room).map(|item| json!(item)));
    if total > shown.len() {
        object.insert("skipped_total".into(), json!(total));
    }
    object.insert("skipped".into(), Value::Array(shown));
}

/// The items skipped over a walk of several pages, each `index` counted from the walk's start.
#[derive(Debug, Default)]
pub struct SkippedInWalk {
    seen: usize,
    items: Vec<SkippedItem>,
}

impl SkippedInWalk {
    /// Notes the page's skipped items (before its values are consumed).
    pub fn page<T>(&mut self, page: &Page<T>) {
        let offset = self.seen;
        self.items
            .extend(page.skipped.iter().cloned().map(|mut item| {
                item.index += offset;
                item
            }));
        self.seen += page.values.len() + page.skipped.len();
    }

    pub fn items(&self) -> &[SkippedItem] {
        &self.items
    }
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
    group_interval(limits, RateGroup::HexApi).map_or(MIN_POLL, |interval| interval.max(MIN_POLL))
}

/// The average time between two requests of `group` that its configured quotas allow (the
/// tightest quota decides); `None` when no quota is configured for it.
pub fn group_interval(limits: &RateLimits, group: RateGroup) -> Option<Duration> {
    limits
        .groups
        .get(&group)
        .into_iter()
        .flatten()
        .map(|quota| quota.per / quota.max.max(1))
        .max()
}

/// What a failed create is looking for afterwards: a `kind` (group, collection) named `name`,
/// listed by the `finder` tool.
pub struct Sought<'a> {
    pub kind: &'static str,
    pub name: &'a str,
    pub finder: &'static str,
}

/// After a create failed in a way that may have reached Hex, looks through `pages` for objects
/// named as asked and says what it found, so the model neither retries into a duplicate nor
/// gives up on an object that was not created. `name_and_id` reads an item.
pub async fn look_for_created<T: Send + 'static>(
    error: ToolError,
    mut pages: Paginator<T>,
    sought: Sought<'_>,
    name_and_id: impl Fn(&T) -> (&str, &str),
) -> ToolError {
    if !error.may_have_created() {
        return error;
    }
    let Sought { kind, name, finder } = sought;
    let mut found = Vec::new();
    while let Some(page) = pages.next_page().await {
        let Ok(page) = page else { break };
        found.extend(
            page.values
                .iter()
                .map(&name_and_id)
                .filter(|(item, _)| *item == name)
                .map(|(_, id)| id.to_owned()),
        );
    }
    let complete = pages
        .stop_reason()
        .is_none_or(|reason| !reason.is_partial());
    let creation = if !found.is_empty() {
        Creation {
            next: format!(
                "a {kind} named \"{name}\" now exists with id {}: Hex created it despite the error (unless one of that name existed before), so do not call again; use that id",
                found.join(", ")
            ),
            found: Some(found),
        }
    } else if complete {
        Creation {
            next: format!(
                "no {kind} named \"{name}\" existed right after the failure, so Hex most likely did not create it; if the call timed out Hex may still be working: check with {finder} once more before calling again"
            ),
            found: Some(found),
        }
    } else {
        Creation::unchecked(&format!("look for a {kind} named \"{name}\" with {finder}"))
    };
    error.after_create(|| creation)
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
