//! Query results and charts over MCP: a SQL cell's output as a capped table with its totals,
//! failed and never-run cells, chart cells as PNG image blocks from the notebook and from runs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use base64::Engine;
use common::{Launch, answer_of, sandbox, sandbox_with};
use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::{Value, json};

/// The one image block of a result, decoded: (PNG bytes, width, height from the decoder).
fn png_of(result: &CallToolResult) -> (Vec<u8>, u32, u32) {
    let images: Vec<_> = result
        .content
        .iter()
        .filter_map(ContentBlock::as_image)
        .collect();
    assert_eq!(images.len(), 1, "{result:?}");
    assert_eq!(images[0].mime_type, "image/png");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&images[0].data)
        .unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes.clone()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    let ihdr_width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let ihdr_height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((info.width, info.height), (ihdr_width, ihdr_height));
    (bytes, info.width, info.height)
}

/// The JSON text of a result carries metadata only, never the image's base64.
fn assert_small_json(result: &CallToolResult) {
    let text: String = result
        .content
        .iter()
        .filter_map(|block| block.as_text().map(|t| t.text.clone()))
        .collect();
    assert!(text.len() < 600, "the JSON part is metadata only: {text}");
    assert!(
        !text.contains("iVBOR"),
        "base64 PNG inside the JSON: {text}"
    );
}

#[tokio::test]
async fn a_notebook_chart_arrives_as_a_png_image_block_of_the_requested_size() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let (_, cell_id, static_id) = sandbox.state().chart_cells()[0].clone();

    let sized = json!({"cell_id": cell_id, "width": 320, "height": 200, "include_title": true});
    let result = session.call_raw("get_hex_chart_image", sized).await;
    let (bytes, width, height) = png_of(&result);
    assert_eq!((width, height), (320, 200));
    assert_small_json(&result);
    let answer = answer_of(result).ok();
    assert_eq!(answer["cellId"], cell_id.as_str());
    assert_eq!(
        (answer["width"].clone(), answer["height"].clone()),
        (json!(320), json!(200))
    );
    assert_eq!(answer["bytes"], bytes.len());
    let sent = sandbox.requests().last().unwrap().query.clone().unwrap();
    assert_eq!(sent, "width=320&height=200&includeTitle=true");

    // By static id, without a size: the sandbox's default size.
    let result = session
        .call_raw("get_hex_chart_image", json!({"cell_id": static_id}))
        .await;
    let (_, width, height) = png_of(&result);
    assert_eq!((width, height), (800, 450));
    assert_eq!(answer_of(result).ok()["cellId"], cell_id.as_str());
    session.finish().await;
}

#[tokio::test]
async fn a_run_chart_needs_a_completed_run_and_the_static_id() {
    let sandbox = sandbox_with(|config| config.run_running = Duration::from_secs(120)).await;
    let session = Launch::against(&sandbox).start().await;
    let state = sandbox.state();
    let (project, cell_id, static_id) = state.chart_cells()[0].clone();
    let run = state.completed_run_ids(&project).last().unwrap().clone();

    let args = json!({"project_id": project, "run_id": run, "static_id": static_id,
        "width": 1000, "height": 600});
    let result = session.call_raw("get_hex_chart_image", args).await;
    let (_, width, height) = png_of(&result);
    assert_eq!((width, height), (1000, 600));
    let answer = answer_of(result).ok();
    assert_eq!(
        (
            answer["projectId"].as_str(),
            answer["runId"].as_str(),
            answer["staticId"].as_str()
        ),
        (
            Some(project.as_str()),
            Some(run.as_str()),
            Some(static_id.as_str())
        )
    );

    // The version-scoped id is not a static id of the run's project.
    let by_id = json!({"project_id": project, "run_id": run, "static_id": cell_id});
    let error = session.call("get_hex_chart_image", by_id).await.err();
    assert_eq!(error["status"], 404, "{error}");

    // A run still going has no images yet.
    let started = session
        .call("run_hex_project", json!({"project_id": project}))
        .await
        .ok();
    let running =
        json!({"project_id": project, "run_id": started["runId"], "static_id": static_id});
    let error = session.call("get_hex_chart_image", running).await.err();
    assert_eq!(error["status"], 400, "{error}");
    assert!(
        error["message"].as_str().unwrap().contains("COMPLETED"),
        "{error}"
    );
    session.finish().await;
}

