//! Data connections: CreateDataConnection and EditDataConnection for every creatable type,
//! GetDataConnection, ListDataConnections. Secrets reach the sandbox's store and never come back.

use hex_client::api::SortDirection;
use hex_client::api::connections::*;
use hex_client::{PageCaps, Secret};
use serde_json::{Value, json};

use crate::common::{Env, no_hang, sorted};

/// One connection type: what to create, what Hex should show, what to edit, what it shows then.
struct Case {
    create: NewConnectionDetails,
    /// (field, value) of every secret sent on create.
    secrets: Vec<(&'static str, String)>,
    shown: Value,
    edit: ConnectionDetailsUpdate,
    edited_secrets: Vec<(&'static str, String)>,
    shown_after_edit: Value,
}

fn secret(kind: &str, field: &str, round: u8) -> String {
    format!("S3CRET-{kind}-{field}-{round}-7f3a")
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            create: NewConnectionDetails::Athena(NewAthena {
                hostname: "athena.eu-west-1.amazonaws.com".into(),
                port: 443,
                s3_output_path: "s3://acme-athena/results".into(),
                access_key_id: "AKIAEXAMPLE".into(),
                secret_access_key: Secret::new(secret("athena", "secretAccessKey", 1)),
                catalog: Some("AwsDataCatalog".into()),
                workgroup: None,
            }),
            secrets: vec![("secretAccessKey", secret("athena", "secretAccessKey", 1))],
            shown: json!({"athena": {"hostname": "athena.eu-west-1.amazonaws.com", "port": 443,
                "s3OutputPath": "s3://acme-athena/results", "accessKeyId": "AKIAEXAMPLE",
                "catalog": "AwsDataCatalog"}}),
            edit: ConnectionDetailsUpdate::Athena(AthenaUpdate {
                workgroup: Some("analysts".into()),
                secret_access_key: Some(Secret::new(secret("athena", "secretAccessKey", 2))),
                ..AthenaUpdate::default()
            }),
            edited_secrets: vec![("secretAccessKey", secret("athena", "secretAccessKey", 2))],
            shown_after_edit: json!({"athena": {"hostname": "athena.eu-west-1.amazonaws.com",
                "port": 443, "s3OutputPath": "s3://acme-athena/results", "accessKeyId": "AKIAEXAMPLE",
                "catalog": "AwsDataCatalog", "workgroup": "analysts"}}),
        },
        Case {
            create: NewConnectionDetails::BigQuery(NewBigQuery {
                project_id: "acme-analytics".into(),
                service_account_json_config: Secret::new(secret("bigquery", "sa", 1)),
                enable_storage_api: Some(true),
                enable_drive_access: None,
            }),
            secrets: vec![("serviceAccountJsonConfig", secret("bigquery", "sa", 1))],
            shown: json!({"bigquery": {"projectId": "acme-analytics", "enableStorageApi": true,
                "enableDriveAccess": false}}),
            edit: ConnectionDetailsUpdate::BigQuery(BigQueryUpdate {
                enable_drive_access: Some(true),
                service_account_json_config: Some(Secret::new(secret("bigquery", "sa", 2))),
                ..BigQueryUpdate::default()
            }),
            edited_secrets: vec![("serviceAccountJsonConfig", secret("bigquery", "sa", 2))],
            shown_after_edit: json!({"bigquery": {"projectId": "acme-analytics",
                "enableStorageApi": true, "enableDriveAccess": true}}),
        },
        Case {
            create: NewConnectionDetails::Databricks(NewDatabricks {
                jdbc_url: "jdbc:databricks://dbc.cloud.databricks.com:443".into(),
                access_token: Secret::new(secret("databricks", "accessToken", 1)),
            }),
            secrets: vec![("accessToken", secret("databricks", "accessToken", 1))],
            shown: json!({"databricks": {"jdbcUrl": "jdbc:databricks://dbc.cloud.databricks.com:443"}}),
            edit: ConnectionDetailsUpdate::Databricks(DatabricksUpdate {
                jdbc_url: Some("jdbc:databricks://dbc2.cloud.databricks.com:443".into()),
                access_token: Some(Secret::new(secret("databricks", "accessToken", 2))),
            }),
            edited_secrets: vec![("accessToken", secret("databricks", "accessToken", 2))],
            shown_after_edit: json!({"databricks": {"jdbcUrl": "jdbc:databricks://dbc2.cloud.databricks.com:443"}}),
        },
        Case {
            create: NewConnectionDetails::Postgres(NewPostgres {
                hostname: "db.acme.example".into(),
                port: 5432,
                database: "app".into(),
                username: "hex".into(),
                password: Secret::new(secret("postgres", "password", 1)),
            }),
            secrets: vec![("password", secret("postgres", "password", 1))],
            shown: json!({"postgres": {"hostname": "db.acme.example", "port": 5432,
                "database": "app", "username": "hex"}}),
            edit: ConnectionDetailsUpdate::Postgres(PostgresUpdate {
                port: Some(6432),
                password: Some(Secret::new(secret("postgres", "password", 2))),
                ..PostgresUpdate::default()
            }),
            edited_secrets: vec![("password", secret("postgres", "password", 2))],
            shown_after_edit: json!({"postgres": {"hostname": "db.acme.example", "port": 6432,
                "database": "app", "username": "hex"}}),
        },
        Case {
            create: NewConnectionDetails::Redshift(NewRedshift {
                host: "rs.acme.example".into(),
                port: 5439,
                database: "finance".into(),
                username: "hex".into(),
                password: Secret::new(secret("redshift", "password", 1)),
                ssl_root_cert: Some(Secret::new(secret("redshift", "cert", 1))),
            }),
            secrets: vec![
                ("password", secret("redshift", "password", 1)),
                ("sslRootCert", secret("redshift", "cert", 1)),
            ],
            shown: json!({"redshift": {"host": "rs.acme.example", "port": 5439,
                "database": "finance", "username": "hex"}}),
            edit: ConnectionDetailsUpdate::Redshift(RedshiftUpdate {
                username: Some("hex_ro".into()),
                password: Some(Secret::new(secret("redshift", "password", 2))),
                ..RedshiftUpdate::default()
            }),
            edited_secrets: vec![
                ("password", secret("redshift", "password", 2)),
                ("sslRootCert", secret("redshift", "cert", 1)),
            ],
            shown_after_edit: json!({"redshift": {"host": "rs.acme.example", "port": 5439,
                "database": "finance", "username": "hex_ro"}}),
        },
        Case {
            create: NewConnectionDetails::Snowflake(NewSnowflake {
                account_name: "acme-xy12345".into(),
                warehouse: "WH".into(),
                database: "ANALYTICS".into(),
                username: "HEX".into(),
                private_key: Secret::new(secret("snowflake", "privateKey", 1)),
                passphrase: Secret::new(secret("snowflake", "passphrase", 1)),
                schema: None,
                role: Some("READER".into()),
            }),
            secrets: vec![
                ("privateKey", secret("snowflake", "privateKey", 1)),
                ("passphrase", secret("snowflake", "passphrase", 1)),
            ],
            shown: json!({"snowflake": {"accountName": "acme-xy12345", "warehouse": "WH",
                "database": "ANALYTICS", "username": "HEX", "role": "READER"}}),
            edit: ConnectionDetailsUpdate::Snowflake(SnowflakeUpdate {
                schema: Some("PUBLIC".into()),
                passphrase: Some(Secret::new(secret("snowflake", "passphrase", 2))),
                ..SnowflakeUpdate::default()
            }),
            edited_secrets: vec![
                ("privateKey", secret("snowflake", "privateKey", 1)),
                ("passphrase", secret("snowflake", "passphrase", 2)),
            ],
            shown_after_edit: json!({"snowflake": {"accountName": "acme-xy12345",
                "warehouse": "WH", "database": "ANALYTICS", "username": "HEX", "schema": "PUBLIC",
                "role": "READER"}}),
        },
        Case {
            create: NewConnectionDetails::Trino(NewTrino {
                hostname: "trino.acme.example".into(),
                port: 8443,
                username: "hex".into(),
                password: Some(Secret::new(secret("trino", "password", 1))),
                catalog: Some("hive".into()),
                schema: None,
                session_properties: Some(vec![SessionProperty {
                    key: "query_max_run_time".into(),
                    value: "10m".into(),
                }]),
            }),
            secrets: vec![("password", secret("trino", "password", 1))],
            shown: json!({"trino": {"hostname": "trino.acme.example", "port": 8443,
                "username": "hex", "catalog": "hive",
                "sessionProperties": [{"key": "query_max_run_time", "value": "10m"}]}}),
            edit: ConnectionDetailsUpdate::Trino(TrinoUpdate {
                schema: Some("web".into()),
                password: Some(Secret::new(secret("trino", "password", 2))),
                ..TrinoUpdate::default()
            }),
            edited_secrets: vec![("password", secret("trino", "password", 2))],
            shown_after_edit: json!({"trino": {"hostname": "trino.acme.example", "port": 8443,
                "username": "hex", "catalog": "hive", "schema": "web",
                "sessionProperties": [{"key": "query_max_run_time", "value": "10m"}]}}),
        },
    ]
}

