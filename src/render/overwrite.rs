//! Serializing a value over the `serde_json::Value` it replaces, reusing
//! that value's strings, arrays and objects.
//!
//! Why: a page's template context holds the same names as the page
//! before's, with values of the same shape (`page.title`, `page.toc`, ...).
//! Serialized afresh for each page, every key and string of it was
//! allocated, inserted into its object, and freed with the next page:
//! about 40,000 instructions a page, 7 % of a 10,000-page build. Written
//! over the page before's, a string is copied into the buffer it had, an
//! array keeps its elements, and an object's fields are walked in key
//! order instead of inserted.
//!
//! The result is always the value `serde_json::to_value` makes. Where the
//! shapes differ (a page without `prev`, say, after one with it) the part
//! that differs is made afresh; an object with other fields than the old
//! one in its place, or fields declared out of key order, fails the pass,
//! and the whole value is then made afresh. So the contexts' structs
//! declare their fields in key order (a test in `context.rs` checks it).

use serde::ser::{self, Serialize};
use serde_json::value::Serializer as Fresh;
use serde_json::{Error, Map, Value};

/// Makes `slot` what `serde_json::to_value(value)` makes, reusing the
/// allocations of the value it held.
pub(crate) fn overwrite<T: Serialize + ?Sized>(slot: &mut Value, value: &T) -> Result<(), Error> {
    if value.serialize(Over { slot: &mut *slot }).is_err() {
        // Another shape (or a value that cannot be serialized, which
        // `to_value` reports).
        *slot = serde_json::to_value(value)?;
    }
    Ok(())
}

/// A serializer writing over `slot`.
struct Over<'a> {
    slot: &'a mut Value,
}

impl<'a> Over<'a> {
    /// `slot` as `serde_json` makes it, for the cases not worth reusing.
    fn fresh(self, made: Result<Value, Error>) -> Result<(), Error> {
        put(self.slot, made)
    }

    /// `slot` as an array, its elements to be written over in turn.
    fn array(self, len: Option<usize>) -> Result<OverSeq<'a>, Error> {
        if !self.slot.is_array() {
            *self.slot = Value::Array(Vec::with_capacity(len.unwrap_or(0)));
        }
        match self.slot {
            Value::Array(items) => Ok(OverSeq { items, written: 0 }),
            // Made an array just above: not met. [`overwrite`] would
            // make the value afresh.
            _ => Err(ser::Error::custom("not an array")),
        }
    }
}

impl<'a> ser::Serializer for Over<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = OverSeq<'a>;
    type SerializeTuple = OverSeq<'a>;
    type SerializeTupleStruct = OverSeq<'a>;
    type SerializeTupleVariant = Made<'a, <Fresh as ser::Serializer>::SerializeTupleVariant>;
    type SerializeMap = Made<'a, <Fresh as ser::Serializer>::SerializeMap>;
    type SerializeStruct = OverStruct<'a>;
    type SerializeStructVariant = Made<'a, <Fresh as ser::Serializer>::SerializeStructVariant>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.fresh(Fresh.serialize_bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.fresh(Fresh.serialize_i8(v))
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.fresh(Fresh.serialize_i16(v))
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.fresh(Fresh.serialize_i32(v))
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.fresh(Fresh.serialize_i64(v))
    }
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        self.fresh(Fresh.serialize_i128(v))
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.fresh(Fresh.serialize_u8(v))
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.fresh(Fresh.serialize_u16(v))
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.fresh(Fresh.serialize_u32(v))
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.fresh(Fresh.serialize_u64(v))
    }
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.fresh(Fresh.serialize_u128(v))
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.fresh(Fresh.serialize_f32(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.fresh(Fresh.serialize_f64(v))
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.fresh(Fresh.serialize_char(v))
    }

    /// Into the string already there, when there is one.
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        match self.slot {
            Value::String(s) => {
                s.clear();
                s.push_str(v);
            }
            slot => *slot = Value::String(v.to_owned()),
        }
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        self.fresh(Fresh.serialize_bytes(v))
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.fresh(Fresh.serialize_none())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.fresh(Fresh.serialize_unit())
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<(), Error> {
        self.fresh(Fresh.serialize_unit_struct(name))
    }
    fn serialize_unit_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.fresh(Fresh.serialize_unit_variant(name, index, variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.fresh(Fresh.serialize_newtype_variant(name, index, variant, value))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<OverSeq<'a>, Error> {
        self.array(len)
    }
    fn serialize_tuple(self, len: usize) -> Result<OverSeq<'a>, Error> {
        self.array(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<OverSeq<'a>, Error> {
        self.array(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        let inner = Fresh.serialize_tuple_variant(name, index, variant, len)?;
        Ok(Made::new(self.slot, inner))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        let inner = Fresh.serialize_map(len)?;
        Ok(Made::new(self.slot, inner))
    }

    /// Over the object already there, when it has as many fields.
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<OverStruct<'a>, Error> {
        // serde_json's own tokens (numbers and raw values, with features
        // this build does not turn on) are never objects to reuse.
        let reusable = !name.starts_with("$serde_json");
        if !matches!(&*self.slot, Value::Object(fields) if reusable && fields.len() == len) {
            *self.slot = Value::Object(Map::new());
        }
        let Value::Object(fields) = self.slot else {
            // Made an object just above: not met.
            return Err(ser::Error::custom("not an object"));
        };
        Ok(match fields.is_empty() {
            true => OverStruct::Fresh(fields),
            false => OverStruct::Cursor(fields.iter_mut()),
        })
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        let inner = Fresh.serialize_struct_variant(name, index, variant, len)?;
        Ok(Made::new(self.slot, inner))
    }
}

/// An array written over element by element.
struct OverSeq<'a> {
    items: &'a mut Vec<Value>,
    written: usize,
}

