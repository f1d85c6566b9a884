"""The Python examples of the workspace README's Python section run as written."""

from __future__ import annotations

import os
import re

import pytest

from conftest import ROOT


def python_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Python: `pip install dancu`")
    end = text.index("\n## ", start + 1)
    return re.findall(r"```python\n(.*?)```", text[start:end], flags=re.S)


def test_the_section_has_examples():
    assert len(python_blocks()) >= 3


@pytest.mark.parametrize("i", range(len(python_blocks())))
def test_readme_example_runs(i):
    block = python_blocks()[i]
    if "pandas" in block and not os.environ.get("CI"):
        pytest.importorskip("pandas")
    exec(compile(block, f"README.md python block {i}", "exec"), {})
