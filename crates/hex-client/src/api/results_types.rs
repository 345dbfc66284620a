//! Types of query results and charts (GetCellOutput, GetChartImageFromLogic,
//! GetChartImageFromRun), re-exported by `api::cells` and `api::runs`.
//!
//! GetCellOutput is marked unstable by Hex ("may make breaking changes without notice"), so its
//! types are read more tolerantly still than the rest: every field but the ids may be missing,
//! numbers are `f64`, a row value that is not a string is kept as its JSON text, and a result of
//! a type this client does not know is kept whole.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::cells::CellType;
use crate::error::HexError;
use crate::wire::{Extra, Query, wire_enum};

/// The pixel bounds Hex gives `width` and `height` of chart images.
pub const CHART_SIZE_RANGE: std::ops::RangeInclusive<u32> = 100..=2000;

wire_enum! {
    /// Whether `totalRows` is exact, a lower bound or unknown.
    TotalRowsKind { Exact = "EXACT", LowerBound = "LOWER_BOUND", TotalUnknown = "UNKNOWN" }
}

/// GetCellOutput's answer: the latest output of a SQL cell in the draft notebook session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CellOutput {
    /// The cell's project.
    #[serde(default)]
    pub project_id: String,
    /// The notebook session run that produced the output.
    #[serde(default)]
    pub run_id: String,
    /// Which cell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell: Option<OutputCell>,
    /// A table, an error, or a kind of result this client does not know.
    pub result: CellResult,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{id, staticId, cellType}` of the cell an output belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputCell {
    /// Version-scoped id.
    #[serde(default)]
    pub id: String,
    /// Id stable across versions.
    #[serde(default)]
    pub static_id: String,
    /// Kind of cell (SQL for outputs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell_type: Option<CellType>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `result`, told apart by its `type`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum CellResult {
    /// `type: "table"`: the preview rows.
    Table(TableResult),
    /// `type: "cell_run_error"`: the cell failed.
    Error(CellRunError),
    /// Any other `type` (or a result that did not read as its type), kept as sent.
    Unknown(Value),
}

impl<'de> Deserialize<'de> for CellResult {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let parsed = match value.get("type").and_then(Value::as_str) {
            Some("table") => TableResult::deserialize(&value).ok().map(CellResult::Table),
            Some("cell_run_error") => CellRunError::deserialize(&value)
                .ok()
                .map(CellResult::Error),
            _ => None,
        };
        Ok(parsed.unwrap_or(CellResult::Unknown(value)))
    }
}

/// The preview of a query's result. Row values are strings whatever the column type (Hex sends
/// them so for lossless transport); read them with `columns[].type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableResult {
    /// The most rows the preview holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_limit: Option<f64>,
    /// How many rows this answer carries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows_returned: Option<f64>,
    /// Rows of the whole result (nullable; see `total_rows_kind`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_rows: Option<f64>,
    /// Exact, a lower bound or unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_rows_kind: Option<TotalRowsKind>,
    /// Whether rows were cut at `row_limit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncated: Option<bool>,
    /// Column names and warehouse types, in order.
    #[serde(default)]
    pub columns: Vec<OutputColumn>,
    /// One map per row, keyed by column name.
    #[serde(default, deserialize_with = "lenient_rows")]
    pub rows: Vec<BTreeMap<String, Option<String>>>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A column of a table result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputColumn {
    /// Column name (the key in each row).
    #[serde(default)]
    pub name: String,
    /// The warehouse's type name, free text (e.g. `NUMBER(38,0)`, `TIMESTAMP_NTZ`).
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `type: "cell_run_error"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellRunError {
    /// What went wrong.
    #[serde(default)]
    pub message: String,
    /// The traceback (nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traceback: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Rows whose values should be strings or null; a number, boolean or nested value is kept as its
/// JSON text instead of failing the whole answer, and a row that is not an object is skipped.
fn lenient_rows<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<BTreeMap<String, Option<String>>>, D::Error> {
    let rows = Option::<Vec<Value>>::deserialize(deserializer)?.unwrap_or_default();
    Ok(rows
        .into_iter()
        .filter_map(|row| match row {
            Value::Object(map) => Some(
                map.into_iter()
                    .map(|(key, value)| (key, value_text(value)))
                    .collect(),
            ),
            _ => None,
        })
        .collect())
}

fn value_text(value: Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(text),
        other => Some(other.to_string()),
    }
}

/// `width`, `height` (both or neither, each 100..=2000 pixels) and `includeTitle` of the chart
/// image operations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChartImageParams {
    /// Width in pixels.
    pub width: Option<u32>,
    /// Height in pixels.
    pub height: Option<u32>,
    /// Draw the chart's title.
    pub include_title: Option<bool>,
}

impl ChartImageParams {
    /// Hex applies a size only when both are given, so one alone is refused rather than silently
    /// ignored; sizes outside 100..=2000 are refused before sending.
    pub(crate) fn query(&self) -> Result<Query, HexError> {
        match (self.width, self.height) {
            (Some(_), None) | (None, Some(_)) => {
                return Err(HexError::invalid_input(
                    "give both width and height, or neither (Hex applies a size only when both are set)",
                ));
            }
            (Some(w), Some(h))
                if !CHART_SIZE_RANGE.contains(&w) || !CHART_SIZE_RANGE.contains(&h) =>
            {
                return Err(HexError::invalid_input(format!(
                    "width and height must be between 100 and 2000 pixels (got {w}×{h})"
                )));
            }
            _ => {}
        }
        Ok(Query::new()
            .opt("width", self.width)
            .opt("height", self.height)
            .opt("includeTitle", self.include_title))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_result_types_and_odd_values_are_kept() {
        let output: CellOutput = serde_json::from_str(
            r#"{"projectId":"p","runId":"r","cell":{"id":"c","staticId":"s","cellType":"SQL"},
               "result":{"type":"table","rowLimit":1000,"rowsReturned":2,"totalRows":null,
                 "totalRowsKind":"SOMETIMES","truncated":false,
                 "columns":[{"name":"n","type":"NUMBER"}],
                 "rows":[{"n":"1"},{"n":2.5},{"n":null},[1]]}}"#,
        )
        .unwrap();
        let CellResult::Table(table) = &output.result else {
            panic!("not a table: {:?}", output.result);
        };
        assert_eq!(table.row_limit, Some(1000.0));
        assert_eq!(table.total_rows, None);
        assert_eq!(
            table.total_rows_kind,
            Some(TotalRowsKind::Unknown("SOMETIMES".into()))
        );
        let values: Vec<Option<&str>> = table.rows.iter().map(|r| r["n"].as_deref()).collect();
        assert_eq!(values, [Some("1"), Some("2.5"), None]);

        let other: CellOutput = serde_json::from_str(
            r#"{"projectId":"p","runId":"r","result":{"type":"chart","x":1}}"#,
        )
        .unwrap();
        assert!(matches!(other.result, CellResult::Unknown(ref v) if v["x"] == 1));
        let error: CellOutput = serde_json::from_str(
            r#"{"result":{"type":"cell_run_error","message":"boom","traceback":null}}"#,
        )
        .unwrap();
        assert!(matches!(error.result, CellResult::Error(ref e) if e.message == "boom"));
    }

    #[test]
    fn chart_sizes_come_in_pairs_within_bounds() {
        let both = ChartImageParams {
            width: Some(100),
            height: Some(2000),
            include_title: Some(true),
        };
        assert_eq!(both.query().unwrap().0.len(), 3);
        for bad in [
            (Some(400), None),
            (None, Some(400)),
            (Some(99), Some(400)),
            (Some(400), Some(2001)),
        ] {
            let params = ChartImageParams {
                width: bad.0,
                height: bad.1,
                include_title: None,
            };
            assert!(params.query().is_err(), "{bad:?}");
        }
        assert!(ChartImageParams::default().query().unwrap().0.is_empty());
    }
}
