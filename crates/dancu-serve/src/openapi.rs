//! The OpenAPI 3.1 document of the service (`GET /openapi.json`, committed
//! as `docs/openapi.json`), built from the request types and the answer
//! types below. A test checks every route of the router is in it.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa::openapi::path::{
    HttpMethod, Operation, OperationBuilder, ParameterBuilder, ParameterIn, PathItem,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, Content, InfoBuilder, LicenseBuilder, ObjectBuilder, OpenApi,
    OpenApiBuilder, PathsBuilder, Ref, Required, Type,
};

use crate::problem::{PROBLEM_JSON, ProblemBody};
use crate::routes::{
    DossierCodeRequest, InspectRequest, LookupRequest, Officer, ResolveRequest, SubjectQuery,
};

/// An error of one input of a batch, or of a lookup.
#[derive(Serialize, ToSchema)]
pub struct ErrorObject {
    /// The stable code (`wrong_length`, `timed_out`, …).
    pub code: String,
    /// What is wrong, without personal data.
    pub message: String,
}

/// One identity number, as `dancu id inspect --json` prints it.
#[derive(Serialize, ToSchema)]
pub struct IdReport {
    /// The input as sent.
    pub input: String,
    /// Whether it is a valid number of some kind.
    pub valid: bool,
    /// `personal_id`, `cmnd`, `passport`, `tax_code`; `null` when not
    /// recognised.
    pub kind: Option<String>,
    /// The number in its canonical form.
    pub canonical: Option<String>,
    /// Where a personal ID was registered (province code and names).
    pub registration: Option<Value>,
    /// `male` or `female`, from a personal ID.
    pub gender: Option<String>,
    /// The birth year a personal ID encodes.
    pub birth_year: Option<i64>,
    /// For a CMND: whether the document is still valid on the day asked.
    pub document_valid_on: Option<Value>,
    /// For a CMND: the last day the document is valid.
    pub document_valid_until: Option<Value>,
    /// Why it is invalid.
    pub error: Option<ErrorObject>,
}

/// The answer of `POST /v1/identity/inspect`, in the order of the inputs.
#[derive(Serialize, ToSchema)]
pub struct InspectResponse {
    /// One report per input.
    pub results: Vec<IdReport>,
}

/// One address, as `dancu address resolve --json` prints it.
#[derive(Serialize, ToSchema)]
pub struct AddressReport {
    /// The text as sent.
    pub input: String,
    /// Whether it resolved to one unit with confidence.
    pub resolved: bool,
    /// The era the text was written in: `legacy` or `2025`.
    pub era: Option<String>,
    /// Province, district and commune of the legacy scheme.
    pub legacy: Option<Value>,
    /// Province and commune of the 2025 scheme, with alternatives.
    pub current: Option<Value>,
    /// A unit that no longer existed in either scheme's data.
    pub historical: Option<Value>,
    /// The part before the units (house number, street).
    pub detail: Option<Value>,
    /// From 0 to 1.
    pub confidence: f64,
    /// The units considered, best first.
    pub candidates: Vec<Value>,
}

/// The answer of `POST /v1/addresses/resolve`, in the order of the inputs.
#[derive(Serialize, ToSchema)]
pub struct ResolveResponse {
    /// One report per input.
    pub results: Vec<AddressReport>,
}

/// A unit by its code, as `dancu address show --json` prints it (level,
/// name, kind, parents, children, successors or predecessors).
#[derive(Serialize, ToSchema)]
pub struct Unit {
    /// The code.
    pub code: String,
    /// The full name.
    pub name: String,
    /// `province`, `district` or `commune`.
    pub level: String,
    /// `legacy` or `2025`.
    pub era: String,
}

/// A legacy code converted to the 2025 scheme, as `dancu address convert
/// --json` prints it.
#[derive(Serialize, ToSchema)]
pub struct Conversion {
    /// The legacy code asked.
    pub input: String,
}

/// The legacy units a 2025 unit was formed from.
#[derive(Serialize, ToSchema)]
pub struct Predecessors {
    /// The 2025 code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// `province` or `commune`.
    pub level: String,
    /// The legacy units, with `kind` `full` or `partial` for communes.
    pub predecessors: Vec<Value>,
}

