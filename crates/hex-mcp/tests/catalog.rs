//! The catalog as a whole, across tools: the seed's 26 tools on by default with the seed's
//! parameters, unique names, a snapshot per tool and none orphaned, every tool's declared Hex
//! operations (all 52 covered, docs/COVERAGE.md current), and the context budgets every session
//! pays for: the bytes of compact `tools/list` JSON per tool and in all.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::{
    collections::{BTreeMap, BTreeSet},
    process::Command,
};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_hex-mcp");

/// The most bytes one tool may cost (its compact `tools/list` JSON).
const MAX_TOOL_BYTES: usize = 2_048;
/// The most a tool may cost on average, in the default catalog and with every toolset on.
const MAX_AVERAGE_BYTES: usize = 600;
/// The default catalog's ceiling: 20 KB read the strict way, as 20,000 bytes.
const MAX_DEFAULT_BYTES: usize = 20_000;
/// Every toolset on.
const MAX_ALL_BYTES: usize = 40_000;

/// The Python hex-mcp's 26 tools with their parameters, required ones first
/// (`../shared/seed-tools.md`): the drop-in contract.
const SEED: &[(&str, &[&str], &[&str])] = &[
    ("list_hex_projects", &[], &["limit", "offset"]),
    (
        "search_hex_projects",
        &["search_pattern"],
        &["limit", "offset"],
    ),
    ("get_hex_project", &["project_id"], &[]),
    ("get_hex_run_status", &["project_id", "run_id"], &[]),
    (
        "get_hex_project_runs",
        &["project_id"],
        &["limit", "offset"],
    ),
    (
        "run_hex_project",
        &["project_id"],
        &["input_params", "update_published_results"],
    ),
    ("cancel_hex_run", &["project_id", "run_id"], &[]),
    (
        "list_hex_cells",
        &["project_id"],
        &["limit", "after", "before"],
    ),
    (
        "update_hex_cell",
        &["cell_id"],
        &["sql_source", "code_source", "data_connection_id"],
    ),
    (
        "update_hex_project_user_sharing",
        &["project_id", "user_permissions"],
        &[],
    ),
    (
        "update_hex_project_group_sharing",
        &["project_id", "group_permissions"],
        &[],
    ),
    (
        "update_hex_project_collection_sharing",
        &["project_id", "collection_permissions"],
        &[],
    ),
    (
        "update_hex_project_workspace_sharing",
        &["project_id"],
        &["workspace_access", "public_access"],
    ),
    (
        "list_hex_collections",
        &[],
        &["limit", "after", "before", "sort_by"],
    ),
    ("get_hex_collection", &["collection_id"], &[]),
    (
        "create_hex_collection",
        &["name"],
        &[
            "description",
            "sharing_users",
            "sharing_groups",
            "workspace_access",
        ],
    ),
    (
        "update_hex_collection",
        &["collection_id"],
        &[
            "name",
            "description",
            "sharing_users",
            "sharing_groups",
            "workspace_access",
        ],
    ),
    (
        "list_hex_groups",
        &[],
        &["limit", "after", "before", "sort_by", "sort_direction"],
    ),
    ("get_hex_group", &["group_id"], &[]),
    ("create_hex_group", &["name"], &["member_user_ids"]),
    (
        "update_hex_group",
        &["group_id"],
        &["name", "add_member_user_ids", "remove_member_user_ids"],
    ),
    ("delete_hex_group", &["group_id"], &[]),
    (
        "list_hex_data_connections",
        &[],
        &["limit", "after", "before", "sort_by", "sort_direction"],
    ),
    ("get_hex_data_connection", &["connection_id"], &[]),
    (
        "create_hex_data_connection",
        &["name", "connection_type", "connection_details"],
        &[
            "description",
            "connect_via_ssh",
            "include_magic",
            "allow_writeback_cells",
            "schema_filters",
            "schema_refresh_schedule",
            "schema_refresh_access",
            "sharing",
        ],
    ),
    (
        "update_hex_data_connection",
        &["connection_id"],
        &[
            "name",
            "description",
            "connection_details",
            "connect_via_ssh",
            "include_magic",
            "allow_writeback_cells",
            "schema_filters",
            "schema_refresh_schedule",
            "schema_refresh_access",
            "sharing",
        ],
    ),
];

