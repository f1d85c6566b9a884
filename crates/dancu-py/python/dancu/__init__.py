"""dancu: Vietnamese identity numbers and administrative units of both eras.

Identity numbers (CCCD / personal ID, CMND, passport, tax code) are
classified and decoded; free-text addresses written in either scheme (63
provinces with districts, until 2025-06-30; 34 provinces, from 2025-07-01)
are resolved to the units of both, and legacy codes are converted. Every
dict is what the ``dancu`` command line prints with ``--json``.

Single values: :func:`inspect_id`, :func:`resolve_address`,
:func:`convert`, :func:`conversion`, :func:`unit`, :class:`Name`.
Batches (any iterable of str, e.g. a pandas Series; the GIL is released
and every core used; one dict per item, never an exception for a bad item):
:func:`inspect_ids`, :func:`resolve_addresses`.
"""

from ._dancu import (
    Name,
    __version__,
    conversion,
    convert,
    inspect_id,
    inspect_ids,
    resolve_address,
    resolve_addresses,
    unit,
)
from ._errors import DancuError, InvalidId, InvalidName, UnknownUnit
from ._types import NameParts

__all__ = [
    "DancuError",
    "InvalidId",
    "InvalidName",
    "Name",
    "NameParts",
    "UnknownUnit",
    "__version__",
    "conversion",
    "convert",
    "inspect_id",
    "inspect_ids",
    "resolve_address",
    "resolve_addresses",
    "unit",
]
