//! RunProject, GetRunStatus, GetProjectRuns and CancelRun. A run's status is computed from its
//! timestamps (PENDING, then RUNNING, then COMPLETED or ERRORED), so no task runs in the background.

use axum::Json as AxumJson;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::extract::{MaybeJson, Query, parse_uuid};
use super::projects::find;
use super::{AppState, created, opt_ts, origin};
use crate::errors::{ApiError, ApiResult, trace_id};
use crate::state::{
    InputDataType, InputParam, Outcome, Project, Run, RunStatus, RunTrigger, Workspace, now_ms,
};

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct RunBody {
    #[serde(default)]
    input_params: Option<Map<String, Value>>,
    #[serde(default)]
    dry_run: Option<bool>,
    #[serde(default)]
    #[allow(dead_code)]
    update_cache: Option<bool>,
    #[serde(default)]
    notifications: Option<Vec<Notification>>,
    #[serde(default)]
    update_published_results: Option<bool>,
    #[serde(default)]
    #[allow(dead_code)]
    use_cached_sql_results: Option<bool>,
    #[serde(default)]
    view_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Notification {
    #[serde(rename = "type")]
    kind: String,
    include_success_screenshot: bool,
    #[serde(default)]
    screenshot_format: Option<String>,
    #[serde(default)]
    slack_channel_ids: Vec<String>,
    #[serde(default)]
    user_ids: Vec<String>,
    #[serde(default)]
    group_ids: Vec<String>,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    body: Option<String>,
}

/// `POST /v1/projects/{projectId}/runs`
pub(crate) async fn run(
    State(shared): State<AppState>,
    Path(project_id): Path<String>,
    headers: HeaderMap,
    MaybeJson(body): MaybeJson<RunBody>,
) -> ApiResult<Response> {
    let id = parse_uuid("projectId", &project_id)?;
    let body = body.unwrap_or_default();
    check_combinations(&body)?;
    let origin = origin(&headers);
    let flag_config_override = headers
        .get("flag-config-override")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut ws = shared.write();
    let project = find(&ws, &id)?;
    if project.last_published_at.is_none() {
        return Err(ApiError::unprocessable(
            "This project has not been published. Publish it before running it through the API",
        ));
    }
    if let Some(params) = &body.input_params {
        check_inputs(project, params)?;
    }
    let notifications = body
        .notifications
        .as_deref()
        .map(|n| recipients(&ws, n))
        .transpose()?
        .unwrap_or_default();
    let run = Run {
        id: Uuid::new_v4(),
        project_id: id,
        project_version: project.published_version.max(1),
        trigger: RunTrigger::Api,
        created_at: now_ms(),
        pending_ms: millis(shared.config.run_pending),
        running_ms: millis(shared.config.run_running),
        outcome: if project.runs_fail {
            Outcome::Errored
        } else {
            Outcome::Completed
        },
        killed_at: None,
        notifications,
        flag_config_override,
    };
    let answer = run_created_json(&run, &origin);
    if body.dry_run != Some(true) {
        ws.insert_run(run);
    }
    Ok(created(answer))
}

fn millis(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Combinations Hex forbids.
fn check_combinations(body: &RunBody) -> ApiResult<()> {
    if body.input_params.is_some() && body.view_id.is_some() {
        return Err(ApiError::bad_request(
            "`viewId` and `inputParams` cannot be used together",
        ));
    }
    if body.input_params.is_some() && body.update_published_results == Some(true) {
        return Err(ApiError::bad_request(
            "`updatePublishedResults` cannot be true when custom `inputParams` are given",
        ));
    }
    Ok(())
}

/// Unknown names are ignored (as Hex documents); a value of the wrong type is a 422 listing it.
fn check_inputs(project: &Project, params: &Map<String, Value>) -> ApiResult<()> {
    let invalid: Vec<Value> = project
        .inputs
        .iter()
        .filter_map(|input| params.get(input.name).map(|value| (input, value)))
        .filter(|(input, value)| !accepts(input, value))
        .map(|(input, value)| {
            json!({
                "paramName": input.name,
                "paramValue": value.to_string(),
                "dataType": input.data_type.as_str(),
                "inputCellType": input.input_cell_type,
            })
        })
        .collect();
    if invalid.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid_params(invalid))
    }
}

fn accepts(input: &InputParam, value: &Value) -> bool {
    match input.data_type {
        InputDataType::String => value.is_string(),
        InputDataType::Number => value.is_number(),
        InputDataType::Boolean => value.is_boolean(),
        InputDataType::Date => value.as_str().is_some_and(is_iso_date),
    }
}

