//! The plan of a bulk change: which selected projects need it (and from what), which are already
//! so, and the token that binds an apply to exactly this preview.
//!
//! The token is stateless: a digest of the arguments, the principals, and every selected
//! project with its principals' access now. An apply recomputes the plan and goes ahead only
//! when the digest is the same, so it changes exactly the projects the preview showed, from
//! the states it showed; if anything moved in between (a project added to the selection, a
//! share changed by someone else, or this change half-applied), the answer is a new preview.
//! Any replica computes the same digest, and no plan is stored anywhere.

use std::collections::BTreeMap;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hex_client::{SkippedItem, api::sharing::AccessLevel};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::{select::Walked, targets::Target};
use crate::tools::common::insert_skipped;

/// The token's format, first in every token.
const VERSION: &str = "bs1";

/// The most projects a preview or a result names one by one per group; beyond, it counts them.
pub const MAX_LISTED: usize = 50;

/// A project the change would alter, with what each principal has now.
pub struct Step {
    pub id: String,
    pub title: String,
    /// Per target: `Some(now)` when it differs from the access asked for (`now` is `None` when
    /// Hex did not say), `None` when it is already so.
    pub from: Vec<Option<Option<AccessLevel>>>,
}

pub struct Plan {
    pub steps: Vec<Step>,
    pub already: Vec<(String, String)>,
    pub missing: Vec<String>,
    pub incomplete: Option<String>,
    pub skipped: Vec<SkippedItem>,
    digest: String,
}

impl Plan {
    /// Splits the selection into what needs the change and what is already so. `arguments`
    /// is the call's arguments in a canonical form.
    pub fn new(arguments: &str, targets: &[Target], access: &AccessLevel, walked: Walked) -> Plan {
        let mut hash = Sha256::new();
        hash.update(format!("{VERSION}\n{arguments}\n").as_bytes());
        for target in targets {
            hash.update(format!("{:?} {:?} {}\n", target.kind, target.id, target.name).as_bytes());
        }
        let mut steps = Vec::new();
        let mut already = Vec::new();
        for project in walked.projects {
            hash.update(format!("{} {:?}\n", project.id, project.from).as_bytes());
            let from: Vec<Option<Option<AccessLevel>>> = project
                .from
                .into_iter()
                .map(|now| (now.as_ref() != Some(access)).then_some(now))
                .collect();
            if from.iter().all(Option::is_none) {
                already.push((project.id, project.title));
            } else {
                steps.push(Step {
                    id: project.id,
                    title: project.title,
                    from,
                });
            }
        }
        let digest = hash.finalize();
        Plan {
            steps,
            already,
            missing: walked.missing,
            incomplete: walked.incomplete,
            skipped: walked.skipped,
            digest: URL_SAFE_NO_PAD.encode(digest.get(..18).unwrap_or_default()),
        }
    }

    /// The token that applies this plan; `None` when there is nothing to apply or the
    /// selection may be incomplete (an apply must not act on a part it cannot name).
    pub fn token(&self) -> Option<String> {
        if self.steps.is_empty() || self.incomplete.is_some() {
            return None;
        }
        Some(format!("{VERSION}.{}.{}", self.steps.len(), self.digest))
    }

    /// Whether `token` is this plan's: the preview it came from showed exactly this plan.
    pub fn matches(&self, token: &str) -> bool {
        self.token().is_some_and(|mine| mine == token.trim())
    }

    /// The preview: which projects change and from what, which are already so, which ids were
    /// not found, what it costs in Hex's budget, and the token to apply it.
    pub fn preview(
        &self,
        targets: &[Target],
        access: &AccessLevel,
        estimate: String,
        stale: bool,
    ) -> Value {
        let mut answer = Map::new();
        answer.insert("status".into(), json!("preview"));
        answer.insert("change".into(), json!(change(targets, access)));
        answer.insert(
            "selected".into(),
            json!(self.steps.len() + self.already.len()),
        );
        answer.insert("to_change".into(), json!(self.steps.len()));
        answer.insert("changes".into(), json!(self.groups(targets, access)));
        if !self.already.is_empty() {
            let listed: Vec<Value> = self
                .already
                .iter()
                .take(MAX_LISTED)
                .map(|(id, title)| json!({"id": id, "title": title}))
                .collect();
            answer.insert(
                "already_so".into(),
                json!({"count": self.already.len(), "projects": listed}),
            );
        }
        if !self.missing.is_empty() {
            answer.insert("not_found".into(), json!(self.missing));
        }
        insert_skipped(&mut answer, &self.skipped);
        let next = match (&self.incomplete, self.token()) {
            (Some(why), _) => {
                answer.insert("incomplete".into(), json!(why));
                "Nothing was changed, and this preview cannot be applied: the selection may be incomplete.".to_string()
            }
            (None, None) => "Nothing to change: every selected project is already so.".to_string(),
            (None, Some(token)) => {
                answer.insert("estimate".into(), json!(estimate));
                answer.insert("apply_token".into(), json!(token));
                "Nothing was changed. Show this preview to the user; only if they agree, call again with the same arguments plus apply_token.".to_string()
            }
        };
        let next = if stale {
            format!(
                "The apply_token given was for another preview: the selection or its sharing changed since (or the change was already applied), so nothing was applied. {next}"
            )
        } else {
            next
        };
        answer.insert("next".into(), json!(next));
        Value::Object(answer)
    }

    /// The projects to change, grouped by what changes on them (`group "Data": NONE → CAN_EDIT`).
    fn groups(&self, targets: &[Target], access: &AccessLevel) -> Vec<Value> {
        let mut groups: BTreeMap<String, Vec<&Step>> = BTreeMap::new();
        for step in &self.steps {
            groups
                .entry(transitions(targets, access, step))
                .or_default()
                .push(step);
        }
        let mut listed = 0;
        groups
            .into_iter()
            .map(|(change, steps)| {
                let shown: Vec<Value> = steps
                    .iter()
                    .take(MAX_LISTED.saturating_sub(listed))
                    .map(|step| json!({"id": step.id, "title": step.title}))
                    .collect();
                listed += shown.len();
                json!({"change": change, "count": steps.len(), "projects": shown})
            })
            .collect()
    }
}

/// `group "Data": NONE → CAN_EDIT; workspace: CAN_VIEW → CAN_EDIT` for one project.
pub fn transitions(targets: &[Target], access: &AccessLevel, step: &Step) -> String {
    targets
        .iter()
        .zip(&step.from)
        .filter_map(|(target, from)| {
            let from = from.as_ref()?;
            let now = from.as_ref().map_or("unknown", AccessLevel::as_str);
            Some(format!("{}: {now} → {}", target.label(), access.as_str()))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `CAN_EDIT for group "Data" (87a2…), workspace`.
pub fn change(targets: &[Target], access: &AccessLevel) -> String {
    let who: Vec<String> = targets
        .iter()
        .map(|target| match &target.id {
            Some(id) => format!("{} ({id})", target.label()),
            None => target.label(),
        })
        .collect();
    format!("{} for {}", access.as_str(), who.join(", "))
}
