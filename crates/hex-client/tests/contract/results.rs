//! Query results and charts: GetCellOutput (table, error, no output, by static id),
//! GetChartImageFromLogic and GetChartImageFromRun with sizes.

use base64::Engine;
use hex_client::api::cells::{CellResult, CellType, ChartImageParams, TotalRowsKind};

use crate::common::{Env, UNKNOWN_ID, api_error, no_hang};

/// Width and height of a base64 PNG, decoded in full.
fn png_size(base64: &str) -> (u32, u32) {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64)
        .unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    (info.width, info.height)
}

#[tokio::test]
async fn a_sql_cell_output_reads_by_id_and_static_id() {
    let env = Env::start().await;
    let cell_id = env.sandbox.state().sql_cells_with_rows(60)[0].clone();
    let cells = env.client.cells();
    let output = env.ok(no_hang(cells.output(&cell_id)).await);
    let cell = output.cell.clone().unwrap();
    assert_eq!(
        (cell.id.as_str(), cell.cell_type),
        (cell_id.as_str(), Some(CellType::Sql))
    );
    let CellResult::Table(table) = &output.result else {
        panic!("not a table: {:?}", output.result);
    };
    assert!(table.rows.len() >= 60);
    assert_eq!(table.rows_returned, Some(table.rows.len() as f64));
    assert_eq!(table.row_limit, Some(1000.0));
    assert!(
        table
            .total_rows_kind
            .as_ref()
            .is_some_and(TotalRowsKind::is_known)
    );
    let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    for row in &table.rows {
        let keys: Vec<&str> = row.keys().map(String::as_str).collect();
        assert_eq!(keys.len(), names.len());
        assert!(names.iter().all(|name| keys.contains(name)));
    }
    let project = env.ok(no_hang(cells.get(&cell_id)).await).project_id;
    assert_eq!(output.project_id, project);
    let by_static = env.ok(no_hang(cells.output(&cell.static_id)).await);
    assert_eq!(
        by_static, output,
        "the same output by static id, the same run"
    );
}

#[tokio::test]
async fn failed_and_never_run_cells_and_unknown_ids() {
    let env = Env::start().await;
    let state = env.sandbox.state();
    let failing = state.failing_sql_cells()[0].clone();
    let output = env.ok(no_hang(env.client.cells().output(&failing)).await);
    let CellResult::Error(error) = output.result else {
        panic!("not an error: {:?}", output.result);
    };
    assert!(
        error.message.contains("SQL compilation error"),
        "{}",
        error.message
    );
    assert_eq!(error.traceback, None);

    let never_ran = state.sql_cells_without_output()[0].clone();
    let err = env.err(no_hang(env.client.cells().output(&never_ran)).await);
    api_error(&err, 404);
    let err = env.err(no_hang(env.client.cells().output(UNKNOWN_ID)).await);
    api_error(&err, 404);
}

#[tokio::test]
async fn chart_images_from_the_notebook_and_from_a_completed_run() {
    let env = Env::start().await;
    let state = env.sandbox.state();
    let (project, cell_id, static_id) = state.chart_cells()[0].clone();
    let sized = ChartImageParams {
        width: Some(480),
        height: Some(270),
        include_title: Some(true),
    };
    let image = env.ok(no_hang(env.client.cells().chart_image(&cell_id, &sized)).await);
    assert_eq!(
        (image.cell_id.as_str(), image.mime_type.as_str()),
        (cell_id.as_str(), "image/png")
    );
    assert_eq!(png_size(&image.image_base64), (480, 270));
    let logged = env.sandbox.requests().last().unwrap().query.clone();
    assert_eq!(
        logged.as_deref(),
        Some("width=480&height=270&includeTitle=true")
    );

    let run_id = state.completed_run_ids(&project)[0].clone();
    let runs = env.client.runs();
    let image = env.ok(no_hang(runs.chart_image(
        &project,
        &run_id,
        &static_id,
        &ChartImageParams::default(),
    ))
    .await);
    assert_eq!(
        (
            image.project_id.as_str(),
            image.run_id.as_str(),
            image.static_id.as_str()
        ),
        (project.as_str(), run_id.as_str(), static_id.as_str())
    );
    assert_eq!(png_size(&image.image_base64), (800, 450));

    let (_, failing, _) = state.failing_chart_cells()[0].clone();
    let err = env.err(no_hang(env.client.cells().chart_image(&failing, &sized)).await);
    api_error(&err, 400);
}

#[tokio::test]
async fn chart_sizes_outside_hex_bounds_are_refused_before_sending() {
    let env = Env::start().await;
    let (project, cell_id, static_id) = env.sandbox.state().chart_cells()[0].clone();
    for (width, height) in [
        (Some(640), None),
        (None, Some(480)),
        (Some(99), Some(480)),
        (Some(640), Some(2001)),
    ] {
        let params = ChartImageParams {
            width,
            height,
            include_title: None,
        };
        let err = env.err(no_hang(env.client.cells().chart_image(&cell_id, &params)).await);
        assert!(
            matches!(err, hex_client::HexError::InvalidInput { .. }),
            "{err}"
        );
        let err = env.err(
            no_hang(
                env.client
                    .runs()
                    .chart_image(&project, UNKNOWN_ID, &static_id, &params),
            )
            .await,
        );
        assert!(
            matches!(err, hex_client::HexError::InvalidInput { .. }),
            "{err}"
        );
    }
    assert!(env.sandbox.requests().is_empty());
}
