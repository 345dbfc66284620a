//! search_hex_cells and replace_in_hex_cells over MCP against a sandbox, with the effect read
//! back from the sandbox: planted matches found exactly (a notebook of more than 100 cells,
//! several projects, a collection, the whole workspace, pages of results); a walk paced inside
//! Hex's cell limit that says how long it takes and stops early with a cursor; a replace that
//! changes nothing without its plan_id, leaves cells edited meanwhile alone, reports a failed
//! cell while the others are applied, finishes the rest when called again, and cannot be applied
//! by another HTTP caller.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{Launch, Session, TOKEN, assert_walk_progress, sandbox, sandbox_with};
use hex_client::{
    HexClient, RateLimits, SecretString,
    api::{
        cells::{CreateCellRequest, UpdateCellContents, UpdateCellRequest, UpdateSqlCell},
        projects::ListProjectsParams,
    },
};
use hex_sandbox::{FaultRule, RateLimitMode, RunningSandbox};
use serde_json::{Value, json};

/// A client of the test's own, unpaced, to plant cells and read them back.
fn hex(sandbox: &RunningSandbox) -> HexClient {
    HexClient::builder(sandbox.base_url(), SecretString::from(TOKEN.to_string()))
        .rate_limits(RateLimits::disabled())
        .build()
        .unwrap()
}

/// The server, unpaced: these tests are about what is found and changed, not about pace.
fn unpaced(sandbox: &RunningSandbox) -> Launch {
    Launch::against(sandbox).env("HEX_MCP_RATE_LIMITS", "off")
}

/// Projects ListProjects shows by default (what a workspace walk covers), in its order.
async fn listed_projects(hex: &HexClient, collection: Option<&str>) -> Vec<(String, String)> {
    let params = ListProjectsParams {
        limit: Some(100),
        collection_id: collection.map(str::to_owned),
        ..ListProjectsParams::default()
    };
    let mut pages = hex
        .projects()
        .pages(params, hex_client::PageCaps::default());
    let mut projects = Vec::new();
    while let Some(page) = pages.next_page().await {
        projects.extend(page.unwrap().values.into_iter().map(|p| (p.id, p.title)));
    }
    projects
}

async fn plant(hex: &HexClient, project: &str, kind: &str, source: &str) -> String {
    let request = match kind {
        "SQL" => CreateCellRequest::sql(project, source, None),
        "CODE" => CreateCellRequest::code(project, source),
        _ => CreateCellRequest::markdown(project, source),
    };
    hex.cells().create(&request).await.unwrap().id
}

async fn source_of(hex: &HexClient, cell: &str) -> String {
    hex.cells()
        .get(cell)
        .await
        .unwrap()
        .source()
        .unwrap()
        .to_string()
}

/// Cell ids of an answer's `projects[].cells[]`, with their project.
fn found(answer: &Value) -> Vec<(String, String)> {
    let mut cells = Vec::new();
    for project in answer["projects"].as_array().unwrap() {
        for cell in project["cells"].as_array().unwrap() {
            let project = project["id"].as_str().unwrap().to_string();
            cells.push((project, cell["id"].as_str().unwrap().to_string()));
        }
    }
    cells
}

/// Calls `tool` from `arguments`, following continue_with to the end; every cell found.
async fn walk_all(
    session: &Session,
    tool: &str,
    arguments: Value,
) -> (Vec<(String, String)>, usize) {
    let mut all = Vec::new();
    let mut arguments = arguments;
    for calls in 1..=100 {
        let answer = session.call(tool, arguments.clone()).await.ok();
        all.extend(found(&answer));
        match answer["continue_with"]["after"].as_str() {
            Some(after) => arguments["after"] = json!(after),
            None => {
                assert_eq!(answer["has_more"], false);
                return (all, calls);
            }
        }
    }
    panic!("the walk never ended");
}

fn set(cells: &[(String, String)]) -> BTreeSet<(String, String)> {
    let unique: BTreeSet<_> = cells.iter().cloned().collect();
    assert_eq!(unique.len(), cells.len(), "a cell was reported twice");
    unique
}

