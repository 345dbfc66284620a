//! The shared pacing store in Redis: N replicas serving one Hex token book their request slots in
//! one place, so together they stay within Hex's per-token limits instead of each spending the
//! whole budget (and drawing N× the 429s).
//!
//! Each quota of a group is a sorted set of granted slot times; `reserve.lua` books a slot in all
//! of a group's sets in one atomic step, on Redis's clock. Keys name the account by a short digest
//! of the base URL and token, never the token itself.
//!
//! A store that fails mid-run (Redis restarted, network cut) does not fail the user's call: the
//! pacer falls back to its in-process windows for that request, warns at most every 30 s, and
//! counts the failure in `hex_mcp_rate_store_errors_total` (see `Pacer::acquire`). At start-up,
//! by contrast, [`RateStore::connect`] fails, so a caller can refuse to run unshared.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use url::Url;

use super::{Quota, RateGroup};

/// The booking script: one per group call, run with EVALSHA (EVAL the first time).
const RESERVE_SCRIPT: &str = include_str!("reserve.lua");

/// Every key of the store starts with this, so an operator can find (or flush) them.
const KEY_PREFIX: &str = "hex-mcp:rate:";

/// The keys of [`RateStore::claim_once`].
const ONCE_PREFIX: &str = "hex-mcp:once:";

/// How long [`RateStore::connect`] may take: enough for a Redis across a network, short enough
/// that a wrong URL fails start-up quickly.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// How long one booking may take. A slower store is treated as down for that request (it falls
/// back to in-process pacing) rather than adding its delay to every Hex call.
const CALL_TIMEOUT: Duration = Duration::from_secs(1);

/// While the store keeps failing, one warning per this period is enough.
const WARN_EVERY: Duration = Duration::from_secs(30);

/// What the URL should look like, for error messages.
const URL_FORM: &str = "redis://[USER][:PASSWORD@]HOST[:PORT][/DB]";

/// A connection to the Redis that replicas share for pacing. Cheap to clone; clones share one
/// connection (which reconnects by itself after Redis restarts).
#[derive(Clone)]
pub struct RateStore {
    inner: Arc<StoreInner>,
}

struct StoreInner {
    connection: ConnectionManager,
    script: redis::Script,
    /// The URL with its password masked: the only form ever printed.
    shown: String,
    /// Kept only to scrub it from error texts that might echo it.
    password: Option<SecretString>,
    last_warning: Mutex<Option<Instant>>,
}

/// Why [`RateStore::connect`] failed. Messages name the store by its URL with the password
/// masked (`redis://:***@host`), never the password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RateStoreError {
    /// The URL cannot be used (does not parse, or a scheme other than `redis://`).
    #[error("the rate store URL {shown} cannot be used: {reason}")]
    InvalidUrl {
        /// The URL with its password masked, or a placeholder when it does not parse.
        shown: String,
        /// What is wrong and what is accepted.
        reason: String,
    },
    /// Redis did not answer, refused the credentials, or cannot run the booking script.
    #[error("cannot use the rate store at {shown}: {reason}")]
    Unreachable {
        /// The URL with its password masked.
        shown: String,
        /// What failed.
        reason: String,
    },
}

impl RateStore {
    /// Connects to `url` (`redis://` only), checks that Redis answers PING and can run the
    /// booking script, all within [`CONNECT_TIMEOUT`].
    ///
    /// `rediss://` is refused: this build carries no TLS stack for Redis (reach it over a
    /// private network or a TLS tunnel instead).
    pub async fn connect(url: &str) -> Result<RateStore, RateStoreError> {
        let url = parse(url)?;
        let shown = masked(&url);
        let password = url.password().map(|p| SecretString::from(p.to_owned()));
        let unreachable = |reason: String| RateStoreError::Unreachable {
            shown: shown.clone(),
            reason: scrub(&reason, password.as_ref()),
        };
        let client = redis::Client::open(url.as_str()).map_err(|e| unreachable(e.to_string()))?;
        let script = redis::Script::new(RESERVE_SCRIPT);
        let connection = tokio::time::timeout(CONNECT_TIMEOUT, open(client, &script))
            .await
            .map_err(|_| unreachable(format!("no answer within {} s", CONNECT_TIMEOUT.as_secs())))?
            .map_err(unreachable)?;
        Ok(RateStore {
            inner: Arc::new(StoreInner {
                connection,
                script,
                shown,
                password,
                last_warning: Mutex::new(None),
            }),
        })
    }

    /// The store's URL with its password masked.
    pub fn shown_url(&self) -> &str {
        &self.inner.shown
    }

