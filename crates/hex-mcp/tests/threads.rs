//! Hex's agent over MCP against a sandbox whose threads run a few seconds: waiting with
//! progress, cancelling a wait, follow-ups refused while RUNNING, waits served as tasks,
//! reading threads, messages and topics back, ERROR threads, and input refused before sending.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{Launch, TestClient, answer_of, sandbox_with};
use hex_sandbox::RunningSandbox;
use rmcp::model::{CallToolResponse, CallToolResult, GetTaskParams, ProtocolVersion, TaskPayload};
use serde_json::{Value, json};

const CREATE_THREAD: &str = "/v1/threads";
const REVENUE: &str = "What was revenue by month last quarter?";

/// A sandbox whose threads are RUNNING for `running_ms` after each prompt.
async fn threads_sandbox(running_ms: u64) -> RunningSandbox {
    sandbox_with(|config| config.thread_running = Duration::from_millis(running_ms)).await
}

fn unix_nanos(time: SystemTime) -> i128 {
    i128::try_from(time.duration_since(UNIX_EPOCH).unwrap().as_nanos()).unwrap()
}

/// Arrival times (Unix nanoseconds) of the GetThread requests so far.
fn get_thread_times(sandbox: &RunningSandbox) -> Vec<i128> {
    sandbox
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && is_get_thread(&r.path))
        .map(|r| r.time.unix_timestamp_nanos())
        .collect()
}

fn is_get_thread(path: &str) -> bool {
    let rest = path.strip_prefix("/api/v1/threads/").unwrap_or("");
    !rest.is_empty() && !rest.contains('/')
}

#[tokio::test]
async fn a_waited_question_reports_progress_and_answers_with_real_projects_and_cells() {
    let sandbox = threads_sandbox(3_500).await;
    let session = Launch::against(&sandbox).start().await;
    let answer = session
        .call(
            "create_hex_thread",
            json!({"prompt": REVENUE, "wait_seconds": 60}),
        )
        .await
        .ok();
    assert_eq!(answer["status"], "IDLE", "{answer}");
    assert!(answer.get("next").is_none(), "{answer}");
    assert!(answer["waitedSeconds"].as_u64().unwrap() >= 3);
    let thread_id = answer["threadId"].as_str().unwrap();

    // Progress: one when the prompt was sent, one per poll that showed something new.
    assert!(session.progress_since(0, 2).await.len() >= 2);
    let progress = session.progress();
    let messages: Vec<&str> = progress
        .iter()
        .filter_map(|p| p.message.as_deref())
        .collect();
    assert!(messages[0].starts_with("RUNNING"), "{messages:?}");
    assert_eq!(messages.last(), Some(&"IDLE: Hex's agent answered"));
    assert!(
        progress.windows(2).all(|w| w[1].progress > w[0].progress),
        "progress must increase"
    );
    // They were written before the answer.
    let stdout = session.stdout.text();
    let first_progress = stdout.find("notifications/progress").unwrap();
    let result = stdout.find("\"threadId\"").unwrap();
    assert!(first_progress < result);

    // The agent's text, verbatim, with its figures.
    let text = answer["text"].as_str().unwrap();
    assert_eq!(
        Some(text),
        sandbox.state().thread_answer_text(thread_id).as_deref()
    );
    assert!(text.contains(',') && text.chars().any(|c| c.is_ascii_digit()));
    assert_eq!(answer["tasks"].as_array().unwrap().len(), 3);

    // The project and the cell exist, and the cell belongs to the project.
    let project = &answer["projects"][0];
    let project_id = project["id"].as_str().unwrap();
    let read = session
        .call("get_hex_project", json!({"project_id": project_id}))
        .await
        .ok();
    assert_eq!(read["title"], project["title"]);
    let cell = &answer["cells"][0];
    let read = session
        .call("get_hex_cell", json!({"cell_id": cell["id"]}))
        .await
        .ok();
    assert_eq!(read["staticId"], cell["staticId"]);
    assert_eq!(read["projectId"], project_id);

    // GetThread was polled no faster than the hex-api quota allows (2.5 s).
    let times = get_thread_times(&sandbox);
    assert!(!times.is_empty());
    for pair in times.windows(2).take(2) {
        assert!(
            pair[1] - pair[0] >= 2_400_000_000,
            "polled too fast: {times:?}"
        );
    }
    session.finish().await;
}

