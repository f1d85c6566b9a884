//! A small namespace-aware element tree over quick-xml, for the codec.
//!
//! Gateways differ in prefixes, default namespaces, whitespace and element
//! order, so the codec reads a whole (small) document into a tree and looks
//! elements up by namespace and local name. The reader makes one pass over
//! the input, is iterative (no recursion on input), bounded by [`Limits`]
//! given by the caller (size, depth, elements), and rejects DTDs.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::Event;

/// The namespaces the contract uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ns {
    /// No namespace.
    None,
    /// `http://schemas.xmlsoap.org/soap/envelope/` (SOAP 1.1).
    Soap,
    /// `http://dancuquocgia.bca`.
    Bca,
    /// `http://www.mic.gov.vn/dancu/1.0`.
    Mic,
    /// Anything else.
    Other,
}

/// The SOAP 1.1 envelope namespace.
pub const SOAP_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// The namespace of the operations and the yes/no answer.
pub const BCA_NS: &str = "http://dancuquocgia.bca";
/// The namespace of the citizen collection.
pub const MIC_NS: &str = "http://www.mic.gov.vn/dancu/1.0";

/// Bounds on what the decoders read, checked in the one pass over the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Largest document, in bytes (default 4 MiB).
    pub max_bytes: usize,
    /// Deepest nesting of elements (default 32).
    pub max_depth: usize,
    /// Most elements in a document (default 20,000).
    pub max_elements: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 4 * 1024 * 1024,
            max_depth: 32,
            max_elements: 20_000,
        }
    }
}

/// Most attributes on one element (namespace declarations included): the
/// contract's elements carry a handful, so a flood of them is refused at
/// the first one past this.
pub const MAX_ATTRIBUTES: usize = 64;

/// The largest document worth decoding where it arrives. Decoding costs
/// time in proportion to size (up to [`Limits::max_bytes`]), so a caller on
/// an async executor hands anything larger to a blocking thread, where it
/// stalls no other request: the connector for answers, the sandbox for
/// requests.
pub const DECODE_INLINE_MAX_BYTES: usize = 64 * 1024;

/// Most namespace declarations in scope at once.
pub const MAX_NAMESPACES: usize = 64;

/// One element: namespace, local name, attributes (local name, value),
/// element children and the concatenated character data. Names and text
/// borrow from the input where they can.
#[derive(Debug, Default)]
pub(crate) struct Node<'a> {
    pub(crate) ns: Option<Ns>,
    pub(crate) local: Cow<'a, str>,
    pub(crate) attrs: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    pub(crate) children: Vec<Node<'a>>,
    pub(crate) text: Cow<'a, str>,
}

/// Why a document could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum XmlError {
    /// Not UTF-8.
    Encoding,
    /// Larger than the limit.
    TooLarge(usize),
    /// Nested deeper, or with more elements, attributes on one element or
    /// namespace declarations than the contract ever needs.
    TooComplex,
    /// A DTD: never accepted.
    Doctype,
    /// Not well-formed (or not namespace-well-formed), at a byte offset.
    Malformed(u64),
    /// No root element.
    Empty,
}

impl std::fmt::Display for XmlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Encoding => f.write_str("the body is not UTF-8"),
            Self::TooLarge(max) => write!(f, "the body is larger than {max} bytes"),
            Self::TooComplex => f.write_str(
                "the document is nested too deeply, has too many elements, attributes or namespace declarations",
            ),
            Self::Doctype => f.write_str("a document type declaration is not accepted"),
            Self::Malformed(at) => write!(f, "the body is not well-formed XML (near byte {at})"),
            Self::Empty => f.write_str("the body has no XML element"),
        }
    }
}

impl<'a> Node<'a> {
    /// Whether this element is `local` in namespace `ns`.
    pub(crate) fn is(&self, ns: Ns, local: &str) -> bool {
        self.ns == Some(ns) && self.local == local
    }

