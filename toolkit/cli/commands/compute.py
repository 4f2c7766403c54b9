"""``toolkit royalties|salary|completion|funds|forecast (PATH... --standards PATH | --db PATH) --period YYYY-MM``.

Each command is a parse, one call (``toolkit.operations.compute.compute``) and presentation of its
``toolkit.outputs.Output`` as text, JSON (docs/json.md, docs/royalties.md) or a styled xlsx workbook.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..main import settings
from ...operations.source import Source
from ..output import compute_options, emit_json, emit_text, require_output
from ...io.writer import write_frames
from ...operations.compute import compute

HELP = {
    "royalties": "Royalties for the month: YTD base, tiers, cap and the true-up payment, with a statement per employee.",
    "salary": "Floating salary: appraisal score from YTD completion, its band's grade and coefficient, and the pay.",
    "completion": "Indicator completion per employee, department and company, month and YTD, with RAG.",
    "funds": "Receivables aging, overdue contracts and the 3-month fund demand forecast.",
    "forecast": "Signing forecast 3 months ahead for the company and each department, with backtest MASE.",
}


def _command(name: str) -> click.Command:
    @click.command(name, help=HELP[name])
    @compute_options
    def command(source: Source, period: str, fmt: str, output: Path | None) -> None:
        lang = settings().lang
        result = compute(source, name, period, lang=lang)
        out = result.output
        if fmt == "json":
            emit_json(out.payload, output)
        elif fmt == "xlsx":
            write_frames(require_output(output, fmt), out.sheets(), lang)
        else:
            emit_text(out.text(), output)
        sys.exit(result.exit_code)

    return command


COMMANDS = [_command(name) for name in HELP]
