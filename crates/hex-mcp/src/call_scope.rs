//! One tool call's own state: how the client can cancel it, where its progress goes, the content
//! blocks it adds to its answer, and how a wait it made ended.

use std::sync::Mutex;

use rmcp::{
    Peer, RoleServer,
    model::{ContentBlock, ProgressNotificationParam, ProgressToken},
    task_manager::TaskContext,
};
use tokio_util::sync::CancellationToken;

/// How a waited-for run or thread ended, for `hex-mcp call`'s exit code (a pipeline must be able
/// to trust it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitOutcome {
    /// COMPLETED (a run) or IDLE with an answer (a thread).
    Succeeded,
    /// ERRORED or UNABLE_TO_ALLOCATE_KERNEL (a run), ERROR (a thread).
    Failed,
    /// KILLED (a run).
    Killed,
    /// Still going when the wait ran out (or polling stopped).
    StillRunning,
}

/// Where progress reports go.
enum ProgressSink {
    /// Nobody listens (no progress token, or a shell call).
    None,
    /// MCP `notifications/progress` for the token the client sent.
    Notify {
        peer: Peer<RoleServer>,
        token: ProgressToken,
    },
    /// The status message of the task the call runs as.
    Task(TaskContext),
}

pub struct CallScope {
    cancel: Option<CancellationToken>,
    task: Option<TaskContext>,
    progress: ProgressSink,
    pub(crate) attachments: Mutex<Vec<ContentBlock>>,
    pub(crate) outcome: Mutex<Option<WaitOutcome>>,
    /// A digest of the bearer token the HTTP caller presented (none over stdio): whose call
    /// this is, for plans only its maker may apply.
    pub(crate) caller: Option<[u8; 32]>,
}

impl CallScope {
    /// A call nobody can cancel and nobody watches (the `call` command, tests).
    pub fn detached() -> CallScope {
        CallScope {
            cancel: None,
            task: None,
            progress: ProgressSink::None,
            attachments: Mutex::new(Vec::new()),
            outcome: Mutex::new(None),
            caller: None,
        }
    }

    /// The same scope for the caller whose bearer token has this digest.
    pub fn with_caller(mut self, caller: Option<[u8; 32]>) -> CallScope {
        self.caller = caller;
        self
    }

    /// A `tools/call` request: cancelled by `notifications/cancelled` (rmcp cancels the token),
    /// with progress notifications when the request carried a progress token.
    pub fn request(
        cancel: CancellationToken,
        peer: Peer<RoleServer>,
        token: Option<ProgressToken>,
    ) -> CallScope {
        CallScope {
            cancel: Some(cancel),
            progress: match token {
                Some(token) => ProgressSink::Notify { peer, token },
                None => ProgressSink::None,
            },
            ..CallScope::detached()
        }
    }

    /// A call served as a task: cancelled by `tasks/cancel`, progress as its status message.
    pub fn task(task: TaskContext) -> CallScope {
        CallScope {
            task: Some(task.clone()),
            progress: ProgressSink::Task(task),
            ..CallScope::detached()
        }
    }

    pub async fn cancelled(&self) {
        match (&self.cancel, &self.task) {
            (Some(token), _) => token.cancelled().await,
            (None, Some(task)) => task.cancelled().await,
            (None, None) => std::future::pending().await,
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(CancellationToken::is_cancelled)
            || self
                .task
                .as_ref()
                .is_some_and(TaskContext::is_cancel_requested)
    }

    pub async fn progress(&self, progress: f64, total: Option<f64>, message: String) {
        match &self.progress {
            ProgressSink::None => {}
            ProgressSink::Notify { peer, token } => {
                let mut param =
                    ProgressNotificationParam::new(token.clone(), progress).with_message(message);
                if let Some(total) = total {
                    param = param.with_total(total);
                }
                // A client that went away cannot be told; the call carries on.
                if let Err(error) = peer.notify_progress(param).await {
                    tracing::debug!(%error, "could not send a progress notification");
                }
            }
            ProgressSink::Task(task) => task.set_status_message(message),
        }
    }
}
