// What the screens share: checks made as the officer types (before any
// lookup), the outcome panels, and small DOM helpers. Text is set with
// textContent only (no HTML from the API is ever parsed).

import { inspectId } from "./api.js";

/** An element: `el("td", { class: "x" }, "text", child…)`. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** Shows a field's message: kind is "error", "ok" or "" (a plain hint). */
export function say(input, kind, text) {
  const msg = document.getElementById(`${input.id}-msg`);
  if (msg) {
    msg.textContent = text || "";
    msg.className = `msg ${kind || ""}`.trim();
  }
  if (kind === "error") input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

/** The name as the register writes it: NFC, single spaces, each word capitalised. */
export function normaliseName(raw) {
  const words = raw.normalize("NFC").trim().split(/\s+/u).filter(Boolean);
  return words
    .map((w) => {
      const chars = [...w.toLocaleLowerCase("vi")];
      // Ê Đê names such as H'Hen keep the letter after the apostrophe capital.
      return chars
        .map((c, i) => (i === 0 || /['’]/u.test(chars[i - 1] || "") ? c.toLocaleUpperCase("vi") : c))
        .join("");
    })
    .join(" ");
}

/** A name check: `{ ok, value, error }`. */
export function checkName(raw) {
  const value = normaliseName(raw);
  if (!value) return { ok: false, error: "Chưa nhập họ và tên." };
  if (/[0-9]/u.test(value)) return { ok: false, error: "Họ và tên không được chứa chữ số." };
  if (!/^[\p{L}\p{M}'’. -]+$/u.test(value)) return { ok: false, error: "Họ và tên chỉ gồm chữ cái, dấu cách và dấu nháy (H'Hen)." };
  if (value.split(" ").length < 2) return { ok: false, error: "Cần cả họ và tên (ít nhất hai từ)." };
  if (value.length > 100) return { ok: false, error: "Họ và tên dài quá 100 ký tự." };
  return { ok: true, value };
}

function daysIn(month, year) {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * A birth date in one of the forms dossiers carry: dd/mm/yyyy, yyyy-mm-dd,
 * mm/yyyy or yyyy. `{ ok, value, precision, label, year, error }`.
 */
export function checkDate(raw, { fullOnly = false } = {}) {
  const s = raw.trim();
  if (!s) return { ok: false, error: "Chưa nhập ngày sinh." };
  const thisYear = new Date().getFullYear();
  let d = null, m = null, y = null, m1;
  if ((m1 = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/u.exec(s))) [d, m, y] = [+m1[1], +m1[2], +m1[3]];
  else if ((m1 = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(s))) [y, m, d] = [+m1[1], +m1[2], +m1[3]];
  else if ((m1 = /^(\d{1,2})[/.-](\d{4})$/u.exec(s))) [m, y] = [+m1[1], +m1[2]];
  else if ((m1 = /^(\d{4})$/u.exec(s))) y = +m1[1];
  else return { ok: false, error: "Ngày sinh phải có dạng dd/mm/yyyy, mm/yyyy hoặc yyyy." };
  if (y < 1900 || y > thisYear) return { ok: false, error: `Năm sinh phải từ 1900 đến ${thisYear}.` };
  if (m !== null && (m < 1 || m > 12)) return { ok: false, error: "Tháng phải từ 1 đến 12." };
  if (d !== null && (d < 1 || d > daysIn(m, y))) return { ok: false, error: `Tháng ${m}/${y} không có ngày ${d}.` };
  const p2 = (n) => String(n).padStart(2, "0");
  if (d !== null) {
    const born = new Date(y, m - 1, d);
    if (born > new Date()) return { ok: false, error: "Ngày sinh ở tương lai." };
    return { ok: true, value: `${p2(d)}/${p2(m)}/${y}`, precision: "day", label: "ngày đầy đủ", year: y };
  }
  if (fullOnly) return { ok: false, error: "Màn hình này cần ngày sinh đầy đủ dd/mm/yyyy." };
  if (m !== null) return { ok: true, value: `${p2(m)}/${y}`, precision: "month", label: "chỉ có tháng và năm sinh", year: y };
  return { ok: true, value: String(y), precision: "year", label: "chỉ có năm sinh", year: y };
}

/** The ID's shape, without a call: `{ ok, value, error }`. */
export function idShape(raw) {
  const value = raw.replace(/[\s.-]/gu, "");
  if (!value) return { ok: false, error: "Chưa nhập số CCCD/CMND." };
  if (!/^\d+$/u.test(value)) return { ok: false, error: "Số CCCD/CMND chỉ gồm chữ số." };
  if (value.length !== 12 && value.length !== 9) {
    return { ok: false, error: `Số CCCD có 12 chữ số, CMND có 9 (đã nhập ${value.length}).`, partial: value.length < 12 };
  }
  return { ok: true, value };
}

const ID_ERRORS = {
  unknown_province: "ba chữ số đầu không phải mã tỉnh nơi đăng ký khai sinh",
  invalid_century_gender: "chữ số thứ tư (thế kỷ và giới tính) không hợp lệ",
  birth_year_in_future: "năm sinh mã hoá trong số là năm tương lai",
};

/**
 * The ID as the service decodes it (`POST /v1/identity/inspect`): kind,
 * registration province (both eras), gender and birth year. Shows the result
 * under the input and gives `{ ok, value, report }`.
 */
export async function checkIdOnline(input, leaving = true) {
  const shape = idShape(input.value);
  if (!shape.ok) {
    say(input, shape.partial && !leaving ? "" : "error", shape.error);
    return shape;
  }
  if (shape.value.length === 9 && !leaving) {
    // Nine digits may be a CMND, or a CCCD still being typed: decided on leaving.
    say(input, "", "9 chữ số: số CMND (gõ tiếp nếu là CCCD 12 số).");
    return { ok: false, partial: true };
  }
  const { report, error } = await inspectId(shape.value);
  if (!report) {
    say(input, "error", `Không kiểm tra được số (${error && error.status ? `HTTP ${error.status}` : "mất kết nối"}).`);
    return { ok: false };
  }
  if (input.value.replace(/[\s.-]/gu, "") !== shape.value) return { ok: false, stale: true };
  if (!report.valid) {
    const why = report.error ? ID_ERRORS[report.error.code] || report.error.message : "không hợp lệ";
    say(input, "error", `Số không hợp lệ: ${why}.`);
    return { ok: false, report };
  }
  let text;
  if (report.kind === "cmnd") {
    text = "CMND 9 số" + (report.document_valid_on === false ? " — đã hết giá trị sử dụng làm giấy tờ" : "");
  } else {
    const r = report.registration || {};
    const where = r.abroad ? "đăng ký khai sinh ở nước ngoài"
      : `đăng ký khai sinh tại ${r.province}` + (r.province_since_2025 && r.province_since_2025 !== r.province ? ` (từ 2025: ${r.province_since_2025})` : "");
    const gender = report.gender === "male" ? "nam" : report.gender === "female" ? "nữ" : "";
    text = `CCCD hợp lệ — ${where}; ${gender ? `giới tính ${gender}, ` : ""}sinh năm ${report.birth_year}`;
  }
  say(input, "ok", text);
  return { ok: true, value: shape.value, report };
}

/** Runs `check(input)` as the officer types (debounced) and on leaving it. */
export function live(input, check, wait = 250) {
  let t = null;
  input.addEventListener("input", () => {
    clearTimeout(t);
    t = setTimeout(() => check(input, false), wait);
  });
  input.addEventListener("blur", () => { clearTimeout(t); check(input, true); });
}

/** A name input: normalised on leaving, the normal form shown while typing. */
export function liveName(input) {
  live(input, (i, leaving) => {
    const r = checkName(i.value);
    if (!r.ok) { say(i, i.value || leaving ? "error" : "", r.error); return r; }
    if (leaving && i.value !== r.value) { i.value = r.value; say(i, "ok", "Đã chuẩn hoá họ và tên."); }
    else if (i.value !== r.value) say(i, "", `Sẽ ghi là: ${r.value}`);
    else say(i, "ok", "");
    return r;
  });
}

/** A date input: says which precision was typed. */
export function liveDate(input, opts = {}) {
  live(input, (i, leaving) => {
    const r = checkDate(i.value, opts);
    if (!r.ok) { say(i, i.value || leaving ? "error" : "", r.error); return r; }
    if (leaving) i.value = r.value;
    say(i, "ok", r.precision === "day" ? `Ngày sinh ${r.value}` : `${r.value}: ${r.label} (hồ sơ thường chỉ ghi năm sinh)`);
    return r;
  });
}

/** The ID input: shape at once, decoding by the service once it is whole. */
export function liveId(input) {
  live(input, (i, leaving) => checkIdOnline(i, leaving), 300);
}

/** Validates the three lookup fields; every problem shown by its field, before any call. */
export function validateTriple(idInput, nameInput, dobInput, opts = {}) {
  const problems = [];
  const id = idShape(idInput.value);
  if (!id.ok) { say(idInput, "error", id.error); problems.push(["Số CCCD/CMND", id.error, idInput]); }
  const name = checkName(nameInput.value);
  if (!name.ok) { say(nameInput, "error", name.error); problems.push(["Họ và tên", name.error, nameInput]); }
  else nameInput.value = name.value;
  const dob = checkDate(dobInput.value, opts);
  if (!dob.ok) { say(dobInput, "error", dob.error); problems.push(["Ngày sinh", dob.error, dobInput]); }
  else dobInput.value = dob.value;
  if (id.ok && dob.ok && id.value.length === 12) {
    // Digits 5-6 carry the last two digits of the birth year.
    const yy = id.value.slice(4, 6);
    if (String(dob.year).slice(2) !== yy) {
      const e = "Năm sinh không khớp với năm sinh mã hoá trong số CCCD: kiểm tra lại cả hai.";
      say(dobInput, "error", e);
      problems.push(["Ngày sinh", e, dobInput]);
    }
  }
  return { ok: problems.length === 0, problems, id: id.value, name: name.value, dob: dob.value };
}

/** Replaces a result panel's content, shows it, and moves focus to it. */
export function showOutcome(panel, kind, icon, title, ...body) {
  panel.replaceChildren(el("h3", {}, el("span", { class: "icon", "aria-hidden": "true" }, icon), title), ...body.filter((b) => b));
  panel.className = `outcome ${kind}`;
  panel.dataset.outcome = kind;
  panel.hidden = false;
  panel.focus();
}

/** The "invalid input" panel: the problems by field, each a link to its input. */
export function showInvalid(panel, problems) {
  const list = el("ul");
  for (const [label, text, input] of problems) {
    const a = el("a", { href: `#${input.id}` }, `${label}: ${text}`);
    a.addEventListener("click", (e) => { e.preventDefault(); input.focus(); });
    list.append(el("li", {}, a));
  }
  showOutcome(panel, "invalid", "✎", "Thông tin nhập chưa hợp lệ — chưa gửi tra cứu", list);
}

const NAME_AGREEMENT = {
  identical: ["Trùng khớp", true],
  case: ["Khác chữ hoa/thường", true],
  tone_placement: ["Khác vị trí dấu thanh (hoà/hòa) — cùng một tên", true],
  folded: ["Khác dấu (chỉ khớp khi bỏ dấu) — cần đối chiếu giấy tờ", false],
  different: ["Khác", false],
};
const DATE_AGREEMENT = {
  exact: ["Trùng khớp", true],
  shared_precision: ["Khớp ở mức chung (một bên chỉ có năm hoặc tháng/năm)", true],
  different: ["Khác", false],
};
const ID_AGREEMENT = {
  same: ["Trùng khớp", true],
  same_cmnd: ["Khớp số CMND cũ của công dân", true],
  different: ["Khác", false],
};
const GENDER_AGREEMENT = {
  agrees: ["Khớp với giới tính mã hoá trong số CCCD", true],
  differs: ["Khác với giới tính mã hoá trong số CCCD", false],
  not_comparable: ["Không so sánh được", true],
};

/** The match report, field by field: what was typed, what the register holds, agreement. */
export function matchTable(typed, report) {
  const record = report.record || {};
  const m = report.match || {};
  const row = (label, mine, theirs, table, key) => {
    const [text, agrees] = table[key] || [key || "—", true];
    return el("tr", {}, el("th", { scope: "row" }, label), el("td", {}, mine), el("td", {}, theirs ?? "—"),
      el("td", { class: agrees ? "agree" : "differ" }, text));
  };
  const dob = record.birth_date_precision && record.birth_date_precision !== "day"
    ? `${record.birth_date} (${record.birth_date_precision === "year" ? "CSDL chỉ có năm sinh" : "CSDL chỉ có tháng/năm"})`
    : record.birth_date;
  return el("table", { class: "match" },
    el("caption", { class: "sr" }, "Đối chiếu từng trường"),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Trường"), el("th", { scope: "col" }, "Đã nhập"),
      el("th", { scope: "col" }, "CSDL Dân cư"), el("th", { scope: "col" }, "Đối chiếu"))),
    el("tbody", {},
      row("Số CCCD/CMND", typed.id, record.personal_id, ID_AGREEMENT, m.id),
      row("Họ và tên", typed.name, record.name && record.name.full, NAME_AGREEMENT, m.name),
      row("Ngày sinh", typed.dob, dob, DATE_AGREEMENT, m.birth_date ?? "shared_precision"),
      row("Giới tính", "(theo số CCCD)", record.gender === "male" ? "Nam" : record.gender === "female" ? "Nữ" : record.gender, GENDER_AGREEMENT, m.gender)));
}

/** Whether the match report has a field that does not agree. */
export function disagrees(report) {
  const m = report.match || {};
  return [NAME_AGREEMENT[m.name], DATE_AGREEMENT[m.birth_date], ID_AGREEMENT[m.id], GENDER_AGREEMENT[m.gender]]
    .some((x) => x && !x[1]);
}

/** An address on one line: detail, commune, district, province. */
export function addressLine(a) {
  if (!a) return "—";
  const parts = [a.detail, a.commune && (a.commune.name || a.commune.code), a.district && (a.district.name || a.district.code), a.province && (a.province.name || a.province.code)];
  return parts.filter(Boolean).join(", ") || "—";
}

/** The Vietnamese reason a paper residence proof (CT07) may be requested. */
export function paperReason(kind, detail) {
  if (kind === "not_found") {
    return `Không tìm thấy thông tin công dân trong CSDLQG về dân cư sau ${detail} lần kiểm tra: có thể yêu cầu giấy xác nhận thông tin về cư trú (CT07).`;
  }
  return `Không kết nối được CSDLQG về dân cư trong thời hạn (${detail}): có thể yêu cầu giấy xác nhận thông tin về cư trú (CT07).`;
}

/**
 * A lookup answer as one of the distinct outcomes: "found", "not_found",
 * "otp_required", "otp_rejected", "unavailable", "rejected" (the gateway
 * refused, with its text), "invalid_response" (it answered off contract),
 * "invalid" (the service refused the input) or "session" (the key was
 * refused).
 */
export function classify(r) {
  const b = r.body || {};
  if (r.status === 200) return { kind: b.outcome, report: b };
  if (r.status === 0) return { kind: "unavailable", attempts: 0, text: "Không kết nối được dancu serve." };
  if (r.status === 401 || r.status === 403) return { kind: "session", text: b.detail || `HTTP ${r.status}` };
  if (r.status === 422 || r.status === 400) return { kind: "invalid", field: b.field, text: b.detail || `HTTP ${r.status}` };
  if (r.status === 502 && b.code === "invalid_response") {
    return { kind: "invalid_response", attempts: b.attempts ?? 0, code: b.code, text: (b.error && b.error.message) || b.detail || "" };
  }
  if (r.status === 502) return { kind: "rejected", attempts: b.attempts, code: b.code, text: (b.error && b.error.message) || b.detail || "" };
  return { kind: "unavailable", attempts: b.attempts ?? 0, code: b.code || `http_${r.status}`, text: (b.error && b.error.message) || b.detail || "" };
}

/**
 * Shows one lookup answer in `panel`, each outcome distinct (icon, title,
 * text — never colour alone), with the officer's next actions. `ctx`:
 * `typed` (what was sent), `misses` (not-found answers so far, this one
 * included), `retry()`, `paper(reason)`, `accept(report)` (found), `otp()`
 * (a one-time password is needed).
 */
export function renderLookup(panel, outcome, ctx) {
  const button = (label, onClick, cls) => {
    const b = el("button", { type: "button", class: cls }, label);
    b.addEventListener("click", onClick);
    return b;
  };
  const actions = (...bs) => el("div", { class: "actions" }, ...bs.filter(Boolean));
  switch (outcome.kind) {
    case "found": {
      const r = outcome.report;
      const rec = r.record || {};
      const warn = disagrees(r)
        ? el("p", {}, el("strong", {}, "⚠ Có trường không khớp: "), "đối chiếu giấy tờ của công dân trước khi chấp nhận.")
        : el("p", {}, "✔ Mọi trường đều khớp.");
      const addr = (rec.addresses && (rec.addresses.current || rec.addresses.permanent)) || null;
      showOutcome(panel, "found", "✔", "Đã tìm thấy trong CSDLQG về dân cư",
        matchTable(ctx.typed, r), warn,
        el("dl", {},
          el("dt", {}, "Nơi ở hiện tại"), el("dd", {}, addressLine(addr)),
          el("dt", {}, "Dữ liệu tính đến"), el("dd", {}, rec.as_of || "—"),
          el("dt", {}, "Số lần gọi cổng"), el("dd", {}, String(r.attempts))),
        ctx.accept ? actions(button("Chấp nhận thông tin", () => ctx.accept(r))) : null);
      return;
    }
    case "not_found":
      if (ctx.misses >= 2) {
        const reason = paperReason("not_found", ctx.misses);
        showOutcome(panel, "paper", "❏", `Không tìm thấy sau ${ctx.misses} lần kiểm tra — được yêu cầu giấy CT07`,
          el("p", { class: "reason" }, reason),
          actions(ctx.paper ? button("Tiếp nhận với giấy xác nhận cư trú (CT07)", () => ctx.paper(reason)) : null,
            button("Kiểm tra lại", ctx.retry, "secondary")));
      } else {
        showOutcome(panel, "not-found", "✖", "Không tìm thấy công dân trong CSDLQG về dân cư",
          el("p", {}, "Đối chiếu lại họ và tên, số CCCD/CMND và ngày sinh với giấy tờ của công dân, sửa nếu cần, rồi bấm “Kiểm tra lại”. Chưa được yêu cầu giấy tờ chứng minh cư trú."),
          actions(button("Kiểm tra lại", ctx.retry)));
      }
      return;
    case "otp_required":
    case "otp_rejected":
      showOutcome(panel, "otp", "☎", outcome.kind === "otp_required"
        ? "Công dân cần xác nhận mã OTP gửi tới điện thoại"
        : "Mã OTP không đúng hoặc đã hết hạn",
        el("p", {}, "Nhập mã công dân nhận được vào ô “Mã OTP” rồi bấm “Kiểm tra”."));
      if (ctx.otp) ctx.otp(outcome.report.request_id);
      return;
    case "unavailable": {
      const reason = paperReason("unavailable", outcome.code || "unavailable");
      showOutcome(panel, "unavailable", "⚠", "CSDLQG về dân cư tạm thời không kết nối được",
        el("p", {}, `dancu đã gọi cổng ${outcome.attempts} lần (tự động thử lại) nhưng không nhận được trả lời.`),
        outcome.text ? el("p", {}, el("strong", {}, "Chi tiết: "), outcome.text) : null,
        el("p", { class: "reason" }, reason),
        actions(button("Thử lại", ctx.retry),
          ctx.paper ? button("Tiếp nhận với giấy xác nhận cư trú (CT07)", () => ctx.paper(reason), "secondary") : null));
      return;
    }
    case "rejected":
      showOutcome(panel, "rejected", "⊘", "Cổng kết nối từ chối yêu cầu",
        el("p", {}, el("strong", {}, "Cổng trả lời: "), outcome.text || "(không có nội dung)"),
        el("p", {}, `Mã lỗi: ${outcome.code || "rejected"}. Báo quản trị hệ thống nếu lỗi lặp lại.`));
      return;
    case "invalid_response":
      showOutcome(panel, "rejected", "⚠", "Cổng trả lời không đúng định dạng — chưa có kết quả",
        el("p", {}, el("strong", {}, "Chi tiết: "), outcome.text || "(không có)"),
        el("p", {}, `Mã lỗi: ${outcome.code}; số lần gọi cổng: ${outcome.attempts}. Thử lại; báo quản trị hệ thống nếu lỗi lặp lại.`),
        actions(button("Thử lại", ctx.retry)));
      panel.dataset.outcome = "invalid-response";
      return;
    case "invalid":
      showOutcome(panel, "invalid", "✎", "Dịch vụ từ chối dữ liệu nhập — chưa gửi tra cứu",
        el("p", {}, outcome.field ? `Trường ${outcome.field}: ${outcome.text}` : outcome.text));
      return;
    case "session":
      showOutcome(panel, "rejected", "⊘", "Khóa truy cập bị từ chối", el("p", {}, outcome.text));
      return;
    default:
      showOutcome(panel, "rejected", "⊘", `Kết quả không xác định: ${outcome.kind}`);
  }
}

/** The "lookup in progress" panel (the call may retry for a while). */
export function showPending(panel) {
  panel.replaceChildren(el("p", {}, el("span", { "aria-hidden": "true" }, "… "), "Đang tra cứu CSDLQG về dân cư… dancu tự động thử lại khi cổng lỗi."));
  panel.className = "outcome pending";
  panel.dataset.outcome = "pending";
  panel.hidden = false;
}
