//! What a gateway's wire looks like: every point on which the gateways seen
//! in public integrations differ from the contract and from each other
//! (`gateway-dialects.md`), as one value, and the named presets.
//!
//! The codec in both directions is driven by a [`Dialect`]: the client
//! encodes requests and the server side (the sandbox) validates them with
//! the same value, so a request one side writes is exactly what the other
//! side of that dialect accepts.
//!
//! ```
//! use dancu_wire::{Dialect, Preset, KeyCase};
//! let tan_dan = Preset::TandanJson.dialect();
//! assert_eq!(tan_dan.json_keys, KeyCase::Camel);
//! assert!(tan_dan.json_nulls && !tan_dan.citizen_otp);
//! assert_eq!(Dialect::default().verify_code, "003");
//! assert_eq!("c06_php".parse::<Preset>().unwrap(), Preset::C06Php);
//! ```

use std::fmt;
use std::str::FromStr;

use dancu_core::FullName;

use crate::xml::Limits;

/// Why a dialect setting is refused. The message names the setting.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DialectError(pub String);

fn refuse(msg: impl Into<String>) -> DialectError {
    DialectError(msg.into())
}

/// How `HoVaTen` is written: always upper case with single spaces; with
/// diacritics (`NGUYỄN VĂN AN`) or folded to ASCII (`NGUYEN VAN AN`, Đ→D).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum NameForm {
    /// With diacritics (the default).
    #[default]
    Accented,
    /// Folded to ASCII.
    Unaccented,
}

impl NameForm {
    /// `accented` or `unaccented`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Accented => "accented",
            Self::Unaccented => "unaccented",
        }
    }

    /// The name as this form sends it.
    #[must_use]
    pub fn render(self, name: &FullName) -> String {
        match self {
            Self::Accented => name.to_wire_upper(),
            Self::Unaccented => name.folded_key(),
        }
    }
}

/// How `MaYeuCau` is written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum RequestIdFormat {
    /// The logical check's UUID (the contract).
    #[default]
    Uuid,
    /// A configured prefix, then the Unix time in milliseconds when the
    /// check was first sent (what real clients send).
    PrefixTime {
        /// The prefix (may be empty).
        prefix: String,
    },
}

impl RequestIdFormat {
    /// `uuid` or `prefix_time`.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Uuid => "uuid",
            Self::PrefixTime { .. } => "prefix_time",
        }
    }

    /// The longest id this format writes.
    #[must_use]
    pub fn longest(&self) -> usize {
        match self {
            Self::Uuid => 36,
            // 13 digits of milliseconds until the year 2286.
            Self::PrefixTime { prefix } => prefix.len().saturating_add(13),
        }
    }
}

/// How the full birth date (`NgayThangNam`) is written in requests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DateFormat {
    /// `yyyyMMdd` (the contract).
    #[default]
    Compact,
    /// `yyyy-MM-dd` (one front end).
    Iso,
}

impl DateFormat {
    /// `yyyyMMdd` or `yyyy-MM-dd`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Compact => "yyyyMMdd",
            Self::Iso => "yyyy-MM-dd",
        }
    }

    /// Writes `yyyymmdd` (8 digits) in this format.
    #[must_use]
    pub fn write(self, yyyymmdd: &str) -> String {
        match (
            self,
            yyyymmdd.get(0..4),
            yyyymmdd.get(4..6),
            yyyymmdd.get(6..8),
        ) {
            (Self::Iso, Some(y), Some(m), Some(d)) => format!("{y}-{m}-{d}"),
            _ => yyyymmdd.to_owned(),
        }
    }

    /// Reads a date written in this format back to `yyyymmdd`, or `None`.
    #[must_use]
    pub fn read(self, text: &str) -> Option<String> {
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        match self {
            Self::Compact => (text.len() == 8 && digits(text)).then(|| text.to_owned()),
            Self::Iso => {
                let b = text.as_bytes();
                (text.len() == 10
                    && b[4] == b'-'
                    && b[7] == b'-'
                    && digits(&text[0..4])
                    && digits(&text[5..7])
                    && digits(&text[8..10]))
                .then(|| format!("{}{}{}", &text[0..4], &text[5..7], &text[8..10]))
            }
        }
    }
}

