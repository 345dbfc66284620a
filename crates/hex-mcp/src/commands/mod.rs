//! The commands of the binary. Each returns its exit code; none writes to stdout in server
//! mode.

use std::{collections::BTreeSet, io::Read, process::ExitCode, sync::Arc};

use hex_client::{RateLimits, SecretString};
use hex_sandbox::RunningSandbox;

use crate::{
    cli::{Cli, Command, ConnectionArgs, FileArgs, RateStoreArgs, SelectionArgs},
    config::{self, Overrides, Settings},
    context::{HexTarget, Limits, ToolContext},
    registry::{Registry, Selection, parse_toolsets},
    tools,
};

pub mod call;
pub mod config_cmd;
pub mod doctor;
pub mod health;
pub mod install;
pub mod manual;
pub mod run;
pub mod sandbox;
pub mod stdout;
pub mod tools_cmd;

/// Exit codes with a meaning a script can rely on.
pub mod exit {
    pub const OK: u8 = 0;
    /// A tool answered with an error, or `doctor` found a problem.
    pub const FAILED: u8 = 1;
    /// The command line or the configuration is wrong.
    pub const USAGE: u8 = 2;
    /// A risky change was previewed and needs a confirmation token.
    pub const NEEDS_CONFIRMATION: u8 = 3;
    /// A waited-for run ended ERRORED or UNABLE_TO_ALLOCATE_KERNEL, or a thread ended ERROR.
    pub const WAIT_FAILED: u8 = 4;
    /// A waited-for run ended KILLED.
    pub const WAIT_KILLED: u8 = 5;
    /// The wait ran out while the run or thread was still going.
    pub const WAIT_TIMED_OUT: u8 = 6;
    /// Stdout could not take the output: the reader closed it (`| head`; quietly), or writing
    /// failed (`> /dev/full`; said on stderr).
    pub const OUTPUT: u8 = 7;
}

/// Logs go to stderr only (stdout carries MCP); `HEX_MCP_LOG` sets the filter, else `default`.
pub fn init_logging(default: &str) {
    use tracing_subscriber::{
        Layer, filter::filter_fn, layer::SubscriberExt, util::SubscriberInitExt,
    };

    let filter = tracing_subscriber::EnvFilter::try_from_env("HEX_MCP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    // At debug and trace, rmcp logs every message whole, tool arguments included, and those may
    // hold a data-connection password. No filter lets that through, `rmcp=trace` included.
    let no_message_bodies = filter_fn(|event| {
        !(event.target().starts_with("rmcp") && *event.level() > tracing::Level::INFO)
    });
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_filter(filter)
        .with_filter(no_message_bodies);
    let _ = tracing_subscriber::registry().with(stderr).try_init();
}

pub fn execute(cli: Cli) -> ExitCode {
    if cli.version {
        return ExitCode::from(print_version());
    }
    let code = match cli.command {
        None => {
            let _ = <Cli as clap::CommandFactory>::command().print_help();
            exit::USAGE
        }
        Some(Command::Run(args)) => run::run(&args),
        Some(Command::Config(args)) => config_cmd::config(&args),
        Some(Command::ShowConfig(args)) => config_cmd::show(&args),
        Some(Command::Doctor(args)) => doctor::doctor(&args),
        Some(Command::Tools(args)) => tools_cmd::tools(&args),
        Some(Command::Call(args)) => call::call(&args),
        Some(Command::Sandbox(args)) => sandbox::serve(&args),
        Some(Command::Install(args)) => install::install(&args),
        Some(Command::Completions(args)) => manual::completions(&args),
        Some(Command::Man(args)) => manual::man(&args),
        Some(Command::Health(args)) => health::health(&args),
    };
    ExitCode::from(code)
}

/// `--version` answers on stdout, in the Python hex-mcp's words.
fn print_version() -> u8 {
    let mut out = stdout::Stdout::new();
    out.line(&format!("hex-mcp version {}", env!("CARGO_PKG_VERSION")));
    out.finish(exit::OK)
}

/// A runtime for one command: a single thread is plenty for an IO-bound MCP session and keeps
/// start-up and memory small.
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start the async runtime: {error}"))
}

/// Reports a command failure on stderr and returns the exit code.
pub fn fail(code: u8, message: impl std::fmt::Display) -> u8 {
    eprintln!("hex-mcp: {message}");
    code
}