/// One check of a citizen: the object `dancu verify --json` prints.
#[derive(Serialize, ToSchema)]
pub struct LookupReport {
    /// The logical check's request id.
    pub request_id: String,
    /// `found`, `not_found`, `confirmed`, `not_confirmed`, `otp_required`,
    /// `otp_rejected`.
    pub outcome: String,
    /// How many attempts were made.
    pub attempts: u32,
    /// The citizen's record, for `found`.
    pub record: Option<Value>,
    /// What was typed against the record, field by field.
    #[serde(rename = "match")]
    #[schema(rename = "match")]
    pub match_report: Option<Value>,
    /// Always `null` in a `200` answer.
    pub error: Option<ErrorObject>,
}

/// A lookup that failed: a problem with the report's fields.
#[derive(Serialize, ToSchema)]
pub struct LookupProblem {
    /// `urn:dancu:problem:<code>`.
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub kind: String,
    /// A short summary.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What happened, without personal data.
    pub detail: String,
    /// `rejected`, `unauthorized`, `invalid_response`, `unavailable`,
    /// `timed_out`, `rate_limited`, `audit_failed`, `configuration`, …
    pub code: String,
    /// The logical check's request id.
    pub request_id: String,
    /// `rejected`, `unavailable` or `invalid_response`.
    pub outcome: String,
    /// How many attempts were made.
    pub attempts: u32,
    /// The error, as `dancu verify --json` prints it.
    pub error: ErrorObject,
    /// Seconds to wait, when the gateway said.
    pub retry_after: Option<u64>,
}

/// One audit record, as `dancu audit --json` prints it.
#[derive(Serialize, ToSchema)]
pub struct AuditRecord {
    /// The record's number in the trail.
    pub id: i64,
    /// The logical check's request id.
    pub request_id: String,
    /// When the lookup started (RFC 3339, UTC).
    pub started_at: String,
    /// The officer.
    pub officer: String,
    /// The calling client of the service.
    pub client: Option<String>,
    /// The officer's unit.
    pub unit: Option<String>,
    /// The procedure code.
    pub procedure: String,
    /// The dossier code.
    pub dossier: Option<String>,
    /// The purpose.
    pub purpose: Option<String>,
    /// The gateway's name.
    pub gateway: String,
    /// Its channel.
    pub channel: String,
    /// `lookup` or `check`.
    pub operation: String,
    /// The number looked up, masked.
    pub subject: String,
    /// The other numbers of the record returned, masked.
    pub record_subjects: Vec<String>,
    /// Whether the lookup has not completed (yet).
    pub pending: bool,
    /// How it ended.
    pub outcome: Option<String>,
    /// Attempts made.
    pub attempts: Option<u32>,
    /// When it ended.
    pub completed_at: Option<String>,
    /// The data's as-of time, from the gateway.
    pub as_of: Option<String>,
    /// SHA-256 of the request sent.
    pub request_sha256: Option<String>,
    /// SHA-256 of the answer received.
    pub response_sha256: Option<String>,
}

/// A page of audit records, oldest first.
#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    /// The records of this page.
    pub records: Vec<AuditRecord>,
    /// Give it as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// A dossier code issued.
#[derive(Serialize, ToSchema)]
pub struct DossierCodeIssued {
    /// The national dossier code, `<unit>-YYMMDD-NNNN`.
    pub code: String,
    /// The unit.
    pub unit: String,
    /// The day (YYYY-MM-DD).
    pub date: String,
}

/// `GET /healthz`.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
}

/// `GET /readyz`.
#[derive(Serialize, ToSchema)]
pub struct Ready {
    /// `ready` or `not_ready`.
    pub status: String,
    /// Each check.
    pub checks: Value,
}

struct Op {
    method: HttpMethod,
    path: &'static str,
    id: &'static str,
    tag: &'static str,
    summary: &'static str,
    body: Option<&'static str>,
    ok: (&'static str, &'static str),
    params: &'static [(&'static str, ParameterIn, bool, &'static str)],
    problems: &'static [(&'static str, &'static str)],
    authenticated: bool,
}