    /// Marks `what` as done, for `ttl`, across every replica sharing the store: `Ok(true)` the
    /// first time, `Ok(false)` ever after (until it expires). Replicas use it for the things that
    /// must happen once, such as redeeming a confirmation token. An error (Redis down or slow)
    /// is the caller's to weigh; its text never holds the URL's password.
    pub async fn claim_once(&self, what: &str, ttl: Duration) -> Result<bool, String> {
        let inner = &self.inner;
        let key = format!("{ONCE_PREFIX}{what}");
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let mut command = redis::cmd("SET");
        command.arg(&key).arg(1).arg("NX").arg("PX").arg(ttl_ms);
        let mut connection = inner.connection.clone();
        let answer = tokio::time::timeout(
            CALL_TIMEOUT,
            command.query_async::<Option<String>>(&mut connection),
        )
        .await;
        match answer {
            Err(_) => Err(format!("no answer within {} ms", CALL_TIMEOUT.as_millis())),
            Ok(Err(error)) => Err(scrub(&error.to_string(), inner.password.as_ref())),
            // SET … NX answers OK when it set the key and nil when the key was there.
            Ok(Ok(set)) => Ok(set.is_some()),
        }
    }

    /// The store as one account (base URL and token) uses it: its own keys.
    pub(crate) fn for_account(&self, base: &Url, token: &SecretString) -> AccountStore {
        AccountStore {
            store: self.clone(),
            prefix: format!("{KEY_PREFIX}{{{}}}:", account_digest(base, token)),
        }
    }
}

impl fmt::Debug for RateStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateStore")
            .field("url", &self.inner.shown)
            .finish_non_exhaustive()
    }
}

/// Opens the managed connection, then proves it usable: PING, and one booking on a probe key
/// (it fails on a Redis too old to read its clock in a writing script, i.e. before 5.0).
async fn open(client: redis::Client, script: &redis::Script) -> Result<ConnectionManager, String> {
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(CONNECT_TIMEOUT))
        .set_response_timeout(Some(CALL_TIMEOUT))
        // A request waits for a reconnection in progress; keep that short (CALL_TIMEOUT bounds it).
        .set_number_of_retries(1)
        .set_max_delay(Duration::from_millis(500));
    let mut connection = ConnectionManager::new_with_config(client, config)
        .await
        .map_err(|e| e.to_string())?;
    let _: String = redis::cmd("PING")
        .query_async(&mut connection)
        .await
        .map_err(|e| format!("PING failed: {e}"))?;
    let probe = Quota {
        max: u32::MAX,
        per: Duration::from_millis(1),
    };
    let _: (i64, i64) = invocation(
        script,
        &format!("{KEY_PREFIX}probe:"),
        "probe",
        &[probe],
        Duration::ZERO,
    )
    .invoke_async(&mut connection)
    .await
    .map_err(|e| format!("cannot run the pacing script (Redis 5 or later is needed): {e}"))?;
    Ok(connection)
}

/// Parses and checks the scheme; errors never quote an unparsed URL (it may hold a password).
fn parse(url: &str) -> Result<Url, RateStoreError> {
    let parsed = Url::parse(url.trim()).map_err(|e| RateStoreError::InvalidUrl {
        shown: "(not shown: it does not parse)".into(),
        reason: format!("{e}; expected {URL_FORM}"),
    })?;
    let reason = match parsed.scheme() {
        "redis" if parsed.host_str().is_some_and(|h| !h.is_empty()) => return Ok(parsed),
        "redis" => format!("it names no host; expected {URL_FORM}"),
        "rediss" => format!(
            "TLS (rediss://) is not built into hex-mcp; reach Redis over a private network or \
             through a TLS tunnel with {URL_FORM}"
        ),
        other => format!("the scheme is {other}://; expected {URL_FORM}"),
    };
    Err(RateStoreError::InvalidUrl {
        shown: masked(&parsed),
        reason,
    })
}

/// The URL with `***` in place of its password.
fn masked(url: &Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("***"));
    }
    shown.to_string()
}

/// Removes the password from a text in case a driver's message echoes it.
fn scrub(text: &str, password: Option<&SecretString>) -> String {
    match password.map(ExposeSecret::expose_secret) {
        Some(password) if !password.is_empty() => text.replace(password, "***"),
        _ => text.to_owned(),
    }
}

/// Names the account in keys without revealing the token: the first 8 bytes of
/// SHA-256(base URL, NUL, token), in hex. The base URL is part of it because one token means
/// different budgets on different Hex hosts.
fn account_digest(base: &Url, token: &SecretString) -> String {
    let digest = Sha256::new()
        .chain_update(base.as_str().as_bytes())
        .chain_update([0u8])
        .chain_update(token.expose_secret().trim().as_bytes())
        .finalize();
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The script call for one group: one key per quota, then the arguments `reserve.lua` reads.
fn invocation<'a>(
    script: &'a redis::Script,
    prefix: &str,
    group: &str,
    quotas: &[Quota],
    max_wait: Duration,
) -> redis::ScriptInvocation<'a> {
    let mut call = script.prepare_invoke();
    for index in 0..quotas.len() {
        call.key(format!("{prefix}{group}:{index}"));
    }
    // A random suffix keeps two bookings of the same microsecond apart in a set.
    call.arg(micros(max_wait))
        .arg(uuid::Uuid::new_v4().simple().to_string());
    for quota in quotas {
        call.arg(quota.max.max(1)).arg(micros(quota.paced_per()));
    }
    call
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

