//! `connectionDetails` as Hex returns them: one key named after the type, never any secret.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::connections::DataConnectionType;
use crate::wire::{Extra, lenient_number};

/// Details as Hex returns them (`ReadableConnectionDetails`): never any secret.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnectionDetails {
    /// Amazon Athena.
    Athena(AthenaInfo),
    /// Google BigQuery.
    BigQuery(BigQueryInfo),
    /// ClickHouse (readable only).
    ClickHouse(ClickHouseInfo),
    /// Databricks.
    Databricks(DatabricksInfo),
    /// PostgreSQL.
    Postgres(PostgresInfo),
    /// Amazon Redshift.
    Redshift(RedshiftInfo),
    /// Snowflake.
    Snowflake(SnowflakeInfo),
    /// Trino.
    Trino(TrinoInfo),
    /// A type this client does not know, or a shape it cannot read: the object as sent.
    Other(Extra),
}

/// Declares a read struct: every field optional (`None` skipped when serialised), unknown fields kept.
macro_rules! info_struct {
    ($(#[$meta:meta])* $name:ident { $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            $( $(#[$fmeta])* #[serde(default, skip_serializing_if = "Option::is_none")] pub $field: Option<$ty>, )+
            /// Fields this client does not know.
            #[serde(flatten)]
            pub extra: Extra,
        }
    };
}

info_struct! {
    /// Athena details.
    AthenaInfo {
        /// Host.
        hostname: String,
        /// Port: any JSON number, as Hex types it `number` (kept as sent; see `lenient_number`).
        #[serde(deserialize_with = "lenient_number")]
        port: serde_json::Number,
        /// S3 path for query results.
        s3_output_path: String,
        /// Catalog.
        catalog: String,
        /// Workgroup.
        workgroup: String,
        /// AWS access key id.
        access_key_id: String,
    }
}

info_struct! {
    /// BigQuery details.
    BigQueryInfo {
        /// GCP project id.
        project_id: String,
        /// Storage API enabled.
        enable_storage_api: bool,
        /// Drive access enabled.
        enable_drive_access: bool,
    }
}

info_struct! {
    /// ClickHouse details.
    ClickHouseInfo {
        /// Host.
        hostname: String,
        /// Port: any JSON number, as Hex types it `number` (kept as sent; see `lenient_number`).
        #[serde(deserialize_with = "lenient_number")]
        port: serde_json::Number,
        /// User.
        username: String,
    }
}

info_struct! {
    /// Databricks details.
    DatabricksInfo {
        /// JDBC URL.
        jdbc_url: String,
    }
}

info_struct! {
    /// PostgreSQL details.
    PostgresInfo {
        /// Host.
        hostname: String,
        /// Port: any JSON number, as Hex types it `number` (kept as sent; see `lenient_number`).
        #[serde(deserialize_with = "lenient_number")]
        port: serde_json::Number,
        /// Database.
        database: String,
        /// User.
        username: String,
    }
}

info_struct! {
    /// Redshift details.
    RedshiftInfo {
        /// Host.
        host: String,
        /// Port: any JSON number, as Hex types it `number` (kept as sent; see `lenient_number`).
        #[serde(deserialize_with = "lenient_number")]
        port: serde_json::Number,
        /// Database.
        database: String,
        /// User.
        username: String,
    }
}

info_struct! {
    /// Snowflake details.
    SnowflakeInfo {
        /// Account name.
        account_name: String,
        /// Warehouse.
        warehouse: String,
        /// Database.
        database: String,
        /// User.
        username: String,
        /// Schema.
        schema: String,
        /// Role.
        role: String,
    }
}

info_struct! {
    /// Trino details.
    TrinoInfo {
        /// Host.
        hostname: String,
        /// Port: any JSON number, as Hex types it `number` (kept as sent; see `lenient_number`).
        #[serde(deserialize_with = "lenient_number")]
        port: serde_json::Number,
        /// User.
        username: String,
        /// Catalog.
        catalog: String,
        /// Schema.
        schema: String,
        /// Session properties.
        session_properties: Vec<SessionPropertyInfo>,
    }
}

/// `{key, value}` of a Trino session property, as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionPropertyInfo {
    /// Name.
    pub key: String,
    /// Value.
    pub value: String,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ConnectionDetails {
    /// The connection type, when known.
    pub fn kind(&self) -> Option<DataConnectionType> {
        Some(match self {
            Self::Athena(_) => DataConnectionType::Athena,
            Self::BigQuery(_) => DataConnectionType::BigQuery,
            Self::ClickHouse(_) => DataConnectionType::ClickHouse,
            Self::Databricks(_) => DataConnectionType::Databricks,
            Self::Postgres(_) => DataConnectionType::Postgres,
            Self::Redshift(_) => DataConnectionType::Redshift,
            Self::Snowflake(_) => DataConnectionType::Snowflake,
            Self::Trino(_) => DataConnectionType::Trino,
            Self::Other(_) => return None,
        })
    }

    fn from_entry(key: &str, value: serde_json::Value) -> serde_json::Result<Self> {
        use serde_json::from_value as read;
        Ok(match key {
            "athena" => Self::Athena(read(value)?),
            "bigquery" => Self::BigQuery(read(value)?),
            "clickhouse" => Self::ClickHouse(read(value)?),
            "databricks" => Self::Databricks(read(value)?),
            "postgres" => Self::Postgres(read(value)?),
            "redshift" => Self::Redshift(read(value)?),
            "snowflake" => Self::Snowflake(read(value)?),
            "trino" => Self::Trino(read(value)?),
            other => {
                return Err(serde_json::Error::custom(format!(
                    "unknown connection type {other}"
                )));
            }
        })
    }
}

impl<'de> Deserialize<'de> for ConnectionDetails {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = Extra::deserialize(deserializer)?;
        if map.len() == 1
            && let Some((key, value)) = map.iter().next()
            && let Ok(details) = Self::from_entry(key, value.clone())
        {
            return Ok(details);
        }
        // Zero or several keys, a new type, or fields of unexpected types: keep it as sent.
        Ok(Self::Other(map))
    }
}

impl Serialize for ConnectionDetails {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Athena(v) => one_entry(serializer, "athena", v),
            Self::BigQuery(v) => one_entry(serializer, "bigquery", v),
            Self::ClickHouse(v) => one_entry(serializer, "clickhouse", v),
            Self::Databricks(v) => one_entry(serializer, "databricks", v),
            Self::Postgres(v) => one_entry(serializer, "postgres", v),
            Self::Redshift(v) => one_entry(serializer, "redshift", v),
            Self::Snowflake(v) => one_entry(serializer, "snowflake", v),
            Self::Trino(v) => one_entry(serializer, "trino", v),
            Self::Other(map) => map.serialize(serializer),
        }
    }
}

/// `{"<key>": value}`.
fn one_entry<S: Serializer, T: Serialize>(
    serializer: S,
    key: &str,
    value: &T,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(Some(1))?;
    map.serialize_entry(key, value)?;
    map.end()
}