const AUTH: &[(&str, &str)] = &[
    ("400", "A malformed `X-Request-Id` or body"),
    ("401", "No client key, or an unknown one"),
    ("403", "The client key lacks the scope"),
    ("429", "The client is over its rate limit (`Retry-After`)"),
    (
        "503",
        "The request did not finish within the deadline (`timed_out`)",
    ),
];
const BODY: &[(&str, &str)] = &[
    ("408", "The body did not arrive in time"),
    ("413", "The body is larger than the limit"),
    ("415", "The body is not JSON"),
    ("422", "Invalid input, before any gateway call or audit"),
];

fn operations() -> Vec<Op> {
    use HttpMethod::{Get, Post};
    use ParameterIn::{Path, Query};
    let code_path: &'static [(&str, ParameterIn, bool, &str)] =
        &[("code", Path, true, "The unit code, leading zeros kept")];
    let unit_problems: &'static [(&str, &str)] = &[
        ("404", "No unit has that code"),
        ("422", "Not a code of that era"),
    ];
    let audit_problems: &'static [(&str, &str)] = &[("422", "An invalid key or page")];
    vec![
        Op {
            method: Post,
            path: "/v1/identity/inspect",
            id: "inspectIds",
            tag: "identity",
            summary: "Classify and decode identity numbers (scope identity)",
            body: Some("InspectRequest"),
            ok: ("200", "InspectResponse"),
            params: &[],
            problems: BODY,
            authenticated: true,
        },
        Op {
            method: Post,
            path: "/v1/addresses/resolve",
            id: "resolveAddresses",
            tag: "address",
            summary: "Resolve free-text addresses of either era (scope address)",
            body: Some("ResolveRequest"),
            ok: ("200", "ResolveResponse"),
            params: &[],
            problems: BODY,
            authenticated: true,
        },
        Op {
            method: Get,
            path: "/v1/units/legacy/{code}",
            id: "legacyUnit",
            tag: "address",
            summary: "A legacy unit (province, district, commune) by code (scope address)",
            body: None,
            ok: ("200", "Unit"),
            params: code_path,
            problems: unit_problems,
            authenticated: true,
        },
        Op {
            method: Get,
            path: "/v1/units/2025/{code}",
            id: "unit2025",
            tag: "address",
            summary: "A 2025 unit (province, commune) by code (scope address)",
            body: None,
            ok: ("200", "Unit"),
            params: code_path,
            problems: unit_problems,
            authenticated: true,
        },
        Op {
            method: Get,
            path: "/v1/units/legacy/{code}/successors",
            id: "legacySuccessors",
            tag: "address",
            summary: "What a legacy unit became in 2025 (scope address)",
            body: None,
            ok: ("200", "Conversion"),
            params: code_path,
            problems: unit_problems,
            authenticated: true,
        },
        Op {
            method: Get,
            path: "/v1/units/2025/{code}/predecessors",
            id: "predecessors2025",
            tag: "address",
            summary: "The legacy units a 2025 unit was formed from (scope address)",
            body: None,
            ok: ("200", "Predecessors"),
            params: code_path,
            problems: unit_problems,
            authenticated: true,
        },
        Op {
            method: Post,
            path: "/v1/citizens/lookup",
            id: "lookupCitizen",
            tag: "citizens",
            summary: "Look a citizen up in the population database, audited (scope lookup)",
            body: Some("LookupRequest"),
            ok: ("200", "LookupReport"),
            params: &[],
            problems: BODY,
            authenticated: true,
        },
        Op {
            method: Post,
            path: "/v1/citizens/check",
            id: "checkCitizen",
            tag: "citizens",
            summary: "Check a citizen's data (yes/no), audited (scope lookup)",
            body: Some("LookupRequest"),
            ok: ("200", "LookupReport"),
            params: &[],
            problems: BODY,
            authenticated: true,
        },
        Op {
            method: Get,
            path: "/v1/audit",
            id: "auditBetween",
            tag: "audit",
            summary: "Lookups started in a time range (scope audit)",
            body: None,
            ok: ("200", "AuditPage"),
            params: &[
                (
                    "from",
                    Query,
                    true,
                    "Start: RFC 3339 or YYYY-MM-DD (a Vietnam day)",
                ),
                (
                    "to",
                    Query,
                    true,
                    "End: RFC 3339 (excluded) or YYYY-MM-DD (included)",
                ),
                (
                    "limit",
                    Query,
                    false,
                    "Records per page, 1 to 1000 (default 100)",
                ),
                (
                    "cursor",
                    Query,
                    false,
                    "The `next_cursor` of the previous page",
                ),
            ],
            problems: audit_problems,
            authenticated: true,
        },
        Op {
            method: Post,
            path: "/v1/audit/subjects",
            id: "auditSubjectQuery",
            tag: "audit",
            summary: "Who looked this citizen up, the number in the body, in no URL (scope audit)",
            body: Some("SubjectQuery"),
            ok: ("200", "AuditPage"),
            params: &[],
            problems: &[
                ("408", "The body did not arrive in time"),
                ("413", "The body is larger than the limit"),
                ("415", "The body is not JSON"),
                ("422", "An invalid number or page"),
            ],
            authenticated: true,
        },
        Op {
            method: Get,
            path: "/v1/audit/subjects/{id}",
            id: "auditSubject",
            tag: "audit",
            summary: "Who looked this citizen up (scope audit)",
            body: None,
            ok: ("200", "AuditPage"),
            params: &[
                ("id", Path, true, "The personal ID or CMND number"),
                (
                    "limit",
                    Query,
                    false,
                    "Records per page, 1 to 1000 (default 100)",
                ),
                (
                    "cursor",
                    Query,
                    false,
                    "The `next_cursor` of the previous page",
                ),
            ],
            problems: audit_problems,
            authenticated: true,
        },
        Op {
            method: Get,
            path: "/v1/audit/officers/{officer}",
            id: "auditOfficer",
            tag: "audit",
            summary: "Every lookup by one officer (scope audit)",
            body: None,
            ok: ("200", "AuditPage"),
            params: &[
                ("officer", Path, true, "The officer identifier"),
                (
                    "limit",
                    Query,
                    false,
                    "Records per page, 1 to 1000 (default 100)",
                ),
                (
                    "cursor",
                    Query,
                    false,
                    "The `next_cursor` of the previous page",
                ),
            ],
            problems: audit_problems,
            authenticated: true,
        },
        Op {
            method: Get,
            path: "/v1/audit/dossiers/{code}",
            id: "auditDossier",
            tag: "audit",
            summary: "Every lookup for one dossier (scope audit)",
            body: None,
            ok: ("200", "AuditPage"),
            params: &[
                ("code", Path, true, "The dossier code"),
                (
                    "limit",
                    Query,
                    false,
                    "Records per page, 1 to 1000 (default 100)",
                ),
                (
                    "cursor",
                    Query,
                    false,
                    "The `next_cursor` of the previous page",
                ),
            ],
            problems: audit_problems,
            authenticated: true,
        },
        Op {
            method: Post,
            path: "/v1/dossier-codes",
            id: "issueDossierCode",
            tag: "dossiers",
            summary: "The next dossier code of a unit and day, issued atomically (scope dossier_codes)",
            body: Some("DossierCodeRequest"),
            ok: ("201", "DossierCodeIssued"),
            params: &[],
            problems: &[
                ("408", "The body did not arrive in time"),
                ("409", "Every serial of the day is used"),
                ("413", "The body is larger than the limit"),
                ("415", "The body is not JSON"),
                ("422", "Invalid input"),
            ],
            authenticated: true,
        },
        Op {
            method: Get,
            path: "/healthz",
            id: "health",
            tag: "operations",
            summary: "The process is up",
            body: None,
            ok: ("200", "Health"),
            params: &[],
            problems: &[],
            authenticated: false,
        },
        Op {
            method: Get,
            path: "/readyz",
            id: "ready",
            tag: "operations",
            summary: "Ready: configuration loaded, audit trail writable",
            body: None,
            ok: ("200", "Ready"),
            params: &[],
            problems: &[],
            authenticated: false,
        },
    ]
}