/// How the keys of a JSON request are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum KeyCase {
    /// `HoVaTen`, `SoDinhDanh` (the contract).
    #[default]
    Pascal,
    /// `hoVaTen`, `soDinhDanh` (both real provincial gateways).
    Camel,
}

impl KeyCase {
    /// `pascal` or `camel`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pascal => "pascal",
            Self::Camel => "camel",
        }
    }

    /// A contract element name (`SoCMND`) in this case (`soCMND`).
    #[must_use]
    pub fn key(self, element: &str) -> std::borrow::Cow<'_, str> {
        use std::borrow::Cow;
        match self {
            Self::Pascal => Cow::Borrowed(element),
            Self::Camel if element == "OTP" => Cow::Borrowed("otp"),
            Self::Camel => {
                let mut chars = element.chars();
                Cow::Owned(chars.next().map_or_else(String::new, |c| {
                    c.to_ascii_lowercase().to_string() + chars.as_str()
                }))
            }
        }
    }
}

/// The element of a yes/no answer a gateway writes (a client accepts all
/// three, with any prefix).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum CheckElement {
    /// `KetQuaXacThucResponse` (the contract; a mock).
    #[default]
    KetQuaXacThucResponse,
    /// `XacThucThongTinCongDanResponse` (a real LGSP).
    XacThucThongTinCongDanResponse,
    /// `KetQuaXacThuc` (a mock).
    KetQuaXacThuc,
}

impl CheckElement {
    /// Every element a check answer may come as.
    pub const ALL: [Self; 3] = [
        Self::KetQuaXacThucResponse,
        Self::XacThucThongTinCongDanResponse,
        Self::KetQuaXacThuc,
    ];

    /// The element's local name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::KetQuaXacThucResponse => "KetQuaXacThucResponse",
            Self::XacThucThongTinCongDanResponse => "XacThucThongTinCongDanResponse",
            Self::KetQuaXacThuc => "KetQuaXacThuc",
        }
    }
}

/// How a JSON gateway answers a yes/no check (a client accepts both).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum JsonCheckShape {
    /// `{"error_code": 0, "message": "<KetQuaXacThucResponse …>"}`.
    #[default]
    Envelope,
    /// `{"data": "true"}` / `{"data": "false"}` (OpenCPS Đồng Tháp).
    Data,
}

/// How a JSON gateway authenticates the caller.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum JsonAuth {
    /// Nothing on the request (network-level trust; Tân Dân).
    None,
    /// A static key, `Authorization: Bearer <key>` (the contract).
    #[default]
    BearerKey,
    /// A bearer token from the LGSP token call (OpenCPS Đồng Tháp).
    LgspToken,
}

impl JsonAuth {
    /// `none`, `bearer_key` or `lgsp_token`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::BearerKey => "bearer_key",
            Self::LgspToken => "lgsp_token",
        }
    }
}

/// The unit of the C06 `Timestamp` header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TimestampUnit {
    /// Milliseconds since the Unix epoch (the C# and Java clients).
    #[default]
    Milliseconds,
    /// Seconds since the Unix epoch (the PHP client).
    Seconds,
}

impl TimestampUnit {
    /// `ms` or `s`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Milliseconds => "ms",
            Self::Seconds => "s",
        }
    }
}

macro_rules! keyword_enum {
    ($ty:ty, $what:literal, { $($text:literal => $value:expr),+ $(,)? }) => {
        impl FromStr for $ty {
            type Err = DialectError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim() {
                    $($text => Ok($value),)+
                    other => Err(refuse(format!(
                        concat!("{:?} is not ", $what, " (", $($text, " ",)+ ")"),
                        other
                    ))),
                }
            }
        }
    };
}

