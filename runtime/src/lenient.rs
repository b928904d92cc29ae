//! The tolerant reader's JSON rules: what a reasonable server sends is accepted.
//!
//! Generated models read every field through [`next_value`] and [`Lenient`], which
//! accept, besides the documented form: `null` and absence (the field's default,
//! or `None`), an empty string where a number or boolean is expected (absent), numbers
//! sent as numeric strings (`"min_count": "2"`), and numbers or booleans where a string
//! is expected (their text). What the documents say instead is for the strict validator
//! ([`crate::shapes`]) to report; decoding never depends on it.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// A value the tolerant reader can read from JSON: `Ok(None)` for `null`, and for the
/// forms that stand for "no value" (`""` where a number is expected).
pub trait Lenient: Sized + Default {
    /// Reads the value tolerantly.
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error>;
}

/// A generated model (object, map, list, enumeration, union): its tolerant reading,
/// `None` for `null` and, for objects, a blank string (`"image": ""` for a server booted
/// from a volume). Its `Deserialize` is this reading with absence as the default.
pub trait LenientModel: Sized + Default {
    /// Reads the model tolerantly.
    fn lenient_model<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error>;
}

impl<T: LenientModel> Lenient for T {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        T::lenient_model(d)
    }
}

/// A JSON object key, borrowed from the input when it can be.
#[derive(Debug)]
pub struct Key<'de>(std::borrow::Cow<'de, str>);

impl Key<'_> {
    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(std::borrow::Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Key(std::borrow::Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// Reads an object's next value tolerantly (`None` for `null` and "no value" forms).
pub fn next_value<'de, A: MapAccess<'de>, T: Lenient>(map: &mut A) -> Result<Option<T>, A::Error> {
    struct Seed<T>(PhantomData<T>);
    impl<'de, T: Lenient> de::DeserializeSeed<'de> for Seed<T> {
        type Value = Option<T>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
            T::lenient(d)
        }
    }
    map.next_value_seed(Seed(PhantomData))
}

/// An object read from a string: absent when blank (`"image": ""`), else an error naming
/// what was expected.
pub fn blank<T, E: de::Error>(v: &str, expecting: &'static str) -> Result<Option<T>, E> {
    if v.trim().is_empty() {
        Ok(None)
    } else {
        Err(E::invalid_type(de::Unexpected::Str(v), &expecting))
    }
}

/// Skips an object's next value (an unknown field: extension data a client ignores).
pub fn skip_value<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<de::IgnoredAny>().map(|_| ())
}




/// The visits every tolerant visitor shares: `null` (and an absent option) is no value,
/// a present option is read as its content.
macro_rules! absent_visits {
    () => {
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    };
}

/// Reads one value through a visitor that accepts every JSON type.
macro_rules! visitor {
    ($name:ident, $t:ty, $expecting:literal, { $($body:tt)* }) => {
        struct $name;
        impl<'de> Visitor<'de> for $name {
            type Value = Option<$t>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str($expecting)
            }
            absent_visits!();
            $($body)*
        }
    };
}

visitor!(StringVisitor, String, "a string (or a number or boolean, read as text)", {
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
});

fn integer_text<E: de::Error>(v: &str) -> Result<Option<i64>, E> {
    let t = v.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if let Ok(i) = t.parse::<i64>() {
        return Ok(Some(i));
    }
    match t.parse::<f64>() {
        Ok(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
        _ => Err(E::invalid_value(de::Unexpected::Str(v), &"an integer")),
    }
}

visitor!(IntegerVisitor, i64, "an integer (or a numeric string)", {
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        i64::try_from(v).map(Some).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &"an integer that fits 64 bits"))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if v.fract() == 0.0 && v.abs() < 9.0e15 {
            Ok(Some(v as i64))
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &"an integer"))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        integer_text(v)
    }
});

visitor!(NumberVisitor, f64, "a number (or a numeric string)", {
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let t = v.trim();
        if t.is_empty() {
            return Ok(None);
        }
        t.parse::<f64>().map(Some).map_err(|_| E::invalid_value(de::Unexpected::Str(v), &"a number"))
    }
});

visitor!(BoolVisitor, bool, "a boolean (or `true`/`false` as text)", {
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        match v {
            0 => Ok(Some(false)),
            1 => Ok(Some(true)),
            _ => Err(E::invalid_value(de::Unexpected::Signed(v), &"a boolean")),
        }
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        match v.trim() {
            "" => Ok(None),
            "true" | "True" | "TRUE" | "1" => Ok(Some(true)),
            "false" | "False" | "FALSE" | "0" => Ok(Some(false)),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &"a boolean")),
        }
    }
});

