//! ListDraftGuides (new-style: `{values: [{id, filePath}], pagination}`, no traceId, limit
//! default 100), UpsertGuideDraft (200 `{files, warnings, traceId}`), PublishGuideDrafts (200
//! `{message, publishedGuides, traceId}`), DeleteGuideDraft (204, no body).

use reqwest::Method;
use serde_json::{Value, json};

use super::{
    assert_cursor_list, assert_error_body, assert_exact, assert_new_error_body, assert_string,
    assert_uuid,
};
use crate::common::{Env, UNKNOWN_ID};

fn assert_guide_file(what: &str, value: &Value) {
    assert_exact(what, value, &["id", "filePath"]);
    assert_uuid(&format!("{what}.id"), &value["id"]);
    assert_string(&format!("{what}.filePath"), &value["filePath"]);
}

#[tokio::test]
async fn guide_json_matches_the_reference() {
    let env = Env::start().await;
    let files: Vec<Value> = (0..30)
        .map(|i| json!({"filePath": format!("bulk/{i:02}.md"), "contents": "# x", "extra": true}))
        .collect();
    let upserted = env
        .raw(Method::PUT, "/guides/draft", Some(json!({"files": files})))
        .await
        .expect(200);
    assert_exact(
        "UpsertGuideDraft",
        &upserted,
        &["files", "warnings", "traceId"],
    );
    assert_eq!(upserted["files"].as_array().unwrap().len(), 30);
    assert_guide_file("UpsertGuideDraft.files[]", &upserted["files"][0]);

    // Without a limit one page holds 100 drafts (the seed's and these 30).
    let list = env.raw_get("/guides/draft/list").await.expect(200);
    let values = assert_cursor_list("ListDraftGuides", &list);
    assert_eq!(values.len(), env.sandbox.state().guide_drafts().len());
    assert!(
        values.len() > 25 && list["pagination"]["after"].is_null(),
        "{list}"
    );
    values
        .iter()
        .for_each(|v| assert_guide_file("ListDraftGuides.values[]", v));

    let foreign = json!({"files": [{"filePath": "marketing/attribution.md", "contents": "x"}]});
    let warned = env
        .raw(Method::PUT, "/guides/draft", Some(foreign))
        .await
        .expect(200);
    assert_eq!(warned["files"], json!([]));
    assert_exact(
        "warnings[]",
        &warned["warnings"][0],
        &["filePath", "message"],
    );

    let id = upserted["files"][0]["id"].as_str().unwrap();
    let published = env
        .raw(
            Method::POST,
            "/guides/publish",
            Some(json!({"orgGuideFileIds": [id]})),
        )
        .await
        .expect(200);
    assert_exact(
        "PublishGuideDrafts",
        &published,
        &["message", "publishedGuides", "traceId"],
    );
    assert_string("PublishGuideDrafts.message", &published["message"]);
    assert_guide_file("publishedGuides[]", &published["publishedGuides"][0]);

    let other = upserted["files"][1]["id"].as_str().unwrap();
    let deleted = env
        .raw(Method::DELETE, &format!("/guides/draft/{other}"), None)
        .await;
    assert_eq!(deleted.status.as_u16(), 204);
    assert_eq!(deleted.body, Value::Null);
}

#[tokio::test]
async fn guide_errors_use_each_operation_s_generation() {
    let env = Env::start().await;
    let list = env
        .raw_get("/guides/draft/list?limit=101")
        .await
        .expect(400);
    assert_new_error_body("ListDraftGuides 400", &list, "BAD_REQUEST");
    let long = json!({"files": [{"filePath": "a.md", "contents": "x".repeat(100_001)}]});
    let upsert = env
        .raw(Method::PUT, "/guides/draft", Some(long))
        .await
        .expect(400);
    assert_error_body("UpsertGuideDraft 400", &upsert);
    let publish = env
        .raw(
            Method::POST,
            "/guides/publish",
            Some(json!({"orgGuideFileIds": [UNKNOWN_ID]})),
        )
        .await
        .expect(400);
    assert_error_body("PublishGuideDrafts 400", &publish);
    let delete = env
        .raw(Method::DELETE, &format!("/guides/draft/{UNKNOWN_ID}"), None)
        .await
        .expect(404);
    assert_error_body("DeleteGuideDraft 404", &delete);
}
