//! Shaping what tools return: compact, null-free JSON with Hex's field names, as both
//! `structuredContent` and text, with long text cut and workspace text made inert.

use rmcp::model::{CallToolResult, ContentBlock};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::errors::ToolError;

/// Serialises a response for a tool: Hex's field names, nulls removed.
pub fn to_output<T: Serialize>(value: &T) -> Result<Value, ToolError> {
    let mut value = serde_json::to_value(value)
        .map_err(|error| ToolError::internal(format!("could not encode the result: {error}")))?;
    prune_nulls(&mut value);
    Ok(value)
}

/// The MCP result of a successful call. Every result is an object (clients on older protocol
/// versions only accept objects as structured content).
pub fn success(value: Value) -> CallToolResult {
    success_with(value, Vec::new())
}

/// [`success`] followed by content blocks a tool attached (an image, an embedded resource):
/// the JSON text comes first, as the mirror of the structured content.
pub fn success_with(value: Value, blocks: Vec<ContentBlock>) -> CallToolResult {
    let mut value = match value {
        Value::Object(object) => Value::Object(object),
        other => json!({ "result": other }),
    };
    prune_nulls(&mut value);
    sanitise_strings(&mut value);
    let mut result = CallToolResult::structured(value);
    result.content.extend(blocks);
    result
}

/// The MCP result of a failed call: one actionable line as text, details as structure.
pub fn failure(error: &ToolError) -> CallToolResult {
    let mut result = CallToolResult::error(vec![ContentBlock::text(error.to_string())]);
    let mut details = error.details();
    prune_nulls(&mut details);
    sanitise_strings(&mut details);
    result.structured_content = Some(json!({ "error": details }));
    result
}

/// Removes `null` members from objects, recursively. Hex sends many nullable fields; a model
/// reads absence as well as `null`, and it costs nothing.
pub fn prune_nulls(value: &mut Value) {
    match value {
        Value::Object(object) => {
            object.retain(|_, member| !member.is_null());
            object.values_mut().for_each(prune_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(prune_nulls),
        _ => {}
    }
}

/// Removes characters that can make workspace text pose as something else to a model or a
/// human reader: bidirectional overrides, zero-width and other invisible format characters.
/// Ordinary whitespace (`\n`, `\t`) is kept: it is meaningful in SQL and Python.
pub fn sanitise_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(is_hidden_char) {
        text.chars()
            .filter(|c| !is_hidden_char(*c))
            .collect::<String>()
            .into()
    } else {
        text.into()
    }
}

fn is_hidden_char(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}'   // zero-width space/joiners, LRM, RLM
        | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
        | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}' // bidi isolates
        | '\u{FEFF}'              // zero-width no-break space (BOM)
        | '\u{00AD}'              // soft hyphen
        | '\u{180E}'              // Mongolian vowel separator
        | '\u{E0000}'..='\u{E007F}' // tag characters ("ASCII smuggling")
    ) || (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
}

/// [`sanitise_text`] on every string of a JSON value.
pub fn sanitise_strings(value: &mut Value) {
    match value {
        Value::String(text) => {
            if let std::borrow::Cow::Owned(clean) = sanitise_text(text) {
                *text = clean;
            }
        }
        Value::Object(object) => object.values_mut().for_each(sanitise_strings),
        Value::Array(items) => items.iter_mut().for_each(sanitise_strings),
        _ => {}
    }
}

/// Cuts `text` to at most `max_chars` characters, saying how much was cut and how to get the
/// rest. Returns the text unchanged when it fits.
pub fn cut_text(text: &str, max_chars: usize, how_to_get_all: &str) -> String {
    let total = text.chars().count();
    if total <= max_chars {
        return text.to_string();
    }
    let kept: String = text.chars().take(max_chars).collect();
    format!(
        "{kept}\n…[cut: {} more characters; {how_to_get_all}]",
        total - max_chars
    )
}

/// Builds a `{values, pagination}` list output, the shape every list tool answers with.
pub fn list_output(values: Vec<Value>, pagination: Map<String, Value>) -> Value {
    json!({ "values": values, "pagination": pagination })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nulls_are_pruned_at_every_depth() {
        let mut value = json!({"a": null, "b": {"c": null, "d": 1}, "e": [{"f": null}]});
        prune_nulls(&mut value);
        assert_eq!(value, json!({"b": {"d": 1}, "e": [{}]}));
    }

    #[test]
    fn hidden_characters_are_removed_but_layout_is_kept() {
        let text = "SELECT 1\n\t-- ok\u{202E}gnp.exe\u{200B}\u{E0041}";
        assert_eq!(sanitise_text(text), "SELECT 1\n\t-- okgnp.exe");
        assert!(matches!(
            sanitise_text("plain"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn long_text_is_cut_with_a_marker() {
        let cut = cut_text(&"x".repeat(50), 10, "call get_hex_cell");
        assert!(cut.starts_with(&"x".repeat(10)));
        assert!(cut.contains("40 more characters; call get_hex_cell"));
        assert_eq!(cut_text("short", 10, "n/a"), "short");
    }

    #[test]
    fn success_wraps_non_objects_and_mirrors_text() {
        let result = success(json!([1, null]));
        let structured = result.structured_content.clone().unwrap();
        assert_eq!(structured, json!({"result": [1, null]}));
        let text = &result.content[0].as_text().unwrap().text;
        assert_eq!(text, &structured.to_string());
    }
}
