//! `dancu address convert-file`: resolve and convert every address of a CSV
//! or JSON Lines file to both eras, on every core, in constant memory.
//!
//! One thread reads the input in batches, worker threads resolve each batch
//! and format its output rows, and one thread writes the batches back in
//! input order. At most a fixed number of batches is in flight at once, so
//! memory does not grow with the file.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use dancu_core::CalendarDate;
use dancu_core::admin::resolve;
use dancu_core::report::{AddressRow, ROW_COLUMNS, RowStatus, RowValue};

/// Rows per batch handed to a worker.
const BATCH: usize = 2048;
/// Malformed rows reported one by one on standard error (all of them are
/// marked in the output's `error` column).
const REPORTED: usize = 100;

/// `dancu address convert-file …`
#[derive(Debug, Args)]
pub(crate) struct ConvertFileArgs {
    /// The input file: CSV with a header row, or JSON Lines (one object per
    /// line); `-` reads standard input.
    #[arg(value_name = "INPUT")]
    input: PathBuf,
    /// The column (CSV header) or key (JSON Lines) holding the address.
    #[arg(long, value_name = "NAME")]
    column: String,
    /// Where to write (by default standard output): the input's columns,
    /// then the conversion's.
    #[arg(long, short, value_name = "OUT")]
    output: Option<PathBuf>,
    /// Worker threads, 1 to 256 (by default one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
    /// The input format; by default JSON Lines for `.jsonl`/`.ndjson`,
    /// otherwise CSV.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// The CSV field delimiter (one ASCII character).
    #[arg(long, default_value = ",", value_name = "CHAR")]
    delimiter: char,
    /// Put this before every column name the conversion adds, when the
    /// input already has columns of those names (e.g. `dancu_`).
    #[arg(long, default_value = "", value_name = "PREFIX")]
    prefix: String,
    /// Name 2025 units as on this date (YYYY-MM-DD); by default as on
    /// 2025-07-01, the data's names.
    #[arg(long, value_name = "YYYY-MM-DD")]
    on: Option<CalendarDate>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// One input row: its line number and raw bytes (a CSV record's fields, or
/// a JSON line).
enum RowIn {
    Csv { line: u64, record: csv::ByteRecord },
    Json { line: u64, text: Vec<u8> },
}

struct Batch {
    seq: u64,
    rows: Vec<RowIn>,
}

/// A worker's output for one batch.
struct Done {
    seq: u64,
    bytes: Vec<u8>,
    tally: Tally,
    /// Line and message of each malformed row.
    malformed: Vec<(u64, String)>,
}

#[derive(Clone, Copy, Default)]
struct Tally {
    rows: u64,
    resolved: u64,
    ambiguous: u64,
    unresolved: u64,
    historical: u64,
    malformed: u64,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.rows = self.rows.saturating_add(o.rows);
        self.resolved = self.resolved.saturating_add(o.resolved);
        self.ambiguous = self.ambiguous.saturating_add(o.ambiguous);
        self.unresolved = self.unresolved.saturating_add(o.unresolved);
        self.historical = self.historical.saturating_add(o.historical);
        self.malformed = self.malformed.saturating_add(o.malformed);
    }
}

/// What every worker needs to format rows.
struct Shape {
    format: Format,
    delimiter: u8,
    /// CSV: the header's width and the address column's index.
    width: usize,
    column_index: usize,
    /// JSON Lines: the key.
    column: String,
    /// Our column names, prefixed, JSON-escaped (for JSON Lines).
    json_keys: Vec<String>,
    on: Option<CalendarDate>,
}

