//! The data-connection tools over MCP against a sandbox: one connection of every creatable type
//! read back, secrets stored but never shown (in tool outputs, stdout or stderr), secrets by
//! `{"env"}` and `{"file"}` reference, field-level errors before anything is sent, and
//! confirmation before credentials are replaced.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Launch, Session, TestClient, sandbox};
use rmcp::model::ElicitationAction;
use serde_json::{Map, Value, json};

/// A value no other text contains by chance.
fn secret(label: &str) -> String {
    format!("{label}-{}", uuid::Uuid::new_v4().simple())
}

/// One connection of a type: its details (secrets included) and its secret fields' values.
struct Sample {
    kind: &'static str,
    fields: Map<String, Value>,
    secrets: Vec<(&'static str, String)>,
}

fn samples() -> Vec<Sample> {
    let mut all = Vec::new();
    let mut add = |kind: &'static str, plain: Value, secret_fields: &[&'static str]| {
        let mut fields = plain.as_object().unwrap().clone();
        let mut secrets = Vec::new();
        for field in secret_fields {
            let value = secret(&format!("{kind}-{field}"));
            fields.insert((*field).into(), json!(value));
            secrets.push((*field, value));
        }
        all.push(Sample {
            kind,
            fields,
            secrets,
        });
    };
    add(
        "athena",
        json!({"hostname": "athena.us-east-1.amazonaws.com", "port": 443, "s3OutputPath": "s3://results/hex/", "accessKeyId": "AKIAEXAMPLE", "catalog": "AwsDataCatalog", "workgroup": "primary"}),
        &["secretAccessKey"],
    );
    add(
        "bigquery",
        json!({"projectId": "my-gcp-project", "enableStorageApi": true, "enableDriveAccess": false}),
        &["serviceAccountJsonConfig"],
    );
    add(
        "databricks",
        json!({"jdbcUrl": "jdbc:databricks://adb-1.azuredatabricks.net:443/default;transportMode=http"}),
        &["accessToken"],
    );
    add(
        "postgres",
        json!({"hostname": "db.example.com", "port": 5432, "database": "app_db", "username": "readonly_user"}),
        &["password"],
    );
    add(
        "redshift",
        json!({"host": "cluster.abc.us-east-1.redshift.amazonaws.com", "port": 5439, "database": "dev", "username": "hex"}),
        &["password", "sslRootCert"],
    );
    add(
        "snowflake",
        json!({"accountName": "xy12345", "warehouse": "ANALYTICS_WH", "database": "ANALYTICS_DB", "username": "hex_service", "schema": "PUBLIC", "role": "ANALYST"}),
        &["privateKey", "passphrase"],
    );
    add(
        "trino",
        json!({"hostname": "trino.example.com", "port": 8080, "username": "hex", "catalog": "hive", "schema": "default", "sessionProperties": [{"key": "query_max_run_time", "value": "1h"}]}),
        &["password"],
    );
    all
}

/// Every text a tool answered, to search for secrets.
#[derive(Default)]
struct Seen(Vec<String>);

impl Seen {
    async fn call(&mut self, session: &Session, tool: &str, arguments: Value) -> common::Answer {
        let answer = session.call(tool, arguments).await;
        self.0.push(answer.text.clone());
        self.0.push(answer.value.to_string());
        answer
    }

    fn assert_absent(&self, value: &str, stdout: &str, stderr: &str) {
        for (i, text) in self.0.iter().enumerate() {
            assert!(
                !text.contains(value),
                "a secret is in tool output {i}: {text}"
            );
        }
        assert!(!stdout.contains(value), "a secret is on stdout");
        assert!(!stderr.contains(value), "a secret is on stderr");
    }
}

