//! `convert_addresses`: a batch of addresses as the flat columns of a bulk
//! conversion, `dancu_core::report::AddressRow` (the columns of `dancu
//! address convert-file`, [`ROW_COLUMNS`]), one Python list per column.
//!
//! Built for millions of rows: the workers resolve each address and build
//! its row with the GIL released; the calling thread, one chunk at a time
//! with the GIL held, only puts each value's object into its column. The
//! columns are made at their full length first (filled with `None`, which
//! empty values leave as they are); a `str` is made once per unit name or
//! code (they are the gazetteer's `&'static str`) and shared by every row
//! naming it; `True`, `False` and `None` are singletons. No dict per row,
//! no nested object: about 10 object stores per row in place of the ~65
//! objects of an address report.

use dancu_core::CalendarDate;
use dancu_core::admin::resolve;
use dancu_core::report::{AddressRow, ROW_COLUMNS, RowValue};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyList};
use std::borrow::Cow;

use crate::batch::{ADDRESSES, Item, run_chunks};
use crate::to_py::{Keys, with_keys};

/// The columns of `items`' rows: a dict of [`ROW_COLUMNS`], in order, each
/// a list with one value per item.
pub(crate) fn convert(
    py: Python<'_>,
    items: &[Item],
    threads: usize,
    on: Option<CalendarDate>,
) -> PyResult<Py<PyDict>> {
    let n = items.len();
    let nones = PyList::new(py, [py.None()])?;
    let columns = ROW_COLUMNS
        .iter()
        .map(|_| Ok(nones.mul(n)?.cast_into::<PyList>()?.unbind()))
        .collect::<PyResult<Vec<Py<PyList>>>>()?;
    run_chunks(
        py,
        items,
        ADDRESSES.with_threads(threads),
        |text| AddressRow::new(&resolve(text), on),
        |py, start, rows| {
            with_keys(py, |keys| {
                let lists: Vec<&Bound<'_, PyList>> = columns.iter().map(|c| c.bind(py)).collect();
                for (i, row) in rows.iter().enumerate() {
                    for (list, value) in lists.iter().zip(row.values()) {
                        put(py, keys, list, start.saturating_add(i), value)?;
                    }
                }
                Ok(())
            })
        },
    )?;
    let dict = PyDict::new(py);
    with_keys(py, |keys| {
        for (name, column) in ROW_COLUMNS.iter().zip(columns) {
            dict.set_item(keys.get(py, name), column)?;
        }
        PyResult::Ok(())
    })?;
    Ok(dict.unbind())
}

/// Stores `value` at `index` of `list` (which holds `None` there).
fn put(
    py: Python<'_>,
    keys: &mut Keys,
    list: &Bound<'_, PyList>,
    index: usize,
    value: RowValue<'_>,
) -> PyResult<()> {
    match value {
        RowValue::Null => Ok(()),
        RowValue::Bool(b) => list.set_item(index, PyBool::new(py, b)),
        RowValue::Number(text) => {
            // The core's three-decimal text of a value in 0–1: always a number.
            let x: f64 = text.parse().unwrap_or(f64::NAN);
            list.set_item(index, PyFloat::new(py, x))
        }
        RowValue::Text(Cow::Borrowed(text)) => list.set_item(index, keys.static_str(py, text)),
        RowValue::Text(Cow::Owned(text)) => list.set_item(index, keys.text(py, text)),
    }
}
