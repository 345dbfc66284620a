//! The guides tools over MCP against a sandbox: drafts written and listed, publishing and
//! deleting only after a confirmation (nothing sent, nothing changed before it), a guide synced
//! from another source protected unless force_write; every effect read back from the sandbox.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Session, sandbox};
use serde_json::{Value, json};

use crate::common::Launch;

async fn draft_paths(session: &Session) -> Vec<String> {
    let page = session.call("list_hex_guide_drafts", json!({})).await.ok();
    assert!(page["pagination"]["after"].is_null(), "{page}");
    page["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|guide| guide["filePath"].as_str().unwrap().to_owned())
        .collect()
}

fn id_of(answer: &Value, path: &str) -> String {
    answer["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|file| file["filePath"] == path)
        .and_then(|file| file["id"].as_str())
        .unwrap_or_else(|| panic!("{path} not in {answer}"))
        .to_owned()
}

#[tokio::test]
async fn drafts_are_written_listed_and_updated_without_touching_published_guides() {
    let sandbox = sandbox().await;
    let published_before = sandbox.state().published_guides();
    let session = Launch::against(&sandbox).start().await;
    let written = session
        .call(
            "upsert_hex_guide_draft",
            json!({"files": [
                {"file_path": "ops/inventory.md", "contents": "# Inventory\nCounted weekly."},
                {"file_path": "support/sla.md", "contents": "# SLA\nFirst answer within 4 hours."},
            ]}),
        )
        .await
        .ok();
    assert_eq!(written["warnings"], json!([]), "{written}");
    let first = id_of(&written, "ops/inventory.md");

    let listed = draft_paths(&session).await;
    assert!(
        listed.contains(&"ops/inventory.md".to_owned()),
        "{listed:?}"
    );
    assert!(listed.contains(&"support/sla.md".to_owned()), "{listed:?}");
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed, sorted, "drafts are listed by path");
    let drafts = sandbox.state().guide_drafts();
    assert_eq!(
        drafts["support/sla.md"],
        "# SLA\nFirst answer within 4 hours."
    );

    // The same path again updates the same guide's draft.
    let again = session
        .call(
            "upsert_hex_guide_draft",
            json!({"files": [{"file_path": "ops/inventory.md", "contents": "# Inventory\nCounted daily."}]}),
        )
        .await
        .ok();
    assert_eq!(id_of(&again, "ops/inventory.md"), first);
    assert_eq!(
        sandbox.state().guide_drafts()["ops/inventory.md"],
        "# Inventory\nCounted daily."
    );
    assert_eq!(sandbox.state().published_guides(), published_before);
    session.finish().await;
}

#[tokio::test]
async fn publishing_without_confirmation_changes_nothing_and_the_token_publishes() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let written = session
        .call(
            "upsert_hex_guide_draft",
            json!({"files": [{"file_path": "people/holidays.md", "contents": "# Holidays\n25 days."}]}),
        )
        .await
        .ok();
    let id = id_of(&written, "people/holidays.md");
    let published_before = sandbox.state().published_guides();

    let preview = session
        .call("publish_hex_guide_drafts", json!({"guide_ids": [id]}))
        .await
        .ok();
    assert_eq!(preview["confirmationRequired"], true, "{preview}");
    let change = preview["change"].as_str().unwrap();
    assert!(
        change.contains(&id) && change.contains("every user's Hex agent"),
        "{change}"
    );
    assert_eq!(sandbox.count_requests("POST", "/v1/guides/publish"), 0);
    assert_eq!(sandbox.state().published_guides(), published_before);

    let token = preview["confirmationToken"].as_str().unwrap();
    let done = session
        .call(
            "publish_hex_guide_drafts",
            json!({"guide_ids": [id], "confirmation_token": token}),
        )
        .await
        .ok();
    assert_eq!(
        done["publishedGuides"][0]["filePath"], "people/holidays.md",
        "{done}"
    );
    assert_eq!(sandbox.count_requests("POST", "/v1/guides/publish"), 1);
    let published = sandbox.state().published_guides();
    assert_eq!(published["people/holidays.md"], "# Holidays\n25 days.");
    assert!(
        !sandbox
            .state()
            .guide_drafts()
            .contains_key("people/holidays.md")
    );
    assert!(
        !draft_paths(&session)
            .await
            .contains(&"people/holidays.md".to_owned())
    );
    session.finish().await;
}

#[tokio::test]
async fn publishing_every_draft_names_it_and_needs_the_token() {
    let sandbox = sandbox().await;
    let drafts = sandbox.state().guide_drafts();
    assert!(drafts.len() >= 2, "the seed has drafts: {drafts:?}");
    let session = Launch::against(&sandbox).start().await;
    let preview = session
        .call("publish_hex_guide_drafts", json!({"all": true}))
        .await
        .ok();
    assert!(
        preview["change"]
            .as_str()
            .unwrap()
            .contains("every draft guide"),
        "{preview}"
    );
    assert_eq!(sandbox.state().guide_drafts(), drafts);
    let token = preview["confirmationToken"].as_str().unwrap();
    let done = session
        .call(
            "publish_hex_guide_drafts",
            json!({"all": true, "confirmation_token": token}),
        )
        .await
        .ok();
    assert_eq!(
        done["publishedGuides"].as_array().unwrap().len(),
        drafts.len()
    );
    assert!(sandbox.state().guide_drafts().is_empty());
    let published = sandbox.state().published_guides();
    for (path, text) in &drafts {
        assert_eq!(&published[path], text);
    }
    session.finish().await;
}

