"""Draft next year's plan (``toolkit plan draft``, the ribbon's Draft plan): history in, workbooks out.

History comes from the history store (the departments consolidated for the latest period before the
year, each snapshot holding the whole rolling register) or from department workbooks with the
standards workbook. The new Roster is the standards' (``--standards`` with ``--db`` gives a newer one).
Out come one department workbook per department of the Roster — the blank template in the
department's language (its last workbook's; the standards' for a new department) with Info Year and
the Plan sheet filled — and ``plan-YYYY.xlsx``, the director's summary with charts and the cost model.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..core import planning as P
from ..core.catalog import codes
from ..core.findings import Finding
from ..core.people import roster_at
from ..core.tables import WorkbookData
from ..errors import ToolkitError
from ..i18n import register
from ..schema import MONTH_KEYS, SCHEMAS
from . import plan_cost as C
from ..io.templates import write_workbook
from ..io.discover import discover_workbooks
from ..outputs.plan import is_summary, write_summary
from .plan_settings import read_plan_settings
from .source import Source

if TYPE_CHECKING:
    from ..core.ledger import Ledger

register({
    "plan.bad-growth": (
        "Growth {value!r}: give a percentage such as 8% (all sales indicators) or Signing=10%,Collection=8%.",
        "增长率“{value}”无效：请填写百分数，如 8%（全部销售指标）或 Signing=10%,Collection=8%。"),
    "plan.bad-year": ("Year {value!r} is not a year such as 2027.", "年度“{value}”不是有效年份（如 2027）。"),
    "plan.summary-given": (
        "{path} is the plan's summary, not a department workbook: give the folder plan draft wrote (its summary is "
        "skipped) or its department workbooks, e.g. --plan plan-2027/.",
        "{path} 是计划汇总表，不是部门工作簿：请给出 plan draft 写入的文件夹（其中的汇总表会被跳过）或其中的部门工作簿，"
        "例如 --plan plan-2027/。"),
    "plan.no-plan-workbooks": ("No department workbooks of the plan in {paths}.",
                               "在 {paths} 中没有找到计划的部门工作簿。"),
    "plan.exists": ("{path} already exists; choose another folder or use --overwrite.",
                    "{path} 已存在；请换一个文件夹，或使用 --overwrite 覆盖。"),
})

#: Steps reported through ``progress`` (English keys; the CLI shows them).
STEPS = ("history", "draft", "cost", "workbooks", "summary")


@dataclass
class PlanInputs:
    """What drafting reads: the history ledger, the standards (with the new Roster) and each department's language
    and file stem."""

    ledger: Ledger
    standards: WorkbookData
    langs: dict[str, str]
    stems: dict[str, str]
    source: str
    #: What reading the history noted for the Notes sheet (a department drafted from an earlier close's snapshot).
    notes: list[Finding] = field(default_factory=list)


@dataclass
class DraftResult:
    """A drafted plan: the draft, its 100% royalty schedule, the cost model and the files written."""

    draft: P.PlanDraft
    cost: C.PlanCost
    workbooks: list[Path] = field(default_factory=list)
    summary: Path | None = None
    findings: list[Finding] = field(default_factory=list)


def check_year(year: object) -> int:
    """A plan year as an int (1900..9999), else a ToolkitError."""
    try:
        y = int(str(year).strip())
    except ValueError:
        raise ToolkitError("plan.bad-year", value=year) from None
    if not 1900 <= y <= 9999:
        raise ToolkitError("plan.bad-year", value=year)
    return y


def parse_growth(text: str | None) -> dict[str, float]:
    """``"8%"`` / ``"8"`` (every sales indicator) or ``"Signing=10%,Collection=8%"`` -> {indicator: fraction}."""
    if not text:
        return {}
    out: dict[str, float] = {}
    lookup = {k.casefold(): k for k in P.SALES_INDICATORS} | {"签约": P.SIGNING, "回款": P.COLLECTION}
    for part in str(text).split(","):
        name, _, value = part.rpartition("=")
        try:
            g = float(value.strip().rstrip("%")) / 100
        except ValueError:
            raise ToolkitError("plan.bad-growth", value=text) from None
        names = [lookup.get(name.strip().casefold())] if name.strip() else list(P.SALES_INDICATORS)
        if None in names or not -1 <= g <= 3:
            raise ToolkitError("plan.bad-growth", value=text)
        out.update({n: g for n in names if n})
    return out


def load_plan_inputs(source: Source, year: int, *, refuse_rejected: bool = True) -> PlanInputs:
    """History for drafting ``year`` (``Source.history_ledger``): the ledger, the standards, and each department's
    language and file stem, keyed by the Roster-matched department as the ledger's rows are."""
    ledger = source.history_ledger(year, refuse_rejected=refuse_rejected)
    stems = {d: Path(s).stem for d, s in ledger.sources.items()}
    kind = "store" if source.from_store else "workbooks"
    notes = [f for f in ledger.findings if f.code in codes("planning")]
    return PlanInputs(ledger, ledger.standards, dict(ledger.langs), stems, kind, notes)


