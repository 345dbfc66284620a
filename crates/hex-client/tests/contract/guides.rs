//! Guides: ListDraftGuides (pages, externalSource filter), UpsertGuideDraft (create a guide, a
//! draft, update a draft; another source's guide only with forceWrite), PublishGuideDrafts,
//! DeleteGuideDraft; every effect read back from the sandbox.

use hex_client::api::guides::{
    ExternalSource, GuideDraft, ListDraftGuidesParams, PublishGuideDraftsRequest,
    UpsertGuideDraftRequest,
};
use hex_client::{HexError, PageCaps};
use serde_json::json;

use crate::common::{Env, UNKNOWN_ID, api_error, no_hang};

fn draft(path: &str, contents: &str) -> GuideDraft {
    GuideDraft {
        file_path: path.to_owned(),
        contents: contents.to_owned(),
        external_source: None,
    }
}

fn github(commit: &str) -> ExternalSource {
    ExternalSource::Github {
        owner: "acme".into(),
        repo: "analytics-context".into(),
        base: None,
        branch: "main".into(),
        commit_hash: commit.into(),
        path: "guides/x.md".into(),
    }
}

async fn listed_paths(env: &Env, params: ListDraftGuidesParams) -> Vec<String> {
    let walker = env
        .client
        .guides()
        .pages(params, PageCaps::default().page_size(2));
    env.ok(no_hang(walker.collect_items()).await)
        .items
        .into_iter()
        .map(|guide| guide.file_path)
        .collect()
}

#[tokio::test]
async fn drafts_are_upserted_listed_page_by_page_and_filtered_by_source() {
    let env = Env::start().await;
    let guides = env.client.guides();
    let mut from_github = draft("engineering/oncall.md", "# On call");
    from_github.external_source = Some(github("abc123"));
    let request = UpsertGuideDraftRequest {
        files: vec![
            draft("a/first.md", "one"),
            from_github,
            draft("z/last.md", "two"),
        ],
        force_write: None,
    };
    let answer = env.ok(no_hang(guides.upsert(&request)).await);
    assert_eq!(answer.files.len(), 3);
    assert!(answer.warnings.is_empty());
    assert!(answer.trace_id.is_some());

    let mut expected: Vec<String> = env.sandbox.state().guide_drafts().into_keys().collect();
    expected.sort();
    assert_eq!(
        listed_paths(&env, ListDraftGuidesParams::default()).await,
        expected
    );

    let filter = json!({"source": "github", "owner": "acme", "repo": "analytics-context"});
    let params = ListDraftGuidesParams {
        external_source: Some(filter),
        ..ListDraftGuidesParams::default()
    };
    assert_eq!(listed_paths(&env, params).await, ["engineering/oncall.md"]);
}

#[tokio::test]
async fn upsert_creates_a_draft_of_a_published_guide_and_respects_other_sources() {
    let env = Env::start().await;
    let guides = env.client.guides();
    let published = env.sandbox.state().published_guides();
    let drafts = env.sandbox.state().guide_drafts();
    // A published guide without a draft, written in Hex (no source).
    let path = published
        .keys()
        .find(|path| !drafts.contains_key(*path) && path.as_str() != "marketing/attribution.md")
        .unwrap()
        .clone();
    let id = env.sandbox.state().guide_ids()[&path].clone();
    let request = UpsertGuideDraftRequest {
        files: vec![draft(&path, "# New text")],
        force_write: None,
    };
    let answer = env.ok(no_hang(guides.upsert(&request)).await);
    assert_eq!(answer.files[0].id, id, "the same guide, with a draft now");
    assert_eq!(env.sandbox.state().guide_drafts()[&path], "# New text");
    assert_eq!(
        env.sandbox.state().published_guides()[&path],
        published[&path]
    );

    // The same file from GitHub is another source: a warning, nothing written.
    let mut synced = draft(&path, "# From GitHub");
    synced.external_source = Some(github("def456"));
    let request = UpsertGuideDraftRequest {
        files: vec![synced],
        force_write: None,
    };
    let answer = env.ok(no_hang(guides.upsert(&request)).await);
    assert!(answer.files.is_empty());
    assert_eq!(answer.warnings[0].file_path, path);
    assert_eq!(env.sandbox.state().guide_drafts()[&path], "# New text");
    let forced = UpsertGuideDraftRequest {
        force_write: Some(true),
        ..request
    };
    let answer = env.ok(no_hang(guides.upsert(&forced)).await);
    assert_eq!(answer.files[0].id, id);
    assert_eq!(env.sandbox.state().guide_drafts()[&path], "# From GitHub");
}

