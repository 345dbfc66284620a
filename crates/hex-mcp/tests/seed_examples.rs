//! Every usage example of the Python hex-mcp's README (`../shared/seed-hex-mcp.txt`, "Usage
//! Examples"), run against the sandbox over MCP with the arguments as the README writes them.
//!
//! The README's ids are placeholders (`"project-123"`, `"user-456"`, `"your-project-uuid"`…):
//! each is mapped to a real object of the sandbox of the kind the example means, written here
//! as in the README and substituted just before the call. Everything else — tool names,
//! parameter names, values such as `"sort_by": "name"` or `"CAN_USE"` — is verbatim. Where an
//! example's Python reads a field Hex does not have (`pagination.next`, `project["projectId"]`,
//! `project["name"]`: documentation errors of the seed), the test reads Hex's (`after`, `id`,
//! `title`). Changes that widen access (FULL_ACCESS, public web, workspace-wide edit) are
//! confirmed with the token the preview answers with, as an agent does once its user agrees.
//! The data-connection examples whose requests Hex's API cannot express are in
//! tests/connections.rs (`the_seed_readme_connection_examples_run_as_written`) and, for the bulk
//! set-up, here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;

use common::{Launch, Session, sandbox};
use hex_sandbox::RunningSandbox;
use serde_json::{Value, json};