def draft_from_inputs(inputs: PlanInputs, rules: P.PlanRules, levels: tuple[float, ...] = C.DEFAULT_LEVELS,
                      ) -> tuple[P.PlanDraft, pd.DataFrame, C.PlanCost]:
    """The draft (Profit net of the royalties the plan pays at 100%), the product mix and the cost model."""
    led = inputs.ledger
    history = P.history_frame(led.tables["Contracts"], led.tables["Collections"], led.tables["Expenses"],
                              led.standard("ProductLines"))
    # the Roster as it stands in January of the new year: a transferee is drafted in their new department
    roster = roster_at(led.standard("Roster"), led.standard("RosterChanges"), rules.year, 1)
    first = P.draft_plan(history, roster, rules)
    mix = P.product_mix(led.tables["Collections"], led.tables["Contracts"], roster, first.as_of)
    royalties = C.royalty_schedule(first.rows, mix, inputs.standards, rules.year)
    draft = P.draft_plan(history, roster, rules, first.as_of, royalties)
    draft.findings[:0] = inputs.notes
    draft.budget, notes = P.budget_by_category(draft.rows, P.category_history(led.tables["Expenses"]), draft.as_of,
                                               rules.unit(P.EXPENSE), rules.blend, rules.holds)
    draft.findings.extend(notes)
    cost = C.plan_cost(draft.rows, mix, inputs.standards, rules.year, levels, royalties)
    return draft, mix, cost


def version_folder(out_dir: str | os.PathLike[str], version: int | None) -> Path:
    """Where version ``version`` of a plan is drafted: ``out_dir/vN`` (``out_dir`` itself without a version)."""
    return Path(out_dir) / f"v{version}" if version else Path(out_dir)


def _rules(year: int, settings: str | os.PathLike[str] | None, growth: str | dict[str, float] | None) -> P.PlanRules:
    rules = read_plan_settings(settings, year) if settings else P.PlanRules(year)
    rules.growth.update(parse_growth(growth) if isinstance(growth, str) or growth is None else growth)
    return rules


def _file_name(dept: str, stem: str | None, year: int) -> str:
    if stem:
        return f"{re.sub(r'-?(19|20)[0-9]{2}$', '', stem)}-{year}.xlsx"
    safe = re.sub(r'[\\/:*?"<>|\s]+', "-", dept).strip("-") or "department"
    return f"dept-{safe}-{year}.xlsx"


def draft_plan(source: Source, year: int | str, *, settings: str | os.PathLike[str] | None = None,
               growth: str | dict[str, float] | None = None,
               out_dir: str | os.PathLike[str], lang: str = "en", levels: tuple[float, ...] = C.DEFAULT_LEVELS,
               overwrite: bool = False, progress: Callable[[str], None] | None = None) -> DraftResult:
    """Draft ``year``'s plan and write the department workbooks and ``plan-YYYY.xlsx`` into ``out_dir``.

    Existing files are never replaced unless ``overwrite``; nothing is written when a check fails.
    ``progress`` is called with each step of ``STEPS``.
    """
    say = progress or (lambda step: None)
    y = check_year(year)
    rules = _rules(y, settings, growth)
    summary = Path(out_dir) / f"plan-{y}.xlsx"
    if not overwrite and summary.exists():  # refused before the history is read (write_plan checks every file)
        raise ToolkitError("plan.exists", path=str(summary))
    say("history")
    inputs = load_plan_inputs(source, y)
    say("draft")
    draft, _, cost = draft_from_inputs(inputs, rules, levels)
    say("cost")
    return write_plan(y, inputs, draft, cost, out_dir, lang, overwrite, say)


