"""Compute one month's result (royalties, salary, completion, funds, forecast) from files or the store."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.ledger import Ledger
from ..core.periods import check_period
from ..outputs import Output, build
from .source import Source


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


def compute(source: Source, name: str, period: str, *, lang: str = "en") -> ComputeResult:
    """Load the ledger of ``source`` (errors refused unless it is forced) and run ``name``."""
    period = check_period(period)
    ledger = source.ledger(period)
    return ComputeResult(build(name, ledger, period, lang), ledger)
