#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The tolerant reader: every answer Hex's description allows decodes through the client's real
//! operation methods, over HTTP, for all 52 operations.
//!
//! Answers are generated from our transcription of the description (`tests/hex_schemas`, see
//! `support/hex_schema.rs`): boundary integers, fractional numbers, nulls where allowed, unknown
//! enum values and unknown members. Each must decode, lose no list item (a valid item is never
//! skipped), and keep every unknown member when written back. `PROPTEST_CASES` sets the cases
//! per operation (default [`CASES`]).

#[path = "support/hex_schema.rs"]
mod hex_schema;

use std::collections::BTreeSet;

use hex_client::api::PageParams;
use hex_client::api::cells::{
    ChartImageParams, CreateCellRequest, ListCellsParams, UpdateCellRequest,
};
use hex_client::api::collections::{
    CreateCollectionRequest, ListCollectionsParams, UpdateCollectionRequest,
};
use hex_client::api::connections::{
    CreateDataConnectionRequest, ListDataConnectionsParams, NewConnectionDetails, NewDatabricks,
    SchemaObjectType, SchemaObjectUpdate, UpdateConnectionSchemaRequest,
    UpdateDataConnectionRequest,
};
use hex_client::api::embedding::PresignedUrlRequest;
use hex_client::api::groups::{CreateGroupRequest, ListGroupsParams, UpdateGroupRequest};
use hex_client::api::guides::{
    GuideDraft, ListDraftGuidesParams, PublishGuideDraftsRequest, UpsertGuideDraftRequest,
};
use hex_client::api::projects::{
    CreateProjectRequest, ExportProjectRequest, GetProjectParams, ListProjectsParams,
};
use hex_client::api::runs::{GetProjectRunsParams, GetRunStatusParams, RunProjectRequest};
use hex_client::api::semantic::{
    IngestOptions, SemanticObjectType, SemanticObjectUpdate, UpdateSemanticProjectRequest,
};
use hex_client::api::sharing::{
    AccessLevel, CollectionGrant, GroupGrant, UserGrant, WorkspaceSharing,
};
use hex_client::api::threads::{
    ContinueThreadRequest, CreateThreadRequest, GetThreadMessagesParams, ListThreadsParams,
};
use hex_client::api::users::ListUsersParams;
use hex_client::{
    HexClient, HexError, Operation, Page, RateLimits, RetryPolicy, SecretString, SkippedItem,
};
use hex_schema::{FakeHex, Schemas, cases, unknown_members};
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde::Serialize;
use serde_json::Value;
use wiremock::{Mock, MockServer};

/// Generated answers per operation unless `PROPTEST_CASES` says otherwise.
const CASES: u32 = 64;

const ID: &str = "5a8591dd-4039-49df-9202-96385ba3eff8";

/// What a call decoded to, written back as JSON, and the list it read (if any).
struct Decoded {
    written: Value,
    list: Option<(usize, Vec<SkippedItem>)>,
}

fn plain<T: Serialize>(value: &T) -> Decoded {
    Decoded {
        written: serde_json::to_value(value).unwrap(),
        list: None,
    }
}

fn page<T: Serialize>(page: &Page<T>) -> Decoded {
    Decoded {
        written: serde_json::to_value(page).unwrap(),
        list: Some((page.values.len(), page.skipped.clone())),
    }
}

