#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Request bodies and query strings are exactly what endpoints.md shows.

mod common;

use common::{PROJECT_ID, client, project_json};
use hex_client::api::cells::{Cell, UpdateCellRequest};
use hex_client::api::collections::{CollectionGrant, CollectionSharing, UpdateCollectionRequest};
use hex_client::api::connections::{
    ConnectionAccess, ConnectionDetailsUpdate, ConnectionGroupGrant, ConnectionGroupsUpsert,
    ConnectionSharingUpdate, CreateDataConnectionRequest, DataConnectionType, NewConnectionDetails,
    NewConnectionSharing, NewPostgres, NewSnowflake, PostgresUpdate, UpdateDataConnectionRequest,
};
use hex_client::api::groups::{GroupMemberChanges, GroupMembers, UpdateGroupRequest};
use hex_client::api::projects::{ListProjectsParams, ProjectSortBy};
use hex_client::api::runs::{
    RunNotification, RunNotificationType, RunProjectRequest, ScreenshotFormat,
};
use hex_client::api::sharing::{AccessLevel, GroupGrant, UserGrant, WorkspaceSharing};
use hex_client::api::{SortDirection, users::ListUsersParams};
use hex_client::{HexError, Secret};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn sharing_answer() -> Value {
    json!({"project": project_json(PROJECT_ID), "errors": []})
}

fn connection_answer(kind: &str, details: Value) -> Value {
    json!({
        "id": "dc1", "name": "Warehouse", "type": kind, "connectionDetails": {kind: details},
        "connectViaSsh": false, "includeMagic": true, "allowWritebackCells": false,
        "schemaRefreshAccess": "ADMINS", "sharing": {"workspace": {"members": "QUERY"}, "groups": []}
    })
}

#[tokio::test]
async fn user_sharing_body() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path(format!("/api/v1/projects/{PROJECT_ID}/sharing/users")))
        .and(body_json(json!({"sharing": {"upsert": {"users": [
            {"access": "CAN_EDIT", "user": {"id": "u1"}},
            {"access": "NONE", "user": {"id": "u2"}}
        ]}}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(sharing_answer()))
        .expect(1)
        .mount(&server)
        .await;
    let grants = [
        UserGrant::new("u1", AccessLevel::CanEdit),
        UserGrant::new("u2", AccessLevel::NoAccess),
    ];
    let update = client(&server)
        .sharing()
        .users(PROJECT_ID, &grants)
        .await
        .unwrap();
    assert_eq!(update.project.id, PROJECT_ID);
}

#[tokio::test]
async fn workspace_and_public_body_uses_flat_values() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path(format!(
            "/api/v1/projects/{PROJECT_ID}/sharing/workspaceAndPublic"
        )))
        .and(body_json(
            json!({"sharing": {"workspace": "APP_ONLY", "publicWeb": "NONE"}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(sharing_answer()))
        .expect(1)
        .mount(&server)
        .await;
    let sharing = WorkspaceSharing {
        workspace: Some(AccessLevel::AppOnly),
        public_web: Some(AccessLevel::NoAccess),
    };
    client(&server)
        .sharing()
        .workspace_and_public(PROJECT_ID, &sharing)
        .await
        .unwrap();
}

#[tokio::test]
async fn more_than_25_grants_are_refused_or_chunked_with_errors_merged() {
    let server = MockServer::start().await;
    let grants: Vec<GroupGrant> = (0..60)
        .map(|i| GroupGrant::new(format!("g{i}"), AccessLevel::CanView))
        .collect();
    let client = client(&server);
    let err = client
        .sharing()
        .groups(PROJECT_ID, &grants)
        .await
        .unwrap_err();
    assert!(matches!(err, HexError::InvalidInput { .. }), "{err:?}");
    assert!(server.received_requests().await.unwrap().is_empty());

    Mock::given(method("PATCH"))
        .and(path(format!("/api/v1/projects/{PROJECT_ID}/sharing/groups")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "project": project_json(PROJECT_ID), "errors": [{"groupIds": ["gx"], "reason": "not found"}]
        })))
        .expect(3)
        .mount(&server)
        .await;
    let update = client
        .sharing()
        .groups_chunked(PROJECT_ID, &grants)
        .await
        .unwrap();
    assert_eq!(update.errors.len(), 3);
    let sizes: Vec<usize> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            r.body_json::<Value>().unwrap()["sharing"]["upsert"]["groups"]
                .as_array()
                .unwrap()
                .len()
        })
        .collect();
    assert_eq!(sizes, vec![25, 25, 10]);
}

