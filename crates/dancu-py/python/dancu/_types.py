"""Small value types returned by :mod:`dancu`."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["NameParts"]


class NameParts(NamedTuple):
    """The parts of a name by position: họ (first word), chữ đệm (the middle
    words, "" if none) and tên (last word). For a one-word name, ("", "",
    word). Ê Đê and Jrai names put the family name last: these are
    positions, not a claim about which word is the family name."""

    family: str
    middle: str
    given: str
