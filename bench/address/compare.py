#!/usr/bin/env python3
"""Score the peer and our resolver against the corpus ground truth.

Standard library only. Reads corpus.tsv, out/peer.tsv (+ out/peer.timing.tsv)
and, when present, out/ours.jsonl (+ out/ours.timing.tsv). Prints Markdown and
writes it to RESULTS.md.

Definitions
- A prediction is *confident* when the tool commits to one commune: the peer
  whenever it returns a ward code (it has no notion of ambiguity); ours when
  "resolved" is true and the era's block names a commune.
- Accuracy (commune / district / province) is measured on rows that are not
  ambiguous by construction; a missing answer counts as wrong.
- On ambiguous rows there is no single right answer. Outcomes: flagged as
  ambiguous with the right commune among the candidates (best), flagged without
  it, no answer, a confident answer that happens to be the generating unit
  (a lucky guess), and a confident answer naming another unit (worst).
- Legacy rows are scored on the "legacy" block of our JSON, 2025 rows on the
  "current" block. One exception: an unambiguous legacy row whose text also
  reads in the 2025 scheme (a legacy commune written without its district,
  with a 2025 commune of that name in that province) is also right when
  answered in the 2025 era with exactly the 2025 commune the legacy commune
  merged into whole (its only conversion target): the text does not say
  which scheme it is in, and both answers name the same place today.
"""

import argparse
import csv
import json
import os
import platform
import re
import subprocess
import sys
from collections import defaultdict
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out")


def read_tsv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def read_kv(path):
    d = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if "\t" in line:
                    k, v = line.rstrip("\n").split("\t", 1)
                    d[k] = v
    return d


# ------------------------------------------------------------------ predictions

def peer_predictions(path):
    preds = {}
    for r in read_tsv(path):
        commune = r["commune"] or None
        preds[r["id"]] = {
            "province": r["province"] or None,
            "district": r["district"] or None,
            "commune": commune,
            "confident": commune is not None,
            "candidates": set(),
            "current_commune": r.get("current_commune") or None,
            "current_province": r.get("current_province") or None,
            "era": None,
        }
    return preds


def _code(x):
    if isinstance(x, dict):
        c = x.get("code")
        return str(c) if c is not None else None
    if isinstance(x, (str, int)):
        return str(x)
    return None


def _collect_communes(obj, era_key, acc):
    """Commune codes named by a candidate / alternative entry, whatever its shape."""
    if isinstance(obj, list):
        for x in obj:
            _collect_communes(x, era_key, acc)
        return
    if not isinstance(obj, dict):
        return
    if era_key in obj:  # an {"era", "legacy", "current"} entry: only the scored era's block
        if isinstance(obj[era_key], dict):
            _collect_communes(obj[era_key], era_key, acc)
        return
    if "commune" in obj:
        c = _code(obj["commune"])
        if c:
            acc.add(c)
        return
    c = obj.get("code")
    if isinstance(c, str) and re.fullmatch(r"\d{5}", c):
        acc.add(c)
    for k, v in obj.items():
        if isinstance(v, (dict, list)) and k not in ("province", "district", "legacy", "current"):
            _collect_communes(v, era_key, acc)


def ours_predictions(path, corpus):
    lines = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                lines.append(line)
    if len(lines) != len(corpus):
        print(f"warning: {len(lines)} JSON lines for {len(corpus)} inputs", file=sys.stderr)
    preds = {}
    for row, line in zip(corpus, lines):
        try:
            o = json.loads(line)
        except json.JSONDecodeError:
            o = {}
        era_key = "legacy" if row["era"] == "legacy" else "current"
        blk = o.get(era_key) or {}
        if (row["era"] == "legacy" and row["ambiguous"] != "1"
                and row["other_era_reading"] in ("same", "different")
                and re.fullmatch(r"\d{5}", row["current_targets"])
                and o.get("era") == "2025" and o.get("legacy") is None):
            cur_blk = o.get("current") or {}
            if (_code(cur_blk.get("commune")) == row["current_targets"]
                    and _code(cur_blk.get("province")) == row["expected_current_province"]):
                # The same place, named in the 2025 scheme.
                blk = {"province": row["expected_province"],
                       "district": row["expected_district"] or None,
                       "commune": row["expected_commune"]}
        commune = _code(blk.get("commune"))
        cands = set()
        _collect_communes(o.get("candidates") or [], era_key, cands)
        if era_key == "current":
            _collect_communes(blk.get("alternatives") or [], era_key, cands)
        cur = o.get("current") or {}
        preds[row["id"]] = {
            "province": _code(blk.get("province")),
            "district": _code(blk.get("district")) if era_key == "legacy" else None,
            "commune": commune,
            "confident": bool(o.get("resolved")) and commune is not None,
            "candidates": cands,
            "current_commune": _code(cur.get("commune")),
            "current_province": _code(cur.get("province")),
            "era": o.get("era"),
            # resolved, but as a unit of the other era (nothing in the scored block)
            "resolved_other_era": bool(o.get("resolved")) and commune is None
                                  and o.get("era") not in (None, row["era"]),
        }
    return preds


