//! Runs: RunProject (input params, dry run, notifications, viewId), GetRunStatus with and
//! without expanded stats, GetProjectRuns with a status filter and offset paging, CancelRun.

use std::time::Duration;

use hex_client::HexError;
use hex_client::api::runs::{
    GetProjectRunsParams, GetRunStatusParams, NotificationRecipientType, RunNotification,
    RunNotificationType, RunProjectRequest, RunStatus, RunStatusKind, RunTrigger, RunTriggerFilter,
    ScreenshotFormat,
};
use hex_client::api::users::ListUsersParams;
use hex_sandbox::SandboxConfig;
use serde_json::{Map, Value, json};

use crate::common::{Env, api_error, config, no_hang, wait_until_ended};

/// A config whose runs stay PENDING for a minute, for tests that cancel or filter them.
fn slow_runs() -> SandboxConfig {
    SandboxConfig {
        run_pending: Duration::from_secs(60),
        ..config()
    }
}

/// A value of the right type for an input of `data_type`.
fn good_value(data_type: &str) -> Value {
    match data_type {
        "NUMBER" => json!(42),
        "BOOLEAN" => json!(true),
        "DATE" => json!("2026-03-01"),
        _ => json!("EMEA"),
    }
}

#[tokio::test]
async fn run_project_with_input_params_completes() {
    let env = Env::start().await;
    let state = env.sandbox.state();
    let (project_id, inputs) = state
        .runnable_project_ids()
        .into_iter()
        .map(|id| {
            let inputs = state.project_inputs(&id);
            (id, inputs)
        })
        .find(|(_, inputs)| !inputs.is_empty())
        .expect("a runnable project with inputs");
    let params: Map<String, Value> = inputs
        .iter()
        .map(|(name, data_type)| (name.clone(), good_value(data_type)))
        .collect();
    let request = RunProjectRequest {
        input_params: Some(params.clone()),
        use_cached_sql_results: Some(false),
        ..RunProjectRequest::default()
    };
    let run = env.ok(no_hang(env.client.runs().run(&project_id, &request)).await);
    assert_eq!(run.project_id, project_id);
    assert!(run.project_version.is_some_and(|v| v >= 1));
    assert!(run.run_url.contains(&run.run_id));
    assert!(
        run.run_status_url
            .as_deref()
            .is_some_and(|u| u.ends_with(&format!("/projects/{project_id}/runs/{}", run.run_id)))
    );
    assert!(state.run_ids(&project_id).contains(&run.run_id));
    // The body went out as Hex names it.
    let logged = env.sandbox.requests().last().unwrap().body.clone().unwrap();
    assert_eq!(logged["inputParams"], Value::Object(params));
    assert_eq!(logged["useCachedSqlResults"], json!(false));

    let status = wait_until_ended(&env, &project_id, &run.run_id).await;
    assert_eq!(status.status, RunStatusKind::Completed);
    assert_eq!(status.run_trigger, Some(RunTrigger::Api));
    assert!(status.start_time.is_some() && status.end_time.is_some());
    assert!(status.elapsed_time.is_some_and(|ms| ms >= 0.0));
    // An integer in RunProject's answer, a string in the run's status.
    assert_eq!(
        status.project_version,
        run.project_version.map(|version| version.to_string())
    );
}

#[tokio::test]
async fn a_failing_project_run_ends_errored() {
    let env = Env::start().await;
    let project_id = env.sandbox.state().failing_project_ids()[0].clone();
    let run = env.ok(no_hang(
        env.client
            .runs()
            .run(&project_id, &RunProjectRequest::default()),
    )
    .await);
    let status = wait_until_ended(&env, &project_id, &run.run_id).await;
    assert_eq!(status.status, RunStatusKind::Errored);
}

#[tokio::test]
async fn a_dry_run_answers_without_running() {
    let env = Env::start().await;
    let project_id = env.sandbox.state().runnable_project_ids()[0].clone();
    let before = env.sandbox.state().run_ids(&project_id);
    let request = RunProjectRequest {
        dry_run: Some(true),
        ..RunProjectRequest::default()
    };
    let run = env.ok(no_hang(env.client.runs().run(&project_id, &request)).await);
    assert_eq!(run.project_id, project_id);
    assert!(!run.run_id.is_empty());
    assert_eq!(env.sandbox.state().run_ids(&project_id), before);
    let err = env.err(
        no_hang(
            env.client
                .runs()
                .status(&project_id, &run.run_id, &GetRunStatusParams::default()),
        )
        .await,
    );
    api_error(&err, 404);
}

