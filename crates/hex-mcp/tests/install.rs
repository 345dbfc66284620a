//! `hex-mcp install` against client config files in a temporary HOME, and the generated
//! completions and man pages.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_hex-mcp");

/// A fresh HOME with a project directory inside it.
fn home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hex-mcp-install-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("project")).unwrap();
    dir
}

fn hex_mcp(home: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .current_dir(home.join("project"))
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Each client: its flag, its file under HOME, and the key its servers sit under.
fn clients() -> Vec<(Vec<&'static str>, &'static str, &'static str)> {
    vec![
        (
            vec!["--client", "cursor"],
            "project/.cursor/mcp.json",
            "mcpServers",
        ),
        (
            vec!["--client", "cursor", "--global"],
            ".cursor/mcp.json",
            "mcpServers",
        ),
        (
            vec!["--client", "claude-code"],
            "project/.mcp.json",
            "mcpServers",
        ),
        (
            vec!["--client", "claude-code", "--global"],
            ".claude.json",
            "mcpServers",
        ),
        (
            vec!["--client", "claude-desktop"],
            ".config/Claude/claude_desktop_config.json",
            "mcpServers",
        ),
        (
            vec!["--client", "vscode"],
            "project/.vscode/mcp.json",
            "servers",
        ),
        (
            vec!["--client", "vscode", "--global"],
            ".config/Code/User/mcp.json",
            "servers",
        ),
    ]
}

fn backups(file: &Path) -> Vec<PathBuf> {
    let name = file.file_name().unwrap().to_str().unwrap().to_string();
    std::fs::read_dir(file.parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            let other = path.file_name().unwrap().to_str().unwrap();
            other.starts_with(&format!("{name}.hex-mcp-backup-"))
        })
        .collect()
}

#[test]
fn every_client_keeps_the_other_server_adds_ours_and_backs_up_first() {
    for (flags, relative, key) in clients() {
        let home = home("merge");
        let file = home.join(relative);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        // A file the user wrote: a comment, another server, another setting.
        let original = format!(
            "{{\n  // mine\n  \"theme\": \"dark\",\n  \"{key}\": {{\n    \"github\": {{ \"command\": \"gh-mcp\", \"args\": [\"serve\"] }}\n  }}\n}}\n"
        );
        std::fs::write(&file, &original).unwrap();

        let mut args = vec!["install"];
        args.extend(&flags);
        args.extend([
            "--sandbox",
            "--toolsets",
            "default,workflows",
            "--read-only",
        ]);
        let output = hex_mcp(&home, &args);
        assert!(output.status.success(), "{flags:?}: {}", stderr(&output));

        let written = std::fs::read_to_string(&file).unwrap();
        assert!(
            written.contains("// mine"),
            "{flags:?}: comment lost:\n{written}"
        );
        let value = parse_jsonc(&written);
        assert_eq!(value["theme"], "dark", "{flags:?}");
        assert_eq!(
            value[key]["github"],
            json!({"command": "gh-mcp", "args": ["serve"]})
        );
        let ours = &value[key]["hex-mcp"];
        assert_eq!(
            ours["args"],
            json!([
                "run",
                "--sandbox",
                "--toolsets",
                "default,workflows",
                "--read-only"
            ]),
            "{flags:?}: {ours}"
        );
        assert!(
            ours["command"].as_str().unwrap().ends_with("hex-mcp"),
            "{ours}"
        );
        assert!(
            ours.get("env").is_none(),
            "{flags:?}: no token asked for: {ours}"
        );

        let saved = backups(&file);
        assert_eq!(saved.len(), 1, "{flags:?}: {saved:?}");
        assert_eq!(std::fs::read_to_string(&saved[0]).unwrap(), original);
        let _ = std::fs::remove_dir_all(&home);
    }
}

/// Reads JSON with comments, as the clients do.
fn parse_jsonc(text: &str) -> Value {
    let without_comments: String = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    serde_json::from_str(&without_comments).unwrap_or_else(|error| panic!("{error}:\n{text}"))
}

