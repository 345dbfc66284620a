//! Valid arguments for every tool, from the sandbox's seeded ids or from objects a setup call
//! makes first (a run to cancel, a thread to continue). A tool missing here fails the matrix,
//! so a new tool gets its row.

use hex_sandbox::RunningSandbox;
use serde_json::{Value, json};

use super::harness::Fixture;

/// The arguments of `tool`, or `None` when it has no example yet.
pub async fn arguments(tool: &str, fx: &Fixture<'_>) -> Option<Value> {
    let state = fx.sandbox.state();
    let project = state.runnable_project_ids()[0].clone();
    let sql_cell = state.sql_cells_with_rows(1)[0].clone();
    let args = match tool {
        "list_hex_projects" => json!({"limit": 3}),
        "search_hex_projects" => json!({"search_pattern": "."}),
        // A title: the walk over ListProjects meets the fault, then GetMe builds the links.
        "resolve_hex_project" => {
            let found = fx
                .call("get_hex_project", json!({"project_id": project}))
                .await;
            json!({"query": found["title"]})
        }
        "get_hex_project"
        | "get_hex_queried_tables"
        | "export_hex_project"
        | "get_hex_project_runs"
        | "list_hex_cells"
        | "create_hex_presigned_url" => {
            json!({"project_id": project})
        }
        "create_hex_project" => json!({"title": "Fault matrix"}),
        "update_hex_project" => json!({"project_id": project, "status": "Approved"}),
        "run_hex_project" => json!({"project_id": project}),
        "get_hex_run_status" | "cancel_hex_run" => {
            let run = fx
                .call("run_hex_project", json!({"project_id": project}))
                .await;
            json!({"project_id": project, "run_id": run["runId"]})
        }
        "get_hex_cell" | "get_hex_cell_output" | "delete_hex_cell" => {
            json!({"cell_id": sql_cell})
        }
        "update_hex_cell" => json!({"cell_id": sql_cell, "sql_source": "select 1"}),
        "create_hex_cell" => {
            json!({"project_id": project, "cell_type": "CODE", "source": "x = 1"})
        }
        "get_hex_chart_image" => json!({"cell_id": state.chart_cells()[0].2}),
        "update_hex_project_user_sharing" => json!({"project_id": project,
            "user_permissions": [{"user_id": other_user(fx.sandbox), "access": "CAN_VIEW"}]}),
        "update_hex_project_group_sharing" => json!({"project_id": project,
            "group_permissions": [{"group_id": state.group_ids()[0], "access": "CAN_VIEW"}]}),
        "update_hex_project_collection_sharing" => json!({"project_id": project,
            "collection_permissions": [{"collection_id": state.collection_ids()[0], "access": "CAN_VIEW"}]}),
        "update_hex_project_workspace_sharing" => {
            json!({"project_id": project, "workspace_access": "CAN_VIEW"})
        }
        "list_hex_collections"
        | "list_hex_groups"
        | "list_hex_data_connections"
        | "list_hex_users" => json!({"limit": 5}),
        "get_hex_collection" => json!({"collection_id": state.collection_ids()[0]}),
        "create_hex_collection" => json!({"name": "Fault matrix"}),
        "update_hex_collection" => {
            json!({"collection_id": state.collection_ids()[0], "description": "faults"})
        }
        "get_hex_group" | "delete_hex_group" => json!({"group_id": state.group_ids()[0]}),
        "create_hex_group" => json!({"name": "Fault matrix"}),
        "update_hex_group" => json!({"group_id": state.group_ids()[0], "name": "Faults"}),
        "get_hex_data_connection" => json!({"connection_id": state.connection_ids()[0]}),
        "create_hex_data_connection" => json!({"name": "Faults DB", "connection_type": "postgres",
            "connection_details": {"postgres": {"hostname": "db.example.com", "port": 5432,
                "database": "app", "username": "reader", "password": "not-a-real-one"}}}),
        "update_hex_data_connection" => {
            json!({"connection_id": state.connection_ids()[0], "description": "faults"})
        }
        "update_hex_data_connection_schema" => json!({"connection_id": state.connection_ids()[0],
            "updates": [{"type": "DATABASE", "name": "analytics", "status": "Approved"}]}),
        "get_hex_current_user"
        | "list_hex_threads"
        | "list_hex_topics"
        | "list_hex_guide_drafts" => json!({}),
        "deactivate_hex_user" => json!({"user_id": other_user(fx.sandbox)}),
        "create_hex_thread" => json!({"prompt": "What was revenue last month?"}),
        "continue_hex_thread" | "get_hex_thread" | "get_hex_thread_messages" => {
            let thread = fx
                .call(
                    "create_hex_thread",
                    json!({"prompt": "What was revenue last month?", "wait_seconds": 20}),
                )
                .await;
            let id = thread["threadId"].clone();
            if tool == "continue_hex_thread" {
                json!({"thread_id": id, "prompt": "Split it by region"})
            } else {
                json!({"thread_id": id})
            }
        }
        "upsert_hex_guide_draft" => {
            json!({"files": [{"file_path": "ops/faults.md", "contents": "# Faults\nHandled."}]})
        }
        "delete_hex_guide_draft" => json!({"guide_id": draft_guide(fx).await}),
        "publish_hex_guide_drafts" => json!({"guide_ids": [draft_guide(fx).await]}),
        "ingest_hex_semantic_project" => json!({
            "semantic_project_id": state.semantic_project_ids()[0], "path": "sales"}),
        "update_hex_semantic_project" => json!({
            "semantic_project_id": state.semantic_project_ids()[0],
            "updates": [{"type": "DATASET", "name": "customers", "status": "Approved"}]}),
        "update_hex_sharing_bulk" => bulk_sharing(fx, &project, &state.group_ids()[0]).await,
        "audit_hex_access" | "check_hex_scheduled_runs" => json!({}),
        "search_hex_cells" => json!({"pattern": "select", "project_id": project}),
        "replace_in_hex_cells" => replace_plan(fx, &project).await,
        _ => return None,
    };
    Some(args)
}

