//! Secret values in request bodies (connection passwords, private keys, tokens).
//!
//! A [`Secret`] prints `[REDACTED]` in `Debug`, and serialises as `"[REDACTED]"` too, except while the
//! transport writes a request body. So a caller that logs or echoes a request (a dry-run preview,
//! an error report) cannot leak the value by accident: only the bytes sent to Hex carry it.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::{Serialize, Serializer};

/// What a secret looks like anywhere but in the request body.
pub const REDACTED: &str = "[REDACTED]";

thread_local! {
    /// Set only while [`to_request_body`] serialises, on this thread. Serialisation is synchronous,
    /// so no other code can observe the flag while it is set.
    static EXPOSE_SECRETS: Cell<bool> = const { Cell::new(false) };
    /// Every secret written into the body being serialised, so the transport can remove them
    /// from whatever Hex answers (an error that echoes the request, say).
    static EXPOSED: RefCell<Vec<Secret>> = const { RefCell::new(Vec::new()) };
}

/// A secret string for a request body. Read types never hold one: Hex does not return secrets.
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    /// The real value, for code that must hand it on deliberately.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<SecretString> for Secret {
    fn from(value: SecretString) -> Self {
        Self(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if EXPOSE_SECRETS.with(Cell::get) {
            EXPOSED.with(|exposed| exposed.borrow_mut().push(self.clone()));
            serializer.serialize_str(self.expose())
        } else {
            serializer.serialize_str(REDACTED)
        }
    }
}

/// Resets the flag even if serialisation panics.
struct ExposeGuard;

impl Drop for ExposeGuard {
    fn drop(&mut self) {
        EXPOSE_SECRETS.with(|flag| flag.set(false));
        EXPOSED.with(|exposed| exposed.borrow_mut().clear());
    }
}

/// Serialises a request body with real secret values. Only the transport calls this; it gets
/// the secrets the body carries too, to [`scrub`] them from the answer.
pub(crate) fn to_request_body<T: Serialize + ?Sized>(
    body: &T,
) -> serde_json::Result<(Vec<u8>, Vec<Secret>)> {
    EXPOSE_SECRETS.with(|flag| flag.set(true));
    EXPOSED.with(|exposed| exposed.borrow_mut().clear());
    let _guard = ExposeGuard;
    let bytes = serde_json::to_vec(body)?;
    let secrets = EXPOSED.with(|exposed| std::mem::take(&mut *exposed.borrow_mut()));
    Ok((bytes, secrets))
}

/// `body` with every occurrence of each secret replaced by [`REDACTED`]: as sent, JSON-escaped
/// (a value quoted inside a JSON string), and escaped twice (a request quoted as text inside an
/// error's JSON string). Hex's error text is passed on to the model and to logs, and some
/// answers echo the request, so nothing the request carried in a secret field may come back.
pub(crate) fn scrub<'a>(body: &'a [u8], secrets: &[Secret]) -> Cow<'a, [u8]> {
    let mut out = Cow::Borrowed(body);
    for secret in secrets {
        let raw = secret.expose();
        if raw.is_empty() {
            continue;
        }
        let once = json_escaped(raw);
        let twice = json_escaped(&once);
        // Longest first: the escaped forms contain pieces of the raw one.
        for form in [twice.as_str(), once.as_str(), raw] {
            if let Some(replaced) = replace_all(&out, form.as_bytes(), REDACTED.as_bytes()) {
                out = Cow::Owned(replaced);
            }
        }
    }
    out
}

/// A string as it appears between the quotes of a JSON string.
fn json_escaped(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    quoted
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or(text)
        .to_owned()
}

/// `haystack` with every `needle` replaced, or `None` when there is none.
fn replace_all(haystack: &[u8], needle: &[u8], with: &[u8]) -> Option<Vec<u8>> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    let mut found = false;
    while let Some(at) = rest
        .windows(needle.len())
        .position(|window| window == needle)
    {
        found = true;
        let (before, after) = rest.split_at(at);
        out.extend_from_slice(before);
        out.extend_from_slice(with);
        rest = after.get(needle.len()..).unwrap_or_default();
    }
    out.extend_from_slice(rest);
    found.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Body {
        password: Secret,
    }

    #[test]
    fn debug_and_ordinary_serialisation_redact() {
        let body = Body {
            password: Secret::new("hunter2"),
        };
        assert_eq!(format!("{:?}", body.password), "[REDACTED]");
        let json = serde_json::to_string(&body).unwrap();
        assert_eq!(json, r#"{"password":"[REDACTED]"}"#);
    }

    #[test]
    fn request_body_carries_the_real_value_and_resets() {
        let body = Body {
            password: Secret::new("hunter2"),
        };
        let (bytes, secrets) = to_request_body(&body).unwrap();
        assert_eq!(bytes, br#"{"password":"hunter2"}"#);
        assert_eq!(secrets.len(), 1);
        // The flag is off again afterwards.
        assert!(!serde_json::to_string(&body).unwrap().contains("hunter2"));
    }

    #[test]
    fn scrub_removes_every_form_of_each_secret() {
        let secrets = [Secret::new("p\"w\nd"), Secret::new("hunter2")];
        let raw = "p\"w\nd";
        let once = json_escaped(raw);
        let twice = json_escaped(&once);
        let body = format!("{raw} {once} {twice} hunter2 and hunter2 hunter");
        let scrubbed = scrub(body.as_bytes(), &secrets);
        let text = String::from_utf8_lossy(&scrubbed);
        assert_eq!(
            text,
            "[REDACTED] [REDACTED] [REDACTED] [REDACTED] and [REDACTED] hunter"
        );
        assert!(matches!(scrub(b"nothing here", &secrets), Cow::Borrowed(_)));
    }
}