#[test]
fn a_dry_run_prints_the_json_and_writes_nothing() {
    let home = home("dry-run");
    let output = hex_mcp(&home, &["install", "--client", "cursor", "--dry-run"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["mcpServers"]["hex-mcp"]["args"], json!(["run"]));
    assert!(
        !home.join("project/.cursor").exists(),
        "a dry run wrote something"
    );
    assert!(
        stderr(&output).contains(".cursor/mcp.json"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_new_file_is_created_and_a_second_run_changes_nothing() {
    let home = home("idempotent");
    let args = ["install", "--client", "vscode", "--command", "hex-mcp"];
    let first = hex_mcp(&home, &args);
    assert!(first.status.success(), "{}", stderr(&first));
    let file = home.join("project/.vscode/mcp.json");
    let value: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(
        value,
        json!({"servers": {"hex-mcp": {"type": "stdio", "command": "hex-mcp", "args": ["run"]}}})
    );
    // No key saved: install says how to save one, and still writes no key.
    assert!(
        stderr(&first).contains("hex-mcp config --api-key"),
        "{}",
        stderr(&first)
    );
    let second = hex_mcp(&home, &args);
    assert!(
        stderr(&second).contains("nothing changed"),
        "{}",
        stderr(&second)
    );
    assert!(
        backups(&file).is_empty(),
        "nothing changed, so nothing to back up"
    );
}

#[test]
fn the_token_stays_out_of_the_file_unless_asked_and_then_the_file_is_private() {
    let home = home("token");
    let key = "hxtok_install_test_0123456789";
    let saved = Command::new(BIN)
        .args(["config", "--api-key", key])
        .env_clear()
        .env("HOME", &home)
        .output()
        .unwrap();
    assert!(saved.status.success(), "{}", stderr(&saved));

    let plain = hex_mcp(&home, &["install", "--client", "claude-desktop"]);
    assert!(plain.status.success(), "{}", stderr(&plain));
    let file = home.join(".config/Claude/claude_desktop_config.json");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains(key), "{text}");
    assert!(!stderr(&plain).contains(key));

    let with = hex_mcp(
        &home,
        &["install", "--client", "claude-desktop", "--with-token"],
    );
    assert!(with.status.success(), "{}", stderr(&with));
    let value: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(value["mcpServers"]["hex-mcp"]["env"]["HEX_API_KEY"], key);
    assert!(!stderr(&with).contains(key), "{}", stderr(&with));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a file holding the key must be private");
    }
}

#[test]
fn bad_names_and_unmergeable_files_are_refused_without_writing() {
    let home = home("refused");
    let unknown = hex_mcp(
        &home,
        &["install", "--client", "cursor", "--toolsets", "nope"],
    );
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("unknown toolset"),
        "{}",
        stderr(&unknown)
    );
    let tool = hex_mcp(
        &home,
        &["install", "--client", "cursor", "--tools", "no_such_tool"],
    );
    assert_eq!(tool.status.code(), Some(2), "{}", stderr(&tool));

    let file = home.join("project/.cursor/mcp.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, "{\"mcpServers\": [\"not an object\"]}").unwrap();
    let refused = hex_mcp(&home, &["install", "--client", "cursor"]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("\"mcpServers\" is not a JSON object"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "{\"mcpServers\": [\"not an object\"]}"
    );
    assert!(backups(&file).is_empty());
}

#[test]
fn completions_and_man_pages_come_from_the_cli_definition() {
    let home = home("manual");
    for shell in ["bash", "zsh", "fish"] {
        let output = hex_mcp(&home, &["completions", shell]);
        assert!(output.status.success(), "{shell}: {}", stderr(&output));
        let script = String::from_utf8_lossy(&output.stdout);
        for word in ["install", "doctor", "--toolsets"] {
            assert!(script.contains(word), "{shell} completions lack {word}");
        }
    }
    let page = hex_mcp(&home, &["man"]);
    let text = String::from_utf8_lossy(&page.stdout);
    assert!(
        text.starts_with(".ie") || text.contains(".TH hex-mcp"),
        "{text}"
    );
    assert!(text.contains("install"), "the man page lists the commands");

    let dir = home.join("man");
    let pages = hex_mcp(&home, &["man", "--dir", dir.to_str().unwrap()]);
    assert!(pages.status.success(), "{}", stderr(&pages));
    for page in ["hex-mcp.1", "hex-mcp-run.1", "hex-mcp-install.1"] {
        assert!(dir.join(page).is_file(), "{page} missing");
    }
}
