//! A serde serializer that builds Python objects: the core's report types
//! (`dancu_core::report`) become `dict`s with exactly the keys, order and
//! values their JSON has, without a second list of fields.
//!
//! JSON's data model is kept: tuples and sequences become `list`s, maps and
//! structs `dict`s, `Option::None` and unit `None`, unit variants their name.
//! Struct field names are `&'static str`; each becomes one interned Python
//! `str`, created once per process and reused ([`Keys`]), which is most of
//! the cost of building a small `dict`.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Mutex, TryLockError};

use pyo3::IntoPyObjectExt;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString};
use serde::Serialize;
use serde::ser;

/// The interned Python strings of struct field names, by the address and
/// length of the `&'static str`.
#[derive(Default)]
pub(crate) struct Keys {
    map: HashMap<(usize, usize), Py<PyString>, BuildHasherDefault<AddressHasher>>,
    /// Where each struct's template is in `templates`, by the address of
    /// the struct's name.
    template_index: HashMap<usize, usize, BuildHasherDefault<AddressHasher>>,
    templates: Vec<Template>,
    strings: Strings,
    /// The `str` object whose UTF-8 text is being converted (a report's
    /// `input`): the text at that very address is that object.
    own: Option<(usize, usize, Py<PyString>)>,
    /// `str` values of `&'static str` (unit names and codes, labels), by
    /// address and length: bounded by the gazetteer, one object each.
    statics: HashMap<(usize, usize), Py<PyString>, BuildHasherDefault<AddressHasher>>,
}

/// The longest string value [`Strings`] keeps.
const SHORT: usize = 48;

/// Recently made short `str` values, by content: unit names and codes,
/// kinds, provinces repeat from one report to the next, and a Python `str`
/// is immutable, so one object serves them all. Direct-mapped: a slot holds
/// the last string that hashed to it, compared byte for byte before use.
struct Strings {
    slots: Vec<Option<Slot>>,
}

/// One string of [`Strings`]: its UTF-8 bytes (length, then the bytes
/// padded with zeros) and the Python object.
struct Slot {
    len: u8,
    text: [u8; SHORT],
    obj: Py<PyString>,
}

impl Default for Strings {
    fn default() -> Self {
        Self {
            slots: std::iter::repeat_with(|| None).take(Self::SLOTS).collect(),
        }
    }
}

impl Strings {
    const SLOTS: usize = 4096;

    fn get<'py>(&mut self, py: Python<'py>, v: &str) -> Bound<'py, PyString> {
        let bytes = v.as_bytes();
        if bytes.len() > SHORT {
            return PyString::new(py, v);
        }
        let mut h = AddressHasher::default();
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            h.write_u64(u64::from_le_bytes(word));
        }
        h.write_usize(bytes.len());
        // Truncation is the point: the hash picks a slot.
        let slot = &mut self.slots[(h.finish() >> 20) as usize % Self::SLOTS];
        if let Some(hit) = slot
            .as_ref()
            .filter(|c| usize::from(c.len) == bytes.len() && &c.text[..bytes.len()] == bytes)
        {
            return hit.obj.bind(py).clone();
        }
        let s = PyString::new(py, v);
        let mut text = [0u8; SHORT];
        text[..bytes.len()].copy_from_slice(bytes);
        // `bytes.len() <= SHORT` fits in a u8.
        *slot = Some(Slot {
            len: bytes.len() as u8,
            text,
            obj: s.clone().unbind(),
        });
        s
    }
}

/// A fixed buffer that `Display` writes into, for `collect_str` without a
/// heap allocation; `None` once the text does not fit.
struct ShortText {
    buf: [u8; SHORT],
    len: Option<usize>,
}

impl fmt::Write for ShortText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let Some(len) = self.len else {
            return Err(fmt::Error);
        };
        let end = len.saturating_add(s.len());
        match self.buf.get_mut(len..end) {
            Some(dst) => {
                dst.copy_from_slice(s.as_bytes());
                self.len = Some(end);
                Ok(())
            }
            None => {
                self.len = None;
                Err(fmt::Error)
            }
        }
    }
}

