//! `hex-mcp`: parse the command line, run the command, exit with its code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = hex_mcp::cli::Cli::parse();
    hex_mcp::commands::init_logging(cli.default_log_filter());
    hex_mcp::commands::execute(cli)
}