/// Runs `dancu address convert-file`. Exit status 0 when every row was
/// read (unresolved rows are marked in the output), 1 when some rows were
/// malformed (kept in the output as unresolved, with their line number in
/// `error`), 2 on usage or I/O errors.
pub(crate) fn run(args: &ConvertFileArgs) -> anyhow::Result<ExitCode> {
    let format =
        args.format
            .unwrap_or_else(|| match args.input.extension().and_then(|e| e.to_str()) {
                Some("jsonl" | "ndjson") => Format::Jsonl,
                _ => Format::Csv,
            });
    let delimiter = u8::try_from(args.delimiter)
        .ok()
        .filter(u8::is_ascii)
        .context("--delimiter must be one ASCII character")?;
    let threads = args
        .threads
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let (input, total_bytes): (Box<dyn Read + Send>, Option<u64>) = if args.input.as_os_str() == "-"
    {
        (Box::new(io::stdin()), None)
    } else {
        let f =
            File::open(&args.input).with_context(|| format!("opening {}", args.input.display()))?;
        let len = f.metadata().ok().filter(|m| m.is_file()).map(|m| m.len());
        (Box::new(f), len)
    };
    let mut input = BufReader::with_capacity(1 << 16, input);
    skip_bom(&mut input)?;
    let out: Box<dyn Write + Send> = match &args.output {
        Some(p) => Box::new(File::create(p).with_context(|| format!("creating {}", p.display()))?),
        None => Box::new(io::stdout()),
    };
    let mut out = BufWriter::with_capacity(1 << 16, out);
    let ours: Vec<String> = ROW_COLUMNS
        .iter()
        .chain(["error"].iter())
        .map(|c| format!("{}{c}", args.prefix))
        .collect();

    let mut shape = Shape {
        format,
        delimiter,
        width: 0,
        column_index: 0,
        column: args.column.clone(),
        json_keys: ours
            .iter()
            .map(|k| serde_json::to_string(k).unwrap_or_default())
            .collect(),
        on: args.on,
    };
    let source = match format {
        Format::Csv => {
            let mut r = csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .flexible(true)
                .has_headers(false)
                .from_reader(input);
            let mut header = csv::ByteRecord::new();
            if !r.read_byte_record(&mut header)? {
                bail!("the input is empty: expected a header row");
            }
            let names: Vec<String> = header
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            shape.width = names.len();
            shape.column_index = names
                .iter()
                .position(|n| n.trim() == args.column)
                .with_context(|| {
                    format!(
                        "no column {:?} in the header ({})",
                        args.column,
                        names.join(", ")
                    )
                })?;
            if let Some(clash) = ours.iter().find(|o| names.contains(o)) {
                bail!("the input already has a column {clash:?}: choose a --prefix");
            }
            let mut w = csv_writer(delimiter, &mut out);
            w.write_record(
                names
                    .iter()
                    .map(String::as_str)
                    .chain(ours.iter().map(String::as_str)),
            )?;
            w.flush()?;
            Source::Csv(r)
        }
        Format::Jsonl => Source::Jsonl(input),
    };

    let shape = Arc::new(shape);
    let progress = Progress::new(total_bytes);
    let read_bytes = Arc::new(AtomicU64::new(0));
    // At most this many batches are between the reader and the writer.
    let in_flight = threads.saturating_mul(3);
    let (permit_tx, permit_rx) = sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        permit_tx.send(())?;
    }
    let (batch_tx, batch_rx) = sync_channel::<Batch>(threads);
    let batch_rx = Arc::new(Mutex::new(batch_rx));

    let (done_tx, done_rx) = sync_channel::<Done>(in_flight);

    let started = Instant::now();
    let tally = std::thread::scope(|scope| -> anyhow::Result<Tally> {
        for _ in 0..threads {
            let rx = Arc::clone(&batch_rx);
            let tx = done_tx.clone();
            let shape = Arc::clone(&shape);
            scope.spawn(move || work(&rx, &tx, &shape));
        }
        // Only the workers hold these now: when they stop, the channels close.
        drop(done_tx);
        drop(batch_rx);
        let read_bytes_w = Arc::clone(&read_bytes);
        let writer = scope.spawn(move || {
            write_in_order(&done_rx, &permit_tx, &mut out, &progress, &read_bytes_w)
        });
        let batches = Batcher::new(&batch_tx, &permit_rx, &read_bytes);
        let read = match source {
            Source::Csv(r) => read_csv(r, batches),
            Source::Jsonl(r) => read_jsonl(r, batches),
        };
        drop(batch_tx);
        let written = writer
            .join()
            .map_err(|_| anyhow::anyhow!("the writer thread panicked"))??;
        read?;
        Ok(written)
    });
    let tally = match tally {
        Ok(t) => t,
        // A closed output (`… | head`) ends the conversion quietly.
        Err(e) if is_broken_pipe(&e) => return Ok(ExitCode::SUCCESS),
        Err(e) => return Err(e),
    };
    summary(&tally, started.elapsed());
    Ok(if tally.malformed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The input, once its format is known.
enum Source {
    Csv(csv::Reader<BufReader<Box<dyn Read + Send>>>),
    Jsonl(BufReader<Box<dyn Read + Send>>),
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn csv_writer<W: Write>(delimiter: u8, w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_writer(w)
}

/// Skips a UTF-8 byte-order mark at the start of the input.
fn skip_bom<R: Read>(r: &mut BufReader<R>) -> io::Result<()> {
    if r.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        r.consume(3);
    }
    Ok(())
}

/// Collects rows into batches and sends each full one.
struct Batcher<'a> {
    tx: &'a SyncSender<Batch>,
    permits: &'a Receiver<()>,
    read_bytes: &'a AtomicU64,
    seq: u64,
    rows: Vec<RowIn>,
}