/// Plants 150 cells in `project`: every third SQL cell, every fifth Python cell and one
/// Markdown cell mention `zq_dev.` (on their second line); the rest do not.
async fn plant_notebook(hex: &HexClient, project: &str) -> BTreeSet<(String, String)> {
    let mut planted = BTreeSet::new();
    for i in 0..150 {
        let (kind, source, hit) = match i % 3 {
            0 => (
                "SQL",
                format!("select *\nfrom zq_dev.orders_{i}\nwhere 1 = 1"),
                true,
            ),
            1 => {
                let hit = i % 5 == 1;
                let table = if hit { "zq_dev" } else { "zq_prod" };
                ("CODE", format!("import x\ndf = load('{table}.t{i}')"), hit)
            }
            _ => {
                let hit = i == 149;
                let text = if hit {
                    "zq_dev.orders is the source"
                } else {
                    "plain notes"
                };
                ("MARKDOWN", format!("# Notes {i}\n{text}"), hit)
            }
        };
        let id = plant(hex, project, kind, &source).await;
        if hit {
            planted.insert((project.to_string(), id));
        }
    }
    planted
}

#[tokio::test]
async fn search_finds_exactly_the_planted_cells_in_a_long_notebook_and_across_projects() {
    let sandbox = sandbox().await;
    let hex = hex(&sandbox);
    let workspace = listed_projects(&hex, None).await;
    let collection = sandbox.state().collection_ids()[0].clone();
    let in_collection = listed_projects(&hex, Some(&collection)).await;
    assert!(!in_collection.is_empty());
    let long = workspace[0].0.clone();
    let mut planted = plant_notebook(&hex, &long).await;
    let notebook = planted.clone();
    // Two more projects, one of them in the collection, and one outside it.
    let members: BTreeSet<&str> = in_collection.iter().map(|(id, _)| id.as_str()).collect();
    let inside = members.iter().find(|id| **id != long).unwrap().to_string();
    let outside = workspace
        .iter()
        .find(|(id, _)| *id != long && !members.contains(id.as_str()))
        .unwrap()
        .0
        .clone();
    let others = [inside, outside];
    for project in &others {
        let id = plant(&hex, project, "SQL", "select 1\n-- zq_dev.audit").await;
        planted.insert((project.clone(), id));
    }
    let session = unpaced(&sandbox).start().await;

    // One project of 155 cells: two pages of ListCells, every match, nothing else.
    sandbox.clear_requests();
    let args = json!({"pattern": "zq_dev.", "project_id": long, "limit": 500});
    let answer = session.call("search_hex_cells", args).await.ok();
    assert_eq!(set(&found(&answer)), notebook);
    assert_eq!(answer["total_matched"], notebook.len());
    assert_eq!(answer["searched"]["cells"], 155);
    assert_eq!(answer["has_more"], false);
    assert_eq!(sandbox.count_requests("GET", "/v1/cells"), 2);
    let first = &answer["projects"][0]["cells"][0];
    assert_eq!(first["type"], "SQL");
    assert_eq!(
        first["lines"],
        json!([{"n": 2, "text": "from zq_dev.orders_0"}])
    );

    // The same in pages of 7 results: each page resumes inside Hex's page of cells.
    let args = json!({"pattern": "zq_dev.", "project_id": long, "limit": 7});
    let (paged, calls) = walk_all(&session, "search_hex_cells", args).await;
    assert_eq!(set(&paged), notebook);
    assert!(calls >= notebook.len() / 7, "{calls} calls");

    // The whole workspace, and one collection.
    let args = json!({"pattern": "zq_dev.", "limit": 500});
    let before = session.progress().len();
    let answer = session.call("search_hex_cells", args).await.ok();
    assert_eq!(set(&found(&answer)), planted);
    assert_eq!(answer["walk"]["projects"], workspace.len());
    // A client that sent a progress token saw the walk announced, then each project searched.
    let n = workspace.len();
    let progress = session.progress_since(before, n + 1).await;
    assert_walk_progress(
        &progress,
        n as f64,
        &format!("searched {n} of {n} projects"),
    );
    let announced = progress[0].message.as_deref().unwrap();
    assert!(
        announced.starts_with(&format!("searching {n} projects")),
        "{announced}"
    );
    let titles: BTreeMap<String, String> = workspace.iter().cloned().collect();
    for project in answer["projects"].as_array().unwrap() {
        assert_eq!(project["title"], titles[project["id"].as_str().unwrap()]);
    }
    let args = json!({"pattern": "zq_dev.", "collection_id": collection, "limit": 500});
    let answer = session.call("search_hex_cells", args).await.ok();
    let expected: BTreeSet<_> = planted
        .iter()
        .filter(|(project, _)| members.contains(project.as_str()))
        .cloned()
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(set(&found(&answer)), expected);

    // Cell types and a regex: the Python cells only, by a pattern with a group.
    let args = json!({"pattern": r"load\('zq_dev\.(\w+)'\)", "regex": true,
        "cell_types": ["CODE"], "project_id": long});
    let answer = session.call("search_hex_cells", args).await.ok();
    let python = found(&answer);
    assert_eq!(python.len(), 10, "i % 3 == 1 and i % 5 == 1 below 150");
    assert!(
        answer["projects"][0]["cells"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["type"] == "CODE")
    );
    session.finish().await;
}

