"""The validation engine: every rule of DOMAIN.md's Validation section over a workbook's typed frames.

``validate(dept, standards, period)`` is pure: it returns findings (data), never raises for bad
content, and never repeats what the reader already reported (those findings stay in
``dept.findings``). Thresholds, policy, holidays and roster come from the standards workbook, with
``toolkit.schema.THRESHOLD_DEFAULTS`` where the Thresholds sheet is silent.
"""

from __future__ import annotations

import dataclasses

from ..departments import department_aliases
from ..findings import Finding, codes
from ..keys import canonical_tables
from ..tables import WorkbookData
from . import (adjustments, advances, contracts, crossref, expenses, forecast, leave, opportunities, people, plan,
               reviews, schema_rules, versions)
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
    *people.RULES,
    *reviews.RULES,
)

#: Rules that only make sense for the standards workbook.
STANDARDS_RULES = (*adjustments.RULES, *people.STANDARDS_RULES, *versions.RULES)

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
    # The key checks see the keys as typed (to name them); every other rule sees them as the computations join
    # them (core.keys: grade by employee, tier by city, a plan's targets per employee), so a key accepted there is
    # the same key here.
    keyed = _canonical(ctx, dept, standards, period)
    rules = SCHEMA_RULES + (DEPARTMENT_RULES if dept.kind == "department" else STANDARDS_RULES)
    for rule in rules:
        out += rule(ctx if rule in KEY_RULES else keyed)
    return sort_findings(out)


#: Rules that compare keys with their master lists themselves (with ``key_form``) and name them as typed.
KEY_RULES = frozenset({*crossref.RULES, crossref.known_plans})


def _canonical(ctx: Context, dept: WorkbookData, standards: WorkbookData | None, period: object) -> Context:
    """``ctx`` on copies of the workbooks whose key columns hold their masters' spellings (the same context when
    no key changes)."""
    if dept.kind == "department":
        std_tables = standards.tables if standards is not None else {}
        tables, std = canonical_tables(dept.tables, std_tables, department_aliases(std_tables.get("Roster")))
        std_book = standards if standards is None or std is std_tables or all(
            std[k] is v for k, v in std_tables.items()) else dataclasses.replace(standards, tables=std)
    else:
        std, tables = canonical_tables({}, dept.tables)[1], None
        std_book = standards
    changed = tables is not None and any(tables[k] is not v for k, v in dept.tables.items())
    if dept.kind != "department":
        changed = any(std[k] is not v for k, v in dept.tables.items())
        tables = std
    if not changed and std_book is standards:
        return ctx
    return Context.build(dataclasses.replace(dept, tables=tables) if changed else dept, std_book, period)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Workbook-level findings first, then by sheet (workbook order is the caller's), row, column letter."""
    def key(f: Finding):
        letters = "".join(ch for ch in (f.cell or "") if ch.isalpha())
        return (f.sheet is not None, f.sheet or "", f.row or 0, len(letters), letters, f.code)

    return sorted(findings, key=key)
