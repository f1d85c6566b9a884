//! Batches: the inputs are read once under the GIL, the work runs on every
//! core with the GIL released, and the Python objects are built chunk by
//! chunk as the workers finish them, taking the GIL for one chunk at a
//! time so that other Python threads keep running during a long batch.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{OnceLock, mpsc};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyFloat, PyList, PyModule, PyString};

use crate::to_py::{Keys, with_keys};

/// One input of a batch.
pub(crate) enum Item {
    /// A `str`, borrowed from the Python object.
    Text(PyBackedStr),
    /// A `str` that is not valid Unicode (a lone surrogate), read with
    /// U+FFFD in place of each byte of a surrogate's UTF-8 form, as the
    /// command line reads bytes that are not UTF-8.
    Lossy(String),
    /// `None` or a float NaN: a missing value (pandas' `None`/`NaN`).
    Missing,
}

impl Item {
    /// The text to work on; a missing value is the empty text.
    pub(crate) fn text(&self) -> &str {
        match self {
            Self::Text(s) => s,
            Self::Lossy(s) => s,
            Self::Missing => "",
        }
    }
}

/// The text of a single `str` argument (lone surrogates replaced by
/// U+FFFD, never an error).
pub(crate) fn text_arg<'a>(obj: &'a Bound<'_, PyAny>, what: &str) -> PyResult<Cow<'a, str>> {
    match obj.cast::<PyString>() {
        Ok(s) => Ok(s
            .to_str()
            .map_or_else(|_| s.to_string_lossy(), Cow::Borrowed)),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{what} must be str, not {}",
            type_name(obj)
        ))),
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "an unknown type".to_owned(), |n| n.to_string())
}

/// Reads every item of `iterable`: `str`, or `None`/NaN as missing. Any
/// other type is a `TypeError` naming its position, raised before any work
/// is done (an integer would have lost an ID's leading zeros).
pub(crate) fn collect(iterable: &Bound<'_, PyAny>) -> PyResult<Vec<Item>> {
    if iterable.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(
            "expected an iterable of str, not a single str (wrap it in a list, or use the single-value function)",
        ));
    }
    let iter = iterable.try_iter()?;
    let mut items = Vec::with_capacity(iterable.len().unwrap_or(0));
    for (i, obj) in iter.enumerate() {
        let obj = obj?;
        let item = if let Ok(s) = obj.cast::<PyString>() {
            match PyBackedStr::try_from(s.clone()) {
                Ok(b) => Item::Text(b),
                Err(_) => Item::Lossy(s.to_string_lossy().into_owned()),
            }
        } else if obj.is_none() || obj.cast::<PyFloat>().is_ok_and(|f| f.value().is_nan()) {
            Item::Missing
        } else {
            return Err(PyTypeError::new_err(format!(
                "item {i} is {}, expected str or None (read ID and address columns as text, e.g. dtype=str: a number loses leading zeros)",
                type_name(&obj)
            )));
        };
        items.push(item);
    }
    Ok(items)
}

/// Pauses Python's cyclic garbage collector while it lives, if it was
/// enabled (restored on every exit path, errors included).
struct GcPause<'py> {
    gc: Option<Bound<'py, PyModule>>,
}

impl<'py> GcPause<'py> {
    fn new(py: Python<'py>) -> PyResult<Self> {
        let gc = py.import("gc")?;
        if gc.call_method0("isenabled")?.is_truthy()? {
            gc.call_method0("disable")?;
            Ok(Self { gc: Some(gc) })
        } else {
            Ok(Self { gc: None })
        }
    }
}

impl Drop for GcPause<'_> {
    fn drop(&mut self) {
        if let Some(gc) = &self.gc {
            // Re-enabling cannot fail short of the interpreter shutting down.
            let _ = gc.call_method0("enable");
        }
    }
}

/// The most worker threads a batch starts.
pub(crate) const MAX_THREADS: usize = 256;

/// The number of worker threads: `threads` (1 to [`MAX_THREADS`]), or every
/// core.
pub(crate) fn thread_count(threads: Option<usize>) -> PyResult<usize> {
    match threads {
        Some(0) => Err(PyValueError::new_err("threads must be at least 1")),
        Some(n) if n > MAX_THREADS => Err(PyValueError::new_err(format!(
            "threads must be at most {MAX_THREADS}"
        ))),
        Some(n) => Ok(n),
        None => {
            // Asking costs tens of microseconds (it reads the cgroup quota).
            static CORES: OnceLock<usize> = OnceLock::new();
            Ok(*CORES
                .get_or_init(|| std::thread::available_parallelism().map_or(1, NonZeroUsize::get)))
        }
    }
}

