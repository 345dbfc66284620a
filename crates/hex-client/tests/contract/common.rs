//! One sandbox per test on a loopback port, a `HexClient` pointed at it, and checks that every
//! answer, error and `Debug` text the tests see is free of secrets.

use std::fmt::Debug;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use hex_client::{HexClient, HexClientBuilder, HexError, RateLimits, RetryPolicy, SecretString};
use hex_sandbox::{RateLimitMode, RunningSandbox, Sandbox, SandboxConfig};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// The sandbox's bearer token: distinctive, so a leak is easy to spot.
pub const TOKEN: &str = "fake-contract-token-5b1f0e";

/// A UUID no seeded or created object has.
pub const UNKNOWN_ID: &str = "00000000-0000-4000-8000-00000000beef";

/// Any single call of a test finishing later than this is a hang, not slowness.
pub const HANG: Duration = Duration::from_secs(30);

/// Rate limits off, short runs (PENDING 20 ms, RUNNING 40 ms), the contract token.
pub fn config() -> SandboxConfig {
    SandboxConfig {
        token: TOKEN.to_owned(),
        rate_limits: RateLimitMode::Off,
        run_pending: Duration::from_millis(20),
        run_running: Duration::from_millis(40),
        ..SandboxConfig::default()
    }
}

/// Retries with millisecond backoff; a `Retry-After` is still honoured up to 10 s in all.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        min_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_total_wait: Duration::from_secs(10),
        jitter: false,
    }
}

/// A running sandbox, a client for it, and the secrets no output may contain.
pub struct Env {
    pub sandbox: RunningSandbox,
    pub client: HexClient,
    /// Built on first use: a reqwest client costs ~100 ms to build in a debug build.
    raw: OnceLock<reqwest::Client>,
    secrets: Mutex<Vec<String>>,
}

impl Env {
    /// The default sandbox and client.
    pub async fn start() -> Env {
        Env::with(config()).await
    }

    /// A sandbox configured by `config`, and the default client.
    pub async fn with(config: SandboxConfig) -> Env {
        Env::custom(config, |builder| builder).await
    }

    /// A sandbox configured by `config`, and a client from the default builder changed by `build`.
    pub async fn custom(
        config: SandboxConfig,
        build: impl FnOnce(HexClientBuilder) -> HexClientBuilder,
    ) -> Env {
        let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let sandbox = Sandbox::start(config, addr).await.unwrap();
        let builder = HexClient::builder(sandbox.base_url(), SecretString::from(TOKEN))
            .retry_policy(fast_retries())
            .rate_limits(RateLimits::disabled())
            .timeout(Duration::from_secs(10));
        let client = build(builder).build().unwrap();
        let secrets = Mutex::new(vec![TOKEN.to_owned(), sandbox.token().to_owned()]);
        Env {
            sandbox,
            client,
            raw: OnceLock::new(),
            secrets,
        }
    }

    /// Adds a value no output may contain from now on (a connection password, say).
    pub fn secret(&self, value: &str) {
        self.secrets.lock().unwrap().push(value.to_owned());
    }

    /// Fails if `text` contains the token or a registered secret.
    pub fn assert_clean(&self, what: &str, text: &str) {
        for secret in self.secrets.lock().unwrap().iter() {
            assert!(
                !text.contains(secret.as_str()),
                "{what} leaks a secret ({} chars): {text}",
                secret.len()
            );
        }
    }

    /// The value of a call that must succeed; its `Debug` is checked for secrets.
    pub fn ok<T: Debug>(&self, result: Result<T, HexError>) -> T {
        match result {
            Ok(value) => {
                self.assert_clean("a response's Debug", &format!("{value:?}"));
                value
            }
            Err(err) => {
                self.check_error(&err);
                panic!("expected success, got: {err}");
            }
        }
    }

    /// The error of a call that must fail; its message and `Debug` are checked for secrets.
    pub fn err<T: Debug>(&self, result: Result<T, HexError>) -> HexError {
        match result {
            Ok(value) => panic!("expected an error, got {value:?}"),
            Err(err) => {
                self.check_error(&err);
                err
            }
        }
    }

    fn check_error(&self, err: &HexError) {
        self.assert_clean("an error message", &err.to_string());
        self.assert_clean("an error's Debug", &format!("{err:?}"));
    }

    /// A request with plain reqwest, to read Hex's JSON as sent. `path` is relative to `/api/v1`.
    pub async fn raw(&self, method: Method, path: &str, body: Option<Value>) -> Raw {
        self.raw_with(method, path, body, &[]).await
    }

    /// [`Env::raw`] with extra headers.
    pub async fn raw_with(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&'static str, &str)],
    ) -> Raw {
        let url = format!("{}{path}", self.sandbox.base_url());
        let mut request = self
            .raw
            .get_or_init(raw_client)
            .request(method, url)
            .bearer_auth(self.sandbox.token());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        self.assert_clean("a raw answer", &text);
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Raw { status, body }
    }

    pub async fn raw_get(&self, path: &str) -> Raw {
        self.raw(Method::GET, path, None).await
    }
}

/// An answer read with plain reqwest.
pub struct Raw {
    pub status: StatusCode,
    pub body: Value,
}

impl Raw {
    /// Asserts the status and returns the body.
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        self.body
    }
}

pub fn raw_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// Awaits `future`, failing the test instead of blocking if it takes longer than [`HANG`].
pub async fn no_hang<F: Future>(future: F) -> F::Output {
    tokio::time::timeout(HANG, future)
        .await
        .expect("the call hung")
}

/// Asserts an error is Hex's answer with `status`, and returns its reason.
pub fn api_error(err: &HexError, status: u16) -> String {
    match err {
        HexError::Api {
            status: got,
            reason,
            ..
        } => {
            assert_eq!(*got, status, "{err}");
            reason.clone().unwrap_or_default()
        }
        other => panic!("expected HTTP {status} from Hex, got {other:?}"),
    }
}

/// Whether a list of strings is sorted ascending (`asc`) or descending.
pub fn sorted<T: Ord>(items: &[T], asc: bool) -> bool {
    items
        .windows(2)
        .all(|w| if asc { w[0] <= w[1] } else { w[0] >= w[1] })
}

/// Polls GetRunStatus until the run ends (bounded by [`HANG`]).
pub async fn wait_until_ended(
    env: &Env,
    project_id: &str,
    run_id: &str,
) -> hex_client::api::runs::RunStatus {
    let params = hex_client::api::runs::GetRunStatusParams::default();
    no_hang(async {
        loop {
            let status = env.ok(env.client.runs().status(project_id, run_id, &params).await);
            if status.status.is_terminal() {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
}
