"""Floating salary from the appraisal score (DOMAIN.md, "Computation", Floating salary).

score = Σ weight × value over the Appraisal indicators, value = min(YTD completion, 120 %); for
Expense (lower is better) value = min(max(0, 2 − completion), 120 %). A missing completion (no
target) counts 0 and raises a warning. The score's band [Score From, Score To) (blank To:
unbounded) gives Grade and Coefficient; pay = Floating Base × Coefficient, rounded to cents.

Who is appraised on what (issue 13; docs/statements.md): a Salesperson on their own completion; a
Manager on their department's completion (the Thresholds entry "Manager On Department" = 0 appraises
managers on their own Plan rows instead); Staff, and anyone whose basis has no completion on any
appraisal indicator, get the standards' "Default Coefficient" (Thresholds, default 1.0) with the
reason stated in ``lines.reason`` — never the lowest band for lack of a plan.

Review items (issue 31; docs/appraisal.md): an Appraisal weight whose name is not an indicator is a review item;
its value is the mean of the person's Reviews scores for that item over the year's quarters up to the period's,
divided by 100 (so 0..1, never above 100 %); no review counts 0 and raises a warning. Indicators and review items
are blended by their weights (which add up to 100 %, else the standards are stopped).

The function takes a completion frame (employee_id, indicator, ytd_completion), so it does not
depend on how completion is computed; ``compute_appraisal`` adapts ``toolkit.core.completion``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..money import fmt_money, round_series
from ..schema import STANDARDS
from ..schema import enums as E
from .validation.reviews import parse_quarter
from .coverage import COMPUTED, NOT_COMPUTED, NOT_CONSOLIDATED, coverage_status, ledger_departments
from .findings import Finding
from .ledger import per_ledger, thresholds
from .people import employment, roster_at
from .periods import year_month
from .royalties import monthly_payments
from .versions import table_in_force

if TYPE_CHECKING:
    from .ledger import Ledger

#: Completion counted at most this much per indicator.
COMPLETION_CAP = 1.2
#: Indicators where spending less is better: 2 − completion is counted instead.
LOWER_IS_BETTER = frozenset({"Expense"})
assert LOWER_IS_BETTER <= set(E.INDICATOR.values)
_DECIMALS = 9

_WEIGHTS = STANDARDS.table("Appraisal")
_BANDS = STANDARDS.table("AppraisalBands")


@dataclass
class AppraisalResult:
    """Floating salary per employee and the indicator terms behind each score.

    ``lines``: employee_id, name, department, role, basis (``own``/``department``/``default``), score
    (blank for ``default``), grade, coefficient, floating_base, pay, reason (a ``REASONS`` key: why this
    basis; blank for a salesperson on their own completion), status (``computed``, or ``not-computed`` when
    the department is not consolidated: no score, no pay, out of the totals).
    ``terms``: employee_id, indicator, weight, ytd_completion, review (mean review score 0-100, review items
    only), value (as counted), points (weight × value); for ``department`` the department's completion on the
    indicators (review items stay the person's own), none for ``default``.
    """

    period: str | None
    lines: pd.DataFrame
    terms: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """JSON form: money as "1234.50" strings, ratios as numbers."""
        terms = _records_by(self.terms, "employee_id")
        rows = []
        for rec in self.lines.to_dict("records"):
            emp = rec["employee_id"]
            if rec.get("status") == NOT_COMPUTED:
                rows.append({"employee_id": emp, "name": _opt(rec["name"]), "department": _opt(rec["department"]),
                             "role": _opt(rec["role"]), "basis": None, "reason": NOT_CONSOLIDATED,
                             "reason_text": reason_text(NOT_CONSOLIDATED, lang), "status": NOT_COMPUTED, "score": None, "grade": None,
                             "coefficient": None, "floating_base": fmt_money(rec["floating_base"]), "pay": None,
                             "terms": []})
                continue
            rows.append({
                "employee_id": rec["employee_id"], "name": _opt(rec["name"]), "department": _opt(rec["department"]),
                "role": _opt(rec["role"]), "basis": rec["basis"], "reason": _opt(rec["reason"]),
                "reason_text": reason_text(rec["reason"], lang),
                "score": _ratio(rec["score"]), "grade": _opt(rec["grade"]), "coefficient": _ratio(rec["coefficient"]),
                "floating_base": fmt_money(rec["floating_base"]), "pay": fmt_money(rec["pay"]), "status": COMPUTED,
                "terms": [{"indicator": t["indicator"], "weight": _ratio(t["weight"]),
                           "ytd_completion": _ratio(t["ytd_completion"]), "review": _ratio(t["review"]),
                           "value": _ratio(t["value"]),
                           "points": _ratio(t["points"])} for t in terms.get(emp, ())],
            })
        done = self.lines[self.lines["status"] == COMPUTED]
        total = int(np.rint(round_series(done["pay"]).sum() * 100)) if len(done) else 0
        return {"period": self.period, "salaries": rows,
                "totals": {"employees": len(done), "pay": fmt_money(total / 100),
                           "not_computed": int(len(self.lines) - len(done))},
                "findings": [f.to_dict(lang) for f in self.findings]}


def _records_by(frame: pd.DataFrame, key: str) -> dict[Any, list[dict[str, Any]]]:
    """``frame``'s rows as records, by their ``key`` value in frame order (``groupby(key).get_group``'s rows, rows
    with a blank key left out as groupby leaves them): one ``to_dict`` for the whole frame instead of one per group,
    whose fixed cost was most of the salary JSON's."""
    out: dict[Any, list[dict[str, Any]]] = {}
    keys = frame[key]
    for k, present, rec in zip(keys.tolist(), keys.notna().tolist(), frame.to_dict("records")):
        if present:
            out.setdefault(k, []).append(rec)
    return out