#[tokio::test]
async fn run_project_with_notifications_reports_every_recipient() {
    let env = Env::start().await;
    let state = env.sandbox.state();
    let project_id = state.runnable_project_ids()[0].clone();
    let users = env.ok(no_hang(env.client.users().list(&ListUsersParams::default())).await);
    let (user_id, user_name) = (users.values[1].id.clone(), users.values[1].name.clone());
    let group_id = state.group_ids()[0].clone();
    let request = RunProjectRequest {
        notifications: Some(vec![
            RunNotification {
                kind: RunNotificationType::Success,
                include_success_screenshot: true,
                screenshot_format: None,
                slack_channel_ids: Some(vec!["C0123456".to_owned()]),
                user_ids: Some(vec![user_id.clone()]),
                group_ids: None,
                subject: Some("Daily numbers".to_owned()),
                body: None,
            },
            RunNotification {
                kind: RunNotificationType::Failure,
                include_success_screenshot: false,
                screenshot_format: Some(ScreenshotFormat::Pdf),
                slack_channel_ids: None,
                user_ids: None,
                group_ids: Some(vec![group_id.clone()]),
                subject: None,
                body: Some("It broke".to_owned()),
            },
        ]),
        ..RunProjectRequest::default()
    };
    let run = env.ok(no_hang(env.client.runs().run(&project_id, &request)).await);
    let recipients = run.notifications.clone().expect("notifications");
    assert_eq!(recipients.len(), 3, "{recipients:?}");
    let slack = &recipients[0];
    assert_eq!(
        slack.recipient_type,
        NotificationRecipientType::SlackChannel
    );
    assert_eq!(slack.recipient.id, "C0123456");
    assert_eq!(slack.kind, RunNotificationType::Success);
    assert_eq!(slack.subject.as_deref(), Some("Daily numbers"));
    // Hex's default screenshot format, as an array in the answer.
    assert_eq!(slack.screenshot_format, Some(vec![ScreenshotFormat::Png]));
    let user = &recipients[1];
    assert_eq!(user.recipient_type, NotificationRecipientType::User);
    assert_eq!(user.recipient.id, user_id);
    assert_eq!(Some(user.recipient.name.clone()), user_name);
    let group = &recipients[2];
    assert_eq!(group.recipient_type, NotificationRecipientType::Group);
    assert_eq!(group.recipient.id, group_id);
    assert_eq!(group.body.as_deref(), Some("It broke"));
    assert!(!group.include_success_screenshot);
    // GetRunStatus reports the same recipients.
    let status = env.ok(no_hang(env.client.runs().status(
        &project_id,
        &run.run_id,
        &GetRunStatusParams::default(),
    ))
    .await);
    assert_eq!(status.notifications, Some(recipients));
}

#[tokio::test]
async fn view_id_with_input_params_is_refused_before_anything_is_sent() {
    let env = Env::start().await;
    let project_id = env.sandbox.state().runnable_project_ids()[0].clone();
    let mut params = Map::new();
    params.insert("region".to_owned(), json!("EMEA"));
    let request = RunProjectRequest {
        input_params: Some(params),
        view_id: Some("saved-view-1".to_owned()),
        ..RunProjectRequest::default()
    };
    let err = env.err(no_hang(env.client.runs().run(&project_id, &request)).await);
    assert!(matches!(err, HexError::InvalidInput { .. }), "{err:?}");
    assert!(err.to_string().contains("viewId"), "{err}");
    assert_eq!(env.sandbox.count_requests("*", "/v1/**"), 0);
    // Hex refuses the same combination (the client's check matches Hex's rule).
    let raw = env
        .raw(
            reqwest::Method::POST,
            &format!("/projects/{project_id}/runs"),
            Some(json!({"inputParams": {"region": "EMEA"}, "viewId": "saved-view-1"})),
        )
        .await;
    assert_eq!(raw.status.as_u16(), 400, "{}", raw.body);
    // A view alone runs.
    let request = RunProjectRequest {
        view_id: Some("saved-view-1".to_owned()),
        ..RunProjectRequest::default()
    };
    let run = env.ok(no_hang(env.client.runs().run(&project_id, &request)).await);
    assert_eq!(run.project_id, project_id);
}

#[tokio::test]
async fn run_status_with_and_without_expanded_stats() {
    let env = Env::start().await;
    let project_id = env.sandbox.state().runnable_project_ids()[0].clone();
    let request = RunProjectRequest {
        flag_config_override: Some("fast-kernels=on".to_owned()),
        ..RunProjectRequest::default()
    };
    let run = env.ok(no_hang(env.client.runs().run(&project_id, &request)).await);
    wait_until_ended(&env, &project_id, &run.run_id).await;
    let runs = env.client.runs();
    let plain =
        env.ok(
            no_hang(runs.status(&project_id, &run.run_id, &GetRunStatusParams::default())).await,
        );
    assert_eq!(plain.status, RunStatusKind::Completed);
    assert_eq!(plain.state_events, None);
    assert_eq!(plain.flag_config_override, None);
    let expanded = GetRunStatusParams {
        expanded_stats: true,
    };
    let stats = env.ok(no_hang(runs.status(&project_id, &run.run_id, &expanded)).await);
    assert_eq!(
        stats.flag_config_override.as_deref(),
        Some("fast-kernels=on")
    );
    let events = stats.state_events.expect("stateEvents");
    let values: Vec<&str> = events.iter().filter_map(|e| e.value.as_deref()).collect();
    assert_eq!(values, ["PENDING", "RUNNING", "COMPLETED"]);
    assert!(
        events
            .iter()
            .all(|e| e.timestamp.is_some() && e.kind.is_some())
    );
}

