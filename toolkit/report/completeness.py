"""What the report leaves out, said at its top: departments not consolidated and why, and pay lines not computed.

Sources, in order: the ``department-not-consolidated`` findings the month close passes (or that
``store_left_out`` rebuilds from the history store's latest run for the period), then departments of the
standards' Roster that have no workbook in the ledger at all ("no workbook").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..core.findings import Finding
from ..i18n import register, t

if TYPE_CHECKING:
    from ..core.ledger import Ledger

LEFT_OUT = "department-not-consolidated"  # declared in the finding catalog
NOT_COMPUTED = "not-computed"

register({
    "report.left_out.no-workbook": ("no workbook in this run", "本次未收到工作簿"),
    "report.left_out.status.rejected": ("rejected", "已拒收"),
    "report.left_out.status.unreadable": ("unreadable", "无法读取"),
    "report.left_out.status.duplicate": ("duplicate", "重复"),
    "report.left_out.errors": ("{n} error(s)", "{n} 个错误"),
})


def left_out(findings: Iterable[Finding], ledger: Ledger | None = None, lang: str = "en") -> list[dict[str, str]]:
    """Departments not in the figures: ``[{"department", "reason"}]`` from the findings, then Roster
    departments with no data at all in ``ledger``."""
    out: dict[str, str] = {}
    for f in findings:
        if f.code != LEFT_OUT:
            continue
        name = str(f.value or (Path(f.file).stem if f.file else "?"))
        params = f.params or {}
        status = params.get("status_zh" if lang == "zh" else "status") or ""
        reason = str(params.get("reason_zh" if lang == "zh" and params.get("reason_zh") else "reason") or "")
        out.setdefault(name, ("；" if lang == "zh" else "; ").join(x for x in (str(status), reason) if x))
    if ledger is not None:
        roster = ledger.standard("Roster")
        known = set()
        for frame in ledger.tables.values():
            if "department" in frame.columns and len(frame):
                known |= set(frame["department"].dropna().astype(str))
        for dept in roster["department"].dropna().astype(str).drop_duplicates():
            if known and dept not in known and dept not in out:
                out[dept] = t("report.left_out.no-workbook", lang)
    return [{"department": d, "reason": r} for d, r in out.items()]


def pay_status(lines: pd.DataFrame, excluded: Sequence[str]) -> pd.Series:
    """Each pay line's status: ``not-computed`` when the computation says so (its ``status`` column: the
    department was not consolidated) or when the line's department is one the report names as left out;
    blank otherwise."""
    index = lines.index
    dept = lines["department"].astype("object") if "department" in lines.columns else pd.Series("", index=index)
    out = pd.Series(["" if d not in set(excluded) else NOT_COMPUTED for d in dept], index=index, dtype="object")
    if "status" in lines.columns:
        out = out.mask(lines["status"].astype("object") == NOT_COMPUTED, NOT_COMPUTED)
    return out


def store_left_out(store: Any, period: str) -> list[Finding]:
    """The ``department-not-consolidated`` findings of the store's latest run for ``period`` (for
    ``toolkit report --db``): department sources it rejected or could not read, with the reason recorded, each
    followed by the validation findings recorded with it (errors and warnings: the Data quality section lists
    them as the close's report and a report from the files do)."""
    runs = sorted((r for r in store.runs(period) if r.period == period), key=lambda r: r.id)
    if not runs:
        return []
    out = []
    loaded = {s.department for s in store.current(period)}
    for src in store.sources(runs[-1].id):
        if src.kind == "standards" or src.status in ("loaded", "unchanged", "skipped"):
            continue
        if src.department and src.department in loaded:
            continue  # an earlier snapshot of it is current: its figures are in
        reason = src.reason or (t("report.left_out.errors", "en", n=src.errors) if src.errors else "")
        reason_zh = t("report.left_out.errors", "zh", n=src.errors) if src.errors else reason
        known = src.status in ("rejected", "unreadable", "duplicate")
        out.append(Finding(LEFT_OUT, file=src.path, value=src.department or Path(src.path).stem,
                           params={"status": t(f"report.left_out.status.{src.status}", "en") if known else src.status,
                                   "status_zh": t(f"report.left_out.status.{src.status}", "zh") if known
                                   else src.status, "reason": reason, "reason_zh": reason_zh}))
        out += src.findings or []  # its validation findings, as the close's report lists them
    return out
