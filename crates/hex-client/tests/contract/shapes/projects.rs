//! ProjectApiResource, ListProjects, GetProject, CreateProject (201), UpdateProject (200).

use reqwest::Method;
use serde_json::{Value, json};

use super::{
    assert_cursor_list, assert_enum, assert_exact, assert_new_error_body, assert_nullable_string,
    assert_nullable_timestamp, assert_string, assert_timestamp, assert_uuid,
};
use crate::common::{Env, UNKNOWN_ID};

const PROJECT_KEYS: &[&str] = &[
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
];

const ACCESS: &[&str] = &["NONE", "APP_ONLY", "CAN_VIEW", "CAN_EDIT", "FULL_ACCESS"];
const CADENCES: &[&str] = &["HOURLY", "DAILY", "WEEKLY", "MONTHLY", "CUSTOM"];
const DAYS: &[&str] = &[
    "SUNDAY",
    "MONDAY",
    "TUESDAY",
    "WEDNESDAY",
    "THURSDAY",
    "FRIDAY",
    "SATURDAY",
];

/// ProjectApiResource (`additionalProperties: false`), with `sharing` iff `with_sharing`.
pub fn assert_project(value: &Value, with_sharing: bool) {
    let mut expected: Vec<&str> = PROJECT_KEYS.to_vec();
    if with_sharing {
        expected.push("sharing");
    }
    assert_exact("project", value, &expected);
    assert_uuid("project.id", &value["id"]);
    assert_string("project.title", &value["title"]);
    assert_nullable_string("project.description", &value["description"]);
    assert_enum("project.type", &value["type"], &["PROJECT", "COMPONENT"]);
    for who in ["creator", "owner"] {
        assert_exact(who, &value[who], &["email"]);
        assert_string(who, &value[who]["email"]);
    }
    if !value["status"].is_null() {
        assert_exact("project.status", &value["status"], &["name"]);
    }
    for category in value["categories"].as_array().unwrap() {
        assert_exact("category", category, &["name", "description"]);
        assert_nullable_string("category.description", &category["description"]);
    }
    assert_exact("reviews", &value["reviews"], &["required"]);
    assert!(value["reviews"]["required"].is_boolean());
    let analytics = &value["analytics"];
    assert_exact(
        "analytics",
        analytics,
        &["publishedResultsUpdatedAt", "lastViewedAt", "appViews"],
    );
    assert_nullable_timestamp(
        "publishedResultsUpdatedAt",
        &analytics["publishedResultsUpdatedAt"],
    );
    assert_nullable_timestamp("lastViewedAt", &analytics["lastViewedAt"]);
    let views = &analytics["appViews"];
    let periods = [
        "lastThirtyDays",
        "lastFourteenDays",
        "lastSevenDays",
        "allTime",
    ];
    assert_exact("appViews", views, &periods);
    assert!(periods.iter().all(|p| views[*p].is_u64()), "{views}");
    assert_timestamp("lastEditedAt", &value["lastEditedAt"]);
    assert_timestamp("createdAt", &value["createdAt"]);
    for key in ["lastPublishedAt", "archivedAt", "trashedAt"] {
        assert_nullable_timestamp(key, &value[key]);
    }
    value["schedules"]
        .as_array()
        .unwrap()
        .iter()
        .for_each(assert_schedule);
    if with_sharing {
        assert_sharing(&value["sharing"]);
    }
}

