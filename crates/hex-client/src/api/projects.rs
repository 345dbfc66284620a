//! Projects: ListProjects, GetProject, CreateProject, UpdateProject (status), ExportProject,
//! GetQueriedTables.

use super::{MAX_PAGE_SIZE, PageParams, cursor_query, walk};
use crate::client::HexClient;
use crate::error::HexError;
use crate::operations::Operation;
use crate::pagination::{Page, PageCaps, Paginator};
use crate::retry::Repeat;
use crate::transport::{Call, Op, id};

pub use super::projects_types::*;

const LIST: Op = Op::get(Operation::ListProjects);
const GET: Op = Op::get(Operation::GetProject);
const CREATE: Op = Op::create(Operation::CreateProject);
// Setting a status twice leaves the same status.
const UPDATE: Op = Op::new(Operation::UpdateProject, Repeat::Safe);
const QUERIED_TABLES: Op = Op::get(Operation::GetQueriedTables);
// A POST that only reads: exporting twice writes nothing, so a retry is safe.
const EXPORT: Op = Op::new(Operation::ExportProject, Repeat::Safe);

/// Project operations; get one with [`HexClient::projects`].
#[derive(Debug, Clone, Copy)]
pub struct Projects<'a> {
    pub(crate) client: &'a HexClient,
}

impl Projects<'_> {
    /// ListProjects: one page.
    pub async fn list(&self, params: &ListProjectsParams) -> Result<Page<Project>, HexError> {
        let query = cursor_query(
            params.limit,
            params.after.as_deref(),
            params.before.as_deref(),
            MAX_PAGE_SIZE,
        )?
        .flag("includeArchived", params.include_archived)
        .flag("includeComponents", params.include_components)
        .flag("includeTrashed", params.include_trashed)
        .flag("includeSharing", params.include_sharing)
        .many("statuses", &params.statuses)
        .many("categories", &params.categories)
        .opt("creatorEmail", params.creator_email.as_deref())
        .opt("ownerEmail", params.owner_email.as_deref())
        .opt("collectionId", params.collection_id.as_deref())
        .opt("sortBy", params.sort_by.as_ref())
        .opt("sortDirection", params.sort_direction.as_ref());
        self.client
            .send_json(&LIST, Call::at(&["projects"]).query(query))
            .await
    }

    /// ListProjects: every page, lazily, within `caps`.
    pub fn pages(&self, params: ListProjectsParams, caps: PageCaps) -> Paginator<Project> {
        walk(
            self.client,
            params,
            caps,
            MAX_PAGE_SIZE,
            |client, params| async move { client.projects().list(&params).await },
        )
    }

    /// GetProject.
    pub async fn get(
        &self,
        project_id: &str,
        params: &GetProjectParams,
    ) -> Result<Project, HexError> {
        let call = Call::at(&["projects", id("projectId", project_id)?])
            .query(crate::wire::Query::new().flag("includeSharing", params.include_sharing));
        self.client.send_json(&GET, call).await
    }

    /// CreateProject (201). Never retried.
    pub async fn create(&self, request: &CreateProjectRequest) -> Result<Project, HexError> {
        if request.title.trim().is_empty() {
            return Err(HexError::invalid_input("title must not be empty"));
        }
        self.client
            .send_json(&CREATE, Call::at(&["projects"]).json(request)?)
            .await
    }

    /// UpdateProject: sets the project's status by name, or clears it with `None`.
    pub async fn update_status(
        &self,
        project_id: &str,
        status: Option<&str>,
    ) -> Result<Project, HexError> {
        let body = UpdateProjectRequest {
            status: status.map(str::to_owned),
        };
        let call = Call::at(&["projects", id("projectId", project_id)?]).json(&body)?;
        self.client.send_json(&UPDATE, call).await
    }

    /// ExportProject: the project as `*.hex.yaml` text. Available to some organizations only.
    pub async fn export(
        &self,
        request: &ExportProjectRequest,
    ) -> Result<ExportedProject, HexError> {
        id("projectId", &request.project_id)?;
        if request.version == Some(ExportVersion::Published(0)) {
            return Err(HexError::invalid_input(
                "version must be draft, latest or a published version number from 1",
            ));
        }
        let call = Call::at(&["projects", "export"]).json(request)?;
        self.client.send_json(&EXPORT, call).await
    }

    /// GetQueriedTables: one page.
    pub async fn queried_tables(
        &self,
        project_id: &str,
        params: &PageParams,
    ) -> Result<Page<QueriedTable>, HexError> {
        let query = cursor_query(
            params.limit,
            params.after.as_deref(),
            params.before.as_deref(),
            MAX_PAGE_SIZE,
        )?;
        let call =
            Call::at(&["projects", id("projectId", project_id)?, "queriedTables"]).query(query);
        self.client.send_json(&QUERIED_TABLES, call).await
    }

    /// GetQueriedTables: every page, lazily, within `caps`.
    pub fn queried_tables_pages(
        &self,
        project_id: &str,
        params: PageParams,
        caps: PageCaps,
    ) -> Paginator<QueriedTable> {
        let project_id = project_id.to_owned();
        walk(
            self.client,
            params,
            caps,
            MAX_PAGE_SIZE,
            move |client, params| {
                let project_id = project_id.clone();
                async move { client.projects().queried_tables(&project_id, &params).await }
            },
        )
    }
}