#[tokio::test]
async fn wrong_arguments_are_refused_before_anything_is_sent() {
    let sandbox = sandbox().await;
    let session = unpaced(&sandbox).start().await;
    let project = sandbox.state().project_ids()[0].clone();
    let collection = sandbox.state().collection_ids()[0].clone();
    let cursor = {
        let args = json!({"pattern": "e", "project_id": project, "limit": 1});
        let answer = session.call("search_hex_cells", args).await.ok();
        answer["continue_with"]["after"]
            .as_str()
            .unwrap()
            .to_string()
    };
    sandbox.clear_requests();
    let cases = [
        (
            json!({"pattern": "x", "project_id": project, "collection_id": collection}),
            "collection_id",
        ),
        (json!({"pattern": ""}), "pattern"),
        (json!({"pattern": "(", "regex": true}), "pattern"),
        (json!({"pattern": "a".repeat(1_001)}), "pattern"),
        (
            json!({"pattern": "other", "project_id": project, "after": cursor}),
            "after",
        ),
    ];
    for (arguments, field) in cases {
        let error = session.call("search_hex_cells", arguments).await.err();
        assert_eq!(error["field"], field, "{error}");
    }
    let error = session
        .call("replace_in_hex_cells", json!({"pattern": "x"}))
        .await
        .err();
    assert_eq!(error["field"], "replacement");
    let error = session
        .call(
            "replace_in_hex_cells",
            json!({"pattern": "x", "replacement": "y",
            "plan_id": "0123456789abcdef0123456789abcdef"}),
        )
        .await
        .err();
    assert_eq!(error["field"], "plan_id");
    assert!(sandbox.requests().is_empty(), "nothing was sent");
    session.finish().await;
}

