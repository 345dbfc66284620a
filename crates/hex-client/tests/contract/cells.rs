//! Cells: ListCells, GetCell, CreateCell (SQL, code, Markdown, placed), UpdateCell (source and
//! data connection, including clearing it), DeleteCell.

use hex_client::HexError;
use hex_client::api::cells::{
    CellLocation, CellType, ChildPosition, CreateCellRequest, ListCellsParams, UpdateCellRequest,
};
use serde_json::Value;

use crate::common::{Env, UNKNOWN_ID, api_error, no_hang};

#[tokio::test]
async fn list_and_get_cells_match_the_notebook() {
    let env = Env::start().await;
    let state = env.sandbox.state();
    let project_id = state.project_ids()[3].clone();
    let params = ListCellsParams {
        limit: Some(100),
        ..ListCellsParams::new(&project_id)
    };
    let page = env.ok(no_hang(env.client.cells().list(&params)).await);
    let ids: Vec<String> = page.values.iter().map(|c| c.id.clone()).collect();
    assert_eq!(ids, state.cell_ids(&project_id));
    assert_eq!(page.pagination.after, None);
    for cell in &page.values {
        let got = env.ok(no_hang(env.client.cells().get(&cell.id)).await);
        assert_eq!(&got, cell);
        assert_eq!(got.project_id, project_id);
        let has_source = matches!(
            got.cell_type,
            CellType::Sql | CellType::Code | CellType::Markdown
        );
        assert_eq!(got.source().is_some(), has_source, "{got:?}");
    }
    // The project id is required and checked.
    let err = env.err(no_hang(env.client.cells().list(&ListCellsParams::new(UNKNOWN_ID))).await);
    api_error(&err, 404);
}

#[tokio::test]
async fn create_sql_code_and_markdown_cells_where_asked() {
    let env = Env::start().await;
    let state = env.sandbox.state();
    let project_id = state.project_ids()[0].clone();
    let connection_id = state.connection_ids()[0].clone();
    let cells = env.client.cells();

    let mut sql = CreateCellRequest::sql(&project_id, "select 1", Some(connection_id.clone()));
    sql.label = Some("Revenue".to_owned());
    let sql = env.ok(no_hang(cells.create(&sql)).await);
    assert_eq!(sql.cell_type, CellType::Sql);
    assert_eq!(sql.label.as_deref(), Some("Revenue"));
    assert_eq!(
        sql.data_connection_id.as_deref(),
        Some(connection_id.as_str())
    );
    let contents = sql.contents.sql_cell.clone().expect("sqlCell");
    assert_eq!(contents.source, "select 1");
    assert!(contents.output_dataframe.is_some());
    assert_eq!(sql.contents.code_cell, None);
    assert_eq!(
        state.cell_ids(&project_id).last(),
        Some(&sql.id),
        "appended"
    );

    let mut code = CreateCellRequest::code(&project_id, "print('hi')");
    code.location = Some(CellLocation {
        child_position: Some(ChildPosition::First),
        ..CellLocation::default()
    });
    let code = env.ok(no_hang(cells.create(&code)).await);
    assert_eq!(code.cell_type, CellType::Code);
    assert_eq!(code.source(), Some("print('hi')"));
    assert_eq!(state.cell_ids(&project_id).first(), Some(&code.id), "first");

    let mut markdown = CreateCellRequest::markdown(&project_id, "# Notes");
    markdown.location = Some(CellLocation {
        insert_after_cell_id: Some(code.id.clone()),
        ..CellLocation::default()
    });
    let markdown = env.ok(no_hang(cells.create(&markdown)).await);
    assert_eq!(markdown.cell_type, CellType::Markdown);
    assert_eq!(markdown.source(), Some("# Notes"));
    let order = state.cell_ids(&project_id);
    assert_eq!(&order[..2], &[code.id.clone(), markdown.id.clone()]);

    // A dataframe-SQL cell names its output; it cannot also take a connection.
    let mut frames = CreateCellRequest::sql(&project_id, "select * from dataframe_1", None);
    if let Some(sql) = frames.contents.sql_cell.as_mut() {
        sql.is_dataframe_sql = Some(true);
        sql.output_dataframe = Some("top_rows".to_owned());
    }
    let frames = env.ok(no_hang(cells.create(&frames)).await);
    let output = frames
        .contents
        .sql_cell
        .as_ref()
        .and_then(|s| s.output_dataframe.as_deref());
    assert_eq!(
        (output, frames.data_connection_id.as_deref()),
        (Some("top_rows"), None)
    );

    // Each create is one 200 (CreateCell answers 200, not 201), never repeated.
    let posts: Vec<u16> = env
        .sandbox
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.status)
        .collect();
    assert_eq!(posts, [200, 200, 200, 200]);
    let err = env.err(no_hang(cells.create(&CreateCellRequest::code(UNKNOWN_ID, "x"))).await);
    api_error(&err, 404);
}

