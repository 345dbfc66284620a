//! Every integer parameter whose input schema states a minimum or a maximum is held to exactly
//! those bounds by the server: one past either end is an error naming the field and the range,
//! and nothing reaches Hex. Driven by `tools/list`, so a tool added later is covered too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Launch, sandbox};
use serde_json::{Map, Value, json};

/// (tool, field, minimum, maximum).
type Bounded = (String, String, Option<i64>, Option<i64>);

/// Every bounded integer parameter, read from the schemas
/// the server advertises (an `anyOf` of a keyword and an integer counts by its integer branch).
fn bounded_integers(tools: &[rmcp::model::Tool]) -> Vec<Bounded> {
    let mut found = Vec::new();
    for tool in tools {
        let Some(Value::Object(properties)) = tool.input_schema.get("properties") else {
            continue;
        };
        for (field, schema) in properties {
            let integer = |schema: &Value| schema["type"] == "integer";
            let branch = if integer(schema) {
                Some(schema.clone())
            } else {
                schema["anyOf"]
                    .as_array()
                    .and_then(|branches| branches.iter().find(|b| integer(b)).cloned())
            };
            let Some(branch) = branch else { continue };
            let (min, max) = (branch["minimum"].as_i64(), branch["maximum"].as_i64());
            if min.is_some() || max.is_some() {
                found.push((tool.name.to_string(), field.clone(), min, max));
            }
        }
    }
    found
}

fn range(min: Option<i64>, max: Option<i64>) -> String {
    match (min, max) {
        (Some(min), Some(max)) => format!("{min}–{max}"),
        (Some(min), None) => format!("{min} or more"),
        (None, Some(max)) => format!("{max} or less"),
        (None, None) => unreachable!(),
    }
}

#[tokio::test]
async fn every_bounded_integer_is_refused_one_past_either_end_before_sending() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let tools = session.client.list_all_tools().await.unwrap();
    let bounded = bounded_integers(&tools);
    // search_hex_projects' limit (1–500) among them: the one that let 10^9 through.
    assert!(
        bounded
            .iter()
            .any(|(tool, field, ..)| tool == "search_hex_projects" && field == "limit"),
        "{bounded:?}"
    );
    sandbox.clear_requests();
    let mut checked = 0;
    for (tool, field, min, max) in &bounded {
        let outside = [min.map(|min| min - 1), max.map(|max| max + 1)];
        for value in outside.into_iter().flatten() {
            let mut arguments = Map::new();
            arguments.insert(field.clone(), json!(value));
            let answer = session.call(tool, Value::Object(arguments)).await;
            assert!(answer.is_error, "{tool} {field}={value}: {}", answer.text);
            let expected = format!("{field} must be {}", range(*min, *max));
            assert!(
                answer.text.contains(&expected),
                "{tool} {field}={value}: expected {expected:?} in {}",
                answer.text
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} cases");
    assert_eq!(sandbox.requests().len(), 0, "{:?}", sandbox.requests());
    session.finish().await;
}

#[tokio::test]
async fn a_limit_far_beyond_the_schema_is_refused_not_clamped() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    sandbox.clear_requests();
    for (tool, arguments) in [
        (
            "search_hex_projects",
            json!({"search_pattern": "x", "limit": 1_000_000_000}),
        ),
        ("list_hex_projects", json!({"limit": 5000})),
        ("list_hex_projects", json!({"limit": 0})),
        ("list_hex_projects", json!({"limit": 2.5})),
        ("list_hex_projects", json!({"offset": 5_000_000_000_u64})),
    ] {
        let answer = session.call(tool, arguments.clone()).await;
        assert!(answer.is_error, "{tool} {arguments}: {}", answer.text);
        assert!(answer.text.contains("must be"), "{}", answer.text);
        assert!(!answer.text.contains("u32"), "{}", answer.text);
    }
    assert_eq!(sandbox.requests().len(), 0);
    session.finish().await;
}
