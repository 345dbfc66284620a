//! `connection_details`: `{"<type>": {fields}}`, checked against the type's fields before anything
//! is sent, with errors that name the field (`connection_details.postgres.password`).
//!
//! The schema keeps it a plain object and lists the fields in its description (one table below
//! drives the description, the checks and the list of secret fields), because a `oneOf` of seven
//! typed variants would cost a model far more context than it saves.

use hex_client::{
    Secret,
    api::connections::{
        AthenaUpdate, BigQueryUpdate, ConnectionDetailsUpdate, DatabricksUpdate, NewAthena,
        NewBigQuery, NewConnectionDetails, NewDatabricks, NewPostgres, NewRedshift, NewSnowflake,
        NewTrino, PostgresUpdate, RedshiftUpdate, SessionProperty, SnowflakeUpdate, TrinoUpdate,
    },
};
use serde_json::{Map, Value};

use super::{ConnectionType, secrets};
use crate::{errors::ToolError, files::AllowedPaths};

/// The parameter's name, the root of every field path.
const PARAM: &str = "connection_details";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Port,
    Flag,
    Secret,
    /// Trino's `[{key, value}]`.
    Properties,
}

struct Field {
    name: &'static str,
    kind: Kind,
    /// Required when creating.
    required: bool,
}

const fn req(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: true,
    }
}

const fn opt(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: false,
    }
}

use Kind::{Flag, Port, Properties, Secret as Key, Text};

/// Hex's CreateConnectionDetails fields per type (Edit takes the same, all optional).
fn fields(kind: ConnectionType) -> &'static [Field] {
    const ATHENA: &[Field] = &[
        req("hostname", Text),
        req("port", Port),
        req("s3OutputPath", Text),
        req("accessKeyId", Text),
        req("secretAccessKey", Key),
        opt("catalog", Text),
        opt("workgroup", Text),
    ];
    const BIGQUERY: &[Field] = &[
        req("projectId", Text),
        req("serviceAccountJsonConfig", Key),
        opt("enableStorageApi", Flag),
        opt("enableDriveAccess", Flag),
    ];
    const DATABRICKS: &[Field] = &[req("jdbcUrl", Text), req("accessToken", Key)];
    const POSTGRES: &[Field] = &[
        req("hostname", Text),
        req("port", Port),
        req("database", Text),
        req("username", Text),
        req("password", Key),
    ];
    const REDSHIFT: &[Field] = &[
        req("host", Text),
        req("port", Port),
        req("database", Text),
        req("username", Text),
        req("password", Key),
        opt("sslRootCert", Key),
    ];
    const SNOWFLAKE: &[Field] = &[
        req("accountName", Text),
        req("warehouse", Text),
        req("database", Text),
        req("username", Text),
        req("privateKey", Key),
        req("passphrase", Key),
        opt("schema", Text),
        opt("role", Text),
    ];
    const TRINO: &[Field] = &[
        req("hostname", Text),
        req("port", Port),
        req("username", Text),
        opt("password", Key),
        opt("catalog", Text),
        opt("schema", Text),
        opt("sessionProperties", Properties),
    ];
    match kind {
        ConnectionType::Athena => ATHENA,
        ConnectionType::BigQuery => BIGQUERY,
        ConnectionType::Databricks => DATABRICKS,
        ConnectionType::Postgres => POSTGRES,
        ConnectionType::Redshift => REDSHIFT,
        ConnectionType::Snowflake => SNOWFLAKE,
        ConnectionType::Trino => TRINO,
    }
}

