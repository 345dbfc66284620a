//! Input schemas as clients see them: small, self-contained and portable.
//!
//! schemars writes `Option<T>` as `type: [T, "null"]` or an `anyOf` with a null branch, uses
//! `$defs`, and adds Rust-only formats (`uint32`). Some clients (Gemini's OpenAPI subset, the
//! MCP Inspector's `--strict` lint) reject or warn on these, and every byte of a schema costs
//! model context, so [`input_schema`] inlines, drops the null branches (an optional parameter
//! is simply not `required`), and strips what a model does not need.

use rmcp::model::JsonObject;
use schemars::{JsonSchema, generate::SchemaSettings};
use serde_json::{Map, Value, json};

/// Formats that mean something to a JSON Schema validator; others (int32, uint…) are dropped.
const STANDARD_FORMATS: [&str; 6] = ["uuid", "date-time", "date", "email", "uri", "hostname"];

pub fn input_schema<T: JsonSchema>() -> JsonObject {
    let generator = SchemaSettings::draft2020_12()
        .with(|settings| settings.inline_subschemas = true)
        .into_generator();
    let mut value = generator.into_root_schema_for::<T>().to_value();
    tidy(&mut value);
    let mut object = match value {
        Value::Object(object) => object,
        // A root that is not an object cannot happen for the structs tools use; an empty
        // object schema keeps the tool listable rather than panicking.
        _ => Map::new(),
    };
    for key in ["$schema", "title", "description"] {
        object.remove(key);
    }
    object.insert("type".into(), json!("object"));
    object.entry("properties").or_insert_with(|| json!({}));
    object
}

/// Adds an optional string property to an object schema.
pub fn add_string_property(schema: &mut JsonObject, name: &str) {
    if let Some(Value::Object(properties)) = schema.get_mut("properties") {
        properties.insert(name.to_string(), json!({"type": "string"}));
    }
}

fn tidy(value: &mut Value) {
    match value {
        Value::Object(object) => {
            tidy_object(object);
            for (key, child) in object.iter_mut() {
                match (key.as_str(), child) {
                    // A map of names to schemas: the names are the tool's parameters (one may be
                    // called `title` or `type`), so only the schemas are tidied.
                    ("properties" | "patternProperties", Value::Object(named)) => {
                        named.values_mut().for_each(tidy);
                    }
                    (_, child) => tidy(child),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}

fn tidy_object(object: &mut Map<String, Value>) {
    object.remove("title");
    object.remove("$defs");
    // Unknown arguments are refused by the parser with an error naming them; saying so in
    // every object of every schema would only cost context.
    // `true` is JSON Schema's default for an object (free-form maps such as input_params).
    if matches!(object.get("additionalProperties"), Some(Value::Bool(_))) {
        object.remove("additionalProperties");
    }
    if object.get("default").is_some_and(Value::is_null) {
        object.remove("default");
    }
    if let Some(Value::String(format)) = object.get("format")
        && !STANDARD_FORMATS.contains(&format.as_str())
    {
        object.remove("format");
    }
    drop_null_type(object);
    if let Some(Value::Array(values)) = object.get_mut("enum") {
        values.retain(|value| !value.is_null());
    }
    for keyword in ["anyOf", "oneOf"] {
        collapse_null_branch(object, keyword);
    }
}

/// `type: ["string", "null"]` → `type: "string"`.
fn drop_null_type(object: &mut Map<String, Value>) {
    let Some(Value::Array(types)) = object.get_mut("type") else {
        return;
    };
    types.retain(|kind| kind != "null");
    if let [single] = types.as_slice() {
        let single = single.clone();
        object.insert("type".into(), single);
    }
}

/// `anyOf: [X, {type: null}]` → X merged into the parent.
fn collapse_null_branch(object: &mut Map<String, Value>, keyword: &str) {
    let Some(Value::Array(branches)) = object.get_mut(keyword) else {
        return;
    };
    branches.retain(|branch| branch.get("type") != Some(&json!("null")));
    if branches.len() != 1 {
        return;
    }
    let Some(Value::Object(branch)) = branches.pop() else {
        return;
    };
    object.remove(keyword);
    for (key, value) in branch {
        // The parent's own keywords (its description) win over the branch's.
        object.entry(key).or_insert(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    enum Level {
        Low,
        High,
    }

    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Inner {
        id: String,
    }

    #[derive(Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    /// Doc that must not reach the schema root.
    struct Args {
        /// A required id.
        id: String,
        /// An optional count.
        limit: Option<u32>,
        /// An optional level.
        level: Option<Level>,
        /// Optional nested objects.
        items: Option<Vec<Inner>>,
    }

    #[test]
    fn optional_fields_lose_their_null_branches() {
        let schema = Value::Object(input_schema::<Args>());
        let text = schema.to_string();
        assert!(!text.contains("null"), "{text}");
        assert!(!text.contains("$ref") && !text.contains("$defs"), "{text}");
        assert!(!text.contains("uint32"), "{text}");
        assert_eq!(schema["properties"]["limit"]["type"], "integer");
        assert_eq!(
            schema["properties"]["level"]["enum"],
            json!(["Low", "High"])
        );
        assert_eq!(
            schema["properties"]["level"]["description"],
            "An optional level."
        );
        assert_eq!(schema["properties"]["items"]["type"], "array");
        assert_eq!(schema["required"], json!(["id"]));
        assert!(schema.get("additionalProperties").is_none());
        assert!(schema.get("description").is_none());
    }

    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Named {
        /// Kept: a parameter, not the schema keyword.
        title: String,
        #[serde(rename = "type")]
        kind: Option<String>,
    }

    #[test]
    fn parameters_named_like_keywords_are_kept() {
        let schema = Value::Object(input_schema::<Named>());
        assert_eq!(schema["properties"]["title"]["type"], "string", "{schema}");
        assert_eq!(
            schema["properties"]["title"]["description"],
            "Kept: a parameter, not the schema keyword."
        );
        assert_eq!(schema["properties"]["type"]["type"], "string", "{schema}");
        assert_eq!(schema["required"], json!(["title"]));
    }

    #[test]
    fn confirmation_parameter_is_added_as_optional_string() {
        let mut schema = input_schema::<Args>();
        add_string_property(&mut schema, "confirmation_token");
        let schema = Value::Object(schema);
        assert_eq!(
            schema["properties"]["confirmation_token"]["type"],
            json!("string")
        );
        assert_eq!(schema["required"], json!(["id"]));
    }
}
