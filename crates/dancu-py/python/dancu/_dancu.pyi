"""Type stubs of the extension module ``dancu._dancu`` (re-exported by ``dancu``).

The dicts are the objects the ``dancu`` command line prints with ``--json``;
their keys are documented there (README: ``dancu id inspect``, ``dancu
address``) and come from one definition in the Rust core, so they are typed
here as ``dict[str, Any]`` rather than copied.
"""

import datetime
from collections.abc import Iterable
from typing import Any, Literal, final

from ._types import NameParts

__version__: str

_Date = datetime.date | str | None
_Text = str | None

def inspect_id(text: str, on: _Date = None) -> dict[str, Any]:
    """One identity number as ``dancu id inspect --json`` reports it
    (``input``, ``valid``, ``kind``, ``canonical``, ``registration``,
    ``gender``, ``birth_year``, ``document_valid_on``,
    ``document_valid_until``, ``error``). ``on``: reference date of the
    birth-year check and of a CMND's validity (default: today in Vietnam). Raises
    :class:`dancu.InvalidId` (with ``.code``) for an invalid number."""

def inspect_ids(
    ids: Iterable[_Text], on: _Date = None, threads: int | None = None
) -> list[dict[str, Any]]:
    """One report per item, in order; an invalid item has ``valid`` False
    and ``error`` ``{"code", "message"}``. Never raises for a bad item;
    ``None``/NaN give ``input`` None. GIL released, ``threads`` threads
    (default: every core)."""

def resolve_address(text: str, on: _Date = None) -> dict[str, Any]:
    """One free-text address of either era as ``dancu address resolve
    --json`` reports it (``input``, ``resolved``, ``era``, ``legacy``,
    ``current``, ``detail``, ``confidence``, ``candidates``). An ambiguous
    text is ``resolved`` False with its ``candidates``, not an error."""

def resolve_addresses(
    texts: Iterable[_Text], threads: int | None = None, on: _Date = None
) -> list[dict[str, Any]]:
    """One report per item, in order, as :func:`resolve_address`; never
    raises for a bad item. GIL released, ``threads`` threads (default:
    every core)."""

def convert_addresses(
    texts: Iterable[_Text], threads: int | None = None, on: _Date = None
) -> dict[str, list[Any]]:
    """Every address as the flat columns of ``dancu address convert-file``
    (the same keys, in order): a dict of lists, one value per item, that
    ``pandas.DataFrame`` takes directly. ``status`` is ``"resolved"``,
    ``"ambiguous"`` (several units possible, none guessed) or
    ``"unresolved"``; ``legacy_*`` is what a legacy text names;
    ``province``/``commune`` (and their ``_code``) the 2025 units (a split
    commune's default target; the others in ``alternatives``);
    ``historical*`` a commune merged away before 2025-06-30;
    ``confidence`` 0-1; ``resolved`` bool. A value that does not apply is
    None. Never raises for a bad item; ``None``/NaN are empty addresses.
    GIL released, ``threads`` threads (default: every core); ``on`` names
    2025 units as on that date."""

def conversion(code: str) -> dict[str, Any]:
    """A legacy commune (5 digits), district (3) or province (2) code
    converted to the 2025 scheme, as ``dancu address convert --json``.
    Raises :class:`dancu.UnknownUnit`."""

def convert(legacy_commune_code: str) -> list[dict[str, Any]]:
    """The 2025 communes a legacy commune became (``code``, ``name``,
    ``province``, ``kind``, ``default``); several for a split commune, one
    of them the default. Raises :class:`dancu.UnknownUnit`."""

def unit(code: str, era: Literal["legacy", "2025"]) -> dict[str, Any]:
    """A unit by code in its era, as ``dancu address show --era ERA
    --json``. Raises :class:`dancu.UnknownUnit`."""

@final
class Name:
    """A Vietnamese full name, normalised (NFC, trimmed, single spaces).
    Raises :class:`dancu.InvalidName` for a text that is not a name."""

    def __init__(self, text: str) -> None: ...
    @property
    def parts(self) -> NameParts:
        """(họ, chữ đệm, tên) as (family, middle, given)."""
    @property
    def family(self) -> str: ...
    @property
    def middle(self) -> str: ...
    @property
    def given(self) -> str: ...
    @property
    def words(self) -> list[str]: ...
    @property
    def folded(self) -> str:
        """No diacritics, Đ→D, upper case."""
    @property
    def upper(self) -> str:
        """Upper case with diacritics, NFC."""
    def agreement(
        self, other: "Name | str"
    ) -> Literal["identical", "tone_placement", "folded", "different"]: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...
