"""Shared, cached inputs of the report tests: the sample ledger, contexts, the commands' JSON, xlsx lookups."""

from __future__ import annotations

import copy
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from toolkit.cli.main import cli
from toolkit.core.ledger import Ledger
from toolkit.operations.source import Source

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "workbooks" / "sample"
PERIOD = "2026-10"


@lru_cache(maxsize=1)
def ledger() -> Ledger:
    """The sample ledger for 2026-10, loaded with force (North China has deliberate data problems)."""
    return Source([SAMPLE], SAMPLE / "standards.xlsx", force=True).ledger(PERIOD)


@lru_cache(maxsize=2)
def context(lang: str) -> dict[str, Any]:
    from toolkit.report import build_context

    return build_context(ledger(), PERIOD, lang=lang)


def fresh_context(lang: str = "en") -> dict[str, Any]:
    """A deep copy of the cached context (tests may edit it)."""
    return copy.deepcopy(context(lang))


@lru_cache(maxsize=16)
def command_json(name: str, lang: str = "en") -> dict[str, Any]:
    """``toolkit <name> SAMPLE --standards … --period 2026-10 --force --format json``, parsed."""
    res = CliRunner().invoke(cli, ["--lang", lang, name, str(SAMPLE), "--standards", str(SAMPLE / "standards.xlsx"),
                                   "--period", PERIOD, "--force", "--format", "json"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def find_table(wb: Any, labels: list[str]) -> tuple[Any, int, int, list[list[Any]]]:
    """Locate a rendered table by its header labels: (sheet, header row, first col, data rows as values)."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value != labels[0]:
                    continue
                heads = [ws.cell(cell.row, cell.column + j).value for j in range(len(labels))]
                if heads != labels:
                    continue
                data, r = [], cell.row + 1
                while ws.cell(r, cell.column).value not in (None, ""):
                    data.append([ws.cell(r, cell.column + j).value for j in range(len(labels))])
                    r += 1
                return ws, cell.row, cell.column, data
    raise AssertionError(f"no table with headers {labels}")


def same_ids(svg: str) -> str:
    """An SVG (or a page of them) with matplotlib's generated ids (random per drawing: markers, clip paths, hatch
    patterns) numbered in order of appearance, so two drawings of the same chart compare equal."""
    ids: dict[str, str] = {}
    return re.sub(r"\b(clip|m|p|h)[0-9a-f]{10}\b", lambda m: ids.setdefault(m.group(0), f"id{len(ids)}"), svg)
