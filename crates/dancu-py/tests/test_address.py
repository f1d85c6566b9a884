"""resolve_address(es), convert, conversion and unit against `dancu address … --json`."""

from __future__ import annotations

import pytest

import dancu

ADDRESSES = [
    "Xã Dương Quang, TP. Bắc Kạn, Bắc Kạn",  # legacy, converts to Thái Nguyên
    "Số 12, ngõ 4, thôn Nà Pài, xa duong quang, tp bac kan, bac kan",  # detail kept
    "P8Q10",  # glued numbered units (Hồ Chí Minh)
    "Phường Bến Nghé, Quận 1, TP.HCM",  # legacy code 26740 …
    "Phường Sài Gòn, TP Hồ Chí Minh",  # … is 2025 Phường Sài Gòn
    "Xã Ea H'Leo, Huyện Ea H'Leo, Tỉnh Đắk Lắk",
    "Phường Láng Hạ, Quận Đống Đa, Thành phố Hà Nội",  # a split commune
    "Phường Trảng Bom, Thành phố Đồng Nai",  # 2025, renamed 2026-04-30
    "xa hoa binh, lang son",  # ambiguous: several Hòa Bình
    "Xã Cẩm Giàng",  # 2025 without a province
    "XA KIM TAN, HUYEN KIM SON, TINH NINH BINH",
    "Xã Dương Quang, TP. Bắc Kạn, Bắc Kạn",  # a repeat
    "",  # empty
    "không phải địa chỉ",  # nothing
    "12345",
]


def test_batch_matches_cli_field_for_field(cli):
    ours = dancu.resolve_addresses(ADDRESSES)
    theirs = cli.resolve(ADDRESSES)
    assert len(ours) == len(theirs) == len(ADDRESSES)
    for text, o, t in zip(ADDRESSES, ours, theirs):
        assert o == t, text
        assert list(o) == list(t), text


def test_single_matches_cli(cli):
    for text, t in zip(ADDRESSES, cli.resolve(ADDRESSES)):
        assert dancu.resolve_address(text) == t, text


def test_naming_date_matches_cli(cli):
    texts = ["Phường Trảng Bom, Thành phố Đồng Nai", "Xã Dương Quang, TP. Bắc Kạn, Bắc Kạn"]
    assert dancu.resolve_addresses(texts, on="2026-05-01") == cli.resolve(texts, on="2026-05-01")
    assert dancu.resolve_address(texts[0], on="2026-05-01") == cli.resolve(texts[:1], on="2026-05-01")[0]


def test_corpus_sample_matches_cli(cli, corpus):
    # Every 10th row of the benchmark corpus: every form, both eras, ambiguous rows.
    texts = [r["input"] for r in corpus[::10]]
    assert dancu.resolve_addresses(texts) == cli.resolve(texts)


def test_key_fields_of_a_legacy_address():
    r = dancu.resolve_address("Xã Dương Quang, TP. Bắc Kạn, Bắc Kạn")
    assert r["resolved"] is True
    assert r["era"] == "legacy"
    assert r["legacy"]["province"] == {"code": "06", "name": "Tỉnh Bắc Kạn"}
    assert r["legacy"]["district"]["code"] == "058"
    assert r["legacy"]["commune"] == {"code": "01849", "name": "Xã Dương Quang"}
    assert r["current"]["province"] == {"code": "19", "name": "Tỉnh Thái Nguyên"}
    assert r["current"]["commune"] == {"code": "01849", "name": "Xã Phong Quang"}
    assert 0 < r["confidence"] <= 1


def test_detail_is_kept():
    r = dancu.resolve_address("Số 12, ngõ 4, thôn Nà Pài, xa duong quang, tp bac kan, bac kan")
    assert r["resolved"] is True
    assert r["detail"] == "Số 12, ngõ 4, thôn Nà Pài"


def test_2025_address_has_no_legacy_block():
    r = dancu.resolve_address("Phường Sài Gòn, TP Hồ Chí Minh")
    assert r["era"] == "2025"
    assert r["legacy"] is None
    assert r["current"]["commune"] == {"code": "26740", "name": "Phường Sài Gòn"}


def test_ambiguous_address_lists_candidates_instead_of_guessing():
    r = dancu.resolve_address("xa hoa binh, lang son")
    assert r["resolved"] is False
    assert len(r["candidates"]) >= 4
    names = {c["legacy"]["commune"]["name"] for c in r["candidates"] if c["legacy"]}
    assert names == {"Xã Hòa Bình"}


def test_unresolvable_text_is_a_report_not_an_error():
    r = dancu.resolve_address("không phải địa chỉ")
    assert r["resolved"] is False
    assert r["current"] is None


def test_split_commune_has_alternatives():
    r = dancu.resolve_address("Phường Láng Hạ, Quận Đống Đa, Thành phố Hà Nội")
    assert r["resolved"] is True
    assert r["legacy"]["commune"]["code"] == "00199"
    assert r["current"]["commune"]["code"] == "00199"
    assert {a["code"] for a in r["current"]["alternatives"]} == {"00025", "00235"}


CODES = ["01849", "00199", "058", "06", "99999", "0184", "abcde", "1", " 01849 "]


def test_conversion_matches_cli(cli):
    for code, t in zip(CODES, cli.convert(CODES)):
        if "error" in t:
            with pytest.raises(dancu.UnknownUnit) as e:
                dancu.conversion(code)
            assert str(e.value) == t["error"]
        else:
            assert dancu.conversion(code) == t, code


def test_convert_gives_the_targets(cli):
    theirs = {t["input"]: t for t in cli.convert(["01849", "00199"])}
    assert dancu.convert("01849") == theirs["01849"]["targets"]
    targets = dancu.convert("00199")
    assert targets == theirs["00199"]["targets"]
    assert [t["code"] for t in targets if t["default"]] == ["00199"]
    assert {t["kind"] for t in targets} == {"partial"}
    assert sum(t["default"] for t in targets) == 1


def test_convert_refuses_other_codes():
    for code in ["99999", "058", "06", "", "xyz"]:
        with pytest.raises(dancu.UnknownUnit):
            dancu.convert(code)
    with pytest.raises(LookupError):
        dancu.convert("99999")


@pytest.mark.parametrize(
    "era,codes",
    [("legacy", ["06", "058", "01849", "99", "999", "99999", "1234"]), ("2025", ["19", "01849", "26740", "99", "058"])],
)
def test_unit_matches_cli(cli, era, codes):
    for code, t in zip(codes, cli.show(era, codes)):
        if "error" in t:
            with pytest.raises(dancu.UnknownUnit) as e:
                dancu.unit(code, era)
            assert str(e.value) == t["error"]
        else:
            assert dancu.unit(code, era) == t, code


def test_a_code_means_nothing_without_its_era():
    assert dancu.unit("26740", "legacy")["name"] == "Phường Bến Nghé"
    assert dancu.unit("26740", "2025")["name"] == "Phường Sài Gòn"
    with pytest.raises(ValueError):
        dancu.unit("26740", "2024")
    with pytest.raises(TypeError):
        dancu.unit("26740")
