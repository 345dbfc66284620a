//! The object parameters of a data connection besides its details: schema filters, the schema
//! refresh schedule and sharing. They are plain objects in the schema (with their shape in the
//! description) and are checked here, strictly, with errors that name the field.

use hex_client::{
    Extra,
    api::connections::{
        ConnectionGroupGrant, ConnectionGroupsUpsert, ConnectionSharingUpdate,
        ConnectionWorkspaceSharing, FilterRule, NewConnectionSharing, RefreshTime,
        SchemaEntityFilter, SchemaFilters, SchemaRefreshSchedule,
    },
};
use serde::{Deserialize, de::DeserializeOwned};
use serde_json::{Map, Value};

use crate::{
    errors::ToolError,
    input::{HexId, input_enum},
};

/// Parses an object parameter strictly; an error names the path inside it (`sharing.groups[0].access`).
fn parse<T: DeserializeOwned>(param: &str, object: &Map<String, Value>) -> Result<T, ToolError> {
    serde_path_to_error::deserialize(Value::Object(object.clone())).map_err(|error| {
        let path = error.path().to_string();
        let field = if path == "." {
            param.to_string()
        } else {
            format!("{param}.{path}")
        };
        ToolError::input(field, error.into_inner().to_string())
    })
}

// --- schema_filters --------------------------------------------------------------------------

input_enum!(
    /// `SchemaFilterMatchType`.
    MatchType: hex_client::api::connections::SchemaFilterMatchType { Exact, Prefix, Regex, Suffix }
);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FiltersArg {
    databases: Option<EntityArg>,
    schemas: Option<EntityArg>,
    tables: Option<EntityArg>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntityArg {
    include: Option<RuleArg>,
    exclude: Option<RuleArg>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RuleArg {
    values: Vec<String>,
    match_type: MatchType,
}

impl EntityArg {
    fn into_filter(self) -> SchemaEntityFilter {
        SchemaEntityFilter {
            include: self.include.map(RuleArg::into_rule),
            exclude: self.exclude.map(RuleArg::into_rule),
            extra: Extra::new(),
        }
    }
}

impl RuleArg {
    fn into_rule(self) -> FilterRule {
        FilterRule {
            values: self.values,
            match_type: self.match_type.into(),
            extra: Extra::new(),
        }
    }
}

pub fn schema_filters(object: &Map<String, Value>) -> Result<SchemaFilters, ToolError> {
    let filters: FiltersArg = parse("schema_filters", object)?;
    Ok(SchemaFilters {
        databases: filters.databases.map(EntityArg::into_filter),
        schemas: filters.schemas.map(EntityArg::into_filter),
        tables: filters.tables.map(EntityArg::into_filter),
        extra: Extra::new(),
    })
}

// --- schema_refresh_schedule -----------------------------------------------------------------

input_enum!(
    /// `ScheduleCadenceApiEnum`.
    Cadence: hex_client::api::projects::ScheduleCadence { Hourly, Daily, Weekly, Monthly, Custom }
);

input_enum!(
    /// `DayOfWeekApiEnum`.
    Day: hex_client::api::projects::DayOfWeek {
        Sunday, Monday, Tuesday, Wednesday, Thursday, Friday, Saturday,
    }
);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleArg {
    cadence: Cadence,
    enabled: bool,
    daily: Option<TimeArg>,
    weekly: Option<TimeArg>,
    monthly: Option<TimeArg>,
    custom: Option<TimeArg>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct TimeArg {
    timezone_string: Option<String>,
    #[serde(default, deserialize_with = "hour")]
    hour: Option<u32>,
    #[serde(default, deserialize_with = "minute")]
    minute: Option<u32>,
    day_of_week: Option<Day>,
    #[serde(default, deserialize_with = "day")]
    day: Option<u32>,
    cron: Option<String>,
}

fn hour<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    bounded(deserializer, 0, 23)
}

fn minute<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    bounded(deserializer, 0, 59)
}

/// Hex allows days 1-28 so every month has them.
fn day<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    bounded(deserializer, 1, 28)
}

fn bounded<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
    min: u32,
    max: u32,
) -> Result<Option<u32>, D::Error> {
    let value = Option::<u32>::deserialize(deserializer)?;
    match value {
        Some(number) if !(min..=max).contains(&number) => Err(serde::de::Error::custom(format!(
            "{number} is out of range {min}-{max}"
        ))),
        other => Ok(other),
    }
}

impl TimeArg {
    fn into_time(self) -> RefreshTime {
        RefreshTime {
            timezone_string: self.timezone_string,
            minute: self.minute.map(i64::from),
            hour: self.hour.map(i64::from),
            day_of_week: self.day_of_week.map(|day| day.into()),
            day: self.day.map(i64::from),
            cron: self.cron,
            extra: Extra::new(),
        }
    }
}

