//! Hex's error answers as the client surfaces them: status, `reason`, `details`, `traceId` and
//! RunProject's `invalid` entries, all in the error and its message.

use hex_client::api::cells::ListCellsParams;
use hex_client::api::projects::GetProjectParams;
use hex_client::api::runs::RunProjectRequest;
use hex_client::{ErrorDetails, HexClient, HexError, RateLimits, SecretString};
use hex_sandbox::FaultRule;
use serde_json::{Map, Value, json};

use crate::common::{Env, UNKNOWN_ID, api_error, no_hang};

/// A value of the wrong JSON type for an input of `data_type`.
fn wrong_value(data_type: &str) -> Value {
    match data_type {
        "NUMBER" | "BOOLEAN" => json!("not of this type"),
        _ => json!(12345),
    }
}

#[tokio::test]
async fn not_found_surfaces_hex_reason_and_trace_id() {
    let env = Env::start().await;
    let err = env.err(
        no_hang(
            env.client
                .projects()
                .get(UNKNOWN_ID, &GetProjectParams::default()),
        )
        .await,
    );
    // GetProject is a new-style operation: `{message, code}`, no traceId.
    let reason = api_error(&err, 404);
    assert!(reason.contains("Project not found"), "{reason}");
    assert!(reason.contains(UNKNOWN_ID), "{reason}");
    assert!(
        matches!(&err, HexError::Api { code: Some(code), .. } if code == "NOT_FOUND"),
        "{err:?}"
    );
    assert_eq!(err.trace_id(), None);
    let text = err.to_string();
    assert!(text.contains("404") && text.contains(&reason), "{text}");
    assert!(text.contains("NOT_FOUND"), "{text}");
    assert!(!err.is_transient());

    // The same for a cell, a group and a data connection; GetGroup is legacy: a traceId.
    let cell = env.err(no_hang(env.client.cells().get(UNKNOWN_ID)).await);
    assert!(api_error(&cell, 404).contains("Cell not found"));
    let group = env.err(no_hang(env.client.groups().get(UNKNOWN_ID)).await);
    assert!(api_error(&group, 404).contains("Group not found"));
    let trace = group.trace_id().expect("a traceId").to_owned();
    assert!(!trace.is_empty() && group.to_string().contains(&trace));
    assert!(matches!(&group, HexError::Api { code: None, .. }));
    let connection = env.err(no_hang(env.client.connections().get(UNKNOWN_ID)).await);
    assert!(api_error(&connection, 404).contains("Data connection not found"));
}

#[tokio::test]
async fn run_project_with_a_wrong_typed_input_surfaces_hex_issues() {
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
    let (name, data_type) = inputs[0].clone();
    let bad = wrong_value(&data_type);
    let mut params = Map::new();
    params.insert(name.clone(), bad.clone());
    // A name the project does not have is ignored, as Hex documents.
    params.insert("no_such_input".to_owned(), json!(1));
    let request = RunProjectRequest {
        input_params: Some(params),
        ..RunProjectRequest::default()
    };
    let runs_before = state.run_ids(&project_id).len();
    let err = env.err(no_hang(env.client.runs().run(&project_id, &request)).await);
    // RunProject's 422 is the plain new shape: the rejected inputs come as issues.
    let HexError::Api {
        status,
        code,
        details,
        invalid,
        ..
    } = &err
    else {
        panic!("expected Hex's 422, got {err:?}");
    };
    assert_eq!(*status, 422);
    assert_eq!(code.as_deref(), Some("UNPROCESSABLE_CONTENT"));
    assert!(invalid.is_empty(), "{invalid:?}");
    let Some(ErrorDetails::Issues(issues)) = details.as_deref() else {
        panic!("expected issues, got {details:?}");
    };
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert!(issues[0].contains(&name) && issues[0].contains(&bad.to_string()));
    let text = err.to_string();
    assert!(text.contains(&name), "{text}");
    assert!(text.contains(&data_type), "{text}");
    // Nothing ran.
    assert_eq!(state.run_ids(&project_id).len(), runs_before);
}

