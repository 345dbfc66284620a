//! Semantic projects: their datasets and views, each with a status. IngestSemanticProject
//! replaces them from an archive of the project's files; UpdateSemanticProject sets statuses.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::{Millis, SandboxState, Workspace};
use crate::seed::Rng;

/// A dataset or view of a semantic project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SemanticObject {
    pub(crate) name: String,
    /// A dataset's table (`base_sql_table`) or query; a view's base dataset.
    pub(crate) base: String,
    pub(crate) status: Option<String>,
}

pub(crate) struct SemanticProject {
    pub(crate) id: Uuid,
    pub(crate) name: String,
    pub(crate) datasets: Vec<SemanticObject>,
    pub(crate) views: Vec<SemanticObject>,
    /// When an ingest last wrote it.
    pub(crate) ingested_at: Option<Millis>,
}

/// The workspace's semantic projects.
#[derive(Default)]
pub(crate) struct SemanticStore {
    pub(crate) projects: Vec<SemanticProject>,
}

impl SemanticStore {
    pub(crate) fn project_mut(&mut self, id: &Uuid) -> Option<&mut SemanticProject> {
        self.projects.iter_mut().find(|project| project.id == *id)
    }
}

type Layout = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static [(&'static str, &'static str)],
);

/// (project, datasets as (name, table), views as (name, base dataset)).
const PROJECTS: &[Layout] = &[
    (
        "Sales metrics",
        &[
            ("orders", "dev.sales.orders"),
            ("customers", "dev.sales.customers"),
            ("order_items", "dev.sales.order_items"),
            ("subscriptions", "dev.finance.subscriptions"),
        ],
        &[("sales_overview", "orders"), ("customer_360", "customers")],
    ),
    (
        "Marketing funnel",
        &[
            ("sessions", "acme-marketing-prod.marketing.sessions"),
            ("ad_spend", "acme-marketing-prod.marketing.ad_spend"),
            ("conversions", "acme-marketing-prod.marketing.conversions"),
        ],
        &[("funnel", "sessions")],
    ),
];

/// Seeds the connections' warehouse catalogs (what semantic projects are built on) and two
/// semantic projects over them, some objects endorsed.
pub(crate) fn seed(ws: &mut Workspace, rng: &mut Rng) {
    super::schemas::seed(ws, rng);
    for (name, datasets, views) in PROJECTS {
        let mut objects = |items: &[(&str, &str)]| -> Vec<SemanticObject> {
            items
                .iter()
                .enumerate()
                .map(|(index, (name, base))| SemanticObject {
                    name: (*name).to_owned(),
                    base: (*base).to_owned(),
                    status: match index {
                        0 => Some("Approved".to_owned()),
                        _ if rng.chance(30) => Some("Deprecated".to_owned()),
                        _ => None,
                    },
                })
                .collect()
        };
        let datasets = objects(datasets);
        let views = objects(views);
        ws.semantic.projects.push(SemanticProject {
            id: rng.uuid(),
            name: (*name).to_owned(),
            datasets,
            views,
            ingested_at: None,
        });
    }
}

impl SandboxState {
    /// The semantic projects' ids, in seed order (Hex's API has no list of them).
    pub fn semantic_project_ids(&self) -> Vec<String> {
        let ws = self.shared.read();
        ws.semantic
            .projects
            .iter()
            .map(|project| project.id.to_string())
            .collect()
    }

    /// A semantic project's datasets and views: `"DATASET orders"` → status (empty for an
    /// unknown project).
    pub fn semantic_statuses(&self, project_id: &str) -> BTreeMap<String, Option<String>> {
        let ws = self.shared.read();
        let Some(project) = Uuid::try_parse(project_id)
            .ok()
            .and_then(|id| ws.semantic.projects.iter().find(|p| p.id == id))
        else {
            return BTreeMap::new();
        };
        let datasets = project.datasets.iter().map(|o| ("DATASET", o));
        let views = project.views.iter().map(|o| ("VIEW", o));
        datasets
            .chain(views)
            .map(|(kind, object)| (format!("{kind} {}", object.name), object.status.clone()))
            .collect()
    }

    /// Whether an ingest has written the project (false for an unknown one).
    pub fn semantic_ingested(&self, project_id: &str) -> bool {
        let ws = self.shared.read();
        Uuid::try_parse(project_id)
            .ok()
            .and_then(|id| ws.semantic.projects.iter().find(|p| p.id == id))
            .is_some_and(|project| project.ingested_at.is_some())
    }
}
