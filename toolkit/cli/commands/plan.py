"""``toolkit plan draft|settings|cost``: thin layers over ``toolkit.operations.plan`` (docs/planning.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
import pandas as pd

from ...errors import ToolkitError
from ...excel.settings import load_settings
from ...i18n import register, t
from ...money import fmt_money
from ...operations import plan as OP
from ...schema import enums as E
from ...operations.plan_cost import parse_levels
from ...operations.plan_publish import publish_plan
from ...operations import plan_versions as V
from ...operations.plan_reconcile import reconcile_plans
from ...operations.plan_settings import plan_settings_template
from ...outputs import plan as OUT
from ..main import settings
from ...outputs.text import findings_text, text_table
from ...operations.source import Source
from ..output import emit_json, emit_text, require_output, source_options

register({
    "plan.step.history": ("Reading history…", "读取历史数据…"),
    "plan.step.draft": ("Drafting the plan…", "编制计划…"),
    "plan.step.cost": ("Costing the plan…", "测算计划成本…"),
    "plan.step.workbooks": ("Writing the department workbooks…", "写入部门工作簿…"),
    "plan.step.summary": ("Writing the summary…", "写入汇总表…"),
})

_INPUTS = [
    click.option("--year", required=True, metavar="YYYY", help="The year to plan."),
    source_options(standards_help="The standards workbook (its Roster is the new year's); with --db it replaces "
                   "the stored one.", db_help="Read the history from the history store.",
                   force="Use history workbooks even when they have error findings."),
    click.option("--settings", "settings_path", default=None, type=click.Path(exists=True, dir_okay=False,
                 path_type=Path), help="The plan settings workbook (toolkit plan settings)."),
    click.option("--growth", default=None, help="Company growth: 8% for Signing and Collection, or "
                 "Signing=10%,Collection=8% (over the settings workbook's)."),
    click.option("--levels", default=None, help="Attainment levels to cost, e.g. 80,100,120 (the default)."),
]


def _inputs(func):
    for option in reversed(_INPUTS):
        func = option(func)
    return func


def _money_table(frame: pd.DataFrame, cols: list[str], lang: str, headers: dict[str, str] | None = None) -> str:
    shown = frame[cols].copy()
    for c in cols:
        if c in ("level", "cost_to_collection", "cost_to_profit", "share"):
            shown[c] = shown[c].map(lambda v: "" if pd.isna(v) else f"{v:.1%}")
        elif pd.api.types.is_float_dtype(shown[c]):
            shown[c] = shown[c].map(lambda v: "" if pd.isna(v) else fmt_money(v))
    return text_table(shown, {c: (headers or {}).get(c) or OUT.label(c, lang) for c in cols}, lang)


def _cost_text(cost, lang: str) -> str:
    cols = ["level", "signing", "collection", "profit", "royalty", "floating", "cost", "cost_to_collection",
            "cost_to_profit"]
    depts = _money_table(cost.departments, ["department", *cols], lang)
    return "\n\n".join([OUT.label("text.cost", lang, year=cost.year), _money_table(cost.company, cols, lang), depts])


@click.group("plan")
def plan() -> None:
    """Next year's plan: draft it from history, set it up, and cost it."""


@plan.command("draft")
@_inputs
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the department workbooks and plan-YYYY.xlsx.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--overwrite", is_flag=True, help="Replace files of an earlier draft in the folder.")
@click.option("--version", "version", type=click.IntRange(1, 999), default=None,
              help="Write version N into <folder>/vN, keeping the other versions.")
