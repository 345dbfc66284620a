//! The arguments the property test sends: (a) arbitrary JSON under any key, and (b) objects
//! built from a tool's own input schema, each property valid, mutated, or left out, with ids
//! that often exist in the sandbox so the calls get through to the HTTP layer.

use std::sync::Arc;

use proptest::prelude::*;
use proptest::strategy::Union;
use serde_json::{Map, Number, Value, json};

/// Any string a client might send: plain words, any Unicode, control and path characters,
/// and huge ones (up to 100,000 characters).
pub fn junk_string() -> BoxedStrategy<String> {
    prop_oneof![
        4 => "[a-zA-Z0-9_ -]{0,16}",
        3 => "\\PC{0,24}",
        2 => "[\\x00-\\x1f\\x7f\u{200b}\u{202e}\u{feff} /?#%.\\\\]{0,8}",
        1 => prop_oneof![Just(""), Just(" "), Just("."), Just(".."), Just("%2F"), Just("a/b")]
            .prop_map(str::to_string),
        1 => (0usize..=100_000).prop_map(|n| "x".repeat(n)),
        1 => (0usize..=30_000, any::<char>()).prop_map(|(n, c)| c.to_string().repeat(n)),
    ]
    .boxed()
}

/// One of the options by weight; options of weight 0 are left out.
fn pick<T: std::fmt::Debug + 'static>(options: Vec<(u32, BoxedStrategy<T>)>) -> BoxedStrategy<T> {
    Union::new_weighted(
        options
            .into_iter()
            .filter(|(weight, _)| *weight > 0)
            .collect(),
    )
    .boxed()
}

fn number(value: f64) -> Value {
    Number::from_f64(value).map_or(Value::Null, Value::Number)
}

fn leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(number),
        prop_oneof![
            Just(i64::MIN),
            Just(i64::MAX),
            Just(-1),
            Just(0),
            Just(1),
            Just(i64::from(u32::MAX) + 1)
        ]
        .prop_map(Value::from),
        Just(Value::from(u64::MAX)),
        Just(number(1e300)),
        Just(number(-0.5)),
        junk_string().prop_map(Value::String),
    ]
    .boxed()
}

fn key() -> BoxedStrategy<String> {
    prop_oneof![3 => "[a-z_]{1,12}", 1 => "\\PC{0,10}"].boxed()
}

/// Any JSON value, with nesting up to 120 deep (a JSON-RPC message parsed by serde_json cannot
/// be deeper than 128).
pub fn arbitrary_json() -> BoxedStrategy<Value> {
    let tree = leaf().prop_recursive(5, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    });
    let deep = (1usize..120, leaf(), any::<bool>()).prop_map(|(depth, mut value, arrays)| {
        for _ in 0..depth {
            value = if arrays {
                Value::Array(vec![value])
            } else {
                let mut object = Map::new();
                object.insert("a".into(), value);
                Value::Object(object)
            };
        }
        value
    });
    prop_oneof![6 => tree, 1 => deep].boxed()
}

/// (a): arbitrary values under the tool's parameter names and random keys.
pub fn arbitrary_arguments(schema: &Value) -> BoxedStrategy<Map<String, Value>> {
    let names: Vec<String> = properties(schema).keys().cloned().collect();
    let name = if names.is_empty() {
        key()
    } else {
        prop_oneof![3 => proptest::sample::select(names), 1 => key()].boxed()
    };
    prop::collection::btree_map(name, arbitrary_json(), 0..6)
        .prop_map(|map| map.into_iter().collect())
        .boxed()
}

fn properties(schema: &Value) -> Map<String, Value> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// Ids known to the sandbox (as read from it), shared by every strategy.
pub type Ids = Arc<Vec<String>>;

/// (b): an object from the schema's properties: half the time every property given is valid
/// (the calls that reach Hex), else each may be mutated, and unknown ones added.
pub fn schema_arguments(schema: &Value, ids: &Ids) -> BoxedStrategy<Map<String, Value>> {
    prop_oneof![object(schema, ids, 0, false), object(schema, ids, 0, true)].boxed()
}