fn json_content(schema: &str) -> Content {
    Content::new(Some(Ref::from_schema_name(schema)))
}

fn operation(op: &Op) -> Operation {
    let mut b = OperationBuilder::new()
        .operation_id(Some(op.id))
        .summary(Some(op.summary))
        .tag(op.tag)
        .response(
            op.ok.0,
            ResponseBuilder::new()
                .description("Success")
                .content("application/json", json_content(op.ok.1))
                .build(),
        );
    if let Some(body) = op.body {
        b = b.request_body(Some(
            RequestBodyBuilder::new()
                .content("application/json", json_content(body))
                .required(Some(Required::True))
                .build(),
        ));
    }
    for (name, place, required, description) in op.params {
        b = b.parameter(
            ParameterBuilder::new()
                .name(*name)
                .parameter_in(place.clone())
                .required(if *required {
                    Required::True
                } else {
                    Required::False
                })
                .description(Some(*description))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String))),
        );
    }
    let mut problems: Vec<(&str, &str)> = op.problems.to_vec();
    if op.authenticated {
        problems.extend_from_slice(AUTH);
        b = b.security(SecurityRequirement::new("bearer", Vec::<String>::new()));
    }
    if op.path == "/readyz" {
        problems.push(("503", "Not ready: the audit trail cannot be written"));
    }
    let lookup = op.path.starts_with("/v1/citizens/");
    for (status, description) in problems {
        let description = match (lookup, status) {
            (true, "503") => {
                "The gateway is unavailable or timed out, the audit trail cannot record, or too many lookups are in progress"
            }
            (true, "422") => {
                "Invalid input (before any gateway call or audit), an unknown gateway, or a procedure the gateway cannot be sent"
            }
            _ => description,
        };
        let schema = if op.path == "/readyz" {
            "Ready"
        } else {
            "Problem"
        };
        let content_type = if op.path == "/readyz" {
            "application/json"
        } else {
            PROBLEM_JSON
        };
        let schema = if lookup && matches!(status, "503" | "422") {
            // A lookup problem may carry the report's fields, or not.
            "Problem"
        } else {
            schema
        };
        b = b.response(
            status,
            ResponseBuilder::new()
                .description(description)
                .content(content_type, json_content(schema))
                .build(),
        );
    }
    if lookup {
        b = b.response(
            "502",
            ResponseBuilder::new()
                .description(
                    "The gateway refused the request, our credentials, or answered off contract",
                )
                .content(PROBLEM_JSON, json_content("LookupProblem"))
                .build(),
        );
    }
    b.build()
}