/// README placeholders → sandbox ids.
struct Ids(BTreeMap<&'static str, String>);

impl Ids {
    fn new(sandbox: &RunningSandbox) -> Ids {
        let state = sandbox.state();
        let mut map = BTreeMap::new();
        let projects = state.runnable_project_ids();
        let project_names = [
            "your-project-uuid",
            "source-project-uuid",
            "project-uuid",
            "project-123",
            "technical-project-123",
            "dashboard-project-456",
            "executive-dashboard-789",
        ];
        for (name, id) in project_names.iter().zip(&projects) {
            map.insert(*name, id.clone());
        }
        let me = state.me_id();
        let users: Vec<String> = state
            .user_ids()
            .into_iter()
            .filter(|id| *id != me)
            .collect();
        let user_names = [
            "user-456",
            "user-001",
            "user-002",
            "user-003",
            "user-100",
            "user-101",
            "user-ceo",
            "user-cfo",
            "user-123",
            "user-789",
            "user-new-1",
            "user-new-2",
            "user-old-1",
            "user-lead",
            "user-junior",
            "user-eng-lead-1",
            "user-eng-lead-2",
            "user-eng-1",
            "user-eng-2",
            "user-eng-3",
            "user-ds-lead",
            "user-ds-1",
            "user-ds-2",
            "user-ds-3",
            "user-ds-4",
            "user-analytics-lead",
            "user-analyst-1",
            "user-analyst-2",
            "user-new-eng-1",
            "user-new-eng-2",
            "user-old-eng-1",
        ];
        assert!(users.len() >= user_names.len());
        for (name, id) in user_names.iter().zip(&users) {
            map.insert(*name, id.clone());
        }
        let groups = state.group_ids();
        let group_names = [
            "group-789",
            "analytics-team",
            "leadership-team",
            "finance-team",
            "group-123",
            "group-old-team",
        ];
        for (name, id) in group_names.iter().zip(&groups) {
            map.insert(*name, id.clone());
        }
        let collections = state.collection_ids();
        let collection_names = [
            "collection-456",
            "public-dashboards",
            "internal-analytics",
            "collection-123",
        ];
        for (name, id) in collection_names.iter().zip(&collections) {
            map.insert(*name, id.clone());
        }
        let connections = state.connection_ids();
        let connection_names = [
            "new-connection-uuid",
            "production-connection-uuid",
            "production-bigquery-connection",
            "conn-123",
        ];
        for (name, id) in connection_names.iter().zip(connections.iter().cycle()) {
            map.insert(*name, id.clone());
        }
        Ids(map)
    }

    fn get(&self, placeholder: &str) -> &str {
        self.0
            .get(placeholder)
            .unwrap_or_else(|| panic!("no sandbox object for {placeholder}"))
    }

    fn set(&mut self, placeholder: &'static str, id: &str) {
        self.0.insert(placeholder, id.to_string());
    }

    /// The README's arguments with each placeholder id replaced.
    fn fill(&self, arguments: &str) -> Value {
        let mut value: Value = serde_json::from_str(arguments).unwrap();
        self.replace(&mut value);
        value
    }

    fn replace(&self, value: &mut Value) {
        match value {
            Value::String(text) => {
                if let Some(id) = self.0.get(text.as_str()) {
                    *text = id.clone();
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|item| self.replace(item)),
            Value::Object(object) => object.values_mut().for_each(|item| self.replace(item)),
            _ => {}
        }
    }
}

/// Calls a tool with the README's arguments; a preview of a risky change is confirmed with its
/// token. Returns the answer's structured content (panics on a tool error).
async fn example(session: &Session, ids: &Ids, tool: &str, arguments: &str) -> Value {
    let arguments = ids.fill(arguments);
    let answer = session.call(tool, arguments.clone()).await.ok();
    if answer["confirmationRequired"] != true {
        return answer;
    }
    let mut confirmed = arguments;
    confirmed["confirmation_token"] = answer["confirmationToken"].clone();
    session.call(tool, confirmed).await.ok()
}

/// User id → email, to read sharing back (reads name users by email).
async fn emails(session: &Session) -> BTreeMap<String, String> {
    let users = session
        .call("list_hex_users", json!({"limit": 500}))
        .await
        .ok();
    users["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|user| {
            (
                user["id"].as_str().unwrap().to_string(),
                user["email"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The access of each user (by email), group and collection (by name) to a project.
async fn sharing(session: &Session, project: &str) -> Value {
    let project = session
        .call(
            "get_hex_project",
            json!({"project_id": project, "include_sharing": true}),
        )
        .await
        .ok();
    project["sharing"].clone()
}

fn access_of(sharing: &Value, list: &str, key: &str, who: &str) -> Option<String> {
    sharing[list].as_array()?.iter().find_map(|item| {
        let name = item[key]["email"]
            .as_str()
            .or_else(|| item[key]["name"].as_str())?;
        (name == who).then(|| item["access"].as_str().unwrap().to_string())
    })
}

fn values(answer: &Value) -> Vec<Value> {
    answer["values"].as_array().unwrap().clone()
}

#[tokio::test]
async fn reading_and_updating_cells_as_the_readme_shows() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let mut ids = Ids::new(&sandbox);

    // Reading Cell Content.
    let cells = example(
        &session,
        &ids,
        "list_hex_cells",
        r#"{"project_id": "your-project-uuid"}"#,
    )
    .await;
    assert!(!values(&cells).is_empty());

    // Pagination: limit=50, then after= the cursor (the README writes pagination.next).
    let page1 = example(
        &session,
        &ids,
        "list_hex_cells",
        r#"{"project_id": "your-project-uuid", "limit": 50}"#,
    )
    .await;
    assert!(values(&page1).len() <= 50);
    if let Some(next) = page1["pagination"]["after"].as_str() {
        let page2 = example(
            &session,
            &ids,
            "list_hex_cells",
            &json!({"project_id": "your-project-uuid", "limit": 50, "after": next}).to_string(),
        )
        .await;
        if let Some(previous) = page2["pagination"]["before"].as_str() {
            example(
                &session,
                &ids,
                "list_hex_cells",
                &json!({"project_id": "your-project-uuid", "limit": 50, "before": previous})
                    .to_string(),
            )
            .await;
        }
    }

    // Updating Cell Content: a SQL cell and a CODE cell of the project.
    let all = values(&page1);
    let of_type = |kind: &str| {
        all.iter()
            .find(|cell| cell["cellType"] == kind)
            .map(|cell| cell["id"].as_str().unwrap().to_string())
    };
    let sql = of_type("SQL").unwrap_or_else(|| panic!("a SQL cell in {all:?}"));
    ids.set("cell-uuid-123", &sql);
    let code = match of_type("CODE") {
        Some(id) => id,
        None => {
            let made = session
                .call(
                    "create_hex_cell",
                    json!({"project_id": ids.get("your-project-uuid"), "cell_type": "CODE", "source": "x = 1"}),
                )
                .await
                .ok();
            made["id"].as_str().unwrap().to_string()
        }
    };
    ids.set("cell-uuid-456", &code);

    let updated = example(
        &session,
        &ids,
        "update_hex_cell",
        r#"{"cell_id": "cell-uuid-123", "sql_source": "SELECT * FROM updated_table WHERE active = true"}"#,
    )
    .await;
    assert_eq!(
        updated["contents"]["sqlCell"]["source"],
        "SELECT * FROM updated_table WHERE active = true"
    );
    let updated = example(
        &session,
        &ids,
        "update_hex_cell",
        r#"{"cell_id": "cell-uuid-456", "code_source": "import pandas as pd\ndf = df.dropna()"}"#,
    )
    .await;
    assert_eq!(
        updated["contents"]["codeCell"]["source"],
        "import pandas as pd\ndf = df.dropna()"
    );
    let updated = example(
        &session,
        &ids,
        "update_hex_cell",
        r#"{"cell_id": "cell-uuid-123", "data_connection_id": "new-connection-uuid"}"#,
    )
    .await;
    assert_eq!(updated["dataConnectionId"], ids.get("new-connection-uuid"));
    let updated = example(
        &session,
        &ids,
        "update_hex_cell",
        r#"{"cell_id": "cell-uuid-123", "sql_source": "SELECT * FROM production.customers", "data_connection_id": "production-connection-uuid"}"#,
    )
    .await;
    assert_eq!(
        updated["contents"]["sqlCell"]["source"],
        "SELECT * FROM production.customers"
    );
    assert_eq!(
        updated["dataConnectionId"],
        ids.get("production-connection-uuid")
    );
    let read = session
        .call("get_hex_cell", json!({"cell_id": sql}))
        .await
        .ok();
    assert_eq!(
        read["contents"]["sqlCell"]["source"],
        "SELECT * FROM production.customers"
    );

    // Query Migration Example: every SQL cell of the source project, dev.schema → prod.schema,
    // moved to the production connection.
    let source = example(
        &session,
        &ids,
        "list_hex_cells",
        r#"{"project_id": "source-project-uuid"}"#,
    )
    .await;
    let sql_cells: Vec<Value> = values(&source)
        .into_iter()
        .filter(|cell| cell["cellType"] == "SQL" && cell["contents"]["sqlCell"].is_object())
        .collect();
    assert!(!sql_cells.is_empty());
    for cell in &sql_cells {
        let original = cell["contents"]["sqlCell"]["source"].as_str().unwrap();
        let migrated = original.replace("dev.schema", "prod.schema");
        let arguments = json!({
            "cell_id": cell["id"],
            "sql_source": migrated,
            "data_connection_id": "production-bigquery-connection",
        });
        let result = example(&session, &ids, "update_hex_cell", &arguments.to_string()).await;
        assert_eq!(result["contents"]["sqlCell"]["source"], migrated);
        assert_eq!(
            result["dataConnectionId"],
            ids.get("production-bigquery-connection")
        );
    }

    // Code Refactoring Example: a cell that imports from old_library (added for the example to
    // find), then every CODE cell with it is rewritten.
    session
        .call(
            "create_hex_cell",
            json!({"project_id": ids.get("project-uuid"), "cell_type": "CODE", "label": "Legacy import", "source": "from old_library import func\nfunc()"}),
        )
        .await
        .ok();
    let cells = example(
        &session,
        &ids,
        "list_hex_cells",
        r#"{"project_id": "project-uuid", "limit": 100}"#,
    )
    .await;
    let mut refactored = 0;
    for cell in values(&cells) {
        if cell["cellType"] != "CODE" || !cell["contents"]["codeCell"].is_object() {
            continue;
        }
        let original = cell["contents"]["codeCell"]["source"].as_str().unwrap();
        if original.contains("from old_library") {
            let updated = original.replace(
                "from old_library import func",
                "from new_library import func",
            );
            let arguments = json!({"cell_id": cell["id"], "code_source": updated});
            let result = example(&session, &ids, "update_hex_cell", &arguments.to_string()).await;
            assert_eq!(result["contents"]["codeCell"]["source"], updated);
            refactored += 1;
        }
    }
    assert_eq!(refactored, 1);
    session.finish().await;
}

#[tokio::test]
async fn managing_project_permissions_as_the_readme_shows() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let ids = Ids::new(&sandbox);
    let emails = emails(&session).await;
    let email = |placeholder: &str| emails[ids.get(placeholder)].clone();
    let project = ids.get("project-123").to_string();

    // Grant User Access.
    example(
        &session,
        &ids,
        "update_hex_project_user_sharing",
        r#"{"project_id": "project-123", "user_permissions": [{"user_id": "user-456", "access": "CAN_EDIT"}]}"#,
    )
    .await;
    let shared = sharing(&session, &project).await;
    assert_eq!(
        access_of(&shared, "users", "user", &email("user-456")).as_deref(),
        Some("CAN_EDIT")
    );
    example(
        &session,
        &ids,
        "update_hex_project_user_sharing",
        r#"{"project_id": "project-123", "user_permissions": [
            {"user_id": "user-001", "access": "CAN_VIEW"},
            {"user_id": "user-002", "access": "CAN_EDIT"},
            {"user_id": "user-003", "access": "FULL_ACCESS"}
        ]}"#,
    )
    .await;
    let shared = sharing(&session, &project).await;
    for (user, access) in [
        ("user-001", "CAN_VIEW"),
        ("user-002", "CAN_EDIT"),
        ("user-003", "FULL_ACCESS"),
    ] {
        assert_eq!(
            access_of(&shared, "users", "user", &email(user)).as_deref(),
            Some(access),
            "{user}"
        );
    }
    example(
        &session,
        &ids,
        "update_hex_project_user_sharing",
        r#"{"project_id": "project-123", "user_permissions": [{"user_id": "user-456", "access": "NONE"}]}"#,
    )
    .await;
    let shared = sharing(&session, &project).await;
    assert_eq!(
        access_of(&shared, "users", "user", &email("user-456")),
        None
    );

    // Grant Group Access.
    example(
        &session,
        &ids,
        "update_hex_project_group_sharing",
        r#"{"project_id": "project-123", "group_permissions": [{"group_id": "group-789", "access": "CAN_VIEW"}]}"#,
    )
    .await;
    example(
        &session,
        &ids,
        "update_hex_project_group_sharing",
        r#"{"project_id": "project-123", "group_permissions": [
            {"group_id": "analytics-team", "access": "CAN_EDIT"},
            {"group_id": "leadership-team", "access": "CAN_VIEW"}
        ]}"#,
    )
    .await;
    let shared = sharing(&session, &project).await;
    let groups = session
        .call("list_hex_groups", json!({"limit": 500}))
        .await
        .ok();
    let group_name = |placeholder: &str| {
        values(&groups)
            .iter()
            .find(|group| group["id"] == ids.get(placeholder))
            .map(|group| group["name"].as_str().unwrap().to_string())
            .unwrap()
    };
    for (group, access) in [
        ("group-789", "CAN_VIEW"),
        ("analytics-team", "CAN_EDIT"),
        ("leadership-team", "CAN_VIEW"),
    ] {
        assert_eq!(
            access_of(&shared, "groups", "group", &group_name(group)).as_deref(),
            Some(access),
            "{group}"
        );
    }

    // Add Projects to Collections.
    example(
        &session,
        &ids,
        "update_hex_project_collection_sharing",
        r#"{"project_id": "project-123", "collection_permissions": [{"collection_id": "collection-456", "access": "CAN_VIEW"}]}"#,
    )
    .await;
    example(
        &session,
        &ids,
        "update_hex_project_collection_sharing",
        r#"{"project_id": "project-123", "collection_permissions": [
            {"collection_id": "public-dashboards", "access": "APP_ONLY"},
            {"collection_id": "internal-analytics", "access": "CAN_EDIT"}
        ]}"#,
    )
    .await;
    let in_three = sharing(&session, &project).await["collections"]
        .as_array()
        .unwrap()
        .len();
    example(
        &session,
        &ids,
        "update_hex_project_collection_sharing",
        r#"{"project_id": "project-123", "collection_permissions": [{"collection_id": "collection-456", "access": "NONE"}]}"#,
    )
    .await;
    let in_two = sharing(&session, &project).await["collections"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(in_two + 1, in_three);

    // Manage Workspace and Public Access.
    for (arguments, workspace, public) in [
        (
            r#"{"project_id": "project-123", "workspace_access": "CAN_VIEW"}"#,
            "CAN_VIEW",
            None,
        ),
        (
            r#"{"project_id": "project-123", "public_access": "APP_ONLY"}"#,
            "CAN_VIEW",
            Some("APP_ONLY"),
        ),
        (
            r#"{"project_id": "project-123", "workspace_access": "CAN_EDIT", "public_access": "APP_ONLY"}"#,
            "CAN_EDIT",
            Some("APP_ONLY"),
        ),
        (
            r#"{"project_id": "project-123", "public_access": "NONE"}"#,
            "CAN_EDIT",
            Some("NONE"),
        ),
    ] {
        example(
            &session,
            &ids,
            "update_hex_project_workspace_sharing",
            arguments,
        )
        .await;
        let shared = sharing(&session, &project).await;
        assert_eq!(shared["workspace"]["access"], workspace, "{arguments}");
        if let Some(public) = public {
            assert_eq!(shared["publicWeb"]["access"], public, "{arguments}");
        }
    }

    // Bulk Permission Management Example: its loop body for each listed project (three of
    // them: the whole default page would spend Hex's user-sharing limit of 30 calls a minute
    // for two minutes).
    let projects = example(&session, &ids, "list_hex_projects", r#"{"limit": 3}"#).await;
    for project in values(&projects) {
        let project_id = project["id"].as_str().unwrap();
        let analytics = ["user-001", "user-002", "user-003"];
        let leadership = ["user-100", "user-101"];
        let grants = |users: &[&str], access: &str| -> Vec<Value> {
            users
                .iter()
                .map(|user| json!({"user_id": user, "access": access}))
                .collect()
        };
        for (users, access) in [(&analytics[..], "CAN_EDIT"), (&leadership[..], "CAN_VIEW")] {
            let arguments =
                json!({"project_id": project_id, "user_permissions": grants(users, access)});
            example(
                &session,
                &ids,
                "update_hex_project_user_sharing",
                &arguments.to_string(),
            )
            .await;
        }
        let arguments = json!({"project_id": project_id, "workspace_access": "CAN_VIEW", "public_access": "NONE"});
        example(
            &session,
            &ids,
            "update_hex_project_workspace_sharing",
            &arguments.to_string(),
        )
        .await;
        let shared = sharing(&session, project_id).await;
        assert_eq!(shared["workspace"]["access"], "CAN_VIEW");
        assert_eq!(shared["publicWeb"]["access"], "NONE");
        assert_eq!(
            access_of(&shared, "users", "user", &email("user-100")).as_deref(),
            Some("CAN_VIEW")
        );
        assert_eq!(
            access_of(&shared, "users", "user", &email("user-002")).as_deref(),
            Some("CAN_EDIT")
        );
    }
    session.finish().await;
}

#[tokio::test]
async fn managing_collections_as_the_readme_shows() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let ids = Ids::new(&sandbox);

    // List Collections, with pagination.
    let all = example(&session, &ids, "list_hex_collections", "{}").await;
    assert!(!values(&all).is_empty());
    let page1 = example(&session, &ids, "list_hex_collections", r#"{"limit": 10}"#).await;
    if let Some(next) = page1["pagination"]["after"].as_str() {
        example(
            &session,
            &ids,
            "list_hex_collections",
            &json!({"limit": 10, "after": next}).to_string(),
        )
        .await;
    }

    // Get Collection Details.
    let collection = example(
        &session,
        &ids,
        "get_hex_collection",
        r#"{"collection_id": "collection-123"}"#,
    )
    .await;
    assert_eq!(collection["id"], ids.get("collection-123"));
    assert!(collection["sharing"].is_object());

    // Create Collections.
    let simple = example(
        &session,
        &ids,
        "create_hex_collection",
        r#"{"name": "Q4 2026 Analytics", "description": "Analytics projects for Q4 2026"}"#,
    )
    .await;
    assert_eq!(simple["name"], "Q4 2026 Analytics");
    let executive = example(
        &session,
        &ids,
        "create_hex_collection",
        r#"{"name": "Executive Dashboards", "description": "Dashboards for executive team",
            "sharing_users": [{"id": "user-ceo", "access": "CAN_VIEW"}, {"id": "user-cfo", "access": "CAN_VIEW"}],
            "workspace_access": "NONE"}"#,
    )
    .await;
    assert_eq!(executive["sharing"]["users"].as_array().unwrap().len(), 2);
    let finance = example(
        &session,
        &ids,
        "create_hex_collection",
        r#"{"name": "Finance Reports", "description": "Financial reporting and analysis",
            "sharing_groups": [{"id": "finance-team", "access": "CAN_EDIT"}],
            "workspace_access": "CAN_VIEW"}"#,
    )
    .await;
    assert_eq!(finance["sharing"]["workspace"]["members"], "CAN_VIEW");

    // Update Collections.
    let renamed = example(
        &session,
        &ids,
        "update_hex_collection",
        r#"{"collection_id": "collection-123", "name": "Q1 2027 Analytics", "description": "Updated for Q1 2027"}"#,
    )
    .await;
    assert_eq!(renamed["name"], "Q1 2027 Analytics");
    example(
        &session,
        &ids,
        "update_hex_collection",
        r#"{"collection_id": "collection-123", "sharing_users": [{"id": "user-456", "access": "CAN_EDIT"}], "workspace_access": "CAN_VIEW"}"#,
    )
    .await;
    let updated = example(
        &session,
        &ids,
        "update_hex_collection",
        r#"{"collection_id": "collection-123", "name": "Updated Collection Name", "description": "Updated description",
            "sharing_groups": [{"id": "analytics-team", "access": "CAN_EDIT"}], "workspace_access": "CAN_VIEW"}"#,
    )
    .await;
    assert_eq!(updated["name"], "Updated Collection Name");
    let read = example(
        &session,
        &ids,
        "get_hex_collection",
        r#"{"collection_id": "collection-123"}"#,
    )
    .await;
    assert_eq!(read["description"], "Updated description");
    assert!(
        read["sharing"]["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|user| user["id"] == ids.get("user-456") && user["access"] == "CAN_EDIT")
    );

    // Collection Organization Example.
    let mut collection_ids = BTreeMap::new();
    for department in ["Engineering", "Finance", "Marketing"] {
        let arguments = json!({
            "name": format!("{department} Projects"),
            "description": format!("All {department} department projects"),
            "workspace_access": "CAN_VIEW",
        });
        let made = example(
            &session,
            &ids,
            "create_hex_collection",
            &arguments.to_string(),
        )
        .await;
        collection_ids.insert(department, made["id"].as_str().unwrap().to_string());
    }
    let projects = example(&session, &ids, "list_hex_projects", "{}").await;
    let mut filed = 0;
    for project in values(&projects) {
        let name = project["title"].as_str().unwrap().to_lowercase();
        let department = if name.contains("engineering") || name.contains("technical") {
            "Engineering"
        } else if name.contains("finance") || name.contains("revenue") {
            "Finance"
        } else if name.contains("marketing") || name.contains("campaign") {
            "Marketing"
        } else {
            continue;
        };
        let arguments = json!({
            "project_id": project["id"],
            "collection_permissions": [{"collection_id": collection_ids[department], "access": "CAN_EDIT"}],
        });
        example(
            &session,
            &ids,
            "update_hex_project_collection_sharing",
            &arguments.to_string(),
        )
        .await;
        filed += 1;
        let listed = session
            .call(
                "list_hex_projects",
                json!({"collection_id": collection_ids[department], "limit": 100}),
            )
            .await
            .ok();
        assert!(
            values(&listed)
                .iter()
                .any(|listed| listed["id"] == project["id"])
        );
    }
    assert!(filed > 0, "no seeded project matched the example's names");
    session.finish().await;
}