/// `hex-mcp tools --json` with these arguments: the tools as `tools/list` shows them, plus
/// `_meta["hex-mcp/operations"]`.
fn tools(args: &[&str]) -> Vec<Value> {
    let output = Command::new(BIN)
        .args(["tools", "--json"])
        .args(args)
        .env_remove("HEX_MCP_TOOLSETS")
        .env_remove("HEX_MCP_TOOLS")
        .env_remove("HEX_MCP_READ_ONLY")
        .output()
        .unwrap();
    assert!(output.status.success());
    let list: Value = serde_json::from_slice(&output.stdout).unwrap();
    list["tools"].as_array().unwrap().clone()
}

/// A tool as `tools/list` sends it: compact JSON without the CLI's `_meta`.
fn listed_bytes(tool: &Value) -> usize {
    let mut tool = tool.clone();
    tool.as_object_mut().unwrap().remove("_meta");
    serde_json::to_string(&tool).unwrap().len()
}

fn names(tools: &[Value]) -> Vec<String> {
    tools
        .iter()
        .map(|tool| tool["name"].as_str().unwrap().to_string())
        .collect()
}

fn operations(tool: &Value) -> Vec<String> {
    tool["_meta"]["hex-mcp/operations"]
        .as_array()
        .unwrap_or_else(|| panic!("{} declares no operations", tool["name"]))
        .iter()
        .map(|name| name.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_default_lists_every_seed_tool_with_the_seeds_parameters() {
    let default = tools(&[]);
    let by_name: BTreeMap<String, &Value> = default
        .iter()
        .map(|tool| (tool["name"].as_str().unwrap().to_string(), tool))
        .collect();
    for (name, required, optional) in SEED {
        let tool = by_name
            .get(*name)
            .unwrap_or_else(|| panic!("`hex-mcp run` without flags lacks the seed's {name}"));
        let schema = &tool["inputSchema"];
        let properties = schema["properties"].as_object().unwrap();
        for parameter in required.iter().chain(optional.iter()) {
            assert!(
                properties.contains_key(*parameter),
                "{name} lacks the seed's parameter {parameter}"
            );
        }
        // Nothing the seed made optional is required here.
        let ours: BTreeSet<&str> = schema["required"]
            .as_array()
            .map(|list| list.iter().map(|v| v.as_str().unwrap()).collect())
            .unwrap_or_default();
        let seeds: BTreeSet<&str> = required.iter().copied().collect();
        assert_eq!(
            ours, seeds,
            "{name}: required parameters differ from the seed's"
        );
    }
    assert_eq!(SEED.len(), 26);
}

#[test]
fn names_are_unique_and_every_tool_has_a_snapshot_and_no_snapshot_is_orphaned() {
    let all = tools(&["--toolsets", "all"]);
    let listed = names(&all);
    let unique: BTreeSet<&String> = listed.iter().collect();
    assert_eq!(unique.len(), listed.len(), "duplicate tool names");
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/toolsnaps");
    let snapshots: BTreeSet<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|file| file.strip_suffix(".snap").map(str::to_string))
        .collect();
    let tools: BTreeSet<String> = listed.into_iter().collect();
    let orphans: Vec<&String> = snapshots.difference(&tools).collect();
    let missing: Vec<&String> = tools.difference(&snapshots).collect();
    assert!(orphans.is_empty(), "snapshots of no tool: {orphans:?}");
    assert!(missing.is_empty(), "tools without a snapshot: {missing:?}");
}

#[test]
fn the_catalog_keeps_to_its_context_budgets() {
    let default = tools(&[]);
    let all = tools(&["--toolsets", "all"]);
    for (catalog, tools, ceiling) in [
        ("default", &default, MAX_DEFAULT_BYTES),
        ("all toolsets", &all, MAX_ALL_BYTES),
    ] {
        let sizes: Vec<(usize, &str)> = tools
            .iter()
            .map(|tool| (listed_bytes(tool), tool["name"].as_str().unwrap()))
            .collect();
        for (bytes, name) in &sizes {
            assert!(
                *bytes <= MAX_TOOL_BYTES,
                "{name} costs {bytes} bytes (at most {MAX_TOOL_BYTES})"
            );
        }
        // The list as sent: the tools plus the result's own wrapping. The average is taken
        // over it, exactly (no rounding down), as bench/run.sh measures it.
        let list = serde_json::to_string(&serde_json::json!({ "tools": tools
            .iter()
            .map(|tool| {
                let mut tool = tool.clone();
                tool.as_object_mut().unwrap().remove("_meta");
                tool
            })
            .collect::<Vec<_>>() }))
        .unwrap();
        assert!(
            list.len() <= MAX_AVERAGE_BYTES * sizes.len(),
            "{catalog}: {:.1} bytes per tool on average (at most {MAX_AVERAGE_BYTES})",
            list.len() as f64 / sizes.len() as f64
        );
        assert!(
            list.len() <= ceiling,
            "{catalog}: tools/list is {} bytes (at most {ceiling})",
            list.len()
        );
    }
}

#[test]
fn every_tool_declares_its_operations_and_together_they_cover_hexs_52() {
    let all = tools(&["--toolsets", "all"]);
    let known: BTreeSet<&str> = hex_client::Operation::ALL
        .iter()
        .map(|operation| operation.name())
        .collect();
    assert_eq!(known.len(), 52);
    let mut covered = BTreeSet::new();
    for tool in &all {
        let declared = operations(tool);
        assert!(
            !declared.is_empty(),
            "{} declares no operation",
            tool["name"]
        );
        for operation in declared {
            assert!(
                known.contains(operation.as_str()),
                "{} declares {operation}, which is not one of Hex's operations",
                tool["name"]
            );
            covered.insert(operation);
        }
    }
    let uncovered: Vec<&&str> = known
        .iter()
        .filter(|operation| !covered.contains(**operation))
        .collect();
    assert!(uncovered.is_empty(), "no tool calls {uncovered:?}");
}

#[test]
fn every_required_parameter_is_described() {
    for tool in tools(&["--toolsets", "all"]) {
        let schema = &tool["inputSchema"];
        let properties = schema["properties"].as_object().unwrap();
        for required in schema["required"].as_array().into_iter().flatten() {
            let name = required.as_str().unwrap();
            assert!(
                properties.contains_key(name),
                "{}: `{name}` is required but not in the schema's properties",
                tool["name"]
            );
        }
    }
}

#[test]
fn annotations_follow_the_declared_effect() {
    for tool in tools(&["--toolsets", "all"]) {
        let hints = &tool["annotations"];
        let name = tool["name"].as_str().unwrap();
        for hint in [
            "readOnlyHint",
            "destructiveHint",
            "idempotentHint",
            "openWorldHint",
        ] {
            assert!(hints[hint].is_boolean(), "{name} lacks {hint}");
        }
        if hints["readOnlyHint"] == true {
            assert_eq!(hints["destructiveHint"], false, "{name}");
            assert_eq!(hints["idempotentHint"], true, "{name}");
        }
        // A tool that can ask for confirmation changes something.
        let asks = tool["inputSchema"]["properties"]
            .get("confirmation_token")
            .is_some();
        if asks {
            assert_eq!(hints["readOnlyHint"], false, "{name}");
        }
    }
}

/// A committed file equals what `hex-mcp tools <flag>` prints now.
fn assert_current(path: &str, flag: &str, shown_as: &str) {
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let output = Command::new(BIN).args(["tools", flag]).output().unwrap();
    assert!(output.status.success());
    assert_eq!(
        committed,
        String::from_utf8(output.stdout).unwrap(),
        "{shown_as} is stale: run `bash scripts/readme-tools.sh`"
    );
}

#[test]
fn docs_coverage_md_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/COVERAGE.md");
    assert_current(path, "--coverage", "docs/COVERAGE.md");
}

#[test]
fn the_compiled_catalog_is_what_the_registry_describes() {
    // `tools/list` serves crates/hex-mcp/catalog.jsonl (compiled in, for start-up time); it must
    // be exactly what the tools describe, or a schema change would not reach clients.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/catalog.jsonl");
    assert_current(path, "--catalog", "crates/hex-mcp/catalog.jsonl");
}
