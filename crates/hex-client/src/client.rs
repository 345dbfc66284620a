//! [`HexClient`] and its builder: one pooled HTTP client per process, cheap to clone.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderValue, InvalidHeaderValue};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::base_url::{self, DEFAULT_BASE_URL};
use crate::error::HexError;
use crate::limits::{Pacer, RateLimits, RateStore};
use crate::retry::RetryPolicy;

/// The default `User-Agent`: `hex-mcp/<version of this crate>`.
pub const DEFAULT_USER_AGENT: &str = concat!("hex-mcp/", env!("CARGO_PKG_VERSION"));

/// A client for Hex's public REST API v1. Clones share one connection pool, one pacing state and
/// one configuration.
#[derive(Clone)]
pub struct HexClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base: Url,
    /// `Bearer <token>`, marked sensitive so no layer below prints it.
    pub(crate) auth: HeaderValue,
    pub(crate) retry: RetryPolicy,
    pub(crate) pacer: Pacer,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) user_agent: String,
}

impl HexClient {
    /// Starts a builder for `base_url` (e.g. [`DEFAULT_BASE_URL`], `https://eu.hex.tech/api/v1`,
    /// `http://127.0.0.1:8766/api/v1` for the sandbox) and a Hex API token.
    pub fn builder(base_url: impl Into<String>, token: SecretString) -> HexClientBuilder {
        HexClientBuilder {
            base_url: base_url.into(),
            token,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            rate_limits: RateLimits::default(),
            rate_store: None,
        }
    }

    /// The normalised base URL, ending in `/api/v1`.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The pacing configuration in force.
    pub fn rate_limits(&self) -> &RateLimits {
        self.inner.pacer.limits()
    }
}

impl fmt::Debug for HexClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("HexClient")
            .field("base_url", &inner.base.as_str())
            .field("token", &"[REDACTED]")
            .field("user_agent", &inner.user_agent)
            .field("connect_timeout", &inner.connect_timeout)
            .field("timeout", &inner.timeout)
            .field("retry", &inner.retry)
            .field("rate_limits", inner.pacer.limits())
            .field("rate_store", &inner.pacer.store_url())
            .finish()
    }
}

/// Configures a [`HexClient`]. Every setting has a default; only the base URL and token are required.
pub struct HexClientBuilder {
    base_url: String,
    token: SecretString,
    user_agent: String,
    connect_timeout: Duration,
    timeout: Duration,
    retry: RetryPolicy,
    rate_limits: RateLimits,
    rate_store: Option<RateStore>,
}

impl HexClientBuilder {
    /// A builder for Hex's default host, [`DEFAULT_BASE_URL`].
    pub fn with_default_base(token: SecretString) -> Self {
        HexClient::builder(DEFAULT_BASE_URL, token)
    }

    /// Replaces the `User-Agent` (default [`DEFAULT_USER_AGENT`]).
    #[must_use]
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Time allowed to open a connection (default 10 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for one attempt of a request, from sending to the end of the body (default 30 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Retry policy (default [`RetryPolicy::default`]).
    #[must_use]
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Client-side pacing (default [`RateLimits::default`], Hex's documented limits).
    #[must_use]
    pub fn rate_limits(mut self, rate_limits: RateLimits) -> Self {
        self.rate_limits = rate_limits;
        self
    }

    /// Books pacing slots in a shared store (Redis) instead of this process alone, so replicas
    /// that use the same token share one budget. If the store fails later, requests are paced
    /// in-process meanwhile rather than failed (a warning and `hex_mcp_rate_store_errors_total`
    /// say so).
    #[must_use]
    pub fn rate_store(mut self, store: RateStore) -> Self {
        self.rate_store = Some(store);
        self
    }

    /// Checks the base URL and token and builds the client.
    pub fn build(self) -> Result<HexClient, HexError> {
        let base = base_url::normalise(&self.base_url)?;
        let auth = bearer(&self.token)?;
        // reqwest is built without a default crypto provider; ring is the one we ship. A second
        // install (another client, or the host application) is refused harmlessly.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .user_agent(self.user_agent.clone())
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            // Never follow a redirect: the token must only go to the configured base.
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .build()
            .map_err(|e| HexError::Setup {
                message: e.to_string(),
            })?;
        let store = self
            .rate_store
            .map(|store| store.for_account(&base, &self.token));
        let pacer = Pacer::with_store(self.rate_limits, store);
        let inner = Inner {
            http,
            base,
            auth,
            retry: self.retry,
            pacer,
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            user_agent: self.user_agent,
        };
        Ok(HexClient {
            inner: Arc::new(inner),
        })
    }
}

impl fmt::Debug for HexClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HexClientBuilder")
            .field("base_url", &self.base_url)
            .field("token", &"[REDACTED]")
            .field("user_agent", &self.user_agent)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("rate_limits", &self.rate_limits)
            .field("rate_store", &self.rate_store)
            .finish()
    }
}

fn bearer(token: &SecretString) -> Result<HeaderValue, HexError> {
    let token = token.expose_secret().trim();
    if token.is_empty() {
        return Err(HexError::invalid_input("the Hex API token is empty"));
    }
    let mut value =
        HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_: InvalidHeaderValue| {
            HexError::invalid_input(
                "the Hex API token contains characters that cannot be sent in an HTTP header",
            )
        })?;
    value.set_sensitive(true);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "fake-test-token-super-secret";

    #[test]
    fn debug_of_builder_and_client_redacts_the_token() {
        let builder = HexClient::builder("https://app.hex.tech", SecretString::from(TOKEN));
        let text = format!("{builder:?}");
        assert!(
            text.contains("[REDACTED]") && !text.contains(TOKEN),
            "{text}"
        );
        let client = builder.build().unwrap();
        let text = format!("{client:?}");
        assert!(
            text.contains("[REDACTED]") && !text.contains(TOKEN),
            "{text}"
        );
        assert_eq!(client.base_url().as_str(), "https://app.hex.tech/api/v1");
    }

    #[test]
    fn refuses_empty_or_unprintable_tokens_without_echoing_them() {
        let err = HexClient::builder(DEFAULT_BASE_URL, SecretString::from("  "))
            .build()
            .unwrap_err();
        assert!(matches!(err, HexError::InvalidInput { .. }));
        let err = HexClient::builder(DEFAULT_BASE_URL, SecretString::from("abc\ndef"))
            .build()
            .unwrap_err();
        assert!(!err.to_string().contains("abc"), "{err}");
    }

    #[test]
    fn clones_share_state() {
        let client = HexClientBuilder::with_default_base(SecretString::from(TOKEN))
            .build()
            .unwrap();
        let clone = client.clone();
        assert!(Arc::ptr_eq(&client.inner, &clone.inner));
    }
}
