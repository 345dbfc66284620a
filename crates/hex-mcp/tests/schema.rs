//! update_hex_data_connection_schema over MCP against a sandbox: endorsements of databases,
//! schemas and tables set and cleared, batches all or nothing with every rejected name listed,
//! read back from the sandbox's catalog.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;

use common::{Launch, sandbox};
use hex_sandbox::RunningSandbox;
use serde_json::{Value, json};

/// (type, name) → status of a connection's catalog.
fn statuses(
    sandbox: &RunningSandbox,
    connection: &str,
) -> BTreeMap<(String, String), Option<String>> {
    sandbox
        .state()
        .schema_statuses(connection)
        .into_iter()
        .map(|(kind, name, status)| ((kind, name), status))
        .collect()
}

fn key(kind: &str, name: &str) -> (String, String) {
    (kind.to_owned(), name.to_owned())
}

/// The seeded connections, in order: Snowflake, BigQuery, Postgres, Redshift.
fn connection(sandbox: &RunningSandbox, index: usize) -> String {
    sandbox.state().connection_ids()[index].clone()
}

#[tokio::test]
async fn statuses_are_set_and_cleared_and_read_back() {
    let sandbox = sandbox().await;
    let snowflake = connection(&sandbox, 0);
    let session = Launch::against(&sandbox).start().await;
    let done = session
        .call(
            "update_hex_data_connection_schema",
            json!({"connection_id": snowflake, "updates": [
                {"type": "DATABASE", "name": "analytics", "status": "Approved"},
                {"type": "SCHEMA", "name": "dev.finance", "status": "Deprecated"},
                {"type": "TABLE", "name": "prod.engineering.incidents", "status": "Approved"},
                {"type": "TABLE", "name": "dev.sales.orders", "status": ""},
            ]}),
        )
        .await
        .ok();
    let updated = &done["updated"];
    assert_eq!(
        updated["databases"],
        json!([{"name": "analytics", "status": "Approved"}])
    );
    assert_eq!(
        updated["schemas"],
        json!([{"name": "dev.finance", "status": "Deprecated"}])
    );
    assert_eq!(
        updated["tables"],
        json!([{"name": "prod.engineering.incidents", "status": "Approved"}, {"name": "dev.sales.orders"}])
    );
    let after = statuses(&sandbox, &snowflake);
    assert_eq!(
        after[&key("DATABASE", "analytics")].as_deref(),
        Some("Approved")
    );
    assert_eq!(
        after[&key("SCHEMA", "dev.finance")].as_deref(),
        Some("Deprecated")
    );
    assert_eq!(
        after[&key("TABLE", "prod.engineering.incidents")].as_deref(),
        Some("Approved")
    );
    assert_eq!(after[&key("TABLE", "dev.sales.orders")], None);

    // A table named without its database resolves when only one database has it.
    let done = session
        .call(
            "update_hex_data_connection_schema",
            json!({"connection_id": snowflake, "updates": [
                {"type": "TABLE", "name": "marketing.campaigns", "status": "Approved"}]}),
        )
        .await
        .ok();
    assert_eq!(
        done["updated"]["tables"][0]["name"],
        "analytics.marketing.campaigns"
    );
    session.finish().await;
}

#[tokio::test]
async fn one_rejected_update_fails_the_batch_and_names_every_rejection() {
    let sandbox = sandbox().await;
    let snowflake = connection(&sandbox, 0);
    let postgres = connection(&sandbox, 2);
    let before = statuses(&sandbox, &snowflake);
    let session = Launch::against(&sandbox).start().await;

    let error = session
        .call(
            "update_hex_data_connection_schema",
            json!({"connection_id": snowflake, "updates": [
                {"type": "TABLE", "name": "dev.sales.customers", "status": "Approved"},
                {"type": "TABLE", "name": "sales.orders", "status": "Approved"},
                {"type": "TABLE", "name": "orders", "status": "Approved"},
                {"type": "SCHEMA", "name": "dev.nothing", "status": "Approved"},
                {"type": "DATABASE", "name": "dev", "status": "Certified"},
            ]}),
        )
        .await
        .err();
    assert_eq!(error["status"], 400, "{error}");
    let reasons: Vec<(&str, &str)> = error["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["name"].as_str().unwrap(), d["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        reasons,
        [
            ("sales.orders", "ambiguous_name"),
            ("orders", "invalid_name_format"),
            ("dev.nothing", "not_found"),
            ("dev", "invalid_status"),
        ]
    );
    assert!(
        error["message"].as_str().unwrap().contains("Certified"),
        "{error}"
    );
    assert_eq!(
        statuses(&sandbox, &snowflake),
        before,
        "nothing was applied"
    );

    let before = statuses(&sandbox, &postgres);
    let error = session
        .call(
            "update_hex_data_connection_schema",
            json!({"connection_id": postgres, "updates": [
                {"type": "DATABASE", "name": "app", "status": "Approved"},
                {"type": "TABLE", "name": "public.users", "status": "Approved"},
            ]}),
        )
        .await
        .err();
    assert_eq!(
        error["details"][0]["reason"], "database_not_supported",
        "{error}"
    );
    assert_eq!(error["details"].as_array().unwrap().len(), 1);
    assert_eq!(statuses(&sandbox, &postgres), before);

    // Only unknown names: Hex's 404, still listing them (not a hint about the connection id).
    let error = session
        .call(
            "update_hex_data_connection_schema",
            json!({"connection_id": postgres, "updates": [
                {"type": "TABLE", "name": "public.nope", "status": "Approved"}]}),
        )
        .await
        .err();
    assert_eq!(error["status"], 404);
    assert_eq!(error["details"][0]["reason"], "not_found");
    assert!(error.get("data connection").is_none(), "{error}");

    let error = session
        .call(
            "update_hex_data_connection_schema",
            json!({"connection_id": uuid::Uuid::new_v4().to_string(), "updates": [
                {"type": "TABLE", "name": "public.users", "status": "Approved"}]}),
        )
        .await
        .err();
    assert_eq!(error["status"], 404);
    assert!(
        error["next"]
            .as_str()
            .unwrap()
            .contains("list_hex_data_connections"),
        "{error}"
    );
    session.finish().await;
}

#[tokio::test]
async fn empty_batches_and_blank_names_are_refused_before_sending() {
    let sandbox = sandbox().await;
    let id = connection(&sandbox, 0);
    let session = Launch::against(&sandbox).start().await;
    let cases: [(Value, &str); 3] = [
        (json!({"connection_id": id, "updates": []}), "updates"),
        (
            json!({"connection_id": id, "updates": [{"type": "TABLE", "name": " ", "status": "Approved"}]}),
            "",
        ),
        (
            json!({"connection_id": id, "updates": [{"type": "COLUMN", "name": "a", "status": "Approved"}]}),
            "updates[0].type",
        ),
    ];
    for (arguments, field) in cases {
        let error = session
            .call("update_hex_data_connection_schema", arguments)
            .await
            .err();
        assert_eq!(error["kind"], "invalid_input", "{error}");
        if !field.is_empty() {
            assert_eq!(error["field"], field, "{error}");
        }
    }
    assert_eq!(
        sandbox.count_requests("PATCH", "/v1/data-connections/*/schema"),
        0
    );
    session.finish().await;
}