/// Calls `operation` through the client's own method, with valid arguments.
async fn call(hex: &HexClient, operation: Operation) -> Result<Decoded, HexError> {
    use Operation::*;
    let grant = AccessLevel::CanView;
    Ok(match operation {
        CreatePresignedUrl => plain(
            &hex.embedding()
                .create_presigned_url(ID, &PresignedUrlRequest::default())
                .await?,
        ),
        ListProjects => page(&hex.projects().list(&ListProjectsParams::default()).await?),
        CreateProject => plain(
            &hex.projects()
                .create(&CreateProjectRequest {
                    title: "t".into(),
                    description: None,
                })
                .await?,
        ),
        GetQueriedTables => page(
            &hex.projects()
                .queried_tables(ID, &PageParams::default())
                .await?,
        ),
        EditProjectSharingCollections => plain(
            &hex.sharing()
                .collections(ID, &[CollectionGrant::new(ID, grant)])
                .await?,
        ),
        IngestSemanticProject => plain(
            &hex.semantic()
                .ingest(ID, b"PK\x05\x06", &IngestOptions::default())
                .await?,
        ),
        UpdateSemanticProject => plain(
            &hex.semantic()
                .update(
                    ID,
                    &UpdateSemanticProjectRequest {
                        updates: vec![SemanticObjectUpdate {
                            kind: SemanticObjectType::Dataset,
                            name: "d".into(),
                            status: None,
                        }],
                    },
                )
                .await?,
        ),
        CancelRun => plain(&hex.runs().cancel(ID, ID).await?),
        GetRunStatus => plain(
            &hex.runs()
                .status(ID, ID, &GetRunStatusParams::default())
                .await?,
        ),
        GetGroup => plain(&hex.groups().get(ID).await?),
        DeleteGroup => plain(&hex.groups().delete(ID).await?),
        EditGroup => plain(
            &hex.groups()
                .update(
                    ID,
                    &UpdateGroupRequest {
                        name: Some("g".into()),
                        members: None,
                    },
                )
                .await?,
        ),
        ListGroups => page(&hex.groups().list(&ListGroupsParams::default()).await?),
        CreateGroup => plain(
            &hex.groups()
                .create(&CreateGroupRequest {
                    name: "g".into(),
                    members: None,
                })
                .await?,
        ),
        CreateDataConnection => {
            let details = NewConnectionDetails::Databricks(NewDatabricks {
                jdbc_url: "jdbc:x".into(),
                access_token: "token".into(),
            });
            plain(
                &hex.connections()
                    .create(&CreateDataConnectionRequest::new("c", details))
                    .await?,
            )
        }
        ListDataConnections => page(
            &hex.connections()
                .list(&ListDataConnectionsParams::default())
                .await?,
        ),
        EditDataConnection => plain(
            &hex.connections()
                .update(
                    ID,
                    &UpdateDataConnectionRequest {
                        name: Some("c".into()),
                        ..Default::default()
                    },
                )
                .await?,
        ),
        GetDataConnection => plain(&hex.connections().get(ID).await?),
        UpdateDataConnectionSchema => plain(
            &hex.connections()
                .update_schema(
                    ID,
                    &UpdateConnectionSchemaRequest {
                        updates: vec![SchemaObjectUpdate {
                            kind: SchemaObjectType::Table,
                            name: "db.s.t".into(),
                            status: None,
                        }],
                    },
                )
                .await?,
        ),
        UpsertGuideDraft => plain(
            &hex.guides()
                .upsert(&UpsertGuideDraftRequest {
                    files: vec![GuideDraft {
                        file_path: "a.md".into(),
                        contents: "x".into(),
                        external_source: None,
                    }],
                    force_write: None,
                })
                .await?,
        ),
        PublishGuideDrafts => plain(
            &hex.guides()
                .publish(&PublishGuideDraftsRequest::all())
                .await?,
        ),
        DeleteGuideDraft => plain(&hex.guides().delete(ID).await?),
        GetCollection => plain(&hex.collections().get(ID).await?),
        EditCollection => plain(
            &hex.collections()
                .update(
                    ID,
                    &UpdateCollectionRequest {
                        name: Some("c".into()),
                        ..Default::default()
                    },
                )
                .await?,
        ),
        ListCollections => page(
            &hex.collections()
                .list(&ListCollectionsParams::default())
                .await?,
        ),
        CreateCollection => plain(
            &hex.collections()
                .create(&CreateCollectionRequest {
                    name: "c".into(),
                    ..Default::default()
                })
                .await?,
        ),
        GetCell => plain(&hex.cells().get(ID).await?),
        UpdateCell => plain(
            &hex.cells()
                .update(ID, &UpdateCellRequest::sql("select 1"))
                .await?,
        ),
        DeleteCell => plain(&hex.cells().delete(ID).await?),
        GetCellOutput => plain(&hex.cells().output(ID).await?),
        CreateCell => plain(
            &hex.cells()
                .create(&CreateCellRequest::code(ID, "1"))
                .await?,
        ),
        ListCells => page(&hex.cells().list(&ListCellsParams::new(ID)).await?),
        GetChartImageFromLogic => plain(
            &hex.cells()
                .chart_image(ID, &ChartImageParams::default())
                .await?,
        ),
        EditProjectSharingGroups => plain(
            &hex.sharing()
                .groups(ID, &[GroupGrant::new(ID, grant)])
                .await?,
        ),
        EditProjectSharingUsers => plain(
            &hex.sharing()
                .users(ID, &[UserGrant::new(ID, grant)])
                .await?,
        ),
        EditProjectSharingOrgAndPublic => plain(
            &hex.sharing()
                .workspace_and_public(
                    ID,
                    &WorkspaceSharing {
                        workspace: Some(grant),
                        public_web: None,
                    },
                )
                .await?,
        ),
        ExportProject => plain(
            &hex.projects()
                .export(&ExportProjectRequest {
                    project_id: ID.into(),
                    version: None,
                })
                .await?,
        ),
        GetChartImageFromRun => plain(
            &hex.runs()
                .chart_image(ID, ID, ID, &ChartImageParams::default())
                .await?,
        ),
        GetProject => plain(&hex.projects().get(ID, &GetProjectParams::default()).await?),
        UpdateProject => plain(&hex.projects().update_status(ID, Some("s")).await?),
        GetProjectRuns => {
            let runs = hex
                .runs()
                .list(ID, &GetProjectRunsParams::default())
                .await?;
            Decoded {
                written: serde_json::to_value(&runs).unwrap(),
                list: Some((runs.runs.len(), runs.skipped.clone())),
            }
        }
        RunProject => plain(&hex.runs().run(ID, &RunProjectRequest::default()).await?),
        CreateThread => plain(&hex.threads().create(&CreateThreadRequest::new("q")).await?),
        ListThreads => page(&hex.threads().list(&ListThreadsParams::default()).await?),
        GetThread => plain(&hex.threads().get(ID).await?),
        GetThreadMessages => page(
            &hex.threads()
                .messages(ID, &GetThreadMessagesParams::default())
                .await?,
        ),
        ContinueThread => plain(
            &hex.threads()
                .follow_up(
                    ID,
                    &ContinueThreadRequest {
                        prompt: "more".into(),
                        attachments: None,
                    },
                )
                .await?,
        ),
        Me => plain(&hex.users().me().await?),
        ListUsers => page(&hex.users().list(&ListUsersParams::default()).await?),
        DeactivateUser => plain(&hex.users().deactivate(ID).await?),
        ListTopics => page(&hex.threads().topics(&PageParams::default()).await?),
        ListDraftGuides => page(&hex.guides().list(&ListDraftGuidesParams::default()).await?),
    })
}

