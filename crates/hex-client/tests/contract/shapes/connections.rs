//! DataConnectionWithSensitiveFieldsApiResource, ListDataConnections, GetDataConnection,
//! CreateDataConnection (201) and EditDataConnection (201): read fields only, never a secret.

use reqwest::Method;
use serde_json::{Value, json};

use super::{
    assert_cursor_list, assert_enum, assert_exact, assert_keys, assert_new_error_body,
    assert_no_secret_fields, assert_string, assert_uuid,
};
use crate::common::{Env, UNKNOWN_ID};

const TYPES: &[&str] = &[
    "athena",
    "bigquery",
    "clickhouse",
    "databricks",
    "postgres",
    "redshift",
    "snowflake",
    "trino",
];
const ACCESS: &[&str] = &["NONE", "QUERY", "VIEW_RESULTS"];

/// The read fields of each type (the table in the reference's §11).
fn read_fields(kind: &str) -> &'static [&'static str] {
    match kind {
        "athena" => &[
            "hostname",
            "port",
            "s3OutputPath",
            "catalog",
            "workgroup",
            "accessKeyId",
        ],
        "bigquery" => &["projectId", "enableStorageApi", "enableDriveAccess"],
        "clickhouse" => &["hostname", "port", "username"],
        "databricks" => &["jdbcUrl"],
        "postgres" => &["hostname", "port", "database", "username"],
        "redshift" => &["host", "port", "database", "username"],
        "snowflake" => &[
            "accountName",
            "warehouse",
            "database",
            "username",
            "schema",
            "role",
        ],
        _ => &[
            "hostname",
            "port",
            "username",
            "catalog",
            "schema",
            "sessionProperties",
        ],
    }
}

fn assert_connection(value: &Value) {
    assert_keys(
        "connection",
        value,
        &[
            "id",
            "name",
            "type",
            "connectionDetails",
            "connectViaSsh",
            "includeMagic",
            "allowWritebackCells",
            "schemaRefreshAccess",
            "sharing",
        ],
        &["description", "schemaFilters", "schemaRefreshSchedule"],
    );
    assert_uuid("connection.id", &value["id"]);
    assert_enum("type", &value["type"], TYPES);
    let kind = value["type"].as_str().unwrap();
    let details = &value["connectionDetails"];
    if !details.is_null() {
        assert_exact("connectionDetails", details, &[kind]);
        assert_keys("connectionDetails", &details[kind], &[], read_fields(kind));
    }
    for flag in ["connectViaSsh", "includeMagic", "allowWritebackCells"] {
        assert!(value[flag].is_boolean(), "{flag}: {value}");
    }
    assert_enum(
        "schemaRefreshAccess",
        &value["schemaRefreshAccess"],
        &["ADMINS", "USERS_WITH_QUERY_ACCESS"],
    );
    if let Some(schedule) = value.get("schemaRefreshSchedule").filter(|s| !s.is_null()) {
        // No `hourly`, and `timezoneString` instead of `timezone`.
        assert_keys(
            "schemaRefreshSchedule",
            schedule,
            &["cadence", "enabled"],
            &["daily", "weekly", "monthly", "custom"],
        );
        for slot in ["daily", "weekly", "monthly", "custom"] {
            if let Some(time) = schedule.get(slot).filter(|t| !t.is_null()) {
                assert_keys(
                    slot,
                    time,
                    &["timezoneString"],
                    &["minute", "hour", "dayOfWeek", "day", "cron"],
                );
            }
        }
    }
    let sharing = &value["sharing"];
    assert_keys("connection.sharing", sharing, &[], &["workspace", "groups"]);
    if let Some(workspace) = sharing.get("workspace") {
        assert_keys(
            "sharing.workspace",
            workspace,
            &[],
            &["public", "guests", "members"],
        );
        for access in workspace.as_object().unwrap().values() {
            assert_enum("workspace access", access, ACCESS);
        }
    }
    for grant in sharing
        .get("groups")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        assert_exact("sharing.groups[]", grant, &["access", "group"]);
        assert_enum("group access", &grant["access"], ACCESS);
        assert_exact("sharing.groups[].group", &grant["group"], &["id", "name"]);
        assert_string("group name", &grant["group"]["name"]);
    }
    assert_no_secret_fields("connection", value);
}

#[tokio::test]
async fn connection_json_matches_the_reference() {
    let env = Env::start().await;
    let list = env.raw_get("/data-connections?limit=100").await.expect(200);
    let values = assert_cursor_list("ListDataConnections", &list);
    assert_eq!(values.len(), env.sandbox.state().connection_ids().len());
    values.iter().for_each(assert_connection);
    let id = values[0]["id"].as_str().unwrap();
    assert_connection(
        &env.raw_get(&format!("/data-connections/{id}"))
            .await
            .expect(200),
    );

    let group = env.sandbox.state().group_ids()[0].clone();
    let body = json!({"name": "Shapes", "type": "snowflake", "description": "d",
        "connectionDetails": {"snowflake": {"accountName": "a", "warehouse": "w", "database": "d",
            "username": "u", "privateKey": "S3CRET-shape-key", "passphrase": "S3CRET-shape-pass"}},
        "schemaRefreshSchedule": {"cadence": "WEEKLY", "enabled": true,
            "weekly": {"timezoneString": "UTC", "hour": 1, "minute": 0, "dayOfWeek": "MONDAY"}},
        "sharing": {"workspace": {"members": "VIEW_RESULTS"},
            "groups": [{"access": "QUERY", "group": {"id": group}}]}});
    env.secret("S3CRET-shape-key");
    env.secret("S3CRET-shape-pass");
    let created = env
        .raw(Method::POST, "/data-connections", Some(body))
        .await
        .expect(201);
    assert_connection(&created);
    let new_id = created["id"].as_str().unwrap();
    let body = json!({"description": "e", "connectionDetails": {"snowflake": {"role": "R"}},
        "sharing": {"groups": {"upsert": [{"access": "VIEW_RESULTS", "group": {"id": group}}]}}});
    let edited = env
        .raw(
            Method::PATCH,
            &format!("/data-connections/{new_id}"),
            Some(body),
        )
        .await
        .expect(201);
    assert_connection(&edited);
    assert_eq!(edited["connectionDetails"]["snowflake"]["role"], "R");
    assert_eq!(edited["sharing"]["groups"][0]["access"], "VIEW_RESULTS");
    let missing = env
        .raw_get(&format!("/data-connections/{UNKNOWN_ID}"))
        .await
        .expect(404);
    assert_new_error_body("GetDataConnection 404", &missing, "NOT_FOUND");
}
