//! The deterministic seeded workspace: the same seed gives byte-identical data, ids included.
//!
//! Timestamps count back from a fixed epoch, so nothing depends on the day the seed runs.

mod pools;
mod projects;

use std::collections::BTreeMap;

use serde_json::{Value, json};
use uuid::Uuid;

use crate::config::SandboxConfig;
use crate::routes::connections::split_details;
use crate::state::{
    Collection, Connection, ConnectionType, Group, Millis, OrgRole, User, Workspace,
};

pub(crate) use pools::STATUSES;
use projects::{cells, project, runs};

/// 2026-06-01T00:00:00Z: the seeded workspace's "now".
const EPOCH: Millis = 1_780_272_000_000;
const DAY: Millis = 86_400_000;

/// splitmix64: small, fast and good enough to make a workspace look varied.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    pub(crate) fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub(crate) fn pick<T: Copy + Default>(&mut self, items: &[T]) -> T {
        self.pick_or(items, T::default())
    }

    pub(crate) fn pick_or<T: Copy>(&mut self, items: &[T], fallback: T) -> T {
        let i = self.index(items.len());
        items.get(i).copied().unwrap_or(fallback)
    }

    pub(crate) fn millis(&mut self, max: Millis) -> Millis {
        self.below(u64::try_from(max.max(0)).unwrap_or(0)) as Millis
    }

    /// A version-4 UUID from the stream, so ids are part of the deterministic seed.
    pub(crate) fn uuid(&mut self) -> Uuid {
        let bytes = (u128::from(self.next_u64()) << 64 | u128::from(self.next_u64())).to_be_bytes();
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
}

/// Builds the whole workspace for a configuration.
pub(crate) fn workspace(config: &SandboxConfig) -> Workspace {
    let mut rng = Rng::new(config.seed);
    let mut ws = Workspace {
        org_id: rng.uuid(),
        ..Workspace::default()
    };
    ws.users = users(&mut rng);
    ws.me = ws.users.first().map(|u| u.id).unwrap_or_default();
    ws.groups = groups(&mut rng, &ws.users);
    ws.collections = collections(&mut rng, &ws.users, &ws.groups);
    ws.connections = connections(&mut rng, &ws.groups);
    let editors: Vec<Uuid> = ws
        .users
        .iter()
        .filter(|u| matches!(u.role, OrgRole::Admin | OrgRole::Manager | OrgRole::Editor))
        .map(|u| u.id)
        .collect();
    let context = Context {
        editors,
        users: ws.users.iter().map(|u| u.id).collect(),
        groups: ws.groups.iter().map(|g| g.id).collect(),
        collections: ws.collections.iter().map(|c| c.id).collect(),
        connections: ws.connections.iter().map(|c| c.id).collect(),
    };
    ws.projects.reserve(config.projects);
    ws.cells.reserve(config.projects * config.cells_per_project);
    ws.cell_order.reserve(config.projects);
    ws.runs.reserve(config.projects * 3);
    ws.project_runs.reserve(config.projects);
    for index in 0..config.projects {
        let project = project(&mut rng, &context, index);
        for cell in cells(&mut rng, &context, &project, config.cells_per_project) {
            ws.insert_cell(cell);
        }
        for run in runs(&mut rng, &project) {
            ws.insert_run(run);
        }
        ws.insert_project(project);
    }
    // The areas added later draw from streams of their own, so the ids above never move.
    crate::state::results::seed(&mut ws, &mut Rng::new(config.seed ^ 0x5245_5355_4c54));
    crate::state::threads::seed(&mut ws, &mut Rng::new(config.seed ^ 0x5448_5245_4144));
    crate::state::guides::seed(&mut ws, &mut Rng::new(config.seed ^ 0x4755_4944_4553));
    crate::state::semantic::seed(&mut ws, &mut Rng::new(config.seed ^ 0x5345_4d41_4e54));
    ws
}

/// Ids the project seed draws from.
struct Context {
    editors: Vec<Uuid>,
    users: Vec<Uuid>,
    groups: Vec<Uuid>,
    collections: Vec<Uuid>,
    connections: Vec<Uuid>,
}