/// The last dict built for a struct (by the address of its name): its
/// field names in order, their interned keys and a dict with those keys
/// (every value `None`). A struct whose fields come as the template's is
/// built by copying it and setting the values as they come: no rehashing,
/// no resizing, no list of fields.
struct Template {
    fields: Vec<&'static str>,
    keys: Vec<Py<PyString>>,
    dict: Py<PyDict>,
    /// How many structs are being built from it: it is only replaced when
    /// none is (a struct may contain one of its own type).
    active: u32,
}

/// A hasher for the addresses of a few dozen static strings: one multiply
/// per word instead of SipHash (the keys are not attacker-chosen).
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Keys {
    /// A copy of the template of struct `name`, if it has one.
    fn start_struct<'py>(
        &mut self,
        py: Python<'py>,
        name: &'static str,
    ) -> PyResult<Option<(usize, Bound<'py, PyDict>)>> {
        let Some(&index) = self.template_index.get(&(name.as_ptr() as usize)) else {
            return Ok(None);
        };
        let t = &mut self.templates[index];
        let dict = t.dict.bind(py).copy()?;
        t.active = t.active.saturating_add(1);
        Ok(Some((index, dict)))
    }

    /// A dict of `fields`, in order (values `None` included), made anew;
    /// it becomes the template of struct `name` unless that one is in use.
    fn fresh_struct<'py>(
        &mut self,
        py: Python<'py>,
        name: &'static str,
        fields: Vec<(&'static str, Bound<'py, PyAny>)>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        let template = PyDict::new(py);
        let mut keys = Vec::with_capacity(fields.len());
        for (k, v) in &fields {
            let key = self.get(py, k);
            dict.set_item(&key, v)?;
            template.set_item(&key, py.None())?;
            keys.push(key.unbind());
        }
        let new = Template {
            fields: fields.iter().map(|(k, _)| *k).collect(),
            keys,
            dict: template.unbind(),
            active: 0,
        };
        match self.template_index.get(&(name.as_ptr() as usize)) {
            Some(&i) if self.templates[i].active == 0 => self.templates[i] = new,
            Some(_) => {}
            None => {
                self.template_index
                    .insert(name.as_ptr() as usize, self.templates.len());
                self.templates.push(new);
            }
        }
        Ok(dict)
    }

    /// The `str` of a static text value, made once.
    pub(crate) fn static_str<'py>(
        &mut self,
        py: Python<'py>,
        text: &'static str,
    ) -> &Bound<'py, PyString> {
        self.statics
            .entry((text.as_ptr() as usize, text.len()))
            .or_insert_with(|| PyString::new(py, text).unbind())
            .bind(py)
    }

    /// The `str` of any other text value: a short one from the cache of
    /// recent values, a long one made anew.
    pub(crate) fn text<'py>(&mut self, py: Python<'py>, text: &str) -> Bound<'py, PyString> {
        self.strings.get(py, text)
    }

    /// The interned `str` of a field or column name, made once.
    pub(crate) fn get<'py>(&mut self, py: Python<'py>, key: &'static str) -> Bound<'py, PyString> {
        self.map
            .entry((key.as_ptr() as usize, key.len()))
            .or_insert_with(|| PyString::intern(py, key).unbind())
            .bind(py)
            .clone()
    }
}

static KEYS: PyOnceLock<Mutex<Keys>> = PyOnceLock::new();

/// Runs `f` with the process-wide key cache (one lock for a whole object
/// or a whole chunk of a batch). The lock is only tried: should it be held
/// (a finalizer run by the allocator calling back into dancu, or another
/// thread let in while this one builds objects), `f` gets an empty cache
/// of its own instead of waiting, so no thread can wait on another that
/// waits for the GIL.
pub(crate) fn with_keys<R>(py: Python<'_>, f: impl FnOnce(&mut Keys) -> R) -> R {
    let lock = KEYS.get_or_init(py, Mutex::default);
    match lock.try_lock() {
        Ok(mut keys) => f(&mut keys),
        // A panic while the cache was held cannot leave it inconsistent
        // (entries are inserted whole): keep using it.
        Err(TryLockError::Poisoned(poisoned)) => f(&mut poisoned.into_inner()),
        Err(TryLockError::WouldBlock) => f(&mut Keys::default()),
    }
}

