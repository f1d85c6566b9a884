#!/usr/bin/env python3
"""Runs one tool's calls over N inputs taken from the benchmark's inputs,
for instructions.sh, which runs it under callgrind twice: with the calls,
and with --dry (the same inputs prepared, no call). The difference divided
by N is the cost of one call (or of one item of a batch), whatever the
machine's load.

    python instructions.py TOOL N [--dry]
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
    tool, n, dry = sys.argv[1], int(sys.argv[2]), "--dry" in sys.argv[3:]
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
    dancu.inspect_ids(ids[:1], on=ON)
    dancu.resolve_address(corpus[0]["input"])
    dancu.convert_addresses([corpus[0]["input"]])
    parse_cccd(ids[0])
    mst.is_valid(taxes[0])
    parse_address(corpus[0]["input"], mode=ParseMode.LEGACY)
    parse_address(corpus[-1]["input"], mode=ParseMode.FROM_2025)

    def cycle(values):
        return [values[i % len(values)] for i in range(n)]

    addresses = cycle([r["input"] for r in corpus])
    modes = cycle([ParseMode.LEGACY if r["era"] == "legacy" else ParseMode.FROM_2025 for r in corpus])
    inputs, call = {
        "dancu_id": (cycle(ids), lambda xs: [dancu.inspect_id(x, on=ON) for x in xs]),
        "dancu_ids": (cycle(ids), lambda xs: dancu.inspect_ids(xs, on=ON, threads=1)),
        "vn_ident_id": (cycle(ids), lambda xs: [parse_cccd(x) for x in xs]),
        "dancu_tax": (cycle(taxes), lambda xs: [_tax(dancu, x) for x in xs]),
        "stdnum_tax": (cycle(taxes), lambda xs: [mst.is_valid(x) for x in xs]),
        "dancu_address": (addresses, lambda xs: [dancu.resolve_address(x) for x in xs]),
        "dancu_addresses": (addresses, lambda xs: dancu.resolve_addresses(xs, threads=1)),
        "dancu_columns": (addresses, lambda xs: dancu.convert_addresses(xs, threads=1)["status"]),
        "peer_address": (list(zip(addresses, modes)), lambda xs: [_peer(parse_address, x, m) for x, m in xs]),
    }[tool]
    if not dry:
        out = call(inputs)
        assert len(out) == n


def _tax(dancu, text):
    try:
        return dancu.inspect_id(text, on=ON)
    except dancu.InvalidId:
        return None


def _peer(parse_address, text, mode):
    try:
        return parse_address(text, mode=mode)
    except Exception:  # the peer raises on some inputs: no answer
        return None


if __name__ == "__main__":
    main()
