//! The command line, as the Python hex-mcp had it (`run`, `config`, `show-config`,
//! `--version`) plus `doctor`, `tools`, `call`, `sandbox`, `install` (for more clients than its
//! Cursor-only one), `completions` and `man`.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "hex-mcp",
    about = "An MCP server for Hex (app.hex.tech): projects, runs, cells, results, sharing, collections, groups, data connections, Hex's agent, guides, semantic projects, embedding",
    disable_version_flag = true
)]
pub struct Cli {
    /// Print the version and exit.
    #[arg(short = 'V', long)]
    pub version: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// The log filter when `HEX_MCP_LOG` is unset: warnings, plus one line per tool call when
    /// serving HTTP (an operator's request log; a desktop client's stderr stays quiet).
    pub fn default_log_filter(&self) -> &'static str {
        match &self.command {
            Some(Command::Run(args)) if args.transport == Transport::Http => {
                "warn,hex_mcp::calls=info"
            }
            _ => "warn",
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve MCP over stdio (the default) or Streamable HTTP.
    Run(RunArgs),
    /// Save the API key (and URL) to ~/.hex-mcp/config.yml, readable only by you.
    Config(ConfigArgs),
    /// Show the effective configuration and where each value comes from (key redacted).
    ShowConfig(ConnectionArgs),
    /// Check the configuration and the token against the Hex API.
    Doctor(ConnectionArgs),
    /// List the tools a set of flags enables.
    Tools(ToolsArgs),
    /// Call one tool and print its JSON result (exit code 0 on success, 1 on a tool error).
    Call(CallArgs),
    /// Serve the Hex API sandbox (an in-memory emulation of Hex's API) until stopped.
    Sandbox(SandboxArgs),
    /// Add hex-mcp to an MCP client's configuration (Claude Desktop, Claude Code, Cursor,
    /// VS Code), keeping everything else in the file and a backup of it.
    Install(InstallArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write one page per command into a directory.
    Man(ManArgs),
    /// Exit 0 when a hex-mcp HTTP server answers /healthz (container health checks: the image
    /// has no shell or curl).
    Health(HealthArgs),
}

/// Where the Hex API is (overrides the environment and the config file).
#[derive(Debug, Clone, Default, Args)]
pub struct ConnectionArgs {
    /// Hex API base URL, e.g. https://app.hex.tech/api/v1 [env: HEX_API_URL]
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// Hex API token; `-` reads it from stdin (keeps it out of shell history) [env: HEX_API_KEY]
    #[arg(long, value_name = "KEY")]
    pub api_key: Option<String>,
    /// Seconds each request to Hex may take before it fails as timed out, 1–3600 (default 30)
    /// [env: HEX_MCP_HEX_TIMEOUT]
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub hex_timeout: Option<u64>,
}

/// Local directories tools may read files from and write files to.
#[derive(Debug, Clone, Default, Args)]
pub struct FileArgs {
    /// A directory tools may read from and write to (secrets by file, semantic project archives,
    /// exports); repeatable. None: tools touch no local file [env: HEX_MCP_ALLOW_PATHS, separated
    /// like PATH]
    #[arg(long = "allow-path", value_name = "DIR")]
    pub allow_paths: Vec<std::path::PathBuf>,
}

/// Pacing shared with other replicas.
#[derive(Debug, Clone, Default, Args)]
pub struct RateStoreArgs {
    /// Redis shared by replicas that use the same Hex token, so they pace within one budget
    /// (redis://[:PASSWORD@]HOST[:PORT][/DB]). Unreachable at start-up: hex-mcp refuses to start.
    #[arg(
        long,
        env = "HEX_MCP_RATE_STORE",
        value_name = "URL",
        hide_env_values = true
    )]
    pub rate_store: Option<crate::rate_store::RateStoreUrl>,
}

