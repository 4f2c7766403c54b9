"""Candidates for promotion (issue 31; docs/appraisal.md): people ranked on a year's quarter scores, their trend
and consistency, tenure, training hours and managers' reviews, each with the reasons in words.

Points out of 100 (the weights are this module's constants, stated in docs/appraisal.md):
performance 40 × min(mean quarter score, 120%) / 120%; reviews 25 × mean review / 100 (none: 0);
trend 10 × (0.5 + 2.5 × (last − first quarter score)) within 0..10; consistency 10 × max(0, 1 − σ / 20 %);
training 10 × min(hours / 16, 1); tenure 5 × min(months / 36, 1).

Tenure (``tenure``): whole calendar months from the Roster's Start Date to the end of the last month known (the
Leave Date when earlier; both days served: 2026-01-01 to 2026-06-30 is 6 months, 2024-03-15 to 2026-12-31 is 33); someone without a Start Date is counted on the months of the year they were scored in
(3 per quarter), and the reasons say so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

POINTS = {"performance": 40.0, "reviews": 25.0, "trend": 10.0, "consistency": 10.0, "training": 10.0, "tenure": 5.0}
#: Hours of training that earn the full training points; months of tenure that earn the full tenure points.
FULL_HOURS = 16.0
FULL_TENURE = 36.0
#: Below this mean review a person's reviews are called poor.
POOR_REVIEW = 60.0

_WORDS: dict[str, tuple[str, str]] = {
    "performance": ("mean quarter score {v:.0%}", "季度平均得分 {v:.0%}"),
    "trend-up": ("rising ({v:+.0%} from first to last quarter)", "上升（首末季度 {v:+.0%}）"),
    "trend-down": ("falling ({v:+.0%} from first to last quarter)", "下降（首末季度 {v:+.0%}）"),
    "trend-flat": ("steady over the quarters", "各季度平稳"),
    "uneven": ("uneven quarters (σ {v:.0%})", "各季度波动大（σ {v:.0%}）"),
    "consistent": ("consistent quarters (σ {v:.0%})", "各季度稳定（σ {v:.0%}）"),
    "reviews-poor": ("poor managers' reviews ({v:.0f}/100)", "经理考评较差（{v:.0f}/100）"),  # not money: a score or a count
    "reviews-good": ("managers' reviews {v:.0f}/100", "经理考评 {v:.0f}/100"),  # not money: a score or a count
    "reviews-none": ("no managers' reviews", "没有经理考评"),
    "training-none": ("no training this year", "本年度未参加培训"),
    "training": ("{v:g} hours of training", "培训 {v:g} 学时"),
    "tenure": ("{v:.0f} months since joining", "入职 {v:.0f} 个月"),  # not money: a score or a count
    "tenure-scored": ("{v:.0f} months in the files (no Start Date on the Roster)",  # not money: a count
                      "在档 {v:.0f} 个月（名册无入职日期）"),  # not money: a count
}


def reason_text(keys: list[tuple[str, float]], lang: str = "en") -> str:
    """The reasons of one candidate in ``lang``, joined."""
    i = 1 if lang == "zh" else 0
    return ("；" if lang == "zh" else "; ").join(_WORDS[k][i].format(v=v) for k, v in keys)


def tenure(roster: pd.DataFrame, ids: pd.Series, end: pd.Timestamp, scored_months: pd.Series) -> pd.DataFrame:
    """``tenure_months`` and ``tenure_basis`` (``start``: from the Roster's Start Date to ``end`` or the Leave
    Date when earlier, whole months; ``scored``: no Start Date, ``scored_months`` of the employee) for ``ids``."""
    key = roster["employee_id"].astype("string").str.strip()
    first = roster.assign(_k=key).dropna(subset=["_k"]).drop_duplicates("_k").set_index("_k")
    dates = {c: pd.to_datetime(first[c], errors="coerce") if c in first else pd.Series(pd.NaT, index=first.index)
             for c in ("start_date", "leave_date")}
    start = ids.map(dates["start_date"])
    stop = ids.map(dates["leave_date"]).where(lambda d: d < end, end)
    after = pd.to_datetime(stop) + pd.Timedelta(days=1)  # the first day not served
    start = pd.to_datetime(start)
    months = (after.dt.year * 12 + after.dt.month) - (start.dt.year * 12 + start.dt.month) \
        - (after.dt.day < start.dt.day).astype("int64")
    months = np.maximum(months.astype("float64").fillna(0.0), 0.0)
    has_start = start.notna().to_numpy(dtype=bool)
    scored = ids.map(scored_months).astype("float64").fillna(0.0)
    return pd.DataFrame({"tenure_months": np.where(has_start, months, scored).astype("int64"),
                         "tenure_basis": np.where(has_start, "start", "scored")}, index=ids.index)


def candidates(quarters: pd.DataFrame, people: pd.DataFrame, reviews: pd.Series, hours: pd.Series,
               lang: str = "en") -> pd.DataFrame:
    """Ranked candidates: ``quarters`` (employee_id, quarter, score), ``people`` (employee_id, name, department,
    role, tenure_months, optionally tenure_basis), ``reviews`` (mean review 0-100 per employee_id) and ``hours`` (training hours per
    employee_id). Only people with a score in some quarter are ranked."""
    q = quarters.dropna(subset=["score"]).sort_values(["employee_id", "quarter"])
    g = q.groupby("employee_id")["score"]
    stats = pd.DataFrame({"mean_score": g.mean(), "first": g.first(), "last": g.last(),
                          "sigma": g.std(ddof=0), "quarters": g.size()})
    out = people.merge(stats, left_on="employee_id", right_index=True, how="inner")
    out["trend"] = out["last"] - out["first"]
    out["review"] = out["employee_id"].map(reviews).astype("float64")
    out["hours"] = out["employee_id"].map(hours).astype("float64").fillna(0.0)
    perf = POINTS["performance"] * np.minimum(out["mean_score"], 1.2) / 1.2
    rev = POINTS["reviews"] * out["review"].fillna(0.0) / 100.0
    trend = POINTS["trend"] * np.clip(0.5 + 2.5 * out["trend"], 0.0, 1.0)
    cons = POINTS["consistency"] * np.maximum(0.0, 1.0 - out["sigma"] / 0.2)
    train = POINTS["training"] * np.minimum(out["hours"] / FULL_HOURS, 1.0)
    tenure = POINTS["tenure"] * np.minimum(out["tenure_months"].astype("float64") / FULL_TENURE, 1.0)
    out["points"] = perf + rev + trend + cons + train + tenure
    reasons = []
    for rec in out.to_dict("records"):
        keys: list[tuple[str, float]] = [("performance", rec["mean_score"])]
        keys.append(("trend-up" if rec["trend"] > 0.02 else "trend-down" if rec["trend"] < -0.02 else "trend-flat",
                     rec["trend"]))
        keys.append(("uneven" if rec["sigma"] > 0.1 else "consistent", rec["sigma"]))
        r = rec["review"]
        keys.append(("reviews-none", 0.0) if pd.isna(r) else ("reviews-poor" if r < POOR_REVIEW else "reviews-good", r))
        keys.append(("training-none", 0.0) if rec["hours"] <= 0 else ("training", rec["hours"]))
        keys.append(("tenure-scored" if rec.get("tenure_basis") == "scored" else "tenure", rec["tenure_months"]))
        reasons.append(reason_text(keys, lang))
    out["reasons"] = reasons
    out = out.sort_values(["points", "employee_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out[["rank", "employee_id", "name", "department", "role", "points", "mean_score", "trend", "sigma",
                "review", "hours", "tenure_months", "reasons"]]
