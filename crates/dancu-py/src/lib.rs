//! The extension module `dancu._dancu` behind the Python package `dancu`:
//! the identity model and the administrative units of both eras of
//! `dancu-core`, with the GIL released and every core used for batches.
//!
//! Every `dict` it returns is one of the core's report types
//! (`dancu_core::report`) turned into Python objects through serde
//! (`to_py`): the same keys and values as the command line's `--json`,
//! from the one definition of each shape.

// Nothing from the network, a file or the command line may panic this crate:
// no unwrap, expect or panic outside tests (clippy, under `-D warnings` in CI).
// No arithmetic that can overflow either: checked or saturating operations,
// or an `allow` that states the bound.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::arithmetic_side_effects
    )
)]

use std::borrow::Cow;

use dancu_core::admin::resolve;
use dancu_core::identity::{IdNumber, IdNumberError};
use dancu_core::report::{self, AddressReport, IdReport, UnitEra};
use dancu_core::{CalendarDate, FullName, NameError};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString, PyType};
use serde_json::Value;

mod batch;
mod columns;
mod to_py;

use batch::{Item, collect, text_arg, thread_count};
use to_py::{Keys, to_py, to_py_with_input, with_keys};

/// An exception of `dancu/_errors.py` (the class `name`, imported once
/// into `cell`), made with `args`.
fn dancu_error<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyType>>,
    name: &str,
    args: impl pyo3::call::PyCallArgs<'py>,
) -> PyErr {
    match cell
        .import(py, "dancu._errors", name)
        .and_then(|c| c.call1(args))
    {
        Ok(exc) => PyErr::from_value(exc),
        Err(err) => err,
    }
}

static INVALID_ID: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static INVALID_NAME: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static UNKNOWN_UNIT: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn invalid_id(py: Python<'_>, e: &IdNumberError) -> PyErr {
    let kind = e.kind().map(|k| k.as_str());
    dancu_error(
        py,
        &INVALID_ID,
        "InvalidId",
        (e.to_string(), e.code(), kind),
    )
}

fn invalid_name(py: Python<'_>, e: &NameError) -> PyErr {
    dancu_error(py, &INVALID_NAME, "InvalidName", (e.to_string(),))
}

fn unknown_unit(py: Python<'_>, message: &str) -> PyErr {
    dancu_error(py, &UNKNOWN_UNIT, "UnknownUnit", (message,))
}

/// The `{"input", "error"}` object of an unknown or malformed code, as an
/// `UnknownUnit` exception; any other object is returned.
fn unit_or_raise(py: Python<'_>, v: Value) -> PyResult<Value> {
    match v.get("error").and_then(Value::as_str) {
        Some(message) => Err(unknown_unit(py, message)),
        None => Ok(v),
    }
}

/// A reference date: `None`, a `datetime.date` (or anything with integer
/// `year`, `month`, `day`), or `"YYYY-MM-DD"`.
fn date_arg(on: Option<&Bound<'_, PyAny>>) -> PyResult<Option<CalendarDate>> {
    let Some(on) = on.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    if on.is_instance_of::<PyString>() {
        return text_arg(on, "on")?
            .parse()
            .map(Some)
            .map_err(|e| PyValueError::new_err(format!("on: {e}")));
    }
    let part = |name: &str| -> PyResult<u32> {
        on.getattr(name)
            .and_then(|v| v.extract::<u32>())
            .map_err(|_| {
                PyTypeError::new_err("on must be a datetime.date, a \"YYYY-MM-DD\" str or None")
            })
    };
    let (y, m, d) = (part("year")?, part("month")?, part("day")?);
    CalendarDate::new(y, m, d)
        .map(Some)
        .map_err(|e| PyValueError::new_err(format!("on: {e}")))
}

/// The reference date of an identity check: `on`, or today in Vietnam.
fn id_date(on: Option<&Bound<'_, PyAny>>) -> PyResult<CalendarDate> {
    Ok(date_arg(on)?.unwrap_or_else(CalendarDate::today_in_vietnam))
}

/// A batch item's report as a `dict`: its `input` is the item's own `str`;
/// for a missing item, `None`.
fn report_dict<'py, T: serde::Serialize>(
    py: Python<'py>,
    keys: &mut Keys,
    item: &Item,
    report: &T,
) -> PyResult<Bound<'py, PyAny>> {
    match item {
        Item::Text(text) => to_py_with_input(py, keys, report, text, text.as_py_str().bind(py)),
        Item::Lossy(_) => to_py(py, keys, report),
        Item::Missing => {
            let obj = to_py(py, keys, report)?;
            obj.cast::<PyDict>()?.set_item("input", py.None())?;
            Ok(obj)
        }
    }
}

