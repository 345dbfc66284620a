//! Typed async client for Hex's public REST API v1 (`https://app.hex.tech/api/v1`).
//!
//! It knows HTTP and Hex, nothing of MCP: typed requests and responses with Hex's own field names,
//! one [`HexError`], retries that never repeat a creating POST, client-side pacing per Hex rate-limit
//! group, and a lazy cursor [`Paginator`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), hex_client::HexError> {
//! use hex_client::{HexClient, api::projects::ListProjectsParams};
//! let client = HexClient::builder("https://app.hex.tech/api/v1", "hxtw_…".into()).build()?;
//! let page = client.projects().list(&ListProjectsParams { limit: Some(10), ..Default::default() }).await?;
//! for project in &page.values {
//!     println!("{} {}", project.id, project.title);
//! }
//! # Ok(()) }
//! ```

mod base_url;
mod client;
mod error;
mod limits;
mod operations;
mod pagination;
mod retry;
mod secret;
mod tolerant;
mod transport;
mod wire;

pub mod api;

pub use base_url::DEFAULT_BASE_URL;
pub use client::{DEFAULT_USER_AGENT, HexClient, HexClientBuilder};
pub use error::{ErrorDetailItem, ErrorDetails, HexError, InvalidParam, RateLimitSource};
pub use limits::{Quota, RateGroup, RateLimits, RateStore, RateStoreError};
pub use operations::Operation;
pub use pagination::{Collected, Page, PageCaps, PageRequest, Pagination, Paginator, StopReason};
pub use retry::RetryPolicy;
/// Re-exported so callers need not depend on `secrecy` to pass a token.
pub use secrecy::SecretString;
pub use secret::{REDACTED, Secret};
pub use tolerant::{NotedSkips, SkippedItem, noting_skipped};
pub use wire::Extra;