#[tokio::test]
async fn a_cancelled_wait_stops_polling_within_a_second() {
    let sandbox = threads_sandbox(4_000).await;
    let session = Launch::against(&sandbox).start().await;
    let handle = session
        .start_call(
            "create_hex_thread",
            json!({"prompt": REVENUE, "wait_seconds": 120}),
        )
        .await;
    assert!(
        !session.progress_since(0, 1).await.is_empty(),
        "no progress came"
    );
    assert_eq!(sandbox.count_requests("POST", CREATE_THREAD), 1);
    let cancelled_at = unix_nanos(SystemTime::now());
    handle.cancel(Some("test".into())).await.unwrap();
    // Long enough for an unstopped wait to poll (every 2.5 s) at least once more.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let late: Vec<i128> = get_thread_times(&sandbox)
        .into_iter()
        .filter(|time| *time > cancelled_at + 1_000_000_000)
        .collect();
    assert!(late.is_empty(), "GetThread still polled after the cancel");
    // The thread lives on, and the server still answers.
    let thread_id = sandbox.state().thread_ids()[0].clone();
    let read = session
        .call("get_hex_thread", json!({"thread_id": thread_id}))
        .await
        .ok();
    assert_eq!(read["threadId"], thread_id);
    session.finish().await;
}

#[tokio::test]
async fn a_follow_up_to_a_running_thread_is_refused_and_changes_nothing() {
    let sandbox = threads_sandbox(3_000).await;
    let session = Launch::against(&sandbox).start().await;
    let created = session
        .call("create_hex_thread", json!({"prompt": REVENUE}))
        .await
        .ok();
    let thread_id = created["threadId"].as_str().unwrap().to_owned();
    assert!(created["next"].as_str().unwrap().contains("get_hex_thread"));

    let refused = session
        .call(
            "continue_hex_thread",
            json!({"thread_id": thread_id, "prompt": "Now split it by region"}),
        )
        .await;
    assert!(refused.is_error);
    let message = refused.err()["message"].as_str().unwrap().to_owned();
    assert!(message.contains("still RUNNING"), "{message}");
    assert!(message.contains("get_hex_thread"), "{message}");
    assert!(message.contains("IDLE"), "{message}");
    assert_eq!(sandbox.state().thread_prompts(&thread_id), [REVENUE]);
    assert_eq!(sandbox.count_requests("POST", "/v1/threads/*/followup"), 1);

    // Once IDLE, the same follow-up is taken.
    let idle = session
        .call(
            "get_hex_thread",
            json!({"thread_id": thread_id, "wait_seconds": 30}),
        )
        .await
        .ok();
    assert_eq!(idle["status"], "IDLE");
    let continued = session
        .call(
            "continue_hex_thread",
            json!({"thread_id": thread_id, "prompt": "Now split it by region", "wait_seconds": 30}),
        )
        .await
        .ok();
    assert_eq!(continued["status"], "IDLE", "{continued}");
    assert_eq!(sandbox.state().thread_prompts(&thread_id).len(), 2);
    session.finish().await;
}

#[tokio::test]
async fn a_wait_is_served_as_a_task_to_clients_that_use_tasks() {
    let sandbox = threads_sandbox(3_000).await;
    let client = TestClient {
        tasks: true,
        protocol: Some(ProtocolVersion::V_2026_07_28),
        ..TestClient::default()
    };
    let session = Launch::against(&sandbox)
        .client(client)
        .stateless()
        .start()
        .await;
    // Without a wait the call answers at once, not as a task.
    let quick = session
        .call_once(
            "create_hex_thread",
            json!({"prompt": "Summarise web traffic"}),
        )
        .await;
    assert!(matches!(quick, CallToolResponse::Complete(_)), "{quick:?}");

    let response = session
        .call_once(
            "create_hex_thread",
            json!({"prompt": REVENUE, "wait_seconds": 60}),
        )
        .await;
    let CallToolResponse::Task(created) = response else {
        panic!("expected a task, got {response:?}");
    };
    let task_id = created.task.task_id.clone();
    let mut statuses = Vec::new();
    let mut done = None;
    for _ in 0..60 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let info = session
            .client
            .peer()
            .get_task(GetTaskParams::new(task_id.clone()))
            .await
            .unwrap();
        statuses.extend(info.task.task.status_message.clone());
        if info.task.status().is_terminal() {
            done = Some(info.task.payload);
            break;
        }
    }
    let Some(TaskPayload::Completed { result }) = done else {
        panic!("the task did not complete: {done:?}");
    };
    let result: CallToolResult = serde_json::from_value(Value::Object(result)).unwrap();
    let answer = answer_of(result).ok();
    assert_eq!(answer["status"], "IDLE");
    let thread_id = answer["threadId"].as_str().unwrap();
    assert_eq!(
        answer["text"].as_str(),
        sandbox.state().thread_answer_text(thread_id).as_deref()
    );
    assert!(
        statuses.iter().any(|s| s.starts_with("RUNNING")),
        "the task's status message followed the thread: {statuses:?}"
    );
    session.finish().await;
}