/// Converts `value` to a Python object through its `Serialize` impl.
pub(crate) fn to_py<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    keys: &mut Keys,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    nested(py, keys, value).map_err(|e| {
        // The structs left unfinished no longer use their templates.
        for t in &mut keys.templates {
            t.active = 0;
        }
        e.0
    })
}

/// [`to_py`] for a value whose text `input` was read from the `str`
/// object `own` (borrowing its UTF-8 buffer): that text becomes `own`
/// itself, not a copy, when `own` is exactly a `str`.
pub(crate) fn to_py_with_input<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    keys: &mut Keys,
    value: &T,
    input: &str,
    own: &Bound<'py, PyString>,
) -> PyResult<Bound<'py, PyAny>> {
    if !own.is_exact_instance_of::<PyString>() {
        return to_py(py, keys, value);
    }
    keys.own = Some((input.as_ptr() as usize, input.len(), own.clone().unbind()));
    let out = to_py(py, keys, value);
    keys.own = None;
    out
}

/// A Python error raised while serialising.
#[derive(Debug)]
pub(crate) struct Error(PyErr);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self(PyValueError::new_err(msg.to_string()))
    }
}

impl From<PyErr> for Error {
    fn from(e: PyErr) -> Self {
        Self(e)
    }
}

struct Ser<'py, 'k> {
    py: Python<'py>,
    keys: &'k mut Keys,
}

impl<'py> Ser<'py, '_> {
    fn any(&self, v: impl IntoPyObject<'py>) -> Result<Bound<'py, PyAny>, Error> {
        v.into_bound_py_any(self.py).map_err(Error)
    }
}

/// `value`, or `{variant: value}` (serde_json's form of a non-unit enum
/// variant).
fn wrap<'py>(
    py: Python<'py>,
    variant: Option<&str>,
    value: Bound<'py, PyAny>,
) -> Result<Bound<'py, PyAny>, Error> {
    match variant {
        Some(name) => {
            let d = PyDict::new(py);
            d.set_item(name, value)?;
            Ok(d.into_any())
        }
        None => Ok(value),
    }
}

/// `value` as a Python object, with `keys`.
fn nested<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    keys: &mut Keys,
    value: &T,
) -> Result<Bound<'py, PyAny>, Error> {
    value.serialize(Ser { py, keys })
}

/// A list or tuple being built; for a tuple or struct variant, the name of
/// the variant that wraps it.
struct SeqSer<'py, 'k> {
    py: Python<'py>,
    keys: &'k mut Keys,
    items: Vec<Bound<'py, PyAny>>,
    variant: Option<&'static str>,
}

impl<'py> SeqSer<'py, '_> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let v = nested(self.py, self.keys, value)?;
        self.items.push(v);
        Ok(())
    }

    fn finish(self) -> Result<Bound<'py, PyAny>, Error> {
        let list = PyList::new(self.py, self.items)?.into_any();
        wrap(self.py, self.variant, list)
    }
}

/// A struct or struct variant being built: into a copy of its template
/// while its fields come as the template's, else gathered for a dict made
/// at the end.
struct StructSer<'py, 'k> {
    py: Python<'py>,
    keys: &'k mut Keys,
    name: &'static str,
    building: Building<'py>,
    variant: Option<&'static str>,
}

enum Building<'py> {
    /// A copy of template `index`, whose first `next` fields have come.
    Copy {
        dict: Bound<'py, PyDict>,
        index: usize,
        next: usize,
    },
    /// The fields so far.
    Fresh(Vec<(&'static str, Bound<'py, PyAny>)>),
}

