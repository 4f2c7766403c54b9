"""``Output``: one computation's result with its JSON payload, workbook sheets and text, and writing them."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.findings import Finding
from ..core.ledger import Ledger
from ..io.writer import SheetFrame, write_frames
from .jsonfmt import findings_json, write_json

#: The computations with an output, in the order the month close writes them.
NAMES = ("royalties", "salary", "completion", "funds", "forecast")


@dataclass
class Output:
    """A computation's result for ``period`` in ``lang``: the documented JSON ``payload``, the core ``result``,
    and the ``findings`` listed with it (the ledger's unreliable ones plus the computation's own)."""

    name: str
    period: str
    lang: str
    payload: dict[str, Any]
    result: Any
    findings: list[Finding]

    def _module(self) -> Any:
        return importlib.import_module(f"{__package__}.{self.name}")

    def sheets(self) -> list[SheetFrame]:
        """The workbook sheets (styled tables, the Findings sheet last)."""
        return self._module().sheets(self)

    def text(self) -> str:
        """The readable text (tables, totals, findings)."""
        return self._module().text(self)


def result_output(name: str, ledger: Ledger, result: Any, lang: str) -> Output:
    """The output of a computation whose result gives its own payload (``to_dict``) and findings (royalties,
    salary): the ledger's unreliable findings are listed with the result's own."""
    findings = ledger.unreliable_findings() + list(result.findings)
    payload = result.to_dict(lang)
    payload["findings"] = findings_json(findings, lang)
    return Output(name, payload["period"], lang, payload, result, findings)


def build(name: str, ledger: Ledger, period: str, lang: str = "en") -> Output:
    """Run computation ``name`` (one of ``NAMES``) on ``ledger`` for ``period`` and build its output."""
    if name not in NAMES:
        raise ValueError(f"unknown output {name!r}")
    module = importlib.import_module(f"{__package__}.{name}")
    return module.build(ledger, period, lang)


def write_output(output: Output, out_dir: str | Path, formats: tuple[str, ...] = ("json", "xlsx"),
                 stem: str | None = None) -> list[Path]:
    """Write ``<stem>.json`` and ``<stem>.xlsx`` (default stem ``<name>-<period>``) atomically into ``out_dir``."""
    folder = Path(out_dir)
    stem = stem or f"{output.name}-{output.period}"
    written: list[Path] = []
    if "json" in formats:
        written.append(write_json(folder / f"{stem}.json", output.payload))
    if "xlsx" in formats:
        written.append(write_frames(folder / f"{stem}.xlsx", output.sheets(), output.lang))
    return written
