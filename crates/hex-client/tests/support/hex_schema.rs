//! Random Hex answers that are valid under Hex's description, and a fake Hex that serves them.
//!
//! The schemas are our own transcription of the digest (`tests/hex_schemas/*.json`, see its
//! README). [`Schemas::strategy`] turns one into a proptest strategy: required members always,
//! optional ones sometimes, `null` where nullable, every integer over the whole signed 64-bit
//! range with its boundaries (or within the bounds the description gives), numbers that are
//! integers, fractions and negatives, known enum values and unknown ones, and unknown members
//! (named with [`EXTRA_PREFIX`]) on every object. [`FakeHex`] answers each request with the body
//! the test set for its operation. Shared by hex-client's and hex-mcp's tests (`#[path]`).

#![allow(dead_code)] // Each test binary uses part of it.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use hex_client::Operation;
use proptest::prelude::*;
use proptest::strategy::Union;
use serde_json::{Map, Number, Value};
use wiremock::{Request, Respond, ResponseTemplate};

/// Names of the unknown members the generator adds, so a test can count what survived.
pub const EXTRA_PREFIX: &str = "zzUnknown";

const FILES: [&str; 13] = [
    include_str!("../hex_schemas/common.json"),
    include_str!("../hex_schemas/projects.json"),
    include_str!("../hex_schemas/runs.json"),
    include_str!("../hex_schemas/cells.json"),
    include_str!("../hex_schemas/sharing.json"),
    include_str!("../hex_schemas/collections.json"),
    include_str!("../hex_schemas/groups.json"),
    include_str!("../hex_schemas/connections.json"),
    include_str!("../hex_schemas/users.json"),
    include_str!("../hex_schemas/threads.json"),
    include_str!("../hex_schemas/guides.json"),
    include_str!("../hex_schemas/semantic.json"),
    include_str!("../hex_schemas/embedding.json"),
];

/// The success answer of one operation: its status and body schema (`None`: no content).
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Option<Value>,
}

/// Every schema of every file, with the definitions they share.
pub struct Schemas {
    defs: Map<String, Value>,
    operations: BTreeMap<String, Answer>,
}

impl Schemas {
    pub fn load() -> Schemas {
        let mut defs = Map::new();
        let mut operations = BTreeMap::new();
        for file in FILES {
            let file: Value = serde_json::from_str(file).expect("a schema file is not JSON");
            for (name, def) in file["defs"].as_object().expect("defs") {
                assert!(
                    defs.insert(name.clone(), def.clone()).is_none(),
                    "{name} twice"
                );
            }
            for (name, answer) in file["operations"].as_object().expect("operations") {
                let answer = Answer {
                    status: answer["status"].as_u64().expect("status") as u16,
                    body: answer.get("body").cloned(),
                };
                assert!(
                    operations.insert(name.clone(), answer).is_none(),
                    "{name} twice"
                );
            }
        }
        Schemas { defs, operations }
    }

    /// The success answer of `operation`.
    pub fn answer(&self, operation: Operation) -> &Answer {
        self.operations
            .get(operation.name())
            .unwrap_or_else(|| panic!("no schema for {operation}"))
    }

    /// The operations that have a schema, by name.
    pub fn operation_names(&self) -> Vec<&str> {
        self.operations.keys().map(String::as_str).collect()
    }

    /// A body of `operation` valid under its schema (`Value::Null` for no content).
    pub fn body(&self, operation: Operation) -> BoxedStrategy<Value> {
        match &self.answer(operation).body {
            Some(schema) => self.strategy(schema),
            None => Just(Value::Null).boxed(),
        }
    }

    /// Values valid under `schema`, plus unknown enum values and unknown members.
    pub fn strategy(&self, schema: &Value) -> BoxedStrategy<Value> {
        let inner = self.non_null(schema);
        if schema["nullable"] == true {
            prop_oneof![1 => Just(Value::Null), 4 => inner].boxed()
        } else {
            inner
        }
    }

    fn non_null(&self, schema: &Value) -> BoxedStrategy<Value> {
        if let Some(reference) = schema["$ref"].as_str() {
            let name = reference.trim_start_matches("#/defs/");
            let def = self
                .defs
                .get(name)
                .unwrap_or_else(|| panic!("no definition {name}"));
            return self.strategy(def);
        }
        if let Some(value) = schema.get("const") {
            return Just(value.clone()).boxed();
        }
        if let Some(options) = schema["oneOf"].as_array() {
            let mut branches: Vec<BoxedStrategy<Value>> =
                options.iter().map(|option| self.strategy(option)).collect();
            // A union told apart by a member (`type: "table"`) gets, now and then, a variant
            // Hex may add later: a known one's members under a discriminator no one knows.
            if let Some(key) = self.discriminator(options) {
                let known = Union::new(options.iter().map(|option| self.strategy(option)));
                branches.push(
                    (known, "[a-z][a-z_]{0,10}")
                        .prop_map(move |(mut value, kind)| {
                            if let Some(object) = value.as_object_mut() {
                                object.insert(key.clone(), Value::String(format!("future_{kind}")));
                            }
                            value
                        })
                        .boxed(),
                );
            }
            return Union::new(branches).boxed();
        }
        if let Some(values) = schema["enum"].as_array() {
            return open_enum(values.clone());
        }
        match schema["type"].as_str() {
            Some("object") => self.object(schema),
            Some("array") => {
                let items = self.strategy(&schema["items"]);
                proptest::collection::vec(items, 0..4)
                    .prop_map(Value::Array)
                    .boxed()
            }
            Some("string") => string(schema),
            Some("integer") => integer(schema),
            Some("number") => number(),
            Some("boolean") => any::<bool>().prop_map(Value::Bool).boxed(),
            Some("any") | None => any_json(),
            Some(other) => panic!("type {other} is not in the dialect"),
        }
    }

