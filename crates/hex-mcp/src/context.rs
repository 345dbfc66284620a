//! What a tool call can use: the Hex client (built on first use, so start-up never pays for
//! TLS set-up), the server's limits and allowed directories, and the call's own scope (its
//! cancellation, its progress reports, content blocks beyond JSON, and how a wait ended).

use std::{
    sync::{Arc, OnceLock, PoisonError},
    time::Duration,
};

use hex_client::{HexClient, PageCaps, RateLimits, RateStore, SecretString};
use rmcp::model::ContentBlock;

use crate::{
    call_scope::CallScope,
    errors::ToolError,
    files::AllowedPaths,
    plans::{Owner, PlanStore},
};

pub use crate::call_scope::WaitOutcome;

/// How to reach Hex, as resolved from flags, environment, config file or the sandbox.
#[derive(Clone, Debug)]
pub struct HexTarget {
    pub base_url: String,
    /// `None`: no token configured; tools answer with how to set one.
    pub token: Option<SecretString>,
    /// How long each request to Hex may take (`--hex-timeout`).
    pub timeout: Duration,
    /// Why there is no usable configuration, when known (e.g. an unreadable config file).
    pub problem: Option<String>,
    pub rate_limits: RateLimits,
    /// Where replicas share their pacing (`--rate-store`); `None`: this process paces alone.
    pub rate_store: Option<RateStore>,
}

/// Limits of our own that keep a call's cost bounded.
#[derive(Clone, Debug)]
pub struct Limits {
    /// The most pages a search walks.
    pub search_pages: u32,
    /// The longest a search walks.
    pub search_time: Duration,
    /// Longest text (e.g. a cell's source) returned in a list before it is cut.
    pub list_text_chars: usize,
    /// The directories tools may read local files from or write them to (`--allow-path`).
    pub allowed_paths: AllowedPaths,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            search_pages: 1_000,
            search_time: Duration::from_secs(60),
            list_text_chars: 4_000,
            allowed_paths: AllowedPaths::none(),
        }
    }
}

impl Limits {
    /// The defaults, with `HEX_MCP_SEARCH_MAX_PAGES` and `HEX_MCP_SEARCH_SECONDS` applied: how
    /// much of a large workspace one search call may walk before it stops and says how to go on.
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Limits {
        let mut limits = Limits::default();
        if let Some(pages) = env("HEX_MCP_SEARCH_MAX_PAGES").and_then(|v| v.trim().parse().ok()) {
            limits.search_pages = pages;
        }
        if let Some(seconds) = env("HEX_MCP_SEARCH_SECONDS").and_then(|v| v.trim().parse().ok()) {
            limits.search_time = Duration::from_secs(seconds);
        }
        limits
    }

    pub fn search_caps(&self) -> PageCaps {
        PageCaps::default()
            .pages(self.search_pages)
            .elapsed(self.search_time)
    }
}

/// Everything a tool call can use. Cheap to clone; clones of one call share its scope.
#[derive(Clone)]
pub struct ToolContext {
    shared: Arc<Shared>,
    call: Arc<CallScope>,
}

struct Shared {
    target: HexTarget,
    client: OnceLock<Result<HexClient, String>>,
    limits: Limits,
}

impl ToolContext {
    pub fn new(target: HexTarget, limits: Limits) -> ToolContext {
        ToolContext {
            shared: Arc::new(Shared {
                target,
                client: OnceLock::new(),
                limits,
            }),
            call: Arc::new(CallScope::detached()),
        }
    }

    /// The same server context for one call with its own scope.
    pub fn for_call(&self, call: CallScope) -> ToolContext {
        ToolContext {
            shared: self.shared.clone(),
            call: Arc::new(call),
        }
    }

    /// The Hex client, or an error that says how to configure one.
    pub fn hex(&self) -> Result<&HexClient, ToolError> {
        let shared = &self.shared;
        let Some(token) = &shared.target.token else {
            let problem = shared
                .target
                .problem
                .clone()
                .unwrap_or_else(|| "no Hex API token is configured".into());
            return Err(ToolError::not_configured(problem));
        };
        let built = shared.client.get_or_init(|| {
            let builder = HexClient::builder(shared.target.base_url.clone(), token.clone())
                .rate_limits(shared.target.rate_limits.clone())
                .timeout(shared.target.timeout);
            match &shared.target.rate_store {
                Some(store) => builder.rate_store(store.clone()),
                None => builder,
            }
            .build()
            .map_err(|error| error.to_string())
        });
        built.as_ref().map_err(|problem| {
            ToolError::unusable_settings(format!("the Hex API settings are unusable: {problem}"))
        })
    }

    pub fn limits(&self) -> &Limits {
        &self.shared.limits
    }

    /// Where tools keep plans to be applied by a later call (one store per process).
    pub fn plans(&self) -> &'static PlanStore {
        PlanStore::global()
    }

    /// Who this call's plans belong to: the Hex account (base URL and token) and the HTTP
    /// caller. An error, like [`ToolContext::hex`], when no token is configured.
    pub fn plan_owner(&self) -> Result<Owner, ToolError> {
        use secrecy::ExposeSecret;
        self.hex()?;
        let target = &self.shared.target;
        let token = target
            .token
            .as_ref()
            .map_or("", |token| token.expose_secret());
        Ok(Owner::of(
            &target.base_url,
            token,
            self.call.caller.as_ref(),
        ))
    }

    /// The digest of the HTTP caller's bearer token, to carry into a task the call becomes.
    pub fn caller(&self) -> Option<[u8; 32]> {
        self.call.caller
    }

    /// The directories local files may be read from or written to.
    pub fn files(&self) -> &AllowedPaths {
        &self.shared.limits.allowed_paths
    }

    /// Resolves when the client cancels this call (or the session ends); never, for a call
    /// nobody can cancel. Long waits select on it so they stop within a second.
    pub async fn cancelled(&self) {
        self.call.cancelled().await;
    }

    pub fn is_cancelled(&self) -> bool {
        self.call.is_cancelled()
    }

    /// Reports progress of a long call: an MCP progress notification when the client gave a
    /// progress token, the task's status message when the call runs as a task, else nothing.
    pub async fn progress(&self, progress: f64, total: Option<f64>, message: impl Into<String>) {
        self.call.progress(progress, total, message.into()).await;
    }

    /// Adds a content block (an image, an embedded resource) to the answer, after its JSON.
    pub fn attach(&self, block: ContentBlock) {
        self.call
            .attachments
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(block);
    }

    /// Records how a wait ended (a run or a thread), for `hex-mcp call`'s exit code.
    pub fn set_outcome(&self, outcome: WaitOutcome) {
        *self
            .call
            .outcome
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(outcome);
    }

    /// The blocks attached so far and the recorded outcome, taken once the call is done.
    pub fn finish(&self) -> (Vec<ContentBlock>, Option<WaitOutcome>) {
        let blocks = std::mem::take(
            &mut *self
                .call
                .attachments
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        let outcome = *self
            .call
            .outcome
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        (blocks, outcome)
    }
}

/// Shared for tests of modules that need a context but make no Hex call.
#[cfg(test)]
pub fn test_context(limits: Limits) -> ToolContext {
    ToolContext::new(
        HexTarget {
            base_url: "http://127.0.0.1:9/api/v1".into(),
            token: None,
            timeout: crate::config::DEFAULT_HEX_TIMEOUT,
            problem: None,
            rate_limits: RateLimits::default(),
            rate_store: None,
        },
        limits,
    )
}
