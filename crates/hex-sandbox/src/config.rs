//! How a sandbox is set up: token, workspace size, seed, rate limits and timings.

use std::fmt;
use std::time::Duration;

/// Which of Hex's documented rate limits the sandbox enforces.
///
/// Hex documents limits per endpoint (RunProject 20/min and 60/h; the `hex-api` group of 30/min
/// and 1,800/h on CreateProject, GetRunStatus, ListDataConnections and GetDataConnection) and
/// says nothing for the other endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RateLimitMode {
    /// The limits Hex documents, on the endpoints that document them (the default).
    #[default]
    Documented,
    /// No rate limit at all (benchmarks, long test walks).
    Off,
    /// The documented limits, plus the `hex-api` group on every other endpoint, to test how a
    /// client copes when Hex applies its default group everywhere.
    DocumentedEverywhere,
}

/// Everything that shapes a sandbox. `Default` gives the documented defaults.
#[derive(Clone)]
pub struct SandboxConfig {
    /// The bearer token every request must carry. Never logged.
    pub token: String,
    /// Number of seeded projects (benchmarks use 1,000 / 10,000 / 50,000).
    pub projects: usize,
    /// Number of seeded cells per project.
    pub cells_per_project: usize,
    /// The seed: the same seed gives byte-identical data, ids included.
    pub seed: u64,
    /// Which rate limits apply.
    pub rate_limits: RateLimitMode,
    /// Multiplies every documented request count (0.1 turns 20/min into 2/min). At least 1 request
    /// per window is always allowed.
    pub rate_limit_scale: f64,
    /// Divides the rate-limit windows: 60 makes a per-minute limit per-second and a per-hour
    /// one per-minute, so a job bound by Hex's limits runs 60× faster with the same shape
    /// (benchmarks). 1 is Hex's own clock.
    pub rate_time_scale: f64,
    /// Added to every API request before it is answered (benchmarks use 50 ms).
    pub latency: Duration,
    /// How long a new run stays PENDING.
    pub run_pending: Duration,
    /// How long a run stays RUNNING before it completes (or errors).
    pub run_running: Duration,
    /// How long a thread of Hex's agent stays RUNNING after a prompt before it is IDLE with its
    /// answer.
    pub thread_running: Duration,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            token: "sandbox-token".to_owned(),
            projects: 120,
            cells_per_project: 5,
            seed: 42,
            rate_limits: RateLimitMode::Documented,
            rate_limit_scale: 1.0,
            rate_time_scale: 1.0,
            latency: Duration::ZERO,
            run_pending: Duration::from_secs(1),
            run_running: Duration::from_secs(2),
            thread_running: Duration::from_secs(6),
        }
    }
}

/// The token is a secret: `Debug` shows everything else.
impl fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("token", &"[REDACTED]")
            .field("projects", &self.projects)
            .field("cells_per_project", &self.cells_per_project)
            .field("seed", &self.seed)
            .field("rate_limits", &self.rate_limits)
            .field("rate_limit_scale", &self.rate_limit_scale)
            .field("rate_time_scale", &self.rate_time_scale)
            .field("latency", &self.latency)
            .field("run_pending", &self.run_pending)
            .field("run_running", &self.run_running)
            .field("thread_running", &self.thread_running)
            .finish()
    }
}
