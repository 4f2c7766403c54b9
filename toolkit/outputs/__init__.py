"""Per computation, its JSON payload, its workbook sheets and its text, built once for every entry point.

``build(name, ledger, period, lang)`` gives an ``Output``; ``write_output`` writes its JSON and xlsx.
The CLI prints or writes an ``Output``, the ribbon writes its workbook, the month close writes both.
"""

from __future__ import annotations

from .base import NAMES, Output, build, write_output

__all__ = ["NAMES", "Output", "build", "write_output"]
