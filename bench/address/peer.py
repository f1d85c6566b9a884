#!/usr/bin/env python3
"""Run the peer resolver (PyPI package `vietnamadminunits`) over the corpus.

Each row is parsed in the peer's mode for the row's era (LEGACY = 63-province
scheme, FROM_2025 = 34-province scheme). The peer cannot detect the era by
itself, so it is given the era from the ground truth; our resolver is not.
Only the parse_address() call is timed.

Optionally (--convert) legacy rows are also passed to convert_address() to get
the peer's 2025 commune. Its converter geocodes split communes through an online
service when the address has a street part; we disable that lookup (it makes the
run depend on the network and on a third-party service), so the peer falls back
to its own default target, as it does when the geocoder finds nothing.

Writes a TSV: id, era, province, district, commune, resolved, us, error
(+ current_province, current_commune, convert_us with --convert).
"""

import argparse
import csv
import os
import platform
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.join(HERE, "corpus.tsv"))
    ap.add_argument("--out", default=os.path.join(HERE, "out", "peer.tsv"))
    ap.add_argument("--convert", action="store_true", help="also run convert_address on legacy rows")
    ap.add_argument("--repeat", type=int, default=3,
                    help="timed passes over the corpus; the pass with the median total is reported")
    a = ap.parse_args()

    import vietnamadminunits as vau  # noqa: E402  (import time is not measured)
    from vietnamadminunits import parse_address, ParseMode
    try:
        from importlib.metadata import version
        peer_version = version("vietnamadminunits")
    except Exception:
        peer_version = "?"

    with open(a.corpus, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))

    if a.convert:
        from vietnamadminunits import convert_address
        import vietnamadminunits.converter.converter_2025 as conv
        conv.get_geo_location = lambda address: None  # offline: no geocoding

    out = []
    conv_times = []
    passes = []
    for rep in range(a.repeat):
        times = {"legacy": [], "2025": []}
        for r in rows:
            mode = ParseMode.LEGACY if r["era"] == "legacy" else ParseMode.FROM_2025
            t0 = time.perf_counter_ns()
            try:
                u = parse_address(r["input"], mode=mode)
                err = ""
            except Exception as e:  # the peer raises on some inputs; count as unresolved
                u, err = None, f"{type(e).__name__}: {e}"
            dt = (time.perf_counter_ns() - t0) / 1000.0
            times[r["era"]].append(dt)
            if rep:
                continue
            rec = {"id": r["id"], "era": r["era"], "province": "", "district": "", "commune": "",
                   "resolved": "0", "us": f"{dt:.1f}",
                   "error": err.replace("\t", " ").replace("\n", " ")[:200]}
            if u is not None:
                rec["province"] = u.province_code or ""
                rec["district"] = (u.district_code or "") if r["era"] == "legacy" else ""
                rec["commune"] = u.ward_code or ""
                rec["resolved"] = "1" if u.ward_code else "0"
            out.append(rec)
        passes.append(times)
    # report the pass with the median total time
    passes.sort(key=lambda t: sum(t["legacy"]) + sum(t["2025"]))
    times = passes[len(passes) // 2]

    if a.convert:  # separate pass, so the parse timings above are not disturbed
        for r, rec in zip(rows, out):
            rec["current_province"] = rec["current_commune"] = rec["convert_us"] = ""
            if r["era"] != "legacy":
                continue
            t0 = time.perf_counter_ns()
            try:
                c = convert_address(r["input"])
            except Exception:
                c = None
            dt = (time.perf_counter_ns() - t0) / 1000.0
            conv_times.append(dt)
            rec["convert_us"] = f"{dt:.1f}"
            if c is not None:
                rec["current_province"] = c.province_code or ""
                rec["current_commune"] = c.ward_code or ""

    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    cols = list(out[0].keys())
    with open(a.out, "w", encoding="utf-8", newline="") as f:
        f.write("\t".join(cols) + "\n")
        for rec in out:
            f.write("\t".join(str(rec[c]) for c in cols) + "\n")

    allt = times["legacy"] + times["2025"]
    total_s = sum(allt) / 1e6
    meta = {
        "peer": f"vietnamadminunits {peer_version}",
        "python": platform.python_version(),
        "n": len(allt),
        "passes": a.repeat,
        "parse_total_s": f"{total_s:.3f}",
        "mean_us": f"{statistics.fmean(allt):.1f}",
        "median_us": f"{statistics.median(allt):.1f}",
        "per_s": f"{len(allt) / total_s:.0f}",
        "mean_us_legacy": f"{statistics.fmean(times['legacy']):.1f}" if times["legacy"] else "",
        "mean_us_2025": f"{statistics.fmean(times['2025']):.1f}" if times["2025"] else "",
    }
    try:
        meta["loadavg"] = " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        pass
    if conv_times:
        meta["convert_mean_us"] = f"{statistics.fmean(conv_times):.1f}"
    with open(os.path.splitext(a.out)[0] + ".timing.tsv", "w", encoding="utf-8") as f:
        for k, v in meta.items():
            f.write(f"{k}\t{v}\n")
    print(" ".join(f"{k}={v}" for k, v in meta.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