    /// The member every option of a union fixes with a `const`, if there is one.
    fn discriminator(&self, options: &[Value]) -> Option<String> {
        let resolve = |option: &Value| -> Value {
            match option["$ref"].as_str() {
                Some(reference) => self
                    .defs
                    .get(reference.trim_start_matches("#/defs/"))
                    .cloned()
                    .unwrap_or(Value::Null),
                None => option.clone(),
            }
        };
        let fixed = |option: &Value| -> Vec<String> {
            resolve(option)["properties"]
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(_, member)| member.get("const").is_some())
                .map(|(name, _)| name.clone())
                .collect()
        };
        let first = fixed(options.first()?);
        first
            .into_iter()
            .find(|name| options.iter().all(|option| fixed(option).contains(name)))
    }

    fn object(&self, schema: &Value) -> BoxedStrategy<Value> {
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut members: Vec<BoxedStrategy<Option<(String, Value)>>> = Vec::new();
        for (name, member) in schema["properties"].as_object().into_iter().flatten() {
            let name = name.clone();
            let value = self.strategy(member);
            members.push(if required.contains(&name.as_str()) {
                value
                    .prop_map(move |value| Some((name.clone(), value)))
                    .boxed()
            } else {
                proptest::option::weighted(0.6, value)
                    .prop_map(move |value| value.map(|value| (name.clone(), value)))
                    .boxed()
            });
        }
        // A map (`additionalProperties: <schema>`): its entries; else unknown members.
        let entries = match schema.get("additionalProperties") {
            Some(values @ Value::Object(_)) => proptest::collection::vec(
                ("[a-zA-Z_][a-zA-Z0-9_ ]{0,8}", self.strategy(values)),
                0..4,
            )
            .boxed(),
            _ => proptest::collection::vec(
                (
                    "[A-Za-z]{1,6}".prop_map(|name| format!("{EXTRA_PREFIX}{name}")),
                    any_json(),
                ),
                0..3,
            )
            .boxed(),
        };
        (members, entries)
            .prop_map(|(members, entries)| {
                let mut object = Map::new();
                object.extend(members.into_iter().flatten());
                for (key, value) in entries {
                    object.entry(key).or_insert(value);
                }
                Value::Object(object)
            })
            .boxed()
    }
}

/// The documented values mostly, and values Hex may add later.
fn open_enum(known: Vec<Value>) -> BoxedStrategy<Value> {
    let unknown = prop_oneof![
        "[A-Z][A-Z_]{0,12}".prop_map(Value::String),
        "[a-z][a-zA-Z]{0,8}".prop_map(Value::String),
        Just(Value::String(String::new())),
    ];
    prop_oneof![3 => proptest::sample::select(known), 1 => unknown].boxed()
}

fn string(schema: &Value) -> BoxedStrategy<Value> {
    let text = match schema["format"].as_str() {
        Some("uuid") => "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}".boxed(),
        Some("timestamp") => (
            1970..2200u32,
            1..=12u32,
            1..=28u32,
            0..24u32,
            0..60u32,
            0..60u32,
        )
            .prop_map(|(y, mo, d, h, mi, s)| {
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
            })
            .boxed(),
        Some("png-base64") => (
            any::<(u32, u32)>(),
            any::<[u8; 9]>(),
            proptest::collection::vec(any::<u8>(), 0..32),
        )
            .prop_map(|((width, height), ihdr_rest, tail)| {
                use base64::Engine as _;
                let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
                png.extend(width.to_be_bytes());
                png.extend(height.to_be_bytes());
                png.extend(ihdr_rest);
                png.extend(tail);
                base64::engine::general_purpose::STANDARD.encode(png)
            })
            .boxed(),
        _ if schema["minLength"] == 1 => prop_oneof!["[a-zA-Z0-9 _.-]{1,12}", "\\PC{1,8}"].boxed(),
        _ => prop_oneof![
            Just(String::new()),
            "[a-zA-Z0-9 _.-]{1,12}",
            "\\PC{1,8}",
            ".{0,6}",
        ]
        .boxed(),
    };
    text.prop_map(Value::String).boxed()
}

