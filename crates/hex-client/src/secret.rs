//! Secret values in request bodies (connection passwords, private keys, tokens).
//!
//! A [`Secret`] prints `[REDACTED]` in `Debug`, and serialises as `"[REDACTED]"` too, except while the
//! transport writes a request body. So a caller that logs or echoes a request (a dry-run preview,
//! an error report) cannot leak the value by accident: only the bytes sent to Hex carry it.

use std::cell::Cell;
use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::{Serialize, Serializer};

/// What a secret looks like anywhere but in the request body.
pub const REDACTED: &str = "[REDACTED]";

thread_local! {
    /// Set only while [`to_request_body`] serialises, on this thread. Serialisation is synchronous,
    /// so no other code can observe the flag while it is set.
    static EXPOSE_SECRETS: Cell<bool> = const { Cell::new(false) };
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
    }
}

/// Serialises a request body with real secret values. Only the transport calls this.
pub(crate) fn to_request_body<T: Serialize + ?Sized>(body: &T) -> serde_json::Result<Vec<u8>> {
    EXPOSE_SECRETS.with(|flag| flag.set(true));
    let _guard = ExposeGuard;
    serde_json::to_vec(body)
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
        let bytes = to_request_body(&body).unwrap();
        assert_eq!(bytes, br#"{"password":"hunter2"}"#);
        // The flag is off again afterwards.
        assert!(!serde_json::to_string(&body).unwrap().contains("hunter2"));
    }
}
