//! Cells of a project's draft notebook (never the published app): list, read, create, change
//! and delete them.

use hex_client::Operation;
use hex_client::api::cells::{
    Cell, CellContents, CellLocation, CellType, CreateCellRequest, ListCellsParams,
    NewCellContents, NewSource, NewSqlCell, UpdateCellContents, UpdateCellRequest, UpdateSqlCell,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use super::{common::page_output, vocab::MAX_PAGE_SIZE};
use crate::subject::Subject;
use crate::{
    context::ToolContext,
    errors::ToolError,
    input::{HexId, input_enum},
    output::{cut_text, to_output},
    registry::{Confirm, Effect, HexTool, RegisteredTool, ToolResult, ToolSpec, Toolset},
};

pub fn tools() -> Vec<RegisteredTool> {
    vec![
        RegisteredTool::of::<ListCells>(),
        RegisteredTool::of::<GetCell>(),
        RegisteredTool::of::<CreateCell>(),
        RegisteredTool::of::<UpdateCell>(),
        RegisteredTool::of::<DeleteCell>(),
    ]
}

input_enum!(
    /// The cell types CreateCell accepts.
    NewCellKind: hex_client::api::cells::NewCellType { Code, Sql, Markdown }
);

fn cell_error(error: hex_client::HexError, cell_id: &HexId) -> ToolError {
    ToolError::from(error).about("cell", cell_id, "list_hex_cells")
}

/// A cell with every source longer than `max_chars` cut, the marker saying how to get all of it.
fn with_cut_source(mut cell: Cell, max_chars: usize) -> Cell {
    let how = format!("get_hex_cell with cell_id {} returns all of it", cell.id);
    let cut = |source: &mut String| *source = cut_text(source, max_chars, &how);
    let CellContents {
        markdown_cell,
        sql_cell,
        code_cell,
        ..
    } = &mut cell.contents;
    if let Some(sql) = sql_cell {
        cut(&mut sql.source);
    }
    for source in [markdown_cell, code_cell].into_iter().flatten() {
        cut(&mut source.source);
    }
    cell
}

// ---------------------------------------------------------------------------------------------

pub struct ListCells;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListCellsInput {
    project_id: HexId,
    #[schemars(range(min = 1, max = MAX_PAGE_SIZE))]
    limit: Option<u32>,
    after: Option<String>,
    before: Option<String>,
}

impl HexTool for ListCells {
    type Input = ListCellsInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "list_hex_cells",
        title: "List cells",
        description: "A project's draft cells in order, with their source (long ones cut).",
        toolset: Toolset::Cells,
        effect: Effect::READ,
        operations: &[Operation::ListCells],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let params = ListCellsParams {
            project_id: input.project_id.to_string(),
            limit: Some(input.limit.unwrap_or(25).clamp(1, MAX_PAGE_SIZE)),
            after: input.after,
            before: input.before,
        };
        let page = ctx.hex()?.cells().list(&params).await.map_err(|error| {
            ToolError::from(error).about("project", &input.project_id, "search_hex_projects")
        })?;
        let max_chars = ctx.limits().list_text_chars;
        page_output(page, |cell| ListedCell(with_cut_source(cell, max_chars)))
    }
}

/// A cell in a list: Hex's fields without the project id (the one asked for).
struct ListedCell(Cell);

impl serde::Serialize for ListedCell {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut value = serde_json::to_value(&self.0).map_err(serde::ser::Error::custom)?;
        if let Some(object) = value.as_object_mut() {
            object.remove("projectId");
        }
        value.serialize(serializer)
    }
}

// ---------------------------------------------------------------------------------------------

pub struct GetCell;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetCellInput {
    cell_id: HexId,
}

impl HexTool for GetCell {
    type Input = GetCellInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "get_hex_cell",
        title: "Get a cell",
        description: "One draft cell with its full source.",
        toolset: Toolset::Cells,
        effect: Effect::READ,
        operations: &[Operation::GetCell],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let cell = ctx
            .hex()?
            .cells()
            .get(input.cell_id.as_str())
            .await
            .map_err(|error| cell_error(error, &input.cell_id))?;
        to_output(&cell)
    }
}

// ---------------------------------------------------------------------------------------------

pub struct CreateCell;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCellInput {
    project_id: HexId,
    cell_type: NewCellKind,
    source: String,
    label: Option<String>,
    data_connection_id: Option<HexId>,
    output_dataframe: Option<String>,
    insert_after_cell_id: Option<HexId>,
}

