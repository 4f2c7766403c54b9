"""A person's performance file as workbook sheets (native Excel charts), from a ``core.performance.Year``
(the PDF page is ``toolkit.report.performance``).

Sheets: Summary (YTD), Months (month × indicator: targets, actuals, completion, RAG, rank), Pay (royalty
paid, YTD royalty, floating pay, score, grade, coefficient), Charts (actual vs target, completion vs time
progress), Findings (policy findings on the person's rows), Feedback (market feedback they own).
With the years gathered (issue 31, ``core.performance.History``): Years and Quarters (score, grade, ranks,
mean review, training hours and pay of every stored year, charted by quarter), Reviews and Training (the
person's rows of those years).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..core import appraisal as A
from ..core.performance import Year
from ..io.writer import ChartSpec, SheetFrame
from ..money import fmt_money, round_series
from ..schema import enums as E
from .labels import label
from .statements import safe_stem
from .text import percent_text
from ..i18n import t

MONTH_COLUMNS = ["period", "source_period", "indicator", "month_target", "month_actual", "month_completion",
                 "ytd_target", "ytd_actual", "ytd_completion", "time_progress", "rag", "rank"]
PAY_COLUMNS = ["period", "source_period", "royalty_payment", "ytd_royalty", "floating_pay", "appraised_on", "score",
               "grade", "coefficient", "reason", "status"]
CHART_INDICATORS = ("Signing", "Collection")
_KEYS = {"period": "pf.period", "source_period": "pf.source_period", "royalty_payment": "pf.royalty_payment",
         "floating_pay": "st.floating_pay", "royalty_paid": "pf.royalty_payment",
         "floating_paid": "pf.floating_pay_paid", "total_paid": "pf.total_paid", "ranked": "pf.ranked",
         "review": "cand.review", "training_hours": "training.hours"}
HISTORY_COLUMNS = ["window", "score", "grade", "department_rank", "company_rank", "ranked", "review",
                   "training_hours", "royalty_paid", "floating_paid", "total_paid"]


def file_stem(year: int, employee_id: str, name: Any) -> str:
    """``performance-2026-E1002-Ma Jie``, safe as a file name on Windows."""
    return safe_stem(f"performance-{year}-{employee_id}-{name if isinstance(name, str) else ''}")


def header(c: str, lang: str) -> str:
    return label(_KEYS.get(c, c), lang)


def months_frame(mine: dict[str, pd.DataFrame], lang: str) -> pd.DataFrame:
    m = mine["months"].reindex(columns=MONTH_COLUMNS).copy()
    m["indicator"] = m["indicator"].map(lambda v: E.INDICATOR.label(v, lang), na_action="ignore")
    m["rag"] = m["rag"].map(lambda v: label(v, lang) if isinstance(v, str) else None)
    return m.rename(columns=lambda c: header(c, lang))


def pay_frame(mine: dict[str, pd.DataFrame], lang: str) -> pd.DataFrame:
    p = mine["pay"].rename(columns={"basis": "appraised_on"}).reindex(columns=PAY_COLUMNS).copy()
    p["appraised_on"] = p["appraised_on"].map(lambda v: label(f"appraisal.{v}", lang) if isinstance(v, str) else None)
    p["reason"] = p["reason"].map(lambda v: A.reason_text(v, lang) or None)
    p["grade"] = p["grade"].astype(object).where(p["grade"].notna(), None)
    p["status"] = p["status"].map(lambda v: "" if v == "computed" else label(v, lang) if isinstance(v, str) else None)
    return p.rename(columns=lambda c: header(c, lang))


def chart_frame(mine: dict[str, pd.DataFrame], lang: str) -> pd.DataFrame:
    """Wide by month: targets and actuals of Signing and Collection, every indicator's YTD completion, time progress.
    Each value is the first row's of its indicator and month, found by position in one pass over the rows (a group,
    index and reindex per indicator cost a quarter of a person's sheets, issue 24); a month an indicator has no row
    in is the column's missing value (``reindex`` to the position -1, none)."""
    m = mine["months"].reset_index(drop=True)  # positions are labels
    keys = list(zip(m["indicator"].tolist(), m["period"].tolist()))
    first: dict[Any, int] = {}  # (indicator, month) -> its first row
    month: dict[Any, int] = {}  # month -> its first row, whatever its indicator (time progress)
    for i, key in enumerate(keys):
        first.setdefault(key, i)
        month.setdefault(key[1], i)
    periods = list(month)
    indicators = {ind for ind, _ in keys if not pd.isna(ind)}  # as groupby: no group for a missing indicator

    def column(ind: str, col: str) -> list[Any]:
        if ind not in indicators:
            return [None] * len(periods)
        return m[col].reindex([first.get((ind, p), -1) for p in periods]).tolist()

    out: dict[str, list[Any]] = {label("pf.period", lang): periods}  # one frame made at the end: each column
    for ind in CHART_INDICATORS:                                       # inferred as when set one by one
        name = E.INDICATOR.label(ind, lang)
        out[label("pf.target", lang, indicator=name)] = column(ind, "month_target")
        out[label("pf.actual", lang, indicator=name)] = column(ind, "month_actual")
    for ind in E.INDICATOR.values:
        out[label("pf.ytd_completion", lang, indicator=E.INDICATOR.label(ind, lang))] = column(ind, "ytd_completion")
    out[label("time_progress", lang)] = m["time_progress"].reindex(list(month.values())).tolist()
    return pd.DataFrame(out)