#[tokio::test]
async fn every_creatable_type_is_created_read_back_and_never_shows_its_secrets() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let mut seen = Seen::default();
    let samples = samples();
    let mut created = Vec::new();
    for sample in &samples {
        let name = format!("Warehouse {}", sample.kind);
        let made = seen
            .call(
                &session,
                "create_hex_data_connection",
                json!({
                    "name": name,
                    "connection_type": sample.kind,
                    "connection_details": {sample.kind: sample.fields},
                    "description": format!("{} test", sample.kind),
                    "include_magic": true,
                }),
            )
            .await
            .ok();
        assert_eq!(made["type"], sample.kind);
        assert_eq!(made["name"], name.as_str());
        let id = made["id"].as_str().unwrap().to_string();

        let read = seen
            .call(
                &session,
                "get_hex_data_connection",
                json!({"connection_id": id}),
            )
            .await
            .ok();
        assert_eq!(read["includeMagic"], true);
        let details = &read["connectionDetails"][sample.kind];
        for (field, value) in &sample.fields {
            if sample.secrets.iter().any(|(name, _)| name == field) {
                assert!(details.get(field).is_none(), "{field} shown: {details}");
            } else {
                assert_eq!(&details[field], value, "{} {field}", sample.kind);
            }
        }
        for (field, value) in &sample.secrets {
            assert_eq!(
                sandbox.connection_secret(&id, field).as_deref(),
                Some(value.as_str()),
                "{} {field} not stored",
                sample.kind
            );
        }
        created.push(id);
    }

    let listed = seen
        .call(&session, "list_hex_data_connections", json!({"limit": 100}))
        .await
        .ok();
    let listed_ids: Vec<&str> = listed["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap())
        .collect();
    for id in &created {
        assert!(listed_ids.contains(&id.as_str()), "{id} not listed");
    }
    let (stdout, stderr) = session.finish().await;
    for sample in &samples {
        for (_, value) in &sample.secrets {
            seen.assert_absent(value, &stdout, &stderr);
        }
    }
}

fn postgres(password: Value) -> Value {
    json!({"postgres": {"hostname": "db.example.com", "port": 5432, "database": "app_db", "username": "readonly_user", "password": password}})
}

#[tokio::test]
async fn a_password_from_the_servers_environment_never_crosses_mcp() {
    let sandbox = sandbox().await;
    let password = secret("env-password");
    let session = Launch::against(&sandbox)
        .env("PG_PASSWORD", &password)
        .start()
        .await;
    let mut seen = Seen::default();
    let made = seen
        .call(
            &session,
            "create_hex_data_connection",
            json!({"name": "App DB", "connection_type": "postgres", "connection_details": postgres(json!({"env": "PG_PASSWORD"}))}),
        )
        .await
        .ok();
    let id = made["id"].as_str().unwrap();
    assert_eq!(
        sandbox.connection_secret(id, "password").as_deref(),
        Some(password.as_str())
    );
    seen.call(
        &session,
        "get_hex_data_connection",
        json!({"connection_id": id}),
    )
    .await
    .ok();
    let (stdout, stderr) = session.finish().await;
    seen.assert_absent(&password, &stdout, &stderr);
}

