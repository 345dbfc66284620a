//! The sandbox's raw JSON against Hex's reference (`../shared/hex-api/endpoints.md`): key names,
//! required and optional keys, enum values, nullability and status codes, one test per area.

mod cells;
mod collections;
mod connections;
mod errors;
mod groups;
mod guides;
mod project_admin;
mod projects;
mod results;
mod runs;
mod semantic;
mod sharing;
mod threads;
mod users;

use std::collections::BTreeSet;

use serde_json::Value;

/// The keys of an object (fails on anything else).
pub fn keys(what: &str, value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("{what} is not an object: {value}"))
        .keys()
        .cloned()
        .collect()
}

/// Every `required` key is present and no key is outside `required` and `optional`.
pub fn assert_keys(what: &str, value: &Value, required: &[&str], optional: &[&str]) {
    let have = keys(what, value);
    for key in required {
        assert!(have.contains(*key), "{what}: missing `{key}` in {value}");
    }
    let known: BTreeSet<&str> = required.iter().chain(optional).copied().collect();
    for key in &have {
        assert!(
            known.contains(key.as_str()),
            "{what}: unexpected `{key}` in {value}"
        );
    }
}

/// Exactly these keys.
pub fn assert_exact(what: &str, value: &Value, required: &[&str]) {
    assert_keys(what, value, required, &[]);
}

/// A string among `allowed`.
pub fn assert_enum(what: &str, value: &Value, allowed: &[&str]) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("{what} is not a string: {value}"));
    assert!(
        allowed.contains(&text),
        "{what}: {text:?} is not one of {allowed:?}"
    );
}

pub fn assert_string(what: &str, value: &Value) {
    assert!(value.is_string(), "{what} is not a string: {value}");
}

pub fn assert_nullable_string(what: &str, value: &Value) {
    assert!(
        value.is_string() || value.is_null(),
        "{what} is not a string or null: {value}"
    );
}

/// Hex's UUID pattern: 8-4-4-4-12 hexadecimal digits.
pub fn assert_uuid(what: &str, value: &Value) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("{what} is not a string: {value}"));
    let groups: Vec<&str> = text.split('-').collect();
    let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    assert!(
        lengths == [8, 4, 4, 4, 12]
            && groups
                .iter()
                .all(|g| g.chars().all(|c| c.is_ascii_hexdigit())),
        "{what} is not a UUID: {text}"
    );
}

/// ISO 8601 with a timezone: `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)`.
pub fn assert_timestamp(what: &str, value: &Value) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("{what} is not a string: {value}"));
    let digits = |range: std::ops::Range<usize>| {
        text.get(range)
            .is_some_and(|s| s.chars().all(|c| c.is_ascii_digit()))
    };
    let shape_ok = text.len() >= 20
        && digits(0..4)
        && &text[4..5] == "-"
        && digits(5..7)
        && &text[7..8] == "-"
        && digits(8..10)
        && &text[10..11] == "T"
        && digits(11..13)
        && &text[13..14] == ":"
        && digits(14..16)
        && &text[16..17] == ":"
        && digits(17..19);
    let zone_ok = text.ends_with('Z')
        || text
            .get(text.len().saturating_sub(6)..)
            .is_some_and(|z| (z.starts_with('+') || z.starts_with('-')) && &z[3..4] == ":");
    assert!(
        shape_ok && zone_ok,
        "{what} is not an ISO 8601 timestamp with a zone: {text}"
    );
}

pub fn assert_nullable_timestamp(what: &str, value: &Value) {
    if !value.is_null() {
        assert_timestamp(what, value);
    }
}

/// A cursor list: exactly `{values, pagination: {after, before}}`; returns the values.
pub fn assert_cursor_list(what: &str, value: &Value) -> Vec<Value> {
    assert_exact(what, value, &["values", "pagination"]);
    let pagination = &value["pagination"];
    assert_exact(
        &format!("{what}.pagination"),
        pagination,
        &["after", "before"],
    );
    assert_nullable_string(&format!("{what}.pagination.after"), &pagination["after"]);
    assert_nullable_string(&format!("{what}.pagination.before"), &pagination["before"]);
    value["values"]
        .as_array()
        .unwrap_or_else(|| panic!("{what}.values is not an array"))
        .clone()
}

/// Hex's standard error body `{reason, details?, traceId?}` (the sandbox always sends a traceId).
/// The legacy error body `{reason, details?, traceId}` (the 22 legacy operations).
pub fn assert_error_body(what: &str, value: &Value) {
    assert_keys(what, value, &["reason", "traceId"], &["details"]);
    assert_string(&format!("{what}.reason"), &value["reason"]);
    assert_string(&format!("{what}.traceId"), &value["traceId"]);
    if let Some(details) = value.get("details") {
        assert_string(&format!("{what}.details"), details);
    }
}

/// The new error body `{message, code, issues?: [{message}]}` (the 30 new-style operations),
/// with the code Hex's examples give for the status.
pub fn assert_new_error_body(what: &str, value: &Value, code: &str) {
    assert_keys(what, value, &["message", "code"], &["issues"]);
    assert_string(&format!("{what}.message"), &value["message"]);
    assert_eq!(value["code"], code, "{what}: {value}");
    if let Some(issues) = value.get("issues") {
        for issue in issues
            .as_array()
            .unwrap_or_else(|| panic!("{what}: issues is not a list"))
        {
            assert_exact(&format!("{what}.issues[]"), issue, &["message"]);
            assert_string(&format!("{what}.issues[].message"), &issue["message"]);
        }
    }
}

/// No key anywhere in `value` names a secret field.
pub fn assert_no_secret_fields(what: &str, value: &Value) {
    const SECRET_FIELDS: &[&str] = &[
        "password",
        "privateKey",
        "passphrase",
        "secretAccessKey",
        "serviceAccountJsonConfig",
        "accessToken",
        "sslRootCert",
    ];
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                assert!(
                    !SECRET_FIELDS.contains(&key.as_str()),
                    "{what}: secret field `{key}`"
                );
                assert_no_secret_fields(what, inner);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| assert_no_secret_fields(what, v)),
        _ => {}
    }
}
