//! MCP over Streamable HTTP at `http://ADDR/mcp`, for clients that connect rather than spawn.
//! Secure by default: loopback unless inbound tokens are configured, Host and Origin
//! allowlists, and `/healthz` and `/readyz` as the only routes that answer anyone.

mod allowlist;
mod guard;
mod tokens;

use std::{net::SocketAddr, sync::Arc, time::Duration};

use axum::{
    extract::Query,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
    serve::ListenerExt,
};
use metrics_exporter_prometheus::PrometheusHandle;
use rmcp::transport::streamable_http_server::{
    StreamableHttpServerConfig, StreamableHttpService, session::local::LocalSessionManager,
};
use tokio_util::sync::CancellationToken;

use crate::{cli::HttpArgs, confirm::ENV_CONFIRM_KEY, in_flight::InFlight, server::HexServer};

pub(crate) use guard::bearer;
pub use tokens::ENV_HTTP_TOKEN;

/// Everything the HTTP transport needs, checked before the server starts.
#[derive(Debug)]
pub struct HttpOptions {
    bind: SocketAddr,
    guard: guard::Guard,
    hosts: Vec<String>,
    authenticated: usize,
    grace: Duration,
    max_body: usize,
    metrics_bind: Option<SocketAddr>,
    /// The longest one call may take.
    pub request_timeout: Duration,
    /// No sessions and no tasks: any replica answers any request.
    pub stateless: bool,
}

impl HttpOptions {
    /// Reads the inbound tokens (`token_env` is `HEX_MCP_HTTP_TOKEN`'s value) and the
    /// allowlists, and refuses a non-loopback bind that nothing authenticates.
    pub fn from_args(args: &HttpArgs, token_env: Option<&str>) -> Result<HttpOptions, String> {
        let tokens = tokens::InboundTokens::load(token_env, args.http_token_file.as_deref())?;
        exposure_allowed(args.bind, tokens.len(), args.allow_unauthenticated)?;
        if tokens.short() > 0 {
            eprintln!(
                "hex-mcp: warning: {} inbound token(s) are shorter than 16 characters and could be \
                 guessed; use long random ones (e.g. `openssl rand -hex 32`)",
                tokens.short()
            );
        }
        let hosts = allowed_hosts(args.bind, args.allowed_hosts.as_deref());
        let origins = list(args.allowed_origins.as_deref());
        if let Some(metrics) = args.metrics_bind
            && !metrics.ip().is_loopback()
        {
            return Err(format!(
                "--metrics-bind {metrics}: serve unauthenticated metrics on a loopback address \
                 (e.g. 127.0.0.1:9464), or leave it out to serve /metrics beside /mcp, behind \
                 the same bearer token"
            ));
        }
        let authenticated = tokens.len();
        let limits = guard::RequestLimits {
            max_body: args.max_body_bytes,
            per_token: usize::try_from(args.max_concurrent_per_token).unwrap_or(usize::MAX),
        };
        let guard = guard::Guard::new(tokens, &hosts, &origins, limits)?;
        Ok(HttpOptions {
            bind: args.bind,
            guard,
            hosts,
            authenticated,
            grace: Duration::from_secs(args.shutdown_grace),
            max_body: args.max_body_bytes,
            metrics_bind: args.metrics_bind,
            request_timeout: Duration::from_secs(args.request_timeout),
            stateless: args.stateless,
        })
    }
}

/// A non-loopback address is reachable by others: it needs inbound tokens, or the operator's
/// explicit word that a proxy in front authenticates.
fn exposure_allowed(bind: SocketAddr, tokens: usize, unauthenticated: bool) -> Result<(), String> {
    if bind.ip().is_loopback() || tokens > 0 {
        return Ok(());
    }
    if unauthenticated {
        eprintln!(
            "hex-mcp: WARNING: serving {bind} with NO inbound authentication \
             (--allow-unauthenticated). Anyone who can reach this address can act with the \
             configured Hex token. Only do this behind a proxy that authenticates every request."
        );
        return Ok(());
    }
    Err(format!(
        "refusing to serve MCP on {bind} without inbound authentication: anyone who can reach \
         it could act with your Hex token. Set {ENV_HTTP_TOKEN} (or --http-token-file FILE) to one \
         or more long random tokens and have clients send `Authorization: Bearer <token>`; or bind \
         a loopback address (127.0.0.1); or, only behind a proxy that authenticates, pass \
         --allow-unauthenticated"
    ))
}

