//! Reading requests the way Hex validates them: query parameters, ids and JSON bodies, each
//! failure a Hex-shaped 400 that names the parameter.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::errors::ApiError;
use crate::pagination::{PageRequest, Position};

/// The query string, decoded, keeping repeated keys.
pub(crate) struct Query(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Query {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(Query::parse(parts.uri.query().unwrap_or_default()))
    }
}

impl Query {
    pub(crate) fn parse(raw: &str) -> Self {
        let pairs = raw
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (percent_decode(key), percent_decode(value))
            })
            .collect();
        Query(pairs)
    }

    /// The last non-empty value of a parameter (an empty value counts as absent).
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(key, value)| key == name && !value.is_empty())
            .map(|(_, value)| value.as_str())
    }

    /// An array parameter: repeated keys (`a=x&a=y`, `a[]=x`) and comma-separated values both work.
    pub(crate) fn list(&self, name: &str) -> Vec<String> {
        let bracketed = format!("{name}[]");
        self.0
            .iter()
            .filter(|(key, _)| *key == name || *key == bracketed)
            .flat_map(|(_, value)| value.split(','))
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
            .collect()
    }

    pub(crate) fn bool(&self, name: &str) -> Result<bool, ApiError> {
        match self.get(name) {
            None => Ok(false),
            Some("true") | Some("1") => Ok(true),
            Some("false") | Some("0") => Ok(false),
            Some(other) => Err(ApiError::bad_request(format!(
                "Invalid value for query parameter `{name}`: expected true or false, got {other:?}"
            ))),
        }
    }

    /// An integer within bounds, or the default when absent.
    pub(crate) fn int(
        &self,
        name: &str,
        min: i64,
        max: i64,
        default: i64,
    ) -> Result<i64, ApiError> {
        let Some(text) = self.get(name) else {
            return Ok(default);
        };
        match text.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::bad_request(format!(
                "Invalid value for query parameter `{name}`: expected an integer from {min} to {max}, got {text:?}"
            ))),
        }
    }

    /// One of a fixed set of values (exact case, as Hex's enums are), or the default when absent.
    pub(crate) fn choice<T: Copy>(
        &self,
        name: &str,
        options: &[(&str, T)],
        default: T,
    ) -> Result<T, ApiError> {
        let Some(text) = self.get(name) else {
            return Ok(default);
        };
        options
            .iter()
            .find(|(word, _)| *word == text)
            .map(|(_, value)| *value)
            .ok_or_else(|| {
                let words: Vec<&str> = options.iter().map(|(w, _)| *w).collect();
                ApiError::bad_request(format!(
                    "Invalid value for query parameter `{name}`: expected one of {}, got {text:?}",
                    words.join(", ")
                ))
            })
    }

    pub(crate) fn uuid(&self, name: &str) -> Result<Option<Uuid>, ApiError> {
        self.get(name)
            .map(|text| parse_uuid(name, text))
            .transpose()
    }

    /// `limit` (1..=max, default 25) and one of `after` / `before`.
    pub(crate) fn page(&self, max: i64) -> Result<PageRequest, ApiError> {
        let limit = self.int("limit", 1, max, 25)?;
        let position = match (self.get("after"), self.get("before")) {
            (Some(_), Some(_)) => {
                return Err(ApiError::bad_request(
                    "Query parameters `after` and `before` cannot be used together",
                ));
            }
            (Some(after), None) => Position::After(after.to_owned()),
            (None, Some(before)) => Position::Before(before.to_owned()),
            (None, None) => Position::Start,
        };
        Ok(PageRequest {
            limit: usize::try_from(limit).unwrap_or(25),
            position,
        })
    }
}

/// `+` is a space and `%XX` a byte; malformed escapes are kept as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (b, hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (other, _) => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A UUID in Hex's pattern (hyphenated, 36 characters), or a 400 naming the parameter.
pub(crate) fn parse_uuid(name: &str, text: &str) -> Result<Uuid, ApiError> {
    let hyphens_ok = text.len() == 36
        && text
            .char_indices()
            .all(|(i, c)| matches!(i, 8 | 13 | 18 | 23) == (c == '-'));
    match Uuid::try_parse(text) {
        Ok(id) if hyphens_ok => Ok(id),
        _ => Err(ApiError::bad_request(format!(
            "Invalid `{name}`: {text:?} is not a UUID"
        ))),
    }
}

/// A JSON request body, required. Non-JSON content types answer 415, bad JSON 400.
pub(crate) struct Json<T>(pub(crate) T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match MaybeJson::<T>::from_request(request, state).await?.0 {
            Some(value) => Ok(Json(value)),
            None => Err(ApiError::bad_request("A JSON request body is required")),
        }
    }
}

/// A JSON request body that may be absent (RunProject's body is optional).
pub(crate) struct MaybeJson<T>(pub(crate) Option<T>);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for MaybeJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let json_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let mime = v
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            });
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|_| ApiError::bad_request("Could not read the request body"))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(MaybeJson(None));
        }
        if json_type != Some(true) {
            return Err(ApiError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported content type: send the body as application/json",
            ));
        }
        serde_json::from_slice(&bytes)
            .map(|value| MaybeJson(Some(value)))
            .map_err(body_error)
    }
}

/// `missing field `title` at line 1 column 2` becomes a reason naming the field.
pub(crate) fn body_error(error: serde_json::Error) -> ApiError {
    let text = error.to_string();
    let message = text.split(" at line ").next().unwrap_or(&text);
    ApiError::bad_request(format!("Invalid request body: {message}"))
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
pub(crate) fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_accept_repeated_and_comma_separated_values() {
        let query =
            Query::parse("categories=Finance&categories=Sales,Product&statuses%5B%5D=Approved&x=");
        assert_eq!(query.list("categories"), ["Finance", "Sales", "Product"]);
        assert_eq!(query.list("statuses"), ["Approved"]);
        assert_eq!(query.get("x"), None);
    }

    #[test]
    fn values_are_percent_decoded() {
        let query = Query::parse("ownerEmail=a.b%40acme.example&title=Revenue+dashboard");
        assert_eq!(query.get("ownerEmail"), Some("a.b@acme.example"));
        assert_eq!(query.get("title"), Some("Revenue dashboard"));
    }

    #[test]
    fn bad_values_name_the_parameter() {
        let query = Query::parse("limit=0&includeArchived=yes&sortBy=NAME");
        assert!(query.page(100).is_err());
        assert!(query.bool("includeArchived").is_err());
        assert!(query.choice("sortBy", &[("CREATED_AT", 1)], 1).is_err());
        assert!(parse_uuid("projectId", "not-a-uuid").is_err());
        assert!(parse_uuid("projectId", "67e5504410b1426f9247bb680e5fe0c8").is_err());
        assert!(parse_uuid("projectId", "67e55044-10b1-426f-9247-bb680e5fe0c8").is_ok());
    }
}
