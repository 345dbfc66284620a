//! Where each MCP client keeps its server list, and the shape of one entry in it.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::cli::McpClient;

/// The file to change and how servers are listed in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientFile {
    pub path: PathBuf,
    /// The top-level key holding the servers by name (`mcpServers`; VS Code: `servers`).
    pub servers_key: &'static str,
    /// Whether entries say `"type": "stdio"` (Claude Code and VS Code expect it).
    pub typed: bool,
}

/// Where `client` keeps its configuration: the project's file under `project`, or with
/// `global` the user's. `env` reads the environment (HOME, XDG_CONFIG_HOME, APPDATA).
pub fn client_file(
    client: McpClient,
    global: bool,
    project: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ClientFile, String> {
    let home = || home_dir(env);
    let (path, servers_key, typed) = match (client, global) {
        (McpClient::ClaudeDesktop, _) => (
            app_config_dir(env)?
                .join("Claude")
                .join("claude_desktop_config.json"),
            "mcpServers",
            false,
        ),
        (McpClient::ClaudeCode, false) => (project.join(".mcp.json"), "mcpServers", true),
        (McpClient::ClaudeCode, true) => (home()?.join(".claude.json"), "mcpServers", true),
        (McpClient::Cursor, false) => (
            project.join(".cursor").join("mcp.json"),
            "mcpServers",
            false,
        ),
        (McpClient::Cursor, true) => (
            home()?.join(".cursor").join("mcp.json"),
            "mcpServers",
            false,
        ),
        (McpClient::Vscode, false) => (project.join(".vscode").join("mcp.json"), "servers", true),
        (McpClient::Vscode, true) => (
            app_config_dir(env)?
                .join("Code")
                .join("User")
                .join("mcp.json"),
            "servers",
            true,
        ),
    };
    Ok(ClientFile {
        path,
        servers_key,
        typed,
    })
}

fn home_dir(env: &dyn Fn(&str) -> Option<String>) -> Result<PathBuf, String> {
    env("HOME")
        .or_else(|| env("USERPROFILE"))
        .filter(|home| !home.is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| {
            "cannot find your home directory: HOME is not set; give --config-file".into()
        })
}

/// Where desktop apps keep their settings: ~/Library/Application Support on macOS, %APPDATA% on
/// Windows, $XDG_CONFIG_HOME or ~/.config elsewhere.
fn app_config_dir(env: &dyn Fn(&str) -> Option<String>) -> Result<PathBuf, String> {
    if cfg!(target_os = "macos") {
        return Ok(home_dir(env)?.join("Library").join("Application Support"));
    }
    if cfg!(windows) {
        return env("APPDATA")
            .map(PathBuf::from)
            .ok_or_else(|| "cannot find %APPDATA%; give --config-file".into());
    }
    match env("XDG_CONFIG_HOME").filter(|dir| Path::new(dir).is_absolute()) {
        Some(dir) => Ok(PathBuf::from(dir)),
        None => Ok(home_dir(env)?.join(".config")),
    }
}

/// One server entry: `{"type"?, "command", "args", "env"?}`.
pub fn entry(
    file: &ClientFile,
    command: &str,
    args: &[String],
    vars: &Map<String, Value>,
) -> Value {
    let mut entry = Map::new();
    if file.typed {
        entry.insert("type".into(), json!("stdio"));
    }
    entry.insert("command".into(), json!(command));
    entry.insert("args".into(), json!(args));
    if !vars.is_empty() {
        entry.insert("env".into(), Value::Object(vars.clone()));
    }
    Value::Object(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_with_home(name: &str) -> Option<String> {
        (name == "HOME").then(|| "/home/ada".to_string())
    }

    #[test]
    fn project_files_sit_in_the_project_and_user_files_in_home() {
        let project = Path::new("/work/p");
        let cases = [
            (
                McpClient::Cursor,
                false,
                "/work/p/.cursor/mcp.json",
                "mcpServers",
            ),
            (
                McpClient::Cursor,
                true,
                "/home/ada/.cursor/mcp.json",
                "mcpServers",
            ),
            (
                McpClient::ClaudeCode,
                false,
                "/work/p/.mcp.json",
                "mcpServers",
            ),
            (
                McpClient::ClaudeCode,
                true,
                "/home/ada/.claude.json",
                "mcpServers",
            ),
            (
                McpClient::Vscode,
                false,
                "/work/p/.vscode/mcp.json",
                "servers",
            ),
        ];
        for (client, global, path, key) in cases {
            let file = client_file(client, global, project, &env_with_home).unwrap();
            assert_eq!(file.path, PathBuf::from(path), "{client:?} global={global}");
            assert_eq!(file.servers_key, key);
        }
    }

    #[test]
    fn typed_clients_say_stdio_and_env_appears_only_when_set() {
        let file = client_file(McpClient::Vscode, false, Path::new("/p"), &env_with_home).unwrap();
        let args = vec!["run".to_string()];
        let plain = entry(&file, "hex-mcp", &args, &Map::new());
        assert_eq!(
            plain,
            json!({"type": "stdio", "command": "hex-mcp", "args": ["run"]})
        );
        let cursor =
            client_file(McpClient::Cursor, false, Path::new("/p"), &env_with_home).unwrap();
        assert_eq!(
            entry(&cursor, "hex-mcp", &args, &Map::new()),
            json!({"command": "hex-mcp", "args": ["run"]})
        );
    }
}
