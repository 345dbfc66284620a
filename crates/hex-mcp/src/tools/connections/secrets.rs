//! Secrets by reference, and the redaction every data-connection output passes through.
//!
//! A secret field takes the value itself, or `{"env": "VAR"}` / `{"file": "/path"}` read on the
//! machine the server runs on, so a password never has to pass through the model. Errors name the
//! field and the reference (a variable name or a path), never a value.

use hex_client::{REDACTED, Secret};
use serde_json::Value;

use crate::{errors::ToolError, files::AllowedPaths};

/// The most a secret file may hold: keys and certificates are a few KiB; a bound keeps a
/// mistaken path (a device, a log) from being read whole.
const MAX_FILE_BYTES: u64 = 1 << 20;

const SHAPE: &str = "must be the secret as a string, or {\"env\": \"VAR\"} or {\"file\": \"/path\"} to read it on the server's machine";

/// Resolves a secret field's value. `field` is the full path, for errors; files are read only
/// under the operator's allowed directories.
pub fn resolve(field: &str, value: &Value, files: &AllowedPaths) -> Result<Secret, ToolError> {
    match value {
        Value::String(text) => Ok(Secret::new(text.as_str())),
        Value::Object(reference) if reference.len() == 1 => match reference.iter().next() {
            Some((kind, Value::String(name))) if kind == "env" => from_env(field, name),
            Some((kind, Value::String(path))) if kind == "file" => from_file(field, path, files),
            _ => Err(ToolError::input(field, SHAPE)),
        },
        _ => Err(ToolError::input(field, SHAPE)),
    }
}

fn from_env(field: &str, name: &str) -> Result<Secret, ToolError> {
    let name = name.trim();
    let problem = match std::env::var(name) {
        Ok(value) if !value.is_empty() => return Ok(Secret::new(value)),
        Ok(_) => "is empty",
        Err(std::env::VarError::NotPresent) => "is not set",
        Err(std::env::VarError::NotUnicode(_)) => "is not valid UTF-8",
    };
    Err(ToolError::input(
        field,
        format!(
            "environment variable `{}` {problem} in the hex-mcp server's environment; set it where the server is started (e.g. the `env` of its MCP client config) and restart the server, or give the secret another way",
            crate::input::excerpt(name)
        ),
    ))
}

fn from_file(field: &str, path: &str, files: &AllowedPaths) -> Result<Secret, ToolError> {
    let bytes = files.read(field, path, MAX_FILE_BYTES)?;
    let fail = |problem: &str| {
        ToolError::input(
            field,
            format!(
                "cannot use file `{}` on the server's machine: {problem}",
                crate::input::excerpt(path.trim())
            ),
        )
    };
    let text = String::from_utf8(bytes).map_err(|_| fail("not UTF-8 text"))?;
    // Editors end files with a newline that is not part of a password; keys and certificates
    // read the same without it.
    let text = text.trim_end_matches(['\n', '\r']);
    if text.is_empty() {
        return Err(fail("it is empty"));
    }
    Ok(Secret::new(text))
}

/// Replaces the value of every member whose name looks like a secret. Hex's read types carry no
/// secrets; this is the second line, for a field Hex adds later or a shape the client keeps raw.
pub fn redact(value: &mut Value) {
    match value {
        Value::Object(object) => {
            for (key, member) in object.iter_mut() {
                if is_secret_name(key) && !member.is_null() {
                    *member = Value::String(REDACTED.into());
                } else {
                    redact(member);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

/// `password`, `privateKey`, `secret_access_key`, `sslRootCert`, `apiKey`, `accessToken`…
fn is_secret_name(key: &str) -> bool {
    const MARKERS: [&str; 9] = [
        "password",
        "passphrase",
        "secret",
        "privatekey",
        "token",
        "apikey",
        "credential",
        "serviceaccountjson",
        "sslrootcert",
    ];
    let key: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    MARKERS.iter().any(|marker| key.contains(marker))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_like_members_are_redacted_at_any_depth() {
        let mut value = json!({
            "name": "db",
            "connectionDetails": {"postgres": {"hostname": "h", "password": "p1", "ssl_root_cert": "c"}},
            "items": [{"secretAccessKey": "k", "accessKeyId": "AKIA", "token": {"exp": 1}}],
            "passphrase": null,
        });
        redact(&mut value);
        let text = value.to_string();
        for secret in ["p1", "\"c\"", "\"k\"", "\"exp\""] {
            assert!(!text.contains(secret), "{secret} left in {text}");
        }
        assert_eq!(value["items"][0]["accessKeyId"], "AKIA");
        assert_eq!(value["connectionDetails"]["postgres"]["hostname"], "h");
        assert!(value["passphrase"].is_null());
    }

    #[test]
    fn references_resolve_and_errors_never_show_values() {
        let field = "connection_details.postgres.password";
        let none = AllowedPaths::none();
        let secret = resolve(field, &json!("plain"), &none).unwrap();
        assert_eq!(secret.expose(), "plain");

        let dir = std::env::temp_dir().join(format!("hex-mcp-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("pw");
        std::fs::write(&file, "from-file\n").unwrap();
        let reference = json!({"file": file.to_str().unwrap()});
        // Files are off until the operator allows a directory.
        let error = resolve(field, &reference, &none).unwrap_err().to_string();
        assert!(error.contains("--allow-path"), "{error}");
        let files = AllowedPaths::from_sources(std::slice::from_ref(&dir), None).unwrap();
        let secret = resolve(field, &reference, &files).unwrap();
        assert_eq!(secret.expose(), "from-file");

        let error = resolve(field, &json!({"env": "HEX_MCP_SURELY_UNSET_VAR"}), &files)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains(field)
                && error.contains("HEX_MCP_SURELY_UNSET_VAR")
                && error.contains("not set"),
            "{error}"
        );

        let error = resolve(
            field,
            &json!({"file": dir.join("missing").to_str().unwrap()}),
            &files,
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains(field) && error.contains("not found"),
            "{error}"
        );

        // A relative path is taken from the first allowed directory.
        let secret = resolve(field, &json!({"file": "pw"}), &files).unwrap();
        assert_eq!(secret.expose(), "from-file");
        let error = resolve(field, &json!({"file": "/etc/hostname"}), &files)
            .unwrap_err()
            .to_string();
        assert!(error.contains("outside"), "{error}");

        for wrong in [json!(5), json!({"value": "hunter2"}), json!({"env": 1})] {
            let error = resolve(field, &wrong, &files).unwrap_err().to_string();
            assert!(
                error.contains(field) && !error.contains("hunter2"),
                "{error}"
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
