//! `hex-mcp call TOOL --json '{…}'`: one tool call from a shell or a pipeline.

use rmcp::model::{CallToolResult, JsonObject};
use serde_json::Value;

use crate::{
    call_scope::WaitOutcome,
    cli::CallArgs,
    confirm::{ConfirmKey, Gate},
    registry::{CONFIRMATION_TOKEN, Selection},
    server::{HexServer, Serving},
};

use super::{exit, fail};

pub fn call(args: &CallArgs) -> u8 {
    let arguments: JsonObject = match serde_json::from_str::<Value>(&args.json) {
        Ok(Value::Object(object)) => object,
        Ok(_) => {
            return fail(
                exit::USAGE,
                "--json must be a JSON object, e.g. '{\"limit\": 3}'",
            );
        }
        Err(error) => return fail(exit::USAGE, format!("--json is not valid JSON: {error}")),
    };
    let registry = super::registry();
    let Some(tool) = registry.get(&args.tool) else {
        let names: Vec<&str> = registry.all().map(|tool| tool.spec.name).collect();
        return fail(
            exit::USAGE,
            format!("no tool `{}`; tools: {}", args.tool, names.join(", ")),
        );
    };
    // Every tool is callable by name here, unless --read-only says otherwise.
    let selection = Selection {
        toolsets: Some(crate::registry::Toolset::ALL.into_iter().collect()),
        read_only: args.read_only,
        ..Selection::default()
    };
    let name = tool.spec.name;
    let runtime = match super::runtime() {
        Ok(runtime) => runtime,
        Err(message) => return fail(exit::FAILED, message),
    };
    runtime.block_on(async {
        let mut _sandbox = None;
        let target = if args.sandbox {
            match super::embedded_sandbox().await {
                Ok((sandbox, target)) => {
                    _sandbox = Some(sandbox);
                    target
                }
                Err(message) => return fail(exit::FAILED, message),
            }
        } else {
            match super::settings(&args.connection) {
                Ok(settings) => super::target(&settings),
                Err(message) => return fail(exit::USAGE, message),
            }
        };
        let target = match super::with_rate_store(target, &args.rate_store).await {
            Ok(target) => target,
            Err(message) => return fail(exit::FAILED, message),
        };
        let context = match super::context(target, &args.files) {
            Ok(context) => context,
            Err(message) => return fail(exit::USAGE, message),
        };
        // The token of a preview cannot outlive this process, so it needs no shared key.
        let gate = match ConfirmKey::random() {
            Ok(key) => Gate::new(!args.no_confirm, key),
            Err(message) => return fail(exit::FAILED, message),
        };
        let server = HexServer::new(
            registry.clone(),
            selection,
            context,
            gate,
            Serving::default(),
        );
        let (mut result, mut outcome) = server.call_detached(name, arguments.clone()).await;
        // A shell has a person at it: ask there, since a token cannot outlive this process.
        if let Some(token) = preview_token(&result) {
            if !ask_at_terminal(&result) {
                let code = print_result(&result);
                eprintln!("hex-mcp: nothing was changed; re-run with --yes to make this change");
                return code;
            }
            let mut confirmed = arguments;
            confirmed.insert(CONFIRMATION_TOKEN.into(), Value::String(token));
            (result, outcome) = server.call_detached(name, confirmed).await;
        }
        let code = print_result(&result);
        match (code, outcome) {
            (exit::OK, Some(outcome)) => wait_exit_code(outcome),
            _ => code,
        }
    })
}

/// The structured result plus, under `attachments`, the content blocks that are not its text
/// mirror (a chart's image, an export's embedded resource): in a shell there is no other place
/// for them.
fn with_attachments(value: &Value, result: &CallToolResult) -> Value {
    let blocks: Vec<Value> = result
        .content
        .iter()
        .filter(|block| block.as_text().is_none())
        .filter_map(|block| serde_json::to_value(block).ok())
        .collect();
    match (value, blocks.is_empty()) {
        (Value::Object(object), false) => {
            let mut object = object.clone();
            object.insert("attachments".into(), Value::Array(blocks));
            Value::Object(object)
        }
        _ => value.clone(),
    }
}

/// A waited-for run or thread that did not succeed fails the command, with a code per outcome
/// (README, "From a shell or a pipeline").
fn wait_exit_code(outcome: WaitOutcome) -> u8 {
    match outcome {
        WaitOutcome::Succeeded => exit::OK,
        WaitOutcome::Failed => exit::WAIT_FAILED,
        WaitOutcome::Killed => exit::WAIT_KILLED,
        WaitOutcome::StillRunning => exit::WAIT_TIMED_OUT,
    }
}

/// A preview as a shell shows it: its token dies with this process, so in its place is the
/// way to confirm that a later command can use.
fn for_shell(value: &Value) -> Value {
    let mut value = value.clone();
    if value.get("confirmationRequired") == Some(&Value::Bool(true))
        && let Some(object) = value.as_object_mut()
        && object.remove("confirmationToken").is_some()
    {
        object.remove("expiresInSeconds");
        object.insert(
            "next".into(),
            Value::String(
                "Nothing was changed. To make this change, re-run the same command with --yes."
                    .into(),
            ),
        );
        object.insert("confirmWith".into(), Value::String("--yes".into()));
    }
    value
}

/// The confirmation token of a preview, if the result is one.
fn preview_token(result: &CallToolResult) -> Option<String> {
    let value = result.structured_content.as_ref()?;
    if value.get("confirmationRequired") != Some(&Value::Bool(true)) {
        return None;
    }
    value
        .get("confirmationToken")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// Shows the change and asks yes/no, when both stdin and stderr are a terminal.
fn ask_at_terminal(result: &CallToolResult) -> bool {
    use std::io::{BufRead, IsTerminal, Write};
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return false;
    }
    let change = result
        .structured_content
        .as_ref()
        .and_then(|value| value.get("change"))
        .and_then(Value::as_str)
        .unwrap_or("a risky change");
    eprint!("{change}\nMake this change? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// Prints the structured result (indented for a terminal, one line for a pipe) and maps it to
/// an exit code.
fn print_result(result: &CallToolResult) -> u8 {
    let value = result.structured_content.clone().unwrap_or(Value::Null);
    let printed = with_attachments(&for_shell(&value), result);
    let text = if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        serde_json::to_string_pretty(&printed)
    } else {
        serde_json::to_string(&printed)
    };
    let mut out = super::stdout::Stdout::new();
    out.line(&text.unwrap_or_default());
    let code = if result.is_error == Some(true) {
        exit::FAILED
    } else if value.get("confirmationRequired") == Some(&Value::Bool(true)) {
        exit::NEEDS_CONFIRMATION
    } else {
        exit::OK
    };
    out.finish(code)
}