#[tokio::test]
async fn threads_messages_and_topics_read_back_what_was_asked() {
    let sandbox = threads_sandbox(1_000).await;
    let session = Launch::against(&sandbox).start().await;
    let asked = session
        .call(
            "create_hex_thread",
            json!({"prompt": REVENUE, "wait_seconds": 20}),
        )
        .await
        .ok();
    let thread_id = asked["threadId"].as_str().unwrap().to_owned();
    let text = asked["text"].as_str().unwrap().to_owned();
    let muted = session
        .call(
            "create_hex_thread",
            json!({"prompt": "A private scratch question", "muted": true}),
        )
        .await
        .ok();

    // Listed newest first, filtered as asked; the muted thread is not listed.
    let listed = session
        .call(
            "list_hex_threads",
            json!({"source": "PUBLIC_API", "num_days": 1}),
        )
        .await
        .ok();
    let ids: Vec<&str> = listed["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [thread_id.as_str()]);
    assert_eq!(listed["values"][0]["title"], REVENUE);
    assert!(listed["values"][0].get("orgId").is_none());

    // Read by id, the muted one too.
    let read = session
        .call("get_hex_thread", json!({"thread_id": thread_id}))
        .await
        .ok();
    assert_eq!(read["status"], "IDLE");
    assert_eq!(read["text"], text);
    assert_eq!(read["source"], "PUBLIC_API");
    assert!(read["creditsUsed"].as_f64().unwrap() > 0.0);
    let topic_names: Vec<&str> = read["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(topic_names, ["Revenue"]);
    let muted_id = muted["threadId"].as_str().unwrap();
    let read_muted = session
        .call("get_hex_thread", json!({"thread_id": muted_id}))
        .await
        .ok();
    assert_eq!(read_muted["threadId"], muted_id);

    // Messages: the newest page first, older ones with `before`.
    let newest = session
        .call(
            "get_hex_thread_messages",
            json!({"thread_id": thread_id, "limit": 2}),
        )
        .await
        .ok();
    let texts = |page: &Value| -> Vec<String> {
        page["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["text"].as_str().unwrap().to_owned())
            .collect()
    };
    let page = texts(&newest);
    assert_eq!(page.len(), 2);
    assert!(page[0].starts_with("Assistant [thinking]"), "{page:?}");
    assert_eq!(page[1], format!("Assistant: {text}"));
    assert!(newest["pagination"].get("after").is_none());
    let before = newest["pagination"]["before"].as_str().unwrap();
    let older = session
        .call(
            "get_hex_thread_messages",
            json!({"thread_id": thread_id, "before": before}),
        )
        .await
        .ok();
    assert_eq!(texts(&older), [format!("User: {REVENUE}")]);
    let full = session
        .call(
            "get_hex_thread_messages",
            json!({"thread_id": thread_id, "full": true}),
        )
        .await
        .ok();
    let records: Vec<Value> = texts(&full)
        .iter()
        .filter_map(|t| serde_json::from_str(t).ok())
        .collect();
    assert!(!records.is_empty(), "full adds JSON records");

    // Topics by name; a topic id filters the list.
    let topics = session.call("list_hex_topics", json!({})).await.ok();
    let names: Vec<&str> = topics["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|name| name.to_lowercase());
    assert_eq!(names, sorted);
    let revenue = topics["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Revenue")
        .unwrap()["id"]
        .clone();
    let by_topic = session
        .call(
            "list_hex_threads",
            json!({"topic_ids": [revenue], "limit": 100}),
        )
        .await
        .ok();
    let values = by_topic["values"].as_array().unwrap();
    assert!(values.iter().any(|t| t["id"] == thread_id.as_str()));
    assert!(values.iter().all(|t| {
        t["topics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|topic| topic["name"] == "Revenue")
    }));
    session.finish().await;
}

#[tokio::test]
async fn a_thread_that_fails_reports_its_error() {
    let sandbox = threads_sandbox(1_000).await;
    let session = Launch::against(&sandbox).start().await;
    let answer = session
        .call(
            "create_hex_thread",
            json!({"prompt": "[sandbox:error] revenue by month", "wait_seconds": 20}),
        )
        .await
        .ok();
    assert_eq!(answer["status"], "ERROR", "{answer}");
    assert_eq!(answer["error"]["type"], "AGENT_ERROR");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("[sandbox:error]")
    );
    assert!(answer.get("text").is_none());
    assert!(answer.get("next").is_none());
    let thread_id = answer["threadId"].as_str().unwrap();
    let read = session
        .call("get_hex_thread", json!({"thread_id": thread_id}))
        .await
        .ok();
    assert_eq!(read["error"], answer["error"]);
    // A thread in ERROR takes no follow-up, and the tool says what to do instead.
    let refused = session
        .call(
            "continue_hex_thread",
            json!({"thread_id": thread_id, "prompt": "try again"}),
        )
        .await
        .err();
    let message = refused["message"].as_str().unwrap();
    assert!(
        message.contains("in ERROR") && message.contains("create_hex_thread"),
        "{message}"
    );
    session.finish().await;
}

/// `hex-mcp call TOOL --json ARGS` against `sandbox`: the exit code and the printed JSON.
async fn call_command(sandbox: &RunningSandbox, tool: &str, arguments: Value) -> (i32, Value) {
    let home = std::env::temp_dir().join(format!("hex-mcp-threads-call-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_hex-mcp"))
        .args(["call", tool, "--json", &arguments.to_string()])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("HEX_API_URL", sandbox.base_url())
        .env("HEX_API_KEY", sandbox.token())
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let value = serde_json::from_str(stdout.trim()).unwrap_or(Value::Null);
    (output.status.code().unwrap_or(-1), value)
}

#[tokio::test]
async fn the_call_command_exits_with_how_the_wait_ended() {
    let quick = threads_sandbox(1_000).await;
    let (code, value) = call_command(
        &quick,
        "create_hex_thread",
        json!({"prompt": REVENUE, "wait_seconds": 20}),
    )
    .await;
    assert_eq!((code, &value["status"]), (0, &json!("IDLE")), "{value}");
    let (code, value) = call_command(
        &quick,
        "create_hex_thread",
        json!({"prompt": "[sandbox:error] churn", "wait_seconds": 20}),
    )
    .await;
    assert_eq!((code, &value["status"]), (4, &json!("ERROR")), "{value}");

    let slow = threads_sandbox(60_000).await;
    let (code, created) =
        call_command(&slow, "create_hex_thread", json!({"prompt": REVENUE})).await;
    assert_eq!(code, 0, "{created}");
    let (code, value) = call_command(
        &slow,
        "get_hex_thread",
        json!({"thread_id": created["threadId"], "wait_seconds": 1}),
    )
    .await;
    assert_eq!(code, 6, "{value}");
    assert_eq!(value["status"], "RUNNING");
    assert!(
        value["next"].as_str().unwrap().contains("wait_seconds"),
        "{value}"
    );
}

#[tokio::test]
async fn bad_input_is_refused_naming_the_field_before_anything_is_sent() {
    let sandbox = threads_sandbox(1_000).await;
    let session = Launch::against(&sandbox).start().await;
    let project = sandbox.state().project_ids()[0].clone();
    let cases = [
        ("create_hex_thread", json!({"prompt": ""}), "prompt"),
        ("create_hex_thread", json!({"prompt": "  \n "}), "prompt"),
        (
            "create_hex_thread",
            json!({"prompt": "q", "project_id": project, "new_project": true}),
            "new_project",
        ),
        (
            "create_hex_thread",
            json!({"prompt": "q", "wait_seconds": 601}),
            "wait_seconds",
        ),
        (
            "create_hex_thread",
            json!({"prompt": "q", "attachments": {"project_ids": ["not-a-uuid"]}}),
            "attachments.project_ids[0]",
        ),
        (
            "continue_hex_thread",
            json!({"thread_id": "abc", "prompt": ""}),
            "prompt",
        ),
        (
            "get_hex_thread",
            json!({"thread_id": "abc", "wait_seconds": 1000}),
            "wait_seconds",
        ),
        ("get_hex_thread", json!({"thread_id": "a/b"}), "thread_id"),
        ("list_hex_threads", json!({"roles": ["OWNER"]}), "roles[0]"),
        ("list_hex_threads", json!({"num_days": 0}), "num_days"),
        (
            "get_hex_thread_messages",
            json!({"thread_id": "abc", "before": "x", "after": "y"}),
            "before",
        ),
    ];
    for (tool, arguments, field) in cases {
        let error = session.call(tool, arguments.clone()).await.err();
        assert_eq!(
            error["kind"], "invalid_input",
            "{tool} {arguments}: {error}"
        );
        assert_eq!(error["field"], field, "{tool} {arguments}: {error}");
    }
    assert!(
        sandbox.requests().is_empty(),
        "nothing may be sent: {:?}",
        sandbox.requests()
    );
    session.finish().await;
}
