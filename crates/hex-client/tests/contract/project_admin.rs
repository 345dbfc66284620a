//! ExportProject (draft, latest, a version number) and GetQueriedTables (paged), on projects
//! created for the test so the expected answer is known.

use std::collections::BTreeSet;

use hex_client::PageCaps;
use hex_client::api::PageParams;
use hex_client::api::cells::CreateCellRequest;
use hex_client::api::projects::{CreateProjectRequest, ExportProjectRequest, ExportVersion};

use crate::common::{Env, UNKNOWN_ID, api_error, no_hang};

fn export(project_id: &str, version: Option<ExportVersion>) -> ExportProjectRequest {
    ExportProjectRequest {
        project_id: project_id.to_owned(),
        version,
    }
}

#[tokio::test]
async fn export_writes_the_project_as_hex_yaml_for_each_version() {
    let env = Env::start().await;
    let projects = env.client.projects();
    let project_id = env.sandbox.state().runnable_project_ids()[0].clone();
    let project = env.ok(no_hang(projects.get(&project_id, &Default::default())).await);

    let draft = env.ok(no_hang(projects.export(&export(&project_id, None))).await);
    assert_eq!(draft.filename, format!("{}.hex.yaml", project.title));
    assert!(
        draft.content.contains(&format!("title: {}", project.title)),
        "{}",
        draft.content
    );
    assert!(draft.content.contains("version: draft"));
    let logged = env.sandbox.requests().last().unwrap().body.clone().unwrap();
    assert_eq!(logged, serde_json::json!({"projectId": project_id}));
    // Every cell of the notebook is in it, by static id.
    let cells = env.ok(no_hang(env.client.cells().list(
        &hex_client::api::cells::ListCellsParams {
            limit: Some(100),
            ..hex_client::api::cells::ListCellsParams::new(&project_id)
        },
    ))
    .await);
    assert!(
        cells
            .values
            .iter()
            .all(|c| draft.content.contains(&c.static_id))
    );

    let latest =
        env.ok(no_hang(projects.export(&export(&project_id, Some(ExportVersion::Latest)))).await);
    assert!(!latest.content.contains("version: draft"));
    let first = env
        .ok(
            no_hang(projects.export(&export(&project_id, Some(ExportVersion::Published(1))))).await,
        );
    assert!(first.content.contains("version: 1\n"), "{}", first.content);
    let logged = env.sandbox.requests().last().unwrap().body.clone().unwrap();
    assert_eq!(
        logged,
        serde_json::json!({"projectId": project_id, "version": 1})
    );

    let err = env.err(
        no_hang(projects.export(&export(
            &project_id,
            Some(ExportVersion::Published(100_000)),
        )))
        .await,
    );
    api_error(&err, 400);
    let before = env.sandbox.requests().len();
    let err = env.err(
        no_hang(projects.export(&export(&project_id, Some(ExportVersion::Published(0))))).await,
    );
    assert!(
        matches!(err, hex_client::HexError::InvalidInput { .. }),
        "{err}"
    );
    assert_eq!(
        env.sandbox.requests().len(),
        before,
        "refused before sending"
    );
    let err = env.err(no_hang(projects.export(&export(UNKNOWN_ID, None))).await);
    api_error(&err, 404);
}

#[tokio::test]
async fn queried_tables_list_each_table_and_connection_once_across_pages() {
    let env = Env::start().await;
    let state = env.sandbox.state();
    let connections = state.connection_ids();
    let request = CreateProjectRequest {
        title: "Lineage".to_owned(),
        description: None,
    };
    let project = env.ok(no_hang(env.client.projects().create(&request)).await);
    for (sql, connection) in [
        ("SELECT a FROM s.t1 JOIN s.t2 USING (a)", &connections[0]),
        ("SELECT a FROM s.t1", &connections[0]),
        ("SELECT a FROM s.t1", &connections[1]),
        ("SELECT a FROM s.t3", &connections[2]),
    ] {
        let cell = CreateCellRequest::sql(&project.id, sql, Some(connection.clone()));
        env.ok(no_hang(env.client.cells().create(&cell)).await);
    }
    let caps = PageCaps {
        max_pages: None,
        max_items: None,
        max_elapsed: None,
        page_size: Some(2),
    };
    let walked = env.ok(no_hang(
        env.client
            .projects()
            .queried_tables_pages(&project.id, PageParams::default(), caps)
            .collect_items(),
    )
    .await);
    let got: Vec<(String, String)> = walked
        .items
        .iter()
        .map(|t| (t.table_name.clone(), t.data_connection_id.clone()))
        .collect();
    let expected: BTreeSet<(String, String)> = [
        ("s.t1", &connections[0]),
        ("s.t2", &connections[0]),
        ("s.t1", &connections[1]),
        ("s.t3", &connections[2]),
    ]
    .into_iter()
    .map(|(t, c)| (t.to_owned(), c.clone()))
    .collect();
    assert_eq!(got.len(), 4, "{got:?}");
    assert_eq!(got.into_iter().collect::<BTreeSet<_>>(), expected);
    assert!(
        walked
            .items
            .iter()
            .all(|t| !t.data_connection_name.is_empty())
    );
    let page = env.ok(no_hang(
        env.client
            .projects()
            .queried_tables(&project.id, &PageParams::default()),
    )
    .await);
    assert!(page.extra.contains_key("traceId"));
    let err = env.err(
        no_hang(
            env.client
                .projects()
                .queried_tables(UNKNOWN_ID, &PageParams::default()),
        )
        .await,
    );
    api_error(&err, 404);
}