/// The document.
#[must_use]
pub fn document() -> OpenApi {
    let mut paths = PathsBuilder::new();
    for op in operations() {
        paths = paths.path(op.path, PathItem::new(op.method.clone(), operation(&op)));
    }
    let components = ComponentsBuilder::new()
        .schema_from::<InspectRequest>()
        .schema_from::<ResolveRequest>()
        .schema_from::<LookupRequest>()
        .schema_from::<Officer>()
        .schema_from::<DossierCodeRequest>()
        .schema_from::<SubjectQuery>()
        .schema_from::<ProblemBody>()
        .schema_from::<ErrorObject>()
        .schema_from::<IdReport>()
        .schema_from::<InspectResponse>()
        .schema_from::<AddressReport>()
        .schema_from::<ResolveResponse>()
        .schema_from::<Unit>()
        .schema_from::<Conversion>()
        .schema_from::<Predecessors>()
        .schema_from::<LookupReport>()
        .schema_from::<LookupProblem>()
        .schema_from::<AuditRecord>()
        .schema_from::<AuditPage>()
        .schema_from::<DossierCodeIssued>()
        .schema_from::<Health>()
        .schema_from::<Ready>()
        .security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A client key of `[serve.clients.<name>]` (also accepted as `X-Api-Key`)",
                    ))
                    .build(),
            ),
        )
        .build();
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("dancu serve")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Identity numbers, addresses of both eras, audited population-database \
                     lookups and dossier codes for one-stop systems. Errors are \
                     application/problem+json (RFC 9457) with a stable `code` and the \
                     `request_id`; every answer carries `X-Request-Id`.",
                ))
                .license(Some(
                    LicenseBuilder::new()
                        .name("MIT OR Apache-2.0")
                        .identifier(Some("MIT OR Apache-2.0"))
                        .build(),
                ))
                .build(),
        )
        .paths(paths.build())
        .components(Some(components))
        .build()
}

/// The document as pretty JSON with a final newline (as committed in
/// `docs/openapi.json`).
#[must_use]
pub fn document_json() -> String {
    let mut s = document().to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}

/// Every path the document describes (for the test that checks the
/// router has no undocumented route).
#[must_use]
pub fn documented_paths() -> Vec<&'static str> {
    operations().iter().map(|o| o.path).collect()
}
