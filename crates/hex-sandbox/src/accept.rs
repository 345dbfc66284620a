//! The sandbox's accept loop: closes a connection right after accepting it when a test asked
//! for that ([`crate::Sandbox::close_next_connections`]), so the client's request is never read,
//! as when a connection to Hex breaks before the request is sent.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};

use crate::state::Shared;

pub(crate) struct ClosingListener {
    pub(crate) inner: TcpListener,
    pub(crate) shared: Arc<Shared>,
}

impl axum::serve::Listener for ClosingListener {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, addr)) => {
                    if self.shared.faults.take_close_at_accept() {
                        tracing::debug!(%addr, "sandbox closed a connection at accept");
                        drop(stream);
                        continue;
                    }
                    return (stream, addr);
                }
                // Out of file descriptors and the like: wait a little, as axum's own loop does.
                Err(error) => {
                    tracing::debug!(%error, "sandbox accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}
