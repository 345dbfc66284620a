//! Turning a tool call's arguments into typed input, with errors that name the field.

use std::{borrow::Cow, fmt};

use rmcp::model::JsonObject;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, de::DeserializeOwned};
use serde_json::Value;

use crate::errors::ToolError;

/// Parses arguments strictly; a failure names the field (`user_permissions[1].access`) and
/// says what was wrong with it, before anything is sent to Hex.
pub fn parse<T: DeserializeOwned>(arguments: JsonObject) -> Result<T, ToolError> {
    let arguments = drop_nulls(arguments);
    attempt::<T>(&arguments).map_err(|failure| {
        let field = match failure.path.as_str() {
            "" => blame::<T>(&arguments, &failure).unwrap_or_default(),
            path => path.to_string(),
        };
        ToolError::input(field, plain_integers(&failure.message))
    })
}

/// Why arguments did not parse: serde's path to the value (empty for the arguments as a whole)
/// and its message.
struct Failure {
    path: String,
    message: String,
}

fn attempt<T: DeserializeOwned>(arguments: &JsonObject) -> Result<T, Failure> {
    serde_path_to_error::deserialize(Value::Object(arguments.clone())).map_err(|error| {
        let path = error.path().to_string();
        Failure {
            path: if path == "." { String::new() } else { path },
            message: error.into_inner().to_string(),
        }
    })
}

/// The argument a path-less failure is about. serde loses the path inside `#[serde(flatten)]`
/// groups (a list's shared filters), so `statuses: 5` would be refused as "invalid type: integer
/// `5`, expected a sequence" with no name; the argument whose removal makes that failure go
/// away is the one to name. Failures that already name an argument (unknown or missing
/// parameters) are left as they are. Runs only on the error path, on a handful of arguments.
fn blame<T: DeserializeOwned>(arguments: &JsonObject, failure: &Failure) -> Option<String> {
    let quoted = |key: &str| failure.message.contains(&format!("`{key}`"));
    if arguments.keys().any(|key| quoted(key)) {
        return None;
    }
    // Gone, or replaced by another failure that is not about the removed argument's absence.
    let resolved = |without: &JsonObject, key: &str| match attempt::<T>(without) {
        Ok(_) => true,
        Err(other) => {
            other.message != failure.message
                && !other.message.contains(&format!("missing field `{key}`"))
        }
    };
    let one_at_a_time = arguments.keys().find(|key| {
        let mut without = arguments.clone();
        without.remove(key.as_str());
        resolved(&without, key)
    });
    if let Some(key) = one_at_a_time {
        return Some(key.clone());
    }
    // Two arguments wrong in the same way: removing either alone leaves the same failure.
    let mut without = arguments.clone();
    arguments
        .keys()
        .find(|key| {
            without.remove(key.as_str());
            resolved(&without, key)
        })
        .cloned()
}

/// serde names Rust's integer types (`expected u32`); a client knows none of them, so say the
/// range instead. (Bounds a schema states are checked before this, see [`crate::bounds`].)
fn plain_integers(message: &str) -> String {
    const TYPES: [(&str, &str); 4] = [
        (", expected u32", ", expected a whole number 0–4294967295"),
        (
            ", expected u64",
            ", expected a whole number 0–18446744073709551615",
        ),
        (
            ", expected usize",
            ", expected a whole number 0–18446744073709551615",
        ),
        (
            ", expected i64",
            ", expected a whole number -9223372036854775808–9223372036854775807",
        ),
    ];
    TYPES
        .iter()
        .find_map(|(rust, plain)| {
            message
                .strip_suffix(rust)
                .map(|start| format!("{start}{plain}"))
        })
        .unwrap_or_else(|| message.to_string())
}

/// Clients may send `null` for any optional parameter; treat it as absent so `null` never
/// means "clear" by accident. (Tools that clear a value take an explicit flag or sentinel.)
fn drop_nulls(arguments: JsonObject) -> JsonObject {
    arguments
        .into_iter()
        .filter(|(_, value)| !value.is_null())
        .collect()
}

/// A Hex object id: a UUID, checked before any request so a slug or a typo gets a clear
/// error instead of a 404 from Hex.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct HexId(String);

