//! The command line: version, config (with the key from stdin), show-config, doctor, call and
//! sandbox, as a user runs them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::{path::PathBuf, process::Stdio, time::Duration};

use common::{TOKEN, sandbox};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const BIN: &str = env!("CARGO_BIN_EXE_hex-mcp");

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

fn home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hex-mcp-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the binary with a clean environment plus `env`, feeding `stdin`.
async fn run(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut child = tokio::process::Command::new(BIN)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).await.unwrap();
    drop(input);
    let output = child.wait_with_output().await.unwrap();
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[tokio::test]
async fn version_is_printed_like_the_python_server_did() {
    let out = run(&["--version"], &[], "").await;
    assert_eq!(out.code, 0);
    assert_eq!(
        out.stdout.trim(),
        format!("hex-mcp version {}", env!("CARGO_PKG_VERSION"))
    );
}

#[tokio::test]
async fn config_reads_the_key_from_stdin_and_show_config_never_shows_it() {
    let home = home("config");
    let home_str = home.to_str().unwrap();
    let key = "key-from-stdin-6b1f0c9e2a";
    let out = run(
        &[
            "config",
            "--api-key",
            "-",
            "--api-url",
            "https://eu.hex.tech/api/v1",
        ],
        &[("HOME", home_str)],
        &format!("{key}\n"),
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains(key) && !out.stderr.contains(key));
    assert!(out.stdout.contains("****9e2a"), "{}", out.stdout);
    let file = home.join(".hex-mcp/config.yml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(key) && text.contains("https://eu.hex.tech/api/v1"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode =
            |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&home.join(".hex-mcp")), 0o700);
    }

    let shown = run(&["show-config"], &[("HOME", home_str)], "").await;
    assert_eq!(shown.code, 0);
    assert!(!shown.stdout.contains(key), "{}", shown.stdout);
    assert!(
        shown.stdout.contains("from config file"),
        "{}",
        shown.stdout
    );

    let overridden = run(
        &["show-config"],
        &[
            ("HOME", home_str),
            ("HEX_API_URL", "https://acme.hex.tech/api/v1"),
        ],
        "",
    )
    .await;
    assert!(
        overridden
            .stdout
            .contains("https://acme.hex.tech/api/v1 (from environment variable HEX_API_URL)"),
        "{}",
        overridden.stdout
    );
}

#[tokio::test]
async fn config_refuses_an_unusable_url_and_writes_nothing() {
    let home = home("badurl");
    let out = run(
        &[
            "config",
            "--api-key",
            "k",
            "--api-url",
            "http://hex.example.com/api/v1",
        ],
        &[("HOME", home.to_str().unwrap())],
        "",
    )
    .await;
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("not saved"), "{}", out.stderr);
    assert!(!home.join(".hex-mcp").exists());
}

#[tokio::test]
async fn doctor_checks_the_token_against_the_api() {
    let sandbox = sandbox().await;
    let home = home("doctor");
    let home_str = home.to_str().unwrap();
    let url = sandbox.base_url();
    let good = run(
        &["doctor"],
        &[
            ("HOME", home_str),
            ("HEX_API_URL", &url),
            ("HEX_API_KEY", TOKEN),
        ],
        "",
    )
    .await;
    assert_eq!(good.code, 0, "{}{}", good.stdout, good.stderr);
    assert!(good.stdout.contains("token accepted"), "{}", good.stdout);
    assert!(!good.stdout.contains(TOKEN));

    let wrong = "wrong-key-90be7d1c3a";
    let bad = run(
        &["doctor"],
        &[
            ("HOME", home_str),
            ("HEX_API_URL", &url),
            ("HEX_API_KEY", wrong),
        ],
        "",
    )
    .await;
    assert_eq!(bad.code, 1);
    assert!(
        bad.stdout.contains("[FAIL]") && bad.stdout.contains("hex-mcp config --api-key -"),
        "{}",
        bad.stdout
    );
    assert!(!bad.stdout.contains(wrong) && !bad.stderr.contains(wrong));

    let none = run(&["doctor"], &[("HOME", home_str)], "").await;
    assert_eq!(none.code, 1);
    assert!(none.stdout.contains("none configured"), "{}", none.stdout);
}

