//! GetThreadMessages: the thread as one flat list of role-prefixed text blocks, oldest first
//! within a page, the newest page by default; `full=true` adds the message records as JSON.

use std::collections::BTreeSet;

use axum::Json as AxumJson;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use super::find_thread;
use crate::errors::{ApiError, ApiResult};
use crate::pagination::{PageRequest, Position, encode, paginate};
use crate::routes::extract::Query;
use crate::routes::{AppState, ts};
use crate::state::threads::{Block, Thread, Turn, format_id};
use crate::state::{Millis, now_ms};

/// One rendered block.
struct Rendered {
    text: String,
    created_at: Millis,
}

/// `GET /v1/threads/{threadId}/messages`
pub(crate) async fn messages(
    State(shared): State<AppState>,
    Path(id): Path<String>,
    query: Query,
) -> ApiResult<AxumJson<Value>> {
    let mut request = query.page(50)?;
    let full = query.bool("full")?;
    let ws = shared.read();
    let thread = find_thread(&ws, &id)?;
    if !thread.visible_to(ws.me) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "This thread is private to its author",
        ));
    }
    let blocks = render(thread, now_ms(), full);
    // Keys are positions in the rendering; the scope ties a cursor to this thread and mode.
    let index: BTreeSet<(u64, Uuid)> = (0..blocks.len() as u64)
        .map(|i| (i, Uuid::from_u128(u128::from(i))))
        .collect();
    let scope = format!("messages:{}:{full}", format_id(&thread.id));
    if request.position == Position::Start {
        // The newest page: everything before a key past the end.
        let end = encode(&scope, &u64::MAX, &Uuid::from_u128(u128::MAX));
        request = PageRequest {
            position: Position::Before(end),
            ..request
        };
    }
    let page = paginate(&index, &scope, false, &request, |_| true)?;
    let content: Vec<Value> = page
        .items
        .iter()
        .filter_map(|(i, _)| blocks.get(usize::try_from(*i).ok()?))
        .map(|b| json!({"type": "text", "text": b.text, "createdAt": ts(b.created_at)}))
        .collect();
    Ok(AxumJson(
        json!({"content": content, "pagination": page.pagination_json()}),
    ))
}

/// The thread's messages at `now`: each prompt, then (once the turn ended) the agent's thinking,
/// its records when `full`, and its answer or error.
fn render(thread: &Thread, now: Millis, full: bool) -> Vec<Rendered> {
    let mut blocks = Vec::new();
    for turn in &thread.turns {
        blocks.push(Rendered {
            text: format!("User: {}", turn.prompt),
            created_at: turn.asked_at,
        });
        if turn.is_done(now) {
            agent_blocks(turn, full, &mut blocks);
        }
    }
    blocks
}

fn agent_blocks(turn: &Turn, full: bool, blocks: &mut Vec<Rendered>) {
    let at = turn.done_at();
    let tasks: Vec<&str> = turn
        .plan
        .tasks
        .iter()
        .filter_map(|block| match block {
            Block::Task(title) => Some(title.as_str()),
            _ => None,
        })
        .collect();
    let mut push = |text: String| {
        blocks.push(Rendered {
            text,
            created_at: at,
        })
    };
    push(format!("Assistant [thinking]: Plan: {}", tasks.join("; ")));
    if full {
        for task in &tasks {
            let call = json!({"role": "assistant", "type": "tool-call", "tool": "run_task", "input": {"task": task}});
            let result = json!({"role": "tool", "type": "tool-result", "tool": "run_task", "output": "done"});
            push(call.to_string());
            push(result.to_string());
        }
    }
    match &turn.plan.failure {
        Some(failure) => push(format!(
            "Assistant [error]: {}: {}",
            failure.kind, failure.message
        )),
        None => {
            for block in &turn.plan.result {
                if let Block::Text(text) = block {
                    push(format!("Assistant: {text}"));
                }
            }
        }
    }
}
