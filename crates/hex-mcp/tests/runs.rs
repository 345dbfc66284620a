//! The runs tools against a sandbox: start, follow, wait, list, cancel, and what is refused.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use common::{Launch, Session, poll_until, sandbox, sandbox_with};
use hex_sandbox::RunningSandbox;
use serde_json::{Value, json};

const STATUS_PATH: &str = "/v1/projects/*/runs/*";

fn runnable(sandbox: &RunningSandbox) -> String {
    sandbox.state().runnable_project_ids()[0].clone()
}

async fn start_run(session: &Session, project: &str) -> String {
    let run = session
        .call("run_hex_project", json!({"project_id": project}))
        .await
        .ok();
    run["runId"].as_str().unwrap().to_string()
}

async fn status_until(session: &Session, project: &str, run: &str, wanted: &str) -> Value {
    let arguments = json!({"project_id": project, "run_id": run});
    poll_until(session, "get_hex_run_status", arguments, 50, |status| {
        status["status"] == wanted
    })
    .await
}

/// Every run of a project, walking the offset pages `limit` at a time.
async fn all_runs(session: &Session, project: &str, limit: u32, filters: Value) -> Vec<Value> {
    let mut runs = Vec::new();
    let mut offset = 0;
    loop {
        let mut arguments = json!({"project_id": project, "limit": limit, "offset": offset});
        for (key, value) in filters.as_object().unwrap() {
            arguments[key] = value.clone();
        }
        let page = session.call("get_hex_project_runs", arguments).await.ok();
        let values = page["values"].as_array().unwrap();
        assert!(values.len() <= limit as usize);
        runs.extend(values.iter().cloned());
        match page["pagination"]["next_offset"].as_u64() {
            Some(next) => {
                assert_eq!(next, offset + u64::from(limit), "offsets must not skip");
                offset = next;
            }
            None => return runs,
        }
    }
}

fn run_ids(runs: &[Value]) -> Vec<String> {
    runs.iter()
        .map(|run| run["runId"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_run_goes_from_pending_to_completed_and_a_failing_one_ends_errored() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let state = sandbox.state();
    let project = runnable(&sandbox);

    let run = session
        .call("run_hex_project", json!({"project_id": project}))
        .await
        .ok();
    let run_id = run["runId"].as_str().unwrap();
    assert_eq!(run["projectId"], project.as_str());
    assert!(run["runUrl"].as_str().unwrap().contains(run_id));
    assert!(state.run_ids(&project).contains(&run_id.to_string()));

    let first = session
        .call(
            "get_hex_run_status",
            json!({"project_id": project, "run_id": run_id}),
        )
        .await
        .ok();
    assert!(
        matches!(first["status"].as_str(), Some("PENDING" | "RUNNING")),
        "{first}"
    );
    let done = status_until(&session, &project, run_id, "COMPLETED").await;
    assert!(done["endTime"].is_string() && done["elapsedTime"].is_number());
    assert_eq!(done["runTrigger"], "API");

    // The runs list shows the same run, newest first, finished.
    let listed = session
        .call(
            "get_hex_project_runs",
            json!({"project_id": project, "limit": 1}),
        )
        .await
        .ok();
    assert_eq!(listed["values"][0]["runId"], run_id);
    assert_eq!(listed["values"][0]["status"], "COMPLETED");

    let failing = sandbox.state().failing_project_ids()[0].clone();
    let failed_run = start_run(&session, &failing).await;
    status_until(&session, &failing, &failed_run, "ERRORED").await;
    session.finish().await;
}

#[tokio::test]
async fn wait_seconds_returns_the_final_status_without_polling_fast() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let project = runnable(&sandbox);

    let run = session
        .call(
            "run_hex_project",
            json!({"project_id": project, "wait_seconds": 30}),
        )
        .await
        .ok();
    assert_eq!(run["runStatus"]["status"], "COMPLETED", "{run}");
    assert!(run["runStatus"]["endTime"].is_string());
    assert!(
        run["runStatus"].get("runId").is_none(),
        "repeats the run's id"
    );
    assert!(run["waitedSeconds"].is_u64(), "{run}");
    assert!(run.get("finished").is_none(), "{run}");
    // The run lasts under a second and polls are 2.5 s apart: one poll was enough.
    assert_eq!(sandbox.count_requests("GET", STATUS_PATH), 1);

    let failing = sandbox.state().failing_project_ids()[0].clone();
    let failed_run = start_run(&session, &failing).await;
    let status = session
        .call(
            "get_hex_run_status",
            json!({"project_id": failing, "run_id": failed_run, "wait_seconds": 20}),
        )
        .await
        .ok();
    assert_eq!(status["status"], "ERRORED", "{status}");
    assert_eq!(status["runId"], failed_run.as_str());
    session.finish().await;
}

#[tokio::test]
async fn a_wait_that_runs_out_says_so_and_keeps_to_the_pace() {
    let sandbox = sandbox_with(|config| config.run_running = Duration::from_secs(120)).await;
    let session = Launch::against(&sandbox).start().await;
    let project = runnable(&sandbox);
    let run_id = start_run(&session, &project).await;

    let started = std::time::Instant::now();
    let status = session
        .call(
            "get_hex_run_status",
            json!({"project_id": project, "run_id": run_id, "wait_seconds": 4}),
        )
        .await
        .ok();
    let took = started.elapsed();
    assert!(took >= Duration::from_secs(4), "answered after {took:?}");
    assert_eq!(status["status"], "RUNNING", "{status}");
    assert_eq!(status["finished"], false);
    assert!(
        status["next"]
            .as_str()
            .unwrap()
            .contains("get_hex_run_status"),
        "{status}"
    );
    // A first read, one after 2.5 s and a last one at the deadline: never faster.
    let polls = sandbox.count_requests("GET", STATUS_PATH);
    assert!((2..=3).contains(&polls), "{polls} status requests");
    session.finish().await;
}

#[tokio::test]
async fn a_wrong_typed_input_is_hexs_422_naming_the_input() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let state = sandbox.state();
    let (project, input) = state
        .runnable_project_ids()
        .into_iter()
        .find_map(|project| {
            let number = state
                .project_inputs(&project)
                .into_iter()
                .find(|(_, kind)| kind == "NUMBER")?;
            Some((project, number.0))
        })
        .expect("a seeded project with a NUMBER input");
    let before = state.run_ids(&project);

    let error = session
        .call(
            "run_hex_project",
            json!({"project_id": project, "input_params": {input.clone(): "many"}}),
        )
        .await
        .err();
    // RunProject answers the new error body: the rejected input is one of its issues.
    assert_eq!(error["status"], 422, "{error}");
    assert_eq!(error["code"], "UNPROCESSABLE_CONTENT", "{error}");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains(&input) && message.contains("NUMBER"),
        "{message}"
    );
    assert_eq!(state.run_ids(&project), before, "a run was created");

    // The same input with the right type runs.
    let run = session
        .call(
            "run_hex_project",
            json!({"project_id": project, "input_params": {input: 10}}),
        )
        .await
        .ok();
    assert!(
        state
            .run_ids(&project)
            .contains(&run["runId"].as_str().unwrap().to_string())
    );
    session.finish().await;
}

