//! MCP over stdin/stdout. Only protocol messages go to stdout; logs go to stderr.
//!
//! rmcp's own stdio transport ignores a line that is not JSON (or not UTF-8) and answers a line
//! that is JSON but no JSON-RPC message with an error that has no `id` at all. JSON-RPC 2.0 asks
//! for `-32700` (parse error) and `-32600` (invalid request), each with `"id": null` when the id
//! cannot be read, so this transport reads the lines itself and answers those; every reply
//! (rmcp's and its own) goes through one writer, one whole line at a time.

use std::sync::Arc;

use rmcp::{
    RoleServer, ServiceExt,
    service::{RxJsonRpcMessage, TxJsonRpcMessage},
    transport::Transport,
};
use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader},
    sync::Mutex,
};

use crate::server::HexServer;

/// The longest line read; longer ones are dropped (as rmcp does), so a runaway client cannot
/// make the server buffer without bound, and answered with `-32600`. 16 MiB, rmcp's default.
const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;

pub async fn serve(server: HexServer) -> Result<(), String> {
    // When stdin and stdout are pipes (as MCP clients start servers), drive them from the IO
    // reactor: tokio's Stdin/Stdout hand every read and write to the blocking thread pool, and
    // those thread hand-offs (about 15 futex calls per message) cost more CPU than the call
    // itself. Anything else (a terminal, a file) falls back to the blocking handles.
    let (stdin, stdout) = rmcp::transport::stdio_pipes();
    let running = server
        .serve(LineTransport::new(stdin, stdout))
        .await
        .map_err(|error| format!("could not start the MCP session: {error}"))?;
    running
        .waiting()
        .await
        .map(|_| ())
        .map_err(|error| format!("the MCP session ended with an error: {error}"))
}

/// Newline-delimited JSON-RPC over a reader and a writer, answering malformed lines itself.
pub struct LineTransport<R, W> {
    read: BufReader<R>,
    /// The line being read; kept across cancelled reads (`receive` runs inside a `select!`).
    line: Vec<u8>,
    /// Set while the rest of an oversized line is skipped.
    discarding: bool,
    /// The one writer of stdout: `None` once closed.
    write: Arc<Mutex<Option<W>>>,
}

/// What one bounded line read gave.
enum LineRead {
    Line,
    Oversized,
    End,
}

impl<R, W> LineTransport<R, W>
where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send + 'static,
{
    pub fn new(read: R, write: W) -> Self {
        LineTransport {
            read: BufReader::new(read),
            line: Vec::new(),
            discarding: false,
            write: Arc::new(Mutex::new(Some(write))),
        }
    }

    /// Reads up to a newline into `self.line`, never holding more than [`MAX_LINE_BYTES`].
    /// Cancel-safe: nothing is consumed from the reader without being kept in `self.line`.
    async fn read_line(&mut self) -> LineRead {
        loop {
            let available = match self.read.fill_buf().await {
                Ok([]) => return LineRead::End,
                Ok(available) => available,
                Err(error) => {
                    tracing::error!("reading stdin failed: {error}");
                    return LineRead::End;
                }
            };
            let newline = available.iter().position(|byte| *byte == b'\n');
            let take = newline.map_or(available.len(), |at| at + 1);
            let oversized =
                !self.discarding && self.line.len().saturating_add(take) > MAX_LINE_BYTES;
            if !self.discarding && !oversized {
                self.line
                    .extend_from_slice(available.get(..take).unwrap_or_default());
            }
            self.read.consume(take);
            if oversized {
                self.line.clear();
                self.discarding = newline.is_none();
                tracing::error!("a message longer than {MAX_LINE_BYTES} bytes was dropped");
                return LineRead::Oversized;
            }
            if newline.is_some() {
                if self.discarding {
                    self.discarding = false;
                    continue;
                }
                return LineRead::Line;
            }
        }
    }
}

/// Writes one whole line under the writer's lock, so replies never interleave.
async fn write_line<W: AsyncWrite + Unpin>(
    write: &Mutex<Option<W>>,
    mut bytes: Vec<u8>,
) -> std::io::Result<()> {
    bytes.push(b'\n');
    let mut guard = write.lock().await;
    let Some(out) = guard.as_mut() else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotConnected,
            "stdout is closed",
        ));
    };
    out.write_all(&bytes).await?;
    out.flush().await
}