pub fn schedule(object: &Map<String, Value>) -> Result<SchemaRefreshSchedule, ToolError> {
    let schedule: ScheduleArg = parse("schema_refresh_schedule", object)?;
    Ok(SchemaRefreshSchedule {
        cadence: schedule.cadence.into(),
        enabled: schedule.enabled,
        daily: schedule.daily.map(TimeArg::into_time),
        weekly: schedule.weekly.map(TimeArg::into_time),
        monthly: schedule.monthly.map(TimeArg::into_time),
        custom: schedule.custom.map(TimeArg::into_time),
        extra: Extra::new(),
    })
}

// --- sharing ---------------------------------------------------------------------------------

input_enum!(
    /// `DataConnectionSharingAccessLevelEnum`.
    Level: hex_client::api::connections::ConnectionAccess { NoAccess, Query, ViewResults }
);

input_enum!(
    /// `DataConnectionPublicSharingAccessLevelEnum`.
    PublicAccess: hex_client::api::connections::ConnectionAccess { NoAccess, ViewResults }
);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SharingArg {
    workspace: Option<WorkspaceArg>,
    /// A list (create's form) or `{upsert: [...]}` (edit's form); either is accepted.
    groups: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkspaceArg {
    public: Option<PublicAccess>,
    guests: Option<Level>,
    members: Option<Level>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GrantArg {
    access: Level,
    group: GroupArg,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupArg {
    id: HexId,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpsertArg {
    upsert: Vec<GrantArg>,
}

/// Access levels of the Python hex-mcp's examples: `CAN_USE` is Hex's `QUERY` (sent as that,
/// with a notice); `CAN_ADMIN` has no equivalent and is refused with what Hex offers.
fn map_seed_levels(
    object: &mut Map<String, Value>,
    notices: &mut Vec<String>,
) -> Result<(), ToolError> {
    if let Some(Value::Object(workspace)) = object.get_mut("workspace") {
        for (key, value) in workspace.iter_mut() {
            map_seed_level(&format!("sharing.workspace.{key}"), value, notices)?;
        }
    }
    let grants = match object.get_mut("groups") {
        Some(Value::Array(items)) => Some(("sharing.groups", items)),
        Some(Value::Object(wrapper)) => match wrapper.get_mut("upsert") {
            Some(Value::Array(items)) => Some(("sharing.groups.upsert", items)),
            _ => None,
        },
        _ => None,
    };
    if let Some((path, items)) = grants {
        for (index, item) in items.iter_mut().enumerate() {
            if let Some(access) = item.get_mut("access") {
                map_seed_level(&format!("{path}[{index}].access"), access, notices)?;
            }
        }
    }
    Ok(())
}

fn map_seed_level(
    path: &str,
    value: &mut Value,
    notices: &mut Vec<String>,
) -> Result<(), ToolError> {
    let Some(text) = value.as_str() else {
        return Ok(());
    };
    match crate::input::normalise_enum_text(text).as_str() {
        "CAN_USE" => {
            notices.push(format!(
                "{path}: CAN_USE was sent as QUERY, Hex's level for running queries on the connection"
            ));
            *value = Value::String("QUERY".into());
            Ok(())
        }
        "CAN_ADMIN" => Err(ToolError::input(
            path,
            "Hex's API has no admin level for data connections: its levels are NONE, QUERY (run queries) and VIEW_RESULTS (see results only); who may change a connection follows workspace roles (admins), and schema_refresh_access says who may refresh its schema",
        )),
        _ => Ok(()),
    }
}

/// Sharing as checked: workspace levels and group grants.
pub struct Sharing {
    workspace: Option<ConnectionWorkspaceSharing>,
    /// Whether it gives public access (anything but NONE).
    pub public: bool,
    groups: Option<Vec<ConnectionGroupGrant>>,
    /// Seed names that were mapped to Hex's, said in the result.
    pub notices: Vec<String>,
}

pub fn sharing(object: &Map<String, Value>) -> Result<Sharing, ToolError> {
    let mut notices = Vec::new();
    let mut object = object.clone();
    map_seed_levels(&mut object, &mut notices)?;
    let sharing: SharingArg = parse("sharing", &object)?;
    let groups = match sharing.groups {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => Some(grants(Value::Array(items))?),
        Some(Value::Object(object)) => {
            let upsert: UpsertArg = parse("sharing.groups", &object)?;
            Some(
                upsert
                    .upsert
                    .into_iter()
                    .map(GrantArg::into_grant)
                    .collect(),
            )
        }
        Some(_) => {
            return Err(ToolError::input(
                "sharing.groups",
                "must be a list of {\"group\": {\"id\": …}, \"access\": …} (or {\"upsert\": [that list]})",
            ));
        }
    };
    let public = sharing
        .workspace
        .as_ref()
        .and_then(|workspace| workspace.public)
        .is_some_and(|public| public != PublicAccess::NoAccess);
    let workspace = sharing
        .workspace
        .map(|workspace| ConnectionWorkspaceSharing {
            public: workspace.public.map(|level| level.into()),
            guests: workspace.guests.map(|level| level.into()),
            members: workspace.members.map(|level| level.into()),
            extra: Extra::new(),
        });
    Ok(Sharing {
        workspace,
        public,
        groups,
        notices,
    })
}

fn grants(items: Value) -> Result<Vec<ConnectionGroupGrant>, ToolError> {
    let mut wrapper = Map::new();
    wrapper.insert("upsert".into(), items);
    let upsert: UpsertArg = parse("sharing.groups", &wrapper).map_err(|error| match error {
        // The path was built for the wrapper: `sharing.groups.upsert[0]` → `sharing.groups[0]`.
        ToolError::Input { field, problem } => ToolError::input(
            field.replacen("sharing.groups.upsert", "sharing.groups", 1),
            problem,
        ),
        other => other,
    })?;
    Ok(upsert
        .upsert
        .into_iter()
        .map(GrantArg::into_grant)
        .collect())
}

impl GrantArg {
    fn into_grant(self) -> ConnectionGroupGrant {
        ConnectionGroupGrant::new(self.group.id.to_string(), self.access.into())
    }
}

impl Sharing {
    /// Create's form: groups as a plain list.
    pub fn for_create(self) -> NewConnectionSharing {
        NewConnectionSharing {
            workspace: self.workspace,
            groups: self.groups,
        }
    }

    /// Edit's form: groups wrapped in `upsert`.
    pub fn for_update(self) -> ConnectionSharingUpdate {
        ConnectionSharingUpdate {
            workspace: self.workspace,
            groups: self.groups.map(|upsert| ConnectionGroupsUpsert { upsert }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const GROUP: &str = "3f2b7c1e-8a4d-4c2e-9b1a-0d6e5f4a3b2c";

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn sharing_takes_both_group_forms_and_names_bad_fields() {
        let list = object(json!({"groups": [{"group": {"id": GROUP}, "access": "query"}]}));
        let upsert =
            object(json!({"groups": {"upsert": [{"group": {"id": GROUP}, "access": "QUERY"}]}}));
        let a = serde_json::to_value(sharing(&list).unwrap().for_update()).unwrap();
        let b = serde_json::to_value(sharing(&upsert).unwrap().for_update()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a["groups"]["upsert"][0]["access"], "QUERY");
        let created = serde_json::to_value(sharing(&list).unwrap().for_create()).unwrap();
        assert_eq!(created["groups"][0]["group"]["id"], GROUP);

        // The Python hex-mcp's README: CAN_USE is Hex's QUERY, said in a notice.
        let readme = object(json!({"workspace": {"members": "CAN_USE"}}));
        let checked = sharing(&readme).unwrap();
        assert_eq!(checked.notices.len(), 1);
        assert!(checked.notices[0].contains("sharing.workspace.members"));
        let body = serde_json::to_value(checked.for_create()).unwrap();
        assert_eq!(body["workspace"]["members"], "QUERY");

        // CAN_ADMIN has no equivalent: refused naming the field and what Hex has.
        let bad = object(
            json!({"groups": {"upsert": [{"group": {"id": GROUP}, "access": "CAN_USE"}, {"group": {"id": GROUP}, "access": "CAN_ADMIN"}]}}),
        );
        let error = sharing(&bad).err().unwrap().to_string();
        assert!(
            error.contains("sharing.groups.upsert[1].access") && error.contains("QUERY"),
            "{error}"
        );
        let other = object(json!({"workspace": {"guests": "CAN_EDIT"}}));
        let error = sharing(&other).err().unwrap().to_string();
        assert!(error.contains("VIEW_RESULTS"), "{error}");

        let public = object(json!({"workspace": {"public": "VIEW_RESULTS"}}));
        assert!(sharing(&public).unwrap().public);
    }

    #[test]
    fn schedules_and_filters_are_checked() {
        let good = object(
            json!({"cadence": "daily", "enabled": true, "daily": {"hour": 6, "minute": 0, "timezoneString": "UTC"}}),
        );
        let body = serde_json::to_value(schedule(&good).unwrap()).unwrap();
        assert_eq!(body["cadence"], "DAILY");
        assert_eq!(body["daily"]["hour"], 6);
        let bad = object(json!({"cadence": "DAILY", "enabled": true, "daily": {"hour": 30}}));
        let error = schedule(&bad).err().unwrap().to_string();
        assert!(
            error.contains("schema_refresh_schedule.daily.hour"),
            "{error}"
        );

        let filters =
            object(json!({"schemas": {"include": {"values": ["PUBLIC"], "matchType": "EXACT"}}}));
        let body = serde_json::to_value(schema_filters(&filters).unwrap()).unwrap();
        assert_eq!(body["schemas"]["include"]["matchType"], "EXACT");
        let error = schema_filters(&object(json!({"views": {}})))
            .err()
            .unwrap()
            .to_string();
        assert!(error.contains("views"), "{error}");
    }
}
