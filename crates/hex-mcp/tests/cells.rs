//! The cells tools against a sandbox: list every page, read, create, change and delete cells,
//! and the seed's query migration across SQL cells.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Launch, Session, sandbox, sandbox_with};
use serde_json::{Value, json};

/// Every cell of a project, following `pagination.after` `limit` at a time.
async fn all_cells(session: &Session, project: &str, limit: u32) -> Vec<Value> {
    let mut cells = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut arguments = json!({"project_id": project, "limit": limit});
        if let Some(cursor) = &after {
            arguments["after"] = json!(cursor);
        }
        let page = session.call("list_hex_cells", arguments).await.ok();
        let values = page["values"].as_array().unwrap();
        assert!(values.len() <= limit as usize);
        cells.extend(values.iter().cloned());
        match page["pagination"]["after"].as_str() {
            Some(cursor) => after = Some(cursor.to_string()),
            None => return cells,
        }
    }
}

fn ids(cells: &[Value]) -> Vec<String> {
    cells
        .iter()
        .map(|cell| cell["id"].as_str().unwrap().to_string())
        .collect()
}

fn sql_source(cell: &Value) -> &str {
    cell["contents"]["sqlCell"]["source"].as_str().unwrap()
}

async fn get_cell(session: &Session, id: &str) -> Value {
    session
        .call("get_hex_cell", json!({"cell_id": id}))
        .await
        .ok()
}

#[tokio::test]
async fn listing_walks_every_page_without_gaps_or_duplicates() {
    let sandbox = sandbox_with(|config| config.cells_per_project = 23).await;
    let session = Launch::against(&sandbox).start().await;
    let project = sandbox.state().project_ids()[0].clone();

    let cells = all_cells(&session, &project, 5).await;
    assert_eq!(ids(&cells), sandbox.state().cell_ids(&project));
    for cell in &cells {
        assert!(cell["staticId"].is_string() && cell["cellType"].is_string());
        assert!(
            cell.get("projectId").is_none(),
            "the project is not repeated"
        );
    }
    let sql = cells.iter().find(|cell| cell["cellType"] == "SQL").unwrap();
    assert!(sql["label"].is_string());
    assert!(!sql_source(sql).is_empty());
    session.finish().await;
}

#[tokio::test]
async fn long_sources_are_cut_in_lists_and_whole_in_get_hex_cell() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let project = sandbox.state().project_ids()[1].clone();
    let long = format!("SELECT 1\n{}", "-- padding\n".repeat(600));

    let created = session
        .call(
            "create_hex_cell",
            json!({"project_id": project, "cell_type": "CODE", "source": long, "label": "Long"}),
        )
        .await
        .ok();
    let id = created["id"].as_str().unwrap();
    let listed = all_cells(&session, &project, 100).await;
    let cell = listed.iter().find(|cell| cell["id"] == id).unwrap();
    let shown = cell["contents"]["codeCell"]["source"].as_str().unwrap();
    assert!(shown.len() < long.len(), "the list did not cut the source");
    assert!(shown.contains("more characters"), "{shown}");
    assert!(shown.contains(&format!("get_hex_cell with cell_id {id}")));

    let whole = get_cell(&session, id).await;
    assert_eq!(whole["contents"]["codeCell"]["source"], long.as_str());
    assert_eq!(whole["label"], "Long");
    assert_eq!(whole["projectId"], project.as_str());
    session.finish().await;
}

#[tokio::test]
async fn updating_a_sql_cell_changes_its_source_and_connection() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let project = sandbox.state().project_ids()[2].clone();
    let cells = all_cells(&session, &project, 100).await;
    let sql = cells.iter().find(|cell| cell["cellType"] == "SQL").unwrap();
    let id = sql["id"].as_str().unwrap();
    let target = sandbox
        .state()
        .connection_ids()
        .into_iter()
        .find(|connection| sql["dataConnectionId"] != connection.as_str())
        .unwrap();

    let updated = session
        .call(
            "update_hex_cell",
            json!({"cell_id": id, "sql_source": "SELECT 42 AS answer", "data_connection_id": target}),
        )
        .await
        .ok();
    assert_eq!(sql_source(&updated), "SELECT 42 AS answer");
    let read = get_cell(&session, id).await;
    assert_eq!(sql_source(&read), "SELECT 42 AS answer");
    assert_eq!(read["dataConnectionId"], target.as_str());
    let listed = all_cells(&session, &project, 100).await;
    let again = listed.iter().find(|cell| cell["id"] == id).unwrap();
    assert_eq!(again["dataConnectionId"], target.as_str());

    // Clearing the connection, then an empty source (which counts as given).
    session
        .call(
            "update_hex_cell",
            json!({"cell_id": id, "clear_data_connection": true}),
        )
        .await
        .ok();
    assert!(
        get_cell(&session, id)
            .await
            .get("dataConnectionId")
            .is_none()
    );
    session
        .call("update_hex_cell", json!({"cell_id": id, "sql_source": ""}))
        .await
        .ok();
    assert_eq!(sql_source(&get_cell(&session, id).await), "");

    let markdown = cells
        .iter()
        .find(|cell| cell["cellType"] == "MARKDOWN")
        .unwrap();
    let markdown_id = markdown["id"].as_str().unwrap();
    session
        .call(
            "update_hex_cell",
            json!({"cell_id": markdown_id, "markdown_source": "# Revised"}),
        )
        .await
        .ok();
    let read = get_cell(&session, markdown_id).await;
    assert_eq!(read["contents"]["markdownCell"]["source"], "# Revised");

    session.finish().await;
}