/// The loopback names, the bound address (a rebinding attack cannot make a browser send an IP
/// address it did not type), and the operator's list.
fn allowed_hosts(bind: SocketAddr, listed: Option<&str>) -> Vec<String> {
    let mut hosts: Vec<String> = guard::LOOPBACK_HOSTS
        .iter()
        .map(|host| host.to_string())
        .collect();
    if !bind.ip().is_loopback() {
        hosts.push(bind.ip().to_string());
    }
    hosts.extend(list(listed));
    hosts
}

fn list(text: Option<&str>) -> Vec<String> {
    text.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_string)
        .collect()
}

pub async fn serve(server: HexServer, options: HttpOptions) -> Result<(), String> {
    let in_flight = server.in_flight();
    let confirmations_shared = server.confirmations_shared();
    let ready = server.clone();
    // Cancelling it ends every session and its streams, which a drain would otherwise wait on.
    let sessions = CancellationToken::new();
    // rmcp checks Host too, with the same list. Origin is the guard's alone: rmcp's static list
    // cannot say "the requested host's own origin", which the guard allows.
    // JSON rather than an event stream for a plain reply (rmcp falls back to a stream when a call
    // sends progress first): less framing for the client to parse, and for the server to write.
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(!options.stateless)
        .with_json_response(true)
        .with_allowed_hosts(options.hosts.clone())
        .disable_allowed_origins()
        .with_max_request_body_bytes(options.max_body)
        .with_cancellation_token(sessions.clone());
    let service = StreamableHttpService::new(
        move || Ok(server.for_session()),
        LocalSessionManager::default().into(),
        config,
    );
    let listener = tokio::net::TcpListener::bind(options.bind)
        .await
        .map_err(|error| format!("cannot listen on {}: {error}", options.bind))?;
    let address = listener.local_addr().map_err(|error| error.to_string())?;
    eprintln!("hex-mcp: serving MCP at http://{address}/mcp");
    if options.stateless {
        eprintln!("hex-mcp: stateless: any replica can answer any request (no sessions, no tasks)");
        if !confirmations_shared {
            eprintln!(
                "hex-mcp: warning: {ENV_CONFIRM_KEY} is not set, so a confirmation token is only \
                 accepted by the replica that issued it; set the same long random value on every \
                 replica (e.g. `openssl rand -hex 32`)"
            );
        }
    }
    if options.authenticated > 0 {
        eprintln!(
            "hex-mcp: inbound bearer token required ({} accepted)",
            options.authenticated
        );
    }
    let metrics = crate::metrics::install()?;
    let metrics_route = get({
        let metrics = metrics.clone();
        move || render_metrics(metrics.clone())
    });
    let mut guarded = axum::Router::new().nest_service("/mcp", service);
    match options.metrics_bind {
        Some(address) => serve_metrics(address, metrics_route).await?,
        None => guarded = guarded.route("/metrics", metrics_route),
    }
    let guard = Arc::new(options.guard);
    let router = guarded
        .layer(axum::middleware::from_fn_with_state(guard, guard::enforce))
        // Liveness and readiness for load balancers and probes: no auth, no Host check, no
        // secrets.
        .route("/healthz", get(healthz))
        .route(
            "/readyz",
            get(move |query: Query<ReadyQuery>| readyz(ready.clone(), query)),
        );
    let stopping = CancellationToken::new();
    // Replies go out as soon as they are written: an event-stream reply is several small writes,
    // which Nagle's algorithm would hold back until the client's delayed ACK (tens of ms each).
    let listener = listener.tap_io(|connection| {
        if let Err(error) = connection.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY on a connection");
        }
    });
    let serving = axum::serve(listener, router).with_graceful_shutdown({
        let stopping = stopping.clone();
        async move {
            stop_signal().await;
            stopping.cancel();
            tokio::spawn(finish_calls(in_flight, options.grace, sessions));
        }
    });
    // However a connection behaves, the process ends shortly after the grace period.
    let deadline = async {
        stopping.cancelled().await;
        tokio::time::sleep(options.grace + Duration::from_secs(2)).await;
    };
    tokio::select! {
        served = serving => served.map_err(|error| format!("the HTTP server failed: {error}")),
        () = deadline => {
            eprintln!("hex-mcp: stopped with connections still open after the grace period");
            Ok(())
        }
    }
}

