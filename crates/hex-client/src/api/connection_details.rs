//! `connectionDetails` per connection type: `{"<type>": {...}}`. Three shapes: what Create takes
//! (required fields required, secrets in [`Secret`]), what Edit takes (everything optional), and what
//! Hex returns (no secrets, everything optional).

use serde::{Deserialize, Serialize};

use super::connections::DataConnectionType;
use crate::secret::Secret;

/// Create details, serialised `{"<type>": {...}}`. ClickHouse cannot be created through the API.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NewConnectionDetails {
    /// Amazon Athena.
    Athena(NewAthena),
    /// Google BigQuery.
    BigQuery(NewBigQuery),
    /// Databricks.
    Databricks(NewDatabricks),
    /// PostgreSQL.
    Postgres(NewPostgres),
    /// Amazon Redshift.
    Redshift(NewRedshift),
    /// Snowflake.
    Snowflake(NewSnowflake),
    /// Trino.
    Trino(NewTrino),
}

impl NewConnectionDetails {
    /// The connection type these details are for.
    pub fn kind(&self) -> DataConnectionType {
        match self {
            Self::Athena(_) => DataConnectionType::Athena,
            Self::BigQuery(_) => DataConnectionType::BigQuery,
            Self::Databricks(_) => DataConnectionType::Databricks,
            Self::Postgres(_) => DataConnectionType::Postgres,
            Self::Redshift(_) => DataConnectionType::Redshift,
            Self::Snowflake(_) => DataConnectionType::Snowflake,
            Self::Trino(_) => DataConnectionType::Trino,
        }
    }
}

/// Athena connection to create.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewAthena {
    /// Host.
    pub hostname: String,
    /// Port.
    pub port: u16,
    /// S3 path for query results.
    pub s3_output_path: String,
    /// AWS access key id.
    pub access_key_id: String,
    /// AWS secret access key.
    pub secret_access_key: Secret,
    /// Catalog.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog: Option<String>,
    /// Workgroup.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workgroup: Option<String>,
}

/// BigQuery connection to create.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewBigQuery {
    /// GCP project id.
    pub project_id: String,
    /// Service account key, JSON text.
    pub service_account_json_config: Secret,
    /// Use the Storage API.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_storage_api: Option<bool>,
    /// Allow Drive-backed tables.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_drive_access: Option<bool>,
}

/// Databricks connection to create.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewDatabricks {
    /// JDBC URL.
    pub jdbc_url: String,
    /// Personal access token.
    pub access_token: Secret,
}

/// PostgreSQL connection to create.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewPostgres {
    /// Host.
    pub hostname: String,
    /// Port.
    pub port: u16,
    /// Database.
    pub database: String,
    /// User.
    pub username: String,
    /// Password.
    pub password: Secret,
}

/// Redshift connection to create (note `host`, not `hostname`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewRedshift {
    /// Host.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Database.
    pub database: String,
    /// User.
    pub username: String,
    /// Password.
    pub password: Secret,
    /// Root certificate for TLS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssl_root_cert: Option<Secret>,
}

/// Snowflake connection to create (key-pair authentication).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewSnowflake {
    /// Account name.
    pub account_name: String,
    /// Warehouse.
    pub warehouse: String,
    /// Database.
    pub database: String,
    /// User.
    pub username: String,
    /// Private key (PEM).
    pub private_key: Secret,
    /// Passphrase of the private key.
    pub passphrase: Secret,
    /// Schema.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// Trino connection to create.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewTrino {
    /// Host.
    pub hostname: String,
    /// Port.
    pub port: u16,
    /// User.
    pub username: String,
    /// Password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    /// Catalog.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog: Option<String>,
    /// Schema.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Session properties.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_properties: Option<Vec<SessionProperty>>,
}

/// `{key, value}` of a Trino session property.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionProperty {
    /// Name.
    pub key: String,
    /// Value.
    pub value: String,
}

/// Edit details, serialised `{"<type>": {...}}`; only the fields set are changed.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ConnectionDetailsUpdate {
    /// Amazon Athena.
    Athena(AthenaUpdate),
    /// Google BigQuery.
    BigQuery(BigQueryUpdate),
    /// Databricks.
    Databricks(DatabricksUpdate),
    /// PostgreSQL.
    Postgres(PostgresUpdate),
    /// Amazon Redshift.
    Redshift(RedshiftUpdate),
    /// Snowflake.
    Snowflake(SnowflakeUpdate),
    /// Trino.
    Trino(TrinoUpdate),
}

/// Declares an edit struct: every field optional and skipped when `None`.
macro_rules! update_struct {
    ($(#[$meta:meta])* $name:ident { $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            $( $(#[$fmeta])* #[serde(skip_serializing_if = "Option::is_none")] pub $field: Option<$ty>, )+
        }
    };
}

update_struct! {
    /// Athena fields to change.
    AthenaUpdate {
        /// Host.
        hostname: String,
        /// Port.
        port: u16,
        /// S3 path for query results.
        s3_output_path: String,
        /// AWS access key id.
        access_key_id: String,
        /// AWS secret access key.
        secret_access_key: Secret,
        /// Catalog.
        catalog: String,
        /// Workgroup.
        workgroup: String,
    }
}

update_struct! {
    /// BigQuery fields to change.
    BigQueryUpdate {
        /// GCP project id.
        project_id: String,
        /// Service account key, JSON text.
        service_account_json_config: Secret,
        /// Use the Storage API.
        enable_storage_api: bool,
        /// Allow Drive-backed tables.
        enable_drive_access: bool,
    }
}

update_struct! {
    /// Databricks fields to change.
    DatabricksUpdate {
        /// JDBC URL.
        jdbc_url: String,
        /// Personal access token.
        access_token: Secret,
    }
}

update_struct! {
    /// PostgreSQL fields to change.
    PostgresUpdate {
        /// Host.
        hostname: String,
        /// Port.
        port: u16,
        /// Database.
        database: String,
        /// User.
        username: String,
        /// Password.
        password: Secret,
    }
}

update_struct! {
    /// Redshift fields to change.
    RedshiftUpdate {
        /// Host.
        host: String,
        /// Port.
        port: u16,
        /// Database.
        database: String,
        /// User.
        username: String,
        /// Password.
        password: Secret,
        /// Root certificate for TLS.
        ssl_root_cert: Secret,
    }
}

update_struct! {
    /// Snowflake fields to change.
    SnowflakeUpdate {
        /// Account name.
        account_name: String,
        /// Warehouse.
        warehouse: String,
        /// Database.
        database: String,
        /// User.
        username: String,
        /// Private key (PEM).
        private_key: Secret,
        /// Passphrase of the private key.
        passphrase: Secret,
        /// Schema.
        schema: String,
        /// Role.
        role: String,
    }
}

update_struct! {
    /// Trino fields to change.
    TrinoUpdate {
        /// Host.
        hostname: String,
        /// Port.
        port: u16,
        /// User.
        username: String,
        /// Password.
        password: Secret,
        /// Catalog.
        catalog: String,
        /// Schema.
        schema: String,
        /// Session properties.
        session_properties: Vec<SessionProperty>,
    }
}
