//! Reading standard input line by line, as the streaming commands do.

use std::io::{self, BufRead, BufReader, Write};

/// Calls `f` on each line of `input` (terminator removed) with `out`,
/// reusing one buffer: memory stays flat however long the input is. Bytes
/// that are not UTF-8 are replaced (and then rejected by the parsers).
/// `out` is flushed whenever the next line is not yet buffered, so an
/// interactive caller gets each answer before it sends the next line,
/// while a batch is still written in large blocks.
pub(crate) fn for_each_line<R: io::Read, W: Write>(
    input: &mut BufReader<R>,
    out: &mut W,
    f: &mut impl FnMut(&str, &mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let mut buf = Vec::with_capacity(256);
    loop {
        if input.buffer().is_empty() {
            out.flush()?;
        }
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            return Ok(());
        }
        let mut line = buf.as_slice();
        if let Some(rest) = line.strip_suffix(b"\n") {
            line = rest.strip_suffix(b"\r").unwrap_or(rest);
        }
        match std::str::from_utf8(line) {
            Ok(s) => f(s, out)?,
            Err(_) => f(&String::from_utf8_lossy(line), out)?,
        }
    }
}

/// [`for_each_line`] for inputs given one per line: blank lines (empty, or
/// whitespace only) are not inputs, and `f` is not called for them.
pub(crate) fn for_each_input_line<R: io::Read, W: Write>(
    input: &mut BufReader<R>,
    out: &mut W,
    f: &mut impl FnMut(&str, &mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    for_each_line(input, out, &mut |line, out| {
        if line.trim().is_empty() {
            Ok(())
        } else {
            f(line, out)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_without_terminators() {
        let mut seen = Vec::new();
        let mut input = BufReader::new(&b"a\r\nb\n\nc\xff"[..]);
        for_each_line(&mut input, &mut Vec::new(), &mut |l, _| {
            seen.push(l.to_owned());
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, ["a", "b", "", "c\u{fffd}"]);
    }

    #[test]
    fn blank_lines_are_not_inputs() {
        let mut seen = Vec::new();
        let mut input = BufReader::new(&b"\na\r\n  \t\r\n\r\nb\n\n"[..]);
        for_each_input_line(&mut input, &mut Vec::new(), &mut |l, _| {
            seen.push(l.to_owned());
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, ["a", "b"]);
    }
}
