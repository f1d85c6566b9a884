// End-to-end tests of the reference console in headless Chromium, run by
// .ci/console-e2e (which starts the sandbox and `dancu serve` and sets the
// environment below). Any failed check exits non-zero.
//
//   DANCU_URL      the service, console enabled
//   REJECTED_URL   another, whose console's gateway refuses our credentials
//   SANDBOX_URL    the sandbox (its admin API injects faults)
//   CITIZENS       `dancu sandbox export` output (JSON lines)
//   SCREENSHOTS    where each final state's screenshot goes
//   DANCU_CONSOLE_KEY  the console client's key

import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set (run through .ci/console-e2e)`);
  return v;
};
const BASE = env("DANCU_URL");
const REJECTED = env("REJECTED_URL");
const SANDBOX = env("SANDBOX_URL");
const KEY = env("DANCU_CONSOLE_KEY");
const SHOTS = env("SCREENSHOTS");
const citizens = readFileSync(env("CITIZENS"), "utf8").trim().split("\n").map((l) => JSON.parse(l));

// Synthetic citizens with the traits each scenario needs.
const full = (c) => /^\d{2}\/\d{2}\/\d{4}$/.test(c.birth_date);
const plain = (c) => !c.otp_required && !c.cmnd && !c.name.includes("'");
const era = (c) => c.addresses.current && c.addresses.current.era;
const found = citizens.find((c) => plain(c) && full(c) && era(c) === "2025");
const yearOnly = citizens.find((c) => plain(c) && /^\d{4}$/.test(c.birth_date));
const legacy = citizens.find((c) => plain(c) && full(c) && era(c) === "legacy" && c !== found);
const other = citizens.find((c) => plain(c) && full(c) && c !== found && c !== legacy);
// A tone mark on the other vowel of oa/oe/uy (Hòa ↔ Hoà, Thủy ↔ Thuỷ): the same name.
const MARKS = "\u0300\u0301\u0303\u0309\u0323";
const moveTone = (name) => {
  const d = name.normalize("NFD");
  const early = new RegExp(`([oOuU])([${MARKS}])([aAeEyY])`, "u");
  const late = new RegExp(`([oOuU])([aAeEyY])([${MARKS}])`, "u");
  const moved = early.test(d) ? d.replace(early, "$1$3$2") : d.replace(late, "$1$3$2");
  return moved.normalize("NFC");
};
const toned = citizens.find((c) => plain(c) && full(c) && moveTone(c.name) !== c.name && ![found, legacy, other].includes(c));
const otpCitizen = citizens.find((c) => c.otp_required && c.otp && !c.cmnd && full(c));
assert.ok(found && yearOnly && legacy && other && otpCitizen && toned, "the sandbox population has every kind of citizen the test needs");
// A number of the right shape and province that no citizen has.
const ids = new Set(citizens.map((c) => c.personal_id));
let missing = null;
for (let n = 0; n < 1000 && !missing; n++) {
  const cand = other.personal_id.slice(0, 6) + String((Number(other.personal_id.slice(6)) + 7919 * (n + 1)) % 1000000).padStart(6, "0");
  if (!ids.has(cand)) missing = cand;
}
assert.ok(missing, "a free personal ID");

const used = [found, yearOnly, legacy, other, otpCitizen, toned].flatMap((c) => [c.personal_id, c.name, c.birth_date]).concat([missing]);
writeFileSync("used.json", JSON.stringify(used.filter((u) => !/^\d{4}$/.test(u))));

async function faults(body) {
  const r = await fetch(`${SANDBOX}/admin/faults`, { method: "PUT", body: JSON.stringify(body) });
  assert.equal(r.status, 200, "the sandbox takes the faults");
}

// --- the service's side, without a browser -------------------------------
{
  const r = await fetch(`${BASE}/console/`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-type"), /^text\/html/);
  assert.match(r.headers.get("content-security-policy"), /default-src 'none'/);
  const s = await (await fetch(`${BASE}/console/settings.json`)).text();
  assert.ok(!s.includes(KEY), "the settings never carry a key");
}

const profile = mkdtempSync(join(tmpdir(), "dancu-console-profile-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
  viewport: { width: 1100, height: 900 },
  locale: "vi-VN",
});
const consoleLines = [];
const requests = [];
let failures = 0;
const page = context.pages()[0] || (await context.newPage());
page.on("console", (m) => consoleLines.push(m.text()));
page.on("pageerror", (e) => consoleLines.push(`pageerror: ${e.message}`));
page.on("request", (r) => requests.push({ url: r.url(), method: r.method() }));
page.setDefaultTimeout(15000);

const active = () => page.evaluate(() => document.activeElement && document.activeElement.id);
const text = (sel) => page.locator(sel).innerText();
async function tabTo(id, max = 25) {
  for (let i = 0; i < max; i++) {
    if ((await active()) === id) return;
    await page.keyboard.press("Tab");
  }
  assert.fail(`Tab never reached #${id} (at #${await active()})`);
}
async function step(name, fn) {
  try {
    await fn();
    console.log(`ok - ${name}`);
  } catch (e) {
    failures += 1;
    console.log(`not ok - ${name}\n  ${String(e && e.stack || e).split("\n").slice(0, 6).join("\n  ")}`);
    // Script errors only (the page writes nothing else to the console).
    for (const l of consoleLines.filter((x) => x.startsWith("pageerror") || /error/i.test(x))) console.log(`  browser: ${l.slice(0, 200)}`);
    await page.screenshot({ path: join(SHOTS, `FAILED-${name.replace(/[^a-z0-9]+/gi, "-")}.png`), fullPage: true }).catch(() => {});
    // The next step starts from a fresh sign-in.
    await page.evaluate(() => { const d = document.querySelector("dialog[open]"); if (d) d.close(); }).catch(() => {});
    await clearTandan().catch(() => {});
  }
}
// Every final state is also checked by axe-core against WCAG 2.1 A and AA
// (labels, names, contrast, ARIA use); it runs through the DevTools
// protocol, which the console's CSP does not govern, and is not the page's.
const AXE = readFileSync(new URL("./node_modules/axe-core/axe.min.js", import.meta.url), "utf8");
async function accessible(name) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 4).join(", ")}`);
  });
  assert.deepEqual(found, [], `${name}: axe-core finds no WCAG 2.1 A/AA violation`);
}
async function shot(name) {
  await accessible(name);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}
async function clearTandan() {
  await page.click("#sign-out");
  await signIn();
}
async function signIn() {
  // Keyboard only: the officer field has focus on load; the unit is pre-filled.
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === "signin-officer");
  await page.keyboard.type("canbo.motcua01");
  await page.keyboard.press("Tab");
  assert.equal(await page.inputValue("#signin-unit"), "000.00.21.H06");
  await page.keyboard.press("Tab");
  await page.keyboard.type(KEY);
  await page.keyboard.press("Enter");
  await page.locator("#screen-tandan").waitFor({ state: "visible" });
  assert.equal(await active(), "tandan-title", "focus on the screen's heading");
}

await step("the console loads and the key is refused when wrong", async () => {
  await page.goto(`${BASE}/console/`);
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === "signin-officer");
  await page.fill("#signin-officer", "canbo.motcua01");
  await page.fill("#signin-key", "not-the-key-000000000");
  await page.click("#signin button[type=submit]");
  await page.locator("#signin-key-msg.error").waitFor();
  assert.match(await text("#signin-key-msg"), /Khóa truy cập không đúng/);
  assert.ok(await page.locator("#screen-signin").isVisible());
  await page.fill("#signin-officer", "");
  await page.fill("#signin-key", "");
  await page.focus("#signin-officer");
  await signIn();
  assert.match(await text("#who"), /canbo\.motcua01/);
});

await step("the accessibility check fails where it should (an input without a label, low contrast)", async () => {
  await accessible("the signed-in console");
  await page.evaluate(() => {
    const probe = document.createElement("div");
    probe.id = "a11y-probe";
    probe.innerHTML = '<input type="text"><p style="color:#ddd;background:#fff">chữ mờ</p>';
    document.querySelector("main").append(probe);
  });
  await assert.rejects(accessible("the probe"), /label|color-contrast/);
  await page.evaluate(() => document.getElementById("a11y-probe").remove());
  await accessible("the console without the probe");
});

await step("Tân Dân: inline validation as the officer types, invalid input before any call", async () => {
  await page.fill("#td-id", "12345");
  await page.locator("#td-id").blur();
  await page.locator("#td-id-msg.error").waitFor();
  assert.match(await text("#td-id-msg"), /12 chữ số/);
  await page.fill("#td-id", found.personal_id);
  await page.locator("#td-id-msg.ok").waitFor();
  assert.match(await text("#td-id-msg"), /CCCD hợp lệ — đăng ký khai sinh tại /);
  await page.fill("#td-dob", "31/02/1990");
  await page.locator("#td-dob").blur();
  await page.locator("#td-dob-msg.error").waitFor();
  assert.match(await text("#td-dob-msg"), /không có ngày 31/);
  const before = requests.filter((r) => r.url.endsWith("/v1/citizens/lookup")).length;
  await page.click("#td-open-check");
  await page.click("#tdc-run");
  await page.locator("#tdc-result[data-outcome='invalid']").waitFor();
  assert.equal(await active(), "tdc-result", "focus moves to the result");
  assert.match(await text("#tdc-result"), /Thông tin nhập chưa hợp lệ — chưa gửi tra cứu/);
  assert.match(await text("#tdc-result"), /Ngày sinh/);
  assert.equal(requests.filter((r) => r.url.endsWith("/v1/citizens/lookup")).length, before, "no lookup was sent");
  await shot("tandan-invalid");
  await page.click("#tdc-close");
  await clearTandan();
});

await step("Tân Dân, keyboard only: found → accept → fields locked → save → dossier code", async () => {
  // Typed in lower case with extra spaces: normalised as the register writes names.
  const sloppy = `  ${found.name.toLocaleLowerCase("vi").replace(" ", "   ")} `;
  await tabTo("td-id");
  await page.keyboard.type(found.personal_id);
  await page.keyboard.press("Tab");
  await page.keyboard.type(sloppy);
  await page.keyboard.press("Tab");
  assert.equal(await page.inputValue("#td-name"), found.name, "the name is normalised on leaving the field");
  assert.match(await text("#td-name-msg"), /Đã chuẩn hoá/);
  await page.keyboard.type(found.birth_date);
  await page.keyboard.press("Tab");
  await page.keyboard.type("0987654321");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  await page.keyboard.type("Số 1 đường Trần Hưng Đạo");
  await page.keyboard.press("Tab");
  await page.keyboard.type("Đăng ký khai sinh");
  await tabTo("td-open-check");
  await page.keyboard.press("Enter");
  await page.locator("#td-dialog[open]").waitFor();
  assert.equal(await active(), "tdc-name");
  assert.equal(await page.inputValue("#tdc-id"), found.personal_id, "the lookup form is pre-filled");
  assert.equal(await page.inputValue("#tdc-dob"), found.birth_date);
  await tabTo("tdc-run");
  await page.keyboard.press("Enter");
  await page.locator("#tdc-result[data-outcome='found']").waitFor();
  assert.equal(await active(), "tdc-result", "focus moves to the result");
  const result = await text("#tdc-result");
  assert.match(result, /Đã tìm thấy trong CSDLQG về dân cư/);
  // Gateways may answer names in capitals: a case difference agrees.
  assert.match(result, /Họ và tên\t[^\n]*\t(Trùng khớp|Khác chữ hoa\/thường)\n/);
  assert.match(result, /Ngày sinh[^\n]*Trùng khớp/);
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Chấp nhận thông tin");
  await page.keyboard.press("Enter");
  await page.locator("#td-provenance[data-state='verified']").waitFor();
  for (const id of ["td-id", "td-name", "td-dob"]) {
    assert.equal(await page.locator(`#${id}`).getAttribute("readonly"), "", `#${id} is locked`);
  }
  assert.ok(await page.locator("#td-owner").isDisabled(), "the owner type is locked");
  await tabTo("td-save");
  await page.keyboard.press("Enter");
  await page.locator("#td-saved[data-outcome='found']").waitFor();
  assert.equal(await active(), "td-saved");
  assert.match(await text("#td-saved .dossier-code"), /^000\.00\.21\.H06-\d{6}-\d{4}$/);
  await shot("tandan-saved");
  await clearTandan();
});