impl Lenient for String {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        d.deserialize_any(StringVisitor)
    }
}

impl Lenient for i64 {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        d.deserialize_any(IntegerVisitor)
    }
}

impl Lenient for f64 {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        d.deserialize_any(NumberVisitor)
    }
}

impl Lenient for bool {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        d.deserialize_any(BoolVisitor)
    }
}

impl Lenient for crate::Secret {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        String::lenient(d).map(|o| o.map(crate::Secret::new))
    }
}

impl Lenient for crate::Timestamp {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        String::lenient(d).map(|o| o.map(crate::Timestamp::new))
    }
}

impl Lenient for serde_json::Value {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        serde_json::Value::deserialize(d).map(Some)
    }
}

impl Lenient for crate::IntegerOrUuid {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        Option::<crate::IntegerOrUuid>::deserialize(d)
    }
}

/// A documented `null` inside a list or map (`{"key": null}` in image metadata).
impl<T: Lenient> Lenient for Option<T> {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        T::lenient(d).map(Some)
    }
}

/// One item of a list or map, read tolerantly (`null` becomes the default).
struct Item<T>(T);

impl<'de, T: Lenient> Deserialize<'de> for Item<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::lenient(d).map(|o| Item(o.unwrap_or_default()))
    }
}

struct SeqVisitor<T>(PhantomData<T>);

impl<'de, T: Lenient> Visitor<'de> for SeqVisitor<T> {
    type Value = Option<Vec<T>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list")
    }
    absent_visits!();
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(Item(v)) = seq.next_element::<Item<T>>()? {
            out.push(v);
        }
        Ok(Some(out))
    }
}

impl<T: Lenient> Lenient for Vec<T> {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        d.deserialize_any(SeqVisitor(PhantomData))
    }
}

struct MapVisitor<T>(PhantomData<T>);

impl<'de, T: Lenient> Visitor<'de> for MapVisitor<T> {
    type Value = Option<BTreeMap<String, T>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    absent_visits!();
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some((k, Item(v))) = map.next_entry::<String, Item<T>>()? {
            out.insert(k, v);
        }
        Ok(Some(out))
    }
}

impl<T: Lenient> Lenient for BTreeMap<String, T> {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        d.deserialize_any(MapVisitor(PhantomData))
    }
}

/// Reads an enumeration's wire text tolerantly (a number is read as its text).
pub fn enum_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    String::lenient(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read<T: Lenient>(v: serde_json::Value) -> Option<T> {
        T::lenient(v).expect("tolerant read")
    }

    #[test]
    fn numbers_accept_numeric_strings_and_blank() {
        assert_eq!(read::<i64>(json!("2")), Some(2));
        assert_eq!(read::<i64>(json!(" 2 ")), Some(2));
        assert_eq!(read::<i64>(json!("")), None);
        assert_eq!(read::<i64>(json!(null)), None);
        assert_eq!(read::<i64>(json!(3.0)), Some(3));
        assert_eq!(read::<f64>(json!("1.5")), Some(1.5));
        assert!(i64::lenient(json!("two")).is_err(), "garbage is still an error");
        assert!(i64::lenient(json!(2.5)).is_err());
    }

    #[test]
    fn strings_accept_numbers_and_null() {
        assert_eq!(read::<String>(json!(1)), Some("1".into()));
        assert_eq!(read::<String>(json!(true)), Some("true".into()));
        assert_eq!(read::<String>(json!(null)), None);
    }

    #[test]
    fn booleans_accept_text() {
        assert_eq!(read::<bool>(json!("True")), Some(true));
        assert_eq!(read::<bool>(json!("false")), Some(false));
        assert_eq!(read::<bool>(json!("")), None);
    }

    #[test]
    fn lists_and_maps_read_items_tolerantly() {
        assert_eq!(read::<Vec<i64>>(json!(["1", 2, null])), Some(vec![1, 2, 0]));
        assert_eq!(read::<Vec<i64>>(json!(null)), None);
        let m: BTreeMap<String, Option<String>> = read(json!({"a": "x", "b": null})).expect("a map");
        assert_eq!(m.get("b"), Some(&None));
    }
}
