//! ListProjects pagination, filters and sorts; GetProject; CreateProject; UpdateProject.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::common::{Api, assert_error, ids};

const EVERYTHING: &str = "includeArchived=true&includeTrashed=true&includeComponents=true";

#[tokio::test]
async fn walking_every_page_gives_each_project_once_newest_first() {
    let api = Api::start().await;
    let all = api.walk(&format!("/projects?limit=7&{EVERYTHING}")).await;
    assert_eq!(ids(&all), api.sandbox.state().project_ids());
    let created: Vec<&str> = all
        .iter()
        .map(|p| p["createdAt"].as_str().unwrap())
        .collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "not newest first");

    // The default hides archived and trashed projects and components.
    let visible = api.walk("/projects?limit=100").await;
    let expected = all
        .iter()
        .filter(|p| p["archivedAt"].is_null() && p["trashedAt"].is_null() && p["type"] == "PROJECT")
        .count();
    assert_eq!(visible.len(), expected);
    assert!(visible.len() < all.len());
}

#[tokio::test]
async fn before_returns_the_previous_page_and_the_first_page_has_no_before() {
    let api = Api::start().await;
    let first = api.get("/projects?limit=5").await.body;
    assert!(first["pagination"]["before"].is_null());
    let after = first["pagination"]["after"].as_str().unwrap();
    let second = api
        .get(&format!("/projects?limit=5&after={after}"))
        .await
        .body;
    let before = second["pagination"]["before"].as_str().unwrap();
    let back = api
        .get(&format!("/projects?limit=5&before={before}"))
        .await
        .body;
    assert_eq!(back["values"], first["values"]);
    assert!(back["pagination"]["before"].is_null());
    assert_eq!(back["pagination"]["after"], first["pagination"]["after"]);
}

#[tokio::test]
async fn a_walk_survives_projects_created_between_pages() {
    let api = Api::start().await;
    let before_walk: HashSet<String> = ids(&api.walk("/projects?limit=100").await)
        .into_iter()
        .collect();
    let first = api.get("/projects?limit=10").await.body;
    let mut seen = ids(first["values"].as_array().unwrap());
    for i in 0..5 {
        let created = api
            .post("/projects", json!({"title": format!("Inserted {i}")}))
            .await;
        assert_eq!(created.status, 201);
    }
    let after = first["pagination"]["after"].as_str().unwrap();
    seen.extend(ids(&api
        .walk(&format!("/projects?limit=10&after={after}"))
        .await));
    let unique: HashSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "a project came twice");
    assert!(before_walk.is_subset(&unique), "a project was skipped");
}

#[tokio::test]
async fn filters_narrow_the_list() {
    let api = Api::start().await;
    let approved = api.walk("/projects?statuses=Approved&limit=100").await;
    assert!(!approved.is_empty());
    assert!(approved.iter().all(|p| p["status"]["name"] == "Approved"));

    let repeated = api
        .walk("/projects?categories=Finance&categories=Marketing")
        .await;
    let comma = api.walk("/projects?categories=Finance,Marketing").await;
    assert!(!repeated.is_empty());
    assert_eq!(ids(&repeated), ids(&comma));
    let in_categories = |p: &Value| {
        p["categories"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "Finance" || c["name"] == "Marketing")
    };
    assert!(repeated.iter().all(in_categories));

    let owner = approved[0]["owner"]["email"].as_str().unwrap().to_owned();
    let owned = api
        .walk(&format!("/projects?ownerEmail={owner}&{EVERYTHING}"))
        .await;
    assert!(owned.iter().all(|p| p["owner"]["email"] == owner.as_str()));
    assert!(ids(&owned).contains(&approved[0]["id"].as_str().unwrap().to_owned()));

    let creator = approved[0]["creator"]["email"].as_str().unwrap().to_owned();
    let by_creator = api.walk(&format!("/projects?creatorEmail={creator}")).await;
    assert!(
        !by_creator.is_empty()
            && by_creator
                .iter()
                .all(|p| p["creator"]["email"] == creator.as_str())
    );

    let nobody = api.get("/projects?ownerEmail=nobody@nowhere.example").await;
    assert_eq!(nobody.body["values"], json!([]));
    assert!(nobody.body["pagination"]["after"].is_null());

    let components = api.walk("/projects?includeComponents=true&limit=100").await;
    assert!(components.iter().any(|p| p["type"] == "COMPONENT"));
    let archived = api.walk("/projects?includeArchived=true&limit=100").await;
    assert!(archived.iter().any(|p| !p["archivedAt"].is_null()));
    let trashed = api.walk("/projects?includeTrashed=true&limit=100").await;
    assert!(trashed.iter().any(|p| !p["trashedAt"].is_null()));
}

