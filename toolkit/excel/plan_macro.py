"""The ribbon's **Draft plan** button: ``toolkit.operations.plan.draft_plan`` for the director in Excel.

It asks for the year (default: next year), the plan settings workbook (blank: the defaults) and where
the history is (``TOOLKIT_DB`` when set, else a folder of department workbooks, by default the active
workbook's), then writes the drafted workbooks into ``plan-YYYY`` next to the history and opens the
summary. **Publish plan** writes the approved plan into copies of the departments' registers
(``published`` inside the registers' folder, replacing earlier copies there; ``toolkit plan publish``); **Compare plans** writes the
differences of two versions beside the second and opens them (``toolkit plan compare``). Registration (ribbon button, VBA callback, ``macros.NAMES``) is described in docs/planning.md.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from ..errors import ToolkitError
from ..i18n import register, t
from ..operations.plan import check_year, draft_plan as draft
from ..operations.plan_publish import publish_plan as publish
from ..operations.plan_versions import compare_plans, compare_totals
from ..operations.source import DB_ENV, Source
from ..outputs.plan import write_compare
from .run import Run, run

register({
    "macro.q.plan_year": ("Year to plan (YYYY):", "要编制计划的年度（YYYY）："),
    "macro.q.plan_settings": ("Plan settings workbook (leave blank for the defaults):",
                              "计划设置工作簿（留空则使用默认设置）："),
    "macro.q.plan_history": ("Folder of last year's department workbooks:", "上一年部门工作簿所在文件夹："),
    "macro.q.plan_folder": ("Folder of the approved plan (plan-YYYY):", "已批准计划所在文件夹（plan-YYYY）："),
    "macro.q.plan_registers": ("Folder of the departments' registers:", "各部门登记簿所在文件夹："),
    "macro.q.plan_a": ("First plan version (folder):", "第一个计划版本（文件夹）："),
    "macro.q.plan_b": ("Second plan version (folder):", "第二个计划版本（文件夹）："),
    "macro.plan-published": ("Published the {year} plan into {count} register(s) in {folder}.",
                             "已将 {year} 年计划发布到 {folder} 中的 {count} 个登记簿。"),
    "macro.plan-drafted": ("Drafted the {year} plan: {count} department workbook(s) and {summary}.",
                           "已编制 {year} 年计划：{count} 个部门工作簿及 {summary}。"),
})

#: The subfolder of the registers' folder the Publish plan button writes its copies into.
PUBLISHED_FOLDER = "published"


def draft_plan(book: Any = None) -> Path | None:
    """Ask for the year, the settings file and the history; draft the plan; open ``plan-YYYY.xlsx``."""
    return run(book, _draft_plan)


def _draft_plan(run: Run) -> Path | None:
    year = check_year(run.ask("plan_year", str(dt.date.today().year + 1)) or "")
    settings = run.ask("plan_settings", "")
    db = os.environ.get(DB_ENV) or None
    paths: list[Path] = []
    if db is None:
        answer = run.ask("plan_history", str(run.folder()))
        if not answer or not Path(answer).expanduser().is_dir():
            raise ToolkitError("macro.not-folder", path=str(answer))
        paths = [Path(answer).expanduser()]
    out = (paths[0] if paths else run.folder()) / f"plan-{year}"
    with run.source(standards=db is None, paths=paths, db=db) as source:
        result = draft(source, year, settings=settings or None, out_dir=out, lang=run.lang)
    run.port.message(t("macro.plan-drafted", run.lang, year=year, count=len(result.workbooks),
                       summary=result.summary))
    if result.summary is not None:
        run.port.open_file(result.summary)
    return result.summary


def publish_plan(book: Any = None) -> Path | None:
    """Ask for the approved plan folder and the registers' folder; publish into copies in ``published`` there."""
    return run(book, _publish_plan)


def _publish_plan(run: Run) -> Path | None:
    plan = run.chosen_folder("plan_folder")
    registers = run.chosen_folder("plan_registers")
    target = registers / PUBLISHED_FOLDER
    result = publish(plan, registers, out_dir=target, in_place=False)
    run.port.message(t("macro.plan-published", run.lang, year=result.year, count=len(result.departments),
                       folder=target))
    return target


def compare_versions(book: Any = None) -> Path | None:
    """Ask for two plan versions; write their differences beside the second and open them."""
    return run(book, _compare_versions)


def _compare_versions(run: Run) -> Path | None:
    a = run.chosen_folder("plan_a")
    b = run.chosen_folder("plan_b")
    diff = compare_plans(a, b)
    path = write_compare(b.parent / f"compare-{a.name}-{b.name}.xlsx", diff, compare_totals(diff), run.lang)
    run.port.open_file(path)
    return path
