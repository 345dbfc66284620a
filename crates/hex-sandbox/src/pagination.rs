//! Hex's cursor pagination: `limit`, `after`, `before` and a `pagination {after, before}` object.
//!
//! A cursor names a position in a sorted index: the sort key and the id of an item, never an
//! offset, so a walk survives inserts and deletes made between two pages. Cursors are opaque
//! (base64url) and carry a scope (the list and its sort), so a cursor from another list is refused.

use std::collections::BTreeSet;
use std::ops::Bound;

use serde_json::{Value, json};
use uuid::Uuid;

use crate::errors::ApiError;

/// A sort key that can travel inside a cursor.
pub(crate) trait CursorKey: Ord + Clone {
    fn encode(&self) -> String;
    fn decode(text: &str) -> Option<Self>;
}

impl CursorKey for i64 {
    fn encode(&self) -> String {
        self.to_string()
    }
    fn decode(text: &str) -> Option<Self> {
        text.parse().ok()
    }
}

impl CursorKey for u64 {
    fn encode(&self) -> String {
        self.to_string()
    }
    fn decode(text: &str) -> Option<Self> {
        text.parse().ok()
    }
}

impl CursorKey for String {
    fn encode(&self) -> String {
        self.clone()
    }
    fn decode(text: &str) -> Option<Self> {
        Some(text.to_owned())
    }
}

/// Where a page starts, as the request asked: the first page, after a cursor or before one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Position {
    Start,
    After(String),
    Before(String),
}

/// A page request: size and raw position (decoded against the index's scope later).
#[derive(Clone, Debug)]
pub(crate) struct PageRequest {
    pub(crate) limit: usize,
    pub(crate) position: Position,
}

/// One page: the items in display order and the cursors to move on.
pub(crate) struct Page<K> {
    pub(crate) items: Vec<(K, Uuid)>,
    pub(crate) after: Option<String>,
    pub(crate) before: Option<String>,
}

impl<K> Page<K> {
    /// The `pagination` object of a list answer.
    pub(crate) fn pagination_json(&self) -> Value {
        json!({"after": self.after, "before": self.before})
    }

    pub(crate) fn ids(&self) -> impl Iterator<Item = &Uuid> {
        self.items.iter().map(|(_, id)| id)
    }
}

/// Cuts one page out of a sorted index. `descending` shows the index in reverse; `keep` is the
/// list's filter. Cost: the page, plus the items the filter skips on the way.
pub(crate) fn paginate<K: CursorKey>(
    index: &BTreeSet<(K, Uuid)>,
    scope: &str,
    descending: bool,
    request: &PageRequest,
    mut keep: impl FnMut(&Uuid) -> bool,
) -> Result<Page<K>, ApiError> {
    let limit = request.limit;
    let walk = Walk { index, descending };
    let (mut items, has_before, has_after) = match &request.position {
        Position::Start => {
            let mut items = take(walk.forward(None, false), limit + 1, &mut keep);
            let more = items.len() > limit;
            items.truncate(limit);
            (items, false, more)
        }
        Position::After(cursor) => {
            let at = decode::<K>(cursor, scope)?;
            let mut items = take(walk.forward(Some(&at), false), limit + 1, &mut keep);
            let more = items.len() > limit;
            items.truncate(limit);
            let earlier = walk.backward(Some(&at), true).any(|(_, id)| keep(id));
            (items, earlier, more)
        }
        Position::Before(cursor) => {
            let at = decode::<K>(cursor, scope)?;
            let mut items = take(walk.backward(Some(&at), false), limit + 1, &mut keep);
            let earlier = items.len() > limit;
            items.truncate(limit);
            items.reverse();
            let later = walk.forward(Some(&at), true).any(|(_, id)| keep(id));
            (items, earlier, later)
        }
    };
    let cursor_of = |item: Option<&(K, Uuid)>| item.map(|(key, id)| encode(scope, key, id));
    let after = if has_after {
        cursor_of(items.last())
    } else {
        None
    };
    let before = if has_before {
        cursor_of(items.first())
    } else {
        None
    };
    items.shrink_to_fit();
    Ok(Page {
        items,
        after,
        before,
    })
}

fn take<'a, K: 'a + Clone>(
    iter: impl Iterator<Item = &'a (K, Uuid)>,
    n: usize,
    keep: &mut impl FnMut(&Uuid) -> bool,
) -> Vec<(K, Uuid)> {
    iter.filter(|(_, id)| keep(id)).take(n).cloned().collect()
}

/// An index seen in display order.
struct Walk<'a, K> {
    index: &'a BTreeSet<(K, Uuid)>,
    descending: bool,
}

type Items<'a, K> = Box<dyn Iterator<Item = &'a (K, Uuid)> + 'a>;

