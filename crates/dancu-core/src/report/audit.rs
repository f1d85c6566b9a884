//! `dancu audit --json`.

use serde_json::{Value, json};

use crate::registry::{AuditRecord, ExchangeDigest};

/// One audit record as `dancu audit --json` prints it (one object per
/// line) and the HTTP service answers it: the record's id and request id,
/// when it started, the officer and the calling `client` (`null` for a
/// lookup made for none), unit, procedure, dossier, purpose, gateway,
/// channel and operation; the subject **masked** (`subject`) and the
/// record's other numbers, masked (`record_subjects`, [`audit_record_subjects`]);
/// then `pending` (no completion yet) and, from the completion, `outcome`,
/// `attempts`, `completed_at`, `as_of` and the exchange digests
/// (`request_sha256`, `response_sha256`), each `null` while pending. Never
/// a subject hash or a salt check.
#[must_use]
pub fn audit_record(r: &AuditRecord) -> Value {
    let e = &r.entry;
    let c = r.completion.as_ref();
    let digest = |f: fn(&ExchangeDigest) -> &[u8; 32]| {
        c.and_then(|c| c.exchange.as_ref())
            .map(|x| ExchangeDigest::hex(f(x)))
    };
    json!({
        "id": r.id,
        "request_id": e.request_id,
        "started_at": e.started_at.to_string(),
        "officer": e.officer,
        "client": e.client,
        "unit": e.unit,
        "procedure": e.procedure,
        "dossier": e.dossier,
        "purpose": e.purpose,
        "gateway": e.gateway,
        "channel": e.channel,
        "operation": e.operation.as_str(),
        "subject": e.subject.masked.as_str(),
        "record_subjects": audit_record_subjects(r),
        "pending": c.is_none(),
        "outcome": c.map(|c| c.outcome.as_str()),
        "attempts": c.and_then(|c| c.attempts),
        "completed_at": c.map(|c| c.completed_at.to_string()),
        "as_of": c.and_then(|c| c.as_of.as_deref()),
        "request_sha256": digest(|x| &x.request),
        "response_sha256": digest(|x| &x.response),
    })
}

/// The subject's other numbers on the record the lookup returned (masked),
/// which the audit record is also indexed under: empty while pending or
/// when no record was returned.
#[must_use]
pub fn audit_record_subjects(r: &AuditRecord) -> Vec<&str> {
    r.completion
        .iter()
        .flat_map(|c| &c.subjects)
        .map(|s| s.masked.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{AuditCompletion, AuditEntry, AuditSubject, Operation};
    use crate::{Masked, RequestContext, Timestamp};

    fn subject(number: &str) -> AuditSubject {
        AuditSubject {
            masked: Masked::new(number),
            hash: "ab".repeat(32),
            salt_check: "cd".repeat(32),
        }
    }

    fn pending(ctx: &RequestContext) -> AuditRecord {
        let mut entry = AuditEntry::for_request(
            ctx,
            "lgsp-hanoi",
            "lgsp",
            Operation::Lookup,
            subject("095000111"),
        );
        entry.started_at = Timestamp::from_unix_millis(1_795_766_400_000);
        AuditRecord {
            id: 7,
            entry,
            completion: None,
        }
    }

    fn ctx() -> RequestContext {
        RequestContext::new("canbo.motcua01", "1.001776".parse().unwrap()).unwrap()
    }

    #[test]
    fn a_completed_record_for_a_client() {
        let mut r = pending(&ctx().with_client("tandan").unwrap());
        r.completion = Some(AuditCompletion {
            completed_at: Timestamp::from_unix_millis(1_795_766_401_500),
            outcome: "found".into(),
            attempts: Some(2),
            as_of: Some("2026-11-27T08:00:00".into()),
            exchange: Some(ExchangeDigest {
                request: [0x11; 32],
                response: [0x22; 32],
            }),
            subjects: vec![subject("006089000001")],
        });
        let v = audit_record(&r);
        assert_eq!(v["id"], 7);
        assert_eq!(v["officer"], "canbo.motcua01");
        assert_eq!(v["client"], "tandan");
        assert_eq!(v["subject"], "*****0111");
        assert_eq!(v["record_subjects"], json!(["********0001"]));
        assert_eq!(v["pending"], false);
        assert_eq!(v["outcome"], "found");
        assert_eq!(v["attempts"], 2);
        assert_eq!(v["started_at"], "2026-11-27T08:00:00.000Z");
        assert_eq!(v["completed_at"], "2026-11-27T08:00:01.500Z");
        assert_eq!(v["request_sha256"], "11".repeat(32));
        assert_eq!(v["response_sha256"], "22".repeat(32));
        let text = v.to_string();
        assert!(!text.contains(&"ab".repeat(32)), "no subject hash: {text}");
        assert!(!text.contains(&"cd".repeat(32)), "no salt check: {text}");
    }

    #[test]
    fn a_pending_record_for_no_client() {
        let v = audit_record(&pending(&ctx()));
        let object = v.as_object().unwrap();
        assert_eq!(object.len(), 21, "{v}");
        assert!(object.contains_key("client"));
        assert_eq!(v["client"], Value::Null);
        assert_eq!(v["pending"], true);
        for key in [
            "outcome",
            "attempts",
            "completed_at",
            "as_of",
            "request_sha256",
        ] {
            assert_eq!(v[key], Value::Null, "{key}");
        }
        assert_eq!(v["record_subjects"], json!([]));
    }
}
