//! Data connections: per-type validation, secrets stored and never returned, edit answers 201.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::common::{Api, assert_error};

/// (type, create details, secret fields, read fields)
fn every_type() -> Vec<(&'static str, Value, Vec<&'static str>, Vec<&'static str>)> {
    vec![
        (
            "athena",
            json!({"hostname": "athena.us-east-1.amazonaws.com", "port": 443, "s3OutputPath": "s3://out/",
            "accessKeyId": "AKIAEXAMPLE", "secretAccessKey": "athena-secret-1", "catalog": "AwsDataCatalog"}),
            vec!["secretAccessKey"],
            vec![
                "hostname",
                "port",
                "s3OutputPath",
                "accessKeyId",
                "catalog",
                "workgroup",
            ],
        ),
        (
            "bigquery",
            json!({"projectId": "acme-prod", "serviceAccountJsonConfig": "{\"private_key\":\"bq-secret-2\"}",
            "enableStorageApi": true}),
            vec!["serviceAccountJsonConfig"],
            vec!["projectId", "enableStorageApi", "enableDriveAccess"],
        ),
        (
            "databricks",
            json!({"jdbcUrl": "jdbc:databricks://dbc.example:443", "accessToken": "dapi-secret-3"}),
            vec!["accessToken"],
            vec!["jdbcUrl"],
        ),
        (
            "postgres",
            json!({"hostname": "db.example", "port": 5432, "database": "app", "username": "hex",
            "password": "pg-secret-4"}),
            vec!["password"],
            vec!["hostname", "port", "database", "username"],
        ),
        (
            "redshift",
            json!({"host": "rs.example", "port": 5439, "database": "dw", "username": "hex",
            "password": "rs-secret-5", "sslRootCert": "rs-cert-secret-6"}),
            vec!["password", "sslRootCert"],
            vec!["host", "port", "database", "username"],
        ),
        (
            "snowflake",
            json!({"accountName": "acme-1", "warehouse": "WH", "database": "DB", "username": "HEX",
            "privateKey": "sf-key-secret-7", "passphrase": "sf-pass-secret-8", "role": "READER"}),
            vec!["privateKey", "passphrase"],
            vec![
                "accountName",
                "warehouse",
                "database",
                "username",
                "schema",
                "role",
            ],
        ),
        (
            "trino",
            json!({"hostname": "trino.example", "port": 8443, "username": "hex", "password": "trino-secret-9",
            "catalog": "hive", "schema": "default", "sessionProperties": [{"key": "query_max_run_time", "value": "1h"}]}),
            vec!["password"],
            vec![
                "hostname",
                "port",
                "username",
                "catalog",
                "schema",
                "sessionProperties",
            ],
        ),
    ]
}

fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

#[tokio::test]
async fn every_type_stores_secrets_and_never_returns_them() {
    let api = Api::start().await;
    let mut secrets = Vec::new();
    for (kind, details, secret_fields, read_fields) in every_type() {
        let body = json!({"name": format!("{kind} test"), "type": kind, "connectionDetails": {kind: details.clone()}});
        let created = api.post("/data-connections", body).await;
        assert_eq!(created.status, 201, "{kind}: {}", created.body);
        let id = created.body["id"].as_str().unwrap().to_owned();
        let read = &created.body["connectionDetails"][kind];
        let expected: BTreeSet<String> = read_fields.iter().map(|s| s.to_string()).collect();
        assert_eq!(keys(read), expected, "{kind} read fields");
        for field in secret_fields {
            let stored = details[field].as_str().unwrap().to_owned();
            assert_eq!(
                api.sandbox.connection_secret(&id, field).as_deref(),
                Some(stored.as_str()),
                "{kind}.{field}"
            );
            secrets.push(stored);
        }
        let fetched = api.get(&format!("/data-connections/{id}")).await;
        assert_eq!(fetched.status, 200);
        assert_eq!(fetched.body, created.body);
    }
    let listed = api.walk("/data-connections?limit=3").await;
    assert_eq!(listed.len(), 4 + 7);
    let mut everything = serde_json::to_string(&listed).unwrap();
    for id in api.sandbox.state().connection_ids() {
        everything.push_str(
            &api.get(&format!("/data-connections/{id}"))
                .await
                .body
                .to_string(),
        );
        for field in [
            "password",
            "privateKey",
            "passphrase",
            "serviceAccountJsonConfig",
        ] {
            if let Some(secret) = api.sandbox.connection_secret(&id, field) {
                secrets.push(secret);
            }
        }
    }
    assert!(secrets.len() > 10);
    for secret in &secrets {
        assert!(
            !everything.contains(secret.as_str()),
            "secret {secret} leaked"
        );
    }
    for field in [
        "password",
        "privateKey",
        "passphrase",
        "secretAccessKey",
        "serviceAccountJsonConfig",
        "accessToken",
        "sslRootCert",
    ] {
        assert!(
            !everything.contains(&format!("\"{field}\"")),
            "field {field} returned"
        );
    }
}

