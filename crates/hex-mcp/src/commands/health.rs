//! `hex-mcp health`: the container's health check. One plain HTTP/1.1 GET of /healthz on the
//! local listener, with short timeouts; no client library is needed for a loopback probe.

use std::{
    io::{Read, Write},
    net::TcpStream,
    time::Duration,
};

use super::{exit, fail};
use crate::cli::HealthArgs;

const TIMEOUT: Duration = Duration::from_secs(2);

pub fn health(args: &HealthArgs) -> u8 {
    match probe(args) {
        Ok(()) => exit::OK,
        Err(error) => fail(exit::FAILED, format!("unhealthy: {error}")),
    }
}

fn probe(args: &HealthArgs) -> Result<(), String> {
    let mut stream = TcpStream::connect_timeout(&args.addr, TIMEOUT)
        .map_err(|error| format!("cannot connect to {}: {error}", args.addr))?;
    let io = |error: std::io::Error| format!("{}: {error}", args.addr);
    stream.set_read_timeout(Some(TIMEOUT)).map_err(io)?;
    stream.set_write_timeout(Some(TIMEOUT)).map_err(io)?;
    let request = format!(
        "GET /healthz HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        args.addr
    );
    stream.write_all(request.as_bytes()).map_err(io)?;
    let mut head = [0u8; 64];
    let read = stream.read(&mut head).map_err(io)?;
    let status_line = String::from_utf8_lossy(head.get(..read).unwrap_or_default());
    let status = status_line.split_whitespace().nth(1).unwrap_or("no answer");
    if status == "200" {
        Ok(())
    } else {
        Err(format!("/healthz on {} answered {status}", args.addr))
    }
}