impl OverSeq<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        if self.written == self.items.len() {
            self.items.push(Value::Null);
        }
        let slot = &mut self.items[self.written];
        value.serialize(Over { slot })?;
        self.written += 1;
        Ok(())
    }

    /// Drops the elements the array had beyond the new ones.
    fn finish(self) -> Result<(), Error> {
        self.items.truncate(self.written);
        Ok(())
    }
}

/// The three ways serde hands over a list's elements (a sequence, a
/// tuple, a tuple struct; `serde_json` makes an array of each): each
/// element written over in turn.
macro_rules! over_seq {
    ($($serialize:ident :: $element:ident),*) => {$(
        impl ser::$serialize for OverSeq<'_> {
            type Ok = ();
            type Error = Error;
            fn $element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.element(value)
            }
            fn end(self) -> Result<(), Error> {
                self.finish()
            }
        }
    )*};
}

over_seq!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

/// An object written over field by field.
enum OverStruct<'a> {
    /// A new object: each field inserted.
    Fresh(&'a mut Map<String, Value>),
    /// The old object's fields, in key order, met in turn: a struct whose
    /// fields are declared in key order (as the contexts' are) finds each
    /// at the cursor, where a look-up by key costs half a dozen string
    /// comparisons. A field not at the cursor fails the serialization,
    /// and [`overwrite`] makes the whole value afresh.
    Cursor(serde_json::map::IterMut<'a>),
}

impl ser::SerializeStruct for OverStruct<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        match self {
            OverStruct::Fresh(fields) => {
                fields.insert(key.to_owned(), serde_json::to_value(value)?);
                Ok(())
            }
            OverStruct::Cursor(fields) => match fields.next() {
                Some((name, slot)) if name == key => value.serialize(Over { slot }),
                _ => Err(ser::Error::custom("another shape")),
            },
        }
    }
    fn end(self) -> Result<(), Error> {
        match self {
            // The old object had more fields.
            OverStruct::Cursor(mut left) => match left.next() {
                Some(_) => Err(ser::Error::custom("another shape")),
                None => Ok(()),
            },
            OverStruct::Fresh(_) => Ok(()),
        }
    }
}

/// Puts in `slot` a value `serde_json` made.
fn put(slot: &mut Value, made: Result<Value, Error>) -> Result<(), Error> {
    *slot = made?;
    Ok(())
}

/// A value `serde_json` makes afresh, put in `slot` at its end.
struct Made<'a, S> {
    slot: &'a mut Value,
    inner: S,
}

impl<'a, S> Made<'a, S> {
    fn new(slot: &'a mut Value, inner: S) -> Self {
        Made { slot, inner }
    }
}

impl<S: ser::SerializeTupleVariant<Ok = Value, Error = Error>> ser::SerializeTupleVariant
    for Made<'_, S>
{
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.inner.serialize_field(value)
    }
    fn end(self) -> Result<(), Error> {
        put(self.slot, self.inner.end())
    }
}

impl<S: ser::SerializeMap<Ok = Value, Error = Error>> ser::SerializeMap for Made<'_, S> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.inner.serialize_key(key)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.inner.serialize_value(value)
    }
    fn end(self) -> Result<(), Error> {
        put(self.slot, self.inner.end())
    }
}