#[tokio::test]
async fn managing_groups_as_the_readme_shows() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let mut ids = Ids::new(&sandbox);

    // List Groups, sorted as the README writes it (lowercase), with pagination.
    example(&session, &ids, "list_hex_groups", "{}").await;
    let page1 = example(
        &session,
        &ids,
        "list_hex_groups",
        r#"{"limit": 10, "sort_by": "name", "sort_direction": "asc"}"#,
    )
    .await;
    let names: Vec<String> = values(&page1)
        .iter()
        .map(|group| group["name"].as_str().unwrap().to_string())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    if let Some(next) = page1["pagination"]["after"].as_str() {
        example(
            &session,
            &ids,
            "list_hex_groups",
            &json!({"limit": 10, "after": next}).to_string(),
        )
        .await;
    }

    // Get Group Details.
    let group = example(
        &session,
        &ids,
        "get_hex_group",
        r#"{"group_id": "group-123"}"#,
    )
    .await;
    assert!(group["createdAt"].is_string());

    // Create Groups.
    example(
        &session,
        &ids,
        "create_hex_group",
        r#"{"name": "Analytics Team"}"#,
    )
    .await;
    let finance = example(
        &session,
        &ids,
        "create_hex_group",
        r#"{"name": "Finance Team", "member_user_ids": ["user-123", "user-456", "user-789"]}"#,
    )
    .await;
    let finance_id = finance["id"].as_str().unwrap().to_string();
    assert_eq!(sandbox.state().group_member_ids(&finance_id).len(), 3);

    // Update Groups (on a group whose members the example then changes).
    ids.set("group-123", &finance_id);
    ids.set("user-old-1", ids.get("user-123").to_string().as_str());
    ids.set("user-junior", ids.get("user-456").to_string().as_str());
    example(
        &session,
        &ids,
        "update_hex_group",
        r#"{"group_id": "group-123", "name": "Senior Analytics Team"}"#,
    )
    .await;
    example(
        &session,
        &ids,
        "update_hex_group",
        r#"{"group_id": "group-123", "add_member_user_ids": ["user-new-1", "user-new-2"]}"#,
    )
    .await;
    example(
        &session,
        &ids,
        "update_hex_group",
        r#"{"group_id": "group-123", "remove_member_user_ids": ["user-old-1"]}"#,
    )
    .await;
    let group = example(
        &session,
        &ids,
        "update_hex_group",
        r#"{"group_id": "group-123", "name": "Lead Analytics Team", "add_member_user_ids": ["user-lead"], "remove_member_user_ids": ["user-junior"]}"#,
    )
    .await;
    assert_eq!(group["name"], "Lead Analytics Team");
    let members = sandbox.state().group_member_ids(&finance_id);
    for kept in ["user-789", "user-new-1", "user-new-2", "user-lead"] {
        assert!(members.contains(&ids.get(kept).to_string()), "{kept}");
    }
    for removed in ["user-old-1", "user-junior"] {
        assert!(
            !members.contains(&ids.get(removed).to_string()),
            "{removed}"
        );
    }

    // Delete Groups (confirmed: it cannot be undone).
    let doomed = ids.get("group-old-team").to_string();
    let deleted = example(
        &session,
        &ids,
        "delete_hex_group",
        r#"{"group_id": "group-old-team"}"#,
    )
    .await;
    assert_eq!(deleted["deleted"], true, "{deleted}");
    assert!(!sandbox.state().group_ids().contains(&doomed));

    // Bulk Group Management Example.
    let departments = [
        (
            "Engineering",
            vec!["user-eng-lead-1", "user-eng-lead-2"],
            vec!["user-eng-1", "user-eng-2", "user-eng-3"],
        ),
        (
            "Data Science",
            vec!["user-ds-lead"],
            vec!["user-ds-1", "user-ds-2", "user-ds-3", "user-ds-4"],
        ),
        (
            "Analytics",
            vec!["user-analytics-lead"],
            vec!["user-analyst-1", "user-analyst-2"],
        ),
    ];
    let mut group_ids = BTreeMap::new();
    for (department, leads, members) in &departments {
        let all_members: Vec<&str> = leads.iter().chain(members).copied().collect();
        let arguments =
            json!({"name": format!("{department} Team"), "member_user_ids": all_members});
        let team = example(&session, &ids, "create_hex_group", &arguments.to_string()).await;
        let team_id = team["id"].as_str().unwrap().to_string();
        assert_eq!(
            sandbox.state().group_member_ids(&team_id).len(),
            all_members.len()
        );
        group_ids.insert(department.to_string(), team_id);
        let arguments =
            json!({"name": format!("{department} Leadership"), "member_user_ids": leads});
        let lead = example(&session, &ids, "create_hex_group", &arguments.to_string()).await;
        group_ids.insert(
            format!("{department}_Leadership"),
            lead["id"].as_str().unwrap().to_string(),
        );
    }
    let grants = [
        ("technical-project-123", "Engineering", "CAN_EDIT"),
        ("dashboard-project-456", "Analytics", "CAN_VIEW"),
        (
            "executive-dashboard-789",
            "Engineering_Leadership",
            "CAN_VIEW",
        ),
        (
            "executive-dashboard-789",
            "Data Science_Leadership",
            "CAN_VIEW",
        ),
        (
            "executive-dashboard-789",
            "Analytics_Leadership",
            "CAN_VIEW",
        ),
    ];
    for (project, group, access) in grants {
        let arguments = json!({"project_id": project, "group_permissions": [{"group_id": group_ids[group], "access": access}]});
        example(
            &session,
            &ids,
            "update_hex_project_group_sharing",
            &arguments.to_string(),
        )
        .await;
    }
    let shared = sharing(&session, ids.get("executive-dashboard-789")).await;
    for department in ["Engineering", "Data Science", "Analytics"] {
        assert_eq!(
            access_of(
                &shared,
                "groups",
                "group",
                &format!("{department} Leadership")
            )
            .as_deref(),
            Some("CAN_VIEW")
        );
    }

    // Team Reorganization Example.
    let groups = example(&session, &ids, "list_hex_groups", r#"{"limit": 500}"#).await;
    let engineering = values(&groups)
        .into_iter()
        .find(|group| group["name"] == "Engineering Team")
        .expect("the Engineering Team the bulk example made");
    ids.set("user-old-eng-1", ids.get("user-eng-1").to_string().as_str());
    let arguments = json!({
        "group_id": engineering["id"],
        "add_member_user_ids": ["user-new-eng-1", "user-new-eng-2"],
        "remove_member_user_ids": ["user-old-eng-1"],
    });
    example(&session, &ids, "update_hex_group", &arguments.to_string()).await;
    let members = sandbox
        .state()
        .group_member_ids(engineering["id"].as_str().unwrap());
    assert!(members.contains(&ids.get("user-new-eng-1").to_string()));
    assert!(!members.contains(&ids.get("user-old-eng-1").to_string()));
    session.finish().await;
}