impl<'a> Batcher<'a> {
    fn new(
        tx: &'a SyncSender<Batch>,
        permits: &'a Receiver<()>,
        read_bytes: &'a AtomicU64,
    ) -> Self {
        Self {
            tx,
            permits,
            read_bytes,
            seq: 0,
            rows: Vec::with_capacity(BATCH),
        }
    }

    /// Adds a row; `bytes` is how much of the input has been read.
    fn push(&mut self, row: RowIn, bytes: u64) -> anyhow::Result<()> {
        self.rows.push(row);
        if self.rows.len() == BATCH {
            self.read_bytes.store(bytes, Ordering::Relaxed);
            self.send()?;
        }
        Ok(())
    }

    fn send(&mut self) -> anyhow::Result<()> {
        let rows = std::mem::replace(&mut self.rows, Vec::with_capacity(BATCH));
        // Wait for a batch to leave the pipeline before adding one.
        self.permits.recv()?;
        self.tx.send(Batch {
            seq: self.seq,
            rows,
        })?;
        self.seq = self.seq.saturating_add(1);
        Ok(())
    }

    fn finish(mut self) -> anyhow::Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        self.send()
    }
}

fn read_csv<R: Read>(mut r: csv::Reader<R>, mut batches: Batcher<'_>) -> anyhow::Result<()> {
    loop {
        let mut record = csv::ByteRecord::new();
        match r.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(e).context("reading the CSV input"),
        }
        let line = record.position().map_or(0, csv::Position::line);
        batches.push(RowIn::Csv { line, record }, r.position().byte())?;
    }
    batches.finish()
}

fn read_jsonl<R: BufRead>(mut r: R, mut batches: Batcher<'_>) -> anyhow::Result<()> {
    let (mut line, mut bytes) = (0u64, 0u64);
    loop {
        let mut text = Vec::new();
        let n = r.read_until(b'\n', &mut text)?;
        if n == 0 {
            break;
        }
        bytes = bytes.saturating_add(n as u64);
        line = line.saturating_add(1);
        while text.last().is_some_and(|b| matches!(b, b'\n' | b'\r')) {
            text.pop();
        }
        if text.iter().all(u8::is_ascii_whitespace) {
            continue; // blank lines are not rows
        }
        batches.push(RowIn::Json { line, text }, bytes)?;
    }
    batches.finish()
}