keyword_enum!(NameForm, "a name form", { "accented" => Self::Accented, "unaccented" => Self::Unaccented });
keyword_enum!(DateFormat, "a date format", { "yyyyMMdd" => Self::Compact, "yyyy-MM-dd" => Self::Iso });
keyword_enum!(KeyCase, "a key case", { "pascal" => Self::Pascal, "camel" => Self::Camel });
keyword_enum!(JsonAuth, "an authentication", {
    "none" => Self::None, "bearer_key" => Self::BearerKey, "lgsp_token" => Self::LgspToken,
});
keyword_enum!(TimestampUnit, "a timestamp unit", { "ms" => Self::Milliseconds, "s" => Self::Seconds });
keyword_enum!(CheckElement, "a check answer element", {
    "KetQuaXacThucResponse" => Self::KetQuaXacThucResponse,
    "XacThucThongTinCongDanResponse" => Self::XacThucThongTinCongDanResponse,
    "KetQuaXacThuc" => Self::KetQuaXacThuc,
});
keyword_enum!(JsonCheckShape, "a JSON check answer", { "envelope" => Self::Envelope, "data" => Self::Data });

/// The contract's request elements (`SoDinhDanh` stands for
/// `SoDinhDanh|SoCMND`), in the contract's order.
pub const CONTRACT_ORDER: [&str; 8] = [
    "MaYeuCau",
    "MaDVC",
    "MaTichHop",
    "MaCanBo",
    "MaDonVi",
    "SoDinhDanh",
    "HoVaTen",
    "NgayThangNamSinh",
];

/// Everything a gateway's wire is made of, besides the channel's
/// authentication. Build it from a [`Preset`] and override fields; check it
/// with [`Dialect::validate`] (gateway builders and the sandbox do).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dialect {
    /// `MaTichHop` of the full lookup (default `037`).
    pub lookup_code: String,
    /// `MaTichHop` of the yes/no check (default `003`, as three real
    /// clients send; `033` only in a mock).
    pub verify_code: String,
    /// How `MaYeuCau` is written.
    pub request_id: RequestIdFormat,
    /// The longest `MaYeuCau` the gateway takes (default 64).
    pub request_id_max_len: usize,
    /// The order of the request's elements: every name of
    /// [`CONTRACT_ORDER`] once, and the names of `extra_elements`
    /// wherever they go (those not named follow `MaDonVi`).
    pub element_order: Vec<String>,
    /// Extra elements with fixed values (`TaiKhoan`, `SoDienThoai`,
    /// `userNameService`), in the SOAP body and the JSON object alike.
    pub extra_elements: Vec<(String, String)>,
    /// How `NgayThangNam` is written.
    pub date_format: DateFormat,
    /// How `HoVaTen` is written.
    pub name_form: NameForm,
    /// Whether `MaDonVi` is sent when the context has a unit (SOAP).
    pub send_unit: bool,
    /// The SOAP requests' `Content-Type` (default `text/xml; charset=utf-8`).
    pub content_type: String,
    /// Whether `MaDVC` must be a service code registered for population-DB
    /// access (every real gateway) rather than the procedure code.
    pub service_code_required: bool,
    /// JSON request keys.
    pub json_keys: KeyCase,
    /// Whether a JSON request sends absent values as `null`.
    pub json_nulls: bool,
    /// The yes/no answer element a gateway writes.
    pub check_element: CheckElement,
    /// The JSON yes/no answer a gateway writes.
    pub json_check_shape: JsonCheckShape,
    /// The citizen one-time-password round trip (`OTP`, `MaHoSo`, answers
    /// `"00"`/`"01"`): in the contract, **not seen in any public client**;
    /// JSON channels only.
    pub citizen_otp: bool,
    /// Bounds on the XML the decoders read.
    pub limits: Limits,
}

impl Default for Dialect {
    /// The contract ([`Preset::Contract`]).
    fn default() -> Self {
        Self {
            lookup_code: "037".to_owned(),
            verify_code: "003".to_owned(),
            request_id: RequestIdFormat::Uuid,
            request_id_max_len: 64,
            element_order: CONTRACT_ORDER.iter().map(|s| (*s).to_owned()).collect(),
            extra_elements: Vec::new(),
            date_format: DateFormat::Compact,
            name_form: NameForm::Accented,
            send_unit: true,
            content_type: SOAP_CONTENT_TYPE.to_owned(),
            service_code_required: false,
            json_keys: KeyCase::Pascal,
            json_nulls: false,
            check_element: CheckElement::KetQuaXacThucResponse,
            json_check_shape: JsonCheckShape::Envelope,
            citizen_otp: true,
            limits: Limits::default(),
        }
    }
}

