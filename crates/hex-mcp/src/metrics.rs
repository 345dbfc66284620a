//! Prometheus metrics for the HTTP transport: tool calls by tool and outcome, their latency,
//! calls in progress, and (recorded by hex-client) Hex's answers by status and the client's
//! rate-limit waits. Over stdio nothing is installed and every record is a no-op.

use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

const CALLS: &str = "hex_mcp_tool_calls_total";
const CALL_SECONDS: &str = "hex_mcp_tool_call_duration_seconds";
const IN_PROGRESS: &str = "hex_mcp_tool_calls_in_progress";

/// Latency buckets, in seconds: from a cached read to a run or agent wait of minutes.
const CALL_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
];

/// Installs the process's recorder and returns the handle `/metrics` renders. Fails when one is
/// already installed (a second server in one process), which the caller reports.
pub fn install() -> Result<PrometheusHandle, String> {
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), CALL_BUCKETS)
        .map_err(|error| format!("cannot set up metrics: {error}"))?
        .build_recorder();
    let handle = recorder.handle();
    metrics::set_global_recorder(recorder)
        .map_err(|error| format!("cannot set up metrics: {error}"))?;
    metrics::describe_counter!(CALLS, "Tool calls by tool and outcome.");
    metrics::describe_histogram!(CALL_SECONDS, metrics::Unit::Seconds, "Tool call latency.");
    metrics::describe_gauge!(IN_PROGRESS, "Tool calls in progress.");
    // Present from the first scrape, before any call.
    metrics::gauge!(IN_PROGRESS).set(0.0);
    metrics::describe_counter!(
        "hex_mcp_hex_responses_total",
        "Hex API answers by operation and HTTP status (none: no answer)."
    );
    metrics::describe_counter!(
        "hex_mcp_rate_limit_waits_total",
        "Requests the client held back to stay within Hex's rate limits."
    );
    Ok(handle)
}

/// Records a finished tool call.
pub fn call_ended(tool: &str, outcome: &'static str, elapsed: Duration) {
    metrics::counter!(CALLS, "tool" => tool.to_string(), "outcome" => outcome).increment(1);
    metrics::histogram!(CALL_SECONDS, "tool" => tool.to_string()).record(elapsed.as_secs_f64());
}

/// The gauge of calls in progress, moved by [`crate::in_flight::InFlight`] (which counts them
/// for a graceful stop anyway): +1 as a call starts, -1 as it ends.
pub fn in_progress(change: f64) {
    metrics::gauge!(IN_PROGRESS).increment(change);
}
