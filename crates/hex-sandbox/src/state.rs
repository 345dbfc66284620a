//! The workspace the sandbox serves: projects, cells, runs, users, groups, collections and data
//! connections, with the indexes that keep listing cheap.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use uuid::Uuid;

use crate::config::SandboxConfig;
use crate::faults::Faults;
use crate::limits::RateLimiter;
use crate::log::RequestLog;

pub(crate) mod embedding;
pub(crate) mod guides;
mod plant;
pub(crate) mod results;
pub(crate) mod schemas;
pub(crate) mod semantic;
pub(crate) mod threads;
mod view;

pub use view::SandboxState;

/// Milliseconds since the Unix epoch: every timestamp the sandbox keeps.
pub(crate) type Millis = i64;

/// The wall clock, in milliseconds (run lifecycles and new objects use it).
pub(crate) fn now_ms() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// ISO 8601 with milliseconds and `Z`, as Hex writes timestamps (`2026-05-01T09:30:00.000Z`).
pub(crate) fn format_time(ms: Millis) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00.000Z".to_owned())
}

/// Declares a Hex string enum with its exact wire values. Every value Hex defines is listed, even
/// those the sandbox never produces, so the enum reads like the reference.
macro_rules! wire_enum {
    ($name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[allow(dead_code, clippy::enum_variant_names)]
        pub(crate) enum $name { $($variant),+ }
        #[allow(dead_code)]
        impl $name {
            pub(crate) const ALL: &'static [$name] = &[$($name::$variant),+];
            pub(crate) fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub(crate) fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
            /// The accepted values, for error messages.
            pub(crate) fn expected() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }
    };
}

wire_enum!(Access {
    None => "NONE",
    AppOnly => "APP_ONLY",
    CanView => "CAN_VIEW",
    CanEdit => "CAN_EDIT",
    FullAccess => "FULL_ACCESS",
});

wire_enum!(ProjectType { Project => "PROJECT", Component => "COMPONENT" });

wire_enum!(Cadence {
    Hourly => "HOURLY",
    Daily => "DAILY",
    Weekly => "WEEKLY",
    Monthly => "MONTHLY",
    Custom => "CUSTOM",
});

wire_enum!(RunStatus {
    Pending => "PENDING",
    Running => "RUNNING",
    Errored => "ERRORED",
    Completed => "COMPLETED",
    Killed => "KILLED",
    UnableToAllocateKernel => "UNABLE_TO_ALLOCATE_KERNEL",
});

wire_enum!(RunTrigger { Api => "API", Scheduled => "SCHEDULED", AppRefresh => "APP_REFRESH" });

wire_enum!(CellType {
    Code => "CODE",
    Markdown => "MARKDOWN",
    DisplayTable => "DISPLAY_TABLE",
    Input => "INPUT",
    Sql => "SQL",
    VegaChart => "VEGA_CHART",
    CellGroup => "CELL_GROUP",
    Metric => "METRIC",
    Text => "TEXT",
    Map => "MAP",
    Writeback => "WRITEBACK",
    DbtMetric => "DBT_METRIC",
    Pivot => "PIVOT",
    Filter => "FILTER",
    ComponentImport => "COMPONENT_IMPORT",
    Chart => "CHART",
    Block => "BLOCK",
    Explore => "EXPLORE",
    Collapsible => "COLLAPSIBLE",
});

wire_enum!(OrgRole {
    Admin => "ADMIN",
    Manager => "MANAGER",
    Editor => "EDITOR",
    Explorer => "EXPLORER",
    Member => "MEMBER",
    Guest => "GUEST",
    EmbeddedUser => "EMBEDDED_USER",
    Anonymous => "ANONYMOUS",
});

wire_enum!(ConnectionType {
    Athena => "athena",
    Bigquery => "bigquery",
    Clickhouse => "clickhouse",
    Databricks => "databricks",
    Postgres => "postgres",
    Redshift => "redshift",
    Snowflake => "snowflake",
    Trino => "trino",
});

// The data type of a published input, as RunProject reports it in InvalidParamPayload.
wire_enum!(InputDataType { String => "STRING", Number => "NUMBER", Boolean => "BOOLEAN", Date => "DATE" });

