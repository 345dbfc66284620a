//! Hex's 52 operations, as its published description names them (`../shared/hex-api/endpoints.md`
//! §1.4): method, path and rate-limit group of each, in the description's order. The transport
//! takes an operation's method, path template and pacing from here, and the MCP tools declare
//! which of them they call, so one table answers "what does Hex have and who uses it".

use std::fmt;

use crate::limits::RateGroup;

macro_rules! operations {
    ($( $variant:ident = $method:literal $path:literal $group:expr; )+) => {
        /// One operation of Hex's public API, named by its operationId.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Operation {
            $(
                #[doc = concat!("`", $method, " ", $path, "`")]
                $variant,
            )+
        }

        impl Operation {
            /// Every operation of the description, in its order.
            pub const ALL: &'static [Operation] = &[$(Operation::$variant),+];

            /// The operationId, e.g. `ListProjects`.
            pub const fn name(self) -> &'static str {
                match self { $(Operation::$variant => stringify!($variant)),+ }
            }

            /// The HTTP method, e.g. `GET`.
            pub const fn method(self) -> &'static str {
                match self { $(Operation::$variant => $method),+ }
            }

            /// The path template as the description writes it, e.g. `/v1/projects/{projectId}`.
            pub const fn path(self) -> &'static str {
                match self { $(Operation::$variant => $path),+ }
            }

            /// The rate-limit group Hex names for it; `None` where the description states no limit.
            pub const fn rate_group(self) -> Option<RateGroup> {
                match self { $(Operation::$variant => $group),+ }
            }
        }
    };
}

const HEX_API: Option<RateGroup> = Some(RateGroup::HexApi);
const HEX_API_30RPM: Option<RateGroup> = Some(RateGroup::HexApi30Rpm);
const CHART_IMAGE: Option<RateGroup> = Some(RateGroup::ChartImage);
const RUN_KERNEL: Option<RateGroup> = Some(RateGroup::RunKernel);
const SEMANTIC_INGEST: Option<RateGroup> = Some(RateGroup::SemanticIngest);
const NONE: Option<RateGroup> = None;

