// "Ai đã tra cứu thông tin của tôi": every lookup of one citizen, from the
// audit trail (`POST /v1/audit/subjects`, the number in the body), for an
// officer whose key has the audit scope.

import { auditSubject } from "./api.js";
import { el, idShape, liveId, say, showInvalid, showOutcome } from "./forms.js";

const $ = (id) => document.getElementById(id);

const OUTCOMES = {
  found: "Tìm thấy", not_found: "Không tìm thấy", confirmed: "Khớp", not_confirmed: "Không khớp",
  otp_required: "Cần OTP", otp_rejected: "OTP sai", unavailable: "Cổng không kết nối được",
  rejected: "Cổng từ chối", invalid_response: "Trả lời không đọc được", cancelled: "Đã huỷ",
};

function when(t) {
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? t : d.toLocaleString("vi-VN", { timeZone: "Asia/Ho_Chi_Minh" });
}

async function run(cursor, rows) {
  const panel = $("au-result");
  const input = $("au-id");
  const id = idShape(input.value);
  if (!id.ok) { say(input, "error", id.error); showInvalid(panel, [["Số CCCD/CMND", id.error, input]]); return; }
  $("au-run").disabled = true;
  const r = await auditSubject(id.value, cursor);
  $("au-run").disabled = false;
  const b = r.body || {};
  if (r.status === 403) {
    showOutcome(panel, "rejected", "⊘", "Khóa truy cập không có quyền tra cứu nhật ký", el("p", {}, "Cần quyền “audit”: liên hệ quản trị hệ thống."));
    return;
  }
  if (r.status === 422) { showOutcome(panel, "invalid", "✎", "Số không hợp lệ — chưa tra cứu", el("p", {}, b.detail || "")); return; }
  if (r.status !== 200) {
    showOutcome(panel, "unavailable", "⚠", "Không đọc được nhật ký tra cứu", el("p", {}, `HTTP ${r.status}${b.detail ? `: ${b.detail}` : ""}`));
    return;
  }
  const all = (rows || []).concat(b.records || []);
  if (all.length === 0) {
    showOutcome(panel, "not-found", "∅", "Chưa có lượt tra cứu nào", el("p", {}, "Nhật ký không ghi lượt tra cứu nào với số này."));
    return;
  }
  const body = el("tbody");
  for (const x of all) {
    body.append(el("tr", {},
      el("td", {}, when(x.started_at)), el("td", {}, x.officer), el("td", {}, x.unit || "—"),
      el("td", {}, x.client || "—"), el("td", {}, x.procedure || "—"), el("td", {}, x.dossier || "—"),
      el("td", {}, x.pending ? "Đang xử lý (chưa hoàn tất)" : OUTCOMES[x.outcome] || x.outcome || "—"),
      el("td", {}, x.subject)));
  }
  const table = el("table", {},
    el("caption", { class: "sr" }, "Các lượt tra cứu"),
    el("thead", {}, el("tr", {}, ...["Thời điểm", "Cán bộ", "Đơn vị", "Hệ thống", "Thủ tục", "Mã hồ sơ", "Kết quả", "Số (che)"].map((h) => el("th", { scope: "col" }, h)))),
    body);
  const more = b.next_cursor ? el("button", { type: "button" }, "Xem thêm") : null;
  if (more) more.addEventListener("click", () => run(b.next_cursor, all));
  showOutcome(panel, "found", "✔", `${all.length} lượt tra cứu`, table, more);
}

export function resetAudit() {
  $("au-form").reset();
  say($("au-id"), "", "");
  $("au-result").hidden = true;
  $("au-result").replaceChildren();
}

export function initAudit() {
  liveId($("au-id"));
  $("au-form").addEventListener("submit", (e) => { e.preventDefault(); run(null, null); });
}