await step("Tân Dân: a year-only citizen", async () => {
  await page.click("#td-id");
  await page.keyboard.type(yearOnly.personal_id);
  await page.fill("#td-name", yearOnly.name);
  await page.fill("#td-dob", yearOnly.birth_date);
  await page.locator("#td-dob").blur();
  assert.match(await text("#td-dob-msg"), /chỉ có năm sinh/);
  await page.click("#td-open-check");
  await page.click("#tdc-run");
  await page.locator("#tdc-result[data-outcome='found']").waitFor();
  const result = await text("#tdc-result");
  assert.match(result, /CSDL chỉ có năm sinh/);
  await page.click("#tdc-result button:text-is('Chấp nhận thông tin')");
  assert.equal(await page.inputValue("#td-dob"), yearOnly.birth_date);
  await page.click("#td-open-check", { force: true, trial: true }).catch(() => {});
  assert.ok(await page.locator("#td-open-check").isDisabled());
  await shot("tandan-year-only");
  await clearTandan();
});

await step("Tân Dân: a tone-placement difference agrees, a name typed without marks is flagged", async () => {
  const typed = moveTone(toned.name);
  await page.fill("#td-id", toned.personal_id);
  await page.fill("#td-name", typed);
  await page.fill("#td-dob", toned.birth_date);
  await page.click("#td-open-check");
  assert.equal(await page.inputValue("#tdc-name"), typed);
  await page.click("#tdc-run");
  await page.locator("#tdc-result[data-outcome='found']").waitFor();
  let t = await text("#tdc-result");
  assert.match(t, /Họ và tên\t[^\n]*\tKhác vị trí dấu thanh \(hoà\/hòa\) — cùng một tên\n/);
  assert.match(t, /Mọi trường đều khớp/);
  await shot("tandan-tone-placement");
  const bare = toned.name.normalize("NFD").replace(/[\u0300-\u036f]/gu, "").replace(/đ/gu, "d").replace(/Đ/gu, "D");
  await page.fill("#tdc-name", bare);
  await page.click("#tdc-run");
  await page.locator("#tdc-result[data-outcome='found']").waitFor();
  await page.waitForFunction(() => /Khác dấu/.test(document.querySelector("#tdc-result").innerText));
  t = await text("#tdc-result");
  assert.match(t, /Có trường không khớp/);
  await page.click("#tdc-close");
  await clearTandan();
});