/// Reads a key given as `-` from stdin.
pub fn read_key(value: &str) -> Result<SecretString, String> {
    if value != "-" {
        return Ok(SecretString::from(value.trim().to_string()));
    }
    let mut key = String::new();
    std::io::stdin()
        .read_to_string(&mut key)
        .map_err(|error| format!("cannot read the API key from stdin: {error}"))?;
    let key = key.trim();
    if key.is_empty() {
        return Err("no API key on stdin".into());
    }
    Ok(SecretString::from(key.to_string()))
}

/// Settings from flags, environment and the config file.
pub fn settings(connection: &ConnectionArgs) -> Result<Settings, String> {
    let overrides = Overrides {
        api_key: connection.api_key.as_deref().map(read_key).transpose()?,
        api_url: connection.api_url.clone(),
    };
    let env = |name: &str| std::env::var(name).ok();
    let mut settings = config::resolve(&overrides, env);
    settings.hex_timeout = config::hex_timeout(connection.hex_timeout, env)?;
    Ok(settings)
}

/// Where tools send requests: the configured Hex, or the embedded sandbox.
pub fn target(settings: &Settings) -> HexTarget {
    let problem = match (&settings.api_key, &settings.file_problem) {
        (None, Some(problem)) => Some(format!("no Hex API token is configured ({problem})")),
        (None, None) => Some(format!(
            "no Hex API token is configured (looked at the {} flag, ${}, and {})",
            "--api-key",
            config::ENV_API_KEY,
            settings.file.display()
        )),
        _ => None,
    };
    HexTarget {
        base_url: settings.api_url.0.clone(),
        token: settings.api_key.as_ref().map(|(key, _)| key.clone()),
        timeout: settings.hex_timeout.0,
        problem,
        rate_limits: RateLimits::default(),
        rate_store: None,
    }
}

/// Starts the in-process sandbox and returns it with a target pointing at it.
pub async fn embedded_sandbox() -> Result<(RunningSandbox, HexTarget), String> {
    let sandbox = hex_sandbox::Sandbox::start(
        hex_sandbox::SandboxConfig::default(),
        std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .await
    .map_err(|error| format!("cannot start the embedded sandbox: {error}"))?;
    let target = HexTarget {
        base_url: sandbox.base_url(),
        token: Some(SecretString::from(sandbox.token().to_string())),
        timeout: config::DEFAULT_HEX_TIMEOUT,
        problem: None,
        rate_limits: RateLimits::default(),
        rate_store: None,
    };
    Ok((sandbox, target))
}

/// The tool selection from flags and environment; unknown names are an error listing the valid
/// ones.
pub fn selection(args: &SelectionArgs, registry: &Registry) -> Result<Selection, String> {
    let toolsets = args.toolsets.as_deref().map(parse_toolsets).transpose()?;
    let tools: BTreeSet<String> = args
        .tools
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_string)
        .collect();
    registry.check_tool_names(&tools)?;
    Ok(Selection {
        toolsets,
        tools,
        read_only: args.read_only,
    })
}

pub fn registry() -> Arc<Registry> {
    Arc::new(tools::registry())
}

/// The target with the shared pacing store of `--rate-store`, connected now: a store asked for
/// but unreachable is an error, so the server does not start pacing alone.
pub async fn with_rate_store(
    mut target: HexTarget,
    args: &RateStoreArgs,
) -> Result<HexTarget, String> {
    target.rate_store = crate::rate_store::connect(args.rate_store.as_ref()).await?;
    Ok(target)
}

/// The tools' context: the target with its pacing (`HEX_MCP_RATE_LIMITS`), limits from the
/// environment, and the allowed directories (`--allow-path` and `HEX_MCP_ALLOW_PATHS`; one that
/// does not exist is an error).
pub fn context(mut target: HexTarget, files: &FileArgs) -> Result<ToolContext, String> {
    let pacing = std::env::var(crate::pacing::ENV_RATE_LIMITS).ok();
    target.rate_limits = crate::pacing::from_env(pacing.as_deref())?;
    let mut limits = Limits::from_env(|name| std::env::var(name).ok());
    let from_env = std::env::var(crate::files::ENV_ALLOW_PATHS).ok();
    limits.allowed_paths =
        crate::files::AllowedPaths::from_sources(&files.allow_paths, from_env.as_deref())?;
    Ok(ToolContext::new(target, limits))
}