#[tokio::test]
async fn publish_by_id_or_all_and_delete_drafts() {
    let env = Env::start().await;
    let guides = env.client.guides();
    let request = UpsertGuideDraftRequest {
        files: vec![draft("new/one.md", "1"), draft("new/two.md", "2")],
        force_write: None,
    };
    let written = env.ok(no_hang(guides.upsert(&request)).await).files;
    let answer = env.ok(no_hang(
        guides.publish(&PublishGuideDraftsRequest::ids([written[0].id.as_str()])),
    )
    .await);
    assert_eq!(answer.published_guides[0].file_path, "new/one.md");
    assert!(!answer.message.is_empty());
    assert_eq!(env.sandbox.state().published_guides()["new/one.md"], "1");
    assert!(
        !env.sandbox
            .state()
            .published_guides()
            .contains_key("new/two.md")
    );

    // An id without a draft fails the whole request: nothing is published.
    let both = PublishGuideDraftsRequest::ids([written[0].id.as_str(), written[1].id.as_str()]);
    let err = env.err(no_hang(guides.publish(&both)).await);
    assert!(api_error(&err, 400).contains("no draft"), "{err}");
    assert!(
        !env.sandbox
            .state()
            .published_guides()
            .contains_key("new/two.md")
    );

    env.ok(no_hang(guides.delete(&written[1].id)).await);
    assert!(
        !env.sandbox.state().guide_ids().contains_key("new/two.md"),
        "never published: gone"
    );
    let err = env.err(no_hang(guides.delete(&written[1].id)).await);
    api_error(&err, 404);
    let err = env.err(no_hang(guides.delete(UNKNOWN_ID)).await);
    api_error(&err, 404);

    let drafts = env.sandbox.state().guide_drafts();
    let answer = env.ok(no_hang(guides.publish(&PublishGuideDraftsRequest::all())).await);
    assert_eq!(answer.published_guides.len(), drafts.len());
    assert!(env.sandbox.state().guide_drafts().is_empty());
}

#[tokio::test]
async fn what_hex_would_refuse_is_refused_before_sending() {
    let env = Env::start().await;
    let guides = env.client.guides();
    let too_long = UpsertGuideDraftRequest {
        files: vec![draft("big.md", &"é".repeat(100_001))],
        force_write: None,
    };
    let err = env.err(guides.upsert(&too_long).await);
    assert!(matches!(err, HexError::InvalidInput { .. }), "{err}");
    // 100 000 characters (200 000 bytes) is within the limit.
    let at_limit = UpsertGuideDraftRequest {
        files: vec![draft("big.md", &"é".repeat(100_000))],
        force_write: None,
    };
    env.ok(no_hang(guides.upsert(&at_limit)).await);
    let nothing = PublishGuideDraftsRequest::default();
    assert!(matches!(
        env.err(guides.publish(&nothing).await),
        HexError::InvalidInput { .. }
    ));
    let empty = UpsertGuideDraftRequest::default();
    assert!(matches!(
        env.err(guides.upsert(&empty).await),
        HexError::InvalidInput { .. }
    ));
    assert_eq!(env.sandbox.count_requests("*", "/v1/guides/**"), 1);
}
