// VNPT iGate — "Thông tin người nộp": Họ và tên, CCCD/CMND, Ngày sinh, then
// "Kiểm tra danh tính số" fills in the applicant, with the current two-level
// address (from 2025-07-01: Tỉnh, Xã/Phường) beside the legacy three-level
// one (Tỉnh, Quận/Huyện, Xã/Phường). A ward never lands in the district slot:
// the district comes only from a legacy address.

import { lookup, predecessors, successors } from "./api.js";
import { classify, el, liveDate, liveId, liveName, renderLookup, showInvalid, showPending, validateTriple } from "./forms.js";

const $ = (id) => document.getElementById(id);
let misses = 0;

const unitName = (u) => (u ? u.name || `mã ${u.code}` : "—");

function addressBox(title, source, rows) {
  const dl = el("dl");
  for (const [k, v] of rows) dl.append(el("dt", {}, k), el("dd", {}, v || "—"));
  return el("div", { class: "address" }, el("h4", {}, title), el("p", { class: "hint" }, source), dl);
}

/** Both eras of the record's current address: `[current2025Box, legacyBox]`. */
async function bothEras(addr) {
  if (!addr) {
    return [addressBox("Địa chỉ hiện hành (2 cấp)", "CSDL không trả địa chỉ", []),
      addressBox("Địa chỉ cũ (3 cấp)", "CSDL không trả địa chỉ", [])];
  }
  const detail = addr.detail || "";
  if (addr.era === "legacy") {
    const legacy = addressBox("Địa chỉ cũ (3 cấp, trước 01/07/2025)", "Theo CSDLQG về dân cư (mã đơn vị cũ)", [
      ["Tỉnh/Thành phố", unitName(addr.province)], ["Quận/Huyện", unitName(addr.district)],
      ["Xã/Phường", unitName(addr.commune)], ["Chi tiết", detail]]);
    const r = addr.commune ? await successors(addr.commune.code) : { status: 0 };
    let rows, source;
    if (r.status === 200 && r.body && r.body.default) {
      const d = r.body.default;
      rows = [["Tỉnh/Thành phố", unitName(d.province)], ["Xã/Phường", unitName(d)], ["Chi tiết", detail]];
      source = r.body.split
        ? `Quy đổi từ mã đơn vị cũ: xã cũ được chia cho ${r.body.targets.length} đơn vị mới — đơn vị mặc định, đối chiếu chi tiết địa chỉ.`
        : "Quy đổi từ mã đơn vị cũ (Nghị quyết sắp xếp đơn vị hành chính 2025).";
    } else {
      rows = [["Tỉnh/Thành phố", "—"], ["Xã/Phường", "—"], ["Chi tiết", detail]];
      source = `Không quy đổi được mã ${addr.commune ? addr.commune.code : "—"} (HTTP ${r.status}).`;
    }
    return [addressBox("Địa chỉ hiện hành (2 cấp, từ 01/07/2025)", source, rows), legacy];
  }
  const current = addressBox("Địa chỉ hiện hành (2 cấp, từ 01/07/2025)", "Theo CSDLQG về dân cư (mã đơn vị 2025)", [
    ["Tỉnh/Thành phố", unitName(addr.province)], ["Xã/Phường", unitName(addr.commune)], ["Chi tiết", detail]]);
  const r = addr.commune ? await predecessors(addr.commune.code) : { status: 0 };
  let legacy;
  const pre = r.status === 200 && r.body && Array.isArray(r.body.predecessors) ? r.body.predecessors : [];
  if (pre.length === 1) {
    const p = pre[0];
    legacy = addressBox("Địa chỉ cũ (3 cấp, trước 01/07/2025)", "Suy ra từ mã đơn vị 2025 (một đơn vị cũ duy nhất).", [
      ["Tỉnh/Thành phố", unitName(p.province)], ["Quận/Huyện", unitName(p.district)], ["Xã/Phường", unitName(p)], ["Chi tiết", detail]]);
  } else if (pre.length > 1) {
    legacy = addressBox("Địa chỉ cũ (3 cấp, trước 01/07/2025)",
      `Xã/phường 2025 được hình thành từ ${pre.length} đơn vị cũ: không xác định được đơn vị cũ nếu chỉ có mã 2025.`,
      pre.map((p) => ["Có thể là", `${unitName(p)}, ${unitName(p.district)}, ${unitName(p.province)}`]));
  } else {
    legacy = addressBox("Địa chỉ cũ (3 cấp, trước 01/07/2025)", `Không tra được đơn vị cũ (HTTP ${r.status}).`, []);
  }
  return [current, legacy];
}

async function run() {
  const panel = $("ig-result");
  const v = validateTriple($("ig-id"), $("ig-name"), $("ig-dob"), { fullOnly: true });
  if (!v.ok) { showInvalid(panel, v.problems); return; }
  $("ig-run").disabled = true;
  showPending(panel);
  const r = await lookup({ id: v.id, name: v.name, birthDate: v.dob });
  const outcome = classify(r);
  if (outcome.kind === "not_found") misses += 1;
  if (outcome.kind === "found") {
    const rec = outcome.report.record;
    const addr = rec.addresses && (rec.addresses.current || rec.addresses.permanent);
    const [current, legacy] = await bothEras(addr);
    renderLookup(panel, outcome, { typed: { id: v.id, name: v.name, dob: v.dob }, misses });
    panel.querySelector("h3").lastChild.textContent = "Đã xác thực danh tính số — thông tin đã được điền tự động";
    panel.append(
      el("h4", {}, "Thông tin người nộp (điền tự động)"),
      el("dl", { class: "filled" },
        el("dt", {}, "Họ và tên"), el("dd", { "data-field": "name" }, rec.name.full),
        el("dt", {}, "CCCD/CMND"), el("dd", { "data-field": "id" }, rec.personal_id),
        el("dt", {}, "Ngày sinh"), el("dd", { "data-field": "dob" }, rec.birth_date)),
      el("div", { class: "side" }, current, legacy));
  } else {
    renderLookup(panel, outcome, {
      typed: { id: v.id, name: v.name, dob: v.dob },
      misses,
      retry: () => run(),
      paper: null,
    });
    if (outcome.kind === "not_found" && misses >= 2) {
      panel.append(el("p", {}, "Trên iGate: lưu hồ sơ với lý do này và đính kèm giấy CT07 do công dân nộp."));
    }
  }
  $("ig-run").disabled = false;
  panel.focus();
}

export function resetIgate() {
  misses = 0;
  $("ig-form").reset();
  for (const e of document.querySelectorAll("#screen-igate input")) e.removeAttribute("aria-invalid");
  for (const m of document.querySelectorAll("#screen-igate .msg")) { m.textContent = ""; m.className = "msg"; }
  $("ig-result").hidden = true;
  $("ig-result").replaceChildren();
}

export function initIgate() {
  liveName($("ig-name"));
  liveId($("ig-id"));
  liveDate($("ig-dob"), { fullOnly: true });
  $("ig-form").addEventListener("submit", (e) => { e.preventDefault(); run(); });
  // A changed ID is another person: the not-found count starts again.
  $("ig-id").addEventListener("change", () => { misses = 0; });
}
