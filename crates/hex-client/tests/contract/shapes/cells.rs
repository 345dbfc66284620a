//! CellApiResource, ListCells, GetCell, CreateCell (200), UpdateCell (200), DeleteCell (200 {cellId}).

use reqwest::Method;
use serde_json::{Value, json};

use super::{
    assert_cursor_list, assert_enum, assert_exact, assert_new_error_body, assert_nullable_string,
    assert_string, assert_uuid,
};
use crate::common::{Env, UNKNOWN_ID};

const CELL_TYPES: &[&str] = &[
    "CODE",
    "MARKDOWN",
    "DISPLAY_TABLE",
    "INPUT",
    "SQL",
    "VEGA_CHART",
    "CELL_GROUP",
    "METRIC",
    "TEXT",
    "MAP",
    "WRITEBACK",
    "DBT_METRIC",
    "PIVOT",
    "FILTER",
    "COMPONENT_IMPORT",
    "CHART",
    "BLOCK",
    "EXPLORE",
    "COLLAPSIBLE",
];

/// Every key required; `contents` has all three entries, only the one of the cell's type filled.
fn assert_cell(value: &Value) {
    assert_exact(
        "cell",
        value,
        &[
            "id",
            "staticId",
            "cellType",
            "label",
            "dataConnectionId",
            "contents",
            "projectId",
        ],
    );
    assert_uuid("cell.id", &value["id"]);
    assert_uuid("cell.staticId", &value["staticId"]);
    assert_uuid("cell.projectId", &value["projectId"]);
    assert_enum("cellType", &value["cellType"], CELL_TYPES);
    assert_nullable_string("label", &value["label"]);
    if !value["dataConnectionId"].is_null() {
        assert_uuid("dataConnectionId", &value["dataConnectionId"]);
    }
    let contents = &value["contents"];
    assert_exact(
        "contents",
        contents,
        &["markdownCell", "sqlCell", "codeCell"],
    );
    let filled = match value["cellType"].as_str().unwrap() {
        "SQL" => Some("sqlCell"),
        "CODE" => Some("codeCell"),
        "MARKDOWN" => Some("markdownCell"),
        _ => None,
    };
    for key in ["markdownCell", "sqlCell", "codeCell"] {
        if Some(key) != filled {
            assert!(
                contents[key].is_null(),
                "contents.{key} should be null: {value}"
            );
            continue;
        }
        let keys: &[&str] = if key == "sqlCell" {
            &["source", "outputDataframe"]
        } else {
            &["source"]
        };
        assert_exact(key, &contents[key], keys);
        assert_string("source", &contents[key]["source"]);
    }
}

#[tokio::test]
async fn cell_json_matches_the_reference() {
    let env = Env::start().await;
    let state = env.sandbox.state();
    let project = state.project_ids()[0].clone();
    let list = env
        .raw_get(&format!("/cells?projectId={project}&limit=2"))
        .await
        .expect(200);
    let values = assert_cursor_list("ListCells", &list);
    assert_eq!(values.len(), 2);
    assert_string("pagination.after", &list["pagination"]["after"]);
    let mut seen_types = Vec::new();
    for project in state.project_ids().iter().take(30) {
        let page = env
            .raw_get(&format!("/cells?projectId={project}&limit=100"))
            .await
            .expect(200);
        for cell in assert_cursor_list("ListCells", &page) {
            assert_cell(&cell);
            seen_types.push(cell["cellType"].as_str().unwrap().to_owned());
        }
    }
    for kind in ["SQL", "CODE", "MARKDOWN"] {
        assert!(
            seen_types.iter().any(|t| t == kind),
            "no seeded {kind} cell"
        );
    }
    let id = values[0]["id"].as_str().unwrap();
    assert_cell(&env.raw_get(&format!("/cells/{id}")).await.expect(200));

    let connection = state.connection_ids()[0].clone();
    let body = json!({"projectId": project, "cellType": "SQL", "label": "q",
        "contents": {"sqlCell": {"source": "select 1", "dataConnectionId": connection}}});
    let created = env
        .raw(Method::POST, "/cells", Some(body))
        .await
        .expect(200);
    assert_cell(&created);
    assert_eq!(created["dataConnectionId"], json!(connection));
    let new_id = created["id"].as_str().unwrap();
    let body = json!({"contents": {"sqlCell": {"source": "select 2"}}, "dataConnectionId": null});
    let updated = env
        .raw(Method::PATCH, &format!("/cells/{new_id}"), Some(body))
        .await
        .expect(200);
    assert_cell(&updated);
    assert_eq!(updated["dataConnectionId"], Value::Null);
    let deleted = env
        .raw(Method::DELETE, &format!("/cells/{new_id}"), None)
        .await;
    assert_eq!(deleted.status.as_u16(), 200);
    assert_exact("DeleteCell", &deleted.body, &["cellId"]);
    assert_eq!(deleted.body["cellId"], *new_id);
    let missing = env
        .raw_get(&format!("/cells/{UNKNOWN_ID}"))
        .await
        .expect(404);
    assert_new_error_body("GetCell 404", &missing, "NOT_FOUND");
    let no_project = env.raw_get("/cells").await.expect(400);
    assert_new_error_body("ListCells without projectId", &no_project, "BAD_REQUEST");
}
