//! RunProject (201), GetRunStatus (plain and expanded), GetProjectRuns (offset: `runs`,
//! `nextPage`, `previousPage`), CancelRun (204), and RunProject's 422 (the plain new error body;
//! S1's InvalidParamPayload is gone from the description).

use std::time::Duration;

use hex_sandbox::SandboxConfig;
use reqwest::Method;
use serde_json::{Value, json};

use super::{
    assert_enum, assert_exact, assert_keys, assert_nullable_string, assert_nullable_timestamp,
    assert_string, assert_timestamp, assert_uuid,
};
use crate::common::{Env, config};

const STATUSES: &[&str] = &[
    "PENDING",
    "RUNNING",
    "ERRORED",
    "COMPLETED",
    "KILLED",
    "UNABLE_TO_ALLOCATE_KERNEL",
];

/// ProjectStatusResponsePayload.
fn assert_run_status(value: &Value, expanded: bool) {
    let required = [
        "projectId",
        "projectVersion",
        "runId",
        "runUrl",
        "status",
        "runTrigger",
        "startTime",
        "endTime",
        "elapsedTime",
        "traceId",
    ];
    let optional: &[&str] = if expanded {
        &["notifications", "stateEvents", "flagConfigOverride"]
    } else {
        &["notifications"]
    };
    assert_keys("run status", value, &required, optional);
    assert_uuid("projectId", &value["projectId"]);
    assert_uuid("runId", &value["runId"]);
    // A string in ProjectRun (`"1"`, … or `"draft"`).
    assert_string("projectVersion", &value["projectVersion"]);
    assert_string("runUrl", &value["runUrl"]);
    assert_enum("status", &value["status"], STATUSES);
    assert_enum(
        "runTrigger",
        &value["runTrigger"],
        &["API", "SCHEDULED", "APP_REFRESH"],
    );
    assert_nullable_timestamp("startTime", &value["startTime"]);
    assert_nullable_timestamp("endTime", &value["endTime"]);
    assert!(value["elapsedTime"].is_number() || value["elapsedTime"].is_null());
    assert_string("traceId", &value["traceId"]);
    if expanded {
        let events = value["stateEvents"].as_array().expect("stateEvents");
        for event in events {
            assert_exact("stateEvent", event, &["type", "value", "timestamp"]);
            assert_string("stateEvent.type", &event["type"]);
            assert_string("stateEvent.value", &event["value"]);
            assert_timestamp("stateEvent.timestamp", &event["timestamp"]);
        }
    }
    if let Some(items) = value.get("notifications") {
        items.as_array().unwrap().iter().for_each(assert_recipient);
    }
}

/// ProjectRunNotificationRecipient (`screenshotFormat` is an array here).
fn assert_recipient(value: &Value) {
    assert_keys(
        "recipient",
        value,
        &[
            "type",
            "recipientType",
            "includeSuccessScreenshot",
            "recipient",
        ],
        &["subject", "body", "screenshotFormat"],
    );
    assert_enum("type", &value["type"], &["SUCCESS", "FAILURE", "ALL"]);
    assert_enum(
        "recipientType",
        &value["recipientType"],
        &["USER", "GROUP", "SLACK_CHANNEL"],
    );
    assert!(value["includeSuccessScreenshot"].is_boolean());
    if let Some(formats) = value.get("screenshotFormat") {
        for format in formats.as_array().expect("screenshotFormat is an array") {
            assert_enum("screenshotFormat", format, &["png", "pdf"]);
        }
    }
    assert_keys(
        "recipient.recipient",
        &value["recipient"],
        &["id", "name"],
        &["isPrivate"],
    );
}

#[tokio::test]
async fn run_json_matches_the_reference() {
    let env = Env::with(SandboxConfig {
        run_pending: Duration::from_secs(60),
        ..config()
    })
    .await;
    let state = env.sandbox.state();
    let project = state.runnable_project_ids()[0].clone();
    let runs = format!("/projects/{project}/runs");
    let body = json!({"notifications": [{"type": "ALL", "includeSuccessScreenshot": true,
        "userIds": [state.user_ids()[2]], "groupIds": [state.group_ids()[0]],
        "slackChannelIds": ["C1"]}]});
    let run = env.raw(Method::POST, &runs, Some(body)).await.expect(201);
    assert_keys(
        "RunProject",
        &run,
        &[
            "projectId",
            "runId",
            "runUrl",
            "runStatusUrl",
            "traceId",
            "projectVersion",
        ],
        &["notifications"],
    );
    assert!(run["projectVersion"].is_i64());
    let recipients = run["notifications"].as_array().unwrap();
    assert_eq!(recipients.len(), 3);
    recipients.iter().for_each(assert_recipient);
    let run_id = run["runId"].as_str().unwrap();
    let plain = env.raw_get(&format!("{runs}/{run_id}")).await.expect(200);
    assert_run_status(&plain, false);
    assert_eq!(plain["status"], "PENDING");
    assert_eq!(plain["startTime"], Value::Null);
    let expanded = env
        .raw_with(
            Method::GET,
            &format!("{runs}/{run_id}"),
            None,
            &[("enable-expanded-stats", "true")],
        )
        .await
        .expect(200);
    assert_run_status(&expanded, true);

    // A second run, without a body, so the list has two pages of one.
    let second = env.raw(Method::POST, &runs, None).await.expect(201);
    assert!(second.get("notifications").is_none());
    let list = env.raw_get(&format!("{runs}?limit=1")).await.expect(200);
    assert_exact(
        "GetProjectRuns",
        &list,
        &["runs", "nextPage", "previousPage", "traceId"],
    );
    list["runs"]
        .as_array()
        .unwrap()
        .iter()
        .for_each(|r| assert_run_status(r, false));
    assert_string("nextPage", &list["nextPage"]);
    assert_eq!(list["previousPage"], Value::Null);
    let next = env
        .raw_get(&format!("{runs}?limit=1&offset=1"))
        .await
        .expect(200);
    assert_nullable_string("nextPage", &next["nextPage"]);
    assert_string("previousPage", &next["previousPage"]);

    let cancel = env
        .raw(Method::DELETE, &format!("{runs}/{run_id}"), None)
        .await;
    assert_eq!(cancel.status.as_u16(), 204);
    assert_eq!(cancel.body, Value::Null, "204 has no body");
    let killed = env.raw_get(&format!("{runs}/{run_id}")).await.expect(200);
    assert_eq!(killed["status"], "KILLED");

    // 422: `{message, code, issues}`, one issue per rejected input.
    let (project, name, data_type) = state
        .runnable_project_ids()
        .into_iter()
        .find_map(|id| {
            let (name, data_type) = state.project_inputs(&id).into_iter().next()?;
            Some((id, name, data_type))
        })
        .unwrap();
    let wrong = if data_type == "STRING" || data_type == "DATE" {
        json!(7)
    } else {
        json!("x")
    };
    let body = json!({"inputParams": {name.clone(): wrong}});
    let invalid = env
        .raw(
            Method::POST,
            &format!("/projects/{project}/runs"),
            Some(body),
        )
        .await
        .expect(422);
    super::assert_new_error_body("RunProject 422", &invalid, "UNPROCESSABLE_CONTENT");
    let issue = invalid["issues"][0]["message"].as_str().unwrap();
    assert!(
        issue.contains(&name) && issue.contains(&wrong.to_string()),
        "{issue}"
    );
}
