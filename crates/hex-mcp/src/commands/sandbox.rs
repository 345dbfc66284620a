//! `hex-mcp sandbox`: serve the Hex API emulator until stopped.

use std::time::Duration;

use hex_sandbox::{RateLimitMode, Sandbox, SandboxConfig};

use crate::cli::{RateLimitArg, SandboxArgs};

use super::{exit, fail};

pub fn config_of(args: &SandboxArgs) -> SandboxConfig {
    let defaults = SandboxConfig::default();
    SandboxConfig {
        token: args.token.clone(),
        projects: args.projects.unwrap_or(defaults.projects),
        cells_per_project: args.cells_per_project.unwrap_or(defaults.cells_per_project),
        seed: args.seed.unwrap_or(defaults.seed),
        rate_limits: match args.rate_limits {
            RateLimitArg::Documented => RateLimitMode::Documented,
            RateLimitArg::Everywhere => RateLimitMode::DocumentedEverywhere,
            RateLimitArg::Off => RateLimitMode::Off,
        },
        latency: Duration::from_millis(args.latency_ms),
        rate_time_scale: args.rate_time_scale,
        ..defaults
    }
}

pub fn serve(args: &SandboxArgs) -> u8 {
    // The sandbox serves benchmarks' concurrent load: use every core.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            return fail(
                exit::FAILED,
                format!("cannot start the async runtime: {error}"),
            );
        }
    };
    runtime.block_on(async {
        let sandbox = match Sandbox::start(config_of(args), args.bind).await {
            Ok(sandbox) => sandbox,
            Err(error) => {
                return fail(
                    exit::FAILED,
                    format!("cannot serve on {}: {error}", args.bind),
                );
            }
        };
        eprintln!("hex-mcp sandbox: Hex API at {}", sandbox.base_url());
        eprintln!("hex-mcp sandbox: bearer token {}", sandbox.token());
        eprintln!("hex-mcp sandbox: stop with Ctrl-C");
        let _ = tokio::signal::ctrl_c().await;
        sandbox.shutdown().await;
        exit::OK
    })
}