impl CreateCellInput {
    fn request(self) -> Result<CreateCellRequest, ToolError> {
        if self.cell_type != NewCellKind::Sql {
            for (field, given) in [
                ("data_connection_id", self.data_connection_id.is_some()),
                ("output_dataframe", self.output_dataframe.is_some()),
            ] {
                if given {
                    return Err(ToolError::input(field, "only applies to SQL cells"));
                }
            }
        }
        let source = self.source;
        let contents = match self.cell_type {
            NewCellKind::Sql => NewCellContents {
                sql_cell: Some(NewSqlCell {
                    source,
                    data_connection_id: self.data_connection_id.map(|id| id.to_string()),
                    output_dataframe: self.output_dataframe,
                    is_dataframe_sql: None,
                }),
                ..NewCellContents::default()
            },
            NewCellKind::Code => NewCellContents {
                code_cell: Some(NewSource { source }),
                ..NewCellContents::default()
            },
            NewCellKind::Markdown => NewCellContents {
                markdown_cell: Some(NewSource { source }),
                ..NewCellContents::default()
            },
        };
        Ok(CreateCellRequest {
            project_id: self.project_id.to_string(),
            cell_type: self.cell_type.into(),
            contents,
            label: self.label,
            location: self.insert_after_cell_id.map(|id| CellLocation {
                insert_after_cell_id: Some(id.to_string()),
                ..CellLocation::default()
            }),
        })
    }
}

impl HexTool for CreateCell {
    type Input = CreateCellInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "create_hex_cell",
        title: "Create a cell",
        description: "Add a SQL, CODE (Python) or MARKDOWN cell to a project's draft.",
        toolset: Toolset::Cells,
        effect: Effect::CREATE,
        operations: &[Operation::CreateCell],
        confirm: Confirm::Never,
    };

    const CREATED_CHECK: &'static str = "look for the cell with list_hex_cells on the project";

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let project_id = input.project_id.clone();
        let request = input.request()?;
        let cell = ctx.hex()?.cells().create(&request).await.map_err(|error| {
            ToolError::from(error).about("project", &project_id, "search_hex_projects")
        })?;
        to_output(&with_cut_source(cell, ctx.limits().list_text_chars))
    }
}

// ---------------------------------------------------------------------------------------------

pub struct UpdateCell;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCellInput {
    cell_id: HexId,
    sql_source: Option<String>,
    code_source: Option<String>,
    markdown_source: Option<String>,
    data_connection_id: Option<HexId>,
    clear_data_connection: Option<bool>,
}

impl UpdateCellInput {
    /// The seed's rules: one source at most, something to change, and "" counts as given.
    fn request(&self) -> Result<UpdateCellRequest, ToolError> {
        let sources = [
            ("sql_source", &self.sql_source),
            ("code_source", &self.code_source),
            ("markdown_source", &self.markdown_source),
        ];
        let mut given = sources.iter().filter(|(_, source)| source.is_some());
        let first = given.next();
        if let (Some((first, _)), Some((second, _))) = (first, given.next()) {
            return Err(ToolError::input(
                *second,
                format!(
                    "cannot update both {first} and {second}: a cell has one source, give the one matching its cellType"
                ),
            ));
        }
        let clear = self.clear_data_connection == Some(true);
        if clear && self.data_connection_id.is_some() {
            return Err(ToolError::input(
                "clear_data_connection",
                "cannot be combined with data_connection_id: set a connection or clear it",
            ));
        }
        let contents = first.map(|(field, source)| {
            let source = source.as_deref().unwrap_or_default().to_owned();
            match *field {
                "sql_source" => UpdateCellContents {
                    sql_cell: Some(UpdateSqlCell {
                        source,
                        output_dataframe: None,
                    }),
                    ..UpdateCellContents::default()
                },
                "code_source" => UpdateCellContents {
                    code_cell: Some(NewSource { source }),
                    ..UpdateCellContents::default()
                },
                _ => UpdateCellContents {
                    markdown_cell: Some(NewSource { source }),
                    ..UpdateCellContents::default()
                },
            }
        });
        let data_connection_id = match (&self.data_connection_id, clear) {
            (Some(id), _) => Some(Some(id.to_string())),
            (None, true) => Some(None),
            (None, false) => None,
        };
        if contents.is_none() && data_connection_id.is_none() {
            return Err(ToolError::input(
                "",
                "nothing to update: give at least one of sql_source, code_source, markdown_source, data_connection_id or clear_data_connection",
            ));
        }
        Ok(UpdateCellRequest {
            contents,
            data_connection_id,
        })
    }
}

impl UpdateCellInput {
    /// The source parameter given, if any (request() has refused more than one).
    fn given_source(&self) -> Option<&'static str> {
        [
            ("sql_source", &self.sql_source),
            ("code_source", &self.code_source),
            ("markdown_source", &self.markdown_source),
        ]
        .into_iter()
        .find_map(|(field, source)| source.as_ref().map(|_| field))
    }
}

/// The source parameter a cell of this type takes; `None` for types without one of ours (a
/// chart, an input, a type Hex added later), which are left to Hex to judge.
fn source_field(cell_type: &CellType) -> Option<&'static str> {
    match cell_type {
        CellType::Sql => Some("sql_source"),
        CellType::Code => Some("code_source"),
        CellType::Markdown => Some("markdown_source"),
        _ => None,
    }
}

