//! Normalises and checks the base URL, so the token only ever goes to `https://<host>/…/api/v1`
//! (or to plain http on loopback, for the sandbox).

use std::net::IpAddr;

use url::{Host, Url};

use crate::error::HexError;

/// Hex's multi-tenant US host.
pub const DEFAULT_BASE_URL: &str = "https://app.hex.tech/api/v1";

/// Accepts `https://<host>`, `https://<host>/api`, `https://<host>/api/v1` (any trailing slash) and
/// returns the URL ending in `/api/v1`. Refuses a doubled `/v1`, other paths, query strings,
/// fragments, credentials in the URL, and plain http to anything but loopback.
pub(crate) fn normalise(raw: &str) -> Result<Url, HexError> {
    let trimmed = raw.trim();
    let refuse = |reason: &str| HexError::InvalidBaseUrl {
        url: redact_userinfo(trimmed),
        reason: reason.to_owned(),
    };
    let mut url = Url::parse(trimmed)
        .map_err(|e| refuse(&format!("{e}; expected e.g. {DEFAULT_BASE_URL}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse(
            "credentials in the URL are not allowed; pass the token separately",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(refuse("a query string or fragment is not allowed"));
    }
    let host = url.host().ok_or_else(|| refuse("the URL has no host"))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&host) => {}
        "http" => {
            return Err(refuse(
                "https is required (plain http is allowed only for 127.0.0.1, ::1 and localhost)",
            ));
        }
        _ => return Err(refuse("the scheme must be https")),
    }
    let path = url.path().trim_end_matches('/').to_owned();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segments.windows(2).any(|w| matches!(w, ["v1", "v1"])) {
        return Err(refuse(
            "the path doubles /v1; give the base ending in /api/v1",
        ));
    }
    let full = match segments.as_slice() {
        [] => "/api/v1".to_owned(),
        [.., "api"] => format!("{path}/v1"),
        [.., "api", "v1"] => path.clone(),
        _ => {
            return Err(refuse(
                "the path must be empty, /api or /api/v1 (e.g. https://acme.hex.tech/api/v1)",
            ));
        }
    };
    if segments.iter().filter(|s| **s == "v1").count() > 1 || full.matches("/api/").count() > 1 {
        return Err(refuse("the path repeats the /api/v1 prefix"));
    }
    url.set_path(&full);
    Ok(url)
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

/// Drops a `user:password@` part from a URL that failed to parse or was refused, for the message.
fn redact_userinfo(raw: &str) -> String {
    match (raw.find("://"), raw.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let (scheme, rest) = raw.split_at(scheme_end + 3);
            let host_and_path = rest.get(at - scheme_end - 3 + 1..).unwrap_or_default();
            format!("{scheme}[REDACTED]@{host_and_path}")
        }
        _ => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(raw: &str) -> String {
        normalise(raw).unwrap().to_string()
    }

    fn refused(raw: &str) -> String {
        match normalise(raw) {
            Err(HexError::InvalidBaseUrl { reason, .. }) => reason,
            other => panic!("expected a refusal for {raw}, got {other:?}"),
        }
    }

    #[test]
    fn accepts_hosts_and_prefixes_and_normalises() {
        assert_eq!(ok(DEFAULT_BASE_URL), "https://app.hex.tech/api/v1");
        assert_eq!(
            ok("https://app.hex.tech/api/v1/"),
            "https://app.hex.tech/api/v1"
        );
        assert_eq!(
            ok("https://eu.hex.tech/api/v1"),
            "https://eu.hex.tech/api/v1"
        );
        assert_eq!(ok("https://acme.hex.tech"), "https://acme.hex.tech/api/v1");
        assert_eq!(ok("https://acme.hex.tech/"), "https://acme.hex.tech/api/v1");
        assert_eq!(
            ok("https://acme.hex.tech/api"),
            "https://acme.hex.tech/api/v1"
        );
        assert_eq!(
            ok("https://acme.hex.tech/api/"),
            "https://acme.hex.tech/api/v1"
        );
        assert_eq!(
            ok(" https://hex.internal.example/proxy/api/v1 "),
            "https://hex.internal.example/proxy/api/v1"
        );
    }

    #[test]
    fn http_only_on_loopback() {
        assert_eq!(
            ok("http://127.0.0.1:8766/api/v1"),
            "http://127.0.0.1:8766/api/v1"
        );
        assert_eq!(ok("http://[::1]:8766"), "http://[::1]:8766/api/v1");
        assert_eq!(
            ok("http://localhost:8766/api"),
            "http://localhost:8766/api/v1"
        );
        assert!(refused("http://app.hex.tech/api/v1").contains("https is required"));
        assert!(refused("http://10.0.0.1/api/v1").contains("https is required"));
        assert!(refused("ftp://app.hex.tech/api/v1").contains("scheme"));
    }

    #[test]
    fn refuses_doubled_or_foreign_paths() {
        assert!(refused("https://app.hex.tech/api/v1/v1").contains("doubles /v1"));
        assert!(refused("https://app.hex.tech/api/v1/v1/").contains("doubles /v1"));
        assert!(refused("https://app.hex.tech/api/v1/api/v1").contains("repeats"));
        assert!(refused("https://app.hex.tech/v1").contains("must be empty"));
        assert!(refused("https://app.hex.tech/api/v1/projects").contains("must be empty"));
        assert!(refused("https://app.hex.tech/api/v1?x=1").contains("query"));
        assert!(refused("not a url").contains("expected e.g."));
    }

    #[test]
    fn refuses_credentials_without_echoing_them() {
        let err = normalise("https://me:s3cret@app.hex.tech/api/v1").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("credentials"), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
    }
}