/// `YYYY-MM-DD`, optionally followed by a time.
fn is_iso_date(text: &str) -> bool {
    let date = text.get(..10).unwrap_or_default();
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(date, &format).is_ok() && (text.len() == 10 || text.get(10..11) == Some("T"))
}

/// Expands each notification into one recipient per Slack channel, user and group.
fn recipients(ws: &Workspace, notifications: &[Notification]) -> ApiResult<Vec<Value>> {
    let mut out = Vec::new();
    for n in notifications {
        if !matches!(n.kind.as_str(), "SUCCESS" | "FAILURE" | "ALL") {
            return Err(ApiError::bad_request(format!(
                "Invalid notification `type` {:?}: expected SUCCESS, FAILURE or ALL",
                n.kind
            )));
        }
        let format = match n.screenshot_format.as_deref() {
            None if n.include_success_screenshot => Some("png"),
            None => None,
            Some(f @ ("png" | "pdf")) => Some(f),
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "Invalid `screenshotFormat` {other:?}: expected png or pdf"
                )));
            }
        };
        let base = |recipient_type: &str, recipient: Value| {
            let mut item = json!({"type": n.kind, "recipientType": recipient_type,
                "includeSuccessScreenshot": n.include_success_screenshot, "recipient": recipient});
            if let Value::Object(map) = &mut item {
                if let Some(subject) = &n.subject {
                    map.insert("subject".to_owned(), json!(subject));
                }
                if let Some(body) = &n.body {
                    map.insert("body".to_owned(), json!(body));
                }
                if let Some(format) = format {
                    map.insert("screenshotFormat".to_owned(), json!([format]));
                }
            }
            item
        };
        for channel in &n.slack_channel_ids {
            out.push(base(
                "SLACK_CHANNEL",
                json!({"id": channel, "name": channel, "isPrivate": false}),
            ));
        }
        for user in &n.user_ids {
            let id = parse_uuid("notifications.userIds", user)?;
            let user = ws
                .user(&id)
                .ok_or_else(|| ApiError::unprocessable(format!("User not found: {id}")))?;
            out.push(base("USER", json!({"id": id, "name": user.name})));
        }
        for group in &n.group_ids {
            let id = parse_uuid("notifications.groupIds", group)?;
            let group = ws
                .group(&id)
                .ok_or_else(|| ApiError::unprocessable(format!("Group not found: {id}")))?;
            out.push(base("GROUP", json!({"id": id, "name": group.name})));
        }
    }
    Ok(out)
}

fn run_url(origin: &str, run: &Run) -> String {
    format!("{origin}/acme/app/{}/run/{}", run.project_id, run.id)
}

fn run_created_json(run: &Run, origin: &str) -> Value {
    let mut value = json!({
        "projectId": run.project_id,
        "runId": run.id,
        "runUrl": run_url(origin, run),
        "runStatusUrl": format!("{origin}/api/v1/projects/{}/runs/{}", run.project_id, run.id),
        "traceId": trace_id(),
        "projectVersion": run.project_version,
    });
    if let (false, Value::Object(map)) = (run.notifications.is_empty(), &mut value) {
        map.insert("notifications".to_owned(), json!(run.notifications));
    }
    value
}

/// ProjectStatusResponsePayload at this moment.
fn status_json(run: &Run, origin: &str, expanded: bool) -> Value {
    let now = now_ms();
    let state = run.state_at(now);
    let elapsed = state.start.zip(state.end).map(|(start, end)| end - start);
    let mut value = json!({
        "projectId": run.project_id,
        // A string in ProjectRun (an integer only in RunProject's answer).
        "projectVersion": run.project_version.to_string(),
        "runId": run.id,
        "runUrl": run_url(origin, run),
        "status": state.status.as_str(),
        "runTrigger": run.trigger.as_str(),
        "startTime": opt_ts(state.start),
        "endTime": opt_ts(state.end),
        "elapsedTime": elapsed,
        "traceId": trace_id(),
    });
    let Value::Object(map) = &mut value else {
        return value;
    };
    if !run.notifications.is_empty() {
        map.insert("notifications".to_owned(), json!(run.notifications));
    }
    if expanded {
        if let Some(flags) = &run.flag_config_override {
            map.insert("flagConfigOverride".to_owned(), json!(flags));
        }
        map.insert("stateEvents".to_owned(), state_events(run, now));
    }
    value
}