def draft(year: str, source: Source, settings_path: Path | None, growth: str | None, levels: str | None,
          out_dir: Path, fmt: str, overwrite: bool, version: int | None) -> None:
    """Draft next year's plan from history: department workbooks and the director's summary."""
    lang = settings().lang
    out_dir = OP.version_folder(out_dir, version)
    result = OP.draft_plan(source, year, settings=settings_path, growth=growth, out_dir=out_dir, lang=lang,
                           levels=parse_levels(levels), overwrite=overwrite,
                           progress=lambda step: click.echo(t(f"plan.step.{step}", lang), err=True))
    if fmt == "json":
        emit_json(OUT.draft_payload(result, lang), None)
        return
    d = result.draft
    names = {c: E.INDICATOR.label(c, lang) for c in E.INDICATOR.values}
    company = d.totals("company").assign(indicator=lambda f: f["indicator"].map(names))
    depts = d.totals("department").pivot_table(index="department", columns="indicator", values="annual",
                                               sort=False).reset_index()
    depts = depts[["department", *[c for c in E.INDICATOR.values if c in depts.columns]]]
    lines = [OUT.label("text.title", lang, year=d.year, as_of=d.as_of),
             _money_table(company, ["indicator", "annual"], lang),
             _money_table(depts, list(depts.columns), lang, names),
             _cost_text(result.cost, lang),
             findings_text(result.findings, lang),
             "\n".join(OUT.label("text.written", lang, path=p) for p in [*result.workbooks, result.summary])]
    emit_text("\n\n".join(x for x in lines if x), None)


@plan.command("settings")
@click.option("--lang", "wb_lang", type=click.Choice(["en", "zh"]), default=None,
              help="Language of the workbook (default: the toolkit's --lang).")
