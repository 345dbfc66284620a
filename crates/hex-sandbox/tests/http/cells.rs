//! ListCells, GetCell, CreateCell, UpdateCell and DeleteCell.

use serde_json::json;

use crate::common::{Api, assert_error, ids};

#[tokio::test]
async fn walking_a_projects_cells_gives_the_notebook_in_order() {
    let api = Api::start().await;
    let state = api.sandbox.state();
    let project = state.project_ids()[3].clone();
    let cells = api
        .walk(&format!("/cells?projectId={project}&limit=2"))
        .await;
    assert_eq!(ids(&cells), state.cell_ids(&project));
    assert_eq!(cells.len(), 5);
    let types: Vec<&str> = cells
        .iter()
        .map(|c| c["cellType"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["MARKDOWN", "INPUT", "SQL", "CODE", "SQL"]);
    for cell in &cells {
        assert_eq!(cell["projectId"], project.as_str());
        assert_eq!(cell.as_object().unwrap().len(), 7);
    }
    let sql = &cells[2];
    assert!(
        sql["contents"]["sqlCell"]["source"]
            .as_str()
            .unwrap()
            .contains("SELECT")
    );
    assert!(sql["contents"]["codeCell"].is_null() && sql["contents"]["markdownCell"].is_null());
    let connection = sql["dataConnectionId"].as_str().unwrap();
    assert!(state.connection_ids().contains(&connection.to_owned()));
    assert!(
        cells[1]["contents"]["sqlCell"].is_null() && cells[1]["contents"]["codeCell"].is_null()
    );

    let second_page = api
        .get(&format!("/cells?projectId={project}&limit=2"))
        .await
        .body;
    let after = second_page["pagination"]["after"].as_str().unwrap();
    let next = api
        .get(&format!("/cells?projectId={project}&limit=2&after={after}"))
        .await
        .body;
    let before = next["pagination"]["before"].as_str().unwrap();
    let back = api
        .get(&format!(
            "/cells?projectId={project}&limit=2&before={before}"
        ))
        .await
        .body;
    assert_eq!(back["values"], second_page["values"]);

    let other = state.project_ids()[4].clone();
    assert_error(
        &api.get(&format!("/cells?projectId={other}&after={after}"))
            .await,
        400,
        "cursor",
    );
}

#[tokio::test]
async fn cells_can_be_created_placed_updated_and_deleted() {
    let api = Api::start().await;
    let state = api.sandbox.state();
    let project = state.project_ids()[0].clone();
    let connection = state.connection_ids()[1].clone();
    let original = state.cell_ids(&project);

    let appended = api
        .post(
            "/cells",
            json!({"projectId": project, "cellType": "CODE", "label": "Totals",
            "contents": {"codeCell": {"source": "df.sum()"}}}),
        )
        .await;
    assert_eq!(appended.status, 200, "{}", appended.body);
    assert_eq!(appended.body["contents"]["codeCell"]["source"], "df.sum()");
    let code_id = appended.body["id"].as_str().unwrap().to_owned();
    assert_eq!(state.cell_ids(&project).last(), Some(&code_id));

    let inserted = api
        .post(
            "/cells",
            json!({"projectId": project, "cellType": "SQL",
            "contents": {"sqlCell": {"source": "SELECT 1", "dataConnectionId": connection}},
            "location": {"insertAfterCellId": original[0]}}),
        )
        .await;
    assert_eq!(inserted.status, 200, "{}", inserted.body);
    assert_eq!(inserted.body["dataConnectionId"], connection.as_str());
    let sql_id = inserted.body["id"].as_str().unwrap().to_owned();
    assert_eq!(state.cell_ids(&project)[1], sql_id);

    let first = api
        .post("/cells", json!({"projectId": project, "cellType": "MARKDOWN",
            "contents": {"markdownCell": {"source": "# Top"}}, "location": {"childPosition": "FIRST"}}))
        .await;
    assert_eq!(
        state.cell_ids(&project)[0],
        first.body["id"].as_str().unwrap()
    );

    // Many inserts at the same spot still keep the order (cells are renumbered when needed).
    let mut anchor = sql_id.clone();
    for i in 0..40 {
        let cell = api
            .post("/cells", json!({"projectId": project, "cellType": "CODE",
                "contents": {"codeCell": {"source": format!("step_{i}")}}, "location": {"insertAfterCellId": anchor}}))
            .await;
        assert_eq!(cell.status, 200);
        anchor = cell.body["id"].as_str().unwrap().to_owned();
    }
    let walked = api
        .walk(&format!("/cells?projectId={project}&limit=7"))
        .await;
    assert_eq!(ids(&walked), state.cell_ids(&project));
    let sources: Vec<&str> = walked
        .iter()
        .filter_map(|c| c["contents"]["codeCell"]["source"].as_str())
        .filter(|s| s.starts_with("step_"))
        .collect();
    assert_eq!(
        sources,
        (0..40).map(|i| format!("step_{i}")).collect::<Vec<_>>()
    );

    let updated = api
        .patch(
            &format!("/cells/{sql_id}"),
            json!({"contents": {"sqlCell": {"source": "SELECT 2"}}, "dataConnectionId": null}),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.body["contents"]["sqlCell"]["source"], "SELECT 2");
    assert!(updated.body["dataConnectionId"].is_null());
    assert_eq!(
        api.get(&format!("/cells/{sql_id}")).await.body,
        updated.body
    );

    assert_error(
        &api.patch(
            &format!("/cells/{code_id}"),
            json!({"contents": {"sqlCell": {"source": "x"}}}),
        )
        .await,
        400,
        "codeCell",
    );
    assert_error(
        &api.patch(
            &format!("/cells/{code_id}"),
            json!({"dataConnectionId": connection}),
        )
        .await,
        400,
        "SQL",
    );
    let missing_connection = "00000000-0000-4000-8000-000000000000";
    assert_error(
        &api.patch(
            &format!("/cells/{sql_id}"),
            json!({"dataConnectionId": missing_connection}),
        )
        .await,
        404,
        "Data connection",
    );

    let deleted = api.delete(&format!("/cells/{code_id}")).await;
    assert_eq!(deleted.status, 200);
    assert_eq!(deleted.body, json!({"cellId": code_id}));
    assert_error(&api.get(&format!("/cells/{code_id}")).await, 404, "Cell");
    assert!(!state.cell_ids(&project).contains(&code_id));
}

#[tokio::test]
async fn create_cell_checks_type_contents_and_location() {
    let api = Api::start().await;
    let state = api.sandbox.state();
    let project = state.project_ids()[0].clone();
    let other_cell = state.cell_ids(&state.project_ids()[1])[0].clone();
    let cases = [
        (
            json!({"projectId": project, "cellType": "CHART", "contents": {}}),
            400,
            "cellType",
        ),
        (
            json!({"projectId": project, "cellType": "SQL", "contents": {"codeCell": {"source": "x"}}}),
            400,
            "sqlCell",
        ),
        (
            json!({"projectId": project, "cellType": "CODE", "contents": {"codeCell": {"source": "x"}},
            "location": {"insertAfterCellId": other_cell}}),
            400,
            "insertAfterCellId",
        ),
        (
            json!({"projectId": "nope", "cellType": "CODE", "contents": {"codeCell": {"source": "x"}}}),
            400,
            "projectId",
        ),
        (
            json!({"projectId": "00000000-0000-4000-8000-000000000000", "cellType": "CODE",
            "contents": {"codeCell": {"source": "x"}}}),
            404,
            "Project",
        ),
        (
            json!({"projectId": project, "cellType": "CODE"}),
            400,
            "contents",
        ),
    ];
    for (body, status, needle) in cases {
        assert_error(&api.post("/cells", body).await, status, needle);
    }
}