/// A project category (names and descriptions are workspace-wide).
pub(crate) struct Category {
    pub(crate) name: &'static str,
    pub(crate) description: Option<&'static str>,
}

/// An input added to a project's published app, settable through RunProject `inputParams`.
pub(crate) struct InputParam {
    pub(crate) name: &'static str,
    pub(crate) data_type: InputDataType,
    pub(crate) input_cell_type: &'static str,
}

pub(crate) struct User {
    pub(crate) id: Uuid,
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) role: OrgRole,
    pub(crate) last_login: Option<Millis>,
    pub(crate) deactivated: bool,
}

pub(crate) struct Group {
    pub(crate) id: Uuid,
    pub(crate) name: String,
    pub(crate) created_at: Millis,
    pub(crate) members: Vec<Uuid>,
}

pub(crate) struct Collection {
    pub(crate) id: Uuid,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) creator: Uuid,
    pub(crate) users: Vec<(Uuid, String)>,
    pub(crate) groups: Vec<(Uuid, String)>,
    pub(crate) workspace_members: Option<String>,
}

/// A stored secret: kept for the in-process accessor, never shown by `Debug`.
#[derive(Clone)]
pub(crate) struct Secret(pub(crate) String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

pub(crate) struct Connection {
    pub(crate) id: Uuid,
    pub(crate) name: String,
    pub(crate) kind: ConnectionType,
    pub(crate) description: Option<String>,
    /// The non-secret connection details, exactly the "read fields" of the type.
    pub(crate) details: serde_json::Map<String, serde_json::Value>,
    pub(crate) secrets: BTreeMap<String, Secret>,
    pub(crate) connect_via_ssh: bool,
    pub(crate) include_magic: bool,
    pub(crate) allow_writeback_cells: bool,
    pub(crate) schema_filters: Option<serde_json::Value>,
    pub(crate) schema_refresh_schedule: Option<serde_json::Value>,
    pub(crate) schema_refresh_access: String,
    /// `sharing.workspace`: `public`, `guests`, `members`.
    pub(crate) workspace_sharing: BTreeMap<String, String>,
    pub(crate) group_sharing: Vec<(Uuid, String)>,
    pub(crate) created_at: Millis,
}

pub(crate) struct Schedule {
    pub(crate) cadence: Cadence,
    pub(crate) enabled: bool,
    pub(crate) timezone: &'static str,
    pub(crate) minute: u8,
    pub(crate) hour: u8,
    pub(crate) day_of_week: &'static str,
    pub(crate) day: u8,
    pub(crate) cron: &'static str,
}

/// Project sharing; reads show emails and names, writes use ids.
pub(crate) struct Sharing {
    pub(crate) users: Vec<(Uuid, Access)>,
    pub(crate) groups: Vec<(Uuid, Access)>,
    pub(crate) collections: Vec<(Uuid, Access)>,
    pub(crate) workspace: Access,
    pub(crate) public_web: Access,
    pub(crate) support: Access,
}

pub(crate) struct Analytics {
    pub(crate) published_results_updated_at: Option<Millis>,
    pub(crate) last_viewed_at: Option<Millis>,
    /// allTime, lastThirtyDays, lastFourteenDays, lastSevenDays.
    pub(crate) app_views: [u32; 4],
}

pub(crate) struct Project {
    pub(crate) id: Uuid,
    pub(crate) title: String,
    pub(crate) description: Option<String>,
    pub(crate) kind: ProjectType,
    pub(crate) creator: Uuid,
    pub(crate) owner: Uuid,
    pub(crate) status: Option<&'static str>,
    pub(crate) categories: Vec<&'static Category>,
    pub(crate) reviews_required: bool,
    pub(crate) analytics: Analytics,
    pub(crate) last_edited_at: Millis,
    pub(crate) last_published_at: Option<Millis>,
    pub(crate) created_at: Millis,
    pub(crate) archived_at: Option<Millis>,
    pub(crate) trashed_at: Option<Millis>,
    pub(crate) schedules: Vec<Schedule>,
    pub(crate) sharing: Sharing,
    pub(crate) inputs: Vec<&'static InputParam>,
    /// Runs of this project end ERRORED instead of COMPLETED.
    pub(crate) runs_fail: bool,
    pub(crate) published_version: u32,
}

pub(crate) struct Cell {
    pub(crate) id: Uuid,
    pub(crate) static_id: Uuid,
    pub(crate) project_id: Uuid,
    pub(crate) kind: CellType,
    pub(crate) label: Option<String>,
    pub(crate) data_connection: Option<Uuid>,
    pub(crate) source: Cow<'static, str>,
    pub(crate) output_dataframe: Option<String>,
    /// Position in the notebook: cells sort by it; gaps leave room for inserts.
    pub(crate) order: u64,
}

/// How a run ends if nobody cancels it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Completed,
    Errored,
    UnableToAllocateKernel,
}