/// An i64 with its boundaries, or within `[minimum, maximum]` (and int32's range) when given.
fn integer(schema: &Value) -> BoxedStrategy<Value> {
    let int32 = schema["format"] == "int32";
    let low = schema["minimum"]
        .as_i64()
        .unwrap_or(if int32 { i32::MIN.into() } else { i64::MIN });
    let high = schema["maximum"]
        .as_i64()
        .unwrap_or(if int32 { i32::MAX.into() } else { i64::MAX });
    let edges: Vec<i64> = [
        low,
        high,
        0,
        -1,
        1,
        low.saturating_add(1),
        high.saturating_sub(1),
    ]
    .into_iter()
    .filter(|n| (low..=high).contains(n))
    .collect();
    prop_oneof![
        2 => proptest::sample::select(edges),
        2 => low..=high,
        1 => (-100i64..100).prop_filter("in bounds", move |n| (low..=high).contains(n)),
    ]
    .prop_map(|n| Value::Number(n.into()))
    .boxed()
}

/// Any JSON number: integers over the whole range (and beyond i64), fractions, negatives.
fn number() -> BoxedStrategy<Value> {
    prop_oneof![
        integer(&Value::Null),
        Just(Value::Number(u64::MAX.into())),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| Value::Number(Number::from_f64(f).expect("finite"))),
        (-1000i32..1000, 1..8u32).prop_map(|(n, d)| {
            let f = f64::from(n) + 1.0 / f64::from(d + 1);
            Value::Number(Number::from_f64(f).expect("finite"))
        }),
    ]
    .boxed()
}

/// Small arbitrary JSON (for `any` and for the values of unknown members).
pub fn any_json() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| Value::Number(n.into())),
        (-1000i32..1000)
            .prop_map(|n| Value::Number(Number::from_f64(f64::from(n) / 8.0).expect("finite"))),
        "\\PC{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z]{1,5}", inner, 0..3)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
    .boxed()
}

/// Where `value` holds unknown members (named with [`EXTRA_PREFIX`]), as JSON paths.
pub fn unknown_members(value: &Value) -> std::collections::BTreeSet<String> {
    fn walk(value: &Value, path: &str, found: &mut std::collections::BTreeSet<String>) {
        match value {
            Value::Object(object) => {
                for (key, member) in object {
                    let here = format!("{path}.{key}");
                    if key.starts_with(EXTRA_PREFIX) {
                        found.insert(here);
                    } else {
                        walk(member, &here, found);
                    }
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    walk(item, &format!("{path}[{index}]"), found);
                }
            }
            _ => {}
        }
    }
    let mut found = std::collections::BTreeSet::new();
    walk(value, "", &mut found);
    found
}

/// A fake Hex: answers each request with the status and body set for its operation (found from
/// the method and path by Hex's own operation table), and records which operations were called.
/// A request for an operation with no answer set gets 599, which no test expects.
#[derive(Clone, Default)]
pub struct FakeHex {
    answers: Arc<Mutex<HashMap<Operation, (u16, Value)>>>,
    called: Arc<Mutex<Vec<Operation>>>,
}

impl FakeHex {
    /// Answers `operation` with `status` and `body` (`Value::Null`: no content) from now on.
    pub fn set(&self, operation: Operation, status: u16, body: Value) {
        self.answers
            .lock()
            .unwrap()
            .insert(operation, (status, body));
    }

    pub fn clear(&self) {
        self.answers.lock().unwrap().clear();
        self.called.lock().unwrap().clear();
    }

    /// The operations called since the last [`FakeHex::clear`], in order.
    pub fn called(&self) -> Vec<Operation> {
        self.called.lock().unwrap().clone()
    }
}

/// The operation a request is for: the template with the method and the most literal segments
/// that match the path (`/api/v1/projects/export` is ExportProject, not GetProject).
pub fn operation_of(method: &str, path: &str) -> Option<Operation> {
    let path = path.strip_prefix("/api").unwrap_or(path);
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    Operation::ALL
        .iter()
        .copied()
        .filter(|operation| operation.method().eq_ignore_ascii_case(method))
        .filter_map(|operation| {
            let template: Vec<&str> = operation.path().trim_matches('/').split('/').collect();
            if template.len() != segments.len() {
                return None;
            }
            let mut literal = 0;
            for (want, got) in template.iter().zip(&segments) {
                if want.starts_with('{') {
                    continue;
                }
                if want != got {
                    return None;
                }
                literal += 1;
            }
            Some((literal, operation))
        })
        .max_by_key(|(literal, _)| *literal)
        .map(|(_, operation)| operation)
}

impl Respond for FakeHex {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let Some(operation) = operation_of(request.method.as_str(), request.url.path()) else {
            return ResponseTemplate::new(599).set_body_string("no such operation");
        };
        self.called.lock().unwrap().push(operation);
        match self.answers.lock().unwrap().get(&operation) {
            Some((status, Value::Null)) => ResponseTemplate::new(*status),
            Some((status, body)) => ResponseTemplate::new(*status)
                .set_body_raw(serde_json::to_vec(body).unwrap(), "application/json"),
            None => {
                ResponseTemplate::new(599).set_body_string(format!("no answer for {operation}"))
            }
        }
    }
}

/// Cases per property: `PROPTEST_CASES` when set, else `default`.
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(default)
}
