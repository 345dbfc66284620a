//! What may reach Hex: every request the sandbox logged is checked against the client's own
//! operation table (which route, which path parameters) and the client's enums (which values).

use hex_client::Operation;
use hex_sandbox::LoggedRequest;

/// The id types §1.5 of the API digest gives the UUID pattern (the legacy operations' ids),
/// by the names the operation table and the query use for them. The tools promise a UUID for
/// each (`HexId`), so anything else reaching Hex is a bug. Every other id is opaque.
const UUID_IDS: &[&str] = &[
    "projectId",
    "runId",
    "groupId",
    "userId",
    "collectionId",
    "dataConnectionId",
    "semanticProjectId",
    "orgGuideFileId",
];

/// Query parameters that carry an id, and whether it is a UUID: ListThreads is a new-style
/// operation, whose `userId` is an opaque string (§1.5).
fn query_id(operation: Operation, key: &str) -> Option<bool> {
    match (operation, key) {
        (Operation::ListThreads, "userId") => Some(false),
        (_, "projectId" | "groupId" | "collectionId" | "userId") => Some(true),
        _ => None,
    }
}

pub fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()))
}

fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text
                .get(i + 1..i + 3)
                .ok_or_else(|| format!("a bad escape in {text:?}"))?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| format!("a bad escape in {text:?}"))?);
            i += 3;
        } else {
            out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("{text:?} is not UTF-8 once decoded"))
}

/// An id Hex would read as the id it is: non-empty, no whitespace or control characters, no
/// `/`, `?`, `#`, not `.` or `..`; and a UUID where the operation takes one.
pub fn check_id(name: &str, id: &str) -> Result<(), String> {
    let bad = |c: char| c.is_whitespace() || c.is_control() || matches!(c, '/' | '?' | '#');
    if id.is_empty() || id == "." || id == ".." || id.chars().any(bad) {
        return Err(format!("{name} {id:?} is not a usable id"));
    }
    if UUID_IDS.contains(&name) && !is_uuid(id) {
        return Err(format!("{name} {id:?} is not a UUID"));
    }
    Ok(())
}

/// The operation whose method and path template match, with its path parameters (decoded).
fn route(request: &LoggedRequest) -> Result<(Operation, Vec<(String, String)>), String> {
    let path = request
        .path
        .strip_prefix("/api")
        .ok_or_else(|| format!("{} is not under /api", request.path))?;
    let sent: Vec<&str> = path.split('/').collect();
    for operation in Operation::ALL {
        if operation.method() != request.method {
            continue;
        }
        let template: Vec<&str> = operation.path().split('/').collect();
        if template.len() != sent.len() {
            continue;
        }
        let mut parameters = Vec::new();
        let matched = template.iter().zip(&sent).all(|(part, segment)| {
            match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(name) => {
                    parameters.push((name.to_string(), (*segment).to_string()));
                    true
                }
                None => part == segment,
            }
        });
        if matched {
            return Ok((*operation, parameters));
        }
    }
    Err(format!(
        "{} {} is none of Hex's operations",
        request.method, request.path
    ))
}

/// Every value of a client enum, as sent.
macro_rules! known {
    ($enum:ty) => {
        <$enum>::KNOWN
            .iter()
            .map(|value| value.as_str())
            .collect::<Vec<&str>>()
    };
}

/// The values Hex takes for an enum-valued query parameter of an operation, from the client's
/// enum; `None` for parameters that take no fixed list. `roles` and `warnings` are comma lists.
fn query_values(operation: Operation, key: &str) -> Option<Vec<&'static str>> {
    use Operation as Op;
    use hex_client::api::{
        SortDirection, collections::CollectionSortBy, connections::ConnectionSortBy,
        groups::GroupSortBy, projects::ProjectSortBy, runs::RunStatusKind, runs::RunTriggerFilter,
        threads::ThreadSource, threads::ThreadType, threads::ThreadWarningType, users::OrgRole,
        users::UserSortBy,
    };
    Some(match (operation, key) {
        (Op::ListProjects, "sortBy") => known!(ProjectSortBy),
        (Op::ListGroups, "sortBy") => known!(GroupSortBy),
        (Op::ListDataConnections, "sortBy") => known!(ConnectionSortBy),
        (Op::ListUsers, "sortBy") => known!(UserSortBy),
        (Op::ListCollections, "sortBy") => known!(CollectionSortBy),
        (_, "sortDirection") => known!(SortDirection),
        (Op::GetProjectRuns, "statusFilter") => known!(RunStatusKind),
        (Op::GetProjectRuns, "runTriggerFilter") => known!(RunTriggerFilter),
        (Op::ListThreads, "source") => known!(ThreadSource),
        (Op::ListThreads, "type") => known!(ThreadType),
        (Op::ListThreads, "roles") => known!(OrgRole),
        (Op::ListThreads, "warnings") => known!(ThreadWarningType),
        _ => return None,
    })
}

fn check_query(operation: Operation, query: &str) -> Result<(), String> {
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (key, value) = (percent_decode(key)?, percent_decode(value)?);
        match query_id(operation, &key) {
            Some(true) => check_id(&key, &value)?,
            Some(false) => check_id("id", &value)?,
            None => {}
        }
        if let Some(values) = query_values(operation, &key) {
            let list = matches!(key.as_str(), "roles" | "warnings");
            let sent: Vec<&str> = if list {
                value.split(',').collect()
            } else {
                vec![value.as_str()]
            };
            if let Some(unknown) = sent.iter().find(|one| !values.contains(one)) {
                return Err(format!(
                    "{operation} query {key}={unknown:?} is not one of {values:?}"
                ));
            }
        }
    }
    Ok(())
}

/// Checks one logged request; the error says what was wrong.
pub fn check(request: &LoggedRequest) -> Result<(), String> {
    let (operation, parameters) = route(request)?;
    for (name, segment) in &parameters {
        check_id(name, &percent_decode(segment)?).map_err(|e| format!("{operation}: {e}"))?;
    }
    if let Some(query) = &request.query {
        check_query(operation, query)?;
    }
    if let Some(body) = &request.body {
        super::body::check(operation, body)?;
    }
    Ok(())
}
