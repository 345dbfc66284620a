//! Bearer-token check, as Hex does on every route.

use axum::http::{HeaderMap, header};

use crate::errors::ApiError;

/// Checks `Authorization: Bearer <token>` against the configured token. The token itself never
/// appears in an error or a log line.
pub(crate) fn check(headers: &HeaderMap, token: &str) -> Result<(), ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(ApiError::unauthorized("Authorization not provided"));
    };
    let presented = value
        .to_str()
        .ok()
        .and_then(|text| {
            let (scheme, rest) = text.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        })
        .ok_or_else(|| ApiError::unauthorized("Authorization must be a Bearer token"))?;
    if constant_time_eq(presented.as_bytes(), token.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::unauthorized("Invalid API token"))
    }
}

/// Compares without an early exit, so timing does not reveal how much of a token matched.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A key for per-token accounting (rate limits) that is not the token itself.
pub(crate) fn token_key(headers: &HeaderMap) -> u64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut hasher = DefaultHasher::new();
    headers
        .get(header::AUTHORIZATION)
        .map(|value| value.as_bytes())
        .unwrap_or_default()
        .hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        map
    }

    #[test]
    fn accepts_only_the_configured_bearer_token() {
        assert!(check(&headers("Bearer secret"), "secret").is_ok());
        assert!(check(&headers("bearer secret"), "secret").is_ok());
        assert!(check(&headers("Bearer secreT"), "secret").is_err());
        assert!(check(&headers("Basic secret"), "secret").is_err());
        assert!(check(&HeaderMap::new(), "secret").is_err());
    }
}
