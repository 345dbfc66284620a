//! A sandbox on a loopback port and a reqwest client that talks to it.

use std::net::SocketAddr;

use hex_sandbox::{RateLimitMode, RunningSandbox, Sandbox, SandboxConfig};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub struct Api {
    pub sandbox: RunningSandbox,
    pub client: reqwest::Client,
}

/// An answer: status, headers and the body as JSON (`Null` when empty, a string when not JSON).
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

/// The defaults, without rate limits (tests that check limits turn them on).
pub fn config() -> SandboxConfig {
    SandboxConfig {
        rate_limits: RateLimitMode::Off,
        ..SandboxConfig::default()
    }
}

pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

impl Api {
    pub async fn start() -> Api {
        Api::with(config()).await
    }

    pub async fn with(config: SandboxConfig) -> Api {
        let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let sandbox = Sandbox::start(config, addr).await.unwrap();
        Api {
            sandbox,
            client: client(),
        }
    }

    /// `path` is relative to the API base, e.g. `/projects?limit=3`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.sandbox.base_url(), path)
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.call(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.call(Method::DELETE, path, None).await
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let mut request = self
            .client
            .request(method, self.url(path))
            .bearer_auth(self.sandbox.token());
        if let Some(body) = body {
            request = request.json(&body);
        }
        answer(request.send().await.unwrap()).await
    }

    /// Every value of a cursor-paginated list, following `after`.
    pub async fn walk(&self, path: &str) -> Vec<Value> {
        let mut values = Vec::new();
        let mut after: Option<String> = None;
        let joiner = if path.contains('?') { '&' } else { '?' };
        for _ in 0..10_000 {
            let url = match &after {
                Some(cursor) => format!("{path}{joiner}after={cursor}"),
                None => path.to_owned(),
            };
            let page = self.get(&url).await;
            assert_eq!(page.status, 200, "{url}: {}", page.body);
            values.extend(page.body["values"].as_array().unwrap().iter().cloned());
            match page.body["pagination"]["after"].as_str() {
                Some(next) => after = Some(next.to_owned()),
                None => return values,
            }
        }
        panic!("pagination never ended for {path}");
    }
}

pub async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Answer {
        status,
        headers,
        body,
    }
}

pub fn ids(values: &[Value]) -> Vec<String> {
    values
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Asserts a Hex-shaped error in either generation: the status, what went wrong (`reason` in
/// a legacy body, `message` or an issue in a new one) mentioning `needle`, and the legacy
/// body's `traceId` or the new body's `code`.
pub fn assert_error(answer: &Answer, status: u16, needle: &str) {
    assert_eq!(answer.status.as_u16(), status, "body: {}", answer.body);
    let body = &answer.body;
    let said = if body.get("message").is_some() {
        assert!(body["code"].is_string(), "no code in {body}");
        assert!(
            body.get("traceId").is_none(),
            "a new body has no traceId: {body}"
        );
        let mut said = body["message"].as_str().unwrap_or_default().to_owned();
        for issue in body["issues"].as_array().into_iter().flatten() {
            said.push_str("; ");
            said.push_str(issue["message"].as_str().unwrap_or_default());
        }
        said
    } else {
        assert!(body["traceId"].is_string(), "no traceId in {body}");
        let mut said = body["reason"].as_str().unwrap_or_default().to_owned();
        if let Some(details) = body["details"].as_str() {
            said.push_str("; ");
            said.push_str(details);
        }
        said
    };
    assert!(said.contains(needle), "{said:?} should mention {needle:?}");
}

/// Asserts the generation of an error body: legacy `{reason, traceId}` or new `{message, code}`.
pub fn assert_legacy(answer: &Answer, legacy: bool) {
    assert_eq!(
        answer.body.get("reason").is_some(),
        legacy,
        "expected a {} body: {}",
        if legacy { "legacy" } else { "new-style" },
        answer.body
    );
}