impl<'a, K: Ord> Walk<'a, K> {
    /// Items after `from` in display order (including it when `inclusive`).
    fn forward(&self, from: Option<&(K, Uuid)>, inclusive: bool) -> Items<'a, K> {
        self.range(from, inclusive, !self.descending)
    }

    /// Items before `from` in display order, nearest first.
    fn backward(&self, from: Option<&(K, Uuid)>, inclusive: bool) -> Items<'a, K> {
        self.range(from, inclusive, self.descending)
    }

    /// `upward`: walk towards larger keys from `from`; otherwise towards smaller keys.
    fn range(&self, from: Option<&(K, Uuid)>, inclusive: bool, upward: bool) -> Items<'a, K> {
        let Some(from) = from else {
            return if upward {
                Box::new(self.index.iter())
            } else {
                Box::new(self.index.iter().rev())
            };
        };
        let bound = if inclusive {
            Bound::Included(from)
        } else {
            Bound::Excluded(from)
        };
        if upward {
            Box::new(self.index.range((bound, Bound::Unbounded)))
        } else {
            Box::new(self.index.range((Bound::Unbounded, bound)).rev())
        }
    }
}

/// `scope|key|id`, base64url without padding.
pub(crate) fn encode<K: CursorKey>(scope: &str, key: &K, id: &Uuid) -> String {
    base64url(format!("{scope}|{}|{id}", key.encode()).as_bytes())
}

fn decode<K: CursorKey>(cursor: &str, scope: &str) -> Result<(K, Uuid), ApiError> {
    let invalid = || {
        ApiError::bad_request("Invalid pagination cursor").with_details(
        "Pass back the `after` or `before` value of a previous answer of the same list and sort",
    )
    };
    let bytes = unbase64url(cursor).ok_or_else(invalid)?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let rest = text
        .strip_prefix(scope)
        .and_then(|r| r.strip_prefix('|'))
        .ok_or_else(invalid)?;
    let (key, id) = rest.rsplit_once('|').ok_or_else(invalid)?;
    let key = K::decode(key).ok_or_else(invalid)?;
    let id = Uuid::try_parse(id).map_err(|_| invalid())?;
    Ok((key, id))
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            let sextet = (n >> (18 - 6 * i)) & 63;
            out.push(char::from(
                ALPHABET.get(sextet as usize).copied().unwrap_or(b'A'),
            ));
        }
    }
    out
}

fn unbase64url(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in text.bytes() {
        let value = ALPHABET.iter().position(|a| *a == c)? as u32;
        acc = (acc << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(n: u64) -> BTreeSet<(u64, Uuid)> {
        (0..n)
            .map(|i| (i, Uuid::from_u128(u128::from(i) + 1)))
            .collect()
    }

    fn walk(index: &BTreeSet<(u64, Uuid)>, descending: bool, limit: usize) -> Vec<u64> {
        let mut seen = Vec::new();
        let mut position = Position::Start;
        loop {
            let request = PageRequest { limit, position };
            let page =
                paginate(index, "t", descending, &request, |id| id.as_u128() % 3 != 0).unwrap();
            seen.extend(page.items.iter().map(|(k, _)| *k));
            match page.after {
                Some(after) => position = Position::After(after),
                None => return seen,
            }
        }
    }

    #[test]
    fn base64_round_trips() {
        for text in ["", "a", "ab", "abc", "abcd", "scope|key with ü|id"] {
            assert_eq!(
                unbase64url(&base64url(text.as_bytes())).unwrap(),
                text.as_bytes()
            );
        }
    }

    #[test]
    fn walks_cover_every_kept_item_once_in_both_directions() {
        let index = index(50);
        let expected: Vec<u64> = (0..50).filter(|i| (i + 1) % 3 != 0).collect();
        assert_eq!(walk(&index, false, 7), expected);
        let mut reversed = expected.clone();
        reversed.reverse();
        assert_eq!(walk(&index, true, 4), reversed);
    }

    #[test]
    fn before_returns_the_previous_page() {
        let index = index(20);
        let all = |_: &Uuid| true;
        let first = paginate(
            &index,
            "t",
            false,
            &PageRequest {
                limit: 5,
                position: Position::Start,
            },
            all,
        )
        .unwrap();
        assert!(first.before.is_none());
        let second = paginate(
            &index,
            "t",
            false,
            &PageRequest {
                limit: 5,
                position: Position::After(first.after.clone().unwrap()),
            },
            all,
        )
        .unwrap();
        assert_eq!(second.items.first().unwrap().0, 5);
        let back = paginate(
            &index,
            "t",
            false,
            &PageRequest {
                limit: 5,
                position: Position::Before(second.before.clone().unwrap()),
            },
            all,
        )
        .unwrap();
        assert_eq!(back.items, first.items);
        assert!(back.before.is_none());
        assert!(back.after.is_some());
    }

    #[test]
    fn foreign_or_garbled_cursors_are_refused() {
        let index = index(3);
        let cursor = encode("other", &1u64, &Uuid::from_u128(2));
        for bad in [cursor.as_str(), "!!!", "bm9wZQ"] {
            let request = PageRequest {
                limit: 2,
                position: Position::After(bad.to_owned()),
            };
            assert!(paginate(&index, "t", false, &request, |_| true).is_err());
        }
    }
}