/// SIGTERM (how containers and process managers stop a service) or SIGINT (Ctrl-C).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// New connections are already refused; calls in progress get up to `grace` to finish, then the
/// sessions are closed so the drain can end.
async fn finish_calls(in_flight: InFlight, grace: Duration, sessions: CancellationToken) {
    let calls = in_flight.count();
    eprintln!(
        "hex-mcp: stopping: no new connections; {calls} call(s) in progress get up to {}s to finish",
        grace.as_secs()
    );
    if tokio::time::timeout(grace, in_flight.idle()).await.is_err() {
        eprintln!(
            "hex-mcp: {} call(s) still in progress after {}s; stopping anyway",
            in_flight.count(),
            grace.as_secs()
        );
    }
    // A finished call's answer is still on its way through rmcp to the client's stream; give
    // it a moment before the sessions close.
    tokio::time::sleep(Duration::from_millis(250)).await;
    sessions.cancel();
}

/// `/metrics` in Prometheus' text format.
async fn render_metrics(metrics: PrometheusHandle) -> Response {
    metrics.run_upkeep();
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        metrics.render(),
    )
        .into_response()
}

/// `/metrics` alone, unauthenticated, on its own loopback listener (`--metrics-bind`).
async fn serve_metrics(
    address: SocketAddr,
    route: axum::routing::MethodRouter,
) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|error| format!("cannot listen on --metrics-bind {address}: {error}"))?;
    let bound = listener.local_addr().map_err(|error| error.to_string())?;
    eprintln!("hex-mcp: serving metrics at http://{bound}/metrics");
    let router = axum::Router::new().route("/metrics", route);
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router).await {
            tracing::warn!(%error, "the metrics listener stopped");
        }
    });
    Ok(())
}

async fn healthz() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({"status": "ok"}))
}

#[derive(Debug, serde::Deserialize)]
struct ReadyQuery {
    /// `hex`: also check that Hex accepts the token (one GetMe request per probe, so only when
    /// asked).
    check: Option<String>,
}

/// Ready when the Hex settings are usable and, with `?check=hex`, Hex answers; else 503.
async fn readyz(server: HexServer, Query(query): Query<ReadyQuery>) -> Response {
    let reach = query.check.as_deref() == Some("hex");
    match server.readiness(reach).await {
        Ok(()) => axum::Json(serde_json::json!({"status": "ready"})).into_response(),
        Err(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({"status": "not ready", "reason": reason})),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn at(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    #[test]
    fn only_loopback_serves_without_tokens() {
        assert!(exposure_allowed(at("127.0.0.1:8765"), 0, false).is_ok());
        assert!(exposure_allowed(at("[::1]:8765"), 0, false).is_ok());
        let refused = exposure_allowed(at("0.0.0.0:8765"), 0, false).unwrap_err();
        assert!(refused.contains(ENV_HTTP_TOKEN), "{refused}");
        assert!(refused.contains("--allow-unauthenticated"), "{refused}");
        assert!(exposure_allowed(at("0.0.0.0:8765"), 1, false).is_ok());
        assert!(exposure_allowed(at("10.0.0.5:8765"), 0, true).is_ok());
    }

    #[test]
    fn a_specific_bind_address_is_an_allowed_host() {
        let hosts = allowed_hosts(at("10.0.0.5:8765"), Some(" mcp.example.com, ,x:1"));
        assert_eq!(
            hosts,
            [
                "localhost",
                "127.0.0.1",
                "::1",
                "10.0.0.5",
                "mcp.example.com",
                "x:1"
            ]
        );
        assert_eq!(allowed_hosts(at("127.0.0.1:1"), None).len(), 3);
        assert!(allowed_hosts(at("0.0.0.0:1"), None).contains(&"0.0.0.0".to_string()));
    }
}