#[tokio::test]
async fn a_key_from_a_file_on_the_servers_machine_never_crosses_mcp() {
    let sandbox = sandbox().await;
    let key = secret("file-private-key");
    let passphrase = secret("env-passphrase");
    let dir = std::env::temp_dir().join(format!("hex-mcp-conn-test-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("snowflake.p8");
    std::fs::write(&path, format!("{key}\n")).unwrap();
    // Without --allow-path, no file is read: the error says how to enable it.
    let closed = Launch::against(&sandbox)
        .env("SF_PASSPHRASE", &passphrase)
        .start()
        .await;
    let arguments = json!({
        "name": "Snowflake by key file",
        "connection_type": "snowflake",
        "connection_details": {"snowflake": {
            "accountName": "xy12345", "warehouse": "WH", "database": "DB", "username": "hex",
            "privateKey": {"file": path.to_str().unwrap()},
            "passphrase": {"env": "SF_PASSPHRASE"},
        }},
    });
    let refused = closed
        .call("create_hex_data_connection", arguments.clone())
        .await
        .err();
    assert_eq!(refused["field"], "connection_details.snowflake.privateKey");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("--allow-path"),
        "{refused}"
    );
    assert!(sandbox.requests().is_empty());
    closed.finish().await;

    let session = Launch::against(&sandbox)
        .env("SF_PASSPHRASE", &passphrase)
        .arg("--allow-path")
        .arg(dir.to_str().unwrap())
        .start()
        .await;
    let mut seen = Seen::default();
    let made = seen
        .call(
            &session,
            "create_hex_data_connection",
            json!({
                "name": "Snowflake by key file",
                "connection_type": "snowflake",
                "connection_details": {"snowflake": {
                    "accountName": "xy12345", "warehouse": "WH", "database": "DB", "username": "hex",
                    "privateKey": {"file": path.to_str().unwrap()},
                    "passphrase": {"env": "SF_PASSPHRASE"},
                }},
            }),
        )
        .await
        .ok();
    let id = made["id"].as_str().unwrap();
    assert_eq!(
        sandbox.connection_secret(id, "privateKey").as_deref(),
        Some(key.as_str())
    );
    assert_eq!(
        sandbox.connection_secret(id, "passphrase").as_deref(),
        Some(passphrase.as_str())
    );
    let (stdout, stderr) = session.finish().await;
    seen.assert_absent(&key, &stdout, &stderr);
    seen.assert_absent(&passphrase, &stdout, &stderr);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn bad_details_are_refused_naming_the_field_before_anything_is_sent() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let plain = secret("never-echoed");
    let create = |details: Value, kind: &str| json!({"name": "Bad", "connection_type": kind, "connection_details": details});
    let mut missing = postgres(json!(plain));
    missing["postgres"]
        .as_object_mut()
        .unwrap()
        .remove("password");
    let mut extra = postgres(json!(plain));
    extra["postgres"]["ssl"] = json!(true);
    let mut bad_port = postgres(json!(plain));
    bad_port["postgres"]["port"] = json!("not-a-port");
    let cases = [
        (
            create(
                postgres(json!({"env": "HEX_MCP_TEST_UNSET_VARIABLE"})),
                "postgres",
            ),
            "connection_details.postgres.password",
            "HEX_MCP_TEST_UNSET_VARIABLE",
        ),
        (
            create(
                postgres(json!({"file": "/nonexistent/hex-mcp/pw"})),
                "postgres",
            ),
            "connection_details.postgres.password",
            "--allow-path",
        ),
        (
            create(postgres(json!({"password": plain})), "postgres"),
            "connection_details.postgres.password",
            "env",
        ),
        (
            create(missing, "postgres"),
            "connection_details.postgres.password",
            "required",
        ),
        (
            create(extra, "postgres"),
            "connection_details.postgres.ssl",
            "no SSL setting",
        ),
        (
            create(bad_port, "postgres"),
            "connection_details.postgres.port",
            "port",
        ),
        (
            create(postgres(json!(plain)), "redshift"),
            "connection_details",
            "connection_type is redshift",
        ),
        (
            create(json!({"clickhouse": {"hostname": "h"}}), "postgres"),
            "connection_details",
            "clickhouse",
        ),
        (
            create(postgres(json!(plain)), "clickhouse"),
            "connection_type",
            "trino",
        ),
    ];
    let mut seen = Seen::default();
    for (arguments, field, hint) in cases {
        let answer = seen
            .call(&session, "create_hex_data_connection", arguments)
            .await;
        let error = answer.err();
        assert_eq!(error["kind"], "invalid_input", "{error}");
        assert_eq!(error["field"], field, "{error}");
        assert!(error["message"].as_str().unwrap().contains(hint), "{error}");
    }
    let error = seen
        .call(
            &session,
            "update_hex_data_connection",
            json!({"connection_id": uuid::Uuid::new_v4().to_string()}),
        )
        .await
        .err();
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("nothing to update")
    );
    assert!(sandbox.requests().is_empty(), "{:?}", sandbox.requests());
    let (stdout, stderr) = session.finish().await;
    seen.assert_absent(&plain, &stdout, &stderr);
}