impl<'py> StructSer<'py, '_> {
    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        let v = nested(self.py, self.keys, value)?;
        if let Building::Copy { dict, index, next } = &mut self.building {
            let t = &self.keys.templates[*index];
            if t.fields.get(*next).is_some_and(|f| std::ptr::eq(*f, key)) {
                // Every key of the copy holds None already.
                if !v.is_none() {
                    dict.set_item(t.keys[*next].bind(self.py), v)?;
                }
                *next = next.saturating_add(1);
                return Ok(());
            }
            self.leave_template()?;
        }
        if let Building::Fresh(fields) = &mut self.building {
            fields.push((key, v));
        }
        Ok(())
    }

    /// From a copy of the template to gathered fields: the ones that came.
    fn leave_template(&mut self) -> Result<(), Error> {
        if let Building::Copy { dict, index, next } = &self.building {
            let t = &mut self.keys.templates[*index];
            let mut fields = Vec::with_capacity(t.fields.len().saturating_add(1));
            for (name, key) in t.fields.iter().zip(&t.keys).take(*next) {
                let v = dict
                    .get_item(key.bind(self.py))?
                    .unwrap_or_else(|| self.py.None().into_bound(self.py));
                fields.push((*name, v));
            }
            t.active = t.active.saturating_sub(1);
            self.building = Building::Fresh(fields);
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Bound<'py, PyAny>, Error> {
        if let Building::Copy { index, next, .. } = &self.building
            && *next < self.keys.templates[*index].fields.len()
        {
            self.leave_template()?;
        }
        let dict = match self.building {
            Building::Copy { dict, index, .. } => {
                let t = &mut self.keys.templates[index];
                t.active = t.active.saturating_sub(1);
                dict
            }
            Building::Fresh(fields) => self.keys.fresh_struct(self.py, self.name, fields)?,
        };
        wrap(self.py, self.variant, dict.into_any())
    }
}

/// A map being built.
struct DictSer<'py, 'k> {
    py: Python<'py>,
    keys: &'k mut Keys,
    dict: Bound<'py, PyDict>,
    key: Option<Bound<'py, PyAny>>,
}

/// Integers become Python `int`s.
macro_rules! integers {
    ($($method:ident: $ty:ty),*) => {$(
        fn $method(self, v: $ty) -> Result<Self::Ok, Error> {
            self.any(v)
        }
    )*};
}

