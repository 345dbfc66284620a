//! CreateThread, ContinueThread, GetThread (RUNNING, IDLE and ERROR), ListThreads,
//! GetThreadMessages and ListTopics as raw JSON against §9: required keys, the keys ListThreads
//! and GetThread do not share, block shapes, nullability, no `traceId`, and the new error body.

use std::time::Duration;

use hex_sandbox::SandboxConfig;
use reqwest::Method;
use serde_json::{Value, json};

use super::{
    assert_enum, assert_exact, assert_keys, assert_new_error_body, assert_nullable_string,
    assert_nullable_timestamp, assert_string, assert_timestamp,
};
use crate::common::{Env, config, no_hang};

const ERROR_TYPES: &[&str] = &[
    "NO_CONTEXT",
    "BAD_DATA",
    "AGENT_ERROR",
    "AGENT_OVERLOADED",
    "GENERIC_ERROR",
    "POSSIBLE_PROMPT_INJECTION",
    "OVER_LIMIT",
    "NO_DATA",
    "INVALID_RESPONSE",
    "HALLUCINATED_SCHEMA_ELEMENT",
    "NON_EXPRESSIBLE",
    "INVALID_JOIN",
    "EXPLORE_TIMED_OUT",
    "EXPLORE_ERRORED",
    "EXPLORE_TABLE_SWAPPED",
    "UNSUPPORTED_QUERY_ELEMENTS",
    "EXPLORE_NO_DATA",
    "CHART_ROW_LIMIT_EXCEEDED",
    "BYOK_AUTHENTICATION",
    "BYOK_KEY_MISSING",
    "AGENT_COMPRESSION_ERROR",
    "TOKEN_COUNTING_FAILURE",
    "REQUEST_CANCELLED",
    "INVALID_MESSAGE_HISTORY",
    "INVALID_REQUEST",
    "DATA_CONNECTION_NOT_AUTHORIZED",
    "MODEL_NOT_AVAILABLE",
    "PROVIDER_CONNECTION_INTERRUPTED",
    "AGENT_AUTH",
    "PROVIDER_QUOTA_EXCEEDED",
    "JOIN_VALIDATION_TIMEOUT",
];

/// Keys a ListThreads item and GetThread share; required in GetThread, optional in ListThreads.
const SHARED_REQUIRED_IN_GET: &[&str] = &[
    "url",
    "title",
    "creditsUsed",
    "topics",
    "warnings",
    "feedback",
    "model",
    "auto",
    "effectiveModel",
    "effortLevel",
    "userId",
    "type",
    "source",
    "createdAt",
    "updatedAt",
    "sensitive",
];

/// The Thread fields both bodies carry, whatever the presence rules.
fn assert_thread_fields(what: &str, value: &Value) {
    assert_string(&format!("{what}.url"), &value["url"]);
    assert_nullable_string(&format!("{what}.title"), &value["title"]);
    assert!(value["creditsUsed"].is_number() || value["creditsUsed"].is_null());
    for topic in value["topics"].as_array().unwrap() {
        assert_exact("topic", topic, &["id", "name"]);
    }
    for warning in value["warnings"].as_array().unwrap() {
        assert_exact("warning", warning, &["id", "type", "summary"]);
    }
    for feedback in value["feedback"].as_array().unwrap() {
        assert_keys(
            "feedback",
            feedback,
            &["id", "userFeedback", "type", "userLiked"],
            &["selectedReason"],
        );
        assert_enum("feedback.type", &feedback["type"], &["THUMBS", "FLAG"]);
        assert!(feedback["userLiked"].is_boolean());
    }
    assert_nullable_timestamp("warningsGeneratedAt", &value["warningsGeneratedAt"]);
    assert_nullable_string("threadSummary", &value["threadSummary"]);
    assert_nullable_string("threadIntent", &value["threadIntent"]);
    assert_string("model", &value["model"]);
    assert!(value["auto"].is_boolean());
    assert_nullable_string("effectiveModel", &value["effectiveModel"]);
    assert_nullable_string("effortLevel", &value["effortLevel"]);
    assert_nullable_string("userId", &value["userId"]);
    assert_string("type", &value["type"]);
    assert_string("source", &value["source"]);
    assert_timestamp("createdAt", &value["createdAt"]);
    assert_timestamp("updatedAt", &value["updatedAt"]);
    assert!(value["sensitive"].is_boolean());
}

fn assert_get_thread(value: &Value) {
    let mut required: Vec<&str> = SHARED_REQUIRED_IN_GET.to_vec();
    required.extend(["threadId", "status", "resources", "response"]);
    assert_keys(
        "GetThread",
        value,
        &required,
        &[
            "warningsGeneratedAt",
            "threadSummary",
            "threadIntent",
            "error",
        ],
    );
    assert_thread_fields("GetThread", value);
    assert_string("threadId", &value["threadId"]);
    assert_enum("status", &value["status"], &["IDLE", "RUNNING", "ERROR"]);
    if !value["error"].is_null() {
        assert_exact("error", &value["error"], &["type", "message"]);
        assert_enum("error.type", &value["error"]["type"], ERROR_TYPES);
        assert_string("error.message", &value["error"]["message"]);
    }
    for resource in value["resources"].as_array().unwrap() {
        assert_exact("resource", resource, &["id", "resourceType", "name"]);
    }
    if !value["response"].is_null() {
        for block in value["response"].as_array().unwrap() {
            assert_block(block);
        }
    }
}

