//! Types of the threads operations (requests, responses, enums), re-exported by `api::threads`.
//!
//! All six operations are new-style: ids are plain strings, and no answer carries `traceId`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::cursor_params;
use super::users::OrgRole;
use crate::pagination::{Page, Pagination};
use crate::tolerant::{Tolerant, lenient_list};
use crate::wire::{Extra, wire_enum};

wire_enum! {
    /// GetThread `status`.
    ThreadStatus { Idle = "IDLE", Running = "RUNNING", Error = "ERROR" }
}

impl ThreadStatus {
    /// Whether Hex's agent has stopped working on the latest prompt (`IDLE` or `ERROR`). Unknown
    /// values count as still working, so a follower keeps asking rather than stopping early.
    pub fn is_done(&self) -> bool {
        matches!(self, Self::Idle | Self::Error)
    }
}

wire_enum! {
    /// `ThreadErrorType` (GetThread `error.type`).
    ThreadErrorType {
        NoContext = "NO_CONTEXT", BadData = "BAD_DATA", AgentError = "AGENT_ERROR",
        AgentOverloaded = "AGENT_OVERLOADED", GenericError = "GENERIC_ERROR",
        PossiblePromptInjection = "POSSIBLE_PROMPT_INJECTION", OverLimit = "OVER_LIMIT", NoData = "NO_DATA",
        InvalidResponse = "INVALID_RESPONSE", HallucinatedSchemaElement = "HALLUCINATED_SCHEMA_ELEMENT",
        NonExpressible = "NON_EXPRESSIBLE", InvalidJoin = "INVALID_JOIN", ExploreTimedOut = "EXPLORE_TIMED_OUT",
        ExploreErrored = "EXPLORE_ERRORED", ExploreTableSwapped = "EXPLORE_TABLE_SWAPPED",
        UnsupportedQueryElements = "UNSUPPORTED_QUERY_ELEMENTS", ExploreNoData = "EXPLORE_NO_DATA",
        ChartRowLimitExceeded = "CHART_ROW_LIMIT_EXCEEDED", ByokAuthentication = "BYOK_AUTHENTICATION",
        ByokKeyMissing = "BYOK_KEY_MISSING", AgentCompressionError = "AGENT_COMPRESSION_ERROR",
        TokenCountingFailure = "TOKEN_COUNTING_FAILURE", RequestCancelled = "REQUEST_CANCELLED",
        InvalidMessageHistory = "INVALID_MESSAGE_HISTORY", InvalidRequest = "INVALID_REQUEST",
        DataConnectionNotAuthorized = "DATA_CONNECTION_NOT_AUTHORIZED",
        ModelNotAvailable = "MODEL_NOT_AVAILABLE",
        ProviderConnectionInterrupted = "PROVIDER_CONNECTION_INTERRUPTED", AgentAuth = "AGENT_AUTH",
        ProviderQuotaExceeded = "PROVIDER_QUOTA_EXCEEDED", JoinValidationTimeout = "JOIN_VALIDATION_TIMEOUT",
    }
}

wire_enum! {
    /// Thread feedback `type`.
    FeedbackType { Thumbs = "THUMBS", Flag = "FLAG" }
}

wire_enum! {
    /// ListThreads `source` filter (in answers `source` is free text).
    ThreadSource { Hex = "HEX", Slack = "SLACK", Mcp = "MCP", PublicApi = "PUBLIC_API" }
}

wire_enum! {
    /// ListThreads `type` filter (in answers `type` is free text).
    ThreadType { Threads = "THREADS", Notebook = "NOTEBOOK", Modeling = "MODELING" }
}

wire_enum! {
    /// ListThreads `warnings` filter values.
    ThreadWarningType {
        DataLimitation = "DATA_LIMITATION", UserDoubt = "USER_DOUBT", MissingContext = "MISSING_CONTEXT",
        Other = "OTHER",
    }
}

/// What a prompt refers to (CreateThread and ContinueThread); every key is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachments {
    /// One data connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_connection_id: Option<String>,
    /// Tables.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub table_ids: Vec<String>,
    /// Semantic datasets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub semantic_dataset_ids: Vec<String>,
    /// Semantic views.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub semantic_view_ids: Vec<String>,
    /// Projects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub project_ids: Vec<String>,
}

