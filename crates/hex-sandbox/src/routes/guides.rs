//! ListDraftGuides, UpsertGuideDraft, DeleteGuideDraft and PublishGuideDrafts (see
//! `state::guides` for the drafts and published versions they move between).

use std::collections::BTreeSet;

use axum::Json as AxumJson;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::AppState;
use super::extract::{Json, Query, parse_uuid};
use crate::errors::{ApiError, ApiResult, trace_id};
use crate::pagination::paginate;
use crate::state::guides::{GITHUB, Guide, GuideStore, source_key};

/// Longest guide Hex accepts, in characters.
const MAX_CONTENTS: usize = 100_000;
/// ListDraftGuides' default page size (100, unlike the other lists' 25).
const DEFAULT_LIMIT: usize = 100;

/// This area's routes, merged into the API router (behind the same pipeline).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/guides/draft/list", get(list))
        .route("/api/v1/guides/draft", put(upsert))
        .route("/api/v1/guides/draft/{org_guide_file_id}", delete(remove))
        .route("/api/v1/guides/publish", post(publish))
}

fn guide_json(guide: &Guide) -> Value {
    json!({"id": guide.id.to_string(), "filePath": guide.file_path})
}

/// `GET /v1/guides/draft/list`: the guides that have a draft, by path; `externalSource` (JSON)
/// keeps those whose source has every field it names.
async fn list(State(shared): State<AppState>, query: Query) -> ApiResult<AxumJson<Value>> {
    let mut page_request = query.page(100)?;
    if query.get("limit").is_none() {
        page_request.limit = DEFAULT_LIMIT;
    }
    let filter = match query.get("externalSource") {
        Some(text) => Some(source_filter(text)?),
        None => None,
    };
    let ws = shared.read();
    let store = &ws.guides;
    let page = paginate(&store.by_path, "guides", false, &page_request, |id| {
        store.guides.get(id).is_some_and(|guide| {
            guide.draft.is_some() && filter.as_ref().is_none_or(|f| source_matches(guide, f))
        })
    })?;
    let values: Vec<Value> = page
        .ids()
        .filter_map(|id| store.guides.get(id))
        .map(guide_json)
        .collect();
    Ok(AxumJson(
        json!({"values": values, "pagination": page.pagination_json()}),
    ))
}

fn source_filter(text: &str) -> ApiResult<serde_json::Map<String, Value>> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(filter)) => Ok(filter),
        _ => Err(ApiError::bad_request(
            "Invalid value for query parameter `externalSource`: expected a JSON object",
        )),
    }
}