#[tokio::test]
async fn sorts_follow_sort_by_and_direction() {
    let api = Api::start().await;
    for (sort, field) in [
        ("LAST_EDITED_AT", "lastEditedAt"),
        ("CREATED_AT", "createdAt"),
    ] {
        let asc = api
            .walk(&format!(
                "/projects?sortBy={sort}&sortDirection=ASC&limit=50"
            ))
            .await;
        let keys: Vec<&str> = asc.iter().map(|p| p[field].as_str().unwrap()).collect();
        assert!(
            keys.windows(2).all(|w| w[0] <= w[1]),
            "{sort} ASC out of order"
        );
        let desc = api
            .walk(&format!(
                "/projects?sortBy={sort}&sortDirection=DESC&limit=50"
            ))
            .await;
        let mut reversed = ids(&desc);
        reversed.reverse();
        assert_eq!(ids(&asc), reversed);
    }
    let published = api
        .walk("/projects?sortBy=LAST_PUBLISHED_AT&limit=100")
        .await;
    let keys: Vec<&str> = published
        .iter()
        .filter_map(|p| p["lastPublishedAt"].as_str())
        .collect();
    assert!(keys.windows(2).all(|w| w[0] >= w[1]));
    // Never-published projects come last when newest is first.
    let first_null = published
        .iter()
        .position(|p| p["lastPublishedAt"].is_null())
        .unwrap();
    assert!(
        published[first_null..]
            .iter()
            .all(|p| p["lastPublishedAt"].is_null())
    );
}

#[tokio::test]
async fn bad_list_parameters_are_400s_naming_them() {
    let api = Api::start().await;
    assert_error(&api.get("/projects?limit=0").await, 400, "limit");
    assert_error(&api.get("/projects?limit=101").await, 400, "limit");
    assert_error(&api.get("/projects?limit=ten").await, 400, "limit");
    assert_error(&api.get("/projects?sortBy=TITLE").await, 400, "sortBy");
    assert_error(
        &api.get("/projects?sortDirection=desc").await,
        400,
        "sortDirection",
    );
    assert_error(
        &api.get("/projects?includeArchived=yes").await,
        400,
        "includeArchived",
    );
    assert_error(
        &api.get("/projects?collectionId=abc").await,
        400,
        "collectionId",
    );
    assert_error(
        &api.get("/projects?after=bm90LWEtY3Vyc29y").await,
        400,
        "cursor",
    );
    assert_error(&api.get("/projects?after=x&before=y").await, 400, "after");
    // A cursor from one sort is refused by another.
    let page = api.get("/projects?limit=2").await.body;
    let after = page["pagination"]["after"].as_str().unwrap();
    assert_error(
        &api.get(&format!("/projects?sortBy=LAST_EDITED_AT&after={after}"))
            .await,
        400,
        "cursor",
    );
    assert_eq!(
        api.get("/projects?limit=100").await.body["values"]
            .as_array()
            .unwrap()
            .len(),
        100
    );
}

#[tokio::test]
async fn get_create_and_update_a_project() {
    let api = Api::start().await;
    let created = api
        .post(
            "/projects",
            json!({"title": "Finance - Q3 board deck", "description": "For the board"}),
        )
        .await;
    assert_eq!(created.status, 201);
    let project = created.body;
    assert_eq!(project["title"], "Finance - Q3 board deck");
    assert_eq!(project["type"], "PROJECT");
    assert!(project["status"].is_null() && project["lastPublishedAt"].is_null());
    assert!(project.get("sharing").is_none());
    let id = project["id"].as_str().unwrap();

    let fetched = api
        .get(&format!("/projects/{id}?includeSharing=true"))
        .await;
    assert_eq!(fetched.status, 200);
    let sharing = &fetched.body["sharing"];
    for key in [
        "users",
        "collections",
        "groups",
        "workspace",
        "publicWeb",
        "support",
    ] {
        assert!(sharing.get(key).is_some(), "sharing.{key} missing");
    }
    let newest = api.get("/projects?limit=1").await.body;
    assert_eq!(newest["values"][0]["id"], id);

    let updated = api
        .patch(&format!("/projects/{id}"), json!({"status": "Approved"}))
        .await;
    assert_eq!(updated.status, 200);
    assert_eq!(updated.body["status"]["name"], "Approved");
    let cleared = api
        .patch(&format!("/projects/{id}"), json!({"status": null}))
        .await;
    assert!(cleared.body["status"].is_null());
    assert_error(
        &api.patch(&format!("/projects/{id}"), json!({"status": "Shiny"}))
            .await,
        400,
        "Shiny",
    );
    assert_error(
        &api.post("/projects", json!({"description": "no title"}))
            .await,
        400,
        "title",
    );
}

#[tokio::test]
async fn projects_have_the_full_resource_shape() {
    let api = Api::start().await;
    let page = api
        .get(&format!(
            "/projects?limit=100&includeSharing=true&{EVERYTHING}"
        ))
        .await
        .body;
    let keys = [
        "id",
        "title",
        "description",
        "type",
        "creator",
        "owner",
        "status",
        "categories",
        "reviews",
        "analytics",
        "lastEditedAt",
        "lastPublishedAt",
        "createdAt",
        "archivedAt",
        "trashedAt",
        "schedules",
        "sharing",
    ];
    for project in page["values"].as_array().unwrap() {
        let object = project.as_object().unwrap();
        assert_eq!(
            object.keys().collect::<Vec<_>>(),
            keys.iter().collect::<Vec<_>>()
        );
        for schedule in project["schedules"].as_array().unwrap() {
            let cadence = schedule["cadence"].as_str().unwrap().to_lowercase();
            assert!(schedule[cadence.as_str()].is_object());
            assert_eq!(schedule.as_object().unwrap().len(), 7);
        }
    }
    let scheduled = page["values"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["schedules"].as_array().unwrap().is_empty())
        .count();
    assert!(scheduled > 0);
}