pub(crate) struct Run {
    pub(crate) id: Uuid,
    pub(crate) project_id: Uuid,
    pub(crate) project_version: u32,
    pub(crate) trigger: RunTrigger,
    pub(crate) created_at: Millis,
    pub(crate) pending_ms: i64,
    pub(crate) running_ms: i64,
    pub(crate) outcome: Outcome,
    pub(crate) killed_at: Option<Millis>,
    pub(crate) notifications: Vec<serde_json::Value>,
    pub(crate) flag_config_override: Option<String>,
}

/// Where a run is at a given moment: computed from timestamps, no background task.
pub(crate) struct RunState {
    pub(crate) status: RunStatus,
    pub(crate) start: Option<Millis>,
    pub(crate) end: Option<Millis>,
}

impl Run {
    pub(crate) fn state_at(&self, now: Millis) -> RunState {
        let start = self.created_at + self.pending_ms;
        let end = start + self.running_ms;
        if let Some(killed) = self.killed_at {
            let started = (killed > start).then_some(start);
            return RunState {
                status: RunStatus::Killed,
                start: started,
                end: Some(killed),
            };
        }
        if now < start {
            return RunState {
                status: RunStatus::Pending,
                start: None,
                end: None,
            };
        }
        if now < end {
            return RunState {
                status: RunStatus::Running,
                start: Some(start),
                end: None,
            };
        }
        let (status, start) = match self.outcome {
            Outcome::Completed => (RunStatus::Completed, Some(start)),
            Outcome::Errored => (RunStatus::Errored, Some(start)),
            Outcome::UnableToAllocateKernel => (RunStatus::UnableToAllocateKernel, None),
        };
        RunState {
            status,
            start,
            end: Some(end),
        }
    }
}

/// Sort orders of ListProjects, kept sorted so a page costs O(page + skipped items).
#[derive(Default)]
pub(crate) struct ProjectIndex {
    pub(crate) created: BTreeSet<(Millis, Uuid)>,
    pub(crate) edited: BTreeSet<(Millis, Uuid)>,
    /// Never-published projects sort as the oldest (`Millis::MIN`).
    pub(crate) published: BTreeSet<(Millis, Uuid)>,
}

impl ProjectIndex {
    fn insert(&mut self, project: &Project) {
        self.created.insert((project.created_at, project.id));
        self.edited.insert((project.last_edited_at, project.id));
        self.published.insert((published_key(project), project.id));
    }
}

pub(crate) fn published_key(project: &Project) -> Millis {
    project.last_published_at.unwrap_or(Millis::MIN)
}

/// Spacing between seeded cells' `order`, leaving room for 30-odd inserts at any one place.
pub(crate) const CELL_ORDER_GAP: u64 = 1 << 32;

/// All the state of one workspace.
#[derive(Default)]
pub(crate) struct Workspace {
    pub(crate) org_id: Uuid,
    pub(crate) me: Uuid,
    pub(crate) users: Vec<User>,
    pub(crate) groups: Vec<Group>,
    pub(crate) collections: Vec<Collection>,
    pub(crate) connections: Vec<Connection>,
    pub(crate) projects: HashMap<Uuid, Project>,
    pub(crate) project_index: ProjectIndex,
    pub(crate) cells: HashMap<Uuid, Cell>,
    pub(crate) cell_order: HashMap<Uuid, BTreeSet<(u64, Uuid)>>,
    pub(crate) runs: HashMap<Uuid, Run>,
    pub(crate) project_runs: HashMap<Uuid, Vec<Uuid>>,
    // The areas added with Hex's full API; their routes fill them in.
    #[allow(dead_code)]
    pub(crate) results: results::ResultStore,
    #[allow(dead_code)]
    pub(crate) threads: threads::ThreadStore,
    #[allow(dead_code)]
    pub(crate) guides: guides::GuideStore,
    #[allow(dead_code)]
    pub(crate) semantic: semantic::SemanticStore,
    /// Data connections' databases, schemas and tables with their statuses.
    pub(crate) schemas: schemas::SchemaStore,
    pub(crate) embedding: embedding::EmbeddingStore,
}