impl Attachments {
    /// Whether nothing is attached (then the key is left out of the request).
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// CreateThread body. `project_id` and `new_project: true` exclude each other.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateThreadRequest {
    /// The question or instruction (at least one character).
    pub prompt: String,
    /// Entities the prompt refers to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Attachments>,
    /// Not described by Hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preview_id: Option<String>,
    /// Work in this existing project.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// Create a new project for the thread to work in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_project: Option<bool>,
    /// Keep the thread out of aggregated surfaces and statistics (threads without a project).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub muted: Option<bool>,
}

impl CreateThreadRequest {
    /// A thread asking `prompt`, with no project.
    pub fn new(prompt: impl Into<String>) -> Self {
        Self {
            prompt: prompt.into(),
            ..Self::default()
        }
    }
}

/// CreateThread's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedThread {
    /// The new thread.
    pub thread_id: String,
    /// Where to watch it in Hex.
    pub url: String,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// The project backing the thread (null when there is none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// ContinueThread body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContinueThreadRequest {
    /// The follow-up (at least one character).
    pub prompt: String,
    /// Entities the follow-up refers to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Attachments>,
}

/// ContinueThread's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContinuedThread {
    /// The thread.
    pub thread_id: String,
    /// Where to watch it in Hex.
    pub url: String,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A thread topic (`{id, name}`), in threads and in ListTopics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topic {
    /// Id (a ListThreads `topicIds` value).
    pub id: String,
    /// Name.
    pub name: String,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A warning Hex raised about a thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadWarning {
    /// Id.
    pub id: String,
    /// E.g. `DATA_LIMITATION`.
    #[serde(rename = "type")]
    pub kind: ThreadWarningType,
    /// What the warning says.
    pub summary: String,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Feedback a user gave on a thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadFeedback {
    /// Id.
    pub id: String,
    /// The user's words.
    #[serde(default)]
    pub user_feedback: String,
    /// `THUMBS` or `FLAG`.
    #[serde(rename = "type")]
    pub kind: FeedbackType,
    /// The reason picked, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_reason: Option<String>,
    /// Thumbs up.
    #[serde(default)]
    pub user_liked: bool,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// What ListThreads items and GetThread share (every key optional in ListThreads).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadInfo {
    /// Where to open it in Hex.
    #[serde(default)]
    pub url: String,
    /// Title (null for private threads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Credits the thread used in total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits_used: Option<f64>,
    /// Topics.
    #[serde(
        default,
        deserialize_with = "lenient_topics",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub topics: Vec<Topic>,
    /// Warnings.
    #[serde(
        default,
        deserialize_with = "lenient_warnings",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub warnings: Vec<ThreadWarning>,
    /// Feedback.
    #[serde(
        default,
        deserialize_with = "lenient_feedback",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub feedback: Vec<ThreadFeedback>,
    /// When the warnings were generated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warnings_generated_at: Option<String>,
    /// Summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_summary: Option<String>,
    /// Intent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_intent: Option<String>,
    /// Deprecated: the explicitly selected model, or `Auto`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Runs on Auto.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto: Option<bool>,
    /// The model actually used (null for legacy threads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_model: Option<String>,
    /// Effort level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effort_level: Option<String>,
    /// Author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// A label for the kind of thread (free text).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Where it was created (free text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Last change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Contents hidden from everyone but the author.
    #[serde(default)]
    pub sensitive: bool,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

// ThreadInfo's lists sit behind a `flatten` in both answers that carry it, which hides error
// paths: each is read item by item here instead.
fn lenient_topics<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Topic>, D::Error> {
    lenient_list(deserializer, "topics")
}

fn lenient_warnings<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<ThreadWarning>, D::Error> {
    lenient_list(deserializer, "warnings")
}

fn lenient_feedback<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<ThreadFeedback>, D::Error> {
    lenient_list(deserializer, "feedback")
}

/// A ListThreads item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadSummary {
    /// The thread's id (GetThread calls it `threadId`).
    pub id: String,
    /// The workspace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub info: ThreadInfo,
}

/// GetThread: the thread, its status and, when available, the agent's response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Thread {
    /// The thread's id.
    pub thread_id: String,
    /// `IDLE`, `RUNNING` or `ERROR`.
    pub status: ThreadStatus,
    /// Why it failed (with `ERROR`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ThreadError>,
    /// Objects the thread refers to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<ThreadResource>,
    /// The agent's response (null when there is none yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Vec<ResponseBlock>>,
    /// Everything else.
    #[serde(flatten)]
    pub info: ThreadInfo,
}

impl Thread {
    /// The response's blocks (none when there is no response).
    pub fn blocks(&self) -> &[ResponseBlock] {
        self.response.as_deref().unwrap_or_default()
    }
}

/// Why a thread is in `ERROR`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadError {
    /// E.g. `NO_DATA`.
    #[serde(rename = "type")]
    pub kind: ThreadErrorType,
    /// Hex's words.
    #[serde(default)]
    pub message: String,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An object a thread refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadResource {
    /// Id.
    pub id: String,
    /// Kind (free text).
    #[serde(default)]
    pub resource_type: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A block of the agent's response, told apart by `type`. A block of a type this client does not
/// know (or one missing a key) is kept verbatim as `Unknown`.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseBlock {
    /// Markdown text.
    Text(TextBlock),
    /// A cell the agent made or used.
    Cell(CellBlock),
    /// A project the agent made or used.
    Project(ProjectBlock),
    /// A task the agent worked on.
    Task(TaskBlock),
    /// Anything else, as sent.
    Unknown(Value),
}

/// `{type: "text", text}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextBlock {
    /// Markdown.
    pub text: String,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{type: "cell", id, staticId, label}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CellBlock {
    /// Version-scoped id.
    pub id: String,
    /// Id stable across versions.
    pub static_id: String,
    /// Label (nullable).
    #[serde(default)]
    pub label: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{type: "project", id, title}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectBlock {
    /// Id.
    pub id: String,
    /// Title (nullable).
    #[serde(default)]
    pub title: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{type: "task", title}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskBlock {
    /// What the agent did.
    pub title: String,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl<'de> Deserialize<'de> for ResponseBlock {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let parsed = match value.get("type").and_then(Value::as_str) {
            Some("text") => TextBlock::deserialize(&value).map(Self::Text).ok(),
            Some("cell") => CellBlock::deserialize(&value).map(Self::Cell).ok(),
            Some("project") => ProjectBlock::deserialize(&value).map(Self::Project).ok(),
            Some("task") => TaskBlock::deserialize(&value).map(Self::Task).ok(),
            _ => None,
        };
        Ok(parsed.unwrap_or(Self::Unknown(value)))
    }
}

impl Serialize for ResponseBlock {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let tagged = |kind: &str, block: Result<Value, serde_json::Error>| {
            block.map(|mut value| {
                if let Value::Object(object) = &mut value {
                    object.insert("type".into(), Value::String(kind.into()));
                }
                value
            })
        };
        let value = match self {
            Self::Text(block) => tagged("text", serde_json::to_value(block)),
            Self::Cell(block) => tagged("cell", serde_json::to_value(block)),
            Self::Project(block) => tagged("project", serde_json::to_value(block)),
            Self::Task(block) => tagged("task", serde_json::to_value(block)),
            Self::Unknown(value) => Ok(value.clone()),
        };
        value
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}

/// One block of GetThreadMessages: the thread rendered as role-prefixed text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadMessage {
    /// `text` (the only type Hex declares).
    #[serde(default, rename = "type", skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// The text, starting with the authoring role.
    #[serde(default)]
    pub text: String,
    /// When the originating message was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// ListThreads parameters; every filter is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListThreadsParams {
    /// Threads per page (1..=100).
    pub limit: Option<u32>,
    /// Cursor for the next page.
    pub after: Option<String>,
    /// Cursor for the previous page.
    pub before: Option<String>,
    /// Where the threads were created.
    pub source: Option<ThreadSource>,
    /// Their author.
    pub user_id: Option<String>,
    /// Their kind.
    pub kind: Option<ThreadType>,
    /// Created in the last N days (at least 1).
    pub num_days: Option<u32>,
    /// With (`true`) or without (`false`) feedback.
    pub has_feedback: Option<bool>,
    /// Their authors' roles (sent comma-separated).
    pub roles: Vec<OrgRole>,
    /// Warning types they carry (sent comma-separated).
    pub warnings: Vec<ThreadWarningType>,
    /// Topics (ids from ListTopics; sent comma-separated).
    pub topic_ids: Vec<String>,
    /// Resource ids (not described by Hex; sent comma-separated).
    pub resource_ids: Vec<String>,
}

cursor_params!(ListThreadsParams);

/// GetThreadMessages parameters. Without a cursor Hex answers the newest page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetThreadMessagesParams {
    /// Blocks per page (1..=50).
    pub limit: Option<u32>,
    /// Newer blocks than this cursor.
    pub after: Option<String>,
    /// Older blocks than this cursor.
    pub before: Option<String>,
    /// Add the JSON-encoded message records (thinking, tool calls, results, mentions).
    pub full: bool,
}

/// `{threads, pagination}`.
#[derive(Deserialize)]
pub(crate) struct ThreadsPage {
    #[serde(default)]
    threads: Tolerant<ThreadSummary>,
    #[serde(default)]
    pagination: Pagination,
    #[serde(flatten)]
    extra: Extra,
}

/// `{topics, pagination}`.
#[derive(Deserialize)]
pub(crate) struct TopicsPage {
    #[serde(default)]
    topics: Tolerant<Topic>,
    #[serde(default)]
    pagination: Pagination,
    #[serde(flatten)]
    extra: Extra,
}

/// `{content, pagination}`.
#[derive(Deserialize)]
pub(crate) struct MessagesPage {
    #[serde(default)]
    content: Tolerant<ThreadMessage>,
    #[serde(default)]
    pagination: Pagination,
    #[serde(flatten)]
    extra: Extra,
}

impl From<ThreadsPage> for Page<ThreadSummary> {
    fn from(page: ThreadsPage) -> Self {
        Page::read(page.threads, page.pagination, page.extra)
    }
}

impl From<TopicsPage> for Page<Topic> {
    fn from(page: TopicsPage) -> Self {
        Page::read(page.topics, page.pagination, page.extra)
    }
}

impl From<MessagesPage> for Page<ThreadMessage> {
    fn from(page: MessagesPage) -> Self {
        Page::read(page.content, page.pagination, page.extra)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn blocks_of_unknown_types_or_missing_keys_are_kept_verbatim() {
        let thread: Thread = serde_json::from_value(json!({
            "threadId": "t", "status": "THINKING", "url": "u",
            "response": [
                {"type": "text", "text": "42"},
                {"type": "chart", "id": "c"},
                {"type": "cell", "id": "only-id"},
                {"type": "project", "id": "p", "title": null}
            ]
        }))
        .unwrap();
        assert_eq!(thread.status, ThreadStatus::Unknown("THINKING".into()));
        assert!(!thread.status.is_done());
        let blocks = thread.blocks();
        assert!(matches!(&blocks[0], ResponseBlock::Text(t) if t.text == "42"));
        assert!(matches!(&blocks[1], ResponseBlock::Unknown(v) if v["type"] == "chart"));
        assert!(matches!(&blocks[2], ResponseBlock::Unknown(v) if v["id"] == "only-id"));
        assert!(matches!(&blocks[3], ResponseBlock::Project(p) if p.title.is_none()));
        // Written back as read, `type` included.
        let written = serde_json::to_value(&thread).unwrap();
        assert_eq!(
            written["response"][0],
            json!({"type": "text", "text": "42"})
        );
        assert_eq!(written["response"][1], json!({"type": "chart", "id": "c"}));
    }

    #[tokio::test]
    async fn a_bad_topic_behind_the_flatten_costs_only_itself() {
        let (thread, noted) = crate::noting_skipped(async {
            serde_json::from_value::<Thread>(json!({
                "threadId": "t", "status": "IDLE", "url": "u",
                "topics": [{"id": "a", "name": "Sales"}, {"id": "b", "name": 7}]
            }))
        })
        .await;
        let thread = thread.unwrap();
        assert_eq!(thread.info.topics.len(), 1);
        let skipped = &noted.items[0];
        assert_eq!(skipped.list.as_deref(), Some("topics"));
        assert_eq!((skipped.index, skipped.id.as_deref()), (1, Some("b")));
        assert!(
            skipped.reason.starts_with("name: invalid type"),
            "{skipped:?}"
        );
    }

    #[test]
    fn a_lean_list_item_and_unknown_fields_read() {
        let item: ThreadSummary = serde_json::from_value(json!({
            "id": "t", "url": "u", "userId": null, "type": "THREADS", "source": "API",
            "createdAt": "x", "updatedAt": "y", "sensitive": true, "newField": 1
        }))
        .unwrap();
        assert_eq!(item.id, "t");
        assert!(item.info.sensitive && item.info.title.is_none());
        assert_eq!(item.info.extra["newField"], 1);
    }
}
