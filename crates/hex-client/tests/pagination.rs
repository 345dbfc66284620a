#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The paginator over real HTTP: follows `after`, shrinks the last page to the item cap, reports.

mod common;

use common::client;
use futures::StreamExt;
use hex_client::api::groups::ListGroupsParams;
use hex_client::api::projects::ListProjectsParams;
use hex_client::{PageCaps, StopReason};
use serde_json::json;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn group(i: u32) -> serde_json::Value {
    json!({"id": format!("g{i}"), "name": format!("Group {i}"), "createdAt": "2025-01-01T00:00:00Z"})
}

async fn mount_three_pages(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/api/v1/groups"))
        .and(query_param_is_missing("after"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "values": [group(1), group(2)], "pagination": {"after": "c2", "before": null}
        })))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/groups"))
        .and(query_param("after", "c2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "values": [group(3), group(4)], "pagination": {"after": "c4", "before": "c2"}
        })))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/groups"))
        .and(query_param("after", "c4"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "values": [group(5)], "pagination": {"after": null, "before": "c4"}
        })))
        .mount(server)
        .await;
}

#[tokio::test]
async fn walks_every_page_lazily() {
    let server = MockServer::start().await;
    mount_three_pages(&server).await;
    let client = client(&server);
    let mut walker = client
        .groups()
        .pages(ListGroupsParams::default(), PageCaps::default());
    let first = walker.next_page().await.unwrap().unwrap();
    assert_eq!(first.values.len(), 2);
    // Nothing more was fetched than asked for.
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    let rest: Vec<_> = walker.stream().collect().await;
    assert_eq!(rest.len(), 2);
    assert_eq!(
        (walker.stop_reason(), walker.next_cursor()),
        (Some(StopReason::Exhausted), None)
    );
    assert_eq!(walker.items_fetched(), 5);
    // The first request asked for the largest page ListGroups allows.
    let requests = server.received_requests().await.unwrap();
    assert!(requests[0].url.query().unwrap().contains("limit=500"));
}

#[tokio::test]
async fn caps_stop_the_walk_and_say_where_to_continue() {
    let server = MockServer::start().await;
    mount_three_pages(&server).await;
    let client = client(&server);
    let walk = client
        .groups()
        .pages(ListGroupsParams::default(), PageCaps::default().pages(1));
    let collected = walk.collect_items().await.unwrap();
    assert_eq!(
        (
            collected.items.len(),
            collected.stop,
            collected.next_cursor.as_deref()
        ),
        (2, StopReason::MaxPages, Some("c2"))
    );

    // Resuming from the cursor with an item cap of 2 lands exactly on the cap.
    let params = ListGroupsParams {
        after: Some("c2".into()),
        ..Default::default()
    };
    let collected = client
        .groups()
        .pages(params, PageCaps::default().items(2))
        .collect_items()
        .await
        .unwrap();
    let ids: Vec<_> = collected.items.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(
        (ids, collected.stop, collected.next_cursor.as_deref()),
        (vec!["g3", "g4"], StopReason::MaxItems, Some("c4"))
    );
    let last = server.received_requests().await.unwrap().pop().unwrap();
    assert!(
        last.url.query().unwrap().contains("limit=2"),
        "{:?}",
        last.url.query()
    );
}

#[tokio::test]
async fn an_error_page_ends_the_walk_at_its_cursor() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(query_param_is_missing("after"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "values": [common::project_json("p1")], "pagination": {"after": "next", "before": null}
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("after", "next"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"reason": "Forbidden"})))
        .mount(&server)
        .await;
    let client = client(&server);
    let mut walker = client
        .projects()
        .pages(ListProjectsParams::default(), PageCaps::default());
    assert!(walker.next_page().await.unwrap().is_ok());
    let err = walker.next_page().await.unwrap().unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert!(walker.next_page().await.is_none());
    assert_eq!(
        (walker.stop_reason(), walker.next_cursor()),
        (Some(StopReason::Error), Some("next"))
    );
}
