#!/usr/bin/env python3
"""Writes ids.tsv: identity numbers with known answers, for compare.py.

Standard library only, fixed seed. The answers come from how each row is
built and from the published rules, not from any of the tools compared:
the 63 registration codes (shared/data/identity/cccd_province_codes.csv) and
101-295 for births registered abroad; the century/gender digit (birth year
= 1900 + 100 * (G // 2) + YY, which must not be after the reference date);
the tax-code check digit (weights 31 29 23 19 17 13 7 5 3, Circular
105/2020/TT-BTC). Reference date: 2026-11-27.

Columns: input, category, kind (personal_id, cmnd, passport, tax_code or
empty when no shape fits), valid (1/0), code, gender, birth_year.
"""

import argparse
import csv
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
REF_YEAR = 2026
WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def check_digit(nine):
    r = 10 - sum(int(d) * w for d, w in zip(nine, WEIGHTS)) % 11
    return None if r == 10 else r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(HERE, "..", "..", "..", "shared", "data", "identity"))
    ap.add_argument("--out", default=os.path.join(HERE, "ids.tsv"))
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=20251127)
    a = ap.parse_args()
    with open(os.path.join(a.data, "cccd_province_codes.csv"), encoding="utf-8") as f:
        provinces = [r["code"] for r in csv.DictReader(f)]
    known = set(provinces) | {f"{c:03d}" for c in range(101, 296)}
    unknown = [f"{c:03d}" for c in range(1000) if f"{c:03d}" not in known]
    rng = random.Random(a.seed)
    rows = []

    def personal(code, g, yy, sep=None):
        digits = f"{code}{g}{yy:02d}{rng.randrange(10**6):06d}"
        year = 1900 + 100 * (g // 2) + yy
        valid = code in known and year <= REF_YEAR
        text = digits
        if sep:
            text = sep.join([digits[0:3], digits[3:6], digits[6:9], digits[9:12]])
        gender = "male" if g % 2 == 0 else "female"
        return [text, "personal_id", "1" if valid else "0", code, gender if valid else "", str(year) if valid else ""]

    def tax(valid, branch=False):
        while True:
            nine = f"{rng.randrange(1, 10**9):09d}"
            c = check_digit(nine)
            if c is not None:
                break
        d = c if valid else (c + 1 + rng.randrange(9)) % 10
        text = f"{nine}{d}"
        if branch:
            text += f"-{rng.randrange(1, 1000):03d}"
        return [text, "tax_code", "1" if valid else "0", "", "", ""]

    plan = [
        ("personal_valid", 0.40),
        ("personal_separators", 0.08),
        ("personal_abroad", 0.02),
        ("personal_unknown_code", 0.06),
        ("personal_future_year", 0.06),
        ("personal_letter", 0.02),
        ("cmnd", 0.08),
        ("passport", 0.04),
        ("tax_valid", 0.12),
        ("tax_branch", 0.03),
        ("tax_bad_check", 0.06),
        ("wrong_length", 0.03),
    ]
    for category, share in plan:
        for _ in range(round(a.n * share)):
            if category == "personal_valid":
                g = rng.choice([0, 1, 0, 1, 2, 3])
                yy = rng.randrange(100) if g < 2 else rng.randrange(REF_YEAR - 2000 + 1)
                row = personal(rng.choice(provinces), g, yy)
            elif category == "personal_separators":
                row = personal(rng.choice(provinces), rng.choice([0, 1]), rng.randrange(100), rng.choice([" ", ".", "-"]))
            elif category == "personal_abroad":
                row = personal(f"{rng.randrange(101, 296):03d}", rng.choice([0, 1]), rng.randrange(100))
            elif category == "personal_unknown_code":
                row = personal(rng.choice(unknown), rng.choice([0, 1]), rng.randrange(100))
            elif category == "personal_future_year":
                g = rng.choice([2, 3, 4, 5])
                yy = rng.randrange(REF_YEAR - 2000 + 1, 100) if g < 4 else rng.randrange(100)
                row = personal(rng.choice(provinces), g, yy)
            elif category == "personal_letter":
                row = personal(rng.choice(provinces), 0, rng.randrange(100))
                i = rng.randrange(3, 12)
                row[0] = row[0][:i] + rng.choice("OolIxX") + row[0][i + 1:]
                row[2:] = ["0", row[3], "", ""]
            elif category == "cmnd":
                row = [f"{rng.randrange(10**9):09d}", "cmnd", "1", "", "", ""]
            elif category == "passport":
                row = [rng.choice("BCEKNPS") + f"{rng.randrange(10**7):07d}", "passport", "1", "", "", ""]
            elif category == "tax_valid":
                row = tax(True)
            elif category == "tax_branch":
                row = tax(True, branch=True)
            elif category == "tax_bad_check":
                row = tax(False)
            else:
                n = rng.choice([8, 11, 14])
                row = ["".join(rng.choice("0123456789") for _ in range(n)), "", "0", "", "", ""]
            rows.append([row[0], category, row[1], row[2], row[3] if row[1] == "personal_id" else "", row[4], row[5]])
    rng.shuffle(rows)
    with open(a.out, "w", encoding="utf-8", newline="") as f:
        f.write("input\tcategory\tkind\tvalid\tcode\tgender\tbirth_year\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    print(f"wrote {len(rows)} rows to {a.out}")


if __name__ == "__main__":
    main()