/// A bulk change of one project, previewed by a setup call, with the token that applies it
/// (the fault then meets the apply's PATCH).
async fn bulk_sharing(fx: &Fixture<'_>, project: &str, group: &str) -> Value {
    for access in ["CAN_VIEW", "APP_ONLY"] {
        let mut arguments =
            json!({"access": access, "group_ids": [group], "project_ids": [project]});
        let preview = fx.call("update_hex_sharing_bulk", arguments.clone()).await;
        if let Some(token) = preview["apply_token"].as_str() {
            arguments["apply_token"] = json!(token);
            return arguments;
        }
    }
    panic!("the group already has both access levels on {project}");
}

/// A plan to change one cell a setup call planted, and the arguments that apply it.
async fn replace_plan(fx: &Fixture<'_>, project: &str) -> Value {
    let cell = json!({"project_id": project, "cell_type": "CODE", "source": "x = 'fault_matrix'"});
    fx.call("create_hex_cell", cell).await;
    let mut args =
        json!({"pattern": "fault_matrix", "replacement": "faults", "project_id": project});
    let plan = fx.call("replace_in_hex_cells", args.clone()).await;
    args["plan_id"] = plan["plan_id"].clone();
    args
}

fn other_user(sandbox: &RunningSandbox) -> String {
    let state = sandbox.state();
    let me = state.me_id();
    state.user_ids().into_iter().find(|id| *id != me).unwrap()
}

/// A draft guide, written by a setup call.
async fn draft_guide(fx: &Fixture<'_>) -> Value {
    let written = fx
        .call(
            "upsert_hex_guide_draft",
            json!({"files": [{"file_path": "ops/draft.md", "contents": "# Draft\nUnpublished."}]}),
        )
        .await;
    written["files"][0]["id"].clone()
}

/// A semantic project for the ingest (`sales` under the returned directory).
pub fn semantic_project_dir() -> std::path::PathBuf {
    let root = std::env::temp_dir().join(format!("hex-mcp-fault-matrix-{}", std::process::id()));
    let dir = root.join("sales");
    std::fs::create_dir_all(&dir).unwrap();
    let files = [
        (
            "orders.yml",
            "id: orders\nbase_sql_table: dev.sales.orders\n",
        ),
        (
            "customers.yml",
            "id: customers\nbase_sql_table: dev.sales.customers\n",
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    root.canonicalize().unwrap()
}