#[tokio::test]
async fn managing_data_connections_as_the_readme_shows() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let ids = Ids::new(&sandbox);

    // List Data Connections, with the README's sorting and pagination.
    let all = example(&session, &ids, "list_hex_data_connections", "{}").await;
    assert!(!values(&all).is_empty());
    let page1 = example(
        &session,
        &ids,
        "list_hex_data_connections",
        r#"{"limit": 10, "sort_by": "NAME", "sort_direction": "asc"}"#,
    )
    .await;
    if let Some(next) = page1["pagination"]["after"].as_str() {
        example(
            &session,
            &ids,
            "list_hex_data_connections",
            &json!({"limit": 10, "after": next}).to_string(),
        )
        .await;
    }

    // Get Data Connection Details.
    let connection = example(
        &session,
        &ids,
        "get_hex_data_connection",
        r#"{"connection_id": "conn-123"}"#,
    )
    .await;
    assert!(connection["type"].is_string());
    assert!(connection["sharing"]["workspace"].is_object());

    // Bulk Connection Setup: the two BigQuery connections are created (CAN_USE sent as QUERY,
    // with a notice); the Snowflake one asks for a password and the Postgres one for an SSL
    // switch, which Hex's API cannot express: each is refused naming the field, nothing sent.
    let bigquery = |project: &str| {
        json!({"bigquery": {
            "serviceAccountJsonConfig": json!({"type": "service_account", "project_id": project}).to_string(),
            "projectId": project,
            "enableStorageApi": true,
        }})
    };
    let configs = [
        (
            "Production BigQuery",
            "bigquery",
            bigquery("prod-project"),
            "Production BigQuery warehouse",
        ),
        (
            "Staging BigQuery",
            "bigquery",
            bigquery("staging-project"),
            "Staging BigQuery warehouse",
        ),
        (
            "Production Snowflake",
            "snowflake",
            json!({"snowflake": {"account": "prod-account", "warehouse": "PROD_WH", "database": "PROD_DB", "username": "hex_prod", "password": "prod-sf-password"}}),
            "Production Snowflake warehouse",
        ),
        (
            "Application DB",
            "postgres",
            json!({"postgres": {"hostname": "prod-db.example.com", "port": 5432, "database": "app_db", "username": "readonly", "password": "postgres-password", "ssl": true}}),
            "Application database (read-only)",
        ),
    ];
    let mut created = BTreeMap::new();
    for (name, kind, details, description) in configs {
        let arguments = json!({
            "name": name,
            "connection_type": kind,
            "connection_details": details,
            "description": description,
            "include_magic": true,
            "allow_writeback_cells": false,
            "sharing": {"workspace": {"members": "CAN_USE"}},
        });
        let before = sandbox.requests().len();
        let answer = session.call("create_hex_data_connection", arguments).await;
        if kind == "bigquery" {
            let made = answer.ok();
            assert_eq!(made["sharing"]["workspace"]["members"], "QUERY");
            assert_eq!(made["notices"].as_array().unwrap().len(), 1);
            created.insert(name, made["id"].as_str().unwrap().to_string());
        } else {
            let error = answer.err();
            let field = if kind == "snowflake" {
                "connection_details.snowflake.password"
            } else {
                "connection_details.postgres.ssl"
            };
            assert_eq!(error["field"], field, "{error}");
            assert_eq!(sandbox.requests().len(), before);
        }
    }
    assert_eq!(created.len(), 2);
    let (stdout, stderr) = session.finish().await;
    for secret in ["prod-sf-password", "postgres-password"] {
        assert!(!stdout.contains(secret) && !stderr.contains(secret));
    }
}
