//! A small namespace-aware element tree over quick-xml, for the codec.
//!
//! Gateways differ in prefixes, default namespaces, whitespace and element
//! order, so the codec reads a whole (small) document into a tree and looks
//! elements up by namespace and local name. The reader is iterative (no
//! recursion on input), bounded in depth and size, and rejects DTDs.

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

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

/// Largest document the codec reads.
pub(crate) const MAX_BYTES: usize = 4 * 1024 * 1024;
const MAX_DEPTH: usize = 32;
const MAX_NODES: usize = 20_000;

impl Ns {
    fn of(resolved: &ResolveResult<'_>) -> Self {
        match resolved {
            ResolveResult::Bound(ns) => match ns.as_ref() {
                b if b == SOAP_NS.as_bytes() => Self::Soap,
                b if b == BCA_NS.as_bytes() => Self::Bca,
                b if b == MIC_NS.as_bytes() => Self::Mic,
                _ => Self::Other,
            },
            ResolveResult::Unbound => Self::None,
            // An undeclared prefix is not namespace-well-formed; the reader
            // reports it as an error before we get here.
            ResolveResult::Unknown(_) => Self::Other,
        }
    }
}

/// One element: namespace, local name, attributes (local name, value),
/// element children and the concatenated character data.
#[derive(Debug, Default)]
pub(crate) struct Node {
    pub(crate) ns: Option<Ns>,
    pub(crate) local: String,
    pub(crate) attrs: Vec<(String, String)>,
    pub(crate) children: Vec<Node>,
    pub(crate) text: String,
}

/// Why a document could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum XmlError {
    /// Not UTF-8.
    Encoding,
    /// Larger than [`MAX_BYTES`].
    TooLarge,
    /// Nested deeper or with more elements than the contract ever needs.
    TooComplex,
    /// A DTD: never accepted.
    Doctype,
    /// Not well-formed, at a byte offset.
    Malformed(u64),
    /// No root element.
    Empty,
}

impl std::fmt::Display for XmlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Encoding => f.write_str("the body is not UTF-8"),
            Self::TooLarge => write!(f, "the body is larger than {MAX_BYTES} bytes"),
            Self::TooComplex => f.write_str("the document is nested too deeply or too large"),
            Self::Doctype => f.write_str("a document type declaration is not accepted"),
            Self::Malformed(at) => write!(f, "the body is not well-formed XML (near byte {at})"),
            Self::Empty => f.write_str("the body has no XML element"),
        }
    }
}

impl Node {
    /// Whether this element is `local` in namespace `ns`.
    pub(crate) fn is(&self, ns: Ns, local: &str) -> bool {
        self.ns == Some(ns) && self.local == local
    }

    /// The first child named `local` in one of `nss`.
    pub(crate) fn child(&self, nss: &[Ns], local: &str) -> Option<&Node> {
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
            .map(|(_, v)| v.as_str())
    }
}

/// Reads a document into its root element.
pub(crate) fn parse(bytes: &[u8]) -> Result<Node, XmlError> {
    if bytes.len() > MAX_BYTES {
        return Err(XmlError::TooLarge);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| XmlError::Encoding)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Node> = Vec::with_capacity(8);
    let mut root: Option<Node> = None;
    let mut nodes = 0usize;
    let malformed = |r: &NsReader<&[u8]>| XmlError::Malformed(r.buffer_position());
    loop {
        let (ns, unknown, event) = match reader.read_resolved_event() {
            Ok((r, e)) => (Ns::of(&r), matches!(r, ResolveResult::Unknown(_)), e),
            Err(_) => return Err(malformed(&reader)),
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_empty = matches!(event, Event::Empty(_));
                if unknown {
                    return Err(malformed(&reader));
                }
                if root.is_some() {
                    // A second root element.
                    return Err(malformed(&reader));
                }
                nodes += 1;
                if nodes > MAX_NODES || stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooComplex);
                }
                let local = std::str::from_utf8(e.local_name().into_inner())
                    .map_err(|_| XmlError::Encoding)?
                    .to_owned();
                let mut attrs = Vec::new();
                for a in e.attributes() {
                    let a = a.map_err(|_| malformed(&reader))?;
                    let key = a.key;
                    if key.as_namespace_binding().is_some() {
                        continue;
                    }
                    let name = std::str::from_utf8(key.local_name().into_inner())
                        .map_err(|_| XmlError::Encoding)?
                        .to_owned();
                    let value = a
                        .unescape_value()
                        .map_err(|_| malformed(&reader))?
                        .into_owned();
                    attrs.push((name, value));
                }
                let node = Node {
                    ns: Some(ns),
                    local,
                    attrs,
                    children: Vec::new(),
                    text: String::new(),
                };
                if is_empty {
                    close(node, &mut stack, &mut root);
                } else {
                    stack.push(node);
                }
            }
            Event::End(_) => {
                let node = stack.pop().ok_or_else(|| malformed(&reader))?;
                close(node, &mut stack, &mut root);
            }
            Event::Text(t) => {
                let s = t.decode().map_err(|_| XmlError::Encoding)?;
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&s),
                    None if s.trim().is_empty() => {}
                    None => return Err(malformed(&reader)),
                }
            }
            Event::CData(t) => {
                let s = t.decode().map_err(|_| XmlError::Encoding)?;
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&s),
                    None => return Err(malformed(&reader)),
                }
            }
            Event::GeneralRef(r) => {
                let ch = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) => {
                        let name = r.decode().map_err(|_| XmlError::Encoding)?;
                        let s = quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| malformed(&reader))?;
                        s.chars().next().ok_or_else(|| malformed(&reader))?
                    }
                    Err(_) => return Err(malformed(&reader)),
                };
                match stack.last_mut() {
                    Some(top) => top.text.push(ch),
                    None => return Err(malformed(&reader)),
                }
            }
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(malformed(&reader));
    }
    root.ok_or(XmlError::Empty)
}

fn close(node: Node, stack: &mut [Node], root: &mut Option<Node>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => *root = Some(node),
    }
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
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
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
        let root = parse(doc.as_bytes()).unwrap();
        assert!(root.is(Ns::Bca, "R"));
        assert_eq!(root.attr("x"), Some("1&2"));
        assert_eq!(root.children[0].ns, Some(Ns::Mic));
        assert_eq!(root.children[0].text, "x<A<y>");
        assert_eq!(root.children[1].ns, Some(Ns::None));
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
            assert!(parse(doc.as_bytes()).is_err(), "{doc}");
        }
        assert_eq!(parse(&[0xff, 0xfe]).unwrap_err(), XmlError::Encoding);
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert_eq!(parse(deep.as_bytes()).unwrap_err(), XmlError::TooComplex);
    }

    #[test]
    fn escapes() {
        let mut s = String::new();
        escape_into(&mut s, "a<b>&\"'\u{1}c");
        assert_eq!(s, "a&lt;b&gt;&amp;&quot;&apos;c");
    }
}