    /// The first child named `local` in one of `nss`.
    pub(crate) fn child(&self, nss: &[Ns], local: &str) -> Option<&Node<'a>> {
        self.children
            .iter()
            .find(|c| c.local == local && c.ns.is_some_and(|n| nss.contains(&n)))
    }

    /// The trimmed text of the first child named `local`, `None` when the
    /// child is absent or empty.
    pub(crate) fn child_text(&self, nss: &[Ns], local: &str) -> Option<&str> {
        self.child(nss, local)
            .map(|c| c.text.trim())
            .filter(|t| !t.is_empty())
    }

    /// An attribute by local name.
    pub(crate) fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == local)
            .map(|(_, v)| v.as_ref())
    }

    fn push_text(&mut self, piece: Cow<'a, str>) {
        // Leading whitespace is insignificant to every consumer (values
        // are trimmed), so a whitespace-only prefix is replaced rather than
        // copied: most text then stays borrowed.
        if self.text.trim().is_empty() {
            self.text = piece;
        } else {
            self.text.to_mut().push_str(&piece);
        }
    }
}

/// `piece` as a `&'a str` when it lies inside `text` (events of a reader
/// over a `&str` borrow from it), otherwise an owned copy.
fn within<'a>(text: &'a str, piece: &[u8]) -> Result<Cow<'a, str>, XmlError> {
    let start = (piece.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
    if let Some(s) = start
        .checked_add(piece.len())
        .and_then(|end| text.get(start..end))
        .filter(|s| s.as_bytes() == piece)
    {
        return Ok(Cow::Borrowed(s));
    }
    std::str::from_utf8(piece)
        .map(|s| Cow::Owned(s.to_owned()))
        .map_err(|_| XmlError::Encoding)
}

fn ns_of(uri: &[u8]) -> Ns {
    match uri {
        b if b == SOAP_NS.as_bytes() => Ns::Soap,
        b if b == BCA_NS.as_bytes() => Ns::Bca,
        b if b == MIC_NS.as_bytes() => Ns::Mic,
        b"" => Ns::None,
        _ => Ns::Other,
    }
}

/// Whether two attributes of one element share a qualified name (which
/// makes a document not well-formed): pairwise for the few an element
/// usually has, sorted beyond, so the check stays `n log n`.
fn has_duplicate(keys: &mut [&[u8]]) -> bool {
    if keys.len() <= 8 {
        let mut rest: &[&[u8]] = keys;
        while let Some((key, after)) = rest.split_first() {
            if after.contains(key) {
                return true;
            }
            rest = after;
        }
        false
    } else {
        keys.sort_unstable();
        keys.windows(2).any(|w| w.first() == w.get(1))
    }
}