/// One `STATUS_CHANGE` event per status the run has reached so far.
fn state_events(run: &Run, now: i64) -> Value {
    let state = run.state_at(now);
    let mut events = vec![(RunStatus::Pending, run.created_at)];
    if let Some(start) = state.start {
        events.push((RunStatus::Running, start));
    }
    if let Some(end) = state.end {
        events.push((state.status, end));
    }
    let events: Vec<Value> = events
        .into_iter()
        .map(|(status, at)| {
            json!({"type": "STATUS_CHANGE", "value": status.as_str(), "timestamp": crate::state::format_time(at)})
        })
        .collect();
    json!(events)
}

/// The run, checked to belong to the project; 404 otherwise.
fn find_run<'a>(ws: &'a Workspace, project_id: &str, run_id: &str) -> ApiResult<&'a Run> {
    let project_id = parse_uuid("projectId", project_id)?;
    let run_id = parse_uuid("runId", run_id)?;
    find(ws, &project_id)?;
    ws.runs
        .get(&run_id)
        .filter(|run| run.project_id == project_id)
        .ok_or_else(|| ApiError::not_found("Run", run_id))
}

/// `GET /v1/projects/{projectId}/runs/{runId}`
pub(crate) async fn status(
    State(shared): State<AppState>,
    Path((project_id, run_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<AxumJson<Value>> {
    let expanded = headers
        .get("enable-expanded-stats")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let ws = shared.read();
    let run = find_run(&ws, &project_id, &run_id)?;
    Ok(AxumJson(status_json(run, &origin(&headers), expanded)))
}

/// `DELETE /v1/projects/{projectId}/runs/{runId}`: a PENDING or RUNNING run becomes KILLED.
pub(crate) async fn cancel(
    State(shared): State<AppState>,
    Path((project_id, run_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let mut ws = shared.write();
    let id = find_run(&ws, &project_id, &run_id)?.id;
    let now = now_ms();
    let run = ws
        .runs
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found("Run", id))?;
    let state = run.state_at(now);
    if !matches!(state.status, RunStatus::Pending | RunStatus::Running) {
        return Err(ApiError::unprocessable(format!(
            "Run {id} has already finished with status {}",
            state.status.as_str()
        )));
    }
    run.killed_at = Some(now);
    Ok(StatusCode::NO_CONTENT.into_response())
}

const TRIGGER_FILTER: &[(&str, Option<RunTrigger>)] = &[
    ("API", Some(RunTrigger::Api)),
    ("SCHEDULED", Some(RunTrigger::Scheduled)),
    ("APP_REFRESH", Some(RunTrigger::AppRefresh)),
    ("ALL", None),
];

/// `GET /v1/projects/{projectId}/runs`: newest first, offset pagination with page URLs.
pub(crate) async fn list(
    State(shared): State<AppState>,
    Path(project_id): Path<String>,
    headers: HeaderMap,
    query: Query,
) -> ApiResult<AxumJson<Value>> {
    let id = parse_uuid("projectId", &project_id)?;
    let limit = query.int("limit", 1, 100, 25)?;
    let offset = query.int("offset", 0, i64::from(i32::MAX), 0)?;
    let statuses: Vec<(&str, Option<RunStatus>)> = RunStatus::ALL
        .iter()
        .map(|s| (s.as_str(), Some(*s)))
        .collect();
    let status_filter = query.choice("statusFilter", &statuses, None)?;
    let trigger_filter = query.choice("runTriggerFilter", TRIGGER_FILTER, None)?;
    let ws = shared.read();
    find(&ws, &id)?;
    let origin = origin(&headers);
    let now = now_ms();
    let mut runs: Vec<Value> = ws
        .project_runs
        .get(&id)
        .into_iter()
        .flatten()
        .rev()
        .filter_map(|run_id| ws.runs.get(run_id))
        .filter(|run| trigger_filter.is_none_or(|t| run.trigger == t))
        .filter(|run| status_filter.is_none_or(|s| run.state_at(now).status == s))
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit + 1).unwrap_or(usize::MAX))
        .map(|run| status_json(run, &origin, false))
        .collect();
    let more = runs.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    runs.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let page_url = |offset: i64| {
        let mut url = format!("{origin}/api/v1/projects/{id}/runs?limit={limit}&offset={offset}");
        if let Some(status) = status_filter {
            url.push_str(&format!("&statusFilter={}", status.as_str()));
        }
        if let Some(word) = query.get("runTriggerFilter") {
            url.push_str(&format!("&runTriggerFilter={word}"));
        }
        url
    };
    Ok(AxumJson(json!({
        "runs": runs,
        "nextPage": more.then(|| page_url(offset + limit)),
        "previousPage": (offset > 0).then(|| page_url((offset - limit).max(0))),
        "traceId": trace_id(),
    })))
}
