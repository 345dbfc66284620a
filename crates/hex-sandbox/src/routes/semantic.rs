//! IngestSemanticProject and UpdateSemanticProject. Hex's description writes their paths as the
//! regex `/v1/semantic-(projects|models)/…`; both literal forms are served (the regex itself, as
//! a path, is not a route: Hex answers it 404).

mod archive;
pub(crate) mod batch;
mod multipart;
mod project_files;

use axum::Json as AxumJson;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::{patch, post};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::extract::{Json, parse_uuid};
use super::{AppState, created};
use crate::errors::{ApiError, ApiResult, trace_id};
use crate::state::now_ms;
use crate::state::semantic::{SemanticObject, SemanticProject, SemanticStore};
use batch::{Rejection, UpdatesBody, check_status, named_status, rejected};
use multipart::Part;
use project_files::{Problem, ProjectFiles};

/// This area's routes, merged into the API router (behind the same pipeline).
pub(crate) fn routes() -> Router<AppState> {
    let mut router = Router::new();
    for family in ["semantic-projects", "semantic-models"] {
        router = router
            .route(&format!("/api/v1/{family}/{{id}}/ingest"), post(ingest))
            .route(&format!("/api/v1/{family}/{{id}}"), patch(update));
    }
    router
}

fn find<'a>(store: &'a mut SemanticStore, id: &Uuid) -> ApiResult<&'a mut SemanticProject> {
    store
        .project_mut(id)
        .ok_or_else(|| ApiError::not_found("Semantic project", id))
}

/// The flags of an ingest, from the form's text fields.
struct Flags {
    verbose: bool,
    debug: bool,
    dry_run: bool,
}

impl Flags {
    fn from_parts(parts: &[Part<'_>]) -> ApiResult<Flags> {
        let flag = |name: &str, default: bool| -> ApiResult<bool> {
            let Some(part) = parts.iter().rev().find(|part| part.name == name) else {
                return Ok(default);
            };
            match part.data {
                b"true" => Ok(true),
                b"false" => Ok(false),
                _ => Err(ApiError::bad_request(format!(
                    "Invalid form field `{name}`: expected true or false"
                ))),
            }
        };
        Ok(Flags {
            verbose: flag("verbose", true)?,
            debug: flag("debug", false)?,
            dry_run: flag("dryRun", false)?,
        })
    }
}

/// `POST /v1/semantic-projects/{id}/ingest`: a `multipart/form-data` body whose `file` part is a
/// zip of the project's files, flags as fields. Replaces the project's datasets and views
/// (statuses kept by name) unless `dryRun`; 201, or 400 with `problems`.
async fn ingest(
    State(shared): State<AppState>,
    Path(project_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let id = parse_uuid("semanticProjectId", &project_id)?;
    let boundary = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(multipart::boundary)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported content type: send multipart/form-data with the zip archive as the `file` part",
            )
        })?;
    let parts = multipart::parse(&body, &boundary)
        .map_err(|problem| ApiError::bad_request(format!("Invalid multipart body: {problem}")))?;
    let flags = Flags::from_parts(&parts)?;
    let archive = parts
        .iter()
        .find(|part| part.name == "file")
        .ok_or_else(|| ApiError::bad_request("The form has no `file` part with the zip archive"))?;
    find(&mut shared.write().semantic, &id)?;
    let files = archive::read(archive.data)
        .map_err(|message| problems_error(&[Problem::fatal(message)]))?;
    let found = project_files::read(&files);
    if found.problems.iter().any(Problem::blocks) {
        return Err(problems_error(&found.problems));
    }
    let mut ws = shared.write();
    let project = find(&mut ws.semantic, &id)?;
    let warnings = removals(project, &found);
    let contents = if flags.verbose {
        synced(&found)
    } else {
        Vec::new()
    };
    let mut answer = Map::new();
    answer.insert("traceId".into(), json!(trace_id()));
    answer.insert("contents".into(), json!(contents));
    answer.insert("warnings".into(), json!(warnings));
    answer.insert("skipped".into(), Value::Object(found.skipped.clone()));
    if !found.problems.is_empty() {
        let problems = found.problems.iter().map(Problem::json).collect();
        answer.insert("problems".into(), Value::Array(problems));
    }
    if flags.debug {
        // The only debug member Hex describes; a Hex semantic project has no MetricFlow schemas.
        answer.insert("debug".into(), json!({"metricflowModelSchemas": {}}));
    }
    if !flags.dry_run {
        project.datasets = keep_statuses(&project.datasets, found.datasets);
        project.views = keep_statuses(&project.views, found.views);
        project.ingested_at = Some(now_ms());
    }
    Ok(created(Value::Object(answer)))
}