def write_plan(year: int, inputs: PlanInputs, draft: P.PlanDraft, cost: C.PlanCost, out_dir: str | os.PathLike[str],
               lang: str = "en", overwrite: bool = False,
               progress: Callable[[str], None] | None = None) -> DraftResult:
    """Write the department workbooks and ``plan-YYYY.xlsx`` of a draft into ``out_dir`` (none replaced
    unless ``overwrite``; all checked before the first is written)."""
    say = progress or (lambda step: None)
    out = Path(out_dir)
    names = {d: _file_name(d, inputs.stems.get(d), year) for d in draft.rows["department"].unique()}
    targets = [out / n for n in names.values()] + [out / f"plan-{year}.xlsx"]
    if not overwrite:
        for target in targets:
            if target.exists():
                raise ToolkitError("plan.exists", path=str(target))
    out.mkdir(parents=True, exist_ok=True)
    say("workbooks")
    roster_ids = [str(i) for i in inputs.standards.tables["Roster"]["employee_id"].dropna()]
    written = []
    for dept, rows in draft.rows.groupby("department", sort=False):
        plan = rows[["employee_id", "indicator", *MONTH_KEYS, "annual"]].reset_index(drop=True)
        budget = draft.budget[draft.budget["department"] == dept][["category", *MONTH_KEYS, "annual"]]
        info = {"department": dept, "year": year, "period": f"{year}-01"}
        written.append(write_workbook(out / names[dept], SCHEMAS["department"],
                                      inputs.langs.get(dept, inputs.standards.lang),
                                      frames={"Plan": plan, "Budget": budget.reset_index(drop=True)},
                                      info=info, roster_ids=roster_ids))
    say("summary")
    summary = write_summary(out / f"plan-{year}.xlsx", draft, cost, inputs.standards, lang)
    findings = draft.findings + [f for f in cost.findings if f.severity != "info"]
    return DraftResult(draft, cost, [Path(p) for p in written], summary, findings)


def cost_plan(source: Source, year: int | str, *, settings: str | os.PathLike[str] | None = None,
              growth: str | dict[str, float] | None = None,
              plan: Sequence[str | os.PathLike[str]] = (), levels: tuple[float, ...] = C.DEFAULT_LEVELS
              ) -> C.PlanCost:
    """The cost model of ``year``'s plan: the one drafted from history, or the Plan sheets of the ``plan``
    workbooks or folders (e.g. the drafted ones after the director's edits), with last year's product mix."""
    y = check_year(year)
    rules = _rules(y, settings, growth)
    source, files = plan_files(source, plan)
    # costing given plan workbooks needs only their departments' history: another department rejected at the last
    # close stops only a cost of the whole draft
    inputs = load_plan_inputs(source, y, refuse_rejected=not files)
    if not files:
        cost = draft_from_inputs(inputs, rules, levels)[2]
    else:
        planned = source.over(files, inputs.standards).history_ledger(y).tables["Plan"]
        source.refuse_rejected_plan(y, set(planned["department"].astype("str")))
        led = inputs.ledger
        history = P.history_frame(led.tables["Contracts"], led.tables["Collections"], led.tables["Expenses"],
                                  led.standard("ProductLines"))
        as_of = history["month"].max() if len(history) else pd.Period(f"{y - 1}-12", freq="M")
        mix = P.product_mix(led.tables["Collections"], led.tables["Contracts"], led.standard("Roster"), as_of)
        rows = planned[["department", "employee_id", "indicator", *MONTH_KEYS, "annual"]].fillna(
            {k: 0.0 for k in MONTH_KEYS})
        cost = C.plan_cost(rows, mix, inputs.standards, y, levels)
    cost.findings[:0] = inputs.notes
    return cost


def plan_files(source: Source, plan: Sequence[str | os.PathLike[str]]) -> tuple[Source, list[Path]]:
    """The department workbooks of ``--plan`` (files, or folders: the folder ``plan draft`` wrote), and the source
    of the history without them.

    What a shell makes of ``--plan plan-2027/*.xlsx`` is the first file as ``--plan`` and the others as
    ``PATH...``: files of ``PATH...`` in the folder of a ``--plan`` file are the plan's too (issue 24). The summary
    ``plan-YYYY.xlsx`` is skipped in a folder or among those files; named alone as ``--plan`` it is refused."""
    if not plan:
        return source, []
    given = [Path(p) for p in plan]
    for p in given:
        if p.is_file() and is_summary(p):
            raise ToolkitError("plan.summary-given", path=str(p))
    folders = {p.resolve().parent for p in given if p.is_file()}
    strays = [Path(p) for p in source.paths if Path(p).is_file() and Path(p).resolve().parent in folders]
    files = [f for f in discover_workbooks([*given, *strays]) if not is_summary(f)]
    if not files:
        raise ToolkitError("plan.no-plan-workbooks", paths=", ".join(str(p) for p in given))
    if strays:
        rest = [p for p in source.paths if Path(p) not in strays]
        source = Source(rest, source.standards, source.db, source.force, source.workbook, source.confirm,
                        source.lang, source.forceable)
    return source, files
