//! `hex-mcp completions SHELL` and `hex-mcp man`: generated from the clap definitions, so they
//! never disagree with the CLI.

use std::path::Path;

use clap::CommandFactory;

use super::{exit, fail, stdout::Stdout};
use crate::cli::{Cli, CompletionsArgs, ManArgs};

pub fn completions(args: &CompletionsArgs) -> u8 {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "hex-mcp", &mut script);
    let mut out = Stdout::new();
    out.text(&String::from_utf8_lossy(&script));
    out.finish(exit::OK)
}

pub fn man(args: &ManArgs) -> u8 {
    let command = Cli::command().version(env!("CARGO_PKG_VERSION"));
    if let Some(dir) = &args.dir {
        return match write_pages(&command, dir) {
            Ok(()) => exit::OK,
            Err(error) => fail(exit::FAILED, error),
        };
    }
    let mut page = Vec::new();
    if let Err(error) = clap_mangen::Man::new(command).render(&mut page) {
        return fail(exit::FAILED, format!("cannot render the man page: {error}"));
    }
    let mut out = Stdout::new();
    out.text(&String::from_utf8_lossy(&page));
    out.finish(exit::OK)
}

/// hex-mcp.1, then hex-mcp-<command>.1 for each command.
fn write_pages(command: &clap::Command, dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir)
        .map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
    clap_mangen::generate_to(command.clone(), dir)
        .map_err(|error| format!("cannot write man pages into {}: {error}", dir.display()))
}