impl Workspace {
    pub(crate) fn user(&self, id: &Uuid) -> Option<&User> {
        self.users.iter().find(|u| u.id == *id)
    }

    pub(crate) fn group(&self, id: &Uuid) -> Option<&Group> {
        self.groups.iter().find(|g| g.id == *id)
    }

    pub(crate) fn group_mut(&mut self, id: &Uuid) -> Option<&mut Group> {
        self.groups.iter_mut().find(|g| g.id == *id)
    }

    pub(crate) fn collection(&self, id: &Uuid) -> Option<&Collection> {
        self.collections.iter().find(|c| c.id == *id)
    }

    pub(crate) fn connection(&self, id: &Uuid) -> Option<&Connection> {
        self.connections.iter().find(|c| c.id == *id)
    }

    pub(crate) fn email_of(&self, id: &Uuid) -> &str {
        self.user(id).map(|u| u.email.as_str()).unwrap_or_default()
    }

    pub(crate) fn insert_project(&mut self, project: Project) {
        self.project_index.insert(&project);
        self.projects.insert(project.id, project);
    }

    /// Moves a project in the LAST_EDITED_AT order.
    pub(crate) fn touch_project(&mut self, id: &Uuid, at: Millis) {
        if let Some(project) = self.projects.get_mut(id) {
            self.project_index
                .edited
                .remove(&(project.last_edited_at, *id));
            project.last_edited_at = at;
            self.project_index.edited.insert((at, *id));
        }
    }

    pub(crate) fn insert_cell(&mut self, cell: Cell) {
        self.cell_order
            .entry(cell.project_id)
            .or_default()
            .insert((cell.order, cell.id));
        self.cells.insert(cell.id, cell);
    }

    pub(crate) fn remove_cell(&mut self, id: &Uuid) -> Option<Cell> {
        let cell = self.cells.remove(id)?;
        if let Some(order) = self.cell_order.get_mut(&cell.project_id) {
            order.remove(&(cell.order, cell.id));
        }
        Some(cell)
    }

    pub(crate) fn insert_run(&mut self, run: Run) {
        self.project_runs
            .entry(run.project_id)
            .or_default()
            .push(run.id);
        self.runs.insert(run.id, run);
    }

    /// Deleting a group removes it from every sharing list that named it.
    pub(crate) fn remove_group(&mut self, id: &Uuid) -> bool {
        let before = self.groups.len();
        self.groups.retain(|g| g.id != *id);
        if self.groups.len() == before {
            return false;
        }
        for project in self.projects.values_mut() {
            project.sharing.groups.retain(|(g, _)| g != id);
        }
        for collection in &mut self.collections {
            collection.groups.retain(|(g, _)| g != id);
        }
        for connection in &mut self.connections {
            connection.group_sharing.retain(|(g, _)| g != id);
        }
        true
    }
}

/// What every request handler shares.
pub(crate) struct Shared {
    pub(crate) config: SandboxConfig,
    workspace: RwLock<Workspace>,
    pub(crate) faults: Faults,
    pub(crate) log: RequestLog,
    pub(crate) limiter: RateLimiter,
}

impl Shared {
    pub(crate) fn new(config: SandboxConfig, workspace: Workspace) -> Self {
        let limiter = RateLimiter::new(
            config.rate_limits,
            config.rate_limit_scale,
            config.rate_time_scale,
        );
        Shared {
            config,
            workspace: RwLock::new(workspace),
            faults: Faults::default(),
            log: RequestLog::default(),
            limiter,
        }
    }

    /// Read access; never held across an await.
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Workspace> {
        self.workspace.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Write access; never held across an await.
    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, Workspace> {
        self.workspace.write().unwrap_or_else(|e| e.into_inner())
    }
}