impl<S: ser::SerializeStructVariant<Ok = Value, Error = Error>> ser::SerializeStructVariant
    for Made<'_, S>
{
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.inner.serialize_field(key, value)
    }
    fn end(self) -> Result<(), Error> {
        put(self.slot, self.inner.end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;
    use std::collections::BTreeMap;

    #[derive(Serialize, Clone)]
    struct Link {
        title: String,
        url: &'static str,
    }

    #[derive(Serialize, Clone)]
    enum Kind {
        Plain,
        Tagged(u8),
        Pair(u8, bool),
        Named { at: i64 },
    }

    #[derive(Serialize, Clone)]
    /// Fields in key order, as the contexts declare theirs.
    struct Page {
        #[serde(skip_serializing_if = "Option::is_none")]
        badge: Option<&'static str>,
        crumbs: Vec<Link>,
        extra: BTreeMap<String, u32>,
        kind: Kind,
        order: i64,
        pair: (u32, &'static str),
        prev: Option<Link>,
        shown: bool,
        title: &'static str,
        weight: f64,
    }

    fn link(title: &str) -> Link {
        Link {
            title: title.into(),
            url: "a/",
        }
    }

    fn page(n: usize) -> Page {
        Page {
            title: ["Home", "Deciding", ""][n % 3],
            order: n as i64 - 1,
            weight: [0.5, -0.0, f64::NAN][n % 3],
            shown: n % 2 == 0,
            prev: (n % 2 == 1).then(|| link("Before")),
            crumbs: (0..n % 4).map(|i| link(&"x".repeat(i))).collect(),
            pair: (n as u32, "b"),
            kind: [
                Kind::Plain,
                Kind::Tagged(3),
                Kind::Pair(1, true),
                Kind::Named { at: -4 },
            ][n % 4]
                .clone(),
            extra: (0..n % 3).map(|i| (format!("k{i}"), i as u32)).collect(),
            badge: (n % 5 == 2).then_some("Acme"),
        }
    }

    /// Each value written over each other (and over values of other
    /// kinds) is the value made afresh.
    #[test]
    fn writing_over_any_value_makes_what_to_value_makes() {
        let mut olds: Vec<Value> = (0..12)
            .map(|n| serde_json::to_value(page(n)).unwrap())
            .collect();
        olds.extend([
            Value::Null,
            Value::from("text"),
            serde_json::json!([1, 2]),
            serde_json::json!({}),
        ]);
        for new in (0..12).map(page) {
            let expected = serde_json::to_value(&new).unwrap();
            for old in &olds {
                let mut slot = old.clone();
                overwrite(&mut slot, &new).unwrap();
                assert_eq!(slot, expected, "over {old}");
            }
        }
    }

    /// The point of it: strings and arrays keep their buffers.
    #[test]
    fn a_value_of_the_same_shape_keeps_its_buffers() {
        let mut slot = serde_json::to_value(page(3)).unwrap();
        let buffer = |slot: &Value| slot["crumbs"][2]["title"].as_str().unwrap().as_ptr();
        let crumbs = |slot: &Value| slot["crumbs"].as_array().unwrap().as_ptr();
        let (before, list) = (buffer(&slot), crumbs(&slot));
        overwrite(&mut slot, &page(11)).unwrap();
        assert_eq!(slot, serde_json::to_value(page(11)).unwrap());
        assert_eq!((buffer(&slot), crumbs(&slot)), (before, list));
    }

    /// Fields declared out of key order: the value is made afresh, the
    /// same.
    #[test]
    fn fields_out_of_key_order_make_the_value_afresh() {
        #[derive(Serialize)]
        struct Unsorted {
            url: &'static str,
            title: String,
        }
        let value = |n: usize| Unsorted {
            url: "u",
            title: "t".repeat(n),
        };
        let mut slot = serde_json::to_value(value(1)).unwrap();
        overwrite(&mut slot, &value(2)).unwrap();
        assert_eq!(slot, serde_json::json!({"title": "tt", "url": "u"}));
    }

    /// An object with as many fields but other names: none of the old
    /// names may be left.
    #[test]
    fn an_object_with_other_fields_is_made_again() {
        #[derive(Serialize)]
        struct Other {
            name: &'static str,
            url: &'static str,
        }
        let mut slot = serde_json::to_value(link("Before")).unwrap();
        let other = Other {
            name: "n",
            url: "u",
        };
        overwrite(&mut slot, &other).unwrap();
        assert_eq!(slot, serde_json::json!({"name": "n", "url": "u"}));
    }
}
