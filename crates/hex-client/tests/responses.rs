#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Responses: unknown values and fields survive, and re-serialising gives compact JSON without nulls.

mod common;

use common::{PROJECT_ID, RUN_ID, client, project_json, run_status_json};
use hex_client::api::cells::{Cell, CellType};
use hex_client::api::connections::{ConnectionDetails, DataConnection, DataConnectionType};
use hex_client::api::projects::{Project, ProjectType};
use hex_client::api::runs::{
    GetProjectRunsParams, GetRunStatusParams, RunStatus, RunStatusKind, RunTriggerFilter,
};
use hex_client::api::sharing::AccessLevel;
use hex_client::api::users::OrgRole;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn contains_null(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.iter().any(contains_null),
        Value::Object(map) => map.values().any(contains_null),
        _ => false,
    }
}

#[test]
fn project_round_trips_without_nulls_and_keeps_unknown_fields() {
    let mut raw = project_json(PROJECT_ID);
    raw["newField"] = json!({"x": 1});
    raw["type"] = json!("NOTEBOOK_V2");
    raw["sharing"] = json!({
        "users": [{"access": "CAN_EDIT", "user": {"email": "bo@example.com"}}],
        "collections": [], "groups": [{"access": "SUPER_ACCESS", "group": {"name": "Data"}}],
        "workspace": {"access": "APP_ONLY"}, "publicWeb": {"access": "NONE"}, "support": {"access": "NONE"}
    });
    let project: Project = serde_json::from_value(raw).unwrap();
    assert_eq!(project.kind, ProjectType::Unknown("NOTEBOOK_V2".into()));
    assert_eq!(project.description, None);
    let sharing = project.sharing.as_ref().unwrap();
    assert_eq!(sharing.users[0].access, AccessLevel::CanEdit);
    assert_eq!(
        sharing.groups[0].access,
        AccessLevel::Unknown("SUPER_ACCESS".into())
    );

    let out = serde_json::to_value(&project).unwrap();
    assert!(!contains_null(&out), "{out}");
    assert_eq!(out["newField"], json!({"x": 1}));
    assert_eq!(out["type"], "NOTEBOOK_V2");
    assert_eq!(out["lastEditedAt"], "2026-01-01T00:00:00Z");
    assert_eq!(out["schedules"][0]["daily"]["hour"], 6);
    assert!(out.get("lastPublishedAt").is_none());
}

#[test]
fn run_status_tolerates_new_statuses_and_string_versions() {
    let mut raw = run_status_json("QUEUED_FOR_GPU");
    raw["projectVersion"] = json!("12");
    raw["stateEvents"] = json!([{"type": "STATUS", "value": "RUNNING", "timestamp": "t"}]);
    let status: RunStatus = serde_json::from_value(raw).unwrap();
    assert_eq!(
        status.status,
        RunStatusKind::Unknown("QUEUED_FOR_GPU".into())
    );
    assert!(!status.status.is_terminal());
    assert_eq!(status.project_version.as_deref(), Some("12"));
    assert_eq!(
        status.state_events.unwrap()[0].value.as_deref(),
        Some("RUNNING")
    );
    // Notebook runs are "draft"; an integer, as older descriptions typed it, reads as its digits.
    let mut raw = run_status_json("COMPLETED");
    raw["projectVersion"] = json!("draft");
    let status: RunStatus = serde_json::from_value(raw).unwrap();
    assert_eq!(status.project_version.as_deref(), Some("draft"));
    let mut raw = run_status_json("COMPLETED");
    raw["projectVersion"] = json!(3);
    let status: RunStatus = serde_json::from_value(raw).unwrap();
    assert_eq!(status.project_version.as_deref(), Some("3"));
    assert!(RunStatusKind::Killed.is_terminal() && !RunStatusKind::Pending.is_terminal());
}

