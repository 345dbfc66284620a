//! The seeded workspace: deterministic, realistic, and able to grow to 50,000 projects.

use std::time::Instant;

use hex_sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;

use crate::common::{Api, config};

const EVERYTHING: &str =
    "includeArchived=true&includeTrashed=true&includeComponents=true&includeSharing=true";

async fn dump(api: &Api) -> Value {
    let projects = api.walk(&format!("/projects?limit=100&{EVERYTHING}")).await;
    let first = projects[0]["id"].as_str().unwrap().to_owned();
    let cells = api.walk(&format!("/cells?projectId={first}")).await;
    let users = api.walk("/users?limit=500").await;
    let groups = api.walk("/groups").await;
    let collections = api.walk("/collections").await;
    let connections = api.walk("/data-connections").await;
    let me = api.get("/users/me").await.body;
    serde_json::json!([projects, cells, users, groups, collections, connections, me])
}

#[tokio::test]
async fn the_same_seed_gives_byte_identical_data() {
    let a = Api::with(SandboxConfig {
        seed: 7,
        ..config()
    })
    .await;
    let b = Api::with(SandboxConfig {
        seed: 7,
        ..config()
    })
    .await;
    let c = Api::with(SandboxConfig {
        seed: 8,
        ..config()
    })
    .await;
    let (da, db, dc) = (dump(&a).await, dump(&b).await, dump(&c).await);
    assert_eq!(
        serde_json::to_string(&da).unwrap(),
        serde_json::to_string(&db).unwrap()
    );
    assert_ne!(da[0][0]["id"], dc[0][0]["id"]);
    assert_eq!(
        a.sandbox
            .state()
            .cell_ids(&a.sandbox.state().project_ids()[9]),
        b.sandbox
            .state()
            .cell_ids(&b.sandbox.state().project_ids()[9])
    );
}

#[tokio::test]
async fn the_default_workspace_is_realistic() {
    let api = Api::start().await;
    let projects = api.walk(&format!("/projects?limit=100&{EVERYTHING}")).await;
    assert!(projects.len() >= 120);
    let titles: Vec<&str> = projects
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert!(titles.iter().any(|t| t.starts_with("Finance")));
    assert!(titles.iter().any(|t| t.starts_with("Marketing")));
    assert!(titles.iter().any(|t| t.starts_with("Engineering")));
    let statuses: std::collections::HashSet<&str> = projects
        .iter()
        .filter_map(|p| p["status"]["name"].as_str())
        .collect();
    assert!(statuses.len() >= 3);
    let owners: std::collections::HashSet<&str> = projects
        .iter()
        .map(|p| p["owner"]["email"].as_str().unwrap())
        .collect();
    assert!(owners.len() >= 10);
    let state = api.sandbox.state();
    let cells: usize = state
        .project_ids()
        .iter()
        .map(|p| state.cell_ids(p).len())
        .sum();
    assert!(cells >= 600);
    assert_eq!(state.user_ids().len(), 40);
    assert_eq!(state.group_ids().len(), 6);
    assert_eq!(state.collection_ids().len(), 5);
    assert_eq!(state.connection_ids().len(), 4);
    assert!(
        state
            .group_ids()
            .iter()
            .all(|g| !state.group_member_ids(g).is_empty())
    );
}

#[tokio::test]
async fn fifty_thousand_projects_seed_and_page_in_full() {
    let started = Instant::now();
    let sandbox = Sandbox::new(SandboxConfig {
        projects: 50_000,
        ..config()
    });
    let seeded = started.elapsed();
    eprintln!("seeded 50,000 projects in {seeded:?}");
    assert_eq!(sandbox.state().project_ids().len(), 50_000);

    let api = Api::with(SandboxConfig {
        projects: 50_000,
        ..config()
    })
    .await;
    let mut after: Option<String> = None;
    let started = Instant::now();
    let mut pages = 0;
    for _ in 0..20 {
        let path = match &after {
            Some(cursor) => format!("/projects?limit=100&sortBy=LAST_EDITED_AT&after={cursor}"),
            None => "/projects?limit=100&sortBy=LAST_EDITED_AT".to_owned(),
        };
        let page = api.get(&path).await;
        assert_eq!(page.status, 200);
        assert_eq!(page.body["values"].as_array().unwrap().len(), 100);
        after = page.body["pagination"]["after"].as_str().map(str::to_owned);
        pages += 1;
    }
    assert_eq!(pages, 20);
    // Timings are reported, not asserted: the benchmarks measure speed, tests measure behaviour.
    eprintln!("20 pages of 100 in {:?}", started.elapsed());
}

#[tokio::test]
async fn concurrent_clients_all_get_answers() {
    let api = std::sync::Arc::new(Api::start().await);
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let api = api.clone();
            tokio::spawn(async move {
                if i % 4 == 0 {
                    api.post(
                        "/projects",
                        serde_json::json!({"title": format!("Concurrent {i}")}),
                    )
                    .await
                    .status
                } else {
                    api.get("/projects?limit=50&includeSharing=true")
                        .await
                        .status
                }
            })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap().is_success());
    }
    assert_eq!(api.sandbox.state().project_ids().len(), 120 + 16);
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let api = Api::start().await;
    let url = api.url("/users/me");
    assert_eq!(api.get("/users/me").await.status, 200);
    let Api { sandbox, .. } = api;
    sandbox.shutdown().await;
    let fresh = crate::common::client();
    assert!(
        fresh
            .get(&url)
            .bearer_auth("sandbox-token")
            .send()
            .await
            .is_err()
    );
}