#[tokio::test]
async fn replacing_a_password_needs_confirmation_and_a_rename_does_not() {
    let sandbox = sandbox().await;
    let old = secret("old-password");
    let new = secret("new-password");
    let session = Launch::against(&sandbox)
        .env("NEW_PG_PASSWORD", &new)
        .start()
        .await;
    let mut seen = Seen::default();
    let made = seen
        .call(
            &session,
            "create_hex_data_connection",
            json!({"name": "Orders DB", "connection_type": "postgres", "connection_details": postgres(json!(old))}),
        )
        .await
        .ok();
    let id = made["id"].as_str().unwrap().to_string();

    let renamed = seen
        .call(
            &session,
            "update_hex_data_connection",
            json!({"connection_id": id, "name": "Orders DB (replica)", "include_magic": false}),
        )
        .await
        .ok();
    assert_eq!(renamed["name"], "Orders DB (replica)");
    let read = seen
        .call(
            &session,
            "get_hex_data_connection",
            json!({"connection_id": id}),
        )
        .await
        .ok();
    assert_eq!(read["name"], "Orders DB (replica)");
    assert_eq!(read["includeMagic"], false);

    let rotate = json!({"connection_id": id, "connection_details": {"postgres": {"password": {"env": "NEW_PG_PASSWORD"}}}});
    let preview = seen
        .call(&session, "update_hex_data_connection", rotate.clone())
        .await
        .ok();
    assert_eq!(preview["confirmationRequired"], true);
    let change = preview["change"].as_str().unwrap();
    assert!(
        change.contains(&id) && change.contains("connection_details.postgres.password"),
        "{change}"
    );
    assert_eq!(
        sandbox.connection_secret(&id, "password").as_deref(),
        Some(old.as_str())
    );
    let mut confirmed = rotate.clone();
    confirmed["confirmation_token"] = preview["confirmationToken"].clone();
    seen.call(&session, "update_hex_data_connection", confirmed)
        .await
        .ok();
    assert_eq!(
        sandbox.connection_secret(&id, "password").as_deref(),
        Some(new.as_str())
    );
    // The rest of the details are untouched.
    let read = seen
        .call(
            &session,
            "get_hex_data_connection",
            json!({"connection_id": id}),
        )
        .await
        .ok();
    assert_eq!(
        read["connectionDetails"]["postgres"]["hostname"],
        "db.example.com"
    );
    let (stdout, stderr) = session.finish().await;
    seen.assert_absent(&old, &stdout, &stderr);
    seen.assert_absent(&new, &stdout, &stderr);
}

#[tokio::test]
async fn an_elicitation_client_is_asked_before_credentials_are_replaced() {
    let sandbox = sandbox().await;
    let old = secret("old");
    let new = secret("new");
    let declining = TestClient {
        answer: Some(ElicitationAction::Decline),
        ..TestClient::default()
    };
    let asked = declining.asked.clone();
    let session = Launch::against(&sandbox).client(declining).start().await;
    let made = session
        .call(
            "create_hex_data_connection",
            json!({"name": "Ledger", "connection_type": "postgres", "connection_details": postgres(json!(old))}),
        )
        .await
        .ok();
    let id = made["id"].as_str().unwrap().to_string();
    let refused = session
        .call(
            "update_hex_data_connection",
            json!({"connection_id": id, "connection_details": {"postgres": {"password": new}}}),
        )
        .await
        .err();
    assert_eq!(refused["kind"], "refused");
    assert_eq!(
        sandbox.count_requests("PATCH", "/api/v1/data-connections/*"),
        0
    );
    assert_eq!(
        sandbox.connection_secret(&id, "password").as_deref(),
        Some(old.as_str())
    );
    let questions = asked.lock().unwrap().clone();
    assert_eq!(questions.len(), 1);
    assert!(questions[0].contains("password") && !questions[0].contains(&new));
    let (stdout, stderr) = session.finish().await;
    assert!(!stdout.contains(&new) && !stderr.contains(&new));
}