/// 40 users; the first is `me`, an ADMIN.
fn users(rng: &mut Rng) -> Vec<User> {
    const ROLES: &[(OrgRole, usize)] = &[
        (OrgRole::Admin, 3),
        (OrgRole::Manager, 4),
        (OrgRole::Editor, 14),
        (OrgRole::Explorer, 8),
        (OrgRole::Member, 7),
        (OrgRole::Guest, 3),
        (OrgRole::EmbeddedUser, 1),
    ];
    let roles = ROLES
        .iter()
        .flat_map(|(role, n)| std::iter::repeat_n(*role, *n));
    let mut last_names: Vec<&str> = pools::LAST_NAMES.to_vec();
    shuffle(rng, &mut last_names);
    pools::FIRST_NAMES
        .iter()
        .zip(last_names)
        .zip(roles)
        .map(|((first, last), role)| {
            let email = format!(
                "{}.{}@{}",
                ascii_lower(first),
                ascii_lower(last),
                pools::EMAIL_DOMAIN
            );
            let last_login = (!rng.chance(10)).then(|| EPOCH - rng.millis(60 * DAY));
            User {
                id: rng.uuid(),
                name: format!("{first} {last}"),
                email,
                role,
                last_login,
                deactivated: false,
            }
        })
        .collect()
}

/// Lower-case ASCII for an email address (accents dropped).
fn ascii_lower(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'á' | 'à' => 'a',
            'é' | 'è' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'ú' => 'u',
            other => other,
        })
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn shuffle<T>(rng: &mut Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = rng.index(i + 1);
        items.swap(i, j);
    }
}

/// Between `min` and `max` distinct ids, drawn with a partial Fisher-Yates shuffle.
fn some_of(rng: &mut Rng, ids: &[Uuid], min: usize, max: usize) -> Vec<Uuid> {
    let n = (min + rng.index(max.saturating_sub(min) + 1)).min(ids.len());
    let mut pool = ids.to_vec();
    for i in 0..n {
        let j = i + rng.index(pool.len() - i);
        pool.swap(i, j);
    }
    pool.truncate(n);
    pool
}

fn groups(rng: &mut Rng, users: &[User]) -> Vec<Group> {
    let ids: Vec<Uuid> = users.iter().map(|u| u.id).collect();
    let me = ids.first().copied().unwrap_or_default();
    pools::GROUPS
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut members = some_of(rng, ids.get(1..).unwrap_or_default(), 3, 9);
            if i == 0 || i == 5 {
                members.insert(0, me);
            }
            Group {
                id: rng.uuid(),
                name: (*name).to_owned(),
                created_at: EPOCH - 400 * DAY + (i as Millis) * 30 * DAY,
                members,
            }
        })
        .collect()
}

fn collections(rng: &mut Rng, users: &[User], groups: &[Group]) -> Vec<Collection> {
    let user_ids: Vec<Uuid> = users.iter().map(|u| u.id).collect();
    let group_ids: Vec<Uuid> = groups.iter().map(|g| g.id).collect();
    pools::COLLECTIONS
        .iter()
        .map(|(name, description)| {
            let users = some_of(rng, &user_ids, 1, 3)
                .into_iter()
                .map(|id| (id, access_word(rng)))
                .collect();
            let groups = some_of(rng, &group_ids, 0, 2)
                .into_iter()
                .map(|id| (id, access_word(rng)))
                .collect();
            Collection {
                id: rng.uuid(),
                name: (*name).to_owned(),
                description: Some((*description).to_owned()),
                creator: user_ids.get(rng.index(7)).copied().unwrap_or_default(),
                users,
                groups,
                workspace_members: rng.chance(60).then(|| "CAN_VIEW".to_owned()),
            }
        })
        .collect()
}

fn access_word(rng: &mut Rng) -> String {
    rng.pick(&["CAN_VIEW", "CAN_EDIT", "FULL_ACCESS"])
        .to_owned()
}