def _opt(x: Any) -> Any:
    return None if x is None or (not isinstance(x, str) and pd.isna(x)) else x


def _ratio(x: Any) -> float | None:
    return None if x is None or pd.isna(x) else round(float(x), 6)


def _text(s: pd.Series) -> pd.Series:
    out = s.astype("string").str.strip()
    empty = out == ""
    return out.mask(empty) if empty.any() else out


def _look_up(keys: list[pd.Series], right: pd.DataFrame, on: list[str], value: str) -> np.ndarray:
    """``right[value]`` at each row of ``keys`` (NaN where ``right`` has no such row): a left merge's column on
    keys unique in ``right``, by a dict look-up per row instead of a merge of frames (blank keys match blank
    keys, as a merge's do)."""
    table = dict(zip(zip(*(right[c].tolist() for c in on)), right[value].tolist()))
    return np.array([table.get(k, np.nan) for k in zip(*(k.tolist() for k in keys))], dtype="float64")


#: Why an employee is appraised the way they are (``lines.reason``), in both languages.
REASONS: dict[str, tuple[str, str]] = {
    "manager-department": ("Manager: appraised on the department's completion", "经理：按所在部门完成率考核"),
    "staff-default": ("Staff: no sales targets, default coefficient", "职员：无销售目标，按默认系数"),
    "no-targets": ("No targets on any appraisal indicator, default coefficient", "考核指标均无目标，按默认系数"),
    "department-no-targets": ("The department has no targets on any appraisal indicator, default coefficient",
                              "所在部门考核指标均无目标，按默认系数"),
    NOT_CONSOLIDATED: ("Not computed: the department was not consolidated", "未计算：部门未汇总"),
}
#: Defaults of the Thresholds entries this module reads (also in ``THRESHOLD_DEFAULTS``).
DEFAULT_COEFFICIENT = "Default Coefficient"
MANAGER_ON_DEPARTMENT = "Manager On Department"


def reason_text(reason: Any, lang: str = "en") -> str:
    """The stated reason of an appraisal line in ``lang`` ("" when there is none)."""
    if reason is None or (not isinstance(reason, str) and pd.isna(reason)) or reason not in REASONS:
        return ""
    return REASONS[reason][1 if lang == "zh" else 0]


def _bases(staff: pd.DataFrame, manager_on_department: bool) -> pd.Series:
    """Each employee's basis by role: own (Salesperson, unknown roles), department (Manager), default (Staff)."""
    role = staff["role"].fillna("")
    basis = np.where(role == "Staff", "default",
                     np.where((role == "Manager") & manager_on_department, "department", "own"))
    return pd.Series(basis, index=staff.index)