/// The seed's usage examples (its README's "Create Data Connections", "Update Data
/// Connections" and "Bulk Connection Setup"), with their arguments as written: where Hex has the
/// same thing under another name (`CAN_USE` → `QUERY`) the call succeeds with a notice; where
/// Hex's API cannot do what the example asks (a Snowflake password, a Postgres SSL switch,
/// `CAN_ADMIN`) it is refused naming the field and what Hex takes instead, and nothing is sent.
/// The README's placeholders (`json.dumps(service_account_config)`, `"conn-123"`,
/// `"analytics-team-group-id"`) are filled with real values; everything else is verbatim.
#[tokio::test]
async fn the_seed_readme_connection_examples_run_as_written() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let service_account = json!({"type": "service_account", "project_id": "my-gcp-project", "private_key": secret("gcp-key")}).to_string();
    let mut seen = Seen::default();

    // Create BigQuery connection: runs, CAN_USE mapped to QUERY with a notice.
    let bigquery = seen
        .call(
            &session,
            "create_hex_data_connection",
            json!({
                "name": "Production BigQuery",
                "connection_type": "bigquery",
                "connection_details": {"bigquery": {"serviceAccountJsonConfig": service_account, "projectId": "my-gcp-project", "enableStorageApi": true, "enableDriveAccess": false}},
                "description": "Production data warehouse for analytics",
                "include_magic": true,
                "allow_writeback_cells": false,
                "sharing": {"workspace": {"members": "CAN_USE"}},
            }),
        )
        .await
        .ok();
    let notices = bigquery["notices"].as_array().unwrap();
    assert_eq!(notices.len(), 1, "{bigquery}");
    assert!(
        notices[0]
            .as_str()
            .unwrap()
            .contains("CAN_USE was sent as QUERY")
    );
    let id = bigquery["id"].as_str().unwrap().to_string();
    assert_eq!(
        sandbox
            .connection_secret(&id, "serviceAccountJsonConfig")
            .as_deref(),
        Some(service_account.as_str())
    );
    let read = seen
        .call(
            &session,
            "get_hex_data_connection",
            json!({"connection_id": id}),
        )
        .await
        .ok();
    assert_eq!(read["sharing"]["workspace"]["members"], "QUERY");
    assert_eq!(read["includeMagic"], true);

    let before = sandbox.requests().len();
    // Create Snowflake connection: `account` is Hex's accountName, but Hex takes a key pair,
    // not a password.
    let snowflake = seen
        .call(
            &session,
            "create_hex_data_connection",
            json!({
                "name": "Snowflake Analytics",
                "connection_type": "snowflake",
                "connection_details": {"snowflake": {"account": "my-account", "warehouse": "ANALYTICS_WH", "database": "ANALYTICS_DB", "schema": "PUBLIC", "username": "hex_service", "password": "secure_password"}},
                "description": "Snowflake warehouse for analytics",
                "include_magic": true,
            }),
        )
        .await
        .err();
    assert_eq!(snowflake["field"], "connection_details.snowflake.password");
    let message = snowflake["message"].as_str().unwrap();
    assert!(
        message.contains("privateKey") && message.contains("passphrase"),
        "{message}"
    );
    // Create Postgres connection: no SSL switch in Hex's API.
    let postgres = seen
        .call(
            &session,
            "create_hex_data_connection",
            json!({
                "name": "Application Database",
                "connection_type": "postgres",
                "connection_details": {"postgres": {"hostname": "db.example.com", "port": 5432, "database": "app_db", "username": "readonly_user", "password": "secure_password", "ssl": true}},
                "description": "Production application database (read-only)",
                "connect_via_ssh": false,
                "include_magic": true,
                "allow_writeback_cells": false,
            }),
        )
        .await
        .err();
    assert_eq!(postgres["field"], "connection_details.postgres.ssl");
    assert_eq!(
        sandbox.requests().len(),
        before,
        "a refused example sent a request"
    );

    // Update Data Connections: rename, settings, then sharing with CAN_USE and CAN_ADMIN.
    let renamed = seen
        .call(
            &session,
            "update_hex_data_connection",
            json!({"connection_id": id, "name": "Updated Production BigQuery", "description": "Updated production data warehouse for analytics and reporting"}),
        )
        .await
        .ok();
    assert_eq!(renamed["name"], "Updated Production BigQuery");
    let settings = seen
        .call(
            &session,
            "update_hex_data_connection",
            json!({"connection_id": id, "include_magic": false, "allow_writeback_cells": true}),
        )
        .await
        .ok();
    assert_eq!(
        (&settings["includeMagic"], &settings["allowWritebackCells"]),
        (&json!(false), &json!(true))
    );
    let groups = sandbox.state().group_ids();
    let before = sandbox.requests().len();
    let admin = seen
        .call(
            &session,
            "update_hex_data_connection",
            json!({"connection_id": id, "sharing": {"workspace": {"members": "CAN_USE", "guests": "NONE"}, "groups": {"upsert": [
                {"group": {"id": groups[0]}, "access": "CAN_USE"},
                {"group": {"id": groups[1]}, "access": "CAN_ADMIN"},
            ]}}}),
        )
        .await
        .err();
    assert_eq!(admin["field"], "sharing.groups.upsert[1].access");
    assert!(
        admin["message"]
            .as_str()
            .unwrap()
            .contains("no admin level")
    );
    assert_eq!(sandbox.requests().len(), before);
    // Without the grant Hex cannot express, the same sharing runs.
    let shared = seen
        .call(
            &session,
            "update_hex_data_connection",
            json!({"connection_id": id, "sharing": {"workspace": {"members": "CAN_USE", "guests": "NONE"}, "groups": {"upsert": [
                {"group": {"id": groups[0]}, "access": "CAN_USE"},
            ]}}}),
        )
        .await
        .ok();
    assert_eq!(shared["notices"].as_array().unwrap().len(), 2, "{shared}");
    assert_eq!(shared["sharing"]["groups"][0]["access"], "QUERY");
    // Rotate credentials by updating connection details (confirmed: it replaces a secret).
    let rotated = secret("new-service-account");
    let preview = seen
        .call(
            &session,
            "update_hex_data_connection",
            json!({"connection_id": id, "connection_details": {"bigquery": {"serviceAccountJsonConfig": rotated, "projectId": "my-gcp-project", "enableStorageApi": true, "enableDriveAccess": false}}}),
        )
        .await
        .ok();
    let token = preview["confirmationToken"].as_str().unwrap().to_string();
    seen.call(
        &session,
        "update_hex_data_connection",
        json!({"connection_id": id, "connection_details": {"bigquery": {"serviceAccountJsonConfig": rotated, "projectId": "my-gcp-project", "enableStorageApi": true, "enableDriveAccess": false}}, "confirmation_token": token}),
    )
    .await
    .ok();
    assert_eq!(
        sandbox
            .connection_secret(&id, "serviceAccountJsonConfig")
            .as_deref(),
        Some(rotated.as_str())
    );

    // List Data Connections with the README's sorting (lowercase direction).
    let listed = seen
        .call(
            &session,
            "list_hex_data_connections",
            json!({"limit": 10, "sort_by": "NAME", "sort_direction": "asc"}),
        )
        .await
        .ok();
    assert!(!listed["values"].as_array().unwrap().is_empty());
    let (stdout, stderr) = session.finish().await;
    for value in [&service_account, &rotated] {
        seen.assert_absent(value, &stdout, &stderr);
    }
}