operations! {
    CreatePresignedUrl = "POST" "/v1/embedding/createPresignedUrl/{projectId}" NONE;
    ListProjects = "GET" "/v1/projects" NONE;
    CreateProject = "POST" "/v1/projects" HEX_API;
    GetQueriedTables = "GET" "/v1/projects/{projectId}/queriedTables" NONE;
    EditProjectSharingCollections = "PATCH" "/v1/projects/{projectId}/sharing/collections" NONE;
    IngestSemanticProject = "POST" "/v1/semantic-projects/{semanticProjectId}/ingest" SEMANTIC_INGEST;
    UpdateSemanticProject = "PATCH" "/v1/semantic-projects/{semanticProjectId}" NONE;
    CancelRun = "DELETE" "/v1/projects/{projectId}/runs/{runId}" NONE;
    GetRunStatus = "GET" "/v1/projects/{projectId}/runs/{runId}" HEX_API;
    GetGroup = "GET" "/v1/groups/{groupId}" NONE;
    DeleteGroup = "DELETE" "/v1/groups/{groupId}" NONE;
    EditGroup = "PATCH" "/v1/groups/{groupId}" NONE;
    ListGroups = "GET" "/v1/groups" NONE;
    CreateGroup = "POST" "/v1/groups" NONE;
    CreateDataConnection = "POST" "/v1/data-connections" NONE;
    ListDataConnections = "GET" "/v1/data-connections" HEX_API;
    EditDataConnection = "PATCH" "/v1/data-connections/{dataConnectionId}" NONE;
    GetDataConnection = "GET" "/v1/data-connections/{dataConnectionId}" HEX_API;
    UpdateDataConnectionSchema = "PATCH" "/v1/data-connections/{dataConnectionId}/schema" NONE;
    UpsertGuideDraft = "PUT" "/v1/guides/draft" NONE;
    PublishGuideDrafts = "POST" "/v1/guides/publish" NONE;
    DeleteGuideDraft = "DELETE" "/v1/guides/draft/{orgGuideFileId}" NONE;
    GetCollection = "GET" "/v1/collections/{collectionId}" NONE;
    EditCollection = "PATCH" "/v1/collections/{collectionId}" NONE;
    ListCollections = "GET" "/v1/collections" NONE;
    CreateCollection = "POST" "/v1/collections" NONE;
    GetCell = "GET" "/v1/cells/{cellId}" HEX_API_30RPM;
    UpdateCell = "PATCH" "/v1/cells/{cellId}" HEX_API_30RPM;
    DeleteCell = "DELETE" "/v1/cells/{cellId}" HEX_API_30RPM;
    GetCellOutput = "GET" "/v1/cells/{cellId}/output" HEX_API;
    CreateCell = "POST" "/v1/cells" HEX_API_30RPM;
    ListCells = "GET" "/v1/cells" HEX_API_30RPM;
    GetChartImageFromLogic = "GET" "/v1/cells/{cellId}/image" CHART_IMAGE;
    EditProjectSharingGroups = "PATCH" "/v1/projects/{projectId}/sharing/groups" HEX_API;
    EditProjectSharingUsers = "PATCH" "/v1/projects/{projectId}/sharing/users" HEX_API_30RPM;
    EditProjectSharingOrgAndPublic = "PATCH" "/v1/projects/{projectId}/sharing/workspaceAndPublic" HEX_API;
    ExportProject = "POST" "/v1/projects/export" HEX_API;
    GetChartImageFromRun = "GET" "/v1/projects/{projectId}/runs/{runId}/cells/{staticId}/image" CHART_IMAGE;
    GetProject = "GET" "/v1/projects/{projectId}" HEX_API;
    UpdateProject = "PATCH" "/v1/projects/{projectId}" HEX_API;
    GetProjectRuns = "GET" "/v1/projects/{projectId}/runs" HEX_API;
    RunProject = "POST" "/v1/projects/{projectId}/runs" RUN_KERNEL;
    CreateThread = "POST" "/v1/threads" RUN_KERNEL;
    ListThreads = "GET" "/v1/threads" HEX_API;
    GetThread = "GET" "/v1/threads/{id}" HEX_API;
    GetThreadMessages = "GET" "/v1/threads/{threadId}/messages" HEX_API;
    ContinueThread = "POST" "/v1/threads/{id}/followup" RUN_KERNEL;
    Me = "GET" "/v1/users/me" HEX_API_30RPM;
    ListUsers = "GET" "/v1/users" HEX_API_30RPM;
    DeactivateUser = "POST" "/v1/users/{userId}/deactivate" HEX_API_30RPM;
    ListTopics = "GET" "/v1/context/topics" HEX_API;
    ListDraftGuides = "GET" "/v1/guides/draft/list" HEX_API_30RPM;
}

impl Operation {
    /// Whether sending the operation twice leaves Hex as sending it once did: reads, sets,
    /// deletes, a cancel, an export, a deactivation. The others create something each time (a
    /// project, a run, a message to Hex's agent, an embedding URL) or act in a way a second
    /// time would repeat (an ingest, publishing guides): the client sends those exactly once,
    /// whatever happens, since a failure after they left may come after Hex acted.
    pub const fn repeatable(self) -> bool {
        !matches!(
            self,
            Operation::CreatePresignedUrl
                | Operation::CreateProject
                | Operation::IngestSemanticProject
                | Operation::CreateGroup
                | Operation::CreateDataConnection
                | Operation::PublishGuideDrafts
                | Operation::CreateCollection
                | Operation::CreateCell
                | Operation::RunProject
                | Operation::CreateThread
                | Operation::ContinueThread
        )
    }

    /// Looks an operation up by its operationId.
    pub fn from_name(name: &str) -> Option<Operation> {
        Operation::ALL.iter().copied().find(|op| op.name() == name)
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_all_52_operations_once() {
        assert_eq!(Operation::ALL.len(), 52);
        let names: std::collections::BTreeSet<&str> =
            Operation::ALL.iter().map(|op| op.name()).collect();
        assert_eq!(names.len(), 52);
        assert_eq!(
            Operation::from_name("ListProjects"),
            Some(Operation::ListProjects)
        );
    }

    #[test]
    fn group_counts_match_the_digest() {
        let count = |group: Option<RateGroup>| {
            Operation::ALL
                .iter()
                .filter(|op| op.rate_group() == group)
                .count()
        };
        assert_eq!(count(HEX_API), 15);
        assert_eq!(count(HEX_API_30RPM), 10);
        assert_eq!(count(CHART_IMAGE), 2);
        assert_eq!(count(RUN_KERNEL), 3);
        assert_eq!(count(SEMANTIC_INGEST), 1);
        assert_eq!(count(NONE), 21);
    }
}
