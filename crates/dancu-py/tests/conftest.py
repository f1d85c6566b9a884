"""Shared fixtures: the `dancu` command line, whose `--json` output the
package must reproduce, and the address corpus of `bench/address/`."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "bench" / "address" / "corpus.tsv"
ON = "2026-11-27"


def _find_cli() -> str:
    """`$DANCU_BIN`, else the workspace's debug or release build, else a
    fresh `cargo build`. Under CI (env `CI`) a missing program fails."""
    env = os.environ.get("DANCU_BIN")
    if env:
        if not Path(env).is_file():
            pytest.fail(f"DANCU_BIN={env} does not exist")
        return env
    for profile in ("debug", "release"):
        p = ROOT / "target" / profile / "dancu"
        if p.is_file():
            return str(p)
    if shutil.which("cargo"):
        subprocess.run(
            ["cargo", "build", "--locked", "-q", "--bin", "dancu"], cwd=ROOT, check=True
        )
        return str(ROOT / "target" / "debug" / "dancu")
    pytest.fail("the dancu program is needed: set DANCU_BIN or install cargo")


class Cli:
    """Runs `dancu … --json` and parses its JSON lines."""

    def __init__(self, path: str) -> None:
        self.path = path

    def lines(self, args: list[str], stdin: str | None = None) -> list[dict]:
        p = subprocess.run(
            [self.path, *args],
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
        )
        # 0: all fine, 1: some input invalid or unknown; anything else is a failure.
        assert p.returncode in (0, 1), p.stderr
        return [json.loads(line) for line in p.stdout.splitlines()]

    def inspect(self, ids: list[str], on: str = ON) -> list[dict]:
        # As arguments: standard input skips blank lines, which are inputs here
        # (`inspect_stdin` is the standard-input path).
        return self.lines(["id", "inspect", "--json", "--on", on, "--", *ids])

    def inspect_stdin(self, ids: list[str], on: str = ON) -> list[dict]:
        return self.lines(["id", "inspect", "-", "--json", "--on", on], "\n".join(ids) + "\n")

    def resolve(self, texts: list[str], on: str | None = None) -> list[dict]:
        extra = ["--on", on] if on else []
        return self.lines(["address", "resolve", "-", "--json", *extra], "\n".join(texts) + "\n")

    def convert(self, codes: list[str]) -> list[dict]:
        return self.lines(["address", "convert", "--json", "--", *codes])

    def show(self, era: str, codes: list[str]) -> list[dict]:
        return self.lines(["address", "show", "--era", era, "--json", "--", *codes])


@pytest.fixture(scope="session")
def cli() -> Cli:
    return Cli(_find_cli())


@pytest.fixture(scope="session")
def corpus() -> list[dict]:
    with open(CORPUS, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
