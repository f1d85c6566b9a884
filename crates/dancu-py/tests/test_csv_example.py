"""The README's CSV example (examples/legacy_to_2025.py) on a real file."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "legacy_to_2025.py"

ROWS = [
    ("1", "Số 12, ngõ 4, thôn Nà Pài, xa duong quang, tp bac kan, bac kan"),
    ("2", "Phường Láng Hạ, Quận Đống Đa, Thành phố Hà Nội"),
    ("3", "xa hoa binh, lang son"),
    ("4", "Phường Sài Gòn, TP Hồ Chí Minh"),
    ("5", ""),
    ("6", "P.14 Q.Bình Thạnh SG"),
]


@pytest.mark.parametrize("chunk", ["50000", "4"])
def test_converts_a_column(tmp_path, chunk):
    src, dst = tmp_path / "records.csv", tmp_path / "records_2025.csv"
    with open(src, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "address"])
        w.writerows(ROWS)
    p = subprocess.run(
        [sys.executable, str(EXAMPLE), str(src), str(dst), "--column", "address", "--chunk", chunk],
        capture_output=True,
        text=True,
    )
    assert p.returncode == 0, p.stderr
    assert p.stderr.strip() == "ambiguous=1 resolved=4 unresolved=1"
    with open(dst, encoding="utf-8", newline="") as f:
        out = {r["id"]: r for r in csv.DictReader(f)}
    assert out["1"]["address"] == ROWS[0][1]
    assert (out["1"]["status"], out["1"]["era"]) == ("resolved", "legacy")
    assert (out["1"]["province_2025"], out["1"]["commune_2025"]) == ("Tỉnh Thái Nguyên", "Xã Phong Quang")
    assert out["1"]["commune_2025_code"] == "01849"
    assert out["1"]["detail"] == "Số 12, ngõ 4, thôn Nà Pài"
    assert out["2"]["commune_2025"] == "Phường Láng"
    assert out["2"]["other_2025_communes"] == "00025;00235"
    assert out["3"]["status"] == "ambiguous"
    assert out["3"]["commune_2025"] == "" and int(out["3"]["candidates"]) >= 4
    assert (out["4"]["era"], out["4"]["commune_2025_code"]) == ("2025", "26740")
    assert out["5"]["status"] == "unresolved"
    assert out["6"]["province_2025"] == "Thành phố Hồ Chí Minh"


def test_missing_column_is_a_clear_error(tmp_path):
    src = tmp_path / "x.csv"
    src.write_text("id,addr\n1,x\n", encoding="utf-8")
    p = subprocess.run(
        [sys.executable, str(EXAMPLE), str(src), str(tmp_path / "y.csv")],
        capture_output=True,
        text=True,
    )
    assert p.returncode != 0
    assert "no column 'address'" in p.stderr


def test_readme_pandas_snippet():
    if os.environ.get("CI"):
        import pandas as pd
    else:
        pd = pytest.importorskip("pandas")
    import dancu

    df = pd.DataFrame({"address": [r[1] for r in ROWS]})
    # As in the README:
    reports = pd.json_normalize(dancu.resolve_addresses(df["address"]))
    df["commune_2025"] = reports["current.commune.name"].where(reports["resolved"])
    assert df.loc[0, "commune_2025"] == "Xã Phong Quang"
    assert pd.isna(df.loc[2, "commune_2025"])  # ambiguous: no guess