/// The list a page answer carries, by the operation's list key.
fn listed(operation: Operation, body: &Value) -> Option<usize> {
    let key = match operation {
        Operation::ListThreads => "threads",
        Operation::ListTopics => "topics",
        Operation::GetThreadMessages => "content",
        Operation::GetProjectRuns => "runs",
        _ => "values",
    };
    body.get(key).and_then(Value::as_array).map(Vec::len)
}

/// Answers whose decoded form deliberately drops the wrapper around what they return (its
/// unknown members go with it): DeactivateUser returns the `user`, DeleteCell the `cellId`.
fn unwraps(operation: Operation) -> bool {
    matches!(operation, Operation::DeactivateUser | Operation::DeleteCell)
}

/// `body` with its list under `values`, the key every decoded page writes it back under.
fn as_page(operation: Operation, body: &Value) -> Value {
    let key = match operation {
        Operation::ListThreads => "threads",
        Operation::ListTopics => "topics",
        Operation::GetThreadMessages => "content",
        _ => return body.clone(),
    };
    let mut body = body.clone();
    if let Some(object) = body.as_object_mut()
        && let Some(list) = object.remove(key)
    {
        object.insert("values".into(), list);
    }
    body
}

fn check(operation: Operation, body: &Value, decoded: Decoded) -> Result<(), TestCaseError> {
    if let Some((read, skipped)) = &decoded.list {
        prop_assert!(
            skipped.is_empty(),
            "{operation}: valid items were skipped: {skipped:?}"
        );
        prop_assert_eq!(
            Some(*read),
            listed(operation, body),
            "{}: items lost",
            operation
        );
    }
    if !unwraps(operation) {
        let kept = unknown_members(&decoded.written);
        let lost: Vec<String> = unknown_members(&as_page(operation, body))
            .difference(&kept)
            .cloned()
            .collect();
        prop_assert!(
            lost.is_empty(),
            "{operation}: unknown members lost: {lost:?}"
        );
    }
    Ok(())
}

use proptest::{prop_assert, prop_assert_eq};

#[test]
fn every_answer_the_description_allows_decodes_through_the_client() {
    let schemas = Schemas::load();
    let names: BTreeSet<&str> = schemas.operation_names().into_iter().collect();
    let all: BTreeSet<&str> = Operation::ALL.iter().map(|op| op.name()).collect();
    assert_eq!(names, all, "one schema per operation of the client");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let fake = FakeHex::default();
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(fake.clone())
            .mount(&server)
            .await;
        server
    });
    let hex = HexClient::builder(
        format!("{}/api/v1", server.uri()),
        SecretString::from("token"),
    )
    .retry_policy(RetryPolicy::none())
    .rate_limits(RateLimits::disabled())
    .build()
    .unwrap();

    let cases = cases(CASES);
    let mut failures: Vec<String> = Vec::new();
    for &operation in Operation::ALL {
        let status = schemas.answer(operation).status;
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        });
        let outcome = runner.run(&schemas.body(operation), |body| {
            fake.set(operation, status, body.clone());
            let decoded = runtime
                .block_on(call(&hex, operation))
                .map_err(|error| TestCaseError::fail(format!("{operation}: {error}")))?;
            check(operation, &body, decoded)
        });
        if let Err(failure) = outcome {
            // The reason and the start of the smallest failing answer.
            let text = failure.to_string();
            failures.push(text.chars().take(2_000).collect());
        }
    }
    assert!(
        failures.is_empty(),
        "{} of 52 operations failed ({cases} cases each):\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