impl HexId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn parse(text: &str) -> Result<HexId, String> {
        let text = text.trim();
        if is_uuid(text) {
            Ok(HexId(text.to_ascii_lowercase()))
        } else {
            Err(format!(
                "`{}` is not a Hex id: ids are UUIDs like 3f2b7c1e-8a4d-4c2e-9b1a-0d6e5f4a3b2c (a project's id is the UUID in its URL, not its title or slug)",
                excerpt(text)
            ))
        }
    }
}

impl fmt::Display for HexId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for HexId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        HexId::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for HexId {
    fn schema_name() -> Cow<'static, str> {
        "HexId".into()
    }

    fn inline_schema() -> bool {
        true
    }

    // No `format: uuid`: the parser checks it with an error that says what an id is, and those
    // 16 bytes on every id of every tool would cost each session's context for nothing.
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string"})
    }
}

/// An id Hex types as a plain string (the new-style operations: threads, topics…): opaque, so
/// only what would change a request's meaning is refused — empty, over 200 characters,
/// whitespace, control characters, `/`, `?`, `#`, `%`, `.` and `..`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct OpaqueId(String);

impl OpaqueId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn parse(text: &str) -> Result<OpaqueId, String> {
        let text = text.trim();
        let bad =
            |c: char| c.is_whitespace() || c.is_control() || matches!(c, '/' | '?' | '#' | '%');
        if text.is_empty()
            || text.chars().count() > 200
            || text == "."
            || text == ".."
            || text.chars().any(bad)
        {
            return Err(format!(
                "`{}` is not a Hex id: give the id exactly as a list tool returned it",
                excerpt(text)
            ));
        }
        Ok(OpaqueId(text.to_string()))
    }
}

impl fmt::Display for OpaqueId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for OpaqueId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        OpaqueId::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for OpaqueId {
    fn schema_name() -> Cow<'static, str> {
        "OpaqueId".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string"})
    }
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    let lengths = [8, 4, 4, 4, 12];
    groups.len() == lengths.len()
        && groups
            .iter()
            .zip(lengths)
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()))
}

/// At most 60 characters of user input, for error messages.
pub fn excerpt(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

/// Declares a string enum for tool input: the schema lists Hex's values, and parsing accepts
/// any case and `-`/space for `_` (the Python hex-mcp's docs used `sort_by="name"`), with an
/// error that lists the valid values.
///
/// `Name: ClientEnum { A, B }` takes the values from the client's enum of the same vocabulary:
/// each variant must be one of the client's (the compiler checks it, through the `From`
/// conversion), and its wire text is the client's, so the two can never drift apart and a value
/// the client does not know can never be sent. `Name { A = "a" }` is for the few vocabularies
/// that exist only in the tools (flags the tool turns into fields, a tag it matches on).
macro_rules! input_enum {
    ($(#[$meta:meta])* $name:ident: $client:ty { $($variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Hex's wire text: the client's, for the same variant.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => {
                        const VALUE: &$client = &<$client>::$variant;
                        VALUE.as_str()
                    }),+
                }
            }
        }

        impl From<$name> for $client {
            fn from(value: $name) -> $client {
                match value { $($name::$variant => <$client>::$variant),+ }
            }
        }

        $crate::input::input_enum!(@common $name { $($variant),+ });
    };
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }
        }

        $crate::input::input_enum!(@common $name { $($variant),+ });
    };
    (@common $name:ident { $($variant:ident),+ }) => {
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                let wanted = $crate::input::normalise_enum_text(&text);
                $name::ALL
                    .iter()
                    .copied()
                    .find(|value| $crate::input::normalise_enum_text(value.as_str()) == wanted)
                    .ok_or_else(|| {
                        let valid: Vec<&str> = $name::ALL.iter().map(|value| value.as_str()).collect();
                        ::serde::de::Error::custom(format!(
                            "`{}` is not a valid value; use one of {}",
                            $crate::input::excerpt(&text),
                            valid.join(", ")
                        ))
                    })
            }
        }

        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn inline_schema() -> bool {
                true
            }

            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                let values: Vec<&str> = $name::ALL.iter().map(|value| value.as_str()).collect();
                ::schemars::json_schema!({"type": "string", "enum": values})
            }
        }
    };
}
pub(crate) use input_enum;