# ------------------------------------------------------------------ scoring

def pct(n, d):
    return f"{100.0 * n / d:.1f}%" if d else "–"


def pctn(n, d):
    """Percentage with the row count, for the rare outcomes."""
    return f"{100.0 * n / d:.1f}% ({n})" if d else "–"


def score(corpus, preds):
    s = defaultdict(lambda: defaultdict(int))
    for r in corpus:
        p = preds.get(r["id"]) or {}
        era = r["era"]
        form = r["form"].split(":")[0]
        amb = r["ambiguous"] == "1"
        if not amb:
            for key in (era, f"{era}|form|{form}", "all"):
                b = s[key]
                b["n"] += 1
                b["commune"] += p.get("commune") == r["expected_commune"]
                b["province"] += p.get("province") == r["expected_province"]
                if era == "legacy":
                    b["district"] += p.get("district") == r["expected_district"]
                no_commune = not p.get("commune")
                other_era = no_commune and bool(p.get("resolved_other_era"))
                flagged = (no_commune and not other_era
                           and r["expected_commune"] in (p.get("candidates") or ()))
                b["flagged"] += flagged
                b["other_era"] += other_era
                b["no_answer"] += no_commune and not flagged and not other_era
                b["conf_wrong"] += bool(p.get("confident")) and p.get("commune") != r["expected_commune"]
                if r["other_era_reading"] == "different":
                    b["oe_n"] += 1
                    b["oe_ok"] += p.get("commune") == r["expected_commune"]
                    b["oe_flag"] += flagged
                    b["oe_other"] += other_era
            if r["form"].startswith("combo:"):
                for m in r["form"][6:].split("+"):
                    b = s[f"{era}|mod|{m}"]
                    b["n"] += 1
                    b["commune"] += p.get("commune") == r["expected_commune"]
        else:
            b = s[f"{era}|amb"]
            b["n"] += 1
            if p.get("confident"):
                if p.get("commune") == r["expected_commune"]:
                    b["lucky"] += 1
                else:
                    b["conf_wrong"] += 1
            elif p.get("candidates"):
                if r["expected_commune"] in p["candidates"]:
                    b["flag_ok"] += 1
                else:
                    b["flag_miss"] += 1
            else:
                b["none"] += 1
        if era == "legacy" and r.get("current_targets"):
            b = s["convert"]
            targets = r["current_targets"].split(";")
            b["n"] += 1
            cc = p.get("current_commune")
            b["default"] += cc == targets[0]
            b["any"] += cc in targets
            b["prov"] += p.get("current_province") == r["expected_current_province"]
            b["split_n"] += len(targets) > 1
            b["split_any"] += len(targets) > 1 and cc in targets
    return s


# ------------------------------------------------------------------ report