fn object(
    schema: &Value,
    ids: &Ids,
    depth: u32,
    mutate: bool,
) -> BoxedStrategy<Map<String, Value>> {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let fields: Vec<BoxedStrategy<Option<(String, Value)>>> = properties(schema)
        .into_iter()
        .map(|(name, property)| {
            let (wrong, junk) = if mutate { (2, 1) } else { (0, 0) };
            let fitting =
                shaped(&name, ids).unwrap_or_else(|| valid(&name, &property, ids, depth, mutate));
            let present = pick(vec![
                (8, fitting),
                (wrong, near_miss(&property)),
                (junk, arbitrary_json()),
            ]);
            // The confirmation token is the gate's business; a junk one now and then is enough.
            let required = required.contains(&name.as_str());
            let absent = match name.as_str() {
                "confirmation_token" => 20,
                _ if required => u32::from(mutate),
                _ => 4,
            };
            let named = name.clone();
            pick(vec![
                (absent, Just(None).boxed()),
                (
                    8,
                    present
                        .prop_map(move |value| Some((named.clone(), value)))
                        .boxed(),
                ),
            ])
        })
        .collect();
    let extra = pick(vec![
        (8, Just(None).boxed()),
        (
            if mutate { 2 } else { 0 },
            (key(), arbitrary_json()).prop_map(Some).boxed(),
        ),
    ]);
    (fields, extra)
        .prop_map(|(fields, extra)| fields.into_iter().flatten().chain(extra).collect())
        .boxed()
}

/// A value of a client enum as a caller may send it: as Hex spells it, in lower case, or (now
/// and then) one Hex does not know.
fn word(values: Vec<&'static str>) -> BoxedStrategy<Value> {
    pick(vec![
        (
            6,
            proptest::sample::select(values.clone())
                .prop_map(|word| json!(word))
                .boxed(),
        ),
        (
            2,
            proptest::sample::select(values)
                .prop_map(|word| json!(word.to_lowercase()))
                .boxed(),
        ),
        (1, Just(json!("NOT_A_VALUE")).boxed()),
    ])
}

/// Every value of a client enum, as sent.
macro_rules! known {
    ($enum:ty) => {
        <$enum>::KNOWN
            .iter()
            .map(|value| value.as_str())
            .collect::<Vec<&'static str>>()
    };
}

/// Values for the object parameters whose shape only their description gives (the catalog
/// keeps them short), by parameter name, so that the calls of every tool taking one get through
/// to Hex and the enum values inside are checked on the wire like any other.
fn shaped(name: &str, ids: &Ids) -> Option<BoxedStrategy<Value>> {
    use hex_client::api::{
        connections::{ConnectionAccess, SchemaFilterMatchType},
        projects::{DayOfWeek, ScheduleCadence},
        runs::{RunNotificationType, ScreenshotFormat},
    };
    let id = proptest::sample::select(ids.to_vec());
    Some(match name {
        "notifications" => proptest::collection::vec(
            (word(known!(RunNotificationType)), id, any::<bool>(), word(known!(ScreenshotFormat))),
            0..3,
        )
        .prop_map(|items| {
            Value::Array(
                items
                    .into_iter()
                    .map(|(kind, id, screenshot, format)| {
                        json!({"type": kind, "user_ids": [id], "screenshot_format": format,
                               "include_success_screenshot": screenshot})
                    })
                    .collect(),
            )
        })
        .boxed(),
        "schema_filters" => (
            proptest::sample::select(vec!["databases", "schemas", "tables"]),
            proptest::sample::select(vec!["include", "exclude"]),
            word(known!(SchemaFilterMatchType)),
        )
            .prop_map(|(entity, rule, match_type)| {
                json!({entity: {rule: {"values": ["analytics"], "matchType": match_type}}})
            })
            .boxed(),
        "schema_refresh_schedule" => (word(known!(ScheduleCadence)), word(known!(DayOfWeek)), 0u32..24)
            .prop_map(|(cadence, day, hour)| {
                json!({"cadence": cadence, "enabled": true,
                       "weekly": {"hour": hour, "minute": 0, "dayOfWeek": day, "timezoneString": "UTC"}})
            })
            .boxed(),
        "sharing" => (word(known!(ConnectionAccess)), word(known!(ConnectionAccess)), id)
            .prop_map(|(members, access, id)| {
                json!({"workspace": {"members": members},
                       "groups": [{"group": {"id": id}, "access": access}]})
            })
            .boxed(),
        "connection_details" => prop_oneof![
            Just(json!({"databricks": {"jdbcUrl": "jdbc:spark://h:443/default", "accessToken": "t"}})),
            Just(json!({"postgres": {"hostname": "db.example.com", "port": 5432,
                                     "database": "d", "username": "u", "password": "p"}})),
        ]
        .boxed(),
        // The harness allows one directory holding `semantic/`; the others must be refused.
        "path" => proptest::sample::select(vec![
            "semantic",
            "semantic/orders.yml",
            "../semantic",
            "/proc/self/environ",
        ])
        .prop_map(|path| json!(path))
        .boxed(),
        _ => return None,
    })
}

fn id_like(name: &str) -> bool {
    name == "id" || name == "ids" || name.ends_with("_id") || name.ends_with("_ids")
}