#[doc(hidden)]
pub fn normalise_enum_text(text: &str) -> String {
    text.trim()
        .chars()
        .map(|c| match c {
            '-' | ' ' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    input_enum!(Colour { Red = "RED", DarkBlue = "DARK_BLUE" });
    input_enum!(Direction: hex_client::api::SortDirection { Asc });

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        id: HexId,
        colour: Colour,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Args {
        items: Vec<Item>,
        limit: Option<u32>,
    }

    fn args(value: Value) -> JsonObject {
        match value {
            Value::Object(object) => object,
            _ => unreachable!("test arguments are objects"),
        }
    }

    const ID: &str = "3f2b7c1e-8a4d-4c2e-9b1a-0d6e5f4a3b2c";

    #[test]
    fn enums_accept_any_case_and_separators() {
        let parsed: Args = parse(args(
            json!({"items": [{"id": ID, "colour": "dark-blue"}], "limit": null}),
        ))
        .unwrap();
        assert_eq!(parsed.items[0].colour, Colour::DarkBlue);
        assert_eq!(parsed.items[0].colour.as_str(), "DARK_BLUE");
        assert_eq!(parsed.limit, None);
    }

    #[test]
    fn enums_of_a_client_vocabulary_take_its_values() {
        use hex_client::api::SortDirection;
        assert_eq!(Direction::Asc.as_str(), SortDirection::Asc.as_str());
        assert_eq!(SortDirection::from(Direction::Asc), SortDirection::Asc);
        let schema = serde_json::to_value(schemars::schema_for!(Direction)).unwrap();
        assert_eq!(schema["enum"], json!(["ASC"]));
        let parsed: Direction = serde_json::from_value(json!("asc")).unwrap();
        assert_eq!(parsed, Direction::Asc);
    }

    #[test]
    fn errors_name_the_field_and_the_fix() {
        let error = parse::<Args>(args(
            json!({"items": [{"id": ID, "colour": "RED"}, {"id": ID, "colour": "green"}]}),
        ))
        .unwrap_err();
        let text = error.to_string();
        assert!(text.contains("items[1].colour"), "{text}");
        assert!(text.contains("RED, DARK_BLUE"), "{text}");

        let error = parse::<Args>(args(
            json!({"items": [{"id": "my-project", "colour": "RED"}]}),
        ))
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("items[0].id") && error.contains("UUID"),
            "{error}"
        );

        let error = parse::<Args>(args(json!({"items": [], "limt": 3})))
            .unwrap_err()
            .to_string();
        assert!(error.contains("limt"), "{error}");
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Filters {
        statuses: Option<Vec<String>>,
        archived: Option<bool>,
        trashed: Option<bool>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Listing {
        limit: Option<u32>,
        #[serde(flatten)]
        filters: Filters,
    }

    #[test]
    fn errors_in_flattened_groups_still_name_the_argument() {
        let error = parse::<Listing>(args(json!({"limit": 5, "statuses": 3}))).unwrap_err();
        assert!(
            matches!(&error, ToolError::Input { field, .. } if field == "statuses"),
            "{error}"
        );
        // Both wrong the same way: either is named, never none.
        let error = parse::<Listing>(args(json!({"archived": "", "trashed": ""}))).unwrap_err();
        assert!(
            matches!(&error, ToolError::Input { field, .. } if field == "archived" || field == "trashed"),
            "{error}"
        );
    }

    #[test]
    fn opaque_ids_refuse_only_what_changes_a_request() {
        assert_eq!(
            OpaqueId::parse(" thr_01H8Z ").unwrap().as_str(),
            "thr_01H8Z"
        );
        for bad in ["", "a/b", "a b", "..", "x?y", "a#", "%2F", &"x".repeat(201)] {
            assert!(OpaqueId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ids_are_normalised_to_lower_case() {
        let id = HexId::parse(&ID.to_uppercase()).unwrap();
        assert_eq!(id.as_str(), ID);
    }
}