def appraisal(completion: pd.DataFrame, roster: pd.DataFrame, weights: pd.DataFrame, bands: pd.DataFrame,
              period: str | None = None, *, department_completion: pd.DataFrame | None = None,
              default_coefficient: float = 1.0, manager_on_department: bool = True,
              departments: Collection[str] | None = None, absent_people: Collection[str] = (),
              employed: pd.Series | None = None, reviews: pd.DataFrame | None = None) -> AppraisalResult:
    """Score, grade, coefficient and floating pay for every Roster employee with a Floating Base.

    ``employed``: each employee's share of the month employed (``toolkit.core.people.employment``): pay is
    prorated by it, and people with no share (before their start month, after their leave month) are left out.

    ``departments``: the departments consolidated; employees of other Roster departments are "not computed"
    (no score, grade or pay; never the lowest grade) and stay out of the totals.

    ``completion``: employee_id, indicator, ytd_completion (fraction; missing when there is no target).
    ``department_completion``: department, indicator, ytd_completion — what managers are appraised on.
    ``reviews``: employee_id, period (``YYYY-Qn``), item, score (0-100) — what the review items are scored on.
    """
    findings: list[Finding] = []
    # the weights and bands in force in the month appraised (Valid From; docs/people.md)
    weights, bands = table_in_force(weights, period), table_in_force(bands, period)
    staff = pd.DataFrame({
        "employee_id": _text(roster["employee_id"]), "name": _text(roster["name"]),
        "department": _text(roster["department"]),
        "role": _text(roster["role"]) if "role" in roster else pd.Series(pd.NA, index=roster.index, dtype="string"),
        "floating_base": pd.to_numeric(roster["floating_base"], errors="coerce").astype("float64"),
    })
    staff = staff[staff["employee_id"].notna() & staff["floating_base"].notna()].drop_duplicates("employee_id")
    share = pd.Series(1.0, index=staff.index)
    if employed is not None and len(employed):
        share = staff["employee_id"].map(employed).astype("float64").fillna(1.0)
        staff, share = staff[share > 0], share[share > 0]
    status = coverage_status(staff["department"], departments, staff["employee_id"], absent_people)
    skipped = staff[status == NOT_COMPUTED]
    staff, share = staff[status == COMPUTED], share[status == COMPUTED]
    staff = staff.assign(basis=_bases(staff, manager_on_department), _share=share).reset_index(drop=True)
    w = pd.DataFrame({"indicator": _text(weights["indicator"]),
                      "weight": pd.to_numeric(weights["weight"], errors="coerce").astype("float64")})
    w = w.dropna().drop_duplicates("indicator")
    total_weight = float(w["weight"].sum())
    if len(w) and abs(total_weight - 1.0) > 1e-6:
        findings.append(Finding("appraisal-weights", sheet=_WEIGHTS.sheet.en, value=f"{total_weight:.2%}"))

    comp = pd.DataFrame({"employee_id": _text(completion["employee_id"]), "indicator": _text(completion["indicator"]),
                         "ytd_completion": pd.to_numeric(completion["ytd_completion"], errors="coerce")
                         .astype("float64")}).drop_duplicates(["employee_id", "indicator"])
    if department_completion is not None and len(department_completion):
        dept = pd.DataFrame({"department": _text(department_completion["department"]),
                             "indicator": _text(department_completion["indicator"]),
                             "ytd_completion": pd.to_numeric(department_completion["ytd_completion"], errors="coerce")
                             .astype("float64")}).drop_duplicates(["department", "indicator"])
    else:
        dept = pd.DataFrame({"department": pd.Series(dtype="string"), "indicator": pd.Series(dtype="string"),
                             "ytd_completion": pd.Series(dtype="float64")})
    terms = staff[["employee_id", "department", "basis"]].merge(w, how="cross")
    own = _look_up([terms["employee_id"], terms["indicator"]], comp, ["employee_id", "indicator"], "ytd_completion")
    by_dept = _look_up([terms["department"], terms["indicator"]], dept, ["department", "indicator"], "ytd_completion")
    terms["ytd_completion"] = np.where(terms["basis"] == "department", by_dept, own)
    is_item = ~terms["indicator"].isin(E.INDICATOR.values).to_numpy(dtype=bool)
    terms.loc[is_item, "ytd_completion"] = np.nan
    means = review_means(reviews, period)
    terms["review"] = _look_up([terms["employee_id"], terms["indicator"].str.casefold()], means,
                               ["employee_id", "item"], "review")
    # nobody is scored 0 for lack of a plan: a basis without any completion falls back to the default
    has_any = terms.loc[~is_item & terms["ytd_completion"].notna().to_numpy(dtype=bool), "employee_id"]
    lacking = (staff["basis"] != "default") & ~staff["employee_id"].isin(set(has_any.dropna())).to_numpy(dtype=bool)
    staff["reason"] = np.select(
        [staff["basis"] == "default", lacking & (staff["basis"] == "department"), lacking,
         staff["basis"] == "department"],
        ["staff-default", "department-no-targets", "no-targets", "manager-department"], "")
    staff.loc[lacking, "basis"] = "default"
    staff["reason"] = staff["reason"].replace("", None)
    # the terms of the people still scored (an inner merge on the staff's bases, then the non-default rows, was this)
    scored_ids = set(staff.loc[staff["basis"] != "default", "employee_id"])
    terms = terms[terms["employee_id"].isin(scored_ids).to_numpy(dtype=bool)]
    terms = terms.drop(columns="basis").reset_index(drop=True)
    c = terms["ytd_completion"].to_numpy(dtype="float64", na_value=np.nan)
    flip = terms["indicator"].isin(LOWER_IS_BETTER).to_numpy()
    value = np.where(flip, np.maximum(0.0, 2.0 - c), c)
    item = ~terms["indicator"].isin(E.INDICATOR.values).to_numpy(dtype=bool)
    value = np.where(item, terms["review"].to_numpy(dtype="float64", na_value=np.nan) / 100.0,
                     np.minimum(value, COMPLETION_CAP))
    terms["value"] = np.nan_to_num(value, nan=0.0)
    terms["points"] = terms["weight"] * terms["value"]
    for emp, group in terms[item & terms["review"].isna().to_numpy(dtype=bool)].groupby("employee_id", sort=True):
        findings.append(Finding("appraisal-no-review", value=emp, params={"items": ", ".join(group["indicator"])}))
    missing = terms[terms["ytd_completion"].isna() & ~item]
    for emp, group in missing.groupby("employee_id", sort=True):
        inds = list(group["indicator"])
        findings.append(Finding("appraisal-no-completion", value=emp, params={
            "indicators": ", ".join(inds), "indicators_zh": "、".join(E.INDICATOR.label(i, "zh") for i in inds)}))

    score = terms.groupby("employee_id")["points"].sum()
    scored = staff["basis"] != "default"
    # float64 throughout: mapping an empty column keeps its (string) dtype, and Arrow strings do not multiply
    lines = staff.assign(score=staff["employee_id"].map(score).astype("float64").fillna(0.0).where(scored))
    b = pd.DataFrame({"score_from": pd.to_numeric(bands["score_from"], errors="coerce").astype("float64"),
                      "score_to": pd.to_numeric(bands["score_to"], errors="coerce").astype("float64"),
                      "grade": _text(bands["band_grade"]),
                      "coefficient": pd.to_numeric(bands["coefficient"], errors="coerce").astype("float64")})
    b = b.dropna(subset=["score_from", "grade"])
    pairs = lines.loc[scored, ["employee_id", "score"]].merge(b, how="cross")
    s = np.round(pairs["score"].to_numpy(dtype="float64"), _DECIMALS)
    hi = pairs["score_to"].to_numpy(dtype="float64", na_value=np.nan)
    inside = (s >= np.round(pairs["score_from"].to_numpy(dtype="float64"), _DECIMALS)) & (
        np.isnan(hi) | (s < np.round(np.nan_to_num(hi), _DECIMALS)))
    hit = pairs[inside].sort_values("score_from", ascending=False, kind="stable").drop_duplicates("employee_id")
    hit = hit.set_index("employee_id")
    lines["grade"] = lines["employee_id"].map(hit["grade"])
    coefficient = lines["employee_id"].map(hit["coefficient"]).astype("float64").fillna(0.0)
    lines["coefficient"] = coefficient.where(scored, float(default_coefficient))
    # a start or leave month: the month's pay × working days employed ÷ working days (docs/people.md)
    full = lines["floating_base"] * lines["coefficient"]
    lines["pay"] = round_series(full.where(lines["_share"] >= 1.0, full * lines["_share"]))
    for rec in lines[lines["grade"].isna() & scored].to_dict("records"):
        findings.append(Finding("appraisal-no-band", sheet=_BANDS.sheet.en, value=rec["employee_id"],
                                params={"score": f"{rec['score']:.2%}"}))
    for rec in lines[~scored].to_dict("records"):
        findings.append(Finding("appraisal-default", value=rec["employee_id"], params={
            "name": rec["name"], "reason": reason_text(rec["reason"], "en"),
            "reason_zh": reason_text(rec["reason"], "zh"), "coefficient": f"{rec['coefficient']:g}"}))
    lines = pd.concat([lines.assign(status=COMPUTED), skipped.assign(
        basis=None, score=np.nan, grade=None, coefficient=np.nan, pay=np.nan, reason=NOT_CONSOLIDATED,
        status=NOT_COMPUTED)], ignore_index=True)
    lines = lines[["employee_id", "name", "department", "role", "basis", "score", "grade", "coefficient",
                   "floating_base", "pay", "reason", "status"]]
    lines = lines.sort_values(["department", "employee_id"], kind="stable", na_position="last").reset_index(drop=True)
    terms = terms[["employee_id", "indicator", "weight", "ytd_completion", "review", "value", "points"]]
    return AppraisalResult(period, lines, terms.reset_index(drop=True), findings)