/// A config file others can read exposes the key: doctor warns (and says how to fix it) but
/// still passes, since hex-mcp works; a private file gets no warning.
#[cfg(unix)]
#[tokio::test]
async fn doctor_warns_when_the_config_file_is_open_to_others() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = sandbox().await;
    let home = home("doctor-modes");
    let home_str = home.to_str().unwrap();
    let url = sandbox.base_url();
    let env = [("HOME", home_str)];
    let saved = run(&["config", "--api-key", TOKEN, "--api-url", &url], &env, "").await;
    assert_eq!(saved.code, 0, "{}", saved.stderr);
    let file = home.join(".hex-mcp/config.yml");

    let private = run(&["doctor"], &env, "").await;
    assert_eq!(private.code, 0, "{}", private.stdout);
    assert!(!private.stdout.contains("[WARN]"), "{}", private.stdout);

    for (mode, who) in [
        (0o644, "its group and all other users"),
        (0o640, "its group"),
    ] {
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
        let open = run(&["doctor"], &env, "").await;
        assert_eq!(open.code, 0, "{}", open.stdout);
        let warning = open
            .stdout
            .lines()
            .find(|line| line.starts_with("[WARN]"))
            .unwrap_or_else(|| panic!("no warning: {}", open.stdout));
        assert!(
            warning.contains(who) && warning.contains("chmod 600"),
            "{warning}"
        );
        assert!(!open.stdout.contains(TOKEN));
    }
}

/// Behind a corporate gateway Hex's API often sits under a path prefix
/// (`https://proxy.example.com/hex/api/v1`): requests keep the prefix, and every command works.
#[tokio::test]
async fn a_base_url_behind_a_path_prefix_works() {
    let sandbox = hex_sandbox::Sandbox::new(hex_sandbox::SandboxConfig {
        token: TOKEN.to_string(),
        rate_limits: hex_sandbox::RateLimitMode::Off,
        ..hex_sandbox::SandboxConfig::default()
    });
    let gateway = axum::Router::new().nest("/corp/hex", sandbox.router());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, gateway).await });

    let home = home("prefix");
    let url = format!("http://127.0.0.1:{port}/corp/hex/api/v1");
    let env = [
        ("HOME", home.to_str().unwrap()),
        ("HEX_API_URL", url.as_str()),
        ("HEX_API_KEY", TOKEN),
    ];
    let doctor = run(&["doctor"], &env, "").await;
    assert_eq!(doctor.code, 0, "{}{}", doctor.stdout, doctor.stderr);
    assert!(doctor.stdout.contains(&url), "{}", doctor.stdout);
    let listed = run(
        &["call", "list_hex_projects", "--json", r#"{"limit": 2}"#],
        &env,
        "",
    )
    .await;
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let listed: Value = serde_json::from_str(&listed.stdout).unwrap();
    assert_eq!(listed["values"].as_array().unwrap().len(), 2, "{listed}");
    // The gateway routes only paths under /corp/hex: anything that lost the prefix got a 404.
    assert!(!sandbox.requests().is_empty());
}

/// Plain http carries the token in clear text: refused for anything but loopback, before any
/// request, in every command.
#[tokio::test]
async fn a_plain_http_base_url_off_loopback_is_refused() {
    let home = home("plainhttp");
    let env = [
        ("HOME", home.to_str().unwrap()),
        ("HEX_API_URL", "http://hex.example.com/api/v1"),
        ("HEX_API_KEY", TOKEN),
    ];
    let doctor = run(&["doctor"], &env, "").await;
    assert_eq!(doctor.code, 1, "{}", doctor.stdout);
    assert!(
        doctor.stdout.contains("https is required"),
        "{}",
        doctor.stdout
    );
    let call = run(&["call", "list_hex_projects"], &env, "").await;
    assert_ne!(call.code, 0);
    let error: Value = serde_json::from_str(&call.stdout).unwrap();
    let message = error["error"]["message"].as_str().unwrap();
    assert!(message.contains("https is required"), "{message}");
    // The way out is the URL, not the key that is already there.
    let next = error["error"]["next"].as_str().unwrap();
    assert!(
        next.contains("HEX_API_URL") && !next.contains("--api-key"),
        "{next}"
    );
    assert!(!call.stdout.contains(TOKEN) && !doctor.stdout.contains(TOKEN));
}

