"""Compute one month's result (royalties, salary, completion, funds, forecast) from files or the store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core.ledger import Ledger
from ..core.periods import check_period
from ..outputs import Output, build
from .ledger import open_ledger


@dataclass
class ComputeResult:
    """A computation's output and the ledger it ran on."""

    output: Output
    ledger: Ledger

    @property
    def exit_code(self) -> int:
        """1 when an input was left out (unreadable with ``--force``): the figures are partial; else 0
        (error findings either refused the computation or were accepted with ``--force``)."""
        return 1 if self.ledger.left_out else 0


def compute(name: str, period: str, *, paths: Sequence[str | Path] = (), standards: str | Path | None = None,
            db: str | None = None, force: bool = False, lang: str = "en") -> ComputeResult:
    """Load the ledger (``PATH... --standards`` or ``--db``; errors refused unless ``force``) and run ``name``."""
    period = check_period(period)
    ledger = open_ledger(paths, standards, db, period=period, force=force)
    return ComputeResult(build(name, ledger, period, lang), ledger)
