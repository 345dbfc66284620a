//! `connectionDetails.<type>`: the fields of each connection type, which are required, which are
//! secrets, and what a read shows.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::errors::{ApiError, ApiResult};
use crate::state::{Connection, ConnectionType, Secret};

/// The JSON type a connection-details field must have.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    NullableText,
    Number,
    Bool,
    SessionProperties,
}

impl Kind {
    fn accepts(self, value: &Value) -> bool {
        match self {
            Kind::Text => value.is_string(),
            Kind::NullableText => value.is_string() || value.is_null(),
            Kind::Number => value.is_number(),
            Kind::Bool => value.is_boolean(),
            Kind::SessionProperties => {
                value.is_null()
                    || value.as_array().is_some_and(|items| {
                        items.iter().all(|item| {
                            item.get("key").is_some_and(Value::is_string)
                                && item.get("value").is_some_and(Value::is_string)
                        })
                    })
            }
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::Text => "a string",
            Kind::NullableText => "a string or null",
            Kind::Number => "a number",
            Kind::Bool => "a boolean",
            Kind::SessionProperties => "an array of {key, value} strings, or null",
        }
    }
}

/// One field of `connectionDetails.<type>`.
struct Field {
    name: &'static str,
    kind: Kind,
    required: bool,
    secret: bool,
}

const fn field(name: &'static str, kind: Kind, required: bool, secret: bool) -> Field {
    Field {
        name,
        kind,
        required,
        secret,
    }
}

use Kind::{Bool, NullableText, Number, SessionProperties, Text};

/// The fields of each type, as Hex's CreateConnectionDetails / ReadableConnectionDetails define them.
fn fields(kind: ConnectionType) -> &'static [Field] {
    const ATHENA: &[Field] = &[
        field("hostname", Text, true, false),
        field("port", Number, true, false),
        field("s3OutputPath", Text, true, false),
        field("accessKeyId", Text, true, false),
        field("secretAccessKey", Text, true, true),
        field("catalog", NullableText, false, false),
        field("workgroup", NullableText, false, false),
    ];
    const BIGQUERY: &[Field] = &[
        field("projectId", Text, true, false),
        field("serviceAccountJsonConfig", Text, true, true),
        field("enableStorageApi", Bool, false, false),
        field("enableDriveAccess", Bool, false, false),
    ];
    const CLICKHOUSE: &[Field] = &[
        field("hostname", Text, false, false),
        field("port", Number, false, false),
        field("username", Text, false, false),
    ];
    const DATABRICKS: &[Field] = &[
        field("jdbcUrl", Text, true, false),
        field("accessToken", Text, true, true),
    ];
    const POSTGRES: &[Field] = &[
        field("hostname", Text, true, false),
        field("port", Number, true, false),
        field("database", Text, true, false),
        field("username", Text, true, false),
        field("password", Text, true, true),
    ];
    const REDSHIFT: &[Field] = &[
        field("host", Text, true, false),
        field("port", Number, true, false),
        field("database", Text, true, false),
        field("username", Text, true, false),
        field("password", Text, true, true),
        field("sslRootCert", NullableText, false, true),
    ];
    const SNOWFLAKE: &[Field] = &[
        field("accountName", Text, true, false),
        field("warehouse", Text, true, false),
        field("database", Text, true, false),
        field("username", Text, true, false),
        field("privateKey", Text, true, true),
        field("passphrase", Text, true, true),
        field("schema", NullableText, false, false),
        field("role", NullableText, false, false),
    ];
    const TRINO: &[Field] = &[
        field("hostname", Text, true, false),
        field("port", Number, true, false),
        field("username", Text, true, false),
        field("password", Text, false, true),
        field("catalog", Text, false, false),
        field("schema", Text, false, false),
        field("sessionProperties", SessionProperties, false, false),
    ];
    match kind {
        ConnectionType::Athena => ATHENA,
        ConnectionType::Bigquery => BIGQUERY,
        ConnectionType::Clickhouse => CLICKHOUSE,
        ConnectionType::Databricks => DATABRICKS,
        ConnectionType::Postgres => POSTGRES,
        ConnectionType::Redshift => REDSHIFT,
        ConnectionType::Snowflake => SNOWFLAKE,
        ConnectionType::Trino => TRINO,
    }
}

/// Validates `connectionDetails.<type>` and splits it into read fields and secrets. With
/// `creating`, every required field must be present.
pub(crate) fn split_details(
    kind: ConnectionType,
    details: &Map<String, Value>,
    creating: bool,
) -> ApiResult<(Map<String, Value>, BTreeMap<String, Secret>)> {
    let mut read = Map::new();
    let mut secrets = BTreeMap::new();
    for f in fields(kind) {
        let path = format!("connectionDetails.{}.{}", kind.as_str(), f.name);
        match details.get(f.name) {
            None if creating && f.required => {
                return Err(ApiError::bad_request(format!(
                    "Invalid request body: `{path}` is required for a {} connection",
                    kind.as_str()
                )));
            }
            None => {}
            Some(value) if !f.kind.accepts(value) => {
                return Err(ApiError::bad_request(format!(
                    "Invalid request body: `{path}` must be {}",
                    f.kind.describe()
                )));
            }
            Some(Value::String(text)) if f.secret => {
                secrets.insert(f.name.to_owned(), Secret(text.clone()));
            }
            Some(_) if f.secret => {}
            Some(value) => {
                read.insert(f.name.to_owned(), value.clone());
            }
        }
    }
    Ok((read, secrets))
}

/// The single `connectionDetails` entry, which must be named after the type.
pub(super) fn details_for(
    kind: ConnectionType,
    details: &Map<String, Value>,
) -> ApiResult<&Map<String, Value>> {
    if kind == ConnectionType::Clickhouse {
        return Err(ApiError::bad_request(
            "clickhouse connections cannot be created or edited through the API",
        ));
    }
    let mut keys = details.keys();
    match (keys.next(), keys.next()) {
        (Some(key), None) if key == kind.as_str() => {
            details.get(key).and_then(Value::as_object).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "Invalid request body: `connectionDetails.{key}` must be an object"
                ))
            })
        }
        _ => Err(ApiError::bad_request(format!(
            "Invalid request body: `connectionDetails` must have exactly one key, `{}`",
            kind.as_str()
        ))),
    }
}

/// Exactly the type's read fields: stored values, `null` for unset nullable ones, `false` for
/// unset flags.
pub(super) fn read_fields(c: &Connection) -> Value {
    let mut out = Map::new();
    for f in fields(c.kind).iter().filter(|f| !f.secret) {
        let value = match (c.details.get(f.name), f.kind) {
            (Some(value), _) => value.clone(),
            (None, Kind::NullableText) => Value::Null,
            (None, Kind::Bool) => Value::Bool(false),
            (None, _) => continue,
        };
        out.insert(f.name.to_owned(), value);
    }
    Value::Object(out)
}
