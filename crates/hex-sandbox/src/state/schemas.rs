//! What a data connection's warehouse holds (databases, schemas, tables) and the status each
//! has: the endorsements UpdateDataConnectionSchema sets. A connection made through the API has
//! an empty catalog (its schema was never refreshed in the sandbox).

use std::collections::HashMap;

use uuid::Uuid;

use super::{ConnectionType, SandboxState, Workspace};
use crate::seed::Rng;

/// One warehouse object and its status.
pub(crate) struct Entry {
    pub(crate) name: String,
    pub(crate) status: Option<String>,
}

pub(crate) struct Schema {
    pub(crate) entry: Entry,
    pub(crate) tables: Vec<Entry>,
}

pub(crate) struct Database {
    pub(crate) entry: Entry,
    pub(crate) schemas: Vec<Schema>,
}

/// A connection's catalog. Warehouses that connect to one database (Postgres, Redshift) have no
/// database level to endorse: their names start at the schema.
#[derive(Default)]
pub(crate) struct Catalog {
    pub(crate) single_database: bool,
    pub(crate) databases: Vec<Database>,
}

/// Catalogs by connection id.
#[derive(Default)]
pub(crate) struct SchemaStore {
    pub(crate) catalogs: HashMap<Uuid, Catalog>,
}

type Tables = &'static [(&'static str, &'static [&'static str])];

/// Snowflake: the databases the seeded SQL reads (`dev.sales.orders`…); `sales` is in `dev` and
/// `prod`, so `sales.orders` alone is ambiguous there.
const WAREHOUSE: &[(&str, Tables)] = &[
    (
        "dev",
        &[
            ("sales", &["orders", "customers", "order_items"]),
            ("crm", &["opportunities", "accounts"]),
            ("finance", &["subscriptions", "expenses"]),
            ("support", &["tickets"]),
            ("people", &["employees"]),
            ("ops", &["inventory_snapshots"]),
        ],
    ),
    (
        "analytics",
        &[
            ("marketing", &["funnel_events", "campaigns"]),
            ("product", &["events", "feature_flags"]),
        ],
    ),
    (
        "prod",
        &[
            ("engineering", &["incidents", "deployments"]),
            ("sales", &["orders", "customers"]),
        ],
    ),
];

const BIGQUERY: &[(&str, Tables)] = &[
    (
        "acme-marketing-prod",
        &[
            ("marketing", &["sessions", "ad_spend", "conversions"]),
            ("web", &["pageviews"]),
        ],
    ),
    ("acme-marketing-dev", &[("marketing", &["sessions"])]),
];

const POSTGRES: &[(&str, Tables)] = &[(
    "app",
    &[
        ("public", &["users", "accounts", "invoices"]),
        ("audit", &["events"]),
    ],
)];

const REDSHIFT: &[(&str, Tables)] = &[(
    "finance",
    &[
        ("ledger", &["journal_entries", "accounts"]),
        ("reporting", &["monthly_close"]),
    ],
)];

/// Seeds the catalog of every seeded connection, some objects with a status.
pub(crate) fn seed(ws: &mut Workspace, rng: &mut Rng) {
    for connection in &ws.connections {
        let (layout, single_database) = match connection.kind {
            ConnectionType::Snowflake => (WAREHOUSE, false),
            ConnectionType::Bigquery => (BIGQUERY, false),
            ConnectionType::Postgres => (POSTGRES, true),
            _ => (REDSHIFT, true),
        };
        let databases = layout
            .iter()
            .map(|(name, schemas)| Database {
                entry: entry(rng, name, 20),
                schemas: schemas
                    .iter()
                    .map(|(name, tables)| Schema {
                        entry: entry(rng, name, 25),
                        tables: tables.iter().map(|name| entry(rng, name, 40)).collect(),
                    })
                    .collect(),
            })
            .collect();
        let catalog = Catalog {
            single_database,
            databases,
        };
        ws.schemas.catalogs.insert(connection.id, catalog);
    }
}

/// An object with a status `percent` % of the time: one of the workspace's statuses (see
/// `seed::STATUSES`), Approved mostly, Deprecated sometimes.
fn entry(rng: &mut Rng, name: &str, percent: u64) -> Entry {
    let status = rng.chance(percent).then(|| {
        if rng.chance(75) {
            "Approved"
        } else {
            "Deprecated"
        }
        .to_owned()
    });
    Entry {
        name: name.to_owned(),
        status,
    }
}

impl Catalog {
    /// Every object as (type, qualified name, status), databases first.
    pub(crate) fn objects(&self) -> Vec<(&'static str, String, Option<String>)> {
        let mut out = Vec::new();
        for database in &self.databases {
            if !self.single_database {
                out.push((
                    "DATABASE",
                    database.entry.name.clone(),
                    database.entry.status.clone(),
                ));
            }
            for schema in &database.schemas {
                let schema_name = self.qualified(database, Some(schema), None);
                out.push(("SCHEMA", schema_name, schema.entry.status.clone()));
                for table in &schema.tables {
                    let name = self.qualified(database, Some(schema), Some(table));
                    out.push(("TABLE", name, table.status.clone()));
                }
            }
        }
        out
    }

    /// The name Hex shows: `db.schema.table`, or `schema.table` where there is one database.
    pub(crate) fn qualified(
        &self,
        database: &Database,
        schema: Option<&Schema>,
        table: Option<&Entry>,
    ) -> String {
        let mut parts: Vec<&str> = Vec::new();
        if !self.single_database {
            parts.push(&database.entry.name);
        }
        parts.extend(schema.map(|s| s.entry.name.as_str()));
        parts.extend(table.map(|t| t.name.as_str()));
        parts.join(".")
    }
}

impl SandboxState {
    /// A connection's databases, schemas and tables as (type, qualified name, status); empty for
    /// an unknown connection or one made through the API.
    pub fn schema_statuses(&self, connection_id: &str) -> Vec<(String, String, Option<String>)> {
        let ws = self.shared.read();
        Uuid::try_parse(connection_id)
            .ok()
            .and_then(|id| ws.schemas.catalogs.get(&id))
            .map(|catalog| {
                catalog
                    .objects()
                    .into_iter()
                    .map(|(kind, name, status)| (kind.to_owned(), name, status))
                    .collect()
            })
            .unwrap_or_default()
    }
}
