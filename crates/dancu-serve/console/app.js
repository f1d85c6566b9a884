// The console's shell: sign-in (the key kept in memory only), the three
// screens as tabs, sign-out (every field emptied).

import { currentSettings, inspectId, loadSettings, signIn, signOut } from "./api.js";
import { initAudit, resetAudit } from "./audit.js";
import { say } from "./forms.js";
import { initIgate, resetIgate } from "./igate.js";
import { initTandan, resetTandan } from "./tandan.js";

const $ = (id) => document.getElementById(id);
const SCREENS = ["tandan", "igate", "audit"];

function show(name) {
  for (const s of SCREENS) {
    $(`screen-${s}`).hidden = s !== name;
    const tab = $(`tab-${s}`);
    if (s === name) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  const h = $(`screen-${name}`).querySelector("h2");
  h.setAttribute("tabindex", "-1");
  h.focus();
}

async function submitSignIn(e) {
  e.preventDefault();
  const officer = $("signin-officer");
  const unit = $("signin-unit");
  const key = $("signin-key");
  let ok = true;
  for (const [i, label] of [[officer, "mã cán bộ"], [unit, "mã đơn vị"], [key, "khóa truy cập"]]) {
    if (!i.value.trim()) { say(i, "error", `Chưa nhập ${label}.`); ok = false; } else say(i, "", "");
  }
  if (!ok) { document.querySelector("#signin [aria-invalid='true']").focus(); return; }
  signIn(key.value.trim(), officer.value.trim(), unit.value.trim());
  // The key is tried once on a number that is no one's: nothing personal is sent.
  const { error } = await inspectId("000000000000");
  if (error && (error.body === null || error.status === 401 || error.status === 0)) {
    signOut();
    say(key, "error", error.status === 401 ? "Khóa truy cập không đúng." : `Không kết nối được dịch vụ (HTTP ${error.status}).`);
    key.focus();
    return;
  }
  key.value = "";
  const s = currentSettings();
  $("who").textContent = `Cán bộ: ${officer.value.trim()} · Đơn vị: ${unit.value.trim()} · Cổng CSDL: ${s.gateway || "—"} · Thủ tục: ${s.procedure}`;
  $("who").hidden = false;
  $("screen-signin").hidden = true;
  $("tabs").hidden = false;
  show("tandan");
}

function doSignOut() {
  signOut();
  resetTandan();
  resetIgate();
  resetAudit();
  for (const s of SCREENS) $(`screen-${s}`).hidden = true;
  $("tabs").hidden = true;
  $("who").hidden = true;
  $("who").textContent = "";
  $("signin").reset();
  const s = currentSettings();
  if (s.unit) $("signin-unit").value = s.unit;
  $("screen-signin").hidden = false;
  $("signin-officer").focus();
}

async function main() {
  const s = await loadSettings();
  if (s.unit) $("signin-unit").value = s.unit;
  $("signin").addEventListener("submit", submitSignIn);
  for (const name of SCREENS) $(`tab-${name}`).addEventListener("click", () => show(name));
  $("sign-out").addEventListener("click", doSignOut);
  initTandan();
  initIgate();
  initAudit();
  $("signin-officer").focus();
}

main();