/// A worker: resolves and formats batches until the input ends.
fn work(rx: &Mutex<Receiver<Batch>>, tx: &SyncSender<Done>, shape: &Shape) {
    loop {
        let batch = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(batch) = batch else { return };
        let done = convert_batch(batch, shape);
        if tx.send(done).is_err() {
            return;
        }
    }
}

fn convert_batch(batch: Batch, shape: &Shape) -> Done {
    let mut done = Done {
        seq: batch.seq,
        bytes: Vec::with_capacity(batch.rows.len().saturating_mul(256)),
        tally: Tally::default(),
        malformed: Vec::new(),
    };
    match shape.format {
        Format::Csv => {
            let mut w = csv_writer(shape.delimiter, std::mem::take(&mut done.bytes));
            for row in &batch.rows {
                if let RowIn::Csv { line, record } = row {
                    csv_row(*line, record, shape, &mut w, &mut done);
                }
            }
            done.bytes = w.into_inner().unwrap_or_default();
        }
        Format::Jsonl => {
            for row in &batch.rows {
                if let RowIn::Json { line, text } = row {
                    json_row(*line, text, shape, &mut done);
                }
            }
        }
    }
    done
}

fn count(done: &mut Done, row: &AddressRow, historical: bool) {
    done.tally.rows = done.tally.rows.saturating_add(1);
    match row.status() {
        RowStatus::Resolved => done.tally.resolved = done.tally.resolved.saturating_add(1),
        RowStatus::Ambiguous => done.tally.ambiguous = done.tally.ambiguous.saturating_add(1),
        _ => done.tally.unresolved = done.tally.unresolved.saturating_add(1),
    }
    done.tally.historical = done.tally.historical.saturating_add(u64::from(historical));
}

fn malformed(done: &mut Done, line: u64, message: String) -> String {
    done.tally.rows = done.tally.rows.saturating_add(1);
    done.tally.unresolved = done.tally.unresolved.saturating_add(1);
    done.tally.malformed = done.tally.malformed.saturating_add(1);
    let error = format!("line {line}: {message}");
    done.malformed.push((line, message));
    error
}

/// The row of an input that could not be read: an empty address's
/// (unresolved, nothing filled but the status, confidence and `resolved`).
fn unread_row(on: Option<CalendarDate>) -> AddressRow {
    AddressRow::new(&resolve(""), on)
}

fn csv_row(
    line: u64,
    record: &csv::ByteRecord,
    shape: &Shape,
    w: &mut csv::Writer<Vec<u8>>,
    done: &mut Done,
) {
    let text = if record.len() == shape.width {
        std::str::from_utf8(&record[shape.column_index])
            .map_err(|_| "the address is not UTF-8 text".to_owned())
    } else {
        Err(format!(
            "{} fields where the header has {}",
            record.len(),
            shape.width
        ))
    };
    let result = match text {
        Ok(text) => {
            let r = resolve(text);
            let row = AddressRow::new(&r, shape.on);
            count(done, &row, r.historical().is_some());
            let fields = row.fields();
            w.write_record(
                record
                    .iter()
                    .chain(fields.iter().map(|f| f.as_bytes()))
                    .chain([&b""[..]]),
            )
        }
        Err(message) => {
            // Kept, never dropped: the fields it has (padded to the header's
            // width; surplus fields quoted in the error), unresolved.
            let mut error = malformed(done, line, message);
            if record.len() > shape.width {
                let surplus: Vec<String> = record
                    .iter()
                    .skip(shape.width)
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect();
                error.push_str(&format!("; surplus fields: {}", surplus.join(" | ")));
            }
            let row = unread_row(shape.on);
            let fields = row.fields();
            let own = record.iter().take(shape.width);
            let pad = std::iter::repeat_n(&b""[..], shape.width.saturating_sub(record.len()));
            w.write_record(
                own.chain(pad)
                    .chain(fields.iter().map(|f| f.as_bytes()))
                    .chain([error.as_bytes()]),
            )
        }
    };
    if let Err(e) = result {
        // Writing into memory cannot fail but for a bug; keep the row count honest.
        let _ = malformed(done, line, format!("could not be written: {e}"));
    }
}