/// A single call's report of `text`, read from the argument `arg`, as a
/// `dict`: its `input` is `arg` itself when `text` is borrowed from it.
fn single_report<'py, T: serde::Serialize>(
    py: Python<'py>,
    arg: &Bound<'py, PyAny>,
    text: &str,
    borrowed: bool,
    report: &T,
) -> PyResult<Bound<'py, PyAny>> {
    with_keys(py, |keys| match arg.cast::<PyString>() {
        Ok(own) if borrowed => to_py_with_input(py, keys, report, text, own),
        _ => to_py(py, keys, report),
    })
}

/// Inspects one identity number (CCCD / personal ID, CMND, passport, tax
/// code) and returns what `dancu id inspect --json` prints for it: a dict
/// with `input`, `valid`, `kind`, `canonical`, `registration`, `gender`,
/// `birth_year`, `document_valid_on`, `document_valid_until` (a CMND's
/// validity on `on`; None for other numbers) and `error` (None).
///
/// `on` is the reference date for the birth-year check: a `datetime.date`,
/// `"YYYY-MM-DD"`, or None for today in Vietnam (UTC+7).
///
/// Raises `dancu.InvalidId` (a `ValueError`) when the number is not valid;
/// its `.code` is the stable error code (`wrong_length`,
/// `invalid_character`, `unknown_registration_code`,
/// `implausible_birth_year`, `invalid_check_digit`, ...) and `.kind` the
/// shape it was read as. The message never repeats the number.
#[pyfunction]
#[pyo3(signature = (text, on = None))]
fn inspect_id<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyAny>,
    on: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let on = id_date(on)?;
    let arg = text;
    let text = text_arg(arg, "text")?;
    let parsed = IdNumber::parse_on(&text, on);
    if let Err(e) = &parsed {
        return Err(invalid_id(py, e));
    }
    let borrowed = matches!(text, Cow::Borrowed(_));
    single_report(py, arg, &text, borrowed, &IdReport::new(&text, &parsed, on))
}

/// Inspects every identity number of `ids` (any iterable of str: a list, a
/// generator, a pandas Series) and returns one dict per item, in order,
/// each exactly what `inspect_id` returns for a valid number and, for an
/// invalid one, `valid` False with `error` = `{"code", "message"}`. Never
/// raises for a bad item. `None` and NaN (missing values) are reported as
/// empty inputs with `input` None; any other non-str item is a `TypeError`
/// raised before any work is done.
///
/// The GIL is released while the numbers are parsed on `threads` threads
/// (default: every core).
#[pyfunction]
#[pyo3(signature = (ids, on = None, threads = None))]
fn inspect_ids<'py>(
    py: Python<'py>,
    ids: &Bound<'py, PyAny>,
    on: Option<&Bound<'py, PyAny>>,
    threads: Option<usize>,
) -> PyResult<Py<PyList>> {
    let on = id_date(on)?;
    let threads = thread_count(threads)?;
    let items = collect(ids)?;
    batch::run(
        py,
        &items,
        batch::IDS.with_threads(threads),
        |text| IdNumber::parse_on(text, on),
        |py, keys, item, parsed| {
            report_dict(py, keys, item, &IdReport::new(item.text(), &parsed, on))
        },
    )
}

/// Resolves one free-text address, written in either era (63 provinces
/// with districts, before 2025-07-01; or 34 provinces, from 2025-07-01),
/// and returns what `dancu address resolve --json` prints for it: a dict
/// with `input`, `resolved`, `era`, `legacy`, `current`, `detail`,
/// `confidence` and `candidates`.
///
/// An address that names several units is not an error: `resolved` is
/// False and `candidates` lists them. `on` names 2025 units as on that date
/// (e.g. after Đồng Nai's 2026-04-30 changes); None keeps the data's names.
#[pyfunction]
#[pyo3(signature = (text, on = None))]
fn resolve_address<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyAny>,
    on: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let on = date_arg(on)?;
    let arg = text;
    let text = text_arg(arg, "text")?;
    let r = resolve(&text);
    let borrowed = matches!(text, Cow::Borrowed(_));
    single_report(py, arg, &text, borrowed, &AddressReport::new(&text, &r, on))
}

