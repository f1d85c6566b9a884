"""dancu.Name: normalisation, parts, folding, agreement, masking."""

from __future__ import annotations

import unicodedata

import pytest

import dancu


def test_normalised_parts_and_keys():
    n = dancu.Name("  nguyễn   văn  an ")
    assert str(n) == "nguyễn văn an"
    assert n.parts == ("nguyễn", "văn", "an")
    assert isinstance(n.parts, dancu.NameParts)
    assert n.parts.family == "nguyễn" and n.parts.middle == "văn" and n.parts.given == "an"
    assert (n.family, n.middle, n.given) == ("nguyễn", "văn", "an")
    assert n.words == ["nguyễn", "văn", "an"]
    assert n.upper == "NGUYỄN VĂN AN"
    assert n.folded == "NGUYEN VAN AN"


def test_long_middle_and_one_word():
    assert dancu.Name("Tôn Nữ Thị Ngọc Hân").parts == ("Tôn", "Nữ Thị Ngọc", "Hân")
    assert dancu.Name("Hân").parts == ("", "", "Hân")


def test_ethnic_names_keep_apostrophes():
    n = dancu.Name("H’Hen Niê")
    assert n.folded == "H'HEN NIE"
    assert dancu.Name("H'Hen Niê").agreement(n) == "tone_placement"


def test_dj_and_nfd():
    assert dancu.Name("Đặng Thị Lan").folded == "DANG THI LAN"
    nfd = unicodedata.normalize("NFD", "Đặng Thị Lan")
    assert str(dancu.Name(nfd)) == "Đặng Thị Lan"
    assert dancu.Name(nfd) == dancu.Name("Đặng Thị Lan")
    assert dancu.Name("\u00d0ặng Thị Lan") == dancu.Name("Đặng Thị Lan")  # Ð read as Đ


@pytest.mark.parametrize(
    "a,b,agreement",
    [
        ("Lê Thị Hòa", "Lê Thị Hòa", "identical"),
        ("Lê Thị Hòa", "LÊ THỊ HOÀ", "tone_placement"),
        ("Nguyễn Thị Thủy", "Nguyễn Thị Thuỷ", "tone_placement"),
        ("Lê Thị Hòa", "Le Thi Hoa", "folded"),
        ("Lê Thị Hòa", "Lê Thị Hoa", "folded"),
        ("Lê Thị Hòa", "Lê Thị Hồng", "different"),
    ],
)
def test_agreement(a, b, agreement):
    assert dancu.Name(a).agreement(dancu.Name(b)) == agreement
    assert dancu.Name(a).agreement(b) == agreement


@pytest.mark.parametrize("bad", ["", "   ", "Nguyễn Văn 2", "Lê\tThị", "Lê @n", "''", "x" * 151])
def test_invalid_names_raise(bad):
    with pytest.raises(dancu.InvalidName) as e:
        dancu.Name(bad)
    assert isinstance(e.value, ValueError)
    if len(bad) > 3:
        assert bad not in str(e.value)


def test_agreement_with_an_invalid_str_raises():
    with pytest.raises(dancu.InvalidName):
        dancu.Name("Lê Thị Hòa").agreement("123")
    with pytest.raises(TypeError):
        dancu.Name("Lê Thị Hòa").agreement(42)


def test_repr_shows_initials_only():
    r = repr(dancu.Name("Nguyễn Văn An"))
    assert "Nguyễn" not in r and "An" not in r
    assert "N. V. A." in r


def test_equality_and_hash():
    assert dancu.Name("Lê Thị Hòa") == dancu.Name(" Lê  Thị Hòa ")
    assert dancu.Name("Lê Thị Hòa") != dancu.Name("Lê Thị Hoà")
    assert len({dancu.Name("Lê Thị Hòa"), dancu.Name("Lê Thị  Hòa")}) == 1
    with pytest.raises(AttributeError):
        dancu.Name("Lê Thị Hòa").family = "x"