#[tokio::test]
async fn a_paced_walk_says_how_long_it_takes_and_stops_early_with_a_cursor() {
    // Hex's cell limit scaled up 8× (4 a second) on both sides, and one second a call.
    let sandbox = sandbox_with(|config| {
        config.projects = 12;
        config.rate_limits = RateLimitMode::Documented;
        config.rate_limit_scale = 8.0;
    })
    .await;
    let hex = hex(&sandbox);
    let projects = listed_projects(&hex, None).await;
    let mut planted = BTreeSet::new();
    for (project, _) in projects.iter().step_by(3) {
        let id = plant(&hex, project, "CODE", "x = 'zq_paced'").await;
        planted.insert((project.clone(), id));
    }
    let session = Launch::against(&sandbox)
        .env("HEX_MCP_RATE_LIMITS", "hex-api-30rpm=4/s")
        .env("HEX_MCP_SEARCH_SECONDS", "1")
        .start()
        .await;
    let args = json!({"pattern": "zq_paced"});
    let answer = session.call("search_hex_cells", args.clone()).await.ok();
    let walk = &answer["walk"];
    assert_eq!(walk["projects"], projects.len());
    assert_eq!(walk["cell_rate"], "240/min");
    let seconds = walk["estimated_seconds"].as_u64().unwrap();
    assert!(seconds >= (projects.len() / 4) as u64, "{walk}");
    assert!(
        answer["stopped_early"]
            .as_str()
            .unwrap()
            .contains("time limit"),
        "{answer}"
    );
    assert!(answer["continue_with"]["after"].is_string());
    let (all, calls) = walk_all(&session, "search_hex_cells", args).await;
    assert!(calls > 1);
    assert_eq!(set(&all), planted);
    let refused = sandbox
        .requests()
        .iter()
        .filter(|r| r.status == 429)
        .count();
    assert_eq!(refused, 0, "the walk never tripped Hex's limit");
    session.finish().await;

    // A request cap stops it the same way, after the same number of pages every time.
    let session = Launch::against(&sandbox)
        .env("HEX_MCP_RATE_LIMITS", "off")
        .env("HEX_MCP_SEARCH_MAX_PAGES", "4")
        .start()
        .await;
    let answer = session
        .call("search_hex_cells", json!({"pattern": "zq_paced"}))
        .await
        .ok();
    assert_eq!(
        answer["searched"]["projects"], 3,
        "one ListProjects and three ListCells"
    );
    assert!(
        answer["stopped_early"]
            .as_str()
            .unwrap()
            .contains("request limit")
    );
    let (all, _) = walk_all(&session, "search_hex_cells", json!({"pattern": "zq_paced"})).await;
    assert_eq!(set(&all), planted);
    session.finish().await;
}

const SQL_RULE: &str = r"zq_dev\.(\w+)";

fn replace_args(project: &str) -> Value {
    json!({"pattern": SQL_RULE, "regex": true, "replacement": "zq_prod.${1}_v2",
        "project_id": project})
}

