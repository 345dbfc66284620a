//! Cells of a project's draft (never the published app): ListCells, GetCell, CreateCell, UpdateCell,
//! DeleteCell, GetCellOutput, GetChartImageFromLogic.

use super::{MAX_PAGE_SIZE, cursor_query, walk};
use crate::client::HexClient;
use crate::error::HexError;
use crate::operations::Operation;
use crate::pagination::{Page, PageCaps, Paginator};
use crate::retry::Repeat;
use crate::transport::{Call, Op, id};

pub use super::cells_types::*;
pub use super::results_types::{
    CHART_SIZE_RANGE, CellOutput, CellResult, CellRunError, ChartImageParams, OutputCell,
    OutputColumn, TableResult, TotalRowsKind,
};

const LIST: Op = Op::get(Operation::ListCells);
const GET: Op = Op::get(Operation::GetCell);
const CREATE: Op = Op::create(Operation::CreateCell);
// Setting the same source twice leaves the same cell.
const UPDATE: Op = Op::new(Operation::UpdateCell, Repeat::Safe);
// A repeated delete cannot delete anything else (it may answer 404).
const DELETE: Op = Op::new(Operation::DeleteCell, Repeat::Safe);
const OUTPUT: Op = Op::get(Operation::GetCellOutput);
const CHART: Op = Op::get(Operation::GetChartImageFromLogic);

/// Cell operations; get one with [`HexClient::cells`].
#[derive(Debug, Clone, Copy)]
pub struct Cells<'a> {
    pub(crate) client: &'a HexClient,
}

impl Cells<'_> {
    /// ListCells: one page.
    pub async fn list(&self, params: &ListCellsParams) -> Result<Page<Cell>, HexError> {
        let project_id = id("projectId", &params.project_id)?;
        let query = cursor_query(
            params.limit,
            params.after.as_deref(),
            params.before.as_deref(),
            MAX_PAGE_SIZE,
        )?
        .opt("projectId", Some(project_id));
        self.client
            .send_json(&LIST, Call::at(&["cells"]).query(query))
            .await
    }

    /// ListCells: every page, lazily, within `caps`.
    pub fn pages(&self, params: ListCellsParams, caps: PageCaps) -> Paginator<Cell> {
        walk(
            self.client,
            params,
            caps,
            MAX_PAGE_SIZE,
            |client, params| async move { client.cells().list(&params).await },
        )
    }

    /// GetCell.
    pub async fn get(&self, cell_id: &str) -> Result<Cell, HexError> {
        self.client
            .send_json(&GET, Call::at(&["cells", id("cellId", cell_id)?]))
            .await
    }

    /// CreateCell (201). Never retried.
    pub async fn create(&self, request: &CreateCellRequest) -> Result<Cell, HexError> {
        id("projectId", &request.project_id)?;
        if let Some(sql) = &request.contents.sql_cell
            && sql.is_dataframe_sql == Some(true)
            && sql.data_connection_id.is_some()
        {
            return Err(HexError::invalid_input(
                "isDataframeSql cannot be combined with dataConnectionId",
            ));
        }
        self.client
            .send_json(&CREATE, Call::at(&["cells"]).json(request)?)
            .await
    }

    /// UpdateCell.
    pub async fn update(
        &self,
        cell_id: &str,
        request: &UpdateCellRequest,
    ) -> Result<Cell, HexError> {
        if request.contents.is_none() && request.data_connection_id.is_none() {
            return Err(HexError::invalid_input(
                "nothing to update: set contents or dataConnectionId",
            ));
        }
        let call = Call::at(&["cells", id("cellId", cell_id)?]).json(request)?;
        self.client.send_json(&UPDATE, call).await
    }

    /// DeleteCell: 200 `{cellId}` (the id Hex deleted); an empty answer (204, as older
    /// descriptions had it) reads as `None`. Permanent.
    pub async fn delete(&self, cell_id: &str) -> Result<Option<String>, HexError> {
        let answer: Option<DeletedCell> = self
            .client
            .send_optional_json(&DELETE, Call::at(&["cells", id("cellId", cell_id)?]))
            .await?;
        Ok(answer.and_then(|answer| answer.cell_id))
    }

    /// GetCellOutput (unstable in Hex): the latest output preview of a SQL cell in the draft
    /// notebook session. `cell_id` is the cell's id or its static id.
    pub async fn output(&self, cell_id: &str) -> Result<CellOutput, HexError> {
        self.client
            .send_json(
                &OUTPUT,
                Call::at(&["cells", id("cellId", cell_id)?, "output"]),
            )
            .await
    }

    /// GetChartImageFromLogic: a chart cell as the draft notebook renders it. `cell_id` is the
    /// version-scoped id or the static id (resolved within the draft).
    pub async fn chart_image(
        &self,
        cell_id: &str,
        params: &ChartImageParams,
    ) -> Result<CellChartImage, HexError> {
        let call = Call::at(&["cells", id("cellId", cell_id)?, "image"]).query(params.query()?);
        self.client.send_json(&CHART, call).await
    }
}