#[tokio::test]
async fn public_access_asks_first() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let preview = session
        .call(
            "create_hex_data_connection",
            json!({
                "name": "Public results",
                "connection_type": "postgres",
                "connection_details": postgres(json!(secret("pw"))),
                "sharing": {"workspace": {"public": "VIEW_RESULTS"}},
            }),
        )
        .await
        .ok();
    assert_eq!(preview["confirmationRequired"], true);
    assert!(preview["change"].as_str().unwrap().contains("public"));
    assert_eq!(
        sandbox.count_requests("POST", "/api/v1/data-connections"),
        0
    );
    session.finish().await;
}

/// Whatever the log filter, even `rmcp=trace`, the SDK's own logging of whole messages never
/// brings a literal password from a tool's arguments to stderr.
#[tokio::test]
async fn no_log_filter_lets_a_literal_password_reach_stderr() {
    let sandbox = sandbox().await;
    let password = secret("literal-password");
    let session = Launch::against(&sandbox)
        .env("HEX_MCP_LOG", "trace,rmcp=trace")
        .start()
        .await;
    let made = session
        .call(
            "create_hex_data_connection",
            json!({"name": "Traced DB", "connection_type": "postgres", "connection_details": postgres(json!(password))}),
        )
        .await
        .ok();
    assert!(made["id"].is_string(), "{made}");
    let (stdout, stderr) = session.finish().await;
    assert!(stderr.contains("TRACE"), "trace logging is on: {stderr}");
    assert!(!stderr.contains(&password), "the password is on stderr");
    assert!(!stdout.contains(&password), "the password is in a reply");
}

