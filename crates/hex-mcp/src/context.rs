//! What a tool call can use: the Hex client (built on first use, so start-up never pays for
//! TLS set-up) and the server's limits.

use std::{
    sync::{Arc, OnceLock},
    time::Duration,
};

use hex_client::{HexClient, PageCaps, RateLimits, SecretString};

use crate::errors::ToolError;

/// How to reach Hex, as resolved from flags, environment, config file or the sandbox.
#[derive(Clone, Debug)]
pub struct HexTarget {
    pub base_url: String,
    /// `None`: no token configured; tools answer with how to set one.
    pub token: Option<SecretString>,
    /// Why there is no usable configuration, when known (e.g. an unreadable config file).
    pub problem: Option<String>,
    pub rate_limits: RateLimits,
}

/// Limits of our own that keep a call's cost bounded.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The most pages a search walks.
    pub search_pages: u32,
    /// The longest a search walks.
    pub search_time: Duration,
    /// Longest text (e.g. a cell's source) returned in a list before it is cut.
    pub list_text_chars: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            search_pages: 1_000,
            search_time: Duration::from_secs(60),
            list_text_chars: 4_000,
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

#[derive(Clone)]
pub struct ToolContext {
    shared: Arc<Shared>,
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
            HexClient::builder(shared.target.base_url.clone(), token.clone())
                .rate_limits(shared.target.rate_limits.clone())
                .build()
                .map_err(|error| error.to_string())
        });
        built.as_ref().map_err(|problem| {
            ToolError::not_configured(format!("the Hex API settings are unusable: {problem}"))
        })
    }

    pub fn limits(&self) -> &Limits {
        &self.shared.limits
    }
}
