//! A stateful, in-memory emulation of Hex's public REST API v1, served by axum over loopback HTTP.
//!
//! The sandbox seeds a realistic workspace from a seed number (projects, cells, runs, users,
//! groups, collections, data connections) and serves it the way Hex documents its API: bearer
//! auth, cursor pagination, Hex-shaped errors, per-endpoint rate limits with `Retry-After`, runs
//! that move from PENDING to RUNNING to COMPLETED as time passes. Tests can inject faults and read
//! a log of the requests they sent.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use hex_sandbox::{Sandbox, SandboxConfig};
//! let sandbox = Sandbox::start(SandboxConfig::default(), "127.0.0.1:0".parse().unwrap()).await?;
//! let base = sandbox.base_url(); // http://127.0.0.1:PORT/api/v1
//! # let _ = base;
//! sandbox.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod accept;
mod auth;
mod config;
mod errors;
mod faults;
mod limits;
mod log;
mod pagination;
mod routes;
mod seed;
mod state;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::{RateLimitMode, SandboxConfig};
pub use faults::{FaultKind, FaultRule, OPTIONAL_RESPONSE_FIELDS};
pub use log::LoggedRequest;
pub use state::SandboxState;

use state::Shared;

/// A seeded sandbox, not yet listening: serve [`Sandbox::router`] yourself, or use
/// [`Sandbox::start`].
#[derive(Clone)]
pub struct Sandbox {
    shared: Arc<Shared>,
}

impl Sandbox {
    /// Seeds the workspace described by `config`.
    pub fn new(config: SandboxConfig) -> Sandbox {
        let workspace = seed::workspace(&config);
        Sandbox {
            shared: Arc::new(Shared::new(config, workspace)),
        }
    }

    /// The axum router serving `/api/v1/…` and `/_sandbox/…`.
    pub fn router(&self) -> axum::Router {
        routes::router(self.shared.clone())
    }

    /// Seeds, binds `addr` (port 0 picks a free port) and serves in a background task.
    pub async fn start(config: SandboxConfig, addr: SocketAddr) -> std::io::Result<RunningSandbox> {
        Sandbox::new(config).serve(addr).await
    }

    /// Binds `addr` and serves this sandbox in a background task (seeding a large workspace
    /// takes a while: a caller may do it off the async threads with [`Sandbox::new`]).
    pub async fn serve(self, addr: SocketAddr) -> std::io::Result<RunningSandbox> {
        let sandbox = self;
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let app = sandbox.router();
        let listener = accept::ClosingListener {
            inner: listener,
            shared: sandbox.shared.clone(),
        };
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(error) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::warn!(%error, "sandbox server stopped with an error");
            }
        });
        tracing::debug!(%addr, "sandbox listening");
        Ok(RunningSandbox {
            sandbox,
            addr,
            stop: Some(stop),
            task,
        })
    }

    /// Adds a fault rule.
    pub fn inject(&self, rule: FaultRule) {
        self.shared.faults.inject(rule);
    }

    /// The request log, oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.log.snapshot()
    }

    /// Closes the next `n` connections as soon as they are accepted, before their request is
    /// read (a sandbox served by [`Sandbox::serve`] or [`Sandbox::start`] only). Such requests never reach the log;
    /// [`Sandbox::connections_closed_at_accept`] counts them.
    pub fn close_next_connections(&self, n: usize) {
        self.shared.faults.close_next_connections(n);
    }

    /// How many connections were closed at accept.
    pub fn connections_closed_at_accept(&self) -> usize {
        self.shared.faults.closed_at_accept()
    }

    /// Empties the request log.
    pub fn clear_requests(&self) {
        self.shared.log.clear();
    }

    /// How many logged requests match a method (`"*"` for any) and a path pattern such as
    /// `/v1/projects/*/runs`.
    pub fn count_requests(&self, method: &str, path_pattern: &str) -> usize {
        self.shared.log.count(method, path_pattern)
    }

    /// A data connection's stored secret field (e.g. `password`). Never exposed over HTTP.
    pub fn connection_secret(&self, connection_id: &str, field: &str) -> Option<String> {
        routes::connections::secret(&self.shared.read(), connection_id, field)
    }

    /// Read access to the workspace for assertions.
    pub fn state(&self) -> SandboxState {
        SandboxState {
            shared: self.shared.clone(),
        }
    }

    /// The bearer token requests must carry.
    pub fn token(&self) -> &str {
        &self.shared.config.token
    }
}

/// A sandbox serving on a socket.
pub struct RunningSandbox {
    sandbox: Sandbox,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl RunningSandbox {
    /// `http://127.0.0.1:PORT/api/v1` (loopback when bound to an unspecified address).
    pub fn base_url(&self) -> String {
        let ip = match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        format!("http://{}/api/v1", SocketAddr::new(ip, self.addr.port()))
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bearer token requests must carry.
    pub fn token(&self) -> &str {
        self.sandbox.token()
    }

    /// See [`Sandbox::inject`].
    pub fn inject(&self, rule: FaultRule) {
        self.sandbox.inject(rule);
    }

    /// See [`Sandbox::requests`].
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.sandbox.requests()
    }

    /// See [`Sandbox::close_next_connections`].
    pub fn close_next_connections(&self, n: usize) {
        self.sandbox.close_next_connections(n);
    }

    /// See [`Sandbox::connections_closed_at_accept`].
    pub fn connections_closed_at_accept(&self) -> usize {
        self.sandbox.connections_closed_at_accept()
    }

    /// See [`Sandbox::clear_requests`].
    pub fn clear_requests(&self) {
        self.sandbox.clear_requests();
    }

    /// See [`Sandbox::count_requests`].
    pub fn count_requests(&self, method: &str, path_pattern: &str) -> usize {
        self.sandbox.count_requests(method, path_pattern)
    }

    /// See [`Sandbox::connection_secret`].
    pub fn connection_secret(&self, connection_id: &str, field: &str) -> Option<String> {
        self.sandbox.connection_secret(connection_id, field)
    }

    /// See [`Sandbox::state`].
    pub fn state(&self) -> SandboxState {
        self.sandbox.state()
    }

    /// Stops accepting connections and waits (at most 5 s) for open ones to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let abort = self.task.abort_handle();
        if tokio::time::timeout(Duration::from_secs(5), &mut self.task)
            .await
            .is_err()
        {
            abort.abort();
        }
    }
}

impl Drop for RunningSandbox {
    /// A sandbox dropped without `shutdown` stops serving at once.
    fn drop(&mut self) {
        self.task.abort();
    }
}
