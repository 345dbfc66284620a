//! Lists of "give this principal that access" items, as project and collection sharing take
//! them: checked while the arguments are parsed (size, each principal once), so a bad list is an
//! input error before any confirmation is asked or anything is sent.

use std::{borrow::Cow, collections::HashMap};

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, de};

use crate::{input::HexId, tools::vocab::AccessLevel};

/// One item of a grant list.
pub trait Grant {
    /// What the principal is, for messages: "user", "group", "collection".
    const KIND: &'static str;
    /// The most items one tool call takes.
    const MAX: usize;
    fn principal(&self) -> &HexId;
    fn access(&self) -> AccessLevel;
}

/// 1 to `T::MAX` grants, each principal at most once.
#[derive(Debug)]
pub struct Grants<T>(pub Vec<T>);

impl<T: Grant> Grants<T> {
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }

    /// The principals given `access`, in the order given.
    pub fn given(&self, access: AccessLevel) -> Vec<&str> {
        self.iter()
            .filter(|grant| grant.access() == access)
            .map(|grant| grant.principal().as_str())
            .collect()
    }
}

impl<'de, T: Grant + Deserialize<'de>> Deserialize<'de> for Grants<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let items = Vec::<T>::deserialize(deserializer)?;
        check(&items).map_err(de::Error::custom)?;
        Ok(Grants(items))
    }
}

fn check<T: Grant>(items: &[T]) -> Result<(), String> {
    let kind = T::KIND;
    if items.is_empty() {
        return Err(format!("give at least one {kind}, or leave the list out"));
    }
    if items.len() > T::MAX {
        return Err(format!(
            "{} items; at most {} per call: split the list",
            items.len(),
            T::MAX
        ));
    }
    // Hex would apply duplicates in some order; which access wins must not be left to chance.
    let mut seen: HashMap<&HexId, usize> = HashMap::new();
    for (index, item) in items.iter().enumerate() {
        if let Some(first) = seen.insert(item.principal(), index) {
            return Err(format!(
                "{kind} {} is listed twice (items {first} and {index}): give each {kind} once, with the access it should end with",
                item.principal()
            ));
        }
    }
    Ok(())
}

impl<T: Grant + JsonSchema> JsonSchema for Grants<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("Grants_{}", T::schema_name()).into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut schema = Vec::<T>::json_schema(generator);
        schema.insert("maxItems".into(), T::MAX.into());
        schema
    }
}

/// "user 3f2b…" or "users 3f2b…, 9a1c…".
pub fn principals(kind: &str, ids: &[&str]) -> String {
    let plural = if ids.len() == 1 { "" } else { "s" };
    format!("{kind}{plural} {}", ids.join(", "))
}