/// Reads a document into its root element, within `limits`.
pub(crate) fn parse<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Node<'a>, XmlError> {
    if bytes.len() > limits.max_bytes {
        return Err(XmlError::TooLarge(limits.max_bytes));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| XmlError::Encoding)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // A character XML 1.0 cannot carry (NUL, most C0 controls, U+FFFE,
    // U+FFFF) makes the document not well-formed: refused here, in one
    // pass, so no decoded value ever holds one (the encoder drops them, so
    // a value holding one would not survive a round trip either).
    if let Some((at, _)) = text.char_indices().find(|&(_, c)| !is_xml_char(c)) {
        return Err(XmlError::Malformed(at as u64));
    }
    let mut reader = Reader::from_str(text);
    // Open elements, each with how many namespace bindings it declared.
    let mut stack: Vec<(Node<'_>, usize)> = Vec::with_capacity(8);
    // In-scope bindings, innermost last: (prefix, namespace); "" is the
    // default namespace.
    let mut scope: Vec<(Cow<'_, str>, Ns)> = Vec::with_capacity(4);
    let mut root: Option<Node<'_>> = None;
    let mut nodes = 0usize;
    loop {
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(_) => return Err(XmlError::Malformed(reader.buffer_position())),
        };
        let malformed = || XmlError::Malformed(reader.buffer_position());
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_empty = matches!(event, Event::Empty(_));
                if root.is_some() {
                    // A second root element.
                    return Err(malformed());
                }
                nodes = nodes.saturating_add(1); // at most max_elements + 1
                if nodes > limits.max_elements || stack.len() >= limits.max_depth {
                    return Err(XmlError::TooComplex);
                }
                let mut attrs = Vec::new();
                let mut declared = 0usize;
                if !e.attributes_raw().iter().all(u8::is_ascii_whitespace) {
                    // Qualified names, for the duplicate check below (the
                    // reader's own check compares every pair).
                    let mut keys: Vec<&[u8]> = Vec::new();
                    for (n, a) in e.attributes().with_checks(false).enumerate() {
                        if n >= MAX_ATTRIBUTES {
                            return Err(XmlError::TooComplex);
                        }
                        let a = a.map_err(|_| malformed())?;
                        let key = a.key.into_inner();
                        keys.push(key);
                        let binding = match key {
                            b"xmlns" => Some(&b""[..]),
                            k => k.strip_prefix(b"xmlns:"),
                        };
                        if let Some(prefix) = binding {
                            let uri = a.value.as_ref();
                            if uri.is_empty() && !prefix.is_empty() {
                                return Err(malformed());
                            }
                            if scope.len() >= MAX_NAMESPACES {
                                return Err(XmlError::TooComplex);
                            }
                            scope.push((within(text, prefix)?, ns_of(uri)));
                            declared = declared.saturating_add(1); // at most MAX_NAMESPACES
                            continue;
                        }
                        let name = within(text, a.key.local_name().into_inner())?;
                        let value = match a.unescape_value().map_err(|_| malformed())? {
                            Cow::Borrowed(v) => within(text, v.as_bytes())?,
                            // A character reference may name what XML
                            // cannot carry (`&#1;`).
                            Cow::Owned(v) if !v.chars().all(is_xml_char) => {
                                return Err(malformed());
                            }
                            Cow::Owned(v) => Cow::Owned(v),
                        };
                        attrs.push((name, value));
                    }
                    if has_duplicate(&mut keys) {
                        return Err(malformed());
                    }
                }
                let qname = e.name().into_inner();
                let (prefix, local) = match qname.iter().position(|&b| b == b':') {
                    Some(i) => {
                        // `local` starts after the ':' at `i`.
                        let (prefix, colon_local) = qname.split_at(i);
                        (prefix, &colon_local[1..])
                    }
                    None => (&b""[..], qname),
                };
                let ns = match scope.iter().rev().find(|(p, _)| p.as_bytes() == prefix) {
                    Some((_, ns)) => *ns,
                    None if prefix.is_empty() => Ns::None,
                    None => return Err(malformed()),
                };
                let node = Node {
                    ns: Some(ns),
                    local: within(text, local)?,
                    attrs,
                    children: Vec::new(),
                    text: Cow::Borrowed(""),
                };
                if is_empty {
                    // The `declared` bindings are the last ones pushed.
                    scope.truncate(scope.len().saturating_sub(declared));
                    close(node, &mut stack, &mut root);
                } else {
                    stack.push((node, declared));
                }
            }
            Event::End(_) => {
                let (node, declared) = stack.pop().ok_or_else(malformed)?;
                // The `declared` bindings are the last ones pushed.
                scope.truncate(scope.len().saturating_sub(declared));
                close(node, &mut stack, &mut root);
            }
            Event::Text(t) => {
                let s = t.decode().map_err(|_| XmlError::Encoding)?;
                match stack.last_mut() {
                    Some((top, _)) => top.push_text(s),
                    None if s.trim().is_empty() => {}
                    None => return Err(malformed()),
                }
            }
            Event::CData(t) => {
                let s = t.decode().map_err(|_| XmlError::Encoding)?;
                match stack.last_mut() {
                    Some((top, _)) => top.push_text(s),
                    None => return Err(malformed()),
                }
            }
            Event::GeneralRef(r) => {
                let ch = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) => {
                        let name = r.decode().map_err(|_| XmlError::Encoding)?;
                        let s = quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(malformed)?;
                        s.chars().next().ok_or_else(malformed)?
                    }
                    Err(_) => return Err(malformed()),
                };
                if !is_xml_char(ch) {
                    return Err(malformed());
                }
                match stack.last_mut() {
                    Some((top, _)) => top.text.to_mut().push(ch),
                    None => return Err(malformed()),
                }
            }
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::Malformed(reader.buffer_position()));
    }
    root.ok_or(XmlError::Empty)
}