#[tokio::test]
async fn a_source_that_does_not_fit_the_cell_is_refused_naming_the_right_field() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let project = sandbox.state().project_ids()[2].clone();
    let cells = all_cells(&session, &project, 100).await;
    let of_type = |kind: &str| {
        cells
            .iter()
            .find(|cell| cell["cellType"] == kind)
            .map(|cell| cell["id"].as_str().unwrap().to_string())
    };
    let sql = of_type("SQL").unwrap();
    let markdown = of_type("MARKDOWN").unwrap();
    let mut cases = vec![
        (sql.clone(), "code_source", "print(1)", "sql_source"),
        (markdown, "code_source", "print(1)", "markdown_source"),
    ];
    if let Some(code) = of_type("CODE") {
        cases.push((code, "sql_source", "SELECT 1", "code_source"));
    }
    sandbox.clear_requests();
    for (cell, given, source, expected) in cases {
        let error = session
            .call("update_hex_cell", json!({"cell_id": cell, given: source}))
            .await
            .err();
        assert_eq!(error["kind"], "invalid_input", "{error}");
        assert_eq!(error["field"], given, "{error}");
        let message = error["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("as {expected}, not {given}")),
            "{error}"
        );
    }
    // Read, never changed.
    assert_eq!(sandbox.count_requests("PATCH", "/v1/cells/*"), 0);
    session.finish().await;
}

#[tokio::test]
async fn invalid_updates_name_the_field_and_send_nothing() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let project = sandbox.state().project_ids()[0].clone();
    let cell = sandbox.state().cell_ids(&project)[0].clone();
    let connection = sandbox.state().connection_ids()[0].clone();
    let cases = [
        (
            json!({"cell_id": cell, "sql_source": "SELECT 1", "code_source": "x = 1"}),
            Some("code_source"),
            "cannot update both sql_source and code_source",
        ),
        (
            json!({"cell_id": cell, "code_source": "", "markdown_source": "# x"}),
            Some("markdown_source"),
            "cannot update both",
        ),
        (json!({"cell_id": cell}), None, "nothing to update"),
        (
            json!({"cell_id": cell, "clear_data_connection": false}),
            None,
            "data_connection_id",
        ),
        (
            json!({"cell_id": cell, "data_connection_id": connection, "clear_data_connection": true}),
            Some("clear_data_connection"),
            "set a connection or clear it",
        ),
        (
            json!({"cell_id": "cell-1", "sql_source": "SELECT 1"}),
            Some("cell_id"),
            "UUID",
        ),
        (
            json!({"cell_id": cell, "data_connection_id": "warehouse"}),
            Some("data_connection_id"),
            "not a Hex id",
        ),
    ];
    for (arguments, field, says) in cases {
        let error = session.call("update_hex_cell", arguments).await.err();
        assert_eq!(error["kind"], "invalid_input", "{error}");
        assert_eq!(error["field"].as_str(), field, "{error}");
        assert!(error["message"].as_str().unwrap().contains(says), "{error}");
    }
    let error = session
        .call(
            "create_hex_cell",
            json!({"project_id": project, "cell_type": "CODE", "source": "x", "data_connection_id": connection}),
        )
        .await
        .err();
    assert_eq!(error["field"], "data_connection_id");
    assert!(sandbox.requests().is_empty(), "{:?}", sandbox.requests());
    session.finish().await;
}

