#!/usr/bin/env python3
"""Convert a CSV column of addresses (either era) to the 2025 units.

    python legacy_to_2025.py records.csv records_2025.csv --column address

Every input column is kept; these are added:

- ``status``: ``resolved``, ``ambiguous`` (the text names several units:
  see ``candidates``) or ``unresolved``. Only resolved rows get 2025 units:
  an ambiguous address is never guessed.
- ``era``: which scheme the text was written in (``legacy`` or ``2025``).
- ``province_2025``, ``province_2025_code``, ``commune_2025``,
  ``commune_2025_code``: the 2025 units (for a split legacy commune, the
  default target).
- ``other_2025_communes``: the other targets of a split commune (``;``).
- ``candidates``: how many units an ambiguous text can name.
- ``detail``: what precedes the units (house number, street, hamlet).

Standard library only. The file is streamed: each chunk of rows (50,000 by
default; a report is about 3.6 KB of Python objects) is resolved in one
call, with the GIL released and every core used, and written before the
next is read, so memory stays flat however many millions of rows come.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import sys

import dancu

ADDED = [
    "status",
    "era",
    "province_2025",
    "province_2025_code",
    "commune_2025",
    "commune_2025_code",
    "other_2025_communes",
    "candidates",
    "detail",
]


def columns_2025(r: dict) -> dict:
    """The added columns for one `resolve_address` report."""
    cur = r["current"] if r["resolved"] else None
    commune = cur["commune"] if cur else None
    if r["resolved"]:
        status = "resolved"
    elif r["candidates"]:
        status = "ambiguous"
    else:
        status = "unresolved"
    return {
        "status": status,
        "era": r["era"] or "",
        "province_2025": cur["province"]["name"] if cur else "",
        "province_2025_code": cur["province"]["code"] if cur else "",
        "commune_2025": commune["name"] if commune else "",
        "commune_2025_code": commune["code"] if commune else "",
        "other_2025_communes": ";".join(a["code"] for a in cur["alternatives"]) if cur else "",
        "candidates": str(len(r["candidates"])) if status == "ambiguous" else "",
        "detail": r["detail"] or "",
    }


def convert_file(src: str, dst: str, column: str, chunk: int = 50_000) -> dict[str, int]:
    """Writes `dst` with the added columns; returns the count per status."""
    counts: dict[str, int] = {}
    with open(src, encoding="utf-8-sig", newline="") as f, open(dst, "w", encoding="utf-8", newline="") as out:
        reader = csv.DictReader(f)
        if reader.fieldnames is None or column not in reader.fieldnames:
            raise SystemExit(f"{src}: no column {column!r}")
        fields = list(reader.fieldnames) + [c for c in ADDED if c not in reader.fieldnames]
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        while rows := list(itertools.islice(reader, chunk)):
            for row, r in zip(rows, dancu.resolve_addresses(row[column] for row in rows)):
                added = columns_2025(r)
                counts[added["status"]] = counts.get(added["status"], 0) + 1
                writer.writerow({**row, **added})
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--column", default="address")
    ap.add_argument("--chunk", type=int, default=50_000, help="rows resolved per call")
    a = ap.parse_args()
    counts = convert_file(a.src, a.dst, a.column, a.chunk)
    print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())), file=sys.stderr)


if __name__ == "__main__":
    main()
