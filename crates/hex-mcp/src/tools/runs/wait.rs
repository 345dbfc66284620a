//! Waiting for a run to end: polls GetRunStatus at a pace Hex's `hex-api` quota allows, reports
//! progress as the status changes, and stops within a second when the call is cancelled.

use std::time::Duration;

use hex_client::{
    HexClient, HexError,
    api::runs::{GetRunStatusParams, RunStatus, RunStatusKind},
};
use serde_json::{Value, json};
use tokio::time::{Instant, sleep_until};

use crate::{
    context::{ToolContext, WaitOutcome},
    errors::ToolError,
    output::to_output,
    tools::common::{MAX_WAIT_SECONDS, poll_interval},
};

/// Where a wait ended.
pub struct Waited {
    /// The newest status seen.
    pub status: RunStatus,
    pub seconds: u64,
    /// Why polling stopped before the run ended, when an error stopped it.
    pub stopped: Option<String>,
}

impl Waited {
    /// The facts a caller adds to its answer: how long it waited and, when the run is still
    /// going, what to do next.
    pub fn notes(&self) -> Vec<(&'static str, Value)> {
        let mut notes = vec![("waitedSeconds", json!(self.seconds))];
        if !self.status.status.is_terminal() {
            let why = self.stopped.clone().unwrap_or_else(|| {
                format!("still {} after {} s", self.status.status, self.seconds)
            });
            notes.push(("finished", json!(false)));
            notes.push((
                "next",
                json!(format!(
                    "{why}; call get_hex_run_status with wait_seconds to keep waiting"
                )),
            ));
        }
        notes
    }
}

/// How a run's status ends a wait, for `hex-mcp call`'s exit code.
pub fn outcome(status: &RunStatusKind) -> WaitOutcome {
    match status {
        RunStatusKind::Completed => WaitOutcome::Succeeded,
        RunStatusKind::Killed => WaitOutcome::Killed,
        status if status.is_terminal() => WaitOutcome::Failed,
        _ => WaitOutcome::StillRunning,
    }
}

/// Polls until the run ends or `seconds` pass, with a last poll at the deadline. `latest` is a
/// status already read (`None`: the run was just started). Each new status is reported as
/// progress; a cancelled call stops polling at once. The outcome is recorded on `ctx`.
pub async fn wait_for_end(
    ctx: &ToolContext,
    hex: &HexClient,
    project_id: &str,
    run_id: &str,
    seconds: u32,
    mut latest: Option<RunStatus>,
) -> Result<Waited, ToolError> {
    let started = Instant::now();
    let total = seconds.min(MAX_WAIT_SECONDS);
    let deadline = started + Duration::from_secs(u64::from(total));
    let interval = poll_interval(hex.rate_limits());
    let params = GetRunStatusParams::default();
    let mut pause = interval;
    let mut failure: Option<HexError> = None;
    let mut cancelled = false;
    let mut reported: Option<RunStatusKind> = None;
    if latest.is_none() {
        ctx.progress(
            0.0,
            Some(f64::from(total)),
            "run started; waiting for it to end",
        )
        .await;
    }
    loop {
        if let Some(status) = &latest
            && reported.as_ref() != Some(&status.status)
        {
            let message = format!("run {}", status.status);
            let elapsed = started.elapsed().as_secs_f64();
            ctx.progress(elapsed, Some(f64::from(total)), message).await;
            reported = Some(status.status.clone());
        }
        if latest.as_ref().is_some_and(|s| s.status.is_terminal()) {
            break;
        }
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        let polled = tokio::select! {
            () = ctx.cancelled() => None,
            polled = async {
                sleep_until((now + pause).min(deadline)).await;
                hex.runs().status(project_id, run_id, &params).await
            } => Some(polled),
        };
        let Some(polled) = polled else {
            cancelled = true;
            break;
        };
        pause = interval;
        match polled {
            Ok(status) => {
                latest = Some(status);
                failure = None;
            }
            // Rate limits and outages pass: wait as long as asked (at least an interval).
            Err(error) if error.is_transient() => {
                pause = error
                    .retry_after()
                    .map_or(interval, |wait| wait.max(interval));
                failure = Some(error);
            }
            Err(error) => {
                failure = Some(error);
                break;
            }
        }
    }
    let Some(status) = latest else {
        return Err(match failure {
            _ if cancelled => ToolError::refused(
                "the request was cancelled before the run's status was read; the run goes on",
            ),
            Some(error) => run_error(error, run_id),
            None => ToolError::internal("no run status was read"),
        });
    };
    ctx.set_outcome(outcome(&status.status));
    let stopped = if cancelled {
        Some("the request was cancelled; the run goes on".to_string())
    } else {
        failure.map(|error| format!("polling stopped: {error}"))
    };
    Ok(Waited {
        status,
        seconds: started.elapsed().as_secs(),
        stopped,
    })
}

/// A run's status as tools answer it, with the wait's notes added.
pub fn status_output(waited: &Waited) -> Result<Value, ToolError> {
    let mut value = to_output(&waited.status)?;
    if let Value::Object(object) = &mut value {
        for (key, note) in waited.notes() {
            object.insert(key.into(), note);
        }
    }
    Ok(value)
}

pub fn run_error(error: HexError, run_id: &str) -> ToolError {
    ToolError::from(error).about("run", run_id, "get_hex_project_runs")
}