/// Refuses a source parameter that does not match the cell's type, naming the one that does.
fn check_source_field(given: &'static str, cell: &Cell) -> Result<(), ToolError> {
    match source_field(&cell.cell_type) {
        Some(expected) if expected != given => Err(ToolError::input(
            given,
            format!(
                "cell {} is a {} cell: give its new source as {expected}, not {given}",
                cell.id, cell.cell_type
            ),
        )),
        _ => Ok(()),
    }
}

impl HexTool for UpdateCell {
    type Input = UpdateCellInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "update_hex_cell",
        title: "Update a cell",
        description: "Replace a draft cell's source and/or a SQL cell's connection.",
        toolset: Toolset::Cells,
        effect: Effect::OVERWRITE,
        operations: &[Operation::GetCell, Operation::UpdateCell],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let request = input.request()?;
        let hex = ctx.hex()?;
        // Hex refuses a source that does not fit the cell in its own field names
        // (`contents.codeCell`); reading the cell first lets the error name ours.
        if let Some(given) = input.given_source() {
            let cell = hex
                .cells()
                .get(input.cell_id.as_str())
                .await
                .map_err(|error| cell_error(error, &input.cell_id))?;
            check_source_field(given, &cell)?;
        }
        let cell = hex
            .cells()
            .update(input.cell_id.as_str(), &request)
            .await
            .map_err(|error| cell_error(error, &input.cell_id))?;
        to_output(&with_cut_source(cell, ctx.limits().list_text_chars))
    }
}

// ---------------------------------------------------------------------------------------------

pub struct DeleteCell;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteCellInput {
    cell_id: HexId,
}

impl HexTool for DeleteCell {
    type Input = DeleteCellInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "delete_hex_cell",
        title: "Delete a cell",
        description: "Delete a cell from a project's draft; asks first.",
        toolset: Toolset::Cells,
        effect: Effect::DELETE,
        operations: &[Operation::DeleteCell],
        confirm: Confirm::WhenRisky,
    };

    fn subject(input: &Self::Input) -> Option<Subject> {
        Some(Subject::Cell(input.cell_id.to_string()))
    }

    fn risk(input: &Self::Input) -> Option<String> {
        Some(format!(
            "Permanently delete cell {} and its source from its project's draft notebook; Hex cannot restore it.",
            input.cell_id
        ))
    }

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let deleted = ctx
            .hex()?
            .cells()
            .delete(input.cell_id.as_str())
            .await
            .map_err(|error| cell_error(error, &input.cell_id))?;
        // Hex answers 200 {cellId}; an empty success (older descriptions: 204) means the same.
        let cell_id = deleted.unwrap_or_else(|| input.cell_id.to_string());
        Ok(json!({"deleted": true, "cellId": cell_id}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_client::api::cells::{CellType, SqlContents};

    fn update(value: serde_json::Value) -> Result<UpdateCellRequest, ToolError> {
        let input: UpdateCellInput = crate::input::parse(value.as_object().unwrap().clone())?;
        input.request()
    }

    const ID: &str = "3f2b7c1e-8a4d-4c2e-9b1a-0d6e5f4a3b2c";

    #[test]
    fn update_rules_follow_the_seed() {
        let both = update(json!({"cell_id": ID, "sql_source": "a", "code_source": "b"}));
        assert!(both.unwrap_err().to_string().contains("`code_source`"));
        let nothing = update(json!({"cell_id": ID, "clear_data_connection": false}));
        assert!(
            nothing
                .unwrap_err()
                .to_string()
                .contains("nothing to update")
        );
        let empty = update(json!({"cell_id": ID, "sql_source": ""})).unwrap();
        let body = serde_json::to_value(&empty).unwrap();
        assert_eq!(body, json!({"contents": {"sqlCell": {"source": ""}}}));
        let clear = update(json!({"cell_id": ID, "clear_data_connection": true})).unwrap();
        let body = serde_json::to_value(&clear).unwrap();
        assert_eq!(body, json!({"dataConnectionId": null}));
    }

    #[test]
    fn long_sources_are_cut_with_a_pointer_to_get_hex_cell() {
        let cell = Cell {
            id: ID.into(),
            static_id: ID.into(),
            cell_type: CellType::Sql,
            label: None,
            data_connection_id: None,
            contents: CellContents {
                sql_cell: Some(SqlContents {
                    source: "x".repeat(100),
                    ..SqlContents::default()
                }),
                ..CellContents::default()
            },
            project_id: ID.into(),
            extra: Default::default(),
        };
        let cut = with_cut_source(cell, 10);
        let source = cut.source().unwrap();
        assert!(source.starts_with(&"x".repeat(10)));
        assert!(source.contains("90 more characters"), "{source}");
        assert!(source.contains(&format!("get_hex_cell with cell_id {ID}")));
    }
}