#[tokio::test]
async fn a_created_cell_is_deleted_only_with_the_confirmation_token() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let state = sandbox.state();
    let project = state.project_ids()[3].clone();
    let anchor = state.cell_ids(&project)[1].clone();
    let connection = state.connection_ids()[0].clone();

    let created = session
        .call(
            "create_hex_cell",
            json!({
                "project_id": project, "cell_type": "sql", "source": "SELECT 1",
                "label": "Probe", "data_connection_id": connection,
                "output_dataframe": "probe", "insert_after_cell_id": anchor,
            }),
        )
        .await
        .ok();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(state.cell_ids(&project)[2], id, "placed after the anchor");
    let read = get_cell(&session, &id).await;
    assert_eq!(read["cellType"], "SQL");
    assert_eq!(read["dataConnectionId"], connection.as_str());
    assert_eq!(read["contents"]["sqlCell"]["outputDataframe"], "probe");

    let preview = session
        .call("delete_hex_cell", json!({"cell_id": id}))
        .await
        .ok();
    assert_eq!(preview["confirmationRequired"], true);
    // A person approves what they recognise: the cell's label and its project's title.
    let change = preview["change"].as_str().unwrap();
    let title = session.project_title(&project).await;
    let named = format!("\"Probe\" of project \"{title}\" ({id})");
    assert!(change.contains(&named), "{change}");
    let token = preview["confirmationToken"].as_str().unwrap();
    assert!(
        state.cell_ids(&project).contains(&id),
        "deleted without a yes"
    );
    assert_eq!(sandbox.count_requests("DELETE", "/v1/cells/*"), 0);

    let deleted = session
        .call(
            "delete_hex_cell",
            json!({"cell_id": id, "confirmation_token": token}),
        )
        .await
        .ok();
    assert_eq!(deleted["deleted"], true);
    assert_eq!(deleted["cellId"], id.as_str());
    assert!(!state.cell_ids(&project).contains(&id));
    let gone = session
        .call("get_hex_cell", json!({"cell_id": id}))
        .await
        .err();
    assert_eq!(gone["status"], 404);
    assert!(gone["next"].as_str().unwrap().contains("list_hex_cells"));
    assert!(!ids(&all_cells(&session, &project, 100).await).contains(&id));
    session.finish().await;
}

/// The seed's usage example: move every SQL cell of a project from `dev.schema` to
/// `prod.schema` and onto the production connection, then check each one.
#[tokio::test]
async fn query_migration_across_sql_cells_to_a_new_connection() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let state = sandbox.state();
    let project = state.project_ids()[4].clone();
    let connections = state.connection_ids();
    let (dev, prod) = (&connections[0], &connections[1]);
    for (kind, source) in [
        ("SQL", "SELECT * FROM dev.schema.orders"),
        (
            "SQL",
            "SELECT id, email\nFROM dev.schema.customers\nJOIN dev.schema.orders USING (id)",
        ),
        ("CODE", "df = load('dev.schema.orders')"),
    ] {
        let mut arguments = json!({"project_id": project, "cell_type": kind, "source": source});
        if kind == "SQL" {
            arguments["data_connection_id"] = json!(dev);
        }
        session.call("create_hex_cell", arguments).await.ok();
    }

    let cells = all_cells(&session, &project, 2).await;
    let to_migrate: Vec<&Value> = cells
        .iter()
        .filter(|cell| cell["cellType"] == "SQL" && sql_source(cell).contains("dev.schema"))
        .collect();
    assert_eq!(to_migrate.len(), 2);
    for cell in &to_migrate {
        let id = cell["id"].as_str().unwrap();
        let source = sql_source(cell).replace("dev.schema", "prod.schema");
        session
            .call(
                "update_hex_cell",
                json!({"cell_id": id, "sql_source": source, "data_connection_id": prod}),
            )
            .await
            .ok();
    }

    for cell in &to_migrate {
        let read = get_cell(&session, cell["id"].as_str().unwrap()).await;
        let source = sql_source(&read);
        assert!(
            source.contains("prod.schema") && !source.contains("dev.schema"),
            "{source}"
        );
        assert_eq!(
            source,
            sql_source(cell).replace("dev.schema", "prod.schema")
        );
        assert_eq!(read["dataConnectionId"], prod.as_str());
    }
    let after = all_cells(&session, &project, 100).await;
    assert_eq!(ids(&after), ids(&cells), "no cell was added or lost");
    assert!(
        !after
            .iter()
            .any(|cell| cell["cellType"] == "SQL" && sql_source(cell).contains("dev.schema"))
    );
    let code = after
        .iter()
        .find(|cell| cell["contents"]["codeCell"]["source"] == "df = load('dev.schema.orders')");
    assert!(code.is_some(), "a Python cell was changed");
    session.finish().await;
}