def summary_frame(year: int, person: dict[str, Any], employee_id: str, mine: dict[str, pd.DataFrame],
                  lang: str) -> pd.DataFrame:
    """Who, the months known, YTD per indicator at the last month, royalties and floating pay of the year."""
    m, p = mine["months"], mine["pay"]
    rows: list[dict[str, Any]] = [
        {"item": label("employee_id", lang), "value": employee_id},
        {"item": label("name", lang), "value": person.get("name")},
        {"item": label("department", lang), "value": person.get("department")},
        {"item": label("role", lang), "value": E.ROLE.label(person["role"], lang) if person.get("role") else None},
        {"item": label("pf.months", lang), "value": f"{m['period'].min()} … {m['period'].max()}" if len(m) else None},
    ]
    if len(m):
        last = m["period"].max()
        # to_dict boxes as the records it replaces did (a nullable column's NA as None, not pd.NA)
        cols = m[["period", "indicator", "ytd_actual", "ytd_target", "ytd_completion"]].to_dict("list")
        for i in (i for i, period in enumerate(cols["period"]) if period == last):  # the last month's rows
            r = {c: values[i] for c, values in cols.items()}
            if pd.isna(r["ytd_actual"]) and pd.isna(r["ytd_target"]):
                continue  # not computed that month: no figure to quote
            rows.append({"item": label("pf.ytd", lang, indicator=E.INDICATOR.label(r["indicator"], lang),
                                       actual=fmt_money(r["ytd_actual"], grouped=True, blank=""), target=fmt_money(r["ytd_target"], grouped=True, blank=""),
                                       completion=percent_text(r["ytd_completion"])),
                         "amount": r["ytd_actual"]})
    if len(p) and (p["status"] == "not-computed").all():
        rows.append({"item": label("st.status", lang), "value": label("not-computed", lang)})
    elif len(p):
        paid = round_series(p["royalty_payment"].astype("float64")).sum()
        rows.append({"item": label("pf.royalties_paid", lang), "amount": round(float(paid), 2)})
        rows.append({"item": label("ytd_royalty", lang), "amount": p["ytd_royalty"].iloc[-1]})
        rows.append({"item": label("pf.floating_paid", lang),
                     "amount": round(float(round_series(p["floating_pay"].astype("float64")).sum()), 2)})
        grade, basis = p["grade"].iloc[-1], p["basis"].iloc[-1]
        if p["status"].iloc[-1] == "not-computed":  # never a grade (nor appraisal.nan) for someone left out
            grade = label("not-computed", lang)
        elif not isinstance(grade, str):
            grade = label(f"appraisal.{basis}", lang) if isinstance(basis, str) else None
        rows.append({"item": label("pf.last_grade", lang), "value": grade})
    frame = pd.DataFrame(rows).reindex(columns=["item", "value", "amount"])
    return frame.set_axis([label("item", lang), label("pf.value", lang), label("st.amount", lang)], axis=1)


