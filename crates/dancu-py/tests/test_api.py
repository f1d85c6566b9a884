"""The installed package: public names, stubs, docstrings, py.typed."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import dancu

PKG = Path(dancu.__file__).parent


def test_public_names_exist_and_are_documented():
    for name in dancu.__all__:
        obj = getattr(dancu, name)
        if callable(obj):
            assert obj.__doc__ and len(obj.__doc__) > 40, name


def test_signatures_read_well():
    assert str(inspect.signature(dancu.inspect_id)) == "(text, on=None)"
    assert str(inspect.signature(dancu.inspect_ids)) == "(ids, on=None, threads=None)"
    assert str(inspect.signature(dancu.resolve_addresses)) == "(texts, threads=None, on=None)"
    assert str(inspect.signature(dancu.convert_addresses)) == "(texts, threads=None, on=None)"


def test_stubs_cover_the_extension():
    stub = ast.parse((PKG / "_dancu.pyi").read_text(encoding="utf-8"))
    declared = {n.name for n in stub.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    extension = {n for n in dir(dancu._dancu) if not n.startswith("_")}
    assert declared == extension
    assert (PKG / "py.typed").exists()


def test_the_installed_package_is_the_wheel_not_the_source_tree():
    # The suite must test what `pip install` put in site-packages.
    assert "site-packages" in str(PKG)