#[tokio::test]
async fn running_an_unpublished_project_is_a_clear_error() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let project = sandbox.state().unpublished_project_ids()[0].clone();
    let answer = session
        .call("run_hex_project", json!({"project_id": project}))
        .await;
    assert!(answer.text.contains("published"), "{}", answer.text);
    let error = answer.err();
    assert_eq!(error["status"], 422);
    assert!(sandbox.state().run_ids(&project).is_empty());

    let unknown = "00000000-0000-4000-8000-000000000000";
    let error = session
        .call("run_hex_project", json!({"project_id": unknown}))
        .await
        .err();
    assert_eq!(error["status"], 404);
    assert!(
        error["next"]
            .as_str()
            .unwrap()
            .contains("search_hex_projects")
    );
    session.finish().await;
}

#[tokio::test]
async fn combinations_hex_refuses_are_refused_before_sending() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let project = runnable(&sandbox);
    let inputs = json!({"region": "EU"});
    let cases = [
        (
            json!({"project_id": project, "input_params": inputs, "view_id": "v1"}),
            "view_id",
        ),
        (
            json!({"project_id": project, "input_params": inputs, "update_published_results": true}),
            "update_published_results",
        ),
        (
            json!({"project_id": project, "notifications": [{"type": "ALL"}]}),
            "notifications[0]",
        ),
        (
            json!({"project_id": project, "notifications": [{"type": "SOMETIMES", "user_ids": []}]}),
            "notifications[0].type",
        ),
        (
            json!({"project_id": project, "wait_seconds": 601}),
            "wait_seconds",
        ),
    ];
    for (arguments, field) in cases {
        let error = session.call("run_hex_project", arguments).await.err();
        assert_eq!(error["field"], field, "{error}");
        assert_eq!(error["kind"], "invalid_input");
    }
    assert!(sandbox.requests().is_empty(), "{:?}", sandbox.requests());
    session.finish().await;
}

