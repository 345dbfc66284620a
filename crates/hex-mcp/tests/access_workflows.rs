//! The access workflows through MCP against a sandbox, each effect read back from it:
//! update_hex_sharing_bulk (a preview, then each selected project changed once; risky changes
//! confirmed; a failure on one project reported and finished by a re-run; client pacing waited
//! out), audit_hex_access (a planted public project and a planted group grant found; the walk
//! continued to the end) and check_hex_scheduled_runs (a planted failing scheduled project
//! first; a continuation; a spent quota ends the call instead of a 429). Test data is planted
//! from the tests, on the seeded workspace.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::{collections::BTreeSet, sync::Arc, time::Duration};

use common::{Launch, Session, assert_walk_progress, sandbox};
use hex_client::{
    HexClient, Quota, RateGroup, RateLimits, SecretString,
    api::{
        collections::CreateCollectionRequest,
        groups::{CreateGroupRequest, GroupMembers},
        projects::{CreateProjectRequest, GetProjectParams},
        sharing::{AccessLevel, CollectionGrant, GroupGrant, WorkspaceSharing},
        users::ListUsersParams,
    },
};
use hex_mcp::{
    confirm::{ConfirmKey, Gate},
    context::{HexTarget, Limits, ToolContext},
    registry::{Selection, Toolset},
    server::{HexServer, Serving},
};
use hex_sandbox::{FaultRule, RunningSandbox};
use serde_json::{Value, json};

const BULK: &str = "update_hex_sharing_bulk";
const AUDIT: &str = "audit_hex_access";
const SCHEDULED: &str = "check_hex_scheduled_runs";

fn client(sandbox: &RunningSandbox) -> HexClient {
    HexClient::builder(
        sandbox.base_url(),
        SecretString::from(sandbox.token().to_string()),
    )
    .rate_limits(RateLimits::disabled())
    .build()
    .unwrap()
}

/// A session whose client does not pace (the sandbox does not limit either): pacing is tested
/// on its own below.
async fn session(sandbox: &RunningSandbox) -> Session {
    Launch::against(sandbox)
        .env("HEX_MCP_RATE_LIMITS", "off")
        .start()
        .await
}

/// A new collection holding `n` new projects titled `<title> 1`…, oldest first.
async fn plant_projects(hex: &HexClient, title: &str, n: usize) -> (String, Vec<String>) {
    let request = CreateCollectionRequest {
        name: format!("{title} collection"),
        description: None,
        sharing: None,
    };
    let collection = hex.collections().create(&request).await.unwrap().id;
    let mut projects = Vec::new();
    for i in 1..=n {
        let request = CreateProjectRequest {
            title: format!("{title} {i}"),
            description: None,
        };
        let id = hex.projects().create(&request).await.unwrap().id;
        let grant = CollectionGrant::new(collection.clone(), AccessLevel::CanView);
        hex.sharing().collections(&id, &[grant]).await.unwrap();
        projects.push(id);
    }
    (collection, projects)
}

async fn plant_group(hex: &HexClient, name: &str, members: &[String]) -> String {
    let request = CreateGroupRequest {
        name: name.into(),
        members: Some(GroupMembers::users(members.iter().cloned())),
    };
    hex.groups().create(&request).await.unwrap().id
}

/// The access a group has on a project, as its sharing reads.
async fn group_access(hex: &HexClient, project: &str, group: &str) -> Option<String> {
    let params = GetProjectParams {
        include_sharing: true,
    };
    let found = hex.projects().get(project, &params).await.unwrap();
    found
        .sharing
        .unwrap()
        .groups
        .into_iter()
        .find(|share| share.group.name == group)
        .map(|share| share.access.as_str().to_string())
}

fn group_patches(sandbox: &RunningSandbox, project: &str) -> usize {
    sandbox.count_requests("PATCH", &format!("/v1/projects/{project}/sharing/groups"))
}