def review_means(reviews: pd.DataFrame | None, period: str | None) -> pd.DataFrame:
    """Mean review score (0-100) per employee and item over the period's year up to its quarter (every row when
    ``period`` is None); ``item`` is the item case-folded (compared ignoring case, as the Reviews rule does)."""
    empty = pd.DataFrame({"employee_id": pd.Series(dtype="string"), "item": pd.Series(dtype="string"),
                          "review": pd.Series(dtype="float64")})
    if reviews is None or not len(reviews):
        return empty
    quarter = reviews["period"].map(parse_quarter)
    keep = quarter.notna()
    if period is not None:
        year, month = int(str(period)[:4]), int(str(period)[5:7])
        limit = (year, (month - 1) // 3 + 1)
        keep &= quarter.map(lambda q: q is not None and q[0] == limit[0] and q[1] <= limit[1])
    part = pd.DataFrame({"employee_id": _text(reviews["employee_id"]), "item": _text(reviews["item"]).str.casefold(),
                         "review": pd.to_numeric(reviews["score"], errors="coerce").astype("float64")})[keep.to_numpy(bool)]
    part = part.dropna()
    if not len(part):
        return empty
    return part.groupby(["employee_id", "item"], as_index=False)["review"].mean()


def completion_frame(rows: pd.DataFrame, level: str = "employee") -> pd.DataFrame:
    """Rows of ``toolkit.core.completion.compute_completion`` at ``level`` as (key, indicator, ytd_completion);
    the key column is ``employee_id`` for employees and ``department`` for departments."""
    part = rows[rows["level"] == level]
    key = "employee_id" if level == "employee" else level
    return pd.DataFrame({key: part["key"], "indicator": part["indicator"],
                         "ytd_completion": part["ytd_completion"]}).reset_index(drop=True)


def appraisal_settings(ledger: Ledger) -> dict[str, Any]:
    """The appraisal options the standards' Thresholds set (default coefficient, managers on the department)."""
    values = thresholds(ledger.standards)  # read once (``Ledger.threshold`` reads the sheet at each call)
    return {"default_coefficient": float(values[DEFAULT_COEFFICIENT]),
            "manager_on_department": bool(values[MANAGER_ON_DEPARTMENT])}


@per_ledger
def compute_appraisal(ledger: Ledger, period: str, completion: pd.DataFrame | None = None) -> AppraisalResult:
    """Floating salary for ``period`` from a Ledger; ``completion`` rows may be passed to avoid recomputing."""
    from . import completion as comp_mod  # H6's module; imported late so this one stands alone
    if completion is None:
        completion = comp_mod.compute_completion(ledger, period, monthly_payments(ledger, period))
    roster = roster_at(ledger.standard("Roster"), ledger.standard("RosterChanges"), *year_month(period))
    return appraisal(completion_frame(completion), roster, ledger.standard("Appraisal"),
                     ledger.standard("AppraisalBands"), period,
                     department_completion=completion_frame(completion, "department"), **appraisal_settings(ledger),
                     departments=ledger_departments(ledger.tables), absent_people=set(ledger.absent_people),
                     employed=employment(ledger.standard("Roster"), *year_month(period), ledger.standard("Holidays")),
                     reviews=ledger.tables.get("Reviews"))
