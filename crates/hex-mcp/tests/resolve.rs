//! resolve_hex_project over MCP against the sandbox: links in their several forms, ids, exact
//! titles, prefixes and ambiguous titles each give the project Hex confirms (or the candidates),
//! with the requests that took, and walks that stop early say how to go on.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeSet;

use common::{Launch, Session, sandbox, sandbox_with};
use hex_sandbox::{RateLimitMode, RunningSandbox};
use serde_json::{Value, json};

const TOOL: &str = "resolve_hex_project";

async fn resolve(session: &Session, query: &str) -> Value {
    session.call(TOOL, json!({ "query": query })).await.ok()
}

async fn create(session: &Session, title: &str) -> String {
    let created = session
        .call("create_hex_project", json!({ "title": title }))
        .await
        .ok();
    created["id"].as_str().unwrap().to_string()
}

/// A UUID as the 22 base-62 digits (0-9, A-Z, a-z) of Hex's app-link short ids; written
/// independently of the server's decoder.
fn short_id(uuid: &str) -> String {
    let digits: Vec<char> = ('0'..='9').chain('A'..='Z').chain('a'..='z').collect();
    let mut value = u128::from_str_radix(&uuid.replace('-', ""), 16).unwrap();
    let mut out = Vec::new();
    for _ in 0..22 {
        out.push(digits[(value % 62) as usize]);
        value /= 62;
    }
    out.iter().rev().collect()
}

fn assert_resolved(answer: &Value, id: &str, how: &str) {
    assert_eq!(answer["status"], "resolved", "{answer}");
    assert_eq!(answer["project"]["id"], id, "{answer}");
    assert_eq!(answer["matched_by"], how, "{answer}");
    assert_eq!(
        answer["project"]["resource"],
        format!("hex://projects/{id}"),
        "{answer}"
    );
}

fn candidate_ids(answer: &Value) -> BTreeSet<String> {
    answer["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

/// The workspace id links are built with when the paste names none.
async fn org_id(session: &Session) -> String {
    let me = session.call("get_hex_current_user", json!({})).await.ok();
    me["org"]["id"].as_str().unwrap().to_string()
}

fn origin(sandbox: &RunningSandbox) -> String {
    sandbox.base_url().trim_end_matches("/api/v1").to_string()
}

#[tokio::test]
async fn links_in_every_form_resolve_to_the_project_hex_confirms() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let id = create(&session, "Kestrel quarterly revenue").await;
    let short = short_id(&id);
    for (link, how) in [
        (
            format!("https://app.hex.tech/acme/hex/{id}/draft/logic?view=notebook"),
            "link_id",
        ),
        (
            format!("https://eu.hex.tech/acme/app/{id}/latest"),
            "link_id",
        ),
        (
            format!("acme.hex.tech/acme/hex/{}/draft/app", id.to_uppercase()),
            "link_id",
        ),
        (format!("https://app.hex.tech/app/{id}/latest"), "link_id"),
        (
            format!("https://app.hex.tech/acme/app/Kestrel-quarterly-revenue-{short}/latest"),
            "link_short_id",
        ),
        (
            format!("https://acme.hex.tech/acme/app/{short}/3?tab=results"),
            "link_short_id",
        ),
    ] {
        sandbox.clear_requests();
        let answer = resolve(&session, &link).await;
        assert_resolved(&answer, &id, how);
        assert_eq!(answer["project"]["title"], "Kestrel quarterly revenue");
        // Hex confirmed the id; nothing was walked.
        assert_eq!(sandbox.count_requests("GET", "/v1/projects/*"), 1, "{link}");
        assert_eq!(sandbox.count_requests("GET", "/v1/projects"), 0, "{link}");
    }
    // Links are built on the pasted host and workspace, and on the API's host and the token's
    // workspace for a bare id.
    let answer = resolve(
        &session,
        &format!("https://eu.hex.tech/acme/app/{id}/latest"),
    )
    .await;
    assert_eq!(
        answer["project"]["urls"]["logic"],
        format!("https://eu.hex.tech/acme/hex/{id}/draft/logic")
    );
    let answer = resolve(&session, &id).await;
    assert_resolved(&answer, &id, "id");
    let workspace = org_id(&session).await;
    assert_eq!(
        answer["project"]["urls"]["app"],
        format!("{}/{workspace}/app/{id}/latest", origin(&sandbox))
    );
    session.finish().await;
}

#[tokio::test]
async fn an_app_link_whose_short_id_is_not_the_project_falls_back_to_its_slug() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let id = create(&session, "Osprey churn (weekly)").await;
    // A real short id (from a public link) that names no project of this workspace.
    let link = "https://app.hex.tech/acme/app/Osprey-churn-weekly-032CAGPxUhxFTL3eU6LpRr/latest";
    let answer = resolve(&session, link).await;
    assert_resolved(&answer, &id, "link_slug");
    assert!(answer["compared"].as_u64().unwrap() > 0, "{answer}");
    // A link whose id Hex does not know, and no slug to go by, is not found, and says why.
    let missing = "0f8fad5b-d9cb-469f-a165-70867728950e";
    let answer = resolve(
        &session,
        &format!("https://eu.hex.tech/acme/hex/{missing}/draft/logic"),
    )
    .await;
    assert_eq!(answer["status"], "not_found", "{answer}");
    assert!(
        answer["why"].as_str().unwrap().contains(missing),
        "{answer}"
    );
    assert!(
        answer["note"].as_str().unwrap().contains("eu.hex.tech"),
        "{answer}"
    );
    let answer = resolve(&session, missing).await;
    assert_eq!(answer["status"], "not_found", "{answer}");
    session.finish().await;
}

