//! Reading a `multipart/form-data` body (RFC 7578): the form IngestSemanticProject takes, with
//! the zip archive as its `file` part and the flags as text fields.

/// One part of a form.
pub(crate) struct Part<'a> {
    pub(crate) name: String,
    pub(crate) data: &'a [u8],
}

/// The boundary of a `multipart/form-data` content type, or `None` for any other type.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let mime = params.next()?.trim();
    if !mime.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params
        .filter_map(|param| param.split_once('='))
        .find(|(key, _)| key.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, value)| value.trim().trim_matches('"').to_owned())
        .filter(|boundary| !boundary.is_empty() && boundary.len() <= 70)
}

/// The parts of a form, or what is wrong with it.
pub(crate) fn parse<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, String> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let start = find(body, delimiter, 0).ok_or("no part starts with the boundary")?;
    let mut at = start + delimiter.len();
    let mut parts = Vec::new();
    loop {
        let rest = body.get(at..).unwrap_or_default();
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        if !rest.starts_with(b"\r\n") {
            return Err("a boundary is not followed by a line break".into());
        }
        let headers_start = at + 2;
        let headers_end =
            find(body, b"\r\n\r\n", headers_start).ok_or("a part's headers never end")?;
        let data_start = headers_end + 4;
        let closing = [b"\r\n".as_slice(), delimiter].concat();
        let data_end =
            find(body, &closing, data_start).ok_or("a part is not closed by the boundary")?;
        let headers =
            String::from_utf8_lossy(body.get(headers_start..headers_end).unwrap_or_default());
        parts.push(Part {
            name: field_name(&headers)?,
            data: body.get(data_start..data_end).unwrap_or_default(),
        });
        at = data_end + closing.len();
    }
}

/// `name` of a part's `Content-Disposition: form-data` header (a file part's `filename` is not
/// needed: the field name says what the part is).
fn field_name(headers: &str) -> Result<String, String> {
    let value = headers
        .split("\r\n")
        .filter_map(|line| line.split_once(':'))
        .find(|(key, _)| key.trim().eq_ignore_ascii_case("content-disposition"))
        .map(|(_, value)| value)
        .ok_or("a part has no Content-Disposition header")?;
    value
        .split(';')
        .filter_map(|param| param.split_once('='))
        .find(|(key, _)| key.trim().eq_ignore_ascii_case("name"))
        .map(|(_, value)| value.trim().trim_matches('"').to_owned())
        .ok_or_else(|| "a part has no name".to_owned())
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|at| at + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_files() {
        let body = b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"dryRun\"\r\n\r\ntrue\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.zip\"\r\nContent-Type: application/zip\r\n\r\nPK\r\n\x03\x04\r\n--XyZ--\r\n";
        let boundary = boundary("multipart/form-data; boundary=\"XyZ\"").unwrap();
        let parts = parse(body, &boundary).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(
            (parts[0].name.as_str(), parts[0].data),
            ("dryRun", &b"true"[..])
        );
        assert_eq!(parts[1].name, "file");
        assert_eq!(parts[1].data, b"PK\r\n\x03\x04");
    }

    #[test]
    fn refuses_other_types_and_broken_forms() {
        assert!(boundary("application/json").is_none());
        assert!(boundary("multipart/form-data").is_none());
        assert!(
            parse(
                b"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nno end",
                "b"
            )
            .is_err()
        );
        assert!(parse(b"--b\r\nX-Other: 1\r\n\r\nv\r\n--b--", "b").is_err());
        assert!(parse(b"nothing here", "b").is_err());
    }
}