#[tokio::test]
async fn cancelling_a_running_run_kills_it_and_a_second_cancel_says_it_ended() {
    let sandbox = sandbox_with(|config| config.run_running = Duration::from_secs(120)).await;
    let session = Launch::against(&sandbox).start().await;
    let project = runnable(&sandbox);
    let run_id = start_run(&session, &project).await;
    let arguments = json!({"project_id": project, "run_id": run_id});

    let cancelled = session.call("cancel_hex_run", arguments.clone()).await.ok();
    assert_eq!(cancelled["cancelled"], true);
    assert_eq!(cancelled["runId"], run_id.as_str());
    assert!(
        cancelled["next"]
            .as_str()
            .unwrap()
            .contains("get_hex_run_status")
    );
    let status = session
        .call("get_hex_run_status", arguments.clone())
        .await
        .ok();
    assert_eq!(status["status"], "KILLED");

    // Nothing left to cancel: Hex's refusal is passed on, not reported as success.
    let again = session.call("cancel_hex_run", arguments).await;
    assert!(again.text.contains("KILLED"), "{}", again.text);
    assert_eq!(again.err()["status"], 422);
    session.finish().await;
}

#[tokio::test]
async fn the_runs_list_pages_by_offset_and_filters_by_status_and_trigger() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let state = sandbox.state();
    let project = runnable(&sandbox);
    let mut ours = Vec::new();
    for _ in 0..3 {
        ours.push(start_run(&session, &project).await);
    }
    status_until(&session, &project, ours.last().unwrap(), "COMPLETED").await;

    let everything = all_runs(&session, &project, 2, json!({})).await;
    let mut expected = state.run_ids(&project);
    expected.reverse();
    assert_eq!(run_ids(&everything), expected, "no gaps, no duplicates");
    assert!(everything.iter().all(|run| run.get("traceId").is_none()));

    let completed = all_runs(&session, &project, 1, json!({"status_filter": "completed"})).await;
    assert!(completed.iter().all(|run| run["status"] == "COMPLETED"));
    let completed_ids = run_ids(&completed);
    assert!(ours.iter().all(|id| completed_ids.contains(id)));
    let in_full: Vec<String> = run_ids(&everything)
        .into_iter()
        .filter(|id| completed_ids.contains(id))
        .collect();
    assert_eq!(completed_ids, in_full);

    let by_api = all_runs(
        &session,
        &project,
        100,
        json!({"run_trigger_filter": "API"}),
    )
    .await;
    assert!(by_api.iter().all(|run| run["runTrigger"] == "API"));
    assert!(ours.iter().all(|id| run_ids(&by_api).contains(id)));

    // Going back: previous_offset of the second page is the first page.
    let second = session
        .call(
            "get_hex_project_runs",
            json!({"project_id": project, "limit": 2, "offset": 2}),
        )
        .await
        .ok();
    assert_eq!(second["pagination"]["previous_offset"], 0);
    session.finish().await;
}

#[tokio::test]
async fn a_dry_run_creates_nothing() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let state = sandbox.state();
    let project = runnable(&sandbox);
    let list = json!({"project_id": project, "limit": 100});
    let before = session
        .call("get_hex_project_runs", list.clone())
        .await
        .ok();
    let runs_before = state.run_ids(&project);

    let answer = session
        .call(
            "run_hex_project",
            json!({"project_id": project, "dry_run": true, "wait_seconds": 30}),
        )
        .await
        .ok();
    assert!(answer["runId"].is_string());
    assert!(answer["note"].as_str().unwrap().contains("dry run"));
    assert!(
        answer.get("runStatus").is_none(),
        "a dry run has nothing to wait for"
    );
    let posted = sandbox
        .requests()
        .into_iter()
        .find(|request| request.method == "POST")
        .unwrap();
    assert_eq!(posted.body.unwrap()["dryRun"], true);

    assert_eq!(state.run_ids(&project), runs_before);
    let after = session.call("get_hex_project_runs", list).await.ok();
    assert_eq!(after["values"], before["values"]);
    session.finish().await;
}

#[tokio::test]
async fn notifications_are_sent_in_hexs_shape_and_read_back() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let project = runnable(&sandbox);
    let me = sandbox.state().me_id();
    let run = session
        .call(
            "run_hex_project",
            json!({
                "project_id": project,
                "use_cached_sql_results": false,
                "notifications": [{
                    "type": "failure",
                    "user_ids": [me],
                    "slack_channel_ids": ["C0123"],
                    "subject": "Nightly run failed",
                }],
            }),
        )
        .await
        .ok();
    let posted = sandbox
        .requests()
        .into_iter()
        .find(|request| request.method == "POST")
        .unwrap()
        .body
        .unwrap();
    assert_eq!(posted["useCachedSqlResults"], false);
    assert_eq!(
        posted["notifications"][0],
        json!({"type": "FAILURE", "includeSuccessScreenshot": false, "userIds": [me],
               "slackChannelIds": ["C0123"], "subject": "Nightly run failed"})
    );

    let status = session
        .call(
            "get_hex_run_status",
            json!({"project_id": project, "run_id": run["runId"]}),
        )
        .await
        .ok();
    let recipients: Vec<&str> = status["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["recipientType"].as_str().unwrap())
        .collect();
    assert_eq!(recipients, ["SLACK_CHANNEL", "USER"]);
    session.finish().await;
}