#[tokio::test]
async fn deleting_a_draft_needs_the_token_and_keeps_the_published_version() {
    let sandbox = sandbox().await;
    let drafts = sandbox.state().guide_drafts();
    let published = sandbox.state().published_guides();
    // A seeded guide with both a published version and a pending draft.
    let path = drafts
        .keys()
        .find(|path| published.contains_key(*path))
        .unwrap()
        .clone();
    let id = sandbox.state().guide_ids()[&path].clone();
    let session = Launch::against(&sandbox).start().await;

    let preview = session
        .call("delete_hex_guide_draft", json!({"guide_id": id}))
        .await
        .ok();
    assert_eq!(preview["confirmationRequired"], true);
    // Named by its path, which is how people know a guide.
    let change = preview["change"].as_str().unwrap();
    assert!(change.contains(&format!("\"{path}\" ({id})")), "{change}");
    assert_eq!(sandbox.count_requests("DELETE", "/v1/guides/draft/*"), 0);
    assert_eq!(sandbox.state().guide_drafts(), drafts);

    let token = preview["confirmationToken"].as_str().unwrap();
    let done = session
        .call(
            "delete_hex_guide_draft",
            json!({"guide_id": id, "confirmation_token": token}),
        )
        .await
        .ok();
    assert_eq!(done["deleted"], true);
    assert!(!sandbox.state().guide_drafts().contains_key(&path));
    assert_eq!(sandbox.state().published_guides()[&path], published[&path]);
    assert!(!draft_paths(&session).await.contains(&path));

    // Nothing left to delete: Hex's 404, with the tool that finds drafts.
    let preview = session
        .call("delete_hex_guide_draft", json!({"guide_id": id}))
        .await
        .ok();
    let token = preview["confirmationToken"].as_str().unwrap();
    let gone = session
        .call(
            "delete_hex_guide_draft",
            json!({"guide_id": id, "confirmation_token": token}),
        )
        .await
        .err();
    assert_eq!(gone["status"], 404, "{gone}");
    assert!(
        gone["next"]
            .as_str()
            .unwrap()
            .contains("list_hex_guide_drafts")
    );
    session.finish().await;
}

#[tokio::test]
async fn a_guide_synced_from_github_is_overwritten_only_with_force_write() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let path = "marketing/attribution.md";
    let before = sandbox.state().published_guides()[path].clone();
    let plain = json!({"files": [{"file_path": path, "contents": "# Attribution\nFirst touch."}]});
    let refused = session
        .call("upsert_hex_guide_draft", plain.clone())
        .await
        .ok();
    assert_eq!(refused["files"], json!([]), "{refused}");
    assert_eq!(refused["warnings"][0]["filePath"], path);
    assert!(
        refused["warnings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("forceWrite")
    );
    assert!(!sandbox.state().guide_drafts().contains_key(path));

    // From the same repository (another commit) it is an ordinary update.
    let synced = session
        .call(
            "upsert_hex_guide_draft",
            json!({"files": [{"file_path": path, "contents": "# Attribution\nSynced.",
                "external_source": {"source": "github", "owner": "acme", "repo": "analytics-context",
                "branch": "main", "commit_hash": "9d8e7f6", "path": "guides/marketing/attribution.md"}}]}),
        )
        .await
        .ok();
    assert_eq!(synced["warnings"], json!([]), "{synced}");
    assert_eq!(
        sandbox.state().guide_drafts()[path],
        "# Attribution\nSynced."
    );

    let mut forced = plain;
    forced["force_write"] = json!(true);
    let written = session.call("upsert_hex_guide_draft", forced).await.ok();
    assert_eq!(written["files"][0]["filePath"], path, "{written}");
    assert_eq!(
        sandbox.state().guide_drafts()[path],
        "# Attribution\nFirst touch."
    );
    assert_eq!(sandbox.state().published_guides()[path], before);
    session.finish().await;
}

#[tokio::test]
async fn arguments_hex_would_refuse_are_refused_before_anything_is_sent() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let cases = [
        (
            "upsert_hex_guide_draft",
            json!({"files": [{"file_path": "big.md", "contents": "x".repeat(100_001)}]}),
            "files[0].contents",
        ),
        (
            "upsert_hex_guide_draft",
            json!({"files": [{"file_path": "a.md", "contents": "x",
                "external_source": {"source": "github", "owner": "acme"}}]}),
            "files[0].external_source.repo",
        ),
        ("upsert_hex_guide_draft", json!({"files": []}), "files"),
        ("publish_hex_guide_drafts", json!({}), "guide_ids"),
        (
            "publish_hex_guide_drafts",
            json!({"all": true, "guide_ids": [uuid::Uuid::new_v4().to_string()]}),
            "all",
        ),
    ];
    for (tool, arguments, field) in cases {
        let error = session.call(tool, arguments).await.err();
        assert_eq!(error["kind"], "invalid_input", "{tool}: {error}");
        assert_eq!(error["field"], field, "{tool}: {error}");
    }
    assert_eq!(sandbox.count_requests("*", "/v1/guides/**"), 0);
    session.finish().await;
}
