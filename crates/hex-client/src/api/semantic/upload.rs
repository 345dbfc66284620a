//! The body of IngestSemanticProject: `multipart/form-data` with the zip archive as the `file`
//! part and the flags as text fields. Hex's description declares a JSON body of flags only and a
//! 415 answer, and never says how the archive travels; a multipart form is what such an upload
//! endpoint takes (docs/GUESSES.md, "semantic").

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

use super::IngestOptions;

/// The form field that carries the archive.
pub(crate) const FILE_FIELD: &str = "file";
/// The archive's file name in the form.
const FILE_NAME: &str = "semantic-project.zip";

/// A `multipart/form-data` body and its content type (with the boundary).
pub(crate) struct Multipart {
    pub(crate) content_type: String,
    pub(crate) body: Vec<u8>,
}

/// The flags first (servers that stream a form read fields before the file), then the archive.
pub(crate) fn ingest_form(archive: &[u8], options: &IngestOptions) -> Multipart {
    let boundary = boundary_absent_from(archive);
    let mut body = Vec::with_capacity(archive.len() + 600);
    let flags = [
        ("verbose", options.verbose),
        ("debug", options.debug),
        ("dryRun", options.dry_run),
    ];
    for (name, value) in flags {
        if let Some(value) = value {
            let header = format!("Content-Disposition: form-data; name=\"{name}\"");
            part(&mut body, &boundary, &header, value.to_string().as_bytes());
        }
    }
    let header = format!(
        "Content-Disposition: form-data; name=\"{FILE_FIELD}\"; filename=\"{FILE_NAME}\"\r\nContent-Type: application/zip"
    );
    part(&mut body, &boundary, &header, archive);
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Multipart {
        content_type: format!("multipart/form-data; boundary={boundary}"),
        body,
    }
}

fn part(body: &mut Vec<u8>, boundary: &str, headers: &str, content: &[u8]) {
    body.extend_from_slice(format!("--{boundary}\r\n{headers}\r\n\r\n").as_bytes());
    body.extend_from_slice(content);
    body.extend_from_slice(b"\r\n");
}

/// A random boundary that does not occur in the content (RFC 2046 requires it; 128 random bits
/// make a clash unlikely, and it is checked anyway).
fn boundary_absent_from(content: &[u8]) -> String {
    loop {
        let boundary = format!("hex-mcp-{:016x}{:016x}", random_u64(), random_u64());
        if !contains(content, boundary.as_bytes()) {
            return boundary;
        }
    }
}

/// std's per-process random hash keys, without a dependency on a random number crate.
fn random_u64() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write(b"hex-mcp multipart boundary");
    hasher.finish()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_carries_the_flags_then_the_archive() {
        let options = IngestOptions {
            verbose: Some(true),
            debug: None,
            dry_run: Some(false),
        };
        let form = ingest_form(b"PK\x03\x04zip bytes", &options);
        let boundary = form
            .content_type
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap();
        let text = String::from_utf8_lossy(&form.body);
        assert!(text.starts_with(&format!("--{boundary}\r\n")), "{text}");
        assert!(text.ends_with(&format!("--{boundary}--\r\n")), "{text}");
        assert!(text.contains("name=\"verbose\"\r\n\r\ntrue\r\n"), "{text}");
        assert!(text.contains("name=\"dryRun\"\r\n\r\nfalse\r\n"), "{text}");
        assert!(!text.contains("name=\"debug\""), "{text}");
        let file = text.find("name=\"file\"").unwrap();
        assert!(file > text.find("dryRun").unwrap());
        assert!(text.contains("Content-Type: application/zip\r\n\r\nPK\u{3}\u{4}zip bytes\r\n"));
    }

    #[test]
    fn boundaries_differ_and_never_occur_in_the_content() {
        let first = boundary_absent_from(b"");
        let second = boundary_absent_from(first.as_bytes());
        assert_ne!(first, second);
        assert!(first.len() > 30);
    }
}
