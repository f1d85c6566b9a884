// Tân Dân — tiếp nhận trực tiếp: the owner's mandatory fields, "Kiểm tra CSDL
// Dân cư" (the lookup form, pre-filled), "Kiểm tra", the match report,
// accept → ID, name, birth date and owner type locked, save → dossier code.

import { issueDossierCode, lookup } from "./api.js";
import {
  checkDate, checkName, classify, el, idShape, liveDate, liveId, liveName, live, renderLookup,
  say, showInvalid, showOutcome, showPending, validateTriple,
} from "./forms.js";

const $ = (id) => document.getElementById(id);

let state = { verified: null, paper: null, misses: 0, requestId: null, saved: false };

function checkPhone(i, leaving) {
  const v = i.value.replace(/[\s.-]/gu, "");
  if (!v) { say(i, leaving ? "error" : "", leaving ? "Chưa nhập số điện thoại." : ""); return { ok: false, error: "Chưa nhập số điện thoại." }; }
  if (!/^\+?\d+$/u.test(v)) { say(i, "error", "Số điện thoại chỉ gồm chữ số."); return { ok: false, error: "Số điện thoại chỉ gồm chữ số." }; }
  const digits = v.replace("+", "").length;
  if (digits < 10 || digits > 13) {
    const e = `Số điện thoại có 10–13 chữ số (đã nhập ${digits}).`;
    say(i, digits < 10 && !leaving ? "" : "error", e);
    return { ok: false, error: e };
  }
  say(i, "ok", "");
  return { ok: true };
}

function checkEmail(i) {
  const v = i.value.trim();
  if (!v) { say(i, "", ""); return { ok: true }; }
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/u.test(v)) { say(i, "error", "Thư điện tử không đúng dạng (ten@mien.vn)."); return { ok: false, error: "Thư điện tử không đúng dạng." }; }
  say(i, "ok", "");
  return { ok: true };
}

function checkRequired(label) {
  return (i, leaving) => {
    if (!i.value.trim()) {
      const e = `Chưa nhập ${label}.`;
      say(i, leaving ? "error" : "", leaving ? e : "");
      return { ok: false, error: e };
    }
    say(i, "", "");
    return { ok: true };
  };
}

function openCheck() {
  // The lookup form, pre-filled from the draft.
  $("tdc-name").value = $("td-name").value;
  $("tdc-id").value = $("td-id").value;
  $("tdc-dob").value = $("td-dob").value;
  for (const id of ["tdc-name", "tdc-id", "tdc-dob"]) say($(id), "", "");
  $("tdc-result").hidden = true;
  $("td-dialog").showModal();
  $("tdc-name").focus();
}

async function runCheck() {
  const panel = $("tdc-result");
  const v = validateTriple($("tdc-id"), $("tdc-name"), $("tdc-dob"));
  if (!v.ok) { showInvalid(panel, v.problems); return; }
  const otpInput = $("tdc-otp");
  const otp = !$("tdc-otp-field").hidden ? otpInput.value.trim() : "";
  if (!$("tdc-otp-field").hidden && !/^\d{4,8}$/u.test(otp)) {
    say(otpInput, "error", "Mã OTP gồm 4–8 chữ số.");
    showInvalid(panel, [["Mã OTP", "Mã OTP gồm 4–8 chữ số.", otpInput]]);
    return;
  }
  const run = $("tdc-run");
  run.disabled = true;
  showPending(panel);
  const r = await lookup({ id: v.id, name: v.name, birthDate: v.dob, requestId: otp ? state.requestId : null, otp });
  run.disabled = false;
  const outcome = classify(r);
  if (outcome.kind === "not_found") state.misses += 1;
  if (outcome.kind !== "otp_required" && outcome.kind !== "otp_rejected") {
    $("tdc-otp-field").hidden = true;
    otpInput.value = "";
  }
  renderLookup(panel, outcome, {
    typed: { id: v.id, name: v.name, dob: v.dob },
    misses: state.misses,
    retry: () => runCheck(),
    paper: (reason) => usePaper(reason),
    accept: (report) => accept(report),
    otp: (requestId) => { state.requestId = requestId; $("tdc-otp-field").hidden = false; },
  });
}

const LOCKED = ["td-id", "td-name", "td-dob"];

function accept(report) {
  const rec = report.record;
  $("td-id").value = rec.personal_id;
  $("td-name").value = rec.name.full;
  $("td-dob").value = rec.birth_date;
  for (const id of LOCKED) { $(id).readOnly = true; say($(id), "ok", "Lấy từ CSDLQG về dân cư — đã khoá"); }
  $("td-owner").disabled = true;
  const addr = rec.addresses && (rec.addresses.current || rec.addresses.permanent);
  if (addr && !$("td-address").value.trim()) {
    const parts = [addr.detail, addr.commune && addr.commune.name, addr.district && addr.district.name, addr.province && addr.province.name];
    $("td-address").value = parts.filter(Boolean).join(", ");
  }
  state.verified = { requestId: report.request_id, asOf: rec.as_of };
  state.paper = null;
  const p = $("td-provenance");
  p.textContent = `Số CCCD, họ và tên, ngày sinh và loại chủ hồ sơ lấy từ CSDLQG về dân cư (mã yêu cầu ${report.request_id}, dữ liệu tính đến ${rec.as_of || "—"}) và đã khoá. Có thể sửa số điện thoại, thư điện tử, địa chỉ, trích yếu.`;
  p.dataset.state = "verified";
  p.hidden = false;
  $("td-open-check").disabled = true;
  $("td-dialog").close();
  p.setAttribute("tabindex", "-1");
  p.focus();
}