/// Resolves every address of `texts` (any iterable of str: a list, a
/// generator, a pandas Series) and returns one dict per item, in order,
/// each exactly what `resolve_address` returns. `None` and NaN are
/// reported as empty inputs with `input` None; any other non-str item is a
/// `TypeError` raised before any work is done.
///
/// The GIL is released and the addresses are resolved on `threads` threads
/// (default: every core) while this thread builds the dicts.
#[pyfunction]
#[pyo3(signature = (texts, threads = None, on = None))]
fn resolve_addresses<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    threads: Option<usize>,
    on: Option<&Bound<'py, PyAny>>,
) -> PyResult<Py<PyList>> {
    let on = date_arg(on)?;
    let threads = thread_count(threads)?;
    let items = collect(texts)?;
    batch::run(
        py,
        &items,
        batch::ADDRESSES.with_threads(threads),
        resolve,
        |py, keys, item, r| report_dict(py, keys, item, &AddressReport::new(item.text(), &r, on)),
    )
}

/// Converts every address of `texts` (any iterable of str: a list, a
/// generator, a pandas Series) and returns the columns `dancu address
/// convert-file` adds to each row, as a dict of lists, one value per item,
/// in order; `pd.DataFrame(result)` is the table.
///
/// The keys, in order: `status` (`"resolved"`, `"ambiguous"`: several
/// units are possible, none is guessed; `"unresolved"`), `era` (`"legacy"`
/// or `"2025"`), `legacy_province_code`, `legacy_province`,
/// `legacy_district_code`, `legacy_district`, `legacy_commune_code`,
/// `legacy_commune` (what a legacy text names), `province_code`,
/// `province`, `commune_code`, `commune` (the 2025 units; for a split
/// legacy commune its default target), `alternatives` (the other targets,
/// `"code name; code name"`), `historical_code`, `historical`,
/// `historical_until` (a commune merged away before 2025-06-30),
/// `confidence` (float, 0-1) and `resolved` (bool). A value that does not
/// apply is None. Each row equals the CLI's JSON Lines row.
///
/// `None` and NaN are converted as empty addresses (unresolved); any other
/// non-str item is a `TypeError` raised before any work is done. Never
/// raises for a bad address. `on` names 2025 units as on that date. The
/// GIL is released and the addresses are resolved on `threads` threads
/// (default: every core) while this thread fills the columns.
#[pyfunction]
#[pyo3(signature = (texts, threads = None, on = None))]
fn convert_addresses<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    threads: Option<usize>,
    on: Option<&Bound<'py, PyAny>>,
) -> PyResult<Py<PyDict>> {
    let on = date_arg(on)?;
    let threads = thread_count(threads)?;
    let items = collect(texts)?;
    columns::convert(py, &items, threads, on)
}

fn code_text<'a>(code: &'a Bound<'_, PyAny>) -> PyResult<Cow<'a, str>> {
    text_arg(code, "code")
}

/// Converts a legacy code to the 2025 scheme and returns what `dancu
/// address convert --json` prints: for a 5-digit commune code its
/// `legacy` units, `split`, the `default` target and every target; for a
/// 3-digit district code its 2025 province, special zone and uncoded
/// areas; for a 2-digit province code its successor.
///
/// Raises `dancu.UnknownUnit` (a `LookupError` and a `ValueError`) for a
/// malformed code or one no legacy unit has.
#[pyfunction]
fn conversion<'py>(py: Python<'py>, code: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let code = code_text(code)?;
    let v = unit_or_raise(py, report::conversion(code.trim()))?;
    with_keys(py, |keys| to_py(py, keys, &v))
}

/// The 2025 communes a legacy commune (5-digit code) became: a list of
/// dicts with `code`, `name`, `province`, `kind` (`full`, `unchanged`,
/// `renamed`, `partial`, `special_zone`) and `default` (exactly one is
/// True). A commune that was split has several. These are the `targets` of
/// `conversion(code)`.
///
/// Raises `dancu.UnknownUnit` for a malformed code, a code no legacy
/// commune has, or a district or province code (use `conversion`).
#[pyfunction]
fn convert<'py>(
    py: Python<'py>,
    legacy_commune_code: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let code = code_text(legacy_commune_code)?;
    let mut v = unit_or_raise(py, report::conversion(code.trim()))?;
    match v.get_mut("targets").map(Value::take) {
        Some(targets) => with_keys(py, |keys| to_py(py, keys, &targets)),
        None => Err(unknown_unit(
            py,
            "convert takes a 5-digit legacy commune code; use conversion() for a district or province code",
        )),
    }
}