fn register_secrets(env: &Env) {
    for case in cases() {
        for (_, value) in case.secrets.iter().chain(&case.edited_secrets) {
            env.secret(value);
        }
    }
}

/// Reads the typed connection back as JSON and checks it carries no secret either way.
fn details_json(env: &Env, connection: &DataConnection) -> Value {
    let text = serde_json::to_string(connection).unwrap();
    env.assert_clean("a connection serialised", &text);
    let details = connection
        .connection_details
        .as_ref()
        .expect("connectionDetails");
    assert_eq!(details.kind(), Some(connection.kind.clone()), "{details:?}");
    serde_json::to_value(details).unwrap()
}

#[tokio::test]
async fn create_get_list_and_update_every_creatable_connection_type() {
    let env = Env::start().await;
    register_secrets(&env);
    let connections = env.client.connections();
    for case in cases() {
        let kind = case.create.kind();
        let mut request =
            CreateDataConnectionRequest::new(format!("{kind} warehouse"), case.create);
        request.description = Some(format!("The {kind} one"));
        request.include_magic = Some(true);
        // The request's Debug and ordinary serialisation hide every secret.
        env.assert_clean("a create request's Debug", &format!("{request:?}"));
        env.assert_clean(
            "a create request",
            &serde_json::to_string(&request).unwrap(),
        );
        let created = env.ok(no_hang(connections.create(&request)).await);
        assert_eq!(env.sandbox.requests().last().unwrap().status, 201);
        assert_eq!(created.kind, kind);
        assert_eq!(created.name, format!("{kind} warehouse"));
        assert_eq!(created.include_magic, Some(true));
        assert_eq!(created.connect_via_ssh, Some(false));
        assert_eq!(
            details_json(&env, &created),
            case.shown,
            "{kind} as created"
        );
        for (field, value) in &case.secrets {
            assert_eq!(
                env.sandbox.connection_secret(&created.id, field).as_deref(),
                Some(value.as_str()),
                "{kind}.{field} stored"
            );
        }
        let got = env.ok(no_hang(connections.get(&created.id)).await);
        assert_eq!(got, created);
        // The raw answers carry no secret either (Env::raw checks every body).
        env.raw_get(&format!("/data-connections/{}", created.id))
            .await
            .expect(200);

        let update = UpdateDataConnectionRequest {
            description: Some("edited".to_owned()),
            connection_details: Some(case.edit),
            ..UpdateDataConnectionRequest::default()
        };
        env.assert_clean("an update request's Debug", &format!("{update:?}"));
        let updated = env.ok(no_hang(connections.update(&created.id, &update)).await);
        assert_eq!(
            env.sandbox.requests().last().unwrap().status,
            201,
            "EditDataConnection answers 201"
        );
        assert_eq!(updated.description.as_deref(), Some("edited"));
        assert_eq!(
            details_json(&env, &updated),
            case.shown_after_edit,
            "{kind} as edited"
        );
        for (field, value) in &case.edited_secrets {
            assert_eq!(
                env.sandbox.connection_secret(&created.id, field).as_deref(),
                Some(value.as_str()),
                "{kind}.{field} after the edit"
            );
        }
        assert_eq!(env.ok(no_hang(connections.get(&created.id)).await), updated);
    }
    // Every connection, seeded and new, in one walk; no answer or log entry holds a secret.
    let walker = connections.pages(
        ListDataConnectionsParams::default(),
        PageCaps::default().page_size(3),
    );
    let all = env.ok(no_hang(walker.collect_items()).await).items;
    assert_eq!(all.len(), env.sandbox.state().connection_ids().len());
    assert!(all.iter().all(|c| {
        c.connection_details
            .as_ref()
            .and_then(|d| d.kind())
            .is_some()
    }));
    env.raw_get("/data-connections?limit=100").await.expect(200);
    env.assert_clean(
        "the sandbox's request log",
        &format!("{:?}", env.sandbox.requests()),
    );
}