/// All seven keys; only the sub-object matching the cadence is filled, with its own keys.
fn assert_schedule(schedule: &Value) {
    let slots = ["hourly", "daily", "weekly", "monthly", "custom"];
    let mut all = vec!["cadence", "enabled"];
    all.extend(slots);
    assert_exact("schedule", schedule, &all);
    assert_enum("schedule.cadence", &schedule["cadence"], CADENCES);
    assert!(schedule["enabled"].is_boolean());
    let cadence = schedule["cadence"].as_str().unwrap().to_lowercase();
    for slot in slots {
        let value = &schedule[slot];
        if slot != cadence {
            assert!(
                value.is_null(),
                "schedule.{slot} should be null for {cadence}: {schedule}"
            );
            continue;
        }
        let keys: &[&str] = match slot {
            "hourly" => &["timezone", "minute"],
            "daily" => &["timezone", "minute", "hour"],
            "weekly" => &["timezone", "minute", "hour", "dayOfWeek"],
            "monthly" => &["timezone", "minute", "hour", "day"],
            _ => &["timezone", "cron"],
        };
        assert_exact(&format!("schedule.{slot}"), value, keys);
        if slot == "weekly" {
            assert_enum("dayOfWeek", &value["dayOfWeek"], DAYS);
        }
        if let Some(minute) = value.get("minute") {
            assert!(minute.as_u64().is_some_and(|m| m <= 59), "{value}");
        }
    }
}

/// SharingResource: six required keys; principals by e-mail or name.
fn assert_sharing(sharing: &Value) {
    assert_exact(
        "sharing",
        sharing,
        &[
            "users",
            "collections",
            "groups",
            "workspace",
            "publicWeb",
            "support",
        ],
    );
    for (list, item, name) in [
        ("users", "user", "email"),
        ("collections", "collection", "name"),
        ("groups", "group", "name"),
    ] {
        for entry in sharing[list].as_array().unwrap() {
            assert_exact(list, entry, &["access", item]);
            assert_enum("access", &entry["access"], ACCESS);
            assert_exact(item, &entry[item], &[name]);
        }
    }
    for key in ["workspace", "publicWeb", "support"] {
        assert_exact(key, &sharing[key], &["access"]);
        assert_enum(key, &sharing[key]["access"], ACCESS);
    }
}

#[tokio::test]
async fn project_json_matches_the_reference() {
    let env = Env::start().await;
    let all = "/projects?limit=100&includeArchived=true&includeComponents=true&includeTrashed=true";
    let list = env.raw_get(all).await.expect(200);
    let values = assert_cursor_list("ListProjects", &list);
    assert_eq!(values.len(), 100);
    values.iter().for_each(|p| assert_project(p, false));
    assert!(
        values
            .iter()
            .any(|p| !p["schedules"].as_array().unwrap().is_empty())
    );
    assert!(values.iter().any(|p| !p["status"].is_null()));
    let shared = env
        .raw_get(&format!("{all}&includeSharing=true"))
        .await
        .expect(200);
    assert_cursor_list("ListProjects", &shared)
        .iter()
        .for_each(|p| assert_project(p, true));

    let id = values[0]["id"].as_str().unwrap();
    assert_project(
        &env.raw_get(&format!("/projects/{id}")).await.expect(200),
        false,
    );
    let with = env
        .raw_get(&format!("/projects/{id}?includeSharing=true"))
        .await
        .expect(200);
    assert_project(&with, true);

    let created = env
        .raw(
            Method::POST,
            "/projects",
            Some(json!({"title": "Shapes", "description": "d"})),
        )
        .await
        .expect(201);
    assert_project(&created, false);
    let new_id = created["id"].as_str().unwrap();
    let updated = env
        .raw(
            Method::PATCH,
            &format!("/projects/{new_id}"),
            Some(json!({"status": "Approved"})),
        )
        .await
        .expect(200);
    assert_project(&updated, false);
    assert_eq!(updated["status"], json!({"name": "Approved"}));
    let cleared = env
        .raw(
            Method::PATCH,
            &format!("/projects/{new_id}"),
            Some(json!({"status": null})),
        )
        .await
        .expect(200);
    assert_eq!(cleared["status"], Value::Null);

    let missing = env
        .raw_get(&format!("/projects/{UNKNOWN_ID}"))
        .await
        .expect(404);
    assert_new_error_body("GetProject 404", &missing, "NOT_FOUND");
}