fn source_matches(guide: &Guide, filter: &serde_json::Map<String, Value>) -> bool {
    let Some(Value::Object(source)) = &guide.source else {
        return false;
    };
    filter.iter().all(|(key, wanted)| match source.get(key) {
        Some(have) => have == wanted,
        // A GitHub source without `base` is on github.com.
        None => key == "base" && wanted.as_str() == Some(GITHUB),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpsertBody {
    files: Vec<DraftFile>,
    #[serde(default)]
    force_write: Option<bool>,
}

/// A file item; unknown keys are allowed (the description says so).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DraftFile {
    file_path: String,
    contents: String,
    #[serde(default)]
    external_source: Option<Value>,
}

/// `PUT /v1/guides/draft`: per file, creates the guide, or a draft of it, or updates its draft.
/// A guide synced from another source is left alone (with a warning) unless `forceWrite`.
async fn upsert(
    State(shared): State<AppState>,
    Json(body): Json<UpsertBody>,
) -> ApiResult<AxumJson<Value>> {
    check_files(&body.files)?;
    let force = body.force_write.unwrap_or(false);
    let mut ws = shared.write();
    let mut written = Vec::new();
    let mut warnings = Vec::new();
    for file in body.files {
        match write_draft(&mut ws.guides, file, force) {
            Ok(guide) => written.push(guide),
            Err(warning) => warnings.push(warning),
        }
    }
    Ok(AxumJson(
        json!({"files": written, "warnings": warnings, "traceId": trace_id()}),
    ))
}

fn check_files(files: &[DraftFile]) -> ApiResult<()> {
    if files.is_empty() {
        return Err(ApiError::bad_request(
            "Invalid request body: `files` must not be empty",
        ));
    }
    let mut paths = BTreeSet::new();
    for (index, file) in files.iter().enumerate() {
        if file.file_path.trim().is_empty() {
            return Err(ApiError::bad_request(format!(
                "Invalid request body: files[{index}].filePath must not be empty"
            )));
        }
        if !paths.insert(file.file_path.as_str()) {
            return Err(ApiError::bad_request(format!(
                "Invalid request body: {:?} appears more than once in `files`",
                file.file_path
            )));
        }
        let chars = file.contents.chars().count();
        if chars > MAX_CONTENTS {
            return Err(ApiError::bad_request(format!(
                "Invalid request body: files[{index}].contents has {chars} characters (at most {MAX_CONTENTS})"
            )));
        }
        if let Some(source) = &file.external_source {
            check_source(index, source)?;
        }
    }
    Ok(())
}

/// `{source: "unknown", id?}` or `{source: "github", owner, repo, base?, branch, commitHash, path}`.
fn check_source(index: usize, source: &Value) -> ApiResult<()> {
    let field = |key: &str| source.get(key).and_then(Value::as_str);
    let missing: Vec<&str> = match field("source") {
        Some("unknown") => Vec::new(),
        Some("github") => ["owner", "repo", "branch", "commitHash", "path"]
            .into_iter()
            .filter(|key| field(key).is_none_or(|v| v.trim().is_empty()))
            .collect(),
        _ => {
            return Err(ApiError::bad_request(format!(
                "Invalid request body: files[{index}].externalSource.source must be \"github\" or \"unknown\""
            )));
        }
    };
    match missing.first() {
        Some(key) => Err(ApiError::bad_request(format!(
            "Invalid request body: files[{index}].externalSource.{key} is required for a GitHub source"
        ))),
        None => Ok(()),
    }
}

/// Writes one draft, or says why not (a `{filePath, message}` warning).
fn write_draft(store: &mut GuideStore, file: DraftFile, force: bool) -> Result<Value, Value> {
    let existing = store.find_by_path(&file.file_path).map(|guide| guide.id);
    let Some(id) = existing else {
        let guide = Guide {
            id: Uuid::new_v4(),
            file_path: file.file_path,
            source: file.external_source,
            draft: Some(file.contents),
            published: None,
        };
        let answer = guide_json(&guide);
        store.insert(guide);
        return Ok(answer);
    };
    let Some(guide) = store.guides.get_mut(&id) else {
        return Err(json!({"filePath": file.file_path, "message": "The guide could not be read"}));
    };
    let theirs = source_key(guide.source.as_ref());
    if theirs != source_key(file.external_source.as_ref()) && !force {
        let message = format!(
            "A guide with this path is synced from another source ({theirs}); it was not changed. Send forceWrite: true to overwrite it"
        );
        return Err(json!({"filePath": file.file_path, "message": message}));
    }
    guide.draft = Some(file.contents);
    guide.source = file.external_source;
    Ok(guide_json(guide))
}

/// `DELETE /v1/guides/draft/{orgGuideFileId}`: discards the draft; a guide that was never
/// published goes with it, a published one keeps its published version. 204.
async fn remove(
    State(shared): State<AppState>,
    Path(guide_id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_uuid("orgGuideFileId", &guide_id)?;
    let mut ws = shared.write();
    let store = &mut ws.guides;
    let guide = store
        .guides
        .get_mut(&id)
        .filter(|guide| guide.draft.is_some())
        .ok_or_else(|| ApiError::not_found("Draft guide", id))?;
    guide.draft = None;
    if guide.published.is_none() {
        store.remove(&id);
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PublishBody {
    #[serde(default)]
    org_guide_file_ids: Option<Vec<String>>,
    #[serde(default)]
    publish_all_draft_guides: Option<bool>,
}

/// `POST /v1/guides/publish`: the drafts named (or all of them) become the published versions,
/// all or nothing.
async fn publish(
    State(shared): State<AppState>,
    Json(body): Json<PublishBody>,
) -> ApiResult<AxumJson<Value>> {
    let mut ws = shared.write();
    let store = &mut ws.guides;
    let ids = if body.publish_all_draft_guides == Some(true) {
        store
            .by_path
            .iter()
            .filter(|(_, id)| store.guides.get(id).is_some_and(|g| g.draft.is_some()))
            .map(|(_, id)| *id)
            .collect()
    } else {
        named_drafts(store, body.org_guide_file_ids.unwrap_or_default())?
    };
    let mut published = Vec::new();
    for id in &ids {
        if let Some(guide) = store.guides.get_mut(id) {
            guide.published = guide.draft.take();
            published.push(guide_json(guide));
        }
    }
    let message = match published.len() {
        0 => "No draft guides to publish".to_owned(),
        1 => "Published 1 guide".to_owned(),
        n => format!("Published {n} guides"),
    };
    Ok(AxumJson(
        json!({"message": message, "publishedGuides": published, "traceId": trace_id()}),
    ))
}

/// The ids given, each a guide with a draft; any other id fails the whole request.
fn named_drafts(store: &GuideStore, ids: Vec<String>) -> ApiResult<Vec<Uuid>> {
    if ids.is_empty() {
        return Err(ApiError::bad_request(
            "Give orgGuideFileIds or publishAllDraftGuides: true",
        ));
    }
    let mut chosen = Vec::new();
    for text in ids {
        let id = parse_uuid("orgGuideFileIds", &text)?;
        match store.guides.get(&id) {
            None => return Err(ApiError::bad_request(format!("Guide not found: {id}"))),
            Some(guide) if guide.draft.is_none() => {
                return Err(ApiError::bad_request(format!(
                    "Guide {:?} has no draft to publish",
                    guide.file_path
                )));
            }
            Some(_) if chosen.contains(&id) => {}
            Some(_) => chosen.push(id),
        }
    }
    Ok(chosen)
}
