//! Following a thread while Hex's agent works: polls GetThread no faster than the `hex-api`
//! quota allows, reports progress whenever the thread shows something new, and stops within a
//! moment when the call is cancelled (every sleep and request races the cancellation).

use std::future::Future;
use std::time::Duration;

use hex_client::{
    HexClient, HexError,
    api::threads::{ResponseBlock, Thread, ThreadStatus},
};
use tokio::time::{Instant, sleep_until};

use crate::context::{ToolContext, WaitOutcome};

pub use crate::tools::common::MAX_WAIT_SECONDS;
use crate::tools::common::poll_interval;

/// Runs `work` unless the call is cancelled first (then `None`, at once: the request in flight
/// is dropped).
pub async fn unless_cancelled<T>(ctx: &ToolContext, work: impl Future<Output = T>) -> Option<T> {
    tokio::select! {
        () = ctx.cancelled() => None,
        done = work => Some(done),
    }
}

/// Why following stopped.
#[derive(Debug)]
pub enum Stop {
    /// The agent finished (IDLE or ERROR).
    Done,
    /// The wait ran out first.
    OutOfTime,
    /// The client cancelled the call.
    Cancelled,
    /// Polling failed (the error, and whether a later poll may succeed).
    Failed(HexError),
}

/// Where following ended.
pub struct Followed {
    /// The newest state read (`None`: none was read).
    pub thread: Option<Thread>,
    pub stop: Stop,
    pub seconds: u64,
}

impl Followed {
    /// How the wait ended, for `hex-mcp call`'s exit code.
    pub fn outcome(&self) -> WaitOutcome {
        self.thread
            .as_ref()
            .map_or(WaitOutcome::StillRunning, |thread| {
                outcome_of(&thread.status)
            })
    }

    /// What to do next when the agent has not finished, in one line.
    pub fn next(&self) -> Option<String> {
        let status = self.thread.as_ref().map(|thread| &thread.status);
        if status.is_some_and(ThreadStatus::is_done) {
            return None;
        }
        let why = match &self.stop {
            Stop::Cancelled => "stopped following: the call was cancelled".to_owned(),
            Stop::Failed(error) => format!("polling stopped: {error}"),
            Stop::Done | Stop::OutOfTime => format!("still RUNNING after {} s", self.seconds),
        };
        Some(format!(
            "{why}; the agent keeps working: call get_hex_thread with thread_id and wait_seconds to keep waiting"
        ))
    }
}

/// IDLE succeeded, ERROR failed, anything else is still running.
pub fn outcome_of(status: &ThreadStatus) -> WaitOutcome {
    match status {
        ThreadStatus::Idle => WaitOutcome::Succeeded,
        ThreadStatus::Error => WaitOutcome::Failed,
        _ => WaitOutcome::StillRunning,
    }
}

/// Follows one call's thread and reports its progress.
pub struct Follower<'a> {
    ctx: &'a ToolContext,
    hex: &'a HexClient,
    started: Instant,
    seconds: u32,
    reported: Option<String>,
    last_progress: f64,
}

impl<'a> Follower<'a> {
    /// Starts the clock of a call that may wait `seconds`.
    pub fn new(ctx: &'a ToolContext, hex: &'a HexClient, seconds: u32) -> Follower<'a> {
        Follower {
            ctx,
            hex,
            started: Instant::now(),
            seconds: seconds.min(MAX_WAIT_SECONDS),
            reported: None,
            last_progress: -1.0,
        }
    }

    /// Sends a progress notification (or the task's status message) when `message` says
    /// something the last one did not. Progress counts the seconds waited so far.
    pub async fn report(&mut self, message: String) {
        if self.reported.as_ref() == Some(&message) {
            return;
        }
        let elapsed = self.started.elapsed().as_secs_f64();
        // MCP wants progress to increase with every notification.
        let progress = elapsed.max(self.last_progress + 0.001);
        self.last_progress = progress;
        self.ctx
            .progress(progress, Some(f64::from(self.seconds)), message.clone())
            .await;
        self.reported = Some(message);
    }

    /// Polls until the agent finishes, the wait runs out, polling fails or the call is
    /// cancelled. `latest` and `polled_at` are a state already read and when (`None`: the
    /// thread was just created or continued, so the first poll may come at the deadline when
    /// that is sooner than an interval).
    pub async fn follow(
        mut self,
        thread_id: &str,
        mut latest: Option<Thread>,
        polled_at: Option<Instant>,
    ) -> Followed {
        let deadline = self.started + Duration::from_secs(u64::from(self.seconds));
        let interval = poll_interval(self.hex.rate_limits());
        let mut next_poll = polled_at.unwrap_or(self.started) + interval;
        let stop = loop {
            if latest.as_ref().is_some_and(|t| t.status.is_done()) {
                break Stop::Done;
            }
            if next_poll > deadline {
                if latest.is_some() {
                    break Stop::OutOfTime;
                }
                next_poll = deadline;
            }
            tokio::select! {
                () = self.ctx.cancelled() => break Stop::Cancelled,
                () = sleep_until(next_poll) => {}
            }
            let asked_at = Instant::now();
            let Some(answer) = unless_cancelled(self.ctx, self.hex.threads().get(thread_id)).await
            else {
                break Stop::Cancelled;
            };
            match answer {
                Ok(thread) => {
                    self.report(describe(&thread)).await;
                    latest = Some(thread);
                    next_poll = asked_at + interval;
                }
                // Rate limits and outages pass: wait as asked (at least an interval).
                Err(error) if error.is_transient() => {
                    let pause = error.retry_after().map_or(interval, |w| w.max(interval));
                    next_poll = asked_at + pause;
                    if next_poll > deadline {
                        break Stop::Failed(error);
                    }
                }
                Err(error) => break Stop::Failed(error),
            }
        };
        Followed {
            thread: latest,
            stop,
            seconds: self.started.elapsed().as_secs(),
        }
    }
}

/// One line on where a thread is: "RUNNING: 2 tasks so far, latest: Query the cell…".
pub fn describe(thread: &Thread) -> String {
    let tasks: Vec<&str> = thread
        .blocks()
        .iter()
        .filter_map(|block| match block {
            ResponseBlock::Task(task) => Some(task.title.as_str()),
            _ => None,
        })
        .collect();
    match (&thread.status, tasks.last()) {
        (ThreadStatus::Running, None) => "RUNNING: Hex's agent is working".to_owned(),
        (ThreadStatus::Running, Some(latest)) => format!(
            "RUNNING: {} task{} so far, latest: {latest}",
            tasks.len(),
            if tasks.len() == 1 { "" } else { "s" }
        ),
        (ThreadStatus::Idle, _) => "IDLE: Hex's agent answered".to_owned(),
        (ThreadStatus::Error, _) => match &thread.error {
            Some(error) => format!("ERROR: {}", error.kind),
            None => "ERROR".to_owned(),
        },
        (other, _) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_count_tasks_and_name_errors() {
        let thread: Thread = serde_json::from_value(serde_json::json!({
            "threadId": "t1", "status": "RUNNING", "url": "u",
            "response": [{"type": "task", "title": "Find data"}, {"type": "task", "title": "Query"}]
        }))
        .unwrap();
        assert_eq!(describe(&thread), "RUNNING: 2 tasks so far, latest: Query");
        let failed: Thread = serde_json::from_value(serde_json::json!({
            "threadId": "t1", "status": "ERROR", "url": "u", "response": null,
            "error": {"type": "NO_DATA", "message": "none"}
        }))
        .unwrap();
        assert_eq!(describe(&failed), "ERROR: NO_DATA");
    }
}
