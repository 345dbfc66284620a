//! Guides: drafts listed by path with cursors and a source filter, upserts validated the way
//! the description states them, publish all or nothing, deletes of drafts.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Api, assert_error, assert_legacy};

fn file(path: &str, contents: &str) -> Value {
    json!({"filePath": path, "contents": contents})
}

async fn put(api: &Api, body: Value) -> crate::common::Answer {
    api.call(Method::PUT, "/guides/draft", Some(body)).await
}

fn paths(values: &[Value]) -> Vec<String> {
    values
        .iter()
        .map(|v| v["filePath"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn drafts_walk_in_path_order_both_ways_and_filter_by_source() {
    let api = Api::start().await;
    let files: Vec<Value> = ["c.md", "a.md", "b.md"]
        .iter()
        .map(|p| file(p, "x"))
        .collect();
    assert_eq!(put(&api, json!({"files": files})).await.status, 200);
    let all = paths(&api.walk("/guides/draft/list?limit=1").await);
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted);
    assert_eq!(all.len(), api.sandbox.state().guide_drafts().len());

    let first = api.get("/guides/draft/list?limit=2").await;
    let after = first.body["pagination"]["after"].as_str().unwrap();
    let second = api
        .get(&format!("/guides/draft/list?limit=2&after={after}"))
        .await;
    let before = second.body["pagination"]["before"].as_str().unwrap();
    let back = api
        .get(&format!("/guides/draft/list?limit=2&before={before}"))
        .await;
    assert_eq!(back.body["values"], first.body["values"]);

    let github = json!({"source": "github", "owner": "acme", "repo": "ctx", "branch": "main",
        "commitHash": "1", "path": "g.md"});
    let synced =
        json!({"files": [{"filePath": "g.md", "contents": "g", "externalSource": github}]});
    assert_eq!(put(&api, synced).await.status, 200);
    for (filter, expected) in [
        (
            json!({"source": "github", "owner": "acme", "repo": "ctx"}),
            vec!["g.md"],
        ),
        (
            json!({"source": "github", "base": "https://github.com", "repo": "ctx"}),
            vec!["g.md"],
        ),
        (json!({"source": "github", "repo": "other"}), vec![]),
    ] {
        let query: String = url_encode(&filter.to_string());
        let page = api
            .get(&format!("/guides/draft/list?externalSource={query}"))
            .await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert_eq!(
            paths(page.body["values"].as_array().unwrap()),
            expected,
            "{filter}"
        );
    }
    let bad = api.get("/guides/draft/list?externalSource=not-json").await;
    assert_error(&bad, 400, "externalSource");
    assert_legacy(&bad, false);
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn upserts_are_validated_as_the_description_states() {
    let api = Api::start().await;
    let cases = [
        (json!({"files": []}), "files"),
        (json!({"files": [file(" ", "x")]}), "filePath"),
        (
            json!({"files": [file("a.md", "x"), file("a.md", "y")]}),
            "more than once",
        ),
        (
            json!({"files": [file("a.md", &"x".repeat(100_001))]}),
            "100000",
        ),
        (
            json!({"files": [{"filePath": "a.md", "contents": "x", "externalSource": {"source": "svn"}}]}),
            "source",
        ),
        (
            json!({"files": [{"filePath": "a.md", "contents": "x",
                "externalSource": {"source": "github", "owner": "acme", "repo": "r", "branch": "b", "path": "p"}}]}),
            "commitHash",
        ),
        (json!({"files": [{"filePath": "a.md"}]}), "contents"),
    ];
    for (body, needle) in cases {
        let answer = put(&api, body).await;
        assert_error(&answer, 400, needle);
        assert_legacy(&answer, true);
    }
    assert!(!api.sandbox.state().guide_drafts().contains_key("a.md"));
    let unknown_source = json!({"files": [{"filePath": "u.md", "contents": "u",
        "externalSource": {"source": "unknown", "id": "wiki-42"}}]});
    assert_eq!(put(&api, unknown_source).await.status, 200);
    let text = api
        .client
        .put(api.url("/guides/draft"))
        .bearer_auth(api.sandbox.token())
        .body("filePath=a.md")
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), 415);
}

#[tokio::test]
async fn publish_is_all_or_nothing_and_delete_discards_drafts() {
    let api = Api::start().await;
    let written = put(
        &api,
        json!({"files": [file("p/one.md", "1"), file("p/two.md", "2")]}),
    )
    .await;
    let one = written.body["files"][0]["id"].as_str().unwrap().to_owned();
    let two = written.body["files"][1]["id"].as_str().unwrap().to_owned();
    let unknown = uuid::Uuid::new_v4().to_string();

    for (body, needle) in [
        (json!({}), "orgGuideFileIds"),
        (json!({"orgGuideFileIds": []}), "orgGuideFileIds"),
        (
            json!({"orgGuideFileIds": [one, "not-a-uuid"]}),
            "orgGuideFileIds",
        ),
        (json!({"orgGuideFileIds": [one, unknown]}), "not found"),
    ] {
        assert_error(&api.post("/guides/publish", body).await, 400, needle);
    }
    assert!(
        !api.sandbox
            .state()
            .published_guides()
            .contains_key("p/one.md")
    );

    let done = api
        .post("/guides/publish", json!({"orgGuideFileIds": [one, one]}))
        .await;
    assert_eq!(done.status, 200);
    assert_eq!(done.body["message"], "Published 1 guide");
    // publishAllDraftGuides wins over the ids.
    let all = api
        .post(
            "/guides/publish",
            json!({"orgGuideFileIds": [one], "publishAllDraftGuides": true}),
        )
        .await;
    assert!(
        paths(all.body["publishedGuides"].as_array().unwrap()).contains(&"p/two.md".to_owned())
    );
    let none = api
        .post("/guides/publish", json!({"publishAllDraftGuides": true}))
        .await;
    assert_eq!(none.body["publishedGuides"], json!([]));

    // A published guide's draft is created by the next upsert and discarded by a delete.
    put(&api, json!({"files": [file("p/two.md", "2b")]})).await;
    assert_eq!(
        api.delete(&format!("/guides/draft/{two}")).await.status,
        204
    );
    assert_eq!(api.sandbox.state().published_guides()["p/two.md"], "2");
    assert!(api.sandbox.state().guide_ids().contains_key("p/two.md"));
    assert_error(
        &api.delete(&format!("/guides/draft/{two}")).await,
        404,
        "Draft guide",
    );
    assert_error(
        &api.delete("/guides/draft/nope").await,
        400,
        "orgGuideFileId",
    );
}