await step("Tân Dân: a citizen who must confirm a one-time password", async () => {
  await page.fill("#td-id", otpCitizen.personal_id);
  await page.fill("#td-name", otpCitizen.name);
  await page.fill("#td-dob", otpCitizen.birth_date);
  await page.click("#td-open-check");
  await page.click("#tdc-run");
  await page.locator("#tdc-result[data-outcome='otp']").waitFor();
  assert.equal(await active(), "tdc-result");
  assert.match(await text("#tdc-result"), /cần xác nhận mã OTP/);
  assert.ok(await page.locator("#tdc-otp").isVisible(), "the OTP field appears");
  // A wrong code first, then the right one.
  const wrong = String((Number(otpCitizen.otp) + 1) % 10 ** otpCitizen.otp.length).padStart(otpCitizen.otp.length, "0");
  await page.fill("#tdc-otp", wrong);
  await page.click("#tdc-run");
  await page.locator("#tdc-result[data-outcome='otp']").waitFor();
  await page.waitForFunction(() => /không đúng/.test(document.querySelector("#tdc-result").innerText));
  await page.fill("#tdc-otp", otpCitizen.otp);
  await page.click("#tdc-run");
  await page.locator("#tdc-result[data-outcome='found']").waitFor();
  assert.ok(!(await page.locator("#tdc-otp").isVisible()), "the OTP field goes once found");
  await page.click("#tdc-close");
  await clearTandan();
});