#[tokio::test]
async fn chart_arguments_are_checked_before_anything_is_sent() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let (project, cell_id, static_id) = sandbox.state().chart_cells()[0].clone();
    let run = sandbox.state().completed_run_ids(&project)[0].clone();
    for (args, field) in [
        (json!({"cell_id": cell_id, "width": 300}), "height"),
        (json!({"cell_id": cell_id, "height": 300}), "width"),
        (
            json!({"cell_id": cell_id, "width": 99, "height": 300}),
            "width",
        ),
        (
            json!({"cell_id": cell_id, "width": 300, "height": 2001}),
            "height",
        ),
        (json!({"cell_id": cell_id, "run_id": run}), "cell_id"),
        (
            json!({"project_id": project, "static_id": static_id}),
            "cell_id",
        ),
        (json!({}), "cell_id"),
    ] {
        let error = session
            .call("get_hex_chart_image", args.clone())
            .await
            .err();
        assert_eq!(error["kind"], "invalid_input", "{args}: {error}");
        assert_eq!(error["field"], field, "{args}: {error}");
    }
    assert!(sandbox.requests().is_empty(), "{:?}", sandbox.requests());
    session.finish().await;
}

#[tokio::test]
async fn charts_that_failed_and_cells_that_are_not_charts_have_no_image() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let state = sandbox.state();
    let (_, failing, _) = state.failing_chart_cells()[0].clone();
    let result = session
        .call_raw("get_hex_chart_image", json!({"cell_id": failing}))
        .await;
    assert!(
        result
            .content
            .iter()
            .all(|block| block.as_image().is_none())
    );
    let error = answer_of(result).err();
    assert_eq!(error["status"], 400, "{error}");
    assert!(
        error["message"].as_str().unwrap().contains("without error"),
        "{error}"
    );

    let sql = state.sql_cells_with_rows(1)[0].clone();
    let error = session
        .call("get_hex_chart_image", json!({"cell_id": sql}))
        .await
        .err();
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("only chart cells"),
        "{error}"
    );
    session.finish().await;
}

