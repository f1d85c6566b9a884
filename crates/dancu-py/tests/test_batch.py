"""Batches equal one-by-one calls, take any iterable, report per item."""

from __future__ import annotations

import math

import pytest

import dancu

from conftest import ON
from test_identity import IDS


def single_id(text):
    try:
        return dancu.inspect_id(text, on=ON)
    except dancu.InvalidId:
        return None


def test_id_batch_equals_one_by_one():
    ids = IDS * 200
    batch = dancu.inspect_ids(ids, on=ON)
    for text, b in zip(ids, batch):
        s = single_id(text)
        if s is None:
            assert b["valid"] is False and b["error"]["code"]
        else:
            assert b == s


def test_address_batch_equals_one_by_one(corpus):
    texts = [r["input"] for r in corpus]
    batch = dancu.resolve_addresses(texts)
    assert len(batch) == len(texts)
    assert batch == [dancu.resolve_address(t) for t in texts]


@pytest.mark.parametrize("threads", [1, 2, 3, 8])
def test_thread_count_does_not_change_the_answer(corpus, threads):
    texts = [r["input"] for r in corpus[:700]]
    assert dancu.resolve_addresses(texts, threads=threads) == dancu.resolve_addresses(texts, threads=1)
    ids = IDS * 200  # above the size done inline, so the threads are used
    assert dancu.inspect_ids(ids, on=ON, threads=threads) == dancu.inspect_ids(ids, on=ON, threads=1)


@pytest.mark.parametrize("threads", [0, 257, 10**6])
def test_thread_count_out_of_range_is_a_value_error(threads):
    with pytest.raises(ValueError, match="threads must be"):
        dancu.resolve_addresses(["Xã Ea H'Leo, Đắk Lắk"] * 5000, threads=threads)


def test_results_are_independent_objects():
    a, b = dancu.resolve_addresses(["Xã Dương Quang, TP. Bắc Kạn, Bắc Kạn"] * 2)
    a["legacy"]["province"]["name"] = "changed"
    assert b["legacy"]["province"]["name"] == "Tỉnh Bắc Kạn"
    assert dancu.resolve_address("Xã Dương Quang, TP. Bắc Kạn, Bắc Kạn")["legacy"]["province"]["name"] == "Tỉnh Bắc Kạn"


def test_any_iterable_of_str():
    ids = ["006089000001", "0100109106", "bad"]
    expected = dancu.inspect_ids(ids, on=ON)
    assert dancu.inspect_ids(iter(ids), on=ON) == expected
    assert dancu.inspect_ids((x for x in ids), on=ON) == expected
    assert dancu.inspect_ids(tuple(ids), on=ON) == expected

    class Column:  # a minimal Series-like object: iterable, not a list
        def __iter__(self):
            return iter(ids)

    assert dancu.inspect_ids(Column(), on=ON) == expected
    assert dancu.inspect_ids([], on=ON) == []
    assert dancu.resolve_addresses([]) == []


def test_str_subclasses_are_str():
    class Text(str):
        pass

    assert dancu.inspect_ids([Text("006089000001")], on=ON) == dancu.inspect_ids(["006089000001"], on=ON)


def test_missing_values_are_reported_not_raised():
    ids = ["006089000001", None, math.nan, "x"]
    out = dancu.inspect_ids(ids, on=ON)
    assert [r["valid"] for r in out] == [True, False, False, False]
    assert out[1]["input"] is None and out[1]["error"]["code"] == "empty"
    assert out[2]["input"] is None and out[2]["error"]["code"] == "empty"
    addr = dancu.resolve_addresses([None, "Xã Dương Quang, TP. Bắc Kạn, Bắc Kạn", float("nan")])
    assert addr[0]["input"] is None and addr[0]["resolved"] is False
    assert addr[1]["resolved"] is True
    assert addr[2]["input"] is None


def test_other_types_are_refused_before_any_work():
    with pytest.raises(TypeError, match="item 1 is int"):
        dancu.inspect_ids(["006089000001", 6089000001], on=ON)
    with pytest.raises(TypeError, match="item 0 is bytes"):
        dancu.resolve_addresses([b"Xa Duong Quang"])
    with pytest.raises(TypeError):
        dancu.inspect_ids("006089000001", on=ON)  # a str is not a column
    with pytest.raises(TypeError):
        dancu.inspect_ids(42, on=ON)


def test_an_iterator_that_raises_propagates():
    def gen():
        yield "006089000001"
        raise RuntimeError("source failed")

    with pytest.raises(RuntimeError, match="source failed"):
        dancu.inspect_ids(gen(), on=ON)


def test_threads_must_be_positive():
    with pytest.raises(ValueError):
        dancu.resolve_addresses(["x"], threads=0)
    with pytest.raises((ValueError, OverflowError, TypeError)):
        dancu.inspect_ids(["x"], threads=-1)


def test_pandas_series_and_dataframe():
    pd = pytest.importorskip("pandas") if not _ci() else __import__("pandas")
    s = pd.Series(["006089000001", None, "0100109107"])
    out = dancu.inspect_ids(s, on=ON)
    assert [r["valid"] for r in out] == [True, False, False]
    df = pd.DataFrame(out)
    assert list(df.columns) == list(out[0])
    assert df.loc[0, "birth_year"] == 1989
    flat = pd.json_normalize(dancu.resolve_addresses(pd.Series(["Xã Dương Quang, TP. Bắc Kạn, Bắc Kạn"])))
    assert flat.loc[0, "current.commune.name"] == "Xã Phong Quang"


def _ci() -> bool:
    import os

    return bool(os.environ.get("CI"))


def test_the_collector_is_restored_after_a_batch():
    import gc

    assert gc.isenabled()
    dancu.resolve_addresses(["Xã Dương Quang, TP. Bắc Kạn, Bắc Kạn"] * 100)
    assert gc.isenabled()
    with pytest.raises(TypeError):
        dancu.inspect_ids(["006089000001", 1])
    assert gc.isenabled()
    gc.disable()
    try:
        dancu.inspect_ids(["006089000001"] * 100, on=ON)
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


def test_input_is_the_callers_own_str():
    text = "".join(["006 089", " 000 001"])  # a str object made here
    assert dancu.inspect_id(text, on=ON)["input"] is text
    assert dancu.inspect_ids([text], on=ON)[0]["input"] is text
    address = "Xã Dương Quang, " + "TP. Bắc Kạn, Bắc Kạn"
    assert dancu.resolve_address(address)["input"] is address
    assert dancu.resolve_addresses([address] * 40)[39]["input"] is address

    class Text(str):
        pass

    sub = Text(text)
    for r in (dancu.inspect_id(sub, on=ON), dancu.inspect_ids([sub], on=ON)[0]):
        assert type(r["input"]) is str and r["input"] == text