#[tokio::test]
async fn create_validates_required_fields_per_type() {
    let api = Api::start().await;
    for (kind, details, _, _) in every_type() {
        let object = details.as_object().unwrap();
        let required = [
            "hostname",
            "host",
            "port",
            "projectId",
            "jdbcUrl",
            "accountName",
            "password",
            "privateKey",
            "serviceAccountJsonConfig",
            "accessToken",
            "secretAccessKey",
            "username",
        ];
        for field in object.keys().filter(|k| required.contains(&k.as_str())) {
            if kind == "trino" && field == "password" {
                continue; // optional for trino
            }
            let mut missing = object.clone();
            missing.remove(field);
            let body = json!({"name": "x", "type": kind, "connectionDetails": {kind: missing}});
            assert_error(
                &api.post("/data-connections", body).await,
                400,
                &format!("connectionDetails.{kind}.{field}"),
            );
        }
    }
    let wrong_port = json!({"name": "x", "type": "postgres", "connectionDetails": {"postgres":
        {"hostname": "h", "port": "5432", "database": "d", "username": "u", "password": "p"}}});
    assert_error(
        &api.post("/data-connections", wrong_port).await,
        400,
        "port",
    );
    let redshift_hostname = json!({"name": "x", "type": "redshift", "connectionDetails": {"redshift":
        {"hostname": "h", "port": 5439, "database": "d", "username": "u", "password": "p"}}});
    assert_error(
        &api.post("/data-connections", redshift_hostname).await,
        400,
        "connectionDetails.redshift.host",
    );
    let clickhouse = json!({"name": "x", "type": "clickhouse", "connectionDetails": {"clickhouse": {"hostname": "h"}}});
    assert_error(
        &api.post("/data-connections", clickhouse).await,
        400,
        "clickhouse",
    );
    let mismatch = json!({"name": "x", "type": "postgres", "connectionDetails": {"snowflake": {}}});
    assert_error(
        &api.post("/data-connections", mismatch).await,
        400,
        "connectionDetails",
    );
    let unknown_type = json!({"name": "x", "type": "oracle", "connectionDetails": {"oracle": {}}});
    assert_error(
        &api.post("/data-connections", unknown_type).await,
        400,
        "type",
    );
    let no_name = json!({"type": "databricks", "connectionDetails": {"databricks": {"jdbcUrl": "j", "accessToken": "t"}}});
    assert_error(&api.post("/data-connections", no_name).await, 400, "name");
}

#[tokio::test]
async fn edit_answers_201_and_updates_fields_secrets_and_sharing() {
    let api = Api::start().await;
    let state = api.sandbox.state();
    let group = state.group_ids()[3].clone();
    let created = api
        .post("/data-connections", json!({"name": "Warehouse", "type": "postgres",
            "connectionDetails": {"postgres": {"hostname": "h", "port": 5432, "database": "d", "username": "u", "password": "old-pass"}},
            "sharing": {"workspace": {"members": "QUERY"}, "groups": [{"access": "VIEW_RESULTS", "group": {"id": group}}]}}))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created.body["sharing"]["groups"][0]["group"]["id"],
        group.as_str()
    );
    assert!(created.body["sharing"]["groups"][0]["group"]["name"].is_string());
    let edited = api
        .patch(
            &format!("/data-connections/{id}"),
            json!({"name": "Warehouse (prod)", "description": "Production",
            "connectionDetails": {"postgres": {"password": "new-pass", "hostname": "h2"}},
            "sharing": {"groups": {"upsert": [{"access": "NONE", "group": {"id": group}}]}},
            "schemaRefreshAccess": "USERS_WITH_QUERY_ACCESS"}),
        )
        .await;
    assert_eq!(edited.status, 201, "{}", edited.body);
    assert_eq!(edited.body["name"], "Warehouse (prod)");
    assert_eq!(
        edited.body["connectionDetails"]["postgres"]["hostname"],
        "h2"
    );
    assert_eq!(
        edited.body["connectionDetails"]["postgres"]["database"],
        "d"
    );
    assert_eq!(edited.body["sharing"]["groups"], json!([]));
    assert_eq!(
        edited.body["schemaRefreshAccess"],
        "USERS_WITH_QUERY_ACCESS"
    );
    assert_eq!(
        api.sandbox.connection_secret(&id, "password").as_deref(),
        Some("new-pass")
    );
    assert!(!edited.body.to_string().contains("new-pass"));
    assert_error(
        &api.patch(
            &format!("/data-connections/{id}"),
            json!({"connectionDetails": {"snowflake": {}}}),
        )
        .await,
        400,
        "postgres",
    );
    assert_error(
        &api.patch(
            &format!("/data-connections/{id}"),
            json!({"sharing": {"workspace": {"public": "QUERY"}}}),
        )
        .await,
        400,
        "public",
    );
}

#[tokio::test]
async fn list_sorts_by_name_ascending_by_default() {
    let api = Api::start().await;
    let listed = api.walk("/data-connections").await;
    let names: Vec<String> = listed
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_lowercase())
        .collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]));
    let kinds: BTreeSet<&str> = listed.iter().map(|c| c["type"].as_str().unwrap()).collect();
    assert_eq!(kinds.len(), 4);
    let newest = api
        .walk("/data-connections?sortBy=CREATED_AT&sortDirection=DESC&limit=1")
        .await;
    assert_eq!(newest.len(), 4);
    assert_error(
        &api.get("/data-connections?sortBy=TYPE").await,
        400,
        "sortBy",
    );
}