#[tokio::test]
async fn a_cell_output_is_a_capped_table_with_its_totals_and_how_to_see_more() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let cell = sandbox.state().sql_cells_with_rows(120)[0].clone();
    let raw = raw_output(&sandbox, &cell).await;
    let hex_rows = raw["result"]["rows"].as_array().unwrap();
    let hex_columns: Vec<String> = raw["result"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();

    let answer = session
        .call("get_hex_cell_output", json!({"cell_id": cell}))
        .await
        .ok();
    assert_eq!(answer["result"], "table");
    assert_eq!(answer["cell"]["id"], cell.as_str());
    assert_eq!(answer["runId"], raw["runId"]);
    let rows = answer["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 50, "the default cap");
    assert_eq!(answer["rowsReturned"], hex_rows.len());
    assert_eq!(answer["totalRows"], raw["result"]["totalRows"]);
    assert_eq!(answer["truncated"], raw["result"]["truncated"]);
    assert_eq!(answer["rowLimit"], 1000);
    assert_eq!(
        answer["shown"],
        json!({"rowOffset": 0, "rows": 50, "columns": hex_columns.len()})
    );
    for (row, hex_row) in rows.iter().zip(hex_rows) {
        let expected: Vec<Value> = hex_columns.iter().map(|c| hex_row[c].clone()).collect();
        assert_eq!(row.as_array().unwrap(), &expected);
    }
    let next = answer["next"].as_str().unwrap();
    assert!(next.contains("row_offset 50"), "{next}");

    // The next window, and fewer columns.
    let more = json!({"cell_id": cell, "row_offset": 50, "max_rows": 500, "max_columns": 1});
    let answer = session.call("get_hex_cell_output", more).await.ok();
    let rows = answer["rows"].as_array().unwrap();
    assert_eq!(rows.len(), (hex_rows.len() - 50).min(500));
    assert_eq!(rows[0], json!([hex_rows[50][&hex_columns[0]]]));
    assert_eq!(answer["columns"].as_array().unwrap().len(), 1);
    assert!(
        answer["next"].as_str().unwrap().contains("max_columns"),
        "{answer}"
    );
    let error = session
        .call(
            "get_hex_cell_output",
            json!({"cell_id": cell, "max_rows": 501}),
        )
        .await
        .err();
    assert_eq!(error["field"], "max_rows");
    let error = session
        .call(
            "get_hex_cell_output",
            json!({"cell_id": cell, "max_columns": 0}),
        )
        .await
        .err();
    assert_eq!(error["field"], "max_columns");
    assert_eq!(
        sandbox.count_requests("GET", "/v1/cells/*/output"),
        3,
        "refused calls sent nothing"
    );
    session.finish().await;
}

/// GetCellOutput's JSON straight from the sandbox.
async fn raw_output(sandbox: &hex_sandbox::RunningSandbox, cell: &str) -> Value {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
        .get(format!("{}/cells/{cell}/output", sandbox.base_url()))
        .bearer_auth(sandbox.token())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn failed_never_run_and_new_cells_answer_as_hex_does() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let state = sandbox.state();

    let failing = state.failing_sql_cells()[0].clone();
    let answer = session
        .call("get_hex_cell_output", json!({"cell_id": failing}))
        .await
        .ok();
    assert_eq!(answer["result"], "cell_run_error");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("SQL compilation error")
    );
    assert!(answer.get("rows").is_none());

    let never_ran = state.sql_cells_without_output()[0].clone();
    let error = session
        .call("get_hex_cell_output", json!({"cell_id": never_ran}))
        .await
        .err();
    assert_eq!(error["status"], 404, "{error}");
    assert_eq!(error["cell"], never_ran.as_str());

    // A new SQL cell's output follows its SELECT list; a marked one fails.
    let project = state.runnable_project_ids()[0].clone();
    let connection = state.connection_ids()[0].clone();
    let source =
        "SELECT region, SUM(amount_usd) AS revenue FROM dev.sales.orders GROUP BY 1 LIMIT 7";
    let created = session
        .call(
            "create_hex_cell",
            json!({"project_id": project, "cell_type": "SQL",
            "source": source, "data_connection_id": connection}),
        )
        .await
        .ok();
    let answer = session
        .call(
            "get_hex_cell_output",
            json!({"cell_id": created["staticId"]}),
        )
        .await
        .ok();
    let names: Vec<&str> = answer["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["region", "revenue"]);
    assert_eq!(
        (
            answer["totalRows"].clone(),
            answer["rows"].as_array().unwrap().len()
        ),
        (json!(7), 7)
    );
    assert!(answer.get("next").is_none(), "{answer}");
    let failing = session
        .call("create_hex_cell", json!({"project_id": project, "cell_type": "SQL",
            "source": "SELECT 1 FROM nowhere -- [sandbox:error]", "data_connection_id": connection}))
        .await
        .ok();
    let answer = session
        .call("get_hex_cell_output", json!({"cell_id": failing["id"]}))
        .await
        .ok();
    assert_eq!(answer["result"], "cell_run_error");
    assert!(
        answer["message"].as_str().unwrap().contains("NOWHERE"),
        "{answer}"
    );

    let code = session
        .call(
            "create_hex_cell",
            json!({"project_id": project, "cell_type": "CODE", "source": "1"}),
        )
        .await
        .ok();
    let error = session
        .call("get_hex_cell_output", json!({"cell_id": code["id"]}))
        .await
        .err();
    assert_eq!(error["status"], 400, "{error}");
    session.finish().await;
}