/// The contract's SOAP content type.
pub const SOAP_CONTENT_TYPE: &str = "text/xml; charset=utf-8";

/// The content type every real SOAP client sends.
pub const XML_CONTENT_TYPE: &str = "application/xml";

fn is_code(code: &str) -> bool {
    !code.is_empty() && code.len() <= 16 && code.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn is_element_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && name.len() <= 64
}

impl Dialect {
    /// The `MaTichHop` of an operation.
    #[must_use]
    pub fn integration_code(&self, op: dancu_core::registry::Operation) -> &str {
        match op {
            dancu_core::registry::Operation::Lookup => &self.lookup_code,
            dancu_core::registry::Operation::Check => &self.verify_code,
        }
    }

    /// Checks that the dialect can be written and read.
    ///
    /// # Errors
    ///
    /// [`DialectError`] naming the setting (`verify_code`, `element_order`, …).
    pub fn validate(&self) -> Result<(), DialectError> {
        for (key, code) in [
            ("lookup_code", &self.lookup_code),
            ("verify_code", &self.verify_code),
        ] {
            if !is_code(code) {
                return Err(refuse(format!(
                    "{key}: {code:?} is not 1-16 ASCII letters or digits"
                )));
            }
        }
        if let RequestIdFormat::PrefixTime { prefix } = &self.request_id
            && !prefix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        {
            return Err(refuse(
                "request_id_prefix: only ASCII letters, digits, '-', '_' and '.'",
            ));
        }
        if !(8..=255).contains(&self.request_id_max_len) {
            return Err(refuse("request_id_max_len: between 8 and 255"));
        }
        if self.request_id.longest() > self.request_id_max_len {
            return Err(refuse(format!(
                "request_id: a {} id is up to {} characters, longer than request_id_max_len ({})",
                self.request_id.as_str(),
                self.request_id.longest(),
                self.request_id_max_len
            )));
        }
        let mut seen: Vec<&str> = Vec::new();
        for (name, value) in &self.extra_elements {
            if !is_element_name(name) {
                return Err(refuse(format!(
                    "extra_elements: {name:?} is not an element name"
                )));
            }
            if CONTRACT_ORDER.contains(&name.as_str())
                || ["SoCMND", "Nam", "NgayThangNam", "MaHoSo", "OTP"].contains(&name.as_str())
            {
                return Err(refuse(format!(
                    "extra_elements: {name} is an element of the contract, not an extra one"
                )));
            }
            if seen.contains(&name.as_str()) {
                return Err(refuse(format!("extra_elements: {name} is given twice")));
            }
            if value.trim().is_empty() {
                return Err(refuse(format!(
                    "extra_elements.{name}: no value (the gateway expects one; set it)"
                )));
            }
            if value.chars().any(char::is_control) {
                return Err(refuse(format!(
                    "extra_elements.{name}: control characters cannot be sent"
                )));
            }
            seen.push(name);
        }
        let mut listed: Vec<&str> = Vec::new();
        for name in &self.element_order {
            let known = CONTRACT_ORDER.contains(&name.as_str()) || seen.contains(&name.as_str());
            if !known {
                return Err(refuse(format!(
                    "element_order: {name} is neither an element of the contract nor one of extra_elements"
                )));
            }
            if listed.contains(&name.as_str()) {
                return Err(refuse(format!("element_order: {name} is listed twice")));
            }
            listed.push(name);
        }
        if let Some(missing) = CONTRACT_ORDER.iter().find(|n| !listed.contains(n)) {
            return Err(refuse(format!(
                "element_order: {missing} is missing (list every element of the contract)"
            )));
        }
        if self.content_type.trim().is_empty()
            || self.content_type.chars().any(|c| c.is_control())
            || !self.content_type.to_ascii_lowercase().contains("xml")
        {
            return Err(refuse(format!(
                "content_type: {:?} is not an XML content type",
                self.content_type
            )));
        }
        Ok(())
    }

