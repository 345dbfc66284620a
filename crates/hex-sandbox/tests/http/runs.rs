//! RunProject, GetRunStatus, GetProjectRuns and CancelRun.

use std::time::{Duration, Instant};

use hex_sandbox::SandboxConfig;
use serde_json::{Value, json};

use crate::common::{Api, assert_error, config};

fn quick_runs() -> SandboxConfig {
    SandboxConfig {
        run_pending: Duration::from_millis(700),
        run_running: Duration::from_millis(900),
        ..config()
    }
}

fn slow_runs() -> SandboxConfig {
    SandboxConfig {
        run_pending: Duration::from_secs(30),
        run_running: Duration::from_secs(30),
        ..config()
    }
}

/// Polls the run until it reaches a terminal status, returning every status seen in order.
async fn follow(api: &Api, status_path: &str) -> (Vec<String>, Value) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen: Vec<String> = Vec::new();
    loop {
        let answer = api.get(status_path).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        let status = answer.body["status"].as_str().unwrap().to_owned();
        if seen.last() != Some(&status) {
            seen.push(status.clone());
        }
        if !matches!(status.as_str(), "PENDING" | "RUNNING") || Instant::now() > deadline {
            return (seen, answer.body);
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
}

#[tokio::test]
async fn a_run_goes_pending_running_completed() {
    let api = Api::with(quick_runs()).await;
    let project = api.sandbox.state().runnable_project_ids()[0].clone();
    let created = api
        .post(&format!("/projects/{project}/runs"), json!({}))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let run = created.body;
    for key in [
        "projectId",
        "runId",
        "runUrl",
        "runStatusUrl",
        "traceId",
        "projectVersion",
    ] {
        assert!(run.get(key).is_some(), "{key} missing");
    }
    assert!(run["projectVersion"].is_i64());
    let status_url = run["runStatusUrl"].as_str().unwrap();
    let path = status_url
        .strip_prefix(&api.sandbox.base_url())
        .expect("runStatusUrl points at the sandbox");
    let (seen, last) = follow(&api, path).await;
    assert_eq!(seen, ["PENDING", "RUNNING", "COMPLETED"]);
    assert_eq!(last["runTrigger"], "API");
    let start = last["startTime"].as_str().unwrap();
    let end = last["endTime"].as_str().unwrap();
    assert!(start < end);
    assert_eq!(last["elapsedTime"], 900);
    assert!(last.get("stateEvents").is_none());
}

#[tokio::test]
async fn runs_of_failing_projects_end_errored_and_expanded_stats_add_state_events() {
    let api = Api::with(quick_runs()).await;
    let project = api.sandbox.state().failing_project_ids()[0].clone();
    let run = api
        .post(&format!("/projects/{project}/runs"), json!({}))
        .await
        .body;
    let path = format!(
        "/projects/{project}/runs/{}",
        run["runId"].as_str().unwrap()
    );
    let (seen, _) = follow(&api, &path).await;
    assert_eq!(seen.last().unwrap(), "ERRORED");
    let expanded = api
        .client
        .get(api.url(&path))
        .bearer_auth(api.sandbox.token())
        .header("enable-expanded-stats", "true")
        .send()
        .await
        .unwrap();
    let body: Value = expanded.json().await.unwrap();
    let events = body["stateEvents"].as_array().unwrap();
    let values: Vec<&str> = events
        .iter()
        .map(|e| e["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["PENDING", "RUNNING", "ERRORED"]);
    assert!(
        events
            .iter()
            .all(|e| e["type"].is_string() && e["timestamp"].is_string())
    );
}

#[tokio::test]
async fn cancelling_a_live_run_kills_it_and_a_finished_run_cannot_be_cancelled() {
    let api = Api::with(slow_runs()).await;
    let project = api.sandbox.state().runnable_project_ids()[0].clone();
    let run = api
        .post(&format!("/projects/{project}/runs"), json!({}))
        .await
        .body;
    let path = format!(
        "/projects/{project}/runs/{}",
        run["runId"].as_str().unwrap()
    );
    assert_eq!(api.get(&path).await.body["status"], "PENDING");
    let cancelled = api.delete(&path).await;
    assert_eq!(cancelled.status, 204);
    assert!(cancelled.body.is_null(), "204 has no body");
    let killed = api.get(&path).await.body;
    assert_eq!(killed["status"], "KILLED");
    assert!(killed["endTime"].is_string() && killed["startTime"].is_null());
    assert_error(&api.delete(&path).await, 422, "already finished");
}

#[tokio::test]
async fn run_project_validates_its_body() {
    let api = Api::start().await;
    let state = api.sandbox.state();
    let project = state.runnable_project_ids()[0].clone();
    let runs = format!("/projects/{project}/runs");
    let inputs = state.project_inputs(&project);
    let (name, data_type) = inputs[0].clone();
    let wrong = match data_type.as_str() {
        "NUMBER" | "BOOLEAN" | "DATE" => json!(["not", "scalar"]),
        _ => json!(42),
    };
    let answer = api
        .post(
            &runs,
            json!({"inputParams": {name.clone(): wrong, "no_such_input": 1}}),
        )
        .await;
    // The plain new error body, one issue per wrong input (unknown names are ignored).
    assert_error(&answer, 422, &format!("input {name} = {wrong}"));
    assert_error(&answer, 422, &data_type);
    assert_eq!(answer.body["issues"].as_array().unwrap().len(), 1);

    let ok = api
        .post(&runs, json!({"inputParams": {"no_such_input": [1, 2]}}))
        .await;
    assert_eq!(ok.status, 201, "unknown inputs are ignored");

    assert_error(
        &api.post(&runs, json!({"inputParams": {}, "viewId": "v1"}))
            .await,
        400,
        "viewId",
    );
    assert_error(
        &api.post(
            &runs,
            json!({"inputParams": {}, "updatePublishedResults": true}),
        )
        .await,
        400,
        "updatePublishedResults",
    );
    assert_error(&api.post(&runs, json!({"bogus": true})).await, 400, "bogus");
    let unpublished = state.unpublished_project_ids()[0].clone();
    assert_error(
        &api.post(&format!("/projects/{unpublished}/runs"), json!({}))
            .await,
        422,
        "published",
    );

    let full = json!({
        "dryRun": false, "updateCache": false, "useCachedSqlResults": false, "updatePublishedResults": true,
        "viewId": "saved-view-1",
        "notifications": [{"type": "ALL", "includeSuccessScreenshot": true, "slackChannelIds": ["C0123"],
            "userIds": [state.me_id()], "groupIds": [state.group_ids()[0]], "subject": "Done"}],
    });
    let created = api.post(&runs, full).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let recipients = created.body["notifications"].as_array().unwrap();
    let kinds: Vec<&str> = recipients
        .iter()
        .map(|r| r["recipientType"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["SLACK_CHANNEL", "USER", "GROUP"]);
    assert_eq!(recipients[0]["screenshotFormat"], json!(["png"]));
}

#[tokio::test]
async fn a_dry_run_answers_201_without_creating_a_run_and_the_body_is_optional() {
    let api = Api::start().await;
    let state = api.sandbox.state();
    let project = state.runnable_project_ids()[0].clone();
    let before = state.run_ids(&project).len();
    let dry = api
        .post(
            &format!("/projects/{project}/runs"),
            json!({"dryRun": true}),
        )
        .await;
    assert_eq!(dry.status, 201);
    assert!(dry.body["runId"].is_string());
    assert_eq!(state.run_ids(&project).len(), before);
    let bare = api
        .call(
            reqwest::Method::POST,
            &format!("/projects/{project}/runs"),
            None,
        )
        .await;
    assert_eq!(bare.status, 201, "{}", bare.body);
    assert_eq!(state.run_ids(&project).len(), before + 1);
}

#[tokio::test]
async fn project_runs_use_offset_pages_with_urls_and_filters() {
    let api = Api::with(slow_runs()).await;
    let state = api.sandbox.state();
    let project = state.runnable_project_ids()[0].clone();
    for _ in 0..4 {
        assert_eq!(
            api.post(&format!("/projects/{project}/runs"), json!({}))
                .await
                .status,
            201
        );
    }
    let total = state.run_ids(&project).len();
    let mut collected = Vec::new();
    let mut next = Some(api.url(&format!("/projects/{project}/runs?limit=2")));
    let mut first = true;
    while let Some(url) = next {
        let page: Value = api
            .client
            .get(&url)
            .bearer_auth(api.sandbox.token())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(page["traceId"].is_string());
        assert_eq!(page["previousPage"].is_null(), first);
        first = false;
        collected.extend(
            page["runs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["runId"].as_str().unwrap().to_owned()),
        );
        next = page["nextPage"].as_str().map(str::to_owned);
    }
    let mut expected = state.run_ids(&project);
    expected.reverse();
    assert_eq!(collected, expected, "newest first, every run once");
    assert_eq!(collected.len(), total);

    let pending = api
        .get(&format!(
            "/projects/{project}/runs?statusFilter=PENDING&limit=100"
        ))
        .await
        .body;
    assert_eq!(pending["runs"].as_array().unwrap().len(), 4);
    let api_runs = api
        .get(&format!(
            "/projects/{project}/runs?runTriggerFilter=API&limit=100"
        ))
        .await
        .body;
    assert!(
        api_runs["runs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["runTrigger"] == "API")
    );
    assert_error(
        &api.get(&format!("/projects/{project}/runs?statusFilter=DONE"))
            .await,
        400,
        "statusFilter",
    );
    assert_error(
        &api.get(&format!("/projects/{project}/runs?offset=-1"))
            .await,
        400,
        "offset",
    );
}

#[tokio::test]
async fn seeded_history_has_scheduled_runs_and_mixed_outcomes() {
    let api = Api::start().await;
    let mut triggers = std::collections::HashSet::new();
    let mut statuses = std::collections::HashSet::new();
    for project in api.sandbox.state().runnable_project_ids().iter().take(40) {
        let page = api
            .get(&format!("/projects/{project}/runs?limit=100"))
            .await
            .body;
        for run in page["runs"].as_array().unwrap() {
            triggers.insert(run["runTrigger"].as_str().unwrap().to_owned());
            statuses.insert(run["status"].as_str().unwrap().to_owned());
        }
    }
    assert!(
        triggers.contains("API") && triggers.contains("SCHEDULED"),
        "{triggers:?}"
    );
    assert!(
        statuses.contains("COMPLETED") && statuses.len() >= 2,
        "{statuses:?}"
    );
}
