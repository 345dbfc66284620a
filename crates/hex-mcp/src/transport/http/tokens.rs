//! Inbound bearer tokens for the HTTP transport: who may call this server. They are not the Hex
//! API token (that one never comes from, nor goes to, an MCP client).

use std::path::Path;

use sha2::{Digest, Sha256};
use subtle::{Choice, ConstantTimeEq};

/// The environment variable that holds the inbound tokens (comma- or space-separated).
pub const ENV_HTTP_TOKEN: &str = "HEX_MCP_HTTP_TOKEN";

/// Below this length a token is guessable; it still works, with a warning at start-up.
const SHORT_TOKEN: usize = 16;

/// The accepted tokens, kept only as SHA-256 digests: comparing digests takes the same time
/// whatever the presented token's length, and the tokens themselves stay out of memory dumps and
/// `Debug` output.
#[derive(Clone, Default)]
pub struct InboundTokens {
    digests: Vec<[u8; 32]>,
    short: usize,
}

impl std::fmt::Debug for InboundTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "InboundTokens({} configured)", self.digests.len())
    }
}

impl InboundTokens {
    /// Tokens from `HEX_MCP_HTTP_TOKEN` (its value given as `env`) and from `--http-token-file`
    /// (one per line; blank lines and `#` comments skipped). Several tokens let an operator
    /// rotate them without downtime. Errors never quote the file's content.
    pub fn load(env: Option<&str>, file: Option<&Path>) -> Result<InboundTokens, String> {
        let mut tokens = InboundTokens::default();
        if let Some(value) = env {
            for token in value.split([',', ' ', '\t', '\n', '\r']) {
                tokens.add(token);
            }
        }
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|error| {
                format!("cannot read --http-token-file {}: {error}", path.display())
            })?;
            let before = tokens.len();
            for line in text.lines() {
                let line = line.trim();
                if !line.starts_with('#') {
                    tokens.add(line);
                }
            }
            if tokens.len() == before {
                return Err(format!(
                    "--http-token-file {} holds no token: write one per line",
                    path.display()
                ));
            }
        }
        Ok(tokens)
    }

    fn add(&mut self, token: &str) {
        let token = token.trim();
        if token.is_empty() {
            return;
        }
        if token.len() < SHORT_TOKEN {
            self.short += 1;
        }
        self.digests.push(Sha256::digest(token.as_bytes()).into());
    }

    pub fn len(&self) -> usize {
        self.digests.len()
    }

    pub fn is_empty(&self) -> bool {
        self.digests.is_empty()
    }

    /// How many configured tokens are shorter than 16 characters.
    pub fn short(&self) -> usize {
        self.short
    }

    /// Which configured token `presented` is (its position), if any. Every configured token is
    /// compared, in constant time, whichever matches.
    pub fn which(&self, presented: &str) -> Option<usize> {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let matches: Vec<Choice> = self
            .digests
            .iter()
            .map(|known| known.ct_eq(&digest))
            .collect();
        matches.into_iter().position(bool::from)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn accepts_every_configured_token_and_nothing_else() {
        let tokens = InboundTokens::load(
            Some("first-token-0123456789, second-token-0123456789"),
            None,
        )
        .unwrap();
        assert_eq!(tokens.len(), 2);
        assert!(tokens.which("first-token-0123456789").is_some());
        assert!(tokens.which("second-token-0123456789").is_some());
        assert!(tokens.which("first-token-012345678").is_none());
        assert!(tokens.which("").is_none());
        assert_eq!(tokens.which("second-token-0123456789"), Some(1));
        assert_eq!(tokens.short(), 0);
    }

    #[test]
    fn no_tokens_accept_nothing() {
        let tokens = InboundTokens::load(Some("  , "), None).unwrap();
        assert!(tokens.is_empty());
        assert!(tokens.which("").is_none());
    }

    #[test]
    fn reads_a_file_with_comments_and_never_quotes_it() {
        let dir = std::env::temp_dir().join(format!("hex-mcp-tokens-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("tokens");
        std::fs::write(&file, "# rotated 2026-11\nnew-token-abcdefghijkl\n\nold\n").unwrap();
        let tokens = InboundTokens::load(None, Some(&file)).unwrap();
        assert_eq!(tokens.len(), 2);
        assert_eq!(tokens.short(), 1);
        assert!(tokens.which("old").is_some());
        assert!(!format!("{tokens:?}").contains("old"));

        std::fs::write(&file, "# nothing here\n\n").unwrap();
        let error = InboundTokens::load(None, Some(&file)).unwrap_err();
        assert!(error.contains("holds no token"), "{error}");
        let missing = InboundTokens::load(None, Some(&dir.join("missing"))).unwrap_err();
        assert!(
            missing.contains("cannot read --http-token-file"),
            "{missing}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