impl<'py, 'k> ser::Serializer for Ser<'py, 'k> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    type SerializeSeq = SeqSer<'py, 'k>;
    type SerializeTuple = SeqSer<'py, 'k>;
    type SerializeTupleStruct = SeqSer<'py, 'k>;
    type SerializeTupleVariant = SeqSer<'py, 'k>;
    type SerializeMap = DictSer<'py, 'k>;
    type SerializeStruct = StructSer<'py, 'k>;
    type SerializeStructVariant = StructSer<'py, 'k>;

    fn serialize_bool(self, v: bool) -> Result<Self::Ok, Error> {
        Ok(PyBool::new(self.py, v).to_owned().into_any())
    }
    integers!(
        serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_u128: u128
    );
    fn serialize_f32(self, v: f32) -> Result<Self::Ok, Error> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<Self::Ok, Error> {
        // serde_json writes a non-finite float as null.
        if v.is_finite() {
            Ok(PyFloat::new(self.py, v).into_any())
        } else {
            Ok(self.py.None().into_bound(self.py))
        }
    }
    fn serialize_char(self, v: char) -> Result<Self::Ok, Error> {
        let mut buf = [0; 4];
        self.serialize_str(v.encode_utf8(&mut buf))
    }
    fn serialize_str(self, v: &str) -> Result<Self::Ok, Error> {
        if let Some((at, len, own)) = &self.keys.own
            && v.as_ptr() as usize == *at
            && v.len() == *len
        {
            return Ok(own.bind(self.py).clone().into_any());
        }
        Ok(self.keys.strings.get(self.py, v).into_any())
    }
    fn collect_str<T: fmt::Display + ?Sized>(self, value: &T) -> Result<Self::Ok, Error> {
        use fmt::Write as _;
        let mut short = ShortText {
            buf: [0; SHORT],
            len: Some(0),
        };
        let written = write!(short, "{value}").is_ok();
        if let Some(text) = short
            .len
            .filter(|_| written)
            .and_then(|n| std::str::from_utf8(&short.buf[..n]).ok())
        {
            return self.serialize_str(text);
        }
        self.serialize_str(&value.to_string())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Self::Ok, Error> {
        Ok(PyBytes::new(self.py, v).into_any())
    }
    fn serialize_none(self) -> Result<Self::Ok, Error> {
        Ok(self.py.None().into_bound(self.py))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Self::Ok, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Self::Ok, Error> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Self::Ok, Error> {
        self.serialize_none()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Self::Ok, Error> {
        Ok(self.keys.get(self.py, variant).into_any())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Self::Ok, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Self::Ok, Error> {
        let v = nested(self.py, self.keys, value)?;
        wrap(self.py, Some(variant), v)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Ok(SeqSer {
            py: self.py,
            keys: self.keys,
            items: Vec::with_capacity(len.unwrap_or(0)),
            variant: None,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        let mut s = self.serialize_seq(Some(len))?;
        s.variant = Some(variant);
        Ok(s)
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Ok(DictSer {
            dict: PyDict::new(self.py),
            py: self.py,
            keys: self.keys,
            key: None,
        })
    }
    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        let building = match self.keys.start_struct(self.py, name)? {
            Some((index, dict)) => Building::Copy {
                dict,
                index,
                next: 0,
            },
            None => Building::Fresh(Vec::with_capacity(len)),
        };
        Ok(StructSer {
            py: self.py,
            keys: self.keys,
            name,
            building,
            variant: None,
        })
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        // A variant's fields differ from its siblings': its name is the key.
        let mut s = self.serialize_struct(variant, len)?;
        s.variant = Some(variant);
        Ok(s)
    }
}

/// The four sequence traits: each element is pushed, the list finished.
macro_rules! seq_impls {
    ($($trait:ident :: $method:ident),*) => {$(
        impl<'py> ser::$trait for SeqSer<'py, '_> {
            type Ok = Bound<'py, PyAny>;
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.push(value)
            }
            fn end(self) -> Result<Self::Ok, Error> {
                self.finish()
            }
        }
    )*};
}

seq_impls!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl<'py> ser::SerializeMap for DictSer<'py, '_> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        // JSON object keys are strings; serde_json writes integer and bool
        // keys as strings, and so does this.
        let k = nested(self.py, self.keys, key)?;
        let k = if k.is_instance_of::<PyString>() {
            k
        } else if let Ok(b) = k.cast::<PyBool>() {
            PyString::new(self.py, if b.is_true() { "true" } else { "false" }).into_any()
        } else if k.is_instance_of::<PyInt>() {
            k.str()?.into_any()
        } else {
            return Err(ser::Error::custom(
                "a map key must be a string, an integer or a bool",
            ));
        };
        self.key = Some(k);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let v = nested(self.py, self.keys, value)?;
        match self.key.take() {
            Some(k) => self.dict.set_item(k, v)?,
            None => return Err(ser::Error::custom("a map value came without its key")),
        }
        Ok(())
    }
    fn end(self) -> Result<Self::Ok, Error> {
        Ok(self.dict.into_any())
    }
}

/// The two struct traits: each field is gathered, the dict built at the end.
macro_rules! struct_impls {
    ($($trait:ident),*) => {$(
        impl<'py> ser::$trait for StructSer<'py, '_> {
            type Ok = Bound<'py, PyAny>;
            type Error = Error;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Error> {
                self.field(key, value)
            }
            fn end(self) -> Result<Self::Ok, Error> {
                self.finish()
            }
        }
    )*};
}

struct_impls!(SerializeStruct, SerializeStructVariant);
