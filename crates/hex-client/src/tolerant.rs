//! Lists read item by item: an item that does not read as its type is left out and reported
//! (its position, its id when it has one, and why), so one malformed item costs that item and
//! never the whole page.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

mod noted;
mod prune;

pub use noted::{NotedSkips, noting_skipped};
pub(crate) use noted::{capture, note};
pub(crate) use prune::read_pruning;

/// A list item Hex sent that could not be read, left out of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedItem {
    /// The list it was in, as a path in Hex's answer (`warnings`, `[3].schedules`: the
    /// schedules of the page's fourth item), when it is not the page's own list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<String>,
    /// Its position in the list as Hex sent it (0-based; across pages in a collected walk).
    pub index: usize,
    /// Its `id` (or `runId`, `threadId`) when that is a string, to look it up another way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What did not match: the path inside the item and the kind of mismatch. Never the
    /// item's content, which could hold anything (string values are left out).
    pub reason: String,
}

/// The items of a list that read, and the ones that did not.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tolerant<T> {
    pub(crate) items: Vec<T>,
    pub(crate) skipped: Vec<SkippedItem>,
}

impl<T> Default for Tolerant<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            skipped: Vec::new(),
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Tolerant<T> {
    /// A list (a `null` reads as empty), each item read on its own.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let values = Option::<Vec<Value>>::deserialize(deserializer)?.unwrap_or_default();
        Ok(read_items(values))
    }
}

/// Reads each value as a `T`, keeping those that read and reporting the others. A bad item of
/// a list inside an item costs that inner item, not the whole item.
pub(crate) fn read_items<T: DeserializeOwned>(values: Vec<Value>) -> Tolerant<T> {
    let mut read = Tolerant::default();
    for (index, value) in values.into_iter().enumerate() {
        let id = item_id(&value);
        match read_pruning::<T>(value) {
            Ok((item, inner)) => {
                read.items.push(item);
                read.skipped.extend(inner.into_iter().map(|mut skipped| {
                    skipped.list = Some(inside_item(index, skipped.list.as_deref()));
                    skipped
                }));
            }
            Err(error) => read.skipped.push(SkippedItem {
                list: None,
                index,
                id,
                reason: reason(&error),
            }),
        }
    }
    read
}

/// The path of a list inside the page's `index`th item: `[3].schedules`.
fn inside_item(index: usize, list: Option<&str>) -> String {
    match list {
        Some(list) if list.starts_with('[') => format!("[{index}]{list}"),
        Some(list) => format!("[{index}].{list}"),
        None => format!("[{index}]"),
    }
}

/// A `deserialize_with` for a list behind a serde `flatten`, where serde loses the path an
/// error happens at (so [`read_pruning`] cannot find the item): each item is read on its own,
/// and those that do not read are left out and noted (see [`noting_skipped`]) under `list`.
pub(crate) fn lenient_list<'de, D, T>(deserializer: D, list: &str) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let Tolerant { items, skipped } = Tolerant::<T>::deserialize(deserializer)?;
    note(
        skipped
            .into_iter()
            .map(|mut item| {
                item.list = Some(match item.list.take() {
                    // Inside one of the list's items: `[2].kinds` becomes `topics[2].kinds`.
                    Some(inner) => format!("{list}{inner}"),
                    None => list.to_owned(),
                });
                item
            })
            .collect(),
    );
    Ok(items)
}

/// The longest id a skipped item reports (ids are short; a long one is cut, not repeated).
const MAX_ID_CHARS: usize = 100;

/// The item's own id, when it has a string one under a name Hex uses for ids.
fn item_id(value: &Value) -> Option<String> {
    ["id", "runId", "threadId"]
        .iter()
        .find_map(|key| value.get(key).and_then(Value::as_str))
        .map(|id| id.chars().take(MAX_ID_CHARS).collect())
}

fn reason(error: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let message = without_strings(&error.inner().to_string());
    let path = error.path().to_string();
    if path == "." {
        message
    } else {
        format!("{path}: {message}")
    }
}

/// Serde names a string it did not expect by quoting it (`invalid type: string "…"`); the
/// quoted text is Hex's data, which could be anything, so it is left out.
fn without_strings(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars();
    while let Some(c) = chars.next() {
        if c != '"' {
            out.push(c);
            continue;
        }
        out.push_str("\"…\"");
        let mut escaped = false;
        for inner in chars.by_ref() {
            match inner {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => break,
                _ => escaped = false,
            }
        }
    }
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Item {
        id: String,
        count: i64,
    }

    #[test]
    fn a_bad_item_is_skipped_with_its_index_id_and_path_but_not_its_content() {
        let read: Tolerant<Item> = serde_json::from_value(json!([
            {"id": "a", "count": 1},
            {"id": "b", "count": "secret \"quoted\" value"},
            {"count": 3},
            {"id": "d", "count": 4}
        ]))
        .unwrap();
        let ids: Vec<&str> = read.items.iter().map(|item| item.id.as_str()).collect();
        assert_eq!(ids, ["a", "d"]);
        assert_eq!(read.skipped.len(), 2);
        let bad = &read.skipped[0];
        assert_eq!((bad.index, bad.id.as_deref()), (1, Some("b")));
        assert!(
            bad.reason.starts_with("count: invalid type: string"),
            "{}",
            bad.reason
        );
        assert!(!bad.reason.contains("secret"), "{}", bad.reason);
        let missing = &read.skipped[1];
        assert_eq!((missing.index, missing.id.as_deref()), (2, None));
        assert!(
            missing.reason.contains("missing field `id`"),
            "{}",
            missing.reason
        );
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Project {
        id: String,
        tags: Vec<Item>,
    }

    #[test]
    fn a_bad_item_inside_an_item_costs_only_itself() {
        let read: Tolerant<Project> = serde_json::from_value(json!([
            {"id": "p1", "tags": [{"id": "t1", "count": 1}, {"id": "t2", "count": "x"}]},
            {"id": "p2", "tags": []}
        ]))
        .unwrap();
        assert_eq!(read.items.len(), 2);
        assert_eq!(
            read.items[0].tags,
            [Item {
                id: "t1".into(),
                count: 1
            }]
        );
        let skipped = &read.skipped[..];
        assert_eq!(skipped.len(), 1, "{skipped:?}");
        assert_eq!(skipped[0].list.as_deref(), Some("[0].tags"));
        assert_eq!(
            (skipped[0].index, skipped[0].id.as_deref()),
            (1, Some("t2"))
        );
    }

    #[test]
    fn null_reads_as_an_empty_list() {
        let read: Tolerant<Item> = serde_json::from_value(Value::Null).unwrap();
        assert!(read.items.is_empty() && read.skipped.is_empty());
    }
}