def _grade(row: dict[str, Any], lang: str) -> Any:
    """The grade, or what stands in for it: the default coefficient's basis (never a raw key)."""
    if isinstance(row.get("grade"), str):
        return row["grade"]
    basis = row.get("basis")
    return label(f"appraisal.{basis}", lang) if isinstance(basis, str) else None


def history_frame(mine: dict[str, pd.DataFrame], lang: str, quarters: bool) -> pd.DataFrame:
    """The person's quarters (``2026-Q1``) or years (``2026``) of every stored year, headers in ``lang``; built from
    the columns as lists (a handful of rows: pandas' filtering, records and renaming cost more than the values)."""
    h = mine.get("history", pd.DataFrame(columns=["quarter"]))
    cols = {c: h[c].tolist() for c in h.columns}
    keep = [i for i, q in enumerate(cols["quarter"]) if pd.isna(q) != quarters]
    rows = {c: [cols[c][i] for i in keep] if c in cols else [None] * len(keep)
            for c in ("year", "quarter", "basis", *HISTORY_COLUMNS[1:])}
    window = [f"{y}-Q{int(q)}" if quarters else str(y) for y, q in zip(rows["year"], rows["quarter"])]
    rows["grade"] = [_grade({"grade": g, "basis": b}, lang) for g, b in zip(rows["grade"], rows["basis"])]
    for c in ("department_rank", "company_rank", "ranked"):
        rows[c] = pd.array(rows[c], dtype="Int64") if keep else rows[c]
    return pd.DataFrame({label("pf.quarter" if quarters else "pf.year", lang): window,
                         **{header(c, lang): rows[c] for c in HISTORY_COLUMNS[1:]}})


def _relabelled(frame: pd.DataFrame, prefix: str, lang: str) -> pd.DataFrame:
    """``frame`` without its employee column, each other column's header ``label(prefix + column)``."""
    out = frame.drop(columns=["employee_id"])
    return out.set_axis([label(f"{prefix}{c}", lang) for c in out.columns], axis=1)


def reviews_frame(mine: dict[str, pd.DataFrame], lang: str) -> pd.DataFrame:
    return _relabelled(mine.get("reviews", pd.DataFrame(columns=["employee_id"])), "reviews.", lang)


def training_frame(mine: dict[str, pd.DataFrame], lang: str) -> pd.DataFrame:
    return _relabelled(mine.get("training", pd.DataFrame(columns=["employee_id"])), "training_row.", lang)


def history_sheets(mine: dict[str, pd.DataFrame], lang: str) -> list[SheetFrame]:
    """Years, Quarters (charted: the score, and the pay), Reviews and Training; none without a history."""
    if "history" not in mine:
        return []
    years, quarters = history_frame(mine, lang, False), history_frame(mine, lang, True)
    cols = list(quarters.columns)
    below = len(quarters) + 3  # under the table: the sheet prints on a page's width, charts included
    charts = (ChartSpec(label("pf.chart.score", lang), cols[0], (header("score", lang),), "line",
                        anchor=f"A{below}", y_format="0%"),
              ChartSpec(label("pf.chart.pay", lang), cols[0], (header("royalty_paid", lang),
                                                                header("floating_paid", lang)), "column",
                        anchor=f"A{below + 16}"))
    fmts = {header(c, lang): "money" for c in ("royalty_paid", "floating_paid", "total_paid")} | {
        header("score", lang): "percent", header("review", lang): "number",
        header("training_hours", lang): "number"} | {header(c, lang): "integer" for c in (
            "department_rank", "company_rank", "ranked")}
    return [
        SheetFrame(label("pf.sheet.years", lang), years, fmts, table_name="Years"),
        SheetFrame(label("pf.sheet.quarters", lang), quarters, fmts, table_name="Quarters", charts=charts),
        SheetFrame(label("pf.sheet.reviews", lang), reviews_frame(mine, lang),
                   {label("reviews.score", lang): "number"}, table_name="Reviews",
                   wrap=(label("reviews.comment", lang),)),
        SheetFrame(label("pf.sheet.training", lang), training_frame(mine, lang),
                   {label("training_row.date", lang): "date", label("training_row.hours", lang): "number"},
                   table_name="Training"),
    ]


