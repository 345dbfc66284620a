//! A thread as the tools answer it: compact, with the agent's text verbatim.

use hex_client::api::threads::{ResponseBlock, Thread};
use serde_json::{Map, Value, json};

use super::wait::Followed;
use crate::{errors::ToolError, output::to_output};

/// The agent's answer: status, its `text` blocks (joined by blank lines, otherwise verbatim),
/// the cells and projects it made or used, its task titles and its error.
pub fn answer(thread: &Thread) -> Result<Map<String, Value>, ToolError> {
    let mut texts = Vec::new();
    let mut cells = Vec::new();
    let mut projects = Vec::new();
    let mut tasks = Vec::new();
    let mut other = Vec::new();
    for block in thread.blocks() {
        match block {
            ResponseBlock::Text(block) => texts.push(block.text.as_str()),
            ResponseBlock::Cell(cell) => cells.push(to_output(cell)?),
            ResponseBlock::Project(project) => projects.push(to_output(project)?),
            ResponseBlock::Task(task) => tasks.push(task.title.as_str()),
            ResponseBlock::Unknown(value) => other.push(value.clone()),
        }
    }
    let mut out = Map::new();
    out.insert("threadId".into(), json!(thread.thread_id));
    out.insert("status".into(), json!(thread.status));
    out.insert("title".into(), json!(thread.info.title));
    if !texts.is_empty() {
        out.insert("text".into(), json!(texts.join("\n\n")));
    }
    for (key, list) in [
        ("cells", cells),
        ("projects", projects),
        ("otherBlocks", other),
    ] {
        if !list.is_empty() {
            out.insert(key.into(), Value::Array(list));
        }
    }
    if !tasks.is_empty() {
        out.insert("tasks".into(), json!(tasks));
    }
    if let Some(error) = &thread.error {
        out.insert("error".into(), to_output(error)?);
    }
    out.insert("url".into(), json!(thread.info.url));
    Ok(out)
}

/// [`answer`] plus what get_hex_thread adds: when, by whom, from where, credits, topics,
/// warnings, feedback and the objects the thread refers to.
pub fn details(thread: &Thread) -> Result<Map<String, Value>, ToolError> {
    let mut out = answer(thread)?;
    let Value::Object(info) = to_output(&thread.info)? else {
        return Ok(out);
    };
    const DROPPED: [&str; 7] = [
        "url",
        "title",
        "model",
        "auto",
        "effectiveModel",
        "effortLevel",
        "warningsGeneratedAt",
    ];
    for (key, value) in info {
        let quiet = key == "sensitive" && value == Value::Bool(false);
        if !DROPPED.contains(&key.as_str()) && !quiet {
            out.insert(key, value);
        }
    }
    if !thread.resources.is_empty() {
        out.insert("resources".into(), to_output(&thread.resources)?);
    }
    Ok(out)
}

/// Adds where a wait ended: the seconds waited and, unless the agent finished, what to do next.
pub fn add_wait(out: &mut Map<String, Value>, followed: &Followed) {
    out.insert("waitedSeconds".into(), json!(followed.seconds));
    if let Some(next) = followed.next() {
        out.insert("next".into(), json!(next));
    }
}
