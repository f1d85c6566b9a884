//! Reading standard input line by line, as the streaming commands do.

use std::io::{self, BufRead};

/// Calls `f` on each line of `input` without its line terminator, reusing
/// one buffer: memory stays constant however long the input is. Bytes that
/// are not UTF-8 are replaced (and then rejected as invalid characters).
pub(crate) fn for_each_line(
    mut input: impl BufRead,
    mut f: impl FnMut(&str) -> io::Result<()>,
) -> io::Result<()> {
    let mut buf = Vec::with_capacity(256);
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            return Ok(());
        }
        let mut line = buf.as_slice();
        if let Some(rest) = line.strip_suffix(b"\n") {
            line = rest.strip_suffix(b"\r").unwrap_or(rest);
        }
        match std::str::from_utf8(line) {
            Ok(s) => f(s)?,
            Err(_) => f(&String::from_utf8_lossy(line))?,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_without_terminators() {
        let mut seen = Vec::new();
        for_each_line(&b"a\r\nb\n\nc\xff"[..], |l| {
            seen.push(l.to_owned());
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, ["a", "b", "", "c\u{fffd}"]);
    }
}
