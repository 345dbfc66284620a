//! Types of the cells operations (requests, responses, enums), re-exported by `api::cells`.

use serde::{Deserialize, Serialize};

use super::cursor_params;
use crate::wire::{Extra, wire_enum};

wire_enum! {
    /// `CellType` as read.
    CellType {
        Code = "CODE", Markdown = "MARKDOWN", DisplayTable = "DISPLAY_TABLE", Input = "INPUT", Sql = "SQL",
        VegaChart = "VEGA_CHART", CellGroup = "CELL_GROUP", Metric = "METRIC", Text = "TEXT", Map = "MAP",
        Writeback = "WRITEBACK", DbtMetric = "DBT_METRIC", Pivot = "PIVOT", Filter = "FILTER",
        ComponentImport = "COMPONENT_IMPORT", Chart = "CHART", Block = "BLOCK", Explore = "EXPLORE",
        Collapsible = "COLLAPSIBLE",
    }
}

wire_enum! {
    /// The cell types CreateCell accepts.
    NewCellType { Code = "CODE", Sql = "SQL", Markdown = "MARKDOWN" }
}

wire_enum! {
    /// Where a new cell goes among its parent's children.
    ChildPosition { First = "FIRST", Last = "LAST" }
}

/// A cell (`CellApiResource`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cell {
    /// Version-scoped id.
    pub id: String,
    /// Id stable across versions.
    pub static_id: String,
    /// Kind of cell.
    pub cell_type: CellType,
    /// Label (nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Data connection of a SQL cell (nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_connection_id: Option<String>,
    /// Source, for the cell types that have one.
    #[serde(default)]
    pub contents: CellContents,
    /// Project id.
    pub project_id: String,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `contents`: the entry matching the cell type is set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CellContents {
    /// Markdown source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub markdown_cell: Option<SourceContents>,
    /// SQL source and output dataframe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql_cell: Option<SqlContents>,
    /// Python source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_cell: Option<SourceContents>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{source}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceContents {
    /// The source text.
    pub source: String,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{source, outputDataframe}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SqlContents {
    /// The SQL.
    pub source: String,
    /// Name of the dataframe the query writes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_dataframe: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Cell {
    /// The cell's source, whatever its type (`None` for cells without source).
    pub fn source(&self) -> Option<&str> {
        let c = &self.contents;
        c.sql_cell
            .as_ref()
            .map(|s| s.source.as_str())
            .or_else(|| c.code_cell.as_ref().map(|s| s.source.as_str()))
            .or_else(|| c.markdown_cell.as_ref().map(|s| s.source.as_str()))
    }
}

/// DeleteCell's answer: `{cellId}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DeletedCell {
    #[serde(default)]
    pub(crate) cell_id: Option<String>,
}

/// ListCells parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListCellsParams {
    /// The project (required).
    pub project_id: String,
    /// Cells per page (1..=100).
    pub limit: Option<u32>,
    /// Cursor for the next page.
    pub after: Option<String>,
    /// Cursor for the previous page.
    pub before: Option<String>,
}

cursor_params!(ListCellsParams);

impl ListCellsParams {
    /// The first page of a project's cells.
    pub fn new(project_id: impl Into<String>) -> Self {
        Self {
            project_id: project_id.into(),
            ..Self::default()
        }
    }
}

/// CreateCell body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateCellRequest {
    /// Project.
    pub project_id: String,
    /// `CODE`, `SQL` or `MARKDOWN`.
    pub cell_type: NewCellType,
    /// The new cell's source.
    pub contents: NewCellContents,
    /// Label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Position (omitted: at the end).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<CellLocation>,
}

impl CreateCellRequest {
    /// A SQL cell, optionally on a data connection.
    pub fn sql(
        project_id: impl Into<String>,
        source: impl Into<String>,
        data_connection_id: Option<String>,
    ) -> Self {
        let sql = NewSqlCell {
            source: source.into(),
            data_connection_id,
            ..NewSqlCell::default()
        };
        Self::with(
            project_id,
            NewCellType::Sql,
            NewCellContents {
                sql_cell: Some(sql),
                ..Default::default()
            },
        )
    }