@click.option("--year", type=click.IntRange(1900, 9999), default=None, help="Year written on the Info sheet.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def settings_cmd(wb_lang: str | None, year: int | None, output: Path, force: bool) -> None:
    """A blank plan settings workbook: options, growth, held values, shares, expense ratios."""
    lang = wb_lang or settings().lang
    path = plan_settings_template(output, lang, year=year, overwrite=force)
    click.echo(OUT.label("text.written", settings().lang, path=path))


@plan.command("cost")
@_inputs
@click.option("--plan", "plan_paths", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Cost the Plan sheets of these workbooks or folders (the folder plan draft wrote, after the "
                   "director's edits) instead of drafting.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "xlsx"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (required for xlsx).")
def cost(year: str, source: Source, settings_path: Path | None, growth: str | None, levels: str | None,
         plan_paths: tuple[Path, ...], fmt: str, output: Path | None) -> None:
    """What the plan costs in royalties and floating pay at 80/100/120% (or --levels) attainment."""
    lang = settings().lang
    result = OP.cost_plan(source, year, settings=settings_path, growth=growth, plan=plan_paths,
                          levels=parse_levels(levels))
    if fmt == "json":
        emit_json(OUT.cost_payload(result, lang), output)
    elif fmt == "xlsx":
        path = OUT.write_cost(require_output(output, fmt), result, lang)
        click.echo(OUT.label("text.written", lang, path=path))
    else:
        emit_text("\n\n".join(x for x in (_cost_text(result, lang), findings_text(result.findings, lang)) if x),
                  output)


@plan.command("publish")
@click.option("--plan", "plan_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The approved plan: the folder plan draft wrote (after the director's edits).")
@click.option("--into", "into", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The folder of the departments' rolling registers.")
@click.option("-o", "--output", "out_dir", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the published copies of the registers.")
@click.option("--in-place", is_flag=True, help="Change the registers themselves (a backup of each is kept).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def publish(plan_dir: Path, into: Path, out_dir: Path | None, in_place: bool, fmt: str) -> None:
    """Write the approved Plan and the new Info Year/Period into each department's register, history kept."""
    lang = settings().lang
    result = publish_plan(plan_dir, into, out_dir, in_place)
    if fmt == "json":
        emit_json(OUT.publish_payload(result), None)
        return
    names = {c: E.INDICATOR.label(c, lang) for c in E.INDICATOR.values}
    frame = OUT.publish_frame(result)
    frame["register"] = frame["register"].map(lambda p: Path(p).name)
    frame["info_year_before"] = frame["info_year_before"].map(lambda v: "" if pd.isna(v) else str(int(v)))
    frame["period_before"] = frame["period_before"].map(
        lambda v: OUT.label("text.new_register", lang) if v is None or pd.isna(v) else str(v))
    lines = [OUT.label("text.published", lang, year=result.year, period=result.period),
             _money_table(frame, list(frame.columns), lang, names),
             "\n".join(OUT.label("text.no_plan", lang, path=p) for p in result.untouched),
             "\n".join(OUT.label("text.no_budget_sheet", lang, path=p) for p in OUT.no_budget_sheet(result)),
             "\n".join(OUT.label("text.written", lang, path=d.written) for d in result.departments),
             "\n".join(OUT.label("text.backup", lang, path=d.backup) for d in result.departments if d.backup)]
    emit_text("\n\n".join(x for x in lines if x), None)


@plan.command("compare")
@click.argument("a", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("b", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "xlsx"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (required for xlsx).")
def compare(a: Path, b: Path, fmt: str, output: Path | None) -> None:
    """Every figure that differs between two plan versions, by department, person and month."""
    lang = settings().lang
    diff = V.compare_plans(a, b)
    totals = V.compare_totals(diff)
    if fmt == "json":
        emit_json(OUT.compare_payload(str(a), str(b), diff, totals), output)
        return
    if fmt == "xlsx":
        path = OUT.write_compare(require_output(output, fmt), diff, totals, lang)
        click.echo(OUT.label("text.written", lang, path=path))
        return
    if diff.empty:
        emit_text(OUT.label("text.same", lang, a=a, b=b), output)
        return
    names = {c: E.INDICATOR.label(c, lang) for c in E.INDICATOR.values}
    tot = totals.assign(indicator=lambda f: f["indicator"].map(names))
    lines = [OUT.label("text.compare", lang, a=a, b=b, count=len(diff)),
             _money_table(tot, list(tot.columns), lang),
             _money_table(OUT.compare_frame(diff, lang), ["department", "employee_id", "indicator", "category",
                                                          "month", "version_a", "version_b", "difference"], lang)]
    emit_text("\n\n".join(lines), output)


@plan.command("approve")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--approver", default=None, help="The approver's name (default: TOOLKIT_APPROVER).")
def approve(folder: Path, approver: str | None) -> None:
    """Mark a plan version approved (the only one plan publish accepts); editing it afterwards needs approving again."""
    lang = settings().lang
    name = approver or load_settings(folder).approver
    if not name:
        raise ToolkitError("apply.no-approver")
    mark = V.approve_plan(folder, name)
    click.echo(OUT.label("text.approved", lang, path=mark, approver=name, date=dt.date.today().isoformat()))


@plan.command("reconcile")
@click.option("--plan", "plan_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The top-down draft (a plan folder).")
@click.option("--proposals", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The workbooks departments returned with their own Plan figures.")
@click.option("--take", multiple=True, metavar="DEPARTMENT", help="Take this department's proposal (repeatable).")
@click.option("--into", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Write the reconciled plan (the draft, with the taken proposals) into this new folder.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def reconcile(plan_dir: Path, proposals: Path, take: tuple[str, ...], into: Path | None, fmt: str) -> None:
    """Departments' proposals against the top-down draft, by person and month, with each department's gap."""
    lang = settings().lang
    res = reconcile_plans(plan_dir, proposals, take, into)
    if fmt == "json":
        payload = OUT.compare_payload(str(plan_dir), str(proposals), res.differences, res.totals)
        payload["totals"] = OUT.money_records(res.totals, ("draft", "proposal", "gap"))
        emit_json({**payload, "taken": res.taken, "written": [str(p) for p in res.written]}, None)
        return
    names = {c: E.INDICATOR.label(c, lang) for c in E.INDICATOR.values}
    tot = res.totals.assign(indicator=lambda f: f["indicator"].map(names))
    lines = [OUT.label("text.reconcile", lang, count=len(res.differences)), _money_table(tot, list(tot.columns), lang)]
    if len(res.differences):
        shown = OUT.compare_frame(res.differences, lang).rename(columns={"version_a": "draft", "version_b": "proposal",
                                                                         "difference": "gap"})
        lines.append(_money_table(shown, list(shown.columns), lang))
    if res.taken:
        lines.append(OUT.label("text.taken", lang, departments=", ".join(res.taken)))
    lines.append("\n".join(OUT.label("text.written", lang, path=p) for p in res.written))
    emit_text("\n\n".join(x for x in lines if x), None)


COMMANDS = [plan]