#[tokio::test]
async fn titles_resolve_exactly_then_by_unique_prefix_and_ambiguity_lists_candidates() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let forecast = create(&session, "Pelican demand forecast").await;
    let old = create(&session, "Pelican demand forecast (old)").await;
    let first = create(&session, "Heron weekly KPIs").await;
    let second = create(&session, "Heron weekly KPIs").await;

    // Exact beats the other project that starts with the same words.
    let answer = resolve(&session, "Pelican demand forecast").await;
    assert_resolved(&answer, &forecast, "title");
    assert_eq!(answer["project"]["title"], "Pelican demand forecast");
    let answer = resolve(&session, "  pelican DEMAND forecast ").await;
    assert_resolved(&answer, &forecast, "title_ignoring_case");
    let answer = resolve(&session, "Pelican demand forecast (o").await;
    assert_resolved(&answer, &old, "title_prefix");

    // Two projects start with it: both are candidates, nothing is picked.
    let answer = resolve(&session, "pelican demand").await;
    assert_eq!(answer["status"], "ambiguous", "{answer}");
    assert_eq!(answer["matched_by"], "title_prefix");
    let candidates = candidate_ids(&answer);
    assert_eq!(candidates, BTreeSet::from([forecast.clone(), old.clone()]));
    assert_eq!(answer["candidates_total"], 2);

    // Two projects with the very same title.
    let answer = resolve(&session, "Heron weekly KPIs").await;
    assert_eq!(answer["status"], "ambiguous", "{answer}");
    assert_eq!(answer["matched_by"], "title");
    let candidates = candidate_ids(&answer);
    assert_eq!(candidates, BTreeSet::from([first, second]));

    let answer = resolve(&session, "Albatross budget that nobody wrote").await;
    assert_eq!(answer["status"], "not_found", "{answer}");
    session.finish().await;
}

