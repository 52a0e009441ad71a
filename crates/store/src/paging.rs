//! Pages of a list: the keyset cursor (opaque, validated), the page a caller asks for and the
//! half-open range that makes a path prefix indexable.

use crate::*;

/// Paging and text filter shared by list queries: keyset pagination, `after` being the opaque
/// cursor a previous page returned as `next`.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub q: Option<String>,
    pub limit: i64,
    pub after: Option<String>,
}

impl Page {
    pub fn first(limit: i64) -> Page {
        Page {
            q: None,
            limit,
            after: None,
        }
    }
}

/// One page of a list and the cursor of the next one (`None` on the last page).
#[derive(Debug, Clone, PartialEq)]
pub struct List<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// The smallest string greater than every string starting with `prefix`, so that
/// `s.starts_with(prefix)` ⇔ `prefix <= s < upper` in byte order (UTF-8 byte order is code
/// point order): the prefix with its last character incremented (a trailing `char::MAX` is
/// dropped first). `None` when no such bound exists (empty prefix, or only `char::MAX`).
/// For the `/id/…/` paths of scopes this is the last byte incremented (`/` → `0`).
pub fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut next = last as u32 + 1;
        if (0xD800..0xE000).contains(&next) {
            next = 0xE000;
        }
        if let Some(c) = char::from_u32(next) {
            chars.push(c);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// Orders two list keys as the database does (text byte-wise: `COLLATE "C"` on PostgreSQL,
/// BINARY on SQLite).
pub(crate) fn cmp_keys(a: &[Arg], b: &[Arg]) -> std::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = match (x, y) {
            (Arg::Text(x), Arg::Text(y)) => x.as_bytes().cmp(y.as_bytes()),
            (Arg::Int(x), Arg::Int(y)) => x.cmp(y),
            (Arg::Text(_), Arg::Int(_)) => std::cmp::Ordering::Less,
            (Arg::Int(_), Arg::Text(_)) => std::cmp::Ordering::Greater,
        };
        if o.is_ne() {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

/// A list cursor: base64url (no padding) of the JSON array of the last row's key.
pub(crate) fn encode_cursor(key: &[Arg]) -> String {
    use base64::Engine;
    let v: Vec<serde_json::Value> = key
        .iter()
        .map(|a| match a {
            Arg::Text(s) => serde_json::Value::from(s.as_str()),
            Arg::Int(i) => serde_json::Value::from(*i),
        })
        .collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::Value::Array(v).to_string())
}

/// Parses a cursor of a list whose key has these column kinds; anything else is
/// [`StoreError::BadCursor`].
pub(crate) fn decode_cursor<K: KeyShape>(cursor: &str, kinds: &[K]) -> Result<Vec<Arg>> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor.trim())
        .map_err(|_| StoreError::BadCursor)?;
    let v: Vec<serde_json::Value> =
        serde_json::from_slice(&bytes).map_err(|_| StoreError::BadCursor)?;
    if v.len() != kinds.len() {
        return Err(StoreError::BadCursor);
    }
    v.into_iter()
        .zip(kinds)
        .map(|(v, k)| match (v, k.is_int()) {
            (serde_json::Value::String(s), false) => Ok(Arg::Text(s)),
            (serde_json::Value::Number(n), true) => {
                n.as_i64().map(Arg::Int).ok_or(StoreError::BadCursor)
            }
            _ => Err(StoreError::BadCursor),
        })
        .collect()
}

/// What a cursor's parser needs of a key column: whether it is an integer.
pub(crate) trait KeyShape {
    fn is_int(&self) -> bool;
}

#[cfg(test)]
mod prefix_tests {
    use super::prefix_upper_bound;
    use proptest::prelude::*;

    proptest! {
        /// The range [prefix, upper) holds exactly the strings that start with the prefix.
        #[test]
        fn range_is_the_prefix(prefix in "(/[a-f0-9]{0,3}|[张伟王a-z\u{10FFFF}\u{D7FF}]){1,4}", s in "(/[a-f0-9]{0,3}|[张伟王a-z\u{10FFFF}\u{D7FF}\u{E000}]){0,6}") {
            let hi = prefix_upper_bound(&prefix);
            let in_range = s.as_bytes() >= prefix.as_bytes()
                && hi.as_ref().is_none_or(|h| s.as_bytes() < h.as_bytes());
            prop_assert_eq!(in_range, s.starts_with(&prefix), "prefix {:?} hi {:?} s {:?}", prefix, hi, s);
            let joined = format!("{prefix}{s}");
            let in_range_joined = hi.as_ref().is_none_or(|h| joined.as_bytes() < h.as_bytes());
            prop_assert!(in_range_joined, "every extension of the prefix is below the bound");
        }
    }

    #[test]
    fn scope_paths_increment_the_last_byte() {
        assert_eq!(prefix_upper_bound("/a1/b2/").as_deref(), Some("/a1/b20"));
        assert_eq!(prefix_upper_bound("张").as_deref(), Some("弡"));
        assert_eq!(prefix_upper_bound(""), None);
        assert_eq!(prefix_upper_bound("a\u{10FFFF}").as_deref(), Some("b"));
    }
}
