"""Findings ("issues" in DOMAIN.md): the finding record. Its code is declared once in the catalog
(``toolkit.core.catalog``: severity, tags, both languages' texts). Findings are data, not exceptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .catalog import CATALOG, SEVERITIES, FindingType, codes

__all__ = ["CATALOG", "SEVERITIES", "Finding", "FindingType", "codes", "finding_type"]


def finding_type(code: str) -> FindingType:
    """The catalog entry of ``code`` (``toolkit.core.catalog``, loaded whole with this module)."""
    return CATALOG[code]


@dataclass
class Finding:
    """One finding: where it is (file, sheet, cell, row, column as written), what, and how bad."""

    code: str
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    file: str | None = None
    severity: str | None = None  # None: the catalog's default
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.severity is None:
            self.severity = finding_type(self.code).severity

    def message(self, lang: str = "en") -> str:
        params = {"sheet": self.sheet, "cell": self.cell, "row": self.row, "column": self.column,
                  "value": self.value, **self.params}
        return finding_type(self.code).render(lang, params)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """The JSON form documented in the README."""
        return {
            "code": self.code,
            "severity": self.severity,
            "sheet": self.sheet,
            "cell": self.cell,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message(lang),
        }
