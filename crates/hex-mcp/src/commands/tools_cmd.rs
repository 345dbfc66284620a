//! `hex-mcp tools`: what a set of flags enables.

// A shell command, not the server: its output is for the user on stdout.
#![allow(clippy::print_stdout)]

use std::fmt::Write;

use rmcp::model::ListToolsResult;

use crate::{
    cli::ToolsArgs,
    registry::{Confirm, RegisteredTool},
};

use super::{exit, fail};

pub fn tools(args: &ToolsArgs) -> u8 {
    let registry = super::registry();
    let selection = match super::selection(&args.selection, &registry) {
        Ok(selection) => selection,
        Err(message) => return fail(exit::USAGE, message),
    };
    let enabled: Vec<_> = registry.enabled(&selection).collect();
    if args.json {
        let list = ListToolsResult::with_all_items(
            enabled
                .iter()
                .map(|tool| tool.describe_with_operations())
                .collect(),
        );
        match serde_json::to_string_pretty(&list) {
            Ok(text) => println!("{text}"),
            Err(error) => return fail(exit::FAILED, error),
        }
        return exit::OK;
    }
    if args.markdown {
        print!("{}", markdown(&enabled));
        return exit::OK;
    }
    let width = enabled
        .iter()
        .map(|tool| tool.spec.name.len())
        .max()
        .unwrap_or(0);
    for tool in &enabled {
        let effect = &tool.spec.effect;
        let kind = if effect.read_only {
            "read-only"
        } else if effect.destructive {
            "changes (destructive)"
        } else {
            "changes"
        };
        println!(
            "{:width$}  {:12} {:22} {}",
            tool.spec.name,
            tool.spec.toolset.name(),
            kind,
            tool.spec.title
        );
    }
    println!(
        "{} of {} tools enabled",
        enabled.len(),
        registry.all().count()
    );
    exit::OK
}

/// One line per tool: what it does and whether it changes anything.
pub fn markdown(tools: &[&RegisteredTool]) -> String {
    let mut text =
        String::from("| Tool | Toolset | Changes | What it does |\n| --- | --- | --- | --- |\n");
    for tool in tools {
        let spec = &tool.spec;
        let changes = match (spec.effect.read_only, spec.effect.destructive, spec.confirm) {
            (true, _, _) => "no",
            (false, true, Confirm::WhenRisky) => "yes (destructive; risky cases need confirmation)",
            (false, true, Confirm::Never) => "yes (overwrites)",
            (false, false, Confirm::WhenRisky) => "yes (risky cases need confirmation)",
            (false, false, Confirm::Never) => "yes",
        };
        let first_sentence = spec
            .description
            .split_inclusive(". ")
            .next()
            .unwrap_or(spec.description)
            .trim();
        let _ = writeln!(
            text,
            "| `{}` | {} | {} | {} |",
            spec.name,
            spec.toolset.name(),
            changes,
            first_sentence.replace('|', "\\|")
        );
    }
    text
}
