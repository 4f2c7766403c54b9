"""The validation engine: every rule of DOMAIN.md's Validation section over a workbook's typed frames.

``validate(dept, standards, period)`` is pure: it returns findings (data), never raises for bad
content, and never repeats what the reader already reported (those findings stay in
``dept.findings``). Thresholds, policy, holidays and roster come from the standards workbook, with
``toolkit.schema.THRESHOLD_DEFAULTS`` where the Thresholds sheet is silent.
"""

from __future__ import annotations

from ..findings import Finding, codes
from ..tables import WorkbookData
from . import adjustments, advances, contracts, crossref, expenses, forecast, leave, opportunities, plan, reviews, schema_rules
from .context import Context, parse_period

#: Rules run on every workbook (department or standards).
SCHEMA_RULES = (*schema_rules.RULES, crossref.known_plans)
#: Rules that only make sense for a department workbook.
DEPARTMENT_RULES = (
    *crossref.RULES,
    *plan.RULES,
    *contracts.RULES,
    *expenses.RULES,
    *advances.RULES,
    *leave.RULES,
    *forecast.RULES,
    *opportunities.RULES,
    *reviews.RULES,
)

#: Rules that only make sense for the standards workbook.
STANDARDS_RULES = (*adjustments.RULES,)

__all__ = ["validate", "Context", "parse_period", "CODES", "SCHEMA_RULES", "DEPARTMENT_RULES", "STANDARDS_RULES"]
#: The codes the rules raise: the catalog's ``rule`` tag.
CODES = codes("rule")


def validate(dept: WorkbookData, standards: WorkbookData | None = None, period: object = None) -> list[Finding]:
    """All findings of the rules on ``dept`` (the reader's own findings are not included).

    Without ``standards`` the cross-workbook rules are skipped and a ``standards-missing`` warning
    says so; without a period (argument or Info sheet) the period rules are skipped likewise.
    ``period`` is ``"YYYY-MM"`` (or a date); a malformed one raises ``ToolkitError``.
    """
    ctx = Context.build(dept, standards, period)
    out: list[Finding] = []
    if dept.kind == "department":
        if standards is None:
            out.append(Finding("standards-missing", file=dept.path))
        if ctx.period is None:
            out.append(Finding("period-missing", file=dept.path))
    rules = SCHEMA_RULES + (DEPARTMENT_RULES if dept.kind == "department" else STANDARDS_RULES)
    for rule in rules:
        out += rule(ctx)
    return sort_findings(out)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Workbook-level findings first, then by sheet (workbook order is the caller's), row, column letter."""
    def key(f: Finding):
        letters = "".join(ch for ch in (f.cell or "") if ch.isalpha())
        return (f.sheet is not None, f.sheet or "", f.row or 0, len(letters), letters, f.code)

    return sorted(findings, key=key)