/// The fields of every type, compactly: `postgres: hostname port database username password†`,
/// optional ones in brackets, secrets marked †.
pub fn field_list() -> String {
    let name = |field: &Field| {
        let mut text = field.name.to_string();
        if field.kind == Key {
            text.push('†');
        }
        text
    };
    ConnectionType::ALL
        .iter()
        .map(|kind| {
            let (required, optional): (Vec<&Field>, Vec<&Field>) =
                fields(*kind).iter().partition(|field| field.required);
            let mut text = format!(
                "{}: {}",
                kind.as_str(),
                required.into_iter().map(name).collect::<Vec<_>>().join(" ")
            );
            if !optional.is_empty() {
                let optional: Vec<String> = optional.into_iter().map(name).collect();
                text.push_str(&format!(" [{}]", optional.join(" ")));
            }
            text
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Names the Python hex-mcp's examples (or habit) use where Hex has the same field under
/// another name: sent under Hex's name, with a notice in the result.
const ALIASES: &[(ConnectionType, &str, &str)] = &[
    (ConnectionType::Snowflake, "account", "accountName"),
    (ConnectionType::Postgres, "host", "hostname"),
    (ConnectionType::Athena, "host", "hostname"),
    (ConnectionType::Trino, "host", "hostname"),
    (ConnectionType::Redshift, "hostname", "host"),
    (ConnectionType::Postgres, "user", "username"),
    (ConnectionType::Redshift, "user", "username"),
    (ConnectionType::Snowflake, "user", "username"),
    (ConnectionType::Trino, "user", "username"),
];

/// Settings Hex's API cannot express for a type: refused with what Hex takes instead, never
/// dropped silently.
const UNSUPPORTED: &[(ConnectionType, &str, &str)] = &[
    (
        ConnectionType::Snowflake,
        "password",
        "Hex's API connects to Snowflake with a key pair, not a password: give privateKey (the PEM private key of the Snowflake user) and passphrase instead",
    ),
    (
        ConnectionType::Postgres,
        "ssl",
        "Hex's API has no SSL setting for postgres connections (its fields are hostname, port, database, username, password): remove `ssl`, and set SSL in Hex's UI if the database needs it",
    ),
    (
        ConnectionType::Postgres,
        "sslmode",
        "Hex's API has no SSL setting for postgres connections (its fields are hostname, port, database, username, password): remove it, and set SSL in Hex's UI if the database needs it",
    ),
    (
        ConnectionType::Redshift,
        "ssl",
        "Hex's API has no SSL switch for redshift connections; it takes sslRootCert (the CA certificate) instead",
    ),
];

/// Field names compared as a model may write them: any case, with or without `_`.
fn same_name(given: &str, canonical: &str) -> bool {
    let normal = |text: &str| -> String {
        text.chars()
            .filter(|c| *c != '_' && *c != '-')
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    normal(given) == normal(canonical)
}

/// The single `{"<type>": {...}}` entry: its type and fields.
fn entry(details: &Map<String, Value>) -> Result<(ConnectionType, &Map<String, Value>), ToolError> {
    let types: Vec<&str> = ConnectionType::ALL
        .iter()
        .map(|kind| kind.as_str())
        .collect();
    let shape = || {
        format!(
            "must be one type's fields under its name, e.g. {{\"postgres\": {{\"hostname\": …}}}}; types: {}",
            types.join(", ")
        )
    };
    let mut entries = details.iter();
    let (Some((key, value)), None) = (entries.next(), entries.next()) else {
        return Err(ToolError::input(PARAM, shape()));
    };
    let Some(kind) = ConnectionType::ALL
        .iter()
        .copied()
        .find(|kind| kind.as_str().eq_ignore_ascii_case(key.trim()))
    else {
        let problem = if key.eq_ignore_ascii_case("clickhouse") {
            "clickhouse connections cannot be created or edited through Hex's API".to_string()
        } else {
            format!(
                "`{}` is not a connection type; {}",
                crate::input::excerpt(key),
                shape()
            )
        };
        return Err(ToolError::input(PARAM, problem));
    };
    let Value::Object(fields) = value else {
        return Err(ToolError::input(
            format!("{PARAM}.{}", kind.as_str()),
            "must be an object of the connection's fields",
        ));
    };
    Ok((kind, fields))
}

/// The checked fields of one type, by canonical name. Nulls count as absent.
pub struct Details<'a> {
    kind: ConnectionType,
    given: Vec<(&'static Field, &'a Value)>,
    /// Names that were mapped to Hex's, said in the result.
    pub notices: Vec<String>,
}

impl<'a> Details<'a> {
    /// Checks that every given field belongs to the type (and, when creating, that the required
    /// ones are there) without looking at secret values.
    pub fn read(details: &'a Map<String, Value>, creating: bool) -> Result<Details<'a>, ToolError> {
        let (kind, object) = entry(details)?;
        let known = fields(kind);
        let mut given: Vec<(&'static Field, &'a Value)> = Vec::new();
        let mut notices = Vec::new();
        for (name, value) in object {
            let path = || format!("{PARAM}.{}.{}", kind.as_str(), crate::input::excerpt(name));
            if let Some((_, _, why)) = UNSUPPORTED
                .iter()
                .find(|(of, field, _)| *of == kind && same_name(name, field))
            {
                return Err(ToolError::input(path(), *why));
            }
            let canonical = ALIASES
                .iter()
                .find(|(of, alias, _)| *of == kind && same_name(name, alias))
                .map(|(_, _, canonical)| *canonical);
            if let Some(canonical) = canonical {
                notices.push(format!(
                    "{} was sent as {canonical}, Hex's name for it",
                    path()
                ));
            }
            let wanted = canonical.unwrap_or(name);
            let Some(field) = known.iter().find(|field| same_name(wanted, field.name)) else {
                let names: Vec<&str> = known.iter().map(|field| field.name).collect();
                return Err(ToolError::input(
                    format!("{PARAM}.{}.{}", kind.as_str(), crate::input::excerpt(name)),
                    format!(
                        "not a field of a {} connection; its fields are {}",
                        kind.as_str(),
                        names.join(", ")
                    ),
                ));
            };
            if given.iter().any(|(seen, _)| seen.name == field.name) {
                return Err(ToolError::input(
                    format!("{PARAM}.{}.{}", kind.as_str(), field.name),
                    "given twice (in two spellings)",
                ));
            }
            if !value.is_null() {
                given.push((field, value));
            }
        }
        let details = Details {
            kind,
            given,
            notices,
        };
        if creating {
            if let Some(missing) = known
                .iter()
                .find(|field| field.required && details.value(field.name).is_none())
            {
                return Err(ToolError::input(
                    details.path(missing.name),
                    format!("is required for a {} connection", kind.as_str()),
                ));
            }
        } else if details.given.is_empty() {
            return Err(ToolError::input(
                format!("{PARAM}.{}", kind.as_str()),
                "give at least one field to change",
            ));
        }
        Ok(details)
    }

    pub fn kind(&self) -> ConnectionType {
        self.kind
    }

    /// The secret fields given (their names only), e.g. `["password"]`.
    pub fn secret_fields(&self) -> Vec<&'static str> {
        self.given
            .iter()
            .filter(|(field, _)| field.kind == Key)
            .map(|(field, _)| field.name)
            .collect()
    }

    fn path(&self, name: &str) -> String {
        format!("{PARAM}.{}.{name}", self.kind.as_str())
    }

    fn value(&self, name: &str) -> Option<&'a Value> {
        self.given
            .iter()
            .find(|(field, _)| field.name == name)
            .map(|(_, value)| *value)
    }

    fn text(&self, name: &str) -> Result<Option<String>, ToolError> {
        match self.value(name) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(_) => Err(ToolError::input(self.path(name), "must be a string")),
        }
    }

    fn port(&self, name: &str) -> Result<Option<u16>, ToolError> {
        let value = match self.value(name) {
            None => return Ok(None),
            Some(Value::Number(number)) => number.as_u64(),
            // Models often quote numbers; a port is unambiguous either way.
            Some(Value::String(text)) => text.trim().parse::<u64>().ok(),
            Some(_) => None,
        };
        match value.and_then(|port| u16::try_from(port).ok()) {
            Some(port) if port > 0 => Ok(Some(port)),
            _ => Err(ToolError::input(
                self.path(name),
                "must be a port number, 1-65535",
            )),
        }
    }

    fn flag(&self, name: &str) -> Result<Option<bool>, ToolError> {
        match self.value(name) {
            None => Ok(None),
            Some(Value::Bool(flag)) => Ok(Some(*flag)),
            Some(_) => Err(ToolError::input(self.path(name), "must be true or false")),
        }
    }

    fn secret(&self, name: &str, files: &AllowedPaths) -> Result<Option<Secret>, ToolError> {
        self.value(name)
            .map(|value| secrets::resolve(&self.path(name), value, files))
            .transpose()
    }

    fn properties(&self, name: &str) -> Result<Option<Vec<SessionProperty>>, ToolError> {
        let Some(value) = self.value(name) else {
            return Ok(None);
        };
        serde_json::from_value(value.clone())
            .map(Some)
            .map_err(|_| {
                ToolError::input(
                    self.path(name),
                    "must be a list of {\"key\": \"…\", \"value\": \"…\"} strings",
                )
            })
    }

    /// A field `read` proved present.
    fn need<T>(&self, name: &str, value: Option<T>) -> Result<T, ToolError> {
        value.ok_or_else(|| {
            ToolError::input(
                self.path(name),
                format!("is required for a {} connection", self.kind.as_str()),
            )
        })
    }

    fn need_text(&self, name: &str) -> Result<String, ToolError> {
        self.need(name, self.text(name)?)
    }

    fn need_port(&self, name: &str) -> Result<u16, ToolError> {
        self.need(name, self.port(name)?)
    }

    fn need_secret(&self, name: &str, files: &AllowedPaths) -> Result<Secret, ToolError> {
        self.need(name, self.secret(name, files)?)
    }

    /// CreateConnectionDetails, with secrets resolved (files only under `files`).
    pub fn new_details(&self, files: &AllowedPaths) -> Result<NewConnectionDetails, ToolError> {
        Ok(match self.kind {
            ConnectionType::Athena => NewConnectionDetails::Athena(NewAthena {
                hostname: self.need_text("hostname")?,
                port: self.need_port("port")?,
                s3_output_path: self.need_text("s3OutputPath")?,
                access_key_id: self.need_text("accessKeyId")?,
                secret_access_key: self.need_secret("secretAccessKey", files)?,
                catalog: self.text("catalog")?,
                workgroup: self.text("workgroup")?,
            }),
            ConnectionType::BigQuery => NewConnectionDetails::BigQuery(NewBigQuery {
                project_id: self.need_text("projectId")?,
                service_account_json_config: self.need_secret("serviceAccountJsonConfig", files)?,
                enable_storage_api: self.flag("enableStorageApi")?,
                enable_drive_access: self.flag("enableDriveAccess")?,
            }),
            ConnectionType::Databricks => NewConnectionDetails::Databricks(NewDatabricks {
                jdbc_url: self.need_text("jdbcUrl")?,
                access_token: self.need_secret("accessToken", files)?,
            }),
            ConnectionType::Postgres => NewConnectionDetails::Postgres(NewPostgres {
                hostname: self.need_text("hostname")?,
                port: self.need_port("port")?,
                database: self.need_text("database")?,
                username: self.need_text("username")?,
                password: self.need_secret("password", files)?,
            }),
            ConnectionType::Redshift => NewConnectionDetails::Redshift(NewRedshift {
                host: self.need_text("host")?,
                port: self.need_port("port")?,
                database: self.need_text("database")?,
                username: self.need_text("username")?,
                password: self.need_secret("password", files)?,
                ssl_root_cert: self.secret("sslRootCert", files)?,
            }),
            ConnectionType::Snowflake => NewConnectionDetails::Snowflake(NewSnowflake {
                account_name: self.need_text("accountName")?,
                warehouse: self.need_text("warehouse")?,
                database: self.need_text("database")?,
                username: self.need_text("username")?,
                private_key: self.need_secret("privateKey", files)?,
                passphrase: self.need_secret("passphrase", files)?,
                schema: self.text("schema")?,
                role: self.text("role")?,
            }),
            ConnectionType::Trino => NewConnectionDetails::Trino(NewTrino {
                hostname: self.need_text("hostname")?,
                port: self.need_port("port")?,
                username: self.need_text("username")?,
                password: self.secret("password", files)?,
                catalog: self.text("catalog")?,
                schema: self.text("schema")?,
                session_properties: self.properties("sessionProperties")?,
            }),
        })
    }

    /// EditConnectionDetails (only the fields given), with secrets resolved (files only under
    /// `files`).
    pub fn changes(&self, files: &AllowedPaths) -> Result<ConnectionDetailsUpdate, ToolError> {
        Ok(match self.kind {
            ConnectionType::Athena => ConnectionDetailsUpdate::Athena(AthenaUpdate {
                hostname: self.text("hostname")?,
                port: self.port("port")?,
                s3_output_path: self.text("s3OutputPath")?,
                access_key_id: self.text("accessKeyId")?,
                secret_access_key: self.secret("secretAccessKey", files)?,
                catalog: self.text("catalog")?,
                workgroup: self.text("workgroup")?,
            }),
            ConnectionType::BigQuery => ConnectionDetailsUpdate::BigQuery(BigQueryUpdate {
                project_id: self.text("projectId")?,
                service_account_json_config: self.secret("serviceAccountJsonConfig", files)?,
                enable_storage_api: self.flag("enableStorageApi")?,
                enable_drive_access: self.flag("enableDriveAccess")?,
            }),
            ConnectionType::Databricks => ConnectionDetailsUpdate::Databricks(DatabricksUpdate {
                jdbc_url: self.text("jdbcUrl")?,
                access_token: self.secret("accessToken", files)?,
            }),
            ConnectionType::Postgres => ConnectionDetailsUpdate::Postgres(PostgresUpdate {
                hostname: self.text("hostname")?,
                port: self.port("port")?,
                database: self.text("database")?,
                username: self.text("username")?,
                password: self.secret("password", files)?,
            }),
            ConnectionType::Redshift => ConnectionDetailsUpdate::Redshift(RedshiftUpdate {
                host: self.text("host")?,
                port: self.port("port")?,
                database: self.text("database")?,
                username: self.text("username")?,
                password: self.secret("password", files)?,
                ssl_root_cert: self.secret("sslRootCert", files)?,
            }),
            ConnectionType::Snowflake => ConnectionDetailsUpdate::Snowflake(SnowflakeUpdate {
                account_name: self.text("accountName")?,
                warehouse: self.text("warehouse")?,
                database: self.text("database")?,
                username: self.text("username")?,
                private_key: self.secret("privateKey", files)?,
                passphrase: self.secret("passphrase", files)?,
                schema: self.text("schema")?,
                role: self.text("role")?,
            }),
            ConnectionType::Trino => ConnectionDetailsUpdate::Trino(TrinoUpdate {
                hostname: self.text("hostname")?,
                port: self.port("port")?,
                username: self.text("username")?,
                password: self.secret("password", files)?,
                catalog: self.text("catalog")?,
                schema: self.text("schema")?,
                session_properties: self.properties("sessionProperties")?,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A value of the right JSON type for each field.
    fn sample(kind: Kind) -> Value {
        match kind {
            Text | Key => json!("x"),
            Port => json!(5432),
            Flag => json!(true),
            Properties => json!([{"key": "k", "value": "v"}]),
        }
    }

    fn details(kind: ConnectionType, fields: &[&Field]) -> Map<String, Value> {
        let object: Map<String, Value> = fields
            .iter()
            .map(|field| (field.name.to_string(), sample(field.kind)))
            .collect();
        let mut map = Map::new();
        map.insert(kind.as_str().into(), Value::Object(object));
        map
    }

    /// The table and the builders agree: the required fields suffice, each one is needed, and
    /// every field reaches the request.
    #[test]
    fn the_table_and_the_builders_agree_for_every_type() {
        for kind in ConnectionType::ALL.iter().copied() {
            let required: Vec<&Field> = fields(kind).iter().filter(|f| f.required).collect();
            let map = details(kind, &required);
            let built = Details::read(&map, true)
                .unwrap()
                .new_details(&AllowedPaths::none())
                .unwrap();
            assert_eq!(built.kind().to_string(), kind.as_str());
            for left_out in &required {
                let fewer: Vec<&Field> = required
                    .iter()
                    .copied()
                    .filter(|f| f.name != left_out.name)
                    .collect();
                let error = Details::read(&details(kind, &fewer), true)
                    .err()
                    .unwrap()
                    .to_string();
                let path = format!("connection_details.{}.{}", kind.as_str(), left_out.name);
                assert!(error.contains(&path), "{error}");
            }
            let all: Vec<&Field> = fields(kind).iter().collect();
            let map = details(kind, &all);
            let parsed = Details::read(&map, false).unwrap();
            let sent =
                serde_json::to_value(parsed.changes(&AllowedPaths::none()).unwrap()).unwrap();
            let sent = sent[kind.as_str()].as_object().unwrap().len();
            assert_eq!(sent, all.len(), "{}", kind.as_str());
        }
    }

    #[test]
    fn unknown_and_mistyped_fields_are_named() {
        let map = json!({"snowflake": {"colour": "a"}});
        let error = Details::read(map.as_object().unwrap(), false)
            .err()
            .unwrap()
            .to_string();
        assert!(
            error.contains("connection_details.snowflake.colour"),
            "{error}"
        );
        assert!(error.contains("accountName"), "{error}");

        let map = json!({"postgres": {"hostname": "h", "port": "big", "database": "d", "username": "u", "password": "p"}});
        let parsed = Details::read(map.as_object().unwrap(), true).unwrap();
        let error = parsed
            .new_details(&AllowedPaths::none())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("connection_details.postgres.port"),
            "{error}"
        );

        let map = json!({"clickhouse": {}});
        let error = Details::read(map.as_object().unwrap(), false)
            .err()
            .unwrap()
            .to_string();
        assert!(error.contains("clickhouse"), "{error}");
    }

    #[test]
    fn seed_names_are_mapped_with_a_notice_and_what_hex_cannot_do_is_refused() {
        let map = json!({"snowflake": {"account": "acme", "user": "svc"}});
        let parsed = Details::read(map.as_object().unwrap(), false).unwrap();
        assert_eq!(parsed.notices.len(), 2, "{:?}", parsed.notices);
        assert!(parsed.notices[0].contains("account") && parsed.notices[0].contains("accountName"));
        let body = serde_json::to_value(parsed.changes(&AllowedPaths::none()).unwrap()).unwrap();
        assert_eq!(body["snowflake"]["accountName"], "acme");
        assert_eq!(body["snowflake"]["username"], "svc");

        for (map, field, hint) in [
            (
                json!({"snowflake": {"password": "pw"}}),
                "connection_details.snowflake.password",
                "privateKey",
            ),
            (
                json!({"postgres": {"ssl": true}}),
                "connection_details.postgres.ssl",
                "SSL",
            ),
            (
                json!({"redshift": {"ssl": true}}),
                "connection_details.redshift.ssl",
                "sslRootCert",
            ),
        ] {
            let error = Details::read(map.as_object().unwrap(), false)
                .err()
                .unwrap()
                .to_string();
            assert!(error.contains(field) && error.contains(hint), "{error}");
            assert!(!error.contains("pw\""), "{error}");
        }
    }

    #[test]
    fn snake_case_and_quoted_ports_are_understood() {
        let map = json!({"redshift": {"host": "h", "port": "5439", "database": "d", "username": "u", "password": "p", "ssl_root_cert": "c"}});
        let parsed = Details::read(map.as_object().unwrap(), true).unwrap();
        assert_eq!(parsed.secret_fields(), vec!["password", "sslRootCert"]);
        let body =
            serde_json::to_value(parsed.new_details(&AllowedPaths::none()).unwrap()).unwrap();
        assert_eq!(body["redshift"]["port"], 5439);
        // Outside a request body the client's Secret serialises redacted.
        assert_eq!(body["redshift"]["password"], hex_client::REDACTED);
    }
}
