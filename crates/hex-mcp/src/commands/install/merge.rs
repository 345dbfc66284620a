//! Adds or replaces one server in a client's JSON or JSONC file, keeping every other byte: other
//! servers, other settings, comments, indentation and trailing commas.

use jsonc_parser::{
    ParseOptions,
    cst::{CstInputValue, CstRootNode},
};
use serde_json::Value;

/// What the merge did to the server's entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Added,
    Replaced,
    Unchanged,
}

/// The file's new text with `entry` under `servers_key.name`. `text` is the file as it is
/// (empty for a new file).
pub fn merge(
    text: &str,
    servers_key: &str,
    name: &str,
    entry: &Value,
) -> Result<(String, Change), String> {
    let options = ParseOptions {
        allow_comments: true,
        allow_trailing_commas: true,
        allow_loose_object_property_names: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    // The parser's message may quote the file (which can hold other servers' secrets): keep
    // the position only.
    let root = CstRootNode::parse(text, &options).map_err(|error| {
        format!(
            "it is not valid JSON (line {}, column {}); fix or move it, then run install again",
            error.line_display(),
            error.column_display()
        )
    })?;
    if root
        .value()
        .is_some_and(|value| value.as_object().is_none())
    {
        return Err("its top level is not a JSON object".into());
    }
    let top = root.object_value_or_set();
    let servers = match top.get(servers_key) {
        None => top.object_value_or_set(servers_key),
        Some(prop) => prop
            .value()
            .and_then(|value| value.as_object())
            .ok_or_else(|| format!("its \"{servers_key}\" is not a JSON object"))?,
    };
    let change = match servers.get(name) {
        Some(existing) => {
            if existing
                .value()
                .and_then(|value| value.to_serde_value())
                .as_ref()
                == Some(entry)
            {
                return Ok((text.to_string(), Change::Unchanged));
            }
            existing.set_value(input(entry));
            Change::Replaced
        }
        None => {
            servers.append(name, input(entry));
            Change::Added
        }
    };
    let mut new_text = root.to_string();
    if !new_text.ends_with('\n') {
        new_text.push('\n');
    }
    Ok((new_text, change))
}

fn input(value: &Value) -> CstInputValue {
    match value {
        Value::Null => CstInputValue::Null,
        Value::Bool(flag) => CstInputValue::Bool(*flag),
        Value::Number(number) => CstInputValue::Number(number.to_string()),
        Value::String(text) => CstInputValue::String(text.clone()),
        Value::Array(items) => CstInputValue::Array(items.iter().map(input).collect()),
        Value::Object(fields) => CstInputValue::Object(
            fields
                .iter()
                .map(|(key, value)| (key.clone(), input(value)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ours() -> Value {
        json!({"command": "/usr/bin/hex-mcp", "args": ["run", "--read-only"]})
    }

    #[test]
    fn another_server_comments_and_settings_are_kept() {
        let text = "{\n  // my servers\n  \"theme\": \"dark\",\n  \"mcpServers\": {\n    \"github\": { \"command\": \"gh-mcp\" }, // keep\n  },\n}\n";
        let (new_text, change) = merge(text, "mcpServers", "hex-mcp", &ours()).unwrap();
        assert_eq!(change, Change::Added);
        assert!(
            new_text.contains("// my servers") && new_text.contains("// keep"),
            "{new_text}"
        );
        assert!(new_text.contains("\"theme\": \"dark\""), "{new_text}");
        let parsed = CstRootNode::parse(&new_text, &ParseOptions::default()).unwrap();
        let value = parsed.value().unwrap().to_serde_value().unwrap();
        assert_eq!(value["mcpServers"]["github"], json!({"command": "gh-mcp"}));
        assert_eq!(value["mcpServers"]["hex-mcp"], ours());
    }

    #[test]
    fn a_second_run_replaces_our_entry_or_changes_nothing() {
        let (first, _) = merge("", "servers", "hex-mcp", &ours()).unwrap();
        let (same, change) = merge(&first, "servers", "hex-mcp", &ours()).unwrap();
        assert_eq!((same.as_str(), change), (first.as_str(), Change::Unchanged));
        let other = json!({"command": "hex-mcp", "args": ["run"]});
        let (replaced, change) = merge(&first, "servers", "hex-mcp", &other).unwrap();
        assert_eq!(change, Change::Replaced);
        let value: Value = serde_json::from_str(&replaced).unwrap();
        assert_eq!(value, json!({"servers": {"hex-mcp": other}}));
    }

    #[test]
    fn files_it_cannot_merge_into_are_refused_without_quoting_them() {
        let broken = merge(
            "{\"mcpServers\": {\"x\": \"sk-secret\" ",
            "mcpServers",
            "hex-mcp",
            &ours(),
        );
        let error = broken.unwrap_err();
        assert!(
            error.contains("not valid JSON") && !error.contains("sk-secret"),
            "{error}"
        );
        assert!(
            merge("[1, 2]", "mcpServers", "hex-mcp", &ours())
                .unwrap_err()
                .contains("top level")
        );
        let wrong = merge("{\"mcpServers\": []}", "mcpServers", "hex-mcp", &ours()).unwrap_err();
        assert!(
            wrong.contains("\"mcpServers\" is not a JSON object"),
            "{wrong}"
        );
    }
}
