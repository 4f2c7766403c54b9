"""Findings ("issues" in DOMAIN.md): a catalog of stable codes and the finding record.

Modelled on frictionless-py's error catalog: each code is declared once with its default
severity, a title and a message template in both languages. Findings are data, not exceptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class FindingType:
    """One entry of the catalog: a stable kebab-case code, its severity, title and message."""

    code: str
    severity: str
    title: tuple[str, str]  # (en, zh)
    template: tuple[str, str]  # (en, zh), formatted with the finding's params

    def render(self, lang: str, params: dict[str, Any]) -> str:
        text = self.template[1] if lang == "zh" else self.template[0]
        return text.format(**params)


CATALOG: dict[str, FindingType] = {}


def finding_type(code: str) -> FindingType:
    """The catalog entry of ``code``. The validation catalog (``toolkit.core.validation.catalog``) is
    imported on first need, so findings read back from the store or a file render without callers
    importing rule modules for their side effects."""
    ftype = CATALOG.get(code)
    if ftype is None:
        import importlib

        importlib.import_module("toolkit.core.validation.catalog")
        ftype = CATALOG[code]
    return ftype


def declare(code: str, severity: str, title: tuple[str, str], template: tuple[str, str]) -> FindingType:
    """Add a code to the catalog (idempotent for identical declarations)."""
    assert severity in SEVERITIES, severity
    ftype = FindingType(code, severity, title, template)
    if code in CATALOG and CATALOG[code] != ftype:
        raise ValueError(f"finding code {code!r} declared twice")
    CATALOG[code] = ftype
    return ftype


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


# Codes raised while reading (the reader is where types are coerced and error cells are seen).
declare("type-error", "error", ("Wrong type", "类型错误"),
        ("{sheet}!{cell}: {value!r} is not a valid {expected}.", "{sheet}!{cell}：“{value}”不是有效的{expected_zh}。"))
declare("formula-error", "error", ("Formula error", "公式错误"),
        ("{sheet}!{cell}: the cell holds the error {value}.", "{sheet}!{cell}：单元格为错误值 {value}。"))
declare("extra-column", "info", ("Extra column", "多余列"),
        ("{sheet}!{cell}: column {column!r} is not part of the template; it is kept but not used.",
         "{sheet}!{cell}：列“{column}”不属于模板，已保留但不参与计算。"))
declare("sheet-missing-optional", "info", ("Optional sheet missing", "缺少可选工作表"),
        ("Sheet {sheet!r} is missing; it is treated as empty.", "缺少工作表“{sheet}”，按空表处理。"))
declare("column-missing-optional", "warning", ("Optional column missing", "缺少可选列"),
        ("{sheet}: column {column!r} is missing; it is treated as blank.", "{sheet}：缺少列“{column}”，按空白处理。"))
