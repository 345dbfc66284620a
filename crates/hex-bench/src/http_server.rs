//! Our server on the HTTP transport (`hex-mcp run --transport http`) on a free loopback port,
//! killed when dropped.

use std::{
    io::{BufRead, BufReader},
    net::TcpListener,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex, PoisonError},
    thread,
    time::{Duration, Instant},
};

use crate::{error::BenchError, session::ServerSpec};

/// How long the server may take to answer `/healthz`.
const START_LIMIT: Duration = Duration::from_secs(30);

pub struct HttpServerProcess {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The server's last lines on stderr, to say why it failed.
    stderr: Arc<Mutex<Vec<String>>>,
}

impl HttpServerProcess {
    /// Starts `spec` (a `run` command) with `--transport http --bind 127.0.0.1:PORT` and waits
    /// for `/healthz` to answer. The port is picked here, so the server's log wording does
    /// not matter.
    pub async fn start(spec: &ServerSpec) -> Result<HttpServerProcess, BenchError> {
        let port = free_port()?;
        let bind = format!("127.0.0.1:{port}");
        let mut child = Command::new(&spec.program)
            .args(&spec.args)
            .args(["--transport", "http", "--bind", &bind])
            .envs(spec.env.iter().map(|(name, value)| (name, value)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| {
                BenchError::new(format!("cannot start {}: {error}", spec.program.display()))
            })?;
        let stderr = Arc::new(Mutex::new(Vec::new()));
        if let Some(pipe) = child.stderr.take() {
            let tail = Arc::clone(&stderr);
            // Drained so the server never blocks on a full pipe.
            thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    let mut tail = tail.lock().unwrap_or_else(PoisonError::into_inner);
                    if tail.len() >= 20 {
                        tail.remove(0);
                    }
                    tail.push(line);
                }
            });
        }
        let server = HttpServerProcess {
            child,
            base: format!("http://{bind}"),
            stderr,
        };
        server.wait_healthy().await?;
        Ok(server)
    }

    pub fn mcp_url(&self) -> String {
        format!("{}/mcp", self.base)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    async fn wait_healthy(&self) -> Result<(), BenchError> {
        let client = crate::http_mcp::http_client()?;
        let url = format!("{}/healthz", self.base);
        let deadline = Instant::now() + START_LIMIT;
        while Instant::now() < deadline {
            let answered = client
                .get(&url)
                .timeout(Duration::from_secs(1))
                .send()
                .await;
            if answered.is_ok_and(|response| response.status().is_success()) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Err(BenchError::new(format!(
            "the HTTP server did not answer {url} within {} s; its stderr: {}",
            START_LIMIT.as_secs(),
            self.stderr_tail()
        )))
    }

    pub fn stderr_tail(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .join(" / ")
    }
}

impl Drop for HttpServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nothing listens on now (the kernel's pick, released at once).
fn free_port() -> Result<u16, BenchError> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|error| BenchError::new(format!("cannot find a free port: {error}")))
}
