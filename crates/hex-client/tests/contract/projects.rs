//! Projects: ListProjects with every filter and sort, GetProject with and without sharing,
//! CreateProject, UpdateProject (set and clear a status).

use hex_client::PageCaps;
use hex_client::api::SortDirection;
use hex_client::api::projects::{
    CreateProjectRequest, GetProjectParams, ListProjectsParams, Project, ProjectSortBy, ProjectType,
};
use hex_client::api::sharing::{AccessLevel, CollectionGrant};

use crate::common::{Env, UNKNOWN_ID, api_error, no_hang, sorted};

fn uncapped(page_size: u32) -> PageCaps {
    PageCaps {
        max_pages: None,
        max_items: None,
        max_elapsed: None,
        page_size: Some(page_size),
    }
}

async fn walk(env: &Env, params: ListProjectsParams) -> Vec<Project> {
    let walker = env.client.projects().pages(params, uncapped(30));
    env.ok(no_hang(walker.collect_items()).await).items
}

fn ids(projects: &[Project]) -> Vec<String> {
    projects.iter().map(|p| p.id.clone()).collect()
}

/// The default exclusions: no archived, trashed or component projects.
fn visible(p: &Project) -> bool {
    p.archived_at.is_none() && p.trashed_at.is_none() && p.kind == ProjectType::Project
}

fn everything() -> ListProjectsParams {
    ListProjectsParams {
        include_archived: true,
        include_components: true,
        include_trashed: true,
        ..ListProjectsParams::default()
    }
}

#[tokio::test]
async fn list_projects_include_flags_add_archived_trashed_and_components() {
    let env = Env::start().await;
    let all = walk(&env, everything()).await;
    let expect = |keep: &dyn Fn(&Project) -> bool| -> Vec<String> {
        all.iter()
            .filter(|p| keep(p))
            .map(|p| p.id.clone())
            .collect()
    };
    let default = walk(&env, ListProjectsParams::default()).await;
    assert_eq!(ids(&default), expect(&visible));
    assert!(default.len() < all.len());

    let archived = ListProjectsParams {
        include_archived: true,
        ..ListProjectsParams::default()
    };
    let got = walk(&env, archived).await;
    assert_eq!(
        ids(&got),
        expect(&|p| p.trashed_at.is_none() && p.kind == ProjectType::Project)
    );
    assert!(got.iter().any(|p| p.archived_at.is_some()));

    let trashed = ListProjectsParams {
        include_trashed: true,
        ..ListProjectsParams::default()
    };
    let got = walk(&env, trashed).await;
    assert_eq!(
        ids(&got),
        expect(&|p| p.archived_at.is_none() && p.kind == ProjectType::Project)
    );
    assert!(got.iter().any(|p| p.trashed_at.is_some()));

    let components = ListProjectsParams {
        include_components: true,
        ..ListProjectsParams::default()
    };
    let got = walk(&env, components).await;
    assert_eq!(
        ids(&got),
        expect(&|p| p.archived_at.is_none() && p.trashed_at.is_none())
    );
    assert!(got.iter().any(|p| p.kind == ProjectType::Component));
    // Sharing only when asked for.
    assert!(all.iter().all(|p| p.sharing.is_none()));
    let shared = walk(
        &env,
        ListProjectsParams {
            include_sharing: true,
            ..ListProjectsParams::default()
        },
    )
    .await;
    assert!(shared.iter().all(|p| p.sharing.is_some()));
}

#[tokio::test]
async fn list_projects_filters_by_status_category_creator_owner_and_collection() {
    let env = Env::start().await;
    let visible_projects: Vec<Project> = walk(&env, everything())
        .await
        .into_iter()
        .filter(visible)
        .collect();
    let expect = |keep: &dyn Fn(&Project) -> bool| -> Vec<String> {
        visible_projects
            .iter()
            .filter(|p| keep(p))
            .map(|p| p.id.clone())
            .collect()
    };

    let statuses = vec!["Approved".to_owned(), "In development".to_owned()];
    let got = walk(
        &env,
        ListProjectsParams {
            statuses: statuses.clone(),
            ..ListProjectsParams::default()
        },
    )
    .await;
    assert!(!got.is_empty());
    assert_eq!(
        ids(&got),
        expect(&|p| p
            .status
            .as_ref()
            .is_some_and(|s| statuses.contains(&s.name)))
    );

    let category = visible_projects
        .iter()
        .find_map(|p| p.categories.first())
        .expect("a project with a category")
        .name
        .clone();
    let got = walk(
        &env,
        ListProjectsParams {
            categories: vec![category.clone()],
            ..ListProjectsParams::default()
        },
    )
    .await;
    assert!(!got.is_empty());
    assert_eq!(
        ids(&got),
        expect(&|p| p.categories.iter().any(|c| c.name == category))
    );

    let creator = visible_projects[0].creator.email.clone();
    let got = walk(
        &env,
        ListProjectsParams {
            creator_email: Some(creator.clone()),
            ..ListProjectsParams::default()
        },
    )
    .await;
    assert_eq!(ids(&got), expect(&|p| p.creator.email == creator));

    let owner = visible_projects[1].owner.email.clone();
    let got = walk(
        &env,
        ListProjectsParams {
            owner_email: Some(owner.clone()),
            ..ListProjectsParams::default()
        },
    )
    .await;
    assert_eq!(ids(&got), expect(&|p| p.owner.email == owner));

    // Put two projects in a collection, then filter by it.
    let collection_id = env.sandbox.state().collection_ids()[2].clone();
    for project in &visible_projects[4..6] {
        let grant = CollectionGrant::new(&collection_id, AccessLevel::CanView);
        env.ok(no_hang(env.client.sharing().collections(&project.id, &[grant])).await);
    }
    let got = walk(
        &env,
        ListProjectsParams {
            collection_id: Some(collection_id.clone()),
            include_sharing: true,
            ..ListProjectsParams::default()
        },
    )
    .await;
    let collection = env.ok(no_hang(env.client.collections().get(&collection_id)).await);
    assert!(got.len() >= 2);
    assert!(ids(&got).contains(&visible_projects[4].id));
    assert!(ids(&got).contains(&visible_projects[5].id));
    for project in &got {
        let sharing = project.sharing.as_ref().unwrap();
        assert!(
            sharing
                .collections
                .iter()
                .any(|c| c.collection.name == collection.name),
            "{project:?}"
        );
    }
    let err = env.err(
        no_hang(env.client.projects().list(&ListProjectsParams {
            collection_id: Some(UNKNOWN_ID.to_owned()),
            ..ListProjectsParams::default()
        }))
        .await,
    );
    api_error(&err, 404);
}