#[tokio::test]
async fn a_replace_is_planned_then_applied_to_unchanged_cells_and_finished_after_a_failure() {
    let sandbox = sandbox().await;
    let hex = hex(&sandbox);
    let project = listed_projects(&hex, None).await[0].0.clone();
    let mut planted = Vec::new();
    for i in 0..120 {
        let id = plant(
            &hex,
            &project,
            "SQL",
            &format!("select *\nfrom zq_dev.orders_{i}\nwhere 1 = 1"),
        )
        .await;
        planted.push((id, i));
    }
    let session = unpaced(&sandbox).start().await;
    sandbox.clear_requests();

    // The plan: a diff per cell, nothing written.
    let plan = session
        .call("replace_in_hex_cells", replace_args(&project))
        .await
        .ok();
    assert_eq!(plan["cells_to_change"], 120);
    let plan_id = plan["plan_id"].as_str().unwrap().to_string();
    let cells = plan["projects"][0]["cells"].as_array().unwrap();
    assert_eq!(
        cells[0]["diff"],
        "@@ -1,3 +1,3 @@\n select *\n-from zq_dev.orders_0\n+from zq_prod.orders_0_v2\n where 1 = 1\n"
    );
    assert!(plan["next"].as_str().unwrap().contains("plan_id"));
    assert_eq!(sandbox.count_requests("PATCH", "/v1/cells/*"), 0);
    assert_eq!(
        source_of(&hex, &planted[0].0).await,
        "select *\nfrom zq_dev.orders_0\nwhere 1 = 1"
    );

    // Someone edits one planned cell; Hex fails the write of another.
    let (stale, _) = planted[5].clone();
    let edit = UpdateCellRequest {
        contents: Some(UpdateCellContents {
            code_cell: None,
            markdown_cell: None,
            sql_cell: Some(UpdateSqlCell {
                source: "select 2 -- zq_dev.orders_5, edited".into(),
                output_dataframe: None,
            }),
        }),
        data_connection_id: None,
    };
    hex.cells().update(&stale, &edit).await.unwrap();
    let (failing, _) = planted[9].clone();
    sandbox.inject(FaultRule::status(
        "PATCH",
        &format!("/v1/cells/{failing}"),
        500,
    ));

    // Another replacement cannot use this plan; then the plan is applied.
    let mut other = replace_args(&project);
    other["replacement"] = json!("zq_test.$1");
    other["plan_id"] = json!(plan_id);
    assert_eq!(
        session.call("replace_in_hex_cells", other).await.err()["field"],
        "plan_id"
    );
    let mut apply = replace_args(&project);
    apply["plan_id"] = json!(plan_id);
    let reads_before = sandbox.count_requests("GET", "/v1/cells/*");
    let progress_before = session.progress().len();
    let report = session
        .call("replace_in_hex_cells", apply.clone())
        .await
        .ok();
    let progress = session.progress_since(progress_before, 121).await;
    assert_walk_progress(&progress, 120.0, "worked through 120 of 120 cells");
    let announced = progress[0].message.as_deref().unwrap();
    assert!(announced.starts_with("applying 120 cells"), "{announced}");
    // The cells were read back by walking the notebook, not one GetCell each.
    assert_eq!(sandbox.count_requests("GET", "/v1/cells/*"), reads_before);
    assert_eq!(report["applied"].as_array().unwrap().len(), 118, "{report}");
    assert_eq!(report["failed"][0]["cell_id"], failing.as_str());
    assert!(
        report["failed"][0]["error"]
            .as_str()
            .unwrap()
            .contains("500")
    );
    assert_eq!(report["stale"][0]["cell_id"], stale.as_str());
    assert_eq!(report["complete"], false);
    assert!(report["next"].as_str().unwrap().contains("plan_id"));
    for (id, i) in &planted {
        let now = source_of(&hex, id).await;
        let expected = if *id == stale {
            "select 2 -- zq_dev.orders_5, edited".to_string()
        } else if *id == failing {
            format!("select *\nfrom zq_dev.orders_{i}\nwhere 1 = 1")
        } else {
            format!("select *\nfrom zq_prod.orders_{i}_v2\nwhere 1 = 1")
        };
        assert_eq!(now, expected);
    }

    // Calling again finishes the rest and writes nothing twice.
    let report = session
        .call("replace_in_hex_cells", apply.clone())
        .await
        .ok();
    assert_eq!(report["applied"], json!([failing]));
    assert_eq!(report["applied_before"], 118);
    assert_eq!(report["complete"], true);
    assert_eq!(report["stale"][0]["cell_id"], stale.as_str());
    assert_eq!(
        source_of(&hex, &failing).await,
        "select *\nfrom zq_prod.orders_9_v2\nwhere 1 = 1"
    );
    let again = session.call("replace_in_hex_cells", apply).await.ok();
    assert_eq!(again["applied"], json!([]));
    assert_eq!(again["applied_before"], 119);
    for (id, _) in &planted {
        let writes = sandbox.count_requests("PATCH", &format!("/v1/cells/{id}"));
        // The failing cell's refused write and its retry; the edited cell's edit only.
        let expected = if *id == failing { 2 } else { 1 };
        assert_eq!(writes, expected, "writes of {id}");
    }
    session.finish().await;
}