    /// The request's elements in the order this dialect writes them:
    /// [`Dialect::element_order`], with extra elements it does not name
    /// placed after `MaDonVi`.
    #[must_use]
    pub fn sequence(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::with_capacity(self.element_order.len().saturating_add(2));
        for name in &self.element_order {
            out.push(name);
            if name == "MaDonVi" {
                for (extra, _) in &self.extra_elements {
                    if !self.element_order.contains(extra) {
                        out.push(extra);
                    }
                }
            }
        }
        out
    }

    /// The fixed value of an extra element.
    #[must_use]
    pub fn extra(&self, name: &str) -> Option<&str> {
        self.extra_elements
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A named bundle of dialect settings, one for each gateway seen in public
/// integrations. Explicit settings override the preset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Preset {
    /// The contract as `population-db-contract.md` writes it (and dancu
    /// spoke it before dialects): the only preset with the citizen OTP.
    #[default]
    Contract,
    /// LGSP SOAP as OpenCPS calls it (Hậu Giang, Đồng Tháp).
    OpencpsLgsp,
    /// Tân Dân's provincial JSON gateway (Thanh Hóa).
    TandanJson,
    /// OpenCPS Đồng Tháp's provincial JSON gateway.
    DongthapJson,
    /// The C06 adapter as the C# client calls it.
    C06Csharp,
    /// The C06 adapter as the PHP client calls it.
    C06Php,
}

/// What a preset sets besides the [`Dialect`]: the channel it belongs to
/// and that channel's authentication defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PresetChannel {
    /// The gateway kind (`lgsp`, `c06`, `provincial_json`); `None`: any.
    pub kind: Option<&'static str>,
    /// JSON gateways: how the caller authenticates.
    pub json_auth: JsonAuth,
    /// C06: whether `ApiKey` and `X-Road-Client` are sent.
    pub c06_api_headers: bool,
    /// C06: the unit of `Timestamp`.
    pub timestamp_unit: TimestampUnit,
}

impl Preset {
    /// Every preset.
    pub const ALL: [Self; 6] = [
        Self::Contract,
        Self::OpencpsLgsp,
        Self::TandanJson,
        Self::DongthapJson,
        Self::C06Csharp,
        Self::C06Php,
    ];