/// Which tools are enabled.
#[derive(Debug, Clone, Default, Args)]
pub struct SelectionArgs {
    /// Comma-separated toolsets (projects, runs, cells, results, sharing, collections, groups,
    /// connections, users, endorsements, threads, guides, semantic, embedding, workflows, all,
    /// default).
    #[arg(long, env = "HEX_MCP_TOOLSETS", value_name = "LIST")]
    pub toolsets: Option<String>,
    /// Comma-separated single tools, added to the toolsets.
    #[arg(long, env = "HEX_MCP_TOOLS", value_name = "LIST")]
    pub tools: Option<String>,
    /// Only tools that change nothing (wins over everything else).
    #[arg(long, env = "HEX_MCP_READ_ONLY", value_parser = clap::builder::FalseyValueParser::new())]
    pub read_only: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Transport {
    #[default]
    Stdio,
    Http,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub selection: SelectionArgs,
    #[command(flatten)]
    pub files: FileArgs,
    #[command(flatten)]
    pub rate_store: RateStoreArgs,
    /// Start the Hex API sandbox in-process and use it: no account, no config.
    #[arg(long)]
    pub sandbox: bool,
    /// MCP transport.
    #[arg(long, value_enum, default_value_t)]
    pub transport: Transport,
    #[command(flatten)]
    pub http: HttpArgs,
    /// Never ask for confirmation of destructive or access-widening changes (unattended automation).
    #[arg(long, env = "HEX_MCP_NO_CONFIRM", value_parser = clap::builder::FalseyValueParser::new())]
    pub no_confirm: bool,
}

/// The HTTP transport: where it listens and who may call it.
#[derive(Debug, Clone, Args)]
pub struct HttpArgs {
    /// Address for the HTTP transport. Loopback by default; any other address needs inbound
    /// tokens (HEX_MCP_HTTP_TOKEN or --http-token-file).
    #[arg(long, default_value = "127.0.0.1:8765")]
    pub bind: SocketAddr,
    /// File of inbound bearer tokens, one per line (two while rotating). HEX_MCP_HTTP_TOKEN
    /// takes them too, comma-separated.
    #[arg(long, value_name = "FILE")]
    pub http_token_file: Option<PathBuf>,
    /// Serve a non-loopback address with no inbound tokens: only behind a proxy that
    /// authenticates every request.
    #[arg(long)]
    pub allow_unauthenticated: bool,
    /// Host names the HTTP transport answers to besides loopback, comma-separated
    /// (e.g. mcp.example.com); others get 403 (DNS rebinding protection).
    #[arg(long, env = "HEX_MCP_ALLOWED_HOSTS", value_name = "LIST")]
    pub allowed_hosts: Option<String>,
    /// Browser origins allowed to call the HTTP transport, comma-separated
    /// (e.g. https://app.example.com); none by default, and other origins get 403.
    #[arg(long, env = "HEX_MCP_ALLOWED_ORIGINS", value_name = "LIST")]
    pub allowed_origins: Option<String>,
    /// The largest request body accepted, in bytes; larger ones get 413 with a JSON-RPC error.
    #[arg(long, value_name = "BYTES", default_value_t = 4 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// How many requests one inbound token may have in progress at once; more get 429.
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_concurrent_per_token: u32,
    /// Serve `/metrics` (Prometheus) without authentication on this loopback address instead of
    /// beside `/mcp`, where it needs the same bearer token.
    #[arg(long, value_name = "ADDR")]
    pub metrics_bind: Option<SocketAddr>,
    /// On SIGTERM or SIGINT, how long calls in progress get to finish before the server exits.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub shutdown_grace: u64,
    /// The longest one request may take; a slower one is stopped with a JSON-RPC error. Tools
    /// wait at most 600 s for runs and Hex's agent, hence the default.
    #[arg(long, value_name = "SECONDS", default_value_t = 630, value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout: u64,
    /// Keep no state between requests, so that any replica behind a load balancer can answer
    /// any request: no sessions for 2025-era clients (2026-07-28 clients never have one), no
    /// tasks, and confirmation tokens signed with HEX_MCP_CONFIRM_KEY (set the same value on
    /// every replica).
    #[arg(long, env = "HEX_MCP_STATELESS")]
    pub stateless: bool,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// The Hex API token; `-` reads it from stdin.
    #[arg(long, value_name = "KEY")]
    pub api_key: String,
    /// The Hex API base URL.
    #[arg(long, value_name = "URL", default_value = crate::config::DEFAULT_API_URL)]
    pub api_url: String,
}

#[derive(Debug, Args)]
pub struct ToolsArgs {
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Print the tools as `tools/list` JSON (with each tool's Hex operations in
    /// `_meta["hex-mcp/operations"]`) instead of a table.
    #[arg(long, conflicts_with_all = ["markdown", "coverage"])]
    pub json: bool,
    /// Print the tools as a Markdown table (the README's tool reference).
    #[arg(long, conflicts_with = "coverage")]
    pub markdown: bool,
    /// Print which tools call each of Hex's 52 operations (docs/COVERAGE.md), for every tool
    /// whatever the flags.
    #[arg(long)]
    pub coverage: bool,
    /// Print every tool as `tools/list` shows it, one compact JSON object a line: the catalog
    /// compiled into the binary (crates/hex-mcp/catalog.jsonl), regenerated by
    /// scripts/readme-tools.sh.
    #[arg(long, hide = true, conflicts_with_all = ["json", "markdown", "coverage"])]
    pub catalog: bool,
}

#[derive(Debug, Args)]
pub struct CallArgs {
    /// The tool's name, e.g. list_hex_projects.
    pub tool: String,
    /// The tool's arguments as a JSON object.
    #[arg(long, default_value = "{}")]
    pub json: String,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub files: FileArgs,
    #[command(flatten)]
    pub rate_store: RateStoreArgs,
    /// Use the in-process Hex API sandbox: no account, no config.
    #[arg(long)]
    pub sandbox: bool,
    /// Make destructive or access-widening changes without asking (`--yes` for short).
    #[arg(long, visible_alias = "yes", env = "HEX_MCP_NO_CONFIRM", value_parser = clap::builder::FalseyValueParser::new())]
    pub no_confirm: bool,
    /// Refuse tools that change anything.
    #[arg(long, env = "HEX_MCP_READ_ONLY", value_parser = clap::builder::FalseyValueParser::new())]
    pub read_only: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum RateLimitArg {
    /// Hex's documented per-endpoint limits.
    #[default]
    Documented,
    /// The documented limits, and the default `hex-api` group on every other endpoint.
    Everywhere,
    /// No limits (benchmarks of our own overhead).
    Off,
}

#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Address to serve on.
    #[arg(long, default_value = "127.0.0.1:8766")]
    pub bind: SocketAddr,
    /// Bearer token the sandbox accepts.
    #[arg(long, default_value = "sandbox-token")]
    pub token: String,
    /// Number of seeded projects (120 by default; benchmarks use up to 50,000).
    #[arg(long)]
    pub projects: Option<usize>,
    /// Cells per seeded project.
    #[arg(long)]
    pub cells_per_project: Option<usize>,
    /// Seed of the generated workspace.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Rate limiting.
    #[arg(long, value_enum, default_value_t)]
    pub rate_limits: RateLimitArg,
    /// Latency added to every request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Divide the rate-limit windows by this: 60 makes Hex's per-minute limits per-second and
    /// its per-hour ones per-minute (benchmarks of jobs bound by Hex's limits).
    #[arg(long, default_value_t = 1.0, value_name = "FACTOR")]
    pub rate_time_scale: f64,
}

/// The MCP clients `install` knows how to configure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum McpClient {
    /// Claude Desktop (its user-wide claude_desktop_config.json).
    ClaudeDesktop,
    /// Claude Code: the project's .mcp.json, or ~/.claude.json with --global.
    ClaudeCode,
    /// Cursor: the project's .cursor/mcp.json, or ~/.cursor/mcp.json with --global.
    Cursor,
    /// VS Code: the project's .vscode/mcp.json, or the user profile's mcp.json with --global.
    Vscode,
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// The client to configure.
    #[arg(long, value_enum)]
    pub client: McpClient,
    /// Configure the client for the user instead of for the project in --project-dir.
    #[arg(long)]
    pub global: bool,
    /// The project whose client configuration to change (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub project_dir: Option<PathBuf>,
    /// Change this file instead of the client's usual one.
    #[arg(long, value_name = "FILE")]
    pub config_file: Option<PathBuf>,
    /// The server's name in the client's configuration.
    #[arg(long, default_value = "hex-mcp", value_name = "NAME")]
    pub name: String,
    /// The command the client starts (default: the full path of this hex-mcp binary, so a
    /// desktop app that does not read your shell's PATH finds it).
    #[arg(long, value_name = "COMMAND")]
    pub command: Option<String>,
    /// Serve the embedded sandbox (no account): `run --sandbox`.
    #[arg(long)]
    pub sandbox: bool,
    /// Toolsets to enable, carried into the entry as `--toolsets`.
    #[arg(long, value_name = "LIST")]
    pub toolsets: Option<String>,
    /// Single tools to add, carried into the entry as `--tools`.
    #[arg(long, value_name = "LIST")]
    pub tools: Option<String>,
    /// Only tools that change nothing, carried into the entry as `--read-only`.
    #[arg(long)]
    pub read_only: bool,
    /// Also write the API key (and URL) into the client's file as HEX_API_KEY (HEX_API_URL).
    /// Without it the key stays in ~/.hex-mcp/config.yml, readable only by you.
    #[arg(long)]
    pub with_token: bool,
    /// Print the file as it would be written, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write hex-mcp.1 and one page per command (hex-mcp-run.1, …) into this directory instead
    /// of printing the main page.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct HealthArgs {
    /// The address the server listens on.
    #[arg(long, default_value = "127.0.0.1:8765")]
    pub addr: SocketAddr,
}
