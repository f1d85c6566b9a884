//! Media types: what a `Content-Type` names, and whether it is JSON.
//!
//! ```
//! use dancu_wire::media;
//! assert_eq!(media::media_type(" Application/JSON ; charset=utf-8"), "Application/JSON");
//! assert!(media::is_json("application/json; charset=utf-8"));
//! assert!(media::is_json("application/problem+json"));
//! assert!(!media::is_json("text/plain"));
//! ```

/// The media type of a `Content-Type` value: before any `;`, trimmed
/// (compare it ignoring ASCII case).
#[must_use]
pub fn media_type(content_type: &str) -> &str {
    content_type.split(';').next().unwrap_or_default().trim()
}

/// Whether a `Content-Type` names JSON: `application/json` or a `+json`
/// type (`application/problem+json`), in any letter case.
#[must_use]
pub fn is_json(content_type: &str) -> bool {
    let m = media_type(content_type);
    m.eq_ignore_ascii_case("application/json")
        || m.len() > 5
            && m.get(m.len().saturating_sub(5)..)
                .is_some_and(|suffix| suffix.eq_ignore_ascii_case("+json"))
}