/// A line classified: a message for rmcp, a reply to send back, or nothing to do.
enum Classified {
    Message(Box<RxJsonRpcMessage<RoleServer>>),
    Reply(Value),
    Ignore,
}

fn classify(line: &[u8]) -> Classified {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return Classified::Ignore;
    }
    let value: Value = match serde_json::from_slice(line) {
        Ok(value) => value,
        Err(error) => {
            tracing::debug!("unparsable line on stdin: {error}");
            return Classified::Reply(error_reply(
                Value::Null,
                PARSE_ERROR,
                "Parse error: the line is not valid UTF-8 JSON",
            ));
        }
    };
    match serde_json::from_value::<RxJsonRpcMessage<RoleServer>>(value.clone()) {
        Ok(message) => Classified::Message(Box::new(message)),
        Err(error) if is_ignorable_notification(&value) => {
            tracing::trace!("ignoring a notification this server does not know: {error}");
            Classified::Ignore
        }
        Err(error) => {
            tracing::debug!("invalid JSON-RPC message on stdin: {error}");
            Classified::Reply(error_reply(
                readable_id(&value),
                INVALID_REQUEST,
                "Invalid Request: not a JSON-RPC 2.0 message this server accepts",
            ))
        }
    }
}

/// Notifications get no answer, even a malformed one (JSON-RPC 2.0 §4.1): rmcp ignores those it
/// cannot read, and so do we.
fn is_ignorable_notification(value: &Value) -> bool {
    value.get("id").is_none() && value.get("method").is_some_and(Value::is_string)
}

/// The request's id when it is one JSON-RPC allows (a string or a number), else `null`.
fn readable_id(value: &Value) -> Value {
    match value.get("id") {
        Some(id @ (Value::String(_) | Value::Number(_))) => id.clone(),
        _ => Value::Null,
    }
}

fn error_reply(id: Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

impl<R, W> Transport<RoleServer> for LineTransport<R, W>
where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send + 'static,
{
    type Error = std::io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let write = self.write.clone();
        async move {
            let bytes = serde_json::to_vec(&item)?;
            write_line(&write, bytes).await
        }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleServer>> {
        loop {
            let classified = match self.read_line().await {
                LineRead::End => return None,
                // Its id cannot be read, but a client waiting for an answer must hear one.
                LineRead::Oversized => Classified::Reply(error_reply(
                    Value::Null,
                    INVALID_REQUEST,
                    "Invalid Request: the message is longer than 16 MiB and was dropped",
                )),
                LineRead::Line => {
                    let classified = classify(&self.line);
                    self.line.clear();
                    classified
                }
            };
            match classified {
                Classified::Message(message) => return Some(*message),
                Classified::Ignore => {}
                Classified::Reply(reply) => {
                    // Written by a task of its own: `receive` can be cancelled, and a reply cut
                    // off half-way would leave a partial line for rmcp's next one to follow.
                    let write = self.write.clone();
                    let bytes = reply.to_string().into_bytes();
                    let written =
                        tokio::spawn(async move { write_line(&write, bytes).await }).await;
                    if !matches!(written, Ok(Ok(()))) {
                        return None;
                    }
                }
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        let mut guard = self.write.lock().await;
        if let Some(mut out) = guard.take() {
            out.shutdown().await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_lines_get_json_rpc_errors_with_null_ids() {
        let reply = |line: &[u8]| match classify(line) {
            Classified::Reply(reply) => reply,
            _ => Value::Null,
        };
        assert_eq!(reply(b"{not json\n")["error"]["code"], PARSE_ERROR);
        assert_eq!(reply(b"\xff\xfe\n")["id"], Value::Null);
        assert_eq!(reply(b"[]\n")["error"]["code"], INVALID_REQUEST);
        assert_eq!(reply(br#"{"jsonrpc":"2.0","id":7}"#)["id"], 7);
        assert!(matches!(classify(b"  \r\n"), Classified::Ignore));
    }
}
