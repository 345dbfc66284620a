//! A real `redis-server` for tests (the Debian package): a child process on loopback, on a free
//! port, persisting nothing, killed when dropped. Shared by hex-client's and hex-mcp's tests
//! (`#[path]`-included), so both test against the Redis that production runs, not a mock.

#![allow(dead_code)] // Each test binary uses part of it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `redis-server`; stopped on drop.
pub struct RedisServer {
    child: Child,
    port: u16,
    extra: Vec<String>,
}

impl RedisServer {
    /// Starts `redis-server` with no extra options.
    pub fn start() -> RedisServer {
        RedisServer::start_with(&[])
    }

    /// Starts `redis-server` with extra options (e.g. `["--requirepass", "pw"]`) and waits until
    /// it answers. Fails the test, saying what to install, when `redis-server` is not on PATH.
    pub fn start_with(extra: &[&str]) -> RedisServer {
        let port = free_port();
        let extra: Vec<String> = extra.iter().map(|arg| arg.to_string()).collect();
        let server = RedisServer {
            child: spawn(port, &extra),
            port,
            extra,
        };
        server.wait_until_ready();
        server
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Stops the server now (a store going down mid-run).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts it again on the same port, empty (Redis coming back after a restart).
    pub fn restart(&mut self) {
        self.stop();
        self.child = spawn(self.port, &self.extra);
        self.wait_until_ready();
    }

    /// Polls with PING until the server answers (any answer: with a password it is NOAUTH).
    fn wait_until_ready(&self) {
        let needs_auth = self.extra.iter().any(|arg| arg == "--requirepass");
        let expected = if needs_auth { "-NOAUTH" } else { "+PONG" };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(answer) = ping(self.port) {
                assert!(
                    answer.starts_with(expected),
                    "redis-server answered {answer:?}"
                );
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "redis-server did not answer PING on port {} within 10 s",
            self.port
        );
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn spawn(port: u16, extra: &[String]) -> Child {
    let spawned = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    match spawned {
        Ok(child) => child,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => panic!(
            "redis-server is not on PATH: install it (apt-get install redis-server); \
             .ci/run does so on CI"
        ),
        Err(error) => panic!("cannot start redis-server: {error}"),
    }
}

/// A port nobody listens on right now (the OS picks it; the race until Redis binds is harmless
/// on a test machine).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .unwrap()
}

fn ping(port: u16) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(1))).ok()?;
    stream.write_all(b"PING\r\n").ok()?;
    let mut buf = [0u8; 128];
    let n = stream.read(&mut buf).ok()?;
    Some(String::from_utf8_lossy(buf.get(..n)?).into_owned())
}