#[tokio::test]
async fn call_prints_json_and_its_exit_code_says_what_happened() {
    let sandbox = sandbox().await;
    let home = home("call");
    let env = [
        ("HOME", home.to_str().unwrap()),
        ("HEX_API_URL", &sandbox.base_url()),
        ("HEX_API_KEY", TOKEN),
    ];
    let ok = run(
        &["call", "list_hex_projects", "--json", r#"{"limit": 3}"#],
        &env,
        "",
    )
    .await;
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    let value: Value = serde_json::from_str(ok.stdout.trim()).unwrap();
    assert_eq!(value["values"].as_array().unwrap().len(), 3);

    let missing = "00000000-0000-4000-8000-000000000000";
    let failed = run(
        &[
            "call",
            "get_hex_project",
            "--json",
            &format!(r#"{{"project_id": "{missing}"}}"#),
        ],
        &env,
        "",
    )
    .await;
    assert_eq!(failed.code, 1);
    let value: Value = serde_json::from_str(failed.stdout.trim()).unwrap();
    assert_eq!(value["error"]["status"], 404);

    let group = sandbox.state().group_ids()[0].clone();
    let preview = run(
        &[
            "call",
            "delete_hex_group",
            "--json",
            &format!(r#"{{"group_id": "{group}"}}"#),
        ],
        &env,
        "",
    )
    .await;
    assert_eq!(preview.code, 3, "{}", preview.stdout);
    assert!(preview.stderr.contains("--yes"), "{}", preview.stderr);
    // No token that a later command could not redeem: the way that works instead.
    let shown: Value = serde_json::from_str(preview.stdout.trim()).unwrap();
    assert_eq!(shown["confirmationRequired"], true, "{shown}");
    assert!(shown.get("confirmationToken").is_none(), "{shown}");
    assert_eq!(shown["confirmWith"], "--yes");
    assert!(shown["next"].as_str().unwrap().contains("--yes"), "{shown}");
    assert!(!shown.to_string().contains("confirmation_token"), "{shown}");
    assert_eq!(sandbox.count_requests("DELETE", "/v1/groups/*"), 0);
    let done = run(
        &[
            "call",
            "delete_hex_group",
            "--yes",
            "--json",
            &format!(r#"{{"group_id": "{group}"}}"#),
        ],
        &env,
        "",
    )
    .await;
    assert_eq!(done.code, 0, "{}", done.stdout);
    assert_eq!(sandbox.count_requests("DELETE", "/v1/groups/*"), 1);

    let usage = run(
        &["call", "list_hex_projects", "--json", "{not json"],
        &env,
        "",
    )
    .await;
    assert_eq!(usage.code, 2);
    let unknown = run(&["call", "list_hex_projets"], &env, "").await;
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("list_hex_projects"));
}

#[tokio::test]
async fn call_with_the_embedded_sandbox_needs_no_account() {
    let home = home("call-sandbox");
    let out = run(
        &[
            "call",
            "search_hex_projects",
            "--sandbox",
            "--json",
            r#"{"search_pattern": "revenue", "limit": 2}"#,
        ],
        &[("HOME", home.to_str().unwrap())],
        "",
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let value: Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert!(!value["values"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_sandbox_command_serves_hex_api_with_bearer_auth() {
    let mut child = tokio::process::Command::new(BIN)
        .args([
            "sandbox",
            "--bind",
            "127.0.0.1:0",
            "--token",
            "cli-test-token",
        ])
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let base = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(at) = line.find("http://") {
                return line[at..].trim().to_string();
            }
        }
        panic!("no URL printed");
    })
    .await
    .unwrap();
    assert!(base.ends_with("/api/v1"), "{base}");
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let url = format!("{base}/projects?limit=2");
    let page: Value = http
        .get(&url)
        .bearer_auth("cli-test-token")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["values"].as_array().unwrap().len(), 2);
    assert!(page["pagination"]["after"].is_string());
    let status = http.get(&url).send().await.unwrap().status();
    assert_eq!(status.as_u16(), 401);
    child.start_kill().unwrap();
}

/// A pipeline (Airflow, CI) must be able to trust the exit code of a waited run: 0 only when it
/// COMPLETED, 4 when it failed, 5 when it was killed, 6 when the wait ran out first.
#[tokio::test]
async fn a_waited_run_exits_with_a_code_per_outcome() {
    let sandbox = common::sandbox_with(|config| {
        config.run_pending = Duration::from_millis(200);
        config.run_running = Duration::from_millis(300);
    })
    .await;
    let home = home("call-runs");
    let env = [
        ("HOME", home.to_str().unwrap()),
        ("HEX_API_URL", &sandbox.base_url()),
        ("HEX_API_KEY", TOKEN),
    ];
    let state = sandbox.state();
    let call = |project: String, wait: u32| {
        let json = format!(r#"{{"project_id": "{project}", "wait_seconds": {wait}}}"#);
        async move { run(&["call", "run_hex_project", "--json", &json], &env, "").await }
    };

    let completed = call(state.runnable_project_ids()[0].clone(), 30).await;
    assert_eq!(completed.code, 0, "{}", completed.stdout);
    let value: Value = serde_json::from_str(completed.stdout.trim()).unwrap();
    assert_eq!(value["runStatus"]["status"], "COMPLETED");

    let failing = state.failing_project_ids()[0].clone();
    let errored = call(failing, 30).await;
    assert_eq!(errored.code, 4, "{}", errored.stdout);
    let value: Value = serde_json::from_str(errored.stdout.trim()).unwrap();
    assert_eq!(value["runStatus"]["status"], "ERRORED");
    // Without a wait, starting the same run is a success: nothing was waited for.
    let started = run(
        &[
            "call",
            "run_hex_project",
            "--json",
            &format!(r#"{{"project_id": "{}"}}"#, state.failing_project_ids()[0]),
        ],
        &env,
        "",
    )
    .await;
    assert_eq!(started.code, 0, "{}", started.stdout);
}

#[tokio::test]
async fn a_run_still_going_or_killed_fails_the_waited_call() {
    let sandbox =
        common::sandbox_with(|config| config.run_pending = Duration::from_secs(120)).await;
    let home = home("call-runs-slow");
    let base = sandbox.base_url();
    let env = [
        ("HOME", home.to_str().unwrap()),
        ("HEX_API_URL", base.as_str()),
        ("HEX_API_KEY", TOKEN),
    ];
    let project = sandbox.state().runnable_project_ids()[0].clone();
    let json = format!(r#"{{"project_id": "{project}", "wait_seconds": 1}}"#);
    let timed_out = run(&["call", "run_hex_project", "--json", &json], &env, "").await;
    assert_eq!(timed_out.code, 6, "{}", timed_out.stdout);
    let value: Value = serde_json::from_str(timed_out.stdout.trim()).unwrap();
    assert_eq!(value["finished"], false);

    // Killed while waited for: cancel the run behind the call's back.
    let before = sandbox.state().run_ids(&project);
    let json = format!(r#"{{"project_id": "{project}", "wait_seconds": 60}}"#);
    let waiting = tokio::spawn(async move {
        let env = [
            ("HOME", "/tmp"),
            ("HEX_API_URL", base.as_str()),
            ("HEX_API_KEY", TOKEN),
        ];
        run(&["call", "run_hex_project", "--json", &json], &env, "").await
    });
    let mut started = None;
    for _ in 0..100 {
        started = sandbox
            .state()
            .run_ids(&project)
            .into_iter()
            .find(|id| !before.contains(id));
        if started.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let started = started.expect("the call started a run");
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cancelled = reqwest::Client::new()
        .delete(format!(
            "{}/projects/{project}/runs/{started}",
            sandbox.base_url()
        ))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status().as_u16(), 204);
    let killed = waiting.await.unwrap();
    assert_eq!(killed.code, 5, "{}", killed.stdout);
    let value: Value = serde_json::from_str(killed.stdout.trim()).unwrap();
    assert_eq!(value["runStatus"]["status"], "KILLED");
}

/// From a shell, a chart's image and an export's resource have nowhere to go but the printed
/// JSON: `call` adds them under `attachments`, as MCP content blocks.
#[tokio::test]
async fn call_prints_image_and_resource_blocks_as_attachments() {
    let sandbox = sandbox().await;
    let home = home("call-attachments");
    let env = [
        ("HOME", home.to_str().unwrap()),
        ("HEX_API_URL", &sandbox.base_url()),
        ("HEX_API_KEY", TOKEN),
    ];
    let (project, cell, _) = sandbox.state().chart_cells()[0].clone();
    let chart = run(
        &[
            "call",
            "get_hex_chart_image",
            "--json",
            &format!(r#"{{"cell_id": "{cell}"}}"#),
        ],
        &env,
        "",
    )
    .await;
    assert_eq!(chart.code, 0, "{}", chart.stderr);
    let value: Value = serde_json::from_str(chart.stdout.trim()).unwrap();
    let image = &value["attachments"][0];
    assert_eq!(image["type"], "image", "{value}");
    assert_eq!(image["mimeType"], "image/png");
    assert!(image["data"].as_str().unwrap().starts_with("iVBORw0KGgo"));
    let export = run(
        &[
            "call",
            "export_hex_project",
            "--json",
            &format!(r#"{{"project_id": "{project}"}}"#),
        ],
        &env,
        "",
    )
    .await;
    assert_eq!(export.code, 0, "{}", export.stderr);
    let value: Value = serde_json::from_str(export.stdout.trim()).unwrap();
    let resource = &value["attachments"][0]["resource"];
    assert_eq!(resource["mimeType"], "application/yaml", "{value}");
    assert!(!resource["text"].as_str().unwrap().is_empty());
}

/// A command line and its environment.
type Invocation = (Vec<&'static str>, Vec<(&'static str, String)>);

/// Every subcommand that prints, as a user runs it.
fn printing_commands(home: &str) -> Vec<Invocation> {
    let env = vec![("HOME", home.to_string())];
    vec![
        (vec!["--version"], vec![]),
        (
            vec!["call", "--sandbox", "list_hex_projects", "--json", "{}"],
            env.clone(),
        ),
        (vec!["tools", "--json"], env.clone()),
        (vec!["tools"], env.clone()),
        (vec!["tools", "--catalog"], env.clone()),
        (vec!["show-config"], env.clone()),
        // No key configured: doctor reports that, on stdout, without the network.
        (vec!["doctor"], env.clone()),
        (vec!["completions", "bash"], env.clone()),
        (vec!["man"], env.clone()),
        (
            vec!["install", "--client", "cursor", "--global", "--dry-run"],
            env.clone(),
        ),
    ]
}

/// Runs `args` with stdout set to `stdout`, and returns the exit code and stderr.
fn run_with_stdout(
    args: &[&str],
    env: &[(&'static str, String)],
    stdout: Stdio,
    close_stdout: bool,
) -> (i32, String) {
    let stdout = if close_stdout {
        // The reader is gone before the command starts, as with `| head -c 0`: closing it after
        // the spawn would race with a short output that fits in the pipe's buffer.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        Stdio::from(writer)
    } else {
        stdout
    };
    let child = std::process::Command::new(BIN)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().map(|(name, value)| (*name, value.as_str())))
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Exit code 7 (README, "From a shell or a pipeline"): stdout could not take the output.
const EXIT_OUTPUT: i32 = 7;

#[test]
fn a_closed_stdout_ends_every_command_quietly() {
    let home = home("closed-stdout");
    for (args, env) in printing_commands(home.to_str().unwrap()) {
        let (code, stderr) = run_with_stdout(&args, &env, Stdio::piped(), true);
        assert_eq!(code, EXIT_OUTPUT, "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_large_result_read_in_part_ends_the_call_quietly() {
    use std::io::Read;
    // More than a pipe buffer (64 KiB; this is ~80 KiB), so the command is still writing when
    // the reader stops.
    let home = home("read-in-part");
    let mut child = std::process::Command::new(BIN)
        .args([
            "call",
            "--sandbox",
            "list_hex_projects",
            "--json",
            r#"{"limit": 100, "include_sharing": true}"#,
        ])
        .env_clear()
        .env("HOME", &home)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut start = [0_u8; 300];
    stdout.read_exact(&mut start).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(EXIT_OUTPUT), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_full_disk_is_reported_on_stderr_without_a_panic() {
    let home = home("dev-full");
    for (args, env) in printing_commands(home.to_str().unwrap()) {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let (code, stderr) = run_with_stdout(&args, &env, Stdio::from(full), false);
        assert_eq!(code, EXIT_OUTPUT, "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            stderr.contains("cannot write the output"),
            "{args:?}: {stderr}"
        );
    }
}

/// A port that accepts connections, counts them, and never answers.
fn silent_port() -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = accepted.clone();
    std::thread::spawn(move || {
        let mut open = Vec::new();
        for stream in listener.incoming().flatten() {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            // Held open, unanswered, until the test ends.
            open.push(stream);
        }
    });
    (port, accepted)
}

#[tokio::test]
async fn doctor_tries_each_check_once_and_says_what_it_was_checking() {
    let home = home("doctor-offline");
    let home = home.to_str().unwrap();
    // A Hex that accepts and never answers: one attempt, ended by doctor's own timeout.
    let (port, accepted) = silent_port();
    let url = format!("http://127.0.0.1:{port}/api/v1");
    let env = [
        ("HOME", home),
        ("HEX_API_KEY", "key"),
        ("HEX_API_URL", &url),
    ];
    let out = run(&["doctor"], &env, "").await;
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert!(
        out.stdout
            .contains("[FAIL] checking your token: Hex did not answer GET /v1/users/me"),
        "{}",
        out.stdout
    );

    // A name that never resolves, and a refused port: reported as not reached, in words.
    let refused = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    for url in [
        "https://nonexistent.invalid/api/v1".to_string(),
        format!("http://127.0.0.1:{refused}/api/v1"),
    ] {
        let env = [
            ("HOME", home),
            ("HEX_API_KEY", "key"),
            ("HEX_API_URL", url.as_str()),
        ];
        let out = run(&["doctor"], &env, "").await;
        assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
        assert!(
            out.stdout.contains(
                "[FAIL] checking your token: could not reach Hex to send GET /v1/users/me"
            ),
            "{}",
            out.stdout
        );
        assert!(!out.stdout.contains("for Me"), "{}", out.stdout);
    }
}

#[tokio::test]
async fn the_hex_timeout_is_a_setting_and_the_timeout_error_names_it() {
    let home = home("hex-timeout");
    let home = home.to_str().unwrap();
    let (port, accepted) = silent_port();
    let url = format!("http://127.0.0.1:{port}/api/v1");
    let env = [
        ("HOME", home),
        ("HEX_API_KEY", "key"),
        ("HEX_API_URL", url.as_str()),
    ];

    // A tool call that times out says which setting allows longer.
    let out = run(
        &[
            "call",
            "list_hex_projects",
            "--json",
            "{}",
            "--hex-timeout",
            "1",
        ],
        &env,
        "",
    )
    .await;
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("within 1 s"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("--hex-timeout SECONDS or HEX_MCP_HEX_TIMEOUT"),
        "{}",
        out.stdout
    );
    // Not repeated: Hex may still be processing it.
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1);

    // doctor takes the operator's timeout when one is given.
    let with_env = [
        ("HOME", home),
        ("HEX_API_KEY", "key"),
        ("HEX_API_URL", url.as_str()),
        ("HEX_MCP_HEX_TIMEOUT", "1"),
    ];
    let out = run(&["doctor"], &with_env, "").await;
    assert!(out.stdout.contains("within 1 s"), "{}", out.stdout);
    let out = run(&["show-config"], &with_env, "").await;
    assert!(
        out.stdout
            .contains("Hex request timeout: 1 s (from environment variable HEX_MCP_HEX_TIMEOUT)"),
        "{}",
        out.stdout
    );

    // Out of range, from either source: a usage error saying the range.
    let bad = [("HOME", home), ("HEX_MCP_HEX_TIMEOUT", "0")];
    let out = run(&["show-config"], &bad, "").await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("HEX_MCP_HEX_TIMEOUT must be a whole number of seconds, 1–3600"),
        "{}",
        out.stderr
    );
    let out = run(
        &["show-config", "--hex-timeout", "5000"],
        &[("HOME", home)],
        "",
    )
    .await;
    assert_eq!(out.code, 2, "{}", out.stderr);
}