#[test]
fn data_connections_read_every_type_and_keep_unknown_ones() {
    let kinds = [
        (
            "athena",
            json!({"hostname": "h", "port": 443, "s3OutputPath": "s3://b", "accessKeyId": "AK", "catalog": null}),
        ),
        (
            "bigquery",
            json!({"projectId": "p", "enableStorageApi": true, "enableDriveAccess": false}),
        ),
        (
            "clickhouse",
            json!({"hostname": "h", "port": 9440.0, "username": "u"}),
        ),
        ("databricks", json!({"jdbcUrl": "jdbc:databricks://x"})),
        (
            "postgres",
            json!({"hostname": "h", "port": 5432, "database": "d", "username": "u"}),
        ),
        (
            "redshift",
            json!({"host": "h", "port": 5439, "database": "d", "username": "u"}),
        ),
        (
            "snowflake",
            json!({"accountName": "a", "warehouse": "w", "database": "d", "username": "u", "schema": null, "role": null}),
        ),
        (
            "trino",
            json!({"hostname": "h", "port": 8080, "username": "u", "sessionProperties": [{"key": "k", "value": "v"}]}),
        ),
    ];
    for (kind, details) in kinds {
        let raw =
            json!({"id": "dc", "name": "n", "type": kind, "connectionDetails": {kind: details}});
        let connection: DataConnection = serde_json::from_value(raw).unwrap();
        assert_eq!(connection.kind, DataConnectionType::from_wire(kind));
        let parsed = connection.connection_details.as_ref().unwrap();
        assert_eq!(parsed.kind(), Some(connection.kind.clone()), "{kind}");
        let out = serde_json::to_value(&connection).unwrap();
        assert!(!contains_null(&out), "{out}");
        assert!(out["connectionDetails"].get(kind).is_some(), "{out}");
    }
    let raw = json!({"id": "dc", "name": "n", "type": "duckdb", "connectionDetails": {"duckdb": {"path": "/x"}}, "connectViaSsh": false});
    let connection: DataConnection = serde_json::from_value(raw).unwrap();
    assert_eq!(
        connection.kind,
        DataConnectionType::Unknown("duckdb".into())
    );
    assert!(
        matches!(&connection.connection_details, Some(ConnectionDetails::Other(map)) if map["duckdb"]["path"] == "/x")
    );
    // The lean list form parses too.
    let lean: DataConnection =
        serde_json::from_value(json!({"id": "dc", "name": "n", "type": "postgres"})).unwrap();
    assert!(lean.connection_details.is_none());
}

#[test]
fn cells_expose_their_source() {
    let cell: Cell = serde_json::from_value(json!({
        "id": "c", "staticId": "s", "cellType": "MARKDOWN", "label": "Intro", "dataConnectionId": null,
        "contents": {"markdownCell": {"source": "# Hi"}, "sqlCell": null, "codeCell": null}, "projectId": PROJECT_ID
    }))
    .unwrap();
    assert_eq!(
        (cell.cell_type.clone(), cell.source()),
        (CellType::Markdown, Some("# Hi"))
    );
}

#[tokio::test]
async fn run_status_with_expanded_stats_and_run_listing() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/projects/{PROJECT_ID}/runs/{RUN_ID}")))
        .and(header("enable-expanded-stats", "true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(run_status_json("RUNNING")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/projects/{PROJECT_ID}/runs")))
        .and(query_param("limit", "2"))
        .and(query_param("offset", "4"))
        .and(query_param("statusFilter", "ERRORED"))
        .and(query_param("runTriggerFilter", "ALL"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "runs": [run_status_json("ERRORED")], "nextPage": null, "previousPage": "https://x/prev", "traceId": "t"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let status = client
        .runs()
        .status(
            PROJECT_ID,
            RUN_ID,
            &GetRunStatusParams {
                expanded_stats: true,
            },
        )
        .await
        .unwrap();
    assert_eq!(status.status, RunStatusKind::Running);
    let params = GetProjectRunsParams {
        limit: Some(2),
        offset: Some(4),
        status_filter: Some(RunStatusKind::Errored),
        run_trigger_filter: Some(RunTriggerFilter::All),
    };
    let runs = client.runs().list(PROJECT_ID, &params).await.unwrap();
    assert_eq!((runs.runs.len(), runs.next_page), (1, None));
}

#[tokio::test]
async fn users_and_me_parse_roles() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "values": [
                {"id": "u1", "name": "Ana", "role": "EDITOR", "email": "a@x", "lastLoginDate": null},
                {"id": "u2", "role": "WIZARD", "email": "b@x", "lastLoginDate": "2026-01-01"}
            ],
            "pagination": {"after": "n", "before": null}
        })))
        .mount(&server)
        .await;
    let page = client(&server)
        .users()
        .list(&Default::default())
        .await
        .unwrap();
    assert_eq!(page.values[0].role, OrgRole::Editor);
    assert_eq!(page.values[1].role, OrgRole::Unknown("WIZARD".into()));
    assert_eq!(page.pagination.after.as_deref(), Some("n"));
    let out = serde_json::to_value(&page).unwrap();
    assert!(!contains_null(&out), "{out}");
}
