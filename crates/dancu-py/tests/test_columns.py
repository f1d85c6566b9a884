"""convert_addresses: the columns of `dancu address convert-file`, row by
row equal to the command line's output for the same inputs."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dancu

from test_address import ADDRESSES
from test_fuzz import ODD

MORE = [
    "Phường Sài Đồng, Long Biên, Hà Nội",  # historical: merged away before 2025-06-30
    "Phường Ba Đình, Thành phố Hà Nội (Phường Điện Biên, Quận Ba Đình cũ)",  # a former reading
    "123 Nguyễn Trãi, Hà Nội",  # a street named like a commune
    "P.14 Q.Bình Thạnh SG",
    "Xã Phong Quang, Tỉnh Thái Nguyên",  # 2025
    "   ",
    "\u0000",
    "Xa\u0303 Du\u031bo\u031bng Quang, TP. Bắc Kạn, Bắc Kạn",  # NFD
    "𝟎𝟎𝟔 phường 1",
]


def convert_file(cli, texts: list[str], fmt: str, tmp_path, extra: list[str] = ()) -> str:
    """The command line's output for `texts` as the column `address`."""
    src = tmp_path / f"in.{fmt}"
    if fmt == "jsonl":
        src.write_text("".join(json.dumps({"address": t}, ensure_ascii=False) + "\n" for t in texts), encoding="utf-8")
    else:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["address"])
        w.writerows([t] for t in texts)
        src.write_text(buf.getvalue(), encoding="utf-8")
    p = subprocess.run(
        [cli.path, "address", "convert-file", str(src), "--column", "address", *extra],
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert p.returncode == 0, p.stderr
    return p.stdout


def rows_of(columns: dict) -> list[dict]:
    keys = list(columns)
    return [dict(zip(keys, values)) for values in zip(*columns.values())]


def table(corpus) -> list[str]:
    # Both eras, split, renamed, ambiguous, historical, nothing, odd Unicode,
    # and every 10th row of the benchmark corpus.
    return ADDRESSES + MORE + [r["input"] for r in corpus[::10]]


def test_rows_equal_the_cli_json_lines(cli, corpus, tmp_path):
    texts = table(corpus)
    ours = dancu.convert_addresses(texts)
    lines = [json.loads(line) for line in convert_file(cli, texts, "jsonl", tmp_path).splitlines()]
    assert len(lines) == len(texts)
    # The keys are the CLI's added keys (after the input's, before `error`), in order.
    assert list(ours) == list(lines[0])[1:-1]
    for text, row, line in zip(texts, rows_of(ours), lines):
        assert line["address"] == text
        assert row == {k: line[k] for k in ours}, text
        assert [type(v) for v in row.values()] == [type(line[k]) for k in ours], text
    statuses = set(ours["status"])
    assert statuses == {"resolved", "ambiguous", "unresolved"}
    assert set(ours["era"]) == {"legacy", "2025", None}
    assert any(ours["historical_code"]) and any(ours["alternatives"])


def test_rows_equal_the_cli_csv(cli, corpus, tmp_path):
    texts = [t for t in table(corpus) if "\u0000" not in t]
    ours = dancu.convert_addresses(texts)
    records = list(csv.reader(io.StringIO(convert_file(cli, texts, "csv", tmp_path))))
    header, records = records[0], records[1:]
    assert list(ours) == header[1:-1]
    assert len(records) == len(texts)

    def cell(key, v):
        if v is None:
            return ""
        if isinstance(v, bool):
            return "true" if v else "false"
        if key == "confidence":
            return f"{v:.3f}"
        return v

    for text, row, record in zip(texts, rows_of(ours), records):
        assert record[0] == text
        assert [cell(k, v) for k, v in row.items()] == record[1:-1], text


def test_naming_date_matches_the_cli(cli, tmp_path):
    texts = ["Phường Trảng Bom, Thành phố Đồng Nai", "Xã Dương Quang, TP. Bắc Kạn, Bắc Kạn"]
    ours = dancu.convert_addresses(texts, on="2026-05-01")
    lines = [json.loads(x) for x in convert_file(cli, texts, "jsonl", tmp_path, ["--on", "2026-05-01"]).splitlines()]
    assert rows_of(ours) == [{k: line[k] for k in ours} for line in lines]
    assert ours != dancu.convert_addresses(texts)  # the 2026-04-30 renaming shows


def test_a_row_agrees_with_the_report():
    for text in ADDRESSES + MORE:
        r = dancu.resolve_address(text)
        row = rows_of(dancu.convert_addresses([text]))[0]
        assert row["resolved"] is r["resolved"]
        assert row["confidence"] == r["confidence"]
        if r["resolved"]:
            assert row["status"] == "resolved" and row["era"] == r["era"]
            assert row["province_code"] == r["current"]["province"]["code"]
            commune = r["current"]["commune"]
            assert row["commune_code"] == (commune["code"] if commune else None)
        if r["historical"]:
            assert row["historical_code"] == r["historical"]["code"]


def test_batches_of_any_size_and_thread_count_agree(corpus):
    texts = [r["input"] for r in corpus[:1500]]
    one = dancu.convert_addresses(texts, threads=1)
    for threads in (2, 3, 8):
        assert dancu.convert_addresses(texts, threads=threads) == one
    by_one = [rows_of(dancu.convert_addresses([t]))[0] for t in texts[:200]]
    assert by_one == rows_of(one)[:200]


def test_empty_missing_and_wrong_items():
    empty = dancu.convert_addresses([])
    assert list(empty) == list(dancu.convert_addresses(["x"])) and all(v == [] for v in empty.values())
    cols = dancu.convert_addresses(iter([None, "Xã Dương Quang, TP. Bắc Kạn, Bắc Kạn", math.nan, ""]))
    rows = rows_of(cols)
    assert rows[0] == rows[2] == rows[3]  # a missing value is an empty address
    assert rows[0]["status"] == "unresolved" and rows[0]["resolved"] is False
    assert rows[1]["commune"] == "Xã Phong Quang"
    with pytest.raises(TypeError, match="item 1 is int"):
        dancu.convert_addresses(["x", 12345])
    with pytest.raises(TypeError):
        dancu.convert_addresses("Xã Dương Quang")  # a str is not a column
    with pytest.raises(ValueError):
        dancu.convert_addresses(["x"], threads=0)


def test_columns_are_independent_lists_of_shared_strings():
    cols = dancu.convert_addresses(["Xã Dương Quang, TP. Bắc Kạn, Bắc Kạn"] * 3)
    assert len({id(v) for v in cols.values()}) == len(cols)
    assert cols["commune"][0] is cols["commune"][2]  # one str per unit name
    cols["commune"][0] = "changed"
    assert dancu.convert_addresses(["Xã Dương Quang, TP. Bắc Kạn, Bắc Kạn"])["commune"] == ["Xã Phong Quang"]


def test_pandas_takes_the_columns():
    if os.environ.get("CI"):
        import pandas as pd
    else:
        pd = pytest.importorskip("pandas")
    addresses = pd.Series(["Xã Dương Quang, TP. Bắc Kạn, Bắc Kạn", "xa hoa binh, lang son", None], index=[10, 20, 30])
    cols = dancu.convert_addresses(addresses)
    df = pd.DataFrame(cols, index=addresses.index)
    assert list(df.columns) == list(cols)
    assert df["resolved"].dtype == bool and df["confidence"].dtype == float
    assert df.loc[10, "commune_code"] == "01849"
    assert df.loc[df["resolved"], "commune"].tolist() == ["Xã Phong Quang"]
    assert df.loc[20, "status"] == "ambiguous" and pd.isna(df.loc[20, "commune"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.text(), st.text(alphabet="PQXHTpqxht0123456789.,- ", max_size=30), st.sampled_from(ODD)), max_size=8))
def test_arbitrary_text_never_crashes(batch):
    cols = dancu.convert_addresses(batch)
    assert all(len(v) == len(batch) for v in cols.values())
    for text, row in zip(batch, rows_of(cols)):
        assert row["status"] in ("resolved", "ambiguous", "unresolved")
        assert isinstance(row["resolved"], bool) and 0.0 <= row["confidence"] <= 1.0
        assert row["resolved"] is dancu.resolve_address(text)["resolved"]