/// The address field of a JSON object line: `Ok(Some)` a string,
/// `Ok(None)` no such key or not a string, `Err` not a JSON object.
fn json_address(text: &[u8], key: &str) -> Result<Option<String>, String> {
    struct Find<'k>(&'k str);
    impl<'de> serde::de::DeserializeSeed<'de> for Find<'_> {
        type Value = Option<String>;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
    }
    impl<'de> serde::de::Visitor<'de> for Find<'_> {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut m: A,
        ) -> Result<Self::Value, A::Error> {
            let mut found = None;
            while let Some(k) = m.next_key::<std::borrow::Cow<'de, str>>()? {
                if k == self.0 && found.is_none() {
                    let v: serde_json::Value = m.next_value()?;
                    found = v.as_str().map(str::to_owned);
                } else {
                    m.next_value::<serde::de::IgnoredAny>()?;
                }
            }
            Ok(found)
        }
    }
    let mut de = serde_json::Deserializer::from_slice(text);
    let v =
        serde::de::DeserializeSeed::deserialize(Find(key), &mut de).map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())?;
    Ok(v)
}

fn json_row(line: u64, text: &[u8], shape: &Shape, done: &mut Done) {
    let mut bytes = std::mem::take(&mut done.bytes);
    json_row_into(line, text, shape, done, &mut bytes);
    done.bytes = bytes;
}

fn json_row_into(line: u64, text: &[u8], shape: &Shape, done: &mut Done, out: &mut Vec<u8>) {
    let start = out.len();
    match json_address(text, &shape.column) {
        Ok(address) => {
            let r = resolve(address.as_deref().unwrap_or(""));
            let row = AddressRow::new(&r, shape.on);
            // The object as it was, then our keys.
            let body = trim_object(text);
            out.extend_from_slice(body);
            let mut first = body.len() <= 1;
            for (key, value) in shape.json_keys.iter().zip(row.values()) {
                push_json_field(out, &mut first, key, value);
            }
            let error = match &address {
                Some(_) => serde_json::Value::Null,
                None => serde_json::Value::String(format!(
                    "line {line}: no string field {:?}",
                    shape.column
                )),
            };
            push_key(out, &mut first, &shape.json_keys[ROW_COLUMNS.len()]);
            let _ = serde_json::to_writer(&mut *out, &error);
            out.extend_from_slice(b"}\n");
            count(done, &row, r.historical().is_some());
        }
        Err(message) => {
            out.truncate(start);
            let error = malformed(done, line, format!("not a JSON object: {message}"));
            // The line is kept as text; the conversion's keys say it failed.
            out.push(b'{');
            let mut first = true;
            push_key(out, &mut first, "\"input_line\"");
            let _ = serde_json::to_writer(&mut *out, &String::from_utf8_lossy(text));
            for (key, value) in shape.json_keys.iter().zip(unread_row(shape.on).values()) {
                push_json_field(out, &mut first, key, value);
            }
            push_key(out, &mut first, &shape.json_keys[ROW_COLUMNS.len()]);
            let _ = serde_json::to_writer(&mut *out, &error);
            out.extend_from_slice(b"}\n");
        }
    }
}

/// The object's text up to (not including) its closing brace.
fn trim_object(text: &[u8]) -> &[u8] {
    let end = text.iter().rposition(|&b| b == b'}').unwrap_or(text.len());
    let body = &text[..end];
    let trailing = body
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_whitespace())
        .count();
    &body[..body.len().saturating_sub(trailing)]
}

fn push_key(out: &mut Vec<u8>, first: &mut bool, key: &str) {
    if !*first {
        out.push(b',');
    }
    *first = false;
    out.extend_from_slice(key.as_bytes());
    out.push(b':');
}

