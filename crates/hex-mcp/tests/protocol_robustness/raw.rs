//! A raw line-level client of `hex-mcp run` over stdio: writes whatever bytes a test asks for,
//! reads every line the server writes, and checks at the end that stdout held nothing but
//! JSON-RPC 2.0 messages.

use std::{process::Stdio, sync::Arc, time::Duration};

use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    process::{Child, ChildStdin},
    sync::{Mutex, mpsc},
};

/// A wait longer than this is a hang (a hang detector, not a timing assertion).
pub const HANG: Duration = Duration::from_secs(60);

pub struct Raw {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: mpsc::UnboundedReceiver<Value>,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: tokio::task::JoinHandle<String>,
}

impl Raw {
    /// `hex-mcp ARGS` with `env` on top of a clean environment.
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Raw {
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_hex-mcp"))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", std::env::temp_dir())
            .env("HEX_MCP_LOG", "debug")
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let (send, messages) = mpsc::unbounded_channel();
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let lines_seen = stdout.clone();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                lines_seen.lock().await.push(line.clone());
                if let Ok(value) = serde_json::from_str::<Value>(&line) {
                    let _ = send.send(value);
                }
            }
        });
        let mut err = child.stderr.take().unwrap();
        let stderr = tokio::spawn(async move {
            let mut text = String::new();
            let _ = err.read_to_string(&mut text).await;
            text
        });
        Raw {
            stdin: child.stdin.take(),
            child,
            messages,
            stdout,
            stderr,
        }
    }

    /// Writes bytes as they are (a test adds the newline).
    pub async fn write(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(bytes).await.unwrap();
        stdin.flush().await.unwrap();
    }

    /// Writes one message as one line.
    pub async fn send(&mut self, message: &Value) {
        self.write(format!("{message}\n").as_bytes()).await;
    }

    /// The next message the server wrote.
    pub async fn next(&mut self) -> Value {
        tokio::time::timeout(HANG, self.messages.recv())
            .await
            .expect("the server went silent")
            .expect("the server closed stdout")
    }

    /// The messages that arrive within `wait`.
    pub async fn drain(&mut self, wait: Duration) -> Vec<Value> {
        let mut seen = Vec::new();
        while let Ok(Some(message)) = tokio::time::timeout(wait, self.messages.recv()).await {
            seen.push(message);
        }
        seen
    }

    /// `initialize` (2025-06-18) and `notifications/initialized`.
    pub async fn initialize(&mut self) {
        self.send(
            &json!({"jsonrpc": "2.0", "id": "init", "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "raw", "version": "0"}}}),
        )
        .await;
        let reply = self.next().await;
        assert_eq!(reply["id"], "init", "{reply}");
        assert!(reply["result"]["serverInfo"].is_object(), "{reply}");
        self.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await;
    }

    /// Closes stdin now (EOF), whatever is in flight.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Closes stdin, waits for the exit, and checks it was 0 and that every stdout line is a
    /// JSON-RPC 2.0 message. Returns the messages not yet read, and stderr.
    pub async fn finish(mut self) -> (Vec<Value>, String) {
        self.close_stdin();
        let status = tokio::time::timeout(HANG, self.child.wait())
            .await
            .expect("the server did not exit after EOF")
            .unwrap();
        assert!(status.success(), "exit status {status}");
        let stderr = tokio::time::timeout(HANG, self.stderr)
            .await
            .unwrap()
            .unwrap();
        let mut rest = Vec::new();
        while let Ok(message) = self.messages.try_recv() {
            rest.push(message);
        }
        for line in self.stdout.lock().await.iter() {
            let message: Value = serde_json::from_str(line)
                .unwrap_or_else(|error| panic!("stdout line is not JSON ({error}): {line:.200}"));
            assert_eq!(message["jsonrpc"], "2.0", "not JSON-RPC: {line:.200}");
        }
        (rest, stderr)
    }
}

/// A request.
pub fn request(id: impl Into<Value>, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id.into(), "method": method, "params": params})
}

/// A `tools/call` request.
pub fn call(id: impl Into<Value>, tool: &str, arguments: Value) -> Value {
    request(
        id,
        "tools/call",
        json!({"name": tool, "arguments": arguments}),
    )
}
