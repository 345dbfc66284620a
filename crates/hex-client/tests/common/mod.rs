//! Shared helpers for the wiremock tests: a client pointed at the mock server with short waits,
//! and sample bodies shaped like Hex's.
#![allow(dead_code)]

use std::time::Duration;

use hex_client::{HexClient, RateLimits, RetryPolicy, SecretString};
use serde_json::{Value, json};
use wiremock::MockServer;

pub const TOKEN: &str = "fake-test-token-0123456789";
pub const PROJECT_ID: &str = "5a8591dd-4039-49df-9202-96385ba3eff8";
pub const RUN_ID: &str = "0b1c1a7e-6a0e-4fd6-9c4c-b1e4b1b7f001";

/// Retries with millisecond waits, so retry tests run fast.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        min_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
        max_total_wait: Duration::from_secs(5),
        jitter: false,
    }
}

pub fn base(server: &MockServer) -> String {
    format!("{}/api/v1", server.uri())
}

/// A client for `server` with fast retries and no pacing.
pub fn client(server: &MockServer) -> HexClient {
    HexClient::builder(base(server), SecretString::from(TOKEN))
        .retry_policy(fast_retries())
        .rate_limits(RateLimits::disabled())
        .build()
        .unwrap()
}

pub fn project_json(id: &str) -> Value {
    json!({
        "id": id,
        "title": "Revenue dashboard",
        "description": null,
        "type": "PROJECT",
        "creator": {"email": "ana@example.com"},
        "owner": {"email": "ana@example.com"},
        "status": {"name": "Published"},
        "categories": [{"name": "Finance", "description": null}],
        "reviews": {"required": false},
        "analytics": {
            "appViews": {"allTime": 12, "lastSevenDays": 1, "lastFourteenDays": 2, "lastThirtyDays": 3},
            "lastViewedAt": "2026-01-02T03:04:05Z",
            "publishedResultsUpdatedAt": null
        },
        "lastEditedAt": "2026-01-01T00:00:00Z",
        "lastPublishedAt": null,
        "createdAt": "2025-12-01T00:00:00Z",
        "archivedAt": null,
        "trashedAt": null,
        "schedules": [{
            "cadence": "DAILY", "enabled": true,
            "hourly": null, "daily": {"timezone": "+00:00", "minute": 0, "hour": 6},
            "weekly": null, "monthly": null, "custom": null
        }]
    })
}

pub fn run_status_json(status: &str) -> Value {
    json!({
        "projectId": PROJECT_ID,
        "projectVersion": 3,
        "runId": RUN_ID,
        "runUrl": "https://app.hex.tech/acme/app/x/latest",
        "status": status,
        "runTrigger": "API",
        "startTime": "2026-01-01T00:00:00Z",
        "endTime": null,
        "elapsedTime": null,
        "traceId": "trace-run"
    })
}