/// `"key":value`, typed as [`AddressRow::values`] says.
fn push_json_field(out: &mut Vec<u8>, first: &mut bool, key: &str, value: RowValue<'_>) {
    push_key(out, first, key);
    match value {
        RowValue::Null => out.extend_from_slice(b"null"),
        RowValue::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        RowValue::Number(n) => out.extend_from_slice(n.as_bytes()),
        RowValue::Text(t) => {
            let _ = serde_json::to_writer(&mut *out, t.as_ref());
        }
    }
}

/// The writer: puts batches back in input order, reports progress.
fn write_in_order(
    rx: &Receiver<Done>,
    permits: &SyncSender<()>,
    out: &mut impl Write,
    progress: &Progress,
    read_bytes: &AtomicU64,
) -> anyhow::Result<Tally> {
    let mut pending: BTreeMap<u64, Done> = BTreeMap::new();
    let mut next = 0;
    let mut tally = Tally::default();
    let mut reported = 0;
    for done in rx {
        pending.insert(done.seq, done);
        while let Some(done) = pending.remove(&next) {
            out.write_all(&done.bytes)?;
            tally.add(&done.tally);
            for (line, message) in &done.malformed {
                if reported < REPORTED {
                    progress.clear();
                    eprintln!("line {line}: {message} (kept as unresolved)");
                }
                reported = reported.saturating_add(1);
            }
            next = next.saturating_add(1);
            // The reader may stop waiting; a closed reader is no error here.
            let _ = permits.send(());
            progress.tick(tally.rows, read_bytes.load(Ordering::Relaxed));
        }
    }
    out.flush()?;
    progress.clear();
    if reported > REPORTED {
        eprintln!(
            "… and {} more malformed rows",
            reported.saturating_sub(REPORTED)
        );
    }
    Ok(tally)
}

/// A progress line on standard error, only when it is a terminal.
struct Progress {
    on: bool,
    total_bytes: Option<u64>,
    started: Instant,
    last: Mutex<Instant>,
}

impl Progress {
    fn new(total_bytes: Option<u64>) -> Self {
        let now = Instant::now();
        Self {
            on: io::stderr().is_terminal(),
            total_bytes,
            started: now,
            last: Mutex::new(now),
        }
    }

    fn tick(&self, rows: u64, bytes: u64) {
        if !self.on {
            return;
        }
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        if last.elapsed() < Duration::from_millis(200) {
            return;
        }
        *last = Instant::now();
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let rate = rows as f64 / secs;
        let mut line = format!("\r{} rows · {} rows/s", group(rows), group(rate as u64));
        if let Some(total) = self.total_bytes.filter(|&t| t > 0 && bytes > 0) {
            let share = (bytes as f64 / total as f64).min(1.0);
            let eta = secs * (1.0 - share) / share;
            line.push_str(&format!(
                " · {:.0} % · ETA {}:{:02}",
                share * 100.0,
                (eta as u64) / 60,
                (eta as u64) % 60
            ));
        }
        eprint!("{line}   ");
    }

    fn clear(&self) {
        if self.on {
            eprint!("\r{:60}\r", "");
        }
    }
}

/// 1234567 → "1,234,567".
fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len().saturating_add(s.len() / 3));
    for (i, c) in s.chars().enumerate() {
        // i < s.len(): the digits left from here.
        if i > 0 && s.len().saturating_sub(i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn summary(t: &Tally, elapsed: Duration) {
    let secs = elapsed.as_secs_f64().max(1e-6);
    eprintln!(
        "{} rows: {} resolved, {} ambiguous, {} unresolved ({} historical communes, {} malformed rows) in {:.2} s, {} rows/s",
        group(t.rows),
        group(t.resolved),
        group(t.ambiguous),
        group(t.unresolved),
        group(t.historical),
        group(t.malformed),
        secs,
        group((t.rows as f64 / secs) as u64)
    );
}
