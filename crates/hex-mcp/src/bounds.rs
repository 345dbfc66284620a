//! Integer bounds enforced from each tool's own input schema, so the server refuses exactly
//! what the schema a client sees says is out of range (`limit` 1–100), in the same words for
//! every tool, before anything is sent to Hex. Driven by the schema rather than by each tool,
//! so a tool added later is covered without new code, and the two can never disagree.

use rmcp::model::JsonObject;
use serde_json::Value;

use crate::errors::ToolError;

/// The bounds the schema states for one top-level integer parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Bound {
    pub field: String,
    pub min: Option<i128>,
    pub max: Option<i128>,
    /// Whether the parameter may also be something other than an integer (an `anyOf` such as
    /// `"latest"` or a version number): then only numbers are checked here.
    pub alternatives: bool,
}

impl Bound {
    /// "limit must be 1–100": the range as a person reads it.
    pub fn range(&self) -> String {
        match (self.min, self.max) {
            (Some(min), Some(max)) => format!("{min}–{max}"),
            (Some(min), None) => format!("{min} or more"),
            (None, Some(max)) => format!("{max} or less"),
            (None, None) => "a whole number".into(),
        }
    }

    fn refuse(&self, got: &Value) -> ToolError {
        let shown = match got {
            Value::String(text) if text.chars().count() > 40 => "a long string".to_string(),
            other => other.to_string(),
        };
        // A fraction or a string is off in kind, not in size: say both.
        let kind = match got {
            Value::Number(number) if number.is_f64() => "a whole number, ",
            Value::Number(_) => "",
            _ => "a whole number, ",
        };
        ToolError::input(
            self.field.clone(),
            format!(
                "{} must be {kind}{} (got {shown})",
                self.field,
                self.range()
            ),
        )
    }

    /// Refuses a value outside the range, or not a whole number where only one is allowed.
    fn check(&self, value: &Value) -> Result<(), ToolError> {
        let number = match value {
            Value::Null => return Ok(()),
            Value::Number(number) => number,
            _ if self.alternatives => return Ok(()),
            other => return Err(self.refuse(other)),
        };
        let whole = number
            .as_i64()
            .map(i128::from)
            .or_else(|| number.as_u64().map(i128::from));
        match whole {
            Some(n)
                if self.min.is_none_or(|min| n >= min) && self.max.is_none_or(|max| n <= max) =>
            {
                Ok(())
            }
            _ => Err(self.refuse(value)),
        }
    }
}

/// Every top-level integer parameter of `schema` that states a minimum or a maximum.
pub fn from_schema(schema: &JsonObject) -> Vec<Bound> {
    let Some(Value::Object(properties)) = schema.get("properties") else {
        return Vec::new();
    };
    properties
        .iter()
        .filter_map(|(field, property)| bound_of(field, property))
        .collect()
}

fn bound_of(field: &str, property: &Value) -> Option<Bound> {
    if is_integer(property) {
        return bounded(field, property, false);
    }
    // `anyOf: ["draft" | "latest", {integer, minimum: 1}]`: the integer branch's bounds.
    let branches = property.get("anyOf").or_else(|| property.get("oneOf"))?;
    let branch = branches
        .as_array()?
        .iter()
        .find(|branch| is_integer(branch))?;
    bounded(field, branch, true)
}

fn is_integer(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("integer")
}

fn bounded(field: &str, schema: &Value, alternatives: bool) -> Option<Bound> {
    let limit = |key: &str| {
        let number = schema.get(key)?;
        number
            .as_i64()
            .map(i128::from)
            .or_else(|| number.as_u64().map(i128::from))
    };
    let (min, max) = (limit("minimum"), limit("maximum"));
    (min.is_some() || max.is_some()).then(|| Bound {
        field: field.to_string(),
        min,
        max,
        alternatives,
    })
}

/// Refuses the first argument outside its schema's bounds, and a page cursor no answer of Hex's
/// could have given.
pub fn check(bounds: &[Bound], arguments: &JsonObject) -> Result<(), ToolError> {
    for bound in bounds {
        if let Some(value) = arguments.get(&bound.field) {
            bound.check(value)?;
        }
    }
    check_cursors(arguments)
}

/// The page cursor parameters every list tool shares.
const CURSOR_FIELDS: [&str; 2] = ["after", "before"];
/// Hex's cursors are short opaque strings; a longer one is a mistake (a pasted page, not its
/// cursor) and, sent as a query parameter, would make the request line too long for Hex to
/// read: refused here instead of failing as a network error after retries. Not in the schema:
/// every list tool would pay the bytes in every session's context.
const MAX_CURSOR_CHARS: usize = 4_096;

fn check_cursors(arguments: &JsonObject) -> Result<(), ToolError> {
    for field in CURSOR_FIELDS {
        if let Some(Value::String(cursor)) = arguments.get(field) {
            let length = cursor.chars().count();
            if length > MAX_CURSOR_CHARS {
                return Err(ToolError::input(
                    field,
                    format!(
                        "{field} must be a cursor from an earlier answer's `pagination` (at most {MAX_CURSOR_CHARS} characters; got {length})"
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> JsonObject {
        match value {
            Value::Object(object) => object,
            _ => JsonObject::new(),
        }
    }

    #[test]
    fn bounds_come_from_the_schema_and_are_worded_as_ranges() {
        let schema = object(json!({"properties": {
            "limit": {"type": "integer", "minimum": 1, "maximum": 100},
            "offset": {"type": "integer", "minimum": 0},
            "name": {"type": "string"},
            "version": {"anyOf": [{"enum": ["latest"]}, {"type": "integer", "minimum": 1}]},
        }}));
        let bounds = from_schema(&schema);
        assert_eq!(bounds.len(), 3);
        let refused = |arguments: Value| check(&bounds, &object(arguments)).err();
        assert!(refused(json!({"limit": 1, "offset": 0, "version": "latest"})).is_none());
        assert!(refused(json!({"limit": null})).is_none());
        let error = refused(json!({"limit": 0})).map(|e| e.to_string());
        assert!(
            error
                .as_deref()
                .is_some_and(|e| e.contains("limit must be 1–100 (got 0)")),
            "{error:?}"
        );
        assert!(refused(json!({"limit": 101})).is_some());
        assert!(refused(json!({"limit": 2.5})).is_some());
        assert!(refused(json!({"limit": "5"})).is_some());
        assert!(refused(json!({"offset": -1})).is_some());
        assert!(refused(json!({"offset": 1_000_000_000_000_u64})).is_none());
        assert!(refused(json!({"version": 0})).is_some());
    }

    #[test]
    fn a_cursor_no_answer_could_have_given_is_refused_naming_the_field() {
        let ok = object(json!({"after": "x".repeat(MAX_CURSOR_CHARS), "before": null}));
        assert!(check(&[], &ok).is_ok());
        let long = object(json!({"before": "x".repeat(MAX_CURSOR_CHARS + 1)}));
        let error = check(&[], &long).err().map(|e| e.to_string());
        assert!(
            error
                .as_deref()
                .is_some_and(|e| e.contains("before must be a cursor")),
            "{error:?}"
        );
    }
}