#[tokio::test]
async fn update_sql_code_and_markdown_source_and_the_data_connection_then_clear_it() {
    let env = Env::start().await;
    let state = env.sandbox.state();
    let project_id = state.project_ids()[0].clone();
    let connections = state.connection_ids();
    let cells = env.client.cells();
    let sql = env.ok(no_hang(cells.create(&CreateCellRequest::sql(
        &project_id,
        "select 1",
        Some(connections[0].clone()),
    )))
    .await);
    let code = env.ok(no_hang(cells.create(&CreateCellRequest::code(&project_id, "1"))).await);
    let markdown =
        env.ok(no_hang(cells.create(&CreateCellRequest::markdown(&project_id, "a"))).await);

    let mut request = UpdateCellRequest::sql("select 2").with_data_connection(&connections[1]);
    if let Some(sql) = request.contents.as_mut().and_then(|c| c.sql_cell.as_mut()) {
        sql.output_dataframe = Some("revenue".to_owned());
    }
    let updated = env.ok(no_hang(cells.update(&sql.id, &request)).await);
    assert_eq!(updated.source(), Some("select 2"));
    let output = updated
        .contents
        .sql_cell
        .as_ref()
        .and_then(|s| s.output_dataframe.as_deref());
    assert_eq!(output, Some("revenue"));
    assert_eq!(
        updated.data_connection_id.as_deref(),
        Some(connections[1].as_str())
    );
    assert_eq!(env.ok(no_hang(cells.get(&sql.id)).await), updated);

    // Clearing sends `dataConnectionId: null` and leaves the source alone.
    let clear = UpdateCellRequest::default().clear_data_connection();
    let cleared = env.ok(no_hang(cells.update(&sql.id, &clear)).await);
    assert_eq!(cleared.data_connection_id, None);
    assert_eq!(cleared.source(), Some("select 2"));
    let logged = env.sandbox.requests().last().unwrap().body.clone().unwrap();
    assert_eq!(logged["dataConnectionId"], Value::Null);
    assert!(logged.as_object().unwrap().contains_key("dataConnectionId"));

    let code = env.ok(no_hang(cells.update(&code.id, &UpdateCellRequest::code("2"))).await);
    assert_eq!(code.source(), Some("2"));
    let markdown =
        env.ok(no_hang(cells.update(&markdown.id, &UpdateCellRequest::markdown("b"))).await);
    assert_eq!(markdown.source(), Some("b"));

    // Contents of another type are Hex's 400; an empty update never leaves the client.
    let err = env.err(no_hang(cells.update(&code.id, &UpdateCellRequest::sql("x"))).await);
    api_error(&err, 400);
    let before = env.sandbox.requests().len();
    let err = env.err(no_hang(cells.update(&code.id, &UpdateCellRequest::default())).await);
    assert!(matches!(err, HexError::InvalidInput { .. }), "{err:?}");
    assert_eq!(env.sandbox.requests().len(), before);
}

#[tokio::test]
async fn delete_cell_answers_200_with_its_id_and_the_cell_is_gone() {
    let env = Env::start().await;
    let state = env.sandbox.state();
    let project_id = state.project_ids()[0].clone();
    let cell_id = state.cell_ids(&project_id)[1].clone();
    let deleted = env.ok(no_hang(env.client.cells().delete(&cell_id)).await);
    assert_eq!(deleted.as_deref(), Some(cell_id.as_str()));
    let delete = env.sandbox.requests().last().unwrap().clone();
    assert_eq!((delete.method.as_str(), delete.status), ("DELETE", 200));
    assert!(!state.cell_ids(&project_id).contains(&cell_id));
    let err = env.err(no_hang(env.client.cells().get(&cell_id)).await);
    api_error(&err, 404);
}
