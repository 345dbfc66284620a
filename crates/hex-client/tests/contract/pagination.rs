//! Walking every page of projects and of a project's cells: no duplicates, no gaps, in the
//! sandbox's own order, forwards with any page size and backwards with `before`.

use std::collections::HashSet;

use hex_client::PageCaps;
use hex_client::api::cells::{Cell, ListCellsParams};
use hex_client::api::projects::{ListProjectsParams, Project};
use hex_sandbox::SandboxConfig;

use crate::common::{Env, config, no_hang};

/// No cap but the page size: the walk ends only when Hex says so.
fn uncapped(page_size: u32) -> PageCaps {
    PageCaps {
        max_pages: None,
        max_items: None,
        max_elapsed: None,
        page_size: Some(page_size),
    }
}

/// ListProjects with archived, trashed and components: every project the sandbox holds.
fn every_project() -> ListProjectsParams {
    ListProjectsParams {
        include_archived: true,
        include_components: true,
        include_trashed: true,
        ..ListProjectsParams::default()
    }
}

fn assert_no_duplicates(ids: &[String]) {
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "duplicates in {ids:?}");
}

#[tokio::test]
async fn walking_all_project_pages_has_no_duplicates_and_no_gaps() {
    let env = Env::start().await;
    let expected = env.sandbox.state().project_ids();
    assert!(expected.len() >= 120, "{}", expected.len());
    for page_size in [1, 7, 25, 100] {
        let walker = env
            .client
            .projects()
            .pages(every_project(), uncapped(page_size));
        let collected = env.ok(no_hang(walker.collect_items()).await);
        let ids: Vec<String> = collected.items.into_iter().map(|p| p.id).collect();
        assert_no_duplicates(&ids);
        assert_eq!(ids, expected, "page size {page_size}");
        assert_eq!(collected.next_cursor, None);
        assert!(!collected.stop.is_partial());
    }
    // One request per page, and no empty page at the end (Hex looks ahead for `after`).
    let n = expected.len();
    let pages = n + n.div_ceil(7) + n.div_ceil(25) + n.div_ceil(100);
    assert_eq!(env.sandbox.count_requests("GET", "/v1/projects"), pages);
}

#[tokio::test]
async fn walking_project_pages_back_with_before_returns_the_same_pages() {
    let env = Env::start().await;
    let projects = env.client.projects();
    let mut params = ListProjectsParams {
        limit: Some(9),
        ..every_project()
    };
    // Forwards, remembering every page.
    let mut pages: Vec<Vec<String>> = Vec::new();
    let mut last = loop {
        let page = env.ok(no_hang(projects.list(&params)).await);
        if pages.is_empty() {
            assert_eq!(page.pagination.before, None, "the first page has no before");
        }
        pages.push(page.values.iter().map(|p| p.id.clone()).collect());
        match page.pagination.after.clone() {
            Some(after) => params.after = Some(after),
            None => break page,
        }
    };
    let forward: Vec<String> = pages.concat();
    assert_no_duplicates(&forward);
    assert_eq!(forward, env.sandbox.state().project_ids());
    // Backwards from the last page: each `before` gives exactly the page before it.
    let mut index = pages.len() - 1;
    while let Some(before) = last.pagination.before.clone() {
        index -= 1;
        let back = ListProjectsParams {
            limit: Some(9),
            before: Some(before),
            ..every_project()
        };
        last = env.ok(no_hang(projects.list(&back)).await);
        let ids: Vec<String> = last.values.iter().map(|p| p.id.clone()).collect();
        assert_eq!(ids, pages[index], "page {index} read backwards");
        assert!(
            last.pagination.after.is_some(),
            "a page before another has an after"
        );
    }
    assert_eq!(index, 0, "the walk back stopped before the first page");
}

#[tokio::test]
async fn walking_all_cells_of_a_project_has_no_duplicates_and_no_gaps() {
    let env = Env::with(SandboxConfig {
        projects: 6,
        cells_per_project: 23,
        ..config()
    })
    .await;
    let state = env.sandbox.state();
    for project_id in state.project_ids() {
        let expected = state.cell_ids(&project_id);
        assert!(expected.len() >= 23, "{}", expected.len());
        for page_size in [1, 4, 100] {
            let walker = env
                .client
                .cells()
                .pages(ListCellsParams::new(&project_id), uncapped(page_size));
            let collected = env.ok(no_hang(walker.collect_items()).await);
            let ids: Vec<String> = collected
                .items
                .iter()
                .map(|c: &Cell| c.id.clone())
                .collect();
            assert_no_duplicates(&ids);
            assert_eq!(ids, expected, "project {project_id}, page size {page_size}");
            assert!(collected.items.iter().all(|c| c.project_id == project_id));
        }
    }
}

#[tokio::test]
async fn walking_cell_pages_back_with_before_returns_the_same_pages() {
    let env = Env::with(SandboxConfig {
        projects: 2,
        cells_per_project: 17,
        ..config()
    })
    .await;
    let project_id = env.sandbox.state().project_ids()[0].clone();
    let cells = env.client.cells();
    let mut params = ListCellsParams {
        limit: Some(5),
        ..ListCellsParams::new(&project_id)
    };
    let mut pages: Vec<Vec<String>> = Vec::new();
    let mut last = loop {
        let page = env.ok(no_hang(cells.list(&params)).await);
        pages.push(page.values.iter().map(|c| c.id.clone()).collect());
        match page.pagination.after.clone() {
            Some(after) => params.after = Some(after),
            None => break page,
        }
    };
    assert_eq!(pages.concat(), env.sandbox.state().cell_ids(&project_id));
    let mut index = pages.len() - 1;
    while let Some(before) = last.pagination.before.clone() {
        index -= 1;
        let back = ListCellsParams {
            limit: Some(5),
            before: Some(before),
            ..ListCellsParams::new(&project_id)
        };
        last = env.ok(no_hang(cells.list(&back)).await);
        let ids: Vec<String> = last.values.iter().map(|c| c.id.clone()).collect();
        assert_eq!(ids, pages[index], "cell page {index} read backwards");
    }
    assert_eq!(index, 0);
}

#[tokio::test]
async fn a_walk_capped_by_items_resumes_from_its_cursor_without_gaps() {
    let env = Env::start().await;
    let expected = env.sandbox.state().project_ids();
    let projects = env.client.projects();
    let caps = PageCaps {
        max_items: Some(50),
        ..uncapped(20)
    };
    let first = env.ok(no_hang(projects.pages(every_project(), caps).collect_items()).await);
    assert_eq!(first.items.len(), 50);
    assert!(first.stop.is_partial());
    let rest_params = ListProjectsParams {
        after: first.next_cursor.clone(),
        ..every_project()
    };
    let rest = env.ok(no_hang(projects.pages(rest_params, uncapped(20)).collect_items()).await);
    let ids: Vec<String> = first
        .items
        .iter()
        .chain(rest.items.iter())
        .map(|p: &Project| p.id.clone())
        .collect();
    assert_eq!(ids, expected);
}