def findings_frame(mine: dict[str, pd.DataFrame], lang: str) -> pd.DataFrame:
    f = mine["findings"]
    frame = pd.DataFrame({"sheet": f["sheet"], "cell": f["cell"], "code": f["code"], "severity": f["severity"],
                          "message": f["message_zh" if lang == "zh" else "message_en"]})
    return frame.rename(columns=lambda c: label(f"finding.{c}", lang))


def feedback_frame(mine: dict[str, pd.DataFrame], lang: str) -> pd.DataFrame:
    f = mine["feedback"].drop(columns=["employee_id"]).copy()
    f["type"] = f["type"].map(lambda v: E.FEEDBACK_TYPE.label(v, lang) if isinstance(v, str) else v)
    return f.rename(columns=lambda c: label(c, lang))


def sheets(data: Year, employee_id: str, person: dict[str, Any], lang: str) -> list[SheetFrame]:
    """The performance file's sheets, the charts bound to the Charts sheet's columns."""
    mine = data.of(employee_id)
    chart = chart_frame(mine, lang)
    cols = list(chart.columns)
    n_target = 1 + 2 * len(CHART_INDICATORS)
    charts = (
        ChartSpec(label("pf.chart.targets", lang), cols[0], tuple(cols[1:n_target]), "column", anchor="L2"),
        ChartSpec(label("pf.chart.completion", lang), cols[0], tuple(cols[n_target:]), "line", anchor="L18",
                  y_format="0%"),
    )
    money = ["month_target", "month_actual", "ytd_target", "ytd_actual"]
    pct = ["month_completion", "ytd_completion", "time_progress"]
    month_fmts = {header(c, lang): "money" for c in money} | {header(c, lang): "percent" for c in pct} | {
        header("rank", lang): "integer"}
    pay_fmts = {header(c, lang): "money" for c in ("royalty_payment", "ytd_royalty", "floating_pay")} | {
        header("score", lang): "percent", header("coefficient", lang): "number"}
    chart_fmts = {c: ("percent" if i >= n_target else "money") for i, c in enumerate(cols) if i}
    return [
        SheetFrame(label("pf.sheet.summary", lang), summary_frame(data.year, person, employee_id, mine, lang),
                   {label("st.amount", lang): "money"}, table_name="Summary"),
        *history_sheets(mine, lang),
        SheetFrame(label("pf.sheet.months", lang), months_frame(mine, lang), month_fmts, table_name="Months",
                   rag=(label("rag", lang),)),
        SheetFrame(label("pf.sheet.pay", lang), pay_frame(mine, lang), pay_fmts, table_name="Pay"),
        SheetFrame(label("pf.sheet.charts", lang), chart, chart_fmts, table_name="ChartData", charts=charts),
        SheetFrame(findings_name(lang), findings_frame(mine, lang),
                   table_name="Findings"),
        SheetFrame(label("pf.sheet.feedback", lang), feedback_frame(mine, lang), {label("date", lang): "date"},
                   table_name="Feedback"),
    ]


def findings_name(lang: str) -> str:
    return t("output.sheet.findings", lang)