fn close<'a>(node: Node<'a>, stack: &mut [(Node<'a>, usize)], root: &mut Option<Node<'a>>) {
    match stack.last_mut() {
        Some((parent, _)) => parent.children.push(node),
        None => *root = Some(node),
    }
}

/// Whether XML 1.0 can carry `c` (its `Char` production): tab, newline,
/// carriage return, and every character from U+0020 but U+FFFE and U+FFFF
/// (a `char` is never a surrogate).
const fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
}

/// Appends `text` escaped for element content or attribute values, dropping
/// characters XML 1.0 cannot carry.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
}

/// Appends `<prefix:name>text</prefix:name>`.
pub(crate) fn element(out: &mut String, prefix: &str, name: &str, text: &str) {
    out.push('<');
    out.push_str(prefix);
    out.push(':');
    out.push_str(name);
    out.push('>');
    escape_into(out, text);
    out.push_str("</");
    out.push_str(prefix);
    out.push(':');
    out.push_str(name);
    out.push('>');
}

/// Appends `<prefix:name>`.
pub(crate) fn open(out: &mut String, prefix: &str, name: &str) {
    out.push('<');
    out.push_str(prefix);
    out.push(':');
    out.push_str(name);
    out.push('>');
}

/// Appends `</prefix:name>`.
pub(crate) fn close_tag(out: &mut String, prefix: &str, name: &str) {
    out.push_str("</");
    out.push_str(prefix);
    out.push(':');
    out.push_str(name);
    out.push('>');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_namespaces_entities_and_cdata() {
        let doc = r#"<?xml version="1.0"?><a:R xmlns:a="http://dancuquocgia.bca" x="1&amp;2"><B xmlns="http://www.mic.gov.vn/dancu/1.0">x&lt;&#x41;<![CDATA[<y>]]></B><C/></a:R>"#;
        let root = parse(doc.as_bytes(), &Limits::default()).unwrap();
        assert!(root.is(Ns::Bca, "R"));
        assert_eq!(root.attr("x"), Some("1&2"));
        assert_eq!(root.children[0].ns, Some(Ns::Mic));
        assert_eq!(root.children[0].text, "x<A<y>");
        assert_eq!(root.children[1].ns, Some(Ns::None));
    }

    #[test]
    fn namespace_scopes_nest_and_end() {
        let doc = r#"<a:R xmlns:a="urn:other"><a:S xmlns:a="http://dancuquocgia.bca"/><a:T/><U xmlns="http://www.mic.gov.vn/dancu/1.0"><V xmlns=""/><W/></U><X/></a:R>"#;
        let root = parse(doc.as_bytes(), &Limits::default()).unwrap();
        let ns: Vec<_> = root
            .children
            .iter()
            .map(|c| (c.local.as_ref(), c.ns))
            .collect();
        assert_eq!(
            ns,
            [
                ("S", Some(Ns::Bca)),
                ("T", Some(Ns::Other)),
                ("U", Some(Ns::Mic)),
                ("X", Some(Ns::None))
            ]
        );
        let u = &root.children[2];
        assert_eq!(u.children[0].ns, Some(Ns::None));
        assert_eq!(u.children[1].ns, Some(Ns::Mic));
        assert!(
            parse(
                br#"<a:R xmlns:a="urn:x"><a:S/></a:R><b:T/>"#,
                &Limits::default()
            )
            .is_err()
        );
        assert!(parse(br#"<R xmlns:a=""/>"#, &Limits::default()).is_err());
    }

    #[test]
    fn rejects_bad_documents() {
        for doc in [
            "",
            "<a>",
            "<a></b>",
            "<a/><b/>",
            "<p:a/>",
            "<a>&foo;</a>",
            "<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>",
            "text",
        ] {
            assert!(parse(doc.as_bytes(), &Limits::default()).is_err(), "{doc}");
        }
        assert_eq!(
            parse(&[0xff, 0xfe], &Limits::default()).unwrap_err(),
            XmlError::Encoding
        );
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert_eq!(
            parse(deep.as_bytes(), &Limits::default()).unwrap_err(),
            XmlError::TooComplex
        );
    }

    #[test]
    fn characters_xml_cannot_carry_are_refused() {
        // Raw, in text, attribute values, names or markup; or as character
        // references. Found by the `soap_answer` fuzz target: a NUL in a
        // faultstring was accepted, and dropped when written again.
        for doc in [
            "<a>x\u{0}y</a>",
            "<a>\u{1}</a>",
            "<a b=\"\u{1b}\"/>",
            "<a>\u{fffe}</a>",
            "<a\u{0}/>",
            "<a>&#0;</a>",
            "<a>&#1;</a>",
            "<a>&#xFFFF;</a>",
            "<a b=\"&#x1F;\"/>",
        ] {
            assert!(
                matches!(
                    parse(doc.as_bytes(), &Limits::default()),
                    Err(XmlError::Malformed(_))
                ),
                "{doc:?}"
            );
        }
        let ok = parse(
            "<a b=\"&#9;\">x\t\r\n&#10;\u{fffd}\u{10ffff}</a>".as_bytes(),
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(ok.attr("b"), Some("\t"));
        assert_eq!(ok.text, "x\t\r\n\n\u{fffd}\u{10ffff}");
    }

    #[test]
    fn escapes() {
        let mut s = String::new();
        escape_into(&mut s, "a<b>&\"'\u{1}c");
        assert_eq!(s, "a&lt;b&gt;&amp;&quot;&apos;c");
    }

    #[test]
    fn duplicate_attributes_are_malformed_however_many_there_are() {
        let ok = |doc: &str| parse(doc.as_bytes(), &Limits::default()).is_ok();
        assert!(ok("<a x=\"1\" y=\"2\"/>"));
        assert!(!ok("<a x=\"1\" x=\"2\"/>"));
        assert!(!ok("<a xmlns:p=\"urn:a\" xmlns:p=\"urn:b\"/>"));
        // Same local name, other prefixes: distinct.
        assert!(ok(
            "<a xmlns:p=\"urn:a\" xmlns:q=\"urn:b\" p:x=\"1\" q:x=\"2\"/>"
        ));
        // Past the pairwise size, the sorted check.
        let many: String = (0..40).map(|i| format!(" a{i}=\"\"")).collect();
        assert!(ok(&format!("<a{many}/>")));
        assert!(!ok(&format!("<a{many} a17=\"again\"/>")));
    }

    #[test]
    fn attribute_and_namespace_floods_are_refused_in_linear_time() {
        // 340,000 empty attributes on one element (3.6 MB): refused at the
        // 65th.
        let mut doc = String::from("<a");
        for i in 0..340_000 {
            doc.push_str(&format!(" a{i}=\"\""));
        }
        doc.push_str("/>");
        let started = std::time::Instant::now();
        assert_eq!(
            parse(doc.as_bytes(), &Limits::default()).unwrap_err(),
            XmlError::TooComplex
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        let attrs = |n: usize| {
            let list: String = (0..n).map(|i| format!(" a{i}=\"v\"")).collect();
            format!("<a{list}/>")
        };
        assert!(parse(attrs(MAX_ATTRIBUTES).as_bytes(), &Limits::default()).is_ok());
        assert_eq!(
            parse(attrs(MAX_ATTRIBUTES + 1).as_bytes(), &Limits::default()).unwrap_err(),
            XmlError::TooComplex
        );
        // Namespace declarations in scope, spread over nested elements.
        let nested: String = (0..MAX_NAMESPACES + 1)
            .map(|i| format!("<e xmlns:p{i}=\"urn:x{i}\">"))
            .collect();
        let doc = nested + &"</e>".repeat(MAX_NAMESPACES + 1);
        let limits = Limits {
            max_depth: 1000,
            ..Limits::default()
        };
        assert_eq!(
            parse(doc.as_bytes(), &limits).unwrap_err(),
            XmlError::TooComplex
        );
    }
}
