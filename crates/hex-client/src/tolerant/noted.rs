//! Where the items taken out of an answer's nested lists go: the client's methods return their
//! types unchanged, so the caller that wants to report them (a tool call) collects them around
//! its work with [`noting_skipped`].

use std::cell::RefCell;
use std::future::Future;

use super::SkippedItem;

/// The most skipped items kept for one caller; beyond, they are only counted.
const MAX_NOTED: usize = 100;

/// The nested list items the answers read during a piece of work lost.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct NotedSkips {
    /// The first ones, each with its list's path in its answer.
    pub items: Vec<SkippedItem>,
    /// How many there were in all.
    pub total: usize,
}

tokio::task_local! {
    static NOTED: RefCell<NotedSkips>;
}

/// Runs `work` and returns, beside its output, the nested list items that the Hex answers it
/// read (in this task) lost. Work spawned onto other tasks is not seen.
pub async fn noting_skipped<F: Future>(work: F) -> (F::Output, NotedSkips) {
    let noted = RefCell::new(NotedSkips::default());
    NOTED
        .scope(noted, async move {
            let output = work.await;
            let noted = NOTED.with(|noted| noted.take());
            (output, noted)
        })
        .await
}

/// Runs one attempt at reading an answer and returns what it noted, without passing it on: an
/// attempt that fails (and may be made again) must not report its items, nor report them twice.
pub(crate) fn capture<R>(attempt: impl FnOnce() -> R) -> (R, Vec<SkippedItem>) {
    NOTED.sync_scope(RefCell::new(NotedSkips::default()), || {
        let read = attempt();
        let noted = NOTED.with(|noted| noted.take());
        (read, noted.items)
    })
}

/// Hands skipped items to the caller collecting them, if any.
pub(crate) fn note(skipped: Vec<SkippedItem>) {
    let _ = NOTED.try_with(|noted| {
        let mut noted = noted.borrow_mut();
        noted.total += skipped.len();
        let room = MAX_NOTED.saturating_sub(noted.items.len());
        noted.items.extend(skipped.into_iter().take(room));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(index: usize) -> SkippedItem {
        SkippedItem {
            list: Some("warnings".into()),
            index,
            id: None,
            reason: "bad".into(),
        }
    }

    #[tokio::test]
    async fn notes_reach_the_collecting_caller_and_are_capped() {
        let ((), noted) = noting_skipped(async {
            note(vec![item(0)]);
            tokio::task::yield_now().await;
            note((1..=MAX_NOTED + 5).map(item).collect());
        })
        .await;
        assert_eq!(noted.total, MAX_NOTED + 6);
        assert_eq!(noted.items.len(), MAX_NOTED);
        assert_eq!(noted.items[0].index, 0);
        // Nobody collecting: dropped without harm.
        note(vec![item(0)]);
    }

    #[tokio::test]
    async fn a_captured_attempt_keeps_its_notes_to_itself() {
        let (captured, noted) = noting_skipped(async {
            let ((), captured) = capture(|| note(vec![item(7)]));
            captured
        })
        .await;
        assert_eq!(captured.len(), 1);
        assert_eq!(noted.total, 0);
    }
}