fn connections(rng: &mut Rng, groups: &[Group]) -> Vec<Connection> {
    pools::CONNECTIONS
        .iter()
        .enumerate()
        .filter_map(|(i, (kind, name, description))| {
            let kind = ConnectionType::parse(kind)?;
            let details = connection_details(rng, kind);
            let (details, secrets) = split_details(kind, details.as_object()?, true).ok()?;
            let group_sharing = groups
                .first()
                .map(|g| (g.id, "QUERY".to_owned()))
                .into_iter()
                .collect();
            Some(Connection {
                id: rng.uuid(),
                name: (*name).to_owned(),
                kind,
                description: Some((*description).to_owned()),
                details,
                secrets,
                connect_via_ssh: false,
                include_magic: true,
                allow_writeback_cells: i == 2,
                schema_filters: None,
                schema_refresh_schedule: Some(json!({"cadence": "DAILY", "enabled": true,
                    "daily": {"timezoneString": "UTC", "hour": 3, "minute": 0}})),
                schema_refresh_access: "ADMINS".to_owned(),
                workspace_sharing: BTreeMap::from([
                    ("members".to_owned(), "QUERY".to_owned()),
                    ("guests".to_owned(), "NONE".to_owned()),
                    ("public".to_owned(), "NONE".to_owned()),
                ]),
                group_sharing,
                created_at: EPOCH - 500 * DAY + (i as Millis) * 20 * DAY,
            })
        })
        .collect()
}

/// Create-style details (secrets included) for a seeded connection.
fn connection_details(rng: &mut Rng, kind: ConnectionType) -> Value {
    let secret = format!("sandbox-secret-{:016x}", rng.next_u64());
    match kind {
        ConnectionType::Snowflake => {
            json!({"accountName": "acme-xy12345", "warehouse": "ANALYTICS_WH",
            "database": "ANALYTICS", "username": "HEX_SERVICE", "schema": "PUBLIC", "role": "HEX_READER",
            "privateKey": format!("-----BEGIN PRIVATE KEY-----\n{secret}\n-----END PRIVATE KEY-----"),
            "passphrase": secret})
        }
        ConnectionType::Bigquery => {
            json!({"projectId": "acme-marketing-prod", "enableStorageApi": true,
            "enableDriveAccess": false,
            "serviceAccountJsonConfig": format!("{{\"type\":\"service_account\",\"private_key\":\"{secret}\"}}")})
        }
        ConnectionType::Postgres => json!({"hostname": "replica.db.acme.example", "port": 5432,
            "database": "app", "username": "hex_readonly", "password": secret}),
        _ => {
            json!({"host": "finance-cluster.redshift.acme.example", "port": 5439, "database": "finance",
            "username": "hex", "password": secret,
            "sslRootCert": "-----BEGIN CERTIFICATE-----\nsandbox\n-----END CERTIFICATE-----"})
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Project, ProjectType, RunTrigger};

    #[test]
    fn splitmix_is_stable() {
        let mut rng = Rng::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn default_workspace_has_the_promised_shape() {
        let ws = workspace(&SandboxConfig::default());
        assert_eq!(ws.users.len(), 40);
        assert_eq!(ws.user(&ws.me).map(|u| u.role), Some(OrgRole::Admin));
        assert_eq!(ws.groups.len(), 6);
        assert_eq!(ws.collections.len(), 5);
        assert_eq!(ws.connections.len(), 4);
        assert!(ws.projects.len() >= 120);
        assert!(ws.cells.len() >= 600);
        let count = |f: &dyn Fn(&Project) -> bool| ws.projects.values().filter(|p| f(p)).count();
        assert!(count(&|p| p.archived_at.is_some()) > 0);
        assert!(count(&|p| p.trashed_at.is_some()) > 0);
        assert!(count(&|p| p.kind == ProjectType::Component) > 0);
        assert!(count(&|p| p.last_published_at.is_none()) > 0);
        assert!(count(&|p| !p.schedules.is_empty()) > 0);
        assert!(count(&|p| p.runs_fail) > 0);
        assert!(ws.runs.values().any(|r| r.trigger == RunTrigger::Scheduled));
        let emails: std::collections::HashSet<_> = ws.users.iter().map(|u| &u.email).collect();
        assert_eq!(emails.len(), 40);
    }
}