/// At every log level, up to everything at trace from every crate (the SDK, the HTTP stack),
/// neither the Hex token nor a password reaches stderr or stdout: through a success, a Hex
/// error that echoes the request, and a retried server error.
#[tokio::test]
async fn no_secret_reaches_the_log_at_any_level() {
    let sandbox = sandbox().await;
    let filters = [
        "error",
        "warn",
        "info",
        "debug",
        "trace",
        "trace,rmcp=trace,hex_client=trace,reqwest=trace,hyper=trace,hyper_util=trace,h2=trace",
    ];
    for filter in filters {
        let password = secret("any-level-password");
        let session = Launch::against(&sandbox)
            .env("HEX_MCP_LOG", filter)
            .start()
            .await;
        let details = postgres(json!(password));
        let made = session
            .call(
                "create_hex_data_connection",
                json!({"name": format!("Levels {filter}"), "connection_type": "postgres", "connection_details": details}),
            )
            .await
            .ok();
        assert!(made["id"].is_string(), "{made}");
        sandbox.inject(hex_sandbox::FaultRule::echo_request(
            "POST",
            "/v1/data-connections",
            400,
        ));
        let echoed = session
            .call(
                "create_hex_data_connection",
                json!({"name": "Echoed", "connection_type": "postgres", "connection_details": details}),
            )
            .await
            .err();
        assert!(
            echoed["message"].as_str().unwrap().contains("[REDACTED]"),
            "{echoed}"
        );
        sandbox.inject(hex_sandbox::FaultRule::status("GET", "/v1/projects", 503));
        session
            .call("list_hex_projects", json!({"limit": 1}))
            .await
            .ok();
        let (stdout, stderr) = session.finish().await;
        if filter.starts_with("trace") {
            assert!(
                stderr.contains("TRACE"),
                "{filter}: trace logging is on: {stderr}"
            );
        }
        for (what, secret) in [
            ("the Hex token", common::TOKEN),
            ("the password", &password),
        ] {
            assert!(!stderr.contains(secret), "{filter}: {what} is on stderr");
            assert!(!stdout.contains(secret), "{filter}: {what} is in a reply");
        }
    }
}

#[tokio::test]
async fn an_error_that_echoes_the_request_never_shows_its_secrets() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox)
        .env("HEX_MCP_LOG", "trace")
        .start()
        .await;
    let mut seen = Seen::default();
    let samples = samples();
    for sample in &samples {
        sandbox.inject(hex_sandbox::FaultRule::echo_request(
            "POST",
            "/v1/data-connections",
            400,
        ));
        let error = seen
            .call(
                &session,
                "create_hex_data_connection",
                json!({
                    "name": format!("Echo {}", sample.kind),
                    "connection_type": sample.kind,
                    "connection_details": {sample.kind: sample.fields},
                }),
            )
            .await
            .err();
        // The echo did come back (its plain fields show), only the secrets are gone.
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(sample.kind), "{message}");
        assert!(message.contains("[REDACTED]"), "{message}");
    }
    let (stdout, stderr) = session.finish().await;
    for sample in &samples {
        for (_, value) in &sample.secrets {
            seen.assert_absent(value, &stdout, &stderr);
        }
    }
}
