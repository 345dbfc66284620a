//! GetCellOutput, GetChartImageFromLogic and GetChartImageFromRun: what each answers, how the
//! output follows a cell's source, sizes, and the chart rate group.

use base64::Engine;
use hex_sandbox::SandboxConfig;
use serde_json::{Value, json};

use crate::common::{Api, assert_error, assert_legacy};

/// Width and height of the base64 PNG in an image answer.
fn png_size(answer: &Value) -> (u32, u32) {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(answer["imageBase64"].as_str().unwrap())
        .unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let reader = decoder.read_info().unwrap();
    let info = reader.info();
    (info.width, info.height)
}

#[tokio::test]
async fn the_output_follows_the_cells_source_and_reads_by_either_id() {
    let api = Api::start().await;
    let state = api.sandbox.state();
    let cell = state.sql_cells_with_rows(1)[0].clone();
    let first = api.get(&format!("/cells/{cell}/output")).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let again = api.get(&format!("/cells/{cell}/output")).await.body;
    assert_eq!(first.body, again, "the same output on every read");
    let static_id = first.body["cell"]["staticId"].as_str().unwrap();
    let by_static = api.get(&format!("/cells/{static_id}/output")).await.body;
    assert_eq!(by_static, first.body);

    let source = "SELECT plan, COUNT(*) AS accounts, MAX(churned_at) AS last_churn FROM dev.finance.subscriptions GROUP BY 1 LIMIT 3";
    let updated = api
        .patch(
            &format!("/cells/{cell}"),
            json!({"contents": {"sqlCell": {"source": source}}}),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    let result = api.get(&format!("/cells/{cell}/output")).await.body["result"].clone();
    let names: Vec<&str> = result["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["plan", "accounts", "last_churn"]);
    assert_eq!(
        (
            result["totalRows"].clone(),
            result["totalRowsKind"].clone(),
            result["truncated"].clone()
        ),
        (json!(3), json!("EXACT"), json!(false))
    );
    assert_eq!(result["rows"].as_array().unwrap().len(), 3);
    assert!(result["rows"][0]["plan"].is_string());

    let marked = api
        .patch(
            &format!("/cells/{cell}"),
            json!({"contents": {"sqlCell": {"source": "SELECT 1 FROM x.y -- [sandbox:error]"}}}),
        )
        .await;
    assert_eq!(marked.status, 200);
    let result = api.get(&format!("/cells/{cell}/output")).await.body["result"].clone();
    assert_eq!(result["type"], "cell_run_error");
    assert!(
        result["message"].as_str().unwrap().contains("X.Y"),
        "{result}"
    );
}

#[tokio::test]
async fn dataframe_sql_uses_duckdb_types_and_other_cells_have_no_output() {
    let api = Api::start().await;
    let project = api.sandbox.state().project_ids()[0].clone();
    let created = api
        .post(
            "/cells",
            json!({"projectId": project, "cellType": "SQL",
                "contents": {"sqlCell": {"source": "SELECT id, amount_usd FROM orders", "isDataframeSql": true}}}),
        )
        .await
        .body;
    let result = api
        .get(&format!(
            "/cells/{}/output",
            created["id"].as_str().unwrap()
        ))
        .await
        .body;
    assert_eq!(
        result["result"]["columns"],
        json!([{"name": "id", "type": "BIGINT"}, {"name": "amount_usd", "type": "DOUBLE"}])
    );

    let markdown = api.sandbox.state().cell_ids(&project)[0].clone();
    let answer = api.get(&format!("/cells/{markdown}/output")).await;
    assert_error(&answer, 400, "only SQL cells");
    assert_legacy(&answer, false);
    let never = api.sandbox.state().sql_cells_without_output()[0].clone();
    assert_error(
        &api.get(&format!("/cells/{never}/output")).await,
        404,
        "no output",
    );
    assert_error(&api.get("/cells/not-a-uuid/output").await, 400, "cellId");
}

#[tokio::test]
async fn chart_images_take_a_size_only_when_both_are_given() {
    let api = Api::start().await;
    let state = api.sandbox.state();
    let (project, cell, static_id) = state.chart_cells()[0].clone();
    let image = |query: &str| format!("/cells/{cell}/image{query}");
    assert_eq!(
        png_size(&api.get(&image("?width=100&height=2000")).await.body),
        (100, 2000)
    );
    assert_eq!(
        png_size(&api.get(&image("?width=300")).await.body),
        (800, 450),
        "one alone is ignored"
    );
    let by_static = api
        .get(&format!("/cells/{static_id}/image?includeTitle=true"))
        .await
        .body;
    assert_eq!(by_static["cellId"], cell.as_str());
    assert_error(&api.get(&image("?width=99&height=300")).await, 400, "width");
    assert_error(
        &api.get(&image("?width=300&height=300&includeTitle=yes"))
            .await,
        400,
        "includeTitle",
    );
    let sql = state.sql_cells_with_rows(1)[0].clone();
    assert_error(
        &api.get(&format!("/cells/{sql}/image")).await,
        400,
        "only chart cells",
    );
    let (_, failing, _) = state.failing_chart_cells()[0].clone();
    assert_error(
        &api.get(&format!("/cells/{failing}/image")).await,
        400,
        "without error",
    );

    let run = state.completed_run_ids(&project)[0].clone();
    let path =
        format!("/projects/{project}/runs/{run}/cells/{static_id}/image?width=640&height=480");
    let answer = api.get(&path).await;
    assert_eq!(png_size(&answer.body), (640, 480));
    let by_cell_id = format!("/projects/{project}/runs/{run}/cells/{cell}/image");
    assert_error(&api.get(&by_cell_id).await, 404, "static id");
    let other = state.project_ids()[0].clone();
    assert_error(
        &api.get(&format!(
            "/projects/{other}/runs/{run}/cells/{static_id}/image"
        ))
        .await,
        404,
        "Run",
    );
}

#[tokio::test]
async fn a_run_chart_waits_for_completion_and_chart_images_share_a_rate_group() {
    let api = Api::with(SandboxConfig {
        run_running: std::time::Duration::from_secs(120),
        ..SandboxConfig::default()
    })
    .await;
    let (project, _, static_id) = api.sandbox.state().chart_cells()[0].clone();
    let run = api
        .post(&format!("/projects/{project}/runs"), json!({}))
        .await
        .body;
    let path = format!(
        "/projects/{project}/runs/{}/cells/{static_id}/image",
        run["runId"].as_str().unwrap()
    );
    assert_error(&api.get(&path).await, 400, "COMPLETED");
    // hex-chart-image: 20 per minute across both operations (one was used just now).
    let done = api.sandbox.state().completed_run_ids(&project)[0].clone();
    let path = format!("/projects/{project}/runs/{done}/cells/{static_id}/image");
    for i in 1..20 {
        assert_eq!(api.get(&path).await.status, 200, "request {i}");
    }
    assert_error(&api.get(&path).await, 429, "hex-chart-image");
}

#[tokio::test]
async fn the_seed_has_charts_that_draw_and_one_that_fails() {
    let api = Api::start().await;
    let state = api.sandbox.state();
    assert_eq!(state.chart_cells().len(), 8);
    assert_eq!(state.failing_chart_cells().len(), 1);
    for (project, _, _) in state.chart_cells() {
        assert!(state.runnable_project_ids().contains(&project));
        assert!(!state.completed_run_ids(&project).is_empty());
    }
    assert!(!state.failing_sql_cells().is_empty() && !state.sql_cells_without_output().is_empty());
}
