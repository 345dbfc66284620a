//! Hex's agent: CreateThread, ContinueThread, GetThread, ListThreads, GetThreadMessages, ListTopics.
//!
//! A thread runs asynchronously: CreateThread and ContinueThread return at once, and GetThread
//! tells when the agent is done (`IDLE` with a response, or `ERROR`).

use super::{MAX_PAGE_SIZE, PageParams, cursor_query, walk};
use crate::client::HexClient;
use crate::error::HexError;
use crate::operations::Operation;
use crate::pagination::{Page, PageCaps, Paginator};
use crate::transport::{Call, Op, id};
use crate::wire::Query;

pub use super::threads_types::*;

// Each POST sets the agent to work (and spends credits): never repeated.
const CREATE: Op = Op::create(Operation::CreateThread);
const CONTINUE: Op = Op::create(Operation::ContinueThread);
const GET: Op = Op::get(Operation::GetThread);
const LIST: Op = Op::get(Operation::ListThreads);
const MESSAGES: Op = Op::get(Operation::GetThreadMessages);
const TOPICS: Op = Op::get(Operation::ListTopics);

/// Largest `limit` of GetThreadMessages.
pub const MAX_MESSAGES_PAGE_SIZE: u32 = 50;

/// Threads operations; get one with [`HexClient::threads`].
#[derive(Debug, Clone, Copy)]
pub struct Threads<'a> {
    pub(crate) client: &'a HexClient,
}

impl Threads<'_> {
    /// CreateThread: asks Hex's agent. Sent exactly once; follow it with [`Threads::get`].
    pub async fn create(&self, request: &CreateThreadRequest) -> Result<CreatedThread, HexError> {
        check_prompt(&request.prompt)?;
        if request.project_id.is_some() && request.new_project == Some(true) {
            return Err(HexError::invalid_input(
                "projectId and newProject cannot be used together",
            ));
        }
        if let Some(project_id) = &request.project_id {
            id("projectId", project_id)?;
        }
        self.client
            .send_json(&CREATE, Call::at(&["threads"]).json(request)?)
            .await
    }

    /// ContinueThread: a follow-up. Hex takes it only when the thread is `IDLE`.
    pub async fn follow_up(
        &self,
        thread_id: &str,
        request: &ContinueThreadRequest,
    ) -> Result<ContinuedThread, HexError> {
        check_prompt(&request.prompt)?;
        let call = Call::at(&["threads", id("id", thread_id)?, "followup"]).json(request)?;
        self.client.send_json(&CONTINUE, call).await
    }

    /// GetThread: status and, when available, the agent's response.
    pub async fn get(&self, thread_id: &str) -> Result<Thread, HexError> {
        self.client
            .send_json(&GET, Call::at(&["threads", id("id", thread_id)?]))
            .await
    }

    /// ListThreads: one page, newest created first (`threads` on the wire).
    pub async fn list(&self, params: &ListThreadsParams) -> Result<Page<ThreadSummary>, HexError> {
        let query = list_query(params)?;
        let page: ThreadsPage = self
            .client
            .send_json(&LIST, Call::at(&["threads"]).query(query))
            .await?;
        Ok(page.into())
    }

    /// ListThreads: every page, lazily, within `caps`.
    pub fn pages(&self, params: ListThreadsParams, caps: PageCaps) -> Paginator<ThreadSummary> {
        walk(
            self.client,
            params,
            caps,
            MAX_PAGE_SIZE,
            |client, params| async move { client.threads().list(&params).await },
        )
    }

    /// GetThreadMessages: one page of the thread as text blocks, oldest first within the page.
    /// Without a cursor Hex answers the newest page; `before` pages back to older blocks.
    pub async fn messages(
        &self,
        thread_id: &str,
        params: &GetThreadMessagesParams,
    ) -> Result<Page<ThreadMessage>, HexError> {
        let query = cursor_query(
            params.limit,
            params.after.as_deref(),
            params.before.as_deref(),
            MAX_MESSAGES_PAGE_SIZE,
        )?
        .flag("full", params.full);
        let call = Call::at(&["threads", id("threadId", thread_id)?, "messages"]).query(query);
        let page: MessagesPage = self.client.send_json(&MESSAGES, call).await?;
        Ok(page.into())
    }

    /// ListTopics: one page, sorted by name (`topics` on the wire).
    pub async fn topics(&self, params: &PageParams) -> Result<Page<Topic>, HexError> {
        let query = cursor_query(
            params.limit,
            params.after.as_deref(),
            params.before.as_deref(),
            MAX_PAGE_SIZE,
        )?;
        let page: TopicsPage = self
            .client
            .send_json(&TOPICS, Call::at(&["context", "topics"]).query(query))
            .await?;
        Ok(page.into())
    }

    /// ListTopics: every page, lazily, within `caps`.
    pub fn topic_pages(&self, params: PageParams, caps: PageCaps) -> Paginator<Topic> {
        walk(
            self.client,
            params,
            caps,
            MAX_PAGE_SIZE,
            |client, params| async move { client.threads().topics(&params).await },
        )
    }
}

/// `prompt` has `minLength: 1`.
fn check_prompt(prompt: &str) -> Result<(), HexError> {
    if prompt.is_empty() {
        return Err(HexError::invalid_input("prompt must not be empty"));
    }
    Ok(())
}

/// ListThreads' query: the cursor, and each filter that is set; list filters comma-separated,
/// as Hex documents `roles`, `warnings`, `topicIds` and `resourceIds`.
fn list_query(params: &ListThreadsParams) -> Result<Query, HexError> {
    if params.num_days == Some(0) {
        return Err(HexError::invalid_input("numDays must be at least 1"));
    }
    let joined = |values: Vec<&str>| (!values.is_empty()).then(|| values.join(","));
    let query = cursor_query(
        params.limit,
        params.after.as_deref(),
        params.before.as_deref(),
        MAX_PAGE_SIZE,
    )?
    .opt("source", params.source.as_ref())
    .opt("userId", params.user_id.as_deref())
    .opt("type", params.kind.as_ref())
    .opt("numDays", params.num_days)
    .opt("hasFeedback", params.has_feedback)
    .opt(
        "roles",
        joined(params.roles.iter().map(|r| r.as_str()).collect()),
    )
    .opt(
        "warnings",
        joined(params.warnings.iter().map(|w| w.as_str()).collect()),
    )
    .opt(
        "topicIds",
        joined(params.topic_ids.iter().map(String::as_str).collect()),
    )
    .opt(
        "resourceIds",
        joined(params.resource_ids.iter().map(String::as_str).collect()),
    );
    Ok(query)
}
