//! Reading standard input line by line, as the streaming commands do.

use std::io::{self, BufRead, BufReader, Write};

/// The longest ID line `dancu id inspect -` reads (64 KiB).
pub(crate) const MAX_ID_LINE: usize = 64 * 1024;
/// The longest address line `dancu address resolve -` reads (4 KiB).
pub(crate) const MAX_ADDRESS_LINE: usize = 4 * 1024;

/// Calls `f` on each line of `input` (terminator removed) with `out`,
/// reusing one buffer: memory stays flat however long the input is. A line
/// longer than `max` bytes is never held in memory: the reader skips to its
/// end and calls `too_long` with its (1-based) line number instead. Bytes
/// that are not UTF-8 are replaced (and then rejected by the parsers).
/// `out` is flushed whenever the next line is not yet buffered, so an
/// interactive caller gets each answer before it sends the next line,
/// while a batch is still written in large blocks.
pub(crate) fn for_each_line<R: io::Read, W: Write>(
    input: &mut BufReader<R>,
    out: &mut W,
    max: usize,
    f: &mut impl FnMut(&str, &mut dyn Write) -> io::Result<()>,
    too_long: &mut impl FnMut(u64, &mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let mut buf = Vec::with_capacity(256);
    let mut number: u64 = 0;
    loop {
        if input.buffer().is_empty() {
            out.flush()?;
        }
        buf.clear();
        let mut overflow = false;
        let mut any = false;
        // Read one line in bounded steps: at most `max + 2` bytes are kept
        // (the line and its `\r\n`), the rest of an over-long line is
        // consumed and dropped.
        loop {
            let chunk = match input.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                break;
            }
            any = true;
            let (part, done) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (chunk.get(..=i).unwrap_or(chunk), true),
                None => (chunk, false),
            };
            let used = part.len();
            if !overflow {
                let room = max.saturating_add(2).saturating_sub(buf.len());
                if part.len() > room {
                    overflow = true;
                    buf.clear();
                } else {
                    buf.extend_from_slice(part);
                }
            }
            input.consume(used);
            if done {
                break;
            }
        }
        if !any {
            return Ok(());
        }
        number = number.saturating_add(1);
        let mut line = buf.as_slice();
        if let Some(rest) = line.strip_suffix(b"\n") {
            line = rest;
        }
        line = line.strip_suffix(b"\r").unwrap_or(line);
        if overflow || line.len() > max {
            too_long(number, out)?;
            continue;
        }
        match std::str::from_utf8(line) {
            Ok(s) => f(s, out)?,
            Err(_) => f(&String::from_utf8_lossy(line), out)?,
        }
    }
}

/// Reports line `line` of standard input as an invalid input: longer than
/// `max` bytes (its content is never shown). JSON: `{"line": N, "valid":
/// false, "error": "…", "code": "line_too_long"}`.
pub(crate) fn too_long_line(
    out: &mut dyn Write,
    json: bool,
    line: u64,
    max: usize,
) -> io::Result<()> {
    let error = format!("line {line} of standard input is longer than {max} bytes");
    if json {
        let v = serde_json::json!({
            "line": line, "valid": false, "error": error, "code": "line_too_long",
        });
        serde_json::to_writer(&mut *out, &v)?;
        out.write_all(b"\n")
    } else {
        writeln!(out, "line {line}: invalid — {error}")
    }
}

/// [`for_each_line`] for inputs given one per line: blank lines (empty, or
/// whitespace only) are not inputs, and `f` is not called for them.
pub(crate) fn for_each_input_line<R: io::Read, W: Write>(
    input: &mut BufReader<R>,
    out: &mut W,
    max: usize,
    f: &mut impl FnMut(&str, &mut dyn Write) -> io::Result<()>,
    too_long: &mut impl FnMut(u64, &mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    for_each_line(
        input,
        out,
        max,
        &mut |line, out| {
            if line.trim().is_empty() {
                Ok(())
            } else {
                f(line, out)
            }
        },
        too_long,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_without_terminators() {
        let mut seen = Vec::new();
        let mut input = BufReader::new(&b"a\r\nb\n\nc\xff"[..]);
        for_each_line(
            &mut input,
            &mut Vec::new(),
            16,
            &mut |l, _| {
                seen.push(l.to_owned());
                Ok(())
            },
            &mut |_, _| panic!("no line is too long"),
        )
        .unwrap();
        assert_eq!(seen, ["a", "b", "", "c\u{fffd}"]);
    }

    #[test]
    fn blank_lines_are_not_inputs() {
        let mut seen = Vec::new();
        let mut input = BufReader::new(&b"\na\r\n  \t\r\n\r\nb\n\n"[..]);
        for_each_input_line(
            &mut input,
            &mut Vec::new(),
            16,
            &mut |l, _| {
                seen.push(l.to_owned());
                Ok(())
            },
            &mut |_, _| panic!("no line is too long"),
        )
        .unwrap();
        assert_eq!(seen, ["a", "b"]);
    }

    /// A reader that yields `len` bytes of `x` (no newline), then `tail`,
    /// counting the most it was ever asked to hand over at once.
    struct Endless {
        left: usize,
        tail: &'static [u8],
    }

    impl io::Read for Endless {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.left > 0 {
                let n = out.len().min(self.left);
                out.get_mut(..n).unwrap_or_default().fill(b'x');
                self.left -= n;
                return Ok(n);
            }
            let n = out.len().min(self.tail.len());
            out.get_mut(..n)
                .unwrap_or_default()
                .copy_from_slice(self.tail.get(..n).unwrap_or_default());
            self.tail = self.tail.get(n..).unwrap_or_default();
            Ok(n)
        }
    }

    #[test]
    fn an_over_long_line_is_reported_by_number_and_never_held() {
        // 64 MiB without a newline, then two short lines.
        let mut input = BufReader::with_capacity(
            64 * 1024,
            Endless {
                left: 64 * 1024 * 1024,
                tail: b"\nshort\n",
            },
        );
        let mut seen = Vec::new();
        let mut long = Vec::new();
        for_each_line(
            &mut input,
            &mut Vec::new(),
            MAX_ADDRESS_LINE,
            &mut |l, _| {
                seen.push(l.to_owned());
                Ok(())
            },
            &mut |n, _| {
                long.push(n);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(long, [1]);
        assert_eq!(seen, ["short"]);
        // Exactly at the limit is a line; one byte more is not.
        let at = format!("{}\r\n{}\n", "a".repeat(16), "b".repeat(17));
        let (mut seen, mut long) = (Vec::new(), Vec::new());
        for_each_line(
            &mut BufReader::with_capacity(8, at.as_bytes()),
            &mut Vec::new(),
            16,
            &mut |l, _| {
                seen.push(l.len());
                Ok(())
            },
            &mut |n, _| {
                long.push(n);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!((seen, long), (vec![16], vec![2]));
    }
}