/// Looks up a unit by its code in `era` (`"legacy"` or `"2025"`: a code
/// means nothing without its era) and returns what `dancu address show --era ERA
/// --json` prints: level, name, kind, parents, children, and successors
/// (legacy) or predecessors (2025).
///
/// Raises `dancu.UnknownUnit` for a malformed code or one no unit of that
/// era has, and `ValueError` for another era.
#[pyfunction]
#[pyo3(signature = (code, era))]
fn unit<'py>(
    py: Python<'py>,
    code: &Bound<'py, PyAny>,
    era: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let era_text = era.str()?;
    let era = match text_arg(era_text.as_any(), "era")?.as_ref() {
        "legacy" => UnitEra::Legacy,
        "2025" => UnitEra::Y2025,
        other => {
            return Err(PyValueError::new_err(format!(
                "era must be \"legacy\" or \"2025\", not {other:?}"
            )));
        }
    };
    let code = code_text(code)?;
    let v = unit_or_raise(py, report::unit(era, code.trim()))?;
    with_keys(py, |keys| to_py(py, keys, &v))
}

/// A Vietnamese full name (họ và tên), normalised: NFC, trimmed, single
/// spaces; apostrophes kept (H'Hen Niê); digits, control characters and
/// symbols rejected with `dancu.InvalidName`.
///
/// `str(name)` is the normalised name; `repr()` shows only initials.
/// `parts` is (họ, chữ đệm, tên): the first word, the middle words, the
/// last word. `folded` is the matching key without diacritics (Đ→D, upper
/// case). `agreement(other)` says how two names agree: `"identical"`,
/// `"tone_placement"` (equal ignoring case and tone-mark placement: Hòa /
/// Hoà), `"folded"` (equal only without diacritics) or `"different"`.
#[pyclass(frozen, eq, hash, module = "dancu")]
#[derive(PartialEq, Eq, Hash)]
struct Name {
    inner: FullName,
}

#[pymethods]
impl Name {
    #[new]
    fn new(py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<Self> {
        let text = text_arg(text, "text")?;
        FullName::parse(&text)
            .map(|inner| Self { inner })
            .map_err(|e| invalid_name(py, &e))
    }

    /// (họ, chữ đệm, tên) as a `dancu.NameParts` named tuple (`family`,
    /// `middle`, `given`): the first word, the middle words ("" if none),
    /// the last word. For a one-word name, ("", "", word).
    #[getter]
    fn parts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        static PARTS: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        PARTS.import(py, "dancu._types", "NameParts")?.call1((
            self.inner.family(),
            self.inner.middle(),
            self.inner.given(),
        ))
    }

    /// Họ: the first word, or "" for a one-word name.
    #[getter]
    fn family(&self) -> &str {
        self.inner.family()
    }

    /// Chữ đệm: the words between the first and the last, or "".
    #[getter]
    fn middle(&self) -> &str {
        self.inner.middle()
    }

    /// Tên: the last word.
    #[getter]
    fn given(&self) -> &str {
        self.inner.given()
    }

    /// The words of the name.
    #[getter]
    fn words(&self) -> Vec<&str> {
        self.inner.words().collect()
    }

    /// The folded matching key: no diacritics, Đ→D, upper case,
    /// apostrophes as ' ("NGUYEN VAN AN", "H'HEN NIE").
    #[getter]
    fn folded(&self) -> String {
        self.inner.folded_key()
    }

    /// The upper-case form sent to the population database ("NGUYỄN VĂN
    /// AN"), NFC.
    #[getter]
    fn upper(&self) -> String {
        self.inner.to_wire_upper()
    }

    /// How this name agrees with `other` (a `Name` or a str): "identical",
    /// "tone_placement", "folded" or "different". Raises
    /// `dancu.InvalidName` if `other` is a str that is not a name.
    fn agreement(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<&'static str> {
        if let Ok(n) = other.cast::<Self>() {
            return Ok(self.inner.agreement(&n.get().inner).as_str());
        }
        let other = Self::new(py, other)?;
        Ok(self.inner.agreement(&other.inner).as_str())
    }

    fn __str__(&self) -> &str {
        self.inner.as_str()
    }

    fn __repr__(&self) -> String {
        // The core's Debug: initials only, never the name.
        format!("<dancu.Name {:?}>", self.inner)
    }
}

/// The Python module `dancu._dancu`.
#[pymodule]
fn _dancu(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(inspect_id, m)?)?;
    m.add_function(wrap_pyfunction!(inspect_ids, m)?)?;
    m.add_function(wrap_pyfunction!(resolve_address, m)?)?;
    m.add_function(wrap_pyfunction!(resolve_addresses, m)?)?;
    m.add_function(wrap_pyfunction!(convert_addresses, m)?)?;
    m.add_function(wrap_pyfunction!(conversion, m)?)?;
    m.add_function(wrap_pyfunction!(convert, m)?)?;
    m.add_function(wrap_pyfunction!(unit, m)?)?;
    m.add_class::<Name>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