await step("Tân Dân: not found, Kiểm tra lại, not found again → the CT07 paper fallback with its reason", async () => {
  await page.fill("#td-id", missing);
  await page.fill("#td-name", other.name);
  await page.fill("#td-dob", other.birth_date);
  await page.fill("#td-phone", "0912345678");
  await page.fill("#td-address", "Thôn Nà Pài");
  await page.fill("#td-summary", "Cấp bản sao trích lục");
  await page.click("#td-open-check");
  await page.click("#tdc-run");
  await page.locator("#tdc-result[data-outcome='not-found']").waitFor();
  assert.match(await text("#tdc-result"), /Không tìm thấy công dân/);
  assert.doesNotMatch(await text("#tdc-result"), /CT07\)/, "no paper after one miss");
  await page.click("#tdc-result button:text-is('Kiểm tra lại')");
  await page.locator("#tdc-result[data-outcome='paper']").waitFor();
  assert.equal(await active(), "tdc-result");
  const r = await text("#tdc-result");
  assert.match(r, /Không tìm thấy sau 2 lần kiểm tra/);
  assert.match(r, /sau 2 lần kiểm tra: có thể yêu cầu giấy xác nhận thông tin về cư trú \(CT07\)/);
  await shot("tandan-paper-fallback");
  await page.click("#tdc-result button:text-is('Tiếp nhận với giấy xác nhận cư trú (CT07)')");
  await page.locator("#td-provenance[data-state='paper']").waitFor();
  await page.click("#td-save");
  await page.locator("#td-saved[data-outcome='found']").waitFor();
  assert.match(await text("#td-saved"), /Kèm giấy xác nhận cư trú \(CT07\)/);
  await clearTandan();
});

