//! One MCP server process driven with raw newline-delimited JSON-RPC over its stdin/stdout: no
//! client library between the clock and the pipe.

use std::{
    io::{BufRead, BufReader, Write},
    path::PathBuf,
    process::{Child, ChildStdin, ChildStdout, Command, Stdio},
    sync::{
        Arc, Mutex, PoisonError,
        mpsc::{self, RecvTimeoutError},
    },
    thread,
    time::{Duration, Instant},
};

use serde_json::{Value, json};

use crate::{error::BenchError, proc};

/// The protocol version both servers speak (the Python server's mcp 1.9.4 knows no later one).
pub const PROTOCOL_VERSION: &str = "2025-03-26";

/// The longest a whole session may take before the watchdog kills the server.
const SESSION_LIMIT: Duration = Duration::from_secs(240);

/// How to start a server: program, arguments, environment.
#[derive(Debug, Clone)]
pub struct ServerSpec {
    pub label: String,
    pub program: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
}

impl ServerSpec {
    /// The command line as a reader would type it (environment first).
    pub fn command_line(&self) -> String {
        // The sandbox's port changes every run.
        let env = self
            .env
            .iter()
            .map(
                |(name, value)| match value.strip_prefix("http://127.0.0.1:") {
                    Some(_) => format!("{name}=http://127.0.0.1:PORT/api/v1 "),
                    None => format!("{name}={value} "),
                },
            )
            .collect::<String>();
        let args = self.args.join(" ");
        format!("{env}{} {args}", self.program.display())
    }
}

pub struct Session {
    child: Arc<Mutex<Child>>,
    pid: u32,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    /// Taken just before the spawn.
    pub started: Instant,
    next_id: u64,
    line: String,
    watchdog: Option<mpsc::Sender<()>>,
    label: String,
}

impl Session {
    pub fn spawn(spec: &ServerSpec) -> Result<Session, BenchError> {
        Session::spawn_for(spec, SESSION_LIMIT)
    }

