"""inspect_id / inspect_ids against `dancu id inspect --json`, field for field."""

from __future__ import annotations

import datetime

import pytest

import dancu

from conftest import ON

# Valid and invalid numbers of every kind; the CLI's JSON is the reference.
IDS = [
    "006089000001",  # Bắc Kạn → Thái Nguyên, male, 1989
    "006 089 000 001",  # grouped with spaces
    "001.187.123.456",  # dots; Hà Nội, female, 1987
    "079-303-000-123",  # dashes; Hồ Chí Minh, female, 2003
    "066095001234",  # Đắk Lắk, male, 1995
    " 048200123456 ",  # surrounding spaces; Đà Nẵng, male, 2000s
    "101090000123",  # registered abroad
    "095123456",  # CMND
    "C1234567",  # passport
    "c1234567",  # passport, lower case
    "0100109106",  # tax code, check digit right
    "0100109106-001",  # dependent unit
    "0100109107",  # tax code, wrong check digit
    "0100109106-0A1",  # bad branch suffix
    "",  # empty
    "   ",  # only spaces
    "12345",  # wrong length
    "0061890000011",  # 13 digits without a dash: a branch tax code, here invalid
    "00608900000x",  # personal ID with a letter
    "000089000001",  # unknown registration code 000
    "097089000001",  # unknown registration code 097
    "006489000001",  # century digit 4: a birth year after the reference date
    "００６０８９０００００１",  # full-width digits
    "Nguyễn Văn A",  # a name typed into the ID field
]


def test_batch_matches_cli_field_for_field(cli):
    ours = dancu.inspect_ids(IDS, on=ON)
    theirs = cli.inspect(IDS)
    assert len(ours) == len(theirs) == len(IDS)
    for text, o, t in zip(IDS, ours, theirs):
        assert o == t, text
        assert list(o) == list(t), "same keys in the same order"


def test_cli_standard_input_skips_blank_lines_only(cli):
    # The reference itself: one object per non-blank line, as for arguments.
    piped = cli.inspect_stdin(IDS)
    assert piped == [r for r in cli.inspect(IDS) if r["input"].strip()]
    assert len(piped) == len(IDS) - 2


def test_single_matches_cli_or_raises_its_error(cli):
    for text, t in zip(IDS, cli.inspect(IDS)):
        if t["valid"]:
            assert dancu.inspect_id(text, on=ON) == t
        else:
            with pytest.raises(dancu.InvalidId) as e:
                dancu.inspect_id(text, on=ON)
            assert e.value.code == t["error"]["code"], text
            assert e.value.kind == t["kind"], text
            assert str(e.value) == t["error"]["message"], text


def test_key_fields_of_a_personal_id():
    r = dancu.inspect_id("006 089 000 001", on=datetime.date(2026, 11, 27))
    assert r["valid"] is True
    assert r["kind"] == "personal_id"
    assert r["canonical"] == "006089000001"
    assert r["input"] == "006 089 000 001"
    assert r["registration"] == {
        "code": "006",
        "province": "Bắc Kạn",
        "province_since_2025": "Thái Nguyên",
        "abroad": False,
    }
    assert r["gender"] == "male"
    assert r["birth_year"] == 1989
    assert r["error"] is None


def test_abroad_registration_has_no_province():
    r = dancu.inspect_id("101090000123", on=ON)
    assert r["registration"]["abroad"] is True
    assert r["registration"]["province"] is None
    assert r["registration"]["province_since_2025"] is None


def test_invalid_ids_raise_with_stable_codes():
    cases = {
        "0100109107": ("invalid_check_digit", "tax_code"),
        "000089000001": ("unknown_registration_code", "personal_id"),
        "12345": ("wrong_length", None),
        "": ("empty", None),
        "00608900000x": ("invalid_character", "personal_id"),
    }
    for text, (code, kind) in cases.items():
        with pytest.raises(dancu.InvalidId) as e:
            dancu.inspect_id(text, on=ON)
        assert (e.value.code, e.value.kind) == (code, kind)
        assert isinstance(e.value, ValueError)
        assert isinstance(e.value, dancu.DancuError)


def test_error_message_never_repeats_the_number():
    for text in ["006489000001", "000089000001", "0100109107"]:
        with pytest.raises(dancu.InvalidId) as e:
            dancu.inspect_id(text, on=ON)
        assert text not in str(e.value)
        assert text not in repr(e.value)


def test_reference_date_decides_the_birth_year_check(cli):
    # Century digit 2, year 26: born 2026, plausible on 2026-11-27, not on 2025-01-01.
    assert dancu.inspect_id("001226000001", on="2026-11-27")["birth_year"] == 2026
    with pytest.raises(dancu.InvalidId) as e:
        dancu.inspect_id("001226000001", on="2025-01-01")
    assert e.value.code == "implausible_birth_year"
    assert dancu.inspect_ids(["001226000001"], on="2025-01-01") == cli.inspect(
        ["001226000001"], on="2025-01-01"
    )


def test_default_date_is_today_in_vietnam(cli):
    # No `on`: the same default as the CLI (today in Vietnam); a number born
    # long ago is valid whatever today is.
    assert dancu.inspect_id("006089000001")["birth_year"] == 1989


def test_bad_reference_date_is_an_argument_error():
    with pytest.raises(ValueError):
        dancu.inspect_id("006089000001", on="27/11/2026")
    with pytest.raises(ValueError):
        dancu.inspect_ids(["006089000001"], on="2026-02-30")
    with pytest.raises(TypeError):
        dancu.inspect_id("006089000001", on=20261127)


def test_non_str_single_value_is_a_type_error():
    with pytest.raises(TypeError):
        dancu.inspect_id(6089000001)
    with pytest.raises(TypeError):
        dancu.inspect_id(None)


def test_exception_pickles():
    import pickle

    with pytest.raises(dancu.InvalidId) as e:
        dancu.inspect_id("0100109107", on=ON)
    again = pickle.loads(pickle.dumps(e.value))
    assert (again.code, again.kind, str(again)) == (e.value.code, e.value.kind, str(e.value))