#[tokio::test]
async fn unprocessable_answers_surface_hex_reason() {
    let env = Env::start().await;
    let project_id = env.sandbox.state().unpublished_project_ids()[0].clone();
    let err = env.err(
        no_hang(
            env.client
                .runs()
                .run(&project_id, &RunProjectRequest::default()),
        )
        .await,
    );
    let reason = api_error(&err, 422);
    assert!(reason.contains("not been published"), "{reason}");
    assert!(
        matches!(&err, HexError::Api { code: Some(code), .. } if code == "UNPROCESSABLE_CONTENT")
    );
    assert!(err.to_string().contains(&reason));
}

#[tokio::test]
async fn bad_requests_surface_hex_details() {
    let env = Env::start().await;
    let project_id = env.sandbox.state().project_ids()[0].clone();
    let params = ListCellsParams {
        after: Some("bm90LWEtY3Vyc29y".to_owned()),
        ..ListCellsParams::new(&project_id)
    };
    let err = env.err(no_hang(env.client.cells().list(&params)).await);
    let reason = api_error(&err, 400);
    assert!(reason.contains("Invalid pagination cursor"), "{reason}");
    let HexError::Api {
        details: Some(details),
        ..
    } = &err
    else {
        panic!("expected details in {err:?}");
    };
    // ListCells is new-style: the details come as the body's issues.
    let ErrorDetails::Issues(issues) = details.as_ref() else {
        panic!("expected issues, got {details:?}");
    };
    let text = issues.join("; ");
    assert!(text.contains("after"), "{text}");
    assert!(err.to_string().contains(text.as_str()), "{err}");
    // An unknown status name is refused with a reason naming it.
    let err = env.err(
        no_hang(
            env.client
                .projects()
                .update_status(&project_id, Some("Gold plated")),
        )
        .await,
    );
    assert!(api_error(&err, 400).contains("Gold plated"));
}

#[tokio::test]
async fn a_wrong_token_is_401_with_a_hint_and_never_echoed() {
    let env = Env::start().await;
    let wrong = "fake-wrong-token-9f8e7d";
    env.secret(wrong);
    let client = HexClient::builder(env.sandbox.base_url(), SecretString::from(wrong))
        .rate_limits(RateLimits::disabled())
        .build()
        .unwrap();
    env.assert_clean("the client's Debug", &format!("{client:?}"));
    let err = env.err(no_hang(client.users().me()).await);
    let reason = api_error(&err, 401);
    assert_eq!(reason, "Invalid API token");
    assert!(err.to_string().contains("check the API token"), "{err}");
}

#[tokio::test]
async fn details_hex_sends_with_a_404_or_422_reach_the_error() {
    let env = Env::start().await;
    let project_id = env.sandbox.state().runnable_project_ids()[0].clone();
    // Hex's standard body with every field, as a 404 and as a 422 (the sandbox's own errors carry
    // no details on these statuses, so the bodies are injected).
    for (status, reason, details) in [
        (
            404,
            "Project not found",
            "No project with this id is visible to the token",
        ),
        (
            422,
            "Unprocessable content",
            "viewId refers to a deleted saved view",
        ),
    ] {
        env.sandbox.inject(
            FaultRule::status("GET", &format!("/v1/projects/{project_id}"), status).with_body(
                json!({"reason": reason, "details": details, "traceId": "trace-contract-1"}),
            ),
        );
        let err = env.err(
            no_hang(
                env.client
                    .projects()
                    .get(&project_id, &GetProjectParams::default()),
            )
            .await,
        );
        assert_eq!(api_error(&err, status), reason);
        let HexError::Api {
            details: Some(got), ..
        } = &err
        else {
            panic!("expected details in {err:?}");
        };
        assert_eq!(**got, ErrorDetails::Text(details.to_owned()));
        assert_eq!(err.trace_id(), Some("trace-contract-1"));
        let text = err.to_string();
        for part in [reason, details, "trace-contract-1"] {
            assert!(text.contains(part), "{text} lacks {part}");
        }
    }
}
