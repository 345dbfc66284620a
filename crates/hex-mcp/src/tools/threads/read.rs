//! Reading Hex's agent's threads: list them with Hex's filters, page through a thread's
//! messages, list topics.

use hex_client::Operation;
use hex_client::api::PageParams;
use hex_client::api::threads::{
    GetThreadMessagesParams, ListThreadsParams, ThreadMessage, ThreadSummary,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::thread_error;
use crate::{
    context::ToolContext,
    errors::ToolError,
    input::{OpaqueId, input_enum},
    output::to_output,
    registry::{Confirm, Effect, HexTool, ToolResult, ToolSpec, Toolset},
    tools::common::{add_skipped, page_output, pagination_output},
    tools::vocab::{MAX_MESSAGES_PAGE_SIZE, MAX_PAGE_SIZE},
};

input_enum!(
    /// ListThreads `source`.
    Source: hex_client::api::threads::ThreadSource { Hex, Slack, Mcp, PublicApi }
);

input_enum!(
    /// ListThreads `type`.
    Kind: hex_client::api::threads::ThreadType { Threads, Notebook, Modeling }
);

input_enum!(
    /// The org roles ListThreads filters authors by.
    Role: hex_client::api::users::OrgRole { Admin, Manager, Editor, Explorer, Member, Guest }
);

input_enum!(
    /// ListThreads `warnings`.
    Warning: hex_client::api::threads::ThreadWarningType {
        DataLimitation, UserDoubt, MissingContext, Other,
    }
);

fn strings<T: ToString>(values: Option<Vec<T>>) -> Vec<String> {
    values
        .into_iter()
        .flatten()
        .map(|value| value.to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------------

pub struct ListThreads;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListThreadsInput {
    #[schemars(range(min = 1, max = MAX_PAGE_SIZE))]
    limit: Option<u32>,
    after: Option<String>,
    before: Option<String>,
    source: Option<Source>,
    user_id: Option<OpaqueId>,
    #[serde(rename = "type")]
    kind: Option<Kind>,
    #[schemars(range(min = 1))]
    num_days: Option<u32>,
    has_feedback: Option<bool>,
    /// Of authors.
    roles: Option<Vec<Role>>,
    warnings: Option<Vec<Warning>>,
    /// From list_hex_topics.
    topic_ids: Option<Vec<OpaqueId>>,
}

impl ListThreadsInput {
    fn params(self) -> Result<ListThreadsParams, ToolError> {
        if self.num_days == Some(0) {
            return Err(ToolError::input("num_days", "must be at least 1"));
        }
        Ok(ListThreadsParams {
            limit: Some(self.limit.unwrap_or(25).clamp(1, MAX_PAGE_SIZE)),
            after: self.after,
            before: self.before,
            source: self.source.map(|source| source.into()),
            user_id: self.user_id.map(|id| id.to_string()),
            kind: self.kind.map(|kind| kind.into()),
            num_days: self.num_days,
            has_feedback: self.has_feedback,
            roles: self
                .roles
                .into_iter()
                .flatten()
                .map(|role| role.into())
                .collect(),
            warnings: self
                .warnings
                .into_iter()
                .flatten()
                .map(|warning| warning.into())
                .collect(),
            topic_ids: strings(self.topic_ids),
            resource_ids: Vec::new(),
        })
    }
}

impl HexTool for ListThreads {
    type Input = ListThreadsInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "list_hex_threads",
        title: "List agent threads",
        description: "Threads of Hex's agent, newest first.",
        toolset: Toolset::Threads,
        effect: Effect::READ,
        operations: &[Operation::ListThreads],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let params = input.params()?;
        let page = ctx.hex()?.threads().list(&params).await?;
        let values: Vec<Value> = page
            .values
            .iter()
            .map(thread_summary)
            .collect::<Result<_, _>>()?;
        let mut answer = json!({
            "values": values,
            "pagination": pagination_output(&page.pagination),
        });
        add_skipped(&mut answer, &page.skipped);
        Ok(answer)
    }
}

/// A listed thread without what a list never needs (URL, workspace, model settings).
fn thread_summary(thread: &ThreadSummary) -> ToolResult {
    let mut value = to_output(thread)?;
    if let Value::Object(object) = &mut value {
        for key in [
            "url",
            "orgId",
            "model",
            "auto",
            "effectiveModel",
            "effortLevel",
            "warningsGeneratedAt",
        ] {
            object.remove(key);
        }
        if object.get("sensitive") == Some(&Value::Bool(false)) {
            object.remove("sensitive");
        }
    }
    Ok(value)
}

// ---------------------------------------------------------------------------------------------

pub struct GetThreadMessages;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetThreadMessagesInput {
    thread_id: OpaqueId,
    #[schemars(range(min = 1, max = MAX_MESSAGES_PAGE_SIZE))]
    limit: Option<u32>,
    before: Option<String>,
    after: Option<String>,
    /// Add raw JSON records (tool calls).
    full: Option<bool>,
}

impl HexTool for GetThreadMessages {
    type Input = GetThreadMessagesInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "get_hex_thread_messages",
        title: "Read a thread's messages",
        description: "A thread's messages as text, newest page first; pass pagination.before as `before` for older.",
        toolset: Toolset::Threads,
        effect: Effect::READ,
        operations: &[Operation::GetThreadMessages],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        if input.after.is_some() && input.before.is_some() {
            return Err(ToolError::input(
                "before",
                "cannot be combined with `after`",
            ));
        }
        let params = GetThreadMessagesParams {
            limit: Some(input.limit.unwrap_or(25).clamp(1, MAX_MESSAGES_PAGE_SIZE)),
            after: input.after,
            before: input.before,
            full: input.full.unwrap_or(false),
        };
        let id = &input.thread_id;
        let page = ctx
            .hex()?
            .threads()
            .messages(id.as_str(), &params)
            .await
            .map_err(|error| thread_error(error, id))?;
        page_output(page, message)
    }
}

/// `{text, createdAt}`: the type is left out when it is `text` (the only one Hex declares).
fn message(message: ThreadMessage) -> ThreadMessage {
    if message.kind != "text" {
        return message;
    }
    ThreadMessage {
        kind: String::new(),
        ..message
    }
}

// ---------------------------------------------------------------------------------------------

pub struct ListTopics;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListTopicsInput {
    #[schemars(range(min = 1, max = MAX_PAGE_SIZE))]
    limit: Option<u32>,
    after: Option<String>,
    before: Option<String>,
}

impl HexTool for ListTopics {
    type Input = ListTopicsInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "list_hex_topics",
        title: "List agent topics",
        description: "Topics of Hex's agent threads, by name (ids for list_hex_threads' topic_ids).",
        toolset: Toolset::Threads,
        effect: Effect::READ,
        operations: &[Operation::ListTopics],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let params = PageParams {
            limit: Some(input.limit.unwrap_or(25).clamp(1, MAX_PAGE_SIZE)),
            after: input.after,
            before: input.before,
        };
        let page = ctx.hex()?.threads().topics(&params).await?;
        page_output(page, |topic| topic)
    }
}
