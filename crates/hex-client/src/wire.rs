//! Small serde helpers shared by the API modules: string enums that tolerate values Hex adds later,
//! lenient number parsing where Hex's description and its samples disagree, and query building.

use serde::{Deserialize, Deserializer};

/// Declares a string enum with Hex's exact wire values plus an `Unknown(String)` fallback, so a value
/// Hex adds later deserialises instead of failing the whole call (and serialises back unchanged).
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this client does not know yet, kept verbatim.
            Unknown(String),
        }

        impl $name {
            /// Every value Hex documents, in its documented order (for schemas and validation).
            pub const KNOWN: &'static [$name] = &[$( $name::$variant ),+];

            /// The exact string Hex uses on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Unknown(other) => other.as_str(),
                }
            }

            /// Maps a wire string to its variant; strings Hex has not documented become `Unknown`.
            pub fn from_wire(value: &str) -> Self {
                match value {
                    $( $wire => $name::$variant, )+
                    other => $name::Unknown(other.to_owned()),
                }
            }

            /// Whether this is a value Hex documents (not `Unknown`).
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Unknown(_))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from_wire(value))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::from_wire(value)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <String as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from_wire(&value))
            }
        }
    };
}
pub(crate) use wire_enum;

/// Open JSON object: the unknown fields a response carried, kept so nothing Hex sends is lost.
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// Reads an integer Hex may send as a number or as a numeric string (its samples show
/// `projectVersion: "string"` where the schema says int32). Anything else reads as `None`.
pub(crate) fn lenient_i64<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<i64>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    Ok(value.as_ref().and_then(value_as_i64))
}

/// Reads a string Hex may also send as a number (run status `projectVersion`: a string in the
/// current description, an integer in older ones). Anything else reads as `None`.
pub(crate) fn lenient_string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    Ok(match value {
        Some(serde_json::Value::String(text)) => Some(text),
        Some(serde_json::Value::Number(number)) => Some(number.to_string()),
        _ => None,
    })
}

/// Reads a field Hex types as a JSON `number` (a port): any number is kept exactly as sent
/// (negative, fractional, beyond u16), and a numeric string reads as its number. Anything else
/// reads as `None` rather than failing the call.
pub(crate) fn lenient_number<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<serde_json::Number>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    Ok(match value {
        Some(serde_json::Value::Number(number)) => Some(number),
        Some(serde_json::Value::String(text)) => text.trim().parse().ok(),
        _ => None,
    })
}

fn value_as_i64(value: &serde_json::Value) -> Option<i64> {
    match value {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                // The guard above keeps the cast exact.
                .map(|f| f as i64)
        }),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Query parameters in Hex's names. Arrays are sent as repeated keys (`statuses=a&statuses=b`).
#[derive(Debug, Default, Clone)]
pub(crate) struct Query(pub(crate) Vec<(&'static str, String)>);

impl Query {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn opt(mut self, key: &'static str, value: Option<impl ToString>) -> Self {
        if let Some(value) = value {
            self.0.push((key, value.to_string()));
        }
        self
    }

    /// Sends a boolean only when it differs from Hex's default `false`, keeping URLs short.
    pub(crate) fn flag(self, key: &'static str, value: bool) -> Self {
        self.opt(key, value.then_some(true))
    }

    pub(crate) fn many<T: ToString>(mut self, key: &'static str, values: &[T]) -> Self {
        self.0.extend(values.iter().map(|v| (key, v.to_string())));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    wire_enum! {
        /// Test enum.
        Colour { Red = "RED", Green = "GREEN" }
    }

    #[test]
    fn wire_enum_round_trips_known_and_unknown_values() {
        let known: Colour = serde_json::from_str("\"RED\"").unwrap();
        assert_eq!(known, Colour::Red);
        let unknown: Colour = serde_json::from_str("\"BLUE\"").unwrap();
        assert_eq!(unknown, Colour::Unknown("BLUE".into()));
        assert_eq!(serde_json::to_string(&unknown).unwrap(), "\"BLUE\"");
        assert_eq!(Colour::KNOWN, &[Colour::Red, Colour::Green]);
        assert!(!unknown.is_known());
    }

    #[derive(Deserialize)]
    struct Lenient {
        #[serde(default, deserialize_with = "lenient_i64")]
        version: Option<i64>,
        #[serde(default, deserialize_with = "lenient_number")]
        port: Option<serde_json::Number>,
    }

    #[test]
    fn lenient_numbers_accept_strings_and_integral_floats() {
        let port = |text: &str| Some(text.parse::<serde_json::Number>().unwrap());
        let v: Lenient = serde_json::from_str(r#"{"version":"7","port":5432.0}"#).unwrap();
        assert_eq!((v.version, v.port), (Some(7), port("5432.0")));
        let v: Lenient = serde_json::from_str(r#"{"version":"string","port":-70000.5}"#).unwrap();
        assert_eq!((v.version, v.port), (None, port("-70000.5")));
        let v: Lenient = serde_json::from_str(r#"{"port":"5432"}"#).unwrap();
        assert_eq!(v.port, port("5432"));
        let v: Lenient = serde_json::from_str(r#"{"port":"abc"}"#).unwrap();
        assert_eq!(v.port, None);
        let v: Lenient = serde_json::from_str(r#"{}"#).unwrap();
        assert_eq!((v.version, v.port), (None, None));
    }
}
