//! The change a replace makes to one cell: its source with every match replaced and, for a SQL
//! cell, optionally another data connection. The same rule makes the plan and, applied to the
//! cell as it is when the plan is carried out, the write; digests of the cell's state before
//! and after tell whether it changed in between.

use std::sync::Arc;

use hex_client::api::cells::{Cell, CellType};
use regex::{NoExpand, Regex};
use sha2::{Digest, Sha256};

/// What to replace with, and where to move SQL cells.
pub struct Rule {
    pub pattern: Arc<Regex>,
    /// `$1`/`${name}` expand in a regex replacement; a text replacement is literal.
    pub regex: bool,
    pub replacement: Option<String>,
    pub connection: Option<String>,
}

/// A digest of the parts of a cell a replace reads and writes.
pub type StateDigest = [u8; 32];

/// The change to one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The new source, when the text changes.
    pub source: Option<String>,
    /// The data connection to move a SQL cell to, when it changes.
    pub connection: Option<String>,
    pub before: StateDigest,
    pub after: StateDigest,
}

impl Rule {
    /// The change this rule makes to `cell`; `None` when the pattern does not match its source
    /// or nothing would change.
    pub fn change(&self, cell: &Cell) -> Option<Change> {
        let source = cell.source()?;
        if !self.pattern.is_match(source) {
            return None;
        }
        let replaced = self.replacement.as_deref().map(|replacement| {
            if self.regex {
                self.pattern.replace_all(source, replacement)
            } else {
                self.pattern.replace_all(source, NoExpand(replacement))
            }
        });
        let new_source = replaced
            .filter(|text| text.as_ref() != source)
            .map(|text| text.into_owned());
        let current = cell.data_connection_id.as_deref();
        let connection = self
            .connection
            .clone()
            .filter(|_| cell.cell_type == CellType::Sql)
            .filter(|target| current != Some(target.as_str()));
        if new_source.is_none() && connection.is_none() {
            return None;
        }
        let after_source = new_source.as_deref().unwrap_or(source);
        let after_connection = connection.as_deref().or(current);
        Some(Change {
            before: state(cell, source, current),
            after: state(cell, after_source, after_connection),
            source: new_source,
            connection,
        })
    }
}

/// The digest of `cell` as it is now.
pub fn current_state(cell: &Cell) -> StateDigest {
    state(
        cell,
        cell.source().unwrap_or_default(),
        cell.data_connection_id.as_deref(),
    )
}

fn state(cell: &Cell, source: &str, connection: Option<&str>) -> StateDigest {
    let mut hash = Sha256::new();
    let cell_type = cell.cell_type.to_string();
    for part in [
        cell_type.as_str(),
        source,
        connection.unwrap_or("\u{0}none"),
    ] {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part.as_bytes());
    }
    hash.finalize().into()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn sql(source: &str, connection: Option<&str>) -> Cell {
        serde_json::from_value(json!({
            "id": "c1", "staticId": "s1", "cellType": "SQL", "projectId": "p1",
            "dataConnectionId": connection,
            "contents": {"sqlCell": {"source": source}}
        }))
        .unwrap()
    }

    fn rule(
        pattern: &str,
        regex: bool,
        replacement: Option<&str>,
        connection: Option<&str>,
    ) -> Rule {
        Rule {
            pattern: Arc::new(Regex::new(pattern).unwrap()),
            regex,
            replacement: replacement.map(str::to_owned),
            connection: connection.map(str::to_owned),
        }
    }

    #[test]
    fn regex_replacements_expand_groups_and_text_ones_are_literal() {
        let cell = sql("from dev.orders join dev.users", None);
        let change = rule(r"dev\.(\w+)", true, Some("prod.${1}_v2"), None)
            .change(&cell)
            .unwrap();
        assert_eq!(
            change.source.as_deref(),
            Some("from prod.orders_v2 join prod.users_v2")
        );
        let literal = rule(r"dev\.", false, Some("$1."), None)
            .change(&cell)
            .unwrap();
        assert_eq!(
            literal.source.as_deref(),
            Some("from $1.orders join $1.users")
        );
        assert_eq!(change.before, current_state(&cell));
        assert_ne!(change.before, change.after);
    }

    #[test]
    fn only_real_changes_count_and_connections_move_sql_cells_only() {
        let cell = sql("select 1 from dev.t", Some("a"));
        assert!(
            rule("prod", true, Some("x"), None).change(&cell).is_none(),
            "no match"
        );
        assert!(
            rule("dev", true, Some("dev"), None).change(&cell).is_none(),
            "same text"
        );
        assert!(
            rule("dev", true, None, Some("a")).change(&cell).is_none(),
            "same connection"
        );
        let moved = rule("dev", true, None, Some("b")).change(&cell).unwrap();
        assert_eq!(
            (moved.source, moved.connection.as_deref()),
            (None, Some("b"))
        );
        let mut python: Cell = cell.clone();
        python.cell_type = CellType::Code;
        assert!(rule("dev", true, None, Some("b")).change(&python).is_none());
        let after = sql("select 1 from dev.t", Some("b"));
        assert_eq!(moved.after, current_state(&after));
    }
}
