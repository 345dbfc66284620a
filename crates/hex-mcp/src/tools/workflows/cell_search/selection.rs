//! Which cells a search or a replace looks at: the text or pattern, where (a project, a
//! collection or the whole workspace) and which cell types. Shared by both tools, so a replace
//! selects exactly the cells the same search finds.

use std::sync::Arc;

use hex_client::api::cells::CellType;
use regex::Regex;
use schemars::JsonSchema;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::{
    errors::ToolError,
    input::HexId,
    tools::{cells::NewCellKind, pattern::compile_off_the_io_threads},
};

/// The selection's optional parameters, flattened into each tool's input (the required
/// `pattern` is a field of each input: inside a flattened group, serde could not name it when
/// it is wrong).
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CellSelection {
    pub regex: Option<bool>,
    pub project_id: Option<HexId>,
    pub collection_id: Option<HexId>,
    pub cell_types: Option<Vec<NewCellKind>>,
}

/// Where the cells are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Project(HexId),
    Collection(HexId),
    Workspace,
}

/// A selection ready to walk: the compiled pattern and the cell types.
#[derive(Clone)]
pub struct Selection {
    pub scope: Scope,
    pub pattern: Arc<Regex>,
    /// Whether `pattern` was given as a regex (else as literal text).
    pub regex: bool,
    pub types: Vec<CellType>,
}

impl CellSelection {
    /// Checks and compiles the selection of cells matching `pattern`. An empty pattern would
    /// select every cell.
    pub async fn compile(&self, pattern: &str) -> Result<Selection, ToolError> {
        let scope = match (&self.project_id, &self.collection_id) {
            (Some(_), Some(_)) => {
                return Err(ToolError::input(
                    "collection_id",
                    "give project_id or collection_id, not both",
                ));
            }
            (Some(project), None) => Scope::Project(project.clone()),
            (None, Some(collection)) => Scope::Collection(collection.clone()),
            (None, None) => Scope::Workspace,
        };
        if pattern.is_empty() {
            return Err(ToolError::input("pattern", "must not be empty"));
        }
        let regex = self.regex.unwrap_or(false);
        let source = if regex {
            pattern.to_string()
        } else {
            regex::escape(pattern)
        };
        let pattern = compile_off_the_io_threads("pattern", source, false).await?;
        let kinds = match self.cell_types.as_deref() {
            None | Some([]) => NewCellKind::ALL,
            Some(kinds) => kinds,
        };
        let mut types: Vec<CellType> = Vec::new();
        for kind in kinds {
            let wanted = cell_type(*kind);
            if !types.contains(&wanted) {
                types.push(wanted);
            }
        }
        Ok(Selection {
            scope,
            pattern: Arc::new(pattern),
            regex,
            types,
        })
    }

    /// A digest of everything that decides what a walk selects (`pattern` and this), with
    /// `extra` (a replace's
    /// replacement): a cursor or plan made for other arguments is refused, not misapplied.
    pub fn fingerprint(&self, pattern: &str, extra: &[&str]) -> String {
        let mut hash = Sha256::new();
        let types: Vec<&str> = self
            .cell_types
            .iter()
            .flatten()
            .map(|kind| kind.as_str())
            .collect();
        let types = types.join(",");
        let scope =
            [&self.project_id, &self.collection_id].map(|id| id.as_ref().map(HexId::as_str));
        let parts = [
            Some(pattern),
            Some(if self.regex == Some(true) {
                "regex"
            } else {
                "text"
            }),
            scope[0],
            scope[1],
            Some(types.as_str()),
        ];
        for part in parts
            .iter()
            .copied()
            .chain(extra.iter().map(|part| Some(*part)))
        {
            match part {
                Some(text) => {
                    hash.update((text.len() as u64).to_le_bytes());
                    hash.update(text.as_bytes());
                }
                None => hash.update(u64::MAX.to_le_bytes()),
            }
        }
        let digest = hash.finalize();
        digest
            .iter()
            .take(8)
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

fn cell_type(kind: NewCellKind) -> CellType {
    match kind {
        NewCellKind::Sql => CellType::Sql,
        NewCellKind::Code => CellType::Code,
        NewCellKind::Markdown => CellType::Markdown,
    }
}
