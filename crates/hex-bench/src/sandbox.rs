//! A standalone `hex-mcp sandbox` process on a free loopback port, stopped when dropped.

use std::{
    io::{BufRead, BufReader, Read},
    path::Path,
    process::{Child, Command, Stdio},
    sync::mpsc,
    thread,
    time::Duration,
};

use crate::error::BenchError;

/// The token the sandbox accepts (its default).
pub const TOKEN: &str = "sandbox-token";

/// How long seeding and binding may take (50,000 projects take about a second).
const START_LIMIT: Duration = Duration::from_secs(60);

pub struct SandboxProcess {
    child: Child,
    /// e.g. `http://127.0.0.1:40819/api/v1`.
    pub base_url: String,
    /// The flags it was started with, for the results table.
    pub flags: String,
}

impl SandboxProcess {
    /// Starts `<hex_mcp> sandbox --bind 127.0.0.1:0 <flags>` and waits for its URL.
    pub fn start(hex_mcp: &Path, flags: &[&str]) -> Result<SandboxProcess, BenchError> {
        let mut child = Command::new(hex_mcp)
            .args(["sandbox", "--bind", "127.0.0.1:0"])
            .args(flags)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| {
                BenchError::new(format!(
                    "cannot start {} sandbox: {error}",
                    hex_mcp.display()
                ))
            })?;
        let Some(stderr) = child.stderr.take() else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(BenchError::new("the sandbox's stderr is not a pipe"));
        };
        let (found, url) = mpsc::channel();
        thread::spawn(move || announce_url(stderr, &found));
        let flags = flags.join(" ");
        match url.recv_timeout(START_LIMIT) {
            Ok(base_url) => Ok(SandboxProcess {
                child,
                base_url,
                flags,
            }),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(BenchError::new(format!(
                    "the sandbox ({flags}) did not print its URL within {} s",
                    START_LIMIT.as_secs()
                )))
            }
        }
    }

    /// CPU time the sandbox has used so far, in seconds.
    pub fn cpu_seconds(&self) -> Result<f64, crate::error::BenchError> {
        crate::proc::cpu_seconds(self.child.id())
    }

    /// The environment that points a server at this sandbox.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("HEX_API_URL".into(), self.base_url.clone()),
            ("HEX_API_KEY".into(), TOKEN.into()),
        ]
    }

    /// The command line that starts an equivalent sandbox, for the results table.
    pub fn command_line(&self) -> String {
        format!("hex-mcp sandbox --bind 127.0.0.1:PORT {}", self.flags)
            .trim_end()
            .to_string()
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads stderr until "Hex API at <url>", sends the URL, then drains the rest so the sandbox
/// never blocks on a full pipe.
fn announce_url(stderr: impl Read, found: &mpsc::Sender<String>) {
    let mut lines = BufReader::new(stderr).lines();
    for line in lines.by_ref() {
        let Ok(line) = line else { return };
        if let Some((_, url)) = line.split_once("Hex API at ") {
            let _ = found.send(url.trim().to_string());
            break;
        }
    }
    for _ in lines {}
}