/// ResponseBlock: all keys required for each `type`.
fn assert_block(block: &Value) {
    match block["type"].as_str().unwrap() {
        "text" => {
            assert_exact("text block", block, &["type", "text"]);
            assert_string("text", &block["text"]);
        }
        "cell" => {
            assert_exact("cell block", block, &["type", "id", "staticId", "label"]);
            assert_nullable_string("cell label", &block["label"]);
        }
        "project" => {
            assert_exact("project block", block, &["type", "id", "title"]);
            assert_nullable_string("project title", &block["title"]);
        }
        "task" => assert_exact("task block", block, &["type", "title"]),
        other => panic!("unknown block type {other}: {block}"),
    }
}

async fn wait_until(env: &Env, id: &str, status: &str) -> Value {
    no_hang(async {
        loop {
            let body = env.raw_get(&format!("/threads/{id}")).await.expect(200);
            if body["status"] == status {
                return body;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
}

#[tokio::test]
async fn thread_json_matches_the_reference() {
    let env = Env::with(SandboxConfig {
        thread_running: Duration::from_millis(400),
        ..config()
    })
    .await;
    let created = env
        .raw(
            Method::POST,
            "/threads",
            Some(json!({"prompt": "What was revenue by month?"})),
        )
        .await
        .expect(200);
    assert_exact(
        "CreateThread",
        &created,
        &["threadId", "url", "createdAt", "projectId"],
    );
    assert_timestamp("createdAt", &created["createdAt"]);
    assert!(created["projectId"].is_null());
    let id = created["threadId"].as_str().unwrap();

    let running = env.raw_get(&format!("/threads/{id}")).await.expect(200);
    assert_eq!(running["status"], "RUNNING");
    assert_get_thread(&running);
    let idle = wait_until(&env, id, "IDLE").await;
    assert_get_thread(&idle);
    let types: Vec<&str> = idle["response"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["type"].as_str().unwrap())
        .collect();
    for kind in ["text", "cell", "project", "task"] {
        assert!(types.contains(&kind), "no {kind} block in {types:?}");
    }

    let continued = env
        .raw(
            Method::POST,
            &format!("/threads/{id}/followup"),
            Some(json!({"prompt": "by region"})),
        )
        .await
        .expect(200);
    assert_exact("ContinueThread", &continued, &["threadId", "url"]);
    let refused = env
        .raw(
            Method::POST,
            &format!("/threads/{id}/followup"),
            Some(json!({"prompt": "again"})),
        )
        .await
        .expect(400);
    assert_new_error_body("ContinueThread 400", &refused, "BAD_REQUEST");

    let failing = env
        .raw(
            Method::POST,
            "/threads",
            Some(json!({"prompt": "[sandbox:error] churn", "newProject": true})),
        )
        .await
        .expect(200);
    assert_string("projectId", &failing["projectId"]);
    let error = wait_until(&env, failing["threadId"].as_str().unwrap(), "ERROR").await;
    assert_get_thread(&error);
    assert!(error["error"].is_object());

    let missing = env
        .raw_get("/threads/0123456789abcdef0123456789abcdef")
        .await
        .expect(404);
    assert_new_error_body("GetThread 404", &missing, "NOT_FOUND");
}

#[tokio::test]
async fn list_json_matches_the_reference() {
    let env = Env::start().await;
    let list = env.raw_get("/threads?limit=100").await.expect(200);
    assert_exact("ListThreads", &list, &["threads", "pagination"]);
    assert_exact("pagination", &list["pagination"], &["after", "before"]);
    let threads = list["threads"].as_array().unwrap();
    assert!(!threads.is_empty());
    let required = [
        "id",
        "orgId",
        "url",
        "userId",
        "type",
        "source",
        "createdAt",
        "updatedAt",
        "sensitive",
    ];
    let optional: Vec<&str> = SHARED_REQUIRED_IN_GET
        .iter()
        .chain(&["warningsGeneratedAt", "threadSummary", "threadIntent"])
        .copied()
        .filter(|key| !required.contains(key))
        .collect();
    for item in threads {
        // No threadId, status, response or resources in a list item.
        assert_keys("ListThreads item", item, &required, &optional);
        assert_thread_fields("ListThreads item", item);
    }

    let open = threads.iter().find(|t| t["sensitive"] == false).unwrap();
    let id = open["id"].as_str().unwrap();
    let messages = env
        .raw_get(&format!("/threads/{id}/messages"))
        .await
        .expect(200);
    assert_exact("GetThreadMessages", &messages, &["content", "pagination"]);
    assert_exact("pagination", &messages["pagination"], &["after", "before"]);
    let content = messages["content"].as_array().unwrap();
    assert!(!content.is_empty());
    for block in content {
        assert_exact("message", block, &["type", "text", "createdAt"]);
        assert_eq!(block["type"], "text");
        assert_timestamp("createdAt", &block["createdAt"]);
    }

    let topics = env.raw_get("/context/topics").await.expect(200);
    assert_exact("ListTopics", &topics, &["topics", "pagination"]);
    for topic in topics["topics"].as_array().unwrap() {
        assert_exact("topic", topic, &["id", "name"]);
    }
    let bad = env.raw_get("/threads?numDays=0").await.expect(400);
    assert_new_error_body("ListThreads 400", &bad, "BAD_REQUEST");
}