function usePaper(reason) {
  state.paper = reason;
  state.verified = null;
  const p = $("td-provenance");
  p.textContent = `Tiếp nhận với giấy xác nhận thông tin về cư trú (CT07). Lý do: ${reason}`;
  p.dataset.state = "paper";
  p.hidden = false;
  $("td-dialog").close();
  p.setAttribute("tabindex", "-1");
  p.focus();
}

async function save() {
  const panel = $("td-saved");
  if (state.saved) return;
  const problems = [];
  const add = (input, label, r) => { if (!r.ok) { say(input, "error", r.error); problems.push([label, r.error, input]); } };
  const id = idShape($("td-id").value);
  add($("td-id"), "Số CCCD/CMND", id);
  add($("td-name"), "Họ và tên", checkName($("td-name").value));
  add($("td-dob"), "Ngày sinh", checkDate($("td-dob").value));
  add($("td-phone"), "Số điện thoại", checkPhone($("td-phone"), true));
  add($("td-email"), "Thư điện tử", checkEmail($("td-email")));
  add($("td-address"), "Địa chỉ", checkRequired("địa chỉ")($("td-address"), true));
  add($("td-summary"), "Trích yếu", checkRequired("trích yếu")($("td-summary"), true));
  if (problems.length) { showInvalid(panel, problems); return; }
  if (!state.verified && !state.paper) {
    const b = $("td-open-check");
    showOutcome(panel, "invalid", "✎", "Chưa kiểm tra CSDL Dân cư",
      el("p", {}, "Bấm “Kiểm tra CSDL Dân cư” trước khi lưu: chỉ được yêu cầu giấy CT07 khi không tra cứu được."));
    b.focus();
    return;
  }
  const r = await issueDossierCode();
  if (r.status !== 201 || !r.body) {
    showOutcome(panel, "unavailable", "⚠", "Chưa lưu được hồ sơ",
      el("p", {}, `Dịch vụ không cấp được mã hồ sơ (HTTP ${r.status}${r.body && r.body.detail ? `: ${r.body.detail}` : ""}). Thử lại sau.`));
    return;
  }
  state.saved = true;
  for (const e of $("td-form").querySelectorAll("input")) e.readOnly = true;
  $("td-save").disabled = true;
  showOutcome(panel, "found", "✔", "Đã lưu hồ sơ",
    el("dl", {},
      el("dt", {}, "Mã hồ sơ"), el("dd", { class: "dossier-code" }, r.body.code),
      el("dt", {}, "Trạng thái"), el("dd", {}, "2 — Được tiếp nhận"),
      el("dt", {}, "Kênh"), el("dd", {}, "1 — Trực tiếp"),
      el("dt", {}, "Chủ hồ sơ"), el("dd", {}, state.verified ? "Đã xác thực với CSDLQG về dân cư" : "Kèm giấy xác nhận cư trú (CT07)")));
}

/** Empties every field and state (sign-out: no personal data left on the page). */
export function resetTandan() {
  state = { verified: null, paper: null, misses: 0, requestId: null, saved: false };
  $("td-form").reset();
  $("td-check").reset();
  for (const e of document.querySelectorAll("#screen-tandan input")) { e.readOnly = false; say(e, "", ""); }
  $("td-owner").disabled = false;
  $("td-open-check").disabled = false;
  $("td-save").disabled = false;
  $("tdc-otp-field").hidden = true;
  for (const id of ["td-provenance", "td-saved", "tdc-result"]) { $(id).hidden = true; $(id).replaceChildren(); }
  if ($("td-dialog").open) $("td-dialog").close();
}

export function initTandan() {
  liveId($("td-id"));
  liveName($("td-name"));
  liveDate($("td-dob"));
  live($("td-phone"), checkPhone);
  live($("td-email"), checkEmail);
  live($("td-address"), checkRequired("địa chỉ"));
  live($("td-summary"), checkRequired("trích yếu"));
  liveId($("tdc-id"));
  liveName($("tdc-name"));
  liveDate($("tdc-dob"));
  $("td-open-check").addEventListener("click", openCheck);
  $("tdc-close").addEventListener("click", () => $("td-dialog").close());
  $("td-dialog").addEventListener("close", () => { if (!state.verified && !state.paper) $("td-open-check").focus(); });
  $("td-check").addEventListener("submit", (e) => { e.preventDefault(); runCheck(); });
  $("td-form").addEventListener("submit", (e) => { e.preventDefault(); save(); });
}