#[tokio::test]
async fn sql_cells_move_to_another_connection_and_other_cells_do_not() {
    let sandbox = sandbox().await;
    let hex = hex(&sandbox);
    let project = listed_projects(&hex, None).await[1].0.clone();
    let connections = sandbox.state().connection_ids();
    let (from, to) = (connections[0].clone(), connections[1].clone());
    let sql = CreateCellRequest::sql(&project, "select 1 -- zq_move", Some(from.clone()));
    let sql = hex.cells().create(&sql).await.unwrap().id;
    let python = CreateCellRequest::code(&project, "# zq_move");
    let python = hex.cells().create(&python).await.unwrap().id;
    let session = unpaced(&sandbox).start().await;
    let args = json!({"pattern": "zq_move", "project_id": project, "data_connection_id": to});
    let plan = session
        .call("replace_in_hex_cells", args.clone())
        .await
        .ok();
    assert_eq!(plan["cells_to_change"], 1, "{plan}");
    let cell = &plan["projects"][0]["cells"][0];
    assert_eq!(cell["id"], sql.as_str());
    assert_eq!(cell["data_connection"]["from"], from.as_str());
    assert_eq!(cell["data_connection"]["to"], to.as_str());
    assert!(cell["data_connection"]["to_name"].is_string());
    assert!(cell.get("diff").is_none(), "the text does not change");
    let mut apply = args;
    apply["plan_id"] = plan["plan_id"].clone();
    let report = session.call("replace_in_hex_cells", apply).await.ok();
    assert_eq!(report["applied"], json!([sql]));
    let moved = hex.cells().get(&sql).await.unwrap();
    assert_eq!(moved.data_connection_id.as_deref(), Some(to.as_str()));
    assert_eq!(moved.source(), Some("select 1 -- zq_move"));
    assert_eq!(source_of(&hex, &python).await, "# zq_move");

    let unknown = json!({"pattern": "zq_move", "project_id": project,
        "data_connection_id": "00000000-0000-4000-8000-000000000000"});
    let error = session.call("replace_in_hex_cells", unknown).await.err();
    assert_eq!(error["status"], 404, "{error}");
    session.finish().await;
}

/// A second client of an HTTP server, presenting `token`.
async fn http_client(
    url: &str,
    token: &str,
) -> rmcp::service::RunningService<rmcp::RoleClient, rmcp::model::ClientConfig> {
    use rmcp::{
        ServiceExt,
        transport::{
            StreamableHttpClientTransport,
            streamable_http_client::StreamableHttpClientTransportConfig,
        },
    };
    let config = StreamableHttpClientTransportConfig::with_uri(url.to_string()).auth_header(token);
    let transport = StreamableHttpClientTransport::from_config(config);
    rmcp::model::ClientConfig::default()
        .serve(transport)
        .await
        .unwrap()
}

#[tokio::test]
async fn another_http_caller_cannot_apply_a_plan() {
    let sandbox = sandbox().await;
    let hex = hex(&sandbox);
    let project = listed_projects(&hex, None).await[2].0.clone();
    let cell = plant(&hex, &project, "CODE", "x = 'zq_tenant'").await;
    let (alice, bob) = (
        "alice-token-0123456789abcdef",
        "bob-token-0123456789abcdef0",
    );
    let alice_session = Launch::against(&sandbox)
        .env("HEX_MCP_RATE_LIMITS", "off")
        .env("HEX_MCP_HTTP_TOKEN", &format!("{alice},{bob}"))
        .http()
        .bearer(alice)
        .start()
        .await;
    let args = json!({"pattern": "zq_tenant", "replacement": "zq_done", "project_id": project});
    let plan = alice_session
        .call("replace_in_hex_cells", args.clone())
        .await
        .ok();
    let mut apply = args;
    apply["plan_id"] = plan["plan_id"].clone();

    // Bob, on the same server, cannot apply it.
    let as_bob = http_client(alice_session.url.as_ref().unwrap(), bob).await;
    let params = rmcp::model::CallToolRequestParams::new("replace_in_hex_cells")
        .with_arguments(apply.as_object().cloned().unwrap());
    let refused = common::answer_of(as_bob.call_tool(params).await.unwrap()).err();
    assert_eq!(refused["field"], "plan_id", "{refused}");
    assert_eq!(source_of(&hex, &cell).await, "x = 'zq_tenant'");
    let _ = as_bob.cancel().await;

    let report = alice_session.call("replace_in_hex_cells", apply).await.ok();
    assert_eq!(report["applied"], json!([cell]));
    assert_eq!(source_of(&hex, &cell).await, "x = 'zq_done'");
    alice_session.finish().await;
}
