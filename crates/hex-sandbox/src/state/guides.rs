//! Guides for Hex's agent: each guide file has an optional draft (what UpsertGuideDraft writes)
//! and an optional published version (what every user's agent reads). Publishing moves the
//! draft to the published version.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Value, json};
use uuid::Uuid;

use super::{SandboxState, Workspace};
use crate::seed::Rng;

/// One guide file.
pub(crate) struct Guide {
    pub(crate) id: Uuid,
    pub(crate) file_path: String,
    /// `externalSource` as last written (`None`: written in Hex or without a source).
    pub(crate) source: Option<Value>,
    pub(crate) draft: Option<String>,
    pub(crate) published: Option<String>,
}

/// The workspace's guides, with their order by path (ListDraftGuides' order).
#[derive(Default)]
pub(crate) struct GuideStore {
    pub(crate) guides: HashMap<Uuid, Guide>,
    pub(crate) by_path: BTreeSet<(String, Uuid)>,
}

impl GuideStore {
    pub(crate) fn insert(&mut self, guide: Guide) {
        self.by_path.insert((guide.file_path.clone(), guide.id));
        self.guides.insert(guide.id, guide);
    }

    pub(crate) fn remove(&mut self, id: &Uuid) {
        if let Some(guide) = self.guides.remove(id) {
            self.by_path.remove(&(guide.file_path, guide.id));
        }
    }

    pub(crate) fn find_by_path(&self, file_path: &str) -> Option<&Guide> {
        self.by_path
            .range((file_path.to_owned(), Uuid::nil())..)
            .next()
            .filter(|(path, _)| path == file_path)
            .and_then(|(_, id)| self.guides.get(id))
    }
}

/// Who a guide is synced from: a GitHub repository (owner and repo, on a base host), an
/// "unknown" source with its id, or nothing. Branch, commit and path change with every sync, so
/// they are not part of it.
pub(crate) fn source_key(source: Option<&Value>) -> String {
    let text = |key: &str| {
        source
            .and_then(|s| s.get(key))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    match source.and_then(|s| s.get("source")).and_then(Value::as_str) {
        Some("github") => {
            let base = source
                .and_then(|s| s.get("base"))
                .and_then(Value::as_str)
                .unwrap_or(GITHUB);
            format!(
                "github {}/{}/{}",
                base.trim_end_matches('/'),
                text("owner"),
                text("repo")
            )
        }
        Some(other) => format!("{other} {}", text("id")),
        None => "none".to_owned(),
    }
}

/// GitHub's base when a source names none.
pub(crate) const GITHUB: &str = "https://github.com";

const SEEDED: &[(&str, &str)] = &[
    (
        "workspace.md",
        "# Acme analytics\n\nRevenue is recognised when an order is complete. Fiscal years start on 1 February.\n",
    ),
    (
        "sales/definitions.md",
        "# Sales definitions\n\n- **ARR**: annualised recurring revenue of active subscriptions.\n- **Churn**: a subscription cancelled and not renewed within 30 days.\n",
    ),
    (
        "marketing/attribution.md",
        "# Attribution\n\nUse last-touch attribution unless a question asks for multi-touch.\n",
    ),
    (
        "engineering/incidents.md",
        "# Incidents\n\nSeverity 1 and 2 incidents count toward the uptime objective.\n",
    ),
    (
        "finance/close.md",
        "# Monthly close\n\nBooks close on the fifth working day of the month.\n",
    ),
];

/// Seeds five guides: published ones with and without a pending draft, a draft never published,
/// and one synced from a GitHub repository.
pub(crate) fn seed(ws: &mut Workspace, rng: &mut Rng) {
    for (index, (path, text)) in SEEDED.iter().enumerate() {
        let published = index != 4;
        let draft = match index {
            1 => Some(format!(
                "{text}- **NRR**: net revenue retention over twelve months.\n"
            )),
            4 => Some((*text).to_owned()),
            _ => None,
        };
        let source = (index == 2).then(|| {
            json!({"source": "github", "owner": "acme", "repo": "analytics-context",
                "branch": "main", "commitHash": "3f9a2c1", "path": format!("guides/{path}")})
        });
        ws.guides.insert(Guide {
            id: rng.uuid(),
            file_path: (*path).to_owned(),
            source,
            draft,
            published: published.then(|| (*text).to_owned()),
        });
    }
}

impl SandboxState {
    /// Every guide's id by file path.
    pub fn guide_ids(&self) -> BTreeMap<String, String> {
        let ws = self.shared.read();
        ws.guides
            .by_path
            .iter()
            .map(|(path, id)| (path.clone(), id.to_string()))
            .collect()
    }

    /// The drafts, by file path: what UpsertGuideDraft wrote and nobody published yet.
    pub fn guide_drafts(&self) -> BTreeMap<String, String> {
        self.guide_texts(|guide| guide.draft.clone())
    }

    /// The published guides, by file path: what every user's agent reads.
    pub fn published_guides(&self) -> BTreeMap<String, String> {
        self.guide_texts(|guide| guide.published.clone())
    }

    fn guide_texts(&self, text: impl Fn(&Guide) -> Option<String>) -> BTreeMap<String, String> {
        let ws = self.shared.read();
        ws.guides
            .guides
            .values()
            .filter_map(|guide| text(guide).map(|text| (guide.file_path.clone(), text)))
            .collect()
    }
}