fn type_of(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(kind)) => Some(kind),
        Some(Value::Array(kinds)) => kinds
            .iter()
            .filter_map(Value::as_str)
            .find(|kind| *kind != "null"),
        _ => None,
    }
}

/// A value the schema allows (enum values in any case, ids from the sandbox).
fn valid(name: &str, schema: &Value, ids: &Ids, depth: u32, mutate: bool) -> BoxedStrategy<Value> {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let words: Vec<String> = values
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        if words.is_empty() {
            return arbitrary_json();
        }
        return (proptest::sample::select(words), any::<bool>())
            .prop_map(|(word, lower)| {
                Value::String(if lower {
                    word.to_lowercase().replace('_', "-")
                } else {
                    word
                })
            })
            .boxed();
    }
    if let Some(branches) = schema
        .get("anyOf")
        .or_else(|| schema.get("oneOf"))
        .and_then(Value::as_array)
    {
        let options: Vec<BoxedStrategy<Value>> = branches
            .iter()
            .map(|branch| valid(name, branch, ids, depth, mutate))
            .collect();
        if !options.is_empty() {
            return Union::new(options).boxed();
        }
    }
    match type_of(schema) {
        Some("string") if id_like(name) => pick(vec![
            (
                6,
                proptest::sample::select(ids.to_vec())
                    .prop_map(Value::String)
                    .boxed(),
            ),
            (
                1,
                proptest::sample::select(ids.to_vec())
                    .prop_map(|id| Value::String(format!(" {} ", id.to_uppercase())))
                    .boxed(),
            ),
            (
                u32::from(mutate),
                junk_string().prop_map(Value::String).boxed(),
            ),
        ]),
        Some("string") => pick(vec![
            (3, "[a-zA-Z0-9 _.@-]{1,24}".prop_map(Value::String).boxed()),
            (
                u32::from(mutate),
                junk_string().prop_map(Value::String).boxed(),
            ),
        ]),
        Some("integer") => {
            let min = schema.get("minimum").and_then(Value::as_i64).unwrap_or(0);
            let max = schema
                .get("maximum")
                .and_then(Value::as_i64)
                .unwrap_or(min.saturating_add(1_000));
            (min..=max).prop_map(Value::from).boxed()
        }
        Some("number") => prop_oneof![
            (0.0f64..1_000.0).prop_map(number),
            (0i64..1_000).prop_map(Value::from),
        ]
        .boxed(),
        Some("boolean") => any::<bool>().prop_map(Value::Bool).boxed(),
        Some("array") => {
            let items = schema.get("items").cloned().unwrap_or(Value::Null);
            let most = schema
                .get("maxItems")
                .and_then(Value::as_u64)
                .map_or(4, |max| {
                    usize::try_from(max).unwrap_or(4).saturating_add(1).min(30)
                });
            let singular = name.strip_suffix('s').unwrap_or(name).to_string();
            prop::collection::vec(valid(&singular, &items, ids, depth + 1, mutate), 0..=most)
                .prop_map(Value::Array)
                .boxed()
        }
        Some("object") if depth < 4 && schema.get("properties").is_some() => {
            object(schema, ids, depth + 1, mutate)
                .prop_map(Value::Object)
                .boxed()
        }
        Some("object") => prop::collection::btree_map(key(), leaf(), 0..4)
            .prop_map(|map| Value::Object(map.into_iter().collect()))
            .boxed(),
        _ => arbitrary_json(),
    }
}

/// A value of the right kind but wrong: out of range, not a listed value, not an id.
fn near_miss(schema: &Value) -> BoxedStrategy<Value> {
    let bound = |key: &str| schema.get(key).and_then(Value::as_i64);
    match type_of(schema) {
        Some("integer") => {
            let mut edges = vec![
                Value::from(-1),
                Value::from(u64::MAX),
                Value::from(i64::MIN),
            ];
            edges.extend(bound("minimum").map(|min| Value::from(min - 1)));
            edges.extend(bound("maximum").map(|max| Value::from(max + 1)));
            edges.push(number(2.5));
            edges.push(Value::String("5".into()));
            proptest::sample::select(edges).boxed()
        }
        Some("string") if schema.get("enum").is_some() => prop_oneof![
            Just(Value::String("UNKNOWN_VALUE".into())),
            Just(Value::String(String::new())),
            junk_string().prop_map(Value::String),
        ]
        .boxed(),
        _ => prop_oneof![
            junk_string().prop_map(Value::String),
            Just(Value::Array(Vec::new())),
            Just(Value::Object(Map::new())),
            any::<i64>().prop_map(Value::from),
        ]
        .boxed(),
    }
}
