//! UpdateDataConnectionSchema: endorsements (statuses) of a connection's databases, schemas and
//! tables, all or nothing (see `state::schemas` for the catalog).

use axum::Json as AxumJson;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use super::AppState;
use super::extract::{Json, parse_uuid};
use super::semantic::batch::{
    self, Rejection, Update, UpdatesBody, check_status, named_status, rejected,
};
use crate::errors::{ApiError, ApiResult};
use crate::state::schemas::{Catalog, Entry};

/// Where an update lands: indexes of a database, and of a schema and table in it.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Target {
    database: usize,
    schema: Option<usize>,
    table: Option<usize>,
}

/// `PATCH /v1/data-connections/{dataConnectionId}/schema`
pub(crate) async fn update(
    State(shared): State<AppState>,
    Path(connection_id): Path<String>,
    Json(body): Json<UpdatesBody>,
) -> ApiResult<AxumJson<Value>> {
    let id = parse_uuid("dataConnectionId", &connection_id)?;
    let updates = batch::updates(body, &["DATABASE", "SCHEMA", "TABLE"])?;
    let mut ws = shared.write();
    if ws.connection(&id).is_none() {
        return Err(ApiError::not_found("Data connection", id));
    }
    let catalog = ws.schemas.catalogs.entry(id).or_default();
    let mut targets = Vec::new();
    let mut rejections = Vec::new();
    for update in &updates {
        match resolve(catalog, update) {
            Err(rejection) => rejections.push(rejection),
            Ok(target) => match check_status(update) {
                Some(rejection) => rejections.push(rejection),
                None => targets.push(target),
            },
        }
    }
    if !rejections.is_empty() {
        return Err(rejected(rejections));
    }
    let (mut databases, mut schemas, mut tables) = (Vec::new(), Vec::new(), Vec::new());
    for (update, target) in updates.into_iter().zip(targets) {
        let name = qualified_name(catalog, target);
        let listed = match (target.schema, target.table) {
            (_, Some(_)) => &mut tables,
            (Some(_), None) => &mut schemas,
            _ => &mut databases,
        };
        if let Some(entry) = entry_mut(catalog, target) {
            entry.status = update.status;
            listed.push(named_status(&name, entry.status.as_deref()));
        }
    }
    Ok(AxumJson(
        json!({"updated": {"databases": databases, "schemas": schemas, "tables": tables}}),
    ))
}

/// Finds the object an update names. A DATABASE is named simply; a SCHEMA as `db.schema` and a
/// TABLE as `db.schema.table`, or without the database when that leaves one match (where the
/// connection has a single database, its name is never needed).
fn resolve(catalog: &Catalog, update: &Update) -> Result<Target, Rejection> {
    let reject = |reason| Rejection::of(update, reason, None);
    let parts: Vec<&str> = update.name.split('.').collect();
    if parts.iter().any(|part| part.trim().is_empty()) {
        return Err(reject("invalid_name_format"));
    }
    let depth = match update.kind {
        "DATABASE" if catalog.single_database => return Err(reject("database_not_supported")),
        "DATABASE" => 1,
        "SCHEMA" => 2,
        _ => 3,
    };
    let (database, rest) = match parts.len() {
        n if n == depth => (parts.first().copied(), parts.get(1..).unwrap_or_default()),
        n if n + 1 == depth && depth > 1 => (None, parts.as_slice()),
        _ => return Err(reject("invalid_name_format")),
    };
    let matches: Vec<Target> = catalog
        .databases
        .iter()
        .enumerate()
        .filter(|(_, db)| database.is_none_or(|name| db.entry.name == name))
        .filter_map(|(index, _)| locate(catalog, index, rest))
        .collect();
    match matches.as_slice() {
        [target] => Ok(*target),
        [] => Err(reject("not_found")),
        _ => Err(reject("ambiguous_name")),
    }
}

/// `rest` (schema, then table) inside one database.
fn locate(catalog: &Catalog, database: usize, rest: &[&str]) -> Option<Target> {
    let db = catalog.databases.get(database)?;
    let mut target = Target {
        database,
        schema: None,
        table: None,
    };
    if let Some(schema_name) = rest.first() {
        let schema = db
            .schemas
            .iter()
            .position(|s| s.entry.name == *schema_name)?;
        target.schema = Some(schema);
        if let Some(table_name) = rest.get(1) {
            let tables = &db.schemas.get(schema)?.tables;
            target.table = Some(tables.iter().position(|t| t.name == *table_name)?);
        }
    }
    Some(target)
}

fn entry_mut(catalog: &mut Catalog, target: Target) -> Option<&mut Entry> {
    let database = catalog.databases.get_mut(target.database)?;
    let Some(schema) = target.schema else {
        return Some(&mut database.entry);
    };
    let schema = database.schemas.get_mut(schema)?;
    match target.table {
        Some(table) => schema.tables.get_mut(table),
        None => Some(&mut schema.entry),
    }
}

fn qualified_name(catalog: &Catalog, target: Target) -> String {
    let Some(database) = catalog.databases.get(target.database) else {
        return String::new();
    };
    let schema = target.schema.and_then(|s| database.schemas.get(s));
    let table = schema.and_then(|s| target.table.and_then(|t| s.tables.get(t)));
    catalog.qualified(database, schema, table)
}
