// The console's only way out: the /v1 API of the dancu serve that served it.
// The client key lives in this module's memory only — never in
// localStorage, sessionStorage, a cookie or a URL — and personal data is sent
// in POST bodies, never in a query string. Nothing here writes to the
// browser console.

let session = null; // { key, officer, unit }
let settings = { gateway: null, procedure: "1.001776", unit: null };

/** Reads the console settings (no secret: gateway, procedure, unit). */
export async function loadSettings() {
  const r = await fetch("settings.json", { cache: "no-store", credentials: "omit" });
  if (r.ok) settings = await r.json();
  return settings;
}

export function currentSettings() { return settings; }

export function signIn(key, officer, unit) { session = { key, officer, unit }; }
export function signOut() { session = null; }
export function signedIn() { return session !== null; }
export function officer() { return session ? { id: session.officer, unit: session.unit } : null; }

/**
 * One call: `{ status, body }`, where `body` is the parsed JSON (a problem
 * for errors) or null. A network failure gives status 0.
 */
async function call(method, path, body) {
  if (!session) return { status: 401, body: { code: "unauthorized", detail: "chưa đăng nhập" } };
  const headers = { Authorization: `Bearer ${session.key}`, Accept: "application/json" };
  const init = { method, headers, cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let r;
  try {
    r = await fetch(path, init);
  } catch {
    return { status: 0, body: null };
  }
  let parsed = null;
  try { parsed = await r.json(); } catch { parsed = null; }
  return { status: r.status, body: parsed };
}

/** `POST /v1/identity/inspect` for one number: the report, or null. */
export async function inspectId(input) {
  const r = await call("POST", "/v1/identity/inspect", { inputs: [input] });
  if (r.status !== 200 || !r.body || !Array.isArray(r.body.results)) return { error: r };
  return { report: r.body.results[0] };
}

/**
 * `POST /v1/citizens/lookup` of the officer's three fields (and the OTP of
 * a continued check): `{ status, body }` — the report on 200, a problem
 * carrying the report's fields on 502/503, a problem on 4xx.
 */
export function lookup({ id, name, birthDate, requestId, otp }) {
  const body = {
    gateway: settings.gateway,
    id,
    name,
    birth_date: birthDate,
    procedure: settings.procedure,
    officer: officer(),
  };
  if (requestId) body.request_id = requestId;
  if (otp) body.otp = otp;
  return call("POST", "/v1/citizens/lookup", body);
}

/** `POST /v1/dossier-codes` for the signed-in unit. */
export function issueDossierCode() {
  return call("POST", "/v1/dossier-codes", { unit: session ? session.unit : "" });
}

/** `GET /v1/units/legacy/{code}/successors`: a unit code, not personal data. */
export function successors(code) {
  return call("GET", `/v1/units/legacy/${encodeURIComponent(code)}/successors`);
}

/** `GET /v1/units/2025/{code}/predecessors`. */
export function predecessors(code) {
  return call("GET", `/v1/units/2025/${encodeURIComponent(code)}/predecessors`);
}

/** `POST /v1/audit/subjects`: who looked a citizen up (the ID in the body). */
export function auditSubject(id, cursor) {
  const body = { id };
  if (cursor) body.cursor = cursor;
  return call("POST", "/v1/audit/subjects", body);
}
