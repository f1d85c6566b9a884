"""Arbitrary strings never crash the extension: every call returns its
report or raises its own documented exception, and batches agree with
single calls."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dancu

from conftest import ON

# Odd Unicode a data column really holds: NFD, zero-width and bidi marks,
# full-width and Arabic-Indic digits, lone surrogates, NUL, huge inputs.
ODD = [
    "\u0000",
    "\ud800",
    "006089000001\udfff",
    "Xa\u0303 Du\u031bo\u031bng Quang",
    "\u200b006089000001\ufeff",
    "\u202e006089000001",
    "٠٠٦٠٨٩٠٠٠٠٠١",
    "𝟎𝟎𝟔𝟎𝟖𝟗𝟎𝟎𝟎𝟎𝟎𝟏",
    "🇻🇳" * 50,
    "P" * 100_000,
    "phường " * 10_000,
    "0" * 10_000,
    "\n\r\t",
    "Q.1, " * 500,
    "ắ" * 3000,
]

texts = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=80),
    st.text(alphabet="0123456789 .-xXCc", max_size=20),
    st.text(alphabet="PQXHTpqxht0123456789., ", max_size=30),
    st.sampled_from(ODD),
)

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_id(text):
    try:
        r = dancu.inspect_id(text, on=ON)
    except dancu.InvalidId as e:
        assert isinstance(e.code, str) and e.code
        return None
    assert r["valid"] is True
    return r


def check_address(text):
    r = dancu.resolve_address(text)
    assert isinstance(r["resolved"], bool)
    assert 0.0 <= r["confidence"] <= 1.0
    return r


@SETTINGS
@given(st.lists(texts, max_size=8))
def test_arbitrary_text_never_crashes(batch):
    ids = dancu.inspect_ids(batch, on=ON)
    addrs = dancu.resolve_addresses(batch)
    assert len(ids) == len(addrs) == len(batch)
    for text, i, a in zip(batch, ids, addrs):
        single = check_id(text)
        assert (i if i["valid"] else None) == single
        assert a == check_address(text)
        try:
            n = dancu.Name(text)
            assert isinstance(n.agreement(n), str)
            assert n.agreement(n) == "identical"
        except dancu.InvalidName:
            pass
        for f in (dancu.convert, dancu.conversion):
            try:
                f(text)
            except dancu.UnknownUnit:
                pass
        for era in ("legacy", "2025"):
            try:
                dancu.unit(text, era)
            except dancu.UnknownUnit:
                pass


def test_odd_unicode_list():
    for text in ODD:
        check_id(text)
        check_address(text)
    assert len(dancu.inspect_ids(ODD, on=ON)) == len(ODD)
    assert len(dancu.resolve_addresses(ODD)) == len(ODD)


def test_lone_surrogates_are_replaced_not_raised():
    r = dancu.inspect_ids(["\ud800"], on=ON)[0]
    assert r["valid"] is False
    assert r["input"] and set(r["input"]) == {"\ufffd"}
    assert dancu.resolve_addresses(["Xã \udfff Dương Quang"])[0]["input"].startswith("Xã \ufffd")
