//! ExportProject, GetQueriedTables and CreatePresignedUrl: versions, paging and validation.

use serde_json::{Value, json};

use crate::common::{Api, assert_error, assert_legacy};

#[tokio::test]
async fn the_export_is_the_notebook_in_order_for_the_version_asked() {
    let api = Api::start().await;
    let state = api.sandbox.state();
    let project = state.runnable_project_ids()[2].clone();
    let answer = api
        .post("/projects/export", json!({"projectId": project}))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let document: Value = yaml_serde::from_str(answer.body["content"].as_str().unwrap()).unwrap();
    let read = api.get(&format!("/projects/{project}")).await.body;
    assert_eq!(document["meta"]["title"], read["title"]);
    assert_eq!(document["meta"]["projectId"], project.as_str());
    assert_eq!(document["meta"]["version"], "draft");
    let cells = api.walk(&format!("/cells?projectId={project}")).await;
    let exported: Vec<(&Value, &Value)> = document["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (&c["cellId"], &c["cellType"]))
        .collect();
    let listed: Vec<(&Value, &Value)> = cells
        .iter()
        .map(|c| (&c["staticId"], &c["cellType"]))
        .collect();
    assert_eq!(exported, listed);
    let sql = cells.iter().find(|c| c["cellType"] == "SQL").unwrap();
    let in_yaml = document["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["cellId"] == sql["staticId"])
        .unwrap();
    assert_eq!(
        in_yaml["config"]["source"],
        sql["contents"]["sqlCell"]["source"]
    );
    assert_eq!(
        in_yaml["config"]["dataConnectionId"],
        sql["dataConnectionId"]
    );
    let again = api
        .post("/projects/export", json!({"projectId": project}))
        .await
        .body;
    assert_eq!(again, answer.body, "deterministic");

    let latest = api
        .post(
            "/projects/export",
            json!({"projectId": project, "version": "latest"}),
        )
        .await;
    let document: Value = yaml_serde::from_str(latest.body["content"].as_str().unwrap()).unwrap();
    let published = document["meta"]["version"].as_u64().unwrap();
    assert!(published >= 1);
    let exact = api
        .post(
            "/projects/export",
            json!({"projectId": project, "version": published}),
        )
        .await;
    assert_eq!(exact.status, 200);
    let beyond = api
        .post(
            "/projects/export",
            json!({"projectId": project, "version": published + 1}),
        )
        .await;
    assert_error(&beyond, 400, "no published version");
    for bad in [json!(0), json!("v1"), json!(1.5), json!(true)] {
        let answer = api
            .post(
                "/projects/export",
                json!({"projectId": project, "version": bad}),
            )
            .await;
        assert_error(&answer, 400, "version");
        assert_legacy(&answer, false);
    }
    let unpublished = state.unpublished_project_ids()[0].clone();
    let answer = api
        .post(
            "/projects/export",
            json!({"projectId": unpublished, "version": "latest"}),
        )
        .await;
    assert_error(&answer, 400, "no published version");
    assert_error(
        &api.post("/projects/export", json!({})).await,
        400,
        "projectId",
    );
}

#[tokio::test]
async fn queried_tables_page_forward_and_back() {
    let api = Api::start().await;
    let state = api.sandbox.state();
    let project = api.post("/projects", json!({"title": "Reads"})).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let connection = state.connection_ids()[3].clone();
    let sql = "SELECT * FROM a.t1 JOIN a.t2 ON true JOIN a.t3 ON true JOIN a.t4 ON true JOIN a.t5 ON true";
    let created = api
        .post(
            "/cells",
            json!({"projectId": project, "cellType": "SQL",
            "contents": {"sqlCell": {"source": sql, "dataConnectionId": connection}}}),
        )
        .await;
    // (CreateCell's status, 200 in the digest, is the cells area's concern.)
    assert!(created.status.is_success(), "{}", created.body);
    let all = api
        .walk(&format!("/projects/{project}/queriedTables?limit=2"))
        .await;
    let names: Vec<&str> = all
        .iter()
        .map(|t| t["tableName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a.t1", "a.t2", "a.t3", "a.t4", "a.t5"]);
    let first = api
        .get(&format!("/projects/{project}/queriedTables?limit=2"))
        .await
        .body;
    let cursor = first["pagination"]["after"].as_str().unwrap();
    let second = api
        .get(&format!(
            "/projects/{project}/queriedTables?limit=2&after={cursor}"
        ))
        .await
        .body;
    let back = second["pagination"]["before"].as_str().unwrap();
    let previous = api
        .get(&format!(
            "/projects/{project}/queriedTables?limit=2&before={back}"
        ))
        .await
        .body;
    assert_eq!(previous["values"], first["values"]);
    let bad = api
        .get(&format!("/projects/{project}/queriedTables?limit=0"))
        .await;
    assert_error(&bad, 400, "limit");
    assert_legacy(&bad, true);
    assert!(first["traceId"].is_string());
}

#[tokio::test]
async fn presigned_urls_are_validated_like_hex() {
    let api = Api::start().await;
    let state = api.sandbox.state();
    let project = state.runnable_project_ids()[0].clone();
    let path = format!("/embedding/createPresignedUrl/{project}");
    for (body, field) in [
        (json!({"expiresIn": 0}), "expiresIn"),
        (json!({"expiresIn": 300_001}), "expiresIn"),
        (json!({"expiresIn": "soon"}), "expiresIn"),
        (json!({"scope": ["EXPORT_PNG"]}), "scope"),
        (json!({"scope": "EXPORT_PDF"}), "scope"),
        (json!({"hexUserAttributes": {"n": 1}}), "hexUserAttributes"),
        (json!({"inputParameters": [1]}), "inputParameters"),
        (
            json!({"displayOptions": {"theme": "blue"}}),
            "displayOptions.theme",
        ),
        (
            json!({"displayOptions": {"noEmbedFooter": "yes"}}),
            "displayOptions.noEmbedFooter",
        ),
        (json!({"testMode": "true"}), "testMode"),
    ] {
        let answer = api.post(&path, body.clone()).await;
        assert_error(&answer, 400, field);
        assert_legacy(&answer, true);
    }
    assert!(state.presigned_urls().is_empty());
    let ok = api
        .post(&path, json!({"expiresIn": 300_000, "displayOptions": {"theme": "dark", "custom": 1}, "extra": true}))
        .await;
    assert_eq!(ok.status, 200, "extra keys are allowed: {}", ok.body);
    assert!(
        ok.body["url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    assert_eq!(state.presigned_urls()[0].2, 300_000);

    let archived = api
        .get("/projects?includeArchived=true&limit=100")
        .await
        .body["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| !p["archivedAt"].is_null() && !p["lastPublishedAt"].is_null())
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .unwrap();
    let answer = api
        .post(
            &format!("/embedding/createPresignedUrl/{archived}"),
            json!({}),
        )
        .await;
    assert_error(&answer, 422, "archived");
    let unknown = "00000000-0000-4000-8000-00000000beef";
    assert_error(
        &api.post(
            &format!("/embedding/createPresignedUrl/{unknown}"),
            json!({}),
        )
        .await,
        404,
        "Project",
    );
    assert_error(
        &api.post("/embedding/createPresignedUrl/nope", json!({}))
            .await,
        400,
        "projectId",
    );
}
