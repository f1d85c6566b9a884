#!/usr/bin/env python3
"""Runs one tool's calls N times over a slice of the benchmark inputs, for
instructions.sh (which runs this under callgrind with N and with 0 calls;
the difference divided by N is the cost of one call, whatever the load).

    python instructions.py TOOL N
"""

import csv
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ON = "2026-11-27"


def rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def main():
    tool, n = sys.argv[1], int(sys.argv[2])
    ids = [r["input"] for r in rows(os.path.join(HERE, "ids.tsv")) if r["kind"] == "personal_id" and r["valid"] == "1"]
    taxes = [r["input"] for r in rows(os.path.join(HERE, "ids.tsv")) if r["kind"] == "tax_code"]
    # Every 16th row: every form and both eras, the same rows for every tool.
    corpus = rows(os.path.join(HERE, "..", "address", "corpus.tsv"))[::16]
    import dancu
    from stdnum.vn import mst
    from vietnamadminunits import ParseMode, parse_address
    from vn_ident import parse_cccd

    # Warm every tool once (first-call compilation and table loading are not per-call costs).
    dancu.inspect_id(ids[0], on=ON)
    dancu.resolve_address(corpus[0]["input"])
    parse_cccd(ids[0])
    mst.is_valid(taxes[0])
    parse_address(corpus[0]["input"], mode=ParseMode.LEGACY)
    parse_address(corpus[-1]["input"], mode=ParseMode.FROM_2025)
    out = []
    if tool == "dancu_id":
        out = [dancu.inspect_id(ids[i % len(ids)], on=ON) for i in range(n)]
    elif tool == "vn_ident_id":
        out = [parse_cccd(ids[i % len(ids)]) for i in range(n)]
    elif tool == "dancu_tax":
        out = [_tax(dancu, taxes[i % len(taxes)]) for i in range(n)]
    elif tool == "stdnum_tax":
        out = [mst.is_valid(taxes[i % len(taxes)]) for i in range(n)]
    elif tool == "dancu_address":
        out = [dancu.resolve_address(corpus[i % len(corpus)]["input"]) for i in range(n)]
    elif tool == "dancu_addresses":
        out = dancu.resolve_addresses([corpus[i % len(corpus)]["input"] for i in range(n)], threads=1)
    elif tool == "peer_address":
        out = []
        for i in range(n):
            r = corpus[i % len(corpus)]
            mode = ParseMode.LEGACY if r["era"] == "legacy" else ParseMode.FROM_2025
            try:
                out.append(parse_address(r["input"], mode=mode))
            except Exception:
                out.append(None)
    else:
        raise SystemExit(f"unknown tool {tool}")
    assert len(out) == n


def _tax(dancu, text):
    try:
        return dancu.inspect_id(text, on=ON)
    except dancu.InvalidId:
        return None


if __name__ == "__main__":
    main()