#[tokio::test]
async fn cancel_answers_204_as_success_and_the_run_reads_back_killed() {
    let env = Env::with(slow_runs()).await;
    let project_id = env.sandbox.state().runnable_project_ids()[0].clone();
    let runs = env.client.runs();
    let run = env.ok(no_hang(runs.run(&project_id, &RunProjectRequest::default())).await);
    let status =
        env.ok(
            no_hang(runs.status(&project_id, &run.run_id, &GetRunStatusParams::default())).await,
        );
    assert_eq!(status.status, RunStatusKind::Pending);
    env.ok(no_hang(runs.cancel(&project_id, &run.run_id)).await);
    let cancel = env.sandbox.requests().last().unwrap().clone();
    assert_eq!((cancel.method.as_str(), cancel.status), ("DELETE", 204));
    let status =
        env.ok(
            no_hang(runs.status(&project_id, &run.run_id, &GetRunStatusParams::default())).await,
        );
    assert_eq!(status.status, RunStatusKind::Killed);
    assert!(status.status.is_terminal());
    assert!(status.end_time.is_some());
    // Cancelling a run that has ended is Hex's 422.
    let err = env.err(no_hang(runs.cancel(&project_id, &run.run_id)).await);
    assert!(api_error(&err, 422).contains("KILLED"), "{err}");
}

#[tokio::test]
async fn list_runs_with_a_status_filter_and_offset_paging() {
    let env = Env::with(slow_runs()).await;
    let project_id = env.sandbox.state().runnable_project_ids()[0].clone();
    let runs = env.client.runs();
    let mut started = Vec::new();
    for _ in 0..7 {
        let run = env.ok(no_hang(runs.run(&project_id, &RunProjectRequest::default())).await);
        started.push(run.run_id);
    }
    let killed: Vec<String> = started.iter().step_by(3).cloned().collect();
    for run_id in &killed {
        env.ok(no_hang(runs.cancel(&project_id, run_id)).await);
    }
    // Every run (seeded ones too), newest first, in pages of 3 by offset.
    let mut expected = env.sandbox.state().run_ids(&project_id);
    expected.reverse();
    let mut all = Vec::new();
    let mut offset = 0;
    loop {
        let params = GetProjectRunsParams {
            limit: Some(3),
            offset: Some(offset),
            ..GetProjectRunsParams::default()
        };
        let page = env.ok(no_hang(runs.list(&project_id, &params)).await);
        assert!(page.runs.len() <= 3);
        assert_eq!(page.previous_page.is_some(), offset > 0, "offset {offset}");
        all.extend(page.runs);
        let Some(next) = page.next_page else {
            break;
        };
        assert!(next.contains(&format!("offset={}", offset + 3)), "{next}");
        offset += 3;
    }
    let ids =
        |runs: &[RunStatus]| -> Vec<String> { runs.iter().map(|r| r.run_id.clone()).collect() };
    assert_eq!(ids(&all), expected);
    // A status filter (and a trigger filter) keeps exactly the matching runs, in the same order.
    let params = GetProjectRunsParams {
        status_filter: Some(RunStatusKind::Killed),
        run_trigger_filter: Some(RunTriggerFilter::Api),
        limit: Some(100),
        ..GetProjectRunsParams::default()
    };
    let page = env.ok(no_hang(runs.list(&project_id, &params)).await);
    let killed_api: Vec<RunStatus> = all
        .iter()
        .filter(|r| r.status == RunStatusKind::Killed && r.run_trigger == Some(RunTrigger::Api))
        .cloned()
        .collect();
    assert_eq!(ids(&page.runs), ids(&killed_api));
    assert!(killed.iter().all(|id| ids(&page.runs).contains(id)));
    // PENDING: exactly the runs started here and not cancelled (seeded runs have all ended).
    let params = GetProjectRunsParams {
        status_filter: Some(RunStatusKind::Pending),
        ..GetProjectRunsParams::default()
    };
    let page = env.ok(no_hang(runs.list(&project_id, &params)).await);
    let expected: Vec<String> = started
        .iter()
        .rev()
        .filter(|id| !killed.contains(id))
        .cloned()
        .collect();
    assert_eq!(ids(&page.runs), expected);
}