    /// The preset's name in `dancu.toml`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Contract => "contract",
            Self::OpencpsLgsp => "opencps_lgsp",
            Self::TandanJson => "tandan_json",
            Self::DongthapJson => "dongthap_json",
            Self::C06Csharp => "c06_csharp",
            Self::C06Php => "c06_php",
        }
    }

    /// The dialect the preset sets.
    #[must_use]
    pub fn dialect(self) -> Dialect {
        let contract = Dialect::default();
        // Every real client: a registered service code in MaDVC, a prefix
        // and the time in MaYeuCau, no citizen OTP.
        let field = Dialect {
            request_id: RequestIdFormat::PrefixTime {
                prefix: String::new(),
            },
            service_code_required: true,
            citizen_otp: false,
            ..contract.clone()
        };
        match self {
            Self::Contract => contract,
            Self::OpencpsLgsp => Dialect {
                content_type: XML_CONTENT_TYPE.to_owned(),
                check_element: CheckElement::XacThucThongTinCongDanResponse,
                ..field
            },
            Self::TandanJson => Dialect {
                json_keys: KeyCase::Camel,
                json_nulls: true,
                ..field
            },
            Self::DongthapJson => Dialect {
                json_keys: KeyCase::Camel,
                json_check_shape: JsonCheckShape::Data,
                extra_elements: vec![("userNameService".to_owned(), String::new())],
                ..field
            },
            Self::C06Csharp | Self::C06Php => Dialect {
                content_type: XML_CONTENT_TYPE.to_owned(),
                ..field
            },
        }
    }

    /// The channel the preset belongs to and its authentication defaults.
    #[must_use]
    pub const fn channel(self) -> PresetChannel {
        let any = PresetChannel {
            kind: None,
            json_auth: JsonAuth::BearerKey,
            c06_api_headers: true,
            timestamp_unit: TimestampUnit::Milliseconds,
        };
        match self {
            Self::Contract => any,
            Self::OpencpsLgsp => PresetChannel {
                kind: Some("lgsp"),
                ..any
            },
            Self::TandanJson => PresetChannel {
                kind: Some("provincial_json"),
                json_auth: JsonAuth::None,
                ..any
            },
            Self::DongthapJson => PresetChannel {
                kind: Some("provincial_json"),
                json_auth: JsonAuth::LgspToken,
                ..any
            },
            Self::C06Csharp => PresetChannel {
                kind: Some("c06"),
                ..any
            },
            Self::C06Php => PresetChannel {
                kind: Some("c06"),
                c06_api_headers: false,
                timestamp_unit: TimestampUnit::Seconds,
                ..any
            },
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Preset {
    type Err = DialectError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s.trim())
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|p| p.as_str()).collect();
                refuse(format!(
                    "{s:?} is not a preset (one of {})",
                    names.join(", ")
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_valid_and_named() {
        for p in Preset::ALL {
            let mut d = p.dialect();
            for (_, value) in &mut d.extra_elements {
                // Deployment values: the preset names the element only.
                assert!(value.is_empty());
                *value = "motcua".into();
            }
            d.validate().unwrap_or_else(|e| panic!("{p}: {e}"));
            assert_eq!(p.as_str().parse::<Preset>().unwrap(), p);
        }
        assert!("soap".parse::<Preset>().unwrap_err().0.contains("c06_php"));
        // The citizen OTP is the contract's alone.
        for p in Preset::ALL {
            assert_eq!(p.dialect().citizen_otp, p == Preset::Contract, "{p}");
        }
    }

    #[test]
    fn validation_names_the_setting() {
        let bad = |d: Dialect, what: &str| {
            let e = d.validate().unwrap_err().0;
            assert!(e.contains(what), "{what}: {e}");
        };
        let d = Dialect::default;
        bad(
            Dialect {
                verify_code: "0 3".into(),
                ..d()
            },
            "verify_code",
        );
        bad(
            Dialect {
                element_order: vec!["MaYeuCau".into()],
                ..d()
            },
            "element_order: MaDVC is missing",
        );
        bad(
            Dialect {
                extra_elements: vec![("MaDVC".into(), "x".into())],
                ..d()
            },
            "element of the contract",
        );
        bad(
            Dialect {
                request_id: RequestIdFormat::PrefixTime {
                    prefix: "x".repeat(60),
                },
                ..d()
            },
            "request_id_max_len",
        );
        bad(
            Dialect {
                content_type: "application/json".into(),
                ..d()
            },
            "content_type",
        );
        let mut order: Vec<String> = CONTRACT_ORDER.iter().map(|s| (*s).to_owned()).collect();
        order.swap(3, 4);
        order.push("TaiKhoan".into());
        let ok = Dialect {
            element_order: order,
            extra_elements: vec![
                ("TaiKhoan".into(), "motcua".into()),
                ("SoDienThoai".into(), "0912".into()),
            ],
            ..d()
        };
        ok.validate().unwrap();
        assert_eq!(
            ok.sequence(),
            [
                "MaYeuCau",
                "MaDVC",
                "MaTichHop",
                "MaDonVi",
                "SoDienThoai",
                "MaCanBo",
                "SoDinhDanh",
                "HoVaTen",
                "NgayThangNamSinh",
                "TaiKhoan"
            ]
        );
    }

    #[test]
    fn keys_and_dates() {
        assert_eq!(KeyCase::Camel.key("SoCMND"), "soCMND");
        assert_eq!(KeyCase::Camel.key("MaDVC"), "maDVC");
        assert_eq!(KeyCase::Camel.key("OTP"), "otp");
        assert_eq!(KeyCase::Pascal.key("HoVaTen"), "HoVaTen");
        assert_eq!(DateFormat::Iso.write("19890512"), "1989-05-12");
        assert_eq!(
            DateFormat::Iso.read("1989-05-12").as_deref(),
            Some("19890512")
        );
        assert_eq!(DateFormat::Iso.read("19890512"), None);
        assert_eq!(DateFormat::Compact.read("1989-05-12"), None);
    }
}
