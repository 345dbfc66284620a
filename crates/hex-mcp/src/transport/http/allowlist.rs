//! The Host and Origin allowlists' vocabulary: authorities as `Host` headers and entries give
//! them, and browser origins with the scheme's default port filled in.

/// A host and optional port, as a `Host` header or an allowlist entry gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Authority {
    host: String,
    port: Option<u16>,
}

impl Authority {
    pub(super) fn parse(text: &str) -> Option<Authority> {
        let text = text.trim();
        let (host, port) = if let Some(rest) = text.strip_prefix('[') {
            let (host, after) = rest.split_once(']')?;
            let port = match after.strip_prefix(':') {
                Some(port) => Some(port.parse().ok()?),
                None if after.is_empty() => None,
                None => return None,
            };
            (host, port)
        } else {
            match text.rsplit_once(':') {
                // A bare IPv6 address has several colons and no port.
                Some((host, port)) if !host.contains(':') => (host, Some(port.parse().ok()?)),
                _ => (text, None),
            }
        };
        if host.is_empty() || host.contains(['/', '@', ' ']) {
            return None;
        }
        Some(Authority {
            host: host.to_ascii_lowercase(),
            port,
        })
    }
}

/// An allowlisted host: a name matches it on any port, `name:port` on that port only.
#[derive(Debug, Clone)]
pub(super) struct HostEntry(Authority);

impl HostEntry {
    pub(super) fn parse(text: &str) -> Result<HostEntry, String> {
        Authority::parse(text).map(HostEntry).ok_or_else(|| {
            format!(
                "--allowed-hosts: `{text}` is not a host name; write it as name or name:port, \
                 e.g. mcp.example.com"
            )
        })
    }

    pub(super) fn matches(&self, host: &Authority) -> bool {
        self.0.host == host.host && self.0.port.is_none_or(|port| Some(port) == host.port)
    }
}

/// A browser origin, `scheme://host:port` with the scheme's default port filled in; an
/// allowlist entry may say `:*` for any port, and `null` is the opaque origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Origin {
    scheme: String,
    host: String,
    /// `None`: any port (an allowlist entry's `:*`), or the opaque origin.
    port: Option<u16>,
}

impl Origin {
    pub(super) fn parse(text: &str) -> Option<Origin> {
        let text = text.trim();
        if text == "null" {
            return Some(Origin {
                scheme: "null".into(),
                host: String::new(),
                port: None,
            });
        }
        let (scheme, rest) = text.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return None,
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let (authority, any_port) = match rest.strip_suffix(":*") {
            Some(authority) => (authority, true),
            None => (rest, false),
        };
        let authority = Authority::parse(authority)?;
        let port = if any_port {
            None
        } else {
            Some(authority.port.unwrap_or(default_port))
        };
        Some(Origin {
            scheme,
            host: authority.host,
            port,
        })
    }

    /// Whether this origin is the one of `host` (a `Host` header without a port is the
    /// scheme's default port, as behind a TLS-terminating proxy).
    pub(super) fn is_host(&self, host: &Authority) -> bool {
        let default_port = match self.scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return false,
        };
        self.host == host.host && self.port == Some(host.port.unwrap_or(default_port))
    }

    /// Whether this allowlist entry lets `origin` in.
    pub(super) fn allows(&self, origin: &Origin) -> bool {
        self.scheme == origin.scheme
            && self.host == origin.host
            && (self.port.is_none() || self.port == origin.port)
    }
}
