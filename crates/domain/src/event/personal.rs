//! Personal values inside event payloads (REC-6, PUB-5).
//!
//! A payload field that holds personal data of a natural person (an ID number, an address, a
//! phone number, a party's name) has the type [`Personal<T>`]. Its stored form is
//! `{"$personal": value}`; the ledger finds every such object when it builds an event's leaf
//! and commits to the value only through a salted hash, so the value never enters the
//! tamper-evident log in clear, and can later be erased (the stored form becomes
//! `{"$commit": "<hex>"}`, exactly what the leaf already held) without breaking any proof.
//!
//! Because the marking follows from the field's type, there is no list of personal fields to
//! keep in step with the payloads: a personal value typed `Personal` cannot be forgotten.
//! (`tests/personal_values.rs` proves it over a sample of every event kind.)

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Member name of the stored form of a personal value (see the ledger's leaf encoding).
pub const PERSONAL_KEY: &str = "$personal";
/// Member name of an erased value: the salted commitment the leaf holds.
pub const COMMIT_KEY: &str = "$commit";

/// A personal value in a payload: in clear until it is erased, then only its commitment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Personal<T> {
    Clear(T),
    /// Erased under REC-6: the hex commitment that the ledger leaf holds instead of the value.
    Erased(String),
}

impl<T> Personal<T> {
    pub fn new(value: T) -> Self {
        Personal::Clear(value)
    }

    /// The value, unless it was erased.
    pub fn clear(&self) -> Option<&T> {
        match self {
            Personal::Clear(v) => Some(v),
            Personal::Erased(_) => None,
        }
    }
}

impl Personal<String> {
    /// The value as a projection shows it: the text itself, or [`crate::ledger::ERASED`].
    pub fn text(&self) -> String {
        match self {
            Personal::Clear(v) => v.clone(),
            Personal::Erased(_) => crate::ledger::ERASED.to_string(),
        }
    }
}

impl<T: Serialize> Serialize for Personal<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(1))?;
        match self {
            Personal::Clear(v) => m.serialize_entry(PERSONAL_KEY, v)?,
            Personal::Erased(c) => m.serialize_entry(COMMIT_KEY, c)?,
        }
        m.end()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Personal<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Stored<T> {
            #[serde(rename = "$personal")]
            personal: Option<T>,
            #[serde(rename = "$commit")]
            commit: Option<String>,
        }
        let s = Stored::<T>::deserialize(d)?;
        match (s.personal, s.commit) {
            (Some(v), None) => Ok(Personal::Clear(v)),
            (None, Some(c)) => Ok(Personal::Erased(c)),
            _ => Err(D::Error::custom(
                "a personal value is stored as {\"$personal\": value} or {\"$commit\": hex}",
            )),
        }
    }
}

/// How a record field is made from the entity's field, and back: the same value for ordinary
/// fields, wrapped in [`Personal`] for personal ones. Lets the record types below state only
/// their fields (see `recorded!`).
pub trait FromField<T> {
    fn from_field(v: &T) -> Self;
}
impl<T: Clone> FromField<T> for T {
    fn from_field(v: &T) -> Self {
        v.clone()
    }
}
impl<T: Clone> FromField<T> for Personal<T> {
    fn from_field(v: &T) -> Self {
        Personal::Clear(v.clone())
    }
}

/// The entity's field from a record field (an erased personal text reads as `ERASED`).
pub trait IntoField<T> {
    fn into_field(self) -> T;
}
impl<T> IntoField<T> for T {
    fn into_field(self) -> T {
        self
    }
}
impl IntoField<String> for Personal<String> {
    fn into_field(self) -> String {
        self.text()
    }
}

/// Declares a record type: the payload of an event as it is stored and hashed, field for field,
/// with conversions from and to the entity it records. A record is a public, versioned format
/// (the `V1` in its name): its serde shape is pinned by the golden leaf tests, and it changes only
/// by a new version with an upgrade (see [`super::versions`]). Entities, API views and projection
/// documents can change freely; records cannot.
macro_rules! recorded {
    (
        $(#[$m:meta])*
        pub struct $rec:ident records $ent:ty {
            $( $(#[$fm:meta])* $f:ident : $t:ty ),* $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $rec {
            $( $(#[$fm])* pub $f: $t ),*
        }
        impl From<&$ent> for $rec {
            fn from(e: &$ent) -> Self {
                use $crate::event::personal::FromField;
                Self { $( $f: FromField::from_field(&e.$f) ),* }
            }
        }
        impl From<$rec> for $ent {
            fn from(r: $rec) -> Self {
                use $crate::event::personal::IntoField;
                Self { $( $f: IntoField::into_field(r.$f) ),* }
            }
        }
    };
}
pub(crate) use recorded;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_forms_round_trip_and_nothing_else_is_accepted() {
        let p = Personal::new("340102198512124633".to_string());
        let s = serde_json::to_string(&p).unwrap();
        assert_eq!(s, r#"{"$personal":"340102198512124633"}"#);
        assert_eq!(serde_json::from_str::<Personal<String>>(&s).unwrap(), p);
        let e: Personal<String> = serde_json::from_str(r#"{"$commit":"ab12"}"#).unwrap();
        assert_eq!(e, Personal::Erased("ab12".into()));
        assert_eq!(e.text(), crate::ledger::ERASED);
        // A bare value (a payload written without the type) is refused rather than read as clear.
        assert!(serde_json::from_str::<Personal<String>>(r#""340102198512124633""#).is_err());
        assert!(
            serde_json::from_str::<Personal<String>>(r#"{"$personal":"a","$commit":"b"}"#).is_err()
        );
        assert!(serde_json::from_str::<Personal<String>>(r#"{}"#).is_err());
    }
}