await step("Tân Dân: gateway unavailable (sandbox outage) shows the retries, then Thử lại finds", async () => {
  await faults({ outage: { start_after_ms: 0, duration_ms: 600000 } });
  try {
    await page.fill("#td-id", found.personal_id);
    await page.fill("#td-name", found.name);
    await page.fill("#td-dob", found.birth_date);
    await page.click("#td-open-check");
    await page.click("#tdc-run");
    await page.locator("#tdc-result[data-outcome='unavailable']").waitFor({ timeout: 60000 });
    const r = await text("#tdc-result");
    assert.match(r, /CSDLQG về dân cư tạm thời không kết nối được/);
    const n = Number(/đã gọi cổng (\d+) lần/.exec(r)[1]);
    assert.ok(n > 1, `the retries are shown (${n})`);
    assert.match(r, /HTTP 503/);
    assert.match(r, /Không kết nối được CSDLQG về dân cư trong thời hạn \(unavailable\)/);
    await shot("tandan-unavailable");
  } finally {
    await faults({});
  }
  await page.click("#tdc-result button:text-is('Thử lại')");
  await page.locator("#tdc-result[data-outcome='found']").waitFor();
  await page.click("#tdc-close");
  await clearTandan();
});

await step("Tân Dân: the gateway refuses the request (sandbox rejected_rate) and its own text is shown", async () => {
  await faults({ rejected_rate: 1 });
  try {
    await page.fill("#td-id", found.personal_id);
    await page.fill("#td-name", found.name);
    await page.fill("#td-dob", found.birth_date);
    await page.click("#td-open-check");
    await page.click("#tdc-run");
    await page.locator("#tdc-result[data-outcome='rejected']").waitFor();
    assert.equal(await active(), "tdc-result");
    const r = await text("#tdc-result");
    assert.match(r, /Cổng kết nối từ chối yêu cầu/);
    assert.match(r, /Cán bộ chưa được cấp quyền khai thác thông tin công dân cho thủ tục này/);
    assert.match(r, /Mã lỗi: rejected/);
    assert.doesNotMatch(r, /Thử lại|CT07/, "a refusal is not retried and is no reason for paper");
    await shot("tandan-rejected");
  } finally {
    await faults({});
  }
  await page.click("#tdc-close");
  await clearTandan();
});