    /// [`Session::spawn`] with a longer (or shorter) watchdog limit than [`SESSION_LIMIT`].
    pub fn spawn_for(spec: &ServerSpec, limit: Duration) -> Result<Session, BenchError> {
        let mut command = Command::new(&spec.program);
        command
            .args(&spec.args)
            .envs(spec.env.iter().map(|(name, value)| (name, value)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let started = Instant::now();
        let mut child = command.spawn().map_err(|error| {
            BenchError::new(format!("cannot start {}: {error}", spec.program.display()))
        })?;
        let pid = child.id();
        let stdin = child.stdin.take();
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| BenchError::new("the server's stdout is not a pipe"))?;
        let child = Arc::new(Mutex::new(child));
        Ok(Session {
            watchdog: Some(watchdog(Arc::clone(&child), limit)),
            child,
            pid,
            stdin,
            stdout: BufReader::with_capacity(1 << 16, stdout),
            started,
            next_id: 1,
            line: String::new(),
            label: spec.label.clone(),
        })
    }

    /// Sends one request and returns its id without waiting for the reply.
    pub fn send_request(&mut self, method: &str, params: Value) -> Result<u64, BenchError> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))?;
        Ok(id)
    }

    pub fn notify(&mut self, method: &str) -> Result<(), BenchError> {
        self.send(&json!({"jsonrpc": "2.0", "method": method}))
    }

    fn send(&mut self, message: &Value) -> Result<(), BenchError> {
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| BenchError::new("stdin is already closed"))?;
        let mut bytes = serde_json::to_vec(message)
            .map_err(|error| BenchError::new(format!("cannot encode a request: {error}")))?;
        bytes.push(b'\n');
        stdin
            .write_all(&bytes)
            .and_then(|()| stdin.flush())
            .map_err(|error| BenchError::new(format!("{}: cannot write: {error}", self.label)))
    }

    /// The next JSON-RPC response (id and result or error), skipping notifications, requests and
    /// anything on stdout that is not JSON-RPC.
    pub fn next_response(&mut self) -> Result<Response, BenchError> {
        loop {
            self.line.clear();
            let read = self.stdout.read_line(&mut self.line).map_err(|error| {
                BenchError::new(format!("{}: cannot read: {error}", self.label))
            })?;
            if read == 0 {
                return Err(BenchError::new(format!(
                    "{} closed its stdout (exited or killed by the watchdog)",
                    self.label
                )));
            }
            let Ok(Value::Object(mut message)) = serde_json::from_str::<Value>(&self.line) else {
                continue;
            };
            if message.contains_key("method") {
                continue;
            }
            let Some(id) = message.get("id").and_then(Value::as_u64) else {
                continue;
            };
            if let Some(error) = message.remove("error") {
                return Ok(Response {
                    id,
                    outcome: Err(error),
                });
            }
            let result = message.remove("result").unwrap_or(Value::Null);
            return Ok(Response {
                id,
                outcome: Ok(result),
            });
        }
    }

    /// Sends a request and waits for its reply.
    pub fn request(&mut self, method: &str, params: Value) -> Result<Value, BenchError> {
        let id = self.send_request(method, params)?;
        loop {
            let response = self.next_response()?;
            if response.id == id {
                return response.outcome.map_err(|error| {
                    BenchError::new(format!("{}: {method} failed: {error}", self.label))
                });
            }
        }
    }

    pub fn initialize(&mut self) -> Result<Value, BenchError> {
        let params = json!({
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "hex-bench", "version": env!("CARGO_PKG_VERSION")},
        });
        let reply = self.request("initialize", params)?;
        self.notify("notifications/initialized")?;
        Ok(reply)
    }

    /// `tools/call`; the result, which may be a tool error (`isError`).
    pub fn call_tool(&mut self, name: &str, arguments: Value) -> Result<Value, BenchError> {
        self.request("tools/call", json!({"name": name, "arguments": arguments}))
    }

    /// A tool's structured result, or an error if the tool failed.
    pub fn call_ok(&mut self, name: &str, arguments: Value) -> Result<Value, BenchError> {
        let result = self.call_tool(name, arguments)?;
        if is_tool_error(&result) {
            return Err(BenchError::new(format!(
                "{}: {name} answered an error: {}",
                self.label,
                excerpt(&result)
            )));
        }
        Ok(result
            .get("structuredContent")
            .cloned()
            .unwrap_or(Value::Null))
    }

    /// Peak resident set size so far (`VmHWM`), in KiB.
    pub fn peak_rss_kib(&self) -> Result<u64, BenchError> {
        proc::peak_rss_kib(self.pid)
    }

    /// CPU time the server has used so far, in seconds.
    pub fn cpu_seconds(&self) -> Result<f64, BenchError> {
        proc::cpu_seconds(self.pid)
    }

    /// The server's process id (for `/proc` readings).
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Closes stdin and waits for the server to exit (killing it after 5 s).
    pub fn close(mut self) -> Result<(), BenchError> {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let mut child = self.child.lock().unwrap_or_else(PoisonError::into_inner);
            match child.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) if Instant::now() < deadline => {}
                Ok(None) | Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
            }
            drop(child);
            thread::sleep(Duration::from_millis(2));
        }
        if let Some(done) = self.watchdog.take() {
            let _ = done.send(());
        }
        Ok(())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if self.watchdog.is_some() {
            let mut child = self.child.lock().unwrap_or_else(PoisonError::into_inner);
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Kills the server if the session outlives `limit`, so a hung server cannot hang the harness
/// (the blocked read then sees end of file).
fn watchdog(child: Arc<Mutex<Child>>, limit: Duration) -> mpsc::Sender<()> {
    let (done, wait) = mpsc::channel::<()>();
    thread::spawn(move || {
        if let Err(RecvTimeoutError::Timeout) = wait.recv_timeout(limit) {
            let mut child = child.lock().unwrap_or_else(PoisonError::into_inner);
            let _ = child.kill();
        }
    });
    done
}

/// One JSON-RPC response.
#[derive(Debug)]
pub struct Response {
    pub id: u64,
    pub outcome: Result<Value, Value>,
}

impl Response {
    /// A JSON-RPC error or a tool error.
    pub fn failed(&self) -> bool {
        match &self.outcome {
            Ok(result) => is_tool_error(result),
            Err(_) => true,
        }
    }
}

pub fn is_tool_error(result: &Value) -> bool {
    result.get("isError").and_then(Value::as_bool) == Some(true)
}

fn excerpt(value: &Value) -> String {
    let text = value.to_string();
    text.chars().take(300).collect()
}