fn with(mut arguments: Value, key: &str, value: &Value) -> Value {
    arguments[key] = value.clone();
    arguments
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_bulk_change_is_previewed_then_reaches_every_selected_project_once() {
    let sandbox = sandbox().await;
    let hex = client(&sandbox);
    let (collection, projects) = plant_projects(&hex, "Bulk", 6).await;
    let group = plant_group(&hex, "Bulk editors", &[]).await;
    // One project already has the access: shown as already so, and not sent.
    let grant = GroupGrant::new(group.clone(), AccessLevel::CanEdit);
    hex.sharing().groups(&projects[0], &[grant]).await.unwrap();
    let session = session(&sandbox).await;
    sandbox.clear_requests();

    let arguments =
        json!({"access": "CAN_EDIT", "group_ids": [group], "collection_id": collection});
    let preview = session.call(BULK, arguments.clone()).await.ok();
    assert_eq!(preview["status"], "preview", "{preview}");
    assert_eq!(preview["selected"], 6);
    assert_eq!(preview["to_change"], 5);
    assert_eq!(preview["already_so"]["count"], 1);
    assert_eq!(
        ids(&preview["already_so"]["projects"]),
        [projects[0].clone()]
    );
    let changes = preview["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{preview}");
    assert_eq!(
        changes[0]["change"],
        "group \"Bulk editors\": NONE → CAN_EDIT"
    );
    let planned: BTreeSet<String> = ids(&changes[0]["projects"]).into_iter().collect();
    assert_eq!(planned, projects[1..].iter().cloned().collect());
    let estimate = preview["estimate"].as_str().unwrap();
    assert!(
        estimate.contains("5 requests of EditProjectSharingGroups"),
        "{estimate}"
    );
    let token = preview["apply_token"].clone();
    assert_eq!(
        sandbox.count_requests("PATCH", "/v1/projects/*/sharing/**"),
        0
    );

    let progress_before = session.progress().len();
    let applied = session
        .call(BULK, with(arguments.clone(), "apply_token", &token))
        .await
        .ok();
    assert_eq!(applied["status"], "applied", "{applied}");
    assert_eq!(applied["applied"], 5);
    let progress = session.progress_since(progress_before, 5).await;
    assert_walk_progress(&progress, 5.0, "5 of 5 projects");
    assert_eq!(group_patches(&sandbox, &projects[0]), 0);
    for project in &projects[1..] {
        assert_eq!(group_patches(&sandbox, project), 1, "{project}");
    }
    assert_eq!(
        sandbox.count_requests("PATCH", "/v1/projects/*/sharing/**"),
        5
    );
    for project in &projects {
        let access = group_access(&hex, project, "Bulk editors").await;
        assert_eq!(access.as_deref(), Some("CAN_EDIT"), "{project}");
    }

    // The token described a state that is gone: a replay previews (nothing left to do).
    let replay = session
        .call(BULK, with(arguments, "apply_token", &token))
        .await
        .ok();
    assert_eq!(replay["status"], "preview", "{replay}");
    assert_eq!(replay["to_change"], 0);
    assert!(replay.get("apply_token").is_none());
    assert!(replay["next"].as_str().unwrap().contains("another preview"));
    assert_eq!(
        sandbox.count_requests("PATCH", "/v1/projects/*/sharing/**"),
        5
    );
    session.finish().await;
}

#[tokio::test]
async fn risky_bulk_changes_wait_for_a_confirmation() {
    let sandbox = sandbox().await;
    let hex = client(&sandbox);
    let (_, projects) = plant_projects(&hex, "Risky", 2).await;
    let group = plant_group(&hex, "Bulk owners", &[]).await;
    let session = session(&sandbox).await;

    // Public web: previewed without asking, asked before applying, applied once confirmed.
    let arguments = json!({"access": "APP_ONLY", "public_web": true, "project_ids": projects});
    let preview = session.call(BULK, arguments.clone()).await.ok();
    assert_eq!(preview["status"], "preview", "{preview}");
    assert_eq!(preview["to_change"], 2);
    let arguments = with(arguments, "apply_token", &preview["apply_token"]);
    let asked = session.call(BULK, arguments.clone()).await.ok();
    assert_eq!(asked["confirmationRequired"], true, "{asked}");
    let change = asked["change"].as_str().unwrap();
    assert!(
        change.contains("the 2 previewed projects") && change.contains("public"),
        "{change}"
    );
    let path = "/v1/projects/*/sharing/workspaceAndPublic";
    assert_eq!(sandbox.count_requests("PATCH", path), 0);
    let confirmed = with(arguments, "confirmation_token", &asked["confirmationToken"]);
    let applied = session.call(BULK, confirmed).await.ok();
    assert_eq!(applied["status"], "applied", "{applied}");
    assert_eq!(sandbox.count_requests("PATCH", path), 2);
    for project in &projects {
        let params = GetProjectParams {
            include_sharing: true,
        };
        let sharing = hex.projects().get(project, &params).await.unwrap().sharing;
        let public = sharing.unwrap().public_web.unwrap().access;
        assert_eq!(public, AccessLevel::AppOnly);
    }

    // FULL_ACCESS for a group is asked too, naming the group.
    let arguments = json!({"access": "FULL_ACCESS", "group_ids": [group], "project_ids": projects});
    let preview = session.call(BULK, arguments.clone()).await.ok();
    let arguments = with(arguments, "apply_token", &preview["apply_token"]);
    let asked = session.call(BULK, arguments).await.ok();
    let change = asked["change"].as_str().unwrap();
    assert!(
        change.contains("FULL_ACCESS") && change.contains("\"Bulk owners\""),
        "{change}"
    );
    assert_eq!(group_patches(&sandbox, &projects[0]), 0);

    // The public web takes no more than CAN_VIEW: refused before anything is sent.
    let error = session
        .call(
            BULK,
            json!({"access": "CAN_EDIT", "public_web": true, "project_ids": projects}),
        )
        .await
        .err();
    assert_eq!(error["field"], "public_web", "{error}");
    session.finish().await;
}

#[tokio::test]
async fn a_failure_on_one_project_is_reported_and_a_rerun_finishes_the_rest() {
    let sandbox = sandbox().await;
    let hex = client(&sandbox);
    let (collection, projects) = plant_projects(&hex, "Resume", 4).await;
    let group = plant_group(&hex, "Bulk readers", &[]).await;
    let session = session(&sandbox).await;
    let arguments =
        json!({"access": "CAN_VIEW", "group_ids": [group], "collection_id": collection});
    let preview = session.call(BULK, arguments.clone()).await.ok();
    let failing = projects[2].clone();
    sandbox.inject(FaultRule::status(
        "PATCH",
        &format!("/v1/projects/{failing}/sharing/groups"),
        500,
    ));

    let first = session
        .call(
            BULK,
            with(arguments.clone(), "apply_token", &preview["apply_token"]),
        )
        .await
        .ok();
    assert_eq!(first["status"], "partial", "{first}");
    assert_eq!(first["applied"], 3);
    assert_eq!(ids(&first["failed"]), std::slice::from_ref(&failing));
    let next = first["next"].as_str().unwrap().to_lowercase();
    assert!(next.contains("call again"), "{first}");
    for project in &projects {
        let access = group_access(&hex, project, "Bulk readers").await;
        let expected = (*project != failing).then_some("CAN_VIEW");
        assert_eq!(access.as_deref(), expected, "{project}");
    }

    let rerun = session.call(BULK, arguments.clone()).await.ok();
    assert_eq!(rerun["to_change"], 1, "{rerun}");
    assert_eq!(rerun["already_so"]["count"], 3);
    assert_eq!(
        ids(&rerun["changes"][0]["projects"]),
        std::slice::from_ref(&failing)
    );
    let second = session
        .call(BULK, with(arguments, "apply_token", &rerun["apply_token"]))
        .await
        .ok();
    assert_eq!(second["status"], "applied", "{second}");
    assert_eq!(second["applied"], 1);
    assert_eq!(
        group_access(&hex, &failing, "Bulk readers")
            .await
            .as_deref(),
        Some("CAN_VIEW")
    );
    for project in &projects {
        let expected = if *project == failing { 2 } else { 1 };
        assert_eq!(group_patches(&sandbox, project), expected, "{project}");
    }
    session.finish().await;
}

#[tokio::test]
async fn a_project_changed_only_in_part_says_what_was_not_applied() {
    let sandbox = sandbox().await;
    let hex = client(&sandbox);
    let (collection, projects) = plant_projects(&hex, "Halves", 2).await;
    let group = plant_group(&hex, "Half readers", &[]).await;
    let closed = WorkspaceSharing {
        workspace: Some(AccessLevel::NoAccess),
        public_web: None,
    };
    for project in &projects {
        hex.sharing()
            .workspace_and_public(project, &closed)
            .await
            .unwrap();
    }
    let session = session(&sandbox).await;
    let arguments = json!({"access": "CAN_VIEW", "group_ids": [group], "workspace": true,
        "collection_id": collection});
    let preview = session.call(BULK, arguments.clone()).await.ok();
    let half = projects[0].clone();
    sandbox.inject(FaultRule::status(
        "PATCH",
        &format!("/v1/projects/{half}/sharing/workspaceAndPublic"),
        500,
    ));
    let applied = session
        .call(
            BULK,
            with(arguments.clone(), "apply_token", &preview["apply_token"]),
        )
        .await
        .ok();
    assert_eq!(applied["status"], "partial", "{applied}");
    assert_eq!(applied["applied"], 1);
    assert_eq!(ids(&applied["partial"]), std::slice::from_ref(&half));
    let why = applied["partial"][0]["notApplied"].as_str().unwrap();
    assert!(
        why.starts_with("the workspace or public web: failed: "),
        "{why}"
    );
    assert_eq!(
        group_access(&hex, &half, "Half readers").await.as_deref(),
        Some("CAN_VIEW")
    );

    // What is left is only the workspace of that project.
    let rerun = session.call(BULK, arguments).await.ok();
    assert_eq!(rerun["to_change"], 1, "{rerun}");
    assert_eq!(rerun["changes"][0]["change"], "workspace: NONE → CAN_VIEW");
    assert_eq!(ids(&rerun["changes"][0]["projects"]), [half]);
    session.finish().await;
}

/// A server in this process whose client allows 2 `hex-api` requests per 300 ms and sleeps at
/// most 20 ms for a slot: most of the apply's requests meet the pacing's refusal first.
fn tightly_paced_server(sandbox: &RunningSandbox) -> HexServer {
    let quota = Quota {
        max: 2,
        per: Duration::from_millis(300),
    };
    let target = HexTarget {
        base_url: sandbox.base_url(),
        token: Some(SecretString::from(sandbox.token().to_string())),
        timeout: Duration::from_secs(10),
        problem: None,
        rate_limits: RateLimits::default()
            .with_group(RateGroup::HexApi, vec![quota])
            .with_max_wait(Duration::from_millis(20)),
        rate_store: None,
    };
    let selection = Selection {
        toolsets: Some(Toolset::ALL.into_iter().collect()),
        ..Selection::default()
    };
    HexServer::new(
        Arc::new(hex_mcp::tools::registry()),
        selection,
        ToolContext::new(target, Limits::default()),
        Gate::new(false, ConfirmKey::random().unwrap()),
        Serving::default(),
    )
}

async fn call_in_process(server: &HexServer, tool: &str, arguments: Value) -> Value {
    let arguments = arguments.as_object().cloned().unwrap();
    let (result, _) = server.call_detached(tool, arguments).await;
    let content = result.structured_content.unwrap();
    assert_ne!(result.is_error, Some(true), "{content}");
    content
}

#[tokio::test]
async fn the_apply_waits_out_the_client_pacing_instead_of_failing() {
    let sandbox = sandbox().await;
    let hex = client(&sandbox);
    let (collection, projects) = plant_projects(&hex, "Paced", 6).await;
    let group = plant_group(&hex, "Paced readers", &[]).await;
    let server = tightly_paced_server(&sandbox);
    let arguments =
        json!({"access": "CAN_VIEW", "group_ids": [group], "collection_id": collection});
    let preview = call_in_process(&server, BULK, arguments.clone()).await;
    sandbox.clear_requests();

    let applied = call_in_process(
        &server,
        BULK,
        with(arguments, "apply_token", &preview["apply_token"]),
    )
    .await;
    assert_eq!(applied["status"], "applied", "{applied}");
    assert_eq!(applied["applied"], 6);
    // Refused slots were never sent: each project got exactly one request.
    for project in &projects {
        assert_eq!(group_patches(&sandbox, project), 1, "{project}");
    }
}

/// An active user of the seeded workspace.
async fn some_user(hex: &HexClient) -> String {
    let params = ListUsersParams {
        limit: Some(5),
        ..ListUsersParams::default()
    };
    hex.users().list(&params).await.unwrap().values[1]
        .id
        .clone()
}

#[tokio::test]
async fn the_audit_finds_a_public_project_and_a_group_grant() {
    let sandbox = sandbox().await;
    let hex = client(&sandbox);
    let (_, planted) = plant_projects(&hex, "Audit", 2).await;
    let (public, granted) = (planted[0].clone(), planted[1].clone());
    let open = WorkspaceSharing {
        workspace: Some(AccessLevel::NoAccess),
        public_web: Some(AccessLevel::AppOnly),
    };
    hex.sharing()
        .workspace_and_public(&public, &open)
        .await
        .unwrap();
    let user = some_user(&hex).await;
    let group = plant_group(&hex, "Audit readers", std::slice::from_ref(&user)).await;
    let grant = GroupGrant::new(group.clone(), AccessLevel::CanView);
    hex.sharing().groups(&granted, &[grant]).await.unwrap();
    let session = session(&sandbox).await;

    let overview = session.call(AUDIT, json!({})).await.ok();
    let found = overview["public_web"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["id"] == public.as_str())
        .unwrap_or_else(|| panic!("{overview}"));
    assert_eq!(found["access"], "APP_ONLY");

    let by_group = session.call(AUDIT, json!({"group_id": group})).await.ok();
    assert_eq!(by_group["group"]["name"], "Audit readers");
    let projects = by_group["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 1, "{by_group}");
    assert_eq!(projects[0]["id"], granted.as_str());
    assert_eq!(projects[0]["via"], json!({"direct": "CAN_VIEW"}));

    let by_user = session.call(AUDIT, json!({"user_id": user})).await.ok();
    let reached = by_user["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["id"] == granted.as_str())
        .unwrap_or_else(|| panic!("{by_user}"));
    assert_eq!(
        reached["via"]["group \"Audit readers\""], "CAN_VIEW",
        "{reached}"
    );

    let by_project = session
        .call(AUDIT, json!({"project_id": granted}))
        .await
        .ok();
    let access = by_project["access"].as_array().unwrap();
    assert!(
        access.contains(
            &json!({"who": "group \"Audit readers\"", "access": "CAN_VIEW", "via": "group"})
        ),
        "{by_project}"
    );
    let by_project = session
        .call(AUDIT, json!({"project_id": public}))
        .await
        .ok();
    assert!(
        by_project["access"].as_array().unwrap().contains(
            &json!({"who": "anyone with the link", "access": "APP_ONLY", "via": "public web"})
        ),
        "{by_project}"
    );
    session.finish().await;
}

#[tokio::test]
async fn an_audit_continued_page_by_page_sees_what_one_walk_sees() {
    let sandbox = sandbox().await;
    let session = session(&sandbox).await;
    let whole = session.call(AUDIT, json!({"limit": 1000})).await.ok();
    let total = sandbox.state().project_ids().len();
    let live = whole["examined"].as_u64().unwrap() as usize;
    assert!(live > 0 && live <= total, "{live} of {total}");

    let mut seen = Vec::new();
    let mut examined = 0;
    let mut calls = 0;
    let mut arguments = json!({"limit": 50});
    loop {
        let part = session.call(AUDIT, arguments.clone()).await.ok();
        calls += 1;
        examined += part["examined"].as_u64().unwrap() as usize;
        seen.extend(ids(&part["public_web"]));
        match part.get("continue_with") {
            Some(next) => arguments = json!({"limit": 50, "after": next["after"]}),
            None => break,
        }
        assert!(calls < 10, "the walk never ended");
    }
    assert_eq!(examined, live);
    assert_eq!(calls, live.div_ceil(50));
    assert_eq!(seen, ids(&whole["public_web"]));
    assert!(!seen.is_empty(), "the seed has public projects");
    session.finish().await;
}

/// Three scheduled projects (the second fails, the third never ran) and one whose schedule is
/// off, in a new collection.
async fn plant_schedules(sandbox: &RunningSandbox, title: &str) -> (String, Vec<String>) {
    let hex = client(sandbox);
    let (collection, projects) = plant_projects(&hex, title, 4).await;
    let state = sandbox.state();
    for (i, project) in projects.iter().enumerate() {
        assert!(state.plant_schedule(project, i < 3));
    }
    let hour = Duration::from_secs(3_600);
    let minute = Duration::from_secs(60);
    let runs = [
        (0, "COMPLETED", hour, minute),
        (1, "ERRORED", 2 * hour, minute / 2),
        (3, "ERRORED", hour, minute),
    ];
    for (i, status, ago, took) in runs {
        state
            .plant_scheduled_run(&projects[i], status, ago, took)
            .unwrap();
    }
    (collection, projects)
}

#[tokio::test]
async fn the_scheduled_run_check_lists_a_failing_project_first() {
    let sandbox = sandbox().await;
    let (collection, projects) = plant_schedules(&sandbox, "Nightly").await;
    let session = session(&sandbox).await;

    let check = session
        .call(SCHEDULED, json!({"collection_id": collection}))
        .await
        .ok();
    assert_eq!(check["scheduled"], 3, "{check}");
    let progress = session.progress_since(0, 4).await;
    assert_walk_progress(&progress, 3.0, "checked 3 of 3");
    let announced = progress[0].message.as_deref().unwrap();
    assert!(
        announced.starts_with("3 scheduled projects to check"),
        "{announced}"
    );
    assert_eq!(check["failed"], 1);
    let runs = check["runs"].as_array().unwrap();
    assert_eq!(
        ids(&check["runs"]),
        [projects[1].clone(), projects[0].clone()]
    );
    assert_eq!(runs[0]["status"], "ERRORED");
    assert_eq!(runs[0]["elapsedTime"], 30_000.0);
    assert_eq!(runs[1]["status"], "COMPLETED");
    assert!(runs[0]["runUrl"].as_str().unwrap().starts_with("http"));
    assert_eq!(runs[0]["cadence"], "DAILY");
    assert_eq!(ids(&check["never_ran"]), [projects[2].clone()]);
    assert!(check.get("continue_with").is_none(), "{check}");

    // One project per call: the offsets walk the same projects, oldest first.
    let mut checked = Vec::new();
    let mut arguments = json!({"collection_id": collection, "limit": 1});
    for _ in 0..3 {
        let part = session.call(SCHEDULED, arguments.clone()).await.ok();
        assert_eq!(part["checked"], 1, "{part}");
        checked.extend(ids(&part["runs"]));
        checked.extend(part.get("never_ran").map(ids).unwrap_or_default());
        if let Some(next) = part.get("continue_with") {
            arguments = with(arguments, "offset", &next["offset"]);
        }
    }
    assert_eq!(checked, projects[..3]);
    session.finish().await;
}

#[tokio::test]
async fn the_scheduled_run_check_stops_at_a_spent_quota_instead_of_tripping_a_429() {
    let sandbox = sandbox().await;
    let (collection, _) = plant_schedules(&sandbox, "Hourly").await;
    let session = Launch::against(&sandbox)
        .env("HEX_MCP_RATE_LIMITS", "hex-api=2/min")
        .start()
        .await;
    sandbox.clear_requests();

    let check = session
        .call(SCHEDULED, json!({"collection_id": collection}))
        .await
        .ok();
    assert_eq!(check["checked"], 2, "{check}");
    assert_eq!(check["continue_with"]["offset"], 2);
    let stopped = check["stopped_early"].as_str().unwrap();
    assert!(stopped.contains("quota is spent"), "{stopped}");
    let estimate = check["estimate"].as_str().unwrap();
    assert!(
        estimate.starts_with("3 requests of GetProjectRuns (hex-api: 2/min): about 60 s"),
        "{estimate}"
    );
    assert_eq!(sandbox.count_requests("GET", "/v1/projects/*/runs"), 2);
    session.finish().await;
}