#[tokio::test]
async fn list_projects_sorts_by_every_field_in_both_directions() {
    let env = Env::start().await;
    let mut expected = env.sandbox.state().project_ids();
    expected.sort();
    for sort_by in ProjectSortBy::KNOWN {
        for direction in SortDirection::KNOWN {
            let params = ListProjectsParams {
                sort_by: Some(sort_by.clone()),
                sort_direction: Some(direction.clone()),
                ..everything()
            };
            let walker = env.client.projects().pages(params, uncapped(17));
            let projects = env.ok(no_hang(walker.collect_items()).await).items;
            let mut got = ids(&projects);
            got.sort();
            assert_eq!(got, expected, "{sort_by} {direction}: every project once");
            let asc = *direction == SortDirection::Asc;
            let keys: Vec<&str> = match sort_by {
                ProjectSortBy::CreatedAt => {
                    projects.iter().map(|p| p.created_at.as_str()).collect()
                }
                ProjectSortBy::LastEditedAt => {
                    projects.iter().map(|p| p.last_edited_at.as_str()).collect()
                }
                _ => projects
                    .iter()
                    .filter_map(|p| p.last_published_at.as_deref())
                    .collect(),
            };
            assert!(sorted(&keys, asc), "{sort_by} {direction}: {keys:?}");
        }
    }
}

#[tokio::test]
async fn get_project_with_and_without_sharing() {
    let env = Env::start().await;
    let project_id = env.sandbox.state().project_ids()[0].clone();
    let projects = env.client.projects();
    let plain = env.ok(no_hang(projects.get(&project_id, &GetProjectParams::default())).await);
    assert_eq!(plain.id, project_id);
    assert_eq!(plain.sharing, None);
    let with = GetProjectParams {
        include_sharing: true,
    };
    let shared = env.ok(no_hang(projects.get(&project_id, &with)).await);
    let sharing = shared.sharing.clone().expect("sharing");
    assert!(sharing.workspace.is_some() && sharing.public_web.is_some());
    assert!(sharing.support.is_some());
    assert_eq!(
        Project {
            sharing: None,
            ..shared
        },
        plain
    );
    // The list shows the same project.
    let first = env.ok(no_hang(projects.list(&everything())).await).values;
    assert_eq!(first[0], plain);
}

#[tokio::test]
async fn create_project_then_set_and_clear_its_status() {
    let env = Env::start().await;
    let projects = env.client.projects();
    let request = CreateProjectRequest {
        title: "Churn deep dive".to_owned(),
        description: Some("Why customers leave".to_owned()),
    };
    let created = env.ok(no_hang(projects.create(&request)).await);
    assert_eq!(created.title, "Churn deep dive");
    assert_eq!(created.description.as_deref(), Some("Why customers leave"));
    assert_eq!(created.kind, ProjectType::Project);
    assert_eq!(created.status, None);
    assert_eq!(created.last_published_at, None);
    let me = env.ok(no_hang(env.client.users().me()).await);
    assert_eq!(
        (&created.creator.email, &created.owner.email),
        (&me.email, &me.email)
    );
    assert_eq!(
        env.sandbox.state().project_ids()[0],
        created.id,
        "newest first"
    );
    assert_eq!(env.sandbox.count_requests("POST", "/v1/projects"), 1);

    let approved = env.ok(no_hang(projects.update_status(&created.id, Some("Approved"))).await);
    assert_eq!(
        approved.status.as_ref().map(|s| s.name.as_str()),
        Some("Approved")
    );
    let read = env.ok(no_hang(projects.get(&created.id, &GetProjectParams::default())).await);
    assert_eq!(read.status, approved.status);
    let cleared = env.ok(no_hang(projects.update_status(&created.id, None)).await);
    assert_eq!(cleared.status, None);
    let logged = env.sandbox.requests().last().unwrap().body.clone().unwrap();
    assert_eq!(logged, serde_json::json!({"status": null}));
    let err = env.err(no_hang(projects.update_status(UNKNOWN_ID, None)).await);
    api_error(&err, 404);
}
