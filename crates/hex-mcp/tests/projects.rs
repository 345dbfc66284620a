//! Projects: listing with cursors, filters and offset; searching every page once; reading one.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeSet;

use common::{Launch, Session, sandbox};
use regex::RegexBuilder;
use serde_json::{Value, json};

/// Every project through list_hex_projects, page by page.
async fn all_projects(session: &Session, limit: u64) -> Vec<Value> {
    let mut projects = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut args = json!({"limit": limit});
        if let Some(cursor) = &after {
            args["after"] = json!(cursor);
        }
        let page = session.call("list_hex_projects", args).await.ok();
        projects.extend(page["values"].as_array().unwrap().iter().cloned());
        match page["pagination"]["after"].as_str() {
            Some(cursor) => after = Some(cursor.to_string()),
            None => return projects,
        }
    }
}

fn ids(projects: &[Value]) -> Vec<String> {
    projects
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn listing_walks_every_page_once_and_offset_lands_where_cursors_do() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let walked = ids(&all_projects(&session, 17).await);
    let unique: BTreeSet<&String> = walked.iter().collect();
    assert_eq!(unique.len(), walked.len(), "a project came twice");
    // The default listing leaves out archived, trashed and components.
    let all = sandbox.state().project_ids();
    assert!(walked.len() < all.len() && walked.iter().all(|id| all.contains(id)));

    let by_offset = session
        .call("list_hex_projects", json!({"limit": 5, "offset": 40}))
        .await
        .ok();
    assert_eq!(
        ids(by_offset["values"].as_array().unwrap()),
        walked[40..45].to_vec()
    );
    session.finish().await;
}

#[tokio::test]
async fn filters_and_sorting_reach_hex() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let collection = sandbox.state().collection_ids()[0].clone();
    let page = session
        .call(
            "list_hex_projects",
            json!({"collection_id": collection, "sort_by": "last_edited_at", "sort_direction": "asc",
                   "include_archived": true, "include_sharing": true, "statuses": ["Approved"]}),
        )
        .await
        .ok();
    let request = sandbox.requests().into_iter().last().unwrap();
    let query = request.query.unwrap();
    for part in [
        "collectionId=",
        "sortBy=LAST_EDITED_AT",
        "sortDirection=ASC",
        "includeArchived=true",
        "includeSharing=true",
        "statuses=Approved",
    ] {
        assert!(query.contains(part), "{part} not in {query}");
    }
    for project in page["values"].as_array().unwrap() {
        assert_eq!(project["status"]["name"], "Approved");
        assert!(project.get("sharing").is_some());
    }
    session.finish().await;
}

#[tokio::test]
async fn search_finds_each_match_once_across_all_pages() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let pattern = "revenue|funnel|churn";
    let regex = RegexBuilder::new(pattern)
        .case_insensitive(true)
        .build()
        .unwrap();
    let expected: Vec<String> = all_projects(&session, 100)
        .await
        .iter()
        .filter(|p| regex.is_match(p["title"].as_str().unwrap()))
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    assert!(expected.len() >= 3, "the seed should have several matches");

    let found = session
        .call("search_hex_projects", json!({"search_pattern": pattern}))
        .await
        .ok();
    assert_eq!(ids(found["values"].as_array().unwrap()), expected);
    assert_eq!(found["has_more"], false);
    assert_eq!(found["total_matched"], expected.len());

    // A limit below the matches says there is more and how to continue.
    let first = session
        .call(
            "search_hex_projects",
            json!({"search_pattern": pattern, "limit": 2}),
        )
        .await
        .ok();
    assert_eq!(first["has_more"], true);
    let next = first["continue_with"].clone();
    let rest = session
        .call(
            "search_hex_projects",
            json!({"search_pattern": pattern, "offset": next["offset"], "limit": 500}),
        )
        .await
        .ok();
    let mut joined = ids(first["values"].as_array().unwrap());
    joined.extend(ids(rest["values"].as_array().unwrap()));
    assert_eq!(joined, expected);
    session.finish().await;
}

#[tokio::test]
async fn a_search_that_hits_its_page_cap_says_so_and_continues_where_it_stopped() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox)
        .env("HEX_MCP_SEARCH_MAX_PAGES", "1")
        .start()
        .await;
    let everything = "."; // matches every title
    let total = all_projects(&session, 100).await.len();
    let first = session
        .call(
            "search_hex_projects",
            json!({"search_pattern": everything, "limit": 500}),
        )
        .await
        .ok();
    assert_eq!(first["has_more"], true);
    assert!(
        first["stopped_early"]
            .as_str()
            .unwrap()
            .contains("MaxPages"),
        "{first}"
    );
    let after = first["continue_with"]["after"]
        .as_str()
        .unwrap()
        .to_string();
    let mut seen = ids(first["values"].as_array().unwrap());
    let mut cursor = Some(after);
    while let Some(after) = cursor {
        let next = session
            .call(
                "search_hex_projects",
                json!({"search_pattern": everything, "limit": 500, "after": after}),
            )
            .await
            .ok();
        seen.extend(ids(next["values"].as_array().unwrap()));
        cursor = next["continue_with"]["after"].as_str().map(str::to_string);
    }
    let unique: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(
        (seen.len(), unique.len()),
        (total, total),
        "every project once"
    );
    session.finish().await;
}

#[tokio::test]
async fn an_invalid_regex_is_an_input_error() {
    let session = Launch::embedded().start().await;
    let error = session
        .call(
            "search_hex_projects",
            json!({"search_pattern": "(unclosed"}),
        )
        .await
        .err();
    assert_eq!(error["field"], "search_pattern");
    session.finish().await;
}

#[tokio::test]
async fn get_reads_one_project_and_a_404_names_the_way_to_find_ids() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let id = sandbox.state().project_ids()[3].clone();
    let project = session
        .call(
            "get_hex_project",
            json!({"project_id": id, "include_sharing": true}),
        )
        .await
        .ok();
    assert_eq!(project["id"], id);
    assert!(project["sharing"]["workspace"].is_object());
    let missing = "00000000-0000-4000-8000-000000000000";
    let error = session
        .call("get_hex_project", json!({"project_id": missing}))
        .await
        .err();
    assert_eq!(error["status"], 404);
    // GetProject answers errors in the new shape: a code, no traceId.
    assert_eq!(error["code"], "NOT_FOUND");
    assert!(
        error["next"]
            .as_str()
            .unwrap()
            .contains("search_hex_projects"),
        "{error}"
    );
    session.finish().await;
}

#[tokio::test]
async fn a_huge_search_pattern_is_refused_with_its_bound_before_anything_is_sent() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    for pattern in ["a".repeat(1_001), "(a|b)".repeat(2_000_000)] {
        sandbox.clear_requests();
        let started = std::time::Instant::now();
        let error = session
            .call("search_hex_projects", json!({"search_pattern": pattern}))
            .await
            .err();
        let message = error["message"].as_str().unwrap();
        assert_eq!(error["field"], "search_pattern", "{error}");
        assert!(message.contains("0–1000 characters"), "{message}");
        assert!(sandbox.requests().is_empty(), "{:?}", sandbox.requests());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
    // A short pattern whose compiled form would be huge is refused too, by its compiled size.
    let error = session
        .call(
            "search_hex_projects",
            json!({"search_pattern": r"\w{500}\w{500}"}),
        )
        .await
        .err();
    assert_eq!(error["field"], "search_pattern", "{error}");
    assert!(sandbox.requests().is_empty(), "{:?}", sandbox.requests());
    session.finish().await;
}
