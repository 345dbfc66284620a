//! Runs: RunProject, GetRunStatus, GetProjectRuns, CancelRun, GetChartImageFromRun.

use super::{MAX_PAGE_SIZE, check_limit};
use crate::client::HexClient;
use crate::error::HexError;
use crate::operations::Operation;
use crate::retry::Repeat;
use crate::transport::{Call, Op, id};
use crate::wire::Query;

pub use super::results_types::{CHART_SIZE_RANGE, ChartImageParams};
pub use super::runs_types::*;

// A second POST would start a second run: never repeated.
const RUN: Op = Op::create(Operation::RunProject);
const STATUS: Op = Op::get(Operation::GetRunStatus);
const LIST: Op = Op::get(Operation::GetProjectRuns);
// Cancelling twice cannot cancel anything else.
const CANCEL: Op = Op::new(Operation::CancelRun, Repeat::Safe);
const CHART: Op = Op::get(Operation::GetChartImageFromRun);

/// Run operations; get one with [`HexClient::runs`].
#[derive(Debug, Clone, Copy)]
pub struct Runs<'a> {
    pub(crate) client: &'a HexClient,
}

impl Runs<'_> {
    /// RunProject (201): runs the latest published version. Sent exactly once: a 429 or 503 comes
    /// back at once as [`HexError::RateLimited`] / [`HexError::Unavailable`].
    pub async fn run(
        &self,
        project_id: &str,
        request: &RunProjectRequest,
    ) -> Result<ProjectRun, HexError> {
        if request.input_params.is_some() && request.view_id.is_some() {
            return Err(HexError::invalid_input(
                "inputParams and viewId cannot be used together",
            ));
        }
        let mut call =
            Call::at(&["projects", id("projectId", project_id)?, "runs"]).json(request)?;
        if let Some(flags) = &request.flag_config_override {
            call = call.header("flag-config-override", flags)?;
        }
        self.client.send_json(&RUN, call).await
    }

    /// GetRunStatus.
    pub async fn status(
        &self,
        project_id: &str,
        run_id: &str,
        params: &GetRunStatusParams,
    ) -> Result<RunStatus, HexError> {
        let mut call = Call::at(&[
            "projects",
            id("projectId", project_id)?,
            "runs",
            id("runId", run_id)?,
        ]);
        if params.expanded_stats {
            call = call.header("enable-expanded-stats", "true")?;
        }
        self.client.send_json(&STATUS, call).await
    }

    /// GetProjectRuns: one page (offset pagination).
    pub async fn list(
        &self,
        project_id: &str,
        params: &GetProjectRunsParams,
    ) -> Result<ProjectRuns, HexError> {
        check_limit(params.limit, MAX_PAGE_SIZE)?;
        let query = Query::new()
            .opt("limit", params.limit)
            .opt("offset", params.offset)
            .opt("statusFilter", params.status_filter.as_ref())
            .opt("runTriggerFilter", params.run_trigger_filter.as_ref());
        let call = Call::at(&["projects", id("projectId", project_id)?, "runs"]).query(query);
        self.client.send_json(&LIST, call).await
    }

    /// CancelRun (204).
    pub async fn cancel(&self, project_id: &str, run_id: &str) -> Result<(), HexError> {
        let call = Call::at(&[
            "projects",
            id("projectId", project_id)?,
            "runs",
            id("runId", run_id)?,
        ]);
        self.client.send_empty(&CANCEL, call).await
    }

    /// GetChartImageFromRun: a chart cell (by its static id) as rendered in a run; the run must
    /// have completed and the chart must have run without error.
    pub async fn chart_image(
        &self,
        project_id: &str,
        run_id: &str,
        static_id: &str,
        params: &ChartImageParams,
    ) -> Result<RunChartImage, HexError> {
        let call = Call::at(&[
            "projects",
            id("projectId", project_id)?,
            "runs",
            id("runId", run_id)?,
            "cells",
            id("staticId", static_id)?,
            "image",
        ])
        .query(params.query()?);
        self.client.send_json(&CHART, call).await
    }
}