#[tokio::test]
async fn postgres_connection_body_carries_the_password_only_on_the_wire() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/data-connections"))
        .and(body_json(json!({
            "name": "Warehouse",
            "type": "postgres",
            "connectionDetails": {"postgres": {
                "hostname": "db.example.com", "port": 5432, "database": "analytics",
                "username": "hex", "password": "pg-secret"
            }},
            "includeMagic": true,
            "sharing": {"groups": [{"access": "QUERY", "group": {"id": "g1"}}]}
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(connection_answer(
            "postgres",
            json!({"hostname": "db.example.com", "port": 5432, "database": "analytics", "username": "hex"}),
        )))
        .expect(1)
        .mount(&server)
        .await;
    let details = NewConnectionDetails::Postgres(NewPostgres {
        hostname: "db.example.com".into(),
        port: 5432,
        database: "analytics".into(),
        username: "hex".into(),
        password: Secret::new("pg-secret"),
    });
    let mut request = CreateDataConnectionRequest::new("Warehouse", details);
    request.include_magic = Some(true);
    request.sharing = Some(NewConnectionSharing {
        workspace: None,
        groups: Some(vec![ConnectionGroupGrant::new(
            "g1",
            ConnectionAccess::Query,
        )]),
    });
    assert_eq!(request.kind, DataConnectionType::Postgres);
    // Debug and ordinary serialisation never show the password.
    assert!(!format!("{request:?}").contains("pg-secret"));
    assert!(
        !serde_json::to_string(&request)
            .unwrap()
            .contains("pg-secret")
    );

    let created = client(&server)
        .connections()
        .create(&request)
        .await
        .unwrap();
    assert_eq!(created.kind, DataConnectionType::Postgres);
    let echoed = serde_json::to_value(&created).unwrap();
    assert_eq!(echoed["connectionDetails"]["postgres"]["port"], 5432);
    assert!(
        echoed["connectionDetails"]["postgres"]
            .get("password")
            .is_none()
    );
}

#[tokio::test]
async fn snowflake_create_and_edit_bodies() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_json(json!({
            "name": "Snow", "type": "snowflake",
            "connectionDetails": {"snowflake": {
                "accountName": "acme-xy", "warehouse": "WH", "database": "DB", "username": "HEX",
                "privateKey": "-----BEGIN PRIVATE KEY-----", "passphrase": "pp", "role": "ANALYST"
            }}
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(connection_answer(
            "snowflake",
            json!({"accountName": "acme-xy"}),
        )))
        .expect(1)
        .mount(&server)
        .await;
    // Edit answers 201 too; groups are wrapped in `upsert`, a null schedule clears it.
    Mock::given(method("PATCH"))
        .and(path("/api/v1/data-connections/dc1"))
        .and(body_json(json!({
            "connectionDetails": {"postgres": {"password": "rotated"}},
            "schemaRefreshSchedule": null,
            "sharing": {"groups": {"upsert": [{"access": "VIEW_RESULTS", "group": {"id": "g2"}}]}}
        })))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(connection_answer("postgres", json!({}))),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let snowflake = NewConnectionDetails::Snowflake(NewSnowflake {
        account_name: "acme-xy".into(),
        warehouse: "WH".into(),
        database: "DB".into(),
        username: "HEX".into(),
        private_key: Secret::new("-----BEGIN PRIVATE KEY-----"),
        passphrase: Secret::new("pp"),
        schema: None,
        role: Some("ANALYST".into()),
    });
    client
        .connections()
        .create(&CreateDataConnectionRequest::new("Snow", snowflake))
        .await
        .unwrap();
    let edit = UpdateDataConnectionRequest {
        connection_details: Some(ConnectionDetailsUpdate::Postgres(PostgresUpdate {
            password: Some(Secret::new("rotated")),
            ..Default::default()
        })),
        schema_refresh_schedule: Some(None),
        sharing: Some(ConnectionSharingUpdate {
            workspace: None,
            groups: Some(ConnectionGroupsUpsert {
                upsert: vec![ConnectionGroupGrant::new(
                    "g2",
                    ConnectionAccess::ViewResults,
                )],
            }),
        }),
        ..Default::default()
    };
    client.connections().update("dc1", &edit).await.unwrap();
}

#[tokio::test]
async fn a_mismatched_connection_type_is_refused_before_sending() {
    let server = MockServer::start().await;
    let details = NewConnectionDetails::Postgres(NewPostgres {
        hostname: "h".into(),
        port: 1,
        database: "d".into(),
        username: "u".into(),
        password: Secret::new("p"),
    });
    let mut request = CreateDataConnectionRequest::new("W", details);
    request.kind = DataConnectionType::Trino;
    let err = client(&server)
        .connections()
        .create(&request)
        .await
        .unwrap_err();
    assert!(matches!(err, HexError::InvalidInput { .. }));
    assert!(server.received_requests().await.unwrap().is_empty());
}

fn cell_answer() -> Value {
    json!({
        "id": "c1", "staticId": "s1", "cellType": "SQL", "label": null, "dataConnectionId": null,
        "contents": {"markdownCell": null, "sqlCell": {"source": "select 1", "outputDataframe": "df"}, "codeCell": null},
        "projectId": PROJECT_ID
    })
}

#[tokio::test]
async fn cell_update_sends_an_explicit_null_to_clear_the_connection() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path("/api/v1/cells/c1"))
        .and(body_json(
            json!({"contents": {"sqlCell": {"source": "select 1"}}, "dataConnectionId": null}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(cell_answer()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/api/v1/cells/c2"))
        .and(body_json(
            json!({"contents": {"codeCell": {"source": "x = 1"}}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(cell_answer()))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let cell: Cell = client
        .cells()
        .update(
            "c1",
            &UpdateCellRequest::sql("select 1").clear_data_connection(),
        )
        .await
        .unwrap();
    assert_eq!(cell.source(), Some("select 1"));
    client
        .cells()
        .update("c2", &UpdateCellRequest::code("x = 1"))
        .await
        .unwrap();
}

#[tokio::test]
async fn run_project_body_and_flag_header() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/api/v1/projects/{PROJECT_ID}/runs")))
        .and(header("flag-config-override", "fast"))
        .and(body_json(json!({
            "inputParams": {"region": "EMEA", "threshold": 3},
            "dryRun": true,
            "notifications": [{
                "type": "FAILURE", "includeSuccessScreenshot": false, "screenshotFormat": "pdf", "userIds": ["u1"]
            }],
            "useCachedSqlResults": false
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "projectId": PROJECT_ID, "runId": "r1", "runUrl": "https://app.hex.tech/r1",
            "runStatusUrl": "https://app.hex.tech/api/v1/projects/p/runs/r1", "traceId": "t", "projectVersion": 7,
            "notifications": [{"type": "FAILURE", "recipientType": "USER", "includeSuccessScreenshot": false,
                "screenshotFormat": ["pdf"], "recipient": {"id": "u1", "name": "Ana"}}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let mut inputs = serde_json::Map::new();
    inputs.insert("region".into(), json!("EMEA"));
    inputs.insert("threshold".into(), json!(3));
    let request = RunProjectRequest {
        input_params: Some(inputs),
        dry_run: Some(true),
        notifications: Some(vec![RunNotification {
            kind: RunNotificationType::Failure,
            include_success_screenshot: false,
            screenshot_format: Some(ScreenshotFormat::Pdf),
            slack_channel_ids: None,
            user_ids: Some(vec!["u1".into()]),
            group_ids: None,
            subject: None,
            body: None,
        }]),
        use_cached_sql_results: Some(false),
        flag_config_override: Some("fast".into()),
        ..Default::default()
    };
    let run = client(&server)
        .runs()
        .run(PROJECT_ID, &request)
        .await
        .unwrap();
    assert_eq!((run.run_id.as_str(), run.project_version), ("r1", Some(7)));
    assert_eq!(
        run.notifications.unwrap()[0].screenshot_format,
        Some(vec![ScreenshotFormat::Pdf])
    );
}

#[tokio::test]
async fn group_edit_and_member_limits() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path("/api/v1/groups/g1"))
        .and(body_json(json!({"name": "Analysts", "members": {"add": {"users": [{"id": "u1"}]}, "remove": {"users": [{"id": "u2"}]}}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "g1", "name": "Analysts", "createdAt": "2025-01-01T00:00:00Z"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let edit = UpdateGroupRequest {
        name: Some("Analysts".into()),
        members: Some(GroupMemberChanges {
            add: Some(GroupMembers::users(["u1"])),
            remove: Some(GroupMembers::users(["u2"])),
        }),
    };
    assert_eq!(
        client.groups().update("g1", &edit).await.unwrap().name,
        "Analysts"
    );

    let too_many = UpdateGroupRequest {
        name: None,
        members: Some(GroupMemberChanges {
            add: Some(GroupMembers::users((0..101).map(|i| format!("u{i}")))),
            remove: None,
        }),
    };
    assert!(matches!(
        client.groups().update("g1", &too_many).await,
        Err(HexError::InvalidInput { .. })
    ));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn collection_sharing_is_upserted() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path("/api/v1/collections/col1"))
        .and(body_json(json!({"sharing": {"upsert": {"users": [{"access": "CAN_EDIT", "id": "u1"}]}}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "col1", "name": "Finance", "sharing": {"users": [{"access": "CAN_EDIT", "id": "u1"}]}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let sharing = CollectionSharing {
        users: Some(vec![CollectionGrant::new("u1", "CAN_EDIT")]),
        ..Default::default()
    };
    let collection = client(&server)
        .collections()
        .update(
            "col1",
            &UpdateCollectionRequest::default().upsert_sharing(sharing),
        )
        .await
        .unwrap();
    assert_eq!(collection.sharing.users.unwrap()[0].id, "u1");
}

#[tokio::test]
async fn list_projects_query_uses_hex_names_and_repeats_array_keys() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/projects"))
        .and(query_param("includeArchived", "true"))
        .and(query_param("creatorEmail", "ana@example.com"))
        .and(query_param("sortBy", "LAST_EDITED_AT"))
        .and(query_param("sortDirection", "ASC"))
        .and(query_param("limit", "50"))
        .and(query_param("after", "cur1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "values": [project_json(PROJECT_ID)], "pagination": {"after": null, "before": "cur0"}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let params = ListProjectsParams {
        include_archived: true,
        statuses: vec!["Approved".into(), "In review".into()],
        creator_email: Some("ana@example.com".into()),
        sort_by: Some(ProjectSortBy::LastEditedAt),
        sort_direction: Some(SortDirection::Asc),
        limit: Some(50),
        after: Some("cur1".into()),
        ..Default::default()
    };
    let page = client(&server).projects().list(&params).await.unwrap();
    assert_eq!(
        (
            page.values.len(),
            page.pagination.after,
            page.pagination.before.as_deref()
        ),
        (1, None, Some("cur0"))
    );
    let requests = server.received_requests().await.unwrap();
    let query = requests[0].url.query().unwrap().to_owned();
    assert!(
        query.contains("statuses=Approved&statuses=In+review"),
        "{query}"
    );
    // Defaults (false flags, empty lists) are not sent.
    assert!(
        !query.contains("includeTrashed") && !query.contains("categories"),
        "{query}"
    );
}

#[tokio::test]
async fn limits_out_of_range_are_refused_before_sending() {
    let server = MockServer::start().await;
    let client = client(&server);
    let err = client
        .projects()
        .list(&ListProjectsParams {
            limit: Some(101),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("between 1 and 100"), "{err}");
    // Users and groups allow 500.
    Mock::given(method("GET"))
        .and(query_param("limit", "500"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"values": [], "pagination": {"after": null, "before": null}}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    client
        .users()
        .list(&ListUsersParams {
            limit: Some(500),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        client
            .users()
            .list(&ListUsersParams {
                limit: Some(501),
                ..Default::default()
            })
            .await
            .is_err()
    );
}
