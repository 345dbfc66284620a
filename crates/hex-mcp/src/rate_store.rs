//! `--rate-store URL` / `HEX_MCP_RATE_STORE`: the Redis that replicas serving one Hex token share
//! for pacing, so together they stay within Hex's per-token limits.
//!
//! Start-up refuses to go on without it once it is asked for: N replicas each silently pacing
//! alone would send N times the budget and draw Hex's 429s. Later failures are the client's to
//! absorb (in-process pacing, a warning, `hex_mcp_rate_store_errors_total`), so a Redis restart
//! never fails a user's call.

use std::{convert::Infallible, fmt, str::FromStr};

use hex_client::RateStore;

/// The environment variable.
pub const ENV_RATE_STORE: &str = "HEX_MCP_RATE_STORE";

/// The store's URL as given. It may hold a password, so its `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct RateStoreUrl(String);

impl FromStr for RateStoreUrl {
    type Err = Infallible;

    /// Accepts anything: checking happens in [`connect`], whose errors mask the password (clap's
    /// own errors would quote the value whole).
    fn from_str(url: &str) -> Result<Self, Infallible> {
        Ok(RateStoreUrl(url.to_owned()))
    }
}

impl fmt::Debug for RateStoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RateStoreUrl([not shown: may hold a password])")
    }
}

/// Connects to the store when one is configured; an empty value counts as none. The error says
/// which store (password masked), why, and the ways out.
pub async fn connect(url: Option<&RateStoreUrl>) -> Result<Option<RateStore>, String> {
    let Some(RateStoreUrl(url)) = url.filter(|url| !url.0.trim().is_empty()) else {
        return Ok(None);
    };
    match RateStore::connect(url).await {
        Ok(store) => Ok(Some(store)),
        Err(error) => Err(format!(
            "{error}. Not starting: replicas that pace alone together exceed Hex's per-token \
             limits. Start Redis, fix the URL (--rate-store or {ENV_RATE_STORE}), or drop \
             --rate-store / unset {ENV_RATE_STORE} to pace in this process only."
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_url() {
        let url: RateStoreUrl = "redis://:pw-42@redis:6379".parse().unwrap();
        assert!(!format!("{url:?}").contains("pw-42"));
    }

    #[tokio::test]
    async fn unset_or_empty_means_no_store_and_errors_mask_the_password() {
        assert!(connect(None).await.unwrap().is_none());
        let empty: RateStoreUrl = " ".parse().unwrap();
        assert!(connect(Some(&empty)).await.unwrap().is_none());
        let tls: RateStoreUrl = "rediss://:pw-42@redis:6380".parse().unwrap();
        let error = connect(Some(&tls)).await.unwrap_err();
        assert!(!error.contains("pw-42") && error.contains("TLS"), "{error}");
        assert!(error.contains(ENV_RATE_STORE), "{error}");
    }
}