#[tokio::test]
async fn what_is_no_project_link_is_refused_before_any_request() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    for query in [
        "https://app.hex.tech/acme/home",
        "https://app.hex.tech/acme/app",
        "  ",
    ] {
        let error = session.call(TOOL, json!({ "query": query })).await.err();
        assert_eq!(error["field"], "query", "{query}: {error}");
    }
    let long = "x".repeat(2_001);
    let error = session.call(TOOL, json!({ "query": long })).await.err();
    assert_eq!(error["field"], "query", "{error}");
    assert!(sandbox.requests().is_empty());
    session.finish().await;
}

/// The live projects after the first page of 100 whose titles are unique even as a prefix of
/// another title, so that resolving one must answer that one project: `(title, id)`.
async fn unique_titles_after_first_page(session: &Session) -> Vec<(String, String)> {
    let projects = session
        .all_pages("list_hex_projects", json!({ "limit": 100 }))
        .await;
    let lower: Vec<String> = projects
        .iter()
        .map(|p| p["title"].as_str().unwrap().to_lowercase())
        .collect();
    projects
        .iter()
        .skip(100)
        .filter(|project| {
            let title = project["title"].as_str().unwrap().to_lowercase();
            lower
                .iter()
                .filter(|other| other.starts_with(&title))
                .count()
                == 1
        })
        .map(|p| {
            let field = |name: &str| p[name].as_str().unwrap().to_string();
            (field("title"), field("id"))
        })
        .collect()
}

#[tokio::test]
async fn a_walk_cut_by_its_page_cap_says_where_to_go_on_and_going_on_finds_it() {
    let sandbox = sandbox_with(|config| config.projects = 400).await;
    let session = Launch::against(&sandbox)
        .env("HEX_MCP_SEARCH_MAX_PAGES", "1")
        .start()
        .await;
    let later = unique_titles_after_first_page(&session).await;
    let (title, id) = later
        .first()
        .expect("the seed has more than one page of projects");
    let answer = resolve(&session, title).await;
    assert_eq!(answer["status"], "not_found", "{answer}");
    assert_eq!(answer["compared"], 100, "{answer}");
    assert!(
        answer["stopped_early"]
            .as_str()
            .unwrap()
            .contains("MaxPages"),
        "{answer}"
    );
    let mut after = answer["continue_with"]["after"]
        .as_str()
        .unwrap()
        .to_string();
    // Each call goes one page further, as its cap allows.
    for _ in 0..10 {
        let answer = session
            .call(TOOL, json!({ "query": title, "after": after }))
            .await
            .ok();
        if answer["status"] == "resolved" {
            assert_resolved(&answer, id, "title");
            session.finish().await;
            return;
        }
        after = answer["continue_with"]["after"]
            .as_str()
            .unwrap()
            .to_string();
    }
    panic!("the title was never reached");
}

// ListProjects has no documented rate limit, so the client does not pace it: when Hex applies
// one anyway (here its default group, scaled to 2 a minute), the walk keeps what it compared.
#[tokio::test]
async fn a_walk_refused_by_a_rate_limit_stops_with_what_it_compared_instead_of_failing() {
    let sandbox = sandbox_with(|config| {
        config.projects = 400;
        config.rate_limits = RateLimitMode::DocumentedEverywhere;
        config.rate_limit_scale = 0.07;
    })
    .await;
    let session = Launch::against(&sandbox).start().await;
    let answer = resolve(&session, "Cormorant title that matches nothing").await;
    assert_eq!(answer["status"], "not_found", "{answer}");
    assert_eq!(answer["compared"], 200, "{answer}");
    let stopped = answer["stopped_early"].as_str().unwrap();
    assert!(
        stopped.contains("rate limit") && stopped.contains(" s)"),
        "{answer}"
    );
    assert!(
        !answer["continue_with"]["after"]
            .as_str()
            .unwrap()
            .is_empty()
    );
    // Two pages served, the third refused once (its Retry-After is beyond the retry budget).
    assert_eq!(sandbox.count_requests("GET", "/v1/projects"), 3);
    session.finish().await;
}
