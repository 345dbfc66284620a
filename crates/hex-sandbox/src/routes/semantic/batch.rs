//! The all-or-nothing status batches of UpdateSemanticProject and UpdateDataConnectionSchema:
//! `{updates: [{type, name, status: string|null}]}` in, each rejected item out as
//! `{name, type, reason, value?}` in the error's `details` array.

use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::errors::{ApiError, ApiResult};
use crate::routes::extract::nullable;
use crate::seed::STATUSES;

#[derive(Deserialize)]
pub(crate) struct UpdatesBody {
    updates: Vec<UpdateItem>,
}

#[derive(Deserialize)]
struct UpdateItem {
    #[serde(rename = "type")]
    kind: String,
    name: String,
    #[serde(default, deserialize_with = "nullable")]
    status: Option<Option<String>>,
}

/// One update, its keys checked.
pub(crate) struct Update {
    /// One of the kinds the operation takes, e.g. `DATASET`.
    pub(crate) kind: &'static str,
    pub(crate) name: String,
    /// `None` removes the status.
    pub(crate) status: Option<String>,
}

/// The updates, each with a known `type` and an explicit `status` (`null` to remove it).
pub(crate) fn updates(body: UpdatesBody, kinds: &[&'static str]) -> ApiResult<Vec<Update>> {
    body.updates
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            let kind = kinds
                .iter()
                .find(|kind| **kind == item.kind)
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "Invalid request body: updates[{index}].type must be one of {}",
                        kinds.join(", ")
                    ))
                })?;
            let status = item.status.ok_or_else(|| {
                ApiError::bad_request(format!(
                    "Invalid request body: updates[{index}].status is required (null removes the status)"
                ))
            })?;
            Ok(Update {
                kind,
                name: item.name,
                status,
            })
        })
        .collect()
}

/// Why one update was rejected.
pub(crate) struct Rejection {
    pub(crate) name: String,
    pub(crate) kind: &'static str,
    pub(crate) reason: &'static str,
    pub(crate) value: Option<String>,
}

impl Rejection {
    pub(crate) fn of(update: &Update, reason: &'static str, value: Option<String>) -> Rejection {
        Rejection {
            name: update.name.clone(),
            kind: update.kind,
            reason,
            value,
        }
    }
}

/// A status the workspace defines (or none): else the update's `invalid_status` rejection.
pub(crate) fn check_status(update: &Update) -> Option<Rejection> {
    let status = update.status.as_deref()?;
    (!STATUSES.contains(&status))
        .then(|| Rejection::of(update, "invalid_status", Some(status.to_owned())))
}

/// The batch's error: 404 when every rejection is `not_found`, else 400; nothing was applied.
pub(crate) fn rejected(rejections: Vec<Rejection>) -> ApiError {
    let all_missing = rejections.iter().all(|r| r.reason == "not_found");
    let status = if all_missing {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::BAD_REQUEST
    };
    let mut reason = format!(
        "{} of the updates cannot be applied; nothing was changed",
        rejections.len()
    );
    if rejections.iter().any(|r| r.reason == "invalid_status") {
        reason.push_str(&format!(
            ". Statuses of this workspace: {}",
            STATUSES.join(", ")
        ));
    }
    let details: Vec<Value> = rejections
        .into_iter()
        .map(|r| {
            let mut item = json!({"name": r.name, "type": r.kind, "reason": r.reason});
            if let (Some(value), Value::Object(map)) = (r.value, &mut item) {
                map.insert("value".into(), json!(value));
            }
            item
        })
        .collect();
    let mut fields = Map::new();
    fields.insert("details".into(), Value::Array(details));
    ApiError::structured(status, reason, fields)
}

/// `{name, status}` of an object in a batch's answer.
pub(crate) fn named_status(name: &str, status: Option<&str>) -> Value {
    json!({"name": name, "status": status})
}