    /// A Python cell.
    pub fn code(project_id: impl Into<String>, source: impl Into<String>) -> Self {
        let code = NewSource {
            source: source.into(),
        };
        Self::with(
            project_id,
            NewCellType::Code,
            NewCellContents {
                code_cell: Some(code),
                ..Default::default()
            },
        )
    }

    /// A Markdown cell.
    pub fn markdown(project_id: impl Into<String>, source: impl Into<String>) -> Self {
        let markdown = NewSource {
            source: source.into(),
        };
        Self::with(
            project_id,
            NewCellType::Markdown,
            NewCellContents {
                markdown_cell: Some(markdown),
                ..Default::default()
            },
        )
    }

    fn with(
        project_id: impl Into<String>,
        cell_type: NewCellType,
        contents: NewCellContents,
    ) -> Self {
        Self {
            project_id: project_id.into(),
            cell_type,
            contents,
            label: None,
            location: None,
        }
    }
}

/// CreateCell `contents`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewCellContents {
    /// Python.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_cell: Option<NewSource>,
    /// SQL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql_cell: Option<NewSqlCell>,
    /// Markdown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub markdown_cell: Option<NewSource>,
}

/// `{source}` in a write.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NewSource {
    /// The source text.
    pub source: String,
}

/// A new SQL cell.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewSqlCell {
    /// The SQL.
    pub source: String,
    /// Connection to query (not with `isDataframeSql`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_connection_id: Option<String>,
    /// Dataframe name for the result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_dataframe: Option<String>,
    /// Query other cells' dataframes instead of a warehouse.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_dataframe_sql: Option<bool>,
}

/// Where to insert a new cell.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CellLocation {
    /// Insert after this cell (same project).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insert_after_cell_id: Option<String>,
    /// Insert inside this cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_cell_id: Option<String>,
    /// First or last child (Hex's default last).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child_position: Option<ChildPosition>,
}

/// UpdateCell body. `data_connection_id`: `None` leaves it, `Some(None)` sends `null` (clears it),
/// `Some(Some(id))` sets it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateCellRequest {
    /// New source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contents: Option<UpdateCellContents>,
    /// New data connection, or `null` to clear.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_connection_id: Option<Option<String>>,
}

/// UpdateCell `contents`: set the entry matching the cell's type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateCellContents {
    /// Python.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_cell: Option<NewSource>,
    /// SQL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql_cell: Option<UpdateSqlCell>,
    /// Markdown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub markdown_cell: Option<NewSource>,
}

/// `{source, outputDataframe?}` of an updated SQL cell.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateSqlCell {
    /// The SQL.
    pub source: String,
    /// Dataframe name for the result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_dataframe: Option<String>,
}

impl UpdateCellRequest {
    /// New SQL.
    pub fn sql(source: impl Into<String>) -> Self {
        let sql = UpdateSqlCell {
            source: source.into(),
            output_dataframe: None,
        };
        Self {
            contents: Some(UpdateCellContents {
                sql_cell: Some(sql),
                ..Default::default()
            }),
            data_connection_id: None,
        }
    }

    /// New Python.
    pub fn code(source: impl Into<String>) -> Self {
        let code = NewSource {
            source: source.into(),
        };
        Self {
            contents: Some(UpdateCellContents {
                code_cell: Some(code),
                ..Default::default()
            }),
            data_connection_id: None,
        }
    }

    /// New Markdown.
    pub fn markdown(source: impl Into<String>) -> Self {
        let markdown = NewSource {
            source: source.into(),
        };
        Self {
            contents: Some(UpdateCellContents {
                markdown_cell: Some(markdown),
                ..Default::default()
            }),
            data_connection_id: None,
        }
    }

    /// Also sets the data connection.
    #[must_use]
    pub fn with_data_connection(mut self, data_connection_id: impl Into<String>) -> Self {
        self.data_connection_id = Some(Some(data_connection_id.into()));
        self
    }

    /// Also clears the data connection (sends `dataConnectionId: null`).
    #[must_use]
    pub fn clear_data_connection(mut self) -> Self {
        self.data_connection_id = Some(None);
        self
    }
}

/// A chart as it appears in the Logic view (GetChartImageFromLogic).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CellChartImage {
    /// The cell.
    pub cell_id: String,
    /// PNG, base64.
    pub image_base64: String,
    /// E.g. `image/png`.
    pub mime_type: String,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}