#[tokio::test]
async fn list_connections_sorted_by_name_and_creation_both_ways() {
    let env = Env::start().await;
    for sort_by in ConnectionSortBy::KNOWN {
        for direction in SortDirection::KNOWN {
            let params = ListDataConnectionsParams {
                sort_by: Some(sort_by.clone()),
                sort_direction: Some(direction.clone()),
                ..ListDataConnectionsParams::default()
            };
            let walker = env
                .client
                .connections()
                .pages(params, PageCaps::default().page_size(1));
            let all = env.ok(no_hang(walker.collect_items()).await).items;
            let asc = *direction == SortDirection::Asc;
            let ids: Vec<String> = all.iter().map(|c| c.id.clone()).collect();
            let expected = env.sandbox.state().connection_ids();
            match sort_by {
                ConnectionSortBy::Name => {
                    let names: Vec<String> = all.iter().map(|c| c.name.to_lowercase()).collect();
                    assert!(sorted(&names, asc), "{names:?}");
                }
                _ => {
                    // Seeded in creation order.
                    let mut expected = expected.clone();
                    if !asc {
                        expected.reverse();
                    }
                    assert_eq!(ids, expected);
                }
            }
        }
    }
}

#[tokio::test]
async fn connection_sharing_and_settings_round_trip() {
    let env = Env::start().await;
    let group_id = env.sandbox.state().group_ids()[2].clone();
    let password = "S3CRET-pg-sharing-11";
    env.secret(password);
    let mut request = CreateDataConnectionRequest::new(
        "shared pg",
        NewConnectionDetails::Postgres(NewPostgres {
            hostname: "h".into(),
            port: 5432,
            database: "d".into(),
            username: "u".into(),
            password: Secret::new(password),
        }),
    );
    request.schema_refresh_access = Some(SchemaRefreshAccess::UsersWithQueryAccess);
    request.connect_via_ssh = Some(true);
    request.allow_writeback_cells = Some(true);
    request.schema_filters = Some(SchemaFilters {
        schemas: Some(SchemaEntityFilter {
            exclude: Some(FilterRule {
                values: vec!["tmp_".into()],
                match_type: SchemaFilterMatchType::Prefix,
                extra: Default::default(),
            }),
            ..SchemaEntityFilter::default()
        }),
        ..SchemaFilters::default()
    });
    request.sharing = Some(NewConnectionSharing {
        workspace: Some(ConnectionWorkspaceSharing {
            members: Some(ConnectionAccess::Query),
            guests: Some(ConnectionAccess::ViewResults),
            public: Some(ConnectionAccess::ViewResults),
            ..ConnectionWorkspaceSharing::default()
        }),
        groups: Some(vec![ConnectionGroupGrant::new(
            &group_id,
            ConnectionAccess::ViewResults,
        )]),
    });
    request.schema_refresh_schedule = Some(SchemaRefreshSchedule {
        cadence: hex_client::api::projects::ScheduleCadence::Daily,
        enabled: true,
        daily: Some(RefreshTime {
            timezone_string: Some("UTC".into()),
            hour: Some(4),
            minute: Some(30),
            ..RefreshTime::default()
        }),
        weekly: None,
        monthly: None,
        custom: None,
        extra: Default::default(),
    });
    let created = env.ok(no_hang(env.client.connections().create(&request)).await);
    assert_eq!(
        created.schema_refresh_access,
        Some(SchemaRefreshAccess::UsersWithQueryAccess)
    );
    assert_eq!(
        created.schema_refresh_schedule,
        request.schema_refresh_schedule
    );
    assert_eq!(created.connect_via_ssh, Some(true));
    assert_eq!(created.allow_writeback_cells, Some(true));
    assert_eq!(created.schema_filters, request.schema_filters);
    let sharing = created.sharing.clone().unwrap();
    let workspace = sharing.workspace.unwrap();
    assert_eq!(workspace.members, Some(ConnectionAccess::Query));
    assert_eq!(workspace.guests, Some(ConnectionAccess::ViewResults));
    assert_eq!(workspace.public, Some(ConnectionAccess::ViewResults));
    let groups = sharing.groups.unwrap();
    assert_eq!(groups[0].group.id, group_id);
    assert!(groups[0].group.name.is_some());
    assert_eq!(groups[0].access, ConnectionAccess::ViewResults);

    // Edit: groups are wrapped in `upsert`; a null schedule clears it.
    let update = UpdateDataConnectionRequest {
        schema_refresh_schedule: Some(None),
        sharing: Some(ConnectionSharingUpdate {
            groups: Some(ConnectionGroupsUpsert {
                upsert: vec![ConnectionGroupGrant::new(
                    &group_id,
                    ConnectionAccess::NoAccess,
                )],
            }),
            ..ConnectionSharingUpdate::default()
        }),
        ..UpdateDataConnectionRequest::default()
    };
    let updated = env.ok(no_hang(env.client.connections().update(&created.id, &update)).await);
    assert_eq!(updated.schema_refresh_schedule, None);
    assert!(
        updated
            .sharing
            .unwrap()
            .groups
            .unwrap_or_default()
            .is_empty()
    );
    let logged = env.sandbox.requests().last().unwrap().body.clone().unwrap();
    assert!(logged["sharing"]["groups"]["upsert"].is_array(), "{logged}");
    assert_eq!(logged["schemaRefreshSchedule"], Value::Null);
}
