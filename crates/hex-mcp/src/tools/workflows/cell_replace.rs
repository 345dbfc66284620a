//! `replace_in_hex_cells`: find and replace across the cells `search_hex_cells` selects, and
//! optionally move the SQL ones to another data connection. The first call only plans: a
//! unified diff per cell and a `plan_id`. The same call with that `plan_id` applies the plan,
//! to the cells that have not changed since, reporting each cell; calling it again after a
//! failure or a stop applies only what is left.

use std::sync::Arc;

use hex_client::Operation;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::{
    context::ToolContext,
    errors::ToolError,
    input::HexId,
    plans::PlanError,
    registry::{Confirm, Effect, HexTool, RegisteredTool, ToolResult, ToolSpec, Toolset},
};

use super::cell_search::{
    cursor::{self, Position},
    selection::CellSelection,
};

mod apply;
mod diff;
mod plan;
mod rule;

use plan::ReplacePlan;
use rule::Rule;

pub fn tools() -> Vec<RegisteredTool> {
    vec![RegisteredTool::of::<ReplaceInCells>()]
}

pub struct ReplaceInCells;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplaceInCellsInput {
    /// Text, or a regex if regex
    pattern: String,
    #[serde(flatten)]
    selection: CellSelection,
    /// $1, ${name}: regex groups
    replacement: Option<String>,
    data_connection_id: Option<HexId>,
    /// continue_with.after
    after: Option<String>,
    plan_id: Option<String>,
}

const NAME: &str = "replace_in_hex_cells";

impl HexTool for ReplaceInCells {
    type Input = ReplaceInCellsInput;

    const SPEC: ToolSpec = ToolSpec {
        name: NAME,
        title: "Replace in cells",
        description: "Replace in the cells search_hex_cells finds, or move their SQL cells to data_connection_id. Returns diffs; apply with the plan_id.",
        toolset: Toolset::Workflows,
        effect: Effect::OVERWRITE,
        operations: &[
            Operation::UpdateCell,
            Operation::ListCells,
            Operation::ListProjects,
            Operation::GetCell,
            Operation::GetDataConnection,
        ],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        if input.replacement.is_none() && input.data_connection_id.is_none() {
            return Err(ToolError::input(
                "replacement",
                "give a replacement, a data_connection_id to move SQL cells to, or both",
            ));
        }
        let pattern = input.pattern.as_str();
        let selection = input.selection.compile(pattern).await?;
        let none = "\u{0}none";
        let replacement = input.replacement.as_deref().unwrap_or(none);
        let connection = input
            .data_connection_id
            .as_ref()
            .map_or(none, HexId::as_str);
        let search = input
            .selection
            .fingerprint(pattern, &[replacement, connection]);
        let after = input.after.as_deref().unwrap_or(none);
        let arguments = input
            .selection
            .fingerprint(pattern, &[replacement, connection, after]);
        if let Some(plan_id) = &input.plan_id {
            let owner = ctx.plan_owner()?;
            let mut plan = ctx
                .plans()
                .open::<ReplacePlan>(plan_id, NAME, owner)
                .map_err(plan_error)?;
            if plan.arguments != arguments {
                return Err(ToolError::input(
                    "plan_id",
                    "this plan was made with other arguments: call with exactly the arguments that returned it, or without plan_id for a new plan",
                ));
            }
            return apply::apply(&ctx, plan_id.trim(), &mut plan).await;
        }
        let start = match &input.after {
            Some(after) => cursor::decode(&search, after)?,
            None => Position::default(),
        };
        let connection_name = match &input.data_connection_id {
            Some(id) => Some(connection_name(&ctx, id).await?),
            None => None,
        };
        let rule = Rule {
            pattern: selection.pattern.clone(),
            regex: selection.regex,
            replacement: input.replacement.clone(),
            connection: input.data_connection_id.as_ref().map(HexId::to_string),
        };
        let request = plan::Request {
            selection: &selection,
            rule: Arc::new(rule),
            search: &search,
            arguments,
            start,
            connection_name,
        };
        plan::make(&ctx, NAME, request).await
    }
}

fn plan_error(error: PlanError) -> ToolError {
    match error {
        PlanError::Unknown => ToolError::input(
            "plan_id",
            format!(
                "{}; call without plan_id to make a new plan",
                error.explain()
            ),
        ),
        PlanError::InUse | PlanError::Full => ToolError::refused(error.explain()),
    }
}

/// The name of the connection SQL cells would move to; checking it first spares a plan whose
/// every write Hex would refuse.
async fn connection_name(ctx: &ToolContext, id: &HexId) -> Result<String, ToolError> {
    let connection = ctx
        .hex()?
        .connections()
        .get(id.as_str())
        .await
        .map_err(|error| {
            ToolError::from(error).about("data connection", id, "list_hex_data_connections")
        })?;
    Ok(connection.name)
}