/// How a batch is cut into chunks.
#[derive(Clone, Copy)]
pub(crate) struct Plan {
    /// Worker threads.
    pub(crate) threads: usize,
    /// Items per chunk at most: how long the GIL is held at once.
    pub(crate) max_chunk: usize,
    /// Up to this many items are done on the calling thread, with the GIL
    /// held (starting threads would cost more than the work saves).
    pub(crate) inline: usize,
}

/// The plan of an ID batch: an ID's report is cheap, so chunks are large.
pub(crate) const IDS: Plan = Plan {
    threads: 1,
    max_chunk: 4096,
    inline: 2048,
};

/// The plan of an address batch (reports or columns): a chunk of 256
/// addresses holds the GIL for a few hundred microseconds at most.
pub(crate) const ADDRESSES: Plan = Plan {
    threads: 1,
    max_chunk: 256,
    inline: 32,
};

impl Plan {
    /// This plan on `threads` worker threads.
    pub(crate) const fn with_threads(self, threads: usize) -> Self {
        Self { threads, ..self }
    }

    /// Items per chunk: small enough that the workers and the thread
    /// building Python objects overlap, large enough that a chunk's
    /// overhead is lost.
    fn chunk_size(self, n: usize) -> usize {
        n.checked_div(self.threads.saturating_mul(8))
            .unwrap_or(n)
            .clamp(16, self.max_chunk)
    }
}

/// Runs `work` on the text of every item on `plan.threads` threads with the
/// GIL released, and `emit` on each result, in order, with the GIL held: the
/// list of what `emit` returns.
pub(crate) fn run<R, W, E>(
    py: Python<'_>,
    items: &[Item],
    plan: Plan,
    work: W,
    mut emit: E,
) -> PyResult<Py<PyList>>
where
    R: Send,
    W: Fn(&str) -> R + Sync,
    E: for<'py> FnMut(Python<'py>, &mut Keys, &Item, R) -> PyResult<Bound<'py, PyAny>> + Send,
{
    // The dicts built here hold no reference cycles: the cyclic collector
    // would only walk them again and again as the batch grows.
    let _paused = GcPause::new(py)?;
    let mut out: Vec<Py<PyAny>> = Vec::with_capacity(items.len());
    run_chunks(py, items, plan, work, |py, start, done| {
        with_keys(py, |keys| {
            for (item, r) in items[start..].iter().zip(done) {
                out.push(emit(py, keys, item, r)?.unbind());
            }
            Ok(())
        })
    })?;
    Ok(PyList::new(py, out)?.unbind())
}

/// Runs `work` on the text of every item on `plan.threads` threads with
/// the GIL released, and hands each chunk of results, in order, to `take`
/// (with the index of the chunk's first item) with the GIL held, while the
/// workers go on with the next chunks.
pub(crate) fn run_chunks<R, W, T>(
    py: Python<'_>,
    items: &[Item],
    plan: Plan,
    work: W,
    mut take: T,
) -> PyResult<()>
where
    R: Send,
    W: Fn(&str) -> R + Sync,
    T: for<'py> FnMut(Python<'py>, usize, Vec<R>) -> PyResult<()> + Send,
{
    let n = items.len();
    if n == 0 {
        return Ok(());
    }
    if n <= plan.inline {
        return take(py, 0, items.iter().map(|item| work(item.text())).collect());
    }
    let size = plan.chunk_size(n);
    let chunks = n.div_ceil(size);
    let next = AtomicUsize::new(0);
    let work = &work;
    let next_ref = &next;
    py.detach(|| {
        std::thread::scope(|s| {
            let (tx, rx) = mpsc::channel::<(usize, Vec<R>)>();
            for _ in 0..plan.threads.min(chunks) {
                let tx = tx.clone();
                s.spawn(move || {
                    loop {
                        let c = next_ref.fetch_add(1, Ordering::Relaxed);
                        if c >= chunks {
                            break;
                        }
                        // c < chunks, so c * size < n: nothing saturates.
                        let range =
                            c.saturating_mul(size)..c.saturating_add(1).saturating_mul(size).min(n);
                        let done: Vec<R> = items[range].iter().map(|it| work(it.text())).collect();
                        if tx.send((c, done)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            let mut pending = BTreeMap::new();
            let mut want = 0;
            for (c, done) in rx {
                pending.insert(c, done);
                while let Some(done) = pending.remove(&want) {
                    let taken = Python::attach(|py| {
                        // Ctrl-C stops a long batch between two chunks.
                        py.check_signals()?;
                        take(py, want.saturating_mul(size), done)
                    });
                    if let Err(e) = taken {
                        // Stop the workers: no chunk after this one is wanted.
                        next_ref.store(chunks, Ordering::Relaxed);
                        return Err(e);
                    }
                    want = want.saturating_add(1);
                }
            }
            Ok(())
        })
    })
}
