//! Request bodies: ids are usable (no whitespace, control characters or path characters), and
//! enum-valued fields carry only values of the client's enums. The field paths are the ones
//! the client serialises (`a.b[].c`: `[]` is every item of an array).

use hex_client::Operation;
use serde_json::Value;

/// Every value of a client enum, as sent.
macro_rules! known {
    ($enum:ty) => {
        <$enum>::KNOWN
            .iter()
            .map(|value| value.as_str())
            .collect::<Vec<&str>>()
    };
}

/// The enum-valued fields of a data connection's body (CreateDataConnection and
/// EditDataConnection share all but `type` and the shape of `sharing.groups`).
fn connection_fields(operation: Operation) -> Vec<(String, Vec<&'static str>)> {
    use hex_client::api::{
        connections::{
            ConnectionAccess, DataConnectionType, SchemaFilterMatchType, SchemaRefreshAccess,
        },
        projects::{DayOfWeek, ScheduleCadence},
    };
    let mut fields = vec![
        (
            "schemaRefreshAccess".to_string(),
            known!(SchemaRefreshAccess),
        ),
        (
            "schemaRefreshSchedule.cadence".into(),
            known!(ScheduleCadence),
        ),
    ];
    for entity in ["databases", "schemas", "tables"] {
        for rule in ["include", "exclude"] {
            let path = format!("schemaFilters.{entity}.{rule}.matchType");
            fields.push((path, known!(SchemaFilterMatchType)));
        }
    }
    for cadence in ["daily", "weekly", "monthly", "custom"] {
        let path = format!("schemaRefreshSchedule.{cadence}.dayOfWeek");
        fields.push((path, known!(DayOfWeek)));
    }
    for audience in ["public", "guests", "members"] {
        let path = format!("sharing.workspace.{audience}");
        fields.push((path, known!(ConnectionAccess)));
    }
    if operation == Operation::CreateDataConnection {
        fields.push(("type".into(), known!(DataConnectionType)));
        fields.push(("sharing.groups[].access".into(), known!(ConnectionAccess)));
    } else {
        fields.push((
            "sharing.groups.upsert[].access".into(),
            known!(ConnectionAccess),
        ));
    }
    fields
}

/// The enum-valued fields of an operation's body, with the values the client knows.
fn enum_fields(operation: Operation) -> Vec<(String, Vec<&'static str>)> {
    let fields: Vec<(&str, Vec<&str>)> = static_enum_fields(operation);
    let mut fields: Vec<(String, Vec<&str>)> = fields
        .into_iter()
        .map(|(path, values)| (path.to_string(), values))
        .collect();
    if matches!(
        operation,
        Operation::CreateDataConnection | Operation::EditDataConnection
    ) {
        fields.extend(connection_fields(operation));
    }
    fields
}

/// The enum-valued fields whose paths are fixed.
fn static_enum_fields(operation: Operation) -> Vec<(&'static str, Vec<&'static str>)> {
    use Operation as Op;
    use hex_client::api::{
        cells::{ChildPosition, NewCellType},
        connections::SchemaObjectType,
        embedding::{EmbedScope, EmbedTheme},
        runs::{RunNotificationType, ScreenshotFormat},
        semantic::SemanticObjectType,
        sharing::AccessLevel,
    };
    match operation {
        Op::EditProjectSharingUsers => vec![("sharing.upsert.users[].access", known!(AccessLevel))],
        Op::EditProjectSharingGroups => {
            vec![("sharing.upsert.groups[].access", known!(AccessLevel))]
        }
        Op::EditProjectSharingCollections => {
            vec![("sharing.upsert.collections[].access", known!(AccessLevel))]
        }
        Op::EditProjectSharingOrgAndPublic => vec![
            ("sharing.workspace", known!(AccessLevel)),
            ("sharing.publicWeb", known!(AccessLevel)),
        ],
        Op::UpdateDataConnectionSchema => vec![("updates[].type", known!(SchemaObjectType))],
        Op::UpdateSemanticProject => vec![("updates[].type", known!(SemanticObjectType))],
        Op::CreateCell => vec![
            ("cellType", known!(NewCellType)),
            ("location.childPosition", known!(ChildPosition)),
        ],
        Op::RunProject => vec![
            ("notifications[].type", known!(RunNotificationType)),
            ("notifications[].screenshotFormat", known!(ScreenshotFormat)),
        ],
        Op::CreatePresignedUrl => vec![
            ("scope[]", known!(EmbedScope)),
            ("displayOptions.theme", known!(EmbedTheme)),
        ],
        _ => Vec::new(),
    }
}

/// The values at `path` in `body`.
fn values_at<'a>(body: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut current = vec![body];
    for part in path.split('.') {
        let (name, each) = match part.strip_suffix("[]") {
            Some(name) => (name, true),
            None => (part, false),
        };
        current = current
            .into_iter()
            .filter_map(|value| value.get(name))
            .flat_map(|value| match (each, value) {
                (true, Value::Array(items)) => items.iter().collect::<Vec<_>>(),
                (true, _) => Vec::new(),
                (false, value) => vec![value],
            })
            .collect();
    }
    current
}

/// Keys that hold an id of Hex's (`id`, `projectId`, `orgGuideFileIds[]`), outside the
/// connection details, whose `projectId` and `accessKeyId` are a warehouse's, not Hex's.
fn check_ids(value: &Value, key: &str) -> Result<(), String> {
    match value {
        Value::Object(object) => object
            .iter()
            .filter(|(inner, _)| *inner != "connectionDetails")
            .try_for_each(|(inner, value)| check_ids(value, inner)),
        Value::Array(items) => items.iter().try_for_each(|item| check_ids(item, key)),
        Value::String(id) if key == "id" || key.ends_with("Id") || key.ends_with("Ids") => {
            super::wire::check_id("id", id).map_err(|e| format!("body {key}: {e}"))
        }
        _ => Ok(()),
    }
}

pub fn check(operation: Operation, body: &Value) -> Result<(), String> {
    check_ids(body, "")?;
    for (path, values) in enum_fields(operation) {
        for sent in values_at(body, &path) {
            if !sent.as_str().is_some_and(|text| values.contains(&text)) {
                return Err(format!(
                    "{operation} body {path} = {sent} is not one of {values:?}"
                ));
            }
        }
    }
    Ok(())
}
