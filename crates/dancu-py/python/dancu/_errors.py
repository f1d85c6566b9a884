"""The exceptions of the single-value functions of :mod:`dancu`.

Batch functions (``inspect_ids``, ``resolve_addresses``) never raise for a
bad item: each item's dict reports its own error.
"""

from __future__ import annotations

__all__ = ["DancuError", "InvalidId", "InvalidName", "UnknownUnit"]


class DancuError(Exception):
    """Base class of the exceptions dancu raises for a bad value."""


class InvalidId(DancuError, ValueError):
    """An identity number that is not valid.

    ``code`` is the stable error code, as in ``dancu id inspect --json``
    (``empty``, ``invalid_character``, ``wrong_length``,
    ``unknown_registration_code``, ``implausible_birth_year``,
    ``invalid_check_digit``, ``invalid_branch_suffix``, ...); ``kind`` is the
    shape the input was read as (``personal_id``, ``cmnd``, ``passport``,
    ``tax_code``) or None when no shape fits. The message never repeats the
    number.
    """

    code: str
    kind: str | None

    def __init__(self, message: str, code: str, kind: str | None) -> None:
        super().__init__(message)
        self.code = code
        self.kind = kind

    def __reduce__(self):  # picklable, e.g. across multiprocessing
        return (type(self), (str(self), self.code, self.kind))


class InvalidName(DancuError, ValueError):
    """A text that is not a person's name (digits, symbols, control
    characters, no letters, empty, too long). The message says what and
    where, never the name."""


class UnknownUnit(DancuError, LookupError, ValueError):
    """An administrative-unit code that is malformed, or that no unit of the
    era asked for has. The message says which."""
