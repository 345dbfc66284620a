//! Where a walk goes on: Hex's cursor of the projects page and the project's place in it, Hex's
//! cursor of the cells page and the cells of it already reported. Handed out as one opaque
//! string that also carries a digest of the search, so it cannot be used with other arguments.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};

use crate::errors::ToolError;

/// A place in a walk.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// ListProjects' `after` for the page holding the project (`None`: the first page).
    #[serde(rename = "p", default, skip_serializing_if = "Option::is_none")]
    pub projects_after: Option<String>,
    /// The project's index in that page.
    #[serde(rename = "i", default, skip_serializing_if = "is_zero")]
    pub project_skip: usize,
    /// ListCells' `after` for the page to read next (`None`: the first).
    #[serde(rename = "c", default, skip_serializing_if = "Option::is_none")]
    pub cells_after: Option<String>,
    /// Cells of that page already reported.
    #[serde(rename = "j", default, skip_serializing_if = "is_zero")]
    pub cell_skip: usize,
    /// The project the cell position is in.
    #[serde(rename = "k", default, skip_serializing_if = "Option::is_none")]
    pub cells_of: Option<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Position {
    /// The start of the project at `index` of the projects page read with `after`.
    pub fn project(after: Option<String>, index: usize) -> Position {
        Position {
            projects_after: after,
            project_skip: index,
            ..Position::default()
        }
    }

    /// The position of project `id` (starting here), at cell `skip` of its cells page read
    /// with `after`.
    pub fn in_cells(&self, id: &str, after: Option<String>, skip: usize) -> Position {
        Position {
            cells_after: after,
            cell_skip: skip,
            cells_of: Some(id.to_string()),
            ..self.clone()
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Cursor {
    /// The digest of the search this cursor continues.
    q: String,
    #[serde(flatten)]
    at: Position,
}

/// The cursor to hand out.
pub fn encode(search: &str, at: &Position) -> String {
    let cursor = Cursor {
        q: search.to_string(),
        at: at.clone(),
    };
    let json = serde_json::to_vec(&cursor).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

/// The position a cursor (the `after` argument) points at, if it was made for this search.
pub fn decode(search: &str, text: &str) -> Result<Position, ToolError> {
    let cursor: Option<Cursor> = URL_SAFE_NO_PAD
        .decode(text.trim())
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok());
    match cursor {
        Some(cursor) if cursor.q == search => Ok(cursor.at),
        Some(_) => Err(ToolError::input(
            "after",
            "this cursor continues a search with other arguments: call with the same arguments as the call that returned it",
        )),
        None => Err(ToolError::input(
            "after",
            "not a cursor of this tool: pass continue_with.after exactly as returned",
        )),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_cursor_comes_back_for_its_own_search_only() {
        let at = Position::project(Some("p2".into()), 3).in_cells("x", Some("c9".into()), 41);
        let cursor = encode("abc", &at);
        assert_eq!(decode("abc", &cursor).unwrap(), at);
        assert!(
            decode("abd", &cursor)
                .unwrap_err()
                .to_string()
                .contains("same arguments")
        );
        assert!(decode("abc", "garbage!").is_err());
        let start = encode("abc", &Position::default());
        assert_eq!(decode("abc", &start).unwrap(), Position::default());
    }
}
