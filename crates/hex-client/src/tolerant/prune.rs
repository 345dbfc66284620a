//! An answer read with its nested lists tolerant: when an item of a list inside the answer (a
//! guide warning, a sharing error, a schedule of a project) does not read as its type, that item
//! is taken out and reported, and the rest of the answer reads as usual.
//!
//! Serde stops at the first mismatch, so the reader removes the list item the error's path ends
//! in and reads again; errors come in document order, so each retry gets further. Nothing of
//! this runs when the answer reads at once (the usual case).

use std::collections::HashMap;

use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_path_to_error::Segment;

use super::{SkippedItem, capture, item_id, without_strings};

/// The most list items one answer may lose before it counts as unreadable: an answer that bad
/// is not one with a few odd items, and each removal costs another read of the whole answer.
const MAX_PRUNED: usize = 100;

type PathError = serde_path_to_error::Error<serde_json::Error>;

/// Reads `value` as a `T`, removing each list item that does not read (anywhere below the top,
/// at any depth) and reporting it. Fails with the first error when a mismatch is not inside a
/// list item, or when more than [`MAX_PRUNED`] items would have to go.
pub(crate) fn read_pruning<T: DeserializeOwned>(
    mut value: Value,
) -> Result<(T, Vec<SkippedItem>), PathError> {
    let mut first_error = None;
    let mut removed = Removed::default();
    let mut skipped = Vec::new();
    loop {
        // Lists read item by item inside the answer note what they left out; only the
        // attempt that succeeds reports it.
        let (read, noted) = capture(|| serde_path_to_error::deserialize::<_, T>(&value));
        let error = match read {
            Ok(read) => {
                skipped.extend(noted);
                return Ok((read, skipped));
            }
            Err(error) => error,
        };
        let pruned = (skipped.len() < MAX_PRUNED)
            .then(|| remove_item(&mut value, &error, &mut removed))
            .flatten();
        match pruned {
            Some(item) => skipped.push(item),
            None => return Err(first_error.unwrap_or(error)),
        }
        first_error.get_or_insert(error);
    }
}

/// The original positions of the items removed so far, per list (keyed by the list's path in
/// the answer as Hex sent it), to report each item at the index Hex gave it.
#[derive(Default)]
struct Removed(HashMap<String, Vec<usize>>);

impl Removed {
    /// The index in Hex's list of the item now at `current`.
    fn original(&self, list: &str, current: usize) -> usize {
        let mut index = current;
        for &gone in self.0.get(list).into_iter().flatten() {
            if gone <= index {
                index += 1;
            }
        }
        index
    }

    fn note(&mut self, list: &str, original: usize) {
        let gone = self.0.entry(list.to_owned()).or_default();
        let at = gone.partition_point(|&index| index < original);
        gone.insert(at, original);
    }
}

/// Removes the list item the error lies in (the innermost one), or returns `None` when the
/// error is not inside a list item or its path cannot be followed in the value.
fn remove_item(value: &mut Value, error: &PathError, removed: &mut Removed) -> Option<SkippedItem> {
    let segments: Vec<&Segment> = error.path().iter().collect();
    let last_seq = segments
        .iter()
        .rposition(|segment| matches!(segment, Segment::Seq { .. }))?;
    let (outer, rest) = segments.split_at_checked(last_seq)?;
    let (&last, inner) = rest.split_first()?;
    let mut node = value;
    let mut list = String::new();
    for segment in outer {
        node = match segment {
            Segment::Map { key } | Segment::Enum { variant: key } => {
                push_key(&mut list, key);
                node.get_mut(key.as_str())?
            }
            Segment::Seq { index } => {
                let original = removed.original(&list, *index);
                list.push_str(&format!("[{original}]"));
                node.get_mut(*index)?
            }
            Segment::Unknown => return None,
        };
    }
    let Segment::Seq { index } = last else {
        return None;
    };
    let items = node.as_array_mut()?;
    if *index >= items.len() {
        return None;
    }
    let item = items.remove(*index);
    let original = removed.original(&list, *index);
    removed.note(&list, original);
    Some(SkippedItem {
        index: original,
        id: item_id(&item),
        list: (!list.is_empty()).then_some(list),
        reason: reason_inside(error, inner),
    })
}

fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

/// The mismatch, with the path inside the item when it is deeper than the item itself.
fn reason_inside(error: &PathError, inside: &[&Segment]) -> String {
    let message = without_strings(&error.inner().to_string());
    let mut path = String::new();
    for segment in inside {
        match segment {
            Segment::Map { key } | Segment::Enum { variant: key } => push_key(&mut path, key),
            Segment::Seq { index } => path.push_str(&format!("[{index}]")),
            Segment::Unknown => push_key(&mut path, "?"),
        }
    }
    if path.is_empty() {
        message
    } else {
        format!("{path}: {message}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Warning {
        path: String,
        code: u8,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase")]
    struct Answer {
        message: String,
        warnings: Vec<Warning>,
        #[serde(default)]
        groups: Vec<Vec<String>>,
    }

    fn read(value: Value) -> Result<(Answer, Vec<SkippedItem>), PathError> {
        read_pruning(value)
    }

    #[test]
    fn bad_items_of_nested_lists_are_removed_at_hex_s_indices() {
        let (answer, skipped) = read(json!({
            "message": "ok",
            "warnings": [
                {"path": "a", "code": 1},
                {"path": "b", "code": -1},
                {"id": "w3", "path": "c", "code": "secret"},
                {"path": "d", "code": 4},
                {"code": 5}
            ],
            "groups": [["x", 1], ["y"], [2, "z"]]
        }))
        .unwrap();
        let paths: Vec<&str> = answer.warnings.iter().map(|w| w.path.as_str()).collect();
        assert_eq!(paths, ["a", "d"]);
        assert_eq!(answer.groups, [vec!["x"], vec!["y"], vec!["z"]]);
        let at: Vec<(Option<&str>, usize, Option<&str>)> = skipped
            .iter()
            .map(|s| (s.list.as_deref(), s.index, s.id.as_deref()))
            .collect();
        assert_eq!(
            at,
            [
                (Some("warnings"), 1, None),
                (Some("warnings"), 2, Some("w3")),
                (Some("warnings"), 4, None),
                (Some("groups[0]"), 1, None),
                (Some("groups[2]"), 0, None),
            ]
        );
        assert!(
            skipped[0].reason.starts_with("code: invalid value"),
            "{skipped:?}"
        );
        assert!(!skipped[1].reason.contains("secret"), "{skipped:?}");
        assert!(
            skipped[2].reason.contains("missing field `path`"),
            "{skipped:?}"
        );
    }

    #[test]
    fn a_mismatch_outside_any_list_item_fails_the_whole_answer() {
        let error = read(json!({"message": 3, "warnings": []})).unwrap_err();
        assert_eq!(error.path().to_string(), "message");
        let error = read(json!({"message": "ok", "warnings": {"path": "a"}})).unwrap_err();
        assert_eq!(error.path().to_string(), "warnings");
    }

    #[test]
    fn an_answer_with_more_bad_items_than_the_cap_fails_with_its_first_error() {
        let bad: Vec<Value> = (0..=MAX_PRUNED).map(|_| json!({"path": 1})).collect();
        let error = read(json!({"message": "ok", "warnings": bad})).unwrap_err();
        assert_eq!(error.path().to_string(), "warnings[0].path");
    }
}