def machine():
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (f"{cpu or platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"{platform.system()} {platform.release()}")


def git_rev(root):
    """HEAD of the worktree, marked +dirty when the Rust sources differ from it."""
    try:
        rev = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--", "src", "crates",
                                "Cargo.toml", "Cargo.lock"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except Exception:
        return "?"


def report(corpus, tools, timing):
    names = list(tools)
    S = {n: score(corpus, tools[n]) for n in names}
    L = []
    w = L.append
    n_leg = sum(r["era"] == "legacy" for r in corpus)
    n_new = len(corpus) - n_leg
    n_amb = sum(r["ambiguous"] == "1" for r in corpus)
    w(f"Corpus: {len(corpus)} addresses ({n_leg} legacy-era, {n_new} 2025-era; "
      f"{n_amb} ambiguous by construction). Generated {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC "
      f"on {machine()}; worktree commit {git_rev(os.path.dirname(os.path.dirname(HERE)))}"
      + (f", ours built from {timing['ours']['commit']}" if timing.get("ours", {}).get("commit") else "")
      + ".")
    w("")
    if "peer" in names:
        w("The peer is told each row's era (it parses in LEGACY or FROM_2025 mode); ours must detect it.")
        w("")
    w("### Accuracy on unambiguous rows")
    w("")
    w("Exact code equality. When a tool gives no commune, the row is split into: flagged as ambiguous "
      "with the right commune among its candidates (over-cautious), resolved as a unit of the other era, "
      "or no answer.")
    w("")
    w("| tool | era | n | commune | district | province | flagged, right listed | other-era answer | "
      "no answer | confident wrong |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    for t in names:
        for era in ("legacy", "2025", "all"):
            b = S[t][era]
            n = b["n"]
            dist = pct(b["district"], n) if era == "legacy" else "–"
            w(f"| {t} | {era} | {n} | **{pct(b['commune'], n)}** | {dist} | {pct(b['province'], n)} | "
              f"{pctn(b['flagged'], n)} | {pctn(b['other_era'], n)} | {pctn(b['no_answer'], n)} | "
              f"{pctn(b['conf_wrong'], n)} |")
    w("")

    w("### Commune accuracy by form (unambiguous rows)")
    w("")
    w("| form | legacy n | " + " | ".join(f"{t} legacy" for t in names) + " | 2025 n | "
      + " | ".join(f"{t} 2025" for t in names) + " |")
    w("|" + "---|" * (3 + 2 * len(names)))
    forms = []
    for r in corpus:
        f = r["form"].split(":")[0]
        if f not in forms:
            forms.append(f)
    for f in forms:
        cells = [f]
        for era in ("legacy", "2025"):
            b0 = S[names[0]][f"{era}|form|{f}"]
            cells.append(str(b0["n"]) if b0["n"] else "–")
            for t in names:
                b = S[t][f"{era}|form|{f}"]
                cells.append(pct(b["commune"], b["n"]))
        w("| " + " | ".join(cells) + " |")
    w("")
    mods = sorted({m for r in corpus if r["form"].startswith("combo:") for m in r["form"][6:].split("+")})
    if mods:
        w("Combo rows (2–3 forms stacked), commune accuracy of the combos that include each form:")
        w("")
        w("| combo includes | legacy n | " + " | ".join(f"{t} legacy" for t in names) + " | 2025 n | "
          + " | ".join(f"{t} 2025" for t in names) + " |")
        w("|" + "---|" * (3 + 2 * len(names)))
        for m in mods:
            cells = [m]
            for era in ("legacy", "2025"):
                b0 = S[names[0]][f"{era}|mod|{m}"]
                cells.append(str(b0["n"]) if b0["n"] else "–")
                for t in names:
                    b = S[t][f"{era}|mod|{m}"]
                    cells.append(pct(b["commune"], b["n"]))
            w("| " + " | ".join(cells) + " |")
        w("")

    w("### Ambiguous rows (the text names several units)")
    w("")
    w("| tool | era | n | flagged, right candidate listed | flagged, right one missing | no answer | "
      "confident, = generating unit (lucky) | confident wrong |")
    w("|---|---|---|---|---|---|---|---|")
    for t in names:
        for era in ("legacy", "2025"):
            b = S[t][f"{era}|amb"]
            n = b["n"]
            w(f"| {t} | {era} | {n} | {pctn(b['flag_ok'], n)} | {pctn(b['flag_miss'], n)} | "
              f"{pctn(b['none'], n)} | {pctn(b['lucky'], n)} | {pctn(b['conf_wrong'], n)} |")
    w("")

    oe = [(t, S[t]["all"]) for t in names]
    if oe[0][1]["oe_n"]:
        w(f"Unambiguous rows whose text also names a *different* unit in the other era "
          f"({oe[0][1]['oe_n']} rows; without knowing the era such a text is ambiguous): " +
          "; ".join(f"{t}: right {pct(b['oe_ok'], b['oe_n'])}, flagged with the right candidate "
                    f"{pct(b['oe_flag'], b['oe_n'])}, answered in the other era {pct(b['oe_other'], b['oe_n'])}"
                    for t, b in oe) + ".")
        w("")

    if any(S[t]["convert"]["n"] and (S[t]["convert"]["any"] or S[t]["convert"]["prov"]) for t in names):
        w("### Legacy → 2025 conversion (legacy rows, all)")
        w("")
        w("| tool | n | 2025 province | 2025 commune = default target | 2025 commune among targets | split communes: among targets |")
        w("|---|---|---|---|---|---|")
        for t in names:
            b = S[t]["convert"]
            w(f"| {t} | {b['n']} | {pct(b['prov'], b['n'])} | {pct(b['default'], b['n'])} | "
              f"{pct(b['any'], b['n'])} | {pct(b['split_any'], b['split_n'])} (n={b['split_n']}) |")
        w("")

    w("### Speed")
    w("")
    w("| tool | what is timed | addresses | total s | mean µs/address | median µs/address | addresses/s | start-up s | µs/address excl. start-up | load average while timed |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    for t in names:
        m = timing.get(t) or {}
        if m:
            w(f"| {t} | {m.get('what', '')} | {m.get('n', '')} | {m.get('total_s', '')} | "
              f"{m.get('mean_us', '')} | {m.get('median_us') or '–'} | {m.get('per_s', '')} | {m.get('startup_s') or '–'} | "
              f"{m.get('mean_us_excl') or '–'} | {m.get('loadavg') or '?'} |")
    w("")
    return "\n".join(L)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.join(HERE, "corpus.tsv"))
    ap.add_argument("--peer", default=os.path.join(OUT, "peer.tsv"))
    ap.add_argument("--ours", default=os.path.join(OUT, "ours.jsonl"))
    ap.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--rows", default=os.path.join(OUT, "rows.tsv"),
                    help="per-row predictions and outcomes, for debugging")
    ap.add_argument("--readme", action="store_true",
                    help="also paste the tables into README.md between the results markers")
    a = ap.parse_args()
    corpus = read_tsv(a.corpus)
    tools, timing = {}, {}
    if os.path.exists(a.peer):
        tools["peer"] = peer_predictions(a.peer)
        m = read_kv(os.path.splitext(a.peer)[0] + ".timing.tsv")
        if m:
            timing["peer"] = {"what": f"{m.get('peer')} parse_address() calls only, Python {m.get('python')}",
                              "n": m.get("n"), "total_s": m.get("parse_total_s"),
                              "mean_us": m.get("mean_us"), "per_s": m.get("per_s"),
                              "median_us": m.get("median_us"), "loadavg": m.get("loadavg")}
    if os.path.exists(a.ours):
        tools["ours"] = ours_predictions(a.ours, corpus)
        m = read_kv(os.path.splitext(a.ours)[0] + ".timing.tsv")
        if m:
            timing["ours"] = {"what": "whole batch, wall clock (process start to exit, release build); "
                                      "start-up = the same command on one address",
                              "n": m.get("n"), "total_s": m.get("wall_s"),
                              "mean_us": m.get("mean_us"), "per_s": m.get("per_s"),
                              "startup_s": m.get("startup_s"), "mean_us_excl": m.get("mean_us_excl_startup"),
                              "loadavg": m.get("loadavg"), "commit": m.get("commit")}
    if not tools:
        sys.exit("no predictions found; run run.sh first")
    md = "## Address resolution: results\n\n" + report(corpus, tools, timing)
    print(md)
    with open(a.results, "w", encoding="utf-8") as f:
        f.write(md + "\n")
    write_rows(a.rows, corpus, tools)
    if a.readme:
        path = os.path.join(HERE, "README.md")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        body = report(corpus, tools, timing).replace("### ", "#### ")
        text = re.sub(r"(<!-- results -->\n).*?(<!-- /results -->)",
                      lambda m: m.group(1) + body + "\n" + m.group(2), text, flags=re.S)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)


def outcome(r, p):
    if r["ambiguous"] == "1":
        if p.get("confident"):
            return "amb_lucky" if p.get("commune") == r["expected_commune"] else "amb_confident_wrong"
        if p.get("candidates"):
            return "amb_flag_ok" if r["expected_commune"] in p["candidates"] else "amb_flag_miss"
        return "amb_none"
    if p.get("commune") == r["expected_commune"]:
        return "ok"
    return "wrong" if p.get("commune") else "none"


def write_rows(path, corpus, tools):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    cols = ["id", "era", "form", "ambiguous", "input", "expected_province", "expected_district",
            "expected_commune"]
    for t in tools:
        cols += [f"{t}_outcome", f"{t}_province", f"{t}_district", f"{t}_commune", f"{t}_candidates"]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\t".join(cols) + "\n")
        for r in corpus:
            vals = [r[c] for c in cols[:8]]
            for t, preds in tools.items():
                p = preds.get(r["id"]) or {}
                vals += [outcome(r, p), p.get("province") or "", p.get("district") or "",
                         p.get("commune") or "", ";".join(sorted(p.get("candidates") or []))]
            f.write("\t".join(vals) + "\n")


if __name__ == "__main__":
    main()