/// 400 `{reason, problems, traceId}`: nothing was written.
fn problems_error(problems: &[Problem]) -> ApiError {
    let mut fields = Map::new();
    fields.insert(
        "problems".into(),
        problems.iter().map(Problem::json).collect(),
    );
    ApiError::structured(
        StatusCode::BAD_REQUEST,
        "The semantic project has problems; nothing was written",
        fields,
    )
}

/// What an ingest synced, one line per dataset and view.
fn synced(found: &ProjectFiles) -> Vec<String> {
    let datasets = found.datasets.iter().map(|d| format!("dataset {}", d.name));
    let views = found.views.iter().map(|v| format!("view {}", v.name));
    datasets.chain(views).collect()
}

/// A warning for each dataset or view of the project that the archive no longer has.
fn removals(project: &SemanticProject, found: &ProjectFiles) -> Vec<String> {
    let gone = |kind: &str, old: &[SemanticObject], new: &[SemanticObject]| -> Vec<String> {
        old.iter()
            .filter(|o| !new.iter().any(|n| n.name == o.name))
            .map(|o| {
                format!(
                    "{kind} {:?} of {:?} is not in the archive and is removed",
                    o.name, project.name
                )
            })
            .collect()
    };
    let mut warnings = gone("dataset", &project.datasets, &found.datasets);
    warnings.extend(gone("view", &project.views, &found.views));
    warnings
}

fn keep_statuses(old: &[SemanticObject], new: Vec<SemanticObject>) -> Vec<SemanticObject> {
    new.into_iter()
        .map(|mut object| {
            object.status = old
                .iter()
                .find(|o| o.name == object.name)
                .and_then(|o| o.status.clone());
            object
        })
        .collect()
}

/// `PATCH /v1/semantic-projects/{id}`: sets or removes statuses of datasets and views, all or
/// nothing.
async fn update(
    State(shared): State<AppState>,
    Path(project_id): Path<String>,
    Json(body): Json<UpdatesBody>,
) -> ApiResult<AxumJson<Value>> {
    let id = parse_uuid("semanticProjectId", &project_id)?;
    let updates = batch::updates(body, &["DATASET", "VIEW"])?;
    let mut ws = shared.write();
    let project = find(&mut ws.semantic, &id)?;
    let mut rejections = Vec::new();
    for update in &updates {
        let objects = objects_of(project, update.kind);
        if !objects.iter().any(|o| o.name == update.name) {
            rejections.push(Rejection::of(update, "not_found", None));
        } else if let Some(rejection) = check_status(update) {
            rejections.push(rejection);
        }
    }
    if !rejections.is_empty() {
        return Err(rejected(rejections));
    }
    let (mut datasets, mut views) = (Vec::new(), Vec::new());
    for update in updates {
        let listed = if update.kind == "DATASET" {
            &mut datasets
        } else {
            &mut views
        };
        let objects = objects_mut(project, update.kind);
        if let Some(object) = objects.iter_mut().find(|o| o.name == update.name) {
            object.status = update.status;
            listed.push(named_status(&object.name, object.status.as_deref()));
        }
    }
    Ok(AxumJson(
        json!({"updated": {"datasets": datasets, "views": views}}),
    ))
}

fn objects_of<'a>(project: &'a SemanticProject, kind: &str) -> &'a [SemanticObject] {
    if kind == "DATASET" {
        &project.datasets
    } else {
        &project.views
    }
}

fn objects_mut<'a>(project: &'a mut SemanticProject, kind: &str) -> &'a mut Vec<SemanticObject> {
    if kind == "DATASET" {
        &mut project.datasets
    } else {
        &mut project.views
    }
}
