//! What the shell commands print on stdout, written so that a reader that goes away
//! (`hex-mcp call … | head -c 300`) or a stdout that cannot take the output (`> /dev/full`)
//! ends the command with [`exit::OUTPUT`] instead of a panic: `println!` panics on any write
//! error, and Rust ignores SIGPIPE, so a closed pipe is an `EPIPE` error on the next write.

use std::io::{ErrorKind, Write};

use super::exit;

/// A locked stdout that remembers its first write error; later writes are skipped.
pub struct Stdout {
    lock: std::io::StdoutLock<'static>,
    error: Option<std::io::Error>,
}

impl Stdout {
    pub fn new() -> Self {
        Self {
            lock: std::io::stdout().lock(),
            error: None,
        }
    }

    /// Writes `text` as is.
    pub fn text(&mut self, text: &str) {
        if self.error.is_none()
            && let Err(error) = self.lock.write_all(text.as_bytes())
        {
            self.error = Some(error);
        }
    }

    /// Writes `text` and a newline.
    pub fn line(&mut self, text: &str) {
        self.text(text);
        self.text("\n");
    }

    /// Whether everything so far was written (a command can stop early when not).
    pub fn is_open(&self) -> bool {
        self.error.is_none()
    }

    /// Flushes, and returns `code` if all output was written, else [`exit::OUTPUT`]: quietly
    /// when the reader closed the pipe (it asked for no more), with the reason on stderr
    /// otherwise.
    pub fn finish(mut self, code: u8) -> u8 {
        if self.error.is_none()
            && let Err(error) = self.lock.flush()
        {
            self.error = Some(error);
        }
        match self.error {
            None => code,
            Some(error) if error.kind() == ErrorKind::BrokenPipe => exit::OUTPUT,
            Some(error) => super::fail(exit::OUTPUT, format!("cannot write the output: {error}")),
        }
    }
}

impl Default for Stdout {
    fn default() -> Self {
        Self::new()
    }
}