/// A waited run reports each new status as MCP progress (the client sends a progress token),
/// and the outcome comes with the answer.
#[tokio::test]
async fn a_waited_run_reports_progress_as_its_status_changes() {
    let sandbox = sandbox_with(|config| {
        config.run_pending = Duration::from_millis(1_000);
        config.run_running = Duration::from_millis(4_000);
    })
    .await;
    let session = Launch::against(&sandbox).start().await;
    let project = runnable(&sandbox);
    let run = session
        .call(
            "run_hex_project",
            json!({"project_id": project, "wait_seconds": 60}),
        )
        .await
        .ok();
    assert_eq!(run["runStatus"]["status"], "COMPLETED", "{run}");
    let progress = session.progress();
    let messages: Vec<String> = progress
        .iter()
        .filter_map(|note| note.message.clone())
        .collect();
    assert!(progress.len() >= 2, "{messages:?}");
    assert!(messages[0].contains("started"), "{messages:?}");
    assert!(
        messages.last().unwrap().contains("COMPLETED"),
        "{messages:?}"
    );
    // Progress only grows.
    assert!(
        progress
            .windows(2)
            .all(|pair| pair[0].progress <= pair[1].progress)
    );
    session.finish().await;
}

/// Cancelling a waiting call stops the polling within a second; the run itself goes on.
#[tokio::test]
async fn a_cancelled_wait_stops_polling_within_a_second() {
    let sandbox = sandbox_with(|config| config.run_pending = Duration::from_secs(120)).await;
    let session = Launch::against(&sandbox).start().await;
    let project = runnable(&sandbox);
    let handle = session
        .start_call(
            "run_hex_project",
            json!({"project_id": project, "wait_seconds": 120}),
        )
        .await;
    // Let it start the run and make a poll or two.
    for _ in 0..100 {
        if sandbox.count_requests("GET", STATUS_PATH) >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(sandbox.count_requests("GET", STATUS_PATH) >= 1);
    handle.cancel(Some("test".into())).await.unwrap();
    let cancelled_at = time::OffsetDateTime::now_utc();
    // Longer than two poll intervals: a wait that did not stop would have polled again.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let late: Vec<_> = sandbox
        .requests()
        .into_iter()
        .filter(|request| request.method == "GET" && request.path.contains("/runs/"))
        .filter(|request| request.time > cancelled_at + time::Duration::seconds(1))
        .collect();
    assert!(late.is_empty(), "polled after the cancel: {late:?}");
    // The run was not touched.
    let runs = sandbox.state().run_ids(&project);
    assert_eq!(sandbox.count_requests("DELETE", "/v1/projects/*/runs/*"), 0);
    assert!(!runs.is_empty());
    session.finish().await;
}

/// A client that uses the Tasks extension gets a waited run as a task: the call answers at once
/// and tasks/get gives the run's final status.
#[tokio::test]
async fn a_waited_run_is_a_task_for_clients_that_use_tasks() {
    use rmcp::model::{CallToolRequestParams, CallToolResponse, GetTaskParams, TaskPayload};
    let sandbox = sandbox().await;
    let client = common::TestClient {
        tasks: true,
        ..common::TestClient::default()
    };
    let session = Launch::against(&sandbox).client(client).start().await;
    let project = runnable(&sandbox);
    let params = CallToolRequestParams::new("run_hex_project").with_arguments(
        json!({"project_id": project, "wait_seconds": 60})
            .as_object()
            .cloned()
            .unwrap(),
    );
    let CallToolResponse::Task(created) = session.client.call_tool_once(params).await.unwrap()
    else {
        panic!("expected a task");
    };
    let task_id = created.task.task_id.clone();
    let finished = loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let info = session
            .client
            .peer()
            .get_task(GetTaskParams::new(task_id.clone()))
            .await
            .unwrap();
        if info.task.status().is_terminal() {
            break info.task;
        }
    };
    let TaskPayload::Completed { result } = finished.payload else {
        panic!("expected a completed task, got {:?}", finished.payload);
    };
    let result: rmcp::model::CallToolResult =
        serde_json::from_value(Value::Object(result)).unwrap();
    let value = result.structured_content.unwrap();
    assert_eq!(value["runStatus"]["status"], "COMPLETED", "{value}");
    assert!(
        sandbox
            .state()
            .run_ids(&project)
            .contains(&value["runId"].as_str().unwrap().to_string())
    );
    // Without a wait, the same client gets the answer directly.
    let direct = session
        .call("run_hex_project", json!({"project_id": project}))
        .await
        .ok();
    assert!(direct["runId"].is_string());
    session.finish().await;
}
