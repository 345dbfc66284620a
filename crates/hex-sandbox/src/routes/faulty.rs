//! Answers of the faults that start from the real answer (cut, rewritten) or that no Hex would
//! send (a proxy's HTML page).

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde_json::{Map, Value, json};

/// The largest answer a rewriting fault reads (bigger ones pass unchanged in size terms: they
/// are cut to an error, which a test would notice).
const MAX_ANSWER: usize = 64 * 1024 * 1024;

/// The field every object of an answer gets under [`super::FaultKind::ExtraFields`].
pub(crate) const EXTRA_FIELD: &str = "sandboxUndocumentedField";

/// A load balancer's error page, as nginx writes it.
pub(crate) fn proxy_page(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let title = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error")
    );
    let page = format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    let mut response = (status, page).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    response
}

/// The answer's status and headers with its full `Content-Length`, and half its body before
/// the connection breaks.
pub(crate) async fn truncated(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_ANSWER)
        .await
        .unwrap_or_default();
    let half = bytes.slice(..bytes.len() / 2);
    parts.headers.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(bytes.len().max(1)),
    );
    // The pause lets the head and the first half go out before the connection breaks.
    let stream = futures::stream::once(async move { Ok::<Bytes, std::io::Error>(half) }).chain(
        futures::stream::once(async {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            Err(std::io::Error::other("answer cut short by a sandbox fault"))
        }),
    );
    Response::from_parts(parts, Body::from_stream(stream))
}

/// The answer with its JSON body changed by `edit`; other answers (images, empty) unchanged.
pub(crate) async fn rewrite_json(response: Response, edit: impl FnOnce(&mut Value)) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_ANSWER)
        .await
        .unwrap_or_default();
    let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    edit(&mut value);
    let bytes = value.to_string();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes))
}

/// Adds an undocumented field, with a nested value, to the top-level object and to every
/// object inside an array (records, never maps keyed by name).
pub(crate) fn add_extra_fields(value: &mut Value) {
    if let Value::Object(map) = value {
        insert_extra(map);
    }
    add_to_array_items(value);
}

fn add_to_array_items(value: &mut Value) {
    match value {
        Value::Object(map) => map.values_mut().for_each(add_to_array_items),
        Value::Array(items) => {
            for item in items {
                if let Value::Object(map) = item {
                    insert_extra(map);
                }
                add_to_array_items(item);
            }
        }
        _ => {}
    }
}

fn insert_extra(map: &mut Map<String, Value>) {
    map.insert(
        EXTRA_FIELD.to_owned(),
        json!({"addedBy": "sandbox", "list": [1, "two", null]}),
    );
}

/// Removes every field named in `fields`, at any depth.
pub(crate) fn omit_fields(value: &mut Value, fields: &[String]) {
    match value {
        Value::Object(map) => {
            map.retain(|key, _| !fields.iter().any(|field| field == key));
            map.values_mut()
                .for_each(|inner| omit_fields(inner, fields));
        }
        Value::Array(items) => items.iter_mut().for_each(|item| omit_fields(item, fields)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_fields_go_to_the_top_and_to_array_items_only() {
        let mut value =
            json!({"values": [{"id": 1, "inputs": {"a": 1}}], "pagination": {"after": null}});
        add_extra_fields(&mut value);
        assert!(value[EXTRA_FIELD].is_object());
        assert!(value["values"][0][EXTRA_FIELD].is_object());
        assert!(value["values"][0]["inputs"].get(EXTRA_FIELD).is_none());
        assert!(value["pagination"].get(EXTRA_FIELD).is_none());
    }

    #[test]
    fn omitted_fields_go_at_any_depth() {
        let mut value = json!({"runs": [{"runId": "r", "notifications": []}], "notifications": 1});
        omit_fields(&mut value, &["notifications".to_owned()]);
        assert_eq!(value, json!({"runs": [{"runId": "r"}]}));
    }
}