/// What the store answered for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Booking {
    /// A slot is booked this far ahead (zero: now).
    Granted(Duration),
    /// Nothing booked: the earliest slot is this far ahead, beyond the maximum wait.
    Refused(Duration),
}

/// Why the store could not answer; the request is then paced in-process.
#[derive(Debug)]
pub(crate) enum StoreFailure {
    Redis(redis::RedisError),
    TimedOut,
}

/// The store as one account uses it: the shared connection and that account's key prefix.
pub(crate) struct AccountStore {
    store: RateStore,
    prefix: String,
}

impl AccountStore {
    pub(crate) fn shown_url(&self) -> &str {
        self.store.shown_url()
    }

    /// Books the earliest slot that fits every quota of `group`, across every replica.
    pub(crate) async fn reserve(
        &self,
        group: RateGroup,
        quotas: &[Quota],
        max_wait: Duration,
    ) -> Result<Booking, StoreFailure> {
        let inner = &self.store.inner;
        let call = invocation(&inner.script, &self.prefix, group.name(), quotas, max_wait);
        let mut connection = inner.connection.clone();
        let answer = tokio::time::timeout(
            CALL_TIMEOUT,
            call.invoke_async::<(i64, i64)>(&mut connection),
        )
        .await;
        let (granted, wait) = match answer {
            Err(_) => return Err(StoreFailure::TimedOut),
            Ok(Err(error)) => return Err(StoreFailure::Redis(error)),
            Ok(Ok(answer)) => answer,
        };
        let wait = Duration::from_micros(u64::try_from(wait).unwrap_or(0));
        Ok(if granted == 1 {
            Booking::Granted(wait)
        } else {
            Booking::Refused(wait)
        })
    }

    /// Counts a failure and warns about it, at most once per [`WARN_EVERY`] for the store.
    pub(crate) fn note_failure(&self, group: RateGroup, failure: &StoreFailure) {
        metrics::counter!("hex_mcp_rate_store_errors_total").increment(1);
        let inner = &self.store.inner;
        if !inner.warning_due(Instant::now()) {
            return;
        }
        let error = match failure {
            StoreFailure::Redis(error) => scrub(&error.to_string(), inner.password.as_ref()),
            StoreFailure::TimedOut => format!("no answer within {} ms", CALL_TIMEOUT.as_millis()),
        };
        tracing::warn!(
            store = %inner.shown,
            group = %group,
            %error,
            "the shared rate store failed: pacing in this process only until it answers again \
             (other replicas are not counted meanwhile; warned at most every 30 s)"
        );
    }
}

impl StoreInner {
    /// Whether to warn now; records the warning when so.
    fn warning_due(&self, now: Instant) -> bool {
        let mut last = self
            .last_warning
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if last.is_some_and(|at| now.duration_since(at) < WARN_EVERY) {
            return false;
        }
        *last = Some(now);
        true
    }
}

impl fmt::Debug for AccountStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountStore")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_mask_the_password_and_refuse_other_schemes() {
        let err = parse("rediss://:hunter2@redis.internal:6380").unwrap_err();
        let text = err.to_string();
        assert!(
            !text.contains("hunter2") && text.contains(":***@"),
            "{text}"
        );
        assert!(text.contains("TLS"), "{text}");
        let text = parse("http://:hunter2@x").unwrap_err().to_string();
        assert!(
            !text.contains("hunter2") && text.contains("http://"),
            "{text}"
        );
        let text = parse("not a url :hunter2@").unwrap_err().to_string();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(parse("redis://127.0.0.1:6379/2").is_ok());
    }

    #[test]
    fn keys_name_the_account_by_a_digest_never_the_token() {
        let base = Url::parse("https://app.hex.tech/api/v1").unwrap();
        let other = Url::parse("https://eu.hex.tech/api/v1").unwrap();
        let token = SecretString::from("hxtw_secret_token");
        let digest = account_digest(&base, &token);
        assert_eq!(digest.len(), 16);
        assert!(!digest.contains("secret"));
        assert_eq!(
            digest,
            account_digest(&base, &SecretString::from(" hxtw_secret_token "))
        );
        assert_ne!(digest, account_digest(&other, &token));
        assert_ne!(
            digest,
            account_digest(&base, &SecretString::from("hxtw_other"))
        );
    }

    #[test]
    fn scrub_removes_an_echoed_password() {
        let password = SecretString::from("pw-123");
        assert_eq!(
            scrub("AUTH pw-123 failed", Some(&password)),
            "AUTH *** failed"
        );
        assert_eq!(scrub("refused", None), "refused");
    }
}