await step("VNPT iGate: a legacy-address citizen, both addresses side by side", async () => {
  // Keyboard only, as on the iGate form: the three fields in order, Enter.
  await page.focus("#tab-igate");
  await page.keyboard.press("Enter");
  assert.equal(await page.getAttribute("#tab-igate", "aria-current"), "page");
  assert.equal(await active(), "igate-title");
  await tabTo("ig-name");
  await page.keyboard.type(legacy.name);
  await page.keyboard.press("Tab");
  await page.keyboard.type(legacy.personal_id);
  await page.keyboard.press("Tab");
  await page.keyboard.type(legacy.birth_date);
  await page.keyboard.press("Enter");
  await page.locator("#ig-result[data-outcome='found']").waitFor();
  assert.equal(await active(), "ig-result");
  // As the register holds it (some gateways answer in capitals).
  assert.equal((await text("#ig-result [data-field='name']")).toLocaleLowerCase("vi"), legacy.name.toLocaleLowerCase("vi"));
  assert.equal(await text("#ig-result [data-field='id']"), legacy.personal_id);
  assert.equal(await text("#ig-result [data-field='dob']"), legacy.birth_date);
  const cur = legacy.addresses.current;
  const boxes = page.locator("#ig-result .side > .address");
  assert.equal(await boxes.count(), 2);
  const now = await boxes.nth(0).innerText();
  const old = await boxes.nth(1).innerText();
  assert.match(now, /Địa chỉ hiện hành \(2 cấp/);
  assert.doesNotMatch(now, /Quận\/Huyện/, "no district slot in the 2025 address");
  assert.match(old, /Địa chỉ cũ \(3 cấp/);
  assert.ok(old.includes(cur.district.name), "the legacy district");
  assert.ok(old.includes(cur.commune.name), "the legacy commune");
  const conv = await (await fetch(`${BASE}/v1/units/legacy/${cur.commune.code}/successors`, { headers: { Authorization: `Bearer ${KEY}` } })).json();
  assert.ok(now.includes(conv.default.name), "the 2025 commune it became");
  await shot("igate-legacy-address");
});

await step("VNPT iGate: an answer off contract (sandbox: malformed bodies) is its own outcome, then Thử lại", async () => {
  await faults({ malformed_rate: 1.0 });
  try {
    await page.click("#ig-run");
    await page.locator("#ig-result[data-outcome='invalid-response']").waitFor({ timeout: 60000 });
    assert.equal(await active(), "ig-result");
    assert.match(await text("#ig-result"), /Cổng trả lời không đúng định dạng/);
    assert.match(await text("#ig-result"), /Mã lỗi: invalid_response/);
    await shot("igate-invalid-response");
  } finally {
    await faults({});
  }
  await page.click("#ig-result button:text-is('Thử lại')");
  await page.locator("#ig-result[data-outcome='found']").waitFor();
});

await step("VNPT iGate: invalid input (a month-year date on the full-date screen) before any call", async () => {
  const before = requests.filter((r) => r.url.endsWith("/v1/citizens/lookup")).length;
  await page.fill("#ig-dob", "05/1990");
  await page.click("#ig-run");
  await page.locator("#ig-result[data-outcome='invalid']").waitFor();
  assert.match(await text("#ig-result"), /cần ngày sinh đầy đủ/);
  assert.equal(requests.filter((r) => r.url.endsWith("/v1/citizens/lookup")).length, before);
});

await step("VNPT iGate: a gateway that rejects the call shows its text (another service, wrong gateway credentials)", async () => {
  await page.goto(`${REJECTED}/console/`);
  await signIn();
  await page.click("#tab-igate");
  await page.fill("#ig-name", legacy.name);
  await page.fill("#ig-id", legacy.personal_id);
  await page.fill("#ig-dob", legacy.birth_date);
  await page.click("#ig-run");
  await page.locator("#ig-result[data-outcome='rejected']").waitFor();
  assert.equal(await active(), "ig-result");
  const t = await text("#ig-result");
  assert.match(t, /Cổng kết nối từ chối yêu cầu/);
  assert.match(t, /Cổng trả lời: the gateway refused our credentials/);
  assert.match(t, /Mã lỗi: unauthorized/);
  await shot("igate-rejected");
  await page.click("#sign-out");
  assert.equal(await page.evaluate(() => localStorage.length + sessionStorage.length + document.cookie.length), 0);
  await page.goto(`${BASE}/console/`);
  await signIn();
});

await step("Ai đã tra cứu thông tin của tôi: the lookups of a citizen", async () => {
  // Keyboard only: the tab, then from its heading to the field, Enter to ask.
  await page.focus("#tab-audit");
  await page.keyboard.press("Enter");
  assert.equal(await active(), "audit-title");
  await tabTo("au-id");
  await page.keyboard.type(found.personal_id);
  await page.keyboard.press("Enter");
  await page.locator("#au-result[data-outcome='found']").waitFor();
  assert.equal(await active(), "au-result");
  const rows = page.locator("#au-result tbody tr");
  assert.ok((await rows.count()) >= 3, "the found lookup, the outage and its retry");
  const t = await text("#au-result");
  assert.match(t, /canbo\.motcua01/);
  assert.match(t, /Cổng không kết nối được/);
  assert.match(t, /Tìm thấy/);
  assert.ok(!t.includes(found.personal_id), "the subject is shown masked");
  assert.ok(t.includes(found.personal_id.slice(-4)));
  await shot("audit-subject");
  await page.fill("#au-id", missing.slice(0, 11) + String((Number(missing.slice(-1)) + 1) % 10));
  await page.click("#au-run");
  await page.locator("#au-result[data-outcome='not-found'], #au-result[data-outcome='found']").waitFor();
});

await step("no personal data or key in the browser's console, storage, cookies or URLs", async () => {
  await page.click("#sign-out");
  const storage = await page.evaluate(() => ({
    local: Object.keys(localStorage).map((k) => k + localStorage.getItem(k)).join(""),
    session: Object.keys(sessionStorage).map((k) => k + sessionStorage.getItem(k)).join(""),
    n: localStorage.length + sessionStorage.length,
    cookie: document.cookie,
    fields: [...document.querySelectorAll("input")].map((i) => i.value).join(""),
  }));
  assert.equal(storage.n, 0, "localStorage and sessionStorage are empty");
  assert.equal(storage.cookie, "");
  assert.equal(storage.fields.replace("000.00.21.H06", ""), "", "sign-out empties every field");
  const secrets = used.filter((u) => !/^\d{4}$/.test(u)).concat([KEY]);
  for (const line of consoleLines) {
    for (const s of secrets) assert.ok(!line.includes(s), `the console shows personal data: ${line.slice(0, 80)}`);
  }
  for (const r of requests) {
    for (const s of secrets) assert.ok(!r.url.includes(s), `a URL carries personal data: ${r.method} ${r.url.slice(0, 60)}`);
    assert.ok(r.url.startsWith(`${BASE}/`) || r.url.startsWith(`${REJECTED}/`), `only the service is fetched (${r.url.slice(0, 60)})`);
  }
  assert.ok(requests.some((r) => r.url.endsWith("/v1/audit/subjects")), "the audit query went by POST body");
  assert.deepEqual(consoleLines.filter((l) => l.startsWith("pageerror")), [], "no script error");
  await shot("signed-out");
});

await context.close();
rmSync(profile, { recursive: true, force: true });
if (failures) {
  console.log(`console e2e: ${failures} failed`);
  process.exit(1);
}
console.log("console e2e: every step passed");
